"""Fast prediction with a trained model: plain transformers, no SimpleTransformers overhead.

``Tagger`` labels words or raw text with a model folder written by ``solutions.tools.train``, or
with any token-classification model (a folder or a Hugging Face id; see ``model_card``). It
never truncates: a sentence longer than the model's ``max_seq_length`` is cut into overlapping
windows of whole words (step 2 ``plan_windows``), each window is predicted, and the windows
are merged back (``merge_windows``), so every input word gets exactly one tag. Windows of
similar length are batched together and each batch is padded only to its own longest window.

>>> tagger = Tagger.load("runs/sample/model")  # doctest: +SKIP
>>> [(e.text, e.label) for e in tagger.tag_text("Angela Merkel visited Paris.").entities]
... # doctest: +SKIP
[('Angela Merkel', 'PER'), ('Paris', 'LOC')]
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from solutions.tools.casing import case_type_ids
from solutions.tools.cli import resolve_device
from solutions.tools.decoding import DECODINGS, decode
from solutions.tools.implementation import load_implementation
from solutions.tools.text import split_words

if TYPE_CHECKING:
    import numpy as np

META_FILE = "ner_course.json"
HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?")
MAX_PLAIN_LENGTH = 512
TRAINED_HERE = "trained by this course"
TRAINED_ELSEWHERE = "not trained by this course: labels from its config.id2label, no case feature"
BATCH_SIZE = 32
WINDOW_OVERLAP = 8


class ModelUnavailableError(ValueError):
    """A Hugging Face model id that can be neither found locally nor downloaded now."""


@dataclass(frozen=True)
class Entity:
    """One entity found in a text: its words' text, type, mean confidence and char offsets."""

    text: str
    label: str
    score: float
    start: int
    end: int


@dataclass(frozen=True)
class TaggedText:
    """A text split into words, with one tag and confidence per word and the merged entities."""

    text: str
    words: list[str]
    offsets: list[tuple[int, int]]
    tags: list[str]
    scores: list[float]
    entities: list[Entity]


def write_model_card(
    model_dir: str | Path,
    labels: Sequence[str],
    do_lower_case: bool,
    max_seq_length: int,
    **details: Any,
) -> Path:
    """Save what prediction needs beside the weights, as ``ner_course.json``; return its path.

    ``details`` (backbone, training data, ...) are stored too, for people to read.
    """
    path = Path(model_dir) / META_FILE
    card = {
        "labels": list(labels),
        "do_lower_case": bool(do_lower_case),
        "max_seq_length": int(max_seq_length),
        **details,
    }
    path.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return path


def read_model_card(model_dir: str | Path) -> dict[str, Any]:
    """The course's metadata saved beside the weights: labels, lower-casing, sequence length.

    Raises ``FileNotFoundError`` for a missing directory and ``ValueError`` for a directory
    that ``solutions.tools.train`` did not write.
    """
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        raise FileNotFoundError(f"model directory not found: {model_dir}")
    path = model_dir / META_FILE
    if not path.is_file():
        raise ValueError(
            f"{model_dir} is not a trained model directory (no {META_FILE}); "
            "train one with: python -m solutions.tools.train --output runs/NAME"
        )
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
        labels, lower, length = meta["labels"], meta["do_lower_case"], meta["max_seq_length"]
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise ValueError(f"{path} is damaged: {error}") from error
    if not (isinstance(labels, list) and isinstance(lower, bool) and int(length) > 2):
        raise ValueError(f"{path} is damaged: unexpected labels, do_lower_case or max_seq_length")
    for name in ("case_feature", "case_all_caps"):
        meta.setdefault(name, False)
        if not isinstance(meta[name], bool):
            raise ValueError(f"{path} is damaged: {name} must be true or false")
    meta.setdefault("decoding", "argmax")
    if meta["decoding"] not in DECODINGS:
        raise ValueError(f"{path} is damaged: decoding must be one of {', '.join(DECODINGS)}")
    return meta


