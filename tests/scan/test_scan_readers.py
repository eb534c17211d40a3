"""Each reader on the cases that decide its behaviour: Hub id rules, key names, Python scoping,
shell words, Dockerfile instructions, YAML/JSON/TOML structure, .env lines, notebooks."""

from __future__ import annotations

import json

import pytest

from clearance.scan.collect import Collector
from clearance.scan.dockerfile import scan_dockerfile
from clearance.scan.envfile import scan_env
from clearance.scan.hubid import is_hub_id, to_hub_id
from clearance.scan.jsonfile import scan_json
from clearance.scan.keys import key_kind
from clearance.scan.notebook import scan_notebook
from clearance.scan.pyfile import scan_python, wanted
from clearance.scan.shell import scan_shell_text, split_words
from clearance.scan.tomlfile import scan_toml
from clearance.scan.walk import file_type
from clearance.scan.yamlfile import scan_yaml


def run(reader, text: str, root: str = "/nonexistent-root") -> list[tuple[str, str, int]]:
    col = Collector(root, "f")
    reader(text, col)
    return sorted({(h.id, h.kind, h.line) for h in col.hits}, key=lambda t: (t[2], t[0]))


def py(text: str) -> list[tuple[str, str, int]]:
    return run(scan_python, text)


# -- Hub ids ------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["acme/name", "a/b", "Org_1/Name.v2-x", "x" * 96 + "/" + "y" * 96])
def test_valid_ids(text):
    assert is_hub_id(text)


@pytest.mark.parametrize("text", ["org/-name", "org/name-", "org/.name", "or--g/name", "org/na..me", "org/name/x",
                                  "org name/x", "x" * 97 + "/y", "org/" + "y" * 97, "2023/01", "org/config.json",
                                  "org/model.safetensors", "your-org/model", "username/x", "docs/transformers",
                                  "models/x", "org/名前", "${MODEL}", "<org>/<model>", "", "/", "org/"])
def test_invalid_ids(text):
    assert not is_hub_id(text, bare=True)


def test_bare_ids_only_when_allowed():
    assert to_hub_id("gpt2", "model") is None
    assert to_hub_id("gpt2", "model", bare=True) == ("gpt2", "model")


@pytest.mark.parametrize("text, expected", [
    ("https://huggingface.co/acme/name", ("acme/name", "model")),
    ("https://huggingface.co/datasets/acme/data/resolve/main/x.parquet", ("acme/data", "dataset")),
    ("http://www.huggingface.co/acme/name/tree/main", ("acme/name", "model")),
    ("https://hf.co/acme/name", ("acme/name", "model")),
    ("hf.co/acme/name-GGUF", ("acme/name-GGUF", "model")),
    ("https://huggingface.co/gpt2/resolve/main/config.json", ("gpt2", "model")),
    ("https://huggingface.co/acme/name.git", ("acme/name", "model")),
    ("hf://datasets/acme/data@main/train.parquet", ("acme/data", "dataset")),
    ("https://huggingface.co/api/models/acme/name", ("acme/name", "model")),
    ("datasets/acme/data", ("acme/data", "dataset")),
    ("https://huggingface.co/spaces/acme/app", None),
    ("https://huggingface.co/docs/transformers", None),
    ("https://huggingface.co/", None),
    ("https://github.com/acme/name", None),
    ("git@hf.co:acme/name", None),
    ("./acme/name", None), ("../x/y", None), ("~/x/y", None), ("/x/y", None), ("C:\\x\\y", None), ("file:///x/y", None),
])
def test_urls_and_paths(text, expected):
    assert to_hub_id(text, "model") == expected


def test_existing_folders_are_local_paths(tmp_path):
    (tmp_path / "out" / "run-1").mkdir(parents=True)
    col = Collector(str(tmp_path), "src/f.py")
    assert not col.add("out/run-1", 1, "v")
    assert col.add("out/run-2", 1, "v")
    (tmp_path / "src" / "weights" / "a").mkdir(parents=True)  # relative to the file's folder too
    assert not col.add("weights/a", 1, "v")


