"""The streaming pipeline (`khabar run --streaming`), for streaming runners.

    DiscoverFiles (MatchContinuously, or Pub/Sub notifications) -> ReadFiles
      -> event-time windows -> StripBoilerplate -> NormalizeText -> DetectLanguage
      -> entities per article -> MatchStories (state and timers) -> windowed Parquet

Differences from the batch pipeline, by necessity: no cross-page template
lines (they need the whole corpus), entity names resolved within each article
rather than across the corpus, and stories matched against the articles of
the last memory_days (transforms/match_stories.py). Python's local runners cannot
run MatchContinuously; the rest runs on the DirectRunner with TestStream in
tests/test_streaming_pipeline.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import apache_beam as beam
from apache_beam.io import fileio
from khabar.pipelines.config import PipelineConfig
from khabar.transforms.detect_language import DetectLanguage
from khabar.transforms.extract_entities import EntityConfig, EntityExtractor
from khabar.transforms.inputs.fileinfo import FileRecord
from khabar.transforms.match_stories import MatchStories, StreamingConfig, apply_assignment, windowing
from khabar.transforms.normalize_text import NormalizeText
from khabar.transforms.output.rows import article_row, file_row, reject_row
from khabar.transforms.read_articles import ReadFileFn
from khabar.transforms.runtime.records import Document, Reject, split_by_type
from khabar.transforms.runtime.runinfo import RunInfo
from khabar.transforms.strip_boilerplate import StripBoilerplateFn
from khabar.transforms.text.canonical import resolve
from khabar.transforms.write_windows import WriteWindowedTables


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


class _EntitiesPerArticleFn(beam.DoFn):
    """Document -> (Document, entity keys) and its entity rows, names resolved within the article."""

    def __init__(self, config: EntityConfig) -> None:
        self._config = config

    def setup(self) -> None:
        self._extractor = EntityExtractor(self._config)

    def process(self, doc: Document) -> Iterator[Any]:
        mentions = [] if self._config.arabic_only and doc.language != "ar" else self._extractor.extract(doc.text, doc.author)
        surfaces: dict[tuple[str, str], dict[str, int]] = {}
        for m in mentions:
            counts = surfaces.setdefault((m.type, m.key), {})
            counts[m.canonical] = counts.get(m.canonical, 0) + 1
        table = resolve(surfaces.items())
        for m in mentions:
            entity, canonical = table[(m.type, m.key)]
            yield {
                "article_id": doc.article_id,
                "entity_id": entity,
                "text": doc.text[m.start : m.end],
                "canonical": canonical,
                "type": m.type,
                "start": m.start,
                "end": m.end,
                "method": m.method,
                "confidence": m.confidence,
            }
        yield doc, frozenset(surfaces)


def build_streaming(
    pipeline: beam.Pipeline, config: PipelineConfig, streaming: StreamingConfig, run: RunInfo, source: beam.PTransform | None = None
) -> beam.PCollection:
    """Add the streaming pipeline; ``source`` replaces file discovery (tests feed a TestStream of URLs)."""
    urls = pipeline | "DiscoverFiles" >> (source or DiscoverFiles(list(config.inputs), streaming))
    read = split_by_type(
        urls | "ReadFiles" >> beam.ParDo(ReadFileFn(config.read)) | "Windows" >> windowing(streaming),
        "Outcome",
        documents=Document,
        rejects=Reject,
        files=FileRecord,
    )
    cleaned = split_by_type(
        read["documents"] | "StripBoilerplate" >> beam.ParDo(StripBoilerplateFn(config.boilerplate)),
        "Cleaned",
        documents=Document,
        rejects=Reject,
    )
    documents = (
        cleaned["documents"] | "NormalizeText" >> NormalizeText(config.normalization) | "DetectLanguage" >> DetectLanguage(config.language)
    )
    extracted = split_by_type(
        documents | "Entities" >> beam.ParDo(_EntitiesPerArticleFn(config.entities)), "Extracted", rows=dict, pairs=tuple
    )
    stories = extracted["pairs"] | "MatchStories" >> MatchStories(config.dedup, streaming)
    rejects = (read["rejects"], cleaned["rejects"]) | "AllRejects" >> beam.Flatten()
    tables = {
        "articles": stories["assignments"] | "Assign" >> beam.Map(apply_assignment) | "ArticleRows" >> beam.Map(article_row, run),
        "entities": extracted["rows"],
        "stories": stories["stories"],
        "rejects": rejects | "RejectRows" >> beam.Map(reject_row),
        "files": read["files"] | "FileRows" >> beam.Map(file_row),
    }
    return tables | "WriteWindowedTables" >> WriteWindowedTables(config.output, run, config.write)
