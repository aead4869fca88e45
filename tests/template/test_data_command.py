"""``python -m solutions.tools.data``: data statistics, format detection, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness.show import assert_equal
from tests.harness.steps import PROJECT_ROOT

pytestmark = pytest.mark.pipeline

KAGGLE_LATIN1 = (
    "Sentence #,Word,POS,Tag\r\nSentence: 1,Müller,NNP,B-per\r\n,visited,VBD,O\r\n"
    ',"Zürich",NNP,B-geo\r\nSentence: 2,NA,NNP,O\r\n'
)


def run_data(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "solutions.tools.data", *map(str, args)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def json_output(*args: str | Path) -> dict:
    completed = run_data(*args, "--json")
    assert completed.returncode == 0, f"python -m solutions.tools.data failed:\n{completed.stderr}"
    return json.loads(completed.stdout)


def expected_summary(frame, preprocessing, path: str, format: str) -> dict:
    stats = preprocessing.dataset_statistics(frame)
    return {
        "path": path,
        "format": format,
        "sentences": stats["sentences"],
        "tokens": stats["tokens"],
        "labels": preprocessing.build_label_list(frame["labels"]),
        "entities": stats["entities"],
        "sentence_length": stats["sentence_length"],
    }


@pytest.mark.parametrize(("name", "format"), [("train.conll", "conll"), ("ner_dataset.csv", "csv")])
def test_json_statistics_of_the_sample_files(reference, data_dir, name, format):
    path = f"data/{name}"
    steps = reference.preprocessing
    read = steps.read_conll if format == "conll" else steps.read_tagged_csv
    expected = expected_summary(read(data_dir / name), steps, path, format)
    assert_equal(f"python -m solutions.tools.data {path} --json", json_output(path), expected)


def test_readable_report_shows_counts_and_every_type(reference, data_dir):
    stats = reference.preprocessing.dataset_statistics(
        reference.preprocessing.read_conll(data_dir / "train.conll")
    )
    completed = run_data("data/train.conll")
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    expected = [f"{stats['sentences']:,}", f"{stats['tokens']:,}"]
    expected += [f"{name} {count:,}" for name, count in stats["entities"].items()]
    squeezed = [" ".join(line.split()) for line in lines]
    missing = [text for text in expected if not any(text in line for line in squeezed)]
    assert not missing, f"the report lacks {missing}:\n{completed.stdout}"


@pytest.mark.parametrize(
    ("name", "text", "format"),
    [
        ("kaggle.txt", KAGGLE_LATIN1, "csv"),
        ("tagged.csv", "Müller,NNP B-PER\n\nZürich\tB-LOC\n", "conll"),
    ],
    ids=["a CSV header in a .txt file", "CoNLL in a .csv file"],
)
def test_the_format_is_detected_from_the_content(reference, tmp_path, name, text, format):
    path = tmp_path / name
    path.write_bytes(text.encode("latin-1"))
    steps = reference.preprocessing
    read = steps.read_conll if format == "conll" else steps.read_tagged_csv
    expected = expected_summary(read(path, encoding="latin-1"), steps, str(path), format)
    got = json_output(path, "--encoding", "latin-1")
    assert_equal(f"python -m solutions.tools.data {path} --encoding latin-1 --json", got, expected)


BAD_INPUT = {
    "a missing file": (["data/no-such-file.conll"], ["no-such-file.conll"]),
    "a folder": (["data"], ["data"]),
    "an unknown format": (["data/train.conll", "--format", "xml"], ["xml"]),
    "a row without a tag": ("EU B-ORG\nrejects\n", ["bad.conll", "line 2"]),
    "the wrong encoding": ("Müller B-PER\n".encode("latin-1"), ["bad.conll", "encoding"]),
    "an empty file": ("", ["bad.conll"]),
}


@pytest.mark.parametrize(("given", "fragments"), BAD_INPUT.values(), ids=BAD_INPUT)
def test_bad_input_is_one_error_line_and_status_2(tmp_path, given, fragments):
    if isinstance(given, list):
        args = given
    else:
        path = tmp_path / "bad.conll"
        path.write_bytes(given if isinstance(given, bytes) else given.encode("utf-8"))
        args = [str(path)]
    completed = run_data(*args)
    command = f"python -m solutions.tools.data {' '.join(args)}"
    assert_equal(f"exit status of {command}", completed.returncode, 2)
    lines = completed.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), (
        f"{command} should print one line 'error: ...' on stderr, got:\n{completed.stderr}"
    )
    missing = [fragment for fragment in fragments if fragment not in lines[0]]
    assert not missing, f"{command}: the error line lacks {missing}: {lines[0]}"
    assert_equal(f"stdout of {command}", completed.stdout, "")


@pytest.mark.parametrize(
    ("header", "found", "lacks"),
    [
        ("Sentence #,Word,POS", "['Sentence #', 'Word', 'POS']", "'Tag'"),
        ("token,label", "['token', 'label']", "'Sentence #', 'Word', 'Tag'"),
        ("\ufeffSentence #;Word;POS;Tag", "['Sentence #;Word;POS;Tag']", "'Sentence #', 'Word'"),
    ],
    ids=["no Tag column", "other column names", "semicolons"],
)
def test_a_csv_header_without_the_needed_columns_names_found_and_expected(
    tmp_path, header, found, lacks
):
    path = tmp_path / "notes.csv"
    path.write_text(f"{header}\nSentence: 1,Hi,UH\n", encoding="utf-8")
    completed = run_data(path)
    command = f"python -m solutions.tools.data {path}"
    assert_equal(f"exit status of {command}", completed.returncode, 2)
    line = completed.stderr.strip()
    assert "\n" not in line and line.startswith(f"error: {path}, line 1: "), line
    assert "bad tag" not in line, f"read as CoNLL: {line}"
    expected = [
        f"lacks {lacks}",
        f"columns found: {found}",
        "expected: 'Sentence #', 'Word', 'Tag'",
    ]
    missing = [text for text in expected if text not in line]
    assert not missing, f"{command}: the error line lacks {missing}: {line}"


def test_a_forced_csv_format_checks_the_header_too(tmp_path):
    path = tmp_path / "train.conll"
    path.write_text("EU B-ORG\nrejects O\n", encoding="utf-8")
    completed = run_data(path, "--format", "csv")
    assert completed.returncode == 2, completed
    assert "columns found: ['EU B-ORG']; expected: 'Sentence #', 'Word', 'Tag'" in (
        completed.stderr
    ), completed.stderr


@pytest.mark.parametrize("name", ["kaggle.csv", "kaggle.conll"])
def test_errors_name_the_flag_the_user_types(tmp_path, name):
    path = tmp_path / name
    text = KAGGLE_LATIN1 if name.endswith(".csv") else "Müller B-PER\n"
    path.write_bytes(text.encode("latin-1"))
    completed = run_data(path)
    assert completed.returncode == 2, completed
    assert "--encoding latin-1" in completed.stderr, completed.stderr
    assert "encoding=" not in completed.stderr, completed.stderr
    assert_equal(f"stdout of python -m solutions.tools.data {path}", completed.stdout, "")


def test_one_line_errors_name_flags_only_a_command_has():
    import argparse

    from solutions.tools.cli import as_flags, one_line_error

    error = ValueError("x.csv: not valid utf-8; pass the file's encoding, e.g. encoding='latin-1'")
    with_flag = one_line_error(error, "training", "solutions", argparse.Namespace(encoding="utf-8"))
    assert (
        with_flag
        == "error: x.csv: not valid utf-8; pass the file's encoding, e.g. --encoding latin-1"
    )
    without = one_line_error(error, "predicting", "solutions", argparse.Namespace(model="m"))
    assert without.endswith("e.g. encoding='latin-1'"), "no --encoding flag to name"
    assert (
        as_flags('use encoding="cp1252" or format=csv') == "use --encoding cp1252 or --format csv"
    )
    assert as_flags("data_format=x, reencoding=y") == "data_format=x, reencoding=y"


# download --------------------------------------------------------------------------------------


def hub_dataset(tags: list[list[int]] | list[list[str]], names: list[str] | None = None):
    """An in-memory ``DatasetDict`` shaped like CoNLL-2003 on the Hub (tokens, ner_tags)."""
    import datasets

    tag = datasets.ClassLabel(names=names) if names else datasets.Value("string")
    features = datasets.Features(
        {
            "id": datasets.Value("string"),
            "tokens": datasets.Sequence(datasets.Value("string")),
            "ner_tags": datasets.Sequence(tag),
        }
    )
    tokens = [["EU", "rejects", "German", "call"], ["Peter", "Blackburn"], []][: len(tags)]
    rows = {"id": [str(i) for i in range(len(tags))], "tokens": tokens, "ner_tags": tags}
    split = datasets.Dataset.from_dict(rows, features=features)
    return datasets.DatasetDict({"train": split, "validation": split, "test": split})


CONLL_NAMES = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]


@pytest.fixture
def fake_hub(monkeypatch: pytest.MonkeyPatch) -> dict:
    """Replace ``datasets.load_dataset``; the dict holds the calls and what to return."""
    import datasets

    hub: dict = {"calls": []}

    def load_dataset(name: str, config: str | None = None, **options: object):
        hub["calls"].append((name, config))
        if isinstance(hub["returns"], Exception):
            raise hub["returns"]
        return hub["returns"]

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    return hub


def test_download_writes_train_dev_test_with_the_classlabel_names(
    reference, fake_hub: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from solutions.tools import data

    fake_hub["returns"] = hub_dataset([[3, 0, 7, 0], [1, 2], []], CONLL_NAMES)
    out = tmp_path / "conll2003"
    assert data.main(["download", "conll2003", "--output", str(out)]) == 0, capsys.readouterr()
    assert_equal("datasets.load_dataset calls", fake_hub["calls"], [("lhoestq/conll2003", None)])
    expected = {
        "sentence_id": [0, 0, 0, 0, 1, 1],
        "words": ["EU", "rejects", "German", "call", "Peter", "Blackburn"],
        "labels": ["B-ORG", "O", "B-MISC", "O", "B-PER", "I-PER"],
    }
    for name in ("train", "dev", "test"):
        frame = reference.preprocessing.read_conll(out / f"{name}.conll")
        assert_equal(f"read_conll({out}/{name}.conll)", frame.to_dict("list"), expected)
    printed = capsys.readouterr().out
    assert f"--train {out.as_posix()}/train.conll --dev {out.as_posix()}/dev.conll" in printed


def test_download_any_dataset_with_a_config_and_string_tags(
    reference, fake_hub: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from solutions.tools import data

    fake_hub["returns"] = hub_dataset([["B-ORG", "O", "B-MISC", "O"]])
    out = tmp_path / "any"
    argv = ["download", "--dataset", "someone/ner", "--config", "en", "--output", str(out)]
    assert data.main(argv) == 0, capsys.readouterr()
    assert_equal("datasets.load_dataset calls", fake_hub["calls"], [("someone/ner", "en")])
    frame = reference.preprocessing.read_conll(out / "dev.conll")
    assert_equal("labels of dev.conll", list(frame["labels"]), ["B-ORG", "O", "B-MISC", "O"])


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--tags-column", "pos_tags"], "no column 'pos_tags'"),
        (["--tokens-column", "words"], "no column 'words'"),
    ],
)
def test_download_with_a_wrong_column_is_one_line(
    fake_hub: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv, fragment
) -> None:
    from solutions.tools import data

    fake_hub["returns"] = hub_dataset([[0, 0, 0, 0]], CONLL_NAMES)
    assert data.main(["download", "wikiann", "--output", str(tmp_path), *argv]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith("error: ") and fragment in error, error


def test_download_failure_is_one_line(
    fake_hub: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from solutions.tools import data

    fake_hub["returns"] = ConnectionError("Couldn't reach 'unimelb-nlp/wikiann' on the Hub")
    assert data.main(["download", "wikiann", "--output", str(tmp_path / "w")]) == 1
    error = capsys.readouterr().err
    assert fake_hub["calls"] == [("unimelb-nlp/wikiann", "en")]
    assert error.count("\n") == 1, error
    assert "cannot download data set unimelb-nlp/wikiann (configuration en)" in error, error
    assert "offline?" in error and not (tmp_path / "w").exists()


def test_download_offline_in_a_real_process_is_one_line(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "solutions.tools.data", "download", "--dataset",
         "ner-course-tests/no-such-dataset", "--output", str(tmp_path / "x")],
        cwd=PROJECT_ROOT,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # fmt: skip
    assert completed.returncode == 1, completed
    assert completed.stderr.count("\n") == 1 and "Traceback" not in completed.stderr
    assert completed.stderr.startswith("error: cannot download data set"), completed.stderr


def test_download_needs_exactly_one_data_set(capsys: pytest.CaptureFixture[str]) -> None:
    from solutions.tools import data

    assert data.main(["download", "--output", "x"]) == 2
    assert "name one data set" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        data.main(["download", "imdb", "--output", "x"])
    assert "invalid choice: 'imdb'" in capsys.readouterr().err
