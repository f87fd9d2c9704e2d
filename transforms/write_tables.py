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

import json
import os
import re
import signal
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import apache_beam as beam
import fsspec
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from khabar.schemas import PARTITION_COLUMN, SORT_KEYS, TABLES, validate_columns, validate_rows
from khabar.transforms.runtime.records import ColumnBatch, as_singleton, one
from khabar.transforms.runtime.runinfo import RunInfo
from khabar.transforms.runtime.timing import TimedDoFn

NAMESPACE = "khabar.write"
TEMP_DIR = "_temporary"
SUCCESS = "_SUCCESS"
COMMITS = "_commits"
PENDING = ".pending"
COMMITTED = ".json"
WRITTEN = "_written"  # WriteTables input: files already written, as (table, url)
CHUNK_ROWS = 1024  # rows a writer holds as Python dicts (or lists) before turning them into Arrow columns


@dataclass(frozen=True)
class WriteConfig:
    """Parquet layout.

    target_file_bytes / target_file_rows: a writer starts a new file when the
      rows it holds reach either (128 MB of Arrow columns, 64k rows): large files
      for fast scans, a bounded buffer for the worker. Each bundle writes its
      own files, so a table has at least one file per bundle that made rows.
    compression: Parquet codec (zstd reads fast in DuckDB, Spark and Power BI).
    """

    target_file_bytes: int = 128 * 1024 * 1024
    target_file_rows: int = 65_536
    row_group_rows: int = 65_536
    compression: str = "zstd"


def row_size(row: dict[str, Any]) -> int:
    """Rough size of a row in a Parquet column buffer, for cutting files before its rows become Arrow."""
    return 16 + sum(map(_value_size, row.values()))


def _value_size(value: Any) -> int:
    if isinstance(value, str):
        return len(value) * 2
    if isinstance(value, bytes):
        return len(value)
    if isinstance(value, list):
        return sum(len(v) if isinstance(v, str | bytes) else 8 for v in value)
    return 8


def batch_size(batch: ColumnBatch) -> int:
    """row_size summed over a batch's rows, a column at a time."""
    size = 16 * batch.num_rows
    for values in batch.columns.values():
        if values and isinstance(values[0], str):
            try:
                size += 2 * sum(map(len, values))  # in C: a string column's characters
                continue
            except TypeError:
                pass  # a None among the strings
        size += sum(map(_value_size, values))
    return size


Element = dict[str, Any] | list[dict[str, Any]] | ColumnBatch


