"""Failure messages in the exercism style: the call, what came back, what was expected.

A message shows the smallest part that differs: only the dict keys, fields or list items that
differ (each with its path, e.g. ``['PER']['end']``), the size of a difference between numbers,
and long values cut around what matters. NER data is shown as aligned columns, one token a row,
with the wrong rows marked:

>>> print(token_table(["Ana", "left"], got=["B-PER", "B-PER"], expected=["B-PER", "O"]))
word  got    expected
Ana   B-PER  B-PER
left  B-PER  O         <-- differs

Comparisons are type-exact: a value only equals the expected one when it has exactly the
expected type, all the way down (list items, dict keys and values, tuple items, dataclass
fields, the dtype of NumPy arrays and pandas columns). A subclass never passes, whatever its
``__eq__`` says, and ``expected == got`` is only evaluated once both have the same built-in
type, so no method of the value under test runs before its type is known. Values are shown
the same way: built-in values with ``repr``, anything else by the name of its class.

>>> differences(True, 1)
[('', True, 1)]

A raised error counts by its real class, and its message is read without running the error's
own code (``error_message``); a message must be plain, short (``MAX_MESSAGE``) and name what
is wrong: ``assert_value_error`` can also check that the wrong candidates are absent.
"""

from __future__ import annotations

import builtins
import dataclasses
import functools
import math
import pprint
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from itertools import zip_longest
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

_MISSING = "(none)"
_ABSENT = object()
#: At most this many differences are listed; the rest are counted.
MAX_DIFFERENCES = 8
#: A value's text is cut to about this many characters.
MAX_REPR = 160
#: An error message may be at most this long. The reference's longest messages are about 220
#: characters, a file path included: a longer one lists far more than what is wrong.
MAX_MESSAGE = 600
#: Containers are shown with at most this many items (the first and the last ones).
_SHOWN_ITEMS = 60
#: Values nested deeper than this are compared and shown as a whole.
_MAX_DEPTH = 64

_SCALARS = (type(None), bool, int, float, complex, str, bytes)
_CONTAINERS = (list, tuple, dict, set, frozenset)
#: What to call to turn a NumPy scalar of this kind (``dtype.kind``) into the built-in one.
_CONVERSIONS = {"f": "float", "i": "int", "u": "int", "b": "bool", "U": "str", "c": "complex"}
_ARGS = BaseException.__dict__["args"]  # the real args, whatever a subclass defines
_MRO = type.__dict__["__mro__"]
_TYPE_DICT = type.__dict__["__dict__"]
_TYPE_NAME = type.__dict__["__name__"]
_TYPE_MODULE = type.__dict__["__module__"]
_BUILTIN_ERRORS = {
    value
    for value in vars(builtins).values()
    if isinstance(value, type) and issubclass(value, BaseException)
}
#: The built-in ``__str__`` of errors; each formats fields that ``_fields_of`` names.
_BUILTIN_STR = {
    id(cls.__dict__["__str__"]): cls for cls in _BUILTIN_ERRORS if "__str__" in cls.__dict__
}
_UNICODE_FIELDS = ("encoding", "object", "start", "end", "reason")
_PATHS = {type(Path()), PurePosixPath, PureWindowsPath}


# Names and texts ---------------------------------------------------------------------------


def type_name(kind: type) -> str:
    """``float``, ``numpy.float64``, ``pandas.DataFrame`` or a class's own name."""
    name, module = _TYPE_NAME.__get__(kind), _TYPE_MODULE.__get__(kind)
    if type(module) is not str or module == "builtins":
        return name
    top = module.partition(".")[0]
    return f"{top}.{name}" if top in ("numpy", "pandas") else name


def _article(name: str) -> str:
    return f"an {name}" if name[:1].lower() in "aeio" else f"a {name}"


def _two_names(got: type, expected: type) -> tuple[str, str]:
    """Names for two different types, qualified by their module when the names alone agree."""
    left, right = type_name(got), type_name(expected)
    if left == right:
        left = f"{_TYPE_MODULE.__get__(got)}.{left}"
        right = f"{_TYPE_MODULE.__get__(expected)}.{right}"
    return left, right