def model_card(model: str | Path) -> dict[str, Any]:
    """What prediction needs to know about ``model``, a folder or a Hugging Face id.

    A folder written by ``solutions.tools.train`` has its ``ner_course.json``
    (``read_model_card``); any other folder with a ``config.json``, or an id such as
    ``dslim/bert-base-NER``, is read by ``plain_model_card``. ``trained_here`` tells which.

    >>> model_card("runs/sample/model")["trained_here"]  # doctest: +SKIP
    True
    """
    path = Path(model)
    if path.is_dir():
        if (path / META_FILE).is_file():
            return {**read_model_card(path), "trained_here": True}
        if not (path / "config.json").is_file():
            raise ValueError(
                f"{path} is not a trained model directory (no {META_FILE}, no config.json); "
                "train one with: python -m solutions.tools.train --output runs/NAME"
            )
    elif not is_hub_id(str(model)):
        raise FileNotFoundError(f"model directory not found: {model}")
    return plain_model_card(str(model))


def is_hub_id(text: str) -> bool:
    """Whether ``text`` reads as a Hugging Face model id (``name`` or ``owner/name``).

    >>> is_hub_id("dslim/bert-base-NER"), is_hub_id("runs/sample/model"), is_hub_id("/tmp/m")
    (True, False, False)
    """
    return HUB_ID.fullmatch(text) is not None and ".." not in text


def plain_model_card(source: str) -> dict[str, Any]:
    """The card of a token-classification model this course did not train.

    Labels come from its ``config.id2label``, lower-casing from its own tokenizer settings
    (``do_lower_case`` is ``None``), the sequence length from its position embeddings (at
    most 512, longer texts are windowed) and there is no case feature. Raises
    ``ModelUnavailableError`` when ``source`` can neither be read nor downloaded, and
    ``ValueError`` for a model without a token-classification head.
    """
    from transformers import AutoConfig

    try:
        config = AutoConfig.from_pretrained(source)
    except (OSError, ValueError) as error:
        raise ModelUnavailableError(
            f"cannot load model {source!r}: not a model folder here, and not a Hugging Face "
            "model id that can be downloaded now (offline?)"
        ) from error
    architectures = list(config.architectures or [])
    if not any(name.endswith("ForTokenClassification") for name in architectures):
        raise ValueError(
            f"{source} is not a token-classification model (architectures: {architectures}); "
            f"fine-tune it first: python -m solutions.tools.train --model {source} "
            "--output runs/NAME"
        )
    positions = getattr(config, "max_position_embeddings", None) or MAX_PLAIN_LENGTH
    return {
        "labels": [config.id2label[i] for i in range(config.num_labels)],
        "do_lower_case": None,
        "max_seq_length": min(int(positions), MAX_PLAIN_LENGTH),
        "case_feature": False,
        "case_all_caps": False,
        "decoding": "argmax",
        "trained_here": False,
    }


