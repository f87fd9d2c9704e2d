"""Rewrites of one report by different outlets: weighted term overlap.

Outlets that rewrite a wire report in their own words keep its names, places,
numbers and rarer words, but few passages of a dozen words (what
textreuse.py looks for). Here an article is its headline and the first
MAX_CHARS of its text (lead and first paragraphs: what the report is about)
as one TF-IDF vector over light-stemmed words of text_normalized, a word weighing
by how rare it is in Arabic at large: inverse frequencies from wordfreq's
Arabic list, which ships with a package. So batch, incremental and streaming
runs weigh a word alike whatever else they read, and an article's vector,
once made, never changes (the fingerprints table keeps it for later runs).

The same people or the same institution on another occasion share many of
those words, so a pair is vetoed when the texts place it apart: publication
dates more than story_max_days apart, or years, months or specific numbers
(decimals, integers of 10 and more that are not years, and a match's result
in figures or words: "2-1", "بهدفين مقابل هدف") that both texts state and none
of which they share.

The score of a pair that is not vetoed: the cosine of the headline-and-text
vectors, plus 0.1 for each shared specific number (at most 3), 0.05 for
each shared person or organization (at most 4) and 0.05 for each shared place
(at most 4: the same country, city, stadium or venue); the people and places
count in full from a cosine of 0.3 and in proportion below it, so that names
alone do not join the same people's other occasions. Articles are grouped by
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
from collections.abc import Iterable
from dataclasses import dataclass, fields
from functools import lru_cache

import numpy as np
from khabar.transforms.stories.config import DedupConfig
from khabar.transforms.text.metadata import MONTHS
from khabar.transforms.text.normalize import normalize_text
from khabar.transforms.text.word_frequency import zipf

MAX_ZIPF = 6.5  # a word this frequent (wordfreq's zipf scale) or more weighs nothing
LEAD_WORDS = 40  # the text's first words: its lead
FIGURE_WORDS = 60  # the text's first words whose years, months and numbers tell the occasion (with the headline's)
MAX_CHARS = 1500  # the text read: headline, lead and first paragraphs tell the report; later ones, background other reports share too

_WORD = re.compile(r"[\u0621-\u064A\u0660-\u0669\u06F0-\u06F9A-Za-z0-9]+")
_NUMBER = re.compile(r"[0-9]+(?:[.,\u066B][0-9]+)?")
_OTHER_DIGIT = re.compile(r"[\u0660-\u0669\u06F0-\u06F9]")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_ARTICLES = ("وبال", "وال", "بال", "كال", "فال", "لل", "ال")
# metadata.py's month names (both naming traditions, the Maghreb's), in normalize_text's spelling
_MONTH_NUMBERS = {normalize_text(name): number for name, number in MONTHS.items()}
_MONTH_FIRST_WORDS = frozenset(name.split()[0] for name in _MONTH_NUMBERS if " " in name)
_EMPTY32 = np.zeros(0, dtype=np.uint32)
_EMPTYF = np.zeros(0, dtype=np.float32)


# Endings one report's rewrites vary on a word they share, in text_normalized's spelling: attached pronouns
# ("رئيسها", "منتخبنا"), sound plurals ("المسؤولين", "الفلسطينيون", "مباريات"), the relative adjective and its
# feminine ("المغربي", "المغربيه" and "المغرب"). One comes off when three letters stay. The dual's "ان" stays on:
# it ends too many names ("لبنان", "عثمان"). Longer endings first.
_SUFFIXES = ("ها", "هم", "هن", "كم", "نا", "ات", "ون", "ين", "يه", "ي", "ه")


@lru_cache(maxsize=1 << 17)  # the words of news repeat: stem each once a worker
def stem(word: str) -> str:
    """The article with its proclitics off the front ("وال", "بال", "لل", ...), else one proclitic letter
    (و ب ل ف) when the rest is a word at least as common as the whole ("وقال" -> "قال", but "وزير" stays, so
    that "الوزير" and "وزير" agree); then one of _SUFFIXES off the end when three letters stay ("المغربيه",
    "المغربي" and "المغرب" -> "مغرب"; teh marbuta is heh once normalized); digits to ASCII. A light stemmer:
    it conflates a few unrelated words ("رياضي", "الرياض"), which the other terms of two texts outweigh."""
    word = word.translate(_DIGITS)
    if word.isdigit():
        return word
    for prefix in _ARTICLES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            word = word[len(prefix) :]
            break
    else:
        if len(word) >= 4 and word[0] in "وبلف" and zipf(word[1:]) >= zipf(word):
            word = word[1:]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def term_hash(term: str) -> int:
    return zlib.crc32(term.encode())


_NO_TERM = (0, 0.0)


@lru_cache(maxsize=1 << 18)  # the words of news repeat: look each up once a worker
def _word_term(word: str) -> tuple[int, float]:
    """(term hash, rarity: how far the word is below MAX_ZIPF) of a word; rarity 0 for a word too short or too common."""
    term = stem(word)
    rarity = MAX_ZIPF - zipf(word)
    if len(term) < 2 or rarity <= 0:
        return _NO_TERM
    return term_hash(term), rarity


def weighted_terms(counts: Counter[str]) -> tuple[np.ndarray, np.ndarray]:
    """(sorted term hashes, L2-normalized weights) of a normalized text's word counts (_WORD tokens):
    (1 + log tf) times the rarity of the term's most common spelling; words as frequent as MAX_ZIPF
    weigh nothing. The words are looked up in a cache and summed with numpy: no loop a word."""
    if not counts:
        return _EMPTY32, _EMPTYF
    info = np.array(list(map(_word_term, counts)), dtype=np.float64).reshape(-1, 2)
    tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
    kept = info[:, 1] > 0
    if not kept.any():
        return _EMPTY32, _EMPTYF
    hashes, inverse = np.unique(info[kept, 0].astype(np.uint32), return_inverse=True)
    term_tf = np.bincount(inverse, weights=tf[kept], minlength=len(hashes))
    rarity = np.full(len(hashes), np.inf)
    np.minimum.at(rarity, inverse, info[kept, 1])
    values = (1.0 + np.log(term_tf)) * rarity
    values /= math.sqrt(float(values @ values))
    return hashes, values.astype(np.float32)


def words_of(text: str) -> list[str]:
    """A normalized text's words as the term vectors count them (Arabic letters, Latin letters, digits)."""
    return _WORD.findall(text)


