"""Canonical entities: one id per real-world entity, whatever the spelling.

Keys are built from matching forms (transforms/text/gazetteer.py), so hamza and
alef forms (الأعرجي، الاعرجي) and teh marbuta agree; compounds are fused so
spacing does not matter (عبد الأمير، عبدالأمير; أبو مهدي، أبومهدي). Names of
two or more tokens also get their letter variants folded, the spellings
outlets use for one sound (صطام and سطام, ض/ظ, ذ/ز, ث/س, ط/ت): a full name
with the same folded letters is the same person. Single tokens are never
folded, so two people sharing a surname stay apart across articles.

Across the corpus (``resolve``, over one run: a batch, or one article when
streaming), keys of one type are merged into one entity when:

- they spell the same name with yeh, alef maksura, hamza on waw or yeh
  (موسى، موسي; هيئة، هيئه is already one key);
- an organization is mentioned by its name without its head noun (الحشد
  الشعبي) and exactly one full name has it (هيئة الحشد الشعبي);
- an organization's name of SPECIFIC_ORG_WORDS words or more is given with
  its country's adjective after it (السلطة الوطنية المستقلة للانتخابات
  الجزائرية), the run has the name without it, and no other country's
  adjective after it (two countries' bodies of one name stay two; shorter
  names such as وزارة الصحة may be any country's and are never linked so);
- a body named with its country's adjective by the first of its joined remits
  (وزارة الصحة المغربية) and exactly one name with them all (وزارة الصحة
  والحماية الاجتماعية المغربية);
- a person's relative family name (ending in ي, four letters or more) is
  written with and without the article, the given names the same (مسعود
  البارزاني، مسعود بارزاني; علي الحسن and علي حسن stay two);
- a person's name leaves out names of a longer one, in order, with the same
  family name (محمد الرحمون، خالد الرحمون -> محمد خالد الرحمون), and exactly
  one longest name contains it: "محمد الرحمون" next to both "محمد خالد
  الرحمون" and "محمد علي الرحمون" stays apart;
- a person's name of two words or more is the beginning of exactly one longer
  name that goes on with its lineage (محمد بن سلمان -> محمد بن سلمان بن عبد
  العزيز آل سعود; the next word بن, آل or a name with the article);
- a person is mentioned by the family name alone (الرحمون، عبد المهدي) and
  exactly one person of the run has that family name: with two, it stays apart;
- a long name (a person or organization of at least LONG_NAME letters in two
  or more words) differs from exactly one other by one letter in one word of
  at least five letters (a typo: inserted, dropped, replaced or two swapped);
- a name of two words or more, of any length, differs from exactly one other
  in one foreign word by a long vowel letter written or left out inside it
  (ستيفن بوين، ستيفن بون; سبايس إكس، سبيس إكس): outlets transliterate foreign
  names with and without their vowels. The word is rare in Arabic at large
  and no given name in either spelling, so Arabic names that differ so
  (سعيد، سعد; محمود، محمد) stay two;
- a name of two words or more, of any length, differs from exactly one other
  by a one-letter typo in one word of at least five letters that is such a
  rare word in both spellings, without the article (يوسف أوشيش، يوسف
  أوشيشن; علي حمدان، علي حمدين and families with the article stay two).

Types never merge (عين الأسد, a place, is never the person الأسد). An
entity's id is the hash of its representative key (the one with the most
words, then the most mentions, then the first in sort order); its display
name is the most frequent surface of its keys (for a person, of its keys with
the most words: the full name), ties broken by sort order: deterministic on
any runner.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

from khabar.transforms.text.gazetteer import SPELLINGS, form, given_names, nationalities, phrase_form
from khabar.transforms.text.word_frequency import zipf_any

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
        "مديرية",
    ]
)


def fused_tokens(surface: str) -> list[str]:
    """Forms with compound names fused: 'عبد الأمير' -> 'عبدالامير'; a chain of them whole: 'بن عبد العزيز'
    -> 'بنعبدالعزيز', as 'بن عبدالعزيز' is."""
    tokens = list(phrase_form(surface))
    out: list[str] = []
    i = 0
    while i < len(tokens):
        word, last = tokens[i], tokens[i]
        i += 1
        while last in COMPOUND_FIRST and i < len(tokens):
            last = tokens[i]
            word += last
            i += 1
        out.append(word)
    return out


def fold_letters(word: str) -> str:
    """A word with the letter variants folded, as person_key folds the words of names of two or more words."""
    return word.translate(_LETTER_VARIANTS)


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


# Spellings of one letter that are one name (موسى، موسي; مسؤول، مسئول): folded for every key in resolve.
# (A dropped hamza is not: علاء and علا are two names.)
_SPELLING = str.maketrans({"ى": "ي", "ؤ": "و", "ئ": "ي"})
LONG_NAME = 12  # letters of a name (without spaces) from which a one-letter difference is a typo
TYPO_WORD = 5  # letters of the word with the typo, in both spellings
VOWEL_LETTERS = "اوي"  # the long vowels a transliteration writes or leaves out (بوين، بون)
FOREIGN_WORD = 4.0  # wordfreq zipf below which a word of a name is foreign enough for a vowel variant


def spelling(key: str) -> str:
    """A key with the one-letter spellings folded, and the spellings outlets alternate (gazetteer.SPELLINGS)
    written the first way."""
    key = key.translate(_SPELLING)
    for first, other in SPELLINGS:
        key = key.replace(other, first)
    return key


def one_edit(a: str, b: str) -> bool:
    """One letter inserted, dropped or replaced, or two adjacent letters swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) < len(b):
        return a[i:] == b[i + 1 :]
    if a[i + 1 :] == b[i + 1 :]:
        return True
    return i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]


