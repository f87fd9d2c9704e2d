"""Tokens with offsets, their matching forms, and the shipped gazetteers.

Entity rules work on tokens of ``articles.text`` that keep their character
offsets, so every mention maps back exactly (text[start:end] is the surface).
Each token gets a *form* for matching: diacritics and tatweel removed, alef
and hamza-on-alef folded, teh marbuta as heh, Persian letters as Arabic, while
alef maksura stays distinct (so the preposition "على" never matches the name
"علي"). Proclitics (و ف ب ل ك, and ل fused with ال as "لل") are peeled off as
*stems*, with the number of original characters they take.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from khabar.transforms.runtime.bounded import BoundedDict
from khabar.transforms.runtime.native import KERNELS
from khabar.transforms.text.chunks import ChunkCache

DATA = Path(__file__).with_name("data")

TOKEN = re.compile(r"(?:[^\W_]|[\u0640\u064b-\u065f\u0670])+")
_FORM = str.maketrans(
    {
        **{c: None for c in "\u0640\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0653\u0654\u0655\u0656\u0657\u0658\u0670"},
        "\u0623": "\u0627",
        "\u0625": "\u0627",
        "\u0622": "\u0627",
        "\u0671": "\u0627",
        "\u0629": "\u0647",
        "\u06a9": "\u0643",
        "\u06cc": "\u064a",
        "\u06c0": "\u0647",
    }
)
_DIACRITIC = re.compile(r"[\u0640\u064b-\u065f\u0670]")


def form(word: str) -> str:
    """Matching form of one word."""
    return word.translate(_FORM)


def phrase_form(text: str) -> tuple[str, ...]:
    return tuple(form(m.group()) for m in TOKEN.finditer(text))


# Spellings that outlets alternate for one name, as forms: a listed name is found in either
# ("الولايات المتحدة الأميركية" and "الأمريكية"; أمريكا / أميركا and their adjectives).
SPELLINGS = (("امريك", "اميرك"),)


def spelling_variants(tokens: tuple[str, ...]) -> list[tuple[str, ...]]:
    """A name's forms in every spelling of SPELLINGS, and with its last word's final yeh or alef maksura
    written the other way, as outlets do ("دبي", "دبى"; geonames has "بنغازى", the news "بنغازي"), its
    own first; none for no tokens. Only the last word: a first word so changed is mostly a preposition
    ("علي ..." would make "على" begin a name)."""
    found = [tokens] if tokens else []
    for a, b in SPELLINGS:
        for known in list(found):
            for x, y in ((a, b), (b, a)):
                if any(x in token for token in known):
                    other = tuple(token.replace(x, y) for token in known)
                    if other not in found:
                        found.append(other)
    for known in list(found):
        for x, y in (("ى", "ي"), ("ي", "ى")):
            if known[-1].endswith(x):
                other = (*known[:-1], known[-1][:-1] + y)
                if other not in found:
                    found.append(other)
    return found


# An alef with hamza or madda starts no article: "ألينا", "إلغاء", "ألعاب" and "آل سعود" fold to "ال..." but are
# not definite (Word.definite).
HAMZA_ALEFS = frozenset("أإآ")


class Word:
    """One distinct word: raw text, matching form and proclitic stems. Made once per
    distinct word and shared by all its occurrences (Tokens holds the offsets).

    stems: (characters of the raw word taken by proclitics, stem form), the
    word itself first; stem: the last (most stripped) stem; definite: the
    clitic offset of a stem carrying the article ال, or None.
    """

    __slots__ = ("definite", "form", "raw", "stem", "stems")

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.form = form(raw)
        self.stems = clitic_stems(raw, self.form)
        self.definite = next(
            (
                offset
                for offset, stem in self.stems
                if stem.startswith("ال") and len(stem) > 3 and raw[offset : offset + 1] not in HAMZA_ALEFS
            ),
            None,
        )
        self.stem = self.stems[-1][1]

    def __repr__(self) -> str:
        return f"Word({self.raw!r})"


@dataclass(frozen=True, slots=True)
class Tokens:
    """The words of a text in order and each occurrence's offsets, as parallel
    lists: an occurrence costs two ints and a reference, not an object (a page
    has hundreds of words, most of them seen before)."""

    words: list[Word]
    starts: list[int]
    ends: list[int]

    def __len__(self) -> int:
        return len(self.words)


def clitic_stems(raw: str, word: str) -> tuple[tuple[int, str], ...]:
    out = [(0, word)]
    rest, taken = word, 0
    if len(rest) > 3 and rest[0] in "وف":
        rest, taken = rest[1:], 1
        out.append((taken, rest))
    if len(rest) > 3 and rest.startswith("لل"):
        out.append((taken + 1, "ا" + rest[1:]))  # ل + (ا)ل: the name starts at the article's ل
    elif len(rest) > 3 and rest[0] in "بلك":
        out.append((taken + 1, rest[1:]))
    return tuple((_raw_offset(raw, n), stem) for n, stem in out)


def _raw_offset(raw: str, letters: int) -> int:
    """Raw characters spanned by the first `letters` non-diacritic characters."""
    if letters == 0:
        return 0
    seen = 0
    for index, char in enumerate(raw):
        if not _DIACRITIC.match(char):
            seen += 1
            if seen == letters:
                # diacritics attached to the clitic belong to it
                index += 1
                while index < len(raw) and _DIACRITIC.match(raw[index]):
                    index += 1
                return index
    return len(raw)


_WORDS: BoundedDict[str, Word] = BoundedDict(500_000)


def tokenize(text: str) -> Tokens:
    """The words of a text (TOKEN's matches) with their offsets.

    The compiled kernel runs tokenize_python's loop.
    """
    if KERNELS is None:
        return tokenize_python(text)
    return Tokens(*KERNELS.chunk_tokens(text, _CHUNKS.table, _CHUNKS.compute_and_store))


def tokenize_python(text: str) -> Tokens:
    """tokenize() in Python."""
    words: list[Word] = []
    starts: list[int] = []
    ends: list[int] = []
    add_words, add_start, add_end, find = words.extend, starts.append, ends.append, text.find
    end = 0
    # Whitespace never belongs to a word: each distinct chunk ("العراق،") is
    # analysed once into its words with their offsets in the chunk. Only
    # non-word characters lie between two chunks, so a chunk's first
    # occurrence after the previous one is its start.
    chunks, found = _CHUNKS.split(text)
    for chunk, (firsts, lasts, chunk_words) in zip(chunks, found, strict=True):
        start = find(chunk, end)
        end = start + len(chunk)
        if len(chunk_words) == 1:
            add_start(start + firsts[0])
            add_end(start + lasts[0])
        else:
            starts.extend([start + first for first in firsts])
            ends.extend([start + last for last in lasts])
        add_words(chunk_words)
    return Tokens(words, starts, ends)


def _chunk_words(chunk: str) -> tuple[tuple[int, ...], tuple[int, ...], tuple[Word, ...]]:
    """(starts, ends, words) of a whitespace-free chunk's words, offsets within the chunk."""
    if chunk.isalnum():  # exactly TOKEN's letters: the chunk is one word
        return (0,), (len(chunk),), (word_of(chunk),)
    found = list(TOKEN.finditer(chunk))
    return tuple(m.start() for m in found), tuple(m.end() for m in found), tuple(word_of(m.group()) for m in found)


_CHUNKS = ChunkCache(_chunk_words, max_size=200_000)  # about 50 MB


def word_of(raw: str) -> Word:
    """The shared Word of a raw word, made on its first occurrence."""
    found = _WORDS.get(raw)
    return found if found is not None else _WORDS.put(raw, Word(raw))


@dataclass(frozen=True)
class Entry:
    """One gazetteer name: its type, canonical name and where it comes from."""

    type: str
    canonical: str
    method: str
    confidence: float


class Gazetteer:
    """Multi-token names indexed by their first token's form: a lookup per token stem,
    then a comparison of the following tokens; longest names are tried first."""

    def __init__(self) -> None:
        self._index: dict[str, list[tuple[tuple[str, ...], Entry]]] = {}
        self._looked_up: BoundedDict[str, Entry | None] = BoundedDict(200_000)

    def add(self, surface: str, entry: Entry) -> None:
        """The name, in each of its spellings (spelling_variants), unless an earlier source has it."""
        self._looked_up.clear()
        for tokens in spelling_variants(phrase_form(surface)):
            bucket = self._index.setdefault(tokens[0], [])
            if any(existing == tokens for existing, _ in bucket):
                continue  # first source wins (curated entries are added first)
            bucket.append((tokens, entry))
            bucket.sort(key=lambda item: -len(item[0]))

    def __contains__(self, word: str) -> bool:
        return word in self._index

    def __len__(self) -> int:
        return sum(len(b) for b in self._index.values())

    def match_at(self, tokens: list[Word], i: int) -> list[tuple[int, int, Entry]]:
        """Names starting at word i: (offset into the word after clitics, words used, entry)."""
        found = []
        for offset, stem in tokens[i].stems:
            for names, entry in self._index.get(stem, ()):
                n = len(names)
                if n == 1 or (i + n <= len(tokens) and all(tokens[i + k].form == names[k] for k in range(1, n))):
                    found.append((offset, n, entry))
                    break
        return found

    def matches(self, tokens: list[Word], positions: list[int]) -> list[tuple[int, int, int, Entry]]:
        """(i, offset, words used, entry) of match_at at each position, in order (the compiled kernel's loop)."""
        if KERNELS is not None:
            return KERNELS.gazetteer_matches(tokens, positions, self._index)
        return self.matches_python(tokens, positions)

    def matches_python(self, tokens: list[Word], positions: list[int]) -> list[tuple[int, int, int, Entry]]:
        """matches() in Python."""
        return [(i, offset, n, entry) for i in positions for offset, n, entry in self.match_at(tokens, i)]

    def lookup(self, surface: str) -> Entry | None:
        # rules ask about the same surfaces on every page
        try:
            return self._looked_up[surface]
        except KeyError:
            pass
        tokens = phrase_form(surface)
        found = next((entry for names, entry in self._index.get(tokens[0] if tokens else "", ()) if names == tokens), None)
        return self._looked_up.put(surface, found)


def _rows(name: str) -> list[list[str]]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return [row for row in csv.reader((line for line in handle if line.strip() and not line.startswith("#")), delimiter="\t")]


def _words(name: str) -> list[str]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return [line.strip() for line in handle if line.strip() and not line.startswith("#")]


@cache
def load_gazetteer() -> Gazetteer:
    """Curated entities first (they win over generated ones), then the generated places."""
    gazetteer = Gazetteer()
    for row in _rows("curated.tsv"):
        type_, surface = row[0], row[1]
        canonical = row[2] if len(row) > 2 and row[2] else surface
        gazetteer.add(surface, Entry(type_, canonical, "gazetteer", 0.95))
    for name in _outlet_names():
        gazetteer.add(name, Entry("ORG", name, "gazetteer", 0.95))
    for surface, canonical, _kind, _source in _rows("places.tsv")[1:]:
        gazetteer.add(surface, Entry("LOC", canonical, "gazetteer", 0.9))
    return gazetteer


# Last words that make an outlet's name of the news domains' table a name and no phrase of the language
# ("السومرية نيوز", "نورث برس"; "بغداد اليوم" and "الصباح" are also words of a sentence, and so is "24"
# after a place or a day: "القاهرة 24", "اليوم 24").
OUTLET_NAME_ENDS = frozenset(form(w) for w in ("نيوز", "برس", "بريس", "بوست", "انفو"))


def _outlet_names() -> list[str]:
    """The outlets of news_domains.tsv (transforms/text/outlets.py reads the table) whose name ends in
    OUTLET_NAME_ENDS: organizations wherever they are named ("قال مصدر للسومرية نيوز")."""
    names = [row[1] for row in _rows("news_domains.tsv") if len(row) > 1 and " " in row[1].strip()]
    return [name for name in dict.fromkeys(names) if form(name.split()[-1]) in OUTLET_NAME_ENDS]


@cache
def load_clubs() -> Gazetteer:
    """Football clubs whose names are common words and national teams by their nicknames (clubs.tsv), for
    pages that read as sports reports."""
    clubs, places = Gazetteer(), load_gazetteer()
    for row in _rows("clubs.tsv"):
        canonical = row[1] if len(row) > 1 and row[1] else row[0]
        if canonical.startswith("منتخب "):  # a national team: named after its country as the gazetteer names it
            country = places.lookup(canonical.split(" ", 1)[1])
            canonical = f"منتخب {country.canonical}" if country is not None else canonical
        clubs.add(row[0], Entry("ORG", canonical, "gazetteer", 0.95))
    return clubs


@cache
def given_names() -> tuple[frozenset[str], frozenset[str]]:
    """(clear given names, given names that are also common words) as forms."""
    clear, ambiguous = set(), set()
    for word in _words("given_names.txt"):
        (ambiguous if word.startswith("?") else clear).add(form(word.lstrip("?")))
    return frozenset(clear - ambiguous), frozenset(ambiguous)


@cache
def triggers() -> frozenset[str]:
    return frozenset(form(w) for w in _words("triggers.txt"))


# Adjectives of peoples and blocs that country names do not yield.
_EXTRA_NATIONALITIES = "أمريكي أميركي أوروبي عربي كردي شيعي سني غربي خليجي آسيوي أفريقي إفريقي فارسي تركماني درزي علوي"


def _adjective(country: str) -> str:
    base = country[2:] if country.startswith("ال") else country
    if base.endswith("يا"):
        return base[:-2] + "ي"  # سوريا -> سوري، تركيا -> تركي
    if base.endswith("يه"):
        return base[:-2] + "ي"  # السعودية -> سعودي
    if base.endswith("ا"):
        return base[:-1] + "ي"  # أمريكا -> أمريكي
    return base + "ي"  # العراق -> عراقي، إيران -> إيراني


@cache
def _country_adjectives(as_trained: bool = False) -> tuple[tuple[str, str], ...]:
    """(adjective stem as a form, canonical name) of the gazetteer's one-word country names. The name is read as
    written but for its teh marbuta: "ألمانيا" begins with a hamza, not the article ("الألماني"). as_trained:
    as the shipped tagger's features read them, from the folded name ("المانيا": "ماني")."""
    return tuple(
        (_adjective(form(surface)) if as_trained else form(_adjective(surface.replace("ة", "ه"))), canonical)
        for surface, canonical, kind, _source in _rows("places.tsv")[1:]
        if kind == "country" and " " not in surface
    )


@cache
def adjective_countries() -> dict[str, str]:
    """Form of a country's adjective (مغربي, المغربي, المغربية) -> the country's canonical name, for the
    one-word country names whose adjective is no other country's ("منتخب تونس" is "المنتخب التونسي")."""
    countries: dict[str, set[str]] = {}
    for stem, canonical in _country_adjectives():
        for suffix in ("", "ه"):
            for word in (stem + suffix, "ال" + stem + suffix):
                countries.setdefault(word, set()).add(canonical)
    return {word: next(iter(names)) for word, names in countries.items() if len(names) == 1}


@cache
def country_adjective() -> dict[str, str]:
    """A country's canonical name -> the form of its feminine adjective with the article ("المغرب" ->
    "المغربيه"), for the countries adjective_countries knows."""
    out: dict[str, str] = {}
    for word, canonical in adjective_countries().items():
        if word.startswith("ال") and word.endswith("ه"):
            out.setdefault(canonical, word)
    return out


@cache
def country_names() -> frozenset[str]:
    """The canonical names of the gazetteer's countries."""
    return frozenset(canonical for _surface, canonical, kind, _source in _rows("places.tsv")[1:] if kind == "country")


@cache
def city_names() -> frozenset[str]:
    """The canonical names of the gazetteer's cities (places.tsv's generated rows)."""
    return frozenset(canonical for _surface, canonical, kind, _source in _rows("places.tsv")[1:] if kind == "city")


@cache
def nationalities(as_trained: bool = False) -> frozenset[str]:
    """Forms of nationality adjectives (السوري، العراقية، الإيرانيين ...), derived
    from the gazetteer's one-word country names: never names, never entities.
    Family names that look like adjectives (الشمري، الكاظمي) are not in it.
    as_trained: the list the shipped tagger was trained with (tagger_features.Lexicons; _country_adjectives), which
    a model's features must keep; retrained on this list, the tagger scored lower (docs/performance.md)."""
    stems = {form(w) for w in _EXTRA_NATIONALITIES.split()} | {stem for stem, _ in _country_adjectives(as_trained)}
    out = set()
    for stem in stems:
        for suffix in ("", "ه", "ين", "ون"):
            out.add("ال" + stem + suffix)
            out.add(stem + suffix)
    return frozenset(out)
