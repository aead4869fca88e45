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
    """Read a CoNLL-style file into the training frame: one row per token, in file order.

    The file has one token a line: the word first, its tag last, any number of columns in
    between (CoNLL-2003 has a part-of-speech and a chunk tag there), separated by runs of
    spaces or tabs. A blank line ends a sentence; a ``-DOCSTART-`` line marks a document and
    holds no token. Tags are kept as written, IOB1 included (step 2's ``iob1_to_iob2``
    converts them; see exercises/PRIMER.md#iob1-and-iob2); only their shape is checked, by
    the tag rule (module docstring), so IOBES tags such as ``E-ORG`` are refused (see
    exercises/PRIMER.md#iobes-and-bilou).

    Args:
        path: the file, as a ``str`` or a ``Path``.
        encoding: the text encoding of the file.

    Returns:
        A ``pandas.DataFrame`` with exactly the columns ``sentence_id``, ``words``,
        ``labels``: the long frame SimpleTransformers' ``NERModel.train_model`` takes.
        ``sentence_id`` has an integer dtype and numbers the sentences 0, 1, 2, ... in file
        order; ``words`` and ``labels`` hold the file's strings unchanged.

    Raises:
        ValueError: for a bad row, naming the file, the bad line as ``line N`` (lines count
            from 1, blank and ``-DOCSTART-`` lines included) and the offending value, and no
            other line: a row without a tag (a truncated last row too), an empty token (a
            line that starts with a space or tab), a tag that breaks the tag rule. For a
            file without any token (empty, only blank or ``-DOCSTART-`` lines), naming the
            file. For bytes that are not valid in ``encoding``, naming the file and saying
            ``encoding`` (e.g. suggest ``encoding="latin-1"``).

    Edge cases:
        - CRLF line ends, a UTF-8 byte-order mark, tabs, trailing spaces or tabs, a missing
          final newline and blank lines anywhere (several in a row, before the first
          sentence, at the end) change nothing; they never make an empty sentence.
        - Words that look special stay words: ``NA``, ``null``, ``nan``, ``None``, ``"``,
          ``#``, ``1,000``.
        - Any type name is a type: ``B-geo``, ``I-tim``, ``B-WORK_OF_ART``, ``B-ORG-GOV``.

    >>> import tempfile
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = Path(folder.name) / "tiny.conll"
    >>> _ = path.write_text("-DOCSTART- -X- O O\\n\\nEU NNP B-ORG\\nrejects VBZ O\\n\\n\\n"
    ...                     "Peter NNP I-PER\\n")
    >>> read_conll(path)
       sentence_id    words labels
    0            0       EU  B-ORG
    1            0  rejects      O
    2            1    Peter  I-PER
    >>> folder.cleanup()
    >>> read_conll("../shared/data/conll2003/train.txt").head(3)  # doctest: +SKIP
       sentence_id    words labels
    0            0       EU  B-ORG
    1            0  rejects      O
    2            0   German B-MISC
    """
    raise NotImplementedError("step 1: read_conll() is not written yet")


def encode_sentence_ids(sentence_keys: Sequence[object]) -> list[int]:
    """Integer ids for sentence keys such as ``"Sentence: 12"``: equal keys, equal ids.

    The id of a key is its position among the distinct keys sorted in ascending order, so
    the ids run from 0 to (number of distinct keys - 1) and follow sorted key order, not
    file order. Strings sort character by character: ``"Sentence: 10"`` comes before
    ``"Sentence: 2"``.

    Args:
        sentence_keys: one key per row, all of one comparable type (``str``, ``int``...).
            The keys must be complete: forward-fill a key column that only names a
            sentence's first row before calling this.

    Returns:
        A ``list`` of plain Python ``int`` (no NumPy integers), one per key.

    Raises:
        ValueError: a key is missing (``None``, ``NaN`` or ``""``); the message names the
            position (counted from 0) of the first missing key, and no other position.

    Edge cases:
        - No keys give ``[]``.
        - Integer keys work too: ``[30, 10, 30, 20]`` gives ``[2, 0, 2, 1]``.

    >>> encode_sentence_ids(["Sentence: 2", "Sentence: 2", "Sentence: 10", "Sentence: 1"])
    [2, 2, 1, 0]
    """
    raise NotImplementedError("step 1: encode_sentence_ids() is not written yet")


