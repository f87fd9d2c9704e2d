"""Score a khabar run on the real-pages development set (benchmarks/devset/).

    python -m benchmarks.eval_devset [--devset DIR] [--output DIR] [--work DIR] [--json FILE] [--verbose]

Builds one JSONL file ({"url", "text"} a page, for every gold file whose page
is on disk), runs ``khabar run --input <jsonl> --output <dir> --quiet`` (the
khabar next to this interpreter), maps the output articles back to the gold by
their ``url`` (rejects by their ``#L<line>`` record key) and scores, against
the gold of benchmarks/devset/LABELLING.md:

- body words: the words of the gold body lines against the words of
  ``articles.text`` as multisets (words: whitespace-split, punctuation stripped
  from both ends). Words of optional lines are neutral: they are taken out of
  the output multiset, up to their count, where the output has more of them
  than the body does. Micro and macro recall and precision, the pages keeping
  less than 80% of their body words, the 10 worst pages by word F1;
- headlines: exact (whitespace-normalised) and lenient (one contains the other)
  matches on pages with a gold headline; on pages without one, the titles output
  anyway, by the kind of line they came from;
- outlets (normalised names equal or one containing the other; apart, the pages
  whose text names the outlet, and on the others how many got the outlet's
  domain, an unknown domain's fallback), dates (the UTC
  date of ``published_at``), entities ((surface, type) sets, one leading
  proclitic tolerated), canonical linking (same gold canonical <-> same
  ``entity_id``) and stories (same-event page pairs against same-``story_id``
  pairs).

A rejected page (or one missing from the output) keeps nothing: recall 0, no
headline, outlet, date, entity or story. ``--output DIR`` scores an existing run
of this script's input instead of running (``--work DIR`` keeps the input and
the run under DIR). The JSON (``--json``) holds figures, page ids, event labels
and gold entity names only, never the pages' text; ``--verbose`` prints every
error, output text included, to stdout.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import combinations
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_DEVSET = HERE / "devset"
LOW_RECALL = 0.8
WORST = 10
TYPES = ("PER", "ORG", "LOC")
PROCLITICS = "وفبلك"

# ---------------------------------------------------------------------------
# Words


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


def strip_punct(token: str) -> str:
    """The token without the punctuation and symbols at its two ends."""
    start, end = 0, len(token)
    while start < end and _is_punct(token[start]):
        start += 1
    while end > start and _is_punct(token[end - 1]):
        end -= 1
    return token[start:end]


def words(text: str | None) -> Counter[str]:
    """The multiset of words of a text: split on whitespace, punctuation stripped, empty tokens dropped."""
    out: Counter[str] = Counter()
    for token in (text or "").split():
        word = strip_punct(token)
        if word:
            out[word] += 1
    return out


@dataclass
class WordScore:
    gold: int  # body words of the gold
    output: int  # output words scored (after taking the neutral ones out)
    matched: int
    neutral: int  # output words taken out as words of optional lines

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float | None:
        """None when the output has no word to score."""
        return self.matched / self.output if self.output else None

    @property
    def f1(self) -> float:
        p, r = self.precision or 0.0, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score_words(body: Counter[str], optional: Counter[str], output: Counter[str]) -> WordScore:
    """Body words against output words; optional words are neutral.

    An optional word is taken out of the output where the output holds more of
    it than the body does (up to the optional lines' count), so keeping an
    optional line costs no precision and a body word that also occurs in an
    optional line still counts for recall.
    """
    neutral = Counter({w: min(n, output[w] - body[w]) for w, n in optional.items() if output[w] > body[w]})
    scored = output - neutral
    return WordScore(
        gold=sum(body.values()),
        output=sum(scored.values()),
        matched=sum((body & scored).values()),
        neutral=sum(neutral.values()),
    )


# ---------------------------------------------------------------------------
# Headlines, outlets


def ws(text: str | None) -> str:
    """Whitespace-normalised text (runs of whitespace as one space, stripped)."""
    return " ".join((text or "").split())


def headline_match(output: str | None, gold: str) -> tuple[bool, bool]:
    """(exact, lenient): equal after whitespace normalisation; one contains the other."""
    a, b = ws(output), ws(gold)
    if not a or not b:
        return False, False
    return a == b, a == b or a in b or b in a


def title_origin(title: str, lines: Mapping[str, Sequence[str]]) -> str:
    """Which kind of page line an output title came from: 'body', 'optional', 'boilerplate' or 'other'.

    ``lines`` maps each kind to its lines. An equal line wins over a line that
    contains the title (or that the title contains); earlier kinds win ties.
    """
    t = ws(title)
    kinds = ("body", "optional", "boilerplate")
    for kind in kinds:
        if any(ws(line) == t for line in lines.get(kind, ())):
            return kind
    for kind in kinds:
        if any(ws(line) and (t in ws(line) or ws(line) in t) for line in lines.get(kind, ())):
            return kind
    return "other"


_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ي", "ى": "ي", "ة": "ه"})


def _fold(text: str) -> str:
    """Letters folded for comparing outlet names: NFKC, case, diacritics and tatweel dropped,
    hamza/alef forms, teh marbuta and alef maksura folded, punctuation as spaces."""
    s = unicodedata.normalize("NFKC", text).casefold()
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Mn" and ch != "ـ").translate(_LETTERS)
    return "".join(" " if _is_punct(ch) else ch for ch in s)


def normalize_outlet(name: str | None) -> str:
    """Outlet name for comparison: hamza/alef forms, teh marbuta and alef maksura
    folded, diacritics, tatweel and punctuation dropped, a leading definite
    article dropped, no spaces, Latin letters case-folded."""
    s = ws(_fold(name or ""))
    if s.startswith("ال") and len(s) > 3:
        s = s[2:]
    return s.replace(" ", "")


def outlet_match(output: str | None, gold: str | None) -> bool:
    a, b = normalize_outlet(output), normalize_outlet(gold)
    return bool(a and b) and (a == b or a in b or b in a)


# ---------------------------------------------------------------------------
# Entities


def clitic_variants(surface: str) -> set[str]:
    """The surface and the surface without one leading proclitic (و ف ب ل ك, or ال); a surface that
    starts with ل as the text's "لل" leaves it ("لبنك" of "للبنك") is also the name with its article
    ("البنك"), as LABELLING.md has the labeller write it."""
    s = ws(surface)
    out = {s}
    if len(s) > 2 and s[0] in PROCLITICS:
        out.add(s[1:])
    if len(s) > 2 and s[0] == "ل" and s[1] != "ل":
        out.add("ا" + s)
    if len(s) > 3 and s.startswith("ال"):
        out.add(s[2:])
    return out


def surfaces_match(a: str, b: str) -> bool:
    """Equal, or equal once one leading proclitic is taken off one side."""
    a, b = ws(a), ws(b)
    return a == b or b in clitic_variants(a) or a in clitic_variants(b)


Mention = tuple[str, str]  # (surface, type)


def match_entities(gold: Iterable[Mention], output: Iterable[Mention]) -> list[tuple[Mention, Mention]]:
    """A maximum one-to-one matching of gold to output mentions of the same type
    whose surfaces match (exact partners preferred)."""
    gold_list = sorted(set(gold))
    out_list = sorted(set(output))
    candidates = {
        g: sorted((o for o in out_list if o[1] == g[1] and surfaces_match(g[0], o[0])), key=lambda o: (ws(o[0]) != ws(g[0]), o))
        for g in gold_list
    }
    partner: dict[Mention, Mention] = {}  # output -> gold

    def augment(g: Mention, seen: set[Mention]) -> bool:
        for o in candidates[g]:
            if o in seen:
                continue
            seen.add(o)
            if o not in partner or augment(partner[o], seen):
                partner[o] = g
                return True
        return False

    for g in gold_list:
        augment(g, set())
    return sorted(((g, o) for o, g in partner.items()), key=lambda pair: pair[0])


def prf(tp: int, fp: int, fn: int) -> dict[str, Any]:
    """Counts with precision, recall and F1 (1.0 where nothing was expected or predicted)."""
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def pair_scores(gold: set[tuple[str, str]], predicted: set[tuple[str, str]]) -> dict[str, Any]:
    """Pair precision, recall and F1 (pairs as sorted id tuples)."""
    tp = len(gold & predicted)
    out = prf(tp, len(predicted) - tp, len(gold) - tp)
    return {"gold_pairs": len(gold), "predicted_pairs": len(predicted), **out}


def same_label_pairs(labels: Mapping[str, str | None]) -> set[tuple[str, str]]:
    """Every pair (a, b), a < b, of keys sharing a non-null label."""
    groups: dict[str, list[str]] = defaultdict(list)
    for key, label in labels.items():
        if label is not None:
            groups[label].append(key)
    return {pair for members in groups.values() for pair in combinations(sorted(members), 2)}


# ---------------------------------------------------------------------------
# The dev set and the run's output


@dataclass
class Page:
    id: str
    gold: dict[str, Any]
    text: str
    lines: list[str]

    def line(self, number: int | None) -> str:
        return self.lines[number - 1] if number and 0 < number <= len(self.lines) else ""

    def lines_of(self, key: str) -> list[str]:
        return [self.line(n) for n in self.gold.get(key) or []]

    @property
    def title(self) -> str | None:
        return self.line(self.gold["title_line"]) if self.gold.get("title_line") else None


@dataclass
class Output:
    """What the run made of one page: an article row (with its entity rows), a reject, or nothing."""

    status: str  # 'article', 'reject' or 'missing'
    article: dict[str, Any] | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    reject_reason: str | None = None


def page_lines(text: str) -> list[str]:
    """The page's lines as LABELLING.md numbers them (the final newline ends the last line)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def load_devset(devset: Path) -> tuple[list[Page], list[str], list[str]]:
    """(pages with their text, ids of gold files without a page, ids whose page's sha256 differs from the gold)."""
    pages, absent, changed = [], [], []
    for path in sorted((devset / "gold").glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        page_id = gold.get("id", path.stem)
        page = devset / "pages" / f"{page_id}.txt"
        if not page.exists():
            absent.append(page_id)
            continue
        data = page.read_bytes()
        if gold.get("sha256") and hashlib.sha256(data).hexdigest() != gold["sha256"]:
            changed.append(page_id)
        text = data.decode("utf-8")
        pages.append(Page(page_id, gold, text, page_lines(text)))
    return pages, absent, changed


def write_input(pages: Sequence[Page], path: Path) -> None:
    with path.open("w", encoding="utf-8") as f:
        for page in pages:
            f.write(json.dumps({"url": page.gold["url"], "text": page.text}, ensure_ascii=False) + "\n")


def khabar_command() -> str:
    here = Path(sys.executable).parent / "khabar"
    return str(here) if here.exists() else "khabar"


def run_khabar(input_path: Path, output: Path) -> None:
    env = dict(os.environ)
    env.setdefault("CAMELTOOLS_DATA", str(ROOT / ".camel_tools_data"))
    command = [khabar_command(), "run", "--input", str(input_path), "--output", str(output), "--quiet"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(f"khabar run failed with exit code {done.returncode}: {' '.join(command)}")


def read_table(output: Path, table: str) -> list[dict[str, Any]]:
    folder = output / table
    if not folder.exists():
        return []
    return ds.dataset(folder, format="parquet", partitioning="hive").to_table().to_pylist()


_RECORD = re.compile(r"#L(\d+)$")


class RecordUrls:
    """The url of the input record a source_uri ('file:///x.jsonl#L12') names: read
    from that JSONL when it is on disk, else taken from the pages in input order."""

    def __init__(self, pages: Sequence[Page]) -> None:
        self.fallback = [page.gold["url"] for page in pages]
        self.files: dict[str, list[str | None] | None] = {}

    def __call__(self, source_uri: str) -> str | None:
        found = _RECORD.search(source_uri or "")
        if not found:
            return None
        number = int(found.group(1))
        urls = self._file(source_uri[: found.start()]) or self.fallback
        return urls[number - 1] if 0 < number <= len(urls) else None

    def _file(self, uri: str) -> list[str | None] | None:
        if uri not in self.files:
            path = Path(uri.removeprefix("file://"))
            urls: list[str | None] | None = None
            if path.is_file():
                urls = []
                for line in path.read_text(encoding="utf-8").split("\n")[:-1]:
                    try:
                        urls.append(json.loads(line).get("url"))
                    except (ValueError, AttributeError):
                        urls.append(None)
            self.files[uri] = urls
        return self.files[uri]


def load_output(output: Path, pages: Sequence[Page]) -> tuple[dict[str, Output], dict[str, Any]]:
    """Each page's Output, and facts about the run (run id, version, rows not mapped to a page)."""
    articles, entities, rejects = (read_table(output, t) for t in ("articles", "entities", "rejects"))
    runs = sorted({r["run_id"] for r in articles + rejects})
    if len(runs) > 1:  # an output directory several runs wrote to: the latest run only
        articles = [r for r in articles if r["run_id"] == runs[-1]]
        entities = [r for r in entities if r["run_id"] == runs[-1]]
        rejects = [r for r in rejects if r["run_id"] == runs[-1]]
    by_url = {page.gold["url"]: page.id for page in pages}
    record_url = RecordUrls(pages)
    mentions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in entities:
        mentions[row["article_id"]].append(row)
    outputs: dict[str, Output] = {}
    unmapped = 0
    for row in sorted(articles, key=lambda r: r["article_id"]):
        page_id = by_url.get(row.get("url") or "") or by_url.get(record_url(row["source_uri"]) or "")
        if page_id is None or page_id in outputs:
            unmapped += 1
            continue
        outputs[page_id] = Output("article", row, mentions.get(row["article_id"], []))
    for row in sorted(rejects, key=lambda r: r["source_uri"]):
        page_id = by_url.get(record_url(row["source_uri"]) or "")
        if page_id is None or page_id in outputs:
            unmapped += 1
            continue
        outputs[page_id] = Output("reject", reject_reason=f"{row['stage']}/{row['reason']}")
    for page in pages:
        outputs.setdefault(page.id, Output("missing"))
    run = {
        "run_id": runs[-1] if runs else None,
        "pipeline_version": articles[0]["pipeline_version"] if articles else None,
        "unmapped_rows": unmapped,
    }
    return outputs, run


# ---------------------------------------------------------------------------
# Scoring


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _date_of(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value)[:10]


def score_body(pages: Sequence[Page], outputs: Mapping[str, Output]) -> tuple[dict[str, Any], dict[str, WordScore]]:
    per_page: dict[str, WordScore] = {}
    for page in pages:
        body = words("\n".join(page.lines_of("body_lines")))
        optional = words("\n".join(page.lines_of("optional_lines")))
        article = outputs[page.id].article
        per_page[page.id] = score_words(body, optional, words(article["text"] if article else ""))
    scores = list(per_page.values())
    gold = sum(s.gold for s in scores)
    out = sum(s.output for s in scores)
    matched = sum(s.matched for s in scores)
    micro = prf(matched, out - matched, gold - matched)
    low = sorted(pid for pid, s in per_page.items() if s.recall < LOW_RECALL)
    worst = sorted(per_page.items(), key=lambda item: (item[1].f1, item[1].recall, item[0]))[:WORST]
    report = {
        "gold_words": gold,
        "output_words": out,
        "neutral_words": sum(s.neutral for s in scores),
        "matched_words": matched,
        "micro_recall": micro["recall"],
        "micro_precision": micro["precision"],
        "micro_f1": micro["f1"],
        "macro_recall": _round(_mean([s.recall for s in scores])),
        "macro_precision": _round(_mean([s.precision for s in scores if s.precision is not None])),
        "pages_below_80": len(low),
        "pages_below_80_ids": low,
        "worst": [{"id": pid, "recall": _round(s.recall), "precision": _round(s.precision), "f1": _round(s.f1)} for pid, s in worst],
    }
    return report, per_page


def score_headlines(pages: Sequence[Page], outputs: Mapping[str, Output]) -> dict[str, Any]:
    titled = {"pages": 0, "exact": 0, "lenient": 0, "no_title": 0, "wrong_ids": [], "no_title_ids": [], "lenient_only_ids": []}
    untitled: dict[str, Any] = {"pages": 0, "with_title": 0, "body_line": 0, "boilerplate_or_optional": 0}
    origins: Counter[str] = Counter()
    spurious: dict[str, str] = {}
    for page in pages:
        article = outputs[page.id].article
        title = ws(article["title"]) if article else ""
        if page.title is not None:
            titled["pages"] += 1
            exact, lenient = headline_match(title, page.title)
            titled["exact"] += exact
            titled["lenient"] += lenient
            if not title:
                titled["no_title"] += 1
                titled["no_title_ids"].append(page.id)
            elif not lenient:
                titled["wrong_ids"].append(page.id)
            elif not exact:
                titled["lenient_only_ids"].append(page.id)
            continue
        untitled["pages"] += 1
        if not title:
            continue
        untitled["with_title"] += 1
        kinds = {kind: page.lines_of(f"{kind}_lines") for kind in ("body", "optional", "boilerplate")}
        origin = title_origin(title, kinds)
        origins[origin] += 1
        spurious[page.id] = origin
    untitled["body_line"] = origins["body"]
    untitled["boilerplate_or_optional"] = origins["boilerplate"] + origins["optional"]
    untitled["boilerplate_line"] = origins["boilerplate"]
    untitled["optional_line"] = origins["optional"]
    untitled["other"] = origins["other"]
    untitled["ids"] = dict(sorted(spurious.items()))
    return {"with_gold_title": titled, "without_gold_title": untitled}


def _outlet_tokens(text: str) -> list[str]:
    """Words for finding an outlet's name in a page: letters folded as in normalize_outlet, punctuation dropped."""
    return _fold(text).split()


def names_outlet(page: Page) -> bool:
    """Whether the page's text names its outlet: the gold name's words in a row, the first word with or without
    the article or one proclitic ("الوطن" in "جريدة الوطن", not in "الوطني")."""
    words = _outlet_tokens(page.gold.get("outlet") or "")
    if not words:
        return False
    first = words[0][2:] if words[0].startswith("ال") and len(words[0]) > 3 else words[0]
    heads = {first, "ال" + first} | {p + first for p in PROCLITICS} | {p + "ال" + first for p in PROCLITICS}
    tokens = _outlet_tokens(page.text)
    n = len(words)
    return any(tokens[i] in heads and tokens[i + 1 : i + n] == words[1:] for i in range(len(tokens) - n + 1))


def score_outlets(pages: Sequence[Page], outputs: Mapping[str, Output]) -> dict[str, Any]:
    """Outlet names against the gold's, on all pages and on the pages whose text names the outlet (the target's
    pages); a page whose text does not name it counts as identified by its domain when source_name is the gold's
    domain (an unknown domain's fallback)."""
    report: dict[str, Any] = {"pages": 0, "found": 0, "right": 0, "wrong_ids": [], "not_found_ids": []}
    named: dict[str, Any] = {"pages": 0, "right": 0, "wrong_ids": []}
    unnamed: dict[str, Any] = {"pages": 0, "right": 0, "by_domain": 0, "wrong_ids": []}
    for page in pages:
        if not ws(page.gold.get("outlet")):
            continue
        report["pages"] += 1
        article = outputs[page.id].article
        name = ws(article["source_name"]) if article else ""
        right = bool(name) and outlet_match(name, page.gold["outlet"])
        by_domain = bool(name) and name.casefold() == (page.gold.get("outlet_domain") or "").casefold()
        if name:
            report["found"] += 1
        if right:
            report["right"] += 1
        elif name:
            report["wrong_ids"].append(page.id)
        else:
            report["not_found_ids"].append(page.id)
        if names_outlet(page):
            named["pages"] += 1
            named["right"] += right
            if not right:
                named["wrong_ids"].append(page.id)
        else:
            unnamed["pages"] += 1
            unnamed["right"] += right
            unnamed["by_domain"] += by_domain and not right
            if not right and not by_domain:
                unnamed["wrong_ids"].append(page.id)
    report["named_in_text"] = named
    report["not_named_in_text"] = unnamed
    return report


def score_dates(pages: Sequence[Page], outputs: Mapping[str, Output]) -> dict[str, Any]:
    dated: dict[str, Any] = {"pages": 0, "found": 0, "right": 0, "wrong_ids": [], "missing_ids": []}
    undated: dict[str, Any] = {"pages": 0, "wrong_dates": 0, "ids": []}
    for page in pages:
        article = outputs[page.id].article
        day = _date_of(article["published_at"]) if article else None
        if page.gold.get("published"):
            dated["pages"] += 1
            if day is None:
                dated["missing_ids"].append(page.id)
                continue
            dated["found"] += 1
            if day == page.gold["published"]:
                dated["right"] += 1
            else:
                dated["wrong_ids"].append(page.id)
        else:
            undated["pages"] += 1
            if day is not None:
                undated["wrong_dates"] += 1
                undated["ids"].append(page.id)
    return {"with_gold_date": dated, "without_gold_date": undated}


@dataclass
class EntityPage:
    matches: list[tuple[Mention, Mention]]
    missed: list[Mention]
    spurious: list[Mention]


def output_mentions(output: Output) -> tuple[set[Mention], dict[Mention, str]]:
    """The article's (text, type) set and each one's entity_id (its most frequent, ties by id)."""
    ids: dict[Mention, Counter[str]] = defaultdict(Counter)
    for row in output.entities:
        ids[(ws(row["text"]), row["type"])][row["entity_id"]] += 1
    return set(ids), {m: min(c, key=lambda e: (-c[e], e)) for m, c in ids.items()}


def score_entities(pages: Sequence[Page], outputs: Mapping[str, Output]) -> tuple[dict[str, Any], dict[str, EntityPage]]:
    per_page: dict[str, EntityPage] = {}
    counts: dict[str, list[int]] = {t: [0, 0, 0] for t in TYPES}
    for page in pages:
        if "entities" not in page.gold:
            continue
        gold = {(ws(e["text"]), e["type"]) for e in page.gold["entities"]}
        found, _ = output_mentions(outputs[page.id])
        matches = match_entities(gold, found)
        matched_gold = {g for g, _ in matches}
        matched_out = {o for _, o in matches}
        result = EntityPage(matches, sorted(gold - matched_gold), sorted(found - matched_out))
        per_page[page.id] = result
        for g, _ in matches:
            counts.setdefault(g[1], [0, 0, 0])[0] += 1
        for o in result.spurious:
            counts.setdefault(o[1], [0, 0, 0])[1] += 1
        for g in result.missed:
            counts.setdefault(g[1], [0, 0, 0])[2] += 1
    total = [sum(c[i] for c in counts.values()) for i in range(3)]
    report = {
        "pages": len(per_page),
        "gold_mentions": total[0] + total[2],
        "output_mentions": total[0] + total[1],
        "overall": prf(*total),
        "by_type": {t: prf(*c) for t, c in counts.items()},
    }
    return report, per_page


def score_linking(pages: Sequence[Page], outputs: Mapping[str, Output], entity_pages: Mapping[str, EntityPage]) -> dict[str, Any]:
    """Same gold canonical (of the same type) <-> same output entity_id, over the
    gold surfaces that found an output mention, across pages."""
    items: list[tuple[str, str, str, str, str]] = []  # (page, surface, type, canonical, entity_id)
    gold_groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    for page in pages:
        if page.id not in entity_pages:
            continue
        canonical = {}
        for e in page.gold["entities"]:
            canonical.setdefault((ws(e["text"]), e["type"]), ws(e["canonical"]))
            gold_groups[(e["type"], ws(e["canonical"]))].add(ws(e["text"]))
        _, entity_id = output_mentions(outputs[page.id])
        for g, o in entity_pages[page.id].matches:
            items.append((page.id, g[0], g[1], canonical[g], entity_id[o]))
    groups: dict[tuple[str, str], list[tuple[str, str, str, str, str]]] = defaultdict(list)
    for item in items:
        groups[(item[2], item[3])].append(item)
    same_pairs = linked_pairs = 0
    variant_total = variant_linked = 0
    unlinked: list[dict[str, Any]] = []
    for (type_, canon), members in sorted(groups.items()):
        for a, b in combinations(members, 2):
            same_pairs += 1
            linked_pairs += a[4] == b[4]
        if len({m[1] for m in members}) >= 2:
            variant_total += 1
            if len({m[4] for m in members}) == 1:
                variant_linked += 1
            else:
                split: dict[str, set[str]] = defaultdict(set)
                for m in members:
                    split[m[4]].add(m[1])
                unlinked.append({"type": type_, "canonical": canon, "entity_ids": {e: sorted(s) for e, s in sorted(split.items())}})
    by_entity: dict[tuple[str, str], list[tuple[str, str, str, str, str]]] = defaultdict(list)
    for item in items:
        by_entity[(item[2], item[4])].append(item)
    over_pairs = 0
    over_canonicals: dict[tuple[str, str, str], str] = {}
    for (type_, entity), members in sorted(by_entity.items()):
        for a, b in combinations(members, 2):
            if a[3] != b[3]:
                over_pairs += 1
                first, second = sorted((a[3], b[3]))
                over_canonicals.setdefault((type_, first, second), entity)
    return {
        "matched_surfaces": len(items),
        "same_canonical_pairs": same_pairs,
        "linked_pairs": linked_pairs,
        "variant_groups": variant_total,
        "variant_groups_linked": variant_linked,
        "variant_groups_in_gold": sum(1 for s in gold_groups.values() if len(s) >= 2),
        "over_merged_pairs": over_pairs,
        "over_merged_canonical_pairs": len(over_canonicals),
        "over_merged_examples": [{"type": t, "canonicals": [a, b], "entity_id": e} for (t, a, b), e in sorted(over_canonicals.items())],
        "unlinked_variant_groups": unlinked,
    }


def score_stories(pages: Sequence[Page], outputs: Mapping[str, Output]) -> dict[str, Any]:
    event = {page.id: page.gold["event"] for page in pages}
    gold = same_label_pairs(event)
    stories = {page.id: (outputs[page.id].article or {}).get("story_id") for page in pages}
    predicted = same_label_pairs(stories)
    report = pair_scores(gold, predicted)
    report["false_merges"] = [{"ids": [a, b], "events": [event[a], event[b]]} for a, b in sorted(predicted - gold)]
    report["missed_pairs"] = [{"ids": [a, b], "event": event[a]} for a, b in sorted(gold - predicted)]
    report["gold_events"] = len(set(event.values()))
    report["output_stories"] = len({s for s in stories.values() if s is not None})
    return report


def score(pages: Sequence[Page], outputs: Mapping[str, Output]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the report, per-page details for the verbose listing)."""
    body, words_by_page = score_body(pages, outputs)
    entities, entity_pages = score_entities(pages, outputs)
    status = Counter(outputs[p.id].status for p in pages)
    report = {
        "pages": len(pages),
        "articles": status["article"],
        "rejects": {
            "count": status["reject"],
            "ids": sorted(p.id for p in pages if outputs[p.id].status == "reject"),
            "reasons": dict(Counter(outputs[p.id].reject_reason for p in pages if outputs[p.id].status == "reject")),
        },
        "missing": sorted(p.id for p in pages if outputs[p.id].status == "missing"),
        "body_words": body,
        "headlines": score_headlines(pages, outputs),
        "outlets": score_outlets(pages, outputs),
        "dates": score_dates(pages, outputs),
        "entities": entities,
        "linking": score_linking(pages, outputs, entity_pages),
        "stories": score_stories(pages, outputs),
        "per_page": {
            p.id: {
                "status": outputs[p.id].status,
                "recall": _round(words_by_page[p.id].recall),
                "precision": _round(words_by_page[p.id].precision),
            }
            for p in pages
        },
    }
    return report, {"words": words_by_page, "entities": entity_pages}


# ---------------------------------------------------------------------------
# Printing


def _pct(n: int, d: int) -> str:
    return f"{n}/{d} ({100 * n / d:.1f}%)" if d else f"{n}/0"


def _f(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def print_report(
    report: dict[str, Any], pages: Sequence[Page], outputs: Mapping[str, Output], details: dict[str, Any], verbose: bool
) -> None:
    by_id = {p.id: p for p in pages}
    b, h, o, d = report["body_words"], report["headlines"], report["outlets"], report["dates"]
    e, link, s = report["entities"], report["linking"], report["stories"]
    rej = report["rejects"]
    print(f"dev set: {report['pages']} pages, {report['articles']} articles, {rej['count']} rejects, {len(report['missing'])} missing")
    if rej["count"]:
        print(f"  rejects: {', '.join(f'{i} ({outputs[i].reject_reason})' for i in rej['ids'])}")
    print(
        f"body words: micro R {_f(b['micro_recall'])} P {_f(b['micro_precision'])} F1 {_f(b['micro_f1'])}"
        f" | macro R {_f(b['macro_recall'])} P {_f(b['macro_precision'])}"
        f" | {b['matched_words']}/{b['gold_words']} gold words kept, {b['output_words']} output words scored, {b['neutral_words']} neutral"
    )
    print(f"  pages keeping < 80% of their body words: {b['pages_below_80']}")
    print("  worst: " + ", ".join(f"{w['id']} R {_f(w['recall'])} P {_f(w['precision'])}" for w in b["worst"]))
    t, u = h["with_gold_title"], h["without_gold_title"]
    print(
        f"headlines: exact {_pct(t['exact'], t['pages'])}, lenient {_pct(t['lenient'], t['pages'])}, none output {t['no_title']}"
        f" | no gold headline: {u['with_title']}/{u['pages']} got one"
        f" (body line {u['body_line']}, boilerplate/optional line {u['boilerplate_or_optional']}"
        f" [boilerplate {u['boilerplate_line']}, optional {u['optional_line']}], other {u['other']})"
    )
    on, ou = o["named_in_text"], o["not_named_in_text"]
    print(
        f"outlets: found {_pct(o['found'], o['pages'])}, right {_pct(o['right'], o['pages'])}"
        f" | pages naming their outlet: right {_pct(on['right'], on['pages'])}"
        f" | pages not naming it: right {_pct(ou['right'], ou['pages'])}, its domain {ou['by_domain']}, wrong {len(ou['wrong_ids'])}"
    )
    dd, du = d["with_gold_date"], d["without_gold_date"]
    print(
        f"dates: found {_pct(dd['found'], dd['pages'])}, right {_pct(dd['right'], dd['pages'])} | wrong dates on undated pages {du['wrong_dates']}/{du['pages']}"
    )
    ov = e["overall"]
    types = "  ".join(f"{t} P {_f(c['precision'])} R {_f(c['recall'])} F1 {_f(c['f1'])}" for t, c in e["by_type"].items())
    print(
        f"entities ({e['pages']} pages): P {_f(ov['precision'])} R {_f(ov['recall'])} F1 {_f(ov['f1'])} (tp {ov['tp']} fp {ov['fp']} fn {ov['fn']})"
    )
    print(f"  {types}")
    print(
        f"linking: name-variant groups fully linked {link['variant_groups_linked']}/{link['variant_groups']}"
        f" (gold has {link['variant_groups_in_gold']}), same-canonical pairs linked {link['linked_pairs']}/{link['same_canonical_pairs']},"
        f" over-merged pairs {link['over_merged_pairs']} ({link['over_merged_canonical_pairs']} canonical pairs)"
    )
    print(
        f"stories: pair P {_f(s['precision'])} R {_f(s['recall'])} F1 {_f(s['f1'])}"
        f" ({s['gold_pairs']} gold pairs, {s['predicted_pairs']} predicted, {len(s['false_merges'])} false merges,"
        f" {len(s['missed_pairs'])} missed; {s['gold_events']} events, {s['output_stories']} stories)"
    )
    if not verbose:
        return

    def title_of(pid: str) -> str:
        article = outputs[pid].article
        return ws(article["title"]) if article else ""

    print("\n== body: pages keeping < 80% of their body words")
    for pid in b["pages_below_80_ids"]:
        sc = details["words"][pid]
        print(
            f"  {pid} R {_f(_round(sc.recall))} P {_f(_round(sc.precision))} ({sc.matched}/{sc.gold} kept, {sc.output} output) [{outputs[pid].status}]"
        )
    print("== headlines: gold headline not matched exactly")
    for pid in t["no_title_ids"]:
        print(f"  {pid} none output | gold: {ws(by_id[pid].title)}")
    for kind in ("wrong_ids", "lenient_only_ids"):
        for pid in t[kind]:
            print(f"  {pid} {kind.removesuffix('_ids')}: {title_of(pid)} | gold: {ws(by_id[pid].title)}")
    print("== headlines: output on pages without one")
    for pid, origin in u["ids"].items():
        print(f"  {pid} ({origin}): {title_of(pid)}")
    print("== outlets")
    for pid in o["not_found_ids"]:
        print(f"  {pid} none | gold: {by_id[pid].gold['outlet']}")
    for pid in o["wrong_ids"]:
        named_here = "named" if pid in on["wrong_ids"] else "not named"
        print(f"  {pid} {outputs[pid].article['source_name']} | gold: {by_id[pid].gold['outlet']} ({named_here} in the text)")
    print("== dates")
    for pid in dd["missing_ids"]:
        print(f"  {pid} none | gold {by_id[pid].gold['published']}")
    for pid in dd["wrong_ids"]:
        print(f"  {pid} {_date_of(outputs[pid].article['published_at'])} | gold {by_id[pid].gold['published']}")
    for pid in du["ids"]:
        print(f"  {pid} {_date_of(outputs[pid].article['published_at'])} | gold none")
    print("== entities (missed gold / spurious output)")
    for pid, ep in details["entities"].items():
        if ep.missed or ep.spurious:
            missed = ", ".join(f"{m[0]}/{m[1]}" for m in ep.missed)
            spurious = ", ".join(f"{m[0]}/{m[1]}" for m in ep.spurious)
            print(f"  {pid} missed: {missed or '-'} | spurious: {spurious or '-'}")
    print("== linking: name-variant groups not fully linked")
    for g in link["unlinked_variant_groups"]:
        print(f"  {g['type']} {g['canonical']}: " + " | ".join(f"{eid[:8]} {', '.join(v)}" for eid, v in g["entity_ids"].items()))
    print("== linking: over-merged canonicals")
    for x in link["over_merged_examples"]:
        print(f"  {x['type']} {x['canonicals'][0]} + {x['canonicals'][1]} -> {x['entity_id'][:8]}")
    print("== stories: false merges")
    for x in s["false_merges"]:
        print(f"  {x['ids'][0]} {x['ids'][1]}: {x['events'][0]} / {x['events'][1]}")
    print("== stories: missed pairs")
    for x in s["missed_pairs"]:
        print(f"  {x['ids'][0]} {x['ids'][1]}: {x['event']}")


# ---------------------------------------------------------------------------


def _shown(path: Path) -> str:
    """The path relative to the repository when it is inside it."""
    resolved = path.resolve()
    return str(resolved.relative_to(ROOT)) if resolved.is_relative_to(ROOT) else str(path)


def evaluate(
    devset: Path, output: Path | None = None, work: Path | None = None
) -> tuple[dict[str, Any], list[Page], dict[str, Output], dict]:
    """Run khabar on the dev set (or read the run in ``output``) and score it."""
    pages, absent, changed = load_devset(devset)
    if not pages:
        raise SystemExit(f"no page of {devset / 'gold'} has its text in {devset / 'pages'}")
    for page_id in changed:
        print(f"warning: {page_id}: the page's sha256 differs from the gold's", file=sys.stderr)
    if output is None:
        with tempfile.TemporaryDirectory(prefix="khabar-devset-") as tmp:
            base = work or Path(tmp)
            base.mkdir(parents=True, exist_ok=True)
            run_dir = base / "out"
            if run_dir.exists() and any(run_dir.iterdir()):
                raise SystemExit(f"{run_dir} exists: score it with --output {run_dir}, or remove it")
            write_input(pages, base / "devset.jsonl")
            run_khabar(base / "devset.jsonl", run_dir)
            outputs, run = load_output(run_dir, pages)
    else:
        if not output.is_dir():
            raise SystemExit(f"{output} is not a directory")
        outputs, run = load_output(output, pages)
    report, details = score(pages, outputs)
    report = {
        "devset": _shown(devset),
        "evaluated_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "run": run,
        "gold_files_without_page": absent,
        "pages_with_changed_sha256": changed,
        **report,
    }
    return report, pages, outputs, details


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devset", type=Path, default=DEFAULT_DEVSET, help="dev set directory (gold/ and pages/)")
    parser.add_argument("--output", type=Path, help="score this existing khabar output directory instead of running")
    parser.add_argument("--work", type=Path, help="keep the input JSONL and the run's output (WORK/out) here (default: a temp dir)")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--verbose", action="store_true", help="list every error")
    args = parser.parse_args(argv)
    report, pages, outputs, details = evaluate(args.devset, args.output, args.work)
    print_report(report, pages, outputs, details, args.verbose)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
