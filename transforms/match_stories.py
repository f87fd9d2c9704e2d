"""Streaming story matching: new articles against those seen in the last days.

The batch path (transforms/group_stories.py) clusters a whole corpus at once. A
stream never ends, so here every article is matched on arrival against
recent articles kept in state, and assigned to a story when its event-time
window closes:

1. ``sketch``: what matching needs of an article (content hash, MinHash
   signature, word shingles, its people and organizations, dates).
2. ``MatchRecentFn``, keyed by bucket: the content hash (exact), each LSH
   band of the signature (near) and each person or organization named
   (story: rewrites of a wire story name the same actors). Each bucket keeps
   the recent articles that fell in it (at most max_bucket, newest kept) and
   verifies every newcomer against them with the batch path's own tests
   (``verify_pair``); an event-time timer drops entries older than
   memory_days.
3. ``AssignStoriesFn``, one key: per window pane, the pane's articles and
   their edges; state holds the story of every article of the last
   memory_days. Which story an article joins, its kind and the story rows
   come from the story core (transforms/stories/), as in batch and
   incremental runs: a group linked to earlier stories joins the one with the
   smallest story id, else it starts a story (canonical by the batch order).
   Earlier rows are never rewritten.

Late data: an article whose window already fired arrives in a late pane
(allowed_lateness) and is matched and assigned like any other; beyond the
allowed lateness the runner drops it (counted by the runner, not by khabar).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import apache_beam as beam
from apache_beam.coders import PickleCoder
from apache_beam.transforms import trigger, window
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import BagStateSpec, ReadModifyWriteStateSpec, TimerSpec, on_timer
from khabar.transforms.apply_stories import story_values
from khabar.transforms.runtime.records import Document
from khabar.transforms.stories.assign import Assignment, assign_story, join_earlier
from khabar.transforms.stories.clusters import story_components
from khabar.transforms.stories.config import DedupConfig
from khabar.transforms.stories.fingerprints import Fingerprint
from khabar.transforms.stories.rewrites import RewriteLink
from khabar.transforms.stories.rows import StoryUpdate, updated_story_row
from khabar.transforms.stories.sketch import Sketch, bucket_keys, is_evidence, match, sketch
from khabar.transforms.text.minhash import MinHasher
from khabar.transforms.text.word_frequency import load_frequencies

NAMESPACE = "khabar.streaming"
DAY = 86_400.0


@dataclass(frozen=True)
class StreamingConfig:
    """The streaming pipeline (khabar run --streaming).

    window_minutes: event-time windows the tables are written in (files per window).
    allowed_lateness_minutes: how late an article may arrive and still be
      written (in a late pane of its window); later ones are dropped by the runner.
    memory_days: how long an article stays matchable (state expiry).
    poll_seconds: how often the input pattern is listed for new files.
    pubsub_subscription: read object-store notifications (GCS JSON API
      payloads) from this Pub/Sub subscription instead of listing the pattern.
    """

    window_minutes: float = 5.0
    allowed_lateness_minutes: float = 60.0
    memory_days: float = 4.0
    poll_seconds: float = 30.0
    pubsub_subscription: str = ""


# State and timers (module level: Beam reads them from the process() defaults).
RECENT = BagStateSpec("recent", PickleCoder())
BUCKET_EXPIRY = TimerSpec("bucket_expiry", TimeDomain.WATERMARK)
KNOWN = ReadModifyWriteStateSpec("known", PickleCoder())
STORIES = ReadModifyWriteStateSpec("stories", PickleCoder())
STORY_EXPIRY = TimerSpec("story_expiry", TimeDomain.WATERMARK)
_RECENT = beam.DoFn.StateParam(RECENT)
_BUCKET_EXPIRY = beam.DoFn.TimerParam(BUCKET_EXPIRY)
_KNOWN = beam.DoFn.StateParam(KNOWN)
_STORIES = beam.DoFn.StateParam(STORIES)
_STORY_EXPIRY = beam.DoFn.TimerParam(STORY_EXPIRY)
REPORTS = BagStateSpec("reports", PickleCoder())
_REPORTS = beam.DoFn.StateParam(REPORTS)


@dataclass(frozen=True)
class Edge:
    """A link a bucket found: an edge kind, or REWRITE with the rewrite link's score."""

    new: str
    old: str
    kind: str
    score: float = 0.0


