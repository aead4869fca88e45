"""Step 2 · Tokenization and label alignment: word labels meet subword tokens."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

T = TypeVar("T")


def iob1_to_iob2(tags: Sequence[str]) -> list[str]:
    """Convert IOB1 tags (``I-`` starts an entity) to IOB2 (``B-`` starts every entity)."""
    raise NotImplementedError("step 2: iob1_to_iob2() is not written yet")


def iob2_errors(tags: Sequence[str]) -> list[int]:
    """Positions of ``I-X`` tags that do not continue an ``X`` entity."""
    raise NotImplementedError("step 2: iob2_errors() is not written yet")


def repair_iob2(tags: Sequence[str]) -> list[str]:
    """Turn every ``I-X`` that does not continue an ``X`` entity into ``B-X``."""
    raise NotImplementedError("step 2: repair_iob2() is not written yet")


def tags_to_spans(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """Entity spans ``(type, first word, last word)`` of an IOB2 tag sequence."""
    raise NotImplementedError("step 2: tags_to_spans() is not written yet")


def word_offsets(text: str, words: Sequence[str]) -> list[tuple[int, int]]:
    """Character ``(start, end)`` of each word in ``text``, words taken in order."""
    raise NotImplementedError("step 2: word_offsets() is not written yet")


def align_labels(
    word_ids: Sequence[int | None],
    word_labels: Sequence[str],
    label_to_id: Mapping[str, int],
    label_all_subwords: bool = False,
) -> list[int]:
    """One label id per subword token: the first subword of a word gets the word's label."""
    raise NotImplementedError("step 2: align_labels() is not written yet")


def word_predictions(word_ids: Sequence[int | None], subword_predictions: Sequence[T]) -> list[T]:
    """Back from subwords to words: each word takes its first subword's prediction."""
    raise NotImplementedError("step 2: word_predictions() is not written yet")


def plan_windows(
    subword_counts: Sequence[int], max_subwords: int, overlap: int = 0
) -> list[tuple[int, int]]:
    """Word windows ``(start, end)`` whose subwords fit in ``max_subwords``; no word is dropped."""
    raise NotImplementedError("step 2: plan_windows() is not written yet")


def merge_windows(
    windows: Sequence[tuple[int, int]], window_predictions: Sequence[Sequence[T]]
) -> list[T]:
    """One prediction per word from the predictions of overlapping windows."""
    raise NotImplementedError("step 2: merge_windows() is not written yet")
