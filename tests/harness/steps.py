"""The four course steps, their test files and how to load one implementation of them.

>>> STEPS[2].module
'alignment'
>>> STEPS[2].owns_test_file("tests/hidden/test_step2_more.py")
True
"""

from __future__ import annotations

import importlib
import traceback
from dataclasses import dataclass
from pathlib import Path, PurePath
from types import ModuleType

PROJECT_ROOT = Path(__file__).resolve().parents[2]
IMPLEMENTATIONS = ("exercises", "solutions")
REFERENCE = "solutions"


@dataclass(frozen=True)
class Step:
    """One step of the course: its number, module name and title."""

    number: int
    module: str
    title: str

    @property
    def marker(self) -> str:
        return f"step{self.number}"

    @property
    def hint_file(self) -> Path:
        return PROJECT_ROOT / "exercises" / "hints" / f"step{self.number}.md"

    def owns_test_file(self, path: str | PurePath) -> bool:
        """Whether ``path`` is one of this step's test files (``test_stepN_*.py``)."""
        return PurePath(path).name.startswith(f"test_step{self.number}_")


STEPS: dict[int, Step] = {
    step.number: step
    for step in (
        Step(1, "preprocessing", "data preprocessing"),
        Step(2, "alignment", "tokenization and label alignment"),
        Step(3, "training_config", "training configuration"),
        Step(4, "metrics", "evaluation metrics"),
    )
}


class StepImportError(Exception):
    """A step module exists but cannot be imported (syntax error, bad import, ...)."""


def load_step(implementation: str, step: Step) -> ModuleType:
    """Import ``<implementation>.<step module>``, turning a crash into one clear error.

    The error names the file and the line where the import failed, e.g.
    ``exercises/alignment.py, line 12: SyntaxError: invalid syntax``.
    """
    name = f"{implementation}.{step.module}"
    try:
        return importlib.import_module(name)
    except Exception as error:  # a student's module may fail in any way at import time
        raise StepImportError(
            f"{_where(implementation, step, error)}: {type(error).__name__}: {error}"
        ) from error


def _where(implementation: str, step: Step, error: Exception) -> str:
    """``exercises/alignment.py, line 12``: the failing line in the step's own file, if any."""
    relative = f"{implementation}/{step.module}.py"
    if isinstance(error, SyntaxError) and error.lineno:
        return f"{relative}, line {error.lineno}"
    lines = [
        frame.lineno
        for frame in traceback.extract_tb(error.__traceback__)
        if PurePath(frame.filename).as_posix().endswith(relative)
    ]
    return f"{relative}, line {lines[-1]}" if lines else f"{relative} cannot be imported"


def step_of(marker_names: set[str]) -> Step | None:
    """The step whose marker is among ``marker_names``, if any."""
    for step in STEPS.values():
        if step.marker in marker_names:
            return step
    return None
