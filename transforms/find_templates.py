"""The FindTemplates stage: lines repeated across many pages of one source are site template (a side input of StripBoilerplate)."""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlparse

import apache_beam as beam
import numpy as np
from khabar.transforms.runtime.batching import BatchedDoFn
from khabar.transforms.runtime.records import Document
from khabar.transforms.runtime.timing import TimedDoFn
from khabar.transforms.text.normalize import normalize_light
from khabar.transforms.text.page_lines import BoilerplateConfig, norm_key


def source_key(doc: Document) -> str:
    """Which pages share a site template: the web host, else the input directory."""
    if doc.url:
        host = urlparse(doc.url).netloc.lower()
        if host:
            return host
    return doc.source_uri.rsplit("/", 1)[0]


def page_lines(doc: Document) -> list[str]:
    """The lines template detection counts (the raw lines of a text page; for
    HTML, the text of its block elements)."""
    if doc.content_type == "html":
        return [t for t in re.split(r"<[^>]+>", doc.content) if t.strip()][:2000]
    return doc.content.split("\n")


def page_line_keys(doc: Document) -> set[int]:
    """line_key of each non-blank line of page_lines(doc).

    normalize_light maps characters one by one and never makes or removes a
    newline, so one pass over the joined lines gives each line's form, where
    a pass a line repeated the replacement chain's set-up on every line.
    """
    lines = page_lines(doc)
    joined = "\n".join(lines)
    # (an HTML block may hold newlines of its own: then a pass a line)
    one_pass = joined.count("\n") == len(lines) - 1
    forms = normalize_light(joined).split("\n") if one_pass else [normalize_light(line) for line in lines]
    return {norm_key(" ".join(form.split())) for line, form in zip(lines, forms, strict=True) if line.strip()}


class _CountTemplateLines(BatchedDoFn, TimedDoFn):
    STAGE = "template_count"

    def process(self, doc: Document) -> Iterator[tuple[str, int, list[int]]]:
        with self.clock:
            # The page as a 64-bit hash of its digest: identical copies of one
            # article (a page crawled under several URLs) must count once.
            page = source_key(doc), norm_key(doc.digest), list(page_line_keys(doc))
        yield page


def template_keys(keys: np.ndarray, pages: np.ndarray, page_count: int, min_docs: int, min_share: float) -> list[int]:
    """Keys of a source's template lines: on at least min_docs of its pages and
    min_share of all its page_count pages.

    keys / pages: one (line key, page hash) entry per distinct line of each
    page (uint64). A line's pages are counted by distinct page hash, or the
    body lines of an article crawled under several URLs would look like site
    template; once a line is on max(min_docs, 2) distinct pages it is clearly
    widespread and its plain count is used.
    """
    if len(keys) == 0:
        return []
    order = np.lexsort((pages, keys))
    keys, pages = keys[order], pages[order]
    new_line = np.ones(len(keys), dtype=bool)
    new_line[1:] = keys[1:] != keys[:-1]
    new_page = new_line.copy()
    new_page[1:] |= pages[1:] != pages[:-1]
    starts = np.flatnonzero(new_line)
    total = np.diff(np.append(starts, len(keys)))
    distinct = np.add.reduceat(new_page.astype(np.int64), starts)
    count = np.where(distinct >= max(min_docs, 2), total, distinct)
    keep = (count >= min_docs) & (count >= min_share * page_count)
    return keys[starts[keep]].tolist()


class _SourceLines:
    """What TemplateTable keeps of one source: its pages and a (line, page) entry per distinct line of each."""

    __slots__ = ("keys", "page_count", "pages")

    def __init__(self, keys: array | None = None, pages: array | None = None, page_count: int = 0) -> None:
        self.keys = array("Q") if keys is None else keys
        self.pages = array("Q") if pages is None else pages
        self.page_count = page_count

    def __reduce__(self) -> tuple[Any, ...]:
        return _SourceLines, (self.keys, self.pages, self.page_count)


class TemplateTable(beam.CombineFn):
    """(source, page hash, line keys) of every page -> source -> keys of its template lines.

    One accumulator a bundle: a source's entries travel as two arrays of
    64-bit numbers, not one element a line (10k pages hold 150k distinct
    lines, nearly all body lines seen once), and the table is one sort
    (template_keys) per source.
    """

    def __init__(self, config: BoilerplateConfig) -> None:
        self._config = config

    def create_accumulator(self) -> dict[str, _SourceLines]:
        return {}

    def add_input(self, acc: dict[str, _SourceLines], page: tuple[str, int, list[int]]) -> dict[str, _SourceLines]:
        source, page_hash, keys = page
        lines = acc.get(source)
        if lines is None:
            lines = acc[source] = _SourceLines()
        lines.keys.extend(keys)
        lines.pages.extend([page_hash] * len(keys))
        lines.page_count += 1
        return acc

    def merge_accumulators(self, accs: Iterable[dict[str, _SourceLines]]) -> dict[str, _SourceLines]:
        merged: dict[str, _SourceLines] = {}
        for acc in accs:
            for source, lines in acc.items():
                into = merged.get(source)
                if into is None:  # a copy: only the result may be changed later
                    merged[source] = _SourceLines(array("Q", lines.keys), array("Q", lines.pages), lines.page_count)
                else:
                    into.keys.extend(lines.keys)
                    into.pages.extend(lines.pages)
                    into.page_count += lines.page_count
        return merged

    def extract_output(self, acc: dict[str, _SourceLines]) -> dict[str, frozenset[int]]:
        config = self._config
        table = {}
        for source, lines in acc.items():
            keys = np.frombuffer(lines.keys, dtype=np.uint64)
            pages = np.frombuffer(lines.pages, dtype=np.uint64)
            found = template_keys(keys, pages, lines.page_count, config.template_min_docs, config.template_min_share)
            if found:
                table[source] = frozenset(found)
        return table


class FindTemplates(beam.PTransform):
    """Documents -> one element: source -> keys of its template lines.

    The lines on at least template_min_docs pages of a source and
    template_min_share of its pages are template (TemplateTable).
    """

    def __init__(self, config: BoilerplateConfig | None = None) -> None:
        super().__init__()
        self._config = config or BoilerplateConfig()

    def expand(self, docs: beam.PCollection) -> beam.PCollection:
        return (
            docs | "LineHashes" >> beam.ParDo(_CountTemplateLines()) | "TemplateTable" >> beam.CombineGlobally(TemplateTable(self._config))
        )
