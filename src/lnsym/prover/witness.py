r"""Certified refutation witnesses: exact points at which two expressions provably differ.

A candidate point has an explicit n, a rational ε and rational values (small integers first, so
witnesses are readable; degenerate ones too — zero scalars, constant or equal vectors). Equality
assumptions are met by solving them exactly for one unknown at a time (linear or quadratic), and every
assumption is then checked **exactly**: an equation must reduce to exactly zero, an inequality must
hold with a certified sign. Both sides are evaluated exactly (SymPy numbers, component by component),
and a component counts as separating only when interval arithmetic (:mod:`mpmath.iv`, at increasing
precision) encloses LHS − RHS in an interval that excludes 0. No certified separation → no witness.

For a limit, the limits of both sides are computed symbolically first (:func:`lnsym.prover.assumptions.limit_of`)
and the witness is a point where their values provably differ and the limit's conditions hold.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeAlias

import mpmath
import sympy
from mpmath import iv
from sympy import Expr, Rational, Symbol

from lnsym.errors import UnsupportedError
from lnsym.lang.definitions import Definition, VectorSymbol, eps, n
from lnsym.lang.parser import Assumption, Context
from lnsym.lang.walker import Evaluator
from lnsym.numeric.mpmath_eval import evaluate_mp
from lnsym.prover.normal_form import (
    Component,
    ComponentwiseBackend,
    NormalFormBackend,
    VectorForm,
    mean_symbol,
    power_sum_names,
)
from lnsym.prover.verdict import Witness
from lnsym.records import Record

__all__ = [
    "DIGITS",
    "Point",
    "certified_sign",
    "conditions_hold",
    "defined",
    "exact_value",
    "find_limit_witness",
    "find_point",
    "find_witness",
    "requirements",
    "requirements_hold",
    "separates",
]

#: significant digits of the decimal values shown in a witness.
DIGITS = 50
_PRECISIONS = (80, 320, 1280)  # bits of the interval evaluations, tried in turn
_DIMENSIONS = (4, 3, 5, 2, 6, 1)
_EPSILONS = (Rational(1, 10), Rational(1), Rational(1, 1000))
_SMALL_INTEGERS = tuple(Rational(k) for k in (1, 2, 3, 4, 5))
#: scalars between the integers too (an assumption such as alpha > -1 may leave only (-1, 0)).
_FRACTIONS = tuple(
    Rational(p, q) for p, q in ((1, 2), (1, 3), (2, 3), (3, 2), (1, 10), (5, 2), (7, 3), (9, 4))
)

Value: TypeAlias = Expr | list[Expr]


class Point(Record):
    """Explicit n, ε and exact values of the declared names."""

    __match_args__ = ("n", "eps", "values")
    __slots__ = __match_args__
    n: int
    eps: Expr
    values: dict[str, Value]

    def __init__(self, n: int, eps: Expr, values: dict[str, Value]) -> None:
        self.n, self.eps, self.values = n, eps, values


# --------------------------------------------------------------------------------------------------
# exact evaluation and certified signs
# --------------------------------------------------------------------------------------------------


class _UndefinedError(Exception):
    """A side is not defined (a division by zero, a complex value) at the point."""


class ExactBackend(ComponentwiseBackend):
    """Componentwise evaluation with exact SymPy numbers at one :class:`Point`."""

    def __init__(self, point: Point) -> None:
        super().__init__(point.n)
        self.point = point

    def vector(self, symbol: VectorSymbol) -> list[Expr]:
        value = self.point.values[symbol.name]
        assert isinstance(value, list)
        return value

    def scalar(self, symbol: Symbol) -> Expr:
        if symbol == n:
            return sympy.Integer(self.point.n)
        if symbol == eps:
            return self.point.eps
        value = self.point.values[symbol.name]
        assert not isinstance(value, list)
        return value

    def power(self, base: Expr, exponent: Expr) -> Expr:
        """A power, only where it is certified real: a divisor certified non-zero, the base of a
        fractional power certified nonnegative (positive, for a negative exponent)."""
        if base == 0 and exponent.is_number and not exponent.is_positive and exponent != 0:
            raise _UndefinedError("0 to a negative power")
        if not (exponent.is_Integer and exponent >= 0):
            sign = certified_sign(base)[0] if base.is_number else None
            if exponent.is_negative and sign not in (1, -1):
                raise _UndefinedError("a division by a number not certified non-zero")
            if not exponent.is_Integer and sign not in (0, 1):
                raise _UndefinedError("a fractional power of a number not certified nonnegative")
        return sympy.Pow(base, exponent)


def exact_value(expr: Expr, point: Point) -> Value | None:
    """``expr`` at ``point`` exactly (a SymPy number, or a list for a vector); None if undefined."""
    try:
        value = Evaluator(ExactBackend(point))(expr)
    except (_UndefinedError, ZeroDivisionError):
        return None
    items = value if isinstance(value, list) else [value]
    if any(not _real_number(v) for v in items):
        return None
    return value


#: what a written expression needs to be defined: ``(base, exponent)`` pairs in normal-form atoms,
#: each power ``base**exponent`` with an exponent that is not a nonnegative integer; None when the
#: expression could not be read (then it counts as defined nowhere).
Requirements: TypeAlias = "list[tuple[Expr, Expr]] | None"


class _RecordingBackend(NormalFormBackend):
    """The normal form, recording every base raised to a power that needs a condition."""

    def __init__(self) -> None:
        super().__init__()
        self.recorded: list[tuple[Expr, Expr]] = []

    def power(self, base: Expr, exponent: Expr) -> Expr:
        if not (exponent.is_Integer and exponent >= 0) and (base, exponent) not in self.recorded:
            self.recorded.append((base, exponent))
        return super().power(base, exponent)


def requirements(exprs: Sequence[Expr]) -> Requirements:
    """The divisors and radicands of expressions *as written*: every power, square root and
    definition inside them (the arguments of a derivative included), in normal-form atoms.

    SymPy folds ``X/X`` to 1 and ``0*X`` to 0; the written forms
    (:attr:`lnsym.lang.parser.Parsed.written`) keep every divisor. The atoms do not depend on
    the point, so this is computed once and checked at each point (:func:`requirements_hold`)."""
    backend = _RecordingBackend()
    evaluator: Evaluator[VectorForm, Expr] = Evaluator(backend)
    try:
        for expr in exprs:
            for node in sympy.preorder_traversal(expr):
                if isinstance(node, sympy.Pow) and not (node.exp.is_Integer and node.exp >= 0):
                    evaluator(_evaluated(node))
                elif isinstance(node, Definition):
                    evaluator(_evaluated(node))
    except (UnsupportedError, TypeError, ValueError, KeyError, ZeroDivisionError):
        return None
    return list(backend.recorded)


def requirements_hold(point: Point, needed: Requirements) -> bool:
    """Is every divisor certified non-zero at ``point``, every base of a fractional power certified
    nonnegative (positive, for a negative or symbolic exponent)?"""
    if needed is None:
        return False
    atoms = _Atoms(point, {})
    for base, exponent in needed:
        value = atoms(base)
        if value is None:
            return False
        sign = certified_sign(value)[0]
        if not exponent.is_number:
            if sign != 1:
                return False
        elif exponent.is_negative and sign not in (1, -1):
            return False
        elif not exponent.is_Integer and sign not in (0, 1):
            return False
    return True


def defined(exprs: Sequence[Expr], point: Point) -> bool:
    """Is every expression defined at ``point`` as written (:func:`requirements`)?"""
    return requirements_hold(point, requirements(exprs))


def _evaluated(expr: Expr) -> Expr:
    """A written (unevaluated) expression rebuilt with SymPy's evaluation: its typed form."""
    if not expr.args or isinstance(expr, VectorSymbol):
        return expr
    return expr.func(*(_evaluated(a) for a in expr.args))


