"""The lab: experiments that make the course's lessons visible, run after the four steps.

Each experiment module has a ``NAME``, a one-line ``SUMMARY``, the measured minutes of its
default and full settings on a 2-core CPU (``DEFAULT_MINUTES``, ``FULL_MINUTES``) and
``run(context) -> Report``. Run them with
``python -m solutions.tools.lab EXPERIMENT``; ``exercises/LAB.md`` is the learner's page.
"""

from __future__ import annotations

from types import ModuleType

from solutions.tools.lab import (
    alignment,
    fairness,
    learning_rate,
    lowercase,
    transfer,
    truncation,
)

EXPERIMENTS: dict[str, ModuleType] = {
    module.NAME: module
    for module in (lowercase, alignment, learning_rate, transfer, truncation, fairness)
}
