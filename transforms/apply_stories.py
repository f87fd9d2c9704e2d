"""Staged article files + the run's story assignments -> the articles table's files.

The stage that cleans an article writes its row at once, to a staged file
(SpillRowsFn with staged=True), with the story columns of an article alone
(story_id = article_id, canonical). Once GroupStories has assigned stories,
each staged file is read back, its story columns are set from the
assignments and it is written again as a file of the articles table.

So the article text goes to disk once, in the stage that made it, instead of
waiting in the runner's memory, encoded, for dedup to finish: what kept the
in-process DirectRunner's memory growing with the corpus.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import apache_beam as beam
import fsspec
import pyarrow as pa

from transforms.dedup import Assignment
from transforms.records import as_singleton, one
from transforms.runinfo import RunInfo
from transforms.write import NAMESPACE, WriteConfig, read_arrow, spill_url, write_arrow


def story_columns(article_ids: list[str], assignments: dict[str, Assignment]) -> dict[str, list[Any]]:
    """The articles table's story columns for these articles; an article without an assignment is its own story."""
    columns: dict[str, list[Any]] = {"story_id": [], "is_canonical": [], "duplicate_of": [], "duplicate_kind": []}
    for article in article_ids:
        assignment = assignments.get(article)
        if assignment is None:
            values: tuple[Any, ...] = (article, True, None, None)
        else:
            duplicate = assignment.kind is not None
            values = (assignment.story_id, not duplicate, assignment.canonical if duplicate else None, assignment.kind)
        for name, value in zip(columns, values, strict=True):
            columns[name].append(value)
    return columns


def apply_stories(table: pa.Table, assignments: dict[str, Assignment]) -> pa.Table:
    """An articles table with its story columns set from assignments."""
    columns = story_columns(table.column("article_id").to_pylist(), assignments)
    for name, values in columns.items():
        index = table.schema.get_field_index(name)
        field = table.schema.field(index)
        table = table.set_column(index, field, pa.array(values, type=field.type))
    return table


class ApplyStoriesFn(beam.DoFn):
    def __init__(self, output: str, run: RunInfo, config: WriteConfig) -> None:
        self._output, self._run, self._config = output, run, config

    def process(self, element: tuple[str, str], assignments: list[dict[str, Assignment]]) -> Iterator[tuple[str, str]]:
        table, staged = element
        articles = apply_stories(read_arrow(staged), one(assignments, {}))
        url = spill_url(self._output, self._run, table)
        write_arrow(url, articles, self._config)
        fs, path = fsspec.core.url_to_fs(staged)
        fs.rm(path)
        beam.metrics.Metrics.counter(NAMESPACE, f"{table}_rows").inc(articles.num_rows)
        yield table, url


class ApplyStories(beam.PTransform):
    """(table, staged url) -> (table, url) of articles files with their stories, for WriteTables' WRITTEN input.

    assignments: GroupStories' 'assignments' output (one dict).
    """

    def __init__(self, output: str, run: RunInfo, config: WriteConfig, assignments: beam.PCollection) -> None:
        super().__init__()
        self._output, self._run, self._config, self._assignments = output, run, config, assignments

    def expand(self, staged: beam.PCollection) -> beam.PCollection:
        return (
            staged
            # The urls are announced before their files are written (see
            # SpillRowsFn): a shuffle makes sure the files are complete.
            | "StagedFiles" >> beam.Reshuffle()
            | "SetStories" >> beam.ParDo(ApplyStoriesFn(self._output, self._run, self._config), as_singleton(self._assignments))
        )
