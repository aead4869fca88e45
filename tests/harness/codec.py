"""Plain data across the grading sandbox's wall: values in, values out, nothing else.

A graded step runs in a sandboxed worker process; the tests run in a trusted process. Every
argument and every result crosses between them as JSON built by ``encode`` and rebuilt by
``decode``, by exact type only: ``None``, ``bool``, ``int``, ``float``, ``str``, ``list``,
``tuple``, ``dict``, ``set``, ``Path``, NumPy scalars and arrays, pandas ``DataFrame``,
``Series`` and ``Index``, and dataclasses of known classes. A subclass of any of them (a
``float`` whose ``__eq__`` is always true, a ``str`` that contains everything) is refused on
the way out, and what comes back is always the exact built-in, NumPy or pandas type: no
object of the student's survives the crossing, and nothing is ever unpickled.

>>> decode(encode({"PER": (1, 2.5)}))
{'PER': (1, 2.5)}
>>> encode(type("Sneaky", (float,), {})(1.0))  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
...
tests.harness.codec.CodecError: a Sneaky cannot cross to the tests
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from pathlib import Path, PurePath
from typing import Any

TAG = "$"
#: Deeper nesting than this is refused (no recursion bombs).
MAX_DEPTH = 64
_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
_NUMPY_KINDS = "biuf"  # bool, signed and unsigned integers, floats
_ITERATORS = {
    *(type(iter(empty)) for empty in ([], (), "")),
    *(type(view) for view in ({}.keys(), {}.values(), {}.items())),
    type(x for x in ()), map, filter, zip, enumerate, reversed,
}  # fmt: skip


class CodecError(TypeError):
    """A value that cannot cross, or data that is not a valid encoding."""


@dataclasses.dataclass(frozen=True)
class Classes:
    """The dataclasses ``decode`` may rebuild, by name (``module:QualName``)."""

    known: Mapping[str, type] = dataclasses.field(default_factory=dict)
    #: Modules whose dataclasses may be imported and rebuilt by name.
    modules: tuple[str, ...] = ()
    #: Rebuilds objects that only the worker side accepts (e.g. tokenizers).
    extra: Mapping[str, Callable[[dict], Any]] = dataclasses.field(default_factory=dict)

    def find(self, name: str) -> type:
        if name in self.known:
            return self.known[name]
        module, _, qualname = name.partition(":")
        if module in self.modules and qualname.isidentifier():
            import importlib

            found = getattr(importlib.import_module(module), qualname, None)
            if isinstance(found, type) and dataclasses.is_dataclass(found):
                return found
        raise CodecError(f"an object of class {name} cannot be rebuilt here")


def class_name(cls: type) -> str:
    """``module:QualName``, the name a dataclass crosses under."""
    return f"{cls.__module__}:{cls.__qualname__}"


# ---------------------------------------------------------------- encoding


def encode(value: Any, extra: Callable[[Any], dict | None] | None = None, _depth: int = 0) -> Any:
    """JSON-ready data for ``value``; ``CodecError`` for a type that may not cross.

    ``extra`` may encode further types (it returns ``None`` for values it does not know).
    """
    if _depth > MAX_DEPTH:
        raise CodecError(f"values nested deeper than {MAX_DEPTH} levels cannot cross")
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return value if math.isfinite(value) else {TAG: "float", "v": repr(value)}
    again = lambda item: encode(item, extra, _depth + 1)  # noqa: E731
    if kind is list:
        return [again(item) for item in value]
    if kind in (tuple, set, frozenset):
        items = [again(item) for item in value]
        return {TAG: kind.__name__, "v": sorted(items, key=repr) if kind is not tuple else items}
    if kind is dict:
        return {TAG: "dict", "v": [[again(key), again(item)] for key, item in value.items()]}
    if isinstance(value, PurePath) and kind in (type(Path()), type(PurePath())):
        return {TAG: "path", "v": str(value)}
    if kind is range:
        return {TAG: "range", "v": [value.start, value.stop, value.step]}
    if kind in _ITERATORS:  # a test may hand over any iterable: it arrives as an iterator
        return {TAG: "iter", "v": [again(item) for item in value]}
    if extra is not None and (done := extra(value)) is not None:
        return done
    module = getattr(kind, "__module__", "") or ""
    if module.startswith("numpy"):
        return _encode_numpy(value, again)
    if module.startswith("pandas"):
        return _encode_pandas(value, again)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: again(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {TAG: "dataclass", "class": class_name(kind), "v": fields}
    raise CodecError(
        f"a {kind.__name__} cannot cross to the tests: use plain Python, NumPy or pandas values"
    )


def _encode_numpy(value: Any, again: Callable[[Any], Any]) -> dict:
    import numpy as np

    kind = type(value)
    if kind is np.ndarray:
        if value.dtype.kind in _NUMPY_KINDS:
            return {TAG: "ndarray", "dtype": value.dtype.name, "shape": list(value.shape),
                    "v": again(value.ravel().tolist())}  # fmt: skip
        if value.dtype.kind in "OU":
            items = [again(_plain_item(item)) for item in value.ravel().tolist()]
            return {TAG: "ndarray", "dtype": value.dtype.str, "shape": list(value.shape),
                    "v": items}  # fmt: skip
    elif kind in _numpy_scalar_types() and np.dtype(kind).kind in _NUMPY_KINDS:
        return {TAG: "np", "dtype": np.dtype(kind).name, "v": again(value.item())}
    elif kind is np.str_:
        return {TAG: "np", "dtype": "str", "v": str.__str__(value)}
    raise CodecError(f"a NumPy {kind.__name__} cannot cross to the tests")


def _plain_item(item: Any) -> Any:
    """Items of object arrays: NumPy strings become ``str`` (their exact base)."""
    import numpy as np

    return str.__str__(item) if type(item) is np.str_ else item


def _numpy_scalar_types() -> set[type]:
    import numpy as np

    return {np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
            np.uint64, np.float16, np.float32, np.float64}  # fmt: skip


def _encode_pandas(value: Any, again: Callable[[Any], Any]) -> dict:
    import pandas as pd

    kind = type(value)
    if kind is pd.DataFrame:
        columns = [_encode_values(value.iloc[:, i], again) for i in range(value.shape[1])]
        return {
            TAG: "DataFrame",
            "columns": _encode_index(value.columns, again),
            "index": _encode_index(value.index, again),
            "v": columns,
        }
    if kind is pd.Series:
        return {
            TAG: "Series",
            "name": again(value.name),
            "index": _encode_index(value.index, again),
            "v": _encode_values(value, again),
        }
    if isinstance(value, pd.Index) and kind in (pd.Index, pd.RangeIndex):
        return _encode_index(value, again)
    if value is pd.NA:
        return {TAG: "NA"}
    raise CodecError(f"a pandas {kind.__name__} cannot cross to the tests")


def _encode_index(index: Any, again: Callable[[Any], Any]) -> dict:
    import pandas as pd

    if type(index) is pd.RangeIndex:
        return {TAG: "RangeIndex", "start": index.start, "stop": index.stop, "step": index.step,
                "name": again(index.name)}  # fmt: skip
    if type(index) is not pd.Index:
        raise CodecError(f"a pandas {type(index).__name__} cannot cross to the tests")
    return {TAG: "Index", "name": again(index.name), "v": _encode_values(index, again)}


def _encode_values(values: Any, again: Callable[[Any], Any]) -> dict:
    """A column's values with its dtype: NumPy dtypes, object, string or category."""
    import pandas as pd

    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        codes = values.cat.codes if hasattr(values, "cat") else values.codes
        return {
            "dtype": "category",
            "ordered": bool(dtype.ordered),
            "categories": _encode_values(pd.Index(dtype.categories), again),
            "codes": [int(code) for code in codes],
        }
    name = str(dtype)
    if getattr(dtype, "kind", "") in _NUMPY_KINDS and type(dtype).__module__.startswith("numpy"):
        return {"dtype": name, "v": again(values.to_numpy().tolist())}
    if name in ("object", "string", "str"):
        items = [None if item is pd.NA else _plain_item(item) for item in values.tolist()]
        if name != "object" and any(isinstance(item, float) and math.isnan(item) for item in items):
            items = [
                None if isinstance(item, float) and math.isnan(item) else item for item in items
            ]
        return {"dtype": name, "v": again(items)}
    raise CodecError(f"a pandas column of dtype {name} cannot cross to the tests")


