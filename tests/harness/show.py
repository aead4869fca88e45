"""Failure messages in the exercism style: the call, what came back, what was expected.

NER data is shown as aligned columns, one token a row, with the wrong rows marked:

>>> print(token_table(["Ana", "left"], got=["B-PER", "B-PER"], expected=["B-PER", "O"]))
word  got    expected
Ana   B-PER  B-PER
left  B-PER  O         <-- differs
"""

from __future__ import annotations

import pprint
from collections.abc import Callable, Sequence
from itertools import zip_longest
from typing import Any

_MISSING = "(none)"


def call_text(function: str, *args: Any, **kwargs: Any) -> str:
    """Render a call the way a student would write it, e.g. ``iob1_to_iob2(['I-PER'])``."""
    parts = [_short_repr(arg) for arg in args]
    parts += [f"{key}={_short_repr(value)}" for key, value in kwargs.items()]
    return f"{function}({', '.join(parts)})"


def _short_repr(value: Any, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 5] + " ...)"


def token_table(words: Sequence[Any], **columns: Sequence[Any]) -> str:
    """Align ``words`` with any label columns; rows where ``got`` != ``expected`` are marked."""
    names = ["word", *columns]
    rows = [
        [_MISSING if cell is None else str(cell) for cell in row]
        for row in zip_longest(words, *columns.values(), fillvalue=None)
    ]
    widths = [max(len(name), *(len(row[i]) for row in rows)) for i, name in enumerate(names)]
    lines = [
        "  ".join(name.ljust(width) for name, width in zip(names, widths, strict=True)).rstrip()
    ]
    got_index, expected_index = _column_index(names, "got"), _column_index(names, "expected")
    for row in rows:
        line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        if got_index and expected_index and row[got_index] != row[expected_index]:
            line += "  <-- differs"
        lines.append(line.rstrip())
    return "\n".join(lines)


def _column_index(names: list[str], name: str) -> int | None:
    return names.index(name) if name in names else None


def assert_equal(call: str, got: Any, expected: Any, note: str = "") -> None:
    """Fail with the call, the value that came back and the expected one."""
    __tracebackhide__ = True
    if got != expected:
        raise AssertionError(_message(call, _pretty(got), _pretty(expected), note))


def assert_tags(
    call: str, words: Sequence[Any], got: Sequence[Any], expected: Sequence[Any], note: str = ""
) -> None:
    """Fail with a word/got/expected table when two label sequences differ."""
    __tracebackhide__ = True
    if list(got) != list(expected):
        table = token_table(words, got=list(got), expected=list(expected))
        lengths = (
            f"\ngot {len(got)} labels for {len(words)} words, expected {len(expected)}"
            if len(got) != len(expected)
            else ""
        )
        raise AssertionError(f"{call} returned the wrong labels{lengths}\n{table}" + _note(note))


def _pretty(value: Any) -> str:
    text = pprint.pformat(value, width=88, sort_dicts=False)
    return text if "\n" not in text else "\n    " + text.replace("\n", "\n    ")


def _message(call: str, got: str, expected: str, note: str) -> str:
    return f"called:   {call}\ngot:      {got}\nexpected: {expected}" + _note(note)


def _note(note: str) -> str:
    return f"\n{note}" if note else ""


def assert_value_error(call: str, action: Callable[[], object], *fragments: str) -> None:
    """``action()`` must raise ``ValueError`` whose message mentions every fragment.

    >>> assert_value_error("int('x')", lambda: int("x"), "invalid literal")
    """
    __tracebackhide__ = True
    try:
        got = action()
    except ValueError as error:
        message = str(error)
    else:
        raise AssertionError(f"called:   {call}\ngot:      {got!r}\nexpected: ValueError")
    missing = [fragment for fragment in fragments if fragment not in message]
    if missing:
        raise AssertionError(
            f"called:   {call}\nraised:   ValueError({message!r})\n"
            f"expected: a message that mentions {missing}"
        )
