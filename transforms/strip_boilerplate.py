"""Boilerplate removal: a page's lines -> title, body and metadata.

Reads ``Document`` records (plain-text scrapes or raw HTML); writes them back
with ``title``, ``text`` (body paragraphs, original orthography, separated by
a blank line), ``source_name``, ``author`` and ``published_at`` filled in, and
a reject (``empty_after_boilerplate``) for pages with no body left.

HTML first goes through trafilatura (main text and metadata); then both kinds
go through one line classifier, in the spirit of jusText:

1. Per line: length, share of the page's script, sentence punctuation,
   function-word density, and hard signals: no text, junk, a repeat of the
   title, teaser links ("اقرأ أيضاً: ..."), lines repeated within the page
   (link lists: a title, an author, a title, the same author ...), template
   lines repeated across many pages of the same source (a side input), and
   end-of-article markers (comment counters and forms, "related articles"
   headings, print/share widgets) after which nothing is body.
2. Lines are rated good (a paragraph), near-good or short; the body is the
   run of lines around the good ones with the most text, allowing short gaps.
3. Inside it, near-good lines stay next to a good one and short lines
   (sub-headings) stay only between two paragraphs.
4. The title is the first headline-like line above the body.

Known phrases are one small signal (end markers and teaser leads, listed
below); the rest is structure.
"""

from __future__ import annotations

import hashlib
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import apache_beam as beam
import numpy as np
from khabar.transforms.normalize_text import normalize_light, strip_invisible
from khabar.transforms.runtime.batching import BatchedDoFn
from khabar.transforms.runtime.budget import BudgetExceeded, Sandbox
from khabar.transforms.runtime.records import Document, Reject, as_singleton, one, reject_output, split_rejects
from khabar.transforms.runtime.timing import TimedDoFn
from khabar.transforms.text.metadata import author_from_line, is_date_line, parse_byline, parse_date, source_from_line

NAMESPACE = "khabar.boilerplate"

# Line classes.
GOOD, NEAR_GOOD, SHORT, BAD = "good", "near_good", "short", "bad"

_LIST_MARKER = re.compile(r"^\s*(?:\d{1,3}[.)\-]|[-•*·▪●])\s+")

FUNCTION_WORDS = frozenset(
    normalize_light(w)
    for w in [
        "في",
        "من",
        "على",
        "إلى",
        "الى",
        "عن",
        "أن",
        "ان",
        "إن",
        "مع",
        "هذا",
        "هذه",
        "ذلك",
        "تلك",
        "التي",
        "الذي",
        "الذين",
        "اللذين",
        "كان",
        "كانت",
        "قد",
        "لا",
        "ما",
        "لم",
        "لن",
        "و",
        "أو",
        "او",
        "ثم",
        "بين",
        "حول",
        "خلال",
        "بعد",
        "قبل",
        "عند",
        "منذ",
        "حتى",
        "كما",
        "أنه",
        "انه",
        "أنها",
        "إنه",
        "هو",
        "هي",
        "هم",
        "لها",
        "له",
        "فيه",
        "فيها",
        "عليه",
        "عليها",
        "ضد",
        "نحو",
        "غير",
        "كل",
        "بعض",
        "أي",
        "أيضا",
        "وفي",
        "ومن",
        "وعلى",
        "وأن",
        "وقد",
        "وكان",
        "وهو",
        "وهي",
        "وذلك",
        "وهذا",
        "وقال",
        "وأكد",
        "وأضاف",
        "وأشار",
        "وأوضح",
        "the",
        "a",
        "an",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "or",
        "but",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "by",
        "with",
        "from",
        "at",
        "that",
        "this",
        "it",
        "as",
        "has",
        "have",
        "had",
        "not",
    ]
)

