"""Text reuse between rewrites of one wire story.

Outlets rewrite an agency story around the same quotes: the versions share
little vocabulary overall (word 5-shingle Jaccard about 0.03) but keep
verbatim passages, the same people and organizations, and the same days.
Different meetings of the same people share the people and some formulaic
phrases ("آخر المستجدات الأمنية والسياسية"), but not long passages of
specific content. So the score weighs the shared passages, not who is
involved: people only confirm.

Candidates come from an inverted index of shingles with a document-frequency
cut-off, built per hash shard with numpy (``shard_pairs``): a shingle found
on more than ``max_df`` articles is boilerplate or a formula, not evidence.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from khabar.transforms.stories.candidates import pair_codes
from khabar.transforms.text.minhash import sorted_unique


@dataclass(frozen=True)
class ReuseEvidence:
    containment: float  # shared shingles / shingles of the shorter article
    longest_passage: int  # words of the longest verbatim passage
    passage_words: int  # words in shared passages of at least `min_passage_words`
    shared_actors: int  # shared PER and ORG entities
    days_apart: float | None  # published_at gap when both are known


ACTOR_TYPES = ("PER", "ORG")
PLACE_TYPES = ("LOC",)


def actor_hashes(entities: Iterable[tuple[str, str]], types: tuple[str, ...] = ACTOR_TYPES) -> np.ndarray:
    """The people and organizations (or other ``types``) among (type, key) entities, as
    sorted unique 64-bit hashes: all a story score compares of them, a few bytes an
    article instead of a set of string pairs."""
    values = {
        int.from_bytes(hashlib.blake2b(f"{kind}\t{key}".encode(), digest_size=8).digest(), "little")
        for kind, key in entities
        if kind in types
    }
    return np.array(sorted(values), dtype=np.uint64)


def contains(sorted_unique: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Boolean mask: which values are in sorted_unique (binary search, no sort of values)."""
    if len(sorted_unique) == 0:
        return np.zeros(len(values), dtype=bool)
    index = np.minimum(np.searchsorted(sorted_unique, values), len(sorted_unique) - 1)
    return sorted_unique[index] == values


def passages(a: np.ndarray, b_unique: np.ndarray, shingle_size: int) -> list[int]:
    """Lengths in words of the verbatim passages of `a` (shingles in text order) also in
    `b_unique` (the other article's sorted unique shingles)."""
    if len(a) == 0 or len(b_unique) == 0:
        return []
    positions = np.flatnonzero(contains(b_unique, a))
    if len(positions) == 0:
        return []
    breaks = np.flatnonzero(np.diff(positions) != 1)
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks, [len(positions) - 1]))
    return sorted((int(e - s + 1) + shingle_size - 1 for s, e in zip(starts, ends, strict=True)), reverse=True)


def days_between(a: datetime | None, b: datetime | None) -> float | None:
    """Days between two publication times, None unless both are known."""
    return abs((a - b).total_seconds()) / 86400 if a is not None and b is not None else None


def evidence(
    a: np.ndarray,
    b: np.ndarray,
    actors_a: np.ndarray,
    actors_b: np.ndarray,
    date_a: datetime | None,
    date_b: datetime | None,
    shingle_size: int = 5,
    min_passage_words: int = 8,
    unique_a: np.ndarray | None = None,
    unique_b: np.ndarray | None = None,
) -> ReuseEvidence:
    """How much of the shorter article reappears in the other (a and b: shingles
    in text order; actors_a / actors_b: their actor_hashes)."""
    ua = sorted_unique(a) if unique_a is None else unique_a
    ub = sorted_unique(b) if unique_b is None else unique_b
    shared = int(contains(ub, ua).sum())
    smaller = min(len(ua), len(ub)) or 1
    lengths = passages(a, ub, shingle_size) if len(ua) <= len(ub) else passages(b, ua, shingle_size)
    days = days_between(date_a, date_b)
    return ReuseEvidence(
        containment=shared / smaller,
        longest_passage=lengths[0] if lengths else 0,
        passage_words=sum(n for n in lengths if n >= min_passage_words),
        shared_actors=int(contains(actors_b, actors_a).sum()),
        days_apart=days,
    )


