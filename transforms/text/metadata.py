"""Article metadata stated in the page text: publication time, source, author.

Arabic news pages state these in header lines, datelines and bylines rather
than in markup: "2024.05.12 | 12:52 دمشق" (local time of the named city),
"العراق/ علي جواد/ الأناضول-" (place / author / agency), "المصدر: تلفزيون سوريا",
"تلفزيون سوريا ـ وكالات", "دمشق (رويترز) -". Pure functions over lines.

Dates (parse_date): day-month-year with the month in figures or named, in
either tradition and in the Maghreb's (يناير / كانون الثاني / جانفي; ماي,
يوليوز, غشت, شتنبر, نونبر, دجنبر ...), alone or as a slash pair ("أيار/مايو",
"مايو/أيار", "أيار (مايو)"); year-month-day ("2024.05.12 | 12:52",
"2025-09-30T08:00"); English month names with ordinals ("17th, April 2024");
Arabic-Indic and Persian digits. A Hijri date is never read: next to a
Gregorian one ("11 رجب 1447 هـ" beside "01 يناير 2026 م", "... هـ الموافق 2
ديسمبر 2025م") the Gregorian one is taken; a Hijri date alone gives no date
(the tabular Islamic calendar differs from the Umm al-Qura and sighted
calendars pages follow by a day or two, so a converted day would often be
wrong). A date needs its day, month and year: "2021-02" is no date.

The publication date of a page (choose_published) is chosen among its lines
by where and how each states one, never from the run date:

1. a line led by a publication marker: "date 2025-09-30" metadata lines,
   "تاريخ النشر", "نشر في", "نشر بتاريخ", "published";
2. a line led by an update marker ("آخر تحديث", "تم التحديث", "updated");
3. a date stamp: a short line outside the body that is essentially a date
   (weekday, date, time, a section or place name, a byline); stamps between
   the headline and the body first, then stamps inside the body run. A
   stamp above the headline is not taken: there sites print the day's date
   (their clock, not the article's) and teasers of other articles;
4. a body line that starts with a dateline carrying the date ("مراكش
   9-9-2023 وفا-", "القاهرة في الأربعاء 20 ديسمبر 2023 10:32 صباحاً -").

Dates inside body sentences are about events ("the match on 21 October
2023", "اليوم الثلاثاء 23 شتنبر 2025 ...") and are not taken; embedded posts
("— name (@handle) October 3, 2021") and teaser, template or repeated lines
are skipped. A weekday given as today's ("مساء اليوم السبت", "أمس الجمعة" for
Saturday) resolves to a date only through a full date stated on the page
that agrees with it: among the candidates of the best rank, one whose
weekday agrees is preferred; with no full date on the page there is no date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from khabar.transforms.text.normalize import normalize_text

# Cities that datelines name, with their time zone (normalized spelling).
CITY_ZONES: dict[str, str] = {
    normalize_text(name): zone
    for names, zone in [
        ("دمشق حلب حمص اللاذقية ادلب إدلب درعا سوريا", "Asia/Damascus"),
        ("بغداد البصرة الموصل أربيل اربيل النجف كربلاء العراق", "Asia/Baghdad"),
        ("بيروت طرابلس_لبنان صيدا لبنان", "Asia/Beirut"),
        ("عمان الأردن الاردن", "Asia/Amman"),
        ("القاهرة الإسكندرية الاسكندرية مصر", "Africa/Cairo"),
        ("الرياض جدة مكة السعودية", "Asia/Riyadh"),
        ("الدوحة قطر", "Asia/Qatar"),
        ("دبي أبوظبي ابوظبي الإمارات الامارات", "Asia/Dubai"),
        ("الكويت", "Asia/Kuwait"),
        ("المنامة البحرين", "Asia/Bahrain"),
        ("مسقط عمان_سلطنة", "Asia/Muscat"),
        ("صنعاء عدن اليمن", "Asia/Aden"),
        ("القدس غزة رام_الله الخليل نابلس فلسطين", "Asia/Gaza"),
        ("طرابلس بنغازي ليبيا", "Africa/Tripoli"),
        ("تونس", "Africa/Tunis"),
        ("الجزائر", "Africa/Algiers"),
        ("الرباط الدار_البيضاء المغرب", "Africa/Casablanca"),
        ("الخرطوم السودان", "Africa/Khartoum"),
        ("أنقرة انقرة إسطنبول اسطنبول تركيا", "Europe/Istanbul"),
        ("طهران إيران ايران", "Asia/Tehran"),
    ]
    for name in (n.replace("_", " ") for n in names.split())
}

MONTHS: dict[str, int] = {
    normalize_text(name): number
    for number, names in enumerate(
        [
            "يناير كانون_الثاني جانفي january jan",
            "فبراير شباط فيفري فبرير february feb",
            "مارس آذار اذار march mar",
            "أبريل ابريل إبريل نيسان أفريل افريل april apr",
            "مايو أيار ايار ماي may",
            "يونيو يونيه حزيران جوان june jun",
            "يوليو يوليه تموز يوليوز جويلية july jul",
            "أغسطس اغسطس آب اب غشت أوت اوت august aug",
            "سبتمبر أيلول ايلول شتنبر september sep sept",
            "أكتوبر اكتوبر تشرين_الأول october oct",
            "نوفمبر تشرين_الثاني نونبر november nov",
            "ديسمبر كانون_الأول دجنبر december dec",
        ],
        start=1,
    )
    for name in (n.replace("_", " ") for n in names.split(" "))
}
# Two-word month names first so "كانون الثاني" is not read as "كانون".
_MONTH_ALT = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_MONTH = r"(?:" + _MONTH_ALT + r")(?![^\W\d_])"  # a whole word: "مارس" but not "مارسيليا"

# Weekdays, Monday = 0 as datetime.weekday() counts (normalized spelling).
WEEKDAYS: dict[str, int] = {
    normalize_text(name): number
    for number, names in enumerate(
        [
            "الاثنين الإثنين اثنين",
            "الثلاثاء ثلاثاء",
            "الأربعاء الاربعاء اربعاء",
            "الخميس خميس",
            "الجمعة جمعة",
            "السبت سبت",
            "الأحد الاحد احد",
        ]
    )
    for name in names.split()
}
_WEEKDAY_ALT = "|".join(sorted((re.escape(w) for w in WEEKDAYS), key=len, reverse=True))

_AMPM = r"(?P<ampm>صباحا|مساء|ص|م|[ap]\.?m\.?)(?![^\W\d_])"
_TIME = r"(?:\s*(?:[|،,\-–@]|على الساعة|الساعة)?\s*(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::\d{2})?\s*(?:" + _AMPM + r")?)?"
_LOOSE_TIME = re.compile(
    r"(?<![\d:])(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)(?::\d{2})?(?![\d:])\s*(?P<ampm>صباحا|مساء|ص|م|[ap]\.?m\.?)?(?![^\W\d_])",
    re.I,
)
_ZONE = r"(?:\s*(?:GMT|UTC|بتوقيت غرينتش|ت\.?غ)?\s*(?P<offset>[+-]\d{1,2}(?::?\d{2})?))?"
_DIGIT = re.compile(r"\d")  # any script's decimal digits, before normalization
_YEAR = r"(?P<year>(?:19|20)\d{2})(?!\d)"
_ANY_YEAR = re.compile(r"(?:19|20)\d{2}")  # in every match of _DATE_PATTERNS
_DATE_PATTERNS = [
    re.compile(
        r"(?<!\d)(?P<year>(?:19|20)\d{2})[./\-](?P<month>\d{1,2})[./\-](?P<day>\d{1,2})(?!\d)(?:T(?P<thour>\d{2}):(?P<tminute>\d{2}))?"
        + _TIME
        + _ZONE,
        re.I,
    ),
    re.compile(r"(?<![\d.])(?P<day>\d{1,2})[./\-](?P<month>\d{1,2})[./\-]" + _YEAR + _TIME + _ZONE, re.I),
    re.compile(
        r"(?<!\d)(?P<day>\d{1,2})(?:st|nd|rd|th)?\s*,?\s*(?:من\s+)?(?:شهر\s+)?(?P<mname>"
        + _MONTH
        + r")(?:\s*[/(]\s*"
        + _MONTH
        + r"\s*\)?)?\s*,?\s*(?:من\s+)?(?:عام\s+|سنة\s+)?"
        + _YEAR
        + _TIME
        + _ZONE,
        re.I,
    ),
    re.compile(
        r"(?P<mname>" + _MONTH + r")(?:\s*/\s*" + _MONTH + r")?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+" + _YEAR + _TIME + _ZONE,
        re.I,
    ),
]
# How far from a date a time or a city may stand to belong to it (characters).
_NEAR = 30


def name_key(text: str) -> str:
    """A name's matching key: normalized, letters and digits only ("أ.ف.ب" -> "افب")."""
    return "".join(ch for ch in normalize_text(text).lower() if ch.isalnum())


