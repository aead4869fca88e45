"""The case feature: token type 1 marks the subwords of capitalised words."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from solutions.casing import case_type_ids, supports_case_feature
from tests.harness.show import assert_tags

pytestmark = pytest.mark.pipeline


def test_capitalised_words_get_type_one_on_every_subword() -> None:
    words = ["Zürich", "hosts", "the", "U.S.", "open", "."]
    word_ids = [None, 0, 0, 1, 2, 3, 3, 3, 4, 5, None]
    got = case_type_ids(words, word_ids)
    expected = [0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0]
    tokens = [f"{i}:{words[w] if w is not None else '[special]'}" for i, w in enumerate(word_ids)]
    assert_tags(f"case_type_ids({words}, {word_ids})", tokens, got, expected)


def test_words_without_case_are_type_zero() -> None:
    assert case_type_ids(["1996", "東京", "-", "ébène"], [0, 1, 2, 3]) == [0, 0, 0, 0]


def test_only_models_with_two_token_types_support_it() -> None:
    assert supports_case_feature(SimpleNamespace(type_vocab_size=2))
    assert not supports_case_feature(SimpleNamespace(type_vocab_size=1))
    assert not supports_case_feature(SimpleNamespace())  # e.g. a RoBERTa-like config
