r"""Square roots in canonical form, and the exact zero test the prover rests on.

SymPy merges :math:`\sqrt{a}\sqrt{b}` only when it knows the radicands are nonnegative, and plain
``simplify`` is slow. Here every :math:`b^{p/2}` is rewritten bottom-up: the radicand is brought over a
common denominator and factored into irreducible polynomials; squares are pulled out (with their known
sign, else as :math:`|f|`) and each remaining irreducible factor :math:`f \ge 0` becomes one symbol
:math:`t_f = \sqrt f`, the same symbol wherever :math:`f` occurs. An expression then is a rational
function of the atoms and the :math:`t_f`; its numerator, reduced with :math:`t_f^2 = f`, is zero
exactly when the expression is (square roots of distinct square-free irreducibles are linearly
independent), and when the numerator reduces to the zero polynomial the identity is proved.

Nonnegativity of a factor is decided from SymPy's assumptions on the atoms (``P[x,x] >= 0``,
``n > 0``, ``eps > 0``) and from the :class:`~lnsym.prover.normal_form.Facts` recorded while normalizing (every
:math:`\langle v, v\rangle` is nonnegative), also up to a nonnegative remainder.
"""

from __future__ import annotations

from typing import TypeAlias

import sympy
from sympy import Expr, Symbol

from lnsym.prover.normal_form import Facts

__all__ = ["Radical", "Radicals"]


class Radical(Symbol):
    r"""The symbol :math:`t_f = \sqrt f` of one radicand ``f`` (an expanded polynomial in the atoms).

    ``signed`` is True for a radicand known to be nonnegative (the symbol is then nonnegative, or
    positive); False for one of unknown sign, kept opaque (its square root may not be real).
    """

    radicand: Expr
    signed: bool

    def __new__(
        cls, index: int, radicand: Expr, *, signed: bool, positive: bool = False
    ) -> Radical:
        head = "t" if signed else "r"
        label = f"{head}{index}[{radicand}]"
        if not signed:
            made = super().__new__(cls, label)
        elif positive:
            made = super().__new__(cls, label, positive=True)
        else:
            made = super().__new__(cls, label, nonnegative=True)
        made.radicand, made.signed = radicand, signed
        return made


