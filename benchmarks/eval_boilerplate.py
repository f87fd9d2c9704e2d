"""Line-level evaluation of boilerplate removal against the gold of the samples.

Usage: python -m benchmarks.eval_boilerplate [--gold tests/fixtures/gold_seeds.json] [--samples samples] [--verbose]

Reports body-line precision/recall/F1 (optional lines count either way),
title exact-match rate, and source and date accuracy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from khabar.transforms.text.normalize import normalize_text
from khabar.transforms.text.page_lines import classify_lines, extract_text_page

from benchmarks.gold import gold_arguments


@dataclass
class Report:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    titles: int = 0
    sources: int = 0
    dates: int = 0
    articles: int = 0
    lost_body: dict[str, list[int]] | None = None

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "body_precision": round(self.precision, 4),
            "body_recall": round(self.recall, 4),
            "body_f1": round(self.f1, 4),
            "titles": f"{self.titles}/{self.articles}",
            "sources": f"{self.sources}/{self.articles}",
            "dates": f"{self.dates}/{self.articles}",
            "lost_body_lines": self.lost_body,
        }


def evaluate(gold_path: Path, samples: Path, verbose: bool = False) -> Report:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    report = Report(lost_body={})
    for article in gold["articles"]:
        text = (samples / article["file"]).read_text(encoding="utf-8")
        lines = text.split("\n")
        _, units = classify_lines(lines)
        kept = {u.index + 1 for u in units if u.reason == "body"}
        body, optional = set(article["body_lines"]), set(article["optional_lines"])
        report.tp += len(kept & body)
        report.fp += len(kept - body - optional)
        report.fn += len(body - kept)
        if body - kept:
            report.lost_body[article["file"]] = sorted(body - kept)
        extraction = extract_text_page(text)
        report.articles += 1
        report.titles += normalize_text(extraction.title or "") == normalize_text(article["title"])
        report.sources += normalize_text(extraction.source_name or "") == normalize_text(article["source"] or "")
        expected = datetime.fromisoformat(article["published"]) if article["published"] else None
        report.dates += extraction.published_at == expected
        if verbose:
            print(f"== {article['file']}  title={extraction.title!r} source={extraction.source_name!r} date={extraction.published_at}")
            for u in units:
                mark = "B" if u.index + 1 in body else "o" if u.index + 1 in optional else "-"
                flag = "" if (u.reason == "body") == (mark == "B") or mark == "o" else "  <-- WRONG"
                print(f"  {u.index + 1:3d} {mark} {u.cls:9s} {u.reason:16s} {u.text[:50]}{flag}")
    return report


def main() -> None:
    args = gold_arguments(__doc__)
    print(json.dumps(evaluate(args.gold, args.samples, args.verbose).as_dict(), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
