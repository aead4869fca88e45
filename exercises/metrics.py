"""Step 4 · Evaluation metrics: entity-level scores, reports and error analysis."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Tags = Sequence[Sequence[str]]


def entity_scores(true_tags: Tags, predicted_tags: Tags) -> dict[str, float]:
    """Entity-level micro ``precision``, ``recall`` and ``f1`` (seqeval's default mode)."""
    raise NotImplementedError("step 4: entity_scores() is not written yet")


def per_type_report(
    true_tags: Tags, predicted_tags: Tags, strict: bool = False
) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support per entity type, plus ``"macro avg"``."""
    raise NotImplementedError("step 4: per_type_report() is not written yet")


def token_accuracy(true_tags: Tags, predicted_tags: Tags) -> float:
    """The share of tokens whose predicted tag equals the true tag."""
    raise NotImplementedError("step 4: token_accuracy() is not written yet")


def entity_confusion(true_tags: Tags, predicted_tags: Tags) -> tuple[list[str], np.ndarray]:
    """Confusion matrix of entity types, with ``"O"`` standing for a missed or invented entity."""
    raise NotImplementedError("step 4: entity_confusion() is not written yet")


def find_errors(words: Tags, true_tags: Tags, predicted_tags: Tags, context: int = 5) -> list[dict]:
    """False positives and false negatives, each with the words around it."""
    raise NotImplementedError("step 4: find_errors() is not written yet")
