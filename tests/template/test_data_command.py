"""``python -m solutions.tools.data``: data statistics, format detection, one-line errors."""

from __future__ import annotations

import json
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
