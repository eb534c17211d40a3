"""A model on disk: a folder (or one model file) and what its files say.

Read: README.md front matter, LICENSE*/LICENCE*/COPYING*/USE_POLICY* files (as `license_file`
signals whose value is the path), adapter_config.json (`base_model_name_or_path`, an adapter),
config.json (`_name_or_path`, used only when nothing else names a base; `quantization_config`),
`*.gguf` headers (`general.license*`, `general.name`, `general.source.*`, `general.base_model.*`,
`general.dataset.*`) and `*.safetensors` header metadata. A file that cannot be read leaves a
warning on a partial artifact.
"""

from __future__ import annotations

import os
from pathlib import Path

from clearance.artifacts.ids import Ref, looks_like_path
from clearance.artifacts.relations import Strength, quant_markers
from clearance.sources.frontmatter import read_card_file
from clearance.sources.interface import Record, Source, SourceError
from clearance.sources.metadata import Collected, read_card
from clearance.util import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any


LICENSE_PREFIXES = ("license", "licence", "copying", "use_policy", "use-policy")
MAX_JSON_BYTES = 16 * 1024 * 1024
MAX_MODEL_FILES = 64  # gguf / safetensors files whose headers are read in one folder


class LocalSource(Source):
    """Answers references that are paths on this machine."""

    name = "local"
    answers_ids = False
    answers_paths = True

    def lookup(self, ref: Ref) -> Record | None:
        if not ref.is_path:
            return None
        return read_local(Path(ref.id))


def read_local(path: Path, *, artifact_id: str | None = None, source: str = "local",
               revision: str | None = None, kind: str = "model") -> Record:
    if not path.exists():
        raise SourceError(f"{path}: no such file or folder")
    out = Collected(artifact_id or os.path.abspath(path), kind, allow_paths=True)  # type: ignore[arg-type]
    out.evidence.append(("id", str(path)))
    folder = path if path.is_dir() else path.parent
    if path.is_dir():
        try:
            files = sorted(p for p in path.iterdir() if p.is_file())
        except OSError as exc:
            raise SourceError(f"{path}: cannot list the folder ({exc.strerror or exc})") from None
    else:
        files = [path]
    by_name = {p.name.lower(): p for p in files}
    if "readme.md" in by_name:
        _card(out, by_name["readme.md"], kind)
    elif path.is_file() and path.suffix.lower() == ".md":
        _card(out, path, kind)
    for p in files:
        if p.name.lower().startswith(LICENSE_PREFIXES):
            out.signal("license_file", str(p), str(p))
    if "adapter_config.json" in by_name:
        _adapter(out, by_name["adapter_config.json"], folder)
    if "config.json" in by_name:
        _config(out, by_name["config.json"], folder)
    ggufs = [p for p in files if p.suffix.lower() == ".gguf"][:MAX_MODEL_FILES]
    for p in ggufs:
        _gguf(out, p)
    for p in [p for p in files if p.suffix.lower() == ".safetensors"][:MAX_MODEL_FILES]:
        _safetensors(out, p)
    out.markers.extend(quant_markers("", (), [p.name for p in files]))
    if path.is_file() and path.suffix.lower() not in (".gguf", ".safetensors", ".md", ".json"):
        out.warnings.append(f"{path}: not a model file Clearance reads (README.md, *.gguf, *.safetensors)")
    return out.record(source, revision)


def _card(out: Collected, path: Path, kind: str) -> None:
    card = read_card_file(path, kind)
    out.warnings.extend(card.warnings)
    if card.has_front_matter and card.ok:
        read_card(out, card.data, f"{path} front matter")


def _json(out: Collected, path: Path) -> dict[str, Any] | None:
    import json

    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            out.warnings.append(f"{path}: larger than {MAX_JSON_BYTES} bytes: not read")
            return None
        data = json.loads(path.read_bytes().decode("utf-8", errors="replace"))
    except (OSError, json.JSONDecodeError, RecursionError) as exc:
        out.warnings.append(f"{path}: not readable JSON ({str(exc)[:120]})")
        return None
    if not isinstance(data, dict):
        out.warnings.append(f"{path}: a JSON {type(data).__name__}, not an object")
        return None
    return data


