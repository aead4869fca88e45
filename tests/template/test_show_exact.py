"""The shared assertions cannot be fooled: hostile values fail, honest exact values pass.

A student who has read the tests might return a value that claims to equal anything (a
``float`` subclass whose ``__eq__`` is always true, a ``str`` that contains everything, an
object whose ``__class__`` lies), or raise an error whose message names every candidate. Each
must fail ``tests.harness.show``, with a message that names both types, and without any of the
value's own methods running.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tests.harness.show import (
    MAX_MESSAGE,
    assert_close,
    assert_equal,
    assert_plain,
    assert_tags,
    assert_type,
    assert_value_error,
    error_message,
    error_problem,
    mentions,
    same,
    short_repr,
)
from tests.tokenizer_helpers import LetterTokenizer

pytestmark = pytest.mark.harness

#: The names of the hostile values' methods that ran; an assertion must leave it empty.
CALLED: list[str] = []


def _tripwire(name: str, result: Any) -> Any:
    def method(self: Any, *args: Any) -> Any:
        CALLED.append(name)
        return result

    method.__name__ = name
    return method


#: Methods that lie: equal to everything, different from nothing, containing everything.
LIES = {
    "__eq__": _tripwire("__eq__", True),
    "__ne__": _tripwire("__ne__", False),
    "__contains__": _tripwire("__contains__", True),
    "__repr__": _tripwire("__repr__", "'the expected value'"),
    "__str__": _tripwire("__str__", "the expected value"),
    "__format__": _tripwire("__format__", "the expected value"),
    "__hash__": _tripwire("__hash__", 0),
    "__bool__": _tripwire("__bool__", True),
    "__float__": _tripwire("__float__", 0.5),
    "__len__": _tripwire("__len__", 1),
    "__lt__": _tripwire("__lt__", False),
    "__gt__": _tripwire("__gt__", False),
}


def liar(base: type, value: Any, name: str | None = None) -> Any:
    """An instance of a subclass of ``base`` holding ``value``, whose methods all lie."""
    return type(name or f"Lying{base.__name__.title()}", (base,), dict(LIES))(value)


class ClaimsToBeAFloat:
    """Not a float at all, but ``isinstance(x, float)`` says it is."""

    __class__ = property(lambda self: float)  # type: ignore[assignment]
    __eq__ = LIES["__eq__"]
    __ne__ = LIES["__ne__"]
    __repr__ = LIES["__repr__"]
    __hash__ = LIES["__hash__"]


@dataclasses.dataclass
class Entity:
    kind: str
    start: int
    score: float


@pytest.fixture(autouse=True)
def _no_method_ran() -> Any:
    CALLED.clear()
    yield
    assert CALLED == [], f"the assertions ran methods of the value under test: {CALLED}"


def fails(check: Any, *args: Any, **kwargs: Any) -> str:
    """The message of the AssertionError that ``check(*args, **kwargs)`` must raise."""
    CALLED.clear()  # building a hostile value may hash it; the check itself must run nothing
    with pytest.raises(AssertionError) as failure:
        check(*args, **kwargs)
    return str(failure.value)


# assert_equal ------------------------------------------------------------------------------

HOSTILE = {
    "float subclass": (lambda: liar(float, 0.1, "MyFloat"), 0.5, "got a MyFloat, expected a float"),
    "int subclass": (lambda: liar(int, 7, "MyInt"), 3, "got a MyInt, expected an int"),
    "str subclass": (lambda: liar(str, "O", "MyStr"), "B-PER", "got a MyStr, expected a str"),
    "list subclass": (lambda: liar(list, [], "MyList"), ["O"], "got a MyList, expected a list"),
    "dict subclass": (lambda: liar(dict, {}, "MyDict"), {"a": 1}, "got a MyDict, expected a dict"),
    "tuple subclass": (
        lambda: liar(tuple, (), "MyTuple"),
        ("PER", 0, 1),
        "got a MyTuple, expected a tuple",
    ),
    "a __class__ that lies": (ClaimsToBeAFloat, 0.5, "got a ClaimsToBeAFloat, expected a float"),
    "numpy.float64 for a float": (
        lambda: np.float64(0.5),
        0.5,
        "got a numpy.float64, expected a float: convert it with float(...)",
    ),
    "numpy.int64 for an int": (
        lambda: np.int64(3),
        3,
        "got a numpy.int64, expected an int: convert it with int(...)",
    ),
    "numpy.str_ for a str": (
        lambda: np.str_("O"),
        "O",
        "got a numpy.str_, expected a str: convert it with str(...)",
    ),
    "bool for an int": (lambda: True, 1, "got a bool, expected an int"),
    "int for a float": (lambda: 1, 1.0, "got an int, expected a float: convert it with float"),
    "tuple for a list": (lambda: ("O",), ["O"], "got a tuple, expected a list"),
}


@pytest.mark.parametrize(("make", "expected", "says"), HOSTILE.values(), ids=HOSTILE)
def test_a_value_of_another_type_fails_and_names_both_types(make, expected, says) -> None:
    got = make()
    message = fails(assert_equal, "f()", got, expected)
    assert says in message, message
    assert message.startswith("called:   f()\ngot:      "), message


@pytest.mark.parametrize(("make", "expected", "says"), HOSTILE.values(), ids=HOSTILE)
def test_a_hostile_value_deep_inside_fails_at_its_path(make, expected, says) -> None:
    got, want = make(), expected
    nested = {"PER": [("x", {"score": got})]}
    message = fails(assert_equal, "f()", nested, {"PER": [("x", {"score": want})]})
    assert "['PER'][0][1]['score']: got " in message and says in message, message


def test_a_hostile_dict_key_or_dataclass_field_fails() -> None:
    key = liar(str, "PER", "MyStr")
    message = fails(assert_equal, "f()", {key: 1}, {"PER": 1})
    assert "a key of type MyStr" in message, message
    got = Entity("PER", liar(int, 0, "MyInt"), 0.5)
    message = fails(assert_equal, "f()", got, Entity("PER", 0, 0.5))
    assert ".start: got MyInt(0), expected 0  (got a MyInt, expected an int)" in message, message


def test_a_key_of_another_type_fails_even_when_python_calls_it_equal() -> None:
    message = fails(assert_equal, "f()", {True: "O"}, {1: "O"})
    assert "got a bool, expected an int" in message, message


@pytest.mark.parametrize(
    "value",
    [
        0.5,
        3,
        "B-PER",
        None,
        True,
        ["O", "B-PER"],
        ("PER", 0, 1),
        {"PER": {"precision": 0.5, "support": 2}},
        {0: "O", 1: "B-PER"},
        {"LOC", "PER"},
        Entity("PER", 0, 0.25),
        [Entity("LOC", 1, 1.0)],
    ],
    ids=repr,
)
def test_an_honest_value_of_the_exact_type_passes(value) -> None:
    import copy

    assert_equal("f()", copy.deepcopy(value), value)
    assert same(copy.deepcopy(value), value)


def test_numpy_arrays_and_pandas_frames_compare_their_dtype_and_values() -> None:
    assert_equal("f()", np.array([[1, 0], [0, 2]]), np.array([[1, 0], [0, 2]]))
    message = fails(assert_equal, "f()", np.array([1.0, 2.0]), np.array([1, 2]))
    assert ".dtype: got float64, expected int64" in message, message
    assert "expected" in fails(assert_equal, "f()", np.array([1, 3]), np.array([1, 2]))
    frame = pd.DataFrame({"sentence_id": [0, 0, 1], "words": ["EU", "rejects", "it"]})
    assert_equal("f()", frame.copy(), frame)
    floats = frame.astype({"sentence_id": "float64"})
    message = fails(assert_equal, "f()", floats, frame)
    assert "['sentence_id'].dtype: got float64, expected int64" in message, message
    changed = frame.assign(words=["EU", "rejects", "IT"])
    message = fails(assert_equal, "f()", changed, frame)
    assert "['words'].values[2]: got 'IT', expected 'it'" in message, message


def test_a_tolerance_applies_to_plain_numbers_only() -> None:
    assert_equal("f()", {"f1": 0.1 + 0.2}, {"f1": 0.3}, tolerance=1e-9)
    assert_equal("f()", {"support": 1.0}, {"support": 1}, tolerance=1e-9)
    message = fails(assert_equal, "f()", {"f1": np.float64(0.3)}, {"f1": 0.3}, tolerance=1e-6)
    assert "convert it with float(...)" in message, message
    message = fails(assert_equal, "f()", {"f1": liar(float, 0.3)}, {"f1": 0.3}, tolerance=1e-6)
    assert "got a LyingFloat, expected a float" in message, message
    message = fails(assert_equal, "f()", 1.0, 1)
    assert "got a float, expected an int" in message, message
    assert "only in the last digits" in fails(assert_equal, "f()", 0.1 + 0.2, 0.3)


def test_assert_close_takes_plain_numbers_only() -> None:
    assert_close("f()", 0.75, 0.75)
    assert_close("f()", 1, 1.0)
    message = fails(assert_close, "f()", np.float64(0.75), 0.75)
    assert "got a numpy.float64, expected a float: convert it with float(...)" in message
    message = fails(assert_close, "f()", liar(float, 0.75, "MyFloat"), 0.75)
    assert "got a MyFloat, expected a float" in message, message
    assert "got a bool, expected a float" in fails(assert_close, "f()", True, 1.0)
    assert "off by +0.25" in fails(assert_close, "f()", 1.0, 0.75)
    fails(assert_close, "f()", math.nan, 0.75)


def test_assert_tags_checks_the_list_and_each_tag() -> None:
    words = ["Ana", "left"]
    assert_tags("f()", words, ["B-PER", "O"], ["B-PER", "O"])
    message = fails(assert_tags, "f()", words, ["B-PER", liar(str, "X", "MyStr")], ["B-PER", "O"])
    assert "[1]: got a MyStr, expected a str" in message and "<-- differs" in message, message
    message = fails(assert_tags, "f()", words, liar(list, ["B-PER", "O"], "MyList"), ["B-PER", "O"])
    assert "got a MyList, expected a list" in message, message
    message = fails(assert_tags, "f()", words, ("B-PER", "O"), ["B-PER", "O"])
    assert "got a tuple, expected a list" in message, message


def test_assert_type_and_assert_plain_see_through_a_lying_class() -> None:
    assert isinstance(ClaimsToBeAFloat(), float)  # what isinstance is told
    message = fails(assert_type, "f()", ClaimsToBeAFloat(), float)
    assert "a ClaimsToBeAFloat" in message and "expected: a float" in message, message
    assert_plain("f()", {"PER": [1, 2.5, None, ("x", True)]})
    message = fails(assert_plain, "f()", {"PER": {"p50": np.float64(2.0)}})
    assert "its item ['PER']['p50'] is a numpy.float64: convert it with float(...)" in message


def test_values_are_shown_without_running_their_code() -> None:
    assert short_repr(liar(float, 0.5, "MyFloat")) == "MyFloat(0.5)"
    assert short_repr(liar(str, "O", "MyStr")) == "MyStr('O')"
    assert short_repr(liar(list, [1, "a"], "MyList")) == "MyList([1, 'a'])"
    assert short_repr(liar(dict, {"a": 1}, "MyDict")) == "MyDict({'a': 1})"
    assert short_repr(ClaimsToBeAFloat()) == "<ClaimsToBeAFloat object>"
    assert short_repr(np.float64(0.5)) == "np.float64(0.5)"


# Raised errors -----------------------------------------------------------------------------

EVERY_LINE = "bad.conll: " + ", ".join(f"line {n}" for n in range(1, 2000))


class EverythingError(ValueError):
    def __str__(self) -> str:
        CALLED.append("__str__")
        return EVERY_LINE


class LyingArgsError(ValueError):
    args = property(lambda self: ("bad.conll, line 3",))  # type: ignore[assignment]


def raise_(error: BaseException) -> Any:
    raise error


def other_lines(right: int) -> list[str]:
    return [f"line {n}" for n in range(0, 9) if n != right]


def check(error: BaseException) -> str:
    return fails(
        assert_value_error,
        "read_conll('bad.conll')",
        lambda: raise_(error),
        "bad.conll",
        "line 3",
        absent=other_lines(3),
    )


def test_an_error_whose_class_overrides_str_fails_unread() -> None:
    message = check(EverythingError())
    assert "its class EverythingError overrides __str__" in message, message
    assert "raise ValueError" in message, message


def test_an_error_whose_message_is_a_str_subclass_fails() -> None:
    message = check(ValueError(liar(str, "bad.conll, line 3", "MyStr")))
    assert "its message is a MyStr, not a str" in message, message


def test_an_error_is_read_from_its_real_args() -> None:
    message = check(LyingArgsError("bad.conll, line 4"))
    assert "mentions 'line 3'" in message, message


def test_a_message_of_ten_thousand_characters_fails_for_its_length() -> None:
    text = EVERY_LINE[:10_000]
    assert len(text) == 10_000 and "bad.conll" in text and "line 3," in text
    message = check(ValueError(text))
    assert f"10000 characters\nexpected: a message of at most {MAX_MESSAGE}" in message, message
    assert len(message) < 1_000, "the failure shows the message cut short"


def test_a_short_message_naming_every_line_fails_for_the_wrong_ones() -> None:
    message = check(ValueError("bad.conll: line 3, line 7, line 12"))
    assert "it also mentions 'line 7'" in message, message
    assert "'line 1'" not in message, "'line 12' is not 'line 1'"


def test_an_honest_error_passes_and_its_subclass_too() -> None:
    assert_value_error(
        "f()", lambda: raise_(ValueError("bad.conll, line 3: 'x' has no tag")), "line 3"
    )

    class FileError(ValueError):
        pass

    assert_value_error(
        "f()",
        lambda: raise_(FileError("bad.conll, line 3: 'x' has no tag")),
        "bad.conll",
        ("line 3", "line three"),
        absent=other_lines(3),
    )
    assert error_message(UnicodeDecodeError("utf-8", b"\xfc", 0, 1, "invalid")) == (
        "'utf-8' codec can't decode byte 0xfc in position 0: invalid",
        "",
    )


def test_no_error_or_another_error_class_fails() -> None:
    message = fails(assert_value_error, "f()", lambda: [1, 2], "x")
    assert "got:      [1, 2]\nexpected: a ValueError (nothing was raised)" in message, message
    with pytest.raises(TypeError):
        assert_value_error("f()", lambda: raise_(TypeError("x")), "x")
    assert error_problem(lambda: raise_(KeyError("PER")), "PER", expected=LookupError) is None


def test_mentions_matches_whole_words_only() -> None:
    assert mentions("line 3: bad tag", "line 3")
    assert not mentions("line 30: bad tag", "line 3")
    assert not mentions("position 13", "3") and mentions("position 3.", "3")
    assert mentions("bad tag 'B-'", "'B-'") and not mentions("'B-<type>'", "'B-'")
    assert not mentions("tag PERSON", "PER")


def test_the_step_suites_reject_a_message_that_names_every_candidate() -> None:
    from tests.test_step1_preprocessing import BAD_TAGS, assert_rejects_bad_tags

    everything = ", ".join(repr(tag) for tag in BAD_TAGS)
    message = fails(
        assert_rejects_bad_tags, "f(<bad tag>)", lambda tag: raise_(ValueError(everything))
    )
    assert "it also mentions" in message, message

    def honest(tag: str) -> Any:
        raise ValueError(f"bad tag {tag!r}; a tag is 'O', 'B-<type>' or 'I-<type>'")

    assert_rejects_bad_tags("f(<bad tag>)", honest)


# Test doubles ------------------------------------------------------------------------------


def test_the_letter_tokenizer_is_plain_data_that_can_be_rebuilt() -> None:
    tokenizer = LetterTokenizer(lowercase=True)
    fields = dataclasses.asdict(tokenizer)
    assert fields == {"lowercase": True}
    rebuilt = LetterTokenizer(**fields)
    assert rebuilt == tokenizer and rebuilt.tokenize("Paris") == ["p", "a", "r", "i", "s"]
    assert LetterTokenizer(lowercase=False).tokenize("Paris") == list("Paris")
