"""Step 3 · Training configuration (hints: exercises/hints/step3.md)."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.harness.show import (
    assert_equal,
    assert_type,
    assert_value_error,
    call_text,
    error_text,
    same,
    short_repr,
    token_table,
)
from tests.tokenizer_helpers import (
    LetterTokenizer,
    minilm_like_simpletransformers,
    minilm_tokenizer,
    tiny_tokenizer,
    tokenizer_with_normalizer,
)

pytestmark = pytest.mark.step3

PROPERTY = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
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


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``output_dir`` handed to ``build_ner_args``."""
    return tmp_path_factory.mktemp("run")


#: The fields of ``TrainingConfig``, in the order ``validate_config`` checks them.
FIELDS = [
    "epochs",
    "learning_rate",
    "batch_size",
    "warmup_ratio",
    "weight_decay",
    "seed",
    "evaluate_during_training",
    "early_stopping_patience",
]


def _expect_value_error(
    call: str,
    function: Any,
    *args: Any,
    mentions: list[list[str]],
    absent: list[str] | tuple[str, ...] = (),
    note: str = "",
) -> None:
    """Call, expect a ValueError whose message contains one text of each group in
    ``mentions`` and none of ``absent`` (e.g. the other fields)."""
    __tracebackhide__ = True
    try:
        assert_value_error(
            call, lambda: function(*args), *map(tuple, mentions), absent=absent, note=note
        )
    except (AssertionError, NotImplementedError):
        raise
    except Exception as error:  # e.g. a TypeError from comparing "3" with a number
        raise AssertionError(
            f"called:   {call}\nraised:   {error_text(error)}\nexpected: a ValueError{_note(note)}"
        ) from None


def _other_fields(*named: str) -> list[str]:
    """The fields a message about ``named`` must not mention."""
    return [field for field in FIELDS if field not in named]


def _note(note: str) -> str:
    return f"\n{note}" if note else ""


def _config_text(**changes: Any) -> str:
    return call_text("TrainingConfig", **changes)


def _config_call(**changes: Any) -> str:
    return f"validate_config({_config_text(**changes)})"


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
        early_stopping_patience=1000,
    ),
    "no evaluation": dict(evaluate_during_training=False),
    "whole numbers where any number is allowed": dict(warmup_ratio=0, weight_decay=0),
    "NumPy numbers": dict(
        epochs=np.int64(4),
        learning_rate=np.float32(1e-4),
        batch_size=np.int32(16),
        warmup_ratio=np.float64(0.1),
        weight_decay=np.float64(0.01),
        seed=np.uint32(2**32 - 1),
        early_stopping_patience=np.int64(3),
    ),
}


@pytest.mark.parametrize("changes", VALID.values(), ids=VALID.keys())
def test_3_1_accepts_sensible_values(step, changes):
    config = step.TrainingConfig(**changes)
    call = _config_call(**changes)
    try:
        got = step.validate_config(config)
    except ValueError as error:
        raise AssertionError(
            f"called:   {call}\nraised:   {error_text(error)}\n"
            "expected: None, every value is allowed (see the table in the docstring)"
        ) from None
    assert_equal(call, got, None)


LR_MAX = ["0.01", "1e-2", "1e-02"]
SEED_MAX = ["4294967295", "2**32", "2 ** 32"]
NAN, INF = float("nan"), float("inf")

