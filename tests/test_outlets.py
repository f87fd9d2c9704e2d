"""Outlets: the news-domain table, URLs to outlets, outlets the page states, and the rule between them.

Pages are written for these tests in the shape of real Arabic news pages.
"""

from __future__ import annotations

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from khabar.transforms.runtime.records import Document
from khabar.transforms.strip_boilerplate import StripBoilerplate, strip_boilerplate
from khabar.transforms.text.outlets import (
    DATA,
    KINDS,
    known_outlet,
    matches_domain,
    outlet_for_url,
    outlet_record,
    registered_domain,
    resolve_source,
    table,
    url_host,
)
from khabar.transforms.text.page_lines import extract_text_page

P1 = "أعلنت وزارة الصحة، اليوم الأحد، عن إطلاق حملة وطنية للتطعيم ضد الحصبة تستهدف الأطفال دون سن الخامسة في جميع المحافظات خلال الشهر المقبل."
P2 = "وقال المتحدث باسم الوزارة في مؤتمر صحفي إن الحملة ستنفذ عبر فرق متنقلة ومراكز صحية ثابتة، داعيا الأسر إلى التعاون مع الفرق الطبية."
P3 = "وأضاف أن الوزارة وفرت أكثر من مليوني جرعة من اللقاح بدعم من منظمات دولية، وأن الحملة تأتي بعد تسجيل إصابات في عدد من المناطق الريفية."
TITLE = "وزارة الصحة تطلق حملة وطنية للتطعيم ضد الحصبة"


def page(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def stated(*lines: str) -> str | None:
    return extract_text_page(page(*lines)).source_name


# ---------------------------------------------------------------- the table


def test_the_table_is_well_formed_and_large() -> None:
    raw = DATA.read_text(encoding="utf-8").splitlines()
    assert raw[0].startswith("#") and any("To add" in line for line in raw if line.startswith("#"))
    rows = [line.split("\t") for line in raw if line.strip() and not line.startswith("#")]
    domains = [r[0] for r in rows]
    assert len(domains) == len(set(domains)), "a domain is listed twice"
    assert len(rows) >= 200
    for row in rows:
        assert len(row) == 4, row
        domain, name, country, kind = row
        assert domain == domain.lower().strip() and not domain.startswith("www.") and "." in domain
        assert name.strip() == name and name
        assert len(country) == 2 and country.isupper()
        assert kind in KINDS
    assert len(table()) == len(rows)
    assert {r[3] for r in rows} == set(KINDS)
    assert len({r[2] for r in rows}) >= 20  # outlets across the Arab world and abroad


# ---------------------------------------------------------------- URLs


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://www.aljazeera.net/news/2024/5/12/some-story", "الجزيرة نت"),
        ("https://m.youm7.com/story/2024/5/12/123", "اليوم السابع"),
        ("https://amp.hespress.com/politique/123.html", "هسبريس"),
        ("http://www.okaz.com.sa/news/local/123", "عكاظ"),
        ("https://mubasher.aljazeera.net/news/123", "الجزيرة نت"),  # a subdomain maps to its domain
        ("https://gate.ahram.org.eg/News/123.aspx", "بوابة الأهرام"),  # unless listed itself
        ("https://www.ahram.org.eg/News/123.aspx", "الأهرام"),
        ("https://sport.alanba.com.kw/x", "الأنباء"),
        ("https://www.bbc.com/arabic/articles/abc", "بي بي سي عربي"),  # a host/segment entry
        ("https://www.bbc.com/news/world-123", None),
        ("https://www.france24.com/ar/123", "فرانس 24"),
        ("https://WWW.SKYNEWSARABIA.COM:443/middle-east/123", "سكاي نيوز عربية"),
        ("https://news.example-site.com/a/1", None),
        ("/data/pages/page1.txt", None),  # a file's path is no URL
        ("file:///data/page.html", None),
        ("ftp://aljazeera.net/x", None),
        ("not a url", None),
        (None, None),
    ],
)
def test_outlet_for_url(url: str | None, name: str | None) -> None:
    assert outlet_for_url(url) == name


