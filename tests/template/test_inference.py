"""Prediction without truncation: ``inference.Tagger`` and the model's batching hooks."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from solutions.tools.inference import (
    TRAINED_ELSEWHERE,
    TRAINED_HERE,
    Entity,
    ModelUnavailableError,
    Tagger,
    is_hub_id,
)
from tests.harness.show import assert_equal
from tests.template.models import DATA_DIR, build_tiny_model

pytestmark = pytest.mark.pipeline

LABELS = ["O", "B-LOC", "I-LOC", "B-PER", "I-PER"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch

    torch.set_num_threads(1)
    return build_tiny_model(tmp_path_factory.mktemp("inference") / "tiny", LABELS)


@pytest.fixture(scope="module")
def tagger(tiny: Path) -> Tagger:
    return Tagger.load(tiny)


def long_sentence(words: int) -> list[str]:
    """Words of 1 to 6 subwords for the tiny model's character-level vocabulary."""
    return [f"Lisbon-{i}x"[: 1 + i % 9] for i in range(words)]


@pytest.mark.parametrize("max_seq_length", [8, 16, 64])
def test_a_sentence_longer_than_the_model_gets_one_tag_per_word(
    tagger: Tagger, max_seq_length: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tagger, "max_seq_length", max_seq_length)
    sentences = [long_sentence(300), ["Lisbon"], long_sentence(37)]
    tagged = tagger.tag_words(sentences)
    assert [len(tags) for tags, _ in tagged] == [300, 1, 37]
    assert all(len(scores) == len(tags) for tags, scores in tagged)
    assert all(tag in LABELS for tags, _ in tagged for tag in tags)
    assert all(0 < score <= 1 for _, scores in tagged for score in scores)


def test_batching_and_padding_do_not_change_predictions(tagger: Tagger) -> None:
    short = ["Helena", "Cardoso", "flew", "to", "Lisbon", "."]
    alone = tagger.tag_words([short])[0]
    batched = tagger.tag_words([long_sentence(50), short, ["Lisbon"]])[1]
    assert batched[0] == alone[0]
    assert batched[1] == pytest.approx(alone[1], abs=1e-5)


def test_words_the_tokenizer_drops_still_get_a_tag(tagger: Tagger) -> None:
    (tags, scores), empty = tagger.tag_words([["a", "\u200e", "", "b"], []])
    assert len(tags) == len(scores) == 4
    assert empty == ([], [])
    assert tagger.tag_words([]) == []


