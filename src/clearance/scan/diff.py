"""Lines added since a git revision, for `clearance scan --diff REV`.

`git diff -U0 REV` (working tree against REV, staged or not) gives the added lines of tracked
files; files git does not track yet (and does not ignore) count as added in full. Paths are
relative to `root` (`--relative`), as scan references are. Hunks are parsed by their counts,
so an added line that itself reads `+++ b/x` is content, not a file header.
"""

from __future__ import annotations

import codecs
import os
import re
import subprocess

from clearance.scan.model import ScanError
from clearance.scan.walk import kind_of, max_bytes

_HUNK = re.compile(rb"^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
GIT_TIMEOUT = 300


def added_lines(root: str | os.PathLike[str], rev: str) -> dict[str, set[int]]:
    folder = os.fspath(root)
    if os.path.isfile(folder):
        folder = os.path.dirname(os.path.abspath(folder))
    if not os.path.isdir(folder):
        raise ScanError(f"{folder}: no such folder")
    if not rev or not rev.strip() or rev.startswith("-"):
        raise ScanError(f"{rev!r} is not a git revision")
    if _git(folder, "rev-parse", "--is-inside-work-tree").returncode != 0:
        raise ScanError(f"{folder}: not inside a git working tree, so --diff has nothing to compare")
    resolved = _git(folder, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if resolved.returncode != 0:
        raise ScanError(f"unknown git revision {rev!r} in {folder}")
    sha = resolved.stdout.decode("ascii", "replace").strip()
    diff = _git(folder, "-c", "core.quotepath=off", "diff", "-U0", "--no-color", "--no-ext-diff", "--find-renames",
                "--relative", "--src-prefix=a/", "--dst-prefix=b/", sha, "--")
    if diff.returncode != 0:
        raise ScanError(f"git diff {rev} failed: {_first_line(diff.stderr)}")
    lines = parse_diff(diff.stdout)
    others = _git(folder, "ls-files", "--others", "--exclude-standard", "-z")
    if others.returncode != 0:
        raise ScanError(f"git ls-files failed: {_first_line(others.stderr)}")
    for raw in others.stdout.split(b"\0"):
        if raw:
            rel = os.fsdecode(raw).replace(os.sep, "/")
            count = _count_lines(os.path.join(folder, rel))
            if count:
                lines.setdefault(rel, set()).update(range(1, count + 1))
    return lines


def parse_diff(out: bytes) -> dict[str, set[int]]:
    """The added lines per file of a `git diff -U0` output (paths with `b/` prefixes)."""
    result: dict[str, set[int]] = {}
    current: str | None = None
    old_left = new_left = 0
    for line in out.split(b"\n"):
        if old_left > 0 or new_left > 0:  # inside a hunk: content, counted
            if line.startswith(b"-"):
                old_left -= 1
                continue
            if line.startswith(b"+"):
                new_left -= 1
                continue
            if line.startswith(b"\\"):
                continue  # "\ No newline at end of file"
            old_left = new_left = 0
        if line.startswith(b"+++ "):
            path = _unquote(line[4:].rstrip(b"\t"))
            current = path[2:] if path.startswith("b/") else None
            if current is not None:
                result.setdefault(current, set())
        elif line.startswith(b"@@") and current is not None:
            match = _HUNK.match(line)
            if match:
                old_left = int(match.group(1)) if match.group(1) is not None else 1
                start = int(match.group(2))
                count = int(match.group(3)) if match.group(3) is not None else 1
                new_left = count
                result[current].update(range(start, start + count))
        elif line.startswith(b"diff --git "):
            current = None
    return {path: lines for path, lines in result.items() if lines}


def _unquote(raw: bytes) -> str:
    """Git quotes unusual paths C-style ("a\\tb", octal escapes for bytes)."""
    if raw.startswith(b'"') and raw.endswith(b'"') and len(raw) >= 2:
        raw = codecs.escape_decode(raw[1:-1])[0]
    return os.fsdecode(raw)


def _count_lines(path: str) -> int:
    try:
        kind = None if os.path.islink(path) else kind_of(path)
        if kind is None or not os.path.isfile(path) or os.path.getsize(path) > max_bytes(kind):
            return 0
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return 0
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def _git(folder: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}
    try:
        return subprocess.run(["git", *args], cwd=folder, capture_output=True, env=env, timeout=GIT_TIMEOUT, check=False)
    except FileNotFoundError:
        raise ScanError("git is not installed: --diff needs it") from None
    except subprocess.TimeoutExpired:
        raise ScanError(f"git {args[0]} took more than {GIT_TIMEOUT} s in {folder}") from None


def _first_line(err: bytes) -> str:
    return (err.decode("utf-8", "replace").strip().splitlines() or ["no message"])[0]
