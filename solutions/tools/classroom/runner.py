"""Run one submission's tests in a trusted pytest process; its steps run in sandboxes.

The test process runs the course's own tests and configuration (``-c``, ``--rootdir``,
``--confcutdir``) in the grader's private copy of the edition; it never imports a student's
file: with ``--sandbox-spec`` each step's functions are called in a sandboxed worker (see
``tests/harness/remote.py``). Its results come back as one JSON line per test phase in a
file only the grader and this process can reach (``reporter``); a test that never reported
counts as failed. The process as a whole has a wall-clock limit, a backstop: each call of a
student's function already has its own.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from solutions.tools.classroom.reporter import LOG_VARIABLE

OUTPUT_KEEP = 32_000

#: Test processes running now, so an interrupted grader can end them (``stop_all``).
_RUNNING: set[subprocess.Popen] = set()
_LOCK = threading.Lock()


@dataclass
class Run:
    """What one submission's test process reported."""

    outcomes: dict[str, str] = field(default_factory=dict)  # node id -> passed/failed/skipped
    reasons: dict[str, str] = field(default_factory=dict)  # node id -> first line of a failure
    timed_out: bool = False
    exit_code: int | None = None
    output: str = ""


def course_pytest(tree: Path, *args: str) -> list[str]:
    """``python -m pytest`` in ``tree`` with the course's own configuration only (hidden tests
    included, no cache, no conftest from above ``tree``)."""
    return [
        sys.executable, "-m", "pytest",
        "-c", str(tree / "pyproject.toml"), "--rootdir", str(tree),
        "--confcutdir", str(tree / "tests"), "-p", "no:cacheprovider",
        "--impl=exercises", "--hidden", *args,
    ]  # fmt: skip


def run_tests(
    tree: Path,
    spec: Path | None,
    scratch: Path,
    steps: list[int],
    seconds: float,
    test_seconds: float,
) -> Run:
    """Run ``steps``' tests in ``tree`` against the sandboxes ``spec`` describes (``None``:
    the step files in ``tree/exercises`` run in the test process, as in a student's run)."""
    log = scratch / "results.jsonl"
    markers = " or ".join(f"step{step}" for step in steps)
    sandbox = [f"--sandbox-spec={spec}"] if spec else []
    command = course_pytest(
        tree, "-p", "solutions.tools.classroom.reporter", *sandbox,
        f"--basetemp={scratch / 'pytest'}", "-m", markers, f"--time-limit={test_seconds:g}",
        "-q", "--no-header", "-r", "N", "--color=no", "--tb=line",
    )  # fmt: skip
    environment = {**os.environ, LOG_VARIABLE: str(log)}
    process = subprocess.Popen(
        command, cwd=tree, env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    with _LOCK:
        _RUNNING.add(process)
    tail = _Tail()
    reader = threading.Thread(target=tail.read_from, args=(process.stdout,), daemon=True)
    reader.start()
    run = Run()
    try:
        run.exit_code = process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        run.timed_out = True
    finally:
        _end(process)
        run.exit_code = process.wait() if run.exit_code is None else run.exit_code
        with _LOCK:
            _RUNNING.discard(process)
    reader.join(timeout=10)
    run.output = tail.text()
    _read_log(log, run)
    return run


def stop_all() -> None:
    """End every test process still running (the grader was interrupted)."""
    with _LOCK:
        running = list(_RUNNING)
    for process in running:
        _end(process)


def _end(process: subprocess.Popen) -> None:
    """End the test process's group; its sandboxes die with it (``--die-with-parent``)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)


def _read_log(log: Path, run: Run) -> None:
    """Fold the reporter's records into ``run``: a test passed only if every phase did."""
    if not log.exists():
        return
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        record = json.loads(line)
        nodeid, outcome = record["nodeid"], record["outcome"]
        if run.outcomes.get(nodeid) == "failed":
            continue
        if record["when"] == "call" or outcome != "passed":
            run.outcomes[nodeid] = outcome
            if outcome == "failed" and record.get("reason"):
                run.reasons[nodeid] = record["reason"]


class _Tail:
    """Keeps the first and last ``OUTPUT_KEEP`` bytes of a stream, counts the middle."""

    def __init__(self) -> None:
        self.head, self.tail, self.dropped = bytearray(), bytearray(), 0

    def read_from(self, stream) -> None:
        while chunk := stream.read1(65536):
            room = max(OUTPUT_KEEP - len(self.head), 0)
            self.head += chunk[:room]
            self.tail += chunk[room:]
            if len(self.tail) > OUTPUT_KEEP:
                self.dropped += len(self.tail) - OUTPUT_KEEP
                del self.tail[: len(self.tail) - OUTPUT_KEEP]

    def text(self) -> str:
        middle = f"\n[... {self.dropped:,} bytes of output not kept ...]\n" if self.dropped else ""
        return (bytes(self.head) + middle.encode() + bytes(self.tail)).decode("utf-8", "replace")
