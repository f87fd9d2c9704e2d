"""The optional camel-tools model backend (--ner camel:/path).

No trained model can be downloaded here, so the tests build tiny BERT token
classifiers in a temporary directory: one randomly initialised (loading and
the invariants of whatever it predicts), one whose weights are set so that
chosen words get chosen labels (what the backend does with model spans).
The model tests need torch and transformers (`make camel-ner`); .ci/run
installs them and makes these tests mandatory there.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from khabar.transforms.text.entity_rules import EntityConfig, EntityExtractor
from khabar.transforms.text.gazetteer import tokenize
from khabar.transforms.text.ner_model import ModelError, check_model, model_path, sentences, spans

from tests.conftest import SAMPLES, run_cli

LABELS = ["B-LOC", "B-ORG", "B-PERS", "B-MISC", "I-LOC", "I-ORG", "I-PERS", "I-MISC", "O"]
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
# the fixed model's words and the label each gets; every other word is [UNK] -> O
TAGGED = {
    "صطام": "B-PERS",
    "سطام": "B-PERS",
    "جدعان": "I-PERS",
    "الدندح": "I-PERS",
    "بغداد": "B-ORG",  # deliberately wrong: the model's span must still win over the gazetteer's LOC
    "كركوك": "B-LOC",
    "مجهولة": "I-LOC",
    "الهول": "B-ORG",  # inside the longer rule match "مخيم الهول": the model's span still wins
    # "وكركوك" -> "و" "##كركوك": a word's label is its first piece's
    "و": "B-LOC",
    "##كركوك": "O",
}

HAVE_TORCH = importlib.util.find_spec("torch") is not None and importlib.util.find_spec("transformers") is not None
needs_torch = pytest.mark.skipif(
    not HAVE_TORCH and not os.environ.get("KHABAR_REQUIRE_CAMEL_NER"),
    reason="needs torch and transformers (`make camel-ner`; .ci/run installs them)",
)


def _save(model: object, vocab: list[str], directory: Path) -> Path:
    from transformers import BertTokenizer

    directory.mkdir(parents=True, exist_ok=True)
    (directory / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    model.save_pretrained(directory)  # type: ignore[attr-defined]
    BertTokenizer(str(directory / "vocab.txt"), do_lower_case=False).save_pretrained(directory)
    return directory


def _config(vocab: list[str], hidden: int, layers: int) -> object:
    from transformers import BertConfig

    return BertConfig(
        vocab_size=len(vocab),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=1,
        intermediate_size=16,
        max_position_embeddings=256,
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)},
    )


@pytest.fixture(scope="module")
def fixed_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """No encoder layer; a word's embedding is the one-hot vector of its label, the classifier the identity."""
    import torch
    from transformers import BertForTokenClassification

    vocab = SPECIAL + list(TAGGED)
    model = BertForTokenClassification(_config(vocab, hidden=len(LABELS), layers=0))
    with torch.no_grad():
        embeddings = model.bert.embeddings
        for table in (embeddings.word_embeddings, embeddings.position_embeddings, embeddings.token_type_embeddings):
            table.weight.zero_()
        embeddings.word_embeddings.weight[:, LABELS.index("O")] = 1.0
        for word, label in TAGGED.items():
            row = embeddings.word_embeddings.weight[vocab.index(word)]
            row.zero_()
            row[LABELS.index(label)] = 1.0
        embeddings.LayerNorm.weight.fill_(1.0)
        embeddings.LayerNorm.bias.zero_()
        model.classifier.weight.copy_(torch.eye(len(LABELS)))
        model.classifier.bias.zero_()
    return _save(model, vocab, tmp_path_factory.mktemp("fixed-model"))


@pytest.fixture(scope="module")
def random_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch
    from transformers import BertForTokenClassification

    torch.manual_seed(7)
    words = sorted({t.raw for p in SAMPLES.glob("*.txt") for t in tokenize(p.read_text(encoding="utf-8")).words})[:300]
    vocab = SPECIAL + words
    model = BertForTokenClassification(_config(vocab, hidden=32, layers=1))
    return _save(model, vocab, tmp_path_factory.mktemp("random-model"))


# ---------------------------------------------------------------- pure parts (no torch)


def test_bio_labels_become_word_spans() -> None:
    labels = ["O", "B-PERS", "I-PERS", "I-PERS", "O", "B-LOC", "B-LOC", "I-ORG", "I-ORG", "B-MISC", "I-MISC", "I-LOC"]
    assert spans(labels) == [(1, 3, "PER"), (5, 5, "LOC"), (6, 6, "LOC"), (7, 8, "ORG"), (11, 11, "LOC")]
    assert spans(["I-PERS", "B-ORG", "I-PERS"]) == [(0, 0, "PER"), (1, 1, "ORG"), (2, 2, "PER")]
    assert spans([]) == [] and spans(["O", "B-MISC"]) == []


