"""ANERcorp in the two-column format (``token TAG`` a line, BIO over PERS, LOC,
ORG and MISC), read into what the entity tagger trains and is scored on.

The corpus is never part of the repository: every entry point takes its path.

- ``read``: the tagged tokens, the raw file's slips cleaned (tags in lower
  case or misspelt, a tag glued to the next token, token and tag swapped,
  empty tokens); MISC becomes O (khabar keeps PER, ORG and LOC).
- ``sentences``: split after each ``.`` token; ``split``: the training part
  and the development part (the last ``dev_share`` of the sentences).
- ``documents``: groups of sentences as texts (tokens joined by spaces) with
  khabar's own tokens (transforms/text/gazetteer.py ``tokenize``), each
  labelled from the corpus token it lies in: the tagger sees a corpus text
  exactly as it sees an article at run time (punctuation tokens fall into the
  gaps between words).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from khabar.transforms.text.gazetteer import Word, tokenize
from khabar.transforms.text.tagger import spans

TYPES = {"PERS": "PER", "PER": "PER", "ERS": "PER", "LOC": "LOC", "ORG": "ORG", "OEG": "ORG", "ORF": "ORG", "MISC": "MISC"}
_TAG = re.compile(r"^(?:O|[BI]-?(?:PERS?|ERS|LOC|ORG|OEG|ORF|MISC))+$", re.IGNORECASE)
_TAG_PART = re.compile(r"([BI])-?(PERS?|ERS|LOC|ORG|OEG|ORF|MISC)", re.IGNORECASE)
_GLUED = re.compile(r"^(O)([^\sA-Za-z].*)$")  # "Oالإصابة": a tag glued to the next token
_INVISIBLE = str.maketrans({"\u200e": None, "\u200f": None, "\ufeff": None})


def clean_tag(tag: str) -> str:
    """A raw tag as B-X / I-X / O, X in PER, LOC, ORG (MISC -> O); misspellings
    mapped ("B-OEG" -> B-ORG, "IPERS" -> I-PER); of two glued tags the last ("B-LOCI-PERS" -> I-PER)."""
    parts = _TAG_PART.findall(tag)
    if not parts:
        return "O"
    prefix, kind = parts[-1]
    kind = TYPES[kind.upper()]
    return "O" if kind == "MISC" else f"{prefix.upper()}-{kind}"


def _is_tag(field: str) -> bool:
    return _TAG.match(field) is not None


def read(path: Path | str) -> list[tuple[str, str]]:
    """(token, tag) pairs of the file; an empty token (a dropped punctuation mark) is kept as ''."""
    out: list[tuple[str, str]] = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.translate(_INVISIBLE).strip()
            if not line:
                continue
            fields = line.split()
            if len(fields) == 1:
                field = fields[0]
                if _is_tag(field):
                    out.append(("", clean_tag(field)))  # the token was lost: a gap
                elif field.endswith("O") and len(field) > 1:
                    out.append((field[:-1], "O"))  # ".O"
                else:
                    out.append((field, "O"))  # a token without its tag
                continue
            if _is_tag(fields[-1]):
                tokens, tag = fields[:-1], fields[-1]
            elif _is_tag(fields[0]):
                tokens, tag = fields[1:], fields[0]  # swapped columns
            else:
                continue  # stray markup
            pending: list[str] = []
            for token in tokens:
                glued = _GLUED.match(token)
                if glued and pending:
                    # "word Oنext": the first word's tag glued to the next word
                    out.append((" ".join(pending), "O"))
                    pending = [glued.group(2)]
                elif not _is_tag(token):
                    pending.append(token)
            out.append(("".join(pending), clean_tag(tag)))
    return out


def sentences(pairs: Sequence[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """The corpus split after each '.' token (its sentence ends; there are no document breaks)."""
    out: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    for pair in pairs:
        current.append(pair)
        if pair[0] == ".":
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def split(all_sentences: Sequence[list[tuple[str, str]]], dev_share: float = 0.1) -> tuple[list, list]:
    """(training part, development part): the development part is the last dev_share of the sentences."""
    cut = len(all_sentences) - round(len(all_sentences) * dev_share)
    return list(all_sentences[:cut]), list(all_sentences[cut:])


@dataclass
class Document:
    """Corpus sentences as one text with khabar's tokens and their gold labels."""

    text: str
    words: list[Word]
    starts: list[int]
    ends: list[int]
    labels: list[str]


def document(group: Iterable[list[tuple[str, str]]]) -> Document:
    """Sentences joined into one text; each khabar token labelled from the corpus token holding it
    (the first khabar token of a B- corpus token keeps B-, the others take I-)."""
    pieces: list[str] = []
    spans: list[tuple[int, int, str]] = []  # corpus token start, end, tag
    position = 0
    for sentence in group:
        for token, tag in sentence:
            if pieces:
                pieces.append(" ")
                position += 1
            pieces.append(token)
            spans.append((position, position + len(token), tag))
            position += len(token)
    text = "".join(pieces)
    found = tokenize(text)
    labels: list[str] = []
    k = 0
    previous_k = -1
    for start in found.starts:
        while spans[k][1] <= start:
            k += 1
        tag = spans[k][2]
        if tag.startswith("B-") and k == previous_k:
            tag = "I-" + tag[2:]
        labels.append(tag)
        previous_k = k
    return Document(text, found.words, found.starts, found.ends, labels)


def documents(part: Sequence[list[tuple[str, str]]], per_document: int = 10) -> list[Document]:
    """The part's sentences in documents of per_document sentences (the size of a short article)."""
    return [document(part[i : i + per_document]) for i in range(0, len(part), per_document)]


def spans_of(labels: Sequence[str]) -> set[tuple[int, int, str]]:
    """(first, last, type) of BIO labels, as the tagger reads them (tagger.spans)."""
    return set(spans(labels))


def mention_spans(doc: Document, mentions: Iterable[tuple[int, int, str]]) -> set[tuple[int, int, str]]:
    """Character spans (start, end, type) as (first, last, type) of the words they overlap
    (a mention after a proclitic covers the whole corpus token, as the gold does)."""
    out = set()
    for start, end, kind in mentions:
        first = bisect_right(doc.ends, start)
        last = bisect_left(doc.starts, end) - 1
        if first <= last:
            out.add((first, last, kind))
    return out


def score(pairs: Iterable[tuple[set[tuple[int, int, str]], set[tuple[int, int, str]]]]) -> dict[str, dict[str, float]]:
    """Span-level (exact first, last and type) precision, recall and F1 by type and micro over PER, ORG, LOC,
    from (gold, predicted) span sets of each document."""
    counts = {t: [0, 0, 0] for t in ("PER", "ORG", "LOC")}
    for gold, predicted in pairs:
        for kind, c in counts.items():
            g = {s for s in gold if s[2] == kind}
            p = {s for s in predicted if s[2] == kind}
            c[0] += len(g & p)
            c[1] += len(p - g)
            c[2] += len(g - p)
    report = {kind: _prf(*c) for kind, c in counts.items()}
    report["micro"] = _prf(*(sum(c[k] for c in counts.values()) for k in range(3)))
    return report


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }
