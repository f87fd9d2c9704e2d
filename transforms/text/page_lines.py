"""The line classifier of text pages: line features, good/near-good/short/bad ratings, the body run and the headline above it."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from khabar.transforms.runtime.native import KERNELS
from khabar.transforms.text.boilerplate_words import BAD, END_MARKERS, FUNCTION_WORDS, GOOD, NEAR_GOOD, SHORT, TEASER
from khabar.transforms.text.metadata import (
    LEAD_PARAGRAPHS,
    PageLine,
    author_from_line,
    choose_published,
    is_date_line,
    parse_byline,
    parse_date,
)
from khabar.transforms.text.normalize import normalize_light, strip_invisible
from khabar.transforms.text.outlets import stated_outlet


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


@dataclass(slots=True)
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
    # the lines as the outlet rules read them: outlets.resolve_source looks in them for a short
    # name the page gives itself only when the URL's domain is not in the table
    outlet_lines: tuple[PageLine, ...] = ()
    site_name: str | None = None  # an HTML page's declared site name (og:site_name)
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
# What a line may carry after its last sentence: hashtags, links, emoji ("... الأمطار. #عاجل").
_TRAILING_TAGS = re.compile(r"(?:\s+(?:#\S+|https?://\S+|pic\.twitter\.com/\S+|[^\w\s.!?؟…:\"”»)\]'’]+))+\s*$")


def _ends_like_sentence(text: str) -> bool:
    last = text.rstrip()[-1:]
    if last in _SENTENCE_END_CHARS:
        return True
    if last.isalnum() and "#" not in text and "http" not in text and "pic." not in text:
        return False  # nothing trails the sentence: no need for the pattern
    return _TRAILING_TAGS.sub("", text).rstrip()[-1:] in _SENTENCE_END_CHARS


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


LineCounts = tuple[int, int, str, int, int]  # (Arabic, Latin letters, norm's words joined by a space, words, function words)


def line_counts_python(texts: list[str], norms: list[str], function_words: frozenset[str]) -> list[LineCounts]:
    """What _line needs of each of a page's lines (texts, and norms: their light-normalized forms): the
    line's script_counts, its normalized words joined by one space and counted, and how many of them
    (lower-cased for a line with Latin letters) are function words. The compiled kernel line_counts
    (transforms/runtime/_native.c) gives the same, a page in one call."""
    out = []
    for text, norm in zip(texts, norms, strict=True):
        arabic, latin = script_counts(text)
        words = norm.split()
        lowered = norm.lower().split() if latin else words  # only Latin text has case
        out.append((arabic, latin, " ".join(words), len(words), sum(map(function_words.__contains__, lowered))))
    return out


def line_counts(texts: list[str], norms: list[str]) -> list[LineCounts]:
    """line_counts_python over FUNCTION_WORDS, by the compiled kernel when it is built."""
    if KERNELS is not None:
        return KERNELS.line_counts(texts, norms, FUNCTION_WORDS)
    return line_counts_python(texts, norms, FUNCTION_WORDS)


def _line(index: int, text: str, counts: LineCounts, script: str) -> Line:
    arabic, latin, norm, words, function_words = counts
    letters = arabic + latin
    own = latin if script == "latin" else arabic
    return Line(
        index=index,
        text=text,
        norm=norm,
        words=words,
        chars=len(text),
        script_share=own / letters if letters else 0.0,
        function_density=function_words / words if words else 0.0,
        sentence_end=_ends_like_sentence(text),
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
        line.chars <= 300
        and line.script_share >= config.min_script_share
        and config.title_min_words <= len(letter_words(line)) <= config.title_max_words
        and not re.search(r"[.!:]\s*$", line.text)
        and not is_date_line(line.text)
        and not TEASER.match(line.text)
        and not END_MARKERS.search(line.norm.lower())
    )


_TERMINALS = ".!?؟…"


def reflow_wrapped(lines: list[str]) -> list[str]:
    """Paragraphs hard-wrapped at a fixed width (print versions, text copied
    from PDFs, some CMS exports) joined back into one line each.

    A wrapped line stops where the next word would not fit: its length, a
    space and the next line's first word pass the width W the page's longest
    lines reach. A page counts as wrapped when W is line-sized (at most 120
    characters, so pages of one paragraph a line are left alone) and most of
    its text lines break that way; then every such break is joined. A line
    that would have fit the next word ends its paragraph, as does a blank line.
    """
    lengths = sorted(len(line) for line in lines if len(line) >= 20)
    if len(lengths) < 6:
        return lines
    width = lengths[(9 * (len(lengths) - 1)) // 10]
    if width > 120:
        return lines

    def breaks_at_width(i: int) -> bool:
        line, following = lines[i], lines[i + 1] if i + 1 < len(lines) else ""
        if len(line) < 20 or not following or line[-1:] in _TERMINALS:
            return False
        return len(line) + 1 + len(following.split()[0]) > width

    wrapped = {i for i in range(len(lines)) if breaks_at_width(i)}
    if len(wrapped) < 0.5 * len(lengths):
        return lines
    out: list[str] = []
    joining = False
    for i, line in enumerate(lines):
        if joining:
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
        joining = i in wrapped
    return out


def classify_lines(
    lines: list[str],
    config: BoilerplateConfig | None = None,
    templates: frozenset[int] = frozenset(),
    known_title: str | None = None,
) -> tuple[str | None, list[Line]]:
    """Classify a page's lines; returns the title and every non-blank line with
    its class ('body', 'title' or a removal reason in ``reason``)."""
    config = config or BoilerplateConfig()
    cleaned = reflow_wrapped([t.strip() for t in strip_invisible("\n".join(lines)).split("\n")])
    # One light normalization pass for the page; it keeps the line structure.
    normalized = normalize_light("\n".join(cleaned)).split("\n")
    kept = [i for i, t in enumerate(cleaned) if t]
    texts = [cleaned[i] for i in kept]
    rows = line_counts(texts, [normalized[i] for i in kept])
    script = "latin" if sum(row[1] for row in rows) > sum(row[0] for row in rows) else "arabic"
    units = [_line(i, t, row, script) for i, t, row in zip(kept, texts, rows, strict=True)]
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

    # The body first; the headline is then looked for above it.
    _mark_duplicate_lines(units, known_title)
    block = _select_body(units, config)
    title_pos = None if known_title else choose_title(units, block, config)
    if block and title_pos is not None and title_pos < block[0]:
        # Lines of text between the headline and the body are its deck or lead.
        first = block[0]
        while first - 1 > title_pos and not units[first - 1].reason and units[first - 1].cls in (GOOD, NEAR_GOOD):
            first -= 1
        block = (first, block[1])
    title = known_title.strip() if known_title else (units[title_pos].text if title_pos is not None else None)
    title_norm = " ".join(normalize_light(title).split()) if title else None
    for k, unit in enumerate(units):
        if k == title_pos:
            unit.reason = "title"
        elif title_norm and unit.norm == title_norm and unit.reason in ("", "body"):
            unit.reason = "duplicate_title"
    _label(units, block, config)
    return title, units


def _mark_duplicate_lines(units: list[Line], known_title: str | None) -> None:
    """A given headline (JSON, HTML) repeated in the page's text is not body."""
    if not known_title:
        return
    title_norm = " ".join(normalize_light(known_title).split())
    for unit in units:
        if unit.norm == title_norm and not unit.reason:
            unit.reason = "duplicate_title"


