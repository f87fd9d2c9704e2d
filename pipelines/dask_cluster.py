"""A local Dask cluster for the DaskRunner on one machine (khabar run --dask-local-workers N)."""

from __future__ import annotations

from typing import Any

# Runner names the CLI accepts besides Beam's own.
RUNNER_ALIASES = {"DaskRunner": "apache_beam.runners.dask.dask_runner.DaskRunner"}


def start_local_dask(workers: int) -> Any:
    """A Dask LocalCluster of worker processes (one thread each), for trying the
    DaskRunner on one machine; needs the extra khabar[dask]."""
    try:
        from distributed import LocalCluster
    except ImportError as exc:
        raise SystemExit("khabar: --dask-local-workers needs Dask: pip install 'apache-beam[dask]==2.77.0'") from exc
    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
