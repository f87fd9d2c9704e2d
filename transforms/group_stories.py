"""Deduplication and story clustering.

Reads normalized ``Document`` records (with the entity_keys ExtractEntities set);
returns each grouped article's ``Assignment`` (story, canonical, kind: what
the articles table's ``story_id``, ``is_canonical``, ``duplicate_of`` and
``duplicate_kind`` say, set by transforms/apply_stories.py), plus one
``stories`` row per story.

Three levels of evidence make edges between articles:

1. exact: equal content_hash of text_normalized (GroupByKey on the hash);
2. near: MinHash over word 5-shingles with LSH banding, each candidate pair
   verified by the signatures' estimated Jaccard (transforms/text/minhash.py);
3. story: rewrites of one wire story, found by text reuse: candidate pairs
   from shared rare shingles (an inverted index with a document-frequency
   cut-off), scored by the longest verbatim passages, containment, shared
   canonical entities and publication dates (transforms/stories/textreuse.py);
   and rewrites in an outlet's own words: pairs sharing heavy terms in the
   same index that no passage joins become scored rewrite links
   (transforms/stories/rewrites.py).

Stories: the connected components of the edges (union-find over the edges
only, never the corpus), then those groups joined by average link over the
rewrite links (transforms/stories/clusters.story_components), so that one
article resembling two events does not chain them. The canonical article is the earliest
published, else the longest, ties by article_id; story_id is the canonical's
article_id, so it does not depend on runner, bundles or worker count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import apache_beam as beam
import numpy as np
from khabar.transforms.runtime.batching import BatchedDoFn
from khabar.transforms.runtime.records import Document, as_singleton, one, split_by_type
from khabar.transforms.runtime.timing import TimedDoFn
from khabar.transforms.stories.assign import assign_story, assign_to_prior
from khabar.transforms.stories.clusters import story_components
from khabar.transforms.stories.config import DedupConfig
from khabar.transforms.stories.fingerprints import Evidence, Fingerprint, article_rewrite, fingerprint, prior_print
from khabar.transforms.stories.pairs import (
    add_found,
    candidate_flags,
    candidate_pairs,
    exact_edges,
    found_flags,
    index_terms,
    lsh_signature,
    shard_elements,
    verify_candidate,
)
from khabar.transforms.stories.rewrites import RewriteLink
from khabar.transforms.stories.rows import StoryUpdate, fingerprint_row, story_row, updated_story_row
from khabar.transforms.text.minhash import MinHasher, compact, text_shingles32
from khabar.transforms.text.word_frequency import load_frequencies

NAMESPACE = "khabar.dedup"


# ---------------------------------------------------------------- Beam


class _FingerprintFn(BatchedDoFn, TimedDoFn):
    """Document -> (article_id, everything dedup needs); the MinHasher is built once per worker."""

    STAGE = "fingerprints"

    def __init__(self, config: DedupConfig) -> None:
        super().__init__()
        self._config = config

    def setup(self) -> None:
        self._hasher = MinHasher(self._config.num_perm)
        self._rewrite = self._config.story and self._config.rewrite
        if self._rewrite:
            load_frequencies()  # the frequency list, once a worker

    def process(self, doc: Document) -> Iterator[tuple[str, dict[str, Any]]]:
        with self.clock:
            shingles = text_shingles32(doc.text_normalized, self._config.shingle_size)
            signature = compact(self._hasher.signature(shingles)) if self._config.near else b""
            rewrite = article_rewrite(doc) if self._rewrite else b""
            element = (
                doc.article_id,
                {
                    "fingerprint": fingerprint(doc),
                    "evidence": Evidence.of(shingles, doc.published_at, signature=signature, entities=doc.entity_keys, rewrite=rewrite),
                    "entities": doc.entity_keys,
                },
            )
        yield element


class _ShardPairsFn(TimedDoFn):
    """One shard's articles -> ((a, b), (rare shingles shared in the shard, found by LSH))."""

    STAGE = "dedup_index"

    def __init__(self, config: DedupConfig) -> None:
        super().__init__()
        self._config = config

    def process(
        self, element: tuple[int, Iterable[tuple[str, np.ndarray, bytes, np.ndarray]]]
    ) -> Iterator[tuple[tuple[str, str], tuple[int, bool, int]]]:
        shard, members = element
        with self.clock:
            found = list(candidate_pairs(list(members), shard, self._config).items())
        yield from found


def _left_side(element: tuple[str, dict[str, list[Any]]]) -> list[tuple[str, tuple[str, Evidence, int]]]:
    """Join step 1: each candidate pair (a, b) gets a's evidence, keyed by b."""
    article, joined = element
    if not joined["evidence"] or not joined["partners"]:
        return []
    evidence = joined["evidence"][0]
    return [(partner, (article, evidence, found_by)) for partner, found_by in joined["partners"]]