def call_text(function: str, *args: Any, **kwargs: Any) -> str:
    """Render a call the way a student would write it, e.g. ``iob1_to_iob2(['I-PER'])``."""
    parts = [short_repr(arg) for arg in args]
    parts += [f"{key}={short_repr(value)}" for key, value in kwargs.items()]
    return f"{function}({', '.join(parts)})"


def short_repr(value: Any, limit: int = MAX_REPR) -> str:
    """``repr(value)``, cut in the middle when longer than ``limit`` characters.

    Only built-in values (and NumPy, pandas and dataclass values made of them) are shown with
    their ``repr``; any other object by its class's name, so showing a value runs none of its
    code.

    >>> short_repr("x" * 500, limit=20)
    "'xxxxxx ... xxxxx'"
    >>> short_repr(type("Sneaky", (float,), {})(0.5))
    'Sneaky(0.5)'
    """
    text = value if type(value) is _Text else render(value)
    return _cut(text, limit)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    keep = (limit - 5) // 2
    return f"{text[:keep]} ... {text[-keep + 1 :]}"


class _Text(str):
    """A string shown as it is, not quoted (for values already rendered)."""


def render(value: Any) -> str:
    """The text of ``value`` for a message, written without calling any of its methods.

    >>> render({"PER": [1, 2.5, None]})
    "{'PER': [1, 2.5, None]}"
    >>> render(type("Sneaky", (list,), {})([1]))
    'Sneaky([1])'
    """
    return _render(value, 0, set())


def _render(value: Any, depth: int, seen: set[int]) -> str:
    kind = type(value)
    if kind in _SCALARS:
        if kind is int and value.bit_length() > 10_000:
            return f"<an int of {value.bit_length()} bits>"
        return repr(value)
    if depth > _MAX_DEPTH or id(value) in seen:
        return "..."
    seen = seen | {id(value)}
    if kind in _CONTAINERS:
        return _render_container(value, kind, depth, seen)
    if kind in _PATHS:
        return repr(value)
    if kind is type:
        return f"<class {type_name(value)!r}>"
    module = _TYPE_MODULE.__get__(kind)
    if type(module) is str and module.partition(".")[0] in ("numpy", "pandas"):
        shown = _render_library(value, kind, depth, seen)
        if shown is not None:
            return shown
    for base in (*_SCALARS, *_CONTAINERS):
        if issubclass(kind, base):  # a subclass: shown through the built-in's own methods
            return f"{type_name(kind)}({_render_as_base(value, base, depth, seen)})"
    if dataclasses.is_dataclass(kind):
        fields = _instance_fields(value, kind)
        if fields is not None:
            inner = ", ".join(f"{k}={_render(v, depth + 1, seen)}" for k, v in fields.items())
            return f"{type_name(kind)}({inner})"
    return f"<{type_name(kind)} object>"


def _render_as_base(value: Any, base: type, depth: int, seen: set[int]) -> str:
    """A subclass's value as the built-in's own methods see it (none of the subclass's run)."""
    if base is int and int.bit_length(value) > 10_000:
        return f"<an int of {int.bit_length(value)} bits>"
    if base in _SCALARS:
        return base.__repr__(value)
    if base is dict:
        items = {key: dict.__getitem__(value, key) for key in dict.__iter__(value)}
    else:
        items = base(base.__iter__(value))
    return _render(items, depth + 1, seen)


def _render_container(value: Any, kind: type, depth: int, seen: set[int]) -> str:
    def items(values: Iterable[Any], size: int, show: Callable[[Any], str]) -> list[str]:
        if size <= _SHOWN_ITEMS:
            return [show(item) for item in values]
        values = list(values)
        head, tail = values[: _SHOWN_ITEMS - 10], values[-10:]
        hidden = size - len(head) - len(tail)
        return [*map(show, head), f"... {hidden} more ...", *map(show, tail)]

    def one(item: Any) -> str:
        return _render(item, depth + 1, seen)

    if kind is dict:
        parts = items(value.items(), len(value), lambda kv: f"{one(kv[0])}: {one(kv[1])}")
        return "{" + ", ".join(parts) + "}"
    parts = items(value, len(value), one)
    if kind is list:
        return "[" + ", ".join(parts) + "]"
    if kind is tuple:
        return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
    if not parts:
        return f"{kind.__name__}()"
    text = "{" + ", ".join(parts) + "}"
    return text if kind is set else f"frozenset({text})"


