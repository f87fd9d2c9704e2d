"""Streaming story matching with TestStream on the local runner: windows and
triggers, late articles, state expiry, and a rewrite arriving in a later
window that joins the story of an article from an earlier window."""

from __future__ import annotations

from typing import Any

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.test_stream import TestStream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms import window
from khabar.transforms.match_stories import REWRITE, Edge, MatchStories, StreamingConfig, assign_pane, windowing
from khabar.transforms.runtime.records import Document
from khabar.transforms.stories.assign import assign_to_prior
from khabar.transforms.stories.config import EXACT, NEAR, STORY, DedupConfig
from khabar.transforms.stories.fingerprints import Fingerprint
from khabar.transforms.stories.sketch import bucket_keys, is_evidence, match, sketch
from khabar.transforms.text.entity_rules import EntityExtractor
from khabar.transforms.text.minhash import MinHasher

from tests.conftest import cleaned_document, rewrite_texts, sample_texts

EXTRACTOR = EntityExtractor()


def _doc(name: str) -> tuple[Document, frozenset[tuple[str, str]]]:
    pages = {n[:3]: t for n, t in sample_texts().items()}
    doc = cleaned_document(f"{name}.txt", pages[name[:3]])
    return doc, frozenset((m.type, m.key) for m in EXTRACTOR.extract(doc.text))


def _name(article_id: str, docs: dict[str, tuple[Document, Any]]) -> str:
    return next(name for name, (doc, _) in docs.items() if doc.article_id == article_id)


def _run(
    events: list[tuple[Any, ...]],
    docs: dict[str, tuple[Document, Any]],
    config: StreamingConfig,
    assigned: list[tuple[Any, ...]],
    stories: list[tuple[Any, ...]] | None = None,
) -> None:
    """events: ("add", name, event_time), ("watermark", t) or ("processing", seconds). Checks the
    assignments (window start, article, story, kind) and story rows (window
    start, story, members) the pipeline emits."""
    stream = TestStream().advance_watermark_to(0)
    for event in events:
        if event[0] == "add":
            stream = stream.add_elements([window.TimestampedValue(docs[event[1]], event[2])])
        elif event[0] == "processing":
            stream = stream.advance_processing_time(event[1])
        else:
            stream = stream.advance_watermark_to(event[1])
    stream = stream.advance_watermark_to_infinity()
    options = PipelineOptions()
    options.view_as(StandardOptions).streaming = True
    with TestPipeline(options=options) as p:
        out = p | stream | "Window" >> windowing(config) | MatchStories(DedupConfig(), config)

        def with_window(x: Any, w: Any = beam.DoFn.WindowParam) -> tuple[float, Any]:
            return float(w.start), x

        named = (
            out["assignments"]
            | "AW" >> beam.Map(with_window)
            | "AN"
            >> beam.MapTuple(lambda start, a: (start, _name(a.article_id, docs), _name(a.assignment.story_id, docs), a.assignment.kind))
        )
        assert_that(named, equal_to(assigned), label="Assignments")
        if stories is not None:
            rows = (
                out["stories"]
                | "SW" >> beam.Map(with_window)
                | "SN"
                >> beam.MapTuple(
                    lambda start, r: (start, _name(r["story_id"], docs), tuple(sorted(_name(i, docs) for i in r["article_ids"])))
                )
            )
            assert_that(rows, equal_to(stories), label="Stories")


DOCS = {name: _doc(name) for name in ("000", "001", "002", "003", "004")}
MINUTES5 = StreamingConfig(window_minutes=5, allowed_lateness_minutes=60, memory_days=4)


def test_a_rewrite_in_a_later_window_joins_the_story_of_an_earlier_window() -> None:
    _run(
        [("add", "000", 10), ("add", "001", 20), ("watermark", 400), ("add", "003", 500), ("add", "002", 510), ("watermark", 1000)],
        DOCS,
        MINUTES5,
        assigned=[
            (0.0, "000", "000", None),
            (0.0, "001", "001", None),
            (300.0, "002", "002", None),
            (300.0, "003", "000", STORY),  # 003 rewrites 000's wire story, one window later
        ],
        # Each pane writes the current row of every story it touched.
        stories=[(0.0, "000", ("000",)), (0.0, "001", ("001",)), (300.0, "000", ("000", "003")), (300.0, "002", ("002",))],
    )