# (field, bad value, texts the message must show: one of each group). Each value stands for
# one way to get the check wrong: a bound off by one, a float where an integer is needed, a
# bool (True == 1, False == 0 pass a plain range check), a string, None, NaN (every comparison
# with NaN is False) or infinity.
INVALID = [
    ("epochs", 0, [["1"], ["100"]]),
    ("epochs", 101, [["1"], ["100"]]),
    ("epochs", 2.5, [["1"], ["100"]]),
    ("epochs", True, [["1"], ["100"]]),
    ("epochs", "3", [["1"], ["100"]]),
    ("learning_rate", 0.0, [["0"], LR_MAX]),
    ("learning_rate", -1e-4, [["0"], LR_MAX]),
    ("learning_rate", 1e4, [["0"], LR_MAX]),
    ("learning_rate", 0.0100001, [["0"], LR_MAX]),
    ("learning_rate", NAN, [["0"], LR_MAX]),
    ("learning_rate", "1e-4", [["0"], LR_MAX]),
    ("batch_size", 0, [["1"], ["1024"]]),
    ("batch_size", 1025, [["1"], ["1024"]]),
    ("batch_size", 32.0, [["1"], ["1024"]]),
    ("batch_size", True, [["1"], ["1024"]]),
    ("warmup_ratio", -0.1, [["0"], ["1"]]),
    ("warmup_ratio", 1.0, [["0"], ["1"]]),
    ("warmup_ratio", NAN, [["0"], ["1"]]),
    ("warmup_ratio", False, [["0"], ["1"]]),
    ("weight_decay", -0.01, [["0"], ["1"]]),
    ("weight_decay", 1, [["0"], ["1"]]),
    ("weight_decay", NAN, [["0"], ["1"]]),
    ("weight_decay", False, [["0"], ["1"]]),
    ("weight_decay", None, [["0"], ["1"]]),
    ("seed", -1, [["0"], SEED_MAX]),
    ("seed", 2**32, [["0"], SEED_MAX]),
    ("seed", 1.5, [["0"], SEED_MAX]),
    ("seed", False, [["0"], SEED_MAX]),
    ("early_stopping_patience", 0, [["1"]]),
    ("early_stopping_patience", 2.0, [["1"]]),
    ("early_stopping_patience", True, [["1"]]),
    ("early_stopping_patience", INF, [["1"]]),
    ("evaluate_during_training", "yes", [["True"], ["False"]]),
    ("evaluate_during_training", 1, [["True"], ["False"]]),
    ("evaluate_during_training", None, [["True"], ["False"]]),
]


INTEGER_FIELDS = {"epochs", "batch_size", "seed", "early_stopping_patience"}


def _why_invalid(field: str, value: Any) -> str:
    """Why ``value`` is invalid for ``field``: the trap a check can fall into."""
    if isinstance(value, bool):
        return f"{value!r} is a bool, and bool is a subclass of int ({value!r} == {int(value)})"
    if isinstance(value, float) and math.isnan(value):
        return "every comparison with NaN is False: write `if not (low <= value <= high)`"
    if isinstance(value, str) or value is None:
        return f"{value!r} is not a number"
    if isinstance(value, float) and field in INTEGER_FIELDS:
        return f"{field} must be an integer; {value!r} is a float"
    return f"{value!r} is outside the range in the docstring's table"


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
        absent=_other_fields(field),
        note=_why_invalid(field, value),
    )


@pytest.mark.parametrize(
    ("changes", "first", "later"),
    [
        ({"epochs": 0, "learning_rate": 1.0}, "epochs", "learning_rate"),
        ({"seed": -1, "evaluate_during_training": "no"}, "seed", "evaluate_during_training"),
    ],
    ids=["epochs before learning_rate", "seed before evaluate_during_training"],
)
def test_3_1_reports_the_first_invalid_field(step, changes, first, later):
    call = _config_call(**changes)
    _expect_value_error(
        call,
        step.validate_config,
        step.TrainingConfig(**changes),
        mentions=[[first]],
        absent=_other_fields(first),
        note=f"name {first} only, the first invalid field in the table, not {later}",
    )


# -- 3.2 cased or uncased? ---------------------------------------------------------------------