def test_tag_text_merges_tags_into_entities_at_character_offsets(
    tagger: Tagger, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "Yesterday  Helena Cardoso\tflew to Lisbon."
    fixed = ["O", "B-PER", "I-PER", "O", "O", "B-LOC", "O"]
    monkeypatch.setattr(
        tagger, "tag_words", lambda sentences: [(fixed, [0.5, 0.9, 0.7, 1, 1, 0.6, 1])]
    )
    tagged = tagger.tag_text(text)
    assert tagged.words == ["Yesterday", "Helena", "Cardoso", "flew", "to", "Lisbon", "."]
    assert tagged.offsets[1] == (11, 17)
    assert tagged.entities == [
        Entity(text="Helena Cardoso", label="PER", score=pytest.approx(0.8), start=11, end=25),
        Entity(text="Lisbon", label="LOC", score=0.6, start=34, end=40),
    ]


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_gives_an_empty_result(tagger: Tagger, text: str) -> None:
    tagged = tagger.tag_text(text)
    assert (tagged.text, tagged.words, tagged.tags, tagged.entities) == (text, [], [], [])


def test_tag_texts_keeps_the_order_and_the_empty_texts(tagger: Tagger) -> None:
    texts = ["Lisbon is far.", "", "Helena Cardoso"]
    tagged = tagger.tag_texts(texts)
    assert [t.text for t in tagged] == texts
    assert [len(t.tags) for t in tagged] == [4, 0, 2]


def test_load_refuses_what_is_not_a_trained_model(tiny: Path, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="model directory not found"):
        Tagger.load(tmp_path / "missing")
    with pytest.raises(ValueError, match="is not a trained model directory"):
        Tagger.load(tmp_path)
    (tmp_path / "ner_course.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="damaged"):
        Tagger.load(tmp_path)


def plain_copy(model: Path, directory: Path) -> Path:
    """A copy of a tiny model without ``ner_course.json``, as models from elsewhere come."""
    import shutil

    copy = Path(shutil.copytree(model, directory))
    (copy / "ner_course.json").unlink()
    return copy


def test_a_model_not_trained_here_loads_with_its_own_labels(tiny: Path, tmp_path: Path) -> None:
    plain = plain_copy(tiny, tmp_path / "plain")
    other = Tagger.load(plain)
    assert_equal("Tagger.load(<model without ner_course.json>).labels", other.labels, LABELS)
    assert (other.case_feature, other.max_seq_length) == (False, 128), vars(other)
    assert other.origin == TRAINED_ELSEWHERE and Tagger.load(tiny).origin == TRAINED_HERE
    sentence = ["Helena", "Cardoso", "flew", "to", "Lisbon", "."]
    expected = Tagger.load(tiny).tag_words([sentence])
    assert other.tag_words([sentence]) == expected  # same weights, same tags and scores
    config = json.loads((plain / "config.json").read_text())
    config["architectures"] = ["BertModel"]
    (plain / "config.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(ValueError, match="is not a token-classification model"):
        Tagger.load(plain)


def test_a_hub_id_that_cannot_be_downloaded_is_one_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import transformers

    def offline(name: str, **options: object):
        raise OSError(f"We couldn't connect to 'https://huggingface.co' to load {name}")

    monkeypatch.setattr(transformers.AutoConfig, "from_pretrained", offline)
    with pytest.raises(ModelUnavailableError) as error:
        Tagger.load("dslim/bert-base-NER")
    assert str(error.value).startswith("cannot load model 'dslim/bert-base-NER'"), error.value
    assert "offline?" in str(error.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dslim/bert-base-NER", True),
        ("bert-base-cased", True),
        ("runs/sample/model", False),
        ("/abs/model", False),
        ("../model", False),
        ("./model", False),
        ("owner/name with space", False),
    ],
)
def test_what_reads_as_a_hub_id(text: str, expected: bool) -> None:
    assert_equal(f"is_hub_id({text!r})", is_hub_id(text), expected)


def test_load_refuses_labels_that_disagree_with_the_weights(tiny: Path, tmp_path: Path) -> None:
    import shutil

    copy = Path(shutil.copytree(tiny, tmp_path / "copy"))
    card = json.loads((copy / "ner_course.json").read_text())
    card["labels"] = list(reversed(card["labels"]))
    (copy / "ner_course.json").write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(ValueError, match="labels"):
        Tagger.load(copy)


def test_training_features_window_long_sentences_and_label_every_word(tiny: Path) -> None:
    from transformers import AutoTokenizer

    import solutions.alignment as alignment
    from solutions.tools.model import build_features

    tokenizer = AutoTokenizer.from_pretrained(tiny)
    sentences = [long_sentence(120), ["Lisbon", "."]]
    labels = [["B-LOC" if i % 7 == 0 else "O" for i in range(120)], ["B-LOC", "O"]]
    dataset = build_features(tokenizer, sentences, labels, LABELS, 16, alignment)
    input_ids, mask, _, label_ids = dataset.tensors
    assert input_ids.shape[1] <= 16 and len(input_ids) > 10
    assert int((label_ids != -100).sum()) == 122  # every word once, no word cut off
    assert int(mask.sum(dim=1).min()) == 4  # the short sentence: [CLS] lisbon . [SEP]


def test_the_simpletransformers_model_predicts_long_sentences_whole(tiny: Path) -> None:
    from solutions.tools.model import load_ner_model

    model = load_ner_model(tiny)
    model.args.max_seq_length = 8
    predictions, logits = model.predict([long_sentence(40), ["Lisbon"]], split_on_space=False)
    assert [len(sentence) for sentence in predictions] == [40, 1]
    assert logits[0].shape == (40, len(LABELS))


def test_batches_are_trimmed_to_their_longest_sentence(tiny: Path) -> None:
    import torch

    from solutions.tools.model import load_ner_model

    model = load_ner_model(tiny)
    mask = torch.tensor([[1, 1, 1, 0, 0, 0], [1, 1, 0, 0, 0, 0]])
    batch = (torch.ones_like(mask), mask, torch.zeros_like(mask), torch.zeros_like(mask))
    inputs = model._get_inputs_dict(batch)
    assert inputs["input_ids"].shape == (2, 3) and inputs["labels"].shape == (2, 3)


def cut_cost(lengths: list[int], chunks: list[list[int]], overhead: int) -> int:
    return sum(overhead + len(rows) * max(lengths[row] for row in rows) for rows in chunks)


def cheapest_cut_cost(lengths: list[int], overhead: int) -> int:
    """Every way to cut the sorted rows into runs, tried one by one."""
    ordered = sorted(lengths)
    costs = []
    for mask in range(2 ** (len(ordered) - 1)):
        cuts = [0] + [i for i in range(1, len(ordered)) if mask >> (i - 1) & 1] + [len(ordered)]
        runs = [ordered[a:b] for a, b in itertools.pairwise(cuts)]
        costs.append(sum(overhead + len(run) * run[-1] for run in runs))
    return min(costs)


@given(
    lengths=st.lists(st.integers(1, 128), min_size=1, max_size=8),
    overhead=st.integers(0, 200),
)
def test_plan_chunks_covers_each_row_once_at_the_lowest_cost(
    lengths: list[int], overhead: int
) -> None:
    from solutions.tools.model import plan_chunks

    chunks = plan_chunks(lengths, overhead)
    shown = f"plan_chunks({lengths}, overhead={overhead}) = {chunks}"
    assert sorted(row for rows in chunks for row in rows) == list(range(len(lengths))), shown
    got = cut_cost(lengths, chunks, overhead)
    expected = cheapest_cut_cost(lengths, overhead)
    assert got == expected, f"{shown} costs {got}, the cheapest cut costs {expected}"


def test_plan_chunks_keeps_a_batch_of_equal_lengths_whole() -> None:
    from solutions.tools.model import plan_chunks

    assert plan_chunks([12] * 32) == [list(range(32))]


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_a_batch_run_in_chunks_has_the_loss_and_gradient_of_the_whole_batch(
    tiny: Path, smoothing: float
) -> None:
    import torch
    from simpletransformers.ner import NERModel

    from solutions.tools.model import load_ner_model, plan_chunks

    model = load_ner_model(tiny)
    model.model.eval()  # no dropout: both ways must give the same numbers
    model.step_losses = []
    model.label_smoothing = smoothing
    lengths = [3, 40, 4, 41, 5, 39]
    assert len(plan_chunks(lengths)) > 1, "the test needs a batch that is cut into chunks"
    generator = torch.Generator().manual_seed(0)
    mask = torch.tensor([[1] * n + [0] * (41 - n) for n in lengths])
    labels = torch.randint(0, len(LABELS), mask.shape, generator=generator)
    labels[:, 0] = labels[:, 2::2] = -100  # [CLS] and later subwords are not scored
    batch = (
        torch.randint(5, 40, mask.shape, generator=generator) * mask,
        mask,
        torch.zeros_like(mask),
        labels.where(mask == 1, -100),
    )

    def loss_and_gradient(calculate_loss, loss_fct=None) -> tuple[float, torch.Tensor]:
        model.model.zero_grad()
        inputs = model._get_inputs_dict(batch)
        loss, *_ = calculate_loss(model, model.model, inputs, loss_fct, len(LABELS), model.args)
        loss.backward()
        return loss.item(), model.model.classifier.weight.grad.clone()

    chunked = loss_and_gradient(type(model)._calculate_loss)
    smoothed = torch.nn.CrossEntropyLoss(label_smoothing=smoothing) if smoothing else None
    whole = loss_and_gradient(NERModel._calculate_loss, smoothed)
    assert chunked[0] == pytest.approx(whole[0], rel=1e-5), f"loss {chunked[0]} != {whole[0]}"
    torch.testing.assert_close(chunked[1], whole[1], rtol=1e-4, atol=1e-6)
    assert model.step_losses == [(1, chunked[0])]


def test_layer_decay_gives_each_layer_below_a_smaller_learning_rate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch
    from transformers import AutoModelForTokenClassification

    import solutions.tools.model as model_module
    from solutions.tools.data import read_dataset
    from solutions.training_config import TrainingConfig

    groups: list[dict] = []  # as given to the optimiser, before the scheduler changes them

    def recording_adamw(params, **options):
        params = list(params)
        groups.extend({**group, "lr": group.get("lr", options["lr"])} for group in params)
        return torch.optim.AdamW(params, **options)

    monkeypatch.setattr(model_module, "FusedAdamW", recording_adamw)
    frame = read_dataset(DATA_DIR / "dev.conll")
    labels = sorted(set(frame["labels"]), key=lambda tag: (tag != "O", tag[2:], tag))
    tiny = build_tiny_model(tmp_path / "tiny", labels)
    config = TrainingConfig(epochs=1, learning_rate=1e-3, evaluate_during_training=False)
    model_module.train_ner(
        frame, None, tmp_path / "run", config, backbone=str(tiny), layer_decay=0.5, log=print
    )
    rates = sorted({group["lr"] for group in group_list(groups)}, reverse=True)
    layers = 2  # the tiny BERT's encoder layers
    expected = [1e-3 * 0.5**k for k in range(layers + 2)]  # classifier, top layer ... embeddings
    assert rates == pytest.approx(expected), f"learning rates {rates}, expected {expected}"
    counted = sum(len(group["params"]) for group in groups)
    network = AutoModelForTokenClassification.from_pretrained(tmp_path / "run" / "model")
    assert counted == len(list(network.parameters())), "every parameter in exactly one group"


def group_list(groups: list[dict]) -> list[dict]:
    """The groups that hold parameters (SimpleTransformers also passes empty ones)."""
    return [group for group in groups if group["params"]]


@pytest.mark.parametrize(
    ("precision", "use_cuda", "expected"),
    [("fp32", False, False), ("bf16", False, True), ("bf16", True, False), ("auto", True, False)],
)
def test_bfloat16_only_where_asked_or_chosen_on_a_cpu(
    precision: str, use_cuda: bool, expected: bool
) -> None:
    from solutions.tools.model import cpu_bfloat16_choice

    got = cpu_bfloat16_choice(precision, use_cuda)
    assert got is expected, f"cpu_bfloat16_choice({precision!r}, {use_cuda}) = {got}"


def test_auto_precision_follows_the_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    from solutions.tools.model import cpu_bfloat16_choice

    for supported in (True, False):
        monkeypatch.setattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda s=supported: s)
        assert cpu_bfloat16_choice("auto", False) is supported, f"bf16 instructions: {supported}"
    with pytest.raises(ValueError, match="unknown precision 'half'"):
        cpu_bfloat16_choice("half", False)


@pytest.mark.parametrize(("precision", "dtype"), [("bf16", "bfloat16"), ("fp32", "float32")])
def test_training_runs_the_model_in_the_precision_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, precision: str, dtype: str
) -> None:
    from safetensors import safe_open

    import solutions.tools.model as model_module
    from solutions.tools.data import read_dataset
    from solutions.training_config import TrainingConfig

    frame = read_dataset(DATA_DIR / "dev.conll")
    labels = sorted(set(frame["labels"]), key=lambda tag: (tag != "O", tag[2:], tag))
    tiny = build_tiny_model(tmp_path / "tiny", labels)
    seen: set[str] = set()
    original = model_module.NERModel._calculate_loss

    def recording(self, model, inputs, *args):
        handle = model.classifier.register_forward_hook(
            lambda _module, _inputs, output: seen.add(str(output.dtype).removeprefix("torch."))
        )
        try:
            return original(self, model, inputs, *args)
        finally:
            handle.remove()

    monkeypatch.setattr(model_module.NERModel, "_calculate_loss", recording)
    config = TrainingConfig(epochs=1, learning_rate=1e-3, evaluate_during_training=False)
    result = model_module.train_ner(
        frame, None, tmp_path / "run", config, backbone=str(tiny), log=print, precision=precision
    )
    assert seen == {dtype}, f"--precision {precision}: the classifier computed in {seen}"
    assert result.mixed_precision == ("bfloat16" if precision == "bf16" else "none")
    with safe_open(result.model_dir / "model.safetensors", "pt") as saved:
        stored = {saved.get_slice(name).get_dtype() for name in saved.keys()}  # noqa: SIM118
    assert stored == {"F32"}, f"the saved weights must stay float32, got {stored}"
