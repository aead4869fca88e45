"""The pull-request grading workflow's three jobs, run here on a fixture pull request.

``.github/workflows/grade.yml`` only calls ``.github/grade/collect.sh``, ``grade.sh`` and
``comment.sh``; these tests run them as its jobs do, each in a folder of its own like a job's
workspace, with the artifacts copied from one to the next. The course (the base branch) is the
student edition exported from this template, a git repository; the scripts run are its copies.
A fake ``gh`` on ``PATH`` answers the list of changed files, with hostile file names in it;
``$GITHUB_OUTPUT`` and ``$GITHUB_STEP_SUMMARY`` are plain files; grade.sh grades with bubblewrap
instead of Docker (``GRADE_SANDBOX``), two steps only (``GRADE_STEPS``).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from solutions.tools.classroom import grader
from solutions.tools.classroom.sandbox import Bubblewrap
from solutions.tools.implementation import STEP_MODULES
from tests.harness.steps import PROJECT_ROOT

pytestmark = [pytest.mark.integrity, pytest.mark.timeout(300)]

SCRIPTS = ("collect.sh", "grade.sh", "comment.sh")
WORKFLOW = PROJECT_ROOT / ".github" / "workflows" / "grade.yml"
TOOLS = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
REPOSITORY, NUMBER = "class/ner-ana", "7"
STEP_PATHS = [f"exercises/{module}.py" for module in STEP_MODULES]
HOSTILE = "docs/`notes`|x <img src=x> ].md"
HOSTILE_NEWLINE = "a\n> [!NOTE]\n[click](https://example.com)\u202e.md"
#: The pull request's files as the GitHub API lists them, in two pages.
PAGES = [
    [
        {"filename": "exercises/preprocessing.py", "status": "modified"},
        {"filename": "exercises/metrics.py", "status": "modified"},
        {"filename": HOSTILE, "status": "added"},
    ],
    [
        {"filename": "exercises/alignment.py", "status": "modified"},
        {"filename": HOSTILE_NEWLINE, "status": "added"},
        {"filename": "notes.md", "previous_filename": "README.md", "status": "renamed"},
    ],
]
CHANGED = [
    "exercises/preprocessing.py", "exercises/metrics.py", HOSTILE,
    "exercises/alignment.py", HOSTILE_NEWLINE, "notes.md", "README.md",
]  # fmt: skip
OUTSIDE = [name for name in CHANGED if name not in STEP_PATHS]
FAKE_GH = """\
#!/usr/bin/env bash
# gh api repos/OWNER/NAME/pulls/N/files --paginate [--jq FILTER]: the fixture's pages.
set -euo pipefail
printf '%s\\n' "$*" >> "$FAKE_GH_LOG"
[ -n "${GH_TOKEN:-}" ] || { echo "gh: no GH_TOKEN" >&2; exit 4; }
[ "$1" = api ] && [ "$2" = "repos/$FAKE_GH_REPOSITORY/pulls/$FAKE_GH_NUMBER/files" ] || exit 1
shift 2
filter=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --paginate) shift ;;
    --jq) filter=$2; shift 2 ;;
    *) echo "gh (fake): unexpected argument $1" >&2; exit 2 ;;
  esac
