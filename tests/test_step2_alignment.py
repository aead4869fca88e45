"""Step 2 · Tokenization and label alignment (hints: exercises/hints/step2.md)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.harness.show import (
    assert_equal,
    assert_plain,
    assert_tags,
    assert_value_error,
    call_text,
    error_problem,
    same,
    token_table,
    type_note,
)
from tests.tokenizer_helpers import encode_words, minilm_tokenizer, tiny_tokenizer

pytestmark = pytest.mark.step2

IGNORE = -100
PROPERTY = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# ids deliberately not in "O first" order: use the map, never a position in some list
LABEL_TO_ID = {"B-LOC": 0, "B-PER": 1, "I-LOC": 2, "I-PER": 3, "O": 4}

# The packaged MiniLM (uncased, accents stripped) on a sentence with real subwords.
# token, word id, label (first subword only), label (label_all_subwords=True)
MINILM_WORDS = ["Jürgen", "Klinsmann", "visited", "Saarbrücken", "😀", "!"]
MINILM_LABELS = ["B-PER", "I-PER", "O", "B-LOC", "O", "O"]
MINILM_ROWS = [
    ("[CLS]", None, IGNORE, IGNORE),
    ("jurgen", 0, "B-PER", "B-PER"),
    ("k", 1, "I-PER", "I-PER"),
    ("##lins", 1, IGNORE, "I-PER"),
    ("##mann", 1, IGNORE, "I-PER"),
    ("visited", 2, "O", "O"),
    ("sa", 3, "B-LOC", "B-LOC"),
    ("##ar", 3, IGNORE, "I-LOC"),
    ("##bruck", 3, IGNORE, "I-LOC"),
    ("##en", 3, IGNORE, "I-LOC"),
    ("[UNK]", 4, "O", "O"),
    ("!", 5, "O", "O"),
    ("[SEP]", None, IGNORE, IGNORE),
]

TINY_WORDS = ["Ana", "playing", "in", "Zurich", "!"]
TINY_LABELS = ["B-PER", "O", "O", "B-LOC", "O"]


@pytest.fixture(scope="session")
def minilm() -> Any:
    """The packaged all-MiniLM-L6-v2 tokenizer (uncased), loaded once."""
    return minilm_tokenizer()


@pytest.fixture(scope="session")
def tiny_cased(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A fast BERT tokenizer over a vocabulary of a dozen words; keeps the case."""
    return tiny_tokenizer(tmp_path_factory.mktemp("tiny-cased"), lowercase=False)


def _ids(labels: Sequence[Any]) -> list[int]:
    return [label if label == IGNORE else LABEL_TO_ID[label] for label in labels]


def _column(values: Sequence[Any], word_ids: Sequence[int | None]) -> list[Any]:
    """``values[word]`` for each token; ``None`` (shown as "(none)") for special tokens."""
    return [None if word is None else values[word] for word in word_ids]


def _assert_alignment(
    call: str,
    words: Sequence[str],
    labels: Sequence[str],
    tokens: Sequence[str],
    word_ids: Sequence[int | None],
    got: Any,
    expected: list[int],
    note: str = "",
) -> None:
    """Fail with one row per token: its word and label, the token, its word id, got, expected."""
    __tracebackhide__ = True
    if same(got, expected):
        return
    if type(got) is not list:
        assert_equal(call, got, expected, note)
    kinds = next(
        (
            f"\nlabel id {index}: {type_note(left, right)}"
            for index, (left, right) in enumerate(zip(got, expected, strict=False))
            if type(left) is not type(right)
        ),
        "",
    )
    table = token_table(
        _column(words, word_ids),
        label=_column(labels, word_ids),
        token=tokens,
        word_id=word_ids,
        got=got,
        expected=expected,
    )
    raise AssertionError(
        f"{call} returned the wrong label ids{kinds}\n{table}\nlabel ids: {LABEL_TO_ID}"
        + (f"\n{note}" if note else "")
    )


def _expect_value_error(
    call: str, function: Any, *args: Any, mentions: Sequence[str], absent: Sequence[str] = ()
) -> None:
    """``function(*args)`` raises a ValueError that mentions each of ``mentions`` and none of
    ``absent`` (the wrong candidates: another word, another position)."""
    __tracebackhide__ = True
    assert_value_error(call, lambda: function(*args), *mentions, absent=absent)


# -- hypothesis strategies ---------------------------------------------------------------------

TYPES = st.sampled_from(["PER", "LOC", "ORG", "MISC", "DRUG"])
ANY_TAG = st.one_of(st.just("O"), st.builds(lambda p, t: f"{p}-{t}", st.sampled_from("BI"), TYPES))


