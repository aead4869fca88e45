"""Pytest wiring for the course: ``--impl``, ``--step``, limits, progress report and hints.

``pytest`` tests the student's ``exercises/`` (the four step suites only); ``pytest
--impl=solutions`` (or ``NER_IMPL=solutions``) tests the reference and the template's own
tools. A test reaches the module under test through the ``step`` fixture, so each step is
graded on its own. ``--step=N`` collects only step N's test files, so feedback takes about a
second plus the imports the step needs.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.harness.failures import FailureLog
from tests.harness.limits import (
    CappedStream,
    StepCrashed,
    StepModule,
    StubNotWritten,
    TimeLimitExceeded,
    calibrated,
    can_limit_time,
)
from tests.harness.progress import ProgressBoard, advice
from tests.harness.remote import RemoteStep, SandboxSpec
from tests.harness.steps import (
    IMPLEMENTATIONS,
    PROJECT_ROOT,
    STEPS,
    Step,
    StepImportError,
    load_step,
    step_of,
)
from tests.harness.worker import import_quietly, warm_imports

BOARD = pytest.StashKey[ProgressBoard]()
CHOSEN_STEP = pytest.StashKey["int | None"]()
TIME_OUTS = pytest.StashKey[list]()
REMOTE_STEPS = pytest.StashKey[dict]()
CALL_LIMIT = pytest.StashKey[float]()
STEP_DIGESTS = pytest.StashKey[dict]()
FAILURES = pytest.StashKey[FailureLog]()
DONE_KEY = "ner-course/steps-done"
NEXT_HINT_KEY = "ner-course/next-hint"
CONLL2003_DIR = PROJECT_ROOT.parent / "shared" / "data" / "conll2003"
STEP_TIME_LIMIT = 10.0
OUTPUT_LIMIT = 20_000
#: After this many tests hit their time limit, the run stops: the rest would only wait too.
MAX_TIME_OUTS = 3
#: A student's run shows this many failures of a step in full, the others in one line each.
DETAILED_FAILURES = 3


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
        "--hint",
        type=int,
        default=1,
        choices=(1, 2, 3),
        help="hint level shown after a failing run: 1 nudge (default), 2 approach, 3 recipe",
    )
    group.addoption(
        "--time-limit",
        type=float,
        default=STEP_TIME_LIMIT,
        help=f"seconds one call of a step function may run (default {STEP_TIME_LIMIT:g}, "
        "stretched up to 5x on a busy or slow machine; 0: no limit)",
    )
    group.addoption(
        "--integrity",
        action="store_true",
        default=os.environ.get("NER_INTEGRITY") == "1",
        help="also run the template's integrity checks (or NER_INTEGRITY=1)",
    )
    group.addoption(
        "--hidden",
        action="store_true",
        default=None,
        help="also run the instructor's hidden tests in tests/hidden/ (default: only with "
        "--impl=solutions; the grader turns it on)",
    )
    group.addoption(
        "--sandbox-spec",
        type=Path,
        help="grading: call the step functions in the sandboxed workers this file describes "
        "(written by the grader)",
    )
    group.addoption("--progress-json", type=Path, help="write the per-step report as JSON")
    group.addoption("--progress-md", type=Path, help="write the per-step report as Markdown")


def pytest_configure(config: pytest.Config) -> None:
    config.stash[BOARD] = ProgressBoard(config.getoption("--impl"))
    config.stash[CHOSEN_STEP] = _selected_step(config)
    config.stash[TIME_OUTS] = []
    config.stash[FAILURES] = FailureLog(DETAILED_FAILURES)
    config.stash[REMOTE_STEPS] = {}
    config.stash[CALL_LIMIT] = calibrated(config.getoption("--time-limit"))
    config.stash[STEP_DIGESTS] = _step_digests()
    if config.getoption("--sandbox-spec"):
        _grading_profile()
    given = config.invocation_params.args
    if not any(str(arg).startswith("-r") for arg in given):
        # A student reads the progress table last; the maintainer gets pytest's full summary.
        config.option.reportchars = "N" if _student_mode(config) else "fEs"
    if _student_mode(config) and not any(str(arg).startswith("--tb") for arg in given):
        config.option.tbstyle = "no"  # the harness prints a few failures in full, then groups


def _grading_profile() -> None:
    """While grading, every submission meets the same Hypothesis examples."""
    from hypothesis import settings

    settings.register_profile("grading", derandomize=True, database=None, print_blob=False)
    settings.load_profile("grading")


def pytest_unconfigure(config: pytest.Config) -> None:
    for remote in config.stash.get(REMOTE_STEPS, {}).values():
        remote.close()


def _student_mode(config: pytest.Config) -> bool:
    return config.getoption("--impl") == "exercises"


def _done_steps(config: pytest.Config) -> dict:
    """Step number -> ``progress.StepState``, true only for a step whose last whole run passed
    on the file as it is now (a step changed since is "changed, not re-checked")."""
    from tests.harness.progress import step_states

    cache = getattr(config, "cache", None)  # absent with -p no:cacheprovider
    return step_states(cache.get(DONE_KEY, {}) if cache is not None else {})


def _step_digests() -> dict[int, str | None]:
    """Each step file's hash as the run starts (the version this run's results are about)."""
    from tests.harness.progress import file_digest, step_file

    return {number: file_digest(step_file(step)) for number, step in STEPS.items()}


def _selected_step(config: pytest.Config) -> int | None:
    choice = config.getoption("--step")
    if choice is None:
        return None
    if choice == "current":
        done = _done_steps(config)
        return next((number for number in STEPS if not done[number]), None)
    if choice.isdigit() and int(choice) in STEPS:
        return int(choice)
    raise pytest.UsageError(f"--step must be 1-{max(STEPS)} or 'current', got {choice!r}")


def pytest_report_header(config: pytest.Config) -> list[str]:
    lines = []
    if config.getoption("--step") == "current" and config.stash[CHOSEN_STEP] is None:
        lines.append("ner-course: every step is done, so --step=current runs all four")
    asked, limit = config.getoption("--time-limit"), config.stash[CALL_LIMIT]
    if limit >= asked + 1:
        lines.append(
            f"ner-course: this machine is busy or slow now, so each call of a step function "
            f"may take {limit:.0f} s instead of {asked:g} s"
        )
    return lines


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Skip importing test files the run will not use (that is most of a run's start-up)."""
    if not _default_paths(config):
        return None
    chosen = config.stash[CHOSEN_STEP]
    if collection_path.is_dir():
        unused = {
            "template": bool(chosen or _student_mode(config)),
            "hidden": not _hidden(config),
        }
        return True if unused.get(collection_path.name) else None
    if not collection_path.name.startswith("test_"):
        return None
    if chosen is not None:
        return not STEPS[chosen].owns_test_file(collection_path) or None
    return None


