"""Seconds khabar's commit step takes on a samples run (issue 31's commit-overhead target).

    python -m benchmarks.commit_time [--runs 3]

Runs the CLI in-process (the DirectRunner runs the commit in this process) into a new
output each time and times transforms/output/commit.py's commit(); the first run also
pays pyiceberg's import and the catalog's creation.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    import khabar.transforms.write_tables as write_tables
    from khabar.pipelines.cli import run_command

    timings: list[float] = []
    commit = write_tables.commit

    def timed(*a: Any, **k: Any) -> Any:
        start = time.perf_counter()
        try:
            return commit(*a, **k)
        finally:
            timings.append(time.perf_counter() - start)

    write_tables.commit = timed
    for _ in range(args.runs):
        out = Path(tempfile.mkdtemp(prefix="khabar-commit-")) / "out"
        run_command(["--input", str(ROOT / "samples"), "--output", str(out), "--quiet"])
    print("commit seconds per run:", ", ".join(f"{t:.3f}" for t in timings))


if __name__ == "__main__":
    main()
