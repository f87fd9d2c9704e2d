"""Word tokenization identical to camel_tools' simple_word_tokenize, faster.

camel-tools splits on whitespace, then walks every character of every word in
Python, trying its symbol/emoji pattern at each position and emitting a
match when it is in its symbol set. We classify characters once by what that
loop would do with them (``compute_classes``, shipped precomputed in
``tokenclasses.py``):

- plain: the pattern cannot match there, or matches just that character
  without emitting it (ASCII digits): the loop passes over it;
- safe symbol: the pattern matches just that character and emits it;
- anything else (emoji, flags, keycaps, modifiers, joiners, and every
  character outside the Basic Multilingual Plane): not classified.

A text made only of plain, safe and whitespace characters (nearly every news
article) is split at its safe symbols and then on whitespace: each safe symbol
is a token and runs of plain characters are the rest, which is what the loop
emits. Any other text goes word by word, unclassified words to camel-tools'
own routine. Tests prove identical output on the samples, in a hypothesis
property test, and that the shipped classes match the installed packages.
"""

from __future__ import annotations

import re

from khabar.transforms.text.chunks import ChunkCache
from khabar.transforms.text.tokenclasses import PLAIN, SAFE, SPACE

_FAST_TEXT = re.compile(f"[{PLAIN}{SAFE}{SPACE}]*")
_FAST_TOKEN = re.compile(f"[{SAFE}]|[{PLAIN}]+")
_SAFE_SPLIT = re.compile(f"([{SAFE}])")
_FAST_WORD = re.compile(f"[{PLAIN}{SAFE}]+")
_WORD_CHAR = re.compile(r"[^\W_]")
# A run of plain characters (neither safe symbol nor space) holding a letter or
# digit; the lookbehind starts matches only at a run's start (never quadratic).
_WORD_RUN = re.compile(f"(?<![^{SAFE}{SPACE}])[^\\w{SAFE}{SPACE}]*[^\\W_][^{SAFE}{SPACE}]*")

__all__ = ["compute_classes", "count_words", "simple_word_tokenize", "word_tokenize"]


def word_tokenize(text: str) -> list[str]:
    """Same tokens as camel_tools.tokenizers.word.simple_word_tokenize(text)."""
    if _FAST_TEXT.fullmatch(text):
        # Split at each safe symbol (kept), then on whitespace: str.split runs
        # in C, half again as fast as one findall over the text.
        parts = _SAFE_SPLIT.split(text)
        tokens = parts[0].split()
        extend, append = tokens.extend, tokens.append
        rest = iter(parts[1:])
        for symbol, plain in zip(rest, rest, strict=True):
            append(symbol)
            extend(plain.split())
        return tokens
    # Imported here, on the rare slow path: importing camel-tools' tokenizer builds
    # its character sets over all of Unicode (a noticeable delay at every process start).
    from camel_tools.tokenizers.word import _simple_word_tokenize

    tokens: list[str] = []
    for word in text.split():
        if _FAST_WORD.fullmatch(word):
            tokens.extend(_FAST_TOKEN.findall(word))
        else:
            tokens.extend(_simple_word_tokenize(word))
    return tokens


def simple_word_tokenize(text: str) -> list[str]:
    """camel-tools' own tokenizer, the reference word_tokenize equals."""
    from camel_tools.tokenizers.word import simple_word_tokenize as camel_tokenize

    return camel_tokenize(text)


def count_words(text: str) -> int:
    """Tokens that contain a letter or digit (punctuation tokens excluded)."""
    # Tokens never cross whitespace: the count is the sum over the text's chunks,
    # each distinct one counted once (a regex over the whole text was 40% of normalizing).
    return sum(_CHUNK_WORDS.values(text))


def _count_chunk_words(chunk: str) -> int:
    if _FAST_TEXT.fullmatch(chunk):
        # Here the tokens are the runs between safe symbols, and the symbols
        # themselves, none of which is a letter or digit: count the runs holding one.
        return len(_WORD_RUN.findall(chunk))
    search = _WORD_CHAR.search
    return sum(1 for token in word_tokenize(chunk) if search(token))


_CHUNK_WORDS = ChunkCache(_count_chunk_words)


def _ranges(points: list[int]) -> str:
    """A regex character-class body of code-point ranges (compact and fast to match)."""
    parts: list[str] = []
    if not points:
        return ""
    start = prev = points[0]
    for point in [*points[1:], -1]:
        if point == prev + 1:
            prev = point
            continue
        parts.append(f"\\u{start:04x}" if start == prev else f"\\u{start:04x}-\\u{prev:04x}")
        start = prev = point
    return "".join(parts)


def compute_classes() -> dict[str, str]:
    """Classify every code point by what camel-tools' tokenizer loop does with it."""
    import regex
    from camel_tools.tokenizers.word import _SYMBOLS_ALL, _SYMBOLS_RE

    # Characters that extend a match begun by the previous character: never fast.
    extender = regex.compile(r"[\p{EMod}\p{RI}\p{Emoji}\u200d\ufe0f\u20e3\U000E0020-\U000E007F]")
    plain, safe, space = [], [], []
    # Only the Basic Multilingual Plane: for BMP-only classes Python's re builds
    # a bitmap (one lookup a character); astral ranges would be scanned one by one.
    for point in range(0x10000):
        if 0xD800 <= point < 0xE000:
            continue
        char = chr(point)
        if char.isspace():
            space.append(point)
            continue
        match = _SYMBOLS_RE.match(char)
        if match is None:
            if not extender.match(char):
                plain.append(point)
        elif char in "0123456789" and char not in _SYMBOLS_ALL:
            plain.append(point)  # digits match the emoji pattern alone but are never emitted
        elif match[0] == char and char in _SYMBOLS_ALL and not extender.match(char):
            safe.append(point)
    return {"PLAIN": _ranges(plain), "SAFE": _ranges(safe), "SPACE": _ranges(space)}


def write_classes(path: str) -> None:
    classes = compute_classes()
    with open(path, "w", encoding="ascii") as out:
        out.write(
            '"""Generated by `python -m khabar.transforms.text.tokenize`: character classes of camel-tools\' tokenizer. Do not edit."""\n\n'
        )
        for name, body in classes.items():
            out.write(f'{name} = r"{body}"\n')


if __name__ == "__main__":
    write_classes(__file__.replace("tokenize.py", "tokenclasses.py"))
