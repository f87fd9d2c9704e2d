"""Article rows staged to files before dedup, story columns set afterwards."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from khabar.schemas import TABLES, validate_rows
from khabar.transforms.apply_stories import apply_fingerprint_stories, apply_stories, story_columns
from khabar.transforms.output.parquet_files import TEMP_DIR, WriteConfig
from khabar.transforms.output.rows import article_row
from khabar.transforms.runtime.records import Document
from khabar.transforms.runtime.runinfo import RunInfo
from khabar.transforms.stories.assign import Assignment
from khabar.transforms.stories.config import EXACT, STORY
from khabar.transforms.write_tables import WRITTEN, SpillRowsFn, StagedWrite, WriteTables

RUN = RunInfo(run_id="20240101T000000Z-stage001", started_at=datetime(2024, 1, 1, tzinfo=UTC))


def articles(n: int) -> list[dict]:
    docs = [
        Document(
            f"file:///in/{i}.txt", "", "", "text", 10, f"{i:064x}", text=f"نص الخبر {i}", text_normalized=f"نص الخبر {i}", language="ar"
        )
        for i in range(n)
    ]
    return [article_row(d, RUN) for d in docs]


def test_story_columns_of_canonicals_duplicates_and_articles_on_their_own() -> None:
    assignments = {"b": Assignment("b", "b", None), "c": Assignment("b", "b", EXACT), "d": Assignment("b", "b", STORY)}
    assert story_columns(["a", "b", "c", "d"], assignments) == {
        "story_id": ["a", "b", "b", "b"],
        "is_canonical": [True, True, False, False],
        "duplicate_of": [None, None, "b", "b"],
        "duplicate_kind": [None, None, EXACT, STORY],
    }


def test_apply_stories_changes_only_the_story_columns() -> None:
    rows = [{**r, **RUN.stamp()} for r in articles(3)]
    table = validate_rows("articles", rows)
    first, second = rows[0]["article_id"], rows[1]["article_id"]
    out = apply_stories(table, {first: Assignment(first, first, None), second: Assignment(first, first, EXACT)})
    assert out.schema == table.schema
    story = ("story_id", "is_canonical", "duplicate_of", "duplicate_kind")
    for before, after in zip(table.to_pylist(), out.to_pylist(), strict=True):
        assert {k: v for k, v in before.items() if k not in story} == {k: v for k, v in after.items() if k not in story}
    assert out.column("story_id").to_pylist() == [first, first, rows[2]["article_id"]]
    assert out.column("duplicate_of").to_pylist() == [None, first, None]


def test_apply_fingerprint_stories_sets_story_and_canonical() -> None:
    def row(article: str) -> dict:
        empty = {"published_at": None, "title": None, "source_name": None, "signature": b"", "shingles": b"", "entity_keys": []}
        return {"article_id": article, "story_id": article, "canonical_article_id": article, "content_hash": "h", "length": 1, **empty}

    table = validate_rows("fingerprints", [{**row(a), **RUN.stamp()} for a in ("a", "b", "c")])
    out = apply_fingerprint_stories(table, {"a": Assignment("a", "a", None), "b": Assignment("a", "a", EXACT)})
    assert out.schema == table.schema
    assert out.column("story_id").to_pylist() == ["a", "a", "c"]
    assert out.column("canonical_article_id").to_pylist() == ["a", "a", "c"]


@pytest.mark.parametrize("file_rows", [2, 100])
def test_staged_articles_reach_the_table_with_their_stories(tmp_path: Path, file_rows: int) -> None:
    rows = articles(5)
    ids = [r["article_id"] for r in rows]
    assignments = {ids[0]: Assignment(ids[0], ids[0], None), ids[3]: Assignment(ids[0], ids[0], STORY)}
    config = WriteConfig(target_file_rows=file_rows)
    output = str(tmp_path)
    with TestPipeline() as p:
        assigned = p | "Assignments" >> beam.Create([assignments])
        written = p | "Rows" >> beam.Create(rows) | StagedWrite(output, RUN, "articles", config, apply_stories, assigned, {})
        tables = {name: p | f"Empty{name}" >> beam.Create([]) for name in ("entities", "stories")}
        _ = {**tables, WRITTEN: written} | WriteTables(output, RUN, config)
    files = sorted((tmp_path / "articles").rglob("part-*.parquet"))
    assert len(files) == (3 if file_rows == 2 else 1)
    table = pa.concat_tables([pq.read_table(f) for f in files])
    assert table.schema.names == TABLES["articles"].names
    stories = {r["article_id"]: (r["story_id"], r["is_canonical"], r["duplicate_of"], r["duplicate_kind"]) for r in table.to_pylist()}
    assert stories == {
        ids[0]: (ids[0], True, None, None),
        ids[1]: (ids[1], True, None, None),
        ids[2]: (ids[2], True, None, None),
        ids[3]: (ids[0], False, ids[0], STORY),
        ids[4]: (ids[4], True, None, None),
    }
    assert set(table.column("run_id").to_pylist()) == {RUN.run_id}
    assert json.loads((tmp_path / "articles" / "_SUCCESS").read_text())["rows"] == 5
    assert not (tmp_path / TEMP_DIR).exists()  # staged and temporary files are gone with the commit


def test_urls_are_announced_with_the_first_row_and_written_by_the_end_of_the_bundle(tmp_path: Path) -> None:
    fn = SpillRowsFn(str(tmp_path), RUN, "articles", WriteConfig(target_file_rows=2), staged=True)
    rows = articles(3)
    fn.start_bundle()
    first = fn.process(rows[0])
    assert len(first) == 1 and not Path(first[0][1]).exists()
    assert fn.process(rows[1]) == []  # second row fills the file: written now
    assert Path(first[0][1]).exists()
    (third,) = fn.process(rows[2])
    fn.finish_bundle()
    assert pq.read_metadata(third[1]).num_rows == 1
    assert "/staged-articles/" in third[1]
