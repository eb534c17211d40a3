"""License files from the Hub (issue 13): LICENSE, USE_POLICY.md, NOTICE ... and the file
`license_link` names, read at the metadata's revision from the stand-in Hub on 127.0.0.1, cached
on disk, identified by ScanCode like a local folder's LICENSE.

License texts are not kept in the repository: the tests take them from ScanCode's installed
copies (front matter stripped), as a repository on the Hub would carry them."""

from __future__ import annotations

import functools
from pathlib import Path

import licensedcode
import pytest

from clearance.artifacts.ids import parse_ref
from clearance.sources.hub import HubSource
from clearance.sources.hubfiles import GATED, MAX_FILE_BYTES, link_target
from clearance.usecases.check import check

SHA = "0123456789abcdef0123456789abcdef01234567"
LICENSES = Path(licensedcode.__file__).parent / "data" / "licenses"


@functools.cache
def scancode_text(key: str) -> bytes:
    text = (LICENSES / f"{key}.LICENSE").read_text(encoding="utf-8")
    if text.startswith("---"):
        text = text.split("\n---", 1)[1].lstrip("-").lstrip("\n")
    return text.encode()


def model(hub, repo_id: str, files: dict[str, bytes | int], card: dict | None = None, *, sha: str | None = SHA,
          kind: str = "model", **extra) -> None:
    """A repository on the stand-in Hub with `files` (bytes, or the HTTP status they answer)."""
    rec = {"id": repo_id, "cardData": card if card is not None else {"license": "apache-2.0"},
           "tags": [], "createdAt": "2024-05-01T00:00:00.000Z",
           "siblings": [{"rfilename": n} for n in ("README.md", "model.safetensors", *files)], **extra}
    if sha:
        rec["sha"] = sha
    hub.extra[(kind + "s", repo_id.lower())] = rec
    for name, body in files.items():
        hub.files[(kind, repo_id.lower(), name)] = body


def file_paths(hub) -> list[str]:
    return [p for p, _ in hub.requests if not p.startswith("/api/")]


def source(tmp_path, **kw) -> HubSource:
    return HubSource(cache_dir=tmp_path / "c", **kw)


def run(src: HubSource, target: str, use: str = "commercial"):
    r = check([target], [use], sources=[src])
    return r, r.outcomes[0].result


def test_license_files_are_read_at_the_revision_with_their_hash(hub, tmp_path):
    model(hub, "acme/plain", {"LICENSE": scancode_text("apache-2.0"), "NOTICE": b"acme/plain\nCopyright 2024 Acme\n"})
    art = source(tmp_path).lookup(parse_ref("acme/plain")).artifact
    assert art.revision == SHA
    assert [(f.path, f.size, f.unread) for f in art.license_files] == [
        ("LICENSE", len(scancode_text("apache-2.0")), ""), ("NOTICE", 31, "")]
    import hashlib

    assert art.license_files[0].sha256 == hashlib.sha256(scancode_text("apache-2.0")).hexdigest()
    texts = [s for s in art.licenses if s.kind == "license_file"]
    assert [s.where for s in texts] == [f"hub model acme/plain LICENSE @ {SHA[:12]}", f"hub model acme/plain NOTICE @ {SHA[:12]}"]
    assert Path(texts[0].value).name == "LICENSE" and Path(texts[0].value).read_bytes() == scancode_text("apache-2.0")
    assert file_paths(hub) == [f"/acme/plain/resolve/{SHA}/LICENSE", f"/acme/plain/resolve/{SHA}/NOTICE"]
    # HF_TOKEN goes with the file requests too
    assert all(h.get("authorization") == "Bearer hf_test_token_not_a_secret" for _, h in hub.requests)


def test_a_text_that_agrees_with_the_card_gives_no_finding(hub, tmp_path):
    model(hub, "acme/plain", {"LICENSE": scancode_text("apache-2.0")})
    _, result = run(source(tmp_path), "acme/plain")
    assert result.verdict == "cleared" and result.declared_licenses == ("apache-2.0",)
    assert not {"license-changed", "modified-license-text", "license-text-unread"} & {f.name for f in result.findings}


def test_a_llama_text_under_an_apache_card_is_a_disagreement_naming_both(hub, tmp_path):
    model(hub, "acme/disguised", {"LICENSE": scancode_text("llama-2-license-2023")})
    _, result = run(source(tmp_path), "acme/disguised")
    (changed,) = [f for f in result.findings if f.name == "license-changed"]
    assert changed.code == "CLR105" and changed.artifact == "acme/disguised"
    assert "card: apache-2.0" in changed.message and "file: llama2" in changed.message
    # and the text's terms bind: the declared license does not hide Llama 2's
    assert "llama2" in result.declared_licenses
    assert {"mau-threshold", "use-restrictions-pass-through"} <= {f.name for f in result.findings}


