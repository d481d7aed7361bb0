"""The one exception hierarchy of lnsym.

Every error a user can cause derives from :class:`LnsymError`; its message is one line that names the
problem and, where there is one, the fix. The command line prints that line and exits with status 2.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = [
    "DataError",
    "DerivationError",
    "KernelShapeError",
    "LnsymError",
    "ParseError",
    "Spelling",
    "TypeMismatchError",
    "UnsupportedError",
    "argument",
    "current_interface",
    "declare_hint",
    "interface",
    "value_of",
]


class LnsymError(Exception):
    """Base class of every error lnsym raises on purpose (bad input, unsupported construct)."""


class ParseError(LnsymError):
    """The text is not a sentence of the expression language (syntax, unknown name or function)."""


class TypeMismatchError(LnsymError):
    """A vector was used where a scalar is required, or the other way round, or arity is wrong."""


class UnsupportedError(LnsymError):
    """A well-formed request that lnsym cannot handle (yet): the message says what instead."""


class DataError(LnsymError):
    """A data file or value list is malformed: wrong format, NaN/inf, mismatched lengths."""


class KernelShapeError(DataError, ValueError):
    """Inputs whose shapes, dtypes or axes do not fit a kernel (raised by kernels built in process;
    an exported module raises its own ``ShapeError``, a ``ValueError``)."""


class DerivationError(LnsymError):
    """A derivation file is malformed (not a failed step: those are reported, not raised)."""


# --------------------------------------------------------------------------------------------------
# Fixes phrased for the interface in use
# --------------------------------------------------------------------------------------------------


class Spelling:
    """How one interface writes what a message tells its reader to give: an argument, the value of
    a name, a declaration. This one is Python's (``dim=``, ``values['x']``, ``vectors='w'``);
    library messages name the Python argument, and an interface with other words for it (the
    command line's flags, in :mod:`lnsym.cli`) brings its own subclass to :func:`interface`."""

    #: what :func:`current_interface` returns while this spelling is in use.
    name = "python"

    def argument(self, name: str) -> str:
        """The Python argument ``name`` as this interface spells it."""
        return f"{name}="

    def value(self, name: str) -> str:
        """The value given for the formula's name ``name``."""
        return f"values[{name!r}]"

    def declaration(self, name: str, kind: str) -> str:
        """How to declare ``name`` of ``kind`` (``"vector"`` or ``"scalar"``)."""
        return f"{kind}s={name!r}"


class _DerivationFile(Spelling):
    """A derivation file's keys: ``dim =``, ``vectors = ["w"]``."""

    name = "toml"

    def argument(self, name: str) -> str:
        return f"{name} ="

    def declaration(self, name: str, kind: str) -> str:
        return f'{kind}s = ["{name}"]'


_SPELLINGS = {"python": Spelling(), "toml": _DerivationFile()}

#: who reads an error: Python's spelling by default; the command line and the derivation loader set
#: theirs while they run.
_INTERFACE: ContextVar[Spelling] = ContextVar("lnsym_interface", default=_SPELLINGS["python"])


@contextmanager
def interface(spelling: str | Spelling) -> Iterator[None]:
    """Phrase fixes with ``spelling`` inside the block: a :class:`Spelling`, or ``"python"`` /
    ``"toml"`` for the API's and a derivation file's."""
    if isinstance(spelling, str):
        if spelling not in _SPELLINGS:
            raise ValueError(f"unknown interface {spelling!r}; give a Spelling")
        spelling = _SPELLINGS[spelling]
    token = _INTERFACE.set(spelling)
    try:
        yield
    finally:
        _INTERFACE.reset(token)


def current_interface() -> str:
    """``"python"``, ``"toml"`` or the name of the spelling in use (``"cli"`` on the command line):
    who will read the next error message."""
    return _INTERFACE.get().name


def argument(name: str) -> str:
    """How the interface in use spells the Python argument ``name``: ``dim=`` in Python, ``dim =``
    in a derivation file, the flag on the command line (which :mod:`lnsym.cli` spells).

    This is how library messages name an argument: never by a flag.

    >>> argument("dim")
    'dim='
    >>> with interface("toml"):
    ...     argument("dim")
    'dim ='
    """
    return _INTERFACE.get().argument(name)


def value_of(name: str) -> str:
    """How the interface in use names the value given for ``name``: ``values['x']`` in Python.

    >>> value_of("x")
    "values['x']"
    """
    return _INTERFACE.get().value(name)


def declare_hint(name: str, kind: str | None = None) -> str:
    """How to declare ``name`` a vector (``kind="vector"``), a scalar, or either, in the interface
    in use.

    >>> declare_hint("w")
    "vectors='w' or scalars='w'"
    >>> with interface("toml"):
    ...     declare_hint("w", "vector")
    'vectors = ["w"]'
    """
    spelling = _INTERFACE.get()
    if kind is not None:
        return spelling.declaration(name, kind)
    return f"{spelling.declaration(name, 'vector')} or {spelling.declaration(name, 'scalar')}"
