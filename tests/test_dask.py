"""The batch pipeline on Beam's DaskRunner, against a Dask LocalCluster of 2 worker processes."""

from __future__ import annotations

from pathlib import Path

import pyarrow.dataset as ds
import pytest

from tests.conftest import SAMPLES, run_cli

pytest.importorskip("distributed")

COLUMNS = {
    "articles": [
        "article_id",
        "story_id",
        "is_canonical",
        "duplicate_of",
        "duplicate_kind",
        "title",
        "text",
        "text_normalized",
        "content_hash",
        "language",
    ],
    "entities": ["article_id", "entity_id", "text", "canonical", "type", "start", "end", "method"],
    "stories": ["story_id", "canonical_article_id", "article_ids", "size", "title"],
    "rejects": ["source_uri", "stage", "reason"],
}


def table(out: Path, name: str) -> list[dict]:
    data = ds.dataset(out / name, format="parquet", partitioning="hive").to_table(columns=COLUMNS[name])
    return sorted(data.to_pylist(), key=lambda r: tuple(str(r[c]) for c in COLUMNS[name]))


def test_dask_local_cluster_gives_the_same_tables_as_the_direct_runner(tmp_path: Path) -> None:
    direct, dask = tmp_path / "direct", tmp_path / "dask"
    assert run_cli("run", "--input", str(SAMPLES), "--output", str(direct), "--quiet").returncode == 0
    result = run_cli("run", "--input", str(SAMPLES), "--output", str(dask), "--dask-local-workers", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "not available on this runner" in result.stdout  # no metrics on Dask: said, not crashed
    for name in COLUMNS:
        assert table(dask, name) == table(direct, name), name
    assert len(table(dask, "articles")) == 5