@st.composite
def iob2_sequences(draw: st.DrawFn) -> list[str]:
    """Valid IOB2: every I-X continues an X entity."""
    tags: list[str] = []
    for _ in range(draw(st.integers(0, 12))):
        previous = tags[-1][2:] if tags and tags[-1] != "O" else None
        choices = ["O", "B"] + (["I"] if previous else [])
        prefix = draw(st.sampled_from(choices))
        tags.append(
            "O" if prefix == "O" else f"{prefix}-{previous if prefix == 'I' else draw(TYPES)}"
        )
    return tags


SUBWORD_COUNTS = st.lists(st.integers(0, 6), max_size=30)


@st.composite
def covering_windows(draw: st.DrawFn) -> list[tuple[int, int]]:
    """Windows over words 0..n-1 with no gap, each starting and ending after the previous."""
    length = draw(st.integers(0, 25))
    windows: list[tuple[int, int]] = []
    start = end = 0
    while end < length:
        end = draw(st.integers(end + 1, min(length, end + 6)))
        windows.append((start, end))
        start = draw(st.integers(start + 1, end))
    return windows


# -- 2.1 IOB1 to IOB2 --------------------------------------------------------------------------

IOB1_CASES = {
    "I starts an entity": (["I-PER", "I-PER", "O", "I-LOC"], ["B-PER", "I-PER", "O", "B-LOC"]),
    "B marks a same-type neighbour": (
        ["I-PER", "B-PER", "I-PER", "O"],
        ["B-PER", "B-PER", "I-PER", "O"],
    ),
    "type change starts an entity": (["I-ORG", "I-LOC", "I-LOC"], ["B-ORG", "B-LOC", "I-LOC"]),
    "I after B of another type": (
        ["B-PER", "I-LOC", "B-LOC", "I-LOC"],
        ["B-PER", "B-LOC", "B-LOC", "I-LOC"],
    ),
    "any type name": (
        ["O", "I-DRUG", "I-DRUG", "O", "I-GENE"],
        ["O", "B-DRUG", "I-DRUG", "O", "B-GENE"],
    ),
    "only O": (["O", "O"], ["O", "O"]),
    "empty": ([], []),
}


@pytest.mark.parametrize(("tags", "expected"), IOB1_CASES.values(), ids=IOB1_CASES.keys())
def test_2_1_iob1_to_iob2(step, tags, expected):
    original = list(tags)
    got = step.iob1_to_iob2(tags)
    assert_tags(
        call_text("iob1_to_iob2", original),
        original,
        got,
        expected,
        note="an I-X that starts an entity (first, after O or after another type) becomes B-X",
    )
    assert_equal(
        "the tags after iob1_to_iob2(tags)", tags, original, "convert a copy, not the input"
    )


@PROPERTY
@given(tags=iob2_sequences())
def test_2_1_iob2_tags_are_left_unchanged(step, tags):
    got = step.iob1_to_iob2(tags)
    assert_tags(call_text("iob1_to_iob2", tags), tags, got, tags, note="valid IOB2 stays as it is")


# -- 2.2 IOB2 errors ---------------------------------------------------------------------------

ERROR_CASES = {
    "valid": (["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-LOC"], []),
    "I at the start": (["I-PER", "I-PER", "O"], [0]),
    "I after O": (["O", "I-LOC"], [1]),
    "I after another type": (["B-PER", "I-LOC", "I-LOC", "I-PER"], [1, 3]),
    "empty": ([], []),
}


@pytest.mark.parametrize(("tags", "expected"), ERROR_CASES.values(), ids=ERROR_CASES.keys())
def test_2_2_iob2_errors(step, tags, expected):
    assert_equal(call_text("iob2_errors", tags), step.iob2_errors(tags), expected)


BAD_TAGS = {
    "underscore": ["O", "B_PER"],
    "no prefix": ["PER"],
    "no type": ["B-PER", "I-"],
    "lower-case prefix": ["O", "O", "b-per"],
    "empty tag": ["O", ""],
    "starts with O": ["B-PER", "Other"],
    "O with a space": ["O", "O "],
}


@pytest.mark.parametrize(
    "function", ["iob2_errors", "repair_iob2", "iob1_to_iob2", "tags_to_spans"]
)
def test_2_2_a_bad_tag_is_a_value_error(step, function):
    problems = []
    for name, tags in BAD_TAGS.items():
        position = len(tags) - 1
        problem = error_problem(
            lambda tags=tags: getattr(step, function)(tags),
            repr(tags[position]),
            str(position),
            absent=[str(other) for other in range(len(tags)) if other != position],
        )
        if problem is None:
            continue
        label, got, expected = problem
        if label == "got":
            problems.append(f"  {call_text(function, tags)} ({name}): returned {got}")
        else:
            problems.append(
                f"  {call_text(function, tags)} ({name}): raised {got}; expected {expected}"
            )
    if problems:
        raise AssertionError(
            f"{function} must raise a ValueError naming the position and the tag (with !r), "
            "and no other position, for:\n"
            + "\n".join(problems)
            + "\na tag is exactly 'O', or 'B-' or 'I-' followed by a type"
        )


