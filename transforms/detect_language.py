"""Language identification: Arabic script is not Arabic.

Persian and Urdu copies of Arabic stories are common in scraped news. CLD2
(pycld2: its model is compiled into the wheel, nothing is downloaded) is both
the fastest and, on our short Arabic/Persian/Urdu/English news tests, correct
(compared with langid in docs/performance.md). Where CLD2 is unsure (very short texts),
letters that only Persian or Urdu use decide between the Arabic-script languages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import apache_beam as beam
import pycld2
from khabar.transforms.runtime.batching import BatchedDoFn
from khabar.transforms.runtime.records import Document
from khabar.transforms.runtime.timing import TimedDoFn

UNDETERMINED = "und"

# Letters absent from Arabic orthography.
_URDU_ONLY = re.compile(r"[\u0679\u0688\u0691\u06ba\u06be\u06c1\u06d2]")  # ٹ ڈ ڑ ں ھ ہ ے
_PERSIAN_ONLY = re.compile(r"[\u067e\u0686\u0698\u06af\u06a9\u06cc]")  # پ چ ژ گ ک ی
_ARABIC_ONLY = re.compile(r"[\u0629\u0649\u064a\u0643]")  # ة ى ي ك (Persian and Urdu use ه ی ک)
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff]")
_LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class LanguageConfig:
    """arabic_only_stages: skip entities for non-Arabic articles (they are kept and flagged).
    min_chars: below this many letters the script heuristic decides alone."""

    arabic_only_stages: bool = True
    min_chars: int = 40


def _script_guess(text: str) -> str:
    arabic = len(_ARABIC_SCRIPT.findall(text))
    latin = len(_LATIN.findall(text))
    if not arabic and not latin:
        return UNDETERMINED
    if latin > arabic:
        return "en"
    urdu, persian, arabic_only = (len(p.findall(text)) for p in (_URDU_ONLY, _PERSIAN_ONLY, _ARABIC_ONLY))
    if urdu > max(2, arabic_only) and urdu >= persian // 2:
        return "ur"
    if persian > arabic_only:
        return "fa"
    return "ar"


def _enough_letters(sample: str, needed: int, window: int = 2000) -> bool:
    """At least `needed` letters among the first `window` characters.

    A short prefix settles nearly every article: str.isalpha over 2,000
    characters took a third of this stage's time.
    """
    return any(sum(map(str.isalpha, sample[:end])) >= needed for end in (min(4 * needed, window), window))


def detect_language(text: str, config: LanguageConfig | None = None) -> str:
    """ISO 639-1 code of the text's main language, or 'und'."""
    config = config or LanguageConfig()
    sample = text[:20000]
    if not _enough_letters(sample, config.min_chars):
        return _script_guess(sample)
    try:
        # isPlainText: the article text is text, not markup; by default CLD2 skips
        # anything between "<" and ">" as a tag.
        reliable, _, details = pycld2.detect(sample.encode("utf-8", "replace").decode("utf-8"), bestEffort=True, isPlainText=True)
    except pycld2.error:
        return _script_guess(sample)
    code = details[0][1]
    if code in ("un", "xxx") or not reliable:
        return _script_guess(sample)
    return code.split("-")[0]


class _DetectLanguageFn(BatchedDoFn, TimedDoFn):
    STAGE = "language"

    def __init__(self, config: LanguageConfig) -> None:
        super().__init__()
        self._config = config

    def process(self, doc: Document) -> Iterator[Document]:
        with self.clock:
            doc.language = detect_language(doc.text, self._config)
        beam.metrics.Metrics.counter("khabar.language", f"language_{doc.language}").inc()
        yield doc


class DetectLanguage(beam.PTransform):
    """Documents -> Documents with language set (ISO 639-1 or 'und')."""

    def __init__(self, config: LanguageConfig | None = None) -> None:
        super().__init__()
        self._config = config or LanguageConfig()

    def expand(self, docs: beam.PCollection) -> beam.PCollection:
        return docs | "Detect" >> beam.ParDo(_DetectLanguageFn(self._config))
