"""The trusted side of grading: a step module whose functions run in a sandboxed worker.

With ``--sandbox-spec FILE`` (written by the grader), the ``step`` fixture is a
``RemoteStep``: it has the step module's functions, dataclasses and constants, but calling a
function sends its arguments to a worker (``tests.harness.worker``) that runs inside the
sandbox the spec's command starts, and rebuilds the answer with ``codec``: exact built-in,
NumPy and pandas values, or an error of a built-in class with the student's message. The
tests, their assertions and the verdict stay in this process, which runs no student code.

A call that runs past its time limit ends the worker (the next call starts a fresh one); a
worker that does not finish importing the step file in time, or whose file cannot be
imported, fails every test of the step at once with that reason.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import json
import os
import selectors
import signal
import subprocess
import tempfile
import time
import typing
import uuid
from pathlib import Path, PurePath
from typing import Any

from tests.harness.codec import TAG, Classes, CodecError, class_name, decode, encode
from tests.harness.limits import StepCrashed, StubNotWritten, TimeLimitExceeded, is_stub_message
from tests.harness.steps import PROJECT_ROOT, Step, StepImportError

#: The largest answer read from a worker (bytes); a larger one fails the call.
MAX_ANSWER = 16_000_000
#: A file the tests hand to a step may be this large.
MAX_FILE = 32_000_000
#: After this many calls that ran out of time or ended the sandbox, a step's remaining calls
#: fail at once.
MAX_ENDED = 3
_ERRORS = {
    cls.__name__: cls
    for cls in (
        ValueError, TypeError, KeyError, IndexError, LookupError, FileNotFoundError,
        IsADirectoryError, NotADirectoryError, PermissionError, OSError, UnicodeError,
        ZeroDivisionError, ArithmeticError, OverflowError, AttributeError, RuntimeError,
        RecursionError, NotImplementedError, AssertionError, Exception,
    )
}  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Launch:
    """How to start one step's worker: a command, and one to stop it (``{name}`` is filled
    with a fresh name for each start)."""

    start: list[str]
    stop: list[str] = dataclasses.field(default_factory=list)
    cwd: str | None = None


@dataclasses.dataclass(frozen=True)
class SandboxSpec:
    """What the grader hands to the trusted test process (``--sandbox-spec``; written by
    ``solutions/tools/classroom/sandbox.py``)."""

    launches: dict[int, Launch]
    import_seconds: float = 120.0
    step_seconds: float = 0.0  # a step's calls may take this long in all (0: no limit)

    @classmethod
    def read(cls, path: Path) -> SandboxSpec:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        launches = {
            int(step): Launch(list(entry["start"]), list(entry.get("stop", [])), entry.get("cwd"))
            for step, entry in data["steps"].items()
        }
        return cls(
            launches, float(data.get("import_seconds", 120.0)), float(data.get("step_seconds", 0))
        )


class WorkerGone(Exception):
    """The worker ended, or sent something that is not an answer."""


class Worker:
    """One sandboxed worker process and its channel."""

    def __init__(self, launch: Launch) -> None:
        name = f"ner-grade-{uuid.uuid4().hex[:12]}"
        self._stop = [part.replace("{name}", name) for part in launch.stop]
        command = [part.replace("{name}", name) for part in launch.start]
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            start_new_session=True, cwd=launch.cwd or PROJECT_ROOT,
        )  # fmt: skip
        self._buffer = bytearray()

    def send(self, message: dict) -> None:
        try:
            self.process.stdin.write(json.dumps(message).encode("utf-8") + b"\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError) as error:
            raise WorkerGone(f"the worker stopped reading ({error})") from None

    def receive(self, seconds: float) -> dict:
        """The next answer; ``TimeoutError`` after ``seconds``, ``WorkerGone`` if it ended."""
        deadline = time.monotonic() + seconds
        stream = self.process.stdout
        with selectors.DefaultSelector() as selector:
            selector.register(stream, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    raise TimeoutError
                chunk = os.read(stream.fileno(), 1 << 20)
                if not chunk:
                    raise WorkerGone(f"the worker ended (exit code {self.process.poll()})")
                self._buffer += chunk
                if len(self._buffer) > MAX_ANSWER:
                    raise WorkerGone(f"an answer over {MAX_ANSWER:,} bytes")
        line, _, rest = bytes(self._buffer).partition(b"\n")
        self._buffer = bytearray(rest)
        try:
            answer = json.loads(line)
        except (ValueError, RecursionError):
            raise WorkerGone("the worker sent something that is not an answer") from None
        if type(answer) is not dict:
            raise WorkerGone("the worker sent something that is not an answer")
        return answer

    def close(self) -> None:
        """End the worker and everything it started."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        if self._stop:
            subprocess.run(self._stop, capture_output=True, check=False, timeout=60)
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                stream.close()


