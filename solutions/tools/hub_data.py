"""Token-classification data sets from the Hugging Face Hub, converted to the course's frames.

``load_hub_dataset`` downloads a data set with the ``datasets`` library (``conll2003`` and
``wikiann`` are known by short names); ``to_frames`` turns each split into a training frame
(``sentence_id``, ``words``, ``labels``), with the label names of the tags column's
``ClassLabel`` feature, ready for ``solutions.tools.corpus.write_conll``.

>>> import datasets
>>> features = datasets.Features({
...     "tokens": datasets.Sequence(datasets.Value("string")),
...     "ner_tags": datasets.Sequence(datasets.ClassLabel(names=["O", "B-LOC", "I-LOC"]))})
>>> data = datasets.DatasetDict({"validation": datasets.Dataset.from_dict(
...     {"tokens": [["New", "York"]], "ner_tags": [[1, 2]]}, features=features)})
>>> to_frames(data)["dev"].to_dict("list")
{'sentence_id': [0, 0], 'words': ['New', 'York'], 'labels': ['B-LOC', 'I-LOC']}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class HubDataset:
    """Where a data set lives on the Hub: its id and configuration (``None``: the default)."""

    name: str
    config: str | None = None


KNOWN = {
    "conll2003": HubDataset("lhoestq/conll2003"),
    "wikiann": HubDataset("unimelb-nlp/wikiann", "en"),
}
# Hub split name -> the course's part name; other splits keep their own name.
PART_NAMES = {"train": "train", "validation": "dev", "valid": "dev", "dev": "dev", "test": "test"}


class DatasetUnavailableError(ValueError):
    """A data set that cannot be downloaded now (offline, a wrong name or configuration)."""


def load_hub_dataset(name: str, config: str | None = None) -> Any:
    """All splits of a Hub data set, as a ``datasets.DatasetDict``.

    Raises ``DatasetUnavailableError`` (one line) when it cannot be downloaded.
    """
    import datasets
    import huggingface_hub

    huggingface_hub.utils.logging.set_verbosity_error()  # no retry chatter when offline
    datasets.logging.set_verbosity_error()
    what = name + (f" (configuration {config})" if config else "")
    try:
        return datasets.load_dataset(name, config)
    except Exception as error:  # offline, unknown name, missing configuration: any of many types
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DatasetUnavailableError(
            f"cannot download data set {what} from the Hugging Face Hub (offline?): {reason}"
        ) from error


def to_frames(
    data: Any, tokens_column: str = "tokens", tags_column: str = "ner_tags"
) -> dict[str, pd.DataFrame]:
    """One training frame per split of ``data`` (a ``DatasetDict``), keyed by part name.

    ``train``, ``validation`` and ``test`` become ``train``, ``dev`` and ``test``. Tags are
    turned into names with the ``ClassLabel`` of ``tags_column`` (string tags are kept).
    Sentences without tokens are left out. Raises ``ValueError`` for a missing column, tags
    without names, or a row whose tokens and tags differ in number.
    """
    frames = {}
    for split, dataset in data.items():
        names = label_names(dataset.features, tokens_column, tags_column, split)
        frames[PART_NAMES.get(split, split)] = _frame(dataset, tokens_column, tags_column, names)
    return frames


def label_names(
    features: Any, tokens_column: str, tags_column: str, split: str = "train"
) -> list[str] | None:
    """The names of the tag ids of ``tags_column`` (``None`` when the tags are strings)."""
    for column in (tokens_column, tags_column):
        if column not in features:
            raise ValueError(
                f"split {split!r} has no column {column!r}; its columns: {sorted(features)} "
                "(choose with --tokens-column / --tags-column)"
            )
    tag = getattr(features[tags_column], "feature", None)
    names = getattr(tag, "names", None)
    if names:
        return list(names)
    if getattr(tag, "dtype", None) == "string":
        return None
    raise ValueError(
        f"column {tags_column!r} has no label names: it is {features[tags_column]}, not a "
        "sequence of ClassLabel or of strings"
    )


def _frame(
    dataset: Any, tokens_column: str, tags_column: str, names: list[str] | None
) -> pd.DataFrame:
    rows: dict[str, list] = {"sentence_id": [], "words": [], "labels": []}
    sentence = 0
    for index, (tokens, tags) in enumerate(
        zip(dataset[tokens_column], dataset[tags_column], strict=True)
    ):
        if len(tokens) != len(tags):
            raise ValueError(
                f"row {index} has {len(tokens)} tokens but {len(tags)} tags in {tags_column!r}"
            )
        if not tokens:
            continue
        rows["sentence_id"] += [sentence] * len(tokens)
        rows["words"] += [str(token) for token in tokens]
        rows["labels"] += [names[tag] if names is not None else str(tag) for tag in tags]
        sentence += 1
    return pd.DataFrame(rows)
