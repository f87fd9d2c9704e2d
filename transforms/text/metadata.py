"""Article metadata stated in the page text: publication time, source, author.

Arabic news pages state these in header lines, datelines and bylines rather
than in markup: "2024.05.12 | 12:52 دمشق" (local time of the named city),
"العراق/ علي جواد/ الأناضول-" (place / author / agency), "المصدر: تلفزيون سوريا",
"تلفزيون سوريا ـ وكالات", "دمشق (رويترز) -". Pure functions over lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
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
            "يناير كانون_الثاني january jan",
            "فبراير شباط february feb",
            "مارس آذار اذار march mar",
            "أبريل ابريل إبريل نيسان april apr",
            "مايو أيار ايار may",
            "يونيو يونيه حزيران june jun",
            "يوليو يوليه تموز july jul",
            "أغسطس اغسطس آب اب august aug",
            "سبتمبر أيلول ايلول september sep sept",
            "أكتوبر اكتوبر تشرين_الأول october oct",
            "نوفمبر تشرين_الثاني november nov",
            "ديسمبر كانون_الأول december dec",
        ],
        start=1,
    )
    for name in (n.replace("_", " ") for n in names.split(" "))
}
# Two-word month names first so "كانون الثاني" is not read as "كانون".
_MONTH_ALT = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))

_TIME = r"(?:\s*[|،,\-–]?\s*(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::\d{2})?\s*(?P<ampm>[صمap]\.?m?\.?)?)?"
_LOOSE_TIME = re.compile(r"(?<![\d:])(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)(?![\d:])")
_ZONE = r"(?:\s*(?:GMT|UTC|بتوقيت غرينتش|ت\.?غ)?\s*(?P<offset>[+-]\d{1,2}(?::?\d{2})?))?"
_DIGIT = re.compile(r"\d")  # any script's decimal digits, before normalization
_DATE_PATTERNS = [
    re.compile(
        r"(?<!\d)(?P<year>(?:19|20)\d{2})[./\-](?P<month>\d{1,2})[./\-](?P<day>\d{1,2})(?!\d)(?:T(?P<thour>\d{2}):(?P<tminute>\d{2}))?"
        + _TIME
        + _ZONE,
        re.I,
    ),
    re.compile(r"(?<!\d)(?P<day>\d{1,2})[./\-](?P<month>\d{1,2})[./\-](?P<year>(?:19|20)\d{2})(?!\d)" + _TIME + _ZONE, re.I),
    re.compile(
        r"(?<!\d)(?P<day>\d{1,2})\s*(?:من\s+)?(?P<mname>"
        + _MONTH_ALT
        + r")(?:\s*/\s*(?:"
        + _MONTH_ALT
        + r"))?\s*,?\s*(?P<year>(?:19|20)\d{2})(?!\d)"
        + _TIME
        + _ZONE,
        re.I,
    ),
    re.compile(r"(?P<mname>" + _MONTH_ALT + r")\s+(?P<day>\d{1,2}),?\s+(?P<year>(?:19|20)\d{2})(?!\d)" + _TIME + _ZONE, re.I),
]

# Agencies and outlets that bylines and datelines credit (normalized spelling).
AGENCIES = frozenset(
    normalize_text(raw.replace("_", " "))
    for raw in [
        "الأناضول",
        "رويترز",
        "فرانس_برس",
        "أ_ف_ب",
        "ا_ف_ب",
        "د_ب_أ",
        "أسوشيتد_برس",
        "اسوشيتد_برس",
        "الأسوشيتد_برس",
        "سانا",
        "واع",
        "قنا",
        "وام",
        "واس",
        "بترا",
        "كونا",
        "معا",
        "وفا",
        "سبوتنيك",
        "شينخوا",
        "إرنا",
        "ارنا",
        "تسنيم",
        "فارس",
        "مهر",
        "الأنباء_العراقية",
        "الأنباء_السورية",
    ]
)
_AGENCY_ALT = "|".join(sorted((re.escape(a) for a in AGENCIES), key=len, reverse=True))

_SOURCE_LINE = re.compile(r"^\s*(?:المصدر|مصدر الخبر|source)\s*[:：]\s*(?P<name>[^\n]{2,60}?)\s*[.،,]?\s*$", re.I)
_BYLINE = re.compile(r"^\s*(?P<place>[^/\n]{2,25})/\s*(?P<author>[^/\n]{3,40}?)\s*/\s*(?P<agency>[^/\n\-–ـ]{2,30}?)\s*[-–ـ]")
_PAREN_AGENCY = re.compile(r"^\s*[^\s()]{2,20}(?:\s[^\s()]{2,20})?\s*\((?P<agency>[^()]{2,30})\)\s*[-–ـ]")
_CREDIT = re.compile(r"^\s*(?P<name>[^\n\-–ـ|]{3,40}?)\s*[-–ـ|]\s*(?:وكالات|agencies)\s*$", re.I)
_AUTHOR_LINE = re.compile(r"^\s*(?:بقلم|كتب|كتبت|إعداد|اعداد|تحرير|by)\s*[:：]?\s*(?P<name>[^\n]{3,40}?)\s*$", re.I)


@dataclass(frozen=True)
class Byline:
    place: str | None = None
    author: str | None = None
    agency: str | None = None


def _zone_for(line: str) -> ZoneInfo | None:
    for word in normalize_text(line).replace("|", " ").split():
        zone = CITY_ZONES.get(word.strip("()-–,."))
        if zone:
            return ZoneInfo(zone)
    return None


def parse_date(line: str, default_zone: ZoneInfo | None = None) -> datetime | None:
    """First publication time stated in a line, in UTC, or None.

    Local times are read in the zone of a city named on the same line
    ("12:52 دمشق" is Damascus time), else an explicit offset, else
    default_zone, else UTC. A date without a time is midnight UTC of that
    day, so the stated date never shifts.
    """
    if len(_DIGIT.findall(line)) < 4:
        return None  # every pattern has a four-digit year; most lines have none
    text = normalize_text(line)
    for pattern in _DATE_PATTERNS:
        match = pattern.search(text)
        if not match:
            continue
        parts = match.groupdict()
        try:
            month = int(parts["month"]) if parts.get("month") else MONTHS[parts["mname"].lower()]
            hour_text = parts.get("hour") or parts.get("thour")
            minute_text = parts.get("minute") or parts.get("tminute")
            if hour_text is None:
                loose = _LOOSE_TIME.search(text, match.end()) or _LOOSE_TIME.search(text[: match.start()])
                if loose:
                    hour_text, minute_text = loose["hour"], loose["minute"]
            has_time = hour_text is not None
            hour, minute = int(hour_text or 0), int(minute_text or 0)
            ampm = (parts.get("ampm") or "").lower()
            if ampm.startswith(("م", "p")) and hour < 12:
                hour += 12
            elif ampm.startswith(("ص", "a")) and hour == 12:
                hour = 0
            local = datetime(int(parts["year"]), month, int(parts["day"]), hour, minute)
        except (ValueError, KeyError):
            continue
        offset = parts.get("offset")
        if offset:
            sign = -1 if offset.startswith("-") else 1
            digits = offset[1:].replace(":", "")
            hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
            tz: ZoneInfo | timezone = timezone(sign * timedelta(hours=hours, minutes=minutes))
        elif not has_time:
            tz = UTC
        else:
            tz = _zone_for(line) or default_zone or UTC
        return local.replace(tzinfo=tz).astimezone(UTC)
    return None


def parse_byline(line: str) -> Byline | None:
    """'العراق/ علي جواد/ الأناضول-' or 'دمشق (رويترز) -' at the start of a line."""
    match = _BYLINE.match(line)
    if match:
        return Byline(match["place"].strip(), match["author"].strip(), match["agency"].strip())
    match = _PAREN_AGENCY.match(line)
    if match and normalize_text(match["agency"].strip()) in AGENCIES | {normalize_text(a) for a in ("أ ف ب", "د ب أ")}:
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
