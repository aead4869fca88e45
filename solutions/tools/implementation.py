"""Choose whose step functions the tools run: the reference ``solutions`` or ``exercises``.

Training, evaluation and prediction are written once, against the four step modules. The
``--impl`` flag chooses the package they come from, so a student trains a real model with
their own code. The student edition of the course ships no reference steps; there the
default is ``exercises``:

>>> steps = load_implementation("solutions")
>>> steps.alignment.tags_to_spans(["B-PER", "I-PER", "O"])
[('PER', 0, 1)]
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import SimpleNamespace

IMPLEMENTATIONS = ("solutions", "exercises")
STEP_MODULES = ("preprocessing", "alignment", "training_config", "metrics")


class StepError(Exception):
    """A step module of the chosen implementation cannot be imported."""


def has_reference() -> bool:
    """Whether the reference steps sit beside these tools (the template, not the student
    edition). Files are checked, not imports: an editable install of the template elsewhere
    must not lend its reference to a student edition."""
    folder = Path(__file__).resolve().parents[1]
    return all((folder / f"{name}.py").is_file() for name in STEP_MODULES)


def default_implementation() -> str:
    """``solutions`` where the reference steps ship, ``exercises`` in the student edition."""
    return "solutions" if has_reference() else "exercises"


def describe(name: str) -> str:
    """One line that says whose step code a command runs, e.g. for the console."""
    owner = "the reference solutions" if name == "solutions" else "your exercises"
    return f"step code: {name}/ ({owner})"


def load_implementation(name: str | None = None) -> SimpleNamespace:
    """The four step modules of ``name``, e.g. ``load_implementation("exercises").metrics``
    (``None``: ``default_implementation()``).

    Raises ``ValueError`` for an unknown name and ``StepError`` (one line) when a module
    cannot be imported, e.g. a student's syntax error or the reference missing from the
    student edition.
    """
    name = name or default_implementation()
    if name not in IMPLEMENTATIONS:
        raise ValueError(f"unknown implementation {name!r}; choose one of {IMPLEMENTATIONS}")
    if name == "solutions" and not has_reference():
        raise StepError(
            "the reference steps are not part of this edition of the course: use --impl exercises"
        )
    modules = {}
    for module in STEP_MODULES:
        try:
            modules[module] = importlib.import_module(f"{name}.{module}")
        except Exception as error:  # a student's module can fail in any way at import time
            raise StepError(
                f"{name}/{module}.py cannot be imported: {type(error).__name__}: {error}"
            ) from error
    return SimpleNamespace(**modules)
