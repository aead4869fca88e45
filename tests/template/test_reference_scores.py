"""The yardstick a training run is compared with: ``solutions/tools/reference_scores.json``."""

from __future__ import annotations

import pytest

from solutions.tools import reference_scores, reporting, train
from solutions.tools.implementation import load_implementation
from tests.harness.show import assert_equal

pytestmark = pytest.mark.pipeline


def default_run(argv: list[str] | None = None) -> tuple[dict, dict, dict]:
    """The data records and recipe of ``train --output x [argv]`` on the sample."""
    steps = load_implementation("solutions")
    args = train.parser().parse_args(["--output", "x", *(argv or [])])
    sentences = steps.preprocessing.read_conll(train.DEFAULT_TRAIN)["sentence_id"].nunique()
    config, _ = train._config(args, steps, sentences)
    settings = train.run_recipe(args, config)
    records = [reporting.file_record(path) for path in (train.DEFAULT_TRAIN, train.DEFAULT_DEV)]
    return records[0], records[1], settings


def test_the_sample_with_default_settings_has_a_reference_figure() -> None:
    train_record, dev_record, settings = default_run()
    entry = reference_scores.lookup(train_record, dev_record, settings)
    assert entry is not None, (
        f"no entry of {reference_scores.SCORES_FILE.name} matches the sample and the default "
        f"recipe {settings}: measure it again after changing the data or the defaults"
    )
    assert 0.5 < entry["dev_f1"] <= 1 and entry["optimizer_steps"] >= 1, entry


@pytest.mark.parametrize(
    "argv", [["--learning-rate", "1e-4"], ["--epochs", "2"], ["--case-feature", "off"]]
)
def test_other_settings_get_no_figure(argv: list[str]) -> None:
    train_record, dev_record, settings = default_run(argv)
    entry = reference_scores.lookup(train_record, dev_record, settings)
    assert_equal(f"reference for train {' '.join(argv)}", entry, None)


def test_other_data_gets_no_figure() -> None:
    train_record, dev_record, settings = default_run()
    other = {**train_record, "sha256": "0" * 64}
    assert reference_scores.lookup(other, dev_record, settings) is None
    split = {"split_from": train_record["sha256"], "dev_share": 0.1, "seed": 42}
    assert reference_scores.lookup(train_record, split, settings) is None
    assert reference_scores.comparison(None, 0.5, "exercises") == ""


def test_the_seed_does_not_change_the_recipe() -> None:
    assert default_run(["--seed", "7"])[2] == default_run()[2]
