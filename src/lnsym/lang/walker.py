"""One walker over expressions, many meanings.

:func:`evaluate` expands every :class:`~lnsym.lang.definitions.Definition` into its definition and hands the
primitive operations (vector symbols, ``ones``, addition, scaling, ``dot``, ``hadamard``, scalar
arithmetic) to a :class:`Backend`. The prover's normal form, the high-precision witnesses, the
componentwise proofs and the numeric kernels are all backends of this one walker, so each reads the
definitions from the same place.
"""

from __future__ import annotations

from typing import Any, Generic, Protocol, TypeVar

import sympy
from sympy import Expr, Symbol

from lnsym.errors import UnsupportedError
from lnsym.lang.definitions import (
    Definition,
    Dot,
    Hadamard,
    Kind,
    OnesVector,
    VectorSymbol,
    kind_of,
)

__all__ = ["Backend", "Evaluator", "evaluate"]

V = TypeVar("V")
S = TypeVar("S")


class Backend(Protocol[V, S]):
    """The primitive operations an evaluation needs: ``V`` is a vector value, ``S`` a scalar value."""

    def vector(self, symbol: VectorSymbol) -> V: ...
    def ones(self) -> V: ...
    def scalar(self, symbol: Symbol) -> S: ...
    def number(self, value: sympy.Number) -> S: ...
    def add_vectors(self, a: V, b: V) -> V: ...
    def scale(self, s: S, v: V) -> V: ...
    def dot(self, a: V, b: V) -> S: ...
    def hadamard(self, a: V, b: V) -> V: ...
    def add_scalars(self, a: S, b: S) -> S: ...
    def mul_scalars(self, a: S, b: S) -> S: ...
    def power(self, base: S, exponent: S) -> S: ...


class Evaluator(Generic[V, S]):
    """Evaluates expressions on one backend, remembering shared subexpressions."""

    def __init__(self, backend: Backend[V, S]) -> None:
        self.backend = backend
        self.memo: dict[Expr, Any] = {}

    def __call__(self, expr: Expr) -> Any:
        found = self.memo.get(expr)
        if found is None:
            found = self.memo[expr] = self._evaluate(expr)
        return found

    def _evaluate(self, expr: Expr) -> Any:
        b = self.backend
        if isinstance(expr, OnesVector):
            return b.ones()
        if isinstance(expr, VectorSymbol):
            return b.vector(expr)
        if isinstance(expr, Symbol):
            return b.scalar(expr)
        if isinstance(expr, sympy.Number):
            return b.number(expr)
        if isinstance(expr, Dot):
            return b.dot(self.vector(expr.args[0]), self.vector(expr.args[1]))
        if isinstance(expr, Hadamard):
            return b.hadamard(self.vector(expr.args[0]), self.vector(expr.args[1]))
        if isinstance(expr, Definition):  # a derivative may be 0, which is then the zero vector
            value = expr.definition()
            return self.vector(value) if expr.result_kind is Kind.VECTOR else self(value)
        if isinstance(expr, sympy.Add):
            return self._add(expr)
        if isinstance(expr, sympy.Mul):
            return self._mul(expr)
        if isinstance(expr, sympy.Pow):
            return b.power(self(expr.base), self(expr.exp))
        if isinstance(expr, sympy.Abs):  # SymPy writes sqrt(s**2) of a real s as Abs(s)
            value = self(expr.args[0])
            return b.power(b.mul_scalars(value, value), b.number(sympy.S.Half))
        raise UnsupportedError(
            f"cannot evaluate {expr} ({type(expr).__name__}); not in the language"
        )

    def vector(self, expr: Expr) -> Any:
        """A vector argument; SymPy folds ``0*x`` to the scalar 0, which here is the zero vector."""
        if expr == 0:
            return self.backend.scale(self.backend.number(sympy.S.Zero), self.backend.ones())
        return self(expr)

    def _add(self, expr: sympy.Add) -> Any:
        vectors = [a for a in expr.args if kind_of(a) is Kind.VECTOR]
        scalars = [a for a in expr.args if kind_of(a) is Kind.SCALAR]
        if vectors and scalars:  # only a literal 0 may meet a vector: drop it
            scalars = [s for s in scalars if s != 0]
            if scalars:
                raise UnsupportedError(f"{expr} adds a vector and a scalar")
        terms = vectors or scalars
        add = self.backend.add_vectors if vectors else self.backend.add_scalars
        total = self(terms[0])
        for term in terms[1:]:
            total = add(total, self(term))
        return total

    def _mul(self, expr: sympy.Mul) -> Any:
        vectors = [a for a in expr.args if kind_of(a) is Kind.VECTOR]
        scalars = [a for a in expr.args if kind_of(a) is Kind.SCALAR]
        if len(vectors) > 1:
            raise UnsupportedError(f"{expr} multiplies two vectors; use dot or hadamard")
        vector = self(vectors[0]) if vectors else None
        if not scalars:
            return vector
        factor = self(scalars[0])
        for s in scalars[1:]:
            factor = self.backend.mul_scalars(factor, self(s))
        return factor if vector is None else self.backend.scale(factor, vector)


def evaluate(expr: Expr, backend: Backend[V, S]) -> Any:
    """Evaluate ``expr`` on ``backend`` (a fresh :class:`Evaluator`)."""
    return Evaluator(backend)(expr)
