"""The grader's pytest plugin, loaded in each step's test process before any student code.

It reports every test phase to the grader through a pipe the student's code is not told
about, each record signed with a key the grader passes in ``NER_GRADE_KEY`` (removed from the
environment before any student code is imported); a forged or unsigned record is ignored and
flagged by the grader. It also
removes the template's editable-install import hook and refuses the reference steps and the
template's own tests, so ``from solutions.metrics import *`` fails with a clear message.

Use: ``python -m pytest -p solutions.tools.classroom.reporter ...`` with ``NER_GRADE_FD`` set
to the pipe's file descriptor and ``NER_GRADE_KEY`` to the key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
from importlib.abc import MetaPathFinder

from solutions.tools.implementation import STEP_MODULES

FD_VARIABLE, KEY_VARIABLE, LIMITS_VARIABLE = "NER_GRADE_FD", "NER_GRADE_KEY", "NER_GRADE_LIMITS"
BLOCKED = (*(f"solutions.{name}" for name in STEP_MODULES), "tests.template", "tests.hidden")


def sign(key: bytes, record: dict) -> str:
    """The signature of a record (its JSON without the ``mac`` field)."""
    body = json.dumps(record, sort_keys=True).encode("utf-8")
    return hmac.new(key, body, hashlib.sha256).hexdigest()


class _BlockReference(MetaPathFinder):
    """Makes the reference steps unimportable while grading."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname in BLOCKED or fullname.startswith(tuple(f"{name}." for name in BLOCKED)):
            raise ModuleNotFoundError(
                f"{fullname} is not available while grading: a step is graded on the "
                "student's own code alone",
                name=fullname,
            )
        return None


class _Channel:
    def __init__(self, fd: int, key: bytes) -> None:
        self._file = os.fdopen(fd, "w", encoding="utf-8", buffering=1)
        self._key = key

    def send(self, **record) -> None:
        record["mac"] = sign(self._key, record)
        self._file.write(json.dumps(record) + "\n")
        self._file.flush()


_channel: _Channel | None = None


def _limit_resources(spec: str) -> None:
    """Cap address space and file size (``"MEMORY_MB,FILE_MB"``) and turn off core dumps."""
    import resource

    memory_mb, file_mb = (int(part) for part in spec.split(","))
    megabyte = 1024 * 1024
    for kind, value in (
        (resource.RLIMIT_AS, memory_mb * megabyte),
        (resource.RLIMIT_FSIZE, file_mb * megabyte),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(kind, (value, value))


def pytest_configure(config) -> None:
    global _channel
    if spec := os.environ.pop(LIMITS_VARIABLE, ""):
        _limit_resources(spec)
    sys.meta_path[:] = [_BlockReference()] + [
        finder for finder in sys.meta_path if "__editable__" not in repr(finder)
    ]
    for name in list(sys.modules):
        if name in BLOCKED:
            del sys.modules[name]
    fd = os.environ.pop(FD_VARIABLE, None)
    key = os.environ.pop(KEY_VARIABLE, "").encode("ascii")
    if fd is not None and key:
        _channel = _Channel(int(fd), key)
        _channel.send(event="started", pid=os.getpid())


def pytest_collection_finish(session) -> None:
    if _channel is not None:
        _channel.send(event="collected", tests=[item.nodeid for item in session.items])


def pytest_runtest_logreport(report) -> None:
    if _channel is not None:
        _channel.send(event="test", nodeid=report.nodeid, when=report.when, outcome=report.outcome)


def pytest_sessionfinish(session, exitstatus) -> None:
    if _channel is not None:
        _channel.send(event="finished", exitstatus=int(exitstatus))
