"""A dict that starts over when full: the per-process caches of endless
vocabularies (chunks, words, surfaces) keep bounded memory.

A subclass of dict so that the hot paths keep dict's own C methods
(``cache.get`` in a mapped loop, ``cache[key]``); only storing goes through
``put``. Starting over (rather than evicting one entry at a time) costs
nothing per lookup, and a full cache of news words refills in a few pages.
"""

from __future__ import annotations

from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class BoundedDict(dict[K, V]):
    """dict with put(key, value): cleared first when it holds more than max_size entries."""

    __slots__ = ("max_size",)

    def __init__(self, max_size: int) -> None:
        super().__init__()
        self.max_size = max_size

    def put(self, key: K, value: V) -> V:
        if len(self) > self.max_size:
            self.clear()
        self[key] = value
        return value
