"""The output's commit protocol: a run's staged files become one commit of every
table in the Iceberg catalog (transforms/output/catalog.py), exactly once,
whatever other runs commit at the same time.

1. Plan. Read the ``files`` table's committed file versions (uri, SHA-256).
   Rows of a version another run already committed are dropped from this run
   (two runs over overlapping inputs: the first to commit keeps its rows). The
   staged files move (or, where rows are dropped, are rewritten) into their
   tables' partitions, and ``_commits/<run_id>.plan.json`` lists them.
2. Commit ``files``: one Iceberg snapshot with the run's manifest rows, taken
   only if nobody committed to ``files`` since step 1 read it; otherwise plan
   again against the new state. This is the point of no return. A replacing
   run (--write-replace, transforms/output/replace.py) drops nothing in step 1:
   its snapshot takes its files over, and each later step removes the rows
   of those files that earlier runs wrote.
3. Roll forward: every other table gets one snapshot with the run's files; a
   table that already holds a snapshot of the run is skipped, so finishing a
   run twice (its own process and a recover) adds nothing twice.
4. ``_commits/<run_id>.json``, the run's record (its files and row counts):
   sql/views.sql reads exactly the files of these records, so a run shows in
   the views entirely or not at all. Then ``<table>/_SUCCESS``; the plan and
   the staged files go.

A run killed before step 2 left no row in any table; its moved files are
orphans that no snapshot and no record names (recover deletes them once its
plan is older than ORPHAN_AGE_S, since a live run may still be planning). A
run killed after step 2 is finished by the next run's recover.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import re
import signal
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import fsspec
import pyarrow as pa
import pyarrow.compute as pc
from khabar.schemas import TABLES
from khabar.transforms.output import catalog, replace
from khabar.transforms.output.parquet_files import (
    TEMP_DIR,
    WriteConfig,
    final_url,
    read_arrow,
    row_count,
    write_arrow,
)
from khabar.transforms.runtime.runinfo import RunInfo

LOG = logging.getLogger("khabar")
SUCCESS = "_SUCCESS"
COMMITS = "_commits"
PLAN = ".plan.json"
COMMITTED = ".json"
OWNER = ".owner"  # _commits/<run_id>.owner: the host and process of a running run
ORPHAN_AGE_S = 6 * 3600  # a plan this old without its files commit belongs to a dead run
MAX_PLANS = 20  # plan attempts before giving up: each failed one means another run committed meanwhile
ROLL_FORWARD_ORDER = ("articles", "entities", "fingerprints", "stories", "rejects")


class CommitConflict(RuntimeError):
    """Other runs kept committing while this one planned, MAX_PLANS times."""


def commit(output: str, run: RunInfo, written: list[tuple[str, str]], config: WriteConfig) -> dict[str, dict[str, int]]:
    """Commit the run's written files (table, staged url); returns rows and files per table."""
    from pyiceberg.exceptions import CommitFailedException

    staged: dict[str, list[str]] = {name: [] for name in TABLES}
    for table, url in written:
        staged[table].append(url)
    current = {table: sorted(set(urls)) for table, urls in staged.items()}
    for table in TABLES:
        catalog.load_table(output, config, table)  # created with its schema file the first time
    _crash_point("commit-start")
    versions = _VersionCache()
    for attempt in range(MAX_PLANS):
        files_table = catalog.load_table(output, config, "files")
        # A replacing run keeps all its rows: it takes the files over instead.
        committed = set() if config.replace else versions.of(files_table)
        current, stats = _plan(output, run, current, committed, attempt, config)
        plan: dict[str, Any] = {"run_id": run.run_id, "tables": current, "stats": stats, "planned_at": time.time(), "owner": owner()}
        dropped: list[str] = []
        written_now: list[str] = []
        if config.replace:
            plan["replace"] = sorted(_uris_of(current["files"]))
            plan["articles"] = sorted(_replaced_articles(output, config, set(plan["replace"])) | _article_ids(current["articles"]))
            uris = pa.array(plan["replace"], pa.string())
            dropped, written_now = replace.without_stale(
                catalog.data_files(files_table),
                lambda arrow, uris=uris: replace.is_in(arrow["uri"], uris),
                ["uri"],
                replace.sibling(run.run_id, attempt),
                config,
            )
        _write_json(fsspec.core.url_to_fs(output)[0], _marker(output, run.run_id, PLAN), plan)
        _crash_point("commit-planned")
        try:
            catalog.overwrite_files(files_table, dropped, written_now + current["files"], run.run_id)
            break
        except CommitFailedException:
            for url in written_now:
                replace.remove_quietly(url)
            continue  # another run committed its files: plan again against them
    else:
        raise CommitConflict(f"run {run.run_id}: {MAX_PLANS} plans in a row lost to other runs' commits")
    _crash_point("commit-midway")
    finish(output, plan, config)
    return plan["stats"]


