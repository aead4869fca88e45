"""The training, evaluation and prediction commands, end to end, with a tiny random BERT.

The commands run in subprocesses exactly as a learner types them; error paths run
in-process (``main(argv)``), which is faster and sees the same stderr and exit status.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from solutions.tools import evaluate, predict, train
from solutions.tools.implementation import STEP_MODULES, describe, load_implementation
from tests.harness.show import assert_equal
from tests.template.models import build_tiny_model

pytestmark = pytest.mark.pipeline

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA = PROJECT_ROOT / "data"
LABELS = ["O", "B-LOC", "I-LOC", "B-MISC", "I-MISC", "B-ORG", "I-ORG", "B-PER", "I-PER"]
FAST = ["--epochs", "2", "--learning-rate", "5e-3", "--threads", "1"]


def run(args: list[str], cwd: Path = PROJECT_ROOT, env: dict | None = None):
    """Run ``python -m ...`` in a subprocess; return the completed process."""
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=cwd,
        env={**os.environ, "OMP_NUM_THREADS": "1", **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def succeeded(completed: subprocess.CompletedProcess) -> bool:
    return completed.returncode == 0 and "Traceback" not in completed.stderr


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("backbone") / "tiny", LABELS)


@pytest.fixture(scope="module")
def run_dir(tiny: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One training run of the command, shared by the tests that read its outputs."""
    output = tmp_path_factory.mktemp("runs") / "sample"
    completed = run(["solutions.tools.train", "--model", str(tiny), "--output", str(output), *FAST])
    assert succeeded(completed), completed.stderr[-3000:]
    assert "F1" in completed.stdout and str(output / "model") in completed.stdout
    assert describe("solutions") in completed.stdout, completed.stdout
    assert "the reference solutions reach" not in completed.stdout, "no reference for a tiny BERT"
    return output


