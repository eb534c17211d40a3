"""The public Python API: `clearance.check`, `scan`, `graph` and `load_policy` (docs/library.md).

Each function checks its arguments, then calls the same library functions the commands call
(`clearance.usecases.check.check`, `clearance.scan.scan_path`, the lineage `graph_for`, the policy
loader), so the library and the CLI give the same answers. It adds no rule of its own; what
it adds is the shape a program wants: a `Run` of `Result`s, and a `ValueError` that names the
bad argument where the commands print a one-line error and exit 2.

This module is imported on first use of a public name (`clearance/__init__.py`), never by
the cold `clearance check`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from clearance.engine.values import DATA_TERMS, USES, Finding, Obligation
from clearance.policy.model import Policy
from clearance.util import TYPE_CHECKING
from clearance.util.errors import ClearanceError

if TYPE_CHECKING:
    from clearance.graph.model import Graph
    from clearance.policy.evaluate import Outcome
    from clearance.scan import Reference
    from clearance.usecases.check import CheckRun

__all__ = ["ArgumentError", "Finding", "Obligation", "Policy", "Result", "Run", "ScanRun", "check", "graph",
           "load_policy", "scan"]

PathArg = str | os.PathLike


class ArgumentError(ClearanceError, ValueError):
    """A bad argument to a public function: the message says which and why. A ValueError, and
    a ClearanceError as every error a user can cause (a malformed policy is a `PolicyError`)."""


@dataclass(frozen=True)
class Result:
    """The answer for one subject and one use, under the policy.

    `verdict` is the engine's (cleared | conditional | blocked | unknown); `passed` is the
    policy's decision; `failures` says why it fails (also when an exception of the policy
    waives it: then `passed` is True and `waived_by` holds the exception's reason).
    Finding severities are as the policy overrides them."""

    subject: str
    use: str
    verdict: str
    passed: bool
    declared_licenses: tuple[str, ...] = ()
    inherited_licenses: tuple[str, ...] = ()
    obligations: tuple[Obligation, ...] = ()
    findings: tuple[Finding, ...] = ()
    reasons: tuple[str, ...] = ()  # why blocked or unknown, in words
    failures: tuple[str, ...] = ()
    waived_by: str | None = None


@dataclass(frozen=True)
class Run:
    """Every result of one check (one per target and use), the warnings met, and the lineage
    graph walked for each subject."""

    results: tuple[Result, ...]
    warnings: tuple[str, ...] = ()
    graphs: Mapping[str, Graph] = field(default_factory=dict, repr=False, compare=False)
    _check_run: CheckRun | None = field(default=None, repr=False, compare=False)

    @property
    def passed(self) -> bool:
        """True when every result passes the policy (as `clearance check` exits 0)."""
        return all(r.passed for r in self.results)

    @property
    def outcomes(self) -> list[Outcome]:
        """The results as the engine and policy gave them, which the renderers of
        `clearance.formats.results` (and `clearance.cli.run.render`) take."""
        return list(self._check_run.outcomes) if self._check_run is not None else []

    def to_json(self) -> str:
        """The versioned JSON document `clearance check --format json` prints."""
        from clearance.formats.results import to_json

        return to_json(self.outcomes, self.warnings)


@dataclass(frozen=True)
class ScanRun(Run):
    """A `Run` for the references a project makes: where each model or dataset is named."""

    root: str = ""
    references: tuple[Reference, ...] = ()
    files_scanned: int = 0
    locations: Mapping[str, tuple[str, int]] = field(default_factory=dict, repr=False)  # target -> first file, line

    def references_json(self) -> list[dict]:
        """The references as `clearance scan --format json` writes them (formats.scanreport)."""
        from clearance.formats.scanreport import references_json

        return references_json(self)

    def to_json(self) -> str:
        """The versioned scan report `clearance scan --format json` prints (formats.scanreport)."""
        from clearance.formats.scanreport import to_json

        return to_json(self, self.outcomes, self.warnings)


def check(targets: PathArg | Iterable[PathArg], *, uses: str | Iterable[str] | None = None,
          policy: Policy | PathArg | None = None, snapshots: PathArg | Iterable[PathArg] = (),
          offline: bool = False, data_terms: str | None = None, depth: int | None = None) -> Run:
    """May you use these models (or datasets) as you intend?

    `targets`: Hub ids (`org/name`, `datasets/org/name`), Hub URLs, or paths to local model
    folders or files; a single string or path is one target. `uses`: "commercial",
    "redistribution" and/or "research" (default: the policy's uses, which are commercial
    unless it says otherwise). `policy`: a `Policy`, or the path of a `clearance.toml` or
    `pyproject.toml` with [tool.clearance] (default: none). `snapshots`: snapshot files to
    resolve lineage from. `offline`: never call the Hub (HF_HUB_OFFLINE=1 means the same).

    Raises `ArgumentError` (a ValueError) for a bad argument: an unknown use, a target that is
    no Hub id and no existing path, a missing snapshot file; `PolicyError` (a ValueError too)
    for a malformed policy. A well-formed id that no source knows is not an error: its verdict
    is unknown, and its reasons say it could not be found."""
    names = _targets(targets)
    pol = _policy(policy)
    return _run(names, _uses(uses, pol), pol, snapshots, offline, data_terms, depth)


def scan(path: PathArg, *, uses: str | Iterable[str] | None = None, policy: Policy | PathArg | None = None,
         snapshots: PathArg | Iterable[PathArg] = (), offline: bool = False, data_terms: str | None = None,
         diff: str | None = None) -> ScanRun:
    """The models and datasets a project's code and configs reference (as `clearance scan`
    finds them, each with its file and line), each then checked as `check` would.

    `policy` defaults, as for `clearance scan`, to the project's own: a `clearance.toml` (or
    `pyproject.toml` with [tool.clearance]) found from `path` up; pass `clearance.Policy()`
    for none. `diff`: only references on lines added since this git revision."""
    from clearance.policy.load import policy_for
    from clearance.scan import ScanError, added_lines, scan_path
    from clearance.usecases.project import from_scan

    root = _path(path, "path")
    if not root.exists():
        raise ArgumentError(f"{os.fspath(path)}: no such file or folder")
    if diff is not None and not isinstance(diff, str):
        raise ArgumentError(f"diff must be a git revision (a string), not {type(diff).__name__}")
    pol = _policy(policy) if policy is not None else policy_for(start=root if root.is_dir() else root.parent) or Policy()
    use_list = _uses(uses, pol)
    try:
        only = added_lines(root, diff) if diff is not None else None
        report = scan_path(root, only_lines=only)
    except ScanError as exc:
        raise ArgumentError(str(exc)) from None
    locations = from_scan(report).locations
    run = _run(list(locations), use_list, pol, snapshots, offline, data_terms, None) if locations else Run(())
    return ScanRun(run.results, (*report.warnings, *run.warnings), run.graphs, run._check_run,
                   root=report.root, references=tuple(report.references), files_scanned=report.files_scanned,
                   locations=locations)


def graph(target: PathArg, *, snapshots: PathArg | Iterable[PathArg] = (), offline: bool = False,
          depth: int | None = None, descendants: bool = False) -> Graph:
    """The lineage graph of one target, as `clearance graph` builds it: its ancestors with
    typed edges and raw license signals, or, with `descendants=True`, what descends from it
    within `snapshots`. `graph.to_json()` is the document `clearance graph --format json` prints."""
    from clearance.sources.interface import SourceError
    from clearance.usecases.lineage import graph_for

    if not isinstance(target, (str, os.PathLike)):
        raise ArgumentError(f"graph takes one target (a Hub id, URL or path), not {type(target).__name__}")
    (name,) = _targets(target)
    try:
        return graph_for(name, snapshots=_snapshots(snapshots), offline=offline or None, depth=_depth(depth),
                         descendants=bool(descendants))
    except SourceError as exc:
        raise ArgumentError(str(exc)) from None


def load_policy(path: PathArg) -> Policy:
    """The policy in a `clearance.toml`, or in a `pyproject.toml`'s [tool.clearance]. Given a
    folder, the policy found from it up, as the commands find it. Raises ValueError
    (`PolicyError`) naming the file and the key at fault."""
    from clearance.kb import default_kb
    from clearance.policy.load import PolicyError, find, load

    file = _path(path, "policy")
    if file.is_dir():
        found = find(file)
        if found is None:
            raise PolicyError(f"{file}: no clearance.toml, nor pyproject.toml with [tool.clearance], here or above")
        file = found
    elif not file.exists():
        raise PolicyError(f"{file}: no such policy file")
    return load(file, default_kb())


# --- the checks of the arguments, and the one call of the check wiring ---


def _run(targets: list[str], uses: tuple[str, ...], policy: Policy, snapshots, offline: bool,
         data_terms: str | None, depth: int | None) -> Run:
    from clearance.sources.interface import SourceError
    from clearance.usecases.check import check as check_run

    if data_terms is not None and data_terms not in DATA_TERMS:
        raise ArgumentError(f"data_terms {data_terms!r} is not one of: {', '.join(DATA_TERMS)}")
    try:
        run = check_run(targets, list(uses), policy, _snapshots(snapshots), offline or None, data_terms,
                        depth=_depth(depth))
    except SourceError as exc:
        raise ArgumentError(str(exc)) from None
    results = tuple(
        Result(o.result.subject, o.result.use, o.result.verdict, o.passed, o.result.declared_licenses,
               o.result.inherited_licenses, o.result.obligations, o.result.findings, o.result.reasons,
               o.failures, o.waived_by)
        for o in run.outcomes
    )
    return Run(results, tuple(run.warnings), dict(run.graphs), run)


def _targets(targets: object) -> list[str]:
    """The targets as strings, each a Hub id, a Hub URL or an existing path: else ValueError."""
    from clearance.artifacts.ids import looks_like_path
    from clearance.graph.resolve import target_ref
    from clearance.sources.interface import SourceError

    items = [targets] if isinstance(targets, (str, os.PathLike)) else _listed(targets, "targets")
    if not items:
        raise ArgumentError("no target given: name a Hub id (org/name), a Hub URL or a local model folder")
    out = []
    for item in items:
        is_path = isinstance(item, os.PathLike)
        text = os.fspath(item) if is_path else item
        if not isinstance(text, str):
            raise ArgumentError(f"target {item!r} is not a Hub id, URL or path (a string), but {type(item).__name__}")
        if "\x00" in text:
            raise ArgumentError(f"target {text!r} contains a NUL byte")
        stripped = text.strip()
        if (is_path or looks_like_path(stripped)) and not os.path.exists(os.path.expanduser(stripped)):
            raise ArgumentError(f"target {text!r}: no such file or folder")
        try:
            target_ref(text)
        except SourceError as exc:
            raise ArgumentError(f"target {exc}" if str(exc).startswith("'") else str(exc)) from None
        out.append(text)
    return out


def _uses(uses: object, policy: Policy) -> tuple[str, ...]:
    if uses is None:
        return tuple(policy.uses)
    items = [uses] if isinstance(uses, str) else _listed(uses, "uses")
    if not items:
        raise ArgumentError(f"no use given: name one or more of {', '.join(USES)}")
    for use in items:
        if not isinstance(use, str) or use not in USES:
            raise ArgumentError(f"{use!r} is not a use: choose from {', '.join(USES)}")
    return tuple(dict.fromkeys(items))


def _policy(policy: object) -> Policy:
    if policy is None:
        return Policy()
    if isinstance(policy, Policy):
        return policy
    if isinstance(policy, (str, os.PathLike)):
        return load_policy(policy)
    raise ArgumentError(f"policy must be a clearance.Policy or the path of a policy file, not {type(policy).__name__}")


def _snapshots(snapshots: object) -> list[Path]:
    items = [snapshots] if isinstance(snapshots, (str, os.PathLike)) else _listed(snapshots, "snapshots")
    return [_path(s, "snapshot") for s in items]


def _depth(depth: object) -> int | None:
    if depth is None:
        return None
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
        raise ArgumentError(f"depth must be a whole number, 0 or more, not {depth!r}")
    return depth


def _path(value: object, what: str) -> Path:
    if isinstance(value, (str, os.PathLike)):
        text = os.fspath(value)
        if isinstance(text, str) and text.strip() and "\x00" not in text:
            return Path(text).expanduser()
    raise ArgumentError(f"{what} {value!r} is not a path")


def _listed(value: object, what: str) -> list:
    if isinstance(value, (bytes, bytearray, Mapping)) or not isinstance(value, Iterable):
        raise ArgumentError(f"{what} must be a string or a list of strings, not {type(value).__name__}")
    return list(value)
