"""The Hub API, through huggingface_hub's `HfApi.model_info` / `dataset_info` (with cardData).

Honours HF_ENDPOINT, HF_TOKEN and HF_HUB_OFFLINE, read when the source is made (huggingface_hub
reads them once, at import). Answers are kept on disk (`CLEARANCE_CACHE_DIR`, else
`$XDG_CACHE_HOME/clearance`, else ~/.cache/clearance; under `hub/`) for `ttl` seconds, "not
found" included. Offline, the source answers from that cache alone and never opens a socket.

Each repository's license files (LICENSE, USE_POLICY.md, NOTICE ... and the file `license_link`
names inside it) are read too, at the metadata's revision, and cached under the same dir
(sources/hubfiles.py); `files=False` skips them.
"""

from __future__ import annotations

import os
from pathlib import Path

from clearance.artifacts.ids import Ref
from clearance.sources.interface import LookupFailed, Record, Source
from clearance.util import TYPE_CHECKING
from clearance.util.jsoncache import JsonCache, fresh

if TYPE_CHECKING:
    from typing import Any


DEFAULT_TTL = 24 * 3600
DEFAULT_ENDPOINT = "https://huggingface.co"


def is_offline() -> bool:
    return (os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE") or "").upper() in {"1", "ON", "YES", "TRUE"}


def default_cache_dir() -> Path:
    from clearance.util.paths import cache_dir

    return cache_dir("hub")


class HubSource(Source):
    name = "hub"

    def __init__(self, *, endpoint: str | None = None, token: str | None = None, offline: bool | None = None,
                 cache_dir: str | Path | None = None, ttl: float = DEFAULT_TTL, timeout: float = 30.0,
                 files: bool = True, max_file_bytes: int | None = None) -> None:
        self.endpoint = (endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")
        self.token = token or os.environ.get("HF_TOKEN") or None
        self.offline = is_offline() if offline is None else offline
        self.name = "hub (offline: cached answers only)" if self.offline else "hub"
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self._cache = JsonCache(self.cache_dir)
        self.ttl = ttl
        self.timeout = timeout
        self.files = files  # read each repository's license files too
        self.max_file_bytes = max_file_bytes
        self._requests = 0  # metadata calls that reached the network
        self._api = None
        self._files = None

    @property
    def requests(self) -> int:
        """Calls that reached the network: metadata and license files."""
        return self._requests + (self._files.requests if self._files is not None else 0)

    # -- the disk cache (util.jsoncache: one JSON entry per ref) --------------------------------
    def _cache_path(self, ref: Ref) -> Path:
        return self._cache.path(self._cache_name(ref))

    def _cache_name(self, ref: Ref) -> str:
        return f"{self.endpoint}|{ref.kind}|{ref.id.lower()}|{ref.revision or ''}"

    def _cached(self, ref: Ref) -> tuple[bool, dict[str, Any] | None]:
        """(hit, record): a hit with record None is a cached "not found"."""
        entry = self._cache.read(self._cache_name(ref))
        try:
            if entry is not None and fresh(entry, self.ttl, self.offline) and (
                    entry["record"] is None or isinstance(entry["record"], dict)):
                return True, entry["record"]
        except (ValueError, KeyError, TypeError):
            pass
        return False, None

    def _store(self, ref: Ref, record: dict[str, Any] | None) -> None:
        self._cache.write(self._cache_name(ref), {"endpoint": self.endpoint, "kind": ref.kind, "id": ref.id,
                                                  "revision": ref.revision, "record": record})

    # -- the API -------------------------------------------------------------------------------
    def _fetch(self, ref: Ref) -> dict[str, Any] | None:
        from huggingface_hub import HfApi
        from huggingface_hub.errors import (
            GatedRepoError,
            HfHubHTTPError,
            HFValidationError,
            OfflineModeIsEnabled,
            RepositoryNotFoundError,
            RevisionNotFoundError,
        )

        if self._api is None:
            self._api = HfApi(endpoint=self.endpoint, token=self.token)
        self._requests += 1
        try:
            if ref.kind == "dataset":
                info = self._api.dataset_info(ref.id, revision=ref.revision, timeout=self.timeout)
            else:
                info = self._api.model_info(ref.id, revision=ref.revision, timeout=self.timeout)
        except GatedRepoError:
            raise LookupFailed(f"{ref.id}: gated on {self.endpoint}; accept its terms or set HF_TOKEN") from None
        except (RepositoryNotFoundError, RevisionNotFoundError, HFValidationError):
            return None
        except OfflineModeIsEnabled:
            raise LookupFailed(f"{ref.id}: huggingface_hub is in offline mode (HF_HUB_OFFLINE)") from None
        except HfHubHTTPError as exc:
            status = exc.response.status_code if exc.response is not None else "?"
            raise LookupFailed(f"{ref.id}: {self.endpoint} answered HTTP {status}") from None
        except (OSError, ValueError, RecursionError) as exc:  # network errors, bad JSON
            raise LookupFailed(f"{ref.id}: could not reach {self.endpoint} ({type(exc).__name__}: {str(exc)[:120]})") from None
        except Exception as exc:  # httpx2's transport errors are not OSErrors in every version
            if type(exc).__module__.startswith("httpx"):
                raise LookupFailed(f"{ref.id}: could not reach {self.endpoint} ({type(exc).__name__})") from None
            raise
        return info_to_record(info, ref.kind)

    def lookup(self, ref: Ref) -> Record | None:
        if ref.is_path:
            return None
        hit, raw = self._cached(ref)
        if not hit:
            if self.offline:
                return None
            raw = self._fetch(ref)
            self._store(ref, raw)
        if raw is None:
            return None
        from clearance.sources.hubrecord import RecordError, parse_record  # only with a record to read

        where = f"hub {ref.kind} {ref.id}"
        try:
            rec = parse_record(raw, source=f"hub:{self.endpoint}", where=where, kind=ref.kind)
        except RecordError as exc:
            raise LookupFailed(str(exc)) from None
        if self.files and isinstance(raw.get("siblings"), list) and raw["siblings"]:
            rec = self._with_files(rec, raw, ref)
        return rec

    def _with_files(self, rec: Record, raw: dict[str, Any], ref: Ref) -> Record:
        """The record with its license files' texts as `license_file` signals, and each file
        looked at (SHA-256 and size, or why it was not read) on the artifact."""
        from dataclasses import replace

        from clearance.sources.hubfiles import MAX_FILE_BYTES, HubFiles

        if self._files is None:
            self._files = HubFiles(endpoint=self.endpoint, token=self.token, offline=self.offline,
                                   cache_dir=self.cache_dir, ttl=self.ttl, timeout=self.timeout,
                                   max_bytes=self.max_file_bytes or MAX_FILE_BYTES)
        art = rec.artifact
        revision = art.revision or ref.revision
        found = self._files.read(raw, art.id, art.kind, revision, f"hub {art.kind} {art.id}")
        if not found.files:
            return rec
        evidence = art.evidence + tuple(("license_files", s.where) for s in found.signals)
        art = replace(art, licenses=art.licenses + tuple(found.signals), license_files=tuple(found.files),
                      revision=revision, evidence=evidence, warnings=art.warnings + tuple(found.warnings))
        return Record(art, rec.edges)


def info_to_record(info: Any, kind: str) -> dict[str, Any]:
    """A ModelInfo / DatasetInfo back into the API's JSON shape (the snapshot contract)."""
    card = getattr(info, "card_data", None)
    try:
        card_dict = card.to_dict() if card is not None and hasattr(card, "to_dict") else card
    except Exception:  # noqa: BLE001 - a card huggingface_hub cannot serialise: keep its plain fields
        card_dict = {k: v for k, v in vars(card).items() if isinstance(v, (str, int, float, bool, list, dict))}
    created = getattr(info, "created_at", None)
    config = getattr(info, "config", None)
    return {
        "type": kind,
        "id": info.id,
        "author": getattr(info, "author", None),
        "sha": getattr(info, "sha", None),
        "createdAt": created.isoformat() if hasattr(created, "isoformat") else created,
        "downloads": getattr(info, "downloads", None),
        "likes": getattr(info, "likes", None),
        "gated": getattr(info, "gated", None),
        "pipeline_tag": getattr(info, "pipeline_tag", None),
        "library_name": getattr(info, "library_name", None),
        "tags": list(getattr(info, "tags", None) or []),
        "cardData": card_dict if isinstance(card_dict, dict) else None,
        "siblings": [{"rfilename": s.rfilename} for s in (getattr(info, "siblings", None) or [])],
        "gguf": getattr(info, "gguf", None),
        "config": {"quantization_config": config["quantization_config"]}
        if isinstance(config, dict) and isinstance(config.get("quantization_config"), dict) else None,
    }
