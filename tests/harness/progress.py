"""Collects per-step results during a run and renders them as a table, JSON or Markdown.

A step is *done* only when a whole, unfiltered run of it passed every test: a run filtered
with ``-k``, ``--lf``, node ids or deselection, or stopped early by ``-x``, is *partial* and
never marks a step done. Skipped tests and tests that never reported count as not passed.
A done step stays done only while its file is the one that passed: the record of a run
(``done_record``) keeps the SHA-256 of ``exercises/<module>.py``, and a step whose file has
changed since is ``StepState.CHANGED``, "changed, not re-checked", until a run checks it again.

>>> board = ProgressBoard("solutions")
>>> board.expect(STEPS[1], 2)
>>> board.record(STEPS[1], "test_1_1_reads[x]", "passed")
>>> board.summary()["passed"], board.summary()["total"], board.results[1].done
(1, 2, False)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from .hints import Hint, hint_number, hint_order, read_hints
from .steps import PROJECT_ROOT, STEPS, Step

DONE, TODO, PARTIAL, CHANGED = "✓", "✗", "~", "?"


class StepState(Enum):
    """What the saved runs show about a step; only ``DONE`` is true (``if state:``)."""

    TODO = "to do"
    DONE = "done"
    CHANGED = "changed, not re-checked"

    def __bool__(self) -> bool:
        return self is StepState.DONE

    @property
    def mark(self) -> str:
        return {StepState.DONE: DONE, StepState.CHANGED: CHANGED}.get(self, TODO)


def step_file(step: Step, root: Path = PROJECT_ROOT) -> Path:
    """The student's file of ``step``: ``exercises/<module>.py`` under ``root``."""
    return root / "exercises" / f"{step.module}.py"


def file_digest(path: Path) -> str | None:
    """The SHA-256 of the file's bytes (hex), or None when it cannot be read."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def done_record(
    step: Step, done: bool, root: Path = PROJECT_ROOT, digest: str | None = None
) -> dict:
    """What a whole run of ``step`` leaves behind: whether it passed, and which file did
    (``digest``: the file's hash when the run started, so an edit during the run counts)."""
    return {"done": done, "sha256": digest or file_digest(step_file(step, root))}


def step_states(saved: Mapping, root: Path = PROJECT_ROOT) -> dict[int, StepState]:
    """Each step's state from the saved records (``{"1": done_record(...), ...}``).

    A step is ``DONE`` when its last whole run passed and its file still has the hash that run
    saw; ``CHANGED`` when it passed but the file differs now (or the record, from an older
    course, has no hash); ``TODO`` otherwise.
    """
    saved = saved if isinstance(saved, Mapping) else {}
    states = {}
    for number, step in STEPS.items():
        record = saved.get(str(number))
        if isinstance(record, Mapping):
            passed, digest = bool(record.get("done")), record.get("sha256")
        else:  # a bare true/false: a record without a hash
            passed, digest = bool(record), None
        if not passed:
            states[number] = StepState.TODO
        elif digest is not None and digest == file_digest(step_file(step, root)):
            states[number] = StepState.DONE
        else:
            states[number] = StepState.CHANGED
    return states


@dataclass
class StepResult:
    """Outcomes of one step's tests, by test name, and how many tests the step has."""

    step: Step
    outcomes: dict[str, str] = field(default_factory=dict)
    expected: int = 0
    import_error: str | None = None
    partial_because: str | None = None

    def count(self, outcome: str) -> int:
        return sum(1 for value in self.outcomes.values() if value == outcome)

    @property
    def total(self) -> int:
        """Tests of the step: every collected one, whether it reported or not."""
        return max(self.expected, len(self.outcomes))

    @property
    def complete(self) -> bool:
        """A whole, unfiltered run in which every test of the step reported."""
        return self.partial_because is None and len(self.outcomes) >= self.expected

    @property
    def done(self) -> bool:
        return self.complete and self.total > 0 and self.count("passed") == self.total

    def first_failure(self) -> str | None:
        return next((name for name, out in self.outcomes.items() if out != "passed"), None)

    def as_dict(self) -> dict:
        return {
            "step": self.step.number,
            "title": self.step.title,
            "passed": self.count("passed"),
            "failed": self.count("failed"),
            "skipped": self.count("skipped"),
            "not_run": self.total - len(self.outcomes),
            "total": self.total,
            "complete": self.complete,
            "done": self.done,
            "import_error": self.import_error,
            "tests": self.outcomes,
        }


class ProgressBoard:
    """Per-step scoreboard of one pytest run."""

    def __init__(self, implementation: str) -> None:
        self.implementation = implementation
        self.results: dict[int, StepResult] = {}
        self.saved: dict[int, StepState] = {}

    def remember(self, states: Mapping[int, StepState]) -> None:
        """Every step's state after this run: the table also flags the steps it did not run
        whose file changed after they passed."""
        self.saved = dict(states)

    def _result(self, step: Step) -> StepResult:
        return self.results.setdefault(step.number, StepResult(step))

    def expect(self, step: Step, count: int) -> None:
        """The step has ``count`` tests in this run's collection (before any filtering)."""
        self._result(step).expected = count

    def mark_partial(self, step: Step, reason: str) -> None:
        """This run does not cover the whole step (``reason`` says why, e.g. ``-k``)."""
        result = self._result(step)
        result.partial_because = result.partial_because or reason

    def record(self, step: Step, test_name: str, outcome: str) -> None:
        """Record a test's outcome; a failure in any phase makes the test failed."""
        result = self._result(step)
        if result.outcomes.get(test_name) != "failed":
            result.outcomes[test_name] = outcome

    def record_import_error(self, step: Step, message: str) -> None:
        self._result(step).import_error = self._result(step).import_error or message

    def ordered(self) -> list[StepResult]:
        return [self.results[number] for number in sorted(self.results)]

    def ran(self) -> list[StepResult]:
        """Steps with at least one test that reported in this run."""
        return [result for result in self.ordered() if result.outcomes]

    def next_step(self) -> StepResult | None:
        return next((result for result in self.ran() if not result.done), None)

    def summary(self) -> dict:
        steps = [result.as_dict() for result in self.ran()]
        passed = sum(step["passed"] for step in steps)
        total = sum(step["total"] for step in steps)
        return {
            "implementation": self.implementation,
            "steps": steps,
            "passed": passed,
            "total": total,
            "steps_done": sum(step["done"] for step in steps),
            "score_percent": round(100 * passed / total, 1) if total else 0.0,
        }

    def table_lines(self) -> list[str]:
        lines = [f"NER course progress ({self.implementation}/)"]
        for result in self.ran():
            mark = DONE if result.done else PARTIAL if not result.complete else TODO
            score = f"{result.count('passed')}/{result.total}"
            line = f"  {mark} Step {result.step.number}  {result.step.title:<34}{score:>7}"
            extra = []
            if result.count("skipped"):
                extra.append(f"{result.count('skipped')} skipped, counted as not passed")
            if not result.complete:
                ran = len(result.outcomes)
                why = result.partial_because or "the run stopped early"
                extra.append(f"partial run, {why}: {ran} of {result.total} tests ran")
            lines.append(line + (f"  ({'; '.join(extra)})" if extra else ""))
        ran = {result.step.number for result in self.ran()}
        for number, state in self.saved.items():
            if state is StepState.CHANGED and number not in ran:
                step = STEPS[number]
                lines.append(
                    f"  {CHANGED} Step {number}  {step.title:<34}  {state.value}: its file "
                    f"changed after it passed (pytest --step={number})"
                )
        overall = self.summary()
        lines.append(
            f"  Overall: {overall['passed']}/{overall['total']} tests passed, "
            f"{overall['steps_done']}/{len(self.ran())} steps done"
        )
        return lines

    def markdown(self) -> str:
        overall = self.summary()
        rows = ["| Step | Topic | Passed | Status |", "| --- | --- | --- | --- |"]
        for step in overall["steps"]:
            status = "✅ done" if step["done"] else "❌ to do"
            if not step["complete"]:
                status = "⚠️ partial run"
            score = f"{step['passed']}/{step['total']}"
            rows.append(f"| {step['step']} | {step['title']} | {score} | {status} |")
        rows.append(
            f"| **All** | | **{overall['passed']}/{overall['total']}** "
            f"| **{overall['score_percent']}%** |"
        )
        return f"### NER course progress (`{self.implementation}/`)\n\n" + "\n".join(rows) + "\n"

    def write_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.summary(), indent=2) + "\n", encoding="utf-8")

    def write_markdown(self, path: Path) -> None:
        path.write_text(self.markdown(), encoding="utf-8")


