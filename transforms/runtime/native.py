"""khabar's compiled kernels (transforms/runtime/_native.c), when they were built.

setup.py builds them as an optional extension: a machine without a C
compiler still installs khabar, and every caller then runs the kernel's
numpy or Python definition, which gives the same numbers, only slower.
``KHABAR_PURE_PYTHON=1`` makes a process ignore the built module (to compare
the two, or to rule the kernels out when chasing a bug).
"""

from __future__ import annotations

import logging
import os
from types import ModuleType


def _load() -> ModuleType | None:
    if os.environ.get("KHABAR_PURE_PYTHON", "") not in ("", "0"):
        return None
    try:
        from khabar.transforms.runtime import _native
    except ImportError:
        logging.getLogger(__name__).warning(
            "khabar's compiled kernels are not built (no C compiler at install?): running their Python definitions, same results, slower"
        )
        return None
    return _native


KERNELS: ModuleType | None = _load()


def available() -> bool:
    """Whether this process runs the compiled kernels."""
    return KERNELS is not None
