"""Per-article stages run stage by stage over a batch of articles, not article by article.

A fusing runner (the DirectRunner's FnApiRunner, Dataflow, Flink) calls a
chain of DoFns element by element: one article goes through boilerplate,
normalization, language, entities and fingerprints before the next one
starts, and each stage finds its working set (CLD2's tables, the gazetteer,
the word caches, its own code) pushed out of the CPU caches by the other
four. Run stage by stage over a batch, each stage keeps its working set warm
(the figures are in docs/performance.md).

Beam's batched DoFns give a runner that choice: a DoFn with ``process_batch``
receives lists of elements (the runner batches up to 4,096, flushed at the
end of a bundle) and passes its output list straight on to the next batched
DoFn, so a chain of them runs stage-major. ``BatchedDoFn`` adds to a DoFn
written for one element a ``process_batch`` that runs that ``process`` on
each element of the batch: the stage's work is defined once, and runners
without batches (the DaskRunner, the streaming DirectRunner) call
``process`` as before. Outputs, counters and rejects are the same either
way; only the order in which articles meet the stages changes.

Beam buffers a DoFn's output into batches only when that DoFn has a batch
type itself (a producer without one hands its consumers elements, one by
one): so the read is a BatchedDoFn too (ReadFileFn), and the filters
between stages are OfKind, which keeps a batch a batch.

Batches never mix event times or windows (Beam groups a batch by both), so
every output keeps its input's timestamp and window, as with ``process``.
For DoFns whose ``process`` takes the element and side inputs only (no
timestamp, window or state parameters).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import apache_beam as beam
from apache_beam import typehints
from apache_beam.typehints.native_type_compatibility import convert_to_beam_type

# The most elements Beam's DirectRunner puts in one batch (its consumer sets flush at this size).
MAX_BATCH = 4096


class BatchedDoFn(beam.DoFn):
    """A DoFn whose ``process`` also runs over batches (see the module docstring)."""

    def process_batch(self, batch: list[Any], *side_inputs: Any, **named_side_inputs: Any) -> Iterator[list[Any]]:
        out: list[Any] = []
        process = self.process
        for element in batch:
            out.extend(process(element, *side_inputs, **named_side_inputs))
        if out:
            yield out

    # The batch types follow the element types of the PCollections (which Beam
    # infers from each ``process``'s annotations), so that one batched DoFn
    # hands its list to the next unchanged: Beam rebatches between mismatched types.
    def get_input_batch_type(self, input_element_type: Any) -> Any:
        return typehints.List[convert_to_beam_type(input_element_type)]

    def get_output_batch_type(self, input_element_type: Any) -> Any:
        return typehints.List[self.infer_output_type(input_element_type)]


class OfKind(BatchedDoFn):
    """The elements that are instances of ``kind`` (a Filter that passes batches on as batches)."""

    def __init__(self, kind: type | tuple[type, ...]) -> None:
        super().__init__()
        self._kind = kind

    def process(self, element: Any) -> Iterator[Any]:
        if isinstance(element, self._kind):
            yield element

    def process_batch(self, batch: list[Any], *side_inputs: Any, **named_side_inputs: Any) -> Iterator[list[Any]]:
        kind = self._kind
        kept = [element for element in batch if isinstance(element, kind)]
        if kept:
            yield kept