# News agencies: the name a credit gets, then the ways pages write it.
AGENCY_ALIASES: dict[str, tuple[str, ...]] = {
    "رويترز": ("رويترز", "reuters"),
    "فرانس برس": ("فرانس برس", "وكالة فرانس برس", "الفرنسية", "وكالة الصحافة الفرنسية", "أ ف ب", "ا ف ب", "أ.ف.ب", "AFP"),
    "الأناضول": ("الأناضول", "وكالة الأناضول", "الاناضول"),
    "أسوشيتد برس": ("أسوشيتد برس", "اسوشيتد برس", "الأسوشيتد برس", "أسوشيتدبرس", "أ ب", "AP"),
    "د ب أ": ("د ب أ", "د.ب.أ", "الوكالة الألمانية", "وكالة الأنباء الألمانية", "dpa"),
    "سبوتنيك": ("سبوتنيك",),
    "شينخوا": ("شينخوا", "وكالة شينخوا", "وكالة أنباء شينخوا"),
    "وكالة الأنباء السعودية (واس)": ("واس", "وكالة الأنباء السعودية", "الأنباء السعودية", "SPA"),
    "وكالة أنباء الإمارات (وام)": ("وام", "وكالة أنباء الإمارات", "أنباء الإمارات", "WAM"),
    "وكالة الأنباء القطرية (قنا)": ("قنا", "وكالة الأنباء القطرية", "الأنباء القطرية", "QNA"),
    "وكالة الأنباء الكويتية (كونا)": ("كونا", "وكالة الأنباء الكويتية", "الأنباء الكويتية", "KUNA"),
    "وكالة أنباء البحرين (بنا)": ("بنا", "وكالة أنباء البحرين", "أنباء البحرين"),
    "وكالة الأنباء العمانية": ("العمانية", "وكالة الأنباء العمانية", "الأنباء العمانية", "ONA"),
    "وكالة الأنباء الأردنية (بترا)": ("بترا", "وكالة الأنباء الأردنية", "الأنباء الأردنية"),
    "وكالة الأنباء والمعلومات الفلسطينية (وفا)": ("وفا", "وكالة وفا", "وكالة الأنباء والمعلومات الفلسطينية", "WAFA"),
    "وكالة معا": ("معا", "وكالة معا"),
    "وكالة الأنباء اليمنية (سبأ)": ("سبأ", "سبا", "وكالة سبأ", "وكالة الأنباء اليمنية", "الأنباء اليمنية"),
    "وكالة المغرب العربي للأنباء (ومع)": ("ومع", "و.م.ع", "و م ع", "لاماب", "وكالة المغرب العربي للأنباء", "MAP"),
    "وكالة الأنباء الجزائرية (واج)": ("واج", "وكالة الأنباء الجزائرية", "الأنباء الجزائرية", "APS"),
    "وكالة تونس إفريقيا للأنباء (وات)": ("وات", "تاب", "وكالة تونس إفريقيا للأنباء", "وكالة تونس أفريقيا للأنباء", "TAP"),
    "وكالة أنباء الشرق الأوسط (أ ش أ)": ("أ ش أ", "ا ش ا", "أ.ش.أ", "وكالة أنباء الشرق الأوسط", "MENA"),
    "الوكالة العربية السورية للأنباء (سانا)": ("سانا", "الأنباء السورية", "الوكالة العربية السورية للأنباء", "SANA"),
    "وكالة الأنباء العراقية (واع)": ("واع", "الأنباء العراقية", "وكالة الأنباء العراقية", "INA"),
    "الوكالة الوطنية للإعلام": ("الوكالة الوطنية للإعلام", "الوطنية للإعلام", "NNA"),
    "وكالة الأنباء الليبية (وال)": ("وال", "وكالة الأنباء الليبية", "الأنباء الليبية"),
    "وكالة السودان للأنباء (سونا)": ("سونا", "وكالة السودان للأنباء"),
    "الوكالة الموريتانية للأنباء": ("الوكالة الموريتانية للأنباء", "الموريتانية للأنباء"),
    "وكالة الجمهورية الإسلامية للأنباء (إرنا)": ("إرنا", "ارنا", "IRNA"),
    "وكالة تسنيم": ("تسنيم", "وكالة تسنيم"),
    "وكالة فارس": ("فارس", "وكالة فارس"),
    "وكالة مهر": ("مهر", "وكالة مهر"),
    "وكالة صفا": ("صفا", "وكالة صفا"),
}
_AGENCY_BY_KEY: dict[str, str] = {name_key(alias): name for name, aliases in AGENCY_ALIASES.items() for alias in (name, *aliases)}
# The normalized spellings (kept for callers that test membership).
AGENCIES = frozenset(normalize_text(alias) for name, aliases in AGENCY_ALIASES.items() for alias in (name, *aliases))


