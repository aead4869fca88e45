"""A student's failures, told briefly: a few different ones in full, the rest grouped by their
first line.

Ninety tests that fail because one stub is not written say one thing, not ninety:

>>> log = FailureLog(detailed=1)
>>> log.add(1, "test_1_1_a", "called: read_conll(...)\\ngot: 1\\nexpected: 2")
>>> for name in ("test_1_2_b", "test_1_3_c"):
...     log.add(1, name, "NotImplementedError: step 1: label_maps() is not written yet")
>>> print("\\n".join(log.lines()))
―― test_1_1_a ――
called: read_conll(...)
got: 1
expected: 2
<BLANKLINE>
2 more failing tests of step 1:
  2 × NotImplementedError: step 1: label_maps() is not written yet
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

MAX_TEXT_LINES = 60


@dataclass
class FailureLog:
    """Failed tests by step, in the order they ran."""

    detailed: int = 3
    failures: dict[int, list[tuple[str, str]]] = field(default_factory=dict)

    def add(self, step: int, name: str, text: str) -> None:
        self.failures.setdefault(step, []).append((name, text))

    def lines(self) -> list[str]:
        """The first failing step's first failures in full, then one line per message."""
        if not self.failures:
            return []
        first = min(self.failures)
        failures = self.failures[first]
        lines: list[str] = []
        shown: list[str] = []
        rest = []
        for name, text in failures:
            if len(shown) < self.detailed and text not in shown:
                shown.append(text)
                lines += [f"―― {name} ――", *_cut(text.rstrip().splitlines()), ""]
            else:
                rest.append(text)
        if rest:
            lines.append(f"{len(rest)} more failing tests of step {first}:")
            counts = Counter(_first_line(text) for text in rest)
            lines += [f"  {count} × {message}" for message, count in counts.items()]
        for step in sorted(self.failures):
            if step != first:
                count = len(self.failures[step])
                lines.append(f"step {step}: {count} failing tests (pytest --step={step})")
        return lines


def _first_line(text: str) -> str:
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line if len(line) <= 120 else line[:117] + "..."


def _cut(lines: list[str]) -> list[str]:
    if len(lines) <= MAX_TEXT_LINES:
        return lines
    return [*lines[:MAX_TEXT_LINES], f"... ({len(lines) - MAX_TEXT_LINES} more lines)"]
