r"""Assumptions (``--assume``): equations and inequalities, used soundly.

**Equations.** An equation is normalized (:mod:`lnsym.prover.normal_form`) into polynomial equations in the atoms;
a vector equation :math:`V = 0` becomes :math:`\langle V, B\rangle = 0` for every basis vector
:math:`B` of :math:`V` — together exactly equivalent to :math:`V = 0`, since
:math:`\lVert V\rVert^2 = \sum_B k_B \langle V, B\rangle`. Each polynomial equation is then used only
through steps that are equivalences on the real points where the assumptions hold:

* a sum of nonnegative terms is zero exactly when every term is;
* a product is zero exactly when one factor is: factors *known* to be non-zero (numbers, positive
  symbols such as n, ε or a scalar assumed > 0, strict inequality assumptions) are dropped; with two
  or more factors of unknown sign left (a zero divisor such as ``alpha*mu(x) = 0``) nothing is
  divided and the equation is kept unused;
* an equation linear in one atom whose coefficient is known non-zero is solved for that atom and
  substituted everywhere (a radical :math:`t_f` set to a value also gives :math:`f = \text{value}^2`);
* :math:`\lVert c(v)\rVert^2 = 0` makes :math:`c(v)` the zero vector: every inner product and
  elementwise product with it vanishes.

Every step is recorded as a :class:`Step` of the proof's certificate, checkable by polynomial
expansion. An equation that reduces to a non-zero constant makes the assumptions inconsistent (an
error, not a proof).

**Inequalities.** ``alpha > 0`` on a declared scalar becomes a property of its symbol; any other
:math:`g \ge 0` (or :math:`> 0`) is a nonnegativity fact for the radicals (a strict one also makes
:math:`g` non-zero).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sympy
from sympy import Expr, Symbol

from lnsym.errors import LnsymError, argument
from lnsym.lang.definitions import eps, n
from lnsym.lang.parser import Assumption, Context
from lnsym.prover.normal_form import (
    SCALAR,
    MeanAtom,
    NormalForm,
    PowerSum,
    VectorForm,
    atoms_to_language,
    power_sum,
    power_sum_names,
)
from lnsym.prover.radicals import Radical, Radicals
from lnsym.prover.squares import never_zero, sum_of_squares
from lnsym.records import FrozenRecord, Record, replace

__all__ = [
    "Knowledge",
    "Step",
    "Substitution",
    "apply_assumptions",
    "coefficient_differences",
    "known_nonzero",
    "positivity",
]


def coefficient_differences(
    left: VectorForm | Expr, right: VectorForm | Expr
) -> dict[tuple[str, ...], Expr]:
    """LHS − RHS coefficient by coefficient (one entry, key :data:`SCALAR`, for scalars)."""
    if isinstance(left, dict) or isinstance(right, dict):
        lf = left if isinstance(left, dict) else {}
        rf = right if isinstance(right, dict) else {}
        return {a: lf.get(a, sympy.S.Zero) - rf.get(a, sympy.S.Zero) for a in {*lf, *rf}}
    return {SCALAR: left - right}


# --------------------------------------------------------------------------------------------------
# assumptions
# --------------------------------------------------------------------------------------------------


class Step(FrozenRecord):
    r"""One step of a certificate: ``equation = 0`` is used as ``atom = value``.

    Each kind records an identity that :meth:`check` re-verifies by expansion alone:

    * ``"solve"``: ``equation == nonzero * (slope * (atom - value))**power`` identically, and
      ``nonzero * slope`` is a product of factors known to be non-zero (numbers, positive symbols,
      polynomials without a real root, or quantities the strict inequalities ``facts`` make
      positive), so ``equation = 0`` exactly when ``atom = value``;
    * ``"zero-vector"``: ``atom`` is :math:`\lVert c(v)\rVert^2`, ``value`` 0: then :math:`c(v) = 0`;
    * ``"split"``: ``equation`` is ± the sum of ``terms``, each visibly nonnegative (a square, an
      even power, a nonnegative atom, a rational ≥ 0 times such), so each term vanishes; ``atom`` is
      one of them and ``value`` is 0;
    * ``"ideal"``: ``equation`` lies in the ideal of ``generators`` (the unused equations and
      :math:`t^2 - f` for the radicals), so it vanishes wherever they do;
    * ``"implied"``: ``equation`` lies in the ideal of ``generators`` *and* factors as for
      ``"solve"``, with ``nonzero`` never zero on the atom's domain: so ``atom = value`` follows.
    """

    __match_args__ = (
        "kind",
        "source",
        "equation",
        "atom",
        "value",
        "nonzero",
        "slope",
        "generators",
        "power",
        "terms",
        "facts",
    )
    __slots__ = __match_args__
    kind: str
    source: str
    equation: Expr
    atom: Expr
    value: Expr
    nonzero: Expr
    slope: Expr
    #: for an "ideal" or "implied" step: the generators the equation reduces by.
    generators: tuple[Expr, ...]
    #: the multiplicity of the factor ``slope * (atom - value)`` in ``equation``.
    power: int
    #: for a "split" step: every nonnegative term of the sum.
    terms: tuple[Expr, ...]
    #: strict inequalities (each ``g > 0``) that make the non-zero factor non-zero.
    facts: tuple[Expr, ...]

    def __init__(
        self,
        kind: str,
        source: str,
        equation: Expr,
        atom: Expr,
        value: Expr,
        nonzero: Expr = sympy.S.One,
        slope: Expr = sympy.S.One,
        generators: tuple[Expr, ...] = (),
        power: int = 1,
        terms: tuple[Expr, ...] = (),
        facts: tuple[Expr, ...] = (),
    ) -> None:
        self._set(
            kind=kind,
            source=source,
            equation=equation,
            atom=atom,
            value=value,
            nonzero=nonzero,
            slope=slope,
            generators=generators,
            power=power,
            terms=terms,
            facts=facts,
        )

    def check(self) -> bool:
        """Re-verify the step's identity by expansion alone (ideal steps: a new Gröbner reduction)."""
        if self.kind == "split":
            return _split_holds(self)
        if self.kind == "zero-vector":
            names = power_sum_names(self.atom)
            return (
                len(names) == 2
                and names[0] == names[1]
                and self.value == 0
                and sympy.expand(self.equation - self.atom) == 0
            )
        if self.kind == "ideal":
            return (
                self.value == 0
                and sympy.expand(self.equation - self.atom) == 0
                and _in_ideal(self.equation, self.generators)
            )
        if self.kind not in ("solve", "implied"):
            return False
        if not isinstance(self.power, int) or self.power < 1:
            return False
        if self.kind == "implied" and not _in_ideal(self.equation, self.generators):
            return False
        factor = self.slope * (self.atom - self.value)
        lhs = sympy.together(self.equation - self.nonzero * factor**self.power)
        return bool(sympy.expand(sympy.fraction(lhs)[0]) == 0) and _products_nonzero(
            self.nonzero * self.slope, self.facts
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "source": self.source,
            "equation": str(self.equation),
            "atom": str(self.atom),
            "value": str(self.value),
            "nonzero_factor": str(self.nonzero * self.slope),
        }
        if self.power != 1:
            out["power"] = self.power
        if self.terms:
            out["terms"] = [str(t) for t in self.terms]
        if self.generators:
            out["generators"] = [str(g) for g in self.generators]
        if self.facts:
            out["facts"] = [f"{f} > 0" for f in self.facts]
        return out

    def describe(self) -> str:
        """The step in the expression language, e.g. ``mu(x) = 0`` or ``c(x) = 0``."""
        if self.kind == "zero-vector":
            (name, _) = power_sum_names(self.atom)
            return f"c({name}) = 0"
        if self.kind == "ideal":
            return f"the rest follows from {self.source} (ideal membership)"
        return f"{atoms_to_language(self.atom)} = {atoms_to_language(self.value)}"

    def latex(self) -> str:
        atom = sympy.latex(atoms_to_language(self.atom))
        value = sympy.latex(atoms_to_language(self.value))
        if self.kind == "zero-vector":
            return rf"{atom} = 0 \Rightarrow {sympy.latex(atoms_to_language(self.value))}"
        return rf"{atom} = {value}"