def _render_library(value: Any, kind: type, depth: int, seen: set[int]) -> str | None:
    """NumPy scalars and arrays and pandas frames of a library's exact class, else None."""
    import numpy as np

    if kind in _numpy_scalars():
        return repr(value)
    if kind is np.ndarray:
        if value.dtype.kind in "biufcUSmM":
            return _cut(repr(value).replace("\n", " "), 4 * MAX_REPR)
        return f"array({_render(value.tolist(), depth, seen)}, dtype={value.dtype})"
    import pandas as pd

    if kind is pd.DataFrame:
        columns = _render(list(value.columns), depth, seen)
        return f"<pandas.DataFrame of {len(value)} rows, columns {columns}>"
    if kind is pd.Series:
        values = _render(value.tolist(), depth, seen)
        return (
            f"<pandas.Series {_render(value.name, depth, seen)} of dtype {value.dtype}: {values}>"
        )
    if kind in (pd.Index, pd.RangeIndex):
        return f"{type_name(kind)}({_render(value.tolist(), depth, seen)})"
    return None


@functools.cache
def _numpy_scalars() -> frozenset[type]:
    import numpy as np

    return frozenset(kind for kind in np.sctypeDict.values() if issubclass(kind, np.generic))


def _instance_fields(value: Any, kind: type) -> dict[str, Any] | None:
    """A dataclass instance's fields as stored on it (no property or ``__getattr__`` runs)."""
    slots = (_TYPE_DICT.__get__(k).get("__dict__") for k in _MRO.__get__(kind))
    slot = next((found for found in slots if found is not None), None)
    if slot is None or type(slot).__name__ != "getset_descriptor":
        return None
    stored = slot.__get__(value)
    if type(stored) is not dict:
        return None
    names = [field.name for field in dataclasses.fields(kind)]
    return {name: stored[name] for name in names if name in stored}


# Type-exact comparison ---------------------------------------------------------------------


def is_plain(value: Any) -> bool:
    """Whether ``value`` holds only built-in values of their exact types (no subclass)."""
    return _first_not_plain(value, "", 0) is None


def _first_not_plain(value: Any, path: str, depth: int) -> tuple[str, Any] | None:
    """The path and value of the first item that is not a plain built-in value, if any."""
    kind = type(value)
    if kind in _SCALARS:
        return None
    if kind not in _CONTAINERS or depth > _MAX_DEPTH:
        return (path, value)
    if kind is dict:
        for key, item in value.items():
            found = _first_not_plain(key, f"{path} key {render(key)}", depth + 1)
            found = found or _first_not_plain(item, f"{path}[{render(key)}]", depth + 1)
            if found:
                return found
        return None
    if kind in (set, frozenset):
        return next(
            filter(None, (_first_not_plain(i, f"{path} item", depth + 1) for i in value)), None
        )
    for index, item in enumerate(value):
        found = _first_not_plain(item, f"{path}[{index}]", depth + 1)
        if found:
            return found
    return None


def _plain_number(value: Any) -> bool:
    return type(value) in (int, float)


def _within(got: Any, expected: Any, tolerance: float) -> bool:
    return math.isfinite(got) and abs(got - expected) <= tolerance


def same(got: Any, expected: Any, tolerance: float = 0.0) -> bool:
    """Whether ``got`` equals ``expected`` with exactly its types (see ``differences``)."""
    return not differences(got, expected, tolerance=tolerance)


