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
from dataclasses import dataclass

import apache_beam as beam
from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
    normalize_unicode,
)

from transforms.records import Document
from transforms.tokenize import count_words

TATWEEL = "\u0640"

# Zero-width and bidirectional controls: a BI tool displays a string holding
# them differently from what it is, so neither text column keeps them.
INVISIBLE = (
    [chr(c) for c in range(0x200B, 0x2010)]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\ufeff", "\u2060", "\u00ad", "\u061c"]
)
_INVISIBLE_RE = re.compile(f"[{''.join(INVISIBLE)}]")

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
# Only runs of two or more, or whitespace other than a plain space: a single
# space needs no rewrite, and visiting every space halves the speed.
_SPACES = re.compile(r"[^\S\n]{2,}|[^\S \n]")
_BLANK_LINES = re.compile(r"\n\s*\n+")


@dataclass(frozen=True)
class NormalizationConfig:
    """Steps of text_normalized, in the order applied. Defaults suit matching.

    unicode:       NFKC via camel-tools (presentation forms "ﻻ" -> "لا").
    broken_words:  dots or tatweel breaking a word: "الحـ.ـشد" -> "الحشد".
    hashtags:      "#داعش" -> "داعش", "#الحشد_الشعبي" -> "الحشد الشعبي".
    diacritics:    camel-tools dediac_ar: "مُحَمَّد" -> "محمد".
    tatweel:       "المخـدرات" -> "المخدرات".
    persian_letters: "ک" -> "ك", "ی" -> "ي", "ۀ" -> "ه".
    digits:        "٢٠١٨" and "۲۰۱۸" -> "2018".
    punctuation:   "،" -> ",", "؛" -> ";", "؟" -> "?", “ ” « » -> '"'.
    alef:          "أ إ آ ٱ" -> "ا" (camel-tools).
    alef_maksura:  "ى" -> "ي" (camel-tools).
    teh_marbuta:   "ة" -> "ه" (camel-tools): "سورية" and "سوريه" match.
    whitespace:    runs of spaces -> one space; paragraphs kept as blank lines.
    Invisible and bidi control characters are always removed.
    """

    unicode: bool = True
    broken_words: bool = True
    hashtags: bool = True
    diacritics: bool = True
    tatweel: bool = True
    persian_letters: bool = True
    digits: bool = True
    punctuation: bool = True
    alef: bool = True
    alef_maksura: bool = True
    teh_marbuta: bool = True
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


def strip_invisible(text: str) -> str:
    """Remove zero-width and bidi control characters (both text columns)."""
    return _INVISIBLE_RE.sub("", text)


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


class _CharMap:
    """A one-character mapping applied with a regex that only visits matches:
    much faster than str.translate on non-ASCII text, where matches are rare."""

    def __init__(self, mapping: dict[int, str | None]) -> None:
        self._map = {chr(k): v or "" for k, v in mapping.items()}
        chars = "".join(sorted(self._map))
        self._pattern = re.compile(f"[{re.escape(chars)}]") if chars else None

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        lookup = self._map
        return self._pattern.sub(lambda m: lookup[m.group()], text)


_CHARMAPS: dict[NormalizationConfig, _CharMap] = {}


def _charmap(config: NormalizationConfig) -> _CharMap:
    if config not in _CHARMAPS:
        _CHARMAPS[config] = _CharMap(config.translation())
    return _CHARMAPS[config]


def normalize_text(text: str, config: NormalizationConfig = DEFAULT) -> str:
    """text -> text_normalized. Idempotent: normalizing twice changes nothing."""
    text = strip_invisible(text)
    if config.unicode:
        text = normalize_unicode_fast(text)
    if config.broken_words and TATWEEL in text:
        text = _BROKEN_WORD.sub("", text)
    if config.hashtags:
        text = _HASHTAG_WORDS.sub(" ", _HASHTAG.sub("", text)) if "#" in text else text
    if config.diacritics:
        text = dediac_ar(text)
    text = _charmap(config)(text)
    if config.alef:
        text = normalize_alef_ar(text)
    if config.alef_maksura:
        text = normalize_alef_maksura_ar(text)
    if config.teh_marbuta:
        text = normalize_teh_marbuta_ar(text)
    if config.whitespace:
        text = _BLANK_LINES.sub("\n\n", _SPACES.sub(" ", text))
        text = "\n".join(line.strip() for line in text.split("\n")).strip()
    return text


_TATWEEL_RE = re.compile(TATWEEL)


def normalize_light(text: str) -> str:
    """A cheap matching form for comparing lines (boilerplate stage): invisible
    characters, diacritics, tatweel, alef forms, alef maksura and teh marbuta.
    Each step is one regex that visits only its matches, so it runs at
    100+ MB/s; text_normalized uses the full normalize_text."""
    text = dediac_ar(_INVISIBLE_RE.sub("", text))
    if TATWEEL in text:
        text = _TATWEEL_RE.sub("", text)
    return normalize_teh_marbuta_ar(normalize_alef_maksura_ar(normalize_alef_ar(text)))


# ---------------------------------------------------------------- Beam

NAMESPACE = "khabar.normalize"


def content_hash(text_normalized: str) -> str:
    return hashlib.sha256(text_normalized.encode("utf-8")).hexdigest()[:32]


def normalize_document(doc: Document, config: NormalizationConfig = DEFAULT) -> Document:
    """Fill text_normalized, word_count and content_hash; clean the readable columns."""
    doc.text = strip_invisible(doc.text)
    doc.title = strip_invisible(doc.title) if doc.title else doc.title
    doc.text_normalized = normalize_text(doc.text, config)
    doc.word_count = count_words(doc.text)
    doc.content_hash = content_hash(doc.text_normalized)
    return doc


class NormalizeText(beam.PTransform):
    """Documents -> Documents with text_normalized, word_count and content_hash."""

    def __init__(self, config: NormalizationConfig = DEFAULT) -> None:
        super().__init__()
        self._config = config

    def expand(self, docs: beam.PCollection) -> beam.PCollection:
        return docs | "Normalize" >> beam.Map(normalize_document, self._config)