def word_logits(
    model: Any,
    tokenizer: Any,
    sentences: Sequence[Sequence[str]],
    max_seq_length: int,
    alignment: ModuleType,
    batch_size: int = BATCH_SIZE,
    overlap: int = WINDOW_OVERLAP,
    progress: bool = False,
    case_feature: bool = False,
    case_all_caps: bool = False,
) -> list[np.ndarray]:
    """Logits ``(words, labels)`` for each sentence: windowed, length-batched, padded per batch.

    Each word is scored at its first subword. A word the tokenizer turns into nothing (a
    zero-width or control character) is read as the unknown token, so it is still scored.
    The model is put in eval mode; the caller restores training mode if it needs it.
    ``progress`` shows a progress bar; ``case_feature`` marks capitalised words in the token
    type ids, as the model was trained (``solutions.tools.casing``), and ``case_all_caps`` words
    in capitals only.
    """
    import numpy as np
    import torch
    from tqdm.auto import tqdm

    sentences, counts = readable_words(tokenizer, sentences)
    room = max_seq_length - tokenizer.num_special_tokens_to_add()
    plans = [alignment.plan_windows(c, room, overlap) if c else [] for c in counts]
    pieces = [(s, window) for s, plan in enumerate(plans) for window in plan]
    pieces.sort(key=lambda piece: sum(counts[piece[0]][piece[1][0] : piece[1][1]]), reverse=True)
    results: dict[tuple[int, tuple[int, int]], list[np.ndarray]] = {}
    model.eval()
    device = next(model.parameters()).device
    with torch.inference_mode():
        starts = range(0, len(pieces), batch_size)
        for first in tqdm(starts, desc="Running Evaluation", disable=not progress):
            batch = pieces[first : first + batch_size]
            encoded = tokenizer(
                [sentences[s][start:end] for s, (start, end) in batch],
                is_split_into_words=True,
                truncation=True,
                max_length=max_seq_length,
                padding=True,
                return_tensors="pt",
            )
            if case_feature:
                encoded["token_type_ids"] = torch.tensor(
                    [
                        case_type_ids(sentences[s][start:end], encoded.word_ids(row), case_all_caps)
                        for row, (s, (start, end)) in enumerate(batch)
                    ]
                )
            inputs = {key: value.to(device) for key, value in encoded.items()}
            logits = model(**inputs).logits.float().cpu().numpy()
            for row, piece in enumerate(batch):
                results[piece] = alignment.word_predictions(
                    encoded.word_ids(row), list(logits[row])
                )
    labels = model.config.num_labels
    merged = []
    for index, (words, plan) in enumerate(zip(sentences, plans, strict=True)):
        rows = alignment.merge_windows(plan, [results[(index, window)] for window in plan])
        merged.append(np.stack(rows) if rows else np.zeros((len(words), labels), np.float32))
    return merged