def _one_differing_word(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, str] | None:
    """The one pair of words two names of as many words differ in, or None (other lengths, more or no differences)."""
    if len(a) != len(b):
        return None
    differing = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return differing[0] if len(differing) == 1 else None


def _typo_of(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Same words but one, which differs by one edit and is long enough in both names."""
    differing = _one_differing_word(a, b)
    if differing is None:
        return False
    x, y = differing
    if min(len(x), len(y)) < TYPO_WORD or not one_edit(x, y):
        return False
    # two given names are two people, not a typo (عبد الله بن سلمان، عبد الله بن سلطان)
    names = _given_folded()
    return not (_given_part(x) in names and _given_part(y) in names)


def _foreign(word: str) -> bool:
    """A word of a name rare in Arabic at large (below FOREIGN_WORD) and no given name: a spelling of it with a
    letter more or less is the same name, not another Arabic word or name ("سعد" / "سعيد")."""
    return _given_part(word) not in _given_folded() and zipf_any(word) < FOREIGN_WORD


def _rare_word(word: str) -> bool:
    """A word of a name a typo can be told in whatever the name's length: TYPO_WORD letters or more, no article,
    foreign (_foreign): "أوشيش" / "أوشيشن", not "سعد" / "سعيد"."""
    return len(word) >= TYPO_WORD and not word.startswith("ال") and _foreign(word)


def _rare_letters(name: tuple[str, ...]) -> set[int]:
    """Offsets, in the name's words joined by spaces, of the letters of its rare words (_rare_word)."""
    offsets, position = set(), 0
    for word in name:
        if _rare_word(word):
            offsets.update(range(position, position + len(word)))
        position += len(word) + 1
    return offsets


def _rare_typo(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Same words but one (two words or more), which differs by one edit and is rare in both spellings
    (_rare_word): a typo in a short name ("يوسف أوشيش" / "يوسف أوشيشن")."""
    differing = _one_differing_word(a, b) if len(a) >= 2 else None
    return differing is not None and one_edit(*differing) and all(map(_rare_word, differing))


def _vowel_variant(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Same words but one, which is the other with one long vowel letter more inside it (not its first letter),
    at least three letters long, without the article (Arabic family names take it: العبيدي، العبدي are two
    families), rare in Arabic at large and no given name in either spelling."""
    differing = _one_differing_word(a, b) if len(a) >= 2 else None
    if differing is None:
        return False
    x, y = sorted(differing, key=len)
    if len(x) < 3 or len(y) != len(x) + 1 or x.startswith("ال"):
        return False
    i = next((k for k in range(len(x)) if x[k] != y[k]), len(x))
    if i == 0 or i == len(x) or y[i] not in VOWEL_LETTERS or x[i:] != y[i + 1 :]:
        return False  # one letter inserted inside the word, a vowel
    return _foreign(x) and _foreign(y)


@lru_cache(maxsize=1)
def _given_folded() -> frozenset[str]:
    """Given names as the words of keys of two or more words spell them (letter variants folded)."""
    clear, ambiguous = given_names()
    return frozenset(spelling(name.translate(_LETTER_VARIANTS)) for name in clear | ambiguous)


def _given_part(word: str) -> str:
    """A fused compound's name after its first part (بنسلمان -> سلمان), else the word."""
    for first in COMPOUND_FIRST:
        if word.startswith(first) and len(word) > len(first) + 2:
            return word[len(first) :]
    return word


def subsequence(short: Sequence[str], long: Sequence[str]) -> bool:
    """The words of short appear in long, in order (entity_rules' organization variants use it too)."""
    words = iter(long)
    return all(word in words for word in short)


class _Union:
    """Union-find over (type, key); the root of a set is decided later, not by the unions."""

    def __init__(self, items: list[tuple[str, str]]) -> None:
        self.parent = {item: item for item in items}

    def find(self, item: tuple[str, str]) -> tuple[str, str]:
        parent = self.parent
        root = item
        while parent[root] != root:
            root = parent[root]
        while parent[item] != root:
            parent[item], item = root, parent[item]
        return root

    def union(self, a: tuple[str, str], b: tuple[str, str]) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _long(name: tuple[str, ...]) -> bool:
    return sum(map(len, name)) >= LONG_NAME


def _typo_links(
    keys: list[tuple[str, str]], words: dict[tuple[str, str], tuple[str, ...]]
) -> list[tuple[tuple[str, str], tuple[str, str]]]:
    """Pairs of names of one type that are each other's one typo (long names) or vowel variant, for names with
    exactly one such neighbour.

    Candidates share a spelling with one letter deleted (or one is the other
    with a letter deleted), so a corpus of names is never compared pairwise.
    """
    by_deletion: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for item in keys:
        if item[0] not in ("PER", "ORG") or len(words[item]) < 2:
            continue
        text = " ".join(words[item])
        # a long name with any letter left out (_typo_of); any name with a vowel letter left out (_vowel_variant)
        long = _long(words[item])
        rare = _rare_letters(words[item]) if not long else set()
        variants = {text} | {
            text[:i] + text[i + 1 :] for i in range(len(text)) if text[i] != " " and (long or i in rare or text[i] in VOWEL_LETTERS)
        }
        for variant in variants:
            by_deletion.setdefault((item[0], variant), []).append(item)
    neighbours: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for group in by_deletion.values():
        if len(group) < 2:
            continue
        for a in group:
            for b in group:
                x, y = words[a], words[b]
                if a < b and ((_long(x) and _long(y) and _typo_of(x, y)) or _rare_typo(x, y) or _vowel_variant(x, y)):
                    neighbours.setdefault(a, set()).add(b)
                    neighbours.setdefault(b, set()).add(a)
    return [(a, next(iter(found))) for a, found in sorted(neighbours.items()) if len(found) == 1]


def resolve(key_surfaces: Iterable[tuple[tuple[str, str], list[str] | dict[str, int]]]) -> dict[tuple[str, str], tuple[str, str]]:
    """(type, key) with the surfaces seen for it (a list, or surface -> count)
    -> (entity_id, canonical display name), keys of one entity merged (see the module's doc)."""
    surfaces: dict[tuple[str, str], Counter[str]] = {}
    for type_key, names in key_surfaces:
        surfaces.setdefault(type_key, Counter()).update(names)
    keys = sorted(surfaces)
    union = _Union(keys)
    words: dict[tuple[str, str], tuple[str, ...]] = {}
    by_spelling: dict[tuple[str, str], tuple[str, str]] = {}
    for item in keys:
        folded = spelling(item[1])
        words[item] = tuple(folded.split(" "))
        first = by_spelling.setdefault((item[0], folded), item)
        union.union(first, item)
    # an organization's core name into its one full name
    cores: dict[str, set[tuple[str, str]]] = {}
    for item in keys:
        if item[0] == "ORG":
            core = org_core(item[1])
            if core:
                cores.setdefault(spelling(core), set()).add(union.find(item))
    for item in keys:
        if item[0] == "ORG":
            full = cores.get(" ".join(words[item]))
            if full and len(full) == 1:
                union.union(item, next(iter(full)))
    _link_country_adjective(keys, words, by_spelling, union)
    _link_family_article(keys, words, by_spelling, union)
    for a, b in _typo_links(keys, words):
        union.union(a, b)
    _link_people(keys, words, union)
    _link_shorter(keys, words, union)
    return _named(keys, surfaces, words, union)


@lru_cache(maxsize=1)
def _spelled_nationalities() -> frozenset[str]:
    """Nationality adjectives as resolve() spells the words of keys (spelling: "الجزائريه" -> "الجزايريه")."""
    return frozenset(spelling(word) for word in nationalities())


SPECIFIC_ORG_WORDS = 3  # words of an organization's name from which it names one body, whatever its country


def _link_country_adjective(
    keys: list[tuple[str, str]],
    words: dict[tuple[str, str], tuple[str, ...]],
    by_spelling: dict[tuple[str, str], tuple[str, str]],
    union: _Union,
) -> None:
    """An organization named with its country's adjective after a name of SPECIFIC_ORG_WORDS words or more
    ("السلطة الوطنية المستقلة للانتخابات الجزائرية") into that name ("السلطة الوطنية المستقلة للانتخابات"),
    when the run has it and no other country's adjective after it (the Tunisian and the Iraqi bodies of one
    name stay two, and so does the name alone). A shorter name may be any country's ("وزارة الصحة", "البنك
    المركزي"): never linked so. And a body named with its country by the first of its joined remits into the
    one name of the run with them all ("وزارة الصحة المغربية" -> "وزارة الصحة والحماية الاجتماعية المغربية")."""
    adjectives = _spelled_nationalities()
    variants: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for item in keys:
        name = words[item]
        if item[0] == "ORG" and len(name) > SPECIFIC_ORG_WORDS and name[-1] in adjectives:
            bare = by_spelling.get(("ORG", " ".join(name[:-1])))
            if bare is not None:
                variants.setdefault(bare, []).append(item)
    for bare, adorned in variants.items():
        if len(adorned) == 1:
            union.union(bare, adorned[0])
    # a ministry named by the first of its joined remits, with its country ("وزارة الصحة المغربية") is the
    # one named by all ("وزارة الصحة والحماية الاجتماعية المغربية"), when the run names one such
    shortened: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for item in keys:
        name = words[item]
        if item[0] != "ORG" or len(name) < 4 or name[-1] not in adjectives:
            continue
        joined = next((k for k in range(2, len(name) - 1) if name[k].startswith("و")), None)
        short = by_spelling.get(("ORG", " ".join(name[:joined] + name[-1:]))) if joined is not None else None
        if short is not None:
            shortened.setdefault(short, set()).add(union.find(item))
    for short, full in shortened.items():
        if len(full) == 1:
            union.union(short, next(iter(full)))


def _link_family_article(
    keys: list[tuple[str, str]],
    words: dict[tuple[str, str], tuple[str, ...]],
    by_spelling: dict[tuple[str, str], tuple[str, str]],
    union: _Union,
) -> None:
    """A person whose relative family name is written with and without the article, the given names the same
    ("مسعود البارزاني" / "مسعود بارزاني", "جلال الطالباني" / "جلال طالباني"): one person. Only a relative name
    (ending in ي, four letters or more without the article): "علي الحسن" and "علي حسن" may be two."""
    for item in keys:
        name = words[item]
        if item[0] != "PER" or len(name) < 2 or not name[-1].startswith("ال") or not name[-1].endswith("ي") or len(name[-1]) < 6:
            continue
        bare = by_spelling.get(("PER", " ".join((*name[:-1], name[-1][2:]))))
        if bare is not None:
            union.union(item, bare)


def _link_shorter(keys: list[tuple[str, str]], words: dict[tuple[str, str], tuple[str, ...]], union: _Union) -> None:
    """A person's name of two words or more into the one longer name that goes on from it with its
    lineage ("محمد بن سلمان" -> "محمد بن سلمان بن عبد العزيز آل سعود", "نواف الأحمد" -> "نواف الأحمد
    الصباح"): the words that follow begin with بن, آل or the article, and a name going on with بن or آل
    is the one when there is one (the others may be spans run on to a word with the article). A longer
    name going on with another given name ("محمد شرفي" and a run-on "محمد شرفي عبد المجيد تبون") is no lineage.
    Organizations are not linked so across articles: "وزارة الداخلية" of one article and "وزارة
    الداخلية المغربية" of another may be two ministries (entity_rules links them within an article)."""
    by_first: dict[str, list[tuple[str, str]]] = {}
    for item in keys:
        if item[0] == "PER" and len(words[item]) >= 2:
            by_first.setdefault(words[item][0], []).append(item)
    for items in by_first.values():
        if len(items) < 2:
            continue
        # the longer names first, so that a chain ("محمد بن سلمان بن عبد العزيز" -> "... آل سعود") is one
        # name by the time a shorter one ("محمد بن سلمان") looks for its one longer name
        for item in sorted(items, key=lambda k: (-len(words[k]), k)):
            short = words[item]
            if short[-1] in COMPOUND_FIRST:
                continue  # "محمد بن": a name cut in the middle
            going_on = [other for other in items if len(words[other]) > len(short) and words[other][: len(short)] == short]
            # the father's or the family's name (بن, آل) before a name with the article, which may be a word
            # the span ran on to ("محمد بن سلمان المقررة")
            for lineage in (_father_or_family, _lineage):
                longer = {union.find(other) for other in going_on if lineage(words[other][len(short)])}
                if longer:
                    break
            if len(longer) == 1:
                union.union(item, next(iter(longer)))


def _father_or_family(word: str) -> bool:
    """بن or ابن (fused with the name after it), or آل (folded to ال)."""
    return word.startswith(("بن", "ابن")) or word == "ال"


def _lineage(word: str) -> bool:
    """A word that continues a person's name with the lineage: بن or ابن (fused with the name after it), آل
    (folded to ال), or a name with the article."""
    return _father_or_family(word) or (word.startswith("ال") and len(word) > 3)


def _link_people(keys: list[tuple[str, str]], words: dict[tuple[str, str], tuple[str, ...]], union: _Union) -> None:
    """Middle-name variants into their one longest name, then family names alone into their one person."""
    by_family: dict[str, list[tuple[str, str]]] = {}
    for item in keys:
        if item[0] == "PER" and len(words[item]) >= 2:
            by_family.setdefault(words[item][-1], []).append(item)
    for family in by_family.values():
        names = sorted({words[k] for k in family}, key=lambda w: (-len(w), w))
        longest = [w for w in names if not any(len(o) > len(w) and subsequence(w, o) for o in names)]
        owner: dict[tuple[str, ...], tuple[str, ...]] = {}
        for name in names:
            containing = [w for w in longest if w == name or (len(w) > len(name) and subsequence(name, w))]
            if len(containing) == 1:
                owner[name] = containing[0]
        by_words: dict[tuple[str, ...], tuple[str, str]] = {}
        for item in family:
            by_words.setdefault(words[item], item)
        for item in family:
            target = owner.get(words[item])
            if target is not None:
                union.union(item, by_words[target])
    # a family name alone: one person of the run has it (after the merges above)
    people: dict[str, set[tuple[str, str]]] = {}
    for family, items in by_family.items():
        people[family] = {union.find(item) for item in items}
    for item in keys:
        if item[0] != "PER" or len(words[item]) != 1:
            continue
        # family names of two words or more are keys with their letter variants folded
        found = people.get(words[item][0].translate(_LETTER_VARIANTS))
        if found and len(found) == 1:
            union.union(item, next(iter(found)))


def _named(
    keys: list[tuple[str, str]], surfaces: dict[tuple[str, str], Counter[str]], words: dict[tuple[str, str], tuple[str, ...]], union: _Union
) -> dict[tuple[str, str], tuple[str, str]]:
    """Each key's (entity id, display name) from its set's representative key and surfaces."""
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for item in keys:
        groups.setdefault(union.find(item), []).append(item)
    result: dict[tuple[str, str], tuple[str, str]] = {}
    for members in groups.values():
        representative = min(members, key=lambda k: (-len(words[k]), -sum(surfaces[k].values()), k))
        shown = members
        if representative[0] == "PER":
            shown = [k for k in members if len(words[k]) == len(words[representative])]
        names: Counter[str] = Counter()
        for k in shown:
            names.update(surfaces[k])
        display = min(names, key=lambda n: (-names[n], n))
        identity = entity_id(*representative)
        for item in members:
            result[item] = (identity, display)
    return result
