"""Rewrites of one report by different outlets: weighted term overlap.

Outlets that rewrite a wire report in their own words keep its names, places,
numbers and rarer words, but few passages of a dozen words (what
textreuse.py looks for). Here an article is its headline and text as one
TF-IDF vector over light-stemmed words of text_normalized, a word weighing
by how rare it is in Arabic at large: inverse frequencies from wordfreq's
Arabic list, which ships with a package. So batch, incremental and streaming
runs weigh a word alike whatever else they read, and an article's vector,
once made, never changes (the fingerprints table keeps it for later runs).

The same people or the same institution on another occasion share many of
those words, so a pair is vetoed when the texts place it apart: publication
dates more than story_max_days apart, or years, months or specific numbers
(decimals, and integers of 10 and more that are not years) that both texts
state and none of which they share.

The score of a pair that is not vetoed: the cosine of the headline-and-text
vectors, plus 0.1 for each shared specific number (at most 3) and 0.05 for
each shared person or organization (at most 4). Articles are grouped by
average link over these scores (clusters.average_link), so one article that
resembles two events does not join them. The weights and the threshold
(DedupConfig.rewrite_min_score) come from benchmarks/story_similarity.py on
the development set, which also shows what each part adds.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter
from dataclasses import dataclass, fields
from datetime import datetime
from functools import cache, lru_cache

import numpy as np
from khabar.transforms.stories.config import DedupConfig
from khabar.transforms.text.metadata import MONTHS
from khabar.transforms.text.normalize import normalize_text

MAX_ZIPF = 6.5  # a word this frequent (wordfreq's zipf scale) or more weighs nothing
LEAD_WORDS = 40  # the text's first words: its lead

_WORD = re.compile(r"[\u0621-\u064A\u0660-\u0669\u06F0-\u06F9A-Za-z0-9]+")
_NUMBER = re.compile(r"\d+(?:[.,\u066B]\d+)?")
_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20[0-4]\d)(?!\d)")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_ARTICLES = ("وبال", "وال", "بال", "كال", "فال", "لل", "ال")
# metadata.py's month names (both naming traditions, the Maghreb's), in normalize_text's spelling
_MONTH_NUMBERS = {normalize_text(name): number for name, number in MONTHS.items()}
_MONTH = re.compile(r"(?<!\w)(" + "|".join(sorted(map(re.escape, _MONTH_NUMBERS), key=len, reverse=True)) + r")(?!\w)")
_EMPTY32 = np.zeros(0, dtype=np.uint32)
_EMPTYF = np.zeros(0, dtype=np.float32)


# normalize_text's one-letter folds (alef forms, alef maksura, teh marbuta, Persian letters; diacritics and
# tatweel dropped): wordfreq's words and text_normalized's words meet in this spelling.
_FOLD = str.maketrans(
    {**dict.fromkeys("أإآٱ", "ا"), "ى": "ي", "ی": "ي", "ک": "ك", "ة": "ه", "ۀ": "ه"}
    | dict.fromkeys([chr(c) for c in range(0x064B, 0x0660)] + ["\u0670", "\u0640"], None)
)


@cache
def zipf_table() -> dict[str, float]:
    """wordfreq's Arabic list in text_normalized's spelling (_FOLD), on wordfreq's zipf scale; spellings that
    fold together add their frequencies. Loaded once a worker (a second or two)."""
    import wordfreq

    frequencies = wordfreq.get_frequency_dict("ar")
    words = list(frequencies)
    folded = " ".join(words).translate(_FOLD).split(" ")
    if len(folded) != len(words):  # a word of marks only folded to nothing: fold them one by one
        folded = [word.translate(_FOLD) for word in words]
    table: dict[str, float] = {}
    for word, key in zip(words, folded, strict=True):
        table[key] = table.get(key, 0.0) + frequencies[word]
    return {key: math.log10(value) + 9.0 for key, value in table.items() if value > 0}


@lru_cache(maxsize=1 << 17)  # the words of news repeat: stem each once a worker
def stem(word: str) -> str:
    """The article with its proclitics off the front ("وال", "بال", "لل", ...), else one proclitic letter
    (و ب ل ف) when the rest is a word at least as common as the whole ("وقال" -> "قال", but "وزير" stays, so
    that "الوزير" and "وزير" agree); a final teh marbuta (heh once normalized) off the end; digits to ASCII."""
    word = word.translate(_DIGITS)
    if word.isdigit():
        return word
    for prefix in _ARTICLES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            word = word[len(prefix) :]
            break
    else:
        if len(word) >= 4 and word[0] in "وبلف":
            zipf = zipf_table()
            if zipf.get(word[1:], 0.0) >= zipf.get(word, 0.0):
                word = word[1:]
    return word[:-1] if len(word) > 3 and word.endswith("ه") else word


def term_hash(term: str) -> int:
    return zlib.crc32(term.encode())


def weighted_terms(text: str, zipf: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """(sorted term hashes, L2-normalized weights) of a normalized text: (1 + log tf) times how far the
    word's first spelling in the text is below MAX_ZIPF; words as frequent as that weigh nothing."""
    counts: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for word in _WORD.findall(text):
        term = stem(word)
        if len(term) >= 2:
            counts[term] += 1
            spelling.setdefault(term, word)
    weights = {}
    for term, n in counts.items():
        rarity = MAX_ZIPF - zipf.get(spelling[term], 0.0)
        if rarity > 0:
            weights[term_hash(term)] = (1.0 + math.log(n)) * rarity
    if not weights:
        return _EMPTY32, _EMPTYF
    hashes = np.fromiter(weights, dtype=np.uint32, count=len(weights))
    values = np.fromiter(weights.values(), dtype=np.float64, count=len(weights))
    order = np.argsort(hashes, kind="stable")
    values = values[order] / math.sqrt(float(values @ values))
    return hashes[order], values.astype(np.float32)


