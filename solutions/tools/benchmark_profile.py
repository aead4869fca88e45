"""Where one epoch of training goes: ``python -m solutions.tools.benchmark_profile``.

Trains the course's pipeline (``train_ner``, SimpleTransformers' own loop) for one epoch on a
seeded sample of the training sentences, with a dev evaluation at the end, and times each
phase where it happens, in the real loop:

- ``features``: reading the sentences into windows, subwords and aligned labels (step 2);
- ``forward``: the loss of every batch, chunk by chunk (``CourseNERModel._calculate_loss``);
- ``backward``: from the loss to the optimiser (gradients, clipping, loss scaling);
- ``optimizer``: the fused AdamW step (timed by PyTorch's global optimiser hooks);
- ``evaluation``: tagging the dev sentences and scoring them (step 4);
- ``other``: the rest of ``train_model`` (model set-up, batching, scheduler, logging, saving).

Example::

    python -m solutions.tools.benchmark_profile --sentences 2000 --json runs/profile.json

Not a test. On a busy machine the numbers are noisy; compare shares from one run only.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from solutions.tools.benchmark import CONLL, SAMPLE_SEED, _sample
from solutions.tools.cli import (
    CommandParser,
    add_device_flag,
    add_precision_flag,
    add_threads_flag,
    int_range,
    quiet_libraries,
    resolve_device,
    run_command,
    use_threads,
)

PHASES = ("features", "forward", "backward", "optimizer", "evaluation", "other")


def parser() -> argparse.ArgumentParser:
    """The command line of ``python -m solutions.tools.benchmark_profile``."""
    parse = CommandParser(
        prog="python -m solutions.tools.benchmark_profile", description=__doc__.split("\n")[0]
    )
    parse.add_argument("--train", type=Path, default=CONLL / "train.txt")
    parse.add_argument("--dev", type=Path, default=CONLL / "valid.txt")
    parse.add_argument(
        "--sentences", type=int_range(32), default=2000, help="training sentences (seeded sample)"
    )
    parse.add_argument("--model", help="backbone (default: the packaged MiniLM)")
    parse.add_argument("--learning-rate", type=float, default=1e-4)
    parse.add_argument("--batch-size", type=int_range(1), default=32)
    add_threads_flag(parse)
    add_device_flag(parse)
    add_precision_flag(parse)
    parse.add_argument("--output", type=Path, default=Path("runs/profile"))
    parse.add_argument("--json", type=Path, help="also write the results here")
    return parse


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and profile one epoch; return the exit status."""
    args = parser().parse_args(argv)
    return run_command(_profile, args, "profiling")


class PhaseClock:
    """Seconds spent in each phase; ``sync`` waits for the GPU before each reading."""

    def __init__(self, sync: Callable[[], None] = lambda: None) -> None:
        self.seconds = dict.fromkeys(PHASES, 0.0)
        self.sync = sync
        self.loss_ready: float | None = None
        self.step_started = 0.0

    def now(self) -> float:
        self.sync()
        return time.perf_counter()

    def timed(self, phase: str, function: Callable) -> Callable:
        """``function``, adding its run time to ``phase``."""

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = self.now()
            try:
                return function(*args, **kwargs)
            finally:
                ended = self.now()
                self.seconds[phase] += ended - started
                if phase == "forward":
                    self.loss_ready = ended

        return wrapper

    def optimizer_starts(self, *_: Any) -> None:
        self.step_started = self.now()
        if self.loss_ready is not None:
            self.seconds["backward"] += self.step_started - self.loss_ready
            self.loss_ready = None

    def optimizer_ends(self, *_: Any) -> None:
        self.seconds["optimizer"] += self.now() - self.step_started


@contextmanager
def profiled(clock: PhaseClock) -> Iterator[None]:
    """Time ``CourseNERModel``'s phases with ``clock`` while the block runs."""
    from torch.optim.optimizer import (
        register_optimizer_step_post_hook,
        register_optimizer_step_pre_hook,
    )

    from solutions.tools.model import CourseNERModel

    wrapped = {
        "load_and_cache_examples": "features",
        "_calculate_loss": "forward",
        "eval_model": "evaluation",
    }
    originals = {name: getattr(CourseNERModel, name) for name in wrapped}
    hooks = [
        register_optimizer_step_pre_hook(clock.optimizer_starts),
        register_optimizer_step_post_hook(clock.optimizer_ends),
    ]
    for name, phase in wrapped.items():
        setattr(CourseNERModel, name, clock.timed(phase, originals[name]))
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(CourseNERModel, name, original)
        for hook in hooks:
            hook.remove()


def _profile(args: argparse.Namespace) -> int:
    use_threads(args.threads)
    device = resolve_device(args.device)
    quiet_libraries()
    import torch

    from solutions.tools import reporting
    from solutions.tools.data import read_dataset
    from solutions.tools.implementation import default_implementation, load_implementation
    from solutions.tools.model import default_backbone, train_ner

    steps = load_implementation(default_implementation())
    train_frame = _sample(read_dataset(args.train), args.sentences, seed=SAMPLE_SEED)
    dev_frame = read_dataset(args.dev)
    config = steps.training_config.TrainingConfig(
        epochs=1, learning_rate=args.learning_rate, batch_size=args.batch_size
    )
    clock = PhaseClock(torch.cuda.synchronize if device == "cuda" else lambda: None)
    started = time.perf_counter()
    with profiled(clock):
        result = train_ner(
            train_frame,
            dev_frame,
            args.output,
            config,
            backbone=args.model or default_backbone(),
            device=device,
            precision=args.precision,
        )
    total = time.perf_counter() - started
    clock.seconds["other"] = max(0.0, total - sum(clock.seconds.values()))
    results = {
        "train": str(args.train),
        "dev": str(args.dev),
        "train_sentences": int(train_frame["sentence_id"].nunique()),
        "dev_sentences": int(dev_frame["sentence_id"].nunique()),
        "optimizer_steps": result.global_step,
        "device": device,
        "total_seconds": round(total, 2),
        "seconds": {phase: round(value, 4) for phase, value in clock.seconds.items()},
        "shares": {phase: round(value / total, 3) for phase, value in clock.seconds.items()},
        "machine": reporting.machine(),
    }
    text = json.dumps(results, indent=2)
    print(text)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
