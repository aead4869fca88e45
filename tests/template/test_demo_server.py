"""The demo served on 127.0.0.1 and called the way scripts call it: ``gradio_client``."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from demo.app import MAX_CHARS, analyse, build_app
from solutions.tools.inference import Tagger
from tests.template.models import build_tiny_model

pytestmark = [pytest.mark.demo, pytest.mark.timeout(120)]

LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def tagger(tmp_path_factory: pytest.TempPathFactory) -> Tagger:
    return Tagger.load(build_tiny_model(tmp_path_factory.mktemp("server") / "tiny", LABELS))


@pytest.fixture(scope="module")
def client(tagger: Tagger) -> Iterator[Client]:
    app = build_app(tagger, "tiny")
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        yield Client(f"http://127.0.0.1:{port}/", verbose=False)
    finally:
        app.close()


def as_returned(result: tuple[list, list, list]) -> tuple[list, dict, dict]:
    """What ``/tag`` sends for an ``analyse`` result, as ``gradio_client`` decodes it."""
    highlighted, entities, tokens = result
    return (
        [{"token": segment, "class_or_confidence": label} for segment, label in highlighted],
        {"headers": ["text", "type", "confidence", "start", "end"], "data": entities},
        {"headers": ["word", "tag", "confidence", "start", "end"], "data": tokens},
    )


def predict(client: Client, *inputs: object) -> tuple[list, dict, dict]:
    highlighted, entities, tokens = client.predict(*inputs, api_name="/tag")
    return highlighted, _table(entities), _table(tokens)


def _table(value: dict) -> dict:
    return {"headers": value["headers"], "data": value["data"]}


def test_the_only_public_endpoint_is_tag(client: Client) -> None:
    api = client.view_api(print_info=False, return_format="dict")
    assert list(api["named_endpoints"]) == ["/tag"]
    parameters = api["named_endpoints"]["/tag"]["parameters"]
    assert [p["parameter_name"] for p in parameters] == ["text", "show_tokens"]


@pytest.mark.parametrize("show_tokens", [False, True])
def test_tag_answers_what_analyse_computes(
    client: Client, tagger: Tagger, show_tokens: bool
) -> None:
    text = "👍🏽 Ana Souza met דוד in Lisbon, said <b>Reuters</b>."
    expected = as_returned(analyse(tagger, text, show_tokens))
    assert predict(client, text, show_tokens) == expected
    if not show_tokens:
        assert predict(client, text) == expected, "show_tokens defaults to False"


def test_whitespace_text_gives_empty_results(client: Client) -> None:
    assert predict(client, "  \n ") == as_returned(([], [], []))


def test_text_over_the_limit_is_an_error_with_the_limit(client: Client) -> None:
    with pytest.raises(AppError, match=f"at most {MAX_CHARS:,} characters"):
        client.predict("x" * (MAX_CHARS + 1), api_name="/tag")


def test_unwritten_exercise_is_reported_not_crashed(
    client: Client, tagger: Tagger, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unwritten(sentences: list[list[str]]) -> list:
        raise NotImplementedError("step 2: plan_windows() is not written yet")

    monkeypatch.setattr(tagger, "tag_words", unwritten)
    with pytest.raises(AppError, match=r"plan_windows\(\) is not written yet"):
        client.predict("Ana Souza visited Lisbon.", api_name="/tag")


def test_twenty_concurrent_requests_are_all_answered_correctly(
    client: Client, tagger: Tagger
) -> None:
    texts = [f"Request {n}: Ana Souza and Team {n} met in Lisbon {'!' * n}" for n in range(20)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda text: predict(client, text, True), texts))
    for text, answer in zip(texts, answers, strict=True):
        assert answer == as_returned(analyse(tagger, text, True)), text


def test_model_name_and_entity_types_are_shown(client: Client) -> None:
    config = client.config
    markdown = [
        c["props"].get("value", "") for c in config["components"] if c["type"] == "markdown"
    ]
    assert any("`tiny`" in value and "PER, ORG, LOC" in value for value in markdown)