def test_sentences_split_at_sentence_punctuation_only() -> None:
    text = "قال الوزير، في بغداد. ثم غادر!\nوعاد"
    tokens = tokenize(text)
    words = [[tokens.words[i].raw for i in group] for group in sentences(text, tokens.starts, tokens.ends)]
    assert words == [["قال", "الوزير", "في", "بغداد"], ["ثم", "غادر"], ["وعاد"]]
    assert sentences("", [], []) == []


def test_ner_values_are_checked_before_the_run(tmp_path: Path) -> None:
    assert model_path("rules") is None
    assert model_path("camel:/m") == "/m"
    check_model("rules")
    for bad in ("camel:", "bert:/m", "camel"):
        with pytest.raises(ModelError, match="rules"):
            model_path(bad)
    with pytest.raises(ModelError, match=r"missing config\.json, vocab\.txt"):
        check_model(f"camel:{tmp_path}")


def test_cli_refuses_a_model_directory_that_is_not_one(tmp_path: Path) -> None:
    result = run_cli("run", "--input", str(SAMPLES), "--output", str(tmp_path / "out"), "--ner", f"camel:{tmp_path}")
    assert result.returncode == 2
    assert "not a camel-tools NER model directory" in result.stderr
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------- with a model


@needs_torch
def test_model_spans_come_first_and_the_rules_fill_the_gaps(fixed_model: Path) -> None:
    extractor = EntityExtractor(EntityConfig(ner=f"camel:{fixed_model}"))
    text = "التقى سفير النظام في العراق، صطام جدعان الدندح، وزير الخارجية في بغداد. ثم زار كركوك مجهولة ووكالة الأنباء العراقية ونقل إلى مخيم الهول."
    found = {(text[m.start : m.end], m.type, m.method) for m in extractor.extract(text)}
    # the model's spans, whole names and multi-word places
    assert ("صطام جدعان الدندح", "PER", "model") in found
    assert ("كركوك مجهولة", "LOC", "model") in found
    # a model span overlapping a gazetteer match wins (the model says ORG, the gazetteer LOC)
    assert ("بغداد", "ORG", "model") in found
    assert not any(surface == "بغداد" and method != "model" for surface, _, method in found)
    assert ("الهول", "ORG", "model") in found and not any("مخيم" in surface for surface, _, _ in found)
    assert ("مخيم الهول", "LOC") in {(text[m.start : m.end], m.type) for m in EntityExtractor().extract(text)}
    # where the model found nothing, the rules still report
    assert ("العراق", "LOC", "gazetteer") in found
    rules_only = {(text[m.start : m.end], m.type) for m in EntityExtractor().extract(text)}
    assert ("وكالة الأنباء العراقية", "ORG") in rules_only
    assert any(surface == "وكالة الأنباء العراقية" for surface, _, _ in found)


@needs_torch
def test_a_model_span_after_a_clitic_reports_the_name_itself(fixed_model: Path) -> None:
    extractor = EntityExtractor(EntityConfig(ner=f"camel:{fixed_model}"))
    text = "وصل الوفد إلى كركوك ثم وكركوك مرة أخرى"
    mentions = [m for m in extractor.extract(text) if m.method == "model"]
    assert [(text[m.start : m.end], m.type) for m in mentions] == [("كركوك", "LOC"), ("كركوك", "LOC")]
    assert mentions[1].start == text.index("وكركوك") + 1


@needs_torch
def test_a_random_model_loads_and_its_mentions_keep_the_invariants(random_model: Path) -> None:
    extractor = EntityExtractor(EntityConfig(ner=f"camel:{random_model}"))
    for path in sorted(SAMPLES.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        mentions = extractor.extract(text)
        assert mentions, path.name
        occupied = set()
        for m in mentions:
            assert 0 <= m.start < m.end <= len(text)
            assert m.type in ("PER", "LOC", "ORG")
            assert text[m.start : m.end] == text[m.start : m.end].strip()
            span = set(range(m.start, m.end))
            assert not occupied & span, (path.name, m)
            occupied |= span


@needs_torch
def test_cli_run_with_a_model_writes_model_mentions_linked_across_outlets(fixed_model: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("run", "--input", str(SAMPLES), "--output", str(out), "--ner", f"camel:{fixed_model}", "--quiet")
    assert result.returncode == 0, result.stderr
    entities = pq.read_table(out / "entities").to_pylist()
    model_rows = [r for r in entities if r["method"] == "model"]
    names = {r["text"] for r in model_rows if r["type"] == "PER"}
    assert {"صطام جدعان الدندح", "سطام جدعان الدندح"} <= names
    # the two outlets' spellings are one person
    assert len({r["entity_id"] for r in model_rows if r["text"] in ("صطام جدعان الدندح", "سطام جدعان الدندح")}) == 1
    # the rules still report what the model does not
    assert any(r["method"] != "model" for r in entities)
    articles = pq.read_table(out / "articles", columns=["article_id", "title", "text"]).to_pylist()
    field_of = {(a["article_id"], field): a[field] or "" for a in articles for field in ("title", "text")}
    assert all(field_of[(r["article_id"], r["field"])][r["start"] : r["end"]] == r["text"] for r in entities)
