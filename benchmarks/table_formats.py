"""Iceberg (pyiceberg, SQLite catalog) against Delta Lake (deltalake): commit latency and
concurrent commits, the comparison behind khabar's table format (issue 31).

    python -m benchmarks.table_formats iceberg|delta [--commits 10] [--processes 4] [--per-process 8]

Each commit appends one Parquet file of 100 rows: sequential commits first, then
``processes`` processes committing ``per-process`` times each at once (spawned, not
forked: a process that forks after using deltalake's Rust runtime can hang). Prints the
median and worst commit time, the attempts taken, and whether every row arrived.
deltalake is not a khabar dependency: ``pip install deltalake`` to run its half.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import tempfile
import time
import uuid

import pyarrow as pa
import pyarrow.parquet as pq

ROWS = 100


def _rows(count: int = ROWS) -> pa.Table:
    return pa.table({"article_id": pa.array([uuid.uuid4().hex for _ in range(count)]), "x": pa.array(range(count), pa.int64())})


def _iceberg(root: str) -> object:
    from pyiceberg.catalog.sql import SqlCatalog

    return SqlCatalog("bench", uri=f"sqlite:///{root}/catalog.db", warehouse=f"file://{root}")


def setup(kind: str, root: str) -> None:
    if kind == "iceberg":
        catalog = _iceberg(root)
        catalog.create_namespace("b")
        catalog.create_table("b.articles", schema=_rows(1).schema, properties={"commit.retry.num-retries": "0"})
    else:
        from deltalake import write_deltalake

        write_deltalake(f"{root}/articles", _rows(1).slice(0, 0))


def commit_once(kind: str, root: str) -> tuple[float, int]:
    """One appended file; returns (seconds, attempts)."""
    if kind == "delta":
        from deltalake import write_deltalake

        start = time.perf_counter()
        write_deltalake(f"{root}/articles", _rows(), mode="append")
        return time.perf_counter() - start, 1
    from pyiceberg.exceptions import CommitFailedException

    catalog = _iceberg(root)
    os.makedirs(f"{root}/data", exist_ok=True)
    path = f"{root}/data/{uuid.uuid4().hex}.parquet"
    pq.write_table(_rows(), path)
    start = time.perf_counter()
    for attempt in range(1, 100):
        try:
            catalog.load_table("b.articles").add_files([path])
            return time.perf_counter() - start, attempt
        except CommitFailedException:
            continue  # as khabar does: read the new state, commit again
    raise RuntimeError("no commit in 100 attempts")


def _worker(args: tuple[str, str, int]) -> list[tuple[float, int]]:
    kind, root, count = args
    return [commit_once(kind, root) for _ in range(count)]


def rows_in(kind: str, root: str) -> int:
    if kind == "iceberg":
        return _iceberg(root).load_table("b.articles").scan().to_arrow().num_rows
    from deltalake import DeltaTable

    return DeltaTable(f"{root}/articles").to_pyarrow_table().num_rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["iceberg", "delta"])
    parser.add_argument("--commits", type=int, default=10)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--per-process", type=int, default=8)
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix=f"khabar-{args.kind}-")
    setup(args.kind, root)
    sequential = _worker((args.kind, root, args.commits))
    print(
        f"{args.kind} sequential: median {statistics.median(s for s, _ in sequential):.3f} s, worst {max(s for s, _ in sequential):.3f} s"
    )
    with multiprocessing.get_context("spawn").Pool(args.processes) as pool:
        results = [r for rs in pool.map(_worker, [(args.kind, root, args.per_process)] * args.processes) for r in rs]
    print(
        f"{args.kind} {args.processes} processes x {args.per_process}: median {statistics.median(s for s, _ in results):.3f} s,"
        f" worst {max(s for s, _ in results):.3f} s, attempts {sum(a for _, a in results)} for {len(results)} commits"
    )
    expected = ROWS * (args.commits + args.processes * args.per_process)
    print(f"{args.kind} rows {rows_in(args.kind, root)} of {expected}")


if __name__ == "__main__":
    main()
