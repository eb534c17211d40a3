"""A project with every kind of reference `clearance scan` must find, and every kind it must not.

`build(root)` writes the project and returns the references it holds, each located by a snippet
of its line (so the expectations do not depend on counting lines by hand). Ids that must never
be reported carry "not-" or "decoy" in their names; `DECOYS` lists them.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Expected:
    id: str
    kind: str
    file: str
    snippet: str  # a substring of the line the reference is on (its first occurrence in the file)


PY_APP = '''\
"""Loads models. Not a reference: AutoModel.from_pretrained("decoy-org/docstring-model")."""
import os

import datasets
from datasets import load_dataset
from diffusers import StableDiffusionPipeline
from huggingface_hub import hf_hub_download, snapshot_download
from langchain_huggingface import ChatHuggingFace, HuggingFaceEmbeddings, HuggingFaceEndpoint, HuggingFacePipeline
from llama_cpp import Llama
from llama_index.embeddings.huggingface import HuggingFaceEmbedding
from llama_index.llms.huggingface import HuggingFaceLLM
from peft import AutoPeftModelForCausalLM, PeftModel
from sentence_transformers import CrossEncoder, SentenceTransformer
from transformers import AutoModel, AutoModelForCausalLM, AutoProcessor, AutoTokenizer, pipeline
from vllm import LLM

BASE = "meta-llama/Llama-3.1-8B-Instruct"
TOKENIZER_ID = f"mistralai/Mistral-7B-v0.1"
CHOICE = "Qwen/Qwen2.5-7B" if os.environ.get("BIG") else "Qwen/Qwen2.5-0.5B"
UNUSED = "decoy-org/unused-constant"
SHADOW = "decoy-org/shadowed-module-constant"
# A comment is not a reference: AutoModel.from_pretrained("decoy-org/comment-model")


def load(name="google/gemma-2-2b"):
    """Docstring of a function: pipeline("text-generation", model="decoy-org/function-doc")."""
    model = AutoModelForCausalLM.from_pretrained(BASE)
    tok = AutoTokenizer.from_pretrained(TOKENIZER_ID)
    proc = AutoProcessor.from_pretrained("openai/clip-vit-base-patch32")
    other = AutoModel.from_pretrained(name)
    legacy = AutoModel.from_pretrained("gpt2")
    local = AutoModel.from_pretrained("./models/x")
    absolute = AutoModel.from_pretrained("/abs/path/model")
    home = AutoModel.from_pretrained("~/x")
    folder = AutoModel.from_pretrained("models/local")
    checkpoint = AutoModel.from_pretrained("checkpoints/run-1")
    beside = AutoModel.from_pretrained("weights/v2")
    config_file = AutoModel.from_pretrained("config.json")
    placeholder = AutoModel.from_pretrained("${MODEL}")
    angle = AutoModel.from_pretrained("<your-model>")
    yours = AutoModel.from_pretrained("your-org/your-model")
    spaced = AutoModel.from_pretrained("not an id")
    deep = AutoModel.from_pretrained("a/b/c")
    elsewhere = AutoModel.from_pretrained("https://example.com/decoy-org/model")
    hub_url = AutoModel.from_pretrained("https://huggingface.co/bigscience/bloom-560m")
    print("decoy-org/printed-not-loaded")
    return model, tok, proc, other, legacy, local, absolute, home, folder, checkpoint, beside, config_file


def function_scope():
    LOCAL = "microsoft/phi-2"
    return AutoModel.from_pretrained(LOCAL)


def shadowed(SHADOW):
    return AutoModel.from_pretrained(SHADOW)


class Service:
    REPO = "facebook/opt-125m"

    def __init__(self, adapter="smangrul/peft-lora-adapter"):
        self.adapter = adapter

    def load(self, base_model_obj):
        base = AutoModelForCausalLM.from_pretrained(self.REPO)
        return PeftModel.from_pretrained(base_model_obj, self.adapter)


clf = pipeline("text-classification", "distilbert/distilbert-base-uncased-finetuned-sst-2-english")
gen = pipeline(task="text-generation", model=CHOICE)
gguf_file = hf_hub_download(repo_id="TheBloke/Llama-2-7B-GGUF", filename="llama-2-7b.Q4_K_M.gguf")
parquet = hf_hub_download(repo_id="HuggingFaceH4/ultrachat_200k", filename="x.parquet", repo_type="dataset")
snap = snapshot_download("stabilityai/stable-diffusion-xl-base-1.0")
snap_ds = snapshot_download(repo_id="allenai/c4", repo_type="dataset")
space = snapshot_download(repo_id="decoy-org/a-space", repo_type="space")
squad = load_dataset("squad")
alpaca = datasets.load_dataset("tatsu-lab/alpaca", split="train")
local_json = load_dataset("json", data_files="train.json")
emb = SentenceTransformer("all-MiniLM-L6-v2")
rerank = CrossEncoder("cross-encoder/ms-marco-MiniLM-L-6-v2")
sd = StableDiffusionPipeline.from_pretrained("runwayml/stable-diffusion-v1-5")
adapter = PeftModel.from_pretrained(clf, "tloen/alpaca-lora-7b")
auto_peft = AutoPeftModelForCausalLM.from_pretrained("ybelkada/opt-350m-lora")
llm = LLM(model="mistralai/Mixtral-8x7B-Instruct-v0.1")
gguf = Llama.from_pretrained(repo_id="Qwen/Qwen2-0.5B-Instruct-GGUF", filename="*q8_0.gguf")
lc_emb = HuggingFaceEmbeddings(model_name="sentence-transformers/all-mpnet-base-v2")
lc_pipe = HuggingFacePipeline.from_model_id(model_id="microsoft/Phi-3-mini-4k-instruct", task="text-generation")
lc_endpoint = HuggingFaceEndpoint(repo_id="HuggingFaceH4/zephyr-7b-beta")
lc_chat = ChatHuggingFace(llm=lc_endpoint, model_id="HuggingFaceH4/zephyr-7b-alpha")
li_emb = HuggingFaceEmbedding(model_name="BAAI/bge-small-en-v1.5")
li_llm = HuggingFaceLLM(model_name="StabilityAI/stablelm-tuned-alpha-3b", tokenizer_name="EleutherAI/gpt-neox-20b")
wiki = "https://huggingface.co/datasets/wikimedia/wikipedia/resolve/main/README.md"
docs = "https://huggingface.co/docs/transformers/index"
'''

YAML = """\
# model: decoy-org/yaml-comment
model_name_or_path: meta-llama/Llama-2-7b-hf
tokenizer_name: bert-base-uncased
dataset_name: databricks/databricks-dolly-15k
datasets:
  - path: mhenrichsen/alpaca_2k_test
    type: alpaca
  - teknium/OpenHermes-2.5