done
for page in "$FAKE_GH_PAGES"/*.json; do
  if [ -n "$filter" ]; then jq -r "$filter" "$page"; else cat "$page"; fi
done
"""


@pytest.fixture(scope="module", autouse=True)
def _only_with_integrity_flag(request: pytest.FixtureRequest) -> None:
    if not request.config.getoption("--integrity"):
        pytest.skip("template integrity check: run with --integrity (or NER_INTEGRITY=1)")
    missing = [tool for tool in ("jq", "git", "tar") if not shutil.which(tool)]
    if missing:
        pytest.skip(f"the grading scripts need {', '.join(missing)}")


def _environment(**values: str | Path) -> dict[str, str]:
    """This process's environment without the CI's own GitHub files and tokens, plus ``values``."""
    kept = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("GITHUB_", "GH_", "NER_", "RUNNER_", "PYTEST_"))
    }
    return {**kept, "PATH": TOOLS, **{name: str(value) for name, value in values.items()}}


def _script(course: Path, name: str, cwd: Path, *args: str, **env: str | Path):
    return subprocess.run(
        ["bash", str(course / ".github" / "grade" / name), *args], cwd=cwd,
        env=_environment(**env), capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip


def _fake(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    (folder / name).chmod(0o755)
    return folder


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The base branch: the student edition of this template, a git repository."""
    out = tmp_path_factory.mktemp("base") / "course"
    done = subprocess.run(
        [sys.executable, "-m", "solutions.tools.classroom", "export", str(out)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return out


@pytest.fixture(scope="module")
def pull_request(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pull request's checkout: reference steps 1 and 4, the stub of step 2, and step 3 as
    a symbolic link (not a plain file, so never collected)."""
    folder = tmp_path_factory.mktemp("pull-request")
    (folder / "exercises").mkdir()
    for module in ("preprocessing", "metrics"):
        shutil.copyfile(
            PROJECT_ROOT / "solutions" / f"{module}.py", folder / f"exercises/{module}.py"
        )
    shutil.copyfile(PROJECT_ROOT / "exercises" / "alignment.py", folder / "exercises/alignment.py")
    (folder / "exercises" / "training_config.py").symlink_to(
        PROJECT_ROOT / "solutions" / "training_config.py"
    )
    (folder / "notes.md").write_text("notes\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory, course: Path, pull_request: Path):
    """The collect job's workspace after collect.sh, and the fake gh's log."""
    root = tmp_path_factory.mktemp("collect")
    pages = root / "pages"
    pages.mkdir()
    for number, page in enumerate(PAGES, start=1):
        (pages / f"{number}.json").write_text(json.dumps(page), encoding="utf-8")
    fake_bin = _fake(root / "bin", "gh", FAKE_GH)
    workspace, log = root / "workspace", root / "gh.log"
    workspace.mkdir()
    done = _script(
        course, "collect.sh", workspace, PATH=f"{fake_bin}{os.pathsep}{TOOLS}",
        GITHUB_REPOSITORY=REPOSITORY, PR_NUMBER=NUMBER, GH_TOKEN="fake-read-token",
        PR_DIR=pull_request, COURSE_DIR=course, FAKE_GH_LOG=log, FAKE_GH_PAGES=pages,
        FAKE_GH_REPOSITORY=REPOSITORY, FAKE_GH_NUMBER=NUMBER,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return workspace, log


def _grade_workspace(root: Path, collect_workspace: Path) -> Path:
    """A grade job's workspace: the submission artifact, and the course unpacked from it."""
    root.mkdir(parents=True)
    shutil.copytree(collect_workspace / "submission", root / "submission")
    shutil.copyfile(collect_workspace / "course.tar", root / "course.tar")
    subprocess.run(["tar", "-xf", "course.tar"], cwd=root, check=True)
    return root


def _stale_result(workspace: Path) -> Path:
    """A gradebook left from an earlier run, which must never pass for this run's."""
    stale = workspace / "result" / "gradebook.json"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_text(json.dumps({"stale": True}), encoding="utf-8")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    return stale


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory, collected):
    """The grade job's workspace after grade.sh (bubblewrap, steps 1 and 2), and its run."""
    problem = Bubblewrap().problem()
    if problem is not None:
        pytest.skip(f"grade.sh needs a sandbox and bubblewrap cannot run here: {problem}")
    workspace = _grade_workspace(tmp_path_factory.mktemp("grade") / "workspace", collected[0])
    _stale_result(workspace)
    started = time.time()
    done = _script(
        workspace / "course", "grade.sh", workspace, GRADE_SANDBOX="bwrap", GRADE_STEPS="1,2",
        GRADE_JOBS="2", PYTHON=sys.executable,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return workspace, started, done


def _comment(course: Path, workspace: Path, **env: str | Path):
    """Run comment.sh in ``workspace`` (holding changes/ and result/); the run, the comment,
    the step outputs and the job summary."""
    output, summary = workspace / "github-output", workspace / "step-summary.md"
    for path in (output, summary):
        path.write_text("", encoding="utf-8")
    done = _script(
        course, "comment.sh", workspace, GITHUB_OUTPUT=output, GITHUB_STEP_SUMMARY=summary,
        **env,
    )  # fmt: skip
    comment = workspace / "comment.md"
    text = comment.read_text(encoding="utf-8") if comment.exists() else ""
    return done, text, _outputs(output.read_text(encoding="utf-8")), summary.read_text("utf-8")


@pytest.fixture(scope="module")
def commented(tmp_path_factory: pytest.TempPathFactory, course: Path, collected):
    """comment.sh run twice in the comment job's workspace: the collected changes, and a
    result as the grader writes it (so these checks need no sandbox)."""
    runs = []
    for attempt in (1, 2):
        workspace = tmp_path_factory.mktemp(f"comment-{attempt}")
        shutil.copytree(collected[0] / "changes", workspace / "changes")
        _write_result(workspace / "result", _grades())
        runs.append(_comment(course, workspace))
    return runs


def _outputs(text: str) -> dict[str, dict[str, str]]:
    """``$GITHUB_OUTPUT`` read as the runner reads it: ``name -> {"value", "delimiter"}``."""
    values, lines = {}, iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body = []
            for inner in lines:
                if inner == delimiter:
                    break
                body.append(inner)
            else:
                raise AssertionError(f"{name}: the delimiter {delimiter!r} never closes")
            values[name] = {"value": "\n".join(body), "delimiter": delimiter}
        elif line:
            name, value = line.split("=", 1)
            values[name] = {"value": value, "delimiter": ""}
    return values


def _shown(name: str) -> str:
    """How the comment must show a file name: invisible characters as ``\\uXXXX``, cut at 120."""
    name = name if len(name) <= 120 else name[:120] + "…"
    invisible = re.compile("[\x00-\x1f\x7f-\x9f\xad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
    return invisible.sub(lambda match: f"\\u{ord(match[0]):04x}", name)


def _listed(comment: str) -> list[str]:
    return [line for line in comment.splitlines() if line.startswith("> - ")]


def test_collect_copies_only_plain_step_files_and_lists_every_changed_file(collected, course):
    workspace, log = collected
    copied = sorted(path.name for path in (workspace / "submission" / "exercises").iterdir())
    assert copied == ["alignment.py", "metrics.py", "preprocessing.py"]  # not the link
    assert (workspace / "submission" / "exercises" / "metrics.py").read_text() == (
        PROJECT_ROOT / "solutions" / "metrics.py"
    ).read_text()
    lines = (workspace / "changes" / "changed-files.jsonl").read_text("utf-8").splitlines()
    assert [json.loads(line) for line in lines] == CHANGED  # one line per name, newline or not
    call = log.read_text(encoding="utf-8")
    assert call.startswith(f"api repos/{REPOSITORY}/pulls/{NUMBER}/files --paginate --jq ")
    with tarfile.open(workspace / "course.tar") as archive:
        names = set(archive.getnames())
        stub = archive.extractfile("course/exercises/metrics.py").read().decode()
    assert {f"course/.github/grade/{script}" for script in SCRIPTS} <= names
    assert "course/solutions/tools/classroom/__main__.py" in names
    assert stub == (course / "exercises" / "metrics.py").read_text()  # the base's, not the PR's


def test_grade_writes_a_fresh_gradebook_once_grading_is_done(graded):
    workspace, started, done = graded
    result = workspace / "result"
    assert sorted(path.name for path in result.iterdir()) == [
        "gradebook.csv", "gradebook.json", "summary.md",
    ]  # fmt: skip
    gradebook = json.loads((result / "gradebook.json").read_text(encoding="utf-8"))
    assert "stale" not in gradebook
    assert (result / "gradebook.json").stat().st_mtime >= started
    assert gradebook["sandbox"].startswith("bubblewrap"), gradebook["sandbox"]
    (student,) = gradebook["students"]
    assert student["student"] == "submission"
    assert sorted(student["steps"]) == ["1", "2"]
    step1, step2 = student["steps"]["1"], student["steps"]["2"]
    assert step1["total"] > 0 and step1["passed"] == step1["total"], step1["flags"]
    assert step2["total"] > 0 and step2["passed"] == 0  # the stub
    assert "submission: step 1" in done.stderr  # graded before the gradebook was written


def test_grade_refuses_without_a_sandbox_and_leaves_no_gradebook(tmp_path: Path, collected):
    workspace = _grade_workspace(tmp_path / "workspace", collected[0])
    stale = _stale_result(workspace)
    no_daemon = "#!/bin/sh\necho 'Cannot connect to the Docker daemon' >&2\nexit 1\n"
    fake_bin = _fake(tmp_path / "bin", "docker", no_daemon)
    done = _script(
        workspace / "course", "grade.sh", workspace, GRADE_SANDBOX="docker",
        PYTHON=sys.executable, PATH=f"{fake_bin}{os.pathsep}{TOOLS}",
    )  # fmt: skip
    assert done.returncode != 0
    assert "no sandbox can be used" in done.stderr, done.stderr
    assert not stale.exists() and not stale.parent.exists()
    unsafe = _script(
        workspace / "course", "grade.sh", workspace, GRADE_SANDBOX="none", PYTHON=sys.executable
    )
    assert unsafe.returncode != 0 and "GRADE_SANDBOX must be" in unsafe.stderr


def test_grade_image_builds_the_docker_image_of_the_base_course(tmp_path: Path, collected):
    workspace = _grade_workspace(tmp_path / "workspace", collected[0])
    record = tmp_path / "docker.log"
    fake_docker = f'#!/bin/sh\necho "$*" > "{record}"\ncat Dockerfile >> "{record}"\n'
    fake_bin = _fake(tmp_path / "bin", "docker", fake_docker)
    done = _script(
        workspace / "course", "grade.sh", workspace, "image", DOCKER_IMAGE="ner-course-grader",
        PYTHON=sys.executable, PATH=f"{fake_bin}{os.pathsep}{TOOLS}",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    command, dockerfile = record.read_text(encoding="utf-8").split("\n", 1)
    assert command == "build --tag ner-course-grader ."
    assert dockerfile.startswith("FROM python:") and "USER 65534:65534" in dockerfile


class _Rendered(HTMLParser):
    """The tags of rendered HTML, and the text inside each ``<code>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.code: list[str] = []
        self._in_code = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        if tag == "code":
            self._in_code = True
            self.code.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "code":
            self._in_code = False

    def handle_data(self, data: str) -> None:
        if self._in_code:
            self.code[-1] += data


def test_comment_lists_hostile_file_names_escaped(commented):
    _, comment, _, _ = commented[0]
    listed = _listed(comment)
    assert len(listed) == len(OUTSIDE)
    for line, name in zip(listed, OUTSIDE, strict=True):
        match = re.fullmatch(r"> - <code>((?:[A-Za-z0-9]|&#[0-9]+;)*)</code>", line)
        assert match, f"not escaped: {line!r}"
        assert html.unescape(match[1]) == _shown(name)
    for raw in ("`", "<img", "|x", "]", "[click]", "\u202e"):
        assert raw not in "\n".join(listed), raw
    assert HOSTILE not in comment and "<img" not in comment
    markdown_it = pytest.importorskip("markdown_it")
    rendered = _Rendered()
    rendered.feed(
        markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").render(comment)
    )
    assert "img" not in rendered.tags and "a" not in rendered.tags
    assert rendered.code[: len(OUTSIDE)] == [_shown(name) for name in OUTSIDE]


def test_comment_outputs_end_at_a_random_delimiter(commented):
    (_, _, first, _), (_, _, second, _) = commented
    delimiters = [outputs["outside"]["delimiter"] for outputs in (first, second)]
    for delimiter in delimiters:
        assert re.fullmatch(r"ghadelimiter_[0-9a-f]{32}", delimiter), delimiter
    assert delimiters[0] != delimiters[1]
    names = [json.loads(line) for line in first["outside"]["value"].splitlines()]
    assert names == OUTSIDE
    assert first["graded"]["value"] == "true"
    assert first["outside_count"]["value"] == str(len(OUTSIDE))
    assert first["flagged"]["value"].isdigit()


def test_comment_fails_a_pull_request_that_changes_files_outside_exercises(commented):
    done, comment, _, summary = commented[0]
    assert done.returncode == 1
    assert "besides the four step files" in done.stderr
    assert comment.startswith("<!-- ner-course-grade -->\n")
    assert "| submission | 3/4 | 18.75/25 |" in comment  # the grader's summary
    assert "advice for the instructor" in comment
    assert summary == comment


def test_the_three_jobs_in_a_row(tmp_path: Path, course: Path, collected, graded):
    """collect.sh, grade.sh (bubblewrap), comment.sh: the real gradebook in the comment."""
    shutil.copytree(collected[0] / "changes", tmp_path / "changes")
    shutil.copytree(graded[0] / "result", tmp_path / "result")
    done, comment, outputs, _ = _comment(course, tmp_path)
    assert done.returncode == 1  # the fixture changes files outside exercises/
    gradebook = json.loads((tmp_path / "result" / "gradebook.json").read_text(encoding="utf-8"))
    steps = gradebook["students"][0]["steps"]
    row = f"| submission | {steps['1']['total']}/{steps['1']['total']} | 0/{steps['2']['total']} |"
    assert row in comment
    assert len(_listed(comment)) == len(OUTSIDE)
    assert outputs["graded"]["value"] == "true"
    assert float(outputs["points"]["value"]) == gradebook["students"][0]["points"]


SANDBOX = "bubblewrap 0.8.0 (namespaces)"


def _grades() -> list[grader.Grade]:
    """One student's grade: step 1 partly passed and flagged."""
    step = grader.StepGrade(1, 3, 4, 18.75, flags=["advice: the step file imports os"])
    return [grader.Grade("submission", "/tmp/submission", "", {1: step})]


def _gradebook(sandbox: str = SANDBOX) -> dict:
    """A gradebook as the grader writes it."""
    return grader.gradebook_json(_grades(), grader.Config(), sandbox)


def _write_result(folder: Path, grades: list[grader.Grade]) -> None:
    """result/ as the grader writes it: gradebook.json and summary.md."""
    folder.mkdir(parents=True)
    data = grader.gradebook_json(grades, grader.Config(), SANDBOX)
    (folder / "gradebook.json").write_text(json.dumps(data), encoding="utf-8")
    summary = grader.gradebook_markdown(grades, grader.Config(), SANDBOX)
    (folder / "summary.md").write_text(summary, encoding="utf-8")


def _comment_workspace(tmp_path: Path, changed: list[str], gradebook: dict | str | None) -> Path:
    (tmp_path / "changes").mkdir()
    lines = "".join(json.dumps(name) + "\n" for name in changed)
    (tmp_path / "changes" / "changed-files.jsonl").write_text(lines, encoding="utf-8")
    if gradebook is not None:
        (tmp_path / "result").mkdir()
        text = gradebook if isinstance(gradebook, str) else json.dumps(gradebook)
        (tmp_path / "result" / "gradebook.json").write_text(text, encoding="utf-8")
    return tmp_path


def test_comment_passes_a_pull_request_of_step_files_and_flags_only_advise(
    tmp_path: Path, course: Path
):
    workspace = _comment_workspace(tmp_path, STEP_PATHS[:2], _gradebook())
    done, comment, outputs, _ = _comment(course, workspace)
    assert done.returncode == 0, done.stderr
    assert "advice for the instructor" in comment and not _listed(comment)
    assert outputs["flagged"]["value"] == "1" and outputs["outside"]["value"] == ""
    assert outputs["points"]["value"] == "18.75"


@pytest.mark.parametrize(
    "gradebook",
    [None, "{not json", json.dumps({"students": []}), _gradebook(sandbox="none (unsafe)")],
    ids=["missing", "unreadable", "no-student", "no-sandbox"],
)
def test_comment_fails_the_check_without_a_usable_gradebook(
    tmp_path: Path, course: Path, gradebook
):
    workspace = _comment_workspace(tmp_path, STEP_PATHS, gradebook)
    done, comment, outputs, _ = _comment(course, workspace)
    assert done.returncode == 1
    assert "::error::" in done.stderr
    assert comment.startswith("<!-- ner-course-grade -->\n")
    assert "No grade" in comment
    assert outputs["graded"]["value"] == "false"
    assert outputs["flagged"]["value"] != "0"


def test_comment_fails_the_check_when_the_changed_files_cannot_be_read(
    tmp_path: Path, course: Path
):
    workspace = _comment_workspace(tmp_path, STEP_PATHS, _gradebook())
    (workspace / "changes" / "changed-files.jsonl").write_text("not json\n", encoding="utf-8")
    done, comment, _, _ = _comment(course, workspace)
    assert done.returncode == 1 and "could not be read" in comment
    (workspace / "changes" / "changed-files.jsonl").unlink()
    assert _comment(course, workspace)[0].returncode == 1


def test_the_scripts_pass_shellcheck():
    shellcheck = shutil.which("shellcheck", path=TOOLS)
    if shellcheck is None:
        pytest.skip("shellcheck is not installed (pip install -e '.[dev]')")
    scripts = [str(PROJECT_ROOT / ".github" / "grade" / name) for name in SCRIPTS]
    done = subprocess.run([shellcheck, *scripts], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_workflow_passes_actionlint():
    actionlint = shutil.which("actionlint", path=TOOLS)
    if actionlint is None:
        pytest.skip("actionlint is not installed (pip install -e '.[dev]')")
    done = subprocess.run(
        [actionlint, str(WORKFLOW)], cwd=PROJECT_ROOT, env=_environment(), capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_workflow_runs_the_base_branch_scripts_and_grades_in_docker():
    yaml = pytest.importorskip("yaml")
    jobs = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]
    assert jobs["grade"]["permissions"] == {}
    runs = {
        name: [step["run"] for step in job["steps"] if "run" in step] for name, job in jobs.items()
    }
    assert runs["collect"] == ["bash course/.github/grade/collect.sh"]
    assert runs["comment"] == ["bash course/.github/grade/comment.sh"]
    assert runs["grade"] == [
        "tar -xf course.tar",
        "bash course/.github/grade/grade.sh install",
        "bash course/.github/grade/grade.sh image",
        "bash course/.github/grade/grade.sh grade",
    ]
    grading = next(
        step for step in jobs["grade"]["steps"] if step.get("run", "").endswith(" grade")
    )
    assert grading["env"]["GRADE_SANDBOX"] == "docker"
    assert "--unsafe-no-sandbox" not in WORKFLOW.read_text(encoding="utf-8")
    for script in SCRIPTS:
        assert (PROJECT_ROOT / ".github" / "grade" / script).is_file(), script
