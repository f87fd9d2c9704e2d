"""Deduplication and story clustering.

Reads normalized ``Document`` records (with their entities' canonical ids);
writes them back with ``story_id``, ``is_canonical``, ``duplicate_of`` and
``duplicate_kind`` set, plus one ``stories`` row per story.

Three levels of evidence make edges between articles:

1. exact: equal content_hash of text_normalized (GroupByKey on the hash);
2. near: MinHash over word 5-shingles with LSH banding, each candidate pair
   verified by the signatures' estimated Jaccard (transforms/minhash.py);
3. story: rewrites of one wire story, found by text reuse: candidate pairs
   from shared rare shingles (an inverted index with a document-frequency
   cut-off), scored by the longest verbatim passages, containment, shared
   canonical entities and publication dates (transforms/textreuse.py).

Stories are the connected components of the edges (union-find over the
edges only, never the corpus). The canonical article is the earliest
published, else the longest, ties by article_id; story_id is the canonical's
article_id, so it does not depend on runner, bundles or worker count.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import apache_beam as beam

from transforms.records import Document
from transforms.runinfo import RunInfo

NAMESPACE = "khabar.dedup"
EXACT, NEAR, STORY = "exact", "near", "story"
_KIND_RANK = {EXACT: 0, NEAR: 1, STORY: 2}


@dataclass(frozen=True)
class DedupConfig:
    """Deduplication levels and thresholds.

    near / story: switch a level off (exact is always on).
    shingle_size: words per shingle (5).
    num_perm / bands: MinHash permutations and LSH bands (rows = num_perm // bands);
      16 bands of 8 rows catch Jaccard 0.8 pairs with probability > 0.999.
    near_threshold: estimated Jaccard a near-duplicate pair must reach (0.8).
    max_bucket: LSH buckets or shingle postings larger than this are hot keys
      (boilerplate, quotes everyone repeats) and are skipped.
    story_max_df: a shingle on more documents than this is not rare.
    story_min_shared: rare shingles two articles must share to be compared.
    story_min_passage: words of the longest verbatim passage that alone make
      two articles one story (with a shared entity and compatible dates).
    story_min_score: total score (see textreuse.story_score) to accept a pair.
    story_max_days: published_at gap beyond which two articles are never one story.
    """

    near: bool = True
    story: bool = True
    shingle_size: int = 5
    num_perm: int = 128
    bands: int = 16
    near_threshold: float = 0.8
    max_bucket: int = 200
    story_max_df: int = 50
    story_min_shared: int = 4
    story_min_passage: int = 12
    story_min_score: float = 1.0
    story_max_days: float = 4.0


@dataclass(frozen=True)
class Fingerprint:
    """What clustering needs of an article (small: no text)."""

    article_id: str
    content_hash: str
    published_at: datetime | None
    length: int
    title: str | None
    source_name: str | None


def fingerprint(doc: Document) -> Fingerprint:
    return Fingerprint(doc.article_id, doc.content_hash, doc.published_at, len(doc.text), doc.title, doc.source_name)


# ---------------------------------------------------------------- clustering


class UnionFind:
    """Connected components whose root is the smallest member id (deterministic)."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        parent = self._parent.setdefault(item, item)
        if parent != item:
            parent = self._parent[item] = self.find(parent)
        return parent

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            low, high = sorted((ra, rb))
            self._parent[high] = low

    def components(self) -> dict[str, str]:
        return {item: self.find(item) for item in list(self._parent)}


def components(edges: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """article_id -> component key for every article on an edge."""
    uf = UnionFind()
    for a, b, _kind in edges:
        uf.union(a, b)
    return uf.components()


def canonical_order(fp: Fingerprint) -> tuple[Any, ...]:
    """Earliest published first (unknown dates last), then longest, then article_id."""
    return (fp.published_at is None, fp.published_at or datetime.max, -fp.length, fp.article_id)


@dataclass(frozen=True)
class Assignment:
    story_id: str
    canonical: str
    kind: str | None  # None for the canonical itself


def assign_story(members: list[Fingerprint], edges: Iterable[tuple[str, str, str]]) -> dict[str, Assignment]:
    """Story assignment for the members of one component.

    A member's duplicate_kind is the strongest evidence linking it to the
    canonical: exact when their hashes are equal, near when a near edge joins
    them directly, else story.
    """
    ordered = sorted(members, key=canonical_order)
    canonical = ordered[0]
    direct: dict[str, str] = {}
    for a, b, kind in edges:
        if canonical.article_id in (a, b):
            other = b if a == canonical.article_id else a
            if other not in direct or _KIND_RANK[kind] < _KIND_RANK[direct[other]]:
                direct[other] = kind
    result = {canonical.article_id: Assignment(canonical.article_id, canonical.article_id, None)}
    for fp in ordered[1:]:
        if fp.content_hash == canonical.content_hash:
            kind = EXACT
        else:
            kind = direct.get(fp.article_id, STORY)
            kind = STORY if kind == EXACT else kind
        result[fp.article_id] = Assignment(canonical.article_id, canonical.article_id, kind)
    return result


def story_row(members: list[Fingerprint], story_id: str, run: RunInfo) -> dict[str, Any]:
    ordered = sorted(members, key=canonical_order)
    dates = [fp.published_at for fp in members if fp.published_at is not None]
    return {
        "story_id": story_id,
        "canonical_article_id": ordered[0].article_id,
        "article_ids": sorted(fp.article_id for fp in members),
        "size": len(members),
        "title": ordered[0].title,
        "sources": sorted({fp.source_name for fp in members if fp.source_name}),
        "first_published_at": min(dates) if dates else None,
        **run.stamp(),
    }


# ---------------------------------------------------------------- candidate edges


def exact_edges(group: tuple[str, Iterable[str]]) -> Iterator[tuple[str, str, str]]:
    """Members of one content-hash group, linked to its smallest id (a star, not a clique)."""
    ids = sorted(set(group[1]))
    for other in ids[1:]:
        yield ids[0], other, EXACT


# ---------------------------------------------------------------- Beam


class _ClusterFn(beam.DoFn):
    """All edges (one element) -> article_id -> component key."""

    def process(self, edges: list[tuple[str, str, str]]) -> Iterator[dict[str, str]]:
        yield components(edges)


class _AssignFn(beam.DoFn):
    """Members of one component -> story rows and per-article assignments."""

    def __init__(self, run: RunInfo) -> None:
        self._run = run

    def process(
        self, element: tuple[str, Iterable[Fingerprint]], edges_by_component: dict[str, list[tuple[str, str, str]]]
    ) -> Iterator[Any]:
        key, members = element
        members = sorted(members, key=lambda fp: fp.article_id)
        assignments = assign_story(members, edges_by_component.get(key, []))
        story_id = next(iter(assignments.values())).story_id
        for article_id, assignment in assignments.items():
            if assignment.kind:
                beam.metrics.Metrics.counter(NAMESPACE, f"duplicates_{assignment.kind}").inc()
            yield beam.pvalue.TaggedOutput("assignments", (article_id, assignment))
        beam.metrics.Metrics.counter(NAMESPACE, "stories").inc()
        yield story_row(members, story_id, self._run)


def _apply_assignment(doc: Document, assignments: dict[str, Assignment]) -> Document:
    assignment = assignments.get(doc.article_id)
    if assignment is None:
        doc.story_id, doc.is_canonical, doc.duplicate_of, doc.duplicate_kind = doc.article_id, True, None, None
    else:
        doc.story_id = assignment.story_id
        doc.is_canonical = assignment.kind is None
        doc.duplicate_of = None if assignment.kind is None else assignment.canonical
        doc.duplicate_kind = assignment.kind
    return doc


def _edges_by_component(edges: list[tuple[str, str, str]], comp: dict[str, str]) -> dict[str, list[tuple[str, str, str]]]:
    grouped: dict[str, list[tuple[str, str, str]]] = {}
    for edge in edges:
        grouped.setdefault(comp[edge[0]], []).append(edge)
    return grouped


class GroupStories(beam.PTransform):
    """Documents -> {'documents': with story fields, 'stories': story rows}."""

    def __init__(self, config: DedupConfig, run: RunInfo) -> None:
        super().__init__()
        self._config, self._run = config, run

    def candidate_edges(self, docs: beam.PCollection) -> beam.PCollection:
        return (
            docs
            | "KeyByHash" >> beam.Map(lambda d: (d.content_hash, d.article_id))
            | "GroupByHash" >> beam.GroupByKey()
            | "ExactEdges" >> beam.FlatMap(exact_edges)
        )

    def expand(self, docs: beam.PCollection) -> dict[str, beam.PCollection]:
        edges = self.candidate_edges(docs)
        all_edges = edges | "CollectEdges" >> beam.combiners.ToList()
        comp = all_edges | "Components" >> beam.ParDo(_ClusterFn())
        grouped_edges = all_edges | "EdgesByComponent" >> beam.Map(lambda e, c: _edges_by_component(e, c), c=beam.pvalue.AsSingleton(comp))
        comp_side = beam.pvalue.AsSingleton(comp)
        # Only articles on an edge are grouped; every other article is its own story.
        results = (
            docs
            | "Fingerprint" >> beam.Map(fingerprint)
            | "KeyByComponent" >> beam.Map(lambda fp, c: (c.get(fp.article_id, fp.article_id), fp), c=comp_side)
            | "GroupComponents" >> beam.GroupByKey()
            | "AssignStories"
            >> beam.ParDo(_AssignFn(self._run), beam.pvalue.AsSingleton(grouped_edges)).with_outputs("assignments", main="stories")
        )
        duplicates = results.assignments | "OnlyDuplicates" >> beam.Filter(lambda kv: kv[1].kind is not None or kv[1].story_id != kv[0])
        canonicals = results.assignments | "OnlyCanonicalsOfGroups" >> beam.Filter(lambda kv, c: kv[0] in c, c=comp_side)
        table = (duplicates, canonicals) | "FlattenAssignments" >> beam.Flatten() | "AssignmentTable" >> beam.combiners.ToDict()
        documents = docs | "ApplyAssignments" >> beam.Map(_apply_assignment, beam.pvalue.AsSingleton(table))
        return {"documents": documents, "stories": results.stories}
