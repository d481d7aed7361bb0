"""Unit tests of the trusted checker (lnsym.check), independent of the prover.

References are independent of the checker: exact Fractions evaluated by hand-written loops, and
mpmath at 60 digits; each definition of the checker's table is compared at explicit points.
"""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lnsym.check.algebra import Ball, Field, Frac, UndefinedError, ball_divide, ball_sqrt
from lnsym.check.poly import Poly, PolyTooLargeError, budget
from lnsym.check.reader import CheckerInputError, read
from lnsym.check.table import Components, evaluate
from lnsym.check.verify import RejectedError, Setting, check_point, check_proof

mpmath.mp.dps = 60


@pytest.fixture(autouse=True)
def _sixty_digits():
    """Other suites in the same process change mpmath's global precision: hold 60 digits here."""
    with mpmath.workdps(60):
        yield


_NAMES = ("x", "y", "z")

# -- Poly vs a hand-written evaluation of the same term list ---------------------------------------
_fractions = st.fractions(min_value=-50, max_value=50, max_denominator=20)
_monomials = st.tuples(*(st.integers(0, 3) for _ in _NAMES))
_term_lists = st.lists(st.tuples(_fractions, _monomials), max_size=6)
_points = st.tuples(*(_fractions for _ in _NAMES))


def _poly(terms: list[tuple[Fraction, tuple[int, ...]]]) -> Poly:
    total = Poly()
    for c, exponents in terms:
        term = Poly.const(c)
        for name, e in zip(_NAMES, exponents, strict=True):
            term = term * Poly.var(name) ** e
        total = total + term
    return total


def _eval(p: Poly, at: dict[str, Fraction]) -> Fraction:
    """``p`` at a rational point, term by term (the checker itself never evaluates a Poly)."""
    total = Fraction(0)
    for monomial, c in p.terms.items():
        for name, e in monomial:
            c *= at[name] ** e
        total += c
    return total


def _value(terms: list[tuple[Fraction, tuple[int, ...]]], point: tuple[Fraction, ...]) -> Fraction:
    total = Fraction(0)
    for c, exponents in terms:
        term = c
        for value, e in zip(point, exponents, strict=True):
            for _ in range(e):
                term *= value
        total += term
    return total


def _at(point: tuple[Fraction, ...]) -> dict[str, Fraction]:
    return dict(zip(_NAMES, point, strict=True))


@settings(max_examples=25, deadline=None)
@given(_term_lists, _term_lists, _points)
def test_poly_ring_operations_agree_with_evaluation(a, b, point) -> None:
    p, q, at = _poly(a), _poly(b), _at(point)
    va, vb = _value(a, point), _value(b, point)
    assert _eval(p, at) == va
    assert _eval(p + q, at) == va + vb
    assert _eval(p - q, at) == va - vb
    assert _eval(p * q, at) == va * vb
    assert _eval(p**3, at) == va**3
    assert _eval(-p, at) == -va
    assert (p - p) == Poly() and not (p - p)
    assert (p * q) == (q * p) and (p + q) - q == p


@settings(max_examples=20, deadline=None)
@given(_term_lists, _term_lists, _points)
def test_poly_substitute_and_coefficients(a, b, point) -> None:
    p, q, at = _poly(a), _poly(b), _at(point)
    # substitute x := q, then evaluate == evaluate p at x = q(point)
    moved = dict(at, x=_eval(q, at))
    assert _eval(p.substitute({"x": q}), at) == _eval(p, moved)
    # p == sum_k coefficient_k * x**k
    rebuilt = sum((c * Poly.var("x") ** k for k, c in p.coefficients_in("x").items()), Poly())
    assert rebuilt == p
    assert p.degree("x") == max(p.coefficients_in("x"), default=0)


def test_poly_refuses_bad_powers_and_types() -> None:
    x = Poly.var("x")
    for bad in (-1, 1.5, True):
        with pytest.raises(ValueError):
            x**bad  # type: ignore[operator]
    with pytest.raises(TypeError):
        x + 0.5  # type: ignore[operator]


