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
   canonical entities and publication dates (transforms/stories/textreuse.py).

Stories are the connected components of the edges (union-find over the
edges only, never the corpus). The canonical article is the earliest
published, else the longest, ties by article_id; story_id is the canonical's
article_id, so it does not depend on runner, bundles or worker count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import apache_beam as beam
import numpy as np
from khabar.transforms.runtime.batching import BatchedDoFn
from khabar.transforms.runtime.records import Document, as_singleton, one, split_by_type
from khabar.transforms.runtime.timing import TimedDoFn
from khabar.transforms.stories.candidates import lsh_pairs
from khabar.transforms.stories.textreuse import actor_hashes, evidence, shard_pairs, story_score
from khabar.transforms.text.minhash import MinHasher, compact, estimated_jaccard, jaccard_unique, sorted_unique, text_shingles32

NAMESPACE = "khabar.dedup"
EXACT, NEAR, STORY = "exact", "near", "story"
_KIND_RANK = {EXACT: 0, NEAR: 1, STORY: 2}


@dataclass(frozen=True)
class DedupConfig:
    """Deduplication levels and thresholds.

    near / story: switch a level off (exact is always on).
    shingle_size: words per shingle (5).
    num_perm / bands: MinHash permutations and LSH bands (rows = num_perm // bands);
      with 128 / 16 (8 rows) a pair at Jaccard 0.8 is an LSH candidate with
      probability 1 - (1 - 0.8^8)^16 = 0.95 and one at 0.5 with 0.06. Near
      duplicates also share many rare shingles, so the shingle index finds
      them too (verified by exact Jaccard); LSH is what catches stories copied
      so often that their shingles pass story_max_df.
    near_threshold: estimated Jaccard a near-duplicate pair must reach (0.8).
    max_bucket: LSH buckets or shingle postings larger than this are hot keys
      (boilerplate, quotes everyone repeats) and are skipped.
    story_max_df: a shingle on more documents than this is not rare.
    story_min_shared: rare shingles two articles must share to be compared. A
      passage of story_min_passage words is story_min_passage - shingle_size + 1
      consecutive shingles, so the default 8 drops no pair the score could accept.
    index_shards: hash shards of the candidate index. With one (the default)
      every article sends its evidence to one index, which finds the
      candidate pairs (sharing story_min_shared rare shingles, or an LSH
      bucket) and verifies them there. With more, each article sends one
      array of unique shingles a shard, and its signature to the shards
      holding LSH bands (band b in shard b % index_shards); every pair
      sharing one rare shingle in a shard leaves it to be summed (hundreds of
      elements an article) and meets its articles' evidence in two joins, so
      raise it only when one index no longer fits a worker.
    story_min_passage: words of the longest verbatim passage that alone make
      two articles one story (with a shared entity and compatible dates).
    story_min_score: total score (see textreuse.story_score) to accept a pair.
    story_max_days: published_at gap beyond which two articles are never one story.
    history_days: a run links its articles to those of earlier runs into the
      same --output ingested in the last history_days days (their fingerprints
      table); 0 turns linking to earlier runs off.
    """

    near: bool = True
    story: bool = True
    shingle_size: int = 5
    num_perm: int = 128
    bands: int = 16
    near_threshold: float = 0.8
    max_bucket: int = 200
    story_max_df: int = 25
    story_min_shared: int = 8
    index_shards: int = 1
    story_min_passage: int = 12
    story_min_score: float = 1.0
    story_max_days: float = 4.0
    history_days: float = 30.0


@dataclass(frozen=True)
class Fingerprint:
    """What clustering needs of an article (small: no text)."""

    article_id: str
    content_hash: str
    published_at: datetime | None
    length: int
    title: str | None
    source_name: str | None
    prior_story: str | None = None  # set for articles of earlier runs
    prior_canonical: str | None = None


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


