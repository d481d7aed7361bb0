"""Certificates for the checker: untrusted search, so that :mod:`lnsym.check` can re-verify.

For a proof it finds the checker's mode, the steps by which the assumptions are used (greedy: a
linear equation solved for one atom, ‖c(v)‖² = 0, a power or a product with a nonzero factor; SymPy
factors, the checker re-multiplies) and a point where the assumptions hold and both sides are
defined. For a refutation it hands over the witness's exact point. Nothing here is trusted: a wrong
certificate is rejected by the checker and the verdict becomes unknown.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy

from lnsym.check.algebra import Field
from lnsym.check.poly import Poly
from lnsym.check.verify import (
    MAX_COMPONENTS,
    Verdict,
    check_proof,
    check_refutation,
    defined_at,
    explore,
    poly_to_json,
)
from lnsym.lang.parser import Assumption, Context
from lnsym.prover.witness import Point, find_point

__all__ = ["certify_proof", "certify_refutation", "statement_data"]

_MAX_STEPS = 40


def statement_data(
    texts: tuple[Any, Any],
    context: Context,
    assumptions: tuple[Assumption, ...],
    dim: int | None,
    limits: tuple[tuple[str, Any], ...],
) -> dict[str, Any]:
    """The statement as the checker reads it (plain data, JSON-ready)."""
    return {
        "lhs": str(texts[0]),
        "rhs": str(texts[1]),
        "vectors": list(context.vectors),
        "scalars": list(context.scalars),
        "assume": [a.text for a in assumptions],
        "dim": dim,
        "limits": {str(s): str(v) for s, v in limits},
    }


def certify_proof(
    statement: dict[str, Any], context: Context, assumptions: tuple[Assumption, ...]
) -> tuple[dict[str, Any], Verdict]:
    """A certificate for a proof, and the checker's verdict on it."""
    point = _point(statement, context, assumptions)
    best: tuple[dict[str, Any], Verdict] | None = None
    dim = statement.get("dim")
    modes = ["symbolic"] + (["components"] if isinstance(dim, int) and dim <= MAX_COMPONENTS else [])
    for mode in modes:
        certificate = {"mode": mode, "steps": _steps(statement, mode), "point": point}
        verdict = check_proof(statement, certificate)
        if verdict.accepted or not verdict.checked:
            return certificate, verdict
        best = best or (certificate, verdict)
    assert best is not None
    return best


def certify_refutation(statement: dict[str, Any], witness: Any) -> tuple[dict[str, Any], Verdict]:
    exact = dict(witness.exact)
    point = {
        "n": witness.n,
        "eps": str(exact.pop("eps", witness.eps)),
        "values": {k: v for k, v in exact.items()},
    }
    return point, check_refutation(statement, point)


def _point(
    statement: dict[str, Any], context: Context, assumptions: tuple[Assumption, ...]
) -> dict[str, Any] | None:
    dim = statement.get("dim")
    found: dict[str, Any] | None = None

    def accept(point: Point) -> bool:
        nonlocal found
        candidate = _point_data(point)
        if candidate is not None and defined_at(statement, candidate):
            found = candidate
            return True
        return False

    dims = (dim,) if dim is not None else (3, 4, 2, 5)
    find_point(context, assumptions, dims, accept=accept, attempts=24)
    if found is None and any("eps" in a.text for a in assumptions):
        for eps in ("1/2", "1", "2", "1/3", "1/4", "3/2"):  # an assumption may pin ε
            find_point(context, assumptions, dims, accept=accept, fixed={"eps": sympy.Rational(eps)})
            if found is not None:
                break
    return found


def _point_data(point: Point) -> dict[str, Any] | None:
    def rational(value: Any) -> str | None:
        value = sympy.nsimplify(value) if not isinstance(value, sympy.Rational) else value
        return str(value) if isinstance(value, sympy.Rational) else None

    values: dict[str, Any] = {}
    for name, value in point.values.items():
        entries = [rational(v) for v in value] if isinstance(value, list) else rational(value)
        if entries is None or (isinstance(entries, list) and None in entries):
            return None
        values[name] = entries
    eps = rational(point.eps)
    return None if eps is None else {"n": point.n, "eps": eps, "values": values}


def _steps(statement: dict[str, Any], mode: str) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    for _ in range(_MAX_STEPS):
        tried: set[str] = set()
        try:
            state = explore(statement, {"mode": mode, "steps": steps})
        except Exception:  # the checker rejects the statement itself: nothing to search
            return steps
        if not any(state.goals):
            return steps
        for step in _proposals(state):
            key = repr(step)
            if key in tried:
                continue
            tried.add(key)
            try:
                explore(statement, {"mode": mode, "steps": [*steps, step]})
            except Exception:
                continue
            steps.append(step)
            break
        else:
            return steps
    return steps