hub_model_id: acme-corp/my-finetune
dataset_mixer:
  HuggingFaceH4/ultrafeedback_binarized: 1.0
output_dir: ./outputs/run1
base_model: ${BASE_MODEL}
embedding_model: <your-model>
model: gpt-4o
run_name: decoy-org/not-a-model-key
"""

JSON = {
    "model_id": "google/flan-t5-base",
    "embedding_model": "BAAI/bge-base-en-v1.5",
    "datasets": ["openai/gsm8k", "cais/mmlu"],
    "notes": "decoy-org/not-under-a-model-key",
    "base_model": "/mnt/models/llama",
    "reranker": {"model_name": "mixedbread-ai/mxbai-rerank-base-v1"},
}

TOML = """\
[model]
name = "tiiuae/falcon-7b"

[[datasets]]
path = "Salesforce/wikitext"

[serving]
reranker_model = "BAAI/bge-reranker-base"  # trailing comment
eval_datasets = [
  "lighteval/MATH",
  "openai/openai_humaneval",
]
title = "decoy-org/a-title"
"""

ENV = """\
MODEL_ID=meta-llama/Meta-Llama-3-8B-Instruct
HF_MODEL="mistralai/Mistral-7B-Instruct-v0.2"
EMBEDDING_MODEL=intfloat/e5-large-v2 # inline comment
export HF_DATASET=HuggingFaceFW/fineweb
# MODEL_ID=decoy-org/commented-out
OPENAI_MODEL=gpt-4o
MODEL_PATH=./models/x
HF_TOKEN=hf_not_a_real_token
"""

DOCKERFILE = """\
FROM python:3.11-slim
ENV MODEL_ID=TinyLlama/TinyLlama-1.1B-Chat-v1.0
ARG EMBED_MODEL=thenlper/gte-small
RUN pip install huggingface_hub && \\
    huggingface-cli download TheBloke/Mistral-7B-Instruct-v0.2-GGUF mistral-7b-instruct-v0.2.Q4_K_M.gguf --local-dir /models
