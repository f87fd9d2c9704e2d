"""Freed heap memory goes back to the OS after a batch (transforms/runtime/memory.py)."""

from __future__ import annotations

import sys

import psutil
import pytest
from khabar.transforms.runtime.memory import release_freed_memory


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_freed_page_texts_leave_the_resident_memory() -> None:
    process = psutil.Process()
    # 100k texts of 2 KB (the C allocator's, not Python's small-object arenas),
    # every hundredth kept alive: glibc cannot shrink its heap past the
    # survivors, so the freed pages stay resident until trimmed.
    texts = [("ن" * 1000) + str(i) for i in range(100_000)]
    survivors = texts[::100]
    del texts
    before = process.memory_info().rss
    assert release_freed_memory()
    after = process.memory_info().rss
    assert before - after > 100 * 2**20, (before >> 20, after >> 20)
    assert len(survivors) == 1000
