"""Exact multivariate polynomials over the rationals: the checker's only arithmetic.

A :class:`Poly` maps monomials to :class:`~fractions.Fraction` coefficients; a monomial is a sorted
tuple of ``(variable, exponent)`` pairs, ``()`` the constant monomial. Nothing is simplified behind the
caller's back: two polynomials are equal exactly when their term tables are.

>>> x, y = Poly.var("x"), Poly.var("y")
>>> (x + y) ** 2 - (x**2 + 2 * x * y + y**2)
0
>>> (x + 1) * (x - 1)
(1)*x**2 + (-1)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

from lnsym.check.reader import rational

__all__ = [
    "MAX_BITS",
    "MAX_TERMS",
    "MAX_WORK",
    "Monomial",
    "Poly",
    "PolyTooLargeError",
    "budget",
    "poly_from_json",
    "poly_to_json",
    "product",
]

Monomial = tuple[tuple[str, int], ...]
#: the most terms a product may have, and the most bits a coefficient may have (bounded work)
MAX_TERMS = 100_000
MAX_BITS = 20_000
#: the most products of terms one check may spend in all its multiplications together (bounded
#: work: a power or a long product grows below MAX_TERMS at each step; the heaviest shipped
#: check, RMSNorm's scale bounds, spends about 103,000)
MAX_WORK = 300_000
#: the work left in each open :class:`budget` (innermost last); with none open, unbounded
_LEFT: list[int] = []


class PolyTooLargeError(OverflowError):
    """A polynomial grew past :data:`MAX_TERMS` terms or :data:`MAX_BITS`-bit coefficients."""


def _denominator(terms: Mapping[Monomial, Fraction]) -> int:
    """The least common denominator of the coefficients."""
    d = 1
    for c in terms.values():
        d = d * c.denominator // math.gcd(d, c.denominator)
    return d


class budget:
    """``with budget():`` every multiplication inside spends its products of terms from
    ``work``; past it, :class:`PolyTooLargeError`."""

    def __init__(self, work: int = MAX_WORK) -> None:
        self.work = work

    def __enter__(self) -> None:
        _LEFT.append(self.work)

    def __exit__(self, *exc: object) -> None:
        _LEFT.pop()


@functools.lru_cache(maxsize=1 << 16)  # a pure function; the same products recur in powers
def _times(a: Monomial, b: Monomial) -> Monomial:
    powers = dict(a)
    for name, exponent in b:
        powers[name] = powers.get(name, 0) + exponent
    return tuple(sorted(powers.items()))


class Poly:
    """An immutable polynomial with rational coefficients in named variables."""

    __slots__ = ("_hash", "terms")

    def __init__(self, terms: Mapping[Monomial, Fraction] | None = None) -> None:
        self.terms: dict[Monomial, Fraction] = {m: c for m, c in (terms or {}).items() if c != 0}
        self._hash: int | None = None

    @staticmethod
    def const(value: int | Fraction) -> Poly:
        return Poly({(): Fraction(value)})

    @staticmethod
    def var(name: str) -> Poly:
        return Poly({((name, 1),): Fraction(1)})

    @staticmethod
    def _of(value: Poly | int | Fraction) -> Poly:
        if isinstance(value, Poly):
            return value
        if isinstance(value, bool) or not isinstance(value, int | Fraction):
            raise TypeError(f"not a polynomial or a rational: {value!r}")
        return Poly.const(value)

    def __add__(self, other: Poly | int | Fraction) -> Poly:
        total = dict(self.terms)
        for m, c in Poly._of(other).terms.items():
            total[m] = total.get(m, Fraction(0)) + c
        return Poly(total)

    __radd__ = __add__

    def __neg__(self) -> Poly:
        return Poly({m: -c for m, c in self.terms.items()})

    def __sub__(self, other: Poly | int | Fraction) -> Poly:
        return self + (-Poly._of(other))

    def __rsub__(self, other: Poly | int | Fraction) -> Poly:
        return Poly._of(other) - self

    def __mul__(self, other: Poly | int | Fraction) -> Poly:
        right = Poly._of(other).terms
        if len(self.terms) * len(right) > MAX_TERMS:
            raise PolyTooLargeError("a polynomial too large to check")
        for c in (*self.terms.values(), *right.values()):
            if c.numerator.bit_length() + c.denominator.bit_length() > MAX_BITS:
                raise PolyTooLargeError("a coefficient too large to check")
        # integers over one common denominator per factor: each product is one int product
        da, db = _denominator(self.terms), _denominator(right)
        left = [(m, c.numerator * (da // c.denominator)) for m, c in self.terms.items()]
        others = [(m, c.numerator * (db // c.denominator)) for m, c in right.items()]
        if _LEFT:
            _LEFT[-1] -= len(left) * len(others)
            if _LEFT[-1] < 0:
                raise PolyTooLargeError("the check needs more arithmetic than it may spend")
        total: dict[Monomial, int] = {}
        for ma, ca in left:
            for mb, cb in others:
                m = _times(ma, mb)
                total[m] = total.get(m, 0) + ca * cb
        d = da * db
        return Poly({m: Fraction(c, d) for m, c in total.items() if c})

    __rmul__ = __mul__

    def __pow__(self, exponent: int) -> Poly:
        if isinstance(exponent, bool) or not isinstance(exponent, int) or exponent < 0:
            raise ValueError(f"a polynomial power needs an integer exponent >= 0, not {exponent!r}")
        result, base = Poly.const(1), self
        while exponent:
            if exponent & 1:
                result = result * base
            base, exponent = base * base, exponent >> 1
        return result

    def __eq__(self, other: object) -> bool:
        if isinstance(other, int | Fraction) and not isinstance(other, bool):
            other = Poly.const(other)
        return isinstance(other, Poly) and self.terms == other.terms

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self.terms.items()))
        return self._hash

    def __bool__(self) -> bool:
        return bool(self.terms)

    def is_constant(self) -> bool:
        return all(m == () for m in self.terms)

    def constant(self) -> Fraction:
        """The coefficient of the constant monomial."""
        return self.terms.get((), Fraction(0))

    def variables(self) -> set[str]:
        return {name for m in self.terms for name, _ in m}

    def degree(self, name: str) -> int:
        return max((dict(m).get(name, 0) for m in self.terms), default=0)

    def substitute(self, mapping: Mapping[str, Poly]) -> Poly:
        """Replace variables by polynomials (all at once)."""
        total = Poly()
        for m, c in self.terms.items():
            term = Poly.const(c)
            for name, exponent in m:
                power = Poly({((name, exponent),): Fraction(1)})
                term = term * (mapping[name] ** exponent if name in mapping else power)
            total = total + term
        return total

    def divided_by(self, divisor: Poly) -> Poly | None:
        """``self / divisor`` when ``divisor`` divides it exactly (long division in lex order: the
        leading term of a multiple is the divisor's times the quotient's), else None."""
        if not divisor:
            return None
        names = sorted(self.variables() | divisor.variables())

        def lex(m: Monomial) -> tuple[int, ...]:
            powers = dict(m)
            return tuple(powers.get(v, 0) for v in names)

        lead = max(divisor.terms, key=lex)
        quotient, rest = Poly(), self
        for _ in range(MAX_TERMS):
            if not rest:
                return quotient
            top = max(rest.terms, key=lex)
            powers = dict(top)
            ratio = [(v, powers.get(v, 0) - e) for v, e in lead]
            if any(e < 0 for _, e in ratio):
                return None
            monomial = tuple(sorted((v, e) for v, e in {**powers, **dict(ratio)}.items() if e))
            term = Poly({monomial: rest.terms[top] / divisor.terms[lead]})
            quotient, rest = quotient + term, rest - term * divisor
        return None

    def coefficients_in(self, name: str) -> dict[int, Poly]:
        """The polynomial as ``sum_k coefficient_k * name**k``."""
        out: dict[int, dict[Monomial, Fraction]] = {}
        for m, c in self.terms.items():
            k = dict(m).get(name, 0)
            rest = tuple((v, e) for v, e in m if v != name)
            out.setdefault(k, {})[rest] = c
        return {k: Poly(t) for k, t in out.items()}

    def __repr__(self) -> str:
        terms = sorted(self.terms.items(), key=lambda t: (-sum(e for _, e in t[0]), t[0]))
        text = " + ".join("*".join([f"({c})", *(f"{v}**{e}" for v, e in m)]) for m, c in terms)
        return text or "0"


def product(factors: Iterable[Poly]) -> Poly:
    """The product of ``factors`` (1 for none)."""
    result = Poly.const(1)
    for factor in factors:
        result = result * factor
    return result


def poly_from_json(data: Any) -> Poly:
    """A polynomial from its term list ``[[coeff, [[var, exp], ...]], ...]`` (coeff an int or text,
    exponents 0 to 64); a malformed list raises ValueError."""
    terms: dict[Monomial, Fraction] = {}  # summed in place: linear in the list's length
    for term in data if isinstance(data, list) else [[]]:
        try:
            coeff, powers, merged = rational(term[0]), term[1], dict[str, int]()
            for v, e in powers:
                if not isinstance(v, str) or type(e) is not int or not 0 <= e <= 64:
                    raise ValueError(f"bad power in {term!r:.80}")
                merged[v] = merged.get(v, 0) + e
        except (TypeError, IndexError, KeyError):
            raise ValueError(f"bad term {term!r:.80} of a polynomial") from None
        monomial = tuple(sorted((v, e) for v, e in merged.items() if e))
        terms[monomial] = terms.get(monomial, Fraction(0)) + coeff
    return Poly(terms)


def poly_to_json(p: Poly) -> list[Any]:
    """The term list of ``p`` (inverse of :func:`poly_from_json`)."""
    return [[str(c), [[v, e] for v, e in m]] for m, c in sorted(p.terms.items())]
