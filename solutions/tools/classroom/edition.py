"""Write the student edition of the course: everything a student needs, no reference steps.

The template (this repository) holds the reference steps (``solutions/preprocessing.py`` ...),
the instructor's hidden tests (``tests/hidden/``), the tests of the template's own tools
(``tests/template/``) and its CI. The student edition keeps the stubs, hints, primer, lab,
public step tests and harness, data, demo and every tool (training, evaluation, prediction, the
grader) and the pages in ``docs/``, and its commands default to ``--impl exercises``. The
instructor-only pages (``docs/grading.md``, ``docs/maintaining.md``) are left out, and so is every
part of a Markdown file (the README, the pages) between ``<!-- instructor-only -->`` and
``<!-- /instructor-only -->``.

>>> is_student_file("solutions/tools/train.py"), is_student_file("solutions/metrics.py")
(True, False)
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from solutions.tools.implementation import STEP_MODULES

#: Pages for instructors and maintainers only: the export, the grader, the template's checks.
INSTRUCTOR_PAGES = ("docs/grading.md", "docs/maintaining.md")

#: Files and folders of the template that the student edition leaves out.
LEFT_OUT = (
    *(f"solutions/{name}.py" for name in STEP_MODULES),
    "tests/hidden/",
    "tests/template/",
    ".github/workflows/ci.yml",
    ".github/workflows/grade-class.yml",
    ".ci/",
    *INSTRUCTOR_PAGES,
)
_SKIPPED_FOLDERS = {
    ".git",
    ".venv",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    "runs",
    "build",
    "dist",
    ".gradio",
}
_INSTRUCTOR_ONLY = re.compile(
    r"(\n*)<!-- instructor-only -->.*?<!-- /instructor-only -->(\n*)", flags=re.DOTALL
)


def is_student_file(relative: str) -> bool:
    """Whether a file of the template (a POSIX path from its root) belongs in the edition."""
    return not any(
        relative == item or (item.endswith("/") and relative.startswith(item)) for item in LEFT_OUT
    )


def template_files(root: Path) -> list[str]:
    """The template's files: what git tracks (and has not deleted), or every file outside
    caches and virtual environments when ``root`` is not a git checkout."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        check=False,
    )
    if listed.returncode == 0 and listed.stdout:
        names = listed.stdout.decode("utf-8").split("\0")
        return sorted(name for name in names if name and (root / name).is_file())
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file()
        and not _SKIPPED_FOLDERS & set(path.relative_to(root).parts)
        and not path.name.endswith((".pyc", ".egg-info"))
    )


def strip_instructor_sections(text: str) -> str:
    """``text`` without its ``<!-- instructor-only -->`` ... ``<!-- /instructor-only -->`` parts.

    A removed part leaves the larger of the line breaks around it, so paragraphs stay apart
    and no run of blank lines is left behind.

    >>> text = "a\\n<!-- instructor-only -->\\nsecret\\n<!-- /instructor-only -->\\nb"
    >>> strip_instructor_sections(text)
    'a\\nb'
    >>> strip_instructor_sections(text.replace("\\n<", "\\n\\n<").replace(">\\n", ">\\n\\n"))
    'a\\n\\nb'
    """
    return _INSTRUCTOR_ONLY.sub(lambda match: "\n" * max(len(match[1]), len(match[2]), 1), text)


def _markdown_with_instructor_parts(path: Path) -> str | None:
    """The text of a Markdown file that has instructor-only parts, else ``None`` (copy as is)."""
    if path.suffix != ".md":
        return None
    text = path.read_bytes().decode("utf-8")
    return text if "<!-- instructor-only -->" in text else None


def export_edition(
    template: Path, out: Path, extra_tests: Iterable[Path] = (), force: bool = False
) -> list[str]:
    """Write the student edition of ``template`` to ``out``; return the files written.

    ``extra_tests`` (e.g. the hidden tests, for grading) are copied into ``out/tests/hidden/``.
    Raises ``FileExistsError`` when ``out`` exists and is not empty, unless ``force``, and
    ``ValueError`` for a Markdown file whose instructor-only markers do not pair up.
    """
    template, out = Path(template).resolve(), Path(out).resolve()
    if out == template or template in out.parents:
        raise ValueError(f"{out} is inside the template {template}: choose another folder")
    if out.exists() and any(out.iterdir()):
        if not force:
            raise FileExistsError(f"{out} exists and is not empty (use --force to replace it)")
        shutil.rmtree(out)
    written = []
    for relative in template_files(template):
        if not is_student_file(relative):
            continue
        target = out / PurePosixPath(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = _markdown_with_instructor_parts(template / relative)
        if text is not None:
            text = strip_instructor_sections(text)
            if "instructor-only -->" in text:
                raise ValueError(f"{relative}: an instructor-only marker has no partner")
            target.write_text(text, encoding="utf-8", newline="")
        else:
            shutil.copy2(template / relative, target)
        written.append(relative)
    for path in extra_tests:
        target = out / "tests" / "hidden" / Path(path).name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        written.append(f"tests/hidden/{Path(path).name}")
    return written


def init_repository(out: Path) -> bool:
    """``git init`` and a first commit in ``out``; False when git is not available."""
    commands = (
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "-A"],
        [
            "git",
            "-c",
            "user.name=NER course",
            "-c",
            "user.email=course@example.invalid",
            "commit",
            "-q",
            "-m",
            "NER course: student edition",
        ],
    )
    for command in commands:
        try:
            done = subprocess.run(command, cwd=out, capture_output=True, check=False)
        except FileNotFoundError:
            return False
        if done.returncode != 0:
            return False
    return True