def _proposals(state: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    field: Field = state.field
    for index, fact in enumerate(state.facts):
        if not fact:
            continue
        for name in sorted(fact.variables(), key=_preference):
            if name.startswith("P[") and name[2:-1].split(",")[0] == name[2:-1].split(",")[-1]:
                if fact.variables() == {name} and fact.degree(name) == 1 and not fact.constant():
                    out.append({"kind": "zero_vector", "fact": index, "vector": name[2:-1].split(",")[0]})
            if fact.degree(name) == 1 and not name.startswith("√"):
                out.append({"kind": "subst", "fact": index, "var": name})
        out += _factored(index, fact, field)
    if state.vector_goal and len(state.goals) > 1:
        out.append({"kind": "square_goal"})
    out += _combinations(state)
    if state.vector_goal and len(state.goals) == 1 and any(state.goals):
        out.append({"kind": "square_goal"})
    return out


def _combinations(state: Any) -> list[dict[str, Any]]:
    """Cofactors of a goal over the facts, by SymPy's division (untrusted, re-multiplied)."""
    facts = [(i, f) for i, f in enumerate(state.facts) if f]
    if not facts:
        return []
    out = []
    for index, goal in enumerate(state.goals):
        if not goal:
            continue
        names = sorted(set().union(goal.variables(), *(f.variables() for _, f in facts)))
        symbols = [sympy.Symbol(f"v{i}") for i in range(len(names))]
        try:
            quotients, remainder = sympy.reduced(
                _to_sympy(goal, symbols, names),
                [_to_sympy(f, symbols, names) for _, f in facts],
                *symbols,
            )
        except (sympy.PolynomialError, ValueError, ZeroDivisionError):
            continue
        if remainder != 0:
            continue
        cofactors = [
            [i, poly_to_json(_from_sympy(q, symbols, names))]
            for (i, _), q in zip(facts, quotients, strict=True)
            if q != 0
        ]
        out.append({"kind": "combination", "goal": index, "cofactors": cofactors})
    return out


def _to_sympy(p: Poly, symbols: list[Any], names: list[str]) -> Any:
    return sympy.Add(
        *(
            sympy.Rational(c.numerator, c.denominator)
            * sympy.Mul(*(symbols[names.index(v)] ** e for v, e in m))
            for m, c in p.terms.items()
        )
    )


def _preference(name: str) -> tuple[int, str]:
    order = ("[", "mu[", "P[", "S[")
    if "[" in name and not name.startswith(("mu[", "P[", "S[")):
        return (0, name)  # a component x[i]
    return (next((i for i, p in enumerate(order) if name.startswith(p)), len(order)) + 1, name)


def _factored(index: int, fact: Poly, field: Field) -> list[dict[str, Any]]:
    names = sorted(fact.variables())
    symbols = [sympy.Symbol(f"v{i}") for i in range(len(names))]
    expression = _to_sympy(fact, symbols, names)
    try:
        _, factors = sympy.factor_list(expression, *symbols)
    except (sympy.PolynomialError, ValueError):
        return []
    polys = [(_from_sympy(f, symbols, names), int(k)) for f, k in factors]
    out: list[dict[str, Any]] = []
    if len(polys) == 1 and polys[0][1] > 1:
        base, power = polys[0]
        out.append({"kind": "root", "fact": index, "base": poly_to_json(base), "power": power})
    nonzero = [p**k for p, k in polys if field.nonnegative(p, True) or field.nonnegative(-p, True)]
    rest = [p**k for p, k in polys if not (field.nonnegative(p, True) or field.nonnegative(-p, True))]
    if nonzero and rest:
        factor = _product(nonzero)
        quotient = _product(rest)
        scale = _ratio(fact, factor * quotient)
        if scale is not None:
            out.append(
                {
                    "kind": "cancel",
                    "fact": index,
                    "factor": poly_to_json(factor * scale),
                    "quotient": poly_to_json(quotient),
                }
            )
    return out


def _product(polys: list[Poly]) -> Poly:
    result = Poly.const(1)
    for p in polys:
        result = result * p
    return result


def _ratio(p: Poly, q: Poly) -> Fraction | None:
    if not q:
        return None
    (m, c), *_ = sorted(q.terms.items())
    if m not in p.terms:
        return None
    ratio = p.terms[m] / c
    return ratio if p == q * ratio else None


def _from_sympy(expr: Any, symbols: list[Any], names: list[str]) -> Poly:
    poly = sympy.Poly(expr, *symbols)
    total = Poly()
    for exponents, coefficient in poly.terms():
        term = Poly.const(Fraction(int(coefficient.p), int(coefficient.q)))
        for name, e in zip(names, exponents, strict=True):
            if e:
                term = term * Poly.var(name) ** e
        total = total + term
    return total