class Tagger:
    """A trained model ready to tag sentences and texts (see the module docstring)."""

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        labels: list[str],
        max_seq_length: int,
        impl: str | None = None,
        case_feature: bool = False,
        origin: str = TRAINED_HERE,
        case_all_caps: bool = False,
        decoding: str = "argmax",
    ) -> None:
        self.model = model
        self.origin = origin
        self.tokenizer = tokenizer
        self.labels = list(labels)
        self.max_seq_length = max_seq_length
        self.case_feature = case_feature
        self.case_all_caps = case_all_caps
        self.decoding = decoding
        self.alignment = load_implementation(impl).alignment

    @classmethod
    def load(
        cls,
        model: str | Path,
        impl: str | None = None,
        device: str = "auto",
        decoding: str | None = None,
    ) -> Tagger:
        """Load a token-classification model: a folder or a Hugging Face id (downloaded).

        The model runs on ``device``: ``auto`` (a CUDA GPU when torch sees one), ``cpu`` or
        ``cuda`` (``solutions.tools.cli.resolve_device``). ``decoding`` (``iob2`` or
        ``argmax``, see ``solutions.tools.decoding``) overrides the model card's.

        A folder written by ``solutions.tools.train`` brings its ``ner_course.json``
        (labels, lower-casing, sequence length, case feature); any other model is read as
        ``plain_model_card`` describes. Raises ``FileNotFoundError`` / ``ValueError`` with a
        one-line message when ``model`` is missing, is not a token-classification model or
        cannot be downloaded now.
        """
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        target = resolve_device(device)
        source = str(model)
        meta = model_card(model)
        lowercase = {"do_lower_case": meta["do_lower_case"]} if meta["trained_here"] else {}
        tokenizer = AutoTokenizer.from_pretrained(source, **lowercase)
        network = AutoModelForTokenClassification.from_pretrained(source)
        network.to(target)
        saved = [network.config.id2label[i] for i in range(network.config.num_labels)]
        if saved != meta["labels"]:
            raise ValueError(f"{model}: config.json labels {saved} != {META_FILE} labels")
        return cls(
            network,
            tokenizer,
            meta["labels"],
            int(meta["max_seq_length"]),
            impl,
            case_feature=meta["case_feature"],
            case_all_caps=meta["case_all_caps"],
            origin=TRAINED_HERE if meta["trained_here"] else TRAINED_ELSEWHERE,
            decoding=decoding or meta["decoding"],
        )

    def tag_words(self, sentences: list[list[str]]) -> list[tuple[list[str], list[float]]]:
        """One tag and its probability for every word of every sentence.

        The tags are read with the tagger's ``decoding`` (``solutions.tools.decoding``); the
        probability is the model's for that tag, so it may be below another tag's when
        ``iob2`` decoding chose a valid sequence over a word's best guess.

        >>> tagger.tag_words([["Angela", "Merkel", "visited", "Paris", "."]])  # doctest: +SKIP
        [(['B-PER', 'I-PER', 'O', 'B-LOC', 'O'], [0.99, 0.98, 0.99, 0.97, 0.99])]
        """
        import numpy as np

        tagged = []
        for logits in word_logits(
            self.model,
            self.tokenizer,
            sentences,
            self.max_seq_length,
            self.alignment,
            case_feature=self.case_feature,
            case_all_caps=self.case_all_caps,
        ):
            shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
            probabilities = shifted / shifted.sum(axis=1, keepdims=True)
            best = decode(logits, self.labels, self.decoding)
            tags = [self.labels[i] for i in best]
            tagged.append((tags, [float(p) for p in probabilities[np.arange(len(best)), best]]))
        return tagged

    def tag_text(self, text: str) -> TaggedText:
        """Split ``text`` into CoNLL-style words, tag them and merge ``B-``/``I-`` into entities.

        >>> tagger.tag_text("   ").entities  # doctest: +SKIP
        []
        """
        return self.tag_texts([text])[0]

    def tag_texts(self, texts: list[str]) -> list[TaggedText]:
        """``tag_text`` for many texts at once (one batched ``tag_words`` call)."""
        splits = [split_words(text) for text in texts]
        sentences = [[word for word, _, _ in split] for split in splits if split]
        tagged = iter(self.tag_words(sentences) if sentences else [])
        return [
            self._tagged(text, split, *(next(tagged) if split else ([], [])))
            for text, split in zip(texts, splits, strict=True)
        ]

    def _tagged(
        self, text: str, split: list[tuple[str, int, int]], tags: list[str], scores: list[float]
    ) -> TaggedText:
        offsets = [(start, end) for _, start, end in split]
        entities = [
            Entity(
                text=text[offsets[first][0] : offsets[last][1]],
                label=label,
                score=sum(scores[first : last + 1]) / (last - first + 1),
                start=offsets[first][0],
                end=offsets[last][1],
            )
            for label, first, last in self.alignment.tags_to_spans(tags)
        ]
        words = [word for word, _, _ in split]
        return TaggedText(text, words, offsets, list(tags), list(scores), entities)


def readable_words(
    tokenizer: Any, sentences: Sequence[Sequence[str]]
) -> tuple[list[list[str]], list[list[int]]]:
    """The sentences and the subword count of each word, from one batched tokenizer call.

    A word the tokenizer turns into nothing is replaced by the unknown token (one subword).
    """
    sentences = [list(words) for words in sentences]
    filled = [index for index, words in enumerate(sentences) if words]
    counts: list[list[int]] = [[] for _ in sentences]
    if filled:
        encoded = tokenizer(
            [sentences[i] for i in filled], is_split_into_words=True, add_special_tokens=False
        )
        for row, index in enumerate(filled):
            per_word = [0] * len(sentences[index])
            for word in encoded.word_ids(row):
                per_word[word] += 1
            for word in (w for w, count in enumerate(per_word) if count == 0):
                sentences[index][word], per_word[word] = tokenizer.unk_token, 1
            counts[index] = per_word
    return sentences, counts