def _local_or_hub(out: Collected, value: object, folder: Path, where: str) -> object:
    """A path named by a local file is followed only if it exists here (relative to the folder)."""
    if isinstance(value, str) and looks_like_path(value.strip()):
        p = Path(value.strip()).expanduser()
        p = p if p.is_absolute() else (folder / p)
        if not p.exists():
            out.warnings.append(f"{where}: names {value!r}, a path that does not exist here: not followed")
            return None
        return str(p.resolve())
    return value


def _adapter(out: Collected, path: Path, folder: Path) -> None:
    data = _json(out, path)
    if data is None:
        return
    where = f"{path} base_model_name_or_path"
    value = _local_or_hub(out, data.get("base_model_name_or_path"), folder, where)
    if value:
        peft = data.get("peft_type")
        said = where + (f" (peft_type {peft})" if isinstance(peft, str) else "")
        out.base(value, "adapter", said, Strength.STATED)


def _config(out: Collected, path: Path, folder: Path) -> None:
    data = _json(out, path)
    if data is None:
        return
    where = f"{path} _name_or_path"
    name = data.get("_name_or_path")
    if (isinstance(name, str) and name.strip() and not looks_like_path(name.strip())
            and name.strip().lower() != out.id.lower()):  # a model's config naming itself is no base
        out.base(name, None, where, fallback=True)
    q = data.get("quantization_config")
    if isinstance(q, dict):
        method = q.get("quant_method")
        out.markers.append(f"{path} quantization_config" + (f" ({method})" if isinstance(method, str) else ""))


def _gguf(out: Collected, path: Path) -> None:
    from clearance.sources.ggufmeta import GGUFError, read_gguf_general  # only for a folder with one

    try:
        fields = read_gguf_general(path)
    except GGUFError as exc:
        out.warnings.append(str(exc))
        return
    where = f"{path} GGUF"
    for key, kind in (("general.license", "gguf"), ("general.license.name", "license_name"),
                      ("general.license.link", "license_link")):
        if key in fields:
            out.signal(kind, fields[key], f"{where} {key}")  # type: ignore[arg-type]
    if isinstance(fields.get("general.name"), str):
        out.evidence.append(("name", f"{where} general.name = {fields['general.name'][:120]}"))
    for key in ("general.source.repo_url", "general.source.url", "general.source.huggingface.repository"):
        value = fields.get(key)
        if isinstance(value, str) and _is_hub(value, key):
            out.base(value, "quantized", f"{where} {key}", Strength.STATED)
            break
    count = fields.get("general.base_model.count")
    for i in range(min(int(count) if isinstance(count, int) else 0, 64)):
        url = fields.get(f"general.base_model.{i}.repo_url")
        if isinstance(url, str) and _is_hub(url, "repo_url"):
            out.base(url, None, f"{where} general.base_model.{i}.repo_url", fallback=True)
        elif f"general.base_model.{i}.name" in fields:
            out.warnings.append(f"{where} general.base_model.{i} names {str(fields[f'general.base_model.{i}.name'])[:80]!r} without a Hub URL: not followed")
    count = fields.get("general.dataset.count")
    for i in range(min(int(count) if isinstance(count, int) else 0, 256)):
        url = fields.get(f"general.dataset.{i}.repo_url")
        if isinstance(url, str) and _is_hub(url, "repo_url"):
            out.dataset(url, f"{where} general.dataset.{i}.repo_url")


def _is_hub(value: str, key: str) -> bool:
    v = value.strip().lower()
    if key.endswith("repository"):  # an older convention: a bare org/name
        return "/" in v and not v.startswith("http")
    return v.startswith(("https://huggingface.co/", "http://huggingface.co/", "https://hf.co/"))


def _safetensors(out: Collected, path: Path) -> None:
    from clearance.sources.safetensors_meta import SafetensorsError, read_safetensors_metadata

    try:
        meta = read_safetensors_metadata(path)
    except SafetensorsError as exc:
        out.warnings.append(str(exc))
        return
    for key, value in sorted(meta.items()):
        if "license" in key.lower() or "licence" in key.lower():
            out.signal("other", value, f"{path} __metadata__.{key}")
