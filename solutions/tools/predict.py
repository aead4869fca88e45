"""Find entities in raw text: ``python -m solutions.tools.predict --model DIR "some text"``.

Each text is split into CoNLL-style words (``solutions.tools.text``), tagged, and the ``B-``/``I-``
tags are merged into entities with their type, confidence (mean over the entity's words)
and character offsets into the text. ``--file`` reads one text per line; ``--json`` prints
JSON instead of a table.

Example::

    $ python -m solutions.tools.predict --model runs/sample/model "Helena Cardoso flew to Lisbon."
    Helena Cardoso flew to Lisbon.
      PER   0.98   0-14   Helena Cardoso
      LOC   0.95  23-29   Lisbon
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from solutions.tools.cli import (
    CommandParser,
    add_decoding_flag,
    add_device_flag,
    add_impl_flag,
    add_model_flag,
    add_threads_flag,
    quiet_libraries,
    run_command,
    use_threads,
)


def parser() -> argparse.ArgumentParser:
    """The command line of ``python -m solutions.tools.predict``."""
    parse = CommandParser(
        prog="python -m solutions.tools.predict",
        description="Tag entities in text with a trained NER model.",
    )
    add_model_flag(parse)
    parse.add_argument("texts", nargs="*", metavar="TEXT", help="texts to tag")
    parse.add_argument("--file", type=Path, help="a UTF-8 file with one text per line")
    parse.add_argument("--json", action="store_true", help="print JSON")
    add_threads_flag(parse)
    add_device_flag(parse)
    add_decoding_flag(parse)
    add_impl_flag(parse)
    return parse


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and predict; return the exit status."""
    args = parser().parse_args(argv)
    if not args.texts and args.file is None:
        parser().error("give a TEXT or --file PATH")
    return run_command(_predict, args, "predicting")


def _predict(args: argparse.Namespace) -> int:
    from solutions.tools.implementation import describe
    from solutions.tools.inference import Tagger

    use_threads(args.threads)
    quiet_libraries()
    texts = list(args.texts)
    if args.file is not None:
        if not args.file.is_file():
            raise FileNotFoundError(f"text file not found: {args.file}")
        lines = args.file.read_text(encoding="utf-8").splitlines()
        texts += [line for line in lines if line.strip()]
    tagger = Tagger.load(args.model, impl=args.impl, device=args.device, decoding=args.decoding)
    about = f"model: {args.model} ({tagger.origin}); {describe(args.impl)}"
    print(about, file=sys.stderr if args.json else sys.stdout)
    results = tagger.tag_texts(texts)
    if args.json:
        entries = [
            {"text": result.text, "entities": [asdict(entity) for entity in result.entities]}
            for result in results
        ]
        print(json.dumps(entries, indent=2, ensure_ascii=False))
        return 0
    for result in results:
        print(result.text)
        for entity in result.entities:
            print(
                f"  {entity.label:<5} {entity.score:5.2f} {entity.start:>4}-{entity.end:<4} "
                f"{entity.text}"
            )
        if not result.entities:
            print("  (no entities)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
