"""Reading tags from a model's scores: ``solutions.tools.decoding`` and where it is used."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from solutions import alignment
from solutions.tools import inference
from solutions.tools.decoding import decode, iob2_transitions, training_decoding
from solutions.tools.inference import Tagger, read_model_card
from tests.harness.show import assert_equal
from tests.template.models import DATA_DIR, build_tiny_model

pytestmark = pytest.mark.pipeline

LABEL_SETS = [
    ["O", "B-PER", "I-PER"],
    ["O", "B-LOC", "I-LOC", "B-PER", "I-PER"],
    ["B-geo", "I-geo", "O", "I-tim", "B-tim"],  # any order, any type names
]


def scores(words: int, labels: int, unique: bool = False) -> st.SearchStrategy[np.ndarray]:
    """Logits from -8 to 8 in steps of 0.2, so that equal scores are equal exactly."""
    elements = st.integers(-40, 40).map(lambda step: step / 5)
    return arrays(np.float64, (words, labels), elements=elements, unique=unique)


def log_probabilities(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_iob2_decoding_finds_the_most_likely_valid_sequence(data: st.DataObject) -> None:
    labels = data.draw(st.sampled_from(LABEL_SETS))
    logits = data.draw(scores(data.draw(st.integers(1, 5)), len(labels)))
    chosen = decode(logits, labels, "iob2")
    tags = [labels[i] for i in chosen]
    assert alignment.iob2_errors(tags) == [], f"decode(..., 'iob2') gave invalid IOB2 {tags}"
    logp = log_probabilities(logits)
    valid = [
        path
        for path in itertools.product(range(len(labels)), repeat=len(logits))
        if not alignment.iob2_errors([labels[i] for i in path])
    ]
    best = max(sum(logp[word, i] for word, i in enumerate(path)) for path in valid)
    got = sum(logp[word, i] for word, i in enumerate(chosen))
    assert got == pytest.approx(best, abs=1e-9), (
        f"logits {logits.tolist()}: iob2 decoding gave {tags} (log-probability {got}), "
        f"the best valid sequence has {best}"
    )


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_iob2_decoding_keeps_a_valid_argmax(data: st.DataObject) -> None:
    labels = data.draw(st.sampled_from(LABEL_SETS))
    logits = data.draw(scores(data.draw(st.integers(1, 12)), len(labels), unique=True))
    argmax = decode(logits, labels, "argmax").tolist()
    assert argmax == logits.argmax(axis=1).tolist()
    if not alignment.iob2_errors([labels[i] for i in argmax]):
        got = decode(logits, labels, "iob2").tolist()
        assert_equal(f"decode({logits.tolist()}, {labels}, 'iob2')", got, argmax)


def test_a_stray_i_tag_becomes_the_start_or_the_end_of_an_entity() -> None:
    labels = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
    cases = [
        # (per-word probabilities, what argmax reads, what iob2 reads)
        ([[0.1, 0.4, 0.5, 0, 0]], ["I-PER"], ["B-PER"]),
        ([[0.9, 0.1, 0, 0, 0], [0.2, 0.35, 0.45, 0, 0]], ["O", "I-PER"], ["O", "B-PER"]),
        ([[0.1, 0.8, 0.1, 0, 0], [0.1, 0, 0.2, 0, 0.7]], ["B-PER", "I-LOC"], ["B-PER", "I-PER"]),
        ([[0.6, 0.3, 0.1, 0, 0], [0, 0.1, 0.9, 0, 0]], ["O", "I-PER"], ["B-PER", "I-PER"]),
    ]
    for probabilities, by_argmax, by_iob2 in cases:
        logits = np.log(np.array(probabilities) + 1e-6)
        for decoding, expected in (("argmax", by_argmax), ("iob2", by_iob2)):
            got = [labels[i] for i in decode(logits, labels, decoding)]
            assert_equal(f"decode({probabilities}, labels, {decoding!r})", got, expected)


def test_an_empty_sentence_and_an_unknown_decoding() -> None:
    assert decode(np.zeros((0, 3)), LABEL_SETS[0], "iob2").tolist() == []
    with pytest.raises(ValueError, match=r"unknown decoding 'beam': choose one of iob2, argmax"):
        decode(np.zeros((1, 3)), LABEL_SETS[0], "beam")


def test_only_i_tags_are_ever_ruled_out() -> None:
    start, follow = iob2_transitions(["B-geo", "I-geo", "O", "I-tim"])
    assert start.tolist() == [0, -np.inf, 0, -np.inf]
    assert follow[:, 1].tolist() == [0, 0, -np.inf, -np.inf], "I-geo only after B-geo, I-geo"
    assert follow[:, 3].tolist() == [-np.inf] * 3 + [0], "I-tim only after I-tim (no B-tim)"
    assert (follow[:, [0, 2]] == 0).all()


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ([["B-PER", "I-PER", "O"], ["O", "B-LOC"]], "iob2"),
        ([["B-PER", "I-PER", "O"], ["O", "I-LOC"]], "argmax"),  # one stray I- is enough
        ([["O", "O"], []], "iob2"),
    ],
)
def test_training_decoding_follows_the_training_tags(tags: list, expected: str) -> None:
    assert_equal(
        f"training_decoding({tags}, alignment)", training_decoding(tags, alignment), expected
    )


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("decoding") / "tiny", LABEL_SETS[0])


def test_the_tagger_reads_tags_with_its_decoding_and_scores_the_tag_chosen(
    tiny: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    probabilities = np.array([[0.6, 0.3, 0.1], [0.05, 0.15, 0.8]])
    monkeypatch.setattr(inference, "word_logits", lambda *_, **__: [np.log(probabilities)])
    for decoding, expected in (("argmax", ["O", "I-PER"]), ("iob2", ["B-PER", "I-PER"])):
        tagger = Tagger.load(tiny, decoding=decoding)
        [(tags, confidences)] = tagger.tag_words([["Helena", "Cardoso"]])
        assert_equal(f"Tagger(decoding={decoding!r}).tag_words(...) tags", tags, expected)
        chosen = [probabilities[w, LABEL_SETS[0].index(tag)] for w, tag in enumerate(tags)]
        assert confidences == pytest.approx(chosen), (decoding, confidences, chosen)


def test_the_model_card_keeps_the_decoding_and_refuses_a_bad_one(tiny: Path) -> None:
    card_path = tiny / "ner_course.json"
    card = json.loads(card_path.read_text())
    try:
        card.pop("decoding", None)
        card_path.write_text(json.dumps(card), encoding="utf-8")
        assert read_model_card(tiny)["decoding"] == "argmax", "an older card: argmax"
        assert Tagger.load(tiny).decoding == "argmax"
        assert Tagger.load(tiny, decoding="iob2").decoding == "iob2"
        card_path.write_text(json.dumps({**card, "decoding": "iob2"}), encoding="utf-8")
        assert Tagger.load(tiny).decoding == "iob2"
        card_path.write_text(json.dumps({**card, "decoding": "crf"}), encoding="utf-8")
        with pytest.raises(ValueError, match="damaged: decoding must be one of iob2, argmax"):
            read_model_card(tiny)
    finally:
        card_path.write_text(json.dumps(card), encoding="utf-8")


@pytest.mark.timeout(180)
@pytest.mark.parametrize(
    ("data", "expected"), [("train.conll", "iob2"), ("iob1_sample.conll", "argmax")]
)
def test_training_records_the_decoding_its_tags_allow(
    tmp_path: Path, data: str, expected: str
) -> None:
    import torch

    from solutions.preprocessing import build_label_list
    from solutions.tools.data import read_dataset
    from solutions.tools.model import load_ner_model, train_ner
    from solutions.training_config import TrainingConfig

    torch.set_num_threads(1)
    frame = read_dataset(DATA_DIR / data)
    backbone = build_tiny_model(tmp_path / "backbone", build_label_list(frame["labels"]))
    config = TrainingConfig(epochs=1, learning_rate=5e-3, batch_size=16, seed=3)
    result = train_ner(frame, frame, tmp_path / "run", config, backbone=str(backbone), log=print)
    assert_equal(f"train_ner(<{data}>).decoding", result.decoding, expected)
    assert read_model_card(result.model_dir)["decoding"] == expected
    assert load_ner_model(result.model_dir).decoding == expected
