"""The demo in a real browser: headless Chromium driven by Playwright.

Without a model it serves the tiny random model with fixed tags (so entities appear for sure);
``NER_DEMO_MODEL=runs/sample/model`` serves a trained model instead, and
``NER_DEMO_SCREENSHOT=demo/screenshot.png`` keeps the screenshot (default: a temporary file):

    NER_DEMO_MODEL=runs/sample/model NER_DEMO_SCREENSHOT=demo/screenshot.png \\
        pytest --impl=solutions tests/test_browser.py
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from demo.app import EXAMPLES, MAX_CHARS, analyse, build_app
from solutions.tools.inference import Tagger
from tests.harness.steps import PROJECT_ROOT
from tests.template.models import build_tiny_model

pytestmark = [pytest.mark.demo, pytest.mark.browser, pytest.mark.timeout(180)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 20_000
LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
SENTENCE = EXAMPLES[0]  # Angela Merkel met Emmanuel Macron in Berlin ... European Union budget.
# JavaScript: is ``text`` shown exactly, as the highlighted component's pieces put together?
SHOWN_TEXT = """text => [...document.querySelectorAll('#ner-highlighted .token .text')]
    .map(span => span.textContent).join('') === text"""
MARKUP = "<b>bold</b> <script>window.__xss=1</script> Ana Souza visited Lisbon"
FIXED_TAGS = {
    "Angela": "B-PER",
    "Merkel": "I-PER",
    "Emmanuel": "B-PER",
    "Macron": "I-PER",
    "Berlin": "B-LOC",
    "European": "B-ORG",
    "Union": "I-ORG",
    "Ana": "B-PER",
    "Souza": "I-PER",
    "Lisbon": "B-LOC",
}

if not CHROMIUM.is_file():
    pytest.skip(
        f"no Chromium at {CHROMIUM}: install it with `apt-get install chromium` (Debian)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
expect = sync_api.expect
expect.set_options(timeout=WAIT_MS)


def _project_path(value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else PROJECT_ROOT / path


@pytest.fixture(scope="module")
def tagger(tmp_path_factory: pytest.TempPathFactory) -> Tagger:
    """The model of ``NER_DEMO_MODEL``, or the tiny model tagging ``FIXED_TAGS`` (test only)."""
    if model := os.environ.get("NER_DEMO_MODEL"):
        return Tagger.load(_project_path(model))
    tagger = Tagger.load(build_tiny_model(tmp_path_factory.mktemp("browser") / "tiny", LABELS))

    def tag_words(sentences: list[list[str]]) -> list[tuple[list[str], list[float]]]:
        return [([FIXED_TAGS.get(w, "O") for w in s], [0.97] * len(s)) for s in sentences]

    tagger.tag_words = tag_words  # type: ignore[method-assign]
    return tagger


@pytest.fixture(scope="module")
def url(tagger: Tagger) -> Iterator[str]:
    app = build_app(tagger, os.environ.get("NER_DEMO_MODEL", "tiny model, fixed tags"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        app.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: sync_api.Browser, url: str) -> Iterator[sync_api.Page]:
    page = browser.new_page(viewport={"width": 1100, "height": 820})
    page.set_default_timeout(WAIT_MS)
    page.goto(url)
    yield page
    page.close()


def submit(page: sync_api.Page, text: str) -> None:
    page.locator("#ner-input textarea").fill(text)
    page.locator("#ner-submit").click()


def expect_entities(page: sync_api.Page, tagger: Tagger, text: str) -> list[list]:
    """Wait until ``text`` is shown exactly; its highlighted spans must be ``analyse``'s."""
    page.wait_for_function(SHOWN_TEXT, arg=text)
    entities = analyse(tagger, text)[1]
    highlighted = page.locator("#ner-highlighted .token.highlighted")
    expect(highlighted.locator(".text")).to_have_text([e[0] for e in entities])
    expect(highlighted.locator(".label")).to_have_text([e[1] for e in entities])
    for entity_text, *_ in entities:
        expect(page.locator("#ner-entities")).to_contain_text(entity_text)
    if "NER_DEMO_MODEL" not in os.environ:
        assert entities, "the fixed tags find entities"
    return entities


def test_typed_sentence_is_highlighted_and_listed(
    page: sync_api.Page, tagger: Tagger, tmp_path: Path
) -> None:
    page.locator("#ner-input textarea").press_sequentially(SENTENCE)
    page.locator("#ner-input textarea").press("Shift+Enter")
    entities = expect_entities(page, tagger, SENTENCE)
    if "NER_DEMO_MODEL" not in os.environ:
        assert [e[:2] for e in entities] == [
            ["Angela Merkel", "PER"],
            ["Emmanuel Macron", "PER"],
            ["Berlin", "LOC"],
            ["European Union", "ORG"],
        ]
    screenshot = _project_path(os.environ.get("NER_DEMO_SCREENSHOT", str(tmp_path / "demo.png")))
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 10_000


def test_markup_is_shown_as_text_never_rendered(page: sync_api.Page, tagger: Tagger) -> None:
    submit(page, MARKUP)
    expect_entities(page, tagger, MARKUP)  # the markup is shown, character for character
    assert page.locator("#ner-highlighted").locator("b, script").count() == 0
    assert page.evaluate("() => window.__xss") is None


def test_token_tags_appear_on_request(page: sync_api.Page, tagger: Tagger) -> None:
    submit(page, MARKUP)
    expect_entities(page, tagger, MARKUP)
    tokens = page.locator("#ner-tokens")
    expect(tokens).to_be_hidden()
    page.get_by_label("Show token-level tags").check()
    expect(tokens).to_be_visible()
    for word, tag, *_ in analyse(tagger, MARKUP, show_tokens=True)[2]:
        expect(tokens).to_contain_text(word)
        expect(tokens).to_contain_text(tag)


def test_too_long_text_shows_an_error(page: sync_api.Page) -> None:
    submit(page, "x" * (MAX_CHARS + 1))
    expect(page.get_by_text(f"at most {MAX_CHARS:,} characters")).to_be_visible()
