"""Deduplication and story clustering: levels, scores, clustering, determinism, the gold."""

from __future__ import annotations

import hashlib
import itertools
import pickle
from dataclasses import replace
from datetime import UTC, datetime

import apache_beam as beam
import numpy as np
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from hypothesis import given, settings
from hypothesis import strategies as st
from khabar.transforms.apply_stories import story_columns
from khabar.transforms.group_stories import GroupStories
from khabar.transforms.runtime.records import Document
from khabar.transforms.stories.assign import assign_story
from khabar.transforms.stories.candidates import lsh_pairs
from khabar.transforms.stories.clusters import canonical_order, components, story_components
from khabar.transforms.stories.config import EXACT, NEAR, STORY, DedupConfig
from khabar.transforms.stories.fingerprints import Evidence, Fingerprint
from khabar.transforms.stories.pairs import (
    INDEX,
    LSH,
    REWRITE,
    bucket_edges,
    bucket_pairs,
    exact_edges,
    index_terms,
    shard_elements,
    verify_candidate,
    verify_pair,
)
from khabar.transforms.stories.rewrites import RewriteLink, RewriteTerms
from khabar.transforms.stories.textreuse import actor_hashes, evidence, passages, shard_pairs, story_score
from khabar.transforms.text.entity_rules import EntityExtractor
from khabar.transforms.text.minhash import MinHasher, compact, estimated_jaccard, jaccard, sorted_unique, text_shingles32, words
from khabar.transforms.text.normalize import normalize_text
from khabar.transforms.text.page_lines import extract_text_page

from tests.conftest import cleaned_document, rewrite_texts, sample_texts

EXTRACTOR = EntityExtractor()


def prepared(text: str, published: datetime | None = None) -> tuple[np.ndarray, frozenset[tuple[str, str]], datetime | None]:
    body = "\n\n".join(extract_text_page(text).body) or text
    shingles = text_shingles32(normalize_text(body))
    entities = frozenset((m.type, m.key) for m in EXTRACTOR.extract(body))
    return shingles, entities, published


def same_story(a: tuple, b: tuple) -> bool:
    edge = verify_pair(("a", Evidence.of(a[0], a[2], entities=a[1])), ("b", Evidence.of(b[0], b[2], entities=b[1])), DedupConfig())
    return edge is not None


def test_only_the_two_versions_of_the_araji_dandah_meeting_are_one_story() -> None:
    texts = sample_texts()
    docs = {name[:3]: prepared(text) for name, text in texts.items()}
    linked = {(a, b) for a, b in itertools.combinations(sorted(docs), 2) if same_story(docs[a], docs[b])}
    assert linked == {("000", "003")}


MEETING_A = """التقى مستشار الأمن القومي العراقي قاسم الأعرجي، اليوم الثلاثاء في بغداد، السفير السوري سطام جدعان الدندح.
وبحث الجانبان آخر المستجدات الأمنية والسياسية في المنطقة، وأهمية تبادل المعلومات الأمنية والاستخبارية.
وقال الأعرجي إن العراق مستمر في دعم جهود إعادة النازحين من مخيم الهول إلى مناطقهم الأصلية قبل نهاية العام المقبل.
وأضاف أن الحكومة خصصت ميزانية جديدة لتأهيل المدارس والمراكز الصحية في القرى الحدودية التي تضررت خلال سنوات الحرب."""

MEETING_B = """استقبل مستشار الأمن القومي العراقي قاسم الأعرجي، الأحد، السفير السوري سطام جدعان الدندح بمناسبة انتهاء مهامه في بغداد.
وبحث الجانبان آخر المستجدات الأمنية والسياسية في المنطقة، والتنسيق المشترك بين البلدين.
وقدم الأعرجي درع الاستشارية للسفير تقديرا لجهوده خلال السنوات الأربع الماضية في تعزيز العلاقات الثنائية.
وأعرب الدندح عن شكره للحكومة العراقية متمنيا للشعب العراقي دوام الأمن والاستقرار والازدهار في المرحلة المقبلة."""


