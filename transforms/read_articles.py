"""Read articles from any fsspec location: files, archives, JSON lines, WARC.

Reads: glob patterns (local paths, file://, zip://...::file://, s3://, gs://,
http(s)://, memory://). Writes: ``Document`` records (main output) and
``Reject`` records (tagged ``rejects``): one of the two for every input record;
and a ``FileRecord`` per file read, the run's manifest rows.

fsspec URLs are opened with fsspec directly, never through Beam's FileSystems
(which rejects file:// and chained URLs).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from time import perf_counter
from typing import IO, Any

import apache_beam as beam
import fsspec
from fsspec.utils import infer_compression
from khabar.transforms.inputs.decode import DecodeError, clean_text, decode_bytes
from khabar.transforms.inputs.fileinfo import FileRecord, options_for, protocol_of, sha256_file, stat_file
from khabar.transforms.runtime.batching import MAX_BATCH, BatchedDoFn
from khabar.transforms.runtime.memory import release_freed_memory
from khabar.transforms.runtime.records import REJECTS_TAG, Document, Reject, reject_output, sha256_hex, split_by_type, split_rejects
from khabar.transforms.runtime.redact import redact_url
from khabar.transforms.runtime.timing import WALL_NAMESPACE, TimedDoFn

NAMESPACE = "khabar.read"

TEXT_SUFFIXES = (".txt", ".text", ".md")
HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
JSON_SUFFIXES = (".json",)
JSONL_SUFFIXES = (".jsonl", ".ndjson")
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
ZIP_SUFFIXES = (".zip",)
TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")
COMPRESSION_SUFFIXES = (".gz", ".bz2", ".zst", ".xz", ".lz4")

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)
_GLOB_CHARS = re.compile(r"[*?\[]")


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


class NoMatchError(ValueError):
    """An input pattern matched no file."""


# ---------------------------------------------------------------- listing


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


# ---------------------------------------------------------------- formats


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


class TooLarge(ValueError):
    pass


class Bomb(TooLarge):
    """Decompressed bytes outgrow the compressed ones by more than max_ratio."""


class CountingReader(io.RawIOBase):
    """A read-only stream over a file's stored bytes that counts them (the
    compressed side of a decompressor, for the expansion-ratio check) and
    hashes them (the manifest's content_sha256, without reading the file twice)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._sha256 = hashlib.sha256()
        self.count = 0
        self.eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        self._sha256.update(data)
        self.count += len(data)
        self.eof = self.eof or not data
        return len(data)

    @property
    def sha256(self) -> str | None:
        """Hex SHA-256 of the whole file, once it has been read to its end."""
        return self._sha256.hexdigest() if self.eof else None


# Below this many decompressed bytes no ratio check: small, repetitive pages compress well.
RATIO_FLOOR = 1 << 20


def read_limited(stream: IO[bytes], limit: int, compressed: CountingReader | None = None, max_ratio: float = 0) -> bytes:
    """Read at most ``limit`` bytes, raising TooLarge as soon as more arrive,
    and Bomb as soon as the output passes max_ratio times the compressed input
    read so far: a decompression bomb is stopped while streaming, not after."""
    chunks, total = [], 0
    while True:
        chunk = stream.read(min(1 << 16, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise TooLarge(f"more than {limit} bytes")
        if compressed is not None and max_ratio and total > RATIO_FLOOR and total > max_ratio * max(compressed.count, 1):
            raise Bomb(f"expands more than {max_ratio:g} times ({compressed.count} compressed bytes gave {total} so far)")
    return b"".join(chunks)


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


Outcome = Document | Reject


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
            stream = _decompressing(io.BufferedReader(counted), compression)
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


def _decompressing(stream: IO[bytes], compression: str | None) -> IO[bytes]:
    if compression is None:
        return stream
    from fsspec.compression import compr

    return compr[compression](stream, mode="rb")


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
            stream = _decompressing(io.BufferedReader(counted), compression)
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


# ---------------------------------------------------------------- Beam


class ExpandPatternFn(beam.DoFn):
    """Pattern -> file URLs. A pattern matching nothing at run time becomes a reject."""

    def __init__(self, config: ReadConfig) -> None:
        self._config = config

    def process(self, pattern: str) -> Iterator[Any]:
        try:
            urls = expand_pattern(pattern, self._config.storage_options)
        except (OSError, ValueError, ImportError) as exc:
            yield reject_output(Reject(redact_url(pattern), "match", "unlistable", redact_url(str(exc))), NAMESPACE)
            return
        if not urls:
            yield reject_output(Reject(redact_url(pattern), "match", "no_match", "pattern matches no file"), NAMESPACE)
        beam.metrics.Metrics.counter(NAMESPACE, "files_matched").inc(len(urls))
        yield from urls


class ReadFileFn(BatchedDoFn, TimedDoFn):
    """File URL -> Documents, with a reject for every record that cannot be read.

    A BatchedDoFn although it reads one file at a time: Beam batches a DoFn's
    output for batched consumers only when the DoFn has a batch type, so the
    per-article stages after the read get the read's documents as batches
    (transforms/runtime/batching.py), flushed when the read's operation finishes.
    """

    STAGE = "read"
    CHAIN = "per_article_chain"

    def __init__(self, config: ReadConfig) -> None:
        super().__init__()
        self._config = config
        # wall time through the yields: the fused stages after the read run inside them
        self.chain = self.add_clock(self.CHAIN, WALL_NAMESPACE)

    def setup(self) -> None:
        # Filesystem instances are rebuilt in each worker from the picklable config.
        for protocol, options in self._config.storage_options.items():
            fsspec.filesystem(protocol, **options)
        self._untrimmed = 0  # records read since the heap was last trimmed

    def start_bundle(self) -> None:
        self._chain_end: float | None = None

    def process(self, url: str) -> Iterator[Any]:
        with self.chain:
            yield from self._read(url)
        self._chain_end = perf_counter()

    def finish_bundle(self) -> None:
        # The batched stages after the read (transforms/runtime/batching.py) run a
        # bundle's last batch when the read's operation finishes, which Beam
        # does after the read's last element and before this call.
        if self._chain_end is not None:
            self.chain.seconds += perf_counter() - self._chain_end
        super().finish_bundle()
        # The bundle's batches are gone; the dedup stages after want the room.
        # A trim walks the whole heap (5-20 ms even with nothing to free), so
        # only once a batch's worth of records has passed: small bundles (one
        # page a file, streaming) would otherwise pay it for every few articles.
        if self._untrimmed >= MAX_BATCH:
            release_freed_memory()
            self._untrimmed = 0

    def _read(self, url: str) -> Iterator[Any]:
        beam.metrics.Metrics.counter(NAMESPACE, "files_read").inc()
        records = 0
        digests: list[str] = []
        try:
            for outcome in self.clock.timed(read_file(url, self._config, digests)):
                records += 1
                if isinstance(outcome, Reject):
                    yield reject_output(outcome, NAMESPACE)
                else:
                    beam.metrics.Metrics.counter(NAMESPACE, "records_decoded").inc()
                    yield outcome
        except Exception as exc:  # a reader bug on one hostile file must not stop the run
            records += 1
            message = f"{type(exc).__name__}: {redact_url(str(exc))}"
            yield reject_output(Reject(redact_url(url), "read", "read_failed", message[:2000]), NAMESPACE)
        self._untrimmed += records
        with self.clock:
            record = manifest_record(url, records, self._config, digests[0] if digests else None)
        if record is not None:
            yield record


class ReadPagesFn(ReadFileFn):
    """File URL -> its Documents only, for a pass that looks at pages and
    keeps nothing (the template-line count): no rejects, no manifest row and
    no counters, which the real read (ReadFileFn) makes."""

    STAGE = "template_read"
    CHAIN = "template_chain"

    def _read(self, url: str) -> Iterator[Document]:  # type: ignore[override]
        yield from self.clock.timed(read_pages(url, self._config))


def read_pages(url: str, config: ReadConfig) -> Iterator[Document]:
    """The Documents of one file, nothing else: what it cannot read, the real read rejects."""
    try:
        for outcome in read_file(url, config):
            if isinstance(outcome, Document):
                yield outcome
    except Exception:  # a reader bug on one hostile file: its reject comes from ReadFileFn
        pass


def manifest_record(url: str, records: int, config: ReadConfig, sha256: str | None = None) -> FileRecord | None:
    """The manifest row of a file just read; None when it vanished or cannot be
    hashed (its reject row already says why, and a later run retries it).
    sha256 comes from the read itself; only a read that stopped early (too
    large, a bomb, a broken stream) makes the file be read again to hash it."""
    try:
        info = stat_file(url, config.storage_options)
        return FileRecord(info, sha256 or sha256_file(url, config.storage_options), records)
    except Exception:
        beam.metrics.Metrics.counter(NAMESPACE, "files_not_in_manifest").inc()
        return None


class ListFiles(beam.PTransform):
    """Glob patterns, or an exact list of file URLs -> {'files': distinct file
    URLs, 'rejects': a Reject for each pattern that matches nothing or cannot be listed}.

    ``files`` is what incremental runs pass: the files the driver selected as
    not yet ingested, read as they are (no pattern expansion).
    """

    def __init__(self, patterns: list[str], config: ReadConfig | None = None, files: list[str] | None = None) -> None:
        super().__init__()
        self._patterns = list(patterns)
        self._files = None if files is None else sorted(set(files))
        self._config = config or ReadConfig()

    def expand(self, pbegin: beam.pvalue.PBegin) -> dict[str, beam.PCollection]:
        if self._files is not None:
            listed = pbegin | "Files" >> beam.Create(self._files)
            match_rejects = pbegin | "NoMatchRejects" >> beam.Create([])
        else:
            matched = split_rejects(
                pbegin | "Patterns" >> beam.Create(self._patterns) | "ExpandPatterns" >> beam.ParDo(ExpandPatternFn(self._config)),
                "Matched",
                "files",
                str,
            )
            listed, match_rejects = matched["files"], matched[REJECTS_TAG]
        # Distinct drops files named by two patterns and, being a shuffle,
        # spreads the files over workers as a Reshuffle would.
        return {"files": listed | "DistinctFiles" >> beam.Distinct(), REJECTS_TAG: match_rejects}


class ReadFiles(beam.PTransform):
    """File URLs -> {'documents': Documents, 'rejects': Rejects, 'files': FileRecords (the manifest rows)}."""

    def __init__(self, config: ReadConfig | None = None) -> None:
        super().__init__()
        self._config = config or ReadConfig()

    def expand(self, urls: beam.PCollection) -> dict[str, beam.PCollection]:
        read = split_by_type(
            urls | "ReadFiles" >> beam.ParDo(ReadFileFn(self._config)), "Outcome", documents=Document, rejects=Reject, files=FileRecord
        )
        return {"documents": read["documents"], REJECTS_TAG: read[REJECTS_TAG], "files": read["files"]}


class ReadArticles(beam.PTransform):
    """Glob patterns, or an exact list of file URLs -> {'documents': Documents,
    'rejects': Rejects, 'files': FileRecords (the manifest rows)}: ListFiles, then ReadFiles."""

    def __init__(self, patterns: list[str], config: ReadConfig | None = None, files: list[str] | None = None) -> None:
        super().__init__()
        self._list = ListFiles(patterns, config, files)
        self._config = config or ReadConfig()

    def expand(self, pbegin: beam.pvalue.PBegin) -> dict[str, beam.PCollection]:
        listed = pbegin | "List" >> self._list
        read = listed["files"] | "Read" >> ReadFiles(self._config)
        rejects = (listed[REJECTS_TAG], read[REJECTS_TAG]) | "FlattenReadRejects" >> beam.Flatten()
        return {"documents": read["documents"], REJECTS_TAG: rejects, "files": read["files"]}
