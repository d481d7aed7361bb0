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
from dataclasses import dataclass, field

import sympy
from sympy import Expr, Symbol

from lnsym.errors import LnsymError
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


@dataclass(frozen=True)
class Step:
    r"""One step of a certificate: ``equation = 0`` is used as ``atom = value``.

    It is valid because ``equation == nonzero * slope * (atom - value)`` identically (check by
    expansion) and ``nonzero * slope`` is a product of factors known to be non-zero. ``kind`` is
    ``"solve"``; ``"zero-vector"`` (``atom`` is :math:`\lVert c(v)\rVert^2`, ``value`` 0: then
    :math:`c(v) = 0`); ``"split"`` (a sum of nonnegative terms is zero, so is each term); or
    ``"ideal"`` (``equation`` lies in the ideal of the unused equations and the radical relations).
    """

    kind: str
    source: str
    equation: Expr
    atom: Expr
    value: Expr
    nonzero: Expr = sympy.S.One
    slope: Expr = sympy.S.One
    #: for an "ideal" step: the generators (unused equations, t**2 - f) the equation reduces by.
    generators: tuple[Expr, ...] = ()

    def check(self) -> bool:
        """Re-verify the step by expansion alone (an "ideal" step: by a new Gröbner reduction)."""
        if self.kind == "split":
            return True  # the term is recorded as its own equation; see Knowledge.steps
        if self.kind == "ideal":
            return _in_ideal(self.equation, self.generators)
        lhs = sympy.together(self.equation - self.nonzero * self.slope * (self.atom - self.value))
        return bool(sympy.expand(sympy.fraction(lhs)[0]) == 0) and _products_nonzero(
            self.nonzero * self.slope
        )

    def to_json(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "source": self.source,
            "equation": str(self.equation),
            "atom": str(self.atom),
            "value": str(self.value),
            "nonzero_factor": str(self.nonzero * self.slope),
        }

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


def _in_ideal(expr: Expr, generators: tuple[Expr, ...]) -> bool:
    """Does ``expr`` reduce to 0 modulo a Gröbner basis of ``generators``?"""
    symbols = sorted(set(expr.free_symbols).union(*(g.free_symbols for g in generators)), key=str)
    try:
        basis = sympy.groebner(list(generators), *symbols, order="grevlex")
        _, remainder = basis.reduce(sympy.expand(expr))
    except (sympy.PolynomialError, sympy.CoercionFailed, NotImplementedError):
        return False
    return bool(remainder == 0)


def _products_nonzero(expr: Expr) -> bool:
    return all(known_nonzero(f) for f in sympy.Mul.make_args(sympy.factor(expr)))


def known_nonzero(expr: Expr, positive: Iterable[Expr] = ()) -> bool:
    """True when ``expr`` cannot vanish: a non-zero number, a product of positive symbols, or a
    quantity an assumption declares strictly positive (or negative)."""
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
    return any(expanded == p or expanded == -p for p in positive)


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


@dataclass
class Knowledge:
    """What the assumptions say, used soundly: substitutions, zero vectors, unused equations."""

    substitution: Substitution
    steps: list[Step] = field(default_factory=list)
    #: equations that could not be used without dividing by something possibly zero.
    unused: list[tuple[str, Expr]] = field(default_factory=list)
    #: expressions known to be strictly positive (from strict inequality assumptions).
    positive: list[Expr] = field(default_factory=list)

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
        if not _in_ideal(reduced, tuple(generators)):
            return False
        sources = "; ".join(source for source, _ in self.unused)
        self.steps.append(
            Step("ideal", sources, reduced, reduced, sympy.S.Zero, generators=tuple(generators))
        )
        return True


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
                    knowledge.steps.append(Step("split", source, equation, term, sympy.S.Zero))
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
    """The terms of a sum of two or more terms of one sign (each must then vanish), else None."""
    terms = sympy.Add.make_args(sympy.expand(equation))
    if len(terms) < 2:
        return None
    if all(t.is_nonnegative for t in terms) or all(t.is_nonpositive for t in terms):
        return list(terms)
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
    factor, _ = unknown[0]
    nonzero = sympy.expand(equation / factor ** unknown[0][1])
    for atom in sorted(factor.free_symbols, key=_priority):
        if atom in frozen or not isinstance(atom, Symbol):
            continue
        try:
            poly = sympy.Poly(factor, atom)
        except sympy.PolynomialError:
            continue
        if poly.degree() == 1:
            slope = poly.coeff_monomial(atom)
            if not known_nonzero(slope, knowledge.positive):
                continue
            value = sympy.expand(-(factor - slope * atom) / slope)
        elif len(poly.terms()) == 1 and poly.degree() > 1:
            slope, value = sympy.S.One, sympy.S.Zero  # atom**d = 0
            nonzero = sympy.expand(equation / atom ** poly.degree())
        else:
            continue
        if _depends(value, atom, radicals):
            continue
        _check_domain(atom, value, source)
        values = knowledge.substitution.values
        for key in list(values):
            values[key] = sympy.expand(values[key].xreplace({atom: value}))
        values[atom] = value
        return Step("solve", source, equation, atom, value, nonzero=nonzero, slope=slope)
    return None


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
            "but n is a positive integer (use --dim for an explicit dimension)"
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
