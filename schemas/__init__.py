"""pyarrow schemas of khabar's output tables (see tables.py)."""

from khabar.schemas.tables import (
    ARTICLES,
    ENTITIES,
    FILES,
    FINGERPRINTS,
    PARTITION_COLUMN,
    REJECTS,
    SORT_KEYS,
    STORIES,
    TABLES,
    SchemaError,
    describe,
    replace_columns,
    validate_columns,
    validate_rows,
)

__all__ = [
    "ARTICLES",
    "ENTITIES",
    "FILES",
    "FINGERPRINTS",
    "PARTITION_COLUMN",
    "REJECTS",
    "SORT_KEYS",
    "STORIES",
    "TABLES",
    "SchemaError",
    "describe",
    "replace_columns",
    "validate_columns",
    "validate_rows",
]
