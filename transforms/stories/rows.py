"""The stories and fingerprints tables' rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from khabar.transforms.stories.clusters import canonical_order
from khabar.transforms.stories.fingerprints import Fingerprint, entity_keys


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
        "rewrite": data["evidence"].rewrite,
    }
