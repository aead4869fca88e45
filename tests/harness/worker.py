"""The grading worker: runs one step's functions for the tests, inside the sandbox.

``python -m tests.harness.worker STEP`` imports ``exercises/<step module>.py`` and answers
calls from the trusted test process, one JSON line each way on its standard input and
output (see ``remote``). It moves that channel off file descriptors 0-2 before the student's
code loads, so ``print`` and C libraries cannot garble it; what the student's code prints
during a call is kept (capped) and sent with the answer. This code decides nothing: the
tests check what it sends back, in a process the student's code never reaches.

Requests: ``{"describe": true}`` or ``{"call": NAME, "args": [...], "kwargs": {...},
"files": [...]}``. Answers: ``{"ready": ...}``, ``{"import_error": TEXT}``, ``{"value": ...,
"changed": {...}, "output": TEXT}`` or ``{"error": {...}, "output": TEXT}``.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import inspect
import io
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any

from tests.harness.codec import Classes, CodecError, class_name, decode, encode
from tests.harness.limits import CappedStream
from tests.harness.steps import STEPS, load_step

OUTPUT_LIMIT = 20_000
MESSAGE_LIMIT = 20_000
#: Heavy libraries a step file may import inside a function: imported before any call, so
#: their import time never counts against a test's time limit.
WARM_IMPORTS = ("numpy", "pandas", "sklearn", "seqeval", "transformers", "simpletransformers")
#: What the worker needs to rebuild a step's arguments (the tests of steps 2 and 3 send
#: tokenizers), imported while the worker starts, not during a timed call.
CODEC_IMPORTS = {2: ["transformers"], 3: ["transformers"]}


def warm_imports(source: str) -> list[str]:
    """The heavy modules ``source`` imports anywhere (in a function too), except under
    ``if TYPE_CHECKING:``, which never runs.

    >>> warm_imports("def f():\\n    from simpletransformers.ner import NERArgs\\n")
    ['simpletransformers.ner']
    >>> warm_imports("if TYPE_CHECKING:\\n    import torch\\n")
    []
    """
    import ast

    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    skipped = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    found: list[str] = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module]
        else:
            continue
        found += [n for n in names if n.split(".")[0] in WARM_IMPORTS and n not in found]
    return found


def import_quietly(names: list[str]) -> None:
    """Import ``names``; one that fails is left for the student's own import to report."""
    import importlib

    for name in names:
        with contextlib.suppress(Exception):  # the student's call will raise the real error
            importlib.import_module(name)


def _tokenizer(data: dict) -> Any:
    """A Hugging Face tokenizer rebuilt from the files it was saved as."""
    import tempfile

    import transformers

    cls = getattr(transformers, str(data["class"]), None)
    if not (isinstance(cls, type) and issubclass(cls, transformers.PreTrainedTokenizerBase)):
        raise CodecError(f"{data['class']} is not a tokenizer class")
    folder = Path(tempfile.mkdtemp(prefix="tokenizer-"))
    for name, content in data["files"].items():
        if "/" in name or name.startswith("."):
            raise CodecError(f"bad tokenizer file name {name!r}")
        (folder / name).write_bytes(base64.b64decode(content))
    tokenizer = cls.from_pretrained(folder)
    if "backend" in data:  # exactly as the test left it, even a normaliser set by hand
        from tokenizers import Tokenizer

        tokenizer._tokenizer = Tokenizer.from_str(str(data["backend"]))
    return tokenizer


def _write_files(files: list) -> None:
    """Put the test's own files (e.g. a CoNLL file in ``tmp_path``) where the test made them."""
    for item in files:
        path = Path(item["path"])
        path.parent.mkdir(parents=True, exist_ok=True)
        if item.get("dir"):
            path.mkdir(exist_ok=True)
        else:
            path.write_bytes(base64.b64decode(item["data"]))


class Worker:
    """Serves one step module's functions over a channel."""

    def __init__(self, step_number: int, reader: io.BufferedReader, writer: io.BufferedWriter):
        self.step = STEPS[step_number]
        self.reader, self.writer = reader, writer
        self.module: Any = None
        self.classes = Classes(
            modules=("tests.tokenizer_helpers", "simpletransformers.config.model_args"),
            extra={"tokenizer": _tokenizer},
        )

    def send(self, message: dict) -> None:
        self.writer.write(json.dumps(message).encode("utf-8") + b"\n")
        self.writer.flush()

    def start(self) -> None:
        source_file = Path("exercises") / f"{self.step.module}.py"
        source = source_file.read_text(encoding="utf-8", errors="replace")
        import_quietly(warm_imports(source) + CODEC_IMPORTS.get(self.step.number, []))
        try:
            self.module = load_step("exercises", self.step)
        except Exception as error:
            self.send({"import_error": str(error)[:MESSAGE_LIMIT]})
            return
        known = {
            class_name(value): value
            for value in vars(self.module).values()
            if isinstance(value, type) and dataclasses.is_dataclass(value)
        }
        self.classes = dataclasses.replace(self.classes, known=known)
        self.send({"ready": self.describe()})

    def describe(self) -> dict:
        """The module's public functions, dataclasses and constants."""
        functions, classes, constants = [], {}, {}
        for name, value in vars(self.module).items():
            if name.startswith("_"):
                continue
            if inspect.isfunction(value) and value.__module__ == self.module.__name__:
                functions.append(name)
            elif (
                isinstance(value, type)
                and dataclasses.is_dataclass(value)
                and value.__module__ == self.module.__name__
            ):
                classes[name] = _describe_class(value)
            elif name.isupper():
                with contextlib.suppress(CodecError):
                    constants[name] = encode(value)
        return {"functions": functions, "classes": classes, "constants": constants}

    def serve(self) -> None:
        while line := self.reader.readline():
            try:
                request = json.loads(line)
            except ValueError:
                return
            self.send(self.answer(request))

    def answer(self, request: dict) -> dict:
        printed = io.StringIO()
        output = CappedStream(printed, OUTPUT_LIMIT)
        sys.stdout = sys.stderr = output
        try:
            _write_files(request.get("files", []))
            args = decode(request["args"], self.classes)
            kwargs = decode(request["kwargs"], self.classes)
            before = {i: _snapshot(arg) for i, arg in enumerate(args) if _mutable(arg)}
            function = getattr(self.module, request["call"])
            value = function(*args, **kwargs)
            changed = {}
            for index, snapshot in before.items():
                if _snapshot(args[index]) != snapshot:
                    changed[str(index)] = encode(args[index])
            try:
                encoded = encode(value)
            except CodecError as error:
                raise TypeError(
                    f"{request['call']}() returned {error.args[0].split(' cannot')[0]}, which "
                    "cannot reach the tests: return plain Python, NumPy or pandas values"
                ) from None
            return {"value": encoded, "changed": changed, "output": _printed(printed, output)}
        except BaseException as error:  # the student's error, whatever it is, is the answer
            return {"error": _describe_error(error, self.step), "output": _printed(printed, output)}
        finally:
            sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__


