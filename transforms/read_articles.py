"""Read articles from any fsspec location: files, archives, JSON lines, WARC.

Reads: glob patterns (local paths, file://, zip://...::file://, s3://, gs://,
http(s)://, memory://). Writes: ``Document`` records (main output) and
``Reject`` records (tagged ``rejects``): one of the two for every input record;
and a ``FileRecord`` per file read, the run's manifest rows.

fsspec URLs are opened with fsspec directly, never through Beam's FileSystems
(which rejects file:// and chained URLs).
"""

from __future__ import annotations

from collections.abc import Iterator
from time import perf_counter
from typing import Any

import apache_beam as beam
import fsspec
from khabar.transforms.inputs.fileinfo import FileRecord, sha256_file, stat_file
from khabar.transforms.inputs.listing import expand_pattern
from khabar.transforms.inputs.parsers import ReadConfig, read_file, read_pages
from khabar.transforms.runtime.batching import MAX_BATCH, BatchedDoFn
from khabar.transforms.runtime.memory import release_freed_memory
from khabar.transforms.runtime.records import REJECTS_TAG, Document, Reject, reject_output, split_by_type, split_rejects
from khabar.transforms.runtime.redact import redact_url
from khabar.transforms.runtime.timing import WALL_NAMESPACE, TimedDoFn

NAMESPACE = "khabar.read"


# ---------------------------------------------------------------- listing


# ---------------------------------------------------------------- formats


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
        # A trim walks the whole heap, even with nothing to free, so
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
