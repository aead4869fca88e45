"""Progress from evidence: a step stays done only while its file is the one that passed.

The record of a whole run of a step keeps the SHA-256 of ``exercises/<module>.py``; once the
file changes, ``ner-course list``, ``ner-course check`` and pytest's progress table call the
step "changed, not re-checked" and ``check`` runs it again.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from solutions.tools.classroom.edition import export_edition
from tests.harness.progress import (
    ProgressBoard,
    StepState,
    advice,
    done_record,
    file_digest,
    step_file,
    step_states,
)
from tests.harness.steps import PROJECT_ROOT, STEPS

pytestmark = [pytest.mark.harness, pytest.mark.timeout(300)]

CHANGED = "changed, not re-checked"


def _course_files(root: Path) -> Path:
    for step in STEPS.values():
        path = step_file(step, root)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# step {step.number}\n", encoding="utf-8")
    return root


def test_a_passed_step_is_done_while_its_file_is_unchanged(tmp_path: Path) -> None:
    root = _course_files(tmp_path)
    saved = {
        "1": done_record(STEPS[1], True, root),
        "2": done_record(STEPS[2], True, root),
        "3": done_record(STEPS[3], False, root),
    }
    assert saved["1"] == {"done": True, "sha256": file_digest(step_file(STEPS[1], root))}
    json.dumps(saved)  # what pytest's cache stores
    states = step_states(saved, root)
    assert states == {
        1: StepState.DONE,
        2: StepState.DONE,
        3: StepState.TODO,
        4: StepState.TODO,
    }
    step_file(STEPS[2], root).write_text("# step 2, edited\n", encoding="utf-8")
    states = step_states(saved, root)
    assert states[1] is StepState.DONE and states[2] is StepState.CHANGED, states
    assert states[2].value == CHANGED and not states[2] and states[1]


@pytest.mark.parametrize(
    ("record", "state"),
    [
        (True, StepState.CHANGED),  # an older course's bare flag: no evidence of the file
        (False, StepState.TODO),
        ({"done": True, "sha256": None}, StepState.CHANGED),
        ({"done": True}, StepState.CHANGED),
        ("yes", StepState.CHANGED),
        (None, StepState.TODO),
    ],
)
def test_records_without_a_hash_are_not_evidence(tmp_path: Path, record, state) -> None:
    root = _course_files(tmp_path)
    assert step_states({"1": record}, root)[1] is state
    assert step_states("not a dict", root) == dict.fromkeys(STEPS, StepState.TODO)


def test_a_deleted_step_file_is_not_done(tmp_path: Path) -> None:
    root = _course_files(tmp_path)
    saved = {"1": done_record(STEPS[1], True, root)}
    step_file(STEPS[1], root).unlink()
    assert step_states(saved, root)[1] is StepState.CHANGED


def test_the_table_and_the_advice_name_a_changed_step() -> None:
    board = ProgressBoard("exercises")
    board.expect(STEPS[2], 1)
    board.record(STEPS[2], "test_2_1_a", "passed")
    states = {1: StepState.CHANGED, 2: StepState.DONE, 3: StepState.TODO, 4: StepState.TODO}
    board.remember(states)
    table = "\n".join(board.table_lines())
    assert "? Step 1  data preprocessing" in table and CHANGED in table, table
    assert "✓ Step 2" in table and "Step 3" not in table, table
    assert "1/1 steps done" in table, "the changed step is no step of this run"
    lines = advice(board, states)
    assert lines[0].startswith("Step 2 done. Next: step 1, data preprocessing"), lines
    assert CHANGED in lines[0] and "ner-course check 1" in lines[1], lines
    assert advice(board, {**states, 1: StepState.DONE})[0].startswith("Step 2 done. Next: step 3")


# End to end, in a student edition -------------------------------------------------------


@pytest.fixture(scope="module")
def edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("edition") / "course"
    export_edition(PROJECT_ROOT, out)
    return out


@pytest.fixture
def course(edition: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "course"
    shutil.copytree(edition, copy)
    shutil.copy(PROJECT_ROOT / "solutions" / "preprocessing.py", copy / "exercises")
    return copy


def _run(course: Path, *args: str) -> str:
    """``ner-course ARGS`` in the course, as a student runs it; stdout and stderr."""
    done = subprocess.run(
        [sys.executable, "-m", "solutions.tools.course", *args],
        cwd=course, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    return done.stdout + done.stderr


def test_a_step_changed_after_it_passed_is_checked_again(course: Path) -> None:
    first = _run(course, "check", "1", "-q")
    assert "✓ Step 1" in first, first[-3000:]
    assert "✓ Step 1  exercises/preprocessing.py" in _run(course, "list")

    path = course / "exercises" / "preprocessing.py"
    path.write_text(path.read_text(encoding="utf-8") + "\n# tidied up\n", encoding="utf-8")
    listing = _run(course, "list")
    assert f"? Step 1  exercises/preprocessing.py  {CHANGED} (ner-course check 1)" in listing, (
        listing
    )
    other = _run(course, "check", "2", "-q")
    assert "? Step 1  data preprocessing" in other and CHANGED in other, other[-3000:]
    assert "Next: step 2" in other, "step 2's own failures come first"

    again = _run(course, "check", "-q")  # the current step: step 1 again, not step 2
    assert "✓ Step 1  data preprocessing" in again, again[-3000:]
    assert "Step 2  tokenization" not in again, again[-3000:]
    assert "✓ Step 1  exercises/preprocessing.py" in _run(course, "list")


def test_the_next_hint_follows_the_evidence_and_ends_at_the_lab(course: Path) -> None:
    cache = course / ".pytest_cache" / "v" / "ner-course"
    cache.mkdir(parents=True)
    records = {str(n): done_record(step, True, course) for n, step in STEPS.items()}
    (cache / "steps-done").write_text(json.dumps(records), encoding="utf-8")
    (cache / "next-hint").write_text("{}", encoding="utf-8")

    done = _run(course, "hint")
    assert "Every step is done" in done and "exercises/LAB.md" in done, done
    assert "hint 1 of 3" not in done, done
    assert "2.6 Align labels with subword tokens · hint 2 of 3" in _run(course, "hint", "2.6")
    listing = _run(course, "list")
    assert "Every step is done" in listing and "Run the current step" not in listing, listing

    path = course / "exercises" / "alignment.py"
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert "2.1 IOB1 to IOB2 · hint 2 of 3" in _run(course, "hint"), "step 2 is current again"
