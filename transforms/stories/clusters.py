"""Connected components of the links between articles, average-link grouping of rewrites, and the order that
picks a story's canonical article."""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from khabar.transforms.stories.config import STORY
from khabar.transforms.stories.fingerprints import Fingerprint
from khabar.transforms.stories.rewrites import RewriteLink


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


def average_link(nodes: Iterable[str], scores: Mapping[tuple[str, str], float], threshold: float) -> list[list[str]]:
    """Groups of nodes by greedy average link: the two groups whose members' mean similarity is highest
    merge, while that mean reaches threshold. A pair without a score counts 0, so a group joins another
    only when most of their members agree, not through one bridge (connected components would chain
    unrelated events through a single article that resembles both). Ties go to the smallest ids.

    Sparse: only groups linked by a score are compared, from a heap of candidate merges whose stale
    entries are skipped, so the cost grows with the number of scores, not with the square of the nodes.
    """
    members: dict[str, list[str]] = {node: [node] for node in sorted(set(nodes))}
    links: dict[str, dict[str, float]] = {node: {} for node in members}
    for (a, b), score in scores.items():
        if a != b and a in members and b in members:
            links[a][b] = links[a].get(b, 0.0) + score
            links[b][a] = links[b].get(a, 0.0) + score

    def mean(a: str, b: str) -> float:
        return links[a][b] / (len(members[a]) * len(members[b]))

    heap = [(-mean(a, b), a, b) for a in links for b in links[a] if a < b and mean(a, b) >= threshold]
    heapq.heapify(heap)
    while heap:
        negative, keep, gone = heapq.heappop(heap)
        if keep not in members or gone not in members or gone not in links[keep] or -negative != mean(keep, gone):
            continue  # a group that has merged since, or a mean that has changed
        members[keep] += members.pop(gone)
        for other, total in links.pop(gone).items():
            del links[other][gone]
            if other != keep:
                links[keep][other] = links[keep].get(other, 0.0) + total
                links[other][keep] = links[other].get(keep, 0.0) + total
        for other in links[keep]:
            value = mean(keep, other)
            if value >= threshold:
                heapq.heappush(heap, (-value, min(keep, other), max(keep, other)))
    return sorted(sorted(group) for group in members.values())


def story_components(
    edges: Iterable[tuple[str, str, str]], links: Iterable[RewriteLink], threshold: float
) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """article_id -> component key, from the verified edges (exact, near, shared passages: one text, or one
    report copied) and the rewrite links between the groups those make, by average link over the groups,
    seeded with each pair of groups' mean link over their members (a pair without a link counts 0, so a
    group joins another only when its members agree, not through the one copy that resembles it most).
    Returns the components and a story edge for every rewrite link inside one, for assignment."""
    links = list(links)
    uf = UnionFind()
    for a, b, _kind in edges:
        uf.union(a, b)
    for link in links:
        uf.find(link.a), uf.find(link.b)
    sizes = Counter(uf.components().values())  # a group's members: one text, or one report copied
    total: dict[tuple[str, str], float] = {}
    for link in links:
        x, y = sorted((uf.find(link.a), uf.find(link.b)))
        if x != y:
            total[(x, y)] = total.get((x, y), 0.0) + link.score
    mean = {(x, y): value / (sizes[x] * sizes[y]) for (x, y), value in total.items()}
    for group in average_link({node for pair in mean for node in pair}, mean, threshold):
        for other in group[1:]:
            uf.union(group[0], other)
    joined = [(link.a, link.b, STORY) for link in links if uf.find(link.a) == uf.find(link.b)]
    found = uf.components()
    sizes = Counter(found.values())
    return {article: key for article, key in found.items() if sizes[key] > 1}, joined  # a lone article is no component


def canonical_order(fp: Fingerprint) -> tuple[Any, ...]:
    """Earliest published first (unknown dates last), then longest, then article_id."""
    return (fp.published_at is None, fp.published_at or datetime.max, -fp.length, fp.article_id)
