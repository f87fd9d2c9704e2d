"""Bytes to text: BOM-aware Unicode, Arabic legacy code pages, binary detection.

Scraped Arabic pages arrive as UTF-8, UTF-16, windows-1256 or ISO-8859-6, often
without a declared charset. charset-normalizer proposes encodings, but on short
texts it confuses ISO-8859-6 with Thai code pages, so every candidate is scored
by how plausible the decoded text is as news text (letters of one script,
spaces and punctuation rather than control or symbol characters).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from charset_normalizer import from_bytes

# Codecs always tried when the bytes are not valid UTF-8: the Arabic legacy pages.
ARABIC_LEGACY = ("cp1256", "iso8859_6")

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


_CONTROL_BYTES = bytes(b for b in range(256) if b < 9 or 13 < b < 32)


class DecodeError(ValueError):
    """The bytes are not text we can read; ``reason`` is the rejects code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


def looks_binary(data: bytes) -> bool:
    """True for bytes that are not text in any encoding we accept."""
    sample = data[:8192]
    if not sample:
        return False
    if sample.count(0) > len(sample) // 10:
        # UTF-16 text is half NULs, but it has a BOM or alternating zero bytes.
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        utf16_like = max(even, odd) > len(sample) // 4 and min(even, odd) < len(sample) // 50
        return not utf16_like
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > len(sample) // 20


def plausibility(text: str) -> float:
    """Share of characters that are letters, digits, spaces or common punctuation.

    Wrong code pages produce symbols, control characters and mixed scripts, so
    the right decoding of a news text scores close to 1.
    """
    if not text:
        return 0.0
    good = 0
    for ch in text[:20000]:
        if ch.isspace() or ch.isalnum():
            good += 1
        elif unicodedata.category(ch)[0] == "P":
            good += 0.5
    scripts = _script_mix(text[:20000])
    return good / min(len(text), 20000) - scripts + 0.2 * _arabic_wordlikeness(text[:20000])


_ARABIC_WORD = re.compile(r"[\u0621-\u064A]+")
_COMMON = frozenset(["في", "من", "على", "إلى", "الى", "عن", "أن", "ان", "مع", "هذا", "هذه", "التي", "الذي", "كان", "قد", "لا", "ما", "و"])


def _arabic_wordlikeness(text: str) -> float:
    """Share of Arabic words that are function words or carry the article 'ال'.

    Separates code pages that both map bytes to Arabic letters (windows-1256
    read as ISO-8859-6 and back) but only one of which yields real words.
    """
    words = _ARABIC_WORD.findall(text)
    if not words:
        return 0.0
    hits = sum(1 for w in words if w in _COMMON or w.startswith(("ال", "وال", "بال", "لل")))
    return hits / len(words)


def _script_mix(text: str) -> float:
    """Penalty for letters from several non-Latin scripts at once (mojibake)."""
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isalpha() and ord(ch) > 0x24F:
            name = unicodedata.name(ch, "X").split(" ")[0]
            counts[name] = counts.get(name, 0) + 1
    total = sum(counts.values())
    if total == 0:
        return 0.0
    return 1.0 - max(counts.values()) / total


def clean_text(text: str) -> str:
    """Normalize newlines to \\n, drop NULs and other C0 controls, and replace
    lone surrogates (JSON escapes like "\\ud800" produce them) with U+FFFD,
    since no Parquet writer or BI tool accepts them."""
    # One search finds nearly every page clean: a fifth of the three passes' time.
    if _UNCLEAN.search(text) is None:
        return text
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    return _CONTROLS.sub("", _NEWLINES.sub("\n", text))


_SURROGATE = re.compile("[\ud800-\udfff]")
_UNCLEAN = re.compile("[\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029\ud800-\udfff]")  # \r, controls, other newlines, surrogates


def decode_bytes(data: bytes, declared: str | None = None) -> Decoded:
    """Decode raw bytes to clean text, or raise DecodeError with a reason code.

    Order: a BOM wins; then valid UTF-8; then an encoding declared by the
    container (HTTP header, meta charset) if it decodes; then the most
    plausible of charset-normalizer's guesses and the Arabic legacy code pages.
    """
    if not data.strip():
        raise DecodeError("empty_file", "no content")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(clean_text(data[len(bom) :].decode(encoding)), encoding)
            except UnicodeDecodeError as exc:
                raise DecodeError("undecodable", f"{encoding} BOM but invalid {encoding}: {exc.reason}") from exc
    if looks_binary(data):
        raise DecodeError("binary", "content is binary, not text")
    try:
        return Decoded(clean_text(data.decode("utf-8")), "utf-8")
    except UnicodeDecodeError:
        pass
    candidates: list[str] = []
    if declared:
        candidates.append(declared)
    best = from_bytes(data[:200_000]).best()
    if best is not None:
        candidates.append(best.encoding)
    candidates.extend(ARABIC_LEGACY)
    scored: list[tuple[float, int, str, str]] = []
    for order, encoding in enumerate(dict.fromkeys(candidates)):
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        scored.append((plausibility(text), -order, encoding, text))
    if not scored:
        raise DecodeError("undecodable", "not valid UTF-8 and no candidate encoding decodes it")
    score, _, encoding, text = max(scored)
    if score < 0.75:
        raise DecodeError("undecodable", f"no plausible encoding (best {encoding}, score {score:.2f})")
    return Decoded(clean_text(text), encoding)
