"""Ground truth for the adversarial suite, independent of lnsym's prover and evaluator.

A small componentwise evaluator of the lnsym expression language at an explicit point (n, eps, the
values of the vectors and scalars). The expression text is walked with Python's :mod:`ast` (never
``eval``); numbers are exact :class:`fractions.Fraction` as long as they stay rational, and become
:class:`mpmath.mpf` at :data:`DPS` digits only when a square root or a fractional power is irrational.
So degenerate values (c(x) = 0, Var(x) = 0, mu(c(x)) = 0) are *exact* zeros here, and a division by
them is reported as :class:`Undefined` rather than as a huge number.

Nothing here imports lnsym. The definitions are the ones of lnsym's documentation:

* mu(x) = E(x) = <x, 1>/n, c(x) = x - mu(x) 1, Var(x) = |c(x)|^2/n, u(y, e) = y/sqrt(|y|^2 + e),
* LN(x, e=eps) = c(x)/sqrt(Var(x) + e), RMS(x, e=eps) = x/sqrt(|x|^2/n + e),
* LNA(x, g, beta, e=eps) = g * LN(x, e) + beta, norm(x) = sqrt(<x, x>),
* cos(a, b) = <a, b>/(|a| |b|), hadamard(a, b)_i = a_i b_i, sandwich(a, v) = 2<a, v>a - <a, a>v,
* sqrt, Abs/abs, ones, n, eps, + - * / ** (and ^).

The real semantics: a square root of a negative number, a division by zero, 0 to a negative power and
a negative number to a non-integer power are undefined (no complex values). ``0**0`` is 1.
"""

from __future__ import annotations

import ast
import random
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from math import isqrt
from typing import Any

import mpmath

__all__ = [
    "DPS",
    "NoLimit",
    "OutsideDomain",
    "Point",
    "Undefined",
    "agree",
    "centered",
    "constant",
    "default_path",
    "evaluate",
    "holds",
    "limit",
    "limit_verdict",
    "limits_agree",
    "limits_separate",
    "names_in",
    "parse_relation",
    "path_holds",
    "point",
    "rational",
    "separates",
    "vector",
    "with_mean",
    "witness_point",
]

#: working precision of the irrational parts (decimal digits): constants up to 10^300 may amplify
#: the rounding of an exact zero, and differences down to 10^-280 must still be seen.
DPS = 650
#: relative size below which two inexact values count as equal.
EQUAL_TOL = mpmath.mpf(10) ** -300
#: relative size above which two values count as different (exact values: any difference).
SEPARATE_TOL = mpmath.mpf(10) ** -290
#: an equality assumption met by a decimal approximation (a witness at 50 digits) within this.
ASSUMPTION_TOL = mpmath.mpf(10) ** -40
#: exponents beyond this are evaluated inexactly (an exact rational would have too many digits).
EXACT_POWER_MAX = 400


class Undefined(ArithmeticError):  # noqa: N818 - an outcome of evaluation
    """The expression has no real value at this point (division by 0, sqrt of a negative, ...)."""


class NoLimit(ArithmeticError):  # noqa: N818 - an outcome of evaluation
    """The limit does not exist (or could not be seen to exist numerically)."""


class OutsideDomain(NoLimit):
    """The expression is undefined along the approach (the path leaves the domain)."""


Number = Any  # Fraction | mpf
Value = Any  # Number | list[Number]


@dataclass(frozen=True)
class Point:
    """An explicit point: the dimension, eps, and the values of the declared names."""

    n: int
    eps: Number
    values: Mapping[str, Value] = field(default_factory=dict)

    def with_(self, **changes: Any) -> Point:
        """A copy with some values (or ``n``/``eps``) replaced."""
        n = changes.pop("n", self.n)
        eps = _number(changes.pop("eps", self.eps))
        values = dict(self.values)
        values.update({k: _value(v) for k, v in changes.items()})
        return Point(n, eps, values)

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={_show(v)}" for k, v in self.values.items())
        return f"Point(n={self.n}, eps={_show(self.eps)}, {shown})"


