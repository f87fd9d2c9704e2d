"""Pairwise precision/recall of story grouping against a generated corpus's truth.

Usage: python -m benchmarks.eval_dedup OUTPUT CORPUS_DIR

Recall per level: share of planted (original, copy) pairs of that kind
(exact, near, story) that got one story_id. Precision: share of predicted
same-story pairs that are truly the same story, overall and by the
duplicate_kind the pipeline gave the copy.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from itertools import combinations
from pathlib import Path

import pyarrow.dataset as ds


def evaluate(output: Path, corpus: Path) -> dict[str, object]:
    truth = json.loads((corpus / "_truth.json").read_text())
    rows = (
        ds.dataset(output / "articles", format="parquet", partitioning="hive")
        .to_table(columns=["url", "story_id", "duplicate_kind"])
        .to_pylist()
    )
    predicted = {r["url"]: r for r in rows if r["url"] in truth}
    true_groups: dict[str, list[str]] = defaultdict(list)
    for url, t in truth.items():
        true_groups[t["story"]].append(url)
    report: dict[str, object] = {"articles": len(predicted)}
    for kind in ("exact", "near", "story"):
        planted = [
            (u, next(v for v in true_groups[t["story"]] if truth[v]["kind"] == "original")) for u, t in truth.items() if t["kind"] == kind
        ]
        hits = sum(1 for u, o in planted if u in predicted and o in predicted and predicted[u]["story_id"] == predicted[o]["story_id"])
        report[f"{kind}_recall"] = round(hits / len(planted), 4) if planted else None
        report[f"{kind}_planted"] = len(planted)
    by_story: dict[str, list[str]] = defaultdict(list)
    for url, row in predicted.items():
        by_story[row["story_id"]].append(url)
    correct = total = 0
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for members in by_story.values():
        for a, b in combinations(sorted(members), 2):
            ok = truth[a]["story"] == truth[b]["story"]
            total += 1
            correct += ok
            kind = predicted[b]["duplicate_kind"] or predicted[a]["duplicate_kind"] or "story"
            by_kind[kind][0] += ok
            by_kind[kind][1] += 1
    report["precision"] = round(correct / total, 4) if total else 1.0
    planted_pairs = sum(len(m) * (len(m) - 1) // 2 for m in true_groups.values())
    report["recall"] = round(correct / planted_pairs, 4) if planted_pairs else 1.0
    for kind, (ok, n) in sorted(by_kind.items()):
        report[f"{kind}_precision"] = round(ok / n, 4)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("output", type=Path)
    parser.add_argument("corpus", type=Path)
    args = parser.parse_args()
    print(json.dumps(evaluate(args.output, args.corpus), indent=2))


if __name__ == "__main__":
    main()
