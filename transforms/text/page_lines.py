"""The line classifier of text pages: line features, good/near-good/short/bad ratings, the body run and the headline above it."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from khabar.transforms.text.boilerplate_words import BAD, END_MARKERS, FUNCTION_WORDS, GOOD, NEAR_GOOD, SHORT, TEASER
from khabar.transforms.text.metadata import author_from_line, is_date_line, parse_byline, parse_date, source_from_line
from khabar.transforms.text.normalize import normalize_light, strip_invisible


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
      DirectRunner holds them in memory: gigabytes for a 100k-page input).
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


def parse_iso_date(value: str) -> datetime | None:
    """ISO 8601 (or a stated date in any format parse_date reads), as UTC."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return parse_date(value)
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