@lru_cache(maxsize=1 << 15)  # credits, section names and site names repeat across a site's pages
def agency_name(text: str | None) -> str | None:
    """The agency a credit names ("أ.ف.ب", "(واس)", "وكالة الأنباء السعودية"), as AGENCY_ALIASES names it, or None."""
    if not text:
        return None
    key = name_key(text)
    if key in _AGENCY_BY_KEY:
        return _AGENCY_BY_KEY[key]
    if key.startswith("ال") and key[2:] in _AGENCY_BY_KEY and len(key) > 5:
        return _AGENCY_BY_KEY[key[2:]]
    return None


_SOURCE_LINE = re.compile(
    r"^\s*(?:المصدر|مصدر الخبر|المصدر الأصلي|نقلا عن|نقلاً عن|source)\s*[:：]\s*(?P<name>[^\n]{2,60}?)\s*[.،,]?\s*$", re.I
)
_BYLINE = re.compile(r"^\s*(?P<place>[^/\n]{2,25})/\s*(?P<author>[^/\n]{3,40}?)\s*/\s*(?P<agency>[^/\n\-–ـ]{2,30}?)\s*[-–ـ]")
_PAREN_AGENCY = re.compile(r"^\s*[^\s()]{2,20}(?:\s[^\s()]{2,20})?\s*\((?P<agency>[^()]{2,30})\)\s*[-–ـ]")
_CREDIT = re.compile(r"^\s*(?P<name>[^\n\-–ـ|]{3,40}?)\s*[-–ـ|]\s*(?:وكالات|agencies)\s*\)?\s*$", re.I)
_AUTHOR_LINE = re.compile(r"^\s*(?:بقلم|كتب|كتبت|إعداد|اعداد|تحرير|by)\s*[:：]?\s*(?P<name>[^\n]{3,40}?)\s*$", re.I)


