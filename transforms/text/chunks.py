"""Values of a text's whitespace-separated chunks, each distinct chunk computed once.

Words and tokens never cross whitespace, so anything summed or concatenated
over a text's words can be computed per chunk ("العراق،") and looked up:
news repeats its chunks, and str.split plus a mapped dict.get run in C where
a regex over the whole text walks every character in Python's engine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from khabar.transforms.runtime.bounded import BoundedDict

T = TypeVar("T")


class ChunkCache(Generic[T]):
    """compute(chunk) for every chunk of a text, in order, cached per process (bounded)."""

    def __init__(self, compute: Callable[[str], T], max_size: int = 500_000) -> None:
        self._compute = compute
        self._values: BoundedDict[str, T] = BoundedDict(max_size)  # bounded memory on endless vocabularies

    @property
    def table(self) -> dict[str, T]:
        """The cached values (read by the compiled kernels, which call compute_and_store on a miss)."""
        return self._values

    def compute_and_store(self, chunk: str) -> T:
        return self._values.put(chunk, self._compute(chunk))

    def values(self, text: str) -> list[T]:
        return self.split(text)[1]

    def split(self, text: str) -> tuple[list[str], list[T]]:
        """The text's chunks and their values, in order (for callers that also need where each chunk is)."""
        chunks = text.split()
        found: list[T | None] = list(map(self._values.get, chunks))
        if None in found:
            for i, value in enumerate(found):
                if value is None:
                    found[i] = self.compute_and_store(chunks[i])
        return chunks, found  # type: ignore[return-value]
