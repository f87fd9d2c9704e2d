"""Generate corpora of N articles with planted duplicates and ground truth.

Usage: python -m benchmarks.corpus --articles 10000 --out benchmarks/corpora/10k

Real sentences of the sample articles are recombined into about 4 KB pages.
So that unrelated articles do not share long verbatim passages by accident
(the sentence pool is small), every sentence used by a new story is
mutated: a fifth of its words swapped with neighbours or replaced from the
vocabulary, and never more than five original words in a row. Each page gets site boilerplate (navigation, related links,
comment form). Planted relations, recorded in truth.json:

- exact: the same text under another URL;
- near: small edits (a few words changed, one paragraph dropped or two
  swapped, different boilerplate): word 5-shingle Jaccard about 0.8 to 0.95;
- story: a rewrite by another outlet keeping two or three sentences verbatim
  (quotes) around new text, with the same people named.

Output: JSONL files of 1,000 articles ({"url", "text"}), truth.json
({url: {"story": label, "kind": "original|exact|near|story"}}) and
manifest.json (counts, bytes, seed).
"""

from __future__ import annotations

import argparse
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent.parent / "samples"

NAV = ["الرئيسية", "أخبار", "سياسة", "اقتصاد", "رياضة", "تكنولوجيا", "آخر الأخبار", "التغطية الحية"]
FOOTERS = [
    ["مقالات ذات صلة", "{title}", "فريق التحرير", "{title}", "فريق التحرير"],
    ["اترك رد", "لن يتم نشر عنوان بريدك الإلكتروني."],
    ["الأكثر قراءة", "{title}", "{title}"],
    ["Print Friendly, PDF & Email", "1 تعليق"],
]
PEOPLE = [
    f"{first} {last}"
    for first in ("قاسم", "فالح", "عثمان", "محمد", "عبد الأمير", "مصطفى", "حيدر", "بشار", "خالد", "سعد", "نوري", "عادل")
    for last in ("الأعرجي", "الفياض", "الغانمي", "الرحمون", "الشمري", "الكاظمي", "العبادي", "الأسد", "الجبوري", "الدليمي")
]


@dataclass
class Article:
    url: str
    text: str
    story: str
    kind: str


def sentence_pool() -> list[str]:
    from khabar.transforms.text.page_lines import extract_text_page

    sentences = []
    for path in sorted(SAMPLES.glob("*.txt")):
        for paragraph in extract_text_page(path.read_text(encoding="utf-8")).body:
            sentences.extend(s.strip() + "." for s in re.split(r"(?<=[.!؟])\s+|،\s+(?=و)", paragraph) if len(s.split()) >= 6)
    return sentences


