r"""How two formulas differ on data: the quantities a difference depends on, and where it vanishes.

Helpers of :func:`lnsym.interp.compare`: high-precision evaluation on fixed data
(:class:`Evaluation`), the outermost scalar quantities of a difference (:func:`scalar_atoms`: means,
lengths, inner products, ε), the minimal sets of conditions (``mu(v) = 0``, ``eps -> 0``) under which
the prover proves the two sides equal (:func:`vanishing_conditions`), and the assumptions a data set
violates (:func:`violated_assumptions`).

>>> from lnsym.lang.parser import parse
>>> [str(a) for a in scalar_atoms(parse("mu(x)*norm(c(x)) + eps"))]
['eps', 'mu(x)', 'norm(c(x))']
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Sequence
from typing import Any

import mpmath
from sympy import Expr, Symbol

from lnsym.errors import LnsymError
from lnsym.lang.definitions import Definition, Kind, Mean, kind_of, n
from lnsym.lang.definitions import eps as EPSILON
from lnsym.lang.parser import Context, parse_assumption
from lnsym.numeric.mpmath_eval import evaluate_mp
from lnsym.prover import prove
from lnsym.prover.verdict import Status

__all__ = [
    "MAX_CONDITIONS",
    "Evaluation",
    "decimal",
    "decimal_text",
    "prover_takes_limits",
    "scalar_atoms",
    "vanishing_conditions",
    "violated_assumptions",
]

#: at most this many candidate conditions are combined when searching where the difference vanishes.
MAX_CONDITIONS = 4


def prover_takes_limits() -> bool:
    """Whether this lnsym's :func:`~lnsym.prover.prove` accepts ``limit=`` (e.g. ``{"eps": 0}``)."""
    return "limit" in inspect.signature(prove).parameters


def decimal_text(value: Any, digits: int) -> str | list[str]:
    """Decimal text with ``digits`` significant digits (scientific below 1e-3)."""
    if isinstance(value, list):
        return [decimal(v, digits) for v in value]
    return decimal(value, digits)


def decimal(value: Any, digits: int) -> str:
    """One number as decimal text with ``digits`` significant digits."""
    return str(mpmath.nstr(value, digits, strip_zeros=True, min_fixed=-3, max_fixed=digits))


class Evaluation:
    """High-precision evaluation on fixed data: ``digits`` shown, twice as many carried."""

    def __init__(self, values: dict[str, Any], n: int, eps: str, digits: int) -> None:
        self.values, self.n, self.eps, self.digits = values, n, eps, digits
        self.precision = 2 * digits + 20

    def raw(self, expr: Expr) -> Any:
        return evaluate_mp(expr, self.values, n=self.n, eps=self.eps, digits=self.precision)

    def __call__(self, expr: Expr) -> str | list[str] | None:
        try:
            with mpmath.workdps(self.precision):
                return decimal_text(self.raw(expr), self.digits)
        except (ZeroDivisionError, ValueError):
            return None


def scalar_atoms(expr: Expr) -> list[Expr]:
    """The outermost scalar definitions (mu(x), norm(c(x)), dot(c(w), c(x)) …) and scalar symbols."""
    found: list[Expr] = []

    def walk(node: Expr) -> None:
        if isinstance(node, Definition) and node.result_kind is Kind.SCALAR:
            if node not in found:
                found.append(node)
            return
        if isinstance(node, Symbol) and kind_of(node) is Kind.SCALAR and node != n:
            if node not in found:
                found.append(node)
            return
        for arg in node.args:
            walk(arg)

    walk(expr)
    return sorted(found, key=lambda e: (e != EPSILON, str(e)))


def vanishing_conditions(
    lhs: Expr,
    rhs: Expr,
    context: Context,
    assume: Sequence[str],
    difference: Expr,
) -> tuple[tuple[str, ...], ...]:
    """Minimal sets of conditions (``mu(v) = 0``, ``eps -> 0``) under which lhs = rhs is proved."""
    candidates = [f"mu({m.args[0]}) = 0" for m in scalar_atoms(difference) if isinstance(m, Mean)]
    if prover_takes_limits() and difference.has(EPSILON):
        candidates.append("eps -> 0")
    candidates = candidates[:MAX_CONDITIONS]
    found: list[tuple[str, ...]] = []
    for size in range(1, len(candidates) + 1):
        for subset in itertools.combinations(candidates, size):
            if any(set(f) <= set(subset) for f in found):
                continue
            options: dict[str, Any] = {}
            if "eps -> 0" in subset:
                options["limit"] = {"eps": 0}
            extra = [c for c in subset if c != "eps -> 0"]
            try:
                proof = prove(
                    lhs,
                    rhs,
                    vectors=context.vectors,
                    scalars=context.scalars,
                    assume=[*assume, *extra],
                    witness=False,
                    **options,
                )
            except LnsymError:
                continue
            if proof.status is Status.PROVED:
                found.append(subset)
    return tuple(found)


def violated_assumptions(
    assume: Sequence[str], context: Context, evaluate: Evaluation, digits: int
) -> tuple[str, ...]:
    """The assumptions that fail on the data (beyond a relative 10^-(digits-5))."""
    out = []
    for text in assume:
        assumption = parse_assumption(text, context)
        try:
            with mpmath.workdps(evaluate.precision):
                left, right = evaluate.raw(assumption.lhs), evaluate.raw(assumption.rhs)
                lefts = left if isinstance(left, list) else [left]
                rights = right if isinstance(right, list) else [right] * len(lefts)
                if len(rights) != len(lefts):  # a vector compared with 0
                    rights = rights * len(lefts)
                tolerance = mpmath.mpf(10) ** (5 - digits)
                ok = all(
                    _holds(p, q, assumption.relation, tolerance * (1 + abs(p) + abs(q)))
                    for p, q in zip(lefts, rights, strict=True)
                )
        except (ZeroDivisionError, ValueError, LnsymError):
            continue  # undefined on the data, or about a name without a value: not checked
        if not ok:
            out.append(assumption.text)
    return tuple(out)


def _holds(p: Any, q: Any, relation: str, slack: Any) -> bool:
    return {
        "=": abs(p - q) <= slack,
        ">": p > q - slack,
        ">=": p >= q - slack,
        "<": p < q + slack,
        "<=": p <= q + slack,
    }[relation]