def test_exact_copies_in_one_window_are_one_story() -> None:
    original, keys = DOCS["001"]
    copy = Document(**{**original.__dict__, "source_uri": "file:///in/001copy.txt", "digest": "copy"})
    docs = {**DOCS, "001copy": (copy, keys)}
    first, second = sorted(["001", "001copy"], key=lambda n: docs[n][0].article_id)  # equal otherwise: the smaller id leads
    _run(
        [("add", "001", 10), ("add", "001copy", 20), ("watermark", 400)],
        docs,
        MINUTES5,
        assigned=[(0.0, first, first, None), (0.0, second, first, EXACT)],
    )


def test_a_late_article_is_assigned_in_a_late_pane_and_a_too_late_one_is_dropped() -> None:
    config = StreamingConfig(window_minutes=5, allowed_lateness_minutes=10, memory_days=4)
    _run(
        [
            ("add", "000", 10),
            ("watermark", 400),  # window [0, 300) fires
            ("add", "003", 100),  # late, within 10 minutes: a late pane of [0, 300)
            ("watermark", 5000),  # past window end + allowed lateness
            ("add", "004", 50),  # too late: dropped by the runner
        ],
        DOCS,
        config,
        assigned=[(0.0, "000", "000", None), (0.0, "003", "000", STORY)],
    )


def test_state_expires_after_memory_days() -> None:
    config = StreamingConfig(window_minutes=5, allowed_lateness_minutes=0, memory_days=600 / 86_400)  # 10 minutes
    _run(
        [("add", "000", 10), ("watermark", 2000), ("add", "003", 2100), ("watermark", 3000)],
        DOCS,
        config,
        assigned=[(0.0, "000", "000", None), (2100.0, "003", "003", None)],  # 000 forgotten: 003 starts a story
    )


# ---------------------------------------------------------------- pure functions


def _fp(article: str, published: Any = None, length: int = 100) -> Fingerprint:
    return Fingerprint(article, "h" + article, published, length, article, "src")


def test_assign_pane_joins_the_earlier_story_of_smallest_id_as_batch_runs_do() -> None:
    known = {"old1": ("S2", "old1"), "old2": ("S1", "old2")}
    edges = [Edge("n1", "old1", STORY), Edge("n2", "old2", STORY), Edge("n2", "n1", "near")]
    assignments, updates = assign_pane([_fp("n1"), _fp("n2")], edges, known, DedupConfig())
    got = {(a.article_id, a.assignment.story_id, a.assignment.canonical, a.assignment.kind) for a in assignments}
    assert got == {("n1", "S1", "old2", STORY), ("n2", "S1", "old2", STORY)}
    assert updates["n1"] == ("S1", "old2")
    # the batch path's rule on the same component gives the same story and kinds
    prior = [
        Fingerprint("old1", "hold1", None, 100, "t", "src", "S2", "old1"),
        Fingerprint("old2", "hold2", None, 100, "t", "src", "S1", "old2"),
    ]
    story, canonical, batch = assign_to_prior([*prior, _fp("n1"), _fp("n2")], [(e.new, e.old, e.kind) for e in edges])
    assert (story, canonical) == ("S1", "old2")
    assert {(k, a.story_id, a.canonical, a.kind) for k, a in batch.items()} == got


def test_assign_pane_kinds_follow_the_links_to_the_joined_story() -> None:
    known = {"old": ("S", "old")}
    edges = [Edge("n1", "old", EXACT), Edge("n2", "old", NEAR), Edge("n3", "n1", STORY)]
    assignments, _ = assign_pane([_fp("n1"), _fp("n2"), _fp("n3")], edges, known, DedupConfig())
    assert [(a.article_id, a.assignment.kind) for a in assignments] == [("n1", EXACT), ("n2", NEAR), ("n3", STORY)]