def rows_of(element: dict[str, Any] | list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of one element of a table's PCollection: a row, or a list of rows."""
    return element if isinstance(element, list) else [element]


def file_name(run_id: str, shard: int) -> str:
    return f"part-{run_id}-{shard:05d}.parquet"


def write_parquet(url: str, table: str, rows: Iterable[dict[str, Any]], config: WriteConfig, run: RunInfo) -> int:
    """Stamp rows with the run, validate them against the table schema and write one Parquet file; returns the row count."""
    arrow = sort_arrow(table, arrow_rows(table, rows, run))
    write_arrow(url, arrow, config)
    return arrow.num_rows


def arrow_rows(table: str, rows: Iterable[dict[str, Any]], run: RunInfo) -> pa.Table:
    """Rows stamped with the run (ingested_at, run_id) and validated against the table's schema.

    The stamp is added here rather than in each stage: a datetime in every
    row costs a pickle each time the row crosses a fusion break
    (FastPrimitivesCoder has no datetime encoding).
    """
    stamp = run.stamp()
    return validate_rows(table, [{**row, **stamp} for row in rows])


def arrow_columns(table: str, columns: dict[str, list[Any]], num_rows: int, run: RunInfo) -> pa.Table:
    """arrow_rows for rows held as columns."""
    stamp = {name: [value] * num_rows for name, value in run.stamp().items()}
    return validate_columns(table, {**columns, **stamp}, num_rows)


def sort_arrow(table: str, arrow: pa.Table) -> pa.Table:
    """Rows in the table's key order (SORT_KEYS), missing values last (Arrow's default)."""
    if arrow.num_rows < 2:
        return arrow
    order = pc.sort_indices(arrow, sort_keys=[(key, "ascending") for key in SORT_KEYS[table]])
    return arrow.take(order)


def write_arrow(url: str, arrow: pa.Table, config: WriteConfig) -> None:
    fs, path = fsspec.core.url_to_fs(url)
    fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
    with fs.open(path, "wb") as out:
        pq.write_table(arrow, out, compression=config.compression, row_group_size=config.row_group_rows)


def read_arrow(url: str) -> pa.Table:
    fs, path = fsspec.core.url_to_fs(url)
    with fs.open(path, "rb") as source:
        return pq.read_table(source)


def row_count(url: str) -> int:
    """Rows in a Parquet file, from its footer."""
    fs, path = fsspec.core.url_to_fs(url)
    with fs.open(path, "rb") as source:
        return pq.ParquetFile(source).metadata.num_rows


def spill_url(output: str, run: RunInfo, folder: str) -> str:
    """A new temporary file of the run; unique, so a retried bundle never overwrites the files of another."""
    return f"{output.rstrip('/')}/{TEMP_DIR}/{run.run_id}/{folder}/spill-{uuid.uuid4().hex}.parquet"


def final_url(output: str, run: RunInfo, table: str, shard: int) -> str:
    partition = f"{PARTITION_COLUMN}={run.ingest_date}"
    return f"{output.rstrip('/')}/{table}/{partition}/{file_name(run.run_id, shard)}"


def commit(output: str, run: RunInfo, written: list[tuple[str, str]], config: WriteConfig) -> dict[str, dict[str, int]]:
    """Move every written file (table, temporary url) into its table, numbered
    in url order, and write each table's _SUCCESS last.

    A table that received no rows still gets one empty file with its schema,
    so BI tools and DuckDB globs find the columns.
    """
    fs, _ = fsspec.core.url_to_fs(output)
    pending = _marker(output, run.run_id, PENDING)
    fs.makedirs(pending.rsplit("/", 1)[0], exist_ok=True)
    with fs.open(pending, "w") as out:
        json.dump({"run_id": run.run_id}, out)
    _crash_point("commit-start")
    by_table: dict[str, list[str]] = {name: [] for name in TABLES}
    for table, url in written:
        by_table[table].append(url)
    stats: dict[str, dict[str, int]] = {}
    for table, urls in by_table.items():
        if not urls:
            write_parquet(final_url(output, run, table, 0), table, [], config, run)
            stats[table] = {"files": 1, "rows": 0}
            continue
        files = sorted(set(urls))
        rows = 0
        for shard, url in enumerate(files):
            rows += row_count(url)
            source = fsspec.core.url_to_fs(url)[1]
            target = fsspec.core.url_to_fs(final_url(output, run, table, shard))[1]
            fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
            fs.mv(source, target)
        stats[table] = {"files": len(files), "rows": rows}
        _crash_point("commit-midway")
    # The commit record: from here on the run's files are part of the output.
    with fs.open(_marker(output, run.run_id, COMMITTED), "w") as out:
        json.dump({"run_id": run.run_id, "ingest_date": run.ingest_date, "tables": stats}, out)
    fs.rm(pending)
    for table, stat in stats.items():
        marker = fsspec.core.url_to_fs(f"{output.rstrip('/')}/{table}/{SUCCESS}")[1]
        with fs.open(marker, "w") as out:
            json.dump({"run_id": run.run_id, "ingest_date": run.ingest_date, **stat}, out)
    temp_root = fsspec.core.url_to_fs(f"{output.rstrip('/')}/{TEMP_DIR}")[1]
    temp = f"{temp_root}/{run.run_id}"
    if fs.exists(temp):
        fs.rm(temp, recursive=True)
    try:
        if fs.exists(temp_root) and not fs.ls(temp_root):
            fs.rmdir(temp_root)
    except OSError:
        pass  # another run is writing next to us; its files stay
    return stats


def _marker(output: str, run_id: str, suffix: str) -> str:
    return fsspec.core.url_to_fs(f"{output.rstrip('/')}/{COMMITS}/{run_id}{suffix}")[1]


def _crash_point(name: str) -> None:
    """Fault injection for the exactly-once tests: KHABAR_CRASH_AT=<name> kills
    the process with SIGKILL here, as a machine failure would."""
    if os.environ.get("KHABAR_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


_PART = re.compile(r"^part-(?P<run_id>.+)-\d{5}\.parquet$")


def run_of_part(path: str) -> str | None:
    """The run id in a table file's name (see file_name), or None for other files."""
    match = _PART.match(path.rsplit("/", 1)[-1])
    return match["run_id"] if match else None


def recover(output: str, clean_temporary: bool = False) -> list[str]:
    """Roll back commits that a killed run left half done; returns removed paths.

    A commit writes ``_commits/<run_id>.pending``, moves its files into the
    tables, writes ``_commits/<run_id>.json`` and removes the pending marker.
    A pending marker without its record means the run died mid-commit: its
    files are deleted, so every run is in the output entirely or not at all
    once recovery has run (each incremental batch starts with it). Readers
    that look between a crash and the next start may see a partial run;
    ``sql/views.sql`` shows only committed runs. clean_temporary also removes
    shards of runs that died before committing: only safe when no other run
    writes to the same output (the incremental mode's contract).
    """
    fs, root = fsspec.core.url_to_fs(output)
    root = root.rstrip("/")
    if not fs.exists(root):
        return []
    removed: list[str] = []
    commits = f"{root}/{COMMITS}"
    names = [p.rsplit("/", 1)[-1] for p in fs.ls(commits, detail=False)] if fs.exists(commits) else []
    dead = {n[: -len(PENDING)] for n in names if n.endswith(PENDING)} - {n[: -len(COMMITTED)] for n in names if n.endswith(COMMITTED)}
    if dead:
        for table in TABLES:
            if not fs.exists(f"{root}/{table}"):
                continue
            for path in fs.find(f"{root}/{table}"):
                if run_of_part(path) in dead:
                    fs.rm(path)
                    removed.append(path)
        for run_id in sorted(dead):
            fs.rm(f"{commits}/{run_id}{PENDING}")
    temp_root = f"{root}/{TEMP_DIR}"
    if fs.exists(temp_root):
        for path in fs.ls(temp_root, detail=False):
            if clean_temporary or path.rsplit("/", 1)[-1] in dead:
                fs.rm(path, recursive=True)
                removed.append(path)
    return removed


def committed_runs(output: str) -> set[str]:
    """Run ids whose commit completed."""
    fs, root = fsspec.core.url_to_fs(output)
    commits = f"{root.rstrip('/')}/{COMMITS}"
    if not fs.exists(commits):
        return set()
    return {p.rsplit("/", 1)[-1][: -len(COMMITTED)] for p in fs.ls(commits, detail=False) if p.endswith(COMMITTED)}


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
        if self._rows:
            self._chunks.append(arrow_rows(self._table, self._rows, self._run))
        if self._column_rows:
            self._chunks.append(arrow_columns(self._table, self._columns, self._column_rows, self._run))
        self._arrow_bytes = sum(chunk.nbytes for chunk in self._chunks)
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
