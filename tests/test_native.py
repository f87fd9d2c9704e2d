"""The compiled kernels (transforms/runtime/_native.c) against their Python definitions.

The unit tests of each kernel's callers run whichever the process loaded; these
check that the kernels are there where they must be, give the definitions'
numbers on edge cases, and that a whole run gives the same tables either way.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from khabar.transforms.runtime import native
from khabar.transforms.text.boilerplate_words import FUNCTION_WORDS
from khabar.transforms.text.entity_rules import FLAG_BITS, GAZ, EntityExtractor, _Page, flag_positions
from khabar.transforms.text.gazetteer import Entry, Gazetteer, tokenize, tokenize_python
from khabar.transforms.text.minhash import MinHasher, text_shingles32, text_shingles32_numpy
from khabar.transforms.text.normalize import normalize_light
from khabar.transforms.text.page_lines import line_counts_python

from benchmarks.corpus import ensure
from tests.conftest import run_cli

needs_kernels = pytest.mark.skipif(
    not native.available() and not os.environ.get("KHABAR_REQUIRE_NATIVE"), reason="compiled kernels not built here"
)


def test_the_kernels_are_built_where_required() -> None:
    """make setup builds them (setup.py's optional extension); CI sets KHABAR_REQUIRE_NATIVE."""
    if os.environ.get("KHABAR_REQUIRE_NATIVE") and not native.available():
        pytest.fail("the compiled kernels are required here (KHABAR_REQUIRE_NATIVE) but transforms._native was not built")
    if not native.available():
        pytest.skip("compiled kernels not built here")


@needs_kernels
@pytest.mark.parametrize("count", [0, 1, 2, 7, 255, 256, 257, 3000])
def test_signature_kernel_is_the_numpy_definition(count: int) -> None:
    hasher = MinHasher(num_perm=128, seed=5)
    shingles = np.random.default_rng(count).integers(0, 2**32, count, dtype=np.uint32)
    assert hasher.signature(shingles).tolist() == hasher.signature_numpy(shingles).tolist()


@needs_kernels
def test_signature_kernel_takes_repeats_strided_and_wider_arrays() -> None:
    hasher = MinHasher(num_perm=64)
    base = np.array([5, 5, 0xFFFFFFFF, 0, 123_456_789, 5], dtype=np.uint32)
    expected = hasher.signature_numpy(base).tolist()
    assert hasher.signature(base).tolist() == expected
    assert hasher.signature(np.repeat(base, 2)[::2]).tolist() == expected  # not contiguous
    assert hasher.signature(base.astype(np.uint64)).tolist() == expected  # the numpy path's input type too


@needs_kernels
def test_signature_kernel_refuses_mismatched_coefficients() -> None:
    with pytest.raises(ValueError):
        native.KERNELS.minhash_signature(np.zeros(3, dtype=np.uint32), np.zeros(4, dtype=np.uint64), np.zeros(3, dtype=np.uint64))
    with pytest.raises(ValueError):
        native.KERNELS.minhash_signature(b"\x00" * 5, np.zeros(4, dtype=np.uint64), np.zeros(4, dtype=np.uint64))


@needs_kernels
def test_signature_kernel_on_real_text(samples: Path) -> None:
    hasher = MinHasher()
    for path in sorted(samples.glob("*.txt")):
        shingles = text_shingles32(path.read_text(encoding="utf-8"))
        assert hasher.signature(shingles).tolist() == hasher.signature_numpy(shingles).tolist()


def _same_tokens(text: str) -> None:
    native_tokens, python_tokens = tokenize(text), tokenize_python(text)
    assert native_tokens.starts == python_tokens.starts
    assert native_tokens.ends == python_tokens.ends
    assert [w.raw for w in native_tokens.words] == [w.raw for w in python_tokens.words]
    assert all(a is b for a, b in zip(native_tokens.words, python_tokens.words, strict=True))  # the shared Words


@needs_kernels
def test_tokenizer_kernel_on_real_pages(samples: Path) -> None:
    for path in sorted(samples.glob("*.txt")):
        _same_tokens(path.read_text(encoding="utf-8"))


# Every kind of whitespace str.split() knows (the ASCII separators \x1c-\x1f, NEL,
# the Unicode spaces), marks, tatweel, punctuation glued to words, repeated chunks.
AWKWARD = "العراق، «قال» وبالعراق ـبـ ً ab_1 1.5 \x1c\x1d\x1e\x1f\x85\u00a0\u2028\u3000\u200b\u200c\t\n\r\x0b\x0c "


@needs_kernels
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=AWKWARD, max_size=80))
def test_tokenizer_kernel_is_the_python_loop(text: str) -> None:
    _same_tokens(text)


