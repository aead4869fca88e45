"""The harness itself: progress that cannot lie, graded hints, limits, messages, ner-course.

The end-to-end tests run pytest in a student edition of the course written to a temporary
folder, as a student would, with some reference steps copied in as "solved" work.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from solutions.tools.classroom.edition import export_edition
from tests.harness.hints import Hint, hint_number, read_hints
from tests.harness.limits import CappedStream, StepModule, StubNotWritten
from tests.harness.progress import ProgressBoard, advice
from tests.harness.show import assert_equal, assert_tags, call_text, token_table
from tests.harness.steps import PROJECT_ROOT, STEPS

pytestmark = [pytest.mark.harness, pytest.mark.timeout(300)]


# Units -------------------------------------------------------------------------------------


def test_hint_number_comes_from_the_test_name() -> None:
    assert hint_number("test_2_3_labels_first_subword[uncased]") == "2.3"
    assert hint_number("test_12_10_x") == "12.10"
    assert hint_number("test_reads_files") is None


def test_hint_files_split_into_sections_and_levels(tmp_path: Path) -> None:
    hints = tmp_path / "step9.md"
    hints.write_text(
        "# Step 9\nintro\n## 9.1 First\n\n### 1 · Nudge\nlook\n### 2 · Approach\nplan\n"
        "### 3 · Recipe\ncode\n## 9.2 Second\nonly one level\n"
    )
    parsed = read_hints(hints)
    assert sorted(parsed) == ["9.1", "9.2"]
    assert parsed["9.1"].title == "First" and len(parsed["9.1"].levels) == 3
    assert parsed["9.1"].text(1) == "## 9.1 First · hint 1 of 3, Nudge\nlook"
    assert parsed["9.1"].text(9).endswith("Recipe\ncode"), "a level past the last is the last"
    assert parsed["9.2"].text(2) == "## 9.2 Second · hint 1 of 1\nonly one level"
    assert read_hints(tmp_path / "absent.md") == {}


def test_hint_files_fold_the_approach_and_the_recipe(tmp_path: Path) -> None:
    hints = tmp_path / "step9.md"
    hints.write_text(
        "# Step 9\n## 9.1 First\n\n### 1 · Nudge\n\nlook\n\n<details>\n"
        "<summary>2 · Approach</summary>\n\n1. plan\n\n</details>\n\n"
        "<details><summary>3 · Recipe</summary>\n\n```python\ncode()\n```\n\n</details>\n"
        "## 9.2 Second\n### 1 · Nudge\nonly the nudge\n"
    )
    parsed = read_hints(hints)
    first = parsed["9.1"]
    assert first.folded == [False, True, True], first
    assert first.text(1) == "## 9.1 First · hint 1 of 3, Nudge\nlook"
    assert first.text(2) == "## 9.1 First · hint 2 of 3, Approach\n1. plan"
    assert first.text(3) == "## 9.1 First · hint 3 of 3, Recipe\n```python\ncode()\n```"
    assert "details" not in "".join(first.levels), first.levels
    assert parsed["9.2"].folded == [False] and len(parsed["9.2"].levels) == 1


@pytest.mark.parametrize("step", STEPS.values(), ids=lambda s: f"step{s.number}")
def test_every_shipped_hint_has_three_levels_and_shows_only_the_nudge(step) -> None:
    hints = read_hints(step.hint_file)
    assert hints, f"{step.hint_file} has no sections"
    short = {number: len(hint.levels) for number, hint in hints.items() if len(hint.levels) != 3}
    assert not short, f"{step.hint_file.name}: sections without exactly 3 levels: {short}"
    shown = {
        number: hint.folded for number, hint in hints.items() if hint.folded != [False, True, True]
    }
    assert not shown, (
        f"{step.hint_file.name}: the nudge must show and the approach and recipe wait in "
        f"<details> blocks; folded levels: {shown}"
    )
    text = step.hint_file.read_text(encoding="utf-8")
    assert text.count("<details>") == text.count("</details>") == 2 * len(hints)


def _board(outcomes: dict[str, str], expected: int | None = None) -> ProgressBoard:
    board = ProgressBoard("exercises")
    board.expect(STEPS[1], expected if expected is not None else len(outcomes))
    for name, outcome in outcomes.items():
        board.record(STEPS[1], name, outcome)
    return board


def test_skipped_and_missing_tests_count_as_not_passed() -> None:
    board = _board({"test_1_1_a": "passed", "test_1_2_b": "skipped"})
    assert (board.summary()["passed"], board.summary()["total"]) == (1, 2)
    assert not board.results[1].done
    assert "1 skipped, counted as not passed" in "\n".join(board.table_lines())
    stopped = _board({"test_1_1_a": "passed"}, expected=5)
    assert not stopped.results[1].complete and not stopped.results[1].done
    assert "partial run" in "\n".join(stopped.table_lines())


def test_a_failure_in_any_phase_makes_the_test_failed() -> None:
    board = _board({})
    board.record(STEPS[1], "test_1_2_b", "failed")
    board.record(STEPS[1], "test_1_2_b", "passed")  # teardown after a failed call
    assert board.results[1].outcomes == {"test_1_2_b": "failed"}


def test_a_filtered_run_never_marks_a_step_done() -> None:
    board = _board({"test_1_1_a": "passed"})
    board.mark_partial(STEPS[1], "-k")
    assert not board.results[1].done
    lines = advice(board, {1: False})
    assert "partial" in lines[0] and "pytest --step=1" in lines[1], lines


def test_advice_names_the_next_step_and_the_end_of_the_course() -> None:
    board = _board({"test_1_1_a": "passed"})
    lines = advice(board, {1: True, 2: False, 3: False, 4: False})
    assert lines[0].startswith("Step 1 done. Next: step 2"), lines
    finished = advice(board, dict.fromkeys(STEPS, True))
    assert finished[0].startswith("Every step passes"), finished


def test_advice_for_an_import_error_points_at_the_file_and_line() -> None:
    board = _board({"test_1_1_a": "failed"})
    board.record_import_error(STEPS[1], "exercises/preprocessing.py, line 3: SyntaxError: x")
    assert advice(board, {})[0] == "Next: fix exercises/preprocessing.py, line 3: SyntaxError: x"


def test_markdown_table() -> None:
    board = _board({"test_1_1_a": "passed"})
    assert "| 1 | data preprocessing | 1/1 | ✅ done |" in board.markdown()


def test_a_stub_fails_as_stub_not_written_which_hypothesis_does_not_catch() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    module = type(sys)("exercises_fake")
    exec(  # a module whose function is an untouched stub
        'def f(x):\n    raise NotImplementedError("step 1: f() is not written yet")\n',
        module.__dict__,
    )
    module.f.__module__ = module.__name__
    step = StepModule(module)
    calls = []

    @settings(max_examples=50, deadline=None)
    @given(st.lists(st.integers()))
    def property_test(values):
        calls.append(values)
        step.f(values)

    with pytest.raises(StubNotWritten, match="step 1: f"):
        property_test()
    assert len(calls) == 1, f"Hypothesis ran the stub {len(calls)} times"


def test_capped_stream_keeps_the_start_and_counts_the_rest() -> None:
    import io

    inner = io.StringIO()
    stream = CappedStream(inner, limit=10)
    for _ in range(1000):
        stream.write("0123456789")
    assert inner.getvalue() == "0123456789" and stream.dropped == 9990


def test_messages_show_call_got_expected_and_only_the_difference() -> None:
    call = call_text("iob1_to_iob2", ["I-PER"])
    with pytest.raises(AssertionError) as failure:
        assert_equal(call, ["I-PER"], ["B-PER"])
    assert str(failure.value).splitlines() == [
        "called:   iob1_to_iob2(['I-PER'])",
        "differs in 1 place(s):",
        "  [0]: got 'I-PER', expected 'B-PER'",
    ]
    nested_got = {f"e{i}": {"start": i, "end": i + 1} for i in range(16)}
    nested_expected = {**nested_got, "e7": {"start": 7, "end": 9}}
    with pytest.raises(AssertionError) as failure:
        assert_equal("find_errors(...)", nested_got, nested_expected)
    assert "['e7']['end']: got 8, expected 9  (off by -1)" in str(failure.value)
    assert len(str(failure.value).splitlines()) == 3, str(failure.value)
    with pytest.raises(AssertionError, match="only in the last digits"):
        assert_equal("f()", 0.8500000000000001, 0.85)
    with pytest.raises(AssertionError, match="got 1 labels for 2 words, expected 2"):
        assert_tags("f()", ["a", "b"], ["O"], ["O", "O"])
    table = token_table(["Ana", "left"], got=["B-PER", "B-PER"], expected=["B-PER", "O"])
    assert table.splitlines()[2].endswith("<-- differs"), table


def test_hint_text_clamps_to_the_levels_there_are() -> None:
    hint = Hint("1.1", "Read", ["### 1 · Nudge\nidea"])
    assert hint.text(0) == hint.text(3) == "## 1.1 Read · hint 1 of 1, Nudge\nidea"


# End to end, in a student edition -------------------------------------------------------


@pytest.fixture(scope="module")
def edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("edition") / "course"
    export_edition(PROJECT_ROOT, out)
    return out


def _solve(course: Path, *steps: int) -> None:
    for number in steps:
        name = STEPS[number].module
        shutil.copy(PROJECT_ROOT / "solutions" / f"{name}.py", course / "exercises" / f"{name}.py")


def _pytest(course: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-o", f"cache_dir={course / '.cache'}", *args],
        cwd=course, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    return done.stdout + done.stderr


@pytest.fixture
def course(edition: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "course"
    shutil.copytree(edition, copy)
    return copy


def test_stub_run_prints_one_line_failures_the_table_and_a_nudge(course: Path) -> None:
    report = course / "progress.json"
    output = _pytest(course, "--step=1", f"--progress-json={report}")
    assert "NotImplementedError: step 1: read_conll() is not written yet" in output, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    assert "✗ Step 1  data preprocessing" in output, output[-3000:]
    assert "Next: step 1, exercise 1.1 (exercises/hints/step1.md)" in output, output[-3000:]
    assert "hint 1 of 3, Nudge" in output and "ner-course hint 1.1" in output, output[-3000:]
    summary = json.loads(report.read_text())
    assert [step["step"] for step in summary["steps"]] == [1]
    assert summary["passed"] == 0 and summary["total"] > 50, summary
    assert "hint 2 of 3, Approach" in _pytest(course, "--step=1", "--hint=2")


def test_only_a_whole_unfiltered_run_marks_a_step_done(course: Path) -> None:
    _solve(course, 1)
    partial = _pytest(course, "--step=1", "-k", "1_1 or 1_2")
    assert "partial run, -k" in partial and "every test that ran passes" in partial, partial[-3000:]
    current = _pytest(course, "--step=current", "-q")
    assert "Step 1  data preprocessing" in current, f"a partial run marked it done: {current}"
    stopped = _pytest(course, "--step=2", "-x")
    assert "partial run" in stopped and "~ Step 2" in stopped, stopped[-3000:]
    whole = _pytest(course, "--step=1")
    assert "✓ Step 1" in whole and "Step 1 done. Next: step 2" in whole, whole[-3000:]
    assert "Step 2  tokenization" in _pytest(course, "--step=current", "-q")


def test_the_end_of_the_course_is_announced(course: Path) -> None:
    _solve(course, 1, 2, 3, 4)
    output = _pytest(course)
    assert "Every step passes" in output and "ner-course train" in output, output[-3000:]
    again = _pytest(course, "--step=current")
    assert "every step is done, so --step=current runs all four" in again, again[-3000:]


def test_an_import_error_points_at_the_file_and_line(course: Path) -> None:
    path = course / "exercises" / "alignment.py"
    path.write_text(path.read_text() + "\n\ndef broken(:\n    pass\n")
    output = _pytest(course, "--step=2")
    lines = len(path.read_text().splitlines())
    assert f"Next: fix exercises/alignment.py, line {lines - 1}: SyntaxError" in output, output[
        -3000:
    ]
    assert "hint" not in output.split("Next: fix", 1)[1], output[-3000:]


def test_an_endless_loop_fails_within_the_limit_hypothesis_included(course: Path) -> None:
    _solve(course, 1)
    path = course / "exercises" / "preprocessing.py"
    source = path.read_text()
    marker = "def split_by_sentence("
    start = source.index(marker)
    body_start = source.index('"""', source.index('"""', start) + 3) + 3
    path.write_text(source[:body_start] + "\n    while True:\n        pass\n" + source[body_start:])
    output = _pytest(course, "--step=1", "--time-limit=1")
    assert "TimeLimitExceeded" in output, output[-3000:]
    assert "ran past their time limit" in output or "1.8" in output, output[-3000:]
    assert "Step 1" in output, "the run did not reach the progress table"


def test_ner_course_hint_reveals_one_more_level_each_time(course: Path) -> None:
    _pytest(course, "--step=1")
    command = [sys.executable, "-m", "solutions.tools.course", "hint"]

    def hint(*args: str) -> str:
        return subprocess.run(
            [*command, *args], cwd=course, capture_output=True, text=True, check=True
        ).stdout

    assert "1.1 Read a CoNLL file · hint 2 of 3" in hint()
    assert "hint 3 of 3" in hint()
    assert "hint 3 of 3" in hint(), "the last level stays the last"
    assert "hint 1 of 3" in hint("1.1", "--level", "1")
    assert "no hint '7.7'" in hint("7.7")


def test_ner_course_check_and_list(course: Path) -> None:
    _solve(course, 1)
    done = subprocess.run(
        [sys.executable, "-m", "solutions.tools.course", "check", "1", "-q"],
        cwd=course, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0 and "✓ Step 1" in done.stdout, done.stdout[-2000:]
    listing = subprocess.run(
        [sys.executable, "-m", "solutions.tools.course", "list"],
        cwd=course, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "✓ Step 1  exercises/preprocessing.py" in listing, listing
    assert "2.1  IOB1 to IOB2" in listing, listing


def test_the_harness_loads_nothing_heavy_for_a_step_without_it(edition: Path) -> None:
    probe = textwrap.dedent("""
        import sys, pytest
        pytest.main(["--step=1", "-q", "-p", "no:cacheprovider", "--co"])
        heavy = sorted(name for name in ("torch", "transformers", "seqeval", "simpletransformers")
                       if name in sys.modules)
        print("HEAVY", heavy)
        """)
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=edition, capture_output=True, text=True, check=False
    )
    assert "HEAVY []" in done.stdout, done.stdout[-2000:]


def test_the_feedback_benchmark_compares_each_step_with_its_floor() -> None:
    from solutions.tools.benchmark_feedback import FLOORS, commands, format_report, report

    names = commands()
    assert set(FLOORS) == set(STEPS) and "whole run, stubs" in names
    assert names["step 2 stubs"][-2:] == ["--impl=exercises", "--step=2"], names["step 2 stubs"]
    seconds = {name: [9.0] for name in names}
    seconds |= {f"step {n} floor": [1.0, 1.2, 5.0] for n in STEPS}
    seconds |= {f"step {n} stubs": [2.0, 2.2, 2.4] for n in STEPS}
    result = report(seconds)
    row = next(row for row in result["steps"] if row["run"] == "step 1 stubs")
    assert (row["seconds"], row["floor"], row["gap"], row["goal_met"]) == (2.2, 1.2, 1.0, True)
    assert result["whole_run"] == {"seconds": 9.0, "goal_met": True}
    assert "| step 1 stubs | 2.20 | 1.20 | +1.00 | met |" in format_report(result)