REWRITE = "rewrite"


@dataclass(frozen=True)
class Report:
    """One bucket's answer for a newcomer: its edges there; the exact bucket
    (every article has exactly one) also carries the sketch."""

    article_id: str
    edges: tuple[Edge, ...]
    expected: int
    sketch: Sketch | None = None


@dataclass(frozen=True)
class Matched:
    """An article with every edge all its buckets found: what assignment needs, in one element."""

    sketch: Sketch
    edges: tuple[Edge, ...]


class MatchRecentFn(beam.DoFn):
    """(bucket, (Sketch, buckets)) -> one Report per newcomer with its edges to the
    bucket's recent articles (stateful, timers)."""

    def __init__(self, config: DedupConfig, streaming: StreamingConfig) -> None:
        self._config, self._streaming = config, streaming

    def process(
        self,
        element: tuple[str, tuple[Sketch, int]],
        recent: Any = _RECENT,
        expiry: Any = _BUCKET_EXPIRY,
    ) -> Iterator[Report]:
        bucket, (new, expected) = element
        stored = list(recent.read())
        horizon = new.event_time - self._streaming.memory_days * DAY
        others = [old for old in stored if old.article_id != new.article_id and old.event_time > horizon]
        edges = []
        for old in others if is_evidence(bucket, len(others) + 1, self._config) else ():
            found = match(new, old, bucket, self._config)
            if isinstance(found, float):
                beam.metrics.Metrics.counter(NAMESPACE, "rewrite_links").inc()
                edges.append(Edge(new.article_id, old.article_id, REWRITE, found))
            elif found:
                beam.metrics.Metrics.counter(NAMESPACE, f"edges_{found}").inc()
                edges.append(Edge(new.article_id, old.article_id, found))
        yield Report(new.article_id, tuple(edges), expected, new if bucket.startswith("exact\x1f") else None)
        new = replace(new, document=None)
        # A hot bucket (a name in every story) keeps only its newest max_bucket articles.
        kept = sorted([*others, new], key=lambda s: (s.event_time, s.article_id))[-self._config.max_bucket :]
        if len(kept) == len(stored) + 1:
            recent.add(new)
        else:
            recent.clear()
            for item in kept:
                recent.add(item)
        # The timer fires when the oldest entry expires (not pushed back by every newcomer).
        expiry.set(kept[0].event_time + self._streaming.memory_days * DAY)

    @on_timer(BUCKET_EXPIRY)
    def expire(self, fired: Any = beam.DoFn.TimestampParam, recent: Any = _RECENT, expiry: Any = _BUCKET_EXPIRY) -> Iterator[Any]:
        horizon = float(fired) - self._streaming.memory_days * DAY
        kept = sorted((item for item in recent.read() if item.event_time > horizon), key=lambda s: (s.event_time, s.article_id))
        recent.clear()
        for item in kept:
            recent.add(item)
        if kept:
            expiry.set(kept[0].event_time + self._streaming.memory_days * DAY)
        return iter(())


class CollectReportsFn(beam.DoFn):
    """(article_id, Report) -> Matched once every bucket of the article has reported."""

    def process(self, element: tuple[str, Report], reports: Any = _REPORTS) -> Iterator[Matched]:
        _, report = element
        reports.add(report)
        received = list(reports.read())
        if len(received) < report.expected:
            return
        reports.clear()
        sketch = next(r.sketch for r in received if r.sketch is not None)
        yield Matched(sketch, tuple(sorted({e for r in received for e in r.edges}, key=lambda e: (e.old, e.kind))))


@dataclass(frozen=True)
class Assigned:
    """A streamed article's story, with its document on the way to the articles table."""

    article_id: str
    assignment: Assignment
    document: Document | None = field(default=None, compare=False)