def _split_holds(step: Step) -> bool:
    """A "split" step: equation = ±(sum of the terms), every term visibly nonnegative."""
    if not step.terms or step.value != 0 or step.atom not in step.terms:
        return False
    total = sympy.Add(*step.terms)
    if not all(_visibly_nonnegative(t) for t in step.terms):
        return False
    return any(sympy.expand(total - sign * step.equation) == 0 for sign in (1, -1))


def _visibly_nonnegative(term: Expr) -> bool:
    """A product of nonnegative rationals, nonnegative atoms and even powers of real expressions."""
    for factor in sympy.Mul.make_args(term):
        if factor.is_number:
            if not (factor.is_Rational and factor >= 0):
                return False
            continue
        base, exponent = factor.as_base_exp()
        if exponent.is_Integer and exponent % 2 == 0 and base.is_real:
            continue
        if factor.is_nonnegative and (
            factor.is_Symbol
            or isinstance(factor, sympy.Abs)
            or (exponent.is_Integer and base.is_Symbol)
        ):
            continue
        return False
    return True


def _in_ideal(expr: Expr, generators: tuple[Expr, ...]) -> bool:
    """Does ``expr`` reduce to 0 modulo a Gröbner basis of ``generators``?"""
    if sympy.expand(expr) == 0:
        return True
    if not generators:
        return False
    symbols = sorted(set(expr.free_symbols).union(*(g.free_symbols for g in generators)), key=str)
    try:
        basis = sympy.groebner(list(generators), *symbols, order="grevlex")
        _, remainder = basis.reduce(sympy.expand(expr))
    except (sympy.PolynomialError, sympy.CoercionFailed, NotImplementedError):
        return False
    return bool(remainder == 0)


