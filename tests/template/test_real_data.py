"""The reference steps on real data: CoNLL-2003 (skipped where it is absent).

Students' step suites use only data they have; real data checks the template itself.
"""

from __future__ import annotations

import pytest

from tests.harness.show import assert_equal, call_text

pytestmark = pytest.mark.pipeline


def test_conll2003_valid_statistics(reference, conll2003_dir):
    path = conll2003_dir / "valid.txt"
    steps = reference.preprocessing
    stats = steps.dataset_statistics(steps.read_conll(path))
    call = call_text("dataset_statistics", f"read_conll({str(path)!r})")
    summary = {key: stats[key] for key in ("sentences", "tokens", "entities")}
    expected = {
        "sentences": 3_250,
        "tokens": 51_362,
        "entities": {"LOC": 1_837, "MISC": 922, "ORG": 1_341, "PER": 1_842},
    }
    assert_equal(call, summary, expected)
