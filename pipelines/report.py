"""`khabar report OUTPUT [--html report.html]`: one static HTML page on what
an output holds, for people who do not open a BI tool.

It queries the output through sql/views.sql with DuckDB (committed runs
only), and draws its charts as inline SVG: the page has no scripts and no
external resources, so it opens offline, in a mail client or as an archived
file. Needs DuckDB: pip install 'khabar[report]'.
"""

from __future__ import annotations

import argparse
import html
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from khabar.transforms.runtime.version import __version__

TYPE_NAMES = {"PER": "People", "ORG": "Organizations", "LOC": "Places"}


def views_sql() -> str:
    """sql/views.sql from a source checkout, or as installed (share/khabar/sql)."""
    candidates = [Path(__file__).resolve().parent.parent / "sql" / "views.sql", Path(sys.prefix) / "share" / "khabar" / "sql" / "views.sql"]
    for path in candidates:
        if path.exists():
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError("sql/views.sql is not installed")


def connect(output: str) -> Any:
    try:
        import duckdb
    except ImportError as exc:
        raise SystemExit("khabar report needs DuckDB: pip install 'khabar[report]'") from exc
    con = duckdb.connect()
    con.execute("SET VARIABLE khabar_root = ?", [output.rstrip("/")])
    con.execute(views_sql())
    return con


@dataclass
class Bar:
    label: str
    value: float
    note: str = ""


