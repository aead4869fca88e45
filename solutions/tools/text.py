"""Split raw text into CoNLL-style words, keeping each word's character offsets.

A model trained on CoNLL-2003 has only ever seen text tokenised the CoNLL way: punctuation is a
word of its own (``Paris .``), abbreviations keep their dots (``U.S.``, ``Inc.``), numbers, dates
and scores are one word (``1,400``, ``2026-03-14``, ``6-3``), hyphenated words stay whole and the
clitics of contractions and possessives are split off (``do n't``, ``Portugal 's``). Feeding it
raw text split on spaces (``"Paris."``) would show it words it never saw in training.

>>> split_words("Mr. Smith's U.S. visit.")
[('Mr.', 0, 3), ('Smith', 4, 9), ("'s", 9, 11), ('U.S.', 12, 16), ('visit', 17, 22), ('.', 22, 23)]
"""

from __future__ import annotations

import regex

# Abbreviations that keep their full stop in CoNLL-2003 (titles, company forms, months, ...).
_ABBREVIATIONS = (
    "Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr|Gen|Gov|Sen|Rep|Rev|Lt|Col|Capt|Sgt|Maj|Mt|Ft|"
    "Inc|Ltd|Co|Corp|Bros|Plc|Cie|No|vs|etc|approx|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_WORD_CHARS = r"[\p{L}\p{M}\p{N}_]"
_TOKEN = regex.compile(
    rf"""
      https?://[^\s<>"]+?(?=[.,;:!?)\]'"]*(?:\s|$))      # https://example.com/a?b=1
    | [\w.+-]+@\w[\w-]*(?:\.\w[\w-]*)+                    # name@example.org
    | (?:\p{{L}}\.){{2,}}(?!\p{{L}})                    # U.S.  U.N.  e.g.
    | (?:{_ABBREVIATIONS})\.(?!\p{{L}})                 # Mr.  Inc.  Sept.
    | \p{{N}}+(?:[.,:/]\p{{N}}+)+                       # 1,400  3.5  2:02:48  1/2
    | {_WORD_CHARS}+(?:[-'’&.]{_WORD_CHARS}+)*          # words, 2026-03-14, O'Neill, AT&T
    | \.{{2,}} | -{{2,}}                                # ...  --
    | (?![\s\x1c-\x1f])\X                                # any other grapheme: "  (  €  👍🏽  🇵🇹
    """,
    regex.VERBOSE,
)
_WORD_CHARS_ONLY = regex.compile(rf"^{_WORD_CHARS}+$")
_CLITIC = regex.compile(r"(?i)^(.+?)(n['’]t|['’](?:s|re|ve|ll|d|m))$")


def split_words(text: str) -> list[tuple[str, int, int]]:
    """Words of ``text`` as ``(word, start, end)``, ``text[start:end] == word``, in order.

    Whitespace separates words and is never part of one. Every other character belongs to
    exactly one word, so nothing is lost: emoji, symbols and right-to-left scripts come back as
    they were, with offsets into the original string.

    >>> [word for word, _, _ in split_words("I don't live in Paris.")]
    ['I', 'do', "n't", 'live', 'in', 'Paris', '.']
    >>> split_words("  ")
    []
    """
    words = []
    for match in _TOKEN.finditer(text):
        word, start = match.group(), match.start()
        clitic = _CLITIC.match(word)
        if clitic and _WORD_CHARS_ONLY.match(clitic.group(1)):
            cut = start + len(clitic.group(1))
            words += [(clitic.group(1), start, cut), (clitic.group(2), cut, match.end())]
        else:
            words.append((word, start, match.end()))
    return words
