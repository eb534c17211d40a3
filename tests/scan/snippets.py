"""Running one reader over a snippet written for a test: what the scan tests compare."""

from __future__ import annotations

from clearance.scan.collect import Collector


def collect(reader, text: str, rel: str = "f", root: str = "/nonexistent-root") -> Collector:
    col = Collector(root, rel)
    reader(text, col)
    return col


def found(reader, text: str, rel: str = "f") -> set[tuple[str, str, str]]:
    """(id, kind, role) of every reference the reader reports."""
    return {(h.id, h.kind, h.role) for h in collect(reader, text, rel).hits}


def ids(reader, text: str, rel: str = "f") -> set[str]:
    return {i for i, _, _ in found(reader, text, rel)}