def test_a_modified_text_is_modified_license_text(hub, tmp_path):
    added = (b"\n\nADDITIONAL CONDITION. If the Software or any derivative of it is used in a product or "
             b"service with more than one hundred million monthly active users or more than twenty million US "
             b"dollars of monthly revenue, you shall prominently display the words Acme Inside on the user "
             b"interface of that product or service, and you shall notify Acme in writing within thirty days "
             b"of reaching either threshold, stating the product name and the number of users.\n")
    model(hub, "acme/modified", {"LICENSE.md": b"MIT License\n\nCopyright (c) 2024 Acme\n\n" + scancode_text("mit") + added},
          {"license": "mit"})
    _, result = run(source(tmp_path), "acme/modified")
    (mod,) = [f for f in result.findings if f.name == "modified-license-text"]
    assert mod.message.startswith(f"hub model acme/modified LICENSE.md @ {SHA[:12]}: ScanCode matched mit")


def test_the_edition_a_text_states_binds_without_a_disagreement(hub, tmp_path):
    # The card says `gemma` and the repo was made on 2024-02-21: the date alone would pick the
    # February 2024 terms; the LICENSE text is the April 2024 edition, and that edition binds.
    model(hub, "acme/gemma-ft", {"LICENSE": scancode_text("gemma-tou-2024-04-01")}, {"license": "gemma"},
          createdAt="2024-02-22T00:00:00.000Z")
    _, result = run(source(tmp_path), "acme/gemma-ft")
    assert result.declared_licenses == ("gemma-tou-2024-04-01",)
    assert "license-changed" not in {f.name for f in result.findings}


def test_license_link_names_a_file_in_the_repo(hub, tmp_path):
    card = {"license": "other", "license_name": "acme-terms",
            "license_link": "https://huggingface.co/acme/linked/blob/main/LICENSES/MODEL_TERMS.txt"}
    model(hub, "acme/linked", {"LICENSES/MODEL_TERMS.txt": scancode_text("llama-2-license-2023")}, card)
    art = source(tmp_path).lookup(parse_ref("acme/linked")).artifact
    assert [f.path for f in art.license_files] == ["LICENSES/MODEL_TERMS.txt"]
    assert Path(next(s.value for s in art.licenses if s.kind == "license_file")).name == "MODEL_TERMS.txt"
    _, result = run(source(tmp_path), "acme/linked")
    assert "llama2" in result.declared_licenses


@pytest.mark.parametrize(("link", "path"), [
    ("LICENSE", "LICENSE"), ("./LICENSE.md", "LICENSE.md"), ("/LICENSE.txt", "LICENSE.txt"),
    ("https://huggingface.co/Acme/M/blob/main/LICENSE", "LICENSE"),
    ("https://hf.co/acme/m/resolve/v1.0/docs/USE%20POLICY.md", "docs/USE POLICY.md"),
    ("https://huggingface.co/other/m/blob/main/LICENSE", None),  # another repo
    ("https://ai.google.dev/gemma/terms", None), ("https://huggingface.co/acme/m", None),
    ("../LICENSE", None), ("mailto:legal@acme.example", None), ("", None),
])
def test_license_link_targets(link, path):
    assert link_target(link, "acme/m", "model", "https://huggingface.co") == path


def test_dataset_link_targets_are_under_datasets():
    assert link_target("https://huggingface.co/datasets/acme/d/blob/main/LICENSE", "acme/d", "dataset",
                       "https://huggingface.co") == "LICENSE"
    assert link_target("https://huggingface.co/acme/d/blob/main/LICENSE", "acme/d", "dataset", "https://huggingface.co") is None


def test_dataset_files_come_from_the_dataset_path(hub, tmp_path):
    model(hub, "acme/data", {"LICENSE": scancode_text("apache-2.0")}, kind="dataset")
    art = source(tmp_path).lookup(parse_ref("datasets/acme/data")).artifact
    assert art.license_files[0].sha256 and file_paths(hub) == [f"/datasets/acme/data/resolve/{SHA}/LICENSE"]


