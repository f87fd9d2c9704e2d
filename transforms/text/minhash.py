"""Word shingles, MinHash signatures and LSH bands (numpy, deterministic).

Words are hashed once each (blake2b, 64 bits, cached); a k-shingle's hash
combines its words' hashes polynomially in uint64 arithmetic, so shingling a
4 KB article is a few vectorized operations. A text's words are found per
whitespace-separated chunk, each distinct chunk once (``text_shingles32``).
Everything is seeded and independent of Python's hash randomization: the
same text gives the same shingles, signature and bands on every worker and
runner.
"""

from __future__ import annotations

import hashlib
import re
import threading
from itertools import chain

import numpy as np
from khabar.transforms.runtime.bounded import BoundedDict
from khabar.transforms.runtime.native import KERNELS
from khabar.transforms.text.chunks import ChunkCache

_WORD = re.compile(r"[^\W_]+")
_MERSENNE = np.uint64((1 << 61) - 1)
_MAX32 = np.uint64(0xFFFFFFFF)
_WORD_HASHES: BoundedDict[str, int] = BoundedDict(1_000_000)
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
_SHIFT = np.uint64(61)
_BLOCK = 256


def words(text_normalized: str) -> list[str]:
    return _WORD.findall(text_normalized)


def _word_hash(word: str) -> int:
    value = _WORD_HASHES.get(word)
    if value is None:
        value = _WORD_HASHES.put(word, int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little"))
    return value


def word_hashes(text_normalized: str) -> np.ndarray:
    """The hashes (uint64) of words(text_normalized), in text order.

    Words never cross whitespace, so each distinct chunk ("العراق،") is
    matched and hashed once: a regex over every article was half the time of
    shingling it.
    """
    return np.fromiter(chain.from_iterable(_CHUNK_HASHES.values(text_normalized)), dtype=np.uint64)


def _chunk_hashes(chunk: str) -> tuple[int, ...]:
    return tuple(map(_word_hash, words(chunk)))


_CHUNK_HASHES = ChunkCache(_chunk_hashes)


def _combine(hashes: np.ndarray, k: int) -> np.ndarray:
    """Polynomial hashes of the consecutive k-windows of word hashes (one window when shorter)."""
    n = len(hashes)
    if n == 0:
        return hashes
    k = min(k, n)
    with np.errstate(over="ignore"):
        combined = hashes[: n - k + 1].copy()
        for offset in range(1, k):
            combined *= _MULTIPLIER
            combined += hashes[offset : n - k + 1 + offset]
    return combined


def text_shingles32(text_normalized: str, k: int = 5) -> np.ndarray:
    """32-bit hashes of the text's consecutive k-word shingles, in text order
    (what signatures and the index use); one shingle for shorter texts.

    The compiled kernel computes them in one pass; text_shingles32_numpy is
    its definition.
    """
    if KERNELS is None:
        return text_shingles32_numpy(text_normalized, k)
    return np.frombuffer(KERNELS.chunk_shingles(text_normalized, _CHUNK_HASHES.table, _CHUNK_HASHES.compute_and_store, k), dtype=np.uint32)


def text_shingles32_numpy(text_normalized: str, k: int = 5) -> np.ndarray:
    """text_shingles32() in numpy."""
    return (_combine(word_hashes(text_normalized), k) & _MAX32).astype(np.uint32)


class MinHasher:
    """num_perm universal hash functions (a*x + b) mod (2^61 - 1), fixed seed."""

    def __init__(self, num_perm: int = 128, seed: int = 1) -> None:
        generator = np.random.RandomState(seed)
        self.num_perm = num_perm
        self._a = generator.randint(1, (1 << 61) - 1, size=num_perm, dtype=np.uint64)
        self._b = generator.randint(0, (1 << 61) - 1, size=num_perm, dtype=np.uint64)
        self._local = threading.local()

    def __getstate__(self) -> dict[str, object]:
        # a worker may receive a hasher pickled with its DoFn: the buffers stay behind
        return {key: value for key, value in self.__dict__.items() if key != "_local"}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._local = threading.local()

    def _buffers(self) -> tuple[np.ndarray, np.ndarray]:
        """Two (_BLOCK x num_perm) work arrays of this thread, reused by every signature.

        Allocated a block at a time (256 KB each), malloc mapped and unmapped
        fresh pages for them on every signature.
        """
        buffers = getattr(self._local, "buffers", None)
        if buffers is None:
            buffers = self._local.buffers = tuple(np.empty((_BLOCK, self.num_perm), dtype=np.uint64) for _ in range(2))
        return buffers

    def signature(self, shingles: np.ndarray) -> np.ndarray:
        """uint32 signature of a set of 32-bit shingle hashes (all 0xFFFFFFFF for an empty set).

        Value: min over shingles of ((x * a + b) mod 2^64 mod (2^61 - 1)) & 0xFFFFFFFF.
        The compiled kernel computes it in one vectorized loop;
        signature_numpy is its definition.
        """
        if KERNELS is None:
            return self.signature_numpy(shingles)
        return np.frombuffer(KERNELS.minhash_signature(np.ascontiguousarray(shingles, dtype=np.uint32), self._a, self._b), dtype=np.uint32)

    def signature_numpy(self, shingles: np.ndarray) -> np.ndarray:
        """signature() in numpy.

        Computed in blocks of _BLOCK shingles that stay in the CPU cache, with
        the Mersenne modulo as shift-and-add (numpy's uint64 % is slow): 3.5x
        faster than one (shingles x num_perm) array, and the same numbers.
        """
        if len(shingles) == 0:
            return np.full(self.num_perm, 0xFFFFFFFF, dtype=np.uint32)
        values = sorted_unique(shingles).astype(np.uint64)
        best = np.full(self.num_perm, _MAX32, dtype=np.uint64)
        work, spare = self._buffers()
        for i in range(0, len(values), _BLOCK):
            block = values[i : i + _BLOCK]
            x, high = work[: len(block)], spare[: len(block)]
            np.multiply.outer(block, self._a, out=x)  # wraps mod 2^64, as a uint64 product does
            x += self._b
            np.right_shift(x, _SHIFT, out=high)
            x &= _MERSENNE
            x += high  # < 2 * (2^61 - 1): one subtraction finishes the modulo, rarely needed
            if x.max() >= _MERSENNE:
                np.subtract(x, _MERSENNE, out=x, where=x >= _MERSENNE)
            x &= _MAX32
            np.minimum(best, x.min(axis=0), out=best)
        return best.astype(np.uint32)


def band_keys(signature: np.ndarray, bands: int) -> list[tuple[int, bytes]]:
    """(band, the band's bytes): equal keys make LSH candidates."""
    rows = len(signature) // bands
    raw = signature[: rows * bands].tobytes()
    width = rows * signature.itemsize
    return [(band, raw[band * width : (band + 1) * width]) for band in range(bands)]


def compact(signature: np.ndarray) -> bytes:
    """The signature truncated to 16 bits a value: half the bytes through the shuffle;
    two unrelated values agree with probability 1/65536, invisible in a Jaccard estimate."""
    return (signature & 0xFFFF).astype(np.uint16).tobytes()


def estimated_jaccard(a: bytes, b: bytes) -> float:
    x, y = np.frombuffer(a, dtype=np.uint16), np.frombuffer(b, dtype=np.uint16)
    return float(np.mean(x == y)) if len(x) else 0.0


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """np.unique of a small array by a sort and a mask: numpy 2's unique
    builds a hash table first, which costs more than the sort on a few hundred values."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two shingle sets."""
    return jaccard_unique(sorted_unique(a), sorted_unique(b))


def jaccard_unique(sa: np.ndarray, sb: np.ndarray) -> float:
    """Exact Jaccard of two sorted unique shingle arrays."""
    if len(sa) == 0 and len(sb) == 0:
        return 1.0
    shared = len(np.intersect1d(sa, sb, assume_unique=True))
    return shared / (len(sa) + len(sb) - shared)
