"""Hidden tests of step 1: the instructor's copy only; the student edition leaves them out.

Graded like the public tests (same marker, same numbering, same hints), they check that a
solution reads files it was not shown, not only the public suite's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness.show import assert_equal, call_text

pytestmark = pytest.mark.step1


def test_1_1_mixed_line_ends_and_trailing_spaces(step, tmp_path: Path):
    path = tmp_path / "mixed.conll"
    path.write_bytes(b"Lagos B-LOC  \r\nis O\n\r\nKemi B-PER\t\nOkafor I-PER\r\n")
    frame = step.read_conll(path)
    call = call_text("read_conll", path)
    got = list(zip(frame["sentence_id"], frame["words"], frame["labels"], strict=True))
    expected = [(0, "Lagos", "B-LOC"), (0, "is", "O"), (1, "Kemi", "B-PER"), (1, "Okafor", "I-PER")]
    assert_equal(call, [tuple(map(_plain, row)) for row in got], expected)


def test_1_6_types_with_dashes_and_digits(step):
    tags = ["B-GPE-2", "O", "I-GPE-2", "B-X1"]
    call = call_text("build_label_list", tags)
    assert_equal(call, step.build_label_list(tags), ["O", "B-GPE-2", "I-GPE-2", "B-X1", "I-X1"])


def _plain(value):
    return value.item() if hasattr(value, "item") else value
