"""Candidate pairs of articles and their verification: exact, near-duplicate and same-story links."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
from khabar.transforms.stories.candidates import lsh_pairs
from khabar.transforms.stories.config import EXACT, NEAR, STORY, DedupConfig
from khabar.transforms.stories.fingerprints import Evidence
from khabar.transforms.stories.rewrites import RewriteLink, link_score
from khabar.transforms.stories.textreuse import contains, days_between, evidence, shard_pairs, story_score
from khabar.transforms.text.minhash import estimated_jaccard, jaccard_unique, sorted_unique


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


LSH, INDEX, REWRITE = 1, 2, 4  # which index proposed a candidate pair (bit flags: several may)


def verify_candidate(
    a: tuple[str, Evidence], b: tuple[str, Evidence], found_by: int, config: DedupConfig
) -> list[tuple[str, str, str] | RewriteLink]:
    """Edges of one candidate pair: an LSH pair is near when the signatures'
    estimated Jaccard passes the threshold; a pair from the rare-shingle index
    is verified on the shingles themselves (verify_pair); a pair from the term
    index that neither joins becomes a rewrite link when its score holds
    (rewrite_link), for clustering to weigh against the other members."""
    (id_a, ev_a), (id_b, ev_b) = sorted((a, b), key=lambda x: x[0])
    edges: list[tuple[str, str, str] | RewriteLink] = []
    if found_by & LSH and estimated_jaccard(ev_a.signature, ev_b.signature) >= config.near_threshold:
        edges.append((id_a, id_b, NEAR))
    if found_by & INDEX:
        edge = verify_pair(a, b, config)
        if edge:
            edges.append(edge)
    if found_by & REWRITE and not edges:
        link = rewrite_link(a, b, config)
        if link:
            edges.append(link)
    return edges


def rewrite_link(a: tuple[str, Evidence], b: tuple[str, Evidence], config: DedupConfig) -> RewriteLink | None:
    """The rewrite link of two articles (rewrites.link_score), or None; none between two earlier articles."""
    (id_a, ev_a), (id_b, ev_b) = sorted((a, b), key=lambda x: x[0])
    if (ev_a.prior and ev_b.prior) or not config.story or not config.rewrite:
        return None
    shared_actors = int(contains(ev_b.actor_hashes, ev_a.actor_hashes).sum())  # as the text-reuse score counts them
    shared_places = int(contains(ev_b.place_hashes, ev_a.place_hashes).sum())
    days = days_between(ev_a.published_at, ev_b.published_at)
    score = link_score(ev_a.rewrite_terms, ev_b.rewrite_terms, days, shared_actors, config, shared_places=shared_places)
    return RewriteLink(id_a, id_b, score) if score is not None else None


def index_terms(evidence: Evidence, config: DedupConfig) -> np.ndarray:
    """An article's heaviest terms, what the term index holds of it (none with rewrites off)."""
    if not (config.story and config.rewrite and evidence.rewrite):
        return _NO_TERMS
    return evidence.rewrite_terms.top_terms(config.rewrite_index_terms)


_NO_TERMS = np.zeros(0, dtype=np.uint32)


# FlatMap functions return lists: Beam warns about generators that also return.
def shard_elements(element: tuple[str, Evidence], config: DedupConfig) -> list[tuple[int, tuple[str, np.ndarray, bytes, np.ndarray]]]:
    """One element a shard of the candidate index: (article, its unique shingles
    in the shard, its signature when the shard holds LSH bands, its index terms
    in the shard).

    Shingles are split by hash shard (one array a shard, not one element a
    shingle); LSH band b belongs to shard b % index_shards, so every shard
    below min(index_shards, bands) gets the signature, and its buckets are
    found there with numpy: no element per band, no grouping of buckets.
    """
    article, evidence = element
    shingles = evidence.unique_shingles
    terms = index_terms(evidence, config)
    shards = config.index_shards
    shard_of = shingles % shards
    parts = {int(shard): shingles[shard_of == shard] for shard in sorted_unique(shard_of)}
    term_shard = terms % shards
    term_parts = {int(shard): terms[term_shard == shard] for shard in sorted_unique(term_shard)}
    for shard in term_parts:
        parts.setdefault(shard, shingles[:0])
    signature = lsh_signature(evidence, config)
    if signature:
        for shard in range(min(shards, config.bands)):
            parts.setdefault(shard, shingles[:0])
    return [
        (shard, (article, parts[shard], signature if shard < config.bands else b"", term_parts.get(shard, _NO_TERMS)))
        for shard in sorted(parts)
    ]


def candidate_pairs(
    members: list[tuple[str, np.ndarray, bytes, np.ndarray]], shard: int, config: DedupConfig
) -> dict[tuple[str, str], tuple[int, bool, int]]:
    """Candidate pairs of one index shard: (a, b) -> (rare shingles they share
    in the shard, found in an LSH bucket of the shard's bands, index terms
    they share in the shard).

    members: (article, its shingles in the shard (a repeat counts once), its
    compact signature or b"" for none, its index terms in the shard). With one
    shard, a pair's whole counts are here: only pairs sharing story_min_shared
    rare shingles, a bucket, or rewrite_min_shared terms are kept. A term on
    more than story_max_df articles is no evidence, like a shingle.
    """
    single = config.index_shards == 1
    shared = shard_pairs(
        [(article, shingles) for article, shingles, _, _ in members], config.story_max_df, config.story_min_shared if single else 1
    )
    termed = shard_pairs(
        [(article, terms) for article, _, _, terms in members if len(terms)],
        config.story_max_df,
        config.rewrite_min_shared if single else 1,
    )
    bucketed = lsh_pairs(
        [(article, signature) for article, _, signature, _ in members if signature],
        range(shard, config.bands, config.index_shards),
        config.num_perm // config.bands,
        config.max_bucket,
    )
    return {pair: (shared.get(pair, 0), pair in bucketed, termed.get(pair, 0)) for pair in shared.keys() | bucketed | termed.keys()}


def lsh_signature(evidence: Evidence, config: DedupConfig) -> bytes:
    """The signature LSH buckets use; none for an earlier run's signature made
    with other parameters (the shingle index still sees that article)."""
    return evidence.signature if config.near and len(evidence.signature) == 2 * config.num_perm else b""


def found_flags(found: tuple[int, bool, int], config: DedupConfig) -> int:
    """LSH | INDEX | REWRITE flags of a pair's (shared shingles, in an LSH bucket, shared index terms)."""
    shared, by_lsh, terms = found
    return (
        (INDEX if shared >= config.story_min_shared else 0)
        | (LSH if by_lsh else 0)
        | (REWRITE if terms >= config.rewrite_min_shared and config.rewrite else 0)
    )


def add_found(found: Iterable[tuple[int, bool, int]]) -> tuple[int, bool, int]:
    """A pair's findings in several shards: shared shingles and terms add up, LSH in any shard counts."""
    shared, bucketed, terms = 0, False, 0
    for count, by_lsh, term_count in found:
        shared += count
        bucketed = bucketed or by_lsh
        terms += term_count
    return shared, bucketed, terms


def candidate_flags(element: tuple[tuple[str, str], tuple[int, bool, int]], config: DedupConfig) -> list[tuple[tuple[str, str], int]]:
    """(pair, flags) of a candidate pair; none when it shares too little in every index."""
    pair, found = element
    flags = found_flags(found, config)
    return [(pair, flags)] if flags else []
