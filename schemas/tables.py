"""The output tables: the one description of every column.

Required columns are a contract with BI users: add columns freely, never rename
or retype these. Every field carries a ``description`` in its metadata; the
README's table reference is checked against these schemas by a test.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pyarrow as pa

TIMESTAMP = pa.timestamp("us", tz="UTC")

# Hive partition column written into directory names, not into the files.
PARTITION_COLUMN = "ingest_date"


def _field(name: str, type_: pa.DataType, description: str, nullable: bool = True) -> pa.Field:
    return pa.field(name, type_, nullable=nullable, metadata={"description": description})


ARTICLES = pa.schema(
    [
        _field(
            "article_id",
            pa.string(),
            "Deterministic id: the same bytes at the same URI (and record inside it) give the same id on any runner and rerun.",
            False,
        ),
        _field(
            "source_uri",
            pa.string(),
            "Where the article was read from (fsspec URL; '#key' names a record inside a JSONL, WARC or archive file). Credentials are redacted.",
            False,
        ),
        _field(
            "source_name",
            pa.string(),
            "Outlet that published the article: the outlet of the input's URL (a shipped table of Arabic news domains);"
            " for a site not in it, the outlet the page names (not an agency) when the table knows it, it is shaped"
            " like an outlet's name or it sounds like the domain, a listed outlet of the same name under another ending, the HTML page's declared site name, else the domain itself; without a"
            " URL, the outlet the page credits (site name, 'المصدر:' line, dateline agency); on an aggregator's URL the"
            " credited outlet. Null when neither is known.",
        ),
        _field("title", pa.string(), "Headline in original orthography; null when none was found."),
        _field("published_at", TIMESTAMP, "Publication time stated by the page, converted to UTC; null when unknown."),
        _field("language", pa.string(), "ISO 639-1 code of the body text (ar, fa, ur, en, ...); 'und' when undetermined."),
        _field("text", pa.string(), "Clean body text in original orthography; paragraphs separated by a blank line.", False),
        _field(
            "text_normalized",
            pa.string(),
            "Body text normalized for matching (see NormalizationConfig): what entities and dedup see.",
            False,
        ),
        _field("word_count", pa.int32(), "Number of word tokens in text (punctuation excluded).", False),
        _field("content_hash", pa.string(), "SHA-256 (hex, 32 chars) of text_normalized; equal hashes are exact duplicates.", False),
        _field(
            "story_id",
            pa.string(),
            "Story this article belongs to; equal to the canonical article's id at first sight of the story.",
            False,
        ),
        _field("is_canonical", pa.bool_(), "True for the one representative article of its story.", False),
        _field(
            "duplicate_of",
            pa.string(),
            "article_id of the story's canonical article when this one is a duplicate or rewrite; null for the canonical.",
        ),
        _field("duplicate_kind", pa.string(), "How this article relates to its canonical: null (canonical), 'exact', 'near' or 'story'."),
        _field("author", pa.string(), "Byline author when the page states one; null otherwise."),
        _field("url", pa.string(), "Original web address when the input carried one (JSON 'url', WARC target URI, HTML canonical link)."),
        _field("ingested_at", TIMESTAMP, "When the run that wrote this row started (UTC).", False),
        _field("run_id", pa.string(), "Id of the run that wrote this row (also in the file names).", False),
        _field("pipeline_version", pa.string(), "khabar version that produced this row.", False),
    ]
)

ENTITIES = pa.schema(
    [
        _field("article_id", pa.string(), "Article the mention is in (articles.article_id).", False),
        _field("entity_id", pa.string(), "Stable id of the canonical entity, the same across articles, runs and runners.", False),
        _field(
            "text",
            pa.string(),
            "Surface form exactly as in the article: articles.text[start:end], or articles.title[start:end] when field is 'title'.",
            False,
        ),
        _field("canonical", pa.string(), "Canonical name of the entity the mention refers to.", False),
        _field("type", pa.string(), "PER (person), ORG (organization) or LOC (place).", False),
        _field(
            "field",
            pa.string(),
            "Which articles column the mention is in and start/end point into: 'title' (the headline) or 'text' (the body)."
            " Title and text are extracted as one article (a surname in the text links to the full name in the title)."
            " A mention is identified by article_id, field and start. (Outputs written before this column existed hold"
            " text mentions only: the views read its absence as 'text'.)",
            False,
        ),
        _field(
            "start",
            pa.int32(),
            "Start character offset into articles.title or articles.text, as field says (Python str index, inclusive).",
            False,
        ),
        _field("end", pa.int32(), "End character offset into the same column (exclusive).", False),
        _field(
            "method",
            pa.string(),
            "What found the mention: tagger (the statistical tagger), gazetteer, pattern (a head noun's name, a facility, an outlet), trigger (a name after a role word), name (a name by its structure), list (a person listed after a person), byline, coref (a short form of a name in the same article), model (the optional camel-tools model).",
            False,
        ),
        _field("confidence", pa.float32(), "Confidence in [0, 1] that the span and type are right.", False),
        _field("ingested_at", TIMESTAMP, "When the run that wrote this row started (UTC).", False),
        _field("run_id", pa.string(), "Id of the run that wrote this row.", False),
    ]
)

STORIES = pa.schema(
    [
        _field("story_id", pa.string(), "Story id (articles.story_id).", False),
        _field(
            "canonical_article_id",
            pa.string(),
            "The story's representative article: earliest published, else longest text, ties by article_id.",
            False,
        ),
        _field(
            "article_ids",
            pa.list_(pa.string()),
            "Every article of the story so far, sorted. A story gets a new row in each run that adds articles to it;"
            " its latest row (by ingested_at, then run_id, then size: a streaming run writes a row per pane) is its current state"
            " (the `stories` view of sql/views.sql).",
            False,
        ),
        _field("size", pa.int32(), "Number of articles in article_ids.", False),
        _field("title", pa.string(), "Title of the canonical article."),
        _field("sources", pa.list_(pa.string()), "Distinct source_name values of the story's articles, sorted (outlets that carried it)."),
        _field("first_published_at", TIMESTAMP, "Earliest published_at among the story's articles; null when none is known."),
        _field("ingested_at", TIMESTAMP, "When the run that wrote this row started (UTC).", False),
        _field("run_id", pa.string(), "Id of the run that wrote this row.", False),
    ]
)

REJECTS = pa.schema(
    [
        _field("source_uri", pa.string(), "Input that was rejected (credentials redacted; '#key' names a record inside a file).", False),
        _field("stage", pa.string(), "Stage that rejected it: match, read, decode, parse, boilerplate, ...", False),
        _field("reason", pa.string(), "Stable reason code (see README): empty_file, too_large, binary, undecodable, bad_json, ...", False),
        _field("message", pa.string(), "Human-readable detail (never contains credentials).", False),
        _field("size_bytes", pa.int64(), "Size of the rejected input in bytes when known."),
        _field("ingested_at", TIMESTAMP, "When the run that wrote this row started (UTC).", False),
        _field("run_id", pa.string(), "Id of the run that wrote this row.", False),
    ]
)

FILES = pa.schema(
    [
        _field(
            "uri",
            pa.string(),
            "Input file as listed (fsspec URL, credentials redacted). The manifest of what has been ingested:"
            " `khabar run --incremental` and `khabar watch` skip files already here.",
            False,
        ),
        _field("size_bytes", pa.int64(), "File size when it was listed.", False),
        _field("modified_at", TIMESTAMP, "Modification time reported by the filesystem or object store; null when it reports none."),
        _field("etag", pa.string(), "Object-store ETag or version when the store reports one; null on local disks."),
        _field("content_sha256", pa.string(), "SHA-256 (hex) of the file's bytes as stored (before decompression).", False),
        _field("records", pa.int32(), "Records the read stage produced from the file: documents plus read rejects.", False),
        _field("ingested_at", TIMESTAMP, "When the run that ingested the file started (UTC).", False),
        _field("run_id", pa.string(), "Id of the run that ingested the file.", False),
    ]
)

FINGERPRINTS = pa.schema(
    [
        _field(
            "article_id",
            pa.string(),
            "Article (articles.article_id). This table is khabar's own state: what a later run needs to link new articles"
            " to earlier stories without re-reading their text. Not meant for BI.",
            False,
        ),
        _field("story_id", pa.string(), "Story the article was assigned to.", False),
        _field("canonical_article_id", pa.string(), "The story's canonical article when this article was assigned.", False),
        _field("content_hash", pa.string(), "articles.content_hash.", False),
        _field("published_at", TIMESTAMP, "articles.published_at."),
        _field("length", pa.int32(), "Characters of articles.text (canonical choice: longest wins).", False),
        _field("title", pa.string(), "articles.title."),
        _field("source_name", pa.string(), "articles.source_name."),
        _field("signature", pa.binary(), "MinHash signature (uint16 per permutation) of the word shingles.", False),
        _field("shingles", pa.binary(), "Hashed word shingles (uint32, text order) of text_normalized.", False),
        _field(
            "entity_keys", pa.list_(pa.string()), "The article's entity match keys as 'TYPE<tab>key' (what story scoring compares).", False
        ),
        _field(
            "rewrite",
            pa.binary(),
            "Term vector, years, months and specific numbers of title and text_normalized, packed"
            " (transforms/stories/rewrites.py RewriteTerms.pack): what the rewrite score compares. Null in rows written before it existed.",
        ),
        _field("ingested_at", TIMESTAMP, "When the run that wrote this row started (UTC).", False),
        _field("run_id", pa.string(), "Id of the run that wrote this row.", False),
    ]
)

TABLES: dict[str, pa.Schema] = {
    "articles": ARTICLES,
    "entities": ENTITIES,
    "stories": STORIES,
    "rejects": REJECTS,
    "files": FILES,
    "fingerprints": FINGERPRINTS,
}

# Rows inside a file are sorted by these columns so reruns write identical files.
SORT_KEYS: dict[str, tuple[str, ...]] = {
    "articles": ("article_id",),
    "entities": ("article_id", "field", "start", "end", "type"),
    "stories": ("story_id",),
    "rejects": ("source_uri", "stage", "reason"),
    "files": ("uri",),
    "fingerprints": ("article_id",),
}


class SchemaError(ValueError):
    """A row does not fit its table's schema."""


