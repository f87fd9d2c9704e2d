"""Give the operating system back the memory a finished batch of articles held.

CPython hands objects over 512 bytes (page texts, row strings) to the C
allocator, and glibc keeps the pages of freed blocks inside its heap when
anything still lives above them: after a bundle's batches of articles
(transforms/runtime/batching.py) a worker stays at its high-water mark through the
dedup stages that follow. ``malloc_trim`` returns those free pages (its
effect on a 100k run's peak memory is in docs/performance.md).
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache


@cache
def _malloc_trim() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to trim this way
        return None


def release_freed_memory() -> bool:
    """Return freed heap pages to the OS where the C library can (glibc); True if it could."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
