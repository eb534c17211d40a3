"""Which files a scan reads, and as what.

A walk with `os.scandir` (one system call a directory; `DirEntry` caches the type). Folders
named like tool or dependency folders are skipped when they sit *under* the root, never the
root itself (scanning a `site-packages` tree directly is allowed). Symbolic links to folders
are not followed; a link to a file is read only when its target lies inside the root.

A file is read by its name (`.py`, `.ipynb`, `.yaml`, `.sh`, the batch-job scripts `.slurm`,
`.sbatch`, `.pbs`, `Dockerfile`, `.env`, ...) or, when its name has no extension at all
(`scripts/setup`, `bin/train`), by its shebang line: a shell or Python interpreter.

Environment files are named every way: `.env`, `.env.local`, `docker.env`, and without the
leading dot (`env.example`, `env.example.openai`: a dotted example file is often ignored by
git), so any name whose first part is `env` is one, unless its last suffix names another
format (`env.py`, `env.yaml`, `env.d.ts`). A name without a dot that ends in `_yaml` (the
templates lm-evaluation-harness task configs include, `_default_template_yaml`) is YAML.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".nox", "site-packages",
     ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis", ".ipynb_checkpoints", ".eggs"}
)
MAX_FILE_BYTES = 2 * 1024 * 1024
# Notebooks carry their outputs (images as base64): the code is a small part of a large file.
MAX_NOTEBOOK_BYTES = 32 * 1024 * 1024

# file type by lower-cased suffix / name
_SUFFIXES = {
    ".py": "python", ".ipynb": "notebook", ".yaml": "yaml", ".yml": "yaml", ".json": "json",
    ".toml": "toml", ".env": "env", ".sh": "shell", ".bash": "shell", ".dockerfile": "dockerfile",
    ".slurm": "shell", ".sbatch": "shell", ".pbs": "shell", ".zsh": "shell",
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript", ".ts": "javascript",
    ".mts": "javascript", ".cts": "javascript", ".tsx": "javascript", ".vue": "script-parts", ".svelte": "script-parts",
}
# Last suffixes that make an `env.*` name something other than an environment file.
_NOT_ENV_SUFFIXES = frozenset(
    ".js .mjs .cjs .ts .tsx .jsx .md .rst .html .css .go .rs .java .rb .php .c .h .cpp .lock .bak .orig .swp .txt"
    .split()
)
_SHELLS = (b"sh", b"bash", b"zsh", b"dash", b"ksh")


def max_bytes(kind: str) -> int:
    """The largest file of this type a scan reads."""
    return MAX_NOTEBOOK_BYTES if kind == "notebook" else MAX_FILE_BYTES


def file_type(name: str) -> str | None:
    """What scanner reads a file of this name, or None."""
    lower = name.lower()
    if lower.startswith(("dockerfile", "containerfile")):
        return "dockerfile"
    if lower == ".env" or lower.startswith(".env."):
        return "env"
    dot = lower.rfind(".")
    kind = _SUFFIXES.get(lower[dot:]) if dot > 0 or lower.endswith(".env") else None
    if kind is None and lower.startswith("env.") and lower[dot:] not in _NOT_ENV_SUFFIXES:
        return "env"  # env.example, env.example.watsonx
    if kind is None and dot < 0 and lower.endswith(("_yaml", "_yml")):
        return "yaml"  # lm-evaluation-harness's included templates: _default_template_yaml
    return kind


def kind_of(path: str) -> str | None:
    """What scanner reads the file at `path`: by its name, else (no extension) by its shebang."""
    name = os.path.basename(path)
    kind = file_type(name)
    if kind is None and "." not in name and os.path.isfile(path):
        kind = _guess(path)
    return kind


@dataclass(frozen=True, slots=True)
class FileEntry:
    path: str  # absolute (or as joined from the root given)
    rel: str  # relative to root, POSIX separators
    type: str  # python | notebook | yaml | json | toml | env | shell | dockerfile | javascript | script-parts
    size: int


def walk(root: str, warnings: list[str]) -> Iterator[FileEntry]:
    """Every file under `root` a scanner reads, depth first, sorted by name for a stable order."""
    real_root = os.path.realpath(root)
    if os.path.isfile(root):
        kind = file_type(os.path.basename(root)) or _guess(root)
        if kind:
            yield FileEntry(root, os.path.basename(root), kind, os.path.getsize(root))
        return
    stack = [(root, "")]
    while stack:
        folder, rel_folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            warnings.append(f"{rel_folder or '.'}: cannot list folder ({exc.strerror or exc})")
            continue
        subdirs = []
        for entry in entries:
            rel = f"{rel_folder}/{entry.name}" if rel_folder else entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in SKIP_DIRS:
                        subdirs.append((entry.path, rel))
                    continue
                kind = file_type(entry.name)
                if kind is None:
                    if "." in entry.name or not entry.is_file():
                        continue
                    kind = _guess(entry.path)  # an extensionless script: its shebang says what it is
                    if kind is None:
                        continue
                if entry.is_symlink():
                    target = os.path.realpath(entry.path)
                    if not _inside(target, real_root) or not os.path.isfile(target):
                        continue
                    size = os.path.getsize(target)
                elif entry.is_file(follow_symlinks=False):
                    size = entry.stat(follow_symlinks=False).st_size
                else:
                    continue  # sockets, fifos, devices: reading them could block
            except OSError as exc:
                warnings.append(f"{rel}: cannot read ({exc.strerror or exc})")
                continue
            yield FileEntry(entry.path, rel, kind, size)
        stack.extend(reversed(subdirs))


def entries_for(root: str, rels: list[str], warnings: list[str]) -> Iterator[FileEntry]:
    """The files among `rels` (relative paths) that a walk of `root` would read: for --diff,
    without walking the whole tree."""
    real_root = os.path.realpath(root)
    for rel in sorted(set(rels)):
        parts = rel.split("/")
        if any(p in SKIP_DIRS or p in ("", ".", "..") for p in parts[:-1]) or not parts[-1]:
            continue
        path = os.path.join(root, *parts)
        kind = kind_of(path)
        if kind is None:
            continue
        try:
            if not os.path.isfile(path) or not _inside(os.path.realpath(path), real_root):
                continue
            if any(os.path.islink(os.path.join(root, *parts[: i + 1])) for i in range(len(parts) - 1)):
                continue  # reached through a linked folder, which a walk does not follow
            yield FileEntry(path, rel, kind, os.path.getsize(path))
        except OSError as exc:
            warnings.append(f"{rel}: cannot read ({exc.strerror or exc})")


def _inside(path: str, real_root: str) -> bool:
    return path == real_root or path.startswith(real_root.rstrip(os.sep) + os.sep)


def _guess(path: str) -> str | None:
    """A file with no telling name: a shell or Python script by its shebang (`#!/bin/bash`,
    `#!/usr/bin/env python3`, `#!/usr/bin/env -S bash -e`)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(128)
    except OSError:
        return None
    if not head.startswith(b"#!"):
        return None
    words = head[2:].split(b"\n", 1)[0].replace(b"/", b" ").split()
    names = [w for w in words if not w.startswith(b"-") and w not in (b"env", b"usr", b"bin", b"local")]
    interpreter = names[0] if names else b""
    if interpreter in _SHELLS:
        return "shell"
    if interpreter.startswith(b"python"):
        return "python"
    return None
