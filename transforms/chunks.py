"""Values of a text's whitespace-separated chunks, each distinct chunk computed once.

Words and tokens never cross whitespace, so anything summed or concatenated
over a text's words can be computed per chunk ("العراق،") and looked up:
news repeats its chunks, and str.split plus a mapped dict.get run in C where
a regex over the whole text walks every character in Python's engine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class ChunkCache(Generic[T]):
    """compute(chunk) for every chunk of a text, in order, cached per process (bounded)."""

    def __init__(self, compute: Callable[[str], T], max_size: int = 500_000) -> None:
        self._compute = compute
        self._max_size = max_size
        self._values: dict[str, T] = {}

    def values(self, text: str) -> list[T]:
        return self.split(text)[1]

    def split(self, text: str) -> tuple[list[str], list[T]]:
        """The text's chunks and their values, in order (for callers that also need where each chunk is)."""
        chunks = text.split()
        found: list[T | None] = list(map(self._values.get, chunks))
        if None in found:
            if len(self._values) > self._max_size:
                self._values.clear()  # bounded memory on endless vocabularies
            for i, value in enumerate(found):
                if value is None:
                    found[i] = self._values[chunks[i]] = self._compute(chunks[i])
        return chunks, found  # type: ignore[return-value]
