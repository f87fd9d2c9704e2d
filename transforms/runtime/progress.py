"""Progress lines on long runs: every few seconds, how many records this worker has passed.

Beam's local runners show nothing while a stage runs; this pass-through step
prints to stderr (on remote runners: the worker logs). Each worker counts
its own records, so with several workers each prints its share.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from typing import Any

import apache_beam as beam
from khabar.transforms.runtime.batching import BatchedDoFn


class ReportProgressFn(BatchedDoFn):
    def __init__(self, what: str, interval_s: float) -> None:
        super().__init__()
        self._what, self._interval = what, interval_s

    def setup(self) -> None:
        self._count = 0
        self._start = self._last = time.monotonic()

    def process(self, element: Any) -> Iterator[Any]:
        self._passed(1)
        yield element

    def process_batch(self, batch: list[Any], *side_inputs: Any, **named_side_inputs: Any) -> Iterator[list[Any]]:
        self._passed(len(batch))
        yield batch

    def _passed(self, records: int) -> None:
        self._count += records
        now = time.monotonic()
        if now - self._last >= self._interval:
            self._last = now
            rate = self._count / max(now - self._start, 1e-9)
            print(f"khabar: {self._count:,} {self._what} ({rate:,.0f}/s, worker {os.getpid()})", file=sys.stderr, flush=True)


class ReportProgress(beam.PTransform):
    """Pass-through that prints progress every interval_s seconds (0: a plain identity)."""

    def __init__(self, what: str, interval_s: float) -> None:
        super().__init__()
        self._what, self._interval = what, interval_s

    def expand(self, records: beam.PCollection) -> beam.PCollection:
        if self._interval <= 0:
            return records
        return records | "Progress" >> beam.ParDo(ReportProgressFn(self._what, self._interval))