class RemoteStep:
    """A step module whose functions run in the sandbox (same use as ``StepModule``)."""

    def __init__(
        self, step: Step, launch: Launch, seconds: float, import_seconds: float, budget: float = 0
    ):
        self._step, self._launch = step, launch
        self._seconds, self._import_seconds = seconds, import_seconds
        self._budget, self._spent = budget, 0.0
        self._worker: Worker | None = None
        self._broken: BaseException | None = None
        self._description: dict | None = None
        self._classes: dict[str, type] = {}
        self._constants: dict[str, Any] = {}
        self.ended = 0

    def __repr__(self) -> str:
        return f"<exercises/{self._step.module}.py in the grading sandbox>"

    # ------------------------------------------------------------ the module's names

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        description = self._describe()
        if name in description["functions"]:
            return _RemoteFunction(self, name)
        if name in self._classes:
            return self._classes[name]
        if name in self._constants:
            return self._constants[name]
        raise AttributeError(f"module 'exercises.{self._step.module}' has no attribute '{name}'")

    def _describe(self) -> dict:
        if self._description is None:
            self._start()
        return self._description

    def prestart(self) -> None:
        """Start the worker now, so it imports the step file while other tests run."""
        if self._worker is None and self._broken is None:
            self._worker = Worker(self._launch)

    def _start(self) -> None:
        if self._broken is not None:
            raise self._broken
        if self._worker is None:
            self._worker = Worker(self._launch)
        try:
            answer = self._worker.receive(self._import_seconds)
        except TimeoutError:
            self._fail(StepImportError(
                f"exercises/{self._step.module}.py did not finish importing within "
                f"{self._import_seconds:g} s: does it run something slow at import time?"
            ))  # fmt: skip
        except WorkerGone as error:
            self._fail(StepImportError(f"exercises/{self._step.module}.py: {error}"))
        if "import_error" in answer:
            self._fail(StepImportError(str(answer["import_error"])))
        if self._description is None:
            self._learn(answer.get("ready"))

    def _fail(self, error: BaseException) -> typing.NoReturn:
        self.close()
        self._broken = error
        raise error

    def _learn(self, ready: Any) -> None:
        try:
            functions = [name for name in ready["functions"] if type(name) is str]
            for name, spec in ready["classes"].items():
                self._classes[str(name)] = _mirror_class(str(name), spec)
            known = {class_name(cls): cls for cls in self._classes.values()}
            classes = Classes(known=known)
            self._constants = {
                str(name): decode(value, classes) for name, value in ready["constants"].items()
            }
        except (CodecError, KeyError, TypeError, AttributeError, ValueError) as error:
            self._fail(StepImportError(f"the worker described the step badly: {error}"))
        self._description = {"functions": functions}

    # ------------------------------------------------------------ calls

    def call(self, name: str, args: tuple, kwargs: dict) -> Any:
        if self._broken is not None:
            raise self._broken
        if self.ended >= MAX_ENDED:
            raise TimeLimitExceeded(
                f"{name}() was not called: {self.ended} earlier calls of this step ran past "
                "their time limit or ended its process (fix the endless loop first)"
            )
        if self._budget and self._spent > self._budget:
            raise TimeLimitExceeded(
                f"{name}() was not called: the step's calls used up its {self._budget:g} s"
            )
        started = time.monotonic()
        try:
            return self._call(name, args, kwargs)
        finally:
            self._spent += time.monotonic() - started

    def _call(self, name: str, args: tuple, kwargs: dict) -> Any:
        files: list[dict] = []
        request = {
            "call": name,
            "args": self._encode(list(args), files),
            "kwargs": self._encode(dict(kwargs), files),
            "files": files,
        }
        if self._worker is None:
            self._start()
        worker = self._worker
        try:
            worker.send(request)
            answer = worker.receive(self._seconds if self._seconds > 0 else 1e9)
        except TimeoutError:
            self.ended += 1
            self.close()
            raise TimeLimitExceeded(
                f"{name}() took longer than {self._seconds:g} s: is there an endless loop?"
            ) from None
        except WorkerGone as error:
            self.ended += 1
            self.close()
            raise StepCrashed(f"{name}() ended the step's process: {error}") from None
        return self._answer(name, args, kwargs, answer)

    def _encode(self, value: Any, files: list[dict]) -> Any:
        _collect_paths(value, files)
        return encode(value, _encode_tokenizer)

    def _answer(self, name: str, args: tuple, kwargs: dict, answer: dict) -> Any:
        output = answer.get("output")
        if type(output) is str and output:
            print(output, end="" if output.endswith("\n") else "\n")
        classes = Classes(
            known={class_name(cls): cls for cls in self._classes.values()},
            modules=("simpletransformers.config.model_args",),
        )
        if "error" in answer:
            raise _rebuild_error(answer["error"], classes)
        try:
            value = decode(answer["value"], classes)
            changed = answer.get("changed") or {}
            for index, data in dict(changed).items():
                _update_in_place(args[int(index)], decode(data, classes))
        except (CodecError, KeyError, IndexError, TypeError, ValueError, RecursionError) as error:
            raise TypeError(f"{name}() returned data the tests cannot read: {error}") from None
        return value

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None