# End-of-article markers: short lines after which a page holds comments,
# related links, share widgets or tags, never article text.
END_MARKERS = re.compile(
    # compiled from its light-normalized source: lines are compared in that form
    normalize_light(
        r"^(?:\d+\s+)?(?:تعليق|تعليقات|التعليقات|comments?)(?:\s*\(\d+\))?\s*:?$"
        r"|^(?:اترك|أترك)\s+(?:ردا|رد|تعليقا|تعليق)"
        r"|^(?:أضف|اضف|إضافة|اضافة|أكتب|اكتب)\s+(?:تعليقا|تعليق|تعليقك)"
        r"|^شروط\s+(?:التعليق|التعليقات|النشر)"
        r"|لن يتم نشر (?:عنوان )?بريدك"
        r"|^(?:مقالات|أخبار|اخبار|مواضيع|مواد|قصص|تقارير)\s+(?:ذات صلة|ذات علاقة|متعلقة|مشابهة|مرتبطة)"
        r"|^(?:الأكثر|الاكثر)\s+(?:قراءة|قراءه|مشاهدة|مشاهده|تداولا)"
        r"|^(?:اقرأ|إقرأ|اقرا)\s+(?:أيضا|ايضا|أيضاً|ايضاً|المزيد)\s*:?$"
        r"|^(?:الوسوم|وسوم|كلمات مفتاحية|الكلمات المفتاحية|tags)\s*:"
        r"|^(?:شارك|مشاركة|شارك الخبر|share)\s*:?$"
        r"|print friendly|leave a (?:reply|comment)|related (?:articles|posts|news)|you may also like|please enter your"
    ),
    re.I,
)
# Teaser links inside a body: "اقرأ أيضاً: <another headline>".
TEASER = re.compile(
    r"^\s*(?:اقرأ|إقرأ|اقرا|طالع|شاهد|تابع|للمزيد|يهمك|قد يهمك|read|see|watch)\s*(?:أيضا|ايضا|أيضاً|ايضاً|كذلك|المزيد|also|more)?\s*[:：\-–]\s*\S",
    re.I,
)


@dataclass(frozen=True)
class BoilerplateConfig:
    """Thresholds of the line classifier.

    length_high / length_low: characters that make a line a paragraph (good)
      or a candidate (near-good); shorter lines are 'short'.
    min_script_share: letters of the page's main script a body line needs.
    max_gap: non-good lines allowed between two good lines of one body.
    title_min_words / title_max_words: what a headline looks like.
    template_min_docs / template_min_share: a line on at least this many
      pages of one source, and on this share of them, is site template.
    html_favor: trafilatura mode: 'balanced', 'precision' or 'recall'.
    time_budget_s: wall-clock seconds one page's extraction may take; HTML
      pages and text pages over inline_max_bytes run in a child process that
      is killed past it (reject reason ``timeout``); 0 runs everything inline.
    inline_max_bytes: text pages up to this size run inline (the classifier
      is linear: a 256 KB page takes milliseconds, and a child process round
      trip would double the cost of an ordinary 4 KB article).
    template_reread: the batch pipeline counts template lines on a first read
      of the input files and reads them again to clean them, rather than
      holding every raw page until the count is done (the in-process
      DirectRunner holds them in memory: about 1.8 GB for 100k 6 KB pages).
      The pages are then spread over workers file by file; turn it off when
      the input is a few large archives read by several workers (held pages
      are spread one by one), or when reading costs more than holding
      (remote archives on a runner that spills to disk, such as Dataflow).
    """

    length_high: int = 100
    length_low: int = 60
    min_script_share: float = 0.5
    max_gap: int = 2
    title_min_words: int = 3
    title_max_words: int = 30
    template_min_docs: int = 5
    template_min_share: float = 0.3
    html_favor: str = "balanced"
    time_budget_s: float = 10.0
    inline_max_bytes: int = 256 * 1024
    template_reread: bool = True


@dataclass
class Line:
    index: int
    text: str
    norm: str
    words: int
    chars: int
    script_share: float
    function_density: float
    sentence_end: bool
    letters: int = 0
    cls: str = BAD
    reason: str = ""


@dataclass
class Extraction:
    """What the classifier made of one page."""

    title: str | None
    body: list[str]
    removed: Counter[str] = field(default_factory=Counter)
    source_name: str | None = None
    author: str | None = None
    published_at: datetime | None = None


# ---------------------------------------------------------------- features


def line_key(text: str) -> int:
    """Hash of a line's normalized form, for template counting."""
    return norm_key(" ".join(normalize_light(text).split()))


def norm_key(norm: str) -> int:
    """line_key of a line already in its normalized form (Line.norm)."""
    return int.from_bytes(hashlib.blake2b(norm.encode(), digest_size=8).digest(), "big")


