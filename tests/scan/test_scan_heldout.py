"""What `clearance scan` missed or got wrong on the held-out repositories of issue 15
(bench/scan_truth/heldout-*.json), each as a small snippet written for these tests in the shape
of what was found there (never copied). Each fix has a case that fails on the scanner before
it; the guards (f-strings left unresolved, the output keywords of the merged vocabulary) pass
both ways and keep the fixes from going too far."""

from __future__ import annotations

from snippets import found, ids

from clearance.scan import scan_path
from clearance.scan.collect import Collector
from clearance.scan.envfile import scan_env
from clearance.scan.pyfile import scan_python
from clearance.scan.walk import file_type
from clearance.scan.yamlfile import scan_yaml


# -- environment files named without the leading dot ----------------------------------------
def test_env_files_named_env_dot_something_are_env_files():
    for name in ("env.example", "env.sample", "env.example.provider", "ENV.template", ".env.local", "docker.env"):
        assert file_type(name) == "env", name
    for name, kind in (("env.py", "python"), ("env.yaml", "yaml"), ("env.sh", "shell"), ("env.d.ts", "javascript"),
                       ("env.md", None), ("environment.txt", None), ("envoy.conf", None)):
        assert file_type(name) == kind, name


def test_a_dotless_env_example_is_scanned(tmp_path):
    (tmp_path / "env.example.cloud").write_text(
        "# copy to .env\nLLM_BACKEND=cloud\nEMBEDDING_MODEL=acme/embedder-small\n")
    refs = scan_path(tmp_path).references
    assert [(r.id, r.file, r.line) for r in refs] == [("acme/embedder-small", "env.example.cloud", 3)]


# -- lists of models under a plural key, grown in place ---------------------------------------
SELECTABLE_MODELS = '''\
def list_models(config):
    embedding_models = [config.get("embedding_model_name")]
    embedding_models.extend([
        "acme/embed-small",  # the default
        "acme/embed-large",
    ])
    embedding_models.append("acme/embed-xl")
    huggingface_embedding_models = ["acme/embed-base"]
    SUPPORTED_RERANKER_MODELS = []
    SUPPORTED_RERANKER_MODELS += ["acme/rerank-1"]
    handlers = []
    handlers.extend(["acme/not-a-model-list"])
    return embedding_models
'''


def test_plural_model_lists_and_what_is_added_to_them():
    assert ids(scan_python, SELECTABLE_MODELS) == {
        "acme/embed-small", "acme/embed-large", "acme/embed-xl", "acme/embed-base", "acme/rerank-1"}


# -- a bare dataset under `path:` of a dataset list -------------------------------------------
PRETRAIN_CONFIG = '''\
base_model: acme/base-1b
pretraining_dataset:
  - path: wikitext
    name: wikitext-103-raw-v1
    type: completion
datasets:
  - path: json
    data_files: train.jsonl
  - path: acme/chat-data
    name: default
models:
  - path: gpt2
'''


def test_bare_dataset_under_path_of_a_dataset_list():
    assert found(scan_yaml, PRETRAIN_CONFIG) == {
        ("acme/base-1b", "model", "used"), ("wikitext", "dataset", "used"), ("acme/chat-data", "dataset", "used")}


def test_bare_dataset_under_path_in_python():
    code = 'cfg = {"datasets": [{"path": "wikitext", "name": "wikitext-2-raw-v1"}, {"path": "csv"}]}\n'
    assert found(scan_python, code) == {("wikitext", "dataset", "used")}


# -- f-strings whose placeholders are known constants -------------------------------------------
FSTRING_FROM_CONSTANT = '''\
from datasets import load_dataset

split = "train"  # "valid"
data = load_dataset(f"acme/code-{split}", split=split, streaming=True)
'''

FSTRING_NOT_KNOWN = '''\
from datasets import load_dataset
from transformers import AutoModel

def load(split, size):
    a = load_dataset(f"acme/code-{split}")          # a parameter: any value
    b = AutoModel.from_pretrained(f"acme/model-{size:03d}")  # a format spec
    c = AutoModel.from_pretrained(f"acme/model-{get_size()}")  # a call
    return a, b, c
'''


def test_fstring_with_a_constant_placeholder_resolves():
    hits = found(scan_python, FSTRING_FROM_CONSTANT)
    assert hits == {("acme/code-train", "dataset", "used")}


def test_fstring_with_unknown_placeholders_gives_nothing():
    assert found(scan_python, FSTRING_NOT_KNOWN) == set()


def test_fstring_of_org_and_name_constants_and_both_values_of_a_branch():
    code = '''\
from transformers import AutoModel
ORG = "acme"
NAME = "small" if FAST else "large"
class Loader:
    def __init__(self):
        self.repo = f"{ORG}/model-{NAME}"
    def load(self):
        return AutoModel.from_pretrained(self.repo)
'''
    assert ids(scan_python, code) == {"acme/model-small", "acme/model-large"}


def test_fstring_with_too_many_combinations_gives_nothing():
    code = "from transformers import AutoModel\n"
    code += "".join(f'P{i} = "a" if X else ("b" if Y else "c")\n' for i in range(4))
    code += 'AutoModel.from_pretrained(f"acme/m-{P0}{P1}{P2}{P3}")\n'
    assert found(scan_python, code) == set()


