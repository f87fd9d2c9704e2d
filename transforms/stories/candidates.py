"""Candidate pairs of one index shard, found with numpy.

Both dedup indexes (transforms/group_stories.py) turn groups of articles into pairs:
the LSH buckets (articles whose MinHash signatures agree on every value of
a band) and the posting lists of rare shingles (transforms/stories/textreuse.py).
Articles are numbered by sorted id, so a pair is one int64 code a * n + b
with a < b, and the pairs of every group are made per group size with
``np.triu_indices``: no Python loop over pairs and no Beam element per
bucket entry.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


def pair_codes(owners: np.ndarray, starts: np.ndarray, sizes: np.ndarray, n: int) -> list[np.ndarray]:
    """Codes a * n + b of every pair in each group owners[start : start + size].

    owners are article numbers (int64), ascending and distinct within a group.
    """
    codes = []
    for size in np.unique(sizes):
        group_starts = starts[sizes == size]
        x, y = np.triu_indices(int(size), k=1)
        codes.append((owners[group_starts[:, None] + x[None, :]] * n + owners[group_starts[:, None] + y[None, :]]).ravel())
    return codes


def lsh_pairs(members: list[tuple[str, bytes]], bands: Iterable[int], rows: int, max_bucket: int) -> set[tuple[str, str]]:
    """LSH candidate pairs (smaller id first) of the given bands.

    members: (article_id, compact signature: uint16 values); every signature
    has the same length. Two articles share a bucket of band b when their
    signatures agree on values b * rows .. (b + 1) * rows - 1. A bucket of
    more than max_bucket articles (one story copied hundreds of times) is
    paired as a star around its smallest id, not pair by pair. An article
    listed twice counts once.
    """
    bands = list(bands)
    if len(members) < 2 or not bands:
        return set()
    ids = sorted({article for article, _ in members})
    index_of = {article: i for i, article in enumerate(ids)}
    n = len(ids)
    owners = np.fromiter((index_of[article] for article, _ in members), dtype=np.int64, count=len(members))
    signatures = np.frombuffer(b"".join(signature for _, signature in members), dtype=np.uint16).reshape(len(members), -1)
    codes: list[np.ndarray] = []
    for band in bands:
        keys = signatures[:, band * rows : (band + 1) * rows]
        # the band's first value is the primary sort key, the owner the last: buckets come out contiguous, owners ascending
        order = np.lexsort((owners, *keys.T[::-1]))
        keys, band_owners = keys[order], owners[order]
        new_bucket = np.ones(len(order), dtype=bool)
        new_bucket[1:] = np.any(keys[1:] != keys[:-1], axis=1)
        keep = new_bucket.copy()
        keep[1:] |= band_owners[1:] != band_owners[:-1]
        new_bucket, band_owners = new_bucket[keep], band_owners[keep]
        starts = np.flatnonzero(new_bucket)
        sizes = np.diff(np.append(starts, len(band_owners)))
        small = (sizes >= 2) & (sizes <= max_bucket)
        codes.extend(pair_codes(band_owners, starts[small], sizes[small], n))
        for start, size in zip(starts[sizes > max_bucket], sizes[sizes > max_bucket], strict=True):
            codes.append(band_owners[start] * n + band_owners[start + 1 : start + size])
    if not codes:
        return set()
    unique = np.unique(np.concatenate(codes))
    return {(ids[a], ids[b]) for a, b in zip((unique // n).tolist(), (unique % n).tolist(), strict=True)}
