"""Which outlet published a page: from its URL, from what the page states, and the rule between them.

The table (data/news_domains.tsv, see its header) maps news domains to the
outlet's name, country and kind: ``outlet``, ``agency`` (a news agency's own
site) or ``aggregator`` (a site that shows other outlets' articles).
outlet_for_url reads a URL's host without its "www.", "m.", "amp." or
"mobile." prefix and looks it up, then its parent domains down to the
registered domain (sub.example.com -> example.com), each first with the
URL's first path segment ("bbc.com/arabic"). Only http(s) URLs count: a
Document read from a file has the file's path as its url.

What the page states (stated_outlet, over its classified lines): a credit
line ("المصدر: X", "نقلا عن X"), a credit with agencies ("X ـ وكالات"), a
dateline naming the outlet ("أبوظبي (الاتحاد)", "جدة : البلاد", "الشارقة 24 –
أ ف ب:", "بغداد - X" or "X -" alone above the body, "X - " or "X| " heading
the first paragraph), a short line that is the site's name, or that leads
several headlines ("X - title"), and an agency credited in a dateline or
byline ("دمشق (رويترز) -", "(واع)", "/العمانية/", "العراق/ علي جواد/
الأناضول-"). A name counts as an outlet when the table knows it or when it
is shaped like one ("X نيوز", "X 24", "X بريس", "X أون لاين", "X.كوم",
"صحيفة X", "موقع X", "قناة X", ...); an unknown name heading a dateline
counts too unless it is a place (the gazetteer's), a person's (a given name
first, عبد/أبو), or a byline or section word. Known and shaped names
credited outright or in a dateline come first, then site-name lines and
unknown names heading a dateline, then agencies; within a rank, the
earliest line.

The rule (resolve_source):

- a known outlet's or agency's domain: that outlet. The site publishes
  what it shows; an agency credited in its datelines is the wire it used.
- an aggregator's domain: the outlet the page credits when the table knows
  it or it is shaped like a name; else the outlet its URL path names
  (maghress.com/hespress/... -> the outlet whose domain is hespress.*, the
  aggregator's country first); else whatever the page credits, agencies
  included; else the aggregator itself.
- an unknown http(s) domain: the outlet the page names (not an agency) when
  the table knows it, it is shaped like a name, or it sounds like the domain
  (matches_domain: "شفا" on shfanews.net); else the outlet of a listed domain
  of the same name under another ending (arabi21.co -> arabi21.com's); else
  the site name an HTML page declares (og:site_name); else a
  short name the page gives itself that sounds like the domain
  (name_candidates: "اقتصادكم" alone above the body on iktissadkom.ma, "X:"
  heading the first paragraph); else the registered domain itself (the
  site's own identity beats the wire it took the story from).
- no URL (files): whatever the page states, agencies included.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from khabar.transforms.text.gazetteer import form, given_names, load_gazetteer
from khabar.transforms.text.metadata import (
    CITY_ZONES,
    LEAD_PARAGRAPHS,
    WEEKDAYS,
    PageLine,
    agency_name,
    find_dates,
    name_key,
    parse_byline,
    source_from_line,
)
from khabar.transforms.text.normalize import normalize_text

DATA = Path(__file__).resolve().parent / "data" / "news_domains.tsv"
KINDS = ("outlet", "agency", "aggregator")
_HOST_PREFIXES = ("www.", "m.", "amp.", "mobile.")
# Second-level labels under a country code that registrars sell names under (example.com.sa, example.press.ma).
_SECOND_LEVEL = frozenset(
    ["com", "net", "org", "gov", "edu", "co", "ac", "info", "press", "news", "med", "mil", "sch", "biz", "gob", "ne", "or", "go"]
)


@dataclass(frozen=True)
class Outlet:
    domain: str  # as in the table: a host, or host/segment
    name: str
    country: str
    kind: str


@cache
def table() -> dict[str, Outlet]:
    """The shipped table, by domain (or domain/segment)."""
    rows: dict[str, Outlet] = {}
    with DATA.open(encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != 4 or fields[3] not in KINDS:
                raise ValueError(f"{DATA.name} line {number}: want domain, name, country, kind ({'/'.join(KINDS)})")
            domain, name, country, kind = (f.strip() for f in fields)
            rows[domain.lower()] = Outlet(domain.lower(), name, country, kind)
    return rows


def _name_keys(name: str) -> list[str]:
    """A table name's matching keys: the whole name, the name without "(abbreviation)", the abbreviation."""
    keys = [name_key(name)]
    match = re.match(r"^(?P<full>[^()]+?)\s*\((?P<short>[^()]+)\)\s*$", name)
    if match:
        keys += [name_key(match["full"]), name_key(match["short"])]
    return [k for k in keys if k]


