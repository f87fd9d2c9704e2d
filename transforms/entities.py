"""Named entities (PER, ORG, LOC) with canonical ids: replaced by the real extractor below."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import apache_beam as beam

from transforms.records import Document
from transforms.runinfo import RunInfo


@dataclass(frozen=True)
class EntityConfig:
    arabic_only: bool = True


class ExtractEntities(beam.PTransform):
    def __init__(self, config: EntityConfig, run: RunInfo) -> None:
        super().__init__()
        self._config, self._run = config, run

    def expand(self, docs: beam.PCollection) -> dict[str, beam.PCollection]:
        def none(doc: Document) -> Iterator[dict[str, Any]]:
            return iter(())

        return {"documents": docs, "entities": docs | "Mentions" >> beam.FlatMap(none)}
