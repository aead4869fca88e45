"""Transfer learning: the same architecture fine-tuned from its pre-trained weights, against
the same architecture with random weights, on the same data, steps and seed.

The random copy is built with transformers' ``AutoModel.from_config`` (the backbone's
configuration, fresh weights) and saved with the backbone's own tokenizer in a temporary
folder, so the two arms differ only in where the weights start.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from solutions.tools.lab.common import (
    SAMPLE_SENTENCES,
    Budget,
    Context,
    Report,
    Table,
    backbone_of,
    data_notes,
    epoch_losses,
    load_data,
    mean,
    pyplot,
    read_progress,
    save_figure,
    sentence_count,
    train_and_score,
)

NAME = "transfer"
SUMMARY = "pre-trained weights against the same model with random weights, same budget"
QUESTION = "How much of the result comes from pre-training rather than from our training data?"
FAST = Budget(train_sentences=48, dev_sentences=24, epochs=2, learning_rate=5e-3, batch_size=16)
DEFAULT = Budget(
    train_sentences=SAMPLE_SENTENCES,
    dev_sentences=250,
    epochs=3,
    learning_rate=5e-4,
    batch_size=16,
    seeds=(42, 43, 44),
)
FULL = Budget(train_sentences=3000, dev_sentences=None, epochs=2, learning_rate=2e-4)
DEFAULT_MINUTES = 3
FULL_MINUTES = 6


def random_copy(backbone: str, folder: Path, seed: int) -> Path:
    """Save ``backbone``'s architecture with random weights (seeded) and its tokenizer."""
    import torch
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    torch.manual_seed(seed)
    model = AutoModel.from_config(AutoConfig.from_pretrained(backbone))
    model.save_pretrained(folder)
    AutoTokenizer.from_pretrained(backbone).save_pretrained(folder)
    return folder


def run(context: Context) -> Report:
    """Train both arms, compare dev F1 per epoch and plot the curves."""
    budget = context.pick(FAST, DEFAULT, FULL)
    data = load_data(context, budget)
    backbone = backbone_of(context)
    rows, curves = [], {}
    with tempfile.TemporaryDirectory(prefix="random-backbone-") as folder:
        starts = {
            "pre-trained": backbone,
            "random weights": str(random_copy(backbone, Path(folder), budget.seeds[0])),
        }
        for arm, start in starts.items():
            scores = train_and_score(context, arm, data, budget, backbone=start)
            result = scores["results"][0]
            progress = read_progress(result)
            ends = [int(step) for step in progress["global_step"]]
            curves[arm] = {
                "dev_f1": [round(value, 4) for value in progress["f1_score"]],
                "training_loss": epoch_losses(result.step_losses, ends),
            }
            first_epoch = [read_progress(run)["f1_score"][0] for run in scores["results"]]
            rows.append(
                {
                    "arm": arm,
                    "dev_f1": scores["f1"],
                    "dev_f1_sd": scores["f1_sd"],
                    "dev_f1_per_seed": scores["f1_per_seed"],
                    "dev_precision": scores["precision"],
                    "dev_recall": scores["recall"],
                    "first_epoch_dev_f1": mean(first_epoch),
                    "last_epoch_training_loss": curves[arm]["training_loss"][-1],
                    "training_seconds": scores["training_seconds"],
                }
            )
    _plot(context, curves)
    notes = [
        f"Data: {data.source}; {sentence_count(data.train)} training sentences, "
        f"epochs {budget.epochs}, learning rate {budget.learning_rate:g}, seeds "
        f"{list(budget.seeds)} (dev_f1 and first_epoch_dev_f1: means over them; the curves: "
        f"seed {budget.seeds[0]}); the random weights are drawn with seed {budget.seeds[0]}; "
        "the random arm keeps the backbone's tokenizer and architecture."
    ]
    notes += data_notes(context, data, budget)
    return Report(
        experiment=NAME,
        question=QUESTION,
        tables=[Table("Pre-trained against random weights", list(rows[0]), rows)],
        look_for=[
            "dev_f1 of the random arm: what does a model learn from these sentences alone?",
            "first_epoch_dev_f1: the pre-trained arm is good after one epoch; the random one "
            "mostly tags O (what F1 does that give?).",
            "last_epoch_training_loss: the random arm's loss stays high; both had the same "
            "steps, so what did the pre-trained weights bring?",
        ],
        notes=notes,
        details={"backbone": backbone, "curves": curves},
    )


def _plot(context: Context, curves: dict[str, dict[str, list[float]]]) -> None:
    plt = pyplot()
    figure, (f1_axes, loss_axes) = plt.subplots(1, 2, figsize=(10, 4))
    for arm, curve in curves.items():
        epochs = range(1, len(curve["dev_f1"]) + 1)
        f1_axes.plot(epochs, curve["dev_f1"], "o-", label=arm)
        loss_axes.plot(epochs, curve["training_loss"], "o-", label=arm)
    f1_axes.set(title="Dev entity F1", xlabel="epoch", ylabel="F1", ylim=(0, 1))
    loss_axes.set(title="Training loss (mean per epoch)", xlabel="epoch", ylabel="cross-entropy")
    f1_axes.legend()
    loss_axes.legend()
    save_figure(figure, context.output / "plot.png")
