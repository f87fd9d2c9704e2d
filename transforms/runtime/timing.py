"""Where a run's time goes: each stage's own work, as Beam counters.

A stage's DoFn times the calls of its pure function, never its yields (a
fused runner runs the next stages inside them), and adds the total to the
counter ``khabar.time/<stage>_us`` at the end of each bundle: a counter
update per element would cost a good part of what it measures. Counters are
summed over workers into the run summary (``_runs/<run_id>.json``); the
time Beam itself takes (moving, encoding and grouping elements, start-up)
is what the run's elapsed time holds beyond them. Runners without metrics
(Dask) report none.

The read DoFns also keep a wall clock that runs through their yields and
on to their finish_bundle: on a fusing runner (the DirectRunner's
FnApiRunner, Dataflow) the stages after a read run inside its yields, and
the last batch of the batched ones (transforms/runtime/batching.py) when its
operation finishes, just before finish_bundle; so it is the whole fused
chain's time as Beam runs it, Beam's own element passing included
(``khabar.wall/<chain>_us``): what the per-article stages cost in the
pipeline, next to their own work.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from time import perf_counter as _now
from typing import Any, TypeVar

import apache_beam as beam

NAMESPACE = "khabar.time"
WALL_NAMESPACE = "khabar.wall"
T = TypeVar("T")


class StageClock:
    """Seconds spent in one stage's functions since the last flush."""

    __slots__ = ("_start", "namespace", "seconds", "stage")

    def __init__(self, stage: str, namespace: str = NAMESPACE) -> None:
        self.stage = stage
        self.namespace = namespace
        self.seconds = 0.0
        self._start = 0.0

    def __enter__(self) -> StageClock:
        self._start = _now()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.seconds += _now() - self._start

    def timed(self, items: Iterable[T]) -> Iterator[T]:
        """The items of a generator, timing only the work that makes each one."""
        iterator = iter(items)
        while True:
            start = _now()
            try:
                item = next(iterator)
            except StopIteration:
                self.seconds += _now() - start
                return
            self.seconds += _now() - start
            yield item

    def flush(self) -> None:
        """Add the time to the stage's counter (call in finish_bundle)."""
        if self.seconds > 0:
            beam.metrics.Metrics.counter(self.namespace, f"{self.stage}_us").inc(round(self.seconds * 1e6))
        self.seconds = 0.0


class TimedDoFn(beam.DoFn):
    """A DoFn with a stage clock (``self.clock``, for the stage named by
    STAGE) and any more it adds (``add_clock``), each added to its counter at
    the end of every bundle."""

    STAGE = ""

    def __init__(self) -> None:
        super().__init__()
        self._clocks: list[StageClock] = []
        self.clock = self.add_clock(self.STAGE)

    def add_clock(self, stage: str, namespace: str = NAMESPACE) -> StageClock:
        clock = StageClock(stage, namespace)
        self._clocks.append(clock)
        return clock

    def finish_bundle(self) -> None:
        for clock in self._clocks:
            clock.flush()


def stage_seconds(counters: dict[str, int] | None, namespace: str = NAMESPACE) -> dict[str, float]:
    """Stage (or chain, with WALL_NAMESPACE) -> seconds, from a run summary's counters."""
    prefix, suffix = f"{namespace}/", "_us"
    return {
        name[len(prefix) : -len(suffix)]: round(value / 1e6, 2)
        for name, value in sorted((counters or {}).items())
        if name.startswith(prefix) and name.endswith(suffix)
    }
