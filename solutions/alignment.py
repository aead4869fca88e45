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
    """Convert IOB1 tags to IOB2, where every entity starts with ``B-``.

    In IOB1 an entity may start with ``I-X`` (see exercises/PRIMER.md#iob1-and-iob2). An
    ``I-X`` starts an entity when it is the first tag, follows ``O`` or follows a tag of
    another type; exactly those ``I-X`` become ``B-X``. Every other tag is kept as it is, so
    valid IOB2 comes back unchanged. Types can have any name (``PER``, ``DRUG``, ``GENE``...).

    Args:
        tags: one IOB1 tag per word; not modified.

    Returns:
        A new ``list`` of IOB2 tags, as long as ``tags``.

    Raises:
        ValueError: a tag breaks the tag rule (module docstring), a value that is no string
            included; the message names the bad tag with ``repr`` (``'B_PER'``, ``None``)
            and its position counted from 0, and no other number.

    Edge cases:
        - ``[]`` gives ``[]``; only ``O`` tags stay as they are.

    >>> iob1_to_iob2(["I-PER", "I-PER", "O", "I-LOC", "B-LOC"])
    ['B-PER', 'I-PER', 'O', 'B-LOC', 'B-LOC']
    >>> iob1_to_iob2(["B-PER", "I-LOC", "I-LOC"])
    ['B-PER', 'B-LOC', 'I-LOC']
    """
    parsed = _parse_tags(tags)
    converted = []
    for position, (prefix, kind) in enumerate(parsed):
        starts = prefix == "I" and (position == 0 or parsed[position - 1][1] != kind)
        converted.append(f"B-{kind}" if starts else tags[position])
    return converted


def iob2_errors(tags: Sequence[str]) -> list[int]:
    """Positions of the ``I-X`` tags that do not continue an ``X`` entity.

    In valid IOB2 an ``I-X`` follows ``B-X`` or ``I-X`` of the same type. An ``I-X`` that is
    the first tag, follows ``O`` or follows a tag of another type is an error. Only the tag
    right before counts: after a stray ``I-X``, the next ``I-X`` continues it and is no
    error (``I-PER I-PER`` has one error, at 0).

    Args:
        tags: one tag per word.

    Returns:
        The positions (counted from 0, increasing) of the offending tags; ``[]`` when the
        sequence is valid IOB2.

    Raises:
        ValueError: a tag breaks the tag rule (module docstring), a value that is no string
            included; the message names the bad tag with ``repr`` and its position counted
            from 0, and no other number.

    Edge cases:
        - ``[]`` gives ``[]``.

    >>> iob2_errors(["I-PER", "O", "B-LOC", "I-LOC", "I-ORG"])
    [0, 4]
    >>> iob2_errors(["I-PER", "I-PER", "B-PER", "I-LOC", "I-LOC"])
    [0, 3]
    """
    parsed = _parse_tags(tags)
    return [
        position
        for position, (prefix, kind) in enumerate(parsed)
        if prefix == "I" and (position == 0 or parsed[position - 1][1] != kind)
    ]


def repair_iob2(tags: Sequence[str]) -> list[str]:
    """Turn every ``I-X`` that does not continue an ``X`` entity into ``B-X``.

    The tags changed are exactly those at the positions ``iob2_errors(tags)`` gives; every
    other tag is kept. A stray ``I-X`` thus becomes the start of a new entity, the reading
    seqeval uses when it scores. Repairing is done on request, never silently when reading
    data: ``iob2_errors`` tells first how many tags are broken.

    Args:
        tags: one tag per word; not modified.

    Returns:
        A new ``list`` of valid IOB2 tags, as long as ``tags`` (``iob2_errors`` of it is
        ``[]``).

    Raises:
        ValueError: a tag breaks the tag rule (module docstring), a value that is no string
            included; the message names the bad tag with ``repr`` and its position counted
            from 0, and no other number.

    >>> repair_iob2(["I-PER", "I-PER", "O", "I-LOC", "I-ORG"])
    ['B-PER', 'I-PER', 'O', 'B-LOC', 'B-ORG']
    """
    repaired = list(tags)
    for position in iob2_errors(tags):
        repaired[position] = "B-" + repaired[position][2:]
    return repaired


