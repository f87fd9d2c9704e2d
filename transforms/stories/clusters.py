"""Connected components of the links between articles, and the order that picks a story's canonical article."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from khabar.transforms.stories.fingerprints import Fingerprint


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
