"""The engine on small lineages built in the test: every finding, every verdict, and the
pathological shapes (cycles, a million levels) that must never hang or crash."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from clearance.artifacts.model import Edge
from clearance.artifacts.signals import LicenseSignal
from clearance.engine.clear import clear
from clearance.engine.values import Node, Organization
from clearance.kb.normalizer import Resolution, default_normalizer


@dataclass
class DictLineage:
    """The engine's input contract at its simplest: nodes by id and parent links."""

    nodes: dict[str, Node] = field(default_factory=dict)
    links: dict[str, list[Edge]] = field(default_factory=dict)

    def node(self, artifact_id: str) -> Node | None:
        return self.nodes.get(artifact_id)

    def parents(self, artifact_id: str) -> Sequence[Edge]:
        return self.links.get(artifact_id, [])

    def add(self, node_id: str, *licenses: str, kind: str = "model", tag: str | None = None,
            parents: Sequence[tuple[str, str]] = (), found: bool = True, signals: Sequence[LicenseSignal] = ()) -> "DictLineage":
        norm = default_normalizer()
        resolved = [norm.resolve(v, "card_license") for v in licenses] + [norm.resolve(s.value, s.kind) for s in signals]
        self.nodes[node_id] = Node(node_id, kind, tuple(resolved), found, tag)  # type: ignore[arg-type]
        for parent, relation in parents:
            self.links.setdefault(node_id, []).append(Edge(parent, node_id, relation, "test"))
        return self


def names(result) -> set[str]:
    return {f.name for f in result.findings}


def run(lineage, subject="child", use="commercial", org=Organization(), **kw):
    from clearance.kb import default_kb

    return clear(lineage, subject, use, default_kb(), org, **kw)


def test_mit_on_a_llama2_finetune_is_a_conflict_and_llama2_still_binds():
    g = DictLineage().add("meta/llama", "llama2").add("child", "mit", parents=[("meta/llama", "finetune")])
    r = run(g)
    assert r.declared_licenses == ("mit",) and r.inherited_licenses == ("llama2",)
    conflict = [f for f in r.findings if f.name == "license-conflict"]
    assert len(conflict) == 1 and conflict[0].artifact == "child" and conflict[0].severity == "error"
    assert conflict[0].path == ("child", "meta/llama")
    # what the message says, as fields (scripts/conflict_report.py reads them)
    c = conflict[0]
    assert (c.declared, c.inherited, c.ancestor) == ("mit", "llama2", "meta/llama")
    assert c.reason and c.message == f"child declares mit but descends from meta/llama (llama2): {c.reason}"
    assert conflict[0].section  # names the section of the Llama 2 license
    assert r.verdict == "conditional"  # Llama 2 allows commercial use below 700M MAU
    assert any("700,000,000" in o.text for o in r.obligations)
    assert "use-restrictions-pass-through" in names(r) and "output-training-restricted" in names(r)
    # Llama 2's notice duties (a copy of the agreement, the Notice-file sentence) come with
    # copies: a hosted product distributes none, redistribution does.
    assert "attribution-required" not in names(r)
    shipped = run(g, use="redistribution")
    assert "attribution-required" in names(shipped)
    assert any("Llama 2 is licensed under the LLAMA 2 Community License" in o.text for o in shipped.obligations)


@pytest.mark.parametrize(
    "declared,base",
    [("apache-2.0", "mit"), ("mit", "apache-2.0"), ("creativeml-openrail-m", "mit"), ("cc-by-nc-4.0", "apache-2.0"),
     ("llama2", "llama2"), ("gpl-3.0", "mit"), ("cc-by-sa-4.0", "cc-by-sa-3.0"),
     ("cc-by-nc-4.0", "cc-by-4.0"), ("openrail++", "cc0-1.0"),
     # the Hub's family id names every member; an edition of the same agreement is the agreement
     ("openrail", "creativeml-openrail-m"), ("gemma", "gemma-tou-2024-04-01"), ("gemma-tou-2024-04-01", "gemma")],
)
def test_legal_combinations_are_not_conflicts(declared, base):
    g = DictLineage().add("base", base).add("child", declared, parents=[("base", "finetune")])
    assert "license-conflict" not in names(run(g))


