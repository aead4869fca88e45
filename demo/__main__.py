"""Start the demo: ``python -m demo --model runs/NAME/model [--host H] [--port P] [--device D]``.

``--model`` also takes any token-classification model: a folder or a Hugging Face id such as
``dslim/bert-base-NER`` (downloaded; offline that fails in one ``error:`` line, status 1).
Without a trained model it prints the training command and exits with status 2.

>>> main(["--model", "runs/missing/model"])  # doctest: +SKIP
No trained model at runs/missing/model (model directory not found: runs/missing/model).
Train one first, then start the demo again:
  python -m solutions.tools.train --output runs/missing
  python -m demo --model runs/missing/model
2
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from solutions.tools.cli import (
    CommandParser,
    add_device_flag,
    add_impl_flag,
    int_range,
    quiet_libraries,
    resolve_device,
    use_threads,
)
from solutions.tools.implementation import StepError

DEFAULT_MODEL = Path("runs/sample/model")
NO_MODEL_STATUS = 2


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line; importing nothing heavy keeps ``--help`` fast."""
    parser = CommandParser(
        prog="python -m demo", description="Highlight named entities with a trained model."
    )
    parser.add_argument(
        "--model",
        type=Path,
        default=DEFAULT_MODEL,
        help=f"model directory written by solutions.tools.train (default: {DEFAULT_MODEL}), or "
        "any token-classification model: a folder or a Hugging Face id (downloaded)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int_range(1, 65535), default=7860, help="port to listen on")
    add_device_flag(parser)
    add_impl_flag(parser)
    return parser.parse_args(argv)


def how_to_train(model: Path, impl: str = "solutions") -> str:
    """The commands that train the model ``model`` names (or the sample one) and open the demo.

    >>> print(how_to_train(Path("runs/mine/model"), "exercises"))
    python -m solutions.tools.train --impl exercises --output runs/mine
    python -m demo --model runs/mine/model --impl exercises
    """
    output = model.parent if model.name == "model" else DEFAULT_MODEL.parent
    impl_option = " --impl exercises" if impl == "exercises" else ""
    return (
        f"python -m solutions.tools.train{impl_option} --output {output.as_posix()}\n"
        f"python -m demo --model {(output / 'model').as_posix()}{impl_option}"
    )


def main(argv: list[str] | None = None) -> int:
    """Load the model and serve the app until interrupted; 2 without a trained model."""
    args = parse_args(argv)
    use_threads(None)
    quiet_libraries()
    from solutions.tools.implementation import describe
    from solutions.tools.inference import ModelUnavailableError, Tagger

    try:
        device = resolve_device(args.device)
    except ValueError as error:  # --device cuda without a GPU
        print(f"error: {error}", file=sys.stderr)
        return 1
    try:
        tagger = Tagger.load(args.model, impl=args.impl, device=device)
    except ModelUnavailableError as error:  # a Hub id, offline
        print(f"error: {error}", file=sys.stderr)
        return 1
    except (FileNotFoundError, ValueError) as error:
        print(
            f"No trained model at {args.model} ({error}).\n"
            "Train one first, then start the demo again:\n"
            + textwrap.indent(how_to_train(args.model, args.impl), "  "),
            file=sys.stderr,
        )
        return NO_MODEL_STATUS
    except StepError as error:  # a student's step module does not import
        print(f"error: {error}", file=sys.stderr)
        return 1
    from demo.app import build_app

    step_code = describe(args.impl)
    print(f"model: {args.model} ({tagger.origin}); {step_code}")
    build_app(tagger, str(args.model), step_code=step_code).launch(
        server_name=args.host, server_port=args.port, show_error=True
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