# -- 2.3 repair IOB2 ---------------------------------------------------------------------------

REPAIR_CASES = {
    "valid": (["B-PER", "I-PER", "O"], ["B-PER", "I-PER", "O"]),
    "I at the start": (["I-PER", "I-PER", "O"], ["B-PER", "I-PER", "O"]),
    "I after O": (["O", "I-LOC", "O", "I-MISC"], ["O", "B-LOC", "O", "B-MISC"]),
    "I after another type": (["B-PER", "I-ORG", "I-ORG"], ["B-PER", "B-ORG", "I-ORG"]),
}


@pytest.mark.parametrize(("tags", "expected"), REPAIR_CASES.values(), ids=REPAIR_CASES.keys())
def test_2_3_repair_iob2(step, tags, expected):
    original = list(tags)
    got = step.repair_iob2(tags)
    assert_tags(call_text("repair_iob2", original), original, got, expected)
    assert_equal("the tags after repair_iob2(tags)", tags, original, "repair a copy, not the input")


@PROPERTY
@given(tags=st.lists(ANY_TAG, max_size=15))
def test_2_3_repair_fixes_exactly_the_errors(step, tags):
    call = call_text("repair_iob2", tags)
    got = step.repair_iob2(tags)
    found = step.iob2_errors(tags)
    assert_plain(call_text("iob2_errors", tags), found)
    errors = set(found)
    expected = ["B-" + tag[2:] if i in errors else tag for i, tag in enumerate(tags)]
    assert_tags(
        call, tags, got, expected, note="only the positions of iob2_errors change, I-X -> B-X"
    )
    assert_equal(f"iob2_errors({call})", step.iob2_errors(got), [], "a repaired sequence is valid")


# -- 2.4 spans ---------------------------------------------------------------------------------

SPAN_CASES = {
    "two entities": (["B-LOC", "I-LOC", "O", "B-PER"], [("LOC", 0, 1), ("PER", 3, 3)]),
    "adjacent same type": (["B-PER", "B-PER", "I-PER"], [("PER", 0, 0), ("PER", 1, 2)]),
    "entity at the end": (["O", "O", "B-ORG", "I-ORG"], [("ORG", 2, 3)]),
    "I of another type": (["B-PER", "I-LOC"], [("PER", 0, 0), ("LOC", 1, 1)]),
    "stray I starts an entity": (["O", "I-MISC", "I-MISC", "O"], [("MISC", 1, 2)]),
    "O closes an entity": (["B-PER", "O", "I-PER", "I-PER"], [("PER", 0, 0), ("PER", 2, 3)]),
    "only O": (["O", "O"], []),
    "empty": ([], []),
}


@pytest.mark.parametrize(("tags", "expected"), SPAN_CASES.values(), ids=SPAN_CASES.keys())
def test_2_4_tags_to_spans(step, tags, expected):
    assert_equal(
        call_text("tags_to_spans", tags),
        step.tags_to_spans(tags),
        expected,
        note="(type, first, last): both ends are word positions and inclusive",
    )


@PROPERTY
@given(tags=st.lists(ANY_TAG, max_size=15))
def test_2_4_spans_cover_exactly_the_entity_words(step, tags):
    call = call_text("tags_to_spans", tags)
    spans = step.tags_to_spans(tags)
    assert_plain(call, spans)
    covered = [i for _, first, last in spans for i in range(first, last + 1)]
    expected = [i for i, tag in enumerate(tags) if tag != "O"]
    assert_equal(
        f"the word positions covered by {call}",
        covered,
        expected,
        "spans are in order, do not overlap and cover every non-O word",
    )
    for kind, first, last in spans:
        assert_equal(
            f"the tags of span {(kind, first, last)} from {call}",
            {tag[2:] for tag in tags[first : last + 1]},
            {kind},
        )


# -- 2.5 word offsets --------------------------------------------------------------------------

