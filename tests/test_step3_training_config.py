"""Step 3 · Training configuration (hints: exercises/hints/step3.md)."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.harness.show import assert_equal, call_text, token_table
from tests.tokenizer_helpers import minilm_like_simpletransformers, minilm_tokenizer, tiny_tokenizer

pytestmark = pytest.mark.step3

PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# Capitalised words, as in CoNLL-2003: people, places, organisations.
SENTENCE = ["Jürgen", "Klinsmann", "moved", "to", "Paris", "with", "the", "EU", "delegation"]


@pytest.fixture(scope="session")
def minilm() -> Any:
    """The packaged all-MiniLM-L6-v2 tokenizer (uncased), loaded once."""
    return minilm_tokenizer()


@pytest.fixture(scope="session")
def tiny_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tiny")


def _expect_value_error(call: str, function: Any, *args: Any, mentions: list[list[str]]) -> str:
    """Call, expect ValueError whose message contains one text of each group in ``mentions``."""
    __tracebackhide__ = True
    try:
        got = function(*args)
    except ValueError as error:
        message = str(error)
        missing = [group for group in mentions if not any(text in message for text in group)]
        if missing:
            wanted = " and ".join(" or ".join(repr(text) for text in group) for group in missing)
            raise AssertionError(
                f"called:   {call}\nraised:   ValueError({message!r})\n"
                f"expected: a message that also mentions {wanted}"
            ) from None
        return message
    raise AssertionError(f"called:   {call}\ngot:      {got!r}\nexpected: ValueError")


def _config_call(**changes: Any) -> str:
    return call_text("validate_config", call_text("TrainingConfig", **changes))


# -- 3.1 validate the configuration ------------------------------------------------------------

VALID = {
    "defaults": {},
    "smallest": dict(
        epochs=1,
        learning_rate=1e-6,
        batch_size=1,
        warmup_ratio=0.0,
        weight_decay=0.0,
        seed=0,
        early_stopping_patience=1,
    ),
    "largest": dict(
        epochs=100,
        learning_rate=1e-2,
        batch_size=1024,
        warmup_ratio=0.99,
        weight_decay=0.5,
        seed=2**32 - 1,
        early_stopping_patience=50,
    ),
    "no evaluation": dict(evaluate_during_training=False),
}


@pytest.mark.parametrize("changes", VALID.values(), ids=VALID.keys())
def test_3_1_accepts_sensible_values(step, changes):
    config = step.TrainingConfig(**changes)
    assert_equal(_config_call(**changes), step.validate_config(config), None)


LR_MAX = ["0.01", "1e-2", "1e-02"]

INVALID = [
    ("epochs", 0, [["1"], ["100"]]),
    ("epochs", 101, [["1"], ["100"]]),
    ("epochs", 2.5, [["1"], ["100"]]),
    ("epochs", True, [["1"], ["100"]]),
    ("epochs", "3", [["1"], ["100"]]),
    ("learning_rate", 0.0, [["0"], LR_MAX]),
    ("learning_rate", -1e-4, [["0"], LR_MAX]),
    ("learning_rate", 1e4, [["0"], LR_MAX]),
    ("learning_rate", 0.1, [["0"], LR_MAX]),
    ("learning_rate", float("nan"), [["0"], LR_MAX]),
    ("learning_rate", "1e-4", [["0"], LR_MAX]),
    ("learning_rate", True, [["0"], LR_MAX]),
    ("batch_size", 0, [["1"], ["1024"]]),
    ("batch_size", 2048, [["1"], ["1024"]]),
    ("batch_size", 32.0, [["1"], ["1024"]]),
    ("batch_size", False, [["1"], ["1024"]]),
    ("warmup_ratio", -0.1, [["0"], ["1"]]),
    ("warmup_ratio", 1.0, [["0"], ["1"]]),
    ("warmup_ratio", "0.1", [["0"], ["1"]]),
    ("weight_decay", -0.01, [["0"], ["1"]]),
    ("weight_decay", 1, [["0"], ["1"]]),
    ("weight_decay", None, [["0"], ["1"]]),
    ("seed", -1, [["0"]]),
    ("seed", 1.5, [["0"]]),
    ("seed", True, [["0"]]),
    ("seed", 2**32, [["0"]]),
    ("early_stopping_patience", 0, [["1"]]),
    ("early_stopping_patience", 2.0, [["1"]]),
    ("early_stopping_patience", True, [["1"]]),
    ("evaluate_during_training", "yes", [["True"], ["False"]]),
]


@pytest.mark.parametrize(
    ("field", "value", "bounds"), INVALID, ids=[f"{f}={v!r}" for f, v, _ in INVALID]
)
def test_3_1_rejects_bad_values_naming_field_value_and_range(step, field, value, bounds):
    config = step.TrainingConfig(**{field: value})
    _expect_value_error(
        _config_call(**{field: value}),
        step.validate_config,
        config,
        mentions=[[field], [repr(value), str(value)], *bounds],
    )


# -- 3.2 cased or uncased? ---------------------------------------------------------------------


def test_3_2_the_packaged_minilm_lowercases(step, minilm):
    got = step.tokenizer_lowercases(minilm)
    assert_equal(
        "tokenizer_lowercases(<all-MiniLM-L6-v2 tokenizer>)",
        got,
        True,
        f"MiniLM is uncased: it turns 'Paris' into {minilm.tokenize('Paris')}",
    )


@pytest.mark.parametrize("lowercase", [False, True], ids=["cased", "uncased"])
def test_3_2_tiny_tokenizers(step, tiny_folder, lowercase):
    tokenizer = tiny_tokenizer(tiny_folder / f"lower-{lowercase}", lowercase=lowercase)
    got = step.tokenizer_lowercases(tokenizer)
    assert_equal(
        f"tokenizer_lowercases(<tiny tokenizer, do_lower_case={lowercase}>)",
        got,
        lowercase,
        f"it tokenizes 'Paris' as {tokenizer.tokenize('Paris')} (its vocabulary has both "
        "'Paris' and 'paris')",
    )


@pytest.mark.parametrize("claims", [True, False], ids=["claims-uncased", "claims-cased"])
def test_3_2_decides_by_behaviour_not_by_a_setting(step, tiny_folder, claims):
    from tokenizers.normalizers import BertNormalizer

    tokenizer = tiny_tokenizer(tiny_folder / f"claims-{claims}", lowercase=claims)
    tokenizer.backend_tokenizer.normalizer = BertNormalizer(lowercase=not claims)
    got = step.tokenizer_lowercases(tokenizer)
    assert_equal(
        f"tokenizer_lowercases(<tokenizer with do_lower_case={claims}>)",
        got,
        not claims,
        f"its do_lower_case setting says {claims}, but it tokenizes 'Paris' as "
        f"{tokenizer.tokenize('Paris')}: trust what it does",
    )


def test_3_2_minilm_loaded_without_lowercasing_no_longer_lowercases(step):
    tokenizer = minilm_like_simpletransformers(do_lower_case=False)
    got = step.tokenizer_lowercases(tokenizer)
    assert_equal(
        "tokenizer_lowercases(BertTokenizer.from_pretrained(minilm, do_lower_case=False))",
        got,
        False,
        f"loaded like this it tokenizes 'Paris' as {tokenizer.tokenize('Paris')}",
    )


# -- 3.3 choose max_seq_length -----------------------------------------------------------------

LENGTH_CASES = {
    "99th percentile ignores a rare long sentence": ([10] * 200 + [300], {}, 16),
    "100th percentile covers the longest": ([10] * 200 + [300], {"percentile": 100}, 304),
    "an exact multiple stays": ([14] * 50, {}, 16),
    "three special tokens": ([14] * 50, {"special_tokens": 3}, 24),
    "multiple of 1": ([7] * 50, {"multiple_of": 1}, 9),
    "capped at the model's limit": ([700] * 10, {}, 512),
    "a smaller model limit": ([200] * 10, {"model_max_length": 128}, 128),
    "a single sentence": ([30], {"multiple_of": 16}, 32),
}


@pytest.mark.parametrize(
    ("lengths", "options", "expected"), LENGTH_CASES.values(), ids=LENGTH_CASES.keys()
)
def test_3_3_choose_max_seq_length(step, lengths, options, expected):
    got = step.choose_max_seq_length(lengths, **options)
    call = call_text("choose_max_seq_length", lengths, **options)
    assert_equal(call, got, expected)
    assert isinstance(got, int), f"{call} returned {got!r}, a {type(got).__name__}, not an int"


@PROPERTY
@given(
    lengths=st.lists(st.integers(1, 600), min_size=1, max_size=50),
    percentile=st.floats(0, 100),
    multiple_of=st.integers(1, 64),
)
def test_3_3_the_choice_is_a_multiple_that_covers_the_percentile(
    step, lengths, percentile, multiple_of
):
    got = step.choose_max_seq_length(lengths, percentile=percentile, multiple_of=multiple_of)
    call = call_text(
        "choose_max_seq_length", lengths, percentile=percentile, multiple_of=multiple_of
    )
    if got == 512:
        return
    covered = sum(1 for length in lengths if length + 2 <= got)
    assert got % multiple_of == 0, f"{call} returned {got}, not a multiple of {multiple_of}"
    assert covered >= math.floor(percentile / 100 * len(lengths)), (
        f"{call} returned {got}: only {covered} of {len(lengths)} sentences fit"
    )
    assert got - multiple_of < max(lengths) + 2, f"{call} returned {got}: a smaller one fits all"


@pytest.mark.parametrize(
    ("lengths", "options"),
    [([], {}), ([10, 12], {"percentile": -1}), ([10, 12], {"percentile": 101})],
    ids=["no sentences", "percentile -1", "percentile 101"],
)
def test_3_3_bad_input_is_a_value_error(step, lengths, options):
    _expect_value_error(
        call_text("choose_max_seq_length", lengths, **options),
        lambda: step.choose_max_seq_length(lengths, **options),
        mentions=[],
    )


# -- 3.4 count the sentences to window ---------------------------------------------------------

WINDOWED_CASES = {
    "two too long": ([5, 6, 7, 20], 8, {}, 2),
    "exactly full fits": ([6, 6], 8, {}, 0),
    "no special tokens": ([5, 6, 7, 20], 8, {"special_tokens": 0}, 1),
    "no sentences": ([], 8, {}, 0),
}


@pytest.mark.parametrize(
    ("lengths", "max_seq_length", "options", "expected"),
    WINDOWED_CASES.values(),
    ids=WINDOWED_CASES.keys(),
)
def test_3_4_count_windowed(step, lengths, max_seq_length, options, expected):
    got = step.count_windowed(lengths, max_seq_length, **options)
    assert_equal(call_text("count_windowed", lengths, max_seq_length, **options), got, expected)


@PROPERTY
@given(lengths=st.lists(st.integers(1, 500), min_size=1, max_size=40))
def test_3_4_nothing_is_windowed_at_the_100th_percentile(step, lengths):
    length = step.choose_max_seq_length(lengths, percentile=100, model_max_length=1024)
    got = step.count_windowed(lengths, length)
    assert_equal(call_text("count_windowed", lengths, length), got, 0)


# -- 3.5 SimpleTransformers arguments ----------------------------------------------------------

EXPECTED_ARGS = {
    "num_train_epochs": 4,
    "learning_rate": 5e-5,
    "train_batch_size": 16,
    "eval_batch_size": 16,
    "warmup_ratio": 0.1,
    "weight_decay": 0.02,
    "manual_seed": 7,
    "do_lower_case": True,
    "max_seq_length": 64,
    "evaluate_during_training": True,
    "use_early_stopping": True,
    "early_stopping_metric": "f1_score",
    "early_stopping_metric_minimize": False,
    "early_stopping_patience": 3,
    "early_stopping_consider_epochs": True,
    "fp16": False,
    "wandb_project": None,
    "wandb_kwargs": {},
    "use_multiprocessing": False,
    "use_multiprocessing_for_evaluation": False,
    "dataloader_num_workers": 0,
    "overwrite_output_dir": True,
    "reprocess_input_data": True,
    "no_cache": True,
    "save_steps": -1,
    "save_model_every_epoch": False,
    "save_eval_checkpoints": False,
    "silent": False,
}
CONFIG = dict(
    epochs=4,
    learning_rate=5e-5,
    batch_size=16,
    warmup_ratio=0.1,
    weight_decay=0.02,
    seed=7,
    early_stopping_patience=3,
)


def _build(step: Any, tmp_path: Path, **changes: Any) -> tuple[str, Any]:
    config = step.TrainingConfig(**{**CONFIG, **changes.pop("config", {})})
    options = {"do_lower_case": True, "max_seq_length": 64, "use_cuda": False, **changes}
    call = call_text("build_ner_args", config, tmp_path / "run", **options)
    return call, step.build_ner_args(config, tmp_path / "run", **options)


def test_3_5_returns_ner_args(step, tmp_path):
    from simpletransformers.config.model_args import NERArgs

    call, args = _build(step, tmp_path)
    assert isinstance(args, NERArgs), f"{call} returned a {type(args).__name__}, not NERArgs"


@pytest.mark.parametrize("name", EXPECTED_ARGS)
def test_3_5_sets_each_argument(step, tmp_path, name):
    call, args = _build(step, tmp_path)
    assert_equal(f"{call}.{name}", getattr(args, name), EXPECTED_ARGS[name])


def test_3_5_evaluates_once_per_epoch_not_every_n_steps(step, tmp_path):
    call, args = _build(step, tmp_path)
    got = (args.evaluate_each_epoch, args.evaluate_during_training_steps <= 0)
    assert_equal(
        f"({call}.evaluate_each_epoch, .evaluate_during_training_steps <= 0)", got, (True, True)
    )


@pytest.mark.parametrize("name", ["output_dir", "best_model_dir", "cache_dir", "tensorboard_dir"])
def test_3_5_every_output_goes_under_output_dir(step, tmp_path, name):
    call, args = _build(step, tmp_path)
    value = getattr(args, name)
    inside = value is not None and Path(value).resolve().is_relative_to(
        (tmp_path / "run").resolve()
    )
    where = tmp_path / "run"
    assert inside, (
        f"called:   {call}\ngot:      .{name} = {value!r}\nexpected: a path under {where}"
    )


def test_3_5_the_best_model_has_its_own_folder(step, tmp_path):
    call, args = _build(step, tmp_path)
    assert Path(args.best_model_dir).resolve() != Path(args.output_dir).resolve(), (
        f"{call}: best_model_dir is output_dir; the best model would be overwritten"
    )


@pytest.mark.parametrize("use_cuda", [True, False])
def test_3_5_fp16_only_on_a_gpu(step, tmp_path, use_cuda):
    call, args = _build(step, tmp_path, use_cuda=use_cuda)
    assert_equal(f"{call}.fp16", args.fp16, use_cuda)


@pytest.mark.parametrize("evaluate", [True, False])
def test_3_5_evaluation_follows_the_config(step, tmp_path, evaluate):
    call, args = _build(step, tmp_path, config={"evaluate_during_training": evaluate})
    assert_equal(f"{call}.evaluate_during_training", args.evaluate_during_training, evaluate)


@pytest.mark.parametrize("do_lower_case", [True, False])
def test_3_5_passes_do_lower_case_and_max_seq_length(step, tmp_path, do_lower_case):
    call, args = _build(step, tmp_path, do_lower_case=do_lower_case, max_seq_length=96)
    got = (args.do_lower_case, args.max_seq_length)
    assert_equal(f"({call}.do_lower_case, .max_seq_length)", got, (do_lower_case, 96))


def test_3_5_validates_the_config_first(step, tmp_path):
    config = dataclasses.replace(step.TrainingConfig(), learning_rate=3.0)
    _expect_value_error(
        call_text("build_ner_args", config, tmp_path, True, 64, False),
        step.build_ner_args,
        config,
        tmp_path,
        True,
        64,
        False,
        mentions=[["learning_rate"]],
    )


# -- 3.6 the do_lower_case trap ----------------------------------------------------------------


def _tokens_per_word(tokenizer: Any) -> list[str]:
    return [" ".join(tokenizer.tokenize(word)) for word in SENTENCE]


def test_3_6_the_do_lower_case_trap(step, minilm, tmp_path):
    from simpletransformers.config.model_args import NERArgs

    default = NERArgs().do_lower_case
    trapped = _tokens_per_word(minilm_like_simpletransformers(default))
    args = step.build_ner_args(
        step.TrainingConfig(), tmp_path, step.tokenizer_lowercases(minilm), 128, False
    )
    chosen = _tokens_per_word(minilm_like_simpletransformers(args.do_lower_case))
    table = token_table(SENTENCE, default=trapped, chosen=chosen)
    assert trapped.count("[UNK]") >= 4, (
        f"SimpleTransformers' default do_lower_case={default} was expected to turn the "
        f"capitalised words into [UNK]:\n{table}"
    )
    assert not any("[UNK]" in tokens for tokens in chosen), (
        f"with do_lower_case={args.do_lower_case} from build_ner_args(..., "
        f"do_lower_case=tokenizer_lowercases(minilm), ...) MiniLM still sees [UNK]:\n{table}"
    )


# 3.7 fit_to_data_size -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentences", "epochs", "batch_size", "min_steps", "expected"),
    [
        (14041, 4, 32, 240, 4),  # CoNLL-2003: 439 steps an epoch, four epochs stay four
        (263, 4, 32, 240, 27),  # the sample: 9 steps an epoch
        (263, 4, 16, 240, 15),  # smaller batches, more steps an epoch
        (320, 4, 32, 240, 24),  # exactly 10 steps an epoch
        (1, 4, 32, 240, 100),  # one sentence: capped at 100 epochs
        (2000, 1, 32, 63, 1),  # enough steps already
        (2000, 1, 32, 64, 2),  # one step short: one more epoch
    ],
)
def test_3_7_epochs_follow_the_data_size(step, sentences, epochs, batch_size, min_steps, expected):
    config = step.TrainingConfig(epochs=epochs, batch_size=batch_size)
    got = step.fit_to_data_size(config, train_sentences=sentences, min_steps=min_steps)
    call = call_text(
        "fit_to_data_size",
        f"TrainingConfig(epochs={epochs}, batch_size={batch_size})",
        train_sentences=sentences,
        min_steps=min_steps,
    )
    steps_per_epoch = math.ceil(sentences / batch_size)
    assert_equal(
        f"{call}.epochs",
        got.epochs,
        expected,
        note=f"{steps_per_epoch} steps an epoch; {min_steps} steps needed",
    )


def test_3_7_returns_a_new_config_and_keeps_every_other_field(step):
    config = step.TrainingConfig(epochs=2, learning_rate=3e-4, batch_size=8, seed=7)
    before = dataclasses.asdict(config)
    got = step.fit_to_data_size(config, train_sentences=40)
    call = call_text("fit_to_data_size", "TrainingConfig(epochs=2, ...)", train_sentences=40)
    assert_equal(f"{call} is not the same object", got is not config, True)
    assert_equal(f"the config after {call}", dataclasses.asdict(config), before)
    changed = {k: v for k, v in dataclasses.asdict(got).items() if before[k] != v}
    assert_equal(f"fields {call} changed", sorted(changed), ["epochs"])


def test_3_7_the_default_budget_gives_the_sample_enough_steps(step):
    got = step.fit_to_data_size(step.TrainingConfig(), train_sentences=263)
    steps = got.epochs * math.ceil(263 / got.batch_size)
    assert_equal(
        "optimiser steps on 263 sentences with fit_to_data_size(TrainingConfig(), 263)",
        steps >= step.MIN_STEPS,
        True,
        note=f"got {got.epochs} epochs = {steps} steps, fewer than MIN_STEPS={step.MIN_STEPS}",
    )


@pytest.mark.parametrize(("sentences", "min_steps"), [(0, 240), (-5, 240), (100, 0)])
def test_3_7_bad_sizes_are_value_errors(step, sentences, min_steps):
    call = call_text("fit_to_data_size", "TrainingConfig()", sentences, min_steps=min_steps)
    with pytest.raises(ValueError) as error:
        step.fit_to_data_size(step.TrainingConfig(), sentences, min_steps=min_steps)
    assert str(min_steps if sentences > 0 else sentences) in str(error.value), (
        f"{call}: the message should show the bad value, got {str(error.value)!r}"
    )