# -- Ball arithmetic encloses the true value --------------------------------------------------------
def _contains(ball: Ball, value: Fraction) -> bool:
    return ball.lo <= value <= ball.hi


_wide = st.fractions(min_value=-(10**6), max_value=10**6, max_denominator=10**6)


@settings(max_examples=40, deadline=None)
@given(_wide, _wide, st.fractions(min_value=0, max_value=10**6, max_denominator=10**3))
def test_ball_operations_enclose_exact_values(a, b, c) -> None:
    A, B = Ball(a), Ball(b)
    assert _contains(A + B, a + b) and _contains(A - B, a - b) and _contains(A * B, a * b)
    if b != 0:
        assert _contains(ball_divide(A, B), a / b)
    root = ball_sqrt(Ball(c))
    assert root.lo >= 0 and root.lo**2 <= c <= root.hi**2  # exact enclosure of sqrt(c)
    # an inexact ball through a chain still encloses the true value (mpmath, 60 digits)
    r2 = ball_sqrt(Ball(Fraction(2)))
    value = ball_divide((r2 * A + B) * r2 - A, Ball(c + 1))  # = (a + sqrt(2) b) / (c + 1)
    reference = (_mp(a) + mpmath.sqrt(2) * _mp(b)) / (_mp(c) + 1)
    slack = mpmath.mpf(10) ** -50 * (1 + abs(reference))
    assert _mp(value.lo) - slack <= reference <= _mp(value.hi) + slack


@pytest.mark.parametrize(
    "text", ["1e200", "1e-200", "2e-200", "3e201", "7e-201", "123456789e190", "2", "1/3"]
)
def test_ball_sqrt_at_extreme_magnitudes_vs_mpmath(text: str) -> None:
    value = Fraction(text)
    root = ball_sqrt(Ball(value))
    assert root.lo**2 <= value <= root.hi**2
    reference = mpmath.sqrt(mpmath.mpf(value.numerator) / value.denominator)
    assert mpmath.mpf(root.lo.numerator) / root.lo.denominator <= reference * (
        1 + mpmath.mpf(10) ** -55
    )
    assert mpmath.mpf(root.hi.numerator) / root.hi.denominator >= reference * (
        1 - mpmath.mpf(10) ** -55
    )


@pytest.mark.parametrize(
    "text",
    [
        "1e200",
        "2e-200",
    ],
)
def test_ball_sqrt_is_relatively_tight(text: str) -> None:
    value = Fraction(text)
    root = ball_sqrt(Ball(value))
    assert root.lo > 0 and (root.hi - root.lo) / root.lo < Fraction(1, 10**30)


def test_ball_divide_and_sqrt_refuse_unknown_signs() -> None:
    with pytest.raises(UndefinedError):
        ball_divide(Ball(Fraction(1)), Ball(Fraction(0)))
    with pytest.raises(UndefinedError):
        ball_divide(Ball(Fraction(1)), Ball(Fraction(-1), Fraction(1)))
    with pytest.raises(UndefinedError):
        ball_sqrt(Ball(Fraction(-1)))
    with pytest.raises(UndefinedError):
        ball_sqrt(Ball(Fraction(-1), Fraction(1)))
    assert ball_sqrt(Ball(Fraction(0))).exact


def test_ball_sqrt_of_a_possibly_negative_radicand_is_undefined() -> None:
    tiny = Ball(Fraction(-1, 2**160), Fraction(0))
    with pytest.raises(UndefinedError):
        ball_sqrt(tiny)


# -- Field.sqrt: splitting only where true for real values ------------------------------------------
def _field() -> Field:
    return Field(nonneg={"n", "eps", "P"}, positive={"n", "eps"})


def _same(a: Frac, b: Frac) -> bool:
    return (a - b).is_zero()


def test_sqrt_of_n_times_a_nonnegative_splits() -> None:
    f = _field()
    n, p = f.var("n"), f.var("P")
    assert _same(f.sqrt(n * p), f.sqrt(n) * f.sqrt(p))
    assert _same(f.sqrt(n * n * p), n * f.sqrt(p))
    assert _same(f.sqrt(f.const(8)), f.const(2) * f.sqrt(f.const(2)))
    assert _same(f.sqrt(f.const(Fraction(4, 9))), f.const(Fraction(2, 3)))
    assert _same(f.sqrt(f.const(2)) * f.sqrt(f.const(2)), f.const(2))


