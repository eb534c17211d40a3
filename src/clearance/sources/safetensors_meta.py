"""The `__metadata__` of a safetensors file's header.

Read by hand rather than with the `safetensors` package, which is not a dependency and would
read the tensor index too: the format is an 8-byte little-endian length, then that many bytes of
JSON. The length is bounded (safetensors itself refuses headers over 100 MB).
"""

from __future__ import annotations

from pathlib import Path

from clearance.util.errors import ClearanceError

MAX_HEADER_BYTES = 100 * 1024 * 1024


class SafetensorsError(ClearanceError, ValueError):
    pass


def read_safetensors_metadata(path: Path) -> dict[str, str]:
    import json

    try:
        with path.open("rb") as fh:
            head = fh.read(8)
            if len(head) < 8:
                raise SafetensorsError(f"{path}: {len(head)} bytes, too short for a safetensors header")
            length = int.from_bytes(head, "little")
            size = path.stat().st_size
            if length > MAX_HEADER_BYTES or length > size - 8:
                raise SafetensorsError(f"{path}: header length {length} exceeds the file ({size} bytes) or {MAX_HEADER_BYTES} bytes")
            raw = fh.read(length)
    except OSError as exc:
        raise SafetensorsError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise SafetensorsError(f"{path}: header is not JSON ({str(exc)[:120]})") from None
    if not isinstance(header, dict):
        raise SafetensorsError(f"{path}: header is a JSON {type(header).__name__}, not an object")
    meta = header.get("__metadata__") or {}
    if not isinstance(meta, dict):
        raise SafetensorsError(f"{path}: __metadata__ is a {type(meta).__name__}, not an object")
    return {k: v for k, v in meta.items() if isinstance(k, str) and isinstance(v, str)}
