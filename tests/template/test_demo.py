"""The demo's prediction function and launcher, without a browser or a server.

The tiny model has random weights, so most tests check invariants (offsets, coverage, structure);
tests that need known entities replace the model's ``tag_words`` with fixed tags.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import demo.app
from demo.__main__ import main
from demo.app import MAX_CHARS, TextTooLongError, analyse, entity_types
from solutions.tools.benchmark_demo import benchmark, format_report
from solutions.tools.implementation import describe
from solutions.tools.inference import Tagger
from solutions.tools.text import split_words
from tests.harness.steps import PROJECT_ROOT
from tests.template.models import build_tiny_model

pytestmark = pytest.mark.demo

LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
TEXTS = {
    "news": "Angela Merkel met Emmanuel Macron in Berlin on Tuesday, Reuters said.",
    "emoji": "👍🏽 Ana Souza 🇵🇹 loves Lisbon!! 😀😀 — café, naïve, Zürich…",
    "rtl": "Ana Souza met דוד כהן in تل أبيب and then flew to Lisbon.",
    "html": "<b>bold</b> <script>window.__xss=1</script> Ana Souza visited Lisbon",
    "spaces": "  \n Ana   Souza\tvisited\n\nLisbon .  ",
    "clitics": "Mr. Smith's U.S. visit, 2026-03-14: he didn't stop in O'Neill's pub.",
}


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("demo") / "tiny", LABELS)


@pytest.fixture(scope="module")
def tagger(tiny_model: Path) -> Tagger:
    return Tagger.load(tiny_model)


def fixed_tags(tags: dict[str, str]) -> Callable[[list[list[str]]], list]:
    """A ``tag_words`` that tags the words in ``tags`` and nothing else, at confidence 0.9."""

    def tag_words(sentences: list[list[str]]) -> list[tuple[list[str], list[float]]]:
        return [([tags.get(w, "O") for w in words], [0.9] * len(words)) for words in sentences]

    return tag_words


KNOWN = {"Ana": "B-PER", "Souza": "I-PER", "Lisbon": "B-LOC", "דוד": "B-PER", "כהן": "I-PER"}


@pytest.fixture
def known_tagger(tagger: Tagger, monkeypatch: pytest.MonkeyPatch) -> Tagger:
    monkeypatch.setattr(tagger, "tag_words", fixed_tags(KNOWN))
    return tagger


def assert_consistent(text: str, highlighted: list, entities: list, tokens: list) -> None:
    """Every span, entity and token points at its own characters of the text as typed."""
    assert "".join(segment for segment, _ in highlighted) == text
    assert all(segment for segment, _ in highlighted), "no empty segment"
    labelled = [(segment, label) for segment, label in highlighted if label is not None]
    assert labelled == [(row[0], row[1]) for row in entities]
    for word, _, confidence, start, end in entities + tokens:
        assert text[start:end] == word
        assert 0.0 <= confidence <= 1.0
    assert {row[1] for row in entities} <= set(entity_types(LABELS))
    starts = [row[3] for row in entities]
    assert starts == sorted(starts)


@pytest.mark.parametrize("name", TEXTS)
def test_spans_and_tokens_keep_the_offsets_of_the_text_as_typed(tagger: Tagger, name: str) -> None:
    text = TEXTS[name]
    highlighted, entities, tokens = analyse(tagger, text, show_tokens=True)
    assert_consistent(text, highlighted, entities, tokens)
    assert [row[0] for row in tokens] == [word for word, _, _ in split_words(text)]
    covered = {i for *_, start, end in tokens for i in range(start, end)}
    assert covered == {i for i, char in enumerate(text) if not char.isspace()}


def test_known_tags_become_merged_entities_at_character_offsets(known_tagger: Tagger) -> None:
    text = "Ana Souza visited Lisbon."
    highlighted, entities, tokens = analyse(known_tagger, text, show_tokens=True)
    assert highlighted == [
        ("Ana Souza", "PER"),
        (" visited ", None),
        ("Lisbon", "LOC"),
        (".", None),
    ]
    assert entities == [["Ana Souza", "PER", 0.9, 0, 9], ["Lisbon", "LOC", 0.9, 18, 24]]
    assert [row[:2] for row in tokens] == [
        ["Ana", "B-PER"],
        ["Souza", "I-PER"],
        ["visited", "O"],
        ["Lisbon", "B-LOC"],
        [".", "O"],
    ]


@pytest.mark.parametrize("name", ["emoji", "rtl", "html", "spaces"])
def test_known_entities_in_unicode_rtl_and_markup_text(known_tagger: Tagger, name: str) -> None:
    text = TEXTS[name]
    highlighted, entities, tokens = analyse(known_tagger, text, show_tokens=True)
    assert_consistent(text, highlighted, entities, tokens)
    expected = [("Ana", "Souza"), ("Lisbon",)]
    if name == "rtl":
        expected.insert(1, ("דוד", "כהן"))
    for row, words in zip(entities, expected, strict=True):
        assert row[0].split() == list(words)
        assert row[3] == text.index(words[0])


def test_tokens_are_listed_only_on_request(known_tagger: Tagger) -> None:
    highlighted, entities, tokens = analyse(known_tagger, TEXTS["news"])
    assert tokens == []
    assert analyse(known_tagger, TEXTS["news"], show_tokens=True)[:2] == (highlighted, entities)


def test_long_text_is_windowed_and_no_word_is_dropped(
    tagger: Tagger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tagger, "max_seq_length", 16)
    text = " ".join(f"{TEXTS['news']} {TEXTS['emoji']}" for _ in range(4))
    words = [word for word, _, _ in split_words(text)]
    subwords = len(tagger.tokenizer(words, is_split_into_words=True)["input_ids"])
    assert subwords > 4 * tagger.max_seq_length, "the text must need several windows"
    highlighted, entities, tokens = analyse(tagger, text, show_tokens=True)
    assert [row[0] for row in tokens] == words
    assert all(row[1] in LABELS for row in tokens)
    assert_consistent(text, highlighted, entities, tokens)


@pytest.mark.parametrize("text", ["", " ", "\n\t  \u00a0\u2003"])
def test_empty_or_whitespace_text_gives_an_empty_result(tagger: Tagger, text: str) -> None:
    assert analyse(tagger, text, show_tokens=True) == ([], [], [])


def test_text_over_the_limit_is_refused_with_a_clear_message(known_tagger: Tagger) -> None:
    at_limit = ("Ana Souza visited Lisbon. " * MAX_CHARS)[:MAX_CHARS]
    assert analyse(known_tagger, at_limit)[1]
    with pytest.raises(TextTooLongError, match=f"at most {MAX_CHARS:,}"):
        analyse(known_tagger, at_limit + "x")


def test_entity_types_follow_the_model_labels() -> None:
    assert entity_types(LABELS) == ["PER", "ORG", "LOC", "MISC"]
    assert entity_types(["O", "B-GENE", "I-GENE"]) == ["GENE"]


def test_help_imports_neither_gradio_nor_torch() -> None:
    probe = (
        "import runpy, sys; sys.argv = ['demo', '--help']\n"
        "try: runpy.run_module('demo', run_name='__main__')\n"
        "except SystemExit: print(sorted({'gradio', 'torch'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=30
    )
    assert "--model" in result.stdout
    assert result.stdout.strip().endswith("[]"), result.stdout


@pytest.mark.parametrize(
    ("model", "impl", "command"),
    [
        ("runs/sample/model", "solutions", "python -m solutions.tools.train --output runs/sample"),
        (
            "runs/mine/model",
            "exercises",
            "python -m solutions.tools.train --impl exercises --output runs/mine",
        ),
    ],
)
def test_missing_model_exits_with_the_training_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], model: str, impl: str, command: str
) -> None:
    assert main(["--model", str(tmp_path / model), "--impl", impl]) == 2
    assert command.replace("runs/", f"{tmp_path.as_posix()}/runs/") in capsys.readouterr().err


def test_directory_that_is_not_a_model_exits_with_the_training_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--model", str(tmp_path)]) == 2
    assert "python -m solutions.tools.train --output runs/sample" in capsys.readouterr().err


def test_launcher_serves_the_model_on_the_given_host_and_port(
    tiny_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = {}

    class App:
        def launch(self, **options: object) -> None:
            served.update(options)

    def build_app(tagger: Tagger, model_name: str, step_code: str) -> App:
        served.update(tagger=tagger, model_name=model_name, step_code=step_code)
        return App()

    monkeypatch.setattr(demo.app, "build_app", build_app)
    argv = ["--model", str(tiny_model), "--host", "0.0.0.0", "--port", "7999"]
    assert main([*argv, "--impl", "exercises"]) == 0
    assert (served["server_name"], served["server_port"]) == ("0.0.0.0", 7999)
    assert served["model_name"] == str(tiny_model)
    assert served["tagger"].alignment.__name__ == "exercises.alignment"
    assert served["step_code"] == describe("exercises")


def test_a_gpu_asked_for_and_absent_is_one_line(
    tiny_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("torch sees a CUDA device here; this test is of a machine without one")
    assert main(["--model", str(tiny_model), "--device", "cuda"]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith("error: --device cuda: torch"), error


def test_the_page_says_whose_step_code_runs(tagger: Tagger) -> None:
    page = demo.app.build_app(tagger, "runs/x/model", step_code=describe("exercises"))
    texts = [block.value for block in page.blocks.values() if type(block).__name__ == "Markdown"]
    assert any(describe("exercises") in text and "runs/x/model" in text for text in texts), texts


def test_the_launcher_serves_a_model_not_trained_here(
    tiny_model: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import shutil

    plain = Path(shutil.copytree(tiny_model, tmp_path / "plain"))
    (plain / "ner_course.json").unlink()
    served = {}

    class App:
        def launch(self, **options: object) -> None:
            served.update(options)

    def build_app(tagger: Tagger, model_name: str, step_code: str) -> App:
        served.update(labels=tagger.labels)
        return App()

    monkeypatch.setattr(demo.app, "build_app", build_app)
    assert main(["--model", str(plain)]) == 0
    assert served["labels"] == LABELS
    assert "not trained by this course" in capsys.readouterr().out


def test_a_hub_id_that_cannot_be_downloaded_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import transformers

    def offline(name: str, **options: object):
        raise OSError(f"We couldn't connect to 'https://huggingface.co' to load {name}")

    monkeypatch.setattr(transformers.AutoConfig, "from_pretrained", offline)
    assert main(["--model", "dslim/bert-base-NER"]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith("error: cannot load model"), error


def test_benchmark_times_the_demo_and_the_pipeline(tiny_model: Path) -> None:
    report = benchmark(tiny_model, "solutions", repeats=2, warmup=0)
    assert list(report["texts"]) == ["sentence", "500 words"]
    assert [row["words"] for row in report["texts"].values()] == [13, 500]
    for row in report["texts"].values():
        assert row["demo"]["p50_ms"] > 0 and row["pipeline"]["p95_ms"] > 0
        assert row["ratio_p50"] == row["demo"]["p50_ms"] / row["pipeline"]["p50_ms"]
    assert "500 words" in format_report(report)
