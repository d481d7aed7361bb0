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
from sympy.polys.orderings import lex
from sympy.polys.rings import ring as sparse_ring

from lnsym.check.algebra import Field, UndefinedError
from lnsym.check.poly import Poly, poly_to_json
from lnsym.check.reader import CheckerInputError
from lnsym.check.table import NotCheckedError
from lnsym.check.verify import (
    MAX_COMPONENTS,
    RejectedError,
    Setting,
    Verdict,
    check_point,
    check_proof,
    check_refutation,
    run_steps,
)
from lnsym.lang.parser import Assumption, Context, relations
from lnsym.prover.witness import Point, find_point

__all__ = [
    "certify_proof",
    "certify_refutation",
    "domain_point_data",
    "link_steps",
    "statement_data",
]

_MAX_STEPS = 40


def statement_data(
    texts: tuple[Any, Any],
    context: Context,
    assumptions: tuple[Assumption, ...],
    dim: int | None,
    limits: tuple[tuple[str, Any], ...],
    conditions: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The statement as the checker reads it (plain data, JSON-ready)."""
    return {
        "conditions": list(conditions),
        "lhs": str(texts[0]),
        "rhs": str(texts[1]),
        "vectors": list(context.vectors),
        "scalars": list(context.scalars),
        "assume": [a.text for a in assumptions],
        "dim": dim,
        "limits": {str(s): str(v) for s, v in limits},
    }


def certify_proof(
    statement: dict[str, Any],
    context: Context,
    assumptions: tuple[Assumption, ...],
    *,
    hint: Point | None = None,
) -> tuple[dict[str, Any], Verdict]:
    """A certificate for a proof, and the checker's verdict on it (``hint``: the prover's own
    point where the statement is defined, tried first)."""
    given = _point_data(hint) if hint is not None else None
    point = given if given is not None and defined_at(statement, given) else None
    point = point or domain_point_data(statement, context, assumptions)
    best: tuple[dict[str, Any], Verdict] | None = None
    dim = statement.get("dim")
    modes = ["symbolic"] + (
        ["components"] if isinstance(dim, int) and dim <= MAX_COMPONENTS else []
    )
    equations = any(a.relation == "=" for a in assumptions)
    for mode in modes:
        steps = _steps(statement, mode) if equations else []
        certificate = {"mode": mode, "steps": steps, "point": point}
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


def domain_point_data(
    statement: dict[str, Any], context: Context, assumptions: tuple[Assumption, ...]
) -> dict[str, Any] | None:
    """An exact point (checker data) where the assumptions hold and both sides are defined, or
    None if the search finds none (untrusted: the checker re-checks it)."""
    dim = statement.get("dim")
    found: dict[str, Any] | None = None

    def accept(point: Point) -> bool:
        nonlocal found
        candidate = _point_data(point)
        if candidate is not None and defined_at(statement, candidate):
            found = candidate
            return True
        return False

    if not assumptions:  # a plain point first: small distinct integers, eps = 1/10
        for n in (dim,) if dim is not None else (3, 4, 2):
            plain = _plain_point(n, context)
            if defined_at(statement, plain):
                return plain
    dims = (dim,) if dim is not None else (3, 4, 2, 5)
    find_point(context, assumptions, dims, accept=accept, attempts=24)
    if found is None and any("eps" in a.text for a in assumptions):
        for eps in ("1/2", "1", "2", "1/3", "1/4", "3/2"):  # an assumption may pin ε
            find_point(
                context, assumptions, dims, accept=accept, fixed={"eps": sympy.Rational(eps)}
            )
            if found is not None:
                break
    return found or next((p for p in _unit_points(dim, context) if defined_at(statement, p)), None)


def _unit_points(dim: int | None, context: Context) -> Any:
    """Rational points on ‖x‖ = 1 (a solved point there is irrational in general): vectors of
    orthogonal sign patterns ±1/√n at n = 1 or 4, scalars small integers."""
    h, g = "1/2", "-1/2"
    patterns = {4: [[h, h, g, g], [h, g, h, g], [h, g, g, h], [h, h, h, h]], 1: [["1"], ["-1"]]}
    for n, rows in patterns.items():
        for shift in range(len(rows)) if dim in (None, n) else ():
            values: dict[str, Any] = {s: str(k + 1) for k, s in enumerate(context.scalars)}
            values |= {v: rows[(k + shift) % len(rows)] for k, v in enumerate(context.vectors)}
            yield {"n": n, "eps": "1/10", "values": values}


def defined_at(statement: dict[str, Any], point: dict[str, Any]) -> bool:
    """Whether the checker finds that ``point`` satisfies the assumptions and both sides are
    defined there."""
    try:
        check_point(Setting(statement), point)
    except (RejectedError, UndefinedError, CheckerInputError, NotCheckedError):
        return False
    return True


def explore(statement: dict[str, Any], certificate: dict[str, Any]) -> Any:
    """The checker's facts and goals after the certificate's steps (what the search works on)."""
    return run_steps(Setting(statement), certificate)


def _is_equation(text: str) -> bool:
    """Whether the assumption ``text`` is an equation (by the one reading of relations)."""
    return any(relation in ("=", "==") for relation in relations(text))


def _plain_point(n: int, context: Context) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for k, name in enumerate(context.vectors):
        values[name] = [str((3 * i + 2 * k + 1) % 7 - 3 + (i == k)) for i in range(n)]
    for k, name in enumerate(context.scalars):
        values[name] = str(k + 2)
    return {"n": n, "eps": "1/10", "values": values}


def _point_data(point: Point) -> dict[str, Any] | None:
    half = sympy.S.Half

    def rational(value: Any) -> str | None:
        """A rational, or a sum of rational multiples of square roots of rationals (the checker
        reads ``sqrt(3)/2``), as text; None for any other number."""
        if isinstance(value, sympy.Rational):
            return str(value)
        value = sympy.nsimplify(value)
        if isinstance(value, sympy.Rational):
            return str(value)
        if not isinstance(value, sympy.Expr) or not all(
            a.is_Add or a.is_Mul or isinstance(a, sympy.Rational) or (a.is_Pow and a.exp == half)
            for a in sympy.preorder_traversal(value)
        ):
            return None
        return str(value)

    values: dict[str, Any] = {}
    for name, value in point.values.items():
        entries = [rational(v) for v in value] if isinstance(value, list) else rational(value)
        if entries is None or (isinstance(entries, list) and None in entries):
            return None
        values[name] = entries
    eps = rational(point.eps)
    return None if eps is None else {"n": point.n, "eps": eps, "values": values}


def link_steps(statement: dict[str, Any], certificate: dict[str, Any]) -> list[dict[str, Any]]:
    """Steps by which the statement's equations carry an inequality's big − small times ``den``
    to ``num`` (the checker's link of a positivity certificate): one combination of the facts the
    checker makes of them; [] if there are no equations or none is found."""
    if not any(_is_equation(text) for text in statement.get("assume", ())):
        return []
    try:
        state = explore(statement, {**certificate, "steps": []})
        for step in _combinations(state) if any(state.goals) else ():
            if not any(explore(statement, {**certificate, "steps": [step]}).goals):
                return [step]
    except Exception:  # the checker rejects the certificate: no steps (the search is untrusted)
        return []
    return []


def _steps(statement: dict[str, Any], mode: str) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    moving = set(statement.get("limits") or {})  # kept: solved for last, the limit takes them
    statement = dict(statement, limits={})  # the assumptions are used before any limit
    for _ in range(_MAX_STEPS):
        tried: set[str] = set()
        try:
            state = explore(statement, {"mode": mode, "steps": steps})
        except Exception:  # the checker rejects the statement itself: nothing to search
            return steps
        if not any(state.goals):
            return steps
        consumed = {s["fact"] for s in steps if s["kind"] in ("cancel", "root", "split")}
        for step in _proposals(state, moving):
            if step.get("fact") in consumed and step["kind"] in ("cancel", "root", "split"):
                continue
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


def _proposals(state: Any, moving: set[str]) -> list[dict[str, Any]]:
    # under a limit, an equation on its variable is solved for another name first (the checker
    # takes a limit only along such a graph); otherwise the goal straight from the facts, first
    solve = [
        {"kind": "subst", "fact": index, "var": name}
        for index, fact in enumerate(state.facts)
        if fact.variables() & moving
        for name in sorted(fact.variables() - moving, key=_preference)
        if fact.degree(name) == 1
    ]
    out: list[dict[str, Any]] = [*solve, *_combinations(state)]
    field: Field = state.field
    for index, fact in enumerate(state.facts):
        if not fact:
            continue
        for name in sorted(fact.variables(), key=lambda v: (v in moving, _preference(v))):
            if name.startswith("P[") and name[2:-1].split(",")[0] == name[2:-1].split(",")[-1]:
                if fact.variables() == {name} and fact.degree(name) == 1 and not fact.constant():
                    out.append(
                        {"kind": "zero_vector", "fact": index, "vector": name[2:-1].split(",")[0]}
                    )
            if fact.degree(name) == 1:  # a root too: r = v gives its radicand = v² as a fact
                out.append({"kind": "subst", "fact": index, "var": name})
        splits_first = _factored(index, fact, field, state.facts)
        out[:0] = [s for s in splits_first if s["kind"] == "split"]
        out += [s for s in splits_first if s["kind"] != "split"]
    if state.vector_goal and len(state.goals) > 1:
        out.append({"kind": "square_goal"})
    out += _conjugates(state)
    if state.vector_goal and len(state.goals) == 1 and any(state.goals):
        out.append({"kind": "square_goal"})
    return out


def _combinations(state: Any) -> list[dict[str, Any]]:
    """Cofactors of a goal over the facts, by SymPy's division (untrusted, re-multiplied)."""
    facts = [(i, f) for i, f in enumerate(state.facts) if f]
    out = []
    relations = [
        Poly.var(r) ** 2 - p for r, (p, q) in state.field.radicals.items() if q == Poly.const(1)
    ]
    for index, goal in enumerate(state.goals):
        cofactors = _cofactors(goal, facts, relations) if goal and facts else None
        if cofactors is not None:
            out.append({"kind": "combination", "goal": index, "cofactors": cofactors})
    return out


def _conjugates(state: Any) -> list[dict[str, Any]]:
    """A goal ``a·r + b`` linear in a root r: times ``a·r − b`` it is ``a²·r² − b²``, free of r
    after the radical relation; the multiplier must be evidently nonzero."""
    out = []
    field: Field = state.field
    for index, goal in enumerate(state.goals):
        roots = [r for r in goal.variables() if r.startswith("√") and goal.degree(r) == 1]
        for r in roots:
            parts = goal.coefficients_in(r)
            a, b = parts.get(1, Poly()), parts.get(0, Poly())
            multiplier = a * Poly.var(r) - b
            if not (field.nonnegative(multiplier, True) or field.nonnegative(-multiplier, True)):
                continue
            product = field.reduce(multiplier * goal)[0]
            facts = [(i, f) for i, f in enumerate(state.facts) if f]
            cofactors = _cofactors(product, facts)
            if cofactors is not None:
                out.append(
                    {
                        "kind": "combination",
                        "goal": index,
                        "multiplier": poly_to_json(multiplier),
                        "cofactors": cofactors,
                    }
                )
    return out


def _cofactors(
    goal: Poly,
    facts: list[tuple[int, Poly]],
    relations: list[Poly] = (),  # type: ignore[assignment]
) -> list[list[Any]] | None:
    """Cofactors of ``goal`` over the facts; the radical relations r² − radicand may be used
    too (the checker reduces by them itself, so their cofactors are left out)."""
    if not goal:
        return []
    if not facts:
        return None
    cited = len(facts)
    facts = [*facts, *((-1, r) for r in relations)]
    names = sorted(set().union(goal.variables(), *(f.variables() for _, f in facts)))
    # sparse division in lex order (SymPy's reduced() converts through dense forms: slow here)
    ring, *_ = sparse_ring(names, sympy.QQ, lex)
    try:
        quotients, remainder = _in_ring(goal, ring, names).div(
            [_in_ring(f, ring, names) for _, f in facts]
        )
    except Exception:  # SymPy could not divide: no cofactors (the search is untrusted)
        return None
    if remainder != 0:
        return None
    return [
        [i, poly_to_json(_from_ring(q, names))]
        for (i, _), q in zip(facts[:cited], quotients[:cited], strict=True)
        if q != 0
    ]


def _in_ring(p: Poly, ring: Any, names: list[str]) -> Any:
    index = {v: k for k, v in enumerate(names)}
    terms = {}
    for m, c in p.terms.items():
        exponents = [0] * len(names)
        for v, e in m:
            exponents[index[v]] = e
        terms[tuple(exponents)] = sympy.QQ(c.numerator, c.denominator)
    return ring.from_dict(terms)


def _from_ring(q: Any, names: list[str]) -> Poly:
    total = Poly()
    for exponents, c in q.terms():
        term = Poly.const(Fraction(int(c.numerator), int(c.denominator)))
        for name, e in zip(names, exponents, strict=True):
            if e:
                term = term * Poly.var(name) ** e
        total = total + term
    return total


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


def _factored(index: int, fact: Poly, field: Field, facts: list[Poly]) -> list[dict[str, Any]]:
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
    for p, k in polys:  # cancel one factor that is evidently nonzero, or a square sum plus c > 0
        squares, unit = None, None
        if not (field.nonnegative(p, True) or field.nonnegative(-p, True)):
            squares = _positive_squares(p)
            unit = None if squares is not None else _unit(p, facts)
            if squares is None and unit is None:
                continue
        quotient = _product([q**j for q, j in polys if q is not p] + [p ** (k - 1)])
        scale = _ratio(fact, p * quotient)
        if scale is None or not quotient.variables():
            continue
        step = {
            "kind": "cancel",
            "fact": index,
            "factor": poly_to_json(p),
            "quotient": poly_to_json(quotient * scale),
        }
        if squares is not None:
            step["positive"] = squares
        if unit is not None:
            step["unit"] = unit
        out.append(step)
    completed = _squares(fact, field)
    if completed is not None and len(completed[0]) + len(completed[2]) > 1:
        terms, constant, monomials = completed
        one = poly_to_json(Poly.const(1))
        split = [[str(w), one, poly_to_json(s)] for w, s in terms]
        split += [[str(c), poly_to_json(m), one] for c, m in monomials]
        if constant > 0:
            split.append([str(constant), one, one])
        out.append({"kind": "split", "fact": index, "terms": split})
    return out


def _unit(p: Poly, facts: list[Poly]) -> list[Any] | None:
    """A fact ``p·k − c`` (c a nonzero constant) shows p != 0: [its index, k]."""
    for index, fact in enumerate(facts):
        c = fact.constant()
        if not c or not fact:
            continue
        quotient = _exact_quotient(fact - c, p)
        if quotient is not None:
            return [index, poly_to_json(quotient)]
    return None


def _exact_quotient(p: Poly, q: Poly) -> Poly | None:
    names = sorted(p.variables() | q.variables())
    if not names:
        return None
    symbols = [sympy.Symbol(f"v{i}") for i in range(len(names))]
    try:
        quotient, remainder = sympy.div(
            _to_sympy(p, symbols, names), _to_sympy(q, symbols, names), *symbols
        )
    except (sympy.PolynomialError, ValueError, ZeroDivisionError):
        return None
    return _from_sympy(quotient, symbols, names) if remainder == 0 else None


def _squares(
    p: Poly, field: Field | None = None
) -> tuple[list[tuple[Fraction, Poly]], Fraction, list[tuple[Fraction, Poly]]] | None:
    """``p = Σ a_j s_j² + Σ c_k m_k + c`` by completing squares one variable at a time (a_j > 0,
    c >= 0), the m_k monomials evidently >= 0 (by ``field``)."""
    terms: list[tuple[Fraction, Poly]] = []
    for _ in range(12):
        if p.is_constant():
            return (terms, p.constant(), []) if p.constant() >= 0 else None
        rest = p - p.constant()
        if field is not None and p.constant() >= 0 and field.nonnegative(rest):
            monomials = [(c, Poly({m: Fraction(1)})) for m, c in rest.terms.items()]
            if all(c > 0 and field.nonnegative(m) for c, m in monomials):
                return terms, p.constant(), monomials
        name = next((v for v in sorted(p.variables()) if p.degree(v) == 2), None)
        if name is None:
            return None
        parts = p.coefficients_in(name)
        a = parts[2]
        if not a.is_constant() or a.constant() <= 0:
            return None
        half = parts.get(1, Poly()) * (1 / (2 * a.constant()))
        square = Poly.var(name) + half
        terms.append((a.constant(), square))
        p = p - square * square * a.constant()
    return None


def _positive_squares(p: Poly) -> list[list[Any]] | None:
    found = _squares(p)
    if found is None or found[1] <= 0 or found[2]:
        return None
    one = poly_to_json(Poly.const(1))
    return [[str(w), one, poly_to_json(s)] for w, s in found[0]]


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
