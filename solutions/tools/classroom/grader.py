"""Grade submissions on the instructor's side: the verdict is made where no student code runs.

For each submission a trusted pytest process (``runner``) runs the course's tests in the
grader's private copy of the edition (hidden tests included). It never imports a student's
file: each step's functions run in a fresh sandbox (``sandbox``: bubblewrap or Docker) that
sees only the edition without hidden tests, the one step file and the test's own files, and
answers with plain data (``tests/harness/codec.py``). The score of a step is computed here
from the test ids this process collected itself before any student code ran: a test that
failed, was skipped or never reported counts as failed. Nothing is shared between
submissions: each gets its own scratch folder and sandboxes, removed afterwards, also when
the grader is interrupted. The static scan (``flags``) only advises the instructor, unless
``zero_flagged`` asks for flagged steps to score 0.

>>> points_for(passed=30, total=40, points=25.0, partial_credit=True)
18.75
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import tomllib

from solutions.tools.classroom.edition import export_edition
from solutions.tools.classroom.flags import flags_in_source
from solutions.tools.classroom.runner import Run, course_pytest, run_tests, stop_all
from solutions.tools.classroom.sandbox import Engine, Limits, StepFiles, write_spec
from solutions.tools.classroom.sources import Submission
from solutions.tools.implementation import STEP_MODULES

STEPS = (1, 2, 3, 4)
DEFAULT_CONFIG = Path(__file__).with_name("grading.toml")
_LIMIT_KEYS = {
    "step_seconds": "seconds",
    "test_seconds": "test_seconds",
    "import_seconds": "import_seconds",
    "memory_mb": "memory_mb",
    "disk_mb": "disk_mb",
    "file_mb": "file_mb",
    "processes": "processes",
}


@dataclass
class Config:
    """Points per step and the limits of a grading run (see ``grading.toml``)."""

    points: dict[int, float] = field(default_factory=lambda: dict.fromkeys(STEPS, 25.0))
    partial_credit: bool = True
    zero_flagged: bool = False
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
    for key, value in data.get("grading", {}).items():
        if key in ("partial_credit", "zero_flagged") and isinstance(value, bool):
            setattr(config, key, value)
        elif key in _LIMIT_KEYS and type(value) in (int, float) and value > 0:
            name = _LIMIT_KEYS[key]
            kind = type(getattr(config.limits, name))
            if kind is int and value != int(value):
                raise ValueError(f"{path}: [grading] {key} = {value!r}: use a whole number")
            setattr(config.limits, name, kind(value))
        else:
            raise ValueError(f"{path}: [grading] {key} = {value!r} is not a known setting")
    return config


def points_for(passed: int, total: int, points: float, partial_credit: bool) -> float:
    """A step's points: a share of ``points`` (or all or nothing without partial credit)."""
    if total <= 0:
        return 0.0
    share = passed / total if partial_credit else float(passed == total)
    return round(points * share, 2)


def expected_tests(course: Path) -> dict[int, list[str]]:
    """Every step's test ids, collected in the trusted copy before any student code runs."""
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


@dataclass(frozen=True)
class Course:
    """The grader's two copies of the edition: ``trusted`` (with the hidden tests; the test
    processes run here) and ``edition`` (without them; what the sandboxes see)."""

    trusted: Path
    edition: Path
    expected: dict[int, list[str]]


def prepare_course(template: Path, workdir: Path, hidden: Path | None) -> Course:
    """Export the edition twice into ``workdir`` and collect the tests to expect."""
    extra = sorted(Path(hidden).glob("test_step*.py")) if hidden else []
    if hidden and not extra:
        raise ValueError(f"{hidden} holds no test_step*.py file")
    trusted, edition = workdir / "trusted", workdir / "edition"
    export_edition(template, trusted, extra_tests=extra, force=True)
    export_edition(template, edition, force=True)
    return Course(trusted, edition, expected_tests(trusted))


def grade_submission(
    course: Course, submission: Submission, steps: list[int], engine: Engine, config: Config,
    scratch: Path,
) -> dict[int, StepGrade]:  # fmt: skip
    """Run ``steps`` of one submission, each in a fresh sandbox, and score them."""
    launches, flags = {}, {}
    (scratch / "steps").mkdir(parents=True)
    for step in steps:
        source = submission.files.get(step)
        if source is None:
            flags[step] = [submission.problems.get(step, "no file")]
            continue
        flags[step] = [f"advice: {flag}" for flag in flags_in_source(source)]
        module = STEP_MODULES[step - 1]
        step_file = scratch / "steps" / f"{module}.py"
        step_file.write_text(source, encoding="utf-8")
        files = StepFiles(course.edition, course.trusted, step, module, step_file, scratch)
        launches[step] = engine.launch(files, config.limits)
    run = Run()
    if launches:
        spec = scratch / "sandbox.json"
        write_spec(spec, launches, config.limits)
        # A backstop only: each step's calls stop at limits.seconds on their own.
        seconds = (config.limits.seconds + config.limits.import_seconds) * len(launches) + 60
        run = run_tests(
            course.trusted, spec, scratch, sorted(launches), seconds, config.limits.test_seconds
        )
    return {step: _score(step, course.expected[step], run, flags[step], config) for step in steps}


def _score(step: int, expected: list[str], run: Run, flags: list[str], config: Config) -> StepGrade:
    tests = {test: run.outcomes.get(test, "not run") for test in expected}
    passed = sum(1 for outcome in tests.values() if outcome == "passed")
    flags = flags + _run_flags(expected, run, config.limits)
    points = points_for(passed, len(expected), config.points[step], config.partial_credit)
    if config.zero_flagged and any(flag.startswith("advice: ") for flag in flags):
        points = 0.0
    return StepGrade(step, passed, len(expected), points, flags, tests)


