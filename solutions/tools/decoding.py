"""From per-word label scores to tags: argmax, or the best valid IOB2 sequence.

Argmax picks every word's most likely label on its own, so a model can answer
``O I-PER`` or ``B-ORG I-LOC``: an ``I-X`` that continues no ``X`` entity. seqeval counts
such a tag as the start of an entity, usually a wrong one. ``iob2`` decoding (Viterbi over
the log-probabilities, with the transitions that IOB2 forbids ruled out) picks the most
likely sequence of tags in which every ``I-X`` follows a ``B-X`` or ``I-X``. It is right for
a model trained on IOB2 tags, which is what ``training_decoding`` checks; a model trained on
IOB1 tags (where ``I-X`` starts entities) keeps ``argmax``.

>>> import numpy as np
>>> labels = ["O", "B-PER", "I-PER"]
>>> logits = np.log([[0.6, 0.3, 0.1], [0.1, 0.2, 0.7]])  # "O I-PER" by argmax
>>> [labels[i] for i in decode(logits, labels, "argmax")]
['O', 'I-PER']
>>> [labels[i] for i in decode(logits, labels, "iob2")]
['B-PER', 'I-PER']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

#: How tags are read from a model's scores (``--decoding``).
DECODINGS = ("iob2", "argmax")


def decode(logits: np.ndarray, labels: Sequence[str], decoding: str) -> np.ndarray:
    """The label index of every word (one row of ``logits`` per word) under ``decoding``.

    Raises ``ValueError`` for a decoding that is not one of ``DECODINGS``.

    >>> decode([[0.2, 1.5, 0.9]], ["O", "B-PER", "I-PER"], "iob2").tolist()
    [1]
    """
    if decoding not in DECODINGS:
        raise ValueError(f"unknown decoding {decoding!r}: choose one of {', '.join(DECODINGS)}")
    import numpy as np

    if decoding == "argmax" or len(logits) == 0:
        return np.asarray(logits).argmax(axis=1)
    return _viterbi(_log_softmax(np.asarray(logits, dtype=np.float64)), *iob2_transitions(labels))


def iob2_transitions(labels: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """``(start, follow)``: 0 where IOB2 allows a label, ``-inf`` where it does not.

    ``start[j]``: label ``j`` may open a sentence; ``follow[i, j]``: label ``j`` may come
    right after label ``i``. Only ``I-X`` is ever ruled out: first in a sentence, or after a
    label other than ``B-X`` and ``I-X``.

    >>> start, follow = iob2_transitions(["O", "B-PER", "I-PER"])
    >>> start.tolist(), follow[0].tolist(), follow[1].tolist()
    ([0.0, 0.0, -inf], [0.0, 0.0, -inf], [0.0, 0.0, 0.0])
    """
    import numpy as np

    continues = [label[2:] if label.startswith("I-") else None for label in labels]
    start = np.array([-np.inf if kind else 0.0 for kind in continues])
    follow = np.array(
        [
            [
                0.0 if kind is None or before in (f"B-{kind}", f"I-{kind}") else -np.inf
                for kind in continues
            ]
            for before in labels
        ]
    )
    return start, follow


def training_decoding(sentences: Sequence[Sequence[str]], alignment: Any) -> str:
    """``"iob2"`` when every training sentence is valid IOB2 (step 2's ``iob2_errors``),
    else ``"argmax"`` (IOB1 tags, or ``I-`` tags that start entities by mistake).

    >>> from solutions import alignment
    >>> training_decoding([["B-PER", "I-PER", "O"]], alignment)
    'iob2'
    >>> training_decoding([["I-PER", "I-PER", "O"]], alignment)
    'argmax'
    """
    valid = all(not alignment.iob2_errors(list(tags)) for tags in sentences)
    return "iob2" if valid else "argmax"


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    import numpy as np

    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _viterbi(scores: np.ndarray, start: np.ndarray, follow: np.ndarray) -> np.ndarray:
    import numpy as np

    best = start + scores[0]
    back = np.zeros(scores.shape, dtype=np.int64)
    for word in range(1, len(scores)):
        candidates = best[:, None] + follow
        back[word] = candidates.argmax(axis=0)
        best = candidates.max(axis=0) + scores[word]
    path = [int(best.argmax())]
    for word in range(len(scores) - 1, 0, -1):
        path.append(int(back[word, path[-1]]))
    return np.array(path[::-1])