def finish(output: str, plan: dict[str, Any], config: WriteConfig) -> None:
    """Steps 3 and 4 for a run whose ``files`` commit is done; safe to run twice.

    A replacing run (plan["replace"]) also drops, in each table's snapshot,
    the rows of its files that earlier runs wrote (transforms/output/replace.py).
    """
    from pyiceberg.exceptions import CommitFailedException

    run_id, tables, stats = plan["run_id"], plan["tables"], plan["stats"]
    replaced = set(plan.get("replace", ()))
    for table in ROLL_FORWARD_ORDER:
        for attempt in range(MAX_PLANS):
            tbl = catalog.load_table(output, config, table)
            if catalog.run_committed(tbl, run_id):
                break
            dropped: list[str] = []
            written: list[str] = []
            own = tables[table]
            mask = replace.stale_mask(table, output, config, replaced, set(plan.get("articles", ())), run_id) if replaced else None
            if mask is not None:
                columns = replace.MASK_COLUMNS[table]
                dropped, written = replace.without_stale(catalog.data_files(tbl), mask, columns, replace.sibling(run_id, attempt), config)
                # the run's own rows of a file a later replace took over meanwhile stay out too
                own_dropped, own_written = replace.without_stale(own, mask, columns, replace.sibling(run_id, 50 + attempt), config)
                own = sorted(set(own) - set(own_dropped)) + own_written
                written += own_written
            try:
                catalog.overwrite_files(tbl, dropped, sorted(set(written) | set(own)), run_id)
            except CommitFailedException:
                for url in written:
                    replace.remove_quietly(url)
                continue  # another commit got in first: look again at the new state
            if own != tables[table]:
                for url in set(tables[table]) - set(own):
                    replace.remove_quietly(url)  # the run's own file, rewritten without rows it no longer owns
                tables[table] = own
                stats[table] = {"files": len(own), "rows": sum(row_count(u) for u in own)}
            break
        else:
            raise CommitConflict(f"run {run_id}: table {table} kept changing under the commit")
        _crash_point(f"commit-{table}")
    root = _root(output)
    record: dict[str, Any] = {
        "run_id": run_id,
        "tables": stats,
        "files": sorted(_relative(root, u) for urls in tables.values() for u in urls),
    }
    # a replace may have dropped files of this run or of runs still finishing (their records not yet
    # written): the record names them, whatever the kind of run, so that the views leave them out
    removed = _removed_paths(output, config, [u for urls in tables.values() for u in urls], run_id)
    if removed:
        record["removed"] = removed
    write_record(output, run_id, record)
    fs = fsspec.core.url_to_fs(output)[0]
    for table, stat in stats.items():
        _write_json(fs, f"{root}/{table}/{SUCCESS}", {"run_id": run_id, **stat})
    _remove(fs, _marker(output, run_id, PLAN))
    _remove(fs, _marker(output, run_id, OWNER))
    _remove(fs, f"{root}/{TEMP_DIR}/{run_id}", recursive=True)
    try:
        if fs.exists(f"{root}/{TEMP_DIR}") and not fs.ls(f"{root}/{TEMP_DIR}"):
            fs.rmdir(f"{root}/{TEMP_DIR}")
    except OSError:
        pass  # another run is writing next to us; its files stay


