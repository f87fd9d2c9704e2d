"""Shared fixtures: the sample corpus, the gold, and builders of real input files."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

if TYPE_CHECKING:
    from khabar.transforms.runtime.records import Document

os.environ.setdefault("CAMELTOOLS_DATA", str(ROOT / ".camel_tools_data"))


@pytest.fixture(scope="session")
def samples() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def gold() -> dict:
    return json.loads((FIXTURES / "gold_seeds.json").read_text(encoding="utf-8"))


def sample_texts() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))}


ARABIC_PARAGRAPH = (
    "أعلن وزير الداخلية العراقي عبد الأمير الشمري، اليوم الأحد، عن توقيع مذكرة للتعاون الأمني المشترك "
    "مع الجانب السوري، عقب اجتماع مع وزير الداخلية محمد الرحمون في العاصمة بغداد."
)


def html_page(title: str, paragraphs: list[str], charset: str = "utf-8") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="{charset}"><title>{title}</title>'
        '<meta property="og:site_name" content="موقع الخبر"></head><body>'
        '<nav><ul><li><a href="/">الرئيسية</a></li><li><a href="/news">أخبار</a></li><li><a href="/sport">رياضة</a></li></ul></nav>'
        f"<article><h1>{title}</h1>{body}</article>"
        '<aside><h3>الأكثر قراءة</h3><ul><li><a href="/a">خبر أول عن شيء آخر</a></li><li><a href="/b">خبر ثان</a></li></ul></aside>'
        "<footer>جميع الحقوق محفوظة © 2024</footer></body></html>"
    )


def write_warc(path: Path, pages: list[tuple[str, str, str]]) -> None:
    """pages: (url, content_type, body) -> a gzip WARC with one response record each."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=path.name.endswith(".gz"))
        for url, ctype, body in pages:
            payload = body.encode("utf-8")
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype), ("Content-Length", str(len(payload)))], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(payload), http_headers=headers))


@pytest.fixture
def corpus(tmp_path: Path) -> dict[str, Path]:
    """One input of every supported format, each holding real Arabic article text."""
    texts = sample_texts()
    first, second = list(texts.values())[:2]
    paths: dict[str, Path] = {}
    d = tmp_path / "in"
    d.mkdir()
    paths["txt"] = d / "a.txt"
    paths["txt"].write_text(first, encoding="utf-8")
    paths["gz"] = d / "b.txt.gz"
    paths["gz"].write_bytes(gzip.compress(second.encode("utf-8")))
    paths["bz2"] = d / "c.txt.bz2"
    paths["bz2"].write_bytes(bz2.compress(second.encode("utf-8")))
    import zstandard

    paths["zst"] = d / "d.txt.zst"
    paths["zst"].write_bytes(zstandard.ZstdCompressor().compress(first.encode("utf-8")))
    paths["html"] = d / "e.html"
    paths["html"].write_text(
        html_page("عنوان تجريبي للخبر", [ARABIC_PARAGRAPH, ARABIC_PARAGRAPH.replace("الأحد", "الاثنين")]), encoding="utf-8"
    )
    paths["jsonl"] = d / "f.jsonl"
    paths["jsonl"].write_text(
        "\n".join(
            json.dumps(o, ensure_ascii=False)
            for o in [
                {"text": first, "url": "https://example.org/1", "published": "2024-05-12T12:52:00+03:00"},
                {"html": html_page("خبر", [ARABIC_PARAGRAPH]), "url": "https://example.org/2"},
            ]
        ),
        encoding="utf-8",
    )
    paths["warc"] = d / "g.warc.gz"
    write_warc(paths["warc"], [("https://example.org/w1", "text/html; charset=utf-8", html_page("خبر من الأرشيف", [ARABIC_PARAGRAPH]))])
    paths["zip"] = tmp_path / "h.zip"
    with zipfile.ZipFile(paths["zip"], "w") as archive:
        archive.writestr("news/one.txt", first)
        archive.writestr("news/two.txt", second)
    paths["tar"] = d / "i.tar.gz"
    with tarfile.open(paths["tar"], "w:gz") as archive:
        data = first.encode("utf-8")
        info = tarfile.TarInfo("x/one.txt")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    paths["cp1256"] = d / "j.txt"
    paths["cp1256"].write_bytes(second.encode("cp1256", errors="replace"))
    return paths


