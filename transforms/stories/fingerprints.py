"""What story grouping keeps of an article: its fingerprint (no text) and the evidence pairs are verified on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from khabar.transforms.runtime.records import Document
from khabar.transforms.stories.rewrites import RewriteTerms
from khabar.transforms.stories.textreuse import PLACE_TYPES, actor_hashes
from khabar.transforms.text.minhash import sorted_unique
from khabar.transforms.text.normalize import normalize_text


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


def article_rewrite(doc: Document) -> bytes:
    """The packed RewriteTerms of an article's headline and text_normalized."""
    return RewriteTerms.of(normalize_text(doc.title) if doc.title else None, doc.text_normalized).pack()


def fingerprint(doc: Document) -> Fingerprint:
    return Fingerprint(doc.article_id, doc.content_hash, doc.published_at, len(doc.text), doc.title, doc.source_name)


@dataclass(frozen=True)
class Evidence:
    """What verifying a candidate pair needs of one article.

    Shingles travel as bytes (uint32, text order): bytes pickle far faster
    than arrays through a shuffle. The sorted unique set is not carried: it is
    as large again and is made only for the articles of candidate pairs.
    signature: the compact MinHash signature, for pairs that LSH proposed.
    actors: the article's people and organizations as sorted uint64 hashes
    (textreuse.actor_hashes), for the story score.
    places: its places, hashed the same way, for the rewrite score.
    rewrite: its packed rewrites.RewriteTerms (term vector, years, months,
    numbers), for the rewrite score; empty for an earlier run's article
    fingerprinted before they existed.
    """

    ordered: bytes
    published_at: datetime | None
    prior: bool = False  # an article of an earlier run
    signature: bytes = b""
    actors: bytes = b""
    rewrite: bytes = b""
    places: bytes = b""

    @classmethod
    def of(
        cls,
        shingles: np.ndarray,
        published_at: datetime | None,
        prior: bool = False,
        signature: bytes = b"",
        entities: Iterable[tuple[str, str]] = (),
        rewrite: bytes = b"",
    ) -> Evidence:
        entities = tuple(entities)
        return cls(
            shingles.astype(np.uint32).tobytes(),
            published_at,
            prior,
            signature,
            actor_hashes(entities).tobytes(),
            rewrite,
            actor_hashes(entities, PLACE_TYPES).tobytes(),
        )

    @property
    def shingles(self) -> np.ndarray:
        return np.frombuffer(self.ordered, dtype=np.uint32)

    @property
    def unique_shingles(self) -> np.ndarray:
        return sorted_unique(self.shingles)

    @property
    def actor_hashes(self) -> np.ndarray:
        return np.frombuffer(self.actors, dtype=np.uint64)

    @property
    def place_hashes(self) -> np.ndarray:
        return np.frombuffer(self.places, dtype=np.uint64)

    @property
    def rewrite_terms(self) -> RewriteTerms:
        return RewriteTerms.unpack(self.rewrite)


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
        "evidence": Evidence.of(
            shingles, row["published_at"], prior=True, signature=row["signature"], entities=entities, rewrite=row.get("rewrite") or b""
        ),
        "entities": entities,
    }


def entity_keys(keys: Iterable[tuple[str, str]]) -> list[str]:
    return sorted(f"{kind}\t{key}" for kind, key in keys)


def parse_entity_keys(keys: Iterable[str]) -> frozenset[tuple[str, str]]:
    return frozenset(tuple(k.split("\t", 1)) for k in keys)  # type: ignore[misc]
