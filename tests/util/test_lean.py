"""`@value` behaves as `@dataclass(frozen=True)`: the same equality, hash, repr and
immutability, for a class with every kind of field and for each value class of the engine."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from dataclasses import FrozenInstanceError, dataclass, field

import pytest

from clearance.util import lean
from clearance.util.lean import value


def _spec():
    """The same fields for both twins: plain, defaulted, compare=False, hash=False, repr=False, init=False."""
    return {
        "__annotations__": {"a": "int", "b": "str", "c": "tuple", "d": "int", "e": "str", "f": "int"},
        "b": "x",
        "c": (),
        "d": field(default=0, compare=False),
        "e": field(default="", hash=False),
        "f": field(default=7, repr=False),
    }


Ours = value(type("Twin", (), _spec()))
Ours.__qualname__ = "Twin"
Theirs = dataclass(frozen=True)(type("Twin", (), _spec()))
OursNoSlots = value(type("Twin", (), _spec()), slots=False)
OursNoSlots.__qualname__ = "Twin"


@pytest.mark.parametrize("cls", [Ours, OursNoSlots], ids=["slots", "no-slots"])
@pytest.mark.parametrize(("x", "y"), [
    ((1, "a", (1, 2)), (1, "a", (1, 2))),
    ((1, "a", (1, 2), 5), (1, "a", (1, 2), 9)),  # d is compare=False
    ((1, "a"), (2, "a")),
    ((1, "a", (), 0, "p"), (1, "a", (), 0, "q")),  # e: compared, not hashed
])
def test_equality_hash_and_repr_are_dataclasses_own(cls, x, y):
    a, b, ta, tb = cls(*x), cls(*y), Theirs(*x), Theirs(*y)
    assert (a == b) is (ta == tb) and (a != b) is (ta != tb)
    assert hash(a) == hash(ta) and hash(b) == hash(tb)
    assert repr(a) == repr(ta) and repr(b) == repr(tb)
    assert (a == ta) is False  # another class, however alike: not equal, as dataclasses do
    assert a.__eq__(object()) is NotImplemented


@pytest.mark.parametrize("cls", [Ours, OursNoSlots], ids=["slots", "no-slots"])
def test_no_field_can_be_set_again_or_deleted(cls):
    a = cls(1, "a", (1,))
    for name in ("a", "d", "f"):  # a plain field, a defaulted one, one not in the repr
        with pytest.raises(FrozenInstanceError):
            setattr(a, name, 2)
        with pytest.raises(FrozenInstanceError):
            delattr(a, name)
    # nor a new attribute: refused as frozen (no slots), or failing in dataclasses' own guard
    # (CPython 3.11's frozen+slots guard calls super() on the pre-slots class: a TypeError)
    with pytest.raises((AttributeError, TypeError)):
        a.new = 1
    assert (a.a, a.d, a.f) == (1, 0, 7)
    b = copy.deepcopy(a)  # a copy (as unpickling) sets each field once
    assert b == a and repr(b) == repr(a)
    with pytest.raises(FrozenInstanceError):
        b.a = 5


def test_frozen_copyable_picklable_and_still_a_dataclass():
    a = Ours(1, "a", (1,))
    with pytest.raises(FrozenInstanceError):
        a.a = 2
    assert dataclasses.is_dataclass(a) and [f.name for f in dataclasses.fields(a)] == list("abcdef")
    assert dataclasses.replace(a, a=3) == Ours(3, "a", (1,))
    assert copy.deepcopy(a) == a and copy.copy(a) == a
    assert {a: 1}[Ours(1, "a", (1,))] == 1


def _value_classes():
    import importlib

    names = ["engine.catalogue.Rule", "engine.values.Node", "engine.values.Organization", "engine.values.Obligation",
             "engine.values.Finding", "engine.values.Result", "artifacts.ids.Ref", "artifacts.model.Artifact",
             "artifacts.model.Edge", "graph.model.Problem", "artifacts.relations.Claim", "graph.resolve.Answer",
             "kb.normalizer.Resolution", "artifacts.signals.LicenseSignal", "kb.terms.Territory", "kb.terms.Evidence",
             "kb.terms.LicenseTerms", "policy.evaluate.Outcome", "policy.model.OrganizationTable",
             "policy.model.ExceptionEntry", "policy.model.Policy", "sources.frontmatter.Card", "sources.interface.Record"]
    out = []
    for name in names:
        mod, cls = name.rsplit(".", 1)
        out.append(getattr(importlib.import_module(f"clearance.{mod}"), cls))
    return out


@pytest.mark.parametrize("cls", _value_classes(), ids=lambda c: c.__name__)
def test_each_engine_value_class_is_a_frozen_value(cls):
    assert dataclasses.is_dataclass(cls)
    assert cls.__eq__ is lean._eq and cls.__hash__ is lean._hash and cls.__repr__ is lean._repr
    if "__slots__" in cls.__dict__:  # made in numbers: dataclasses' own frozen __init__ and guards
        assert cls.__dataclass_params__.frozen
    else:
        assert cls.__setattr__ is lean._setattr and cls.__delattr__ is lean._delattr


def test_the_engines_values_survive_the_kb_cache_and_compare_as_before(kb):
    lic = kb.get("llama2")
    again = pickle.loads(pickle.dumps(lic))
    assert again == lic and again is not lic and again != kb.get("llama3")
    assert repr(lic).startswith("LicenseTerms(id='llama2', ")
    with pytest.raises(TypeError):  # it holds a dict (evidence): unhashable, as a frozen dataclass would be
        hash(lic)
    from clearance.engine.values import Finding

    f = Finding("CLR103", "license-conflict", "error", "a/b", "m", ("a/b", "c/d"))
    assert pickle.loads(pickle.dumps(f)) == f and hash(pickle.loads(pickle.dumps(f))) == hash(f)


def test_a_record_is_a_mutable_dataclass_with_dataclasses_equality_and_repr():
    from clearance.util.lean import record

    Rec = record(type("Twin", (), _spec()))
    Rec.__qualname__ = "Twin"
    Ref = dataclass(type("Twin", (), _spec()))
    a, b, ra, rb = Rec(1, "a"), Rec(1, "a", (), 9), Ref(1, "a"), Ref(1, "a", (), 9)
    assert (a == b) is (ra == rb) is True and repr(a) == repr(ra)
    a.a = 2  # mutable
    assert a != b and repr(a) == repr(dataclasses.replace(ra, a=2))
    with pytest.raises(TypeError):
        hash(a)  # compares by value, so unhashable, as a mutable dataclass


@pytest.mark.parametrize("name", ["usecases.check.GraphLineage", "usecases.check.CheckRun", "kb.normalizer.Normalizer",
                                  "kb.loader.KnowledgeBase", "policy.evaluate.Evaluator", "engine.walk.Walk",
                                  "engine.usage.Assessment", "sources.metadata.Collected"])
def test_the_engines_records_use_the_shared_methods(name):
    import importlib

    mod, cls = name.rsplit(".", 1)
    c = getattr(importlib.import_module(f"clearance.{mod}"), cls)
    assert dataclasses.is_dataclass(c) and c.__eq__ is lean._eq and c.__repr__ is lean._repr and c.__hash__ is None


def test_type_checkers_see_dataclasses():
    """`typing.dataclass_transform`'s marker, set without importing typing: frozen for @value."""
    from clearance.util.lean import record, value

    assert value.__dataclass_transform__["frozen_default"] is True
    assert record.__dataclass_transform__["frozen_default"] is False


def test_mypy_checks_a_value_constructor(tmp_path):
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    import pytest

    mypy = Path(sys.executable).with_name("mypy")
    if not mypy.exists() and not shutil.which("mypy"):
        pytest.skip("mypy is not installed (pip install mypy)")
    snippet = tmp_path / "snippet.py"
    snippet.write_text(
        "from clearance.util.lean import value\n\n\n@value\nclass P:\n    x: int\n    y: str = 'a'\n\n\n"
        "P(1, 'b')\nP('one')\nP(1).x = 2\n", encoding="utf-8")
    done = subprocess.run([str(mypy) if mypy.exists() else "mypy", "--no-incremental", "--python-executable", sys.executable,
                           str(snippet)], capture_output=True, text=True, cwd=tmp_path)
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 2, done.stdout
    assert "snippet.py:11:" in errors[0] and "expected \"int\"" in errors[0]  # P('one')
    assert "snippet.py:12:" in errors[1] and "read-only" in errors[1]  # a frozen field
