-- DuckDB views over a khabar output directory.
-- Usage (duckdb CLI or Python):
--   SET VARIABLE khabar_root = '/path/to/out';   -- or s3://bucket/khabar with httpfs
--   .read sql/views.sql
-- Every table shows exactly the files that committed runs list in their records
-- (_commits/<run_id>.json, written once all of a run's Iceberg commits are done): a run is
-- here entirely or not at all, and a file a dead run left behind is never read. Spark, Trino
-- and Flink read the same tables through the Iceberg catalog (README, "Table format").

-- commit_records: one row per record; files lists the paths (relative to the root) it made
-- visible, removed the paths it took out (a replace). Records written before records listed
-- files have files = NULL (legacy_runs).
CREATE OR REPLACE VIEW commit_records AS
SELECT run_id, files, removed
FROM read_json(getvariable('khabar_root') || '/_commits/*.json', union_by_name = true,
               columns = {run_id: 'VARCHAR', files: 'VARCHAR[]', removed: 'VARCHAR[]'}, filename = true)
WHERE NOT filename LIKE '%.plan.json';

CREATE OR REPLACE VIEW committed_runs AS SELECT DISTINCT run_id FROM commit_records;
CREATE OR REPLACE VIEW committed_paths AS
SELECT getvariable('khabar_root') || '/' || unnest(files) AS path FROM commit_records WHERE files IS NOT NULL;
CREATE OR REPLACE VIEW legacy_runs AS SELECT run_id FROM commit_records WHERE files IS NULL;
-- removed_paths: files a --write-replace run dropped from the tables (rewritten without the replaced rows).
CREATE OR REPLACE VIEW removed_paths AS
SELECT getvariable('khabar_root') || '/' || unnest(removed) AS path FROM commit_records WHERE removed IS NOT NULL;

-- committed_table(name): every committed row of one table. Columns are matched by name (with
-- the table's schema file, so files written before a column was added read it as null).
CREATE OR REPLACE MACRO committed_table(name) AS TABLE
SELECT * EXCLUDE (filename)
FROM read_parquet(getvariable('khabar_root') || '/' || name || '/**/*.parquet', hive_partitioning = true, union_by_name = true, filename = true)
WHERE (filename IN (SELECT path FROM committed_paths) OR run_id IN (SELECT run_id FROM legacy_runs))
  AND filename NOT IN (SELECT path FROM removed_paths);

-- files_history: the manifest, every version of every input file ingested and by which run.
CREATE OR REPLACE VIEW files_history AS SELECT * FROM committed_table('files');
-- files: each input file's current version (the last one ingested).
CREATE OR REPLACE VIEW files AS
SELECT * FROM files_history
QUALIFY row_number() OVER (PARTITION BY uri ORDER BY ingested_at DESC, run_id DESC) = 1;
-- articles: the articles of each file's current version. All rows of one file version come
-- from one run, so an article whose file has a current version from another run is superseded.
CREATE OR REPLACE VIEW articles AS
SELECT a.* FROM committed_table('articles') a
WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.uri = split_part(a.source_uri, '#', 1) AND f.run_id <> a.run_id);
CREATE OR REPLACE VIEW entities AS
SELECT e.* FROM committed_table('entities') e SEMI JOIN articles a USING (article_id);
-- stories_history: a story gets a row in every run that adds articles to it.
CREATE OR REPLACE VIEW stories_history AS SELECT * FROM committed_table('stories');
-- stories: each story's current state: its latest row, with its members (article_ids, size)
-- counted from the current articles, so the articles of runs that committed at the same time
-- (each writing a row for the story) all count, and a superseded version does not.
CREATE OR REPLACE VIEW stories AS
WITH latest AS (
    SELECT * FROM stories_history
    QUALIFY row_number() OVER (PARTITION BY story_id ORDER BY ingested_at DESC, run_id DESC, size DESC) = 1
), members AS (
    SELECT story_id, list(article_id ORDER BY article_id) AS article_ids, CAST(count(*) AS INTEGER) AS size
    FROM articles GROUP BY story_id
)
SELECT l.* REPLACE (m.article_ids AS article_ids, m.size AS size) FROM latest l JOIN members m USING (story_id);
CREATE OR REPLACE VIEW rejects AS SELECT * FROM committed_table('rejects');

-- canonical_articles: one row per story, its representative article (what to count as "news items").
CREATE OR REPLACE VIEW canonical_articles AS
SELECT a.story_id, a.article_id, a.title, a.source_name, a.published_at, a.language, a.word_count, s.size AS story_size
FROM articles a JOIN stories s USING (story_id)
WHERE a.is_canonical;

-- entity_mentions: every mention with its article's title, outlet and dates (for filters and drill-down);
-- field says whether start/end point into the title or the text ('text' for rows older than the column).
CREATE OR REPLACE VIEW entity_mentions AS
SELECT e.entity_id, e.canonical, e.type, e.text AS surface, coalesce(e.field, 'text') AS field, e.start, e."end", e.method, e.confidence,
       a.article_id, a.story_id, a.title, a.source_name, a.published_at,
       coalesce(CAST(a.published_at AS DATE), a.ingest_date) AS day
FROM entities e JOIN articles a USING (article_id);

-- top_entities_per_day: distinct stories mentioning each entity per day (stories, not copies).
CREATE OR REPLACE VIEW top_entities_per_day AS
SELECT day, type, entity_id, any_value(canonical) AS canonical, count(DISTINCT story_id) AS stories, count(*) AS mentions
FROM entity_mentions
GROUP BY day, type, entity_id;

-- story_outlets: each story with its size and the outlets that carried it.
CREATE OR REPLACE VIEW story_outlets AS
SELECT s.story_id, s.title, s.size, s.first_published_at,
       list_distinct(list(a.source_name) FILTER (WHERE a.source_name IS NOT NULL)) AS outlets,
       count(DISTINCT a.source_name) AS outlet_count
FROM stories s JOIN articles a USING (story_id)
GROUP BY s.story_id, s.title, s.size, s.first_published_at;

-- entity_cooccurrence: pairs of entities named in the same story, with how many stories.
CREATE OR REPLACE VIEW entity_cooccurrence AS
WITH story_entities AS (
    SELECT DISTINCT story_id, entity_id, canonical, type FROM entity_mentions
)
SELECT a.entity_id AS entity_a, any_value(a.canonical) AS canonical_a, any_value(a.type) AS type_a,
       b.entity_id AS entity_b, any_value(b.canonical) AS canonical_b, any_value(b.type) AS type_b,
       count(*) AS stories
FROM story_entities a JOIN story_entities b ON a.story_id = b.story_id AND a.entity_id < b.entity_id
GROUP BY a.entity_id, b.entity_id;
