"""Learning rate and over-fitting: a short sweep of learning rates, then many epochs on a
small training set with the training and dev loss of every epoch.

The over-fitting run evaluates after every epoch and never stops early, so the whole curve is
visible; ``early_stopping`` then replays SimpleTransformers' rule on its dev F1 to tell which
epoch early stopping (with step 3's patience) would have kept.

>>> early_stopping([0.2, 0.5, 0.4, 0.45, 0.3], patience=1)
(4, 2)
"""

from __future__ import annotations

from collections.abc import Sequence

from solutions.tools.lab.common import (
    SAMPLE_SENTENCES,
    Budget,
    Context,
    Report,
    Table,
    data_notes,
    drop_weights,
    epoch_losses,
    load_data,
    pyplot,
    read_progress,
    save_figure,
    sentence_count,
    train_and_score,
    train_arm,
)

NAME = "learning-rate"
SUMMARY = "a learning-rate sweep, and many epochs on a small set: when does it over-fit?"
QUESTION = (
    "How does the learning rate change what a model learns in the same steps, and what does "
    "over-fitting look like in the training and dev loss?"
)
FAST = Budget(train_sentences=48, dev_sentences=24, epochs=1, learning_rate=5e-3, batch_size=16)
DEFAULT = Budget(
    train_sentences=SAMPLE_SENTENCES,
    dev_sentences=250,
    epochs=2,
    learning_rate=5e-4,
    batch_size=16,
    seeds=(42, 43, 44),
)
FULL = Budget(train_sentences=2000, dev_sentences=None, epochs=2, learning_rate=2e-4)
FAST_RATES = (1e-3, 5e-3)
DEFAULT_RATES = (2e-5, 1e-4, 5e-4, 5e-3)
FULL_RATES = (2e-5, 1e-4, 5e-4, 2e-3)
FAST_OVERFIT = Budget(
    train_sentences=16, dev_sentences=24, epochs=5, learning_rate=5e-3, batch_size=8
)
DEFAULT_OVERFIT = Budget(
    train_sentences=64, dev_sentences=250, epochs=25, learning_rate=5e-4, batch_size=8
)
FULL_OVERFIT = Budget(train_sentences=200, dev_sentences=1000, epochs=40, learning_rate=2e-4)
DEFAULT_MINUTES = 4
FULL_MINUTES = 11


def early_stopping(f1_scores: Sequence[float], patience: int) -> tuple[int, int]:
    """``(stopped after epoch, kept epoch)`` under SimpleTransformers' early stopping.

    Its rule, with one evaluation per epoch: the first evaluation sets the best score and
    counts as one epoch without gain; a later score beats the best only when strictly higher
    (an F1 of 0 is not a best score: the next evaluation replaces it); after ``patience``
    epochs without gain, the next one without gain stops training. The best model is kept.
    Epochs are numbered from 1.
    """
    best: float | None = None
    kept, waited = 0, 0
    for epoch, value in enumerate(f1_scores, start=1):
        if not best:
            best, kept = value, epoch
        if value > best:
            best, kept, waited = value, epoch, 0
        elif waited < patience:
            waited += 1
        else:
            return epoch, kept
    return len(f1_scores), kept