@cache
def _by_name() -> dict[str, Outlet]:
    """Outlets by name key (the first in table order when names are shared)."""
    out: dict[str, Outlet] = {}
    for outlet in table().values():
        if outlet.kind == "aggregator":
            continue
        for key in _name_keys(outlet.name):
            out.setdefault(key, outlet)
    return out


@cache
def _by_label() -> dict[str, tuple[Outlet, ...]]:
    """Outlets by the first label of their registered domain (hespress.com -> hespress), for aggregator paths."""
    out: dict[str, list[Outlet]] = {}
    for outlet in table().values():
        if outlet.kind != "aggregator" and "/" not in outlet.domain:
            out.setdefault(registered_domain(outlet.domain).split(".")[0], []).append(outlet)
    return {label: tuple(outlets) for label, outlets in out.items()}


# The common shape of a page URL: scheme, host (no user, no IPv6 literal), optional port, path.
_PLAIN_URL = re.compile(r"(https?)://([A-Za-z0-9.\-_~%]+)(?::\d*)?(/[^?#\t\r\n]*)?(?:[?#][^\t\r\n]*)?", re.I)


@lru_cache(maxsize=64)  # a page's URL is read by several rules in a row: split it once
def _split_url(url: str) -> tuple[str, str | None, str] | None:
    """(scheme, host in lower case or None, path) of a URL; None when it cannot be parsed."""
    url = url.strip()
    plain = _PLAIN_URL.fullmatch(url)
    if plain:  # what urlsplit would say, without its general parse
        return plain[1].lower(), plain[2].lower() or None, plain[3] or ""
    try:
        parts = urlsplit(url)
        return parts.scheme.lower(), parts.hostname, parts.path
    except ValueError:
        return None


@lru_cache(maxsize=64)
def url_host(url: str | None) -> str | None:
    """The host of an http(s) URL, lower case, without "www.", "m.", "amp." or "mobile."; None for anything else."""
    parts = _split_url(url) if url else None
    if parts is None:
        return None
    scheme, host, _path = parts
    if scheme not in ("http", "https") or not host:
        return None
    host = host.rstrip(".")
    while True:
        prefix = next((p for p in _HOST_PREFIXES if host.startswith(p) and host.count(".") >= 2), None)
        if prefix is None:
            return host
        host = host[len(prefix) :]


def registered_domain(host: str) -> str:
    """example.com for news.example.com; example.com.sa for www.example.com.sa."""
    labels = host.split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def _first_segment(url: str) -> str:
    parts = _split_url(url)
    path = parts[2] if parts is not None else ""
    return next((unquote(s).lower() for s in path.split("/") if s), "")


def outlet_record(url: str | None) -> Outlet | None:
    """The table's row for a URL: its host, then its parent domains down to the registered one, each with the first path segment first."""
    host = url_host(url)
    if host is None:
        return None
    assert url is not None
    rows = table()
    segment = _first_segment(url)
    labels = host.split(".")
    floor = len(registered_domain(host).split("."))
    for start in range(0, max(1, len(labels) - floor + 1)):
        candidate = ".".join(labels[start:])
        if segment and f"{candidate}/{segment}" in rows:
            return rows[f"{candidate}/{segment}"]
        if candidate in rows:
            return rows[candidate]
    return None


def outlet_for_url(url: str | None) -> str | None:
    """The outlet name of a URL's domain, or None (unknown domain, not http(s))."""
    record = outlet_record(url)
    return record.name if record else None


def aggregated_outlet(url: str, aggregator: Outlet) -> Outlet | None:
    """The outlet an aggregator's URL path names (maghress.com/hespress/123 -> hespress.com's outlet)."""
    candidates = _by_label().get(_first_segment(url), ())
    if not candidates:
        return None
    return next((o for o in candidates if o.country == aggregator.country), candidates[0])


def known_outlet(name: str | None) -> Outlet | None:
    """The table's outlet of that name ("زاد الاردن الاخباري", "شفا", "الاتحاد"), or None."""
    return _by_name().get(name_key(name)) if name else None


# ---------------------------------------------------------------- names stated in the page

