"""Dataclasses that a cold process defines at a fraction of the cost: `@value` (frozen) and
`@record` (mutable).

On Python 3.11 `@dataclass(frozen=True)` writes six methods per class (`__init__`,
`__repr__`, `__eq__`, `__hash__`, `__setattr__`, `__delattr__`) as source text and compiles
each with `exec`: about 1 ms a class here, and a cold `clearance check` defines about thirty such
classes before it does any work (bench/bench_check.py). `@value` has dataclasses write only
what depends on the fields' layout and gives every class the same shared methods, which read
per-class getters of the fields:

- `@value` (slots): dataclasses writes `__init__` and the two frozen guards; for classes made
  in numbers, whose `__init__` must stay as fast as dataclasses' own.
- `@value(slots=False)`: dataclasses writes `__init__` only, and a shared guard refuses to
  set a field that already has a value; for classes made a few times per run (each field
  assignment then goes through that Python-level guard).

- `@record`: a mutable dataclass; dataclasses writes `__init__` only.

They behave as dataclasses' own classes (tests/util/test_lean.py compares them):
equality only between instances of the same class, field by field (`compare=False` fields
left out); the hash of the fields `hash`/`compare` select; the repr `Name(field=value, ...)`;
for `@value`, no field set again or deleted once it has a value (`FrozenInstanceError`); a
`@record` is unhashable, as a mutable dataclass that compares by value is.

Type checkers see them as dataclasses (`typing.dataclass_transform`): a `@value` class's
constructor is checked field by field, and assigning to its fields is an error.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass, field, fields
from operator import attrgetter

from clearance.util import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import dataclass_transform
else:
    def dataclass_transform(**kwargs):
        """typing's, without importing typing (~4 ms of a cold `check`): type checkers read
        the decorator from the branch above; at run time it only marks the function, as
        typing's does (`__dataclass_transform__`)."""

        def mark(decorator):
            decorator.__dataclass_transform__ = {"eq_default": True, "order_default": False, "kw_only_default": False,
                                                 "frozen_default": False, "field_specifiers": (), "kwargs": {},
                                                 **kwargs}
            return decorator

        return mark


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def value(cls=None, /, *, slots: bool = True):
    """A frozen dataclass with shared `__eq__`, `__hash__` and `__repr__` (see above)."""

    def wrap(c):
        if slots:
            c = dataclass(frozen=True, slots=True, eq=False, repr=False)(c)
        else:
            c = dataclass(eq=False, repr=False)(c)
            c.__setattr__ = _setattr
            c.__delattr__ = _delattr
        _share(c)
        return c

    return wrap if cls is None else wrap(cls)


@dataclass_transform(field_specifiers=(field,))
def record(cls):
    """A mutable dataclass with shared `__eq__` and `__repr__`."""
    cls = dataclass(eq=False, repr=False)(cls)
    _share(cls)
    cls.__hash__ = None  # as dataclasses does for a mutable class that compares by value
    return cls


def _share(c) -> None:
    fs = fields(c)
    c.__value_compare__ = _getter([f.name for f in fs if f.compare])
    c.__value_hash__ = _getter([f.name for f in fs if (f.compare if f.hash is None else f.hash)])
    c.__value_repr__ = tuple(f.name for f in fs if f.repr)
    c.__value_fields__ = frozenset(f.name for f in fs)
    c.__eq__ = _eq
    c.__hash__ = _hash
    c.__repr__ = _repr


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


def _setattr(self, name: str, value) -> None:
    # Without slots: a field is unset until `__init__` (or `__post_init__`) first assigns it.
    # Unpickling and copying fill `__dict__` directly and never come here.
    d = self.__dict__
    if name in d or name not in self.__class__.__value_fields__:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")
    d[name] = value


def _delattr(self, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")
