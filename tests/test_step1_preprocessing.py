"""Step 1 · data preprocessing: read CoNLL and tutorial CSV files, labels, splits, statistics."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.harness.show import (
    assert_close,
    assert_equal,
    assert_plain,
    assert_tags,
    assert_type,
    assert_value_error,
    call_text,
    error_problem,
    same,
    short_repr,
)

pytestmark = pytest.mark.step1

PROPERTY = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
COLUMNS = ["sentence_id", "words", "labels"]
Sentences = list[list[tuple[str, str]]]
TAG_RULE = (
    "a tag is exactly 'O', or 'B-' or 'I-' and a type without spaces: "
    "re.fullmatch(r'O|[BI]-\\S+', tag)"
)
#: Tags of the wrong shape, each with the mistake that lets it through.
BAD_TAGS = {
    "Other": "a test like tag.startswith('O')",
    "OB-PER": "a test like tag.startswith('O') or re.match without fullmatch",
    "O ": "stripping the tag, or re.match without fullmatch",
    "B-PER ": "a type that may contain spaces (.+ instead of \\S+)",
    "b-per": "lower-case prefixes (prefixes are case-sensitive)",
    "B-": "a prefix without a type",
    "E-ORG": "IOBES tags",
    "PERSON": "a tag without a prefix",
    "B_PER": "'_' instead of '-'",
}


def write(folder: Path, text: str, name: str = "corpus.conll", encoding: str = "utf-8") -> Path:
    """Write ``text`` byte for byte (``\\r\\n`` stays ``\\r\\n``) and return the file's path."""
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def assert_plain_frame(call: str, frame: object) -> None:
    """``frame`` is a pandas ``DataFrame`` (not a subclass) whose cells are plain values."""
    __tracebackhide__ = True
    assert_type(call, frame, pd.DataFrame)
    assert_plain(f"list({call}.columns)", list(frame.columns))
    for name in frame.columns:
        assert_plain(f"{call}[{name!r}].tolist()", frame[name].tolist())


def assert_frame(call: str, frame: pd.DataFrame, sentences: Sentences) -> None:
    """``frame`` is the training frame of ``sentences``: lists of (word, label) pairs."""
    __tracebackhide__ = True
    assert_type(call, frame, pd.DataFrame)
    assert_equal(f"list({call}.columns)", list(frame.columns), COLUMNS)
    words = [word for sentence in sentences for word, _ in sentence]
    ids = [index for index, sentence in enumerate(sentences) for _ in sentence]
    assert_equal(f"{call}['sentence_id'].tolist()", frame["sentence_id"].tolist(), ids)
    assert_equal(f"{call}['words'].tolist()", frame["words"].tolist(), words)
    labels = [label for sentence in sentences for _, label in sentence]
    assert_tags(call, words, frame["labels"].tolist(), labels)


