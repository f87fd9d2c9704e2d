"""Airflow DAG: one incremental khabar batch per schedule tick.

Runs `pipelines/ingest.py` with apache-airflow-providers-apache-beam's
BeamRunPythonPipelineOperator, in the Python environment where khabar is
installed (Airflow's own environment needs only the provider). Everything is
set through Airflow variables, with defaults for a local trial:

    khabar_python    interpreter with khabar installed      (python3)
    khabar_py_file   path of pipelines/ingest.py            (next to this repo's deploy/)
    khabar_input     input URL or glob                      (samples/ of this repo)
    khabar_output    output URL                             (/tmp/khabar-airflow)
    khabar_runner    DirectRunner or DataflowRunner         (DirectRunner)
    khabar_retry_delay_s  seconds before a failed batch is retried (300)
    khabar_dataflow  JSON of Dataflow options for DataflowRunner:
                     {"project": ..., "region": ..., "temp_location": "gs://...",
                      "sdk_container_image": "REGION-docker.pkg.dev/P/R/khabar-beam:0.1.0"}

The runner can also be given per run: `airflow dags trigger khabar_ingest -c '{"runner": "DataflowRunner"}'`.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from airflow.models import Variable
from airflow.providers.apache.beam.operators.beam import BeamRunPythonPipelineOperator

try:  # Airflow 3
    from airflow.sdk import DAG
except ImportError:  # Airflow 2
    from airflow import DAG

REPO = Path(__file__).resolve().parents[2]


def _var(name: str, default: str) -> str:
    return Variable.get(name, default_var=default)


runner = _var("khabar_runner", "DirectRunner")
options: dict[str, object] = {
    "input": _var("khabar_input", str(REPO / "samples")),
    "output": _var("khabar_output", "/tmp/khabar-airflow"),
    "incremental": True,  # each tick ingests only the files not yet in the output's manifest
    "quiet": True,
}
if runner == "DataflowRunner":
    options |= json.loads(_var("khabar_dataflow", "{}"))

with DAG(
    dag_id="khabar_ingest",
    description="Arabic news pages -> khabar Parquet tables, one incremental batch per tick",
    schedule=timedelta(minutes=30),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,  # batches in order (concurrent ones would be safe, each file committed once)
    tags=["khabar"],
) as dag:
    BeamRunPythonPipelineOperator(
        task_id="ingest",
        py_file=_var("khabar_py_file", str(REPO / "pipelines" / "ingest.py")),
        py_interpreter=_var("khabar_python", "python3"),
        runner="{{ dag_run.conf.get('runner', '" + runner + "') if dag_run and dag_run.conf else '" + runner + "' }}",
        pipeline_options=options,
        # A retry is safe: a rerun commits only what the failed attempt did not
        # (tests/test_airflow.py kills the first attempt in its commit).
        retries=2,
        retry_delay=timedelta(seconds=float(_var("khabar_retry_delay_s", "300"))),
    )
