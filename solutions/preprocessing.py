"""Step 1 · Data preprocessing: from files on disk to the frame SimpleTransformers trains on.

Tags, IOB1/IOB2 and entities are explained in exercises/PRIMER.md; read it before this step.

The tag rule, the same in steps 1, 2 and 4: a tag is ``O``, ``B-X`` or ``I-X``, where the type
``X`` is one or more characters without whitespace (``PER``, ``geo``, ``DATE``...); prefixes
are case-sensitive. ``B-PER `` (a space), ``b-per``, ``B-``, ``B_PER``, ``E-PER`` (IOBES) and a
label id such as ``3`` are no tags: a function here that meets one raises ``ValueError``
naming it (``bad tag 'B-PER '``) and where it is (see exercises/PRIMER.md#token-tags-b-i-and-o).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupShuffleSplit
from sklearn.preprocessing import LabelEncoder

#: The tag rule (module docstring); steps 2 and 4 check the same shape.
_TAG = r"O|[BI]-\S+"
_TAG_SHAPE = re.compile(_TAG)
_TAG_RULE = (
    "a tag is 'O', 'B-<type>' or 'I-<type>', the type without whitespace (prefixes are "
    "case-sensitive, IOBES tags such as 'E-PER' or 'S-PER' are not supported)"
)
_SEPARATOR = re.compile(r"[ \t]+")
_DOCSTART = "-DOCSTART-"
_KEY, _WORD, _TAG_COLUMN = "Sentence #", "Word", "Tag"
_PERCENTILES = {"p50": 50, "p90": 90, "p95": 95, "p99": 99}


def read_conll(path: str | Path, encoding: str = "utf-8") -> pd.DataFrame:
    """Read a CoNLL-style file into a frame with columns ``sentence_id``, ``words``, ``labels``.

    A CoNLL file has one token a line: the word first, its tag last, any number of columns
    in between (CoNLL-2003 has a part-of-speech and a chunk tag there), separated by spaces
    or tabs. A blank line ends a sentence; ``-DOCSTART-`` lines mark documents and are
    skipped. Windows line ends (CRLF), a UTF-8 byte-order mark and extra blank lines are fine.

    The result is the long frame SimpleTransformers' ``NERModel.train_model`` takes: one row
    per token, ``sentence_id`` an ``int`` from 0 to n-1 in file order. Tags are validated
    for their shape only, by the tag rule (module docstring): ``O``, ``B-X`` or ``I-X`` with a
    type ``X`` of one or more characters without whitespace; IOBES tags (``E-X``, ``S-X``; see
    exercises/PRIMER.md#iobes-and-bilou) are rejected. IOB1 files, where ``I-X`` may start an
    entity, are read as they are (see exercises/PRIMER.md#iob1-and-iob2; step 2's
    ``iob1_to_iob2`` converts them).

    Raises ``ValueError`` naming the file, the 1-based line and the offending value for a
    row without a tag (also a truncated last row), an empty token (a line that starts with a
    space or tab), a tag that breaks the tag rule, a file with no token at all, or bytes that are
    not valid in ``encoding`` (pass the right one, e.g. ``encoding="latin-1"``).

    >>> read_conll("../shared/data/conll2003/train.txt").head(3)  # doctest: +SKIP
       sentence_id    words labels
    0            0       EU  B-ORG
    1            0  rejects      O
    2            0   German B-MISC
    """
    path = Path(path)
    lines = _decode(path, encoding).split("\n")
    rows: list[tuple[int, str, str]] = []
    known_tags: set[str] = set()
    sentence_id, in_sentence = 0, False
    for number, line in enumerate(lines, start=1):
        fields = _SEPARATOR.split(line.rstrip(" \t\r"))
        if fields == [""] or fields[0] == _DOCSTART:  # a blank line or -DOCSTART- ends a sentence
            if in_sentence:
                sentence_id += 1
            in_sentence = False
            continue
        if len(fields) < 2 or not fields[0] or fields[-1] not in known_tags:
            _check_conll_row(path, lines, number, fields)
            known_tags.add(fields[-1])
        rows.append((sentence_id, fields[0], fields[-1]))
        in_sentence = True
    if not rows:
        raise ValueError(
            f"{path}: no tokens found; the file is empty or has only blank and -DOCSTART- lines"
        )
    ids, words, labels = zip(*rows, strict=True)
    return pd.DataFrame({"sentence_id": ids, "words": words, "labels": labels})


def encode_sentence_ids(sentence_keys: Sequence[object]) -> list[int]:
    """Turn sentence keys such as ``"Sentence: 12"`` into integer ids with ``LabelEncoder``.

    Models and ``groupby`` want compact integer ids, files have keys of any kind.
    scikit-learn's ``LabelEncoder`` maps each distinct key to an integer: it sorts the
    distinct keys and gives each one its position, so equal keys get equal ids and the ids
    run from 0 to (number of distinct keys - 1). The ids follow sorted key order, not file
    order: strings sort character by character, so ``"Sentence: 10"`` < ``"Sentence: 2"``.

    The keys must be complete (forward-fill a key column that only names a sentence's first
    row first) and of one comparable type. Raises ``ValueError`` naming the position of the
    first missing key (``None``, ``NaN`` or ``""``).

    >>> encode_sentence_ids(["Sentence: 2", "Sentence: 2", "Sentence: 10", "Sentence: 1"])
    [2, 2, 1, 0]
    """
    keys = list(sentence_keys)
    for position, key in enumerate(keys):
        if pd.isna(key) or key == "":
            raise ValueError(
                f"sentence key at position {position} is missing ({key!r}); forward-fill the "
                "key column first, e.g. with pandas' Series.ffill()"
            )
    return LabelEncoder().fit_transform(keys).tolist()


def read_tagged_csv(path: str | Path, encoding: str = "utf-8") -> pd.DataFrame:
    """Read the tutorial CSV layout (``Sentence #, Word, POS, Tag``) into the training frame.

    This is the layout of the popular Kaggle "Annotated Corpus for NER" (``ner_dataset.csv``,
    tags such as ``B-geo``, ``I-tim``, ``B-per``): one row per token, the sentence key
    (``"Sentence: 1"``) only on the first row of each sentence, empty below it, so the key is
    forward-filled. ``POS`` and any other extra column are optional and ignored. Quoted
    cells (``","``) and CRLF line ends are handled by ``pandas.read_csv``; words such as
    ``NA``, ``null`` or ``nan`` stay words (``keep_default_na=False``). The Kaggle file is
    latin-1, not UTF-8: pass ``encoding="latin-1"``. Blank lines are skipped.

    Returns the same frame as ``read_conll``. ``sentence_id`` numbers the sentences 0..n-1 in
    file order, and rows keep file order. (``encode_sentence_ids`` would number them in
    sorted key order instead, where ``"Sentence: 10"`` comes before ``"Sentence: 2"``.)
    Consecutive rows with the same key belong to one sentence, so a key repeated on every
    row works too.

    Raises ``ValueError`` naming the file, and the CSV line (the header is line 1; a row with
    a quoted line break counts as one line) where there is one, for: an empty file, a missing
    ``Sentence #``, ``Word`` or ``Tag`` column (listing the columns found), no data rows, an
    empty word, a tag that breaks the tag rule, a first row without a sentence key,
    a key that comes back after other sentences, a row with too many cells, or bytes not
    valid in ``encoding``.

    >>> read_tagged_csv("data/ner_dataset.csv").head(2)  # doctest: +SKIP
       sentence_id       words  labels
    0            0  PORTUGUESE  B-MISC
    1            0  GOVERNMENT       O
    """
    path = Path(path)
    table = _read_csv_table(path, encoding)
    table = table[(table != "").any(axis=1)]
    if table.empty:
        raise ValueError(f"{path}: no data rows below the header")
    _check_csv_cells(path, table)
    return pd.DataFrame(
        {
            "sentence_id": _file_order_ids(path, table[_KEY]),
            "words": table[_WORD].to_numpy(),
            "labels": table[_TAG_COLUMN].to_numpy(),
        }
    )


def build_label_list(tags: Iterable[str]) -> list[str]:
    """The label list a model needs: ``"O"`` first, then ``B-``/``I-`` of each entity type.

    The token-classification head of the model has one output per label, so the label list
    fixes its size and the meaning of every output. It holds ``"O"`` at index 0, then for
    each entity type found in ``tags``, sorted by name, both ``B-X`` and ``I-X``, even when
    the data only shows one of them: the model must be able to predict either.

    Raises ``ValueError`` naming the first tag that breaks the tag rule (module docstring).

    >>> build_label_list(["O", "B-PER", "I-PER", "O", "B-LOC"])
    ['O', 'B-LOC', 'I-LOC', 'B-PER', 'I-PER']
    >>> build_label_list(["I-geo"])
    ['O', 'B-geo', 'I-geo']
    """
    types = set()
    for tag in dict.fromkeys(tags):
        _check_tag(tag, "build_label_list")
        if tag != "O":
            types.add(tag[2:])
    return ["O", *(f"{prefix}-{name}" for name in sorted(types) for prefix in "BI")]


def label_maps(labels: Sequence[str]) -> tuple[dict[str, int], dict[int, str]]:
    """The ``label -> id`` and ``id -> label`` maps for a label list.

    The model only sees integer ids: ``label_to_id`` turns the data's tags into training
    targets, ``id_to_label`` turns predicted ids back into tags. The id of a label is its
    position in ``labels``, and the two maps are inverses of each other (Hugging Face model
    configs store them as ``label2id`` and ``id2label``).

    Raises ``ValueError`` naming the labels that occur more than once.

    >>> label_maps(["O", "B-PER", "I-PER"])
    ({'O': 0, 'B-PER': 1, 'I-PER': 2}, {0: 'O', 1: 'B-PER', 2: 'I-PER'})
    """
    repeated = sorted(label for label, count in Counter(labels).items() if count > 1)
    if repeated:
        raise ValueError(f"labels occur more than once: {repeated}; each label needs one id")
    return {label: i for i, label in enumerate(labels)}, dict(enumerate(labels))


def split_by_sentence(
    frame: pd.DataFrame, test_size: float = 0.2, seed: int = 42
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a training frame into train and test parts so that no sentence is in both.

    Splitting rows at random would cut sentences in two and put their halves on both sides:
    the test score would then measure memory, not generalisation. scikit-learn's
    ``GroupShuffleSplit`` shuffles whole groups (here ``sentence_id``) instead;
    ``ceil(test_size * sentences)`` sentences go to the test part. The same ``seed`` gives
    the same split. Both parts keep the columns, the ``sentence_id`` values and the row order
    of ``frame``, so each sentence's rows stay together and in order; the index is reset.

    Raises ``ValueError`` when ``test_size`` is not strictly between 0 and 1 or the frame
    has fewer than 2 sentences.

    >>> frame = pd.DataFrame({"sentence_id": [0, 0, 1, 2, 2, 3, 4],
    ...     "words": list("abcdefg"), "labels": ["O"] * 7})
    >>> train, test = split_by_sentence(frame, test_size=0.2, seed=42)
    >>> test.sentence_id.nunique(), set(train.sentence_id) & set(test.sentence_id)
    (1, set())
    """
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be between 0 and 1 (exclusive), got {test_size!r}")
    groups = frame["sentence_id"]
    if groups.nunique() < 2:
        raise ValueError(f"need at least 2 sentences to split, got {groups.nunique()}")
    splitter = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=seed)
    train_rows, test_rows = next(splitter.split(frame, groups=groups))
    return (
        frame.iloc[train_rows].reset_index(drop=True),
        frame.iloc[test_rows].reset_index(drop=True),
    )


def dataset_statistics(frame: pd.DataFrame) -> dict:
    """Sentences, tokens, entities per type and sentence-length percentiles of a frame.

    Look before you train: how many entities of each type there are tells you which scores
    to trust, and the sentence lengths tell you how long the model's input must be. The
    result is a JSON-serialisable ``dict`` (plain ``int``/``float``):

    - ``sentences``, ``tokens``: counts of distinct ``sentence_id`` values and of rows;
    - ``entities``: entity type -> number of entities, sorted by type. An entity starts at
      every ``B-X`` and at an ``I-X`` that does not continue an ``X`` entity (after ``O``,
      after another type, or first in its sentence), as seqeval counts them (see
      exercises/PRIMER.md#iob1-and-iob2; step 4 cuts entities the same way to score them);
    - ``sentence_length``: tokens per sentence as ``min``, ``p50``, ``p90``, ``p95``,
      ``p99`` (``numpy.percentile``, linear interpolation) and ``max``.

    Raises ``ValueError`` for an empty frame or a tag that breaks the tag rule.

    >>> frame = pd.DataFrame({"sentence_id": [0, 0, 1, 1, 1, 1],
    ...     "words": ["Ana", "sings", "in", "New", "York", "City"],
    ...     "labels": ["B-PER", "O", "O", "B-LOC", "I-LOC", "I-LOC"]})
    >>> stats = dataset_statistics(frame)
    >>> stats["sentences"], stats["tokens"], stats["entities"]
    (2, 6, {'LOC': 1, 'PER': 1})
    >>> stats["sentence_length"]
    {'min': 2, 'p50': 3.0, 'p90': 3.8, 'p95': 3.9, 'p99': 3.98, 'max': 4}
    """
    if frame.empty:
        raise ValueError("the frame has no rows")
    for tag in frame["labels"].unique():
        _check_tag(tag, "dataset_statistics")
    lengths = frame.groupby("sentence_id", sort=False).size().to_numpy()
    percentiles = np.percentile(lengths, list(_PERCENTILES.values()))
    return {
        "sentences": len(lengths),
        "tokens": len(frame),
        "entities": _count_entities(frame),
        "sentence_length": {
            "min": int(lengths.min()),
            **{name: float(value) for name, value in zip(_PERCENTILES, percentiles, strict=True)},
            "max": int(lengths.max()),
        },
    }


def _count_entities(frame: pd.DataFrame) -> dict[str, int]:
    labels = frame["labels"]
    previous = frame.groupby("sentence_id", sort=False)["labels"].shift(fill_value="O")
    kind = labels.str[2:]
    starts = labels.str.startswith("B-") | (
        labels.str.startswith("I-") & (kind != previous.str[2:])
    )
    return {name: int(count) for name, count in sorted(kind[starts].value_counts().items())}


def _check_tag(tag: object, where: str) -> None:
    if not isinstance(tag, str) or not _TAG_SHAPE.fullmatch(tag):
        raise ValueError(f"{where}: bad tag {tag!r}; {_TAG_RULE}")


def _check_conll_row(path: Path, lines: list[str], number: int, fields: list[str]) -> None:
    where, line = f"{path}, line {number}", lines[number - 1].rstrip("\r")
    if len(fields) < 2:
        truncated = not any(rest.strip() for rest in lines[number:])
        raise ValueError(
            f"{where}: {line.strip()!r} has no tag (expected the token first and the tag last, "
            "separated by spaces or tabs)" + ("; is the file truncated?" if truncated else "")
        )
    if not fields[0]:
        raise ValueError(f"{where}: empty token in {line!r} (the line starts with a space or tab)")
    _check_tag(fields[-1], where)


def _decode(path: Path, encoding: str) -> str:
    data = path.read_bytes()
    try:
        return data.decode(encoding).removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ValueError(
            f"{path}, line {line}: byte {data[error.start]:#04x} is not valid {encoding}; "
            "pass the file's encoding, e.g. encoding='latin-1'"
        ) from error


def _read_csv_table(path: Path, encoding: str) -> pd.DataFrame:
    try:
        table = pd.read_csv(
            path, encoding=encoding, dtype=str, keep_default_na=False, skip_blank_lines=False
        )
    except UnicodeDecodeError as error:
        raise ValueError(
            f"{path}: the file is not valid {encoding} ({error.reason}); pass the file's "
            "encoding, e.g. encoding='latin-1' for the Kaggle ner_dataset.csv"
        ) from error
    except pd.errors.EmptyDataError as error:
        raise ValueError(f"{path}: the file is empty") from error
    except pd.errors.ParserError as error:
        raise ValueError(f"{path}: {error} (quote cells that contain a comma)") from error
    for column in (_KEY, _WORD, _TAG_COLUMN):
        if column not in table.columns:
            raise ValueError(
                f"{path}, line 1: no column {column!r} in the header; "
                f"columns found: {list(table.columns)}"
            )
    return table.fillna("")


def _check_csv_cells(path: Path, table: pd.DataFrame) -> None:
    """Line numbers: row ``i`` of the table (blank lines kept while reading) is line i + 2."""
    empty_words = table.index[table[_WORD].str.strip() == ""]
    if len(empty_words):
        raise ValueError(f"{path}, line {empty_words[0] + 2}: the Word cell is empty")
    bad_tags = table.index[~table[_TAG_COLUMN].str.fullmatch(_TAG)]
    if len(bad_tags):
        _check_tag(table.at[bad_tags[0], _TAG_COLUMN], f"{path}, line {bad_tags[0] + 2}")


def _file_order_ids(path: Path, key_cells: pd.Series) -> np.ndarray:
    if key_cells.iloc[0] == "":
        raise ValueError(
            f"{path}, line {key_cells.index[0] + 2}: the first data row has no sentence key"
        )
    keys = key_cells.replace("", pd.NA).ffill()
    starts = keys.ne(keys.shift())
    comebacks = keys.index[starts & keys.duplicated()]
    if len(comebacks):
        key = keys[comebacks[0]]
        first = keys.index[keys == key][0]
        raise ValueError(
            f"{path}, line {comebacks[0] + 2}: sentence key {key!r} comes back after other "
            f"sentences (first seen on line {first + 2}); keep each sentence's rows together"
        )
    return (starts.cumsum() - 1).to_numpy(dtype="int64")
