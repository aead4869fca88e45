"""Grade submissions on the instructor's side, out of the students' reach.

For each submission only the four ``exercises/*.py`` step files are copied into a fresh
grading copy of the course (the student edition of the template, plus the hidden tests), and
each step runs in its own limited process (``runner``). The score of a step is computed here
from the test ids the grader collected itself, before any student code ran: a test that was
skipped, missing or never reported counts as failed. A step whose process ran out of time or
ended before pytest finished scores 0, and so does a step whose file is flagged (``flags``)
unless ``keep_flagged``.

>>> points_for(passed=30, total=40, points=25.0, partial_credit=True)
18.75
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import tomllib

from solutions.tools.classroom.edition import export_edition
from solutions.tools.classroom.flags import flags_in_source
from solutions.tools.classroom.runner import Limits, StepRun, course_pytest, run_step
from solutions.tools.classroom.sources import Submission
from solutions.tools.implementation import STEP_MODULES

STEPS = (1, 2, 3, 4)
DEFAULT_CONFIG = Path(__file__).with_name("grading.toml")


@dataclass
class Config:
    """Points per step and the limits of a grading run (see ``grading.toml``)."""

    points: dict[int, float] = field(default_factory=lambda: dict.fromkeys(STEPS, 25.0))
    partial_credit: bool = True
    keep_flagged: bool = False
    limits: Limits = field(default_factory=Limits)


@dataclass
class StepGrade:
    """One step of one submission."""

    step: int
    passed: int
    total: int
    points: float
    flags: list[str] = field(default_factory=list)
    tests: dict[str, str] = field(default_factory=dict, repr=False)  # test id -> outcome


@dataclass
class Grade:
    """One submission's grade."""

    student: str
    source: str
    commit: str
    steps: dict[int, StepGrade]

    @property
    def points(self) -> float:
        return round(sum(step.points for step in self.steps.values()), 2)

    @property
    def flags(self) -> list[str]:
        return [f"step {s.step}: {flag}" for s in self.steps.values() for flag in s.flags]


def read_config(path: Path | None) -> Config:
    """A ``Config`` from a TOML file (``[points]`` and ``[grading]`` tables); ``ValueError``
    names a bad key or value."""
    path = path or DEFAULT_CONFIG
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ValueError(f"{path}: {error}") from None
    config = Config()
    for key, value in data.get("points", {}).items():
        match = re.fullmatch(r"step([1-4])", key)
        if not match or not isinstance(value, (int, float)) or value < 0:
            raise ValueError(f"{path}: [points] {key} = {value!r}: use step1..step4 = a number")
        config.points[int(match[1])] = float(value)
    grading = data.get("grading", {})
    numbers = {"step_seconds": "seconds", "memory_mb": "memory_mb", "test_seconds": "test_seconds"}
    for key, value in grading.items():
        if key in ("partial_credit", "keep_flagged") and isinstance(value, bool):
            setattr(config, key, value)
        elif key in numbers and isinstance(value, (int, float)) and value > 0:
            setattr(config.limits, numbers[key], value)
        else:
            raise ValueError(f"{path}: [grading] {key} = {value!r} is not a known setting")
    return config


def points_for(passed: int, total: int, points: float, partial_credit: bool) -> float:
    """A step's points: a share of ``points`` (or all or nothing without partial credit)."""
    if total <= 0:
        return 0.0
    share = passed / total if partial_credit else float(passed == total)
    return round(points * share, 2)


def prepare_grading_copy(template: Path, workdir: Path, hidden: Path | None) -> Path:
    """The student edition of ``template`` with the hidden tests, in ``workdir/course``."""
    extra = sorted(Path(hidden).glob("test_step*.py")) if hidden else []
    if hidden and not extra:
        raise ValueError(f"{hidden} holds no test_step*.py file")
    course = workdir / "course"
    export_edition(template, course, extra_tests=extra, force=True)
    return course


def expected_tests(course: Path) -> dict[int, list[str]]:
    """Every step's test ids, collected in the grading copy before any student code runs."""
    done = subprocess.run(
        course_pytest(course, "--collect-only", "-q"),
        cwd=course,
        capture_output=True,
        text=True,
        check=False,
    )
    found: dict[int, list[str]] = {step: [] for step in STEPS}
    for line in done.stdout.splitlines():
        match = re.match(r"^(\S*test_step([1-4])_\S*\.py::\S.*)$", line.strip())
        if match:
            found[int(match[2])].append(match[1])
    if not any(found.values()):
        raise RuntimeError(f"no step test was collected in {course}:\n{done.stdout[-2000:]}")
    return found


def grade_step(
    course: Path, submission: Submission, step: int, expected: list[str], config: Config
) -> StepGrade:
    """Copy the submission's step file into a private copy of ``course`` and run the step."""
    source = submission.files.get(step)
    if source is None:
        problem = submission.problems.get(step, "no file")
        return StepGrade(step, 0, len(expected), 0.0, [problem])
    flags = flags_in_source(source)
    with tempfile.TemporaryDirectory(prefix=f"grade-step{step}-") as scratch:
        tree = Path(scratch) / "course"
        shutil.copytree(course, tree)
        (tree / "exercises" / f"{STEP_MODULES[step - 1]}.py").write_text(source, encoding="utf-8")
        run = run_step(tree, step, config.limits)
    passed = sum(1 for test in expected if run.outcomes.get(test) == "passed")
    flags += _run_flags(run, config.limits)
    counted = config.keep_flagged or not flags
    if not run.finished or run.timed_out:
        counted = False
    points = points_for(passed, len(expected), config.points[step], config.partial_credit)
    tests = {test: run.outcomes.get(test, "not run") for test in expected}
    return StepGrade(step, passed, len(expected), points if counted else 0.0, flags, tests)


