"""Story-similarity experiments on the development set (issue 30, working step).

Scores candidate rules for "these two rewrites report one event" on the real
pages of benchmarks/devset, from the articles and entities an existing run
wrote (``make eval`` leaves one in its --work folder):

    python -m benchmarks.story_similarity --output /tmp/evwork/out

Each pair of pages gets:

- cos: TF-IDF cosine over light-stemmed normalized words of headline and
  text, inverse frequencies from wordfreq's Arabic list (a frequency list
  shipped with a package, so batch, incremental and streaming runs would
  share it);
- title: the same cosine over the headline (the first 40 words without one);
- numbers: shared specific numbers (decimals, and integers of 10 and more
  that are not years) and shared people and organizations (canonical ids);
- occasion conflicts: published dates more than 4 days apart, or both texts
  state years (months, specific numbers) and share none: the same people
  or institution on another occasion.

Variants are clustered by single link (connected components over pairs
above a threshold) and by average link (two groups merge only when their
members' mean similarity passes it), and scored as pair precision, recall
and F1 against the gold events, like ``make eval``'s story figures.
"""

from __future__ import annotations

import argparse
import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import wordfreq
from khabar.transforms.text.metadata import MONTHS

from benchmarks.eval_devset import load_devset, load_output, pair_scores, same_label_pairs

HERE = Path(__file__).resolve().parent
WORD = re.compile(r"[\u0621-\u064A\u0660-\u0669\u06F0-\u06F9A-Za-z0-9]+")
NUMBER = re.compile(r"\d+(?:[.,\u066B]\d+)?")
YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20[0-4]\d)(?!\d)")
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
PREFIXES = ("وبال", "وال", "بال", "كال", "فال", "لل", "ال", "و", "ب", "ل", "ف")
# the month names metadata.py reads dates with (both naming traditions, the Maghreb's), normalized like text_normalized
MONTH = re.compile(r"(?<!\w)(" + "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True)) + r")(?!\w)")
MAX_ZIPF = 6.5  # a word this frequent (zipf) or more weighs nothing


@dataclass
class Page:
    id: str
    event: str
    published_at: datetime | None
    vector: dict[str, float]
    title_vector: dict[str, float]
    actors: set[tuple[str, str]]
    numbers: set[str]
    years: set[int]
    months: set[int]
    extra: dict[str, float] = field(default_factory=dict)


def stem(word: str) -> str:
    """One proclitic cluster off the front, teh marbuta / heh off the end; digits to ASCII."""
    word = word.translate(DIGITS)
    if word.isdigit():
        return word
    for prefix in PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            word = word[len(prefix) :]
            break
    return word[:-1] if len(word) > 3 and word.endswith("ه") else word


def tfidf(text: str, zipf: Callable[[str], float]) -> dict[str, float]:
    counts: Counter[str] = Counter()
    surface: dict[str, str] = {}
    for match in WORD.finditer(text):
        term = stem(match.group())
        if len(term) >= 2:
            counts[term] += 1
            surface.setdefault(term, match.group())
    weights = {t: (1 + math.log(n)) * max(0.0, MAX_ZIPF - zipf(surface[t])) for t, n in counts.items()}
    weights = {t: w for t, w in weights.items() if w > 0}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {t: w / norm for t, w in weights.items()}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def specific_numbers(text: str) -> set[str]:
    found = set()
    for match in NUMBER.finditer(text.translate(DIGITS)):
        value = match.group().replace(",", ".").replace("\u066b", ".")
        if YEAR.fullmatch(value) or ("." not in value and int(value) < 10):
            continue
        found.add(value)
    return found


def pages_of(output: Path) -> list[Page]:
    gold_pages, _, _ = load_devset(HERE / "devset")
    outputs, _ = load_output(output, gold_pages)
    cache: dict[str, float] = {}

    def zipf(word: str) -> float:
        if word not in cache:
            cache[word] = wordfreq.zipf_frequency(word, "ar")
        return cache[word]

    pages = []
    for gold in gold_pages:
        row = outputs[gold.id].article or {}
        title, text = row.get("title") or "", row.get("text_normalized") or ""
        both = f"{title}\n{text}".translate(DIGITS)
        pages.append(
            Page(
                gold.id,
                gold.gold["event"],
                row.get("published_at"),
                tfidf(f"{title}\n{text}", zipf),
                tfidf(title or " ".join(text.split()[:40]), zipf),
                {(m["type"], m["canonical"]) for m in outputs[gold.id].entities if m["type"] in ("PER", "ORG")},
                specific_numbers(both),
                {int(y) for y in YEAR.findall(both)},
                {MONTHS[m] for m in MONTH.findall(both)},
            )
        )
    return pages