@pytest.mark.timeout(180)
def test_training_writes_the_model_scores_plots_errors_and_run_card(run_dir: Path) -> None:
    model = run_dir / "model"
    config = json.loads((model / "config.json").read_text())
    assert config["id2label"] == {str(i): label for i, label in enumerate(LABELS)}
    assert config["label2id"] == {label: i for i, label in enumerate(LABELS)}
    card = json.loads((model / "ner_course.json").read_text())
    assert card["labels"] == LABELS and card["do_lower_case"] is True
    assert card["max_seq_length"] >= 8
    assert card["decoding"] == "iob2", f"the sample's tags are valid IOB2: {card}"

    metrics = json.loads((run_dir / "metrics.json").read_text())
    for key in ("precision", "recall", "f1", "token_accuracy"):
        assert 0.0 <= metrics[key] <= 1.0
    assert set(metrics["per_type"]) >= {"LOC", "MISC", "ORG", "PER", "micro avg"}
    assert (metrics["sentences"], metrics["words"]) == (54, 778)
    assert "micro avg" in (run_dir / "classification_report.txt").read_text()

    for image in ("training_curves.png", "confusion_matrix.png"):
        assert (run_dir / image).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with (run_dir / "errors.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and set(rows[0]) >= {"kind", "type", "text", "context", "sentence"}

    run_card = json.loads((run_dir / "run_card.json").read_text())
    assert run_card["config"]["epochs"] == 2 and run_card["config"]["learning_rate"] == 5e-3
    assert run_card["epochs"]["chosen_by"] == "--epochs" and run_card["reference"] is None
    assert len(run_card["data"]["train"]["sha256"]) == 64
    assert run_card["machine"]["torch_threads"] == 1 and run_card["machine"]["versions"]["torch"]
    assert run_card["wall_seconds"] > 0 and run_card["training_seconds"] > 0
    assert run_card["max_seq_length"] == card["max_seq_length"]
    assert run_card["best_epoch"] in (1, 2) and run_card["final"] is None, run_card["best_epoch"]
    assert metrics["held_out"] is True
    assert (run_card["case_feature"], run_card["case_all_caps"]) == (True, False), run_card
    assert run_card["decoding"] == "iob2", run_card
    device = "cuda" if _torch_sees_cuda() else "cpu"
    got = (run_card["device"], run_card["mixed_precision"])
    expected = (device, "float16" if device == "cuda" else _cpu_mixed_precision())
    assert got == expected, f"--device auto --precision auto here: got {got}, expected {expected}"


def _cpu_mixed_precision() -> str:
    import torch

    return "bfloat16" if torch.ops.mkldnn._is_mkldnn_bf16_supported() else "none"


def _torch_sees_cuda() -> bool:
    import torch

    return torch.cuda.is_available()


@pytest.mark.timeout(120)
def test_evaluate_writes_the_scores_as_json(run_dir: Path, tmp_path: Path) -> None:
    scores = tmp_path / "scores.json"
    completed = run(
        [
            "solutions.tools.evaluate",
            "--model",
            str(run_dir / "model"),
            "--data",
            str(DATA / "test.conll"),
            "--json",
            str(scores),
            "--threads",
            "1",
        ]
    )
    assert succeeded(completed), completed.stderr[-3000:]
    result = json.loads(scores.read_text())
    assert set(result) >= {
        "precision",
        "recall",
        "f1",
        "per_type",
        "token_accuracy",
        "sentences",
        "words",
    }
    assert (result["sentences"], result["words"]) == (54, 711)
    assert result["decoding"] == "iob2" and "decoding iob2" in completed.stdout, result
    assert "micro avg" in completed.stdout


def test_evaluate_reads_tags_by_argmax_when_asked(run_dir: Path, tmp_path: Path) -> None:
    scores = tmp_path / "argmax.json"
    model, data = str(run_dir / "model"), str(DATA / "test.conll")
    argv = ["--model", model, "--data", data, "--json", str(scores), "--decoding", "argmax"]
    assert evaluate.main([*argv, "--threads", "1"]) == 0
    assert json.loads(scores.read_text())["decoding"] == "argmax"
    with pytest.raises(SystemExit) as stopped:
        evaluate.main(["--model", model, "--data", data, "--decoding", "viterbi"])
    assert stopped.value.code == 2


@pytest.mark.timeout(120)
def test_predict_prints_entities_with_offsets_as_json(run_dir: Path) -> None:
    texts = ["Helena Cardoso flew to Lisbon.", "   "]
    completed = run(
        [
            "solutions.tools.predict",
            "--model",
            str(run_dir / "model"),
            "--json",
            "--threads",
            "1",
            *texts,
        ]
    )
    assert succeeded(completed), completed.stderr[-3000:]
    results = json.loads(completed.stdout)
    assert [result["text"] for result in results] == texts
    assert results[1]["entities"] == []
    for entity in results[0]["entities"]:
        assert set(entity) == {"text", "label", "score", "start", "end"}
        assert texts[0][entity["start"] : entity["end"]] == entity["text"]
        assert entity["label"] in {"LOC", "MISC", "ORG", "PER"} and 0 < entity["score"] <= 1


def test_the_saved_model_loads_in_a_transformers_pipeline(run_dir: Path) -> None:
    from transformers import pipeline

    tagger = pipeline("token-classification", model=str(run_dir / "model"), device=-1)
    assert list(tagger.model.config.id2label.values()) == LABELS
    assert all(token["entity"] in LABELS for token in tagger("Helena Cardoso flew to Lisbon."))


@pytest.mark.timeout(120)
def test_same_seed_gives_the_same_model_and_scores(tiny: Path, tmp_path: Path) -> None:
    import torch

    from solutions.tools.data import read_dataset
    from solutions.tools.model import train_ner
    from solutions.training_config import TrainingConfig

    torch.set_num_threads(1)
    train_frame = read_dataset(DATA / "train.conll")
    dev_frame = read_dataset(DATA / "dev.conll")
    config = TrainingConfig(epochs=1, learning_rate=5e-3, batch_size=16, seed=3)
    results = [
        train_ner(
            train_frame, dev_frame, tmp_path / name, config, backbone=str(tiny), log=lambda _: None
        )
        for name in ("first", "second")
    ]
    assert results[0].step_losses == results[1].step_losses
    first, second = ((r.progress_csv.read_text().splitlines()) for r in results)
    assert first == second and len(first) == 2  # header and one evaluation


@pytest.mark.timeout(180)
def test_the_throughput_benchmark_trains_both_ways_and_reports_the_ratio(
    tiny: Path, tmp_path: Path
) -> None:
    report = tmp_path / "subset.json"
    data = ["--train", str(DATA / "train.conll"), "--dev", str(DATA / "dev.conll")]
    completed = run(
        ["solutions.tools.benchmark", "subset", "--model", str(tiny), *data, "--sentences", "64",
         "--seeds", "1", "2", "--learning-rate", "5e-3", "--threads", "1",
         "--output", str(tmp_path / "bench"), "--json", str(report)]
    )  # fmt: skip
    assert succeeded(completed), completed.stderr[-3000:]
    results = json.loads(report.read_text())
    assert (results["train_sentences"], results["dev_sentences"]) == (64, 54), results
    plain, course = results["simpletransformers"], results["course"]
    assert plain["max_seq_length"] == 128 and course["max_seq_length"] < 128, results
    for arm in (plain, course):
        assert [done["seed"] for done in arm["runs"]] == [1, 2], arm
        for done in arm["runs"]:
            assert 0 <= done["dev_f1"] <= 1 and done["training_seconds"] > 0, done
        seconds = sum(done["training_seconds"] for done in arm["runs"])
        assert arm["sentences_per_second"] == pytest.approx(2 * 64 / seconds, rel=0.01), arm
    assert {done["mixed_precision"] for done in plain["runs"]} == {"none"}, plain
    assert {done["mixed_precision"] for done in course["runs"]} == {_cpu_mixed_precision()}
    ratio = course["sentences_per_second"] / plain["sentences_per_second"]
    assert results["speedup"] == pytest.approx(ratio, abs=0.01), results


@pytest.mark.timeout(180)
def test_the_exercises_path_trains_with_a_fully_solved_copy(tiny: Path, tmp_path: Path) -> None:
    solved = tmp_path / "exercises"
    solved.mkdir()
    (solved / "__init__.py").write_text('"""A solved copy of the exercises."""\n')
    for module in STEP_MODULES:
        shutil.copy(PROJECT_ROOT / "solutions" / f"{module}.py", solved / f"{module}.py")
    output = tmp_path / "mine"
    # ``python -m`` puts the working directory first on sys.path: the solved copy wins.
    completed = run(
        [
            "solutions.tools.train",
            "--impl",
            "exercises",
            "--model",
            str(tiny),
            "--output",
            str(output),
            "--epochs",
            "1",
            "--threads",
            "1",
        ],
        cwd=tmp_path,
        env={"PYTHONPATH": str(PROJECT_ROOT)},
    )
    assert succeeded(completed), completed.stderr[-3000:]
    run_card = json.loads((output / "run_card.json").read_text())
    assert run_card["impl"] == "exercises"
    assert (output / "model" / "model.safetensors").is_file()


def test_unwritten_exercises_stop_training_with_one_line(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = train.main(
        [
            "--impl",
            "exercises",
            "--model",
            str(tiny),
            "--output",
            str(tmp_path / "run"),
            "--threads",
            "1",
        ]
    )
    error = capsys.readouterr().err
    assert status == 1
    assert error.count("\n") == 1 and "Traceback" not in error
    assert "is not written yet — finish it before training with --impl exercises" in error
    assert error.startswith("step ")


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    error = capsys.readouterr().err
    assert error.count("\n") == 1, error
    assert "Traceback" not in error
    return error


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--train", "missing.conll"], "missing.conll"),
        (["--dev", "data"], "is a folder"),
        (["--format", "xml"], "unknown format 'xml'"),
        (["--train", "data/README.md"], "README.md, line"),
        (["--model", "no/such/model"], "cannot load model 'no/such/model'"),
    ],
)
def test_training_errors_are_one_line(
    argv: list[str],
    message: str,
    tmp_path: Path,
    tiny: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(PROJECT_ROOT)
    base = ["--model", str(tiny), "--output", str(tmp_path / "run"), "--threads", "1"]
    assert train.main(base + argv) == 1
    assert message in _one_line_error(capsys)


def test_dev_labels_missing_from_training_are_refused(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dev = tmp_path / "dev.conll"
    dev.write_text("Acme NNP B-NP B-COMPANY\nrose VBD B-VP O\n\n", encoding="utf-8")
    argv = [
        "--model",
        str(tiny),
        "--dev",
        str(dev),
        "--output",
        str(tmp_path / "run"),
        "--threads",
        "1",
    ]
    assert train.main(argv) == 1
    assert "labels the training set lacks: ['B-COMPANY']" in _one_line_error(capsys)


@pytest.mark.parametrize(
    "argv",
    [
        ["--epochs", "0"],
        ["--epochs", "three"],
        ["--learning-rate", "-1e-4"],
        ["--batch-size", "0"],
        ["--max-seq-length", "2"],
        ["--impl", "mine"],
        [],  # no --output
    ],
)
def test_bad_training_flags_are_one_line_usage_errors(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    output = [] if not argv else ["--output", "runs/never"]
    with pytest.raises(SystemExit) as stopped:
        train.main(output + argv)
    assert stopped.value.code == 2
    assert "error:" in _one_line_error(capsys)


def test_evaluate_refuses_labels_the_model_does_not_know(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "other.conll"
    data.write_text("Aspirin NN B-NP B-DRUG\nhelps VBZ B-VP O\n\n", encoding="utf-8")
    argv = ["--model", str(run_dir / "model"), "--data", str(data), "--threads", "1"]
    assert evaluate.main(argv) == 1
    assert "labels the model does not know: ['B-DRUG']" in _one_line_error(capsys)


@pytest.mark.parametrize("command", [evaluate, predict])
def test_a_folder_that_is_not_a_trained_model_is_refused(
    command, tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = ["--data", str(DATA / "dev.conll")] if command is evaluate else ["Some text"]
    assert command.main(["--model", str(tmp_path), *extra]) == 1
    assert "is not a trained model directory" in _one_line_error(capsys)
    assert command.main(["--model", str(tmp_path / "missing"), *extra]) == 1
    assert "model directory not found" in _one_line_error(capsys)


def test_predict_needs_a_text_or_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        predict.main(["--model", "runs/any/model"])
    assert stopped.value.code == 2
    assert "give a TEXT or --file" in _one_line_error(capsys)


@pytest.mark.parametrize("command", [train, evaluate, predict])
def test_help_lists_the_flags(command, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        command.main(["--help"])
    assert stopped.value.code == 0
    assert "--model" in capsys.readouterr().out


def test_a_usage_error_in_a_real_process_has_no_traceback() -> None:
    completed = run(["solutions.tools.train", "--output", "runs/never", "--epochs", "0"])
    assert completed.returncode == 2
    assert completed.stderr.count("\n") == 1 and "Traceback" not in completed.stderr


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_packaged_minilm_trains_a_few_steps_and_predicts(tmp_path: Path) -> None:
    import torch

    from solutions.tools.data import read_dataset
    from solutions.tools.inference import Tagger
    from solutions.tools.model import train_ner
    from solutions.training_config import TrainingConfig

    torch.set_num_threads(1)
    train_frame = read_dataset(DATA / "train.conll")
    train_frame = train_frame[train_frame["sentence_id"] < 48]
    dev_frame = read_dataset(DATA / "dev.conll")
    config = TrainingConfig(epochs=1, batch_size=16, learning_rate=1e-4)
    result = train_ner(train_frame, dev_frame, tmp_path / "run", config, log=lambda _: None)
    assert result.do_lower_case is True, result
    # 48 sentences in batches of 16, plus one batch more when a long sentence is windowed
    assert result.global_step in (3, 4) and len(result.step_losses) == result.global_step, result
    assert result.labels == LABELS
    tagged = Tagger.load(result.model_dir).tag_text("Helena Cardoso flew to Lisbon.")
    assert len(tagged.tags) == 6 and all(tag in LABELS for tag in tagged.tags)


# epochs fitted to the data, one-file training, models from elsewhere ---------------------------


@pytest.mark.parametrize(
    ("argv", "sentences", "epochs", "patience", "chosen_by"),
    [
        ([], 263, 27, 14, "solutions.training_config.fit_to_data_size"),
        ([], 14041, 4, 2, "solutions.training_config.fit_to_data_size"),
        (["--patience", "3"], 263, 27, 3, "solutions.training_config.fit_to_data_size"),
        (["--epochs", "3"], 263, 3, 2, "--epochs"),
        (["--batch-size", "16"], 263, 15, 8, "solutions.training_config.fit_to_data_size"),
    ],
)
def test_without_epochs_step_3_fits_them_to_the_training_set(
    argv: list[str],
    sentences: int,
    epochs: int,
    patience: int,
    chosen_by: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    steps = load_implementation("solutions")
    monkeypatch.setattr(steps.training_config, "MIN_STEPS", 240)  # the expectations assume 240
    args = train.parser().parse_args(["--output", "runs/x", *argv])
    config, record = train._config(args, steps, sentences)
    call = f"train._config(<{' '.join(argv) or 'no flags'}>, {sentences} sentences)"
    assert_equal(
        f"{call}: epochs, patience, chosen by",
        (config.epochs, config.early_stopping_patience, record["chosen_by"]),
        (epochs, patience, chosen_by),
    )
    assert record["epochs"] == epochs and f"epochs {epochs}" in record["why"], record
    fitted = steps.training_config.fit_to_data_size(
        steps.training_config.TrainingConfig(), sentences, min_steps=240
    )
    assert fitted.early_stopping_patience == 2, "step 3 changes the epochs only"
    if patience != 2 and "--patience" not in argv:  # scaled by the command, not step 3
        assert f"early-stopping patience {patience} epochs instead of 2" in record["why"], record
        assert "by the training command" in record["why"], record
    if chosen_by != "--epochs":
        assert record["min_steps"] == 240, record
    else:  # 27 steps: the learner hears that so few may teach the model nothing
        assert "27 optimiser steps, fewer than step 3's MIN_STEPS 240" in record["why"], record


def tutorial_csv(path: Path, rows: int) -> Path:
    """The first ``rows`` data rows of the sample's tutorial CSV (a sentence may end early)."""
    lines = (DATA / "ner_dataset.csv").read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[: rows + 1]) + "\n", encoding="utf-8")
    return path


@pytest.mark.timeout(180)
def test_one_file_is_enough_the_dev_set_is_split_off_it(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import solutions.training_config

    monkeypatch.setattr(solutions.training_config, "MIN_STEPS", 3)  # a few steps: a fast test
    data = tutorial_csv(tmp_path / "notes.csv", 404)
    output = tmp_path / "run"
    argv = ["--model", str(tiny), "--train", str(data), "--output", str(output), "--threads", "1"]
    assert train.main(argv) == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    card = json.loads((output / "run_card.json").read_text())
    split = card["dev_split"]
    steps = load_implementation("solutions").preprocessing
    whole = steps.read_tagged_csv(data)["sentence_id"].nunique()
    assert_equal("sentences in the run card's split", sum(split["sentences"].values()), whole)
    assert split["dev_share"] == train.DEV_SHARE and split["seed"] == 42, split
    assert split["sentences"]["dev"] >= 1, split
    assert card["data"]["dev"] == {
        "split_from": card["data"]["train"]["sha256"],
        "dev_share": train.DEV_SHARE,
        "seed": 42,
    }
    metrics = json.loads((output / "metrics.json").read_text())
    assert metrics["sentences"] == split["sentences"]["dev"], metrics
    assert card["epochs"]["chosen_by"] == "solutions.training_config.fit_to_data_size", card
    assert card["epochs"]["min_steps"] == 3 and card["optimizer_steps"] >= 3, card
    assert f"sentences of {data} ({train.DEV_SHARE:.0%}, split_by_sentence" in printed, printed


def test_a_file_too_small_to_split_is_one_line(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "one.conll"
    data.write_text("Ana B-PER\nsings O\n\n", encoding="utf-8")
    argv = ["--model", str(tiny), "--train", str(data), "--output", str(tmp_path / "r")]
    assert train.main(argv) == 1
    assert "need at least 2 sentences to split" in _one_line_error(capsys)


@pytest.fixture(scope="module")
def plain_model(tiny: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny model as a model from elsewhere comes: no ``ner_course.json``."""
    copy = Path(shutil.copytree(tiny, tmp_path_factory.mktemp("plain") / "model"))
    (copy / "ner_course.json").unlink()
    return copy


def test_evaluate_and_predict_take_a_model_not_trained_here(
    plain_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scores = tmp_path / "scores.json"
    argv = ["--model", str(plain_model), "--data", str(DATA / "test.conll"), "--json", str(scores)]
    assert evaluate.main([*argv, "--threads", "1"]) == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    assert "not trained by this course" in printed and describe("solutions") in printed, printed
    assert json.loads(scores.read_text())["sentences"] == 54

    text = "Helena Cardoso flew to Lisbon."
    assert predict.main(["--model", str(plain_model), "--json", text]) == 0
    captured = capsys.readouterr()
    assert describe("solutions") in captured.err, captured.err  # stdout is only JSON
    results = json.loads(captured.out)
    assert [result["text"] for result in results] == [text]


def test_a_hub_id_offline_is_one_line_in_a_real_process() -> None:
    completed = run(
        ["solutions.tools.predict", "--model", "ner-course-tests/no-such-model", "Some text"],
        env={"HF_HUB_OFFLINE": "1"},
    )
    assert completed.returncode == 1, completed
    assert completed.stderr.count("\n") == 1 and "Traceback" not in completed.stderr
    assert "cannot load model 'ner-course-tests/no-such-model'" in completed.stderr


def test_evaluate_scores_only_the_types_asked_for(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--types`` turns every other entity into O on both sides (WikiANN has no MISC)."""
    data = tmp_path / "other.conll"
    data.write_text(
        "Aspirin NN B-NP B-DRUG\nhelps VBZ B-VP O\nAna NNP B-NP B-PER\n\n", encoding="utf-8"
    )
    scores = tmp_path / "scores.json"
    argv = ["--model", str(run_dir / "model"), "--threads", "1", "--json", str(scores)]
    assert evaluate.main([*argv, "--data", str(data), "--types", "PER,LOC"]) == 0
    result = json.loads(scores.read_text())
    assert result["types"] == ["LOC", "PER"], result
    named = {name for name in result["per_type"] if "avg" not in name}
    assert named <= {"PER", "LOC"}, f"scored types: {sorted(named)}"
    assert "scored only LOC, PER" in capsys.readouterr().out
    assert evaluate.main([*argv, "--data", str(data), "--types", "DRUG"]) == 1
    assert "--types names types the model does not know: ['DRUG']" in _one_line_error(capsys)
    with pytest.raises(SystemExit) as stopped:
        evaluate.main([*argv, "--data", str(data), "--types", "B-PER"])
    assert stopped.value.code == 2 and "e.g. PER,LOC,ORG" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["train", "evaluate", "predict"])
def test_a_gpu_asked_for_and_absent_is_one_line(
    command: str, run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if _torch_sees_cuda():
        pytest.skip("torch sees a CUDA device here; this test is of a machine without one")
    model = ["--model", str(run_dir / "model")]
    module, argv = {
        "train": (train, ["--output", str(tmp_path / "run")]),
        "evaluate": (evaluate, [*model, "--data", str(DATA / "test.conll")]),
        "predict": (predict, [*model, "Ana sings in Oslo."]),
    }[command]
    assert module.main([*argv, "--device", "cuda", "--threads", "1"]) == 1
    error = _one_line_error(capsys)
    for part in ("--device cuda: torch", "sees no CUDA device", "use --device cpu"):
        assert part in error, f"{command} --device cuda: {part!r} not in {error!r}"
    assert not (tmp_path / "run").exists(), "training started although the device is missing"


def test_auto_takes_the_gpu_when_torch_sees_one(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    from solutions.tools.cli import resolve_device

    for sees_cuda, expected in ((True, ["cuda", "cpu", "cuda"]), (False, ["cpu", "cpu", None])):
        monkeypatch.setattr(torch.cuda, "is_available", lambda sees=sees_cuda: sees)
        got = [resolve_device("auto"), resolve_device("cpu")]
        try:
            got.append(resolve_device("cuda"))
        except ValueError:
            got.append(None)
        assert got == expected, f"CUDA seen: {sees_cuda}; auto, cpu, cuda gave {got}"


@pytest.mark.timeout(180)
def test_final_trains_on_train_and_dev_and_says_dev_is_not_held_out(
    tiny: Path, tmp_path: Path
) -> None:
    output = tmp_path / "final"
    argv = ["--model", str(tiny), "--output", str(output), *FAST]
    completed = run(["solutions.tools.train", *argv, "--final"])
    assert succeeded(completed), completed.stderr[-3000:]
    card = json.loads((output / "run_card.json").read_text())
    sentences = {"train": 263, "dev": 54}  # the sample: data/train.conll, data/dev.conll
    assert card["final"] == {
        "trained_on": ["train", "dev"],
        "sentences": sentences,
        "dev_held_out": False,
    }, card["final"]
    assert card["epochs"]["train_sentences"] == sum(sentences.values()), card["epochs"]
    assert card["best_epoch"] is None and card["reference"] is None
    assert json.loads((output / "metrics.json").read_text())["held_out"] is False
    assert "trained on: not a held-out score" in completed.stdout, completed.stdout[-2000:]
    assert "--final: training on 263 training and 54 dev sentences" in completed.stdout


def test_a_run_with_dev_names_its_best_epoch_for_final(run_dir: Path) -> None:
    card = json.loads((run_dir / "run_card.json").read_text())
    with (run_dir / "training" / "training_progress_scores.csv").open(encoding="utf-8") as rows:
        scores = [float(row["f1_score"]) for row in csv.DictReader(rows)]
    assert len(scores) == 2, f"one dev evaluation per epoch expected, got {scores}"
    assert card["best_epoch"] == scores.index(max(scores)) + 1, (card["best_epoch"], scores)
    assert card["epochs_trained"] == len(scores), (card["epochs_trained"], scores)


def test_the_summary_says_when_early_stopping_ended_the_run() -> None:
    from solutions.tools.train import _epochs_text

    stopped = {"epochs_trained": 32, "epochs": {"epochs": 36}, "best_epoch": 13}
    expected = "32 of 36 epochs, stopped early: best dev F1 after epoch 13"
    assert _epochs_text(stopped) == expected, (stopped, _epochs_text(stopped), expected)
    for trained in (36, None):  # ran every epoch; no dev evaluations (--final)
        card = {**stopped, "epochs_trained": trained}
        assert _epochs_text(card) == "36 epochs", (card, _epochs_text(card))


@pytest.mark.timeout(180)
def test_the_full_benchmark_reports_dev_f1_per_type_and_the_goal(
    tiny: Path, tmp_path: Path
) -> None:
    report = tmp_path / "full.json"
    data = ["--train", str(DATA / "train.conll"), "--dev", str(DATA / "dev.conll")]
    completed = run(
        ["solutions.tools.benchmark", "full", "--output", str(tmp_path / "full"),
         "--json", str(report), "--", "--model", str(tiny), *data, *FAST]
    )  # fmt: skip
    assert succeeded(completed), completed.stderr[-3000:]
    results = json.loads(report.read_text())
    card = json.loads((tmp_path / "full" / "run_card.json").read_text())
    assert results["dev_f1"] == round(card["dev"]["f1"], 4), (results, card["dev"])
    assert set(results["dev_per_type"]) == {"LOC", "MISC", "ORG", "PER"}, results
    assert results["best_epoch"] == card["best_epoch"] and results["best_epoch"] in (1, 2)
    goal = results["goal"]
    met = card["dev"]["f1"] >= 0.945 and card["training_seconds"] <= 30 * 60
    assert goal["met"] is met and goal["dev_f1_at_least"] == 0.945, goal


@pytest.mark.timeout(180)
def test_the_profile_splits_one_epoch_into_its_phases(tiny: Path, tmp_path: Path) -> None:
    report = tmp_path / "profile.json"
    data = ["--train", str(DATA / "train.conll"), "--dev", str(DATA / "dev.conll")]
    completed = run(
        ["solutions.tools.benchmark_profile", "--model", str(tiny), *data, "--sentences", "64",
         "--threads", "1", "--output", str(tmp_path / "profile"), "--json", str(report)]
    )  # fmt: skip
    assert succeeded(completed), completed.stderr[-3000:]
    results = json.loads(report.read_text())
    seconds = results["seconds"]
    assert list(seconds) == ["features", "forward", "backward", "optimizer", "evaluation", "other"]
    assert results["optimizer_steps"] == 2, results  # 64 sentences in batches of 32
    for phase in ("features", "forward", "backward", "optimizer", "evaluation"):
        assert seconds[phase] > 0, f"{phase} was never timed: {seconds}"
    assert abs(sum(seconds.values()) - results["total_seconds"]) < 0.01, results