def _products_nonzero(expr: Expr, positive: Iterable[Expr] = ()) -> bool:
    facts = tuple(positive)
    return all(known_nonzero(f, facts) for f in sympy.Mul.make_args(sympy.factor(expr)))


def known_nonzero(expr: Expr, positive: Iterable[Expr] = ()) -> bool:
    """True when ``expr`` cannot vanish: a non-zero number, a product of positive symbols, a
    polynomial without a real root (:func:`~lnsym.prover.squares.never_zero`), or a quantity that
    a strict inequality assumption ``p > 0`` bounds away from 0 (``k*p + c`` with ``k > 0`` and a
    number ``c >= 0``, or its negative)."""
    if expr.is_number:
        return bool(expr.is_zero is False)
    if expr.is_positive or expr.is_negative:
        return True
    base, exponent = expr.as_base_exp()
    if exponent.is_Integer and exponent != 1 and known_nonzero(base, positive):
        return True
    if isinstance(expr, sympy.Mul):
        return all(known_nonzero(f, positive) for f in expr.args)
    expanded = sympy.expand(expr)
    facts = [sympy.expand(p) for p in positive]
    if any(_bounded_by(sign * expanded, p) for p in facts for sign in (1, -1)):
        return True
    return expanded.is_polynomial() and never_zero(expanded)


def _bounded_by(f: Expr, p: Expr) -> bool:
    """``f = k*p + c`` with a rational ``k > 0`` and a number ``c >= 0`` (so ``p > 0`` gives f > 0)."""
    f_const, f_rest = f.as_independent(*f.free_symbols, as_Add=True)
    p_const, p_rest = p.as_independent(*p.free_symbols, as_Add=True)
    if f_rest == 0 or p_rest == 0:
        return False
    ratio = sympy.cancel(f_rest / p_rest)
    if not (ratio.is_Rational and ratio > 0):
        return False
    rest = f_const - ratio * p_const
    return bool(rest.is_number and rest >= 0)


