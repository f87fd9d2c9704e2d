"""Write the output tables as Hive-partitioned Parquet datasets, committed atomically.

Reads: one PCollection per table whose elements are row dicts or lists of
row dicts (one article's entity rows travel as one element). Writes, under --output (any
fsspec URL)::

    <table>/ingest_date=YYYY-MM-DD/part-<run_id>-<shard>.parquet
    <table>/_SUCCESS                    (JSON: run_id, files, rows; written last)
    _commits/<run_id>.json              (the run's commit record)

Shards are written to ``_temporary/<run_id>/`` first; only files from bundles
that succeeded reach the commit step, which moves them into place and then
writes the commit record and ``_SUCCESS``. A run that dies before its commit
leaves nothing under the table directories; one that dies during it is rolled
back by ``recover`` (see there). A rerun gets a new run id so it never
overwrites earlier files.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import signal
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import apache_beam as beam
import fsspec
import pyarrow.parquet as pq

from schemas import PARTITION_COLUMN, SORT_KEYS, TABLES, validate_rows
from transforms.records import as_singleton, one
from transforms.runinfo import RunInfo

NAMESPACE = "khabar.write"
TEMP_DIR = "_temporary"
SUCCESS = "_SUCCESS"
COMMITS = "_commits"
PENDING = ".pending"
COMMITTED = ".json"


@dataclass(frozen=True)
class WriteConfig:
    """Parquet layout.

    target_file_bytes / target_file_rows: a table is split into shards so that
      each file holds about this much (128 MB, 64k rows): large enough for fast
      scans, small enough for one worker to write.
    compression: Parquet codec (zstd reads fast in DuckDB, Spark and Power BI).
    """

    target_file_bytes: int = 128 * 1024 * 1024
    target_file_rows: int = 65_536
    row_group_rows: int = 65_536
    compression: str = "zstd"


def row_size(row: dict[str, Any]) -> int:
    """Rough in-memory size of a row, for shard planning."""
    size = 16
    for value in row.values():
        if isinstance(value, str):
            size += len(value) * 2
        elif isinstance(value, list):
            size += sum(len(v) if isinstance(v, str) else 8 for v in value)
        else:
            size += 8
    return size


def rows_of(element: dict[str, Any] | list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of one element of a table's PCollection: a row, or a list of rows."""
    return element if isinstance(element, list) else [element]


def measure(element: dict[str, Any] | list[dict[str, Any]]) -> tuple[int, int]:
    rows = rows_of(element)
    return len(rows), sum(row_size(r) for r in rows)


def by_shard(element: dict[str, Any] | list[dict[str, Any]], table: str, shards: int) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """An element's rows grouped by their shard: one element a shard, not one a row."""
    groups: dict[int, list[dict[str, Any]]] = {}
    for row in rows_of(element):
        groups.setdefault(shard_of(row, table, shards), []).append(row)
    yield from groups.items()


def sum_pairs(pairs: Iterable[tuple[int, int]]) -> tuple[int, int]:
    """Associative (rows, bytes) sum: CombineGlobally feeds it partial sums too."""
    rows = size = 0
    for count, nbytes in pairs:
        rows += count
        size += nbytes
    return rows, size


def shard_count(rows: int, size: int, config: WriteConfig) -> int:
    return max(1, math.ceil(size / config.target_file_bytes), math.ceil(rows / config.target_file_rows))


def shard_of(row: dict[str, Any], table: str, shards: int) -> int:
    """Deterministic shard from the row's sort key, so reruns split rows identically."""
    key = "\x1f".join(str(row.get(k)) for k in SORT_KEYS[table])
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") % shards


