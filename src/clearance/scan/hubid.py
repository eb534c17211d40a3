"""Is this text a Hugging Face Hub id, and which one?

Pure functions, no file system: the caller decides whether a bare name is allowed (only where
the API makes it unambiguous, like `from_pretrained("gpt2")`) and whether a relative path
exists on disk.

The character rules are huggingface_hub's `validate_repo_id` (letters, digits, `-`, `_`, `.`;
no `--` or `..`; neither part starts or ends with `-` or `.`; at most 96 characters a part),
written out here because that function raises on failure and accepts a few things a scan must
not (`\\w` matches any Unicode letter). Hub URLs (`https://huggingface.co/org/name`,
`/datasets/org/name`, `hf.co/...`, `hf://datasets/...`) give their id and kind.
"""

from __future__ import annotations

import re

from clearance.artifacts import ids as graph_ids

_PART = r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]{0,94}[A-Za-z0-9_])?"
_ID = re.compile(rf"(?:{_PART}/)?{_PART}")
_HAS_LETTER = re.compile(r"[A-Za-z]")
_URL = re.compile(r"(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)/(?P<rest>[^?#\s]*)", re.IGNORECASE)
_HF_FS = re.compile(r"hf://(?P<rest>[^?#\s]*)", re.IGNORECASE)
MAX_VALUE_CHARS = 300
# Substrings of every Hub URL: a value without any of them is no URL worth parsing.
URL_MARKS = ("huggingface.co", "hf.co/", "hf://")

# First path segments of huggingface.co that are pages, not namespaces: no user or
# organisation can carry these names, so `huggingface.co/docs/transformers` is no model.
RESERVED = frozenset(
    """api billing blog buckets catalog changelog chat collections contact datasets docs enterprise
    front hardware inference inference-api inference-endpoints jobs join languages learn licenses
    login logout mcp models new new-dataset new-model new-space notifications oauth organizations
    papers posts pricing privacy search settings spaces storage support tasks terms-of-service
    uploads welcome""".split()
)
# Path segments after org/name that address something inside a repository.
_REPO_PAGES = frozenset({"resolve", "blob", "tree", "raw", "commit", "commits", "discussions", "edit", "settings"})
# Names people write in docs and examples for "put your own id here".
_PLACEHOLDER_ORGS = frozenset(
    """your-org your_org yourorg your-username your_username yourusername your-user your-name your_name
    your-hf-username your-hf-org your-organization your-namespace username user-name user_name user
    test test-org test_org testorg dummy dummy-org fake fake-org
    org my-org my_org myorg organization namespace xxx xxxx foo example""".split()
)
_PLACEHOLDER_NAMES = frozenset(
    """your-model your_model yourmodel model-name model_name your-dataset your_dataset dataset-name
    dataset_name repo-name repo_name your-repo your_repo xxx xxxx""".split()
)
# datasets' packaged builders: `load_dataset("json", data_files=...)` reads local files, never the Hub.
BUILDERS = frozenset(
    "json csv parquet text arrow pandas imagefolder audiofolder videofolder webdataset sql generator xml spark "
    "cache folder_based_builder".split()
)
# LiteLLM-style prefixes of servers that take the Hub id itself (`huggingface/org/name`,
# `openai/org/name` against the Hub router or a vLLM server, `hosted_vllm/org/name`): the id is
# what follows. Other providers name models their own way (`together_ai/...-Turbo`).
_PROVIDERS = frozenset({"huggingface", "hosted_vllm", "vllm", "openai"})
# Bare names tests and templates use for a repository that does not exist (`hf_repo="test_repo"`).
_DUMMY_PREFIXES = ("test_", "test-", "dummy", "fake_", "fake-", "mock_", "mock-", "my_", "my-", "example_", "example-")
# First folders of relative paths that a run writes (`MODEL_PATH=checkpoints/run-1`): under a key
# that holds paths as often as ids, a value starting with one of them is a path.
_LOCAL_FOLDERS = frozenset(
    """checkpoints checkpoint ckpt ckpts output outputs out results runs run saved save saves weights logs log tmp
    temp cache data local exp exps experiments artifacts trained finetuned models model build dist""".split()
)
# A last part ending like this is a file, not a repository.
_FILE_SUFFIXES = tuple(
    "." + s
    for s in """json jsonl bin safetensors pt pth ckpt gguf ggml onnx h5 msgpack txt yaml yml py ipynb csv
    tsv parquet arrow zip tar gz tgz bz2 xz md npz npy pkl pickle tflite mlmodel wav mp3 flac png jpg
    jpeg gif html xml toml cfg ini sh log lock""".split()
)