# -- key names ----------------------------------------------------------------------------
@pytest.mark.parametrize("name, expected", [
    ("model", ("model", False)), ("MODEL_ID", ("model", False)), ("modelId", ("model", False)),
    ("model-name", ("model", False)), ("HF_MODEL", ("model", False)),
    ("model_name_or_path", ("model", True)), ("tokenizer_name", ("model", True)),
    ("embedding_model", ("model", False)), ("LLM_MODEL", ("model", False)), ("dataset", ("dataset", False)),
    ("datasets", ("dataset", False)), ("HF_DATASET", ("dataset", False)), ("eval_datasets", ("dataset", False)),
    # issue 15: *_repo_id keys, lighteval's hf_repo (a dataset, bare names allowed), *_model_name
    ("llm_hf_repo_id", ("model", False)), ("PGPT_HF_REPO_ID", ("model", False)), ("hf_repo", ("dataset", True)),
    ("embedding_hf_model_name", ("model", False)), ("judge_model_name", ("model", False)),
    ("dataset_repo_id", ("dataset", False)),
    ("output_dir", None), ("HF_TOKEN", None), ("name", None), ("path", None), ("repo", None), ("git_repo", None),
])
def test_key_names(name, expected):
    found = key_kind(name)
    assert (found[:2] if found else None) == expected
    if found:
        assert found.role == "used" and not found.strict


@pytest.mark.parametrize("name", ["model_path", "MODEL_PATH", "reward_model_path"])
def test_path_keys_are_strict(name):
    # they hold local paths as often as Hub ids: a value under a run's folder is a path
    assert key_kind(name) == ("model", False, True, "used")


@pytest.mark.parametrize("name, kind", [
    ("hub_model_id", "model"), ("output_dataset_name", "dataset"), ("HF_OUTPUT_DATASET", "dataset"),
    ("push_to_hub_model_id", "model"), ("output_model_id", "model"),
])
def test_keys_that_name_what_the_project_publishes(name, kind):
    found = key_kind(name)
    assert found.kind == kind and found.role == "produced"


# -- Python -------------------------------------------------------------------------------
def test_python_scopes_follow_python_rules():
    code = '''\
from transformers import AutoModel
M = "acme/module"
def f():
    M = "acme/local"
    return AutoModel.from_pretrained(M)
def g():
    return AutoModel.from_pretrained(M)
def h(M):
    return AutoModel.from_pretrained(M)
def i():
    global M
    return AutoModel.from_pretrained(M)
def outer():
    N = "acme/enclosing"
    def inner():
        return AutoModel.from_pretrained(N)
class C:
    K = "acme/class"
    x = AutoModel.from_pretrained(K)
    def m(self):
        return AutoModel.from_pretrained(K)
'''
    assert py(code) == [("acme/module", "model", 2), ("acme/local", "model", 4), ("acme/enclosing", "model", 14),
                        ("acme/class", "model", 18)]


def test_python_values_that_feed_an_api():
    code = '''\
import os
from transformers import AutoModel
A = os.environ.get("WHATEVER", "acme/env-default")
B = args.model or "acme/fallback"
C = f"acme/{x}"
D = "acme/concat-" + "x"
E = "acme/a" if x else None
AutoModel.from_pretrained(A); AutoModel.from_pretrained(B); AutoModel.from_pretrained(C)
AutoModel.from_pretrained(D); AutoModel.from_pretrained(E)
AutoModel.from_pretrained(pretrained_model_name_or_path="acme/keyword")
AutoModel.from_pretrained(*args); AutoModel.from_pretrained(**kwargs)
'''
    assert py(code) == [("acme/env-default", "model", 3), ("acme/fallback", "model", 4), ("acme/a", "model", 7),
                        ("acme/keyword", "model", 10)]


