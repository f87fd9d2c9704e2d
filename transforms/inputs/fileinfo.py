"""What the manifest records of one input file: size, modification time or
ETag as the store reports them, and the SHA-256 of its bytes.

Filesystems name these differently (local: mtime; S3: LastModified, ETag;
GCS: updated, md5Hash, generation; Azure: last_modified, etag); this module
is the one place that knows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import fsspec
from khabar.transforms.runtime.redact import redact_url

_MTIME_KEYS = ("mtime", "LastModified", "last_modified", "updated", "modified", "created")
_ETAG_KEYS = ("ETag", "etag", "generation", "VersionId", "version_id", "md5Hash")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class FileInfo:
    """A listed input file: what decides whether it changed since it was ingested."""

    url: str
    size: int
    modified_at: datetime | None
    etag: str | None

    @property
    def uri(self) -> str:
        """The URL as the tables show it (credentials redacted)."""
        return redact_url(self.url)


@dataclass(frozen=True)
class FileRecord:
    """One manifest row: a file the read stage ingested."""

    info: FileInfo
    content_sha256: str
    records: int

    def to_row(self) -> dict[str, Any]:
        return {
            "uri": self.info.uri,
            "size_bytes": self.info.size,
            "modified_at": self.info.modified_at,
            "etag": self.info.etag,
            "content_sha256": self.content_sha256,
            "records": self.records,
        }


def _timestamp(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    try:
        return _timestamp(datetime.fromisoformat(str(value).replace("Z", "+00:00")))
    except ValueError:
        return None


def info_from_details(url: str, details: dict[str, Any]) -> FileInfo:
    """FileInfo from an fsspec info() / find(detail=True) entry."""
    modified = next((_timestamp(details[k]) for k in _MTIME_KEYS if details.get(k) is not None), None)
    etag = next((str(details[k]).strip('"') for k in _ETAG_KEYS if details.get(k)), None)
    return FileInfo(url=url, size=int(details.get("size") or 0), modified_at=modified, etag=etag)


def protocol_of(url: str) -> str:
    """The protocol of a URL's outermost filesystem ('file' for plain paths; a chain's first link)."""
    head = url.partition("::")[0]
    return head.split("://", 1)[0] if "://" in head else "file"


def options_for(url: str, storage_options: dict[str, dict[str, Any]] | None) -> dict[str, Any]:
    """The fsspec options (--storage-options) that apply to a URL."""
    return (storage_options or {}).get(protocol_of(url), {})


def stat_file(url: str, storage_options: dict[str, dict[str, Any]] | None = None) -> FileInfo:
    """Size, modification time and ETag of one file URL (raises OSError when gone)."""
    fs, path = fsspec.core.url_to_fs(url, **options_for(url, storage_options))
    return info_from_details(url, fs.info(path))


def sha256_file(url: str, storage_options: dict[str, dict[str, Any]] | None = None) -> str:
    """SHA-256 of the file's stored bytes, streamed in 1 MiB chunks."""
    digest = hashlib.sha256()
    with fsspec.open(url, "rb", **options_for(url, storage_options)) as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
