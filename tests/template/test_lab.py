"""The lab: each experiment's fast setting end to end with a tiny random BERT, the default and
``--full`` settings' data and flags, and the measurements behind its tables checked on small
hand-made inputs. (The figures of the default and full settings are measured by hand and
written in docs/lab.md; no test trains the real backbone.)"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from solutions import alignment as reference_alignment
from solutions.tools.implementation import STEP_MODULES
from solutions.tools.lab import EXPERIMENTS, common
from solutions.tools.lab import __main__ as lab
from solutions.tools.lab.alignment import positions_in_loss
from solutions.tools.lab.common import (
    SAMPLE_SENTENCES,
    SMALL_SAMPLE_NOTE,
    Context,
    data_notes,
    load_data,
    mean_interval,
    sd,
    wilson_interval,
)
from solutions.tools.lab.fairness import draw_names, fill
from solutions.tools.lab.learning_rate import early_stopping
from solutions.tools.lab.lowercase import FAST as LOWERCASE_FAST
from solutions.tools.lab.lowercase import unk_shares
from solutions.tools.lab.truncation import entities_past_cut, kept_words, truncate_frame
from solutions.tools.model import sentences_of
from tests.template.models import build_tiny_model

pytestmark = pytest.mark.pipeline

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LABELS = ["O", "B-LOC", "I-LOC", "B-MISC", "I-MISC", "B-ORG", "I-ORG", "B-PER", "I-PER"]
PNG = b"\x89PNG\r\n\x1a\n"
# A vocabulary where "klinsmann" splits into k ##lins ##mann and nothing is capitalised.
VOCABULARY = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "k", "##lins", "##mann"]
VOCABULARY += ["scored", "in", "paris", "."]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("backbone") / "tiny", LABELS)


@pytest.fixture(scope="module")
def vocab(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("vocab") / "vocab.txt"
    path.write_text("\n".join(VOCABULARY) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tokenizer(vocab: Path):
    """A (fast) lower-casing WordPiece tokenizer over ``VOCABULARY``."""
    from transformers import BertTokenizer

    return BertTokenizer(str(vocab), do_lower_case=True)


def run_fast(experiment: str, model: Path, output: Path, capsys, *flags: str) -> dict:
    """``python -m solutions.tools.lab EXPERIMENT --fast`` in-process; return table.json."""
    return run_lab(experiment, model, output, capsys, "fast", "--fast", *flags)


def run_lab(experiment: str, model: Path, output: Path, capsys, setting: str, *flags: str) -> dict:
    """``python -m solutions.tools.lab EXPERIMENT FLAGS`` in-process; return table.json."""
    argv = [experiment, "--model", str(model), "--output", str(output), *flags]
    status = lab.main([*argv, "--threads", "1"])
    captured = capsys.readouterr()
    assert status == 0, f"lab {argv} exited {status}: {captured.err[-2000:]}"
    assert (output / "plot.png").read_bytes()[:8] == PNG, f"{output}/plot.png is not a PNG"
    markdown = (output / "table.md").read_text(encoding="utf-8")
    assert "## What to look for" in markdown and markdown in captured.out
    result = json.loads((output / "table.json").read_text(encoding="utf-8"))
    assert (result["experiment"], result["setting"]) == (experiment, setting), result
    assert result["look_for"] and result["tables"], result
    return result


def rows(result: dict, table: int = 0) -> list[dict]:
    return result["tables"][table]["rows"]


# --- the measurements, on hand-made inputs ---------------------------------------------------


def test_unk_shares_count_words_and_entity_words_that_contain_the_unknown_token(
    tokenizer, vocab: Path
):
    sentences = [["Klinsmann", "scored", "in", "Paris", "."], ["The", "end"]]
    labels = [["B-PER", "O", "O", "B-LOC", "O"], ["O", "O"]]
    assert unk_shares(tokenizer, sentences, labels) == {"words": 0.1429, "entity_words": 0.0}
    from transformers import BertTokenizer

    cased = BertTokenizer(str(vocab), do_lower_case=False)
    # Klinsmann, Paris and The are unknown when not lower-cased ("end" always is)
    assert unk_shares(cased, sentences, labels) == {"words": round(4 / 7, 4), "entity_words": 1.0}


def test_loss_positions_follow_align_labels(tokenizer):
    sentences, labels = [["Klinsmann", "scored"]], [["B-PER", "O"]]
    first = positions_in_loss(tokenizer, sentences, labels, LABELS, reference_alignment)
    every = positions_in_loss(tokenizer, sentences, labels, LABELS, reference_alignment, True)
    # [CLS] k ##lins ##mann scored [SEP]: the first subword of each word, or all four subwords
    assert first == [{"positions": 2, "entity_positions": 1, "words": 2, "subwords": 6}]
    assert every == [{"positions": 4, "entity_positions": 3, "words": 2, "subwords": 6}]


def test_kept_words_keep_whole_words_that_fit_and_at_least_one():
    assert kept_words([3, 2, 4, 1], room=5) == 2
    assert kept_words([3, 2, 4, 1], room=10) == 4
    assert kept_words([7, 1], room=5) == 1
    assert kept_words([], room=5) == 0


def test_entities_past_the_cut_are_counted_as_never_seen_or_cut_through():
    counts = [[1, 1, 1, 1, 1, 1], [1, 1], [2, 2, 2]]
    labels = [
        ["B-PER", "I-PER", "O", "B-LOC", "I-LOC", "B-ORG"],  # PER kept, LOC cut, ORG past
        ["B-PER", "O"],  # short: nothing lost
        ["O", "O", "B-MISC"],  # MISC past
    ]
    found = entities_past_cut(counts, labels, room=4, alignment=reference_alignment)
    assert found == {
        "sentences": 3,
        "long_sentences": 2,
        "entities": 5,
        "never_seen": 2,
        "cut_through": 1,
    }


def test_truncate_frame_keeps_the_words_whose_subwords_fit(tokenizer):
    frame = pd.DataFrame(
        {
            "sentence_id": [0, 0, 0, 1, 1, 1],
            "words": ["Klinsmann", "scored", "in", "the", "end", "."],
            "labels": ["B-PER", "O", "O", "O", "O", "O"],
        }
    )
    # 3 + 1 + 1 subwords, then 1 + 1 + 1: room 4 keeps 2 words, then 3
    cut = truncate_frame(frame, tokenizer, room=4)
    assert cut["words"].tolist() == ["Klinsmann", "scored", "the", "end", "."], cut
    assert cut["sentence_id"].tolist() == [0, 0, 1, 1, 1], cut


@pytest.mark.parametrize(("successes", "trials"), [(8, 10), (0, 20), (20, 20), (37, 200), (1, 1)])
def test_wilson_interval_matches_the_closed_form(successes: int, trials: int):
    z = 1.959963984540054
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z / (1 + z * z / trials) * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials**2))
    expected = (round(centre - half, 4), round(centre + half, 4))
    assert wilson_interval(successes, trials) == pytest.approx(expected, abs=1e-4)


def test_wilson_interval_known_values_and_no_trials():
    assert wilson_interval(8, 10) == (0.4902, 0.9433)  # a textbook example
    assert wilson_interval(0, 20) == (0.0, 0.1611)
    with pytest.raises(ValueError, match="at least one trial"):
        wilson_interval(0, 0)


def test_sd_is_the_sample_standard_deviation_and_zero_for_one_value():
    assert sd([0.5, 0.7, 0.6]) == 0.1
    assert sd([0.5]) == 0.0


def test_mean_interval_is_students_t():
    # mean 2, standard error 1/sqrt(3), t(0.975, 2 degrees of freedom) = 4.3027
    assert mean_interval([1.0, 2.0, 3.0]) == (-0.4841, 4.4841)
    assert mean_interval([0.5, 0.5]) == (0.5, 0.5)
    with pytest.raises(ValueError, match="at least two"):
        mean_interval([0.5])


@pytest.mark.parametrize(
    ("scores", "patience", "expected"),
    [
        ([0.2, 0.5, 0.4, 0.45, 0.3], 1, (4, 2)),
        ([0.2, 0.5, 0.4, 0.45, 0.3], 2, (5, 2)),
        ([0.1, 0.2, 0.3], 2, (3, 3)),
        ([0.5, 0.4, 0.3, 0.2], 2, (3, 1)),  # the first epoch counts as no gain
        ([0.0, 0.0, 0.3, 0.2], 1, (2, 2)),  # an F1 of 0 is replaced, never beaten
    ],
)
def test_early_stopping_replays_simpletransformers(scores, patience, expected):
    assert early_stopping(scores, patience) == expected, (scores, patience)


def test_fairness_names_fill_templates_and_are_drawn_reproducibly():
    words, tags = fill(["Ask", "{name}", "."], "Ngozi Okafor Adeyemi")
    assert words == ["Ask", "Ngozi", "Okafor", "Adeyemi", "."]
    assert tags == ["O", "B-PER", "I-PER", "I-PER", "O"]
    names = draw_names("de_DE", "female", 5, seed=3)
    assert names == draw_names("de_DE", "female", 5, seed=3)
    assert names != draw_names("vi_VN", "female", 5, seed=3)
    assert all(len(name.split()) >= 2 for name in names), names


# --- the experiments, end to end -------------------------------------------------------------


def test_list_names_every_experiment():
    completed = subprocess.run(
        [sys.executable, "-m", "solutions.tools.lab", "list"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    for name in ("lowercase", "alignment", "learning-rate", "transfer", "truncation", "fairness"):
        assert f"  {name} " in completed.stdout, completed.stdout
    assert "[--fast | --full]" in completed.stdout and "default: about" in completed.stdout
    assert set(EXPERIMENTS) == {
        "lowercase",
        "alignment",
        "learning-rate",
        "transfer",
        "truncation",
        "fairness",
    }


def test_lowercase_reports_the_unknown_share_of_capitalised_words(tiny, tmp_path, capsys):
    result = run_fast("lowercase", tiny, tmp_path / "lowercase", capsys)
    on, off = rows(result)
    # the tiny vocabulary is lower-case: lower-cased, every word is known; as written, every
    # word with a capital letter is unknown
    data = load_data(Context(fast=True, impl="solutions", output=tmp_path), LOWERCASE_FAST)
    words = [w for frame in (data.train, data.dev) for s in sentences_of(frame)[0] for w in s]
    capitalised = sum(word != word.lower() for word in words) / len(words)
    assert (on["unk_share_words"], on["unk_share_entity_words"]) == (0.0, 0.0), on
    assert off["unk_share_words"] == pytest.approx(capitalised, abs=1e-4), off
    assert off["unk_share_entity_words"] > off["unk_share_words"], off
    for row in (on, off):
        assert 0 <= row["dev_f1"] <= 1 and row["training_seconds"] >= 0, row


def test_alignment_counts_one_loss_position_per_word_with_minus_100(tiny, tmp_path, capsys):
    first, every = rows(run_fast("alignment", tiny, tmp_path / "alignment", capsys))
    assert first["loss_positions_per_sentence"] == first["words_per_sentence"], first
    assert every["loss_positions_per_sentence"] >= first["loss_positions_per_sentence"], every
    for row in (first, every):
        assert 0 <= row["entity_share_of_positions"] <= 1 and 0 <= row["dev_f1"] <= 1, row


def test_learning_rate_sweeps_and_tracks_losses_per_epoch(tiny, tmp_path, capsys):
    result = run_fast("learning-rate", tiny, tmp_path / "learning-rate", capsys)
    sweep, epochs, (summary,) = rows(result, 0), rows(result, 1), rows(result, 2)
    assert [row["learning_rate"] for row in sweep] == [1e-3, 5e-3], sweep
    assert [row["epoch"] for row in epochs] == [1, 2, 3, 4, 5], epochs
    assert epochs[-1]["training_loss"] < epochs[0]["training_loss"], epochs
    lowest = min(epochs, key=lambda row: row["dev_loss"])["epoch"]
    assert summary["lowest_dev_loss_epoch"] == lowest, summary
    stopped, kept = early_stopping([row["dev_f1"] for row in epochs], summary["patience"])
    assert (summary["early_stopping_stops_after"], summary["early_stopping_keeps"]) == (
        stopped,
        kept,
    )


def test_transfer_trains_pretrained_and_random_weights(tiny, tmp_path, capsys):
    result = run_fast("transfer", tiny, tmp_path / "transfer", capsys)
    assert [row["arm"] for row in rows(result)] == ["pre-trained", "random weights"]
    for arm, curve in result["details"]["curves"].items():
        assert len(curve["dev_f1"]) == len(curve["training_loss"]) == 2, (arm, curve)
    for row in rows(result):
        assert 0 <= row["dev_f1"] <= 1 and row["last_epoch_training_loss"] > 0, row


def test_truncation_counts_hidden_entities_and_scores_both_arms(tiny, tmp_path, capsys):
    result = run_fast("truncation", tiny, tmp_path / "truncation", capsys)
    counts, scores = rows(result, 0), rows(result, 1)
    by_cut = {(row["max_seq_length"], row["data"]): row for row in counts}
    for split in ("train", "dev"):
        short, longer = by_cut[(12, split)], by_cut[(24, split)]
        assert short["entities"] == longer["entities"] > 0, (short, longer)
        assert short["long_sentences"] >= longer["long_sentences"], (short, longer)
        assert short["never_seen"] >= longer["never_seen"], (short, longer)
        for row in (short, longer):
            assert row["never_seen"] + row["cut_through"] <= row["entities"], row
    assert [(row["max_seq_length"], row["arm"]) for row in scores] == [
        (12, "windows"),
        (12, "truncated"),
        (24, "windows"),
        (24, "truncated"),
    ]
    for row in scores:
        assert row["long_sentences"] == by_cut[(row["max_seq_length"], "dev")]["long_sentences"]
        assert 0 <= row["dev_f1"] <= 1, row


def test_fairness_reports_recall_and_confidence_with_intervals(tiny, tmp_path, capsys):
    result = run_fast("fairness", tiny, tmp_path / "fairness", capsys)
    groups = rows(result)
    assert len(groups) == 12 and {row["gender"] for row in groups} == {"female", "male"}
    for row in groups:
        assert row["sentences"] == 20, row
        low, high = row["recall_95_ci"]
        assert 0 <= low <= row["per_recall"] <= high <= 1, row
        assert (low, high) == wilson_interval(round(row["per_recall"] * 20), 20), row
        low, high = row["confidence_95_ci"]
        assert low <= row["mean_confidence"] <= high and 0 < row["mean_confidence"] < 1, row


def test_fairness_needs_a_trained_model_folder(tmp_path, capsys):
    assert lab.main(["fairness", "--fast", "--output", str(tmp_path)]) == 1
    assert capsys.readouterr().err.strip() == (
        "error: fairness probes a trained model: give --model runs/NAME/model "
        "(train one with python -m solutions.tools.train --output runs/NAME)"
    )
    assert lab.main(["fairness", "--model", str(tmp_path / "none"), "--output", str(tmp_path)])
    assert capsys.readouterr().err.strip().startswith("error: model directory not found")


def test_unwritten_steps_and_half_given_data_fail_in_one_line(tmp_path, capsys):
    status = lab.main(["lowercase", "--fast", "--impl", "exercises", "--output", str(tmp_path)])
    error = capsys.readouterr().err.strip()
    assert status == 1 and "\n" not in error, error
    assert "not written yet" in error and "with --impl exercises" in error, error
    assert lab.main(["lowercase", "--train", "data/train.conll", "--output", str(tmp_path)]) == 1
    assert capsys.readouterr().err.strip() == "error: give --train and --dev together"


def test_the_lab_runs_the_learners_step_code(tiny, tmp_path, capsys, monkeypatch):
    """With ``--impl exercises`` the steps come from ``exercises`` (here: solved copies, with
    an ``align_labels`` that counts its calls)."""
    import importlib
    import types

    for module in STEP_MODULES:
        solved = importlib.import_module(f"solutions.{module}")
        monkeypatch.setitem(sys.modules, f"exercises.{module}", solved)
    calls = []
    counting = types.ModuleType("exercises.alignment")
    counting.__dict__.update(vars(reference_alignment))

    def align_labels(*args, **kwargs):
        calls.append(args)
        return reference_alignment.align_labels(*args, **kwargs)

    counting.align_labels = align_labels
    monkeypatch.setitem(sys.modules, "exercises.alignment", counting)
    result = run_fast("alignment", tiny, tmp_path / "mine", capsys, "--impl", "exercises")
    assert result["impl"] == "exercises" and calls, result["impl"]


# --- the settings: default (the sample, minutes), --fast and --full ----------------------------


@pytest.fixture
def conll_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in for CoNLL-2003 where the lab looks for it (the sample's files, renamed)."""
    folder = tmp_path / "conll2003"
    folder.mkdir()
    (folder / "train.txt").write_bytes((PROJECT_ROOT / "data" / "train.conll").read_bytes())
    (folder / "valid.txt").write_bytes((PROJECT_ROOT / "data" / "dev.conll").read_bytes())
    monkeypatch.setattr(common, "CONLL", folder)
    return folder