def specific_numbers(text: str) -> set[str]:
    """Decimals, and integers of 10 and more that are not years: the figures of one occasion."""
    found = set()
    for match in _NUMBER.finditer(text.translate(_DIGITS)):
        value = match.group().replace(",", ".").replace("\u066b", ".")
        if _YEAR.fullmatch(value) or ("." not in value and int(value) < 10):
            continue
        found.add(value)
    return found


def _sorted_hashes(values: set[str] | set[int]) -> np.ndarray:
    return np.array(sorted({term_hash(str(v)) for v in values}), dtype=np.uint32)


@dataclass(frozen=True)
class RewriteTerms:
    """What rewrite similarity keeps of an article: its text's and headline's term vectors and the
    years, months and specific numbers it states (hashed, sorted), as bytes (they pickle fast and go
    into the fingerprints table as they are: pack / unpack)."""

    terms: bytes = b""
    weights: bytes = b""
    numbers: bytes = b""
    years: bytes = b""
    months: bytes = b""

    @classmethod
    def of(cls, title: str | None, text: str, zipf: dict[str, float] | None = None) -> RewriteTerms:
        """From an article's normalized headline and text_normalized."""
        both = f"{title}\n{text}" if title else text
        # the headline and the lead tell what the report is about: their words count twice
        lead = " ".join(text.split()[:LEAD_WORDS])
        terms, weights = weighted_terms(f"{title or ''}\n{lead}\n{both}", zipf_table() if zipf is None else zipf)
        digits = both.translate(_DIGITS)
        return cls(
            terms.tobytes(),
            weights.tobytes(),
            _sorted_hashes(specific_numbers(digits)).tobytes(),
            _sorted_hashes({int(y) for y in _YEAR.findall(digits)}).tobytes(),
            _sorted_hashes({_MONTH_NUMBERS[m] for m in _MONTH.findall(both)}).tobytes(),
        )

    def array(self, name: str) -> np.ndarray:
        return np.frombuffer(getattr(self, name), dtype=np.float32 if name.endswith("weights") else np.uint32)

    def top_terms(self, k: int) -> np.ndarray:
        """The k heaviest terms (sorted hashes): what the candidate index holds of the article."""
        terms, weights = self.array("terms"), self.array("weights")
        if len(terms) <= k:
            return terms
        return np.sort(terms[np.argsort(-weights, kind="stable")[:k]])

    def pack(self) -> bytes:
        """One bytes value (the fingerprints table's rewrite column): five lengths, then the arrays."""
        parts = [self.terms, self.weights, self.numbers, self.years, self.months]
        return np.array([len(p) for p in parts], dtype=np.uint32).tobytes() + b"".join(parts)

    @classmethod
    def unpack(cls, packed: bytes | None) -> RewriteTerms:
        """pack's inverse; empty terms for a row written before the column existed (such an article is then
        linked by text reuse only)."""
        head = 4 * len(fields(cls))
        if not packed or len(packed) < head:
            return cls()
        lengths = np.frombuffer(packed[:head], dtype=np.uint32)
        parts, offset = [], head
        for length in lengths:
            parts.append(bytes(packed[offset : offset + int(length)]))
            offset += int(length)
        return cls(*parts)


