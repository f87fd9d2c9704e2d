"""The rule-based entity extractor: gazetteers, triggers, name structure and in-article coreference over tokens with offsets."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from khabar.transforms.runtime.bounded import BoundedDict
from khabar.transforms.runtime.native import KERNELS
from khabar.transforms.text.canonical import ORG_HEADS, fold_letters, name_key, person_key, subsequence
from khabar.transforms.text.entity_lexicon import (
    BISM,
    BOUNDARY,
    BOUNDARY_PATTERN,
    CLUB_HEADS,
    CLUB_STYLES,
    DIN_FIRSTS,
    DISEASE_WORDS,
    FORCES,
    FORCES_GENERIC,
    FUNCTION_WORDS,
    GENERIC,
    INSTITUTION_HEAD_STEMS,
    INSTITUTION_HEADS,
    INSTITUTION_STYLES,
    LOC_HEADS,
    LOC_HEADS_INCLUSIVE,
    MATCH_PREPOSITIONS,
    MATCH_WORDS,
    MEDIA_HEADS,
    MINISTRY_REMITS,
    NAME_BREAKERS,
    OFFICIAL,
    OPPONENT_WORDS,
    ORG_TRIGGERS,
    PLACE_BODY_STYLES,
    PLACE_CONTEXT,
    PLACE_HEAD_CONTEXT,
    PLACE_NAME_FIRSTS,
    PREPOSITIONS,
    QUOTES,
    ROLE_MODIFIERS,
    SPOKESMEN,
    SPORTS_CUES,
    SPORTS_CUES_NEEDED,
    STATE_BODIES,
    STATE_STYLES,
    STOP_DEFINITE,
    VENUE_WORDS,
)
from khabar.transforms.text.gazetteer import (
    HAMZA_ALEFS,
    Word,
    adjective_countries,
    city_names,
    country_adjective,
    country_names,
    form,
    given_names,
    load_clubs,
    load_gazetteer,
    nationalities,
    tokenize,
    triggers,
)
from khabar.transforms.text.metadata import agency_name
from khabar.transforms.text.ner_model import CamelModel, model_path, tagger_model
from khabar.transforms.text.outlets import known_outlet, shaped_like_outlet
from khabar.transforms.text.tagger import Tagger, shipped_tagger
from khabar.transforms.text.tagger_features import GAP_CLASSES, gap_masks
from khabar.transforms.text.word_frequency import load_frequencies, zipf_any

# The gap classes holding entity_lexicon.BOUNDARY's characters (all but quotes): a boundary between two words.
BOUNDARY_MASK = sum(1 << k for k, (name, chars) in enumerate(GAP_CLASSES) if any(c in BOUNDARY for c in chars))
# The gap classes holding entity_lexicon.QUOTES's characters.
QUOTE_MASK = sum(1 << k for k, (name, chars) in enumerate(GAP_CLASSES) if any(c in QUOTES for c in chars))

YEH_ALA = "علي"  # the name Ali, and the preposition على where a page writes yeh for alef maksura

# The rule flags of a word (flag_positions): one bit a kind of cue.
GAZ, ORG_HEAD, ORG_TRIGGER, LOC_HEAD, GIVEN, TRIGGER, DEFINITE, STATE_BODY, CLUB, SPORT, MEDIA, PLACE_HEAD = FLAG_BITS = tuple(
    1 << k for k in range(12)
)


@dataclass(frozen=True)
class EntityConfig:
    """Entity extraction.

    arabic_only: extract only from Arabic articles (others keep zero entities).
    coref_typo_distance: a surname differing from a full name's by this many
      trailing letters still links within one article ("الأعرج" -> "الأعرجي").
    min_confidence: mentions below this are dropped.
    ner: "tagger" (the default: the shipped statistical tagger,
      transforms/text/tagger.py, combined with the gazetteers and rules,
      offline), "tagger:/path/to/model.tsv" (the same with another model
      file), "rules" (gazetteers and rules only) or "camel:/path/to/model":
      camel-tools' BERT NER on a local model directory first, the rules
      filling the gaps (transforms/text/ner_model.py; extra khabar[camel-ner]).
    """

    arabic_only: bool = True
    coref_typo_distance: int = 1
    min_confidence: float = 0.5
    ner: str = "tagger"


# What stands between an article's text and its title when both are extracted
# as one document (EntityExtractor.extract_article): a paragraph break, which
# the rules treat as a boundary (and no mention may cross).
TITLE_BREAK = "\n\n"

TITLE, TEXT = "title", "text"


class Mention(NamedTuple):
    """One entity mention: text[start:end], where text is the article's
    ``field`` ("title" or "text"). A named tuple, not a frozen dataclass: a
    page makes dozens of candidates, and a frozen dataclass's __init__ pays a
    setattr a field."""

    start: int
    end: int
    type: str
    canonical: str  # display name within this article
    key: str  # corpus-wide identity key (before cross-article resolution)
    method: str
    confidence: float
    priority: int = 0
    field: str = TEXT  # the article column start and end point into

    @property
    def length(self) -> int:
        return self.end - self.start


class _Gaps:
    """Text between token i and i+1, sliced only when a rule asks."""

    __slots__ = ("_ends", "_starts", "_text")

    def __init__(self, text: str, starts: list[int], ends: list[int]) -> None:
        self._text, self._starts, self._ends = text, starts, ends

    def __getitem__(self, i: int) -> str:
        if i + 1 >= len(self._starts) or i < 0:
            return ""
        return self._text[self._ends[i] : self._starts[i + 1]]


@dataclass
class _Page:
    """One article's text and its tokens: tokens[i] is the i-th word (shared by
    its repeats), starts[i]:ends[i] where it stands in the text."""

    text: str
    tokens: list[Word]
    starts: list[int]
    ends: list[int]
    gaps: _Gaps
    by_flag: dict[int, list[int]] = field(default_factory=dict)
    o_margin: Any = None  # the tagger's O margin of each word (Tagger.analyse), once it has run
    _no_maksura: bool | None = None
    _masks: Any = None
    _broken: list[bool] | None = None
    _quoted: list[bool] | None = None

    @classmethod
    def of(cls, text: str, extractor: EntityExtractor) -> _Page:
        found = tokenize(text)
        tokens = found.words
        if KERNELS is not None:
            lists = KERNELS.flag_positions(tokens, "raw", extractor.flag_cache, extractor.flag_bits, len(FLAG_BITS))
        else:
            lists = flag_positions(tokens, extractor)
        by_flag = dict(zip(FLAG_BITS, lists, strict=True))
        return cls(text, tokens, found.starts, found.ends, _Gaps(text, found.starts, found.ends), by_flag)

    @property
    def writes_yeh_for_alef_maksura(self) -> bool:
        """A page that never writes ى (Egyptian and some other outlets: "علي الرغم"), or never the preposition
        "على" with it (a name such as "مصطفى" keeps its ى on such pages): its "علي" may be the preposition."""
        if self._no_maksura is None:
            self._no_maksura = len(self.tokens) >= 30 and (
                not any("ى" in t.raw for t in self.tokens) or not any(t.raw.lstrip("وف") == "على" for t in self.tokens)
            )
        return self._no_maksura

    def positions(self, mask: int) -> list[int]:
        single = self.by_flag.get(mask)
        if single is not None:
            return single  # one flag's positions, as the kernel listed them
        return sorted({i for bit, positions in self.by_flag.items() if mask & bit for i in positions})

    @property
    def masks(self) -> Any:
        """The punctuation classes of the gap after each word (tagger_features.gap_masks), computed once."""
        if self._masks is None:
            self._masks = gap_masks(self.text, self.starts, self.ends)
            self._broken = ((self._masks & BOUNDARY_MASK) != 0).tolist()
            self._quoted = ((self._masks & QUOTE_MASK) != 0).tolist()
        return self._masks

    def broken_after(self, i: int) -> bool:
        """A sentence or phrase boundary between token i and i+1 (BOUNDARY's characters in the gap):
        from the gap masks once the tagger has made them, else searched."""
        if i < 0 or i + 1 >= len(self.tokens):
            return False
        if self._broken is not None:
            return self._broken[i]
        return BOUNDARY_PATTERN.search(self.text, self.ends[i], self.starts[i + 1]) is not None

    @property
    def masked(self) -> bool:
        """Whether the gap masks are made (the tagger ran): boundaries and quotes are read from them."""
        return self._quoted is not None

    def quote_after(self, i: int) -> bool:
        """A quotation mark between token i and i+1: from the gap masks once the tagger has made them, else searched."""
        if i < 0 or i + 1 >= len(self.tokens):
            return False
        if self._quoted is not None:
            return self._quoted[i]
        gap = self.gaps[i]
        return gap != " " and any(q in gap for q in QUOTES)

    def tagger_hesitates(self, i: int) -> bool:
        """The tagger ran on the page and does not plainly call word i O (its O margin below UNSURE_MARGIN)."""
        return self.o_margin is not None and bool(self.o_margin[i] < UNSURE_MARGIN)

    def ending_at(self, end: int) -> int | None:
        """The index of the token that ends at text offset ``end``, if one does."""
        i = bisect_left(self.ends, end)
        return i if i < len(self.ends) and self.ends[i] == end else None

    def quoted_span(self, i: int, limit: int = 5) -> int | None:
        """If tokens from i are inside quotes opened just before i, the last token index."""
        if not (self.quote_after(i - 1) if i > 0 else any(q in self.text[: self.starts[0]] for q in QUOTES)):
            return None
        for j in range(i, min(i + limit, len(self.tokens))):
            if self.quote_after(j):
                return j
            if self.broken_after(j):
                return None
        return None


def flag_positions(tokens: list[Word], extractor: EntityExtractor) -> list[list[int]]:
    """For each of FLAG_BITS, the indices of the tokens that carry it, in order
    (what the compiled kernel flag_positions computes)."""
    lists: list[list[int]] = [[] for _ in FLAG_BITS]
    cached, bits_of = extractor.flag_cache.get, extractor.flag_bits
    for i, token in enumerate(tokens):
        bits = cached(token.raw)
        for bit in bits if bits is not None else bits_of(token):
            lists[bit].append(i)
    return lists


def _stem(token: Word) -> str:
    """The token without و/ف and a preposition, as a matching form."""
    return token.stem


def _stem_at(token: Word, offset: int) -> str:
    """The matching form of the token from ``offset`` (an offset into its raw text, as clitic offsets are: a
    diacritic before it makes it differ from an offset into the form), the whole form when no stem starts there."""
    return next((stem for off, stem in token.stems if off == offset), token.form)


def _after_word(page: _Page, i: int, words: frozenset[str]) -> bool:
    """Token i follows one of ``words`` (matching forms) with no boundary between them."""
    return i > 0 and not page.broken_after(i - 1) and page.tokens[i - 1].form in words


_SPOKEN_TO = re.compile(f"لـ*\\s*[{re.escape(QUOTES)}]")  # "لـ«", "ل\"": the preposition before a quote (alone: told by the caller)
_PRAYER_WORDS = frozenset(form(w) for w in ("صلاة", "أذان", "آذان", "الصلاة", "الأذان"))
_SUNSET = form("المغرب")


_PLACE_NOUNS = frozenset("ال" + head for head in LOC_HEADS) | {form("العاصمة")}


def _place_noun(token: Word, offset: int) -> bool:
    """A definite common noun of places alone ("المدينة", "العاصمة", "البلدة"): no place's name."""
    if token.stem not in _PLACE_NOUNS and token.form not in _PLACE_NOUNS:
        return False  # the common case, told without finding the stem at the offset
    return _stem_at(token, offset) in _PLACE_NOUNS


def _common_whole(token: Word, offset: int) -> bool:
    """A word read as a proclitic and a one-word name that is a common word whole and commoner than the name
    ("وفيات", deaths, against "فيات"; "وسوريا", "بحماس" are rarer than the names)."""
    return _commoner_whole(token.form, _stem_at(token, offset))


@lru_cache(maxsize=4096)
def _commoner_whole(whole: str, name: str) -> bool:
    frequency = zipf_any(whole)
    return frequency >= ACCUSATIVE_BASE and frequency > zipf_any(name)


def _prayer(page: _Page, i: int) -> bool:
    """Token i is "المغرب" after a prayer's word ("صلاة المغرب", "أذان المغرب"): the sunset prayer, not Morocco."""
    return (
        i > 0
        and page.tokens[i].form == _SUNSET
        and not page.broken_after(i - 1)
        and any(stem in _PRAYER_WORDS for _, stem in page.tokens[i - 1].stems)
    )


def _adjective_shaped(word: str) -> bool:
    """A definite word (matching form) shaped like an adjective, what may follow a definite noun in a name: a
    relative adjective ("الدولي", "العالميه"), a participle ("المتحده", "المشتركه"), an elative ("الاعلى",
    "الكبرى"), a style or a country's adjective; not a noun such as "القبض" or "الاستعداد"."""
    return word.endswith(("ي", "يه", "ى")) or word.startswith("الم") or word in INSTITUTION_STYLES or word in nationalities()


def _definite(token: Word) -> bool:
    return token.definite is not None


def _definite_stem(token: Word) -> tuple[int, str] | None:
    if token.definite is None:
        return None
    return next((offset, stem) for offset, stem in token.stems if offset == token.definite and stem.startswith("ال"))


def _conjoined(token: Word) -> bool:
    """A word with the conjunction و/ف before a definite or head noun ("والعراق", "ولجنة")."""
    return (
        len(token.stems) > 1
        and token.stems[1][0] > 0
        and token.form[0] in "وف"
        and (token.definite is not None or token.stems[1][1] in ORG_HEADS)
    )


def _with_conjunction(token: Word) -> bool:
    """A word that carries the conjunction و/ف: the word without it is commoner in Arabic at large
    ("ودعوا" -> "دعوا"; not "وزارة", "فريق"). A construct noun inside a name never does: "جماعة ودعوا الله"
    is a prayer in congregation and a new clause."""
    return len(token.stems) > 1 and token.form[0] in "وف" and token.stems[1][0] == 1 and zipf_any(token.stems[1][1]) > zipf_any(token.form)


def _preposition_on_article(token: Word) -> bool:
    """A definite word with a preposition (ب ل ك) before its article ("بالانتخابات", "للأقلام"): a preposition's
    phrase, no word of a name."""
    return bool(token.definite) and token.raw[token.definite - 1] in "بلك"


def _relation_adjective(word: str) -> bool:
    """A definite adjective of relation (nisba): "الداخلية", "الجزائرية", "الوطني" (forms fold ة to ه)."""
    return word.startswith("ال") and word.endswith(("ي", "يه", "يين", "يون")) and len(word) > 4


def _nationality(word: str) -> bool:
    return word in nationalities()


class EntityExtractor:
    """Pure entity extraction for one article's text; build once per worker."""

    def __init__(self, config: EntityConfig | None = None) -> None:
        self.config = config or EntityConfig()
        self.gazetteer = load_gazetteer()
        self.clubs = load_clubs()
        self.given, self.given_ambiguous = given_names()
        self.triggers = triggers()
        # title words with and without the article ("الأمير", "أمير"): what a proclitic on a word inside a name marks
        self._titles = self.triggers | {t[2:] for t in self.triggers if t.startswith("ال") and len(t) > 4}
        self._given_any = self.given | self.given_ambiguous
        load_frequencies()  # family names are told by their rarity (zipf_any): the list loads with the extractor, once a process
        # raw word -> indices into FLAG_BITS of its flags (the hot loop of _Page.of wants the indices)
        self.flag_cache: BoundedDict[str, tuple[int, ...]] = BoundedDict(500_000)
        self._definite_stems: BoundedDict[str, tuple[int, str]] = BoundedDict(500_000)
        path = model_path(self.config.ner)
        self.model = CamelModel(path) if path else None
        tagger = tagger_model(self.config.ner)
        # the shipped model is loaded once per process, whatever the number of extractors
        self.tagger: Tagger | None = None if tagger is None else shipped_tagger() if tagger == "" else Tagger(tagger)
        self.combine = COMBINE

    def flags(self, token: Word) -> int:
        """What rules may start at this word (cached per distinct word)."""
        bits = self.flag_cache.get(token.raw)
        return sum(FLAG_BITS[k] for k in (bits if bits is not None else self.flag_bits(token)))

    def flag_bits(self, token: Word) -> tuple[int, ...]:
        """Indices into FLAG_BITS of the word's flags, computed and cached (pages repeat words)."""
        value = 0
        for offset, stem in token.stems:
            if stem in self.gazetteer:
                value |= GAZ
            if stem in ORG_HEADS:
                value |= ORG_HEAD
            if stem in ORG_TRIGGERS:
                value |= ORG_TRIGGER
            if stem in LOC_HEADS_INCLUSIVE or stem in LOC_HEADS:
                value |= LOC_HEAD
            if stem in self.triggers:
                value |= TRIGGER
            if stem in _STATE_BODIES_BY_FIRST:
                value |= STATE_BODY
            if stem in self.clubs:
                value |= CLUB
            if stem in SPORTS_CUES:
                value |= SPORT
            if stem in MEDIA_HEADS:
                value |= MEDIA
            if stem in PLACE_HEADS:
                value |= PLACE_HEAD
            if (
                stem in self.given
                or stem in self.given_ambiguous
                or stem in ("عبد", "ابو")
                or stem in DIN_FIRSTS
                or (len(stem) > 4 and stem.startswith(("عبد", "ابو")) and offset == 0)
            ):
                value |= GIVEN
        if token.definite is not None:
            value |= DEFINITE
        bits = tuple(k for k, bit in enumerate(FLAG_BITS) if value & bit)
        return self.flag_cache.put(token.raw, bits)

    # ------------------------------------------------------------ candidates

    def _gazetteer(self, page: _Page) -> Iterator[Mention]:
        tokens = page.tokens
        for i, offset, n, entry in self.gazetteer.matches(tokens, page.positions(GAZ)):
            start, end = page.starts[i] + offset, page.ends[i + n - 1]
            if entry.type == "LOC" and self._adjective_use(page, i, tokens[i + n - 1]):
                continue
            if n == 1 and offset and _common_whole(tokens[i], offset):
                continue  # "وفيات" (deaths) is no "و" + a name "فيات"
            if n == 1 and entry.type == "LOC" and _prayer(page, i):
                continue  # "صلاة المغرب": the sunset prayer, not Morocco
            if n == 1 and entry.type == "LOC" and self._role_homograph(tokens[i], offset, page, i):
                continue  # "السفيرة الأمريكية": the ambassador, not the Syrian town of that name
            confidence = entry.confidence
            if n == 1 and entry.type == "LOC" and confidence >= CURATED_CONFIDENCE and self._homograph(tokens[i], offset, page, i):
                confidence = HOMOGRAPH_CONFIDENCE  # the tagger decides, as for the generated list's places
            yield Mention(start, end, entry.type, entry.canonical, name_key(entry.type, entry.canonical), entry.method, confidence, 3)

    def _unlisted_homograph(self, token: Word, offset: int, page: _Page, i: int) -> bool:
        """A one-word place the tagger found that no gazetteer lists and that is also a common word (its form
        with the article toggled is frequent: "مشهد" / "المشهد", a scene; "الشاي" / "شاي", tea), with no place
        head or direction right before it ("مدينة الباب" stays); a preposition does not count here: "في مشهد"
        is an idiom."""
        word = _stem_at(token, offset)
        if word in STATE_STYLE_WORDS or _after_word(page, i, PLACE_HEAD_CONTEXT):
            return False  # a state's style is joined to the state after it (_styled_states)
        return _common_word(word, self._given_any)

    def _role_homograph(self, token: Word, offset: int, page: _Page, i: int) -> bool:
        """A place named like a role that introduces a person ("السفيرة", a town near Aleppo, and the
        ambassador) with nothing right before it that says it is a place (as _homograph): the role."""
        if token.stem not in self._titles and token.form not in self._titles:
            return False  # the common case, told without finding the stem at the offset
        if _stem_at(token, offset) not in self._titles:
            return False
        return "ب" not in token.raw[:offset] and not _after_word(page, i, PLACE_CONTEXT)

    def _homograph(self, token: Word, offset: int, page: _Page, i: int) -> bool:
        """A curated one-word place that is also a common word or a given name ("القائم" of "القائم بالأعمال",
        "العمارة", "الحلة"), with nothing right before it that says it is a place (a preposition of place,
        a proclitic ب, a direction, a place head: "في القائم", "بالحلة", "قضاء العمارة"; not ل, which is "for"
        as often as "to": "للباب الخلفي"). Common: its form with the article toggled is frequent in Arabic at
        large, as build_gazetteers tells common words."""
        if "ب" in token.raw[:offset] or _after_word(page, i, PLACE_CONTEXT):
            return False
        return _common_word(_stem_at(token, offset), self._given_any)

    def _clubs(self, page: _Page) -> Iterator[Mention]:
        """Clubs whose names are common words (clubs.tsv): after "نادي" on any page, else on a page with
        SPORTS_CUES_NEEDED words of a match report; with "نادي" before ("نادي النصر", "للنادي الأهلي") and "الرياضي" after ("الوداد
        الرياضي") when the text has them; not a federation ("الاتحاد المصري لكرة القدم")."""
        tokens = page.tokens
        at = page.by_flag[CLUB]
        if not at:
            return
        report = _match_report(page)
        if not report and not any(head in page.text for head in CLUB_HEADS):
            return  # off a match report only a club after "نادي" is one
        for i, offset, n, entry in self.clubs.matches(tokens, at):
            last = i + n - 1
            if any(t.form.startswith("لكر") for t in tokens[last + 1 : last + 3]):
                continue  # "الاتحاد (المصري) لكرة القدم": the federation
            start = page.starts[i] + offset
            before = tokens[i - 1] if i and not offset and not page.broken_after(i - 1) else None
            head = next((off for off, stem in before.stems if stem in CLUB_HEADS), None) if before is not None else None
            if head is not None:
                start = page.starts[i - 1] + head  # "نادي النصر", "للنادي الأهلي": a club on any page
            elif not report:
                continue
            elif n == 1 and before is not None and before.definite == 0:
                continue  # after a definite noun it is its adjective: "المستطيل الأخضر" (the pitch), "المجلس الأهلي"
            if last + 1 < len(tokens) and not page.broken_after(last) and tokens[last + 1].form in CLUB_STYLES:
                last += 1
            yield Mention(
                start, page.ends[last], "ORG", entry.canonical, name_key("ORG", entry.canonical), entry.method, entry.confidence, 3
            )

    def _adjective_use(self, page: _Page, i: int, last: Word) -> bool:
        """'سورية' after an indefinite noun is the adjective 'Syrian', not the country. An adjective agrees
        with its noun in definiteness: 'السعودية' after an indefinite noun ("جهود السعودية") is the country
        the noun is of; after a place and "و" it is the next place of a list ("إيران وسورية")."""
        if not last.form.endswith("يه") or i == 0 or page.broken_after(i - 1) or _definite(page.tokens[i]):
            return False
        previous = page.tokens[i - 1]
        if last.raw[0] == "و" and len(last.stems) > 1:
            entry = self.gazetteer.lookup(previous.raw)
            if entry is not None and entry.type == "LOC":
                return False  # "إيران وسورية": a place and the next, no noun and its adjective
        return not _definite(previous) and previous.form not in FUNCTION_WORDS and previous.form not in PREPOSITIONS

    def _org_heads(self, page: _Page) -> Iterator[Mention]:
        tokens = page.tokens
        for i in page.positions(ORG_HEAD | ORG_TRIGGER):
            token = tokens[i]
            stems = token.stems
            head = next(((off, s) for off, s in stems if s in ORG_HEADS), None)
            if head is not None:
                yield from self._org_from_head(page, i, head[0])
            elif any(s in ORG_TRIGGERS for _, s in stems):
                yield from self._org_after_trigger(page, i)

    def _org_name_end(self, page: _Page, i: int, limit: int = 5, generic: frozenset[str] = GENERIC) -> int | None:
        """Last token of a definite name phrase starting at token i (idafa chains allowed).

        The phrase stops at punctuation, at a quote (a quoted name is its own
        mention), at a function word, and where a person's name begins
        ("رئيس هيئة الحشد الشعبي فالح الفياض"); a generic word anywhere makes
        it no name at all ("وكالة أنباء النظام").
        """
        tokens, last = page.tokens, None
        j = i
        place = False  # the word before is a place ("مصرف ليبيا"): only a style goes on ("المركزي")
        adjective = False  # the word before is a country's adjective: a style, another adjective or a "ل" phrase goes on
        adjectives = nationalities()
        while j < len(tokens) and j < i + limit:
            token = tokens[j]
            stem = _stem(token)
            if token.form in generic or stem in generic:
                return None
            if place and token.form not in PLACE_BODY_STYLES and token.form not in adjectives:
                return last  # "مصرف ليبيا المركزي" + "ضخ السيولة": the name ended
            if adjective and token.form not in INSTITUTION_STYLES and token.form not in adjectives and not token.raw.startswith("ل"):
                return last  # "وزارة الداخلية السورية" + "القبض على": the country's adjective closes the name ("لحقوق" goes on)
            adjective = j > i and token.form in adjectives
            if token.form in FUNCTION_WORDS or stem in STOP_DEFINITE or (j > i and self._given(token, context=False) is not None):
                return last
            joined = self._joined_end(page, j) if j > i and last is not None else None
            if joined is not None:
                return joined  # "مجلس الشؤون الاقتصادية والتنمية": the name's last word, joined by "و"
            if j > i and (self.flags(token) & (ORG_HEAD | ORG_TRIGGER | LOC_HEAD | TRIGGER) or _conjoined(token)):
                return last  # "... العراقية ولجنة الاتصال": a new phrase begins
            named = self._listed_at(page, j, bodies=False) if not place and self.flags(token) & GAZ else None
            if named is not None:  # a place in the name, whole ("الإمارات العربية المتحدة"): only a style may follow
                last, place = named, True
                if page.broken_after(last) or page.quote_after(last):
                    break
                j = last + 1
                continue
            definite = _definite(token) or self.gazetteer.lookup(token.raw) is not None
            if not definite:
                if last == j - 1 and last >= i and _definite(tokens[last]) and not token.raw.startswith("ل"):
                    return last  # a definite word closes the construct: "قوات الحشد" + "تلاحق المهاجمين" (a verb)
                if j == i and self._rare_construct(page, j):
                    return j + 1  # "وكالة أنباء" + "هاوار": the head's noun in construct with a rare name
                # an indefinite noun is part of the name only in construct with a definite one or a listed place
                # ("مجلس محافظة نينوى")
                if (
                    j + 1 < len(tokens)
                    and not page.broken_after(j)
                    and (
                        _definite(tokens[j + 1])
                        or (j == i and token.form in LOC_HEADS and self._listed_at(page, j + 1, bodies=False) is not None)
                    )
                    and token.form not in self.triggers
                    and not _with_conjunction(token)
                ):
                    j += 1
                    continue
                return last
            if last == j - 1 and last >= i and _definite(tokens[last]) and token.definite == 0 and not _adjective_shaped(token.form):
                return last  # two definite nouns in a row make no name: "وزارة الداخلية" + "القبض" (its object)
            last = j
            if page.broken_after(j) or page.quote_after(j):
                break
            j += 1
        return last

    def _rare_construct(self, page: _Page, j: int) -> bool:
        """Word j, a common noun, in construct with a rare word no list has, which ends the phrase ("أنباء هاوار"
        after "وكالة"): a name, as "أنباء" + a definite name is ("وكالة أنباء الأناضول")."""
        tokens = page.tokens
        if j + 1 >= len(tokens) or page.broken_after(j) or len(tokens[j].stems) > 1 or zipf_any(tokens[j].form) < RARE_WORD:
            return False
        name = tokens[j + 1]
        if not (j + 2 >= len(tokens) or page.broken_after(j + 1) or tokens[j + 2].form in FUNCTION_WORDS):
            return False
        return self._unknown_name_word(name) and len(name.form) > 3

    def _listed_at(self, page: _Page, j: int, bodies: bool = True) -> int | None:
        """The last word of the gazetteer place, or with ``bodies`` organization of two words or more, whose
        name starts at word j, or None: what a role is of ("قوات سوريا الديمقراطية"; one word alone may be a
        name's given or family part). With ``bodies`` the name may take the genitive's "ل" ("الأمين العام
        لمنظمة بدر"); else no proclitic: a place after a preposition ("بسلطنة عمان") is where the body is,
        not its name."""
        raw = page.tokens[j].raw
        found = [
            n
            for offset, n, entry in self.gazetteer.match_at(page.tokens, j)
            if (offset == 0 or (bodies and raw[:offset] == "ل")) and (entry.type == "LOC" or (bodies and entry.type == "ORG" and n > 1))
        ]
        return j + max(found) - 1 if found else None

    def _org_from_head(self, page: _Page, i: int, offset: int) -> Iterator[Mention]:
        tokens = page.tokens
        if i + 1 >= len(tokens):
            return
        quoted = page.quoted_span(i + 1)
        if quoted is not None:
            return  # "هيئة “الحشد الشعبي”": the quoted name is matched on its own
        if page.broken_after(i):
            return
        head = _stem_at(tokens[i], offset)
        if _stem(tokens[i + 1]) in WORKING_BODIES.get(head, ()):
            return  # "مجلس الإدارة", "مجلس إدارة الشركة", "لجنة التحكيم": a company's board, a jury, no name
        generic = GENERIC | FORCES_GENERIC if tokens[i].stems[-1][1] == FORCES or tokens[i].form == FORCES else GENERIC
        end = self._org_name_end(page, i + 1, generic=generic)
        if end is None:
            return
        start = page.starts[i] + offset
        surface = page.text[start : page.ends[end]]
        known = self._known_prefix(page, i, offset, end)
        if known:
            yield known
            return
        yield Mention(start, page.ends[end], "ORG", surface, name_key("ORG", surface), "pattern", 0.75, 2)

    def _known_prefix(self, page: _Page, i: int, offset: int, end: int) -> Mention | None:
        """'فيلق القدس الإيراني' -> the known 'فيلق القدس' when only nationality adjectives follow it."""
        tokens = page.tokens
        start = page.starts[i] + offset
        for cut in range(end, i, -1):
            surface = page.text[start : page.ends[cut]]
            entry = self.gazetteer.lookup(surface)
            if entry and entry.type == "ORG" and all(_nationality(_stem(t)) for t in tokens[cut + 1 : end + 1]):
                return Mention(
                    start,
                    page.ends[cut],
                    "ORG",
                    entry.canonical,
                    name_key("ORG", entry.canonical),
                    "gazetteer",
                    0.95,
                    3,
                )
        return None

    def _org_after_trigger(self, page: _Page, i: int) -> Iterator[Mention]:
        tokens = page.tokens
        if i + 1 >= len(tokens):
            return
        quoted = page.quoted_span(i + 1)
        end = quoted if quoted is not None else (None if page.broken_after(i) else self._org_name_end(page, i + 1, limit=3))
        if end is not None and quoted is None and end > i + 1 and tokens[end].form in OFFICIAL:
            end -= 1  # "صحيفة الصباح" + "الرسمية": the paper is official, its name is "الصباح"
        if end is None:
            return
        start = page.starts[i + 1]
        surface = page.text[start : page.ends[end]]
        entry = self.gazetteer.lookup(surface)
        if entry is not None:
            return  # a known name: the gazetteer finds it with its canonical
        if quoted is None and not all(_definite(t) for t in tokens[i + 1 : end + 1]):
            return
        yield Mention(start, page.ends[end], "ORG", surface, name_key("ORG", surface), "pattern", 0.7, 2)

    def _loc_patterns(self, page: _Page) -> Iterator[Mention]:
        tokens = page.tokens
        for i in page.positions(LOC_HEAD):
            if i + 1 >= len(tokens):
                continue
            token = tokens[i]
            stems = token.stems
            inclusive = next(((off, s) for off, s in stems if s in LOC_HEADS_INCLUSIVE), None)
            plain = inclusive is None and any(s in LOC_HEADS for _, s in stems)
            if (inclusive is None and not plain) or page.broken_after(i):
                continue
            name = tokens[i + 1]
            if name.form in FUNCTION_WORDS or _stem(name) in STOP_DEFINITE or name.form in GENERIC:
                continue
            if _preposition_on_article(name):
                continue  # "قاعدة للأقلام", "منطقة بالعاصمة": a preposition's phrase, no name
            end = i + 1
            name_start = page.starts[i + 1]
            if not page.broken_after(i + 1) and i + 2 < len(tokens) and self.gazetteer.lookup(page.text[name_start : page.ends[i + 2]]):
                end = i + 2  # known two-word names: دير الزور، باب الهوى
            if plain:
                known = self.gazetteer.lookup(page.text[name_start : page.ends[end]]) or self.gazetteer.lookup(name.raw)
                if not known and name.form in PLACE_NAME_FIRSTS and i + 2 < len(tokens) and not page.broken_after(i + 1):
                    # "قرية تل الضمان", "بلدة عين عيسى": a village's name of the hill, spring, monastery kind
                    second = tokens[i + 2]
                    if second.form not in FUNCTION_WORDS and second.form not in GENERIC and not _preposition_on_article(second):
                        surface = page.text[name_start : page.ends[i + 2]]
                        yield Mention(name_start, page.ends[i + 2], "LOC", surface, name_key("LOC", surface), "pattern", VILLAGE_NAME, 1)
                    continue
                if known or not _definite(name):
                    continue  # the gazetteer reports known places; indefinite words after منطقة are not names
                end = i + 1
                surface = name.raw
                yield Mention(name_start, page.ends[i + 1], "LOC", surface, name_key("LOC", surface), "pattern", TOWN_NAME, 1)
                continue
            if not (_definite(name) or self.gazetteer.lookup(name.raw)):
                continue
            start = page.starts[i] + inclusive[0]
            surface = page.text[start : page.ends[end]]
            yield Mention(start, page.ends[end], "LOC", surface, name_key("LOC", surface), "pattern", 0.8, 2)

    # ------------------------------------------------------------ persons

    def _given(self, token: Word, context: bool) -> int | None:
        """Clitic offset if the token is a given name (ambiguous ones only in a naming context)."""
        for offset, stem in token.stems:
            if stem in self.given or (context and stem in self.given_ambiguous):
                return offset
            if len(stem) > 4 and stem.startswith(("عبد", "ابو")) and stem not in FUNCTION_WORDS:
                return offset  # fused compounds: عبدالله، أبومهدي
        return None

    def _name_from(self, page: _Page, i: int, context: bool) -> tuple[int, int] | None:
        """(clitic offset, last token) of a person name starting at token i."""
        tokens = page.tokens
        token = tokens[i]
        compound = token.form in ("عبد", "ابو") or (token.stems[-1][1] in ("عبد", "ابو"))
        din = self._din_compound(page, i) if i + 1 < len(tokens) and tokens[i + 1].form == "الدين" else None
        offset = 0 if compound else din if din is not None else self._given(token, context)
        if offset is None:
            return None
        if self._ala_preposition(page, i, after_role=context):
            return None  # "علي الصعيد" on a page that spells على with yeh
        last, j, unknown = i, i + 1, 0
        if compound:
            if j >= len(tokens) or page.broken_after(i):
                return None
            last, j = j, j + 1
        elif din is not None:
            last, j = j, j + 1  # "عز الدين": the given name is both words
        while j < len(tokens) and j <= last + 1 and not page.broken_after(last) and j - i <= 4:
            token = tokens[j]
            stem = token.form
            if stem in FUNCTION_WORDS or stem in self.triggers or stem in STOP_DEFINITE or stem in GENERIC:
                break
            if any(rest in FUNCTION_WORDS or rest in self._titles for _, rest in token.stems[1:]):
                break  # a function word or a title behind a proclitic ("والتي", "وفي", "كأمير"): the name has ended
            if _preposition_on_article(token):
                break  # "بالانتخابات", "للرئيس": no word of a name
            if stem in ("بن", "ابن") and j + 1 < len(tokens):
                last, j = j + 1, j + 2
                continue
            if stem in ("عبد", "ابو") and j + 1 < len(tokens) and not page.broken_after(j):
                last, j = j + 1, j + 2
                continue
            if stem == "الدين" and j == last + 1 and self._din_compound(page, last) is not None:
                last, j = j, j + 1  # a given name of two words inside the name ("محمد نور الدين ...")
                continue
            if stem.startswith("ال") and token.raw[:1] not in HAMZA_ALEFS:
                if _nationality(stem) and not context:
                    break
                if self.gazetteer.lookup(token.raw) is not None:
                    break
                if unknown and zipf_any(stem) >= RARE_WORD:
                    break  # after words no list has ("نيجيرفان بارزاني"), a common definite word is the verb's object ("الوفد")
                last = j
                if self._second_nisba(page, j):
                    last = j + 1  # "أبو الحسن الهاشمي" + "القرشي": a name of two relative names
                break  # the family name ends the name
            rare_after_din = din is not None and last == i + 1 and len(stem) > 2 and zipf_any(stem) < RARE_WORD
            # after a role, up to two words the lexicon lacks; the second a rare one ("علي كرتي" + "تصريحات": the noun after)
            unlisted = context and len(stem) > 2 and (unknown == 0 or (unknown == 1 and zipf_any(stem) < RARE_WORD))
            if stem in self.given or stem in self.given_ambiguous or unlisted or rare_after_din:
                unknown += stem not in self.given and stem not in self.given_ambiguous
                last, j = j, j + 1
                continue
            break
        if last == i or (din is not None and last == i + 1 and not context):
            return None  # "صلاح الدين" alone is as often the province
        return offset, last

    def _second_nisba(self, page: _Page, j: int) -> bool:
        """The family name at token j is followed by another relative name ("الهاشمي القرشي"): a definite word
        ending in ي rarer than common nouns, no nationality and no listed name, with nothing between them."""
        if j + 1 >= len(page.tokens) or page.broken_after(j) or not page.tokens[j].form.endswith("ي"):
            return False
        after = page.tokens[j + 1]
        return (
            after.definite == 0
            and after.form.endswith("ي")
            and not _nationality(after.form)
            and zipf_any(after.form) < ACCUSATIVE_BASE
            and self.gazetteer.lookup(after.raw) is None
        )

    def _ala_preposition(self, page: _Page, i: int, after_role: bool) -> bool:
        """Token i is "علي" on a page that spells على with yeh, and the preposition: without a role always ("علي
        الصعيد"); after a role, or as the tagger's name, before a common word that is no given name ("الوزيرة علي
        هامش المؤتمر"; "الوزير علي كرتي" is the name)."""
        if page.tokens[i].stem != YEH_ALA or not page.writes_yeh_for_alef_maksura:
            return False
        if not after_role:
            return True
        if i + 1 >= len(page.tokens) or page.broken_after(i):
            return False
        after = page.tokens[i + 1]
        return after.form not in self._given_any and zipf_any(after.form) >= ACCUSATIVE_BASE

    @staticmethod
    def _din_compound(page: _Page, i: int) -> int | None:
        """Clitic offset of token i when it and the next word are a given name of the "X الدين" kind ("عز الدين",
        "نور الدين", "وصلاح الدين"), else None."""
        if i + 1 >= len(page.tokens) or page.tokens[i + 1].form != "الدين" or page.broken_after(i):
            return None
        return next((offset for offset, stem in page.tokens[i].stems if stem in DIN_FIRSTS), None)

    def _persons(self, page: _Page) -> Iterator[Mention]:
        taken: set[int] = set()
        for i in page.positions(TRIGGER):
            found = self._after_trigger(page, i)
            if found:
                offset, first, last = found
                taken.update(range(first, last + 1))
                yield self._person(page, first, offset, last, "trigger", 0.85)
        for i in page.positions(GIVEN):
            if i in taken:
                continue
            found = self._name_from(page, i, context=False)
            if found:
                offset, last = found
                if not any(k in taken for k in range(i, last + 1)):
                    taken.update(range(i, last + 1))
                    yield self._person(page, i, offset, last, "name", 0.7)

    def _person(self, page: _Page, first: int, offset: int, last: int, method: str, confidence: float) -> Mention:
        start, end = page.starts[first] + offset, page.ends[last]
        surface = page.text[start:end]
        return Mention(start, end, "PER", surface, person_key(surface), method, confidence, 2)

    def _after_trigger(self, page: _Page, i: int) -> tuple[int, int, int] | None:
        """(clitic offset, first, last token) of the name a role trigger introduces."""
        tokens = page.tokens
        j = i + 1
        steps = 0
        crossed = False  # a preposition and its noun were passed: the phrase may have left the role ("في إجراء")
        while j < len(tokens) and steps < 8:
            steps += 1
            if page.broken_after(j - 1) and any(c in "،," for c in page.gaps[j - 1]):
                # apposition: "سفير النظام في العراق، صطام جدعان الدندح،"
                return self._appositive(page, j)
            if page.broken_after(j - 1) and any(c in ".;؛:!?؟\n" for c in page.gaps[j - 1]):
                return None
            token = tokens[j]
            stem = _stem(token)
            if token.form in FUNCTION_WORDS and token.form not in PREPOSITIONS:
                return None
            if (token.form in PREPOSITIONS or (token.form == BISM and self._spokesman_before(tokens, j))) and j + 1 < len(tokens):
                j += 2  # "في العراق"; "المتحدث باسم الجيش": there "باسم" is "in the name of", no given name
                crossed = True
                continue
            if _definite(token) or stem in ROLE_MODIFIERS or token.form in self.triggers or stem in self.triggers:
                j += 1
                continue
            found = self._name_from(page, j, context=True)
            if found:
                return found[0], j, found[1]
            place = self._listed_at(page, j) if self.flags(token) & GAZ else None
            if place is not None and place + 1 < len(tokens):
                # "محافظ نينوى", "رئيس إقليم كردستان", "قائد قوات سوريا الديمقراطية": the place or body the role is of
                j = place + 1
                continue
            # an indefinite noun in construct with a definite one or a listed name belongs to the role ("وزير داخلية
            # النظام", "رئيس حكومة إقليم كردستان")
            if j + 1 < len(tokens) and not page.broken_after(j):
                after = tokens[j + 1]
                if (
                    _definite(after)
                    or after.form in self.triggers
                    or (self.flags(after) & GAZ and self._listed_at(page, j + 1) is not None)
                ):
                    j += 1
                    continue
            # else an unknown word: a name the lexicons lack right after the role's words, else in apposition only
            return None if crossed else self._unknown_name(page, j)
        return None

    def _unknown_name(self, page: _Page, j: int) -> tuple[int, int, int] | None:
        """(0, j, last) when the role's words end in two or three words of a name the lexicons lack
        (_unknown_name_word; transliterated mostly: "وزير الخارجية الروسي سيرغي لافروف", "الرئيس اللبناني
        اميل لحود"); None otherwise."""
        tokens = page.tokens
        last = j
        while last < len(tokens) and last - j < 3 and self._unknown_name_word(tokens[last]):
            if page.broken_after(last) or last + 1 == len(tokens):
                break
            last += 1
        else:
            last -= 1
        return (0, j, last) if last > j else None

    def _unknown_name_word(self, token: Word) -> bool:
        """A word that may be part of a name the lexicons lack: a rare word (_rare_name) without the article, no
        given name, role word, listed place, common noun in the accusative ("متضامنا") or common word behind a
        proclitic ("لثنيه")."""
        return (
            token.definite is None
            and self._rare_name(token)
            and not _accusative_noun(token.form, self._given_any)
            and not any(off and zipf_any(rest) >= ACCUSATIVE_BASE for off, rest in token.stems[1:])
            and token.form not in self._given_any
            and token.form not in self.triggers
            and self.gazetteer.lookup(token.raw) is None
        )

    @staticmethod
    def _spokesman_before(tokens: list[Word], j: int) -> bool:
        """Whether a spokesman word ends right before token j, or before its "الرسمي" ("الناطق الرسمي باسم")."""
        k = j - 1
        if k > 0 and tokens[k].form in OFFICIAL:
            k -= 1
        return k >= 0 and _stem(tokens[k]) in SPOKESMEN

    def _appositive(self, page: _Page, j: int) -> tuple[int, int, int] | None:
        tokens = page.tokens
        last = j
        while last < len(tokens) - 1 and not page.broken_after(last) and last - j < 3:
            last += 1
        names = tokens[j : last + 1]
        if len(names) < 2 or (not page.broken_after(last) and last + 1 < len(tokens)):
            return None
        if _definite(names[0]) or any(t.form in FUNCTION_WORDS or t.form in STOP_DEFINITE or t.form in self.triggers for t in names):
            return None
        return 0, j, last

    def _byline(self, page: _Page, author: str | None) -> Iterator[Mention]:
        if not author:
            return
        position = page.text.find(author)
        if position >= 0 and len(author.split()) >= 2:
            yield Mention(position, position + len(author), "PER", author, person_key(author), "byline", 0.9, 3)

    # ------------------------------------------------------------ resolution

    def extract(self, text: str, author: str | None = None) -> list[Mention]:
        """All mentions in one article's text, overlaps resolved, persons coreferenced."""
        return self._extract(text, author)

    def extract_article(self, title: str | None, text: str, author: str | None = None) -> list[Mention]:
        """All mentions of an article's title and text, each with the field its offsets point into.

        The title and the text are extracted as one document, so that
        in-article coreference and the merging of name variants see both: a
        surname in the text links to the full name in the title, and the
        other way round. The title goes a paragraph (TITLE_BREAK) after the
        text: the text's mentions keep their offsets as they are (an article
        has dozens, its title a few), and the text is searched first for the
        byline, as without a title. Title mentions come first in the list;
        offsets are into the title for field "title" and into the text for
        field "text".
        """
        if not title or not title.strip():
            return self._extract(text, author)
        shift = len(text) + len(TITLE_BREAK)
        mentions = self._extract(text + TITLE_BREAK + title, author, (len(text), shift))
        first = len(mentions)  # sorted by start: the title's mentions are the last ones
        while first and mentions[first - 1].start >= shift:
            first -= 1
        titled = [
            Mention(m.start - shift, m.end - shift, m.type, m.canonical, m.key, m.method, m.confidence, m.priority, TITLE)
            for m in mentions[first:]
        ]
        return titled + mentions[:first]

    def _extract(self, text: str, author: str | None, gap: tuple[int, int] | None = None) -> list[Mention]:
        """extract(); with ``gap`` (start, end), no mention may overlap text[start:end] (the break between a title and its text)."""
        page = _Page.of(text, self)
        if self.tagger is not None:
            page.masks  # noqa: B018 (the tagger needs the gap masks: the rules' boundaries come from them too)
        candidates = [
            *self._gazetteer(page),
            *self._clubs(page),
            *self._org_heads(page),
            *self._loc_patterns(page),
            *self._persons(page),
            *self._byline(page, author),
        ]
        if self.model is not None:
            candidates = _model_first(self._model_mentions(page), candidates, len(text))
        if self.tagger is not None:
            tagged = self._tagged_mentions(page)
            if self.combine == "vetted":
                candidates = self._vetted(page, tagged, candidates)
            else:
                candidates = combine(tagged, candidates, len(text), self.combine)
        if gap is not None:
            # rules stop at a paragraph break; a gazetteer name of several words does not
            candidates = [m for m in candidates if m.end <= gap[0] or m.start >= gap[1]]
        chosen = self._with_family_names(page, self._with_nationality(page, _non_overlapping(candidates)))
        chosen = self._listed_persons(page, chosen)
        chosen = self._clubs_by_city(page, chosen)
        chosen = self._headed_places(page, chosen)
        chosen = self._media_names(page, chosen)
        chosen = self._institutions(page, chosen)
        chosen = self._state_bodies(page, chosen)
        chosen = self._short_ministries(page, chosen)
        chosen = self._national_bodies(page, _merge_org_variants(self._merge_person_variants(chosen)))
        chosen = _non_overlapping(chosen + self._coreference(page, chosen) + self._short_org_names(page, chosen))
        web = any(mark in text for mark in _WEB_MARKS)  # most pages embed no post: no mention is looked at then
        return [
            m
            for m in sorted(chosen, key=lambda m: (m.start, m.end))
            if m.confidence >= self.config.min_confidence and not (web and _social_markup(page.text, m))
        ]

    def _model_mentions(self, page: _Page) -> list[Mention]:
        """The model's spans as mentions; a span the gazetteer knows takes its canonical name."""
        assert self.model is not None
        out = []
        for first, last, kind in self.model.label(page.text, page.tokens, page.starts, page.ends):
            start, end = page.starts[first] + self._clitic_offset(page.tokens[first]), page.ends[last]
            surface = page.text[start:end]
            entry = self.gazetteer.lookup(surface)
            canonical = entry.canonical if entry is not None and entry.type == kind else surface
            # camel-tools returns labels, not scores: one fixed confidence, above the rules' patterns
            out.append(Mention(start, end, kind, canonical, name_key(kind, canonical), "model", 0.9, 4))
        return out

    def _tagged_mentions(self, page: _Page) -> list[Mention]:
        """The tagger's spans as mentions; a span the gazetteer knows takes its canonical name."""
        assert self.tagger is not None
        out = []
        forms: set[str] | None = None
        found, page.o_margin = self.tagger.analyse(page.text, page.tokens, page.starts, page.ends, page.positions(GAZ), page.masks)
        for first, last, kind in found:
            last = _without_run_on(page, first, last, self._titles, self._given_any)
            if first < last and _conjoined_verb(page.tokens[first], self._given_any):
                first += 1  # "وتمكن سعيّد": the verb before the name
            if first < last and page.tokens[first].form in OPPONENT_WORDS:
                first += 1  # "مضيفه ليون": the team's role in the match, no word of its name
            if kind == "PER" and any(stem in DISEASE_WORDS for k in range(first, last + 1) for _, stem in page.tokens[k].stems):
                continue  # "لفيروس كورونا": a disease, no person
            if kind == "PER" and self._ala_preposition(page, first, after_role=True):
                continue  # "علي هامش المؤتمر" on a page that spells على with yeh
            if kind == "PER" and self._common_noun_behind_proclitic(page.tokens[first]):
                continue  # "بتوقيت غرينتش": a common noun with a preposition starts no name
            if kind == "PER" and last == first + 1 and self._ruler_of(page, first):
                first, kind = last, "LOC"  # "سلطان عمان", "أمير قطر": a ruler's style and the country, no name
            if kind == "PER" and self._after_place_head(page, first, last):
                kind = "LOC"  # "محافظة صلاح الدين": the province, no person
            token = page.tokens[first]
            offset = self._clitic_offset(token)
            if not offset and len(token.stems) > 1:
                # "ولافروف": the conjunction is peeled off when the page also has the word without it
                forms = forms if forms is not None else {t.form for t in page.tokens}
                offset = next((off for off, stem in token.stems[1:] if stem in forms), 0)
                if not offset and (self._conjunction_on_name(token) or (kind == "PER" and first < last and self._and_given(token))):
                    offset = 1
            start, end = page.starts[first] + offset, page.ends[last]
            surface = _with_elided_article(token, offset, page.text[start:end])
            entry = self.gazetteer.lookup(surface)
            after_preposition = offset == 1 and token.raw[0] in "لب"  # "للسعودية", "بسورية": no adjective
            if (
                kind == "LOC"
                and first == last
                and entry is not None
                and entry.type == "LOC"
                and not after_preposition
                and self._adjective_use(page, first, token)
            ):
                continue  # "مباحثات سورية": the rules know the adjective
            if kind == "LOC" and first == last and _place_noun(token, offset):
                continue  # "شمال المدينة": the city, a common noun (Medina is "المدينة المنورة")
            if kind == "LOC" and first == last and _prayer(page, first):
                continue  # "بعد صلاة المغرب": a prayer's time
            if kind == "LOC" and self._role_homograph(token, offset, page, first):
                continue  # "السفيرة الأمريكية": a role and its country, no place
            if kind == "LOC" and first == last and entry is None and self._unlisted_homograph(token, offset, page, first):
                continue  # "في مشهد يجسد": a common word no list has for a place
            canonical = entry.canonical if entry is not None and entry.type == kind else surface
            if kind == "PER" and out and out[-1].type == "PER" and self._split_name(page, out[-1], first):
                # a person right after a person: one name the tagger split
                surface = page.text[out[-1].start : end]
                out[-1] = out[-1]._replace(end=end, canonical=surface, key=name_key("PER", surface))
                continue
            out.append(Mention(start, end, kind, canonical, name_key(kind, canonical), "tagger", TAGGER_CONFIDENCE, 2))
        return self._styled_states(page, out)

    def _ruler_of(self, page: _Page, i: int) -> bool:
        """Word i is a ruler's style (RULER_STYLES) or a role word, and word i+1 a listed place: a country or city."""
        if page.tokens[i].stem not in RULER_STYLES and page.tokens[i].stem not in self._titles:
            return False
        entry = self.gazetteer.lookup(page.tokens[i + 1].raw)
        return entry is not None and entry.type == "LOC"

    def _split_name(self, page: _Page, before: Mention, first: int) -> bool:
        """The tagger's person ``before`` ends one space before word ``first``, which has no conjunction, and its
        last word is no listed place or organization: one name it split ("عبد الأمير" + "رشيد يار الله"); "سلطان عمان" + a
        name (a ruler's style and country) and "ستيفن بون" + "ووارن ..." (two persons) stay apart."""
        if first == 0 or page.ends[first - 1] != before.end or page.gaps[first - 1] != " " or _with_conjunction(page.tokens[first]):
            return False
        entry = self.gazetteer.lookup(page.text[page.starts[first - 1] : before.end])
        return entry is None or entry.type == "PER"

    def _after_place_head(self, page: _Page, first: int, last: int) -> bool:
        """Words first..last right after a head noun of places (LOC_HEADS: "محافظة", "مدينة", "قضاء") are a
        place the gazetteer lists, whatever else the name may be ("صلاح الدين")."""
        if first == 0 or page.broken_after(first - 1) or _stem(page.tokens[first - 1]) not in LOC_HEADS:
            return False
        entry = self.gazetteer.lookup(page.text[page.starts[first] : page.ends[last]])
        return entry is not None and entry.type == "LOC"

    def _common_noun_behind_proclitic(self, token: Word) -> bool:
        """A common word of a proclitic and a common word without the article, neither a given name ("بتوقيت":
        "at the time of"): no name begins so ("ومحمد", "لكريم" and "والأسد" do)."""
        if len(token.stems) < 2 or token.form in self._given_any or zipf_any(token.form) < ACCUSATIVE_BASE:
            return False  # a rarer word may be a name with a letter like a proclitic ("بوين", "كوفي", "بسام")
        return any(
            off and not rest.startswith("ال") and rest not in self._given_any and zipf_any(rest) >= ACCUSATIVE_BASE
            for off, rest in token.stems[1:]
        )

    def _styled_states(self, page: _Page, tagged: list[Mention]) -> list[Mention]:
        """A state's style the tagger took for a place of its own, right before the state ("لسلطنة" +
        "عُمان", "مملكة" + "البحرين"): one place, the style included, named as the gazetteer names it."""
        out: list[Mention] = []
        for mention in tagged:
            before = out[-1] if out else None
            if (
                before is not None
                and before.type == mention.type == "LOC"
                and form(page.text[before.start : before.end]) in STATE_STYLE_WORDS
                and page.text[before.end : mention.start] == " "
            ):
                surface = page.text[before.start : mention.end]
                entry = self.gazetteer.lookup(surface)
                canonical = entry.canonical if entry is not None and entry.type == "LOC" else mention.canonical
                out[-1] = before._replace(end=mention.end, canonical=canonical, key=name_key("LOC", canonical))
                continue
            out.append(mention)
        return out

    def _vetted(self, page: _Page, tagged: list[Mention], rules: list[Mention]) -> list[Mention]:
        """The "vetted" combination (COMBINE): curated names first, then the tagger's spans, then
        the rules that were measured to be right where the tagger found nothing (FILL_METHODS).

        A person the rules name with one more family name than the tagger ("صطام جدعان" and
        "صطام جدعان الدندح", the same start) takes the rules' span, and so does a place the rules
        name with its camp, crossing or base head noun ("مخيم الهول" for the tagger's "الهول").
        """
        length = len(page.text)
        curated = [m for m in rules if m.method == "gazetteer" and m.confidence >= CURATED_CONFIDENCE]
        people = {m.start: m for m in rules if m.type == "PER" and m.method in LONGER_PEOPLE}
        places = {m.end: m for m in rules if m.type == "LOC" and m.method == "pattern" and m.confidence >= HEADED_PLACE}
        organizations = [m for m in rules if m.type == "ORG" and m.method == "pattern"]

        def longer(mention: Mention) -> Mention:
            rule = people.get(mention.start) if mention.type == "PER" else places.get(mention.end) if mention.type == "LOC" else None
            if mention.type == "LOC" and rule is None:
                # a place inside an organization's name is part of it ("مصرف ليبيا المركزي", "وزارة الطاقة السعودية")
                rule = next((m for m in organizations if m.start < mention.start and mention.end <= m.end), None)
                if rule is not None:
                    return rule
            if rule is None:
                return mention
            if (
                rule.type == "PER"
                and rule.end > mention.end
                and self._one_family_name(page, mention.end, rule.end, rule.method == "trigger")
            ):
                return rule
            if rule.type == "LOC" and rule.start < mention.start:
                return rule  # "مخيم الهول": the camp, crossing or base with its head noun, as the rules name it
            return mention

        first = _model_first([longer(m) for m in curated], [longer(m) for m in tagged], length)
        # a person the tagger cuts or splits: an "X الدين" given name ("الدين ميهوبي"; "عماد الدين" and "حسين"),
        # a given name after a role it left out ("الرئيس اللبناني اميل لحود": it tagged "لحود"): the rules' person
        tagged_people = {m.end: m for m in first if m.type == "PER" and m.method == "tagger"}
        wider = [m for m in people.values() if self._wider_person(page, m, tagged_people.get(m.end))]
        first = _in_place_of_inner(first, wider)
        fill = [m for m in rules if (m.type, m.method) in FILL_METHODS or self._unsure(page, m)]
        return _model_first(first, fill, length)

    def _wider_person(self, page: _Page, rule: Mention, tagged: Mention | None) -> bool:
        """A rule person (_vetted) that takes the place of the tagger's inside it: one after a role one word
        longer at its start than the tagged person ending where it ends, or one of an "X الدين" given name."""
        if rule.method == "trigger" and tagged is not None and tagged.start > rule.start:
            return " " not in page.text[rule.start : tagged.start].strip()
        return "الدين" in page.text[rule.start : rule.end] and self._din_compound(page, bisect_right(page.ends, rule.start)) is not None

    def _unsure(self, page: _Page, mention: Mention) -> bool:
        """A rule mention that fills a gap only where the tagger hesitates: a person the rules find
        after a role or by name structure whose first word the tagger does not plainly call O
        (UNSURE_MARGIN), a place after a camp, crossing or base head, a town's rare name after its head the
        tagger does not plainly call O."""
        if mention.type == "LOC":
            if mention.method == "pattern" and mention.confidence == VILLAGE_NAME:
                return True  # a head, then a name of the "تل"/"عين"/"دير" kind: a village's, whatever its words
            if mention.method == "pattern" and mention.confidence == TOWN_NAME and page.o_margin is not None:
                # a town's name after its head ("بلدة الشولا"), no common word ("منطقة الجزاء", "مدينة الثقافة")
                i = bisect_right(page.ends, mention.start)
                return bool(page.o_margin[i] < UNSURE_MARGIN) and zipf_any(page.tokens[i].form) < ACCUSATIVE_BASE
            return mention.method == "pattern" and mention.confidence >= HEADED_PLACE
        if mention.type != "PER" or mention.method not in LONGER_PEOPLE or page.o_margin is None:
            return False
        first = bisect_right(page.ends, mention.start)
        if mention.method == "trigger" and any(stem in self.given_ambiguous for _, stem in page.tokens[first].stems):
            # after a role, a given name that is also a common word ("مظلوم") the tagger calls O: its family name
            # ("عبدي") will do
            return bool(page.o_margin[first : bisect_right(page.ends, mention.end - 1) + 1].min() < UNSURE_MARGIN)
        return bool(page.o_margin[first] < UNSURE_MARGIN)

    def _one_family_name(self, page: _Page, start: int, end: int, after_role: bool = False) -> bool:
        """text[start:end] holds exactly one word, a definite one that is no nationality adjective; after a
        role word ("الرئيس عبد المجيد" + "تبون") also a word of a name the lexicons lack (_unknown_name_word)
        that the tagger does not plainly call O."""
        i = bisect_left(page.starts, start)
        if i >= len(page.tokens) or page.ends[i] != end:
            return False
        token = page.tokens[i]
        if not _definite(token):
            # the tagger's O margin says whether the word may be a name's ("لحود") or plainly is not ("لثنيه")
            unsure = page.o_margin is None or page.o_margin[i] < UNSURE_MARGIN
            return after_role and unsure and self._unknown_name_word(token)
        return not _nationality(token.form) and token.form not in STOP_DEFINITE and token.form not in GENERIC

    def _conjunction_on_name(self, token: Word) -> bool:
        """Whether a word is the conjunction و on a name ("وريانة"): Arabic at large never writes the word
        whole (wordfreq has no such word) but knows it without the و, and it is no given name (وسام)."""
        return (
            token.raw.startswith("و")
            and token.form not in self.given
            and token.form not in self.given_ambiguous
            and zipf_any(token.form) == 0.0
            and zipf_any(token.form[1:]) > 0.0
        )

    def _and_given(self, token: Word) -> bool:
        """ "و" on a given name that is also a common word ("وسالم", "وطارق", "وسلمى": _clitic_offset reads only
        the clear given names), the word itself no given name ("وليد", "وسام"): at the start of a person's
        name of two words or more, the conjunction."""
        return token.raw.startswith("و") and token.form not in self._given_any and token.form[1:] in self._given_any

    def _clitic_offset(self, token: Word) -> int:
        """Where a name starts inside a token with proclitics ("والعراق", "ومحمد"); 0 when none is known."""
        for offset, stem in reversed(token.stems):
            if offset and (stem in self.gazetteer or stem in self.given or stem in ORG_HEADS or stem in self.triggers):
                return offset
        return token.definite or 0

    def _merge_person_variants(self, mentions: list[Mention]) -> list[Mention]:
        """'محمد خالد الرحمون' and 'محمد الرحمون' in one article are one person (same first and last name),
        and so is 'الرحمون' alone when no other person of the article has that family name, and a given name
        alone ('مشعل') when one person of the article has that given name and none that family name."""
        people = [m for m in mentions if m.type == "PER"]
        groups: dict[tuple[str, str], list[Mention]] = {}
        for mention in people:
            tokens = mention.key.split(" ")
            groups.setdefault((tokens[0], tokens[-1]), []).append(mention)
        representative: dict[tuple[str, str], Mention] = {
            k: min(v, key=lambda m: (len(m.key.split(" ")), m.start)) for k, v in groups.items()
        }
        # a family name alone ("الأسد", as the tagger finds it) is the article's one person of that family name
        families: dict[str, list[tuple[str, str]]] = {}
        for group in representative:
            if " " in representative[group].key:
                families.setdefault(group[1], []).append(group)
        for group in list(representative):
            if " " not in representative[group].key:
                found = families.get(fold_letters(group[0]), [])
                if len(found) == 1:
                    representative[group] = representative[found[0]]
                elif not found and group[0] in self._given_any:
                    # a given name alone ("الشيخ مشعل") is the article's one person of that given name
                    named = {representative[g].key for g in representative if g[0] == group[0] and " " in representative[g].key}
                    if len(named) == 1:
                        representative[group] = next(representative[g] for g in representative if representative[g].key in named)
        out = []
        for mention in mentions:
            if mention.type == "PER":
                tokens = mention.key.split(" ")
                rep = representative[(tokens[0], tokens[-1])]
                mention = Mention(
                    mention.start, mention.end, "PER", rep.canonical, rep.key, mention.method, mention.confidence, mention.priority
                )
            out.append(mention)
        return out

    def _with_nationality(self, page: _Page, mentions: list[Mention]) -> list[Mention]:
        """Organizations named by a generic head (ORG_HEADS) with their country's adjective right
        after them, which a curated name or the tagger leaves out ("البنك المركزي" + "المصري",
        "وزارة الصحة" + "المغربية"; a proper name such as "النصر" or "هيئة الحشد الشعبي" keeps
        its adjective out), and national teams, named by a head and the adjective or the country
        ("المنتخب المغربي", "منتخب الأرجنتين"). The adjective alone is no entity; the generic
        name without it is no one organization."""
        tokens, ends, starts = page.tokens, page.ends, page.starts
        by_start = {m.start: m for m in mentions}
        out, dropped = [], set()
        for m in mentions:
            j = _nationality_after(page, m.end) if m.type == "ORG" else None
            if j is not None and starts[j] not in by_start and self._headed(page, m.start, m.end):
                surface = page.text[m.start : ends[j]]
                m = Mention(m.start, ends[j], "ORG", surface, name_key("ORG", surface), m.method, m.confidence, m.priority)
            out.append(m)
        if "منتخب" in page.text:
            covered = _coverage(out, len(page.text))
            for i, token in enumerate(tokens[:-1]):
                offset, stem = token.stems[-1]
                if stem not in NATIONAL_HEADS or page.broken_after(i):
                    continue
                start, nxt = starts[i] + offset, tokens[i + 1]
                place = by_start.get(starts[i + 1])
                if place is not None and place.type == "LOC" and place.start == starts[i + 1] and not stem.startswith("ال"):
                    end = place.end  # "منتخب الأرجنتين": the head before a country
                    dropped.add(place.start)
                    country: str | None = place.canonical
                elif stem.startswith("ال") and nxt.definite == 0 and nxt.form in nationalities() and not covered[starts[i + 1]]:
                    end = ends[i + 1]  # "المنتخب المغربي"
                    country = adjective_countries().get(nxt.form)
                else:
                    continue
                if covered[start]:
                    continue
                surface = page.text[start:end]
                # one team whichever way it is named: "المنتخب التونسي" and "منتخب تونس" are "منتخب تونس"
                canonical = f"منتخب {country}" if country else surface
                out.append(Mention(start, end, "ORG", canonical, name_key("ORG", canonical), "pattern", 0.75, 2))
        return [m for m in out if m.start not in dropped or m.type != "LOC"] if dropped else out

    def _clubs_by_city(self, page: _Page, mentions: list[Mention]) -> list[Mention]:
        """A city with a masculine nationality adjective right after it is a club, named after its city
        ("ليون الفرنسي", "هامبورغ الألماني", "بورتو البرتغالي"): a city is feminine in Arabic and takes
        "الفرنسية"; the adjective agrees with the club (نادي). The city's word is the organization (the
        adjective stays out, as ANERcorp labels it), its canonical the city and the adjective, apart
        from the city itself across articles."""
        out = []
        report: bool | None = None  # whether the page is a match report, once a city asks
        for m in mentions:
            city = m.type == "LOC" and m.canonical in city_names()
            j = _nationality_after(page, m.end) if city else None
            adjective = page.tokens[j].form if j is not None else ""
            # masculine ("الفرنسي", not "الفرنسية") and a country's ("الغربي" is also a direction: "دير الزور الغربي")
            if adjective.endswith("ي") and adjective in adjective_countries():
                name = f"{m.canonical} {page.tokens[j].raw}"
                m = m._replace(type="ORG", canonical=name, key=name_key("ORG", name))
            elif city and self._opponent(page, m):
                if report is None:
                    report = _match_report(page)
                if report:
                    m = m._replace(type="ORG", key=name_key("ORG", m.canonical))
            out.append(m)
        return out

    @staticmethod
    def _opponent(page: _Page, m: Mention) -> bool:
        """A city in a match's slot for a team: right before a score ("كوبنهاغن 1 صفر") or after a match's word and
        its preposition ("فوزه على بورتو", "تعادل مع ليل", "أمام مضيفه ليون"); on a match report (_clubs_by_city)
        that is its club."""
        i = page.ending_at(m.end)
        first = bisect_right(page.ends, m.start)
        if i is None or first >= len(page.tokens):
            return False
        tokens = page.tokens
        before = tokens[first - 1].form if first and not page.broken_after(first - 1) else ""
        venue = before in VENUE_WORDS or "ب" in tokens[first].raw[: m.start - page.starts[first]]
        if i + 1 < len(tokens) and not page.broken_after(i) and (tokens[i + 1].raw.isdigit() or tokens[i + 1].form == "صفر"):
            return not venue  # "فوزه على كوبنهاغن 1 صفر", but "فاز في القاهرة 2 / 1": where it played
        if not before:
            return False
        if before in OPPONENT_WORDS:
            return True  # "مضيفه ليون"
        return before in MATCH_PREPOSITIONS and first >= 2 and not page.broken_after(first - 2) and tokens[first - 2].stem in MATCH_WORDS

    def _listed_persons(self, page: _Page, mentions: list[Mention]) -> list[Mention]:
        """People listed after a person: "X، Y، Z وW" where X is a person and each next item, after a comma
        or a conjunction "و" on its first word, begins with a given name (one that is also a common word
        too: the list names people) and has two words or more (_name_from in a naming context): a team
        sheet, a cast, a delegation. A person the tagger or the rules found inside such an item ("سايس" of
        "غانم سايس") gives way to it; any other mention ends the list."""
        if not any(m.type == "PER" for m in mentions):
            return mentions
        tokens, text = page.tokens, page.text
        listed = [m for m in mentions if m.type == "PER" and text[m.end : m.end + 3].lstrip(" ")[:1] in ("،", ",", "و")]
        if not listed:
            return mentions  # no comma or conjunction after any person: no list (most pages)
        by_start = {m.start: m for m in mentions}
        found: list[Mention] = []
        replaced: set[int] = set()
        for m in listed:
            i = page.ending_at(m.end)
            while i is not None and i + 1 < len(tokens):
                j = i + 1
                gap = page.gaps[i].strip()
                conjunction = tokens[j].raw[0] == "و" and len(tokens[j].stems) > 1
                if gap not in ("،", ",") and not (gap == "" and conjunction):
                    break
                item = by_start.get(page.starts[j]) or by_start.get(page.starts[j] + 1)
                if item is not None and item.type == "PER":
                    i = page.ending_at(item.end)  # an item already a person: the list goes on after it
                    continue
                named = self._name_from(page, j, context=True)
                if named is None:
                    break
                offset, last = named
                start, end = page.starts[j] + offset, page.ends[last]
                inside = [x for x in mentions if x.start < end and start < x.end]
                if any(x.type != "PER" or x.start < start or x.end > end for x in inside):
                    break
                replaced.update(x.start for x in inside)
                person = self._person(page, j, offset, last, "list", LISTED_PERSON)
                found.append(person)
                by_start[person.start] = person  # another person before it in the list goes on over it
                i = last
        if not found:
            return mentions
        return sorted([m for m in mentions if m.start not in replaced] + found, key=lambda m: (m.start, m.end))

    def _with_family_names(self, page: _Page, mentions: list[Mention]) -> list[Mention]:
        """Family names the tagger or the rules left out of a person's name (_family_tail): the name
        goes on to the end of its family names."""
        if not any(m.type == "PER" for m in mentions):
            return mentions
        # a family name the tagger took for a person of its own ("الصباح") joins the name before it
        taken = {m.start for m in mentions if m.type != "PER" or " " in page.text[m.start : m.end]}
        known: list[set[str]] = []

        def families() -> set[str]:
            """Family names the article gives with a full name ("ميشال عون": "جوزيف" before "عون" is
            "جوزيف عون"), made once a page when a name asks."""
            if not known:
                known.append({form(w[-1]) for m in mentions if m.type == "PER" and len(w := page.text[m.start : m.end].split()) > 1})
            return known[0]

        out, absorbed = [], []
        text = page.text
        for m in mentions:
            # a family name follows in the same phrase: a space after the name (not a comma or a line break)
            i = page.ending_at(m.end) if m.type == "PER" and text[m.end : m.end + 1] == " " else None
            if i is not None:
                last = self._family_tail(page, i, m.start, taken, families)
                if last > i:
                    end = page.ends[last]
                    surface = page.text[m.start : end]
                    m = Mention(m.start, end, "PER", surface, person_key(surface), m.method, m.confidence, m.priority)
                    absorbed.append((page.starts[i + 1], end))
            out.append(m)
        if absorbed:
            out = [m for m in out if not any(start <= m.start and m.end <= end for start, end in absorbed)]
        return out

    def _family_tail(self, page: _Page, i: int, start: int, taken: set[int], families: Callable[[], set[str]]) -> int:
        """The last token of the family names after a person's name that ends at token i, in the same
        phrase and no other mention's: "آل" and its family ("محمد بن سلمان" + "آل سعود"), a word and
        "الله" ("يحيى" + "عطية الله"; not a pronoun's "رحمه الله"); after a
        father's name with the article ("مشعل الأحمد" + "الجابر الصباح"), the next name with it when it is
        a given name with the article or a rare word (not the object of the verb before the name: "أدى
        مشعل الأحمد الجابر اليمين", "وجه مشعل الأحمد الشكر"); after
        a given name ("عبد المجيد", "جوزيف خليل"), a family name of another person of the article
        (``families``), a word rare in Arabic at large (RARE_WORD) that the article names again
        ("تبون"; "استقبل" and "فاز" are common, a rare verb is not repeated), or a word Arabic at large
        never writes (wordfreq has no such word: "جواد" + "ياميق" in a team sheet named once)."""
        tokens = page.tokens
        while i + 1 < len(tokens) and not page.broken_after(i) and page.starts[i + 1] not in taken:
            word = tokens[i + 1]
            if word.form == "ال" and i + 2 < len(tokens) and not page.broken_after(i + 1) and self._may_be_family(tokens[i + 2]):
                return i + 2  # "آل سعود" (form() folds آ): the family name ends the name
            if (
                i + 2 < len(tokens)
                and tokens[i + 2].form == ALLAH
                and not page.broken_after(i + 1)
                and page.starts[i + 2] not in taken
                and not word.raw.endswith("ه")
                and self._may_be_family(word)
            ):
                return i + 2  # "عطية الله", "نصر الله": a family name of a word and "الله" (not "رحمه الله": may God ...)
            if (
                word.definite == 0
                and self._patronymic(tokens[i], start, page.starts[i])
                and self._may_be_family(word, chain=True)
                and (word.form[2:] in self._given_any or zipf_any(word.form) < RARE_WORD)
            ):
                i += 1
                continue
            if _definite(word) or i - bisect_left(page.starts, start) >= 2 or not self._may_be_family(word):
                break  # a family name ends a name of one or two given names, not a run-on of four words
            alone = page.starts[i] == start  # a person of one word so far: a given name, or the tagger's ("كولو")
            ends_given = self._ends_given(page, i, start)
            if word.form in families() and (alone or ends_given):
                return i + 1  # "جوزيف" + "عون" where the article has "ميشال عون"
            if not alone and not ends_given:
                break
            rarity = zipf_any(word.form)
            if (
                alone
                and rarity < RARE_WORD
                and page.tagger_hesitates(i + 1)
                and self._unknown_name_word(word)
                and not any(off and zipf_any(rest) >= rarity for off, rest in word.stems[1:])
            ):
                # rare, a name's word by its kind, no commoner word behind a proclitic ("فاحتسب", "بيسراه"),
                # and the tagger hesitates: the family name of a one-word person ("مبارك" + "بوصوفة", "كولو" + "توريه")
                return i + 1
            if ends_given and ((rarity < RARE_WORD and page.text.count(word.raw) > 1) or (rarity == 0.0 and len(word.stems) == 1)):
                return i + 1  # rare and named again, or never written in Arabic at large and no clitic on it

            break
        return i

    def _may_be_family(self, word: Word, chain: bool = False) -> bool:
        """A word that can be a family name: no function, trigger, generic or nationality word, no
        known place or organization, no conjunction before it ("وياسمين": the next name of a list), no
        title behind a proclitic ("مشعل كأمير جديد", as emir);
        after a father's name (``chain``), a definite common word is a family name too ("الصباح")."""
        return (
            len(word.form) >= 3
            and word.form not in FUNCTION_WORDS
            and word.form not in self.triggers
            and (chain or word.form not in STOP_DEFINITE)
            and word.form not in GENERIC
            and not _nationality(word.form)
            and self.gazetteer.lookup(word.raw) is None
            and not (len(word.stems) > 1 and word.form[0] == "و")
            and not any(offset and stem in self._titles for offset, stem in word.stems)
        )

    def _patronymic(self, token: Word, start: int, token_start: int) -> bool:
        """The token is a father's or grandfather's given name with the article ("الأحمد", "الجابر",
        "العلي"), after the first word of the name: more family names may follow. A name that is also a
        common word does not chain ("الصباح" ends "مشعل الأحمد الجابر الصباح": the oath, "اليمين", is next)."""
        return token_start > start and token.definite == 0 and token.form.startswith("ال") and token.form[2:] in self.given

    def _headed_places(self, page: _Page, mentions: list[Mention]) -> list[Mention]:
        """Places named by a head noun and a name: a stadium, airport, street, square, palace or museum
        and the name after it, whatever that name is on its own ("ملعب محمد الخامس", "استاد القاهرة",
        "ملعب لوسيل": a rare word; after any head but a square, a definite word and its relative
        adjectives, "استاد البيت", "شارع الثورة"), one place, head included, as the rules name camps and
        crossings."""
        heads = page.positions(PLACE_HEAD)
        if not heads:
            return mentions
        by_start = {m.start: m for m in mentions}
        covered = _coverage(mentions, len(page.text))
        out, replaced = [], set()
        tokens = page.tokens
        for i in heads:
            if i + 1 >= len(tokens):
                continue
            offset, head = next(((off, st) for off, st in tokens[i].stems if st in PLACE_HEADS), (None, ""))
            if offset is None or page.broken_after(i) or page.quote_after(i):
                continue  # a quoted name is matched on its own
            start, name_start = page.starts[i] + offset, page.starts[i + 1]
            if covered[start]:
                continue
            named = by_start.get(name_start)
            if named is not None:
                end = named.end
                replaced.add(named.start)
                last = page.ending_at(end)
                if named.type == "LOC" and last is not None:
                    end = page.ends[self._facility_end(page, last, covered)]  # "مطار بغداد" + "الدولي"
            elif not covered[name_start] and self._rare_name(tokens[i + 1]):
                end = page.ends[i + 1]
            elif not covered[name_start] and head in FACILITY_HEADS and self._facility_name(tokens[i + 1]):
                last = self._facility_end(page, i + 1, covered)
                end = page.ends[self._named_after(page, last, covered, by_start, replaced)]
            else:
                continue
            surface = page.text[start:end]
            out.append(Mention(start, end, "LOC", surface, name_key("LOC", surface), "pattern", HEADED_PLACE, 2))
        if not out:
            return mentions
        return sorted([m for m in mentions if m.start not in replaced] + out, key=lambda m: (m.start, m.end))

    def _media_names(self, page: _Page, mentions: list[Mention]) -> list[Mention]:
        """News outlets by what names them: a media head ("صحيفة", "قناة", "وكالة", ...: MEDIA_HEADS) and
        the name after it in quotes, in Latin letters, or as the outlet table or the agencies' credits
        know it (_outlet_name: "لصحيفة «الشرق الأوسط»", "لشبكة cnbc", "قناة الجزيرة"; "موقع" and
        "شبكة", also a site and a network, take a quoted or Latin name only), and a known outlet
        crediting a paragraph at its start, in the article's first CREDIT_CHARS characters ("شفا – ",
        "/العمانية/", "(واس)"; after a dateline's place, "لندن - الشرق الأوسط"), or quoted after "ل"
        (_outlets_spoken_to). Each is an organization whatever its words are alone (a place, a common
        word); mentions inside it give way, and one that crosses its ends keeps its words. The head is
        not part of the name, as ANERcorp and the development set label it."""
        kept: list[Mention] = []
        for name in (*self._media_after_heads(page), *self._credited_outlets(page), *self._outlets_spoken_to(page)):
            if not any(k.start < name.end and name.start < k.end for k in kept):
                kept.append(name)  # the first of two that overlap (a head's name and a credit)
        return _in_place_of_inner(mentions, kept)

    def _media_after_heads(self, page: _Page) -> Iterator[Mention]:
        tokens = page.tokens
        for i in page.positions(MEDIA):
            if i + 1 >= len(tokens) or page.broken_after(i):
                continue
            end = page.quoted_span(i + 1, limit=6)
            if end is None:
                end = _latin_run(page, i + 1)
            if end is None and not any(stem in _SITE_OR_NETWORK for _, stem in tokens[i].stems):
                end = self._outlet_run(page, i + 1)
            if end is not None:
                yield self._outlet_mention(page.text, page.starts[i + 1], page.ends[end])

    def _outlets_spoken_to(self, page: _Page) -> Iterator[Mention]:
        """A known outlet in quotes after the preposition "ل" on its own ("قال لـ«الشرق الأوسط»", "ل\"سكاي نيوز
        عربية\""): the outlet a source spoke to, whatever its words are alone."""
        text = page.text
        for match in _SPOKEN_TO.finditer(text):
            if match.start() and not text[match.start() - 1].isspace():
                continue  # "ل" ending a word
            i = bisect_left(page.starts, match.start())
            if i + 1 >= len(page.tokens) or page.starts[i] != match.start():
                continue
            end = page.quoted_span(i + 1)
            if end is not None and _outlet_name(page.text[page.starts[i + 1] : page.ends[end]]) is not None:
                yield self._outlet_mention(page.text, page.starts[i + 1], page.ends[end])

    def _outlet_run(self, page: _Page, i: int) -> int | None:
        """The last token of a known outlet or agency (_outlet_name) of up to four words from token i, longest first."""
        for last in range(min(i + 3, len(page.tokens) - 1), i - 1, -1):
            if any(page.broken_after(k) for k in range(i, last)):
                continue
            if _outlet_name(page.text[page.starts[i] : page.ends[last]]) is not None:
                return last
        return None

    def _credited_outlets(self, page: _Page) -> Iterator[Mention]:
        text = page.text
        line = 0
        while 0 <= line < CREDIT_CHARS:
            match = _CREDIT.match(text, line, CREDIT_CHARS)
            line = text.find("\n", line, CREDIT_CHARS)
            line = line + 1 if line >= 0 else -1
            if match is None:
                continue
            start, end = match.span("name" if match["name"] is not None else "lead")
            name = text[start:end]
            entry = self.gazetteer.lookup(name)
            if entry is not None and entry.type != "ORG" and match["lead"] is not None:
                # a dateline's place, then the outlet the table knows ("لندن - الشرق الأوسط", "بغداد - النهرين")
                after = bisect_left(page.starts, match.end())
                last = self._outlet_run(page, after) if after < len(page.starts) else None
                if last is not None:
                    yield self._outlet_mention(text, page.starts[after], page.ends[last])
                continue
            if (entry is not None and entry.type != "ORG") or (_outlet_name(name) is None and not shaped_like_outlet(name)):
                continue  # a dateline's place ("الرياض - "), or no outlet known or shaped like one ("الحياة برس - ")
            first = bisect_left(page.starts, start)
            if page.ending_at(end) is not None and first < len(page.starts) and page.starts[first] == start:
                yield self._outlet_mention(text, start, end)

    def _outlet_mention(self, text: str, start: int, end: int) -> Mention:
        """An outlet's mention: the gazetteer's canonical for a name it lists as an organization, else
        _outlet_name's, else the name."""
        surface = text[start:end]
        entry = self.gazetteer.lookup(surface)
        canonical = entry.canonical if entry is not None and entry.type == "ORG" else _outlet_name(surface) or surface
        return Mention(start, end, "ORG", canonical, name_key("ORG", canonical), "pattern", MEDIA_NAME, 3)

    def _state_bodies(self, page: _Page, mentions: list[Mention]) -> list[Mention]:
        """State bodies named by their function (STATE_BODIES) and their country's adjective, then a style:
        "البنك المركزي المصري", "مجلس الوزراء السعودي", "البرلمان اللبناني". Without the adjective the
        name is left to the tagger and the curated list: "مجلس الوزراء" of a Saudi article and of an
        Egyptian one would be one organization across articles (within an article, the bare name joins
        the full one: _merge_org_variants). Mentions inside the name give way to it; one that crosses its
        ends keeps its words."""
        text, tokens, starts, ends = page.text, page.tokens, page.starts, page.ends
        nationality = nationalities()
        out: list[Mention] = []
        after = 0  # the first token after the last name found
        for i in page.positions(STATE_BODY):
            found = self._state_body_at(page, i) if i >= after else None
            if found is None:
                continue
            offset, last = found
            j = last + 1
            if j >= len(tokens) or tokens[j].definite != 0 or tokens[j].form not in nationality or page.broken_after(last):
                continue  # "مجلس الوزراء" alone: which country's is not said, and across articles it would be one
            last = j
            if last + 1 < len(tokens) and tokens[last + 1].form in STATE_STYLES and not page.broken_after(last):
                last += 1
            start, end = starts[i] + offset, ends[last]
            name = _with_elided_article(tokens[i], offset, text[start:end])
            out.append(Mention(start, end, "ORG", name, name_key("ORG", name), "pattern", 0.75, 2))
            after = last + 1
        out += self._short_central_banks(page)
        return _in_place_of_inner(mentions, out)

    def _short_ministries(self, page: _Page, mentions: list[Mention]) -> list[Mention]:
        """A ministry named by its remit and its country's feminine adjective, "وزارة" left out ("أعلنت
        الخارجية العراقية"): the ministry, named in full ("وزارة الخارجية العراقية") so that it joins the
        long name across articles. Not after a definite noun, whose adjective the remit then is ("السياسة
        الخارجية العراقية"), nor after a role ("وزير الخارجية السودانية" is the minister), nor inside another
        mention."""
        tokens, out = page.tokens, []
        covered: bytearray | None = None
        for i in page.positions(DEFINITE):
            token = tokens[i]
            if token.definite != 0 or token.form not in MINISTRY_REMITS or i + 1 >= len(tokens) or page.broken_after(i):
                continue
            after = tokens[i + 1]
            if after.definite != 0 or not after.form.endswith("يه") or not _nationality(after.form):
                continue
            if (
                i
                and not page.broken_after(i - 1)
                and (_definite(tokens[i - 1]) or any(stem in self._titles for _, stem in tokens[i - 1].stems))
            ):
                continue  # "السياسة الخارجية العراقية": an adjective; "وزيرة الخارجية الأميركية": a minister
            covered = covered if covered is not None else _coverage(mentions, len(page.text))
            start, end = page.starts[i], page.ends[i + 1]
            if covered[start] or covered[page.starts[i + 1]]:
                continue
            name = "وزارة " + page.text[start:end]
            out.append(Mention(start, end, "ORG", name, name_key("ORG", name), "pattern", 0.75, 2))
        return sorted(mentions + out, key=lambda m: (m.start, m.end)) if out else mentions

    def _short_central_banks(self, page: _Page) -> list[Mention]:
        """A central bank by the short name economy news gives it, "the central" and its country's adjective
        ("المركزي المصري", "للمركزي الأوروبي"): the bank, named in full ("البنك المركزي المصري") so that it
        joins the long name across articles. After "البنك" or "المصرف" the long name is _state_bodies'; after
        another definite noun "المركزي" is its adjective ("المجلس المركزي الفلسطيني")."""
        text, tokens, out = page.text, page.tokens, []
        position = text.find(_CENTRAL)
        while position >= 0:
            i = bisect_right(page.starts, position) - 1
            position = text.find(_CENTRAL, position + 1)
            if i < 0 or i + 1 >= len(tokens) or page.broken_after(i):
                continue
            offset = next((off for off, stem in tokens[i].stems if stem == CENTRAL), None)
            adjective = tokens[i + 1]
            if offset is None or adjective.definite != 0 or adjective.form not in nationalities():
                continue
            if (
                i > 0
                and not page.broken_after(i - 1)
                and (_definite(tokens[i - 1]) or any(stem in _BANK_HEADS for _, stem in tokens[i - 1].stems))
            ):
                continue  # "البنك المركزي المصري": the long name; "المجلس المركزي الفلسطيني": an adjective
            start = page.starts[i] + offset
            surface = _with_elided_article(tokens[i], offset, text[start : page.ends[i + 1]])
            name = f"البنك {surface}"
            out.append(Mention(start, page.ends[i + 1], "ORG", name, name_key("ORG", name), "pattern", 0.75, 2))
        return out

    def _national_bodies(self, page: _Page, mentions: list[Mention]) -> list[Mention]:
        """A ministry or a state body named without its country ("وزارة الداخلية", "مجلس الوزراء") in an
        article about one country is that country's: it is named with the country's adjective ("وزارة
        الداخلية المغربية"), so that across articles the Egyptian and the Moroccan ministries stay two and
        each joins its full name. The article's country is the one its places and nationality adjectives
        name most: at least twice, and twice as often as any other; without one the name stays as it is."""
        bare: dict[str, str] = {}  # key -> the name its first mention gives
        for m in mentions:
            if m.type == "ORG" and _bare_state_body(m.key):
                bare.setdefault(m.key, m.canonical)
        if not bare:
            return mentions
        country = self._article_country(page, mentions)
        adjective = country_adjective().get(country) if country else None
        if adjective is None:
            return mentions
        spelled = next(
            (token.raw[offset:] for token in page.tokens for offset, stem in token.stems if stem == adjective),
            adjective[:-1] + "ة",
        )
        named = {key: (f"{name} {spelled}", name_key("ORG", f"{name} {spelled}")) for key, name in bare.items()}
        return [m._replace(canonical=named[m.key][0], key=named[m.key][1]) if m.type == "ORG" and m.key in named else m for m in mentions]

    def _article_country(self, page: _Page, mentions: list[Mention]) -> str | None:
        """The country an article's places and nationality adjectives name most (see _national_bodies), or None."""
        countries = country_names()
        counts: Counter[str] = Counter(m.canonical for m in mentions if m.type == "LOC" and m.canonical in countries)
        adjectives = adjective_countries()
        for token, times in Counter(page.tokens).items():  # a page's repeats share one Word: each looked at once
            country = next((adjectives[stem] for _, stem in token.stems if stem in adjectives), None)
            if country is not None:
                counts[country] += times
        ranked = counts.most_common(2)
        if not ranked or ranked[0][1] < 2 or (len(ranked) > 1 and ranked[0][1] < 2 * ranked[1][1]):
            return None
        return ranked[0][0]

    def _state_body_at(self, page: _Page, i: int) -> tuple[int, int] | None:
        """(clitic offset, last token) of a STATE_BODIES name starting at token i, the longest, or None."""
        tokens = page.tokens
        for offset, stem in tokens[i].stems:
            for name in _STATE_BODIES_BY_FIRST.get(stem, ()):  # longest first
                if i + len(name) <= len(tokens) and all(
                    tokens[i + k].form == name[k] and not page.broken_after(i + k - 1) for k in range(1, len(name))
                ):
                    return offset, i + len(name) - 1
        return None

    def _institutions(self, page: _Page, mentions: list[Mention]) -> list[Mention]:
        """Public bodies named by a definite head, their style and their remit, which neither the
        tagger nor a head noun's name phrase gets whole: "الهيئة العليا المستقلة للانتخابات", "المركز
        الوطني للأرصاد", "الهيئة العامة للغذاء والدواء", "المديرية العامة للشؤون الداخلية". The head
        ("الهيئة", "المركز", "السلطة"), one or more style adjectives (INSTITUTION_STYLES or a country's
        adjective), then the remit after ل ("للانتخابات", "لإدارة الحالات الطارئة") or a second
        adjective. Mentions inside the name give way to it; one that crosses its end keeps its words."""
        text, tokens = page.text, page.tokens
        # the tokens holding a head (spelled with teh marbuta or heh: the stem without its last letter)
        candidates: set[int] = set()
        for head in INSTITUTION_HEAD_STEMS:
            at = text.find(head)
            while at >= 0:
                candidates.add(bisect_right(page.starts, at) - 1)
                at = text.find(head, at + len(head))
        found = []
        for i in sorted(candidates):
            if i < 0 or i + 2 >= len(tokens):
                continue
            token = tokens[i]
            offset = token.definite
            if offset is None or not any(stem in INSTITUTION_HEADS for _, stem in token.stems):
                continue
            j, styles = i + 1, 0
            while (
                j < len(tokens)
                and not page.broken_after(j - 1)
                and tokens[j].definite == 0
                and (tokens[j].form in INSTITUTION_STYLES or tokens[j].form in nationalities())
            ):
                styles, j = styles + 1, j + 1
            last = j - 1
            if styles and j < len(tokens) and not page.broken_after(j - 1) and tokens[j].form[:1] == "ل" and len(tokens[j].stems) > 1:
                last = self._remit_end(page, j)
            elif styles < 2:
                continue
            start, end = page.starts[i] + offset, page.ends[last]
            surface = page.text[start:end]
            found.append(Mention(start, end, "ORG", surface, name_key("ORG", surface), "pattern", 0.75, 2))
        return _in_place_of_inner(mentions, found)

    def _remit_end(self, page: _Page, j: int) -> int:
        """The last token of an institution's remit starting at token j (after ل): a noun with the
        article ("للانتخابات") takes the adjectives of relation after it ("للشؤون الداخلية", "...
        الجزائرية"); a noun without it ("لإدارة") its complement and that complement's adjective
        ("لإدارة الحالات الطارئة"). A definite word after the remit that is no adjective of relation
        is the sentence going on ("للانتخابات النتائج")."""
        tokens, last = page.tokens, j
        construct = tokens[j].definite is None  # "لإدارة": a noun in construct with what follows
        k = j + 1
        while k < len(tokens) and k - j <= 3 and not page.broken_after(k - 1) and tokens[k].definite == 0:
            if construct and k == j + 1:
                last = k  # the complement: "الحالات"
            elif (construct and k == j + 2) or _relation_adjective(tokens[k].form):
                last = k  # "الطارئة" after the complement; "الداخلية", "الجزائرية" after a definite remit
            else:
                break
            k += 1
        joined = self._joined_end(page, last + 1)
        return last if joined is None else joined

    def _joined_end(self, page: _Page, j: int) -> int | None:
        """The last token of an organization name's last part joined to it by "و" at token j, or None: a
        definite noun with the conjunction and no head, trigger or listed name of its own, its adjectives of
        relation, then the phrase's end (a boundary, a function word): "الهيئة العامة للغذاء والدواء،",
        "وزارة الصحة والحماية الاجتماعية أن"; "وزارة الخارجية والوزير في" goes on with a new phrase."""
        tokens = page.tokens
        if j >= len(tokens) or page.broken_after(j - 1):
            return None
        token = tokens[j]
        if not _conjoined(token) or token.definite is None or self.flags(token) & (ORG_HEAD | ORG_TRIGGER | LOC_HEAD | TRIGGER):
            return None
        if self.flags(token) & GAZ and self.gazetteer.match_at(tokens, j):
            return None  # a listed name of its own ("والعراق"), not a word that only begins one ("والدفاع")
        last = j
        while (
            last + 1 < len(tokens)
            and not page.broken_after(last)
            and tokens[last + 1].definite == 0
            and _relation_adjective(tokens[last + 1].form)
        ):
            last += 1
        if (
            last + 1 >= len(tokens)
            or page.broken_after(last)
            or tokens[last + 1].form in NAME_BREAKERS
            or tokens[last + 1].form in FUNCTION_WORDS
            or self._given(tokens[last + 1], context=False) is not None  # "لجنة الأمن والدفاع النيابية" + "علي ..."
        ):
            return last
        return None

    def _facility_name(self, token: Word) -> bool:
        """A definite word that names a facility after its head ("استاد البيت", "شارع الثورة"): no time word,
        no generic noun, no nationality, no function word (the caller takes it only where no mention stands)."""
        return (
            token.definite == 0
            and token.form not in STOP_DEFINITE
            and token.form not in GENERIC
            and token.form not in FUNCTION_WORDS
            and not _nationality(token.form)
        )

    def _facility_end(self, page: _Page, last: int, covered: bytearray) -> int:
        """The last word of a facility's name that starts with the definite word at token ``last``, with the
        definite relative adjectives right after it ("قصر المؤتمرات الدولي"; words ending in ي or ية, a
        nationality too), none inside another mention."""
        tokens = page.tokens
        while (
            last + 1 < len(tokens)
            and not page.broken_after(last)
            and page.gaps[last] == " "
            and not covered[page.starts[last + 1]]
            and tokens[last + 1].definite == 0
            and tokens[last + 1].form.endswith(("ي", "يه"))
            and tokens[last + 1].form not in STOP_DEFINITE
        ):
            last += 1
        return last

    def _named_after(self, page: _Page, last: int, covered: bytearray, by_start: dict[int, Mention], replaced: set[int]) -> int:
        """The last word of a facility's name whose definite word ends at token ``last``: the rare word after
        it, without the article, when there is one ("شارع الحبيب بورقيبة": the person the street
        is named after, a famous name below NAMED_AFTER_ZIPF; a one-word mention of it gives way), else
        ``last``."""
        tokens, k = page.tokens, last + 1
        word = tokens[k] if k < len(tokens) else None
        if (
            word is None
            or page.broken_after(last)
            or page.gaps[last] != " "
            or _definite(word)
            or (len(word.stems) > 1 and word.raw[0] in "وف")  # a conjunction: the next item of a list
            or (len(word.stems) > 1 and word.raw[0] in "بل" and any(stem in self.gazetteer for _, stem in word.stems[1:]))  # "بدمشق": where
            or len(word.form) < 3
            or word.form in FUNCTION_WORDS
            or word.form in NAME_BREAKERS
            or zipf_any(word.form) >= NAMED_AFTER_ZIPF
        ):
            return last
        start = page.starts[k]
        if covered[start]:
            mention = by_start.get(start)
            if mention is None or mention.end != page.ends[k]:
                return last
            replaced.add(start)
        return k

    def _rare_name(self, token: Word) -> bool:
        """A word that can be a place's name after its head: no function word, rare in Arabic at large."""
        return (
            len(token.form) >= 3
            and token.form not in FUNCTION_WORDS
            and token.form not in GENERIC
            and not _nationality(token.form)
            and zipf_any(token.form) < RARE_WORD
        )

    def _ends_given(self, page: _Page, i: int, start: int) -> bool:
        """Token i ends a given name: a given name itself, or the second word of a compound one
        ("عبد المجيد", "أبو بكر", "عز الدين") inside the mention starting at ``start``."""
        token = page.tokens[i]
        if self._given(token, context=True) is not None:
            return True
        if i == 0 or page.starts[i - 1] < start:
            return False
        return page.tokens[i - 1].form in ("عبد", "ابو") or token.form in COMPOUND_SECONDS

    def _headed(self, page: _Page, start: int, end: int) -> bool:
        """page.text[start:end] is a generic organization name: a head ("البنك", "وزارة") and common
        words ("المركزي", "الصحة"), which need the country to name one organization; a head before a
        proper name ("هيئة الحشد الشعبي", "فيلق القدس": the gazetteer knows the name or a word of it;
        "حزب الله": the gazetteer lists the whole name, no state body) is a name already."""
        i = bisect_right(page.starts, start) - 1
        if i < 0 or not any(stem in ORG_HEADS or stem[2:] in ORG_HEADS for _, stem in page.tokens[i].stems):
            return False
        j = bisect_left(page.ends, end)
        rest = page.tokens[i + 1 : j + 1]
        if not rest or self.gazetteer.lookup(page.text[page.starts[i + 1] : end]) is not None:
            return False
        whole = self.gazetteer.lookup(page.text[start:end])
        if whole is not None and whole.type == "ORG" and not _bare_state_body(name_key("ORG", whole.canonical)):
            return False  # a listed name, head and all ("حزب الله"), that names one body whatever country reads it
        return not any(self.gazetteer.lookup(token.raw) is not None for token in rest)

    def _coreference(self, page: _Page, mentions: list[Mention]) -> list[Mention]:
        """Surname-only mentions of a full name in the same article, typos included."""
        surnames: dict[str, Mention] = {}
        plain: dict[str, Mention] = {}  # family names without the article, as written: "عون", "تبون"
        shared: set[str] = set()
        for mention in mentions:
            if mention.type != "PER" or mention.method == "coref":
                continue
            words = page.text[mention.start : mention.end].split()
            last = form(words[-1])
            if len(last) >= 4 and last.startswith("ال"):
                surnames.setdefault(last, mention)
            elif len(words) > 1 and self._family_name(last, form(words[-2])) and plain.setdefault(words[-1], mention).key != mention.key:
                shared.add(words[-1])  # "ميشال عون" and "جوزيف عون": "عون" alone is neither
        for name in shared:
            del plain[name]
        if not surnames and not plain:
            return []
        covered = _coverage(mentions, len(page.text))
        out = self._plain_surnames(page, plain, covered) if plain else []
        if not surnames:
            return out
        typos = self._typo_index(surnames)
        tokens, cached = page.tokens, self._definite_stems
        # a known family name right after a name is that name's last word ("مشعل الأحمد الجابر الصباح" when the
        # tagger stopped before it), not a second person. Here, not in _family_tail: the article's family names
        # are known only once every name has its own (the other person's "الصباح" may come later in the text).
        people_ending = {m.end: m for m in mentions if m.type == "PER" and m.method != "coref"}
        for i in page.positions(DEFINITE):
            token = tokens[i]
            found = cached.get(token.raw)
            if found is None:
                found = cached.put(token.raw, _definite_stem(token))  # type: ignore[arg-type]
            offset, stem = found
            target = surnames.get(stem)
            confidence = 0.8
            if target is None:
                target = typos.get(stem)
                confidence = 0.6
            if target is None:
                continue
            start = page.starts[i] + offset
            if covered[start]:
                continue
            before = people_ending.get(page.ends[i - 1]) if i and not offset and page.gaps[i - 1] == " " else None
            if before is not None:
                out.append(_extended(page.text, before, page.ends[i]))
                continue
            out.append(Mention(start, page.ends[i], "PER", target.canonical, target.key, "coref", confidence, 0))
        return out

    def _short_org_names(self, page: _Page, mentions: list[Mention]) -> list[Mention]:
        """An organization named elsewhere in the article by its head and a name ("هيئة الحشد الشعبي",
        "حركة النجباء") is that organization where the name's first word stands alone ("وقال بيان للحشد"):
        only after heads of groups and movements (SHORT_NAME_HEADS; "وكالة الأنباء" gives no "الأنباء"),
        a word rarer than common nouns (SHORT_NAME_ZIPF: "حزب الله" gives no "الله", "قوات الأمن" no
        "الأمن"), not an adjective after a definite noun and not the first of a phrase of definite words."""
        names: dict[str, Mention] = {}
        tokens = page.tokens
        for mention in mentions:
            if mention.type != "ORG" or mention.method == "coref":
                continue
            i = bisect_right(page.ends, mention.start)
            if (
                i + 1 >= len(tokens)
                or page.ends[i + 1] > mention.end
                or _stem_at(tokens[i], mention.start - page.starts[i]) not in SHORT_NAME_HEADS
            ):
                continue
            name = tokens[i + 1].form
            if name.startswith("ال") and len(name) > 4 and zipf_any(name) < SHORT_NAME_ZIPF:
                names.setdefault(name, mention)
        if not names:
            return []
        covered = _coverage(mentions, len(page.text))
        out = []
        for i in page.positions(DEFINITE):
            token = tokens[i]
            if token.stems[-1][1] not in names:  # the word without its proclitics: most are no name
                continue
            found = _definite_stem(token)
            target = names.get(found[1]) if found is not None else None
            if target is None or covered[page.starts[i] + found[0]]:
                continue
            if i and not page.broken_after(i - 1) and _definite(tokens[i - 1]) and not found[0]:
                continue  # "الأوضاع" + the word: an adjective
            if i + 1 < len(tokens) and not page.broken_after(i) and _definite(tokens[i + 1]):
                continue  # the first word of another phrase
            start = page.starts[i] + found[0]
            out.append(Mention(start, page.ends[i], "ORG", target.canonical, target.key, "coref", 0.8, 0))
        return out

    def _family_name(self, last: str, before: str) -> bool:
        """A full name's last word that names the person alone elsewhere in the article: no given
        name ("محمد بن سلمان": "سلمان" alone may be his father), no word of a compound (عبد, بن,
        ابو), no function word, three letters at least."""
        return (
            len(last) >= 3
            and last not in self.given
            and last not in self.given_ambiguous
            and last not in FUNCTION_WORDS
            and before not in COMPOUND_PARTS
            and last not in COMPOUND_PARTS
        )

    def _plain_surnames(self, page: _Page, plain: dict[str, Mention], covered: bytearray) -> list[Mention]:
        """Family names without the article standing alone ("عون", "وتبون"): the person whose full
        name ends with it, when exactly one person of the article does."""
        out = []
        text = page.text
        for name, target in plain.items():
            folded = form(name)
            at = text.find(name)
            while at >= 0:
                # a whole word, or one with proclitics ("وتبون"): the token holding it ends with it
                i = page.ending_at(at + len(name))
                if (
                    i is not None
                    and not covered[at]
                    and any(page.starts[i] + off == at and stem == folded for off, stem in page.tokens[i].stems)
                ):
                    out.append(Mention(at, at + len(name), "PER", target.canonical, target.key, "coref", 0.8, 0))
                at = text.find(name, at + len(name))
        return out

    def _typo_index(self, surnames: dict[str, Mention]) -> dict[str, Mention]:
        """Truncated surnames (a letter or more dropped at the end) -> the one full name they can be."""
        candidates: dict[str, list[Mention]] = {}
        for surname, mention in surnames.items():
            for cut in range(1, self.config.coref_typo_distance + 1):
                short = surname[:-cut]
                if len(short) >= 5 and short not in surnames:
                    candidates.setdefault(short, []).append(mention)
        return {short: found[0] for short, found in candidates.items() if len({m.key for m in found}) == 1}


# How the tagger's mentions and the rules' candidates are combined: "vetted" (EntityExtractor._vetted), or
# one of combine()'s modes. Chosen on ANERcorp's development part and the real-pages development set, the
# samples kept (benchmarks/eval_entities.py --anercorp, benchmarks/eval_devset.py; figures in tagger.md).
COMBINE = "vetted"
TAGGER_CONFIDENCE = 0.8
CURATED_CONFIDENCE = 0.95  # gazetteer mentions from the curated list (and known names before adjectives)
HOMOGRAPH_CONFIDENCE = 0.9  # a curated place that is also a common word, outside a place's context: as generated places
HOMOGRAPH_ZIPF = 3.5  # wordfreq zipf of a place's name with the article toggled from which it is also a common word
LONGER_PEOPLE = frozenset({"trigger", "name", "byline"})
# Rulers' styles that are no role triggers (given names too): "سلطان عمان" (_ruler_of; "أمير", "ملك", "شيخ" and
# "رئيس" are role words already).
RULER_STYLES = frozenset(form(w) for w in ("سلطان", "حاكم"))
# Heads of groups and movements whose name's first word alone names them too (_short_org_names: "الحشد"
# for "هيئة الحشد الشعبي"), and how rare that word must be (wordfreq zipf): "الحشد", "النجباء" and
# "البعث" are; "الأمن", "الله" and "الدعوة" are common words.
SHORT_NAME_HEADS = frozenset(form(w) for w in ("هيئة", "قوات", "حركة", "جبهة", "حزب", "جماعة", "فيلق", "تنظيم", "ميليشيا"))
SHORT_NAME_ZIPF = 4.4
# The rule mentions that fill the tagger's gaps in the "vetted" combination: (type, method).
FILL_METHODS = frozenset({("PER", "byline"), ("ORG", "gazetteer"), ("ORG", "pattern")})
# A state's styles, which the tagger sometimes takes for places of their own (_styled_states).
STATE_STYLE_WORDS = frozenset(form(w) for w in ("سلطنة", "مملكة", "المملكة", "جمهورية", "إمارة", "دولة"))
# Bodies every company, contest or match has, named by their work: a board of directors, a jury, the referees
WORKING_BODIES = {
    form("مجلس"): frozenset(form(w) for w in ("إدارة", "الإدارة")),
    form("لجنة"): frozenset(form(w) for w in ("التحكيم", "تحكيم", "الحكام", "حكام")),
}
# Heads of places whose name follows (_headed_places).
PLACE_HEAD_TEXT = ("ملعب", "استاد", "ستاد", "مطار", "شارع", "ساحة", "ميدان", "ميناء", "قصر", "متحف")
# Heads a definite word after which names a place ("استاد البيت", "شارع الثورة"); not "ساحة" ("ساحة المعركة")
FACILITY_HEADS = frozenset(form(w) for w in PLACE_HEAD_TEXT if w != "ساحة")
PLACE_HEADS = frozenset(form(w) for w in PLACE_HEAD_TEXT)
# STATE_BODIES by their first word's form, the longest first
_STATE_BODIES_BY_FIRST: dict[str, list[tuple[str, ...]]] = {
    first: sorted((name for name in STATE_BODIES if name[0] == first), key=len, reverse=True)
    for first in {name[0] for name in STATE_BODIES}
}
COMPOUND_SECONDS = frozenset({"الدين", "الله", "الرحمن"})  # "عز الدين", "عبد الله"
RARE_WORD = 3.5  # wordfreq zipf below which a word after a given name is taken for a family name
ACCUSATIVE_BASE = 4.0  # wordfreq zipf from which a word without its final alef is a common noun (_accusative_noun)
COMPOUND_PARTS = frozenset({"عبد", "بن", "ابن", "ابو", "ال", "ولد"})  # matching forms: "أبو" is "ابو", "آل" is "ال"
NATIONAL_HEADS = frozenset({"منتخب", "المنتخب"})
ALLAH = form("الله")
CENTRAL = form("المركزي")
_CENTRAL = "لمركزي"  # in "المركزي", "للمركزي", "بالمركزي": searched in the text
_BANK_HEADS = frozenset(form(w) for w in ("البنك", "المصرف", "بنك", "مصرف"))
LISTED_PERSON = 0.75  # the confidence of a person listed after a person (_listed_persons)
NAMED_AFTER_ZIPF = 4.0  # a word after a facility's definite word rarer than this is the name it is named after
VILLAGE_NAME = 0.7  # the confidence of a village's name of two words after its head ("قرية تل الضمان")
TOWN_NAME = 0.65  # the confidence of the rules' places after بلدة/قرية/ناحية/... (the head noun left out)
HEADED_PLACE = 0.8  # the confidence of the rules' places after مخيم/معبر/قاعدة (the head noun included)
MEDIA_NAME = 0.85  # the confidence of an outlet named after a media head or crediting a paragraph
_SITE_OR_NETWORK = frozenset(form(w) for w in ("موقع", "شبكة"))  # also a site and a network: a quoted or Latin name only
_ABBREVIATION = re.compile(r"\s*\([^()]*\)\s*$")
CREDIT_CHARS = 400  # credits are looked for this far into the text: datelines open the article (after its title)
# A paragraph's credit: a name in slashes or parentheses among its first characters ("تونس في 7 أكتوبر
# /العمانية/", "الرياض (واس) -"), or its first words before a dash ("شفا – انتخب").
_CREDIT = re.compile(
    r"(?:[^\n]{0,60}?[/(]\s*(?P<name>[^\s/()\n][^/()\n]{0,28}?)\s*[/)]|[ \t]*(?P<lead>[^\s\-–—ـ:|()/][^\n\-–—ـ:|()/]{0,28}?)\s*[-–—ـ]\s)"
)  # matched at each line's start (_credited_outlets)
UNSURE_MARGIN = 4.0  # a rule person fills a gap when the tagger's O margin of its first word is below this


# STATE_BODIES a country's article names for its own; not a body of one country wherever it is named
# ("الحرس الثوري" is Iran's) nor a broadcaster an article may quote from abroad
_NOT_NATIONAL = frozenset(" ".join(form(w) for w in name.split()) for name in ("الحرس الثوري", "التلفزيون", "الإذاعة"))
_STATE_BODY_KEYS = frozenset(" ".join(name) for name in STATE_BODIES) - _NOT_NATIONAL
_MINISTRY = form("وزارة")


def _bare_state_body(key: str) -> bool:
    """An organization key that names a state body by its function only: a STATE_BODIES name, or a
    ministry and definite words ("وزاره الداخليه"), no country's adjective among them."""
    if key in _STATE_BODY_KEYS:
        return True
    words = key.split(" ")
    nationality = nationalities()
    return len(words) >= 2 and words[0] == _MINISTRY and all(w.startswith("ال") and w not in nationality for w in words[1:])


def _merge_org_variants(mentions: list[Mention]) -> list[Mention]:
    """An organization named short and in full in one article is one organization: "وزارة الداخلية"
    and "مجلس الأمة" take the name of the one fuller organization of the article whose words contain
    theirs in order ("وزارة الداخلية المغربية", "مجلس الأمة الكويتي"; "الهيئة العليا للانتخابات" in
    "الهيئة العليا المستقلة للانتخابات"); a one-word name without the article the one fuller name it begins
    ("ريال" of "ريال مدريد"). With two fuller ones (the Egyptian and the Moroccan
    ministries) the short name is left as it is."""
    orgs = {m.key: m for m in mentions if m.type == "ORG"}
    if len(orgs) < 2:
        return mentions
    words = {key: key.split(" ") for key in orgs}
    by_head: dict[str, list[str]] = {}
    for key, name in words.items():
        by_head.setdefault(name[0], []).append(key)
    fuller: dict[str, Mention] = {}
    for key, short in words.items():
        if len(short) < 2 and (short[0].startswith("ال") or short[0] in ORG_HEADS):
            continue  # a one-word definite name or head ("الصندوق", "المركزي", "وزارة") may be anything
        # a fuller name of the same organization begins with the same head word
        found = [other for other in by_head[short[0]] if len(words[other]) > len(short) and subsequence(short, words[other])]
        longest = [k for k in found if not any(len(words[o]) > len(words[k]) and subsequence(words[k], words[o]) for o in found)]
        if len(longest) == 1:
            fuller[key] = orgs[longest[0]]
    if not fuller:
        return mentions
    return [
        m._replace(canonical=fuller[m.key].canonical, key=fuller[m.key].key) if m.type == "ORG" and m.key in fuller else m for m in mentions
    ]


def combine(tagged: list[Mention], rules: list[Mention], length: int, mode: str = "tagger-first") -> list[Mention]:
    """The candidates of an article from the tagger's mentions and the rules' candidates, by one of
    the simple combinations measured against the default, "vetted" (EntityExtractor._vetted).

    tagger-first: the tagger's spans, the rules filling the gaps (a rule
    candidate overlapping a tagged span is dropped). gazetteer-first: the
    gazetteer's names first, then the tagger's spans that overlap none, then
    the other rules in the gaps. rules-first: the rules' mentions, the tagger
    filling the gaps. union: all of them, the longest span winning.
    """
    if mode == "tagger-first":
        return _model_first(tagged, rules, length)
    if mode == "gazetteer-first":
        known = [m for m in rules if m.method == "gazetteer"]
        first = _model_first(known, tagged, length)
        return _model_first(first, [m for m in rules if m.method != "gazetteer"], length)
    if mode == "rules-first":
        return _model_first(_non_overlapping(rules), tagged, length)
    if mode == "union":
        return rules + tagged
    raise ValueError(f"unknown combination {mode!r}")


def _match_report(page: _Page) -> bool:
    """The page has SPORTS_CUES_NEEDED distinct words of a match report ("مباراة", "الشوط", "هدف", ...)."""
    return len({stem for i in page.by_flag[SPORT] for _, stem in page.tokens[i].stems if stem in SPORTS_CUES}) >= SPORTS_CUES_NEEDED


_WEB_PARTS = ("http", "www.", "pic.", ".com")
_WEB_MARKS = ("#", "@", "_", *_WEB_PARTS)


def _social_markup(text: str, mention: Mention) -> bool:
    """A span of a post embedded in the page rather than a name in its prose: a hashtag or a handle
    ("#رونالدو_نصراوي", "@AlNassrFC": after "#" or "@", or words joined by "_") or a link ("pic.twitter.com/...")."""
    if mention.start and text[mention.start - 1] in "#@":
        return True
    surface = text[mention.start : mention.end]
    return "_" in surface or ("." in surface and any(part in surface.lower() for part in _WEB_PARTS))


def _model_first(model: list[Mention], rules: list[Mention], length: int) -> list[Mention]:
    """Model spans, then the rule candidates that overlap none of them (the rules fill the gaps)."""
    if not model:
        return rules
    occupied = _coverage(model, length)
    return model + [m for m in rules if occupied.find(1, m.start, m.end) < 0]


def _in_place_of_inner(mentions: list[Mention], names: list[Mention]) -> list[Mention]:
    """The mentions with each of names (in order) in place of the mentions inside it; a name that a
    mention crosses (over one of its ends) is left out and the mention kept. Sorted by position."""
    if not names:
        return mentions
    out = list(mentions)
    for name in names:
        if any(m.start < name.start < m.end or m.start < name.end < m.end for m in out):
            continue  # a mention crosses the name's edge: leave both as they are
        out = [m for m in out if not (name.start <= m.start and m.end <= name.end)]
        out.append(name)
    return sorted(out, key=lambda m: (m.start, m.end))


def _with_elided_article(token: Word, offset: int, surface: str) -> str:
    """A name read after the preposition ل of "لل" with its article back ("للسعودية": "لسعودية" is
    "السعودية") when that spelling is the commoner word, not a name that starts with ل ("لليبيا":
    "ليبيا"); any other surface as it is."""
    if offset != 1 or not token.raw.startswith("لل"):
        return surface
    word = surface.split(" ", 1)[0]
    return "ا" + surface if zipf_any("ا" + word) > zipf_any(word) else surface


def _conjoined_verb(token: Word, given: frozenset[str]) -> bool:
    """ "و" and a verb of the present or of the تفعّل forms ("ويحتل", "وتمكن"): the word is commoner in
    Arabic at large without the "و" (wordfreq), unlike a name that starts with it ("ويليامز", "ويسلي"),
    and the rest is no given name ("وياسمين")."""
    word = token.form
    return len(word) >= 4 and word[0] == "و" and word[1] in "يت" and word[1:] not in given and zipf_any(word[1:]) > zipf_any(word)


def _extended(text: str, mention: Mention, end: int) -> Mention:
    """A person's mention run on to `end`: the longer name is its own canonical."""
    surface = text[mention.start : end]
    return mention._replace(end=end, canonical=surface, key=name_key("PER", surface))


def _without_run_on(page: _Page, first: int, last: int, titles: frozenset[str] = frozenset(), given: frozenset[str] = frozenset()) -> int:
    """The last word of a tagged span of words first..last once the words it ran on to are off: a name
    stops before a quotation mark ("جائحة «كوفيد"), before a title word with a proclitic ("مشعل كأمير
    جديد", "X والرئيس"; a title ends no name, and a name's own words take no proclitic inside it), before
    "و" and a verb ("ريال ويحتل"; given: the given names, which are no verbs) and does not end in a
    function word ("مشعل هو"); nor does it hold a clause's function word ("X أن Y": NAME_BREAKERS) or a
    blessing ("محمد رحمه الله")."""
    if last == first:
        return last
    if page.masked or any(q in page.text[page.starts[first] : page.ends[last]] for q in QUOTES):
        last = next((k for k in range(first, last) if page.quote_after(k)), last)  # without masks, most spans are not read
    last = next((k - 1 for k in range(first + 1, last + 1) if page.tokens[k].form in NAME_BREAKERS), last)
    if titles:
        last = next((k - 1 for k in range(first + 1, last + 1) if any(off and stem in titles for off, stem in page.tokens[k].stems)), last)
    if given:
        last = next((k - 1 for k in range(first + 1, last + 1) if _conjoined_verb(page.tokens[k], given)), last)
    # a blessing after a name ("رحمه الله", "حفظه الله": a verb with its pronoun, then God's name) is no part of it
    last = next((k - 1 for k in range(first + 1, last) if page.tokens[k + 1].form == ALLAH and page.tokens[k].raw.endswith("ه")), last)
    while last > first and (page.tokens[last].form in FUNCTION_WORDS or _accusative_noun(page.tokens[last].form, given)):
        last -= 1
    return last


@lru_cache(maxsize=4096)
def _common_word(word: str, given: frozenset[str]) -> bool:
    """A place's one-word name (matching form, proclitics off) that Arabic also uses as a word or a given name:
    its form with the article toggled is frequent ("القائم" / "قائم", "العمارة" / "عمارة"), or without the
    article it is a given name ("الحسن" / "حسن")."""
    bare = word[2:] if word.startswith("ال") else word
    toggled = bare if word.startswith("ال") else "ال" + word
    return bare in given or zipf_any(toggled) >= HOMOGRAPH_ZIPF


def _accusative_noun(word: str, given: frozenset[str]) -> bool:
    """A common noun with the indefinite accusative's alef ("برنامجا", "بيانا", "أميرا"), the object after a
    name ("قدم X برنامجا"): a name seldom takes it. The word without its alef is a common word and no given name,
    and not a relative adjective ("سوريا", "روسيا": their "ي" + "ا" is a country's name, not the accusative)."""
    return len(word) >= 4 and word[-1] == "ا" and word[-2] != "ي" and word[:-1] not in given and zipf_any(word[:-1]) >= ACCUSATIVE_BASE


def _coverage(mentions: list[Mention], length: int) -> bytearray:
    """A byte a character, 1 inside any of the mentions: "is this inside one" is an index, not a scan of them all."""
    covered = bytearray(length)
    for mention in mentions:
        covered[mention.start : mention.end] = b"\x01" * (mention.end - mention.start)
    return covered


@lru_cache(maxsize=1 << 12)  # the words after media heads repeat: look each up once a worker
def _outlet_name(surface: str) -> str | None:
    """The outlet or agency a name is, without its abbreviation ("شفا" -> "شبكة فلسطين للأنباء", "العمانية" ->
    "وكالة الأنباء العمانية"), from the news agencies' credits (metadata.AGENCY_ALIASES) and the outlet
    table (outlets.py), or None."""
    agency = agency_name(surface)
    if agency is None:
        outlet = known_outlet(surface)
        agency = outlet.name if outlet is not None else None
    return _ABBREVIATION.sub("", agency).strip() if agency is not None else None


def _nationality_after(page: _Page, end: int) -> int | None:
    """The index of the definite nationality adjective right after the word that ends at ``end`` (" ال" follows
    it: "البنك المركزي" + "المصري", "ليون" + "الفرنسي"), or None."""
    i = page.ending_at(end) if page.text[end : end + 3] == " ال" else None
    if i is None or i + 1 >= len(page.tokens) or page.broken_after(i):
        return None
    adjective = page.tokens[i + 1]
    return i + 1 if adjective.definite == 0 and adjective.form in nationalities() else None


def _latin_run(page: _Page, i: int, limit: int = 4) -> int | None:
    """The last of up to ``limit`` words in Latin letters from token i in one phrase ("cnbc", "Sky News"), or None."""
    last = None
    for k in range(i, min(i + limit, len(page.tokens))):
        raw = page.tokens[k].raw
        if not (raw.isascii() and raw[:1].isalpha()):
            break
        last = k
        if page.broken_after(k):
            break
    return last


def _non_overlapping(candidates: list[Mention]) -> list[Mention]:
    """Longest span first, then priority, then earliest; drop what overlaps a chosen one."""
    chosen: list[Mention] = []
    if not candidates:
        return chosen
    # One byte per character: checking a span is a C-level slice scan, not a
    # loop over every span chosen so far (quadratic on mention-dense pages).
    occupied = bytearray(max(m.end for m in candidates))
    for mention in sorted(candidates, key=lambda m: (-m.length, -m.priority, m.start, m.type)):
        if occupied.find(1, mention.start, mention.end) >= 0:
            continue
        chosen.append(mention)
        occupied[mention.start : mention.end] = b"\x01" * (mention.end - mention.start)
    return chosen
