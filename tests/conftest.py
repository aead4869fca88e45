"""Pytest wiring for the course: ``--impl``, per-step fixtures, progress report, hints.

``pytest`` tests the student's ``exercises/``; ``pytest --impl=solutions`` (or
``NER_IMPL=solutions``) tests the reference. A test reaches the module under test through the
``step`` fixture and any other step through ``reference``, so each step is graded on its own.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

from tests.harness.progress import ProgressBoard
from tests.harness.steps import (
    IMPLEMENTATIONS,
    PROJECT_ROOT,
    REFERENCE,
    STEPS,
    StepImportError,
    load_step,
    step_of,
)

BOARD = pytest.StashKey[ProgressBoard]()
CACHE_KEY = "ner-course/steps-done"
CONLL2003_DIR = PROJECT_ROOT.parent / "shared" / "data" / "conll2003"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ner-course")
    group.addoption(
        "--impl",
        choices=IMPLEMENTATIONS,
        default=os.environ.get("NER_IMPL", "exercises"),
        help="implementation to test: exercises (default, or $NER_IMPL) or solutions",
    )
    group.addoption(
        "--step",
        default=None,
        help="run one step only: a number 1-4, or 'current' for the first unfinished step",
    )
    group.addoption(
        "--integrity",
        action="store_true",
        default=os.environ.get("NER_INTEGRITY") == "1",
        help="also run the template's integrity checks (or NER_INTEGRITY=1)",
    )
    group.addoption("--progress-json", type=Path, help="write the per-step report as JSON")
    group.addoption("--progress-md", type=Path, help="write the per-step report as Markdown")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--impl") not in IMPLEMENTATIONS:
        raise pytest.UsageError(f"--impl must be one of {IMPLEMENTATIONS}")
    config.stash[BOARD] = ProgressBoard(config.getoption("--impl"))
    if not any(arg.startswith("-r") for arg in config.invocation_params.args):
        # A student reads the progress table last; the maintainer gets pytest's full summary.
        student = config.getoption("--impl") == "exercises"
        config.option.reportchars = "N" if student else "fEs"


def _selected_step(config: pytest.Config) -> int | None:
    choice = config.getoption("--step")
    if choice is None:
        return None
    if choice == "current":
        cache = getattr(config, "cache", None)
        done = cache.get(CACHE_KEY, {}) if cache else {}
        return next((n for n in STEPS if not done.get(str(n))), max(STEPS))
    if choice.isdigit() and int(choice) in STEPS:
        return int(choice)
    raise pytest.UsageError(f"--step must be 1-{max(STEPS)} or 'current', got {choice!r}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep the selected step's tests; a student's run (exercises) keeps only step tests."""
    number = _selected_step(config)
    if number is not None:
        wanted = [STEPS[number]]
    elif config.getoption("--impl") == "exercises":
        wanted = list(STEPS.values())
    else:
        return
    keep, drop = [], []
    for item in items:
        (keep if _item_step(item) in wanted else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _item_step(item: pytest.Item):
    return step_of({mark.name for mark in item.iter_markers()})


@pytest.fixture(scope="session")
def implementation(request: pytest.FixtureRequest) -> str:
    """The implementation under test: 'exercises' or 'solutions'."""
    return request.config.getoption("--impl")


@pytest.fixture
def step(request: pytest.FixtureRequest, implementation: str) -> ModuleType:
    """The module of the step this test belongs to, from the implementation under test."""
    current = _item_step(request.node)
    if current is None:
        raise pytest.UsageError(f"{request.node.nodeid} uses `step` but has no step marker")
    return load_step(implementation, current)


@pytest.fixture(scope="session")
def reference() -> SimpleNamespace:
    """Every step's reference module, e.g. ``reference.preprocessing.read_conll``."""
    return SimpleNamespace(**{s.module: load_step(REFERENCE, s) for s in STEPS.values()})


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The sample corpus shipped in ``data/``."""
    return PROJECT_ROOT / "data"


@pytest.fixture(scope="session")
def conll2003_dir() -> Path:
    """The CoNLL-2003 copy beside the project; tests that need it skip when it is absent."""
    if not (CONLL2003_DIR / "train.txt").is_file():
        pytest.skip(f"CoNLL-2003 not found at {CONLL2003_DIR} (see data/README.md)")
    return CONLL2003_DIR


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    excinfo = call.excinfo
    if report.failed and excinfo is not None:
        if excinfo.errisinstance(NotImplementedError):
            report.longrepr = f"NotImplementedError: {excinfo.value}"
        elif excinfo.errisinstance(StepImportError):
            report.longrepr = str(excinfo.value)
    current = _item_step(item)
    if current is not None and (report.when == "call" or not report.passed):
        item.config.stash[BOARD].record(current, item.name, report.outcome)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    board = config.stash[BOARD]
    if not board.results:
        return
    write = terminalreporter.write_line
    terminalreporter.section("progress")
    for line in board.table_lines():
        write(line)
    hint = board.next_hint()
    if hint is not None:
        where, text = hint
        write("")
        write(f"Next: step {board.next_step().step.number} ({where})")
        for line in text.splitlines():
            write(f"  {line}")
    elif board.implementation == "exercises" and len(board.results) == len(STEPS):
        write("")
        write("Every step passes. Train a model with your own code:")
        write("  python -m solutions.tools.train --impl exercises --output runs/mine")
    _save(config, board)


def _save(config: pytest.Config, board: ProgressBoard) -> None:
    cache = getattr(config, "cache", None)  # absent with -p no:cacheprovider
    if cache is not None and board.implementation == "exercises":
        done = cache.get(CACHE_KEY, {})
        done.update({str(n): result.done for n, result in board.results.items()})
        cache.set(CACHE_KEY, done)
    if path := config.getoption("--progress-json"):
        board.write_json(path)
    if path := config.getoption("--progress-md"):
        board.write_markdown(path)