def test_same_people_at_two_different_meetings_are_two_stories() -> None:
    a, b = prepared(MEETING_A), prepared(MEETING_B)
    assert a[1] & b[1]  # they do share the people
    assert not same_story(a, b)


def test_a_rewrite_far_apart_in_time_is_not_the_same_story() -> None:
    texts = list(sample_texts().values())
    a = prepared(texts[0], datetime(2020, 9, 1, tzinfo=UTC))
    b = prepared(texts[3], datetime(2021, 3, 1, tzinfo=UTC))
    assert not same_story(a, b)
    c = prepared(texts[3], datetime(2020, 9, 2, tzinfo=UTC))
    assert same_story(a, c)


def test_passages_and_scores() -> None:
    a = np.array([1, 2, 3, 4, 9, 10, 11, *range(100, 130)], dtype=np.uint32)  # the shorter article, in text order
    b = np.unique(np.array([3, 4, 1, 2, 10, 11, *range(500, 540)], dtype=np.uint32))
    assert passages(a, b, 5) == [8, 6]  # runs of 4 and 2 shingles -> 8 and 6 words
    ev = evidence(a, b, actor_hashes({("PER", "x")}), actor_hashes({("PER", "x"), ("LOC", "y")}), None, None)
    assert ev.longest_passage == 8 and ev.shared_actors == 1 and ev.containment < 0.5
    assert story_score(ev, min_passage=12, max_days=4) == 0.0  # short shared passages: formulas, not a story
    long_a = np.arange(1, 60, dtype=np.uint32)
    long_b = np.unique(np.concatenate([np.arange(1, 20), np.arange(700, 900)]).astype(np.uint32))
    ev = evidence(long_a, long_b, actor_hashes({("PER", "x")}), actor_hashes({("PER", "x")}), None, None)
    assert ev.longest_passage == 23 and story_score(ev, 12, 4) >= 1.0
    no_actor = evidence(long_a, long_b, actor_hashes({("LOC", "x")}), actor_hashes({("LOC", "x")}), None, None)
    assert story_score(no_actor, 12, 4) == 0.0


def test_near_duplicates_verify_by_real_jaccard() -> None:
    text = normalize_text(list(sample_texts().values())[1])
    edited = text.replace("الشمري", "الشمّري", 1).replace("مؤتمر", "لقاء", 1)
    a, b = text_shingles32(text), text_shingles32(edited)
    assert jaccard(a, b) > 0.9
    hasher = MinHasher()
    assert abs(estimated_jaccard(compact(hasher.signature(a)), compact(hasher.signature(b))) - jaccard(a, b)) < 0.1
    edge = verify_pair(("x", Evidence.of(a, None)), ("y", Evidence.of(b, None)), DedupConfig())
    assert edge == ("x", "y", NEAR)


def test_hot_lsh_buckets_are_verified_as_a_star() -> None:
    signature = compact(MinHasher().signature(np.arange(100, dtype=np.uint32)))
    members = [(f"id{i:03d}", signature) for i in range(300)]
    edges = list(bucket_edges(members, 0.8, max_bucket=50))
    assert len(edges) == 299 and {e[0] for e in edges} == {"id000"}


