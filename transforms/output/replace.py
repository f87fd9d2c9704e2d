"""--write-replace: a run that recomputes files already ingested and replaces their rows.

Every row of an input file must come from the run that owns the file now: the
run of the file's row in the current ``files`` table (entity and fingerprint
rows: the run of their article's current row). A replacing run takes the
ownership of its files with its ``files`` commit (the rows of every earlier
run for those files leave that table in the same snapshot); each of its other
table commits then rewrites the data files holding rows whose owner is gone
(copy-on-write: a new file without them, the old file dropped from the
snapshot) and registers the run's own files, keeping only rows it still owns
(a later replace of the same file may have taken it over meanwhile). So after
any number of replacing runs, at the same time or not, each key is in each
table once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import fsspec
import pyarrow as pa
import pyarrow.compute as pc
from khabar.transforms.output import catalog
from khabar.transforms.output.parquet_files import WriteConfig, read_arrow, write_arrow

Mask = Callable[[pa.Table], pa.Array]  # True for the rows to drop


def file_of(source_uri: str) -> str:
    """The input file a row comes from: its source_uri without the '#record' part."""
    return source_uri.split("#", 1)[0]


def files_of(values: Any) -> pa.Array:
    return pa.array([file_of(v) for v in values.to_pylist()], pa.string())


def _pairs(left: Any, right: Any) -> pa.Array:
    return pc.binary_join_element_wise(left, right, "\x00")


def is_in(values: Any, value_set: pa.Array) -> pa.Array:
    return pc.fill_null(pc.is_in(values, value_set=value_set), False)


def owners(output: str, config: WriteConfig, uris: set[str]) -> pa.Array:
    """'uri\\0run_id' of the current ``files`` rows of these files."""
    tbl = catalog.load_table(output, config, "files")
    keys: list[str] = []
    wanted = pa.array(sorted(uris), pa.string())
    for path in catalog.data_files(tbl):
        arrow = read_arrow(path).select(["uri", "run_id"])
        arrow = arrow.filter(is_in(arrow["uri"], wanted))
        keys += _pairs(arrow["uri"], arrow["run_id"]).to_pylist()
    return pa.array(sorted(set(keys)), pa.string())


def current_articles(output: str, config: WriteConfig, ids: pa.Array) -> pa.Array:
    """'article_id\\0run_id' of the current ``articles`` rows of these articles."""
    tbl = catalog.load_table(output, config, "articles")
    keys: list[str] = []
    for path in catalog.data_files(tbl):
        arrow = read_arrow(path).select(["article_id", "run_id"])
        arrow = arrow.filter(is_in(arrow["article_id"], ids))
        keys += _pairs(arrow["article_id"], arrow["run_id"]).to_pylist()
    return pa.array(sorted(set(keys)), pa.string())


def stale_mask(table: str, output: str, config: WriteConfig, uris: set[str], article_ids: set[str], run_id: str) -> Mask | None:
    """The rows of `table` whose owner is gone, among the rows of these files
    (and, for entities and fingerprints, of these articles); None: nothing to check."""
    if table == "stories":
        return None  # story rows are history: the views count a story's members from the current articles
    wanted_files = pa.array(sorted(uris), pa.string())
    if table == "rejects":  # a rejected file may have no files row: the replacing run's own rejects stand

        def others(arrow: pa.Table) -> pa.Array:
            return pc.and_(is_in(files_of(arrow["source_uri"]), wanted_files), pc.not_equal(arrow["run_id"], run_id))

        return others
    if table == "articles":
        owned = owners(output, config, uris)

        def by_file(arrow: pa.Table) -> pa.Array:
            files = files_of(arrow["source_uri"])
            return pc.and_(is_in(files, wanted_files), pc.invert(is_in(_pairs(files, arrow["run_id"]), owned)))

        return by_file
    if table in ("entities", "fingerprints"):
        ids = pa.array(sorted(article_ids), pa.string())
        current = current_articles(output, config, ids)

        def by_article(arrow: pa.Table) -> pa.Array:
            return pc.and_(is_in(arrow["article_id"], ids), pc.invert(is_in(_pairs(arrow["article_id"], arrow["run_id"]), current)))

        return by_article
    raise ValueError(f"no ownership rule for table {table}")


def without_stale(
    paths: list[str], mask: Mask, columns: list[str], rewrite: Callable[[str, int], str], config: WriteConfig
) -> tuple[list[str], list[str]]:
    """Rewrite the files holding rows the mask drops: returns (files dropped, files written in their place)."""
    dropped: list[str] = []
    written: list[str] = []
    for path in paths:
        if not pc.any(mask(read_arrow(path, columns))).as_py():
            continue
        arrow = read_arrow(path)
        kept = arrow.filter(pc.invert(mask(arrow)))
        dropped.append(path)
        if kept.num_rows:
            target = rewrite(path, len(written))
            write_arrow(target, kept, config)
            written.append(target)
    return dropped, written


MASK_COLUMNS = {
    "articles": ["source_uri", "run_id"],
    "rejects": ["source_uri", "run_id"],
    "entities": ["article_id", "run_id"],
    "fingerprints": ["article_id", "run_id"],
}


def sibling(run_id: str, attempt: int) -> Callable[[str, int], str]:
    """Where a rewritten file goes: next to the file it replaces, named after the run
    (numbers from 1,000,000 up, apart from the run's own files)."""

    def name(path: str, index: int) -> str:
        folder = path.rsplit("/", 1)[0]
        return f"{folder}/part-{run_id}-{1_000_000 + 10_000 * attempt + index}.parquet"

    return name


def remove_quietly(url: str) -> None:
    fs, path = fsspec.core.url_to_fs(url)
    with contextlib.suppress(FileNotFoundError):
        fs.rm(path)
