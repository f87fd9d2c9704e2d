"""What a file holds, from its name and first bytes: its format, compression and declared charset."""

from __future__ import annotations

import re

from fsspec.utils import infer_compression

TEXT_SUFFIXES = (".txt", ".text", ".md")


HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")


JSON_SUFFIXES = (".json",)


JSONL_SUFFIXES = (".jsonl", ".ndjson")


WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")


ZIP_SUFFIXES = (".zip",)


TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")


COMPRESSION_SUFFIXES = (".gz", ".bz2", ".zst", ".xz", ".lz4")


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)


def strip_compression(name: str) -> tuple[str, str | None]:
    """('a.jsonl', 'gzip') for 'a.jsonl.gz'; WARC and tar keep their own gzip."""
    lower = name.lower()
    if lower.endswith(WARC_SUFFIXES) or lower.endswith(TAR_SUFFIXES):
        return name, None
    compression = infer_compression(name)
    if compression and lower.endswith(COMPRESSION_SUFFIXES):
        return name.rsplit(".", 1)[0], compression
    return name, None


def detect_format(name: str, head: bytes = b"") -> str:
    """Format of a record from its name (compression suffix already stripped), else by sniffing."""
    lower = name.lower().rsplit("/", 1)[-1]
    for suffixes, fmt in (
        (WARC_SUFFIXES, "warc"),
        (TAR_SUFFIXES, "tar"),
        (ZIP_SUFFIXES, "zip"),
        (JSONL_SUFFIXES, "jsonl"),
        (JSON_SUFFIXES, "json"),
        (HTML_SUFFIXES, "html"),
        (TEXT_SUFFIXES, "text"),
    ):
        if lower.endswith(suffixes):
            return fmt
    start = head.lstrip()[:512].lower()
    if start.startswith(b"pk\x03\x04"):
        return "zip"
    if start.startswith(b"warc/"):
        return "warc"
    if start.startswith((b"<!doctype html", b"<html")) or b"<body" in start:
        return "html"
    return "text"


def declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii").lower() if match else None
