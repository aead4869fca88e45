"""Where submissions come from: folders, git URLs, or a roster CSV naming either.

A roster is a CSV with a ``student`` and a ``repository`` column (a folder or a git URL) and an
optional ``ref`` column (branch, tag or commit). Only the four ``exercises/*.py`` step files
of a submission are ever read.

>>> is_git_url("https://github.com/class/ner-ana.git"), is_git_url("submissions/ana")
(True, False)
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from solutions.tools.implementation import STEP_MODULES

MAX_STEP_FILE_BYTES = 1_000_000
_URL = re.compile(r"^(https?|ssh|git|file)://|^[\w.-]+@[\w.-]+:")


@dataclass
class Submission:
    """One student's work: a name, where it came from, its commit and its step files."""

    student: str
    source: str
    commit: str
    files: dict[int, str | None]  # step number -> source code (None: missing or refused)
    problems: dict[int, str]  # step number -> why the file was refused


def is_git_url(text: str) -> bool:
    """Whether ``text`` names a git remote rather than a local folder."""
    return bool(_URL.match(text))


def read_roster(path: Path) -> list[tuple[str, str, str | None]]:
    """``(student, repository, ref)`` rows of a roster CSV; ``ValueError`` names a bad row."""
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        raise ValueError(f"{path}: the roster has no rows")
    missing = {"student", "repository"} - set(rows[0])
    if missing:
        raise ValueError(f"{path}: missing column(s) {sorted(missing)}; found {sorted(rows[0])}")
    entries = []
    for line, row in enumerate(rows, start=2):
        student, repository = (row.get("student") or "").strip(), (row.get("repository") or "")
        if not student or not repository.strip():
            raise ValueError(f"{path}, line {line}: a row needs a student and a repository")
        entries.append((student, repository.strip(), (row.get("ref") or "").strip() or None))
    return entries


def load_submission(
    student: str, repository: str, workdir: Path, ref: str | None = None
) -> Submission:
    """Read the step files of a folder, or of a shallow clone of a git URL into ``workdir``."""
    if is_git_url(repository):
        folder = workdir / re.sub(r"[^\w.-]", "_", student)
        error = _clone(repository, folder, ref)
    else:
        folder = Path(repository)
        error = None if folder.is_dir() else f"{repository} is not a folder"
    if error:
        steps = range(1, len(STEP_MODULES) + 1)
        return Submission(
            student, repository, "", dict.fromkeys(steps), dict.fromkeys(steps, error)
        )
    files, problems = {}, {}
    for number, name in enumerate(STEP_MODULES, start=1):
        files[number], problem = _read_step_file(folder / "exercises" / f"{name}.py")
        if problem:
            problems[number] = problem
    return Submission(student, repository, _commit(folder), files, problems)


def _read_step_file(path: Path) -> tuple[str | None, str | None]:
    if path.is_symlink():
        return None, f"exercises/{path.name} is a symbolic link: only a plain file is graded"
    if not path.is_file():
        return None, f"exercises/{path.name} is missing"
    if path.stat().st_size > MAX_STEP_FILE_BYTES:
        return None, f"exercises/{path.name} is over {MAX_STEP_FILE_BYTES:,} bytes"
    try:
        return path.read_text(encoding="utf-8"), None
    except UnicodeDecodeError:
        return None, f"exercises/{path.name} is not UTF-8 text"


def _clone(url: str, folder: Path, ref: str | None) -> str | None:
    """Clone ``url`` (at ``ref``) into ``folder``; the error as one line, or None."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true"}
    command = ["git", "clone", "--quiet", "--depth", "1", "--no-tags"]
    if ref:
        command += ["--branch", ref]
    done = subprocess.run(
        [*command, url, str(folder)], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0 and ref:  # a commit id is not a branch: fetch the whole history
        done = subprocess.run(
            ["git", "clone", "--quiet", url, str(folder)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode == 0:
            done = subprocess.run(
                ["git", "-C", str(folder), "checkout", "--quiet", ref],
                capture_output=True,
                text=True,
                check=False,
            )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["git failed"])[-1]
        return f"cannot clone {url}: {last}"
    return None


def _commit(folder: Path) -> str:
    if not (folder / ".git").exists():
        return ""
    done = subprocess.run(
        ["git", "-C", str(folder), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 else ""
