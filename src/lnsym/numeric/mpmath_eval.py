"""High-precision evaluation (mpmath): the reference for witnesses, exact mode and kernel accuracy.

Vectors are lists of :class:`mpmath.mpf`, scalars are :class:`mpmath.mpf`; inputs given as decimal
strings or SymPy rationals are converted at the working precision, so decimal data (such as the seed
files) is represented to within 10^-digits.

>>> from lnsym.lang.parser import parse
>>> value = evaluate_mp(parse("norm(x)"), {"x": ["3", "4"]}, n=2, digits=30)
>>> str(value)
'5.0'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import mpmath
import sympy
from sympy import Expr, Symbol

from lnsym.errors import LnsymError
from lnsym.lang.definitions import VectorSymbol
from lnsym.lang.walker import Evaluator

__all__ = ["MpmathBackend", "evaluate_mp", "to_mpf"]

Vector = list[Any]


def to_mpf(value: Any) -> Any:
    """A decimal string, int, float, SymPy number or mpf → mpf at the current precision."""
    if isinstance(value, sympy.Rational):
        return mpmath.mpf(value.p) / value.q
    if isinstance(value, sympy.Basic):
        return mpmath.mpf(str(sympy.N(value, mpmath.mp.dps + 5)))
    return mpmath.mpf(value)


class MpmathBackend:
    """Evaluates the primitives with mpmath numbers at the current ``mpmath.mp`` precision."""

    def __init__(
        self,
        values: Mapping[str, Any],
        n: int,
        eps: Any = "1e-5",
    ) -> None:
        self.n = n
        self.eps = to_mpf(eps)
        self.values: dict[str, Any] = {}
        for name, value in values.items():
            if isinstance(value, str | int | float | sympy.Basic) or not isinstance(
                value, Sequence
            ):
                self.values[name] = to_mpf(value)
            else:
                if len(value) != n:
                    raise LnsymError(f"{name} has {len(value)} entries but n = {n}")
                self.values[name] = [to_mpf(v) for v in value]

    def vector(self, symbol: VectorSymbol) -> Vector:
        value = self.values.get(symbol.name)
        if not isinstance(value, list):
            raise LnsymError(f"no vector value given for {symbol.name!r}")
        return value

    def ones(self) -> Vector:
        return [mpmath.mpf(1)] * self.n

    def scalar(self, symbol: Symbol) -> Any:
        if symbol.name == "n":
            return mpmath.mpf(self.n)
        if symbol.name == "eps":
            return self.eps
        value = self.values.get(symbol.name)
        if value is None or isinstance(value, list):
            raise LnsymError(f"no scalar value given for {symbol.name!r}")
        return value

    def number(self, value: sympy.Number) -> Any:
        return to_mpf(value)

    def add_vectors(self, a: Vector, b: Vector) -> Vector:
        return [p + q for p, q in zip(a, b, strict=True)]

    def scale(self, s: Any, v: Vector) -> Vector:
        return [s * p for p in v]

    def dot(self, a: Vector, b: Vector) -> Any:
        return mpmath.fsum(p * q for p, q in zip(a, b, strict=True))

    def hadamard(self, a: Vector, b: Vector) -> Vector:
        return [p * q for p, q in zip(a, b, strict=True)]

    def add_scalars(self, a: Any, b: Any) -> Any:
        return a + b

    def mul_scalars(self, a: Any, b: Any) -> Any:
        return a * b

    def power(self, base: Any, exponent: Any) -> Any:
        if exponent == mpmath.mpf(0.5):
            return mpmath.sqrt(base)
        return mpmath.power(base, exponent)


def evaluate_mp(
    expr: Expr,
    values: Mapping[str, Any],
    *,
    n: int,
    eps: Any = "1e-5",
    digits: int = 50,
) -> Any:
    """Evaluate ``expr`` with ``digits`` significant digits: an mpf, or a list of mpf for a vector."""
    with mpmath.workdps(digits + 10):
        result = Evaluator(MpmathBackend(values, n, eps))(expr)
        if isinstance(result, list):
            return [+v for v in result]
        return +result
