"""The grader against hostile submissions: each attack scores 0, alone, and leaves nothing.

One grading run holds every attack of ``grading_attacks`` (one step file each) between two
honest controls (the reference, all four steps), graded two at a time as a class would be.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from solutions.tools.classroom import grader, runner
from solutions.tools.classroom.edition import export_edition
from solutions.tools.classroom.sandbox import Bubblewrap, Docker, Limits, StepFiles, choose
from solutions.tools.classroom.sources import load_submission
from solutions.tools.implementation import STEP_MODULES
from tests.harness.steps import PROJECT_ROOT
from tests.template.grading_attacks import ATTACKS, ESCAPED, attack_file, with_function_body

pytestmark = [pytest.mark.pipeline, pytest.mark.timeout(900)]

REFERENCE = {n: (PROJECT_ROOT / "solutions" / f"{m}.py").read_text() for n, m in
             enumerate(STEP_MODULES, start=1)}  # fmt: skip
LIMITS = Limits(seconds=90, test_seconds=4, import_seconds=20)


def _bwrap_problem() -> str | None:
    return Bubblewrap().problem()


needs_bwrap = pytest.mark.skipif(
    _bwrap_problem() is not None, reason=f"no bubblewrap sandbox here: {_bwrap_problem()}"
)


def _write(folder: Path, files: dict[int, str]) -> Path:
    (folder / "exercises").mkdir(parents=True)
    for step, source in files.items():
        (folder / "exercises" / f"{STEP_MODULES[step - 1]}.py").write_text(source, "utf-8")
    return folder


def _leftovers() -> dict[str, set[str]]:
    """What a grading run could leave behind: folders, cgroups, processes, escape markers."""
    tmp = Path("/tmp")
    cgroups = Path("/sys/fs/cgroup/pids")
    processes = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    return {
        "folders": {p.name for p in tmp.glob("ner-grading-*")},
        "cgroups": {p.name for p in cgroups.glob("ner-grade-*")} if cgroups.is_dir() else set(),
        "workers": {line for line in processes.splitlines() if "tests.harness.worker" in line},
        "escaped": {str(p) for p in tmp.glob(Path(ESCAPED).name + "*")},
        "copies": {
            str(path)
            for folder in (tmp, PROJECT_ROOT, PROJECT_ROOT.parent, Path.home())
            for path in folder.glob("ner-attack-*")
        },
    }


@pytest.fixture(scope="module")
def attacked(tmp_path_factory: pytest.TempPathFactory):
    """Grade every attack between two honest controls; what was there before and after."""
    if _bwrap_problem() is not None:
        pytest.skip(f"no bubblewrap sandbox here: {_bwrap_problem()}")
    root = tmp_path_factory.mktemp("class")
    for stale in Path("/tmp").glob(Path(ESCAPED).name + "*"):
        stale.unlink()
    before = _leftovers()
    names = ["control-first", *ATTACKS, "control-last"]
    submissions = []
    for name in names:
        files = REFERENCE if name.startswith("control") else {
            ATTACKS[name][0]: attack_file(*ATTACKS[name])
        }  # fmt: skip
        submissions.append(load_submission(name, str(_write(root / name, files)), root))
    config = grader.Config(limits=LIMITS)
    grades = grader.grade_all(PROJECT_ROOT, submissions, config, Bubblewrap(), jobs=2)
    return {grade.student: grade for grade in grades}, before, _leftovers()


@needs_bwrap
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_each_attack_scores_zero(attacked, attack):
    grades, _, _ = attacked
    step = ATTACKS[attack][0]
    graded = grades[attack].steps[step]
    assert (graded.passed, graded.points) == (0, 0), (
        f"{attack} (step {step}) scored {graded.passed}/{graded.total}: "
        f"{[t for t, o in graded.tests.items() if o == 'passed'][:5]}"
    )
    assert grades[attack].points == 0, f"{attack}: {grades[attack]}"


@needs_bwrap
@pytest.mark.parametrize("control", ["control-first", "control-last"])
def test_honest_controls_keep_their_exact_scores(attacked, control):
    grades, _, _ = attacked
    for number, step in grades[control].steps.items():
        failed = [t for t, o in step.tests.items() if o != "passed"]
        assert step.passed == step.total and step.points == 25, (
            f"{control}, step {number}: {step.passed}/{step.total}, failed: {failed[:5]}"
        )


@needs_bwrap
@pytest.mark.parametrize("kind", ["folders", "cgroups", "workers", "escaped", "copies"])
def test_nothing_is_left_behind(attacked, kind):
    _, before, after = attacked
    left = sorted(after[kind] - before[kind])
    assert not left, f"left behind ({kind}): {left}"


@needs_bwrap
def test_time_outs_and_broken_imports_are_reported_to_the_instructor(attacked):
    grades, _, _ = attacked
    sleeping = grades["sleep-at-import"].steps[4].flags
    assert any("did not import" in flag for flag in sleeping), sleeping
    bomb = grades["fork-bomb"].steps[2].flags
    assert any("ran past the 4 s limit" in flag for flag in bomb), bomb


def test_without_a_sandbox_no_grade_is_written(monkeypatch):
    monkeypatch.setattr(Bubblewrap, "problem", lambda self: "no namespaces in this test")
    monkeypatch.setattr(Docker, "problem", lambda self: "no docker in this test")
    with pytest.raises(ValueError, match="--unsafe-no-sandbox") as error:
        choose("auto")
    assert "no namespaces in this test" in str(error.value), str(error.value)
    assert choose("auto", unsafe=True).describe().startswith("none (--unsafe-no-sandbox")


def test_the_docker_sandbox_is_locked_down(tmp_path):
    files = StepFiles(tmp_path / "edition", tmp_path / "trusted", 2, "alignment",
                      tmp_path / "alignment.py", tmp_path / "scratch")  # fmt: skip
    launch = Docker("img").launch(files, Limits(processes=50, memory_mb=1000))
    command = " ".join(launch.start)
    for option in ("--network none", "--read-only", "--pids-limit 50", "--memory 1000m",
                   "--cpus 1", "--cap-drop ALL", "--user 65534:65534", "--tmpfs /tmp:rw,size=",
                   f"{tmp_path / 'edition'}:{tmp_path / 'trusted'}:ro"):  # fmt: skip
        assert option in command, f"{option!r} missing from: {command}"
    assert "hidden" not in command and str(PROJECT_ROOT) not in command, command
    assert launch.stop == ["docker", "rm", "-f", "{name}"], launch.stop


@needs_bwrap
def test_the_bubblewrap_sandbox_sees_no_template_and_no_network(tmp_path):
    edition = tmp_path / "edition"
    (edition / "exercises").mkdir(parents=True)
    (edition / "exercises" / "alignment.py").write_text("")
    step_file = tmp_path / "alignment.py"
    step_file.write_text("")
    files = StepFiles(edition, tmp_path / "trusted", 2, "alignment", step_file, tmp_path / "s")
    engine = Bubblewrap()
    start = engine.launch(files, Limits()).start
    probe = (
        "import os, socket\n"
        f"print(os.path.exists({str(PROJECT_ROOT / 'solutions')!r}), sorted(os.environ))\n"
        "try:\n    socket.create_connection(('127.0.0.1', 22), timeout=1); print('net')\n"
        "except OSError: print('no net')\n"
    )
    worker = start.index("-m")
    name = "ner-grade-probe"
    command = [part.replace("{name}", name) for part in start[:worker]] + ["-c", probe]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    engine.clean_up(final=True)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("False"), f"the template is visible: {lines}"
    assert "NER_" not in lines[0] and "HOME" in lines[0], lines[0]
    assert lines[1] == "no net", lines


#: An honest, unfinished class mate: each step has one function still wrong.
PARTIAL = {
    1: with_function_body(REFERENCE[1], "dataset_statistics", "return {}"),
    2: with_function_body(REFERENCE[2], "merge_windows", "raise ValueError('not done')"),
    3: with_function_body(REFERENCE[3], "choose_max_seq_length", "return 128"),
    4: with_function_body(REFERENCE[4], "find_errors", "return []"),
}


@needs_bwrap
def test_an_honest_partial_submission_scores_the_same_in_both_modes(tmp_path):
    """Every test's outcome in the sandbox equals its outcome in a student's own run."""
    submission = load_submission("partial", str(_write(tmp_path / "partial", PARTIAL)), tmp_path)
    config = grader.Config(limits=LIMITS)
    grade = grader.grade_all(PROJECT_ROOT, [submission], config, Bubblewrap(), jobs=1)[0]
    local_tree = tmp_path / "local"
    export_edition(PROJECT_ROOT, local_tree)
    for step, source in PARTIAL.items():
        (local_tree / "exercises" / f"{STEP_MODULES[step - 1]}.py").write_text(source, "utf-8")
    (tmp_path / "scratch").mkdir()
    local = runner.run_tests(local_tree, None, tmp_path / "scratch", [1, 2, 3, 4], 600, 10)
    for number, step in grade.steps.items():
        assert 0 < step.passed < step.total, f"step {number} is not partial: {step}"
        differ = {
            test: (outcome, local.outcomes.get(test, "not run"))
            for test, outcome in step.tests.items()
            if local.outcomes.get(test, "not run") != outcome
        }
        assert not differ, f"step {number}: (sandbox, local) outcomes differ: {differ}"


def test_an_installed_copy_of_the_reference_is_hidden_from_the_sandbox(tmp_path, monkeypatch):
    """A non-editable install puts ``solutions/`` into site-packages: the sandbox masks it."""
    from solutions.tools.classroom import sandbox

    site = tmp_path / "venv" / "lib" / "python3.11" / "site-packages" / "solutions"
    site.mkdir(parents=True)
    (site / "preprocessing.py").write_text("def read_conll(path): ...\n")
    monkeypatch.setattr(sandbox, "_python_prefixes", lambda: [tmp_path / "venv"])
    assert site in sandbox._reference_copies(), sandbox._reference_copies()


def test_the_private_tmp_goes_under_the_python_views(tmp_path):
    """A virtual environment under /tmp (a CI clone) stays visible over the sandbox's /tmp."""
    files = StepFiles(tmp_path / "edition", tmp_path / "trusted", 1, "preprocessing",
                      tmp_path / "preprocessing.py", tmp_path / "scratch")  # fmt: skip
    start = Bubblewrap().launch(files, Limits()).start
    tmpfs = start.index("--tmpfs")
    python = start.index(str(Path(sys.prefix)))
    assert start[tmpfs + 1] == "/tmp" and tmpfs < python, start