def read_tagged_csv(path: str | Path, encoding: str = "utf-8") -> pd.DataFrame:
    """Read the tutorial CSV layout (``Sentence #, Word, POS, Tag``) into the training frame.

    This is the layout of the Kaggle "Annotated Corpus for NER" (``ner_dataset.csv``, tags
    such as ``B-geo``, ``I-tim``, ``B-per``): a header, then one row per token. The
    ``Sentence #`` key (``"Sentence: 1"``) stands on the first row of a sentence; a row with
    an empty key belongs to the sentence above it, and a key repeated on every row of its
    sentence works too. ``Word`` and ``Tag`` are required; ``POS`` and any other column are
    optional and ignored; the columns may come in any order. Cells follow the CSV rules: a
    quoted cell may hold a comma (``"1,000"``), a quote (written twice) or a line break.

    Args:
        path: the file, as a ``str`` or a ``Path``.
        encoding: the text encoding of the file; the Kaggle file is latin-1, not UTF-8.

    Returns:
        The same frame as ``read_conll``: exactly the columns ``sentence_id``, ``words``,
        ``labels``, one row per token in file order, words and tags as plain ``str``
        exactly as written. ``sentence_id`` numbers the sentences 0, 1, 2, ... in *file*
        order, whatever their keys (``encode_sentence_ids`` would follow sorted key order,
        where ``"Sentence: 10"`` comes before ``"Sentence: 2"``).

    Raises:
        ValueError: the message names the file and, where one line is at fault, that line
            as ``line N`` and no other line (the header is line 1, blank lines count, and a
            row with a quoted line break counts as one line). For: an empty file; a header
            without data rows; a missing ``Sentence #``, ``Word`` or ``Tag`` column (naming
            the missing column and listing the columns found); an empty word; a tag that
            breaks the tag rule, an empty ``Tag`` cell included (naming the tag); a first
            data row without a sentence key; a key that comes back after other sentences
            (naming the key; the message may also name the line where it was first seen); a
            row with more cells than the header (an unquoted comma); bytes that are not
            valid in ``encoding`` (saying ``encoding``).

    Edge cases:
        - Words such as ``NA``, ``null``, ``nan``, ``N/A``, ``None``, ``#N/A`` stay words.
        - CRLF line ends and blank lines (between rows, at the end) change nothing.

    >>> read_tagged_csv("data/ner_dataset.csv").head(2)  # doctest: +SKIP
       sentence_id       words  labels
    0            0  PORTUGUESE  B-MISC
    1            0  GOVERNMENT       O
    """
    raise NotImplementedError("step 1: read_tagged_csv() is not written yet")


def build_label_list(tags: Iterable[str]) -> list[str]:
    """The label list of a model: ``"O"`` first, then ``B-X`` and ``I-X`` for each type ``X``.

    The label list fixes the size and the meaning of the model's output layer (see
    exercises/PRIMER.md#token-tags-b-i-and-o). The type of a tag is everything after its
    first ``-`` (``B-ORG-GOV`` has the type ``ORG-GOV``). Every type found in ``tags`` gets
    both its ``B-`` and its ``I-`` label, even when the data shows only one of them.

    Args:
        tags: any iterable of tags, repeats welcome: a list, a pandas ``Series``, a
            generator (it can be read only once).

    Returns:
        A new ``list``: ``"O"``, then ``B-<type>`` and ``I-<type>`` for each type, the types
        in Python's sorted order (``"ORG" < "ORG-GOV" < "WORK_OF_ART" < "geo"``). Each label
        occurs once.

    Raises:
        ValueError: a tag breaks the tag rule (module docstring); the message names the bad
            tag and no other.

    Edge cases:
        - No tags give ``["O"]``; data without any ``O`` tag still gets ``"O"`` first.

    >>> build_label_list(["O", "B-PER", "I-PER", "O", "B-LOC"])
    ['O', 'B-LOC', 'I-LOC', 'B-PER', 'I-PER']
    >>> build_label_list(["I-geo"])
    ['O', 'B-geo', 'I-geo']
    >>> build_label_list([])
    ['O']
    """
    raise NotImplementedError("step 1: build_label_list() is not written yet")


def label_maps(labels: Sequence[str]) -> tuple[dict[str, int], dict[int, str]]:
    """The ``label -> id`` and ``id -> label`` maps of a label list.

    The id of a label is its position in ``labels``, and the two maps are inverses of each
    other (Hugging Face model configs store them as ``label2id`` and ``id2label``).

    Args:
        labels: the label list, e.g. from ``build_label_list``; any strings.

    Returns:
        ``(label_to_id, id_to_label)``, two ``dict`` whose keys come in the order of
        ``labels``.

    Raises:
        ValueError: a label occurs more than once (it cannot have two ids); the message
            names every repeated label and no other label.

    Edge cases:
        - An empty list gives ``({}, {})``.

    >>> label_maps(["O", "B-PER", "I-PER"])
    ({'O': 0, 'B-PER': 1, 'I-PER': 2}, {0: 'O', 1: 'B-PER', 2: 'I-PER'})
    """
    raise NotImplementedError("step 1: label_maps() is not written yet")