class Generator:
    def __init__(self, seed: int = 7) -> None:
        self.random = random.Random(seed)
        self.pool = sentence_pool()
        self.vocabulary = sorted({w for s in self.pool for w in s.split() if len(w) > 3})

    def mutate(self, sentence: str, rate: float = 0.2, max_run: int = 5) -> str:
        """Swap or replace about `rate` of the words, and at least one in every
        max_run + 1, so no run of more than max_run original words survives."""
        words = sentence.split()
        since = self.random.randrange(max_run)  # where the first forced edit falls differs from copy to copy
        for i in range(len(words)):
            roll = self.random.random()
            since += 1
            if since > max_run:
                roll = rate / 2  # forced: a random replacement (a forced swap would repeat across copies)
            if roll < rate / 2 and i + 1 < len(words):
                words[i], words[i + 1] = words[i + 1], words[i]
                since = 0
            elif roll < rate:
                words[i] = self.random.choice(self.vocabulary)
                since = 0
        return " ".join(words)

    def paragraphs(self, size_chars: int = 2800) -> list[str]:
        out, total = [], 0
        while total < size_chars:
            paragraph = " ".join(self.mutate(self.random.choice(self.pool)) for _ in range(self.random.randint(2, 3)))
            out.append(paragraph)
            total += len(paragraph)
        person = self.random.choice(PEOPLE)
        out[0] = f"وقال {person} إن {out[0]}"
        return out

    def page(self, title: str, paragraphs: list[str], site: int) -> str:
        rnd = random.Random(site)
        nav = rnd.sample(NAV, 3)
        footer = [line.format(title=self.mutate(self.random.choice(self.pool), 0.3)[:70]) for line in FOOTERS[site % len(FOOTERS)]]
        return "\n\n".join([*nav, title, *paragraphs, *footer])

    def near_copy(self, paragraphs: list[str]) -> list[str]:
        edited = list(paragraphs)
        if len(edited) > 3 and self.random.random() < 0.5:
            del edited[self.random.randrange(1, len(edited))]
        elif len(edited) > 3:
            i = self.random.randrange(1, len(edited) - 1)
            edited[i], edited[i + 1] = edited[i + 1], edited[i]
        return [self.mutate(p, 0.02, max_run=10_000) for p in edited]

    def rewrite(self, paragraphs: list[str]) -> list[str]:
        sentences = [s for p in paragraphs for s in re.split(r"(?<=\.)\s+", p) if len(s.split()) >= 10]
        quotes = self.random.sample(sentences, min(len(sentences), self.random.randint(2, 3)))
        fresh = self.paragraphs(1900)
        for quote in quotes:
            fresh.insert(self.random.randrange(1, len(fresh) + 1), f"ونقلت الوكالة عن المصدر قوله: {quote}")
        fresh[0] = paragraphs[0].split(" إن ", 1)[0] + " إن " + fresh[0]  # the same person opens the story
        return fresh

    def corpus(self, n: int) -> list[Article]:
        articles: list[Article] = []
        story = 0
        while len(articles) < n:
            story += 1
            label = f"s{story:07d}"
            title = self.mutate(self.random.choice(self.pool), 0.3)[:90]
            body = self.paragraphs()
            site = self.random.randrange(40)
            original = Article(f"https://site{site}.example/{label}/0", self.page(title, body, site), label, "original")
            articles.append(original)
            roll = self.random.random()
            if roll < 0.10:
                articles.append(Article(f"https://site{site + 1}.example/{label}/exact", original.text, label, "exact"))
            elif roll < 0.25:
                other = self.random.randrange(40)
                articles.append(
                    Article(f"https://site{other}.example/{label}/near", self.page(title, self.near_copy(body), other), label, "near")
                )
            elif roll < 0.35:
                other = self.random.randrange(40)
                articles.append(
                    Article(
                        f"https://site{other}.example/{label}/story",
                        self.page(self.mutate(title, 0.5), self.rewrite(body), other),
                        label,
                        "story",
                    )
                )
        return articles[:n]


def write(articles: list[Article], out: Path, per_file: int = 1000) -> dict[str, object]:
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("part-*.jsonl"):
        old.unlink()
    total_bytes = 0
    for start in range(0, len(articles), per_file):
        chunk = articles[start : start + per_file]
        lines = [json.dumps({"url": a.url, "text": a.text}, ensure_ascii=False) for a in chunk]
        data = "\n".join(lines) + "\n"
        total_bytes += len(data.encode("utf-8"))
        (out / f"part-{start // per_file:05d}.jsonl").write_text(data, encoding="utf-8")
    truth = {a.url: {"story": a.story, "kind": a.kind} for a in articles}
    (out / "_truth.json").write_text(json.dumps(truth), encoding="utf-8")
    kinds: dict[str, int] = {}
    for a in articles:
        kinds[a.kind] = kinds.get(a.kind, 0) + 1
    manifest = {"articles": len(articles), "bytes": total_bytes, "mean_kb": round(total_bytes / len(articles) / 1024, 2), "kinds": kinds}
    (out / "_manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def ensure(n: int, out: Path, seed: int = 7) -> dict[str, object]:
    """Build the corpus unless one of that size and seed is already there."""
    manifest_path = out / "_manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("articles") == n and manifest.get("seed") == seed:
            return manifest
    manifest = write(Generator(seed).corpus(n), out)
    manifest["seed"] = seed
    manifest_path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/corpora/10k"))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(json.dumps(ensure(args.articles, args.out, args.seed), indent=2))


if __name__ == "__main__":
    main()
