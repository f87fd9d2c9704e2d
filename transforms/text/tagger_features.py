"""Features of the entity tagger (transforms/text/tagger.py), one function for training and tagging.

Every feature depends on one word or one position only, so that the tagger
can sum a word's weights once per distinct word and reuse them on every page
(see tagger.py). A word gives:

- its own attributes (``word_features``' first list): its matching form and
  the stem left after proclitics (و ف ب ل ك لل), the proclitic itself,
  prefixes and suffixes of the stem, character trigrams of the stem (what
  transliterated names share: سيرغي، لافروف، كويزومي), its shape (length,
  digits, Latin letters, the article ال), the word with its hamza and madda
  when they differ from the matching form (آلان is not الآن), and khabar's
  lexicons: a one-word gazetteer name and its type, the first word of a
  longer gazetteer name, a given name (clear or ambiguous), a role trigger,
  an organization head noun or trigger, a place head noun, a nationality
  adjective, a function word, a generic or time word, and the tagger's own
  word lists (data/tagger_lexicon.tsv: given names, Arabic and foreign, role
  and occupation words, organization and place cue words, name links);
- context attributes (the second list), which its neighbours see at offsets
  -2, -1, +1 and +2 as ``"<offset>:<attribute>"``: its form, its stem and the
  lexicon flags.

A position gives (``position_features``): a bias, the punctuation in the
gaps before and after the word (commas, sentence ends, quotes, brackets,
colons, dashes, line breaks), the start and end of its segment, and whether
it begins or continues a gazetteer name of several words and of which type.

The tagger decodes segments: runs of words between strong punctuation
(``segments``); training cuts the corpus the same way.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
from khabar.transforms.text.canonical import ORG_HEADS
from khabar.transforms.text.entity_lexicon import FUNCTION_WORDS, GENERIC, LOC_HEADS, LOC_HEADS_INCLUSIVE, ORG_TRIGGERS, STOP_DEFINITE
from khabar.transforms.text.gazetteer import DATA, Gazetteer, Word, form, given_names, load_gazetteer, nationalities, triggers

LEXICON = DATA / "tagger_lexicon.tsv"
LABELS = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC")
NEIGHBOURS = (-2, -1, 1, 2)
BIAS, FIRST, LAST = "b", "bos", "eos"

# Punctuation classes of the gap between two words: (name, characters).
GAP_CLASSES = (
    ("comma", ",،"),
    ("end", ".!?؟"),
    ("semi", ";؛"),
    ("colon", ":"),
    ("quote", "\"'“”«»‘’"),
    ("open", "([{"),
    ("close", ")]}"),
    ("dash", "-–—"),
    ("slash", "/|"),
    ("line", "\n"),
)
GAP_CHARS = "".join(chars for _, chars in GAP_CLASSES)
_GAP_BIT = {c: 1 << k for k, (_, chars) in enumerate(GAP_CLASSES) for c in chars}
END_BIT = 1 << len(GAP_CLASSES)  # set on the last word's gap: the text ends there
# A segment ends where the gap holds one of these (a sentence end, a clause break, a bracket), and at the end.
CUT_MASK = sum({_GAP_BIT[c] for c in ".!?؟;؛\n,،:()[]{}"}) | END_BIT  # each class once
# code point -> its gap bit (0 for every other character; code points past the table count as 0)
_CHAR_LIMIT = max(ord(c) for c in GAP_CHARS) + 1
_CHAR_BITS = np.zeros(_CHAR_LIMIT + 1, dtype=np.int16)
for _char, _bit in _GAP_BIT.items():
    _CHAR_BITS[ord(_char)] = _bit

_DIACRITICS = re.compile(r"[\u0640\u064b-\u065f\u0670]")
_LATIN = re.compile(r"[A-Za-z]")
_DIGIT = re.compile(r"\d")


class Lexicons:
    """khabar's word lists as the features use them (built once per process)."""

    def __init__(self) -> None:
        self.gazetteer: Gazetteer = load_gazetteer()
        self.given, self.given_ambiguous = given_names()
        self.triggers = triggers()
        self.nationalities = nationalities(as_trained=True)  # the list of the shipped model's training
        self.kinds = tagger_lexicon()


