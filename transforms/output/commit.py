"""The output's commit protocol: a run's staged files move into place, then its commit record and _SUCCESS; recover rolls back a run that died during its commit."""

from __future__ import annotations

import json
import os
import re
import signal

import fsspec
from khabar.schemas import TABLES
from khabar.transforms.output.parquet_files import (
    TEMP_DIR,
    WriteConfig,
    final_url,
    row_count,
    write_parquet,
)
from khabar.transforms.runtime.runinfo import RunInfo

SUCCESS = "_SUCCESS"


COMMITS = "_commits"


PENDING = ".pending"


COMMITTED = ".json"


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
