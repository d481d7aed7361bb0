"""Records: classes of named fields that cost next to nothing to define.

A :func:`dataclasses.dataclass` writes the source of its ``__init__``, ``__repr__``, ``__eq__`` (and,
frozen, ``__hash__``, ``__setattr__``, ``__delattr__``) and compiles it when its module is imported:
about a millisecond per class on a slow machine, which for the records on the path of ``lnsym
prove`` was a sizeable share of the command's start. A :class:`Record` instead names its fields, in order,
in ``__match_args__`` (as a dataclass does) and its ``__slots__``, and writes its own ``__init__``;
equality (same class, equal fields), the hash of a frozen record and the repr (``Name(field=value,
...)``, as a dataclass prints) are read from the fields by the methods here, defined once.

A :class:`FrozenRecord` refuses assignment after ``__init__`` (which sets its fields with
:meth:`FrozenRecord._set`), with the error a frozen dataclass raises. Fields named in a class's
``_uncompared`` are left out of equality, hash and repr (a dataclass field with ``compare=False,
repr=False``); :func:`replace` is :func:`dataclasses.replace` for records.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from typing import Any, ClassVar, TypeVar

__all__ = ["FrozenRecord", "Record", "replace"]

_R = TypeVar("_R", bound="Record")


class Record:
    """A mutable record: fields in ``__slots__``, equal when of one class with equal fields, not
    hashable (as a dataclass with ``eq=True``)."""

    __match_args__: ClassVar[tuple[str, ...]] = ()
    __slots__: ClassVar[tuple[str, ...]] = ()
    __hash__: ClassVar[None] = None  # type: ignore[assignment]
    #: fields that equality, hash and repr leave out (``__init__``, pickle and copy keep them).
    _uncompared: ClassVar[frozenset[str]] = frozenset()

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__match_args__)

    def _compared(self) -> tuple[Any, ...]:
        if not self._uncompared:
            return self._fields()
        hidden = self._uncompared
        return tuple(getattr(self, name) for name in self.__match_args__ if name not in hidden)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            assert isinstance(other, Record)
            return self._compared() == other._compared()
        return NotImplemented

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        # pickle and copy rebuild a record by its __init__, which takes the fields in order
        return (self.__class__, self._fields())

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={getattr(self, name)!r}"
            for name in self.__match_args__
            if name not in self._uncompared
        )
        return f"{self.__class__.__qualname__}({shown})"


class FrozenRecord(Record):
    """An immutable record: hashable by its fields; assigning or deleting a field raises
    :class:`dataclasses.FrozenInstanceError`."""

    __slots__ = ()

    def _set(self, **fields: Any) -> None:
        """Set the fields (in ``__init__`` only)."""
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(self._compared())

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")


def replace(record: _R, /, **changes: Any) -> _R:
    """A copy of ``record`` with the fields in ``changes`` set anew (as :func:`dataclasses.replace`:
    the copy is built by the class's ``__init__``, so its checks run; an unknown field is a
    :class:`TypeError`)."""
    unknown = set(changes) - set(record.__match_args__)
    if unknown:
        raise TypeError(f"{type(record).__name__} has no field {', '.join(sorted(unknown))}")
    fields = {name: getattr(record, name) for name in record.__match_args__}
    return record.__class__(**{**fields, **changes})
