"""Get, split and inspect data: ``python -m solutions.tools.data PATH|download|split``.

``python -m solutions.tools.data PATH`` reads a CoNLL file or a tutorial CSV with the step-1
functions and prints what a learner should know before training: sentences, tokens, the label
list, entities per type and the sentence-length percentiles that decide ``max_seq_length``::

    python -m solutions.tools.data data/train.conll
    python -m solutions.tools.data data/ner_dataset.csv --json
    python -m solutions.tools.data kaggle/ner_dataset.csv --encoding latin-1

The format is detected from the content unless ``--format conll|csv`` says it: a file whose
first non-blank line is a CSV header is a tutorial CSV, anything else is read as CoNLL
(whitespace-separated columns, token first, tag last). A CSV header has a ``Word`` and a
``Tag`` column; or two comma-separated cells or more, with a column name of the tutorial
layout (``Sentence #``, ``Word``, ``POS``, ``Tag``) or without any space or tab (a CoNLL
line has them between its columns); or two such names separated by ``;``, a tab or ``|``.
A CSV whose header lacks a column the reader needs is an error that lists the columns found
and those expected.

Bad input (a missing file, a directory, an unknown format or encoding, a file the readers
reject) prints one line ``error: ...`` on stderr and exits with status 2; the line names the
command's flags (``--encoding latin-1``), not the Python arguments behind them.

Two more commands write CoNLL files like ``data/`` (``train.conll``, ``dev.conll``,
``test.conll``)::

    python -m solutions.tools.data download conll2003 --output data/conll2003
    python -m solutions.tools.data download wikiann --output data/wikiann     # English
    python -m solutions.tools.data download --dataset NAME [--config C] \
        [--tags-column ner_tags] --output DIR        # any Hub token-classification data set
    python -m solutions.tools.data split notes.csv --out data/notes [--dev-size 0.1 --test-size 0.1]

``download`` needs the network (offline it ends with one ``error:`` line, status 1); label
names come from the data set's ``ClassLabel`` feature. ``split`` holds out whole sentences
with step 1's ``split_by_sentence`` (fixed seed); a held-out sentence with a label the
training part lacks goes back to training (``solutions.tools.corpus``).

``read_dataset`` is the same reading logic for the training and evaluation commands, which
pass the step-1 module of the implementation they run.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import pandas as pd

from solutions.tools.cli import CommandParser, add_data_flags, as_flags, float_range, int_range
from solutions.tools.corpus import SPLIT_SEED, split_corpus, write_conll
from solutions.tools.implementation import default_implementation, load_implementation

FORMATS = ("conll", "csv")
#: The columns of the tutorial CSV that ``read_tagged_csv`` needs, and its optional one.
CSV_COLUMNS = ("Sentence #", "Word", "Tag")
CSV_OPTIONAL = ("POS",)
BAD_INPUT_EXIT = 2


def detect_format(path: str | Path, encoding: str = "utf-8") -> str:
    """``"csv"`` if the first non-blank line is a CSV header, else ``"conll"``.

    A CSV header has the ``Word`` and ``Tag`` columns, or two cells or more and either a
    tutorial column name (``CSV_COLUMNS``, ``CSV_OPTIONAL``) or no space or tab: a CoNLL line
    separates its columns with spaces or tabs. Two tutorial column names separated by ``;``,
    a tab or ``|`` make a CSV too (one the reader then refuses: it wants commas). Raises
    ``FileNotFoundError`` for a missing file, ``ValueError`` for a folder or an unknown
    encoding.
    """
    header, first = _first_line(path, encoding)
    cells = {cell.strip() for cell in header}
    if cells >= {"Word", "Tag"}:
        return "csv"
    names = {*CSV_COLUMNS, *CSV_OPTIONAL}
    spaced = len(first.split()) > 1
    if len(header) > 1 and (cells & names or not spaced):
        return "csv"
    other_separator = {cell.strip() for cell in re.split(r"[;\t|]", first)}
    return "csv" if len(other_separator & names) > 1 else "conll"


def check_csv_header(path: str | Path, encoding: str = "utf-8") -> None:
    """Raise ``ValueError`` unless the header of the CSV file at ``path`` has every column of
    ``CSV_COLUMNS``; the message lists the columns found and those expected."""
    header, _ = _first_line(path, encoding)
    found = [cell.strip("\r\n") for cell in header]
    missing = [column for column in CSV_COLUMNS if column not in found]
    if missing:
        expected = ", ".join(repr(column) for column in CSV_COLUMNS)
        raise ValueError(
            f"{path}, line 1: the CSV header lacks {', '.join(map(repr, missing))}; "
            f"columns found: {found}; expected: {expected} "
            f"(and optionally {', '.join(map(repr, CSV_OPTIONAL))})"
        )


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
    format or encoding, a CSV header without the columns the reader needs
    (``check_csv_header``), or a file the reader rejects.
    """
    if format is not None and format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    _check_encoding(encoding)
    chosen = format or detect_format(path, encoding)
    if chosen == "csv":
        check_csv_header(path, encoding)
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
    """Run the command (inspect, ``download`` or ``split``); return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "download":
        return _download(_download_parser().parse_args(argv[1:]))
    if argv and argv[0] == "split":
        return _split(_split_parser().parse_args(argv[1:]))
    args = _parser().parse_args(argv)
    try:
        chosen = args.format or detect_format(args.path, args.encoding)
        frame = read_dataset(args.path, chosen, args.encoding)
        info = summary(args.path, chosen, frame)
    except (OSError, ValueError) as error:
        return _fail(error, BAD_INPUT_EXIT, args)
    print(json.dumps(info, indent=2) if args.json else format_summary(info))
    return 0


def write_parts(parts: dict[str, pd.DataFrame], folder: Path) -> list[str]:
    """Write each part as ``folder/PART.conll``; return one report line per file."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for name, frame in parts.items():
        path = write_conll(frame, folder / f"{name}.conll")
        sentences = frame["sentence_id"].nunique()
        lines.append(f"  {path}  {sentences:,} sentences, {len(frame):,} tokens")
    return lines