def test_lsh_buckets_pair_similar_articles_and_only_within_one_band() -> None:
    config = DedupConfig()
    hasher = MinHasher(config.num_perm)
    one, other = (compact(hasher.signature(np.arange(start, start + 200, dtype=np.uint32))) for start in (0, 10))
    far = compact(hasher.signature(np.arange(5000, 5200, dtype=np.uint32)))
    rows = config.num_perm // config.bands
    everything = range(config.bands)
    assert lsh_pairs([("b", other), ("a", one), ("c", far)], everything, rows, config.max_bucket) == {("a", "b")}  # Jaccard 0.9
    # the same values in two different bands are two buckets
    first, second = np.arange(rows, dtype=np.uint16), np.arange(100, 100 + rows, dtype=np.uint16)
    x = np.concatenate([first, second]).tobytes()
    y = np.concatenate([second, first]).tobytes()
    assert lsh_pairs([("x", x), ("y", y)], range(2), rows, config.max_bucket) == set()
    assert lsh_pairs([("x", x), ("y", x)], [1], rows, config.max_bucket) == {("x", "y")}


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from("abcdefgh"), st.lists(st.integers(0, 2), min_size=6, max_size=6)), max_size=12),
    st.integers(2, 4),
)
def test_lsh_pairs_are_the_bucket_pairs_of_every_band(members: list, max_bucket: int) -> None:
    """Buckets by value (few values: many collisions, hot buckets); an article may repeat."""
    signatures = [(article, np.array(values, dtype=np.uint16).tobytes()) for article, values in members]
    expected: set[tuple[str, str]] = set()
    for band in range(3):
        buckets: dict[bytes, list[str]] = {}
        for article, signature in signatures:
            buckets.setdefault(signature[band * 4 : band * 4 + 4], []).append(article)
        for bucket in buckets.values():
            expected.update(bucket_pairs(bucket, max_bucket))
    assert lsh_pairs(signatures, range(3), 2, max_bucket) == expected


def test_index_shards_carry_the_signature_where_lsh_bands_are() -> None:
    signature = compact(MinHasher().signature(np.arange(50, dtype=np.uint32)))
    element = ("a", Evidence.of(np.array([20, 7, 39], dtype=np.uint32), None, signature=signature))
    one_shard = shard_elements(element, DedupConfig())
    assert [(shard, list(shingles), sig, list(terms)) for shard, (_, shingles, sig, terms) in one_shard] == [
        (0, [7, 20, 39], signature, [])
    ]
    # 32 shards, 16 bands: shingles go to their hash shard (39 -> 7, 20 -> 20), the
    # signature to shards 0-15 (band b in shard b), with or without shingles there
    many = dict(shard_elements(element, DedupConfig(index_shards=32)))
    assert sorted(many) == [*range(16), 20]
    assert {shard: list(shingles) for shard, (_, shingles, _, _) in many.items() if len(shingles)} == {7: [7, 39], 20: [20]}
    assert [shard for shard, (_, _, sig, _) in many.items() if sig == signature] == list(range(16))
    assert many[20][2] == b""
    # an earlier run's signature of another size, or near off: shingles only
    short = ("c", Evidence.of(np.array([7], dtype=np.uint32), None, signature=signature[:64]))
    assert [(shard, sig) for shard, (_, _, sig, _) in shard_elements(short, DedupConfig(index_shards=32))] == [(7, b"")]
    assert [sig for _, (_, _, sig, _) in shard_elements(element, DedupConfig(near=False))] == [b""]


def test_index_terms_go_to_their_hash_shard() -> None:
    text = normalize_text("افتتح وزير الطاقة صالح الخرابشة محطة الطفيلة للرياح بقدرة 117 ميغاواط في محافظة الطفيلة جنوبي الأردن")
    rewrite = RewriteTerms.of(None, text).pack()
    element = ("a", Evidence.of(np.array([5], dtype=np.uint32), None, rewrite=rewrite))
    terms = index_terms(element[1], DedupConfig())
    assert 0 < len(terms) <= DedupConfig().rewrite_index_terms
    many = dict(shard_elements(element, DedupConfig(index_shards=8)))
    assert sorted(int(t) for _, (_, _, _, part) in many.items() for t in part) == sorted(int(t) for t in terms)
    assert all(int(t) % 8 == shard for shard, (_, _, _, part) in many.items() for t in part)
    assert len(index_terms(element[1], DedupConfig(rewrite=False))) == 0


