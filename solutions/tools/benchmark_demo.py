"""Latency of one demo request against the transformers ``pipeline`` on the same model.

Each round times the demo's prediction (``demo.app.analyse``: split words, tag, merge entities)
and ``pipeline("token-classification", aggregation_strategy="first")`` on the same text, in
alternating order, after a warm-up; it reports p50/p95 per text and the ratio demo/pipeline
(below 1: the demo is faster). The texts are a 13-word sentence and a 500-word news text. The
pipeline reads a long text in windows of the model's position limit (512) with a stride of 16
tokens, the demo in windows of the model's ``max_seq_length``; neither drops a word.

    python -m solutions.tools.benchmark_demo --model runs/sample/model --threads 1 \
        --json runs/bench.json

Not a test. On a busy machine the numbers are noisy: use ``--threads 1`` and compare the ratio.

>>> percentile([1.0, 2.0, 3.0, 4.0], 50)
2.5
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from solutions.tools.cli import (
    CommandParser,
    add_impl_flag,
    add_threads_flag,
    int_range,
    quiet_libraries,
    run_command,
    use_threads,
)

SENTENCE = "Angela Merkel met Emmanuel Macron in Berlin on Tuesday to discuss the budget."
PARAGRAPH = (
    "The World Health Organization said on Monday that cases of measles in Kenya and Uganda "
    "were falling, while officials in Nairobi warned that the rainy season could reverse the "
    "trend. Apple shares rose 3 percent in New York after the company reported record sales in "
    "China and Europe. Brazil beat Argentina 2-1 in the Copa America final at the Maracana "
    "stadium in Rio de Janeiro, with Neymar scoring twice. Ana Souza, a Reuters correspondent, "
    "reported from Lisbon on the Portuguese elections."
)
PIPELINE_STRIDE = 16


def long_text(words: int = 500) -> str:
    """A news-style text of exactly ``words`` whitespace-separated words."""
    base = PARAGRAPH.split()
    return " ".join(base[i % len(base)] for i in range(words))


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile of ``values``, linearly interpolated (like ``numpy.percentile``)."""
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def time_ms(function: Callable[[str], Any], text: str) -> float:
    """Milliseconds one call of ``function(text)`` takes."""
    start = time.perf_counter()
    function(text)
    return (time.perf_counter() - start) * 1000


def compare(
    contenders: dict[str, Callable[[str], Any]], text: str, repeats: int, warmup: int
) -> dict[str, list[float]]:
    """Milliseconds per call of each contender on ``text``, interleaved, order flipped per round."""
    names = list(contenders)
    for _ in range(warmup):
        for name in names:
            contenders[name](text)
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(repeats):
        for name in names if round_ % 2 == 0 else reversed(names):
            times[name].append(time_ms(contenders[name], text))
    return times


def load_contenders(model: Path, impl: str) -> dict[str, Callable[[str], Any]]:
    """The demo's prediction and the transformers pipeline, both on ``model``."""
    from transformers import AutoTokenizer, pipeline

    from demo.app import analyse
    from solutions.tools.inference import Tagger

    tagger = Tagger.load(model, impl=impl)
    tokenizer = AutoTokenizer.from_pretrained(str(model))
    limit = getattr(tagger.model.config, "max_position_embeddings", 512)
    tokenizer.model_max_length = min(tokenizer.model_max_length, limit)
    tag = pipeline(
        "token-classification",
        model=str(model),
        tokenizer=tokenizer,
        aggregation_strategy="first",
        stride=PIPELINE_STRIDE,
        device=-1,
    )
    return {"demo": lambda text: analyse(tagger, text), "pipeline": tag}


def benchmark(model: Path, impl: str, repeats: int, warmup: int) -> dict[str, Any]:
    """p50/p95 milliseconds of the demo and the pipeline on a 13-word and a 500-word text."""
    import torch

    contenders = load_contenders(model, impl)
    report: dict[str, Any] = {
        "model": str(model),
        "impl": impl,
        "torch_threads": torch.get_num_threads(),
        "repeats": repeats,
        "texts": {},
    }
    for name, text in {"sentence": SENTENCE, "500 words": long_text()}.items():
        times = compare(contenders, text, repeats, warmup)
        row: dict[str, Any] = {"words": len(text.split())}
        for contender, values in times.items():
            row[contender] = {"p50_ms": percentile(values, 50), "p95_ms": percentile(values, 95)}
        row["ratio_p50"] = row["demo"]["p50_ms"] / row["pipeline"]["p50_ms"]
        row["ratio_p95"] = row["demo"]["p95_ms"] / row["pipeline"]["p95_ms"]
        report["texts"][name] = row
    return report


def format_report(report: dict[str, Any]) -> str:
    """The report as a table; a ratio below 1 means the demo is faster than the pipeline."""
    lines = [
        f"model {report['model']} · torch threads {report['torch_threads']} · "
        f"{report['repeats']} rounds",
        f"{'text':<10} {'words':>5}  {'demo p50/p95 ms':>16}  {'pipeline p50/p95 ms':>20}  "
        f"{'ratio p50':>9}",
    ]
    for name, row in report["texts"].items():
        demo, pipe = row["demo"], row["pipeline"]
        lines.append(
            f"{name:<10} {row['words']:>5}  {demo['p50_ms']:>7.1f} / {demo['p95_ms']:>6.1f}  "
            f"{pipe['p50_ms']:>11.1f} / {pipe['p95_ms']:>6.1f}  {row['ratio_p50']:>9.2f}"
        )
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    """The command line of ``python -m solutions.tools.benchmark_demo``."""
    parse = CommandParser(
        prog="python -m solutions.tools.benchmark_demo",
        description="Latency of the demo's prediction against the transformers pipeline.",
    )
    parse.add_argument("--model", type=Path, default=Path("runs/sample/model"))
    parse.add_argument("--repeats", type=int_range(2), default=50, help="timed rounds per text")
    parse.add_argument("--warmup", type=int_range(0), default=5, help="untimed rounds first")
    add_threads_flag(parse)
    parse.add_argument("--json", type=Path, help="also write the report as JSON here")
    add_impl_flag(parse)
    return parse


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, benchmark, print the table; return the exit status."""
    return run_command(_benchmark, parser().parse_args(argv), "benchmarking")


def _benchmark(args: argparse.Namespace) -> int:
    use_threads(args.threads)
    quiet_libraries()
    report = benchmark(args.model, args.impl, args.repeats, args.warmup)
    print(format_report(report))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
