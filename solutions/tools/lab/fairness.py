"""Fairness probe: does a trained model find person names equally well whatever their origin?

The same template sentences are filled with person names drawn by Faker's localised
providers (``first_name_female``/``first_name_male`` and ``last_name_female``/
``last_name_male`` of each locale), one group per locale and gender. For each group the probe
reports PER recall (the full name found as one PER entity) with a Wilson interval, and the
mean confidence (the model's probability of the right tags, ``B-PER`` then ``I-PER``, averaged
over the name's words) with a t interval.

Limits: a locale's name list is not an ethnicity or a nationality, Faker's lists are short
and partly dated, a name does not tell a person's gender or identity, and names are written
in Latin script in Western order (given name first). A gap between groups shows how the
model treats these strings in these templates, nothing more.

>>> fill(["Yesterday", "{name}", "won", "."], "Ana Silva")
(['Yesterday', 'Ana', 'Silva', 'won', '.'], ['O', 'B-PER', 'I-PER', 'O', 'O'])
"""

from __future__ import annotations

from collections.abc import Sequence

from solutions.tools.lab.common import (
    FAST_NOTE,
    Context,
    Report,
    Table,
    mean_interval,
    pyplot,
    save_figure,
    wilson_interval,
)

NAME = "fairness"
SUMMARY = "PER recall and confidence for names of different origins and genders (--model)"
QUESTION = (
    "Does the trained model find person names from different origins and genders equally "
    "well, in the same sentences?"
)
FAST_SENTENCES = 20
DEFAULT_SENTENCES = 200
FULL_SENTENCES = 200
DEFAULT_MINUTES = 1
FULL_MINUTES = 1
SEED = 2024
PLACEHOLDER = "{name}"
LOCALES = {
    "en_US": "United States (English)",
    "de_DE": "Germany (German)",
    "es_MX": "Mexico (Spanish)",
    "en_IN": "India (English)",
    "yo_NG": "Nigeria (Yoruba)",
    "vi_VN": "Vietnam (Vietnamese)",
}
GENDERS = ("female", "male")
TEMPLATES = [
    "{name} said on Tuesday that the talks had failed .",
    "The prize went to {name} after a long vote .",
    "Police questioned {name} about the missing files .",
    "{name} scored twice in the second half .",
    "Yesterday , {name} signed a new three-year contract .",
    "A spokesman for {name} declined to comment .",
    "The report was written by {name} and two colleagues .",
    "According to {name} , prices will rise again next year .",
    "{name} , who led the team for a decade , will retire in June .",
    "Shares fell after {name} resigned .",
]


def fill(template: Sequence[str], name: str) -> tuple[list[str], list[str]]:
    """The template's words with ``{name}`` replaced by the name's words, and the gold tags."""
    words, tags = [], []
    for word in template:
        if word == PLACEHOLDER:
            parts = name.split()
            words += parts
            tags += ["B-PER"] + ["I-PER"] * (len(parts) - 1)
        else:
            words.append(word)
            tags.append("O")
    return words, tags


def draw_names(locale: str, gender: str, count: int, seed: int = SEED) -> list[str]:
    """``count`` full names (given name, family name) from Faker's ``locale``, seeded."""
    from faker import Faker

    faker = Faker(locale)
    faker.seed_instance(seed)
    first = getattr(faker, f"first_name_{gender}")
    last = getattr(faker, f"last_name_{gender}")
    return [f"{first()} {last()}" for _ in range(count)]


def probe(tagger, sentences: list[list[str]], gold: list[list[str]], alignment) -> list[dict]:
    """Per sentence: whether the name was found as one PER entity, and the mean probability
    of its gold tags."""
    import numpy as np

    from solutions.tools.decoding import decode
    from solutions.tools.inference import word_logits

    logits = word_logits(
        tagger.model,
        tagger.tokenizer,
        sentences,
        tagger.max_seq_length,
        tagger.alignment,
        case_feature=tagger.case_feature,
        case_all_caps=tagger.case_all_caps,
    )
    index = {label: i for i, label in enumerate(tagger.labels)}
    results = []
    for rows, tags in zip(logits, gold, strict=True):
        shifted = np.exp(rows - rows.max(axis=1, keepdims=True))
        probabilities = shifted / shifted.sum(axis=1, keepdims=True)
        predicted = [tagger.labels[i] for i in decode(rows, tagger.labels, tagger.decoding)]
        name = [i for i, tag in enumerate(tags) if tag != "O"]
        span = ("PER", name[0], name[-1])
        results.append(
            {
                "found": span in alignment.tags_to_spans(predicted),
                "confidence": float(np.mean([probabilities[i, index[tags[i]]] for i in name])),
            }
        )
    return results