class Substitution:
    """Apply the solved assumptions to a coefficient, then reduce it.

    ``values`` maps atoms to their solved values; ``zero`` names the declared vectors whose centered
    part is zero (``c(x) = 0``): every inner product with them vanishes, and the prover drops their
    basis vectors.
    """

    def __init__(self, radicals: Radicals, values: dict[Symbol, Expr] | None = None) -> None:
        self.radicals = radicals
        self.values: dict[Symbol, Expr] = values if values is not None else {}
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
        for _ in range(4):  # a radical whose radicand changed is taken anew (its radicand may nest)
            out = self._apply(out)
            rewritten: dict[Expr, Expr] = {}
            for t in out.free_symbols & set(self.radicals.radicands):
                radicand = self.radicals.radicands[t]
                new = sympy.expand(self._apply(radicand))
                if new != radicand:
                    if t.is_nonnegative:
                        self.radicals.facts.add(new)
                    rewritten[t] = sympy.sqrt(new)
            if not rewritten:
                break
            out = self.radicals.canonical(out.xreplace(rewritten))
        return out

    def __call__(self, expr: Expr) -> Expr:
        return self.radicals.reduce(self.canonical(expr))

    def defined(self, expr: Expr) -> bool:
        """False when a denominator of ``expr`` vanishes identically under the assumptions."""
        canonical = self.radicals.canonical(expr)
        for part in sympy.preorder_traversal(canonical):
            if isinstance(part, sympy.Pow) and part.exp.is_negative:
                if self(part.base) == 0:
                    return False
        _, denominator = sympy.fraction(sympy.together(canonical))
        return bool(self(denominator) != 0)


class Knowledge(Record):
    """What the assumptions say, used soundly: substitutions, zero vectors, unused equations."""

    __match_args__ = ("substitution", "steps", "unused", "positive")
    __slots__ = __match_args__
    substitution: Substitution
    steps: list[Step]
    #: equations that could not be used without dividing by something possibly zero.
    unused: list[tuple[str, Expr]]
    #: expressions known to be strictly positive (from strict inequality assumptions).
    positive: list[Expr]

    def __init__(
        self,
        substitution: Substitution,
        steps: list[Step] | None = None,
        unused: list[tuple[str, Expr]] | None = None,
        positive: list[Expr] | None = None,
    ) -> None:
        self.substitution = substitution
        self.steps = [] if steps is None else steps
        self.unused = [] if unused is None else unused
        self.positive = [] if positive is None else positive

    def vanishes(self, expr: Expr) -> bool:
        """Is ``expr`` zero wherever the assumptions hold? (Exact; False means "not shown".)

        First the substitutions; then, if equations were left unused (zero divisors), ideal
        membership: ``expr`` reduces to 0 modulo a Gröbner basis of those equations and of
        :math:`t^2 - f` for each radical — every such combination vanishes where they all do.
        """
        reduced = self.substitution(expr)
        if reduced == 0:
            return True
        if not self.unused:
            return False
        radicals = self.substitution.radicals
        equations = [self.substitution(e) for _, e in self.unused]
        equations = [e for e in equations if e != 0]
        if not equations:
            return False
        generators = list(equations)
        roots: set[Symbol] = set()
        frontier = set(reduced.free_symbols).union(*(e.free_symbols for e in equations))
        while frontier:
            symbol = frontier.pop()
            if symbol in radicals.radicands and symbol not in roots:
                roots.add(symbol)
                radicand = radicals.radicands[symbol]
                generators.append(symbol**2 - radicand)
                frontier |= set(radicand.free_symbols)
        sources = "; ".join(source for source, _ in self.unused)
        if _in_ideal(reduced, tuple(generators)):
            self.steps.append(
                Step("ideal", sources, reduced, reduced, sympy.S.Zero, generators=tuple(generators))
            )
            return True
        return self._implied(reduced, generators, sources)

    def _implied(self, reduced: Expr, generators: list[Expr], sources: str) -> bool:
        r"""Values the unused equations imply, one atom at a time, until ``reduced`` vanishes.

        For an atom :math:`s` of ``reduced``, eliminate every other symbol (a lex Gröbner basis):
        a polynomial :math:`p(s)` of the ideal vanishes wherever the assumptions hold. If every
        factor of :math:`p` but one linear factor has no real root in the domain of :math:`s`
        (:math:`|g| \ge 0`, :math:`t_f \ge 0`, ...), then :math:`s` is that root there. An
        absolute value :math:`|g|` counts as an atom :math:`a \ge 0` with :math:`a^2 = g^2`.
        """
        absolutes = {
            a: Symbol(f"|{a.args[0]}|", nonnegative=True) for a in reduced.atoms(sympy.Abs)
        }
        gens = [g for g in generators if not g.has(sympy.Abs)]
        for a, symbol in absolutes.items():
            if not a.args[0].is_polynomial():
                return False
            gens.append(symbol**2 - sympy.expand(a.args[0] ** 2))
        target = reduced.xreplace(absolutes)
        symbols = sorted(set(target.free_symbols).union(*(g.free_symbols for g in gens)), key=str)
        if len(symbols) > 6 or len(gens) > 10:
            return False
        steps: list[Step] = []
        for _ in range(3):
            found = None
            for atom in sorted(target.free_symbols, key=_priority):
                found = _implied_value(atom, gens, symbols)
                if found is not None:
                    break
            if found is None:
                return False
            step = replace(found, source=sources)
            steps.append(step)
            gens.append(step.atom - step.value)
            target = sympy.expand(target.xreplace({step.atom: step.value}))
            if self.substitution.radicals.reduce(target) == 0 or _in_ideal(target, tuple(gens)):
                self.steps.extend(steps)
                self.steps.append(
                    Step("ideal", sources, target, target, sympy.S.Zero, generators=tuple(gens))
                )
                return True
        return False


