"""The `general.*` fields of a GGUF file's header, read with the `gguf` package.

A truncated or corrupt file gives a GGUFError with a clear message, never a traceback: the
reader checks every offset against the file, and whatever it raises is caught here.
"""

from __future__ import annotations

from pathlib import Path

from clearance.util import TYPE_CHECKING
from clearance.util.errors import ClearanceError

if TYPE_CHECKING:
    from typing import Any


MAX_TEXT = 4_096  # a general.* value longer than this is cut


class GGUFError(ClearanceError, ValueError):
    pass


def read_gguf_general(path: Path) -> dict[str, Any]:
    """The header's `general.*` key/values (strings, numbers, lists of them)."""
    from gguf import GGUFReader

    try:
        if path.stat().st_size < 24:
            raise GGUFError(f"{path}: {path.stat().st_size} bytes, too short for a GGUF header")
        reader = GGUFReader(path, "r")
    except GGUFError:
        raise
    except Exception as exc:  # noqa: BLE001 - the gguf reader raises ValueError, IndexError, struct and numpy errors alike
        raise GGUFError(f"{path}: not a readable GGUF file ({type(exc).__name__}: {str(exc)[:160]})") from None
    out: dict[str, Any] = {}
    for name, fld in reader.fields.items():
        if not name.startswith("general."):
            continue
        try:
            value = fld.contents()
        except Exception:  # noqa: BLE001, S112 - one unreadable field: skip it, keep the others
            continue
        if isinstance(value, str) and len(value) > MAX_TEXT:
            value = value[:MAX_TEXT] + "…"
        out[name] = value
    return out
