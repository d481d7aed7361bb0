"""Refutation witnesses: concrete n, ε and values at which two expressions differ.

Candidates are drawn from a fixed-seed generator (small integers first, so witnesses are readable),
adjusted to satisfy equality assumptions with :func:`mpmath.findroot`, filtered by inequality
assumptions, and both sides are evaluated with :func:`lnsym.highprec.evaluate_mp` at 50 significant
digits. A candidate is a witness only if the sides differ by more than 10^-20 relative, which is far
beyond the rounding of a 50-digit evaluation.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import mpmath
from sympy import Expr

from lnsym.highprec import evaluate_mp
from lnsym.language import Assumption, Context
from lnsym.proof import Witness

__all__ = ["find_witness", "separates"]

DIGITS = 50
#: relative difference that counts as "far beyond rounding" at 50 digits.
THRESHOLD = mpmath.mpf("1e-20")
_DIMENSIONS = (4, 3, 5, 2, 6, 1)
_EPSILONS = ("0.1", "1", "0.001")


def find_witness(
    lhs: Expr,
    rhs: Expr,
    context: Context,
    assumptions: Sequence[Assumption] = (),
    dim: int | None = None,
    *,
    attempts: int = 24,
    seed: int = 0,
    fixed: dict[str, str] | None = None,
) -> Witness | None:
    """A :class:`~lnsym.proof.Witness` separating ``lhs`` and ``rhs``, or None if none was found.

    ``fixed`` pins ``eps`` or declared scalars to given values (a limit is evaluated at its value).
    """
    rng = random.Random(seed)
    fixed = fixed or {}
    dims = (dim,) if dim is not None else _DIMENSIONS
    for attempt in range(attempts):
        n = dims[attempt % len(dims)]
        eps = fixed.get("eps", _EPSILONS[(attempt // len(dims)) % len(_EPSILONS)])
        values = _draw(context, n, rng, integers=attempt < attempts // 2)
        values.update({k: v for k, v in fixed.items() if k != "eps"})
        if not _satisfy(values, context, assumptions, n, eps):
            continue
        witness = _compare(lhs, rhs, values, n, eps)
        if witness is not None:
            return witness
    return None


def separates(witness: Witness, lhs: Expr, rhs: Expr) -> bool:
    """Re-check a witness independently: do ``lhs`` and ``rhs`` differ at its values?"""
    return _compare(lhs, rhs, dict(witness.values), witness.n, witness.eps) is not None


def _draw(context: Context, n: int, rng: random.Random, *, integers: bool) -> dict[str, Any]:
    def number(positive: bool = False) -> str:
        sign = 1 if positive or rng.random() < 0.6 else -1
        if integers:
            return str(sign * rng.choice([1, 2, 3, 4, 5]))
        return f"{sign * rng.uniform(0.2, 3.0):.6f}"

    values: dict[str, Any] = {}
    for name in context.vectors:
        entries = [
            str(rng.randint(-4, 5)) if integers else f"{rng.gauss(0, 2):.6f}" for _ in range(n)
        ]
        if n > 1 and len(set(entries)) == 1:  # keep c(x) != 0
            entries[0] = str(int(entries[0]) + 1) if integers else f"{float(entries[0]) + 1:.6f}"
        values[name] = entries
    for name in context.scalars:
        values[name] = number(positive=name in context.positive)
    return values


def _residuals(
    assumptions: Sequence[Assumption], values: dict[str, Any], n: int, eps: str
) -> list[Any]:
    out: list[Any] = []
    for a in assumptions:
        if a.relation != "=":
            continue
        pairs = _pairs(
            evaluate_mp(a.lhs, values, n=n, eps=eps, digits=DIGITS),
            evaluate_mp(a.rhs, values, n=n, eps=eps, digits=DIGITS),
            n,
        )
        out.extend(p - q for p, q in pairs)
    return out


def _satisfy(
    values: dict[str, Any],
    context: Context,
    assumptions: Sequence[Assumption],
    n: int,
    eps: str,
) -> bool:
    """Adjust ``values`` in place to meet the equalities; then check every assumption."""
    try:
        if any(a.relation == "=" for a in assumptions):
            _solve(values, context, assumptions, n, eps)
        return all(_holds(a, values, n, eps) for a in assumptions)
    except (ZeroDivisionError, ValueError, TypeError, ArithmeticError):
        return False


def _solve(
    values: dict[str, Any], context: Context, assumptions: Sequence[Assumption], n: int, eps: str
) -> None:
    count = len(_residuals(assumptions, values, n, eps))
    unknowns: list[tuple[str, int | None]] = [
        (name, i) for i in range(n) for name in context.vectors
    ] + [(name, None) for name in context.scalars if name not in context.positive]
    if count > len(unknowns):
        raise ValueError("more equations than unknowns")
    chosen = unknowns[:count]

    def assign(*xs: Any) -> None:
        for (name, index), x in zip(chosen, xs, strict=True):
            if index is None:
                values[name] = x
            else:
                values[name] = [*values[name][:index], x, *values[name][index + 1 :]]

    def system(*xs: Any) -> Any:
        assign(*xs)
        residuals = _residuals(assumptions, values, n, eps)
        return residuals if len(residuals) > 1 else residuals[0]

    with mpmath.workdps(DIGITS + 10):
        start = [
            mpmath.mpf(values[name] if index is None else values[name][index])
            for name, index in chosen
        ]
        root = mpmath.findroot(
            system, start if len(start) > 1 else start[0], tol=mpmath.mpf(10) ** -(DIGITS + 5)
        )
        roots = list(root) if isinstance(root, mpmath.matrix) else [root]
        if any(isinstance(r, mpmath.mpc) for r in roots):
            raise ValueError("complex root")
        assign(*(mpmath.nstr(r, DIGITS + 5) for r in roots))


def _holds(a: Assumption, values: dict[str, Any], n: int, eps: str) -> bool:
    pairs = _pairs(
        evaluate_mp(a.lhs, values, n=n, eps=eps, digits=DIGITS),
        evaluate_mp(a.rhs, values, n=n, eps=eps, digits=DIGITS),
        n,
    )
    if any(isinstance(v, mpmath.mpc) for pair in pairs for v in pair):
        return False
    tolerance = mpmath.mpf(10) ** -(DIGITS - 10)
    checks = {
        "=": lambda p, q: abs(p - q) <= tolerance * max(1, abs(p), abs(q)),
        ">": lambda p, q: p > q,
        ">=": lambda p, q: p >= q,
        "<": lambda p, q: p < q,
        "<=": lambda p, q: p <= q,
    }
    return all(checks[a.relation](p, q) for p, q in pairs)


def _pairs(left: Any, right: Any, n: int) -> list[tuple[Any, Any]]:
    """Entry by entry; a scalar met by a vector (the literal 0 against c(x)) stands for n entries."""
    if not isinstance(left, list) and not isinstance(right, list):
        return [(left, right)]
    left = left if isinstance(left, list) else [left] * n
    right = right if isinstance(right, list) else [right] * n
    return list(zip(left, right, strict=True))


def _compare(lhs: Expr, rhs: Expr, values: dict[str, Any], n: int, eps: str) -> Witness | None:
    try:
        left = evaluate_mp(lhs, values, n=n, eps=eps, digits=DIGITS)
        right = evaluate_mp(rhs, values, n=n, eps=eps, digits=DIGITS)
    except (ZeroDivisionError, ValueError, TypeError, ArithmeticError):
        return None
    pairs = _pairs(left, right, n)
    if any(isinstance(v, mpmath.mpc) or not mpmath.isfinite(v) for pair in pairs for v in pair):
        return None
    if not any(abs(p - q) > THRESHOLD * max(1, abs(p), abs(q)) for p, q in pairs):
        return None

    def text(value: Any) -> Any:
        if isinstance(value, list):
            return [text(v) for v in value]
        if isinstance(value, str):
            return value
        return mpmath.nstr(value, DIGITS, min_fixed=-10, max_fixed=30)

    return Witness(
        n=n,
        eps=eps,
        values={k: text(v) for k, v in values.items()},
        lhs=text(left),
        rhs=text(right),
        digits=DIGITS,
    )