def cosine(terms_a: np.ndarray, weights_a: np.ndarray, terms_b: np.ndarray, weights_b: np.ndarray) -> float:
    _, ia, ib = np.intersect1d(terms_a, terms_b, assume_unique=True, return_indices=True)
    return float(weights_a[ia] @ weights_b[ib]) if len(ia) else 0.0


def _shared(a: np.ndarray, b: np.ndarray) -> int:
    return len(np.intersect1d(a, b, assume_unique=True))


def occasion_conflict(a: RewriteTerms, b: RewriteTerms, days_apart: float | None, max_days: float) -> str | None:
    """Why two articles report different occasions, or None: dates too far apart, or stated years,
    months or specific numbers (two or more each) with none in common."""
    if days_apart is not None and days_apart > max_days:
        return "dates"
    for name, least in (("years", 1), ("months", 1), ("numbers", 2)):
        x, y = a.array(name), b.array(name)
        if len(x) >= least and len(y) >= least and not _shared(x, y):
            return name
    return None


@dataclass(frozen=True)
class ScoreWeights:
    """What rewrite_score adds to the texts' cosine (benchmarks/story_similarity.py switches them off)."""

    number: float = 0.1  # a shared specific number
    max_numbers: int = 3
    actor: float = 0.05  # a shared person or organization
    max_actors: int = 4


def rewrite_score(a: RewriteTerms, b: RewriteTerms, shared_actors: int, weights: ScoreWeights = ScoreWeights()) -> float:
    """How surely two articles (not vetoed by occasion_conflict) rewrite one report; see the module docstring."""
    text = cosine(a.array("terms"), a.array("weights"), b.array("terms"), b.array("weights"))
    numbers = _shared(a.array("numbers"), b.array("numbers"))
    return text + weights.number * min(numbers, weights.max_numbers) + weights.actor * min(shared_actors, weights.max_actors)


def days_between(a: datetime | None, b: datetime | None) -> float | None:
    return abs((a - b).total_seconds()) / 86400 if a is not None and b is not None else None


@dataclass(frozen=True)
class RewriteLink:
    """Two articles (a < b) the rewrite score links, with the score; clusters.story_components groups them."""

    a: str
    b: str
    score: float


def link_score(
    a: RewriteTerms,
    b: RewriteTerms,
    days_apart: float | None,
    shared_actors: int,
    config: DedupConfig,
    weights: ScoreWeights = ScoreWeights(),
) -> float | None:
    """The rewrite score of a candidate pair as clustering sees it, or None for no link: the two share fewer
    than rewrite_min_shared of their rewrite_index_terms heaviest terms (what the candidate index asks), an
    occasion conflict vetoes them, or the score is below rewrite_link_floor (it then counts 0 in the
    averages, like a pair never compared)."""
    if not a.terms or not b.terms:
        return None
    shared_terms = _shared(a.top_terms(config.rewrite_index_terms), b.top_terms(config.rewrite_index_terms))
    if shared_terms < config.rewrite_min_shared or occasion_conflict(a, b, days_apart, config.story_max_days):
        return None
    score = rewrite_score(a, b, shared_actors, weights)
    return score if score >= config.rewrite_link_floor else None
