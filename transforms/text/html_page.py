"""HTML pages: trafilatura's main text and metadata, then the line classifier."""

from __future__ import annotations

from collections import Counter

from khabar.transforms.text.page_lines import BoilerplateConfig, Extraction, extract_text_page, parse_iso_date


def _clean_site_name(name: str | None) -> str | None:
    """The page's declared site name (og:site_name, application-name, ...), None when it is a URL or empty."""
    name = " ".join((name or "").split())
    return name if name and "/" not in name and len(name) <= 60 else None


def extract_html_page(
    html: str, url: str | None, config: BoilerplateConfig | None = None, templates: frozenset[int] = frozenset()
) -> Extraction:
    """Main text and metadata with trafilatura, then the same line classifier."""
    import trafilatura

    config = config or BoilerplateConfig()
    result = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=config.html_favor == "precision",
        favor_recall=config.html_favor == "recall",
        date_extraction_params={"extensive_search": True, "original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"},
    )
    if result is None or not (result.text or "").strip():
        return Extraction(title=getattr(result, "title", None), body=[], removed=Counter({"html_no_main_text": 1}))
    extraction = extract_text_page(result.text, config, templates, known_title=result.title or None)
    extraction.site_name = _clean_site_name(result.sitename)
    extraction.source_name = extraction.source_name or extraction.site_name
    extraction.author = extraction.author or result.author or None
    if extraction.published_at is None and result.date:
        extraction.published_at = parse_iso_date(result.date)
    return extraction
