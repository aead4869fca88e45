"""``solutions.tools.text.split_words``: CoNLL-style words of raw text, with exact offsets."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from solutions.tools.text import split_words

pytestmark = pytest.mark.pipeline


def words(text: str) -> list[str]:
    return [word for word, _, _ in split_words(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("EU rejects German call.", ["EU", "rejects", "German", "call", "."]),
        ("Paris, France.", ["Paris", ",", "France", "."]),
        ("the U.S. and the U.N.", ["the", "U.S.", "and", "the", "U.N."]),
        ("Mr. Smith of Acme Inc. said", ["Mr.", "Smith", "of", "Acme", "Inc.", "said"]),
        ("I don't know", ["I", "do", "n't", "know"]),
        ("Portugal's vote", ["Portugal", "'s", "vote"]),
        ("we'll see, they're here", ["we", "'ll", "see", ",", "they", "'re", "here"]),
        ("O'Neill and Jean-Pierre", ["O'Neill", "and", "Jean-Pierre"]),
        ("1,400 won 6-3 in 2:02:48", ["1,400", "won", "6-3", "in", "2:02:48"]),
        ("LISBON 2026-03-14", ["LISBON", "2026-03-14"]),
        ('"No!" (he said)...', ['"', "No", "!", '"', "(", "he", "said", ")", "..."]),
        ("players' union", ["players", "'", "union"]),
        ("see https://example.com/a?b=1.", ["see", "https://example.com/a?b=1", "."]),
    ],
)
def test_conll_style_words(text: str, expected: list[str]) -> None:
    assert words(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Family 👨‍👩‍👧 in 🇵🇹 👍🏽!", ["Family", "👨‍👩‍👧", "in", "🇵🇹", "👍🏽", "!"]),
        ("שלום עולם.", ["שלום", "עולם", "."]),
        ("مرحبا بالعالم، يا صديقي.", ["مرحبا", "بالعالم", "،", "يا", "صديقي", "."]),
        ("नमस्ते दुनिया।", ["नमस्ते", "दुनिया", "।"]),
        ("Zoë visited Zürich", ["Zoë", "visited", "Zürich"]),
        ("Cafe\u0301 crème", ["Cafe\u0301", "crème"]),  # a combining accent stays in its word
        ("a \u0301b", ["a", "\u0301b"]),  # a stray combining mark after a space
    ],
)
def test_unicode_emoji_and_right_to_left_text(text: str, expected: list[str]) -> None:
    assert words(text) == expected


@pytest.mark.parametrize("text", ["", " ", "\n\t  \r\n"])
def test_empty_or_whitespace_text_has_no_words(text: str) -> None:
    assert split_words(text) == []


def test_offsets_point_into_the_original_text() -> None:
    text = "  Angela  Merkel\tvisited\nParis. "
    assert split_words(text) == [
        ("Angela", 2, 8),
        ("Merkel", 10, 16),
        ("visited", 17, 24),
        ("Paris", 25, 30),
        (".", 30, 31),
    ]


@given(st.text(max_size=60))
def test_every_character_but_whitespace_is_in_exactly_one_word(text: str) -> None:
    split = split_words(text)
    covered = [False] * len(text)
    previous_end = 0
    for word, start, end in split:
        assert text[start:end] == word
        assert word and not any(character.isspace() for character in word)
        assert start >= previous_end
        previous_end = end
        covered[start:end] = [True] * (end - start)
    assert all(covered[i] or text[i].isspace() for i in range(len(text)))