@dataclass(frozen=True)
class Byline:
    place: str | None = None
    author: str | None = None
    agency: str | None = None


@dataclass(frozen=True)
class DateHit:
    """A date found in a line: the time in UTC, where it stands in the normalized line, and whether a time was given."""

    when: datetime
    start: int
    end: int
    has_time: bool
    day: datetime  # the stated calendar day (local), for weekday checks


def _zone_for(text: str) -> ZoneInfo | None:
    for word in text.replace("|", " ").split():
        zone = CITY_ZONES.get(word.strip("()-–,."))
        if zone:
            return ZoneInfo(zone)
    return None


def find_dates(line: str, default_zone: ZoneInfo | None = None) -> list[DateHit]:
    """Every full date stated in a line, in order (positions in normalize_text(line))."""
    if len(_DIGIT.findall(line)) < 4:
        return []  # every pattern has a four-digit year; most lines have none
    return _dates_in(normalize_text(line), default_zone)


def _dates_in(text: str, default_zone: ZoneInfo | None = None) -> list[DateHit]:
    """find_dates of a text already normalized."""
    if not _ANY_YEAR.search(text):
        return []  # one scan for what every pattern needs, instead of one a pattern
    hits: list[DateHit] = []
    taken: list[tuple[int, int]] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            hit = _hit(text, match, default_zone)
            if hit is not None:
                hits.append(hit)
                taken.append((match.start(), match.end()))
    return sorted(hits, key=lambda h: h.start)


