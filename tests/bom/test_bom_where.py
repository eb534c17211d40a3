"""BOMs say where: each component carries the project's references that name it (file, line,
what matched), what the project only publishes is no dependency, the revision comes from the
lock when no source gave one, and each finding is said once with the uses it applies to.

On the real bundled data: examples/support-bot scanned as `clearance bom` scans it, checked
against data/hub-2025-sample.jsonl. Every BOM passes the strict CycloneDX 1.6 validator or the
SPDX 3.0.1 checks."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from bomcheck import (
    COMMIT,
    assert_valid_cyclonedx,
    check_spdx_document,
    components,
    load_spdx_with_bindings,
    props,
)

from clearance.bom import to_cyclonedx, to_spdx3
from clearance.bom.inventory import build, stable_key
from clearance.kb.normalizer import default_normalizer
from clearance.lock.fileformat import write as write_lock
from clearance.usecases.lock import build_lock


def occurrences(component) -> list[tuple[str, int, str]]:
    return [(o["location"], o["line"], o.get("additionalContext", ""))
            for o in component.get("evidence", {}).get("occurrences", [])]


def spdx_checked(text: str) -> dict:
    load_spdx_with_bindings(json.loads(text))
    return check_spdx_document(text)


def by_name(doc, name):
    return next(el for el in doc["by_id"].values() if el.get("name") == name)


def named_by(doc, pkg, kind) -> list[tuple[str, int, str]]:
    """(file, line, what matched) of every snippet related to the package by `kind`."""
    out = []
    for rel in doc["relationships"]:
        if rel["relationshipType"] == kind and pkg["spdxId"] in rel["to"]:
            snippet = doc["by_id"][rel["from"]]
            assert snippet["type"] == "software_Snippet"
            lines = snippet["software_lineRange"]
            assert lines["beginIntegerRange"] == lines["endIntegerRange"]
            out.append((doc["by_id"][snippet["software_snippetFromFile"]]["name"], lines["beginIntegerRange"],
                        rel.get("comment", "")))
    return sorted(out)


@pytest.fixture(scope="module")
def bot_bom(support_bot):
    found, run = support_bot
    return assert_valid_cyclonedx(to_cyclonedx(run, name="support-bot", references=found.scan.references))


@pytest.fixture(scope="module")
def bot_spdx(support_bot):
    found, run = support_bot
    return spdx_checked(to_spdx3(run, name="support-bot", references=found.scan.references))


# -- where: CycloneDX evidence.occurrences --------------------------------------------------------

def test_every_reference_of_the_example_is_an_occurrence_of_its_component(support_bot, bot_bom):
    found, _ = support_bot
    refs = found.scan.references
    assert len(refs) == 9 and all(r.role == "used" for r in refs)
    comps = components(bot_bom)
    for ref in refs:
        comp = comps[stable_key(ref.kind, ref.id)]
        assert (ref.file, ref.line, ref.via) in occurrences(comp)
        assert props(comp)["clearance:role"] == ["used"]
    assert sum(len(occurrences(c)) for c in bot_bom["components"]) == len(refs)  # each reference once
    dare = comps["model:mlabonne/gemma-7b-dare"]
    assert dare["evidence"]["occurrences"] == [
        {"location": "app.py", "line": 13, "additionalContext": "transformers AutoModelForCausalLM.from_pretrained"}]
    assert occurrences(comps["dataset:open-orca/openorca"]) == [("train.py", 3, "datasets.load_dataset")]
    assert occurrences(comps["model:google/gemma-7b"]) == [("Dockerfile", 3, "huggingface-cli download")]
    # an ancestor no line of the project names carries no evidence, no role
    llama = comps["model:meta-llama/llama-2-7b-chat-hf"]
    assert "evidence" not in llama and "clearance:role" not in props(llama)


def test_without_references_a_bom_says_no_where(support_bot):
    _, run = support_bot
    bom = assert_valid_cyclonedx(to_cyclonedx(run))
    assert not any("evidence" in c for c in bom["components"])
    assert "components" not in bom["metadata"]["component"]


# -- where: SPDX software_Snippet with a lineRange --------------------------------------------------

def test_every_reference_of_the_example_is_a_snippet_that_depends_on_its_package(support_bot, bot_spdx):
    found, _ = support_bot
    for ref in found.scan.references:
        pkg = next(p for p in bot_spdx["packages"] if p["spdxId"].endswith("#" + stable_key(ref.kind, ref.id)))
        assert (ref.file, ref.line, ref.via) in named_by(bot_spdx, pkg, "dependsOn")
    dare = by_name(bot_spdx, "mlabonne/gemma-7b-dare")
    assert named_by(bot_spdx, dare, "dependsOn") == [("app.py", 13, "transformers AutoModelForCausalLM.from_pretrained")]
    files = sorted(el["name"] for el in bot_spdx["by_id"].values() if el["type"] == "software_File")
    assert files == sorted({r.file for r in found.scan.references})  # one File per file
    snippets = [el for el in bot_spdx["by_id"].values() if el["type"] == "software_Snippet"]
    assert len(snippets) == len({(r.file, r.line) for r in found.scan.references})  # one Snippet per line
    assert not named_by(bot_spdx, by_name(bot_spdx, "meta-llama/Llama-2-7b-chat-hf"), "dependsOn")
    assert not any(r["relationshipType"] == "generates" for r in bot_spdx["relationships"])


# -- what the project publishes --------------------------------------------------------------------

def test_what_the_project_publishes_is_no_dependency_component(publisher):
    found, run = publisher
    roles = {(r.id, r.role) for r in found.scan.references}
    assert ("acme/support-bot-7b", "produced") in roles and {("acme/bot", "used"), ("acme/bot", "produced")} <= roles
    bom = assert_valid_cyclonedx(to_cyclonedx(run, references=found.scan.references))
    comps = components(bom)
    assert "model:acme/support-bot-7b" not in comps
    assert not any("model:acme/support-bot-7b" in d.get("dependsOn", []) or d["ref"] == "model:acme/support-bot-7b"
                   for d in bom["dependencies"])
    (published,) = bom["metadata"]["component"]["components"]
    assert published["bom-ref"] == "model:acme/support-bot-7b" and published["purl"] == "pkg:huggingface/acme/support-bot-7b"
    assert props(published)["clearance:role"] == ["produced"]
    assert occurrences(published) == [("train.py", 4, "produced: model.push_to_hub")]
    assert "licenses" not in published and not any(k.startswith("clearance:verdict") for k in props(published))
    # a model the project both publishes and loads again is a dependency, with both lines
    bot = comps["model:acme/bot"]
    assert sorted(props(bot)["clearance:role"]) == ["produced", "used"]
    assert occurrences(bot) == [("evaluate.py", 3, "transformers AutoModelForCausalLM.from_pretrained"),
                                ("train.py", 5, "produced: model.push_to_hub")]
    assert props(bot)["clearance:verdict:commercial"]


def test_what_the_project_publishes_is_generated_by_its_line_in_spdx(publisher):
    found, run = publisher
    doc = spdx_checked(to_spdx3(run, references=found.scan.references))
    published = by_name(doc, "acme/support-bot-7b")
    assert published["spdxId"] not in doc["doc"]["rootElement"]
    assert "Published by the project" in published["comment"] and "Not resolved" not in published["comment"]
    assert named_by(doc, published, "generates") == [("train.py", 4, "model.push_to_hub")]
    assert not named_by(doc, published, "dependsOn")
    assert not any(r["relationshipType"] in ("descendantOf", "trainedOn") and published["spdxId"] in r["to"]
                   for r in doc["relationships"])
    bot = by_name(doc, "acme/bot")
    assert bot["spdxId"] in doc["doc"]["rootElement"]
    assert named_by(doc, bot, "dependsOn") == [("evaluate.py", 3, "transformers AutoModelForCausalLM.from_pretrained")]
    assert named_by(doc, bot, "generates") == [("train.py", 5, "model.push_to_hub")]


# -- revisions from the lock -----------------------------------------------------------------------

def test_a_revision_no_source_gave_comes_from_the_lock(support_bot, tmp_path):
    found, run = support_bot
    lock = build_lock(run, ("commercial", "research"), default_normalizer())
    gemma = lock.get("model:google/gemma-7b")
    assert gemma.revision == "2024-06-27T14:09:40.000Z @ hub-2025-sample.jsonl"  # the snapshot's lastModified
    pinned = "ABCDEF0123456789ABCDEF0123456789ABCDEF01"  # as a lock written online records it: the Hub's commit
    entries = dict(lock.entries, **{"model:microsoft/phi-2": replace(lock.get("model:microsoft/phi-2"), revision=pinned)})
    path = tmp_path / "clearance.lock"
    write_lock(replace(lock, entries=entries), path)

    bom = assert_valid_cyclonedx(to_cyclonedx(run, references=found.scan.references, lock=path))
    comps = components(bom)
    assert comps["model:google/gemma-7b"]["version"] == gemma.revision
    assert comps["model:google/gemma-7b"]["purl"] == "pkg:huggingface/google/gemma-7b"  # no commit: no purl version
    assert props(comps["model:google/gemma-7b"])["clearance:revision-from"] == ["lock"]
    phi = comps["model:microsoft/phi-2"]
    assert phi["version"] == pinned and phi["purl"] == f"pkg:huggingface/microsoft/phi-2@{pinned.lower()}"
    assert "version" not in comps["dataset:open-orca/openorca"]  # no source knew it: nothing locked
    assert "clearance:revision-from" not in props(comps["dataset:open-orca/openorca"])

    doc = spdx_checked(to_spdx3(run, references=found.scan.references, lock=lock))  # a Lock or its path
    spdx_gemma = by_name(doc, "google/gemma-7b")
    assert spdx_gemma["software_packageVersion"] == gemma.revision and "Revision from clearance.lock." in spdx_gemma["comment"]
    assert by_name(doc, "Open-Orca/OpenOrca")["software_packageVersion"] == "NOASSERTION"


def test_the_artifact_revision_wins_over_the_lock(crafted_run):
    from clearance.lock.model import Lock, LockEntry

    lock = Lock(("commercial",), {
        "model:acme/base-7b": LockEntry("model:acme/base-7b", "acme/base-7b", "model", revision="f" * 40),
        "model:acme/chat-7b": LockEntry("model:acme/chat-7b", "acme/chat-7b", "model", revision="e" * 40),
    })
    inv = build(crafted_run, lock=lock)
    base, chat = inv.items["model:acme/base-7b"], inv.items["model:acme/chat-7b"]
    assert (base.revision, base.revision_from) == (COMMIT, "artifact")
    assert (chat.revision, chat.revision_from) == ("e" * 40, "lock")
    comps = components(assert_valid_cyclonedx(to_cyclonedx(crafted_run, lock=lock)))
    assert comps["model:acme/base-7b"]["version"] == COMMIT
    assert props(comps["model:acme/base-7b"])["clearance:revision-from"] == ["artifact"]


# -- findings once, with their uses ----------------------------------------------------------------

def test_each_finding_is_one_property_with_its_uses(support_bot, bot_bom):
    _, run = support_bot
    for comp in bot_bom["components"]:
        p = props(comp)
        findings = [json.loads(v) for v in p.get("clearance:finding", [])]
        keys = [(f["code"], f["artifact"], f["message"], tuple(f["path"])) for f in findings]
        assert len(keys) == len(set(keys)), comp["bom-ref"]  # no finding repeated, whatever the uses
        said = {f"{f['code']} {f['name']}: {f['message']}" for f in findings}
        failures = [v for k, vs in p.items() if k.startswith("clearance:failure:") for v in vs]
        assert not any(text in said or text.startswith("verdict for") for text in failures)
        for f in findings:
            assert f["uses"] and set(f["uses"]) <= {"commercial", "research"}
    jais = props(components(bot_bom)["model:inceptionai/jais-adapted-7b"])
    conflict = next(json.loads(v) for v in jais["clearance:finding"] if json.loads(v)["code"] == "CLR103")
    assert conflict["uses"] == ["commercial", "research"] and conflict["severity"] == "error"
    assert jais["clearance:policy:commercial"] == ["fail"] and jais["clearance:policy:research"] == ["fail"]
    # the run's outcomes did fail on it for both uses: the BOM says it once
    outcomes = [o for o in run.outcomes if o.result.subject == "inceptionai/jais-adapted-7b"]
    assert all(any(t.startswith("CLR103 ") for t in o.failures) for o in outcomes) and len(outcomes) == 2