def _hidden(config: pytest.Config) -> bool:
    """Whether the hidden tests run: asked for, or by default with the reference."""
    asked = config.getoption("--hidden")
    return not _student_mode(config) if asked is None else asked


def _default_paths(config: pytest.Config) -> bool:
    """Whether pytest collects its ``testpaths`` (no file, folder or node id was given)."""
    return config.args_source == pytest.Config.ArgsSource.TESTPATHS


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep the chosen step's tests (a student's run: step tests only) and count each step's."""
    chosen = config.stash[CHOSEN_STEP]
    if chosen is not None:
        wanted = [STEPS[chosen]]
    elif _student_mode(config):
        wanted = list(STEPS.values())
    else:
        wanted = None
    if can_limit_time():  # else (Windows) pytest-timeout's limit stays the only one
        for item in items:
            if _item_step(item) is not None:
                item.add_marker(pytest.mark.timeout(0))  # the step time limit applies instead
    if wanted is not None:
        keep = [item for item in items if _item_step(item) in wanted]
        if len(keep) < len(items):
            config.hook.pytest_deselected(items=[item for item in items if item not in keep])
            items[:] = keep
    board = config.stash[BOARD]
    counts = Counter(_item_step(item) for item in items)
    reason = _filter_reason(config)
    for step, count in counts.items():
        if step is not None:
            board.expect(step, count)
            if reason:
                board.mark_partial(step, reason)


