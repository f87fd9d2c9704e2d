"""Arabic normalization: every rule, idempotence, and no crash on any Unicode."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.normalize import INVISIBLE, NormalizationConfig, normalize_text, strip_invisible

ARABIC_TEXT = st.text(
    alphabet=st.characters(min_codepoint=0x0600, max_codepoint=0x06FF) | st.sampled_from(" \n\t.،ـ#_0123456789\u200f\u00a0«»“”"),
    max_size=200,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("المخـدرات", "المخدرات"),  # tatweel inside a word
        ("الحـ.ـشد", "الحشد"),  # dot and tatweel breaking a word
        ("داعـ*ـش", "داعش"),
        ("#داعش", "داعش"),
        ("#الحشد_الشعبي", "الحشد الشعبي"),
        ("٢٠١٨ و۲۰۱۸", "2018 و2018"),  # Arabic-Indic and Persian digits
        ("قال، ثم؛ لماذا؟", "قال, ثم; لماذا?"),
        ("«الأسد» و“سانا”", '"الاسد" و"سانا"'),
        ("کتاب یک ۀ", "كتاب يك ه"),  # Persian keheh, yeh, heh with yeh above
        ("مُحَمَّد", "محمد"),  # diacritics (camel-tools dediac_ar)
        ("أحمد إبراهيم آمنة ٱلله", "احمد ابراهيم امنه الله"),  # alef forms and teh marbuta
        ("مستشفى", "مستشفي"),  # alef maksura
        ("سورية", "سوريه"),  # teh marbuta: سورية and سوريه match
        ("ﻻ", "لا"),  # presentation form (NFKC)
        ("كلمة\u00a0\u00a0أخرى", "كلمه اخري"),
        ("  سطر  أول \n\n\n\n سطر ثان  ", "سطر اول\n\nسطر ثان"),
    ],
)
def test_each_rule(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


@pytest.mark.parametrize("char", INVISIBLE)
def test_invisible_and_bidi_controls_are_removed_from_both_columns(char: str) -> None:
    assert strip_invisible(f"الأسد{char}العراق") == "الأسدالعراق"
    assert char not in normalize_text(f"الأسد {char}العراق")


def test_steps_can_be_switched_off() -> None:
    config = NormalizationConfig(teh_marbuta=False, alef=False)
    assert normalize_text("سورية الأسد", config) == "سورية الأسد"


def test_text_column_keeps_original_orthography_except_controls() -> None:
    assert strip_invisible("الأعرجي\u200e صطام") == "الأعرجي صطام"


@settings(max_examples=300, deadline=None)
@given(ARABIC_TEXT)
def test_normalizing_twice_changes_nothing_on_arabic_text(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_unicode_normalizes_without_crashing_and_idempotently(text: str) -> None:
    once = normalize_text(text)
    assert isinstance(once, str)
    assert normalize_text(once) == once
    assert not any(ch in once for ch in INVISIBLE)
