"""The codec between the grading sandbox and the tests: exact types in, exact types out."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.harness.codec import TAG, Classes, CodecError, class_name, decode, encode

pytestmark = pytest.mark.harness


@dataclasses.dataclass
class Config:
    epochs: int = 4
    rate: float = 2e-4


def _round_trip(value, classes=None):
    return decode(json.loads(json.dumps(encode(value))), classes)


@pytest.mark.parametrize(
    "value",
    [
        None, True, 0, -3, 2.5, "Zürich", [1, [2, "x"]], (1, "a"), {1: "B-PER", "O": (0, 1)},
        {1, 2}, frozenset({"a"}), Path("/tmp/x.conll"), range(0, 10, 2),
        np.int64(7), np.float32(0.25), np.bool_(True), np.array([[1, 2], [3, 4]]),
        np.array(["a", "bc"]), np.array([1.5, math.nan]),
    ],
    ids=repr,
)  # fmt: skip
def test_plain_values_come_back_with_their_exact_types(value):
    got = _round_trip(value)
    assert type(got) is type(value), f"{value!r}: got a {type(got).__name__}"
    if isinstance(value, np.ndarray):
        assert got.dtype == value.dtype and got.shape == value.shape, (got.dtype, got.shape)
        np.testing.assert_array_equal(got, value)
    else:
        assert got == value, f"{value!r} came back as {got!r}"


def test_floats_that_json_cannot_hold_come_back():
    got = _round_trip([math.nan, math.inf, -math.inf])
    assert math.isnan(got[0]) and got[1:] == [math.inf, -math.inf], got


def test_a_data_frame_keeps_its_columns_dtypes_and_index():
    frame = pd.DataFrame(
        {
            "sentence_id": [0, 0, 1],
            "words": pd.array(["EU", "rejects", None], dtype="str"),
            "labels": pd.Categorical(["B-ORG", "O", "O"]),
            "score": [0.5, math.nan, 1.0],
            "objects": pd.Series(["a", 1, None], dtype=object),
        },
        index=pd.RangeIndex(3, 6),
    )
    got = _round_trip(frame)
    pd.testing.assert_frame_equal(got, frame)


def test_iterators_arrive_as_iterators_of_their_items():
    got = _round_trip(tag for tag in ["B-ORG", "O"])
    assert list(got) == ["B-ORG", "O"], got


def test_dataclasses_are_rebuilt_only_from_known_classes():
    classes = Classes(known={class_name(Config): Config})
    assert _round_trip(Config(epochs=9), classes) == Config(epochs=9)
    with pytest.raises(CodecError, match="cannot be rebuilt"):
        _round_trip(Config())


@pytest.mark.parametrize(
    "value",
    [
        type("Sneaky", (float,), {"__eq__": lambda self, other: True})(1.0),
        type("Loud", (str,), {"__contains__": lambda self, item: True})("x"),
        type("Mine", (list,), {})([1]),
        type("MyDict", (dict,), {})(),
        object(),
        lambda: None,
    ],
    ids=["float subclass", "str subclass", "list subclass", "dict subclass", "object", "function"],
)
def test_anything_else_is_refused(value):
    with pytest.raises(CodecError, match="cannot cross"):
        encode(value)


@pytest.mark.parametrize(
    "data",
    [
        {TAG: "pickle", "v": "gASV"},
        {TAG: "np", "dtype": "object", "v": 1},
        {TAG: "ndarray", "dtype": "V8", "shape": [1], "v": [1]},
        {TAG: "dict", "v": [[1]]},
        {"no": "tag"},
        {TAG: "dataclass", "class": "os:system", "v": {}},
    ],
    ids=["unknown tag", "object scalar", "void array", "bad pair", "no tag", "foreign class"],
)
def test_invalid_or_foreign_data_is_refused(data):
    with pytest.raises(CodecError):
        decode(data)


def test_nesting_is_bounded():
    deep: list = []
    for _ in range(200):
        deep = [deep]
    with pytest.raises(CodecError, match="deeper"):
        encode(deep)
