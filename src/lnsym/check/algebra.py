r"""The checker's three scalar algebras, all exact.

* :class:`Field` — rational functions over :class:`~lnsym.check.poly.Poly` in the atoms, with each
  square root a variable :math:`r` obeying :math:`r^2 = p/q` (reduced at once, so :math:`r` appears
  to degree ≤ 1). Two values are equal when their difference has a zero numerator: every relation
  used is true wherever the formula is defined, so that is a proof.
* :class:`Dual` — :math:`a + b\,t` with :math:`t^2 = 0` over any algebra: derivatives by the chain
  rule, one direction at a time.
* :class:`Ball` — a rational interval :math:`[lo, hi]`; square roots enclosed with ``math.isqrt``.
  Exact (``lo == hi``) as long as no irrational root is taken.

A square root splits into roots of its factors only when the split is true for real values: every
factor but one must be *evidently nonnegative* (:meth:`Field.nonnegative`).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from lnsym.check.poly import MAX_BITS, Poly, PolyTooLargeError

__all__ = [
    "Ball",
    "Dual",
    "Field",
    "Frac",
    "UndefinedError",
    "ball_divide",
    "ball_sqrt",
    "divide_monomial",
    "is_square",
]

_PRECISION = 160  # bits kept by a ball's endpoints after an irrational root


class UndefinedError(ArithmeticError):
    """A division by zero or the root of a negative number, where the check meets it."""


class _Minus:
    """``a - b`` as ``a + (-b)``, for each algebra below."""

    __slots__ = ()

    def __sub__(self, other: Any) -> Any:
        return self + (-other)

    def __rsub__(self, other: Any) -> Any:
        return (-self) + other  # type: ignore[operator]


class Frac(_Minus):
    """``num / den`` in a :class:`Field`; ``num`` is kept reduced by the radical relations."""

    __slots__ = ("den", "field", "num")

    def __init__(self, field: Field, num: Poly, den: Poly | None = None) -> None:
        den = den if den is not None else Poly.const(1)
        if any(num.degree(r) > 1 for r in field.radicals):
            num, extra = field.reduce(num)
            den = den * extra
        if num and not den.is_constant():  # cancel the common monomial factor
            common = dict(_monomial_content(num))
            shared = tuple((v, min(e, common[v])) for v, e in _monomial_content(den) if v in common)
            if shared:
                num, den = divide_monomial(num, shared), divide_monomial(den, shared)
        self.field, self.num, self.den = field, num, den
        if not self.num:
            self.den = Poly.const(1)
        elif self.den.is_constant():
            self.num, self.den = self.num * (1 / self.den.constant()), Poly.const(1)
        elif self.num == self.den:
            self.num = self.den = Poly.const(1)

    def _lift(self, other: Any) -> Frac | None:
        if isinstance(other, Frac):
            return other
        if isinstance(other, int | Fraction) and not isinstance(other, bool):
            return self.field.const(other)
        return None

    def __add__(self, other: Any) -> Frac:
        o = self._lift(other)
        if o is None:
            return NotImplemented
        if self.den == o.den:
            return Frac(self.field, self.num + o.num, self.den)
        return Frac(self.field, self.num * o.den + o.num * self.den, self.den * o.den)

    __radd__ = __add__

    def __neg__(self) -> Frac:
        return Frac(self.field, -self.num, self.den)

    def __mul__(self, other: Any) -> Frac:
        o = self._lift(other)
        if o is None:
            return NotImplemented
        return Frac(self.field, self.num * o.num, self.den * o.den)

    __rmul__ = __mul__

    def __pow__(self, exponent: int) -> Frac:
        result = self.field.const(1)
        for _ in range(exponent):
            result = result * self
        return result

    def is_zero(self) -> bool:
        return not self.num

    def __repr__(self) -> str:
        return f"({self.num!r}) / ({self.den!r})" if not self.den == 1 else repr(self.num)


class Field:
    """The symbolic algebra: atoms are Poly variables; ``nonneg`` names the nonnegative ones."""

    def __init__(self, nonneg: set[str] = frozenset(), positive: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.positive = set(positive)
        self.nonneg = set(nonneg) | self.positive
        #: atoms an assumption makes < 0 (``negative``) or <= 0 (``nonpos``, which holds them all).
        self.negative: set[str] = set()
        self.nonpos: set[str] = set()
        #: radical variable → (p, q): r**2 = p / q, r >= 0.
        self.radicals: dict[str, tuple[Poly, Poly]] = {}
        self._named: dict[tuple[Poly, Poly], str] = {}
        self._made = 0  # roots ever named (a name is never reused, even after a root is replaced)
        #: polynomials known to be >= 0 (each an inner product <v, v> the checker computed).
        self.known: list[Poly] = []
        #: polynomials known to be > 0 (a limit's stated conditions, such as ‖c(x)‖² for c(x) != 0).
        self.known_positive: list[Poly] = []
        #: those of them an assumption gave (for ε or the variable of a limit they may reach 0)
        self.assumed_positive: list[Poly] = []

    def const(self, value: int | Fraction) -> Frac:
        return Frac(self, Poly.const(value))

    def var(self, name: str) -> Frac:
        return Frac(self, Poly.var(name))

    def div(self, a: Frac, b: Frac) -> Frac:
        if b.is_zero():
            raise UndefinedError("a divisor is identically zero: the formula is defined nowhere")
        return Frac(self, a.num, a.den) * Frac(self, b.den, b.num)

    def reduce(self, p: Poly) -> tuple[Poly, Poly]:
        """``p`` with every r**2 replaced by its radicand: (numerator, extra denominator)."""
        extra = Poly.const(1)
        for r in sorted(self.radicals, key=_index, reverse=True):
            if p.degree(r) < 2:
                continue
            rp, rq = self.radicals[r]
            parts = p.coefficients_in(r)
            top = max(parts) // 2
            p = Poly()
            for k, coefficient in parts.items():
                half, odd = divmod(k, 2)
                term = coefficient * rp**half * rq ** (top - half)
                p = p + (term * Poly.var(r) if odd else term)
            extra = extra * rq**top
        if any(p.degree(r) >= 2 for r in self.radicals):
            num, more = self.reduce(p)
            return num, extra * more
        return p, extra

    # -- signs -------------------------------------------------------------------------------
    def nonnegative(self, p: Poly, strict: bool = False) -> bool:
        """Evidently ``p >= 0`` (``> 0`` if strict) for real values: positive coefficients on
        monomials of nonnegative atoms and even powers — or a known square norm plus such terms."""
        if self._monomials_nonnegative(p, strict):
            return True
        if any(_positive_multiple(p, k) for k in self.known_positive):
            return True
        return any(self._monomials_nonnegative(p - k, strict) for k in self.known)

    def _monomials_nonnegative(self, p: Poly, strict: bool) -> bool:
        if not p:
            return not strict
        for m, c in p.terms.items():
            if any(e % 2 and v not in self.nonneg and v not in self.nonpos for v, e in m):
                return False
            if c * self._sign_of(m) < 0:
                return False
        if not strict:
            return True
        return any(all(v in self.positive or v in self.negative for v, _ in m) for m in p.terms)

    def _sign_of(self, monomial: tuple[tuple[str, int], ...]) -> int:
        """The sign of a monomial's value from its atoms' signs (atoms of unknown sign to even
        powers only; an atom that is both >= 0 and <= 0 counts as >= 0)."""
        flips = sum(e for v, e in monomial if v in self.nonpos and v not in self.nonneg)
        return -1 if flips % 2 else 1

    def note_nonnegative(self, p: Poly) -> None:
        if p and not p.is_constant() and p not in self.known and len(self.known) < 200:
            self.known.append(p)

    # -- square roots ------------------------------------------------------------------------
    def sqrt(self, a: Frac) -> Frac:
        """The nonnegative root of ``a`` (its radicand must be >= 0 where the formula is defined)."""
        if a.is_zero():
            return a
        if a.num.is_constant() and a.den.is_constant():
            value = a.num.constant()
            if value < 0:
                raise UndefinedError(f"the square root of the negative number {value}")
            return self._sqrt_rational(value)
        p, q = a.num, a.den
        # q divides, so it is nonzero wherever the formula is defined: q >= 0 there means q > 0
        if self.nonnegative(q) or self.nonnegative(-q):
            sign = 1 if self.nonnegative(q) else -1  # sqrt(p/q) = sqrt(p q) / |q|
            return self.div(self._sqrt_poly(p * q), Frac(self, q * sign))
        return self._radical(p, q)

    def _sqrt_poly(self, p: Poly) -> Frac:
        """√p as a product of roots of its factors, where that is true for real values: the
        content, each atom of the common monomial (a nonnegative atom v gives v**(e//2)·√v; one of
        unknown sign keeps |v|**2k = v**2k out and √(v**(e mod 4)) in, √(v²) = |v| included) and the
        rest. Every root factor but one must be evidently >= 0; otherwise √p stays one root."""
        for r, (s, q) in list(self.radicals.items()):  # a named root's radicand s >= 0 comes out
            if q != 1 or len(s.terms) < 2 or len(p.terms) <= len(s.terms) or not self.sign_root(r):
                continue
            squared = p.divided_by(s * s)  # √(s² t) = s √t
            if squared is not None:
                return Frac(self, s) * self._sqrt_poly(squared)
            once = p.divided_by(s)  # √(s t) = √s √t, both >= 0 where p >= 0
            if once is not None:
                return self.var(r) * self._sqrt_poly(once)
        content = _content(p)
        rest = divide_monomial(p * (1 / content), _monomial_content(p * (1 / content)))
        factors = _monomial_content(p * (1 / content))
        unknown = [v for v, e in factors if v not in self.nonneg | self.nonpos and e % 2]
        rest_unknown = not rest.is_constant() and not self.nonnegative(rest)
        signed = content * self._sign_of(factors)  # an atom v <= 0 enters as (−v) >= 0
        if signed < 0 or len(unknown) + rest_unknown > 1:
            return self._sqrt_rational(abs(content)) * self._radical(p * (1 / abs(content)))
        result = self._sqrt_rational(signed)
        for v, e in factors:
            if v in self.nonneg:
                result = result * self.var(v) ** (e // 2)
                inside = e % 2
            elif v in self.nonpos:  # v**e = ±(−v)**e with −v >= 0
                result = result * (-self.var(v)) ** (e // 2)
                if e % 2:
                    result = result * self._radical(-Poly.var(v))
                continue
            else:
                result = result * self.var(v) ** (2 * (e // 4))
                inside = e % 4
            if inside:
                result = result * self._radical(Poly.var(v) ** inside)
        if rest.is_constant():
            return result
        known = next(
            (
                k
                for k in [*self.known_positive, *self.known]
                if 2 * len(k.terms) <= len(rest.terms) + 1 and k * k == rest
            ),
            None,
        )
        return result * (Frac(self, known) if known is not None else self._radical(rest))

    def _sqrt_rational(self, value: Fraction) -> Frac:
        top, bottom = value.numerator * value.denominator, value.denominator
        square, free = _square_part(top)
        result = self.const(Fraction(square, bottom))
        for prime in free:
            result = result * self._radical(Poly.const(prime))
        return result

    def _radical(self, p: Poly, q: Poly | None = None) -> Frac:
        q = q if q is not None else Poly.const(1)
        key = (p, q)
        if p == q:
            return self.const(1)
        if key not in self._named:
            self._made += 1
            self._named[key] = f"√{self._made}"
            self.radicals[self._named[key]] = key
        name = self._named[key]
        if name in self.radicals:  # signs known since
            self.sign_root(name)
        return self.var(name)

    def sign_root(self, r: str) -> bool:
        """A root of a polynomial is >= 0, and > 0 where its radicand evidently is (a square
        included); whether it is >= 0 so."""
        p, q = self.radicals[r]
        if q == 1 and r not in self.positive and (self.nonnegative(p) or is_square(p)):
            self.nonneg.add(r)
            if self.nonnegative(p, strict=True):
                self.positive.add(r)
        return r in self.nonneg


def is_square(p: Poly) -> bool:
    """``p = t²`` for a polynomial t, found term by term: in lex order the leading term of
    p − (t's terms so far)² is twice t's leading term times its next term."""
    names = sorted(p.variables())

    def lead(q: Poly) -> Poly:
        m = max(q.terms, key=lambda m: tuple(dict(m).get(v, 0) for v in names))
        return Poly({m: q.terms[m]})

    ((m, c),) = lead(p).terms.items() if p else (((), Fraction(0)),)
    a, b = math.isqrt(max(c.numerator, 0)), math.isqrt(c.denominator)
    if a * a != c.numerator or b * b != c.denominator or any(e % 2 for _, e in m):
        return False
    first = Poly({tuple((v, e // 2) for v, e in m): Fraction(a, b)})
    t = first
    for _ in range(len(p.terms)):
        rest = p - t * t
        step = lead(rest).divided_by(first * 2) if rest else None
        if step is None:
            return not rest
        t = t + step
    return False


def _positive_multiple(p: Poly, k: Poly) -> bool:
    if not p or not k:
        return False
    (m, c), *_ = sorted(k.terms.items())
    ratio = p.terms.get(m)
    return ratio is not None and ratio / c > 0 and p == k * (ratio / c)


def _index(name: str) -> int:
    return int(name[1:])


def _content(p: Poly) -> Fraction:
    """The rational content of ``p``, with the sign of its first term."""
    terms = sorted(p.terms.items())
    numerators = math.gcd(*(c.numerator for _, c in terms))
    denominators = math.lcm(*(c.denominator for _, c in terms))
    return Fraction(numerators, denominators) * (1 if terms[0][1] > 0 else -1)


def _monomial_content(p: Poly) -> tuple[tuple[str, int], ...]:
    monomials = [dict(m) for m in p.terms]
    common = set(monomials[0]).intersection(*monomials[1:])
    return tuple(sorted((v, min(m[v] for m in monomials)) for v in common))


def divide_monomial(p: Poly, monomial: tuple[tuple[str, int], ...]) -> Poly:
    """``p / monomial``, which must divide every term."""
    powers = dict(monomial)
    out = {}
    for m, c in p.terms.items():
        key = tuple((v, e - powers.get(v, 0)) for v, e in m if e - powers.get(v, 0))
        out[key] = c
    return Poly(out)


def _square_part(k: int) -> tuple[int, list[int]]:
    """``k = square**2 * prod(free)``: trial division by primes below 10**4; a larger cofactor
    stays one factor (a missed split only makes the check less complete, never wrong)."""
    square, free, d = 1, [], 2
    while d * d <= k and d < 10_000:
        exponent = 0
        while k % d == 0:
            k //= d
            exponent += 1
        square *= d ** (exponent // 2)
        if exponent % 2:
            free.append(d)
        d += 1 if d == 2 else 2
    root = math.isqrt(k)
    if root * root == k:
        square *= root
    elif k > 1:
        free.append(k)
    return square, free


class Dual(_Minus):
    """``a + b t`` with ``t**2 = 0`` over a base algebra (Frac, Ball or another Dual)."""

    __slots__ = ("a", "b")

    def __init__(self, a: Any, b: Any) -> None:
        self.a, self.b = a, b

    def _lift(self, other: Any) -> Dual:
        return other if isinstance(other, Dual) else Dual(other, self.a * 0)

    def __add__(self, other: Any) -> Dual:
        o = self._lift(other)
        return Dual(self.a + o.a, self.b + o.b)

    __radd__ = __add__

    def __neg__(self) -> Dual:
        return Dual(-self.a, -self.b)

    def __mul__(self, other: Any) -> Dual:
        o = self._lift(other)
        return Dual(self.a * o.a, self.a * o.b + self.b * o.a)

    __rmul__ = __mul__


class Node:
    """A value on a reverse-mode tape: ``partials`` pairs each input node with ∂self/∂input (base
    values); constants have none. ``tape`` lists the nodes in the order they were made."""

    __slots__ = ("index", "partials", "tape", "value")

    def __init__(self, tape: list[Node], value: Any, partials: tuple[tuple[Node, Any], ...] = ()):
        self.value, self.partials, self.tape = value, partials, tape
        self.index = len(tape)
        tape.append(self)

    def _lift(self, other: Any) -> Node:
        return other if isinstance(other, Node) else Node(self.tape, other)

    def __add__(self, other: Any) -> Node:
        o = self._lift(other)
        one = self.value * 0 + 1
        return Node(self.tape, self.value + o.value, ((self, one), (o, one)))

    __radd__ = __add__

    def __neg__(self) -> Node:
        return Node(self.tape, -self.value, ((self, self.value * 0 - 1),))

    def __sub__(self, other: Any) -> Node:
        return self + (-self._lift(other))

    def __rsub__(self, other: Any) -> Node:
        return self._lift(other) - self

    def __mul__(self, other: Any) -> Node:
        o = self._lift(other)
        return Node(self.tape, self.value * o.value, ((self, o.value), (o, self.value)))

    __rmul__ = __mul__

    def adjoints(self) -> dict[int, Any]:
        """∂self/∂node for every node self depends on (by index), swept back along the tape."""
        adjoint: dict[int, Any] = {self.index: self.value * 0 + 1}
        for node in reversed(self.tape[: self.index + 1]):
            a = adjoint.get(node.index)
            if a is None:
                continue
            for parent, partial in node.partials:
                term = a * partial
                adjoint[parent.index] = (
                    adjoint[parent.index] + term if parent.index in adjoint else term
                )
        return adjoint


class Ball(_Minus):
    """The rational interval ``[lo, hi]``."""

    __slots__ = ("hi", "lo")

    def __init__(self, lo: Fraction, hi: Fraction | None = None) -> None:
        self.lo = lo if type(lo) is Fraction else Fraction(lo)
        self.hi = self.lo if hi is None else hi if type(hi) is Fraction else Fraction(hi)

    def _lift(self, other: Any) -> Ball | None:
        if isinstance(other, Ball):
            return other
        if isinstance(other, int | Fraction) and not isinstance(other, bool):
            return Ball(Fraction(other))
        return None

    @property
    def exact(self) -> bool:
        return self.lo == self.hi

    def __add__(self, other: Any) -> Ball:
        o = self._lift(other)
        return NotImplemented if o is None else _rounded(self.lo + o.lo, self.hi + o.hi)

    __radd__ = __add__

    def __neg__(self) -> Ball:
        return Ball(-self.hi, -self.lo)

    def __mul__(self, other: Any) -> Ball:
        o = self._lift(other)
        if o is None:
            return NotImplemented
        if self.lo == self.hi and o.lo == o.hi:  # exact: one product
            value = self.lo * o.lo
            if abs(value.numerator).bit_length() + value.denominator.bit_length() > MAX_BITS:
                raise PolyTooLargeError("a number too large to check")
            return Ball(value)
        ends = [self.lo * o.lo, self.lo * o.hi, self.hi * o.lo, self.hi * o.hi]
        if max(abs(e.numerator).bit_length() + e.denominator.bit_length() for e in ends) > MAX_BITS:
            raise PolyTooLargeError("a number too large to check")
        return _rounded(min(ends), max(ends))

    __rmul__ = __mul__

    def excludes_zero(self) -> bool:
        return self.lo > 0 or self.hi < 0

    def __repr__(self) -> str:
        return f"[{float(self.lo):.6g}, {float(self.hi):.6g}]"


def ball_divide(a: Ball, b: Ball) -> Ball:
    if b.exact and b.lo == 0:
        raise UndefinedError("division by zero")
    if not b.excludes_zero():
        raise UndefinedError("cannot tell whether a divisor is zero")
    return a * _rounded(1 / b.hi, 1 / b.lo)


def ball_sqrt(a: Ball) -> Ball:
    if a.hi < 0:
        raise UndefinedError("the square root of a negative number")
    if a.lo < 0:
        raise UndefinedError("cannot tell the sign of a radicand")
    lo, hi = a.lo, a.hi
    if a.exact:
        p, q = lo.numerator, lo.denominator
        rp, rq = math.isqrt(p), math.isqrt(q)
        if rp * rp == p and rq * rq == q:
            return Ball(Fraction(rp, rq))
    bits = _PRECISION + max(0, _magnitude(lo if lo > 0 else hi) // -2 + 2)
    scale = 4**bits
    low = Fraction(math.isqrt(math.floor(lo * scale)), 2**bits)
    high = Fraction(math.isqrt(math.ceil(hi * scale)) + 1, 2**bits)
    return Ball(low, high)


def _magnitude(x: Fraction) -> int:
    """About log2 |x| (0 for x = 0)."""
    return abs(x.numerator).bit_length() - x.denominator.bit_length() if x else 0


def _rounded(lo: Fraction, hi: Fraction) -> Ball:
    """Keep endpoints small: outward rounding to 2**-PRECISION once they grow."""
    if lo == hi or max(lo.denominator, hi.denominator).bit_length() < 4 * _PRECISION:
        return Ball(lo, hi)
    size = min(_magnitude(lo) if lo else 0, _magnitude(hi) if hi else 0)
    scale = Fraction(2) ** (_PRECISION - min(size, 0) + 2)  # relative precision near 0 too
    return Ball(Fraction(math.floor(lo * scale)) / scale, Fraction(math.ceil(hi * scale)) / scale)