def frame_of(sentences: list[list[str]], ids: list[int] | None = None) -> pd.DataFrame:
    """A training frame from sentences of labels; the words are w0, w1, ...; ids 0, 1, ..."""
    ids = list(range(len(sentences))) if ids is None else ids
    rows = [
        (sentence_id, f"w{position}", label)
        for sentence_id, labels in zip(ids, sentences, strict=True)
        for position, label in enumerate(labels)
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def other_bad_tags(tag: str) -> list[str]:
    """The other bad tags, which a message about ``tag`` must not name: each quoted, and
    those that cannot be part of a message's explanation (``B-`` can) also bare."""
    others = [other for other in BAD_TAGS if other != tag]
    return [repr(other) for other in others] + [
        other for other in others if re.fullmatch(r"\w[\w-]{2,}\w", other)
    ]


def assert_rejects_bad_tags(call: str, action: Callable[[str], object]) -> None:
    """``action(tag)`` must raise a ``ValueError`` that names ``tag``, and no other bad tag,
    for every bad tag."""
    __tracebackhide__ = True
    problems = []
    for tag, mistake in BAD_TAGS.items():
        problem = error_problem(lambda tag=tag: action(tag), tag, absent=other_bad_tags(tag))
        if problem is None:
            continue
        label, got, expected = problem
        if label == "got":
            problems.append(f"  {tag!r}: accepted, returned {got} (from {mistake})")
        else:
            problems.append(f"  {tag!r}: raised {got}; expected {expected}")
    if problems:
        raise AssertionError(
            f"called:   {call} for each <bad tag> below\n"
            "expected: a ValueError that names the tag, and only that tag, for each of them\n"
            + "\n".join(problems)
            + f"\n{TAG_RULE}"
        )


def other_lines(text: str, *right: int) -> list[str]:
    """``line N`` for every line number of ``text`` (and one past its end, and 0) that is
    not one of the ``right`` ones: a message about a bad line must not name another."""
    last = text.count("\n") + 2
    return [f"line {number}" for number in range(last + 1) if number not in right]


# 1.1 read_conll ----------------------------------------------------------------------------

CONLL_2003 = """\
UNESCO NNP B-NP B-ORG
praises VBZ B-VP O
Chilean JJ B-NP B-MISC
archive NN I-NP O

Marta NNP B-NP B-PER
Quispe NNP I-NP I-PER
"""
CONLL_2003_SENTENCES = [
    [("UNESCO", "B-ORG"), ("praises", "O"), ("Chilean", "B-MISC"), ("archive", "O")],
    [("Marta", "B-PER"), ("Quispe", "I-PER")],
]


def test_1_1_reads_tokens_and_tags_sentence_by_sentence(step, tmp_path):
    path = write(tmp_path, CONLL_2003)
    frame = step.read_conll(path)
    assert_frame(call_text("read_conll", path), frame, CONLL_2003_SENTENCES)


def test_1_1_sentence_ids_are_integers_in_file_order(step, tmp_path):
    path = write(tmp_path, "A O\n\nB O\nC O\n\nD B-X\n")
    frame = step.read_conll(path)
    call = call_text("read_conll", path)
    assert_equal(f"{call}['sentence_id'].tolist()", frame["sentence_id"].tolist(), [0, 1, 1, 2])
    assert_equal(
        f"{call}['sentence_id'].dtype is an integer dtype",
        pd.api.types.is_integer_dtype(frame["sentence_id"]),
        True,
        note=f"got dtype {frame['sentence_id'].dtype}",
    )


def test_1_1_skips_docstart_and_extra_blank_lines_and_keeps_iob1(step, tmp_path):
    text = (
        "\n\n-DOCSTART- -X- O O\n\n"
        "UNESCO NNP I-NP I-ORG\npraises VBZ I-VP O\n\n\n\n"
        "Marta NNP I-NP I-PER\nQuispe NNP I-NP I-PER\n"
        "-DOCSTART- -X- O O\n\n"
        "Soccer NN I-NP O\n\n\n"
    )
    path = write(tmp_path, text)
    frame = step.read_conll(path)
    expected = [
        [("UNESCO", "I-ORG"), ("praises", "O")],
        [("Marta", "I-PER"), ("Quispe", "I-PER")],
        [("Soccer", "O")],
    ]
    assert_frame(
        call_text("read_conll", path),
        frame,
        expected,
    )


LAYOUTS = {
    "tabs": CONLL_2003.replace(" ", "\t"),
    "CRLF": CONLL_2003.replace("\n", "\r\n"),
    "tabs and CRLF": "UNESCO\tB-ORG\r\npraises\tO\r\nChilean\tB-MISC\r\narchive\tO\r\n\r\n"
    "Marta\tB-PER\r\nQuispe\tI-PER\r\n",
    "UTF-8 byte-order mark and CRLF (Windows)": "\ufeff" + CONLL_2003.replace("\n", "\r\n"),
    "two columns, several spaces": "UNESCO   B-ORG\npraises  O\nChilean B-MISC\narchive O\n\n"
    "Marta    B-PER\nQuispe B-NP  I-PER\n",
    "trailing spaces, no final newline": "UNESCO B-ORG \npraises O\t\nChilean B-MISC\n"
    "archive O\n \nMarta B-PER\nQuispe I-PER",
}


@pytest.mark.parametrize("text", LAYOUTS.values(), ids=LAYOUTS)
def test_1_1_spaces_tabs_and_line_ends(step, tmp_path, text):
    path = write(tmp_path, text)
    frame = step.read_conll(path)
    assert_frame(call_text("read_conll", path), frame, CONLL_2003_SENTENCES)


def test_1_1_accepts_any_entity_type_names(step, tmp_path):
    """Too strict a tag check ([A-Z]+, \\w+, split('-') into two parts) rejects real types."""
    sentences = [
        [("Paris", "B-geo"), ("on", "O"), ("Monday", "B-tim"), ("morning", "I-tim")],
        [("Ana", "B-person"), ("May", "B-DATE"), ("3", "I-DATE"), ("Nobel", "B-art")],
        [("Hamlet", "B-WORK_OF_ART"), ("at", "O"), ("Lords", "B-ORG-GOV"), ("X", "I-X")],
    ]
    text = "\n\n".join("\n".join(f"{w} {t}" for w, t in sentence) for sentence in sentences)
    path = write(tmp_path, text + "\n")
    frame = step.read_conll(path)
    assert_frame(call_text("read_conll", path), frame, sentences)


def test_1_1_words_that_look_special_stay_words(step, tmp_path):
    words = ["NA", "null", "nan", "N/A", "None", "NULL", '"', "'", "#", ",", "-", "1,000", "3.0"]
    path = write(tmp_path, "".join(f"{word} O\n" for word in words))
    frame = step.read_conll(path)
    assert_frame(call_text("read_conll", path), frame, [[(word, "O") for word in words]])


def test_1_1_reads_the_encoding_it_is_given(step, tmp_path):
    path = write(tmp_path, "Müller B-PER\nin O\nZürich B-LOC\n", encoding="latin-1")
    frame = step.read_conll(path, encoding="latin-1")
    expected = [[("Müller", "B-PER"), ("in", "O"), ("Zürich", "B-LOC")]]
    assert_frame(call_text("read_conll", path, encoding="latin-1"), frame, expected)


def test_1_1_reads_the_iob1_sample_file_from_a_str_path(step, data_dir):
    path = str(data_dir / "iob1_sample.conll")  # a str, not a Path: wrap it in Path(path)
    frame = step.read_conll(path)
    call = call_text("read_conll", "data/iob1_sample.conll")
    assert_plain_frame(call, frame)
    counts = {
        "sentences": frame["sentence_id"].nunique(),
        "last id": int(frame["sentence_id"].max()),
        "tokens": len(frame),
        "B- tags": int(frame["labels"].str.startswith("B-").sum()),
    }
    expected = {"sentences": 12, "last id": 11, "tokens": 125, "B- tags": 8}
    assert_equal(call, counts, expected, note="see data/README.md")


# 1.2 read_conll rejects bad input ----------------------------------------------------------

BAD_CONLL = {
    "a row without a tag": ("EU B-ORG\nrejects\nGerman B-MISC\n", 2, "rejects"),
    "a truncated last row": ("EU B-ORG\nrejects O\nGerm", 3, "Germ"),
    "a truncated row before blank lines": ("EU B-ORG\n\nrejects\n\n\n", 3, "rejects"),
    "an empty token (tabs)": ("EU\tNNP\tB-ORG\n\tNNP\tO\n", 2, None),
    "an empty token (spaces)": ("EU B-ORG\n  O\n", 2, None),
}


@pytest.mark.parametrize(("text", "line", "value"), BAD_CONLL.values(), ids=BAD_CONLL)
def test_1_2_bad_rows_name_file_line_and_value(step, tmp_path, text, line, value):
    path = write(tmp_path, text, name="bad.conll")
    fragments = [path.name, f"line {line}", *([value] if value else [])]
    assert_value_error(
        call_text("read_conll", path),
        lambda: step.read_conll(path),
        *fragments,
        absent=other_lines(text, line),
        note="Name the one line that is wrong; lines count from 1, blank lines included",
    )


BAD_CONLL_TAGS = {
    "an IOBES tag": ("EU E-ORG\n", 1, "E-ORG"),
    "a tag without prefix": ("Peter PERSON\n", 1, "PERSON"),
    "a lower-case prefix": ("EU NNP O\n\nPeter NNP b-per\n", 3, "b-per"),
    "a prefix without type": ("Peter B-\n", 1, "B-"),
    "an underscore": ("EU O\n\n\nPeter B_PER\n", 4, "B_PER"),
    "a tag that starts with O": ("EU B-ORG\nrejects Other\n", 2, "Other"),
    "O glued to a tag": ("EU OB-ORG\n", 1, "OB-ORG"),
    "after a BOM, CRLF and -DOCSTART-": (
        "\ufeff-DOCSTART- -X- O O\r\n\r\nEU B-ORG\r\n\r\n\r\nPeter PERSON\r\n",
        6,
        "PERSON",
    ),
}


@pytest.mark.parametrize(("text", "line", "tag"), BAD_CONLL_TAGS.values(), ids=BAD_CONLL_TAGS)
def test_1_2_bad_tags_name_file_line_and_tag(step, tmp_path, text, line, tag):
    path = write(tmp_path, text, name="bad.conll")
    assert_value_error(
        call_text("read_conll", path),
        lambda: step.read_conll(path),
        path.name,
        f"line {line}",
        tag,
        absent=other_lines(text, line),
        note="Lines count from 1, blank and -DOCSTART- lines included; " + TAG_RULE,
    )


@pytest.mark.parametrize(
    "text",
    ["", "\n\n", "-DOCSTART- -X- O O\n\n", "\r\n-DOCSTART- -X- -X- O\r\n\r\n"],
    ids=["empty", "blank lines", "only -DOCSTART-", "only -DOCSTART-, CRLF"],
)
def test_1_2_a_file_without_tokens_is_an_error(step, tmp_path, text):
    path = write(tmp_path, text, name="empty.conll")
    assert_value_error(call_text("read_conll", path), lambda: step.read_conll(path), path.name)


def test_1_2_the_wrong_encoding_is_an_error_that_suggests_one(step, tmp_path):
    path = write(tmp_path, "Müller B-PER\n", name="latin1.conll", encoding="latin-1")
    assert_value_error(
        call_text("read_conll", path), lambda: step.read_conll(path), path.name, "encoding"
    )


# 1.3 encode_sentence_ids -------------------------------------------------------------------


def test_1_3_ids_follow_sorted_key_order(step):
    keys = ["Sentence: 2", "Sentence: 2", "Sentence: 10", "Sentence: 1"]
    got = step.encode_sentence_ids(keys)
    assert_equal(
        call_text("encode_sentence_ids", keys),
        got,
        [2, 2, 1, 0],
        note="LabelEncoder sorts the distinct keys: 'Sentence: 1' < 'Sentence: 10' < 'Sentence: 2'",
    )


def test_1_3_ids_are_plain_ints(step):
    keys = [30, 10, 30, 20]
    got = step.encode_sentence_ids(keys)
    call = call_text("encode_sentence_ids", keys)
    assert_equal(call, got, [2, 0, 2, 1])
    assert_equal(f"[type(i) for i in {call}]", [type(i) for i in got], [int] * 4)


@PROPERTY
@given(st.lists(st.integers(0, 30).map(lambda n: f"Sentence: {n}"), max_size=40))
def test_1_3_ids_are_positions_in_the_sorted_distinct_keys(step, keys):
    distinct = sorted(set(keys))
    got = step.encode_sentence_ids(keys)
    assert_equal(call_text("encode_sentence_ids", keys), got, [distinct.index(k) for k in keys])


@pytest.mark.parametrize("missing", [None, math.nan, ""], ids=["None", "NaN", "empty"])
def test_1_3_a_missing_key_is_an_error_that_names_its_position(step, missing):
    keys = ["first", "first", "second", missing, "third", missing]
    assert_value_error(
        call_text("encode_sentence_ids", keys),
        lambda: step.encode_sentence_ids(keys),
        "3",
        absent=["0", "1", "2", "4", "5"],
        note="name the position (counted from 0) of the first missing key, and only that one",
    )


# 1.4 read_tagged_csv -----------------------------------------------------------------------

KAGGLE = """\
Sentence #,Word,POS,Tag
Sentence: 1,Thousands,NNS,O
,of,IN,O
,London,NNP,B-geo
Sentence: 2,Iranian,JJ,B-gpe
,officials,NNS,O
"""
KAGGLE_SENTENCES = [
    [("Thousands", "O"), ("of", "O"), ("London", "B-geo")],
    [("Iranian", "B-gpe"), ("officials", "O")],
]


def test_1_4_forward_fills_the_sentence_key(step, tmp_path):
    path = write(tmp_path, KAGGLE, name="ner.csv")
    frame = step.read_tagged_csv(path)
    assert_frame(call_text("read_tagged_csv", path), frame, KAGGLE_SENTENCES)


def test_1_4_ids_follow_file_order_not_key_order(step, tmp_path):
    text = (
        "Sentence #,Word,POS,Tag\n"
        "Sentence: 9,A,X,O\nSentence: 10,B,X,O\n,C,X,O\nSentence: 2,D,X,O\n"
    )
    path = write(tmp_path, text, name="ner.csv")
    frame = step.read_tagged_csv(path)
    assert_frame(
        call_text("read_tagged_csv", path),
        frame,
        [[("A", "O")], [("B", "O"), ("C", "O")], [("D", "O")]],
    )


CSV_VARIANTS = {
    "no POS column": KAGGLE.replace(",NNS,", ",")
    .replace(",IN,", ",")
    .replace(",NNP,", ",")
    .replace(",JJ,", ",")
    .replace("Word,POS,Tag", "Word,Tag"),
    "columns in another order": "Word,Tag,Sentence #\nThousands,O,Sentence: 1\nof,O,\n"
    "London,B-geo,\nIranian,B-gpe,Sentence: 2\nofficials,O,\n",
    "CRLF and blank lines": KAGGLE.replace("\n", "\r\n") + "\r\n\r\n",
    "the key on every row": "Sentence #,Word,POS,Tag\nSentence: 1,Thousands,NNS,O\n"
    "Sentence: 1,of,IN,O\nSentence: 1,London,NNP,B-geo\nSentence: 2,Iranian,JJ,B-gpe\n"
    "Sentence: 2,officials,NNS,O\n",
}


@pytest.mark.parametrize("text", CSV_VARIANTS.values(), ids=CSV_VARIANTS)
def test_1_4_layout_variants(step, tmp_path, text):
    path = write(tmp_path, text, name="ner.csv")
    frame = step.read_tagged_csv(path)
    assert_frame(call_text("read_tagged_csv", path), frame, KAGGLE_SENTENCES)


def test_1_4_quoted_cells_keep_commas_and_quotes(step, tmp_path):
    text = 'Sentence #,Word,POS,Tag\nSentence: 1,"1,000",CD,O\n,",",",",O\n,"""",``,O\n'
    path = write(tmp_path, text, name="ner.csv")
    frame = step.read_tagged_csv(path)
    expected = [[("1,000", "O"), (",", "O"), ('"', "O")]]
    assert_frame(call_text("read_tagged_csv", path), frame, expected)


def test_1_4_na_like_words_stay_words(step, tmp_path):
    words = ["NA", "null", "nan", "N/A", "None", "NULL", "#N/A", "n/a", "-NaN"]
    rows = [f"Sentence: 1,{words[0]},NNP,O"] + [f",{word},NNP,O" for word in words[1:]]
    path = write(tmp_path, "Sentence #,Word,POS,Tag\n" + "\n".join(rows) + "\n", name="ner.csv")
    frame = step.read_tagged_csv(path)
    assert_frame(call_text("read_tagged_csv", path), frame, [[(word, "O") for word in words]])


def test_1_4_reads_latin1_and_the_tutorial_tag_set(step, tmp_path):
    text = (
        "Sentence #,Word,POS,Tag\nSentence: 1,Müller,NNP,B-per\n,visited,VBD,O\n"
        ",Zürich,NNP,B-geo\n,on,IN,O\n,Monday,NNP,B-tim\n,night,NN,I-tim\n"
        "Sentence: 2,Café,NNP,B-org\n,Nobel,NNP,B-eve\n,Prize,NNP,I-eve\n"
    )
    path = write(tmp_path, text, name="ner_dataset.csv", encoding="latin-1")
    frame = step.read_tagged_csv(path, encoding="latin-1")
    expected = [
        [
            *[("Müller", "B-per"), ("visited", "O"), ("Zürich", "B-geo"), ("on", "O")],
            *[("Monday", "B-tim"), ("night", "I-tim")],
        ],
        [("Café", "B-org"), ("Nobel", "B-eve"), ("Prize", "I-eve")],
    ]
    assert_frame(call_text("read_tagged_csv", path, encoding="latin-1"), frame, expected)


SPLITS = ("train", "dev", "test")


def plain_conll_rows(path: Path, first_id: int) -> list[tuple[int, str, str]]:
    """(sentence_id, word, tag) rows of a CoNLL file with one blank line after each sentence."""
    blocks = path.read_text(encoding="utf-8").strip("\n").split("\n\n")
    return [
        (first_id + number, line.split()[0], line.split()[-1])
        for number, block in enumerate(blocks)
        for line in block.split("\n")
    ]


def test_1_4_the_sample_csv_holds_the_three_conll_splits(step, data_dir):
    frame = step.read_tagged_csv(data_dir / "ner_dataset.csv")
    expected: list[tuple[int, str, str]] = []
    for name in SPLITS:
        expected += plain_conll_rows(data_dir / f"{name}.conll", len({row[0] for row in expected}))
    call = call_text("read_tagged_csv", "data/ner_dataset.csv")
    assert_plain_frame(call, frame)
    note = "data/README.md: the CSV holds train.conll, dev.conll and test.conll in a row"
    got = list(zip(frame["sentence_id"], frame["words"], frame["labels"], strict=True))
    assert_equal(f"len({call})", len(got), len(expected), note=note)
    first = next(
        (
            (row, g, e)
            for row, (g, e) in enumerate(zip(got, expected, strict=True))
            if not same(g, e)
        ),
        None,
    )
    assert_equal(
        f"first (row, got, expected) of {call} that differs, as (sentence_id, word, label)",
        first,
        None,
        note=note,
    )


# 1.5 read_tagged_csv rejects bad input -----------------------------------------------------

HEADER = "Sentence #,Word,POS,Tag\n"
LINE_RULE = (
    "The header is line 1, blank lines count and a row with a quoted line break is one line: "
    "read with skip_blank_lines=False and row i of the table is line i + 2."
)
#: (text, what the message must mention, the bad line (None: no line), other lines it may
#: also name: where a key that comes back was first seen)
BAD_CSV = {
    "no Tag column": ("Sentence #,Word,POS\nSentence: 1,EU,NNP\n", ["Tag", "POS"], None, ()),
    "no Word column": (
        "Sentence #,Token,POS,Tag\nSentence: 1,EU,NNP,B-org\n",
        ["Word", "Token"],
        None,
        (),
    ),
    "no sentence column": ("Word,Tag\nEU,B-org\n", ["Sentence #", "Word"], None, ()),
    "an empty word": (HEADER + "Sentence: 1,EU,NNP,B-org\n,,NN,O\n", [], 3, ()),
    "an empty word after a quoted line break": (
        HEADER + 'Sentence: 1,EU,"NN\nP",O\n,,NN,O\n',
        [],
        3,
        (),
    ),
    "a missing tag": (HEADER + "Sentence: 1,EU,NNP,B-org\n,rejects,VBZ\n", [], 3, ()),
    "no key on the first row": (HEADER + ",EU,NNP,B-org\n", [], 2, ()),
    "a key that comes back": (
        HEADER + "Sentence: 1,A,X,O\nSentence: 2,B,X,O\nSentence: 1,C,X,O\n",
        ["Sentence: 1"],
        4,
        (2,),
    ),
    "a key that comes back, CRLF and blank lines": (
        "Sentence #,Word,POS,Tag\r\nSentence: 1,A,X,O\r\n\r\nSentence: 2,B,X,O\r\n\r\n"
        "Sentence: 1,C,X,O\r\n",
        ["Sentence: 1"],
        6,
        (2,),
    ),
    "an unquoted comma": (HEADER + "Sentence: 1,EU,NNP,O\n,1,000,CD,O\n", [], 3, ()),
    "an empty file": ("", [], None, ()),
    "only a header": (HEADER, [], None, ()),
}


@pytest.mark.parametrize(("text", "fragments", "line", "also"), BAD_CSV.values(), ids=BAD_CSV)
def test_1_5_bad_csv_names_file_line_and_value(step, tmp_path, text, fragments, line, also):
    path = write(tmp_path, text, name="bad.csv")
    assert_value_error(
        call_text("read_tagged_csv", path),
        lambda: step.read_tagged_csv(path),
        path.name,
        *([] if line is None else [f"line {line}"]),
        *fragments,
        absent=[] if line is None else other_lines(text, line, *also),
        note="" if line is None else LINE_RULE,
    )


BAD_CSV_TAGS = {
    "an underscore": (HEADER + "Sentence: 1,EU,NNP,O\n,Peter,NNP,B_per\n", 3, "B_per"),
    "a tag that starts with O": (HEADER + "Sentence: 1,EU,NNP,Other\n", 2, "Other"),
    "a tag with a trailing space": (HEADER + "Sentence: 1,EU,NNP,B-geo \n", 2, "B-geo "),
    "after blank lines": (HEADER + "Sentence: 1,EU,NNP,O\n\n\n,Peter,NNP,b-per\n", 5, "b-per"),
}


@pytest.mark.parametrize(("text", "line", "tag"), BAD_CSV_TAGS.values(), ids=BAD_CSV_TAGS)
def test_1_5_bad_tags_name_file_line_and_tag(step, tmp_path, text, line, tag):
    path = write(tmp_path, text, name="bad.csv")
    assert_value_error(
        call_text("read_tagged_csv", path),
        lambda: step.read_tagged_csv(path),
        path.name,
        f"line {line}",
        tag,
        absent=other_lines(text, line),
        note=f"{LINE_RULE} {TAG_RULE}",
    )


def test_1_5_the_wrong_encoding_is_an_error_that_suggests_one(step, tmp_path):
    path = write(tmp_path, HEADER + "Sentence: 1,Müller,NNP,B-per\n", "k.csv", "latin-1")
    assert_value_error(
        call_text("read_tagged_csv", path),
        lambda: step.read_tagged_csv(path),
        path.name,
        "encoding",
    )


# 1.6 build_label_list ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["O", "B-PER", "I-PER", "O", "B-LOC"], ["O", "B-LOC", "I-LOC", "B-PER", "I-PER"]),
        (["I-MISC", "I-MISC"], ["O", "B-MISC", "I-MISC"]),
        (["B-tim", "B-geo"], ["O", "B-geo", "I-geo", "B-tim", "I-tim"]),
        (["B-DATE"], ["O", "B-DATE", "I-DATE"]),
        ([], ["O"]),
        (
            ["B-ORG-GOV", "I-WORK_OF_ART", "B-ORG"],
            ["O", "B-ORG", "I-ORG", "B-ORG-GOV", "I-ORG-GOV", "B-WORK_OF_ART", "I-WORK_OF_ART"],
        ),
    ],
    ids=["CoNLL types", "only I-", "only B-", "no O in the data", "no tags", "- and _ in types"],
)
def test_1_6_o_first_then_b_and_i_of_each_sorted_type(step, tags, expected):
    got = step.build_label_list(tags)
    assert_equal(
        call_text("build_label_list", tags),
        got,
        expected,
        note="the type is everything after the first '-' (tag[2:]), so 'B-ORG-GOV' has type "
        "'ORG-GOV'",
    )