def _hit(text: str, match: re.Match[str], default_zone: ZoneInfo | None) -> DateHit | None:
    parts = match.groupdict()
    try:
        month = int(parts["month"]) if parts.get("month") else MONTHS[parts["mname"].lower()]
        hour_text = parts.get("hour") or parts.get("thour")
        minute_text = parts.get("minute") or parts.get("tminute")
        ampm = (parts.get("ampm") or "").lower()
        if hour_text is None:
            after = _LOOSE_TIME.search(text, match.end(), match.end() + _NEAR)
            before = _LOOSE_TIME.search(text, max(0, match.start() - _NEAR), match.start())
            loose = after or before
            if loose:
                hour_text, minute_text, ampm = loose["hour"], loose["minute"], (loose["ampm"] or "").lower()
        has_time = hour_text is not None
        hour, minute = int(hour_text or 0), int(minute_text or 0)
        if ampm.startswith(("م", "p")) and hour < 12:
            hour += 12
        elif ampm.startswith(("ص", "a")) and hour == 12:
            hour = 0
        local = datetime(int(parts["year"]), month, int(parts["day"]), hour, minute)
    except (ValueError, KeyError):
        return None
    offset = parts.get("offset")
    hours = minutes = 0
    if offset:
        digits = offset[1:].replace(":", "")
        hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    tz: ZoneInfo | timezone
    if offset and has_time and hours <= 14 and minutes < 60:
        tz = timezone((-1 if offset.startswith("-") else 1) * timedelta(hours=hours, minutes=minutes))
    elif not has_time:
        tz = UTC
    else:
        near = text[max(0, match.start() - _NEAR) : match.end() + _NEAR]
        tz = _zone_for(near) or default_zone or UTC
    return DateHit(local.replace(tzinfo=tz).astimezone(UTC), match.start(), match.end(), has_time, local)


def parse_date(line: str, default_zone: ZoneInfo | None = None) -> datetime | None:
    """First publication time stated in a line, in UTC, or None.

    Local times are read in the zone of a city named next to the date
    ("12:52 دمشق" is Damascus time), else an explicit offset, else
    default_zone, else UTC. A date without a time is midnight UTC of that
    day, so the stated date never shifts.
    """
    hits = find_dates(line, default_zone)
    return hits[0].when if hits else None


def parse_byline(line: str) -> Byline | None:
    """'العراق/ علي جواد/ الأناضول-' or 'دمشق (رويترز) -' at the start of a line."""
    match = _BYLINE.match(line)
    if match:
        return Byline(match["place"].strip(), match["author"].strip(), match["agency"].strip())
    match = _PAREN_AGENCY.match(line)
    if match and agency_name(match["agency"]):
        return Byline(agency=match["agency"].strip())
    return None


def source_from_line(line: str) -> str | None:
    """Outlet named by a credit line: 'المصدر: X' or 'X ـ وكالات'."""
    for pattern in (_SOURCE_LINE, _CREDIT):
        match = pattern.match(line)
        if match:
            return match["name"].strip().strip("\"'“”«»")
    return None


def author_from_line(line: str) -> str | None:
    match = _AUTHOR_LINE.match(line)
    return match["name"].strip() if match else None


def is_date_line(line: str) -> bool:
    """A short line that is essentially a date stamp."""
    return len(line.split()) <= 8 and parse_date(line) is not None


# ---------------------------------------------------------------- the page's date

_PUBLISHED_MARKER = re.compile(
    r"^\W{0,3}(?:date|تاريخ النشر|تاريخ الخبر|تاريخ|نشر في|نشر بتاريخ|نشر يوم|نشر|منشور في|تم النشر|published(?: on| at)?|posted(?: on)?)(?![^\W\d_])\s*[:：]?\s*",
    re.I,
)
_UPDATED_MARKER = re.compile(
    r"^\W{0,3}(?:اخر تحديث|اخر تعديل|تم التحديث|تحديث|updated(?: on| at)?|last updated?)(?![^\W\d_])\s*[:：]?\s*", re.I
)
# Embedded posts: "— name (@handle) October 3, 2021", "pic.twitter.com/..."
_EMBED = re.compile(r"\(@\w+\)|pic\.twitter\.com|twitter\.com/|x\.com/\w+/status", re.I)
_TODAY_WEEKDAY = re.compile(r"(?<![^\W\d_])(?P<rel>اليوم|امس|يوم امس)\s+(?:ال)?(?P<weekday>" + _WEEKDAY_ALT + r")(?![^\W\d_])")
# Stamps carry few words besides the date: a weekday, "م"/"هـ", a section, a place, a byline.
_STAMP_MAX_WORDS = 14
_SKIPPED = frozenset({"teaser", "template", "repeated_line"})  # junk stays: "07/10/2024 - 20:36" has no letters


@dataclass(frozen=True, slots=True)
class PageLine:
    """A line of a classified page, as choose_published sees it.

    place: 'title', 'header' (above the body, not the headline), 'body',
    'inner' (not body, between body lines) or 'footer' (below the body);
    above_title: a header line above the headline; removed_as: the
    classifier's reason for a line it dropped ('' for body and title).
    """

    text: str
    place: str
    above_title: bool = False
    removed_as: str = ""