def differences(
    got: Any, expected: Any, path: str = "", tolerance: float = 0.0
) -> list[tuple[str, Any, Any]]:
    """The places where ``got`` and ``expected`` differ, as ``(path, got, expected)``.

    Dicts are compared key by key, dataclasses field by field and lists item by item (when
    both have the same length), so a difference deep inside is reported at its own path. Each
    value must have exactly the expected type: a ``numpy.float64`` for a ``float``, a ``str``
    subclass for a ``str`` or a ``tuple`` for a ``list`` differ, whatever their ``==`` says.
    With a ``tolerance``, plain ``int`` and ``float`` numbers within it of each other count as
    equal (NumPy numbers still differ).

    >>> differences({"a": 1, "b": {"c": 2}}, {"a": 1, "b": {"c": 3}})
    [("['b']['c']", 2, 3)]
    """
    return _differences(got, expected, path, tolerance, 0)


def _differences(
    got: Any, expected: Any, path: str, tolerance: float, depth: int
) -> list[tuple[str, Any, Any]]:
    kind = type(expected)
    if tolerance and _plain_number(got) and _plain_number(expected):
        return [] if _within(got, expected, tolerance) else [(path, got, expected)]
    if type(got) is not kind:
        return [(path, got, expected)]
    if depth > _MAX_DEPTH:
        return [] if got is expected else [(path, got, expected)]
    compare = _COMPARISONS.get(kind)
    if compare is None:
        compare = _library_comparison(kind) or _dataclass_comparison(kind) or _compare_equal
    return compare(got, expected, path, tolerance, depth)


def _compare_equal(got: Any, expected: Any, path: str, tolerance: float, depth: int) -> list:
    """Two values of the same exact type: the type's own ``==`` (expected's, on the left)."""
    try:
        equal = expected == got
    except (TypeError, ValueError):
        return [(path, got, expected)]
    if type(equal) is not bool and type(equal) in _numpy_scalars_if_loaded():
        equal = bool(equal)  # NumPy scalars compare to a numpy.bool
    return [] if type(equal) is bool and equal else [(path, got, expected)]


def _compare_sequences(got: Any, expected: Any, path: str, tolerance: float, depth: int) -> list:
    if len(got) != len(expected):
        return [(path, got, expected)]
    found = []
    for index, (left, right) in enumerate(zip(got, expected, strict=True)):
        found += _differences(left, right, f"{path}[{index}]", tolerance, depth + 1)
    return found


def _compare_dicts(got: dict, expected: dict, path: str, tolerance: float, depth: int) -> list:
    odd = [key for key in got if _first_not_plain(key, "", 0)]
    if odd:
        return [(f"{path} key {short_repr(key)}", key, _PlainKey) for key in odd]
    stored = {key: key for key in got}  # got's own key objects, to compare their types
    found = []
    for key in [*expected, *(key for key in got if key not in expected)]:
        place = f"{path}[{short_repr(key)}]"
        if key in expected and key in stored and type(stored[key]) is not type(key):
            found.append((f"{place} (the key)", stored[key], key))
            continue
        found += _differences(
            got.get(key, _ABSENT), expected.get(key, _ABSENT), place, tolerance, depth + 1
        )
    return found


def _compare_sets(got: Any, expected: Any, path: str, tolerance: float, depth: int) -> list:
    if _first_not_plain(got, "", 0):
        return [(path, got, expected)]
    typed = {(type(item), item) for item in got}
    return [] if typed == {(type(item), item) for item in expected} else [(path, got, expected)]


class _PlainKey:
    """Stands for "a plain built-in key" in a difference about a dict key."""


_COMPARISONS: dict[type, Callable[..., list]] = {
    **dict.fromkeys(_SCALARS, _compare_equal),
    list: _compare_sequences,
    tuple: _compare_sequences,
    dict: _compare_dicts,
    set: _compare_sets,
    frozenset: _compare_sets,
}


def _dataclass_comparison(kind: type) -> Callable[..., list] | None:
    if not dataclasses.is_dataclass(kind):
        return None

    def compare(got: Any, expected: Any, path: str, tolerance: float, depth: int) -> list:
        found = []
        for field in dataclasses.fields(kind):
            found += _differences(
                getattr(got, field.name, _ABSENT),
                getattr(expected, field.name, _ABSENT),
                f"{path}.{field.name}",
                tolerance,
                depth + 1,
            )
        return found

    return compare