class _RemoteFunction:
    def __init__(self, remote: RemoteStep, name: str) -> None:
        self._remote, self.__name__ = remote, name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._remote.call(self.__name__, args, kwargs)

    def __repr__(self) -> str:
        return f"<function {self.__name__} in the grading sandbox>"


def _mirror_class(name: str, spec: dict) -> type:
    """A local dataclass with the student's class's name, fields and defaults."""
    names = [name, *(field["name"] for field in spec["fields"])]
    odd = [n for n in names if type(n) is not str or not n.isidentifier() or n.startswith("_")]
    if odd:
        raise ValueError(f"class {name!r}: names a test cannot use: {odd}")
    fields = []
    for field in spec["fields"]:
        if "default" in field:
            default = decode(field["default"])
            if isinstance(default, (list, dict, set)):
                fields.append((str(field["name"]), Any, dataclasses.field(
                    default_factory=lambda value=default: json.loads(json.dumps(value))
                )))  # fmt: skip
            else:
                fields.append((str(field["name"]), Any, dataclasses.field(default=default)))
        else:
            fields.append((str(field["name"]), Any))
    cls = dataclasses.make_dataclass(name, fields, frozen=spec.get("frozen") is True)
    cls.__module__ = str(spec["module"])
    return cls


def _rebuild_error(error: Any, classes: Classes) -> BaseException:
    """A built-in error with the student's message: the first built-in class it derives from."""
    try:
        message = error["message"]
        names = [tuple(pair) for pair in error["types"]]
        where = error.get("where")
    except (KeyError, TypeError):
        return RuntimeError("the step's process reported an error it could not describe")
    message = message if type(message) is str else "<no message>"
    if type(where) is str and where:
        print(f"where it was raised (in the sandbox):\n{where}")
    cls = next(
        (_ERRORS[qualname] for module, qualname in names
         if module == "builtins" and qualname in _ERRORS),
        None,
    )  # fmt: skip
    if cls is None:
        shown = ".".join(names[0]) if names and all(type(n) is str for n in names[0]) else "?"
        return RuntimeError(f"the step raised {shown}: {message}")
    if cls is NotImplementedError and is_stub_message(message):
        return StubNotWritten(message)
    try:
        args = decode(error.get("args"), classes)
        rebuilt = cls(*args) if type(args) is list else cls(message)
        if str(rebuilt) != message:
            rebuilt = cls(message)
    except Exception:
        rebuilt = cls(message)
    return rebuilt


def _update_in_place(target: Any, new: Any) -> None:
    """Give an argument the changes the step's function made to its copy."""
    kind = type(target)
    if kind is list and type(new) is list:
        target[:] = new
    elif kind in (dict, set) and type(new) is kind:
        target.clear()
        target.update(new)
    elif dataclasses.is_dataclass(target) and type(new) is kind:
        for field in dataclasses.fields(target):
            object.__setattr__(target, field.name, getattr(new, field.name))
    elif kind.__module__.startswith("pandas") and type(new) is kind:
        target._update_inplace(new)
    elif kind.__module__.startswith("numpy") and type(new) is kind and new.shape == target.shape:
        target[...] = new


def _collect_paths(value: Any, files: list[dict], depth: int = 0) -> None:
    """Find the paths among the arguments (``Path`` or absolute path text) and their files."""
    if depth > 8:
        return
    if isinstance(value, PurePath) or (type(value) is str and value.startswith("/")):
        _add_file(Path(value), files, folders=isinstance(value, PurePath))
    elif type(value) in (list, tuple, set, frozenset):
        for item in value:
            _collect_paths(item, files, depth + 1)
    elif type(value) is dict:
        for item in value.values():
            _collect_paths(item, files, depth + 1)


def _add_file(path: Path, files: list[dict], folders: bool) -> None:
    """Send a file the test made outside the course (e.g. in ``tmp_path``) with the call."""
    try:
        path = path.absolute()
        if path.is_relative_to(PROJECT_ROOT) or any(f["path"] == str(path) for f in files):
            return
        if path.is_dir() and folders:
            files.append({"path": str(path), "dir": True})
        elif path.is_file() and path.stat().st_size <= MAX_FILE:
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            files.append({"path": str(path), "data": data})
    except OSError:
        return


def _encode_tokenizer(value: Any) -> dict | None:
    """A Hugging Face tokenizer as the files ``save_pretrained`` writes."""
    module = type(value).__module__ or ""
    if not module.startswith("transformers") or not hasattr(value, "save_pretrained"):
        return None
    with tempfile.TemporaryDirectory(prefix="tokenizer-") as folder:
        value.save_pretrained(folder)
        files = {
            path.name: base64.b64encode(path.read_bytes()).decode("ascii")
            for path in Path(folder).iterdir()
            if path.is_file()
        }
    encoded = {TAG: "tokenizer", "class": type(value).__name__, "files": files}
    backend = getattr(value, "backend_tokenizer", None)
    if backend is not None:
        encoded["backend"] = backend.to_str()
    return encoded