def _uris_of(files: list[str]) -> set[str]:
    return {uri for url in files for uri in read_arrow(url, ["uri"])["uri"].to_pylist()}


def _article_ids(files: list[str]) -> set[str]:
    return {i for url in files for i in read_arrow(url, ["article_id"])["article_id"].to_pylist()}


def _replaced_articles(output: str, config: WriteConfig, uris: set[str]) -> set[str]:
    """Ids of the committed articles of these files (their entity and fingerprint rows go too)."""
    wanted = pa.array(sorted(uris), pa.string())
    ids: set[str] = set()
    for path in catalog.data_files(catalog.load_table(output, config, "articles")):
        arrow = read_arrow(path, ["article_id", "source_uri"])
        ids.update(arrow.filter(replace.is_in(replace.files_of(arrow["source_uri"]), wanted))["article_id"].to_pylist())
    return ids


def _removed_paths(output: str, config: WriteConfig, own: list[str], run_id: str) -> list[str]:
    """Files that no table's current snapshot holds any more (a replace dropped them) among those
    commit records list, those of this run (``own``) and those other runs still finishing have
    planned: the views leave them out. The last two count because two runs may commit at once: a
    replace that drops a file another run committed before writing its record would otherwise
    leave that file to the record, and the views would show its rows twice."""
    root = _root(output)
    listed, _ = committed_listing(output)
    tables = {table: catalog.load_table(output, config, table) for table in TABLES}
    candidates = set(listed) | {_relative(root, url) for url in [*own, *_planned_files(output, run_id, tables)]}
    current = {_relative(root, path) for tbl in tables.values() for path in catalog.data_files(tbl)}
    return sorted(candidates - current)


def _planned_files(output: str, run_id: str, tables: dict[str, Any]) -> list[str]:
    """The files of the other runs' plans (runs between their first commit and their record), in the
    tables those runs have committed: a file not committed yet is not one a replace dropped."""
    fs, root = fsspec.core.url_to_fs(output)
    files: list[str] = []
    for _, other, plan in _plans(fs, root.rstrip("/")):
        if other == run_id:
            continue
        for table, urls in plan.get("tables", {}).items():
            if table in tables and catalog.run_committed(tables[table], other):
                files.extend(urls)
    return files