def test_assign_pane_starts_a_story_with_the_batch_canonical_when_nothing_earlier_matches() -> None:
    assignments, updates = assign_pane([_fp("b", length=500), _fp("a", length=100)], [Edge("a", "b", STORY)], {}, DedupConfig())
    assert [(a.article_id, a.assignment.story_id, a.assignment.kind) for a in assignments] == [("a", "b", STORY), ("b", "b", None)]
    assert updates["a"] == ("b", "b")


def test_edges_to_expired_articles_are_ignored() -> None:
    assignments, _ = assign_pane([_fp("n")], [Edge("n", "gone", STORY)], {}, DedupConfig())
    assert [(a.assignment.story_id, a.assignment.kind) for a in assignments] == [("n", None)]


@pytest.mark.parametrize("name", ["000", "003"])
def test_rewrites_share_an_actor_bucket(name: str) -> None:
    from khabar.transforms.stories.sketch import sketch
    from khabar.transforms.text.minhash import MinHasher

    hasher, config = MinHasher(), DedupConfig()
    keys = {n: set(bucket_keys(sketch(*DOCS[n], 0.0, hasher, config), config)) for n in ("000", "003")}
    assert any(k.startswith("entity") for k in keys["000"] & keys["003"])
    assert sum(k.startswith("band") for k in keys[name]) == config.bands


def test_state_expires_under_continuous_traffic_too() -> None:
    # Articles keep arriving (some share buckets with 000): 000 must still be forgotten after 10 minutes.
    config = StreamingConfig(window_minutes=5, allowed_lateness_minutes=0, memory_days=600 / 86_400)
    _run(
        [
            ("add", "000", 10),
            ("watermark", 350),
            ("add", "001", 400),
            ("watermark", 650),
            ("add", "002", 700),
            ("watermark", 950),
            ("add", "004", 1000),
            ("watermark", 1250),
            ("add", "003", 1300),
            ("watermark", 2000),
        ],
        DOCS,
        config,
        assigned=[
            (0.0, "000", "000", None),
            (300.0, "001", "001", None),
            (600.0, "002", "002", None),
            (900.0, "004", "004", None),
            (1200.0, "003", "003", None),  # 1,290 s after 000: past the 600 s memory
        ],
    )


def test_assign_pane_groups_rewrite_links_by_average_link_as_batch_runs_do() -> None:
    # n3 resembles n2 only: its mean with {n1, n2} is (0 + 0.6) / 2, below the threshold
    edges = [Edge("n2", "n1", REWRITE, 0.9), Edge("n3", "n2", REWRITE, 0.6)]
    assignments, _ = assign_pane([_fp("n1"), _fp("n2"), _fp("n3")], edges, {}, DedupConfig())
    stories = {a.article_id: a.assignment.story_id for a in assignments}
    assert stories["n1"] == stories["n2"] != stories["n3"]
    assert {a.article_id: a.assignment.kind for a in assignments}["n3"] is None


def test_term_buckets_link_rewrites_that_share_no_passage() -> None:
    config, hasher = DedupConfig(), MinHasher()
    docs = {name: cleaned_document(name, text) for name, text in rewrite_texts().items()}
    items = {name: sketch(doc, frozenset(), 0.0, hasher, config) for name, doc in docs.items()}
    shared = set(bucket_keys(items["ra"], config)) & set(bucket_keys(items["rb"], config))
    terms = sorted(key for key in shared if key.startswith("term\x1f"))
    assert terms  # the rewrites meet in term buckets
    score = match(items["rb"], items["ra"], terms[0], config)
    assert isinstance(score, float) and score >= config.rewrite_min_score
    assert match(items["oc"], items["ra"], terms[0], config) is None  # other figures: another occasion


def test_a_hot_term_bucket_is_no_evidence_as_in_batch_runs() -> None:
    config = DedupConfig(story_max_df=3)
    assert is_evidence("term\x1f123", 3, config)
    assert not is_evidence("term\x1f123", 4, config)  # a term on more than story_max_df articles
    assert is_evidence("entity\x1fPER\x1fx", 40, config)  # other buckets are capped, not skipped