def test_1_6_takes_any_iterable(step):
    tags = pd.Series(["O", "B-ORG", "I-ORG"], name="labels")
    got = step.build_label_list(tags)
    assert_equal("build_label_list(frame['labels'])", got, ["O", "B-ORG", "I-ORG"])
    got = step.build_label_list(tag for tag in ["B-ORG", "O"])
    assert_equal("build_label_list(<generator>)", got, ["O", "B-ORG", "I-ORG"])


@PROPERTY
@given(
    st.lists(
        st.sampled_from(["O", "B", "I"]).flatmap(
            lambda prefix: (
                st.just("O")
                if prefix == "O"
                else st.sampled_from(["PER", "geo", "DATE", "org", "LOC"]).map(
                    lambda t: f"{prefix}-{t}"
                )
            )
        )
    )
)
def test_1_6_every_type_gets_b_and_i_once(step, tags):
    got = step.build_label_list(tags)
    call = call_text("build_label_list", tags)
    types = sorted({tag[2:] for tag in tags if tag != "O"})
    assert_equal(f"{call}[0]", got[:1], ["O"])
    assert_equal(f"{call}[1::2]", got[1::2], [f"B-{name}" for name in types])
    assert_equal(f"{call}[2::2]", got[2::2], [f"I-{name}" for name in types])


