"""Incremental ingestion: the manifest, linking to earlier stories, crash
recovery (SIGKILL mid-batch and mid-commit) and `khabar watch`."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from khabar.transforms.inputs.fileinfo import info_from_details, sha256_file, stat_file
from khabar.transforms.inputs.manifest import Ingested, list_files, load_manifest, select_files
from khabar.transforms.output.catalog import load_table
from khabar.transforms.output.commit import recover
from khabar.transforms.output.parquet_files import WriteConfig
from khabar.transforms.stories.assign import assign_to_prior
from khabar.transforms.stories.config import EXACT, NEAR, STORY
from khabar.transforms.stories.fingerprints import Fingerprint
from khabar.transforms.stories.rows import StoryUpdate, updated_story_row

from tests.conftest import ROOT, SAMPLES, run_cli

SAMPLE = {p.name[:3]: p for p in sorted(SAMPLES.glob("*.txt"))}


def _table(out: Path, name: str) -> list[dict]:
    """The committed rows of a table: its Iceberg table's current snapshot."""
    if not (out / "_catalog").exists():
        return []
    return load_table(str(out), WriteConfig(), name).scan().to_arrow().to_pylist()


def _copy(names: list[str], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(SAMPLE[name], folder / SAMPLE[name].name)


def _views(out: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"SET VARIABLE khabar_root = '{out}'")
    con.execute((ROOT / "sql" / "views.sql").read_text(encoding="utf-8"))
    return con


# ---------------------------------------------------------------- pure functions


def test_file_info_reads_each_filesystems_names() -> None:
    local = info_from_details("file:///a.txt", {"size": 10, "mtime": 1_700_000_000.5})
    assert local.modified_at == datetime.fromtimestamp(1_700_000_000.5, UTC) and local.etag is None
    s3 = info_from_details("s3://b/a.txt", {"size": 10, "LastModified": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "ETag": '"abc"'})
    assert s3.modified_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC) and s3.etag == "abc"
    gcs = info_from_details("gs://b/a.txt", {"size": "10", "updated": "2026-01-02T03:04:05.000Z", "generation": 17})
    assert gcs.size == 10 and gcs.modified_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC) and gcs.etag == "17"


def test_select_files_new_unchanged_touched_changed_and_max_files(tmp_path: Path) -> None:
    _copy(["000", "001", "002", "003"], tmp_path)
    listed = list_files([str(tmp_path)])
    by_name = {Path(f.url).name[:3]: f for f in listed}
    seen = {
        name: [Ingested(by_name[name].size, by_name[name].modified_at, None, sha256_file(by_name[name].url))]
        for name in ("000", "001", "002")
    }
    manifest = {by_name[name].uri: versions for name, versions in seen.items()}
    os.utime(by_name["001"].url.removeprefix("file://"), (1_600_000_000, 1_600_000_000))  # touched, same bytes
    path_002 = Path(by_name["002"].url.removeprefix("file://"))
    path_002.write_text(path_002.read_text(encoding="utf-8") + "\nفقرة جديدة أضيفت إلى الخبر.\n", encoding="utf-8")
    selection = select_files(list_files([str(tmp_path)]), manifest)
    assert [Path(f.url).name[:3] for f in selection.new] == ["003"]
    assert [Path(f.url).name[:3] for f in selection.changed] == ["002"]
    assert selection.unchanged == 2
    capped = select_files(list_files([str(tmp_path)]), manifest, max_files=1)
    assert len(capped.files) == 1 and capped.deferred == 1


