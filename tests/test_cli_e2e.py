"""End to end: the CLI as a user runs it, tables read back with pyarrow and DuckDB."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pytest
from khabar.schemas import TABLES
from khabar.transforms.runtime.timing import WALL_NAMESPACE, stage_seconds

from tests.conftest import ROOT, SAMPLES, run_cli

# Every proxy points at a closed local port: anything that tries the network fails at once.
OFFLINE = {k: "http://127.0.0.1:9" for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy")}


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("e2e") / "out"
    result = run_cli("run", "--input", str(SAMPLES), "--output", str(out), env=OFFLINE)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "articles" in result.stdout
    (out.parent / "stdout.txt").write_text(result.stdout)
    (out.parent / "stderr.txt").write_text(result.stderr)
    return out


def read(out: Path, table: str) -> pa.Table:
    return ds.dataset(out / table, format="parquet", partitioning="hive").to_table()


def test_four_tables_with_schema_types_and_rows(sample_run: Path) -> None:
    for table, schema in TABLES.items():
        data = read(sample_run, table)
        for field in schema:
            assert data.schema.field(field.name).type == field.type, (table, field.name)
        assert "ingest_date" in data.schema.names
    assert read(sample_run, "articles").num_rows == 5
    assert read(sample_run, "rejects").num_rows == 0
    assert read(sample_run, "stories").num_rows <= 5


def test_duckdb_reads_every_table_with_hive_partitions(sample_run: Path) -> None:
    con = duckdb.connect()
    for table in TABLES:
        glob = f"{sample_run}/{table}/**/*.parquet"
        con.execute(f"select count(*) from read_parquet('{glob}', hive_partitioning=true)").fetchone()
    rows = con.execute(
        f"select article_id, title, published_at, language, word_count, ingest_date "
        f"from read_parquet('{sample_run}/articles/**/*.parquet', hive_partitioning=true) order by article_id"
    ).fetchall()
    assert len(rows) == 5
    assert all(r[3] == "ar" and r[4] > 100 for r in rows)
    assert {str(type(r[5]).__name__) for r in rows} == {"date"}
    dated = [r for r in rows if r[2] is not None]
    assert len(dated) == 1 and dated[0][2].utcoffset().total_seconds() == 0


def test_articles_text_is_clean_body_with_blank_line_paragraphs(sample_run: Path) -> None:
    articles = read(sample_run, "articles").to_pylist()
    for article in articles:
        assert "\n\n" in article["text"]
        assert "Hasan Kurdi" not in article["text"] and "اترك رد" not in article["text"]
        assert article["story_id"] and article["is_canonical"] in (True, False)
        assert len(article["content_hash"]) == 32


def test_a_normal_run_is_quiet_on_stderr_and_prints_only_measurable_stages(sample_run: Path) -> None:
    # no warning from Beam's imports (apitools is installed, so its BigQuery clients import cleanly)
    assert (sample_run.parent / "stderr.txt").read_text() == ""
    stage_lines = [line for line in (sample_run.parent / "stdout.txt").read_text().splitlines() if line.startswith("    ")]
    assert stage_lines, "the summary lists the stages that took time"
    assert not [line for line in stage_lines if line.split()[-1] == "0.0"]


def test_run_summary_is_written(sample_run: Path) -> None:
    (summary,) = (sample_run / "_runs").glob("*.json")
    data = json.loads(summary.read_text())
    assert data["rows"]["articles"] == 5 and data["files"] == 5


def test_run_summary_says_where_the_time_went(sample_run: Path) -> None:
    (summary,) = (sample_run / "_runs").glob("*.json")
    data = json.loads(summary.read_text())
    seconds = stage_seconds(data["counters"])
    every_stage = {"read", "template_read", "template_count", "boilerplate", "normalize", "language", "entities", "fingerprints"}
    assert every_stage | {"write", "rewrite", "dedup_index", "dedup_verify", "dedup_stories"} <= set(seconds)
    assert all(data["counters"][f"khabar.time/{stage}_us"] > 0 for stage in every_stage)
    assert sum(seconds.values()) < data["elapsed_s"]  # one process: its stages' own work is part of the run
    # the in-process runner fuses the stages after each read: their chain's wall time holds their own work
    # (microseconds: the template pass of five samples takes a few milliseconds)
    assert set(stage_seconds(data["counters"], WALL_NAMESPACE)) == {"per_article_chain", "template_chain"}
    counters, elapsed_us = data["counters"], data["elapsed_s"] * 1e6
    per_article = sum(
        counters[f"khabar.time/{stage}_us"] for stage in ("read", "boilerplate", "normalize", "language", "entities", "fingerprints")
    )
    assert per_article <= counters["khabar.wall/per_article_chain_us"] < elapsed_us
    template_pass = counters["khabar.time/template_read_us"] + counters["khabar.time/template_count_us"]
    assert template_pass <= counters["khabar.wall/template_chain_us"] < elapsed_us
    # samples 000 and 003 are one story: at least that pair was a candidate, verified in the index
    assert data["counters"]["khabar.dedup/candidate_pairs"] >= 1
    assert data["counters"]["khabar.dedup/articles_in_candidate_pairs"] >= 2


def test_a_pattern_that_matches_nothing_exits_non_zero_naming_it(tmp_path: Path) -> None:
    result = run_cli("run", "--input", str(tmp_path / "nope" / "*.txt"), "--output", str(tmp_path / "o"))
    assert result.returncode != 0
    assert "nope" in result.stderr and "matches no file" in result.stderr
    assert not (tmp_path / "o").exists()


def test_bad_inputs_are_rejects_and_nothing_is_lost(bad_inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("run", "--input", str(bad_inputs), "--output", str(out), "--read-max-bytes", "100000")
    assert result.returncode == 0, result.stderr[-3000:]
    articles, rejects = read(out, "articles"), read(out, "rejects")
    reasons = sorted(rejects.column("reason").to_pylist())
    assert reasons == sorted(
        [
            "binary",
            "empty_file",
            "empty_file",
            "too_large",
            "bad_json",
            "missing_content",
            "broken_archive",
            "unreadable",
            "empty_after_boilerplate",
        ]
    )
    # 10 files, one of them a JSONL file of 3 records: 12 input records.
    assert articles.num_rows + rejects.num_rows == 12
    texts = " ".join(articles.column("text").to_pylist())
    assert "الشمري" in texts  # the windows-1256 article decoded to real Arabic


def test_multi_processing_mode_gives_the_same_articles(sample_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "mp"
    result = run_cli(
        "run",
        "--input",
        str(SAMPLES),
        "--output",
        str(out),
        "--direct_running_mode",
        "multi_processing",
        "--direct_num_workers",
        "2",
        env=OFFLINE,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    columns = ["article_id", "text", "text_normalized", "story_id", "title"]
    assert read(out, "articles").select(columns).sort_by("article_id") == read(sample_run, "articles").select(columns).sort_by("article_id")


def test_python_m_pipelines_ingest_takes_the_same_arguments(tmp_path: Path) -> None:
    import os
    import subprocess

    out = tmp_path / "m"
    result = subprocess.run(
        [sys.executable, "-m", "khabar.pipelines.ingest", "--input", str(SAMPLES / "000_*.txt"), "--output", str(out), "--quiet"],
        capture_output=True,
        text=True,
        env={**os.environ, **OFFLINE},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert read(out, "articles").num_rows == 1


def test_gold_stories_000_and_003_share_a_story_and_no_other_pair_does(sample_run: Path, gold: dict) -> None:
    articles = read(sample_run, "articles").to_pylist()
    story_of = {Path(a["source_uri"]).name: a["story_id"] for a in articles}
    label_of = {a["file"]: a["story"] for a in gold["articles"]}
    for x, y in __import__("itertools").combinations(sorted(story_of), 2):
        assert (story_of[x] == story_of[y]) == (label_of[x] == label_of[y]), (x, y)
    stories = read(sample_run, "stories").to_pylist()
    assert sorted(s["size"] for s in stories) == [1, 1, 1, 2]


def test_entities_offsets_match_the_article_text(sample_run: Path) -> None:
    con = duckdb.connect()
    bad = con.execute(
        f"select count(*) from read_parquet('{sample_run}/entities/**/*.parquet') e "
        f"join read_parquet('{sample_run}/articles/**/*.parquet') a using (article_id) "
        "where substr(case e.field when 'title' then a.title else a.text end, e.start + 1, e.\"end\" - e.start) <> e.text"
    ).fetchone()[0]
    assert bad == 0
    assert con.execute(f"select count(distinct type) from read_parquet('{sample_run}/entities/**/*.parquet')").fetchone()[0] == 3


def test_headline_mentions_are_entities_rows_with_field_title(sample_run: Path) -> None:
    entities = read(sample_run, "entities")
    articles = {a["article_id"]: a for a in read(sample_run, "articles").to_pylist()}
    rows = entities.to_pylist()
    assert {r["field"] for r in rows} == {"title", "text"}
    titled = [r for r in rows if r["field"] == "title"]
    assert all(articles[r["article_id"]]["title"][r["start"] : r["end"]] == r["text"] for r in titled)
    assert all(articles[r["article_id"]]["text"][r["start"] : r["end"]] == r["text"] for r in rows if r["field"] == "text")
    keys = [(r["article_id"], r["field"], r["start"]) for r in rows]
    assert len(keys) == len(set(keys))
    # sample 002's headline "الأسد يتلقى رسالة من الكاظمي": surnames linked to the full names of its text
    by_title = {(articles[r["article_id"]]["title"], r["text"]): r for r in titled}
    headline = next(t for t, _ in by_title if t.startswith("الأسد يتلقى"))
    assert by_title[(headline, "الأسد")]["canonical"] == "بشار الأسد" and by_title[(headline, "الكاظمي")]["canonical"] == "مصطفى الكاظمي"
    text_ids = {(r["article_id"], r["canonical"]): r["entity_id"] for r in rows if r["field"] == "text"}
    assert all(text_ids.get((r["article_id"], r["canonical"]), r["entity_id"]) == r["entity_id"] for r in titled)
    con = duckdb.connect()
    con.execute(f"SET VARIABLE khabar_root = '{sample_run}'")
    con.execute((ROOT / "sql" / "views.sql").read_text(encoding="utf-8"))
    counts = dict(con.execute("select field, count(*) from entity_mentions group by field").fetchall())
    assert set(counts) == {"title", "text"} and counts["title"] == len(titled)
    assert con.execute(
        "select count(*) from entity_mentions m join articles a using (article_id) "
        "where m.field = 'title' and substr(a.title, m.start + 1, m.\"end\" - m.start) <> m.surface"
    ).fetchone() == (0,)


def test_template_lines_go_whether_the_files_are_read_twice_or_held(tmp_path: Path) -> None:
    # One site: the five samples and a navigation-only page, all with the site's footer.
    footer = "جميع الحقوق محفوظة لموقع الخبر اليومي ويمنع النسخ أو إعادة النشر دون إذن خطي مسبق من إدارة التحرير في الموقع."
    site = tmp_path / "site"
    site.mkdir()
    for sample in sorted(SAMPLES.glob("*.txt")):
        (site / sample.name).write_text(sample.read_text(encoding="utf-8") + f"\n{footer}\n", encoding="utf-8")
    (site / "nav.txt").write_text(f"الرئيسية\nأخبار\nرياضة\n{footer}\n", encoding="utf-8")
    outputs = {}
    for name, flags in {"reread": [], "held": ["--no-boilerplate-template-reread"]}.items():
        out = tmp_path / name
        result = run_cli("run", "--input", str(site), "--output", str(out), "--quiet", *flags, env=OFFLINE)
        assert result.returncode == 0, result.stderr[-3000:]
        outputs[name] = out
        articles, rejects = read(out, "articles"), read(out, "rejects")
        assert articles.num_rows == 5 and not any(footer in text for text in articles.column("text").to_pylist())
        assert [(r["source_uri"].rsplit("/", 1)[-1], r["reason"]) for r in rejects.to_pylist()] == [("nav.txt", "empty_after_boilerplate")]
        assert read(out, "files").num_rows == 6  # every file in the manifest once, read twice or not
    columns = ["article_id", "title", "text", "story_id"]
    reread, held = (read(outputs[name], "articles").select(columns).sort_by("article_id") for name in ("reread", "held"))
    assert reread == held
