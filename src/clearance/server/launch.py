"""A Clearance server in a child process, for integration and load tests of the server: started
with any `Settings` on a free local port, ready once GET /api/v1/health answers, stopped with
its uvicorn workers. The project's own tests and benchmarks start their servers with it.

    from clearance.server import Settings
    from clearance.server.launch import ServerProcess

    with ServerProcess(Settings(snapshots=[Path("hub.jsonl")], offline=True)).start() as server:
        httpx.get(f"{server.url}/api/v1/models/gpt2/clearance")

The child runs `python -m clearance.server.launch HOST PORT WORKERS` with the settings in the
environment (Settings.to_env): every field, also those `clearance serve` has no option for
(warm-up, limits, caches). It gets a session of its own, so stopping it stops its workers.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from clearance.util.errors import ClearanceError

if TYPE_CHECKING:
    from clearance.server.settings import Settings


class LaunchError(ClearanceError):
    """The server exited or did not answer in time; the message ends with its log's last lines."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on now (the system's choice)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class ServerProcess:
    """`settings` served by `workers` uvicorn processes on host:port (default: a free port);
    `env`: variables added to this process's environment for the child; its output goes to
    `log` (appended; default: discarded)."""

    def __init__(self, settings: "Settings", workers: int = 1, host: str = "127.0.0.1", port: int | None = None,
                 env: dict[str, str] | None = None, log: Path | None = None) -> None:
        self.settings, self.workers, self.host = settings, workers, host
        self.port = port or free_port(host)
        self.url = f"http://{host}:{self.port}"
        self.env, self.log = env or {}, log
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 120.0, poll: float = 0.2) -> "ServerProcess":
        """Start the child and wait until it answers; LaunchError (the child killed) when it
        exits first or `timeout` seconds pass."""
        from clearance.server.settings import ENV

        out = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115 - the child holds it
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "clearance.server.launch", self.host, str(self.port), str(self.workers)],
                env={**os.environ, **self.env, ENV: self.settings.to_env()}, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)
        finally:
            if self.log:
                out.close()
        if not self.wait_until_healthy(time.monotonic() + timeout, poll):
            exited = self.proc.poll()
            self.kill()
            reason = f"exited with status {exited}" if exited is not None else f"did not answer within {timeout:.0f} s"
            raise LaunchError(f"the server on {self.url} {reason}" + (f"; its log ends:\n{self.log_tail()}" if self.log else ""))
        return self

    def wait_until_healthy(self, deadline: float, poll: float = 0.2, timeout: float = 5.0) -> bool:
        """Poll GET /api/v1/health until it answers 200 (True); False once the child has exited
        or time.monotonic() passes `deadline`."""
        import httpx

        while True:
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=timeout).status_code == 200:
                    return True
            except httpx.TransportError:
                pass
            if self.proc is None or self.proc.poll() is not None or time.monotonic() > deadline:
                return False
            time.sleep(poll)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM to the child and its workers (uvicorn shuts down gracefully); SIGKILL after
        `timeout` seconds."""
        if not self.running:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL to the child and its workers (what a crash or `kill -9` does)."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()

    def log_tail(self, chars: int = 2000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log and self.log.exists() else ""

    def __enter__(self) -> "ServerProcess":
        return self if self.proc is not None else self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str]) -> None:
    """The child: serve the settings of the environment on HOST PORT with WORKERS processes."""
    from clearance.server import serve
    from clearance.server.settings import Settings

    host, port, workers = argv
    serve(Settings.from_env(), host=host, port=int(port), workers=int(workers))


if __name__ == "__main__":
    main(sys.argv[1:])