def run(context: Context) -> Report:
    """The sweep, the over-fitting run and their plot."""
    budget = context.pick(FAST, DEFAULT, FULL)
    rates = context.pick(FAST_RATES, DEFAULT_RATES, FULL_RATES)
    data = load_data(context, budget)
    sweep = []
    for rate in rates:
        scores = train_and_score(context, f"rate-{rate:g}", data, budget, learning_rate=rate)
        result = scores["results"][0]
        progress = read_progress(result)
        last_epoch = epoch_losses(result.step_losses, [int(s) for s in progress["global_step"]])
        sweep.append(
            {
                "learning_rate": rate,
                "dev_f1": scores["f1"],
                "dev_f1_sd": scores["f1_sd"],
                "dev_f1_per_seed": scores["f1_per_seed"],
                "last_epoch_training_loss": last_epoch[-1],
                "last_dev_loss": round(progress["eval_loss"][-1], 4),
                "training_seconds": scores["training_seconds"],
            }
        )
    overfit_budget = context.pick(FAST_OVERFIT, DEFAULT_OVERFIT, FULL_OVERFIT)
    small = load_data(context, overfit_budget)
    epochs, summary = _overfit(context, small, overfit_budget)
    _plot(context, sweep, epochs, summary)
    notes = [
        f"Sweep data: {data.source}; {sentence_count(data.train)} training "
        f"sentences, epochs {budget.epochs}, batch {budget.batch_size}, seeds "
        f"{list(budget.seeds)} (dev_f1: mean and sd over them; the losses: seed "
        f"{budget.seeds[0]}).",
        f"Over-fitting run: {overfit_budget.train_sentences} training sentences, "
        f"{overfit_budget.epochs} epochs at {overfit_budget.learning_rate:g}, dev "
        f"{sentence_count(small.dev)} sentences; early stopping replayed "
        f"with patience {summary['patience']} (step 3's default).",
    ]
    notes += data_notes(context, data, budget)
    return Report(
        experiment=NAME,
        question=QUESTION,
        tables=[
            Table("Learning-rate sweep (same data, steps and seeds)", list(sweep[0]), sweep),
            Table("Over-fitting: one row per epoch", list(epochs[0]), epochs),
            Table("Over-fitting: summary", list(summary), [summary]),
        ],
        look_for=[
            "The sweep: which rate learns least in the same steps, and does the largest rate "
            "still beat the best one?",
            "Over-fitting: the training loss keeps falling; in which epoch does the dev loss "
            "stop falling and start to rise (lowest_dev_loss_epoch)?",
            "Does the best dev F1 come in the same epoch as the lowest dev loss? Which epoch "
            "does early stopping keep, and how many epochs does it save?",
        ],
        notes=notes,
        details={"rates": list(rates)},
    )


def _overfit(context: Context, data, budget: Budget) -> tuple[list[dict], dict]:
    patience = context.steps.training_config.TrainingConfig().early_stopping_patience
    result = train_arm(context, "overfit", data, budget, budget.seeds[0], patience=budget.epochs)
    drop_weights(result)
    progress = read_progress(result)
    ends = [int(step) for step in progress["global_step"]]
    training = epoch_losses(result.step_losses, ends)
    epochs = [
        {
            "epoch": epoch,
            "training_loss": training[epoch - 1],
            "dev_loss": round(progress["eval_loss"][epoch - 1], 4),
            "dev_f1": round(progress["f1_score"][epoch - 1], 4),
        }
        for epoch in range(1, len(ends) + 1)
    ]
    stopped, kept = early_stopping([row["dev_f1"] for row in epochs], patience)
    summary = {
        "epochs": len(epochs),
        "lowest_dev_loss_epoch": min(epochs, key=lambda row: row["dev_loss"])["epoch"],
        "best_dev_f1_epoch": max(epochs, key=lambda row: row["dev_f1"])["epoch"],
        "best_dev_f1": max(row["dev_f1"] for row in epochs),
        "patience": patience,
        "early_stopping_stops_after": stopped,
        "early_stopping_keeps": kept,
    }
    return epochs, summary


def _plot(context: Context, sweep: list[dict], epochs: list[dict], summary: dict) -> None:
    plt = pyplot()
    figure, (sweep_axes, loss_axes) = plt.subplots(1, 2, figsize=(11, 4))
    sweep_axes.plot(
        [row["learning_rate"] for row in sweep],
        [row["dev_f1"] for row in sweep],
        "o-",
        label="mean over seeds",
    )
    for row in sweep:
        seeds = row["dev_f1_per_seed"]
        sweep_axes.plot([row["learning_rate"]] * len(seeds), seeds, "k.")
    sweep_axes.legend()
    sweep_axes.set(
        title="Dev F1 against learning rate", xlabel="learning rate", ylabel="F1", ylim=(0, 1)
    )
    sweep_axes.set_xscale("log")
    numbers = [row["epoch"] for row in epochs]
    loss_axes.plot(numbers, [row["training_loss"] for row in epochs], "o-", label="training loss")
    loss_axes.plot(numbers, [row["dev_loss"] for row in epochs], "o-", label="dev loss")
    loss_axes.axvline(
        summary["lowest_dev_loss_epoch"], color="grey", linestyle=":", label="lowest dev loss"
    )
    loss_axes.axvline(
        summary["early_stopping_keeps"],
        color="seagreen",
        linestyle="--",
        label="early stopping keeps",
    )
    loss_axes.set(title="Over-fitting a small training set", xlabel="epoch", ylabel="cross-entropy")
    f1_axes = loss_axes.twinx()
    f1_axes.plot(numbers, [row["dev_f1"] for row in epochs], color="seagreen", alpha=0.5)
    f1_axes.set(ylabel="dev F1 (green line)", ylim=(0, 1))
    loss_axes.legend(loc="upper center")
    save_figure(figure, context.output / "plot.png")