def _filter_reason(config: pytest.Config) -> str | None:
    """Why this run may not cover whole steps (a filter option or node ids), if it may not."""
    option = config.option
    if getattr(option, "keyword", ""):
        return "-k"
    if getattr(option, "lf", False) or getattr(option, "last_failed_no_failures", "all") != "all":
        return "--lf"
    if getattr(option, "stepwise", False) or getattr(option, "stepwise_skip", False):
        return "--stepwise"
    if getattr(option, "deselect", None):
        return "--deselect"
    markexpr = getattr(option, "markexpr", "")
    if markexpr and markexpr not in {step.marker for step in STEPS.values()}:
        return "-m"
    if any("::" in str(arg) for arg in config.args):
        return "node ids"
    return None


def pytest_deselected(items: list[pytest.Item]) -> None:
    """Deselection by another plugin (``-k``, ``-m``, ``--lf``) makes those steps partial."""
    if not items:
        return
    config = items[0].config
    board = config.stash[BOARD]
    for item in items:
        step = _item_step(item)
        if step is not None and step.number in board.results:
            board.mark_partial(step, "tests were deselected")


def _item_step(item: pytest.Item) -> Step | None:
    return step_of({mark.name for mark in item.iter_markers()})


@pytest.fixture(scope="session")
def implementation(request: pytest.FixtureRequest) -> str:
    """The implementation under test: 'exercises' or 'solutions'."""
    return request.config.getoption("--impl")


@pytest.fixture
def step(request: pytest.FixtureRequest, implementation: str) -> StepModule | RemoteStep:
    """The module of the step this test belongs to, from the implementation under test.

    Each call of one of its functions is timed (``--time-limit``); the imports the step file
    needs happen before, untimed. While grading (``--sandbox-spec``) the functions run in the
    sandbox and this is a ``RemoteStep``.
    """
    current = _item_step(request.node)
    if current is None:
        raise pytest.UsageError(f"{request.node.nodeid} uses `step` but has no step marker")
    config = request.config
    seconds = config.stash[CALL_LIMIT]
    if spec_file := config.getoption("--sandbox-spec"):
        return _remote_step(config, spec_file, current, seconds)
    module = load_step(implementation, current)
    _warm_up(module)
    return StepModule(module, seconds)


def _remote_step(config: pytest.Config, spec_file: Path, current: Step, seconds: float):
    remotes = config.stash[REMOTE_STEPS]
    if current.number not in remotes:
        spec = SandboxSpec.read(spec_file)
        remotes[current.number] = RemoteStep(
            current, spec.launches[current.number], seconds, spec.import_seconds,
            spec.step_seconds,
        )  # fmt: skip
    for number, other in remotes.items():
        if number < current.number:
            other.close()  # tests run step by step: a finished step's sandbox goes
    return remotes[current.number]


def pytest_collection_finish(session: pytest.Session) -> None:
    """While grading, start every step's sandbox at once: each imports its step file while
    the tests of the steps before it run."""
    config = session.config
    if not (spec_file := config.getoption("--sandbox-spec")):
        return
    steps = sorted({step.number for item in session.items if (step := _item_step(item))})
    for number in steps:
        _remote_step(config, spec_file, STEPS[number], config.stash[CALL_LIMIT]).prestart()


_WARM: set[str] = set()


def _warm_up(module) -> None:
    """Import the heavy libraries a step file imports inside its functions, once, untimed."""
    origin = getattr(module, "__file__", None)
    if origin and origin not in _WARM:
        _WARM.add(origin)
        import_quietly(warm_imports(Path(origin).read_text(encoding="utf-8", errors="replace")))


