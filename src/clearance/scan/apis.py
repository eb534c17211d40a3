"""The Python APIs that load a model or dataset from the Hub, and which argument names it.

Data, not code: `pyfile.py` looks a call up here by the callee's last name (`AutoModel.
from_pretrained` by `from_pretrained`, `transformers.pipeline` by `pipeline`), after undoing
import aliases. An entry says which positional index and which keywords hold the id, its kind,
whether a bare legacy id is unambiguous there, and — for names that other libraries use too —
the libraries it must come from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from clearance.scan.hubid import BUILDERS


@dataclass(frozen=True, slots=True)
class Api:
    position: int | None  # positional index of the id, None when only keywords name it
    keywords: tuple[str, ...]
    kind: str = "model"
    bare: bool = True  # a bare legacy id ("gpt2") is unambiguous here
    libs: frozenset[str] | None = None  # when the callee is imported, it must be from one of these
    lib: str = ""  # library named in `via` when the file does not import the callee
    repo_type: bool = False  # a `repo_type="dataset"` keyword makes it a dataset
    prefixes: tuple[str, ...] = ()  # only values with one of these prefixes (stripped), e.g. "hf-hub:"
    not_ids: frozenset[str] = frozenset()  # bare names that mean something else here
    sentence_transformers: bool = False  # a bare name means sentence-transformers/<name>
    method: bool = False  # looked up by attribute name whatever the receiver (X.from_pretrained)
    need_import: bool = False  # a name too common to trust unless imported from `libs`
    role: str = "used"  # "produced": the call publishes the repository (push_to_hub, create_repo, uploads)


_PRETRAINED = ("pretrained_model_name_or_path", "model_id", "repo_id", "model_name_or_path")

_VLLM = frozenset({"vllm"})

METHODS: dict[str, Api] = {
    "from_pretrained": Api(0, _PRETRAINED, method=True),
    "from_model_id": Api(0, ("model_id",), method=True, lib="langchain"),  # HuggingFacePipeline
    "load_adapter": Api(0, ("model_id", "peft_model_id", "pretrained_model_name_or_path"), method=True),
    "load_lora_weights": Api(0, ("pretrained_model_name_or_path_or_dict",), method=True, lib="diffusers"),
    "load_textual_inversion": Api(0, ("pretrained_model_name_or_path",), method=True, lib="diffusers"),
    "load_ip_adapter": Api(0, ("pretrained_model_name_or_path_or_dict",), method=True, lib="diffusers"),
    # model.push_to_hub("org/x"), dataset.push_to_hub("org/d"): what the project publishes. A bare
    # name there is the user's own namespace, no repository anyone can check.
    "push_to_hub": Api(0, ("repo_id",), method=True, bare=False, role="produced"),
}
# PeftModel.from_pretrained(base_model, "adapter-id"): the adapter is the second argument.
PEFT_RECEIVER = re.compile(r"^Peft(?:Mixed)?Model(?:For\w+)?$")
PEFT_FROM_PRETRAINED = Api(1, ("model_id",), method=True, lib="peft")

FUNCTIONS: dict[str, Api] = {
    "pipeline": Api(1, ("model", "tokenizer"), libs=frozenset({"transformers", "optimum"}), lib="transformers"),
    "hf_hub_download": Api(0, ("repo_id",), lib="huggingface_hub", repo_type=True),
    "snapshot_download": Api(0, ("repo_id",), lib="huggingface_hub", repo_type=True),
    "load_dataset": Api(0, ("path",), kind="dataset", lib="datasets", not_ids=BUILDERS),
    "load_dataset_builder": Api(0, ("path",), kind="dataset", lib="datasets", not_ids=BUILDERS),
    "SentenceTransformer": Api(0, ("model_name_or_path",), lib="sentence_transformers", sentence_transformers=True),
    "CrossEncoder": Api(0, ("model_name_or_path", "model_name"), lib="sentence_transformers"),
    "SparseEncoder": Api(0, ("model_name_or_path",), lib="sentence_transformers"),
    "LLM": Api(0, ("model", "tokenizer"), libs=_VLLM, lib="vllm", need_import=True),
    "EngineArgs": Api(None, ("model", "tokenizer"), libs=_VLLM, lib="vllm", need_import=True),
    "AsyncEngineArgs": Api(None, ("model", "tokenizer"), libs=_VLLM, lib="vllm", need_import=True),
    "InferenceClient": Api(0, ("model",), lib="huggingface_hub"),
    "AsyncInferenceClient": Api(0, ("model",), lib="huggingface_hub"),
    "HuggingFaceDatasetLoader": Api(0, ("path",), kind="dataset", lib="langchain"),
    "create_model": Api(0, ("model_name",), prefixes=("hf-hub:", "hf_hub:")),  # timm, open_clip
    "create_model_and_transforms": Api(0, ("model_name",), prefixes=("hf-hub:", "hf_hub:")),
    # huggingface_hub's writers (functions, or HfApi methods): the repository is produced.
    "create_repo": Api(0, ("repo_id",), lib="huggingface_hub", repo_type=True, bare=False, role="produced"),
    "upload_folder": Api(None, ("repo_id",), lib="huggingface_hub", repo_type=True, bare=False, role="produced"),
    "upload_file": Api(None, ("repo_id",), lib="huggingface_hub", repo_type=True, bare=False, role="produced"),
    "upload_large_folder": Api(None, ("repo_id",), lib="huggingface_hub", repo_type=True, bare=False, role="produced"),
}
# LangChain and LlamaIndex wrappers: HuggingFaceEmbeddings(model_name=...), HuggingFaceLLM(
# model_name=..., tokenizer_name=...), HuggingFaceEndpoint(repo_id=...), ChatHuggingFace(model_id=...).
WRAPPER = re.compile(r"^(?:Chat)?HuggingFace\w*$")
WRAPPER_API = Api(None, ("model_name", "model_id", "repo_id", "model", "tokenizer_name"))

# Names in a file that make a call above possible: a file with none of them is not parsed.
# Call syntax where the name is unusual enough; names that are common words (HuggingFace in
# prose) need a second, regex look. An alias (`from transformers import pipeline as p`) of a
# name never written as a call is missed by this filter.
TRIGGERS = (
    b"from_pretrained", b"pipeline(", b"_download(", b"load_dataset", b"SentenceTransformer", b"CrossEncoder",
    b"SparseEncoder",
    b"vllm", b"from_model_id(", b"load_adapter(", b"load_lora_weights(", b"load_textual_inversion(", b"load_ip_adapter(",
    b"InferenceClient(", b"hub:", b"push_to_hub(", b"create_repo(", b"upload_folder(", b"upload_file(",
    b"upload_large_folder(",
)
SECOND_LOOK = {b"HuggingFace": re.compile(rb"HuggingFace\w*\(")}


def lookup(name: str, *, attribute: bool) -> Api | None:
    """The API called by this name (`attribute`: the callee was `x.name`)."""
    if attribute:
        api = METHODS.get(name)
        if api is not None:
            return api
    api = FUNCTIONS.get(name)
    if api is None and WRAPPER.match(name):
        return WRAPPER_API
    return api