def point(n: int, eps: Any = Fraction(1, 10), **values: Any) -> Point:
    """``point(3, x=[1, 2, 3], alpha=0)``; numbers may be ints, Fractions, or strings like '1/3'."""
    if any(isinstance(v, list) and len(v) != n for v in values.values()):
        raise ValueError(f"a vector of the wrong length for n = {n}: {values}")
    return Point(n, _number(eps), {k: _value(v) for k, v in values.items()})


def _show(value: Value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, Fraction):
        return str(value)
    return mpmath.nstr(value, 12)


def _number(value: Any) -> Number:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, str):
        return Fraction(value.strip())  # decimal strings (witnesses) are exact rationals
    if isinstance(value, float):
        return Fraction(value)
    if isinstance(value, mpmath.mpf):
        return value
    raise TypeError(f"not a number: {value!r}")


def _value(value: Any) -> Value:
    if isinstance(value, list | tuple):
        return [_number(v) for v in value]
    return _number(value)


# --------------------------------------------------------------------------------------------------
# arithmetic on Fraction | mpf (exact while rational)
# --------------------------------------------------------------------------------------------------


def _mpf(x: Number) -> Any:
    if isinstance(x, Fraction):
        return mpmath.mpf(x.numerator) / x.denominator
    return x


def _is_zero(x: Number) -> bool:
    return x == 0


def _add(a: Number, b: Number) -> Number:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a + b
    return _mpf(a) + _mpf(b)


def _mul(a: Number, b: Number) -> Number:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a * b
    if _is_zero(a) or _is_zero(b):
        return Fraction(0)  # an exact zero stays exact
    return _mpf(a) * _mpf(b)


def _div(a: Number, b: Number) -> Number:
    if _is_zero(b):
        raise Undefined("division by zero")
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a / b
    if _is_zero(a):
        return Fraction(0)
    return _mpf(a) / _mpf(b)


def _exact_root(q: Fraction, k: int) -> Fraction | None:
    """The exact k-th root of a nonnegative rational, if it is rational."""

    def iroot(m: int) -> int | None:
        if k == 2:
            r = isqrt(m)
        else:
            r = round(m ** (1.0 / k)) if m < 2**1000 else int(mpmath.root(m, k))
            for cand in (r - 1, r, r + 1):
                if cand >= 0 and cand**k == m:
                    return cand
            return None
        return r if r * r == m else None

    if q.numerator.bit_length() > 4000 or q.denominator.bit_length() > 4000:
        return None
    p, d = iroot(q.numerator), iroot(q.denominator)
    return None if p is None or d is None else Fraction(p, d)


def _sqrt(a: Number) -> Number:
    if a < 0:
        raise Undefined("square root of a negative number")
    if isinstance(a, Fraction):
        exact = _exact_root(a, 2)
        if exact is not None:
            return exact
    return mpmath.sqrt(_mpf(a))


def _pow(a: Number, b: Number) -> Number:
    integer = isinstance(b, Fraction) and b.denominator == 1
    if not integer and not isinstance(b, Fraction) and b == int(b):
        integer, b = True, Fraction(int(b))
    if integer:
        k = int(b)
        if a == 0:
            if k < 0:
                raise Undefined("0 to a negative power")
            return Fraction(1) if k == 0 else Fraction(0)
        if isinstance(a, Fraction) and abs(k) <= EXACT_POWER_MAX:
            return a**k
        return _mpf(a) ** k
    # a non-integer exponent: a > 0, or a = 0 with a positive exponent
    if a == 0:
        if b > 0:
            return Fraction(0)
        raise Undefined("0 to a non-positive non-integer power")
    if a < 0:
        raise Undefined("a negative number to a non-integer power")
    if isinstance(a, Fraction) and isinstance(b, Fraction) and b.denominator <= 64:
        root = _exact_root(a, b.denominator)
        if root is not None and abs(b.numerator) <= EXACT_POWER_MAX:
            return root**b.numerator
    return mpmath.power(_mpf(a), _mpf(b))


def _abs(a: Number) -> Number:
    return abs(a)


# --------------------------------------------------------------------------------------------------
# vectors
# --------------------------------------------------------------------------------------------------