OFFSET_CASES = {
    "single spaces": (
        "Ana lives in Rome",
        ["Ana", "lives", "in", "Rome"],
        [(0, 3), (4, 9), (10, 12), (13, 17)],
    ),
    "tabs, newlines, punctuation": (
        "  Ana\tleft\n(Rome).",
        ["Ana", "left", "(", "Rome", ")", "."],
        [(2, 5), (6, 10), (11, 12), (12, 16), (16, 17), (17, 18)],
    ),
    "repeated word": (
        "the cat and the dog",
        ["the", "cat", "and", "the", "dog"],
        [(0, 3), (4, 7), (8, 11), (12, 15), (16, 19)],
    ),
    "a word inside the previous one": (
        "Mississippi is wide",
        ["Mississippi", "is", "wide"],
        [(0, 11), (12, 14), (15, 19)],
    ),
    "accents": ("Zoë visited Zürich", ["Zoë", "visited", "Zürich"], [(0, 3), (4, 11), (12, 18)]),
    "emoji": ("I ❤️ 🇫🇷 !", ["I", "❤️", "🇫🇷", "!"], [(0, 1), (2, 4), (5, 7), (8, 9)]),
    "right-to-left": ("محمد في القاهرة", ["محمد", "في", "القاهرة"], [(0, 4), (5, 7), (8, 15)]),
    "no spaces (Chinese)": ("我住在北京", ["我", "住在", "北京"], [(0, 1), (1, 3), (3, 5)]),
}


@pytest.mark.parametrize(
    ("text", "words", "expected"), OFFSET_CASES.values(), ids=OFFSET_CASES.keys()
)
def test_2_5_word_offsets(step, text, words, expected):
    got = step.word_offsets(text, words)
    call = call_text("word_offsets", text, words)
    assert_equal(call, got, expected, note="search each word from the end of the previous one")


WORD = st.text(st.characters(exclude_categories=("Z", "C")), min_size=1, max_size=6)
GAP = st.text(" \t\n\u00a0\u3000", min_size=1, max_size=3)


@PROPERTY
@given(words=st.lists(WORD, max_size=8), gaps=st.lists(GAP, min_size=9, max_size=9))
def test_2_5_offsets_slice_the_words_back_out_of_any_text(step, words, gaps):
    text = "".join(gap + word for gap, word in zip(gaps, words, strict=False)) + gaps[-1]
    offsets = step.word_offsets(text, words)
    call = call_text("word_offsets", text, words)
    assert_plain(call, offsets)
    assert_equal(f"[text[s:e] for s, e in {call}]", [text[s:e] for s, e in offsets], words)
    position = 0
    expected = []
    for gap, word in zip(gaps, words, strict=False):
        position += len(gap)
        expected.append((position, position + len(word)))
        position += len(word)
    assert_equal(call, offsets, expected)


MISSING_CASES = {
    "absent word": ("Ana lives in Rome", ["Ana", "Paris"], "'Paris'", "3"),
    "words out of order": ("in Rome Ana", ["Ana", "Rome"], "'Rome'", "11"),
}


@pytest.mark.parametrize(
    ("text", "words", "word", "searched_from"), MISSING_CASES.values(), ids=MISSING_CASES.keys()
)
def test_2_5_a_missing_word_is_a_value_error(step, text, words, word, searched_from):
    _expect_value_error(
        call_text("word_offsets", text, words),
        step.word_offsets,
        text,
        words,
        mentions=[word, searched_from],
        absent=[repr(other) for other in words if repr(other) != word],
    )


# -- 2.6 align labels --------------------------------------------------------------------------


def test_2_6_special_tokens_and_continuations_get_minus_100(step):
    word_ids = [None, 0, 1, 1, 1, None]
    labels = ["O", "B-PER"]
    got = step.align_labels(word_ids, labels, LABEL_TO_ID)
    _assert_alignment(
        call_text("align_labels", word_ids, labels, LABEL_TO_ID),
        ["w0", "w1"],
        labels,
        ["[CLS]", "w0", "w1", "##a", "##b", "[SEP]"],
        word_ids,
        got,
        [IGNORE, 4, 1, IGNORE, IGNORE, IGNORE],
    )


#: word ids without special tokens, or with special tokens in other places than [CLS] ... [SEP]
SPECIAL_TOKEN_LAYOUTS = {
    "none (add_special_tokens=False)": [0, 1, 1, 2],
    "only one at the end (like T5's </s>)": [0, 1, 1, 2, None],
    "two at the start": [None, None, 0, 1, 1, 2, None],
}


@pytest.mark.parametrize("word_ids", SPECIAL_TOKEN_LAYOUTS.values(), ids=SPECIAL_TOKEN_LAYOUTS)
def test_2_6_special_tokens_are_wherever_word_ids_say(step, word_ids):
    labels = ["B-PER", "I-PER", "O"]
    got = step.align_labels(word_ids, labels, LABEL_TO_ID)
    expected = [
        IGNORE if word is None or word == previous else LABEL_TO_ID[labels[word]]
        for previous, word in zip([None, *word_ids], word_ids, strict=False)
    ]
    tokens = ["[special]" if word is None else f"w{word}" for word in word_ids]
    _assert_alignment(
        call_text("align_labels", word_ids, labels, LABEL_TO_ID),
        ["w0", "w1", "w2"],
        labels,
        tokens,
        word_ids,
        got,
        expected,
        note="only word id None marks a special token: do not assume one at each end",
    )