def assign_to_prior(members: list[Fingerprint], edges: Iterable[tuple[str, str, str]]) -> tuple[str, str, dict[str, Assignment]]:
    """Assignment of a component that holds articles of earlier runs.

    Earlier rows are immutable: their story ids and canonicals stay. The new
    members join the earliest-id story among the earlier articles they are
    linked with (two earlier stories bridged by a new article are not merged:
    that would rewrite committed rows). Their kind is exact when their hash
    equals one of that story's articles here, near when a near edge joins them
    to one directly, else story. Returns (story_id, canonical, assignments of
    the new members).
    """
    prior = [fp for fp in members if fp.prior_story]
    target = min(prior, key=lambda fp: (fp.prior_story, fp.article_id))
    story_id, canonical = target.prior_story, target.prior_canonical or target.prior_story
    assert story_id is not None
    story_members = {fp.article_id for fp in prior if fp.prior_story == story_id}
    story_hashes = {fp.content_hash for fp in prior if fp.prior_story == story_id}
    near = {
        a if b in story_members else b for a, b, kind in edges if kind in (EXACT, NEAR) and (a in story_members) != (b in story_members)
    }
    result = {}
    for fp in members:
        if fp.prior_story:
            continue
        kind = EXACT if fp.content_hash in story_hashes else NEAR if fp.article_id in near else STORY
        result[fp.article_id] = Assignment(story_id, canonical, kind)
    return story_id, canonical, result


@dataclass(frozen=True)
class StoryUpdate:
    """New articles joining a story of an earlier run (merged with its latest row)."""

    story_id: str
    canonical: str
    members: tuple[Fingerprint, ...]


def updated_story_row(update: StoryUpdate, previous: dict[str, Any] | None) -> dict[str, Any]:
    """The story's new latest row: its previous row plus the new members."""
    fresh = story_row(list(update.members), update.story_id)
    if previous is None:  # its row is unreadable or was never committed: the new members alone
        return {**fresh, "canonical_article_id": update.canonical}
    dates = [d for d in (previous.get("first_published_at"), fresh["first_published_at"]) if d is not None]
    article_ids = sorted(set(previous["article_ids"]) | set(fresh["article_ids"]))
    return {
        **fresh,
        "canonical_article_id": previous["canonical_article_id"],
        "title": previous.get("title"),
        "article_ids": article_ids,
        "size": len(article_ids),
        "sources": sorted(set(previous.get("sources") or []) | set(fresh["sources"])),
        "first_published_at": min(dates) if dates else None,
    }


def story_row(members: list[Fingerprint], story_id: str) -> dict[str, Any]:
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
    }


# ---------------------------------------------------------------- candidate edges


def exact_edges(group: tuple[str, Iterable[str]]) -> Iterator[tuple[str, str, str]]:
    """Members of one content-hash group, linked to its smallest id (a star, not a clique)."""
    ids = sorted(set(group[1]))
    for other in ids[1:]:
        yield ids[0], other, EXACT


def bucket_pairs(members: Iterable[str], max_bucket: int) -> Iterator[tuple[str, str]]:
    """Candidate pairs (smaller id first) of one LSH bucket's articles.

    A bucket larger than max_bucket (one story copied hundreds of times) is
    paired as a star around its smallest id, not pair by pair.
    """
    ids = sorted(set(members))
    if len(ids) > max_bucket:
        yield from ((ids[0], other) for other in ids[1:])
        return
    for x in range(len(ids)):
        for y in range(x + 1, len(ids)):
            yield ids[x], ids[y]


def bucket_edges(members: list[tuple[str, bytes]], threshold: float, max_bucket: int) -> Iterator[tuple[str, str, str]]:
    """Near-duplicate edges inside one LSH bucket of (article_id, signature), verified by the signatures' Jaccard."""
    signatures = dict(members)
    for a, b in bucket_pairs(signatures, max_bucket):
        if estimated_jaccard(signatures[a], signatures[b]) >= threshold:
            yield a, b, NEAR