def test_hosts_and_registered_domains() -> None:
    assert url_host("https://www.m.example.com/x") == "example.com"
    assert url_host("https://m.example.com") == "example.com"
    assert url_host("https://www.com") == "www.com"  # a prefix is only stripped above a domain
    assert registered_domain("news.example.com") == "example.com"
    assert registered_domain("www.example.com.sa") == "example.com.sa"
    assert registered_domain("a.b.example.press.ma") == "example.press.ma"
    assert registered_domain("example.co.uk") == "example.co.uk"
    assert registered_domain("example.ma") == "example.ma"


def test_known_outlet_names_match_in_any_spelling() -> None:
    assert known_outlet("زاد الاردن الاخباري").name == "زاد الأردن الإخباري"  # type: ignore[union-attr]
    assert known_outlet("شفا").name == "شبكة فلسطين للأنباء (شفا)"  # type: ignore[union-attr]
    assert known_outlet("موقع لا يعرفه أحد") is None


def test_a_name_that_sounds_like_its_domain() -> None:
    assert matches_domain("صدى الريف", "sadaerrif.com")
    assert matches_domain("الوادي نيوز", "alwadinews.net")
    assert matches_domain("اقتصادنا", "iktissadna.ma")
    assert matches_domain("برق الشمال", "northbarq.com")
    assert not matches_domain("سمير العلوي", "alwadinews.net")
    assert not matches_domain("الرياضة", "example.com")


# ---------------------------------------------------------------- the rule


AGGREGATOR = "https://www.masress.com/youm7/123456"


@pytest.mark.parametrize(
    ("url", "stated_name", "expected"),
    [
        # a known outlet's domain: the site published it, the agency is its wire
        ("https://www.aljazeera.net/news/1", "فرانس برس", "الجزيرة نت"),
        ("https://www.aljazeera.net/news/1", "العربية", "الجزيرة نت"),
        ("https://www.aljazeera.net/news/1", None, "الجزيرة نت"),
        # an aggregator: the credited outlet first, then the outlet its path names, then an agency, then itself
        (AGGREGATOR, "الشروق", "الشروق"),
        (AGGREGATOR, None, "اليوم السابع"),
        (AGGREGATOR, "وكالة أنباء الشرق الأوسط (أ ش أ)", "اليوم السابع"),
        ("https://maghress.com/hespress/1174466", None, "هسبريس"),
        ("https://www.masress.com/unknownpaper/1", "وكالة أنباء الشرق الأوسط (أ ش أ)", "وكالة أنباء الشرق الأوسط (أ ش أ)"),
        ("https://www.masress.com/unknownpaper/1", None, "مصرس"),
        # an unknown domain: the outlet the page names when it is known, shaped like a name or sounds like the domain
        ("https://www.alwadinews.net/a/1", "فرانس برس", "alwadinews.net"),
        ("https://www.alwadinews.net/a/1", "الوادي نيوز", "الوادي نيوز"),
        ("https://www.alwadinews.net/a/1", "الوادي", "الوادي"),
        ("https://www.alwadinews.net/a/1", "سمير العلوي", "alwadinews.net"),
        ("https://news.alwadinews.net/a/1", None, "alwadinews.net"),
        ("https://www.alwadinews.net/a/1", "اليوم السابع", "اليوم السابع"),
        # no URL: what the page states
        (None, "فرانس برس", "فرانس برس"),
        ("/data/page.txt", "الوادي", "الوادي"),
        (None, None, None),
    ],
)
def test_resolve_source(url: str | None, stated_name: str | None, expected: str | None) -> None:
    assert resolve_source(url, stated_name) == expected


def test_aggregator_rows_are_flagged() -> None:
    record = outlet_record(AGGREGATOR)
    assert record is not None and record.kind == "aggregator"


# ---------------------------------------------------------------- outlets stated in the page