def test_sqrt_of_a_square_of_unknown_sign_is_not_the_base() -> None:
    f = _field()
    alpha = f.var("alpha")
    root = f.sqrt(alpha * alpha)
    assert not _same(root, alpha) and not _same(root, -alpha)
    assert _same(root * root, alpha * alpha)
    assert _same(f.sqrt(alpha**4), alpha * alpha)  # alpha**2 >= 0 always
    assert not _same(f.sqrt(alpha**6), alpha**3)
    positive = Field(nonneg={"alpha"}, positive={"alpha"})
    a = positive.var("alpha")
    assert _same(positive.sqrt(a * a), a)


def test_sqrt_of_a_component_square_is_not_the_component() -> None:
    f = Field(nonneg={"eps"}, positive={"eps"})
    alg = Components(2, f)
    x = alg.vector("x")
    assert not _same(f.sqrt(x[0] * x[0]), x[0])
    total = x[0] * x[0] + x[1] * x[1]
    assert _same(f.sqrt(total) * f.sqrt(total), total)


def test_sqrt_of_a_product_of_two_unknown_signs_does_not_split() -> None:
    f = _field()
    a, b = f.var("alpha"), f.var("beta")
    assert not _same(f.sqrt(a * b), f.sqrt(a) * f.sqrt(b))


def test_sqrt_of_a_negative_constant_is_undefined() -> None:
    f = _field()
    for value in (-1, Fraction(-1, 3), -(10**200)):
        with pytest.raises(UndefinedError):
            f.sqrt(f.const(value))
    assert f.sqrt(f.const(0)).is_zero()
    with pytest.raises(UndefinedError):
        f.div(f.const(1), f.const(0))


# -- the table at explicit points vs independent references -----------------------------------------
def _mp(value: Fraction) -> mpmath.mpf:
    return mpmath.mpf(value.numerator) / value.denominator


def _mp_of_ball(ball: Ball) -> mpmath.mpf:
    return (_mp(ball.lo) + _mp(ball.hi)) / 2


def _close(ball: Ball, reference: mpmath.mpf, tolerance: float = 1e-40) -> bool:
    slack = mpmath.mpf(tolerance) * (1 + abs(reference))
    return (
        _mp(ball.lo) - slack <= reference <= _mp(ball.hi) + slack and _mp(ball.hi - ball.lo) < slack
    )


def _evaluate(text: str, values: dict[str, list[str] | str], eps: str = "1/10"):
    n = next(len(v) for v in values.values() if isinstance(v, list))
    alg = Components(n, None)
    env = {"eps": Ball(Fraction(eps))}
    for name, value in values.items():
        env[name] = (
            [Ball(Fraction(v)) for v in value] if isinstance(value, list) else Ball(Fraction(value))
        )
    return evaluate(read(text), alg, env)


_X = ["3", "-1/2", "7/3", "0"]
_G = ["2", "-1", "1/5", "3"]
_B = ["1/7", "0", "-2", "5"]
_V = ["1", "2", "-3", "1/2"]


def _ref_mean(v):
    return mpmath.fsum(v) / len(v)


def _ref_ln(x, e):
    m = _ref_mean(x)
    c = [a - m for a in x]
    var = mpmath.fsum(a * a for a in c) / len(x)
    return [a / mpmath.sqrt(var + e) for a in c]


def _vec(text):
    return [_mp(Fraction(t)) for t in text]


_EPS = _mp(Fraction(1, 10))


