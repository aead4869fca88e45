"""Step 4 · no sentences at all: an empty report, not seqeval's own error.

(hints: exercises/hints/step4.md)
"""

from __future__ import annotations

import pytest

from tests.harness.show import assert_equal, call_text

pytestmark = pytest.mark.step4

ZERO = {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
EMPTY_REPORT = {"micro avg": ZERO, "macro avg": ZERO, "weighted avg": ZERO}
NOTE = (
    "no entity on either side (no sentences included): no type entry, only the three "
    "averages, each with 0.0 and a support of 0; seqeval's classification_report raises on "
    "no sentences, so do not hand it an empty list"
)


@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
@pytest.mark.parametrize(
    ("true", "predicted"),
    [([], []), ([[]], [[]]), ([["O", "O"]], [["O", "O"]])],
    ids=["no sentences", "an empty sentence", "no entities"],
)
def test_4_3_no_entities_give_the_empty_report(step, true, predicted, strict):
    call = call_text("per_type_report", true, predicted, strict=strict)
    got = step.per_type_report(true, predicted, strict=strict)
    assert_equal(call, got, EMPTY_REPORT, note=NOTE)
    assert_equal(f"list({call})", list(got), list(EMPTY_REPORT), note="the order of the keys")