def _real_number(value: Expr) -> bool:
    return bool(
        isinstance(value, sympy.Basic)
        and value.is_number
        and not value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo, sympy.I)
    )


def _interval(expr: Expr) -> Any:
    """An :mod:`mpmath.iv` enclosure of an exact real SymPy number (at the current iv precision)."""
    if expr.is_Integer:
        return iv.mpf(int(expr))
    if expr.is_Rational:
        return iv.mpf(int(expr.p)) / int(expr.q)
    if isinstance(expr, sympy.Add):
        total = iv.mpf(0)
        for a in expr.args:
            total += _interval(a)
        return total
    if isinstance(expr, sympy.Mul):
        product = iv.mpf(1)
        for a in expr.args:
            product *= _interval(a)
        return product
    if isinstance(expr, sympy.Abs):
        return abs(_interval(expr.args[0]))
    if isinstance(expr, sympy.Pow):
        base, exponent = _interval(expr.base), expr.exp
        if exponent.is_Integer:
            return base ** int(exponent)
        if base.a <= 0:
            raise _UndefinedError("a fractional power of a number that may be negative")
        if exponent.is_Rational and exponent.q == 2:
            return iv.sqrt(base) ** int(exponent.p)
        return iv.exp(iv.log(base) * _interval(exponent))
    if expr is sympy.pi:
        return iv.pi
    if expr is sympy.E:
        return iv.e
    raise _UndefinedError(f"no enclosure for {type(expr).__name__}")


