"""The student edition: no reference steps, yet everything a student does works there."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from solutions.tools.classroom.edition import (
    LEFT_OUT,
    export_edition,
    is_student_file,
    strip_instructor_sections,
)
from tests.harness.steps import PROJECT_ROOT, STEPS

pytestmark = [pytest.mark.pipeline, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "student"
    done = subprocess.run(
        [sys.executable, "-m", "solutions.tools.classroom", "export", str(out)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return out


def _run(course: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=course, capture_output=True, text=True, timeout=timeout,
        check=False,
    )  # fmt: skip


def test_the_edition_leaves_out_the_reference_hidden_tests_and_template_ci(edition: Path):
    for step in STEPS.values():
        assert not (edition / "solutions" / f"{step.module}.py").exists(), step.module
        assert (edition / "exercises" / f"{step.module}.py").is_file(), step.module
        assert any((edition / "tests").glob(f"test_step{step.number}_*.py")), step.number
    for left_out in ("tests/hidden", "tests/template", ".github/workflows/ci.yml", ".ci"):
        assert not (edition / left_out).exists(), left_out
    for kept in (
        "solutions/tools/train.py",
        "demo/app.py",
        "data/train.conll",
        ".github/workflows/grade.yml",
        "exercises/hints/step1.md",
        "exercises/PRIMER.md",
    ):
        assert (edition / kept).is_file(), kept
    readme = (edition / "README.md").read_text(encoding="utf-8")
    assert "instructor-only" not in readme
    log = subprocess.run(["git", "log", "--oneline"], cwd=edition, capture_output=True, text=True)
    assert log.returncode == 0 and len(log.stdout.splitlines()) == 1, log.stdout + log.stderr


def test_export_refuses_a_folder_that_is_not_empty(tmp_path: Path):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="--force"):
        export_edition(PROJECT_ROOT, tmp_path)
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_which_files_belong_to_the_edition():
    assert is_student_file("exercises/metrics.py") and is_student_file("solutions/tools/model.py")
    assert not is_student_file("solutions/metrics.py") and not is_student_file("tests/hidden/x.py")
    assert "tests/template/" in LEFT_OUT
    text = "a\n<!-- instructor-only -->\nhow to grade\n<!-- /instructor-only -->\nb\n"
    assert strip_instructor_sections(text) == "a\nb\n"


def test_stubs_fail_with_the_table_and_solved_steps_pass(edition: Path, tmp_path: Path):
    course = tmp_path / "course"
    shutil.copytree(edition, course)
    stubs = _run(course, "-m", "pytest", "-p", "no:cacheprovider")
    assert stubs.returncode == 1, stubs.stdout[-3000:]
    for step in STEPS.values():
        assert f"✗ Step {step.number}  {step.title}" in stubs.stdout, stubs.stdout[-3000:]
    assert "Next: step 1, exercise 1.1" in stubs.stdout, stubs.stdout[-3000:]
    for step in STEPS.values():
        name = f"{step.module}.py"
        shutil.copy(PROJECT_ROOT / "solutions" / name, course / "exercises" / name)
    report = course / "progress.json"
    solved = _run(course, "-m", "pytest", "-p", "no:cacheprovider", f"--progress-json={report}")
    assert solved.returncode == 0, solved.stdout[-3000:]
    summary = json.loads(report.read_text())
    assert summary["steps_done"] == 4 and summary["passed"] == summary["total"], summary


def test_training_and_prediction_run_on_the_students_code(edition: Path, tmp_path: Path):
    from tests.template.models import build_tiny_model

    course = tmp_path / "course"
    shutil.copytree(edition, course)
    for step in STEPS.values():
        name = f"{step.module}.py"
        shutil.copy(PROJECT_ROOT / "solutions" / name, course / "exercises" / name)
    labels = ["O", "B-LOC", "I-LOC", "B-MISC", "I-MISC", "B-ORG", "I-ORG", "B-PER", "I-PER"]
    tiny = build_tiny_model(tmp_path / "tiny", labels)
    run = tmp_path / "run"
    trained = _run(
        course, "-m", "solutions.tools.train", "--model", str(tiny), "--output", str(run),
        "--epochs", "1", "--threads", "1",
    )  # fmt: skip
    assert trained.returncode == 0, trained.stderr[-3000:]
    assert "exercises/" in trained.stdout, "the summary should say whose step code ran"
    card = json.loads((run / "run_card.json").read_text())
    assert card["impl"] == "exercises", card["impl"]
    predicted = _run(
        course, "-m", "solutions.tools.predict", "--model", str(run / "model"), "--threads", "1",
        "Ana lives in Lisbon.",
    )  # fmt: skip
    assert predicted.returncode == 0, predicted.stderr[-3000:]
    refused = _run(
        course, "-m", "solutions.tools.predict", "--impl", "solutions", "--model",
        str(run / "model"), "Ana lives in Lisbon.",
    )  # fmt: skip
    assert refused.returncode != 0 and "--impl exercises" in refused.stderr, refused.stderr
