"""Step 2 · the tag rule shared with steps 1 and 4, and word ids of a sentence pair.

(hints: exercises/hints/step2.md)
"""

from __future__ import annotations

import pytest

from tests.harness.show import assert_equal, assert_value_error, call_text

pytestmark = pytest.mark.step2

IGNORE = -100
TAG_FUNCTIONS = ["iob2_errors", "repair_iob2", "iob1_to_iob2", "tags_to_spans"]
TAG_RULE = (
    "the tag rule of steps 1, 2 and 4: a tag is 'O', or 'B-' or 'I-' and a type of one or more "
    "characters without whitespace, re.fullmatch(r'O|[BI]-\\S+', tag)"
)

# -- 2.2 one tag rule --------------------------------------------------------------------------

#: Tags that step 1 rejects, each with the check that would let it through here.
WHITESPACE_TAGS = {
    "B-PER ": "tag[:2] in ('B-', 'I-') accepts any type, spaces included",
    "I-PER\t": "a type that may end in a tab",
    "B- PER": "a type that starts with a space",
    "B-NEW YORK": "a type with a space inside",
    "I-LOC\n": "a type that ends in a line break",
    "B-PER\u00a0": "a no-break space (whitespace too)",
}


@pytest.mark.parametrize("function", TAG_FUNCTIONS)
@pytest.mark.parametrize("tag", WHITESPACE_TAGS, ids=repr)
def test_2_2_a_type_with_whitespace_is_a_bad_tag(step, function, tag):
    tags = ["B-PER", "I-PER", "O", tag]
    assert_value_error(
        call_text(function, tags),
        lambda: getattr(step, function)(tags),
        repr(tag),
        "3",
        note=f"{WHITESPACE_TAGS[tag]}; {TAG_RULE}; name the bad tag (with !r) and its position",
    )


@pytest.mark.parametrize("function", TAG_FUNCTIONS)
@pytest.mark.parametrize("value", [None, 3, ("B", "PER")], ids=repr)
def test_2_2_a_value_that_is_no_string_is_a_bad_tag(step, function, value):
    tags = ["O", value]
    assert_value_error(
        call_text(function, tags),
        lambda: getattr(step, function)(tags),
        repr(value),
        note=f"a label id or any other value is no tag; {TAG_RULE}",
    )


def test_2_4_any_type_without_whitespace_is_a_type(step):
    tags = ["B-e-mail", "I-e-mail", "O", "I-ÜBER", "B-B-X", "I-B-X", "B-1", "I-geo_loc"]
    expected = [("e-mail", 0, 1), ("ÜBER", 3, 3), ("B-X", 4, 5), ("1", 6, 6), ("geo_loc", 7, 7)]
    assert_equal(
        call_text("tags_to_spans", tags),
        step.tags_to_spans(tags),
        expected,
        note="the type is everything after 'B-' or 'I-'; it may hold '-', digits or accents",
    )


# -- word ids of a sentence pair ---------------------------------------------------------------
# A tokenizer given two sequences (a question and a context, a sentence and the next one) numbers
# the words of each from 0: [CLS] a0 a1 [SEP] b0 b1 [SEP] has word ids
# [None, 0, 1, None, 0, 1, None]. Both functions read the ids as their docstrings define them:
# a token starts a word when its word id differs from the previous token's, and a word's
# prediction is the one of its first token.

LABEL_TO_ID = {"B-LOC": 0, "B-PER": 1, "I-LOC": 2, "I-PER": 3, "O": 4}
PAIR_CASES = {
    "one subword a word": (
        [None, 0, 1, None, 0, 1, None],
        ["B-PER", "O"],
        False,
        [IGNORE, 1, 4, IGNORE, 1, 4, IGNORE],
    ),
    "subwords, first only": (
        [None, 0, 0, 1, None, 0, 1, 1, None],
        ["B-LOC", "O"],
        False,
        [IGNORE, 0, IGNORE, 4, IGNORE, 0, 4, IGNORE, IGNORE],
    ),
    "subwords, all labelled": (
        [None, 0, 0, 1, None, 0, 1, 1, None],
        ["B-LOC", "O"],
        True,
        [IGNORE, 0, 2, 4, IGNORE, 0, 4, 4, IGNORE],
    ),
    "no special token between": (
        [None, 0, 1, 0, 1, None],
        ["B-PER", "I-PER"],
        True,
        [IGNORE, 1, 3, 1, 3, IGNORE],
    ),
}


@pytest.mark.parametrize(
    ("word_ids", "labels", "all_subwords", "expected"), PAIR_CASES.values(), ids=PAIR_CASES
)
def test_2_6_word_ids_that_start_again_start_new_words(
    step, word_ids, labels, all_subwords, expected
):
    call = call_text("align_labels", word_ids, labels, LABEL_TO_ID, label_all_subwords=all_subwords)
    assert_equal(
        call,
        step.align_labels(word_ids, labels, LABEL_TO_ID, label_all_subwords=all_subwords),
        expected,
        note="a token starts a word when its word id differs from the previous token's, so "
        "after [SEP] word 0 starts again and gets its label (B-X, not I-X)",
    )


WORD_CASES = {
    "the same words twice": (
        [None, 0, 1, None, 0, 1, None],
        ["s", "a", "b", "s", "c", "d", "s"],
        ["a", "b"],
    ),
    "subwords on both sides": (
        [None, 0, 0, 1, None, 0, 1, 1, None],
        ["s", "a", "x", "b", "s", "c", "d", "y", "s"],
        ["a", "b"],
    ),
    "a longer second sequence": (
        [None, 0, None, 0, 1, 2, None],
        ["s", "a", "s", "c", "d", "e", "s"],
        ["a", "d", "e"],
    ),
}


@pytest.mark.parametrize(
    ("word_ids", "predictions", "expected"), WORD_CASES.values(), ids=WORD_CASES
)
def test_2_7_a_word_keeps_its_first_tokens_prediction(step, word_ids, predictions, expected):
    assert_equal(
        call_text("word_predictions", word_ids, predictions),
        step.word_predictions(word_ids, predictions),
        expected,
        note="one prediction per word id 0 .. the largest, from the first token with that id",
    )
