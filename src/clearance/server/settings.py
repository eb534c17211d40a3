"""What a running server is configured with: the store, the snapshots, the Hub, the limits."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

ENV = "CLEARANCE_SERVER_SETTINGS"  # how a process hands its settings to the server processes it starts


@dataclass
class Settings:
    """`clearance serve`'s options.

    db_url: SQLAlchemy URL of the store: a SQLite file (the default, relative to the working
        directory) or PostgreSQL (`postgresql+psycopg://user:pass@host/db`).
    snapshots: Hub snapshot files (JSON Lines or Parquet) that lineage is resolved from and
        that the Hub analytics read. Loaded once, at startup.
    offline: never call the Hub; the engine answers from the snapshots and Clearance's own
        cache of earlier Hub answers.
    hub_endpoint: the one host the server may call (default https://huggingface.co, or
        $HF_ENDPOINT); ignored when offline.
    max_body_bytes: larger request bodies are refused with 413.
    max_header_bytes: a request line and headers larger than this are refused with 431.
    header_timeout, body_timeout: seconds a client has to send a request's head (from the
        connection or its first byte) and its body (from the end of the head); then 408.
    max_connections: open connections per worker process; a request on one more is
        answered 503 (and the connection closed).
    recheck_every: seconds between rechecks of each inventory item against the sources
        (server/watch.py; default a day); 0 turns them off.
    webhook_url: where each change a recheck finds is POSTed as JSON (signed with
        $CLEARANCE_WEBHOOK_SECRET); None: no deliveries. webhook_retries more attempts follow a
        failed one, webhook_backoff seconds after the first failure, doubling each time.
    """

    db_url: str = "sqlite:///clearance.db"
    snapshots: list[Path] = field(default_factory=list)
    offline: bool = False
    hub_endpoint: str | None = None
    max_body_bytes: int = 2_000_000
    max_header_bytes: int = 32 * 1024
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    max_connections: int = 1000
    # Where Hub answers are kept (default: Clearance's cache, $CLEARANCE_CACHE_DIR/hub).
    hub_cache_dir: Path | None = None
    # Threads for engine and store work in each process (CPU-bound under the GIL: a few suffice).
    threads: int = 4
    # Warm-up in the background at startup: the Hub analytics loaded, and the verdicts of the N
    # most downloaded snapshot models (three uses each, under the active policy) computed.
    # 0: no warm-up; everything is computed on first use. Kept within cache_size.
    warm: int = 2000
    # Lookups kept in memory per process (verdicts and graphs); 0 turns the cache off.
    cache_size: int = 4096
    # Seconds a cached verdict or graph is trusted when the Hub is online (its answers change);
    # offline, the snapshots are fixed and cached answers never expire.
    cache_ttl: float = 600.0
    # Bytes of whole answers kept by the response cache per process (besides the warm-up's own).
    response_cache_bytes: int = 128_000_000
    recheck_every: float = 86_400.0
    webhook_url: str | None = None
    webhook_retries: int = 5
    webhook_backoff: float = 1.0

    def __post_init__(self) -> None:
        self.snapshots = [Path(p) for p in self.snapshots]
        self.hub_cache_dir = Path(self.hub_cache_dir) if self.hub_cache_dir else None
        self.warm = max(0, min(self.warm, self.cache_size))
        for name in ("max_body_bytes", "max_header_bytes", "header_timeout", "body_timeout", "max_connections"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        if self.recheck_every < 0:
            raise ValueError("recheck_every must be 0 (off) or more seconds")
        if self.webhook_url is not None and not self.webhook_url.startswith(("http://", "https://")):
            raise ValueError(f"--webhook-url {self.webhook_url!r}: give an http:// or https:// URL")
        if self.webhook_retries < 0 or self.webhook_backoff < 0:
            raise ValueError("webhook_retries and webhook_backoff must be 0 or more")

    def to_env(self) -> str:
        """The settings as JSON for ENV (paths made absolute: the child may start elsewhere)."""
        data = asdict(self)
        data["snapshots"] = [str(Path(p).resolve()) for p in self.snapshots]
        data["hub_cache_dir"] = str(self.hub_cache_dir) if self.hub_cache_dir else None
        return json.dumps(data)

    @classmethod
    def from_env(cls) -> "Settings":
        """The settings a parent process put in ENV (to_env)."""
        return cls(**json.loads(os.environ[ENV]))

    def limits(self):
        """The connection limits (protocol.Limits) uvicorn's protocol enforces."""
        from clearance.server.protocol import Limits

        return Limits(self.max_header_bytes, self.header_timeout, self.body_timeout, self.max_connections)