class _Kind:
    SCALAR = "scalar"
    VECTOR = "vector"


def _is_vec(v: Value) -> bool:
    return isinstance(v, list)


def _vadd(a: list[Number], b: list[Number]) -> list[Number]:
    return [_add(p, q) for p, q in zip(a, b, strict=True)]


def _scale(s: Number, v: list[Number]) -> list[Number]:
    return [_mul(s, q) for q in v]


def _dot(a: list[Number], b: list[Number]) -> Number:
    total: Number = Fraction(0)
    for p, q in zip(a, b, strict=True):
        total = _add(total, _mul(p, q))
    return total


def _mean(x: list[Number]) -> Number:
    total: Number = Fraction(0)
    for q in x:
        total = _add(total, q)
    return _div(total, Fraction(len(x)))


def _center(x: list[Number]) -> list[Number]:
    m = _mean(x)
    return [_add(q, _mul(Fraction(-1), m)) for q in x]


def _var(x: list[Number]) -> Number:
    c = _center(x)
    return _div(_dot(c, c), Fraction(len(x)))


def _norm(x: list[Number]) -> Number:
    return _sqrt(_dot(x, x))


def _u(y: list[Number], e: Number) -> list[Number]:
    return _scale(_div(Fraction(1), _sqrt(_add(_dot(y, y), e))), y)


def _ln(x: list[Number], e: Number) -> list[Number]:
    return _scale(_div(Fraction(1), _sqrt(_add(_var(x), e))), _center(x))


def _rms(x: list[Number], e: Number) -> list[Number]:
    n = Fraction(len(x))
    return _scale(_div(Fraction(1), _sqrt(_add(_div(_dot(x, x), n), e))), x)


def _hadamard(a: list[Number], b: list[Number]) -> list[Number]:
    return [_mul(p, q) for p, q in zip(a, b, strict=True)]


def _cos(a: list[Number], b: list[Number]) -> Number:
    return _div(_dot(a, b), _mul(_norm(a), _norm(b)))


def _sandwich(a: list[Number], v: list[Number]) -> list[Number]:
    return _vadd(
        _scale(_mul(Fraction(2), _dot(a, v)), a), _scale(_mul(Fraction(-1), _dot(a, a)), v)
    )


# name: (argument kinds, result kind, function(point, *args))
_V, _S = _Kind.VECTOR, _Kind.SCALAR
_FUNCTIONS: dict[str, tuple[tuple[str, ...], str, Callable[..., Value]]] = {
    "mu": ((_V,), _S, lambda p, x: _mean(x)),
    "E": ((_V,), _S, lambda p, x: _mean(x)),
    "c": ((_V,), _V, lambda p, x: _center(x)),
    "Var": ((_V,), _S, lambda p, x: _var(x)),
    "norm": ((_V,), _S, lambda p, x: _norm(x)),
    "dot": ((_V, _V), _S, lambda p, a, b: _dot(a, b)),
    "cos": ((_V, _V), _S, lambda p, a, b: _cos(a, b)),
    "hadamard": ((_V, _V), _V, lambda p, a, b: _hadamard(a, b)),
    "sandwich": ((_V, _V), _V, lambda p, a, v: _sandwich(a, v)),
    "u": ((_V, _S), _V, lambda p, y, e: _u(y, e)),
    "LN": ((_V, _S), _V, lambda p, x, e=None: _ln(x, p.eps if e is None else e)),
    "RMS": ((_V, _S), _V, lambda p, x, e=None: _rms(x, p.eps if e is None else e)),
    "LNA": (
        (_V, _V, _V, _S),
        _V,
        lambda p, x, g, b, e=None: _vadd(_hadamard(g, _ln(x, p.eps if e is None else e)), b),
    ),
    "sqrt": ((_S,), _S, lambda p, a: _sqrt(a)),
    "Abs": ((_S,), _S, lambda p, a: _abs(a)),
    "abs": ((_S,), _S, lambda p, a: _abs(a)),
}
_OPTIONAL_EPS = {"LN", "RMS", "LNA"}


