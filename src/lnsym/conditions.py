r"""Conditions on an identity: assumptions (equations, inequalities) and limits — soundly.

**Equations.** An equation is normalized (:mod:`lnsym.algebra`) into polynomial equations in the atoms;
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

**Limits** are taken after the assumptions, by a Taylor expansion in the distance to the limit point:
:math:`\lim N(h)/D(h) = N_k/D_k` where :math:`D_k` is the first coefficient of :math:`D` that is not
identically zero and :math:`N_0 = \dots = N_{k-1} = 0`. The result holds where :math:`D_k \ne 0` (and,
for :math:`k > 0`, where the square roots involved are analytic): those are the *conditions* stated
with the verdict. Anything that is not a rational function of square roots near the limit point
(a symbolic exponent, an absolute value under a 0/0) is unsupported rather than guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import sympy
from sympy import Expr, Symbol

from lnsym.algebra import NormalForm, VectorForm, atoms_to_language, power_sum, power_sum_names
from lnsym.definitions import Kind, eps, n
from lnsym.errors import LnsymError, UnsupportedError
from lnsym.language import Assumption, Context, parse_typed
from lnsym.radicals import Radicals

__all__ = [
    "Condition",
    "Knowledge",
    "Step",
    "Substitution",
    "apply_assumptions",
    "coefficient_differences",
    "describe_condition",
    "limit_of",
    "parse_limits",
    "positivity",
]

#: the Taylor expansion of a 0/0 limit looks this many orders deep before giving up.
MAX_LIMIT_ORDER = 4


def coefficient_differences(
    left: VectorForm | Expr, right: VectorForm | Expr
) -> dict[tuple[str, ...], Expr]:
    """LHS − RHS coefficient by coefficient (one entry, key ``("",)``, for scalars)."""
    if isinstance(left, dict) or isinstance(right, dict):
        lf = left if isinstance(left, dict) else {}
        rf = right if isinstance(right, dict) else {}
        return {a: lf.get(a, sympy.S.Zero) - rf.get(a, sympy.S.Zero) for a in {*lf, *rf}}
    return {("",): left - right}


# --------------------------------------------------------------------------------------------------
# limits: parsing
# --------------------------------------------------------------------------------------------------


def parse_limits(
    limit: Mapping[str, str | float] | str | Iterable[str] | None, context: Context
) -> tuple[tuple[Symbol, Expr], ...]:
    """``{"eps": 0}`` or ``"eps=0"`` (or a list of such) → ``((eps, 0),)``.

    The limit point must lie in the closure of the variable's domain: ε > 0 (and a scalar assumed
    > 0) tends to a value ≥ 0 or to ``oo``; other scalars to any real number or ``oo``.
    """
    if limit is None:
        return ()
    if isinstance(limit, Mapping):
        items = [(str(k), str(v)) for k, v in limit.items()]
    elif isinstance(limit, str) or (
        isinstance(limit, Iterable) and not isinstance(limit, bytes | Mapping)
    ):
        texts = [limit] if isinstance(limit, str) else list(limit)
        items = []
        for text in texts:
            if not isinstance(text, str):
                raise LnsymError(
                    f"limit= takes 'NAME=VALUE' strings or a mapping, not {type(text).__name__}"
                )
            name, sep, value = text.partition("=")
            if not sep or not name.strip() or not value.strip():
                raise LnsymError(f"cannot read limit {text!r}; write NAME=VALUE, e.g. eps=0")
            items.append((name.strip(), value.strip()))
    else:
        raise LnsymError(
            f"limit= takes a mapping such as {{'eps': 0}} or strings such as 'eps=0', "
            f"not {type(limit).__name__}"
        )
    out: list[tuple[Symbol, Expr]] = []
    for name, value in items:
        found = context.symbol(name)
        if found is None or found[1] is not Kind.SCALAR or name == "n":
            raise LnsymError(
                f"cannot take a limit in {name!r}; limits are in eps or a declared scalar (--scalars)"
            )
        symbol = found[0]
        assert isinstance(symbol, Symbol)
        if any(symbol == s for s, _ in out):
            raise LnsymError(f"two limits in {name!r}; give one limit per variable")
        if value in ("oo", "inf", "infinity", "+oo", "+inf"):
            target: Expr = sympy.oo
        elif value in ("-oo", "-inf", "-infinity"):
            if symbol.is_positive:
                raise LnsymError(f"{name} > 0, so it cannot tend to {value}")
            raise UnsupportedError(
                f"limits at {value} are not supported; substitute {name} -> -{name}"
            )
        else:
            try:
                target, kind = parse_typed(value, Context(vectors=()))
            except LnsymError:
                raise LnsymError(
                    f"the limit value {value!r} must be a number, e.g. eps=0"
                ) from None
            if kind is not Kind.SCALAR or target.free_symbols or not target.is_real:
                raise LnsymError(f"the limit value {value!r} must be a number, e.g. eps=0")
            if symbol.is_positive and target.is_negative:
                raise LnsymError(
                    f"{name} > 0, so it cannot tend to {value}; a limit point must be >= 0"
                )
        out.append((symbol, target))
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

    @property
    def zero(self) -> set[str]:
        return self.substitution.zero

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
            for source, equation in _scalar_equations(str(assumption), left, right, forms):
                pending.append((source, _at_dim(equation, dim)))
            continue
        (difference,) = coefficient_differences(left, right).values()
        difference = _at_dim(difference, dim)
        oriented = difference if assumption.relation in (">", ">=") else -difference
        radicals.facts.add(knowledge.substitution.canonical(oriented))
        if assumption.relation in (">", "<"):
            knowledge.positive.append(sympy.expand(oriented))
    _solve_all(pending, knowledge, set(frozen), tuple(vectors))
    return knowledge


def _at_dim(expr: Expr, dim: int | None) -> Expr:
    return expr.subs(n, dim) if dim is not None else expr


def _scalar_equations(
    source: str, left: VectorForm | Expr, right: VectorForm | Expr, forms: NormalForm
) -> list[tuple[str, Expr]]:
    """A scalar equation as is; a vector equation V = 0 as <V, B> = 0 for each basis vector B."""
    differences = coefficient_differences(left, right)
    if ("",) in differences:
        return [(source, differences[("",)])]
    vector = {atom: d for atom, d in differences.items() if d != 0}
    backend = forms.evaluator.backend
    out = []
    for atom in vector:
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
    name = str(symbol)
    if name.startswith("mu["):
        rank = 0
    elif name.startswith(("P[", "S[")):
        rank = 2
    elif "[" in name:
        rank = 5  # radicals t…[f], r…[f]
    elif symbol in (n, eps):
        rank = 4
    else:
        rank = 1  # declared scalars
    return rank, name


# --------------------------------------------------------------------------------------------------
# limits
# --------------------------------------------------------------------------------------------------


def limit_of(
    expr: Expr, symbol: Symbol, target: Expr, radicals: Radicals
) -> tuple[Expr, list[Expr]]:
    """The limit of ``expr`` as ``symbol`` tends to ``target`` and the conditions (each ``f`` stands
    for ``f != 0``) under which it holds; raises :class:`UnsupportedError` when it cannot be taken."""
    canonical = radicals.canonical(expr)
    if not canonical.has(symbol) and not any(
        radicals.radicands[t].has(symbol) for t in canonical.free_symbols if t in radicals.radicands
    ):
        return canonical, []
    one_sided = bool(symbol.is_positive) or target is sympy.oo
    h = sympy.Dummy("h", positive=True) if one_sided else sympy.Dummy("h", real=True)
    replacement = 1 / h if target is sympy.oo else target + h
    restored = radicals.restore(canonical)
    _check_regular(restored, symbol)
    moved = radicals.canonical(restored.xreplace({symbol: replacement}))
    numerator, denominator = sympy.fraction(sympy.together(moved))
    dependent = {
        t: radicals.radicands[t]
        for t in (numerator.free_symbols | denominator.free_symbols)
        if t in radicals.radicands and radicals.radicands[t].has(h)
    }
    if any(str(t).startswith("r") for t in dependent):
        raise UnsupportedError(
            f"cannot take the limit {symbol} -> {target}: a square root of unknown sign depends on it"
        )
    if h in numerator.free_symbols | denominator.free_symbols and _has_irregular(
        numerator / denominator, h
    ):
        raise UnsupportedError(
            f"cannot take the limit {symbol} -> {target}: the expression is not algebraic in {symbol}"
        )
    analytic: list[Expr] = []
    for radicand in dependent.values():
        at_zero = sympy.expand(radicand.xreplace({h: 0}))
        if radicals.reduce(at_zero) == 0:
            raise UnsupportedError(
                f"cannot take the limit {symbol} -> {target}: a square root vanishes there"
            )
        analytic.append(at_zero)
    smooth_num = numerator.xreplace({t: sympy.sqrt(f) for t, f in dependent.items()})
    smooth_den = denominator.xreplace({t: sympy.sqrt(f) for t, f in dependent.items()})
    for order in range(MAX_LIMIT_ORDER + 1):
        den_k = _taylor(smooth_den, h, order, radicals)
        if radicals.reduce(den_k) == 0:
            num_k = _taylor(smooth_num, h, order, radicals)
            if radicals.reduce(num_k) != 0:
                raise UnsupportedError(
                    f"the limit {symbol} -> {target} is infinite or does not exist here"
                )
            continue
        for lower in range(order):
            if radicals.reduce(_taylor(smooth_num, h, lower, radicals)) != 0:
                raise UnsupportedError(
                    f"the limit {symbol} -> {target} is infinite or does not exist here"
                )
        num_k = _taylor(smooth_num, h, order, radicals)
        conditions = _nonzero_conditions(den_k, radicals)
        if order > 0:
            conditions += [f for a in analytic for f in _nonzero_conditions(a, radicals)]
        return radicals.canonical(num_k / den_k), conditions
    raise UnsupportedError(
        f"cannot take the limit {symbol} -> {target}: no leading term within order {MAX_LIMIT_ORDER}"
    )


def _check_regular(expr: Expr, symbol: Symbol) -> None:
    if _has_irregular(expr, symbol):
        raise UnsupportedError(
            f"cannot take the limit in {symbol}: it occurs in an exponent or a function that is "
            "not continuous there; substitute a value instead"
        )


def _has_irregular(expr: Expr, symbol: Symbol) -> bool:
    """Does ``symbol`` occur other than in + * and integer or half-integer powers?"""
    for part in sympy.preorder_traversal(expr):
        if not part.has(symbol):
            continue
        if isinstance(part, sympy.Pow):
            exponent = part.exp
            if exponent.has(symbol) or not (
                exponent.is_Integer or (exponent.is_Rational and exponent.q == 2)
            ):
                return True
        elif isinstance(part, sympy.Abs):
            return True
        elif not isinstance(part, sympy.Add | sympy.Mul | Symbol | sympy.Dummy):
            return True
    return False


def _taylor(expr: Expr, h: Symbol, order: int, radicals: Radicals) -> Expr:
    derivative = sympy.diff(expr, h, order) if order else expr
    value = derivative.xreplace({h: sympy.S.Zero}) / sympy.factorial(order)
    return radicals.canonical(value)


def _nonzero_conditions(expr: Expr, radicals: Radicals) -> list[Expr]:
    """The factors of ``expr``'s numerator not known to be non-zero (each must be ``!= 0``)."""
    canonical = radicals.canonical(expr)
    numerator, denominator = sympy.fraction(sympy.together(canonical))
    out = []
    for part in (numerator, denominator):
        _, factors = sympy.factor_list(sympy.expand(part))
        for factor, _m in factors:
            if not known_nonzero(factor) and not _positive_radical(factor, radicals):
                out.append(factor)
    return out


def _positive_radical(factor: Expr, radicals: Radicals) -> bool:
    return factor in radicals.radicands and bool(factor.is_positive)


class Condition(str):
    """A side condition ``f != 0`` as text in the expression language, with its LaTeX."""

    latex: str

    def __new__(cls, text: str, latex: str) -> Condition:
        made = super().__new__(cls, text)
        made.latex = latex
        return made


def describe_condition(condition: Expr, radicals: Radicals) -> Condition:
    """``P[x,x]`` → ``c(x) != 0``; any other ``f`` → ``f != 0`` in the expression language."""
    while condition in radicals.radicands:  # sqrt(f) != 0 exactly when f != 0
        condition = radicals.radicands[condition]
    names = power_sum_names(condition)
    if len(names) == 2 and names[0] == names[1]:
        return Condition(f"c({names[0]}) != 0", rf"c({names[0]}) \neq 0")
    restored = atoms_to_language(sympy.factor_terms(radicals.restore(condition)))
    return Condition(f"{restored} != 0", rf"{sympy.latex(restored)} \neq 0")
