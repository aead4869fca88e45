"""The case feature: token type 1 marks the subwords of capitalised words."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from solutions.tools.casing import case_type_ids, supports_case_feature
from tests.harness.show import assert_tags
from tests.template.models import DATA_DIR as DATA
from tests.template.models import build_tiny_model

pytestmark = pytest.mark.pipeline

LABELS = ["O", "B-LOC", "I-LOC", "B-MISC", "I-MISC", "B-ORG", "I-ORG", "B-PER", "I-PER"]


def test_capitalised_words_get_type_one_on_every_subword() -> None:
    words = ["Zürich", "hosts", "the", "U.S.", "open", "."]
    word_ids = [None, 0, 0, 1, 2, 3, 3, 3, 4, 5, None]
    got = case_type_ids(words, word_ids)
    expected = [0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0]
    tokens = [f"{i}:{words[w] if w is not None else '[special]'}" for i, w in enumerate(word_ids)]
    assert_tags(f"case_type_ids({words}, {word_ids})", tokens, got, expected)


def test_words_without_case_are_type_zero() -> None:
    assert case_type_ids(["1996", "東京", "-", "ébène"], [0, 1, 2, 3]) == [0, 0, 0, 0]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("paris", 0),
        ("Paris", 1),
        ("PARIS", 2),
        ("U.S.", 2),
        ("NATO-led", 1),
        ("A", 1),
        ("I", 1),
        ("ÉCOLE", 2),
        ("1996", 0),
        ("McDonald", 1),
    ],
)
def test_all_caps_words_get_a_type_of_their_own(word: str, expected: int) -> None:
    got = case_type_ids([word], [None, 0, 0, None], all_caps=True)
    assert got == [0, expected, expected, 0], f"all_caps=True, {word!r}: got {got}"
    assert case_type_ids([word], [0])[0] == min(expected, 1), "without all_caps: 0 or 1 only"


def test_only_models_with_two_token_types_support_it() -> None:
    assert supports_case_feature(SimpleNamespace(type_vocab_size=2))
    assert not supports_case_feature(SimpleNamespace(type_vocab_size=1))
    assert not supports_case_feature(SimpleNamespace())  # e.g. a RoBERTa-like config


def type_embeddings(model_dir: Path):
    from transformers import AutoModelForTokenClassification

    model = AutoModelForTokenClassification.from_pretrained(model_dir)
    return model.base_model.embeddings.token_type_embeddings.weight.detach()


def train_barely(backbone: Path, output: Path, **options: object) -> Path:
    """Train one epoch at a negligible learning rate: the saved weights are the starting ones."""
    from solutions.tools.data import read_dataset
    from solutions.tools.model import train_ner
    from solutions.training_config import TrainingConfig

    frame = read_dataset(DATA / "train.conll")
    config = TrainingConfig(epochs=1, learning_rate=1e-9, evaluate_during_training=False)
    result = train_ner(
        frame, None, output, config, backbone=str(backbone), log=lambda _: None, **options
    )
    assert result.case_feature, "the tiny uncased model should get the case feature"
    return result.model_dir


@pytest.mark.timeout(120)
def test_the_case_feature_starts_neutral_from_a_pretrained_backbone(tmp_path: Path) -> None:
    import torch

    backbone = build_tiny_model(tmp_path / "tiny", LABELS)
    before = type_embeddings(backbone)
    assert not torch.allclose(before[0], before[1]), "the test needs distinct token types"
    after = type_embeddings(train_barely(backbone, tmp_path / "run"))
    torch.testing.assert_close(after[1], after[0], atol=1e-5, rtol=0)
    torch.testing.assert_close(after[0], before[0], atol=1e-5, rtol=0)


@pytest.mark.timeout(120)
def test_a_model_that_learned_the_case_feature_keeps_it_when_trained_further(
    tmp_path: Path,
) -> None:
    from solutions.tools.inference import write_model_card

    backbone = build_tiny_model(tmp_path / "tiny", LABELS)
    write_model_card(backbone, LABELS, do_lower_case=True, max_seq_length=64, case_feature=True)
    before = type_embeddings(backbone)
    after = type_embeddings(train_barely(backbone, tmp_path / "run"))
    moved = (after - before).abs().max().item()
    assert moved < 1e-5, f"the token type embeddings moved by {moved}; expected them kept"


@pytest.mark.timeout(120)
def test_the_all_caps_type_grows_the_table_and_the_model_predicts_with_it(
    tmp_path: Path,
) -> None:
    import torch

    from solutions.tools.inference import Tagger, read_model_card

    backbone = build_tiny_model(tmp_path / "tiny", LABELS)
    before = type_embeddings(backbone)
    model_dir = train_barely(backbone, tmp_path / "run", case_all_caps=True)
    after = type_embeddings(model_dir)
    assert after.shape[0] == 3, f"token types after training with all caps: {after.shape[0]}"
    for row in range(3):
        torch.testing.assert_close(after[row], before[0], atol=1e-5, rtol=0)
    assert read_model_card(model_dir)["case_all_caps"] is True
    tagger = Tagger.load(model_dir)
    assert tagger.case_all_caps
    tags, _ = tagger.tag_words([["NATO", "met", "Ana", "in", "PARIS"]])[0]
    assert len(tags) == 5 and set(tags) <= set(LABELS), tags
