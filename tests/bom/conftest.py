"""Runs to write BOMs from, offline, and the validators every BOM must pass.

- `sample_run`: real models from the bundled Hub snapshot (data/hub-2025-sample.jsonl): a Llama 2
  fine-tune, a cc-by-nc relabel of Gemma, a GGML quantization declaring `other`, a Gemma
  fine-tune trained on four datasets no source knows, a model nobody knows, and a local adapter
  folder; uses commercial and research.
- `crafted_run`: a small snapshot written here on top of the bundled one, for what the sample
  lacks: a dataset record with a license, a pinned commit, an `A OR B` card license, a two-level
  lineage (quantized fine-tune of a fine-tune), a merge, a legacy id without a namespace
  declaring a license the KB does not know, and a dataset as a subject.
- `support_bot`: the bundled example project (examples/support-bot) scanned as `clearance bom`
  scans it, and its targets checked against the bundled snapshot: (Targets, CheckRun).
- `publisher`: a project that fine-tunes Gemma and publishes two models, one of which it also
  loads again (a reference of each role to one id): (Targets, CheckRun).

HF_HUB_OFFLINE=1 and an empty HF_HUB_CACHE: only the snapshots answer.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bomcheck import COMMIT, SAMPLE

SAMPLE_TARGETS = [
    "Vivian12300/llama-2-7b-chat-hf-mathqa-rationale-2",
    "mlabonne/gemma-7b-dare",
    "TheBloke/Llama-2-7B-Chat-GGML",
    "Junfeng5/Liquid_V1_7B",
    "some/unknown-model",
]
CRAFTED = [
    {"type": "model", "id": "acme/base-7b", "author": "acme", "createdAt": "2024-01-02T03:04:05.000Z", "sha": COMMIT,
     "pipeline_tag": "text-generation", "tags": [], "cardData": {"license": "apache-2.0 OR mit"}},
    {"type": "model", "id": "acme/chat-7b", "author": "acme", "createdAt": "2024-02-01T00:00:00.000Z",
     "tags": ["base_model:finetune:acme/base-7b", "dataset:acme/instructions", "license:cc-by-4.0"],
     "cardData": {"license": "cc-by-4.0", "base_model": "acme/base-7b", "datasets": ["acme/instructions"]}},
    {"type": "model", "id": "acme/chat-7b-GGUF", "author": "acme", "createdAt": "2024-03-01T00:00:00.000Z",
     "tags": ["gguf", "base_model:quantized:acme/chat-7b", "license:cc-by-4.0"],
     "cardData": {"license": "cc-by-4.0", "base_model": "acme/chat-7b"}},
    {"type": "dataset", "id": "acme/instructions", "author": "acme", "createdAt": "2023-12-01T00:00:00.000Z",
     "tags": ["license:odc-by"], "cardData": {"license": "odc-by"}},
    {"type": "model", "id": "legacy-model", "createdAt": "2020-01-01T00:00:00.000Z", "tags": [],
     "cardData": {"license": "my own license"}},
    {"type": "model", "id": "acme/merged", "author": "acme", "createdAt": "2024-04-01T00:00:00.000Z", "tags": ["merge"],
     "cardData": {"license": "apache-2.0", "base_model": ["acme/base-7b", "google/gemma-7b"]}},
]
CRAFTED_TARGETS = ["acme/chat-7b-GGUF", "acme/merged", "legacy-model", "datasets/acme/instructions"]


@pytest.fixture(scope="session")
def offline(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("HF_HUB_CACHE", str(tmp_path_factory.mktemp("empty-hf-cache")))
        yield mp


@pytest.fixture(scope="session")
def adapter_folder(tmp_path_factory) -> Path:
    """A local LoRA adapter of Llama 2 chat, declaring apache-2.0 and one training dataset."""
    folder = tmp_path_factory.mktemp("models") / "my-adapter"
    folder.mkdir()
    (folder / "README.md").write_text("---\nlicense: apache-2.0\nbase_model: meta-llama/Llama-2-7b-chat-hf\n"
                                      "datasets:\n- yahma/alpaca-cleaned\n---\n# my adapter\n", encoding="utf-8")
    (folder / "adapter_config.json").write_text(json.dumps(
        {"base_model_name_or_path": "meta-llama/Llama-2-7b-chat-hf", "peft_type": "LORA"}), encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def sample_run(offline, adapter_folder):
    from clearance.usecases.check import check

    return check([*SAMPLE_TARGETS, str(adapter_folder)], ["commercial", "research"], snapshots=[SAMPLE], offline=True)


@pytest.fixture(scope="session")
def crafted_snapshot(tmp_path_factory) -> Path:
    snap = tmp_path_factory.mktemp("snapshots") / "acme.jsonl"
    snap.write_text("".join(json.dumps(row) + "\n" for row in CRAFTED), encoding="utf-8")
    return snap


@pytest.fixture(scope="session")
def crafted_run(offline, crafted_snapshot):
    from clearance.usecases.check import check

    return check(CRAFTED_TARGETS, ["commercial"], snapshots=[SAMPLE, crafted_snapshot], offline=True)


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "support-bot"


def _project_run(folder: Path, uses: list[str]):
    from clearance.usecases.check import check
    from clearance.usecases.project import resolve

    found = resolve(str(folder))
    assert found.scan is not None  # a project, scanned
    return found, check(found.targets, uses, snapshots=[SAMPLE], offline=True)


@pytest.fixture(scope="session")
def support_bot(offline):
    return _project_run(EXAMPLE, ["commercial", "research"])


@pytest.fixture(scope="session")
def publisher(offline, tmp_path_factory):
    folder = tmp_path_factory.mktemp("publisher")
    (folder / "train.py").write_text(
        "from transformers import AutoModelForCausalLM\n\n"
        'model = AutoModelForCausalLM.from_pretrained("google/gemma-7b")\n'
        'model.push_to_hub("acme/support-bot-7b")\n'
        'model.push_to_hub("acme/bot")\n', encoding="utf-8")
    (folder / "evaluate.py").write_text(
        "from transformers import AutoModelForCausalLM\n\n"
        'model = AutoModelForCausalLM.from_pretrained("acme/bot")\n', encoding="utf-8")
    return _project_run(folder, ["commercial"])
