"""Write the output tables as Hive-partitioned Parquet datasets, committed atomically.

Reads: one PCollection per table whose elements are row dicts or lists of
row dicts (one article's entity rows travel as one element). Writes, under --output (any
fsspec URL)::

    <table>/ingest_date=YYYY-MM-DD/part-<run_id>-<shard>.parquet
    <table>/_SUCCESS                    (JSON: run_id, files, rows; written last)
    _commits/<run_id>.json              (the run's commit record)

Each stage writes its rows to files under ``_temporary/<run_id>/`` as it
makes them (SpillRowsFn); only files from bundles that succeeded reach the
commit step, which numbers them, moves them into place and then writes the
commit record and ``_SUCCESS``. A run that dies before its commit
leaves nothing under the table directories; one that dies during it is rolled
back by ``recover`` (see there). A rerun gets a new run id so it never
overwrites earlier files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import apache_beam as beam
import fsspec
import pyarrow as pa
from khabar.schemas import TABLES
from khabar.transforms.output.commit import commit
from khabar.transforms.output.parquet_files import (
    CHUNK_ROWS,
    WriteConfig,
    arrow_columns,
    arrow_rows,
    batch_size,
    read_arrow,
    row_size,
    rows_of,
    sort_arrow,
    spill_url,
    write_arrow,
)
from khabar.transforms.runtime.records import ColumnBatch, as_singleton, one
from khabar.transforms.runtime.runinfo import RunInfo
from khabar.transforms.runtime.timing import TimedDoFn

NAMESPACE = "khabar.write"
WRITTEN = "_written"  # WriteTables input: files already written, as (table, url)


Element = dict[str, Any] | list[dict[str, Any]] | ColumnBatch


class SpillRowsFn(TimedDoFn):
    """Rows (a row, a list of rows or a ColumnBatch an element) of one table ->
    temporary Parquet files; emits (table, url) per file.

    Rows go to disk in the stage that makes them, a file whenever the buffer
    holds target_file_rows rows or target_file_bytes, and the rest
    at the end of the bundle, instead of crossing a shuffle to a writer: the
    in-process DirectRunner keeps every PCollection between stages in memory,
    and each such crossing encodes and decodes every article's text again.

    A file's url is emitted with its first row, before the file is written:
    the DaskRunner drops what finish_bundle emits. Whatever reads the urls
    runs after a shuffle or takes them as a side input, that is once the
    bundle and its files are complete; a failed bundle's urls are discarded
    with it and its files go with the run's temporary directory.

    staged: the files are an intermediate for StagedWrite, kept apart from
    the table's files and not counted as its rows.

    A ColumnBatch is never split between two files (it is one article's
    rows), so a file may pass target_file_rows by the rows of one batch.
    """

    STAGE = "write"

    def __init__(self, output: str, run: RunInfo, table: str, config: WriteConfig, staged: bool = False) -> None:
        super().__init__()
        self._output, self._run, self._table, self._config, self._staged = output, run, table, config, staged

    def start_bundle(self) -> None:
        self._rows: list[dict[str, Any]] = []
        self._columns: dict[str, list[Any]] = {}  # ColumnBatches not yet in a chunk, extended into one
        self._column_rows = 0
        self._chunks: list[pa.Table] = []
        self._count = 0
        self._arrow_bytes = 0  # of the chunks
        self._row_bytes = 0  # of the rows not yet in a chunk, by row_size
        self._url: str | None = None

    def process(self, element: Element) -> list[tuple[str, str]]:
        with self.clock:
            return self._add(element)

    def _add(self, element: Element) -> list[tuple[str, str]]:
        announced = []
        if isinstance(element, ColumnBatch):
            if element.num_rows:
                announced = self._announce()
                self._add_columns(element)
                self._after_rows()
            return announced
        for row in rows_of(element):
            announced.extend(self._announce())
            self._rows.append(row)
            self._count += 1
            self._row_bytes += row_size(row)
            self._after_rows()
        return announced

    def _announce(self) -> list[tuple[str, str]]:
        """The url of the file the next rows go to, once per file."""
        if self._url is not None:
            return []
        self._url = spill_url(self._output, self._run, f"staged-{self._table}" if self._staged else self._table)
        return [(self._table, self._url)]

    def _add_columns(self, batch: ColumnBatch) -> None:
        if self._column_rows and batch.columns.keys() != self._columns.keys():
            self._to_arrow()  # a batch of other columns starts a chunk of its own
        if not self._columns:
            self._columns = {name: [] for name in batch.columns}
        for name, values in batch.columns.items():
            self._columns[name].extend(values)
        self._column_rows += batch.num_rows
        self._count += batch.num_rows
        self._row_bytes += batch_size(batch)

    def _after_rows(self) -> None:
        if len(self._rows) + self._column_rows >= CHUNK_ROWS:
            self._to_arrow()
        if self._count >= self._config.target_file_rows or self._arrow_bytes + self._row_bytes >= self._config.target_file_bytes:
            self._flush()

    def finish_bundle(self) -> None:
        with self.clock:
            self._flush()
        super().finish_bundle()

    def _to_arrow(self) -> None:
        """The buffered rows as Arrow columns: entity rows take a sixth of their memory as dicts, article rows 0.8."""
        added = []
        if self._rows:
            added.append(arrow_rows(self._table, self._rows, self._run))
        if self._column_rows:
            added.append(arrow_columns(self._table, self._columns, self._column_rows, self._run))
        self._chunks.extend(added)
        self._arrow_bytes += sum(chunk.nbytes for chunk in added)  # the new chunks only: nbytes walks every buffer
        self._rows, self._columns, self._column_rows, self._row_bytes = [], {}, 0, 0

    def _flush(self) -> None:
        if self._url is None:
            return
        if self._rows or self._column_rows:
            self._to_arrow()
        arrow = sort_arrow(self._table, pa.concat_tables(self._chunks))
        write_arrow(self._url, arrow, self._config)
        if not self._staged:
            beam.metrics.Metrics.counter(NAMESPACE, f"{self._table}_rows").inc(arrow.num_rows)
        self._chunks, self._count, self._arrow_bytes, self._url = [], 0, 0, None


class RewriteStagedFn(TimedDoFn):
    STAGE = "rewrite"

    def __init__(self, output: str, run: RunInfo, config: WriteConfig, rewrite: Callable[[pa.Table, Any], pa.Table], default: Any) -> None:
        super().__init__()
        self._output, self._run, self._config, self._rewrite, self._default = output, run, config, rewrite, default

    def process(self, element: tuple[str, str], side: list[Any]) -> Iterator[tuple[str, str]]:
        table, staged = element
        with self.clock:
            rewritten = self._rewrite(read_arrow(staged), one(side, self._default))
            url = spill_url(self._output, self._run, table)
            write_arrow(url, rewritten, self._config)
            fs, path = fsspec.core.url_to_fs(staged)
            fs.rm(path)
        beam.metrics.Metrics.counter(NAMESPACE, f"{table}_rows").inc(rewritten.num_rows)
        yield table, url


class StagedWrite(beam.PTransform):
    """Rows of a table whose final values need a corpus-wide result (story
    assignments, entity names) -> (table, url) of its files, for WriteTables'
    WRITTEN input.

    The rows are written as they are made, to staged files (SpillRowsFn,
    staged=True); once the result is known, each staged file is read back,
    passed with it (the single value of ``side``, else ``default``) through
    ``rewrite`` (a module-level function, so that it pickles) and written as
    a file of the table. The rows thus go to disk once, in the stage that
    makes them, instead of waiting, encoded, in the runner's memory.
    """

    def __init__(
        self,
        output: str,
        run: RunInfo,
        table: str,
        config: WriteConfig,
        rewrite: Callable[[pa.Table, Any], pa.Table],
        side: beam.PCollection,
        default: Any = None,
    ) -> None:
        super().__init__()
        self._stage = SpillRowsFn(output, run, table, config, staged=True)
        self._rewrite = RewriteStagedFn(output, run, config, rewrite, default)
        self._side = side

    def expand(self, rows: beam.PCollection) -> beam.PCollection:
        return (
            rows
            | "Stage" >> beam.ParDo(self._stage)
            # The urls are announced before their files are written (see
            # SpillRowsFn): a shuffle makes sure the files are complete.
            | "StagedFiles" >> beam.Reshuffle()
            | "Rewrite" >> beam.ParDo(self._rewrite, as_singleton(self._side))
        )


def check_tables(tables: dict[str, Any]) -> None:
    unknown = set(tables) - set(TABLES) - {WRITTEN}
    if unknown:
        raise ValueError(f"unknown tables {sorted(unknown)}")


class CommitFn(beam.DoFn):
    def __init__(self, output: str, run: RunInfo, config: WriteConfig) -> None:
        self._output, self._run, self._config = output, run, config

    def process(self, _: Any, written: list[tuple[str, str]]) -> Iterator[dict[str, dict[str, int]]]:
        yield commit(self._output, self._run, list(written), self._config)


class WriteTables(beam.PTransform):
    """{table: rows or lists of rows} -> Parquet datasets under output, committed together at the end.

    The key WRITTEN takes files a stage wrote itself, as (table, temporary
    url) pairs (StagedWrite); they are committed with the rest.
    """

    def __init__(self, output: str, run: RunInfo, config: WriteConfig | None = None) -> None:
        super().__init__()
        self._output, self._run, self._config = output, run, config or WriteConfig()

    def expand(self, tables: dict[str, beam.PCollection]) -> beam.PCollection:
        check_tables(tables)
        written = [
            rows | f"Write_{name}" >> beam.ParDo(SpillRowsFn(self._output, self._run, name, self._config))
            for name, rows in sorted(tables.items())
            if name != WRITTEN
        ]
        if WRITTEN in tables:
            written.append(tables[WRITTEN])
        all_written = written | "FlattenWritten" >> beam.Flatten()
        pipeline = next(iter(tables.values())).pipeline
        return (
            pipeline
            | "CommitTrigger" >> beam.Create([None])
            | "Commit" >> beam.ParDo(CommitFn(self._output, self._run, self._config), beam.pvalue.AsList(all_written))
        )