_SHAPE_SUFFIX = re.compile(
    r"(?:\s(?:نيوز|بريس|برس|انفو|اون ?لاين|تي ?في|24|360|نت|كوم|الاخباري|الاخباريه|ميديا|بوست|تايمز|اف ?ام|الالكترونيه"
    r"|news|press|info|online|tv|fm|post|times|media)|\.(?:كوم|نت|com|net|info|news|ma|tn|dz|ps|ly|sa))$",
    re.I,
)
_SHAPE_PREFIX = re.compile(r"^(?:صحيفه|جريده|الجريده|موقع|بوابه|قناه|تلفزيون|اذاعه|راديو|مجله|شبكه|صوت)\s\S")
_NOT_NAMES = frozenset(
    normalize_text(w)
    for w in [
        "وكالات",
        "خاص",
        "متابعات",
        "متابعة",
        "عاجل",
        "فيديو",
        "صور",
        "بالصور",
        "تقرير",
        "حوار",
        "مقال",
        "رأي",
        "المحرر",
        "محرر",
        "بيان",
        "اقرأ",
        "شاهد",
        "تابعونا",
        "الرئيسية",
        "اخبار",
        "أخبار",
    ]
)
# Words a site's name does not hold: prepositions and calls to follow ("تابعونا على جوجل نيوز").
_NOT_IN_NAMES = frozenset(
    normalize_text(w)
    for w in [
        "في",
        "من",
        "على",
        "عن",
        "إلى",
        "الى",
        "عبر",
        "مع",
        "تابعونا",
        "تابعوا",
        "اشترك",
        "جوجل",
        "google",
        "follow",
        "breaking",
        "latest",
        "live",
        "more",
        "read",
    ]
)
_CITIES = frozenset(CITY_ZONES)
_QUOTES = "\"'“”«»„‹›()[] "


_CLEAN_STRIP = _QUOTES + ":：-–—ـ|،,."


def _clean(name: str) -> str:
    return " ".join(name.strip().strip(_CLEAN_STRIP).split())


def shaped_like_outlet(name: str) -> bool:
    """A name shaped like a site's or a channel's: "X نيوز", "X برس", "X 24", "X.كوم", "صحيفة X", ..."""
    norm = normalize_text(name).lower()
    return bool(_SHAPE_SUFFIX.search(norm) or _SHAPE_PREFIX.match(norm))


@lru_cache(maxsize=65536)  # the same navigation and section lines come back on every page of a site
def _plausible(name: str) -> bool:
    norm = normalize_text(name)
    words = norm.split()
    return (
        0 < len(words) <= 5
        and 2 <= len(norm) <= 40
        and any(ch.isalpha() for ch in norm)
        and norm not in _NOT_NAMES
        and not any(w.lower() in _NOT_IN_NAMES for w in words)
        and norm not in _CITIES
        and not re.search(r"[؟?!+=*#@<>{}\[\]]", norm)
        and not find_dates(name)
    )


@dataclass(frozen=True)
class Stated:
    name: str
    rank: int  # 0 credited outright or in a dateline, 1 a site-name line, 2 an agency
    position: int


def _as_outlet(raw: str, rank: int, position: int, shaped_ok: bool = True, strict: bool = False) -> Stated | None:
    """A stated name as an outlet or agency credit, or None when it is neither known nor shaped like one.

    strict (a name merely leading a line, "X -"): a one-word known name with
    the article ("الاتحاد", "البلاد", "اليوم") is too often a plain word there.
    """
    name = _clean(raw)
    if not _plausible(name):
        return None
    agency = agency_name(name)
    if agency:
        return Stated(agency, 2, position)
    known = known_outlet(name)
    norm = normalize_text(name)
    if known and not (strict and " " not in norm and norm.startswith("ال") and not shaped_like_outlet(name)):
        return Stated(known.name, rank, position)
    if norm.startswith("وكاله "):
        return Stated(name, 2, position)  # an agency the lexicon lacks
    if shaped_ok and shaped_like_outlet(name):
        return Stated(name, rank, position)
    return None