@pytest.fixture
def no_conll(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "nowhere"
    monkeypatch.setattr(common, "CONLL", folder)
    return folder


def small_files(tmp_path: Path, sentences: int = 12) -> tuple[Path, Path]:
    """The first ``sentences`` sentences of the sample's train and dev files, as files."""
    paths = []
    for name in ("train", "dev"):
        blocks = (PROJECT_ROOT / "data" / f"{name}.conll").read_text(encoding="utf-8")
        path = tmp_path / f"small-{name}.conll"
        path.write_text("\n\n".join(blocks.strip().split("\n\n")[:sentences]) + "\n", "utf-8")
        paths.append(path)
    return paths[0], paths[1]


def test_the_settings_are_fast_default_and_full(tmp_path):
    assert Context(fast=True, impl="solutions", output=tmp_path).setting == "fast"
    assert Context(fast=False, impl="solutions", output=tmp_path).setting == "default"
    context = Context(fast=False, impl="solutions", output=tmp_path, full=True)
    assert context.setting == "full" and context.pick(1, 2, 3) == 3


def test_the_default_setting_trains_on_the_sample_even_where_conll_is(tmp_path, conll_here):
    """A student's edition has the sample only: the default must not depend on CoNLL-2003."""
    from solutions.tools.lab.lowercase import DEFAULT

    context = Context(fast=False, impl="solutions", output=tmp_path)
    data = load_data(context, DEFAULT)
    assert not data.real and "data/train.conll" in data.source.replace("\\", "/"), data.source
    assert data_notes(context, data, DEFAULT) == [SMALL_SAMPLE_NOTE]
    full = Context(fast=False, impl="solutions", output=tmp_path, full=True)
    assert load_data(full, DEFAULT).real and str(conll_here) in load_data(full, DEFAULT).source


@pytest.mark.parametrize("experiment", ["lowercase", "alignment", "learning-rate", "transfer"])
def test_full_without_conll_or_data_fails_in_one_line(experiment, tmp_path, capsys, no_conll):
    assert lab.main([experiment, "--full", "--output", str(tmp_path)]) == 1
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and "--full trains on CoNLL-2003" in error, error
    assert str(no_conll) in error and "--train and --dev" in error, error


def test_fast_and_full_exclude_each_other(tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        lab.main(["lowercase", "--fast", "--full", "--output", str(tmp_path)])
    assert stopped.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_every_experiment_has_a_default_budget_for_the_sample():
    """The default setting is sized for a laptop: the sample's sentences at most, minutes."""
    for name, module in EXPERIMENTS.items():
        assert 0 < module.DEFAULT_MINUTES <= 10, name
        budgets = [value for key, value in vars(module).items() if key.startswith("DEFAULT")]
        for budget in budgets:
            if isinstance(budget, common.Budget):
                assert budget.train_sentences <= SAMPLE_SENTENCES, (name, budget)
                assert budget.dev_sentences is not None, (name, budget)


def test_the_default_setting_on_given_data_runs_and_says_it_was_cut(tiny, tmp_path, capsys):
    train, dev = small_files(tmp_path)
    flags = ("--train", str(train), "--dev", str(dev))
    result = run_lab("lowercase", tiny, tmp_path / "default", capsys, "default", *flags)
    notes = " ".join(result["notes"])
    assert "Default setting on your data" in notes and SMALL_SAMPLE_NOTE not in notes, notes
    for row in rows(result):
        assert len(row["dev_f1_per_seed"]) >= 3 and row["dev_f1_sd"] >= 0, row


def test_the_full_setting_runs_on_given_data(tiny, tmp_path, capsys, no_conll):
    train, dev = small_files(tmp_path)
    flags = ("--full", "--train", str(train), "--dev", str(dev))
    result = run_lab("transfer", tiny, tmp_path / "full", capsys, "full", *flags)
    assert [row["arm"] for row in rows(result)] == ["pre-trained", "random weights"]
    assert not any("Default setting" in note for note in result["notes"]), result["notes"]