def test_1_6_a_bad_tag_is_an_error_that_names_it(step):
    assert_rejects_bad_tags(
        "build_label_list(['O', 'B-PER', <bad tag>])",
        lambda bad: step.build_label_list(["O", "B-PER", bad]),
    )


# 1.7 label_maps ----------------------------------------------------------------------------


def test_1_7_ids_are_positions_and_the_maps_are_inverses(step):
    labels = ["O", "B-LOC", "I-LOC", "B-PER", "I-PER"]
    got = step.label_maps(labels)
    expected = (
        {"O": 0, "B-LOC": 1, "I-LOC": 2, "B-PER": 3, "I-PER": 4},
        {0: "O", 1: "B-LOC", 2: "I-LOC", 3: "B-PER", 4: "I-PER"},
    )
    assert_equal(call_text("label_maps", labels), got, expected)


@PROPERTY
@given(st.lists(st.text("BIO-PERLOCgeo", min_size=1, max_size=5), unique=True, max_size=12))
def test_1_7_maps_round_trip(step, labels):
    label_to_id, id_to_label = step.label_maps(labels)
    call = call_text("label_maps", labels)
    assert_equal(f"{call}[0]", label_to_id, {label: i for i, label in enumerate(labels)})
    assert_equal(f"{call}[1]", id_to_label, dict(enumerate(labels)))


