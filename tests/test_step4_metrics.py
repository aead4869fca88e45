"""Step 4 · evaluation metrics: entity-level scores, reports, confusion and error analysis."""

from __future__ import annotations

import functools
import json
import math
import warnings
from collections import Counter
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.harness.show import (
    assert_close,
    assert_equal,
    assert_plain,
    assert_type,
    assert_value_error,
    call_text,
    short_repr,
    type_name,
)

pytestmark = pytest.mark.step4

PROPERTY = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
)
TAGS = ["O", "O", "O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]
SAME_TAG = st.sampled_from(TAGS).map(lambda tag: (tag, tag))
ANY_TWO_TAGS = st.sampled_from([(true, predicted) for true in TAGS for predicted in TAGS])
SENTENCES = st.lists(
    st.lists(st.one_of(SAME_TAG, ANY_TWO_TAGS), min_size=1, max_size=10), min_size=1, max_size=5
)


@st.composite
def true_and_predicted(draw: st.DrawFn) -> tuple[list[list[str]], list[list[str]]]:
    """Random sentences of tags (stray ``I-X`` included) and a prediction that copies some."""
    sentences = draw(SENTENCES)
    true = [[pair[0] for pair in sentence] for sentence in sentences]
    predicted = [[pair[1] for pair in sentence] for sentence in sentences]
    return true, predicted


@pytest.fixture(scope="session")
def seqeval() -> SimpleNamespace:
    """seqeval, the library the property tests compare with (imported on first use)."""
    from seqeval.metrics import classification_report, f1_score, precision_score, recall_score
    from seqeval.metrics.sequence_labeling import get_entities
    from seqeval.scheme import IOB2

    return SimpleNamespace(
        classification_report=classification_report,
        scores={"precision": precision_score, "recall": recall_score, "f1": f1_score},
        get_entities=get_entities,
        IOB2=IOB2,
    )


def entities(seqeval: SimpleNamespace, sentences: list[list[str]]) -> dict[tuple, str]:
    """``{(sentence, start, end exclusive): type}`` of each entity, as seqeval's default mode."""
    return {
        (index, start, end + 1): kind
        for index, tags in enumerate(sentences)
        for kind, start, end in seqeval.get_entities(tags)
    }


def quietly(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a seqeval function without its zero-division warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


#: Computed scores: numbers within 1e-6 of the expected ones count as equal.
assert_near = functools.partial(assert_equal, tolerance=1e-6)


# 4.1 token_accuracy ------------------------------------------------------------------------


def test_4_1_token_accuracy_is_the_share_of_equal_tags(step):
    true, predicted = [["B-PER", "O", "O", "O"]], [["O", "O", "O", "O"]]
    got = step.token_accuracy(true, predicted)
    assert_close(call_text("token_accuracy", true, predicted), got, 0.75)


def test_4_1_b_and_i_are_part_of_the_tag(step):
    true = [["B-LOC", "I-LOC", "O", "B-PER", "I-PER"]]
    predicted = [["I-LOC", "B-LOC", "O", "I-PER", "B-PER"]]
    got = step.token_accuracy(true, predicted)
    assert_close(
        call_text("token_accuracy", true, predicted),
        got,
        0.2,
        note="only the O is right: I-LOC is not B-LOC, even though both are LOC",
    )


def test_4_1_token_accuracy_counts_tokens_not_sentences(step):
    true = [["O"], ["B-LOC", "I-LOC", "O", "O", "B-PER", "I-PER", "O", "O", "O"]]
    predicted = [["O"], ["B-ORG", "I-ORG", "O", "O", "I-PER", "B-PER", "B-LOC", "O", "B-LOC"]]
    got = step.token_accuracy(true, predicted)
    assert_close(
        call_text("token_accuracy", true, predicted),
        got,
        0.4,
        note="4 of the 10 tokens are right (1 + 3); the mean of the per-sentence accuracies "
        "would be (1 + 3/9) / 2 = 0.67, and padding both sentences to 9 tokens gives 4/18",
    )


@pytest.mark.parametrize("tags", [[], [[]], [[], []]], ids=["no sentences", "[[]]", "[[], []]"])
def test_4_1_token_accuracy_of_no_tokens_is_zero(step, tags):
    got = step.token_accuracy(tags, tags)
    assert_equal(call_text("token_accuracy", tags, tags), got, 0.0)


@pytest.mark.parametrize(
    ("true", "predicted"),
    [
        ([["O", "B-PER", "O"]], [["O", "B-PER"]]),
        ([["O"]], [["O"], ["O"]]),
        ([["O", "O"], ["B-PER"]], [["O"], ["B-PER", "O"]]),
    ],
    ids=["a shorter sentence", "more sentences", "same total, different sentences"],
)
def test_4_1_token_accuracy_rejects_different_shapes(step, true, predicted):
    assert_value_error(
        call_text("token_accuracy", true, predicted),
        lambda: step.token_accuracy(true, predicted),
    )


# 4.2 entity_scores -------------------------------------------------------------------------

SCORE_CASES = {
    "perfect": ([["B-PER", "I-PER", "O", "B-LOC"]], [["B-PER", "I-PER", "O", "B-LOC"]], 1, 1),
    "one wrong type": ([["B-PER", "O", "B-LOC"]], [["B-PER", "O", "B-ORG"]], 0.5, 0.5),
    "a wrong boundary is wrong": ([["B-PER", "I-PER", "O"]], [["B-PER", "O", "O"]], 0, 0),
    "the right type at the wrong place": ([["B-PER", "O", "O"]], [["O", "O", "B-PER"]], 0, 0),
    "an I-X after O starts an entity": ([["I-PER", "I-PER", "O"]], [["B-PER", "I-PER", "O"]], 1, 1),
    "an I-X after another type starts one": ([["B-PER", "I-LOC"]], [["B-PER", "B-LOC"]], 1, 1),
    "B-X B-X is two entities": ([["B-PER", "B-PER"]], [["B-PER", "I-PER"]], 0, 0),
    "no entity crosses sentences": ([["O", "B-PER"], ["I-PER"]], [["O", "B-PER"], ["B-PER"]], 1, 1),
    "an invented entity": ([["B-LOC", "O", "O"]], [["B-LOC", "O", "B-PER"]], 0.5, 1),
    "one of four found: f1 is the harmonic mean": (
        [["B-PER", "O", "B-LOC", "O", "B-ORG", "O", "B-PER"]],
        [["B-PER", "O", "O", "O", "O", "O", "O"]],
        1,
        0.25,
    ),
    "sentences given as tuples": ((("B-PER", "I-PER"), ("O",)), (("B-PER", "I-PER"), ("O",)), 1, 1),
}


@pytest.mark.parametrize(
    ("true", "predicted", "precision", "recall"), SCORE_CASES.values(), ids=SCORE_CASES
)
def test_4_2_entity_scores_hand_cases(step, true, predicted, precision, recall):
    got = step.entity_scores(true, predicted)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    expected = {"precision": precision, "recall": recall, "f1": f1}
    assert_near(call_text("entity_scores", true, predicted), got, expected)


def test_4_2_entity_scores_are_micro_averages_over_all_entities(step):
    true = [["B-PER", "O", "B-LOC", "B-ORG", "I-ORG", "O", "B-PER"], ["O", "B-LOC", "O"]]
    predicted = [["B-PER", "O", "B-LOC", "B-ORG", "I-ORG", "O", "B-PER"], ["O", "B-ORG", "O"]]
    got = step.entity_scores(true, predicted)
    assert_near(
        call_text("entity_scores", true, predicted),
        got,
        {"precision": 0.8, "recall": 0.8, "f1": 0.8},
        note="4 of the 5 entities are right, all counted together; the mean of the two "
        "sentences' scores (1.0 and 0.0) would be 0.5",
    )


@pytest.mark.parametrize(
    ("true", "predicted"),
    [([], []), ([[]], [[]]), ([["O"]], [["O"]]), ([["O", "B-PER"]], [["O", "O"]])],
    ids=["no sentences", "an empty sentence", "no entities", "nothing predicted"],
)
def test_4_2_entity_scores_are_zero_when_nothing_is_found(step, true, predicted):
    got = step.entity_scores(true, predicted)
    expected = {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert_near(
        call_text("entity_scores", true, predicted), got, expected, "a division by 0 gives 0.0"
    )


@PROPERTY
@given(true_and_predicted())
def test_4_2_entity_scores_match_seqeval_default_mode(step, seqeval, sentences):
    true, predicted = sentences
    expected = {
        name: float(quietly(score, true, predicted)) for name, score in seqeval.scores.items()
    }
    got = step.entity_scores(true, predicted)
    assert_near(call_text("entity_scores", true, predicted), got, expected)


def test_4_2_an_all_o_model_has_high_accuracy_and_zero_f1(step):
    true = [["O"] * 9 + ["B-PER"], ["O"] * 8 + ["B-LOC", "I-LOC"]]
    predicted = [["O"] * 10, ["O"] * 10]
    accuracy = step.token_accuracy(true, predicted)
    scores = step.entity_scores(true, predicted)
    assert_close(call_text("token_accuracy", true, predicted), accuracy, 0.85)
    assert_close(call_text("entity_scores", true, predicted) + "['f1']", scores["f1"], 0.0)


@pytest.mark.parametrize(
    ("true", "predicted", "fragments", "absent"),
    [
        ([["O"], ["B-PER"]], [["O"]], ("2", "1"), ()),
        (
            [["O"], ["O", "B-PER", "I-PER", "O"]],
            [["O"], ["O", "B-PER", "O"]],
            ("sentence 1", "4", "3"),
            ("sentence 0", "sentence 2"),
        ),
    ],
    ids=["different numbers of sentences", "different sentence lengths"],
)
def test_4_2_entity_scores_rejects_different_shapes(step, true, predicted, fragments, absent):
    assert_value_error(
        call_text("entity_scores", true, predicted),
        lambda: step.entity_scores(true, predicted),
        *fragments,
        absent=absent,
        note="name the one sentence (counted from 0) whose lengths differ",
    )


@pytest.mark.parametrize(
    ("true", "predicted"),
    [
        ([["B-PER", "O"]], [[1, 0]]),
        ([["PER", "O"]], [["B-PER", "O"]]),
        ([["B-PER", "O"]], [["S-PER", "O"]]),
    ],
    ids=["label ids", "a type without B-/I-", "an IOBES tag"],
)
def test_4_2_entity_scores_rejects_values_that_are_not_tags(step, true, predicted):
    assert_value_error(
        call_text("entity_scores", true, predicted),
        lambda: step.entity_scores(true, predicted),
    )


# 4.3 per_type_report -----------------------------------------------------------------------

AVERAGES = ["micro avg", "macro avg", "weighted avg"]

# PER: 3 true, 4 predicted, 3 right. LOC: 1 true, predicted as ORG. ORG: 0 true, 1 predicted.
REPORT_TRUE = [["B-PER", "O", "B-PER", "I-PER"], ["B-LOC", "O", "B-PER", "O"]]
REPORT_PREDICTED = [["B-PER", "O", "B-PER", "I-PER"], ["B-ORG", "O", "B-PER", "B-PER"]]
PER_F1 = 2 * 0.75 * 1.0 / 1.75
REPORT = {
    "LOC": {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1},
    "ORG": {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0},
    "PER": {"precision": 0.75, "recall": 1.0, "f1": PER_F1, "support": 3},
    "micro avg": {"precision": 0.6, "recall": 0.75, "f1": 2 * 0.6 * 0.75 / 1.35, "support": 4},
    "macro avg": {"precision": 0.75 / 3, "recall": 1 / 3, "f1": PER_F1 / 3, "support": 4},
    "weighted avg": {"precision": 0.75 * 3 / 4, "recall": 0.75, "f1": PER_F1 * 3 / 4, "support": 4},
}


def test_4_3_per_type_report_rows_in_order(step):
    report = step.per_type_report(REPORT_TRUE, REPORT_PREDICTED)
    call = call_text("per_type_report", REPORT_TRUE, REPORT_PREDICTED)
    assert_equal(
        f"list({call})",
        list(report),
        ["LOC", "ORG", "PER", *AVERAGES],
        note="the types sorted (ORG is only predicted, never true), then the three averages",
    )


def test_4_3_per_type_report_values(step):
    report = step.per_type_report(REPORT_TRUE, REPORT_PREDICTED)
    assert_near(
        call_text("per_type_report", REPORT_TRUE, REPORT_PREDICTED),
        report,
        REPORT,
        note="PER: 3 true, 4 predicted, 3 right; the LOC was predicted as ORG. "
        "macro avg = mean of the 3 rows; weighted avg = rows weighted by support (1, 0, 3); "
        "micro avg = all entities counted together (3 right of 5 predicted, of 4 true)",
    )


@PROPERTY
@given(true_and_predicted(), st.booleans())
def test_4_3_per_type_report_matches_seqeval(step, seqeval, sentences, strict):
    true, predicted = sentences
    options = {"mode": "strict", "scheme": seqeval.IOB2} if strict else {}
    report = quietly(
        seqeval.classification_report,
        true,
        predicted,
        output_dict=True,
        zero_division=0,
        **options,
    )
    expected = {
        name: {
            "precision": float(np.nan_to_num(row["precision"])),
            "recall": float(np.nan_to_num(row["recall"])),
            "f1": float(np.nan_to_num(row["f1-score"])),
            "support": int(row["support"]),
        }
        for name, row in report.items()
    }
    got = step.per_type_report(true, predicted, strict=strict)
    assert_near(call_text("per_type_report", true, predicted, strict=strict), got, expected)


def test_4_3_strict_mode_ignores_an_entity_that_starts_with_i(step):
    true, predicted = [["B-PER", "I-PER", "O"]], [["I-PER", "I-PER", "O"]]
    default = step.per_type_report(true, predicted)
    strict = step.per_type_report(true, predicted, strict=True)
    assert_plain(call_text("per_type_report", true, predicted), default)
    assert_plain(call_text("per_type_report", true, predicted, strict=True), strict)
    assert_close(
        call_text("per_type_report", true, predicted) + "['PER']['f1']",
        default["PER"]["f1"],
        1.0,
        note="default mode (like conlleval) reads I-PER I-PER as one PER entity",
    )
    assert_close(
        call_text("per_type_report", true, predicted, strict=True) + "['PER']['f1']",
        strict["PER"]["f1"],
        0.0,
        note="strict IOB2 mode: an entity must start with B-, so nothing was predicted",
    )


def _kinds(report: Any) -> dict[str, dict[str, str]]:
    """The type of each value, ``float``/``int`` when JSON can store it as such."""

    def kind(value: Any) -> str:
        if type(value) not in (int, float):
            return type_name(type(value))
        if type(value) is float and math.isnan(value):
            return "NaN"
        return type_name(type(value))

    return {name: {key: kind(value) for key, value in row.items()} for name, row in report.items()}


@pytest.mark.parametrize(
    ("true", "predicted"),
    [(REPORT_TRUE, REPORT_PREDICTED), ([["O", "O"]], [["O", "O"]])],
    ids=["some entities", "no entities"],
)
def test_4_3_per_type_report_is_plain_json_without_nan(step, true, predicted):
    report = step.per_type_report(true, predicted)
    call = call_text("per_type_report", true, predicted)
    assert_type(call, report, dict)
    for name, values in report.items():
        assert_type(f"{call}[{short_repr(name)}]", values, dict)
    row = {"precision": "float", "recall": "float", "f1": "float", "support": "int"}
    assert_equal(
        f"the types of the values of {call}",
        _kinds(report),
        {name: row for name in report},
        note="scores are float, support is int (not a NumPy number); an undefined score is 0.0",
    )
    assert_equal(
        f"{call}, compared with json.loads(json.dumps(it))", report, json.loads(json.dumps(report))
    )


@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
def test_4_3_no_sentences_give_zero_averages(step, strict):
    got = step.per_type_report([], [], strict=strict)
    zero = {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    assert_equal(
        call_text("per_type_report", [], [], strict=strict), got, dict.fromkeys(AVERAGES, zero)
    )


@pytest.mark.parametrize(
    ("true", "predicted", "fragments", "absent"),
    [
        ([["O", "B-PER"]], [["O"]], ("sentence 0", "2", "1"), ("sentence 1",)),
        ([["O"], ["O"]], [["O"]], ("2", "1"), ()),
        ([["B-PER"]], [[3]], (), ()),
    ],
    ids=["different sentence lengths", "different numbers of sentences", "a label id"],
)
def test_4_3_per_type_report_rejects_bad_input(step, true, predicted, fragments, absent):
    assert_value_error(
        call_text("per_type_report", true, predicted),
        lambda: step.per_type_report(true, predicted),
        *fragments,
        absent=absent,
    )


# 4.4 entity_confusion ----------------------------------------------------------------------


def cells(labels: list[str], matrix: Any) -> dict[str, int]:
    """The non-zero cells of a confusion matrix, as ``{"true -> predicted": count}``."""
    rows = np.asarray(matrix).tolist()
    return {
        f"{true} -> {predicted}": count
        for true, row in zip(labels, rows, strict=False)
        for predicted, count in zip(labels, row, strict=False)
        if count
    }


def _assert_confusion(call: str, got: Any, labels: list[str], expected: dict[str, int]) -> None:
    __tracebackhide__ = True
    assert_type(call, got, tuple, note="return (labels, matrix)")
    assert_equal(f"len({call})", len(got), 2, note="return (labels, matrix)")
    got_labels, matrix = got
    assert_equal(f"{call}[0] (the labels)", got_labels, labels)
    assert_type(f"{call}[1]", matrix, np.ndarray, note="the matrix is a NumPy array")
    assert_equal(
        f"{call}[1].dtype.kind",
        matrix.dtype.kind in "iu",
        True,
        note=f"the counts are integers, not {matrix.dtype}",
    )
    assert_equal(f"{call}[1].shape", matrix.shape, (len(labels), len(labels)))
    assert_equal(
        f"the non-zero cells of {call}[1], as 'true -> predicted'",
        cells(labels, matrix),
        expected,
        note="rows are true types, columns predicted ones",
    )


def test_4_4_entity_confusion_pairs_entities_at_the_same_place(step):
    true = [["B-PER", "O", "B-LOC"], ["B-ORG", "I-ORG", "O"]]
    predicted = [["B-ORG", "O", "O"], ["B-ORG", "I-ORG", "B-PER"]]
    got = step.entity_confusion(true, predicted)
    _assert_confusion(
        call_text("entity_confusion", true, predicted),
        got,
        ["LOC", "ORG", "PER", "O"],
        {"LOC -> O": 1, "ORG -> ORG": 1, "PER -> ORG": 1, "O -> PER": 1},
    )


def test_4_4_a_type_that_is_only_predicted_has_a_row_and_a_column(step):
    true, predicted = [["B-PER", "O", "O"]], [["B-PER", "O", "B-MISC"]]
    got = step.entity_confusion(true, predicted)
    _assert_confusion(
        call_text("entity_confusion", true, predicted),
        got,
        ["MISC", "PER", "O"],
        {"PER -> PER": 1, "O -> MISC": 1},
    )


def test_4_4_a_wrong_boundary_is_a_miss_and_an_invention(step):
    true, predicted = [["B-LOC", "I-LOC", "I-LOC"]], [["B-LOC", "I-LOC", "O"]]
    got = step.entity_confusion(true, predicted)
    _assert_confusion(
        call_text("entity_confusion", true, predicted),
        got,
        ["LOC", "O"],
        {"LOC -> O": 1, "O -> LOC": 1},
    )


@pytest.mark.parametrize(
    ("true", "predicted"),
    [([], []), ([["O"]], [["O"]]), ([["O", "O"], []], [["O", "O"], []])],
    ids=["no sentences", "one O", "no entities"],
)
def test_4_4_no_entities_gives_a_one_by_one_matrix(step, true, predicted):
    got = step.entity_confusion(true, predicted)
    _assert_confusion(call_text("entity_confusion", true, predicted), got, ["O"], {})


@PROPERTY
@given(true_and_predicted())
def test_4_4_confusion_counts_every_pair(step, seqeval, sentences):
    true, predicted = sentences
    gold, found = entities(seqeval, true), entities(seqeval, predicted)
    pairs = Counter(f"{kind} -> {found.get(place, 'O')}" for place, kind in gold.items())
    pairs.update(f"O -> {kind}" for place, kind in found.items() if place not in gold)
    labels = [*sorted(set(gold.values()) | set(found.values())), "O"]
    got = step.entity_confusion(true, predicted)
    _assert_confusion(call_text("entity_confusion", true, predicted), got, labels, dict(pairs))


@pytest.mark.parametrize(
    ("true", "predicted"),
    [([["O", "B-PER"]], [["O"]]), ([["O"]], [["O"], ["O"]]), ([["PER"]], [["B-PER"]])],
    ids=["different sentence lengths", "different numbers of sentences", "not a tag"],
)
def test_4_4_entity_confusion_rejects_bad_input(step, true, predicted):
    assert_value_error(
        call_text("entity_confusion", true, predicted),
        lambda: step.entity_confusion(true, predicted),
    )


# 4.5 find_errors ---------------------------------------------------------------------------


def error(kind: str, sentence: int, start: int, end: int, type_: str, text: str, context: str):
    return {
        "kind": kind,
        "sentence": sentence,
        "start": start,
        "end": end,
        "type": type_,
        "text": text,
        "context": context,
    }


def test_4_5_wrong_type_is_a_false_negative_and_a_false_positive(step):
    words = [["Ana", "met", "Bo", "in", "Oslo"]]
    true = [["B-PER", "O", "B-PER", "O", "B-LOC"]]
    predicted = [["B-PER", "O", "B-LOC", "O", "B-LOC"]]
    got = step.find_errors(words, true, predicted)
    expected = [
        error("false negative", 0, 2, 3, "PER", "Bo", "Ana met [Bo] in Oslo"),
        error("false positive", 0, 2, 3, "LOC", "Bo", "Ana met [Bo] in Oslo"),
    ]
    assert_equal(call_text("find_errors", words, true, predicted), got, expected)


def test_4_5_boundaries_misses_and_inventions(step):
    words = [["I", "love", "New", "York", "City"], ["Paris", "is", "nice"]]
    true = [["O", "O", "B-LOC", "I-LOC", "I-LOC"], ["B-LOC", "O", "O"]]
    predicted = [["B-PER", "O", "B-LOC", "I-LOC", "O"], ["O", "O", "O"]]
    got = step.find_errors(words, true, predicted, context=1)
    expected = [
        error("false positive", 0, 0, 1, "PER", "I", "[I] love"),
        error("false negative", 0, 2, 5, "LOC", "New York City", "love [New York City]"),
        error("false positive", 0, 2, 4, "LOC", "New York", "love [New York] City"),
        error("false negative", 1, 0, 1, "LOC", "Paris", "[Paris] is"),
    ]
    assert_equal(
        call_text("find_errors", words, true, predicted, context=1),
        got,
        expected,
        note="end is exclusive (the entity is words[start:end]); sorted by sentence, start, kind",
    )


@pytest.mark.parametrize(
    ("context", "expected"),
    [(0, "[Bo]"), (1, "met [Bo] in"), (2, "Ana met [Bo] in Oslo"), (5, "Ana met [Bo] in Oslo")],
)
def test_4_5_context_shows_up_to_n_words_either_side(step, context, expected):
    words = [["Ana", "met", "Bo", "in", "Oslo"]]
    true, predicted = [["O", "O", "B-PER", "O", "O"]], [["O"] * 5]
    errors = step.find_errors(words, true, predicted, context=context)
    call = call_text("find_errors", words, true, predicted, context=context)
    assert_plain(call, errors)
    assert_equal(f"[e['context'] for e in {call}]", [e["context"] for e in errors], [expected])


def test_4_5_correct_predictions_are_not_errors(step):
    words, tags = [["Ana", "met", "Bo"], ["Oslo"]], [["B-PER", "O", "B-PER"], ["B-LOC"]]
    got = step.find_errors(words, tags, tags)
    assert_equal(call_text("find_errors", words, tags, tags), got, [])


def test_4_5_no_sentences_no_errors(step):
    got = step.find_errors([], [], [])
    assert_equal(call_text("find_errors", [], [], []), got, [])


@PROPERTY
@given(true_and_predicted())
def test_4_5_errors_are_the_unmatched_entities(step, seqeval, sentences):
    true, predicted = sentences
    words = [[f"w{i}" for i in range(len(tags))] for tags in true]
    errors = step.find_errors(words, true, predicted)
    assert_plain(call_text("find_errors", words, true, predicted), errors)
    gold, found = entities(seqeval, true), entities(seqeval, predicted)
    got = sorted((e["kind"], e["sentence"], e["start"], e["end"], e["type"]) for e in errors)
    expected = sorted(
        [
            ("false negative", *place, kind)
            for place, kind in gold.items()
            if found.get(place) != kind
        ]
        + [
            ("false positive", *place, kind)
            for place, kind in found.items()
            if gold.get(place) != kind
        ]
    )
    assert_equal(
        call_text("find_errors", words, true, predicted)
        + " as sorted (kind, sentence, start, end, type)",
        got,
        expected,
    )
    order = [(e["sentence"], e["start"], e["kind"]) for e in errors]
    assert_equal("the order of the errors (sentence, start, kind)", order, sorted(order))


@pytest.mark.parametrize(
    ("words", "true", "context"),
    [
        ([["Ana", "met"]], [["B-PER", "O"]], -1),
        ([["Ana"]], [["B-PER", "O"]], 5),
        ([["Ana", "met"], ["Bo"]], [["B-PER", "O"]], 5),
        ([["Ana", "met"]], [["PER", "O"]], 5),
    ],
    ids=["negative context", "fewer words than tags", "more sentences of words", "not a tag"],
)
def test_4_5_find_errors_rejects_bad_arguments(step, words, true, context):
    predicted = [["O", "O"]]
    assert_value_error(
        call_text("find_errors", words, true, predicted, context=context),
        lambda: step.find_errors(words, true, predicted, context=context),
    )
