r"""Conditions on an identity: assumptions (equations, inequalities) and limits.

* ``alpha > 0`` on a declared scalar becomes a property of its symbol;
* an equation is normalized and solved for one atom (a mean before an inner product before a
  radical), which is then substituted everywhere; a radical :math:`t_f` set to a value also gives
  :math:`f = \text{value}^2`; radicals whose radicand changed are taken anew;
* any other inequality :math:`g \ge 0` is recorded as a nonnegativity fact for the radicals;
* a limit is a substitution where the coefficient is continuous at the limit point (its denominator
  does not vanish there), else SymPy's ``limit``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import sympy
from sympy import Expr, Symbol

from lnsym.algebra import NormalForm, VectorForm, atoms_to_language, power_sum_names
from lnsym.definitions import Kind, n
from lnsym.errors import LnsymError, UnsupportedError
from lnsym.language import Assumption, Context, parse_typed
from lnsym.radicals import Radicals

if TYPE_CHECKING:
    from lnsym.prover import Problem

__all__ = [
    "Substitution",
    "assumption_substitution",
    "coefficient_differences",
    "parse_limits",
    "positivity",
    "take_limits",
]


def coefficient_differences(
    left: VectorForm | Expr, right: VectorForm | Expr
) -> dict[tuple[str, ...], Expr]:
    """LHS − RHS coefficient by coefficient (one entry, key ``("",)``, for scalars)."""
    if isinstance(left, dict) or isinstance(right, dict):
        lf = left if isinstance(left, dict) else {}
        rf = right if isinstance(right, dict) else {}
        return {a: lf.get(a, sympy.S.Zero) - rf.get(a, sympy.S.Zero) for a in {*lf, *rf}}
    return {("",): left - right}


def parse_limits(
    limit: Mapping[str, str | float] | str | Iterable[str] | None, context: Context
) -> tuple[tuple[Symbol, Expr], ...]:
    """``{"eps": 0}`` or ``"eps=0"`` (or a list of such) → ``((eps, 0),)``."""
    if limit is None:
        return ()
    if isinstance(limit, Mapping):
        items = [(str(k), str(v)) for k, v in limit.items()]
    else:
        texts = [limit] if isinstance(limit, str) else list(limit)
        items = []
        for text in texts:
            name, sep, value = text.partition("=")
            if not sep or not name.strip() or not value.strip():
                raise LnsymError(f"cannot read limit {text!r}; write NAME=VALUE, e.g. eps=0")
            items.append((name.strip(), value.strip()))
    out = []
    for name, value in items:
        found = context.symbol(name)
        if found is None or found[1] is not Kind.SCALAR or name == "n":
            raise LnsymError(
                f"cannot take a limit in {name!r}; limits are in eps or a declared scalar (--scalars)"
            )
        if value in ("oo", "inf", "infinity"):
            target: Expr = sympy.oo
        else:
            target, kind = parse_typed(value, Context())
            if kind is not Kind.SCALAR or target.free_symbols:
                raise LnsymError(f"the limit value {value!r} must be a number, e.g. eps=0")
        out.append((found[0], target))
    return tuple(out)


def positivity(assumption: Assumption, context: Context) -> str | None:
    """``alpha > 0`` (or ``0 < alpha``) on a declared scalar → ``"alpha"``."""
    sides = {">": (assumption.lhs, assumption.rhs), "<": (assumption.rhs, assumption.lhs)}
    if assumption.relation not in sides:
        return None
    big, small = sides[assumption.relation]
    if small == 0 and isinstance(big, Symbol) and big.name in context.scalars:
        return big.name
    return None


def take_limits(expr: Expr, limits: tuple[tuple[Symbol, Expr], ...], radicals: Radicals) -> Expr:
    """The limit of one coefficient: substitution where it is continuous, else ``sympy.limit``."""
    for symbol, target in limits:
        canonical = radicals.canonical(expr)
        _, denominator = sympy.fraction(sympy.together(canonical))
        at_target = Substitution(radicals, {symbol: target}) if target.is_finite else None
        if at_target is not None and radicals.reduce(at_target.canonical(denominator)) != 0:
            expr = radicals.restore(at_target.canonical(canonical))  # continuous there
            continue
        direction = "+" if symbol.is_positive or target is sympy.oo else "+-"
        try:
            expr = sympy.limit(radicals.restore(canonical), symbol, target, direction)
        except (NotImplementedError, ValueError, TypeError) as error:
            raise UnsupportedError(f"cannot take the limit {symbol} -> {target}: {error}") from None
        if expr.has(sympy.nan, sympy.zoo) or isinstance(expr, sympy.AccumBounds):
            raise UnsupportedError(f"the limit {symbol} -> {target} does not exist here")
    return expr


class Substitution:
    """Apply the solved assumptions to a coefficient, then reduce it (see :func:`_decide`).

    ``values`` maps atoms to their solved values; ``zero`` names the declared vectors whose centered
    part an assumption sets to zero (``c(x) = 0``): every inner product with them vanishes, and the
    prover drops their basis vectors.
    """

    def __init__(self, radicals: Radicals, values: dict[Symbol, Expr]) -> None:
        self.radicals = radicals
        self.values = values
        self.zero: set[str] = set()

    def _apply(self, expr: Expr) -> Expr:
        out = expr.xreplace(self.values) if self.values else expr
        if self.zero:
            out = out.xreplace(
                {s: sympy.S.Zero for s in out.free_symbols if self.zero & set(power_sum_names(s))}
            )
        return out

    def canonical(self, expr: Expr) -> Expr:
        out = self.radicals.canonical(expr)
        if not self.values and not self.zero:
            return out
        out = self._apply(out)
        # a radical whose radicand changed under the substitution is taken anew
        rewritten: dict[Expr, Expr] = {}
        for t in out.free_symbols & set(self.radicals.radicands):
            radicand = self.radicals.radicands[t]
            new = sympy.expand(self._apply(radicand))
            if new != radicand:
                if t.is_nonnegative:
                    self.radicals.facts.add(new)
                rewritten[t] = sympy.sqrt(new)
        return self.radicals.canonical(out.xreplace(rewritten)) if rewritten else out

    def __call__(self, expr: Expr) -> Expr:
        return self.radicals.reduce(self.canonical(expr))


def assumption_substitution(
    problem: Problem, forms: NormalForm, radicals: Radicals
) -> Substitution:
    values: dict[Symbol, Expr] = {}
    substitution = Substitution(radicals, values)
    for assumption in problem.assumptions:
        if positivity(assumption, problem.context):
            continue  # already a property of the symbol
        differences = coefficient_differences(forms(assumption.lhs), forms(assumption.rhs))
        if problem.dim is not None:
            differences = {a: d.subs(n, problem.dim) for a, d in differences.items()}
        if assumption.relation == "=":
            vanishing = _vanishing_vector({a: substitution(d) for a, d in differences.items()})
            if vanishing is not None:
                substitution.zero.add(vanishing)
                continue
            queue = list(differences.values())
            while queue:
                equation = substitution(queue.pop(0))
                if equation != 0:
                    queue.extend(_solve_into(equation, values, radicals))
        else:
            (difference,) = differences.values()
            oriented = difference if assumption.relation in (">", ">=") else -difference
            radicals.facts.add(substitution.canonical(oriented))
    return substitution


def _vanishing_vector(reduced: dict[tuple[str, ...], Expr]) -> str | None:
    """``k * c(x) = 0`` with a number ``k != 0`` (e.g. ``c(x) = 0``) → ``"x"``; else None."""
    nonzero = [(atom, r) for atom, r in reduced.items() if r != 0]
    if len(nonzero) == 1:
        atom, coefficient = nonzero[0]
        if len(atom) == 1 and atom[0] and coefficient.is_number:
            return atom[0]
    return None


def _solve_into(equation: Expr, values: dict[Symbol, Expr], radicals: Radicals) -> list[Expr]:
    """Solve ``equation = 0`` for one atom and add it to ``values``; returns follow-up equations."""
    for atom in sorted(equation.free_symbols, key=_priority):
        poly = sympy.Poly(equation, atom)
        if poly.degree() == 1:
            slope = poly.coeff_monomial(atom)
            value = sympy.expand(-(equation - slope * atom) / slope)
        elif len(poly.terms()) == 1 and poly.degree() > 0:
            value = sympy.S.Zero  # k * atom**d = 0
        else:
            continue
        if value.has(atom):
            continue
        for key in list(values):
            values[key] = sympy.expand(values[key].xreplace({atom: value}))
        values[atom] = value
        if atom in radicals.radicands:  # t = value also says radicand = value**2
            return [radicals.radicands[atom] - value**2]
        return []
    raise UnsupportedError(
        f"cannot use the assumption {atoms_to_language(radicals.restore(equation))} = 0: "
        "it is not linear in any mean or inner product; state it more directly"
    )


def _priority(symbol: Symbol) -> tuple[int, str]:
    name = str(symbol)
    rank = 0 if name.startswith("mu[") else 2 if name.startswith(("P[", "S[")) else 3
    if name.startswith(("t", "r")) and "[" in name:
        rank = 4
    elif rank == 3:
        rank = 1  # declared scalars
    return rank, name
