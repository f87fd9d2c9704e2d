"""Stage clocks: a stage's own work, not the work of the stages fused after it."""

from __future__ import annotations

from collections.abc import Iterator

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from khabar.transforms.normalize_text import NormalizeText
from khabar.transforms.runtime import timing
from khabar.transforms.runtime.records import Document
from khabar.transforms.runtime.timing import StageClock, stage_seconds


class VirtualTime:
    """A clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def virtual(monkeypatch: pytest.MonkeyPatch) -> VirtualTime:
    clock = VirtualTime()
    monkeypatch.setattr(timing, "_now", clock)
    return clock


def test_timed_counts_the_generator_not_its_consumer(virtual: VirtualTime) -> None:
    def produce() -> Iterator[int]:
        for item in range(3):
            virtual.now += 1.0  # the stage's work for one item
            yield item

    clock = StageClock("stage")
    for _ in clock.timed(produce()):
        virtual.now += 10.0  # what the next, fused stage does with it
    assert clock.seconds == 3.0


def test_with_block_counts_its_body_even_when_it_raises(virtual: VirtualTime) -> None:
    clock = StageClock("stage")
    with clock:
        virtual.now += 2.0
    with pytest.raises(ValueError), clock:
        virtual.now += 0.5
        raise ValueError("bad page")
    virtual.now += 100.0
    assert clock.seconds == 2.5


def test_stage_seconds_reads_only_the_time_counters() -> None:
    counters = {"khabar.time/read_us": 1_500_000, "khabar.time/entities_us": 250_000, "khabar.read/files_read": 3}
    assert stage_seconds(counters) == {"entities": 0.25, "read": 1.5}
    assert stage_seconds(None) == {}


def test_a_stage_reports_its_time_as_a_counter_of_the_run() -> None:
    pipeline = TestPipeline()
    text = "قال الرئيس  إن الاتفاق تم"
    docs = [Document(f"mem://{i}", "", text, "text", len(text), str(i), text=text) for i in range(3)]
    _ = pipeline | beam.Create(docs) | NormalizeText()
    result = pipeline.run()
    result.wait_until_finish()
    counters = result.metrics().query(beam.metrics.MetricsFilter().with_namespace(timing.NAMESPACE))["counters"]
    assert [c.key.metric.name for c in counters] == ["normalize_us"]
    assert counters[0].committed > 0