def _library_comparison(kind: type) -> Callable[..., list] | None:
    """NumPy arrays and scalars, pandas frames, series and indexes of the exact class."""
    module = _TYPE_MODULE.__get__(kind)
    if type(module) is not str or module.partition(".")[0] not in ("numpy", "pandas"):
        return None
    import numpy as np
    import pandas as pd

    if kind is np.ndarray:
        return _compare_arrays
    if kind is pd.DataFrame:
        return _compare_frames
    if kind is pd.Series:
        return _compare_series
    if kind in (pd.Index, pd.RangeIndex):
        return lambda got, expected, path, tolerance, depth: _differences(
            _labels(got), _labels(expected), path, tolerance, depth + 1
        )
    if kind in _numpy_scalars():
        return _compare_equal
    return None


def _compare_arrays(got: Any, expected: Any, path: str, tolerance: float, depth: int) -> list:
    import numpy as np

    if got.dtype != expected.dtype:
        return [(f"{path}.dtype", _Text(str(got.dtype)), _Text(str(expected.dtype)))]
    if got.shape != expected.shape:
        return [(f"{path}.shape", got.shape, expected.shape)]
    if got.dtype.kind not in "biufc":  # objects, strings, dates: item by item
        return _differences(got.tolist(), expected.tolist(), path, tolerance, depth + 1)
    if tolerance and got.dtype.kind in "fc":
        equal = np.allclose(got, expected, rtol=0.0, atol=tolerance, equal_nan=True)
    else:
        equal = np.array_equal(got, expected, equal_nan=got.dtype.kind in "fc")
    return [] if equal else [(path, got, expected)]


def _labels(index: Any) -> Any:
    """The labels of a pandas index as a list (any index class of pandas' own)."""
    module = _TYPE_MODULE.__get__(type(index))
    ours = type(module) is str and module.partition(".")[0] == "pandas"
    return index.tolist() if ours else index


def _compare_series(got: Any, expected: Any, path: str, tolerance: float, depth: int) -> list:
    found = _differences(got.name, expected.name, f"{path}.name", 0.0, depth + 1)
    found += _differences(
        _labels(got.index), _labels(expected.index), f"{path}.index", 0.0, depth + 1
    )
    if str(got.dtype) != str(expected.dtype):
        return [*found, (f"{path}.dtype", _Text(str(got.dtype)), _Text(str(expected.dtype)))]
    if len(got) != len(expected):
        return [*found, (path, got, expected)]
    return found + _differences(
        got.to_numpy(), expected.to_numpy(), f"{path}.values", tolerance, depth + 1
    )


def _compare_frames(got: Any, expected: Any, path: str, tolerance: float, depth: int) -> list:
    columns = _differences(
        list(got.columns), list(expected.columns), f"{path}.columns", 0.0, depth + 1
    )
    if columns:
        return columns
    found = _differences(
        _labels(got.index), _labels(expected.index), f"{path}.index", 0.0, depth + 1
    )
    for position, name in enumerate(expected.columns):
        found += _differences(
            got.iloc[:, position],
            expected.iloc[:, position],
            f"{path}[{short_repr(name)}]",
            tolerance,
            depth + 1,
        )
    return found


# Describing a difference -------------------------------------------------------------------


def _describe_difference(got: Any, expected: Any) -> str:
    if got is _ABSENT:
        return f"missing, expected {short_repr(expected)}"
    if expected is _ABSENT:
        return f"{short_repr(got)} should not be there"
    if expected is _PlainKey:
        return f"a key of type {type_name(type(got))}: keys must be plain str, int or tuples"
    gap = _gap(got, expected)
    return f"got {short_repr(got)}, expected {short_repr(expected)}" + (f"  ({gap})" if gap else "")


def _gap(got: Any, expected: Any) -> str:
    """How two different values differ: by how much (numbers) or in their type."""
    if type(got) is not type(expected):
        return type_note(got, expected)
    if _plain_number(got) and _plain_number(expected) and math.isfinite(got):
        if math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12):
            return "they differ only in the last digits: floating-point rounding"
        return f"off by {got - expected:+.6g}"
    return ""