def mentions_url(text: str) -> bool:
    return any(mark in text for mark in URL_MARKS)


def is_hub_id(text: str, *, bare: bool = False) -> bool:
    """`text` (already stripped of URL parts) passes the Hub's rules for a repository id."""
    if len(text) > 193 or not _ID.fullmatch(text) or "--" in text or ".." in text:
        return False
    if not _HAS_LETTER.search(text):
        return False  # 2023/01, 1.0: dates and versions
    org, _, name = text.rpartition("/")
    if not org and not bare:
        return False
    if not org and (not any(c.islower() for c in name) or name.lower().startswith(_DUMMY_PREFIXES)):
        return False  # HF_DATASET_NAME, test_repo: a placeholder, a variable's name or a test's dummy
    if org.lower() in RESERVED or org.lower() in _PLACEHOLDER_ORGS or name.lower() in _PLACEHOLDER_NAMES:
        return False
    return not name.lower().endswith(_FILE_SUFFIXES)


def parse_url(text: str) -> tuple[str, str] | None | bool:
    """(id, kind) for a Hub URL; None for a Hub URL that names no model or dataset (a Space,
    the docs); False when `text` is no Hub URL at all."""
    match = _URL.fullmatch(text) or _HF_FS.fullmatch(text)
    if not match:
        return False
    parts = [p for p in match.group("rest").split("/") if p]
    kind = "model"
    if parts and parts[0] == "api":
        if len(parts) < 2 or parts[1] not in ("datasets", "models", "spaces"):
            return None  # an API endpoint (/api/whoami-v2), not a repository
        parts = parts[1:]
    if parts and parts[0] in ("datasets", "models", "spaces"):
        if parts[0] == "spaces":
            return None
        kind = "dataset" if parts[0] == "datasets" else "model"
        parts = parts[1:]
    if not parts or parts[0].lower() in RESERVED:
        return None
    if len(parts) >= 2 and parts[1] not in _REPO_PAGES:
        repo = f"{parts[0]}/{parts[1]}"
    else:
        repo = parts[0]  # a legacy id: huggingface.co/gpt2, huggingface.co/gpt2/resolve/main/...
    repo = repo.split("@", 1)[0]  # hf://datasets/org/name@rev/file
    if repo.endswith(".git"):
        repo = repo[:-4]
    return (repo, kind) if is_hub_id(repo, bare=True) else None


def looks_like_path(text: str) -> bool:
    """A local path as the graph reads one, or a file: URL."""
    return text.startswith("file:") or graph_ids.looks_like_path(text)


def plausible_remote(value: str) -> bool:
    """Not obviously a relative path a run writes (`checkpoints/run-1`, `outputs/x`)."""
    return value.strip().split("/", 1)[0].lower() not in _LOCAL_FOLDERS


def to_hub_id(value: str, kind: str, *, bare: bool = False) -> tuple[str, str] | None:
    """(id, kind) when `value` names a Hub repository, else None.

    `kind` is the kind the context implies; a URL or a `datasets/` prefix overrides it. Bare
    (org-less) ids are accepted only when `bare` is true or a Hub URL names them."""
    text = value.strip()
    if not text or len(text) > MAX_VALUE_CHARS or looks_like_path(text):
        return None
    if "huggingface.co" in text or "hf.co/" in text or text[:5].lower() == "hf://":
        url = parse_url(text)
        if url is not False:
            return url
    if "://" in text or "@" in text:
        return None  # another site, an ssh address, an id@revision we do not guess at
    lower = text.lower()
    if lower.startswith("datasets/"):
        kind, text = "dataset", text[9:]
    elif lower.startswith("models/") and text.count("/") == 2:
        text = text[7:]
    elif text.count("/") == 2 and lower.split("/", 1)[0].replace("-", "_") in _PROVIDERS:
        text = text.split("/", 1)[1]
    if "/" not in text and kind == "dataset" and text.lower() in BUILDERS:
        return None
    return (text, kind) if is_hub_id(text, bare=bare) else None