def test_bucket_pairs_are_every_pair_or_a_star_for_hot_buckets() -> None:
    assert sorted(bucket_pairs(["c", "a", "b", "a"], max_bucket=5)) == [("a", "b"), ("a", "c"), ("b", "c")]
    assert list(bucket_pairs([f"id{i}" for i in range(9, 0, -1)], max_bucket=5)) == [("id1", f"id{i}") for i in range(2, 10)]


def test_candidates_are_verified_by_what_found_them() -> None:
    hasher, config = MinHasher(), DedupConfig()
    base = np.arange(1000, dtype=np.uint32)
    near = np.concatenate([base[:950], np.arange(5000, 5050, dtype=np.uint32)])

    def side(name: str, shingles: np.ndarray) -> tuple[str, Evidence]:
        return name, Evidence.of(shingles, None, signature=compact(hasher.signature(shingles)))

    a, b = side("b", base), side("a", near)
    assert verify_candidate(a, b, LSH, config) == [("a", "b", NEAR)]  # the signatures' estimate
    assert verify_candidate(a, b, INDEX, config) == [("a", "b", NEAR)]  # the shingles themselves
    assert verify_candidate(a, b, LSH | INDEX, config) == [("a", "b", NEAR)] * 2
    far = side("c", np.arange(7000, 8000, dtype=np.uint32))
    assert verify_candidate(a, far, LSH | INDEX, config) == []


def test_shard_index_counts_shared_rare_shingles_and_skips_common_ones() -> None:
    members = [
        ("a", np.array([1, 2, 3, 7], dtype=np.uint32)),
        ("b", np.array([1, 2, 3], dtype=np.uint32)),
        ("c", np.array([3, 7], dtype=np.uint32)),
    ]
    assert shard_pairs(members, max_df=2) == {("a", "b"): 2, ("a", "c"): 1}
    assert shard_pairs(members, max_df=3) == {("a", "b"): 3, ("a", "c"): 2, ("b", "c"): 1}


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from("abcdefg"), st.lists(st.integers(0, 30), max_size=12)), max_size=10),
    st.integers(2, 5),
    st.integers(1, 3),
    st.sampled_from([1, 3, 16]),
)
def test_shard_pairs_counts_shared_rare_shingles_like_brute_force(members: list, max_df: int, min_count: int, parts: int) -> None:
    """Articles may appear twice in a shard (their shingles then count once) and repeat shingles."""
    arrays = [(a, np.array(h, dtype=np.uint32)) for a, h in members]
    owners: dict[int, set[str]] = {}
    for article, shingles in members:
        for h in shingles:
            owners.setdefault(h, set()).add(article)
    expected: dict[tuple[str, str], int] = {}
    for articles in owners.values():
        if 2 <= len(articles) <= max_df:
            for pair in itertools.combinations(sorted(articles), 2):
                expected[pair] = expected.get(pair, 0) + 1
    assert shard_pairs(arrays, max_df, min_count, parts) == {pair: n for pair, n in expected.items() if n >= min_count}


def test_components_chain_and_are_keyed_by_the_smallest_id() -> None:
    comp = components([("b", "c", STORY), ("a", "b", NEAR), ("x", "y", EXACT)])
    assert comp == {"a": "a", "b": "a", "c": "a", "x": "x", "y": "x"}
    assert list(exact_edges(("h", ["c", "a", "b"]))) == [("a", "b", EXACT), ("a", "c", EXACT)]


def fp(article: str, date: datetime | None, length: int, digest: str = "h") -> Fingerprint:
    return Fingerprint(article, digest, date, length, f"title {article}", "src")


def test_canonical_is_earliest_then_longest_then_smallest_id() -> None:
    early, late = datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 2, tzinfo=UTC)
    members = [fp("c", None, 900), fp("b", late, 100), fp("a", early, 50)]
    assert min(members, key=canonical_order).article_id == "a"
    assert min([fp("b", None, 10), fp("a", None, 10), fp("c", None, 20)], key=canonical_order).article_id == "c"
    assert min([fp("b", None, 10), fp("a", None, 10)], key=canonical_order).article_id == "a"