def type_note(got: Any, expected: Any) -> str:
    """``got a numpy.float64, expected a float: convert it with float(...)``, or ``""``."""
    if type(got) is type(expected):
        return ""
    left, right = _two_names(type(got), type(expected))
    note = f"got {_article(left)}, expected {_article(right)}"
    convert = _conversion(got, expected)
    return f"{note}: convert it with {convert}(...)" if convert else note


def _conversion(got: Any, expected: Any) -> str | None:
    """The built-in to call to get ``expected``'s type from ``got``'s, if there is one."""
    wanted = type(expected)
    if wanted not in (int, float, bool, str, list, tuple, dict):
        return None
    name = _TYPE_NAME.__get__(wanted)
    if type(got) in _numpy_scalars_if_loaded():
        return name if _numpy_conversion(got) == name else None
    if wanted is float and type(got) is int:
        return "float"
    if wanted in (list, tuple) and type(got) in (list, tuple):
        return name
    return None


def _numpy_conversion(value: Any) -> str | None:
    """``float`` for a NumPy float, ``int`` for a NumPy integer...; None for anything else."""
    if type(value) not in _numpy_scalars_if_loaded():
        return None
    return _CONVERSIONS.get(value.dtype.kind)


def _numpy_scalars_if_loaded() -> frozenset[type]:
    return _numpy_scalars() if "numpy" in sys.modules else frozenset()


# Assertions --------------------------------------------------------------------------------