def test_2_6_aligns_minilm_without_special_tokens(step, minilm):
    tokens, word_ids = encode_words(minilm, MINILM_WORDS, add_special_tokens=False)
    rows = MINILM_ROWS[1:-1]
    assert_equal(
        "MiniLM tokens of " + repr(MINILM_WORDS) + ", add_special_tokens=False",
        (tokens, word_ids),
        ([row[0] for row in rows], [row[1] for row in rows]),
        "the packaged tokenizer splits differently from what this test assumes",
    )
    got = step.align_labels(word_ids, MINILM_LABELS, LABEL_TO_ID)
    call = call_text("align_labels", word_ids, MINILM_LABELS, LABEL_TO_ID)
    expected = _ids([row[2] for row in rows])
    _assert_alignment(call, MINILM_WORDS, MINILM_LABELS, tokens, word_ids, got, expected)


@pytest.mark.parametrize("label_all_subwords", [False, True], ids=["first-subword", "all-subwords"])
def test_2_6_aligns_a_minilm_sentence(step, minilm, label_all_subwords):
    tokens, word_ids = encode_words(minilm, MINILM_WORDS)
    assert_equal(
        "MiniLM tokens of " + repr(MINILM_WORDS),
        (tokens, word_ids),
        ([row[0] for row in MINILM_ROWS], [row[1] for row in MINILM_ROWS]),
        "the packaged tokenizer splits differently from what this test assumes",
    )
    column = 3 if label_all_subwords else 2
    expected = _ids([row[column] for row in MINILM_ROWS])
    got = step.align_labels(
        word_ids, MINILM_LABELS, LABEL_TO_ID, label_all_subwords=label_all_subwords
    )
    call = call_text(
        "align_labels", word_ids, MINILM_LABELS, LABEL_TO_ID, label_all_subwords=label_all_subwords
    )
    _assert_alignment(call, MINILM_WORDS, MINILM_LABELS, tokens, word_ids, got, expected)


def test_2_6_aligns_a_tiny_cased_tokenizer(step, tiny_cased):
    tokens, word_ids = encode_words(tiny_cased, TINY_WORDS)
    assert_equal(
        "tiny tokens of " + repr(TINY_WORDS),
        tokens,
        ["[CLS]", "Ana", "play", "##ing", "in", "Zur", "##ich", "!", "[SEP]"],
    )
    got = step.align_labels(word_ids, TINY_LABELS, LABEL_TO_ID, label_all_subwords=True)
    expected = _ids([IGNORE, "B-PER", "O", "O", "O", "B-LOC", "I-LOC", "O", IGNORE])
    call = call_text("align_labels", word_ids, TINY_LABELS, LABEL_TO_ID, label_all_subwords=True)
    _assert_alignment(call, TINY_WORDS, TINY_LABELS, tokens, word_ids, got, expected)


def test_2_6_truncated_words_are_simply_not_labelled(step, minilm):
    tokens, word_ids = encode_words(minilm, MINILM_WORDS, truncation=True, max_length=5)
    got = step.align_labels(word_ids, MINILM_LABELS, LABEL_TO_ID)
    expected = _ids([IGNORE, "B-PER", "I-PER", IGNORE, IGNORE])
    call = call_text("align_labels", word_ids, MINILM_LABELS, LABEL_TO_ID)
    _assert_alignment(call, MINILM_WORDS, MINILM_LABELS, tokens, word_ids, got, expected)


#: (word ids, labels, label_all_subwords, what the message mentions, what it must not: what
#: is wrong in the other cases)
ALIGN_ERRORS = {
    "unknown label": (
        [None, 0, 1, None],
        ["O", "B-DATE"],
        False,
        ["'B-DATE'"],
        ["'I-ORG'", "-1"],
    ),
    "no I- label for a continuation": (
        [None, 0, 0, None],
        ["B-ORG"],
        True,
        ["'I-ORG'"],
        ["'B-DATE'", "-1"],
    ),
    "word id too large": (
        [None, 0, 2, None],
        ["O", "O"],
        False,
        ["2"],
        ["'B-DATE'", "'I-ORG'", "-1"],
    ),
    "negative word id": (
        [None, 0, -1, None],
        ["O", "B-PER"],
        False,
        ["-1"],
        ["'B-DATE'", "'I-ORG'"],
    ),
}