class _Evaluator:
    def __init__(self, pt: Point) -> None:
        self.pt = pt

    def __call__(self, node: ast.expr) -> Value:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise ValueError(f"not a number: {node.value!r}")
            return (
                Fraction(str(node.value)) if isinstance(node.value, float) else Fraction(node.value)
            )
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            value = self(node.operand)
            if isinstance(node.op, ast.UAdd):
                return value
            return _scale(Fraction(-1), value) if _is_vec(value) else _mul(Fraction(-1), value)
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            return self.call(node.func.id, [self(a) for a in node.args])
        raise ValueError(f"unsupported syntax: {ast.dump(node)}")

    def name(self, name: str) -> Value:
        if name == "n":
            return Fraction(self.pt.n)
        if name == "eps":
            return self.pt.eps
        if name == "ones":
            return [Fraction(1)] * self.pt.n
        if name in ("oo", "inf"):
            raise ValueError("infinity is not a value")
        if name not in self.pt.values:
            raise KeyError(f"no value for {name!r} at {self.pt}")
        value = self.pt.values[name]
        if _is_vec(value) and len(value) != self.pt.n:
            raise ValueError(f"{name} has {len(value)} entries but n = {self.pt.n}")
        return value

    def binop(self, node: ast.BinOp) -> Value:
        a, b = self(node.left), self(node.right)
        va, vb = _is_vec(a), _is_vec(b)
        if isinstance(node.op, ast.Add | ast.Sub):
            if va != vb:
                raise TypeError("vector + scalar")
            if isinstance(node.op, ast.Sub):
                b = _scale(Fraction(-1), b) if vb else _mul(Fraction(-1), b)
            return _vadd(a, b) if va else _add(a, b)
        if isinstance(node.op, ast.Mult):
            if va and vb:
                raise TypeError("vector * vector")
            if va:
                return _scale(b, a)
            if vb:
                return _scale(a, b)
            return _mul(a, b)
        if isinstance(node.op, ast.Div):
            if vb:
                raise TypeError("division by a vector")
            return [_div(q, b) for q in a] if va else _div(a, b)
        if isinstance(node.op, ast.Pow | ast.BitXor):
            if va or vb:
                raise TypeError("power of a vector")
            return _pow(a, b)
        raise ValueError(f"unsupported operator {node.op}")

    def call(self, name: str, args: list[Value]) -> Value:
        if name not in _FUNCTIONS:
            raise ValueError(f"unknown function {name!r}")
        kinds, _, function = _FUNCTIONS[name]
        wanted = (len(kinds) - 1, len(kinds)) if name in _OPTIONAL_EPS else (len(kinds),)
        if len(args) not in wanted:
            raise TypeError(f"{name} takes {wanted} arguments, got {len(args)}")
        for arg, kind in zip(args, kinds, strict=False):
            if _is_vec(arg) != (kind == _V):
                raise TypeError(f"argument of {name} must be a {kind}")
        return function(self.pt, *args)


def _tree(text: str) -> ast.expr:
    return ast.parse(text.replace("^", "**").strip(), mode="eval").body


def evaluate(text: str, pt: Point) -> Value:
    """The value of ``text`` at ``pt``: a number or a list of n numbers (raises :class:`Undefined`)."""
    with mpmath.workdps(DPS):
        try:
            return _Evaluator(pt)(_tree(text))
        except (ZeroDivisionError, OverflowError) as error:
            raise Undefined(str(error)) from None


# --------------------------------------------------------------------------------------------------
# comparisons
# --------------------------------------------------------------------------------------------------


def _pairs(left: Value, right: Value, n: int) -> list[tuple[Number, Number]]:
    """Entry by entry; the scalar 0 against a vector stands for the zero vector."""
    if _is_vec(left) != _is_vec(right):
        if not _is_vec(left) and left == 0:
            left = [Fraction(0)] * n
        elif not _is_vec(right) and right == 0:
            right = [Fraction(0)] * n
        else:
            raise TypeError("a vector compared with a nonzero scalar")
    if not _is_vec(left):
        return [(left, right)]
    return list(zip(left, right, strict=True))


