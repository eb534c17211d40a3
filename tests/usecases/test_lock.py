"""`clearance lock` and `--locked` as the library runs them, on real Hub records: a lock taken
from one snapshot, then the same models in a later snapshot where one license changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from clearance.kb.normalizer import default_normalizer
from clearance.lock.fileformat import dumps, loads
from clearance.usecases.check import check
from clearance.usecases.lock import build_lock

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "hub-2025-sample.jsonl"
LLAMA_FT = "Vivian12300/llama-2-7b-chat-hf-mathqa-rationale-2"
APACHE = "sentence-transformers/distiluse-base-multilingual-cased-v1"


@pytest.fixture(scope="module")
def snapshots(tmp_path_factory):
    d = tmp_path_factory.mktemp("drift")
    before, after = d / "before.jsonl", d / "after.jsonl"
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    before.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # the later snapshot: the Llama 2 fine-tune relabelled MIT (its card and its Hub tag)
    edited = [ln.replace('"license": "llama2"', '"license": "mit"').replace("license:llama2", "license:mit")
              if f'"id": "{LLAMA_FT}"' in ln else ln for ln in lines]
    assert edited != lines
    after.write_text("\n".join(edited) + "\n", encoding="utf-8")
    return before, after


@pytest.fixture(scope="module")
def lock(snapshots, monkeypatch_module):
    run = check([LLAMA_FT, APACHE], ["commercial"], snapshots=[snapshots[0]], offline=True)
    return loads(dumps(build_lock(run, ("commercial",), default_normalizer())))


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    mp.setenv("HF_HUB_OFFLINE", "1")
    yield mp
    mp.undo()


def test_the_lock_holds_every_reference_and_ancestor(lock):
    ft = lock.get(f"model:{LLAMA_FT.lower()}")
    assert ft.referenced and ft.declared == ("llama2",) and ft.licenses == ("llama2",)
    assert ft.verdicts == (("commercial", "conditional"),)
    assert ft.revision.endswith("@ before.jsonl")  # no commit in the snapshot: lastModified and the file
    (parent, relation), = ft.parents
    assert lock.get(parent) is not None and not lock.get(parent).referenced and relation == "finetune"
    assert lock.get(f"model:{APACHE.lower()}").licenses == ("apache-2.0",)


def test_nothing_moved_means_no_finding(snapshots, lock):
    run = check([LLAMA_FT, APACHE], ["commercial"], snapshots=[snapshots[0]], offline=True, lock=lock)
    assert not [f for o in run.outcomes for f in o.result.findings if f.name in ("license-changed", "unlocked-reference")]


def test_a_relabelled_model_is_caught_with_both_licenses_named(snapshots, lock):
    run = check([LLAMA_FT, APACHE], ["commercial"], snapshots=[snapshots[1]], offline=True, lock=lock)
    by_subject = {o.result.subject: o for o in run.outcomes}
    drifted = by_subject[LLAMA_FT]
    changed = [f for f in drifted.result.findings if f.name == "license-changed"]
    assert changed and all(f.severity == "error" for f in changed)
    declared = next(f for f in changed if "declared license" in f.message)
    assert "was llama2 at" in declared.message and "now mit at" in declared.message
    assert not drifted.passed  # drift from what was cleared fails the policy by default
    assert by_subject[APACHE].passed and not [f for f in by_subject[APACHE].result.findings if f.name == "license-changed"]


def test_a_reference_the_lock_does_not_know(snapshots, lock):
    run = check(["microsoft/phi-2"], ["commercial"], snapshots=[snapshots[0]], offline=True, lock=lock)
    (f,) = [f for f in run.outcomes[0].result.findings if f.name == "unlocked-reference"]
    assert f.severity == "warning" and "microsoft/phi-2" in f.message
