"""Parquet files of the output tables: rows to Arrow, sorted and validated by the schemas; where a run's staged and final files go."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import fsspec
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from khabar.schemas import PARTITION_COLUMN, SORT_KEYS, validate_columns, validate_rows
from khabar.transforms.runtime.records import ColumnBatch
from khabar.transforms.runtime.runinfo import RunInfo

TEMP_DIR = "_temporary"  # a run's staged files: <output>/_temporary/<run_id>/
CHUNK_ROWS = 1024  # rows a writer holds as Python dicts (or lists) before turning them into Arrow columns


@dataclass(frozen=True)
class WriteConfig:
    """Parquet layout.

    target_file_bytes / target_file_rows: a writer starts a new file when the
      rows it holds reach either (128 MB of Arrow columns, 64k rows): large files
      for fast scans, a bounded buffer for the worker. Each bundle writes its
      own files, so a table has at least one file per bundle that made rows.
    compression: Parquet codec (zstd reads fast in DuckDB, Spark and Power BI).
    catalog_uri: the Iceberg catalog the tables are committed to
      (transforms/output/catalog.py). Empty: an embedded SQLite catalog at
      <output>/_catalog/khabar.db (local outputs only). Otherwise a SQLAlchemy
      URL (sqlite:///..., postgresql://...) or the REST/Glue/Hive catalog's URI.
    catalog_type: sql, rest, glue or hive.
    catalog_namespace: the catalog namespace of the output's tables.
    catalog_properties: JSON object of further catalog properties (credentials, endpoints).
    replace: recompute input files already ingested and replace their rows in
      every table (transforms/output/replace.py), instead of skipping them.
    """

    target_file_bytes: int = 128 * 1024 * 1024
    target_file_rows: int = 65_536
    row_group_rows: int = 65_536
    compression: str = "zstd"
    catalog_uri: str = ""
    catalog_type: str = "sql"
    catalog_namespace: str = "khabar"
    catalog_properties: str = ""
    replace: bool = False


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


def read_arrow(url: str, columns: list[str] | None = None) -> pa.Table:
    fs, path = fsspec.core.url_to_fs(url)
    with fs.open(path, "rb") as source:
        return pq.read_table(source, columns=columns)


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