@pytest.fixture
def bad_inputs(tmp_path: Path) -> Path:
    """A directory of bad inputs next to one good and one windows-1256 article."""
    texts = list(sample_texts().values())
    d = tmp_path / "bad"
    d.mkdir()
    (d / "good.txt").write_text(texts[0], encoding="utf-8")
    (d / "arabic_1256.txt").write_bytes(texts[1].encode("cp1256", errors="replace"))
    (d / "junk.bin").write_bytes(bytes(range(256)) * 40)
    (d / "empty.txt").write_bytes(b"")
    (d / "blank.txt").write_text("  \n\n \n", encoding="utf-8")
    (d / "big.txt").write_bytes(("كلمة " * 50_000).encode("utf-8"))  # 500 KB; the tests set a 100 KB limit
    (d / "lines.jsonl").write_text(
        json.dumps({"text": texts[2]}, ensure_ascii=False) + "\n{not json}\n" + json.dumps({"title": "no body"}) + "\n",
        encoding="utf-8",
    )
    (d / "broken.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 50)
    (d / "broken.txt.gz").write_bytes(b"\x1f\x8b\x08\x00garbage-not-gzip")
    (d / "nav_only.txt").write_text("الرئيسية\nأخبار\nرياضة\nاتصل بنا\n", encoding="utf-8")
    return d


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    """Run the installed `khabar` CLI in a subprocess, as a user would."""
    full_env = {**os.environ, **(env or {})}
    khabar = Path(sys.executable).with_name("khabar")
    command = [str(khabar)] if khabar.exists() else [sys.executable, "-m", "khabar.pipelines.cli"]
    return subprocess.run([*command, *args], capture_output=True, text=True, env=full_env, timeout=timeout, cwd=ROOT)


@pytest.fixture(scope="session")
def sample_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One CLI run over samples/, shared by the tests that only read its output."""
    out = tmp_path_factory.mktemp("samples_run") / "out"
    result = run_cli("run", "--input", str(SAMPLES), "--output", str(out), "--quiet")
    assert result.returncode == 0, result.stderr[-2000:]
    return out


def cleaned_document(name: str, page: str, digest: str | None = None) -> Document:
    """A Document as the pipeline has it after boilerplate removal and normalization."""
    from khabar.transforms.runtime.records import Document
    from khabar.transforms.text.normalize import content_hash, normalize_text
    from khabar.transforms.text.page_lines import extract_text_page

    extraction = extract_text_page(page)
    body = "\n\n".join(extraction.body)
    norm = normalize_text(body)
    return Document(
        source_uri=f"file:///s/{name}",
        record_key="",
        content="",
        content_type="text",
        size_bytes=1,
        digest=digest or name,
        text=body,
        text_normalized=norm,
        content_hash=content_hash(norm),
        title=extraction.title,
        language="ar",
    )


# Two outlets' rewrites of one report (no passage of a dozen words in common), the same minister
# and fund on another occasion, and another event: written for these tests.
REWRITE_A = (
    "عمّان - افتتح وزير الطاقة والثروة المعدنية صالح الخرابشة، اليوم الأحد، محطة الطفيلة لطاقة الرياح بقدرة 117 ميغاواط، "
    "بكلفة إجمالية بلغت 290 مليون دولار، بتمويل من صندوق أبوظبي للتنمية.\n\n"
    "وقال الخرابشة في كلمة خلال حفل الافتتاح إن المحطة ستغطي احتياجات نحو 80 ألف منزل من الكهرباء النظيفة، "
    "وتخفض انبعاثات الكربون بمقدار 235 ألف طن سنويا.\n\n"
    "وأضاف أن مشاريع الطاقة المتجددة باتت تشكل 27 بالمئة من إنتاج الكهرباء في المملكة."
)
REWRITE_B = (
    "دشّن الخرابشة، وزير الطاقة الأردني، الأحد مشروع رياح الطفيلة الذي تبلغ قدرته 117 ميغاواط، "
    "وكلف 290 مليون دولار موّلها صندوق أبوظبي للتنمية.\n\n"
    "وأوضح الوزير أن الكهرباء التي تولدها توربينات المحطة تكفي 80 ألف منزل، "
    "وأنها ستقلص انبعاثات الكربون 235 ألف طن كل عام.\n\n"
    "ولفت إلى أن الطاقة المتجددة أصبحت توفر 27 بالمئة من كهرباء الأردن."
)
OTHER_OCCASION = (
    "عمّان - بحث وزير الطاقة والثروة المعدنية صالح الخرابشة مع وفد من صندوق أبوظبي للتنمية تمويل مشروع "
    "لتخزين الطاقة بقدرة 40 ميغاواط ساعة في محافظة معان، بكلفة 65 مليون دولار.\n\n"
    "وقال الخرابشة إن الوزارة تسعى إلى رفع حصة الطاقة المتجددة في إنتاج الكهرباء خلال السنوات المقبلة."
)
UNRELATED = (
    "الرباط - توج فريق الوداد البيضاوي بلقب الدوري المغربي لكرة القدم بعد فوزه على الجيش الملكي بهدفين "
    "مقابل هدف في المباراة التي جرت على ملعب محمد الخامس.\n\n"
    "وسجل هدفي الوداد المهاجم أيوب الكعبي في الشوط الثاني، فيما أحرز هدف الجيش اللاعب محمد ربيع حريمات."
)


def rewrite_texts() -> dict[str, str]:
    """Two rewrites of one report (ra, rb), another occasion of its people (oc), another event (un)."""
    return {"ra": REWRITE_A, "rb": REWRITE_B, "oc": OTHER_OCCASION, "un": UNRELATED}
