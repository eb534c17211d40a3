"""The compiled KB cache: same answers as a fresh load, never stale, never trusted blindly."""

from __future__ import annotations

import shutil

import pytest

from clearance.kb import cache
from clearance.kb.loader import default_dir, load


@pytest.fixture()
def kb_copy(tmp_path, monkeypatch):
    monkeypatch.setenv("CLEARANCE_CACHE_DIR", str(tmp_path / "cache"))
    files = tmp_path / "licenses"
    files.mkdir()
    for name in ("mit.yaml", "llama3.yaml", "llama3.1.yaml"):
        shutil.copy(default_dir() / name, files / name)
    return files


def _cached(files):
    paths = sorted(files.glob("*.yaml"))
    return cache.cached(paths, lambda: load(paths))


def test_a_cache_hit_gives_what_a_fresh_load_gives(kb_copy):
    first = _cached(kb_copy)
    assert list((kb_copy.parent / "cache").glob("kb-*.pickle")), "nothing was cached"
    second = _cached(kb_copy)
    fresh = load(sorted(kb_copy.glob("*.yaml")))
    assert second.licenses == fresh.licenses == first.licenses
    assert second.lookup("MIT License") == ("mit", "exact")
    assert second.get("llama3").line == "llama3.1"


def test_an_edited_file_is_never_served_from_a_stale_copy(kb_copy):
    assert _cached(kb_copy).get("mit").name == "MIT License"
    path = kb_copy / "mit.yaml"
    path.write_text(path.read_text().replace("name: MIT License", "name: MIT License (edited)"))
    assert _cached(kb_copy).get("mit").name == "MIT License (edited)"
    assert len(list((kb_copy.parent / "cache").glob("kb-*.pickle"))) == 1, "old copies are removed"


def test_a_corrupt_copy_is_rebuilt(kb_copy):
    _cached(kb_copy)
    (copy,) = (kb_copy.parent / "cache").glob("kb-*.pickle")
    copy.write_bytes(b"not a pickle")
    assert _cached(kb_copy).get("mit").curated
    assert copy.read_bytes() != b"not a pickle"


def test_a_copy_made_for_other_inputs_is_never_served(kb_copy):
    # File names are checksums of the key; the file holds the key, compared in full on read.
    _cached(kb_copy)
    (copy,) = (kb_copy.parent / "cache").glob("kb-*.pickle")
    import pickle

    _, value = pickle.loads(copy.read_bytes())
    copy.write_bytes(pickle.dumps(("some other key", "a wrong value")))  # as if two keys collided
    assert _cached(kb_copy).licenses == value.licenses


def test_an_unwritable_cache_directory_only_costs_speed(kb_copy, monkeypatch, tmp_path):
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    monkeypatch.setenv("CLEARANCE_CACHE_DIR", str(blocker / "cache"))
    assert _cached(kb_copy).get("mit").curated


def test_invalid_files_still_fail_loudly_through_the_cache(kb_copy):
    from clearance.kb.loader import KBError

    (kb_copy / "mit.yaml").write_text("id: mit\nname: MIT\n")
    with pytest.raises(KBError, match="mit.yaml"):
        _cached(kb_copy)


def test_the_bundled_kb_from_the_cache_equals_a_fresh_load(tmp_path, monkeypatch):
    # default_kb() keeps each license pickled until read (PackedLicenses): every one, read
    # back from a real cache file in a fresh process state, must equal the validated load.
    from clearance.kb.loader import PackedLicenses, default_kb

    monkeypatch.setenv("CLEARANCE_CACHE_DIR", str(tmp_path / "cache"))
    default_kb.cache_clear()
    try:
        default_kb()  # builds and writes the cache
        default_kb.cache_clear()
        kb = default_kb()  # reads it back
    finally:
        default_kb.cache_clear()
    fresh = load(sorted(default_dir().glob("*.yaml")))
    assert isinstance(kb.licenses, PackedLicenses)
    assert len(kb) == len(fresh) and list(kb.licenses) == list(fresh.licenses)
    assert dict(kb.licenses) == fresh.licenses
    assert kb.licenses.get("no-such-license") is None and "mit" in kb.licenses
    assert kb.lookup("Apache License 2.0") == fresh.lookup("Apache License 2.0")


def test_two_installs_sharing_a_cache_do_not_evict_each_other(kb_copy, tmp_path):
    # Two checkouts (or virtualenvs) have different files, so different keys: with room for a
    # few copies, each finds its own on the next run instead of rebuilding every time.
    other = tmp_path / "other-install"
    shutil.copytree(kb_copy, other)
    builds = []

    def run(files):
        paths = sorted(files.glob("*.yaml"))
        return cache.cached(paths, lambda: builds.append(files) or load(paths), keep=cache.INSTALLS)

    for _ in range(3):
        run(kb_copy)
        run(other)
    assert builds == [kb_copy, other]