def _refs():
    x, g, b, v = _vec(_X), _vec(_G), _vec(_B), _vec(_V)
    n = len(x)
    dot = lambda a, c: mpmath.fsum(p * q for p, q in zip(a, c, strict=False))  # noqa: E731
    norm = lambda a: mpmath.sqrt(dot(a, a))  # noqa: E731
    centred = [a - _ref_mean(x) for a in x]
    return {
        "LN(x)": _ref_ln(x, _EPS),
        "LN(x, 2)": _ref_ln(x, 2),
        "RMS(x)": [a / mpmath.sqrt(dot(x, x) / n + _EPS) for a in x],
        "LNA(x, g, b)": [gi * li + bi for gi, li, bi in zip(g, _ref_ln(x, _EPS), b, strict=False)],
        "u(x, 3)": [a / mpmath.sqrt(dot(x, x) + 3) for a in x],
        "cos(x, v)": dot(x, v) / (norm(x) * norm(v)),
        "sandwich(x, v)": [2 * dot(x, v) * a - dot(x, x) * w for a, w in zip(x, v, strict=False)],
        "hadamard(x, v)": [a * w for a, w in zip(x, v, strict=False)],
        "mu(x)": _ref_mean(x),
        "E(x)": _ref_mean(x),
        "c(x)": centred,
        "Var(x)": dot(centred, centred) / n,
        "norm(x)": norm(x),
        "dot(x, v)": dot(x, v),
    }


@pytest.mark.parametrize("text", list(_refs()))
def test_table_definition_vs_mpmath(text: str) -> None:
    value = _evaluate(text, {"x": _X, "g": _G, "b": _B, "v": _V})
    reference = _refs()[text]
    if isinstance(reference, list):
        assert len(value) == len(reference)
        for ball, ref in zip(value, reference, strict=True):
            assert _close(ball, ref), (text, ball, ref)
    else:
        assert _close(value, reference), (text, value, reference)


def test_table_exact_where_no_root_is_taken() -> None:
    value = _evaluate("mu(x)*Var(x) + dot(x, v)/n", {"x": _X, "v": _V})
    xs, vs = [Fraction(t) for t in _X], [Fraction(t) for t in _V]
    mean = sum(xs) / 4
    variance = sum((a - mean) ** 2 for a in xs) / 4
    expected = mean * variance + sum(a * b for a, b in zip(xs, vs, strict=True)) / 4
    assert value.exact and value.lo == expected


_H = mpmath.mpf(10) ** -25


def _finite_difference(f):
    return (f(_H) - f(-_H)) / (2 * _H)


def _moved(x, v, t):
    return [a + t * w for a, w in zip(x, v, strict=True)]


def test_jvp_of_ln_vs_finite_differences() -> None:
    value = _evaluate("jvp(LN(x), x, v)", {"x": _X, "v": _V})
    x, v = _vec(_X), _vec(_V)
    for i, ball in enumerate(value):
        ref = _finite_difference(lambda t, i=i: _ref_ln(_moved(x, v, t), _EPS)[i])
        assert _close(ball, ref, 1e-30), (i, ball, ref)


def _dot(a, c):
    return mpmath.fsum(p * q for p, q in zip(a, c, strict=True))


def test_jvp_of_cos_and_rms_vs_finite_differences() -> None:
    x, v = _vec(_X), _vec(_V)
    ball = _evaluate("jvp(cos(x, v), x, v)", {"x": _X, "v": _V})
    ref = _finite_difference(
        lambda t: (
            _dot(_moved(x, v, t), v)
            / mpmath.sqrt(_dot(_moved(x, v, t), _moved(x, v, t)) * _dot(v, v))
        )
    )
    assert _close(ball, ref, 1e-30)
    value = _evaluate("jvp(RMS(x), x, v)", {"x": _X, "v": _V})
    for i, ball in enumerate(value):
        ref = _finite_difference(
            lambda t, i=i: (
                _moved(x, v, t)[i] / mpmath.sqrt(_dot(_moved(x, v, t), _moved(x, v, t)) / 4 + _EPS)
            )
        )
        assert _close(ball, ref, 1e-30), (i, ball, ref)