@pytest.mark.parametrize(
    ("word_ids", "labels", "all_subwords", "mentions", "absent"),
    ALIGN_ERRORS.values(),
    ids=ALIGN_ERRORS.keys(),
)
def test_2_6_bad_input_is_a_value_error(step, word_ids, labels, all_subwords, mentions, absent):
    label_to_id = {**LABEL_TO_ID, "B-ORG": 5}
    _expect_value_error(
        call_text("align_labels", word_ids, labels, label_to_id, label_all_subwords=all_subwords),
        lambda *args: step.align_labels(*args, label_all_subwords=all_subwords),
        word_ids,
        labels,
        label_to_id,
        mentions=mentions,
        absent=absent,
    )


# -- 2.7 word predictions ----------------------------------------------------------------------


def test_2_7_each_word_takes_its_first_subword(step, minilm):
    tokens, word_ids = encode_words(minilm, MINILM_WORDS)
    got = step.word_predictions(word_ids, tokens)
    expected = ["jurgen", "k", "visited", "sa", "[UNK]", "!"]
    assert_tags(
        call_text("word_predictions", word_ids, tokens),
        MINILM_WORDS,
        got,
        expected,
        note="here the 'predictions' are the tokens themselves",
    )


@PROPERTY
@given(counts=st.lists(st.integers(1, 4), max_size=12), data=st.data())
def test_2_7_undoes_align_labels(step, counts, data):
    labels = data.draw(
        st.lists(st.sampled_from(sorted(LABEL_TO_ID)), min_size=len(counts), max_size=len(counts))
    )
    word_ids = [None] + [word for word, count in enumerate(counts) for _ in range(count)] + [None]
    aligned = step.align_labels(word_ids, labels, LABEL_TO_ID)
    got = step.word_predictions(word_ids, aligned)
    assert_tags(
        call_text("word_predictions", word_ids, aligned),
        labels,
        got,
        _ids(labels),
        note="word_predictions(word_ids, align_labels(word_ids, labels, ...)) gives the ids back",
    )


def test_2_7_a_word_without_tokens_is_a_value_error(step, minilm):
    words = ["Ana", "\u200e", "lives"]  # the left-to-right mark becomes no token at all
    tokens, word_ids = encode_words(minilm, words)
    _expect_value_error(
        call_text("word_predictions", word_ids, tokens),
        step.word_predictions,
        word_ids,
        tokens,
        mentions=["1"],
        absent=["0", "2"],
    )


def test_2_7_works_without_special_tokens(step):
    word_ids = [0, 0, 1, 2, 2]
    predictions = ["B-PER", "I-PER", "O", "B-LOC", "I-LOC"]
    got = step.word_predictions(word_ids, predictions)
    assert_tags(
        call_text("word_predictions", word_ids, predictions),
        ["w0", "w1", "w2"],
        got,
        ["B-PER", "O", "B-LOC"],
        note="only word id None marks a special token: do not drop the first or last token",
    )


PREDICTION_ERRORS = {
    "lengths differ": ([None, 0, 1, None], ["O", "O"], []),
    "negative word id": ([None, 0, -2, None], ["O", "O", "O", "O"], ["-2"]),
}


@pytest.mark.parametrize(
    ("word_ids", "predictions", "mentions"),
    PREDICTION_ERRORS.values(),
    ids=PREDICTION_ERRORS.keys(),
)
def test_2_7_bad_input_is_a_value_error(step, word_ids, predictions, mentions):
    _expect_value_error(
        call_text("word_predictions", word_ids, predictions),
        step.word_predictions,
        word_ids,
        predictions,
        mentions=mentions,
    )


def test_2_7_no_words_no_predictions(step):
    assert_equal(
        call_text("word_predictions", [None, None], [0, 0]),
        step.word_predictions([None, None], [0, 0]),
        [],
    )


# -- 2.8 plan windows --------------------------------------------------------------------------

WINDOW_CASES = {
    "everything fits": ([1, 2, 1], 10, 0, [(0, 3)]),
    "exactly full": ([2, 2], 4, 0, [(0, 2)]),
    "two windows": ([1, 3, 1, 2], 4, 0, [(0, 2), (2, 4)]),
    "a word longer than a window": ([2, 10, 2], 4, 0, [(0, 1), (1, 2), (2, 3)]),
    "overlap of one word": ([1, 1, 1, 1, 1], 3, 1, [(0, 3), (2, 5)]),
    "overlap larger than a window": ([1] * 6, 3, 10, [(0, 3), (1, 4), (2, 5), (3, 6)]),
    "empty sentence": ([], 4, 0, []),
}


@pytest.mark.parametrize(
    ("counts", "max_subwords", "overlap", "expected"),
    WINDOW_CASES.values(),
    ids=WINDOW_CASES.keys(),
)
def test_2_8_plan_windows(step, counts, max_subwords, overlap, expected):
    got = step.plan_windows(counts, max_subwords, overlap=overlap)
    assert_equal(call_text("plan_windows", counts, max_subwords, overlap=overlap), got, expected)