# ---------------------------------------------------------------- decoding


def decode(data: Any, classes: Classes | None = None, _depth: int = 0) -> Any:
    """The value ``data`` encodes, built from exact built-in, NumPy and pandas types only."""
    if _depth > MAX_DEPTH:
        raise CodecError(f"data nested deeper than {MAX_DEPTH} levels")
    classes = classes or Classes()
    kind = type(data)
    if data is None or kind in (bool, int, str, float):
        return data
    again = lambda item: decode(item, classes, _depth + 1)  # noqa: E731
    if kind is list:
        return [again(item) for item in data]
    if kind is not dict or type(data.get(TAG)) is not str:
        raise CodecError(f"not a valid encoding: {type(data).__name__}")
    tag = data[TAG]
    if tag == "float":
        return _FLOATS[_text(data["v"])]
    if tag == "tuple":
        return tuple(again(item) for item in _list(data["v"]))
    if tag in ("set", "frozenset"):
        items = (again(item) for item in _list(data["v"]))
        return set(items) if tag == "set" else frozenset(items)
    if tag == "dict":
        pairs = [_list(pair) for pair in _list(data["v"])]
        if any(len(pair) != 2 for pair in pairs):
            raise CodecError("a dict's items must be pairs")
        return {again(key): again(value) for key, value in pairs}
    if tag == "path":
        return Path(_text(data["v"]))
    if tag == "range":
        start, stop, step = (_int(part) for part in _list(data["v"]))
        return range(start, stop, step)
    if tag == "iter":
        return iter([again(item) for item in _list(data["v"])])
    if tag in ("np", "ndarray"):
        return _decode_numpy(data, again)
    if tag in ("DataFrame", "Series", "Index", "RangeIndex", "NA"):
        return _decode_pandas(data, again)
    if tag == "dataclass":
        cls = classes.find(_text(data["class"]))
        fields = data["v"]
        if type(fields) is not dict:
            raise CodecError("a dataclass's fields must be a mapping")
        return rebuild_dataclass(cls, {_text(k): again(v) for k, v in fields.items()})
    if tag in classes.extra:
        return classes.extra[tag](data)
    raise CodecError(f"not a valid encoding: tag {tag!r}")


