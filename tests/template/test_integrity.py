"""Checks that guard the template itself, not a student's work (run with ``--integrity``).

They belong in the template repository's own CI: a student's fork that solves the steps would
rightly fail "every step fails on the untouched stubs".
"""

from __future__ import annotations

import ast
import inspect
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.harness.hints import hint_number, read_hints
from tests.harness.steps import PROJECT_ROOT, STEPS, Step, load_step

pytestmark = pytest.mark.integrity


@pytest.fixture(autouse=True)
def _only_with_integrity_flag(request: pytest.FixtureRequest) -> None:
    if not request.config.getoption("--integrity"):
        pytest.skip("template integrity check: run with --integrity (or NER_INTEGRITY=1)")


def _public_api(module: ModuleType) -> dict[str, tuple[str, str]]:
    """Public functions and classes defined in ``module``: name -> (signature, docstring)."""
    api = {}
    for name, value in vars(module).items():
        defined_here = getattr(value, "__module__", None) == module.__name__
        if name.startswith("_") or not defined_here:
            continue
        if inspect.isfunction(value) or inspect.isclass(value):
            api[name] = (str(inspect.signature(value)), inspect.getdoc(value) or "")
    return api


@pytest.mark.parametrize("step", STEPS.values(), ids=lambda s: f"step{s.number}-{s.module}")
def test_exercises_and_solutions_expose_the_same_api(step: Step) -> None:
    stub_api = _public_api(load_step("exercises", step))
    reference_api = _public_api(load_step("solutions", step))
    assert stub_api, f"exercises/{step.module}.py defines no public function"
    assert sorted(stub_api) == sorted(reference_api), (
        f"public names differ in step {step.number}\n"
        f"only in exercises: {sorted(set(stub_api) - set(reference_api))}\n"
        f"only in solutions: {sorted(set(reference_api) - set(stub_api))}"
    )
    for name, (signature, doc) in stub_api.items():
        ref_signature, ref_doc = reference_api[name]
        assert signature == ref_signature, (
            f"{step.module}.{name}: exercises{signature} != solutions{ref_signature}"
        )
        assert doc == ref_doc, f"{step.module}.{name}: the docstrings differ"
        assert doc.strip(), f"{step.module}.{name} has no docstring"


def _stub_functions(step: Step) -> list[str]:
    """Names of the exercise functions whose body raises NotImplementedError."""
    source = (PROJECT_ROOT / "exercises" / f"{step.module}.py").read_text(encoding="utf-8")
    return [
        node.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef)
        and any(isinstance(child, ast.Raise) for child in ast.walk(node))
        and "NotImplementedError" in ast.unparse(node)
    ]


@pytest.mark.parametrize("step", STEPS.values(), ids=lambda s: f"step{s.number}-{s.module}")
def test_every_stub_names_its_step_and_function(step: Step) -> None:
    module = load_step("exercises", step)
    stubs = _stub_functions(step)
    assert stubs, f"exercises/{step.module}.py has no stub to write"
    for name in stubs:
        source = inspect.getsource(getattr(module, name))
        expected = f'NotImplementedError("step {step.number}: {name}() is not written yet")'
        assert expected in source, f"{step.module}.{name}: its stub should raise {expected}"


@pytest.mark.parametrize("step", STEPS.values(), ids=lambda s: f"step{s.number}-{s.module}")
def test_every_exercise_number_has_a_hint(step: Step, request: pytest.FixtureRequest) -> None:
    hints = read_hints(step.hint_file)
    assert hints, f"{step.hint_file} has no '## {step.number}.N' sections"
    test_files = sorted((PROJECT_ROOT / "tests").glob(f"test_step{step.number}_*.py"))
    assert test_files, f"no tests/test_step{step.number}_*.py"
    for test_file in test_files:
        names = [
            node.name
            for node in ast.walk(ast.parse(test_file.read_text(encoding="utf-8")))
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
        ]
        numbers = {hint_number(name) for name in names}
        assert None not in numbers, (
            f"{test_file.name}: every test name starts test_{step.number}_N_"
        )
        missing = sorted(numbers - set(hints))
        assert not missing, f"{step.hint_file.name} lacks hints {missing} used by {test_file.name}"
        foreign = sorted(n for n in numbers if not n.startswith(f"{step.number}."))
        assert not foreign, f"{test_file.name} uses other steps' numbers {foreign}"


