"""Windowed Parquet writes for the streaming pipeline: one file per table,
window and pane, named after its window.

    <table>/ingest_date=YYYY-MM-DD/part-<run_id>-w20261122T130500Z-20261122T131000Z-p0-00000.parquet

The window's start and end are in the name (UTC, no spaces, colons or
brackets); p<N> is the pane: p0 fires when the watermark passes the window's
end, later panes hold late articles, so a late pane adds a file and never
rewrites one. Each file is written under _temporary/ and renamed into place,
so a reader never sees half a file; a retried bundle rewrites the same name.
Each file is then committed on its own (transforms/output/commit.py
commit_file): one Iceberg snapshot of its table and a record naming it, so
the views show every pane as soon as it lands.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import apache_beam as beam
import fsspec
from khabar.schemas import PARTITION_COLUMN
from khabar.transforms.output.commit import commit_file, write_record
from khabar.transforms.output.parquet_files import TEMP_DIR, WriteConfig, write_parquet
from khabar.transforms.runtime.runinfo import RunInfo
from khabar.transforms.write_tables import check_tables

NAMESPACE = "khabar.write"


def window_file_name(run_id: str, start: datetime, end: datetime, pane: int, shard: int = 0) -> str:
    return f"part-{run_id}-w{start:%Y%m%dT%H%M%SZ}-{end:%Y%m%dT%H%M%SZ}-p{pane}-{shard:05d}.parquet"


def _utc(timestamp: Any) -> datetime:
    return datetime.fromtimestamp(float(timestamp), UTC)


class WriteWindowFn(beam.DoFn):
    def __init__(self, output: str, run: RunInfo, config: WriteConfig) -> None:
        self._output, self._run, self._config = output.rstrip("/"), run, config

    def process(
        self, element: tuple[str, Iterable[dict[str, Any]]], w: Any = beam.DoFn.WindowParam, pane: Any = beam.DoFn.PaneInfoParam
    ) -> Iterator[str]:
        table, rows = element
        start, end = _utc(w.start), _utc(w.end)
        name = window_file_name(self._run.run_id, start, end, pane.index)
        temp = f"{self._output}/{TEMP_DIR}/{self._run.run_id}/{table}/{name}"
        final = f"{self._output}/{table}/{PARTITION_COLUMN}={start:%Y-%m-%d}/{name}"
        count = write_parquet(temp, table, list(rows), self._config, self._run)
        fs, _ = fsspec.core.url_to_fs(self._output)
        target = fsspec.core.url_to_fs(final)[1]
        fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
        fs.mv(fsspec.core.url_to_fs(temp)[1], target)
        commit_file(self._output, self._run.run_id, table, final, self._config)
        beam.metrics.Metrics.counter(NAMESPACE, f"{table}_rows").inc(count)
        yield final


def mark_streaming_run(output: str, run: RunInfo) -> None:
    """A streaming job's record, written when it starts: its files become
    visible one by one, each by a record of its own (commit_file)."""
    write_record(output, run.run_id, {"run_id": run.run_id, "streaming": True, "started_at": run.started_at.isoformat(), "files": []})


class WriteWindowedTables(beam.PTransform):
    """{table: windowed rows} -> the written file paths (one per table, window and pane)."""

    def __init__(self, output: str, run: RunInfo, config: WriteConfig | None = None) -> None:
        super().__init__()
        self._output, self._run, self._config = output, run, config or WriteConfig()

    def expand(self, tables: dict[str, beam.PCollection]) -> beam.PCollection:
        check_tables(tables)
        written = [
            rows
            | f"Key_{name}" >> beam.Map(lambda row, table=name: (table, row))
            | f"Pane_{name}" >> beam.GroupByKey()
            | f"Write_{name}" >> beam.ParDo(WriteWindowFn(self._output, self._run, self._config))
            for name, rows in sorted(tables.items())
        ]
        return written | "AllWritten" >> beam.Flatten()
