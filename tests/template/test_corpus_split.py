"""One labelled file is enough: ``split_corpus`` and ``python -m solutions.tools.data split``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from solutions.tools import data
from solutions.tools.corpus import split_corpus, write_conll
from tests.harness.show import assert_equal
from tests.harness.steps import PROJECT_ROOT

pytestmark = pytest.mark.pipeline

SAMPLE_CSV = PROJECT_ROOT / "data" / "ner_dataset.csv"


def sentence_frame(labels_per_sentence: list[list[str]]) -> pd.DataFrame:
    rows = [
        (sentence, f"w{sentence}_{index}", label)
        for sentence, labels in enumerate(labels_per_sentence)
        for index, label in enumerate(labels)
    ]
    return pd.DataFrame(rows, columns=["sentence_id", "words", "labels"])


def sentences(frame: pd.DataFrame) -> dict[int, list[tuple[str, str]]]:
    return {
        int(key): list(zip(group["words"], group["labels"], strict=True))
        for key, group in frame.groupby("sentence_id")
    }


def test_parts_hold_every_sentence_once_and_only_known_labels(reference) -> None:
    frame = reference.preprocessing.read_tagged_csv(SAMPLE_CSV)
    split = split_corpus(frame, reference.preprocessing, dev_size=0.1, test_size=0.1)
    whole = sentences(frame)
    parts = {name: sentences(part) for name, part in split.parts.items()}
    ids = [key for part in parts.values() for key in part]
    assert_equal("sentence ids over train, dev and test", sorted(ids), sorted(whole))
    for name, part in parts.items():
        for key, rows in part.items():
            assert rows == whole[key], f"sentence {key} changed in the {name} part"
    known = set(reference.preprocessing.build_label_list(split.parts["train"]["labels"]))
    for name in ("dev", "test"):
        unknown = set(split.parts[name]["labels"]) - known
        assert not unknown, f"the {name} part has labels the training part lacks: {unknown}"
    counts = split.sentences()
    assert counts["dev"] >= 0.1 * len(whole) - sum(split.moved.values()) - 1, counts
    again = split_corpus(frame, reference.preprocessing, dev_size=0.1, test_size=0.1)
    assert_equal("the same split twice (fixed seed)", again.sentences(), counts)
    assert again.parts["dev"].equals(split.parts["dev"])


def test_a_held_out_sentence_with_a_label_train_lacks_goes_back_to_training(reference) -> None:
    # Sentence 3 holds the only GENE entity: wherever the split puts it, it must end in train.
    labels = [["O", "O"]] * 3 + [["B-GENE", "O"]] + [["B-PER", "O"]] * 6
    frame = sentence_frame(labels)
    for seed in range(8):
        split = split_corpus(frame, reference.preprocessing, dev_size=0.3, test_size=0.3, seed=seed)
        assert 3 in set(split.parts["train"]["sentence_id"]), f"seed {seed}: {split.sentences()}"
        assert sum(split.sentences().values()) == len(labels)
        moved_from = {name for name, count in split.moved.items() if count}
        assert all(split.moved[name] <= 1 for name in moved_from), split.moved


def test_a_dev_part_that_lacks_a_label_is_fine(reference) -> None:
    labels = [["B-PER", "O"]] * 9 + [["B-LOC"]]
    split = split_corpus(sentence_frame(labels), reference.preprocessing, dev_size=0.1)
    assert split.moved == {"dev": 0}
    assert set(split.parts["dev"]["labels"]) == {"B-PER", "O"}
    assert "B-LOC" in set(split.parts["train"]["labels"])


@pytest.mark.parametrize(("dev", "test"), [(0.0, 0.1), (0.6, 0.4), (1.0, 0.0), (0.1, -0.1)])
def test_bad_shares_are_value_errors(reference, dev: float, test: float) -> None:
    with pytest.raises(ValueError, match="shares"):
        split_corpus(sentence_frame([["O"]] * 10), reference.preprocessing, dev, test)


def test_write_conll_round_trips_through_the_reader(reference, tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "sentence_id": [5, 5, 5, 9],
            "words": ["New York", "'s", "", "Hi"],
            "labels": ["B-LOC", "O", "O", "O"],
        }
    )
    back = reference.preprocessing.read_conll(write_conll(frame, tmp_path / "x.conll"))
    assert_equal(
        "read_conll(write_conll(frame))",
        [list(back["words"]), list(back["labels"]), back["sentence_id"].nunique()],
        [["New_York", "'s", "_", "Hi"], list(frame["labels"]), 2],
    )


def test_the_split_command_writes_three_conll_files(
    reference, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "parts"
    argv = ["split", str(SAMPLE_CSV), "--out", str(out), "--dev-size", "0.2", "--test-size", "0.1"]
    assert data.main(argv) == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    whole = sentences(reference.preprocessing.read_tagged_csv(SAMPLE_CSV))
    parts = ("train", "dev", "test")
    read = {name: reference.preprocessing.read_conll(out / f"{name}.conll") for name in parts}
    total = sum(frame["sentence_id"].nunique() for frame in read.values())
    assert_equal(f"sentences in {out}/*.conll", total, len(whole))
    assert read["dev"]["sentence_id"].nunique() >= 0.2 * len(whole) - 2
    assert f"--train {out.as_posix()}/train.conll --dev {out.as_posix()}/dev.conll" in printed


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["split", "data/no-such.csv", "--out", "x"], "no-such.csv"),
        (
            ["split", "data/train.conll", "--out", "x", "--test-size", "0.5", "--dev-size", "0.5"],
            "shares",
        ),
    ],
)
def test_split_errors_are_one_line(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    monkeypatch.chdir(PROJECT_ROOT)
    assert data.main(argv) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith("error: ") and fragment in error, error