def test_3_2_the_packaged_minilm_lowercases(step, minilm):
    got = step.tokenizer_lowercases(minilm)
    assert_equal(
        "tokenizer_lowercases(<all-MiniLM-L6-v2 tokenizer>)",
        got,
        True,
        f"MiniLM is uncased: it turns 'Paris' into {minilm.tokenize('Paris')} and 'Zürich' into "
        f"{minilm.tokenize('Zürich')} (it lower-cases and strips accents)",
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


# A normaliser can change a word in other ways than its case: compare what it makes of the
# capitalised word and of its lower-case form, not of one word with what you expect.
NORMALISERS: dict[str, tuple[Callable[[Any], Any], bool]] = {
    "marks the word start and keeps the case": (lambda n: n.Prepend("▁"), False),
    "marks the word start and lower-cases": (
        lambda n: n.Sequence([n.Prepend("▁"), n.Lowercase()]),
        True,
    ),
    "strips accents and keeps the case": (lambda n: n.Sequence([n.NFD(), n.StripAccents()]), False),
    "strips accents and lower-cases": (
        lambda n: n.Sequence([n.NFD(), n.StripAccents(), n.Lowercase()]),
        True,
    ),
    "Unicode NFKC only": (lambda n: n.NFKC(), False),
}


@pytest.mark.parametrize(("build", "expected"), NORMALISERS.values(), ids=NORMALISERS.keys())
def test_3_2_normalisers_that_change_more_than_the_case(step, build, expected):
    from tokenizers import normalizers

    normalizer = build(normalizers)
    tokenizer = tokenizer_with_normalizer(normalizer)
    got = step.tokenizer_lowercases(tokenizer)
    shown = ", ".join(
        f"{word!r} into {normalizer.normalize_str(word)!r}" for word in ("Paris", "paris", "Zürich")
    )
    assert_equal(
        f"tokenizer_lowercases(<tokenizer whose normaliser is {normalizer}>)",
        got,
        expected,
        f"its normaliser turns {shown}: compare what it makes of 'Paris' and of 'paris'",
    )


@pytest.mark.parametrize(
    ("make", "expected", "shown"),
    [
        (lambda: tokenizer_with_normalizer(None), False, "<fast tokenizer, normalizer None>"),
        (lambda: LetterTokenizer(lowercase=True), True, "<object with only .tokenize()>"),
        (lambda: LetterTokenizer(lowercase=False), False, "<object with only .tokenize()>"),
    ],
    ids=["fast, keeps the case", "only tokenize, lower-cases", "only tokenize, keeps the case"],
)
def test_3_2_a_tokenizer_without_a_normaliser_is_asked_to_tokenize(step, make, expected, shown):
    tokenizer = make()
    got = step.tokenizer_lowercases(tokenizer)
    assert_equal(
        f"tokenizer_lowercases({shown})",
        got,
        expected,
        f"it has no normaliser; it tokenizes 'Paris' as {tokenizer.tokenize('Paris')} "
        f"and 'paris' as {tokenizer.tokenize('paris')}",
    )


# -- 3.3 choose max_seq_length -----------------------------------------------------------------

LENGTH_CASES = {
    "99th percentile ignores a rare long sentence": ([10] * 200 + [300], {}, 16),
    "100th percentile covers the longest": ([10] * 200 + [300], {"percentile": 100}, 304),
    "interpolates between two lengths": ([10, 30], {"percentile": 50, "multiple_of": 1}, 22),
    "rounds up, not to the nearest": ([9] * 20, {}, 16),
    "an exact multiple stays": ([14] * 50, {}, 16),
    "three special tokens": ([14] * 50, {"special_tokens": 3}, 24),
    "no special tokens": ([16] * 50, {"special_tokens": 0}, 16),
    "multiple of 1": ([7] * 50, {"multiple_of": 1}, 9),
    "capped at the model's limit": ([700] * 10, {}, 512),
    "a limit that is not a multiple": ([200] * 10, {"model_max_length": 100}, 100),
    "a single sentence": ([30], {"multiple_of": 16}, 32),
}


@pytest.mark.parametrize(
    ("lengths", "options", "expected"), LENGTH_CASES.values(), ids=LENGTH_CASES.keys()
)
def test_3_3_choose_max_seq_length(step, lengths, options, expected):
    got = step.choose_max_seq_length(lengths, **options)
    call = call_text("choose_max_seq_length", lengths, **options)
    assert_equal(
        call,
        got,
        expected,
        note="return a plain int (NERArgs is saved as JSON, which has no NumPy numbers)",
    )


@PROPERTY
@given(
    lengths=st.lists(st.integers(1, 600), min_size=1, max_size=60),
    percentile=st.sampled_from([50.0, 90.0, 95.0, 99.0, 100.0]) | st.floats(0, 100),
    multiple_of=st.sampled_from([1, 8, 16, 64]) | st.integers(1, 64),
    special_tokens=st.integers(0, 3),
    model_max_length=st.sampled_from([512, 256, 100]),
)
def test_3_3_the_smallest_multiple_that_covers_the_percentile(
    step, lengths, percentile, multiple_of, special_tokens, model_max_length
):
    options = dict(
        percentile=percentile,
        multiple_of=multiple_of,
        special_tokens=special_tokens,
        model_max_length=model_max_length,
    )
    got = step.choose_max_seq_length(lengths, **options)
    at = float(np.percentile(lengths, percentile))
    needed = at + special_tokens
    # The smallest multiple >= needed; either neighbour when needed is a multiple give or
    # take floating-point rounding.
    allowed = {
        min(math.ceil((needed + slack) / multiple_of) * multiple_of, model_max_length)
        for slack in (-1e-9, 1e-9)
    }
    expected = min(allowed)
    if type(got) is int and got in allowed:
        return
    assert_equal(
        call_text("choose_max_seq_length", lengths, **options),
        got,
        expected,
        f"np.percentile(lengths, {percentile}) is {at:g} subwords (linear interpolation), plus "
        f"{special_tokens} special tokens = {needed:g}; the smallest multiple of {multiple_of} "
        f"that is >= {needed:g} is {math.ceil(needed / multiple_of) * multiple_of}, and the "
        f"result is at most model_max_length={model_max_length}",
    )


@pytest.mark.parametrize(
    ("lengths", "options"),
    [
        ([], {}),
        ([10, 12], {"percentile": -1}),
        ([10, 12], {"percentile": 101}),
        ([10, 12], {"multiple_of": 0}),
        ([10, 12], {"multiple_of": -8}),
    ],
    ids=["no sentences", "percentile -1", "percentile 101", "multiple_of 0", "multiple_of -8"],
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
    "one subword too many": ([6, 7, 6], 8, {}, 1),
    "no special tokens": ([5, 6, 7, 20], 8, {"special_tokens": 0}, 1),
    "room for one subword": ([1, 2, 1], 3, {}, 1),
    "no sentences": ([], 8, {}, 0),
}


@pytest.mark.parametrize(
    ("lengths", "max_seq_length", "options", "expected"),
    WINDOWED_CASES.values(),
    ids=WINDOWED_CASES.keys(),
)
def test_3_4_count_windowed(step, lengths, max_seq_length, options, expected):
    got = step.count_windowed(lengths, max_seq_length, **options)
    special = options.get("special_tokens", 2)
    assert_equal(
        call_text("count_windowed", lengths, max_seq_length, **options),
        got,
        expected,
        f"a sentence fits when its length + {special} special tokens <= {max_seq_length}",
    )


@pytest.mark.parametrize(("max_seq_length", "special_tokens"), [(2, 2), (1, 2), (3, 3), (0, 0)])
def test_3_4_no_room_for_a_subword_is_a_value_error(step, max_seq_length, special_tokens):
    _expect_value_error(
        call_text("count_windowed", [5, 6], max_seq_length, special_tokens=special_tokens),
        step.count_windowed,
        [5, 6],
        max_seq_length,
        special_tokens,
        mentions=[[str(max_seq_length)]],
    )


@PROPERTY
@given(lengths=st.lists(st.integers(1, 500), min_size=1, max_size=40))
def test_3_4_nothing_is_windowed_at_the_100th_percentile(step, lengths):
    length = step.choose_max_seq_length(lengths, percentile=100, model_max_length=1024)
    got = step.count_windowed(lengths, length)
    assert_equal(call_text("count_windowed", lengths, length), got, 0)


# -- 3.5 SimpleTransformers arguments ----------------------------------------------------------

# Two configurations whose values differ from each other and from NERArgs' defaults, so a
# value that is not copied from the config shows.
CONFIGS = {
    "config A": dict(
        epochs=3,
        learning_rate=5e-5,
        batch_size=16,
        warmup_ratio=0.1,
        weight_decay=0.02,
        seed=7,
        early_stopping_patience=5,
    ),
    "config B": dict(
        epochs=7,
        learning_rate=3e-4,
        batch_size=64,
        warmup_ratio=0.0,
        weight_decay=0.0,
        seed=0,
        early_stopping_patience=1,
    ),
}
MISSING = "(NERArgs has no such field)"


def _build(
    step: Any,
    output_dir: str | Path,
    *,
    config: dict | None = None,
    do_lower_case: bool = True,
    max_seq_length: int = 64,
    use_cuda: bool = False,
) -> tuple[str, Any]:
    """``(call text, build_ner_args(...))`` for a configuration given as its changes."""
    changes = CONFIGS["config A"] if config is None else config
    options = dict(do_lower_case=do_lower_case, max_seq_length=max_seq_length, use_cuda=use_cuda)
    shown = ", ".join(f"{key}={value!r}" for key, value in options.items())
    folder = repr(str(output_dir)) if isinstance(output_dir, str) else f"Path({str(output_dir)!r})"
    call = f"build_ner_args({_config_text(**changes)}, {folder}, {shown})"
    return call, step.build_ner_args(step.TrainingConfig(**changes), output_dir, **options)


def _assert_settings(call: str, args: Any, expected: dict[str, Any], note: str = "") -> None:
    """Compare the named NERArgs fields; the message lists only the fields that differ."""
    __tracebackhide__ = True
    from simpletransformers.config.model_args import NERArgs

    assert_type(call, args, NERArgs)
    got = {name: getattr(args, name, MISSING) for name in expected}
    assert_equal(call, got, expected, note)


def test_3_5_returns_ner_args(step, run_dir):
    from simpletransformers.config.model_args import NERArgs

    call, args = _build(step, run_dir)
    assert_type(call, args, NERArgs)


@pytest.mark.parametrize("changes", CONFIGS.values(), ids=CONFIGS.keys())
def test_3_5_hyper_parameters_come_from_the_config(step, run_dir, changes):
    call, args = _build(step, run_dir, config=changes)
    expected = {
        "num_train_epochs": changes["epochs"],
        "learning_rate": changes["learning_rate"],
        "train_batch_size": changes["batch_size"],
        "eval_batch_size": changes["batch_size"],
        "warmup_ratio": changes["warmup_ratio"],
        "weight_decay": changes["weight_decay"],
        "manual_seed": changes["seed"],
    }
    _assert_settings(call, args, expected)


@pytest.mark.parametrize(("do_lower_case", "max_seq_length"), [(True, 64), (False, 200)])
def test_3_5_passes_do_lower_case_and_max_seq_length(step, run_dir, do_lower_case, max_seq_length):
    call, args = _build(step, run_dir, do_lower_case=do_lower_case, max_seq_length=max_seq_length)
    expected = {"do_lower_case": do_lower_case, "max_seq_length": max_seq_length}
    _assert_settings(call, args, expected)


@pytest.mark.parametrize("changes", CONFIGS.values(), ids=CONFIGS.keys())
def test_3_5_evaluates_once_per_epoch_with_early_stopping_on_f1(step, run_dir, changes):
    call, args = _build(step, run_dir, config={**changes, "evaluate_during_training": True})
    expected = {
        "evaluate_during_training": True,
        "evaluate_during_training_steps": -1,
        "evaluate_each_epoch": True,
        "use_early_stopping": True,
        "early_stopping_metric": "f1_score",
        "early_stopping_metric_minimize": False,
        "early_stopping_consider_epochs": True,
        "early_stopping_patience": changes["early_stopping_patience"],
    }
    _assert_settings(
        call,
        args,
        expected,
        "NERArgs' defaults are different: no early stopping, on eval_loss (minimised), "
        "evaluation every 2000 steps, patience 3",
    )


def test_3_5_no_evaluation_means_no_early_stopping(step, run_dir):
    config = {**CONFIGS["config A"], "evaluate_during_training": False}
    call, args = _build(step, run_dir, config=config)
    expected = {"evaluate_during_training": False, "use_early_stopping": False}
    _assert_settings(call, args, expected, "early stopping needs the evaluation scores")


@pytest.mark.parametrize("use_cuda", [True, False])
def test_3_5_fp16_only_on_a_gpu(step, run_dir, use_cuda):
    call, args = _build(step, run_dir, use_cuda=use_cuda)
    _assert_settings(call, args, {"fp16": use_cuda})


def test_3_5_no_wandb_and_no_multiprocessing(step, run_dir):
    call, args = _build(step, run_dir)
    expected = {
        "wandb_project": None,
        "use_multiprocessing": False,
        "use_multiprocessing_for_evaluation": False,
        "dataloader_num_workers": 0,
    }
    _assert_settings(call, args, expected)


OUTPUT_FIELDS = ["output_dir", "best_model_dir", "cache_dir", "tensorboard_dir"]


@pytest.mark.parametrize("kind", [str, Path], ids=["output_dir as str", "output_dir as Path"])
def test_3_5_every_output_goes_under_output_dir(step, run_dir, kind):
    from simpletransformers.config.model_args import NERArgs

    call, args = _build(step, kind(run_dir))
    assert_type(call, args, NERArgs)
    root = run_dir.resolve()

    def place(value: Any) -> str:
        plain = type(value) in (str, type(Path()))
        inside = plain and Path(value).resolve().is_relative_to(root)
        return "under output_dir" if inside else f"{short_repr(value)}, not under {str(run_dir)!r}"

    got = {name: place(getattr(args, name, None)) for name in OUTPUT_FIELDS}
    assert_equal(call, got, dict.fromkeys(OUTPUT_FIELDS, "under output_dir"))
    best, last = Path(args.best_model_dir).resolve(), Path(args.output_dir).resolve()
    assert best != last, f"{call}: best_model_dir is output_dir, the last model overwrites the best"


def test_3_5_a_run_can_be_repeated_and_rebuilds_its_features(step, run_dir):
    call, args = _build(step, run_dir)
    expected = {"overwrite_output_dir": True, "reprocess_input_data": True, "no_cache": True}
    _assert_settings(call, args, expected)


def test_3_5_no_intermediate_checkpoints(step, run_dir):
    call, args = _build(step, run_dir)
    expected = {
        "save_steps": -1,
        "save_model_every_epoch": False,
        "save_eval_checkpoints": False,
        "save_optimizer_and_scheduler": False,
        "silent": False,
    }
    _assert_settings(call, args, expected)


def test_3_5_the_arguments_can_be_saved_as_json(step, run_dir):
    from simpletransformers.config.model_args import NERArgs

    call, args = _build(step, Path(run_dir))
    assert_type(call, args, NERArgs)
    try:
        args.save(run_dir / "saved")
    except TypeError as error:
        types = {
            name: type(value).__name__
            for name, value in dataclasses.asdict(args).items()
            if not isinstance(value, (str, int, float, bool, type(None), list, tuple, dict))
        }
        raise AssertionError(
            f"called:   {call}.save(folder)\nraised:   {error_text(error)}\n"
            f"expected: a saved model_args.json (NERModel saves it next to the model); "
            f"these fields are not JSON values: {types}; store paths as str"
        ) from None
    saved = json.loads((run_dir / "saved" / "model_args.json").read_text(encoding="utf-8"))
    assert_equal(
        f"model_args.json written by {call}.save(folder)['max_seq_length']",
        saved.get("max_seq_length"),
        64,
    )


INVALID_CONFIGS = {
    "learning_rate=3.0": {"learning_rate": 3.0},
    "epochs=True": {"epochs": True},
    "warmup_ratio=nan": {"warmup_ratio": NAN},
}


@pytest.mark.parametrize("changes", INVALID_CONFIGS.values(), ids=INVALID_CONFIGS.keys())
def test_3_5_validates_the_config_first(step, run_dir, changes):
    call = f"build_ner_args({_config_text(**changes)}, output_dir, True, 64, False)"
    _expect_value_error(
        call,
        step.build_ner_args,
        step.TrainingConfig(**changes),
        run_dir,
        True,
        64,
        False,
        mentions=[[next(iter(changes))]],
        absent=_other_fields(next(iter(changes))),
    )


# -- 3.6 the do_lower_case trap ----------------------------------------------------------------


def _tokens_per_word(tokenizer: Any) -> list[str]:
    return [" ".join(tokenizer.tokenize(word)) for word in SENTENCE]


def test_3_6_the_do_lower_case_trap(step, minilm, run_dir):
    from simpletransformers.config.model_args import NERArgs

    default = NERArgs().do_lower_case
    trapped = _tokens_per_word(minilm_like_simpletransformers(default))
    args = step.build_ner_args(
        step.TrainingConfig(), run_dir, step.tokenizer_lowercases(minilm), 128, False
    )
    assert_type("build_ner_args(TrainingConfig(), ...)", args, NERArgs)
    assert_type("build_ner_args(TrainingConfig(), ...).do_lower_case", args.do_lower_case, bool)
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
        (263, 4, 32, 320, 36),  # the sample with MIN_STEPS = 320: 324 steps
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
    assert_type(call, got, type(config))
    assert_equal(
        f"{call}.epochs",
        got.epochs,
        expected,
        note=f"{steps_per_epoch} steps an epoch; {min_steps} steps needed",
    )


def test_3_7_returns_a_new_config_and_keeps_every_other_field(step):
    config = step.TrainingConfig(epochs=2, learning_rate=3e-4, batch_size=8, seed=7)
    before = dataclasses.asdict(config)
    got = step.fit_to_data_size(config, train_sentences=40, min_steps=100)
    call = call_text(
        "fit_to_data_size", "TrainingConfig(epochs=2, ...)", train_sentences=40, min_steps=100
    )
    assert_type(call, got, type(config))
    assert_equal(f"{call} is not the same object", got is not config, True)
    assert_equal(f"the config after {call}", dataclasses.asdict(config), before)
    changed = {k: v for k, v in dataclasses.asdict(got).items() if not same(v, before[k])}
    assert_equal(f"fields {call} changed", sorted(changed), ["epochs"])


def test_3_7_the_default_budget_gives_the_sample_enough_steps(step):
    got = step.fit_to_data_size(step.TrainingConfig(), train_sentences=263)
    call = "fit_to_data_size(TrainingConfig(), 263)"
    assert_type(call, got, step.TrainingConfig)
    assert_type(f"{call}.epochs", got.epochs, int)
    assert_type(f"{call}.batch_size", got.batch_size, int)
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
    bad, good = (min_steps, sentences) if sentences > 0 else (sentences, min_steps)
    assert_value_error(
        call,
        lambda: step.fit_to_data_size(step.TrainingConfig(), sentences, min_steps=min_steps),
        str(bad),
        absent=[str(good)],
        note="the message shows the bad value (and not the good one)",
    )
