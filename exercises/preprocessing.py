"""Step 1 · Data preprocessing: from files on disk to the frame SimpleTransformers trains on.

Tags, IOB1/IOB2 and entities are explained in exercises/PRIMER.md; read it before this step.

The tag rule, the same in steps 1, 2 and 4: a tag is ``O``, ``B-X`` or ``I-X``, where the type
``X`` is one or more characters without whitespace (``PER``, ``geo``, ``DATE``...); prefixes
are case-sensitive. ``B-PER `` (a space), ``b-per``, ``B-``, ``B_PER``, ``E-PER`` (IOBES) and a
label id such as ``3`` are no tags: a function here that meets one raises ``ValueError``
naming it (``bad tag 'B-PER '``) and where it is (see exercises/PRIMER.md#token-tags-b-i-and-o).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd


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
    raise NotImplementedError("step 1: read_conll() is not written yet")


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
    raise NotImplementedError("step 1: encode_sentence_ids() is not written yet")


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
    raise NotImplementedError("step 1: read_tagged_csv() is not written yet")


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
    raise NotImplementedError("step 1: build_label_list() is not written yet")


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
    raise NotImplementedError("step 1: label_maps() is not written yet")


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
    raise NotImplementedError("step 1: split_by_sentence() is not written yet")


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
    raise NotImplementedError("step 1: dataset_statistics() is not written yet")
