"""Incremental ingestion: which input files are not in the output yet.

The ``files`` table is the manifest: one row per ingested file, written in the
same commit as the articles made from it. A file is already ingested when the
manifest has its URI with the same size and modification time (or ETag); when
those differ, its content hash decides (a file touched but unchanged is not
read again; a changed file is ingested as a new version, whose articles get
new ids because their bytes differ). Exactly once across crashes follows from
the commit protocol (transforms/write_tables.py): a batch's manifest rows become
visible with its tables or not at all, and a killed batch is rolled back and
its files selected again by the next one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from khabar.transforms.inputs.fileinfo import FileInfo, sha256_file, stat_file
from khabar.transforms.inputs.listing import expand_pattern
from khabar.transforms.output.prior import committed_files, read_rows


@dataclass(frozen=True)
class Ingested:
    """What the manifest remembers of one file version."""

    size: int
    modified_at: Any
    etag: str | None
    content_sha256: str


@dataclass(frozen=True)
class Selection:
    """The driver's plan for one incremental batch."""

    new: list[FileInfo]
    changed: list[FileInfo]
    unchanged: int
    deferred: int  # new files left for the next batch (max_files)

    @property
    def files(self) -> list[FileInfo]:
        return sorted(self.new + self.changed, key=lambda f: f.url)


def list_files(patterns: Iterable[str], storage_options: dict[str, dict[str, Any]] | None = None) -> list[FileInfo]:
    """Every file the patterns match, with size, modification time and ETag."""
    infos: dict[str, FileInfo] = {}
    for pattern in patterns:
        for url in expand_pattern(pattern, storage_options):
            if url in infos:
                continue
            try:
                infos[url] = stat_file(url, storage_options)
            except OSError:
                continue  # vanished between listing and stat: the next batch sees it or not
    return [infos[url] for url in sorted(infos)]


def load_manifest(output: str) -> dict[str, list[Ingested]]:
    """uri -> file versions ingested by committed runs."""
    manifest: dict[str, list[Ingested]] = {}
    for url in committed_files(output, "files"):
        for row in read_rows(url, ["uri", "size_bytes", "modified_at", "etag", "content_sha256"]):
            manifest.setdefault(row["uri"], []).append(Ingested(row["size_bytes"], row["modified_at"], row["etag"], row["content_sha256"]))
    return manifest


def _same_listing(info: FileInfo, seen: Ingested) -> bool:
    if info.size != seen.size:
        return False
    if info.etag is not None and seen.etag is not None:
        return info.etag == seen.etag
    return info.modified_at == seen.modified_at


def select_files(
    listed: list[FileInfo],
    manifest: dict[str, list[Ingested]],
    max_files: int | None = None,
    storage_options: dict[str, dict[str, Any]] | None = None,
) -> Selection:
    """Split listed files into new, changed and unchanged; at most max_files
    are taken, oldest modification first, so a backlog drains in order."""
    new: list[FileInfo] = []
    changed: list[FileInfo] = []
    unchanged = 0
    for info in listed:
        versions = manifest.get(info.uri)
        if not versions:
            new.append(info)
        elif any(_same_listing(info, seen) for seen in versions):
            unchanged += 1
        else:
            try:
                digest = sha256_file(info.url, storage_options)
            except OSError:
                continue
            if any(seen.content_sha256 == digest for seen in versions):
                unchanged += 1
            else:
                changed.append(info)
    deferred = 0
    if max_files is not None:
        chosen = sorted(new + changed, key=lambda f: (f.modified_at is None, f.modified_at or 0, f.url))[:max_files]
        keep = {f.url for f in chosen}
        deferred = len(new) + len(changed) - len(chosen)
        new = [f for f in new if f.url in keep]
        changed = [f for f in changed if f.url in keep]
    return Selection(new=new, changed=changed, unchanged=unchanged, deferred=deferred)
