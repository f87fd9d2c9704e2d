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


def test_the_dag_runs_an_incremental_batch_on_the_samples(tmp_path: Path) -> None:
    if not AIRFLOW.exists():
        if os.environ.get("KHABAR_REQUIRE_AIRFLOW"):
            pytest.fail("Airflow is required here (KHABAR_REQUIRE_AIRFLOW) but `make airflow` did not build .venv-airflow")
        pytest.skip("needs `make airflow` (.ci/run builds it)")
    out = tmp_path / "out"
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "deploy" / "airflow"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW_VAR_KHABAR_PYTHON": sys.executable,
        "AIRFLOW_VAR_KHABAR_OUTPUT": str(out),
    }
    migrate = subprocess.run([str(AIRFLOW), "db", "migrate"], env=env, capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    run = subprocess.run([str(AIRFLOW), "dags", "test", "khabar_ingest"], env=env, capture_output=True, text=True, timeout=600)
    log = run.stdout + run.stderr
    assert run.returncode == 0, log[-5000:]
    assert "--incremental" in log and "--runner=DirectRunner" in log  # the command the operator built
    articles = ds.dataset(str(out / "articles"), format="parquet", partitioning="hive").to_table().to_pylist()
    files = ds.dataset(str(out / "files"), format="parquet", partitioning="hive").to_table().to_pylist()
    assert len(articles) == 5 and len(files) == 5
    by_name = {Path(a["source_uri"]).name[:3]: a for a in articles}
    assert by_name["003"]["story_id"] == by_name["000"]["story_id"]
