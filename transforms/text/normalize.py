"""Arabic text normalization for matching: articles.text -> articles.text_normalized.

``text`` stays readable (original orthography, only invisible and bidi
control characters removed); ``text_normalized`` is what entity matching,
search and deduplication see, so equal words must become equal strings.
camel-tools does the Unicode, alef, alef maksura, teh marbuta and diacritic
steps; the rest covers what scraped news adds (tatweel, broken words,
Persian letters and digits, hashtags, typographic punctuation).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
    normalize_unicode,
)

TATWEEL = "\u0640"

# Zero-width and bidirectional controls: a BI tool displays a string holding
# them differently from what it is, so neither text column keeps them.
INVISIBLE = (
    [chr(c) for c in range(0x200B, 0x2010)]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\ufeff", "\u2060", "\u00ad", "\u061c"]
)

_DIGITS = str.maketrans({chr(0x0660 + i): str(i) for i in range(10)} | {chr(0x06F0 + i): str(i) for i in range(10)})
_PUNCTUATION = str.maketrans(
    {
        "\u060c": ",",  # ، Arabic comma
        "\u061b": ";",  # ؛ Arabic semicolon
        "\u061f": "?",  # ؟ Arabic question mark
        "\u066a": "%",  # ٪
        "\u066b": ".",  # ٫ decimal separator
        "\u066c": ",",  # ٬ thousands separator
        "\u06d4": ".",  # ۔ Urdu full stop
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
    }
)
# Persian and Urdu code points used for Arabic letters in copied stories.
_PERSIAN_LETTERS = str.maketrans(
    {
        "\u06a9": "\u0643",  # ک keheh -> ك
        "\u06aa": "\u0643",  # ڪ swash kaf -> ك
        "\u06cc": "\u064a",  # ی Farsi yeh -> ي
        "\u06d2": "\u064a",  # ے yeh barree -> ي
        "\u06c0": "\u0647",  # ۀ heh with yeh above -> ه
        "\u06c1": "\u0647",  # ہ heh goal -> ه
        "\u06be": "\u0647",  # ھ heh doachashmee -> ه
        "\u06d5": "\u0647",  # ە ae -> ه
    }
)
_BROKEN_WORD = re.compile(r"(?<=[\u0621-\u064A])(?:\u0640+[.\u00b7\u2022*]+\u0640*|\u0640*[.\u00b7\u2022*]+\u0640+)(?=[\u0621-\u064A])")
_HASHTAG = re.compile(r"#+(?=\w)")
_HASHTAG_WORDS = re.compile(r"(?<=\w)_(?=\w)")


@dataclass(frozen=True)
class NormalizationConfig:
    """Steps of text_normalized, in the order applied. Defaults suit matching.

    unicode:       NFKC via camel-tools (presentation forms "ﻻ" -> "لا").
    broken_words:  dots or tatweel breaking a word: "الحـ.ـشد" -> "الحشد".
    diacritics:    camel-tools dediac_ar: "مُحَمَّد" -> "محمد".
    tatweel:       "المخـدرات" -> "المخدرات".
    persian_letters: "ک" -> "ك", "ی" -> "ي", "ۀ" -> "ه".
    digits:        "٢٠١٨" and "۲۰۱۸" -> "2018".
    punctuation:   "،" -> ",", "؛" -> ";", "؟" -> "?", “ ” « » -> '"'.
    alef:          "أ إ آ ٱ" -> "ا" (camel-tools).
    alef_maksura:  "ى" -> "ي" (camel-tools).
    teh_marbuta:   "ة" -> "ه" (camel-tools): "سورية" and "سوريه" match.
    hashtags:      "#داعش" -> "داعش", "#الحشد_الشعبي" -> "الحشد الشعبي".
    whitespace:    runs of spaces -> one space; paragraphs kept as blank lines.
    Invisible and bidi control characters are always removed.
    """

    unicode: bool = True
    broken_words: bool = True
    diacritics: bool = True
    tatweel: bool = True
    persian_letters: bool = True
    digits: bool = True
    punctuation: bool = True
    alef: bool = True
    alef_maksura: bool = True
    teh_marbuta: bool = True
    hashtags: bool = True
    whitespace: bool = True

    def translation(self) -> dict[int, str | None]:
        """The single-character steps merged into one mapping."""
        table: dict[int, str | None] = {}
        if self.tatweel:
            table[ord(TATWEEL)] = None
        if self.persian_letters:
            table.update(_PERSIAN_LETTERS)
        if self.digits:
            table.update(_DIGITS)
        if self.punctuation:
            table.update(_PUNCTUATION)
        return table


DEFAULT = NormalizationConfig()

# The Arabic blocks where camel-tools' one-character steps can apply; a test
# checks the whole Basic Multilingual Plane against camel-tools itself.
_ARABIC_BLOCKS = [*range(0x0600, 0x0700), *range(0x0750, 0x0780), *range(0x08A0, 0x0900)]


# What camel-tools' dediac_ar removes (its AR_DIAC_CHARSET: tanween, harakat,
# shadda, sukun, dagger alef). Not imported: camel_tools.utils.dediac builds
# every camel-tools character set over all of Unicode on import, a delay at the
# start of each process (the runner and every worker); the every-character
# test checks this against dediac_ar itself.
AR_DIACRITICS = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670"


def _camel_map(step: Callable[[str], str]) -> dict[str, str]:
    """The characters a camel-tools step changes, and into what: camel-tools
    stays the authority on its character sets, applied here in one pass."""
    return {c: step(c) for c in map(chr, _ARABIC_BLOCKS) if step(c) != c}


class _ReplaceChain:
    """One-character replacements as str.replace calls, each only when its
    character occurs: `in` and replace are C loops running at hundreds of MB/s,
    three to ten times faster than a regex or str.translate on Arabic text.
    Targets are never sources, so the order does not matter."""

    def __init__(self, mapping: dict[str, str]) -> None:
        assert not set(mapping.values()) & set(mapping), "a target is also a source"
        self._pairs = sorted(mapping.items())

    def __call__(self, text: str) -> str:
        for char, target in self._pairs:
            if char in text:
                text = text.replace(char, target)
        return text


def _single_character_steps(config: NormalizationConfig) -> dict[str, str]:
    mapping = {chr(k): v or "" for k, v in config.translation().items()}
    if config.diacritics:
        mapping |= dict.fromkeys(AR_DIACRITICS, "")
    if config.alef:
        mapping |= _camel_map(normalize_alef_ar)
    if config.alef_maksura:
        mapping |= _camel_map(normalize_alef_maksura_ar)
    if config.teh_marbuta:
        mapping |= _camel_map(normalize_teh_marbuta_ar)
    return mapping


_CHAINS: dict[NormalizationConfig, _ReplaceChain] = {}


def _chain(config: NormalizationConfig) -> _ReplaceChain:
    if config not in _CHAINS:
        _CHAINS[config] = _ReplaceChain(_single_character_steps(config))
    return _CHAINS[config]


_REMOVE_INVISIBLE = _ReplaceChain(dict.fromkeys(INVISIBLE, ""))
_EXTRA_BLANK_LINES = re.compile(r"\n{3,}")


def strip_invisible(text: str) -> str:
    """Remove zero-width and bidi control characters (both text columns)."""
    return _REMOVE_INVISIBLE(text)


def _is_nfkc(text: str) -> bool:
    # U+FDFD is NFKC-stable but camel-tools still expands it.
    return unicodedata.is_normalized("NFKC", text) and "\ufdfd" not in text


def normalize_unicode_fast(text: str) -> str:
    """camel-tools normalize_unicode, run only on the lines that need it.

    NFKC never combines across a newline, so normalizing line by line is
    equivalent; scraped pages usually fail the check only for no-break
    spaces, which are mapped first exactly as NFKC maps them.
    """
    if _is_nfkc(text):
        return text
    text = text.replace("\u00a0", " ")
    if _is_nfkc(text):
        return text
    return "\n".join(line if _is_nfkc(line) else normalize_unicode(line) for line in text.split("\n"))


def collapse_whitespace(text: str) -> str:
    """Runs of whitespace in a line -> one space, lines stripped, blank lines
    between paragraphs kept single. str.split per line does it in C, twice
    as fast as any regex over the whole text."""
    text = "\n".join([" ".join(line.split()) for line in text.split("\n")])
    if "\n\n\n" in text:
        text = _EXTRA_BLANK_LINES.sub("\n\n", text)
    return text.strip()


def _hashtags(text: str, config: NormalizationConfig) -> str:
    # After the one-character steps: a diacritic between "#" and the word
    # would otherwise hide the hashtag until a second pass.
    if config.hashtags and "#" in text:
        return _HASHTAG_WORDS.sub(" ", _HASHTAG.sub("", text))
    return text


def normalize_text(text: str, config: NormalizationConfig = DEFAULT) -> str:
    """text -> text_normalized. Idempotent: normalizing twice changes nothing.

    Equal to applying the steps one by one in NormalizationConfig's order
    (tests check it against camel-tools' own functions); the one-character
    steps (diacritics, tatweel, Persian letters, digits, punctuation, alef,
    alef maksura, teh marbuta) run as one replacement chain.
    """
    text = strip_invisible(text)
    if config.unicode:
        text = normalize_unicode_fast(text)
    if config.broken_words and TATWEEL in text:
        text = _BROKEN_WORD.sub("", text)
    chain = _chain(config)
    text = _hashtags(chain(text), config)
    # Mapping a letter can leave a combining mark NFKC would now compose with
    # it ("آٓ" -> "آ", which NFKC makes "آ"): the steps again until stable.
    for _ in range(3):
        if not config.unicode or _is_nfkc(text):
            break
        text = _hashtags(chain(normalize_unicode(text)), config)
    if config.whitespace:
        text = collapse_whitespace(text)
    return text


_LIGHT = _ReplaceChain(
    dict.fromkeys(INVISIBLE, "")
    | {TATWEEL: ""}
    | dict.fromkeys(AR_DIACRITICS, "")
    | _camel_map(normalize_alef_ar)
    | _camel_map(normalize_alef_maksura_ar)
    | _camel_map(normalize_teh_marbuta_ar)
)


def normalize_light(text: str) -> str:
    """A cheap matching form for comparing lines (boilerplate stage): invisible
    characters, diacritics, tatweel, alef forms, alef maksura and teh marbuta,
    as one replacement chain; text_normalized uses the full normalize_text."""
    return _LIGHT(text)


# ---------------------------------------------------------------- Beam


def content_hash(text_normalized: str) -> str:
    return hashlib.sha256(text_normalized.encode("utf-8")).hexdigest()[:32]
