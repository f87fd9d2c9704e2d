"""BI consumption: the documented DuckDB views run, and every table reads cleanly in DuckDB, Polars and pandas."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pytest

from tests.conftest import ROOT

VIEWS = ["canonical_articles", "entity_mentions", "top_entities_per_day", "story_outlets", "entity_cooccurrence"]


@pytest.fixture
def output(sample_output: Path) -> Path:
    return sample_output


def views(output: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"SET VARIABLE khabar_root = '{output}'")
    con.execute((ROOT / "sql" / "views.sql").read_text(encoding="utf-8"))
    return con


def test_every_view_runs_on_the_sample_output(output: Path) -> None:
    con = views(output)
    for view in VIEWS:
        assert con.execute(f"select count(*) from {view}").fetchone()[0] > 0, view


def test_views_answer_the_questions_they_document(output: Path) -> None:
    con = views(output)
    assert con.execute("select count(*) from canonical_articles").fetchone()[0] == 4  # 5 articles, 4 stories
    (size, outlets) = con.execute("select size, outlet_count from story_outlets order by size desc limit 1").fetchone()
    assert size == 2 and outlets >= 1
    top = con.execute("select canonical from top_entities_per_day where type = 'LOC' order by stories desc, canonical limit 1").fetchone()[
        0
    ]
    assert top == "العراق"


@pytest.mark.parametrize("table", ["articles", "entities", "stories", "rejects"])
def test_polars_and_pandas_read_every_table_with_its_types(output: Path, table: str) -> None:
    frame = pl.read_parquet(output / table / "**" / "*.parquet", hive_partitioning=True)
    assert "ingest_date" in frame.columns
    if table == "articles":
        assert frame.schema["published_at"] == pl.Datetime("us", "UTC")
        assert frame.schema["ingested_at"] == pl.Datetime("us", "UTC")
    if table == "stories":
        assert frame.schema["article_ids"] == pl.List(pl.String)
    pandas = pd.read_parquet(output / table)
    assert len(pandas) == len(frame)
    if table == "articles":
        assert str(pandas["published_at"].dtype).startswith("datetime64[us, UTC]")