@needs_kernels
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=AWKWARD, max_size=80), st.integers(1, 7))
def test_shingle_kernel_is_the_numpy_definition(text: str, k: int) -> None:
    native_shingles, numpy_shingles = text_shingles32(text, k), text_shingles32_numpy(text, k)
    assert native_shingles.dtype == numpy_shingles.dtype == np.uint32
    assert native_shingles.tolist() == numpy_shingles.tolist()


@needs_kernels
def test_shingle_kernel_on_real_pages(samples: Path) -> None:
    for path in sorted(samples.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert text_shingles32(text).tolist() == text_shingles32_numpy(text).tolist()
        assert len(text_shingles32(text)) > 100


@needs_kernels
def test_shingle_kernel_reports_bad_input() -> None:
    with pytest.raises(ValueError):
        native.KERNELS.chunk_shingles("a b", {}, lambda chunk: (1,), 0)
    with pytest.raises(TypeError):
        native.KERNELS.chunk_shingles("a b", {"a": [1]}, lambda chunk: (1,), 5)
    with pytest.raises(OverflowError):
        native.KERNELS.chunk_shingles("a", {}, lambda chunk: (-1,), 5)


# Lines of a page: Arabic with its punctuation and marks, the block's edges (U+0600, U+06FF) and the letters
# next to them, Latin in both cases (a line with a Latin letter is looked up lower-cased), Persian digits.
LINE_ALPHABET = AWKWARD + "\u0600\u06ff\u05ff\u0700ABCZabcz@[`{ÀİßفيمنFIinThe۱۲"
FEW_WORDS = frozenset({"في", "من", "the", "in", "i̇n", "ab_1"})


def _same_line_counts(texts: list[str], norms: list[str]) -> None:
    assert native.KERNELS.line_counts(texts, norms, FEW_WORDS) == line_counts_python(texts, norms, FEW_WORDS)


@needs_kernels
@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.text(alphabet=LINE_ALPHABET, max_size=40), st.text(alphabet=LINE_ALPHABET, max_size=40)), max_size=6))
def test_line_kernel_is_the_python_loop(lines: list[tuple[str, str]]) -> None:
    _same_line_counts([t for t, _ in lines], [n for _, n in lines])


