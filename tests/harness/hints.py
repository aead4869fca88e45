"""Hints: one Markdown file per step, one ``## N.M title`` section per exercise, three levels.

A test named ``test_2_3_...`` belongs to exercise 2.3 and its hint is section ``## 2.3``.
Each section holds graded levels: the idea first, the plan next, the code-level detail last.
The first level is a heading, ``### 1 · Nudge``, and shows when the file is opened; the
others wait folded in ``<details>`` blocks (GitHub renders them closed), one a level::

    <details>
    <summary>2 · Approach</summary>

    ...

    </details>

``ner-course hint`` shows them one level at a time.

>>> hint_number("test_2_3_labels_only_the_first_subword[case]")
'2.3'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_TEST_NAME = re.compile(r"^test_(\d+)_(\d+)_")
_SECTION = re.compile(r"^## (\d+\.\d+)\b\s*(.*)$")
_LEVEL = re.compile(r"^### (\d)\b")
_LEVEL_NAME = re.compile(r"^### \d\b\W*(.*)$")
_SUMMARY = re.compile(r"^\s*(?:<details>\s*)?<summary>\s*(.*?)\s*</summary>\s*$")
_DETAILS = re.compile(r"^\s*</?details>\s*$")


@dataclass
class Hint:
    """The hint of one exercise: its number, title and levels (level 1 first), and for each
    level whether the file shows it folded in a ``<details>`` block."""

    number: str
    title: str
    levels: list[str] = field(default_factory=list)
    folded: list[bool] = field(default_factory=list)

    def text(self, level: int = 1) -> str:
        """The heading and the text of ``level`` (clamped to the levels there are).

        >>> print(Hint("1.1", "Read", ["### 1 · Nudge\\n\\nlook", "### 2 · Plan\\nplan"]).text(5))
        ## 1.1 Read · hint 2 of 2, Plan
        plan
        """
        if not self.levels:
            return f"## {self.number} {self.title}"
        chosen = max(1, min(level, len(self.levels)))
        first, _, body = self.levels[chosen - 1].partition("\n")
        name = _LEVEL_NAME.match(first)
        if name is None:
            first, body = "", self.levels[chosen - 1]
        label = f", {name[1]}" if name and name[1] else ""
        heading = f"## {self.number} {self.title} · hint {chosen} of {len(self.levels)}{label}"
        return f"{heading}\n{body.strip()}"


def hint_number(test_name: str) -> str | None:
    """The exercise number encoded in a test's name, or None."""
    match = _TEST_NAME.match(test_name)
    return f"{match[1]}.{match[2]}" if match else None


def hint_order(number: str) -> tuple[int, ...]:
    """Sort key for exercise numbers: ``"1.10"`` after ``"1.9"``."""
    return tuple(int(part) for part in number.split("."))


def read_hints(path: Path) -> dict[str, Hint]:
    """Map each ``## N.M`` section of a hint file to its ``Hint``; ``{}`` without the file."""
    if not path.is_file():
        return {}
    return parse_hints(path.read_text(encoding="utf-8"))


def parse_hints(text: str) -> dict[str, Hint]:
    """Map each ``## N.M`` section of a hint file's text to its ``Hint``.

    A level starts at a ``### L`` heading or at a ``<summary>L · Name</summary>`` line (its
    ``<details>`` block is the level, folded); the ``<details>`` lines are not part of the
    text. Text of a section before its first level counts as level 1.

    >>> hint = parse_hints("## 9.1 Read\\n### 1 · Nudge\\nlook\\n<details>\\n"
    ...                    "<summary>2 · Approach</summary>\\n\\nplan\\n\\n</details>\\n")["9.1"]
    >>> hint.text(2), hint.folded
    ('## 9.1 Read · hint 2 of 2, Approach\\nplan', [False, True])
    """
    hints: dict[str, Hint] = {}
    current: Hint | None = None
    lines: list[str] = []
    folded = False

    def close_level() -> None:
        body = "\n".join(lines).strip()
        if current is not None and body:
            current.levels.append(body)
            current.folded.append(folded)
        lines.clear()

    for line in text.splitlines():
        section = _SECTION.match(line)
        if section:
            close_level()
            current = hints.setdefault(section[1], Hint(section[1], section[2].strip()))
            folded = False
            continue
        if current is None:
            continue
        summary = _SUMMARY.match(line)
        if summary:
            close_level()
            lines.append(f"### {summary[1]}")
            folded = True
            continue
        if _DETAILS.match(line):
            continue
        if _LEVEL.match(line):
            close_level()
            folded = False
        lines.append(line)
    close_level()
    return hints
