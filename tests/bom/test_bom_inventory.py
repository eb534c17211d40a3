"""The inventory both BOM writers share: one item per artifact, license mapping, purls, lineage."""

from __future__ import annotations

from clearance.bom.inventory import Item, build, license_info, license_ref
from clearance.kb import default_kb


def test_license_mapping_keeps_spdx_ids_scancode_refs_and_raw_values():
    kb = default_kb()
    mit = license_info("mit", "MIT", kb)
    assert (mit.spdx_id, mit.license_ref, mit.resolved) == ("MIT", "MIT", True)
    llama = license_info("llama2", "llama2", kb)
    assert llama.spdx_id is None and llama.license_ref == "LicenseRef-scancode-llama-2-license-2023"
    assert llama.name == "Llama 2 Community License Agreement" and llama.url
    openrail = license_info("openrail", "openrail", kb)  # in the KB, without any SPDX identity
    assert openrail.spdx_id is None and openrail.license_ref == "LicenseRef-clearance-openrail"
    other = license_info("other", "other", kb)  # a placeholder names no license
    assert not other.resolved and other.name == "other" and other.url is None
    raw = license_info(None, "  My  Custom licence (v2)  ", kb)
    assert not raw.resolved and raw.name == "My Custom licence (v2)"
    assert raw.license_ref == "LicenseRef-clearance-My-Custom-licence-v2"
    assert license_ref("openrail++") == "LicenseRef-clearance-openrail-plus-plus"


def test_purls_and_urls_of_items():
    model = Item(key="model:org/m", id="Org/M", kind="model")
    assert model.purl == "pkg:huggingface/Org/M" and model.hub_url == "https://huggingface.co/Org/M"
    model.pinned_revision = "main"  # a branch is not a commit: no purl version
    assert model.purl == "pkg:huggingface/Org/M" and model.revision == "main"
    model.pinned_revision = "ABCDEF1"
    assert model.purl == "pkg:huggingface/Org/M@abcdef1"
    data = Item(key="dataset:squad", id="squad", kind="dataset")
    assert data.purl == "pkg:huggingface/datasets/squad" and data.namespace is None
    assert data.hub_url == "https://huggingface.co/datasets/squad"
    local = Item(key="path:/models/my model", id="/models/my model", kind="model")
    assert local.purl is None and local.hub_url is None and local.name == "my model"


def test_one_item_per_artifact_with_transitive_ancestors(crafted_run):
    inv = build(crafted_run)
    assert inv.subjects == ["model:acme/chat-7b-gguf", "model:acme/merged", "model:legacy-model", "dataset:acme/instructions"]
    assert len({i.key for i in inv}) == len(list(inv))
    gguf = inv.items["model:acme/chat-7b-gguf"]
    assert [(a.key, depth, links) for a, depth, links in inv.ancestors_of(gguf)] == [
        ("model:acme/chat-7b", 1, [("model:acme/chat-7b-gguf", "quantized")]),
        ("model:acme/base-7b", 2, [("model:acme/chat-7b", "finetune")]),
    ]
    assert [d.key for d in inv.datasets_of(inv.items["model:acme/chat-7b"])] == ["dataset:acme/instructions"]
    assert inv.concluded(inv.items["model:acme/chat-7b"]) == []  # not a subject: nothing concluded
    base = inv.items["model:acme/base-7b"]
    (term,) = base.declared
    assert term.operator == "OR" and term.spdx_expression == "Apache-2.0 OR MIT"