def test_python_key_named_values_hold_ids_on_their_own():
    code = '''\
import argparse, os
from dataclasses import dataclass, field
MODEL_ID = "acme/constant"
model_name_or_path = "bert-base-cased"
EMBEDDING_MODEL = os.getenv("EMBEDDING_MODEL", "acme/embedder")
config = {"dataset": "acme/data", "model": "gpt-4o", "title": "acme/not-a-key"}
parser = argparse.ArgumentParser()
parser.add_argument("--base-model", default="acme/argparse")
parser.add_argument("--output", default="acme/not-a-model")
call(hub_model_id="acme/keyword-arg")
settings["tokenizer_name"] = "acme/subscript"
@dataclass
class Args:
    model_name: str = field(default="acme/field")
'''
    assert py(code) == [("acme/constant", "model", 3), ("bert-base-cased", "model", 4), ("acme/embedder", "model", 5),
                        ("acme/data", "dataset", 6), ("acme/argparse", "model", 8), ("acme/keyword-arg", "model", 10),
                        ("acme/subscript", "model", 11), ("acme/field", "model", 14)]


def test_python_test_parameters_and_command_lines_written_as_lists():
    code = '''\
import pytest, subprocess
@pytest.mark.parametrize("model_id", ["acme/a", pytest.param("acme/b", id="b"), "gpt2"])
def test_x(model_id): ...
@pytest.mark.parametrize("model_name, other", [("acme/c", "acme/not-a-model"), ("acme/d", 1)])
def test_y(model_name, other): ...
subprocess.run(["python", "train.py", "--dataset_name", "acme/e", "--output_dir", "acme/not-a-dataset"])
'''
    assert py(code) == [("acme/a", "model", 2), ("acme/b", "model", 2), ("acme/c", "model", 4), ("acme/d", "model", 4),
                        ("acme/e", "dataset", 6)]


def test_python_import_aliases_and_library_checks():
    code = '''\
import transformers as tf
import huggingface_hub as hub
from transformers import pipeline as make_pipeline
from sklearn.pipeline import pipeline
from mylib import LLM
tf.AutoModel.from_pretrained("acme/aliased-module")
hub.HfApi().snapshot_download("acme/method-of-client")
make_pipeline("text-generation", model="acme/aliased-function")
pipeline("x", "acme/not-transformers")
LLM("acme/not-vllm")
'''
    assert py(code) == [("acme/aliased-module", "model", 6), ("acme/method-of-client", "model", 7),
                        ("acme/aliased-function", "model", 8)]


def test_python_other_apis():
    code = '''\
import timm
from diffusers import DiffusionPipeline
from huggingface_hub import InferenceClient
timm.create_model("hf-hub:timm/vit_base_patch16_224.augreg_in21k", pretrained=True)
timm.create_model("resnet50")
pipe = DiffusionPipeline.from_pretrained("acme/base")
pipe.load_lora_weights("acme/lora")
model.load_adapter("acme/adapter", adapter_name="a")
client = InferenceClient(model="acme/served")
hf_hub_download("acme/space", "app.py", repo_type="space")
SentenceTransformer("bert-base-uncased")
SentenceTransformer("./local-dir")
'''
    assert py(code) == [("timm/vit_base_patch16_224.augreg_in21k", "model", 4), ("acme/base", "model", 6),
                        ("acme/lora", "model", 7), ("acme/adapter", "model", 8), ("acme/served", "model", 9),
                        ("bert-base-uncased", "model", 11)]


def test_python_never_reads_docstrings_comments_or_bare_strings():
    code = '''\
"""AutoModel.from_pretrained("acme/module-doc")"""
from transformers import AutoModel
def f():
    """MODEL_ID = "acme/function-doc" """
    # AutoModel.from_pretrained("acme/comment")
    "acme/statement-string"
    return AutoModel
'''
    assert py(code) == []


def test_python_use_lines_are_kept_for_diff():
    col = Collector("/nonexistent", "f")
    scan_python('from transformers import AutoModel\nM = "acme/x"\n\n\nAutoModel.from_pretrained(M)\n', col)
    assert [(h.line, h.uses) for h in col.hits] == [(2, (5,))]