def _count_edges(edges: list[tuple[str, str, str] | RewriteLink]) -> None:
    for edge in edges:
        kind = "rewrite_links" if isinstance(edge, RewriteLink) else f"edges_{edge[2]}"
        beam.metrics.Metrics.counter(NAMESPACE, kind).inc()


class _VerifyFn(TimedDoFn):
    """Join step 2: b's evidence meets every a paired with it; verified pairs become edges."""

    STAGE = "dedup_verify"

    def __init__(self, config: DedupConfig) -> None:
        super().__init__()
        self._config = config

    def process(self, element: tuple[str, dict[str, list[Any]]]) -> Iterator[tuple[str, str, str] | RewriteLink]:
        article, joined = element
        if not joined["evidence"]:
            return
        right = (article, joined["evidence"][0])
        with self.clock:
            edges = [
                edge
                for left_id, left_evidence, found_by in sorted(joined["left"], key=lambda x: x[0])
                for edge in verify_candidate((left_id, left_evidence), right, found_by, self._config)
            ]
        _count_edges(edges)
        yield from edges


class _IndexAndVerifyFn(TimedDoFn):
    """The whole corpus in one index: candidate pairs found and verified where
    every article's evidence already is, with no join to bring it to them."""

    STAGE = "dedup_index"

    def __init__(self, config: DedupConfig) -> None:
        super().__init__()
        self._config = config
        self.verify_clock = self.add_clock(_VerifyFn.STAGE)

    def process(self, element: tuple[int, Iterable[tuple[str, Evidence]]]) -> Iterator[tuple[str, str, str] | RewriteLink]:
        config = self._config
        evidence = dict(element[1])  # an article read twice is one article
        with self.clock:
            # the shingles as they arrived, views of the evidence's bytes: the index
            # collapses repeats itself, and sorted copies would add 4 bytes a shingle
            found = candidate_pairs(
                [(article, ev.shingles, lsh_signature(ev, config), index_terms(ev, config)) for article, ev in evidence.items()], 0, config
            )
        beam.metrics.Metrics.counter(NAMESPACE, "candidate_pairs").inc(len(found))
        beam.metrics.Metrics.counter(NAMESPACE, "articles_in_candidate_pairs").inc(len({article for pair in found for article in pair}))
        with self.verify_clock:
            edges = [
                edge
                for (a, b), counts in sorted(found.items())
                for edge in verify_candidate((a, evidence[a]), (b, evidence[b]), found_flags(counts, config), config)
            ]
        _count_edges(edges)
        yield from edges


class _ClusterFn(TimedDoFn):
    """All edges (one element) and rewrite links -> (article_id -> component key, the rewrite links inside
    components as story edges): clusters.story_components."""

    STAGE = "dedup_components"

    def __init__(self, config: DedupConfig) -> None:
        super().__init__()
        self._config = config

    def process(
        self, edges: list[tuple[str, str, str]], links: list[list[RewriteLink]]
    ) -> Iterator[tuple[dict[str, str], list[tuple[str, str, str]]]]:
        with self.clock:
            found = story_components(edges, one(links, []), self._config.rewrite_min_score)
        yield found


class _AssignFn(TimedDoFn):
    """Members of one component -> story rows and per-article assignments."""

    STAGE = "dedup_stories"

    def process(self, element: tuple[str, Iterable[Fingerprint]], edges_view: list[dict[str, list[tuple[str, str, str]]]]) -> Iterator[Any]:
        yield from self.clock.timed(self._assign(element, edges_view))

    def _assign(self, element: tuple[str, Iterable[Fingerprint]], edges_view: list[dict[str, list[tuple[str, str, str]]]]) -> Iterator[Any]:
        key, members = element
        members = sorted(members, key=lambda fp: fp.article_id)
        edges = one(edges_view, {}).get(key, [])
        earlier = sum(1 for fp in members if fp.prior_story)
        if earlier == len(members):
            pass  # earlier articles only: nothing new to assign
        elif earlier:
            yield from self._join_earlier(members, edges)
        else:
            yield from self._new_story(members, edges)

    def _join_earlier(self, members: list[Fingerprint], edges: list[tuple[str, str, str]]) -> Iterator[Any]:
        story_id, canonical, assignments = assign_to_prior(members, edges)
        for article_id, assignment in assignments.items():
            beam.metrics.Metrics.counter(NAMESPACE, f"duplicates_{assignment.kind}").inc()
            yield article_id, assignment
        beam.metrics.Metrics.counter(NAMESPACE, "earlier_stories_extended").inc()
        yield StoryUpdate(story_id, canonical, tuple(fp for fp in members if not fp.prior_story))

    def _new_story(self, members: list[Fingerprint], edges: list[tuple[str, str, str]]) -> Iterator[Any]:
        assignments = assign_story(members, edges)
        story_id = next(iter(assignments.values())).story_id
        for article_id, assignment in assignments.items():
            if assignment.kind:
                beam.metrics.Metrics.counter(NAMESPACE, f"duplicates_{assignment.kind}").inc()
            yield article_id, assignment
        beam.metrics.Metrics.counter(NAMESPACE, "stories").inc()
        yield story_row(members, story_id)


