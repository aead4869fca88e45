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
    test_file = next((PROJECT_ROOT / "tests").glob(f"test_step{step.number}_*.py"))
    names = [
        node.name
        for node in ast.walk(ast.parse(test_file.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    ]
    numbers = {hint_number(name) for name in names}
    assert None not in numbers, f"{test_file.name}: every test name starts test_{step.number}_N_"
    missing = sorted(numbers - set(hints))
    assert not missing, f"{step.hint_file.name} lacks hints {missing} used by {test_file.name}"
    foreign = sorted(n for n in numbers if not n.startswith(f"{step.number}."))
    assert not foreign, f"{test_file.name} uses other steps' numbers {foreign}"


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