def training_command(folder: Path, parts: Sequence[str]) -> str:
    """The command that trains on the files ``write_parts`` wrote.

    >>> training_command(Path("data/wiki"), ["train", "test"])
    'python -m solutions.tools.train --train data/wiki/train.conll --output runs/wiki'
    """
    dev = f" --dev {(folder / 'dev.conll').as_posix()}" if "dev" in parts else ""
    return (
        f"python -m solutions.tools.train --train {(folder / 'train.conll').as_posix()}{dev} "
        f"--output runs/{folder.name}"
    )


def _download(args: argparse.Namespace) -> int:
    from solutions.tools.hub_data import (
        KNOWN,
        DatasetUnavailableError,
        HubDataset,
        load_hub_dataset,
        to_frames,
    )

    if (args.name is None) == (args.dataset is None):
        return _fail(ValueError("name one data set: conll2003, wikiann or --dataset NAME"), 2)
    source = KNOWN[args.name] if args.name else HubDataset(args.dataset, args.config)
    try:
        data = load_hub_dataset(source.name, args.config or source.config)
        parts = to_frames(data, args.tokens_column, args.tags_column)
        if "train" not in parts:
            raise ValueError(f"{source.name} has no train split, only {sorted(parts)}")
        lines = write_parts(parts, args.output)
    except DatasetUnavailableError as error:
        return _fail(error, 1)
    except (OSError, ValueError) as error:
        return _fail(error, BAD_INPUT_EXIT)
    print(f"{source.name}{' ' + (args.config or source.config or '')}".rstrip() + ":")
    print("\n".join(lines))
    print("train on it:\n  " + training_command(args.output, list(parts)))
    return 0