# "until" or "since", then at most one word ("عام", "نهايه", "صيف"), right before a year
_SPAN_END = re.compile(r"(?:^|\s)و?(?:حتي|منذ|لغايه)\s+(?:\S+\s+)?$")


def figures(text: str) -> tuple[set[str], set[int]]:
    """(specific numbers, years) a text states: decimals (and their whole parts) and integers of 10 and
    more that are not years, the figures of one occasion; years from 1950 to 2049, but not the end of a
    span ("حتى 2025", "منذ عام 2014": a contract's term, a conflict's start), which tells no occasion. Digits
    of any script are read (a normalized text has ASCII digits already, and one pass of an ASCII pattern
    over it is cheap)."""
    if _OTHER_DIGIT.search(text):
        text = text.translate(_DIGITS)
    numbers, years = set(), set()
    for match in _NUMBER.finditer(text):
        value = match.group().replace(",", ".").replace("\u066b", ".")
        if "." in value:
            numbers.add(value)
            numbers.add(value.split(".")[0])  # its whole part too: outlets round ("35.25" and "35.3" share "35")
        elif len(value) == 4 and 1950 <= int(value) <= 2049:
            if not _SPAN_END.search(text, max(0, match.start() - 24), match.start()):
                years.add(int(value))
        elif int(value) >= 10:
            numbers.add(value)
    return numbers, years


# A match's result, in text_normalized's spelling: in figures ("بنتيجه 2-1", "فاز 2 - 1"; a dash, never a
# date's or a time's separator) or in words ("بهدفين مقابل هدف", "بثلاثيه نظيفه", "بهدف لمثله").
_SCORE_DIGITS = re.compile(r"(?<![\d./\-])(\d) ?[-–] ?(\d)(?![\d./\-])")
# what states a result before its figures, within a few words ("فاز ... 2-1", "بنتيجه (2-1)")
_RESULT_CUE = re.compile(r"(?:بنتيجه|فاز|فوز|تعادل|خسر|خساره|تغلب|هزم|هزيمه|انتصر|انتهت|انتهي)")
_LEAD_CUE = re.compile(r"(?:تقدم|يتقدم|متقدم)")  # a team leads: a score of the match under way
_GOAL_COUNTS = {
    "هدف": 1,
    "هدفين": 2,
    "هدفان": 2,
    "ثلاثه اهداف": 3,
    "ثلاثيه": 3,
    "اربعه اهداف": 4,
    "رباعيه": 4,
    "خمسه اهداف": 5,
    "خماسيه": 5,
    "سته اهداف": 6,
    "سداسيه": 6,
}
_COUNT = "|".join(sorted(map(re.escape, _GOAL_COUNTS), key=len, reverse=True))
_SCORE_WORDS = re.compile(
    rf"(?:\bب|\bبنتيجه )(?P<won>{_COUNT})(?: (?:واحد|نظيف\w*|دون (?:رد|مقابل)|مقابل (?P<lost>{_COUNT})|ل(?P<level>مثله|مثلها|كل فريق)))"
)
_NIL = re.compile(r" (?:نظيف\w*|دون (?:رد|مقابل))")