def tags_to_spans(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """Entity spans ``(type, first word, last word)`` of a tag sequence.

    An entity is a ``B-X``, or a stray ``I-X`` (one that does not continue an ``X``
    entity, read as ``B-X``), together with all the ``I-X`` that directly follow it (see
    exercises/PRIMER.md#entity-spans). So ``B-PER B-PER`` is two entities, ``B-PER I-LOC``
    is two, ``O I-MISC I-MISC`` is one. The type is everything after ``B-`` or ``I-``:
    ``B-e-mail`` has the type ``e-mail``.

    Args:
        tags: one tag per word.

    Returns:
        A ``list`` of ``(type, first, last)`` tuples in order of appearance; ``first`` and
        ``last`` are word positions and both are inclusive, as in seqeval's
        ``get_entities``: the entity's words are ``words[first:last + 1]``. Step 4's
        ``find_errors`` gives the same entity an exclusive ``end = last + 1`` (see
        exercises/PRIMER.md#span-conventions). The spans do not overlap and cover exactly
        the words whose tag is not ``O``.

    Raises:
        ValueError: a tag breaks the tag rule (module docstring), a value that is no string
            included; the message names the bad tag with ``repr`` and its position counted
            from 0, and no other number.

    Edge cases:
        - ``[]`` and only ``O`` give ``[]``; an entity may end at the last word.

    >>> tags_to_spans(["B-LOC", "I-LOC", "O", "B-PER", "B-PER", "I-ORG"])
    [('LOC', 0, 1), ('PER', 3, 3), ('PER', 4, 4), ('ORG', 5, 5)]
    >>> tags_to_spans(["O", "I-MISC", "I-MISC", "O", "B-PER", "O", "I-PER"])
    [('MISC', 1, 2), ('PER', 4, 4), ('PER', 6, 6)]
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
    """Character ``(start, end)`` of each word in ``text``, the words taken in order.

    To highlight an entity in the text a user typed, each word needs its place in it. Word
    ``i`` is matched at its first occurrence in ``text`` that begins at or after the end of
    word ``i - 1`` (word 0: anywhere from the start). So whatever lies between two words
    (spaces, tabs, line breaks, no-break spaces, characters the word splitter dropped, or
    nothing at all) is skipped, and a repeated word gets its own occurrence. Offsets are
    Python ``str`` indices (code points), so ``text[start:end] == word`` holds for accented
    letters, emoji and right-to-left scripts alike. No Unicode normalisation is done: a
    word must be spelled with the same code points as the text.

    Args:
        text: the original sentence.
        words: its words, in order.

    Returns:
        One ``(start, end)`` tuple of ``int`` per word, ``end`` exclusive
        (``text[start:end] == word``). An entity ``(type, first, last)`` from
        ``tags_to_spans`` (``last`` inclusive, in words) covers
        ``text[offsets[first][0]:offsets[last][1]]`` (see
        exercises/PRIMER.md#span-conventions).

    Raises:
        ValueError: a word is not found (absent, or only before the end of the previous
            word); the message names that word with ``repr`` and the position the search
            started from (the end of the previous word, 0 for the first), and no other word.

    Edge cases:
        - No words give ``[]``; words out of order are not found.

    >>> word_offsets("Zoë  visited Zürich!", ["Zoë", "visited", "Zürich", "!"])
    [(0, 3), (5, 12), (13, 19), (19, 20)]
    >>> word_offsets("the cat and the dog", ["the", "cat", "and", "the"])
    [(0, 3), (4, 7), (8, 11), (12, 15)]
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

    ``word_ids`` is what a *fast* tokenizer reports for pre-split words
    (``tokenizer(words, is_split_into_words=True).word_ids()``, see
    exercises/PRIMER.md#subwords-and-word_ids): the index of the word each token comes
    from, or ``None`` for a special token such as ``[CLS]`` or ``[SEP]``. A token *starts a
    word* when its word id differs from the previous token's; the other tokens of a word
    are its *continuation subwords*. Each token gets (the convention of Hugging Face's
    token-classification guide):

    - a special token (``None``): ``-100``, the index the loss ignores (see
      exercises/PRIMER.md#labels-the-loss-ignores);
    - a token that starts a word: ``label_to_id[word_labels[word]]``;
    - a continuation subword: ``-100``; with ``label_all_subwords=True`` instead the id of
      the word's label with ``B-X`` turned into ``I-X`` (the entity began at the first
      subword), other labels unchanged.

    Args:
        word_ids: the word index of each token, ``None`` for a special token.
        word_labels: one label per word, e.g. ``["B-PER", "O"]``.
        label_to_id: label -> integer id, the model's label map, in any order (``"O"``
            need not be 0).
        label_all_subwords: label continuation subwords too (see above).

    Returns:
        A ``list`` of ``int``, one per token, as long as ``word_ids``.

    Raises:
        ValueError: a word label, or the ``I-X`` a continuation subword needs with
            ``label_all_subwords=True``, is not in ``label_to_id`` (the message names that
            label with ``repr``); a word id is negative or not smaller than
            ``len(word_labels)`` (the message names the word id).

    Edge cases:
        - Special tokens are wherever ``word_ids`` says ``None``: there may be none
          (``add_special_tokens=False``), one at the end only, or two at the start.
        - Word ids that start again, as in a sentence pair ``[None, 0, 1, None, 0, 1,
          None]``, start new words: the second word 0 gets its label too (``B-X`` stays).
        - Words cut off by truncation simply get no token; ``[]`` gives ``[]``.

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

    The inverse of ``align_labels``: the prediction of word ``w`` is the one of the first
    token whose word id is ``w``. Special tokens (``None``) and the later tokens of a word
    give nothing.

    Args:
        word_ids: the word index of each token, ``None`` for a special token.
        subword_predictions: one prediction per token, of any kind (label, id, score...).

    Returns:
        One prediction per word, for the words ``0`` to the largest word id, in that order.

    Raises:
        ValueError: the two sequences differ in length; a word id is negative (the
            message names it); a word below the largest word id has no token, e.g. a
            character the tokenizer drops entirely (the message lists the missing words,
            and no other word number).

    Edge cases:
        - No token with a word id (``[None, None]``, ``[]``) gives ``[]``.
        - Only ``None`` marks a special token: without special tokens the first and the
          last token are words too.
        - Word ids that start again (a sentence pair) keep the first token of each id.

    >>> word_predictions([None, 0, 1, 1, 2, None], ["O", "B-PER", "I-PER", "X", "O", "O"])
    ['B-PER', 'I-PER', 'O']
    >>> word_predictions([None, 0, 1, None, 0, 1, None], ["s", "a", "b", "s", "c", "d", "s"])
    ['a', 'b']
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

    A sentence too long for the model is cut into windows of whole words that are predicted
    one by one and merged with ``merge_windows`` (why: exercises/PRIMER.md#long-sentences).
    The windows, from left to right:

    - the first window starts at word 0;
    - every window reaches as far right as its words' subwords still add up to at most
      ``max_subwords``, and holds at least one word: a word with more subwords than that
      gets a window of its own (the tokenizer then cuts only continuation subwords, which
      carry no label, so the word is still predicted);
    - the next window starts at most ``overlap`` words before the previous window's end,
      as far left as it may while still fitting the word at that end, its first new word.
      So every window brings at least one new word, and consecutive windows share exactly
      ``overlap`` words whenever that fits;
    - the last window ends at the last word.

    Args:
        subword_counts: how many subwords each word of the sentence has (0 or more).
        max_subwords: the room for subwords in a window; the caller has already subtracted
            the special tokens (``max_seq_length - 2`` for BERT).
        overlap: how many words consecutive windows should share.

    Returns:
        A ``list`` of ``(start, end)`` tuples of ``int``: word positions, ``end`` exclusive
        like a slice (``words[start:end]``; ``tags_to_spans`` uses an inclusive last word).
        Starts and ends both increase strictly; the first start is 0, the last end the
        number of words.

    Raises:
        ValueError: ``max_subwords < 1``; ``overlap < 0``; a negative subword count.

    Edge cases:
        - One window ``(0, n)`` when everything fits (exactly full too); ``[]`` for an empty
          sentence.
        - An ``overlap`` larger than a window (10 with room for 3 words) shrinks to what
          fits; planning always ends.

    >>> plan_windows([1, 3, 1, 2], max_subwords=4)
    [(0, 2), (2, 4)]
    >>> plan_windows([1, 1, 1, 1, 1], max_subwords=3, overlap=1)
    [(0, 3), (2, 5)]
    >>> plan_windows([2, 10, 2], max_subwords=4)
    [(0, 1), (1, 2), (2, 3)]
    >>> plan_windows([1] * 6, max_subwords=3, overlap=10)
    [(0, 3), (1, 4), (2, 5), (3, 6)]
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

    The *context* of a word in a window ``(start, end)`` is its distance to the window's
    nearer edge, ``min(word - start, end - 1 - word)`` (why:
    exercises/PRIMER.md#long-sentences). Each word takes its prediction from the window in
    which its context is largest; on a tie, from the earliest of those windows.

    Args:
        windows: ``(start, end)`` word windows, ``end`` exclusive, e.g. from
            ``plan_windows``.
        window_predictions: for each window, one prediction per word of the window.

    Returns:
        One prediction per word ``0 .. n - 1``, ``n`` being the largest window end.

    Raises:
        ValueError: the two sequences differ in length; a window is not
            ``0 <= start <= end``; a window's predictions are not ``end - start`` long (the
            message names that window, e.g. ``(1, 3)``, and no other); some word below
            ``n`` is in no window (the message lists those words).

    Edge cases:
        - No windows give ``[]``; a single window gives its predictions.
        - Windows of different lengths: a long window can win words far from its start.

    >>> merge_windows([(0, 3), (1, 4)], [["B-PER", "I-PER", "O"], ["I-PER", "O", "B-LOC"]])
    ['B-PER', 'I-PER', 'O', 'B-LOC']
    >>> merge_windows([(0, 4), (2, 6)], [["a0", "a1", "a2", "a3"], ["b2", "b3", "b4", "b5"]])
    ['a0', 'a1', 'a2', 'b3', 'b4', 'b5']
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
