"""The NormalizeText stage: articles.text -> articles.text_normalized and content_hash (the algorithm: transforms/text/normalize.py)."""

from __future__ import annotations

from collections.abc import Iterator

import apache_beam as beam
from khabar.transforms.runtime.batching import BatchedDoFn
from khabar.transforms.runtime.records import Document
from khabar.transforms.runtime.timing import TimedDoFn
from khabar.transforms.text.normalize import DEFAULT, NormalizationConfig, content_hash, normalize_text, strip_invisible
from khabar.transforms.text.tokenize import count_words

NAMESPACE = "khabar.normalize"


def normalize_document(doc: Document, config: NormalizationConfig = DEFAULT) -> Document:
    """Fill text_normalized, word_count and content_hash; clean the readable columns."""
    doc.text = strip_invisible(doc.text)
    doc.title = strip_invisible(doc.title) if doc.title else doc.title
    doc.text_normalized = normalize_text(doc.text, config)
    doc.word_count = count_words(doc.text)
    doc.content_hash = content_hash(doc.text_normalized)
    return doc


class _NormalizeFn(BatchedDoFn, TimedDoFn):
    STAGE = "normalize"

    def __init__(self, config: NormalizationConfig) -> None:
        super().__init__()
        self._config = config

    def process(self, doc: Document) -> Iterator[Document]:
        with self.clock:
            normalize_document(doc, self._config)
        yield doc


class NormalizeText(beam.PTransform):
    """Documents -> Documents with text_normalized, word_count and content_hash."""

    def __init__(self, config: NormalizationConfig = DEFAULT) -> None:
        super().__init__()
        self._config = config

    def expand(self, docs: beam.PCollection) -> beam.PCollection:
        return docs | "Normalize" >> beam.ParDo(_NormalizeFn(self._config))
