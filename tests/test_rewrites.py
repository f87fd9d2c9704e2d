"""Rewrite similarity (transforms/stories/rewrites.py): term vectors, occasion vetoes, the score."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import numpy as np
import pytest
from khabar.transforms.stories.rewrites import (
    RewriteTerms,
    ScoreWeights,
    figures,
    match_scores,
    occasion_conflict,
    rewrite_score,
    stem,
    weighted_terms,
    words_of,
    zipf,
)
from khabar.transforms.stories.textreuse import days_between
from khabar.transforms.text.normalize import normalize_text

# Two outlets' words for one report (written for this test), another occasion of the same people, another event.
WIRE_A = (
    "افتتح وزير الطاقة الأردني صالح الخرابشة محطة الطفيلة للرياح بقدرة 117 ميغاواط، بكلفة 290 مليون دولار. "
    "وقال الخرابشة إن المحطة تغطي حاجة 80 ألف منزل من الكهرباء النظيفة."
)
WIRE_B = (
    "دشن الخرابشة، وزير الطاقة، مشروع رياح الطفيلة الذي تبلغ قدرته 117 ميغاواط وكلف 290 مليون دولار، "
    "مؤكدا أن الكهرباء المولدة تكفي 80 ألف منزل."
)
OTHER_OCCASION = (
    "التقى وزير الطاقة الأردني صالح الخرابشة وفدا من شركة الكهرباء لبحث تعرفة 2019، "
    "وقال الخرابشة إن الوزارة تدرس أسعار 45 شريحة من المنازل بزيادة 12 بالمئة."
)
OTHER_EVENT = "فاز نادي الوحدات على الفيصلي بهدفين مقابل هدف في نهائي كأس الأردن لكرة القدم على ستاد عمان الدولي."


def _terms(title: str | None, text: str) -> RewriteTerms:
    return RewriteTerms.of(normalize_text(title) if title else None, normalize_text(text))


def test_stem_takes_one_proclitic_cluster_and_the_final_heh():
    assert stem("والمحطه") == "محط"
    assert stem("بالطاقه") == "طاق"
    assert stem("١١٧") == "117"
    assert stem("ولد") == "ولد"  # the remainder would be too short: kept whole
    assert stem("وزير") == stem("الوزير") == stem("للوزير") == "وزير"
    assert stem("وقال") == "قال" and stem("ولبنان") == "لبنان"


def test_stem_takes_the_endings_rewrites_vary_on():
    # the relative adjective and the country, attached pronouns, sound plurals; the dual's ending stays on names
    assert stem(normalize_text("المغربي")) == stem(normalize_text("المغربية")) == stem("المغرب") == "مغرب"
    assert stem(normalize_text("البرتغالي")) == stem("البرتغال")
    assert stem(normalize_text("المسؤولين")) == stem(normalize_text("المسؤولون")) == stem("مسؤول")
    assert stem(normalize_text("رئيسها")) == stem(normalize_text("رئيسهم")) == "رئيس"
    assert stem("لبنان") == "لبنان" and stem("عثمان") == "عثمان"
    assert stem("علي") == "علي"  # two letters would stay: kept whole


def test_one_report_in_adjective_and_country_shares_its_terms():
    adjective = _terms("فوز المنتخب المغربي على البرتغالي", "تأهل المنتخب المغربي بعد فوزه على البرتغالي.")
    country = _terms("المغرب يهزم البرتغال", "تأهل منتخب المغرب بعد فوزه على منتخب البرتغال.")
    assert rewrite_score(adjective, country, 0) > 0.8  # far lower with the endings left on


def test_shared_places_add_to_the_score_up_to_four():
    a, b = _terms(None, WIRE_A), _terms(None, WIRE_B)
    plain = rewrite_score(a, b, 0)
    assert rewrite_score(a, b, 0, shared_places=2) == pytest.approx(plain + 0.1)
    assert rewrite_score(a, b, 0, shared_places=9) == pytest.approx(plain + 0.2)


def test_names_support_what_the_texts_share_but_do_not_make_it():
    # the same minister in the same places at another occasion: names without the report's words
    a, event = _terms(None, WIRE_A), _terms(None, OTHER_EVENT)
    assert rewrite_score(a, event, 4, shared_places=4) < 0.3
    assert rewrite_score(a, event, 4, ScoreWeights(full_support=0.0), shared_places=4) >= 0.4
    b = _terms(None, WIRE_B)  # a rewrite: its names count in full
    assert rewrite_score(a, b, 2, shared_places=2) == pytest.approx(rewrite_score(a, b, 0) + 0.2)


def test_frequency_table_uses_the_normalized_spelling():
    # teh marbuta and hamza forms are folded as in text_normalized, so a common word is found (and weighs little)
    assert zipf(normalize_text("مدينة")) > 4.0
    assert zipf(normalize_text("إلى")) > 6.0
    assert zipf("خرابشهزز") == 0.0


def test_common_words_weigh_nothing_and_vectors_are_unit_length():
    hashes, weights = weighted_terms(Counter(words_of(normalize_text("في من على إلى أن الخرابشة"))))
    assert len(hashes) == 1  # only the name is rarer than MAX_ZIPF
    assert hashes.dtype == np.uint32 and np.all(np.diff(hashes.astype(np.int64)) > 0)
    assert float(weights @ weights) == pytest.approx(1.0, abs=1e-5)


def test_figures_are_specific_numbers_and_years_apart():
    assert figures("بلغت 117 ميغاواط و2.5 بالمئة في 2024 خلال 3 أيام") == ({"117", "2.5", "2"}, {2024})


def test_a_rounded_figure_shares_its_whole_part():
    assert figures("نسبة 35.25 بالمئة")[0] & figures("نسبة 35.3 بالمئة")[0] == {"35"}
    assert figures("١١٧ ميغاواط في ٢٠٢٣") == ({"117"}, {2023})  # any script's digits


def test_a_rewrite_scores_above_another_occasion_and_another_event():
    a, b = _terms("افتتاح محطة الطفيلة للرياح", WIRE_A), _terms("الخرابشة يدشن رياح الطفيلة", WIRE_B)
    other, event = _terms(None, OTHER_OCCASION), _terms(None, OTHER_EVENT)
    same = rewrite_score(a, b, shared_actors=1)
    assert same > rewrite_score(a, other, shared_actors=1) > rewrite_score(a, event, shared_actors=0)
    assert rewrite_score(a, event, shared_actors=0) < 0.1
    assert occasion_conflict(a, b, days_between(None, None), 4.0) is None


def test_occasions_are_told_apart_by_dates_years_and_numbers():
    a, other = _terms(None, WIRE_A), _terms(None, OTHER_OCCASION)
    assert occasion_conflict(a, other, None, 4.0) == "numbers"  # 117, 290, 80 against 45, 12
    day = datetime(2024, 5, 1, tzinfo=UTC)
    assert occasion_conflict(a, a, days_between(day, datetime(2024, 5, 9, tzinfo=UTC)), 4.0) == "dates"
    this_year, last_year = _terms(None, "قمة المناخ في دبي عام 2023"), _terms(None, "قمة المناخ في شرم الشيخ عام 2022")
    assert occasion_conflict(this_year, last_year, None, 4.0) == "years"
    may, june = _terms(None, "اجتماع اللجنة في أيار الماضي"), _terms(None, "اجتماع اللجنة في يونيو المقبل")
    assert occasion_conflict(may, june, None, 4.0) == "months"


def test_pack_round_trips_and_an_old_row_reads_as_empty():
    a = _terms("افتتاح محطة الطفيلة للرياح", WIRE_A)
    assert RewriteTerms.unpack(a.pack()) == a
    assert RewriteTerms.unpack(None) == RewriteTerms()
    assert len(a.top_terms(5)) == 5 and set(a.top_terms(5)) <= set(a.array("terms"))


def test_years_of_later_paragraphs_are_background_and_veto_nothing():
    lead = (
        "أعلن النادي اليوم تعاقده مع المهاجم الدولي لمدة موسمين ونصف، في صفقة وصفتها الصحافة بأنها الأكبر في تاريخ "
        "الدوري، وقال رئيس النادي في مؤتمر صحفي إن اللاعب سيخضع للفحص الطبي غدا قبل أن يوقع رسميا على العقد أمام "
        "وسائل الإعلام، وأضاف أن الجماهير ستستقبله في الملعب مساء الخميس في حفل تقديم كبير يحضره عدد من نجوم الفريق "
        "السابقين ومسؤولو الاتحاد المحلي للعبة."
    )
    a = _terms(None, lead + "\n\nوكان اللاعب قد فاز بالبطولة القارية عام 2016 مع فريقه السابق.")
    b = _terms(None, lead + "\n\nوسبق للاعب أن توج بلقب الدوري عام 2019 قبل انتقاله.")
    assert occasion_conflict(a, b, None, 4.0) is None  # the years after the lead are background
    c = _terms(None, "في عام 2016 " + lead)
    d = _terms(None, "في عام 2019 " + lead)
    assert occasion_conflict(c, d, None, 4.0) == "years"  # stated in the lead: two occasions


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("فاز الوحدات على الفيصلي بهدفين مقابل هدف في النهائي", "score 2-1"),
        ("تغلب المنتخب على ضيفه بنتيجة (1-2) في الدوحة", "score 2-1"),  # either team's order
        ("فاز الفريق 3 - 0 على أرضه", "score 3-0"),
        ("حقق الفريق فوزا بثلاثية نظيفة", "score 3-0"),
        ("انتصر الضيوف بهدف دون رد", "score 1-0"),
        ("تعادل الفريقان بهدف لمثله", "score 1-1"),
        ("فاز الأهلي بنتيجة ثلاثة أهداف مقابل هدف", "score 3-1"),
    ],
)
def test_a_match_result_reads_the_same_in_figures_and_in_words(text: str, score: str) -> None:
    assert match_scores(normalize_text(text)) == {score}


def test_dashes_that_no_result_announces_are_no_score() -> None:
    assert not match_scores(normalize_text("صدر القرار في 2022-12-10 الساعة 10:30 وفق المادة 3-2 من المرحلة 2-3"))
    assert not match_scores(normalize_text("فاز الفريق بهدف سجله المهاجم في الدقيقة الأخيرة"))  # the other count is not told


def test_reports_of_one_match_share_its_result_and_another_match_of_the_teams_is_apart() -> None:
    first = _terms("الوحدات بطلا للكأس", "فاز الوحدات على الفيصلي بهدفين مقابل هدف في نهائي الكأس يوم 14 أيار.")
    second = _terms("الوحدات يتوج بالكأس", "توج الوحدات بلقب الكأس بعد فوزه على الفيصلي 2-1 في النهائي يوم 14 أيار.")
    rematch = _terms("الفيصلي يثأر من الوحدات", "فاز الفيصلي على الوحدات بثلاثية نظيفة في الدوري يوم 30 أيار.")
    assert occasion_conflict(first, second, None, 4.0) is None
    assert rewrite_score(first, second, 0) > rewrite_score(_terms(None, "فاز الوحدات على الفيصلي في نهائي الكأس."), second, 0)
    assert occasion_conflict(first, rematch, None, 4.0) == "numbers"  # 2-1 on the 14th against 3-0 on the 30th


def test_a_year_that_ends_a_span_tells_no_occasion():
    signing = "أعلن النادي تعاقده مع المهاجم البرتغالي بعقد يمتد حتى 2025 في صفقة انتقال حر."
    other = "أعلن النادي تعاقده مع المهاجم البرتغالي الذي قاد بلاده إلى لقب أوروبا عام 2016."
    assert figures(normalize_text(signing))[1] == set()
    assert figures(normalize_text("الحرب مستمرة منذ عام 2014 وحتى نهاية 2024"))[1] == set()
    assert figures(normalize_text("قمة المناخ عام 2023 حتى الآن"))[1] == {2023}
    assert occasion_conflict(_terms(None, signing), _terms(None, other), None, 4.0) is None


def test_a_lead_during_the_match_is_no_result():
    live = "وتشير النتيجة إلى تقدم المنتخب بهدف نظيف أحرزه المهاجم في الدقيقة 98 من عمر المباراة"
    assert not match_scores(normalize_text(live))
    assert match_scores(normalize_text("وفاز المنتخب بعد أن تقدم بهدف نظيف")) == {"score 1-0"}
