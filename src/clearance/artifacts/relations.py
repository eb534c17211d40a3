"""Turn what metadata says about an artifact's bases into typed edges, each saying how it was
learnt.

Several places may name the same base, with or without a relation. For each base the relation
is taken, in this order:
  1. said by the author or by the files themselves: the card's `base_model_relation`, an
     `adapter_config.json`, a GGUF header's `general.source.*`           (Strength.STATED)
  2. a Hub tag `base_model:<relation>:<id>` other than the Hub's default `finetune` (HUB)
  3. inferred: quantization markers (GGUF/GGML/GPTQ/AWQ/EXL2... in files, tags or the name)
     => quantized; several distinct bases => merge
  4. the Hub's default tag `base_model:finetune:<id>`                     (HUB_DEFAULT)
  5. nothing said: finetune by default
The Hub writes `finetune` when nothing else is known, so a GGUF repository tagged `finetune`
is still called quantized, with both facts in the evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from enum import IntEnum

from clearance.artifacts.ids import Ref
from clearance.artifacts.model import Edge
from clearance.util.lean import value

_ALIASES = {
    "finetune": "finetune", "fine-tune": "finetune", "finetuned": "finetune", "fine-tuned": "finetune",
    "fine_tune": "finetune", "full-finetune": "finetune",
    "adapter": "adapter", "adapters": "adapter", "lora": "adapter", "peft": "adapter",
    "merge": "merge", "merged": "merge", "merges": "merge",
    "quantized": "quantized", "quantization": "quantized", "quantised": "quantized", "quantize": "quantized",
    "distilled": "distilled", "distillation": "distilled", "distill": "distilled",
}
# A quantization marker in a repository or file name: a token, not a substring of a word.
QUANT_NAME_WORDS = r"gguf|ggml|gptq|awq|exl2|exl3|hqq|quanto|bnb|nf4|int[248](?:bit)?|[1-8]-?bits?|\d(?:\.\d+)?bpw"
QUANT_NAME = re.compile(rf"(?<![a-z0-9])({QUANT_NAME_WORDS})(?![a-z0-9])", re.IGNORECASE)
# The same test for DuckDB's RE2 (no look-around), on a whole lower-cased id: a marker in the
# name, the part after the last "/" (no marker spans a "/", and nothing after it has one), so
# the name need not be cut out first: analytics/tables.py.
QUANT_ID_RE2 = rf"(^|[^a-z0-9])({QUANT_NAME_WORDS})([^a-z0-9/][^/]*)?$"
QUANT_TAGS = frozenset({"gguf", "ggml", "gptq", "awq", "exl2", "4-bit", "8-bit", "bitsandbytes", "quantized", "hqq"})
QUANT_FILES = re.compile(r"(?i)(\.gguf$|\.ggml$|(^|/)quantize_config\.json$|(^|/)quant_config\.json$)")


class Strength(IntEnum):
    NONE = 0
    HUB_DEFAULT = 1
    HUB = 2
    STATED = 3


@value
class Claim:
    """One place naming a base: `relation` is what it said (None when it said none)."""

    ref: Ref
    relation: str | None
    said_by: str
    strength: Strength = Strength.NONE


def normalize_relation(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return _ALIASES.get(value.strip().lower())


def quant_markers(name: str, tags: Iterable[str] = (), files: Iterable[str] = ()) -> list[str]:
    """Why an artifact looks quantized, in words (empty when it does not)."""
    out: list[str] = []
    hit = QUANT_NAME.search(name.rsplit("/", 1)[-1])
    if hit:
        out.append(f"name contains {hit.group(1)!r}")
    tag_hits = sorted({t for t in tags if t.lower() in QUANT_TAGS})
    if tag_hits:
        out.append(f"tag {tag_hits[0]!r}")
    for f in files:
        if QUANT_FILES.search(f):
            out.append(f"file {f}")
            break
    return out


def type_edges(child: str, claims: Sequence[Claim], markers: Sequence[str] = ()) -> list[Edge]:
    """One typed edge from each distinct claimed base (a model) to `child`."""
    by_key: dict[str, list[Claim]] = {}
    for claim in claims:
        by_key.setdefault(claim.ref.key, []).append(claim)
    several = len(by_key) > 1
    edges: list[Edge] = []
    for group in by_key.values():
        ref = group[0].ref
        best = max(group, key=lambda c: (c.relation is not None, c.strength))
        if best.relation and best.strength >= Strength.HUB:
            relation, how, used = best.relation, f"{best.relation} stated by {best.said_by}", best
        elif markers:
            relation, how, used = "quantized", f"quantized inferred from {', '.join(markers)}", None
        elif several:
            relation, how, used = "merge", f"merge inferred from {len(by_key)} distinct bases", None
        elif best.relation:
            relation, how, used = best.relation, f"{best.relation} from {best.said_by}", best
        else:
            relation, how, used = "finetune", "finetune by default (no relation stated)", None
        if relation == "trained_on":  # only datasets are trained on; a model base is not
            relation = "finetune"
        others = list(dict.fromkeys(c.said_by for c in group if c is not used))
        if others:
            how += ("; also named by " if used else "; named by ") + ", ".join(others)
        evidence = how
        edges.append(Edge(ref.id, child, relation, evidence, ref.revision))  # type: ignore[arg-type]
    return edges


def dataset_edges(child: str, refs: Sequence[tuple[Ref, str]]) -> list[Edge]:
    seen: dict[str, Edge] = {}
    for ref, said_by in refs:
        if ref.key in seen:
            old = seen[ref.key]
            if said_by not in old.evidence:
                seen[ref.key] = Edge(old.parent, child, "trained_on", f"{old.evidence}; {said_by}", old.parent_revision)
            continue
        seen[ref.key] = Edge(ref.id, child, "trained_on", f"trained_on named by {said_by}", ref.revision)
    return list(seen.values())