def _close(p: Number, q: Number, tol: Any) -> bool:
    if isinstance(p, Fraction) and isinstance(q, Fraction):
        return p == q
    with mpmath.workdps(DPS):
        a, b = _mpf(p), _mpf(q)
        return abs(a - b) <= tol * max(1, abs(a), abs(b))


def _apart(p: Number, q: Number, tol: Any) -> bool:
    if isinstance(p, Fraction) and isinstance(q, Fraction):
        return p != q
    with mpmath.workdps(DPS):
        a, b = _mpf(p), _mpf(q)
        return abs(a - b) > tol * max(1, abs(a), abs(b))


def agree(lhs: str, rhs: str, pt: Point) -> bool:
    """Both sides are defined at ``pt`` and equal there (exactly, or to ~60 digits if irrational)."""
    pairs = _pairs(evaluate(lhs, pt), evaluate(rhs, pt), pt.n)
    return all(_close(p, q, EQUAL_TOL) for p, q in pairs)


def separates(lhs: str, rhs: str, pt: Point) -> bool:
    """Both sides are defined at ``pt`` and differ there, far beyond the working precision."""
    try:
        pairs = _pairs(evaluate(lhs, pt), evaluate(rhs, pt), pt.n)
    except Undefined:
        return False
    return any(_apart(p, q, SEPARATE_TOL) for p, q in pairs)


def _approximately(a: Any, b: Any, tol: Any) -> bool:
    """Equal up to ``tol`` *relative* (no absolute floor: 0 is not approximately 10^-100); values
    below the working precision count as an exact zero computed inexactly."""
    tiny = mpmath.mpf(10) ** -(DPS - 50)
    if abs(a) <= tiny and abs(b) <= tiny:
        return True
    return abs(a - b) <= tol * max(abs(a), abs(b))


def names_in(*texts: str) -> set[str]:
    """The names (variables and functions) occurring in expression or relation texts."""
    out: set[str] = set()
    for text in texts:
        for part in re.split(r"==|>=|<=|!=|=|>|<|≠|≥|≤", text):
            if part.strip():
                out |= {node.id for node in ast.walk(_tree(part)) if isinstance(node, ast.Name)}
    return out


def parse_relation(text: str) -> tuple[str, str, str]:
    """``"alpha*mu(x) = 0"`` → ``("alpha*mu(x)", "=", "0")`` (also ``≠ ≥ ≤``)."""
    text = text.replace("≠", "!=").replace("≥", ">=").replace("≤", "<=")
    for rel in ("==", ">=", "<=", "!=", "=", ">", "<"):
        left, sep, right = text.partition(rel)
        if sep and left.strip() and right.strip() and "=" not in right[:1]:
            return left.strip(), "=" if rel == "==" else rel, right.strip()
    raise ValueError(f"not a relation: {text!r}")