def test_duplicate_kinds_relative_to_the_canonical() -> None:
    members = [fp("a", None, 100, "h1"), fp("b", None, 90, "h1"), fp("c", None, 80, "h2"), fp("d", None, 70, "h3")]
    result = assign_story(members, [("a", "b", EXACT), ("a", "c", NEAR), ("c", "d", STORY)])
    assert {k: v.kind for k, v in result.items()} == {"a": None, "b": EXACT, "c": NEAR, "d": STORY}
    assert {v.story_id for v in result.values()} == {"a"}


def _docs() -> list[Document]:
    out = [cleaned_document(name, text) for name, text in sample_texts().items()]
    copy = out[1]
    out.append(
        Document(
            source_uri="file:///s/copy.txt",
            record_key="",
            content="",
            content_type="text",
            size_bytes=1,
            digest="copy",
            text=copy.text,
            text_normalized=copy.text_normalized,
            content_hash=copy.content_hash,
            title=copy.title,
            language="ar",
        )
    )
    return out


def _with_entity_keys(docs: list[Document]) -> list[Document]:
    """The documents as ExtractEntities passes them on: with their entities' (type, key)."""
    return [replace(d, entity_keys=frozenset((m.type, m.key) for m in EXTRACTOR.extract(d.text))) for d in docs]


def _stories_by_name(assignments: dict, names: dict[str, str]) -> list[tuple[str, str, str | None]]:
    """(file name, story id prefix, duplicate kind) of every article, as the articles table will say."""
    columns = story_columns(list(names), assignments)
    return [(names[a], s[:8], k) for a, s, k in zip(names, columns["story_id"], columns["duplicate_kind"], strict=True)]


@pytest.mark.parametrize(("order", "shards"), [(0, 1), (1, 1), (0, 4)])
def test_group_stories_transform_is_deterministic_whatever_the_input_order(order: int, shards: int) -> None:
    """The same stories whatever the input order and however many shards the rare-shingle index has."""
    docs = _docs()
    if order:
        docs = list(reversed(docs))
    by_name = {d.source_uri.rsplit("/", 1)[1][:3]: d.article_id for d in docs}
    with TestPipeline() as p:
        out = {"documents": p | "Docs" >> beam.Create(_with_entity_keys(docs))} | GroupStories(DedupConfig(index_shards=shards))
        names = {d.article_id: d.source_uri.rsplit("/", 1)[1][:3] for d in docs}
        stories = out["assignments"] | beam.FlatMap(_stories_by_name, names)
        story_of_003 = by_name["003"][:8]  # 003 is longer than 000: the canonical
        story_of_001 = min(by_name["001"], by_name["cop"])[:8]
        assert_that(
            stories,
            equal_to(
                [
                    ("000", story_of_003, STORY),
                    ("003", story_of_003, None),
                    ("001", story_of_001, EXACT if by_name["001"] > by_name["cop"] else None),
                    ("cop", story_of_001, EXACT if by_name["cop"] > by_name["001"] else None),
                    ("002", by_name["002"][:8], None),
                    ("004", by_name["004"][:8], None),
                ]
            ),
            label="Stories",
        )
        assert_that(out["stories"] | beam.Map(lambda r: r["size"]), equal_to([2, 2, 1, 1]), label="Sizes")


# Both ways of computing a signature: the compiled kernel (where it was built;
# CI requires it, tests/test_native.py) and its numpy definition.
SIGNATURES = ["signature", "signature_numpy"]