_CREDIT_LEAD = re.compile(r"^\s*(?:المصدر|مصدر الخبر|المصدر الأصلي|نقلا عن|نقلاً عن|source)\s*[:：]", re.I)
_LEAD = re.compile(r"^\s*(?P<name>[^\s\-–—ـ:|()،,.][^\-–—ـ:|()،]{0,40}?)\s*(?:[-–—ـ]|:(?!\d))\s*(?P<rest>.*)$")
_PLACE_PAREN = re.compile(r"^\s*\(?(?P<place>[^()\-–—ـ|:]{2,25}?)\)?\s*\(\s*(?P<name>[^()]{2,40}?)\s*\)\s*(?:[-–—ـ:]|$)")
_PLACE_SEP = re.compile(r"^\s*\(?(?P<place>[^()\-–—ـ|:]{2,25}?)\)?\s*[|:\-–—ـ]\s*(?P<name>[^|:\-–—ـ]{2,40}?)\s*[:\-–—ـ]?\s*$")
_PAREN_ONLY = re.compile(r"^\s*(?:[^\s()]{1,3}\s*(?:\.\s*[^\s()]{1,3}\s*)*)?\(\s*(?P<name>[^()]{2,40}?)\s*\)\s*[.:]?\s*$")
_PREFIX = re.compile(r"^\s*(?P<name>[^\-–—ـ|:]{2,40}?)\s+[-–—|]\s+\S")
_WIRE_AFTER = re.compile(r"^\s*\(?(?P<name>[^():\-–—ـ]{1,20}?)\)?\s*(?:[:\-–—ـ]|$)")


def _credited(text: str, position: int) -> Stated | None:
    """'المصدر: X': credited outright, whatever its shape."""
    source = source_from_line(text)
    if not source:
        return None
    if not _CREDIT_LEAD.match(text):  # "X ـ وكالات": the site, with agencies
        return _as_outlet(source, 0, position)
    name = _clean(source)
    if not _plausible(name):
        return None
    agency = agency_name(name)
    if agency:
        return Stated(agency, 2, position)
    known = known_outlet(name)
    return Stated(known.name if known else name, 0, position)


def _read_credits(text: str, position: int, place: str) -> list[Stated]:
    found = [_credited(text, position)]
    byline = parse_byline(text)
    if byline and byline.agency:
        found.append(_as_outlet(byline.agency, 0, position, shaped_ok=False))
    for pattern in (_PLACE_PAREN, _PAREN_ONLY):
        match = pattern.match(text)
        if match:
            found.append(_as_outlet(match["name"], 0, position))
    if place != "body":
        match = _PLACE_SEP.match(text)
        if match and normalize_text(_clean(match["place"])) in _CITIES:
            found.append(_as_outlet(match["name"], 0, position))
    match = _LEAD.match(text)
    if match:
        found.append(_as_outlet(match["name"], 0, position, strict=True))
        wire = _WIRE_AFTER.match(match["rest"])
        if wire:  # "الشارقة 24 – أ ف ب:", "الصحيفة - و.م.ع"
            stated = _as_outlet(wire["name"], 0, position, shaped_ok=False)
            found.append(stated if stated and stated.rank == 2 else None)
    return [s for s in found if s is not None]


@lru_cache(maxsize=65536)
def _normalized_token(token: str) -> str:
    """normalize_text of one token; pages repeat their menu and footer words, so each is normalized once."""
    return normalize_text(token)


def _too_long_for_a_name(tokens: list[str]) -> bool:
    """Whether a name can be told to be too long before any date is looked for: more than four words (tokens with a
    character _clean does not strip, so it keeps them) come before the first token that could start a date, a time or
    a weekday."""
    words = 0
    for token in tokens:
        if (not token.isalpha() and any(ch.isdigit() for ch in token)) or _normalized_token(token) in WEEKDAYS:
            return False  # (a word of letters only, most, is read for digits in one call)
        if token.strip(_CLEAN_STRIP):
            words += 1
            if words > 4:
                return True
    return False


def _standalone(text: str, position: int) -> Stated | None:
    """A short line that is a site's name ("البوابة نيوز", "العرائش 24"), a date or time after it allowed."""
    found = _standalone_name(text)
    return Stated(found, 1, position) if found else None


