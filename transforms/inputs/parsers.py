"""Records of one input file: plain text and HTML pages, JSON and JSON lines, WARC, zip and tar archives; each a Document or a Reject."""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import fsspec
from khabar.transforms.inputs.decode import DecodeError, clean_text, decode_bytes
from khabar.transforms.inputs.fileinfo import options_for
from khabar.transforms.inputs.formats import declared_charset, detect_format, strip_compression
from khabar.transforms.inputs.limits import RATIO_FLOOR, Bomb, CountingReader, TooLarge, decompressing, read_limited
from khabar.transforms.runtime.records import Document, Reject, sha256_hex
from khabar.transforms.runtime.redact import redact_url

Outcome = Document | Reject


@dataclass(frozen=True)
class ReadConfig:
    """How inputs are read.

    max_bytes: largest accepted record after decompression (default 20 MB);
      bigger ones are rejected as ``too_large`` while streaming, before they are
      fully in memory.
    max_ratio: a compressed file or zip member whose content outgrows its
      compressed bytes by more than this (past the first MiB) is rejected as
      ``compression_bomb`` while streaming (news text compresses 3-10x; bombs
      1000x); 0 turns the check off.
    max_archive_depth: how many archive levels are opened (a zip inside a zip is 2).
    storage_options: fsspec options per protocol, e.g. {"s3": {"anon": True}};
      credentials belong in the environment, not on the command line.
    """

    max_bytes: int = 20 * 1024 * 1024
    max_ratio: float = 100.0
    max_archive_depth: int = 2
    storage_options: dict[str, dict[str, Any]] = field(default_factory=dict)


def _document(uri: str, key: str, data: bytes, fmt: str, **meta: Any) -> Document:
    """Decode one record's bytes into a Document (raises DecodeError)."""
    declared = meta.pop("charset", None) or (declared_charset(data) if fmt == "html" else None)
    decoded = decode_bytes(data, declared)
    return Document(
        source_uri=uri,
        record_key=key,
        content=decoded.text,
        content_type="html" if fmt == "html" else "text",
        size_bytes=len(data),
        digest=sha256_hex(data),
        **meta,
    )


def parse_json_object(uri: str, key: str, obj: Any, raw: bytes) -> Outcome:
    """One JSON object ({text|html, url?, title?, published?}) to a Document or Reject."""
    where = f"{uri}#{key}" if key else uri
    if not isinstance(obj, dict):
        return Reject(where, "parse", "bad_json", "JSON value is not an object", len(raw))
    html, text = obj.get("html"), obj.get("text") or obj.get("content") or obj.get("body")
    content = html if isinstance(html, str) and html.strip() else text
    if not isinstance(content, str) or not content.strip():
        return Reject(where, "parse", "missing_content", "object has no non-empty 'text' or 'html'", len(raw))
    fmt = "html" if content is html else "text"
    doc = _document(uri, key, clean_text(content).encode("utf-8"), fmt)
    doc.digest = sha256_hex(raw)
    doc.size_bytes = len(raw)
    for name in ("url", "title"):
        value = obj.get(name)
        if isinstance(value, str) and value.strip():
            setattr(doc, name, clean_text(value).strip())
    published = obj.get("published") or obj.get("published_at") or obj.get("date")
    if isinstance(published, str | int | float) and str(published).strip():
        doc.published_hint = str(published).strip()
    return doc


def iter_jsonl(uri: str, data: bytes) -> Iterator[Outcome]:
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        key = f"L{number}"
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            yield Reject(f"{uri}#{key}", "parse", "bad_json", f"line {number}: {exc}", len(line))
            continue
        yield _guard(uri, key, len(line), lambda obj=obj, key=key, line=line: parse_json_object(uri, key, obj, line))


