"""The benchmark's scoring and khabar's standalone near level (benchmarks/peer.py)."""

from __future__ import annotations

from benchmarks.peer import khabar_near, score
from benchmarks.run_all import markdown, where_the_time_goes
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


def test_where_the_time_goes_splits_the_in_process_run() -> None:
    plain = {
        "elapsed_s": 40.0,
        "stage_seconds": {"read": 4.0, "boilerplate": 6.0, "normalize": 5.0, "language": 4.0, "entities": 14.0, "minhash": 7.0},
    }
    inprocess = {
        "elapsed_s": 70.0,
        "stage_seconds": {
            "read": 4.0,
            "boilerplate": 6.0,
            "normalize": 5.0,
            "language": 4.0,
            "entities": 15.0,
            "fingerprints": 8.0,
            "write": 3.0,
            "dedup_verify": 2.0,
        },
    }
    split = where_the_time_goes(plain, inprocess)
    assert split["per_article_stages_s"] == 42.0 and split["plain_same_work_s"] == 40.0 and split["per_article_ratio"] == 1.05
    assert split["other_stages_s"] == {"write": 3.0, "dedup_verify": 2.0}
    assert split["beam_and_startup_s"] == 23.0  # 70 - 42 - 5
    assert split["per_article_with_beam_ratio"] == round(65 / 40, 2)
    assert "per_article_chain_s" not in split  # a run without the chain clock
    chained = where_the_time_goes(plain, {**inprocess, "chain_seconds": {"per_article_chain": 50.0, "template_chain": 3.0}})
    assert chained["per_article_chain_s"] == 50.0
    assert chained["per_article_chain_ratio"] == round(50 / 42, 2) and chained["per_article_chain_less_write_ratio"] == round(47 / 42, 2)
    table = markdown(
        [
            {
                "articles": 10,
                "corpus_mb": 1.0,
                "plain": {**plain, "articles_per_s": 1},
                "beam-inprocess": {**inprocess, "articles_per_s": 1},
                "where_the_time_goes": chained,
            }
        ]
    )
    assert "| minhash / fingerprints | 7.0 | 8.0 |" in table and "| Beam itself and start-up | | 23.0 |" in table
    assert f"| 50.0 ({round(47 / 42, 2)}-{round(50 / 42, 2)}x its stages' own work) |" in table