def first_hint(result: StepResult) -> Hint | None:
    """The hint for the first test of ``result`` that did not pass (or the step's first)."""
    hints = read_hints(result.step.hint_file)
    failing = result.first_failure()
    number = hint_number(failing) if failing else None
    if number not in hints:
        number = min(hints, default=None, key=hint_order)
    return hints.get(number) if number else None


def advice(
    board: ProgressBoard, done: Mapping[int, bool | StepState], hint_level: int = 1
) -> list[str]:
    """What to do next, after the table: fix an import, read a hint, or move on.

    ``done`` is every step's state after this run (this run's complete steps included): true
    for a done step; ``StepState.CHANGED`` for one whose file changed after it passed.
    """
    broken = next((result for result in board.ran() if result.import_error), None)
    if broken is not None:
        return [f"Next: fix {broken.import_error}", "  (the step's tests cannot run until then)"]
    result = board.next_step()
    if result is not None:
        return _advice_for(result, hint_level)
    finished = [result.step.number for result in board.ran()]
    remaining = [number for number in STEPS if not done.get(number)]
    if not remaining:
        return [
            "Every step passes: the course's four steps are done.",
            "Next: train a model with your own code and try it:",
            "  ner-course train --impl exercises --output runs/mine",
            "  python -m demo --model runs/mine/model --impl exercises",
            "Then run the lab's experiments: exercises/LAB.md",
        ]
    names = ", ".join(str(number) for number in finished)
    upcoming = STEPS[remaining[0]]
    changed = done.get(upcoming.number) is StepState.CHANGED
    why = f" ({StepState.CHANGED.value}: its file changed after it passed)" if changed else ""
    return [
        f"Step {names} done. Next: step {upcoming.number}, {upcoming.title}{why}:",
        f"  pytest --step=current      (or: ner-course check {upcoming.number})",
    ]


def _advice_for(result: StepResult, hint_level: int) -> list[str]:
    number = result.step.number
    if result.count("passed") == len(result.outcomes) and not result.complete:
        return [
            f"Step {number}: every test that ran passes, but the run was partial.",
            f"  Run the whole step to mark it done: pytest --step={number}",
        ]
    hint = first_hint(result)
    relative = f"exercises/hints/step{number}.md"
    if hint is None:
        return [f"Next: step {number} ({relative})"]
    lines = [f"Next: step {number}, exercise {hint.number} ({relative})"]
    lines += [f"  {line}" for line in hint.text(hint_level).splitlines()]
    if hint_level < len(hint.levels):
        lines.append(
            f"  More help: ner-course hint {hint.number}   "
            f"(or: pytest --step={number} --hint={hint_level + 1})"
        )
    return lines
