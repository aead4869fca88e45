"""The Gradio app: highlight the named entities of any text, with tables of entities and tags.

``analyse`` is the plain prediction function (no browser needed); ``build_app`` wraps it in a
``gr.Blocks`` page. Its one API endpoint, ``/tag``, takes ``(text, show_tokens=False)`` and
returns three values:

- highlighted: ``[{"token": str, "class_or_confidence": str | None}, ...]``, the text cut into
  consecutive pieces (joined, they give the text back); an entity's piece has its type;
- entities: ``{"headers": ["text", "type", "confidence", "start", "end"], "data": [...]}``
  (plus ``"metadata": None``), one row per entity, ``start``/``end`` character offsets;
- tokens: ``{"headers": ["word", "tag", "confidence", "start", "end"], "data": [...]}``, one
  row per word, empty unless ``show_tokens``.

>>> from gradio_client import Client
>>> client = Client("http://127.0.0.1:7860")  # doctest: +SKIP
>>> answer = client.predict("Ana Souza visited Lisbon.", api_name="/tag")  # doctest: +SKIP
>>> highlighted, entities, tokens = answer  # doctest: +SKIP
>>> entities["data"]  # doctest: +SKIP
[['Ana Souza', 'PER', 0.9731, 0, 9], ['Lisbon', 'LOC', 0.9912, 18, 24]]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import gradio as gr

    from solutions.tools.inference import TaggedText

MAX_CHARS = 20_000
ENTITY_HEADERS = ["text", "type", "confidence", "start", "end"]
TOKEN_HEADERS = ["word", "tag", "confidence", "start", "end"]
EXAMPLES = [
    "Angela Merkel met Emmanuel Macron in Berlin on Tuesday to discuss the European Union budget.",
    "Apple shares rose 3 percent in New York after the company reported record iPhone sales.",
    "Brazil beat Argentina 2-1 in the Copa America final at the Maracana stadium in Rio.",
    "The World Health Organization said on Monday that cases in Kenya and Uganda were falling.",
    "Ana Souza, a Reuters correspondent, reported from Lisbon on the Portuguese elections.",
]
COLORS = {"PER": "#f9a8d4", "ORG": "#93c5fd", "LOC": "#86efac", "MISC": "#fde68a"}

Highlighted = list[tuple[str, str | None]]
Rows = list[list[str | float | int]]


class TextTagger(Protocol):
    """What the demo needs from ``solutions.tools.inference.Tagger``."""

    labels: list[str]

    def tag_text(self, text: str) -> TaggedText: ...


class TextTooLongError(ValueError):
    """The text is longer than ``MAX_CHARS``; the demo refuses it rather than truncate it."""


def analyse(
    tagger: TextTagger, text: str, show_tokens: bool = False
) -> tuple[Highlighted, Rows, Rows]:
    """Tag ``text``: its highlighted segments, the entity rows and (on request) the token rows.

    The segments cover the text exactly (``"".join(s for s, _ in highlighted) == text``); an
    entity row is ``[text, type, confidence, start, end]`` with ``text == text[start:end]``; a
    token row is ``[word, tag, confidence, start, end]``. Whitespace-only text gives empty results.

    >>> analyse(tagger, "Ana Souza visited Lisbon.")  # doctest: +SKIP
    ([('Ana Souza', 'PER'), (' visited ', None), ('Lisbon', 'LOC'), ('.', None)],
     [['Ana Souza', 'PER', 0.9731, 0, 9], ['Lisbon', 'LOC', 0.9912, 18, 24]], [])
    """
    if len(text) > MAX_CHARS:
        raise TextTooLongError(
            f"The text has {len(text):,} characters; the demo tags at most {MAX_CHARS:,} "
            "characters. Shorten it or split it into parts."
        )
    if not text.strip():
        return [], [], []
    tagged = tagger.tag_text(text)
    highlighted: Highlighted = []
    position = 0
    for entity in tagged.entities:
        if entity.start > position:
            highlighted.append((text[position : entity.start], None))
        highlighted.append((text[entity.start : entity.end], entity.label))
        position = entity.end
    if position < len(text):
        highlighted.append((text[position:], None))
    entities: Rows = [[e.text, e.label, round(e.score, 4), e.start, e.end] for e in tagged.entities]
    tokens: Rows = []
    if show_tokens:
        tokens = [
            [word, tag, round(score, 4), start, end]
            for word, tag, score, (start, end) in zip(
                tagged.words, tagged.tags, tagged.scores, tagged.offsets, strict=True
            )
        ]
    return highlighted, entities, tokens


def entity_types(labels: list[str]) -> list[str]:
    """The entity types of a label list, in order.

    >>> entity_types(["O", "B-PER", "I-PER", "B-LOC", "I-LOC"])
    ['PER', 'LOC']
    """
    types = (label.split("-", 1)[-1] for label in labels if label != "O")
    return list(dict.fromkeys(types))


def build_app(tagger: TextTagger, model_name: str = "", step_code: str = "") -> gr.Blocks:
    """The demo page for ``tagger``; its endpoint ``/tag`` takes ``(text, show_tokens=False)``.

    The page names the model and ``step_code``, whose step functions split and merge the
    entities (``solutions.tools.implementation.describe``).

    >>> build_app(tagger, "runs/sample/model", "step code: solutions/").launch()  # doctest: +SKIP
    """
    import gradio as gr  # here, not at the top: a test run that skips the demo stays fast

    types = entity_types(tagger.labels)
    about = f"Entity types: **{', '.join(types)}**"
    if model_name:
        about = f"Model: `{model_name}` · {about}"
    if step_code:
        about = f"{about} · {step_code}"

    def tag(text: str, show_tokens: bool) -> tuple[Highlighted, Rows, Rows]:
        try:
            return analyse(tagger, text or "", show_tokens)
        except (TextTooLongError, NotImplementedError) as error:  # too long, or a student's stub
            raise gr.Error(str(error), print_exception=False) from error

    def retag(text: str, show_tokens: bool) -> tuple[Highlighted, Rows, gr.Dataframe]:
        highlighted, entities, tokens = tag(text, show_tokens)
        return highlighted, entities, gr.Dataframe(value=tokens, visible=show_tokens)

    with gr.Blocks(title="Named Entity Recognition", analytics_enabled=False) as app:
        gr.Markdown(f"# Named Entity Recognition\n{about}")
        text = gr.Textbox(
            label="Text",
            placeholder="Type or paste any text, then click Tag (or press Shift+Enter).",
            lines=4,
            elem_id="ner-input",
        )
        with gr.Row():
            show_tokens = gr.Checkbox(label="Show token-level tags", value=False)
            button = gr.Button("Tag", variant="primary", elem_id="ner-submit")
        gr.Examples(
            examples=[[example] for example in EXAMPLES],
            inputs=[text],
            cache_examples=False,
            api_visibility="private",
        )
        highlighted = gr.HighlightedText(
            label="Entities in the text",
            color_map={t: COLORS[t] for t in types if t in COLORS},
            show_legend=False,
            elem_id="ner-highlighted",
        )
        entities = gr.Dataframe(
            headers=ENTITY_HEADERS,
            datatype=["str", "str", "number", "number", "number"],
            label="Entities",
            interactive=False,
            elem_id="ner-entities",
        )
        tokens = gr.Dataframe(
            headers=TOKEN_HEADERS,
            datatype=["str", "str", "number", "number", "number"],
            label="Token-level tags",
            interactive=False,
            visible=False,
            elem_id="ner-tokens",
        )
        outputs = [highlighted, entities, tokens]
        # One request at a time (Gradio's default limit), shared by both events: the tokenizer
        # and the model are not made for concurrent calls; the queue serves requests in turn.
        gr.on(
            [button.click, text.submit],
            tag,
            [text, show_tokens],
            outputs,
            api_name="tag",
            concurrency_id="tagger",
        )
        show_tokens.change(
            retag, [text, show_tokens], outputs, api_visibility="private", concurrency_id="tagger"
        )
    return app
