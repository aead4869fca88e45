"""What every lab experiment shares: its settings, data, trained arms, table, plot and statistics.

An experiment compares *arms* (ways of training or tagging) on the same data and seeds. Each
arm is trained with ``train_ner`` and the step code the learner chose (``--impl``), scored on
the dev set with step 4, and the experiment ends in a ``Report``: tables written as
``table.json`` and ``table.md`` beside a ``plot.png`` in the run folder.

>>> wilson_interval(8, 10)
(0.4902, 0.9433)
"""

from __future__ import annotations

import json
import math
import shutil
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from solutions.tools import reporting
from solutions.tools.implementation import load_implementation

if TYPE_CHECKING:
    import pandas as pd

    from solutions.tools.inference import Tagger
    from solutions.tools.model import TrainResult

PROJECT_ROOT = Path(__file__).resolve().parents[3]
SAMPLE_TRAIN = PROJECT_ROOT / "data" / "train.conll"
SAMPLE_DEV = PROJECT_ROOT / "data" / "dev.conll"
CONLL = PROJECT_ROOT.parent / "shared" / "data" / "conll2003"
SAMPLE_SEED = 7
FAST_NOTE = (
    "Fast setting: a few steps on a small subset, to check that the experiment runs; its "
    "figures mean nothing. Run it without --fast for the real comparison."
)
SAMPLE_SENTENCES = 263
SMALL_SAMPLE_NOTE = (
    "Default setting: the bundled sample (263 training, 54 dev sentences), sized to run in "
    "minutes on a laptop; a dev set this small moves by several points of F1 from seed to "
    "seed, so read each arm's mean against its sd over the seeds. The CoNLL-2003 figures "
    "(--full) are far higher: --full trains on CoNLL-2003 (python -m solutions.tools.data "
    "download conll2003 --output DIR, then --train/--dev or ../shared/data/conll2003/)."
)
USER_DATA_NOTE = (
    "Default setting on your data: at most {train} training and {dev} dev sentences; "
    "--full trains on all of them with the CoNLL-scale budget."
)
NO_CONLL = (
    "--full trains on CoNLL-2003, which is not in {folder}: give --train and --dev, or get it "
    "with python -m solutions.tools.data download conll2003 --output DIR"
)


@dataclass(frozen=True)
class Budget:
    """How one arm trains: training and dev sentences (``None``: all), epochs, rate, seeds."""

    train_sentences: int | None
    dev_sentences: int | None
    epochs: int
    learning_rate: float
    batch_size: int = 32
    seeds: tuple[int, ...] = (42,)


@dataclass
class Context:
    """What the command hands an experiment: the setting, step code, folders and data paths."""

    fast: bool
    impl: str
    output: Path
    full: bool = False
    model: str | None = None
    train: Path | None = None
    dev: Path | None = None
    log: Callable[[str], None] = print

    @property
    def steps(self) -> SimpleNamespace:
        return load_implementation(self.impl)

    @property
    def setting(self) -> str:
        """``fast`` (smoke test), ``default`` (the sample or your data, minutes) or ``full``."""
        if self.fast:
            return "fast"
        return "full" if self.full else "default"

    def pick(self, fast: Any, default: Any, full: Any) -> Any:
        """The value for this run's setting."""
        return {"fast": fast, "default": default, "full": full}[self.setting]


@dataclass
class Table:
    """One table of a report: a title, its column names and one dict per row."""

    title: str
    columns: list[str]
    rows: list[dict[str, Any]]


@dataclass
class Report:
    """What an experiment found, in tables, notes and the things to look for in them."""

    experiment: str
    question: str
    tables: list[Table]
    look_for: list[str]
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Data:
    """The training and dev frames of a run and where they came from."""

    train: pd.DataFrame
    dev: pd.DataFrame
    source: str
    real: bool


def load_data(context: Context, budget: Budget) -> Data:
    """The data of an experiment: ``--train``/``--dev``, else CoNLL-2003 (``--full``), else
    the bundled sample; cut to the budget's sentences (a seeded sample of the training
    sentences, the first dev sentences).

    Raises ``ValueError`` when only one of ``--train`` and ``--dev`` is given, or when
    ``--full`` finds neither them nor CoNLL-2003.
    """
    from solutions.tools.data import read_dataset

    if (context.train is None) != (context.dev is None):
        raise ValueError("give --train and --dev together")
    if context.train is not None:
        train_path, dev_path, real = context.train, context.dev, True
    elif context.full:
        if not (CONLL / "train.txt").is_file():
            raise ValueError(NO_CONLL.format(folder=CONLL))
        train_path, dev_path, real = CONLL / "train.txt", CONLL / "valid.txt", True
    else:
        train_path, dev_path, real = SAMPLE_TRAIN, SAMPLE_DEV, False
    preprocessing = context.steps.preprocessing
    train = take_sentences(
        read_dataset(train_path, preprocessing=preprocessing), budget.train_sentences
    )
    dev = take_sentences(
        read_dataset(dev_path, preprocessing=preprocessing), budget.dev_sentences, first=True
    )
    return Data(train, dev, f"train {train_path}, dev {dev_path}", real)