@dataclass(frozen=True)
class Evidence:
    """What verifying a candidate pair needs of one article.

    Shingles travel as bytes (uint32, text order): bytes pickle far faster
    than arrays through a shuffle. The sorted unique set is not carried: it is
    as large again and is made only for the articles of candidate pairs.
    signature: the compact MinHash signature, for pairs that LSH proposed.
    actors: the article's people and organizations as sorted uint64 hashes
    (textreuse.actor_hashes), for the story score.
    """

    ordered: bytes
    published_at: datetime | None
    prior: bool = False  # an article of an earlier run
    signature: bytes = b""
    actors: bytes = b""

    @classmethod
    def of(
        cls,
        shingles: np.ndarray,
        published_at: datetime | None,
        prior: bool = False,
        signature: bytes = b"",
        entities: Iterable[tuple[str, str]] = (),
    ) -> Evidence:
        return cls(shingles.astype(np.uint32).tobytes(), published_at, prior, signature, actor_hashes(entities).tobytes())

    @property
    def shingles(self) -> np.ndarray:
        return np.frombuffer(self.ordered, dtype=np.uint32)

    @property
    def unique_shingles(self) -> np.ndarray:
        return sorted_unique(self.shingles)

    @property
    def actor_hashes(self) -> np.ndarray:
        return np.frombuffer(self.actors, dtype=np.uint64)


def verify_pair(a: tuple[str, Evidence], b: tuple[str, Evidence], config: DedupConfig) -> tuple[str, str, str] | None:
    """A near edge when the real Jaccard passes the threshold, a story edge when the text-reuse score does."""
    (id_a, ev_a), (id_b, ev_b) = sorted((a, b), key=lambda x: x[0])
    if ev_a.prior and ev_b.prior:
        return None  # both from earlier runs: already clustered, and their rows are final
    ua, ub = ev_a.unique_shingles, ev_b.unique_shingles
    if config.near and jaccard_unique(ua, ub) >= config.near_threshold:
        return id_a, id_b, NEAR
    if not config.story:
        return None
    reuse = evidence(
        ev_a.shingles,
        ev_b.shingles,
        ev_a.actor_hashes,
        ev_b.actor_hashes,
        ev_a.published_at,
        ev_b.published_at,
        config.shingle_size,
        unique_a=ua,
        unique_b=ub,
    )
    if story_score(reuse, config.story_min_passage, config.story_max_days) >= config.story_min_score:
        return id_a, id_b, STORY
    return None


LSH, INDEX = 1, 2  # which index proposed a candidate pair (bit flags: both may)


def verify_candidate(a: tuple[str, Evidence], b: tuple[str, Evidence], found_by: int, config: DedupConfig) -> list[tuple[str, str, str]]:
    """Edges of one candidate pair: an LSH pair is near when the signatures'
    estimated Jaccard passes the threshold; a pair from the rare-shingle index
    is verified on the shingles themselves (verify_pair)."""
    (id_a, ev_a), (id_b, ev_b) = sorted((a, b), key=lambda x: x[0])
    edges = []
    if found_by & LSH and estimated_jaccard(ev_a.signature, ev_b.signature) >= config.near_threshold:
        edges.append((id_a, id_b, NEAR))
    if found_by & INDEX:
        edge = verify_pair(a, b, config)
        if edge:
            edges.append(edge)
    return edges


# ---------------------------------------------------------------- Beam


class _FingerprintFn(BatchedDoFn, TimedDoFn):
    """Document -> (article_id, everything dedup needs); the MinHasher is built once per worker."""

    STAGE = "fingerprints"

    def __init__(self, config: DedupConfig) -> None:
        super().__init__()
        self._config = config

    def setup(self) -> None:
        self._hasher = MinHasher(self._config.num_perm)

    def process(self, doc: Document) -> Iterator[tuple[str, dict[str, Any]]]:
        with self.clock:
            shingles = text_shingles32(doc.text_normalized, self._config.shingle_size)
            signature = compact(self._hasher.signature(shingles)) if self._config.near else b""
            element = (
                doc.article_id,
                {
                    "fingerprint": fingerprint(doc),
                    "evidence": Evidence.of(shingles, doc.published_at, signature=signature, entities=doc.entity_keys),
                    "entities": doc.entity_keys,
                },
            )
        yield element


