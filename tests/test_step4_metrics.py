"""Step 4 · evaluation metrics: entity-level scores, reports, confusion and error analysis."""

from __future__ import annotations

import json
import math
import warnings
from collections import Counter
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from seqeval.metrics import classification_report, f1_score, precision_score, recall_score
from seqeval.metrics.sequence_labeling import get_entities
from seqeval.scheme import IOB2

from tests.harness.show import assert_equal, assert_value_error, call_text

pytestmark = pytest.mark.step4

PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
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


def seqeval_entities(sentences: list[list[str]]) -> set[tuple[int, str, int, int]]:
    """(sentence, type, start, end exclusive) of each entity, as seqeval's default mode cuts."""
    return {
        (index, kind, start, end + 1)
        for index, tags in enumerate(sentences)
        for kind, start, end in get_entities(tags)
    }


def quietly(function: Callable, *args, **kwargs):
    """Call a seqeval function without its zero-division warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


# 4.1 token_accuracy ------------------------------------------------------------------------


def test_4_1_token_accuracy_is_the_share_of_equal_tags(step):
    true, predicted = [["B-PER", "O", "O", "O"]], [["O", "O", "O", "O"]]
    got = step.token_accuracy(true, predicted)
    assert_equal(call_text("token_accuracy", true, predicted), got, 0.75)


def test_4_1_token_accuracy_counts_tokens_not_sentences(step):
    true = [["O"], ["B-LOC", "I-LOC", "O"]]
    predicted = [["O"], ["B-ORG", "I-ORG", "B-PER"]]
    got = step.token_accuracy(true, predicted)
    assert_equal(
        call_text("token_accuracy", true, predicted),
        got,
        0.25,
        note="1 of 4 tokens is right; the mean of per-sentence accuracies would be 0.5",
    )


def test_4_1_token_accuracy_of_no_tokens_is_zero(step):
    got = step.token_accuracy([[]], [[]])
    assert_equal(call_text("token_accuracy", [[]], [[]]), got, 0.0)


def test_4_1_token_accuracy_rejects_different_lengths(step):
    true, predicted = [["O", "B-PER", "O"]], [["O", "B-PER"]]
    assert_value_error(
        call_text("token_accuracy", true, predicted),
        lambda: step.token_accuracy(true, predicted),
        "sentence 0",
    )
    assert_value_error(
        call_text("token_accuracy", [["O"]], [["O"], ["O"]]),
        lambda: step.token_accuracy([["O"]], [["O"], ["O"]]),
    )


# 4.2 entity_scores -------------------------------------------------------------------------

SCORE_CASES = {
    "perfect": ([["B-PER", "I-PER", "O", "B-LOC"]], [["B-PER", "I-PER", "O", "B-LOC"]], 1, 1),
    "one wrong type": ([["B-PER", "O", "B-LOC"]], [["B-PER", "O", "B-ORG"]], 0.5, 0.5),
    "a wrong boundary is wrong": ([["B-PER", "I-PER"]], [["B-PER", "O"]], 0, 0),
    "an I-X after O starts an entity": ([["I-PER", "I-PER", "O"]], [["B-PER", "I-PER", "O"]], 1, 1),
    "an I-X after another type starts one": ([["B-PER", "I-LOC"]], [["B-PER", "B-LOC"]], 1, 1),
    "B-X B-X is two entities": ([["B-PER", "B-PER"]], [["B-PER", "I-PER"]], 0, 0),
    "no entity crosses sentences": ([["O", "B-PER"], ["I-PER"]], [["O", "B-PER"], ["B-PER"]], 1, 1),
    "an invented entity": ([["B-LOC", "O", "O"]], [["B-LOC", "O", "B-PER"]], 0.5, 1),
    "a missed entity": ([["B-LOC", "O", "B-PER"]], [["B-LOC", "O", "O"]], 1, 0.5),
}


@pytest.mark.parametrize(
    ("true", "predicted", "precision", "recall"), SCORE_CASES.values(), ids=SCORE_CASES
)
def test_4_2_entity_scores_hand_cases(step, true, predicted, precision, recall):
    got = step.entity_scores(true, predicted)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    expected = {"precision": float(precision), "recall": float(recall), "f1": pytest.approx(f1)}
    assert_equal(call_text("entity_scores", true, predicted), got, expected)


def test_4_2_entity_scores_are_zero_when_nothing_is_found(step):
    true, predicted = [["O", "B-PER"]], [["O", "O"]]
    got = step.entity_scores(true, predicted)
    expected = {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert_equal(call_text("entity_scores", true, predicted), got, expected)
    got = step.entity_scores([["O"]], [["O"]])
    assert_equal(call_text("entity_scores", [["O"]], [["O"]]), got, expected)


@PROPERTY
@given(true_and_predicted())
def test_4_2_entity_scores_match_seqeval_default_mode(step, sentences):
    true, predicted = sentences
    expected = {
        "precision": quietly(precision_score, true, predicted),
        "recall": quietly(recall_score, true, predicted),
        "f1": quietly(f1_score, true, predicted),
    }
    got = step.entity_scores(true, predicted)
    assert_equal(
        call_text("entity_scores", true, predicted), got, pytest.approx(expected, abs=1e-12)
    )


def test_4_2_an_all_o_model_has_high_accuracy_and_zero_f1(step):
    true = [["O"] * 9 + ["B-PER"], ["O"] * 8 + ["B-LOC", "I-LOC"]]
    predicted = [["O"] * 10, ["O"] * 10]
    accuracy = step.token_accuracy(true, predicted)
    scores = step.entity_scores(true, predicted)
    assert_equal(call_text("token_accuracy", true, predicted), accuracy, 0.85)
    assert_equal(call_text("entity_scores", true, predicted) + "['f1']", scores["f1"], 0.0)


@pytest.mark.parametrize(
    ("true", "predicted", "fragments"),
    [
        ([["O"], ["B-PER"]], [["O"]], ("2", "1")),
        (
            [["O"], ["O", "B-PER", "I-PER", "O"]],
            [["O"], ["O", "B-PER", "O"]],
            ("sentence 1", "4", "3"),
        ),
    ],
    ids=["different numbers of sentences", "different sentence lengths"],
)
def test_4_2_entity_scores_rejects_different_shapes(step, true, predicted, fragments):
    assert_value_error(
        call_text("entity_scores", true, predicted),
        lambda: step.entity_scores(true, predicted),
        *fragments,
    )


def test_4_2_entity_scores_rejects_values_that_are_not_tags(step):
    true, predicted = [["B-PER", "O"]], [[1, 0]]
    assert_value_error(
        call_text("entity_scores", true, predicted),
        lambda: step.entity_scores(true, predicted),
    )


# 4.3 per_type_report -----------------------------------------------------------------------

AVERAGES = ["micro avg", "macro avg", "weighted avg"]


def test_4_3_per_type_report_has_one_row_per_type_and_averages(step):
    true = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O"]]
    predicted = [["B-PER", "I-PER", "O", "B-ORG"], ["B-ORG", "O"]]
    report = step.per_type_report(true, predicted)
    call = call_text("per_type_report", true, predicted)
    assert_equal(f"sorted({call})", sorted(report), sorted(["LOC", "ORG", "PER", *AVERAGES]))
    assert_equal(
        f"{call}['ORG']",
        report["ORG"],
        {"precision": 0.5, "recall": 1.0, "f1": pytest.approx(2 / 3), "support": 1},
    )
    assert_equal(
        f"{call}['macro avg']['recall']", report["macro avg"]["recall"], pytest.approx(2 / 3)
    )
    assert_equal(f"{call}['micro avg']['support']", report["micro avg"]["support"], 3)


def seqeval_report(true: list, predicted: list, **options) -> dict[str, dict[str, float]]:
    report = quietly(
        classification_report, true, predicted, output_dict=True, zero_division=0, **options
    )
    return {
        name: {
            "precision": pytest.approx(float(np.nan_to_num(row["precision"]))),
            "recall": pytest.approx(float(np.nan_to_num(row["recall"]))),
            "f1": pytest.approx(float(np.nan_to_num(row["f1-score"]))),
            "support": int(row["support"]),
        }
        for name, row in report.items()
    }


@PROPERTY
@given(true_and_predicted(), st.booleans())
def test_4_3_per_type_report_matches_seqeval(step, sentences, strict):
    true, predicted = sentences
    options = {"mode": "strict", "scheme": IOB2} if strict else {}
    got = step.per_type_report(true, predicted, strict=strict)
    assert_equal(
        call_text("per_type_report", true, predicted, strict=strict),
        got,
        seqeval_report(true, predicted, **options),
    )


def test_4_3_strict_mode_ignores_an_entity_that_starts_with_i(step):
    true, predicted = [["B-PER", "I-PER", "O"]], [["I-PER", "I-PER", "O"]]
    default = step.per_type_report(true, predicted)
    strict = step.per_type_report(true, predicted, strict=True)
    assert_equal(
        call_text("per_type_report", true, predicted) + "['PER']['f1']",
        default["PER"]["f1"],
        1.0,
        note="default mode (like conlleval) reads I-PER I-PER as one PER entity",
    )
    assert_equal(
        call_text("per_type_report", true, predicted, strict=True) + "['PER']['f1']",
        strict["PER"]["f1"],
        0.0,
        note="strict IOB2 mode: an entity must start with B-, so nothing was predicted",
    )


def test_4_3_per_type_report_is_plain_json_without_nan(step):
    true, predicted = [["O", "O"]], [["O", "O"]]
    report = step.per_type_report(true, predicted)
    call = call_text("per_type_report", true, predicted)
    values = [value for row in report.values() for value in row.values()]
    assert_equal(f"{call} has NaN values", any(math.isnan(value) for value in values), False)
    assert_equal(f"json.loads(json.dumps({call}))", json.loads(json.dumps(report)), report)


def test_4_3_per_type_report_rejects_different_shapes(step):
    true, predicted = [["O", "B-PER"]], [["O"]]
    assert_value_error(
        call_text("per_type_report", true, predicted),
        lambda: step.per_type_report(true, predicted),
        "sentence 0",
    )


# 4.4 entity_confusion ----------------------------------------------------------------------


def test_4_4_entity_confusion_pairs_entities_at_the_same_place(step):
    true = [["B-PER", "O", "B-LOC"], ["B-ORG", "I-ORG", "O"]]
    predicted = [["B-ORG", "O", "O"], ["B-ORG", "I-ORG", "B-PER"]]
    labels, matrix = step.entity_confusion(true, predicted)
    call = call_text("entity_confusion", true, predicted)
    assert_equal(f"{call}[0]", labels, ["LOC", "ORG", "PER", "O"])
    assert_equal(
        f"{call}[1].tolist()",
        np.asarray(matrix).tolist(),
        [[0, 0, 0, 1], [0, 1, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]],
        note="rows are true types, columns predicted; LOC was missed, PER predicted as ORG, "
        "one ORG right, one PER invented",
    )


def test_4_4_a_wrong_boundary_is_a_miss_and_an_invention(step):
    true, predicted = [["B-LOC", "I-LOC", "I-LOC"]], [["B-LOC", "I-LOC", "O"]]
    labels, matrix = step.entity_confusion(true, predicted)
    call = call_text("entity_confusion", true, predicted)
    assert_equal(f"{call}[0]", labels, ["LOC", "O"])
    assert_equal(f"{call}[1].tolist()", np.asarray(matrix).tolist(), [[0, 1], [1, 0]])


def test_4_4_no_entities_gives_a_one_by_one_matrix(step):
    labels, matrix = step.entity_confusion([["O"]], [["O"]])
    call = call_text("entity_confusion", [["O"]], [["O"]])
    assert_equal(f"{call}[0]", labels, ["O"])
    assert_equal(f"{call}[1].tolist()", np.asarray(matrix).tolist(), [[0]])


@PROPERTY
@given(true_and_predicted())
def test_4_4_confusion_rows_and_columns_count_the_entities(step, sentences):
    true, predicted = sentences
    labels, matrix = step.entity_confusion(true, predicted)
    call = call_text("entity_confusion", true, predicted)
    gold, found = seqeval_entities(true), seqeval_entities(predicted)
    types = sorted({kind for _, kind, _, _ in gold | found})
    assert_equal(f"{call}[0]", labels, [*types, "O"])
    matrix = np.asarray(matrix)
    true_counts = Counter(kind for _, kind, _, _ in gold)
    predicted_counts = Counter(kind for _, kind, _, _ in found)
    assert_equal(
        f"row sums of {call}[1] (true entities per type)",
        dict(zip(labels[:-1], matrix.sum(axis=1)[:-1].tolist(), strict=True)),
        {kind: true_counts[kind] for kind in types},
    )
    assert_equal(
        f"column sums of {call}[1] (predicted entities per type)",
        dict(zip(labels[:-1], matrix.sum(axis=0)[:-1].tolist(), strict=True)),
        {kind: predicted_counts[kind] for kind in types},
    )
    assert_equal(f"trace of {call}[1] (correct entities)", int(np.trace(matrix)), len(gold & found))


# 4.5 find_errors ---------------------------------------------------------------------------


def test_4_5_wrong_type_is_a_false_negative_and_a_false_positive(step):
    words = [["Ana", "met", "Bo", "in", "Oslo"]]
    true = [["B-PER", "O", "B-PER", "O", "B-LOC"]]
    predicted = [["B-PER", "O", "B-LOC", "O", "B-LOC"]]
    got = step.find_errors(words, true, predicted)
    expected = [
        {
            "kind": "false negative",
            "sentence": 0,
            "start": 2,
            "end": 3,
            "type": "PER",
            "text": "Bo",
            "context": "Ana met [Bo] in Oslo",
        },
        {
            "kind": "false positive",
            "sentence": 0,
            "start": 2,
            "end": 3,
            "type": "LOC",
            "text": "Bo",
            "context": "Ana met [Bo] in Oslo",
        },
    ]
    assert_equal(call_text("find_errors", words, true, predicted), got, expected)


def test_4_5_boundaries_misses_and_inventions(step):
    words = [["I", "love", "New", "York", "City"], ["Paris", "is", "nice"]]
    true = [["O", "O", "B-LOC", "I-LOC", "I-LOC"], ["B-LOC", "O", "O"]]
    predicted = [["B-PER", "O", "B-LOC", "I-LOC", "O"], ["O", "O", "O"]]
    got = step.find_errors(words, true, predicted, context=1)
    summary = [
        (e["kind"], e["sentence"], e["start"], e["end"], e["text"], e["context"]) for e in got
    ]
    expected = [
        ("false positive", 0, 0, 1, "I", "[I] love"),
        ("false negative", 0, 2, 5, "New York City", "love [New York City]"),
        ("false positive", 0, 2, 4, "New York", "love [New York] City"),
        ("false negative", 1, 0, 1, "Paris", "[Paris] is"),
    ]
    assert_equal(
        call_text("find_errors", words, true, predicted, context=1),
        summary,
        expected,
        note="each error shown as (kind, sentence, start, end, text, context); "
        "sorted by sentence, start, kind",
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
    assert_equal(f"[e['context'] for e in {call}]", [e["context"] for e in errors], [expected])


def test_4_5_correct_predictions_are_not_errors(step):
    words, tags = [["Ana", "met", "Bo"]], [["B-PER", "O", "B-PER"]]
    got = step.find_errors(words, tags, tags)
    assert_equal(call_text("find_errors", words, tags, tags), got, [])


@PROPERTY
@given(true_and_predicted())
def test_4_5_errors_are_the_unmatched_entities(step, sentences):
    true, predicted = sentences
    words = [[f"w{i}" for i in range(len(tags))] for tags in true]
    errors = step.find_errors(words, true, predicted)
    gold, found = seqeval_entities(true), seqeval_entities(predicted)
    got = sorted((e["kind"], e["sentence"], e["type"], e["start"], e["end"]) for e in errors)
    expected = sorted(
        [("false negative", *entity) for entity in gold - found]
        + [("false positive", *entity) for entity in found - gold]
    )
    assert_equal(call_text("find_errors", words, true, predicted), got, expected)
    order = [(e["sentence"], e["start"], e["kind"]) for e in errors]
    assert_equal("the order of the errors (sentence, start, kind)", order, sorted(order))


@pytest.mark.parametrize(
    ("words", "context"),
    [([["Ana", "met"]], -1), ([["Ana"]], 5), ([["Ana", "met"], ["Bo"]], 5)],
    ids=["negative context", "fewer words than tags", "more sentences of words"],
)
def test_4_5_find_errors_rejects_bad_arguments(step, words, context):
    true, predicted = [["B-PER", "O"]], [["O", "O"]]
    assert_value_error(
        call_text("find_errors", words, true, predicted, context=context),
        lambda: step.find_errors(words, true, predicted, context=context),
    )