def _merge_updates(element: tuple[str, dict[str, list[Any]]]) -> list[dict[str, Any]]:
    """All of one story's updates in this run (one per component) + its previous row -> its new row."""
    story_id, joined = element
    updates = joined["update"]
    if not updates:
        return []
    members = tuple(sorted({fp for u in updates for fp in u.members}, key=lambda fp: fp.article_id))
    previous = max(joined["previous"], key=lambda r: (r["ingested_at"], r["run_id"], r["size"]), default=None)
    return [updated_story_row(StoryUpdate(story_id, updates[0].canonical, members), previous)]


def _edges_by_component(edges: list[tuple[str, str, str]], comp: dict[str, str]) -> dict[str, list[tuple[str, str, str]]]:
    grouped: dict[str, list[tuple[str, str, str]]] = {}
    for edge in edges:
        grouped.setdefault(comp[edge[0]], []).append(edge)
    return grouped


class GroupStories(beam.PTransform):
    """{'documents' (with entity_keys)[, 'prior', 'prior_stories']} ->
    {'assignments': one dict article_id -> Assignment (articles not in it are
    their own story), 'stories': story rows, 'fingerprints': rows of the
    articles on their own (apply_stories.py sets the story columns of
    articles and fingerprints rows from the assignments)}.

    'prior' holds fingerprints-table rows of earlier runs and 'prior_stories'
    their stories' latest rows: new articles are linked to those stories
    (story ids stay stable) and the stories they extend get a new row.

    Every step is a Map, ParDo, GroupByKey, CoGroupByKey, Flatten or side
    input: what every runner (the DaskRunner included) executes; no state or
    timers. Hot keys are capped (max_bucket, story_max_df).
    """

    def __init__(self, config: DedupConfig) -> None:
        super().__init__()
        self._config = config

    def expand(self, inputs: dict[str, beam.PCollection]) -> dict[str, beam.PCollection]:
        config = self._config
        docs = inputs["documents"]
        pipeline = docs.pipeline
        new_prints = docs | "Fingerprints" >> beam.ParDo(_FingerprintFn(config))
        sources = {"New": new_prints}
        prior_rows = inputs.get("prior")
        if prior_rows is not None:
            # An earlier article read again (a plain rerun over the same files) counts as new.
            prior_rows = (
                {
                    "new": new_prints | "NewIds" >> beam.Map(lambda kv: (kv[0], None)),
                    "prior": prior_rows | "KeyPrior" >> beam.Map(lambda r: (r["article_id"], r)),
                }
                | "JoinPriorIds" >> beam.CoGroupByKey()
                | "PriorNotReread" >> beam.FlatMap(lambda kv: [] if kv[1]["new"] else kv[1]["prior"][:1])
            )
            sources["Earlier"] = prior_rows | "PriorPrints" >> beam.Map(prior_print)

        def each(label: str, part: Callable[[tuple[str, dict[str, Any]]], Any]) -> beam.PCollection:
            """part of every new and earlier article. Each consumer takes its part
            before the Flatten: a Flatten of two inputs is held whole by the runner
            until its last consumer has run (the FingerprintOnly one waits for all
            of dedup), and with a single input it costs nothing."""
            parts = [pcoll | f"{label}{name}" >> beam.Map(part) for name, pcoll in sources.items()]
            return parts | label >> beam.Flatten()

        edge_sets = [
            each("KeyByHash", lambda kv: (kv[1]["fingerprint"].content_hash, kv[0]))
            | "GroupByHash" >> beam.GroupByKey()
            | "ExactEdges" >> beam.FlatMap(exact_edges)
        ]
        if config.story or config.near:
            edge_sets.append(self._verified_edges(each("EvidenceOnly", lambda kv: (kv[0], kv[1]["evidence"]))))
        edges = edge_sets | "FlattenEdges" >> beam.Flatten()
        kinds = split_by_type(edges, "Found", edges=tuple, links=RewriteLink)
        all_edges = kinds["edges"] | "DistinctEdges" >> beam.Distinct() | "CollectEdges" >> beam.combiners.ToList()
        all_links = kinds["links"] | "CollectLinks" >> beam.combiners.ToList()
        clustered = all_edges | "Components" >> beam.ParDo(_ClusterFn(config), as_singleton(all_links))
        comp = clustered | "ComponentKeys" >> beam.Map(lambda found: found[0])
        comp_side = as_singleton(comp)
        grouped_edges = clustered | "EdgesByComponent" >> beam.Map(
            lambda found, e: _edges_by_component(one(e, []) + found[1], found[0]), e=as_singleton(all_edges)
        )
        results = (
            # What waits for the components is the small fingerprint, not the shingles.
            each("FingerprintOnly", lambda kv: (kv[0], kv[1]["fingerprint"]))
            # earlier articles matter only where an edge reached them
            | "LinkedOrNew" >> beam.Filter(lambda kv, c: kv[1].prior_story is None or kv[0] in one(c, {}), c=comp_side)
            | "KeyByComponent" >> beam.Map(lambda kv, c: (one(c, {}).get(kv[0], kv[0]), kv[1]), c=comp_side)
            | "GroupComponents" >> beam.GroupByKey()
            | "AssignStories" >> beam.ParDo(_AssignFn(), as_singleton(grouped_edges))
        )
        results = split_by_type(results, "Assigned", stories=dict, assignments=tuple, updates=StoryUpdate)
        grouped = results["assignments"] | "OnlyGrouped" >> beam.Filter(lambda kv, c: kv[0] in one(c, {}), c=comp_side)
        assignments = grouped | "AssignmentTable" >> beam.combiners.ToDict()

        prior_stories = inputs.get("prior_stories")
        if prior_stories is None:
            prior_stories = pipeline | "NoPriorStories" >> beam.Create([])
        updated = (
            {
                "update": results["updates"] | "KeyUpdates" >> beam.Map(lambda u: (u.story_id, u)),
                "previous": prior_stories | "KeyPriorStories" >> beam.Map(lambda r: (r["story_id"], r)),
            }
            | "JoinStoryUpdates" >> beam.CoGroupByKey()
            | "UpdatedStories" >> beam.FlatMap(_merge_updates)
        )
        stories = (results["stories"], updated) | "AllStories" >> beam.Flatten()
        # Made in the stage that fingerprints the article; their story columns
        # are set afterwards like the articles' (apply_stories).
        fingerprints = new_prints | "FingerprintRows" >> beam.Map(lambda kv: fingerprint_row(kv[0], kv[1]))
        return {"assignments": assignments, "stories": stories, "fingerprints": fingerprints}

    def _verified_edges(self, article_evidence: beam.PCollection) -> beam.PCollection:
        """Candidate pairs from LSH buckets and from the rare-shingle index, verified
        with both articles' signatures, shingles, actors and dates.

        Both indexes are built in one grouping (transforms/stories/candidates.py): an
        element per LSH band (16 an article) cost the runner more than finding
        the buckets with numpy. With one shard (the default) the pairs are
        verified there too, where every article's evidence already is; with
        more, each pair meets its two articles' evidence in two joins."""
        config = self._config
        if config.index_shards == 1:
            return (
                article_evidence
                | "IndexEvidence" >> beam.Map(lambda kv: (0, kv))
                | "GroupIndex" >> beam.GroupByKey()
                | "IndexAndVerify" >> beam.ParDo(_IndexAndVerifyFn(config))
            )
        found = (
            article_evidence
            | "IndexShards" >> beam.FlatMap(shard_elements, config)
            | "GroupShards" >> beam.GroupByKey()
            | "ShardPairs" >> beam.ParDo(_ShardPairsFn(config))
            | "SharedShingles" >> beam.CombinePerKey(add_found)
        )
        pairs = (
            found | "FoundBy" >> beam.FlatMap(candidate_flags, config) | "PairByFirst" >> beam.Map(lambda kv: (kv[0][0], (kv[0][1], kv[1])))
        )
        # Only articles in a candidate pair go through the two joins: the
        # shingles of the others were grouped twice for nothing.
        paired = pairs | "PairedIds" >> beam.FlatMap(lambda kv: (kv[0], kv[1][0])) | "PairedSet" >> beam.combiners.ToSet()
        evidence_by_id = article_evidence | "Evidence" >> beam.FlatMap(_paired_evidence, as_singleton(paired))
        left = {"evidence": evidence_by_id, "partners": pairs} | "JoinFirst" >> beam.CoGroupByKey() | "LeftSide" >> beam.FlatMap(_left_side)
        return {"evidence": evidence_by_id, "left": left} | "JoinSecond" >> beam.CoGroupByKey() | "Verify" >> beam.ParDo(_VerifyFn(config))


def _paired_evidence(element: tuple[str, Evidence], paired: list[set[str]]) -> list[tuple[str, Evidence]]:
    if element[0] not in one(paired, frozenset()):
        return []
    beam.metrics.Metrics.counter(NAMESPACE, "articles_in_candidate_pairs").inc()
    return [element]