@lru_cache(maxsize=65536)
def _standalone_name(text: str) -> str | None:
    """_standalone's name, cached by line: sites repeat their header and footer lines on every page."""
    tokens = text.split()
    if not tokens or len(tokens) > 12 or _too_long_for_a_name(tokens):
        return None
    dated = bool(find_dates(text))
    for i, token in enumerate(tokens):
        starts_date = (
            dated and any(ch.isdigit() for ch in token) and bool((hits := find_dates(" ".join(tokens[i:]))) and hits[0].start == 0)
        )
        if starts_date or _normalized_token(token) in WEEKDAYS or re.match(r"^\d{1,2}:\d{2}", token):
            tokens = tokens[:i]
            break
    name = _clean(" ".join(tokens))
    if not name or len(name.split()) > 4 or not _plausible(name) or agency_name(name):
        return None
    known = known_outlet(name)
    if known and (len(name.split()) >= 2 or shaped_like_outlet(name)):
        return known.name
    if shaped_like_outlet(name):
        return name
    return None


_BODY_LEAD = re.compile(r"^\s*(?P<name>[^\s\-–—ـ_|:()،,.«»\"“”][^\-–—ـ_|:()،,.«»\"“”\d]{0,30}?)\s*[-–—ـ_|]\s*\S")
_ALONE = re.compile(r"^\s*(?P<name>[^\-–—ـ_|:()،,.«»\"“”\d]{2,30}?)\s*[-–—ـ_|:]\s*$")
_SLASH_CREDIT = re.compile(r"/\s*(?P<name>[^/\d]{2,25}?)\s*/")
# Words of bylines, sources and sections, not of a site's name.
_DATELINE_WORDS = frozenset(
    normalize_text(w)
    for w in [
        "كتب",
        "كتبت",
        "كتبه",
        "بقلم",
        "إعداد",
        "اعداد",
        "تحرير",
        "متابعة",
        "متابعات",
        "تقرير",
        "ترجمة",
        "حوار",
        "خاص",
        "عاجل",
        "مصدر",
        "مصادر",
        "الرئيس",
        "الوزير",
        "وزير",
        "وزارة",
        "رئيس",
        "المتحدث",
        "الناطق",
        "بيان",
        "تصوير",
        "شاهد",
        "اقرأ",
        "ايضا",
        "أيضا",
        "مراسل",
        "مراسلنا",
        "مكتب",
        "الكاتب",
        "الكاتبة",
        "الصحفي",
        "الصحفية",
        "محرر",
        "المحرر",
        "رياضة",
        "سياسة",
        "اقتصاد",
        "ثقافة",
        "فن",
        "منوعات",
        "محليات",
        "دولي",
        "عربي",
        "الرئيسية",
        "آخر",
        "اخر",
    ]
)


def _is_place(name: str) -> bool:
    if normalize_text(name) in _CITIES:
        return True
    entry = load_gazetteer().lookup(name)
    return entry is not None and entry.type == "LOC"


def _is_person(name: str) -> bool:
    clear, _ambiguous = given_names()
    words = normalize_text(name).split()
    # a given name first, or a compound name with عبد / أبو ("حمدي عبدالله", "عبد الله محمد")
    return form(words[0]) in clear or any(w.startswith(("عبد", "ابو")) for w in words)


def _dateline_outlet(raw: str, position: int) -> Stated | None:
    """A name heading a dateline ("X - ", "X| ", "X:" alone, "CITY | X"): an outlet when known or shaped, else when it is
    a short name that is no place, no person's, no byline or section word (rank 1: the site naming itself)."""
    name = _clean(raw)
    stated = _as_outlet(name, 0, position)
    if stated:
        return stated
    words = normalize_text(name).split()
    if not _plausible(name) or not 1 <= len(words) <= 3 or any(w in _DATELINE_WORDS for w in words):
        return None
    if _is_place(name) or _is_person(name):
        return None
    return Stated(name, 1, position)


_COLON_LEAD = re.compile(r"^\s*(?P<name>[^\s:()،,.«»\"“”\d][^:()،,.«»\"“”\d]{1,30}?)\s*[:：]\s*\S")


def name_candidates(lines: Sequence[PageLine]) -> tuple[str, ...]:
    """Short names the page may give itself, whatever their shape: a short line above the body or at the page's end
    ("اقتصادكم"), "X -" or "X - خاص" above the body, and the name heading the first paragraph ("X - ", "X:").

    Too weak to credit on their own (most are section names, places, people); resolve_source takes
    one only when it sounds like the page's unknown domain (matches_domain)."""
    found: list[str] = []
    body_seen = 0
    for line in lines:
        text = line.text
        if line.place == "title" or line.removed_as == "junk":
            continue
        if line.place == "body":
            body_seen += 1
            if body_seen == 1:
                for pattern in (_BODY_LEAD, _COLON_LEAD):
                    match = pattern.match(text)
                    if match:
                        found.append(_clean(match["name"]))
            continue
        found.append(_short_line_name(text))
    seen: set[str] = set()
    out = []
    for name in found:
        if name and name not in seen and len(name.split()) <= 4 and _plausible(name):
            seen.add(name)
            out.append(name)
    return tuple(out)


