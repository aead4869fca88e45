"""The student edition: no reference steps, yet everything a student does works there."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from solutions.tools.classroom.edition import (
    INSTRUCTOR_PAGES,
    LEFT_OUT,
    export_edition,
    is_student_file,
    strip_instructor_sections,
    template_files,
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
        ".github/grade/collect.sh",  # the scripts grade.yml runs
        ".github/grade/grade.sh",
        ".github/grade/comment.sh",
        "exercises/hints/step1.md",
        "exercises/PRIMER.md",
    ):
        assert (edition / kept).is_file(), kept
    for page in INSTRUCTOR_PAGES:
        assert (PROJECT_ROOT / page).is_file() and not (edition / page).exists(), page
    student_pages = {
        path.name
        for path in (PROJECT_ROOT / "docs").glob("*.md")
        if f"docs/{path.name}" not in INSTRUCTOR_PAGES
    }
    assert student_pages and {path.name for path in (edition / "docs").glob("*.md")} == (
        student_pages
    )
    for path in edition.rglob("*.md"):
        assert "instructor-only" not in path.read_text(encoding="utf-8"), path
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
    assert all(is_student_file(f"docs/{name}") for name in ("loop.md", "pipeline.md"))
    assert not any(is_student_file(page) for page in INSTRUCTOR_PAGES)
    text = "a\n<!-- instructor-only -->\nhow to grade\n<!-- /instructor-only -->\nb\n"
    assert strip_instructor_sections(text) == "a\nb\n"
    paragraphs = "a\n\n<!-- instructor-only -->\nhow to grade\n<!-- /instructor-only -->\n\nb\n"
    assert strip_instructor_sections(paragraphs) == "a\n\nb\n"
    assert strip_instructor_sections(paragraphs.replace("\n\nb", "\nb")) == "a\n\nb\n"


def test_export_refuses_an_instructor_only_part_that_is_not_closed(tmp_path: Path):
    template = tmp_path / "template"
    (template / "docs").mkdir(parents=True)
    (template / "docs" / "page.md").write_text("a\n<!-- instructor-only -->\nsecret\n")
    with pytest.raises(ValueError, match=r"docs/page\.md"):
        export_edition(template, tmp_path / "out")


def test_markdown_keeps_its_bytes_when_it_has_no_instructor_part(tmp_path: Path):
    template = tmp_path / "template"
    (template / "docs").mkdir(parents=True)
    (template / "docs" / "crlf.md").write_bytes(b"line one\r\nline two\r\n")
    export_edition(template, tmp_path / "out")
    assert (tmp_path / "out" / "docs" / "crlf.md").read_bytes() == b"line one\r\nline two\r\n"


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


# --- The README and the pages: short for students, links that resolve, commands that exist ---

EDITION_README_MAX_LINES = 150
#: The sections of the student's README, in this order.
STUDENT_SECTIONS = ("## Install", "## The loop", "## The four steps", "## After step 4")
_FENCE = re.compile(r"^(```|~~~)")
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def _prose_lines(text: str) -> list[str]:
    """The lines of a Markdown text outside fenced code blocks."""
    lines, fenced = [], False
    for line in text.splitlines():
        if _FENCE.match(line.lstrip()):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def _anchors(text: str) -> set[str]:
    """The anchors GitHub gives the headings of a Markdown text.

    >>> sorted(_anchors("# 1. The trap (`lowercase`)\\n## Data and models\\n## Data and models"))
    ['1-the-trap-lowercase', 'data-and-models', 'data-and-models-1']
    """
    seen: dict[str, int] = {}
    anchors = set()
    for line in _prose_lines(text):
        heading = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not heading:
            continue
        slug = re.sub(r"[^\w\- ]", "", heading[1].lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def _local_links(text: str) -> list[str]:
    """The link targets of a Markdown text that point inside the repository."""
    targets = []
    for line in _prose_lines(text):
        for target in _LINK.findall(re.sub(r"`[^`]*`", "", line)):
            if not re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto: ...
                targets.append(target)
    return targets


def _broken_links(root: Path, pages: list[str]) -> list[str]:
    """``page: target`` for each local link of ``pages`` (paths from ``root``) that does not
    resolve: a missing file or folder, or an anchor that no heading of the target has."""
    broken = []
    for page in pages:
        source = root / page
        for target in _local_links(source.read_text(encoding="utf-8")):
            path, _, anchor = target.partition("#")
            resolved = (source.parent / path).resolve() if path else source
            if not resolved.exists() or root.resolve() not in [resolved, *resolved.parents]:
                broken.append(f"{page}: {target} (no such file here)")
            elif (
                anchor
                and resolved.suffix == ".md"
                and anchor not in _anchors(resolved.read_text(encoding="utf-8"))
            ):
                broken.append(f"{page}: {target} (no such heading)")
    return broken


def _markdown_pages(root: Path) -> list[str]:
    return [name for name in template_files(root) if name.endswith(".md")]


def test_every_local_link_of_the_templates_pages_resolves():
    pages = _markdown_pages(PROJECT_ROOT)
    assert "README.md" in pages and any(page.startswith("docs/") for page in pages), pages
    assert _broken_links(PROJECT_ROOT, pages) == []


def test_every_local_link_of_the_editions_pages_resolves(edition: Path):
    pages = sorted(path.relative_to(edition).as_posix() for path in edition.rglob("*.md"))
    assert "README.md" in pages and "docs/loop.md" in pages, pages
    assert _broken_links(edition, pages) == []


def test_the_editions_readme_is_the_students_page(edition: Path):
    readme = (edition / "README.md").read_text(encoding="utf-8")
    lines = readme.splitlines()
    assert len(lines) <= EDITION_README_MAX_LINES, f"{len(lines)} lines: move details to docs/"
    assert "\n\n\n" not in readme, "an instructor-only part left blank lines behind"
    places = [readme.find(f"\n{section}") for section in STUDENT_SECTIONS]
    where = dict(zip(STUDENT_SECTIONS, places, strict=True))
    assert -1 not in places and places == sorted(places), where
    loop = readme[places[1] : places[2]]
    for command in ("ner-course check", "ner-course hint", "ner-course list", "pytest"):
        assert command in loop, command
    after_step_4 = readme[places[3] :]
    for command in ("ner-course train", "ner-course predict", "python -m demo"):
        assert command in after_step_4 and command not in readme[: places[3]], command
    linked = set(_local_links(readme))
    for page in (edition / "docs").glob("*.md"):
        assert f"docs/{page.name}" in linked, f"the README should link docs/{page.name}"


def _commands(readme: str) -> list[list[str]]:
    """The commands of the README's ``bash`` blocks, as argument lists (comments dropped)."""
    commands, block = [], None
    for line in readme.splitlines():
        if line.startswith("```"):
            block = line[3:].strip() if block is None else None
            continue
        if block == "bash":
            commands.append(line)
    joined = "\n".join(commands).replace("\\\n", " ")
    result = []
    for line in joined.splitlines():
        words = shlex.split(line, comments=True)
        while words:
            cut = words.index("&&") if "&&" in words else len(words)
            result.append(words[:cut])
            words = words[cut + 1 :]
    return [command for command in result if command]


