"""The dev-set evaluation (benchmarks/eval_devset.py): its scoring functions on
small made-up texts, and one run of the script on a tiny made-up dev set."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from benchmarks.eval_devset import (
    Output,
    Page,
    clitic_variants,
    headline_match,
    match_entities,
    normalize_outlet,
    outlet_match,
    page_lines,
    pair_scores,
    same_label_pairs,
    score,
    score_words,
    surfaces_match,
    title_origin,
    words,
)

ROOT = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------------------
# Words


def test_words_split_on_whitespace_and_strip_punctuation_at_both_ends() -> None:
    assert words("قال الوزير، «نعم» (واع) في 2030-01-02.\n\n- ...") == Counter(
        {"قال": 1, "الوزير": 1, "نعم": 1, "واع": 1, "في": 1, "2030-01-02": 1}
    )
    assert words("كلمة كلمة؟ كلمة!") == Counter({"كلمة": 3})
    assert words(None) == Counter() and words(" ، . ") == Counter()


def test_optional_words_are_neutral_and_body_words_shared_with_them_still_count() -> None:
    body = words("بدأ المعرض اليوم في المدينة")
    optional = words("كتب: سامي في المدينة")
    # the output keeps the body and the byline: the byline's words cost nothing
    kept = score_words(body, optional, words("كتب: سامي بدأ المعرض اليوم في المدينة في المدينة"))
    assert (kept.gold, kept.output, kept.matched, kept.neutral) == (5, 5, 5, 4)
    assert kept.recall == 1.0 and kept.precision == 1.0
    # the output drops the byline: "في" and "المدينة" of the body are still found
    dropped = score_words(body, optional, words("بدأ المعرض اليوم في المدينة"))
    assert (dropped.output, dropped.matched, dropped.neutral) == (5, 5, 0)
    # a lost body word and a boilerplate word
    noisy = score_words(body, optional, words("بدأ المعرض في المدينة اشترك"))
    assert (noisy.gold, noisy.output, noisy.matched) == (5, 5, 4)
    assert noisy.recall == 0.8 and noisy.precision == 0.8
    # nothing output: recall 0, no precision
    lost = score_words(body, optional, Counter())
    assert lost.recall == 0.0 and lost.precision is None and lost.f1 == 0.0


# ---------------------------------------------------------------------------
# Headlines and outlets


def test_headline_exact_after_whitespace_normalisation_and_lenient_containment() -> None:
    gold = "افتتاح  معرض الكتاب في المدينة "
    assert headline_match("افتتاح معرض\tالكتاب في المدينة", gold) == (True, True)
    assert headline_match("افتتاح معرض الكتاب", gold) == (False, True)
    assert headline_match("عاجل: افتتاح معرض الكتاب في المدينة", gold) == (False, True)
    assert headline_match("الرئيسية", gold) == (False, False)
    assert headline_match(None, gold) == (False, False)
    assert headline_match("", gold) == (False, False)


def test_title_origin_names_the_kind_of_line_a_title_came_from() -> None:
    lines = {
        "body": ["بدأ المعرض اليوم في المدينة بمشاركة واسعة.", "وقال المنظمون إن الإقبال كبير."],
        "optional": ["كتب: سامي"],
        "boilerplate": ["الرئيسية | أخبار | رياضة", "الأحد 12 مايو 2030"],
    }
    assert title_origin("بدأ المعرض اليوم في المدينة بمشاركة واسعة.", lines) == "body"
    assert title_origin("بدأ المعرض اليوم في المدينة", lines) == "body"  # a cut lead sentence
    assert title_origin("كتب:  سامي", lines) == "optional"
    assert title_origin("الأحد 12 مايو 2030", lines) == "boilerplate"
    assert title_origin("عنوان لا يرد في الصفحة", lines) == "other"


def test_outlet_normalisation_folds_letters_article_spaces_and_punctuation() -> None:
    assert normalize_outlet("الجزيرة نت") == normalize_outlet("جزيره  نت") == "جزيرهنت"
    assert normalize_outlet("أخبار الآن") == normalize_outlet("اخبار الان")
    assert normalize_outlet("صدى البلد") == normalize_outlet("صدي البلد")
    assert normalize_outlet("Le360") == normalize_outlet("le 360")
    assert normalize_outlet(None) == ""
    assert outlet_match("وكالة الأنباء الوطنية (ونا)", "ونا")
    assert outlet_match("النجمة", "نجمة")
    assert outlet_match("موقع النجمة الإخباري", "النجمة")
    assert not outlet_match("المساء", "الصباح")
    assert not outlet_match("", "الصباح") and not outlet_match(None, "الصباح")


# ---------------------------------------------------------------------------
# Entities


def test_one_leading_proclitic_is_tolerated_on_either_side() -> None:
    assert clitic_variants("والمدينة") == {"والمدينة", "المدينة"}
    assert clitic_variants("المدينة") == {"المدينة", "مدينة"}
    assert surfaces_match("والمدينة", "المدينة")
    assert surfaces_match("المدينة", "بالمدينة")
    assert surfaces_match("كسامي", "سامي")
    assert surfaces_match("المدينة", "مدينة")
    assert surfaces_match("سامي  النجار", "سامي النجار")
    # "للبنك المركزي": the text's span after ل is "لبنك المركزي", the labeller writes "البنك المركزي"
    assert surfaces_match("لبنك المركزي", "البنك المركزي")
    assert not surfaces_match("لبنان", "البنك")
    assert not surfaces_match("وبالمدينة", "المدينة")  # two proclitics
    assert not surfaces_match("سامي", "سام")


def test_entity_matching_is_one_to_one_by_type_and_prefers_exact_partners() -> None:
    gold = [("المدينة", "LOC"), ("سامي النجار", "PER"), ("الاتحاد", "ORG")]
    output = [("بالمدينة", "LOC"), ("المدينة", "LOC"), ("وسامي النجار", "PER"), ("الاتحاد", "LOC")]
    matches = match_entities(gold, output)
    assert matches == [(("المدينة", "LOC"), ("المدينة", "LOC")), (("سامي النجار", "PER"), ("وسامي النجار", "PER"))]
    # two gold surfaces, one output mention: one match
    assert len(match_entities([("المدينة", "LOC"), ("مدينة", "LOC")], [("والمدينة", "LOC")])) == 1
    # the matching is maximal: "المدينة" (matched first) gives way to the only partner of "بالمدينة"
    both = match_entities([("المدينة", "LOC"), ("بالمدينة", "LOC")], [("بالمدينة", "LOC"), ("والمدينة", "LOC")])
    assert both == [(("المدينة", "LOC"), ("والمدينة", "LOC")), (("بالمدينة", "LOC"), ("بالمدينة", "LOC"))]


# ---------------------------------------------------------------------------
# Pairs


def test_pair_scores_over_same_label_pairs() -> None:
    gold = same_label_pairs({"a": "e1", "b": "e1", "c": "e1", "d": "e2"})
    assert gold == {("a", "b"), ("a", "c"), ("b", "c")}
    predicted = same_label_pairs({"a": "s1", "b": "s1", "c": "s2", "d": "s2", "e": None})
    assert predicted == {("a", "b"), ("c", "d")}
    result = pair_scores(gold, predicted)
    assert result["gold_pairs"] == 3 and result["predicted_pairs"] == 2
    assert (result["tp"], result["fp"], result["fn"]) == (1, 1, 2)
    assert result["precision"] == 0.5 and result["recall"] == 0.3333 and result["f1"] == 0.4
    assert pair_scores(set(), set())["f1"] == 1.0


# ---------------------------------------------------------------------------
# The whole report on made-up outputs


def _page(page_id: str, lines: list[str], **gold: object) -> Page:
    text = "\n".join(lines) + "\n"
    record = {"id": page_id, "url": f"https://example.test/{page_id}", "optional_lines": [], "boilerplate_lines": [], **gold}
    return Page(page_id, record, text, page_lines(text))


def _article(story: str, text: str, title: str | None = None, source: str | None = None, day: str | None = None) -> dict:
    published = datetime.fromisoformat(day).replace(tzinfo=UTC) if day else None
    return {"text": text, "title": title, "source_name": source, "published_at": published, "story_id": story}


def _mention(text: str, type_: str, entity_id: str) -> dict:
    return {"text": text, "type": type_, "entity_id": entity_id}


def test_score_on_made_up_outputs() -> None:
    pages = [
        _page(
            "a1",
            ["افتتاح معرض الكتاب", "", "كتب: سامي", "افتتح سامي النجار معرض الكتاب في المدينة.", "الرئيسية"],
            outlet="النجمة",
            event="fair-2030",
            published="2030-01-02",
            title_line=1,
            body_lines=[4],
            optional_lines=[3],
            boilerplate_lines=[5],
            entities=[
                {"text": "سامي النجار", "type": "PER", "canonical": "سامي النجار"},
                {"text": "المدينة", "type": "LOC", "canonical": "المدينة"},
            ],
        ),
        _page(
            "a2",
            ["الرئيسية", "افتتح النجار معرض الكتاب أمس."],
            outlet="الصباح",
            event="fair-2030",
            published=None,
            title_line=None,
            body_lines=[2],
            boilerplate_lines=[1],
            entities=[{"text": "النجار", "type": "PER", "canonical": "سامي النجار"}],
        ),
        _page(
            "b1",
            ["فاز الفريق الأول على الفريق الثاني."],
            outlet="المساء",
            event="match-2030",
            published="2030-03-04",
            title_line=None,
            body_lines=[1],
            entities=[{"text": "هادي", "type": "PER", "canonical": "هادي"}],
        ),
    ]
    outputs = {
        "a1": Output(
            "article",
            _article("s1", "افتتح سامي النجار معرض الكتاب في المدينة.\n\nكتب: سامي", "افتتاح معرض الكتاب", "جريدة النجمة", "2030-01-02"),
            [_mention("سامي النجار", "PER", "E1"), _mention("بالمدينة", "LOC", "E2"), _mention("الكتاب", "ORG", "E3")],
        ),
        "a2": Output(
            "article", _article("s2", "افتتح النجار معرض الكتاب أمس.", "الرئيسية", day="2030-05-06"), [_mention("النجار", "PER", "E9")]
        ),
        "b1": Output("reject", reject_reason="boilerplate/empty_after_boilerplate"),
    }
    report, _ = score(pages, outputs)
    assert report["pages"] == 3 and report["articles"] == 2 and report["rejects"]["ids"] == ["b1"]
    body = report["body_words"]
    assert (body["gold_words"], body["output_words"], body["matched_words"], body["neutral_words"]) == (18, 12, 12, 2)
    assert body["micro_recall"] == round(12 / 18, 4) and body["micro_precision"] == 1.0
    assert body["macro_recall"] == round(2 / 3, 4) and body["macro_precision"] == 1.0
    assert body["pages_below_80_ids"] == ["b1"] and body["worst"][0] == {"id": "b1", "recall": 0.0, "precision": None, "f1": 0.0}
    assert report["per_page"]["b1"] == {"status": "reject", "recall": 0.0, "precision": None}
    titled, untitled = report["headlines"]["with_gold_title"], report["headlines"]["without_gold_title"]
    assert (titled["pages"], titled["exact"], titled["lenient"], titled["no_title"]) == (1, 1, 1, 0)
    assert (untitled["pages"], untitled["with_title"], untitled["body_line"], untitled["boilerplate_or_optional"]) == (2, 1, 0, 1)
    assert untitled["ids"] == {"a2": "boilerplate"}
    outlets = report["outlets"]
    assert (outlets["pages"], outlets["found"], outlets["right"]) == (3, 1, 1)
    dated, undated = report["dates"]["with_gold_date"], report["dates"]["without_gold_date"]
    assert (dated["pages"], dated["found"], dated["right"], dated["missing_ids"]) == (2, 1, 1, ["b1"])
    assert (undated["pages"], undated["wrong_dates"], undated["ids"]) == (1, 1, ["a2"])
    entities = report["entities"]
    assert entities["overall"]["tp"] == 3 and entities["overall"]["fp"] == 1 and entities["overall"]["fn"] == 1
    assert entities["by_type"]["PER"]["recall"] == round(2 / 3, 4) and entities["by_type"]["ORG"]["precision"] == 0.0
    linking = report["linking"]
    # "سامي النجار" (E1) and "النجار" (E9) share a gold canonical and not an entity_id
    assert (linking["variant_groups"], linking["variant_groups_linked"], linking["variant_groups_in_gold"]) == (1, 0, 1)
    assert (linking["same_canonical_pairs"], linking["linked_pairs"], linking["over_merged_pairs"]) == (1, 0, 0)
    stories = report["stories"]
    assert (stories["gold_pairs"], stories["predicted_pairs"], stories["recall"]) == (1, 0, 0.0)
    assert stories["missed_pairs"] == [{"ids": ["a1", "a2"], "event": "fair-2030"}] and stories["false_merges"] == []


def test_over_merged_and_linked_canonicals() -> None:
    def page(page_id: str, line: str, entities: list[dict]) -> Page:
        return _page(page_id, [line], outlet="x", event=page_id, published=None, title_line=None, body_lines=[1], entities=entities)

    pages = [
        page("p1", "زار سامي النجار وهادي الملعب.", [{"text": "سامي النجار", "type": "PER", "canonical": "سامي النجار"}]),
        page("p2", "قال النجار إن هادي سعيد.", [{"text": "النجار", "type": "PER", "canonical": "سامي النجار"}]),
        page("p3", "فاز هادي.", [{"text": "هادي", "type": "PER", "canonical": "هادي"}]),
    ]
    outputs = {
        "p1": Output("article", _article("s1", "زار"), [_mention("سامي النجار", "PER", "E1")]),
        "p2": Output("article", _article("s1", "قال"), [_mention("النجار", "PER", "E1")]),
        "p3": Output("article", _article("s3", "فاز"), [_mention("هادي", "PER", "E1")]),
    }
    report, _ = score(pages, outputs)
    linking = report["linking"]
    assert (linking["variant_groups"], linking["variant_groups_linked"], linking["linked_pairs"]) == (1, 1, 1)
    assert linking["over_merged_pairs"] == 2 and linking["over_merged_canonical_pairs"] == 1
    assert linking["over_merged_examples"] == [{"type": "PER", "canonicals": ["سامي النجار", "هادي"], "entity_id": "E1"}]
    stories = report["stories"]
    assert stories["false_merges"] == [{"ids": ["p1", "p2"], "events": ["p1", "p2"]}] and stories["precision"] == 0.0


# ---------------------------------------------------------------------------
# End to end on a tiny made-up dev set

PAGES = {
    "t1": {
        "lines": [
            "وزير الخارجية يصل إلى مدينة النخيل لبحث التعاون",
            "",
            "كتب: سامي النجار",
            "مدينة النخيل، وصل وزير الخارجية هادي الزين إلى مدينة النخيل صباح اليوم في زيارة رسمية تستمر يومين يلتقي خلالها كبار المسؤولين.",
            "ويبحث الزين خلال الزيارة ملفات التجارة والنقل والتعليم مع نظرائه، إلى جانب مشروعات الطاقة المتجددة والمياه.",
            "وقالت وزارة الخارجية في بيان إن الزيارة تأتي في إطار تعزيز العلاقات الثنائية وتوسيع التبادل التجاري بين البلدين.",
            "اقرأ أيضا: أسعار الخضار في الأسواق",
        ],
        "gold": {
            "outlet": "صحيفة النجمة",
            "event": "minister-visit-nakheel-2030-01",
            "published": None,
            "title_line": 1,
            "body_lines": [4, 5, 6],
            "optional_lines": [3],
            "boilerplate_lines": [7],
            "entities": [
                {"text": "هادي الزين", "type": "PER", "canonical": "هادي الزين"},
                {"text": "الزين", "type": "PER", "canonical": "هادي الزين"},
                {"text": "مدينة النخيل", "type": "LOC", "canonical": "مدينة النخيل"},
                {"text": "وزارة الخارجية", "type": "ORG", "canonical": "وزارة الخارجية"},
            ],
        },
    },
    "t2": {
        "lines": [
            "بدأ وزير الخارجية هادي الزين اليوم زيارة رسمية إلى مدينة النخيل تستمر يومين، يبحث خلالها التعاون في التجارة والنقل.",
            "وأوضح بيان للوزارة أن الزين سيلتقي عددا من الوزراء ورجال الأعمال لمناقشة مشروعات مشتركة في الطاقة والمياه والتعليم.",
            "ومن المنتظر أن تشهد الزيارة توقيع مذكرات تفاهم في مجالات النقل البحري والتدريب المهني.",
        ],
        "gold": {
            "outlet": "الصباح",
            "event": "minister-visit-nakheel-2030-01",
            "published": None,
            "title_line": None,
            "body_lines": [1, 2, 3],
        },
    },
    "t3": {
        "lines": [
            "الرئيسية | رياضة | اقتصاد",
            "فريق الساحل يفوز بكأس البطولة بعد مباراة مثيرة",
            "نشر في 2030-02-14",
            "حقق فريق الساحل لقب كأس البطولة بعد فوزه على فريق الجبل بهدفين مقابل هدف في المباراة النهائية التي أقيمت مساء أمس.",
            "وسجل هدفي الساحل اللاعب كريم الهادي في الشوط الثاني، فيما أحرز هدف الجبل اللاعب نبيل السعدي من ركلة جزاء.",
            "وتسلم قائد الفريق الكأس وسط احتفالات الجماهير التي ملأت المدرجات حتى نهاية اللقاء.",
        ],
        "gold": {
            "outlet": "المساء",
            "event": "cup-final-sahel-jabal-2030-02",
            "published": "2030-02-14",
            "title_line": 2,
            "body_lines": [4, 5, 6],
            "optional_lines": [3],
            "boilerplate_lines": [1],
            "entities": [
                {"text": "كريم الهادي", "type": "PER", "canonical": "كريم الهادي"},
                {"text": "نبيل السعدي", "type": "PER", "canonical": "نبيل السعدي"},
            ],
        },
    },
    # English and short: khabar's boilerplate stage rejects it (when it does, it keeps nothing)
    "t4": {
        "lines": ["Hello world this is English text only."],
        "gold": {"outlet": "Example", "event": "other-2030-03", "published": None, "title_line": None, "body_lines": [1]},
    },
}


def _write_devset(base: Path) -> Path:
    (base / "gold").mkdir(parents=True)
    (base / "pages").mkdir()
    for page_id, page in PAGES.items():
        data = ("\n".join(page["lines"]) + "\n").encode("utf-8")
        (base / "pages" / f"{page_id}.txt").write_bytes(data)
        gold = {
            "id": page_id,
            "url": f"https://news.example.test/{page_id}",
            "query": "",
            "sha256": hashlib.sha256(data).hexdigest(),
            "outlet_domain": "news.example.test",
            "country": "EG",
            "topic": "politics",
            "optional_lines": [],
            "boilerplate_lines": [],
            **page["gold"],
        }
        (base / "gold" / f"{page_id}.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1), encoding="utf-8")
    # a gold file whose page is not on disk is skipped
    (base / "gold" / "t5.json").write_text(json.dumps({**gold, "id": "t5", "url": "https://news.example.test/t5"}), encoding="utf-8")
    return base


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "benchmarks.eval_devset", *args], cwd=ROOT, capture_output=True, text=True, check=False)


@pytest.mark.slow
def test_end_to_end_on_a_tiny_devset(tmp_path: Path) -> None:
    devset = _write_devset(tmp_path / "devset")
    checked = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks/devset/check.py"), "--gold", str(devset / "gold"), "--pages", str(devset / "pages")],
        capture_output=True,
        text=True,
        check=False,
    )
    problems = [line for line in checked.stdout.splitlines() if ".json:" in line]
    assert problems and all(line.startswith("t5.json: page") for line in problems)  # the made-up gold follows the guide

    done = _run("--devset", str(devset), "--work", str(tmp_path / "work"), "--json", str(tmp_path / "r.json"), "--verbose")
    assert done.returncode == 0, done.stderr
    assert "body words:" in done.stdout and "stories:" in done.stdout and "== stories: missed pairs" in done.stdout
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    for key in ("run", "body_words", "headlines", "outlets", "dates", "entities", "linking", "stories", "per_page", "rejects"):
        assert key in report
    assert report["pages"] == 4 and report["gold_files_without_page"] == ["t5"] and report["pages_with_changed_sha256"] == []
    assert report["articles"] + report["rejects"]["count"] + len(report["missing"]) == 4
    assert report["run"]["unmapped_rows"] == 0 and report["run"]["run_id"]

    body = report["body_words"]
    assert body["gold_words"] == sum(len(PAGES[p]["lines"][n - 1].split()) for p in PAGES for n in PAGES[p]["gold"]["body_lines"])
    assert 0 <= body["matched_words"] <= body["gold_words"] and body["matched_words"] <= body["output_words"]
    for page_id, figures in report["per_page"].items():
        if figures["status"] != "article":  # a reject keeps nothing
            assert figures["recall"] == 0.0 and figures["precision"] is None
            assert page_id in body["pages_below_80_ids"]
    assert report["rejects"]["count"] == len(report["rejects"]["ids"])
    assert report["headlines"]["with_gold_title"]["pages"] == 2 and report["headlines"]["without_gold_title"]["pages"] == 2
    assert report["outlets"]["pages"] == 4 and report["outlets"]["right"] <= report["outlets"]["found"] <= 4
    assert report["dates"]["with_gold_date"]["pages"] == 1 and report["dates"]["without_gold_date"]["pages"] == 3
    entities = report["entities"]
    assert entities["pages"] == 2 and entities["gold_mentions"] == 6
    assert entities["overall"]["tp"] + entities["overall"]["fn"] == 6
    assert report["linking"]["variant_groups_in_gold"] == 1
    stories = report["stories"]
    assert stories["gold_pairs"] == 1 and stories["gold_events"] == 3
    assert len(stories["missed_pairs"]) == stories["fn"] and len(stories["false_merges"]) == stories["fp"]
    for line in PAGES["t1"]["lines"][3:6]:  # the JSON holds figures, never the pages' text
        assert line not in (tmp_path / "r.json").read_text(encoding="utf-8")

    # the same run scored again from its output directory
    again = _run("--devset", str(devset), "--output", str(tmp_path / "work" / "out"), "--json", str(tmp_path / "r2.json"))
    assert again.returncode == 0, again.stderr
    second = json.loads((tmp_path / "r2.json").read_text(encoding="utf-8"))
    assert {k: v for k, v in second.items() if k != "evaluated_at"} == {k: v for k, v in report.items() if k != "evaluated_at"}


def test_save_page_writes_a_page_only_when_its_sha256_is_the_manifests(tmp_path: Path) -> None:
    text = "افتتاح معرض الكتاب في الرباط\nافتتح وزير الثقافة صباح اليوم معرض الكتاب بمشاركة مئتي دار نشر.\n"
    manifest = tmp_path / "manifest.jsonl"
    manifest.write_text(json.dumps({"id": "zz01", "sha256": hashlib.sha256(text.encode()).hexdigest()}) + "\n", encoding="utf-8")
    # the tool's excerpt: blank lines before, two newlines after; written as the JSON literal the answer holds
    literal = tmp_path / "zz01.json"
    literal.write_text(json.dumps("\n \n" + text + "\n", ensure_ascii=False), encoding="utf-8")
    pages = tmp_path / "pages"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, str(ROOT / "benchmarks/devset/save_page.py"), *args, "--pages", str(pages), "--manifest", str(manifest)]
        return subprocess.run(command, capture_output=True, text=True, check=False)

    assert run("zz01", str(literal)).returncode == 0
    assert (pages / "zz01.txt").read_text(encoding="utf-8") == text
    (pages / "zz01.txt").unlink()
    literal.write_text(json.dumps(text.replace("مئتي", "مائتي"), ensure_ascii=False), encoding="utf-8")  # one letter retyped
    failed = run("zz01", str(literal))
    assert failed.returncode == 1 and "SHA-256" in failed.stderr and not (pages / "zz01.txt").exists()
    assert run("zz02", str(literal)).returncode == 1  # not in the manifest
