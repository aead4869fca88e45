"""Split one labelled corpus into train/dev/test parts and write parts as CoNLL files.

``split_corpus`` holds out whole sentences with step 1's ``split_by_sentence`` (a fixed seed,
so the same file always gives the same parts). A held-out sentence with a label the training
part lacks is moved back into training: the model's labels come from the training part, so
such a label could never be predicted, and training would refuse a dev set that has it. A
held-out part that lacks some label is fine. ``write_conll`` writes a frame in the layout of
``data/*.conll`` (``word tag``, a blank line after each sentence).

>>> import solutions.preprocessing as step1
>>> frame = pd.DataFrame({"sentence_id": [0, 1, 2, 3], "words": list("abcd"),
...                       "labels": ["B-PER", "O", "O", "B-LOC"]})
>>> parts = split_corpus(frame, step1, dev_size=0.25, test_size=0.25)
>>> parts.sentences(), parts.moved  # the dev sentence had B-PER or B-LOC: back to train
({'train': 3, 'dev': 0, 'test': 1}, {'dev': 1, 'test': 0})
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pandas as pd

SPLIT_SEED = 42
_SPACE = re.compile(r"\s+")


@dataclass
class CorpusSplit:
    """The parts (``train``, ``dev`` and maybe ``test``) and, per held-out part, how many of
    its sentences went back to training because of a label the training part lacked."""

    parts: dict[str, pd.DataFrame]
    moved: dict[str, int]

    def sentences(self) -> dict[str, int]:
        """Sentences per part."""
        return {name: int(part["sentence_id"].nunique()) for name, part in self.parts.items()}


def split_corpus(
    frame: pd.DataFrame,
    preprocessing: ModuleType,
    dev_size: float = 0.1,
    test_size: float = 0.0,
    seed: int = SPLIT_SEED,
) -> CorpusSplit:
    """Hold out ``dev_size`` (and ``test_size``, if above 0) of the sentences of ``frame``.

    ``preprocessing`` is the step-1 module whose ``split_by_sentence`` and
    ``build_label_list`` are used. Raises ``ValueError`` for shares outside (0, 1) or adding
    up to 1 or more, and for a frame too small to split.
    """
    if not 0 < dev_size < 1 or not 0 <= test_size < 1 or dev_size + test_size >= 1:
        raise ValueError(
            f"dev and test shares must be between 0 and 1 and add up to less than 1, "
            f"got dev {dev_size} and test {test_size}"
        )
    rest, held_out = frame, {}
    if test_size > 0:
        rest, held_out["test"] = preprocessing.split_by_sentence(frame, test_size, seed)
    train, dev = preprocessing.split_by_sentence(rest, dev_size / (1 - test_size), seed)
    held_out = {"dev": dev, **held_out}
    known = set(preprocessing.build_label_list(train["labels"]))
    moved: dict[str, int] = {}
    returned = []
    for name, part in held_out.items():
        keep = []
        for _, sentence in part.groupby("sentence_id", sort=False):
            labels = set(sentence["labels"])
            if labels <= known:
                keep.append(sentence)
            else:
                returned.append(sentence)
                known |= set(preprocessing.build_label_list(labels))
        moved[name] = len(part["sentence_id"].unique()) - len(keep)
        held_out[name] = _joined(keep, frame.columns)
    train = _joined([train, *returned], frame.columns)
    return CorpusSplit({"train": train, **held_out}, moved)


def write_conll(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a training frame as CoNLL: ``word tag`` lines, a blank line after each sentence.

    Sentences come in ``sentence_id`` order. Whitespace inside a word (which would break the
    columns) becomes ``_``, and so does an empty word.

    >>> frame = pd.DataFrame({"sentence_id": [0, 0, 1], "words": ["New York", "!", "Hi"],
    ...                       "labels": ["B-LOC", "O", "O"]})
    >>> print(write_conll(frame, tmp_path / "x.conll").read_text(), end="")  # doctest: +SKIP
    New_York B-LOC
    ! O
    <BLANKLINE>
    Hi O
    <BLANKLINE>
    """
    path = Path(path)
    lines = []
    ordered = frame.sort_values("sentence_id", kind="stable")
    for _, sentence in ordered.groupby("sentence_id", sort=False):
        for word, label in zip(sentence["words"], sentence["labels"], strict=True):
            lines.append(f"{_SPACE.sub('_', str(word).strip()) or '_'} {label}")
        lines.append("")
    path.write_text("\n".join(lines) + "\n" if lines else "", encoding="utf-8")
    return path


def _joined(parts: list[pd.DataFrame], columns: pd.Index) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame(columns=columns)
    joined = pd.concat(parts, ignore_index=True)
    return joined.sort_values("sentence_id", kind="stable").reset_index(drop=True)
