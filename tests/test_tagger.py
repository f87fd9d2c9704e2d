"""The statistical entity tagger: features, decoding, the shipped model, its combination with the rules, training, provenance."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from khabar.transforms.text.entity_rules import COMBINE, EntityConfig, EntityExtractor, Mention, combine
from khabar.transforms.text.gazetteer import tokenize
from khabar.transforms.text.ner_model import ModelError, check_model, model_path, tagger_model
from khabar.transforms.text.tagger import MODEL, Tagger, TaggerModel, shipped_tagger, spans, write_model
from khabar.transforms.text.tagger_features import (
    CUT_MASK,
    END_BIT,
    LABELS,
    gap_masks,
    gazetteer_labels,
    segments,
    sequence_features,
    word_features,
)

from benchmarks import anercorp

# ---------------------------------------------------------------- features


def _word(raw: str):
    return tokenize(raw).words[0]


def test_word_features_carry_forms_clitics_affixes_and_lexicons() -> None:
    own, context = word_features(_word("والعراق"))
    assert {"f=والعراق", "s=العراق", "clitic=و", "al", "gaz=LOC", "x3=راق", "p2=عر"} <= set(own)
    assert {"f=والعراق", "s=العراق", "gaz=LOC", "al"} <= set(context)
    own, _ = word_features(_word("للعراق"))
    assert "clitic=ل" in own and "s=العراق" in own  # ل + (ا)ل: the stem takes the article's place
    own, context = word_features(_word("وزير"))
    assert "trigger" in own and "trigger" in context
    own, _ = word_features(_word("لافروف"))
    # a transliterated name keeps its letters: trigrams of the whole word, not of a stem without "ل"
    assert {"g=<لا", "g=افر", "g=روف", "g=وف>", "x2=وف"} <= set(own)
    assert "lex=given" in word_features(_word("طلعت"))[0]
    assert "lex=role" in word_features(_word("الفنانة"))[0]
    assert "nationality" in word_features(_word("الروسي"))[0]
    assert "r=آلان" in word_features(_word("آلان"))[0]  # not الآن


def test_gaps_segments_and_gazetteer_names_by_position() -> None:
    text = "قال وزير الخارجية، في الولايات المتحدة: إن «اللجنة» (الدولية) تجتمع."
    found = tokenize(text)
    words = [w.raw for w in found.words]
    masks = gap_masks(text, found.starts, found.ends)
    by_word = dict(zip(words, masks.tolist(), strict=True))
    assert by_word["الخارجية"] & CUT_MASK and by_word["المتحدة"] & CUT_MASK
    assert not by_word["قال"]
    assert masks[-1] & END_BIT
    firsts, lasts = segments(masks)
    assert [words[a] for a in firsts] == ["قال", "في", "إن", "الدولية", "تجتمع"]
    assert [words[b] for b in lasts] == ["الخارجية", "المتحدة", "اللجنة", "الدولية", "تجتمع"]
    labels = dict(gazetteer_labels(found.words))
    assert labels == {words.index("الولايات"): "B-LOC", words.index("المتحدة"): "I-LOC"}
    features, runs = sequence_features(text, found.words, found.starts, found.ends)
    assert runs == list(zip(firsts.tolist(), lasts.tolist(), strict=True))
    assert {"Lcomma", "bos", "b", "1:f=الولايات"} <= set(features[words.index("في")])
    assert {"gz=B-LOC", "-1:f=في", "1:f=المتحده", "b"} <= set(features[words.index("الولايات")])
    assert "Rquote" in features[words.index("إن")] and "Lopen" in features[words.index("الدولية")]


# ---------------------------------------------------------------- decoding


def _tiny_model(tmp_path: Path, seed: int = 0) -> Path:
    """A model file with random weights for a handful of attributes (the format, not a trained model)."""
    rng = np.random.default_rng(seed)
    attributes = ["b", "bos", "eos", "f=قال", "f=محمد", "-1:f=قال", "1:f=في", "gaz=LOC", "Rcomma", "Lcomma", "given", "al"]
    weights = rng.normal(0, 2, (len(attributes), len(LABELS)))
    transitions = rng.normal(0, 2, (len(LABELS), len(LABELS)))
    path = tmp_path / f"model{seed}.tsv"
    write_model(path, LABELS, transitions, {a: k for k, a in enumerate(attributes)}, weights, "a test model\nnot trained")
    return path


def _brute_force(emission: np.ndarray, transitions: np.ndarray) -> list[int]:
    best, best_score = None, -np.inf
    for labels in itertools.product(range(len(transitions)), repeat=len(emission)):
        score = sum(emission[i, y] for i, y in enumerate(labels)) + sum(transitions[a, b] for a, b in itertools.pairwise(labels))
        if score > best_score:
            best, best_score = list(labels), score
    return best


def test_viterbi_finds_the_best_labels_of_every_segment(tmp_path: Path) -> None:
    tagger = Tagger(_tiny_model(tmp_path), prune=None)
    rng = np.random.default_rng(1)
    for _ in range(20):
        n = int(rng.integers(1, 6))
        emission = rng.normal(0, 3, (n, len(LABELS)))
        masks = np.zeros(n, dtype=np.int64)
        masks[-1] = END_BIT
        if n > 2:
            masks[1] = CUT_MASK  # two segments: words 0-1 and 2-
        transitions = tagger.model.transitions
        if n > 2:
            want = _brute_force(emission[:2], transitions) + _brute_force(emission[2:], transitions)
        else:
            want = _brute_force(emission, transitions)
        assert tagger.viterbi(emission, masks).tolist() == want


def test_pruning_fixes_only_words_whose_o_margin_is_large(tmp_path: Path) -> None:
    exact = Tagger(_tiny_model(tmp_path), prune=None)
    pruned = Tagger(_tiny_model(tmp_path), prune=1e9)  # nothing is fixed: the same labels
    rng = np.random.default_rng(2)
    emission = rng.normal(0, 3, (40, len(LABELS)))
    masks = np.zeros(40, dtype=np.int64)
    masks[[9, 25, 39]] = CUT_MASK
    assert pruned.viterbi(emission, masks).tolist() == exact.viterbi(emission, masks).tolist()
    emission[5] = -10.0
    emission[5, 0] = 50.0  # O by far: fixed, and its neighbours see its transitions
    fixed = Tagger(_tiny_model(tmp_path), prune=3.0).viterbi(emission, masks)
    assert fixed[5] == 0 and fixed.tolist() == exact.viterbi(emission, masks).tolist()


def test_scores_are_the_sums_of_the_sequence_features(tmp_path: Path) -> None:
    tagger = Tagger(_tiny_model(tmp_path), prune=None)
    text = "قال محمد، في بغداد قال محمد في"
    found = tokenize(text)
    emission, _ = tagger.scores(text, found.words, found.starts, found.ends)
    features, _ = sequence_features(text, found.words, found.starts, found.ends)
    want = np.array([sum((tagger.model.vector(a) for a in attributes), np.zeros(len(LABELS))) for attributes in features])
    np.testing.assert_allclose(emission, want)
    again, _ = tagger.scores(text, found.words, found.starts, found.ends)  # summed once, then from the table
    np.testing.assert_allclose(again, want)


def test_model_files_round_trip_and_spans_of_labels(tmp_path: Path) -> None:
    model = TaggerModel.load(_tiny_model(tmp_path))
    model.write(tmp_path / "again.tsv")
    again = TaggerModel.load(tmp_path / "again.tsv")
    assert again.labels == LABELS and set(again.attributes) == set(model.attributes)
    np.testing.assert_allclose(again.transitions, model.transitions, rtol=1e-4)
    assert spans(["O", "B-PER", "I-PER", "I-ORG", "B-LOC", "B-LOC", "O", "I-PER"]) == [
        (1, 2, "PER"),
        (3, 3, "ORG"),
        (4, 4, "LOC"),
        (5, 5, "LOC"),
        (7, 7, "PER"),
    ]


# ---------------------------------------------------------------- the shipped model


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return shipped_tagger()


def _tagged(tagger: Tagger, text: str) -> set[tuple[str, str]]:
    found = tokenize(text)
    return {(text[found.starts[a] : found.ends[b]], kind) for a, b, kind in tagger.spans(text, found.words, found.starts, found.ends)}


def test_the_shipped_model_loads_and_finds_names(tagger: Tagger) -> None:
    assert tagger.model.labels == LABELS and len(tagger.model.attributes) > 1000
    text = "وقال وزير الخارجية الفرنسي فرانسوا لوبيران في باريس إن حكومته تدعم قرار مجلس الأمن الدولي."
    found = _tagged(tagger, text)
    assert ("فرانسوا لوبيران", "PER") in found
    assert ("باريس", "LOC") in found
    assert ("مجلس الأمن الدولي", "ORG") in found or ("مجلس الأمن", "ORG") in found


def test_the_shipped_model_finds_a_person_without_a_listed_name(tagger: Tagger) -> None:
    text = "وأكد الرئيس الكيني موانغي كاروري أن بلاده سترسل وفدا إلى نيروبي."
    found = _tagged(tagger, text)
    assert any(kind == "PER" and "كاروري" in surface for surface, kind in found)


# ---------------------------------------------------------------- the combination with the rules


def _m(start: int, end: int, type_: str, method: str) -> Mention:
    return Mention(start, end, type_, "x", "x", method, 0.8)


def test_combination_modes() -> None:
    tagged = [_m(0, 10, "ORG", "tagger"), _m(20, 25, "PER", "tagger")]
    rules = [_m(0, 5, "LOC", "gazetteer"), _m(12, 18, "PER", "trigger"), _m(22, 30, "PER", "name")]
    assert combine(tagged, rules, 40, "tagger-first") == [*tagged, rules[1]]
    assert combine(tagged, rules, 40, "gazetteer-first") == [rules[0], tagged[1], rules[1]]
    assert set(combine(tagged, rules, 40, "rules-first")) == set(rules)
    assert set(combine(tagged, rules, 40, "union")) == set(tagged) | set(rules)
    with pytest.raises(ValueError):
        combine(tagged, rules, 40, "both")
    assert COMBINE == "vetted"


def test_vetted_combination_curated_names_then_the_tagger_then_measured_rules() -> None:
    extractor = EntityExtractor()
    text = "وقال المتحدث باسم الجيش إن هيئة الحشد الشعبي ووزارة الدفاع العراقية نفذتا عملية قرب مخيم الهول مع داعش الإرهابي."
    found = {(text[m.start : m.end], m.type, m.method) for m in extractor.extract(text)}
    assert ("هيئة الحشد الشعبي", "ORG", "gazetteer") in found  # curated: first, whatever the tagger spans
    assert ("داعش", "ORG", "gazetteer") in found and not any(s.startswith("داعش ") for s, _, _ in found)
    assert any(s == "وزارة الدفاع العراقية" and t == "ORG" for s, t, _ in found)
    assert ("مخيم الهول", "LOC", "pattern") in found or any(s.endswith("الهول") and t == "LOC" for s, t, _ in found)
    assert not any(t == "PER" for _, t, _ in found)  # "باسم الجيش" is no person


def test_a_page_without_alef_maksura_keeps_its_yeh_preposition_out_of_names() -> None:
    extractor = EntityExtractor(EntityConfig(ner="rules"))
    egyptian = "وأكد الوزير في بيان صدر اليوم علي الصعيد الدولي أن الحكومة تعمل علي الحفاظ علي الاستقرار " * 3
    assert not any(m.type == "PER" for m in extractor.extract(egyptian))
    short = "التقى علي الأديب بالوفد."
    assert ("علي الأديب", "PER") in {(short[m.start : m.end], m.type) for m in extractor.extract(short)}


def test_the_extractor_uses_the_tagger_by_default_and_rules_only_on_request() -> None:
    assert EntityConfig().ner == "tagger"
    assert EntityExtractor().tagger is shipped_tagger()
    assert EntityExtractor(EntityConfig(ner="rules")).tagger is None
    assert tagger_model("tagger") == "" and tagger_model("tagger:/m.tsv") == "/m.tsv" and tagger_model("rules") is None
    assert model_path("tagger") is None and model_path("tagger:/m.tsv") is None
    check_model("tagger")
    with pytest.raises(ModelError, match="no such tagger model"):
        check_model("tagger:/nonexistent/model.tsv")
    text = "وقال وزير الخارجية الفرنسي فرانسوا لوبيران في باريس إن حكومته تدعم القرار."
    mentions = EntityExtractor().extract(text)
    assert any(m.method == "tagger" and text[m.start : m.end] == "فرانسوا لوبيران" and m.type == "PER" for m in mentions)


# ---------------------------------------------------------------- the corpus reader and training

# A tiny corpus in ANERcorp's format, written for this test, with the raw file's slips.
TINY = """\
قال O
الرئيس O
الفرنسي O
جاك B-PERS
شيراك I-PERS
في O
باريس B-LOC
. O
وزار O
وزير O
الخارجية O
سمير B-PERs
الحداوي I-PERS
مقر O
منظمة B-ORG
الصحة I-ORG
العالمية I-ORG
في O
جنيف B-loc
. O
 O
