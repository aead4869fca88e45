"""``ner-course``: the student's loop in one command, on top of the pytest harness.

::

    ner-course list                 the steps and their exercises, with what is done
    ner-course check [STEP]         run one step's tests (default: the current step)
    ner-course watch [STEP]         re-run the current step each time a file in exercises/ changes
    ner-course hint [N.M] [--level L]   the next level of the hint for the exercise to fix
    ner-course progress             run every step and show the progress table

and the tools: ``ner-course train|evaluate|predict|data|lab|demo|classroom ...`` (each the same
as ``python -m solutions.tools.<tool> ...`` or ``python -m demo ...``).

Every test run is plain ``pytest`` (``check 2`` is ``pytest --step=2``), so both ways agree.
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import ModuleType

from solutions.tools.cli import CommandParser
from solutions.tools.implementation import STEP_MODULES

TOOLS = {
    "train": "solutions.tools.train",
    "evaluate": "solutions.tools.evaluate",
    "predict": "solutions.tools.predict",
    "data": "solutions.tools.data",
    "lab": "solutions.tools.lab.__main__",
    "classroom": "solutions.tools.classroom.__main__",
    "demo": "demo.__main__",
}
STEP_NAMES = dict(enumerate(STEP_MODULES, start=1))
CACHE = Path(".pytest_cache") / "v" / "ner-course"
LEVELS = 3
POLL_SECONDS = 0.3
COURSE_DONE = (
    "Every step is done: the course's four steps pass.\n"
    "Next: train a model with your own code (ner-course train --impl exercises --output "
    "runs/mine),\nthen run the lab's experiments: exercises/LAB.md"
)


def project_root(start: Path | None = None) -> Path:
    """The course folder: the nearest folder up from ``start`` with ``exercises/`` and
    ``tests/conftest.py``, else the folder this package was installed from."""
    for folder in [start or Path.cwd(), *(start or Path.cwd()).parents]:
        if (folder / "exercises").is_dir() and (folder / "tests" / "conftest.py").is_file():
            return folder
    return Path(__file__).resolve().parents[2]


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``ner-course``; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in TOOLS:
        return importlib.import_module(TOOLS[argv[0]]).main(argv[1:])
    args, extra = _parser().parse_known_args(argv)
    root = project_root()
    if args.command == "check":
        return run_pytest(root, [f"--step={args.step}", *extra])
    if args.command == "progress":
        return run_pytest(root, extra)
    if args.command == "watch":
        return watch(root, args.step, extra)
    if args.command == "hint":
        print(show_hint(root, args.number, args.level))
        return 0
    print(list_steps(root))
    return 0


def _parser() -> argparse.ArgumentParser:
    parse = CommandParser(
        prog="ner-course",
        description="The NER course's loop: check a step, watch, get a hint, see progress. "
        f"Tools: {', '.join(TOOLS)} (e.g. ner-course train --help).",
    )
    commands = parse.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="the steps and exercises, with what is done")
    check = commands.add_parser("check", help="run one step's tests (extra flags go to pytest)")
    check.add_argument("step", nargs="?", default="current", help="1-4 or current (default)")
    watch_command = commands.add_parser("watch", help="re-run a step whenever exercises/ change")
    watch_command.add_argument("step", nargs="?", default="current", help="1-4 or current")
    commands.add_parser("progress", help="run every step and show the progress table")
    hint = commands.add_parser("hint", help="show the next level of a hint")
    hint.add_argument(
        "number",
        nargs="?",
        help="exercise number such as 1.4 (default: the first one the last run failed)",
    )
    hint.add_argument(
        "--level",
        type=int,
        choices=range(1, LEVELS + 1),
        help="1 nudge, 2 approach, 3 recipe (default: one more than last time)",
    )
    return parse


def run_pytest(root: Path, args: Sequence[str]) -> int:
    """``python -m pytest ARGS`` in the course folder; its exit status."""
    return subprocess.run([sys.executable, "-m", "pytest", *args], cwd=root, check=False).returncode


def watch(root: Path, step: str, extra: Sequence[str]) -> int:
    """Run the step, then again after every save in ``exercises/``, until Ctrl-C."""
    try:
        for _ in _changes(root / "exercises"):
            if sys.stdout.isatty():
                print("\033[2J\033[H", end="")
            run_pytest(root, [f"--step={step}", "-q", *extra])
            print(f"\nwatching {root / 'exercises'}: save a file to run again, Ctrl-C to stop")
    except KeyboardInterrupt:
        print()
    return 0


def _changes(folder: Path) -> Iterator[None]:
    """Yield once now, then once each time a ``.py`` or ``.md`` file under ``folder`` changes."""
    seen = None
    while True:
        stamp = sorted(
            (str(path), path.stat().st_mtime_ns)
            for pattern in ("*.py", "**/*.md")
            for path in folder.glob(pattern)
        )
        if stamp != seen:
            seen = stamp
            yield
        time.sleep(POLL_SECONDS)


def show_hint(root: Path, number: str | None, level: int | None) -> str:
    """The text of a hint level, and how to get the next one; remembers what was shown.

    Without ``number``: the hint of the exercise to fix; once every step is done, no hint
    but the way on, the lab.
    """
    hints_of = _harness(root, "hints")
    if number is None:
        number = _number_to_fix(root, hints_of.hint_number)
        if number is None:
            return f"{COURSE_DONE}\n(No hint to fix; any hint stays readable: ner-course hint 2.6)"
    step = int(number.split(".")[0]) if number and number.split(".")[0].isdigit() else None
    hints = hints_of.read_hints(root / "exercises" / "hints" / f"step{step}.md") if step else {}
    if number not in hints:
        known = ", ".join(sorted(hints, key=hints_of.hint_order)) if hints else "1.1 ... 4.N"
        return f"no hint {number!r}: exercise numbers are {known}"
    shown = _read_cache(root, "hint-levels")
    chosen = level or min(LEVELS, shown.get(number, 1) + 1)
    shown[number] = max(chosen, shown.get(number, 1))
    _write_cache(root, "hint-levels", shown)
    hint = hints[number]
    text = f"exercises/hints/step{step}.md\n{hint.text(chosen)}"
    if chosen < len(hint.levels):
        text += f"\n\nMore: ner-course hint {number}   (level {chosen + 1} of {len(hint.levels)})"
    return text


def _harness(root: Path, name: str) -> ModuleType:
    """A module of the harness of the course in ``root``, e.g. ``tests/harness/hints.py``."""
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    return importlib.import_module(f"tests.harness.{name}")


def step_states(root: Path) -> dict:
    """Step number -> the harness's ``StepState`` (done, to do, or changed, not re-checked),
    from the last runs' records and the step files as they are now."""
    return _harness(root, "progress").step_states(_read_cache(root, "steps-done"), root)