# -- a hosted service's model names are not Hub ids -----------------------------------------
PROVIDER_SETTINGS = '''\
import os
CLOUD = {
    "url": os.getenv("WATSONX_URL", "https://example.invalid"),
    "generation_model": os.getenv("WATSONX_GENERATION_MODEL", "ibm/granite-chat-v9"),
}
WATSONX_CONFIG = {"enrichment_model": "ibm/granite-small-v9", "nested": {"model": "meta-llama/llama-3-70b-instruct"}}
settings = {"openrouter": {"model_name": "anthropic/claude-x"}, "local": {"model_name": "acme/local-7b"}}
EMBEDDING = {"embedding_model": os.getenv("EMBEDDING_MODEL", "acme/embedder")}
OPENAI_MODEL = os.getenv("OPENAI_MODEL", "acme/served-by-vllm")
'''


def test_service_named_settings_in_python_are_not_hub_ids():
    assert ids(scan_python, PROVIDER_SETTINGS) == {"acme/local-7b", "acme/embedder", "acme/served-by-vllm"}


def test_service_named_env_variables_are_not_hub_ids():
    text = ("WATSONX_GENERATION_MODEL=ibm/granite-chat-v9\nOLLAMA_EMBEDDING_MODEL=nomic-embed-text\n"
            "REPLICATE_MODEL=meta/llama-2-70b\nEMBEDDING_MODEL=acme/embedder\n")
    assert ids(scan_env, text) == {"acme/embedder"}


def test_service_named_sections_in_yaml_are_not_hub_ids():
    text = '''\
llm:
  mode: watsonx
watsonx:
  model: ibm/granite-chat-v9
  embedding:
    model_name: ibm/slate-v9
huggingface:
  embedding_hf_model_name: acme/embedder
  download_url: https://huggingface.co/acme/from-a-url
'''
    assert ids(scan_yaml, text) == {"acme/embedder", "acme/from-a-url"}


# -- one vocabulary of output keywords ------------------------------------------------------
OUTPUTS = '''\
from datasets import load_dataset
from huggingface_hub import hf_hub_download
from transformers import AutoModel, TrainingArguments

NAME = "my-run"
PUSHED = "acme/pushed-model"
SAVED = "saved-data"
args = TrainingArguments(output_dir=NAME)
model = AutoModel.from_pretrained(NAME)
model.push_to_hub(repo_id=PUSHED)
data = load_dataset(SAVED)
data.save_to_disk(dataset_path=SAVED)
hf_hub_download(repo_id="acme/read-only", filename="x.bin")
'''


def test_output_keywords_in_any_call_and_in_save_calls():
    assert found(scan_python, OUTPUTS) == {
        ("acme/pushed-model", "model", "produced"), ("acme/read-only", "model", "used")}


# -- second held-out round (bench/scan_truth/heldout2-*.json) ----------------------------------
HELM_VALUES = '''\
servingEngineSpec:
  modelSpec:
  - name: "small"
    repository: "acme-images/vllm-openai"
    tag: "latest"
    modelURL: "acme/chat-1b"
  - name: "local"
    modelURL: "/models/custom-model"
'''


def test_model_url_key_of_serving_values():
    assert found(scan_yaml, HELM_VALUES) == {("acme/chat-1b", "model", "used")}


TASK_CONFIG = '''\
task: acme_qa
dataset_path: acme/qa-bench
dataset_name: main
output_type: generate_until
'''


def test_dataset_path_of_a_task_config():
    assert found(scan_yaml, TASK_CONFIG) == {("acme/qa-bench", "dataset", "used")}


def test_data_path_defaults_are_datasets_unless_they_are_run_folders():
    code = '''\
import argparse
p = argparse.ArgumentParser()
p.add_argument("--data_path", type=str, default="acme/instructions")
p.add_argument("--dataset_path", type=str, default="data/train")
'''
    assert found(scan_python, code) == {("acme/instructions", "dataset", "used")}


def test_extensionless_yaml_template_is_yaml(tmp_path):
    assert file_type("_default_template_yaml") == "yaml"
    assert file_type("notes_yaml.txt") is None
    (tmp_path / "_common_yaml").write_text("dataset_path: acme/long-context\noutput_type: generate_until\n")
    assert [(r.id, r.kind) for r in scan_path(tmp_path).references] == [("acme/long-context", "dataset")]


def test_key_value_list_given_to_a_flag_and_in_a_python_string():
    from clearance.scan.shell import scan_shell_text

    shell_text = "lm_eval --model hf \\\n  --model_args pretrained=acme/eval-1b,dtype=auto \\\n  --tasks qa\n"
    col = Collector("/nonexistent-root", "f")
    scan_shell_text(shell_text, col)
    assert [(h.id, h.line) for h in col.hits] == [("acme/eval-1b", 2)]
    code = 'run(model="hf", model_args="pretrained=acme/eval-2b,trust_remote_code=True", tasks="qa,pretrained=x")\n'
    assert ids(scan_python, code) == {"acme/eval-2b"}


def test_notebook_shell_escape_continued_over_lines(tmp_path):
    import json

    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": ["%env LOG_LEVEL=DEBUG\n", "!lm_eval \\\n", "    --model hf \\\n",
                       "    --model_args pretrained=acme/eval-3b \\\n", "    --limit 10\n"]}
    nb = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    text = json.dumps(nb, indent=1)
    (tmp_path / "demo.ipynb").write_text(text)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "pretrained=acme/eval-3b" in t)
    refs = scan_path(tmp_path).references
    assert [(r.id, r.line) for r in refs] == [("acme/eval-3b", line)]