# A sentence that goes on from the one before: "وأضاف ...", "فيما ...".
_CONJUNCTION = re.compile(r"^[وف][^\s\d]{2,}")
# Separators of breadcrumbs and site bars: "العالم - سوريا", "أخبار الآن | دمشق".
_SEPARATORS = re.compile(r"\s[|/»›>•\-–—]\s|\s?[|»›•]\s?")
_TIME_OF_DAY = re.compile(r"(?<!\d)\d{1,2}:\d{2}(?!\d)")


_LETTER_TOKEN = re.compile(r"\S*?[^\W\d_]\S*")


def letter_words(line: Line) -> list[str]:
    """The words of a line that hold letters (not numbers or punctuation)."""
    return _LETTER_TOKEN.findall(line.norm)


def is_prose(line: Line) -> bool:
    """Running text whatever its length: it ends like a sentence, or goes on from the sentence before.

    Headlines, navigation and link lists do neither, so a short line of prose
    next to the body belongs to it (a lead, a closing sentence, a list item).
    """
    if line.cls == BAD or line.words < 3:
        return False
    return line.sentence_end or (line.words >= 4 and bool(_CONJUNCTION.match(line.norm)))


def _ends_sentence(line: Line) -> bool:
    """Ends with a full stop, a question or exclamation mark or an ellipsis (not just a closing quote)."""
    return _TRAILING_TAGS.sub("", line.text).rstrip().rstrip("\"”»)]'’")[-1:] in ".!?؟…"


