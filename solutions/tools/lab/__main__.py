"""Run a lab experiment: ``python -m solutions.tools.lab EXPERIMENT [--fast | --full]``.

``python -m solutions.tools.lab list`` lists the experiments. A run writes ``table.json``,
``table.md`` and ``plot.png`` to ``--output`` (default ``runs/lab/EXPERIMENT``) and prints the
table and what to look for. Three settings:

- default: the bundled sample (or ``--train``/``--dev``, cut to the sample's size), with
  several seeds where the effect needs a spread; at most about 10 minutes on a 2-core CPU.
- ``--fast``: a few steps on a subset of the sample, to check that everything works; its
  figures mean nothing.
- ``--full``: the CoNLL-scale budget, on ``--train``/``--dev`` or CoNLL-2003 from
  ``../shared/data/conll2003/``.

``exercises/LAB.md`` explains each experiment.

Examples::

    python -m solutions.tools.lab list
    python -m solutions.tools.lab lowercase --fast
    python -m solutions.tools.lab lowercase
    python -m solutions.tools.lab transfer --full
    python -m solutions.tools.lab alignment --impl exercises --output runs/lab/mine
    python -m solutions.tools.lab fairness --model runs/conll/model
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from solutions.tools.cli import (
    CommandParser,
    add_impl_flag,
    add_threads_flag,
    quiet_libraries,
    run_command,
    use_threads,
)
from solutions.tools.lab.common import Context, write_report


def parser() -> argparse.ArgumentParser:
    """The command line of ``python -m solutions.tools.lab``."""
    from solutions.tools.lab import EXPERIMENTS

    parse = CommandParser(
        prog="python -m solutions.tools.lab",
        description="Run an experiment of the lab (see exercises/LAB.md).",
    )
    parse.add_argument("experiment", choices=[*EXPERIMENTS, "list"], help="experiment, or list")
    setting = parse.add_mutually_exclusive_group()
    setting.add_argument(
        "--fast", action="store_true", help="a few steps on a subset: checks that it runs"
    )
    setting.add_argument(
        "--full",
        action="store_true",
        help="the CoNLL-scale budget, on --train/--dev or CoNLL-2003 (6-11 min each)",
    )
    parse.add_argument("--output", type=Path, help="run folder (default: runs/lab/EXPERIMENT)")
    parse.add_argument(
        "--model",
        help="backbone to fine-tune (default: the packaged all-MiniLM-L6-v2); for fairness, "
        "the trained model folder to probe (runs/NAME/model)",
    )
    parse.add_argument("--train", type=Path, help="training data (CoNLL or tagged CSV)")
    parse.add_argument("--dev", type=Path, help="dev data, with --train")
    add_threads_flag(parse)
    add_impl_flag(parse)
    return parse


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the experiment; return the exit status."""
    args = parser().parse_args(argv)
    if args.experiment == "list":
        print(_listing())
        return 0
    return run_command(_run, args, f"running the {args.experiment} experiment")


def _run(args: argparse.Namespace) -> int:
    from solutions.tools.lab import EXPERIMENTS

    use_threads(args.threads)
    quiet_libraries()
    experiment = EXPERIMENTS[args.experiment]
    output = args.output or Path("runs") / "lab" / args.experiment
    output.mkdir(parents=True, exist_ok=True)
    context = Context(
        fast=args.fast,
        impl=args.impl,
        output=output,
        full=args.full,
        model=args.model,
        train=args.train,
        dev=args.dev,
    )
    started = time.perf_counter()
    report = experiment.run(context)
    print("\n" + write_report(context, report, time.perf_counter() - started))
    print(f"outputs: {output}/{{table.json, table.md, plot.png}}")
    return 0


def _listing() -> str:
    from solutions.tools.lab import EXPERIMENTS

    lines = [
        "experiments (python -m solutions.tools.lab NAME [--fast | --full]; see exercises/LAB.md):"
    ]
    for name, module in EXPERIMENTS.items():
        lines.append(
            f"  {name:<14}{module.SUMMARY} (default: about {module.DEFAULT_MINUTES} min, "
            f"--full: about {module.FULL_MINUTES} min)"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
