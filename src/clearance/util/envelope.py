"""The envelope of every JSON document Clearance writes: `{"schema_version": N, ...}`, the
version first. One place for the key, its position and the JSON layout (two-space indent), so
the CLI, the server and the library write the same documents; and the reader's check.

`json` is imported when a document is written, not with this module: the cold `check` path
imports this for its result types and prints text.
"""

from __future__ import annotations

KEY = "schema_version"


def envelope(version: int, /, **payload):
    """`{"schema_version": version, **payload}`: a JSON-ready dict, the version first."""
    return {KEY: version, **payload}


def dumps(version: int, payload: dict, /, *, default=None) -> str:
    """`payload` enveloped, as JSON text indented two spaces. `default` as `json.dumps`'s
    (e.g. `str` for dates)."""
    import json

    return json.dumps({KEY: version, **payload}, indent=2, default=default)


def version_of(doc) -> object:
    """The version a parsed document claims, or None (not an object, or no version)."""
    return doc.get(KEY) if isinstance(doc, dict) else None
