"""The fast tokenizer must give exactly camel-tools' simple_word_tokenize output."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import sample_texts
from transforms import tokenclasses
from transforms.normalize import normalize_text
from transforms.tokenize import compute_classes, count_words, simple_word_tokenize, word_tokenize


@pytest.mark.parametrize("name", sorted(sample_texts()))
def test_identical_on_the_samples_raw_and_normalized(name: str) -> None:
    text = sample_texts()[name]
    assert word_tokenize(text) == simple_word_tokenize(text)
    assert word_tokenize(normalize_text(text)) == simple_word_tokenize(normalize_text(text))


@pytest.mark.parametrize(
    "text",
    ['a,b 5️⃣ #x 🇸🇦 12,5% "قال" (الأسد)… ✌🏽ok ℹx ©️ 5\ufe0f', "👨‍👩‍👧 family", "#️⃣ *️⃣ x", "\x1c\x1dمرحبا\u2028عالم", ""],
)
def test_identical_on_emoji_keycaps_flags_and_odd_whitespace(text: str) -> None:
    assert word_tokenize(text) == simple_word_tokenize(text)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=200))
def test_identical_on_arbitrary_unicode(text: str) -> None:
    assert word_tokenize(text) == simple_word_tokenize(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["الأسد", "،", "قال", " ", "\n", "2018", "“", "”", ".", "😀", "#", "x", "\u0651", "ـ", "🇮🇶"]), max_size=60))
def test_identical_on_news_like_mixtures(parts: list[str]) -> None:
    text = "".join(parts)
    assert word_tokenize(text) == simple_word_tokenize(text)


def test_shipped_character_classes_match_the_installed_packages() -> None:
    classes = compute_classes()
    assert classes == {"PLAIN": tokenclasses.PLAIN, "SAFE": tokenclasses.SAFE, "SPACE": tokenclasses.SPACE}, (
        "regenerate with: python -m transforms.tokenize"
    )


def test_word_count_excludes_punctuation() -> None:
    assert count_words("قال الأسد، «نعم».") == 3
