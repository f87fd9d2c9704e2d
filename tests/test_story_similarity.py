"""The calibration script's pieces (benchmarks/story_similarity.py) and average link, on texts written for the test."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from khabar.transforms.stories.clusters import average_link
from khabar.transforms.stories.config import DedupConfig
from khabar.transforms.stories.rewrites import RewriteTerms, ScoreWeights
from khabar.transforms.text.normalize import normalize_text

from benchmarks.eval_devset import pair_scores
from benchmarks.story_similarity import Page, grouped_pairs, similarities, single_link


def page(pid: str, text: str, published: datetime | None = None, places: frozenset[str] = frozenset()) -> Page:
    return Page(pid, pid, published, RewriteTerms.of(None, normalize_text(text)), set(), set(places))


def test_average_link_does_not_chain_through_a_bridge() -> None:
    # b resembles a and c, a and c do not resemble each other: single link chains all three
    scores = {("a", "b"): 0.6, ("b", "c"): 0.5}
    assert sorted(single_link(["a", "b", "c"], scores, 0.4)) == [["a", "b", "c"]]
    assert average_link(["a", "b", "c"], scores, 0.4) == [["a", "b"], ["c"]]
    result = pair_scores({("a", "b")}, grouped_pairs([["a", "b"], ["c"]]))
    assert (result["precision"], result["recall"], result["f1"]) == (1.0, 1.0, 1.0)


def test_average_link_merges_a_group_whose_members_agree() -> None:
    scores = {("a", "b"): 0.9, ("a", "c"): 0.5, ("b", "c"): 0.45, ("c", "d"): 0.2}
    assert average_link("abcd", scores, 0.4) == [["a", "b", "c"], ["d"]]
    assert average_link("abcd", {}, 0.4) == [["a"], ["b"], ["c"], ["d"]]


def test_links_are_made_as_the_pipeline_makes_them() -> None:
    day = datetime(2024, 3, 1, tzinfo=UTC)
    a = page("a", "افتتح وزير الثقافة معرض الكتاب في القاهرة بمشاركة 45 دولة و1200 ناشر وسط إقبال كبير من الزوار", day)
    b = page("b", "وزير الثقافة يفتتح معرض القاهرة للكتاب بمشاركة 45 دولة و1200 ناشر وإقبال كبير للزوار", day)
    c = page("c", "افتتح وزير الثقافة معرض الكتاب في القاهرة بمشاركة 38 دولة و900 ناشر وسط إقبال كبير من الزوار", day)
    far = page("d", "افتتح وزير الثقافة معرض الكتاب في القاهرة وسط إقبال كبير من الزوار", datetime(2024, 9, 1, tzinfo=UTC))
    unrelated = page("e", "فاز المنتخب المغربي على نظيره البرتغالي بهدف نظيف في ربع نهائي كأس العالم", day)
    links = similarities([a, b, c, far, unrelated], ScoreWeights(), DedupConfig())
    # c states other numbers, d is six months later, e shares no terms: only a and b are linked
    assert set(links) == {("a", "b")}
    assert links[("a", "b")] >= DedupConfig().rewrite_min_score


def test_shared_places_count_as_the_pipeline_counts_them() -> None:
    text_a = "افتتح وزير الثقافة معرض الكتاب بمشاركة 45 دولة و1200 ناشر وسط إقبال كبير من الزوار"
    text_b = "وزير الثقافة يفتتح معرض الكتاب بمشاركة 45 دولة و1200 ناشر وإقبال كبير للزوار"
    places = frozenset({"LOC\tالقاهره", "LOC\tمصر"})
    plain = similarities([page("a", text_a), page("b", text_b)], ScoreWeights(), DedupConfig())
    placed = similarities([page("a", text_a, places=places), page("b", text_b, places=places)], ScoreWeights(), DedupConfig())
    assert placed[("a", "b")] == pytest.approx(plain[("a", "b")] + 0.1)