def _number_to_fix(root: Path, hint_number: Callable[[str], str | None]) -> str | None:
    """The exercise of the first test the last run failed, else the current step's first;
    None when every step is done."""
    states = step_states(root)
    step = next((number for number, state in states.items() if not state), None)
    if step is None:
        return None
    last = _read_cache(root, "next-hint")
    if last.get("test") and hint_number(last["test"]):
        return hint_number(last["test"])
    return f"{step}.1"


def list_steps(root: Path) -> str:
    """Each step with its status and its exercises' numbers and titles."""
    hints_of = _harness(root, "hints")
    states = step_states(root)
    lines = []
    for number, module in STEP_NAMES.items():
        state = states[number]
        note = f"  {state.value} (ner-course check {number})" if state.name == "CHANGED" else ""
        lines.append(f"{state.mark} Step {number}  exercises/{module}.py{note}")
        hints = hints_of.read_hints(root / "exercises" / "hints" / f"step{number}.md")
        for key in sorted(hints, key=hints_of.hint_order):
            lines.append(f"    {key}  {hints[key].title}")
    if all(states.values()):
        lines.append("\n" + COURSE_DONE)
    else:
        lines.append("\nRun the current step: ner-course check   (or: pytest --step=current)")
    return "\n".join(lines)


def _read_cache(root: Path, key: str) -> dict:
    path = root / CACHE / key
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _write_cache(root: Path, key: str, value: dict) -> None:
    path = root / CACHE / key
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value, indent=2), encoding="utf-8")
    except OSError:
        pass  # a read-only checkout still shows hints, it only forgets the level


if __name__ == "__main__":
    sys.exit(main())
