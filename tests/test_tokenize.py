"""The fast tokenizer must give exactly camel-tools' simple_word_tokenize output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from khabar.transforms.text import tokenclasses
from khabar.transforms.text.normalize import normalize_text
from khabar.transforms.text.tokenize import compute_classes, count_words, simple_word_tokenize, word_tokenize

from tests.conftest import sample_texts


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
        "regenerate with: python -m khabar.transforms.text.tokenize"
    )


def test_word_count_excludes_punctuation() -> None:
    assert count_words("قال الأسد، «نعم».") == 3


def _words_by_token(text: str) -> int:
    return sum(1 for token in simple_word_tokenize(text) if any(c.isalnum() for c in token))


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(max_size=120),
        st.lists(
            st.sampled_from(["الأسد", "،", " ", "\n", "2018", "«", ".", "_", "\u0651", "ـ", "\u064b\u0650", "٣", "x", "😀", "\u200c"]),
            max_size=60,
        ).map("".join),
    )
)
def test_word_count_is_the_count_of_tokens_holding_a_letter_or_digit(text: str) -> None:
    assert count_words(text) == _words_by_token(text)


@pytest.mark.parametrize("name", sorted(sample_texts()))
def test_word_count_on_the_samples(name: str) -> None:
    text = sample_texts()[name]
    assert count_words(text) == _words_by_token(text) > 100


def test_a_pipeline_run_never_builds_camel_tools_charsets(tmp_path: Path) -> None:
    # camel_tools.utils.charsets walks all of Unicode on import: 0.8 s at the
    # start of the runner and of every worker. A whole run on the samples in
    # one process (the in-process runner executes every stage there) must not import it.
    root = Path(__file__).parent.parent
    code = (
        "import sys\n"
        "from khabar.pipelines.cli import exit_now, main\n"
        f"assert main(['run', '--input', {str(root / 'samples')!r}, '--output', {str(tmp_path / 'out')!r}, '--quiet']) == 0\n"
        "assert 'camel_tools.utils.charsets' not in sys.modules\n"
        # leave as the khabar command does: the interpreter's shutdown can abort in
        # a native thread Beam's runner leaves behind (khabar.pipelines.cli.exit_now)
        "exit_now(0)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)
