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

import argparse
import sys

import apache_beam as beam
from khabar.pipelines.config import PipelineConfig
from khabar.pipelines.dask_cluster import RUNNER_ALIASES
from khabar.transforms.detect_language import DetectLanguage
from khabar.transforms.discover_files import DiscoverFiles
from khabar.transforms.extract_entities import ExtractArticleEntitiesFn
from khabar.transforms.inputs.fileinfo import FileRecord
from khabar.transforms.match_stories import MatchStories, StreamingConfig, apply_assignment, windowing
from khabar.transforms.normalize_text import NormalizeText
from khabar.transforms.output.rows import article_row, file_row, reject_row
from khabar.transforms.read_articles import ReadFileFn
from khabar.transforms.runtime.records import Document, Reject, split_by_type
from khabar.transforms.runtime.runinfo import RunInfo
from khabar.transforms.strip_boilerplate import StripBoilerplateFn
from khabar.transforms.write_windows import WriteWindowedTables


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
        documents | "Entities" >> beam.ParDo(ExtractArticleEntitiesFn(config.entities)), "Extracted", rows=dict, pairs=tuple
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


# Runners that cannot run the streaming pipeline's file discovery (names as Beam accepts them).
LOCAL_RUNNERS = {"direct", "interactive", "dask", "apache_beam.runners.dask.dask_runner.dask"}


def run_streaming(config: PipelineConfig, args: argparse.Namespace, beam_args: list[str]) -> int:
    """Submit the streaming pipeline; it runs until cancelled."""
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
    from khabar.pipelines.streaming import build_streaming
    from khabar.transforms.runtime.runinfo import RunInfo
    from khabar.transforms.write_windows import mark_streaming_run

    if args.runner.lower().removesuffix("runner") in LOCAL_RUNNERS or args.dask_local_workers:
        print(
            "khabar: error: --streaming needs a streaming runner (DataflowRunner, FlinkRunner, PrismRunner):"
            " Python's local runners cannot discover files continuously; for a local continuous mode use"
            " `khabar watch`",
            file=sys.stderr,
        )
        return 2
    options = PipelineOptions([*beam_args, f"--runner={RUNNER_ALIASES.get(args.runner, args.runner)}"])
    options.view_as(StandardOptions).streaming = True
    run = RunInfo.new()
    mark_streaming_run(config.output, run)
    pipeline = beam.Pipeline(options=options)
    build_streaming(pipeline, config, config.streaming, run)
    result = pipeline.run()
    print(f"khabar: streaming run {run.run_id} submitted; state {result.state}")
    result.wait_until_finish()
    return 0