@pytest.mark.parametrize(
    "declared,base",
    [(("apache-2.0", "llama3.1"), "llama3.1"), (("mit", "gemma"), "gemma"),
     (("creativeml-openrail-m", "llama3.1"), "llama3.1"), (("intel-research", "gemma"), "gemma")],
)
def test_a_stacked_declaration_that_includes_the_ancestors_license_is_legal(declared, base):
    g = DictLineage().add("base", base).add("child", *declared, parents=[("base", "finetune")])
    assert "license-conflict" not in names(run(g))


@pytest.mark.parametrize(
    "declared,base",
    [  # the relabellings publishers confirmed as license errors: another license without the base's
     ("creativeml-openrail-m", "llama3.1"), ("openrail", "gemma"), ("bigscience-openrail-m", "gemma"),
     ("llama3.1", "llama3.2"), ("llama3", "llama3.3"), ("llama2", "llama3.1"),
     # another version of an agreement that must travel is not that agreement
     ("llama3.1", "llama3"), ("llama3.3", "llama3.1"),
     # a narrower license alone drops the base's agreement, which must travel with derivatives
     ("intel-research", "gemma"), ("mistral-research-license", "llama2")],
)
def test_a_derivative_declaring_another_license_without_the_travelling_one_is_a_conflict(declared, base):
    g = DictLineage().add("base", base).add("child", declared, parents=[("base", "quantized")])
    r = run(g)
    (conflict,) = [f for f in r.findings if f.name == "license-conflict"]
    assert base in conflict.message and declared in conflict.message and conflict.path == ("child", "base")


@pytest.mark.parametrize(
    "declared,base",
    [("apache-2.0", "gemma"), ("mit", "cc-by-nc-4.0"), ("apache-2.0", "creativeml-openrail-m"),
     ("mit", "deepseek-la-1.0"), ("apache-2.0", "qwen-research"), ("mit", "cc-by-sa-4.0"),
     # one publisher's licenses are not one license: CC BY on CC BY-NC, Qwen on Qwen research
     ("cc-by-4.0", "cc-by-nc-4.0"), ("qwen", "qwen-research"), ("apache-2.0", "llama4"),
     # CC and the GPL forbid added restrictions, so they cannot carry Gemma's or Llama's
     ("cc-by-nc-4.0", "gemma"), ("gpl-3.0", "llama2"), ("cc-by-sa-4.0", "llama2")],
)
def test_relabelled_derivatives_are_conflicts(declared, base):
    g = DictLineage().add("base", base).add("child", declared, parents=[("base", "finetune")])
    assert "license-conflict" in names(run(g))


def test_non_commercial_base_blocks_commercial_but_not_research():
    g = DictLineage().add("base", "cc-by-nc-4.0").add("child", "cc-by-nc-4.0", parents=[("base", "quantized")])
    r = run(g)
    assert r.verdict == "blocked" and "non-commercial-upstream" in names(r)
    assert any("cc-by-nc-4.0" in reason for reason in r.reasons)
    assert run(g, use="research").verdict in ("cleared", "conditional")


def test_mau_threshold_known_and_unknown():
    g = DictLineage().add("base", "llama2").add("child", "llama2", parents=[("base", "finetune")])
    big = run(g, org=Organization(monthly_active_users=800_000_000))
    assert big.verdict == "blocked"
    f = next(f for f in big.findings if f.name == "mau-threshold")
    assert f.severity == "error" and f.section.startswith("2")
    small = run(g, org=Organization(monthly_active_users=1_000))
    assert small.verdict == "conditional" and all(f.severity != "error" for f in small.findings if f.name == "mau-threshold")
    unknown = run(g)
    assert any(f.name == "mau-threshold" and f.severity == "info" for f in unknown.findings)


def test_missing_and_unresolved_licenses_make_the_verdict_unknown():
    g = DictLineage().add("base").add("child", "apache-2.0", parents=[("base", "finetune")])
    r = run(g)
    assert r.verdict == "unknown" and "missing-license" in names(r)
    assert next(f for f in r.findings if f.name == "missing-license").path == ("child", "base")
    g2 = DictLineage().add("child", "my-lab-terms-v2")
    r2 = run(g2)
    assert r2.verdict == "unknown" and "unresolved-license" in names(r2)


def test_unresolved_ancestor():
    g = DictLineage().add("child", "apache-2.0", parents=[("gone/model", "finetune")])
    r = run(g)
    assert r.verdict == "unknown" and "unresolved-ancestor" in names(r)


