"""A tiny random-weight BERT for tests: trains and predicts in milliseconds, fully offline.

``build_tiny_model`` writes a token-classification model directory that everything in the
course can load: SimpleTransformers ``NERModel("bert", path, ...)`` and ``--model path`` (as a
backbone to fine-tune), transformers ``AutoModelForTokenClassification`` / ``pipeline``, and
``solutions.tools.inference.Tagger`` (it also writes the course's ``ner_course.json``). Its
vocabulary is the words of the sample corpus plus every character as a word-piece, so unseen
words still split into subwords instead of collapsing into ``[UNK]``.

>>> from tests.template.models import build_tiny_model
>>> path = build_tiny_model(tmp_path / "tiny", ["O", "B-PER", "I-PER"])  # doctest: +SKIP
"""

from __future__ import annotations

import string
from pathlib import Path

from solutions.tools.inference import write_model_card

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
MAX_SEQ_LENGTH = 64


def tiny_vocabulary(lowercase: bool = True) -> list[str]:
    """Special tokens, the sample corpus' words, then each character alone and as ``##c``."""
    words: set[str] = set()
    for path in sorted(DATA_DIR.glob("*.conll")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("-DOCSTART-"):
                word = line.split()[0]
                words.add(word.lower() if lowercase else word)
    characters = set(string.printable.strip()) | {c for word in words for c in word}
    if lowercase:
        characters = {c.lower() for c in characters}
    pieces = sorted(characters) + [f"##{c}" for c in sorted(characters)]
    whole = sorted(w for w in words if len(w) > 1 and w.isalnum())
    return SPECIAL_TOKENS + list(dict.fromkeys(pieces + whole))


def build_tiny_model(directory: Path, labels: list[str], lowercase: bool = True) -> Path:
    """Write a tiny random BERT token classifier for ``labels`` into ``directory``; return it.

    Same arguments, same weights: the model is initialised from a fixed seed.
    """
    import torch
    from transformers import BertConfig, BertForTokenClassification, BertTokenizer

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    vocab_file = directory / "vocab.txt"
    vocab_file.write_text("\n".join(tiny_vocabulary(lowercase)) + "\n", encoding="utf-8")
    tokenizer = BertTokenizer(str(vocab_file), do_lower_case=lowercase)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
    )
    torch.manual_seed(0)
    BertForTokenClassification(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    write_model_card(directory, labels, do_lower_case=lowercase, max_seq_length=MAX_SEQ_LENGTH)
    return directory
