"""Save one development-set page from the excerpt the search tool returned, checked against the manifest.

    python3 benchmarks/devset/save_page.py ID EXCERPT_FILE [--pages DIR] [--manifest FILE]

EXCERPT_FILE holds the result's "excerpt" value as the tool's JSON answer
writes it: one JSON string literal, quotes and escapes (\\n, \\") included,
so that no character is retyped. The page's text is the excerpt with its
leading blank lines dropped and its trailing newlines replaced by one (the
README's rule); it is written to DIR/ID.txt only when its SHA-256 is the
manifest's, else nothing is written and the exit code is 1.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def page_text(excerpt: str) -> str:
    """The page as the set stores it: leading blank lines dropped, trailing newlines replaced by one."""
    return re.sub(r"\A(?:[ \t]*\n)+", "", excerpt).rstrip("\n") + "\n"


def save(page_id: str, literal: str, pages: Path, manifest: Path) -> str | None:
    """Write pages/<id>.txt from the excerpt's JSON literal; None when saved, else why not."""
    rows = {row["id"]: row for row in map(json.loads, manifest.read_text(encoding="utf-8").splitlines()) if row}
    if page_id not in rows:
        return f"{page_id}: not in {manifest}"
    try:
        excerpt = json.loads(literal.strip())
    except json.JSONDecodeError as exc:
        return f"{page_id}: the excerpt file is not one JSON string literal ({exc})"
    if not isinstance(excerpt, str):
        return f"{page_id}: the excerpt file holds a {type(excerpt).__name__}, not a string"
    text = page_text(excerpt)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if digest != rows[page_id]["sha256"]:
        return f"{page_id}: SHA-256 {digest[:12]}... is not the manifest's {rows[page_id]['sha256'][:12]}... (a character changed, or the stored copy did)"
    pages.mkdir(parents=True, exist_ok=True)
    (pages / f"{page_id}.txt").write_text(text, encoding="utf-8")
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("id")
    parser.add_argument("excerpt_file", type=Path)
    parser.add_argument("--pages", type=Path, default=HERE / "pages")
    parser.add_argument("--manifest", type=Path, default=HERE / "manifest.jsonl")
    args = parser.parse_args(argv)
    problem = save(args.id, args.excerpt_file.read_text(encoding="utf-8"), args.pages, args.manifest)
    print(problem or f"{args.id}: saved, SHA-256 matches the manifest", file=sys.stderr if problem else sys.stdout)
    return 1 if problem else 0


if __name__ == "__main__":
    raise SystemExit(main())