def test_1_7_duplicate_labels_are_an_error(step):
    labels = ["O", "B-PER", "I-PER", "B-PER"]
    assert_value_error(
        call_text("label_maps", labels),
        lambda: step.label_maps(labels),
        "B-PER",
        absent=["'O'", "'I-PER'"],
        note="name the labels that occur more than once, and only those",
    )


# 1.8 split_by_sentence ---------------------------------------------------------------------

#: The ids of ten_sentences(): as after an earlier split, neither 0..n-1 nor in order.
TEN_IDS = [7 * k + 3 for k in range(9, -1, -1)]


def ten_sentences() -> pd.DataFrame:
    """Ten sentences of 1 to 4 tokens with the ids TEN_IDS (66, 59, ..., 3)."""
    rows = [
        (sentence, f"s{sentence}w{position}", "O")
        for sentence in TEN_IDS
        for position in range(sentence % 4 + 1)
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def sentences_in(frame: pd.DataFrame) -> dict[int, list[str]]:
    return {int(key): group["words"].tolist() for key, group in frame.groupby("sentence_id")}


TEN = "<10 sentences, ids 66, 59, ..., 3>"


def split(step, frame: pd.DataFrame, **options: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``split_by_sentence(frame, **options)``: a tuple of two frames of plain values."""
    __tracebackhide__ = True
    call = call_text("split_by_sentence", TEN, **options)
    parts = step.split_by_sentence(frame, **options)
    assert_type(call, parts, tuple, note="return (train, test)")
    assert_equal(f"len({call})", len(parts), 2, note="return (train, test)")
    for index, part in enumerate(parts):
        assert_plain_frame(f"{call}[{index}]", part)
    return parts


@pytest.mark.parametrize(("test_size", "test_sentences"), [(0.2, 2), (0.25, 3), (0.5, 5)])
def test_1_8_no_sentence_is_in_both_parts(step, test_size, test_sentences):
    frame = ten_sentences()
    train, test = split(step, frame, test_size=test_size, seed=0)
    call = call_text("split_by_sentence", TEN, test_size=test_size, seed=0)
    shared = sorted(set(train["sentence_id"]) & set(test["sentence_id"]))
    assert_equal(
        f"sentences in both parts of {call}",
        shared,
        [],
        note="shuffle whole sentences (groups=frame['sentence_id']), not rows",
    )
    assert_equal(
        f"number of test sentences of {call}",
        test["sentence_id"].nunique(),
        test_sentences,
        note="ceil(test_size * sentences) go to the test part, as scikit-learn rounds",
    )
    assert_equal(f"list(train.columns) of {call}", list(train.columns), COLUMNS)
    assert_equal(f"list(test.columns) of {call}", list(test.columns), COLUMNS)


def test_1_8_every_sentence_stays_whole_with_its_id_and_rows_keep_their_order(step):
    frame = ten_sentences()
    train, test = split(step, frame, test_size=0.3, seed=7)
    call = call_text("split_by_sentence", TEN, test_size=0.3, seed=7)
    together = {**sentences_in(train), **sentences_in(test)}
    assert_equal(
        f"{{sentence_id: words}} of both parts of {call}",
        together,
        sentences_in(frame),
        note="keep the sentence_id values of the frame: do not renumber them",
    )
    for name, part in (("train", train), ("test", test)):
        kept = set(part["words"])
        assert_equal(
            f"{name}['words'].tolist(), {name} from {call}",
            part["words"].tolist(),
            [word for word in frame["words"] if word in kept],
            note="rows keep the order they have in the frame (select rows, do not regroup them)",
        )
        assert_equal(
            f"{name}.index.tolist(), {name} from {call}",
            part.index.tolist(),
            list(range(len(part))),
            note="reset the index: reset_index(drop=True)",
        )


def test_1_8_the_same_seed_gives_the_same_split(step):
    frame = ten_sentences()
    call = call_text("split_by_sentence", TEN, test_size=0.5, seed=3)
    first, second = (
        sorted(set(split(step, frame, test_size=0.5, seed=3)[1]["sentence_id"])) for _ in range(2)
    )
    assert_equal(
        f"test sentences of {call}, called twice",
        second,
        first,
        note="pass the seed to scikit-learn as random_state",
    )


def test_1_8_the_seed_changes_which_sentences_are_tested(step):
    frame = ten_sentences()
    picked = {
        tuple(sorted(set(split(step, frame, test_size=0.3, seed=seed)[1]["sentence_id"])))
        for seed in range(6)
    }
    if len(picked) == 1:
        raise AssertionError(
            f"called:   {call_text('split_by_sentence', TEN, test_size=0.3)}, seed=0 to 5\n"
            f"got:      the test sentences {list(picked.pop())} for every seed\n"
            "expected: other sentences for other seeds\n"
            "shuffle the sentences with the seed as random_state (GroupShuffleSplit)"
        )


@pytest.mark.parametrize("test_size", [0, 1, -0.2, 1.5])
def test_1_8_test_size_must_be_between_0_and_1(step, test_size):
    frame = ten_sentences()
    assert_value_error(
        call_text("split_by_sentence", TEN, test_size=test_size),
        lambda: step.split_by_sentence(frame, test_size=test_size),
    )


def test_1_8_one_sentence_cannot_be_split(step):
    frame = frame_of([["B-PER", "O", "O"]])
    assert_value_error(
        call_text("split_by_sentence", "<1 sentence of 3 rows>"),
        lambda: step.split_by_sentence(frame),
    )


# 1.9 dataset_statistics --------------------------------------------------------------------


def entity_counts(sentences: list[list[str]]) -> dict[str, int]:
    """Entities per type: one starts at B-X and at I-X after O, another type or a new sentence."""
    counts: dict[str, int] = {}
    for tags in sentences:
        for previous, tag in zip(["O", *tags], tags, strict=False):
            if tag.startswith("B-") or (tag.startswith("I-") and previous[2:] != tag[2:]):
                counts[tag[2:]] = counts.get(tag[2:], 0) + 1
    return counts


def not_plain(value: object, path: str) -> list[str]:
    """Where ``value`` holds something other than a dict with str keys, an int or a float."""
    if type(value) is dict:
        keys = [
            f"{path} has the key {short_repr(key)}, a {type(key).__name__}"
            for key in value
            if type(key) is not str
        ]
        return keys + [
            place
            for key, item in value.items()
            for place in not_plain(item, f"{path}[{short_repr(key)}]")
        ]
    if type(value) in (int, float):
        return []
    return [f"{path} is {short_repr(value)}, a {type(value).__module__}.{type(value).__qualname__}"]


ENTITY_RULE = (
    "an entity starts at each B-X and at each I-X that does not continue an X entity: "
    "after O, after another type, or first in its sentence"
)


def test_1_9_counts_sentences_tokens_and_entities(step):
    sentences = [
        ["I-LOC", "I-LOC", "O", "B-PER", "I-PER"],
        ["I-PER", "B-PER", "I-ORG", "B-ORG", "O"],
        ["O"],
    ]
    stats = step.dataset_statistics(frame_of(sentences))
    call = call_text("dataset_statistics", f"frame_of({sentences})")
    assert_type(call, stats, dict)
    assert_equal(f"{call}['sentences']", stats["sentences"], 3)
    assert_equal(f"{call}['tokens']", stats["tokens"], 11)
    assert_equal(
        f"{call}['entities']",
        stats["entities"],
        {"LOC": 1, "ORG": 2, "PER": 3},
        note=ENTITY_RULE + " (the I-PER that starts sentence 1 does not continue sentence 0)",
    )
    assert_equal(
        f"list({call}['entities'])",
        list(stats["entities"]),
        ["LOC", "ORG", "PER"],
        note="the entity types are sorted by name",
    )


def test_1_9_a_split_part_counts_its_own_sentence_ids(step):
    """A test part of split_by_sentence keeps ids such as 41, 7, 19: not 0..n-1, not sorted."""
    sentences = [["B-PER", "I-PER"], ["I-PER", "O", "O"], ["O"]]
    ids = [41, 7, 19]
    stats = step.dataset_statistics(frame_of(sentences, ids))
    call = call_text("dataset_statistics", f"frame_of({sentences}, ids={ids})")
    assert_type(call, stats, dict)
    assert_type(f"{call}['sentence_length']", stats["sentence_length"], dict)
    note = "count the distinct sentence_id values and group by them; never use max() + 1"
    assert_equal(f"{call}['sentences']", stats["sentences"], 3, note=note)
    assert_equal(f"{call}['entities']", stats["entities"], {"PER": 2}, note=ENTITY_RULE)
    assert_equal(
        f"{call}['sentence_length'], min and max",
        {key: stats["sentence_length"][key] for key in ("min", "max")},
        {"min": 1, "max": 3},
        note=note,
    )
    assert_close(f"{call}['sentence_length']['p50']", stats["sentence_length"]["p50"], 2.0)


def test_1_9_sentence_length_percentiles_interpolate_linearly(step):
    lengths = [1, 2, 2, 3, 5, 8, 13, 21]
    stats = step.dataset_statistics(frame_of([["O"] * n for n in lengths]))
    call = call_text("dataset_statistics", f"<frame with sentence lengths {lengths}>")
    assert_type(call, stats, dict)
    got = stats["sentence_length"]
    assert_type(f"{call}['sentence_length']", got, dict)
    assert_equal(
        f"list({call}['sentence_length'])", list(got), ["min", "p50", "p90", "p95", "p99", "max"]
    )
    assert_equal(f"{call}['sentence_length']['min']", got["min"], 1)
    assert_equal(f"{call}['sentence_length']['max']", got["max"], 21)
    note = "numpy.percentile(lengths, q) with the default linear interpolation"
    for key, expected in {"p50": 4.0, "p90": 15.4, "p95": 18.2, "p99": 20.44}.items():
        assert_close(f"{call}['sentence_length'][{key!r}]", got[key], expected, note=note)


def test_1_9_the_result_is_plain_json(step):
    stats = step.dataset_statistics(frame_of([["B-PER", "O"], ["O", "B-geo", "I-geo"]]))
    call = call_text("dataset_statistics", "frame_of([['B-PER', 'O'], ['O', 'B-geo', 'I-geo']])")
    places = not_plain(stats, call)
    if places:
        raise AssertionError(
            "\n".join(places[:8])
            + "\nexpected plain int and float values (json.dumps fails on numpy integers): "
            "convert with int(...) or float(...)"
        )
    assert_equal(
        f"{call}, compared with json.loads(json.dumps(it))", stats, json.loads(json.dumps(stats))
    )


@settings(PROPERTY, max_examples=12)
@given(
    st.lists(
        st.lists(st.sampled_from(["O", "O", "B-PER", "I-PER", "B-geo", "I-geo"]), min_size=1),
        min_size=1,
        max_size=8,
    )
)
def test_1_9_entities_are_counted_per_sentence(step, sentences):
    ids = [100 + 3 * index for index in range(len(sentences))]
    stats = step.dataset_statistics(frame_of(sentences, ids))
    call = call_text("dataset_statistics", f"frame_of({sentences!r}, ids={ids})")
    assert_type(call, stats, dict)
    assert_equal(
        f"{call}['entities']", stats["entities"], entity_counts(sentences), note=ENTITY_RULE
    )


def test_1_9_an_empty_frame_is_an_error(step):
    empty = pd.DataFrame({"sentence_id": [], "words": [], "labels": []})
    assert_value_error(
        call_text("dataset_statistics", "<frame with no rows>"),
        lambda: step.dataset_statistics(empty),
    )


def test_1_9_a_bad_tag_is_an_error_that_names_it(step):
    assert_rejects_bad_tags(
        "dataset_statistics(frame_of([['B-PER', 'O'], ['O', <bad tag>]]))",
        lambda bad: step.dataset_statistics(frame_of([["B-PER", "O"], ["O", bad]])),
    )
