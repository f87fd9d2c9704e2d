"""The benchmark's scoring and khabar's standalone near level (benchmarks/peer.py)."""

from __future__ import annotations

from benchmarks.peer import khabar_near, score
from tests.conftest import sample_texts

TRUTH = {
    "a": {"story": "s1", "kind": "original"},
    "a-exact": {"story": "s1", "kind": "exact"},
    "a-near": {"story": "s1", "kind": "near"},
    "b": {"story": "s2", "kind": "original"},
    "b-story": {"story": "s2", "kind": "story"},
    "c": {"story": "s3", "kind": "original"},
}


def test_score_counts_planted_copy_pairs_and_same_cluster_pairs() -> None:
    clusters = {"a": "x", "a-exact": "x", "a-near": "y", "b": "z", "c": "z"}
    report = score(clusters, TRUTH, TRUTH)
    # planted: (a-exact, a) found, (a-near, a) missed; story rewrites are not near copies
    assert report["planted_pairs"] == 2 and report["recall"] == 0.5
    # same-cluster pairs: (a, a-exact) right, (b, c) wrong
    assert report["predicted_pairs"] == 2 and report["precision"] == 0.5
    assert score({}, TRUTH, TRUTH) == {"planted_pairs": 2, "recall": 0.0, "predicted_pairs": 0, "precision": 1.0}


def test_khabar_near_level_groups_exact_and_near_copies_only() -> None:
    texts = sorted(sample_texts().values(), key=len)
    original, other = texts[-1], texts[-2]
    words = original.split()
    near = " ".join([*words[:50], "تعديل", *words[51:]])  # one word changed in a long article
    records = [("a", original), ("a-exact", original), ("a-near", near), ("b", other)]
    clusters = khabar_near(records)["clusters"]
    assert clusters["a"] == clusters["a-exact"] == clusters["a-near"]
    assert clusters.get("b", "b") != clusters["a"]
    # the same near copy is not one at a verification threshold it cannot reach
    assert khabar_near(records[:1] + records[2:], near_threshold=1.0)["clusters"].get("a-near") is None