def match_scores(text: str) -> set[str]:
    """The results of matches a normalized text states, each as "score W-L" (the higher count first, so
    that either team's report of one result agrees); a goal count with nothing that tells the other
    team's ("بهدف سجله ...") is no result, nor a lead while the match goes on ("تقدم ... بهدف نظيف")."""
    scores = set()
    for match in _SCORE_DIGITS.finditer(text):
        if not _RESULT_CUE.search(text, max(0, match.start() - 60), match.start()):
            continue  # figures with a dash that no result word announces ("المرحله 2-3")
        a, b = sorted((int(match[1]), int(match[2])), reverse=True)
        scores.add(f"score {a}-{b}")
    for match in _SCORE_WORDS.finditer(text):
        before = max(0, match.start() - 40)
        if _LEAD_CUE.search(text, before, match.start()) and not _RESULT_CUE.search(text, before, match.start()):
            continue  # "تقدم الجزائر بهدف نظيف": the score during the match, not its result
        won = _GOAL_COUNTS[match["won"]]
        if match["lost"]:
            lost = _GOAL_COUNTS[match["lost"]]
        elif match["level"]:
            lost = won
        elif _NIL.match(text, match.end("won")):
            lost = 0
        else:
            continue  # "بهدف واحد": the other count is not given
        scores.add(f"score {max(won, lost)}-{min(won, lost)}")
    return scores


def lead_text(text: str, words: int) -> str:
    """The text up to the end of its first ``words`` words (_WORD tokens), punctuation kept."""
    for i, match in enumerate(_WORD.finditer(text), 1):
        if i == words:
            return text[: match.end()]
    return text


def stated_months(words: list[str], distinct: Iterable[str]) -> set[int]:
    """The months a normalized text names (metadata.py's names, both traditions; "كانون الثاني"), from its
    words in order and its distinct words."""
    found = [word for word in distinct if word in _MONTH_NUMBERS or word in _MONTH_FIRST_WORDS]
    months = {_MONTH_NUMBERS[word] for word in found if word in _MONTH_NUMBERS}
    if any(word in _MONTH_FIRST_WORDS for word in found):
        for i, word in enumerate(words[:-1]):
            if word in _MONTH_FIRST_WORDS:
                number = _MONTH_NUMBERS.get(f"{word} {words[i + 1]}")
                if number is not None:
                    months.add(number)
    return months


def _sorted_hashes(values: set[str] | set[int]) -> np.ndarray:
    return np.array(sorted({term_hash(str(v)) for v in values}), dtype=np.uint32)


@dataclass(frozen=True)
class RewriteTerms:
    """What rewrite similarity keeps of an article: its headline-and-text term vector (hashes and weights)
    and the years, months and specific numbers it states (hashed, sorted), as bytes (they pickle fast and
    go into the fingerprints table as they are: pack / unpack)."""

    terms: bytes = b""
    weights: bytes = b""
    numbers: bytes = b""
    years: bytes = b""
    months: bytes = b""

    @classmethod
    def of(cls, title: str | None, text: str) -> RewriteTerms:
        """From an article's normalized headline and text_normalized (ASCII digits, folded letters)."""
        text = text[:MAX_CHARS]
        headline, body = words_of(title) if title else [], words_of(text)
        # the headline and the lead tell what the report is about: their words count twice
        counts = Counter(headline)
        counts.update(headline)
        counts.update(body[:LEAD_WORDS])
        counts.update(body)
        terms, weights = weighted_terms(counts)
        # the occasion's figures: those of the headline and the lead; later paragraphs' years, dates and
        # numbers are background (an earlier season, last year's rate) that rewrites of one report do
        # not all keep
        lead, head = [*headline, *body[:FIGURE_WORDS]], lead_text(text, FIGURE_WORDS)
        told = f"{title}\n{head}" if title else head
        numbers, years = figures(told)
        numbers |= match_scores(told)  # a match's result is one of its figures ("2-1", "بهدفين مقابل هدف")
        return cls(
            terms.tobytes(),
            weights.tobytes(),
            _sorted_hashes(numbers).tobytes(),
            _sorted_hashes(years).tobytes(),
            _sorted_hashes(stated_months(lead, set(lead))).tobytes(),
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
    place: float = 0.05  # a shared place
    max_places: int = 4
    full_support: float = 0.3  # the texts' cosine from which shared people and places count in full


def rewrite_score(
    a: RewriteTerms, b: RewriteTerms, shared_actors: int, weights: ScoreWeights = ScoreWeights(), shared_places: int = 0
) -> float:
    """How surely two articles (not vetoed by occasion_conflict) rewrite one report; see the module docstring.
    Shared people and places support what the texts share but do not make it: below a cosine of
    full_support they count in proportion (the same officials in the same capitals at another meeting
    share their names, not the report's words)."""
    text = cosine(a.array("terms"), a.array("weights"), b.array("terms"), b.array("weights"))
    numbers = _shared(a.array("numbers"), b.array("numbers"))
    names = weights.actor * min(shared_actors, weights.max_actors) + weights.place * min(shared_places, weights.max_places)
    support = min(1.0, text / weights.full_support) if weights.full_support > 0 else 1.0
    return text + weights.number * min(numbers, weights.max_numbers) + names * support


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
    shared_places: int = 0,
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
    score = rewrite_score(a, b, shared_actors, weights, shared_places)
    return score if score >= config.rewrite_link_floor else None
