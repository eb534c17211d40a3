"""clearance.lock as a file: round trip, stable and sorted output, and clear errors on bad input."""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clearance.lock.diff import changes
from clearance.lock.fileformat import LockError, dumps, loads, read, write
from clearance.lock.model import Lock, LockedFile, LockEntry

SHA = "a" * 64
ENTRY = LockEntry(key="model:org/ft", id="org/ft", kind="model", revision="0123abc",
                  declared=("apache-2.0",), licenses=("apache-2.0",), files=(LockedFile("LICENSE", SHA),),
                  parents=(("model:meta-llama/llama-2-7b-hf", "finetune"),), verdicts=(("commercial", "conditional"),),
                  referenced=True)
BASE = LockEntry(key="model:meta-llama/llama-2-7b-hf", id="meta-llama/Llama-2-7b-hf", kind="model",
                 revision="2024-04-17T08:40:48.000Z @ hub.jsonl", declared=("llama2",), licenses=("llama2",))
LOCK = Lock(("commercial",), {ENTRY.key: ENTRY, BASE.key: BASE})


def test_round_trip_and_stable_sorted_output(tmp_path):
    text = dumps(LOCK)
    assert loads(text) == LOCK
    # the same lock written from entries in another order is byte for byte the same file
    assert dumps(Lock(("commercial",), {BASE.key: BASE, ENTRY.key: ENTRY})) == text
    keys = [a["key"] for a in tomllib.loads(text)["artifact"]]
    assert keys == sorted(keys) and tomllib.loads(text)["version"] == 1
    path = tmp_path / "clearance.lock"
    write(LOCK, path)
    assert read(path) == LOCK and not list(tmp_path.glob(".clearance.lock.*"))  # no temp file left


def test_a_changed_license_is_one_change_naming_both_revisions():
    moved = LockEntry(**{**ENTRY.__dict__, "declared": ("mit",), "revision": "fedcba9"})
    (change,) = changes(LOCK, Lock(("commercial",), {ENTRY.key: moved, BASE.key: BASE}))
    assert change.field == "declared"
    assert change.message == "org/ft: declared license was apache-2.0 at 0123abc, now mit at fedcba9"


@pytest.mark.parametrize("text,where", [
    ("version = 2\n", "version 2"),
    ("version = 1\nartifact = 3\n", "array of tables"),
    ("version = 1\n[[artifact]]\nid = 'x'\n", "artifact #1: key"),
    ("version = 1\n[[artifact]]\nkey = 'model:x'\nid = 'x'\nkind = 'model'\nparents = [['a']]\n", "'model:x': parents"),
    ("version = 1\n[[artifact]]\nkey = 'model:x'\nid = 'x'\nkind = 'model'\n[[artifact.files]]\npath = 'L'\nsha256 = 'zz'\n",
     "64 lower-case hex"),
    ("version = 1\n[[artifact]]\nkey='k'\nid='x'\nkind='model'\n[[artifact]]\nkey='k'\nid='x'\nkind='model'\n", "listed twice"),
    ("version = = 1", "invalid TOML"),
    ("a = " + "[" * 5000 + "]" * 5000, "invalid TOML"),
])
def test_a_malformed_lock_says_what_and_where(text, where):
    with pytest.raises(LockError, match=where.replace("[", r"\[")) as exc:
        loads(text, "clearance.lock")
    assert str(exc.value).startswith("clearance.lock")


def test_unreadable_and_non_utf8_files(tmp_path):
    with pytest.raises(LockError, match="cannot read"):
        read(tmp_path / "missing.lock")
    bad = tmp_path / "bad.lock"
    bad.write_bytes(b"version = 1\n\xff\xfe")
    with pytest.raises(LockError, match="not UTF-8"):
        read(bad)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_is_a_lock_or_a_lock_error(text):
    try:
        loads(text)
    except LockError:
        pass


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=30), max_size=5), st.text(min_size=1, max_size=30))
def test_any_values_survive_a_round_trip(values, ident):
    e = LockEntry(key=f"model:{ident}", id=ident, kind="model", declared=tuple(values), licenses=tuple(values))
    lock = Lock(("commercial",), {e.key: e})
    back = loads(dumps(lock))
    assert sorted(back.entries[e.key].declared) == sorted(values)
