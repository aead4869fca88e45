"""Step 1 · data preprocessing: read CoNLL and tutorial CSV files, labels, splits, statistics."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from seqeval.metrics.sequence_labeling import get_entities

from tests.harness.show import assert_equal, assert_tags, assert_value_error, call_text

pytestmark = pytest.mark.step1

PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
COLUMNS = ["sentence_id", "words", "labels"]
Sentences = list[list[tuple[str, str]]]


def write(folder: Path, text: str, name: str = "corpus.conll", encoding: str = "utf-8") -> Path:
    """Write ``text`` byte for byte (``\\r\\n`` stays ``\\r\\n``) and return the file's path."""
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def assert_frame(call: str, frame: pd.DataFrame, sentences: Sentences) -> None:
    """``frame`` is the training frame of ``sentences``: lists of (word, label) pairs."""
    __tracebackhide__ = True
    assert_equal(f"list({call}.columns)", list(frame.columns), COLUMNS)
    words = [word for sentence in sentences for word, _ in sentence]
    ids = [index for index, sentence in enumerate(sentences) for _ in sentence]
    assert_equal(f"{call}['sentence_id'].tolist()", frame["sentence_id"].tolist(), ids)
    assert_equal(f"{call}['words'].tolist()", frame["words"].tolist(), words)
    labels = [label for sentence in sentences for _, label in sentence]
    assert_tags(call, words, frame["labels"].tolist(), labels)