def _plans(fs: Any, root: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(path, run_id, plan) of every plan marker under the output's commit folder; a marker being
    rewritten or removed meanwhile is passed over."""
    commits = f"{root}/{COMMITS}"
    for path in fs.ls(commits, detail=False) if fs.exists(commits) else []:
        name = path.rsplit("/", 1)[-1]
        if not name.endswith(PLAN):
            continue
        plan = _read_json(fs, path)
        if plan is not None:
            yield path, name[: -len(PLAN)], plan


class _VersionCache:
    """(uri, content_sha256) of the committed ``files`` rows, read once per data file."""

    def __init__(self) -> None:
        self._by_file: dict[str, set[tuple[str, str]]] = {}

    def of(self, tbl: Any) -> set[tuple[str, str]]:
        out: set[tuple[str, str]] = set()
        for path in catalog.data_files(tbl):
            if path not in self._by_file:
                rows = read_arrow(path).select(["uri", "content_sha256"]).to_pylist()
                self._by_file[path] = {(r["uri"], r["content_sha256"]) for r in rows}
            out |= self._by_file[path]
        return out


def _plan(
    output: str, run: RunInfo, current: dict[str, list[str]], committed: set[tuple[str, str]], attempt: int, config: WriteConfig
) -> tuple[dict[str, list[str]], dict[str, dict[str, int]]]:
    """Put the run's files in place without the rows of file versions already
    committed; returns the final files and the row counts per table."""
    files = [read_arrow(u).select(["uri", "content_sha256"]).to_pylist() for u in current["files"]]
    taken = {row["uri"] for rows in files for row in rows if (row["uri"], row["content_sha256"]) in committed}
    edit: dict[str, Callable[[pa.Table], pa.Table | None]] = {}
    if taken:
        LOG.warning("run %s: %d input files were committed meanwhile by another run; their rows are left out", run.run_id, len(taken))
        dropped_ids: set[str] = set()
        kept_ids: set[str] = set()
        for url in current["articles"]:
            for row in read_arrow(url).select(["article_id", "source_uri"]).to_pylist():
                (dropped_ids if replace.file_of(row["source_uri"]) in taken else kept_ids).add(row["article_id"])
        uris = pa.array(sorted(taken), pa.string())
        ids = pa.array(sorted(dropped_ids), pa.string())

        def by_file(arrow: pa.Table) -> pa.Array:
            return pc.invert(replace.is_in(replace.files_of(arrow["source_uri"]), uris))

        masks: dict[str, Callable[[pa.Table], pa.Array]] = {
            "files": lambda a: pc.invert(replace.is_in(a["uri"], uris)),
            "articles": by_file,
            "rejects": by_file,
            "entities": lambda a: pc.invert(replace.is_in(a["article_id"], ids)),
            "fingerprints": lambda a: pc.invert(replace.is_in(a["article_id"], ids)),
        }
        edit = {table: functools.partial(_filtered, mask) for table, mask in masks.items()}
        edit["stories"] = functools.partial(_stories_without, dropped_ids, kept_ids)
    placed: dict[str, list[str]] = {}
    stats: dict[str, dict[str, int]] = {}
    for table, urls in current.items():
        placed[table], rows = [], 0
        for shard, url in enumerate(urls):
            target = final_url(output, run, table, shard + 1000 * attempt)
            edited = edit[table](read_arrow(url)) if table in edit else None
            if edited is None:
                _move(url, target)
                rows += row_count(target)
            else:
                _remove(fsspec.core.url_to_fs(url)[0], fsspec.core.url_to_fs(url)[1])
                if edited.num_rows == 0:
                    continue
                write_arrow(target, edited, config)
                rows += edited.num_rows
            placed[table].append(target)
        stats[table] = {"files": len(placed[table]), "rows": rows}
    return placed, stats


def _filtered(mask: Callable[[pa.Table], pa.Array], arrow: pa.Table) -> pa.Table | None:
    """The rows the mask keeps, or None when it keeps them all."""
    keep = mask(arrow)
    return None if pc.all(keep).as_py() is not False else arrow.filter(keep)


def _stories_without(dropped: set[str], kept: set[str], arrow: pa.Table) -> pa.Table | None:
    """Story rows without the articles another run committed: a row keeps the
    articles it adds and the earlier ones, and goes when it adds none (the
    other run's row for those articles stands). None when nothing changes."""
    rows = arrow.to_pylist()
    out = []
    for row in rows:
        ids = [i for i in row["article_ids"] if i not in dropped]
        if not kept.intersection(ids):
            continue
        out.append({**row, "article_ids": ids, "size": len(ids)})
    if len(out) == len(rows) and all(len(r["article_ids"]) == len(o["article_ids"]) for r, o in zip(rows, out, strict=True)):
        return None
    return pa.Table.from_pylist(out, schema=arrow.schema)


def _root(output: str) -> str:
    return fsspec.core.url_to_fs(output)[1].rstrip("/")


def _relative(root: str, url: str) -> str:
    """A table file's path relative to the output root, as commit records list it."""
    path = fsspec.core.url_to_fs(url)[1]
    return path[len(root) + 1 :] if path.startswith(root + "/") else path


def _marker(output: str, run_id: str, suffix: str) -> str:
    return fsspec.core.url_to_fs(f"{output.rstrip('/')}/{COMMITS}/{run_id}{suffix}")[1]


def _write_json(fs: Any, path: str, value: Any) -> None:
    """Write a small JSON file whole: to a temporary name, then renamed (a reader never sees half)."""
    fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
    temp = f"{path}.{os.getpid()}.tmp"
    with fs.open(temp, "w") as out:
        json.dump(value, out)
    fs.mv(temp, path)


def _read_json(fs: Any, path: str) -> Any | None:
    """A small JSON file, or None when it is gone (finished meanwhile) or half written."""
    try:
        with fs.open(path) as source:
            return json.load(source)
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def write_record(output: str, record_id: str, record: dict[str, Any]) -> None:
    """_commits/<record_id>.json: the files a commit made visible (sql/views.sql reads these)."""
    _write_json(fsspec.core.url_to_fs(output)[0], _marker(output, record_id, COMMITTED), record)


def _move(source_url: str, target_url: str) -> None:
    fs, source = fsspec.core.url_to_fs(source_url)
    target = fsspec.core.url_to_fs(target_url)[1]
    fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
    fs.mv(source, target)


def _remove(fs: Any, path: str, recursive: bool = False) -> None:
    with contextlib.suppress(FileNotFoundError):  # another process finishing the same run removed it first
        fs.rm(path, recursive=recursive)


def _crash_point(name: str) -> None:
    """Fault injection for the exactly-once tests: KHABAR_CRASH_AT=<name> kills
    the process with SIGKILL here, as a machine failure would. With
    KHABAR_CRASH_ONCE=<file>, only when that file does not exist yet (it is
    made first), so a retry of the same command gets through."""
    if os.environ.get("KHABAR_CRASH_AT") != name:
        return
    once = os.environ.get("KHABAR_CRASH_ONCE")
    if once:
        if os.path.exists(once):
            return
        with open(once, "w"):
            pass
    os.kill(os.getpid(), signal.SIGKILL)


_PART = re.compile(r"^part-(?P<run_id>.+)-\d{5,}\.parquet$")


def run_of_part(path: str) -> str | None:
    """The run id in a table file's name (see file_name), or None for other files."""
    match = _PART.match(path.rsplit("/", 1)[-1])
    return match["run_id"] if match else None


def recover(output: str, config: WriteConfig | None = None, orphan_age_s: float = ORPHAN_AGE_S) -> list[str]:
    """Finish runs whose ``files`` commit is done and the rest is not (killed in
    step 3 or 4); delete what runs that died before that point left behind.
    Returns the ids of the runs finished and the paths deleted.

    A plan younger than orphan_age_s without its files commit may belong to a
    live run that is still planning: it is left alone. Staged files of runs
    without a plan are deleted at the same age.
    """
    config = config or WriteConfig()
    fs, root = fsspec.core.url_to_fs(output)
    root = root.rstrip("/")
    if not fs.exists(f"{root}/{COMMITS}") or not catalog.has_catalog(output, config):
        return _old_staging(fs, root, set(), orphan_age_s)
    done: list[str] = []
    files_table = catalog.load_table(output, config, "files")
    alive: set[str] = set()
    now = time.time()
    for path, run_id, plan in _plans(fs, root):  # a plan finished meanwhile, or being rewritten, is passed over
        if catalog.run_committed(files_table, run_id):
            finish(output, plan, config)
            done.append(run_id)
        elif is_dead(plan.get("owner")) or now - plan.get("planned_at", 0) > orphan_age_s:
            for urls in plan["tables"].values():
                for url in urls:
                    _remove(fs, fsspec.core.url_to_fs(url)[1])
                    done.append(url)
            _remove(fs, path)
            _remove(fs, _marker(output, run_id, OWNER))
            _remove(fs, f"{root}/{TEMP_DIR}/{run_id}", recursive=True)
        else:
            alive.add(run_id)
    return done + _old_staging(fs, root, alive | set(done), orphan_age_s) + _dead_owners(fs, root, alive)


def _dead_owners(fs: Any, root: str, alive: set[str]) -> list[str]:
    """Owner markers of runs whose process is gone and that left no plan (they failed before their commit)."""
    removed = []
    for path in fs.ls(f"{root}/{COMMITS}", detail=False):
        run_id = path.rsplit("/", 1)[-1].removesuffix(OWNER)
        if not path.endswith(OWNER) or run_id in alive:
            continue
        who = _read_json(fs, path)
        if who is None:
            continue
        if is_dead(who) and not fs.exists(f"{root}/{COMMITS}/{run_id}{PLAN}"):
            _remove(fs, path)
            removed.append(path)
    return removed


def owner() -> dict[str, Any]:
    return {"host": socket.gethostname(), "pid": os.getpid()}


def is_dead(who: dict[str, Any] | None) -> bool:
    """Whether the process that wrote a plan or owner marker is gone (known only on its own host)."""
    if not who or who.get("host") != socket.gethostname():
        return False
    try:
        os.kill(int(who["pid"]), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, ValueError, KeyError):
        return False
    return False


def mark_running(output: str, run_id: str) -> None:
    """Write _commits/<run_id>.owner: recover deletes the staged files of a run
    whose process is gone at once, not only after orphan_age_s."""
    _write_json(fsspec.core.url_to_fs(output)[0], _marker(output, run_id, OWNER), owner())


def _old_staging(fs: Any, root: str, keep: set[str], orphan_age_s: float) -> list[str]:
    """Staged folders of runs that died before planning: at once when their
    owner marker names a process gone, else once older than orphan_age_s."""
    temp_root = f"{root}/{TEMP_DIR}"
    if not fs.exists(temp_root):
        return []
    removed = []
    now = time.time()
    for info in fs.ls(temp_root, detail=True):
        name = info["name"].rsplit("/", 1)[-1]
        if name in keep:
            continue
        marker = f"{root}/{COMMITS}/{name}{OWNER}"
        who = None
        if fs.exists(marker):
            who = _read_json(fs, marker)
            if who is None:
                continue
        if is_dead(who):
            _remove(fs, info["name"], recursive=True)
            _remove(fs, marker)
            removed.append(info["name"])
            continue
        modified = info.get("mtime") or info.get("created") or now
        if hasattr(modified, "timestamp"):
            modified = modified.timestamp()
        if now - float(modified) > orphan_age_s:
            _remove(fs, info["name"], recursive=True)
            removed.append(info["name"])
    return removed


def committed_listing(output: str) -> tuple[list[str], set[str]]:
    """The files committed runs made visible and no replace removed (paths
    relative to the output), and the runs whose record lists no files
    (written before records did: every file named after such a run counts)."""
    fs, root = fsspec.core.url_to_fs(output)
    commits = f"{root.rstrip('/')}/{COMMITS}"
    if not fs.exists(commits):
        return [], set()
    files: list[str] = []
    removed: set[str] = set()
    legacy: set[str] = set()
    for path in fs.ls(commits, detail=False):
        if not path.endswith(COMMITTED) or path.endswith(PLAN):
            continue
        record = _read_json(fs, path)
        if record is None:
            continue
        if "files" in record:
            files.extend(record["files"])
        else:
            legacy.add(record.get("run_id") or path.rsplit("/", 1)[-1][: -len(COMMITTED)])
        removed.update(record.get("removed", ()))
    return [f for f in files if f not in removed], legacy


def commit_file(output: str, run_id: str, table: str, url: str, config: WriteConfig) -> None:
    """Commit one file already in its partition (a streaming pane): a snapshot
    of its table, then a record naming it. A retried bundle commits the same
    file name again: it is registered once."""
    from pyiceberg.exceptions import CommitFailedException

    for _ in range(MAX_PLANS):
        tbl = catalog.load_table(output, config, table)
        registered = catalog.data_files(tbl)
        if url in registered or fsspec.core.url_to_fs(url)[1] in registered:
            break
        try:
            catalog.add_files(tbl, [url], run_id)
            break
        except CommitFailedException:
            continue
    else:
        raise CommitConflict(f"run {run_id}: table {table} kept changing under the commit of {url}")
    name = url.rsplit("/", 1)[-1].removesuffix(".parquet")
    write_record(output, f"{run_id}-{table}-{name}", {"run_id": run_id, "files": [_relative(_root(output), url)]})