def _split(args: argparse.Namespace) -> int:
    steps = load_implementation(default_implementation()).preprocessing
    try:
        frame = read_dataset(args.path, args.format, args.encoding)
        split = split_corpus(frame, steps, args.dev_size, args.test_size, args.seed)
        lines = write_parts(split.parts, args.output)
    except (OSError, ValueError) as error:
        return _fail(error, BAD_INPUT_EXIT, args)
    print(f"{args.path}: {sum(split.sentences().values()):,} sentences, seed {args.seed}")
    print("\n".join(lines))
    for name, moved in split.moved.items():
        if moved:
            print(
                f"  {moved} {name} sentences with labels the training part lacks went to "
                "train.conll instead"
            )
    print("train on it:\n  " + training_command(args.output, list(split.parts)))
    return 0


def _fail(error: BaseException, status: int, args: argparse.Namespace | None = None) -> int:
    """Print ``error: ...`` in one line, in the words of the command's flags; return ``status``."""
    text = " ".join(str(error).split())
    print(f"error: {as_flags(text, args) if args is not None else text}", file=sys.stderr)
    return status


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m solutions.tools.data",
        description="Statistics of a NER data file. Also: 'download' a Hub data set, 'split' "
        "a file into train/dev/test (see python -m solutions.tools.data download|split --help).",
    )
    parser.add_argument("path", type=Path, help="a CoNLL file or a tutorial CSV")
    add_data_flags(parser)
    parser.add_argument("--json", action="store_true", help="print a JSON object instead")
    return parser


def _download_parser() -> argparse.ArgumentParser:
    from solutions.tools.hub_data import KNOWN

    parser = CommandParser(
        prog="python -m solutions.tools.data download",
        description="Download a token-classification data set from the Hugging Face Hub and "
        "write it as CoNLL files (train.conll, dev.conll, test.conll).",
    )
    parser.add_argument(
        "name", nargs="?", choices=sorted(KNOWN), help="a known data set (wikiann: English)"
    )
    parser.add_argument("--dataset", help="any Hub data set id, e.g. tner/wnut2017")
    parser.add_argument("--config", help="the data set's configuration, e.g. en")
    parser.add_argument("--tokens-column", default="tokens", help="default: tokens")
    parser.add_argument("--tags-column", default="ner_tags", help="default: ner_tags")
    parser.add_argument("--output", "--out", type=Path, required=True, help="folder to write")
    return parser


def _split_parser() -> argparse.ArgumentParser:
    parser = CommandParser(
        prog="python -m solutions.tools.data split",
        description="Split a labelled file by sentence into train.conll, dev.conll and "
        "test.conll (step 1's split_by_sentence).",
    )
    parser.add_argument("path", type=Path, help="a CoNLL file or a tutorial CSV")
    parser.add_argument("--output", "--out", type=Path, required=True, help="folder to write")
    share = float_range(0, 0.9, low_open=True)
    parser.add_argument(
        "--dev-size", type=share, default=0.1, help="share of sentences for dev (default: 0.1)"
    )
    parser.add_argument(
        "--test-size",
        type=float_range(0, 0.9),
        default=0.1,
        help="share of sentences for test (default: 0.1; 0: no test part)",
    )
    parser.add_argument(
        "--seed",
        type=int_range(0, 2**32 - 1),
        default=SPLIT_SEED,
        help=f"shuffling seed (default: {SPLIT_SEED})",
    )
    add_data_flags(parser)
    return parser


def _data_file(path: str | Path) -> Path:
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{path} is a folder, not a data file")
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    return path


def _first_line(path: str | Path, encoding: str) -> tuple[list[str], str]:
    """The first non-blank line of the file (byte-order mark removed) as CSV cells, and as
    text. Raises like ``detect_format``."""
    _check_encoding(encoding)
    path = _data_file(path)
    with path.open(encoding=encoding, errors="replace", newline="") as lines:
        first = next((line for line in lines if line.strip()), "").lstrip("\ufeff")
    return next(csv.reader([first]), []), first


def _check_encoding(encoding: str) -> None:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}; try utf-8 or latin-1") from None


if __name__ == "__main__":
    sys.exit(main())
