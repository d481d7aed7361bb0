r"""Assumed elementwise inverses: ``hadamard(h, g) = ones`` cancels ``h ⊙ g`` in every product.

The normal form cannot use a vector equation between elementwise products (it is not linear in
its atoms), but the one such equation interpretability needs — the reciprocal of LN's gain,
:math:`h \odot g = \mathbf{1}` (Riechers' hyperellipsoid) — is used soundly by rewriting: in an
elementwise product whose factors include both ``h`` and ``g``, the pair is replaced by
:math:`\mathbf{1}` (the product is associative, commutative, bilinear, and :math:`\mathbf{1}` is its
unit); ``LNA(x, g, beta)`` is expanded to :math:`g \odot \operatorname{LN}(x) + \beta` first.
The rewritten sides equal the written ones wherever the assumption holds.
"""

from __future__ import annotations

import sympy
from sympy import Expr

from lnsym.lang.definitions import AffineLayerNorm, Hadamard, Kind, VectorSymbol, kind_of, ones
from lnsym.lang.parser import Assumption
from lnsym.records import replace

__all__ = ["cancel_inverses", "inverse_pair", "inverses_step"]


def inverse_pair(assumption: Assumption) -> tuple[str, str] | None:
    """``("g", "h")`` for ``hadamard(g, h) = ones`` (either side), else None."""
    if assumption.relation != "=" or ones not in (assumption.lhs, assumption.rhs):
        return None
    other = assumption.rhs if assumption.lhs == ones else assumption.lhs
    if not isinstance(other, Hadamard):
        return None
    a, b = other.args
    if isinstance(a, VectorSymbol) and isinstance(b, VectorSymbol) and a != b:
        return (a.name, b.name)
    return None


def inverses_step(pair: tuple[str, str]) -> str:
    """The proof step that records the rewriting."""
    a, b = pair
    return f"hadamard({a}, {b}) = ones: cancel {a} ⊙ {b} in every elementwise product"


def _factors(expr: Expr) -> list[Expr]:
    if isinstance(expr, Hadamard):
        return [f for arg in expr.args for f in _factors(arg)]
    return [expr]


def _cancel(expr: Expr, pairs: list[tuple[str, str]]) -> Expr:
    if not expr.args:
        return expr
    if isinstance(expr, AffineLayerNorm):  # g ⊙ LN(x) + beta: its gain may meet its inverse
        return _cancel(expr.definition(), pairs)
    if not isinstance(expr, Hadamard):
        return expr.func(*(_cancel(a, pairs) for a in expr.args))
    factors = [g for f in _factors(expr) for g in _factors(_cancel(f, pairs))]
    for index, f in enumerate(factors):  # bilinear: distribute over sums and scalar multiples
        if isinstance(f, sympy.Add):
            rest = factors[:index] + factors[index + 1 :]
            return sympy.Add(*(_cancel(_product([term, *rest]), pairs) for term in f.args))
        if isinstance(f, sympy.Mul):
            scalars = [a for a in f.args if kind_of(a) is Kind.SCALAR]
            if scalars:
                vector = sympy.Mul(*(a for a in f.args if kind_of(a) is not Kind.SCALAR))
                rest = factors[:index] + factors[index + 1 :]
                return sympy.Mul(*scalars) * _cancel(_product([vector, *rest]), pairs)
    for a, b in pairs:
        while VectorSymbol(a) in factors and VectorSymbol(b) in factors:
            factors.remove(VectorSymbol(a))
            factors.remove(VectorSymbol(b))
    return _product(factors)


def _product(factors: list[Expr]) -> Expr:
    factors = [f for f in factors if f != ones]
    if not factors:
        return ones
    product = factors[0]
    for f in factors[1:]:
        product = Hadamard(product, f)
    return product


def cancel_inverses(
    lhs: Expr, rhs: Expr, assumptions: tuple[Assumption, ...]
) -> tuple[Expr, Expr, tuple[Assumption, ...], list[tuple[str, str]]]:
    """Both sides with every assumed inverse pair cancelled, the other assumptions (with the
    pairs cancelled in them too), and the pairs used."""
    pairs = [p for a in assumptions if (p := inverse_pair(a)) is not None]
    if not pairs:
        return lhs, rhs, assumptions, []
    rest = tuple(
        replace(a, lhs=_cancel(a.lhs, pairs), rhs=_cancel(a.rhs, pairs))
        for a in assumptions
        if inverse_pair(a) is None
    )
    return _cancel(lhs, pairs), _cancel(rhs, pairs), rest, pairs