def _help(course: Path, command: list[str]) -> str | None:
    """The ``--help`` text of a README command run in ``course``; None for shell and pip."""
    ner_course = "import sys; from solutions.tools.course import main; sys.exit(main())"
    if command[0] == "ner-course":
        head = [sys.executable, "-c", ner_course, *command[1:2]]
    elif command[:2] == ["python", "-m"] and command[2] not in ("venv", "pip"):
        head = [sys.executable, "-m", command[2]]
    elif command[0] == "pytest":
        head = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]
    else:
        return None
    done = subprocess.run(
        [*head, "--help"], cwd=course, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"{' '.join(command)}: {done.stderr[-2000:]}"
    return done.stdout


def test_the_editions_readme_names_only_commands_that_exist(edition: Path):
    readme = (edition / "README.md").read_text(encoding="utf-8")
    commands = _commands(readme)
    assert any(command[:2] == ["ner-course", "train"] for command in commands), commands
    top = _help(edition, ["ner-course"])
    for command in commands:
        if command[0] == "ner-course":
            assert command[1] in top, f"ner-course has no command {command[1]!r}"
        text = _help(edition, command)
        if text is None:
            assert command[0] in (".", "python3", "pip"), command
            continue
        for word in command:
            flag = word.split("=")[0]
            if flag.startswith("--"):
                assert flag in text, f"{' '.join(command)}: {flag} is not a flag of it"


def test_the_templates_readme_is_for_instructors_and_maintainers():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    command = "python -m pytest --impl=solutions --integrity"
    assert command in readme
    assert command in (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    instructor_parts = "".join(
        re.findall(r"<!-- instructor-only -->.*?<!-- /instructor-only -->", readme, re.DOTALL)
    )
    for needed in (command, "## Grading and its threat model", "(docs/grading.md)", "export"):
        assert needed in instructor_parts, needed
    assert "(docs/grading.md)" not in strip_instructor_sections(readme)
