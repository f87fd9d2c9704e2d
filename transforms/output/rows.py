"""Records -> table rows (dicts that schemas.validate_rows accepts)."""

from __future__ import annotations

from typing import Any

from khabar.transforms.inputs.fileinfo import FileRecord
from khabar.transforms.runtime.records import Document, Reject
from khabar.transforms.runtime.redact import redact_url
from khabar.transforms.runtime.runinfo import RunInfo


def article_row(doc: Document, run: RunInfo) -> dict[str, Any]:
    return {
        "article_id": doc.article_id,
        "source_uri": redact_url(doc.uri),
        "source_name": doc.source_name,
        "title": doc.title,
        "published_at": doc.published_at,
        "language": doc.language,
        "text": doc.text,
        "text_normalized": doc.text_normalized,
        "word_count": doc.word_count,
        "content_hash": doc.content_hash,
        "story_id": doc.story_id or doc.article_id,
        "is_canonical": doc.is_canonical,
        "duplicate_of": doc.duplicate_of,
        "duplicate_kind": doc.duplicate_kind,
        "author": doc.author,
        "url": redact_url(doc.url) if doc.url else None,
        "pipeline_version": run.pipeline_version,
    }


def reject_row(reject: Reject) -> dict[str, Any]:
    row = reject.to_row()
    row["source_uri"] = redact_url(row["source_uri"])
    row["message"] = redact_url(row["message"])[:2000]
    return row


def file_row(record: FileRecord) -> dict[str, Any]:
    return record.to_row()
