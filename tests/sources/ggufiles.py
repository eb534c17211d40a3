"""Small real GGUF and safetensors files for the tests, written with gguf.GGUFWriter and by the
safetensors layout (8-byte little-endian header length, JSON header, tensor bytes)."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import gguf
import numpy as np


def write_gguf(path: Path, **general: object) -> Path:
    """`general` keys without the `general.` prefix: license, name, source_repo_url,
    base_models=[repo_url, ...], datasets=[repo_url, ...]."""
    w = gguf.GGUFWriter(str(path), "llama")
    if "name" in general:
        w.add_name(str(general["name"]))
    if "license" in general:
        w.add_license(str(general["license"]))
    if "source_repo_url" in general:
        w.add_source_repo_url(str(general["source_repo_url"]))
    bases = list(general.get("base_models", []))  # type: ignore[call-overload]
    if bases:
        w.add_base_model_count(len(bases))
        for i, url in enumerate(bases):
            w.add_base_model_name(i, f"base {i}")
            if url:
                w.add_base_model_repo_url(i, url)
    datasets = list(general.get("datasets", []))  # type: ignore[call-overload]
    if datasets:
        w.add_dataset_count(len(datasets))
        for i, url in enumerate(datasets):
            w.add_dataset_repo_url(i, url)
    w.add_tensor("token_embd.weight", np.ones((4, 4), dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def write_safetensors(path: Path, metadata: dict[str, str]) -> Path:
    header = {"__metadata__": metadata, "w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + b"\x00" * 8)
    return path