def _terms(node: ast.expr) -> list[ast.expr]:
    """The additive terms of an expression tree (``a - b + c`` → ``a, b, c``)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
        return _terms(node.left) + _terms(node.right)
    return [node]


def _term_scale(texts: tuple[str, str], pt: Point) -> list[Any]:
    """Entry by entry, the largest magnitude among the additive terms of both sides: the size of
    what cancels in an equation, so a residual can be judged relative to it."""
    scale: list[Any] | None = None
    for text in texts:
        for node in _terms(_tree(text)):
            with mpmath.workdps(DPS):
                value = _Evaluator(pt)(node)
                entries = value if _is_vec(value) else [value] * pt.n
                mags = [abs(_mpf(v)) for v in entries]
            scale = mags if scale is None else [max(a, b) for a, b in zip(scale, mags, strict=True)]
    return scale or [mpmath.mpf(0)] * pt.n


def holds(assumption: str, pt: Point, *, approximate: bool = False) -> bool:
    """Does ``assumption`` hold at ``pt``? Undefined sides → False.

    Exact values must satisfy an equation exactly. With ``approximate`` (a witness whose decimals
    approximate an irrational solution), an equation may be off by :data:`ASSUMPTION_TOL` relative
    to the largest additive term on either side -- relative to what cancels, so a witness with
    mu(x) = 0 (or 10^-55) does not meet ``mu(x) = 10**-100`` (or ``mu(x) = 0``), while one with
    Var(x) - Var(y) = 10^-49 (terms of size 5) meets ``Var(x) - Var(y) = 0``.
    """
    left, rel, right = parse_relation(assumption)
    try:
        pairs = _pairs(evaluate(left, pt), evaluate(right, pt), pt.n)
    except Undefined:
        return False
    if rel == "!=":
        return any(_apart(p, q, EQUAL_TOL) for p, q in pairs)
    scale: list[Any] | None = None
    with mpmath.workdps(DPS):
        for i, (p, q) in enumerate(pairs):
            if rel == "=":
                if isinstance(p, Fraction) and isinstance(q, Fraction) and p == q:
                    continue
                if approximate:
                    if scale is None:
                        scale = _term_scale((left, right), pt)
                    if abs(_mpf(p) - _mpf(q)) > ASSUMPTION_TOL * scale[i % len(scale)]:
                        return False
                elif isinstance(p, Fraction) and isinstance(q, Fraction):
                    return False
                elif not _approximately(_mpf(p), _mpf(q), EQUAL_TOL):
                    return False
            else:
                a, b = _mpf(p), _mpf(q)
                ok = {">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b}[rel]
                if not ok:
                    return False
    return True


# --------------------------------------------------------------------------------------------------
# limits
# --------------------------------------------------------------------------------------------------

Path = Callable[[Point, Any], Point]
#: steps toward the limit point: h = 10^-k (or 10^k toward infinity).
_STEPS = (30, 45, 60)


def default_path(var: str, target: Any, side: int) -> Path:
    """Move only ``var``: ``target + side*h`` (``h`` → 0), or ``1/h`` toward infinity."""

    def path(pt: Point, h: Any) -> Point:
        value = Fraction(1) / h if target == "oo" else _number(target) + side * h
        return pt.with_(**{var: value})

    return path


def limit(text: str, pt: Point, path: Path) -> Value:
    """The limit of ``text`` along ``path(pt, h)`` as h → 0+, seen numerically.

    The value at h = 10^-30, 10^-45, 10^-60 (exact rationals; irrational parts at DPS digits) must
    settle: the last two agree to 10^-12 relative, and move less than the first two did (or both
    differences are tiny). Else :class:`NoLimit` (diverging, oscillating, or undefined near the
    point).
    """
    values = []
    for k in _STEPS:
        try:
            values.append(evaluate(text, path(pt, Fraction(1, 10**k))))
        except Undefined as error:
            raise OutsideDomain(f"undefined near the limit point: {error}") from None
    with mpmath.workdps(DPS):
        first = _pairs(values[0], values[1], pt.n)
        last = _pairs(values[1], values[2], pt.n)
        for (a, b), (c, d) in zip(first, last, strict=True):
            a, b, c, d = (_mpf(v) for v in (a, b, c, d))
            scale = max(1, abs(c), abs(d))
            step = abs(c - d)
            if step > mpmath.mpf(10) ** -12 * scale:
                raise NoLimit(f"does not settle: {mpmath.nstr(c, 8)} then {mpmath.nstr(d, 8)}")
            if abs(d) > mpmath.mpf(10) ** 20:
                raise NoLimit("diverges")
        return values[2]


def limits_agree(lhs: str, rhs: str, pt: Point, path: Path) -> bool:
    """Both limits exist along the path and are equal (to 10^-10)."""
    pairs = _pairs(limit(lhs, pt, path), limit(rhs, pt, path), pt.n)
    with mpmath.workdps(DPS):
        return all(
            abs(_mpf(p) - _mpf(q)) <= mpmath.mpf(10) ** -10 * max(1, abs(_mpf(p)), abs(_mpf(q)))
            for p, q in pairs
        )


def limits_separate(lhs: str, rhs: str, pt: Point, path: Path) -> bool:
    """The limits along the path differ: both exist and differ by more than 10^-8, or exactly one
    of them exists (the other diverges or does not settle)."""
    found = []
    for side in (lhs, rhs):
        try:
            found.append(limit(side, pt, path))
        except NoLimit:
            found.append(None)
    if found[0] is None and found[1] is None:
        return False
    if found[0] is None or found[1] is None:
        return True
    pairs = _pairs(found[0], found[1], pt.n)
    with mpmath.workdps(DPS):
        return any(
            abs(_mpf(p) - _mpf(q)) > mpmath.mpf(10) ** -8 * max(1, abs(_mpf(p)), abs(_mpf(q)))
            for p, q in pairs
        )


def path_holds(assumptions: Iterable[str], pt: Point, path: Path) -> bool:
    """Every assumption holds at every step of the path (the approach stays inside the set)."""
    return all(
        holds(a, path(pt, Fraction(1, 10**k)), approximate=True)
        for k in _STEPS
        for a in assumptions
    )


# --------------------------------------------------------------------------------------------------
# random points
# --------------------------------------------------------------------------------------------------


def rational(rng: random.Random, *, positive: bool = False, nonzero: bool = False) -> Fraction:
    """A small random rational (such as -7/3)."""
    while True:
        value = Fraction(rng.randint(-9, 9), rng.randint(1, 4))
        if positive:
            value = abs(value)
        if (positive or nonzero) and value == 0:
            continue
        return value


def vector(rng: random.Random, n: int, *, nonconstant: bool = False) -> list[Fraction]:
    """A random nonzero rational vector (not constant either, if asked and n ≥ 2)."""
    while True:
        v = [rational(rng) for _ in range(n)]
        if any(v) and (not nonconstant or n < 2 or len(set(v)) > 1):
            return v


def constant(n: int, value: Any) -> list[Fraction]:
    return [_number(value)] * n


def centered(v: list[Fraction]) -> list[Fraction]:
    m = sum(v, Fraction(0)) / len(v)
    return [q - m for q in v]


def with_mean(v: list[Fraction], mean: Any) -> list[Fraction]:
    return [q + _number(mean) for q in centered(v)]


def limit_verdict(
    lhs: str,
    rhs: str,
    pt: Point,
    var: str,
    target: Any,
    assumptions: Iterable[str] = (),
    path: Path | None = None,
) -> str:
    """Compare the limits of both sides as ``var`` → ``target`` from inside the domain.

    The approach is ``path`` if given, else ``var`` alone from above (eps; or toward infinity) or
    from both sides (a declared scalar). A side of approach counts only when both expressions are
    defined and every assumption holds along it. Returns ``"agree"`` (on every side both limits
    exist and are equal, and the same on every side), ``"separate"`` (on some side they differ or
    only one exists, or a side's limit differs from the other side's), or ``"outside"`` (no side of
    approach lies in the domain: the limit claim is meaningless there).
    """
    assumptions = tuple(assumptions)
    if path is not None:
        paths = [path]
    elif var == "eps" or target == "oo":
        paths = [default_path(var, target, 1)]
    else:
        paths = [default_path(var, target, 1), default_path(var, target, -1)]
    found: list[tuple[Value | None, Value | None]] = []
    for p in paths:
        if assumptions and not path_holds(assumptions, pt, p):
            continue
        pair: list[Value | None] = []
        try:
            for side in (lhs, rhs):
                try:
                    pair.append(limit(side, pt, p))
                except OutsideDomain:
                    raise
                except NoLimit:
                    pair.append(None)
        except OutsideDomain:
            continue
        found.append((pair[0], pair[1]))
    if not found:
        return "outside"

    def same(a: Value | None, b: Value | None, tol: Any) -> bool:
        if a is None or b is None:
            return False
        with mpmath.workdps(DPS):
            return all(
                abs(_mpf(p) - _mpf(q)) <= tol * max(1, abs(_mpf(p)), abs(_mpf(q)))
                for p, q in _pairs(a, b, pt.n)
            )

    tol = mpmath.mpf(10) ** -10
    if all(same(left, right, tol) for left, right in found) and all(
        same(found[0][0], left, tol) for left, _ in found
    ):
        return "agree"
    return "separate"


def witness_point(n: int, eps: Any, values: Mapping[str, Any]) -> Point:
    """A :class:`Point` from a witness's fields (decimal strings become exact rationals)."""
    return Point(int(n), _number(eps), {k: _value(v) for k, v in values.items()})
