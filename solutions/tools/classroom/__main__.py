"""The instructor's commands: ``python -m solutions.tools.classroom export|grade ...``.

::

    python -m solutions.tools.classroom export ../ner-course-student
    python -m solutions.tools.classroom grade submissions/* --out gradebook.csv --jobs 4
    python -m solutions.tools.classroom grade --roster roster.csv --out gradebook.csv \\
        --hidden tests/hidden --config my-grading.toml --shard 2/4
    python -m solutions.tools.classroom merge gradebook-*.csv --out gradebook.csv
    python -m solutions.tools.classroom image --tag ner-course-grader

``export`` writes the student edition (no reference steps, no hidden tests) as a new git
repository. ``grade`` grades folders or git URLs (or a roster CSV naming them) with this
template's own tests, each step in a sandbox (``--sandbox auto``: bubblewrap, else Docker;
without one it refuses unless ``--unsafe-no-sandbox``), writes the gradebook CSV and a
Markdown summary beside it, and exits 0 (the grades are the result; a failing student is not
an error). ``image`` builds the Docker image the ``docker`` sandbox runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from solutions.tools.classroom.sandbox import DEFAULT_IMAGE, ENGINES
from solutions.tools.cli import CommandParser, int_range, run_command

TEMPLATE = Path(__file__).resolve().parents[3]


def parser() -> argparse.ArgumentParser:
    parse = CommandParser(
        prog="python -m solutions.tools.classroom",
        description="Export the student edition of the course, or grade submissions.",
    )
    commands = parse.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="write the student edition to a new folder")
    export.add_argument("out", type=Path, help="the new repository's folder")
    export.add_argument("--force", action="store_true", help="replace a non-empty folder")
    export.add_argument("--no-git", action="store_true", help="do not git init and commit")
    grade = commands.add_parser("grade", help="grade submissions into a gradebook")
    grade.add_argument("submissions", nargs="*", help="student repository folders or git URLs")
    grade.add_argument("--roster", type=Path, help="CSV with student,repository[,ref] columns")
    grade.add_argument("--out", type=Path, required=True, help="gradebook CSV to write")
    grade.add_argument("--summary", type=Path, help="Markdown summary (default: OUT with .md)")
    grade.add_argument("--json", type=Path, help="also write the gradebook as JSON")
    grade.add_argument(
        "--shard",
        type=_shard,
        default=(1, 1),
        help="K/N: grade only every N-th submission starting at the K-th, to "
        "split a class over N machines (then merge the gradebooks)",
    )
    grade.add_argument("--hidden", type=Path, help="folder of hidden test_step*.py files")
    grade.add_argument("--config", type=Path, help="points and limits (see grading.toml)")
    grade.add_argument(
        "--jobs",
        type=int_range(1, 256),
        default=os.cpu_count() or 1,
        help="step processes at a time (default: all cores)",
    )
    grade.add_argument("--steps", default="1,2,3,4", help="steps to grade, e.g. 1,3")
    grade.add_argument(
        "--zero-flagged",
        action="store_true",
        help="score 0 a step whose file the static scan flags (default: the flags only advise)",
    )
    grade.add_argument(
        "--sandbox",
        choices=ENGINES,
        default="auto",
        help="where the students' code runs: bwrap (Linux namespaces), docker, or auto "
        "(bwrap if it works here, else docker)",
    )
    grade.add_argument(
        "--docker-image",
        default=DEFAULT_IMAGE,
        help=f"image of the docker sandbox (default {DEFAULT_IMAGE}; build it with `image`)",
    )
    grade.add_argument(
        "--unsafe-no-sandbox",
        action="store_true",
        help="grade even if no sandbox works here: the students' code runs unconfined "
        "(the gradebook says so)",
    )
    grade.add_argument(
        "--template",
        type=Path,
        default=TEMPLATE,
        help="the course whose tests grade (default: this one)",
    )
    image = commands.add_parser("image", help="build the docker sandbox's image")
    image.add_argument("--tag", default=DEFAULT_IMAGE, help=f"image name (default {DEFAULT_IMAGE})")
    image.add_argument(
        "--print", action="store_true", help="only print the Dockerfile and the build command"
    )
    merge = commands.add_parser("merge", help="merge the gradebooks of several shards")
    merge.add_argument("gradebooks", nargs="+", type=Path, help="gradebook CSV files")
    merge.add_argument("--out", type=Path, required=True, help="the merged gradebook CSV")
    return parse


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    commands = {"export": _export, "grade": _grade, "merge": _merge, "image": _image}
    command = commands[args.command]
    return run_command(command, args, args.command)


def _export(args: argparse.Namespace) -> int:
    from solutions.tools.classroom.edition import export_edition, init_repository

    written = export_edition(TEMPLATE, args.out, force=args.force)
    committed = not args.no_git and init_repository(args.out)
    print(f"student edition: {len(written)} files in {args.out}")
    if committed:
        print("a git repository with one commit: push it as the class's template repository")
    print(f"try it: cd {args.out} && pip install -e '.[dev]' && pytest")
    return 0


def _grade(args: argparse.Namespace) -> int:
    from solutions.tools.classroom import grader
    from solutions.tools.classroom.sandbox import choose
    from solutions.tools.classroom.sources import load_submission, read_roster

    steps = _steps(args.steps)
    config = grader.read_config(args.config)
    config.zero_flagged = config.zero_flagged or args.zero_flagged
    entries = [(_name(item), item, None) for item in args.submissions]
    if args.roster:
        entries += read_roster(args.roster)
    if not entries:
        raise ValueError("nothing to grade: name submission folders or URLs, or --roster")
    index, count = args.shard
    entries = entries[index - 1 :: count]
    names = [student for student, _, _ in entries]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ValueError(f"students named twice: {twice} (use a roster with distinct names)")
    engine = choose(args.sandbox, args.docker_image, unsafe=args.unsafe_no_sandbox)
    sandbox = engine.describe()
    print(f"sandbox: {sandbox}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="ner-submissions-") as workdir:
        submissions = [
            load_submission(student, repository, Path(workdir), ref)
            for student, repository, ref in entries
        ]
        grades = grader.grade_all(
            args.template, submissions, config, engine, hidden=args.hidden, jobs=args.jobs,
            steps=steps, progress=lambda line: print(line, file=sys.stderr),
        )  # fmt: skip
    for path in (args.out, args.summary, args.json):
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(grader.gradebook_csv(grades, config, sandbox), encoding="utf-8")
    summary = args.summary or args.out.with_suffix(".md")
    markdown = grader.gradebook_markdown(grades, config, sandbox)
    summary.write_text(markdown, encoding="utf-8")
    if args.json:
        data = grader.gradebook_json(grades, config, sandbox)
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(markdown)
    print(f"gradebook: {args.out}  summary: {summary}")
    return 0


def _image(args: argparse.Namespace) -> int:
    from solutions.tools.classroom.image import build_image

    return build_image(TEMPLATE, args.tag, dry_run=args.print)


def _merge(args: argparse.Namespace) -> int:
    from solutions.tools.classroom.grader import merge_gradebooks

    texts = [path.read_text(encoding="utf-8") for path in args.gradebooks]
    args.out.write_text(merge_gradebooks(texts), encoding="utf-8")
    print(f"gradebook: {args.out} ({sum(len(t.splitlines()) - 1 for t in texts)} rows)")
    return 0


def _shard(text: str) -> tuple[int, int]:
    parts = text.split("/")
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        raise argparse.ArgumentTypeError(f"{text!r} is not K/N, e.g. 2/4")
    index, count = int(parts[0]), int(parts[1])
    if not 1 <= index <= count:
        raise argparse.ArgumentTypeError(f"{text!r}: K must be from 1 to N")
    return index, count


def _steps(text: str) -> list[int]:
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts or any(part not in {"1", "2", "3", "4"} for part in parts):
        raise ValueError(f"--steps takes step numbers 1-4 separated by commas, got {text!r}")
    return sorted({int(part) for part in parts})


def _name(item: str) -> str:
    """A student's name from a folder or URL: its last part, without ``.git``."""
    last = item.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return last.removesuffix(".git") or item


if __name__ == "__main__":
    sys.exit(main())