def tagger_lexicon(path: Path = LEXICON) -> dict[str, tuple[str, ...]]:
    """The tagger's own word lists (data/tagger_lexicon.tsv): matching form -> its kinds."""
    kinds: dict[str, set[str]] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip() or line.startswith("#"):
                continue
            kind, _, words = line.rstrip("\n").partition("\t")
            for word in words.split():
                kinds.setdefault(form(word), set()).add(kind)
    return {word: tuple(sorted(found)) for word, found in kinds.items()}


@cache
def lexicons() -> Lexicons:
    return Lexicons()


def _length(n: int) -> str:
    return str(n) if n < 5 else "5-6" if n < 7 else "7+"


def _flags(word: Word, lex: Lexicons) -> list[str]:
    """The lexicon flags of a word, through its proclitics."""
    out: list[str] = []
    for offset, stem in word.stems:
        entry = lex.gazetteer.lookup(stem) if stem in lex.gazetteer else None
        if entry is not None:
            out.append("gaz=" + entry.type)
        elif stem in lex.gazetteer:
            out.append("gazfirst")
        if stem in lex.given:
            out.append("given")
        elif stem in lex.given_ambiguous:
            out.append("given?")
        elif len(stem) > 4 and stem.startswith(("عبد", "ابو")) and offset == 0:
            out.append("compound")
        if stem in lex.triggers:
            out.append("trigger")
        if stem in ORG_HEADS:
            out.append("orghead")
        if stem in ORG_TRIGGERS:
            out.append("orgtrigger")
        if stem in LOC_HEADS or stem in LOC_HEADS_INCLUSIVE:
            out.append("lochead")
        if stem in lex.nationalities:
            out.append("nationality")
        out.extend("lex=" + kind for kind in lex.kinds.get(stem, ()))
    form = word.form
    if form in FUNCTION_WORDS:
        out.append("function")
    if form in STOP_DEFINITE or form in GENERIC:
        out.append("generic")
    if form in ("عبد", "ابو", "بن", "ابن"):
        out.append("namelink")
    return sorted(set(out))


def word_features(word: Word, lex: Lexicons | None = None) -> tuple[list[str], list[str]]:
    """(the word's own attributes, the attributes its neighbours see)."""
    lex = lex or lexicons()
    form, stem = word.form, word.stem
    flags = _flags(word, lex)
    own = ["f=" + form, "s=" + stem, "len=" + _length(len(stem))]
    raw = _DIACRITICS.sub("", word.raw)
    if raw != form:
        own.append("r=" + raw)  # hamza and madda kept: آلان is not الآن
    if len(word.stems) > 1:
        n = len(form) - len(stem)
        # "للعراق": the stem "العراق" takes the article's place, the clitic is ل
        own.append("clitic=" + form[:n] + ("ل" if form[n] == "ل" and stem[0] == "ا" else ""))
    # affixes and trigrams of the word without its article, or of the whole word (a name starting
    # with a letter that looks like a proclitic, لافروف، بلينكن, keeps it)
    if word.definite is not None:
        own.append("al")
        core = stem[2:] if stem.startswith("ال") else stem
    else:
        core = form
    for n in (1, 2, 3, 4):
        if len(core) > n:
            own.append(f"p{n}={core[:n]}")
            own.append(f"x{n}={core[-n:]}")
    padded = f"<{core}>"
    own.extend(dict.fromkeys("g=" + padded[k : k + 3] for k in range(len(padded) - 2)))
    if _DIGIT.search(form):
        own.append("digit")
    if _LATIN.search(form):
        own.append("latin")
    own.extend(flags)
    context = ["f=" + form, "s=" + stem, "len=" + _length(len(stem)), *flags]
    for n in (2, 3):
        if len(core) > n:
            context.append(f"p{n}={core[:n]}")
            context.append(f"x{n}={core[-n:]}")
    if word.definite is not None:
        context.append("al")
    return own, context


