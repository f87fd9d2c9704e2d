"""The failure classes seen on real pages from outlets the samples do not cover,
each with a page written for the test in the same shape (no page is copied)."""

from __future__ import annotations

import textwrap

from khabar.transforms.text.page_lines import extract_text_page, reflow_wrapped

HEADLINE = "افتتاح محطة تحلية جديدة في صفاقس لتزويد ثلاثين ألف أسرة بمياه الشرب"
LEAD = (
    "افتتح وزير الفلاحة والموارد المائية، صباح اليوم الثلاثاء، محطة تحلية مياه البحر الجديدة في صفاقس، "
    "بطاقة إنتاج تبلغ مائة ألف متر مكعب يوميا، ستزود نحو ثلاثين ألف أسرة بمياه الشرب."
)
PARAGRAPHS = [
    "وقال الوزير في كلمة خلال حفل الافتتاح إن المحطة تمثل خطوة أساسية في خطة الدولة لمواجهة شح المياه التي تعانيها "
    "المحافظات الجنوبية منذ سنوات، مشيرا إلى أن تكلفتها بلغت مئتين وعشرين مليون دينار.",
    "وأوضح مدير الشركة المنفذة أن أعمال البناء استغرقت ثلاث سنوات، وأن المحطة تعمل بالطاقة الشمسية جزئيا، "
    "مما يخفض استهلاكها من الكهرباء بنحو الربع مقارنة بالمحطات القديمة.",
    "ومن المنتظر أن تدخل محطة ثانية في قابس حيز الخدمة مطلع العام المقبل، وفق ما أعلنته وزارة الفلاحة في بيان.",
]


def words(lines: list[str]) -> list[str]:
    return " ".join(lines).split()


def test_hard_wrapped_paragraphs_are_reflowed_and_kept_whole() -> None:
    # a print version: every paragraph broken at 60 characters, no blank lines between paragraphs
    body = [line for paragraph in [LEAD, *PARAGRAPHS] for line in textwrap.wrap(paragraph, 60)]
    page = extract_text_page("\n".join(["الرئيسية", "اقتصاد", HEADLINE, "", *body, "", "جميع الحقوق محفوظة"]))
    assert page.title == HEADLINE
    assert words(page.body) == words([LEAD, *PARAGRAPHS])
    assert len(page.body) == 4  # one line a paragraph again


def test_reflow_leaves_pages_of_one_paragraph_a_line_alone() -> None:
    lines = [LEAD, "", *PARAGRAPHS]
    assert reflow_wrapped(lines) == lines
    menu = ["الرئيسية", "سياسة", "اقتصاد", "رياضة", "ثقافة", "اتصل بنا", "من نحن"]
    assert reflow_wrapped(menu) == menu


def test_a_page_that_starts_with_its_lead_has_no_headline() -> None:
    # a one-sentence lead of about 170 characters, a hashtag after its full stop
    lead = "افتتح وزير الفلاحة صباح اليوم محطة تحلية مياه البحر الجديدة في صفاقس بطاقة مائة ألف متر مكعب يوميا لتزويد ثلاثين ألف أسرة بمياه الشرب. #تونس"
    page = extract_text_page("\n".join([lead, "", *PARAGRAPHS]))
    assert page.title is None
    assert page.body[0] == lead
    assert len(page.body) == 4


def test_navigation_and_timestamps_are_never_the_headline() -> None:
    navigation = [
        "تخطى إلى المحتوى",
        "آخر تحديث :الثلاثاء - 10 مارس 2026 - 09:30 ص",
        "الاقتصاد - تونس",
        "أخبار اليوم | صفاقس – تونس",
    ]
    for top in navigation:
        page = extract_text_page("\n".join([top, "", LEAD, "", *PARAGRAPHS]))
        assert page.title is None, top
        assert len(page.body) == 4
    page = extract_text_page("\n".join([*navigation, HEADLINE, LEAD, *PARAGRAPHS]))
    assert page.title == HEADLINE


def test_sub_headings_inside_the_article_keep_the_text_after_them() -> None:
    after = [
        "وستدخل محطة قابس الخدمة مطلع العام المقبل بطاقة تبلغ نصف طاقة محطة صفاقس.",
        "وتعمل الشركة نفسها على المشروعين، بحسب بيان الوزارة الصادر اليوم.",
        "أما محطة جربة فقد تأخرت أشغالها بسبب نقص التمويل منذ الصيف الماضي.",
    ]
    article = [LEAD, PARAGRAPHS[0], "محطة ثانية في قابس", after[0], after[1], "تأخر في جربة", after[2]]
    page = extract_text_page("\n\n".join([HEADLINE, *article]))
    assert page.title == HEADLINE
    assert page.body == article


def test_short_articles_keep_their_first_and_last_paragraphs() -> None:
    short_lead = "أعلنت بلدية صفاقس إغلاق الطريق الساحلي ليومين لأعمال الصيانة."
    middle = "وقالت البلدية في بيان إن الأشغال تشمل إصلاح الأرصفة وتجديد الإنارة على طول ثلاثة كيلومترات من الطريق."
    closing = "ودعت البلدية السائقين إلى استعمال الطرق البديلة."
    page = extract_text_page("\n".join(["أخبار محلية", HEADLINE, "", short_lead, "", middle, "", closing, "", "شارك", "اقرأ أيضا"]))
    assert page.body == [short_lead, middle, closing]


def test_lead_and_closing_paragraphs_of_longer_articles_are_kept() -> None:
    lead = "أكدت وزارة الصحة تسجيل أول إصابة بالحمى المالطية هذا العام في ولاية سيدي بوزيد"  # a lead without a full stop
    closing = "وختم البيان بدعوة المواطنين إلى غلي الحليب قبل استهلاكه."
    page = extract_text_page("\n".join([HEADLINE, lead, *PARAGRAPHS, closing, "مقالات ذات صلة", "عنوان مقال آخر عن الصحة في الجنوب"]))
    assert page.body == [lead, *PARAGRAPHS, closing]
