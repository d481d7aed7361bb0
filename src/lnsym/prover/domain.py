r"""No vacuous proof: a point where the assumptions hold and both sides are defined.

A proof says "wherever both sides are defined". If they are defined nowhere the assumptions allow
(``mu(c(x))/mu(c(x))``: μ(c(x)) ≡ 0; ``Var(x)/Var(x)`` at n = 1; ``alpha/alpha`` given
``alpha = 0``), the proof is empty and the verdict must be unknown. SymPy folds ``X/X`` to 1 as
soon as the expression is built, so the prover's typed forms have lost the divisor; the written
forms (:attr:`lnsym.lang.parser.Parsed.written`, unevaluated, every division kept) have not.

:func:`domain_point` searches an exact point (:func:`lnsym.prover.witness.find_point`) at which
every assumption holds (certified), every stated condition is certified non-zero, and every written
side and assumption is defined (:func:`lnsym.prover.witness.requirements`: each divisor certified
non-zero, each radicand certified nonnegative). A proof is only called proved once one is found.
"""

from __future__ import annotations

from collections.abc import Sequence

from sympy import Expr, Symbol

from lnsym.errors import LnsymError
from lnsym.lang.definitions import VectorSymbol
from lnsym.lang.parser import RESERVED, Assumption, Context, read
from lnsym.prover.witness import (
    Point,
    conditions_hold,
    find_point,
    requirements,
    requirements_hold,
)

__all__ = ["DOMAIN_DIMENSIONS", "domain_point", "written_forms"]

#: the dimensions tried for a proof at symbolic n (n = 1 last: its centered vectors are 0).
DOMAIN_DIMENSIONS = (3, 2, 4, 5, 1)


def written_forms(
    texts: Sequence[str | Expr],
    typed: Sequence[Expr],
    context: Context,
    assumptions: Sequence[Assumption] = (),
) -> list[Expr]:
    """The sides and the assumptions' sides as written (the typed form of a side given as SymPy)."""
    out: list[Expr] = []
    for text, expr in zip(texts, typed, strict=True):
        if isinstance(text, str):
            try:
                out.append(read(text, context).written)
            except LnsymError:
                out.append(expr)
        else:
            out.append(expr)
    for assumption in assumptions:
        if assumption.sides is not None:
            out.extend(side.written for side in assumption.sides)
        else:
            out.extend((assumption.lhs, assumption.rhs))
    return out


def domain_point(
    context: Context,
    assumptions: Sequence[Assumption],
    forms: Sequence[Expr],
    dim: int | None,
    *,
    conditions: Sequence[Expr] = (),
    radicands: dict[Symbol, Expr] | None = None,
    attempts: int = 24,
) -> Point | None:
    """An exact point where the assumptions hold, the conditions are non-zero and every form is
    defined; None when none was found."""
    dims = (dim,) if dim is not None else DOMAIN_DIMENSIONS
    table = radicands or {}
    context = _covering(context, [*forms, *(e for a in assumptions for e in (a.lhs, a.rhs))])

    needed = requirements(forms)
    if needed is None:
        return None

    def accept(point: Point) -> bool:
        if conditions and not conditions_hold(point, conditions, table):
            return False
        return requirements_hold(point, needed)

    return find_point(context, assumptions, dims, accept=accept, attempts=attempts)


def _covering(context: Context, exprs: Sequence[Expr]) -> Context:
    """``context`` with every name the expressions use declared (sides given as SymPy objects
    may use names the caller did not declare)."""
    vectors, scalars = list(context.vectors), list(context.scalars)
    for expr in exprs:
        for symbol in sorted(expr.free_symbols, key=str):
            name = symbol.name
            if name in ("n", "eps", "ones") or name in vectors or name in scalars:
                continue
            if name in RESERVED or not isinstance(symbol, Symbol):
                continue
            (vectors if isinstance(symbol, VectorSymbol) else scalars).append(name)
    if len(vectors) == len(context.vectors) and len(scalars) == len(context.scalars):
        return context
    try:
        return Context(tuple(vectors), tuple(scalars), context.positive)
    except LnsymError:
        return context