def assign_pane(
    members: list[Fingerprint], edges: Iterable[Edge], known: dict[str, tuple[str, str]], config: DedupConfig
) -> tuple[list[Assigned], dict[str, tuple[str, str]]]:
    """Stories for one pane's new articles, by the story core's rules.

    known: article_id -> (story_id, canonical) of earlier articles.
    Components are built over the pane's articles and the earlier ones they
    link to, as in batch runs (stories.clusters.story_components: edges, then
    rewrite links by average link); a component with earlier articles joins one of their stories
    (stories.assign.join_earlier: the smallest story id), else it starts a
    story (stories.assign.assign_story: the batch path's canonical). Returns
    the assignments and the new known entries.
    """
    new_ids = {fp.article_id for fp in members}
    kept: list[tuple[str, str, str]] = []
    links: list[RewriteLink] = []
    for edge in edges:
        if edge.new not in new_ids or (edge.old not in new_ids and edge.old not in known):
            continue  # the earlier article's story has expired: no link
        if edge.kind == REWRITE:
            links.append(RewriteLink(*sorted((edge.new, edge.old)), edge.score))
        else:
            kept.append((edge.new, edge.old, edge.kind))
    found, joined = story_components(kept, sorted(set(links), key=lambda link: (link.a, link.b)), config.rewrite_min_score)
    comp = {article: found.get(article, article) for article in sorted(new_ids)} | found
    groups: dict[str, list[str]] = {}
    for item, root in comp.items():
        groups.setdefault(root, []).append(item)
    group_edges: dict[str, list[tuple[str, str, str]]] = {}
    for edge in [*kept, *joined]:
        group_edges.setdefault(comp[edge[0]], []).append(edge)
    by_id = {fp.article_id: fp for fp in members}
    assigned: list[Assigned] = []
    for root, ids in groups.items():
        fresh = [by_id[i] for i in ids if i in new_ids]
        earlier = {i: known[i] for i in ids if i not in new_ids}
        if earlier:
            _, _, assignments = join_earlier(fresh, earlier, group_edges.get(root, []))
        else:
            assignments = assign_story(fresh, group_edges.get(root, []))
        assigned.extend(Assigned(article, assignment) for article, assignment in assignments.items())
    updates = {a.article_id: (a.assignment.story_id, a.assignment.canonical) for a in assigned}
    return sorted(assigned, key=lambda a: a.article_id), updates


class AssignStoriesFn(beam.DoFn):
    """(None, [pane items]) -> Assigned articles and story rows; one key, so one story map.

    The map holds ids and story rows only (no text), expired after
    memory_days by an event-time timer. Story rows are the batch path's
    (stories.rows.updated_story_row): a story's row is its previous row plus
    the pane's new members.
    """

    def __init__(self, streaming: StreamingConfig, config: DedupConfig) -> None:
        self._streaming, self._config = streaming, config

    def process(
        self,
        element: tuple[None, Iterable[Any]],
        known_state: Any = _KNOWN,
        stories_state: Any = _STORIES,
        expiry: Any = _STORY_EXPIRY,
    ) -> Iterator[Any]:
        _, items = element
        matched: list[Matched] = list(items)
        members = sorted({m.sketch.fingerprint for m in matched}, key=lambda fp: fp.article_id)
        times = {m.sketch.article_id: m.sketch.event_time for m in matched}
        edges = [e for m in matched for e in m.edges]
        known: dict[str, tuple[str, str]] = known_state.read() or {}
        stories: dict[str, dict[str, Any]] = stories_state.read() or {}
        now = max(times.values(), default=0.0)
        assigned, updates = assign_pane(members, edges, known, self._config)
        known.update(updates)
        by_id = {fp.article_id: fp for fp in members}
        documents = {m.sketch.article_id: m.sketch.document for m in matched}
        touched: dict[str, list[Fingerprint]] = {}
        for item in assigned:
            beam.metrics.Metrics.counter(NAMESPACE, f"assigned_{item.assignment.kind or 'canonical'}").inc()
            touched.setdefault(item.assignment.story_id, []).append(by_id[item.article_id])
            yield replace(item, document=documents.get(item.article_id))
        for story_id in sorted(touched):
            canonical = known[touched[story_id][0].article_id][1]
            previous = stories.get(story_id)
            row = updated_story_row(StoryUpdate(story_id, canonical, tuple(touched[story_id])), previous)
            stories[story_id] = {**row, "last": max(previous["last"], now) if previous else now}
            yield row
        known_state.write(known)
        stories_state.write(stories)
        if stories:  # fires when the oldest story expires
            expiry.set(min(v["last"] for v in stories.values()) + self._streaming.memory_days * DAY)

    @on_timer(STORY_EXPIRY)
    def expire(
        self, fired: Any = beam.DoFn.TimestampParam, known_state: Any = _KNOWN, stories_state: Any = _STORIES, expiry: Any = _STORY_EXPIRY
    ) -> Iterator[Any]:
        horizon = float(fired) - self._streaming.memory_days * DAY
        stories = {k: v for k, v in (stories_state.read() or {}).items() if v["last"] > horizon}
        known = {k: v for k, v in (known_state.read() or {}).items() if v[0] in stories}
        stories_state.write(stories)
        known_state.write(known)
        if stories:
            expiry.set(min(v["last"] for v in stories.values()) + self._streaming.memory_days * DAY)
        return iter(())