def _ends_or_goes_on(line: Line) -> bool:
    return _ends_sentence(line) or bool(_CONJUNCTION.match(line.norm))


def _core(line: Line) -> bool:
    """Lines that anchor the body: paragraphs, and shorter lines of prose."""
    return not line.reason and (line.cls == GOOD or (line.cls == NEAR_GOOD and is_prose(line)))


def _gap_cost(line: Line) -> float:
    """How much a line between two anchors separates them (blocks join below max_gap)."""
    if line.reason in ("junk", "template"):
        return 0.0
    if line.reason or line.cls == BAD:
        return 1.0
    if is_prose(line):
        return 0.0
    if line.cls == NEAR_GOOD or len(letter_words(line)) >= 2:
        return 0.5  # a sub-heading, a caption, a list item without a full stop
    return 1.0


def _select_body(units: list[Line], config: BoilerplateConfig) -> tuple[int, int] | None:
    """The body block: (first, last) positions in units, or None.

    Anchors are paragraphs and shorter prose lines; anchors join into one
    block while the lines between them cost at most max_gap (sub-headings,
    captions and list items cost half a line, prose nothing); the block with
    the most text wins, and prose lines right next to it join it (a short
    lead under the headline, a short closing sentence). End markers close the
    article: nothing after the first one below an anchor is body.
    """
    end = len(units)
    seen = False
    for k, unit in enumerate(units):
        seen = seen or _core(unit)
        if unit.reason == "end_marker" and seen:
            end = k
            break
    anchors = [k for k in range(end) if _core(units[k])]
    if not anchors:
        # Small pages with no prose: the longest clean lines are the body.
        anchors = [k for k in range(end) if not units[k].reason and units[k].cls == NEAR_GOOD]
    if not anchors:
        anchors = [k for k in range(end) if not units[k].reason and units[k].sentence_end and units[k].words >= 5 and units[k].cls != BAD]
    if not anchors:
        return None
    blocks: list[list[int]] = [[anchors[0]]]
    for k in anchors[1:]:
        if sum(_gap_cost(units[j]) for j in range(blocks[-1][-1] + 1, k)) <= config.max_gap:
            blocks[-1].append(k)
        else:
            blocks.append([k])
    chosen = max(blocks, key=lambda b: (sum(units[j].chars for j in range(b[0], b[-1] + 1) if not units[j].reason), -b[0]))
    first, last = chosen[0], chosen[-1]
    while first > 0 and not units[first - 1].reason and is_prose(units[first - 1]) and _ends_sentence(units[first - 1]):
        first -= 1  # a lead above the first paragraph; a headline in quotes ("... «ضيفاً عزيزاً»") is not one
    while last + 1 < end and not units[last + 1].reason and is_prose(units[last + 1]) and _ends_or_goes_on(units[last + 1]):
        last += 1  # a closing sentence; not a credit line in brackets
    return first, last