def bar_chart(bars: list[Bar], width: int = 640, row: int = 26) -> str:
    """Horizontal bars as inline SVG; labels keep their own direction (Arabic reads right to left)."""
    if not bars:
        return '<p class="empty">Nothing to show.</p>'
    top = max(b.value for b in bars) or 1
    label_w, bar_w = 260, width - 260 - 60
    parts = [f'<svg class="chart" role="img" width="{width}" height="{row * len(bars) + 8}" xmlns="http://www.w3.org/2000/svg">']
    for i, b in enumerate(bars):
        y = 4 + i * row
        length = max(2, round(bar_w * b.value / top))
        label = html.escape(b.label if len(b.label) <= 38 else b.label[:37] + "…")
        parts.append(
            f'<text x="{label_w - 8}" y="{y + row / 2 + 5}" text-anchor="end" direction="ltr" unicode-bidi="plaintext">{label}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{length}" height="{row - 8}" rx="3"><title>{label}: {b.value:g}</title></rect>'
            f'<text x="{label_w + length + 6}" y="{y + row / 2 + 5}" class="value">{b.value:g}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td dir="auto">{html.escape("" if v is None else str(v))}</td>' for v in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _section(anchor: str, title: str, content: str) -> str:
    return f'<section id="{anchor}"><h2>{html.escape(title)}</h2>{content}</section>'


def gather(con: Any, top: int = 15) -> dict[str, Any]:
    """Every figure the report shows (also usable as JSON)."""
    one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    data: dict[str, Any] = {
        "articles": one("select count(*) from articles"),
        "stories": one("select count(*) from stories"),
        "rejects": one("select count(*) from rejects"),
        "files": one("select count(*) from files"),
        "runs": one("select count(*) from committed_runs"),
        "entities": one("select count(distinct entity_id) from entities"),
    }
    # Each story's outlets are stories.sources: the distinct source_name of its articles, sorted (its latest row).
    data["stories_by_size"] = con.execute(
        "select title, size, coalesce(len(sources), 0), coalesce(array_to_string(sources, '، '), '') from stories"
        " order by size desc, title limit ?",
        [top],
    ).fetchall()
    data["top_entities"] = {
        kind: con.execute(
            "select any_value(canonical), count(distinct story_id) as stories from entity_mentions where type = ?"
            " group by entity_id order by stories desc, any_value(canonical) limit ?",
            [kind, top],
        ).fetchall()
        for kind in TYPE_NAMES
    }
    data["articles_per_day"] = con.execute(
        "select coalesce(cast(published_at as date), ingest_date) as day, count(*) from articles group by day order by day"
    ).fetchall()
    data["languages"] = con.execute("select language, count(*) from articles group by language order by 2 desc, 1").fetchall()
    data["rejects_by_reason"] = con.execute(
        "select stage || ': ' || reason, count(*) from rejects group by 1 order by 2 desc, 1"
    ).fetchall()
    return data


STYLE = """
body{font-family:system-ui,'Noto Sans Arabic','DejaVu Sans',sans-serif;margin:2rem auto;max-width:1000px;color:#1d2733}
h1{margin-bottom:.2rem} .meta{color:#5b6b7a;margin-top:0}
.cards{display:flex;gap:1rem;flex-wrap:wrap} .card{border:1px solid #d7dee5;border-radius:8px;padding:.8rem 1.2rem;min-width:8rem}
.card b{display:block;font-size:1.6rem} section{margin-top:2.2rem}
svg.chart rect{fill:#2f6f9f} svg.chart text{font-size:13px;fill:#1d2733} svg.chart text.value{fill:#5b6b7a}
table{border-collapse:collapse;width:100%} td,th{border-bottom:1px solid #e3e8ee;padding:.35rem .5rem;text-align:start}
.empty{color:#5b6b7a}
"""


def render(data: dict[str, Any], output: str) -> str:
    cards = "".join(
        f'<div class="card"><b>{data[key]:,}</b>{label}</div>'
        for key, label in [
            ("articles", "articles"),
            ("stories", "stories"),
            ("entities", "entities"),
            ("rejects", "rejects"),
            ("files", "files"),
            ("runs", "runs"),
        ]
    )
    stories = bar_chart([Bar(t or "(untitled)", s) for t, s, _n, _o in data["stories_by_size"]]) + _table(
        ["title", "articles", "outlets", "outlet names"], [list(r) for r in data["stories_by_size"]]
    )
    entities = "".join(
        f'<div class="entity-type" id="entities-{kind}"><h3>{TYPE_NAMES[kind]}</h3>{bar_chart([Bar(n, c) for n, c in rows])}</div>'
        for kind, rows in data["top_entities"].items()
    )
    days = bar_chart([Bar(str(day), n) for day, n in data["articles_per_day"]])
    languages = bar_chart([Bar(lang, n) for lang, n in data["languages"]])
    rejects = bar_chart([Bar(reason, n) for reason, n in data["rejects_by_reason"]])
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>khabar report</title><style>{STYLE}</style></head><body>'
        f'<h1>khabar report</h1><p class="meta">{html.escape(output)} · generated {generated} by khabar {__version__}</p>'
        f'<section id="summary"><div class="cards">{cards}</div></section>'
        + _section("stories", "Largest stories and their outlets", stories)
        + _section("entities", "Top entities by type (distinct stories)", entities)
        + _section("articles-per-day", "Articles per day (published, else ingested)", days)
        + _section("languages", "Language mix", languages)
        + _section("rejects", "Rejects by reason", rejects)
        + "</body></html>"
    )


def report_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="khabar report", description="Write a static HTML report of an output directory.")
    parser.add_argument("output", help="the --output of earlier runs (local path or fsspec URL DuckDB can read)")
    parser.add_argument("--html", default="report.html", help="where to write the page (default report.html)")
    parser.add_argument("--top", type=int, default=15, help="rows per chart (default 15)")
    args = parser.parse_args(argv)
    output = args.output if "://" in args.output else str(Path(args.output).resolve())
    if "://" not in output and not Path(output, "_commits").is_dir():
        print(f"khabar: error: {output} holds no committed run", file=sys.stderr)
        return 2
    data = gather(connect(output), args.top)
    Path(args.html).write_text(render(data, output), encoding="utf-8")
    print(f"khabar: report of {data['articles']} articles and {data['stories']} stories written to {args.html}")
    return 0
