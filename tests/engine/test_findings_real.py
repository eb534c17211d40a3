"""Each finding on real Hub models, from the bundled snapshot (data/hub-2025-sample.jsonl).

Findings with no real example in the shared data (territory-excluded, naming-rule,
incompatible-merge, lineage-cycle, license-changed, modified-license-text, dataset-terms:
the sample holds no Llama 3.2/4 vision or Hunyuan base record, no Llama 3 base, no bad merge,
no cycle, no disagreeing license sources, no LICENSE files and no dataset records) are tested
on built lineages in test_clear.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from clearance.policy.load import from_table
from clearance.usecases.check import check

SNAP = Path(__file__).resolve().parents[2] / "data" / "hub-2025-sample.jsonl"


@pytest.fixture(autouse=True)
def _offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))


def result(model: str, use: str = "commercial", **org):
    policy = from_table({"organization": org}) if org else None
    (outcome,) = check([model], [use], policy=policy, snapshots=[SNAP], offline=True).outcomes
    return outcome.result


def found(r, name: str, artifact: str | None = None):
    return [f for f in r.findings if f.name == name and (artifact is None or f.artifact.lower() == artifact.lower())]


def test_missing_license_on_a_quantization_that_declares_none():
    r = result("PrunaAI/google-gemma-7b-HQQ-2bit-smashed")
    assert found(r, "missing-license", "PrunaAI/google-gemma-7b-HQQ-2bit-smashed")
    # A quantization's weights are its base's: it is bound by Gemma's terms, not unknown.
    assert r.inherited_licenses == ("gemma-tou-2024-02-21",) and r.verdict == "conditional"


def test_unresolved_license_on_bare_other():
    r = result("sohug/gemma-7b_banglo_qlora")
    (f,) = found(r, "unresolved-license", "sohug/gemma-7b_banglo_qlora")
    assert "other" in f.message and r.verdict == "unknown"


def test_license_conflict_cc_by_nc_on_gemma_and_non_commercial_upstream():
    r = result("mlabonne/gemma-7b-dare")
    (conflict,) = found(r, "license-conflict", "mlabonne/gemma-7b-dare")
    assert "google/gemma-7b" in conflict.message and conflict.path[-1].lower() == "google/gemma-7b"
    assert found(r, "non-commercial-upstream") and r.verdict == "blocked"


def test_non_commercial_upstream_blocks_commercial_only():
    model = "OpenLLM-Ro/RoGemma-7b-Instruct-2024-06-28"
    assert result(model).verdict == "blocked" and found(result(model), "non-commercial-upstream")
    assert result(model, "research").verdict in ("cleared", "conditional")


def test_unresolved_ancestor_for_a_dataset_not_in_any_source():
    r = result("Junfeng5/Liquid_V1_7B")
    assert any("dclm-baseline" in f.artifact.lower() for f in found(r, "unresolved-ancestor"))


def test_llama2_finetune_carries_llama2_duties():
    r = result("Vivian12300/llama-2-7b-chat-hf-mathqa-rationale-2")
    for name in ("use-restrictions-pass-through", "mau-threshold", "output-training-restricted"):
        assert found(r, name), name
    assert found(result("Vivian12300/llama-2-7b-chat-hf-mathqa-rationale-2", "redistribution"), "attribution-required")
    (mau,) = found(r, "mau-threshold")
    assert "700,000,000" in mau.message and mau.url.startswith("https://")
    assert r.verdict == "conditional"


def test_mau_threshold_blocks_above_and_clears_below():
    model = "Vivian12300/llama-2-7b-chat-hf-mathqa-rationale-2"
    assert result(model, monthly_active_users=800_000_000).verdict == "blocked"
    assert result(model, monthly_active_users=1_000).verdict == "conditional"


def test_revenue_threshold_on_stable_video_diffusion():
    model = "stabilityai/stable-video-diffusion-img2vid-xt"
    above = result(model, annual_revenue_usd=100_000_000)
    assert above.verdict == "blocked" and found(above, "revenue-threshold")
    below = result(model, annual_revenue_usd=500_000)
    assert below.verdict == "conditional"