def windowing(streaming: StreamingConfig) -> beam.WindowInto:
    """Fixed event-time windows, fired at the watermark and again for each late article."""
    return beam.WindowInto(
        window.FixedWindows(streaming.window_minutes * 60),
        trigger=trigger.AfterWatermark(late=trigger.AfterCount(1)),
        accumulation_mode=trigger.AccumulationMode.DISCARDING,
        allowed_lateness=streaming.allowed_lateness_minutes * 60,
    )


class _SketchFn(beam.DoFn):
    def __init__(self, config: DedupConfig) -> None:
        self._config = config

    def setup(self) -> None:
        self._hasher = MinHasher(self._config.num_perm)
        if self._config.story and self._config.rewrite:
            load_frequencies()  # the frequency list, once a worker

    def process(self, element: tuple[Document, frozenset[tuple[str, str]]], timestamp: Any = beam.DoFn.TimestampParam) -> Iterator[Sketch]:
        doc, entities = element
        yield sketch(doc, entities, float(timestamp), self._hasher, self._config)


def _to_buckets(item: Sketch, config: DedupConfig) -> list[tuple[str, tuple[Sketch, int]]]:
    keys = bucket_keys(item, config)
    return [(key, (item, len(keys))) for key in keys]


def apply_assignment(item: Assigned) -> Document:
    """The assigned article's document with its story columns set (apply_stories.story_values)."""
    doc = item.document
    assert doc is not None
    doc.story_id, doc.is_canonical, doc.duplicate_of, doc.duplicate_kind = story_values(item.article_id, item.assignment)
    return doc


class MatchStories(beam.PTransform):
    """Windowed (Document, entity keys) pairs -> {'assignments': Assignment, 'stories': story rows}.

    Runs on streaming runners (Dataflow, Flink, Prism) and, for tests, on the
    DirectRunner with TestStream: it needs state and timers (so not the DaskRunner).
    """

    def __init__(self, config: DedupConfig, streaming: StreamingConfig) -> None:
        super().__init__()
        self._config, self._streaming = config, streaming

    def expand(self, pairs: beam.PCollection) -> dict[str, beam.PCollection]:
        config = self._config
        sketches = pairs | "Sketch" >> beam.ParDo(_SketchFn(config))
        # User state lives per key and window: the stateful steps run in the
        # global window so that they remember across windows; their outputs
        # go back to the article's window by its timestamp.
        matched = (
            sketches
            | "MatchAcrossWindows" >> beam.WindowInto(window.GlobalWindows())
            | "Buckets" >> beam.FlatMap(_to_buckets, config)
            | "MatchRecent" >> beam.ParDo(MatchRecentFn(config, self._streaming))
            | "ByArticle" >> beam.Map(lambda report: (report.article_id, report))
            | "CollectReports" >> beam.ParDo(CollectReportsFn())
            | "BackToWindows" >> windowing(self._streaming)
        )
        results = (
            matched
            | "OneKey" >> beam.Map(lambda item: (None, item))
            | "Pane" >> beam.GroupByKey()
            | "AssignAcrossPanes" >> beam.WindowInto(window.GlobalWindows())
            | "AssignStories" >> beam.ParDo(AssignStoriesFn(self._streaming, config))
            | "ResultsToWindows" >> windowing(self._streaming)
        )
        return {
            "assignments": results | "Assignments" >> beam.Filter(lambda x: isinstance(x, Assigned)),
            "stories": results | "StoryRows" >> beam.Filter(lambda x: isinstance(x, dict)),
        }
