"""Step 1 · Data preprocessing: from files on disk to the frame SimpleTransformers trains on."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd


def read_conll(path: str | Path, encoding: str = "utf-8") -> pd.DataFrame:
    """Read a CoNLL-style file into a frame with columns ``sentence_id``, ``words``, ``labels``.

    TODO: docstring written by the step author.
    """
    raise NotImplementedError("step 1: read_conll() is not written yet")


def read_tagged_csv(path: str | Path, encoding: str = "utf-8") -> pd.DataFrame:
    """Read the tutorial CSV layout (``Sentence #, Word, POS, Tag``) into the training frame."""
    raise NotImplementedError("step 1: read_tagged_csv() is not written yet")


def encode_sentence_ids(sentence_keys: Sequence[object]) -> list[int]:
    """Turn sentence keys such as ``"Sentence: 12"`` into integer ids with ``LabelEncoder``."""
    raise NotImplementedError("step 1: encode_sentence_ids() is not written yet")


def build_label_list(tags: Iterable[str]) -> list[str]:
    """The label list a model needs: ``"O"`` first, then ``B-``/``I-`` of each entity type."""
    raise NotImplementedError("step 1: build_label_list() is not written yet")


def label_maps(labels: Sequence[str]) -> tuple[dict[str, int], dict[int, str]]:
    """The ``label -> id`` and ``id -> label`` maps for a label list."""
    raise NotImplementedError("step 1: label_maps() is not written yet")


def split_by_sentence(
    frame: pd.DataFrame, test_size: float = 0.2, seed: int = 42
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a training frame into train and test parts so that no sentence is in both."""
    raise NotImplementedError("step 1: split_by_sentence() is not written yet")


def dataset_statistics(frame: pd.DataFrame) -> dict:
    """Sentences, tokens, entities per type and sentence-length percentiles of a frame."""
    raise NotImplementedError("step 1: dataset_statistics() is not written yet")
