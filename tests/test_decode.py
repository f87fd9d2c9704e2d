"""Bytes to text: BOMs, Arabic code pages, binary and empty input."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from khabar.transforms.inputs.decode import _CONTROLS, _NEWLINES, _SURROGATE, DecodeError, clean_text, decode_bytes, looks_binary

ARABIC = "أجرى سفير نظام الأسد في العراق، صطام جدعان الدندح، مباحثات مع مستشار الأمن القومي العراقي"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1256", "iso8859_6"])
def test_arabic_decodes_exactly_in_every_supported_encoding(encoding: str) -> None:
    data = ARABIC.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):
        data = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[encoding] + data
    assert decode_bytes(data).text == ARABIC


def test_windows_1256_is_detected_without_a_declared_charset() -> None:
    decoded = decode_bytes((ARABIC + "\n" + ARABIC).encode("cp1256"))
    assert decoded.encoding == "cp1256"
    assert decoded.text.startswith("أجرى سفير")


def test_declared_charset_is_honoured_when_it_decodes() -> None:
    assert decode_bytes(ARABIC.encode("cp1256"), declared="windows-1256").text == ARABIC


def test_newlines_are_normalized_and_nuls_stripped() -> None:
    assert decode_bytes("سطر\r\nثان\rثالث\x00".encode()).text == "سطر\nثان\nثالث"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty_file"),
        (b" \n\t ", "empty_file"),
        (bytes(range(256)) * 10, "binary"),
        (b"\x00" * 500, "binary"),
        (b"\x89PNG\r\n\x1a\n" + os.urandom(2000), "binary"),
    ],
)
def test_non_text_is_rejected_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(DecodeError) as info:
        decode_bytes(data)
    assert info.value.reason == reason


def test_utf16_without_bom_is_not_mistaken_for_binary() -> None:
    assert not looks_binary("hello world, plain english text".encode("utf-16-le"))


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab ع\n\r\t\x00\x07\x0b\x0c\x1f\x7f\x85\u2028\u2029\ud800\udfff\ufffd"), max_size=40))
def test_clean_text_fast_path_matches_the_full_cleaning(text: str) -> None:
    full = _CONTROLS.sub("", _NEWLINES.sub("\n", _SURROGATE.sub("\ufffd", text)))
    assert clean_text(text) == full
    assert clean_text(full) == full
