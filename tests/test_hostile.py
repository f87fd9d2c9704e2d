"""Hostile and malformed input: nothing crashes, everything becomes a row or a reject.

Hypothesis fuzzes the reader, the boilerplate stage, normalization and entity
extraction with a bounded budget (it runs in `make test`).
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from khabar.transforms.inputs.parsers import ReadConfig, iter_records, read_file
from khabar.transforms.runtime.records import Document, Reject
from khabar.transforms.runtime.redact import redact_url
from khabar.transforms.text.entity_rules import EntityExtractor
from khabar.transforms.text.html_page import extract_html_page
from khabar.transforms.text.normalize import INVISIBLE, normalize_text
from khabar.transforms.text.page_lines import extract_text_page

from tests.conftest import run_cli, sample_texts

EXTRACTOR = EntityExtractor()
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NEWS_TEXT = st.lists(
    st.sampled_from(
        [*next(iter(sample_texts().values())).split("\n"), "", "+A", "0", "\u200f", "#", "😀", "اقرأ أيضاً: x", "1 تعليق", "\x00", "ـ" * 30]
    ),
    max_size=40,
).map("\n".join)


@FUZZ
@given(st.binary(max_size=3000), st.sampled_from(["a.txt", "a.html", "a.json", "a.jsonl", "a.warc", "a.zip", "a.tar", "noext"]))
def test_reader_turns_any_bytes_into_documents_or_rejects(data: bytes, name: str) -> None:
    for outcome in iter_records(f"file:///fuzz/{name}", name, data, ReadConfig(max_bytes=10_000)):
        assert isinstance(outcome, Document | Reject)


@FUZZ
@given(st.one_of(st.text(max_size=2000), NEWS_TEXT))
def test_boilerplate_and_entities_never_crash_and_offsets_hold(text: str) -> None:
    page = extract_text_page(text)
    body = "\n\n".join(page.body)
    for mention in EXTRACTOR.extract(body):
        assert 0 <= mention.start < mention.end <= len(body)


@FUZZ
@given(st.text(max_size=2000))
def test_html_extraction_never_crashes(text: str) -> None:
    extract_html_page(f"<html><body><p>{text}</p></body></html>", None)


def test_lone_surrogates_from_json_escapes_become_replacement_characters(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text('{"text": "خبر \\ud800 عن العراق", "title": "t\\udfff"}\n', encoding="utf-8")
    (doc,) = list(read_file(str(path), ReadConfig()))
    assert "\ufffd" in doc.content and "\ud800" not in doc.content
    doc.content.encode("utf-8")  # encodable: the Parquet writer accepts it


def test_bidi_controls_never_reach_the_text_columns() -> None:
    text = "قال\u202e الوزير\u200f إن\u2066 العراق\u2069 مستعد\ufeff للحوار."
    assert not set(INVISIBLE) & set(normalize_text(text))


def test_pathological_inputs_are_handled(tmp_path: Path) -> None:
    deep = "<div>" * 20_000 + "نص" + "</div>" * 20_000
    extract_html_page(f"<html><body>{deep}</body></html>", None)
    extract_text_page("سطر\n" * 200_000)  # a million short lines' worth of page work, bounded
    extract_text_page(("كلمة " * 2_000_000).strip())  # one 10 MB line


def test_a_gzip_bomb_is_stopped_while_streaming(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.txt.gz"
    with gzip.open(bomb, "wb") as out:
        for _ in range(200):
            out.write(b"\x20" * 1_000_000)  # 200 MB of spaces, about 200 KB compressed
    (reject,) = list(read_file(str(bomb), ReadConfig(max_bytes=1_000_000)))
    assert isinstance(reject, Reject) and reject.reason == "too_large"


@pytest.mark.parametrize("suffix", [".gz", ".bz2"])
def test_a_bomb_under_the_size_limit_is_stopped_by_its_expansion_ratio(tmp_path: Path, suffix: str) -> None:
    payload = ("خبر " * 1_000_000).encode("utf-8")  # 7 MB that compresses to a few KB
    bomb = tmp_path / f"bomb.txt{suffix}"
    bomb.write_bytes(gzip.compress(payload) if suffix == ".gz" else bz2.compress(payload))
    (reject,) = list(read_file(str(bomb), ReadConfig()))  # 20 MB size limit: only the ratio stops it
    assert isinstance(reject, Reject) and reject.reason == "compression_bomb"
    (document,) = list(read_file(str(bomb), ReadConfig(max_ratio=0)))  # the check can be turned off
    assert isinstance(document, Document)


def test_a_zip_member_bomb_is_rejected_from_its_declared_sizes(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.txt", ("خبر " * 1_000_000).encode("utf-8"))
        zf.writestr("real.txt", next(iter(sample_texts().values())))
    outcomes = list(read_file(str(archive), ReadConfig()))
    assert sorted(type(o).__name__ + ":" + getattr(o, "reason", "") for o in outcomes) == ["Document:", "Reject:compression_bomb"]


def test_ordinary_compressed_news_is_far_below_the_ratio_limit(tmp_path: Path) -> None:
    text = "\n\n".join(sample_texts().values()) * 60  # 1.4 MB of real articles, repeated
    page = tmp_path / "news.txt.gz"
    page.write_bytes(gzip.compress(text.encode("utf-8")))
    (document,) = list(read_file(str(page), ReadConfig()))
    assert isinstance(document, Document)


def test_archive_members_with_traversal_paths_are_only_read_never_written(tmp_path: Path) -> None:
    archive = tmp_path / "evil.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("../../etc/evil.txt", "خبر عن العراق وسوريا في مقالة طويلة بما يكفي.")
        zf.writestr("/abs/path.txt", "خبر آخر عن بغداد ودمشق.")
        inner = io.BytesIO()
        with zipfile.ZipFile(inner, "w") as deeper:
            deeper.writestr("x.zip", b"PK\x05\x06" + b"\x00" * 18)
        zf.writestr("nested.zip", inner.getvalue())
    archive.write_bytes(buffer.getvalue())
    outcomes = list(read_file(str(archive), ReadConfig(max_archive_depth=2)))
    assert {type(o).__name__ for o in outcomes} <= {"Document", "Reject"}
    assert not (tmp_path.parent.parent / "etc" / "evil.txt").exists()
    assert any(isinstance(o, Reject) and o.reason == "archive_too_deep" for o in outcomes)


def test_credentials_are_redacted_everywhere(tmp_path: Path) -> None:
    assert redact_url("s3://AKIAXXX:secret@bucket/a.txt") == "s3://***@bucket/a.txt"
    assert redact_url("https://h/a?X-Amz-Signature=abc&token=t&x=1") == "https://h/a?X-Amz-Signature=***&token=***&x=1"
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(next(iter(sample_texts().values())), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(
        "run", "--input", str(src), "--output", str(out), "--quiet", "--project", "p", "--temp_location", "gs://user:hunter2@bucket/tmp"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    (summary,) = (out / "_runs").glob("*.json")
    assert "hunter2" not in summary.read_text()
    assert "hunter2" not in json.dumps(json.loads(summary.read_text()))
