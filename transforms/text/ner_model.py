"""Optional model backend for entities: camel-tools' BERT NER on a local model.

``--ner camel:/path/to/model`` runs ``camel_tools.ner.NERecognizer`` on a
model directory on disk (a fine-tuned BertForTokenClassification with its
vocab.txt, e.g. camel-tools' own ``arabert`` NER model copied from a machine
that could download it). Nothing is fetched: the directory must be complete.

The model labels the same tokens the rules use, sentence by sentence; its
PERS/LOC/ORG spans come first and the gazetteer and rules fill the gaps (a
rule mention overlapping a model span is dropped). MISC is not an entity type
of khabar's and is ignored. Canonical names follow the rules' resolution: a
model span that the gazetteer knows takes the gazetteer's canonical name.

Needs the extra ``khabar[camel-ner]`` (torch and transformers); the default
``rules`` backend needs neither.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from khabar.transforms.text.gazetteer import Word

MODEL_PREFIX = "camel:"
# camel-tools' BIO labels -> khabar's entity types (MISC is not one)
LABEL_TYPES = {"PERS": "PER", "LOC": "LOC", "ORG": "ORG"}
SENTENCE_END = ".!?؟\n;؛"


class ModelError(ValueError):
    """The model backend cannot run: bad spec, missing directory or packages."""


TAGGER, TAGGER_PREFIX = "tagger", "tagger:"


def tagger_model(spec: str) -> str | None:
    """The entity tagger's model file of a ``--ner`` value (transforms/text/tagger.py): "" for
    the shipped model ("tagger"), the path of "tagger:/path/to/model.tsv", None for the other backends."""
    if spec == TAGGER:
        return ""
    if spec.startswith(TAGGER_PREFIX) and spec[len(TAGGER_PREFIX) :]:
        return spec[len(TAGGER_PREFIX) :]
    return None


def model_path(spec: str) -> str | None:
    """The model directory of a ``--ner`` value, None for the rules and tagger backends."""
    if spec == "rules" or tagger_model(spec) is not None:
        return None
    if not spec.startswith(MODEL_PREFIX) or not spec[len(MODEL_PREFIX) :]:
        raise ModelError(f"--ner must be 'tagger', 'rules', 'tagger:/path/to/model.tsv' or 'camel:/path/to/model', not {spec!r}")
    return spec[len(MODEL_PREFIX) :]


def check_model(spec: str) -> None:
    """Fail before the pipeline starts when the backend cannot load (workers would fail per bundle)."""
    tagger = tagger_model(spec)
    if tagger and not Path(tagger).is_file():
        raise ModelError(f"{tagger}: no such tagger model file")
    path = model_path(spec)
    if path is None:
        return
    directory = Path(path)
    missing = [name for name in ("config.json", "vocab.txt") if not (directory / name).is_file()]
    if missing:
        raise ModelError(f"{path}: not a camel-tools NER model directory (missing {', '.join(missing)})")
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as error:
        raise ModelError(f"--ner {spec} needs torch and transformers: pip install 'khabar[camel-ner]' ({error})") from None


def _import_recognizer() -> Any:
    """camel_tools.ner.NERecognizer, importable offline.

    Importing camel_tools.ner loads camel-tools' data catalogue and downloads
    it when it is missing; a model loaded from a path needs no catalogue, so
    without one camel-tools is pointed at an empty catalogue for the import.
    """
    data = Path(os.environ.get("CAMELTOOLS_DATA") or Path.home() / ".camel_tools").expanduser()
    if (data / "catalogue.json").is_file():
        from camel_tools.ner import NERecognizer

        return NERecognizer
    previous = os.environ.get("CAMELTOOLS_DATA")
    # the catalogue is read during the import only
    with tempfile.TemporaryDirectory(prefix="khabar-camel-") as empty:
        (Path(empty) / "catalogue.json").write_text(json.dumps({"version": "0", "packages": {}, "components": {}}))
        os.environ["CAMELTOOLS_DATA"] = empty
        try:
            from camel_tools.ner import NERecognizer
        finally:
            if previous is None:
                del os.environ["CAMELTOOLS_DATA"]
            else:
                os.environ["CAMELTOOLS_DATA"] = previous
    return NERecognizer


def sentences(text: str, starts: Sequence[int], ends: Sequence[int]) -> list[list[int]]:
    """Indices of the words at starts[i]:ends[i] grouped into sentences (split where the gap holds sentence-ending punctuation)."""
    out: list[list[int]] = []
    current: list[int] = []
    for i in range(len(starts)):
        current.append(i)
        gap = text[ends[i] : starts[i + 1]] if i + 1 < len(starts) else ""
        if any(c in SENTENCE_END for c in gap):
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def spans(labels: Sequence[str]) -> list[tuple[int, int, str]]:
    """(first, last, type) word spans of BIO labels; an I- without its B- starts a span (as conlleval does)."""
    out: list[tuple[int, int, str]] = []
    current: list[Any] | None = None
    for i, label in enumerate(labels):
        prefix, _, kind = label.partition("-")
        kind = LABEL_TYPES.get(kind, "")
        if kind and prefix == "I" and current is not None and current[2] == kind and current[1] == i - 1:
            current[1] = i
            continue
        if current is not None:
            out.append((current[0], current[1], current[2]))
            current = None
        if kind and prefix in ("B", "I"):
            current = [i, i, kind]
    if current is not None:
        out.append((current[0], current[1], current[2]))
    return out


class CamelModel:
    """camel-tools NER on a local model; build once per worker (loading takes seconds)."""

    def __init__(self, path: str, batch_size: int = 32) -> None:
        recognizer = _import_recognizer()
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # one bar per worker on stderr otherwise
        self._recognizer = recognizer(path, use_gpu=False)
        self._batch_size = batch_size

    def label(self, text: str, tokens: Sequence[Word], starts: Sequence[int], ends: Sequence[int]) -> list[tuple[int, int, str]]:
        """(first token, last token, type) of every entity the model finds in one article."""
        groups = sentences(text, starts, ends)
        if not groups:
            return []
        words = [[tokens[i].raw for i in group] for group in groups]
        predicted = self._recognizer.predict(words, batch_size=self._batch_size)
        out = []
        for group, labels in zip(groups, predicted, strict=True):
            # camel drops words its tokenizer turns into no word piece; such a
            # sentence cannot be aligned and is left to the rules
            if len(labels) != len(group):
                continue
            out.extend((group[first], group[last], kind) for first, last, kind in spans(labels))
        return out
