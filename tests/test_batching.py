"""Batched per-article stages: the same outputs as element by element, in stage-major order."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from khabar.transforms.detect_language import LanguageConfig, _DetectLanguageFn
from khabar.transforms.extract_entities import ExtractMentionsFn
from khabar.transforms.find_templates import _CountTemplateLines
from khabar.transforms.group_stories import _FingerprintFn
from khabar.transforms.inputs.parsers import ReadConfig, read_file
from khabar.transforms.normalize_text import _NormalizeFn
from khabar.transforms.runtime.batching import BatchedDoFn, OfKind
from khabar.transforms.runtime.records import Document, Reject
from khabar.transforms.stories.config import DedupConfig
from khabar.transforms.strip_boilerplate import StripBoilerplateFn
from khabar.transforms.text.entity_rules import EntityConfig
from khabar.transforms.text.normalize import DEFAULT
from khabar.transforms.text.page_lines import BoilerplateConfig

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def sample_documents() -> list[Any]:
    records = [r for path in sorted(SAMPLES.iterdir()) if path.is_file() for r in read_file(str(path), ReadConfig())]
    docs = [r for r in records if isinstance(r, Document)]
    assert len(docs) == 5
    # a page with nothing left after boilerplate: the stage's reject must come out of a batch too
    empty = Document("mem://empty", "", "\n\n", "text", 2, "e")
    return [*docs, empty]


def per_article_stages() -> list[tuple[str, beam.DoFn, dict[str, Any]]]:
    stages: list[tuple[str, beam.DoFn, dict[str, Any]]] = [
        ("templates", _CountTemplateLines(), {}),
        ("boilerplate", StripBoilerplateFn(BoilerplateConfig(time_budget_s=0)), {"templates": [{}]}),
        ("normalize", _NormalizeFn(DEFAULT), {}),
        ("language", _DetectLanguageFn(LanguageConfig()), {}),
        ("entities", ExtractMentionsFn(EntityConfig()), {}),
        ("fingerprints", _FingerprintFn(DedupConfig()), {}),
    ]
    for _, fn, _ in stages:
        fn.setup()
    return stages


def test_every_per_article_stage_gives_the_same_outputs_from_a_batch_as_one_by_one() -> None:
    stages = per_article_stages()
    one_by_one, batched = sample_documents(), sample_documents()
    for name, fn, side in stages:
        assert isinstance(fn, BatchedDoFn), name
        outputs = [out for doc in one_by_one for out in fn.process(doc, **side)]
        (from_batch,) = fn.process_batch(batched, **side)  # one batch in, one batch out
        assert from_batch == outputs, name
        if name in ("templates", "fingerprints"):
            continue  # they pass no documents on: page counts, (article_id, dedup data)
        assert any(isinstance(out, Document) for out in outputs), name
        one_by_one = [out for out in outputs if isinstance(out, Document)]
        batched = [out for out in from_batch if isinstance(out, Document)]
    # the empty page became a reject in the boilerplate stage, in both ways
    assert [d.source_uri for d in batched] == [d.source_uri for d in one_by_one] and len(one_by_one) == 5


def test_a_batch_whose_elements_make_nothing_yields_no_empty_batch() -> None:
    fn = OfKind(Reject)
    assert list(fn.process_batch([1, "a", None])) == []
    assert list(fn.process_batch([Reject("u", "s", "r", "m"), 2])) == [[Reject("u", "s", "r", "m")]]


class _Stamp(BatchedDoFn):
    """Appends when it saw the element (a monotonic clock: the runner may use threads)."""

    def process(self, element: tuple[int, ...]) -> Iterator[tuple[int, ...]]:
        yield (*element, time.monotonic_ns())


def test_the_direct_runner_runs_batched_stages_stage_by_stage() -> None:
    # Two stages with a kind filter between them: every element must have
    # passed the first before the second sees any (a whole bundle is one batch).
    def stage_major(rows: list[tuple[int, ...]]) -> None:
        assert len(rows) == 200
        assert max(row[1] for row in rows) < min(row[2] for row in rows), "the second stage started before the first had finished"

    with TestPipeline() as p:
        rows = (
            p
            | beam.Create([(i,) for i in range(200)])
            | "First" >> beam.ParDo(_Stamp())
            | "Tuples" >> beam.ParDo(OfKind(tuple))
            | "Second" >> beam.ParDo(_Stamp())
        )
        assert_that(rows, stage_major)


def test_kind_filters_split_mixed_batches() -> None:
    mixed: list[Any] = [Reject("u", "s", "r", "m"), "text", Reject("v", "s", "r", "m"), 3]
    with TestPipeline() as p:
        elements = p | beam.Create(mixed)
        rejects = elements | "Rejects" >> beam.ParDo(OfKind(Reject)) | "Uris" >> beam.Map(lambda r: r.source_uri)
        others = elements | "Others" >> beam.ParDo(OfKind((str, int)))
        assert_that(rejects, equal_to(["u", "v"]), label="RejectsKept")
        assert_that(others, equal_to(["text", 3]), label="OthersKept")