@pytest.mark.parametrize("status", [401, 403])
def test_a_gated_repo_resolves_from_its_metadata_and_says_the_text_was_not_read(hub, tmp_path, status):
    model(hub, "acme/gated", {"LICENSE.txt": status, "USE_POLICY.md": status}, {"license": "llama2"}, gated="manual")
    src = source(tmp_path)
    r, result = run(src, "acme/gated")
    art = r.graphs["acme/gated"].artifact("acme/gated")
    assert art.resolved and art.gated == "manual" and result.declared_licenses == ("llama2",)
    assert [(f.path, f.sha256) for f in art.license_files] == [("LICENSE.txt", None), ("USE_POLICY.md", None)]
    assert all(f.unread.startswith(GATED) for f in art.license_files)
    # one warning for the repository, one request: the second file is not asked for
    (warning,) = [w for w in r.warnings if "gated" in w]
    assert warning == f"acme/gated: hub model acme/gated: {GATED} (license files not read: LICENSE.txt, USE_POLICY.md)"
    assert file_paths(hub) == [f"/acme/gated/resolve/{SHA}/LICENSE.txt"]
    (unread,) = [f for f in result.findings if f.name == "license-text-unread"]
    assert unread.code == "CLR108" and unread.severity == "info" and "LICENSE.txt, USE_POLICY.md not read" in unread.message
    # gated answers are not cached: a token set later is tried
    again = source(tmp_path)
    again.lookup(parse_ref("acme/gated"))
    assert again.requests == 1


def test_a_listed_file_the_hub_does_not_have_is_a_warning_and_cached(hub, tmp_path):
    model(hub, "acme/gone", {"LICENSE": 404, "NOTICE": b"Acme model\n"})
    art = source(tmp_path).lookup(parse_ref("acme/gone")).artifact
    assert [(f.path, bool(f.sha256), f.unread) for f in art.license_files] == [
        ("LICENSE", False, "not found on the Hub (HTTP 404)"), ("NOTICE", True, "")]
    assert any("LICENSE" in w and "404" in w for w in art.warnings)
    again = source(tmp_path)
    assert again.lookup(parse_ref("acme/gone")).artifact.license_files == art.license_files
    assert again.requests == 0


def test_server_errors_leave_a_warning_and_are_not_cached(hub, tmp_path):
    model(hub, "acme/flaky", {"LICENSE": 500, "NOTICE": b"x\n"})
    art = source(tmp_path).lookup(parse_ref("acme/flaky")).artifact
    assert any("HTTP 500" in w for w in art.warnings) and not any(f.sha256 for f in art.license_files)
    hub.files[("model", "acme/flaky", "LICENSE")] = scancode_text("apache-2.0")
    again = source(tmp_path)
    assert again.lookup(parse_ref("acme/flaky")).artifact.license_files[0].sha256
    assert again.requests == 2  # both files now; the metadata came from the cache