def test_dateline_with_an_agency_in_brackets() -> None:
    assert stated(TITLE, "دمشق (رويترز) - " + P1, P2, P3) == "رويترز"
    assert stated(TITLE, P1, P2, P3, "(واع)") == "وكالة الأنباء العراقية (واع)"
    assert stated(TITLE, "القاهرة (أ ش أ) - " + P1, P2, P3) == "وكالة أنباء الشرق الأوسط (أ ش أ)"


def test_place_then_outlet_dateline() -> None:
    assert stated(TITLE, "بغداد - النهرين", P1, P2, P3) == "النهرين"
    assert stated(TITLE, "أبوظبي (الاتحاد)", P1, P2, P3) == "الاتحاد"
    assert stated(TITLE, "جدة : البلاد", P1, P2, P3) == "البلاد"


def test_a_place_or_a_person_heading_a_dateline_is_no_outlet() -> None:
    assert stated(TITLE, "القاهرة - " + P1, P2, P3) is None
    assert stated(TITLE, "الرباط - " + P1, P2, P3) is None
    assert stated(TITLE, "محمد الخطيب - " + P1, P2, P3) is None
    assert stated(TITLE, "القاهرة - محمد الخطيب", P1, P2, P3) is None


def test_agency_credit_lines() -> None:
    assert stated(TITLE, "تلفزيون سوريا ـ وكالات", P1, P2, P3) == "تلفزيون سوريا"
    assert stated(TITLE, "الشارقة 24 – أ ف ب:", P1, P2, P3) == "الشارقة 24"
    assert stated(TITLE, "العراق/ سمير الجبوري/ الأناضول- " + P1, P2, P3) == "الأناضول"


def test_source_lines() -> None:
    assert stated(TITLE, P1, P2, P3, "المصدر: اليوم السابع") == "اليوم السابع"
    assert stated(TITLE, P1, P2, P3, "المصدر: جريدة الوادي") == "جريدة الوادي"
    assert stated(TITLE, P1, P2, P3, "المصدر: وكالة الأنباء السعودية") == "وكالة الأنباء السعودية (واس)"


def test_leading_outlet_dateline() -> None:
    assert stated(TITLE, "هسبريس – " + P1, P2, P3) == "هسبريس"
    assert stated(TITLE, "الوادي نيوز - " + P1, P2, P3) == "الوادي نيوز"
    assert stated(TITLE, "الوادي| " + P1, P2, P3) == "الوادي"
    assert stated(TITLE, "أخبار الوادي -", P1, P2, P3) == "أخبار الوادي"


def test_site_names() -> None:
    assert stated("الرئيسية", "الوادي نيوز", TITLE, P1, P2, P3) == "الوادي نيوز"
    assert stated("بوابة الوادي الإخبارية", TITLE, P1, P2, P3) == "بوابة الوادي الإخبارية"
    teasers = ["صوت الوادي - افتتاح سوق الخضار الجديد", "صوت الوادي - الأمطار تعود إلى المنطقة"]
    assert stated(TITLE, P1, P2, P3, *teasers) == "صوت الوادي"  # the site's "X - headline" pattern


def test_headings_and_calls_to_follow_are_no_outlets() -> None:
    assert stated(TITLE, P1, P2, P3, "شروط التعليق:", "تابعونا على جوجل نيوز", "اقرأ أيضا:") is None


def test_an_outlet_credit_comes_before_an_agency() -> None:
    assert stated(TITLE, "دمشق (رويترز) - " + P1, P2, P3, "المصدر: الوادي نيوز") == "الوادي نيوز"


# ---------------------------------------------------------------- with the URL


def document(text: str, url: str | None) -> Document:
    return Document("in.jsonl", "L1", text, "text", len(text.encode()), "d" * 64, url=url)


