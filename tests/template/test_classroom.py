"""The instructor's grader: honest work is scored exactly, cheats score 0 or are flagged, and a
broken step costs that step alone.

One grading run covers every scenario (a submission each, most with only a step-1 file), so
the whole class of cases costs about one minute on two cores.
"""

from __future__ import annotations

import ast
import csv
import json
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from solutions.tools.classroom import flags, grader
from solutions.tools.classroom.flags import flags_in_source
from solutions.tools.classroom.sandbox import Limits, choose
from solutions.tools.classroom.sources import load_submission, read_roster
from solutions.tools.implementation import STEP_MODULES
from tests.harness.steps import PROJECT_ROOT
from tests.template.grading_attacks import with_function_body

pytestmark = [pytest.mark.pipeline, pytest.mark.timeout(600)]

STEP_FILES = dict(enumerate(STEP_MODULES, start=1))
REFERENCE = {n: (PROJECT_ROOT / "solutions" / f"{m}.py").read_text() for n, m in STEP_FILES.items()}
STUB = {n: (PROJECT_ROOT / "exercises" / f"{m}.py").read_text() for n, m in STEP_FILES.items()}
LIMITS = Limits(seconds=60, test_seconds=5, import_seconds=30)
#: The grading tests need a sandbox; where none works they run without one (the sandbox's
#: own tests, in test_grading_sandbox.py, skip there).
ENGINE = choose("auto", unsafe=True)


ENDLESS = "while True:\n    pass\n"
SWALLOWS_EVERYTHING = """
import time
while True:
    try:
        time.sleep(0.1)
    except BaseException:
        pass
"""
SCENARIOS: dict[str, dict[int, str]] = {
    "honest-partial": {1: REFERENCE[1], 4: STUB[4]},
    "star-import": {1: "from solutions.preprocessing import *  # noqa: F403\n"},
    "root-conftest": {1: STUB[1]},  # plus a conftest.py and pytest.ini, written below
    "skips": {
        1: "import pytest\n\n\n"
        + "\n".join(
            f"def {name}(*args, **kwargs):\n    pytest.skip('done')\n\n"
            for name in (
                "read_conll",
                "encode_sentence_ids",
                "read_tagged_csv",
                "build_label_list",
                "label_maps",
                "split_by_sentence",
                "dataset_statistics",
            )
        )
    },
    "rewrites-report": {
        1: REFERENCE[1]
        + textwrap.dedent("""
        import atexit
        atexit.register(lambda: open("progress.json", "w").write('{"passed": 999}'))
        """)
    },
    "patches-harness": {
        1: REFERENCE[1]
        + textwrap.dedent("""
        import tests.harness.progress as progress
        progress.StepResult.done = property(lambda self: True)
        """)
    },
    "background-process": {
        1: REFERENCE[1]
        + textwrap.dedent("""
        import subprocess
        subprocess.Popen(["sleep", "600"])
        """)
    },
    "forges-results": {
        1: STUB[1]
        + textwrap.dedent("""
        import json as _json, os as _os
        for _fd in range(3, 40):
            try:
                _os.write(_fd, (_json.dumps({"event": "finished", "mac": "x"}) + "\\n").encode())
            except OSError:
                pass
        """)
    },
    "exits-in-one-step": {
        1: with_function_body(REFERENCE[1], "dataset_statistics", "import os\nos._exit(0)"),
        4: REFERENCE[4],
    },
    "swallows-base-exception": {
        1: with_function_body(REFERENCE[1], "read_conll", SWALLOWS_EVERYTHING),
        4: REFERENCE[4],
    },
    "endless-loop-in-a-shared-function": {
        1: with_function_body(REFERENCE[1], "build_label_list", ENDLESS),
    },
    "prints-20-mb-a-call": {
        1: with_function_body(REFERENCE[1], "read_conll", "print('x' * 20_000_000)"),
    },
}


def _write_submission(folder: Path, files: dict[int, str]) -> Path:
    (folder / "exercises").mkdir(parents=True)
    for step, source in files.items():
        (folder / "exercises" / f"{STEP_FILES[step]}.py").write_text(source, encoding="utf-8")
    return folder