def prior_print(row: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A fingerprints-table row of an earlier run -> the element _FingerprintFn makes of a new article."""
    shingles = np.frombuffer(row["shingles"], dtype=np.uint32)
    fp = Fingerprint(
        row["article_id"],
        row["content_hash"],
        row["published_at"],
        row["length"],
        row["title"],
        row["source_name"],
        row["story_id"],
        row["canonical_article_id"],
    )
    entities = parse_entity_keys(row["entity_keys"])
    return row["article_id"], {
        "fingerprint": fp,
        "evidence": Evidence.of(shingles, row["published_at"], prior=True, signature=row["signature"], entities=entities),
        "entities": entities,
    }


def entity_keys(keys: Iterable[tuple[str, str]]) -> list[str]:
    return sorted(f"{kind}\t{key}" for kind, key in keys)


def parse_entity_keys(keys: Iterable[str]) -> frozenset[tuple[str, str]]:
    return frozenset(tuple(k.split("\t", 1)) for k in keys)  # type: ignore[misc]


def fingerprint_row(article: str, data: dict[str, Any]) -> dict[str, Any]:
    """What a later run needs of a new article (the fingerprints table), as an
    article on its own: apply_stories sets its story once stories are known."""
    fp: Fingerprint = data["fingerprint"]
    return {
        "article_id": article,
        "story_id": article,
        "canonical_article_id": article,
        "content_hash": fp.content_hash,
        "published_at": fp.published_at,
        "length": fp.length,
        "title": fp.title,
        "source_name": fp.source_name,
        "signature": data["evidence"].signature,
        "shingles": data["evidence"].ordered,
        "entity_keys": entity_keys(data["entities"]),
    }


# FlatMap functions return lists: Beam warns about generators that also return.
def _shards(element: tuple[str, Evidence], config: DedupConfig) -> list[tuple[int, tuple[str, np.ndarray, bytes]]]:
    """One element a shard of the candidate index: (article, its unique shingles
    in the shard, its signature when the shard holds LSH bands).

    Shingles are split by hash shard (one array a shard, not one element a
    shingle); LSH band b belongs to shard b % index_shards, so every shard
    below min(index_shards, bands) gets the signature, and its buckets are
    found there with numpy: no element per band, no grouping of buckets.
    """
    article, evidence = element
    shingles = evidence.unique_shingles
    shards = config.index_shards
    shard_of = shingles % shards
    parts = {int(shard): shingles[shard_of == shard] for shard in sorted_unique(shard_of)}
    signature = _lsh_signature(evidence, config)
    if signature:
        for shard in range(min(shards, config.bands)):
            parts.setdefault(shard, shingles[:0])
    return [(shard, (article, parts[shard], signature if shard < config.bands else b"")) for shard in sorted(parts)]


def candidate_pairs(
    members: list[tuple[str, np.ndarray, bytes]], shard: int, config: DedupConfig
) -> dict[tuple[str, str], tuple[int, bool]]:
    """Candidate pairs of one index shard: (a, b) -> (rare shingles they share
    in the shard, found in an LSH bucket of the shard's bands).

    members: (article, its shingles in the shard (a repeat counts once), its
    compact signature or b"" for none). With one shard, a pair's whole count is here:
    only pairs sharing story_min_shared rare shingles, or a bucket, are kept.
    """
    least = config.story_min_shared if config.index_shards == 1 else 1
    shared = shard_pairs([(article, shingles) for article, shingles, _ in members], config.story_max_df, least)
    bucketed = lsh_pairs(
        [(article, signature) for article, _, signature in members if signature],
        range(shard, config.bands, config.index_shards),
        config.num_perm // config.bands,
        config.max_bucket,
    )
    return {pair: (shared.get(pair, 0), pair in bucketed) for pair in shared.keys() | bucketed}


def _lsh_signature(evidence: Evidence, config: DedupConfig) -> bytes:
    """The signature LSH buckets use; none for an earlier run's signature made
    with other parameters (the shingle index still sees that article)."""
    return evidence.signature if config.near and len(evidence.signature) == 2 * config.num_perm else b""


def _flags(shared: int, by_lsh: bool, min_shared: int) -> int:
    return (INDEX if shared >= min_shared else 0) | (LSH if by_lsh else 0)


class _ShardPairsFn(TimedDoFn):
    """One shard's articles -> ((a, b), (rare shingles shared in the shard, found by LSH))."""

    STAGE = "dedup_index"

    def __init__(self, config: DedupConfig) -> None:
        super().__init__()
        self._config = config

    def process(self, element: tuple[int, Iterable[tuple[str, np.ndarray, bytes]]]) -> Iterator[tuple[tuple[str, str], tuple[int, bool]]]:
        shard, members = element
        with self.clock:
            found = list(candidate_pairs(list(members), shard, self._config).items())
        yield from found


def _add_found(found: Iterable[tuple[int, bool]]) -> tuple[int, bool]:
    """A pair's findings in several shards: shared shingles add up, LSH in any shard counts."""
    shared, bucketed = 0, False
    for count, by_lsh in found:
        shared += count
        bucketed = bucketed or by_lsh
    return shared, bucketed


def _found_by(element: tuple[tuple[str, str], tuple[int, bool]], min_shared: int) -> list[tuple[tuple[str, str], int]]:
    """(pair, LSH | INDEX flags) of a candidate pair; none when it shares too few rare shingles and no bucket."""
    pair, (shared, bucketed) = element
    flags = _flags(shared, bucketed, min_shared)
    return [(pair, flags)] if flags else []


def _left_side(element: tuple[str, dict[str, list[Any]]]) -> list[tuple[str, tuple[str, Evidence, int]]]:
    """Join step 1: each candidate pair (a, b) gets a's evidence, keyed by b."""
    article, joined = element
    if not joined["evidence"] or not joined["partners"]:
        return []
    evidence = joined["evidence"][0]
    return [(partner, (article, evidence, found_by)) for partner, found_by in joined["partners"]]


def _count_edges(edges: list[tuple[str, str, str]]) -> None:
    for edge in edges:
        beam.metrics.Metrics.counter(NAMESPACE, f"edges_{edge[2]}").inc()


class _VerifyFn(TimedDoFn):
    """Join step 2: b's evidence meets every a paired with it; verified pairs become edges."""

    STAGE = "dedup_verify"

    def __init__(self, config: DedupConfig) -> None:
        super().__init__()
        self._config = config

    def process(self, element: tuple[str, dict[str, list[Any]]]) -> Iterator[tuple[str, str, str]]:
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

    def process(self, element: tuple[int, Iterable[tuple[str, Evidence]]]) -> Iterator[tuple[str, str, str]]:
        config = self._config
        evidence = dict(element[1])  # an article read twice is one article
        with self.clock:
            # the shingles as they arrived, views of the evidence's bytes: the index
            # collapses repeats itself, and sorted copies would add 4 bytes a shingle
            found = candidate_pairs([(article, ev.shingles, _lsh_signature(ev, config)) for article, ev in evidence.items()], 0, config)
        beam.metrics.Metrics.counter(NAMESPACE, "candidate_pairs").inc(len(found))
        beam.metrics.Metrics.counter(NAMESPACE, "articles_in_candidate_pairs").inc(len({article for pair in found for article in pair}))
        with self.verify_clock:
            edges = [
                edge
                for (a, b), (shared, by_lsh) in sorted(found.items())
                for edge in verify_candidate((a, evidence[a]), (b, evidence[b]), _flags(shared, by_lsh, config.story_min_shared), config)
            ]
        _count_edges(edges)
        yield from edges


class _ClusterFn(TimedDoFn):
    """All edges (one element) -> article_id -> component key."""

    STAGE = "dedup_components"

    def process(self, edges: list[tuple[str, str, str]]) -> Iterator[dict[str, str]]:
        with self.clock:
            found = components(edges)
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
        edges = edge_sets | "FlattenEdges" >> beam.Flatten() | "DistinctEdges" >> beam.Distinct()
        all_edges = edges | "CollectEdges" >> beam.combiners.ToList()
        comp = all_edges | "Components" >> beam.ParDo(_ClusterFn())
        comp_side = as_singleton(comp)
        grouped_edges = all_edges | "EdgesByComponent" >> beam.Map(lambda e, c: _edges_by_component(e, one(c, {})), c=comp_side)
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
            | "IndexShards" >> beam.FlatMap(_shards, config)
            | "GroupShards" >> beam.GroupByKey()
            | "ShardPairs" >> beam.ParDo(_ShardPairsFn(config))
            | "SharedShingles" >> beam.CombinePerKey(_add_found)
        )
        pairs = (
            found
            | "FoundBy" >> beam.FlatMap(_found_by, config.story_min_shared)
            | "PairByFirst" >> beam.Map(lambda kv: (kv[0][0], (kv[0][1], kv[1])))
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
