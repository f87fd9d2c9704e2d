"""The articles table's story columns, from GroupStories' assignments.

The stage that cleans an article writes its row at once, to a staged file,
with the story columns of an article on its own (story_id = article_id,
canonical); once GroupStories has assigned stories, RewriteStaged
(transforms/write.py) passes each staged file through apply_stories. So the
article text goes to disk once, in the stage that made it, instead of waiting
in the runner's memory, encoded, for dedup to finish.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from transforms.dedup import Assignment


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
