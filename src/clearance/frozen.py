"""`@value`: a frozen dataclass that costs a cold process half as much to define.

On Python 3.11 `@dataclass(frozen=True)` writes six methods per class (`__init__`,
`__repr__`, `__eq__`, `__hash__`, `__setattr__`, `__delattr__`) as source text and compiles
each with `exec`: ~1.2 ms a class, and a cold `clearance check` defines about twenty such
classes before it does any work (bench/bench_check.py). `@value` lets dataclasses write only
the three that depend on the fields' layout (`__init__` and the two that keep it frozen) and
gives every class the same three shared methods, which read a per-class getter of the
fields. They behave as dataclasses' own (tests/test_frozen.py compares them): equality
only between instances of the same class, field by field (`compare=False` fields left out);
the hash of the fields `hash`/`compare` select; the repr `Name(field=value, ...)`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from operator import attrgetter


def value(cls=None, /, *, slots: bool = True):
    """`@dataclass(frozen=True, slots=slots)`, with shared `__eq__`, `__hash__` and `__repr__`."""

    def wrap(c):
        c = dataclass(frozen=True, slots=slots, eq=False, repr=False)(c)
        fs = fields(c)
        c.__value_compare__ = _getter([f.name for f in fs if f.compare])
        c.__value_hash__ = _getter([f.name for f in fs if (f.compare if f.hash is None else f.hash)])
        c.__value_repr__ = tuple(f.name for f in fs if f.repr)
        c.__eq__ = _eq
        c.__hash__ = _hash
        c.__repr__ = _repr
        return c

    return wrap if cls is None else wrap(cls)


def _getter(names: list[str]):
    if not names:
        return lambda obj: ()
    get = attrgetter(*names)
    return get if len(names) > 1 else (lambda obj: (get(obj),))


def _eq(self, other):
    if other.__class__ is self.__class__:
        key = self.__class__.__value_compare__
        return key(self) == key(other)
    return NotImplemented


def _hash(self) -> int:
    return hash(self.__class__.__value_hash__(self))


def _repr(self) -> str:
    cls = self.__class__
    return f"{cls.__qualname__}({', '.join(f'{n}={getattr(self, n)!r}' for n in cls.__value_repr__)})"