def rebuild_dataclass(cls: type, fields: dict[str, Any]) -> Any:
    """An instance of ``cls`` with exactly ``fields`` (no ``__init__`` or ``__post_init__``)."""
    names = {field.name for field in dataclasses.fields(cls)}
    if set(fields) != names:
        unknown, missing = sorted(set(fields) - names), sorted(names - set(fields))
        raise CodecError(f"{cls.__name__}: unknown fields {unknown}, missing fields {missing}")
    instance = object.__new__(cls)
    for name, value in fields.items():
        object.__setattr__(instance, name, value)
    return instance


def _decode_numpy(data: dict, again: Callable[[Any], Any]) -> Any:
    import numpy as np

    dtype = _text(data["dtype"])
    if data[TAG] == "np":
        if dtype == "str":
            return np.str_(_text(data["v"]))
        return _numpy_dtype(dtype).type(again(data["v"]))
    shape = tuple(_int(size) for size in _list(data["shape"]))
    values = again(data["v"])
    if dtype in ("|O", "O"):
        array = np.empty(len(values), dtype=object)
        array[:] = values
    elif dtype.startswith(("<U", ">U", "|U")) and dtype[2:].isdigit():
        array = np.array([_text(item) for item in values], dtype=dtype)
    else:
        array = np.array(values, dtype=_numpy_dtype(dtype))
    return array.reshape(shape)


def _numpy_dtype(name: str) -> Any:
    import numpy as np

    dtype = np.dtype(name) if name.isidentifier() else None
    if dtype is None or dtype.kind not in _NUMPY_KINDS or dtype.name != name:
        raise CodecError(f"NumPy dtype {name!r} cannot cross")
    return dtype


def _decode_pandas(data: dict, again: Callable[[Any], Any]) -> Any:
    import pandas as pd

    tag = data[TAG]
    if tag == "NA":
        return pd.NA
    if tag == "RangeIndex":
        return pd.RangeIndex(_int(data["start"]), _int(data["stop"]), _int(data["step"]),
                             name=again(data["name"]))  # fmt: skip
    if tag == "Index":
        return pd.Index(_decode_values(data["v"], again), name=again(data["name"]))
    index = _decode_pandas(_dict(data["index"]), again)
    if tag == "Series":
        return pd.Series(_decode_values(data["v"], again), index=index, name=again(data["name"]))
    columns = _decode_pandas(_dict(data["columns"]), again)
    values = [_decode_values(column, again) for column in _list(data["v"])]
    if len(values) != len(columns):
        raise CodecError("a DataFrame's columns and values differ in number")
    frame = pd.DataFrame({i: value for i, value in enumerate(values)}, index=index)
    frame.columns = columns
    return frame


def _decode_values(data: Any, again: Callable[[Any], Any]) -> Any:
    import numpy as np
    import pandas as pd

    data = _dict(data)
    dtype = _text(data["dtype"])
    if dtype == "category":
        categories = _decode_values(data["categories"], again)
        codes = [_int(code) for code in _list(data["codes"])]
        ordered = data["ordered"] is True
        return pd.Categorical.from_codes(codes, categories=categories, ordered=ordered)
    values = _list(again(data["v"]))
    if dtype == "object":
        array = np.empty(len(values), dtype=object)
        array[:] = values
        return array
    if dtype in ("string", "str"):
        if any(item is not None and type(item) is not str for item in values):
            raise CodecError("a string column holds something else than strings")
        return pd.array(values, dtype=dtype)
    return np.array(values, dtype=_numpy_dtype(dtype))


def _exactly(kind: type) -> Callable[[Any], Any]:
    """A check that a part of the encoding is exactly of ``kind`` (no subclass)."""

    def check(value: Any) -> Any:
        if type(value) is not kind:
            raise CodecError(
                f"expected {kind.__name__} in the encoding, got {type(value).__name__}"
            )
        return value

    return check


_text, _int, _list, _dict = (_exactly(kind) for kind in (str, int, list, dict))
