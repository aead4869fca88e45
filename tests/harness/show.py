"""Failure messages in the exercism style: the call, what came back, what was expected.

A message shows the smallest part that differs: only the dict keys, fields or list items that
differ (each with its path, e.g. ``['PER']['end']``), the size of a difference between numbers,
and long values cut around what matters. NER data is shown as aligned columns, one token a row,
with the wrong rows marked:

>>> print(token_table(["Ana", "left"], got=["B-PER", "B-PER"], expected=["B-PER", "O"]))
word  got    expected
Ana   B-PER  B-PER
left  B-PER  O         <-- differs
"""

from __future__ import annotations

import dataclasses
import math
import pprint
from collections.abc import Callable, Mapping, Sequence
from itertools import zip_longest
from typing import Any

_MISSING = "(none)"
_ABSENT = object()
#: At most this many differences are listed; the rest are counted.
MAX_DIFFERENCES = 8
#: A value's text is cut to about this many characters.
MAX_REPR = 160


def call_text(function: str, *args: Any, **kwargs: Any) -> str:
    """Render a call the way a student would write it, e.g. ``iob1_to_iob2(['I-PER'])``."""
    parts = [short_repr(arg) for arg in args]
    parts += [f"{key}={short_repr(value)}" for key, value in kwargs.items()]
    return f"{function}({', '.join(parts)})"


def short_repr(value: Any, limit: int = MAX_REPR) -> str:
    """``repr(value)``, cut in the middle when longer than ``limit`` characters.

    >>> short_repr("x" * 500, limit=20)
    "'xxxxxx ... xxxxx'"
    """
    text = value if isinstance(value, _Text) else repr(value)
    if len(text) <= limit:
        return text
    keep = (limit - 5) // 2
    return f"{text[:keep]} ... {text[-keep + 1 :]}"


class _Text(str):
    """A string shown as it is, not quoted (for values already rendered)."""


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


def differences(
    got: Any, expected: Any, path: str = "", tolerance: float = 0.0
) -> list[tuple[str, Any, Any]]:
    """The places where ``got`` and ``expected`` differ, as ``(path, got, expected)``.

    Dicts are compared key by key, dataclasses field by field and lists item by item (when
    both have the same length), so a difference deep inside is reported at its own path.
    Numbers within ``tolerance`` of each other count as equal.

    >>> differences({"a": 1, "b": {"c": 2}}, {"a": 1, "b": {"c": 3}})
    [("['b']['c']", 2, 3)]
    """
    if _same(got, expected, tolerance):
        return []
    if dataclasses.is_dataclass(got) and dataclasses.is_dataclass(expected):
        got, expected = _fields(got), _fields(expected)
    if isinstance(got, Mapping) and isinstance(expected, Mapping):
        found = []
        for key in [*expected, *(key for key in got if key not in expected)]:
            found += differences(
                got.get(key, _ABSENT), expected.get(key, _ABSENT), f"{path}[{key!r}]", tolerance
            )
        return found or _kind_differs(path, got, expected)
    if _same_length_lists(got, expected):
        found = []
        for index, (left, right) in enumerate(zip(got, expected, strict=True)):
            found += differences(left, right, f"{path}[{index}]", tolerance)
        return found or _kind_differs(path, got, expected)
    return [(path, got, expected)]


def _kind_differs(path: str, got: Any, expected: Any) -> list[tuple[str, Any, Any]]:
    """Equal items in containers of different kinds (a tuple for a list) still differ."""
    return [(path, got, expected)] if type(got) is not type(expected) else []


def _same(got: Any, expected: Any, tolerance: float = 0.0) -> bool:
    if tolerance and _numbers(got, expected):
        return math.isfinite(got) and abs(got - expected) <= tolerance
    try:
        return bool(got == expected)
    except (TypeError, ValueError):  # e.g. numpy arrays or frames compared element-wise
        return False


def _same_length_lists(got: Any, expected: Any) -> bool:
    kinds = {type(got), type(expected)}
    return (
        _is_sequence(got)
        and _is_sequence(expected)
        and len(got) == len(expected)
        and (len(kinds) == 1 or kinds <= {list, tuple})
    )


