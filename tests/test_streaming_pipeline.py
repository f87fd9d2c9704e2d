"""The whole streaming pipeline on the DirectRunner, fed by a TestStream of
real files (Python's local runners cannot run MatchContinuously, the only
part replaced): windowed Parquet files with clean names, a rewrite in a later
window linked to the earlier story, and the outputs read back with DuckDB."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pyarrow.dataset as ds
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.test_stream import TestStream
from apache_beam.transforms import window
from khabar.pipelines.config import PipelineConfig
from khabar.pipelines.streaming import build_streaming
from khabar.transforms.discover_files import url_from_notification
from khabar.transforms.match_stories import StreamingConfig
from khabar.transforms.runtime.runinfo import RunInfo
from khabar.transforms.write_windows import mark_streaming_run

from tests.conftest import ROOT, SAMPLES

CLEAN_NAME = re.compile(r"^part-[0-9A-Za-z-]+-w\d{8}T\d{6}Z-\d{8}T\d{6}Z-p\d+-\d{5}\.parquet$")


def test_streaming_pipeline_writes_windowed_tables_and_links_a_rewrite_across_windows(tmp_path: Path) -> None:
    inbox, out = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    files = {p.name[:3]: inbox / p.name for p in SAMPLES.glob("*.txt")}
    for path in files.values():
        shutil.copy(SAMPLES / path.name, path)
    (inbox / "empty.txt").write_text("", encoding="utf-8")
    stream = (
        TestStream()
        .advance_watermark_to(0)
        .add_elements([window.TimestampedValue(str(files["000"]), 10), window.TimestampedValue(str(files["001"]), 20)])
        .add_elements([window.TimestampedValue(str(inbox / "empty.txt"), 30)])
        .advance_watermark_to(400)
        .add_elements([window.TimestampedValue(str(files["003"]), 500)])
        .advance_watermark_to_infinity()
    )
    run = RunInfo.new()
    config = PipelineConfig(inputs=(str(inbox),), output=str(out))
    mark_streaming_run(str(out), run)
    options = PipelineOptions()
    options.view_as(StandardOptions).streaming = True
    with TestPipeline(options=options) as p:
        build_streaming(p, config, StreamingConfig(window_minutes=5), run, source=stream)

    names = sorted(p.name for p in out.rglob("part-*.parquet"))
    assert names and all(CLEAN_NAME.match(n) for n in names), names
    article_files = sorted(p.name for p in (out / "articles").rglob("part-*.parquet"))
    assert [n.split("-w", 1)[1] for n in article_files] == [
        "19700101T000000Z-19700101T000500Z-p0-00000.parquet",
        "19700101T000500Z-19700101T001000Z-p0-00000.parquet",
    ]
    articles = {Path(r["source_uri"]).name[:3]: r for r in ds.dataset(str(out / "articles"), format="parquet").to_table().to_pylist()}
    assert set(articles) == {"000", "001", "003"}
    assert articles["003"]["story_id"] == articles["000"]["article_id"] and articles["003"]["duplicate_kind"] == "story"
    rejects = ds.dataset(str(out / "rejects"), format="parquet").to_table().to_pylist()
    assert [(r["stage"], r["reason"]) for r in rejects] == [("read", "empty_file")]  # nothing lost: 4 files = 3 articles + 1 reject

    con = duckdb.connect()
    con.execute(f"SET VARIABLE khabar_root = '{out}'")
    con.execute((ROOT / "sql" / "views.sql").read_text(encoding="utf-8"))
    # each pane's file is committed on its own: an Iceberg snapshot and a record naming it
    from khabar.transforms.output.catalog import load_table
    from khabar.transforms.output.parquet_files import WriteConfig

    iceberg = load_table(str(out), WriteConfig(), "articles").scan().to_arrow()
    assert sorted(iceberg.column("article_id").to_pylist()) == sorted(a["article_id"] for a in articles.values())
    assert con.execute("select count(*) from articles").fetchone()[0] == 3
    sizes = dict(con.execute("select story_id, size from stories").fetchall())
    assert sizes[articles["000"]["article_id"]] == 2 and len(sizes) == 2
    assert con.execute("select count(*) from entity_mentions").fetchone()[0] > 0
    # headlines are extracted too, their offsets into articles.title
    assert dict(con.execute("select field, count(*) > 0 from entities group by field").fetchall()) == {"title": True, "text": True}
    misplaced = con.execute(
        "select count(*) from entities e join articles a using (article_id) "
        "where substr(case e.field when 'title' then a.title else a.text end, e.start + 1, e.\"end\" - e.start) <> e.text"
    ).fetchone()[0]
    assert misplaced == 0


def test_object_store_notifications_become_urls() -> None:
    payload = b'{"bucket": "news", "name": "pages/2026/11/22/a.html"}'
    assert url_from_notification(payload, {"eventType": "OBJECT_FINALIZE"}) == "gs://news/pages/2026/11/22/a.html"
    assert url_from_notification(payload, {"eventType": "OBJECT_DELETE"}) is None
    assert url_from_notification(b"not json") is None
    assert url_from_notification(b'{"bucket": "news", "name": "pages/"}') is None


def test_streaming_on_a_local_runner_stops_with_a_pointer_to_watch(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    result = run_cli("run", "--streaming", "--input", str(SAMPLES), "--output", str(tmp_path / "out"), "--runner", "direct")
    assert result.returncode == 2 and "khabar watch" in result.stderr
    assert not (tmp_path / "out").exists()
