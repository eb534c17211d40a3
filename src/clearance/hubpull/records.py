"""Listing items (the Hub API's JSON, one object per model or dataset) to Arrow tables of the
snapshot contract (DESIGN.md): one fixed schema, so that every page, part file and the final
file share it and a ParquetWriter can stream them.

`cardData` varies in shape from card to card (a license is a string or a list, any key may
appear), so it is kept as a JSON string column, as bench/synth_snapshot.py writes it; DuckDB's
json functions (analytics/tables.py) and sources/snapshot.py read that form. `gated` is the
Hub's `false | "auto" | "manual"`: a string column, null when the repository is not gated.
`deleted_at` is null on every row the Hub still lists; an incremental pull sets it (UTC, ISO
8601) on a row whose repository the Hub no longer lists.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa

KIND_TYPE = {"models": "model", "datasets": "dataset"}

SCHEMA = pa.schema([
    ("type", pa.string()),
    ("id", pa.string()),
    ("author", pa.string()),
    ("sha", pa.string()),
    ("createdAt", pa.string()),
    ("lastModified", pa.string()),
    ("downloads", pa.int64()),
    ("likes", pa.int64()),
    ("tags", pa.list_(pa.string())),
    ("pipeline_tag", pa.string()),
    ("library_name", pa.string()),
    ("gated", pa.string()),
    ("cardData", pa.string()),
    ("siblings", pa.list_(pa.struct([("rfilename", pa.string())]))),
    ("deleted_at", pa.string()),
])
COLUMNS = tuple(SCHEMA.names)
_TEXT = ("author", "sha", "createdAt", "lastModified", "pipeline_tag", "library_name")

# The id listing an incremental pull reads to learn which repositories still exist.
IDS_SCHEMA = pa.schema([("id", pa.string())])


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63 else None


def _gated(value: Any) -> str | None:
    if value is None or value is False:
        return None
    if value is True:
        return "true"
    return value if isinstance(value, str) else None


def _card(value: Any) -> str | None:
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    if isinstance(value, str):  # already JSON text (a snapshot written by another tool)
        try:
            return value if isinstance(json.loads(value), dict) else None
        except ValueError:
            return None
    return None


def _siblings(value: Any) -> list[dict[str, str]] | None:
    if not isinstance(value, list):
        return None
    out = []
    for s in value:
        name = s.get("rfilename") if isinstance(s, Mapping) else None
        if isinstance(name, str):
            out.append({"rfilename": name})
    return out


def to_table(items: list[Any], type_: str | None) -> tuple[pa.Table, int]:
    """(table, skipped): the items as rows of SCHEMA; `type_` ("model" | "dataset") is every
    row's type, or None to keep each item's own `type` (default "model"). An item that is not
    an object with a string id is skipped (counted). Items may be changed in place."""
    if type_ is not None:
        try:  # the usual page: every field of the type the Hub documents; Arrow converts it in C
            for item in items:
                if not isinstance(item.get("id"), str) or not item["id"]:
                    raise TypeError("no id")
                item["type"] = type_
                card = item.get("cardData")
                item["cardData"] = _card(card) if card is not None else None
                gated = item.get("gated")
                if gated is not None and not isinstance(gated, str):
                    item["gated"] = _gated(gated)
                if item.get("deleted_at") is not None:
                    raise TypeError("deleted_at is ours")
            return pa.Table.from_pylist(items, schema=SCHEMA), 0
        except (AttributeError, TypeError, ValueError, OverflowError, pa.ArrowException):
            pass  # something off somewhere in the page: the careful way, field by field
    return _careful(items, type_)


def _careful(items: Iterable[Any], type_: str | None) -> tuple[pa.Table, int]:
    cols: dict[str, list[Any]] = {name: [] for name in COLUMNS}
    skipped = 0
    for item in items:
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str) or not item["id"]:
            skipped += 1
            continue
        own = item.get("type")
        cols["type"].append(type_ or (own if own in ("model", "dataset") else "model"))
        cols["id"].append(item["id"])
        for name in _TEXT:
            cols[name].append(_text(item.get(name)))
        cols["downloads"].append(_count(item.get("downloads")))
        cols["likes"].append(_count(item.get("likes")))
        tags = item.get("tags")
        cols["tags"].append([t for t in tags if isinstance(t, str)] if isinstance(tags, list) else None)
        cols["gated"].append(_gated(item.get("gated")))
        cols["cardData"].append(_card(item.get("cardData")))
        cols["siblings"].append(_siblings(item.get("siblings")))
        cols["deleted_at"].append(_text(item.get("deleted_at")))
    return pa.table(cols, schema=SCHEMA), skipped


def ids_table(items: Iterable[Any]) -> pa.Table:
    return pa.table({"id": [i["id"] for i in items if isinstance(i, Mapping) and isinstance(i.get("id"), str)]},
                    schema=IDS_SCHEMA)


def conform(table: pa.Table) -> pa.Table:
    """A table read from an existing snapshot in SCHEMA: as is when it already has it (a file
    this package wrote), else through `to_table` (another tool's Parquet: any columns)."""
    if table.schema.remove_metadata().equals(SCHEMA):
        return table
    return to_table(table.to_pylist(), None)[0]
