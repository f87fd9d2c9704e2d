"""Read back what earlier runs committed to --output: the state a new run
links its articles to (fingerprints of recent articles, stories' latest rows).

Only committed runs count (transforms/write_tables.py's commit records), and only
fingerprints of partitions inside the history window are read, so a run's
cost does not grow with the whole archive.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import apache_beam as beam
import fsspec
import pyarrow.parquet as pq
from khabar.transforms.output.commit import committed_listing, run_of_part
from khabar.transforms.runtime.runinfo import RunInfo

_PARTITION = re.compile(r"ingest_date=(?P<date>\d{4}-\d{2}-\d{2})")


def committed_files(output: str, table: str, since: str | None = None, listing: tuple[list[str], set[str]] | None = None) -> list[str]:
    """Parquet files of a table that committed runs made visible (partitions >= since).

    Each run's record (_commits/<run_id>.json) lists its files; a record
    written before records listed files stands for every file named after
    its run. ``listing``: commit.committed_listing(output), when the caller
    asks for several tables (the records are read once).
    """
    fs, root = fsspec.core.url_to_fs(output)
    root = root.rstrip("/")
    listed, legacy = listing if listing is not None else committed_listing(output)
    files = [f"{root}/{path}" for path in listed if path.startswith(f"{table}/")]
    if legacy and fs.exists(f"{root}/{table}"):
        files += [path for path in fs.find(f"{root}/{table}") if run_of_part(path) in legacy]
    out = []
    for file in sorted(set(files)):
        partition = _PARTITION.search(file)
        if since and partition and partition["date"] < since:
            continue
        out.append(fs.unstrip_protocol(file))
    return out


def read_rows(url: str, columns: list[str] | None = None) -> Iterator[dict[str, Any]]:
    fs, path = fsspec.core.url_to_fs(url)
    with fs.open(path, "rb") as stream:
        yield from pq.read_table(stream, columns=columns).to_pylist()


class ReadPriorState(beam.PTransform):
    """-> {'prior': fingerprints rows of the history window, 'prior_stories': stories rows},
    or {} when no committed fingerprints are in the window.

    The driver lists the files (cheap); workers read them, one file an element.
    With nothing to read there is no earlier branch at all: GroupStories then
    needs no Flatten of new and earlier articles, which the runner would hold.
    """

    def __init__(self, output: str, run: RunInfo, history_days: float) -> None:
        super().__init__()
        self._output, self._run, self._history_days = output, run, history_days

    def expand(self, pbegin: beam.pvalue.PBegin) -> dict[str, beam.PCollection]:
        fingerprints: list[str] = []
        stories: list[str] = []
        if self._history_days > 0:
            since = (self._run.started_at - timedelta(days=self._history_days)).strftime("%Y-%m-%d")
            listing = committed_listing(self._output)
            fingerprints = committed_files(self._output, "fingerprints", since, listing)
            # A story with an article in the window got a row in that article's run,
            # so its latest row is in the window too.
            stories = committed_files(self._output, "stories", since, listing) if fingerprints else []
        if not fingerprints:
            return {}
        return {
            "prior": pbegin | "PriorFingerprintFiles" >> beam.Create(fingerprints) | "ReadFingerprints" >> beam.FlatMap(read_rows),
            "prior_stories": pbegin | "PriorStoryFiles" >> beam.Create(stories) | "ReadStories" >> beam.FlatMap(read_rows),
        }