def iter_json(uri: str, data: bytes) -> Iterator[Outcome]:
    try:
        value = json.loads(decode_bytes(data).text)
    except DecodeError as exc:
        yield Reject(uri, "decode", exc.reason, str(exc), len(data))
        return
    except json.JSONDecodeError as exc:
        yield Reject(uri, "parse", "bad_json", str(exc), len(data))
        return
    if isinstance(value, list):
        for index, obj in enumerate(value):
            raw = json.dumps(obj, ensure_ascii=False, sort_keys=True).encode("utf-8")
            yield _guard(uri, f"{index}", len(raw), lambda obj=obj, index=index, raw=raw: parse_json_object(uri, f"{index}", obj, raw))
    else:
        yield _guard(uri, "", len(data), lambda: parse_json_object(uri, "", value, data))


def iter_warc(uri: str, stream: IO[bytes], limit: int) -> Iterator[Outcome]:
    """HTML (and plain text) responses of a WARC file; other responses are rejected as not_html."""
    from warcio.archiveiterator import ArchiveIterator

    try:
        for record in ArchiveIterator(stream):
            if record.rec_type != "response":
                continue  # requests, metadata and warcinfo records describe the crawl, they are not pages
            key = record.rec_headers.get_header("WARC-Record-ID", "").strip("<>") or "record"
            target = record.rec_headers.get_header("WARC-Target-URI")
            ctype = (record.http_headers.get_header("Content-Type", "") if record.http_headers else "").lower()
            where = f"{uri}#{key}"
            if ctype and "html" not in ctype and "text/plain" not in ctype:
                yield Reject(where, "read", "not_html", f"response content type {ctype!r}", None)
                continue
            try:
                data = read_limited(record.content_stream(), limit)
            except TooLarge as exc:
                yield Reject(where, "read", "too_large", str(exc), None)
                continue
            charset = None
            if "charset=" in ctype:
                charset = ctype.split("charset=", 1)[1].split(";")[0].strip()
            fmt = "text" if "text/plain" in ctype else "html"
            yield _guard(
                uri,
                key,
                len(data),
                lambda data=data, key=key, fmt=fmt, target=target, charset=charset: _document(
                    uri, key, data, fmt, url=target, charset=charset
                ),
            )
    except Exception as exc:  # warcio raises bare exceptions on truncated or corrupt archives
        yield Reject(uri, "read", "broken_archive", f"WARC: {type(exc).__name__}: {exc}", None)


def _guard(uri: str, key: str, size: int, build: Any) -> Outcome:
    """Run a record builder, turning decode failures into rejects."""
    try:
        return build()
    except DecodeError as exc:
        return Reject(f"{uri}#{key}" if key else uri, "decode", exc.reason, str(exc), size)


def iter_records(uri: str, name: str, data: bytes, config: ReadConfig, depth: int = 0) -> Iterator[Outcome]:
    """Every article record inside one file's (decompressed) bytes."""
    fmt = detect_format(name, data[:1024])
    if fmt in ("zip", "tar"):
        if depth >= config.max_archive_depth:
            yield Reject(uri, "read", "archive_too_deep", f"archive nesting deeper than {config.max_archive_depth}", len(data))
            return
        yield from iter_archive(uri, fmt, data, config, depth + 1)
    elif fmt == "warc":
        yield from iter_warc(uri, io.BytesIO(data), config.max_bytes)
    elif fmt == "jsonl":
        yield from iter_jsonl(uri, data)
    elif fmt == "json":
        yield from iter_json(uri, data)
    else:
        yield _guard(uri, "", len(data), lambda: _document(uri, "", data, fmt))


def iter_archive(uri: str, fmt: str, data: bytes, config: ReadConfig, depth: int) -> Iterator[Outcome]:
    """Members of a zip or tar file, read in memory: nothing is ever extracted to disk,
    so member paths with '..' or absolute paths cannot escape anywhere."""
    try:
        if fmt == "zip":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = [(i.filename, i.file_size, i.compress_size) for i in archive.infolist() if not i.is_dir()]
                for member, size, packed in members:
                    yield from _archive_member(uri, member, size, lambda m=member: archive.open(m), config, depth, packed)
        else:
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
                for info in archive:
                    if not info.isfile():
                        continue
                    yield from _archive_member(uri, info.name, info.size, lambda i=info: archive.extractfile(i), config, depth, info.size)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError, ValueError) as exc:
        yield Reject(uri, "read", "broken_archive", f"{fmt}: {type(exc).__name__}: {exc}", len(data))


