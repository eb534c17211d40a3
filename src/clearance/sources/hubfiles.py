"""The license files of a Hub repository: LICENSE, LICENSE.md, LICENSE.txt, LICENSE-MODEL,
USE_POLICY.md, NOTICE and the file the card's `license_link` points to inside the repo.

Which files a repository has comes from the metadata's file list (`siblings`); each present is
read at the metadata's revision (the commit sha) from `{endpoint}/{id}/resolve/{sha}/{path}`,
with huggingface_hub's HTTP client and headers (HF_TOKEN, or the token `hf auth login` stored).
The bytes go to disk under the Hub source's cache dir (`files/`), one entry per (endpoint,
repo, revision, path); an entry at a commit sha never expires (the commit fixes the bytes), one
at a branch name lives as long as the metadata (`ttl`). Offline, only that cache answers.

Why not `hf_hub_download`: it sends a HEAD and then a GET for every file and writes a file of
any size before a caller could refuse it; here one GET per file is streamed and dropped past
`max_bytes` (a Content-Length, when the server sends one, refuses it before reading), and a
file too large, absent or gated leaves a note on the artifact rather than an exception.

The texts read become `license_file` signals whose value is the cached copy's path (what the
text detector reads) and whose `where` names the repo file and revision; every file looked at,
read or not, is a `LicenseFile` with its SHA-256 and size or the reason it was not read.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import field
from pathlib import Path

from clearance.artifacts.licensefile import LicenseFile
from clearance.artifacts.signals import LicenseSignal
from clearance.sources.hubrecord import sibling_names
from clearance.util import TYPE_CHECKING
from clearance.util.jsoncache import JsonCache, fresh
from clearance.util.lean import record

if TYPE_CHECKING:
    from typing import Any

LICENSE_NAMES = ("LICENSE", "LICENSE.md", "LICENSE.txt", "LICENSE-MODEL", "USE_POLICY.md", "NOTICE")
MAX_FILE_BYTES = 1024 * 1024
MAX_FILES = 8  # files read per repository (the names above and the license_link target)
GATED = "gated: accept the terms on the Hub or set HF_TOKEN"
_COMMIT = re.compile(r"[0-9a-f]{40}")
_CHUNK = 64 * 1024


@record
class Files:
    """What the files step found for one repository."""

    signals: list[LicenseSignal] = field(default_factory=list)
    files: list[LicenseFile] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def wanted_files(raw: Mapping[str, Any], repo_id: str, kind: str, endpoint: str) -> list[str]:
    """The repository paths to read: the license names present at its root (any case), then
    the file `license_link` names inside the repo when the file list has it."""
    names = sibling_names(raw.get("siblings"))
    by_lower: dict[str, str] = {}
    for n in names:
        by_lower.setdefault(n.lower(), n)
    out = [by_lower[n.lower()] for n in LICENSE_NAMES if n.lower() in by_lower]
    card = raw.get("cardData")
    link = card.get("license_link") if isinstance(card, Mapping) else None
    target = link_target(link, repo_id, kind, endpoint) if isinstance(link, str) else None
    if target is not None:
        target = by_lower.get(target.lower())  # only a file the repo has: no request for a 404
        if target is not None and target not in out:
            out.append(target)
    return out[:MAX_FILES]


_HUB_HOSTS = ("huggingface.co", "hf.co", "www.huggingface.co")


def link_target(link: str, repo_id: str, kind: str, endpoint: str) -> str | None:
    """The repo path a `license_link` names, or None when it points elsewhere.

    "LICENSE", "./LICENSE.md", "/LICENSE", "https://huggingface.co/{id}/blob/main/LICENSE" (also
    `resolve`/`raw`, hf.co, the configured endpoint, `datasets/` for a dataset)."""
    from urllib.parse import unquote, urlsplit

    link = link.strip()
    if not link or len(link) > 2048:
        return None
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:
        ep = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or (parts.netloc.lower() not in _HUB_HOSTS and parts.netloc != ep.netloc):
            return None
        segs = [unquote(s) for s in parts.path.split("/") if s]
        if kind == "dataset":
            if not segs or segs[0] != "datasets":
                return None
            segs = segs[1:]
        owner_name = repo_id.split("/")
        n = len(owner_name)
        if [s.lower() for s in segs[:n]] != [s.lower() for s in owner_name]:
            return None
        rest = segs[n:]
        if len(rest) < 3 or rest[0] not in ("blob", "resolve", "raw"):
            return None
        path = "/".join(rest[2:])  # a branch name with a slash is not told apart: rare, and then no file matches
    else:
        path = unquote(parts.path)
        while path.startswith("./"):
            path = path[2:]
        path = path.lstrip("/")
    if not path or ".." in path.split("/"):
        return None
    return path


class HubFiles:
    """Reads the license files of one repository at a time (see the module's docstring)."""

    def __init__(self, *, endpoint: str, token: str | None, offline: bool, cache_dir: Path, ttl: float,
                 timeout: float, max_bytes: int = MAX_FILE_BYTES) -> None:
        self.endpoint = endpoint
        self.token = token
        self.offline = offline
        self.dir = cache_dir / "files"
        self._cache = JsonCache(self.dir)
        self.ttl = ttl
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.requests = 0  # GETs that reached the network

    def read(self, raw: Mapping[str, Any], repo_id: str, kind: str, revision: str | None, where: str) -> Files:
        out = Files()
        paths = wanted_files(raw, repo_id, kind, self.endpoint)
        if not paths:
            return out
        rev = revision or "main"
        stopped = ""  # once gated or unreachable, the other files are not asked for
        uncached: list[str] = []
        for path in paths:
            label = f"{where} {path}" + (f" @ {rev[:12]}" if _COMMIT.fullmatch(rev) else f" @ {rev}")
            entry = self._cached(repo_id, kind, rev, path)
            if entry is None and self.offline:
                uncached.append(path)
                out.files.append(LicenseFile(path, unread="offline: not in Clearance's cache"))
                continue
            if entry is None and stopped:
                out.files.append(LicenseFile(path, unread=stopped))
                continue
            if entry is None:
                entry = self._fetch(repo_id, kind, rev, path)
                status = entry["status"]
                if status == "gated":
                    stopped = GATED
                    out.warnings.append(f"{where}: {GATED} (license files not read: {', '.join(paths)})")
                elif status == "failed":
                    stopped = entry["why"]
                    out.warnings.append(f"{where}: license files not read: {entry['why']}")
            self._use(entry, path, label, out, stopped)
        if uncached:
            out.warnings.append(f"{where}: offline, and {', '.join(uncached)} not in Clearance's cache: text not read")
        return out

    def _use(self, entry: dict[str, Any], path: str, label: str, out: Files, stopped: str) -> None:
        status = entry["status"]
        size = entry.get("size")
        if status == "ok":
            out.files.append(LicenseFile(path, entry["sha256"], size))
            out.signals.append(LicenseSignal("license_file", str(self.dir / entry["file"]), label))
        elif status == "too_large":
            shown = f"{size:,} bytes" if isinstance(size, int) else f"more than {self.max_bytes:,} bytes"
            why = f"{shown}, over the {self.max_bytes:,}-byte cap on a license file"
            out.files.append(LicenseFile(path, None, size, f"too large: {why}"))
            out.warnings.append(f"{label}: {why}: not read")
        elif status == "missing":
            out.files.append(LicenseFile(path, unread="not found on the Hub (HTTP 404)"))
            out.warnings.append(f"{label}: listed in the repository but the Hub answered 404: not read")
        else:  # gated / failed: the one warning is already given
            out.files.append(LicenseFile(path, unread=stopped or entry.get("why", "not read")))

    # -- the disk cache (util.jsoncache: one JSON entry per file, the text beside it) ------------
    def _name(self, repo_id: str, kind: str, rev: str, path: str) -> str:
        return f"{self.endpoint}|{kind}|{repo_id.lower()}|{rev}|{path}"

    def _cached(self, repo_id: str, kind: str, rev: str, path: str) -> dict[str, Any] | None:
        entry = self._cache.read(self._name(repo_id, kind, rev, path))
        if entry is None or entry.get("status") not in ("ok", "too_large", "missing"):
            return None
        try:
            if not (_COMMIT.fullmatch(rev) or fresh(entry, self.ttl, self.offline)):
                return None
            if entry["status"] == "ok" and not (self.dir / str(entry["file"])).is_file():
                return None  # the text went missing: read it again
            return entry
        except (ValueError, KeyError, TypeError):
            return None

    def _store(self, repo_id: str, kind: str, rev: str, path: str, entry: dict[str, Any], data: bytes | None) -> dict[str, Any]:
        name = self._name(repo_id, kind, rev, path)
        key = self._cache.key(name)
        entry = dict(entry)
        try:
            if data is not None:
                # The file keeps its own name (in a folder named by the key), so a report or a
                # lock that shows the path's last part shows "LICENSE", not a checksum.
                folder = self.dir / key
                folder.mkdir(parents=True, exist_ok=True)
                base = path.rsplit("/", 1)[-1].replace("\\", "_")
                if base in ("", ".", "..") or base.startswith("."):
                    base = "LICENSE"  # a name that could leave the folder or hide in it
                tmp = folder / f".{base}.{os.getpid()}.tmp"
                tmp.write_bytes(data)
                os.replace(tmp, folder / base)
                entry["file"] = f"{key}/{base}"
            kept = self._cache.write(name, entry)
        except OSError:
            kept = False
        if not kept and data is not None:
            entry["status"] = "failed"  # nowhere to keep the text for the detector to read
            entry["why"] = f"the cache dir {self.dir} cannot be written"
        return entry

    # -- the network ---------------------------------------------------------------------------
    def _fetch(self, repo_id: str, kind: str, rev: str, path: str) -> dict[str, Any]:
        from huggingface_hub import hf_hub_url
        from huggingface_hub.utils import build_hf_headers, get_session

        url = hf_hub_url(repo_id, path, repo_type=None if kind == "model" else kind, revision=rev, endpoint=self.endpoint)
        self.requests += 1
        try:
            headers = build_hf_headers(token=self.token)
            with get_session().stream("GET", url, headers=headers, timeout=self.timeout) as resp:
                status = resp.status_code
                if status in (401, 403):
                    return {"status": "gated", "why": f"{GATED} (HTTP {status})"}
                if status == 404:
                    return self._store(repo_id, kind, rev, path, {"status": "missing"}, None)
                if status >= 400:
                    return {"status": "failed", "why": f"{self.endpoint} answered HTTP {status}"}
                length = resp.headers.get("Content-Length")
                if length and length.isdigit() and int(length) > self.max_bytes and "Content-Encoding" not in resp.headers:
                    return self._store(repo_id, kind, rev, path, {"status": "too_large", "size": int(length)}, None)
                buf = bytearray()
                for chunk in resp.iter_bytes(_CHUNK):
                    buf += chunk
                    if len(buf) > self.max_bytes:
                        return self._store(repo_id, kind, rev, path, {"status": "too_large", "size": None}, None)
        except Exception as exc:  # noqa: BLE001 - httpx's transport errors, OSErrors, offline mode: all one warning
            return {"status": "failed", "why": f"could not reach {self.endpoint} ({type(exc).__name__})"}
        import hashlib  # only with a text to hash: a cold check should not import OpenSSL

        data = bytes(buf)
        return self._store(repo_id, kind, rev, path,
                           {"status": "ok", "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}, data)
