"""A request read and type-checked: both sides, the context, the assumptions, the dimension and the
limits, before anything is decided (:func:`setup`). :mod:`lnsym.prover.decide` decides identities
from it and :mod:`lnsym.prover.inequalities` inequalities."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import sympy
from sympy import Expr, Symbol

from lnsym.errors import LnsymError, TypeMismatchError, argument
from lnsym.lang.definitions import Kind, kind_of, scalar_symbol
from lnsym.lang.names import resolve
from lnsym.lang.parser import Assumption, Context, parse_assumption, parse_names, parse_typed
from lnsym.prover.assumptions import positivity
from lnsym.prover.inverses import cancel_inverses
from lnsym.prover.limits import parse_limits
from lnsym.records import FrozenRecord, replace

__all__ = ["MAX_DIM", "Problem", "setup"]

#: the largest explicit dimension accepted.
MAX_DIM = 1_000_000


class Problem(FrozenRecord):
    """A parsed request: both sides, the context, the assumptions, the dimension and limits."""

    __match_args__ = ("lhs", "rhs", "context", "assumptions", "dim", "limits", "texts")
    __slots__ = __match_args__
    lhs: Expr
    rhs: Expr
    context: Context
    assumptions: tuple[Assumption, ...]
    dim: int | None
    #: limits ``(symbol, value)``, taken one after the other (``eps`` tends to its value from above).
    limits: tuple[tuple[Symbol, Expr], ...]
    #: the sides as the caller gave them (text, or SymPy expressions).
    texts: tuple[str | Expr, str | Expr]

    def __init__(
        self,
        lhs: Expr,
        rhs: Expr,
        context: Context,
        assumptions: tuple[Assumption, ...],
        dim: int | None,
        limits: tuple[tuple[Symbol, Expr], ...] = (),
        texts: tuple[str | Expr, str | Expr] = ("", ""),
    ) -> None:
        self._set(
            lhs=lhs,
            rhs=rhs,
            context=context,
            assumptions=assumptions,
            dim=dim,
            limits=limits,
            texts=texts,
        )


def setup(
    lhs: str | Expr,
    rhs: str | Expr,
    *,
    vectors: str | Iterable[str] | None = None,
    scalars: str | Iterable[str] | None = None,
    assume: str | Iterable[str] | None = (),
    dim: int | None = None,
    limit: Mapping[str, str | float] | str | Iterable[str] | None = None,
) -> Problem:
    """Parse and type-check a request without proving it."""
    for which, side in (("lhs", lhs), ("rhs", rhs)):
        if not isinstance(side, str | int | float | sympy.Basic) or isinstance(side, bool):
            raise LnsymError(
                f"{argument(which)} must be a string such as 'LN(x)' or a SymPy expression, "
                f"not {type(side).__name__}"
            )
    texts = _texts("assume", assume)
    context = resolve(
        [(lhs, rhs), *texts],
        vectors=parse_names(vectors, "vectors") if vectors is not None else None,
        scalars=parse_names(scalars, "scalars"),
    )
    parsed = [parse_assumption(t, context) for t in texts]
    left, left_kind = _typed(lhs, context, "lhs")
    right, right_kind = _typed(rhs, context, "rhs")
    if left_kind is not right_kind and left != 0 and right != 0:
        raise TypeMismatchError(
            f"cannot compare a {left_kind.value} ({left}) with a {right_kind.value} ({right})"
        )
    positive = {name for a in parsed if (name := positivity(a, context))}
    if positive:  # 'alpha > 0' makes the symbol alpha positive, in the sides and the assumptions
        context = context.with_positive(positive)
        swap = {scalar_symbol(name): scalar_symbol(name, positive=True) for name in positive}
        left, right = left.xreplace(swap), right.xreplace(swap)
        parsed = [replace(a, lhs=a.lhs.xreplace(swap), rhs=a.rhs.xreplace(swap)) for a in parsed]
    if dim is not None and (not isinstance(dim, int) or isinstance(dim, bool) or dim < 1):
        raise LnsymError(f"{argument('dim')} must be a positive integer, not {dim!r}")
    if dim is not None and dim > MAX_DIM:
        raise LnsymError(
            f"{argument('dim')} {dim} is too large; lnsym accepts dimensions up to {MAX_DIM}"
        )
    limits = parse_limits(limit, context)
    left, right, _, _ = cancel_inverses(left, right, tuple(parsed))  # h ⊙ g = ones
    return Problem(left, right, context, tuple(parsed), dim, limits, (lhs, rhs))


def _texts(name: str, value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable) and not isinstance(value, bytes | Mapping):
        items = list(value)
        if all(isinstance(item, str) for item in items):
            return items
    raise LnsymError(
        f"{argument(name)} takes a string such as 'mu(x) = 0' or a list of such strings, "
        f"not {type(value).__name__}"
    )


def _typed(side: str | Expr, context: Context, name: str) -> tuple[Expr, Kind]:
    if isinstance(side, str):
        return parse_typed(side, context)
    if isinstance(side, int | float) and not isinstance(side, bool):
        return sympy.sympify(side), Kind.SCALAR
    if isinstance(side, sympy.Basic):
        return side, kind_of(side)
    raise LnsymError(
        f"{argument(name)} must be a string such as 'LN(x)' or a SymPy expression, "
        f"not {type(side).__name__}"
    )
