"""Reading every input format, as pure functions and as the ReadArticles transform."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import apache_beam as beam
import fsspec
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from khabar.transforms.inputs.formats import detect_format
from khabar.transforms.inputs.listing import NoMatchError, check_patterns, expand_pattern
from khabar.transforms.inputs.parsers import ReadConfig, read_file
from khabar.transforms.read_articles import ReadArticles, ReadPagesFn
from khabar.transforms.runtime.records import Document, Reject

from tests.conftest import sample_texts, write_warc


def outcomes(url: str, config: ReadConfig | None = None) -> tuple[list[Document], list[Reject]]:
    results = list(read_file(url, config or ReadConfig()))
    return [r for r in results if isinstance(r, Document)], [r for r in results if isinstance(r, Reject)]


def test_every_format_yields_documents(corpus: dict[str, Path]) -> None:
    expected_records = {"txt": 1, "gz": 1, "bz2": 1, "zst": 1, "html": 1, "jsonl": 2, "warc": 1, "zip": 2, "tar": 1, "cp1256": 1}
    for name, count in expected_records.items():
        docs, rejects = outcomes(str(corpus[name]))
        assert not rejects, (name, rejects)
        assert len(docs) == count, name
        assert all("العراق" in d.content or "الداخلية" in d.content for d in docs), name


def test_compressed_text_equals_the_original(corpus: dict[str, Path]) -> None:
    original = list(sample_texts().values())[1]
    for name in ("gz", "bz2"):
        (doc,), _ = outcomes(str(corpus[name]))
        assert doc.content == original.replace("\r\n", "\n")


def test_jsonl_carries_url_and_published(corpus: dict[str, Path]) -> None:
    docs, _ = outcomes(str(corpus["jsonl"]))
    first, second = sorted(docs, key=lambda d: d.record_key)
    assert first.record_key == "L1" and first.url == "https://example.org/1"
    assert first.published_hint == "2024-05-12T12:52:00+03:00"
    assert second.content_type == "html"


def test_warc_keeps_html_responses_and_rejects_other_content(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    write_warc(
        path,
        [
            ("https://a.example/1", "text/html", "<html><body><p>نص الخبر</p></body></html>"),
            ("https://a.example/logo.png", "image/png", "PNG"),
        ],
    )
    docs, rejects = outcomes(str(path))
    assert [d.url for d in docs] == ["https://a.example/1"]
    assert [r.reason for r in rejects] == ["not_html"]


def test_zip_members_are_records_with_their_path(corpus: dict[str, Path]) -> None:
    docs, _ = outcomes(str(corpus["zip"]))
    assert sorted(d.uri.rsplit("#", 1)[1] for d in docs) == ["news/one.txt", "news/two.txt"]


def test_article_id_is_deterministic_and_depends_on_uri_and_bytes(corpus: dict[str, Path], tmp_path: Path) -> None:
    (a,), _ = outcomes(str(corpus["txt"]))
    (b,), _ = outcomes(str(corpus["txt"]))
    assert a.article_id == b.article_id
    copy = tmp_path / "copy.txt"
    copy.write_bytes(corpus["txt"].read_bytes())
    (c,), _ = outcomes(str(copy))
    assert c.article_id != a.article_id


def test_files_over_the_size_limit_are_rejected_while_streaming(tmp_path: Path) -> None:
    big = tmp_path / "big.txt.gz"
    big.write_bytes(gzip.compress(b"a" * 5_000_000))  # 5 MB decompressed from a few KB
    docs, rejects = outcomes(str(big), ReadConfig(max_bytes=100_000))
    assert not docs and [r.reason for r in rejects] == ["too_large"]


def test_malformed_json_lines_are_rejected_one_by_one(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"text": "نص الخبر الأول"}\n{oops\n[1, 2]\n{"title": "x"}\n', encoding="utf-8")
    docs, rejects = outcomes(str(path))
    assert len(docs) == 1
    assert sorted(r.reason for r in rejects) == ["bad_json", "bad_json", "missing_content"]
    assert {r.source_uri.rsplit("#", 1)[1] for r in rejects} == {"L2", "L3", "L4"}


def test_expand_pattern_directory_glob_and_recursive(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    for name in ("a/1.txt", "a/b/2.txt", "a/b/3.html", "a/_SUCCESS", "a/.hidden.txt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [u.rsplit("/", 1)[1] for u in expand_pattern(str(tmp_path / "a"))] == ["1.txt", "2.txt", "3.html"]
    assert [u.rsplit("/", 1)[1] for u in expand_pattern(str(tmp_path / "a" / "**" / "*.txt"))] == ["1.txt", "2.txt"]
    assert all(u.startswith("file://") for u in expand_pattern(f"file://{tmp_path}/a/*.txt"))


def test_a_pattern_matching_nothing_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NoMatchError, match="nothing-here"):
        check_patterns([str(tmp_path / "nothing-here" / "*.txt")])


def test_detect_format_by_name_and_by_content() -> None:
    assert detect_format("a.warc.gz") == "warc"
    assert detect_format("page", b"<!DOCTYPE html><html>") == "html"
    assert detect_format("noext", "نص".encode()) == "text"


@pytest.mark.parametrize("kind", ["txt", "gz", "jsonl", "warc", "zip", "tar", "html"])
def test_read_articles_transform_per_format(corpus: dict[str, Path], kind: str) -> None:
    (url,) = expand_pattern(str(corpus[kind]))
    expected = [d.uri for d in outcomes(url)[0]]
    with TestPipeline() as p:
        out = p | ReadArticles([str(corpus[kind])])
        assert_that(out["documents"] | beam.Map(lambda d: d.uri), equal_to(expected), label="Documents")
        assert_that(out["rejects"], equal_to([]), label="NoRejects")


def test_read_articles_through_a_chained_zip_url(corpus: dict[str, Path]) -> None:
    url = f"zip://news/*.txt::file://{corpus['zip']}"
    with TestPipeline() as p:
        out = p | ReadArticles([url])
        assert_that(out["documents"] | beam.Map(lambda d: d.content[:11]), equal_to([t[:11] for t in list(sample_texts().values())[:2]]))


def test_read_articles_from_memory_filesystem() -> None:
    fs = fsspec.filesystem("memory")
    fs.pipe("/khabar-test/one.txt", "خبر أول".encode())
    fs.pipe("/khabar-test/two.jsonl", (json.dumps({"text": "خبر ثان"}) + "\n").encode())
    with TestPipeline() as p:
        out = p | ReadArticles(["memory://khabar-test/*"])
        assert_that(out["documents"] | beam.Map(lambda d: d.content), equal_to(["خبر أول", "خبر ثان"]))


def test_the_template_pass_reads_documents_only(corpus: dict[str, Path], tmp_path: Path) -> None:
    # what ReadArticles rejects or lists in the manifest, the first pass leaves to it: no duplicates
    (binary := tmp_path / "blob.bin").write_bytes(bytes(range(256)) * 8)
    urls = [*expand_pattern(str(corpus["jsonl"])), *expand_pattern(str(binary)), f"file://{tmp_path}/vanished.txt"]
    expected = [d.uri for d in outcomes(urls[0])[0]]
    with TestPipeline() as p:
        pages = p | beam.Create(urls) | beam.ParDo(ReadPagesFn(ReadConfig()))
        assert_that(pages | beam.Map(lambda d: (type(d).__name__, d.uri)), equal_to([("Document", uri) for uri in expected]))


def test_files_named_by_two_patterns_are_read_once(corpus: dict[str, Path]) -> None:
    with TestPipeline() as p:
        out = p | ReadArticles([str(corpus["txt"]), str(corpus["txt"].parent / "*.txt")])
        assert_that(out["documents"] | beam.Map(lambda d: d.uri).with_output_types(str) | beam.combiners.Count.Globally(), equal_to([2]))


@pytest.mark.parametrize("kind", ["txt", "gz", "bz2", "zst", "html", "jsonl", "warc", "zip", "tar"])
def test_the_manifest_hash_comes_from_the_read_itself_and_equals_the_files_sha256(corpus: dict[str, Path], kind: str) -> None:
    from khabar.transforms.inputs.fileinfo import sha256_file

    digests: list[str] = []
    outcomes = list(read_file(str(corpus[kind]), ReadConfig(), digests))
    assert outcomes
    assert digests == [sha256_file(str(corpus[kind]))]


def test_a_read_that_stops_early_leaves_the_hash_to_the_manifest(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(("كلمة " * 50_000).encode("utf-8"))
    digests: list[str] = []
    (reject,) = list(read_file(str(big), ReadConfig(max_bytes=1000), digests))
    assert isinstance(reject, Reject) and reject.reason == "too_large" and digests == []
