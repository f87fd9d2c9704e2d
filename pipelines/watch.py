"""khabar watch: incremental batches until stopped, each in a child process."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from typing import Any

LOG = logging.getLogger("khabar")


def parse_interval(text: str) -> float:
    """'30s', '5m', '1h' or plain seconds -> seconds."""
    units = {"s": 1, "m": 60, "h": 3600}
    text = text.strip().lower()
    value = float(text[:-1]) * units[text[-1]] if text[-1:] in units else float(text)
    if value < 0:
        raise ValueError(text)
    return value


def watch_command(argv: list[str]) -> int:
    """Run incremental batches until stopped: each batch a child process
    (`khabar run --incremental`), so a crash or leak never outlives its batch."""
    import signal
    import subprocess

    parser = argparse.ArgumentParser(
        prog="khabar watch",
        description="Ingest new files continuously: one `khabar run --incremental` batch every interval. "
        "Every other option is passed to `khabar run`.",
    )
    parser.add_argument("--interval", type=parse_interval, default=30.0, help="pause between batches: 30s, 5m, 1h (default 30s)")
    parser.add_argument(
        "--max-batches", type=int, default=None, metavar="N", help="stop after N batches (default: run until SIGTERM/SIGINT)"
    )
    args, run_args = parser.parse_known_args(argv)
    stopping = False

    def stop(signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True
        LOG.warning("khabar watch: signal %d, stopping after the current batch", signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    batches = failures = 0
    while not stopping:
        code = subprocess.call([sys.executable, "-m", "khabar.pipelines.cli", "run", "--incremental", *run_args])
        batches += 1
        if code != 0:
            failures += 1
            print(f"khabar watch: batch {batches} failed with exit code {code}; its files are retried next batch", file=sys.stderr)
            if code == 2 and batches == 1:
                return 2  # bad arguments: retrying cannot help
        if args.max_batches is not None and batches >= args.max_batches:
            break
        deadline = time.monotonic() + args.interval
        while not stopping and time.monotonic() < deadline:
            time.sleep(min(0.2, args.interval))
    return 1 if failures and failures == batches else 0
