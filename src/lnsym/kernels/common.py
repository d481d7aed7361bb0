r"""What the code generators share: code values and scalar arithmetic with constant folding.

A generator is a :class:`~lnsym.lang.walker.Backend` whose values are :class:`Code` — Python source
fragments (usually the name of a temporary). The :class:`~lnsym.lang.walker.Evaluator` memoizes every
subexpression, so each is computed once (common-subexpression elimination for free).

Conventions that keep the generated code exact where it can be and cheap where it matters:

* numbers are folded at generation time (``n`` and ``eps`` are not: they are run-time values);
* :math:`s \cdot \mathbf{1}` stays symbolic (``ones=True``): it broadcasts and is never built;
* a reciprocal :math:`1/d` is remembered, so :math:`a \cdot (1/d)` is emitted as ``a / d``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import sympy

__all__ = ["Code", "ScalarEmitter", "literal"]


@dataclass(frozen=True)
class Code:
    """A value in generated code.

    ``text`` is a Python expression. For a vector with ``ones=True`` the vector is
    ``text * ones`` (``text`` is a scalar). ``static`` scalars depend only on n, ε and numbers;
    ``number`` is set for compile-time constants; ``recip = d`` marks the value ``1 / d``.
    """

    text: str
    vector: bool = False
    ones: bool = False
    static: bool = True
    number: sympy.Expr | None = None
    recip: str | None = None


def literal(value: sympy.Expr) -> str:
    """A Python float literal for a constant (``repr`` round-trips exactly)."""
    return repr(float(value))


_ATOM = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z|-?[0-9.e+-]+\Z|\(1\.0 / [A-Za-z_][A-Za-z0-9_]*\)\Z")


def paren(text: str) -> str:
    """``text`` wrapped in parentheses unless it is a name or a literal."""
    return text if _ATOM.match(text) and not text.startswith("-") else f"({text})"


class ScalarEmitter:
    """Scalar arithmetic for a generator; subclasses say how to emit a scalar and a square root."""

    def __init__(self) -> None:
        self.counter = 0

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"_{prefix}{self.counter}"

    # -- hooks --------------------------------------------------------------------------------------
    def emit_scalar(self, text: str, static: bool) -> Code:
        raise NotImplementedError

    def sqrt_text(self, value: Code) -> str:
        raise NotImplementedError

    # -- Backend scalar primitives ------------------------------------------------------------------
    def number(self, value: sympy.Number) -> Code:
        return Code(literal(value), number=value)

    def add_scalars(self, a: Code, b: Code) -> Code:
        if a.number is not None and b.number is not None:
            return self.constant(a.number + b.number)
        if a.number == 0:
            return b
        if b.number == 0:
            return a
        if b.number is not None and b.number < 0:
            return self.emit_scalar(f"{a.text} - {literal(-b.number)}", a.static)
        return self.emit_scalar(f"{a.text} + {b.text}", a.static and b.static)

    def mul_scalars(self, a: Code, b: Code) -> Code:
        if a.number is not None and b.number is not None:
            return self.constant(a.number * b.number)
        if b.number is not None or a.recip is not None:
            a, b = b, a
        if a.number == 1:
            return b
        if a.number == -1:
            return self.emit_scalar(f"-{paren(b.text)}", b.static)
        static = a.static and b.static
        if b.recip is not None:
            return self.emit_scalar(f"{paren(a.text)} / {b.recip}", static)
        return self.emit_scalar(f"{paren(a.text)} * {paren(b.text)}", static)

    def power(self, base: Code, exponent: Code) -> Code:
        e = exponent.number
        if base.number is not None and e is not None:
            return self.constant(sympy.Pow(base.number, e))
        if e == 1:
            return base
        if e == sympy.Rational(1, 2):
            return self.emit_scalar(self.sqrt_text(base), base.static)
        if e == -1:
            return self.reciprocal(base)
        if e == sympy.Rational(-1, 2):
            return self.reciprocal(self.emit_scalar(self.sqrt_text(base), base.static))
        if e == 2:
            return self.emit_scalar(f"{paren(base.text)} * {paren(base.text)}", base.static)
        static = base.static and exponent.static
        return self.emit_scalar(f"{paren(base.text)} ** {paren(exponent.text)}", static)

    # -- helpers ----------------------------------------------------------------------------------
    def constant(self, value: sympy.Expr) -> Code:
        """A folded constant (irrational constants such as √2 become their nearest float)."""
        if value.is_Rational:
            return Code(literal(value), number=value)
        return Code(repr(float(sympy.N(value, 30))), number=None)

    def reciprocal(self, value: Code) -> Code:
        named = value if _ATOM.match(value.text) else self.emit_scalar(value.text, value.static)
        return replace(named, text=f"(1.0 / {named.text})", recip=named.text, number=None)
