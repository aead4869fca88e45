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
    """The share of tokens whose predicted tag equals the true tag, over all tokens together.

    Tags are compared whole (``I-LOC`` is not ``B-LOC``), and every token of every sentence
    counts once: this is not the mean of per-sentence accuracies. Most tokens are ``O``, so
    the number flatters a model; report it next to the entity scores, never instead of
    them (see exercises/PRIMER.md#entity-level-scoring).

    Args:
        true_tags: the true tags, a sequence (list, tuple) of sentences, each a sequence of
            tags.
        predicted_tags: the predicted tags, shaped like ``true_tags``.

    Returns:
        A ``float`` from 0.0 to 1.0.

    Raises:
        ValueError: the numbers of sentences differ, or a sentence's two tag lists differ
            in length (also when the totals of tokens are equal).

    Edge cases:
        - No tokens at all (``[]``, ``[[]]``, ``[[], []]``) give 0.0.

    >>> token_accuracy([["B-PER", "O", "O", "O"]], [["O", "O", "O", "O"]])
    0.75
    >>> token_accuracy([["O"], ["B-LOC", "I-LOC", "O"]], [["O"], ["B-ORG", "I-ORG", "B-PER"]])
    0.25
    """
    raise NotImplementedError("step 4: token_accuracy() is not written yet")


def entity_scores(true_tags: Tags, predicted_tags: Tags) -> dict[str, float]:
    """Entity-level micro ``precision``, ``recall`` and ``f1`` (seqeval's default mode).

    A predicted entity is correct only if a true entity has exactly its sentence, type,
    first word and last word (see exercises/PRIMER.md#entity-level-scoring). Each
    sentence is cut into entities the way conlleval and seqeval's default mode do: every
    ``B-X`` starts an entity, and so does an ``I-X`` that does not continue an ``X`` entity
    (after ``O``, after another type, or first in its sentence); an ``I-X`` right after
    ``B-X`` or ``I-X`` extends the entity; no entity crosses a sentence end. Inside, any
    span convention works if both sides use the same one (see
    exercises/PRIMER.md#span-conventions). Over all sentences together (micro average),
    with ``correct`` the number of entities found on both sides:

    - ``precision`` = correct / predicted entities;
    - ``recall`` = correct / true entities;
    - ``f1`` = 2 · precision · recall / (precision + recall), their harmonic mean.

    Args:
        true_tags: the true tags, a sequence (list, tuple) of sentences, each a sequence of
            ``O``/``B-X``/``I-X`` tags.
        predicted_tags: the predicted tags, shaped like ``true_tags``.

    Returns:
        ``{"precision": ..., "recall": ..., "f1": ...}``, three ``float``; the same numbers
        as seqeval's ``precision_score``, ``recall_score`` and ``f1_score``.

    Raises:
        ValueError: the numbers of sentences differ (the message shows both numbers); a
            sentence's two tag lists differ in length (the message names that sentence as
            ``sentence N``, counted from 0, and no other, and shows both lengths); a value
            breaks the tag rule (module docstring), e.g. a label id such as ``1`` or an
            IOBES tag ``S-PER`` (the message names it, its sentence and its position).

    Edge cases:
        - A division by zero gives 0.0: no sentences, no entities on either side, or
          nothing predicted give ``{"precision": 0.0, "recall": 0.0, "f1": 0.0}``.

    >>> entity_scores([["B-PER", "I-PER", "O", "B-LOC"]], [["B-PER", "I-PER", "O", "B-ORG"]])
    {'precision': 0.5, 'recall': 0.5, 'f1': 0.5}
    >>> entity_scores([["B-PER", "I-PER", "O"]], [["B-PER", "O", "O"]])
    {'precision': 0.0, 'recall': 0.0, 'f1': 0.0}
    """
    raise NotImplementedError("step 4: entity_scores() is not written yet")