_LATIN_DELETE = bytes(b for b in range(256) if not (65 <= b <= 90 or 97 <= b <= 122))
_LETTER_RUN = re.compile(r"[^\W\d_]+")
_SENTENCE_END_CHARS = frozenset(".!?؟…:\"”»)]'’")


def script_counts(text: str) -> tuple[int, int]:
    """(Arabic-block characters, Latin letters) of a line.

    Counted on the UTF-8 bytes: every character of the Arabic block
    (U+0600-U+06FF) starts with one of four lead bytes, so bytes.count does
    in C what a character-class regex does ten times slower. Arabic
    punctuation and diacritics count too, which does not matter for a share.
    """
    raw = text.encode("utf-8", "surrogatepass")
    count = raw.count
    arabic = count(b"\xd8") + count(b"\xd9") + count(b"\xda") + count(b"\xdb")
    return arabic, len(raw.translate(None, _LATIN_DELETE))


def _features(index: int, text: str, norm: str, counts: tuple[int, int], script: str) -> Line:
    words = norm.split()
    arabic, latin = counts
    letters = arabic + latin
    own = latin if script == "latin" else arabic
    # Only Latin text has case: skip lower() and a second split otherwise.
    lowered = norm.lower().split() if latin else words
    return Line(
        index=index,
        text=text,
        norm=" ".join(words),
        words=len(words),
        chars=len(text),
        script_share=own / letters if letters else 0.0,
        function_density=sum(map(FUNCTION_WORDS.__contains__, lowered)) / len(words) if words else 0.0,
        sentence_end=text.rstrip()[-1:] in _SENTENCE_END_CHARS,
        letters=letters,
    )


def is_junk(line: Line) -> bool:
    """No real words: counters, widgets ("+A"), keyboard noise ("UUUIIII")."""
    if line.letters < 2:
        return True
    if line.words == 1 and line.letters >= 4:
        letters = "".join(_LETTER_RUN.findall(line.text)).lower()
        return len(set(letters)) <= 3
    return False


def rate(line: Line, config: BoilerplateConfig) -> str:
    """good / near_good / short / bad for one line on its own."""
    if line.script_share < config.min_script_share:
        return BAD
    if line.chars >= config.length_high and (line.sentence_end or line.function_density >= 0.08 or line.words >= 25):
        return GOOD
    if line.chars >= config.length_low:
        return NEAR_GOOD
    return SHORT


def is_title_like(line: Line, config: BoilerplateConfig) -> bool:
    return (
        config.title_min_words <= line.words <= config.title_max_words
        and line.chars <= 300
        and line.script_share >= config.min_script_share
        and not re.search(r"[.!:]\s*$", line.text)
        and not is_date_line(line.text)
        and not TEASER.match(line.text)
        and not END_MARKERS.search(line.norm.lower())
    )


# ---------------------------------------------------------------- classifier


def classify_lines(
    lines: list[str],
    config: BoilerplateConfig | None = None,
    templates: frozenset[int] = frozenset(),
    known_title: str | None = None,
) -> tuple[str | None, list[Line]]:
    """Classify a page's lines; returns the title and every non-blank line with
    its class ('body', 'title' or a removal reason in ``reason``)."""
    config = config or BoilerplateConfig()
    cleaned = [t.strip() for t in strip_invisible("\n".join(lines)).split("\n")]
    # One light normalization pass for the page; it keeps the line structure.
    normalized = normalize_light("\n".join(cleaned)).split("\n")
    raw = [(i, t, normalized[i]) for i, t in enumerate(cleaned) if t]
    counts = [script_counts(t) for _, t, _ in raw]
    script = "latin" if sum(c[1] for c in counts) > sum(c[0] for c in counts) else "arabic"
    units = [_features(i, t, n, c, script) for (i, t, n), c in zip(raw, counts, strict=True)]
    counts = Counter(u.norm for u in units)

    for unit in units:
        unit.cls = rate(unit, config)
        if is_junk(unit):
            unit.reason = "junk"
        elif templates and norm_key(unit.norm) in templates:
            unit.reason = "template"
        elif TEASER.match(unit.text):
            unit.reason = "teaser"
        elif counts[unit.norm] >= 3 and unit.words <= 6:
            unit.reason = "repeated_line"  # link lists: the same author under every teaser
        elif unit.words <= 10 and END_MARKERS.search(unit.norm.lower()):
            unit.reason = "end_marker"

    # Title: a given one (JSON/HTML), else the first headline-like line above the first paragraph.
    first_good = next((k for k, u in enumerate(units) if u.cls == GOOD and not u.reason), len(units))
    title_pos = None
    title_norm = " ".join(normalize_light(known_title).split()) if known_title else None
    if title_norm is None:
        for k, unit in enumerate(units[: first_good + 1]):
            if not unit.reason and is_title_like(unit, config):
                title_pos, title_norm = k, unit.norm
                break
    title = known_title.strip() if known_title else (units[title_pos].text if title_pos is not None else None)
    for k, unit in enumerate(units):
        if k == title_pos:
            unit.reason = "title"
        elif title_norm and unit.norm == title_norm and not unit.reason:
            unit.reason = "duplicate_title"

    _select_body(units, title_pos, config)
    return title, units


