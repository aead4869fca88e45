"""Step 4 · Evaluation metrics: entity-level scores, reports and error analysis.

The tag rule, the same in steps 1, 2 and 4: a tag is ``O``, ``B-X`` or ``I-X``, where the type
``X`` is one or more characters without whitespace (``PER``, ``geo``, ``DATE``...); prefixes
are case-sensitive. ``B-PER `` (a space), ``b-per``, ``B-``, ``B_PER``, ``E-PER`` (IOBES) and a
label id such as ``3`` are no tags: a function here that meets one raises ``ValueError``
naming it (``bad tag 'B-PER '``) and where it is (see exercises/PRIMER.md#token-tags-b-i-and-o).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Tags = Sequence[Sequence[str]]


def token_accuracy(true_tags: Tags, predicted_tags: Tags) -> float:
    """The share of tokens whose predicted tag equals the true tag.

    Easy to compute and easy to misread: most tokens are ``O``, so a model that never
    predicts an entity still scores high. Report it next to the entity scores, never
    instead of them. Returns 0.0 when there are no tokens. Raises ``ValueError`` when the
    numbers of sentences, or the lengths of a sentence's two tag lists, differ.

    >>> token_accuracy([["B-PER", "O", "O", "O"]], [["O", "O", "O", "O"]])
    0.75
    """
    raise NotImplementedError("step 4: token_accuracy() is not written yet")


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
    raise NotImplementedError("step 4: entity_scores() is not written yet")


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
    raise NotImplementedError("step 4: per_type_report() is not written yet")


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
    raise NotImplementedError("step 4: entity_confusion() is not written yet")


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
    raise NotImplementedError("step 4: find_errors() is not written yet")