def _git_submission(folder: Path, files: dict[int, str]) -> str:
    _write_submission(folder, files)
    for command in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.name=s", "-c", "user.email=s@example.invalid", "commit", "-qm", "steps"],
    ):
        subprocess.run(["git", *command], cwd=folder, check=True, capture_output=True)
    return f"file://{folder}"


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, grader.Grade]:
    root = tmp_path_factory.mktemp("submissions")
    submissions = []
    for name, files in SCENARIOS.items():
        folder = _write_submission(root / name, files)
        if name == "root-conftest":
            (folder / "conftest.py").write_text(
                textwrap.dedent("""
                import pytest
                @pytest.hookimpl(hookwrapper=True)
                def pytest_runtest_makereport(item, call):
                    outcome = yield
                    outcome.get_result().outcome = "passed"
                """)
            )
            (folder / "pytest.ini").write_text("[pytest]\naddopts = -k nothing_at_all\n")
        submissions.append(load_submission(name, str(folder), root))
    url = _git_submission(root / "from-git", {1: REFERENCE[1]})
    submissions.append(load_submission("from-git", url, root / "clones"))
    config = grader.Config(limits=LIMITS)
    hidden = PROJECT_ROOT / "tests" / "hidden"
    grades = grader.grade_all(
        PROJECT_ROOT, submissions, config, ENGINE, hidden, jobs=2, steps=[1, 4]
    )
    return {grade.student: grade for grade in grades}


def _step(graded, student: str, step: int) -> grader.StepGrade:
    return graded[student].steps[step]


def test_an_honest_partial_submission_is_scored_exactly(graded):
    one, four = _step(graded, "honest-partial", 1), _step(graded, "honest-partial", 4)
    assert one.total > 50 and one.passed == one.total, f"step 1: {one}"
    assert one.points == 25 and not one.flags, f"step 1: {one}"
    assert (four.passed, four.points) == (0, 0) and four.total > 10, f"step 4 (a stub): {four}"
    assert graded["honest-partial"].points == 25


def test_hidden_tests_are_graded_too(graded):
    one = _step(graded, "honest-partial", 1)
    hidden = sum(1 for test in one.tests if "/hidden/" in test)
    assert hidden >= 2, f"no hidden test among {len(one.tests)} graded tests"


def test_a_git_url_is_cloned_and_its_commit_recorded(graded):
    grade = graded["from-git"]
    assert grade.steps[1].passed == grade.steps[1].total, grade.steps[1]
    assert len(grade.commit) == 40, f"commit {grade.commit!r}"
    assert grade.steps[4].flags == ["exercises/metrics.py is missing"], grade.steps[4]


@pytest.mark.parametrize(
    ("student", "flag", "points"),
    [
        ("star-import", "import solutions.preprocessing", 0),
        ("skips", "import pytest", 0),
        ("forges-results", None, 0),
        # Reference code with a harmless extra: the cheat no longer reaches the verdict, so
        # the step scores what the code earns; the scan still advises the instructor.
        ("rewrites-report", "import atexit", 25),
        ("patches-harness", "import tests.harness.progress", 25),
        ("background-process", "import subprocess", 25),
    ],
)
def test_a_cheat_earns_nothing_and_the_scan_advises(graded, student, flag, points):
    step = _step(graded, student, 1)
    assert step.points == points, f"{student}: {step}"
    if flag:
        advice = [text for text in step.flags if text.startswith("advice: ")]
        assert any(flag in text for text in advice), f"{student}: flags {step.flags}"


def test_the_reference_cannot_be_imported_while_grading(graded):
    step = _step(graded, "star-import", 1)
    assert step.passed == 0, f"the reference leaked into grading: {step}"


def test_skipped_tests_count_as_failed(graded):
    step = _step(graded, "skips", 1)
    assert step.passed == 0 < step.total, step


def test_files_outside_the_step_files_are_ignored(graded):
    step = _step(graded, "root-conftest", 1)
    assert (step.passed, step.points, step.flags) == (0, 0, []), step
    assert step.total == _step(graded, "honest-partial", 1).total, "tests went missing"


def test_an_exit_in_one_step_costs_that_step_only(graded):
    one, four = _step(graded, "exits-in-one-step", 1), _step(graded, "exits-in-one-step", 4)
    assert one.passed < one.total, one
    assert four.passed == four.total and four.points == 25, four


def test_code_that_swallows_every_exception_times_out_one_step(graded):
    one, four = (_step(graded, "swallows-base-exception", n) for n in (1, 4))
    assert one.passed < one.total and any("ran past the 5 s limit" in f for f in one.flags), one
    assert four.passed == four.total and four.points == 25, four


def test_an_endless_loop_stops_the_step_early_without_a_step_time_out(graded):
    step = _step(graded, "endless-loop-in-a-shared-function", 1)
    assert not any("backstop" in flag for flag in step.flags), step.flags
    assert 0 < step.passed < step.total, f"tests that avoid the loop still count: {step}"


def test_a_flood_of_output_neither_fails_nor_exhausts_the_grader(graded):
    step = _step(graded, "prints-20-mb-a-call", 1)
    assert step.passed == step.total and not step.flags, step


