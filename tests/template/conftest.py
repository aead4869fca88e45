"""Fixtures for the tests of the template's own tools (run with ``--impl=solutions``)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.harness.steps import REFERENCE, STEPS, load_step


@pytest.fixture(scope="session")
def reference() -> SimpleNamespace:
    """Every step's reference module, e.g. ``reference.preprocessing.read_conll``."""
    return SimpleNamespace(**{s.module: load_step(REFERENCE, s) for s in STEPS.values()})
