"""A stand-in Hub on 127.0.0.1 serving recorded API answers (tests/fixtures/hub-api/).

`GET /api/models/{id}[/revision/{rev}]` and `/api/datasets/...` answer the fixture named
`{org}--{name}.json` (matched case-insensitively, as the Hub does); anything else is a 404 with
the Hub's `X-Error-Code: RepoNotFound`. Ids listed in `fail` answer HTTP 500. Every request is
kept in `requests` (path, headers) for the tests to check.

Files: `GET /{id}/resolve/{rev}/{path}` (and `/datasets/{id}/resolve/...`) answers what `files`
holds for (kind, id lower-cased, path): bytes (200), or an int status — 401/403 as the Hub
answers a gated repo's files (`X-Error-Code: GatedRepo`), 404 as a missing entry
(`EntryNotFound`), anything else as a server error. A file nobody put there is a 404.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self
from urllib.parse import unquote, urlparse

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hub-api"


class HubServer:
    def __init__(self, root: Path = FIXTURES) -> None:
        self.root = root
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.fail: set[str] = set()
        self.extra: dict[tuple[str, str], dict] = {}  # (kind, id lower) -> record served too
        self.files: dict[tuple[str, str, str], bytes | int] = {}  # (kind, id lower, path) -> bytes or status
        self.omit_length = False  # files without Content-Length: the body ends when the connection closes
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                server.requests.append((self.path, dict(self.headers)))
                status, body, headers = server.answer(unquote(urlparse(self.path).path))
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; charset=utf-8" if isinstance(body, bytes) else "application/json")
                if not (server.omit_length and isinstance(body, bytes)):
                    self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def answer(self, path: str) -> tuple[int, object, dict[str, str]]:
        parts = path.strip("/").split("/")
        if "resolve" in parts and parts[0] != "api":
            return self.file(parts)
        if len(parts) < 3 or parts[0] != "api" or parts[1] not in ("models", "datasets"):
            return 404, {"error": "not found"}, {}
        kind = parts[1]
        rest = parts[2:]
        if "revision" in rest:
            rest = rest[: rest.index("revision")]
        repo_id = "/".join(rest)
        if repo_id.lower() in self.fail:
            return 500, {"error": "Internal Error"}, {}
        record = self.extra.get((kind, repo_id.lower()))
        if record is None:
            wanted = repo_id.replace("/", "--").lower() + ".json"
            for f in (self.root / kind).glob("*.json"):
                if f.name.lower() == wanted:
                    record = json.loads(f.read_text(encoding="utf-8"))
        if record is None:
            return 404, {"error": "Repository not found"}, {"X-Error-Code": "RepoNotFound", "X-Error-Message": "Repository not found"}
        return 200, record, {}

    def file(self, parts: list[str]) -> tuple[int, object, dict[str, str]]:
        kind = "model"
        if parts[0] == "datasets":
            kind, parts = "dataset", parts[1:]
        at = parts.index("resolve")
        repo_id, path = "/".join(parts[:at]), "/".join(parts[at + 2:])
        body = self.files.get((kind, repo_id.lower(), path))
        if isinstance(body, bytes):
            return 200, body, {"X-Repo-Commit": parts[at + 1]}
        if body in (401, 403):
            return body, {"error": "Access to this repo is restricted"}, {"X-Error-Code": "GatedRepo", "X-Error-Message": "gated"}
        if body is None or body == 404:
            return 404, {"error": "Entry not found"}, {"X-Error-Code": "EntryNotFound", "X-Error-Message": "Entry not found"}
        return body, {"error": "Internal Error"}, {}

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
