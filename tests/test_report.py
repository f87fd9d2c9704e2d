"""`khabar report`: the page holds every section with the output's figures,
and renders in headless Chromium (Debian's chromium package; .ci/run installs it)."""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import run_cli

SECTIONS = ["summary", "stories", "entities", "articles-per-day", "languages", "rejects"]


class _Dom(HTMLParser):
    """Section ids and the text inside each section."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, list[str]] = {}
        self._current: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self._current = dict(attrs).get("id")
            self.sections[self._current or ""] = []

    def handle_data(self, data: str) -> None:
        if self._current and data.strip():
            self.sections[self._current].append(data.strip())


def _report(output: Path, page: Path) -> dict[str, list[str]]:
    result = run_cli("report", str(output), "--html", str(page))
    assert result.returncode == 0, result.stderr
    dom = _Dom()
    dom.feed(page.read_text(encoding="utf-8"))
    return dom.sections


def test_the_report_holds_every_section_with_the_sample_figures(sample_output: Path, tmp_path: Path) -> None:
    sections = _report(sample_output, tmp_path / "report.html")
    assert list(sections) == SECTIONS
    summary = sections["summary"]
    assert summary[summary.index("articles") - 1] == "5" and summary[summary.index("stories") - 1] == "4"
    assert "بشار الأسد" in sections["entities"] and "العراق" in sections["entities"] and "داعش" in sections["entities"]
    assert "ar" in sections["languages"]
    assert "تلفزيون سوريا" in sections["stories"]  # an outlet of the two-article story
    assert sections["rejects"] == ["Rejects by reason", "Nothing to show."]


def test_the_report_refuses_a_directory_without_committed_runs(tmp_path: Path) -> None:
    result = run_cli("report", str(tmp_path), "--html", str(tmp_path / "r.html"))
    assert result.returncode == 2 and "no committed run" in result.stderr


def test_the_report_renders_in_headless_chromium(sample_output: Path, tmp_path: Path) -> None:
    if shutil.which("chromium") is None:
        if os.environ.get("KHABAR_REQUIRE_CHROMIUM"):
            pytest.fail("chromium is required here (KHABAR_REQUIRE_CHROMIUM) but not installed")
        pytest.skip("needs Debian's chromium (.ci/run installs it)")
    from PIL import Image

    page = tmp_path / "report.html"
    _report(sample_output, page)
    common = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1100,2600"]
    dom = subprocess.run([*common, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    for section in SECTIONS:
        assert f'id="{section}"' in dom.stdout
    assert dom.stdout.count("<rect") >= 20  # the bars were laid out
    shot = tmp_path / "shot.png"
    subprocess.run([*common, f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120, check=True)
    image = Image.open(shot).convert("RGB")
    assert image.size == (1100, 2600)
    bar_blue = sum(1 for r, g, b in image.getdata() if (r, g, b) == (0x2F, 0x6F, 0x9F))
    assert bar_blue > 20_000  # bars drawn in their colour, not a blank page


# ---------------------------------------------------------------- outlets of stories

STORY = (
    "البنك المركزي يبقي سعر الفائدة دون تغيير\n"
    "الأحد 12 مايو 2024 - 10:30\n"
    "دبي (رويترز) - أبقى البنك المركزي سعر الفائدة الرئيسي دون تغيير في اجتماعه الدوري اليوم الأحد، مشيرا إلى تراجع معدلات التضخم خلال الأشهر الماضية.\n"
    "وقال البنك في بيان إن لجنة السياسة النقدية ستواصل متابعة تطورات الأسعار والنمو الاقتصادي، وإنها مستعدة للتحرك إذا اقتضت الظروف ذلك.\n"
    "وتوقع محللون أن يبدأ البنك في خفض الفائدة قبل نهاية العام، مع تحسن مؤشرات الاقتصاد المحلي واستقرار سعر صرف العملة أمام الدولار.\n"
)
OTHER = (
    "افتتاح معرض الكتاب بمشاركة ألف دار نشر\n"
    "افتتح وزير الثقافة معرض الكتاب في دورته الجديدة بمشاركة نحو ألف دار نشر من الدول العربية والأجنبية، وسط إقبال كبير من الزوار في اليوم الأول.\n"
    "ويضم المعرض هذا العام أكثر من خمسمئة فعالية ثقافية بين ندوات وأمسيات شعرية وورش للأطفال، إلى جانب جناح خاص لضيف الشرف.\n"
    "المصدر: اليوم السابع\n"
)


@pytest.fixture(scope="module")
def outlets_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CLI run over a JSONL whose records carry their URL: one story carried by two outlets."""
    import json

    base = tmp_path_factory.mktemp("outlets_run")
    records = [
        {"url": "https://www.aljazeera.net/ebusiness/2024/5/12/central-bank", "text": STORY},
        {"url": "https://www.alarabiya.net/aswaq/economy/2024/05/12/bank", "text": STORY},
        {"url": "https://www.masress.com/alwafd/123456", "text": OTHER},
        {"text": STORY.replace("أبقى البنك", "وأبقى البنك").replace("الأحد 12 مايو 2024 - 10:30\n", "")},
    ]
    path = base / "pages.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    result = run_cli("run", "--input", str(path), "--output", str(base / "out"), "--quiet")
    assert result.returncode == 0, result.stderr[-2000:]
    return base / "out"


def test_source_name_reaches_the_articles_and_stories_tables(outlets_output: Path) -> None:
    import pyarrow.dataset as ds

    articles = ds.dataset(outlets_output / "articles", format="parquet", partitioning="hive").to_table().to_pylist()
    by_key = {a["source_uri"].rsplit("#", 1)[-1]: a for a in articles}
    assert by_key["L1"]["source_name"] == "الجزيرة نت"  # the site, not the wire its dateline credits
    assert by_key["L2"]["source_name"] == "العربية"
    assert by_key["L3"]["source_name"] == "اليوم السابع"  # an aggregator: the source it credits
    assert by_key["L4"]["source_name"] == "رويترز"  # no URL: the dateline's agency
    assert by_key["L1"]["published_at"].date().isoformat() == "2024-05-12"
    stories = ds.dataset(outlets_output / "stories", format="parquet", partitioning="hive").to_table().to_pylist()
    story = next(s for s in stories if by_key["L1"]["article_id"] in s["article_ids"])
    assert {"الجزيرة نت", "العربية"} <= set(story["sources"]) and story["sources"] == sorted(story["sources"])


def test_the_report_lists_each_storys_outlets_by_name(outlets_output: Path, tmp_path: Path) -> None:
    sections = _report(outlets_output, tmp_path / "report.html")
    rows = sections["stories"]
    assert any("الجزيرة نت" in cell and "العربية" in cell and "، " in cell for cell in rows), rows
    assert "اليوم السابع" in rows