def _fields(value: Any) -> dict[str, Any]:
    return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}


def _is_sequence(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def _describe_difference(got: Any, expected: Any) -> str:
    if got is _ABSENT:
        return f"missing, expected {short_repr(expected)}"
    if expected is _ABSENT:
        return f"{short_repr(got)} should not be there"
    gap = _gap(got, expected)
    return f"got {short_repr(got)}, expected {short_repr(expected)}" + (f"  ({gap})" if gap else "")


def _gap(got: Any, expected: Any) -> str:
    """How two different values differ: by how much (numbers) or in their type."""
    if _numbers(got, expected):
        if math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12):
            return "they differ only in the last digits: floating-point rounding"
        return f"off by {got - expected:+.6g}"
    if type(got) is not type(expected) and type(expected).__module__ == "builtins":
        return f"a {type(got).__name__}, expected a {type(expected).__name__}"
    return ""


def _numbers(*values: Any) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def assert_equal(
    call: str, got: Any, expected: Any, note: str = "", tolerance: float = 0.0
) -> None:
    """Fail with the call, the value that came back and the expected one.

    Values that differ in a few places (dicts, dataclasses, lists of the same length) are
    shown as the list of those places only; a value of the wrong type says so. Numbers within
    ``tolerance`` of the expected ones count as equal.
    """
    __tracebackhide__ = True
    found = differences(got, expected, tolerance=tolerance)
    if not found:
        return
    if len(found) == 1 and found[0][0] == "":
        gap = _gap(got, expected)
        raise AssertionError(
            _message(call, _pretty(got), _pretty(expected), f"{gap}\n{note}" if gap else note)
        )
    lines = [f"called:   {call}", f"differs in {len(found)} place(s):"]
    for path, left, right in found[:MAX_DIFFERENCES]:
        lines.append(f"  {path}: {_describe_difference(left, right)}")
    if len(found) > MAX_DIFFERENCES:
        lines.append(f"  ... and {len(found) - MAX_DIFFERENCES} more")
    raise AssertionError("\n".join(lines) + _note(note))


def assert_close(
    call: str, got: Any, expected: float, tolerance: float = 1e-6, note: str = ""
) -> None:
    """Fail unless ``got`` is a number within ``tolerance`` of ``expected``.

    Use it for computed scores: a rounding difference passes, a wrong formula shows by how
    much it is off.
    """
    __tracebackhide__ = True
    is_number = isinstance(got, (int, float)) and not isinstance(got, bool)
    if is_number and math.isfinite(got) and abs(got - expected) <= tolerance:
        return
    detail = f"off by {got - expected:+.6g}\n" if is_number and math.isfinite(got) else ""
    raise AssertionError(_message(call, short_repr(got), short_repr(expected), detail + note))


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
    if len(text) > 4 * MAX_REPR:
        return short_repr(_Text(text.replace("\n", " ")), 4 * MAX_REPR)
    return text if "\n" not in text else "\n    " + text.replace("\n", "\n    ")


def _message(call: str, got: str, expected: str, note: str) -> str:
    return f"called:   {call}\ngot:      {got}\nexpected: {expected}" + _note(note.rstrip("\n"))


def _note(note: str) -> str:
    return f"\n{note}" if note else ""


def assert_value_error(
    call: str, action: Callable[[], object], *fragments: str, note: str = ""
) -> None:
    """``action()`` must raise ``ValueError`` whose message mentions every fragment; ``note``
    (how to get it right) follows a failure.

    >>> assert_value_error("int('x')", lambda: int("x"), "invalid literal")
    """
    __tracebackhide__ = True
    try:
        got = action()
    except ValueError as error:
        message = str(error)
    else:
        raise AssertionError(
            f"called:   {call}\ngot:      {short_repr(got)}\n"
            "expected: a ValueError (nothing was raised)" + _note(note)
        )
    missing = [fragment for fragment in fragments if fragment not in message]
    if missing:
        raise AssertionError(
            f"called:   {call}\nraised:   ValueError({short_repr(message)})\n"
            f"expected: a message that mentions {missing}" + _note(note)
        )