def assert_equal(
    call: str, got: Any, expected: Any, note: str = "", tolerance: float = 0.0
) -> None:
    """Fail with the call, the value that came back and the expected one.

    Values that differ in a few places (dicts, dataclasses, lists of the same length) are
    shown as the list of those places only; a value of the wrong type says so (even when it
    claims to be equal). Plain numbers within ``tolerance`` of the expected ones count as
    equal.
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
    """Fail unless ``got`` is a plain ``float`` (or ``int``) within ``tolerance`` of
    ``expected``.

    Use it for computed scores: a rounding difference passes, a wrong formula shows by how
    much it is off, and a NumPy number says how to convert it.
    """
    __tracebackhide__ = True
    is_number = _plain_number(got)
    if is_number and _within(got, expected, tolerance):
        return
    if is_number and math.isfinite(got):
        detail = f"off by {got - expected:+.6g}\n"
    elif not is_number:
        detail = type_note(got, float(expected)) + "\n"
    else:
        detail = ""
    raise AssertionError(_message(call, short_repr(got), short_repr(expected), detail + note))


def assert_type(call: str, got: Any, expected: type, note: str = "") -> None:
    """Fail unless ``got`` is exactly of class ``expected`` (a subclass fails too)."""
    __tracebackhide__ = True
    if type(got) is not expected:
        left, right = _two_names(type(got), expected)
        raise AssertionError(
            _message(call, f"{short_repr(got)}, {_article(left)}", _article(right), note)
        )


def assert_plain(call: str, got: Any, note: str = "") -> None:
    """Fail unless ``got`` holds only plain built-in values of their exact types: lists,
    tuples, dicts, sets, str, int, float, bool and None (no NumPy number, no subclass)."""
    __tracebackhide__ = True
    found = _first_not_plain(got, "", 0)
    if found is None:
        return
    path, value = found
    convert = _numpy_conversion(value)
    how = f": convert it with {convert}(...)" if convert else ""
    where = f"its item {path.strip()}" if path else "it"
    raise AssertionError(
        f"called:   {call}\ngot:      {short_repr(got)}\n"
        "expected: plain Python values (list, tuple, dict, set, str, int, float, bool, None)\n"
        f"{where} is {_article(type_name(type(value)))}{how}" + _note(note)
    )


def assert_tags(
    call: str, words: Sequence[Any], got: Any, expected: Sequence[Any], note: str = ""
) -> None:
    """Fail with a word/got/expected table when two label sequences differ (type-exact:
    a tuple for a list, or a ``numpy.str_`` for a ``str``, differs)."""
    __tracebackhide__ = True
    found = differences(got, expected)
    if not found:
        return
    if type(got) not in (list, tuple):
        raise AssertionError(
            _message(
                call, short_repr(got), short_repr(expected), _join(type_note(got, expected), note)
            )
        )
    table = token_table(words, got=list(got), expected=list(expected))
    lengths = (
        f"\ngot {len(got)} labels for {len(words)} words, expected {len(expected)}"
        if len(got) != len(expected)
        else ""
    )
    kinds = type_note(got, expected) or next(
        (
            f"{path}: {type_note(left, right)}"
            for path, left, right in found
            if type(left) is not type(right) and left is not _ABSENT and right is not _ABSENT
        ),
        "",
    )
    kinds = f"\n{kinds}" if kinds else ""
    raise AssertionError(f"{call} returned the wrong labels{lengths}{kinds}\n{table}" + _note(note))


def _join(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def token_table(words: Sequence[Any], **columns: Sequence[Any]) -> str:
    """Align ``words`` with any label columns; rows where ``got`` != ``expected`` are marked."""
    names = ["word", *columns]
    rows = [
        [_cell(cell) for cell in row]
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


def _cell(value: Any) -> str:
    """A table cell: a str as it is, ``(none)`` for None, anything else as ``render`` shows it."""
    if value is None:
        return _MISSING
    if type(value) in (str, _Text):
        return str.__str__(value)
    if type(value) is int:
        return repr(value)
    return short_repr(value, 40)


def _column_index(names: list[str], name: str) -> int | None:
    return names.index(name) if name in names else None


def _pretty(value: Any) -> str:
    text = render(value)
    if len(text) > 4 * MAX_REPR:
        return _cut(text.replace("\n", " "), 4 * MAX_REPR)
    if is_plain(value):
        text = pprint.pformat(value, width=88, sort_dicts=False)
    return text if "\n" not in text else "\n    " + text.replace("\n", "\n    ")


def _message(call: str, got: str, expected: str, note: str) -> str:
    return f"called:   {call}\ngot:      {got}\nexpected: {expected}" + _note(note.rstrip("\n"))


def _note(note: str) -> str:
    return f"\n{note}" if note else ""


# Raised errors -----------------------------------------------------------------------------


def error_message(error: BaseException) -> tuple[str | None, str]:
    """``(message, "")`` for an error whose message can be read without running its own
    code, else ``(None, why)``.

    The message is read only through a built-in ``__str__``, and only when the arguments it
    formats are plain built-in values: an error class that overrides ``__str__``, or a
    message that is a ``str`` subclass, cannot say what it is.

    >>> error_message(ValueError("line 3: bad tag 'X'"))
    ("line 3: bad tag 'X'", '')
    """
    kind = type(error)
    method = next(
        _TYPE_DICT.__get__(k)["__str__"]
        for k in _MRO.__get__(kind)
        if "__str__" in _TYPE_DICT.__get__(k)
    )
    owner = _BUILTIN_STR.get(id(method))
    if owner is None or _TYPE_DICT.__get__(owner)["__str__"] is not method:
        return None, f"its class {type_name(kind)} overrides __str__"
    args = _ARGS.__get__(error)
    odd = next((arg for arg in args if type(arg) not in _SCALARS), _ABSENT)
    if odd is not _ABSENT:
        return None, f"its message is {_article(type_name(type(odd)))}, not a str"
    if owner is not BaseException:
        if kind is not owner:
            return None, f"its class {type_name(kind)} is a subclass of {type_name(owner)}"
        if any(type(getattr(error, name, None)) not in _SCALARS for name in _fields_of(owner)):
            return None, f"the fields of its {type_name(kind)} are not plain values"
    text = str(error)
    if type(text) is not str:
        return None, f"its message is {_article(type_name(type(text)))}, not a str"
    return text, ""


def _fields_of(kind: type) -> tuple[str, ...]:
    if issubclass(kind, UnicodeError):
        return _UNICODE_FIELDS
    if issubclass(kind, OSError):
        return ("errno", "strerror", "filename", "filename2")
    if issubclass(kind, SyntaxError):
        return ("msg", "filename", "lineno", "offset", "text", "end_lineno", "end_offset")
    if issubclass(kind, ImportError):
        return ("msg", "name", "path")
    return ()


def error_text(error: BaseException) -> str:
    """``ValueError('the message')`` for a message, shown without running the error's code."""
    message, why = error_message(error)
    name = type_name(type(error))
    if message is None:
        return f"{name} (its message cannot be read: {why})"
    return f"{name}({short_repr(message)})"