def _printed(printed: io.StringIO, output: CappedStream) -> str:
    """What a call printed, with a note of how much was cut."""
    cut = f"\n[output cut: {output.dropped:,} more characters]" if output.dropped else ""
    return printed.getvalue() + cut


def _mutable(value: Any) -> bool:
    """Arguments whose changes in place are sent back (a test may check them)."""
    module = type(value).__module__ or ""
    return (
        type(value) in (list, dict, set)
        or module.startswith(("pandas", "numpy"))
        or (dataclasses.is_dataclass(value) and not isinstance(value, type))
    )


def _snapshot(value: Any) -> str | None:
    try:
        return json.dumps(encode(value))
    except CodecError:
        return None


def _describe_class(cls: type) -> dict:
    fields = []
    for field in dataclasses.fields(cls):
        entry: dict[str, Any] = {"name": field.name}
        try:
            if field.default is not dataclasses.MISSING:
                entry["default"] = encode(field.default)
            elif field.default_factory is not dataclasses.MISSING:
                entry["default"] = encode(field.default_factory())
        except CodecError:
            pass
        fields.append(entry)
    frozen = bool(cls.__dataclass_params__.frozen)  # type: ignore[attr-defined]
    return {"module": cls.__module__, "fields": fields, "frozen": frozen}


def _describe_error(error: BaseException, step: Any) -> dict:
    """What the tests may know of an error: class names, arguments, message, where."""
    types = [[cls.__module__, cls.__qualname__] for cls in type(error).__mro__]
    try:
        message = str(error)
        message = message if type(message) is str else "<a message that is not a str>"
    except BaseException:
        message = "<a message that cannot be printed>"
    try:
        args = encode(list(error.args))
    except BaseException:
        args = None
    own_file = f"exercises/{step.module}.py"
    frames = [
        f"  {own_file}, line {frame.lineno}, in {frame.name}\n    {frame.line or ''}"
        for frame in traceback.extract_tb(error.__traceback__)
        if Path(frame.filename).as_posix().endswith(own_file)
    ]
    return {"types": types, "args": args, "message": message[:MESSAGE_LIMIT],
            "where": "\n".join(frames[-5:])}  # fmt: skip


def _private_channel() -> tuple[io.BufferedReader, io.BufferedWriter]:
    """The channel on new descriptors; 0-2 point at /dev/null for the student's code."""
    reader = os.fdopen(os.dup(0), "rb")
    writer = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    return reader, writer


def _forget_the_template() -> None:
    """Drop import hooks of an editable install: only the edition in the sandbox is code."""
    sys.meta_path[:] = [finder for finder in sys.meta_path if "editable" not in repr(finder)]
    sys.path_hooks[:] = [hook for hook in sys.path_hooks if "editable" not in repr(hook)]
    sys.path_importer_cache.clear()


def _limit_resources(memory_mb: int, file_mb: int, processes: int) -> None:
    """Hard limits the student's code cannot raise: memory, file size, processes, no cores."""
    import resource

    megabyte = 1024 * 1024
    for kind, value in (
        (resource.RLIMIT_AS, memory_mb * megabyte),
        (resource.RLIMIT_FSIZE, file_mb * megabyte),
        (resource.RLIMIT_NPROC, processes),
        (resource.RLIMIT_CORE, 0),
    ):
        if value > 0:
            resource.setrlimit(kind, (value, value))


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tests.harness.worker")
    parser.add_argument("step", type=int, choices=sorted(STEPS))
    parser.add_argument("--memory-mb", type=int, default=0)
    parser.add_argument("--file-mb", type=int, default=0)
    parser.add_argument("--processes", type=int, default=0)
    options = parser.parse_args(argv)
    reader, writer = _private_channel()
    _limit_resources(options.memory_mb, options.file_mb, options.processes)
    _forget_the_template()
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    worker = Worker(options.step, reader, writer)
    worker.start()
    if worker.module is not None:
        worker.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