def test_python_invalid_source_gives_a_warning_with_its_line():
    col = Collector("/nonexistent", "pkg/m.py")
    scan_python("from transformers import AutoModel\nx = (\n", col)
    assert col.warnings and col.warnings[0].startswith("pkg/m.py:2: not valid Python")
    col = Collector("/nonexistent", "pkg/m.py")
    scan_python(b"x = 1\0", col)
    assert col.warnings and "not valid Python" in col.warnings[0]


def test_python_prefilter_skips_mentions_in_docstrings_and_comments():
    assert not wanted(b'"""Use AutoModel.from_pretrained("acme/x")."""\nimport os\n')
    assert not wanted(b'# AutoModel.from_pretrained("acme/x")\nimport os\n')
    assert wanted(b'"""doc"""\nAutoModel.from_pretrained("acme/x")\n')
    assert wanted(b'MODEL_ID = "acme/x"\n')
    assert not wanted(b'CONTENT_TYPE = "text/plain"\nx = None\n')  # no key word at all
    assert not wanted(b'model = total/count\n')  # a division, not a string
    assert not wanted(b'model = None\nmsg = "see input/output for details"\n')  # a sentence, not an id
    assert wanted(b'x = """unpaired\nAutoModel.from_pretrained("acme/x")\n')


# -- shell and Dockerfiles ----------------------------------------------------------------
def test_shell_words_keep_their_lines():
    words = split_words("a 'b c' \"d\\\"e\" \\\n  f # comment\ng; h && i")
    assert [(w, line) for w, line, op in words if not op] == [("a", 1), ("b c", 1), ('d"e', 1), ("f", 2), ("g", 3),
                                                              ("h", 3), ("i", 3)]


def test_shell_commands():
    text = '''\
export HF_MODEL="acme/exported"
REPO=acme/plain-variable
huggingface-cli download "$REPO" --repo-type=dataset
hf download --include "*.json" --repo-type model acme/after-options config.json
hf download acme/a-space --repo-type space
/usr/local/bin/huggingface-cli download acme/full-path
text-generation-launcher --model-id acme/tgi --port 8080
llama-server -hf acme/gguf-repo
vllm serve acme/served --tensor-parallel-size 2
ollama run hf.co/acme/ollama-gguf
wget https://huggingface.co/acme/weights/resolve/main/model.bin
python -c 'from datasets import load_dataset; load_dataset("acme/inline-python")'
python3 train.py --dataset_name=acme/equals
'''
    assert run(scan_shell_text, text) == [
        ("acme/exported", "model", 1), ("acme/plain-variable", "dataset", 2), ("acme/after-options", "model", 4),
        ("acme/full-path", "model", 6), ("acme/tgi", "model", 7), ("acme/gguf-repo", "model", 8),
        ("acme/served", "model", 9), ("acme/ollama-gguf", "model", 10), ("acme/weights", "model", 11),
        ("acme/inline-python", "dataset", 12), ("acme/equals", "dataset", 13)]


def test_dockerfile_forms():
    text = '''\
# escape=`
FROM python:3.11
ENV HF_MODEL acme/legacy-env-form
ARG DATASET=acme/arg-dataset
RUN echo start && `
    # a comment inside the instruction
    huggingface-cli download `
      acme/continued
RUN ["hf", "download", "acme/exec-form"]
RUN <<EOF
hf download acme/in-heredoc
EOF
RUN hf download "${DATASET}" --repo-type dataset
COPY hf download acme/not-a-command /x
'''
    assert run(scan_dockerfile, text) == [
        ("acme/legacy-env-form", "model", 3), ("acme/arg-dataset", "dataset", 4), ("acme/continued", "model", 8),
        ("acme/exec-form", "model", 9), ("acme/in-heredoc", "model", 11)]