@needs_kernels
def test_line_kernel_on_real_pages(samples: Path) -> None:
    for path in sorted(samples.glob("*.txt")):
        lines = [line.strip() for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
        _same_line_counts(lines, [normalize_light(line) for line in lines])
        rows = native.KERNELS.line_counts(lines, [normalize_light(line) for line in lines], FUNCTION_WORDS)
        assert sum(row[4] for row in rows) > 20  # the samples' function words are found


@needs_kernels
def test_line_kernel_reports_bad_input() -> None:
    with pytest.raises(ValueError):
        native.KERNELS.line_counts(["a"], [], FEW_WORDS)
    with pytest.raises(TypeError):
        native.KERNELS.line_counts(["a"], [b"a"], FEW_WORDS)
    with pytest.raises(TypeError):
        native.KERNELS.line_counts(["a"], ["a"], ["a"])


@needs_kernels
def test_tokenizer_kernel_reports_a_bad_cache_value() -> None:
    with pytest.raises(TypeError):
        native.KERNELS.chunk_tokens("a b", {"a": (1, 2)}, lambda chunk: ((0,), (1,), (chunk,)))
    with pytest.raises(TypeError):
        native.KERNELS.chunk_tokens("a", {}, lambda chunk: ((0, 1), (1,), (chunk,)))
    with pytest.raises(ZeroDivisionError):
        native.KERNELS.chunk_tokens("a", {}, lambda chunk: 1 / 0)


@needs_kernels
def test_flag_kernel_is_the_python_loop(samples: Path) -> None:
    extractor = EntityExtractor()
    for path in sorted(samples.glob("*.txt")):
        tokens = tokenize(path.read_text(encoding="utf-8")).words
        extractor.flag_cache.clear()  # the kernel computes every word's flags through the miss function
        computed = native.KERNELS.flag_positions(tokens, "raw", extractor.flag_cache, extractor.flag_bits, len(FLAG_BITS))
        cached = native.KERNELS.flag_positions(tokens, "raw", extractor.flag_cache, extractor.flag_bits, len(FLAG_BITS))
        assert computed == cached == flag_positions(tokens, extractor)
        assert sum(map(len, computed)) > 0


@needs_kernels
def test_flag_kernel_refuses_an_index_out_of_range() -> None:
    words = tokenize("كلمة").words
    with pytest.raises(IndexError):
        native.KERNELS.flag_positions(words, "raw", {}, lambda word: (7,), 7)
    with pytest.raises(TypeError):
        native.KERNELS.flag_positions(words, "raw", {}, lambda word: [0], 7)


@needs_kernels
def test_gazetteer_kernel_is_match_at_on_real_pages(samples: Path) -> None:
    extractor = EntityExtractor()
    total = 0
    for path in sorted(samples.glob("*.txt")):
        page = _Page.of(path.read_text(encoding="utf-8"), extractor)
        positions = page.positions(GAZ)
        found = extractor.gazetteer.matches(page.tokens, positions)
        assert found == extractor.gazetteer.matches_python(page.tokens, positions)
        every = list(range(len(page.tokens)))  # positions without the flag too
        assert extractor.gazetteer.matches(page.tokens, every) == extractor.gazetteer.matches_python(page.tokens, every)
        total += len(found)
    assert total > 20


@needs_kernels
def test_gazetteer_kernel_prefers_the_longest_name_and_stops_at_the_text_end() -> None:
    gazetteer = Gazetteer()
    short, long, other = (Entry("LOC", name, "test", 1.0) for name in ("بغداد", "بغداد الجديدة", "الجديدة"))
    for surface, entry in (("بغداد", short), ("بغداد الجديدة", long), ("الجديدة", other)):
        gazetteer.add(surface, entry)
    tokens = tokenize("في بغداد الجديدة وبغداد").words
    every = list(range(len(tokens)))
    found = gazetteer.matches(tokens, every)
    assert found == gazetteer.matches_python(tokens, every)
    assert [(i, n, entry.canonical) for i, _, n, entry in found] == [(1, 2, "بغداد الجديدة"), (2, 1, "الجديدة"), (3, 1, "بغداد")]
    with pytest.raises(IndexError):
        gazetteer.matches(tokens, [len(tokens)])


RUN_COLUMNS = {"ingested_at", "run_id", "ingest_date"}
TABLES = ["articles", "entities", "stories", "rejects", "files", "fingerprints"]


def _differences(con: duckdb.DuckDBPyConnection, a: Path, b: Path, table: str) -> tuple[int, int, int]:
    """(rows of a, rows of a not in b, rows of b not in a), run columns left out."""

    def scan(root: Path) -> str:
        return f"read_parquet('{root}/{table}/**/*.parquet', hive_partitioning=true)"

    columns = [row[0] for row in con.execute(f"describe select * from {scan(a)}").fetchall() if row[0] not in RUN_COLUMNS]
    select = ", ".join(f'"{c}"' for c in columns)
    rows = con.execute(f"select count(*) from {scan(a)}").fetchone()[0]
    only_a = con.execute(f"select count(*) from (select {select} from {scan(a)} except all select {select} from {scan(b)})").fetchone()[0]
    only_b = con.execute(f"select count(*) from (select {select} from {scan(b)} except all select {select} from {scan(a)})").fetchone()[0]
    return rows, only_a, only_b


@needs_kernels
def test_a_run_gives_the_same_tables_with_and_without_the_kernels(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    ensure(300, corpus)
    outputs = {}
    for name, env in (("native", {}), ("python", {"KHABAR_PURE_PYTHON": "1"})):
        outputs[name] = tmp_path / name
        result = run_cli("run", "--input", str(corpus), "--output", str(outputs[name]), "--quiet", env=env)
        assert result.returncode == 0, result.stderr[-2000:]
    assert "compiled kernels" not in result.stderr  # the fallback chosen on purpose is not warned about
    con = duckdb.connect()
    for table in TABLES:
        rows, only_native, only_python = _differences(con, outputs["native"], outputs["python"], table)
        assert (only_native, only_python) == (0, 0), table
        assert rows > 0 or table == "rejects", table