def mentions(message: str, text: str) -> bool:
    """Whether ``message`` names ``text`` as a whole: ``'line 3'`` is not in ``'line 30'``,
    ``'3'`` is not in ``'13'``, and ``'PER'`` is not in ``'PERSON'``.

    >>> mentions("bad.conll, line 30: ...", "line 3"), mentions("line 3: ...", "line 3")
    (False, True)
    """
    start = r"(?<!\w)" if text[:1].isalnum() or text[:1] == "_" else ""
    end = r"(?!\w)" if text[-1:].isalnum() or text[-1:] == "_" else ""
    return re.search(start + re.escape(text) + end, message) is not None


Fragment = str | Sequence[str]


def _shown_fragment(fragment: Fragment) -> str:
    if type(fragment) is str:
        return repr(fragment)
    return " or ".join(repr(text) for text in fragment)


def error_problem(
    action: Callable[[], object],
    *fragments: Fragment,
    absent: Sequence[str] = (),
    expected: type[BaseException] = ValueError,
) -> tuple[str, str, str] | None:
    """What is wrong with how ``action()`` fails, as ``(label, got, expected)`` texts for a
    message (``label`` is ``got`` or ``raised``), or ``None`` when it is right.

    Right is: ``action()`` raises ``expected`` (or a subclass) whose message is a plain
    ``str`` of at most ``MAX_MESSAGE`` characters that mentions every fragment (a ``str``, or
    a tuple of texts of which one is enough) and none of the ``absent`` texts (the wrong
    candidates: another line, another position). Other errors propagate.
    """
    __tracebackhide__ = True
    wanted = type_name(expected)
    try:
        got = action()
    except BaseException as error:  # the class is checked below; others propagate
        if not issubclass(type(error), expected):
            raise
        raised = error
    else:
        return "got", short_repr(got), f"{_article(wanted)} (nothing was raised)"
    message, why = error_message(raised)
    if message is None:
        return (
            "raised",
            f"{type_name(type(raised))} ({why})",
            f'{_article(wanted)} with a plain message: raise {wanted}(f"...") and do not '
            "override __str__",
        )
    shown = f"{type_name(type(raised))}({short_repr(message)})"
    if len(message) > MAX_MESSAGE:
        return (
            "raised",
            f"{shown}, {len(message)} characters",
            f"a message of at most {MAX_MESSAGE} characters that says what is wrong",
        )
    missing = [
        fragment
        for fragment in fragments
        if not any(text in message for text in ((fragment,) if type(fragment) is str else fragment))
    ]
    if missing:
        return (
            "raised",
            shown,
            "a message that mentions " + " and ".join(map(_shown_fragment, missing)),
        )
    wrong = [text for text in absent if mentions(message, text)]
    if wrong:
        return (
            "raised",
            shown,
            "a message that names only what is wrong; it also mentions "
            + ", ".join(map(repr, wrong)),
        )
    return None


def assert_value_error(
    call: str,
    action: Callable[[], object],
    *fragments: Fragment,
    absent: Sequence[str] = (),
    note: str = "",
    expected: type[BaseException] = ValueError,
) -> None:
    """``action()`` must raise ``ValueError`` whose plain, short message mentions every
    fragment and none of the ``absent`` texts; ``note`` (how to get it right) follows a
    failure.

    >>> assert_value_error("int('x')", lambda: int("x"), "invalid literal", absent=["'y'"])
    """
    __tracebackhide__ = True
    problem = error_problem(action, *fragments, absent=absent, expected=expected)
    if problem is not None:
        label, got, wanted = problem
        raise AssertionError(
            f"called:   {call}\n{label + ':':<9} {got}\nexpected: {wanted}" + _note(note)
        )