@pytest.mark.parametrize("method", SIGNATURES)
@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=1200), st.integers(1, 5))
def test_signatures_are_the_textbook_formula(method: str, values: list[int], seed: int) -> None:
    """The blocked, shift-and-add signature (and the compiled kernel) equals
    min((x * a + b) mod 2^64 mod (2^61 - 1)) & 0xFFFFFFFF, so fingerprints stored by earlier runs stay comparable."""
    hasher = MinHasher(seed=seed)
    shingles = np.array(values, dtype=np.uint32)
    unique = np.unique(shingles).astype(np.uint64)
    with np.errstate(over="ignore"):
        textbook = ((unique[:, None] * hasher._a[None, :] + hasher._b[None, :]) % np.uint64((1 << 61) - 1)) & np.uint64(0xFFFFFFFF)
    assert getattr(hasher, method)(shingles).tolist() == textbook.min(axis=0).astype(np.uint32).tolist()


def test_a_pickled_hasher_gives_the_same_signatures() -> None:
    hasher = MinHasher(seed=3)
    shingles = np.arange(1000, 1700, dtype=np.uint32)
    first = hasher.signature(shingles)
    copy = pickle.loads(pickle.dumps(hasher))
    assert copy.signature(shingles).tolist() == first.tolist() == hasher.signature(shingles).tolist()


@pytest.mark.parametrize("method", SIGNATURES)
def test_signatures_finish_the_mersenne_modulo_where_the_folded_sum_reaches_the_prime(method: str) -> None:
    """(x * a + b) mod 2^64 = 2^61 - 1 folds to the prime itself, and 7 * 2^61 + 2^61 - 4 to
    above it: both take the rare subtraction, which the textbook formula checks."""
    prime, x = (1 << 61) - 1, 1234
    hasher = MinHasher(num_perm=3)
    hasher._a = np.array([1, 1, 1], dtype=np.uint64)
    hasher._b = np.array([prime - x, (7 << 61) + prime - 3 - x, 99], dtype=np.uint64)
    shingles = np.array([x, 70_000], dtype=np.uint32)
    unique = shingles.astype(np.uint64)
    with np.errstate(over="ignore"):
        textbook = ((unique[:, None] * hasher._a[None, :] + hasher._b[None, :]) % np.uint64(prime)) & np.uint64(0xFFFFFFFF)
    assert getattr(hasher, method)(shingles).tolist() == textbook.min(axis=0).astype(np.uint32).tolist() == [0, 4, 99 + x]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["العراق", "العراق،", "«قال»", "1.5", "a_b", "ب-ج", "..."]) | st.text(alphabet="وفي ،.ab_1«»", max_size=6),
        max_size=40,
    ),
    st.sampled_from([" ", "\n", "  \t"]),
    st.integers(1, 6),
)
def test_text_shingles_are_the_textbook_shingles_of_the_texts_words(chunks: list[str], space: str, k: int) -> None:
    """Each word hashed with 64-bit blake2b, a shingle h = h * 0x9E3779B97F4A7C15 + next word mod 2^64
    over k words (all of them when fewer), low 32 bits: fingerprints stored by earlier runs stay comparable."""
    text = space.join(chunks)
    hashes = [int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little") for word in words(text)]
    width = min(k, len(hashes))
    textbook = []
    for first in range(len(hashes) - width + 1) if hashes else ():
        value = hashes[first]
        for word in hashes[first + 1 : first + width]:
            value = (value * 0x9E3779B97F4A7C15 + word) % 2**64
        textbook.append(value & 0xFFFFFFFF)
    assert text_shingles32(text, k).tolist() == textbook


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 2**32 - 1) | st.integers(0, 5), max_size=300))
def test_sorted_unique_is_numpy_unique(values: list[int]) -> None:
    array = np.array(values, dtype=np.uint32)
    assert sorted_unique(array).tolist() == np.unique(array).tolist()
    assert sorted_unique(array).dtype == np.uint32


def _rewrite_docs() -> dict[str, Document]:
    docs = {name: cleaned_document(name, text) for name, text in rewrite_texts().items()}
    return dict(zip(docs, _with_entity_keys(list(docs.values())), strict=True))


