"""The lower-casing trap: an uncased backbone with and without ``do_lower_case``.

An uncased vocabulary has ``paris`` but no ``Paris``. SimpleTransformers' default
``do_lower_case=False`` hands it the text as written, so capitalised words, nearly every
entity, become ``[UNK]``. Both arms train with the case feature off, so lower-casing is the
only difference.

>>> unk_shares(tokenizer, [["Paris", "is", "big"]], [["B-LOC", "O", "O"]])  # doctest: +SKIP
{'words': 0.3333, 'entity_words': 1.0}
"""

from __future__ import annotations

from collections.abc import Sequence
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
    train_and_score,
)

NAME = "lowercase"
SUMMARY = "uncased backbone with and without do_lower_case: [UNK] share and dev F1"
QUESTION = (
    "What does an uncased backbone lose when the tokenizer does not lower-case its input, "
    "SimpleTransformers' default?"
)
FAST = Budget(train_sentences=48, dev_sentences=24, epochs=1, learning_rate=5e-3, batch_size=16)
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
ARMS = {"lower-case on (step 3)": True, "lower-case off (default)": False}


def unk_shares(
    tokenizer: Any, sentences: Sequence[Sequence[str]], labels: Sequence[Sequence[str]]
) -> dict[str, float]:
    """The share of all words and of entity words (label not ``O``) that contain ``[UNK]``.

    ``tokenizer`` is a fast tokenizer; a word counts as unknown when any of its subwords is
    the unknown token.
    """
    encoded = tokenizer(
        [list(words) for words in sentences], is_split_into_words=True, add_special_tokens=False
    )
    unknown_id = tokenizer.unk_token_id
    words = entity_words = unknown = unknown_entities = 0
    for row, sentence_labels in enumerate(labels):
        unknown_words = {
            word
            for word, token in zip(encoded.word_ids(row), encoded["input_ids"][row], strict=True)
            if word is not None and token == unknown_id
        }
        for index, label in enumerate(sentence_labels):
            is_unknown = index in unknown_words
            words += 1
            unknown += is_unknown
            if label != "O":
                entity_words += 1
                unknown_entities += is_unknown
    return {
        "words": round(unknown / max(words, 1), 4),
        "entity_words": round(unknown_entities / max(entity_words, 1), 4),
    }


def run(context: Context) -> Report:
    """Measure the ``[UNK]`` shares, train both arms and plot them."""
    from transformers import AutoTokenizer

    from solutions.tools.model import sentences_of

    budget = context.pick(FAST, DEFAULT, FULL)
    data = load_data(context, budget)
    backbone = backbone_of(context)
    words, labels = sentences_of(data.train)
    dev_words, dev_labels = sentences_of(data.dev)
    uncased = context.steps.training_config.tokenizer_lowercases(
        AutoTokenizer.from_pretrained(backbone)
    )
    rows = []
    for arm, lower in ARMS.items():
        tokenizer = AutoTokenizer.from_pretrained(backbone, do_lower_case=lower)
        shares = unk_shares(tokenizer, words + dev_words, labels + dev_labels)
        scores = train_and_score(
            context, arm, data, budget, do_lower_case=lower, case_feature=False
        )
        rows.append(
            {
                "arm": arm,
                "do_lower_case": lower,
                "unk_share_words": shares["words"],
                "unk_share_entity_words": shares["entity_words"],
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
        f"Data: {data.source}; {len(words)} training and {len(dev_words)} dev sentences; "
        f"[UNK] shares over both. Case feature off in both arms; seeds {list(budget.seeds)}."
    ]
    if not uncased:
        notes.append("This backbone is cased: for it, lower-casing is the mismatch.")
    notes += data_notes(context, data, budget)
    return Report(
        experiment=NAME,
        question=QUESTION,
        tables=[Table("Lower-casing on and off", list(rows[0]), rows)],
        look_for=[
            "unk_share_entity_words with lower-casing off: how many entity words does the "
            "model see as the same [UNK] token?",
            "Compare it with unk_share_words: entities are hit harder than other words. Why?",
            "dev_f1 of the two arms (mean over seeds): is the gap larger than dev_f1_sd? What "
            "can a model learn about a word it only sees as [UNK]?",
        ],
        notes=notes,
        details={"backbone": backbone, "backbone_lowercases": uncased},
    )


def _plot(context: Context, rows: list[dict]) -> None:
    plt = pyplot()
    figure, (unk_axes, f1_axes) = plt.subplots(1, 2, figsize=(10, 4))
    arms = [row["arm"] for row in rows]
    width = 0.38
    positions = range(len(rows))
    unk_axes.bar(
        [p - width / 2 for p in positions],
        [row["unk_share_words"] for row in rows],
        width,
        label="all words",
    )
    unk_axes.bar(
        [p + width / 2 for p in positions],
        [row["unk_share_entity_words"] for row in rows],
        width,
        label="entity words",
    )
    unk_axes.set(title="Words that become [UNK]", ylabel="share", ylim=(0, 1))
    unk_axes.set_xticks(list(positions), arms)
    unk_axes.legend()
    f1_axes.bar(arms, [row["dev_f1"] for row in rows], color="seagreen", alpha=0.6)
    for index, row in enumerate(rows):
        seeds = row["dev_f1_per_seed"]
        f1_axes.plot([index] * len(seeds), seeds, "ko", label="one seed" if index == 0 else None)
    f1_axes.set(title="Dev entity F1 (bar: mean over seeds)", ylabel="F1", ylim=(0, 1))
    f1_axes.legend()
    save_figure(figure, context.output / "plot.png")
