"""The peer: HuggingFace datatrove's MinHash deduplication, its four stages.

Runs in its own venv (`make datatrove` builds .venv-datatrove; datatrove's
dependencies are not khabar's), called by benchmarks/run_all.py:

    .venv-datatrove/bin/python benchmarks/peer_datatrove.py INPUT_DIR WORK_DIR [--workers 2]

INPUT_DIR holds JSONL files of {"id", "text"}. Prints one JSON object: wall
time per stage and in total, and each document's cluster (documents in no
cluster are their own). datatrove's defaults as its README shows them: 5-gram
shingles, 14 buckets of 8 hashes, Arabic word tokenizer (spaCy's blank "ar",
no model download), the local executor with one task per input file.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input", type=Path)
    parser.add_argument("work", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from datatrove.executor.local import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from datatrove.utils.typeshelper import Languages

    config = MinhashConfig()
    files = sorted(args.input.glob("*.jsonl"))
    tasks = len(files)
    work = args.work

    def reader() -> JsonlReader:
        return JsonlReader(str(args.input), glob_pattern="*.jsonl", text_key="text", id_key="id")

    stages = {
        "signatures": LocalPipelineExecutor(
            pipeline=[reader(), MinhashDedupSignature(str(work / "signatures"), config=config, language=Languages.standard_arabic__arab)],
            tasks=tasks,
            workers=args.workers,
            logging_dir=str(work / "logs" / "signatures"),
        ),
        "buckets": LocalPipelineExecutor(
            pipeline=[MinhashDedupBuckets(str(work / "signatures"), str(work / "buckets"), config=config)],
            tasks=config.num_buckets,
            workers=args.workers,
            logging_dir=str(work / "logs" / "buckets"),
        ),
        "cluster": LocalPipelineExecutor(
            pipeline=[MinhashDedupCluster(str(work / "buckets"), str(work / "remove"), config=config, save_cluster_id=True)],
            tasks=1,
            logging_dir=str(work / "logs" / "cluster"),
        ),
        "filter": LocalPipelineExecutor(
            pipeline=[
                reader(),
                MinhashDedupFilter(str(work / "remove"), exclusion_writer=JsonlWriter(str(work / "removed")), load_cluster_ids=True),
                JsonlWriter(str(work / "kept")),
            ],
            tasks=tasks,
            workers=args.workers,
            logging_dir=str(work / "logs" / "filter"),
        ),
    }
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    for name, executor in stages.items():
        t = time.perf_counter()
        executor.run()
        seconds[name] = round(time.perf_counter() - t, 2)
    elapsed = time.perf_counter() - start

    import gzip

    clusters: dict[str, str] = {}
    for folder in ("kept", "removed"):
        for path in sorted((work / folder).glob("*.jsonl.gz")):
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                for line in handle:
                    doc = json.loads(line)
                    cluster = doc.get("metadata", {}).get("minhash_cluster_id", -1)
                    clusters[doc["id"]] = f"c{cluster}" if cluster != -1 else f"d{doc['id']}"
    json.dump({"elapsed_s": round(elapsed, 2), "stage_seconds": seconds, "clusters": clusters}, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