def test_a_rewrite_pair_shares_no_passage_but_is_linked_by_its_terms() -> None:
    docs, config = _rewrite_docs(), DedupConfig()

    def side(name: str) -> tuple[str, Evidence]:
        doc = docs[name]
        rewrite = RewriteTerms.of(None, doc.text_normalized).pack()
        return name, Evidence.of(text_shingles32(doc.text_normalized), None, entities=doc.entity_keys, rewrite=rewrite)

    a, b, other = side("ra"), side("rb"), side("oc")
    assert verify_candidate(a, b, INDEX, config) == []  # no shared passage: text reuse does not join them
    [link] = verify_candidate(a, b, INDEX | REWRITE, config)
    assert isinstance(link, RewriteLink) and (link.a, link.b) == ("ra", "rb") and link.score >= config.rewrite_min_score
    assert verify_candidate(a, other, REWRITE, config) == []  # other figures: another occasion
    assert verify_candidate(a, b, REWRITE, DedupConfig(rewrite=False)) == []


def test_a_rewrite_link_counts_the_places_both_articles_name() -> None:
    docs, config = _rewrite_docs(), DedupConfig()

    def side(name: str, places: frozenset[tuple[str, str]]) -> tuple[str, Evidence]:
        doc = docs[name]
        rewrite = RewriteTerms.of(None, doc.text_normalized).pack()
        entities = {key for key in doc.entity_keys if key[0] != "LOC"} | places
        return name, Evidence.of(text_shingles32(doc.text_normalized), None, entities=entities, rewrite=rewrite)

    places = frozenset({("LOC", "الطفيله"), ("LOC", "الاردن")})
    [plain] = verify_candidate(side("ra", frozenset()), side("rb", places), REWRITE, config)
    [placed] = verify_candidate(side("ra", places), side("rb", places), REWRITE, config)
    assert placed.score == pytest.approx(plain.score + 0.1)
    assert side("ra", places)[1].place_hashes.size == 2 and side("ra", places)[1].actor_hashes.size == len(
        [key for key in docs["ra"].entity_keys if key[0] != "LOC"]
    )


def test_story_components_join_rewrites_by_average_link_over_copies() -> None:
    # a1 and a2 are copies (one text); b rewrites them; c resembles b only
    edges = [("a1", "a2", EXACT)]
    links = [RewriteLink("a1", "b", 0.85), RewriteLink("a2", "b", 0.9), RewriteLink("b", "c", 0.6), RewriteLink("a1", "c", 0.1)]
    comp, joined = story_components(edges, links, 0.55)
    assert comp == {"a1": "a1", "a2": "a1", "b": "a1"}  # c: mean with {a1, a2, b} is (0.1 + 0 + 0.6) / 3 < 0.55
    assert joined == [("a1", "b", STORY), ("a2", "b", STORY)]
    # x1 and x2 share passages (a story edge); y resembles x1 only: the group's mean keeps y out
    comp, _ = story_components([("x1", "x2", STORY)], [RewriteLink("x1", "y", 0.9)], 0.55)
    assert comp == {"x1": "x1", "x2": "x1"}
    comp, joined = story_components([], [RewriteLink("x", "y", 0.4)], 0.55)
    assert comp == {} and joined == []  # below the threshold: two lone articles, no component


@pytest.mark.parametrize("shards", [1, 4])
def test_group_stories_joins_rewrites_and_keeps_other_occasions_apart(shards: int) -> None:
    docs = _rewrite_docs()
    names = {doc.article_id: name for name, doc in docs.items()}
    with TestPipeline() as p:
        out = {"documents": p | "Docs" >> beam.Create(list(docs.values()))} | GroupStories(DedupConfig(index_shards=shards))
        stories = out["stories"] | beam.Map(lambda r: sorted(names[a] for a in r["article_ids"]))
        assert_that(stories, equal_to([["ra", "rb"], ["oc"], ["un"]]))
