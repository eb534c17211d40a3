"""judge.ConflictRule, the conflict rule `hub history` and the audit's Judge share: pairs as
(declared, inherited) tuples for history, the audit's `declared <- inherited` labels built from
them in one place (judge.pair_labels)."""

from __future__ import annotations

from clearance.analytics import judge, propagate
from clearance.kb.loader import default_kb


def test_the_rule_answers_pairs_and_the_audit_labels_them():
    rule = judge.ConflictRule(default_kb())
    # apache-2.0 satisfies an apache-2.0 ancestor; neither it nor mit may relabel a Llama 2 derivative
    pairs = rule.pairs(("apache-2.0", "mit"), ("apache-2.0", "llama2"), False)
    assert pairs == (("apache-2.0", "llama2"), ("mit", "llama2"))
    assert rule.pairs(("llama2",), ("llama2",), False) == ()
    assert rule.pairs(("mit",), ("no-such-license",), False) == ()  # an id the KB lacks judges nothing
    assert judge.pair_labels(pairs) == ["apache-2.0 <- llama2", "mit <- llama2"]
    # ordered as the strings, as the audit always listed them
    assert judge.pair_labels([("b", "x"), ("a-b", "y"), ("a", "z")]) == ["a <- z", "a-b <- y", "b <- x"]


def test_the_audits_judge_lists_the_rules_pairs():
    ids = ["apache-2.0", "llama2", "mit"]
    bits = {kb_id: (0, 1 << i) for i, kb_id in enumerate(ids)}
    j = judge.Judge(default_kb(), bits, [(kb_id, "cleared", []) for kb_id in ids])
    (declared,), (inherited,) = propagate.mask_columns(1)
    row = {declared: bits["apache-2.0"][1] | bits["mit"][1], inherited: bits["apache-2.0"][1] | bits["llama2"][1],
           "quantization": False, "flags": 0, "has_values": True, "unresolved": False}
    out = j.judge(row, 1)
    assert out["conflict_pairs"] == ["apache-2.0 <- llama2", "mit <- llama2"]
    assert out["findings"] == ["license-conflict"] and out["verdict"] == "cleared"
    assert j.judge(row | {inherited: bits["apache-2.0"][1]}, 1)["conflict_pairs"] == []
