"""A throwaway PostgreSQL server from Debian's binaries (package `postgresql`), on a free port
in a temp directory, for the store tests. As root it runs as the `postgres` user (or `nobody`),
since PostgreSQL refuses to run as root."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path


class PgUnavailable(Exception):
    """Why no server could be started: the tests skip with this reason."""


def binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    for initdb in reversed(found):
        folder = Path(initdb).parent
        if (folder / "pg_ctl").is_file():
            return folder
    return None


class PgServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.bin = binaries()
        if self.bin is None:
            raise PgUnavailable("no PostgreSQL binaries under /usr/lib/postgresql/*/bin (run scripts/system_deps.sh)")
        self.dir = Path(tempfile.mkdtemp(prefix="clearance-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            user = next((u for u in ("postgres", "nobody") if _exists(u)), None)
            runuser = shutil.which("runuser")
            if user is None or runuser is None:
                raise PgUnavailable("running as root, and no postgres/nobody user or runuser to drop privileges")
            pw = pwd.getpwnam(user)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            os.chmod(self.dir, 0o700)
            self.prefix = [runuser, "-u", user, "--"]

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://clearance@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 60) -> None:
        proc = subprocess.run([*self.prefix, *args], capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            log = self.log.read_text(errors="replace")[-800:] if self.log.exists() else ""
            raise PgUnavailable(f"{Path(args[0]).name} failed ({proc.returncode}): {(proc.stderr or proc.stdout).strip()[-400:]} {log}")

    def start(self) -> "PgServer":
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "clearance", "--auth=trust", "-E", "UTF8",
                  "--no-sync", "--no-instructions")
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", opts, "-w", "-t", "30", "start")
        deadline = time.monotonic() + 20
        import psycopg

        while True:
            try:
                psycopg.connect(f"host=127.0.0.1 port={self.port} user=clearance dbname=postgres", connect_timeout=2).close()
                return self
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise PgUnavailable(f"the server did not accept connections: {exc}") from None
                time.sleep(0.2)

    def stop(self) -> None:
        try:
            if self.data.exists():
                subprocess.run([*self.prefix, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"],
                               capture_output=True, timeout=30)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def _exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
        return True
    except KeyError:
        return False