def choose_title(units: list[Line], block: tuple[int, int] | None, config: BoilerplateConfig) -> int | None:
    """The headline: the first headline-like line above the body that shares
    content words with the body's first paragraphs (two; one when it stands
    right above them or the page repeats it). A headline names what its lead tells; navigation, section
    names, site names, bylines and timestamps above an article do not, so a
    page that starts with its lead gets no headline rather than one of them.
    A long headline can open the body block itself: its first line counts
    when it does not end like a sentence."""
    start = block[0] if block else len(units)
    candidates = list(range(start))
    if block and block[1] > block[0] and not units[start].sentence_end:
        candidates.append(start)
    leads: dict[tuple[int, ...], _LeadStems] = {}
    text_like = [j for j in range(start, len(units)) if not units[j].reason and (units[j].cls in (GOOD, NEAR_GOOD) or is_prose(units[j]))][
        :4
    ]
    for k in candidates:  # top down: the headline comes before any deck or lead that repeats its words
        unit = units[k]
        if unit.reason or not is_title_like(unit, config) or _is_navigation(unit):
            continue
        if k == start and ("،" in unit.text or "," in unit.text):
            continue  # the body's first line: a sentence with clauses is its lead, not a headline
        following = tuple(j for j in text_like if j > k)[:3]
        if following not in leads:
            leads[following] = _LeadStems([units[j] for j in following])
        # One shared word is enough right above the body, or for a line the page repeats (a headline shown twice).
        adjacent = k + 1 == start or any(u.norm == unit.norm for u in units[k + 1 : start])
        if leads[following].shares(_content_stems(unit), 1 if adjacent else 2):
            return k
    return None


_LETTER_WORD = re.compile(r"[^\W\d_]{3,}")


class _LeadStems:
    """The content stems of the lines under a headline candidate (_content_stems of each).

    A stem is the word itself or the word without one of _PROCLITICS, so a
    test finds each of the candidate's few stems in the lead's text and checks
    the word around it, instead of splitting and stemming the whole lead.
    """

    def __init__(self, lines: list[Line]) -> None:
        self._texts = [line.norm[:400] for line in lines]  # a headline's words come early in its lead

    def _has(self, stem: str) -> bool:
        for text in self._texts:
            start = text.find(stem)
            while start >= 0:
                end = start + len(stem)
                if end == len(text) or not _is_letter(text[end]):
                    first = start
                    while first > 0 and _is_letter(text[first - 1]):
                        first -= 1
                    if end - first >= 3 and _content_stem(text[first:end]) == stem:
                        return True
                start = text.find(stem, start + 1)
        return False

    def shares(self, stems: set[str], need: int) -> bool:
        """Whether at least `need` of `stems` are among the lead's stems."""
        shared = 0
        for stem in stems:
            if self._has(stem):
                shared += 1
                if shared >= need:
                    return True
        return False


def _is_letter(char: str) -> bool:
    """A character of _LETTER_WORD: a word character that is not a decimal digit or an underscore."""
    return char.isalnum() and not char.isdecimal()


def _content_stems(line: Line) -> set[str]:
    """A line's content words with the article and common proclitics taken off."""
    # a headline's words come early in its lead; each distinct word is stemmed once
    stems = set(map(_content_stem, set(_LETTER_WORD.findall(line.norm, 0, 400))))
    stems.discard("")
    return stems


_PROCLITICS = ("وال", "بال", "لل", "فال", "كال", "ال")  # in the order they are tried


@lru_cache(maxsize=1 << 16)  # a page's words are mostly the language's common ones: stem each once a worker
def _content_stem(word: str) -> str:
    """The word without the article and common proclitics; "" for a function word."""
    if word in FUNCTION_WORDS:
        return ""
    if word[0] in "وبلفكا":
        for prefix in _PROCLITICS:
            if word.startswith(prefix) and len(word) - len(prefix) >= 2:
                return word[len(prefix) :]
    return word


def _is_navigation(line: Line) -> bool:
    """A breadcrumb, a site bar or a timestamp: short segments between separators, or a time of day."""
    if _TIME_OF_DAY.search(line.text) or parse_date(line.text) is not None:
        return True
    parts = [p for p in _SEPARATORS.split(line.text) if p.strip()]
    return len(parts) >= 2 and all(len(p.split()) <= 3 for p in parts)