#: Candidates for the tag rule of steps 1, 2 and 4: which are tags, which are not.
TAG_CANDIDATES = {
    "O": True,
    "B-PER": True,
    "I-geo": True,
    "B-e-mail": True,
    "I-ÜBER": True,
    "B-1": True,
    "B-PER ": False,
    "B- PER": False,
    "I-NEW YORK": False,
    "B-PER\u00a0": False,
    "O ": False,
    "Other": False,
    "b-per": False,
    "B-": False,
    "B_PER": False,
    "E-ORG": False,
    "PERSON": False,
    "": False,
}


def test_steps_1_2_and_4_share_one_tag_rule() -> None:
    """The reference steps accept the same tags and name a bad one in the same words."""
    step1, step2, step4 = (load_step("solutions", STEPS[number]) for number in (1, 2, 4))
    checks = {
        "build_label_list": lambda tag: step1.build_label_list([tag]),
        "tags_to_spans": lambda tag: step2.tags_to_spans([tag]),
        "entity_scores": lambda tag: step4.entity_scores([[tag]], [[tag]]),
    }
    problems = []
    for tag, is_tag in TAG_CANDIDATES.items():
        for name, check in checks.items():
            try:
                check(tag)
            except ValueError as error:
                if is_tag:
                    problems.append(f"{name} rejects {tag!r}: {error}")
                elif f"bad tag {tag!r}; a tag is 'O', 'B-<type>' or 'I-<type>'" not in str(error):
                    problems.append(f"{name}({tag!r}) says it otherwise: {error}")
            else:
                if not is_tag:
                    problems.append(f"{name} accepts {tag!r}")
    assert not problems, "\n".join(problems)
    told = {}
    for implementation in ("solutions", "exercises"):
        for number in (1, 2, 4):
            doc = load_step(implementation, STEPS[number]).__doc__ or ""
            start = doc.find("The tag rule, the same in steps 1, 2 and 4:")
            told[f"{implementation}/{STEPS[number].module}.py"] = (
                doc[start:].split("\n\n")[0].strip() if start >= 0 else None
            )
    assert None not in told.values(), f"module docstrings without the tag rule: {told}"
    assert len(set(told.values())) == 1, f"the tag rule is told differently: {told}"


def test_every_step_test_fails_on_the_untouched_stubs(tmp_path: Path) -> None:
    report = tmp_path / "progress.json"
    selection = " or ".join(step.marker for step in STEPS.values())
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-m",
            selection,
            "--impl=exercises",
            "-q",
            "-p",
            "no:cacheprovider",
            f"--progress-json={report}",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert report.is_file(), f"the stub run wrote no report:\n{completed.stdout[-3000:]}"
    steps = {entry["step"]: entry for entry in json.loads(report.read_text())["steps"]}
    for number, step in STEPS.items():
        result = steps.get(number)
        assert result and result["total"] > 0, f"step {number} ({step.module}) ran no test"
        passing = [name for name, outcome in result["tests"].items() if outcome == "passed"]
        assert not passing, f"step {number} tests pass on the untouched stubs: {passing}"


def test_solutions_mirror_exercises_file_by_file() -> None:
    step_files = {f"{step.module}.py" for step in STEPS.values()}
    exercises = {p.name for p in (PROJECT_ROOT / "exercises").glob("*.py")} - {"__init__.py"}
    solutions = {p.name for p in (PROJECT_ROOT / "solutions").glob("*.py")} - {"__init__.py"}
    assert exercises == step_files, f"exercises/ holds {sorted(exercises)}"
    assert solutions == step_files, (
        f"solutions/ should hold the four reference steps beside tools/, got {sorted(solutions)}"
    )


@pytest.mark.parametrize("step", STEPS.values(), ids=lambda s: f"step{s.number}-{s.module}")
def test_step_tests_use_no_other_steps_code(step: Step) -> None:
    """Each step is graded alone, also where the reference is absent (the student edition)."""
    for test_file in (PROJECT_ROOT / "tests").glob(f"test_step{step.number}_*.py"):
        tree = ast.parse(test_file.read_text(encoding="utf-8"))
        imported = {
            alias.name if isinstance(node, ast.Import) else node.module or ""
            for node in ast.walk(tree)
            if isinstance(node, (ast.Import, ast.ImportFrom))
            for alias in getattr(node, "names", [])
        }
        reaching = sorted(
            name for name in imported if name.split(".")[0] in {"solutions", "exercises"}
        )
        assert not reaching, f"{test_file.name} imports {reaching}"
        uses_reference = any(
            isinstance(node, ast.arg) and node.arg == "reference" for node in ast.walk(tree)
        )
        assert not uses_reference, f"{test_file.name} uses the reference fixture"
