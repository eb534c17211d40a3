"""What a `PATH|TARGET` argument names: one model (a Hub id, a URL, a model folder or file)
or a project whose code uses models (then scanned for references).

`bom`, `notice` and `init` accept either; `check` only takes targets and `scan` only projects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from clearance.scan import Reference, ScanReport, scan_path

# Files that make a folder a model rather than a project that uses models.
_MODEL_FILES = ("config.json", "adapter_config.json", "model_index.json", "params.json")
_MODEL_SUFFIXES = (".safetensors", ".gguf", ".bin", ".pt", ".onnx")


def is_model_folder(path: Path) -> bool:
    if path.is_file():
        return path.suffix.lower() in _MODEL_SUFFIXES
    if not path.is_dir():
        return False
    if any((path / name).is_file() for name in _MODEL_FILES):
        return True
    try:
        return any(p.suffix.lower() in _MODEL_SUFFIXES for p in path.iterdir() if p.is_file())
    except OSError:
        return False


def target_of(ref: Reference) -> str:
    return f"datasets/{ref.id}" if ref.kind == "dataset" else ref.id


@dataclass
class Targets:
    targets: list[str]
    scan: ScanReport | None = None  # set when the argument was a project
    locations: dict[str, tuple[str, int]] = field(default_factory=dict)  # target -> first file:line


def resolve(argument: str, *, only_lines: dict[str, set[int]] | None = None) -> Targets:
    """A model argument stays one target; a project folder becomes the targets it references."""
    path = Path(argument)
    if not path.exists() or is_model_folder(path):
        return Targets([argument])
    return from_scan(scan_path(path, only_lines=only_lines))


def from_scan(report: ScanReport) -> Targets:
    """The targets a scan found, each with the first file:line that references it. What the
    project publishes (`role: produced`: push targets, uploads) is no dependency to check."""
    locations: dict[str, tuple[str, int]] = {}
    for ref in report.references:
        if getattr(ref, "role", "used") == "produced":
            continue
        locations.setdefault(target_of(ref), (ref.file, ref.line))
    return Targets(list(locations), report, locations)