def data_notes(context: Context, data: Data, budget: Budget | None = None) -> list[str]:
    """What the reader must know about the data's size: fast runs, the bundled sample, and
    the default setting's cut of your data."""
    if context.fast:
        return [FAST_NOTE]
    if not data.real:
        return [SMALL_SAMPLE_NOTE]
    if context.setting == "default" and budget is not None:
        return [USER_DATA_NOTE.format(train=budget.train_sentences, dev=budget.dev_sentences)]
    return []


def take_sentences(
    frame: pd.DataFrame, count: int | None, first: bool = False, seed: int = SAMPLE_SEED
) -> pd.DataFrame:
    """``count`` sentences of ``frame`` (a seeded random sample, or the ``first`` ones),
    renumbered 0..n-1 in file order; the whole frame when ``count`` is ``None``.

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"sentence_id": [0, 1, 1, 2], "words": list("abcd")})
    >>> take_sentences(frame, 2, first=True)["words"].tolist()
    ['a', 'b', 'c']
    """
    import numpy as np

    ids = np.sort(frame["sentence_id"].unique())
    if count is None or count >= len(ids):
        chosen = ids
    elif first:
        chosen = ids[:count]
    else:
        chosen = np.sort(np.random.default_rng(seed).choice(ids, count, replace=False))
    sample = frame[frame["sentence_id"].isin(chosen)].copy()
    sample["sentence_id"] = np.searchsorted(chosen, sample["sentence_id"])
    return sample.reset_index(drop=True)


def sentence_count(frame: pd.DataFrame) -> int:
    """How many sentences a frame holds."""
    return int(frame["sentence_id"].nunique())


def backbone_of(context: Context) -> str:
    """The backbone to fine-tune: ``--model``, or the packaged all-MiniLM-L6-v2."""
    from solutions.tools.model import default_backbone

    return context.model or default_backbone()


def train_arm(
    context: Context,
    name: str,
    data: Data,
    budget: Budget,
    seed: int,
    patience: int | None = None,
    learning_rate: float | None = None,
    backbone: str | None = None,
    **options: Any,
) -> TrainResult:
    """Train one arm with one seed into ``OUTPUT/runs/NAME-seedN``; ``options`` go to
    ``train_ner`` (``max_seq_length``, ``label_all_subwords``, ``do_lower_case``, ...)."""
    from solutions.tools.model import train_ner

    settings = {
        "epochs": budget.epochs,
        "learning_rate": learning_rate or budget.learning_rate,
        "batch_size": budget.batch_size,
        "seed": seed,
    }
    if patience is not None:
        settings["early_stopping_patience"] = patience
    config = context.steps.training_config.TrainingConfig(**settings)
    context.log(f"--- {name}, seed {seed} ---")
    return train_ner(
        data.train,
        data.dev,
        context.output / "runs" / f"{name}-seed{seed}",
        config,
        backbone=backbone or backbone_of(context),
        impl=context.impl,
        log=context.log,
        **options,
    )


def train_and_score(
    context: Context, name: str, data: Data, budget: Budget, **options: Any
) -> dict[str, Any]:
    """Train an arm once per seed of the budget and score each model on the dev set.

    Returns the mean dev precision, recall and F1, each seed's F1 and their standard
    deviation (0 for one seed), the total training time, and ``results``: each seed's
    ``TrainResult`` (whose model folders are deleted).
    """
    from solutions.tools.model import sentences_of

    words, gold = sentences_of(data.dev)
    runs = []
    for seed in budget.seeds:
        result = train_arm(context, name, data, budget, seed, **options)
        predicted = [tags for tags, _ in load_tagger(context, result).tag_words(words)]
        runs.append((result, score(context, gold, predicted)))
        drop_weights(result)
    return {
        **{key: mean([scores[key] for _, scores in runs]) for key in ("precision", "recall")},
        "f1": mean([scores["f1"] for _, scores in runs]),
        "f1_per_seed": [scores["f1"] for _, scores in runs],
        "f1_sd": sd([scores["f1"] for _, scores in runs]),
        "training_seconds": round(sum(result.training_seconds for result, _ in runs), 1),
        "results": [result for result, _ in runs],
    }


def load_tagger(context: Context, result: TrainResult) -> Tagger:
    """The trained arm's model, ready to tag."""
    from solutions.tools.inference import Tagger

    return Tagger.load(result.model_dir, impl=context.impl)


