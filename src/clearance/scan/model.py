"""The values of a scan: what was found where, and the report of one scan.

`Reference` and `ScanReport` are the public contract (the CLI, `bom` and `notice` use them).
`Hit` is what a file scanner hands back before the references are deduplicated: it also
carries the lines where the reference is *used* (a call that reads a constant defined
elsewhere in the file), so that `--diff` keeps a reference whose use is new even when the id
itself sits on an old line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from clearance.util.errors import ClearanceError


class ScanError(ClearanceError):
    """A problem the user can act on (no such path, not a git repository, unknown revision).

    The message is complete and meant to be printed as it is."""


@dataclass(frozen=True)
class Reference:
    id: str  # Hub id, normalised: "org/name" or a bare legacy id ("gpt2"); never "datasets/..."
    kind: str  # "model" | "dataset"
    file: str  # relative to the scanned root, POSIX separators
    line: int  # 1-based, the line where the id is written
    via: str  # what matched: "transformers AutoModel.from_pretrained", "config key model", ...
    # "used": the project loads, downloads or evaluates it (a dependency to check); "produced": the
    # project publishes it (`hub_model_id`, `push_to_hub("org/x")`, `hf upload org/x`): not a dependency.
    role: str = "used"


@dataclass
class ScanReport:
    root: str
    references: list[Reference]  # sorted by (file, line, id); (id, kind, file, line) unique
    files_scanned: int
    warnings: list[str]  # "file:line: what could not be read and why"


@dataclass(slots=True)
class Hit:
    """One reference as a file scanner found it (the file is known to the caller)."""

    id: str
    kind: str
    line: int
    via: str
    rank: int = 0  # which `via` wins when the same reference is found twice: lower wins
    uses: tuple[int, ...] = field(default=())  # other lines that make it "added" for --diff
    role: str = "used"  # or "produced" (see Reference)


# Ranks: a known API call says more than a key name, which says more than a bare URL.
RANK_API = 0
RANK_KEY = 1
RANK_URL = 2
