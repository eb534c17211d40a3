"""Which key names hold a model or dataset id.

One vocabulary for every place a name sits next to a value: config keys (YAML, JSON, TOML),
environment variables (`.env`, Dockerfile `ENV`, shell `export`), command-line flags
(`--model_name_or_path`), and Python assignments, keyword arguments and dict keys. Names are
compared in snake case: `modelId`, `model-id`, `MODEL_ID` and `model_id` are one key, and a
leading `hf_` / `huggingface_` is dropped (`HF_MODEL` is `model`).

Only keys that transformers' own argument parsers use take a bare legacy id
(`model_name_or_path: gpt2`), and lighteval's `hf_repo` (a dataset it loads with `datasets`);
any other key needs `org/name`, because a bare word under `model:` is as often `gpt-4o` or
`llama3` as a Hub id.

A key whose name starts with a hosted inference service that has its own model catalogue
(`WATSONX_GENERATION_MODEL`, `OPENROUTER_MODEL`, `OLLAMA_EMBEDDING_MODEL`) names that service's
model (`ibm/granite-13b-chat-v2` on watsonx, `anthropic/claude-3.5-sonnet` on OpenRouter), not a
Hub repository, even when the value is shaped like `org/name`. Not among them: `openai` (OpenAI's
own names have no slash, so an `org/name` under `OPENAI_MODEL` is a Hub id served by an
OpenAI-compatible vLLM or TGI), services that serve Hub ids as they are (Together), and names
that are also Hub organisations (`mistral`, `nvidia`, `deepseek`).

Keys that name what the project *publishes* (`hub_model_id`, `output_dataset_name`,
`push_to_hub_model_id`) give the role "produced". Keys that hold a local path as often as an id
(`model_path`, `MODEL_PATH`, `reward_model_path`, `dataset_path`, `data_path`: the first argument of
`datasets.load_dataset`, as lm-evaluation-harness task configs name it) are "strict": a value under a run's folder
(`checkpoints/...`) is a path.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

MODEL_KEYS = frozenset(
    """model model_name model_id model_name_or_path model_repo model_repo_id model_checkpoint
    base_model base_model_id base_model_name base_model_name_or_path pretrained_model_name_or_path
    pretrained_model pretrained_model_name tokenizer tokenizer_name tokenizer_id tokenizer_name_or_path
    hub_model_id embedding_model embedding_model_name embedding_model_id embed_model embed_model_name
    embeddings_model embeddings_model_name adapter adapter_id adapter_name_or_path lora_model
    peft_model_id repo_id model_url model_uri pretrained""".split()
)
DATASET_KEYS = frozenset(
    """dataset datasets dataset_name dataset_id dataset_repo dataset_repo_id hub_dataset_id
    train_dataset eval_dataset test_dataset validation_dataset hf_repo dataset_path data_path dataset_url""".split()
)
BARE_KEYS = frozenset(
    {"model_name_or_path", "pretrained_model_name_or_path", "tokenizer_name", "tokenizer_name_or_path", "hf_repo"}
)
PATH_KEYS = frozenset({"model_path", "dataset_path", "data_path"})
_PATH_SUFFIXES = ("_model_path",)
PRODUCED_KEYS = frozenset({"hub_model_id", "hub_dataset_id", "push_to_hub_model_id", "push_to_hub_dataset_id"})
_PRODUCED_PREFIXES = ("output_", "push_", "upload_")
# Under a model or dataset key, these name the id of the thing described: `datasets: [{path: org/d}]`.
SUBKEYS = frozenset({"path", "name", "id", "repo", "repo_id", "name_or_path", "hub_id"})
# Under a dataset key, `path` is `datasets.load_dataset`'s first argument, which takes a bare
# canonical name (axolotl's `pretraining_dataset: [{path: wikitext, name: wikitext-103-raw-v1}]`);
# `name` there is the configuration's name, never an id of its own.
_BARE_DATASET_SUBKEYS = frozenset({"path"})
_MODEL_SUFFIXES = ("_model", "_model_id", "_model_name", "_model_name_or_path", "_model_repo", "_tokenizer",
                   "_tokenizer_name", "_repo_id", "_models", "_model_ids", "_model_names")
_DATASET_SUFFIXES = ("_dataset", "_datasets", "_dataset_id", "_dataset_name", "_dataset_repo", "_dataset_repo_id")
_PREFIXES = ("hf_", "huggingface_", "hugging_face_")
# Hosted services whose model names are their own catalogue's (see the module's docstring).
SERVICE_PREFIXES = frozenset(
    "azure anthropic claude bedrock vertex vertexai gemini cohere groq ollama watsonx wx ibm_watsonx "
    "replicate openrouter fireworks perplexity".split()
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEP = re.compile(r"[-.\s]+")
# Substrings of every key above, lower-cased: a file without any of them has no key to read.
TRIGGERS = ("model", "dataset", "tokenizer", "repo", "adapter")


@lru_cache(maxsize=4096)
def norm_key(name: str) -> str:
    return _SEP.sub("_", _CAMEL.sub("_", name.strip().strip("-"))).lower()


class KeyInfo(NamedTuple):
    kind: str  # "model" | "dataset"
    bare: bool  # bare legacy ids allowed
    strict: bool = False  # holds local paths as often as ids
    role: str = "used"  # "produced" for keys naming what the project publishes


@lru_cache(maxsize=4096)
def key_kind(name: str) -> KeyInfo | None:
    """What `name` holds when it is a key that holds a model or dataset id."""
    key = norm_key(name)
    if service_scoped(key):
        return None
    bare_key = next((key[len(p):] for p in _PREFIXES if key.startswith(p) and len(key) > len(p)), key)
    role = "produced" if bare_key in PRODUCED_KEYS or bare_key.startswith(_PRODUCED_PREFIXES) else "used"
    found = _kind(key, role)
    if found is None and bare_key != key:
        return _kind(bare_key, role)
    return found


def _kind(key: str, role: str) -> KeyInfo | None:
    if key in PATH_KEYS or key.endswith(_PATH_SUFFIXES):
        return KeyInfo("dataset" if key in DATASET_KEYS else "model", False, True, role)
    if key in MODEL_KEYS:
        return KeyInfo("model", key in BARE_KEYS, False, role)
    if key in DATASET_KEYS:
        return KeyInfo("dataset", key in BARE_KEYS, False, role)
    if key.endswith(_DATASET_SUFFIXES):
        return KeyInfo("dataset", False, False, role)
    if key.endswith(_MODEL_SUFFIXES):
        return KeyInfo("model", False, False, role)
    return None


@lru_cache(maxsize=4096)
def service_scoped(name: str) -> bool:
    """Does `name` (`WATSONX_CONFIG`, `openai_model`, `ollama`) belong to a hosted service with a
    model catalogue of its own? Its first word, or its first two, name the service."""
    parts = norm_key(name).split("_")
    return parts[0] in SERVICE_PREFIXES or "_".join(parts[:2]) in SERVICE_PREFIXES


@lru_cache(maxsize=4096)
def context_kind(name: str) -> str | None:
    """The kind a container under `name` is about: an id key's kind, or for any other key with
    a `dataset(s)` or `model(s)` part, that kind (`dataset_mixer: {org/d: 0.5}`, `model_kwargs`)."""
    found = key_kind(name)
    if found:
        return found[0]
    parts = set(norm_key(name).split("_"))
    if parts & {"dataset", "datasets"}:
        return "dataset"
    if parts & {"model", "models"}:
        return "model"
    return None


@lru_cache(maxsize=4096)
def lists_ids_as_keys(name: str) -> bool:
    """May the keys of a mapping under `name` be ids? Under an id key (`datasets: {org/d: ...}`) or
    a dataset-ish one (`dataset_mixer: {org/d: 0.5}`); not under any `models:` (chardet's
    `models: {ar/cp1256: ...}` names encodings)."""
    return key_kind(name) is not None or bool(set(norm_key(name).split("_")) & {"dataset", "datasets"})


def is_subkey(name: str) -> bool:
    return norm_key(name) in SUBKEYS


def subkey_takes_bare(name: str, kind: str) -> bool:
    """May the value of subkey `name` under a `kind` key be a bare (org-less) id?"""
    return kind == "dataset" and norm_key(name) in _BARE_DATASET_SUBKEYS
