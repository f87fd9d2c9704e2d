"""Which story an article joins, and how it is linked to the story's canonical article."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from khabar.transforms.stories.clusters import canonical_order
from khabar.transforms.stories.config import EXACT, KIND_RANK, STORY
from khabar.transforms.stories.fingerprints import Fingerprint


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
            if other not in direct or KIND_RANK[kind] < KIND_RANK[direct[other]]:
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


def earlier_story(stories: Iterable[tuple[str, str]]) -> tuple[str, str]:
    """The one rule for joining earlier stories: of the (story_id, canonical)
    of the earlier articles a group of new articles is linked with, the story
    with the smallest id. It depends on the stories alone, not on the order or
    time in which batch, incremental or streaming runs saw them, so each kind
    of run joins the same story. Two earlier stories bridged by new articles
    are not merged: that would rewrite committed rows."""
    return min(stories)


def join_earlier(
    new: Iterable[Fingerprint],
    earlier: Mapping[str, tuple[str, str]],
    edges: Iterable[tuple[str, str, str]],
    earlier_hashes: Mapping[str, str] | None = None,
) -> tuple[str, str, dict[str, Assignment]]:
    """New articles of one component that holds earlier articles.

    earlier: article_id -> (story_id, canonical) of the component's earlier
    articles; earlier_hashes: their content hashes, where known. The new
    articles join earlier_story(...); a new article's kind is exact when its
    hash equals one of that story's articles here or an exact link joins it
    to one, near when a near link joins it to one directly, else story.
    Returns (story_id, canonical, assignments of the new articles).
    """
    story_id, canonical = earlier_story(earlier.values())
    anchors = {article for article, (story, _) in earlier.items() if story == story_id}
    hashes = {(earlier_hashes or {}).get(article) for article in anchors} - {None}
    direct: dict[str, str] = {}
    for a, b, kind in edges:
        for new_id, other in ((a, b), (b, a)):
            if other in anchors and new_id not in earlier and KIND_RANK[kind] < KIND_RANK[direct.get(new_id, STORY)]:
                direct[new_id] = kind
    result = {}
    for fp in new:
        kind = EXACT if fp.content_hash in hashes else direct.get(fp.article_id, STORY)
        result[fp.article_id] = Assignment(story_id, canonical, kind)
    return story_id, canonical, result


def assign_to_prior(members: list[Fingerprint], edges: Iterable[tuple[str, str, str]]) -> tuple[str, str, dict[str, Assignment]]:
    """join_earlier for a batch component: its earlier articles are the
    members read back from earlier runs (prior_story set)."""
    prior = [fp for fp in members if fp.prior_story]
    earlier = {fp.article_id: (fp.prior_story, fp.prior_canonical or fp.prior_story) for fp in prior}
    hashes = {fp.article_id: fp.content_hash for fp in prior}
    return join_earlier([fp for fp in members if not fp.prior_story], earlier, edges, hashes)  # type: ignore[arg-type]
