"""The schemas are the single description of the tables: documented, stable, and in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pytest
from khabar.schemas import SORT_KEYS, TABLES

README = Path(__file__).resolve().parent.parent / "README.md"

REQUIRED = {
    "articles": "article_id source_uri source_name title published_at language text text_normalized word_count content_hash story_id is_canonical duplicate_of duplicate_kind ingested_at pipeline_version",
    "entities": "article_id entity_id text canonical type start end method confidence",
    "stories": "story_id canonical_article_id article_ids size title",
    "rejects": "source_uri stage reason message size_bytes ingested_at",
}


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_field_is_documented(table: str) -> None:
    for field in TABLES[table]:
        assert field.metadata and field.metadata.get(b"description"), f"{table}.{field.name}"


@pytest.mark.parametrize("table", sorted(REQUIRED))
def test_required_contract_columns_exist(table: str) -> None:
    assert set(REQUIRED[table].split()) <= set(TABLES[table].names)


def test_published_at_is_utc_timestamp_and_article_ids_is_a_list() -> None:
    assert TABLES["articles"].field("published_at").type == pa.timestamp("us", tz="UTC")
    assert TABLES["stories"].field("article_ids").type == pa.list_(pa.string())


def test_entity_offsets_say_which_article_column_they_point_into() -> None:
    # a mention is identified by article_id, field and start: title and text offsets may be equal
    entities = TABLES["entities"]
    assert entities.field("field").type == pa.string()
    assert entities.names.index("field") < entities.names.index("start")
    assert SORT_KEYS["entities"][:3] == ("article_id", "field", "start")
    assert set(SORT_KEYS["entities"]) <= set(entities.names)
    description = entities.field("field").metadata[b"description"].decode()
    assert "'title'" in description and "'text'" in description


@pytest.mark.parametrize("table", sorted(TABLES))
def test_readme_documents_every_column(table: str) -> None:
    readme = README.read_text(encoding="utf-8")
    section = readme.split(f"### `{table}`", 1)[1].split("\n### ", 1)[0]
    documented = re.findall(r"^\| `([a-z_0-9]+)` \|", section, flags=re.M)
    assert documented == TABLES[table].names