@PROPERTY
@given(counts=SUBWORD_COUNTS, max_subwords=st.integers(1, 10), overlap=st.integers(0, 12))
def test_2_8_windows_fit_cover_and_advance(step, counts, max_subwords, overlap):
    call = call_text("plan_windows", counts, max_subwords, overlap=overlap)
    windows = step.plan_windows(counts, max_subwords, overlap=overlap)
    assert_plain(call, windows)
    if not counts:
        assert_equal(call, windows, [])
        return
    assert_equal(
        f"first start and last end of {call}", (windows[0][0], windows[-1][1]), (0, len(counts))
    )
    for start, end in windows:
        fits = sum(counts[start:end]) <= max_subwords or end - start == 1
        assert fits, f"{call} returned {windows}: window ({start}, {end}) does not fit"
    for (start, end), (next_start, next_end) in pairwise(windows):
        advances = start < next_start <= end < next_end
        assert advances, (
            f"{call} returned {windows}: ({start}, {end}) then ({next_start}, {next_end}) "
            "must leave no gap and each window must bring new words"
        )
        assert end - next_start <= overlap, f"{call} returned {windows}: windows share too much"
    if sum(counts) <= max_subwords:
        assert_equal(call, windows, [(0, len(counts))], "everything fits in one window")


@PROPERTY
@given(length=st.integers(0, 30), max_subwords=st.integers(2, 8), overlap=st.integers(0, 7))
def test_2_8_windows_share_overlap_words_when_they_can(step, length, max_subwords, overlap):
    overlap = min(overlap, max_subwords - 1)
    windows = step.plan_windows([1] * length, max_subwords, overlap=overlap)
    assert_plain(call_text("plan_windows", [1] * length, max_subwords, overlap=overlap), windows)
    shared = [end - next_start for (_, end), (next_start, _) in pairwise(windows)]
    assert_equal(
        f"the words shared by consecutive windows of "
        f"{call_text('plan_windows', [1] * length, max_subwords, overlap=overlap)}",
        shared,
        [overlap] * len(shared),
    )


def test_2_8_windows_of_a_long_minilm_sentence_fit_the_model(step, minilm):
    words = ["The", "Schwarzenegger", "Klinsmann", "Kowalczyk", "delegation", "reached"]
    words += ["Ouagadougou", ",", "Saarbrücken", "and", "Huggingface", "headquarters", "today"]
    counts = [len(minilm.tokenize(word)) for word in words]
    max_seq_length = 10
    windows = step.plan_windows(counts, max_seq_length - 2, overlap=2)
    call = call_text("plan_windows", counts, max_seq_length - 2, overlap=2)
    assert_plain(call, windows)
    covered = sorted({word for start, end in windows for word in range(start, end)})
    assert_equal(f"the words covered by {call}", covered, list(range(len(words))))
    for start, end in windows:
        tokens, _ = encode_words(minilm, words[start:end])
        assert len(tokens) <= max_seq_length, (
            f"{call} returned {windows}: window ({start}, {end}) is {len(tokens)} tokens, "
            f"more than max_seq_length={max_seq_length}:\n{tokens}"
        )


@pytest.mark.parametrize(("max_subwords", "overlap"), [(0, 0), (-3, 0), (4, -1)])
def test_2_8_bad_arguments_are_value_errors(step, max_subwords, overlap):
    _expect_value_error(
        call_text("plan_windows", [1, 1], max_subwords, overlap=overlap),
        lambda *args: step.plan_windows(*args, overlap=overlap),
        [1, 1],
        max_subwords,
        mentions=[],
    )


# -- 2.9 merge windows -------------------------------------------------------------------------


def test_2_9_the_window_with_most_context_wins(step):
    windows = [(0, 4), (2, 6)]
    predictions = [["a0", "a1", "a2", "a3"], ["b2", "b3", "b4", "b5"]]
    got = step.merge_windows(windows, predictions)
    assert_tags(
        call_text("merge_windows", windows, predictions),
        [f"word {i}" for i in range(6)],
        got,
        ["a0", "a1", "a2", "b3", "b4", "b5"],
        note="word 2 is 1 word from an edge of (0, 4) but at the edge of (2, 6); "
        "word 3 the other way round",
    )


def test_2_9_a_tie_goes_to_the_earlier_window(step):
    windows, predictions = [(0, 2), (1, 3)], [["a0", "a1"], ["b1", "b2"]]
    got = step.merge_windows(windows, predictions)
    assert_tags(
        call_text("merge_windows", windows, predictions),
        ["word 0", "word 1", "word 2"],
        got,
        ["a0", "a1", "b2"],
        note="word 1 is at an edge of both windows: the first window wins",
    )