# -- configs ------------------------------------------------------------------------------
def test_yaml_structure():
    text = '''\
defaults: &defaults
  model: acme/anchored
train:
  <<: *defaults
  ? [complex, key]
  : acme/under-complex-key
services:
  app:
    environment:
      - MODEL_ID=acme/compose-env
      - OTHER=acme/not-a-key
    command: vllm serve acme/compose-command
---
dataset: acme/second-document
prompts:
  chat: {name: acme/not-in-a-model-context}
base_model:
  name: acme/nested
dataset_mixer:
  acme/mixed-in: 0.5
  not-an-id: 0.5
models:  # chardet's training metadata: language/encoding, not ids
  ar/cp1256: {language: ar}
'''
    assert run(scan_yaml, text) == [("acme/anchored", "model", 2), ("acme/compose-env", "model", 10),
                                    ("acme/compose-command", "model", 12), ("acme/second-document", "dataset", 14),
                                    ("acme/nested", "model", 18), ("acme/mixed-in", "dataset", 20)]


def test_json_structure():
    text = json.dumps({"a": {"model": "acme\\/escaped".replace("\\/", "/")}, "list": [{"dataset": ["acme/d1", "acme/d2"]}],
                       "model": {"id": "acme/sub", "revision": "main"}, "url": "https://huggingface.co/acme/u",
                       "eval_datasets": {"acme/as-key": {"split": "test"}}, "other": {"acme/not-in-context": 1}},
                      indent=2)
    assert run(scan_json, text) == [("acme/escaped", "model", 3), ("acme/d1", "dataset", 8), ("acme/d2", "dataset", 9),
                                    ("acme/sub", "model", 14), ("acme/u", "model", 17), ("acme/as-key", "dataset", 19)]


def test_toml_structure():
    text = '''\
title = "x"
model.name = "acme/dotted"
[tool.trainer]
base_model = 'acme/literal-string'
notes = """
model = "acme/in-multiline-string"
"""
datasets = [{ path = "acme/inline-table" }, "acme/plain"]
"model_id" = "acme/quoted-key"
[dataset_mixer]
"acme/as-key" = 0.5
'''
    assert run(scan_toml, text) == [("acme/dotted", "model", 2), ("acme/literal-string", "model", 4),
                                    ("acme/inline-table", "dataset", 8), ("acme/plain", "dataset", 8),
                                    ("acme/quoted-key", "model", 9), ("acme/as-key", "dataset", 11)]


def test_env_lines():
    text = "MODEL_ID='acme/single'\n export DATASET = acme/spaced\nMODEL=${MODEL:-acme/default}\nMODEL_ID=\n#MODEL_ID=acme/x\n"
    assert run(scan_env, text) == [("acme/single", "model", 1), ("acme/spaced", "dataset", 2), ("acme/default", "model", 3)]


def test_notebook_cells_fall_back_one_by_one_when_one_does_not_parse():
    cells = [
        {"cell_type": "code", "source": ["MODEL = 'acme/first'\n"]},
        {"cell_type": "code", "source": ["model?\n"]},  # IPython help syntax: not Python
        {"cell_type": "code", "source": ["%%bash\n", "hf download acme/bash-cell\n"]},
        {"cell_type": "code", "source": "from datasets import load_dataset\nload_dataset('acme/single-string-source')"},
    ]
    text = json.dumps({"cells": cells, "nbformat": 4}, indent=1)
    found = run(scan_notebook, text)
    lines = text.splitlines()
    assert [(i, k) for i, k, _ in found] == [("acme/first", "model"), ("acme/bash-cell", "model"),
                                           ("acme/single-string-source", "dataset")]
    for ref_id, _, line in found:
        assert ref_id.split("/")[1] in lines[line - 1] or "load_dataset" in lines[line - 1]


@pytest.mark.parametrize("name, kind", [
    ("a.py", "python"), ("A.YAML", "yaml"), ("x.yml", "yaml"), ("p.json", "json"), ("n.ipynb", "notebook"),
    ("pyproject.toml", "toml"), (".env", "env"), (".env.local", "env"), ("prod.env", "env"), ("Dockerfile", "dockerfile"),
    ("Dockerfile.gpu", "dockerfile"), ("app.dockerfile", "dockerfile"), ("Containerfile", "dockerfile"),
    ("run.sh", "shell"), ("README.md", None), ("Makefile", None), (".bashrc", None), ("x.pyc", None),
])
def test_file_types(name, kind):
    assert file_type(name) == kind
