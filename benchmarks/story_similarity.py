"""Calibration of rewrite similarity (transforms/stories/rewrites.py) on the development set (issue 30).

Links every pair of the dev set's pages as the pipeline does (its rewrite
terms, candidate terms, occasion vetoes, score and link floor), from the
articles and fingerprints tables an existing run wrote (``make eval`` leaves
one in its --work folder):

    python -m benchmarks.story_similarity --output /tmp/evwork/out

and groups them by single link (connected components over pairs above a
threshold) and by average link (transforms/stories/clusters.average_link,
what the pipeline uses), printing pair precision, recall and F1 against the
gold events like ``make eval``'s story figures, for each threshold. The
variants switch parts of the score off to show what each adds. The
pipeline's threshold (DedupConfig.rewrite_min_score) is chosen for precision
first: the fewest false merges at a usable recall (docs/performance.md).
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from khabar.transforms.stories.clusters import average_link, components
from khabar.transforms.stories.config import DedupConfig
from khabar.transforms.stories.rewrites import RewriteTerms, ScoreWeights, link_score
from khabar.transforms.stories.textreuse import ACTOR_TYPES, PLACE_TYPES, days_between
from khabar.transforms.text.normalize import normalize_text

from benchmarks.eval_devset import load_devset, load_output, pair_scores, read_table, same_label_pairs

HERE = Path(__file__).resolve().parent


@dataclass
class Page:
    id: str
    event: str
    published_at: datetime | None
    terms: RewriteTerms
    actors: set[str]  # 'TYPE<tab>key' of its people and organizations
    places: set[str]  # 'TYPE<tab>key' of its places


def pages_of(output: Path) -> list[Page]:
    """The dev set's pages as the run saw them: published_at, title and text_normalized from the articles table
    (terms made again, so that a change to rewrites.py is measured without a rerun), people, organizations and places
    as story grouping compares them (their match keys, from the fingerprints table)."""
    gold_pages, _, _ = load_devset(HERE / "devset")
    outputs, _ = load_output(output, gold_pages)
    keys = {row["article_id"]: row["entity_keys"] for row in read_table(output, "fingerprints")}
    pages = []
    for gold in gold_pages:
        row = outputs[gold.id].article or {}
        title = row.get("title")
        pages.append(
            Page(
                gold.id,
                gold.gold["event"],
                row.get("published_at"),
                RewriteTerms.of(normalize_text(title) if title else None, row.get("text_normalized") or ""),
                {key for key in keys.get(row.get("article_id"), []) if key.split("\t", 1)[0] in ACTOR_TYPES},
                {key for key in keys.get(row.get("article_id"), []) if key.split("\t", 1)[0] in PLACE_TYPES},
            )
        )
    return pages


def similarities(pages: Sequence[Page], weights: ScoreWeights, config: DedupConfig) -> dict[tuple[str, str], float]:
    """The rewrite link of every pair, as the pipeline makes them (rewrites.link_score: the candidate
    index's shared terms, occasion vetoes, the link floor); pairs without one count 0."""
    out = {}
    for a, b in itertools.combinations(pages, 2):
        days = days_between(a.published_at, b.published_at)
        score = link_score(a.terms, b.terms, days, len(a.actors & b.actors), config, weights, len(a.places & b.places))
        if score is not None:
            out[(a.id, b.id)] = score
    return out


def single_link(ids: Sequence[str], scores: dict[tuple[str, str], float], threshold: float) -> list[list[str]]:
    comp = components((a, b, "") for (a, b), score in scores.items() if score >= threshold)
    groups: dict[str, list[str]] = {}
    for node in ids:
        groups.setdefault(comp.get(node, node), []).append(node)
    return list(groups.values())


def grouped_pairs(groups: list[list[str]]) -> set[tuple[str, str]]:
    """Every pair (a, b), a < b, of ids in one group: what the groups predict, for eval_devset.pair_scores."""
    return {pair for group in groups for pair in itertools.combinations(sorted(group), 2)}


VARIANTS: dict[str, ScoreWeights] = {
    "text cosine": ScoreWeights(number=0.0, actor=0.0, place=0.0),
    "+ shared numbers and actors": ScoreWeights(place=0.0),
    "+ shared places, names in full at any cosine": ScoreWeights(full_support=0.0),
    "+ names in proportion below a cosine of 0.3 (the pipeline's score)": ScoreWeights(),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, required=True, help="an existing khabar output folder of a run over the dev set")
    parser.add_argument("--thresholds", default="0.2,0.25,0.3,0.35,0.4,0.45,0.5,0.55,0.6")
    args = parser.parse_args(argv)
    pages = pages_of(args.output)
    ids = [p.id for p in pages]
    gold = same_label_pairs({p.id: p.event for p in pages})
    thresholds = [float(t) for t in args.thresholds.split(",")]
    print(f"{len(pages)} pages, {len(gold)} same-event pairs")
    print("| variant | link | threshold | P | R | F1 | false pairs |\n| --- | --- | --- | --- | --- | --- | --- |")
    config = DedupConfig()
    for name, weights in VARIANTS.items():
        scores = similarities(pages, weights, config)
        for link in ("single", "average"):
            for threshold in thresholds:
                groups = single_link(ids, scores, threshold) if link == "single" else average_link(ids, scores, threshold)
                predicted = grouped_pairs(groups)
                s = pair_scores(gold, predicted)
                print(
                    f"| {name} | {link} | {threshold} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {len(predicted - gold)} |"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
