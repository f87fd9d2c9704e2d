"""The story columns of the articles and fingerprints tables, from GroupStories' assignments.

The stage that cleans an article writes its articles and fingerprints rows
at once, to staged files, as an article on its own (story_id = article_id,
canonical); once GroupStories has assigned stories, StagedWrite
(transforms/write_tables.py) passes each staged file through apply_stories or
apply_fingerprint_stories. So the article text and shingles go to disk once,
in the stage that made them, instead of waiting in the runner's memory,
encoded, for dedup to finish.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from khabar.schemas import replace_columns
from khabar.transforms.stories.assign import Assignment


def story_values(article: str, assignment: Assignment | None) -> tuple[str, bool, str | None, str | None]:
    """One article's story_id, is_canonical, duplicate_of and duplicate_kind; without an assignment it is its own story."""
    if assignment is None:
        return article, True, None, None
    duplicate = assignment.kind is not None
    return assignment.story_id, not duplicate, assignment.canonical if duplicate else None, assignment.kind


def story_columns(article_ids: list[str], assignments: dict[str, Assignment]) -> dict[str, list[Any]]:
    """The articles table's story columns for these articles."""
    columns: dict[str, list[Any]] = {"story_id": [], "is_canonical": [], "duplicate_of": [], "duplicate_kind": []}
    for article in article_ids:
        values = story_values(article, assignments.get(article))
        for name, value in zip(columns, values, strict=True):
            columns[name].append(value)
    return columns


def apply_stories(table: pa.Table, assignments: dict[str, Assignment]) -> pa.Table:
    """An articles table with its story columns set from assignments."""
    return replace_columns(table, story_columns(table.column("article_id").to_pylist(), assignments))


def apply_fingerprint_stories(table: pa.Table, assignments: dict[str, Assignment]) -> pa.Table:
    """A fingerprints table with story_id and canonical_article_id set from assignments."""
    articles = table.column("article_id").to_pylist()
    found = [assignments.get(article) for article in articles]
    return replace_columns(
        table,
        {
            "story_id": [a.story_id if a else article for a, article in zip(found, articles, strict=True)],
            "canonical_article_id": [a.canonical if a else article for a, article in zip(found, articles, strict=True)],
        },
    )
