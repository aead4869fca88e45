"""Run one step's tests on a student's code in a separate, limited process.

The process runs the course's own pytest configuration (``-c``, ``--rootdir``,
``--confcutdir``) in a grading copy of the course where only the student's step files came from
the submission. Limits: a wall-clock time for the step (the whole process group is killed
when it runs out), address space (memory), file size, and output (the grader keeps the first
and last 32 KB). Results come back through a signed side channel (see ``reporter``), never
from the process's output or files.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from solutions.tools.classroom.reporter import FD_VARIABLE, KEY_VARIABLE, LIMITS_VARIABLE, sign

OUTPUT_KEEP = 32_000
CHANNEL_LIMIT = 8_000_000


@dataclass
class Limits:
    """What one step's process may use."""

    seconds: float = 180.0
    memory_mb: int = 6000
    file_mb: int = 64
    test_seconds: float = 10.0


@dataclass
class StepRun:
    """What came back from one step's process."""

    outcomes: dict[str, str] = field(default_factory=dict)  # node id -> passed/failed/skipped
    finished: bool = False
    timed_out: bool = False
    exit_code: int | None = None
    forged: int = 0
    output: str = ""


def course_pytest(tree: Path, *args: str) -> list[str]:
    """``python -m pytest`` on the students' code in ``tree``, with the course's own
    configuration only (hidden tests included, no cache, no conftest from above ``tree``)."""
    return [
        sys.executable, "-m", "pytest",
        "-c", str(tree / "pyproject.toml"), "--rootdir", str(tree),
        "--confcutdir", str(tree / "tests"), "-p", "no:cacheprovider",
        "--impl=exercises", "--hidden", *args,
    ]  # fmt: skip


def run_step(tree: Path, step: int, limits: Limits) -> StepRun:
    """Run ``pytest --step=STEP`` on ``tree/exercises`` and collect signed results."""
    key = secrets.token_hex(32)
    read_end, write_end = os.pipe()
    env = _environment(
        tree,
        {
            FD_VARIABLE: str(write_end),
            KEY_VARIABLE: key,
            LIMITS_VARIABLE: f"{limits.memory_mb},{limits.file_mb}",
        },
    )
    command = course_pytest(
        tree, "-p", "solutions.tools.classroom.reporter", f"--step={step}",
        f"--time-limit={limits.test_seconds:g}", "-q", "--no-header", "-r", "N", "--color=no",
    )  # fmt: skip
    process = subprocess.Popen(
        command, cwd=tree, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, pass_fds=(write_end,), start_new_session=True,
    )  # fmt: skip
    os.close(write_end)
    output, records = _Tail(), []
    readers = [
        threading.Thread(target=output.read_from, args=(process.stdout,), daemon=True),
        threading.Thread(target=_read_records, args=(read_end, records), daemon=True),
    ]
    for reader in readers:
        reader.start()
    run = StepRun()
    try:
        run.exit_code = process.wait(timeout=limits.seconds)
    except subprocess.TimeoutExpired:
        run.timed_out = True
    finally:
        _kill_group(process)
        run.exit_code = process.wait() if run.exit_code is None else run.exit_code
    for reader in readers:
        reader.join(timeout=10)
    run.output = output.text()
    _apply(run, records, key.encode("ascii"))
    return run


def _environment(tree: Path, extra: dict[str, str]) -> dict[str, str]:
    keep = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env.update(
        HOME=str(tree / ".home"),
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONHASHSEED="0",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        TOKENIZERS_PARALLELISM="false",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        HF_HOME=str(tree / ".home" / "huggingface"),
        MPLBACKEND="Agg",
        **extra,
    )
    (tree / ".home").mkdir(exist_ok=True)
    return env


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


class _Tail:
    """Keeps the first and last ``OUTPUT_KEEP`` characters of a stream, counts the middle."""

    def __init__(self) -> None:
        self.head, self.tail, self.dropped = bytearray(), bytearray(), 0

    def read_from(self, stream) -> None:
        while chunk := stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536):
            room = max(OUTPUT_KEEP - len(self.head), 0)
            self.head += chunk[:room]
            self.tail += chunk[room:]
            if len(self.tail) > OUTPUT_KEEP:
                self.dropped += len(self.tail) - OUTPUT_KEEP
                del self.tail[: len(self.tail) - OUTPUT_KEEP]

    def text(self) -> str:
        middle = f"\n[... {self.dropped:,} bytes of output not kept ...]\n" if self.dropped else ""
        return (bytes(self.head) + middle.encode() + bytes(self.tail)).decode("utf-8", "replace")


def _read_records(fd: int, records: list[str]) -> None:
    size = 0
    with os.fdopen(fd, "r", encoding="utf-8", errors="replace") as channel:
        for line in channel:
            size += len(line)
            if size > CHANNEL_LIMIT:
                break
            records.append(line)


def _apply(run: StepRun, records: list[str], key: bytes) -> None:
    """Fold the verified records into ``run``; count the ones whose signature is wrong."""
    for line in records:
        try:
            record = json.loads(line)
            mac = record.pop("mac")
        except (ValueError, KeyError, AttributeError):
            run.forged += 1
            continue
        if not isinstance(mac, str) or mac != sign(key, record):
            run.forged += 1
            continue
        if record.get("event") == "finished":
            run.finished = True
        elif record.get("event") == "test":
            nodeid, outcome = str(record.get("nodeid")), str(record.get("outcome"))
            if run.outcomes.get(nodeid) != "failed" and (
                record.get("when") == "call" or outcome != "passed"
            ):
                run.outcomes[nodeid] = outcome
