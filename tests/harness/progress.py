"""Collects per-step results during a run and renders them as a table, JSON or Markdown.

>>> board = ProgressBoard("solutions")
>>> board.record(STEPS[1], "test_1_1_reads[x]", "passed")
>>> board.summary()["passed"]
1
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .hints import hint_number, read_hints
from .steps import Step

DONE, TODO = "✓", "✗"


@dataclass
class StepResult:
    """Outcomes of one step's tests, by test name."""

    step: Step
    outcomes: dict[str, str] = field(default_factory=dict)

    def count(self, outcome: str) -> int:
        return sum(1 for value in self.outcomes.values() if value == outcome)

    @property
    def graded(self) -> int:
        """Tests that ran (skipped ones do not count either way)."""
        return len(self.outcomes) - self.count("skipped")

    @property
    def done(self) -> bool:
        return self.graded > 0 and self.count("passed") == self.graded

    def first_failure(self) -> str | None:
        return next((name for name, out in self.outcomes.items() if out == "failed"), None)

    def as_dict(self) -> dict:
        return {
            "step": self.step.number,
            "title": self.step.title,
            "passed": self.count("passed"),
            "failed": self.count("failed"),
            "skipped": self.count("skipped"),
            "total": self.graded,
            "done": self.done,
            "tests": self.outcomes,
        }


class ProgressBoard:
    """Per-step scoreboard of one pytest run."""

    def __init__(self, implementation: str) -> None:
        self.implementation = implementation
        self.results: dict[int, StepResult] = {}

    def record(self, step: Step, test_name: str, outcome: str) -> None:
        """Record a test's outcome; a failure in any phase makes the test failed."""
        result = self.results.setdefault(step.number, StepResult(step))
        previous = result.outcomes.get(test_name)
        if previous != "failed":
            result.outcomes[test_name] = outcome

    def ordered(self) -> list[StepResult]:
        return [self.results[number] for number in sorted(self.results)]

    def next_step(self) -> StepResult | None:
        return next((result for result in self.ordered() if not result.done), None)

    def summary(self) -> dict:
        steps = [result.as_dict() for result in self.ordered()]
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

    def next_hint(self) -> tuple[str, str] | None:
        """(where, text) of the hint for the first failing test of the first unfinished step."""
        result = self.next_step()
        if result is None:
            return None
        hints = read_hints(result.step.hint_file)
        failing = result.first_failure()
        number = hint_number(failing) if failing else None
        if number not in hints:
            number = min(hints, default=None, key=lambda n: tuple(map(int, n.split("."))))
        if number is None:
            return None
        relative = result.step.hint_file.relative_to(result.step.hint_file.parents[2])
        return f"{relative}, hint {number}", hints[number]

    def table_lines(self) -> list[str]:
        lines = [f"NER course progress ({self.implementation}/)"]
        for result in self.ordered():
            mark = DONE if result.done else TODO
            score = f"{result.count('passed')}/{result.graded}"
            skipped = f"  ({result.count('skipped')} skipped)" if result.count("skipped") else ""
            lines.append(
                f"  {mark} Step {result.step.number}  {result.step.title:<34}{score:>7}{skipped}"
            )
        overall = self.summary()
        lines.append(
            f"  Overall: {overall['passed']}/{overall['total']} tests passed, "
            f"{overall['steps_done']}/{len(self.results)} steps done"
        )
        return lines

    def markdown(self) -> str:
        overall = self.summary()
        rows = [
            "| Step | Topic | Passed | Status |",
            "| --- | --- | --- | --- |",
        ]
        for step in overall["steps"]:
            status = "✅ done" if step["done"] else "❌ to do"
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