def _select_body(units: list[Line], title_pos: int | None, config: BoilerplateConfig) -> None:
    """Mark the main body block; everything else gets a removal reason."""
    start = (title_pos + 1) if title_pos is not None else 0
    # End markers close the article: nothing after the first one (below a paragraph) is body.
    end = len(units)
    seen_good = False
    for k in range(start, len(units)):
        unit = units[k]
        if unit.cls == GOOD and not unit.reason:
            seen_good = True
        if unit.reason == "end_marker" and seen_good:
            end = k
            break

    good = [k for k in range(start, end) if units[k].cls == GOOD and not units[k].reason]
    if not good:
        # Small clean articles have no long paragraph: promote the next tier.
        good = [k for k in range(start, end) if units[k].cls == NEAR_GOOD and not units[k].reason]
    if not good:
        good = [
            k for k in range(start, end) if not units[k].reason and units[k].sentence_end and units[k].words >= 5 and units[k].cls != BAD
        ]
    blocks: list[list[int]] = []
    for k in good:
        if blocks and k - blocks[-1][-1] - 1 <= config.max_gap + _blank_free_gap(units, blocks[-1][-1], k):
            blocks[-1].append(k)
        else:
            blocks.append([k])
    best: tuple[int, int] | None = None
    if blocks:
        chosen = max(blocks, key=lambda b: (sum(units[k].chars for k in b), -b[0]))
        best = (chosen[0], chosen[-1])

    for k, unit in enumerate(units):
        if unit.reason:
            continue
        if best is None or k < best[0]:
            unit.reason = "header"
        elif k > best[1]:
            unit.reason = "footer" if k < end else "after_end_marker"
        elif unit.cls == GOOD:
            unit.reason = "body"
        elif unit.cls == NEAR_GOOD:
            unit.reason = "body" if _neighbour_classes(units, k) & {GOOD} else "isolated"
        elif unit.cls == SHORT:
            before, after = _neighbour(units, k, -1), _neighbour(units, k, 1)
            sandwiched = before in (GOOD, NEAR_GOOD) and after in (GOOD, NEAR_GOOD)
            unit.reason = "body" if sandwiched and unit.words >= 2 and not unit.text.endswith(":") else "short"
        else:
            unit.reason = "foreign_script" if unit.script_share < config.min_script_share else "bad"
    # A pull quote repeats a sentence of the body: keep one copy.
    body_text = [u.norm for u in units if u.reason == "body"]
    for unit in units:
        repeats = unit.reason == "body" and unit.words >= 5 and unit.cls != GOOD
        if repeats and any(unit.norm != other and unit.norm in other for other in body_text):
            unit.reason = "pull_quote"


def _blank_free_gap(units: list[Line], a: int, b: int) -> int:
    """Lines between two good ones that are obviously removable (junk, widgets) do not count as gap."""
    return sum(1 for k in range(a + 1, b) if units[k].reason in ("junk", "template"))


def _neighbour(units: list[Line], k: int, step: int) -> str | None:
    j = k + step
    while 0 <= j < len(units):
        unit = units[j]
        if unit.reason in ("junk", "template", "teaser"):
            j += step
            continue
        if unit.reason in ("title", "duplicate_title", "end_marker", "repeated_line"):
            return None
        return unit.cls
    return None


