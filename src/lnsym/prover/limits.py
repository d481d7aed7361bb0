r"""Limits (``--limit eps=0``): parsing the limit points, and limits taken soundly.

**Limits** are taken after the assumptions, by a Taylor expansion in the distance to the limit point:
:math:`\lim N(h)/D(h) = N_k/D_k` where :math:`D_k` is the first coefficient of :math:`D` that is not
identically zero and :math:`N_0 = \dots = N_{k-1} = 0`. The result holds where :math:`D_k \ne 0` (and,
for :math:`k > 0`, where the square roots involved are analytic): those are the *conditions* stated
with the verdict. Anything that is not a rational function of square roots near the limit point
(a symbolic exponent, an absolute value under a 0/0) is unsupported rather than guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import sympy
from sympy import Expr, Symbol

from lnsym.errors import LnsymError, UnsupportedError, declare_hint
from lnsym.lang.definitions import Kind
from lnsym.lang.parser import Context, parse_typed
from lnsym.prover.assumptions import known_nonzero
from lnsym.prover.normal_form import atoms_to_language, power_sum_names
from lnsym.prover.radicals import Radical, Radicals

__all__ = ["MAX_LIMIT_ORDER", "Condition", "describe_condition", "limit_of", "parse_limits"]

#: the Taylor expansion of a 0/0 limit looks this many orders deep before giving up.
MAX_LIMIT_ORDER = 4


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
        symbol = context.variable(name)
        if symbol is None:
            raise LnsymError(
                f"cannot take a limit in {name!r}; limits are in eps or a declared scalar "
                f"({declare_hint(name, 'scalar')})"
            )
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
    moved = radicals.canonical(radicals.restore(canonical).xreplace({symbol: replacement}))
    if one_sided and any(radicals.radicands.get(t) == h for t in moved.free_symbols):
        k = sympy.Dummy("k", positive=True)  # sqrt(h) occurs: expand in k = sqrt(h) instead
        moved = radicals.canonical(radicals.restore(moved).xreplace({h: k**2}))
        h = k
    numerator, denominator = sympy.fraction(sympy.together(moved))
    dependent = {
        t: radicals.radicands[t]
        for t in (numerator.free_symbols | denominator.free_symbols)
        if t in radicals.radicands and radicals.radicands[t].has(h)
    }
    real: list[Expr] = []  # a radicand of unknown sign is real near the point if positive there
    for t, f in dependent.items():
        if isinstance(t, Radical) and not t.signed:
            at_zero = sympy.expand(f.xreplace({h: sympy.S.Zero}))
            if not radicals.nonnegative(at_zero):
                raise UnsupportedError(
                    f"cannot take the limit {symbol} -> {target}: a square root of unknown sign "
                    "depends on it"
                )
            real += _nonzero_conditions(at_zero, radicals)
    smooth = {t: sympy.sqrt(f) for t, f in dependent.items()}
    den_at = radicals.canonical(denominator.xreplace(smooth).xreplace({h: sympy.S.Zero}))
    if radicals.reduce(den_at) != 0 and _continuous(moved, h, dependent, radicals):
        value = radicals.canonical(moved.xreplace(smooth).xreplace({h: sympy.S.Zero}))
        return value, _merge(_nonzero_conditions(den_at, radicals), real)
    if _has_irregular(numerator / denominator, h):
        raise UnsupportedError(
            f"cannot take the limit {symbol} -> {target}: the expression is not algebraic in "
            f"{symbol} there (an exponent, an absolute value or a function under a 0/0)"
        )
    analytic: list[Expr] = []
    for radicand in dependent.values():
        at_zero = sympy.expand(radicand.xreplace({h: sympy.S.Zero}))
        if radicals.reduce(at_zero) == 0:
            raise UnsupportedError(
                f"cannot take the limit {symbol} -> {target}: a square root vanishes there"
            )
        analytic.append(at_zero)
    smooth_num, smooth_den = numerator.xreplace(smooth), denominator.xreplace(smooth)
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
        conditions = _merge(_nonzero_conditions(den_k, radicals), real)
        if order > 0:
            conditions = _merge(conditions, *(_nonzero_conditions(a, radicals) for a in analytic))
        return radicals.canonical(num_k / den_k), conditions
    raise UnsupportedError(
        f"cannot take the limit {symbol} -> {target}: no leading term within order {MAX_LIMIT_ORDER}"
    )


def _continuous(expr: Expr, h: Symbol, dependent: dict[Symbol, Expr], radicals: Radicals) -> bool:
    """Is ``expr`` continuous in ``h`` at 0 (given its denominator does not vanish there)?

    Sums, products, absolute values and square roots of nonnegative radicands are; a power with a
    negative or non-integer exponent only where its base at 0 is known non-zero (positive, for a
    non-integer or ``h``-dependent exponent); any other function is not assumed to be.
    """
    if expr.is_Atom:
        return True
    if not expr.has(h) and not (expr.free_symbols & set(dependent)):
        return True
    if isinstance(expr, sympy.Add | sympy.Mul | sympy.Abs):
        return all(_continuous(a, h, dependent, radicals) for a in expr.args)
    if isinstance(expr, sympy.Pow):
        base, exponent = expr.base, expr.exp
        if not _continuous(base, h, dependent, radicals) or (
            exponent.has(h) and not (_continuous(exponent, h, dependent, radicals))
        ):
            return False
        if exponent.is_Integer and exponent >= 0:
            return True
        at = base.xreplace({t: sympy.sqrt(f) for t, f in dependent.items()}).xreplace(
            {h: sympy.S.Zero}
        )
        at = radicals.canonical(at)
        if exponent.is_Integer:
            return known_nonzero(at)
        return bool(at.is_positive)
    return False


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


def _merge(*groups: list[Expr]) -> list[Expr]:
    out: list[Expr] = []
    for group in groups:
        out += [c for c in group if c not in out and -c not in out]
    return out


def _nonzero_conditions(expr: Expr, radicals: Radicals) -> list[Expr]:
    """The factors of ``expr``'s numerator not known to be non-zero (each must be ``!= 0``)."""
    canonical = radicals.canonical(expr)
    numerator, denominator = sympy.fraction(sympy.together(canonical))
    out = []
    for part in (numerator, denominator):
        _, factors = sympy.factor_list(sympy.expand(part))
        for factor, _m in factors:
            if isinstance(factor, sympy.Abs):  # |f| != 0 exactly when f != 0
                factor = factor.args[0]
            if not known_nonzero(factor) and not _positive_radical(factor, radicals):
                if factor not in out and -factor not in out:
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
