"""`scan_path` on a project with every kind of reference it must find and every kind it must not:
exact references (id, kind, file, line), recall 100% and no false positives."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import scanfixture as fx

from clearance.scan import Reference, ScanError, ScanReport, scan_path
from clearance.scan.hubid import is_hub_id


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> tuple[Path, list[fx.Expected]]:
    root = tmp_path_factory.mktemp("scan") / "project"
    root.mkdir()
    return root, fx.build(root)


@pytest.fixture(scope="module")
def report(project) -> ScanReport:
    return scan_path(project[0])


def expected_set(project) -> set[tuple[str, str, str, int]]:
    root, expected = project
    return {(e.id, e.kind, e.file, fx.line_of(root, e)) for e in expected}


def found_set(report: ScanReport) -> set[tuple[str, str, str, int]]:
    return {(r.id, r.kind, r.file, r.line) for r in report.references}


def test_finds_exactly_the_references_of_the_fixture(project, report):
    assert found_set(report) == expected_set(project)


def test_recall_is_complete_and_there_are_no_false_positives(project, report):
    expected, found = expected_set(project), found_set(report)
    recall = len(expected & found) / len(expected)
    false_positives = found - expected
    assert recall == 1.0
    assert not false_positives
    assert len(expected) >= 60  # every kind of reference of the brief is in the fixture


def test_no_decoy_ever_comes_out(report):
    for ref in report.references:
        assert not any(marker in ref.id for marker in fx.DECOY_MARKERS), ref


def test_every_kind_of_source_contributes(report):
    files = {r.file for r in report.references}
    assert {"app/models.py", "config/train.yaml", "config/settings.json", "config/app.toml", ".env", "Dockerfile",
            "scripts/download.sh", ".github/workflows/ci.yml", "notebooks/demo.ipynb"} <= files


def test_references_are_sorted_unique_and_valid(report):
    keys = [(r.file, r.line, r.id) for r in report.references]
    assert keys == sorted(keys)
    assert len({(r.id, r.kind, r.file, r.line) for r in report.references}) == len(report.references)
    for ref in report.references:
        assert isinstance(ref, Reference) and dataclasses.is_dataclass(ref)
        assert ref.kind in ("model", "dataset")
        assert is_hub_id(ref.id, bare=True) and not ref.id.startswith("datasets/")
        assert "\\" not in ref.file and not ref.file.startswith("/")
        assert ref.line >= 1 and ref.via


def test_via_says_what_matched(report):
    via = {(r.file, r.id): r.via for r in report.references}
    assert via[("app/models.py", "openai/clip-vit-base-patch32")] == "transformers AutoProcessor.from_pretrained"
    assert via[("app/models.py", "squad")] == "datasets.load_dataset"
    assert via[("app/models.py", "tloen/alpaca-lora-7b")] == "peft PeftModel.from_pretrained"
    assert via[("config/train.yaml", "meta-llama/Llama-2-7b-hf")] == "config key model_name_or_path"
    assert via[("Dockerfile", "HuggingFaceH4/no_robots")] == "hf download"
    assert via[("scripts/download.sh", "microsoft/Phi-3.5-mini-instruct")] == "git clone"


def test_skipped_folders_links_and_unreadable_files(project, report):
    files = {r.file for r in report.references}
    assert not any(f.startswith((".venv/", "venv/", "node_modules/", "__pycache__/", ".tox/", "lib/", ".git/",
                                 "big/", "bin/", "linked_dir/")) for f in files)
    assert "app/link_out.py" not in files
    warnings = "\n".join(report.warnings)
    assert "big/huge.py: " in warnings and "larger than 2 MB" in warnings
    assert "bin/blob.py: binary" in warnings
    for name, (_, line) in fx.INVALID.items():
        assert any(w.startswith(f"{name}:{line}: not valid") for w in report.warnings), (name, report.warnings)


def test_files_scanned_counts_files_read(report):
    # 9 project files, the 4 invalid ones; not the large, binary, skipped, linked or unscanned types
    assert report.files_scanned == 13


def test_only_lines_keeps_references_written_or_used_on_those_lines(project):
    root, _ = project
    text = (root / fx.PY).read_text()
    lines = text.splitlines()
    call = next(i for i, line in enumerate(lines, 1) if "AutoTokenizer.from_pretrained(TOKENIZER_ID)" in line)
    docker = next(i for i, line in enumerate((root / "Dockerfile").read_text().splitlines(), 1) if "vllm" in line)
    report = scan_path(root, only_lines={fx.PY: {call}, "Dockerfile": {docker}, "README.md": {1}})
    # the tokenizer id is written on an old line, but the call that reads it is new: it counts
    assert [(r.id, r.file) for r in report.references] == [
        ("Qwen/Qwen2.5-1.5B-Instruct", "Dockerfile"), ("mistralai/Mistral-7B-v0.1", fx.PY)]
    assert report.files_scanned == 2
    assert scan_path(root, only_lines={}).references == []


def test_a_single_file_can_be_the_root(project):
    root, _ = project
    report = scan_path(root / "config" / "train.yaml")
    assert {r.file for r in report.references} == {"train.yaml"}
    assert len(report.references) == 7


def test_a_missing_root_is_a_scan_error(tmp_path):
    with pytest.raises(ScanError, match="no such file"):
        scan_path(tmp_path / "nope")


def test_a_site_packages_root_is_scanned_itself(tmp_path):
    site = tmp_path / "site-packages"
    (site / "pkg").mkdir(parents=True)
    (site / "pkg" / "m.py").write_text('from transformers import AutoModel\nAutoModel.from_pretrained("acme/in-pkg")\n')
    (site / "pkg" / "node_modules").mkdir()
    (site / "pkg" / "node_modules" / "m.py").write_text('AutoModel.from_pretrained("acme/skipped")\n')
    report = scan_path(site)
    assert [(r.id, r.file, r.line) for r in report.references] == [("acme/in-pkg", "pkg/m.py", 2)]
