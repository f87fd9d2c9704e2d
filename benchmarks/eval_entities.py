"""Entity extraction against the gold of the samples, and on ANERcorp's development part.

Usage: python -m benchmarks.eval_entities [--gold tests/fixtures/gold_seeds.json] [--samples samples] [--verbose]
           [--ner tagger] [--anercorp PATH [--dev-share 0.1]]

Per-type and micro precision/recall/F1, matching on (normalized surface,
type) per article, over the article's title and body (extracted together, as
the pipeline does); and canonical-linking
accuracy: over all pairs of gold surfaces found, the share where "same gold
canonical" agrees with "same entity_id". ``--ner`` picks the backend
(EntityConfig.ner: "tagger", the default, or "rules", ...).

With ``--anercorp PATH`` (ANERcorp's training file, never part of the
repository), it also scores the development part the tagger was tuned on
(the last ``--dev-share`` of the file's sentences, benchmarks/anercorp.py):
span-level precision, recall and F1 by type and micro over PER, ORG and LOC
(exact first and last word and type; a mention starting after a proclitic
covers its word) for the tagger alone, the rules alone (``ner="rules"``) and
the combination (``ner="tagger"``), each article being ten of the corpus's
sentences.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from itertools import combinations
from pathlib import Path

from khabar.transforms.text.canonical import resolve
from khabar.transforms.text.entity_rules import EntityConfig, EntityExtractor
from khabar.transforms.text.normalize import normalize_text
from khabar.transforms.text.page_lines import extract_text_page
from khabar.transforms.text.tagger import Tagger

from benchmarks import anercorp
from benchmarks.gold import prf


def evaluate(gold_path: Path, samples: Path, verbose: bool = False, ner: str | None = None) -> dict[str, object]:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    extractor = EntityExtractor(EntityConfig(ner=ner) if ner else None)
    predicted: dict[str, list[tuple[str, str, tuple[str, str]]]] = {}
    surfaces: dict[tuple[str, str], list[str]] = defaultdict(list)
    for article in gold["articles"]:
        page = extract_text_page((samples / article["file"]).read_text(encoding="utf-8"))
        found = []
        # the title and the body extracted together, as the pipeline does (each mention's field names its string)
        fields = {"title": page.title or "", "text": "\n\n".join(page.body)}
        for m in extractor.extract_article(fields["title"], fields["text"], page.author):
            found.append((normalize_text(fields[m.field][m.start : m.end]), m.type, (m.type, m.key)))
            surfaces[(m.type, m.key)].append(m.canonical)
        predicted[article["file"]] = found
    table = resolve(surfaces.items())
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp fp fn per type
    linked: list[tuple[str, str, str]] = []  # (gold canonical key, predicted entity id, type)
    misses: dict[str, dict[str, list[str]]] = {}
    for article in gold["articles"]:
        want = {(normalize_text(e["text"]), e["type"]): normalize_text(e["canonical"]) for e in article["entities"]}
        got: dict[tuple[str, str], str] = {}
        for surface, type_, key in predicted[article["file"]]:
            got.setdefault((surface, type_), table[key][0])
        for item in set(want) | set(got):
            type_ = item[1]
            if item in want and item in got:
                counts[type_][0] += 1
                linked.append((want[item], got[item], type_))
            elif item in got:
                counts[type_][1] += 1
            else:
                counts[type_][2] += 1
        misses[article["file"]] = {
            "missed": sorted(f"{s}/{t}" for s, t in set(want) - set(got)),
            "spurious": sorted(f"{s}/{t}" for s, t in set(got) - set(want)),
        }
    report: dict[str, object] = {}
    total = [0, 0, 0]
    for type_ in ("PER", "ORG", "LOC"):
        tp, fp, fn = counts[type_]
        total = [a + b for a, b in zip(total, (tp, fp, fn), strict=True)]
        report[type_] = prf(tp, fp, fn)
    report["micro"] = prf(*total)
    pairs = [(a, b) for a, b in combinations(linked, 2) if a[2] == b[2]]
    agree = sum((a[0] == b[0]) == (a[1] == b[1]) for a, b in pairs)
    report["linking_accuracy"] = round(agree / len(pairs), 4) if pairs else 1.0
    groups: dict[str, set[str]] = defaultdict(set)
    for canonical, entity, type_ in linked:
        groups[f"{type_}:{canonical}"].add(entity)
    report["canonical_groups_split"] = sorted(g for g, ids in groups.items() if len(ids) > 1)
    if verbose:
        report["errors"] = misses
    return report


def evaluate_anercorp(corpus: Path, dev_share: float = 0.1, tagger: str = "tagger") -> dict[str, object]:
    """The development part scored for the tagger alone, the rules alone and their combination (``tagger``: an EntityConfig.ner
    value of the tagger backend, "tagger" or "tagger:/path/to/model.tsv")."""
    _, development = anercorp.split(anercorp.sentences(anercorp.read(corpus)), dev_share)
    documents = anercorp.documents(development)
    combined = EntityExtractor(EntityConfig(ner=tagger))
    assert combined.tagger is not None
    rules = EntityExtractor(EntityConfig(ner="rules"))
    golds = [anercorp.spans_of(doc.labels) for doc in documents]

    def scored(predict) -> dict[str, object]:
        return anercorp.score(zip(golds, (predict(doc) for doc in documents), strict=True))

    def extracted(extractor: EntityExtractor, doc: anercorp.Document) -> set[tuple[int, int, str]]:
        return anercorp.mention_spans(doc, ((m.start, m.end, m.type) for m in extractor.extract(doc.text)))

    alone: Tagger = combined.tagger
    return {
        "documents": len(documents),
        "words": sum(len(d.words) for d in documents),
        "gold_spans": sum(len(g) for g in golds),
        "tagger": scored(lambda d: set(alone.spans(d.text, d.words, d.starts, d.ends))),
        "rules": scored(lambda d: extracted(rules, d)),
        "combined": scored(lambda d: extracted(combined, d)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, default=Path("tests/fixtures/gold_seeds.json"))
    parser.add_argument("--samples", type=Path, default=Path("samples"))
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--ner", help="EntityConfig.ner (default: tagger)")
    parser.add_argument("--anercorp", type=Path, help="ANERcorp's training file: also score its development part")
    parser.add_argument("--dev-share", type=float, default=0.1)
    args = parser.parse_args()
    report = evaluate(args.gold, args.samples, args.verbose, args.ner)
    if args.anercorp:
        tagger = args.ner if args.ner and args.ner.startswith("tagger") else "tagger"
        report = {"samples": report, "anercorp_dev": evaluate_anercorp(args.anercorp, args.dev_share, tagger)}
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
