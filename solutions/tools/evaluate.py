"""Score a trained model on labelled data: ``python -m solutions.tools.evaluate``.

Prints the entity-level report per type (seqeval's default mode, micro averages) and the
token accuracy. Every word is predicted, however long its sentence (windows, never
truncation). ``--json`` writes the scores; ``--errors`` writes the errors with their context.
``--types PER,LOC,ORG`` scores only those entity types: every other entity becomes ``O`` on
both sides (e.g. a CoNLL-2003 model on WikiANN, which has no MISC).

Example::

    python -m solutions.tools.evaluate --model runs/sample/model --data data/test.conll \
        --json test.json
    python -m solutions.tools.evaluate --model runs/conll/model --data wikiann/test.conll \
        --types PER,LOC,ORG

>>> only_types([["B-PER", "I-PER", "B-MISC", "O"]], {"PER"})
[['B-PER', 'I-PER', 'O', 'O']]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from solutions.tools.cli import (
    CommandParser,
    add_data_flags,
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
    """The command line of ``python -m solutions.tools.evaluate``."""
    parse = CommandParser(
        prog="python -m solutions.tools.evaluate",
        description="Evaluate a trained NER model on labelled data (CoNLL or tagged CSV).",
    )
    add_model_flag(parse)
    parse.add_argument("--data", type=Path, required=True, help="labelled data to score")
    parse.add_argument("--json", type=Path, help="write the scores to this JSON file")
    parse.add_argument("--errors", type=Path, help="write the errors to this CSV file")
    parse.add_argument(
        "--types",
        type=entity_types,
        help="score only these entity types, e.g. PER,LOC,ORG (others count as O on both sides)",
    )
    add_data_flags(parse)
    add_threads_flag(parse)
    add_device_flag(parse)
    add_decoding_flag(parse)
    add_impl_flag(parse)
    return parse


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and evaluate; return the exit status."""
    args = parser().parse_args(argv)
    return run_command(_evaluate, args, "evaluating")


def entity_types(text: str) -> frozenset[str]:
    """``PER,LOC,ORG`` as a set of type names; ``argparse`` reports a bad list."""
    names = [name.strip() for name in text.split(",")]
    bad = [name for name in names if not name or name == "O" or name[:2] in ("B-", "I-")]
    if bad or not names:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give entity types separated by commas, e.g. PER,LOC,ORG (not tags)"
        )
    return frozenset(names)


def only_types(sentences: list[list[str]], types: frozenset[str] | set[str]) -> list[list[str]]:
    """The tags with every entity of another type turned into ``O``."""
    return [
        [tag if tag == "O" or tag.split("-", 1)[-1] in types else "O" for tag in sentence]
        for sentence in sentences
    ]


def evaluate_frame(
    tagger, frame, metrics, types: frozenset[str] | None = None
) -> tuple[dict, list[list[str]], list[list[str]], list]:
    """Scores of ``tagger`` on a labelled frame, plus its words, gold and predicted tags;
    with ``types``, only those entity types count (the rest is ``O`` on both sides).

    Raises ``ValueError`` when the data has labels the model does not know (outside
    ``types``, they are ignored), or ``types`` names a type the model does not know.
    """
    from solutions.tools import reporting
    from solutions.tools.model import sentences_of

    words, gold = sentences_of(frame)
    if types is not None:
        known = {label.split("-", 1)[-1] for label in tagger.labels if label != "O"}
        if missing := sorted(types - known):
            raise ValueError(
                f"--types names types the model does not know: {missing} (model types: "
                f"{sorted(known)})"
            )
        gold = only_types(gold, types)
    unknown = sorted({tag for sentence in gold for tag in sentence} - set(tagger.labels))
    if unknown:
        raise ValueError(
            f"the data has labels the model does not know: {unknown} (model labels: "
            f"{tagger.labels}); evaluate on data annotated like the training set, or score "
            "the types both share with --types"
        )
    predicted = [tags for tags, _ in tagger.tag_words(words)]
    if types is not None:
        predicted = only_types(predicted, types)
    return reporting.evaluation(metrics, gold, predicted, words), words, gold, predicted


def _evaluate(args: argparse.Namespace) -> int:
    from solutions.tools import reporting
    from solutions.tools.data import read_dataset
    from solutions.tools.implementation import describe, load_implementation
    from solutions.tools.inference import Tagger

    use_threads(args.threads)
    quiet_libraries()
    steps = load_implementation(args.impl)
    tagger = Tagger.load(args.model, impl=args.impl, device=args.device, decoding=args.decoding)
    print(f"model: {args.model} ({tagger.origin}), decoding {tagger.decoding}")
    print(f"{describe(args.impl)}\n")
    frame = read_dataset(
        args.data, format=args.format, encoding=args.encoding, preprocessing=steps.preprocessing
    )
    started = time.perf_counter()
    scores, words, gold, predicted = evaluate_frame(tagger, frame, steps.metrics, args.types)
    if args.types:
        scores["types"] = sorted(args.types)
        print(f"scored only {', '.join(sorted(args.types))}: other entities count as O")
    seconds = time.perf_counter() - started
    scores.update(
        model=str(args.model),
        data=str(args.data),
        decoding=tagger.decoding,
        seconds=round(seconds, 2),
    )
    print(reporting.format_report(scores["per_type"]))
    print(
        f"\n{args.data}: {scores['sentences']} sentences, {scores['words']} words in "
        f"{seconds:.1f} s\nprecision {scores['precision']:.4f}  recall {scores['recall']:.4f}  "
        f"F1 {scores['f1']:.4f}  token accuracy {scores['token_accuracy']:.4f}"
    )
    if args.json:
        reporting.write_json(args.json, scores)
        print(f"scores written to {args.json}")
    if args.errors:
        reporting.write_errors(args.errors, steps.metrics.find_errors(words, gold, predicted))
        print(f"errors written to {args.errors}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
