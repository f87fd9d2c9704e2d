"""Parquet writing: schema validation, layout, atomic commit, reruns."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import apache_beam as beam
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from khabar.schemas import TABLES, SchemaError, validate_columns, validate_rows
from khabar.transforms.output.parquet_files import CHUNK_ROWS, TEMP_DIR, WriteConfig, arrow_rows, sort_arrow
from khabar.transforms.runtime.records import ColumnBatch
from khabar.transforms.runtime.runinfo import RunInfo
from khabar.transforms.write_tables import WriteTables

RUN = RunInfo(run_id="20240101T000000Z-test0001", started_at=datetime(2024, 1, 1, tzinfo=UTC))


def reject(i: int) -> dict:
    return {"source_uri": f"file:///x/{i}.bin", "stage": "decode", "reason": "binary", "message": "m", "size_bytes": i, **RUN.stamp()}


def write(output: str, rejects: list[dict], config: WriteConfig | None = None, run: RunInfo = RUN) -> None:
    with TestPipeline() as p:
        tables = {name: p | f"Empty{name}" >> beam.Create([]) for name in ("articles", "entities", "stories")}
        tables["rejects"] = p | "Rejects" >> beam.Create(rejects)
        result = tables | WriteTables(output, run, config)
        assert_that(result | beam.Map(lambda stats: stats["rejects"]["rows"]), equal_to([len(rejects)]))


def test_files_really_appear_in_hive_partitions_with_success_last(tmp_path: Path) -> None:
    write(str(tmp_path), [reject(i) for i in range(10)])
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("part-*.parquet"))
    assert "rejects/ingest_date=2024-01-01/part-20240101T000000Z-test0001-00000.parquet" in files
    for table in TABLES:
        marker = json.loads((tmp_path / table / "_SUCCESS").read_text())
        assert marker["run_id"] == RUN.run_id
    assert not (tmp_path / TEMP_DIR).exists()
    table = ds.dataset(tmp_path / "rejects", format="parquet", partitioning="hive").to_table()
    assert table.num_rows == 10
    assert sorted(table.column("size_bytes").to_pylist()) == list(range(10))


def test_empty_tables_still_get_a_file_with_the_schema(tmp_path: Path) -> None:
    write(str(tmp_path), [])
    for table in TABLES:
        (path,) = (tmp_path / table).rglob("*.parquet")  # the schema file, in a partition of its own
        assert pq.read_schema(path).names == TABLES[table].names
        assert pq.read_metadata(path).num_rows == 0
    assert ds.dataset(tmp_path / "entities", format="parquet", partitioning="hive").to_table().num_rows == 0


def test_large_tables_are_cut_into_files_numbered_from_zero(tmp_path: Path) -> None:
    rows = [reject(i) for i in range(50)]
    write(str(tmp_path), rows, WriteConfig(target_file_rows=10))
    files = sorted((tmp_path / "rejects").rglob("part-*.parquet"))
    assert [f.name for f in files] == [f"part-{RUN.run_id}-{i:05d}.parquet" for i in range(len(files))]
    assert len(files) >= 5
    assert all(pq.read_metadata(f).num_rows <= 10 for f in files)
    assert sorted(r for f in files for r in pq.read_table(f).column("size_bytes").to_pylist()) == list(range(50))
    success = json.loads((tmp_path / "rejects" / "_SUCCESS").read_text())
    assert (success["files"], success["rows"]) == (len(files), 50)


def test_files_are_cut_by_size_too(tmp_path: Path) -> None:
    rows = [{**reject(i), "message": "m" * 1000} for i in range(20)]
    write(str(tmp_path), rows, WriteConfig(target_file_bytes=5_000))
    files = list((tmp_path / "rejects").rglob("part-*.parquet"))
    assert len(files) >= 7  # a row is about 2 KB by row_size: two or three a file
    assert sum(pq.read_metadata(f).num_rows for f in files) == 20


def test_rows_past_a_chunk_are_written_whole_and_in_key_order(tmp_path: Path) -> None:
    # more rows than a writer keeps as dicts (CHUNK_ROWS), cut into files of 2,000
    count = 2 * CHUNK_ROWS + 500
    rows = [{**reject(i), "source_uri": f"file:///x/{count - i:05d}.bin"} for i in range(count)]
    write(str(tmp_path), rows, WriteConfig(target_file_rows=2_000))
    files = sorted((tmp_path / "rejects").rglob("part-*.parquet"))
    uris = [pq.read_table(f).column("source_uri").to_pylist() for f in files]
    assert sorted(len(u) for u in uris) == [count - 2_000, 2_000]  # files are numbered in the order of their random names
    assert all(u == sorted(u) for u in uris)
    assert sorted(x for u in uris for x in u) == sorted(r["source_uri"] for r in rows)


def test_sort_arrow_orders_by_every_key_of_the_table() -> None:
    rows = [{**reject(1), "stage": stage, "reason": reason} for stage, reason in [("read", "b"), ("decode", "z"), ("read", "a")]]
    rows.append({**reject(0), "source_uri": "file:///a.bin"})
    ordered = sort_arrow("rejects", arrow_rows("rejects", rows, RUN)).to_pylist()
    assert [(r["source_uri"][-5:], r["stage"], r["reason"]) for r in ordered] == [
        ("a.bin", "decode", "binary"),
        ("1.bin", "decode", "z"),
        ("1.bin", "read", "a"),
        ("1.bin", "read", "b"),
    ]


def test_lists_of_rows_are_written_like_the_rows_one_by_one(tmp_path: Path) -> None:
    rows = [reject(i) for i in range(50)]
    config = WriteConfig(target_file_rows=10)
    write(str(tmp_path / "rows"), rows, config)
    # the same rows as lists (entities travel one list an article), mixed with single rows
    batched: list = [rows[0:7], rows[7], rows[8:30], rows[30:50]]
    with TestPipeline() as p:
        tables = {name: p | f"Empty{name}" >> beam.Create([]) for name in ("articles", "entities", "stories")}
        tables["rejects"] = p | "Rejects" >> beam.Create(batched)
        result = tables | WriteTables(str(tmp_path / "lists"), RUN, config)
        assert_that(result | beam.Map(lambda stats: stats["rejects"]["rows"]), equal_to([50]))

    def rows_in(root: Path) -> list:
        files = list((root / "rejects").rglob("part-*.parquet"))
        assert len(files) >= 5
        return sorted((r for f in files for r in pq.read_table(f).to_pylist()), key=lambda r: r["size_bytes"])

    assert rows_in(tmp_path / "lists") == rows_in(tmp_path / "rows")


def test_a_rerun_adds_files_and_never_overwrites(tmp_path: Path) -> None:
    write(str(tmp_path), [reject(1)])
    second = RunInfo(run_id="20240101T010000Z-test0002", started_at=datetime(2024, 1, 1, 1, tzinfo=UTC))
    write(str(tmp_path), [reject(2)], run=second)
    files = sorted(p.name for p in (tmp_path / "rejects").rglob("part-*.parquet"))
    assert files == ["part-20240101T000000Z-test0001-00000.parquet", "part-20240101T010000Z-test0002-00000.parquet"]


def test_rows_are_sorted_in_files_so_reruns_write_identical_content(tmp_path: Path) -> None:
    rows = [reject(i) for i in (5, 3, 9, 1)]
    write(str(tmp_path), rows)
    (path,) = (tmp_path / "rejects").rglob("part-*.parquet")
    assert pq.read_table(path).column("source_uri").to_pylist() == sorted(r["source_uri"] for r in rows)


def test_output_locations_that_cannot_work_are_refused_before_the_run(tmp_path: Path) -> None:
    from khabar.transforms.output.location import OutputError, check_output

    existing = tmp_path / "a-file"
    existing.write_text("x")
    with pytest.raises(OutputError, match="is an existing file"):
        check_output(str(existing), WriteConfig())
    with pytest.raises(OutputError, match="cannot be written"):
        check_output("/proc/khabar-out", WriteConfig())  # not writable, even for root
    with pytest.raises(OutputError, match="shared catalog"):
        check_output("memory://khabar-out", WriteConfig())  # an object store needs a catalog every writer reaches
    check_output(str(tmp_path / "new" / "out"), WriteConfig())  # a new directory is fine
    assert not (tmp_path / "new" / "out").exists()  # the probe leaves nothing behind


def test_the_output_probe_outlasts_another_run_removing_the_new_directory(tmp_path: Path) -> None:
    """Two runs started together on a new output: each removes the directory its probe made, so the other's
    probe finds it gone, in step, attempt after attempt (seen as a refused run, exit code 2, under load)."""
    from fsspec.implementations.local import LocalFileSystem
    from khabar.transforms.output.location import PROBE_ATTEMPTS, _probe

    class OtherRunRemovesIt(LocalFileSystem):
        """A real local file system on which the other run removes the new directory before each of the
        first ``times`` probe writes."""

        def __init__(self, times: int) -> None:
            super().__init__()
            self.times = times

        def open(self, path: str, mode: str = "rb", **kwargs: object) -> object:
            if ".probe-" in str(path) and self.times:
                self.times -= 1
                self.rmdir(str(Path(path).parent))
            return super().open(path, mode, **kwargs)

    out = tmp_path / "new-out"
    _probe(OtherRunRemovesIt(times=PROBE_ATTEMPTS - 1), str(out))
    assert not out.exists()  # nothing left behind
    assert PROBE_ATTEMPTS >= 10  # three attempts in step were not enough under load
    with pytest.raises(FileNotFoundError):
        _probe(OtherRunRemovesIt(times=PROBE_ATTEMPTS), str(out))


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({**reject(1), "unknown_column": 1}, "unknown columns"),
        ({k: v for k, v in reject(1).items() if k != "reason"}, "required column 'reason'"),
        ({**reject(1), "size_bytes": "many"}, "rejects"),
    ],
)
def test_rows_that_do_not_fit_the_schema_fail_loudly(row: dict, message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        validate_rows("rejects", [row])


def entity_columns(n: int, article: str = "a") -> ColumnBatch:
    return ColumnBatch(
        {
            "article_id": [article] * n,
            "entity_id": [f"k{i}" for i in range(n)],
            "text": ["صطام"] * n,
            "canonical": ["سطام جدعان الدندح"] * n,
            "type": ["PER"] * n,
            "field": ["text"] * n,
            "start": list(range(n)),
            "end": [i + 4 for i in range(n)],
            "method": ["rule"] * n,
            "confidence": [0.75] * n,
        },
        n,
    )


def test_column_batches_are_written_like_the_same_rows_as_dicts(tmp_path: Path) -> None:
    batches = [entity_columns(n, f"a{n}") for n in (3, 0, 40, 1)]
    config = WriteConfig(target_file_rows=20)

    def written(name: str, elements: list) -> list[dict]:
        with TestPipeline() as p:
            tables = {t: p | f"Empty{t}" >> beam.Create([]) for t in ("articles", "rejects", "stories")}
            tables["entities"] = p | "Entities" >> beam.Create(elements)
            _ = tables | WriteTables(str(tmp_path / name), RUN, config)
        files = list((tmp_path / name / "entities").rglob("part-*.parquet"))
        return sorted((r for f in files for r in pq.read_table(f).to_pylist()), key=lambda r: (r["article_id"], r["start"]))

    as_columns = written("columns", batches)
    assert as_columns == written("rows", [b.to_rows() for b in batches])
    assert len(as_columns) == 44 and as_columns[0]["run_id"] == RUN.run_id
    # a batch is one article's rows: never split between files (a file may pass target_file_rows by one batch)
    files = list((tmp_path / "columns" / "entities").rglob("part-*.parquet"))
    file_of: dict[str, set[str]] = {}
    for f in files:
        for article in pq.read_table(f).column("article_id").to_pylist():
            file_of.setdefault(article, set()).add(f.name)
    assert len(files) >= 2 and all(len(names) == 1 for names in file_of.values())


def test_validate_columns_fails_like_validate_rows() -> None:
    batch = entity_columns(2)
    stamp = {k: [v] * 2 for k, v in RUN.stamp().items()}
    table = validate_columns("entities", {**batch.columns, **stamp}, 2)
    assert table.schema == TABLES["entities"]
    assert table.to_pylist() == validate_rows("entities", [{**r, **RUN.stamp()} for r in batch.to_rows()]).to_pylist()
    with pytest.raises(SchemaError, match="unknown columns"):
        validate_columns("entities", {**batch.columns, **stamp, "extra": [1, 2]}, 2)
    with pytest.raises(SchemaError, match="other lengths"):
        validate_columns("entities", {**batch.columns, **stamp, "start": [1]}, 2)
    with pytest.raises(SchemaError, match="required column"):
        validate_columns("entities", batch.columns, 2)  # no stamp: required columns missing
    with pytest.raises(SchemaError):
        validate_columns("entities", {**batch.columns, **stamp, "start": ["one", "two"]}, 2)