def test_cycle_and_self_reference_are_reported_not_followed():
    g = DictLineage().add("a", "apache-2.0", parents=[("b", "finetune")]).add("b", "apache-2.0", parents=[("a", "finetune")])
    r = run(g, subject="a")
    assert "lineage-cycle" in names(r)
    g2 = DictLineage().add("child", "mit", parents=[("child", "finetune")])
    assert "lineage-cycle" in names(run(g2))


def test_a_very_deep_chain_completes_without_recursion():
    # 100,000 levels under a recursion limit of 200: anything recursive fails at once. (The
    # graph builder's own test walks a million levels.)
    import sys

    g = DictLineage()
    n = 100_000
    g.add("m0", "llama2")
    res = g.nodes["m0"].licenses
    for i in range(1, n):
        g.nodes[f"m{i}"] = Node(f"m{i}", "model", res)
        g.links[f"m{i}"] = [Edge(f"m{i - 1}", f"m{i}", "finetune")]
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        r = run(g, subject=f"m{n - 1}")
    finally:
        sys.setrecursionlimit(limit)
    assert r.verdict == "conditional" and r.inherited_licenses == ("llama2",)


def test_depth_limit_makes_the_rest_unknown():
    g = DictLineage().add("root", "cc-by-nc-4.0").add("mid", "apache-2.0", parents=[("root", "finetune")])
    g.add("child", "apache-2.0", parents=[("mid", "finetune")])
    r = run(g, max_depth=1)
    assert r.verdict == "unknown" and "cc-by-nc-4.0" not in r.inherited_licenses


def test_dataset_terms_lenient_warn_strict_block():
    g = DictLineage().add("data/nc", "cc-by-nc-4.0", kind="dataset").add("child", "apache-2.0", parents=[("data/nc", "trained_on")])
    lenient = run(g)
    assert lenient.verdict == "conditional" and "dataset-terms" in names(lenient)
    assert any("review" in o.text for o in lenient.obligations)
    strict = run(g, data_terms="strict")
    assert strict.verdict == "blocked"


def test_incompatible_merge():
    g = DictLineage().add("p1", "cc-by-sa-4.0").add("p2", "cc-by-nc-4.0")
    g.add("child", "cc-by-sa-4.0", parents=[("p1", "merge"), ("p2", "merge")])
    r = run(g, use="research")
    assert "incompatible-merge" in names(r) and r.verdict == "blocked"


def test_eu_exclusion_applies_to_multimodal_models_only():
    eu = Organization(territories=frozenset({"DE", "EU"}))
    vision = DictLineage().add("meta/vision", "llama3.2", tag="image-text-to-text")
    vision.add("child", "llama3.2", tag="image-text-to-text", parents=[("meta/vision", "finetune")])
    r = run(vision, org=eu)
    assert r.verdict == "blocked" and "territory-excluded" in names(r)
    text = DictLineage().add("meta/text", "llama3.2", tag="text-generation")
    text.add("child", "llama3.2", tag="text-generation", parents=[("meta/text", "finetune")])
    assert "territory-excluded" not in names(run(text, org=eu))


def test_llama3_naming_and_output_rules_differ_from_3_1():
    l3 = DictLineage().add("base", "llama3").add("child", "llama3", parents=[("base", "finetune")])
    r3 = run(l3, use="redistribution")
    assert "naming-rule" in names(r3) and "output-training-restricted" in names(r3)
    l31 = DictLineage().add("base", "llama3.1").add("child", "llama3.1", parents=[("base", "finetune")])
    r31 = run(l31, use="redistribution")
    assert "naming-rule" in names(r31) and "output-training-restricted" not in names(r31)
    prefix3 = next(f for f in r3.findings if f.name == "naming-rule").message
    prefix31 = next(f for f in r31.findings if f.name == "naming-rule").message
    assert prefix3 != prefix31


def test_revenue_threshold():
    g = DictLineage().add("base", "stability-ai-community-2024").add("child", "stability-ai-community-2024",
                                                                      parents=[("base", "finetune")])
    r = run(g, org=Organization(annual_revenue_usd=5_000_000))
    assert r.verdict == "blocked" and "revenue-threshold" in names(r)


def test_sources_that_disagree_are_reported():
    g = DictLineage().add("child", signals=[LicenseSignal("card_license", "apache-2.0"), LicenseSignal("gguf", "llama2")])
    assert "license-changed" in names(run(g))


