"""Exactly once in the committed tables whatever reruns, concurrent runs and
kills happen: the Iceberg table layer (transforms/output/catalog.py) and the
commit protocol (transforms/output/commit.py), run end to end with the CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from khabar.transforms.output.catalog import load_table
from khabar.transforms.output.parquet_files import WriteConfig

from tests.conftest import ROOT, SAMPLES, run_cli
from tests.test_incremental import _assert_exactly_once, _inbox_of_many, _table, _views


def _start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    khabar = Path(sys.executable).with_name("khabar")
    return subprocess.Popen(
        [str(khabar), *args], cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _inputs(inbox: Path, copies: range) -> list[str]:
    """--input flags for the files of some copies of the samples (see _inbox_of_many)."""
    return [arg for index in copies for arg in ("--input", str(inbox / f"{index:03d}_*.txt"))]


def _snapshots(out: Path) -> dict[str, int | None]:
    snapshots = {}
    for table in ("articles", "entities", "files", "fingerprints", "stories", "rejects"):
        current = load_table(str(out), WriteConfig(), table, create=False).current_snapshot()
        snapshots[table] = current.snapshot_id if current else None
    return snapshots


def test_a_rerun_changes_nothing_and_says_so(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_cli("run", "--input", str(SAMPLES), "--output", str(out), "--quiet")
    assert first.returncode == 0, first.stderr
    before = _snapshots(out)
    again = run_cli("run", "--input", str(SAMPLES), "--output", str(out), "--quiet")
    assert again.returncode == 0, again.stderr
    assert "5 files listed: 0 new, 0 changed, 5 already ingested" in again.stdout
    assert _snapshots(out) == before  # not one commit
    assert len(_table(out, "articles")) == 5
    con = _views(out)
    assert con.execute("select count(*), count(distinct article_id) from articles").fetchone() == (5, 5)
    assert con.execute("select count(*) from committed_runs").fetchone()[0] == 1


def test_a_changed_file_supersedes_its_old_version_in_the_views(tmp_path: Path) -> None:
    inbox, out = tmp_path / "in", tmp_path / "out"
    _inbox_of_many(inbox, 1)
    assert run_cli("run", "--input", str(inbox), "--output", str(out), "--quiet").returncode == 0
    changed = inbox / "000_001.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nوأكد المتحدث أن المحادثات ستستأنف الأسبوع المقبل.\n", encoding="utf-8")
    result = run_cli("run", "--input", str(inbox), "--output", str(out), "--quiet")
    assert "0 new, 1 changed, 4 already ingested" in result.stdout
    assert len(_table(out, "articles")) == 6  # both versions are kept in the table, each once
    con = _views(out)
    rows = con.execute("select source_uri, text from articles").fetchall()
    assert len(rows) == 5 and len({uri for uri, _ in rows}) == 5  # the views show each file's current version
    assert "ستستأنف" in next(text for uri, text in rows if uri.endswith("000_001.txt"))
    versions = con.execute("select count(*) from files_history where uri like '%000_001.txt'").fetchone()[0]
    assert versions == 2
    entity_articles = {row[0] for row in con.execute("select distinct article_id from entities").fetchall()}
    assert entity_articles <= {row[0] for row in con.execute("select article_id from articles").fetchall()}


def test_four_concurrent_runs_over_overlapping_inputs_commit_each_file_once(tmp_path: Path) -> None:
    inbox, out = tmp_path / "in", tmp_path / "out"
    expected = _inbox_of_many(inbox, 4)
    # run i reads copies i and i+1: every file is read by two runs started together
    runs = [_start("run", *_inputs(inbox, range(i, i + 2)), "--output", str(out), "--quiet") for i in range(3)]
    runs.append(_start("run", *_inputs(inbox, range(3, 4)), *_inputs(inbox, range(0, 1)), "--output", str(out), "--quiet"))
    results = [(run.wait(timeout=600), *run.communicate()) for run in runs]
    assert all(code == 0 for code, _, _ in results), [err[-2000:] for _, _, err in results]
    _assert_exactly_once(out, expected)


STEPS = ["commit-start", "commit-planned", "commit-midway", "commit-articles", "commit-entities", "commit-fingerprints", "commit-stories"]


@pytest.mark.parametrize("step", STEPS)
def test_kill_9_at_a_commit_step_with_another_run_going_then_exactly_once(tmp_path: Path, step: str) -> None:
    inbox, out = tmp_path / "in", tmp_path / "out"
    expected = _inbox_of_many(inbox, 3)
    killed = _start("run", *_inputs(inbox, range(0, 2)), "--output", str(out), "--quiet", env={"KHABAR_CRASH_AT": step})
    other = _start("run", *_inputs(inbox, range(1, 3)), "--output", str(out), "--quiet")
    assert killed.wait(timeout=600) == -signal.SIGKILL, killed.communicate()[1][-2000:]
    assert other.wait(timeout=600) == 0, other.communicate()[1][-2000:]
    restarted = run_cli("run", "--input", str(inbox), "--output", str(out), "--quiet")
    assert restarted.returncode == 0, restarted.stderr[-2000:]
    _assert_exactly_once(out, expected)
    assert not list(out.glob("_commits/*.plan.json")) and not list(out.glob("_commits/*.owner"))
    assert not (out / "_temporary").exists() or not any((out / "_temporary").iterdir())


def test_unusable_outputs_exit_2_with_a_clear_error_before_anything_runs(tmp_path: Path) -> None:
    existing = tmp_path / "out.parquet"
    existing.write_text("x")
    result = run_cli("run", "--input", str(SAMPLES), "--output", str(existing), "--quiet")
    assert result.returncode == 2 and "is an existing file" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("run", "--input", str(SAMPLES), "--output", "/proc/khabar-out", "--quiet")
    assert result.returncode == 2 and "cannot be written" in result.stderr
    result = run_cli("run", "--input", str(SAMPLES), "--output", "memory://bucket/out", "--quiet")
    assert result.returncode == 2 and "--write-catalog-uri" in result.stderr
    result = run_cli("run", "--input", str(tmp_path / "missing" / "*.txt"), "--output", str(tmp_path / "o"), "--quiet")
    assert result.returncode == 2 and "matches no file" in result.stderr


def _run_ids(out: Path, table: str) -> set[str]:
    return {row["run_id"] for row in _table(out, table)}


def test_replace_recomputes_files_already_ingested_and_replaces_their_rows(tmp_path: Path) -> None:
    inbox, out = tmp_path / "in", tmp_path / "out"
    expected = _inbox_of_many(inbox, 1)
    assert run_cli("run", "--input", str(inbox), "--output", str(out), "--quiet").returncode == 0
    (first,) = _run_ids(out, "articles")
    again = run_cli("run", "--input", str(inbox), "--output", str(out), "--quiet", "--write-replace")
    assert again.returncode == 0, again.stderr[-2000:]
    assert f"{expected} files listed: {expected} recomputed" in again.stdout
    for table in ("articles", "entities", "files", "fingerprints"):
        runs = _run_ids(out, table)
        assert len(runs) == 1 and first not in runs, table  # every row is the second run's
    _assert_exactly_once(out, expected)
    con = _views(out)
    assert con.execute("select count(*) from removed_paths").fetchone()[0] > 0  # the first run's files left the views
    assert con.execute("select count(distinct run_id) from entities").fetchone()[0] == 1


def test_two_replacing_runs_at_once_next_to_a_normal_one_leave_each_file_once(tmp_path: Path) -> None:
    inbox, out = tmp_path / "in", tmp_path / "out"
    expected = _inbox_of_many(inbox, 3)
    assert run_cli("run", *_inputs(inbox, range(0, 2)), "--output", str(out), "--quiet").returncode == 0
    runs = [_start("run", *_inputs(inbox, range(0, 2)), "--output", str(out), "--quiet", "--write-replace") for _ in range(2)]
    runs.append(_start("run", "--input", str(inbox), "--output", str(out), "--quiet"))
    results = [(run.wait(timeout=600), *run.communicate()) for run in runs]
    assert all(code == 0 for code, _, _ in results), [err[-2000:] for _, _, err in results]
    _assert_exactly_once(out, expected)


def _create_every_table(output: str) -> bool:
    from khabar.schemas import TABLES

    for table in TABLES:
        load_table(output, WriteConfig(), table)
    return True


def test_runs_creating_a_new_catalog_at_the_same_moment_all_succeed(tmp_path: Path) -> None:
    # SQLite answers one of them "table already exists" while another creates the catalog's tables
    import multiprocessing

    for attempt in range(4):
        output = str(tmp_path / f"out{attempt}")
        with multiprocessing.get_context("spawn").Pool(6) as pool:
            assert pool.map(_create_every_table, [output] * 6) == [True] * 6
