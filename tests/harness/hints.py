"""Hints: one Markdown file per step, one ``## N.M title`` section per exercise.

A test named ``test_2_3_...`` belongs to exercise 2.3 and its hint is section ``## 2.3``.

>>> hint_number("test_2_3_labels_only_the_first_subword[case]")
'2.3'
"""

from __future__ import annotations

import re
from pathlib import Path

_TEST_NAME = re.compile(r"^test_(\d+)_(\d+)_")
_SECTION = re.compile(r"^## (\d+\.\d+)\b(.*)$")


def hint_number(test_name: str) -> str | None:
    """The exercise number encoded in a test's name, or None."""
    match = _TEST_NAME.match(test_name)
    return f"{match[1]}.{match[2]}" if match else None


def read_hints(path: Path) -> dict[str, str]:
    """Map each ``## N.M`` section of a hint file to its text (heading included)."""
    if not path.is_file():
        return {}
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        heading = _SECTION.match(line)
        if heading:
            current = sections.setdefault(heading[1], [])
        if current is not None:
            current.append(line)
    return {number: "\n".join(lines).strip() for number, lines in sections.items()}
