"""Issue 15: what `clearance scan` missed or got wrong on public repositories, each as a small
synthetic snippet (written for these tests, shaped like what was found, never copied).

Measured with bench/bench_scan_recall.py; every miss fixed there has its case here."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from snippets import collect

from clearance.scan import Reference, scan_path
from clearance.scan.pyfile import scan_python, wanted
from clearance.scan.shell import scan_shell_text
from clearance.scan.tomlfile import scan_toml
from clearance.scan.walk import file_type, walk
from clearance.scan.yamlfile import scan_yaml


def hits(reader, text: str, root: str = "/nonexistent-root") -> list[tuple[str, str, int, str]]:
    col = collect(reader, text, root=root)
    return sorted({(h.id, h.kind, h.line, h.role) for h in col.hits}, key=lambda t: (t[2], t[0]))


def ids(reader, text: str) -> set[tuple[str, str]]:
    return {(i, k) for i, k, _, _ in hits(reader, text)}


def py(text: str) -> set[tuple[str, str]]:
    return ids(scan_python, text)


# -- the pre-parse filter is never stricter than the parser --------------------------------
ARGPARSE_DEFAULT_BELOW = '''\
import argparse
parser = argparse.ArgumentParser()
parser.add_argument(
    "--generator_model_id",
    type=str,
    default="acme/generator-7b",
)
parser.add_argument(
    "--model_id",
    type=str,
    default="acme/judge-7b",
)
'''

# Comments and help texts in another language: the bytes never hold "model" next to the id.
FOREIGN_COMMENTS = '''\
# スクリプトのパラメータ
import argparse
p = argparse.ArgumentParser(description="ディレクトリ内のファイルから問題を生成します")
p.add_argument(
    "--tokenizer_id",
    type=str,
    default="acme/tok",
    help="トークナイザーのID",
)
'''

FOREIGN_TASK = '''\
# タスクの定義
from lighteval.tasks.lighteval_task import LightevalTaskConfig
task = LightevalTaskConfig(
    name="exam",
    hf_repo="acme/exam-questions",  # 試験問題
)
'''

# A name bound far from the key that reads it: the parser resolves it, so the filter lets it by.
FAR_APART = 'DEFAULT = "acme/far"\n' + "x = 1\n" * 50 + "hf_repo_id = DEFAULT\n"

COMMAND_LINE_IN_FSTRING = '''\
def test_train(tmpdir):
    args = f"""
        train.py
        --pretrained_model_name_or_path acme/tiny-pipe
        --dataset_name=acme/tiny-data
        --output_dir {tmpdir}
        """.split()
    return args
'''

SNIPPETS = [ARGPARSE_DEFAULT_BELOW, FOREIGN_COMMENTS, FOREIGN_TASK, FAR_APART, COMMAND_LINE_IN_FSTRING]


@pytest.mark.parametrize("code", SNIPPETS)
def test_the_filter_lets_through_every_file_the_parser_finds_something_in(code):
    assert py(code), "the snippet must hold a reference"
    assert wanted(code.encode())


def test_argparse_defaults_below_their_flag_and_foreign_comments():
    assert py(ARGPARSE_DEFAULT_BELOW) == {("acme/generator-7b", "model"), ("acme/judge-7b", "model")}
    assert py(FOREIGN_COMMENTS) == {("acme/tok", "model")}
    assert py(FOREIGN_TASK) == {("acme/exam-questions", "dataset")}
    assert py(FAR_APART) == {("acme/far", "model")}


_PIECES = st.sampled_from([
    'x = 1\n', '# a comment with model and acme/in-comment\n', '"""A docstring: acme/in-doc, model."""\n',
    'MODEL_ID = "acme/a"\n', 'repo = "acme/b"\n', 'print("acme/c", model)\n', 'ratio = total/count\n',
    'model_name_or_path = "gpt2"\n', 'args = f"""--dataset_name acme/d {x}"""\n', 'N = "acme/e"\n',
    'dataset = N\n', 'cfg = {"datasets": [{"id": "acme/f"}]}\n', 'help_text = "use --model acme/g"\n',
    'ds.push_to_hub("acme/h")\n', 'def f():\n    """model: acme/i"""\n', 'y = "text/plain"\n',
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=8))
def test_the_filter_is_never_stricter_than_the_parser(pieces):
    code = "".join(pieces)
    if py(code):
        assert wanted(code.encode()), code


# -- keys and values ---------------------------------------------------------------------
def test_yaml_settings_with_environment_defaults_and_repo_id_keys():
    text = '''\
llamacpp:
  llm_hf_repo_id: ${APP_HF_REPO_ID:acme/chat-GGUF}
  llm_hf_model_file: ${APP_HF_MODEL_FILE:chat.Q4_K_M.gguf}
huggingface:
  embedding_hf_model_name: ${APP_EMBEDDING:-acme/embedder}
  access_token: ${HF_TOKEN:}
server:
  env_name: ${APP_ENV:prod}
'''
    assert hits(scan_yaml, text) == [("acme/chat-GGUF", "model", 2, "used"), ("acme/embedder", "model", 5, "used")]


def test_toml_environment_defaults():
    text = 'model_repo_id = "${MODEL:-acme/from-default}"\n[eval]\njudge_model_name = "${JUDGE:acme/judge}"\n'
    assert ids(scan_toml, text) == {("acme/from-default", "model"), ("acme/judge", "model")}


def test_lighteval_hf_repo_is_a_dataset_bare_names_included_builders_and_placeholders_not():
    code = '''\
from lighteval.tasks.lighteval_task import LightevalTaskConfig
a = LightevalTaskConfig(name="a", hf_repo="acme/bench")
b = LightevalTaskConfig(name="b", hf_repo="gsm8k")
c = LightevalTaskConfig(name="c", hf_repo="json")
d = LightevalTaskConfig(name="d", hf_repo="HF_DATASET_NAME")
e = LightevalTaskConfig(name="e", hf_repo="test_repo")
class Custom(LightevalTaskConfig):
    def __init__(self, name, hf_repo="acme/default-bench"):
        super().__init__(name=name, hf_repo=hf_repo)
'''
    assert py(code) == {("acme/bench", "dataset"), ("gsm8k", "dataset"), ("acme/default-bench", "dataset")}


def test_python_dict_literals_in_model_and_dataset_lists():
    code = '''\
mixture = {
    "datasets": [
        {"id": "acme/first", "columns": ["prompt"], "weight": 0.5},
        {
            "path": "acme/second",
            "weight": 0.5,
        },
    ],
}
EVAL_DATASETS = ["acme/third", "acme/fourth"]
COLUMNS_OF_DATASET = {"acme/fifth": ("image", "text")}
models = [{"name": "acme/sixth"}]
settings = {"labels": [{"id": "not/an-id-here"}]}
train(datasets=[{"repo_id": "acme/seventh"}])
'''
    assert py(code) == {("acme/first", "dataset"), ("acme/second", "dataset"), ("acme/third", "dataset"),
                        ("acme/fourth", "dataset"), ("acme/fifth", "dataset"), ("acme/sixth", "model"),
                        ("acme/seventh", "dataset")}


def test_litellm_provider_prefix_before_a_hub_id():
    text = 'model_parameters:\n  model_name: "openai/acme/served-model"\n  other_model: "together_ai/acme/x-Turbo"\n'
    assert ids(scan_yaml, text) == {("acme/served-model", "model")}


# -- files -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["train.slurm", "job.sbatch", "run.pbs", "x.zsh"])
def test_batch_job_scripts_are_shell(name):
    assert file_type(name) == "shell"


def test_extensionless_scripts_are_read_by_their_shebang(tmp_path):
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "serve").write_text('#!/usr/bin/env bash\nvllm serve acme/served\n')
    (tmp_path / "bin" / "setup").write_text('#!/usr/bin/env python3\nfrom huggingface_hub import snapshot_download\n'
                                            'snapshot_download("acme/setup-model")\n')
    (tmp_path / "bin" / "notes").write_text('acme/not-a-script\n')
    (tmp_path / "LICENSE").write_text('#!/not/a/shell\nacme/x\n')
    (tmp_path / "job.slurm").write_text('#!/bin/bash\n#SBATCH --gres=gpu:8\nMODEL_PATH="acme/slurm-model"\n')
    assert {e.rel: e.type for e in walk(str(tmp_path), [])} == {"bin/serve": "shell", "bin/setup": "python",
                                                                "job.slurm": "shell"}
    found = {(r.id, r.file) for r in scan_path(tmp_path).references}
    assert found == {("acme/served", "bin/serve"), ("acme/setup-model", "bin/setup"), ("acme/slurm-model", "job.slurm")}


def test_model_path_variables_hold_hub_ids_or_local_paths():
    text = '''\
MODEL_PATH="acme/served-r1"
REWARD_MODEL_PATH=checkpoints/run-1
export MODEL_PATH=outputs/final
python serve.py --model-path "$MODEL_PATH"
'''
    assert ids(scan_shell_text, text) == {("acme/served-r1", "model")}


def test_a_large_notebook_is_read(tmp_path):
    cells = [{"cell_type": "code", "source": ['from transformers import AutoModel\n', 'AutoModel.from_pretrained("acme/nb")'],
              "outputs": [{"data": {"image/png": "A" * (3 * 1024 * 1024)}}], "metadata": {}, "execution_count": 1}]
    (tmp_path / "big.ipynb").write_text(json.dumps({"cells": cells, "nbformat": 4, "nbformat_minor": 5, "metadata": {}}))
    report = scan_path(tmp_path)
    assert [r.id for r in report.references] == ["acme/nb"] and not report.warnings


# -- the project's own outputs -----------------------------------------------------------
def test_a_bare_name_the_project_writes_to_is_no_model_to_check():
    code = '''\
from transformers import AutoModelForCausalLM, AutoTokenizer
from trl import SFTConfig
base = "acme/base"
finetune_name = "My-FT-Model"
other = "Other-Output"
model = AutoModelForCausalLM.from_pretrained(base)
args = SFTConfig(output_dir=finetune_name)
trainer.save_model(f"./{other}")
tokenizer = AutoTokenizer.from_pretrained(finetune_name)
again = AutoModelForCausalLM.from_pretrained(other)
legacy = AutoModelForCausalLM.from_pretrained("gpt2")
'''
    assert py(code) == {("acme/base", "model"), ("gpt2", "model")}


# -- produced or used --------------------------------------------------------------------
def roles(reader, text: str) -> set[tuple[str, str, str]]:
    return {(i, k, r) for i, k, _, r in hits(reader, text)}


def test_reference_role_defaults_to_used():
    ref = Reference("acme/x", "model", "f.py", 1, "v")
    assert ref.role == "used"


def test_push_targets_in_configs_are_produced():
    text = '''\
model_name_or_path: acme/base
hub_model_id: acme/fine-tuned
dataset_name: acme/source
output_dataset_name: acme/filtered
'''
    assert roles(scan_yaml, text) == {("acme/base", "model", "used"), ("acme/fine-tuned", "model", "produced"),
                                      ("acme/source", "dataset", "used"), ("acme/filtered", "dataset", "produced")}


def test_push_calls_and_upload_arguments_are_produced():
    code = '''\
import argparse
from datasets import load_dataset
from huggingface_hub import create_repo, upload_folder
parser = argparse.ArgumentParser()
parser.add_argument(
    "--dataset_repo_id",
    type=str,
    default="acme/exam-set",
)
args = parser.parse_args()
ds = load_dataset("acme/raw")
ds.push_to_hub(repo_id=args.dataset_repo_id)
model.push_to_hub("acme/pushed-model")
distiset.push_to_hub("acme/pushed-data")
create_repo("acme/created", repo_type="dataset")
upload_folder(repo_id="acme/uploaded", folder_path=".")
create_repo("acme/a-space", repo_type="space")
'''
    assert roles(scan_python, code) == {
        ("acme/exam-set", "dataset", "produced"), ("acme/raw", "dataset", "used"),
        ("acme/pushed-model", "model", "produced"), ("acme/pushed-data", "dataset", "produced"),
        ("acme/created", "dataset", "produced"), ("acme/uploaded", "model", "produced")}


def test_shell_uploads_are_produced_and_a_space_is_dropped():
    text = '''\
LEADERBOARD_REPO_ID="acme/leaderboard-space"
huggingface-cli upload --repo-type space --private $LEADERBOARD_REPO_ID results.json
hf upload acme/my-model ./out . --commit-message "first release"
hf upload acme/my-data ./data --repo-type dataset
python train.py --hub_model_id acme/from-flag
'''
    assert roles(scan_shell_text, text) == {("acme/my-model", "model", "produced"),
                                            ("acme/my-data", "dataset", "produced"),
                                            ("acme/from-flag", "model", "produced")}


# -- command lines inside Python strings -------------------------------------------------
def test_command_lines_in_strings_but_not_help_texts_or_usage_examples():
    code = COMMAND_LINE_IN_FSTRING + '''\
import argparse
p = argparse.ArgumentParser()
p.add_argument("--model", help="for instance --model acme/in-help")
USAGE_EXAMPLES = ["hf download acme/in-example", "train --dataset_name acme/in-example-2"]
print("run with --model acme/printed")
cmd = "python serve.py --model_id acme/in-command"
'''
    found = hits(scan_python, code)
    assert {(i, k) for i, k, _, _ in found} == {("acme/tiny-pipe", "model"), ("acme/tiny-data", "dataset"),
                                               ("acme/in-command", "model")}
    lines = {i: line for i, _, line, _ in found}
    assert lines["acme/tiny-pipe"] == 4 and lines["acme/tiny-data"] == 5  # each id on its own line