def _neighbour_classes(units: list[Line], k: int) -> set[str | None]:
    return {_neighbour(units, k, -1), _neighbour(units, k, 1)}


# ---------------------------------------------------------------- page level


def extract_text_page(
    text: str,
    config: BoilerplateConfig | None = None,
    templates: frozenset[int] = frozenset(),
    known_title: str | None = None,
) -> Extraction:
    """Title, body paragraphs and stated metadata of a plain-text page."""
    title, units = classify_lines(text.split("\n"), config, templates, known_title)
    body = [u.text for u in units if u.reason == "body"]
    removed = Counter(u.reason for u in units if u.reason not in ("body", "title"))
    extraction = Extraction(title=title, body=body, removed=removed)
    _metadata(units, extraction)
    return extraction


def _metadata(units: list[Line], extraction: Extraction) -> None:
    """Source, author and publication time from credit lines, bylines and date lines."""
    body_positions = [k for k, u in enumerate(units) if u.reason == "body"]
    first_body = body_positions[0] if body_positions else len(units)
    for unit in units:
        if unit.reason == "body" and unit.index != units[first_body].index:
            continue
        if extraction.source_name is None:
            extraction.source_name = source_from_line(unit.text)
        if unit.reason == "body" or unit.reason == "title":
            byline = parse_byline(unit.text)
            if byline:
                extraction.source_name = extraction.source_name or byline.agency
                extraction.author = extraction.author or byline.author
            continue
        if extraction.author is None:
            extraction.author = author_from_line(unit.text)
        if extraction.published_at is None and unit.words <= 12:
            extraction.published_at = parse_date(unit.text)


def extract_html_page(
    html: str, url: str | None, config: BoilerplateConfig | None = None, templates: frozenset[int] = frozenset()
) -> Extraction:
    """Main text and metadata with trafilatura, then the same line classifier."""
    import trafilatura

    config = config or BoilerplateConfig()
    result = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=config.html_favor == "precision",
        favor_recall=config.html_favor == "recall",
        date_extraction_params={"extensive_search": True, "original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"},
    )
    if result is None or not (result.text or "").strip():
        return Extraction(title=getattr(result, "title", None), body=[], removed=Counter({"html_no_main_text": 1}))
    extraction = extract_text_page(result.text, config, templates, known_title=result.title or None)
    extraction.source_name = extraction.source_name or result.sitename or None
    extraction.author = extraction.author or result.author or None
    if extraction.published_at is None and result.date:
        extraction.published_at = parse_iso_date(result.date)
    return extraction


