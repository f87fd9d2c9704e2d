"""The story-similarity experiment's pieces (benchmarks/story_similarity.py), on texts written for the test."""

from __future__ import annotations

from datetime import UTC, datetime

from benchmarks.eval_devset import pair_scores
from benchmarks.story_similarity import Page, cluster, conflicts, cosine, grouped_pairs, specific_numbers, stem, tfidf


def _zipf(word: str) -> float:
    # a tiny frequency list: function words common, names rare
    return {"في": 7.0, "من": 7.0, "على": 6.8}.get(word, 3.0)


def page(pid: str, text: str, *, years: set[int] = frozenset(), numbers: set[str] = frozenset(), published: datetime | None = None) -> Page:
    return Page(pid, pid, published, tfidf(text, _zipf), {}, set(), set(numbers), set(years), set())


def test_stem_takes_one_proclitic_cluster_and_the_final_teh_marbuta() -> None:
    # the script reads text_normalized, where teh marbuta is already heh
    assert stem("والحكومه") == "حكوم"
    assert stem("بالقاهره") == "قاهر"
    assert stem("٢٠٢٤") == "2024"
    assert stem("ولد") == "ولد"  # too short to lose its first letter


def test_specific_numbers_leave_out_years_and_small_counts() -> None:
    assert specific_numbers("فاز بنسبة 84,3 بالمئة في انتخابات 2024 بعد 3 أيام وحصل على ١٢٠ صوتا") == {"84.3", "120"}


def test_function_words_weigh_nothing_and_rewrites_stay_close() -> None:
    a = tfidf("افتتح وزير الثقافة معرض الكتاب في القاهرة", _zipf)
    b = tfidf("وزير الثقافة يفتتح معرض الكتاب من القاهرة", _zipf)
    c = tfidf("منتخب المغرب يفوز على البرتغال", _zipf)
    assert "في" not in a
    assert cosine(a, b) > 0.5 > cosine(a, c)


def test_occasions_conflict_on_far_dates_and_disjoint_years_or_numbers() -> None:
    day = datetime(2024, 9, 8, tzinfo=UTC)
    assert conflicts(page("a", "", published=day), page("b", "", published=datetime(2024, 9, 20, tzinfo=UTC)), ())
    assert not conflicts(page("a", "", published=day), page("b", "", published=datetime(2024, 9, 9, tzinfo=UTC)), ())
    assert conflicts(page("a", "", years={2019}), page("b", "", years={2024}), ("years",))
    assert not conflicts(page("a", "", years={2019, 2024}), page("b", "", years={2024}), ("years",))
    assert conflicts(page("a", "", numbers={"58", "39"}), page("b", "", numbers={"94", "65"}), ("numbers",))
    assert not conflicts(page("a", "", numbers={"58"}), page("b", "", numbers={"94", "65"}), ("numbers",))


def test_average_link_does_not_chain_through_a_bridge() -> None:
    # b resembles a and c, a and c do not resemble each other: single link chains all three
    similarity = {("a", "b"): 0.6, ("b", "c"): 0.5, ("a", "c"): 0.0}
    assert sorted(map(sorted, cluster(["a", "b", "c"], similarity, 0.4, "single"))) == [["a", "b", "c"]]
    assert sorted(map(sorted, cluster(["a", "b", "c"], similarity, 0.4, "average"))) == [["a", "b"], ["c"]]
    scores = pair_scores({("a", "b")}, grouped_pairs([["a", "b"], ["c"]]))
    assert (scores["precision"], scores["recall"], scores["f1"]) == (1.0, 1.0, 1.0)
