"""Print the README's table reference from the schemas: `python -m khabar.schemas.docs`."""

from __future__ import annotations

from khabar.schemas.tables import TABLES, describe


def markdown() -> str:
    parts = []
    for table in TABLES:
        parts.append(f"### `{table}`\n\n| column | type | description |\n|---|---|---|")
        parts.extend(f"| `{name}` | {type_} | {text} |" for name, type_, text in describe(table))
        parts.append("")
    return "\n".join(parts)


if __name__ == "__main__":
    print(markdown())
