"""The output's table format: an Apache Iceberg catalog over the tables' Parquet files.

Each output table (schemas.TABLES) is an Iceberg table whose data files are
khabar's own Parquet files, registered in place (``add_files``): they stay
under ``<output>/<table>/ingest_date=.../`` where DuckDB globs and pandas read
them, and Spark, Trino or Flink read the same tables through the catalog.

The catalog is an embedded SQLite database at ``<output>/_catalog/khabar.db``
by default, so a local run needs no server. An object-store output names a
shared catalog instead (``--write-catalog-uri``: a SQLAlchemy URL for a SQL
catalog, or a REST, Glue or Hive catalog with ``--write-catalog-type``).

A commit swaps a table's metadata pointer atomically only if nobody else
committed since it was read (optimistic concurrency). Iceberg's own retry of
a failed append is turned off (``commit.retry.num-retries`` 0): khabar
decides what to do after a conflict (re-plan its files against the rows the
other run committed, transforms/output/commit.py), not the library.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Iterable
from typing import Any

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
from khabar.schemas import PARTITION_COLUMN, TABLES
from khabar.transforms.output.parquet_files import WriteConfig

CATALOG_DIR = "_catalog"
SQLITE_FILE = "khabar.db"
RUN_PROPERTY = "khabar.run-id"  # snapshot summary property naming the run a commit belongs to
TABLE_PROPERTIES = {"commit.retry.num-retries": "0", "format-version": "2"}

# pyiceberg warns once per column when registering a file without statistics
# (an empty table's schema file); that is expected, not a problem of the run.
logging.getLogger("pyiceberg.io.pyarrow").setLevel(logging.ERROR)


class CatalogError(ValueError):
    """The output's catalog cannot be used as configured."""


def is_local(output: str) -> bool:
    return is_local_fs(fsspec.core.url_to_fs(output)[0])


def is_local_fs(fs: Any) -> bool:
    """Whether an fsspec filesystem is the local disk (with real directories)."""
    protocol = fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,)
    return bool({"file", "local"} & set(protocol))


def catalog_uri(output: str, config: WriteConfig) -> str:
    """The catalog's URI: the configured one, or the embedded SQLite file of a local output."""
    if config.catalog_uri or config.catalog_type == "glue":  # Glue is found by the AWS region and credentials
        return config.catalog_uri
    if config.catalog_type != "sql":
        raise CatalogError(f"--write-catalog-type {config.catalog_type} needs --write-catalog-uri")
    if not is_local(output):
        raise CatalogError(
            "an object-store output needs a shared catalog that every writer reaches:"
            " --write-catalog-uri (a SQL database URL, or a REST, Glue or Hive catalog with --write-catalog-type)"
        )
    root = fsspec.core.url_to_fs(output)[1].rstrip("/")
    return f"sqlite:///{root}/{CATALOG_DIR}/{SQLITE_FILE}"


def has_catalog(output: str, config: WriteConfig) -> bool:
    """Whether the output has a catalog to read (without creating one)."""
    if config.catalog_uri or config.catalog_type != "sql":
        return True
    if not is_local(output):
        return False
    root = fsspec.core.url_to_fs(output)[1].rstrip("/")
    fs = fsspec.filesystem("file")
    return fs.exists(f"{root}/{CATALOG_DIR}/{SQLITE_FILE}")


def open_catalog(output: str, config: WriteConfig) -> Any:
    """The output's Iceberg catalog (one per process and output)."""
    return _open(output.rstrip("/"), catalog_uri(output, config), config.catalog_type, config.catalog_properties)


@functools.lru_cache(maxsize=8)
def _open(output: str, uri: str, kind: str, properties: str) -> Any:
    extra = json.loads(properties) if properties else {}
    if kind == "sql":
        from pyiceberg.catalog.sql import SqlCatalog
        from sqlalchemy.exc import OperationalError

        if uri.startswith("sqlite:///"):
            fsspec.filesystem("file").makedirs(uri[len("sqlite:///") :].rsplit("/", 1)[0], exist_ok=True)
        for attempt in range(5):
            try:
                return SqlCatalog("khabar", uri=uri, warehouse=output, **extra)
            except OperationalError:
                # two runs creating a new catalog's tables at the same moment: the loser finds them made
                if attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))
    from pyiceberg.catalog import load_catalog

    return load_catalog("khabar", type=kind, warehouse=output, **({"uri": uri} if uri else {}), **extra)