def _implied_value(atom: Symbol, generators: list[Expr], symbols: list[Symbol]) -> Step | None:
    """``atom = value`` implied by ``generators`` = 0 (a univariate elimination polynomial whose
    only factor with a root in the atom's domain is linear), as an "implied" step; else None."""
    order = [s for s in symbols if s != atom] + [atom]
    try:
        basis = sympy.groebner(generators, *order, order="lex")
    except (sympy.PolynomialError, sympy.CoercionFailed, NotImplementedError):
        return None
    for p in basis.exprs:
        if p.free_symbols != {atom}:
            continue
        try:
            _, factors = sympy.factor_list(p, atom)
        except sympy.PolynomialError:
            return None
        possible = [(f, m) for f, m in factors if not known_nonzero(f)]
        if len(possible) != 1:
            return None
        factor, power = possible[0]
        poly = sympy.Poly(factor, atom)
        if poly.degree() != 1:
            return None
        slope = poly.coeff_monomial(atom)
        value = sympy.expand(-(factor - slope * atom) / slope)
        nonzero = sympy.expand(sympy.cancel(p / factor**power))
        return Step(
            "implied",
            "",
            sympy.expand(p),
            atom,
            value,
            nonzero=nonzero,
            slope=slope,
            generators=tuple(generators),
            power=int(power),
        )
    return None


def apply_assumptions(
    assumptions: Iterable[Assumption],
    context: Context,
    forms: NormalForm,
    radicals: Radicals,
    *,
    dim: int | None,
    frozen: Iterable[Symbol] = (),
    vectors: Iterable[str] = (),
    zero_vectors: Iterable[str] = (),
) -> Knowledge:
    """Turn the assumptions into a :class:`Knowledge` (see the module docstring for the rules).

    ``frozen`` symbols (the limit variables) are never solved for; ``vectors`` are the declared
    vector names (checked for :math:`c(v) = 0` after every step).
    """
    knowledge = Knowledge(Substitution(radicals))
    knowledge.substitution.zero.update(zero_vectors)
    pending: list[tuple[str, Expr]] = []
    for assumption in assumptions:
        if positivity(assumption, context):
            continue  # already a property of the symbol
        left, right = forms(assumption.lhs), forms(assumption.rhs)
        if assumption.relation == "=":
            equations = _scalar_equations(str(assumption), left, right, forms, tuple(vectors))
            for source, equation in equations:
                pending.append((source, _at_dim(equation, dim)))
            continue
        (difference,) = coefficient_differences(left, right).values()
        difference = _at_dim(difference, dim)
        oriented = difference if assumption.relation in (">", ">=") else -difference
        strict = assumption.relation in (">", "<")
        if oriented.is_negative or (strict and oriented.is_nonpositive):
            raise LnsymError(
                f"the assumptions are inconsistent: {assumption} cannot hold "
                "(n is a positive integer, eps > 0, and |v|^2 >= 0)"
            )
        radicals.facts.add(knowledge.substitution.canonical(oriented))
        if assumption.relation in (">", "<"):
            knowledge.positive.append(sympy.expand(oriented))
    _solve_all(pending, knowledge, set(frozen), tuple(vectors))
    return knowledge


