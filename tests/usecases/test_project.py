"""What a project argument turns into: the models and datasets it uses, not those it publishes."""

from __future__ import annotations

from clearance.usecases.project import resolve


def test_push_targets_are_not_dependencies(tmp_path):
    (tmp_path / "train.py").write_text(
        "from transformers import AutoModelForCausalLM\n"
        "model = AutoModelForCausalLM.from_pretrained('google/gemma-7b')\n"
        "model.push_to_hub('acme/support-gemma')\n", encoding="utf-8")
    (tmp_path / "recipe.yaml").write_text("model_name_or_path: acme/base\nhub_model_id: acme/fine-tuned\n", encoding="utf-8")
    targets = resolve(str(tmp_path))
    roles = {(r.id, r.role) for r in targets.scan.references}
    assert ("acme/support-gemma", "produced") in roles and ("acme/fine-tuned", "produced") in roles
    assert sorted(targets.targets) == ["acme/base", "google/gemma-7b"]