@lru_cache(maxsize=1 << 15)  # sites repeat their header and footer lines on every page
def _short_line_name(text: str) -> str:
    """The name a short line around the body may be: the line, or what leads it ("X -", "X - خاص"); "" for a long line."""
    if len(text) > 60:
        return ""
    match = _LEAD.match(text)
    return _clean(match["name"]) if match else _clean(text)


@lru_cache(maxsize=1 << 15)
def _around_credits(text: str, place: str) -> tuple[tuple[tuple[str, int], ...], str | None]:
    """The credits (name, rank) of a line around the body (header, inner or footer), and the name of an
    "X - ..." prefix it starts with; cached by line, as a site repeats its header and footer lines on every page."""
    found = _read_credits(text, 0, place)
    match = _ALONE.match(text) if place != "footer" else None
    if match:  # "X -" alone above the body; "X:" alone is a heading unless X is a known or shaped name
        colon = text.rstrip().endswith((":", "："))
        found.append(_as_outlet(match["name"], 0, 0) if colon else _dateline_outlet(match["name"], 0))
    match = _PLACE_SEP.match(text)
    if match and normalize_text(_clean(match["place"])) in _CITIES:  # "الخرطوم | X"
        found.append(_dateline_outlet(match["name"], 0))
    found.append(_standalone(text, 0))
    match = _PREFIX.match(text)
    return tuple((s.name, s.rank) for s in found if s is not None), _clean(match["name"]) if match else None


def stated_outlet(lines: Sequence[PageLine]) -> str | None:
    """The outlet (or agency) the page itself names, by the order of the module docstring, or None."""
    found: list[Stated] = []
    prefixes: dict[str, list[int]] = {}
    body_seen = 0
    for position, line in enumerate(lines):
        text = line.text
        if line.place == "title" or line.removed_as == "junk":
            continue
        if line.place != "body":
            credits, prefix = _around_credits(text, line.place)
            found += [Stated(name, rank, position) for name, rank in credits]
            if prefix is not None:
                prefixes.setdefault(prefix, []).append(position)
            continue
        body_seen += 1
        if body_seen > LEAD_PARAGRAPHS:
            continue
        found += _read_credits(text, position, line.place)
        if body_seen == 1:  # the first paragraph's dateline: "X - ...", "X| ...", ".. /العمانية/"
            match = _BODY_LEAD.match(text)
            stated = _dateline_outlet(match["name"], position) if match else None
            if stated:
                found.append(stated)
            slash = _SLASH_CREDIT.search(text[:80])
            stated = _as_outlet(slash["name"], 0, position, shaped_ok=False) if slash else None
            if stated and stated.rank == 2:
                found.append(stated)
    for name, positions in prefixes.items():
        if len(positions) >= 2:  # "X - headline" on several lines: the site's title pattern
            stated = _as_outlet(name, 1, positions[0])
            if stated and stated.rank == 1:
                found.append(stated)
    if not found:
        return None
    return min(found, key=lambda s: (s.rank, s.position)).name


# The consonant skeletons of Arabic names and Latin domains, to tell whether a name is the domain's:
# "شفا" / shfanews, "اقتصادكم" / iktissadkom, "لوبوان تي آن" / lepointtn.
_AR_SKELETON = str.maketrans(
    {
        **dict.fromkeys("اأإآٱىءئؤعويـ", ""),
        "ب": "b", "ت": "t", "ث": "t", "ج": "j", "ح": "h", "خ": "k", "د": "d", "ذ": "d", "ر": "r", "ز": "z", "س": "s",
        "ش": "s", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "غ": "j", "ف": "f", "ق": "k", "ك": "k", "ل": "l", "م": "m",
        "ن": "n", "ه": "h", "ة": "h", "گ": "j", "ڤ": "f", "پ": "b",
    }
)  # fmt: skip
_LATIN_PAIRS = (("sh", "s"), ("ch", "s"), ("kh", "k"), ("gh", "j"), ("th", "t"), ("dh", "d"), ("ph", "f"), ("ou", ""))
_LATIN_SKELETON = str.maketrans({**dict.fromkeys("aeiouwy3278-_.", ""), "q": "k", "c": "k", "g": "j", "p": "b", "v": "f", "x": "ks"})
# Words domains add to a name: news, press, info, online, today, tv, arabic, and the like.
_DOMAIN_EXTRAS = re.compile(r"(?:news|press|info|online|today|daily|tv|arabic|arab|media|post|times|network|net|\d+)$")


