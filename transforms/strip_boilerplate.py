"""Boilerplate removal: a page's lines -> title, body and metadata.

Reads ``Document`` records (plain-text scrapes or raw HTML); writes them back
with ``title``, ``text`` (body paragraphs, original orthography, separated by
a blank line), ``source_name``, ``author`` and ``published_at`` filled in, and
a reject (``empty_after_boilerplate``) for pages with no body left.

HTML first goes through trafilatura (main text and metadata); then both kinds
go through one line classifier, in the spirit of jusText:

1. Per line: length, share of the page's script, sentence punctuation,
   function-word density, and hard signals: no text, junk, a repeat of the
   title, teaser links ("اقرأ أيضاً: ..."), lines repeated within the page
   (link lists: a title, an author, a title, the same author ...), template
   lines repeated across many pages of the same source (a side input), and
   end-of-article markers (comment counters and forms, "related articles"
   headings, print/share widgets) after which nothing is body.
2. Lines are rated good (a paragraph), near-good or short; the body is the
   run of lines around the good ones with the most text, allowing short gaps.
3. Inside it, near-good lines stay next to a good one and short lines
   (sub-headings) stay only between two paragraphs.
4. The title is the first headline-like line above the body.

Known phrases are one small signal (end markers and teaser leads, listed
below); the rest is structure.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import apache_beam as beam
from khabar.transforms.find_templates import FindTemplates, source_key
from khabar.transforms.runtime.batching import BatchedDoFn
from khabar.transforms.runtime.budget import BudgetExceeded, Sandbox
from khabar.transforms.runtime.records import Document, Reject, as_singleton, one, reject_output, split_rejects
from khabar.transforms.runtime.timing import TimedDoFn
from khabar.transforms.text.html_page import extract_html_page
from khabar.transforms.text.outlets import resolve_source
from khabar.transforms.text.page_lines import BoilerplateConfig, Extraction, extract_text_page, parse_iso_date

NAMESPACE = "khabar.boilerplate"


# ---------------------------------------------------------------- page level


def strip_boilerplate(doc: Document, config: BoilerplateConfig | None = None, templates: frozenset[int] = frozenset()) -> Extraction:
    if doc.content_type == "html":
        extraction = extract_html_page(doc.content, doc.url, config, templates)
    else:
        extraction = extract_text_page(doc.content, config, templates, known_title=doc.title)
    if doc.published_hint and extraction.published_at is None:
        extraction.published_at = parse_iso_date(doc.published_hint)
    # The URL's outlet against the one the page states (the rule: transforms/text/outlets.py).
    extraction.source_name = resolve_source(doc.url, extraction.source_name, extraction.outlet_lines, extraction.site_name)
    return extraction


# ---------------------------------------------------------------- Beam


class StripBoilerplateFn(BatchedDoFn, TimedDoFn):
    """Document -> Document with title/text/metadata, or a reject."""

    STAGE = "boilerplate"

    def __init__(self, config: BoilerplateConfig) -> None:
        super().__init__()
        self._config = config
        self._sandbox: Sandbox | None = None

    def setup(self) -> None:
        if self._config.time_budget_s > 0:
            self._sandbox = Sandbox(strip_boilerplate, self._config.time_budget_s)

    def teardown(self) -> None:
        if self._sandbox is not None:
            self._sandbox.close()

    def _budgeted(self, doc: Document) -> bool:
        return self._sandbox is not None and (doc.content_type == "html" or len(doc.content) > self._config.inline_max_bytes)

    def process(self, doc: Document, templates: list[dict[str, frozenset[int]]] | None = None) -> Iterator[Any]:
        site_templates = one(templates or [], {}).get(source_key(doc), frozenset())
        try:
            with self.clock:
                if self._budgeted(doc):
                    assert self._sandbox is not None
                    extraction = self._sandbox(doc, self._config, site_templates)
                else:
                    extraction = strip_boilerplate(doc, self._config, site_templates)
        except BudgetExceeded as exc:
            yield reject_output(Reject(doc.uri, "boilerplate", "timeout", f"extraction: {exc}", doc.size_bytes), NAMESPACE)
            return
        except Exception as exc:  # a parser bug on one hostile page must not stop the run
            yield reject_output(
                Reject(doc.uri, "boilerplate", "extraction_failed", f"{type(exc).__name__}: {exc}", doc.size_bytes), NAMESPACE
            )
            return
        for reason, count in extraction.removed.items():
            beam.metrics.Metrics.counter(NAMESPACE, f"lines_removed_{reason}").inc(count)
        if not extraction.body:
            yield reject_output(
                Reject(doc.uri, "boilerplate", "empty_after_boilerplate", "no body text left after removing boilerplate", doc.size_bytes),
                NAMESPACE,
            )
            return
        beam.metrics.Metrics.counter(NAMESPACE, "articles_kept").inc()
        doc.title = extraction.title or doc.title
        doc.text = "\n\n".join(extraction.body)
        doc.source_name = extraction.source_name
        doc.author = extraction.author
        doc.published_at = extraction.published_at
        doc.extra["lines_removed"] = dict(extraction.removed)
        doc.content = ""  # the raw page is not needed downstream; free the memory
        yield doc


class StripBoilerplate(beam.PTransform):
    """Documents -> {'documents': cleaned Documents, 'rejects': Rejects}.

    Template lines are found across the whole input (FindTemplates) and reach
    every worker as a side input. templates: that table made elsewhere (the
    batch pipeline counts it on a first read of the files, so the pages to
    clean need not wait for it); by default it is counted on these documents,
    which then wait, all of them, until the count is done.
    """

    def __init__(self, config: BoilerplateConfig | None = None, templates: beam.PCollection | None = None) -> None:
        super().__init__()
        self._config = config or BoilerplateConfig()
        self._templates = templates

    def expand(self, docs: beam.PCollection) -> dict[str, beam.PCollection]:
        table = self._templates
        if table is None:
            table = docs | "Templates" >> FindTemplates(self._config)
        cleaned = docs | "Classify" >> beam.ParDo(StripBoilerplateFn(self._config), templates=as_singleton(table))
        return split_rejects(cleaned, "Cleaned", "documents", Document)