def table_location(output: str, table: str) -> str:
    """Where the table's Iceberg metadata lives: under _catalog/, so readers
    that glob or open the table's directory (pyarrow, pandas, DuckDB) find
    only Parquet files there. The data files are registered where they are."""
    fs, root = fsspec.core.url_to_fs(output)
    location = f"{root.rstrip('/')}/{CATALOG_DIR}/tables/{table}"
    return location if is_local(output) else fs.unstrip_protocol(location)


def load_table(output: str, config: WriteConfig, table: str, create: bool = True) -> Any:
    """One output table; created (with its schema file) the first time.

    Runs starting together may create the same namespace or table at the same
    moment; the loser of such a race (an integrity or locking error from the
    catalog's database) looks again and finds what the winner made.
    """
    from pyiceberg.exceptions import NoSuchTableError
    from sqlalchemy.exc import IntegrityError, OperationalError

    catalog = open_catalog(output, config)
    name = f"{config.catalog_namespace}.{table}"
    for attempt in range(5):
        try:
            return catalog.load_table(name)
        except NoSuchTableError:
            if not create:
                raise
        try:
            catalog.create_namespace_if_not_exists(config.catalog_namespace)
            write_schema_file(output, table)
            return catalog.create_table_if_not_exists(
                name, schema=TABLES[table], location=table_location(output, table), properties=TABLE_PROPERTIES
            )
        except (IntegrityError, OperationalError):
            if attempt == 4:
                raise
            time.sleep(0.1 * (attempt + 1))
    raise CatalogError(f"table {name} could not be created")


SCHEMA_PARTITION = "1970-01-01"  # the schema file's partition: before any run


def schema_file(output: str, table: str) -> str:
    """A Parquet file with the table's columns and no rows: DuckDB views and
    globbing readers find it with the data files, so an empty table still has
    its columns and files written before a column existed read it as null.
    It sits in a partition of its own (hive paths must agree across files) and
    is not an Iceberg data file."""
    return f"{output.rstrip('/')}/{table}/{PARTITION_COLUMN}={SCHEMA_PARTITION}/schema.parquet"


def write_schema_file(output: str, table: str) -> None:
    fs, path = fsspec.core.url_to_fs(schema_file(output, table))
    fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
    with fs.open(path, "wb") as out:
        pq.write_table(pa.Table.from_batches([], schema=TABLES[table]), out)


def data_files(tbl: Any) -> list[str]:
    """Data files of the table's current snapshot, sorted."""
    if tbl.current_snapshot() is None:
        return []
    return sorted(task.file.file_path for task in tbl.scan().plan_files())


def run_committed(tbl: Any, run_id: str) -> bool:
    """Whether a snapshot of this table carries the run's commit."""
    return any((snapshot.summary or {}).get(RUN_PROPERTY) == run_id for snapshot in tbl.metadata.snapshots)


def add_files(tbl: Any, files: Iterable[str], run_id: str) -> None:
    """Register files in one snapshot; raises CommitFailedException when another commit got in first."""
    txn = tbl.transaction()
    txn.add_files(list(files), snapshot_properties={RUN_PROPERTY: run_id}, check_duplicate_files=False)
    txn.commit_transaction()


def overwrite_files(tbl: Any, remove: list[str], add: list[str], run_id: str) -> None:
    """One snapshot that drops data files and registers others (the copy-on-write of a
    replace); raises CommitFailedException when another commit got in first."""
    if not remove:
        add_files(tbl, add, run_id)
        return
    from pyiceberg.table import _parquet_files_to_data_files

    current = {task.file.file_path: task.file for task in tbl.scan().plan_files()}
    txn = tbl.transaction()
    with txn.update_snapshot(snapshot_properties={RUN_PROPERTY: run_id}).overwrite() as overwrite:
        for path in remove:
            overwrite.delete_data_file(current[path])
        for data_file in _parquet_files_to_data_files(txn.table_metadata, add, tbl.io):
            overwrite.append_data_file(data_file)
    txn.commit_transaction()
