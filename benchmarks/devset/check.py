"""Validate the development set's gold files against LABELLING.md.

    python3 benchmarks/devset/check.py [--pages DIR] [--gold DIR] [--summary] [--manifest FILE]

Every gold file must name its page, label each non-empty line of the page
exactly once, match the page's sha256 when the page is present, and carry the
fields the evaluation reads. ``--summary`` prints the set's coverage (pages,
outlets, countries, topics, multi-outlet events, pages with entities).
Exit code 1 when a file has a problem.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOPICS = {"politics", "economy", "sport", "health", "culture", "science", "disasters", "education", "society"}
TYPES = {"PER", "ORG", "LOC"}
REQUIRED = ("id", "url", "sha256", "outlet", "outlet_domain", "country", "topic", "event", "published", "title_line", "body_lines")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EVENT = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def problems_of(gold: dict, page: Path | None) -> list[str]:
    """What is wrong with one gold record (and its page, when given)."""
    out = [f"missing field {name}" for name in REQUIRED if name not in gold]
    if out:
        return out
    if gold["topic"] not in TOPICS:
        out.append(f"topic {gold['topic']!r} not one of {sorted(TOPICS)}")
    if not _EVENT.match(str(gold["event"])):
        out.append(f"event {gold['event']!r} is not a lowercase ascii label")
    if gold["published"] is not None and not _DATE.match(str(gold["published"])):
        out.append(f"published {gold['published']!r} is not YYYY-MM-DD or null")
    if not re.match(r"^[A-Z]{2}$", str(gold["country"])):
        out.append(f"country {gold['country']!r} is not ISO alpha-2")
    labelled: list[int] = []
    if gold["title_line"] is not None:
        labelled.append(gold["title_line"])
    for key in ("body_lines", "optional_lines", "boilerplate_lines"):
        labelled.extend(gold.get(key, []))
    twice = sorted(n for n, c in Counter(labelled).items() if c > 1)
    if twice:
        out.append(f"lines labelled more than once: {twice}")
    for entity in gold.get("entities", []):
        if entity.get("type") not in TYPES or not entity.get("text") or not entity.get("canonical"):
            out.append(f"bad entity {entity}")
    if page is None:
        return out
    if not page.exists():
        return [*out, f"page {page} not found"]
    data = page.read_bytes()
    if hashlib.sha256(data).hexdigest() != gold["sha256"]:
        out.append("sha256 does not match the page")
    lines = data.decode("utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    non_empty = {i for i, line in enumerate(lines, 1) if line.strip()}
    if set(labelled) - non_empty:
        out.append(f"labelled lines empty or out of range: {sorted(set(labelled) - non_empty)}")
    if non_empty - set(labelled):
        out.append(f"non-empty lines not labelled: {sorted(non_empty - set(labelled))}")
    text = "\n".join(lines[i - 1] for i in [gold["title_line"] or 0, *gold["body_lines"]] if 0 < i <= len(lines))
    for entity in gold.get("entities", []):
        if entity.get("text") and entity["text"] not in text:
            out.append(f"entity surface {entity['text']!r} not in the headline or body lines")
    return out


def summary(golds: list[dict]) -> dict:
    events: dict[str, set[str]] = defaultdict(set)
    for g in golds:
        events[g["event"]].add(g["outlet_domain"])
    return {
        "pages": len(golds),
        "outlets": len({g["outlet_domain"] for g in golds}),
        "countries": len({g["country"] for g in golds}),
        "topics": dict(Counter(g["topic"] for g in golds)),
        "events": len(events),
        "multi_outlet_events": sum(1 for outlets in events.values() if len(outlets) > 1),
        "pages_with_entities": sum(1 for g in golds if "entities" in g),
        "pages_with_date": sum(1 for g in golds if g["published"]),
        "pages_without_title": sum(1 for g in golds if g["title_line"] is None),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, default=HERE / "gold")
    parser.add_argument("--pages", type=Path, default=HERE / "pages")
    parser.add_argument("--summary", action="store_true")
    parser.add_argument("--manifest", type=Path, help="write the manifest (one JSON line a page: id, url, event, ...) to this file")
    args = parser.parse_args()
    golds, bad = [], 0
    urls: Counter[str] = Counter()
    for path in sorted(args.gold.glob("*.json")):
        try:
            gold = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as err:
            print(f"{path.name}: not JSON: {err}")
            bad += 1
            continue
        page = args.pages / f"{gold.get('id', path.stem)}.txt" if args.pages.exists() else None
        found = problems_of(gold, page)
        if gold.get("id") != path.stem:
            found.append(f"id {gold.get('id')!r} differs from the file name")
        for problem in found:
            print(f"{path.name}: {problem}")
        bad += bool(found)
        golds.append(gold)
        urls[gold.get("url", "")] += 1
    for url, count in urls.items():
        if count > 1:
            print(f"url used {count} times: {url}")
            bad += 1
    if args.manifest:
        fields = ("id", "url", "event", "topic", "country", "outlet_domain", "query", "sha256")
        with args.manifest.open("w", encoding="utf-8") as out:
            for gold in golds:
                out.write(json.dumps({k: gold.get(k) for k in fields}, ensure_ascii=False) + "\n")
    if args.summary and golds:
        print(json.dumps(summary([g for g in golds if all(k in g for k in REQUIRED)]), ensure_ascii=False, indent=1))
    print(f"{len(golds)} gold files, {bad} with problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
