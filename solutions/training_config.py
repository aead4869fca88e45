"""Step 3 · Training configuration: hyper-parameters, sequence length, lower-casing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simpletransformers.ner import NERArgs


@dataclass
class TrainingConfig:
    """The hyper-parameters a learner chooses (validated by ``validate_config``)."""

    epochs: int = 3
    learning_rate: float = 1e-4
    batch_size: int = 32
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    seed: int = 42
    evaluate_during_training: bool = True
    early_stopping_patience: int = 2


def validate_config(config: TrainingConfig) -> None:
    """Raise ``ValueError`` naming the field and its allowed range for any invalid value."""
    raise NotImplementedError("step 3: validate_config() is not written yet")


def tokenizer_lowercases(tokenizer: Any) -> bool:
    """Whether a (Hugging Face) tokenizer lower-cases its input, i.e. the backbone is uncased."""
    raise NotImplementedError("step 3: tokenizer_lowercases() is not written yet")


def choose_max_seq_length(
    subword_lengths: Sequence[int],
    percentile: float = 99.0,
    multiple_of: int = 8,
    special_tokens: int = 2,
    model_max_length: int = 512,
) -> int:
    """The smallest multiple of ``multiple_of`` covering ``percentile`` % of the sentences."""
    raise NotImplementedError("step 3: choose_max_seq_length() is not written yet")


def count_windowed(
    subword_lengths: Sequence[int], max_seq_length: int, special_tokens: int = 2
) -> int:
    """How many sentences do not fit in ``max_seq_length`` and must be split into windows."""
    raise NotImplementedError("step 3: count_windowed() is not written yet")


def build_ner_args(
    config: TrainingConfig,
    output_dir: str | Path,
    do_lower_case: bool,
    max_seq_length: int,
    use_cuda: bool,
) -> NERArgs:
    """SimpleTransformers ``NERArgs`` for a run whose outputs all go under ``output_dir``."""
    raise NotImplementedError("step 3: build_ner_args() is not written yet")