def test_diff_by_a_scalar_and_by_eps() -> None:
    values = {"x": _X, "alpha": "3/2"}
    ball = _evaluate("diff(alpha**3*mu(x) + sqrt(alpha), alpha)", values)
    mean = _ref_mean(_vec(_X))
    a = _mp(Fraction(3, 2))
    assert _close(ball, 3 * a**2 * mean + 1 / (2 * mpmath.sqrt(a)))
    ball = _evaluate("diff(mu(LN(x)*0 + x) + 1/sqrt(Var(x) + eps), eps)", {"x": _X})
    x = _vec(_X)
    var = mpmath.fsum((t - _ref_mean(x)) ** 2 for t in x) / len(x)
    assert _close(ball, -((var + _EPS) ** mpmath.mpf(-1.5)) / 2)


def test_grad_at_a_point_is_the_jvp_along_each_basis_vector() -> None:
    """The reverse-mode gradient at an explicit point, against finite differences (mpmath)."""
    x, w = _vec(_X), _vec(_V)
    value = _evaluate("grad(dot(v, LN(x)) + mu(x)**2*Var(x), x)", {"x": _X, "v": _V})
    assert len(value) == len(x)

    def f(point):
        ln = _ref_ln(point, _EPS)
        mean = _ref_mean(point)
        var = mpmath.fsum((t - mean) ** 2 for t in point) / len(point)
        return _dot(w, ln) + mean**2 * var

    for i, ball in enumerate(value):
        basis = [mpmath.mpf(int(i == j)) for j in range(len(x))]
        ref = _finite_difference(lambda t, basis=basis: f(_moved(x, basis, t)))
        assert _close(ball, ref, 1e-30), (i, ball, ref)


def test_grad_of_a_root_at_its_zero_is_undefined() -> None:
    """|mu(x)| = sqrt(mu(x)**2) has no gradient where mu(x) = 0, though its inner slope is 0."""
    with pytest.raises(UndefinedError):
        _evaluate("grad(sqrt(mu(x)**2), x)", {"x": ["1", "-1", "2", "-2"]})
    with pytest.raises(UndefinedError):
        _evaluate("jvp(sqrt(mu(x)**2), x, v)", {"x": ["1", "-1", "2", "-2"], "v": ["0"] * 4})
    assert _evaluate("grad(sqrt(mu(x)**2), x)", {"x": ["1", "1", "2", "4"]})[0].lo == Fraction(1, 4)


def test_second_derivative_by_nesting() -> None:
    ball = _evaluate("diff(diff(alpha**4, alpha), alpha)", {"x": _X, "alpha": "2"})
    assert ball.exact and ball.lo == 48


# -- the reader: a whitelist, clean errors, no hang -------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "x.y",
        "__import__('os')",
        "lambda: 1",
        "f(a=1)",
        "[i for i in x]",
        "(i for i in x)",
        "{1: 2}",
        "'a'",
        "True",
        "None",
        "x if y else z",
        "x @ y",
        "x // y",
        "x % y",
        "1j",
        "x[0]",
        "f(*a)",
        "x < y",
        "not x",
        "x and y",
        "(x := 1)",
        "f()()",
        "x" * 20_001,
        "(" * 300 + "1" + ")" * 300,
        "-" * 5000 + "1",
        "f(" * 100 + "1" + ")" * 100,
        "1+" * 200 + "1",
        "",
        "1 +",
        "\x00",
    ],
    ids=lambda t: t[:20],
)
def test_reader_refuses_outside_the_whitelist(text: str) -> None:
    with pytest.raises(CheckerInputError):
        read(text)


def test_reader_reads_the_language() -> None:
    assert read("2*LN(x)") == ("op", "*", ("num", Fraction(2)), ("call", "LN", (("name", "x"),)))
    assert read("x^2") == read("x**2")
    assert read("1.5e-3") == ("num", Fraction(15, 10_000))
    assert read("1_000") == ("num", Fraction(1000))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1" + "**1" * 5000, "MemoryError from the parser escapes read()"),
        ("1e-99999", "ValueError (int string conversion limit) escapes read()"),
    ],
    ids=["deep power chain", "huge exponent literal"],
)
def test_reader_raw_exceptions(text: str, reason: str) -> None:
    with pytest.raises(CheckerInputError):
        read(text)


