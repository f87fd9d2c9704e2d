"""Story grouping's configuration and the kinds of links between articles."""

from __future__ import annotations

from dataclasses import dataclass

EXACT, NEAR, STORY = "exact", "near", "story"


KIND_RANK = {EXACT: 0, NEAR: 1, STORY: 2}


@dataclass(frozen=True)
class DedupConfig:
    """Deduplication levels and thresholds.

    near / story: switch a level off (exact is always on).
    shingle_size: words per shingle (5).
    num_perm / bands: MinHash permutations and LSH bands (rows = num_perm // bands);
      with 128 / 16 (8 rows) a pair at Jaccard 0.8 is an LSH candidate with
      probability 1 - (1 - 0.8^8)^16 = 0.95 and one at 0.5 with 0.06. Near
      duplicates also share many rare shingles, so the shingle index finds
      them too (verified by exact Jaccard); LSH is what catches stories copied
      so often that their shingles pass story_max_df.
    near_threshold: estimated Jaccard a near-duplicate pair must reach (0.8).
    max_bucket: LSH buckets or shingle postings larger than this are hot keys
      (boilerplate, quotes everyone repeats) and are skipped.
    story_max_df: a shingle on more documents than this is not rare.
    story_min_shared: rare shingles two articles must share to be compared. A
      passage of story_min_passage words is story_min_passage - shingle_size + 1
      consecutive shingles, so the default 8 drops no pair the score could accept.
    index_shards: hash shards of the candidate index. With one (the default)
      every article sends its evidence to one index, which finds the
      candidate pairs (sharing story_min_shared rare shingles, or an LSH
      bucket) and verifies them there. With more, each article sends one
      array of unique shingles a shard, and its signature to the shards
      holding LSH bands (band b in shard b % index_shards); every pair
      sharing one rare shingle in a shard leaves it to be summed (hundreds of
      elements an article) and meets its articles' evidence in two joins, so
      raise it only when one index no longer fits a worker.
    story_min_passage: words of the longest verbatim passage that alone make
      two articles one story (with a shared entity and compatible dates).
    story_min_score: total score (see textreuse.story_score) to accept a pair.
    story_max_days: published_at gap beyond which two articles are never one story.
    history_days: a run links its articles to those of earlier runs into the
      same --output ingested in the last history_days days (their fingerprints
      table); 0 turns linking to earlier runs off.
    rewrite: find rewrites of one report that share no long passage by their
      weighted terms (transforms/stories/rewrites.py); needs story.
    rewrite_index_terms: an article's heaviest terms in the candidate index.
    rewrite_min_shared: of those, how many two articles must share to be compared.
    rewrite_min_score: the rewrite score groups of articles must reach on
      average to merge (average link; calibrated by benchmarks/story_similarity.py
      on the development set for precision first).
    rewrite_link_floor: a pair scoring less is not kept as a link (it counts 0
      in the averages, like a pair never compared).
    """

    near: bool = True
    story: bool = True
    shingle_size: int = 5
    num_perm: int = 128
    bands: int = 16
    near_threshold: float = 0.8
    max_bucket: int = 200
    story_max_df: int = 25
    story_min_shared: int = 8
    index_shards: int = 1
    story_min_passage: int = 12
    story_min_score: float = 1.0
    story_max_days: float = 4.0
    history_days: float = 30.0
    rewrite: bool = True
    rewrite_index_terms: int = 30
    rewrite_min_shared: int = 3
    rewrite_min_score: float = 0.55
    rewrite_link_floor: float = 0.3