def conflicts(a: Page, b: Page, which: Sequence[str]) -> bool:
    """Evidence of two occasions: dates far apart, or disjoint years / months / specific numbers."""
    if a.published_at and b.published_at and abs((a.published_at - b.published_at).total_seconds()) > 4 * 86400:
        return True
    disjoint = {
        "years": bool(a.years and b.years and not a.years & b.years),
        "months": bool(a.months and b.months and not a.months & b.months),
        "numbers": bool(len(a.numbers) >= 2 and len(b.numbers) >= 2 and not a.numbers & b.numbers),
    }
    return any(disjoint[w] for w in which)


def cluster(ids: Sequence[str], similarity: dict[tuple[str, str], float], threshold: float, link: str) -> list[list[str]]:
    """Greedy agglomeration: the best pair of groups above threshold merges, by single or average link."""
    groups = [[i] for i in ids]

    def sim(a: str, b: str) -> float:
        return similarity.get((a, b), similarity.get((b, a), 0.0))

    while True:
        best, chosen = threshold, None
        for x, y in itertools.combinations(range(len(groups)), 2):
            values = [sim(a, b) for a in groups[x] for b in groups[y]]
            value = max(values) if link == "single" else sum(values) / len(values)
            if value >= best:
                best, chosen = value, (x, y)
        if chosen is None:
            return groups
        x, y = chosen
        groups[x] += groups.pop(y)


def grouped_pairs(groups: list[list[str]]) -> set[tuple[str, str]]:
    """Every pair (a, b), a < b, of ids in one group: what the groups predict, for eval_devset.pair_scores."""
    return {pair for group in groups for pair in itertools.combinations(sorted(group), 2)}


VARIANTS: dict[str, tuple[Sequence[str], float, float, float]] = {
    # name: (conflicts that veto a pair, weight of shared numbers, of shared actors, of the title cosine)
    "cosine, dates only": ((), 0.0, 0.0, 0.0),
    "cosine, years and months veto": (("years", "months"), 0.0, 0.0, 0.0),
    "cosine, years, months and numbers veto": (("years", "months", "numbers"), 0.0, 0.0, 0.0),
    "+ shared numbers and actors": (("years", "months", "numbers"), 0.1, 0.05, 0.0),
    "+ title cosine": (("years", "months", "numbers"), 0.1, 0.05, 0.3),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, required=True, help="an existing khabar output folder of a run over the dev set")
    parser.add_argument("--thresholds", default="0.2,0.25,0.3,0.35,0.4,0.5")
    args = parser.parse_args(argv)
    pages = pages_of(args.output)
    ids = [p.id for p in pages]
    gold = same_label_pairs({p.id: p.event for p in pages})
    thresholds = [float(t) for t in args.thresholds.split(",")]
    print(f"{len(pages)} pages, {len(gold)} same-event pairs")
    print("| variant | link | threshold | P | R | F1 |\n| --- | --- | --- | --- | --- | --- |")
    for name, (vetoes, w_numbers, w_actors, w_title) in VARIANTS.items():
        similarity = {}
        for a, b in itertools.combinations(pages, 2):
            if conflicts(a, b, vetoes):
                continue
            similarity[(a.id, b.id)] = (
                cosine(a.vector, b.vector)
                + w_numbers * min(len(a.numbers & b.numbers), 3)
                + w_actors * min(len(a.actors & b.actors), 4)
                + w_title * cosine(a.title_vector, b.title_vector)
            )
        for link in ("single", "average"):
            for threshold in thresholds:
                scores = pair_scores(gold, grouped_pairs(cluster(ids, similarity, threshold, link)))
                print(f"| {name} | {link} | {threshold} | {scores['precision']:.3f} | {scores['recall']:.3f} | {scores['f1']:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