MERGE_CASES = {
    "a short window after a long one": (
        [(0, 6), (4, 7)],
        ["a0", "a1", "a2", "a3", "a4", "a5"],
        ["b4", "b5", "b6"],
        ["a0", "a1", "a2", "a3", "a4", "b5", "b6"],
    ),
    "a long window after a short one": (
        [(0, 3), (1, 8)],
        ["a0", "a1", "a2"],
        ["b1", "b2", "b3", "b4", "b5", "b6", "b7"],
        ["a0", "a1", "b2", "b3", "b4", "b5", "b6", "b7"],
    ),
}


@pytest.mark.parametrize(
    ("windows", "first", "second", "expected"), MERGE_CASES.values(), ids=MERGE_CASES.keys()
)
def test_2_9_windows_of_different_lengths(step, windows, first, second, expected):
    got = step.merge_windows(windows, [first, second])
    assert_tags(
        call_text("merge_windows", windows, [first, second]),
        [f"word {i}" for i in range(len(expected))],
        got,
        expected,
        note="context = min(word - start, end - 1 - word): the distance to the nearest edge "
        "of that window; the largest context wins, the earlier window on a tie",
    )


def test_2_9_three_windows_share_a_word(step):
    windows = [(0, 3), (1, 4), (2, 5)]
    predictions = [["a0", "a1", "a2"], ["b1", "b2", "b3"], ["c2", "c3", "c4"]]
    got = step.merge_windows(windows, predictions)
    assert_tags(
        call_text("merge_windows", windows, predictions),
        [f"word {i}" for i in range(5)],
        got,
        ["a0", "a1", "b2", "c3", "c4"],
        note="word 2 is in all three windows and in the middle of (1, 4) only; word 1 is in "
        "the middle of (0, 3), word 3 in the middle of (2, 5)",
    )


def best_window(windows: Sequence[tuple[int, int]], word: int) -> int:
    """The index of the window where ``word`` is farthest from an edge; the first on a tie."""
    holding = [index for index, (start, end) in enumerate(windows) if start <= word < end]
    return max(holding, key=lambda i: (min(word - windows[i][0], windows[i][1] - 1 - word), -i))


@PROPERTY
@given(windows=covering_windows())
def test_2_9_each_word_comes_from_the_window_with_most_context(step, windows):
    pieces = [
        [f"w{index}:{word}" for word in range(start, end)]
        for index, (start, end) in enumerate(windows)
    ]
    count = windows[-1][1] if windows else 0
    expected = [f"w{best_window(windows, word)}:{word}" for word in range(count)]
    got = step.merge_windows(windows, pieces)
    assert_tags(
        call_text("merge_windows", windows, "<'w<window>:<word>' for each word>"),
        [f"word {i}" for i in range(count)],
        got,
        expected,
        note="'w1:5' is word 5 as predicted by window 1; context = min(word - start, "
        "end - 1 - word), the largest wins, the earlier window on a tie",
    )


def test_2_9_a_single_window_is_its_predictions(step):
    assert_equal(
        call_text("merge_windows", [(0, 3)], [["O", "B-PER", "I-PER"]]),
        step.merge_windows([(0, 3)], [["O", "B-PER", "I-PER"]]),
        ["O", "B-PER", "I-PER"],
    )


@PROPERTY
@given(windows=covering_windows())
def test_2_9_merging_split_predictions_gives_them_back(step, windows):
    truth = [f"p{i}" for i in range(windows[-1][1] if windows else 0)]
    pieces = [truth[start:end] for start, end in windows]
    got = step.merge_windows(windows, pieces)
    assert_tags(call_text("merge_windows", windows, pieces), truth, got, truth)


#: (windows, predictions, what the message mentions, what it must not: the window that is
#: right, the window of the other case)
MERGE_ERRORS = {
    "predictions shorter than a window": (
        [(0, 2), (1, 3)],
        [["O", "O"], ["O"]],
        ["(1, 3)"],
        ["(0, 2)"],
    ),
    "a word in no window": ([(0, 2), (3, 4)], [["O", "O"], ["O"]], ["2"], ["(1, 3)"]),
    "fewer prediction lists than windows": ([(0, 2), (1, 3)], [["O", "O"]], [], []),
}


@pytest.mark.parametrize(
    ("windows", "predictions", "mentions", "absent"),
    MERGE_ERRORS.values(),
    ids=MERGE_ERRORS.keys(),
)
def test_2_9_inconsistent_windows_are_value_errors(step, windows, predictions, mentions, absent):
    _expect_value_error(
        call_text("merge_windows", windows, predictions),
        step.merge_windows,
        windows,
        predictions,
        mentions=mentions,
        absent=absent,
    )


def test_2_9_no_windows_no_predictions(step):
    assert_equal(call_text("merge_windows", [], []), step.merge_windows([], []), [])
