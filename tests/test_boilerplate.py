"""Boilerplate removal: every signal on its own, the gold of the samples, our own pages."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import apache_beam as beam
import numpy as np
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from hypothesis import given, settings
from hypothesis import strategies as st
from khabar.transforms.find_templates import FindTemplates, TemplateTable, page_line_keys, page_lines, template_keys
from khabar.transforms.runtime.records import Document
from khabar.transforms.strip_boilerplate import StripBoilerplate
from khabar.transforms.text.html_page import extract_html_page
from khabar.transforms.text.page_lines import BoilerplateConfig, extract_text_page, line_key

from benchmarks.eval_boilerplate import evaluate
from tests.conftest import FIXTURES, SAMPLES, html_page

PARAGRAPH = "أعلن وزير الداخلية العراقي عبد الأمير الشمري، اليوم الأحد، عن توقيع مذكرة للتعاون الأمني المشترك مع الجانب السوري في بغداد."
PARAGRAPH_2 = (
    "وقال الشمري في مؤتمر صحفي مشترك إن الاتفاقية تضمنت عددا من المواد الخاصة بمكافحة المخدرات وضبط الحدود الدولية وتسليم المطلوبين."
)
PAGES = FIXTURES / "pages"


def body_of(text: str) -> list[str]:
    return extract_text_page(text).body


# ---------------------------------------------------------------- the gold


def test_gold_targets_on_the_samples() -> None:
    report = evaluate(FIXTURES / "gold_seeds.json", SAMPLES)
    assert report.f1 >= 0.97
    assert report.titles == 5
    assert not report.lost_body.get("000_7e6e725fe2650e44.txt")
    assert not report.lost_body.get("003_3b60c38ddd2c929d.txt")
    assert report.sources == 5 and report.dates == 5


def test_sample_001_metadata_from_the_date_line_and_credit_line() -> None:
    page = extract_text_page((SAMPLES / "001_5f25bd163d74c775.txt").read_text(encoding="utf-8"))
    assert page.published_at == datetime(2024, 5, 12, 9, 52, tzinfo=UTC)
    assert page.source_name == "تلفزيون سوريا"


def test_sample_004_byline_gives_source_and_author_and_stays_in_the_body() -> None:
    page = extract_text_page((SAMPLES / "004_397fb93c3f2bb4b4.txt").read_text(encoding="utf-8"))
    assert page.source_name == "الأناضول" and page.author == "علي جواد"
    assert page.body[0].startswith("العراق/ علي جواد/ الأناضول-")


# ---------------------------------------------------------------- single signals


def test_teaser_links_inside_body_are_removed() -> None:
    text = f"{PARAGRAPH}\n\nاقرأ أيضاً: العراق يعمل على مد سكة حديد تربط بغداد بتركيا\n\n{PARAGRAPH_2}"
    assert body_of(text) == [PARAGRAPH, PARAGRAPH_2]


def test_comments_after_a_comment_counter_are_not_body() -> None:
    comment = "1. يبدو أن الجنرال وجد صعوبة في هضم القرار الأخير الذي أعلنته الحكومة فأحدثت له تخمة بعثرت كل أوراقه في المنطقة!!!"
    text = f"{PARAGRAPH}\n\n{PARAGRAPH_2}\n\n1 تعليق\n\n{comment}\n\nاضافة تعليق"
    assert body_of(text) == [PARAGRAPH, PARAGRAPH_2]


def test_comment_form_and_policy_lines_are_removed() -> None:
    text = f"{PARAGRAPH}\n{PARAGRAPH_2}\nاترك رد\nلن يتم نشر عنوان بريدك الإلكتروني."
    assert body_of(text) == [PARAGRAPH, PARAGRAPH_2]


def test_related_articles_list_with_author_names_is_removed() -> None:
    related = "\n".join(f"عنوان خبر آخر رقم {i} عن الأوضاع في المنطقة\nHasan Kurdi" for i in range(4))
    text = f"{PARAGRAPH}\n\n{PARAGRAPH_2}\n\nمقالات ذات صلة\n\n{related}"
    assert body_of(text) == [PARAGRAPH, PARAGRAPH_2]


def test_repeated_headline_counter_and_junk_lines_are_removed() -> None:
    title = "الأسد يتلقى رسالة من الكاظمي حول التنسيق الأمني"
    page = extract_text_page(f"{title}\n\n{title}\n0\nUUUIIII\n+A\nحجم الخط\n-A\n{PARAGRAPH}\n{PARAGRAPH_2}")
    assert page.title == title
    assert page.body == [PARAGRAPH, PARAGRAPH_2]
    assert page.removed["duplicate_title"] == 1 and page.removed["junk"] >= 3


def test_a_subheading_between_paragraphs_is_kept() -> None:
    text = f"{PARAGRAPH}\n\nتأجيل اجتماع لجنة الاتصال العربية\n\n{PARAGRAPH_2}"
    assert body_of(text) == [PARAGRAPH, "تأجيل اجتماع لجنة الاتصال العربية", PARAGRAPH_2]


def test_an_article_without_boilerplate_stays_intact() -> None:
    text = (PAGES / "clean_short_article.txt").read_text(encoding="utf-8")
    page = extract_text_page(text)
    assert page.body == [line for line in text.split("\n") if line.strip()]
    assert page.title is None


def test_mixed_arabic_english_lines_are_body_and_english_widgets_are_not() -> None:
    page = extract_text_page((PAGES / "mixed_english.txt").read_text(encoding="utf-8"))
    assert page.title == "شركة Microsoft تعلن عن استثمار جديد في الإمارات"
    assert len(page.body) == 2 and "G42" in page.body[0] and "Azure" in page.body[1]


def test_a_very_long_line_is_handled() -> None:
    long_line = (PARAGRAPH + " ") * 5000  # about 700 KB on one line
    page = extract_text_page(f"عنوان الخبر الطويل جدا هنا\n{long_line}")
    assert len(page.body) == 1 and len(page.body[0]) > 500_000


# ---------------------------------------------------------------- our own pages


def test_page_with_breadcrumb_byline_tags_and_share_buttons() -> None:
    page = extract_text_page((PAGES / "breadcrumb_byline_tags.txt").read_text(encoding="utf-8"))
    assert page.title == "البرلمان اللبناني يفشل مجددا في انتخاب رئيس للجمهورية"
    assert page.author == "نادين خوري"
    assert page.published_at == datetime(2024, 9, 12, 7, 30, tzinfo=UTC)  # 10:30 in Beirut (UTC+3)
    assert [b[:20] for b in page.body] == ["فشل مجلس النواب اللب", "وقال رئيس مجلس النوا", "ردود الفعل", "وانتقد نواب من المعا"]


def test_page_with_agency_dateline_teaser_and_most_read() -> None:
    page = extract_text_page((PAGES / "reuters_dateline_share.txt").read_text(encoding="utf-8"))
    assert page.title == "ارتفاع أسعار النفط بعد قرار أوبك بلس خفض الإنتاج"
    assert page.source_name == "رويترز"
    assert len(page.body) == 3
    assert not any("اقرأ أيضا" in b or "الذهب يتراجع" in b or "بث مباشر" in b for b in page.body)


def test_html_page_main_text_and_metadata() -> None:
    html = html_page("وزير الداخلية العراقي يوقع مذكرة تعاون", [PARAGRAPH, PARAGRAPH_2])
    html = html.replace(
        "</head>",
        '<meta property="article:published_time" content="2024-05-12T12:52:00+03:00"><meta name="author" content="علي جواد"></head>',
    )
    page = extract_html_page(html, "https://news.example/a/1")
    assert page.title == "وزير الداخلية العراقي يوقع مذكرة تعاون"
    assert page.body == [PARAGRAPH, PARAGRAPH_2]
    assert page.source_name == "موقع الخبر" and page.author == "علي جواد"
    assert page.published_at == datetime(2024, 5, 12, 9, 52, tzinfo=UTC)
    assert not any("الأكثر قراءة" in b or "الحقوق" in b for b in page.body)


# ---------------------------------------------------------------- the transform


def doc(uri: str, content: str, content_type: str = "text") -> Document:
    return Document(source_uri=uri, record_key="", content=content, content_type=content_type, size_bytes=len(content), digest=uri)


def test_empty_after_boilerplate_becomes_a_reject_and_templates_are_removed() -> None:
    footer = "جميع الحقوق محفوظة لموقع الخبر اليومي ويمنع النسخ أو إعادة النشر دون إذن خطي مسبق من إدارة التحرير في الموقع."
    pages = [doc(f"file:///site/{i}.txt", f"عنوان الخبر رقم {i} في الصفحة\n{PARAGRAPH} {i}\n{PARAGRAPH_2} {i}\n{footer}") for i in range(6)]
    pages.append(doc("file:///site/nav.txt", "الرئيسية\nأخبار\nرياضة\nاتصل بنا"))
    with TestPipeline() as p:
        out = p | beam.Create(pages) | StripBoilerplate()
        assert_that(
            out["rejects"] | beam.Map(lambda r: (r.source_uri, r.reason)),
            equal_to([("file:///site/nav.txt", "empty_after_boilerplate")]),
            label="Rejects",
        )
        assert_that(out["documents"] | beam.Map(lambda d: footer in d.text), equal_to([False] * 6), label="NoTemplate")
        assert_that(out["documents"] | beam.Map(lambda d: d.text.count("\n\n")), equal_to([1] * 6), label="TwoParagraphs")


def test_copies_of_one_article_on_a_site_do_not_make_its_body_a_template() -> None:
    page = f"{PARAGRAPH}\n{PARAGRAPH_2}"
    copies = [
        Document(source_uri=f"file:///dup/{i}.txt", record_key="", content=page, content_type="text", size_bytes=1, digest="same")
        for i in range(7)
    ]
    with TestPipeline() as p:
        out = p | beam.Create(copies) | StripBoilerplate()
        assert_that(out["documents"] | beam.Map(lambda d: d.text.count("\n\n")), equal_to([1] * 7))


def test_template_lines_of_small_sources_are_kept() -> None:
    footer = "جميع الحقوق محفوظة لموقع الخبر اليومي ويمنع النسخ أو إعادة النشر دون إذن خطي مسبق من إدارة التحرير في الموقع."
    pages = [doc(f"file:///small/{i}.txt", f"{PARAGRAPH} {i}\n{footer}") for i in range(2)]
    with TestPipeline() as p:
        out = p | beam.Create(pages) | StripBoilerplate()
        assert_that(out["documents"] | beam.Map(lambda d: footer in d.text), equal_to([True, True]))


def _template_lines_by_hand(pages: list[tuple[int, set[int]]], min_docs: int, min_share: float) -> set[int]:
    """The rule spelled out: distinct pages per line, the plain count once a line is on max(min_docs, 2) of them."""
    distinct: dict[int, set[int]] = {}
    total: dict[int, int] = {}
    for page, keys in pages:
        for key in keys:
            distinct.setdefault(key, set()).add(page)
            total[key] = total.get(key, 0) + 1
    count = {key: total[key] if len(distinct[key]) >= max(min_docs, 2) else len(distinct[key]) for key in distinct}
    return {key for key, n in count.items() if n >= min_docs and n >= min_share * len(pages)}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 4), st.sets(st.integers(0, 6) | st.just(2**64 - 1), max_size=5)), max_size=14),
    st.integers(1, 5),
    st.sampled_from([0.0, 0.3, 0.5]),
)
def test_template_keys_count_distinct_pages_like_the_rule(pages: list, min_docs: int, min_share: float) -> None:
    """Pages repeat (copies of one article under several URLs) and keys span the whole uint64 range."""
    keys = np.array([key for _, page_keys in pages for key in page_keys], dtype=np.uint64)
    hashes = np.array([page for page, page_keys in pages for _ in page_keys], dtype=np.uint64)
    found = template_keys(keys, hashes, len(pages), min_docs, min_share)
    assert len(found) == len(set(found))
    assert set(found) == _template_lines_by_hand(pages, min_docs, min_share)


def test_template_table_merges_bundles_by_source() -> None:
    combine = TemplateTable(BoilerplateConfig(template_min_docs=2, template_min_share=0.5))
    first, second = combine.create_accumulator(), combine.create_accumulator()
    combine.add_input(first, ("a.com", 1, [10, 11]))
    combine.add_input(first, ("b.com", 5, [10]))
    combine.add_input(second, ("a.com", 2, [10, 12]))
    combine.add_input(second, ("a.com", 3, []))
    merged = combine.merge_accumulators([first, second])
    assert combine.extract_output(merged) == {"a.com": frozenset({10})}  # on 2 of a.com's 3 pages; b.com has one page
    merged_again = combine.merge_accumulators([combine.create_accumulator(), second])
    combine.add_input(merged_again, ("a.com", 9, [99]))
    assert merged_again["a.com"].page_count == 3
    assert list(second["a.com"].keys) == [10, 12] and second["a.com"].page_count == 2  # only the result changes


def test_find_templates_in_a_pipeline_of_many_bundles() -> None:
    footer = "جميع الحقوق محفوظة لموقع الخبر اليومي ويمنع النسخ أو إعادة النشر دون إذن خطي مسبق من إدارة التحرير في الموقع."
    pages = [doc(f"file:///site/{i}.txt", f"{PARAGRAPH} {i}\n{footer}") for i in range(40)]
    pages += [doc(f"file:///other/{i}.txt", f"{PARAGRAPH_2} {i}") for i in range(3)]
    with TestPipeline() as p:
        table = p | beam.Create(pages) | beam.Reshuffle() | FindTemplates()
        assert_that(table | beam.Map(lambda t: {source: len(keys) for source, keys in t.items()}), equal_to([{"file:///site": 1}]))


def test_gold_fixture_is_the_projects_own_copy() -> None:
    gold = json.loads((FIXTURES / "gold_seeds.json").read_text(encoding="utf-8"))
    assert {a["file"] for a in gold["articles"]} == {p.name for p in Path(SAMPLES).glob("*.txt")}


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        ("text", "\n".join(["الرئيسية | أخبار", "", "  ", PARAGRAPH, "أَخبارٌ\u200f ـعاجلة", PARAGRAPH, "إلى الأعلى"])),
        ("html", f"<nav>الرئيسية</nav><p>{PARAGRAPH}\nسطر ثانٍ في الفقرة</p><div>\n\n</div><p>مُلحق</p>"),
        ("text", ""),
    ],
)
def test_page_line_keys_are_each_lines_line_key(content_type: str, content: str) -> None:
    """One normalization pass over the page gives what a pass a line gives, HTML blocks with newlines included."""
    doc = Document(source_uri="file:///p/a", record_key="", content=content, content_type=content_type, size_bytes=1, digest="d")
    expected = {line_key(line) for line in page_lines(doc) if line.strip()}
    assert page_line_keys(doc) == expected
    assert len(expected) >= (3 if content else 0)
