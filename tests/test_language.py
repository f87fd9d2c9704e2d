"""Language identification: Arabic script is not Arabic."""

from __future__ import annotations

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from hypothesis import given
from hypothesis import strategies as st
from khabar.transforms.detect_language import DetectLanguage, _enough_letters, detect_language
from khabar.transforms.runtime.records import Document

from tests.conftest import sample_texts

PERSIAN = (
    "وزیر کشور عراق امروز از امضای تفاهم‌نامه همکاری امنیتی مشترک با سوریه خبر داد. "
    "او گفت این توافق شامل مبارزه با قاچاق مواد مخدر و کنترل مرزهای دو کشور است."
)
URDU = (
    "عراقی وزیر داخلہ نے آج شام کے ساتھ مشترکہ سیکیورٹی تعاون کی یادداشت پر دستخط کا اعلان کیا۔ "
    "انہوں نے کہا کہ اس معاہدے میں منشیات کی اسمگلنگ اور سرحدوں کی نگرانی شامل ہے۔"
)
ENGLISH = "The Iraqi interior minister announced on Sunday the signing of a security memorandum with Syria in Baghdad."


@pytest.mark.parametrize("name", sorted(sample_texts()))
def test_every_sample_is_arabic(name: str) -> None:
    assert detect_language(sample_texts()[name]) == "ar"


@pytest.mark.parametrize(("text", "code"), [(PERSIAN, "fa"), (URDU, "ur"), (ENGLISH, "en")])
def test_persian_urdu_and_english_news(text: str, code: str) -> None:
    assert detect_language(text) == code


def test_angle_brackets_are_text_not_markup() -> None:
    # An English text in angle brackets before one Arabic sentence: read as
    # HTML, CLD2 would skip the bracketed part as a tag and answer Arabic.
    text = "<" + " ".join([ENGLISH] * 3) + "> " + "قال وزير الخارجية إن المحادثات ستستأنف الأسبوع المقبل في العاصمة."
    assert detect_language(text) == "en"


@pytest.mark.parametrize(
    ("text", "code"),
    [("وزیر کشور گفت", "fa"), ("وزير الداخلية قال", "ar"), ("وزیر داخلہ نے کہا ہے", "ur"), ("", "und"), ("12345", "und")],
)
def test_short_texts_fall_back_to_letter_evidence(text: str, code: str) -> None:
    assert detect_language(text) == code


def test_detect_language_transform() -> None:
    docs = [
        Document(source_uri=f"u{i}", record_key="", content="", content_type="text", size_bytes=0, digest="", text=t)
        for i, t in enumerate([PERSIAN, ENGLISH])
    ]
    with TestPipeline() as p:
        out = p | beam.Create(docs) | DetectLanguage()
        assert_that(out | beam.Map(lambda d: d.language), equal_to(["fa", "en"]))


@given(st.text(alphabet=st.sampled_from("ab ج،.1 \n"), max_size=2600), st.integers(0, 2100))
def test_enough_letters_counts_the_first_2000_characters(text: str, needed: int) -> None:
    assert _enough_letters(text, needed) == (sum(map(str.isalpha, text[:2000])) >= needed)