RUN hf download --repo-type dataset HuggingFaceH4/no_robots
# RUN hf download decoy-org/commented-out
RUN git clone https://huggingface.co/datasets/wikimedia/wit_base /data/wit
RUN python -c "from huggingface_hub import snapshot_download; snapshot_download('sentence-transformers/all-MiniLM-L12-v2')"
CMD ["vllm", "serve", "Qwen/Qwen2.5-1.5B-Instruct"]
"""

SHELL = """\
#!/bin/bash
# huggingface-cli download decoy-org/commented-out
set -e
MODEL=${MODEL:-NousResearch/Hermes-3-Llama-3.1-8B}
hf download "$MODEL" --include "*.safetensors"
huggingface-cli download openai/whisper-large-v3
git clone https://huggingface.co/microsoft/Phi-3.5-mini-instruct
git clone https://github.com/decoy-org/not-the-hub
python train.py --model_name_or_path EleutherAI/pythia-160m \\
    --dataset_name roneneldan/TinyStories
echo "decoy-org/echoed"
hf download ${PLACEHOLDER}
"""

WORKFLOW = """\
name: ci
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: |
          pip install -U huggingface_hub
          huggingface-cli download hf-internal-testing/tiny-random-gpt2
"""

NOTEBOOK = {
    "nbformat": 4,
    "nbformat_minor": 5,
    "metadata": {},
    "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["Load with `AutoModel.from_pretrained(\"decoy-org/markdown\")`\n"]},
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
         "source": ["!huggingface-cli download ibm-granite/granite-3.0-2b-instruct\n", "checkpoint = \"HuggingFaceTB/SmolLM2-135M\""]},
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
         "source": ["from transformers import AutoModel\n", "%time x = 1\n", "m = AutoModel.from_pretrained(checkpoint)"]},
    ],
}

# Files in places a scan must not look, each with a reference that must not appear.
SKIPPED = {
    ".venv/lib/python3.11/site-packages/pkg/mod.py": 'AutoModel.from_pretrained("decoy-org/in-venv")\n',
    "venv/x.py": 'AutoModel.from_pretrained("decoy-org/in-venv2")\n',
    "node_modules/pkg/config.json": '{"model": "decoy-org/in-node-modules"}\n',
    "__pycache__/x.py": 'AutoModel.from_pretrained("decoy-org/in-pycache")\n',
    ".tox/py311/x.py": 'AutoModel.from_pretrained("decoy-org/in-tox")\n',
    "lib/site-packages/x.py": 'AutoModel.from_pretrained("decoy-org/in-site-packages")\n',
    ".git/hooks/x.py": 'AutoModel.from_pretrained("decoy-org/in-git")\n',
    "README.md": 'AutoModel.from_pretrained("decoy-org/in-markdown")\n',
}

INVALID = {  # file -> the line its warning must name
    "broken/bad.py": ('from transformers import AutoModel\nAutoModel.from_pretrained("acme/x"\n', 2),
    "broken/bad.yaml": ("model: [unclosed\nother: 1\n", 2),
    "broken/bad.json": ('{"model": "acme/x",\n "b": }\n', 2),
    "broken/bad.toml": ('model = "acme/x"\nmodel = "acme/y"\n', 2),
}


def build(root: Path) -> list[Expected]:
    write = _writer(root)
    write("app/models.py", PY_APP)
    write("config/train.yaml", YAML)
    write("config/settings.json", json.dumps(JSON, indent=2))
    write("config/app.toml", TOML)
    write(".env", ENV)
    write("Dockerfile", DOCKERFILE)
    write("scripts/download.sh", SHELL)
    write(".github/workflows/ci.yml", WORKFLOW)
    write("notebooks/demo.ipynb", json.dumps(NOTEBOOK, indent=1))
    for folder in ("models/local", "checkpoints/run-1", "app/weights/v2"):
        (root / folder).mkdir(parents=True)
    for name, text in SKIPPED.items():
        write(name, text)
    for name, (text, _) in INVALID.items():
        write(name, text)
    # a file larger than 2 MB, a binary file, and links out of the root: never read
    write("big/huge.py", 'AutoModel.from_pretrained("decoy-org/in-huge-file")\n' + "#" * (2 * 1024 * 1024))
    (root / "bin").mkdir()
    (root / "bin" / "blob.py").write_bytes(b'AutoModel.from_pretrained("decoy-org/in-binary")\n\x00\x01')
    outside = root.parent / (root.name + "-outside")
    outside.mkdir()
    (outside / "evil.py").write_text('AutoModel.from_pretrained("decoy-org/outside-root")\n')
    os.symlink(outside / "evil.py", root / "app" / "link_out.py")
    os.symlink(outside, root / "linked_dir")
    return EXPECTED


def _writer(root: Path):
    def write(name: str, text: str) -> None:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return write


M, D = "model", "dataset"
PY = "app/models.py"
EXPECTED = [
    # Python: constants and variables feeding the APIs (reported where the id is written)
    Expected("meta-llama/Llama-3.1-8B-Instruct", M, PY, 'BASE = "meta-llama'),
    Expected("mistralai/Mistral-7B-v0.1", M, PY, "TOKENIZER_ID = f"),
    Expected("Qwen/Qwen2.5-7B", M, PY, "CHOICE = "),
    Expected("Qwen/Qwen2.5-0.5B", M, PY, "CHOICE = "),
    Expected("google/gemma-2-2b", M, PY, 'def load(name="google'),
    Expected("openai/clip-vit-base-patch32", M, PY, "AutoProcessor.from_pretrained"),
    Expected("gpt2", M, PY, 'from_pretrained("gpt2")'),
    Expected("bigscience/bloom-560m", M, PY, "hub_url = "),
    Expected("microsoft/phi-2", M, PY, 'LOCAL = "microsoft'),
    Expected("facebook/opt-125m", M, PY, 'REPO = "facebook'),
    Expected("smangrul/peft-lora-adapter", M, PY, "def __init__(self, adapter="),
    # Python: every API
    Expected("distilbert/distilbert-base-uncased-finetuned-sst-2-english", M, PY, "clf = pipeline("),
    Expected("TheBloke/Llama-2-7B-GGUF", M, PY, "gguf_file = hf_hub_download("),
    Expected("HuggingFaceH4/ultrachat_200k", D, PY, "parquet = hf_hub_download("),
    Expected("stabilityai/stable-diffusion-xl-base-1.0", M, PY, "snap = snapshot_download("),
    Expected("allenai/c4", D, PY, "snap_ds = snapshot_download("),
    Expected("squad", D, PY, 'load_dataset("squad")'),
    Expected("tatsu-lab/alpaca", D, PY, "alpaca = datasets.load_dataset("),
    Expected("sentence-transformers/all-MiniLM-L6-v2", M, PY, "emb = SentenceTransformer("),
    Expected("cross-encoder/ms-marco-MiniLM-L-6-v2", M, PY, "rerank = CrossEncoder("),
    Expected("runwayml/stable-diffusion-v1-5", M, PY, "sd = StableDiffusionPipeline"),
    Expected("tloen/alpaca-lora-7b", M, PY, "adapter = PeftModel.from_pretrained("),
    Expected("ybelkada/opt-350m-lora", M, PY, "auto_peft = "),
    Expected("mistralai/Mixtral-8x7B-Instruct-v0.1", M, PY, "llm = LLM("),
    Expected("Qwen/Qwen2-0.5B-Instruct-GGUF", M, PY, "gguf = Llama.from_pretrained("),
    Expected("sentence-transformers/all-mpnet-base-v2", M, PY, "lc_emb = "),
    Expected("microsoft/Phi-3-mini-4k-instruct", M, PY, "lc_pipe = "),
    Expected("HuggingFaceH4/zephyr-7b-beta", M, PY, "lc_endpoint = "),
    Expected("HuggingFaceH4/zephyr-7b-alpha", M, PY, "lc_chat = "),
    Expected("BAAI/bge-small-en-v1.5", M, PY, "li_emb = "),
    Expected("StabilityAI/stablelm-tuned-alpha-3b", M, PY, "li_llm = "),
    Expected("EleutherAI/gpt-neox-20b", M, PY, "li_llm = "),
    Expected("wikimedia/wikipedia", D, PY, "wiki = "),
    # YAML
    Expected("meta-llama/Llama-2-7b-hf", M, "config/train.yaml", "model_name_or_path:"),
    Expected("bert-base-uncased", M, "config/train.yaml", "tokenizer_name:"),
    Expected("databricks/databricks-dolly-15k", D, "config/train.yaml", "dataset_name:"),
    Expected("mhenrichsen/alpaca_2k_test", D, "config/train.yaml", "- path:"),
    Expected("teknium/OpenHermes-2.5", D, "config/train.yaml", "- teknium"),
    Expected("acme-corp/my-finetune", M, "config/train.yaml", "hub_model_id:"),
    Expected("HuggingFaceH4/ultrafeedback_binarized", D, "config/train.yaml", "  HuggingFaceH4/ultrafeedback"),
    # JSON
    Expected("google/flan-t5-base", M, "config/settings.json", '"model_id"'),
    Expected("BAAI/bge-base-en-v1.5", M, "config/settings.json", '"embedding_model"'),
    Expected("openai/gsm8k", D, "config/settings.json", '"openai/gsm8k"'),
    Expected("cais/mmlu", D, "config/settings.json", '"cais/mmlu"'),
    Expected("mixedbread-ai/mxbai-rerank-base-v1", M, "config/settings.json", '"model_name"'),
    # TOML
    Expected("tiiuae/falcon-7b", M, "config/app.toml", "name = "),
    Expected("Salesforce/wikitext", D, "config/app.toml", "path = "),
    Expected("BAAI/bge-reranker-base", M, "config/app.toml", "reranker_model = "),
    Expected("lighteval/MATH", D, "config/app.toml", '"lighteval/MATH"'),
    Expected("openai/openai_humaneval", D, "config/app.toml", '"openai/openai_humaneval"'),
    # .env
    Expected("meta-llama/Meta-Llama-3-8B-Instruct", M, ".env", "MODEL_ID="),
    Expected("mistralai/Mistral-7B-Instruct-v0.2", M, ".env", "HF_MODEL="),
    Expected("intfloat/e5-large-v2", M, ".env", "EMBEDDING_MODEL="),
    Expected("HuggingFaceFW/fineweb", D, ".env", "HF_DATASET="),
    # Dockerfile
    Expected("TinyLlama/TinyLlama-1.1B-Chat-v1.0", M, "Dockerfile", "ENV MODEL_ID="),
    Expected("thenlper/gte-small", M, "Dockerfile", "ARG EMBED_MODEL="),
    Expected("TheBloke/Mistral-7B-Instruct-v0.2-GGUF", M, "Dockerfile", "huggingface-cli download TheBloke"),
    Expected("HuggingFaceH4/no_robots", D, "Dockerfile", "RUN hf download --repo-type dataset"),
    Expected("wikimedia/wit_base", D, "Dockerfile", "RUN git clone"),
    Expected("sentence-transformers/all-MiniLM-L12-v2", M, "Dockerfile", "RUN python -c"),
    Expected("Qwen/Qwen2.5-1.5B-Instruct", M, "Dockerfile", "CMD ["),
    # shell
    Expected("NousResearch/Hermes-3-Llama-3.1-8B", M, "scripts/download.sh", "MODEL=${MODEL:-"),
    Expected("openai/whisper-large-v3", M, "scripts/download.sh", "huggingface-cli download openai"),
    Expected("microsoft/Phi-3.5-mini-instruct", M, "scripts/download.sh", "git clone https://huggingface.co"),
    Expected("EleutherAI/pythia-160m", M, "scripts/download.sh", "--model_name_or_path"),
    Expected("roneneldan/TinyStories", D, "scripts/download.sh", "--dataset_name"),
    # CI workflow (a shell block inside YAML)
    Expected("hf-internal-testing/tiny-random-gpt2", M, ".github/workflows/ci.yml", "huggingface-cli download"),
    # notebook: a shell escape, a constant set in one cell and loaded in another
    Expected("ibm-granite/granite-3.0-2b-instruct", M, "notebooks/demo.ipynb", "!huggingface-cli download"),
    Expected("HuggingFaceTB/SmolLM2-135M", M, "notebooks/demo.ipynb", "checkpoint = "),
]

# Texts that are written in the fixture but must never come out as a reference.
DECOY_MARKERS = ("decoy-org", "your-org", "gpt-4o", "example.com", "abs/path", "models/x", "models/local",
                 "checkpoints/run-1", "weights/v2", "config.json", "a/b/c", "BASE_MODEL", "PLACEHOLDER", "docs/")


def line_of(root: Path, expected: Expected) -> int:
    text = (root / expected.file).read_text(encoding="utf-8")
    index = text.index(expected.snippet)
    return text.count("\n", 0, index) + 1
