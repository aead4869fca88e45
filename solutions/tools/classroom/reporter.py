"""The grader's pytest plugin: one JSON line per test phase, in a file named by the grader.

It runs in the trusted test process, which never runs a student's code (the step functions
run in sandboxes, see ``tests/harness/remote.py``), so its records need no signature: the
student's code cannot reach this process or the file.

Use: ``NER_GRADE_LOG=results.jsonl python -m pytest -p solutions.tools.classroom.reporter``.
"""

from __future__ import annotations

import json
import os

LOG_VARIABLE = "NER_GRADE_LOG"
_REASON_LIMIT = 300


def pytest_runtest_logreport(report) -> None:
    path = os.environ.get(LOG_VARIABLE)
    if not path:
        return
    record = {"nodeid": report.nodeid, "when": report.when, "outcome": report.outcome}
    if report.failed:
        lines = str(report.longreprtext).strip().splitlines()
        record["reason"] = (lines[-1] if lines else "")[:_REASON_LIMIT]
    with open(path, "a", encoding="utf-8") as log:
        log.write(json.dumps(record) + "\n")
