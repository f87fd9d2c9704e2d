"""The frequency list shared by entity rules and story grouping (transforms/text/word_frequency.py)."""

from __future__ import annotations

import pytest
from khabar.transforms.text.word_frequency import load_frequencies, zipf, zipf_any

wordfreq = pytest.importorskip("wordfreq")


@pytest.mark.parametrize("word", ["في", "الرئيس", "وزير", "بغداد", "المنتخب"])
def test_zipf_is_wordfreqs_for_words_without_folded_letters(word: str) -> None:
    # wordfreq rounds its zipf to two decimals; its buckets are a hundredth apart
    assert zipf(word) == pytest.approx(wordfreq.zipf_frequency(word, "ar"), abs=0.011)


def test_common_words_outrank_rare_ones_and_unseen_words_are_zero() -> None:
    assert zipf("في") > 6.5 > zipf("الحكومه") > 4.0
    assert 0.0 < zipf("تبون") < 3.5
    assert zipf("ققققززز") == 0.0


def test_spellings_fold_to_text_normalizeds_and_keep_the_most_common() -> None:
    # text_normalized writes alef without hamza, yeh for alef maksura, heh for teh marbuta
    assert "أن" not in load_frequencies()
    assert zipf("ان") >= wordfreq.zipf_frequency("أن", "ar") - 0.011
    assert zipf_any("الحكومة") == zipf("الحكومه") > 0.0
    assert zipf_any("مستشفى") == zipf("مستشفي") > 0.0
