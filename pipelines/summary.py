"""The run summary: printed at the end of a run and kept in ``<output>/_runs/<run_id>.json``.

Row counts come from the committed tables (their ``_SUCCESS`` markers and
this run's rejects files), not from Beam metrics, so the summary is the same
on every runner; counters are added where the runner reports them.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import fsspec
import pyarrow.parquet as pq
from khabar.schemas import TABLES
from khabar.transforms.output.commit import SUCCESS
from khabar.transforms.runtime.redact import redact_url
from khabar.transforms.runtime.timing import WALL_NAMESPACE, stage_seconds


@dataclass
class RunSummary:
    run_id: str
    output: str
    inputs: list[str]
    files: int
    rows: dict[str, int]
    rejects_by_reason: dict[str, int]
    elapsed_s: float
    articles_per_s: float
    options: list[str]
    counters: dict[str, int] | None = None
    counters_note: str | None = None
    version: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def collect(cls, config: Any, run: Any, result: Any, elapsed: float, files: int, options: list[str]) -> RunSummary:
        fs, root = fsspec.core.url_to_fs(config.output)
        rows: dict[str, int] = {}
        for table in TABLES:
            marker = f"{root}/{table}/{SUCCESS}"
            info = json.loads(fs.cat_file(marker)) if fs.exists(marker) else {}
            rows[table] = info.get("rows", 0) if info.get("run_id") == run.run_id else 0
        reasons: Counter[str] = Counter()
        for path in fs.glob(f"{root}/rejects/*/part-{run.run_id}-*.parquet"):
            with fs.open(path, "rb") as handle:
                reasons.update(pq.read_table(handle, columns=["reason"]).column("reason").to_pylist())
        counters, note = _counters(result)
        return cls(
            run_id=run.run_id,
            output=redact_url(config.output),
            inputs=[redact_url(i) for i in config.inputs],
            files=files,
            rows=rows,
            rejects_by_reason=dict(sorted(reasons.items())),
            elapsed_s=round(elapsed, 3),
            articles_per_s=round(rows["articles"] / elapsed, 1) if elapsed > 0 else 0.0,
            options=[redact_url(o) for o in options],
            counters=counters,
            counters_note=note,
            version=run.pipeline_version,
        )

    def write(self) -> str:
        fs, root = fsspec.core.url_to_fs(self.output)
        path = f"{root}/_runs/{self.run_id}.json"
        fs.makedirs(f"{root}/_runs", exist_ok=True)
        with fs.open(path, "w") as out:
            json.dump(asdict(self), out, ensure_ascii=False, indent=2, default=str)
        return path

    def render(self) -> str:
        lines = [f"khabar run {self.run_id}  ({self.elapsed_s:.1f} s, {self.articles_per_s} articles/s)", f"  output: {self.output}"]
        lines.append(f"  {'table':<10} {'rows':>8}")
        for table, count in self.rows.items():
            lines.append(f"  {table:<10} {count:>8}")
        if self.rejects_by_reason:
            lines.append("  rejects by reason:")
            lines.extend(f"    {reason:<28} {count:>6}" for reason, count in self.rejects_by_reason.items())
        stages = measurable(stage_seconds(self.counters))
        if stages:
            # summed over workers: with several, they can add up to more than the elapsed time
            lines.append("  seconds in each stage's own work (all workers):")
            lines.extend(f"    {stage:<28} {seconds:>8.1f}" for stage, seconds in sorted(stages.items(), key=lambda kv: -kv[1]))
        chains = measurable(stage_seconds(self.counters, WALL_NAMESPACE))
        if chains:
            # a read and the stages fused after it, Beam's own work between them included
            lines.append("  wall seconds from each read through the stages run after it (all workers):")
            lines.extend(f"    {chain:<28} {seconds:>8.1f}" for chain, seconds in chains.items())
        if self.counters_note:
            lines.append(f"  counters: {self.counters_note}")
        return "\n".join(lines)


# Stage times below this are not printed: they would show as 0.0 (the JSON summary keeps every counter).
MEASURABLE_S = 0.05


def measurable(seconds: dict[str, float]) -> dict[str, float]:
    """The stages whose time shows at the summary's precision (0.1 s)."""
    return {name: value for name, value in seconds.items() if value >= MEASURABLE_S}


def _counters(result: Any) -> tuple[dict[str, int] | None, str | None]:
    """Beam counters where the runner reports them; a note instead of a crash where it does not."""
    try:
        metrics = result.metrics().query()
    except (NotImplementedError, AttributeError) as exc:
        return None, f"not available on this runner ({type(exc).__name__})"
    counters: dict[str, int] = {}
    for counter in metrics.get("counters", []):
        name = f"{counter.key.metric.namespace}/{counter.key.metric.name}"
        counters[name] = counters.get(name, 0) + int(counter.committed or counter.attempted or 0)
    return dict(sorted(counters.items())), None