def certified_sign(value: Expr) -> tuple[int | None, str]:
    """The sign of an exact real number (-1, 0, 1), certified, and its enclosure; None if unknown.

    Zero is certified only when SymPy reduced the number to exactly 0 (or its minimal polynomial is
    x); a non-zero sign only when an interval enclosure excludes 0.
    """
    if value == 0:
        return 0, "0"
    if value.is_Rational:
        return (1 if value > 0 else -1), str(value)
    for bits in _PRECISIONS:
        saved = iv.prec
        try:
            iv.prec = bits
            box = _interval(value)
            if box.a > 0 or box.b < 0:
                low, high = mpmath.mpf(box.a), mpmath.mpf(box.b)
                text = f"[{mpmath.nstr(low, 20)}, {mpmath.nstr(high, 20)}]"
                return (1 if box.a > 0 else -1), text
        except (_UndefinedError, ZeroDivisionError, ValueError, TypeError):
            return None, ""
        finally:
            iv.prec = saved
    try:
        if sympy.minimal_polynomial(value, sympy.Dummy("z")).is_Symbol:
            return 0, "0"
    except (NotImplementedError, ValueError, TypeError, sympy.PolynomialError):
        pass
    return None, ""


# --------------------------------------------------------------------------------------------------
# points that satisfy the assumptions
# --------------------------------------------------------------------------------------------------


def _pairs(left: Value, right: Value, dim: int) -> list[tuple[Expr, Expr]]:
    """Entry by entry; a scalar met by a vector (the literal 0 against c(x)) stands for n entries."""
    if not isinstance(left, list) and not isinstance(right, list):
        return [(left, right)]
    lv = left if isinstance(left, list) else [left] * dim
    rv = right if isinstance(right, list) else [right] * dim
    return list(zip(lv, rv, strict=True))


def holds(assumption: Assumption, point: Point) -> bool:
    """Does the assumption hold at ``point`` — certified (exact zero, certified signs)?"""
    left, right = exact_value(assumption.lhs, point), exact_value(assumption.rhs, point)
    if left is None or right is None:
        return False
    wanted = {
        "=": {0},
        ">": {1},
        ">=": {0, 1},
        "<": {-1},
        "<=": {0, -1},
    }[assumption.relation]
    for p, q in _pairs(left, right, point.n):
        sign, _ = certified_sign(sympy.nsimplify(p - q) if p.is_Float or q.is_Float else p - q)
        if sign not in wanted:
            return False
    return True


