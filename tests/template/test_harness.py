"""The harness itself: progress report, hints, failure messages, the stub run's output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness.hints import hint_number, read_hints
from tests.harness.progress import ProgressBoard
from tests.harness.show import assert_equal, assert_tags, call_text, token_table
from tests.harness.steps import PROJECT_ROOT, STEPS

pytestmark = pytest.mark.harness


def test_hint_number_comes_from_the_test_name() -> None:
    assert hint_number("test_2_3_labels_first_subword[uncased]") == "2.3"
    assert hint_number("test_12_10_x") == "12.10"
    assert hint_number("test_reads_files") is None


def test_hint_file_is_split_into_numbered_sections(tmp_path: Path) -> None:
    hints = tmp_path / "step9.md"
    hints.write_text("# Step 9\nintro\n## 9.1 First\nlook here\n## 9.2 Second\nthen there\n")
    assert read_hints(hints) == {
        "9.1": "## 9.1 First\nlook here",
        "9.2": "## 9.2 Second\nthen there",
    }
    assert read_hints(tmp_path / "absent.md") == {}


def test_board_counts_a_test_failed_if_any_phase_failed() -> None:
    board = ProgressBoard("exercises")
    board.record(STEPS[1], "test_1_1_a", "passed")
    board.record(STEPS[1], "test_1_2_b", "failed")
    board.record(STEPS[1], "test_1_2_b", "passed")  # teardown after a failed call
    board.record(STEPS[2], "test_2_1_c", "passed")
    board.record(STEPS[2], "test_2_2_d", "skipped")
    summary = board.summary()
    assert [(s["step"], s["passed"], s["total"], s["done"]) for s in summary["steps"]] == [
        (1, 1, 2, False),
        (2, 1, 1, True),
    ]
    assert (summary["passed"], summary["total"], summary["steps_done"]) == (2, 3, 1)
    assert board.next_step().step.number == 1


def test_board_renders_table_and_markdown() -> None:
    board = ProgressBoard("exercises")
    board.record(STEPS[1], "test_1_1_a", "passed")
    board.record(STEPS[2], "test_2_1_b", "failed")
    table = "\n".join(board.table_lines())
    assert "✓ Step 1" in table and "1/1" in table, table
    assert "✗ Step 2" in table and "0/1" in table, table
    assert "Overall: 1/2 tests passed, 1/2 steps done" in table, table
    markdown = board.markdown()
    assert "| 1 | data preprocessing | 1/1 | ✅ done |" in markdown, markdown
    assert "| 2 | tokenization and label alignment | 0/1 | ❌ to do |" in markdown, markdown


def test_token_table_marks_rows_that_differ() -> None:
    table = token_table(
        ["Ana", "Souza", "left"], got=["B-PER", "O", "O"], expected=["B-PER", "I-PER", "O"]
    )
    lines = table.splitlines()
    assert lines[0].split() == ["word", "got", "expected"]
    assert lines[2].endswith("<-- differs") and not lines[1].endswith("<-- differs"), table


def test_token_table_shows_missing_labels() -> None:
    table = token_table(["Ana", "left"], got=["B-PER"], expected=["B-PER", "O"])
    assert "(none)" in table.splitlines()[2], table


def test_assert_helpers_show_call_got_and_expected() -> None:
    call = call_text("iob1_to_iob2", ["I-PER"])
    assert call == "iob1_to_iob2(['I-PER'])"
    with pytest.raises(AssertionError) as failure:
        assert_equal(call, ["I-PER"], ["B-PER"])
    assert str(failure.value).splitlines() == [
        "called:   iob1_to_iob2(['I-PER'])",
        "got:      ['I-PER']",
        "expected: ['B-PER']",
    ]
    with pytest.raises(AssertionError, match="got 1 labels for 2 words, expected 2"):
        assert_tags("f()", ["a", "b"], ["O"], ["O", "O"])
    assert_tags("f()", ["a"], ["O"], ["O"])


def test_a_stub_run_prints_one_line_failures_the_table_and_the_first_hint(tmp_path: Path) -> None:
    report = tmp_path / "progress.json"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--impl=exercises",
            "--step=1",
            "-p",
            "no:cacheprovider",
            f"--progress-json={report}",
            f"--progress-md={tmp_path / 'progress.md'}",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = completed.stdout
    assert completed.returncode == 1, output[-2000:]
    assert "NotImplementedError: step 1: " in output, output[-2000:]
    assert "Traceback" not in output, output[-2000:]
    assert "✗ Step 1  data preprocessing" in output, output[-2000:]
    assert "Next: step 1 (exercises/hints/step1.md, hint 1.1)" in output, output[-2000:]
    summary = json.loads(report.read_text())
    assert [step["step"] for step in summary["steps"]] == [1]
    assert summary["passed"] == 0 and summary["total"] > 0, summary
    assert "| 1 | data preprocessing | 0/" in (tmp_path / "progress.md").read_text()