def run(context: Context) -> Report:
    """Fill the templates for every group, probe the model and plot recall and confidence."""
    from solutions.tools.inference import Tagger

    if context.model is None:
        raise ValueError(
            "fairness probes a trained model: give --model runs/NAME/model "
            "(train one with python -m solutions.tools.train --output runs/NAME)"
        )
    tagger = Tagger.load(context.model, impl=context.impl)
    missing = {"B-PER", "I-PER"} - set(tagger.labels)
    if missing:
        raise ValueError(f"{context.model} has no {sorted(missing)} label: it cannot tag persons")
    count = context.pick(FAST_SENTENCES, DEFAULT_SENTENCES, FULL_SENTENCES)
    rows, examples = [], {}
    for group, (locale, gender) in enumerate((loc, sex) for loc in LOCALES for sex in GENDERS):
        names = draw_names(locale, gender, count, seed=SEED + group)
        filled = [fill(TEMPLATES[i % len(TEMPLATES)].split(), name) for i, name in enumerate(names)]
        results = probe(
            tagger, [w for w, _ in filled], [t for _, t in filled], context.steps.alignment
        )
        found = sum(result["found"] for result in results)
        confidences = [result["confidence"] for result in results]
        rows.append(
            {
                "locale": locale,
                "origin": LOCALES[locale],
                "gender": gender,
                "sentences": count,
                "per_recall": round(found / count, 4),
                "recall_95_ci": wilson_interval(found, count),
                "mean_confidence": round(sum(confidences) / count, 4),
                "confidence_95_ci": mean_interval(confidences),
            }
        )
        examples[f"{locale} {gender}"] = names[:5]
    _plot(context, rows)
    return Report(
        experiment=NAME,
        question=QUESTION,
        tables=[Table("PER recall and confidence per group", list(rows[0]), rows)],
        look_for=[
            "Do the recall intervals of two groups overlap? If they do, this many sentences "
            "cannot tell the groups apart.",
            "Which groups get the lowest mean confidence, and are they names the training data "
            "(news in English) rarely shows?",
            "Female against male names of the same locale: is there a gap, and is it larger "
            "than the gap between locales?",
        ],
        notes=[
            f"Model: {context.model}. {count} sentences per group, {len(TEMPLATES)} templates "
            f"in turn, names from Faker (seed {SEED} + group number).",
            "A locale's name list is not an ethnicity or nationality; a name does not tell a "
            "person's gender; Faker's lists are short. Names are in Latin script, given name "
            "first.",
        ]
        + ([FAST_NOTE] if context.fast else []),
        details={"templates": TEMPLATES, "example_names": examples},
    )


def _plot(context: Context, rows: list[dict]) -> None:
    plt = pyplot()
    figure, (recall_axes, confidence_axes) = plt.subplots(
        1, 2, figsize=(11, 0.4 * len(rows) + 1.5), sharey=True
    )
    names = [f"{row['origin']}, {row['gender']}" for row in rows]
    positions = list(range(len(rows)))
    for axes, value, interval, title in (
        (recall_axes, "per_recall", "recall_95_ci", "PER recall (95% Wilson interval)"),
        (confidence_axes, "mean_confidence", "confidence_95_ci", "Mean confidence (95% t)"),
    ):
        centres = [row[value] for row in rows]
        errors = [
            [c - row[interval][0] for c, row in zip(centres, rows, strict=True)],
            [row[interval][1] - c for c, row in zip(centres, rows, strict=True)],
        ]
        axes.errorbar(centres, positions, xerr=errors, fmt="o", capsize=3)
        axes.set(title=title, xlim=(0, 1.02))
    recall_axes.set_yticks(positions, names)
    recall_axes.invert_yaxis()
    save_figure(figure, context.output / "plot.png")
