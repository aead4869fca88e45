"""Step 4 · Evaluation metrics: entity-level scores, reports and error analysis.

The tag rule, the same in steps 1, 2 and 4: a tag is ``O``, ``B-X`` or ``I-X``, where the type
``X`` is one or more characters without whitespace (``PER``, ``geo``, ``DATE``...); prefixes
are case-sensitive. ``B-PER `` (a space), ``b-per``, ``B-``, ``B_PER``, ``E-PER`` (IOBES) and a
label id such as ``3`` are no tags: a function here that meets one raises ``ValueError``
naming it (``bad tag 'B-PER '``) and where it is (see exercises/PRIMER.md#token-tags-b-i-and-o).
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Sequence

import numpy as np
from seqeval.metrics import classification_report
from seqeval.scheme import IOB2
from sklearn.metrics import confusion_matrix

Tags = Sequence[Sequence[str]]
_Span = tuple[int, int, int]

#: The tag rule (module docstring), as steps 1 and 2 check it.
_TAG_SHAPE = re.compile(r"O|[BI]-\S+")
_TAG_RULE = (
    "a tag is 'O', 'B-<type>' or 'I-<type>', the type without whitespace (prefixes are "
    "case-sensitive, IOBES tags such as 'E-PER' or 'S-PER' are not supported)"
)


def token_accuracy(true_tags: Tags, predicted_tags: Tags) -> float:
    """The share of tokens whose predicted tag equals the true tag.

    Easy to compute and easy to misread: most tokens are ``O``, so a model that never
    predicts an entity still scores high. Report it next to the entity scores, never
    instead of them. Returns 0.0 when there are no tokens. Raises ``ValueError`` when the
    numbers of sentences, or the lengths of a sentence's two tag lists, differ.

    >>> token_accuracy([["B-PER", "O", "O", "O"]], [["O", "O", "O", "O"]])
    0.75
    """
    _check_lengths(true_tags, predicted_tags, "true_tags", "predicted_tags")
    pairs = [
        pair
        for tags in zip(true_tags, predicted_tags, strict=True)
        for pair in zip(*tags, strict=True)
    ]
    return _ratio(sum(true == predicted for true, predicted in pairs), len(pairs))


def entity_scores(true_tags: Tags, predicted_tags: Tags) -> dict[str, float]:
    """Entity-level micro ``precision``, ``recall`` and ``f1`` (seqeval's default mode).

    NER is judged on entities, not tokens: a prediction counts only if an entity has exactly
    the right type, first word and last word (see exercises/PRIMER.md#entity-level-scoring;
    inside, any span convention works if both sides use the same one, see
    exercises/PRIMER.md#span-conventions). Each sentence's tags are cut into entities the
    way conlleval and seqeval's default mode do: every ``B-X`` starts an entity, so does an
    ``I-X`` that does not continue an ``X`` entity (after ``O``, after another type, or
    first in the sentence); an ``I-X`` after ``B-X``/``I-X`` extends it. Counting as ``correct``
    the entities found on both sides, over all sentences (micro average):

    - precision = correct / predicted entities (how many predictions are right),
    - recall = correct / true entities (how many entities were found),
    - f1 = 2 · precision · recall / (precision + recall), their harmonic mean.

    A division by zero gives 0.0. ``true_tags`` and ``predicted_tags`` are lists of
    sentences, each a list of ``O``/``B-X``/``I-X`` tags. Raises ``ValueError`` when the
    numbers of sentences differ, when a sentence's two tag lists differ in length (naming the
    sentence index and both lengths), or for a tag that breaks the tag rule (module
    docstring; the message names the tag, its sentence and its position).

    >>> entity_scores([["B-PER", "I-PER", "O", "B-LOC"]], [["B-PER", "I-PER", "O", "B-ORG"]])
    {'precision': 0.5, 'recall': 0.5, 'f1': 0.5}
    """
    gold, found = _entity_spans(true_tags, predicted_tags)
    correct = len(set(gold.items()) & set(found.items()))
    precision, recall = _ratio(correct, len(found)), _ratio(correct, len(gold))
    return {
        "precision": precision,
        "recall": recall,
        "f1": _ratio(2 * precision * recall, precision + recall),
    }


def per_type_report(
    true_tags: Tags, predicted_tags: Tags, strict: bool = False
) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support per entity type, plus ``"macro avg"``.

    One number hides a lot: a model can be good at ``PER`` and poor at ``MISC``. This is
    seqeval's ``classification_report(..., output_dict=True)`` turned into plain Python: one
    entry per entity type (sorted), then ``"micro avg"`` (the ``entity_scores`` numbers),
    ``"macro avg"`` (the unweighted mean over types, so rare types count as much as common
    ones) and ``"weighted avg"`` (weighted by support). Each entry has ``precision``,
    ``recall``, ``f1`` (seqeval calls it ``f1-score``) as ``float`` and ``support``, the
    number of true entities, as ``int``. Undefined values are 0.0.

    With ``strict=True`` seqeval runs in strict mode with the IOB2 scheme: only well-formed
    IOB2 entities count, so an ``I-X`` that does not continue an ``X`` entity is no entity
    at all (default mode counts it as one). Raises ``ValueError`` like ``entity_scores``.

    With no entity on either side the report has no type entry, only the three averages,
    each with 0.0 and a support of 0. That holds for no sentences at all, too:
    ``per_type_report([], [])`` is that empty report (seqeval itself refuses no sentences).

    >>> report = per_type_report([["B-PER", "O", "B-LOC"]], [["B-PER", "O", "O"]])
    >>> report["PER"]
    {'precision': 1.0, 'recall': 1.0, 'f1': 1.0, 'support': 1}
    >>> report["macro avg"]["recall"]
    0.5
    >>> sorted(per_type_report([], [])), per_type_report([], [])["micro avg"]["support"]
    (['macro avg', 'micro avg', 'weighted avg'], 0)
    """
    _entity_spans(true_tags, predicted_tags)
    options = {"mode": "strict", "scheme": IOB2} if strict else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # mean of no types when nothing is found
        report = classification_report(
            [list(tags) for tags in true_tags] or [[]],  # seqeval refuses no sentences
            [list(tags) for tags in predicted_tags] or [[]],
            output_dict=True,
            zero_division=0,
            **options,
        )
    return {
        name: {
            "precision": _number(row["precision"]),
            "recall": _number(row["recall"]),
            "f1": _number(row["f1-score"]),
            "support": int(row["support"]),
        }
        for name, row in report.items()
    }


def entity_confusion(true_tags: Tags, predicted_tags: Tags) -> tuple[list[str], np.ndarray]:
    """Confusion matrix of entity types, with ``"O"`` standing for a missed or invented entity.

    Which types does the model mix up? Entities are cut as in ``entity_scores``. Each true
    entity is paired with the predicted entity at exactly the same place (sentence, first
    and last word): a match gives the pair (true type, predicted type), a true entity with
    no prediction there gives (type, ``"O"``), and a predicted entity with no true one there
    gives (``"O"``, type). scikit-learn's ``confusion_matrix`` counts the pairs.

    Returns ``(labels, matrix)``: ``labels`` are the entity types found on either side,
    sorted, then ``"O"`` last; ``matrix[i][j]`` counts true ``labels[i]`` predicted as
    ``labels[j]`` (rows true, columns predicted). The diagonal holds the correct entities;
    the last row counts invented entities, the last column missed ones; the ``("O", "O")``
    cell is always 0. Raises ``ValueError`` like ``entity_scores``.

    >>> labels, matrix = entity_confusion([["B-PER", "O", "B-LOC"]], [["B-ORG", "O", "O"]])
    >>> labels, matrix.tolist()
    (['LOC', 'ORG', 'PER', 'O'], [[0, 0, 0, 1], [0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0]])
    """
    gold, found = _entity_spans(true_tags, predicted_tags)
    pairs = [(kind, found.get(span, "O")) for span, kind in gold.items()]
    pairs += [("O", kind) for span, kind in found.items() if span not in gold]
    labels = [*sorted({kind for pair in pairs for kind in pair} - {"O"}), "O"]
    if not pairs:
        return labels, np.zeros((1, 1), dtype=np.int64)
    true_kinds, predicted_kinds = zip(*pairs, strict=True)
    return labels, confusion_matrix(true_kinds, predicted_kinds, labels=labels)


def find_errors(words: Tags, true_tags: Tags, predicted_tags: Tags, context: int = 5) -> list[dict]:
    """False positives and false negatives, each with the words around it.

    Reading errors teaches more than any score. A true entity that was not predicted with
    the same type and boundaries is a ``"false negative"``; a predicted entity that is not
    a true one is a ``"false positive"``. So a wrong type or a wrong boundary gives one of
    each. Each error is a ``dict`` with ``kind``, ``sentence`` (index), ``start`` and
    ``end`` (word indices, ``end`` exclusive: the entity is ``words[start:end]``, which step
    2's ``tags_to_spans`` writes ``(type, start, end - 1)`` with an inclusive last word; see
    exercises/PRIMER.md#span-conventions), ``type``, ``text`` (the entity's words joined
    by spaces) and ``context`` (up to ``context`` words on either side, the entity in
    ``[brackets]``). Errors are sorted by (sentence, start, kind).

    Raises ``ValueError`` for a negative ``context``, when ``words``, ``true_tags`` and
    ``predicted_tags`` do not have the same shape, or for a tag that breaks the tag rule.

    >>> errors = find_errors(
    ...     [["Ana", "met", "Bo"]], [["B-PER", "O", "B-PER"]], [["B-PER", "O", "B-LOC"]]
    ... )
    >>> [(error["kind"], error["type"], error["context"]) for error in errors]
    [('false negative', 'PER', 'Ana met [Bo]'), ('false positive', 'LOC', 'Ana met [Bo]')]
    >>> errors[0]["sentence"], errors[0]["start"], errors[0]["end"], errors[0]["text"]
    (0, 2, 3, 'Bo')
    """
    if context < 0:
        raise ValueError(f"context must be 0 or more words, got {context}")
    _check_lengths(words, true_tags, "words", "true_tags")
    gold, found = _entity_spans(true_tags, predicted_tags)
    errors = [
        _error("false negative", span, kind, words, context)
        for span, kind in gold.items()
        if found.get(span) != kind
    ]
    errors += [
        _error("false positive", span, kind, words, context)
        for span, kind in found.items()
        if gold.get(span) != kind
    ]
    return sorted(errors, key=lambda error: (error["sentence"], error["start"], error["kind"]))


def _entity_spans(
    true_tags: Tags, predicted_tags: Tags
) -> tuple[dict[_Span, str], dict[_Span, str]]:
    """The entities of both sides as ``{(sentence, start, end): type}``, end exclusive."""
    _check_lengths(true_tags, predicted_tags, "true_tags", "predicted_tags")
    return _spans(true_tags), _spans(predicted_tags)


def _spans(sentences: Tags) -> dict[_Span, str]:
    spans: dict[_Span, str] = {}
    for sentence, tags in enumerate(sentences):
        start, kind = 0, ""
        for position, tag in enumerate([*tags, "O"]):
            if not isinstance(tag, str) or not _TAG_SHAPE.fullmatch(tag):
                ids = "" if isinstance(tag, str) else "; turn label ids back into labels first"
                raise ValueError(
                    f"sentence {sentence}, position {position}: bad tag {tag!r}; {_TAG_RULE}{ids}"
                )
            if tag.startswith("I-") and tag[2:] == kind:
                continue
            if kind:
                spans[(sentence, start, position)] = kind
            start, kind = position, tag[2:]
    return spans


def _check_lengths(first: Tags, second: Tags, first_name: str, second_name: str) -> None:
    if len(first) != len(second):
        raise ValueError(
            f"{first_name} has {len(first)} sentences but {second_name} has {len(second)}"
        )
    for sentence, (one, other) in enumerate(zip(first, second, strict=True)):
        if len(one) != len(other):
            raise ValueError(
                f"sentence {sentence}: {first_name} has {len(one)} items "
                f"but {second_name} has {len(other)}"
            )


def _error(kind: str, span: _Span, entity_type: str, words: Tags, context: int) -> dict:
    sentence, start, end = span
    sentence_words = [str(word) for word in words[sentence]]
    text = " ".join(sentence_words[start:end])
    around = [*sentence_words[max(0, start - context) : start], f"[{text}]"]
    around += sentence_words[end : end + context]
    return {
        "kind": kind,
        "sentence": sentence,
        "start": start,
        "end": end,
        "type": entity_type,
        "text": text,
        "context": " ".join(around),
    }


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def _number(value: float) -> float:
    return 0.0 if math.isnan(value) else float(value)
