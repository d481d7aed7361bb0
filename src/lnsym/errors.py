"""The one exception hierarchy of lnsym.

Every error a user can cause derives from :class:`LnsymError`; its message is one line that names the
problem and, where there is one, the fix. The command line prints that line and exits with status 2.
"""

from __future__ import annotations

__all__ = [
    "DataError",
    "DerivationError",
    "LnsymError",
    "ParseError",
    "TypeMismatchError",
    "UnsupportedError",
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


class DerivationError(LnsymError):
    """A derivation file is malformed (not a failed step: those are reported, not raised)."""