def test_stat_file_and_hash_of_a_real_file(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"abc")
    info = stat_file(str(path))
    assert info.size == 3 and info.modified_at is not None
    assert sha256_file(str(path)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def _fp(article: str, digest: str, story: str | None = None, canonical: str | None = None) -> Fingerprint:
    return Fingerprint(article, digest, None, 100, article, "src", story, canonical)


def test_new_articles_join_the_earlier_story_which_keeps_its_id_and_canonical() -> None:
    members = [_fp("p1", "h1", "S1", "p0"), _fp("n1", "h1"), _fp("n2", "h2"), _fp("n3", "h3")]
    edges = [("n1", "p1", EXACT), ("n2", "p1", NEAR), ("n2", "n3", STORY)]
    story_id, canonical, assignments = assign_to_prior(members, edges)
    assert (story_id, canonical) == ("S1", "p0")
    assert {a: (x.story_id, x.canonical, x.kind) for a, x in assignments.items()} == {
        "n1": ("S1", "p0", EXACT),
        "n2": ("S1", "p0", NEAR),
        "n3": ("S1", "p0", STORY),
    }


def test_a_new_article_bridging_two_earlier_stories_joins_one_without_rewriting_the_other() -> None:
    members = [_fp("p1", "h1", "S2", "p1"), _fp("p2", "h2", "S1", "p2"), _fp("n1", "h3")]
    story_id, _canonical, assignments = assign_to_prior(members, [("n1", "p1", STORY), ("n1", "p2", STORY)])
    assert story_id == "S1" and set(assignments) == {"n1"}


def test_updated_story_row_extends_the_previous_row() -> None:
    previous = {
        "story_id": "S1",
        "canonical_article_id": "p0",
        "article_ids": ["p0", "p1"],
        "size": 2,
        "title": "old title",
        "sources": ["A"],
        "first_published_at": datetime(2024, 5, 12, tzinfo=UTC),
    }
    new = Fingerprint("n1", "h", datetime(2024, 5, 11, tzinfo=UTC), 500, "new title", "B")
    row = updated_story_row(StoryUpdate("S1", "p0", (new,)), previous)
    assert row["article_ids"] == ["n1", "p0", "p1"] and row["size"] == 3
    assert row["canonical_article_id"] == "p0" and row["title"] == "old title"
    assert row["sources"] == ["A", "B"] and row["first_published_at"] == datetime(2024, 5, 11, tzinfo=UTC)


# ---------------------------------------------------------------- the CLI


def _articles_by_file(out: Path) -> dict[str, dict]:
    return {Path(r["source_uri"]).name[:3]: r for r in _table(out, "articles")}


def test_incremental_runs_ingest_each_file_once_and_link_to_earlier_stories(tmp_path: Path) -> None:
    inbox, out = tmp_path / "in", tmp_path / "out"
    _copy(["000", "001", "002"], inbox)
    first = run_cli("run", "--incremental", "--input", str(inbox), "--output", str(out), "--quiet")
    assert first.returncode == 0, first.stderr
    assert "3 new" in first.stdout
    _copy(["003", "004"], inbox)
    second = run_cli("run", "--incremental", "--input", str(inbox), "--output", str(out), "--quiet")
    assert second.returncode == 0, second.stderr
    assert "2 new" in second.stdout and "3 already ingested" in second.stdout
    runs = sorted((out / "_runs").iterdir())
    third = run_cli("run", "--incremental", "--input", str(inbox), "--output", str(out), "--quiet")
    assert third.returncode == 0 and "0 new" in third.stdout
    assert sorted((out / "_runs").iterdir()) == runs  # nothing new: no run at all

    articles = _articles_by_file(out)
    assert len(_table(out, "articles")) == 5
    # 003 (second batch) is a rewrite of 000 (first batch): it joins 000's story, whose id stays.
    assert articles["003"]["story_id"] == articles["000"]["story_id"] == articles["000"]["article_id"]
    assert articles["003"]["duplicate_kind"] == STORY and articles["003"]["duplicate_of"] == articles["000"]["article_id"]
    assert articles["000"]["run_id"] != articles["003"]["run_id"]
    assert len({articles[n]["story_id"] for n in ("001", "002", "004")} | {articles["000"]["story_id"]}) == 4

    con = _views(out)
    current = dict(con.execute("select story_id, size from stories").fetchall())
    assert current[articles["000"]["story_id"]] == 2 and sum(current.values()) == 5
    assert con.execute("select count(*) from stories_history").fetchone()[0] == 5  # the 000 story has two rows
    assert con.execute("select count(*), count(distinct uri) from files").fetchone() == (5, 5)
    assert len(_table(out, "fingerprints")) == 5
    assert sorted(Path(uri).name[:3] for uri in load_manifest(str(out))) == ["000", "001", "002", "003", "004"]


def test_a_changed_file_is_ingested_again_and_a_touched_one_is_not(tmp_path: Path) -> None:
    inbox, out = tmp_path / "in", tmp_path / "out"
    _copy(["000", "001"], inbox)
    assert run_cli("run", "--incremental", "--input", str(inbox), "--output", str(out), "--quiet").returncode == 0
    os.utime(inbox / SAMPLE["000"].name, (1_600_000_000, 1_600_000_000))
    changed = inbox / SAMPLE["001"].name
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\nوأضاف المصدر أن الاجتماع المقبل سيعقد في دمشق الشهر المقبل.\n", encoding="utf-8"
    )
    result = run_cli("run", "--incremental", "--input", str(inbox), "--output", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    assert "0 new, 1 changed, 1 already ingested" in result.stdout
    rows = _table(out, "articles")
    assert sorted(Path(r["source_uri"]).name[:3] for r in rows) == ["000", "001", "001"]
    versions = [r for r in rows if Path(r["source_uri"]).name.startswith("001")]
    assert versions[0]["article_id"] != versions[1]["article_id"]
    assert versions[0]["story_id"] == versions[1]["story_id"]  # the new version is a near duplicate of the old


def _inbox_of_many(folder: Path, copies: int) -> int:
    """copies x the five samples under distinct names (each file one article)."""
    folder.mkdir(parents=True)
    for index in range(copies):
        for name, path in SAMPLE.items():
            text = path.read_text(encoding="utf-8")
            (folder / f"{index:03d}_{name}.txt").write_text(text + f"\n\nنسخة رقم {index} من الخبر {name} للاختبار.\n", encoding="utf-8")
    return copies * len(SAMPLE)


def _assert_exactly_once(out: Path, expected_files: int) -> None:
    recover(str(out))  # nothing may be left to roll back
    files = _table(out, "files")
    assert len(files) == expected_files and len({f["uri"] for f in files}) == expected_files
    articles, rejects = _table(out, "articles"), _table(out, "rejects")
    assert len({a["article_id"] for a in articles}) == len(articles)
    assert len(articles) + len(rejects) == sum(f["records"] for f in files) == expected_files
    entity_keys = [(e["article_id"], e["field"], e["start"], e["end"]) for e in _table(out, "entities")]
    assert len(entity_keys) == len(set(entity_keys))
    fingerprints = [f["article_id"] for f in _table(out, "fingerprints")]
    assert sorted(fingerprints) == sorted(a["article_id"] for a in articles)
    con = _views(out)  # the DuckDB views show the same committed rows
    assert con.execute("select count(*), count(distinct article_id) from articles").fetchone() == (len(articles), len(articles))
    assert con.execute("select count(*) from entities").fetchone()[0] == len(entity_keys)
    con = _views(out)
    assert con.execute("select count(*) from articles").fetchone()[0] == len(articles)
    assert con.execute("select sum(size) from stories").fetchone()[0] == len(articles)
    assert not list(out.glob("_commits/*.plan.json"))


def test_sigkill_in_the_middle_of_the_commit_then_restart_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    inbox, out = tmp_path / "in", tmp_path / "out"
    expected = _inbox_of_many(inbox, 4)
    killed = run_cli(
        "run", "--incremental", "--input", str(inbox), "--output", str(out), "--quiet", env={"KHABAR_CRASH_AT": "commit-midway"}
    )
    assert killed.returncode == -signal.SIGKILL
    assert list(out.glob("_commits/*.plan.json"))  # died after its files commit, before the other tables
    assert len(_table(out, "files")) == expected and not _table(out, "articles")
    assert _views(out).execute("select count(*) from articles").fetchone()[0] == 0  # not a committed run yet
    restarted = run_cli("run", "--incremental", "--input", str(inbox), "--output", str(out), "--quiet")
    assert restarted.returncode == 0, restarted.stderr
    assert f"{expected} already ingested" in restarted.stdout  # the restart finished the killed run's commit
    _assert_exactly_once(out, expected)


def test_sigkill_while_a_batch_is_running_then_restart_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    inbox, out = tmp_path / "in", tmp_path / "out"
    expected = _inbox_of_many(inbox, 4)
    # First batch commits part of the inbox; the second is killed while its workers write shards.
    assert run_cli("run", "--incremental", "--max-files", "5", "--input", str(inbox), "--output", str(out), "--quiet").returncode == 0
    khabar = Path(sys.executable).with_name("khabar")
    process = subprocess.Popen(
        [str(khabar), "run", "--incremental", "--input", str(inbox), "--output", str(out), "--quiet"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and process.poll() is None and not list((out / "_temporary").glob("*/*")):
        time.sleep(0.02)
    assert process.poll() is None, "the batch finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert len(_table(out, "files")) == 5  # only the first batch is committed
    restarted = run_cli("run", "--incremental", "--input", str(inbox), "--output", str(out), "--quiet")
    assert restarted.returncode == 0, restarted.stderr
    assert f"{expected - 5} new" in restarted.stdout
    assert not (out / "_temporary").exists() or not any((out / "_temporary").iterdir())
    _assert_exactly_once(out, expected)


def test_watch_ingests_files_as_they_arrive_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    inbox, out = tmp_path / "in", tmp_path / "out"
    _copy(["000"], inbox)
    khabar = Path(sys.executable).with_name("khabar")
    process = subprocess.Popen(
        [str(khabar), "watch", "--interval", "0.5s", "--input", str(inbox), "--output", str(out), "--quiet"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and len(_table(out, "files")) < 1:
            time.sleep(0.2)
        _copy(["003", "004"], inbox)
        while time.monotonic() < deadline and len(_table(out, "files")) < 3:
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=240)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    articles = _articles_by_file(out)
    assert set(articles) == {"000", "003", "004"}
    assert articles["003"]["story_id"] == articles["000"]["story_id"]  # linked across batches
    assert "1 new" in stdout and "2 new" in stdout


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30), ("5m", 300), ("1h", 3600), ("2.5", 2.5)])
def test_watch_interval_parsing(text: str, seconds: float) -> None:
    from khabar.pipelines.watch import parse_interval

    assert parse_interval(text) == seconds


@pytest.mark.parametrize(
    ("flag", "value"), [([], False), (["--incremental"], True), (["--incremental=true"], True), (["--incremental=false"], False)]
)
def test_incremental_flag_also_takes_a_value_as_dataflow_templates_pass_it(flag: list[str], value: bool) -> None:
    from khabar.pipelines.cli import run_parser

    args, _ = run_parser().parse_known_args(["--input", "x", "--output", "y", *flag])
    assert args.incremental is value


def test_linking_to_earlier_runs_can_be_turned_off(tmp_path: Path) -> None:
    inbox, out = tmp_path / "in", tmp_path / "out"
    _copy(["000"], inbox)
    assert run_cli("run", "--incremental", "--input", str(inbox), "--output", str(out), "--quiet").returncode == 0
    _copy(["003"], inbox)
    result = run_cli("run", "--incremental", "--input", str(inbox), "--output", str(out), "--quiet", "--dedup-history-days", "0")
    assert result.returncode == 0, result.stderr
    articles = _articles_by_file(out)
    assert articles["003"]["story_id"] == articles["003"]["article_id"] != articles["000"]["story_id"]
