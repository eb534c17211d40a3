import time

from clearance.util.jsoncache import JsonCache, fresh


def test_an_entry_answers_only_its_own_name(tmp_path):
    cache = JsonCache(tmp_path / "c")
    assert cache.read("a") is None
    assert cache.write("a", {"record": {"x": 1}})
    entry = cache.read("a")
    assert entry["record"] == {"x": 1} and entry["name"] == "a"
    cache.path("b").write_bytes(cache.path("a").read_bytes())  # as if the two names' checksums collided
    assert cache.read("b") is None


def test_unreadable_entries_are_misses_and_unwritable_folders_say_so(tmp_path):
    cache = JsonCache(tmp_path)
    cache.path("a").write_text("{not json", encoding="utf-8")
    assert cache.read("a") is None
    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")
    assert JsonCache(blocked / "under-a-file").write("a", {}) is False


def test_fresh_for_ttl_seconds_or_always_offline():
    old = {"fetched_at": time.time() - 100}
    assert not fresh(old, ttl=10, offline=False)
    assert fresh(old, ttl=1000, offline=False)
    assert fresh(old, ttl=10, offline=True)


def test_cache_files_are_named_by_one_checksum():
    from clearance.kb.cache import file_name
    from clearance.util.paths import checksum

    # crc32 then adler32 of the UTF-8 text: names written by earlier versions stay valid
    assert checksum("a") == "e8b7be4300620062"
    assert JsonCache.key("a") == checksum("a") and file_name("kb", "a") == "kb-e8b7be4300620062.pickle"