def _between_text(units: list[Line], k: int) -> bool:
    """Whether the nearest lines before and after (widgets and teasers passed over) are paragraphs or prose."""

    def text_like(step: int) -> bool:
        j = k + step
        while 0 <= j < len(units) and units[j].reason in ("junk", "template", "teaser"):
            j += step
        if not 0 <= j < len(units) or units[j].reason in ("title", "duplicate_title", "end_marker", "repeated_line"):
            return False
        return units[j].cls in (GOOD, NEAR_GOOD) or is_prose(units[j])

    return text_like(-1) and text_like(1)


def _label(units: list[Line], block: tuple[int, int] | None, config: BoilerplateConfig) -> None:
    """Every line without a reason yet gets one: 'body' inside the block, where it was found otherwise."""
    end = next((k for k, u in enumerate(units) if u.reason == "end_marker" and block and k > block[1]), len(units))
    for k, unit in enumerate(units):
        if unit.reason:
            continue
        if block is None or k < block[0]:
            unit.reason = "header"
        elif k > block[1]:
            unit.reason = "footer" if k < end else "after_end_marker"
        elif unit.cls == BAD:
            unit.reason = "foreign_script" if unit.script_share < config.min_script_share else "bad"
        elif unit.cls in (GOOD, NEAR_GOOD) or is_prose(unit):
            unit.reason = "body"
        elif len(letter_words(unit)) >= 2 and not unit.text.endswith(":") and _between_text(units, k):
            unit.reason = "body"  # a sub-heading or list item between two lines of the article
        else:
            unit.reason = "short"
    for unit in units[end:]:
        if unit.reason in ("header", "footer"):
            unit.reason = "after_end_marker"
    # A pull quote repeats a sentence of the body: keep one copy.
    body_text = [u.norm for u in units if u.reason == "body"]
    for unit in units:
        repeats = unit.reason == "body" and unit.words >= 5 and unit.cls != GOOD
        if repeats and any(unit.norm != other and unit.norm in other for other in body_text):
            unit.reason = "pull_quote"


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
    """Source, author and publication time from credit lines, bylines, datelines and date lines.

    The lines go to metadata.choose_published and outlets.stated_outlet with
    where each stands (headline, above the body, body, inside or below it);
    the page's URL is weighed later (outlets.resolve_source).
    """
    body_positions = [k for k, u in enumerate(units) if u.reason == "body"]
    first_body = body_positions[0] if body_positions else len(units)
    last_body = body_positions[-1] if body_positions else len(units)
    # the headline's line; with a given title (JSON, HTML), the line that repeats it
    title_pos = next((k for k, u in enumerate(units) if u.reason == "title"), None)
    if title_pos is None:
        title_pos = next((k for k, u in enumerate(units[:first_body]) if u.reason == "duplicate_title"), None)
    lines = []
    # Below the body only its first lines (a source credit) and the page's last ones (the site's own
    # name by its copyright) can name the outlet or the date: link lists and comments between are skipped.
    # The rules read the first LEAD_PARAGRAPHS body paragraphs (datelines, credits); later ones tell the story.
    kept_footer = set(range(last_body + 1, last_body + 9)) | set(range(len(units) - 4, len(units)))
    paragraphs = 0
    for k, unit in enumerate(units):
        if k > last_body and k not in kept_footer:
            continue
        if unit.reason == "body":
            paragraphs += 1
            if paragraphs > LEAD_PARAGRAPHS:
                continue
        place = unit.reason if unit.reason in ("title", "body") else "header" if k < first_body else "footer" if k > last_body else "inner"
        removed_as = "" if place in ("title", "body") else unit.reason
        lines.append(PageLine(unit.text, place, title_pos is not None and k < title_pos, removed_as))
    extraction.published_at = choose_published(lines)
    extraction.source_name = stated_outlet(lines)
    extraction.outlet_lines = tuple(lines)
    for unit in units:
        if unit.reason == "body" and unit.index != units[first_body].index:
            continue
        if unit.reason == "body" or unit.reason == "title":
            byline = parse_byline(unit.text)
            if byline:
                extraction.author = extraction.author or byline.author
            continue
        if extraction.author is None:
            extraction.author = author_from_line(unit.text)


def parse_iso_date(value: str) -> datetime | None:
    """ISO 8601 (or a stated date in any format parse_date reads), as UTC."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return parse_date(value)
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