def parse_iso_date(value: str) -> datetime | None:
    """ISO 8601 (or a stated date in any format parse_date reads), as UTC."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return parse_date(value)
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def strip_boilerplate(doc: Document, config: BoilerplateConfig | None = None, templates: frozenset[int] = frozenset()) -> Extraction:
    if doc.content_type == "html":
        extraction = extract_html_page(doc.content, doc.url, config, templates)
    else:
        extraction = extract_text_page(doc.content, config, templates, known_title=doc.title)
    if doc.published_hint and extraction.published_at is None:
        extraction.published_at = parse_iso_date(doc.published_hint)
    return extraction


def source_key(doc: Document) -> str:
    """Which pages share a site template: the web host, else the input directory."""
    if doc.url:
        host = urlparse(doc.url).netloc.lower()
        if host:
            return host
    return doc.source_uri.rsplit("/", 1)[0]


def page_lines(doc: Document) -> list[str]:
    """The lines template detection counts (the raw lines of a text page; for
    HTML, the text of its block elements)."""
    if doc.content_type == "html":
        return [t for t in re.split(r"<[^>]+>", doc.content) if t.strip()][:2000]
    return doc.content.split("\n")


def page_line_keys(doc: Document) -> set[int]:
    """line_key of each non-blank line of page_lines(doc).

    normalize_light maps characters one by one and never makes or removes a
    newline, so one pass over the joined lines gives each line's form, where
    a pass a line made 34 replacement checks a line (126 against 159 us a
    page).
    """
    lines = page_lines(doc)
    joined = "\n".join(lines)
    # (an HTML block may hold newlines of its own: then a pass a line)
    one_pass = joined.count("\n") == len(lines) - 1
    forms = normalize_light(joined).split("\n") if one_pass else [normalize_light(line) for line in lines]
    return {norm_key(" ".join(form.split())) for line, form in zip(lines, forms, strict=True) if line.strip()}


# ---------------------------------------------------------------- Beam


class _CountTemplateLines(BatchedDoFn, TimedDoFn):
    STAGE = "template_count"

    def process(self, doc: Document) -> Iterator[tuple[str, int, list[int]]]:
        with self.clock:
            # The page as a 64-bit hash of its digest: identical copies of one
            # article (a page crawled under several URLs) must count once.
            page = source_key(doc), norm_key(doc.digest), list(page_line_keys(doc))
        yield page


def template_keys(keys: np.ndarray, pages: np.ndarray, page_count: int, min_docs: int, min_share: float) -> list[int]:
    """Keys of a source's template lines: on at least min_docs of its pages and
    min_share of all its page_count pages.

    keys / pages: one (line key, page hash) entry per distinct line of each
    page (uint64). A line's pages are counted by distinct page hash, or the
    body lines of an article crawled under several URLs would look like site
    template; once a line is on max(min_docs, 2) distinct pages it is clearly
    widespread and its plain count is used.
    """
    if len(keys) == 0:
        return []
    order = np.lexsort((pages, keys))
    keys, pages = keys[order], pages[order]
    new_line = np.ones(len(keys), dtype=bool)
    new_line[1:] = keys[1:] != keys[:-1]
    new_page = new_line.copy()
    new_page[1:] |= pages[1:] != pages[:-1]
    starts = np.flatnonzero(new_line)
    total = np.diff(np.append(starts, len(keys)))
    distinct = np.add.reduceat(new_page.astype(np.int64), starts)
    count = np.where(distinct >= max(min_docs, 2), total, distinct)
    keep = (count >= min_docs) & (count >= min_share * page_count)
    return keys[starts[keep]].tolist()


class _SourceLines:
    """What TemplateTable keeps of one source: its pages and a (line, page) entry per distinct line of each."""

    __slots__ = ("keys", "page_count", "pages")

    def __init__(self, keys: array | None = None, pages: array | None = None, page_count: int = 0) -> None:
        self.keys = array("Q") if keys is None else keys
        self.pages = array("Q") if pages is None else pages
        self.page_count = page_count

    def __reduce__(self) -> tuple[Any, ...]:
        return _SourceLines, (self.keys, self.pages, self.page_count)


class TemplateTable(beam.CombineFn):
    """(source, page hash, line keys) of every page -> source -> keys of its template lines.

    One accumulator a bundle: a source's entries travel as two arrays of
    64-bit numbers, not one element a line (10k pages hold 150k distinct
    lines, nearly all body lines seen once), and the table is one sort
    (template_keys) per source.
    """

    def __init__(self, config: BoilerplateConfig) -> None:
        self._config = config

    def create_accumulator(self) -> dict[str, _SourceLines]:
        return {}

    def add_input(self, acc: dict[str, _SourceLines], page: tuple[str, int, list[int]]) -> dict[str, _SourceLines]:
        source, page_hash, keys = page
        lines = acc.get(source)
        if lines is None:
            lines = acc[source] = _SourceLines()
        lines.keys.extend(keys)
        lines.pages.extend([page_hash] * len(keys))
        lines.page_count += 1
        return acc

    def merge_accumulators(self, accs: Iterable[dict[str, _SourceLines]]) -> dict[str, _SourceLines]:
        merged: dict[str, _SourceLines] = {}
        for acc in accs:
            for source, lines in acc.items():
                into = merged.get(source)
                if into is None:  # a copy: only the result may be changed later
                    merged[source] = _SourceLines(array("Q", lines.keys), array("Q", lines.pages), lines.page_count)
                else:
                    into.keys.extend(lines.keys)
                    into.pages.extend(lines.pages)
                    into.page_count += lines.page_count
        return merged

    def extract_output(self, acc: dict[str, _SourceLines]) -> dict[str, frozenset[int]]:
        config = self._config
        table = {}
        for source, lines in acc.items():
            keys = np.frombuffer(lines.keys, dtype=np.uint64)
            pages = np.frombuffer(lines.pages, dtype=np.uint64)
            found = template_keys(keys, pages, lines.page_count, config.template_min_docs, config.template_min_share)
            if found:
                table[source] = frozenset(found)
        return table


class StripBoilerplateFn(BatchedDoFn, TimedDoFn):
    """Document -> Document with title/text/metadata, or a reject."""

    STAGE = "boilerplate"

    def __init__(self, config: BoilerplateConfig) -> None:
        super().__init__()
        self._config = config
        self._sandbox: Sandbox | None = None

    def setup(self) -> None:
        if self._config.time_budget_s > 0:
            self._sandbox = Sandbox(strip_boilerplate, self._config.time_budget_s)

    def teardown(self) -> None:
        if self._sandbox is not None:
            self._sandbox.close()

    def _budgeted(self, doc: Document) -> bool:
        return self._sandbox is not None and (doc.content_type == "html" or len(doc.content) > self._config.inline_max_bytes)

    def process(self, doc: Document, templates: list[dict[str, frozenset[int]]] | None = None) -> Iterator[Any]:
        site_templates = one(templates or [], {}).get(source_key(doc), frozenset())
        try:
            with self.clock:
                if self._budgeted(doc):
                    assert self._sandbox is not None
                    extraction = self._sandbox(doc, self._config, site_templates)
                else:
                    extraction = strip_boilerplate(doc, self._config, site_templates)
        except BudgetExceeded as exc:
            yield reject_output(Reject(doc.uri, "boilerplate", "timeout", f"extraction: {exc}", doc.size_bytes), NAMESPACE)
            return
        except Exception as exc:  # a parser bug on one hostile page must not stop the run
            yield reject_output(
                Reject(doc.uri, "boilerplate", "extraction_failed", f"{type(exc).__name__}: {exc}", doc.size_bytes), NAMESPACE
            )
            return
        for reason, count in extraction.removed.items():
            beam.metrics.Metrics.counter(NAMESPACE, f"lines_removed_{reason}").inc(count)
        if not extraction.body:
            yield reject_output(
                Reject(doc.uri, "boilerplate", "empty_after_boilerplate", "no body text left after removing boilerplate", doc.size_bytes),
                NAMESPACE,
            )
            return
        beam.metrics.Metrics.counter(NAMESPACE, "articles_kept").inc()
        doc.title = extraction.title or doc.title
        doc.text = "\n\n".join(extraction.body)
        doc.source_name = extraction.source_name
        doc.author = extraction.author
        doc.published_at = extraction.published_at
        doc.extra["lines_removed"] = dict(extraction.removed)
        doc.content = ""  # the raw page is not needed downstream; free the memory
        yield doc


class FindTemplates(beam.PTransform):
    """Documents -> one element: source -> keys of its template lines.

    The lines on at least template_min_docs pages of a source and
    template_min_share of its pages are template (TemplateTable).
    """

    def __init__(self, config: BoilerplateConfig | None = None) -> None:
        super().__init__()
        self._config = config or BoilerplateConfig()

    def expand(self, docs: beam.PCollection) -> beam.PCollection:
        return (
            docs | "LineHashes" >> beam.ParDo(_CountTemplateLines()) | "TemplateTable" >> beam.CombineGlobally(TemplateTable(self._config))
        )


class StripBoilerplate(beam.PTransform):
    """Documents -> {'documents': cleaned Documents, 'rejects': Rejects}.

    Template lines are found across the whole input (FindTemplates) and reach
    every worker as a side input. templates: that table made elsewhere (the
    batch pipeline counts it on a first read of the files, so the pages to
    clean need not wait for it); by default it is counted on these documents,
    which then wait, all of them, until the count is done.
    """

    def __init__(self, config: BoilerplateConfig | None = None, templates: beam.PCollection | None = None) -> None:
        super().__init__()
        self._config = config or BoilerplateConfig()
        self._templates = templates

    def expand(self, docs: beam.PCollection) -> dict[str, beam.PCollection]:
        table = self._templates
        if table is None:
            table = docs | "Templates" >> FindTemplates(self._config)
        cleaned = docs | "Classify" >> beam.ParDo(StripBoilerplateFn(self._config), templates=as_singleton(table))
        return split_rejects(cleaned, "Cleaned", "documents", Document)
