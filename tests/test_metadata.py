"""Publication dates stated in pages: every date form parse_date reads, and which line of a page gives the page's date.

The pages are written for these tests in the shape of real Arabic news pages
(navigation, headline, stamp lines, bylines, body, related links).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from khabar.transforms.text.metadata import (
    PageLine,
    agency_name,
    choose_published,
    find_dates,
    parse_date,
    stated_weekday,
)
from khabar.transforms.text.page_lines import extract_text_page

P1 = "أعلنت وزارة الزراعة، اليوم، عن خطة جديدة لدعم صغار المزارعين في المحافظات الجنوبية تشمل قروضا ميسرة وبذورا محسنة ومعدات ري حديثة."
P2 = (
    "وقال الوزير في مؤتمر صحفي إن الخطة ستنفذ على ثلاث مراحل خلال العامين المقبلين بالتعاون مع البنوك الزراعية والجمعيات التعاونية المحلية."
)
P3 = "وأضاف أن المرحلة الأولى تستهدف عشرة آلاف مزارع، على أن تتوسع لاحقا لتشمل مناطق أخرى بحسب نتائج التقييم الذي تجريه لجان متخصصة."


def day(text: str) -> str | None:
    found = parse_date(text)
    return found.date().isoformat() if found else None


# ---------------------------------------------------------------- parse_date: the forms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024.05.12 | 12:52", datetime(2024, 5, 12, 12, 52, tzinfo=UTC)),
        ("2024.05.12 | 12:52 دمشق", datetime(2024, 5, 12, 9, 52, tzinfo=UTC)),  # Damascus, UTC+3
        ("2025-09-30T08:15", datetime(2025, 9, 30, 8, 15, tzinfo=UTC)),
        ("٠٤ نوفمبر ٢٠١٨ - ٠١:٠٠ م", datetime(2018, 11, 4, 13, 0, tzinfo=UTC)),  # Arabic-Indic digits, afternoon
        ("10:23 مساءً / 29 يناير، 2026", datetime(2026, 1, 29, 22, 23, tzinfo=UTC)),  # the time before the date
        ("14 ماي 2023على الساعة21:05", datetime(2023, 5, 14, 21, 5, tzinfo=UTC)),
        ("الأربعاء 6 مارس 2024 09:40 صباحاً", datetime(2024, 3, 6, 9, 40, tzinfo=UTC)),
        ("2024-06-01 18:00 +03:00", datetime(2024, 6, 1, 15, 0, tzinfo=UTC)),
    ],
)
def test_dates_with_times_in_utc(text: str, expected: datetime) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # month pairs of the two traditions, both orders, with a slash or brackets
        ("12 أيار/مايو 2024", "2024-05-12"),
        ("12 مايو/أيار 2024", "2024-05-12"),
        ("3 تشرين الأول (أكتوبر) 2023", "2023-10-03"),
        ("21 كانون الثاني/يناير 2025", "2025-01-21"),
        ("١٢ أيار/مايو ٢٠٢٤", "2024-05-12"),
        # day of the month spelled out with من / the year with عام
        ("5 من شهر آب عام 2022", "2022-08-05"),
        # English
        ("تاريخ النشر: 17th, April 2024 GMT", "2024-04-17"),
        ("March 3, 2024", "2024-03-03"),
        # numeric, day first
        ("9-9-2023", "2023-09-09"),
        ("عرب وعالم2-6-2022 | 16:23", "2022-06-02"),
    ],
)
def test_date_forms(text: str, expected: str) -> None:
    assert day(text) == expected


MAGHREB = ["يناير", "فبراير", "مارس", "أبريل", "ماي", "يونيو", "يوليوز", "غشت", "شتنبر", "أكتوبر", "نونبر", "دجنبر"]
ALGERIA = ["جانفي", "فيفري", "مارس", "أفريل", "ماي", "جوان", "جويلية", "أوت", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"]
LEVANT = ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول"]
EGYPT = ["يناير", "فبراير", "مارس", "إبريل", "مايو", "يونيه", "يوليه", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"]


@pytest.mark.parametrize("names", [MAGHREB, ALGERIA, LEVANT, EGYPT], ids=["maghreb", "algeria", "levant", "egypt"])
def test_every_month_name_of_every_tradition(names: list[str]) -> None:
    for number, name in enumerate(names, start=1):
        assert day(f"السبت 7 {name} 2022 - 13:28") == f"2022-{number:02d}-07", name


def test_hijri_next_to_gregorian_takes_the_gregorian_and_hijri_alone_gives_nothing() -> None:
    assert day("الخميس 01 يناير 2026 م - 11 رجب 1447 هـ") == "2026-01-01"
    assert day("الثلاثاء 11 جمادى الآخرة 1447هـ الموافق 2 ديسمبر 2025م") == "2025-12-02"
    assert day("الجمعة 15 شعبان 1446 هـ") is None
    assert day("1447/06/11 هـ") is None


def test_partial_or_impossible_dates_are_no_dates() -> None:
    assert day("date 2021-02 غرد الأمير عبر حسابه") is None  # no day
    assert day("الموسم 2026-2027") is None
    assert day("31 فبراير 2024") is None
    assert day("في عام 2024") is None


def test_a_month_name_must_be_a_whole_word() -> None:
    assert day("فاز 3 مارسيليين 2024") is None


def test_find_dates_returns_every_date_in_order_with_its_day() -> None:
    hits = find_dates("من 3 مايو 2024 إلى 2024-06-10")
    assert [h.when.date().isoformat() for h in hits] == ["2024-05-03", "2024-06-10"]
    assert hits[0].day.weekday() == 4  # a Friday


@pytest.mark.parametrize(
    ("credit", "name"),
    [
        ("أ ف ب", "فرانس برس"),
        ("أ.ف.ب", "فرانس برس"),
        ("فرانس برس", "فرانس برس"),
        ("أ ش أ", "وكالة أنباء الشرق الأوسط (أ ش أ)"),
        ("و.م.ع", "وكالة المغرب العربي للأنباء (ومع)"),
        ("ومع", "وكالة المغرب العربي للأنباء (ومع)"),
        ("واج", "وكالة الأنباء الجزائرية (واج)"),
        ("تاب", "وكالة تونس إفريقيا للأنباء (وات)"),
        ("وات", "وكالة تونس إفريقيا للأنباء (وات)"),
        ("واس", "وكالة الأنباء السعودية (واس)"),
        ("وام", "وكالة أنباء الإمارات (وام)"),
        ("قنا", "وكالة الأنباء القطرية (قنا)"),
        ("كونا", "وكالة الأنباء الكويتية (كونا)"),
        ("بترا", "وكالة الأنباء الأردنية (بترا)"),
        ("وفا", "وكالة الأنباء والمعلومات الفلسطينية (وفا)"),
        ("سبأ", "وكالة الأنباء اليمنية (سبأ)"),
        ("واع", "وكالة الأنباء العراقية (واع)"),
        ("الأناضول", "الأناضول"),
        ("رويترز", "رويترز"),
        ("وكالات", None),
        ("محمد علي", None),
    ],
)
def test_agency_lexicon_full_names_and_abbreviations(credit: str, name: str | None) -> None:
    assert agency_name(credit) == name


# ---------------------------------------------------------------- the page's date


def published(text: str) -> str | None:
    found = extract_text_page(text).published_at
    return found.date().isoformat() if found else None


def page(*lines: str) -> str:
    return "\n".join(lines) + "\n"


NAV = ("الرئيسية", "سياسة", "اقتصاد", "رياضة")
TITLE = "الحكومة تطلق خطة وطنية لدعم صغار المزارعين"


def test_the_stamp_between_headline_and_body_is_the_date_not_an_event_date_in_a_sentence() -> None:
    event = "وكان الوزير قد أعلن عن الخطة لأول مرة خلال المؤتمر الذي عقد في 21 أكتوبر 2023 بحضور ممثلين عن المزارعين والجمعيات."
    text = page(*NAV, TITLE, "الأحد 12 مايو 2024 - 10:30", "بقلم: سعاد الحسيني", P1, P2, event, P3)
    assert published(text) == "2024-05-12"
    # with no stamp, the event date stays an event date
    assert published(page(*NAV, TITLE, P1, P2, event, P3)) is None


@pytest.mark.parametrize(
    "stamp",
    [
        "نشر في: 12/05/2024 - 10:30",
        "نشر بتاريخ 12 مايو 2024",
        "تاريخ النشر: 12th, May 2024 GMT",
        "آخر تحديث: 12 مايو 2024 - 18:05",
        "date 2024-05-12",
        "نشر في 2024.05.12 | 12:52",
    ],
)
def test_marker_lines(stamp: str) -> None:
    assert published(page(*NAV, TITLE, stamp, P1, P2, P3)) == "2024-05-12"


def test_a_marker_line_wins_over_a_plain_stamp_and_a_publication_over_an_update() -> None:
    text = page(TITLE, "آخر تحديث: 14 مايو 2024", "الإثنين 13 مايو 2024", "تاريخ النشر: 12 مايو 2024", P1, P2, P3)
    assert published(text) == "2024-05-12"
    assert published(page(TITLE, "الإثنين 13 مايو 2024", "آخر تحديث: 14 مايو 2024", P1, P2, P3)) == "2024-05-14"


def test_a_date_metadata_prefix_on_the_first_paragraph() -> None:
    assert published(page(" date 2025-09-30 " + P1, P2, P3)) == "2025-09-30"


def test_the_site_clock_above_the_headline_is_not_the_articles_date() -> None:
    clock = "الخميس 30 أكتوبر 2025 الرباط المغرب"
    assert published(page(clock, *NAV, TITLE, P1, P2, P3)) is None
    assert published(page(clock, *NAV, TITLE, "29 أكتوبر 2025 22:19", P1, P2, P3)) == "2025-10-29"


def test_a_stamp_with_no_letters_counts() -> None:
    assert published(page(TITLE, "07/10/2024 - 20:36", P1, P2, P3)) == "2024-10-07"


def test_a_body_line_counts_only_when_it_starts_with_a_dateline() -> None:
    lead = "الرباط 9-9-2023 (ومع) - " + P1
    assert published(page(TITLE, lead, P2, P3)) == "2023-09-09"
    byline = "سمير العلوي - القاهرة في الأربعاء 20 ديسمبر 2023 10:32 صباحاً - " + P1
    assert published(page(TITLE, byline, P2, P3)) == "2023-12-20"
    sentence = "وقال رئيس الاتحاد المحلي لجمعيات المزارعين في تصريح صحفي إن الاجتماع المقبل سيعقد يوم 21 أكتوبر 2023 - " + P2
    assert published(page(TITLE, P1, sentence, P3)) is None


def test_today_with_a_weekday_gives_no_date_without_a_full_date() -> None:
    body = "افتتح وزير الثقافة مساء اليوم السبت فعاليات معرض الكتاب في دورته الجديدة بمشاركة مئات الناشرين من الدول العربية والأجنبية."
    assert published(page(*NAV, TITLE, body, P2, P3)) is None


def test_today_with_a_weekday_picks_the_stated_date_that_agrees() -> None:
    body = "افتتح وزير الثقافة مساء اليوم السبت فعاليات معرض الكتاب في دورته الجديدة بمشاركة مئات الناشرين من الدول العربية والأجنبية."
    stamps = ("الجمعة 10 مايو 2024", "السبت 11 مايو 2024")  # a print date, then the web date
    assert published(page(TITLE, *stamps, body, P2, P3)) == "2024-05-11"
    assert published(page(TITLE, *stamps, P1, P2, P3)) == "2024-05-10"  # no weekday stated: the first stamp
    yesterday = "وكان الوزير قد افتتح أمس الجمعة جناح الطفل في المعرض بحضور عدد من الكتاب والرسامين والناشرين العرب والأجانب."
    assert published(page(TITLE, *stamps, yesterday, P2, P3)) == "2024-05-11"


def test_stated_weekday_reads_today_and_yesterday() -> None:
    lines = [PageLine("عنوان الخبر", "title"), PageLine("أعلنت الوزارة صباح اليوم الثلاثاء عن النتائج", "body")]
    assert stated_weekday(lines) == 1  # Tuesday
    assert stated_weekday([PageLine("وقال أمس الأحد إن الخطة جاهزة", "body")]) == 0  # today is Monday


def test_embedded_posts_and_teasers_give_no_date() -> None:
    tweet = "— وزارة الزراعة (@agri_ministry) October 3, 2021"
    assert published(page(TITLE, P1, tweet, P2, P3)) is None
    teasers = page(TITLE, P1, P2, P3, "اقرأ أيضا: معرض للتمور يوم 5 نوفمبر 2024")
    assert published(teasers) is None


def test_choose_published_on_lines() -> None:
    lines = [
        PageLine("الخميس 30 أكتوبر 2025", "header", above_title=True, removed_as="header"),
        PageLine(TITLE, "title"),
        PageLine("29 أكتوبر 2025 22:19", "header", removed_as="header"),
        PageLine(P1, "body"),
    ]
    assert choose_published(lines) == datetime(2025, 10, 29, 22, 19, tzinfo=UTC)
    assert choose_published(lines[:2] + lines[3:]) is None


def test_with_a_given_title_the_line_repeating_it_is_the_headline() -> None:
    clock = "الخميس 30 أكتوبر 2025 الرباط المغرب"
    text = page(clock, *NAV, TITLE, P1, P2, P3)
    assert extract_text_page(text, known_title=TITLE).published_at is None
    stamped = page(clock, *NAV, TITLE, "29 أكتوبر 2025 22:19", P1, P2, P3)
    assert extract_text_page(stamped, known_title=TITLE).published_at == datetime(2025, 10, 29, 22, 19, tzinfo=UTC)