def _at_dim(expr: Expr, dim: int | None) -> Expr:
    return expr.subs(n, dim) if dim is not None else expr


def _scalar_equations(
    source: str,
    left: VectorForm | Expr,
    right: VectorForm | Expr,
    forms: NormalForm,
    vectors: tuple[str, ...],
) -> list[tuple[str, Expr]]:
    """A scalar equation as is; a vector equation V = 0 as <V, B> = 0 for each basis vector B of V
    (together equivalent to V = 0), and, as consequences, <V, 1> = 0 and <V, c(u)> = 0 for every
    declared vector u."""
    differences = coefficient_differences(left, right)
    if SCALAR in differences:
        return [(source, differences[SCALAR])]
    vector = {atom: d for atom, d in differences.items() if d != 0}
    backend = forms.evaluator.backend
    out = []
    readers = list(vector) + [a for a in [(), *((u,) for u in vectors)] if a not in vector]
    for atom in readers:
        name = "1" if not atom else "⊙".join(f"c({a})" for a in atom)
        out.append((f"<{source}, {name}>", backend.dot(vector, {atom: sympy.S.One})))
    return out


def _solve_all(
    pending: list[tuple[str, Expr]],
    knowledge: Knowledge,
    frozen: set[Symbol],
    vectors: tuple[str, ...],
) -> None:
    substitution = knowledge.substitution
    progress = True
    while progress:
        progress = False
        remaining: list[tuple[str, Expr]] = []
        queue = list(pending)
        while queue:
            source, raw = queue.pop(0)
            equation = substitution(raw)
            if equation == 0:
                continue
            if equation.is_number:
                raise LnsymError(
                    f"the assumptions are inconsistent: {source} reduces to "
                    f"{sympy.nsimplify(equation)} = 0"
                )
            terms = _nonnegative_terms(equation)
            if terms is not None:
                for term in terms:
                    knowledge.steps.append(
                        Step("split", source, equation, term, sympy.S.Zero, terms=tuple(terms))
                    )
                    queue.append((f"{source} (a nonnegative term)", term))
                progress = True
                continue
            step = _solve_one(source, equation, knowledge, frozen)
            if step is None:
                remaining.append((source, raw))
                continue
            knowledge.steps.append(step)
            progress = True
            radicand = substitution.radicals.radicands.get(step.atom)
            if radicand is not None:  # t = value also says radicand = value**2
                queue.append((f"{source} (squared)", radicand - step.value**2))
            _record_zero_vectors(knowledge, vectors)
        pending = remaining
    knowledge.unused = pending


def _nonnegative_terms(equation: Expr) -> list[Expr] | None:
    """The terms of a sum of two or more nonnegative terms (each must then vanish), else None.

    The terms are those of the expanded sum when they share one sign, else those of an exact sum
    of squares (:func:`~lnsym.prover.squares.sum_of_squares`: ``(mu(x)-1)**2 + (mu(y)-2)**2``,
    expanded or not)."""
    terms = sympy.Add.make_args(sympy.expand(equation))
    if len(terms) < 2:
        return None
    if all(_visibly_nonnegative(t) for t in terms):
        return list(terms)
    if all(_visibly_nonnegative(-t) for t in terms):
        return [-t for t in terms]
    for sign in (1, -1):
        squares = sum_of_squares(sign * equation)
        if squares is not None and len(squares) >= 2:
            return squares
    return None


def _record_zero_vectors(knowledge: Knowledge, vectors: tuple[str, ...]) -> None:
    substitution = knowledge.substitution
    for name in vectors:
        if name in substitution.zero:
            continue
        square = power_sum((name, name))
        if substitution(square) == 0:
            substitution.zero.add(name)
            knowledge.steps.append(
                Step("zero-vector", f"|c({name})|^2 = 0", square, square, sympy.S.Zero)
            )


