"""Label alignment: only the first subword of a word in the loss (``-100`` on the rest),
against a label on every subword (``label_all_subwords=True``).

Labelling every subword makes long words, and names split into many pieces, count several
times in the loss. The experiment counts the loss positions per sentence with step 2's
``align_labels`` and compares dev F1 over the same seeds.

>>> positions_in_loss(tokenizer, [["Klinsmann", "scored"]], [["B-PER", "O"]],
...                   ["O", "B-PER", "I-PER"], alignment)  # doctest: +SKIP
[{'positions': 2, 'entity_positions': 1, 'words': 2, 'subwords': 4}]
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Any

from solutions.tools.lab.common import (
    SAMPLE_SENTENCES,
    Budget,
    Context,
    Report,
    Table,
    backbone_of,
    data_notes,
    load_data,
    pyplot,
    save_figure,
    sentence_count,
    train_and_score,
)

NAME = "alignment"
SUMMARY = "first subword only (-100) against a label on every subword: loss positions and F1"
QUESTION = "Should every subword of a word carry its label in the loss, or only the first one?"
FAST = Budget(train_sentences=48, dev_sentences=24, epochs=1, learning_rate=5e-3, batch_size=16)
DEFAULT = Budget(
    train_sentences=SAMPLE_SENTENCES,
    dev_sentences=250,
    epochs=3,
    learning_rate=5e-4,
    batch_size=16,
    seeds=(42, 43, 44, 45, 46),
)
FULL = Budget(
    train_sentences=3000, dev_sentences=None, epochs=2, learning_rate=2e-4, seeds=(42, 43)
)
DEFAULT_MINUTES = 3
FULL_MINUTES = 9
F1_NOTE = (
    "When we measured it, the dev F1 difference between the arms was smaller than the seed "
    "spread, on the sample (5 seeds) as on CoNLL-2003 (--full, 2 seeds): compare it with "
    "dev_f1_sd. What this run measures for sure is the loss positions per sentence and the "
    "entities' share of them."
)
ARMS = {"first subword (-100)": False, "every subword": True}
IGNORE_INDEX = -100


def positions_in_loss(
    tokenizer: Any,
    sentences: Sequence[Sequence[str]],
    labels: Sequence[Sequence[str]],
    label_list: Sequence[str],
    alignment: ModuleType,
    label_all_subwords: bool = False,
) -> list[dict[str, int]]:
    """Per sentence: the positions that count in the loss (label not ``-100``), those with an
    entity label, and the sentence's words and subwords (special tokens included)."""
    label_to_id = {label: index for index, label in enumerate(label_list)}
    outside = label_to_id.get("O")
    encoded = tokenizer([list(words) for words in sentences], is_split_into_words=True)
    counts = []
    for row, sentence_labels in enumerate(labels):
        aligned = alignment.align_labels(
            encoded.word_ids(row), list(sentence_labels), label_to_id, label_all_subwords
        )
        scored = [label for label in aligned if label != IGNORE_INDEX]
        counts.append(
            {
                "positions": len(scored),
                "entity_positions": sum(label != outside for label in scored),
                "words": len(sentence_labels),
                "subwords": len(aligned),
            }
        )
    return counts


def run(context: Context) -> Report:
    """Count the loss positions of both arms, train them over the seeds and plot."""
    from transformers import AutoTokenizer

    from solutions.tools.model import sentences_of

    budget = context.pick(FAST, DEFAULT, FULL)
    data = load_data(context, budget)
    steps = context.steps
    backbone = backbone_of(context)
    tokenizer = AutoTokenizer.from_pretrained(backbone)
    tokenizer = AutoTokenizer.from_pretrained(
        backbone, do_lower_case=steps.training_config.tokenizer_lowercases(tokenizer)
    )
    words, labels = sentences_of(data.train)
    label_list = steps.preprocessing.build_label_list(data.train["labels"])
    rows = []
    for arm, every in ARMS.items():
        counts = positions_in_loss(tokenizer, words, labels, label_list, steps.alignment, every)
        positions = sum(count["positions"] for count in counts)
        scores = train_and_score(context, arm, data, budget, label_all_subwords=every)
        rows.append(
            {
                "arm": arm,
                "loss_positions_per_sentence": round(positions / len(counts), 2),
                "words_per_sentence": round(sum(c["words"] for c in counts) / len(counts), 2),
                "entity_share_of_positions": round(
                    sum(count["entity_positions"] for count in counts) / max(positions, 1), 4
                ),
                "dev_f1": scores["f1"],
                "dev_f1_sd": scores["f1_sd"],
                "dev_f1_per_seed": scores["f1_per_seed"],
                "dev_precision": scores["precision"],
                "dev_recall": scores["recall"],
                "training_seconds": scores["training_seconds"],
            }
        )
    _plot(context, rows)
    notes = [
        f"Data: {data.source}; {len(words)} training sentences (loss positions counted on "
        f"them, without windows), {sentence_count(data.dev)} dev sentences; "
        f"seeds {list(budget.seeds)}. Both arms predict a word from its first subword."
    ]
    notes += data_notes(context, data, budget)
    if not context.fast:
        notes.append(F1_NOTE)
    return Report(
        experiment=NAME,
        question=QUESTION,
        tables=[Table("First subword against every subword", list(rows[0]), rows)],
        look_for=[
            "loss_positions_per_sentence against words_per_sentence: with -100 the loss "
            "counts each word once; how much more does it count with every subword?",
            "entity_share_of_positions: entity words are split into more pieces, so labelling "
            "every subword gives entities more weight in the loss.",
            "dev_f1 and dev_f1_per_seed: is the difference between the arms larger than the "
            "difference between seeds of one arm?",
        ],
        notes=notes,
        details={"backbone": backbone, "labels": label_list},
    )


def _plot(context: Context, rows: list[dict]) -> None:
    plt = pyplot()
    figure, (count_axes, f1_axes) = plt.subplots(1, 2, figsize=(10, 4))
    arms = [row["arm"] for row in rows]
    count_axes.bar(arms, [row["loss_positions_per_sentence"] for row in rows])
    count_axes.axhline(
        rows[0]["words_per_sentence"], color="black", linestyle="--", label="words per sentence"
    )
    count_axes.set(title="Positions in the loss per sentence", ylabel="positions")
    count_axes.legend()
    f1_axes.bar(arms, [row["dev_f1"] for row in rows], color="seagreen", alpha=0.6)
    for index, row in enumerate(rows):
        seeds = row["dev_f1_per_seed"]
        f1_axes.plot([index] * len(seeds), seeds, "ko", label="one seed" if index == 0 else None)
    f1_axes.set(title="Dev entity F1 (bar: mean over seeds)", ylabel="F1", ylim=(0, 1))
    f1_axes.legend()
    save_figure(figure, context.output / "plot.png")
