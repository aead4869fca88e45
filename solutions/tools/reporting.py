"""What a run leaves behind for people: scores, report, plots, error table and run card.

Everything here works on plain Python data (tags, numbers, paths); the scores come from the
step 4 functions of the chosen implementation, passed in as ``metrics``.

>>> print(format_report({"PER": {"precision": 1.0, "recall": 0.5, "f1": 0.667, "support": 2}}))
type          precision  recall      f1  support
PER              1.0000  0.5000  0.6670        2
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import platform
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

Sentences = Sequence[Sequence[str]]
ERROR_COLUMNS = ("kind", "type", "text", "sentence", "start", "end", "context")


def evaluation(
    metrics: ModuleType, gold: Sentences, predicted: Sentences, words: Sentences
) -> dict[str, Any]:
    """Entity-level micro scores, per-type scores, token accuracy and the data's size.

    >>> import solutions.metrics as m
    >>> evaluation(m, [["B-PER", "O"]], [["B-PER", "O"]], [["Ana", "sings"]])["f1"]
    1.0
    """
    scores = metrics.entity_scores(gold, predicted)
    return {
        "precision": scores["precision"],
        "recall": scores["recall"],
        "f1": scores["f1"],
        "per_type": metrics.per_type_report(gold, predicted),
        "token_accuracy": metrics.token_accuracy(gold, predicted),
        "sentences": len(gold),
        "words": sum(len(sentence) for sentence in words),
    }


def format_report(per_type: dict[str, dict[str, float]]) -> str:
    """A per-type report as an aligned text table, one row per type and average."""
    lines = [f"{'type':<12}{'precision':>11}{'recall':>8}{'f1':>8}{'support':>9}"]
    for name, row in per_type.items():
        lines.append(
            f"{name:<12}{row['precision']:>11.4f}{row['recall']:>8.4f}{row['f1']:>8.4f}"
            f"{int(row['support']):>9}"
        )
    return "\n".join(lines)


def write_json(path: Path, data: Any) -> Path:
    """Write ``data`` as indented UTF-8 JSON; return ``path``."""
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def write_errors(path: Path, errors: list[dict]) -> Path:
    """The errors of step 4's ``find_errors`` as a CSV table, one error a row."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=ERROR_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(errors)
    return path


def plot_confusion(path: Path, labels: list[str], matrix: np.ndarray) -> Path:
    """A PNG heat map of step 4's ``entity_confusion``: rows true type, columns predicted."""
    plt = _pyplot()
    size = 1.2 + 0.7 * len(labels)
    figure, axes = plt.subplots(figsize=(size + 1.5, size))
    image = axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(labels)), labels)
    axes.set_yticks(range(len(labels)), labels)
    axes.set_xlabel("predicted type (O: no entity there)")
    axes.set_ylabel("true type (O: no entity there)")
    axes.set_title("Entity confusion")
    limit = matrix.max() / 2 if matrix.size else 0
    for (row, column), count in np.ndenumerate(matrix):
        color = "white" if count > limit else "black"
        axes.text(column, row, str(count), ha="center", va="center", color=color)
    figure.colorbar(image, ax=axes)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def plot_training_curves(
    path: Path, step_losses: list[tuple[int, float]], scores: dict[str, list[float]]
) -> Path:
    """A PNG with the training loss per step (and its moving average) and dev F1 per evaluation.

    ``scores`` are the dev evaluations as ``read_progress`` gives them (``global_step``,
    ``f1_score``, ``eval_loss``, ...); without them only the loss is drawn.
    """
    plt = _pyplot()
    figure, (loss_axes, f1_axes) = plt.subplots(1, 2, figsize=(11, 4))
    if step_losses:
        steps, losses = zip(*step_losses, strict=True)
        loss_axes.plot(steps, losses, color="lightsteelblue", label="batch loss")
        window = max(1, len(losses) // 20)
        smooth = np.convolve(losses, np.ones(window) / window, mode="valid")
        loss_axes.plot(steps[window - 1 :], smooth, color="navy", label=f"mean of {window}")
    if scores.get("eval_loss"):
        loss_axes.plot(
            scores["global_step"], scores["eval_loss"], "o-", color="darkorange", label="dev loss"
        )
    loss_axes.set(title="Loss", xlabel="optimiser step", ylabel="cross-entropy")
    loss_axes.legend()
    if scores.get("f1_score"):
        f1_axes.plot(scores["global_step"], scores["f1_score"], "o-", color="seagreen")
        best = int(np.argmax(scores["f1_score"]))
        f1_axes.annotate(
            f"best {scores['f1_score'][best]:.4f}",
            (scores["global_step"][best], scores["f1_score"][best]),
        )
    else:
        f1_axes.text(0.5, 0.5, "no dev evaluation", ha="center", transform=f1_axes.transAxes)
    f1_axes.set(title="Dev entity F1", xlabel="optimiser step", ylabel="F1", ylim=(0, 1))
    f1_axes.set_xlim(loss_axes.get_xlim())
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def file_record(path: str | Path) -> dict[str, Any]:
    """Path, size and SHA-256 of a data file, so a run card pins the exact data."""
    path = Path(path)
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"path": str(path), "bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def machine() -> dict[str, Any]:
    """The CPU, core and thread counts and library versions a run used."""
    import torch

    return {
        "cpu": _cpu_name(),
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "versions": {
            name: _version(name)
            for name in ("torch", "transformers", "simpletransformers", "seqeval")
        },
    }


def read_progress(path: Path | None) -> dict[str, list[float]]:
    """SimpleTransformers' ``training_progress_scores.csv`` as columns, one value per dev
    evaluation (``{}`` without the file); the course evaluates at the end of each epoch.

    >>> read_progress(None)
    {}
    """
    if path is None or not Path(path).is_file():
        return {}
    with Path(path).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {key: [float(row[key]) for row in rows] for key in (rows[0] if rows else {})}


def _cpu_name() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt
