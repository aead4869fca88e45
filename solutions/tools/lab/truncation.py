"""Truncation against windows: what a model that cuts sentences at 32 or 64 tokens loses.

SimpleTransformers cuts every sentence at ``max_seq_length`` tokens; the course's pipeline
splits long sentences into windows instead (step 2). Here truncation is simulated: for
training, each sentence keeps only the words whose subwords all fit before the cut; for
prediction, the model tags the kept words and every word past the cut gets ``O``. The other
arm is the pipeline with the same ``max_seq_length``, windowing.

>>> kept_words([3, 2, 4, 1], room=6)
2
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Any

from solutions.tools.lab.common import (
    SAMPLE_SENTENCES,
    Budget,
    Context,
    Data,
    Report,
    Table,
    backbone_of,
    data_notes,
    drop_weights,
    load_data,
    load_tagger,
    mean,
    pyplot,
    save_figure,
    score,
    sd,
    train_arm,
)

NAME = "truncation"
SUMMARY = "cut sentences at max_seq_length against windows: entities never seen, F1 on long ones"
QUESTION = (
    "What does cutting sentences at max_seq_length cost, compared with splitting them into windows?"
)
FAST = Budget(train_sentences=48, dev_sentences=32, epochs=1, learning_rate=5e-3, batch_size=16)
DEFAULT = Budget(
    train_sentences=SAMPLE_SENTENCES,
    dev_sentences=250,
    epochs=2,
    learning_rate=5e-4,
    batch_size=16,
    seeds=(42, 43, 44),
)
FULL = Budget(train_sentences=3000, dev_sentences=None, epochs=2, learning_rate=2e-4)
FAST_CUTS = (12, 24)
DEFAULT_CUTS = (16, 24, 32, 64)
FULL_CUTS = (32, 64)
# the cuts at which both arms are trained (the entities are counted at every cut)
FAST_TRAINED_CUTS = (12, 24)
DEFAULT_TRAINED_CUTS = (16, 24)
FULL_TRAINED_CUTS = (32, 64)
DEFAULT_MINUTES = 2
FULL_MINUTES = 9
SAMPLE_NOTE = (
    "The sample's sentences are short (at 32 tokens 1 of its 54 dev sentences is long), so the "
    "default setting trains at 16 and 24 tokens: at 16 the truncating model's loss is larger "
    "than the seed spread; at 24 so few dev sentences are long that the seeds of one arm "
    "differ more than the arms do. The entity counts are exact at every cut."
)


def kept_words(subword_counts: Sequence[int], room: int) -> int:
    """How many leading words fit entirely in ``room`` subwords (at least one, as a cut
    keeps the first subword of the first word)."""
    total = 0
    for index, count in enumerate(subword_counts):
        total += count
        if total > room:
            return max(index, 1)
    return len(subword_counts)


def entities_past_cut(
    subword_counts: Sequence[Sequence[int]],
    labels: Sequence[Sequence[str]],
    room: int,
    alignment: ModuleType,
) -> dict[str, int]:
    """Count the entities (step 2 ``tags_to_spans``) a cut at ``room`` subwords hides.

    ``never_seen``: every word of the entity is past the cut; ``cut_through``: the entity
    starts before the cut and ends past it. Also the sentences and entities in all.
    """
    counts = {"sentences": 0, "long_sentences": 0, "entities": 0, "never_seen": 0}
    counts["cut_through"] = 0
    for sentence_counts, tags in zip(subword_counts, labels, strict=True):
        kept = kept_words(sentence_counts, room)
        counts["sentences"] += 1
        counts["long_sentences"] += kept < len(sentence_counts)
        for _, first, last in alignment.tags_to_spans(list(tags)):
            counts["entities"] += 1
            counts["never_seen"] += first >= kept
            counts["cut_through"] += first < kept <= last
    return counts


def truncate_frame(frame: Any, tokenizer: Any, room: int) -> Any:
    """The training frame with every sentence cut to the words that fit in ``room``."""
    from solutions.tools.inference import readable_words
    from solutions.tools.model import sentences_of

    words, _ = sentences_of(frame)
    limits = [kept_words(counts, room) for counts in readable_words(tokenizer, words)[1]]
    ordered = frame.sort_values("sentence_id", kind="stable")
    position = ordered.groupby("sentence_id").cumcount()
    keep = position < ordered["sentence_id"].map(dict(enumerate(limits)))
    return ordered[keep].reset_index(drop=True)


def run(context: Context) -> Report:
    """Count hidden entities and train both arms at each cut."""
    from transformers import AutoTokenizer

    from solutions.tools.inference import readable_words
    from solutions.tools.model import sentences_of

    budget = context.pick(FAST, DEFAULT, FULL)
    cuts = context.pick(FAST_CUTS, DEFAULT_CUTS, FULL_CUTS)
    trained_cuts = context.pick(FAST_TRAINED_CUTS, DEFAULT_TRAINED_CUTS, FULL_TRAINED_CUTS)
    data = load_data(context, budget)
    steps = context.steps
    backbone = backbone_of(context)
    tokenizer = AutoTokenizer.from_pretrained(backbone)
    tokenizer = AutoTokenizer.from_pretrained(
        backbone, do_lower_case=steps.training_config.tokenizer_lowercases(tokenizer)
    )
    special = tokenizer.num_special_tokens_to_add()
    words, labels = sentences_of(data.train)
    dev_words, dev_labels = sentences_of(data.dev)
    train_counts = readable_words(tokenizer, words)[1]
    dev_counts = readable_words(tokenizer, dev_words)[1]
    counts_rows, score_rows = [], []
    for cut in cuts:
        room = cut - special
        for split, counts, tags in (
            ("train", train_counts, labels),
            ("dev", dev_counts, dev_labels),
        ):
            counts_rows.append(
                {"max_seq_length": cut, "data": split}
                | entities_past_cut(counts, tags, room, steps.alignment)
            )
        if cut not in trained_cuts:
            continue
        long = [index for index, c in enumerate(dev_counts) if kept_words(c, room) < len(c)]
        per_arm: dict[str, dict[str, list[float]]] = {}
        for seed in budget.seeds:
            for arm, predicted in _arms(
                context, data, budget, cut, tokenizer, room, dev_words, seed
            ):
                scores = per_arm.setdefault(arm, {"all": [], "long": []})
                scores["all"].append(score(context, dev_labels, predicted)["f1"])
                if long:
                    scores["long"].append(
                        score(
                            context,
                            [dev_labels[i] for i in long],
                            [predicted[i] for i in long],
                        )["f1"]
                    )
        for arm, scores in per_arm.items():
            score_rows.append(
                {
                    "max_seq_length": cut,
                    "arm": arm,
                    "dev_f1": mean(scores["all"]),
                    "dev_f1_sd": sd(scores["all"]),
                    "long_sentences": len(long),
                    "dev_f1_long_sentences": mean(scores["long"]) if long else None,
                    "dev_f1_long_sd": sd(scores["long"]) if long else None,
                    "dev_f1_long_per_seed": scores["long"],
                }
            )
    _plot(context, score_rows)
    notes = [
        f"Data: {data.source}; {len(words)} training and {len(dev_words)} dev sentences; "
        f"epochs {budget.epochs}, seeds {list(budget.seeds)} (F1: mean and sd over them); "
        f"both arms trained at {', '.join(map(str, trained_cuts))} tokens, entities counted "
        f"at {', '.join(map(str, cuts))}. A sentence is long when its subwords do not all fit "
        "in max_seq_length with the special tokens."
    ]
    notes += data_notes(context, data, budget)
    if context.setting == "default" and not data.real:
        notes.append(SAMPLE_NOTE)
    return Report(
        experiment=NAME,
        question=QUESTION,
        tables=[
            Table("Entities a cut hides", list(counts_rows[0]), counts_rows),
            Table("Truncated against windowed", list(score_rows[0]), score_rows),
        ],
        look_for=[
            "never_seen and cut_through on train: entities a truncating model never learns "
            "from; on dev: entities it can never find, whatever it learned.",
            "dev_f1 against dev_f1_long_sentences: the overall score hides the loss, because "
            "few sentences are long. How much does it drop at each cut, against dev_f1_sd?",
            "How does step 3's choice of max_seq_length (99% of the sentences fit) relate to "
            "these counts?",
        ],
        notes=notes,
        details={"backbone": backbone, "special_tokens": special},
    )


def _arms(
    context: Context,
    data: Data,
    budget: Budget,
    cut: int,
    tokenizer: Any,
    room: int,
    dev_words: list[list[str]],
    seed: int,
):
    """``(arm, predicted dev tags)`` for the windowed and the truncated model at ``cut``."""
    from solutions.tools.inference import readable_words

    windowed = train_arm(context, f"windows-{cut}", data, budget, seed, max_seq_length=cut)
    tagger = load_tagger(context, windowed)
    yield "windows", [tags for tags, _ in tagger.tag_words(dev_words)]
    drop_weights(windowed)
    cut_data = Data(truncate_frame(data.train, tokenizer, room), data.dev, data.source, data.real)
    truncated = train_arm(context, f"truncated-{cut}", cut_data, budget, seed, max_seq_length=cut)
    tagger = load_tagger(context, truncated)
    limits = [kept_words(c, room) for c in readable_words(tokenizer, dev_words)[1]]
    cut_words = [words[:limit] for words, limit in zip(dev_words, limits, strict=True)]
    tagged = tagger.tag_words(cut_words)
    yield (
        "truncated",
        [
            tags + ["O"] * (len(words) - len(tags))
            for (tags, _), words in zip(tagged, dev_words, strict=True)
        ],
    )
    drop_weights(truncated)


def _plot(context: Context, rows: list[dict]) -> None:
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(8, 4))
    labels = [f"{row['arm']}\n{row['max_seq_length']} tokens" for row in rows]
    positions = range(len(rows))
    width = 0.38
    axes.bar([p - width / 2 for p in positions], [row["dev_f1"] for row in rows], width,
             label="all dev sentences")  # fmt: skip
    axes.bar(
        [p + width / 2 for p in positions],
        [row["dev_f1_long_sentences"] or 0.0 for row in rows],
        width,
        label="long dev sentences",
    )
    axes.set_xticks(list(positions), labels)
    axes.set(title="Dev entity F1: truncated against windowed", ylabel="F1", ylim=(0, 1))
    axes.legend()
    save_figure(figure, context.output / "plot.png")
