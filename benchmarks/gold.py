"""What the gold-based evaluation scripts share: their arguments and P/R/F1."""

from __future__ import annotations

import argparse
from pathlib import Path


def gold_arguments(doc: str | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, default=Path("tests/fixtures/gold_seeds.json"))
    parser.add_argument("--samples", type=Path, default=Path("samples"))
    parser.add_argument("--verbose", action="store_true")
    return parser.parse_args()


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Precision, recall and F1 (1.0 where nothing was expected or predicted)."""
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}
