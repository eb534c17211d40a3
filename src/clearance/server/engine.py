"""The engine as the server calls it: `clearance.usecases.check.Checker`, the one wiring of a
check (lineage → clear → policy) every front end uses, built once at startup and shared by
every request. This module adds only what a server needs around it: caches of lineages,
verdicts and statuses (per process), the warm-up, search over the snapshots, and the scrubbing
of the server's own paths from what it shows.

The Checker's settings are the server's: its sources are the configured snapshots and the Hub
(the configured endpoint; offline, only Clearance's cache of earlier Hub answers) — never a
local path and never the machine's HF cache, so nothing a request names reaches the
filesystem; no LICENSE text is read or detected (`detect_texts=False`, and the Hub source reads
no license files); no progress bar.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, replace
from typing import Any

from clearance.artifacts.ids import Ref
from clearance.engine.values import USES
from clearance.formats.results import result_json
from clearance.graph.model import Graph, Problem
from clearance.kb.loader import KnowledgeBase, default_kb
from clearance.kb.normalizer import Normalizer, default_normalizer
from clearance.policy.evaluate import Outcome
from clearance.policy.model import Policy
from clearance.server import policies
from clearance.server.cache import LRU
from clearance.server.settings import Settings
from clearance.sources.hub import HubSource
from clearance.sources.interface import Source
from clearance.sources.snapshot import SnapshotSource
from clearance.usecases.check import Checker, GraphLineage


@dataclass(frozen=True)
class Entry:
    """One artifact of the snapshots, for search."""

    id: str
    kind: str
    downloads: int
    licenses: tuple[str, ...]


@dataclass
class _Lineage:
    subject: str
    graph: Graph  # as the server shows it (_public)
    walked: Graph  # as the sources gave it: what the Checker judges
    lineage: GraphLineage
    json: bytes


# An absolute path: a '/' that starts a word (not inside a URL or an org/name id) followed by at
# least one folder; what a problem shows of it is its last part, the file's name.
_ABSOLUTE_PATH = re.compile(r"(?<![\w:/.~-])/(?:[^\s/:'\"()]+/)+([^\s/:'\"()]*)")


def _public(graph: Graph) -> Graph:
    """The graph as the server shows it to anyone: the problems that name a file of the
    server's (a snapshot's bad lines, a cache file) name it without its folders."""
    if not any("/" in p.artifact or "/" in p.message for p in graph.problems):
        return graph
    problems = tuple(Problem(p.code, _ABSOLUTE_PATH.sub(r"\1", p.artifact), _ABSOLUTE_PATH.sub(r"\1", p.message))
                     for p in graph.problems)
    return replace(graph, problems=problems)


class Engine:
    def __init__(self, settings: Settings, kb: KnowledgeBase | None = None, normalizer: Normalizer | None = None) -> None:
        self.kb = kb or default_kb()
        self.normalizer = normalizer or default_normalizer()
        self.snapshots = [SnapshotSource(p) for p in settings.snapshots]
        entries: list[Entry] = []
        for snap in self.snapshots:  # read (and parse) each snapshot once, now, not per request
            for rec in snap.records():
                art = rec.artifact
                entries.append(Entry(art.id, art.kind, art.downloads or 0, tuple(dict.fromkeys(s.value for s in art.licenses))))
        entries.sort(key=lambda e: (-e.downloads, e.id.lower()))
        self.entries = entries
        self._search_keys = [(e.id.lower(), e) for e in entries]
        # files=False: the server identifies no license text, so it fetches none either
        self.hub = HubSource(offline=settings.offline, endpoint=settings.hub_endpoint, cache_dir=settings.hub_cache_dir,
                             files=False)
        self.sources: list[Source] = [*self.snapshots, self.hub]
        self._default_policy = Policy()
        self.checker = Checker(self.kb, self.normalizer, self.sources, self._default_policy,
                               detect_texts=False, progress=False)
        ttl = None if settings.offline else settings.cache_ttl
        self._lineages: LRU[_Lineage] = LRU(settings.cache_size, ttl)
        self._outcomes: LRU[tuple[Outcome, bytes]] = LRU(settings.cache_size * 3, ttl)
        self._statuses: LRU[bytes] = LRU(settings.cache_size, ttl)
        self._locks = [threading.Lock() for _ in range(64)]  # one computation per key at a time
        self.warm_done = self.warm_total = 0
        self.warm_ids: list[str] = []

    # -- lineage -------------------------------------------------------------------------------
    def _lineage(self, ref: Ref) -> _Lineage:
        found = self._lineages.get(ref.key)
        if found is not None:
            return found
        with self._locks[hash(ref.key) % len(self._locks)]:
            found = self._lineages.get(ref.key)
            if found is not None:
                return found
            subject, walked, lineage = self.checker.lineage(ref)
            graph = _public(walked)
            return self._lineages.put(ref.key, _Lineage(subject, graph, walked, lineage, json.dumps(graph.to_json()).encode()))

    def graph(self, ref: Ref) -> Graph:
        return self._lineage(ref).graph

    def graph_json(self, ref: Ref) -> bytes:
        return self._lineage(ref).json

    def cached_graph_json(self, ref: Ref) -> bytes | None:
        found = self._lineages.get(ref.key)
        return found.json if found is not None else None

    # -- verdicts ------------------------------------------------------------------------------
    def outcome(self, ref: Ref, use: str, policy: Policy | None = None, policy_key: str = policies.DEFAULT_NAME) -> Outcome:
        return self._outcome(ref, use, policy, policy_key)[0]

    def clearance_json(self, ref: Ref, use: str, policy: Policy | None = None,
                       policy_key: str = policies.DEFAULT_NAME) -> bytes:
        """One element of `clearance check --format json`'s results, serialized."""
        return self._outcome(ref, use, policy, policy_key)[1]

    def cached_clearance_json(self, ref: Ref, use: str, policy_key: str = policies.DEFAULT_NAME) -> bytes | None:
        """The answer when it is already in memory (then no thread is needed to serve it)."""
        found = self._outcomes.get((ref.key, use, policy_key))
        return found[1] if found is not None else None

    def _outcome(self, ref: Ref, use: str, policy: Policy | None, policy_key: str) -> tuple[Outcome, bytes]:
        cache_key = (ref.key, use, policy_key)
        found = self._outcomes.get(cache_key)
        if found is not None:
            return found
        lin = self._lineage(ref)
        evaluator = self.checker.evaluator(policy)
        outcome = evaluator.evaluate(self.checker.result(lin.subject, lin.walked, lin.lineage, use, evaluator))
        return self._outcomes.put(cache_key, (outcome, json.dumps(result_json(outcome)).encode()))

    def status(self, ref: Ref, policy: Policy | None, policy_key: str, policy_name: str) -> dict[str, Any]:
        """An inventory item's standing under a policy: per use, the verdict and whether it passes."""
        policy = policy or self._default_policy
        uses = []
        for use in policy.uses:
            o = self.outcome(ref, use, policy, policy_key)
            uses.append({"use": use, "verdict": o.result.verdict, "passed": o.passed,
                         "failures": list(o.failures), "waived_by": o.waived_by})
        return {"policy": policy_name, "passed": all(u["passed"] for u in uses), "uses": uses}

    def has_status(self, ref: Ref, policy: Policy | None, policy_key: str, policy_name: str) -> bool:
        """Whether status_json() would answer from memory (no engine work)."""
        if (ref.key, policy_key, policy_name) in self._statuses:
            return True
        uses = (policy or self._default_policy).uses
        return all((ref.key, use, policy_key) in self._outcomes for use in uses)

    def status_json(self, ref: Ref, policy: Policy | None, policy_key: str, policy_name: str) -> bytes:
        key = (ref.key, policy_key, policy_name)
        found = self._statuses.get(key)
        if found is None:
            found = self._statuses.put(key, json.dumps(self.status(ref, policy, policy_key, policy_name)).encode())
        return found

    def forget(self) -> None:
        """Drop every cached lineage, verdict and status (a recheck found the sources changed)."""
        for cache in (self._lineages, self._outcomes, self._statuses):
            cache.clear()

    # -- warming -------------------------------------------------------------------------------
    def warm(self, limit: int, policy: Policy | None, policy_key: str, stop: threading.Event) -> None:
        """Compute, in the background, the lineage and the three verdicts of the `limit` most
        downloaded models of the snapshots, so that lookups of popular models are answered
        from memory from the first request on. Each is what a first request would compute."""
        todo = [e for e in self.entries if e.kind == "model"][:max(limit, 0)]
        self.warm_ids = [e.id for e in todo]
        self.warm_total = len(todo)
        for entry in todo:
            if stop.is_set():
                return
            ref = Ref(entry.id, "model")
            for use in USES:
                self.outcome(ref, use, policy, policy_key)
            self.warm_done += 1
            time.sleep(0)  # let request threads have the GIL between models

    # -- search --------------------------------------------------------------------------------
    def search(self, query: str, limit: int = 50) -> list[Entry]:
        """Artifacts of the snapshots whose id contains `query` (case-insensitive): the exact
        id first, then ids starting with it, then the rest; each group by downloads."""
        q = query.strip().lower()
        if not q:
            return self.entries[:limit]
        exact, prefix, inner = [], [], []
        for key, entry in self._search_keys:
            if q in key:
                (exact if key == q else prefix if key.startswith(q) or key.split("/")[-1].startswith(q) else inner).append(entry)
                if len(exact) + len(prefix) >= limit:
                    break
        return (exact + prefix + inner)[:limit]