def per_type_report(
    true_tags: Tags, predicted_tags: Tags, strict: bool = False
) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support per entity type, plus ``"macro avg"``.

    One number hides a lot: a model can be good at ``PER`` and poor at ``MISC``. The numbers
    are those of seqeval's ``classification_report`` with ``zero_division=0``, in plain
    Python. Entities are cut as in ``entity_scores``; with ``strict=True`` in seqeval's
    strict mode with the IOB2 scheme instead, where only well-formed IOB2 entities count:
    an ``I-X`` that does not continue an ``X`` entity starts no entity at all.

    Args:
        true_tags: the true tags, a sequence of sentences, each a sequence of tags.
        predicted_tags: the predicted tags, shaped like ``true_tags``.
        strict: score in strict IOB2 mode (see above).

    Returns:
        A ``dict`` with one entry per entity type found on either side, sorted by type (a
        type that is only predicted has an entry with a support of 0), then ``"micro avg"``
        (all entities counted together: the ``entity_scores`` numbers), ``"macro avg"``
        (the unweighted mean over the types, so rare types count as much as common ones)
        and ``"weighted avg"`` (the mean weighted by support), in this order. Each entry
        is ``{"precision": float, "recall": float, "f1": float, "support": int}``;
        ``support`` is the number of true entities. Every value is a plain ``float`` or
        ``int``, never NaN: an undefined value is 0.0. The result survives ``json.dumps``.

    Raises:
        ValueError: like ``entity_scores``: different numbers of sentences (showing both),
            a sentence whose two tag lists differ in length (naming ``sentence N`` and both
            lengths), a value that is no tag (a label id such as ``3``).

    Edge cases:
        - No entity on either side, no sentences at all (``per_type_report([], [])``)
          included: no type entry, only the three averages, each with 0.0 and a support of
          0. (seqeval itself refuses no sentences.)

    >>> report = per_type_report([["B-PER", "O", "B-LOC"]], [["B-PER", "O", "O"]])
    >>> report["PER"]
    {'precision': 1.0, 'recall': 1.0, 'f1': 1.0, 'support': 1}
    >>> report["macro avg"]["recall"]
    0.5
    >>> per_type_report([["B-PER", "I-PER"]], [["I-PER", "I-PER"]], strict=True)["PER"]["f1"]
    0.0
    >>> sorted(per_type_report([], [])), per_type_report([], [])["micro avg"]["support"]
    (['macro avg', 'micro avg', 'weighted avg'], 0)
    """
    raise NotImplementedError("step 4: per_type_report() is not written yet")


def entity_confusion(true_tags: Tags, predicted_tags: Tags) -> tuple[list[str], np.ndarray]:
    """Confusion matrix of entity types, with ``"O"`` standing for a missed or invented entity.

    Entities are cut as in ``entity_scores``. Each true entity is paired with the predicted
    entity at exactly the same place (sentence, first and last word): a match gives the
    pair (true type, predicted type), a true entity with no predicted entity there gives
    (type, ``"O"``), and a predicted entity with no true entity there gives (``"O"``, type).
    So a wrong boundary counts as one missed and one invented entity.

    Args:
        true_tags: the true tags, a sequence of sentences, each a sequence of tags.
        predicted_tags: the predicted tags, shaped like ``true_tags``.

    Returns:
        ``(labels, matrix)``, a ``tuple``. ``labels`` is a ``list``: the entity types found
        on either side, sorted, then ``"O"`` last. ``matrix`` is a square NumPy array of
        integers, ``len(labels)`` by ``len(labels)``: ``matrix[i][j]`` counts the pairs
        (``labels[i]``, ``labels[j]``), rows true, columns predicted. The diagonal holds
        the correct entities, the last row the invented ones, the last column the missed
        ones; the ``("O", "O")`` cell is always 0.

    Raises:
        ValueError: like ``entity_scores`` (different shapes, a value that is no tag).

    Edge cases:
        - No entity on either side (no sentences included) gives ``(["O"], [[0]])``.

    >>> labels, matrix = entity_confusion([["B-PER", "O", "B-LOC"]], [["B-ORG", "O", "O"]])
    >>> labels, matrix.tolist()
    (['LOC', 'ORG', 'PER', 'O'], [[0, 0, 0, 1], [0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0]])
    >>> labels, matrix = entity_confusion([], [])
    >>> labels, matrix.tolist()
    (['O'], [[0]])
    """
    raise NotImplementedError("step 4: entity_confusion() is not written yet")


def find_errors(words: Tags, true_tags: Tags, predicted_tags: Tags, context: int = 5) -> list[dict]:
    """False positives and false negatives, each with the words around it.

    Entities are cut as in ``entity_scores``. A true entity that is not predicted with the
    same place (sentence, start, end) and type is a ``"false negative"``; a predicted entity
    that is not a true one is a ``"false positive"``. So a wrong type or a wrong boundary
    gives one of each, and correct entities give no error.

    Args:
        words: the words, one sequence per sentence, shaped like the tags.
        true_tags: the true tags, a sequence of sentences, each a sequence of tags.
        predicted_tags: the predicted tags, shaped like ``true_tags``.
        context: how many words to show on either side of an error, 0 or more.

    Returns:
        A ``list`` of ``dict``, one per error, sorted by (``sentence``, ``start``, ``kind``),
        so a false negative comes before a false positive at the same start. Each has:

        - ``"kind"``: ``"false negative"`` or ``"false positive"``;
        - ``"sentence"``: the sentence index (``int``, from 0);
        - ``"start"``, ``"end"``: word indices (``int``), ``end`` exclusive: the entity is
          ``words[start:end]``, which step 2's ``tags_to_spans`` writes
          ``(type, start, end - 1)`` with an inclusive last word (see
          exercises/PRIMER.md#span-conventions);
        - ``"type"``: the entity type of this side (true for a false negative, predicted for
          a false positive);
        - ``"text"``: the entity's words joined by single spaces;
        - ``"context"``: up to ``context`` words before the entity, the entity's words in
          ``[brackets]``, up to ``context`` words after it, joined by single spaces, cut at
          the sentence's edges.

    Raises:
        ValueError: ``context`` is negative; ``words``, ``true_tags`` and
            ``predicted_tags`` do not have the same shape (number of sentences, length of
            each sentence); a value breaks the tag rule.

    Edge cases:
        - ``context=0`` shows only ``"[entity]"``; no sentences or no error give ``[]``.

    >>> errors = find_errors(
    ...     [["Ana", "met", "Bo"]], [["B-PER", "O", "B-PER"]], [["B-PER", "O", "B-LOC"]]
    ... )
    >>> [(error["kind"], error["type"], error["context"]) for error in errors]
    [('false negative', 'PER', 'Ana met [Bo]'), ('false positive', 'LOC', 'Ana met [Bo]')]
    >>> errors[0]["sentence"], errors[0]["start"], errors[0]["end"], errors[0]["text"]
    (0, 2, 3, 'Bo')
    >>> words = [["I", "love", "New", "York", "City"]]
    >>> errors = find_errors(words, [["O", "O", "B-LOC", "I-LOC", "I-LOC"]],
    ...                      [["O", "O", "B-LOC", "I-LOC", "O"]], context=1)
    >>> for error in errors:
    ...     print(error["kind"], error["start"], error["end"], error["context"])
    false negative 2 5 love [New York City]
    false positive 2 4 love [New York] City
    """
    raise NotImplementedError("step 4: find_errors() is not written yet")
