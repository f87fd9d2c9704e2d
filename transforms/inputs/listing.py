"""Input patterns to file URLs on any fsspec filesystem, with a clear error for patterns that match nothing."""

from __future__ import annotations

import re
from typing import Any

import fsspec
from khabar.transforms.inputs.fileinfo import options_for, protocol_of
from khabar.transforms.runtime.redact import redact_url

_GLOB_CHARS = re.compile(r"[*?\[]")


class NoMatchError(ValueError):
    """An input pattern matched no file."""


def expand_pattern(pattern: str, storage_options: dict[str, dict[str, Any]] | None = None) -> list[str]:
    """Expand one input pattern to sorted, re-openable file URLs.

    A directory means every file below it; ``**`` recurses. Hidden files and
    marker files (names starting with '.' or '_') are skipped. Chained URLs
    (``zip://*.txt::file:///a.zip``) keep their chain so any worker can open them.
    """
    head, sep, chain = pattern.partition("::")
    protocol = protocol_of(pattern)
    fs, root = fsspec.core.url_to_fs(pattern, **options_for(pattern, storage_options))
    if protocol in ("http", "https") and not _GLOB_CHARS.search(head):
        return [pattern]
    if _GLOB_CHARS.search(root):
        paths = fs.glob(root)
    elif fs.isdir(root):
        paths = fs.find(root)
    elif fs.exists(root):
        paths = [root]
    else:
        paths = []
    urls = []
    for path in sorted(set(paths)):
        name = path.rstrip("/").rsplit("/", 1)[-1]
        if name.startswith((".", "_")) or fs.isdir(path):
            continue
        url = fs.unstrip_protocol(path)
        urls.append(f"{url}{sep}{chain}" if sep else url)
    return urls


def check_patterns(patterns: list[str], storage_options: dict[str, dict[str, Any]] | None = None) -> dict[str, int]:
    """Fail fast, naming the pattern, when any input pattern matches nothing."""
    counts = {}
    for pattern in patterns:
        try:
            urls = expand_pattern(pattern, storage_options)
        except (OSError, ValueError, ImportError) as exc:
            raise NoMatchError(f"input {redact_url(pattern)!r} cannot be listed: {exc}") from exc
        if not urls:
            raise NoMatchError(f"input {redact_url(pattern)!r} matches no file")
        counts[pattern] = len(urls)
    return counts
