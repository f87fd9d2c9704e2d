"""Progress lines: a pass-through that reports how many records a worker has seen."""

from __future__ import annotations

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from khabar.transforms.runtime.progress import ReportProgress


@pytest.mark.parametrize("interval", [1e-9, 0.0])
def test_progress_passes_every_record_and_reports_only_when_asked(interval: float, capfd: pytest.CaptureFixture[str]) -> None:
    with TestPipeline() as p:
        out = p | beam.Create(list(range(5))) | ReportProgress("things read", interval)
        assert_that(out, equal_to(list(range(5))))
    err = capfd.readouterr().err
    if interval:
        assert "khabar: 5 things read" in err
    else:
        assert "things read" not in err
