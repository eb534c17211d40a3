"""The core wiring of `clearance check` (and later `scan`): sources → graph → engine → policy.

Like pip-audit's _audit.py it only connects the seams: the graph gives lineage with raw
license signals, the normalizer turns signals into KB ids, the engine computes verdicts, the
policy decides pass or fail. The CLI and the server both call this, so they always agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import field
from pathlib import Path

from clearance.artifacts.model import Edge
from clearance.engine.clear import clear
from clearance.engine.values import Node, Result
from clearance.graph.model import Graph
from clearance.kb.loader import KnowledgeBase, default_kb
from clearance.kb.normalizer import Normalizer, Resolution, default_normalizer
from clearance.policy.evaluate import Evaluator, Outcome
from clearance.policy.model import Policy
from clearance.sources.interface import Source
from clearance.usecases.lineage import default_sources, graph_for
from clearance.util import TYPE_CHECKING
from clearance.util.lean import record

if TYPE_CHECKING:
    from clearance.engine.values import DataTerms
    from clearance.lock.model import Lock


@record
class GraphLineage:
    """Presents a lineage `Graph` to the engine: artifacts become `Node`s whose license
    signals are resolved to KB ids (LICENSE texts through ScanCode, on demand)."""

    graph: Graph
    normalizer: Normalizer
    detect_texts: bool = True
    _nodes: dict[str, Node | None] = field(default_factory=dict)

    def node(self, artifact_id: str) -> Node | None:
        if artifact_id not in self._nodes:
            self._nodes[artifact_id] = self._make(artifact_id)
        return self._nodes[artifact_id]

    def _make(self, artifact_id: str) -> Node | None:
        art = self.graph.artifact(artifact_id)
        if art is None:
            return Node(artifact_id, "model", (), found=False)
        # A license with dated editions binds in the edition in force when the artifact was
        # published: its creation date, where the source has one.
        resolutions = self.normalizer.resolve_signals(art.licenses, _date(art.created_at))
        texts = [s for s in art.licenses if s.kind == "license_file"]
        if texts and self.detect_texts:
            found = self._detect(texts)
            resolutions = _editions_from_texts(resolutions, found, self.normalizer.kb) + found
        return Node(art.id, art.kind, tuple(resolutions), art.resolved, art.pipeline_tag)

    def _detect(self, signals) -> list[Resolution]:
        from clearance.kb.textdetect import TextError, detect, read_text  # loads ScanCode: only when needed

        out = []
        for sig in signals:
            try:
                # Named by `where`: a local file's path, or the Hub repo's file and revision
                # (the value is then the path of Clearance's cached copy).
                out.append(detect(read_text(Path(sig.value)), sig.where or sig.value, self.normalizer.kb))
            except TextError as exc:
                out.append(Resolution(sig.where or sig.value, None, 0.0, str(exc), "license_file", sig.where))
        # A USE_POLICY or NOTICE that names no license is not a declaration: drop empty detections.
        return [r for r in out if r.id is not None or "binary" in r.evidence]

    def parents(self, artifact_id: str) -> Sequence[Edge]:
        return self.graph.parents(artifact_id)


def _editions_from_texts(declared: list[Resolution], texts: list[Resolution], kb: KnowledgeBase) -> list[Resolution]:
    """A license text settles which edition of a dated license binds: a card's `gemma`, dated
    by the creation date or assumed the latest, becomes the edition the LICENSE file states,
    so card and file agree on the license (no `license-changed` for an edition a date guessed)."""
    stated = [i for r in texts if not r.modified for i in r.ids]
    if not stated:
        return declared
    out = []
    for res in declared:
        if res.id and not res.also and res.kind != "license_file":
            editions = {lic.id for lic in kb.editions(res.id)}
            hit = next((i for i in stated if i != res.id and (i in editions or res.id in {lic.id for lic in kb.editions(i)})), None)
            if hit:
                res = Resolution(res.input, hit, res.confidence, f"{res.evidence}; the edition its license text states: {hit}",
                                 res.kind, res.where)
        out.append(res)
    return out


def _date(value: str | None):
    """The date of an ISO timestamp ("2024-02-21T09:00:00.000Z"), or None."""
    if not value or len(value) < 10:
        return None
    import datetime as dt

    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _with_unread_texts(result: Result, graph: Graph) -> Result:
    """`license-text-unread` for each artifact whose license files a source saw but could not
    read (gated, too large, not cached offline): its license then rests on its metadata alone."""
    unread: dict[tuple[str, str], list[str]] = {}  # (artifact, why) -> paths
    for art in graph.nodes.values():
        for f in art.license_files:
            if f.unread:
                unread.setdefault((art.id, f.unread), []).append(f.path)
    if not unread:
        return result
    from dataclasses import replace

    from clearance.engine.usage import finding

    found = []
    for (aid, why), paths in unread.items():
        path = (result.subject,) if aid == result.subject else (result.subject, aid)
        message = f"{', '.join(paths)} not read ({why}): {aid}'s license is taken from its metadata alone"
        found.append(replace(finding("license-text-unread", aid, message), path=path))
    return replace(result, findings=result.findings + tuple(found))


@record
class CheckRun:
    """Every outcome of one check, the warnings to show, and the graphs walked."""

    outcomes: list[Outcome]
    warnings: list[str]
    graphs: dict[str, Graph] = field(default_factory=dict)  # subject -> its lineage (for BOMs, notices)
    # subject -> its licenses as resolved (LICENSE texts detected once, reused by the lock)
    lineages: dict[str, GraphLineage] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(o.passed for o in self.outcomes)


@record
class Checker:
    """The one wiring of a check — sources -> lineage graph -> engine -> policy — for every
    front end: `check()`, `scan`, `bom`, `notice`, `init`, `advise`, `lock` and the server, which
    only adds its caches. Its settings are explicit, never set by a comment in a caller:

    - `sources`: where artifacts come from (the CLI: a local path, snapshots, the HF cache, the
      Hub; the server: its snapshots and the Hub only, so no request reaches its filesystem);
    - `detect_texts`: identify LICENSE files through ScanCode (the server reads none);
    - `depth`: how far lineages are followed; `progress`: a progress bar on long walks.
    """

    kb: KnowledgeBase
    normalizer: Normalizer
    sources: Sequence[Source]
    policy: Policy
    data_terms: DataTerms | None = None  # None: the policy's
    depth: int | None = None
    detect_texts: bool = True
    progress: bool | None = None

    @classmethod
    def make(cls, policy: Policy | None = None, snapshots: Sequence[str | Path] = (), offline: bool | None = None,
             data_terms: DataTerms | None = None, kb: KnowledgeBase | None = None, depth: int | None = None,
             sources: Sequence[Source] | None = None) -> Checker:
        """`sources` (default: `default_sources(snapshots, offline)`) lets a caller that checks in
        several rounds (advise) build them once, so each snapshot is read once in all."""
        kb = kb or default_kb()
        normalizer = default_normalizer() if kb is default_kb() else Normalizer(kb)
        if sources is None:
            sources = default_sources(snapshots, offline)  # once: each snapshot is read once for all targets
        return cls(kb, normalizer, sources, policy or Policy(), data_terms, depth)

    def lineage(self, target) -> tuple[str, Graph, GraphLineage]:
        """(subject, graph, lineage) of a target: a Hub id or URL, a local path, or a Ref."""
        graph = graph_for(target, depth=self.depth, sources=self.sources, progress=self.progress)
        subject = graph.root or getattr(target, "id", None) or str(target)  # a Ref names itself by its id
        return subject, graph, GraphLineage(graph, self.normalizer, self.detect_texts)

    def result(self, subject: str, graph: Graph, lineage: GraphLineage, use: str, evaluator: Evaluator,
               lock: Lock | None = None, current: dict | None = None) -> Result:
        """One use's verdict, findings and obligations, before the policy judges it. With a
        lock, `current` is the lineage's lock entries now (`usecases.lock.entries_for`, worked
        out once per subject by `run`: it hashes license files); made here when not given."""
        terms = self.data_terms or evaluator.policy.data_terms
        result = clear(lineage, subject, use, self.kb, evaluator.organization(), terms, self.depth)
        result = _with_unread_texts(result, graph)
        if lock is not None:  # --locked: what moved since the project cleared it
            from clearance.usecases.lock import entries_for, with_drift, with_verdict

            now = current if current is not None else entries_for(graph, lineage)
            result = with_drift(result, lock, with_verdict(now, use, result.verdict))
        return result

    def evaluator(self, policy: Policy | None = None) -> Evaluator:
        return Evaluator(policy or self.policy, self.kb)

    def run(self, targets: Sequence[str], uses: Sequence[str], lock: Lock | None = None) -> CheckRun:
        evaluator = self.evaluator()
        outcomes: list[Outcome] = []
        warnings: list[str] = []
        subjects = []
        graphs: dict[str, Graph] = {}
        lineages: dict[str, GraphLineage] = {}
        for target in targets:
            subject, graph, lineage = self.lineage(target)
            subjects.append(subject)
            graphs[subject], lineages[subject] = graph, lineage
            warnings += [f"{p.artifact}: {p.message}" for p in graph.problems if p.code in ("warning", "lookup_failed")]
            current = None
            if lock is not None:
                from clearance.usecases.lock import entries_for

                current = entries_for(graph, lineage)
            for use in uses:
                outcomes.append(evaluator.evaluate(self.result(subject, graph, lineage, use, evaluator, lock, current)))
        warnings += evaluator.exception_warnings(subjects)
        return CheckRun(outcomes, list(dict.fromkeys(warnings)), graphs, lineages)


def check(targets: Sequence[str], uses: Sequence[str], policy: Policy | None = None,
          snapshots: Sequence[str | Path] = (), offline: bool | None = None,
          data_terms: DataTerms | None = None, kb: KnowledgeBase | None = None,
          depth: int | None = None, sources: Sequence[Source] | None = None, lock: Lock | None = None) -> CheckRun:
    """Check `targets` for `uses`: `Checker.make(...).run(...)`."""
    return Checker.make(policy, snapshots, offline, data_terms, kb, depth, sources).run(targets, uses, lock)