@pytest.fixture(autouse=True)
def _cap_step_output(request: pytest.FixtureRequest):
    """A step test may print, but only so much: a flood of output is cut, not kept."""
    if _item_step(request.node) is None:
        yield
        return
    streams = sys.stdout, sys.stderr
    capped = CappedStream(sys.stdout, OUTPUT_LIMIT), CappedStream(sys.stderr, OUTPUT_LIMIT)
    sys.stdout, sys.stderr = capped
    try:
        yield
    finally:
        sys.stdout, sys.stderr = streams
        dropped = sum(stream.dropped for stream in capped)
        if dropped:
            print(f"[output cut: the test printed {dropped:,} characters more than shown]")


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
    current = _item_step(item)
    excinfo = call.excinfo
    if report.failed and excinfo is not None:
        _shorten(item, report, excinfo, current)
    if current is not None and (report.when == "call" or not report.passed):
        item.config.stash[BOARD].record(current, item.name, report.outcome)
    if current is not None and report.failed:
        item.config.stash[FAILURES].add(current.number, item.name, _failure_text(report))


def _shorten(item: pytest.Item, report: pytest.TestReport, excinfo, current) -> None:
    """One line instead of a traceback for a stub, an import error or a time-out."""
    if excinfo.errisinstance((StubNotWritten, NotImplementedError)):
        report.longrepr = f"NotImplementedError: {excinfo.value}"
    elif excinfo.errisinstance(StepImportError):
        report.longrepr = f"cannot import {excinfo.value}"
        if current is not None:
            item.config.stash[BOARD].record_import_error(current, str(excinfo.value))
    elif excinfo.errisinstance(StepCrashed):
        report.longrepr = f"StepCrashed: {excinfo.value}"
    elif excinfo.errisinstance(TimeLimitExceeded):
        report.longrepr = f"TimeLimitExceeded: {excinfo.value}"
        time_outs = item.config.stash[TIME_OUTS]
        time_outs.append(item.nodeid)
        grading = item.config.getoption("--sandbox-spec")  # then each step stops on its own
        if len(time_outs) >= MAX_TIME_OUTS and not grading:
            item.session.shouldstop = (
                f"{len(time_outs)} tests ran past their time limit: fix the endless loop first"
            )
    else:
        return
    report.sections = [s for s in report.sections if not s[0].startswith("Hypothesis")]


def _failure_text(report: pytest.TestReport) -> str:
    captured = "".join(
        f"\n[{name}]\n{content}" for name, content in report.sections if name.startswith("Captured")
    )
    return report.longreprtext + captured


def pytest_sessionfinish(session: pytest.Session) -> None:
    if session.shouldstop or session.shouldfail:
        board = session.config.stash[BOARD]
        for result in board.results.values():
            if len(result.outcomes) < result.expected:
                board.mark_partial(result.step, "the run stopped early")


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    board = config.stash[BOARD]
    if not board.ran():
        return
    done = _save(config, board)
    write = terminalreporter.write_line
    if config.option.tbstyle == "no" and _student_mode(config):
        failures = config.stash[FAILURES].lines()
        if failures:
            terminalreporter.section("failures")
            for line in failures:
                write(line)
    terminalreporter.section("progress")
    for line in board.table_lines():
        write(line)
    if board.implementation == "exercises":
        write("")
        for line in advice(board, done, config.getoption("--hint")):
            write(line)
    if path := config.getoption("--progress-json"):
        board.write_json(path)
    if path := config.getoption("--progress-md"):
        board.write_markdown(path)


def _save(config: pytest.Config, board: ProgressBoard) -> dict:
    """Store the steps this run finished or broke, each with the hash of its step file; a
    partial run changes nothing. Returns every step's state, as ``_done_steps`` does."""
    from tests.harness.progress import done_record, step_states

    if board.implementation != "exercises":
        return _done_steps(config)
    cache = getattr(config, "cache", None)
    saved = cache.get(DONE_KEY, {}) if cache is not None else {}
    saved = dict(saved) if isinstance(saved, dict) else {}
    for result in board.ran():
        if result.complete or result.import_error:
            digest = config.stash[STEP_DIGESTS].get(result.step.number)
            saved[str(result.step.number)] = done_record(result.step, result.done, digest=digest)
    done = step_states(saved)
    board.remember(done)
    if cache is not None:
        cache.set(DONE_KEY, saved)
        result = board.next_step()
        failing = result.first_failure() if result else None
        cache.set(NEXT_HINT_KEY, {"step": result.step.number, "test": failing} if result else {})
    return done
