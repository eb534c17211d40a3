"""What the knowledge base must cover: the Hub's identifiers, ScanCode's AI-model licenses,
and the custom licenses of the big model families."""

from __future__ import annotations

import gaps
import pytest

from clearance.kb.normalizer import default_normalizer

# Every license identifier the Hub accepts in a card's `license:` field, as listed in
# huggingface/hub-docs docs/hub/repositories-licenses.md @ 242f4a1 (2026-08-22).
HUB_IDS = """
apache-2.0 mit openrail bigscience-openrail-m creativeml-openrail-m bigscience-bloom-rail-1.0
bigcode-openrail-m afl-3.0 artistic-2.0 bsl-1.0 bsd bsd-2-clause bsd-3-clause bsd-3-clause-clear
c-uda cc cc0-1.0 cc-by-2.0 cc-by-2.5 cc-by-3.0 cc-by-4.0 cc-by-sa-3.0 cc-by-sa-4.0 cc-by-nc-2.0
cc-by-nc-3.0 cc-by-nc-4.0 cc-by-nd-4.0 cc-by-nc-nd-3.0 cc-by-nc-nd-4.0 cc-by-nc-sa-2.0
cc-by-nc-sa-3.0 cc-by-nc-sa-4.0 cdla-sharing-1.0 cdla-permissive-1.0 cdla-permissive-2.0 wtfpl
ecl-2.0 epl-1.0 epl-2.0 etalab-2.0 eupl-1.1 eupl-1.2 agpl-3.0 gfdl gpl gpl-2.0 gpl-3.0 lgpl
lgpl-2.1 lgpl-3.0 isc h-research intel-research lppl-1.3c ms-pl apple-ascl apple-amlr mpl-2.0
odc-by odbl openmdw-1.0 openmdw-1.1 openrail++ osl-3.0 postgresql ofl-1.1 ncsa unlicense zlib
pddl lgpl-lr deepfloyd-if-license fair-noncommercial-research-license llama2 llama3 llama3.1
llama3.2 llama3.3 llama4 grok2-community gemma unknown other
""".split()

# The AI-model licenses (not policies, not software terms of service) in ScanCode's license
# database as installed: each must resolve to a curated KB license.
SCANCODE_AI_KEYS = """
bigcode-open-rail-m-v1 bigscience-open-rail-m bigscience-open-rail-m2 bigscience-rail-1.0
chameleon-research-2024 deepseek-la-1.0 exaone-ai-model-1.1-nc fair-ai-public-1.0
fair-ai-public-1.0-sd falcon-2-11b-1.0 flux-1-nc gemma-tou-2024-04-01 gemma-tou-2025-03-24
hyperclova-x-seed-2025 llama-2-license-2023 llama-3.1-license-2024 llama-3.2-license-2024
llama-3.3-license-2024 llama-4-cla-2025 llama-license-2023 moonshot-ai-modified-mit-2025
nvidia-open-model-2025-04-28 openmdw-1.0 open-weights-permissive-1.0.0 playground-v2-community
qwen-2024 responsible-ai-source-1.0 responsible-ai-source-1.1 stability-ai-community-2024
stability-ai-nc-2023-12-06 tencent-hunyuan-3d-2.0-cla tongyi-qianwen-2023 apple-ml-ferret-2023
c-uda-1.0 o-uda-1.0 bilibili-model-ula-2025-09-09
""".split()

# Free-text `license_name` values real cards use with `license: other` (from the issue and
# from ../shared/data): each must resolve, and to the right license family.
LICENSE_NAMES = {
    "qwen": "qwen",
    "qwen-research": "qwen",
    "tongyi-qianwen-license-agreement": "tongyi-qianwen",
    "mrl": "mistral",
    "mnpl": "mistral",
    "deepseek": "deepseek",
    "nvidia-open-model-license": "nvidia",
    "stabilityai-ai-community": "stability",
    "sai-nc-community": "stability",
    "llama-license-2023": "llama",
    "gemma-terms-of-use": "gemma",
    "microsoft-research-license": "microsoft",
    "apple-amlr": "apple",
    "cogvideox-license": "cogvideox",
    "stable-video-diffusion-community": "stab",
    "intel-research-use-license": "intel",
}


def _params(values, gap: frozenset):
    """Each value as a test case; those in the known gap list are expected to fail (strict)."""
    return [pytest.param(*(v if isinstance(v, tuple) else (v,)),
                         marks=pytest.mark.xfail(strict=True, reason="not curated yet: tests/kb/gaps.py"))
            if (v[0] if isinstance(v, tuple) else v) in gap else v for v in values]


@pytest.mark.parametrize("hub_id", _params(HUB_IDS, gaps.HUB_IDS))
def test_every_hub_identifier_is_curated(kb, hub_id):
    lic = kb.licenses.get(hub_id)
    assert lic is not None, f"no KB file for the Hub id {hub_id}"
    assert lic.hub_id, f"{hub_id}.yaml should say hub_id: true"


def test_hub_ids_in_the_kb_are_hub_ids(kb):
    claimed = {lic.id for lic in kb if lic.hub_id}
    assert claimed <= set(HUB_IDS), f"hub_id: true on ids the Hub does not accept: {sorted(claimed - set(HUB_IDS))}"


@pytest.mark.parametrize("key", _params(SCANCODE_AI_KEYS, gaps.SCANCODE_KEYS))
def test_every_scancode_ai_model_license_is_curated(kb, key):
    res = default_normalizer().resolve(key)
    assert res.id is not None and kb.get(res.id).curated, f"ScanCode's {key} has no curated KB file"


@pytest.mark.parametrize("name,family_hint", _params(sorted(LICENSE_NAMES.items()), gaps.LICENSE_NAMES))
def test_license_names_from_real_cards_resolve(kb, name, family_hint):
    res = default_normalizer().resolve(name, "license_name")
    assert res.id is not None, f"license_name {name!r} does not resolve"
    assert family_hint in res.id, f"license_name {name!r} resolved to {res.id}"
    assert kb.get(res.id).curated


AI_CATEGORIES = {"responsible-ai", "community", "non-commercial", "proprietary"}
SOFTWARE_CONTENT_CATEGORIES = {"permissive", "weak-copyleft", "copyleft", "public-domain", "non-commercial"}


def _is_ai_model_license(lic) -> bool:
    # Model licenses are those with a family or a category only model licenses use; CC's
    # non-commercial licenses are content licenses.
    return (lic.category in AI_CATEGORIES and not lic.id.startswith("cc")) or lic.id in SCANCODE_AI_KEYS or bool(
        lic.scancode_key and lic.scancode_key in SCANCODE_AI_KEYS
    )


def test_at_least_40_ai_model_licenses(kb):
    ai = [lic.id for lic in kb if _is_ai_model_license(lic)]
    assert len(ai) >= 40, f"{len(ai)} AI-model licenses: {sorted(ai)}"


def test_at_least_40_software_and_content_licenses(kb):
    rest = [lic.id for lic in kb if not _is_ai_model_license(lic) and lic.category != "unknown"]
    assert len(rest) >= 40, f"{len(rest)} software/content licenses: {sorted(rest)}"