def _run_flags(expected: list[str], run: Run, limits: Limits) -> list[str]:
    """What the instructor should know: time-outs, a step file that did not import."""
    reasons = [run.reasons[test] for test in expected if test in run.reasons]
    flags = []
    time_outs = sum(1 for reason in reasons if "took longer than" in reason)
    crashes = sum(1 for reason in reasons if "ended the step's process" in reason)
    skipped = sum(1 for reason in reasons if "was not called" in reason)
    later = f"; {skipped} later test(s) were not run" if skipped else ""
    if time_outs:
        flags.append(f"{time_outs} call(s) ran past the {limits.test_seconds:g} s limit{later}")
    elif crashes:
        flags.append(f"{crashes} call(s) ended the step's process{later}")
    imports = sorted({r.split("cannot import ", 1)[1] for r in reasons if "cannot import " in r})
    flags += [f"the step file did not import: {reason}" for reason in imports[:1]]
    if run.timed_out and any(test not in run.outcomes for test in expected):
        flags.append(f"the tests ran past the {limits.seconds:g} s backstop; unrun tests failed")
    return flags


@contextmanager
def grading_folder() -> Iterator[Path]:
    """A private folder for one grading run, removed at the end even when the grader is
    interrupted (Ctrl-C or SIGTERM): running test processes and their sandboxes end first."""
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _exit_on_signal)
    folder = Path(tempfile.mkdtemp(prefix="ner-grading-"))
    try:
        yield folder
    finally:
        stop_all()
        shutil.rmtree(folder, ignore_errors=True)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def grade_all(
    template: Path,
    submissions: Iterable[Submission],
    config: Config,
    engine: Engine,
    hidden: Path | None = None,
    jobs: int = 1,
    steps: Iterable[int] = STEPS,
    progress: Callable[[str], None] = lambda line: None,
) -> list[Grade]:
    """Grade every submission's ``steps``, ``jobs`` submissions at a time."""
    submissions, steps = list(submissions), sorted(steps)
    with grading_folder() as workdir:
        course = prepare_course(template, workdir, hidden)

        def work(numbered: tuple[int, Submission]) -> dict[int, StepGrade]:
            index, submission = numbered
            scratch = workdir / f"submission-{index}"
            try:
                grades = grade_submission(course, submission, steps, engine, config, scratch)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
                engine.clean_up()
            shown = ", ".join(f"step {s} {g.passed}/{g.total}" for s, g in grades.items())
            progress(f"{submission.student}: {shown}")
            return grades

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            try:
                results = list(pool.map(work, enumerate(submissions)))
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                stop_all()
                raise
            finally:
                engine.clean_up(final=True)
    return [
        Grade(submission.student, submission.source, submission.commit, grades)
        for submission, grades in zip(submissions, results, strict=True)
    ]


def gradebook_csv(grades: list[Grade], config: Config, sandbox: str) -> str:
    """The gradebook: one row per student, per-step passed/total and points, flags, and the
    sandbox the steps ran in."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    steps = sorted({step for grade in grades for step in grade.steps})
    header = ["student", "source", "commit"]
    for step in steps:
        header += [f"step{step}_passed", f"step{step}_total", f"step{step}_points"]
    writer.writerow([*header, "points", "max_points", "flags", "sandbox"])
    maximum = sum(config.points[step] for step in steps)
    for grade in grades:
        row = [grade.student, grade.source, grade.commit]
        for step in steps:
            result = grade.steps[step]
            row += [result.passed, result.total, f"{result.points:g}"]
        flags = "; ".join(grade.flags)
        writer.writerow([*row, f"{grade.points:g}", f"{maximum:g}", flags, sandbox])
    return buffer.getvalue()


def gradebook_json(grades: list[Grade], config: Config, sandbox: str) -> dict:
    """The gradebook as data: every student's steps, points and flags."""
    steps = sorted({step for grade in grades for step in grade.steps})
    return {
        "sandbox": sandbox,
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


def gradebook_markdown(grades: list[Grade], config: Config, sandbox: str) -> str:
    """A Markdown summary: the table of scores, then every flag to look at (names and flags
    escaped, so a file name or a line of code cannot add Markdown of its own)."""
    steps = sorted({step for grade in grades for step in grade.steps})
    maximum = sum(config.points[step] for step in steps)
    lines = [
        "| Student | " + " | ".join(f"Step {s}" for s in steps) + " | Points | Flags |",
        "| --- | " + " | ".join("---" for _ in steps) + " | --- | --- |",
    ]
    for grade in grades:
        cells = [f"{grade.steps[s].passed}/{grade.steps[s].total}" for s in steps]
        flagged = "⚠️ " + str(len(grade.flags)) if grade.flags else ""
        student = markdown_text(grade.student)
        lines.append(
            f"| {student} | {' | '.join(cells)} | {grade.points:g}/{maximum:g} | {flagged} |"
        )
    lines += ["", f"Sandbox: {markdown_text(sandbox)}"]
    notes = [
        f"- **{markdown_text(g.student)}** {markdown_text(flag)}"
        for g in grades
        for flag in g.flags
    ]
    if notes:
        zero = (
            "flagged steps score 0" if config.zero_flagged else "advice: the steps keep their score"
        )
        lines += ["", f"Flags ({zero}):", *notes]
    return "\n".join(lines) + "\n"


def markdown_text(text: str) -> str:
    r"""``text`` shown literally in Markdown: one line, every markup character escaped.

    >>> print(markdown_text("a`b|c <img> [x](y)"))
    a\`b\|c \<img\> \[x\](y)
    """
    one_line = " ".join(str(text).split())
    return re.sub(r"([\\`*_\[\]<>|~])", r"\\\1", one_line)