@lru_cache(maxsize=65536)  # section names and site names repeat across a site's pages
def _arabic_skeleton(name: str) -> str:
    """The name's consonants as Latin letters (a Latin name: its own consonants)."""
    return _latin_skeleton("".join(ch for ch in normalize_text(name).translate(_AR_SKELETON) if ch.isascii() and ch.isalpha()))


@lru_cache(maxsize=65536)
def _latin_skeleton(word: str) -> str:
    word = word.lower()
    for pair, one in _LATIN_PAIRS:
        word = word.replace(pair, one)
    return "".join(ch for ch in word.translate(_LATIN_SKELETON) if ch.isalpha()).rstrip("h")


@lru_cache(maxsize=1 << 15)  # a site's section names are tried against its domain on every page
def matches_domain(name: str, host: str) -> bool:
    """Whether a stated name sounds like the domain's (its consonants, the domain's "news", "press" ... aside)."""
    from difflib import SequenceMatcher

    whole = _arabic_skeleton(name)
    first = _arabic_skeleton(name.split()[0]) if name.split() else ""
    for latin in _domain_skeletons(host):
        if len(latin) < 2 or len(whole) < 2:
            continue
        if latin in (whole, first):
            return True
        if (len(whole) >= 3 and (whole in latin or (len(latin) >= 3 and latin in whole))) or (len(first) >= 3 and first in latin):
            return True
        if min(len(whole), len(latin)) >= 3 and SequenceMatcher(None, whole, latin).ratio() >= 0.8:
            return True
    return False


@lru_cache(maxsize=4096)
def _domain_skeletons(host: str) -> tuple[str, ...]:
    """The consonant skeletons of a domain's name, whole and without the words domains add."""
    label = registered_domain(host).split(".")[0]
    core = label
    while True:  # watananews -> watana, almaghribtoday -> almaghrib
        stripped = _DOMAIN_EXTRAS.sub("", core)
        if stripped == core or len(stripped) < 3:
            break
        core = stripped
    return tuple(dict.fromkeys((_latin_skeleton(label), _latin_skeleton(core))))


def sibling_outlet(host: str) -> Outlet | None:
    """The table's outlet for an unknown domain whose name is a listed domain's under another ending
    (arabi21.co for arabi21.com): when every listed domain of that name gives one outlet name; a ccTLD
    chooses among outlets of the same name in several countries (alwatan.om, alwatan.sy)."""
    label, _, suffix = registered_domain(host).partition(".")
    outlets = _by_label().get(label, ())
    names = {o.name for o in outlets}
    if len(names) == 1:
        return outlets[0]
    country = suffix.rsplit(".", 1)[-1].upper()
    local = [o for o in outlets if o.country == country]
    return local[0] if len({o.name for o in local}) == 1 else None


def resolve_source(url: str | None, stated: str | None, lines: Sequence[PageLine] = (), site_name: str | None = None) -> str | None:
    """The page's outlet from its URL, the outlet it states, the names it may give itself in its
    lines (name_candidates, looked for only when the domain is unknown) and an HTML page's declared
    site name, by the rule of the module docstring."""
    host = url_host(url)
    if host is None:
        return stated
    assert url is not None
    record = outlet_record(url)
    stated_is_agency = bool(stated and agency_name(stated))
    if record is not None and record.kind != "aggregator":
        return record.name
    vouched = bool(stated and not stated_is_agency and (known_outlet(stated) or shaped_like_outlet(stated)))
    if record is not None:
        if vouched:
            return stated
        via_path = aggregated_outlet(url, record)
        if via_path is not None:
            return via_path.name
        return stated or record.name
    if stated and not stated_is_agency and (vouched or matches_domain(stated, host)):
        return stated
    sibling = sibling_outlet(host)
    if sibling is not None and sibling.kind != "aggregator":
        return sibling.name
    if site_name and _plausible(_clean(site_name)) and not agency_name(site_name):
        return _clean(site_name)
    named = next((name for name in name_candidates(lines) if not agency_name(name) and matches_domain(name, host)), None)
    return named or registered_domain(host)
