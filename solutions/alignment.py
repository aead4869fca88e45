"""Step 2 · Tokenization and label alignment: word labels meet subword tokens.

The tag rule, the same in steps 1, 2 and 4: a tag is ``O``, ``B-X`` or ``I-X``, where the type
``X`` is one or more characters without whitespace (``PER``, ``geo``, ``DATE``...); prefixes
are case-sensitive. ``B-PER `` (a space), ``b-per``, ``B-``, ``B_PER``, ``E-PER`` (IOBES) and a
label id such as ``3`` are no tags: a function here that meets one raises ``ValueError``
naming it (``bad tag 'B-PER '``) and where it is (see exercises/PRIMER.md#token-tags-b-i-and-o).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TypeVar

T = TypeVar("T")

IGNORE_INDEX = -100
#: The tag rule (module docstring), as steps 1 and 4 check it.
_TAG_SHAPE = re.compile(r"O|[BI]-\S+")
_TAG_RULE = (
    "a tag is 'O', 'B-<type>' or 'I-<type>', the type without whitespace (prefixes are "
    "case-sensitive, IOBES tags such as 'E-PER' or 'S-PER' are not supported)"
)


def iob1_to_iob2(tags: Sequence[str]) -> list[str]:
    """Convert IOB1 tags (``I-`` starts an entity) to IOB2 (``B-`` starts every entity).

    NER labels one tag per word: ``O`` (outside any entity), ``B-X`` (begins an entity of
    type ``X``) and ``I-X`` (inside it). Two conventions exist. In **IOB1**, used by the
    original CoNLL-2003 release, an entity normally starts with ``I-X``; ``B-X`` appears
    only when an entity directly follows another entity of the same type, to mark the
    border. In **IOB2**, which seqeval and most models expect (and most copies of CoNLL-2003
    use today), *every* entity starts with ``B-X``.

    So an ``I-X`` becomes ``B-X`` when it starts an entity: at the first word, after ``O``
    or after a tag of another type. Every other tag is kept. Type names can be anything
    (``PER``, ``LOC``, ``DRUG``, ...).

    Args:
        tags: one IOB1 tag per word.

    Returns:
        A new list of IOB2 tags, as long as ``tags``.

    Raises:
        ValueError: a tag breaks the tag rule (module docstring); the message names the
            tag and its position.

    >>> iob1_to_iob2(["I-PER", "I-PER", "O", "I-LOC", "B-LOC"])
    ['B-PER', 'I-PER', 'O', 'B-LOC', 'B-LOC']
    """
    parsed = _parse_tags(tags)
    converted = []
    for position, (prefix, kind) in enumerate(parsed):
        starts = prefix == "I" and (position == 0 or parsed[position - 1][1] != kind)
        converted.append(f"B-{kind}" if starts else tags[position])
    return converted


def iob2_errors(tags: Sequence[str]) -> list[int]:
    """Positions of ``I-X`` tags that do not continue an ``X`` entity.

    In valid IOB2 an ``I-X`` may only follow ``B-X`` or ``I-X`` of the *same* type. A
    model, a hand-made annotation or a file still in IOB1 can break this rule: an ``I-X``
    at the start of the sentence, right after ``O``, or right after another type. Finding
    these positions lets you report or repair them instead of silently mis-counting
    entities.

    Args:
        tags: one tag per word.

    Returns:
        The positions (0-based, increasing) of the offending ``I-X`` tags; ``[]`` when the
        sequence is valid IOB2.

    Raises:
        ValueError: a tag breaks the tag rule (module docstring); the message names the
            tag and its position.

    >>> iob2_errors(["I-PER", "O", "B-LOC", "I-LOC", "I-ORG"])
    [0, 4]
    """
    parsed = _parse_tags(tags)
    return [
        position
        for position, (prefix, kind) in enumerate(parsed)
        if prefix == "I" and (position == 0 or parsed[position - 1][1] != kind)
    ]


def repair_iob2(tags: Sequence[str]) -> list[str]:
    """Turn every ``I-X`` that does not continue an ``X`` entity into ``B-X``.

    Repairing is done on request, never silently when reading data: first look at
    ``iob2_errors`` to know how many tags are broken. The repair reads a stray ``I-X`` as
    the start of a new entity, which is the same choice seqeval makes when it scores.

    Args:
        tags: one tag per word.

    Returns:
        A new list of valid IOB2 tags, as long as ``tags``.

    Raises:
        ValueError: a tag breaks the tag rule (module docstring); the message names the
            tag and its position.

    >>> repair_iob2(["I-PER", "I-PER", "O", "I-LOC", "I-ORG"])
    ['B-PER', 'I-PER', 'O', 'B-LOC', 'B-ORG']
    """
    repaired = list(tags)
    for position in iob2_errors(tags):
        repaired[position] = "B-" + repaired[position][2:]
    return repaired


def tags_to_spans(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """Entity spans ``(type, first word, last word)`` of an IOB2 tag sequence.

    Metrics and displays work with entities, not tags: ``B-LOC I-LOC`` on "New York" is one
    ``LOC`` entity covering words 0 to 1. ``B-X`` always opens a new entity, ``I-X``
    extends the open entity of type ``X`` and ``O`` closes it. A stray ``I-X`` (one that
    does not continue an ``X`` entity) opens a new entity, as if it were ``B-X``.

    Args:
        tags: one tag per word.

    Returns:
        ``(type, first, last)`` for each entity in order of appearance; ``first`` and
        ``last`` are word positions and both are inclusive, as in seqeval's
        ``get_entities``: the entity's words are ``words[first:last + 1]``. Step 4's
        ``find_errors`` gives the same entity an exclusive ``end = last + 1`` (see
        exercises/PRIMER.md#span-conventions).

    Raises:
        ValueError: a tag breaks the tag rule (module docstring); the message names the
            tag and its position.

    >>> tags_to_spans(["B-LOC", "I-LOC", "O", "B-PER", "B-PER", "I-ORG"])
    [('LOC', 0, 1), ('PER', 3, 3), ('PER', 4, 4), ('ORG', 5, 5)]
    """
    spans: list[tuple[str, int, int]] = []
    open_kind: str | None = None
    for position, (prefix, kind) in enumerate(_parse_tags(tags)):
        if prefix == "I" and kind == open_kind:
            spans[-1] = (kind, spans[-1][1], position)
        elif prefix == "O":
            open_kind = None
        else:
            spans.append((kind, position, position))
            open_kind = kind
    return spans


def word_offsets(text: str, words: Sequence[str]) -> list[tuple[int, int]]:
    """Character ``(start, end)`` of each word in ``text``, words taken in order.

    A model labels *words*, but a user sees *text*. To highlight an entity in the original
    sentence you need where each word sits in it. Each word is searched for from the end
    of the previous one, so whatever lies between two words (spaces, tabs, line breaks,
    characters the word splitter dropped) is skipped and a repeated word gets its own
    occurrence. Offsets are Python ``str`` indices (code points), so ``text[start:end] ==
    word`` holds for accented letters, emoji and right-to-left scripts alike. No Unicode
    normalisation is done: a word must be spelled with the same code points as the text.

    Args:
        text: the original sentence.
        words: its words, in order.

    Returns:
        One ``(start, end)`` per word, ``end`` exclusive (``text[start:end] == word``). An
        entity ``(type, first, last)`` from ``tags_to_spans`` (``last`` inclusive, in words)
        covers ``text[offsets[first][0]:offsets[last][1]]`` (see
        exercises/PRIMER.md#span-conventions).

    Raises:
        ValueError: a word is not found; the message names the word and the position the
            search started from.

    >>> word_offsets("Zoë  visited Zürich!", ["Zoë", "visited", "Zürich", "!"])
    [(0, 3), (5, 12), (13, 19), (19, 20)]
    """
    offsets = []
    cursor = 0
    for index, word in enumerate(words):
        start = text.find(word, cursor)
        if start < 0:
            raise ValueError(
                f"word {index} {word!r} not found in the text searching from position {cursor}"
            )
        cursor = start + len(word)
        offsets.append((start, cursor))
    return offsets


def align_labels(
    word_ids: Sequence[int | None],
    word_labels: Sequence[str],
    label_to_id: Mapping[str, int],
    label_all_subwords: bool = False,
) -> list[int]:
    """One label id per subword token: the first subword of a word gets the word's label.

    A transformer tokenizer cuts words into subwords ("Klinsmann" -> ``k ##lins ##mann``)
    and adds special tokens such as ``[CLS]`` and ``[SEP]``, so there are more tokens than
    word labels. A *fast* tokenizer tells which word each token comes from:
    ``tokenizer(words, is_split_into_words=True).word_ids()`` gives ``None`` for a special
    token and the word's index for the others. This function turns word labels into token
    labels with the convention of Hugging Face's token-classification guide:

    - a special token gets ``-100``, the index PyTorch's cross-entropy loss ignores;
    - the first subword of a word gets the id of the word's label;
    - a continuation subword gets ``-100``, so each word counts once in the loss. With
      ``label_all_subwords=True`` it gets the word's label instead, with ``B-X`` turned
      into ``I-X`` (the entity has already begun at the first subword).

    A token starts a word when its word id differs from the previous token's.

    Args:
        word_ids: the word index of each token, ``None`` for special tokens.
        word_labels: one label per word, e.g. ``["B-PER", "O"]``.
        label_to_id: label -> integer id, the model's label map.
        label_all_subwords: label continuation subwords too (see above).

    Returns:
        One integer per token, as long as ``word_ids``.

    Raises:
        ValueError: a word label (or the ``I-X`` needed for a continuation subword) is not
            in ``label_to_id``; a word id is negative or not smaller than
            ``len(word_labels)``. The message names the label or word id.

    >>> align_labels([None, 0, 1, 1, 1, None], ["O", "B-PER"], {"O": 0, "B-PER": 1, "I-PER": 2})
    [-100, 0, 1, -100, -100, -100]
    >>> align_labels([None, 0, 1, 1, None], ["O", "B-PER"], {"O": 0, "B-PER": 1, "I-PER": 2},
    ...              label_all_subwords=True)
    [-100, 0, 1, 2, -100]
    """
    for index, label in enumerate(word_labels):
        _label_id(label_to_id, label, f"word {index}")
    aligned = []
    previous: int | None = None
    for position, word in enumerate(word_ids):
        if word is None:
            aligned.append(IGNORE_INDEX)
        elif not 0 <= word < len(word_labels):
            raise ValueError(
                f"token {position} has word id {word}, "
                f"but there are only {len(word_labels)} word labels"
            )
        elif word != previous:
            aligned.append(label_to_id[word_labels[word]])
        elif label_all_subwords:
            inside = _inside(word_labels[word])
            aligned.append(_label_id(label_to_id, inside, f"a continuation subword of word {word}"))
        else:
            aligned.append(IGNORE_INDEX)
        previous = word
    return aligned


def word_predictions(word_ids: Sequence[int | None], subword_predictions: Sequence[T]) -> list[T]:
    """Back from subwords to words: each word takes its first subword's prediction.

    A token-classification model predicts one label per *token*, but we want one per
    *word*. This is the inverse of ``align_labels``: the model was trained on the first
    subword of each word, so that is the prediction to keep; special tokens and
    continuation subwords are dropped.

    Args:
        word_ids: the word index of each token, ``None`` for special tokens.
        subword_predictions: one prediction (label, id, score, ...) per token.

    Returns:
        One prediction per word, for words ``0`` to the largest word id; ``[]`` when no
        token belongs to a word.

    Raises:
        ValueError: the two sequences differ in length; a word id is negative; or a word
            below the largest word id has no token (e.g. a character the tokenizer
            drops entirely): the message lists the missing words.

    >>> word_predictions([None, 0, 1, 1, 2, None], ["O", "B-PER", "I-PER", "X", "O", "O"])
    ['B-PER', 'I-PER', 'O']
    """
    if len(word_ids) != len(subword_predictions):
        raise ValueError(
            f"{len(word_ids)} word ids but {len(subword_predictions)} subword predictions"
        )
    first: dict[int, T] = {}
    for word, prediction in zip(word_ids, subword_predictions, strict=True):
        if word is None:
            continue
        if word < 0:
            raise ValueError(f"negative word id {word}")
        first.setdefault(word, prediction)
    count = max(first, default=-1) + 1
    missing = [word for word in range(count) if word not in first]
    if missing:
        raise ValueError(f"words {missing} have no subword token, so no prediction")
    return [first[word] for word in range(count)]


def plan_windows(
    subword_counts: Sequence[int], max_subwords: int, overlap: int = 0
) -> list[tuple[int, int]]:
    """Word windows ``(start, end)`` whose subwords fit in ``max_subwords``; no word is dropped.

    A model reads at most ``max_seq_length`` tokens; SimpleTransformers simply cuts off the
    rest, and the cut words are never labelled. Instead, split a long sentence into
    windows of whole words, predict each window and merge the results
    (``merge_windows``). Windows are filled greedily from the left. Consecutive windows
    share up to ``overlap`` words, so that words near a cut still see some context; the
    overlap shrinks when needed so that every window brings at least one new word, which
    also guarantees that planning always ends.

    A single word with more than ``max_subwords`` subwords gets a window to itself. The
    tokenizer then truncates that window, but only continuation subwords are lost; they
    carry no label (see ``align_labels``), so the word is still predicted.

    Args:
        subword_counts: how many subwords each word of the sentence has.
        max_subwords: the room for subwords in a window; the caller has already subtracted
            the special tokens (``max_seq_length - 2`` for BERT).
        overlap: how many words consecutive windows should share.

    Returns:
        Windows ``(start, end)`` of word positions, ``end`` exclusive like a slice
        (``words[start:end]``; ``tags_to_spans`` uses an inclusive last word), with strictly
        increasing starts and ends; one window ``(0, n)`` when everything fits; ``[]`` for
        an empty sentence.

    Raises:
        ValueError: ``max_subwords < 1``, ``overlap < 0`` or a negative subword count.

    >>> plan_windows([1, 3, 1, 2], max_subwords=4)
    [(0, 2), (2, 4)]
    >>> plan_windows([1, 1, 1, 1, 1], max_subwords=3, overlap=1)
    [(0, 3), (2, 5)]
    """
    if max_subwords < 1:
        raise ValueError(f"max_subwords must be at least 1, got {max_subwords}")
    if overlap < 0:
        raise ValueError(f"overlap must be 0 or more, got {overlap}")
    if any(count < 0 for count in subword_counts):
        raise ValueError(f"subword counts must be 0 or more, got {list(subword_counts)}")
    windows: list[tuple[int, int]] = []
    start = 0
    while start < len(subword_counts):
        end = _fill(subword_counts, start, max_subwords)
        windows.append((start, end))
        if end == len(subword_counts):
            break
        start = _next_start(subword_counts, end, max_subwords, overlap)
    return windows


def merge_windows(
    windows: Sequence[tuple[int, int]], window_predictions: Sequence[Sequence[T]]
) -> list[T]:
    """One prediction per word from the predictions of overlapping windows.

    The windows of ``plan_windows`` may share words. A word in the middle of a window has
    context on both sides, a word at its edge has context on one side only, so each word
    takes its prediction from the window where it is farthest from the nearest edge. On a
    tie the earlier window wins.

    Args:
        windows: ``(start, end)`` word windows, ``end`` exclusive.
        window_predictions: for each window, one prediction per word of the window.

    Returns:
        One prediction per word ``0 .. n - 1``, ``n`` being the largest window end;
        ``[]`` when there are no windows.

    Raises:
        ValueError: the two sequences differ in length; a window is not
            ``0 <= start <= end``; a window's predictions are not ``end - start`` long;
            or some word is in no window (the message lists them).

    >>> merge_windows([(0, 3), (1, 4)], [["B-PER", "I-PER", "O"], ["I-PER", "O", "B-LOC"]])
    ['B-PER', 'I-PER', 'O', 'B-LOC']
    """
    if len(windows) != len(window_predictions):
        raise ValueError(f"{len(windows)} windows but {len(window_predictions)} prediction lists")
    best: dict[int, tuple[int, T]] = {}
    for (start, end), predictions in zip(windows, window_predictions, strict=True):
        if not 0 <= start <= end:
            raise ValueError(f"window ({start}, {end}) is not 0 <= start <= end")
        if len(predictions) != end - start:
            raise ValueError(
                f"window ({start}, {end}) has {end - start} words "
                f"but {len(predictions)} predictions"
            )
        for word, prediction in enumerate(predictions, start):
            context = min(word - start, end - 1 - word)
            if word not in best or context > best[word][0]:
                best[word] = (context, prediction)
    count = max((end for _, end in windows), default=0)
    missing = [word for word in range(count) if word not in best]
    if missing:
        raise ValueError(f"words {missing} are in no window")
    return [best[word][1] for word in range(count)]


def _parse_tags(tags: Sequence[str]) -> list[tuple[str, str | None]]:
    """``(prefix, type)`` of each tag: ``("O", None)``, ``("B", "PER")``, ``("I", "PER")``."""
    parsed: list[tuple[str, str | None]] = []
    for position, tag in enumerate(tags):
        if not isinstance(tag, str) or not _TAG_SHAPE.fullmatch(tag):
            raise ValueError(f"tag {position}: bad tag {tag!r}; {_TAG_RULE}")
        parsed.append(("O", None) if tag == "O" else (tag[0], tag[2:]))
    return parsed


def _label_id(label_to_id: Mapping[str, int], label: str, where: str) -> int:
    if label not in label_to_id:
        raise ValueError(f"label {label!r} of {where} is not in label_to_id {sorted(label_to_id)}")
    return label_to_id[label]


def _inside(label: str) -> str:
    """``B-X`` -> ``I-X``; any other label unchanged."""
    return "I-" + label[2:] if label.startswith("B-") else label


def _fill(counts: Sequence[int], start: int, room: int) -> int:
    """End of the longest window from ``start`` that fits ``room``; at least one word."""
    end, used = start, 0
    while end < len(counts) and used + counts[end] <= room:
        used += counts[end]
        end += 1
    return max(end, start + 1)


def _next_start(counts: Sequence[int], end: int, room: int, overlap: int) -> int:
    """Start of the next window: up to ``overlap`` words back, leaving room for word ``end``."""
    start = max(end - overlap, 0)
    while start < end and sum(counts[start : end + 1]) > room:
        start += 1
    return start
