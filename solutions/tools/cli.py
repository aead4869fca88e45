"""What the three commands share: one-line errors, range-checked flags, quiet libraries.

A command never shows a traceback to a learner: any error becomes one line on stderr and a
non-zero exit status (set ``NER_DEBUG=1`` to see the traceback). A stub that is not written
yet says which one:

>>> one_line_error(NotImplementedError("step 2: plan_windows() is not written yet"),
...                "training", "exercises")
'step 2: plan_windows() is not written yet — finish it before training with --impl exercises'

The line speaks of the flags the learner typed, not of the Python arguments the step code
knows (``as_flags``):

>>> one_line_error(ValueError("x.csv: pass the file's encoding, e.g. encoding='latin-1'"),
...                "training", "solutions", argparse.Namespace(encoding="utf-8"))
"error: x.csv: pass the file's encoding, e.g. --encoding latin-1"
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from solutions.tools.decoding import DECODINGS
from solutions.tools.implementation import IMPLEMENTATIONS, StepError, default_implementation

DEBUG_VARIABLE = "NER_DEBUG"
ERROR_EXIT, USAGE_EXIT = 1, 2
DEVICES = ("auto", "cpu", "cuda")
#: Python arguments of the step code and the tools that a command sets with a flag of its own.
ARGUMENT_FLAGS = {"encoding": "--encoding", "format": "--format"}
_ARGUMENT = re.compile(
    r"\b(?P<name>"
    + "|".join(ARGUMENT_FLAGS)
    + r")\s*=\s*(?P<quote>['\"]?)(?P<value>[\w.-]+)(?P=quote)"
)


class CommandParser(argparse.ArgumentParser):
    """``argparse`` that reports a bad flag in one line (``prog: error: ...``), exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_EXIT, f"{self.prog}: error: {message} (see --help)\n")


def add_impl_flag(parser: argparse.ArgumentParser) -> None:
    """The ``--impl`` flag: whose step functions to use."""
    parser.add_argument(
        "--impl",
        choices=IMPLEMENTATIONS,
        default=default_implementation(),
        help="step functions to use: solutions/ (the reference, default where it ships) or "
        "your exercises/ (default in the student edition)",
    )


def add_model_flag(parser: argparse.ArgumentParser) -> None:
    """``--model``, required, for commands that use a trained (token-classification) model."""
    parser.add_argument(
        "--model",
        type=Path,
        required=True,
        help="a model folder (runs/NAME/model) or any token-classification model: a folder or "
        "a Hugging Face id such as dslim/bert-base-NER (downloaded)",
    )


def add_data_flags(parser: argparse.ArgumentParser) -> None:
    """``--format`` and ``--encoding`` for commands that read labelled data."""
    parser.add_argument(
        "--format", default=None, help="conll or csv (default: detected from the content)"
    )
    parser.add_argument("--encoding", default="utf-8", help="file encoding (default: utf-8)")


def add_threads_flag(parser: argparse.ArgumentParser) -> None:
    """``--threads`` for commands that run torch (default: every core)."""
    parser.add_argument(
        "--threads",
        type=int_range(1, 256),
        default=os.cpu_count() or 1,
        help="CPU threads for torch (default: all cores)",
    )


def add_device_flag(parser: argparse.ArgumentParser) -> None:
    """``--device auto|cpu|cuda`` for commands that run a model (see ``resolve_device``)."""
    parser.add_argument(
        "--device",
        choices=DEVICES,
        default="auto",
        help="where the model runs: auto (a CUDA GPU when torch sees one, else the CPU; "
        "default), cpu or cuda; training on CUDA uses mixed precision (fp16)",
    )


def add_decoding_flag(parser: argparse.ArgumentParser) -> None:
    """``--decoding iob2|argmax`` for commands that tag with a model (default: its card's)."""
    parser.add_argument(
        "--decoding",
        choices=DECODINGS,
        default=None,
        help="how tags are read from the model's scores: iob2 (the best sequence in which "
        "every I-X follows B-X or I-X) or argmax (each word its best tag); default: what the "
        "model was trained for (iob2 on valid IOB2 training data, argmax otherwise and for "
        "models trained elsewhere)",
    )


def add_precision_flag(parser: argparse.ArgumentParser) -> None:
    """``--precision auto|bf16|fp32`` for commands that train on a CPU."""
    parser.add_argument(
        "--precision",
        choices=("auto", "bf16", "fp32"),
        default="auto",
        help="number format of training on a CPU: auto (bfloat16 where the CPU has bfloat16 "
        "instructions, else float32; default), bf16 or fp32; CUDA always uses float16",
    )


