"""What streaming story matching keeps of an article, the buckets it is matched in, and the link a bucket finds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from khabar.transforms.runtime.records import Document
from khabar.transforms.stories.config import EXACT, NEAR, DedupConfig
from khabar.transforms.stories.fingerprints import Evidence, Fingerprint, article_rewrite
from khabar.transforms.stories.pairs import index_terms, rewrite_link, verify_pair
from khabar.transforms.text.minhash import MinHasher, band_keys, compact, estimated_jaccard, text_shingles32


@dataclass(frozen=True)
class Sketch:
    """What streaming matching needs of one article."""

    fingerprint: Fingerprint
    evidence: Evidence
    signature: bytes
    entities: frozenset[tuple[str, str]]
    event_time: float
    document: Document | None = None  # travels to assignment; never stored in buckets

    @property
    def article_id(self) -> str:
        return self.fingerprint.article_id


def sketch(
    doc: Document,
    entities: frozenset[tuple[str, str]],
    event_time: float,
    hasher: MinHasher,
    config: DedupConfig,
) -> Sketch:
    shingles = text_shingles32(doc.text_normalized, config.shingle_size)
    fp = Fingerprint(doc.article_id, doc.content_hash, doc.published_at, len(doc.text), doc.title, doc.source_name)
    rewrite = article_rewrite(doc) if config.story and config.rewrite else b""
    evidence = Evidence.of(shingles, doc.published_at, entities=entities, rewrite=rewrite)
    return Sketch(fp, evidence, compact(hasher.signature(shingles)), entities, event_time, doc)


def bucket_keys(item: Sketch, config: DedupConfig) -> list[str]:
    """The buckets an article is matched in: its hash, its LSH bands, its people and
    organizations, its heaviest terms (the batch path's term index). Keys are
    strings ("kind\x1fpart..."): one coder for every key."""
    keys = [f"exact\x1f{item.fingerprint.content_hash}"]
    if config.near:
        signature = np.frombuffer(item.signature, dtype=np.uint16)
        keys.extend(f"band\x1f{band}\x1f{key.hex()}" for band, key in band_keys(signature, config.bands))
    if config.story:
        keys.extend(f"entity\x1f{kind}\x1f{key}" for kind, key in sorted(item.entities) if kind in ("PER", "ORG"))
        keys.extend(f"term\x1f{int(term)}" for term in index_terms(item.evidence, config))
    return keys


def is_evidence(bucket: str, size: int, config: DedupConfig) -> bool:
    """Whether a bucket holding `size` recent articles (the newcomer counted) links them: a term on more
    than story_max_df articles is no evidence, as the batch index skips it (a word of every day's news)."""
    return not (bucket.startswith("term\x1f") and size > config.story_max_df)


def match(new: Sketch, old: Sketch, bucket: str, config: DedupConfig) -> str | float | None:
    """What links a newcomer and a stored article of the same bucket: an edge kind, the
    score of a rewrite link (a term bucket's pair that no passage joins: pairs.rewrite_link,
    as in batch runs), or None."""
    kind = bucket.split("\x1f", 1)[0]
    if kind == "exact":
        return EXACT if new.fingerprint.content_hash == old.fingerprint.content_hash else None
    if kind == "band":
        return NEAR if estimated_jaccard(new.signature, old.signature) >= config.near_threshold else None
    edge = verify_pair((new.article_id, new.evidence), (old.article_id, old.evidence), config)
    if edge:
        return edge[2]
    if kind == "term":
        link = rewrite_link((new.article_id, new.evidence), (old.article_id, old.evidence), config)
        return link.score if link else None
    return None