# A marker, a dateline and their date stand at the start of a line: only this much of it is read.
_HEAD = 160
LEAD_PARAGRAPHS = 3  # body paragraphs the metadata rules read (datelines, credits, today's weekday): later ones tell the story


def _has_year(text: str) -> bool:
    return len(_DIGIT.findall(text)) >= 4


@lru_cache(maxsize=64)  # the rules below read one line's head in turn: normalize it once
def _normalized_head(text: str) -> str:
    return normalize_text(text[:_HEAD])


def _after_marker(text: str, marker: re.Pattern[str]) -> DateHit | None:
    """The date right after a marker ("نشر في"); text: a line whose head has four digits (date_candidates)."""
    norm = _normalized_head(text)
    match = marker.match(norm)
    if not match:
        return None
    hits = find_dates(norm[match.end() :])
    return hits[0] if hits and hits[0].start <= 3 else None


def _dateline_date(text: str) -> DateHit | None:
    """The date of a line that starts with a dateline: the date within its first seven words, then (after at most three
    words: an agency, a time) a dash or a colon; text: a line whose head has four digits (date_candidates)."""
    norm = _normalized_head(text)
    hits = _dates_in(norm)  # find_dates(head), the head normalized once for this rule and the markers'
    if not hits:
        return None
    hit = hits[0]
    if len(norm[: hit.start].split()) > 7:
        return None
    rest = norm[hit.end :]
    if hit.start == 0 or re.match(r"^(?:\s*[^\s\-–—:]+){0,3}\s*[-–—:]", rest):
        return hit
    return None


def stated_weekday(lines: Sequence[PageLine]) -> int | None:
    """The weekday the page gives as today's ("اليوم السبت"; "أمس الجمعة" -> Saturday), from the headline and the first body lines."""
    seen = 0
    for line in lines:
        if line.place not in ("title", "body"):
            continue
        if line.place == "body":
            seen += 1
            if seen > LEAD_PARAGRAPHS:
                break
        match = _TODAY_WEEKDAY.search(normalize_text(line.text))
        if match:
            day = WEEKDAYS[match["weekday"]]
            return day if match["rel"] == "اليوم" else (day + 1) % 7
    return None


def date_candidates(lines: Sequence[PageLine]) -> list[tuple[int, int, DateHit]]:
    """(rank, line position, date) of every line that states the page's date; lower ranks are better."""
    out: list[tuple[int, int, DateHit]] = []
    body_lines = 0
    for position, line in enumerate(lines):
        text = line.text
        if line.place == "body":
            body_lines += 1
            if body_lines > LEAD_PARAGRAPHS:
                continue  # a dateline opens the article: later paragraphs' dates are events
        # Every form below states a four-digit year, all but a stamp line's within the line's head: most lines are
        # passed over here, a paragraph after reading its head only.
        in_head = _has_year(text[:_HEAD])
        stated = in_head or (len(text) > _HEAD and line.place in ("header", "inner") and _has_year(text))
        if not stated or line.removed_as in _SKIPPED or _EMBED.search(text):
            continue
        hit = _after_marker(text, _PUBLISHED_MARKER) if in_head else None
        if hit:
            out.append((0, position, hit))
            continue
        hit = _after_marker(text, _UPDATED_MARKER) if in_head else None
        if hit:
            out.append((1, position, hit))
            continue
        words = len(text.split())
        if line.place in ("header", "inner") and words <= _STAMP_MAX_WORDS:
            hits = find_dates(text)  # which looks for four digits first
            if hits and not line.above_title:
                out.append((3 if line.place == "inner" else 2, position, hits[0]))
            if hits:
                continue
        if in_head and (line.place == "body" or (line.place in ("header", "inner") and words > _STAMP_MAX_WORDS and not line.above_title)):
            hit = _dateline_date(text)
            if hit:
                out.append((4, position, hit))
    return out


def choose_published(lines: Sequence[PageLine]) -> datetime | None:
    """The page's publication time (UTC) from its classified lines, by the ranks of the module docstring, or None."""
    candidates = date_candidates(lines)
    if not candidates:
        return None
    candidates.sort(key=lambda c: (c[0], c[1]))
    best = [c for c in candidates if c[0] == candidates[0][0]]
    if len({c[2].day.date() for c in best}) > 1:  # stated dates disagree: the one the page's "today" agrees with
        weekday = stated_weekday(lines)
        agreeing = [c for c in best if c[2].day.weekday() == weekday]
        if agreeing:
            return agreeing[0][2].when
    return candidates[0][2].when