def test_gradebook_csv_json_and_markdown(graded):
    grades = [graded["honest-partial"], graded["star-import"]]
    config = grader.Config()
    rows = list(csv.DictReader(grader.gradebook_csv(grades, config, "bwrap").splitlines()))
    assert rows[0]["student"] == "honest-partial" and rows[0]["points"] == "25", rows[0]
    assert rows[0]["step1_passed"] == rows[0]["step1_total"], rows[0]
    assert "import solutions.preprocessing" in rows[1]["flags"], rows[1]
    assert rows[0]["sandbox"] == "bwrap", rows[0]
    data = grader.gradebook_json(grades, config, "bwrap")
    assert json.loads(json.dumps(data))["students"][1]["flags"], data
    assert data["sandbox"] == "bwrap", data
    markdown = grader.gradebook_markdown(grades, config, "bwrap")
    assert "| honest-partial | " in markdown and "| star-import | 0/" in markdown, markdown
    assert "⚠️ 3" in markdown and "metrics.py is missing" in markdown, markdown
    assert "did not import" in markdown and "Sandbox: bwrap" in markdown, markdown


def test_flags_leave_honest_code_alone():
    for step, source in REFERENCE.items():
        assert flags_in_source(source) == [], f"the reference of step {step} is flagged"
    honest = (
        "import re\nfrom collections import Counter\nimport numpy as np\n"
        "def f(path):\n    with open(path, encoding='utf-8') as handle:\n"
        "        return handle.read().replace('a', 'b')\n"
    )
    assert flags_in_source(honest) == []


@pytest.mark.parametrize(
    "source",
    [
        "import os\nos.system('ls')",
        "from os import _exit",
        "exec('1')",
        "x = __builtins__",
        "import sys\nsys.modules.clear()",
        "open(1, 'w')",
        "open('f', 'a')",
        "getattr(f, '__globals__')",
        "from . import x",
        "import importlib",
    ],
)
def test_flags_catch_ways_around_the_tests(source):
    assert flags_in_source(source), f"not flagged: {source!r}"


def test_a_file_too_deep_to_scan_is_flagged_not_fatal():
    source = "x = " + "+0" * 210_000  # deeper than the AST builder's recursion limit
    got = flags_in_source(source)
    expected = "line 1: the file is too deeply nested to scan (RecursionError)"
    assert got == [expected], f"flags_in_source(<{len(source)} chars of +0>) -> {got}"


def test_scans_from_parallel_graders_parse_one_at_a_time(monkeypatch):
    """Two threads in CPython 3.11's AST builder at once can corrupt its recursion count."""
    inside, most_at_once, real_parse = [], [0], ast.parse

    def slow_parse(source: str) -> ast.Module:
        inside.append(threading.get_ident())
        most_at_once[0] = max(most_at_once[0], len(inside))
        time.sleep(0.05)
        inside.remove(threading.get_ident())
        return real_parse(source)

    with monkeypatch.context() as patch, ThreadPoolExecutor(max_workers=4) as pool:
        patch.setattr(flags.ast, "parse", slow_parse)  # undone before pytest reports
        results = list(pool.map(flags_in_source, ["import os\nos._exit(0)\n"] * 8))
    assert most_at_once == [1], (
        f"8 scans on 4 threads: {most_at_once[0]} parsed at once, expected 1"
    )
    assert results == [["line 2: os._exit (ends or signals processes)"]] * 8, results


def test_config_and_roster_errors_name_the_problem(tmp_path):
    config = tmp_path / "grading.toml"
    config.write_text("[points]\nstep7 = 10\n")
    with pytest.raises(ValueError, match="step7"):
        grader.read_config(config)
    config.write_text("[points]\nstep1 = 40\n[grading]\nstep_seconds = 30\n")
    loaded = grader.read_config(config)
    assert loaded.points[1] == 40 and loaded.limits.seconds == 30
    roster = tmp_path / "roster.csv"
    roster.write_text("student,repo\nana,x\n")
    with pytest.raises(ValueError, match="repository"):
        read_roster(roster)
    roster.write_text("student,repository,ref\nana,https://example.invalid/ana.git,main\n")
    assert read_roster(roster) == [("ana", "https://example.invalid/ana.git", "main")]


def test_merge_keeps_one_header_and_every_row():
    header = "student,points"
    merged = grader.merge_gradebooks([f"{header}\nbo,1\n", f"{header}\nana,2\n"])
    assert merged == "student,points\nana,2\nbo,1\n"
    with pytest.raises(ValueError, match="columns"):
        grader.merge_gradebooks([f"{header}\n", "other\n"])


def test_the_command_writes_the_gradebook_and_rejects_bad_input(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "solutions.tools.classroom",
            "grade",
            "--out",
            str(tmp_path / "g.csv"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1 and "nothing to grade" in done.stderr, done.stderr
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "solutions.tools.classroom",
            "grade",
            str(tmp_path / "absent"),
            "--steps",
            "9",
            "--out",
            str(tmp_path / "g.csv"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1 and "--steps" in done.stderr, done.stderr