def test_the_url_decides_with_what_the_page_states() -> None:
    wire = page(TITLE, "دمشق (رويترز) - " + P1, P2, P3)
    assert strip_boilerplate(document(wire, "https://www.alarabiya.net/arab-and-world/1")).source_name == "العربية"
    assert strip_boilerplate(document(wire, "https://www.unknown-site.org/a/1")).source_name == "unknown-site.org"
    assert strip_boilerplate(document(wire, None)).source_name == "رويترز"
    assert strip_boilerplate(document(wire, "/data/page.txt")).source_name == "رويترز"
    credited = page(TITLE, P1, P2, P3, "المصدر: اليوم السابع")
    assert strip_boilerplate(document(credited, "https://www.masress.com/alwafd/1")).source_name == "اليوم السابع"
    assert strip_boilerplate(document(page(TITLE, P1, P2, P3), "https://www.masress.com/alwafd/1")).source_name == "الوفد"


def test_strip_boilerplate_stage_sets_source_name() -> None:
    text = page(TITLE, "القاهرة (أ ش أ) - " + P1, P2, P3)
    docs = [document(text, "https://www.youm7.com/story/1"), document(text, "https://maghress.com/hespress/1"), document(text, None)]
    with TestPipeline() as p:
        cleaned = p | beam.Create(docs) | StripBoilerplate()
        names = cleaned["documents"] | beam.Map(lambda d: d.source_name)
        assert_that(names, equal_to(["اليوم السابع", "هسبريس", "وكالة أنباء الشرق الأوسط (أ ش أ)"]))


def test_widget_lines_in_latin_are_no_outlets() -> None:
    assert stated(TITLE, P1, P2, P3, "Breaking News", "Latest News") is None


def test_a_listed_outlet_under_another_domain_ending() -> None:
    # aljazeera.net is listed; the same name under .org is the same outlet
    assert resolve_source("https://www.aljazeera.org/news/1", None) == "الجزيرة نت"
    # alwatan.sy is listed as Syria's الوطن: the name holds whatever the ending
    assert resolve_source("https://alwatan.om/a/1", None) == "الوطن"
    assert resolve_source("https://www.unknown-site.org/a/1", None) == "unknown-site.org"


def test_a_short_name_the_page_gives_itself_counts_when_it_sounds_like_the_domain() -> None:
    alone = page(TITLE, "", "آخر الأخبار - 16-12-2025", "", "الواديكم", "", P1, P2, P3)
    assert strip_boilerplate(document(alone, "https://alwadikom.ma/a/1")).source_name == "الواديكم"
    # the same line on a domain it does not sound like is a heading, not the outlet
    assert strip_boilerplate(document(alone, "https://www.othersite.ma/a/1")).source_name == "othersite.ma"
    colon = page("النهار الجديد:" + P1, P2, P3)
    assert strip_boilerplate(document(colon, "https://annaharaljadid.com/a/1")).source_name == "النهار الجديد"
    special = page(TITLE, "المنبر - خاص", P1, P2, P3)
    assert strip_boilerplate(document(special, "https://www.almenbar.com/a/1")).source_name == "المنبر"


def test_an_html_page_declares_its_site_name() -> None:
    html = (
        '<html><head><meta property="og:site_name" content="صدى الوادي"><title>' + TITLE + "</title></head><body>"
        "<article><h1>" + TITLE + "</h1><p>" + P1 + "</p><p>" + P2 + "</p><p>" + P3 + "</p></article></body></html>"
    )
    doc = Document("in.jsonl", "L1", html, "html", len(html.encode()), "d" * 64, url="https://www.unknownsite.net/a/1")
    assert strip_boilerplate(doc).source_name == "صدى الوادي"


def test_a_site_name_with_its_date_and_time_after_it() -> None:
    # the name stops at the date, the weekday or the time; more than four words before them is no name
    assert stated("الوادي نيوز الأحد 12 مارس 2024", TITLE, P1, P2, P3) == "الوادي نيوز"
    assert stated("ـ الوادي نيوز ـ 12 مارس 2024 10:30", TITLE, P1, P2, P3) == "الوادي نيوز"
    assert stated("آخر أخبار الوادي اليوم في المنطقة 12 مارس 2024", TITLE, P1, P2, P3) is None
    assert stated("آخر أخبار الوادي اليوم في المنطقة", TITLE, P1, P2, P3) is None
