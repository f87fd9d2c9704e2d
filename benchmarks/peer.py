"""khabar's near-duplicate level next to datatrove's MinHash deduplication.

Both get the same input: the article bodies khabar extracted from the corpus
(the `articles` table of a benchmark run), so the comparison is of the
deduplication alone, not of boilerplate removal. Both are scored on the
corpus's planted exact and near copies:

- recall: share of planted (copy, original) pairs of kind exact or near that
  end up in one cluster;
- precision: share of same-cluster pairs that are truly copies of one story.

khabar's side is its near level as a plain function (normalize, 5-word
shingles, 128-permutation MinHash, 16 LSH bands, estimated Jaccard >= 0.8
as shipped and >= 0.6, exact copies by hash) in one process; the pipeline
groups what this level misses with its story level (see the main table); datatrove's runs its four stages in
its own venv with the local executor over 2 workers (benchmarks/peer_datatrove.py).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds

ROOT = Path(__file__).resolve().parent.parent
DATATROVE_PYTHON = ROOT / ".venv-datatrove" / "bin" / "python"


def export_bodies(output: Path, target: Path, files: int = 8) -> list[tuple[str, str]]:
    """(url, body) of every article of a khabar output, also written as JSONL {"id", "text"} files."""
    rows = ds.dataset(output / "articles", format="parquet", partitioning="hive").to_table(columns=["url", "text"]).to_pylist()
    records = sorted((r["url"], r["text"]) for r in rows)
    target.mkdir(parents=True, exist_ok=True)
    handles = [(target / f"part-{i:02d}.jsonl").open("w", encoding="utf-8") for i in range(files)]
    for n, (url, text) in enumerate(records):
        handles[n % files].write(json.dumps({"id": url, "text": text}, ensure_ascii=False) + "\n")
    for handle in handles:
        handle.close()
    return records


def khabar_near(records: list[tuple[str, str]], near_threshold: float | None = None) -> dict[str, Any]:
    """khabar's exact and near levels on (id, text) records, timed; clusters keyed by id."""
    from khabar.transforms.stories.clusters import components
    from khabar.transforms.stories.config import DedupConfig
    from khabar.transforms.stories.pairs import bucket_edges
    from khabar.transforms.text.minhash import MinHasher, band_keys, compact, text_shingles32
    from khabar.transforms.text.normalize import normalize_text

    config = DedupConfig() if near_threshold is None else DedupConfig(near_threshold=near_threshold)
    hasher = MinHasher(config.num_perm)
    start = time.perf_counter()
    by_hash: dict[str, list[str]] = defaultdict(list)
    buckets: dict[tuple[int, bytes], list[tuple[str, bytes]]] = defaultdict(list)
    for url, text in records:
        normalized = normalize_text(text)
        by_hash[hashlib.sha256(normalized.encode()).hexdigest()].append(url)
        signature = hasher.signature(text_shingles32(normalized, config.shingle_size))
        small = compact(signature)
        for key in band_keys(signature, config.bands):
            buckets[key].append((url, small))
    edges = [(ids[0], other, "exact") for ids in map(sorted, by_hash.values()) for other in ids[1:]]
    for members in buckets.values():
        edges.extend(bucket_edges(members, config.near_threshold, config.max_bucket))
    clusters = components(edges)
    return {"elapsed_s": round(time.perf_counter() - start, 2), "clusters": clusters}


def run_datatrove(bodies: Path, work: Path, workers: int = 2) -> dict[str, Any]:
    if not DATATROVE_PYTHON.exists():
        return {"skipped": "needs `make datatrove` (.venv-datatrove)"}
    from benchmarks.run_all import PeakMemory

    subprocess.run(["rm", "-rf", str(work)], check=True)
    command = [str(DATATROVE_PYTHON), str(ROOT / "benchmarks" / "peer_datatrove.py"), str(bodies), str(work), "--workers", str(workers)]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    memory = PeakMemory(process.pid)
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - start
    peak = memory.stop()
    if process.returncode != 0:
        return {"error": stderr[-2000:]}
    result = json.loads(stdout)
    return {**result, "wall_s": round(wall, 2), "peak_memory_mb": round(peak / 2**20)}


def score(clusters: dict[str, str], truth: dict[str, dict[str, str]], ids: Iterable[str]) -> dict[str, Any]:
    """Pairwise precision and recall on the planted exact and near copies."""
    ids = [i for i in ids if i in truth]
    cluster_of = {i: clusters.get(i, i) for i in ids}
    originals = {t["story"]: url for url, t in truth.items() if t["kind"] == "original"}
    planted = [(url, originals[t["story"]]) for url, t in truth.items() if t["kind"] in ("exact", "near") and url in cluster_of]
    hits = sum(1 for copy, original in planted if original in cluster_of and cluster_of[copy] == cluster_of[original])
    members: dict[str, list[str]] = defaultdict(list)
    for i, c in cluster_of.items():
        members[c].append(i)
    correct = total = 0
    for group in members.values():
        for a, b in combinations(group, 2):
            total += 1
            correct += truth[a]["story"] == truth[b]["story"]
    return {
        "planted_pairs": len(planted),
        "recall": round(hits / len(planted), 4) if planted else None,
        "predicted_pairs": total,
        "precision": round(correct / total, 4) if total else 1.0,
    }


# khabar's near level as shipped, and at a lower verification threshold: datatrove
# takes every LSH collision (14 bands of 8: about Jaccard 0.72 and up) unverified.
NEAR_VARIANTS = {"khabar_near": None, "khabar_near_0.6": 0.6}


def compare(output: Path, corpus: Path, work: Path) -> dict[str, Any]:
    """Both dedups on the bodies of one khabar output of `corpus`."""
    truth = json.loads((corpus / "_truth.json").read_text())
    bodies = work / "bodies"
    subprocess.run(["rm", "-rf", str(work)], check=True)
    records = export_bodies(output, bodies)
    ids = [url for url, _ in records]
    result: dict[str, Any] = {"articles": len(records)}
    for name, threshold in NEAR_VARIANTS.items():
        ours = khabar_near(records, threshold)
        result[name] = {"elapsed_s": ours["elapsed_s"], "processes": 1, **score(ours["clusters"], truth, ids)}
    peer = run_datatrove(bodies, work / "datatrove")
    if "clusters" in peer:
        clusters = peer.pop("clusters")
        peer = {**peer, "processes": 2, **score(clusters, truth, ids)}
    result["datatrove_minhash"] = peer
    return result
