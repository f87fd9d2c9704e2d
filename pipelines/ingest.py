"""The batch pipeline: files -> articles, entities, stories and rejects tables.

    ListFiles -> (ReadForTemplates -> FindTemplates) -> ReadArticles
      -> StripBoilerplate -> NormalizeText -> DetectLanguage
      -> ExtractEntities -> GroupStories (+ ReadPriorState) -> WriteTables

Article, entity and fingerprint rows are written to staged files in the
stage that makes them and rewritten with their story columns and entity
names once GroupStories and the name resolution are done (StagedWrite):
text and shingles never wait in memory for dedup.

``python -m khabar.pipelines.ingest`` takes the same arguments as ``khabar run``.
"""

from __future__ import annotations

import sys
from typing import Any

import apache_beam as beam
from khabar.pipelines.config import PipelineConfig
from khabar.transforms.apply_stories import apply_fingerprint_stories, apply_stories
from khabar.transforms.detect_language import DetectLanguage
from khabar.transforms.extract_entities import ExtractEntities, name_entities
from khabar.transforms.find_templates import FindTemplates
from khabar.transforms.group_stories import GroupStories
from khabar.transforms.normalize_text import NormalizeText
from khabar.transforms.output.prior import ReadPriorState
from khabar.transforms.output.rows import article_row, file_row, reject_row
from khabar.transforms.read_articles import ListFiles, ReadFiles, ReadPagesFn
from khabar.transforms.runtime.progress import ReportProgress
from khabar.transforms.runtime.records import REJECTS_TAG, as_singleton
from khabar.transforms.runtime.runinfo import RunInfo
from khabar.transforms.strip_boilerplate import StripBoilerplate
from khabar.transforms.write_tables import WRITTEN, StagedWrite, WriteTables


def build(pipeline: beam.Pipeline, config: PipelineConfig, run: RunInfo) -> beam.PCollection:
    """Add the whole batch pipeline to ``pipeline``; returns the commit result."""
    files = list(config.files) if config.files is not None else None
    listed = pipeline | "ListFiles" >> ListFiles(list(config.inputs), config.read, files=files)
    urls, templates = listed["files"], None
    if config.boilerplate.template_reread:
        # Template lines are counted on a first read of the files; the files are
        # read again where they are cleaned, once the count is done, so the raw
        # pages are never held between the two.
        templates = urls | "ReadForTemplates" >> beam.ParDo(ReadPagesFn(config.read)) | "FindTemplates" >> FindTemplates(config.boilerplate)
        urls = urls | "AfterTemplates" >> beam.Map(lambda url, _table: url, as_singleton(templates))
    read = urls | "ReadArticles" >> ReadFiles(config.read)
    records = read["documents"] | "ReadProgress" >> ReportProgress("records read", config.progress_interval_s)
    cleaned = records | "StripBoilerplate" >> StripBoilerplate(config.boilerplate, templates)
    documents = (
        cleaned["documents"]
        | "NormalizeText" >> NormalizeText(config.normalization)
        | "DetectLanguage" >> DetectLanguage(config.language)
        | "ArticleProgress" >> ReportProgress("articles cleaned and normalized", config.progress_interval_s)
    )
    entities = documents | "ExtractEntities" >> ExtractEntities(config.entities)
    prior = pipeline | "ReadPriorState" >> ReadPriorState(config.output, run, config.dedup.history_days)
    stories = {"documents": entities["documents"], **prior} | "GroupStories" >> GroupStories(config.dedup)
    out, write = config.output, config.write
    articles = (
        entities["documents"]
        | "ArticleRows" >> beam.Map(article_row, run)
        | "WriteArticles" >> StagedWrite(out, run, "articles", write, apply_stories, stories["assignments"], {})
    )
    entity_files = entities["entities"] | "WriteEntities" >> StagedWrite(out, run, "entities", write, name_entities, entities["names"], {})
    fingerprint_files = stories["fingerprints"] | "WriteFingerprints" >> StagedWrite(
        out, run, "fingerprints", write, apply_fingerprint_stories, stories["assignments"], {}
    )
    rejects = (listed[REJECTS_TAG], read[REJECTS_TAG], cleaned[REJECTS_TAG]) | "FlattenRejects" >> beam.Flatten()
    tables = {
        WRITTEN: (articles, entity_files, fingerprint_files) | "StagedFiles" >> beam.Flatten(),
        "stories": stories["stories"],
        "rejects": rejects | "RejectRows" >> beam.Map(reject_row),
        "files": read["files"] | "FileRows" >> beam.Map(file_row),
    }
    return tables | "WriteTables" >> WriteTables(config.output, run, config.write)


def main(argv: list[str] | None = None) -> int:
    from khabar.pipelines.cli import run_command

    return run_command(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    from khabar.pipelines.cli import exit_now

    exit_now(main())


def execute(config: PipelineConfig, run: Any, options: Any) -> Any:
    import apache_beam as beam
    from khabar.pipelines.ingest import build

    pipeline = beam.Pipeline(options=options)
    build(pipeline, config, run)
    result = pipeline.run()
    result.wait_until_finish()
    return result
