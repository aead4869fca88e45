"""How fast the sandboxed grader is: ``python -m solutions.tools.benchmark_grading``.

Grades copies of the reference (all four steps) twice in one run: one submission alone, then
``--class-size`` submissions with ``--jobs`` at a time, in the sandbox ``--sandbox`` chooses,
and reports the wall-clock times (the course's preparation, two exports and one collection,
is timed apart). Goals on a 2-core machine: one submission within 10 s, 20 submissions with
``--jobs 2`` within 120 s. Not a test: timings depend on the machine and its load.

    python -m solutions.tools.benchmark_grading --class-size 20 --jobs 2 --json runs/grading.json
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from solutions.tools.classroom import grader
from solutions.tools.classroom.sandbox import ENGINES, choose
from solutions.tools.classroom.sources import Submission
from solutions.tools.cli import CommandParser, int_range, run_command
from solutions.tools.implementation import STEP_MODULES, has_reference

ROOT = Path(__file__).resolve().parents[2]
ONE_GOAL_SECONDS = 10.0
CLASS_GOAL_SECONDS = 120.0


def parser() -> argparse.ArgumentParser:
    parse = CommandParser(
        prog="python -m solutions.tools.benchmark_grading",
        description="Time the sandboxed grader on copies of the reference.",
    )
    parse.add_argument("--class-size", type=int_range(1, 500), default=20)
    parse.add_argument("--jobs", type=int_range(1, 64), default=2)
    parse.add_argument("--sandbox", choices=ENGINES, default="auto")
    parse.add_argument("--json", type=Path, help="also write the figures as JSON")
    return parse


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return run_command(_benchmark, args, "benchmark_grading")


def _benchmark(args: argparse.Namespace) -> int:
    if not has_reference():
        raise ValueError("the benchmark grades the reference, which this edition does not have")
    engine = choose(args.sandbox)
    files = {
        step: (ROOT / "solutions" / f"{module}.py").read_text(encoding="utf-8")
        for step, module in enumerate(STEP_MODULES, start=1)
    }
    config = grader.Config()

    def grade(count: int, jobs: int) -> tuple[float, float, list[float]]:
        submissions = [Submission(f"s{i}", "reference", "", files, {}) for i in range(count)]
        started = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="ner-benchmark-") as folder:
            prepared = time.perf_counter()
            course = grader.prepare_course(ROOT, Path(folder), None)
            preparation = time.perf_counter() - prepared
            grades, per_submission = [], []

            def one(submission: Submission) -> dict:
                begun = time.perf_counter()
                scratch = Path(folder) / f"scratch-{submission.student}"
                result = grader.grade_submission(
                    course, submission, [1, 2, 3, 4], engine, config, scratch
                )
                engine.clean_up()
                per_submission.append(time.perf_counter() - begun)
                return result

            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=jobs) as pool:
                grades = list(pool.map(one, submissions))
        total = time.perf_counter() - started
        full = all(g.passed == g.total for result in grades for g in result.values())
        if not full:
            raise RuntimeError("the reference did not pass every test: the figures would lie")
        return preparation, total - preparation, per_submission

    preparation, one_seconds, _ = grade(1, 1)
    _, class_seconds, each = grade(args.class_size, args.jobs)
    figures = {
        "sandbox": engine.describe(),
        "preparation_seconds": round(preparation, 1),
        "one_submission_seconds": round(one_seconds, 1),
        "class_size": args.class_size,
        "jobs": args.jobs,
        "class_seconds": round(class_seconds, 1),
        "median_submission_seconds": round(sorted(each)[len(each) // 2], 1),
        "goals": {"one_submission_seconds": ONE_GOAL_SECONDS, "class_seconds": CLASS_GOAL_SECONDS},
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