def story_score(ev: ReuseEvidence, min_passage: int, max_days: float) -> float:
    """>= 1.0 means the same story.

    Dates known on both sides and further apart than max_days: never.
    Heavy reuse (containment >= 0.5): the same story whoever is named.
    Otherwise the passages carry the score (a passage of min_passage words
    and 20 words of passages reach 1.0) and require at least one shared
    person or organization; sharing actors alone scores nothing.
    """
    if ev.days_apart is not None and ev.days_apart > max_days:
        return 0.0
    if ev.containment >= 0.5:
        return 1.0 + ev.containment
    if ev.shared_actors == 0 or ev.longest_passage < min_passage:
        return 0.0
    return min(ev.passage_words / 20.0, 2.0)


def shard_pairs(members: list[tuple[str, np.ndarray]], max_df: int, min_count: int = 1, parts: int = 16) -> dict[tuple[str, str], int]:
    """Inverted index of one hash shard: (article a, article b) -> shingles they share,
    counting only shingles on 2..max_df articles; pairs sharing fewer than
    min_count of them are left out.

    Memory goes with the candidate pairs (every pair of every posting list):
    each pair is one int64 code until the counts are taken, and only pairs
    with min_count shingles become Python objects. The index is built in
    `parts` slices of the shingle space, one after the other: a shingle's
    posting list lies in one slice, so a slice is sorted with a fraction of
    the memory of sorting them all, and the pair codes are counted in
    `parts` buckets by code: more parts, less memory at a peak, a little
    more time.
    """
    if len(members) < 2:
        return {}
    ids = sorted({article for article, _ in members})
    index_of = {article: i for i, article in enumerate(ids)}
    hashes = np.concatenate([np.asarray(h, dtype=np.uint32) for _, h in members])
    # each member's article number and where its shingles end in `hashes`: a slice's
    # owners come from these, never an owner array as long as `hashes` (4 bytes a shingle)
    member_owner = np.fromiter((index_of[a] for a, _ in members), dtype=np.uint32, count=len(members))
    ends = np.cumsum(np.fromiter((len(h) for _, h in members), dtype=np.int64, count=len(members)))
    n = len(ids)
    # Pair codes by code % parts: a pair's counts from every shingle slice meet in one bucket.
    buckets: list[list[np.ndarray]] = [[] for _ in range(parts)]
    slice_of = (hashes % np.uint32(parts)).astype(np.uint8)
    for part in range(parts):
        positions = np.flatnonzero(slice_of == part)
        per_member = np.diff(np.searchsorted(positions, ends), prepend=0)
        pairs = _posting_pairs(hashes[positions], np.repeat(member_owner, per_member), max_df, n)
        del positions
        if not pairs:
            continue
        codes = np.concatenate(pairs)
        del pairs
        bucket_of = (codes % parts).astype(np.uint8)
        for bucket in range(parts):
            buckets[bucket].append(codes[bucket_of == bucket])
    del hashes, slice_of
    found: dict[tuple[str, str], int] = {}
    for bucket in buckets:
        if not bucket:
            continue
        encoded, counts = np.unique(np.concatenate(bucket), return_counts=True)
        bucket.clear()
        enough = counts >= min_count
        for code, count in zip(encoded[enough], counts[enough], strict=True):
            found[(ids[int(code // n)], ids[int(code % n)])] = int(count)
    return found


def _posting_pairs(hashes: np.ndarray, owners: np.ndarray, max_df: int, n: int) -> list[np.ndarray]:
    """Codes a * n + b (a < b) of the article pairs of every posting list of 2..max_df articles."""
    if len(hashes) == 0:
        return []
    # one sort of (shingle, owner) keys: posting lists come out contiguous, owners ascending within each
    keys = (hashes.astype(np.uint64) << np.uint64(32)) | owners.astype(np.uint64)
    keys.sort()
    # collapse an article listed twice for one shingle (one article may reach a shard twice)
    keep = np.ones(len(keys), dtype=bool)
    keep[1:] = keys[1:] != keys[:-1]
    keys = keys[keep]
    shingle = keys >> np.uint64(32)
    starts = np.flatnonzero(np.concatenate(([True], shingle[1:] != shingle[:-1])))
    del shingle
    sizes = np.diff(np.concatenate((starts, [len(keys)])))
    chosen = (sizes >= 2) & (sizes <= max_df)
    owners = (keys & np.uint64(0xFFFFFFFF)).astype(np.int64)
    return pair_codes(owners, starts[chosen], sizes[chosen], n)