def frame_of(sentences: list[list[str]], first_id: int = 0) -> pd.DataFrame:
    """A training frame from sentences of labels; the words are w0, w1, ..."""
    rows = [
        (first_id + index, f"w{position}", label)
        for index, labels in enumerate(sentences)
        for position, label in enumerate(labels)
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


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
    sentences = [
        [("Paris", "B-geo"), ("on", "O"), ("Monday", "B-tim"), ("morning", "I-tim")],
        [("Ana", "B-person"), ("May", "B-DATE"), ("3", "I-DATE"), ("Nobel", "B-art")],
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


def test_1_1_reads_the_iob1_sample_file(step, data_dir):
    path = data_dir / "iob1_sample.conll"
    frame = step.read_conll(path)
    call = call_text("read_conll", "data/iob1_sample.conll")
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
    "an IOBES tag": ("EU E-ORG\n", 1, "E-ORG"),
    "a tag without prefix": ("Peter PERSON\n", 1, "PERSON"),
    "a lower-case prefix": ("EU NNP O\n\nPeter NNP b-per\n", 3, "b-per"),
    "a prefix without type": ("Peter B-\n", 1, None),
    "an underscore": ("EU O\n\n\nPeter B_PER\n", 4, "B_PER"),
}


@pytest.mark.parametrize(("text", "line", "value"), BAD_CONLL.values(), ids=BAD_CONLL)
def test_1_2_bad_rows_name_file_line_and_value(step, tmp_path, text, line, value):
    path = write(tmp_path, text, name="bad.conll")
    fragments = [path.name, f"line {line}", *([value] if value else [])]
    assert_value_error(call_text("read_conll", path), lambda: step.read_conll(path), *fragments)


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
def test_1_3_a_missing_key_is_an_error(step, missing):
    keys = ["Sentence: 1", missing, "Sentence: 2"]
    assert_value_error(
        call_text("encode_sentence_ids", keys), lambda: step.encode_sentence_ids(keys)
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


def test_1_4_the_sample_csv_holds_the_three_conll_splits(step, reference, data_dir):
    frame = step.read_tagged_csv(data_dir / "ner_dataset.csv")
    parts = [reference.preprocessing.read_conll(data_dir / f"{name}.conll") for name in SPLITS]
    call = call_text("read_tagged_csv", "data/ner_dataset.csv")
    note = "data/README.md: the CSV holds train.conll, dev.conll and test.conll in a row"
    got = list(zip(frame["sentence_id"], frame["words"], frame["labels"], strict=True))
    expected, offset = [], 0
    for part in parts:
        expected += zip(part["sentence_id"] + offset, part["words"], part["labels"], strict=True)
        offset += part["sentence_id"].nunique()
    assert_equal(f"len({call})", len(got), len(expected), note=note)
    first = next(
        ((row, g, e) for row, (g, e) in enumerate(zip(got, expected, strict=True)) if g != e), None
    )
    assert_equal(
        f"first (row, got, expected) of {call} that differs, as (sentence_id, word, label)",
        first,
        None,
        note=note,
    )


# 1.5 read_tagged_csv rejects bad input -----------------------------------------------------

HEADER = "Sentence #,Word,POS,Tag\n"
BAD_CSV = {
    "no Tag column": ("Sentence #,Word,POS\nSentence: 1,EU,NNP\n", ["Tag", "POS"]),
    "no Word column": ("Sentence #,Token,POS,Tag\nSentence: 1,EU,NNP,B-org\n", ["Word", "Token"]),
    "no sentence column": ("Word,Tag\nEU,B-org\n", ["Sentence #", "Word"]),
    "an empty word": (HEADER + "Sentence: 1,EU,NNP,B-org\n,,NN,O\n", ["line 3"]),
    "a bad tag": (HEADER + "Sentence: 1,EU,NNP,O\n,Peter,NNP,B_per\n", ["line 3", "B_per"]),
    "a missing tag": (HEADER + "Sentence: 1,EU,NNP,B-org\n,rejects,VBZ\n", ["line 3"]),
    "no key on the first row": (HEADER + ",EU,NNP,B-org\n", ["line 2"]),
    "a key that comes back": (
        HEADER + "Sentence: 1,A,X,O\nSentence: 2,B,X,O\nSentence: 1,C,X,O\n",
        ["line 4", "Sentence: 1"],
    ),
    "an unquoted comma": (HEADER + "Sentence: 1,EU,NNP,O\n,1,000,CD,O\n", ["line 3"]),
    "an empty file": ("", []),
    "only a header": (HEADER, []),
}


@pytest.mark.parametrize(("text", "fragments"), BAD_CSV.values(), ids=BAD_CSV)
def test_1_5_bad_csv_names_file_line_and_value(step, tmp_path, text, fragments):
    path = write(tmp_path, text, name="bad.csv")
    assert_value_error(
        call_text("read_tagged_csv", path),
        lambda: step.read_tagged_csv(path),
        path.name,
        *fragments,
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
    ],
    ids=["CoNLL types", "only I-", "only B-", "no O in the data", "no tags"],
)
def test_1_6_o_first_then_b_and_i_of_each_sorted_type(step, tags, expected):
    got = step.build_label_list(tags)
    assert_equal(call_text("build_label_list", tags), got, expected)


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


@pytest.mark.parametrize("bad", ["PERSON", "b-loc", "S-ORG", "B-"])
def test_1_6_a_bad_tag_is_an_error_that_names_it(step, bad):
    tags = ["O", "B-PER", bad]
    fragments = [bad] if bad != "B-" else []
    assert_value_error(
        call_text("build_label_list", tags), lambda: step.build_label_list(tags), *fragments
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
    assert_value_error(call_text("label_maps", labels), lambda: step.label_maps(labels), "B-PER")


# 1.8 split_by_sentence ---------------------------------------------------------------------


def ten_sentences() -> pd.DataFrame:
    """Ten sentences of 1 to 4 tokens, ids deliberately out of order (9, 8, ..., 0)."""
    rows = [
        (sentence, f"s{sentence}w{position}", "O")
        for sentence in range(9, -1, -1)
        for position in range(sentence % 4 + 1)
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def sentences_in(frame: pd.DataFrame) -> dict[int, list[str]]:
    return {int(key): group["words"].tolist() for key, group in frame.groupby("sentence_id")}


@pytest.mark.parametrize(("test_size", "test_sentences"), [(0.2, 2), (0.25, 3), (0.5, 5)])
def test_1_8_no_sentence_is_in_both_parts(step, test_size, test_sentences):
    frame = ten_sentences()
    train, test = step.split_by_sentence(frame, test_size=test_size, seed=0)
    call = call_text("split_by_sentence", "<10 sentences>", test_size=test_size, seed=0)
    shared = sorted(set(train["sentence_id"]) & set(test["sentence_id"]))
    assert_equal(f"sentences in both parts of {call}", shared, [])
    assert_equal(
        f"number of test sentences of {call}",
        test["sentence_id"].nunique(),
        test_sentences,
        note="ceil(test_size * sentences) go to the test part, as scikit-learn rounds",
    )
    assert_equal(f"list(train.columns) of {call}", list(train.columns), COLUMNS)
    assert_equal(f"list(test.columns) of {call}", list(test.columns), COLUMNS)


def test_1_8_every_sentence_stays_whole_and_in_order(step):
    frame = ten_sentences()
    train, test = step.split_by_sentence(frame, test_size=0.3, seed=7)
    call = call_text("split_by_sentence", "<10 sentences>", test_size=0.3, seed=7)
    together = {**sentences_in(train), **sentences_in(test)}
    assert_equal(f"sentences of both parts of {call}", together, sentences_in(frame))
    for name, part in (("train", train), ("test", test)):
        ids = part["sentence_id"].tolist()
        blocks = [key for i, key in enumerate(ids) if i == 0 or ids[i - 1] != key]
        assert_equal(
            f"sentence ids of {name} part, in row order, of {call}",
            blocks,
            list(dict.fromkeys(blocks)),
            note="each sentence's rows must stay next to each other",
        )


def test_1_8_the_seed_makes_it_reproducible(step):
    frame = ten_sentences()
    call = call_text("split_by_sentence", "<10 sentences>", test_size=0.5, seed=3)

    def sentences_for_seed(seed: int) -> list[int]:
        _, test = step.split_by_sentence(frame, test_size=0.5, seed=seed)
        return sorted(set(test["sentence_id"].tolist()))

    assert_equal(f"test sentences of {call}, twice", sentences_for_seed(3), sentences_for_seed(3))
    assert_equal(
        "different test sentences for seeds 0 to 4",
        len({tuple(sentences_for_seed(seed)) for seed in range(5)}) > 1,
        True,
    )


@pytest.mark.parametrize("test_size", [0, 1, -0.2, 1.5])
def test_1_8_test_size_must_be_between_0_and_1(step, test_size):
    frame = ten_sentences()
    assert_value_error(
        call_text("split_by_sentence", "<10 sentences>", test_size=test_size),
        lambda: step.split_by_sentence(frame, test_size=test_size),
    )


def test_1_8_one_sentence_cannot_be_split(step):
    frame = frame_of([["B-PER", "O", "O"]])
    assert_value_error(
        call_text("split_by_sentence", "<1 sentence>"), lambda: step.split_by_sentence(frame)
    )


# 1.9 dataset_statistics --------------------------------------------------------------------


def test_1_9_counts_sentences_tokens_and_entities(step):
    sentences = [
        ["B-PER", "I-PER", "O", "I-LOC", "I-LOC"],
        ["I-PER", "B-PER", "I-ORG", "B-ORG", "O"],
        ["O"],
    ]
    stats = step.dataset_statistics(frame_of(sentences))
    call = call_text("dataset_statistics", "<frame of 3 sentences>")
    assert_equal(f"{call}['sentences']", stats["sentences"], 3)
    assert_equal(f"{call}['tokens']", stats["tokens"], 11)
    assert_equal(
        f"{call}['entities']",
        stats["entities"],
        {"LOC": 1, "ORG": 2, "PER": 3},
        note="an entity starts at each B-X and at each I-X that does not continue an X entity "
        "(I-PER at the start of sentence 1 does not continue the PER of sentence 0)",
    )


def test_1_9_sentence_length_percentiles_are_plain_json(step):
    lengths = [1, 2, 2, 3, 5, 8, 13, 21]
    stats = step.dataset_statistics(frame_of([["O"] * n for n in lengths]))
    call = call_text("dataset_statistics", f"<frame with sentence lengths {lengths}>")
    expected = {
        "min": 1,
        **{f"p{q}": float(np.percentile(lengths, q)) for q in (50, 90, 95, 99)},
        "max": 21,
    }
    assert_equal(f"{call}['sentence_length']", stats["sentence_length"], expected)
    assert_equal(f"json.loads(json.dumps({call}))", json.loads(json.dumps(stats)), stats)


@PROPERTY
@given(
    st.lists(
        st.lists(st.sampled_from(["O", "O", "B-PER", "I-PER", "B-geo", "I-geo"]), min_size=1),
        min_size=1,
        max_size=8,
    )
)
def test_1_9_entities_are_counted_like_seqeval(step, sentences):
    stats = step.dataset_statistics(frame_of(sentences, first_id=100))
    expected: dict[str, int] = {}
    for tags in sentences:
        for kind, _, _ in get_entities(tags):
            expected[kind] = expected.get(kind, 0) + 1
    call = call_text("dataset_statistics", f"frame_of({sentences!r})")
    assert_equal(f"{call}['entities']", stats["entities"], expected)


def test_1_9_bad_frames_are_errors(step):
    empty = pd.DataFrame({"sentence_id": [], "words": [], "labels": []})
    assert_value_error(
        call_text("dataset_statistics", "<empty frame>"), lambda: step.dataset_statistics(empty)
    )
    bad = frame_of([["O", "PERSON"]])
    assert_value_error(
        call_text("dataset_statistics", "<frame with tag 'PERSON'>"),
        lambda: step.dataset_statistics(bad),
        "PERSON",
    )


def test_1_9_conll2003_train_statistics(step, conll2003_dir):
    path = conll2003_dir / "train.txt"
    stats = step.dataset_statistics(step.read_conll(path))
    call = call_text("dataset_statistics", f"read_conll({str(path)!r})")
    summary = {key: stats[key] for key in ("sentences", "tokens", "entities")}
    expected = {
        "sentences": 14_041,
        "tokens": 203_621,
        "entities": {"LOC": 7_140, "MISC": 3_438, "ORG": 6_321, "PER": 6_600},
    }
    assert_equal(call, summary, expected)
