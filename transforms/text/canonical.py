"""Canonical entities: one id per real-world entity, whatever the spelling.

Keys are built from matching forms (transforms/text/gazetteer.py), so hamza and
alef forms (الأعرجي، الاعرجي) and teh marbuta agree; compounds are fused so
spacing does not matter (عبد الأمير، عبدالأمير; أبو مهدي، أبومهدي). Names of
two or more tokens also get their letter variants folded, the spellings
outlets use for one sound (صطام and سطام, ض/ظ, ذ/ز, ث/س, ط/ت): a full name
with the same folded letters is the same person. Single tokens are never
folded, so two people sharing a surname stay apart across articles.

Across the corpus (``resolve``), an organization mentioned by its name
without its head noun (الحشد الشعبي) joins the one full name that has it
(هيئة الحشد الشعبي). The display name of an entity is its most frequent
surface, ties broken by sort order: deterministic on any runner.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from khabar.transforms.text.gazetteer import form, phrase_form

_LETTER_VARIANTS = str.maketrans({"ص": "س", "ض": "د", "ظ": "ز", "ذ": "ز", "ث": "س", "ط": "ت", "ى": "ي", "ؤ": "و", "ئ": "ي"})
COMPOUND_FIRST = frozenset({"عبد", "ابو", "ابي", "ابن", "بن", "ام"})

# Organization heads that are part of the name (وزارة الدفاع), whose removal gives the core name.
ORG_HEADS = frozenset(
    form(w)
    for w in [
        "وزارة",
        "هيئة",
        "وكالة",
        "مجلس",
        "جامعة",
        "حزب",
        "جبهة",
        "فيلق",
        "لجنة",
        "مستشارية",
        "رئاسة",
        "قوات",
        "حركة",
        "منظمة",
        "اتحاد",
        "مؤسسة",
        "شركة",
        "بنك",
        "مصرف",
        "محكمة",
        "جمعية",
        "تلفزيون",
        "قناة",
        "إذاعة",
        "جماعة",
    ]
)


def fused_tokens(surface: str) -> list[str]:
    """Forms with compound names fused: 'عبد الأمير' -> 'عبدالامير'."""
    tokens = list(phrase_form(surface))
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if tokens[i] in COMPOUND_FIRST and i + 1 < len(tokens):
            out.append(tokens[i] + tokens[i + 1])
            i += 2
        else:
            out.append(tokens[i])
            i += 1
    return out


@lru_cache(maxsize=200_000)
def person_key(surface: str) -> str:
    tokens = fused_tokens(surface)
    if len(tokens) >= 2:
        tokens = [t.translate(_LETTER_VARIANTS) for t in tokens]
    return " ".join(tokens)


@lru_cache(maxsize=200_000)
def name_key(type_: str, canonical: str) -> str:
    if type_ == "PER":
        return person_key(canonical)
    return " ".join(fused_tokens(canonical)) if type_ == "ORG" else " ".join(phrase_form(canonical))


def entity_id(type_: str, key: str) -> str:
    """Stable across articles, runs and runners: a hash of the type and the key."""
    return hashlib.sha256(f"{type_}\x1f{key}".encode()).hexdigest()[:24]


def org_core(key: str) -> str | None:
    tokens = key.split(" ")
    return " ".join(tokens[1:]) if len(tokens) >= 2 and tokens[0] in ORG_HEADS else None


def resolve(key_surfaces: Iterable[tuple[tuple[str, str], list[str] | dict[str, int]]]) -> dict[tuple[str, str], tuple[str, str]]:
    """(type, key) with the surfaces seen for it (a list, or surface -> count)
    -> (entity_id, canonical display name).

    Core ORG names with exactly one full name in the corpus are merged into it.
    """
    surfaces: dict[tuple[str, str], Counter[str]] = {}
    for type_key, names in key_surfaces:
        surfaces.setdefault(type_key, Counter()).update(names)
    target: dict[tuple[str, str], tuple[str, str]] = {k: k for k in surfaces}
    cores: dict[str, list[tuple[str, str]]] = {}
    for type_, key in surfaces:
        if type_ == "ORG":
            core = org_core(key)
            if core:
                cores.setdefault(core, []).append((type_, key))
    for type_, key in surfaces:
        full = cores.get(key) if type_ == "ORG" else None
        if full and len(full) == 1:
            target[(type_, key)] = full[0]
    merged: dict[tuple[str, str], Counter[str]] = {}
    for type_key, names in surfaces.items():
        merged.setdefault(target[type_key], Counter()).update(names)
    result = {}
    for type_key in surfaces:
        goal = target[type_key]
        names = merged[goal]
        display = min(names, key=lambda n: (-names[n], n))
        result[type_key] = (entity_id(*goal), display)
    return result
