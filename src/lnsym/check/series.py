r"""Series: an expansion ``F = Σ_k a_k s^k + O(s^M)`` re-checked from the checked limits it rests on.

The series data names ``expr`` (F), the variable ``variable`` (``eps`` or a declared scalar), the
declarations, the ``coefficients`` a_0 … a_{M-1} as text, the ``conditions`` (each ``f != 0``) and,
in powers of √ε, ``half``: the name of a positive scalar t with ε = t² (then G(t) = F(t²) is the
function expanded, and the term of power k is a_k ε^{k/2}; else G = F and s is the variable).

Each of the M + 1 ``terms`` is a proof record ``{"statement", "certificate"}`` of
:mod:`lnsym.check.verify`. Term k (k < M) must be the checked limit ``D^k G / k! → a_k`` as s → 0,
and term M the remainder's, a checked *finite* limit of ``D^M G / M!``. The checker builds
``D^k G / k!`` itself, from F's text and its own differentiation, and requires the proved left side to
equal it identically (its own zero test): the proofs are about *this* series, not another one.

With the limits of G, G', …, G^{(M)} finite at 0, and G smooth on some (0, h) (every denominator
stays nonzero at the limit, which each limit check established), Taylor's theorem with the Lagrange
remainder gives :math:`|G(s) - \sum_{k<M} a_k s^k| \le \sup_{(0,s)} |G^{(M)}|\, s^M / M!`, i.e.
:math:`O(s^M)`, the order the series states.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from lnsym.check.reader import Tree, read
from lnsym.check.table import NotCheckedError, Symbolic, evaluate, replaced
from lnsym.check.verify import (
    RejectedError,
    Setting,
    Verdict,
    check_proof,
    depends,
    entries,
    numerators,
    side_difference,
    verdict_of,
)

__all__ = ["check_series"]


def check_series(series: dict[str, Any], terms: list[dict[str, Any]]) -> Verdict:
    """Re-check an expansion from the proofs of its coefficients and of its remainder (above)."""
    return verdict_of("the series or a term", _check, series, terms)


def _check(series: dict[str, Any], terms: list[dict[str, Any]]) -> None:
    coefficients, half = list(series["coefficients"]), series.get("half")
    variable = str(series["variable"])
    s = str(half) if half is not None else variable
    if half is not None and variable != "eps":
        raise RejectedError("an expansion in powers of a root is one of sqrt(eps)")
    if not isinstance(terms, list) or len(terms) != len(coefficients) + 1 or not coefficients:
        raise RejectedError("a series needs one proof per coefficient and one for the remainder")
    scalars = [*series.get("scalars", ()), *([s] if half is not None else [])]
    assume = [*series.get("assume", ()), *([f"{s} > 0"] if half is not None else [])]
    stated = set(series.get("conditions", ()))
    f = read(series["expr"])
    for k, term in enumerate(terms):
        statement = term["statement"]
        same = (
            statement.get("limits") == {s: "0"}
            and list(statement.get("vectors", ())) == list(series.get("vectors", ()))
            and list(statement.get("scalars", ())) == scalars
            and list(statement.get("assume", ())) == assume
            and statement.get("dim") is None
            and set(statement.get("conditions", ())) <= stated
        )
        if not same:
            raise RejectedError(f"term {k} is a limit under other names, assumptions or conditions")
        if k < len(coefficients) and statement["rhs"] != coefficients[k]:
            raise RejectedError(f"term {k} proves another coefficient than the series states")
        if _moves(statement, s):  # lim (D^k G/k! − a) = 0 says nothing if a moves with s
            raise RejectedError(f"term {k}'s limit depends on {s}: it is not a coefficient")
        verdict = check_proof(statement, term["certificate"])
        if not verdict.accepted:
            if not verdict.checked:
                raise NotCheckedError(f"term {k}: {verdict.reason}")
            raise RejectedError(f"term {k}: {verdict.reason}")
        _same_derivative(statement, f, s, k, half is not None)


def _moves(statement: dict[str, Any], s: str) -> bool:
    """Whether the proved right side depends on ``s`` (through a root's radicand too)."""
    setting = Setting({**statement, "limits": {}})
    field = setting.field()
    alg = Symbolic(field, None)
    value = evaluate(setting.rhs, alg, setting.env(alg, field))
    return any(s in depends(field, p) for e in entries(value) for p in (e.num, e.den))


def _same_derivative(statement: dict[str, Any], f: Tree, s: str, k: int, half: bool) -> None:
    """The proved left side is ``D^k G / k!`` identically, G = F (or F with ε = s²)."""
    setting = Setting({**statement, "limits": {}})
    field = setting.field()
    alg = Symbolic(field, None)
    env = setting.env(alg, field)
    built = replaced(f, "eps", ("op", "**", ("name", s), ("num", Fraction(2)))) if half else f
    for _ in range(k):
        built = ("call", "diff", (built, ("name", s)))
    built = ("op", "/", built, ("num", Fraction(math.factorial(k))))
    gap = side_difference(alg, evaluate(built, alg, env), evaluate(setting.lhs, alg, env))
    if any(numerators(gap)):
        raise RejectedError(f"term {k} is not the limit of D^{k} G / {k}! of the series")
