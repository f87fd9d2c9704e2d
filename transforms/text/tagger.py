"""The statistical entity tagger: a linear-chain CRF over khabar's tokens, decoded with numpy.

The model is trained with CRFsuite on ANERcorp's training part
(benchmarks/train_tagger.py) and ships as a weights file,
``data/tagger.tsv`` (its provenance and licence in ``data/tagger.md``): the
label set, the transition weights and, for every attribute, its weight for
each label. No CRFsuite is needed to tag.

Tagging is fast because every feature depends on one word or one position
(transforms/text/tagger_features.py): a word's weights (its own attributes,
and what it gives the neighbours at -2, -1, +1, +2) are summed once per
distinct word and kept (``_rows``), so a page's label scores are a few numpy
gathers and shifts; the gaps' punctuation, segment ends and gazetteer names
add their weights by position. Viterbi runs on all of a page's segments at
once (one step a word position, the segments side by side), which gives the
labels CRFsuite's own tagger gives (tests/test_tagger.py compares them).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cache
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

import numpy as np
from khabar.transforms.text.gazetteer import DATA, Word
from khabar.transforms.text.tagger_features import (
    BIAS,
    CUT_MASK,
    END_BIT,
    FIRST,
    GAP_CLASSES,
    LAST,
    NEIGHBOURS,
    Lexicons,
    gap_masks,
    gazetteer_labels,
    in_gazetteer,
    lexicons,
    word_features,
)

MODEL = DATA / "tagger.tsv"
_SLOTS = (0, *NEIGHBOURS)
_RAW = attrgetter("raw")
PROPAGATE = True  # a name tagged once in a page is tagged wherever it stands (propagate)
PRUNE = 3.0  # Viterbi fixes a word to O when O beats every other label by more (Tagger.viterbi)  # a word's rows: its own weights, then what it gives the word at each offset


class TaggerModel:
    """A model file's labels, transitions and attribute weights.

    Format (UTF-8 text, tab-separated, '#' lines are comments):
    ``labels <TAB> O <TAB> B-PER ...``; ``T <TAB> from <TAB> to <TAB> weight``;
    ``A <TAB> attribute <TAB> weight for each label, in label order``.
    """

    def __init__(self, labels: Sequence[str], transitions: np.ndarray, attributes: dict[str, int], weights: np.ndarray) -> None:
        self.labels = tuple(labels)
        self.transitions = transitions
        self.attributes = attributes  # attribute -> row of weights; a missing one -> the last row (zeros)
        self.weights = weights

    @classmethod
    def load(cls, path: Path | str) -> TaggerModel:
        labels: list[str] = []
        transitions: list[tuple[str, str, float]] = []
        names: list[str] = []
        rows: list[list[float]] = []
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("#") or not line.strip():
                    continue
                fields = line.rstrip("\n").split("\t")
                if fields[0] == "labels":
                    labels = fields[1:]
                elif fields[0] == "T":
                    transitions.append((fields[1], fields[2], float(fields[3])))
                elif fields[0] == "A":
                    names.append(fields[1])
                    rows.append([float(x) for x in fields[2:]])
        if not labels:
            raise ValueError(f"{path}: no labels line, not a tagger model")
        index = {label: k for k, label in enumerate(labels)}
        matrix = np.zeros((len(labels), len(labels)))
        for first, second, weight in transitions:
            matrix[index[first], index[second]] = weight
        weights = np.zeros((len(names) + 1, len(labels)))
        if rows:
            weights[:-1] = np.array(rows)
        return cls(labels, matrix, {name: k for k, name in enumerate(names)}, weights)

    def vector(self, attribute: str) -> np.ndarray:
        return self.weights[self.attributes.get(attribute, len(self.weights) - 1)]

    def write(self, path: Path | str, header: str = "") -> None:
        write_model(path, self.labels, self.transitions, self.attributes, self.weights, header)


def write_model(
    path: Path | str, labels: Sequence[str], transitions: np.ndarray, attributes: dict[str, int], weights: np.ndarray, header: str = ""
) -> None:
    """The model file (TaggerModel's format); weights at 5 significant digits, attributes sorted."""

    def number(x: float) -> str:
        return "0" if x == 0 else f"{x:.5g}"

    with open(path, "w", encoding="utf-8") as out:
        for line in header.splitlines():
            out.write(f"# {line}\n".replace("#  ", "# ") if line else "#\n")
        out.write("labels\t" + "\t".join(labels) + "\n")
        for i, first in enumerate(labels):
            for j, second in enumerate(labels):
                if transitions[i, j]:
                    out.write(f"T\t{first}\t{second}\t{number(transitions[i, j])}\n")
        for name in sorted(attributes):
            row = weights[attributes[name]]
            if np.any(row):
                out.write(f"A\t{name}\t" + "\t".join(number(x) for x in row) + "\n")


def spans(labels: Sequence[str]) -> list[tuple[int, int, str]]:
    """(first, last, type) of BIO labels; an I- that continues no span of its type starts one."""
    out: list[tuple[int, int, str]] = []
    current: list | None = None
    for i, label in enumerate(labels):
        prefix, _, kind = label.partition("-")
        if prefix == "I" and current is not None and current[2] == kind and current[1] == i - 1:
            current[1] = i
            continue
        if current is not None:
            out.append((current[0], current[1], current[2]))
            current = None
        if prefix in ("B", "I"):
            current = [i, i, kind]
    if current is not None:
        out.append((current[0], current[1], current[2]))
    return out


class Tagger:
    """Labels a page's words; build once per worker (loading the model takes about a second)."""

    MAX_WORDS = 300_000  # distinct words whose summed weights are kept (about 80 MB); then it starts over

    def __init__(self, path: Path | str = MODEL, lex: Lexicons | None = None, prune: float | None = PRUNE) -> None:
        self.model = TaggerModel.load(path)
        self.lex = lex or lexicons()
        self.prune = prune
        self.propagate = PROPAGATE
        m = self.model
        self._trans = m.transitions
        self._bias = m.vector(BIAS)
        self._first = m.vector(FIRST)
        gaz = [f"{p}-{t}" for p in "BI" for t in ("PER", "ORG", "LOC")]
        self._gaz_index = {label: k for k, label in enumerate(gaz)}
        self._gaz_table = np.array([m.vector("gz=" + label) for label in gaz])
        # a gap's weights by its mask: the classes seen from the word before it (R) and after it (L),
        # with the segment's last and first word where the gap cuts
        masks = np.arange(2 * END_BIT)
        bits = ((masks[:, None] >> np.arange(len(GAP_CLASSES))) & 1).astype(float)
        cut = ((masks & CUT_MASK) != 0).astype(float)[:, None]
        self._right = bits @ np.array([m.vector("R" + name) for name, _ in GAP_CLASSES]) + cut * m.vector(LAST)
        self._left = bits @ np.array([m.vector("L" + name) for name, _ in GAP_CLASSES]) + cut * m.vector(FIRST)
        self._prefixes = [label.partition("-")[0] for label in m.labels]
        self._kinds = [label.partition("-")[2] for label in m.labels]
        self._rows: dict[str, int] = {}
        self._lock = threading.Lock()
        self._shipped = False
        self._table = np.zeros((1024, len(_SLOTS), len(m.labels)))
        self._in_gazetteer = np.zeros(1024, dtype=bool)
        self._stem_id = np.zeros(1024, dtype=np.intp)
        self._stems: dict[str, int] = {}  # a word's stem -> its id (propagate)

    # ------------------------------------------------------------ pickling

    def __reduce_ex__(self, protocol: Any) -> Any:
        """Runners may pickle a DoFn after its setup (Dask): the shipped model pickles as a reference
        to itself (loaded again where it is unpickled), any other one without its lock."""
        if self._shipped:
            return (shipped_tagger, ())
        return super().__reduce_ex__(protocol)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_lock": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    # ------------------------------------------------------------ scores

    def _add_words(self, words: Sequence[Word]) -> None:
        """Sums the weights of words not seen before into rows of the table."""
        first = len(self._rows)
        need = first + len(words)
        if need > len(self._table):
            size = max(need, 2 * len(self._table))
            table = np.zeros((size, *self._table.shape[1:]))
            table[:first] = self._table[:first]
            flags = np.zeros(size, dtype=bool)
            flags[:first] = self._in_gazetteer[:first]
            stem_ids = np.zeros(size, dtype=np.intp)
            stem_ids[:first] = self._stem_id[:first]
            self._table, self._in_gazetteer, self._stem_id = table, flags, stem_ids
        index, missing = self.model.attributes, len(self.model.weights) - 1
        slots: list[int] = []
        attributes: list[int] = []
        for k, word in enumerate(words):
            own, context = word_features(word, self.lex)
            base = (first + k) * len(_SLOTS)
            ids = [index.get(a, missing) for a in own]
            attributes.extend(ids)
            slots.extend([base] * len(ids))
            for s, d in enumerate(NEIGHBOURS, start=1):
                ids = [index.get(f"{d}:{a}", missing) for a in context]
                attributes.extend(ids)
                slots.extend([base + s] * len(ids))
            self._rows[word.raw] = first + k
            self._in_gazetteer[first + k] = in_gazetteer(word, self.lex)
            self._stem_id[first + k] = self._stems.setdefault(word.stem, len(self._stems))
        flat = self._table.reshape(-1, self._table.shape[2])
        flat[first * len(_SLOTS) : need * len(_SLOTS)] = 0.0
        np.add.at(flat, np.array(slots), self.model.weights[np.array(attributes)])

    def _ids(self, words: Sequence[Word]) -> np.ndarray:
        """The table rows of the words, new words summed first."""
        rows = self._rows
        raws = list(map(_RAW, words))
        try:
            found = itemgetter(*raws)(rows) if len(raws) > 1 else (rows[raws[0]],)
            return np.array(found, dtype=np.intp)
        except KeyError:
            pass
        new = {w.raw: w for w in words if w.raw not in rows}
        if len(rows) + len(new) > self.MAX_WORDS:
            rows.clear()  # start over: every word of this page is new again
            self._stems.clear()
            new = {w.raw: w for w in words}
        self._add_words(list(new.values()))
        return np.fromiter(map(rows.__getitem__, map(_RAW, words)), dtype=np.intp, count=len(words))

    def scores(
        self,
        text: str,
        words: Sequence[Word],
        starts: Sequence[int],
        ends: Sequence[int],
        gazetteer: Sequence[int] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(the label scores of every word: the sums CRFsuite makes of sequence_features' attributes,
        the gap masks). ``gazetteer``: the positions of the words whose stems begin a gazetteer name
        (the rules' flags), found here when not given."""
        emission, masks, _ = self._scores(text, words, starts, ends, gazetteer)
        return emission, masks

    def _scores(
        self,
        text: str,
        words: Sequence[Word],
        starts: Sequence[int],
        ends: Sequence[int],
        gazetteer: Sequence[int] | None = None,
        masks: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """scores(), and the stem id of every word (``masks``: gap_masks(), when known)."""
        with self._lock:  # threads of one worker share the table: rows are added under the lock
            ids = self._ids(words)
            table = self._table[ids]  # (words, slots, labels)
            known = self._in_gazetteer[ids] if gazetteer is None else None
            stem_ids = self._stem_id[ids]
        emission = table[:, 0] + self._bias
        for s, d in enumerate(NEIGHBOURS, start=1):
            # the word at j gives position j - d the weights of "d:attribute"
            if d < 0:
                emission[-d:] += table[:d, s]
            else:
                emission[:-d] += table[d:, s]
        if masks is None:
            masks = gap_masks(text, starts, ends)
        emission += self._right[masks]
        emission[1:] += self._left[masks[:-1]]
        emission[0] += self._first
        if known is not None:
            gazetteer = np.flatnonzero(known).tolist()
        if len(gazetteer):
            found = gazetteer_labels(words, self.lex, gazetteer)
            if found:
                positions, labels = zip(*found, strict=True)
                emission[list(positions)] += self._gaz_table[[self._gaz_index[label] for label in labels]]
        return emission, masks, stem_ids

    # ------------------------------------------------------------ decoding

    def viterbi(self, emission: np.ndarray, masks: np.ndarray, margins: np.ndarray | None = None) -> np.ndarray:
        """The best label index of every word, each segment (cut after a word whose mask has
        CUT_MASK bits) decoded on its own (``margins``: analyse()'s O margins, when known).

        With ``prune``, a word whose O score beats every other label's by more
        than ``prune`` is fixed to O first, which cuts segments into short runs
        (a fixed O's transitions go into its neighbours' scores): Viterbi
        then takes a few steps a page instead of one per word of the longest
        segment. The default margin changes 11 of the 12,351 labels of
        ANERcorp's development part (the same spans found, one wrong one
        fewer; benchmarks/train_tagger.py --check counts them) and halves
        the time Viterbi takes.
        """
        n = len(emission)
        out = np.zeros(n, dtype=np.intp)
        if not n:
            return out
        trans = self._trans
        cut = (masks & CUT_MASK) != 0
        if self.prune is None:
            free = np.arange(n)
        else:
            if margins is None:
                margins = emission[:, 0] - emission[:, 1:].max(axis=1)
            free = np.flatnonzero(margins <= self.prune)
            if not len(free):
                return out
        # runs of free words within a segment: where each starts, and each word's step in its run
        m = len(free)
        starting = np.empty(m, dtype=bool)
        starting[0] = True
        starting[1:] = (free[1:] != free[:-1] + 1) | cut[free[:-1]]
        ending = np.empty(m, dtype=bool)
        ending[:-1] = starting[1:]
        ending[-1] = True
        firsts = np.flatnonzero(starting)
        step = np.arange(m) - np.repeat(firsts, np.diff(np.append(firsts, m)))
        scores = emission[free]
        if self.prune is not None:
            # a run's neighbour in the same segment is a fixed O: its transition counts
            scores[starting & ~cut[free - 1]] += trans[0]  # the word before (cut[-1] is set: none before word 0)
            scores[ending & ~cut[free]] += trans[:, 0]
        longest = int(step.max()) + 1
        if longest > 1:
            order = np.argsort(step, kind="stable")
            bounds = np.searchsorted(step[order], np.arange(longest + 1)).tolist()
            back = np.empty((m, len(trans)), dtype=np.intp)
            for t in range(1, longest):
                at = order[bounds[t] : bounds[t + 1]]  # the words at step t; the word before each is at - 1
                candidates = scores[at - 1, :, None] + trans  # (words, previous, next)
                back[at] = candidates.argmax(axis=1)
                scores[at] += candidates.max(axis=1)
        labels = np.empty(m, dtype=np.intp)
        labels[ending] = scores[ending].argmax(axis=1)
        for t in range(longest - 1, 0, -1):
            at = order[bounds[t] : bounds[t + 1]]
            labels[at - 1] = back[at, labels[at]]
        out[free] = labels
        return out

    def label(
        self, text: str, words: Sequence[Word], starts: Sequence[int], ends: Sequence[int], gazetteer: Sequence[int] | None = None
    ) -> list[str]:
        """The BIO label of every word."""
        if not words:
            return []
        emission, masks = self.scores(text, words, starts, ends, gazetteer)
        labels = self.model.labels
        return [labels[k] for k in self.viterbi(emission, masks)]

    def spans(
        self, text: str, words: Sequence[Word], starts: Sequence[int], ends: Sequence[int], gazetteer: Sequence[int] | None = None
    ) -> list[tuple[int, int, str]]:
        """(first word, last word, type) of every entity the tagger finds; with ``propagate``, a
        name tagged somewhere in the page is tagged wherever else it stands (propagate())."""
        return self.analyse(text, words, starts, ends, gazetteer)[0]

    def _spans(self, best: np.ndarray) -> list[tuple[int, int, str]]:
        """spans() of label indices, visiting only the words not labelled O (index 0)."""
        out: list[tuple[int, int, str]] = []
        prefixes, kinds = self._prefixes, self._kinds
        first = last = -2
        kind = ""
        for i, k in zip(np.flatnonzero(best).tolist(), best[best != 0].tolist(), strict=True):
            if prefixes[k] == "I" and kinds[k] == kind and last == i - 1:
                last = i
                continue
            if first >= 0:
                out.append((first, last, kind))
            first = last = i
            kind = kinds[k]
        if first >= 0:
            out.append((first, last, kind))
        return out

    def analyse(
        self,
        text: str,
        words: Sequence[Word],
        starts: Sequence[int],
        ends: Sequence[int],
        gazetteer: Sequence[int] | None = None,
        masks: np.ndarray | None = None,
    ) -> tuple[list[tuple[int, int, str]], np.ndarray]:
        """(the spans, each word's O margin: its score for O less its best other label's; below 0 the
        word alone leans to a name, far above it is plainly O)."""
        if not words:
            return [], np.zeros(0)
        emission, masks, stem_ids = self._scores(text, words, starts, ends, gazetteer, masks)
        margins = emission[:, 0] - emission[:, 1:].max(axis=1)
        found = self._spans(self.viterbi(emission, masks, margins))
        if self.propagate and found:
            with self._lock:  # the stem index is shared
                found = propagate(words, found, stems=(stem_ids, self._stems))
        return found, margins


def propagate(
    words: Sequence[Word],
    found: list[tuple[int, int, str]],
    shortest: int = 3,
    stems: tuple[np.ndarray, dict[str, int]] | None = None,
) -> list[tuple[int, int, str]]:
    """The spans, and every other place in the page where the words of a span stand (their stems
    equal) outside any span: a name is one name throughout an article ("one sense per document").
    A name tagged with two types takes the one of most of its spans (none on a tie); names of one
    word shorter than ``shortest`` letters are not propagated. Longer names are tried first.
    ``stems``: (an id for each word's stem, stem -> id), to find the candidates with numpy."""
    votes: dict[tuple[str, ...], dict[str, int]] = {}
    for first, last, kind in found:
        key = tuple(w.stem for w in words[first : last + 1])
        if len(key) > 1 or len(key[0]) >= shortest:
            counts = votes.setdefault(key, {})
            counts[kind] = counts.get(kind, 0) + 1
    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for key, counts in votes.items():
        ranked = sorted(counts.values(), reverse=True)
        if len(ranked) == 1 or ranked[1] < ranked[0]:
            by_first.setdefault(key[0], []).append((key, max(counts, key=counts.__getitem__)))
    if not by_first:
        return found
    for names in by_first.values():
        names.sort(key=lambda item: -len(item[0]))
    taken = bytearray(len(words) + 1)
    for first, last, _ in found:
        taken[first : last + 1] = b"\x01" * (last - first + 1)
    out = list(found)
    if stems is None:
        candidates = [i for i, word in enumerate(words) if word.stem in by_first]
    else:
        ids, index = stems
        wanted = np.array([index.get(stem, -1) for stem in by_first])
        candidates = np.flatnonzero((ids[:, None] == wanted).any(axis=1)).tolist()
    for i in candidates:
        if taken[i]:
            continue
        for key, kind in by_first[words[i].stem]:
            end = i + len(key)
            if end <= len(words) and not any(taken[i:end]) and all(words[i + k].stem == key[k] for k in range(1, len(key))):
                out.append((i, end - 1, kind))
                taken[i:end] = b"\x01" * len(key)
                break
    return sorted(out)


@cache
def shipped_tagger() -> Tagger:
    """The model shipped in the package, loaded once per process."""
    tagger = Tagger()
    tagger._shipped = True
    return tagger
