"""How common a word is in Arabic at large: wordfreq's Arabic list, which ships inside its package (nothing
is downloaded), in text_normalized's spelling. Story grouping weighs words by it (stories/rewrites.py);
entity extraction tells a rare word after a given name, a family name, from a common one."""

from __future__ import annotations

import math
from functools import cache

# normalize_text's one-letter folds (alef forms, alef maksura, teh marbuta, Persian letters; diacritics and
# tatweel dropped): wordfreq's words and text_normalized's words meet in this spelling.
_FOLD = str.maketrans(
    {**dict.fromkeys("أإآٱ", "ا"), "ى": "ي", "ی": "ي", "ک": "ك", "ة": "ه", "ۀ": "ه"}
    | dict.fromkeys([chr(c) for c in range(0x064B, 0x0660)] + ["\u0670", "\u0640"], None)
)


@cache
def load_frequencies() -> dict[str, float]:
    """wordfreq's Arabic list in text_normalized's spelling (_FOLD): word -> frequency, the most common
    spelling's where several fold together. Loaded once a worker (a second), in the DoFns' setup."""
    import wordfreq

    frequencies = wordfreq.get_frequency_dict("ar")  # most frequent first
    words = list(frequencies)
    folded = " ".join(words).translate(_FOLD).split(" ")
    if len(folded) != len(words):  # a word of marks only folded to nothing: fold them one by one
        folded = [word.translate(_FOLD) for word in words]
    # least frequent first, so that the most common spelling of a folded form is the one kept
    return dict(zip(reversed(folded), reversed(frequencies.values()), strict=True))


def zipf(word: str) -> float:
    """A normalized word's frequency in Arabic at large on wordfreq's zipf scale (log10 per billion words); 0 unseen."""
    frequency = load_frequencies().get(word)
    return math.log10(frequency) + 9.0 if frequency else 0.0


def zipf_any(word: str) -> float:
    """zipf() of a word in any spelling (alef forms, alef maksura, teh marbuta folded first)."""
    return zipf(word.translate(_FOLD))