_HANG = """
import sys
from lnsym.check.verify import check_proof, check_refutation
S = {"lhs": "LN(x)", "rhs": "x", "vectors": ["x"], "scalars": [], "assume": [], "dim": None,
     "limits": {}}
case = sys.argv[1]
point = {"n": 1, "eps": "1", "values": {"x": ["1"]}}
if case == "tower":
    v = check_proof({**S, "lhs": "((2**1000)**1000)**1000", "rhs": "0"},
                    {"mode": "symbolic", "steps": [], "point": point})
elif case == "power":
    v = check_proof({**S, "lhs": "(mu(x) + Var(x) + eps + n)**1000", "rhs": "0"},
                    {"mode": "symbolic", "steps": [], "point": point})
elif case == "product":  # the same growth as a product of 70 factors, written out
    f = "*".join(["(mu(x) + Var(x) + eps + n)"] * 70)
    v = check_proof({**S, "lhs": f, "rhs": "0"}, {"mode": "symbolic", "steps": [], "point": point})
elif case == "exponent":
    v = check_refutation(S, {"n": 2, "eps": "1e999999999", "values": {"x": ["1", "2"]}})
print(v.accepted, v.checked, v.reason)
"""


@pytest.mark.parametrize(
    "case, reason",
    [
        ("tower", "too large"),
        ("power", "more arithmetic than it may spend"),  # poly.MAX_WORK, not the term bound
        ("product", "more arithmetic than it may spend"),
        ("exponent", "out of range"),
    ],
)
def test_checker_input_does_not_hang(case: str, reason: str) -> None:
    """Work is bounded: each input stops at a bound with its reason (the timeout only detects a
    hang; the bound itself is counted in products of terms, not in seconds)."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", _HANG, case],
            timeout=30,
            capture_output=True,
            text=True,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{case}: the checker ran past 30 s")
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.startswith("False ") and reason in done.stdout, done.stdout


def test_poly_exact_division() -> None:
    x, y = Poly.var("x"), Poly.var("y")
    s = x + y * y + 1
    assert (s**3 * (x - y)).divided_by(s) == s**2 * (x - y)
    assert (s**3 * (x - y)).divided_by(x + 2) is None
    assert (x * y + 1).divided_by(y) is None and Poly.const(6).divided_by(Poly()) is None


def test_sqrt_takes_a_named_roots_radicand_out() -> None:
    """√(s² t) = s √t and √(s t) = √s √t for a radicand s >= 0 already named (no gcd needed)."""
    field = Field(nonneg={"a", "b"}, positive={"a", "b"})
    s = Poly.var("a") + Poly.var("b") + 1
    root_s = field.sqrt(Frac(field, s))
    t = Poly.var("a") * Poly.var("b") + Poly.var("b") + 3
    root_t = field.sqrt(Frac(field, t))
    assert (field.sqrt(Frac(field, s * s * t)) - Frac(field, s) * root_t).is_zero()
    assert (field.sqrt(Frac(field, s * t)) - root_s * root_t).is_zero()


# -- algebraic points: an equation such as alpha**2 = 3 has no rational solution ------------------
def _alpha_statement(assume: str, lhs: str = "sqrt(alpha**2 + 1)", conditions=()) -> dict:
    return {
        "lhs": lhs,
        "rhs": "2",
        "vectors": [],
        "scalars": ["alpha"],
        "assume": [assume],
        "conditions": list(conditions),
        "dim": None,
        "limits": {},
    }


def _alpha_point(alpha: object) -> dict:
    return {"n": 3, "eps": "1/10", "values": {"alpha": alpha}}


@pytest.mark.parametrize("alpha", ["sqrt(3)", "-sqrt(3)", "sqrt(12)/2", "sqrt(2)*sqrt(6)/2"])
def test_point_with_square_roots_satisfies_an_equation_exactly(alpha: str) -> None:
    check_point(Setting(_alpha_statement("alpha**2 = 3")), _alpha_point(alpha))


@pytest.mark.parametrize(
    "alpha, reason",
    [
        ("1.7320508075688772", "does not satisfy"),  # a float of sqrt(3): close is not equal
        ("sqrt(3) + 1/10**40", "does not satisfy"),  # inside the balls' first enclosure
        ("sqrt(2)", "does not satisfy"),
        ("alpha", "not a number"),  # a name is no number
        ("LN(1)", "not a number"),  # nor a definition
        ("sqrt(-3)", "negative"),
        (["sqrt(3)"], "no scalar"),
    ],
)
def test_point_with_square_roots_rejected(alpha: object, reason: str) -> None:
    with pytest.raises((RejectedError, CheckerInputError, UndefinedError), match=reason):
        check_point(Setting(_alpha_statement("alpha**2 = 3")), _alpha_point(alpha))


def test_algebraic_point_does_not_pass_a_zero_divisor_or_condition() -> None:
    """At alpha = sqrt(3), alpha**2 - 3 is 0: balls cannot exclude 0, so neither a divisor nor a
    stated condition f != 0 is accepted there (nothing is taken as nonzero from an enclosure)."""
    divided = _alpha_statement("alpha**2 = 3", lhs="1/(alpha**2 - 3)")
    with pytest.raises(RejectedError, match="not defined"):
        check_point(Setting(divided), _alpha_point("sqrt(3)"))
    conditioned = _alpha_statement("alpha**2 = 3", conditions=["alpha**2 - 3 != 0"])
    with pytest.raises(RejectedError, match="condition"):
        check_point(Setting(conditioned), _alpha_point("sqrt(3)"))


def test_proof_at_an_algebraic_point_is_checked_and_a_doctored_one_rejected() -> None:
    statement = _alpha_statement("alpha**2 = 3")
    steps = [
        {
            "kind": "combination",
            "goal": 0,
            "multiplier": [["2", []], ["1", [["√1", 1]]]],
            "cofactors": [[0, [["1", []]]]],
        }
    ]
    good = {"mode": "symbolic", "steps": steps, "point": _alpha_point("-sqrt(3)")}
    assert check_proof(statement, good).accepted
    for alpha in ("-1.732", "sqrt(5)"):
        verdict = check_proof(statement, {**good, "point": _alpha_point(alpha)})
        assert not verdict.accepted and "does not satisfy" in verdict.reason


def test_work_budget_counts_every_product_of_terms() -> None:
    x, y = Poly.var("x"), Poly.var("y")
    p = x + y + 1  # 3 terms: p * p spends 9 products
    with budget(17):
        p * p  # 9 of 17
        with pytest.raises(PolyTooLargeError, match="more arithmetic"):
            p * p  # 18 > 17
    assert (p * p) * p == p**3  # outside any budget: unbounded again


# -- limits at infinity: t = 1/v -> 0+ ---------------------------------------------------------------
def _limit_statement(lhs: str, rhs: str, variable: str) -> dict:
    return {
        "lhs": lhs,
        "rhs": rhs,
        "vectors": ["x"],
        "scalars": ["alpha"],
        "assume": ["alpha > 0"],
        "dim": None,
        "limits": {variable: "oo"},
    }


_AT_INFINITY = {"n": 2, "eps": "1", "values": {"alpha": "2", "x": ["1", "3"]}}


@pytest.mark.parametrize(
    ("lhs", "rhs", "variable", "true"),
    [
        # by hand: α/(α + 1) = 1/(1 + 1/α) -> 1; α·u(x, α²) = x/√(‖x‖²/α² + 1) -> x
        ("alpha/(alpha + 1)", "1", "alpha", True),
        ("alpha*u(x, alpha**2)", "x", "alpha", True),
        ("sqrt(alpha)/alpha", "0", "alpha", True),
        ("eps*Var(LN(x))", "Var(x)", "eps", True),  # Var(LN) = Var/(Var + ε) ~ Var/ε
        ("alpha/(alpha + 1)", "0", "alpha", False),
        ("alpha", "0", "alpha", False),  # unbounded: its denominator 1/α vanishes
        ("Var(LN(x))", "1", "eps", False),  # -> 0
    ],
)
def test_a_limit_at_infinity_is_the_limit_of_the_reciprocal_at_zero(lhs, rhs, variable, true):
    verdict = check_proof(
        _limit_statement(lhs, rhs, variable), {"mode": "symbolic", "point": _AT_INFINITY}
    )
    assert verdict.accepted is true and verdict.checked, verdict


def test_a_limit_at_infinity_needs_a_point_where_the_variable_is_not_zero() -> None:
    point = {"n": 2, "eps": "1", "values": {"alpha": "0", "x": ["1", "3"]}}
    verdict = check_proof(
        _limit_statement("alpha/(alpha + 1)", "1", "alpha"), {"mode": "symbolic", "point": point}
    )
    assert not verdict.accepted and verdict.checked


# -- grad inside a derivative: Hessians -----------------------------------------------------------
@pytest.mark.parametrize(("mode", "dim"), [("symbolic", None), ("symbolic", 3), ("components", 3)])
@pytest.mark.parametrize(
    ("lhs", "rhs", "true"),
    [
        # by hand: ∇Var = 2c(x)/n, so its derivative along v is 2c(v)/n
        ("jvp(grad(Var(x), x), x, v)", "2*c(v)/n", True),
        ("jvp(grad(Var(x), x), x, v)", "2*v/n", False),
        ("jvp(grad(dot(x, y), x), y, v)", "v", True),
        ("jvp(grad(dot(x, y), x), y, v)", "y", False),
        ("diff(grad(alpha*Var(x), x), alpha)", "grad(Var(x), x)", True),
        ("diff(grad(alpha*Var(x), x), alpha)", "2*grad(Var(x), x)", False),
        # ∇‖x‖ = x/‖x‖; its derivative along v: v/‖x‖ − ⟨x, v⟩ x/‖x‖³
        ("jvp(grad(norm(x), x), x, v)", "v/norm(x) - dot(x, v)*x/norm(x)**3", True),
        ("jvp(grad(norm(x), x), x, v)", "v/norm(x)", False),
    ],
)
def test_grad_inside_a_derivative(lhs, rhs, true, mode, dim) -> None:
    statement = {
        "lhs": lhs,
        "rhs": rhs,
        "vectors": ["x", "v", "y"],
        "scalars": ["alpha"],
        "assume": [],
        "dim": dim,
        "limits": {},
    }
    values = {"alpha": "2", "x": ["1", "2", "4"], "v": ["1", "-1", "3"], "y": ["2", "0", "1"]}
    verdict = check_proof(
        statement, {"mode": mode, "point": {"n": 3, "eps": "1", "values": values}}
    )
    assert verdict.accepted is true and verdict.checked, verdict


def test_grad_inside_two_derivatives_is_outside_the_rules() -> None:
    statement = {
        "lhs": "jvp(jvp(grad(Var(x), x), x, v), x, v)",
        "rhs": "0*v",
        "vectors": ["x", "v"],
        "scalars": [],
        "assume": [],
        "dim": None,
        "limits": {},
    }
    point = {"n": 2, "eps": "1", "values": {"x": ["1", "2"], "v": ["0", "1"]}}
    verdict = check_proof(statement, {"mode": "symbolic", "point": point})
    assert not verdict.accepted and not verdict.checked
    assert "two derivatives" in verdict.reason


def test_at_n_1_every_centred_vector_is_zero() -> None:
    """c(x) = x − μ(x)·1 = 0 at n = 1: Var(x) is 0 and ‖LN(x)‖ = 0 < √n with no step."""
    statement = {
        "lhs": "Var(x) + norm(LN(x))",
        "rhs": "0",
        "vectors": ["x"],
        "scalars": [],
        "assume": [],
        "dim": 1,
        "limits": {},
    }
    point = {"n": 1, "eps": "1", "values": {"x": ["5"]}}
    assert check_proof(statement, {"mode": "symbolic", "point": point}).accepted
    statement["dim"] = 2
    point = {"n": 2, "eps": "1", "values": {"x": ["5", "1"]}}
    verdict = check_proof(statement, {"mode": "symbolic", "point": point})
    assert not verdict.accepted and "does not reduce to zero" in verdict.reason, verdict