def test_an_oversized_license_is_not_read(hub, tmp_path):
    big = b"Not a license, only a great deal of text. " * (MAX_FILE_BYTES // 40)
    model(hub, "acme/huge", {"LICENSE": big})
    src = source(tmp_path)
    r, result = run(src, "acme/huge")
    art = r.graphs["acme/huge"].artifact("acme/huge")
    (f,) = art.license_files
    assert f.sha256 is None and f.size == len(big) and f.unread.startswith("too large")
    assert not any(s.kind == "license_file" for s in art.licenses)
    assert any(f"{len(big):,} bytes, over the {MAX_FILE_BYTES:,}-byte cap" in w for w in r.warnings)
    assert "license-text-unread" in {x.name for x in result.findings}
    assert not list((tmp_path / "c" / "files").glob("*/LICENSE"))  # nothing of it on disk


def test_the_cap_holds_without_a_content_length(hub, tmp_path):
    hub.omit_length = True  # the body ends when the connection closes: the stream is cut at the cap
    model(hub, "acme/stream", {"LICENSE": b"y" * 5000, "NOTICE": b"short\n"})
    art = source(tmp_path, max_file_bytes=1000).lookup(parse_ref("acme/stream")).artifact
    big, small = art.license_files
    assert big.sha256 is None and "more than 1,000 bytes" in big.unread and small.size == 6


def test_files_are_cached_with_the_metadata_and_offline_reads_only_the_cache(hub, tmp_path, monkeypatch):
    model(hub, "acme/plain", {"LICENSE": scancode_text("apache-2.0")})
    first = source(tmp_path).lookup(parse_ref("acme/plain")).artifact
    n = len(hub.requests)
    again = source(tmp_path).lookup(parse_ref("acme/plain")).artifact
    assert again.license_files == first.license_files and len(hub.requests) == n
    offline = source(tmp_path, offline=True)
    art = offline.lookup(parse_ref("acme/plain")).artifact
    assert art.license_files == first.license_files and offline.requests == 0 and len(hub.requests) == n
    # metadata expired and fetched again: the files at the same commit still come from the cache
    expired = source(tmp_path, ttl=0)
    expired.lookup(parse_ref("acme/plain"))
    assert expired.requests == 1


def test_offline_a_file_not_in_the_cache_is_a_warning_not_a_request(hub, tmp_path, monkeypatch):
    model(hub, "acme/plain", {"LICENSE": scancode_text("apache-2.0")})
    source(tmp_path, files=False).lookup(parse_ref("acme/plain"))  # metadata only
    n = len(hub.requests)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    r, result = run(HubSource(cache_dir=tmp_path / "c"), "acme/plain")
    assert len(hub.requests) == n
    art = r.graphs["acme/plain"].artifact("acme/plain")
    assert art.license_files[0].unread.startswith("offline")
    assert any("offline" in w and "LICENSE" in w for w in r.warnings)
    assert "license-text-unread" in {f.name for f in result.findings}


def test_a_branch_revision_expires_with_the_metadata(hub, tmp_path):
    model(hub, "acme/nosha", {"LICENSE": scancode_text("apache-2.0")}, sha=None)
    art = source(tmp_path).lookup(parse_ref("acme/nosha")).artifact
    assert art.revision is None and file_paths(hub) == ["/acme/nosha/resolve/main/LICENSE"]
    assert art.license_files[0].sha256
    src = source(tmp_path, ttl=0)
    src.lookup(parse_ref("acme/nosha"))
    assert src.requests == 2  # metadata and file again


def test_repos_without_license_files_cost_no_file_request(hub, tmp_path):
    model(hub, "acme/bare", {})
    art = source(tmp_path).lookup(parse_ref("acme/bare")).artifact
    assert art.license_files == () and file_paths(hub) == []


def test_a_cached_copy_never_takes_a_name_that_leaves_or_hides_in_its_folder(hub, tmp_path):
    card = {"license": "mit", "license_link": "legal/.terms"}
    model(hub, "acme/dots", {"legal/.terms": scancode_text("mit")}, card)
    art = source(tmp_path).lookup(parse_ref("acme/dots")).artifact
    (text,) = [s for s in art.licenses if s.kind == "license_file"]
    assert Path(text.value).name == "LICENSE" and Path(text.value).parent.parent == tmp_path / "c" / "files"
    assert art.license_files[0].path == "legal/.terms"


def test_a_lock_pins_the_hub_license_files_and_catches_a_changed_text(hub, tmp_path):
    # issue 13 end to end on the stand-in Hub: the lock records the LICENSE's hash at the commit;
    # a new commit whose LICENSE changed (MIT -> the Llama 2 text) is drift, with both revisions named
    from clearance.kb.normalizer import default_normalizer
    from clearance.lock.fileformat import dumps, loads
    from clearance.usecases.lock import build_lock

    model(hub, "acme/moving", {"LICENSE": scancode_text("mit")}, card={"license": "mit"})
    first = check(["acme/moving"], ["commercial"], sources=[source(tmp_path / "a")])
    lock = loads(dumps(build_lock(first, ("commercial",), default_normalizer())))
    (entry,) = [e for e in lock.entries.values() if e.id == "acme/moving"]
    import hashlib
    assert entry.revision == SHA and [(f.path, f.sha256) for f in entry.files] == [
        ("LICENSE", hashlib.sha256(scancode_text("mit")).hexdigest())]
    assert "license-changed" not in {f.name for o in check(["acme/moving"], ["commercial"], sources=[source(tmp_path / "b")],
                                                            lock=lock).outcomes for f in o.result.findings}
    later = "fedcba9876543210fedcba9876543210fedcba98"
    model(hub, "acme/moving", {"LICENSE": scancode_text("llama-2-license-2023")}, card={"license": "mit"}, sha=later)
    moved = check(["acme/moving"], ["commercial"], sources=[source(tmp_path / "c")], lock=lock).outcomes[0]
    changed = [f.message for f in moved.result.findings if f.name == "license-changed" and "license files" in f.message]
    assert changed and f"at {SHA}" in changed[0] and "now LICENSE" in changed[0] and f"at {later}" in changed[0]
    assert not moved.passed
