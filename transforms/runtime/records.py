"""Records that flow between stages, and the dead-letter helpers.

A ``Document`` is one article as read (text or HTML); the stages fill in its
derived fields. A ``Reject`` is a dead-letter row: every stage emits what it
cannot process as a Reject, split into the ``rejects`` output, instead of
dropping it.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import apache_beam as beam
from khabar.transforms.runtime.batching import OfKind

REJECTS_TAG = "rejects"


@dataclass
class Document:
    """One article moving through the pipeline."""

    source_uri: str
    record_key: str  # "" for a whole file; line number, WARC record id or member path otherwise
    content: str  # decoded text, or raw HTML when content_type == "html"
    content_type: str  # "text" or "html"
    size_bytes: int
    digest: str  # sha256 hex of the record's raw bytes
    url: str | None = None
    title: str | None = None
    published_hint: str | None = None  # a date string the container gave (JSON 'published', WARC-Date)
    # Filled by the stages:
    text: str = ""
    source_name: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    text_normalized: str = ""
    language: str = "und"
    word_count: int = 0
    content_hash: str = ""
    story_id: str = ""
    is_canonical: bool = True
    duplicate_of: str | None = None
    duplicate_kind: str | None = None
    entity_keys: frozenset[tuple[str, str]] = frozenset()  # (type, key) of the entities it names, for story matching
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def uri(self) -> str:
        """source_uri with the record key, as written to the tables."""
        return f"{self.source_uri}#{self.record_key}" if self.record_key else self.source_uri

    @property
    def article_id(self) -> str:
        return article_id(self.uri, self.digest)


def article_id(uri: str, digest: str) -> str:
    """Deterministic id from where a record was read and its exact bytes."""
    return hashlib.sha256(f"{uri}\x00{digest}".encode()).hexdigest()[:32]


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class ColumnBatch:
    """Rows of one table as columns: name -> values, each list num_rows long.

    What a stage that makes many rows an element emits (an article's
    entities): nine lists instead of 34 dicts, extended into the writer's
    buffer and converted by Arrow a column at once (schemas.validate_columns).
    Columns the schema has and the batch lacks are null (the writer adds the
    run's stamp).
    """

    columns: dict[str, list[Any]]
    num_rows: int

    def to_rows(self) -> list[dict[str, Any]]:
        """The rows as dicts (for tests and small callers; the writer keeps columns)."""
        if not self.columns:
            return [{} for _ in range(self.num_rows)]
        names = list(self.columns)
        return [dict(zip(names, values, strict=True)) for values in zip(*self.columns.values(), strict=True)]


@dataclass(frozen=True)
class Reject:
    """A dead-letter row for the rejects table."""

    source_uri: str
    stage: str
    reason: str
    message: str
    size_bytes: int | None = None

    def to_row(self) -> dict[str, Any]:
        return asdict(self)


def reject_output(reject: Reject, namespace: str) -> Reject:
    """Count a reject under ``<namespace>/rejected_<reason>``; the stage emits it
    in its one output and ``split_rejects`` separates it afterwards."""
    beam.metrics.Metrics.counter(namespace, f"rejected_{reject.reason}").inc()
    return reject


def split_by_type(outputs: beam.PCollection, label: str, **kinds: type | tuple[type, ...]) -> dict[str, beam.PCollection]:
    """One PCollection of mixed records -> one per kind, with filters.

    Stages emit everything in a single output rather than tagged outputs:
    Beam's DaskRunner does not keep tagged outputs apart, and a filter after
    a ParDo costs nothing once the runner fuses them. The filters pass
    batches on as batches (OfKind), so the per-article stages around them
    stay stage-major (transforms/runtime/batching.py).
    """
    return {name: outputs | f"{label}{name.title().replace('_', '')}" >> beam.ParDo(OfKind(kind)) for name, kind in kinds.items()}


def split_rejects(outputs: beam.PCollection, label: str, main: str, main_type: type | tuple[type, ...]) -> dict[str, beam.PCollection]:
    return split_by_type(outputs, label, **{main: main_type, REJECTS_TAG: Reject})


def as_singleton(combined: beam.PCollection) -> beam.pvalue.AsList:
    """A side input of a globally combined value (ToList, ToDict, CombineGlobally);
    read it with ``one(view, default)``.

    On the DaskRunner such a side input arrives as several identical copies
    (seen with Beam 2.77: its evaluator re-materializes the bag), which
    AsSingleton rejects; so it is read as a list and its first copy used.
    """
    return beam.pvalue.AsList(combined)


def one(view: list[Any], default: Any) -> Any:
    """The value of an as_singleton side input, or default when there was no input."""
    return view[0] if view else default
