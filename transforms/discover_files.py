"""Streaming file discovery: new input files as they appear (MatchContinuously), or as Pub/Sub object notifications."""

from __future__ import annotations

import json

import apache_beam as beam
from apache_beam.io import fileio
from khabar.transforms.match_stories import StreamingConfig


def url_from_notification(payload: bytes, attributes: dict[str, str] | None = None) -> str | None:
    """gs:// URL of a finalized object from a GCS Pub/Sub notification (JSON API payload)."""
    if attributes and attributes.get("eventType", "OBJECT_FINALIZE") != "OBJECT_FINALIZE":
        return None
    try:
        body = json.loads(payload)
    except (ValueError, TypeError):
        return None
    bucket, name = body.get("bucket"), body.get("name")
    if not bucket or not name or name.endswith("/"):
        return None
    return f"gs://{bucket}/{name}"


class DiscoverFiles(beam.PTransform):
    """New input files as they appear, timestamped by their modification time."""

    def __init__(self, patterns: list[str], streaming: StreamingConfig) -> None:
        super().__init__()
        self._patterns, self._streaming = patterns, streaming

    def expand(self, pbegin: beam.pvalue.PBegin) -> beam.PCollection:
        if self._streaming.pubsub_subscription:
            return (
                pbegin
                | "Notifications" >> beam.io.ReadFromPubSub(subscription=self._streaming.pubsub_subscription, with_attributes=True)
                | "ObjectUrls" >> beam.FlatMap(lambda m: [u] if (u := url_from_notification(m.data, m.attributes)) else [])
            )
        found = [
            pbegin
            | f"Match{i}" >> fileio.MatchContinuously(pattern, interval=self._streaming.poll_seconds, has_deduplication=True)
            | f"Stamp{i}" >> beam.Map(lambda m: beam.window.TimestampedValue(m.path, m.last_updated_in_seconds))
            for i, pattern in enumerate(self._patterns)
        ]
        return found | "AllFiles" >> beam.Flatten()
