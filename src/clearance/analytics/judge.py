"""Verdict, findings and conflicts of each distinct lineage combination, by the engine's rules.

A model's audit row depends only on its combination: the KB ids it declares, those its weight
ancestors pass down, and four facts (declares anything, declares an unresolved value, is a
quantization, an ancestor is missing / unlicensed / unresolved). A Hub snapshot of 3M models has
about 12,000 combinations: each is judged here once, in Python, with `engine.compat` (the rule
`clearance check` applies) and the per-license verdicts of `licenses.license_info`, and the
result is a small table that SQL joins back to the models. No compatibility rule is restated in SQL.

`ConflictRule` is the conflict part alone (what `hub history` asks of each combination); `Judge`
adds the audit's verdicts and findings over it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from clearance.analytics import propagate
from clearance.engine import compat
from clearance.kb.loader import KnowledgeBase
from clearance.kb.normalizer import PLACEHOLDERS
from clearance.kb.terms import LicenseTerms

# What the combination table holds beyond the key columns, as the audit lists it.
RESULT_COLUMNS = ("declared_licenses", "inherited_licenses", "conflict_pairs", "verdict", "findings")


class ConflictRule:
    """The conflict rule (`compat.conflicts`, which `clearance check` applies) over one knowledge
    base, for combinations of KB ids; each (declared ids, one inherited id, quantization) judged
    once: combinations share most of them."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._terms: dict[str, LicenseTerms | None] = {}
        self._one: dict[tuple[tuple[str, ...], str, bool], tuple[tuple[str, str], ...]] = {}

    def terms(self, kb_id: str) -> LicenseTerms | None:
        if kb_id not in self._terms:
            self._terms[kb_id] = self.kb.get(kb_id)
        return self._terms[kb_id]

    def pairs(self, declared: tuple[str, ...], inherited: tuple[str, ...], quantization: bool) -> tuple[tuple[str, str], ...]:
        """(declared id, inherited id) for each pair `compat.conflicts` finds between the KB ids a
        model declares and those its ancestors pass down, sorted, each once."""
        return tuple(sorted({pair for kb_id in inherited for pair in self._with(declared, kb_id, quantization)}))

    def _with(self, declared: tuple[str, ...], kb_id: str, quantization: bool) -> tuple[tuple[str, str], ...]:
        key = (declared, kb_id, quantization)
        if key not in self._one:
            ancestor = self.terms(kb_id)
            terms = [t for t in map(self.terms, declared) if t is not None]
            self._one[key] = tuple((d, kb_id) for d, _ in compat.conflicts(terms, ancestor, quantization)) if ancestor else ()
        return self._one[key]


def pair_labels(pairs: Iterable[tuple[str, str]]) -> list[str]:
    """The audit's `conflict_pairs`: `declared <- inherited` for each pair, sorted as strings."""
    return sorted(f"{declared} <- {inherited}" for declared, inherited in pairs)


class Judge:
    """Judges combinations against one knowledge base and one use."""

    def __init__(self, kb: KnowledgeBase, bits: dict[str, tuple[int, int]], info: Iterable[tuple[str, str, list[str]]]):
        """`bits`: each KB id's (word, mask) (`propagate.license_bits`); `info`: each KB id's
        (kb_id, verdict for the use, finding names) from `license_info`."""
        # (word, bit position) -> KB id, to read only the bits a mask has set
        self.at = {(word, mask.bit_length() - 1): kb_id for kb_id, (word, mask) in bits.items()}
        self.verdict = {kb_id: (verdict, findings) for kb_id, verdict, findings in info}
        self._ids: dict[tuple[int, ...], list[str]] = {}
        self.rule = ConflictRule(kb)
        # what depends only on the licenses (declared, inherited, quantization), not on the flags
        self._licenses: dict[tuple, tuple[list[str], set[str], frozenset[str]]] = {}

    def ids(self, masks: tuple[int, ...]) -> list[str]:
        """The KB ids set in a mask of words, sorted (combinations share masks: each read once)."""
        if masks not in self._ids:
            out = []
            for word, m in enumerate(masks):
                while m:
                    low = m & -m
                    out.append(self.at[word, low.bit_length() - 1])
                    m ^= low
            self._ids[masks] = sorted(out)
        return self._ids[masks]

    def _of_licenses(self, declared: list[str], inherited: list[str], quantization: bool) -> tuple[list[str], set[str], frozenset[str]]:
        """The conflict pairs, and the verdicts and findings of each license the model is bound by."""
        key = (tuple(declared), tuple(inherited), quantization)
        if key not in self._licenses:
            pairs = pair_labels(self.rule.pairs(key[0], key[1], quantization))
            # Each license the model is bound by: a quantization's placeholder (`other`) is its base's license.
            bound = [i for i in dict.fromkeys(declared + inherited) if not (quantization and i in PLACEHOLDERS)]
            self._licenses[key] = (pairs, {self.verdict[i][0] for i in bound},
                                   frozenset(f for i in bound for f in self.verdict[i][1]))
        return self._licenses[key]

    def judge(self, row: dict[str, Any], n_words: int) -> dict[str, Any]:
        """The audit's lists and verdict for one combination (a row of the key columns)."""
        D, A = propagate.mask_columns(n_words)
        declared = self.ids(tuple(row[c] for c in D))
        inherited = self.ids(tuple(row[c] for c in A))
        quantization, flags = row["quantization"], row["flags"]
        missing, unlicensed = bool(flags & propagate.MISSING), bool(flags & propagate.UNLICENSED)
        unresolved_ancestor = bool(flags & propagate.UNRESOLVED)
        pairs, verdicts, bound_findings = self._of_licenses(declared, inherited, bool(quantization))
        findings = set(bound_findings)
        if "blocked" in verdicts:
            verdict = "blocked"
        elif (((not row["has_values"] or row["unresolved"]) and not quantization) or missing or unlicensed
              or unresolved_ancestor or "unknown" in verdicts):
            verdict = "unknown"
        elif "conditional" in verdicts:
            verdict = "conditional"
        else:
            verdict = "cleared"
        if pairs:
            findings.add("license-conflict")
        if not row["has_values"] or unlicensed:
            findings.add("missing-license")
        if row["unresolved"] or unresolved_ancestor:
            findings.add("unresolved-license")
        if missing:
            findings.add("unresolved-ancestor")
        return {"declared_licenses": declared, "inherited_licenses": inherited, "conflict_pairs": pairs,
                "verdict": verdict, "findings": sorted(findings)}


def build_combos(engine: Any, judge: Judge, n_words: int) -> None:
    """`combo`: each distinct combination of `audit_keyed`'s key columns, with its audit lists
    and verdict, judged once here (the engine: one holding `audit_keyed`, in DuckDB's SQL)."""
    keys = propagate.key_columns(n_words)
    rows = engine.rows(f"select distinct {', '.join(keys)} from audit_keyed")
    judged = [judge.judge(r, n_words) for r in rows]
    types = {"has_values": "boolean", "unresolved": "boolean", "flags": "integer", "quantization": "boolean"}
    columns = {k: (types.get(k, "bigint"), [r[k] for r in rows]) for k in keys}
    columns |= {c: ("varchar" if c == "verdict" else "varchar[]", [j[c] for j in judged]) for c in RESULT_COLUMNS}
    engine.table("combo", columns)