_ARROW_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError)


def validate_rows(table: str, rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Build a pyarrow table from rows, failing loudly on unknown, missing or mistyped columns.

    The checks run on whole columns (Arrow counts the nulls), not row by row:
    this runs on every row the pipeline writes.
    """
    schema = TABLES[table]
    rows = list(rows)
    extra = set().union(*rows) - set(schema.names)
    if extra:
        raise SchemaError(f"{table}: unknown columns {sorted(extra)}")
    try:
        arrow = pa.Table.from_pylist(rows, schema=schema)
    except _ARROW_ERRORS as exc:
        raise SchemaError(f"{table}: {exc}") from exc
    return _required(table, arrow)


def validate_columns(table: str, columns: Mapping[str, Sequence[Any]], num_rows: int) -> pa.Table:
    """Build a pyarrow table from columns (name -> num_rows values), with the checks of validate_rows.

    For stages that make many rows an element (an article's entities): a list
    a column costs a fraction of a dict a row, and Arrow converts a column at once.
    """
    schema = TABLES[table]
    extra = set(columns) - set(schema.names)
    if extra:
        raise SchemaError(f"{table}: unknown columns {sorted(extra)}")
    uneven = {name: len(values) for name, values in columns.items() if len(values) != num_rows}
    if uneven:
        raise SchemaError(f"{table}: columns of other lengths than {num_rows} rows: {uneven}")
    try:
        arrays = [
            pa.array(columns[field.name], type=field.type) if field.name in columns else pa.nulls(num_rows, field.type) for field in schema
        ]
    except _ARROW_ERRORS as exc:
        raise SchemaError(f"{table}: {exc}") from exc
    return _required(table, pa.Table.from_arrays(arrays, schema=schema))


def _required(table: str, arrow: pa.Table) -> pa.Table:
    """The table, or SchemaError when a column the schema requires has nulls (a missing column is all nulls)."""
    for field in arrow.schema:
        if not field.nullable and arrow.column(field.name).null_count:
            raise SchemaError(f"{table}: required column {field.name!r} is null or missing")
    return arrow


def replace_columns(table: pa.Table, columns: Mapping[str, list[Any]]) -> pa.Table:
    """The table with these columns' values replaced, each keeping its field (name, type, description)."""
    for name, values in columns.items():
        index = table.schema.get_field_index(name)
        field = table.schema.field(index)
        table = table.set_column(index, field, pa.array(values, type=field.type))
    return table


def describe(table: str) -> list[tuple[str, str, str]]:
    """(column, type, description) for every column of a table, for docs."""
    return [(f.name, str(f.type), f.metadata[b"description"].decode()) for f in TABLES[table]]