def gap_masks(text: str, starts: Sequence[int], ends: Sequence[int]) -> np.ndarray:
    """For each word i, the punctuation classes of the gap after it (up to word i+1, or to the end of
    the text for the last word, which also gets END_BIT) as bits."""
    n = len(starts)
    masks = np.zeros(n, dtype=np.int64)
    if not n:
        return masks
    offset = ends[0]
    codes = np.frombuffer(text[offset:].encode("utf-32-le"), dtype=np.uint32)
    bits = _CHAR_BITS.take(codes, mode="clip")
    found = np.flatnonzero(bits)
    if len(found):
        # punctuation is never inside a word: the word starting last before it is the one it follows
        # (bisect on the list: a few dozen marks a page, cheaper than making the offsets an array)
        words = [bisect_right(starts, position) - 1 for position in (found + offset).tolist()]
        np.bitwise_or.at(masks, words, bits[found])
    masks[-1] |= END_BIT
    return masks


def gap_attributes(mask: int, side: str) -> list[str]:
    """The attributes of a gap's classes, as seen from the word after it (side 'L') or before it ('R')."""
    return [f"{side}{name}" for k, (name, _) in enumerate(GAP_CLASSES) if mask >> k & 1]


def segments(masks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first words, last words) of the runs the tagger decodes: cut after every gap with strong punctuation."""
    lasts = np.flatnonzero(masks & CUT_MASK)
    firsts = np.zeros_like(lasts)
    firsts[1:] = lasts[:-1] + 1
    return firsts, lasts


def in_gazetteer(word: Word, lex: Lexicons | None = None) -> bool:
    """Whether one of the word's stems begins a gazetteer name."""
    gazetteer = (lex or lexicons()).gazetteer
    return any(stem in gazetteer for _, stem in word.stems)


def gazetteer_labels(words: Sequence[Word], lex: Lexicons | None = None, positions: Sequence[int] | None = None) -> list[tuple[int, str]]:
    """(word, "B-TYPE" or "I-TYPE") for the words that begin or continue a gazetteer name of several words
    (the first name found at a word, the longest first; names inside an earlier one are skipped).
    ``positions``: the words whose stems begin a gazetteer name, when the caller knows them."""
    lex = lex or lexicons()
    if positions is None:
        positions = [i for i, w in enumerate(words) if in_gazetteer(w, lex)]
    out: list[tuple[int, str]] = []
    covered = -1
    for i, _offset, n, entry in lex.gazetteer.matches(list(words), list(positions)):
        if n < 2 or i <= covered:
            continue
        out.append((i, "B-" + entry.type))
        out.extend((k, "I-" + entry.type) for k in range(i + 1, i + n))
        covered = i + n - 1
    return out


def position_features(masks: Sequence[int], gazetteer: Sequence[str | None], first: bool, last: bool, i: int) -> list[str]:
    """The attributes of position i: bias, the gaps around it, segment start and end, a gazetteer name of several words."""
    out = [BIAS]
    if i > 0:
        out.extend(gap_attributes(masks[i - 1], "L"))
    out.extend(gap_attributes(masks[i], "R"))
    if first:
        out.append(FIRST)
    if last:
        out.append(LAST)
    if gazetteer[i] is not None:
        out.append("gz=" + gazetteer[i])
    return out


def sequence_features(
    text: str, words: Sequence[Word], starts: Sequence[int], ends: Sequence[int]
) -> tuple[list[list[str]], list[tuple[int, int]]]:
    """Every word's attributes (own, neighbours', position) and the segments: what training gives crfsuite,
    and the reference the tagger's summed weights are tested against."""
    lex = lexicons()
    per_word = [word_features(w, lex) for w in words]
    array = gap_masks(text, starts, ends)
    firsts, lasts = segments(array)
    masks = array.tolist()
    runs = list(zip(firsts.tolist(), lasts.tolist(), strict=True))
    gaz: list[str | None] = [None] * len(words)
    for i, label in gazetteer_labels(words, lex):
        gaz[i] = label
    firsts, lasts = set(firsts.tolist()), set(lasts.tolist())
    out: list[list[str]] = []
    n = len(words)
    for i in range(n):
        attributes = list(per_word[i][0])
        for d in NEIGHBOURS:
            j = i + d
            if 0 <= j < n:
                attributes.extend(f"{d}:{a}" for a in per_word[j][1])
        attributes.extend(position_features(masks, gaz, i in firsts, i in lasts, i))
        out.append(attributes)
    return out, runs