def split_by_sentence(
    frame: pd.DataFrame, test_size: float = 0.2, seed: int = 42
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a training frame into a train and a test part; no sentence is in both.

    Whole sentences, drawn at random, go to the test part; a sentence is never cut in two
    (why: exercises/PRIMER.md#splits-and-statistics).

    Args:
        frame: a training frame (``sentence_id``, ``words``, ``labels``). Its ids need not
            be 0..n-1 nor sorted: a part of an earlier split keeps its ids.
        test_size: the share of the sentences that go to the test part.
        seed: the random seed: the same seed gives the same split, other seeds give other
            splits.

    Returns:
        ``(train, test)``, a ``tuple`` of two ``DataFrame``. ``test`` holds
        ``ceil(test_size * sentences)`` whole sentences (as scikit-learn rounds), ``train``
        all the others. Both keep the columns, the ``sentence_id`` values (not renumbered)
        and the row order of ``frame``, so each sentence's rows stay together and in order;
        the index of each part is reset to 0, 1, 2, ...

    Raises:
        ValueError: ``test_size`` is not strictly between 0 and 1 (0, 1, -0.2 and 1.5 are
            refused); the frame has fewer than 2 sentences.

    >>> frame = pd.DataFrame({"sentence_id": [0, 0, 1, 2, 2, 3, 4],
    ...     "words": list("abcdefg"), "labels": ["O"] * 7})
    >>> train, test = split_by_sentence(frame, test_size=0.2, seed=42)
    >>> test.sentence_id.nunique(), set(train.sentence_id) & set(test.sentence_id)
    (1, set())
    >>> train.sentence_id.nunique(), test.index.tolist()[:1]
    (4, [0])
    """
    raise NotImplementedError("step 1: split_by_sentence() is not written yet")


def dataset_statistics(frame: pd.DataFrame) -> dict:
    """Sentences, tokens, entities per type and sentence-length percentiles of a frame.

    What to look at before training (why: exercises/PRIMER.md#splits-and-statistics).
    An entity starts at every ``B-X`` and at every ``I-X`` that does not continue an ``X``
    entity: after ``O``, after another type, or first in its sentence (an ``I-PER`` that
    starts a sentence does not continue the ``PER`` that ended the sentence before). That is
    how seqeval counts entities (exercises/PRIMER.md#iob1-and-iob2), and step 4 scores them
    the same way.

    Args:
        frame: a training frame (``sentence_id``, ``words``, ``labels``); its ids need not
            be 0..n-1 nor sorted (a test part of ``split_by_sentence`` keeps its ids).

    Returns:
        A ``dict`` that survives ``json.dumps`` unchanged: plain ``int`` and ``float``, no
        NumPy numbers.

        - ``"sentences"``: the number of distinct ``sentence_id`` values (``int``);
        - ``"tokens"``: the number of rows (``int``);
        - ``"entities"``: entity type -> number of entities (``int``), the types sorted by
          name; ``{}`` without entities;
        - ``"sentence_length"``: tokens per sentence, with exactly the keys ``"min"``,
          ``"p50"``, ``"p90"``, ``"p95"``, ``"p99"``, ``"max"`` in this order; ``min`` and
          ``max`` are ``int``, the percentiles ``float``, computed with linear
          interpolation between the sorted lengths (NumPy's default method).

    Raises:
        ValueError: the frame has no rows; a tag breaks the tag rule (the message names the
            bad tag and no other).

    >>> frame = pd.DataFrame({"sentence_id": [0, 0, 1, 1, 1, 1],
    ...     "words": ["Ana", "sings", "in", "New", "York", "City"],
    ...     "labels": ["B-PER", "O", "O", "B-LOC", "I-LOC", "I-LOC"]})
    >>> stats = dataset_statistics(frame)
    >>> stats["sentences"], stats["tokens"], stats["entities"]
    (2, 6, {'LOC': 1, 'PER': 1})
    >>> stats["sentence_length"]
    {'min': 2, 'p50': 3.0, 'p90': 3.8, 'p95': 3.9, 'p99': 3.98, 'max': 4}
    >>> frame = pd.DataFrame({"sentence_id": [41, 41, 7], "words": ["Ana", "Lopez", "Lopez"],
    ...     "labels": ["B-PER", "I-PER", "I-PER"]})
    >>> dataset_statistics(frame)["entities"]
    {'PER': 2}
    """
    raise NotImplementedError("step 1: dataset_statistics() is not written yet")
