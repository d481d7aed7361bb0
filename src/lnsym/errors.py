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

#: who reads an error: ``"python"`` (the API), ``"cli"`` (the ``lnsym`` command) or ``"toml"`` (a
#: derivation file). The command line and the derivation loader set it while they run.
_INTERFACE: ContextVar[str] = ContextVar("lnsym_interface", default="python")


@contextmanager
def interface(name: str) -> Iterator[None]:
    """Phrase fixes for ``name`` (``"python"``, ``"cli"`` or ``"toml"``) inside the block."""
    if name not in ("python", "cli", "toml"):
        raise ValueError(f"unknown interface {name!r}")
    token = _INTERFACE.set(name)
    try:
        yield
    finally:
        _INTERFACE.reset(token)


def current_interface() -> str:
    """``"python"``, ``"cli"`` or ``"toml"``: who will read the next error message."""
    return _INTERFACE.get()


def argument(name: str, python: str | None = None) -> str:
    """How the interface in use spells the argument ``name``: ``dim=`` in Python, ``--dim`` on the
    command line, ``dim =`` in a derivation file. ``python`` names the Python argument where it is
    not ``name`` (``--chunk-mb`` is ``chunk_bytes=``).

    This is the one place a flag is spelled: library messages call it (or :func:`value_of`,
    :func:`declare_hint`), and the command line turns the flags on with ``interface("cli")``.

    >>> argument("dim")
    'dim='
    >>> argument("chunk-mb", python="chunk_bytes")
    'chunk_bytes='
    >>> with interface("cli"):
    ...     argument("dim")
    '--dim'
    """
    where = _INTERFACE.get()
    if python is None:
        python = name.replace("-", "_")  # --bias-out is bias_out= in Python
    return {"cli": f"--{name}", "toml": f"{python} ="}.get(where, f"{python}=")


def value_of(name: str) -> str:
    """How the interface in use names the value given for ``name``: ``--set x`` on the command
    line, ``values['x']`` in Python.

    >>> value_of("x")
    "values['x']"
    >>> with interface("cli"):
    ...     value_of("x")
    '--set x'
    """
    return f"--set {name}" if _INTERFACE.get() == "cli" else f"values[{name!r}]"


def declare_hint(name: str, kind: str | None = None) -> str:
    """How to declare ``name`` a vector (``kind="vector"``), a scalar, or either, in the interface
    in use.

    >>> declare_hint("w")
    "vectors='w' or scalars='w'"
    >>> with interface("cli"):
    ...     declare_hint("w", "vector")
    '--vectors w'
    """
    where = _INTERFACE.get()
    if where == "cli":
        forms = {"vector": f"--vectors {name}", "scalar": f"--scalars {name}"}
    elif where == "toml":
        forms = {"vector": f'vectors = ["{name}"]', "scalar": f'scalars = ["{name}"]'}
    else:
        forms = {"vector": f"vectors={name!r}", "scalar": f"scalars={name!r}"}
    if kind is not None:
        return forms[kind]
    return f"{forms['vector']} or {forms['scalar']}"