def resolve_device(asked: str = "auto") -> str:
    """``"cuda"`` or ``"cpu"`` for a ``--device`` value; ``auto`` takes CUDA when torch sees it.

    Raises ``ValueError`` for ``cuda`` on a machine where torch sees no CUDA device (a CPU
    build of torch, or no GPU), naming what torch reports.

    >>> resolve_device("cpu")
    'cpu'
    """
    if asked not in DEVICES:
        raise ValueError(f"unknown device {asked!r}: use one of {', '.join(DEVICES)}")
    if asked == "cpu":
        return "cpu"
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if asked == "cuda":
        build = f"CUDA {torch.version.cuda} build" if torch.version.cuda else "a CPU-only build"
        raise ValueError(
            f"--device cuda: torch {torch.__version__} ({build}) sees no CUDA device on this "
            "machine; use --device cpu (or auto)"
        )
    return "cpu"


def int_range(low: int, high: int | None = None) -> Callable[[str], int]:
    """An ``argparse`` type: an integer from ``low`` to ``high`` (no upper limit if ``None``)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if value < low or (high is not None and value > high):
            allowed = f"from {low} to {high}" if high is not None else f"{low} or more"
            raise argparse.ArgumentTypeError(f"{value} is out of range: use {allowed}")
        return value

    return parse


def float_range(low: float, high: float, low_open: bool = False) -> Callable[[str], float]:
    """An ``argparse`` type: a number in ``[low, high]`` (``(low, high]`` with ``low_open``)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not (low < value if low_open else low <= value) or not value <= high:
            bracket = "(" if low_open else "["
            raise argparse.ArgumentTypeError(f"{value} is out of range {bracket}{low}, {high}]")
        return value

    return parse


def use_threads(threads: int | None) -> None:
    """Let torch use ``threads`` CPU threads (``None``: its default, one per core).

    OpenMP threads that wait for work spin by default; on a busy machine (other processes on
    the same cores) that makes two threads several times slower than one. Waiting passively
    (``OMP_WAIT_POLICY=PASSIVE``, unless already set) costs little on an idle machine and
    avoids that collapse. It must be set before torch is first imported.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch

    if threads is not None:
        torch.set_num_threads(threads)


def quiet_libraries() -> None:
    """Hide the libraries' load-time chatter (weight loading bars, expected warnings)."""
    import warnings

    import huggingface_hub
    import transformers

    huggingface_hub.utils.logging.set_verbosity_error()  # e.g. download retries when offline
    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=UserWarning)


def as_flags(message: str, args: argparse.Namespace | None = None) -> str:
    """``message`` with each Python argument of ``ARGUMENT_FLAGS`` that the command has as a
    flag (an attribute of ``args``; any, without ``args``) written as that flag.

    >>> as_flags("not valid utf-8; pass encoding='latin-1' (or encoding=cp1252)")
    'not valid utf-8; pass --encoding latin-1 (or --encoding cp1252)'
    >>> as_flags("pass encoding='latin-1'", argparse.Namespace(model="x"))
    "pass encoding='latin-1'"
    """

    def flag(match: re.Match) -> str:
        name = match["name"]
        if args is not None and not hasattr(args, name):
            return match[0]
        return f"{ARGUMENT_FLAGS[name]} {match['value']}"

    return _ARGUMENT.sub(flag, message)


def one_line_error(
    error: BaseException, action: str, impl: str, args: argparse.Namespace | None = None
) -> str:
    """The message a command prints for ``error``: one line, no traceback, in the words of
    the command's flags when ``args`` (its parsed flags) is given (``as_flags``)."""
    text = " ".join(str(error).split()) or type(error).__name__
    if args is not None:
        text = as_flags(text, args)
    if isinstance(error, NotImplementedError):
        return f"{text} — finish it before {action} with --impl {impl}"
    if isinstance(error, (FileNotFoundError, ValueError, StepError)):
        return f"error: {text}"
    return f"error: {type(error).__name__}: {text} (set {DEBUG_VARIABLE}=1 for the traceback)"


def run_command(
    body: Callable[[argparse.Namespace], int], args: argparse.Namespace, action: str
) -> int:
    """Run a command's body; print any error as one line on stderr and return status 1."""
    try:
        return body(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        if os.environ.get(DEBUG_VARIABLE) == "1":
            raise
        impl = getattr(args, "impl", default_implementation())
        print(one_line_error(error, action, impl, args), file=sys.stderr)
        return ERROR_EXIT
