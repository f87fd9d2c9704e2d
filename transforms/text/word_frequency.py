"""How common a word is in Arabic at large: wordfreq's Arabic list, which ships inside its package (nothing
is downloaded), in text_normalized's spelling. Story grouping weighs words by it (stories/rewrites.py);
entity extraction tells a rare word after a given name, a family name, from a common one."""

from __future__ import annotations

import gzip
import importlib.util
from functools import cache
from pathlib import Path

import msgpack

# normalize_text's one-letter folds (alef forms, alef maksura, teh marbuta, Persian letters; diacritics and
# tatweel dropped): wordfreq's words and text_normalized's words meet in this spelling.
_FOLD = str.maketrans(
    {**dict.fromkeys("أإآٱ", "ا"), "ى": "ي", "ی": "ي", "ک": "ك", "ة": "ه", "ۀ": "ه"}
    | dict.fromkeys([chr(c) for c in range(0x064B, 0x0660)] + ["\u0670", "\u0640"], None)
)


def _fold_all(text: str) -> str:
    """_FOLD over a long text: str.replace a letter at a time (each a C scan) is several times faster than
    translate with a mapping on megabytes."""
    for code, folded in _FOLD.items():
        letter = chr(code)
        if letter in text:
            text = text.replace(letter, folded or "")
    return text


def _packed_list() -> list[list[str]]:
    """wordfreq's large Arabic list as its package stores it (wordfreq.read_cBpack's format), read from the
    installed package's data without importing wordfreq (whose import pulls in language and text-repair
    modules the workers do not need)."""
    spec = importlib.util.find_spec("wordfreq")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("wordfreq is not installed (a dependency of khabar)")
    path = Path(spec.origin).parent / "data" / "large_ar.msgpack.gz"
    with gzip.open(path, "rb") as packed:
        data = msgpack.load(packed, raw=False)
    header = data[0] if data else None
    if not isinstance(header, dict) or header.get("format") != "cB" or header.get("version") != 1:
        raise ValueError(f"{path}: not a wordfreq cBpack list (header {header!r})")
    return data[1:]


@cache
def load_frequencies() -> dict[str, float]:
    """wordfreq's Arabic list in text_normalized's spelling (_FOLD): word -> zipf, the most common spelling's
    where several fold together. Loaded once a process, with the entity extractor or a story DoFn's setup.

    Read from wordfreq's packed list (buckets of words of one frequency, a hundredth of a zipf apart, most
    frequent first) without its frequency dict: the words are folded in one pass and a bucket's zipf is its
    position, so the load does no per-word work in Python."""
    buckets = _packed_list()
    # one text: a line a bucket, its words separated by tabs (wordfreq's words hold neither)
    lines = _fold_all("\n".join("\t".join(words) for words in buckets)).split("\n")
    folded = [line.split("\t") if line else [] for line in lines]
    if len(folded) != len(buckets) or any(len(f) != len(b) for f, b in zip(folded, buckets, strict=True)):
        folded = [[word.translate(_FOLD) for word in words] for words in buckets]  # a word with a tab: one by one
    table: dict[str, float] = {}
    # least frequent first, so that the most common spelling of a folded form is the one kept
    for index in range(len(folded) - 1, -1, -1):
        table.update(dict.fromkeys(folded[index], 9.0 - index / 100.0))
    table.pop("", None)  # a word of marks only
    return table


def zipf(word: str) -> float:
    """A normalized word's frequency in Arabic at large on wordfreq's zipf scale (log10 per billion words); 0 unseen."""
    return load_frequencies().get(word, 0.0)


def zipf_any(word: str) -> float:
    """zipf() of a word in any spelling (alef forms, alef maksura, teh marbuta folded first)."""
    return zipf(word.translate(_FOLD))
