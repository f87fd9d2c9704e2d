"""The Airflow DAG, run end to end by a real Airflow (`make airflow` builds
.venv-airflow) with `airflow dags test`, then its Parquet outputs read back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from tests.conftest import ROOT

AIRFLOW = ROOT / ".venv-airflow" / "bin" / "airflow"


def _require_airflow() -> None:
    if not AIRFLOW.exists():
        if os.environ.get("KHABAR_REQUIRE_AIRFLOW"):
            pytest.fail("Airflow is required here (KHABAR_REQUIRE_AIRFLOW) but `make airflow` did not build .venv-airflow")
        pytest.skip("needs `make airflow` (.ci/run builds it)")


def _airflow_env(tmp_path: Path, out: Path, **extra: str) -> dict[str, str]:
    """The environment of an Airflow home in tmp_path whose DAG writes to out, its database migrated."""
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "deploy" / "airflow"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW_VAR_KHABAR_PYTHON": sys.executable,
        "AIRFLOW_VAR_KHABAR_OUTPUT": str(out),
        **extra,
    }
    migrate = subprocess.run([str(AIRFLOW), "db", "migrate"], env=env, capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    return env


def test_the_dag_runs_an_incremental_batch_on_the_samples(tmp_path: Path) -> None:
    _require_airflow()
    out = tmp_path / "out"
    env = _airflow_env(tmp_path, out)
    run = subprocess.run([str(AIRFLOW), "dags", "test", "khabar_ingest"], env=env, capture_output=True, text=True, timeout=600)
    log = run.stdout + run.stderr
    assert run.returncode == 0, log[-5000:]
    assert "--incremental" in log and "--runner=DirectRunner" in log  # the command the operator built
    articles = ds.dataset(str(out / "articles"), format="parquet", partitioning="hive").to_table().to_pylist()
    files = ds.dataset(str(out / "files"), format="parquet", partitioning="hive").to_table().to_pylist()
    assert len(articles) == 5 and len(files) == 5
    by_name = {Path(a["source_uri"]).name[:3]: a for a in articles}
    assert by_name["003"]["story_id"] == by_name["000"]["story_id"]


def test_a_retry_of_the_task_after_a_kill_in_its_commit_ingests_each_file_once(tmp_path: Path) -> None:
    """The first attempt is killed (SIGKILL) after its files commit; Airflow retries the
    task (retries=2), the retry finishes the commit and ingests nothing twice."""
    _require_airflow()
    out = tmp_path / "out"
    once = tmp_path / "crashed-once"
    env = _airflow_env(tmp_path, out, AIRFLOW_VAR_KHABAR_RETRY_DELAY_S="1", KHABAR_CRASH_AT="commit-midway", KHABAR_CRASH_ONCE=str(once))
    run = subprocess.run([str(AIRFLOW), "dags", "test", "khabar_ingest"], env=env, capture_output=True, text=True, timeout=900)
    log = run.stdout + run.stderr
    assert once.exists(), log[-5000:]  # the first attempt was killed in its commit
    assert run.returncode == 0, log[-5000:]
    assert "khabar: 5 files listed: 0 new, 0 changed, 5 already ingested" in log  # the retry found the files committed
    assert not list(out.glob("_commits/*.plan.json"))  # and finished the killed attempt's commit
    from khabar.transforms.output.catalog import load_table
    from khabar.transforms.output.parquet_files import WriteConfig

    files = load_table(str(out), WriteConfig(), "files").scan().to_arrow().to_pylist()
    articles = load_table(str(out), WriteConfig(), "articles").scan().to_arrow().to_pylist()
    assert len(files) == 5 and len({f["uri"] for f in files}) == 5
    assert len(articles) == 5 and len({a["article_id"] for a in articles}) == 5
