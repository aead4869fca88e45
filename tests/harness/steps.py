"""The four course steps and how to load one implementation of them.

>>> STEPS[2].module
'alignment'
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
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
    """Import ``<implementation>.<step module>``, turning a crash into one clear error."""
    name = f"{implementation}.{step.module}"
    try:
        return importlib.import_module(name)
    except Exception as error:  # a student's module may fail in any way at import time
        where = ""
        if isinstance(error, SyntaxError) and error.lineno:
            where = f" (line {error.lineno})"
        raise StepImportError(
            f"{implementation}/{step.module}.py cannot be imported{where}: "
            f"{type(error).__name__}: {error}"
        ) from error


def step_of(marker_names: set[str]) -> Step | None:
    """The step whose marker is among ``marker_names``, if any."""
    for step in STEPS.values():
        if step.marker in marker_names:
            return step
    return None
