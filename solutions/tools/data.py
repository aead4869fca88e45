"""Inspect a data set before training: ``python -m solutions.tools.data PATH``.

Reads a CoNLL file or a tutorial CSV with the step-1 functions and prints what a learner
should know before training: sentences, tokens, the label list, entities per type and the
sentence-length percentiles that decide ``max_seq_length``::

    python -m solutions.tools.data data/train.conll
    python -m solutions.tools.data data/ner_dataset.csv --json
    python -m solutions.tools.data kaggle/ner_dataset.csv --encoding latin-1

The format is detected from the content unless ``--format conll|csv`` says it: a file whose
first non-blank line, read as CSV, has a ``Word`` and a ``Tag`` column is a tutorial CSV;
anything else is read as CoNLL (whitespace-separated columns, token first, tag last).

Bad input (a missing file, a directory, an unknown format or encoding, a file the readers
reject) prints one line ``error: ...`` on stderr and exits with status 2.

``read_dataset`` is the same reading logic for the training and evaluation commands, which
pass the step-1 module of the implementation they run.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import pandas as pd

from solutions.tools.implementation import default_implementation, load_implementation

FORMATS = ("conll", "csv")
CSV_COLUMNS = {"Word", "Tag"}
BAD_INPUT_EXIT = 2


def detect_format(path: str | Path, encoding: str = "utf-8") -> str:
    """``"csv"`` if the first non-blank line is a CSV header with ``Word`` and ``Tag``, else
    ``"conll"``. Raises ``FileNotFoundError`` for a missing file, ``ValueError`` for a folder
    or an unknown encoding."""
    _check_encoding(encoding)
    path = _data_file(path)
    with path.open(encoding=encoding, errors="replace", newline="") as lines:
        first = next((line for line in lines if line.strip()), "")
    header = next(csv.reader([first.lstrip("\ufeff")]), [])
    return "csv" if {cell.strip() for cell in header} >= CSV_COLUMNS else "conll"


def read_dataset(
    path: str | Path,
    format: str | None = None,
    encoding: str = "utf-8",
    preprocessing: ModuleType | None = None,
) -> pd.DataFrame:
    """Read a CoNLL file or tutorial CSV into the training frame.

    ``format`` is ``"conll"``, ``"csv"`` or ``None`` (detected with ``detect_format``);
    ``preprocessing`` is the step-1 module whose readers are used (default: the reference
    ``solutions.preprocessing``, or ``exercises`` in the student edition). Raises
    ``FileNotFoundError`` for a missing file and ``ValueError`` for a folder, an unknown
    format or encoding, or a file the reader rejects.
    """
    if format is not None and format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    _check_encoding(encoding)
    chosen = format or detect_format(path, encoding)
    steps = preprocessing or load_implementation(default_implementation()).preprocessing
    reader = steps.read_conll if chosen == "conll" else steps.read_tagged_csv
    return reader(_data_file(path), encoding=encoding)


def summary(path: str | Path, format: str, frame: pd.DataFrame) -> dict:
    """What ``--json`` prints: the path, format, label list and ``dataset_statistics``."""
    steps = load_implementation(default_implementation()).preprocessing
    stats = steps.dataset_statistics(frame)
    return {
        "path": str(path),
        "format": format,
        "sentences": stats["sentences"],
        "tokens": stats["tokens"],
        "labels": steps.build_label_list(frame["labels"]),
        "entities": stats["entities"],
        "sentence_length": stats["sentence_length"],
    }


def format_summary(info: dict) -> str:
    """The readable report: counts, labels, sentence lengths and a table of entity types."""
    lengths = " · ".join(f"{name} {value:g}" for name, value in info["sentence_length"].items())
    lines = [
        f"{info['path']} ({info['format']})",
        f"  sentences        {info['sentences']:,}",
        f"  tokens           {info['tokens']:,}",
        f"  labels           {' '.join(info['labels'])}",
        f"  sentence length  {lengths}",
        "",
    ]
    entities = info["entities"]
    total = sum(entities.values())
    width = max([len("total"), *map(len, entities)])
    lines.append(f"  {'type':<{width}}  {'entities':>8}  {'share':>6}")
    for name, count in entities.items():
        lines.append(f"  {name:<{width}}  {count:>8,}  {count / total:>6.1%}")
    lines.append(f"  {'total':<{width}}  {total:>8,}  {1 if total else 0:>6.1%}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        chosen = args.format or detect_format(args.path, args.encoding)
        frame = read_dataset(args.path, chosen, args.encoding)
        info = summary(args.path, chosen, frame)
    except (OSError, ValueError) as error:
        print(f"error: {' '.join(str(error).split())}", file=sys.stderr)
        return BAD_INPUT_EXIT
    print(json.dumps(info, indent=2) if args.json else format_summary(info))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m solutions.tools.data", description="Statistics of a NER data file."
    )
    parser.add_argument("path", type=Path, help="a CoNLL file or a tutorial CSV")
    parser.add_argument("--format", help="conll or csv (default: detected from the content)")
    parser.add_argument("--encoding", default="utf-8", help="file encoding (default: utf-8)")
    parser.add_argument("--json", action="store_true", help="print a JSON object instead")
    return parser


def _data_file(path: str | Path) -> Path:
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{path} is a folder, not a data file")
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    return path


def _check_encoding(encoding: str) -> None:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}; try utf-8 or latin-1") from None


if __name__ == "__main__":
    sys.exit(main())