def _run_flags(run: StepRun, limits: Limits) -> list[str]:
    flags = []
    if run.timed_out:
        flags.append(f"timed out after {limits.seconds:g} s (step scored 0)")
    elif not run.finished:
        flags.append(f"the test process ended early, exit code {run.exit_code} (step scored 0)")
    if run.forged:
        flags.append(f"{run.forged} forged result record(s) ignored")
    return flags


def grade_all(
    template: Path,
    submissions: Iterable[Submission],
    config: Config,
    hidden: Path | None = None,
    jobs: int = 1,
    steps: Iterable[int] = STEPS,
    progress: Callable[[str], None] = lambda line: None,
) -> list[Grade]:
    """Grade every submission's ``steps`` with ``jobs`` step processes at a time."""
    submissions, steps = list(submissions), list(steps)
    with tempfile.TemporaryDirectory(prefix="ner-grading-") as workdir:
        course = prepare_grading_copy(template, Path(workdir), hidden)
        expected = expected_tests(course)
        tasks = [(submission, step) for submission in submissions for step in steps]

        def work(task: tuple[Submission, int]) -> StepGrade:
            submission, step = task
            grade = grade_step(course, submission, step, expected[step], config)
            progress(f"{submission.student}: step {step} {grade.passed}/{grade.total}")
            return grade

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            results = list(pool.map(work, tasks))
    grades = {s.student: Grade(s.student, s.source, s.commit, {}) for s in submissions}
    for (submission, step), result in zip(tasks, results, strict=True):
        grades[submission.student].steps[step] = result
    return list(grades.values())


def gradebook_csv(grades: list[Grade], config: Config) -> str:
    """The gradebook: one row per student, per-step passed/total and points, flags."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    steps = sorted({step for grade in grades for step in grade.steps})
    header = ["student", "source", "commit"]
    for step in steps:
        header += [f"step{step}_passed", f"step{step}_total", f"step{step}_points"]
    writer.writerow([*header, "points", "max_points", "flags"])
    maximum = sum(config.points[step] for step in steps)
    for grade in grades:
        row = [grade.student, grade.source, grade.commit]
        for step in steps:
            result = grade.steps[step]
            row += [result.passed, result.total, f"{result.points:g}"]
        writer.writerow([*row, f"{grade.points:g}", f"{maximum:g}", "; ".join(grade.flags)])
    return buffer.getvalue()


def gradebook_json(grades: list[Grade], config: Config) -> dict:
    """The gradebook as data: every student's steps, points and flags."""
    steps = sorted({step for grade in grades for step in grade.steps})
    return {
        "max_points": sum(config.points[step] for step in steps),
        "students": [
            {
                "student": grade.student,
                "source": grade.source,
                "commit": grade.commit,
                "points": grade.points,
                "flags": grade.flags,
                "steps": {
                    str(step): {
                        "passed": grade.steps[step].passed,
                        "total": grade.steps[step].total,
                        "points": grade.steps[step].points,
                        "flags": grade.steps[step].flags,
                        "tests": grade.steps[step].tests,
                    }
                    for step in steps
                },
            }
            for grade in grades
        ],
    }


def merge_gradebooks(texts: list[str]) -> str:
    """One gradebook CSV from several with the same columns (e.g. one per shard)."""
    header, rows = None, []
    for text in texts:
        lines = text.splitlines()
        if not lines:
            continue
        if header is not None and lines[0] != header:
            raise ValueError(f"gradebooks differ in their columns: {lines[0]!r} vs {header!r}")
        header = lines[0]
        rows += lines[1:]
    if header is None:
        raise ValueError("the gradebooks are empty")
    return "\n".join([header, *sorted(rows)]) + "\n"


def gradebook_markdown(grades: list[Grade], config: Config) -> str:
    """A Markdown summary: the table of scores, then every flag to look at."""
    steps = sorted({step for grade in grades for step in grade.steps})
    maximum = sum(config.points[step] for step in steps)
    lines = [
        "| Student | " + " | ".join(f"Step {s}" for s in steps) + " | Points | Flags |",
        "| --- | " + " | ".join("---" for _ in steps) + " | --- | --- |",
    ]
    for grade in grades:
        cells = [f"{grade.steps[s].passed}/{grade.steps[s].total}" for s in steps]
        flagged = "⚠️ " + str(len(grade.flags)) if grade.flags else ""
        lines.append(
            f"| {grade.student} | {' | '.join(cells)} | {grade.points:g}/{maximum:g} | {flagged} |"
        )
    notes = [f"- **{g.student}** {flag}" for g in grades for flag in g.flags]
    if notes:
        lines += ["", "Flags (a flagged step scores 0 unless graded with --keep-flagged):", *notes]
    return "\n".join(lines) + "\n"