def _archive_member(
    uri: str, member: str, declared: int, open_member: Any, config: ReadConfig, depth: int, packed: int = 0
) -> Iterator[Outcome]:
    member_uri = f"{uri}#{member}"
    name = member.rsplit("/", 1)[-1]
    if name.startswith((".", "_")):
        return
    if declared > config.max_bytes:
        yield Reject(member_uri, "read", "too_large", f"member declares {declared} bytes (limit {config.max_bytes})", declared)
        return
    if config.max_ratio and declared > RATIO_FLOOR and declared > config.max_ratio * max(packed, 1):
        yield Reject(member_uri, "read", "compression_bomb", f"member declares {declared} bytes from {packed} compressed", declared)
        return
    try:
        with open_member() as raw:
            inner, compression = strip_compression(member)
            counted = CountingReader(raw)
            stream = decompressing(io.BufferedReader(counted), compression)
            data = read_limited(stream, config.max_bytes, counted if compression else None, config.max_ratio)
    except Bomb as exc:
        yield Reject(member_uri, "read", "compression_bomb", str(exc), declared)
        return
    except TooLarge as exc:
        yield Reject(member_uri, "read", "too_large", str(exc), declared)
        return
    if not data.strip():
        yield Reject(member_uri, "read", "empty_file", "archive member is empty", 0)
        return
    yield from iter_records(member_uri, inner, data, config, depth)


def read_file(url: str, config: ReadConfig, digests: list[str] | None = None) -> Iterator[Outcome]:
    """All records of one file URL: Documents, and Rejects for what cannot be read.

    digests receives the SHA-256 of the file's stored bytes when the read
    went through to the end of the file."""
    safe = redact_url(url)
    head, _, _ = url.partition("::")
    options = options_for(url, config.storage_options)
    inner, compression = strip_compression(head.rsplit("/", 1)[-1].split("?", 1)[0])
    try:
        with fsspec.open(url, "rb", **options) as raw:
            counted = CountingReader(raw)
            stream = decompressing(io.BufferedReader(counted), compression)
            if detect_format(inner) == "warc":
                yield from iter_warc(safe, stream, config.max_bytes)
                while stream.read(1 << 20):  # what the WARC reader left after its last record, for the hash
                    pass
                if digests is not None and counted.sha256:
                    digests.append(counted.sha256)
                return
            data = read_limited(stream, config.max_bytes, counted if compression else None, config.max_ratio)
            if digests is not None and counted.sha256:
                digests.append(counted.sha256)
    except Bomb as exc:
        yield Reject(safe, "read", "compression_bomb", str(exc), None)
        return
    except TooLarge as exc:
        yield Reject(safe, "read", "too_large", str(exc), None)
        return
    except FileNotFoundError as exc:
        yield Reject(safe, "read", "not_found", str(exc) or "file vanished", None)
        return
    except PermissionError as exc:
        yield Reject(safe, "read", "unreadable", f"permission denied: {exc}", None)
        return
    except Exception as exc:
        # Corrupt gzip/bz2/zstd streams (zlib.error, LZMAError, ZstdError, EOFError)
        # and transport errors of any fsspec backend surface here.
        yield Reject(safe, "read", "unreadable", f"{type(exc).__name__}: {redact_url(str(exc))}", None)
        return
    if not data.strip():
        yield Reject(safe, "read", "empty_file", "file is empty or blank", len(data))
        return
    yield from iter_records(safe, inner, data, config)


def read_pages(url: str, config: ReadConfig) -> Iterator[Document]:
    """The Documents of one file, nothing else: what it cannot read, the real read rejects."""
    try:
        for outcome in read_file(url, config):
            if isinstance(outcome, Document):
                yield outcome
    except Exception:  # a reader bug on one hostile file: its reject comes from ReadFileFn
        pass
