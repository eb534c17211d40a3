"""Where every file scanner hands in a candidate value: one place decides what is a reference.

A `Collector` belongs to one file. `add()` takes a value as written and the context it came
from (the kind the API or key implies, whether a bare legacy id is allowed there) and keeps it
when it is a Hub id and not a path that exists under the scanned root (`models/local` names a
folder of the project, not an organisation on the Hub).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from clearance.scan.hubid import plausible_remote, to_hub_id
from clearance.scan.model import Hit


class Collector:
    def __init__(self, root: str, rel: str, exists: Callable[[str], bool] | None = None) -> None:
        self.root = root
        self.rel = rel  # the file, relative to root, POSIX separators
        self.hits: list[Hit] = []
        self.warnings: list[str] = []
        self._dir = os.path.dirname(os.path.join(root, rel))
        self._exists = exists or os.path.exists
        self._line_map: Callable[[int], int] | None = None

    def add(self, value: object, line: int, via: str, *, kind: str = "model", bare: bool = False,
            rank: int = 0, uses: tuple[int, ...] = (), absolute: bool = False,
            role: str = "used", strict: bool = False) -> bool:
        """Keep `value` when it names a Hub repository. `line` and `uses` are lines of this view
        (see `mapped`), or of the file itself when `absolute`. `role` is "used" or "produced";
        `strict` is for keys that hold local paths as often as ids (`MODEL_PATH`): a value under a
        folder name such as `checkpoints/` or `outputs/` is then taken for a path."""
        if not isinstance(value, str):
            return False
        found = to_hub_id(value, kind, bare=bare)
        if found is None or (strict and not plausible_remote(value)):
            return False
        repo, kind = found
        text = value.strip()
        if "://" not in text and "hf.co/" not in text and self.is_local(text):
            return False
        if self._line_map is not None and not absolute:
            line = self._line_map(line)
            uses = tuple(self._line_map(u) for u in uses)
        self.hits.append(Hit(repo, kind, line, via, rank, uses, role))
        return True

    def forget(self, value: str) -> None:
        """`value` turned out to name a Space (`hf upload --repo-type space $REPO`): drop what was
        kept for it (a variable named like a model key that held it)."""
        found = to_hub_id(value, "model", bare=True)
        if found is not None:
            self.hits[:] = [h for h in self.hits if h.id != found[0]]

    def sibling(self) -> Collector:
        """An empty collector for the same file (to try a reading before keeping it)."""
        return Collector(self.root, self.rel, self._exists)

    def file_line(self, line: int) -> int:
        """The line of the file that line `line` of this view is."""
        return line if self._line_map is None else self._line_map(line)

    def warn(self, line: int | None, message: str) -> None:
        if line is not None and self._line_map is not None:
            line = self._line_map(line)
        where = self.rel if line is None else f"{self.rel}:{line}"
        self.warnings.append(f"{where}: {message}")

    def mapped(self, line_map: Callable[[int], int], *, of_file: bool = False) -> Collector:
        """A view of this collector for code embedded in the file (a notebook cell, a YAML `run:`
        block, `python -c`): its line n is line `line_map(n)` of this view, or of the file itself
        with `of_file`. Hits and warnings go to the same lists."""
        view = Collector.__new__(Collector)
        view.__dict__.update(self.__dict__)
        outer = None if of_file else self._line_map
        view._line_map = line_map if outer is None else (lambda n: outer(line_map(n)))
        return view

    def is_local(self, text: str) -> bool:
        """`text` is a file or folder of the project (relative to the root or to the file)."""
        return self._exists(os.path.join(self.root, text)) or self._exists(os.path.join(self._dir, text))