def sort_rows(table: str, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    keys = SORT_KEYS[table]
    return sorted(rows, key=lambda r: tuple((r.get(k) is None, r.get(k) if r.get(k) is not None else 0) for k in keys))


def file_name(run_id: str, shard: int) -> str:
    return f"part-{run_id}-{shard:05d}.parquet"


def write_parquet(url: str, table: str, rows: Iterable[dict[str, Any]], config: WriteConfig, run: RunInfo) -> int:
    """Stamp rows with the run, validate them against the table schema and write one Parquet file; returns the row count.

    The stamp (ingested_at, run_id) is added here rather than in each stage:
    a datetime in every row costs a pickle each time the row crosses a fusion
    break (FastPrimitivesCoder has no datetime encoding).
    """
    stamp = run.stamp()
    rows = [{**row, **stamp} for row in rows]
    arrow = validate_rows(table, sort_rows(table, rows))
    fs, path = fsspec.core.url_to_fs(url)
    fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
    with fs.open(path, "wb") as out:
        pq.write_table(arrow, out, compression=config.compression, row_group_size=config.row_group_rows)
    return arrow.num_rows


def temp_url(output: str, run: RunInfo, table: str, shard: int) -> str:
    return f"{output.rstrip('/')}/{TEMP_DIR}/{run.run_id}/{table}/{file_name(run.run_id, shard)}"


def final_url(output: str, run: RunInfo, table: str, shard: int) -> str:
    partition = f"{PARTITION_COLUMN}={run.ingest_date}"
    return f"{output.rstrip('/')}/{table}/{partition}/{file_name(run.run_id, shard)}"


def commit(output: str, run: RunInfo, written: list[tuple[str, int, int]], config: WriteConfig) -> dict[str, dict[str, int]]:
    """Move every written shard into its table and write each table's _SUCCESS last.

    A table that received no rows still gets one empty file with its schema,
    so BI tools and DuckDB globs find the columns.
    """
    fs, _ = fsspec.core.url_to_fs(output)
    pending = _marker(output, run.run_id, PENDING)
    fs.makedirs(pending.rsplit("/", 1)[0], exist_ok=True)
    with fs.open(pending, "w") as out:
        json.dump({"run_id": run.run_id}, out)
    _crash_point("commit-start")
    by_table: dict[str, list[tuple[int, int]]] = {name: [] for name in TABLES}
    for table, shard, rows in written:
        by_table[table].append((shard, rows))
    stats: dict[str, dict[str, int]] = {}
    for table, shards in by_table.items():
        if not shards:
            write_parquet(final_url(output, run, table, 0), table, [], config, run)
            stats[table] = {"files": 1, "rows": 0}
            continue
        for shard, _rows in sorted(shards):
            source = fsspec.core.url_to_fs(temp_url(output, run, table, shard))[1]
            target = fsspec.core.url_to_fs(final_url(output, run, table, shard))[1]
            fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
            fs.mv(source, target)
        stats[table] = {"files": len(shards), "rows": sum(rows for _, rows in shards)}
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


class WriteShardFn(beam.DoFn):
    def __init__(self, output: str, run: RunInfo, table: str, config: WriteConfig) -> None:
        self._output, self._run, self._table, self._config = output, run, table, config

    def process(self, element: tuple[int, Iterable[list[dict[str, Any]]]]) -> Iterator[tuple[str, int, int]]:
        shard, batches = element
        rows = [row for batch in batches for row in batch]
        count = write_parquet(temp_url(self._output, self._run, self._table, shard), self._table, rows, self._config, self._run)
        beam.metrics.Metrics.counter(NAMESPACE, f"{self._table}_rows").inc(count)
        yield self._table, shard, count


class WriteTable(beam.PTransform):
    """Rows (or lists of rows) of one table -> temporary Parquet shards; emits (table, shard, rows)."""

    def __init__(self, output: str, run: RunInfo, table: str, config: WriteConfig) -> None:
        super().__init__()
        self._output, self._run, self._table, self._config = output, run, table, config

    def expand(self, rows: beam.PCollection) -> beam.PCollection:
        table, config = self._table, self._config
        totals = rows | "MeasureRows" >> beam.Map(measure) | "SumSizes" >> beam.CombineGlobally(sum_pairs)
        return (
            rows
            | "KeyByShard"
            >> beam.FlatMap(
                lambda e, total: by_shard(e, table, shard_count(*one(total, (0, 0)), config)),
                total=as_singleton(totals),
            )
            | "GroupShards" >> beam.GroupByKey()
            | "WriteShards" >> beam.ParDo(WriteShardFn(self._output, self._run, table, config))
        )


def check_tables(tables: dict[str, Any]) -> None:
    unknown = set(tables) - set(TABLES)
    if unknown:
        raise ValueError(f"unknown tables {sorted(unknown)}")


class CommitFn(beam.DoFn):
    def __init__(self, output: str, run: RunInfo, config: WriteConfig) -> None:
        self._output, self._run, self._config = output, run, config

    def process(self, _: Any, written: list[tuple[str, int, int]]) -> Iterator[dict[str, dict[str, int]]]:
        yield commit(self._output, self._run, list(written), self._config)


class WriteTables(beam.PTransform):
    """{table: rows} -> Parquet datasets under output, committed together at the end."""

    def __init__(self, output: str, run: RunInfo, config: WriteConfig | None = None) -> None:
        super().__init__()
        self._output, self._run, self._config = output, run, config or WriteConfig()

    def expand(self, tables: dict[str, beam.PCollection]) -> beam.PCollection:
        check_tables(tables)
        written = [
            rows | f"Write_{name}" >> WriteTable(self._output, self._run, name, self._config) for name, rows in sorted(tables.items())
        ]
        all_written = written | "FlattenWritten" >> beam.Flatten()
        pipeline = next(iter(tables.values())).pipeline
        return (
            pipeline
            | "CommitTrigger" >> beam.Create([None])
            | "Commit" >> beam.ParDo(CommitFn(self._output, self._run, self._config), beam.pvalue.AsList(all_written))
        )