def score(
    context: Context, gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]
) -> dict[str, float]:
    """Entity-level micro precision, recall and F1 with step 4, rounded to 4 places."""
    scores = context.steps.metrics.entity_scores(gold, predicted)
    return {key: round(float(scores[key]), 4) for key in ("precision", "recall", "f1")}


def drop_weights(result: TrainResult) -> None:
    """Delete a scored arm's model folder (its logs stay in ``training/``) to save disk."""
    shutil.rmtree(result.model_dir, ignore_errors=True)


def mean(values: Sequence[float]) -> float:
    """The mean, rounded to 4 places."""
    return round(statistics.fmean(values), 4)


def sd(values: Sequence[float]) -> float:
    """The sample standard deviation, rounded to 4 places; 0 for fewer than two values.

    >>> sd([0.5, 0.7, 0.6])
    0.1
    """
    return round(statistics.stdev(values), 4) if len(values) > 1 else 0.0


def epoch_losses(
    step_losses: Sequence[tuple[int, float]], epoch_ends: Sequence[int]
) -> list[float]:
    """The mean training loss of each epoch, given the global step that ends each epoch.

    >>> epoch_losses([(1, 4.0), (2, 2.0), (3, 1.0), (4, 1.0)], [2, 4])
    [3.0, 1.0]
    """
    losses, start = [], 0
    for end in epoch_ends:
        inside = [loss for step, loss in step_losses if start < step <= end]
        losses.append(round(statistics.fmean(inside), 4) if inside else math.nan)
        start = end
    return losses


def read_progress(result: TrainResult) -> dict[str, list[float]]:
    """SimpleTransformers' ``training_progress_scores.csv`` as columns (empty without dev)."""
    return reporting.read_progress(result.progress_csv)


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (SciPy), rounded to 4 places.

    Raises ``ValueError`` for no trials.
    """
    from scipy.stats import binomtest

    if trials < 1:
        raise ValueError("a proportion needs at least one trial")
    interval = binomtest(successes, trials).proportion_ci(confidence, method="wilson")
    return round(float(interval.low), 4), round(float(interval.high), 4)


def mean_interval(values: Sequence[float], confidence: float = 0.95) -> tuple[float, float]:
    """Student's t interval of the mean (SciPy), rounded to 4 places; needs two values or more.

    >>> mean_interval([1.0, 2.0, 3.0])
    (-0.4841, 4.4841)
    """
    from scipy.stats import t

    if len(values) < 2:
        raise ValueError("a confidence interval of a mean needs at least two values")
    centre = statistics.fmean(values)
    spread = statistics.stdev(values) / math.sqrt(len(values))
    if spread == 0:
        return round(centre, 4), round(centre, 4)
    low, high = t.interval(confidence, len(values) - 1, loc=centre, scale=spread)
    return round(float(low), 4), round(float(high), 4)


def markdown_table(table: Table) -> str:
    """A table as Markdown, numbers as written in the rows.

    >>> print(markdown_table(Table("t", ["arm", "f1"], [{"arm": "a", "f1": 0.5}])))
    | arm | f1 |
    | --- | --- |
    | a | 0.5 |
    """
    lines = ["| " + " | ".join(table.columns) + " |", "|" + " --- |" * len(table.columns)]
    for row in table.rows:
        lines.append("| " + " | ".join(_cell(row.get(column)) for column in table.columns) + " |")
    return "\n".join(lines)


def write_report(context: Context, report: Report, seconds: float) -> str:
    """Write ``table.json`` and ``table.md`` into the run folder; return the Markdown."""
    header = {
        "experiment": report.experiment,
        "question": report.question,
        "setting": context.setting,
        "impl": context.impl,
        "model": context.model,
        "seconds": round(seconds, 1),
    }
    data = {
        **header,
        "tables": [vars(table) for table in report.tables],
        "notes": report.notes,
        "look_for": report.look_for,
        "details": report.details,
    }
    (context.output / "table.json").write_text(
        json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    parts = [f"# Lab: {report.experiment} ({context.setting} setting)", "", report.question, ""]
    for table in report.tables:
        parts += [f"## {table.title}", "", markdown_table(table), ""]
    parts += [f"- {note}" for note in report.notes]
    parts += ["", "## What to look for", ""] + [f"- {item}" for item in report.look_for]
    parts += ["", f"Step code: {context.impl}/. Run time {seconds:.0f} s. Plot: plot.png"]
    text = "\n".join(parts) + "\n"
    (context.output / "table.md").write_text(text, encoding="utf-8")
    return text


def pyplot():
    """Matplotlib's ``pyplot`` drawing to files only (no window)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(figure: Any, path: Path) -> Path:
    """Save a figure as PNG and close it."""
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot().close(figure)
    return path


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}" if 0 < abs(value) < 1e-3 else str(round(value, 4))
    if isinstance(value, (list, tuple)):
        return "–".join(_cell(item) for item in value)
    return str(value)
