"""Pin what a project cleared (`clearance lock`) and catch what moved since (`--locked`).

A lock entry is read from the same lineage a check walks: each artifact's revision, the
license values its sources declared, the KB ids (editions) they resolved to, its license files'
hashes, its parents, and — for the project's own references — the verdict per use. Against a
lock, every change of those facts is the finding `license-changed` (an error by default: the
decision the project made no longer holds), and a reference the lock does not know is
`unlocked-reference`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from clearance.artifacts.ids import edge_parent_key
from clearance.artifacts.model import Artifact
from clearance.engine.usage import finding
from clearance.engine.values import Finding, Result
from clearance.graph.model import Graph
from clearance.lock.diff import entry_changes
from clearance.lock.model import Lock, LockedFile, LockEntry
from clearance.util import TYPE_CHECKING

if TYPE_CHECKING:
    from clearance.usecases.check import CheckRun, GraphLineage

LOCK_FILE = "clearance.lock"


def revision_of(art: Artifact) -> str | None:
    """The commit a source gave; else its lastModified and the snapshot file it came from."""
    if art.revision:
        return art.revision
    if art.last_modified:
        source = art.source.split(":")[1] if art.source.startswith("snapshot:") else art.source
        return f"{art.last_modified} @ {source}" if source else art.last_modified
    return None


def _files(art: Artifact) -> tuple[LockedFile, ...]:
    out = []
    for sig in art.licenses:
        # a local LICENSE by its path; a remote source's files come hashed in `license_files`
        if sig.kind == "license_file" and not sig.where.startswith("hub "):
            digest = _sha256(Path(sig.value))
            if digest:
                out.append(LockedFile(Path(sig.value).name, digest))
    for f in art.license_files:  # files a remote source read, hashed there
        if f.sha256:
            out.append(LockedFile(f.path, f.sha256))
    return tuple(sorted(set(out), key=lambda f: f.path))


def _sha256(path: Path) -> str | None:
    import hashlib

    try:
        h = hashlib.sha256()
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        return h.hexdigest()
    except OSError:
        return None


def entries_for(graph: Graph, lineage: GraphLineage, verdicts: dict[str, str] | None = None) -> dict[str, LockEntry]:
    """One entry per artifact of a lineage; the root gets `verdicts` and `referenced`."""
    keys = {nid: edge_parent_key(art.id, art.kind) for nid, art in graph.nodes.items()}
    parents: dict[str, set[tuple[str, str]]] = {}
    for edge in graph.edges:
        child, parent = keys.get(edge.child), keys.get(edge.parent) or edge_parent_key(edge.parent, edge.parent_kind)
        if child and parent != child:
            parents.setdefault(child, set()).add((parent, edge.relation))
    out = {}
    for nid, art in graph.nodes.items():
        node = lineage.node(nid)
        resolved = sorted({i for res in (node.licenses if node else ()) for i in res.ids})
        declared = sorted({s.value for s in art.licenses if s.kind != "license_file"})  # texts are `files`
        root = nid == graph.root
        k = keys[nid]
        out[k] = LockEntry(
            key=k, id=art.id, kind=art.kind, revision=revision_of(art) if art.resolved else None,
            declared=tuple(declared), licenses=tuple(resolved), files=_files(art),
            parents=tuple(sorted(parents.get(k, ()))),
            verdicts=tuple(sorted((verdicts or {}).items())) if root else (), referenced=root,
        )
    return out


def build_lock(run: CheckRun, uses: tuple[str, ...], normalizer) -> Lock:
    from clearance.usecases.check import GraphLineage

    verdicts: dict[str, dict[str, str]] = {}
    for o in run.outcomes:
        verdicts.setdefault(o.result.subject, {})[o.result.use] = o.result.verdict
    entries: dict[str, LockEntry] = {}
    for subject, graph in run.graphs.items():
        lineage = run.lineages.get(subject) or GraphLineage(graph, normalizer)  # resolved once, by the check
        for k, e in entries_for(graph, lineage, verdicts.get(subject)).items():
            entries[k] = _merge(entries.get(k), e)
    return Lock(tuple(uses), entries)


def _merge(old: LockEntry | None, new: LockEntry) -> LockEntry:
    """An artifact met in several lineages: one entry, referenced if any lineage references it."""
    if old is None:
        return new
    return replace(old, referenced=old.referenced or new.referenced, verdicts=old.verdicts or new.verdicts,
                   parents=tuple(sorted(set(old.parents) | set(new.parents))))


def drift(lock: Lock, current: dict[str, LockEntry], result: Result) -> tuple[Finding, ...]:
    """The findings for one subject's result against the lock: `license-changed` for every
    change in its lineage (the verdict of the result's own use included), `unlocked-reference`
    when the lock does not know the subject."""
    out: list[Finding] = []
    for k, now in current.items():
        then = lock.get(k)
        if then is None:
            if now.referenced:
                out.append(finding("unlocked-reference", now.id, f"{now.id} is not in the lock: run "
                                   "`clearance lock --update` to clear it", path=_path(result, now)))
            continue
        mine = replace(now, verdicts=tuple((u, v) for u, v in now.verdicts if u == result.use))
        locked = replace(then, verdicts=tuple((u, v) for u, v in then.verdicts if u == result.use))
        for change in entry_changes(locked, mine, verdicts=now.referenced and bool(locked.verdicts)):
            f = finding("license-changed", now.id, change.message, path=_path(result, now))
            out.append(replace(f, severity="error"))  # a drift from what was cleared fails by default
    return tuple(out)


def _path(result: Result, entry: LockEntry) -> tuple[str, ...]:
    return (result.subject,) if entry.id == result.subject else (result.subject, entry.id)


def with_verdict(entries: dict[str, LockEntry], use: str, verdict: str) -> dict[str, LockEntry]:
    """The entries with the referenced one's verdict for `use` (what `drift` compares)."""
    return {k: replace(e, verdicts=((use, verdict),)) if e.referenced else e for k, e in entries.items()}


def with_drift(result: Result, lock: Lock, current: dict[str, LockEntry]) -> Result:
    found = drift(lock, current, result)
    return replace(result, findings=result.findings + found) if found else result


def lock_file_for(arguments: list[str], out: Path | None) -> Path:
    """Where `clearance lock` writes: `--out`, else `clearance.lock` in the one project folder given."""
    from clearance.usecases.project import is_model_folder
    from clearance.util.errors import ClearanceError

    if out is not None:
        return out
    if len(arguments) == 1 and Path(arguments[0]).is_dir() and not is_model_folder(Path(arguments[0])):
        return Path(arguments[0]) / LOCK_FILE
    raise ClearanceError("say where the lock goes with --out FILE (clearance.lock is written into a project "
                         "folder only when one project folder is given)")


def locate(argument: str, explicit: Path | None = None) -> Path | None:
    """The lock `--locked` compares against: the one given, else `clearance.lock` in the project
    folder or the folder of a model path; None when there is none."""
    if explicit is not None:
        return explicit
    path = Path(argument)
    folder = path if path.is_dir() else path.parent
    candidate = folder / LOCK_FILE
    return candidate if candidate.is_file() else None


def make_lock(arguments: list[str], uses: tuple[str, ...], *, policy=None, snapshots=(), offline: bool | None = None,
              data_terms=None) -> tuple[Lock, CheckRun]:
    """A lock of everything the arguments reference (projects are scanned, as `scan` does) and
    every ancestor, with the verdict per use as the policy judges it now."""
    from clearance.kb.normalizer import default_normalizer
    from clearance.usecases.check import check
    from clearance.usecases.project import resolve

    targets: list[str] = []
    for argument in arguments:
        targets += [t for t in resolve(argument).targets if t not in targets]
    run = check(targets, list(uses), policy, snapshots, offline, data_terms)
    return build_lock(run, uses, default_normalizer()), run