class Radicals:
    """Canonical square roots sharing one table of radical symbols :math:`t_f = \\sqrt{f}`."""

    def __init__(self, facts: Facts | None = None) -> None:
        self.facts = facts if facts is not None else Facts()
        self.symbols: dict[Expr, Radical] = {}  # radicand f (expanded) -> t_f
        self.radicands: dict[Expr, Expr] = {}  # t_f -> f
        self._memo: dict[Expr, Expr] = {}
        self._memo_version = self.facts.version

    # -- positivity ------------------------------------------------------------------------------

    def nonnegative(self, f: Expr) -> bool:
        """True when ``f >= 0`` follows from the atoms' assumptions and the recorded facts."""
        f = sympy.expand(f)
        if f.is_nonnegative:
            return True
        for fact in self.facts.nonnegative:
            if self._covers(fact, f):
                return True
        return False

    @staticmethod
    def _covers(fact: Expr, f: Expr) -> bool:
        """``f = λ·fact + r`` with λ > 0 and ``r`` evidently nonnegative?"""
        terms = fact.as_coefficients_dict()
        f_terms = f.as_coefficients_dict()
        for monomial, coefficient in terms.items():
            if monomial in f_terms:
                ratio = f_terms[monomial] / coefficient
                if ratio.is_positive:
                    rest = sympy.expand(f - ratio * fact)
                    if rest == 0 or rest.is_nonnegative:
                        return True
                return False
        return False

    def sign(self, f: Expr) -> int | None:
        if self.nonnegative(f):
            return 1
        if self.nonnegative(-f):
            return -1
        return None

    # -- canonical form --------------------------------------------------------------------------

    def canonical(self, expr: Expr) -> Expr:
        """``expr`` with every half-integer power rewritten in the radical symbols."""
        if self._memo_version != self.facts.version:  # a new fact may decide a sign
            self._memo.clear()
            self._memo_version = self.facts.version
        found = self._memo.get(expr)
        if found is None:
            found = self._memo[expr] = self._canonical(expr)
        return found

    def _canonical(self, expr: Expr) -> Expr:
        if expr.is_Atom:
            return expr
        if isinstance(expr, sympy.Pow):
            base = self.canonical(expr.base)
            exponent = expr.exp
            if exponent.is_Rational and exponent.q == 2:
                return self.sqrt(base) ** exponent.p
            return sympy.Pow(base, self.canonical(exponent))
        if isinstance(expr, sympy.Abs):
            inner = self.canonical(expr.args[0])
            sign = self.sign(inner)
            return sympy.Abs(inner) if sign is None else sign * inner
        return expr.func(*(self.canonical(a) for a in expr.args))

    def root(self, f: Expr) -> Expr:
        """The symbol :math:`t_f` for a nonnegative irreducible radicand ``f``."""
        key = sympy.expand(f)
        if key.is_number:
            return sympy.sqrt(key)
        symbol = self.symbols.get(key)
        if symbol is None:
            index = len(self.symbols)
            symbol = Radical(index, key, signed=True, positive=bool(key.is_positive))
            self.symbols[key] = symbol
            self.radicands[symbol] = key
        return symbol

    def sqrt(self, radicand: Expr) -> Expr:
        """Canonical :math:`\\sqrt{\\text{radicand}}` (radicand already canonical)."""
        if radicand.is_number:
            return sympy.sqrt(radicand)
        constant = sympy.S.One
        result = sympy.S.One
        opaque = sympy.S.One
        for (content, factors), power in zip(_factored(radicand), (1, -1), strict=True):
            constant *= content**power
            for factor, multiplicity in factors:
                sign = self.sign(factor)
                if sign is None:
                    result *= sympy.Abs(factor) ** (power * (multiplicity // 2))
                    if multiplicity % 2:
                        opaque *= factor**power
                    continue
                if sign < 0:
                    factor = -factor
                    constant *= (-1) ** multiplicity
                result *= factor ** (power * (multiplicity // 2))
                if multiplicity % 2:
                    result *= self.root(factor) ** power
        if constant.is_negative:
            constant, opaque = -constant, -opaque
        if opaque != 1:
            result *= self.root_unknown(opaque)
        return sympy.sqrt(constant) * result

    def root_unknown(self, radicand: Expr) -> Expr:
        """A symbol for the square root of a radicand of unknown sign (kept opaque)."""
        key = sympy.expand(radicand)
        if key == -1:
            return sympy.I
        symbol = self.symbols.get(key)
        if symbol is None:
            symbol = Radical(len(self.symbols), key, signed=False)
            self.symbols[key] = symbol
            self.radicands[symbol] = key
        return symbol

    # -- the zero test ---------------------------------------------------------------------------

    def reduce(self, expr: Expr) -> Expr:
        """The numerator of canonical ``expr``, reduced with :math:`t_f^2 = f`."""
        canonical = self.canonical(expr)
        if canonical == 0:
            return sympy.S.Zero
        numerator, _ = sympy.fraction(sympy.together(canonical))
        numerator = sympy.expand(numerator)
        for _ in range(8):
            present = [t for t in numerator.free_symbols if t in self.radicands]
            if not present:
                break
            try:
                poly = sympy.Poly(numerator, *present)
            except sympy.PolynomialError:
                return numerator  # not a polynomial in the radicals: no claim of zero
            if all(max(m) <= 1 for m in poly.monoms()):
                break
            numerator = sympy.expand(
                sympy.Add(
                    *(
                        coefficient
                        * sympy.Mul(
                            *(
                                t ** (k % 2) * self.radicands[t] ** (k // 2)
                                for t, k in zip(present, monomial, strict=True)
                            )
                        )
                        for monomial, coefficient in poly.terms()
                    )
                )
            )
        return numerator

    def is_zero(self, expr: Expr) -> bool:
        """True when ``expr`` is identically zero (sound: never True for a nonzero expression)."""
        return self.reduce(expr) == 0

    def restore(self, expr: Expr) -> Expr:
        """Replace radical symbols by the square roots they stand for (for display)."""
        return expr.xreplace({t: sympy.sqrt(f) for t, f in self.radicands.items()})


Factors: TypeAlias = tuple[Expr, list[tuple[Expr, int]]]


def _factored(radicand: Expr) -> tuple[Factors, Factors]:
    """The numerator and denominator of ``radicand`` over a common denominator, each as
    :func:`sympy.factor_list` gives it: its content and its irreducible factors with multiplicity.

    A radicand is most often a sum such as :math:`P + n\\varepsilon` or :math:`P/n + \\varepsilon`, or
    one symbol: that case is read off directly (:func:`_evident`), not by
    ``factor_list(cancel(together(...)))``, which costs milliseconds each time.
    """
    evident = _evident(radicand)
    if evident is not None:
        numerator, denominator = evident
        return (sympy.S.One, [(numerator, 1)]), (sympy.S.One, denominator)
    numerator, denominator = sympy.fraction(sympy.cancel(sympy.together(radicand)))
    return sympy.factor_list(numerator), sympy.factor_list(denominator)


def _evident(radicand: Expr) -> tuple[Expr, list[tuple[Expr, int]]] | None:
    """``(f, [(s, k)])`` with ``radicand = f/s**k`` (``(f, [])`` when ``k = 0``) and ``f`` evidently
    irreducible, primitive and with positive coefficients (``factor_list`` gives ``(1, [(f, 1)])``
    for it), or None.

    The case read: a symbol, or a sum of terms, each a positive integer times a product of integer
    powers of symbols, negative powers of one symbol ``s`` only. Over the common denominator
    :math:`s^k` the numerator ``f`` has a term free of ``s``, so it shares no factor with
    :math:`s^k`; and ``f`` is irreducible when one of its terms is a bare symbol ``g`` (coefficient
    1) that no other term contains: ``f = g + b`` with ``b`` free of ``g`` has degree 1 in ``g``, and
    a factor of degree 0 in ``g`` would divide 1.
    """
    if isinstance(radicand, Symbol):
        return (radicand, []) if radicand.is_commutative else None
    if not isinstance(radicand, sympy.Add):
        return None
    terms: list[tuple[sympy.Integer, dict[Symbol, int]]] = []
    below: Symbol | None = None
    depth = 0
    for term in radicand.args:
        coefficient, rest = term.as_coeff_Mul()
        if not (coefficient.is_Integer and coefficient > 0):
            return None
        powers: dict[Symbol, int] = {}
        for factor in sympy.Mul.make_args(rest):
            base, exponent = factor.as_base_exp()
            if factor == 1:
                continue
            if not (isinstance(base, Symbol) and base.is_commutative and exponent.is_Integer):
                return None
            if exponent < 0:
                if below is not None and base != below:
                    return None
                below, depth = base, max(depth, -int(exponent))
            powers[base] = int(exponent)
        terms.append((coefficient, powers))
    if below is not None:
        for _, powers in terms:
            powers[below] = powers.get(below, 0) + depth
            if powers[below] == 0:
                del powers[below]
    for coefficient, powers in terms:
        if coefficient == 1 and len(powers) == 1:
            ((symbol, exponent),) = powers.items()
            if exponent == 1 and sum(symbol in other for _, other in terms) == 1:
                break
    else:
        return None
    numerator = sympy.Add(
        *(c * sympy.Mul(*(b**e for b, e in powers.items())) for c, powers in terms)
    )
    return numerator, [] if below is None else [(below, depth)]