def test_modified_license_text_is_reported():
    node = Node("child", "model", (Resolution("LICENSE", "mit", 0.4, "partial", "license_file", "LICENSE", modified=True),))
    g = DictLineage(nodes={"child": node})
    assert "modified-license-text" in names(run(g))


def test_permissive_lineage_is_cleared_with_attribution_when_shipped():
    g = DictLineage().add("base", "mit").add("child", "apache-2.0", parents=[("base", "finetune")])
    assert run(g).verdict == "cleared"
    r = run(g, use="redistribution")
    assert r.verdict == "cleared" and "attribution-required" in names(r)
    assert {o.license for o in r.obligations} >= {"mit", "apache-2.0"}


@pytest.mark.parametrize("declared", [("other",), ()])
def test_a_quantization_carries_its_bases_license_but_a_finetune_stays_unknown(declared):
    for relation, verdict in (("quantized", "conditional"), ("finetune", "unknown")):
        g = DictLineage().add("base", "llama2").add("child", *declared, parents=[("base", relation)])
        r = run(g)
        assert r.verdict == verdict, relation
        assert r.inherited_licenses == ("llama2",)
        # the raw value stays visible as a warning either way
        assert names(r) & {"unresolved-license", "missing-license"}


def test_a_quantization_of_a_missing_base_is_still_unknown():
    g = DictLineage().add("base", found=False).add("child", "other", parents=[("base", "quantized")])
    assert run(g).verdict == "unknown"


def test_the_readme_quantization_resolves_to_llama2_terms():
    # The README's flagship example: a GGML quantization of Llama-2-7b-chat declaring `license: other`.
    from clearance.usecases.check import check

    (outcome,) = check(["TheBloke/Llama-2-7B-Chat-GGML"], ["commercial"], snapshots=["data/hub-2025-sample.jsonl"],
                       offline=True).outcomes
    r = outcome.result
    assert r.verdict == "conditional" and r.inherited_licenses == ("llama2",)
    assert any(f.name == "unresolved-license" and "quantization" in f.message for f in r.findings)


def test_no_derivative_of_a_no_derivatives_license_whatever_it_declares():
    # CC BY-ND 4.0 §2(a)(1)(B): adapted material may not be shared; an ND label on it is no cure
    for declared in ("cc-by-nd-4.0", "mit"):
        g = DictLineage().add("base", "cc-by-nd-4.0").add("child", declared, parents=[("base", "finetune")])
        (conflict,) = [f for f in run(g).findings if f.name == "license-conflict"]
        assert "does not allow sharing adapted material" in conflict.message
    # a quantization is a format change (§2(a)(4)): the same license on it is legal, another is not
    q = DictLineage().add("base", "cc-by-nd-4.0").add("child", "cc-by-nd-4.0", parents=[("base", "quantized")])
    assert "license-conflict" not in names(run(q))
    q_mit = DictLineage().add("base", "cc-by-nd-4.0").add("child", "mit", parents=[("base", "quantized")])
    assert "license-conflict" in names(run(q_mit))


@pytest.mark.parametrize("declared,base", [("gpl-3.0", "cc-by-sa-4.0"), ("gpl-3.0", "lgpl-3.0"), ("gpl-2.0", "lgpl-2.1")])
def test_a_license_the_ancestors_text_lets_derivatives_take_is_legal(declared, base):
    g = DictLineage().add("base", base).add("child", declared, parents=[("base", "finetune")])
    assert "license-conflict" not in names(run(g))


def test_merges_gpl_with_agpl_but_not_with_no_derivatives():
    from clearance.engine.compat import merge_conflict
    from clearance.kb import default_kb

    kb = default_kb()
    assert merge_conflict(kb.get("gpl-3.0"), kb.get("agpl-3.0")) is None
    assert merge_conflict(kb.get("gpl-2.0"), kb.get("agpl-3.0")) is not None
    assert "adapted material" in merge_conflict(kb.get("cc-by-nd-4.0"), kb.get("mit"))
    # relabelling a GPL-3.0 derivative as AGPL-3.0 stays a conflict: combining is not relicensing
    g = DictLineage().add("base", "gpl-3.0").add("child", "agpl-3.0", parents=[("base", "finetune")])
    assert "license-conflict" in names(run(g))