def _solve_one(
    source: str, equation: Expr, knowledge: Knowledge, frozen: set[Symbol]
) -> Step | None:
    """Use ``equation = 0`` as ``atom = value`` when that is an equivalence; else None."""
    radicals = knowledge.substitution.radicals
    try:
        _, factors = sympy.factor_list(equation)
    except sympy.PolynomialError:
        return None
    unknown = [(f, m) for f, m in factors if not known_nonzero(f, knowledge.positive)]
    if not unknown:
        raise LnsymError(
            f"the assumptions are inconsistent: {source} is a product of non-zero factors = 0"
        )
    if len(unknown) > 1:
        return None  # a zero divisor: which factor vanishes is not known
    factor, power = unknown[0]
    nonzero = sympy.expand(sympy.cancel(equation / factor**power))
    for atom in sorted(factor.free_symbols, key=_priority):
        if atom in frozen or not isinstance(atom, Symbol):
            continue
        try:
            poly = sympy.Poly(factor, atom)
        except sympy.PolynomialError:
            continue
        if poly.degree() != 1:
            continue
        slope = poly.coeff_monomial(atom)
        if not known_nonzero(slope, knowledge.positive):
            continue
        value = sympy.expand(-(factor - slope * atom) / slope)
        if _depends(value, atom, radicals):
            continue
        _check_domain(atom, value, source)
        values = knowledge.substitution.values
        for key in list(values):
            values[key] = sympy.expand(values[key].xreplace({atom: value}))
        values[atom] = value
        return Step(
            "solve",
            source,
            equation,
            atom,
            value,
            nonzero=nonzero,
            slope=slope,
            power=int(power),
            facts=_facts_used(nonzero * slope, knowledge.positive),
        )
    return None


def _facts_used(expr: Expr, positive: list[Expr]) -> tuple[Expr, ...]:
    """The strict inequalities needed to show ``expr`` non-zero (none when it is evidently so)."""
    if _products_nonzero(expr):
        return ()
    return tuple(positive)


def _depends(value: Expr, atom: Symbol, radicals: Radicals) -> bool:
    if value.has(atom):
        return True
    return any(
        radicals.radicands[t].has(atom) for t in value.free_symbols if t in radicals.radicands
    )


def _check_domain(atom: Symbol, value: Expr, source: str) -> None:
    """A solved value outside the atom's domain (n = 1/2, eps = -1, |c(x)|² = -1) is inconsistent."""
    if not value.is_number:
        return
    if atom == n and not (value.is_Integer and value > 0):
        raise LnsymError(
            f"the assumptions are inconsistent: {source} gives n = {value}, "
            f"but n is a positive integer (use {argument('dim')} for an explicit dimension)"
        )
    if (atom.is_positive and not value.is_positive) or (atom.is_nonnegative and value.is_negative):
        shown = "eps" if atom == eps else str(atoms_to_language(atom))
        raise LnsymError(
            f"the assumptions are inconsistent: {source} gives {shown} = {value}, outside its domain"
        )


def _priority(symbol: Symbol) -> tuple[int, str]:
    """Solve for means first, then declared scalars, inner products, eps/n, radicals last."""
    if isinstance(symbol, MeanAtom):
        rank = 0
    elif isinstance(symbol, PowerSum):
        rank = 2
    elif isinstance(symbol, Radical):
        rank = 5
    elif symbol in (n, eps):
        rank = 4
    else:
        rank = 1  # declared scalars
    return rank, symbol.name


def positivity(assumption: Assumption, context: Context) -> str | None:
    """``alpha > 0`` (or ``0 < alpha``) on a declared scalar → ``"alpha"``."""
    sides = {">": (assumption.lhs, assumption.rhs), "<": (assumption.rhs, assumption.lhs)}
    if assumption.relation not in sides:
        return None
    big, small = sides[assumption.relation]
    if small == 0 and isinstance(big, Symbol) and big.name in context.scalars:
        return big.name
    return None
