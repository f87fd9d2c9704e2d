"""ChunkCache: a text's chunk values in order, each distinct chunk computed once."""

from __future__ import annotations

from khabar.transforms.text.chunks import ChunkCache


def test_values_follow_the_chunks_and_each_distinct_chunk_is_computed_once() -> None:
    computed: list[str] = []

    def length(chunk: str) -> int:
        computed.append(chunk)
        return len(chunk)

    cache = ChunkCache(length)
    assert cache.values("قال  الوزير\nقال، ab\t") == [3, 6, 4, 2]
    assert cache.values(" ab قال ") == [2, 3]
    assert cache.values("   ") == []
    assert computed == ["قال", "الوزير", "قال،", "ab"]
    # split gives the chunks with their values, for callers that locate them in the text
    assert cache.split("ab\nقال،") == (["ab", "قال،"], [2, 4])
    assert computed == ["قال", "الوزير", "قال،", "ab"]


def test_a_full_cache_starts_over_and_stays_correct() -> None:
    cache = ChunkCache(str.upper, max_size=2)
    for text in ("a b c", "d e", "a d", "f g h i"):
        assert cache.values(text) == text.upper().split()
    # past max_size it starts over (transforms/runtime/bounded.py): never more than max_size + 1 chunks,
    # never all nine, and the last chunk computed is kept
    assert len(cache._values) <= 3
    assert "i" in cache._values