def _candidates(
    context: Context, dims: Sequence[int], rng: random.Random, fixed: dict[str, Expr], count: int
) -> Iterator[Point]:
    """Candidate points, made one at a time (at n = 512 each is 512 random rationals a vector)."""
    for attempt in range(count):
        dim = dims[attempt % len(dims)]
        epsilon = fixed.get("eps", _EPSILONS[(attempt // len(dims)) % len(_EPSILONS)])
        integers = attempt < (2 * count) // 3
        degenerate = attempt % 3 == 2

        def number(positive: bool = False, integers: bool = integers) -> Expr:
            pool = _SMALL_INTEGERS if integers else _FRACTIONS
            value = pool[rng.randrange(len(pool))]
            return value if positive or rng.random() < 0.6 else -value

        values: dict[str, Value] = {}
        for index, name in enumerate(context.vectors):
            if integers:
                entries = [Rational(rng.randint(-4, 5)) for _ in range(dim)]
            else:
                entries = [Rational(rng.randint(-40, 40), rng.randint(1, 9)) for _ in range(dim)]
            if dim > 1 and len(set(entries)) == 1:
                entries[0] += 1
            if degenerate and index == rng.randrange(len(context.vectors)):
                kind = rng.choice(["constant", "zero", "copy"])
                if kind == "constant":
                    entries = [entries[0]] * dim
                elif kind == "zero":
                    entries = [sympy.S.Zero] * dim
                elif index > 0:
                    previous = values[context.vectors[index - 1]]
                    assert isinstance(previous, list)
                    entries = list(previous)
            values[name] = entries
        for name in context.scalars:
            positive = name in context.positive
            values[name] = (
                sympy.S.Zero
                if degenerate and not positive and rng.random() < 0.5
                else number(positive)
            )
        values.update({k: v for k, v in fixed.items() if k != "eps"})
        yield Point(dim, epsilon, values)


def _solve_equalities(
    point: Point,
    context: Context,
    assumptions: Sequence[Assumption],
    free: set[str],
    choice: int = 0,
) -> tuple[Point, bool]:
    """Adjust ``point`` to meet the equalities: each residual is solved exactly for one unknown
    (with two real roots, root ``choice``); also whether a choice between roots was made."""
    branched = False
    equalities = [a for a in assumptions if a.relation == "="]
    if not equalities:
        return point, branched
    backend = ComponentwiseBackend(point.n)
    evaluator: Evaluator[list[Expr], Expr] = Evaluator(backend)
    residuals: list[Expr] = []
    for a in equalities:
        try:
            left, right = evaluator(a.lhs), evaluator(a.rhs)
        except (ZeroDivisionError, TypeError, ValueError):
            return point, branched
        residuals.extend(p - q for p, q in _pairs(left, right, point.n))
    unknowns: dict[Symbol, tuple[str, int | None]] = {}
    for name in context.vectors:
        if name in free:
            for i in range(point.n):
                unknowns[Component(name, i)] = (name, i)
    for name in context.scalars:
        if name in free:
            positive = name in context.positive
            unknowns[Symbol(name, positive=True) if positive else Symbol(name, real=True)] = (
                name,
                None,
            )
    current = dict(point.values)
    if "eps" in free:  # eps = alpha with 2*alpha = 1: eps is an unknown too
        unknowns[eps] = ("eps", None)
        current["eps"] = point.eps

    def value_of(symbol: Symbol) -> Expr:
        name, index = unknowns[symbol]
        value = current[name]
        return value[index] if isinstance(value, list) and index is not None else value

    def numeric(expr: Expr, keep: Symbol | None = None, unknown_kept: bool = False) -> Expr:
        replacements: dict[Expr, Expr] = {}
        for s in expr.free_symbols:
            if s == keep or (unknown_kept and s in unknowns):
                continue
            if s == n:
                replacements[s] = sympy.Integer(point.n)
            elif s == eps:
                replacements[s] = point.eps
            elif s in unknowns:
                replacements[s] = value_of(s)
            elif isinstance(s, Component):
                entries = current.get(s.vector)
                if isinstance(entries, list):
                    replacements[s] = entries[s.index]
            elif isinstance(s, Symbol):
                value = current.get(s.name)
                if value is not None and not isinstance(value, list):
                    replacements[s] = value
        return expr.xreplace(replacements)

    eliminated = _eliminate(residuals, unknowns, value_of, numeric, choice)
    if eliminated is not None:
        found, branched = eliminated
        for symbol, root in found.items():
            name, index = unknowns[symbol]
            if index is None:
                current[name] = root
            else:
                entries = list(current[name])
                entries[index] = root
                current[name] = entries
        return _with_eps(point, current), branched
    locked: set[Symbol] = set()
    for residual in residuals:
        options = [s for s in residual.free_symbols if s in unknowns and s not in locked]
        for symbol in options:
            reduced = sympy.expand(sympy.together(numeric(residual, keep=symbol)))
            numerator = sympy.fraction(sympy.together(reduced))[0]
            if numerator.free_symbols != {symbol}:
                continue
            try:
                poly = sympy.Poly(numerator, symbol)
            except sympy.PolynomialError:
                continue
            if poly.degree() not in (1, 2):
                continue
            roots = [r for r in sympy.roots(poly, multiple=True) if r.is_real]
            if symbol.is_positive:
                roots = [r for r in roots if r.is_positive]
            if not roots:
                continue
            roots = list(dict.fromkeys(roots))
            branched = branched or len(roots) > 1
            chosen = roots[choice % len(roots)]
            root = sympy.nsimplify(chosen) if chosen.is_Float else chosen
            name, index = unknowns[symbol]
            if index is None:
                current[name] = root
            else:
                entries = list(current[name])
                entries[index] = root
                current[name] = entries
            locked |= {s for s in residual.free_symbols if s in unknowns}
            break
    return _with_eps(point, current), branched


def _with_eps(point: Point, values: dict[str, Value]) -> Point:
    """``point`` with new ``values`` (an ``"eps"`` entry is the new ε)."""
    values = dict(values)
    epsilon = values.pop("eps", point.eps)
    assert not isinstance(epsilon, list)
    return Point(point.n, epsilon, values)


def _eliminate(
    residuals: list[Expr],
    unknowns: dict[Symbol, tuple[str, int | None]],
    value_of: Callable[[Symbol], Expr],
    numeric: Callable[..., Expr],
    choice: int,
) -> tuple[dict[Symbol, Expr], bool] | None:
    """Meet every residual at once: a residual linear in an unknown with a numeric coefficient
    eliminates it (its value stays a function of the others, so later residuals may still move
    them: ``mu(x) = 0`` and ``norm(x) = 1`` together); any other residual is solved for one
    unknown with the others at the point's values (a square root squared away, the root checked).
    The new values, and whether a choice between roots was made; None when a residual resists."""
    solved: dict[Symbol, Expr] = {}
    fixed: dict[Symbol, Expr] = {}
    branched = False
    pending = [numeric(raw, keep=None, unknown_kept=True) for raw in residuals]

    def current(residual: Expr) -> Expr:
        reduced = sympy.expand(residual.xreplace(fixed).xreplace(solved))
        return sympy.expand(sympy.fraction(sympy.together(reduced))[0])

    def free(numerator: Expr) -> list[Symbol]:
        return sorted(
            (s for s in numerator.free_symbols if s in unknowns and s not in fixed),
            key=lambda s: (s.is_positive is True, str(s)),
        )

    while pending:
        numerators = [current(r) for r in pending]
        pending = [r for r, num in zip(pending, numerators, strict=True) if num != 0]
        numerators = [num for num in numerators if num != 0]
        if not pending:
            break
        linear = None  # first, any residual linear in an unknown with a numeric coefficient
        for index, numerator in enumerate(numerators):
            for symbol in free(numerator):
                try:
                    poly = sympy.Poly(numerator, symbol)
                except sympy.PolynomialError:
                    continue
                slope = poly.coeff_monomial(symbol)
                if poly.degree() == 1 and slope.is_number and slope != 0 and not symbol.is_positive:
                    linear = index, symbol, sympy.expand(-(numerator - slope * symbol) / slope)
                    break
            if linear is not None:
                break
        if linear is not None:
            index, symbol, value = linear
            solved = {k: sympy.expand(v.xreplace({symbol: value})) for k, v in solved.items()}
            solved[symbol] = value
            pending.pop(index)
            continue
        numerator = numerators[0]  # else one unknown of the first, the others set to numbers
        options = free(numerator)
        if not options:
            return None
        turn = (choice // 2) % len(options)  # variants try the unknowns in another order
        options = options[turn:] + options[:turn]
        done = False
        for pool in ("point", "zero", "one"):
            for symbol in options:
                others = {
                    o: value_of(o) if pool == "point" else sympy.S(0 if pool == "zero" else 1)
                    for o in numerator.free_symbols
                    if o in unknowns and o != symbol and o not in fixed
                }
                if any(o.is_positive and not v.is_positive for o, v in others.items()):
                    continue
                roots = _real_roots(sympy.expand(numerator.xreplace(others)), symbol)
                if not roots:
                    continue
                branched = branched or len(roots) > 1
                fixed.update(others)
                fixed[symbol] = roots[choice % len(roots)]
                solved = {k: sympy.expand(v.xreplace(fixed)) for k, v in solved.items()}
                done = True
                break
            if done:
                break
        if not done:
            return None
        pending.pop(0)
    out = dict(fixed)
    for symbol, value in solved.items():
        rest = {o: value_of(o) for o in value.free_symbols if o in unknowns and o not in out}
        out[symbol] = sympy.expand(value.xreplace(out).xreplace(rest))
    if any(not v.is_number or not _real_number(v) for v in out.values()):
        return None
    if any(symbol.is_positive and not value.is_positive for symbol, value in out.items()):
        return None
    return out, branched


def _real_roots(expr: Expr, symbol: Symbol) -> list[Expr]:
    """The real roots of ``expr`` in ``symbol`` (degree 1 or 2, one square root squared away, an
    absolute value opened with either sign; every root checked in ``expr`` itself)."""
    absolutes = [a for a in expr.atoms(sympy.Abs) if a.has(symbol)]
    if len(absolutes) == 1:
        (absolute,) = absolutes
        out: list[Expr] = []
        for sign in (1, -1):
            for r in _real_roots(expr.xreplace({absolute: sign * absolute.args[0]}), symbol):
                if (
                    r not in out
                    and certified_sign(sympy.expand(expr.xreplace({symbol: r})))[0] == 0
                ):
                    out.append(r)
        return out
    if absolutes:
        return []
    radicals = [a for a in expr.atoms(sympy.Pow) if a.exp == sympy.S.Half and a.has(symbol)]
    if len(radicals) > 1:
        return []
    target = expr
    if radicals:
        (root,) = radicals
        parts = sympy.collect(expr, root, evaluate=False)
        if set(parts) - {root, sympy.S.One}:
            return []
        p, q = parts.get(sympy.S.One, sympy.S.Zero), parts.get(root, sympy.S.Zero)
        target = sympy.expand(p**2 - q**2 * root.base)
    try:
        poly = sympy.Poly(target, symbol)
    except sympy.PolynomialError:
        return []
    if not 1 <= poly.degree() <= 4 or not all(c.is_number for c in poly.coeffs()):
        return []
    out = []
    found = sympy.roots(poly, multiple=True) if poly.degree() <= 2 else list(sympy.roots(poly))
    for r in sorted(found, key=lambda r: (not r.is_Rational, sympy.default_sort_key(r))):
        if not r.is_real or r in out:
            continue
        if symbol.is_positive and not r.is_positive:
            continue
        if radicals and certified_sign(sympy.expand(expr.xreplace({symbol: r})))[0] != 0:
            continue
        out.append(r)
    return out


def find_point(
    context: Context,
    assumptions: Sequence[Assumption],
    dims: Sequence[int],
    *,
    accept: Callable[[Point], bool] = lambda point: True,
    fixed: dict[str, Expr] | None = None,
    attempts: int = 24,
    seed: int = 0,
) -> Point | None:
    """A point satisfying every assumption (certified) for which ``accept`` is true, or None."""
    for point in _points(context, assumptions, dims, fixed or {}, attempts, seed):
        if accept(point):
            return point
    return None


def _points(
    context: Context,
    assumptions: Sequence[Assumption],
    dims: Sequence[int],
    fixed: dict[str, Expr],
    attempts: int,
    seed: int,
) -> Any:
    rng = random.Random(seed)
    free = {*context.vectors, *context.scalars, "eps"} - set(fixed)
    for candidate in _candidates(context, dims, rng, fixed, attempts):
        seen: list[Point] = []
        for choice in range(4):  # the other root of a quadratic, another unknown to solve for
            point, branched = _solve_equalities(candidate, context, assumptions, free, choice)
            if any(p.values == point.values and p.eps == point.eps for p in seen):
                continue
            good = all(holds(a, point) for a in assumptions)
            if good:
                seen.append(point)
                yield point
            if choice == 0 and good and not branched:
                break


# --------------------------------------------------------------------------------------------------
# witnesses
# --------------------------------------------------------------------------------------------------


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
    domain: Sequence[Expr] = (),
) -> Witness | None:
    """A certified :class:`~lnsym.prover.verdict.Witness` separating ``lhs`` and ``rhs``, or None.

    ``fixed`` pins declared scalars (or ``eps``) to given values; every expression of ``domain``
    (the sides as written, unsimplified) must be defined at the witness too.
    """
    pinned = {k: sympy.Rational(v) for k, v in (fixed or {}).items()}
    dims = (dim,) if dim is not None else _DIMENSIONS
    needed = requirements(domain) if domain else []
    for point in _points(context, assumptions, dims, pinned, attempts, seed):
        left, right = exact_value(lhs, point), exact_value(rhs, point)
        if left is None or right is None:
            continue
        if domain and not requirements_hold(point, needed):
            continue  # outside the domain of a side (or an assumption) as written
        witness = _separating(point, left, right)
        if witness is not None:
            return witness
    return None


def conditions_hold(
    point: Point, conditions: Sequence[Expr], radicands: dict[Symbol, Expr]
) -> bool:
    """Is every condition (an expression in the normal-form atoms) certified non-zero at ``point``?"""
    atoms = _Atoms(point, radicands)
    for condition in conditions:
        value = atoms(condition)
        if value is None or certified_sign(value)[0] in (0, None):
            return False
    return True


def find_limit_witness(
    left: VectorForm | Expr,
    right: VectorForm | Expr,
    conditions: Sequence[Expr],
    radicands: dict[Symbol, Expr],
    context: Context,
    assumptions: Sequence[Assumption],
    dim: int | None,
    limits: Sequence[tuple[Symbol, Expr]],
) -> Witness | None:
    """A certified witness that the limits of two sides differ.

    ``left``/``right`` are the limits in normal form (coefficients over basis vectors, in the atoms
    μ, P, S, the radicals ``radicands`` and the scalars); they are evaluated at a point satisfying the
    assumptions at which every condition is certified non-zero.
    """
    fixed = {str(s): v for s, v in limits if v.is_finite}
    dims = (dim,) if dim is not None else _DIMENSIONS
    for point in _points(context, assumptions, dims, {}, 24, 0):
        point = Point(point.n, fixed.get("eps", point.eps), {**point.values})
        for name, value in fixed.items():
            if name != "eps":
                point.values[name] = value
        if not conditions_hold(point, conditions, radicands):
            continue
        atoms = _Atoms(point, radicands)
        lv, rv = atoms.form(left), atoms.form(right)
        if lv is None or rv is None:
            continue
        witness = _separating(point, lv, rv)
        if witness is not None:
            return witness
    return None


class _Atoms:
    """Exact values of the normal-form atoms (μ, P, S, scalars, radicals) at one point."""

    def __init__(self, point: Point, radicands: dict[Symbol, Expr]) -> None:
        self.point = point
        self.centered: dict[str, list[Expr]] = {}
        self.values: dict[Expr, Expr] = {n: sympy.Integer(point.n), eps: point.eps}
        for name, value in point.values.items():
            if isinstance(value, list):
                mean = sum(value, sympy.S.Zero) / point.n
                self.centered[name] = [v - mean for v in value]
                self.values[mean_symbol(name)] = mean
            else:
                self.values[Symbol(name, real=True)] = value
                self.values[Symbol(name, positive=True)] = value
        self.radicands = radicands

    def __call__(self, expr: Expr) -> Expr | None:
        """``expr`` at the point; None where a radical is not real."""
        expr = sympy.sympify(expr)
        for _ in range(len(self.radicands) + 1):
            missing = [s for s in expr.free_symbols if s not in self.values]
            if not missing:
                break
            for s in missing:
                names = power_sum_names(s)
                if names and all(name in self.centered for name in names):
                    self.values[s] = sum(
                        (
                            sympy.Mul(*(self.centered[name][i] for name in names))
                            for i in range(self.point.n)
                        ),
                        sympy.S.Zero,
                    )
                elif s in self.radicands:
                    radicand = self(self.radicands[s])
                    if radicand is None or certified_sign(radicand)[0] in (-1, None):
                        return None
                    self.values[s] = sympy.sqrt(radicand)
        value = expr.xreplace(self.values)
        return value if _real_number(value) else None

    def form(self, form: VectorForm | Expr) -> Value | None:
        """A normal form (scalar, or coefficients over basis vectors) at the point."""
        if not isinstance(form, dict):
            return self(form)
        total = [sympy.S.Zero] * self.point.n
        for atom, coefficient in form.items():
            c = self(coefficient)
            if c is None:
                return None
            for i in range(self.point.n):
                basis = sympy.Mul(*(self.centered[name][i] for name in atom))
                total[i] += c * basis
        return [sympy.expand(v) for v in total]


def _separating(point: Point, left: Value, right: Value) -> Witness | None:
    pairs = _pairs(left, right, point.n)
    enclosures = []
    separated = False
    for p, q in pairs:
        sign, box = certified_sign(p - q)
        enclosures.append(box or "?")
        separated = separated or sign in (1, -1)
    if not separated:
        return None
    return Witness(
        n=point.n,
        eps=_decimal(point.eps),
        values={k: _decimal(v) for k, v in point.values.items()},
        lhs=_decimal(left),
        rhs=_decimal(right),
        digits=DIGITS,
        exact={k: _exact(v) for k, v in point.values.items()} | {"eps": str(point.eps)},
        difference_enclosures=enclosures
        if isinstance(left, list) or isinstance(right, list)
        else enclosures[0],
    )


def _exact(value: Value) -> Any:
    return [str(v) for v in value] if isinstance(value, list) else str(value)


def _decimal(value: Value) -> Any:
    if isinstance(value, list):
        return [_decimal(v) for v in value]
    if value.is_Integer:
        return str(value)
    with mpmath.workdps(DIGITS + 10):
        number = mpmath.mpf(str(sympy.N(value, DIGITS + 10)))
        return mpmath.nstr(number, DIGITS, min_fixed=-10, max_fixed=30)


def separates(witness: Witness, lhs: Expr, rhs: Expr) -> bool:
    """Re-check a witness independently: do ``lhs`` and ``rhs`` differ at its values?

    Evaluated with mpmath at 50 digits (a check of the certified verdict by another route).
    """
    try:
        left = evaluate_mp(lhs, witness.values, n=witness.n, eps=witness.eps, digits=DIGITS)
        right = evaluate_mp(rhs, witness.values, n=witness.n, eps=witness.eps, digits=DIGITS)
    except (ZeroDivisionError, ValueError, TypeError, ArithmeticError):
        return False
    threshold = mpmath.mpf("1e-20")
    pairs = _pairs(left, right, witness.n)
    return any(abs(p - q) > threshold * max(1, abs(p), abs(q)) for p, q in pairs)