B-PERS نبيل
الخزاعي IPERS
زار O
بغداد B-LOC
.O
وقال O
مجلس B-OEG
الأمن I-ORG
إن O
بطولة B-MISC
كأس I-MISC
العالم I-MISC
في O
قطر B-LOC
. Oوأعلن O
اتحاد B-ORG
الكرة I-ORG
أن O
أحمد B-PERS
السالمي I-PERS
سيلعب O
في O
الدوحة B-LOC
.
"""


def test_the_corpus_reader_cleans_the_raw_slips(tmp_path: Path) -> None:
    path = tmp_path / "tiny.txt"
    path.write_text(TINY, encoding="utf-8")
    pairs = anercorp.read(path)
    assert ("سمير", "B-PER") in pairs and ("جنيف", "B-LOC") in pairs and ("نبيل", "B-PER") in pairs
    assert ("الخزاعي", "I-PER") in pairs and ("مجلس", "B-ORG") in pairs and ("بطولة", "O") in pairs
    assert (".", "O") in pairs and ("وأعلن", "O") in pairs and ("", "O") in pairs
    sentences = anercorp.sentences(pairs)
    assert len(sentences) == 5
    _, development = anercorp.split(sentences, 0.34)
    assert len(development) == 2 and development[-1] == sentences[-1]
    doc = anercorp.document(sentences[:2])
    words = [w.raw for w in doc.words]
    assert doc.labels[words.index("جاك")] == "B-PER" and doc.labels[words.index("شيراك")] == "I-PER"
    assert anercorp.spans_of(doc.labels) >= {
        (words.index("جاك"), words.index("شيراك"), "PER"),
        (words.index("منظمة"), words.index("العالمية"), "ORG"),
    }
    assert anercorp.mention_spans(doc, [(doc.text.index("شيراك") - 4, doc.text.index("شيراك") + 5, "PER")]) == {
        (words.index("جاك"), words.index("شيراك"), "PER")
    }


def test_the_training_script_runs_end_to_end_on_a_tiny_corpus(tmp_path: Path) -> None:
    pytest.importorskip("pycrfsuite")
    from benchmarks.train_tagger import main

    corpus = tmp_path / "tiny.txt"
    corpus.write_text(TINY * 6, encoding="utf-8")
    output = tmp_path / "tagger.tsv"
    report_path = tmp_path / "report.json"
    main([str(corpus), "--output", str(output), "--iterations", "30", "--dev-share", "0.2", "--check", "--json", str(report_path)])
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["labels_differing_from_crfsuite"] == 0  # khabar's decoder gives CRFsuite's labels
    assert report["development"]["micro"]["f1"] > 0.5
    assert output.read_text(encoding="utf-8").startswith("# khabar entity tagger")
    model = Tagger(output)
    text = "قال الرئيس الفرنسي جاك شيراك في باريس."
    found = tokenize(text)
    assert (3, 4, "PER") in model.spans(text, found.words, found.starts, found.ends)


def test_the_model_ships_with_its_provenance_and_licence() -> None:
    assert MODEL.is_file()
    provenance = MODEL.with_name("tagger.md").read_text(encoding="utf-8")
    for needed in ("CC BY-SA 4.0", "Benajiba", "Rosso", "Benedí", "CAMeL Lab", "ANERcorp", "benchmarks.train_tagger", "F1"):
        assert needed in provenance, needed
    assert "CC BY-SA 4.0" in MODEL.read_text(encoding="utf-8").split("labels\t")[0]


def test_an_extractor_with_the_tagger_pickles_after_its_setup(tmp_path: Path) -> None:
    """Runners may pickle a DoFn after its setup (Dask): the shipped model as a reference, another without its lock."""
    import pickle

    extractor = EntityExtractor()
    text = "قال الرئيس الفرنسي جاك شيراك في باريس."
    before = extractor.extract(text)
    again = pickle.loads(pickle.dumps(extractor))
    assert again.tagger is shipped_tagger() and again.extract(text) == before
    other = Tagger(_tiny_model(tmp_path))
    copy = pickle.loads(pickle.dumps(other))
    assert copy is not other and copy.model.labels == other.model.labels
    found = tokenize(text)
    assert copy.label(text, found.words, found.starts, found.ends) == other.label(text, found.words, found.starts, found.ends)
