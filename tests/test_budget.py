"""Per-document time budgets: a stuck extraction is killed and becomes a
`timeout` reject; the next document is processed as usual."""

from __future__ import annotations

import copy
import os
import time
from pathlib import Path

import pytest
from khabar.transforms.runtime.budget import BudgetExceeded, ChildFailed, Sandbox
from khabar.transforms.runtime.records import Document, Reject
from khabar.transforms.strip_boilerplate import StripBoilerplateFn
from khabar.transforms.text.page_lines import BoilerplateConfig

from tests.conftest import ARABIC_PARAGRAPH, html_page, run_cli, sample_texts

# 60,000 two-word paragraphs (1 MB): extraction takes about 7 s here.
STALLING_HTML = "<html><body>" + "<p>كلمة عربية</p>\n" * 60_000 + "</body></html>"


def _html_doc(html: str, name: str) -> Document:
    return Document(
        source_uri=f"file:///pages/{name}.html", record_key="", content=html, content_type="html", size_bytes=len(html), digest=name
    )


def test_a_call_over_budget_is_killed_and_the_next_one_runs() -> None:
    sandbox = Sandbox(time.sleep, 0.3)
    try:
        started = time.monotonic()
        with pytest.raises(BudgetExceeded):
            sandbox(30)
        assert time.monotonic() - started < 10  # killed, not waited for
        assert sandbox(0) is None
    finally:
        sandbox.close()


def test_errors_and_dying_children_are_reported_not_raised_raw() -> None:
    sandbox = Sandbox(int, 30)
    try:
        with pytest.raises(ChildFailed, match="ValueError"):
            sandbox("not a number")
        assert sandbox("42") == 42
    finally:
        sandbox.close()
    dying = Sandbox(os._exit, 30)
    try:
        with pytest.raises(ChildFailed, match="died"):
            dying(3)
    finally:
        dying.close()


def test_a_page_that_stalls_extraction_becomes_a_timeout_reject_and_the_stage_goes_on() -> None:
    # The stalling page needs about 7 s, an ordinary page a few milliseconds.
    fn = StripBoilerplateFn(BoilerplateConfig(time_budget_s=1.0))
    fn.setup()
    try:
        (reject,) = list(fn.process(_html_doc(STALLING_HTML, "stalling")))
        assert isinstance(reject, Reject) and (reject.stage, reject.reason) == ("boilerplate", "timeout")
        fine = _html_doc(html_page("وزير الداخلية العراقي يزور دمشق لبحث التعاون الأمني", [ARABIC_PARAGRAPH] * 4), "fine")
        (document,) = list(fn.process(fine))
        assert isinstance(document, Document) and document.text
    finally:
        fn.teardown()


def test_budgeted_and_inline_extraction_give_the_same_result() -> None:
    page = _html_doc(html_page("وزير الداخلية العراقي يزور دمشق لبحث التعاون الأمني", [ARABIC_PARAGRAPH] * 4), "same")
    results = []
    for budget in (0.0, 30.0):
        fn = StripBoilerplateFn(BoilerplateConfig(time_budget_s=budget))
        fn.setup()
        try:
            (document,) = list(fn.process(copy.deepcopy(page)))
            results.append((document.title, document.text, document.source_name))
        finally:
            fn.teardown()
    assert results[0] == results[1]


def test_the_cli_rejects_a_stalling_page_with_reason_timeout_and_keeps_the_rest(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "stalling.html").write_text(STALLING_HTML, encoding="utf-8")
    (inbox / "article.txt").write_text(next(iter(sample_texts().values())), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("run", "--input", str(inbox), "--output", str(out), "--quiet", "--boilerplate-time-budget-s", "1")
    assert result.returncode == 0, result.stderr
    import pyarrow.dataset as ds

    rejects = ds.dataset(str(out / "rejects"), format="parquet").to_table().to_pylist()
    articles = ds.dataset(str(out / "articles"), format="parquet").to_table().to_pylist()
    assert [(r["stage"], r["reason"]) for r in rejects] == [("boilerplate", "timeout")]
    assert len(articles) == 1
