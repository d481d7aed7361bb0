"""Property tests of issue 9: assumptions true at a point never let a PROVED be contradicted there.

Each example builds an explicit point first (n, eps, vectors x, y and scalars alpha, beta, with
degenerate choices on purpose: alpha = 0, constant or centered x, y = x + k*1, ...), then derives
assumptions that are true at that point from templates (products with zero divisors such as
``alpha*mu(x) = 0``, vector equations such as ``alpha*c(x) = 0`` or ``x = y + alpha*ones``), and
asks lnsym about a claim. The ground truth is :mod:`tests._truth` (independent of lnsym):

* PROVED → the claim holds at the point (or a stated condition is false there);
* REFUTED → the witness satisfies the assumptions and separates the sides.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import _truth as T
import lnsym
from lnsym.errors import LnsymError
from test_adversarial import (
    BUDGET,
    WALL,
    _condition_holds,
    _conditions,
    deadline,
    witness_point,
)

# no shrinking: each example calls the prover, and a shrink would re-run it hundreds of times (the
# falsifying example is still printed, and the point is small by construction)
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
NAMES = {"vectors": "x,y", "scalars": "alpha,beta"}

small = st.fractions(min_value=-4, max_value=4, max_denominator=3)


@st.composite
def points(draw: Any, dims: tuple[int, ...] = (1, 2, 3, 4, 5)) -> T.Point:
    """A point with deliberately degenerate parts."""
    n = draw(st.sampled_from(dims))
    eps = draw(st.sampled_from([Fraction(1, 10), Fraction(1, 1000), Fraction(2), Fraction(1, 3)]))
    generic = st.lists(small, min_size=n, max_size=n)
    x = draw(generic)
    shape = draw(st.sampled_from(["generic", "constant", "centered", "zero", "mean1"]))
    if shape == "constant":
        x = [x[0]] * n
    elif shape == "centered":
        x = T.centered(x)
    elif shape == "zero":
        x = [Fraction(0)] * n
    elif shape == "mean1":
        x = T.with_mean(x, 1)
    alpha = draw(st.one_of(st.just(Fraction(0)), st.just(Fraction(1)), small))
    beta = draw(st.one_of(st.just(Fraction(0)), st.just(Fraction(-1)), small))
    relation = draw(st.sampled_from(["generic", "equal", "shifted", "scaled", "constant"]))
    y = draw(generic)
    if relation == "equal":
        y = list(x)
    elif relation == "shifted":
        y = [q - alpha for q in x]  # x = y + alpha*ones
    elif relation == "scaled":
        y = [2 * q for q in x]
    elif relation == "constant":
        y = [y[0]] * n
    return T.point(n, eps, x=x, y=y, alpha=alpha, beta=beta)


SCALAR_TEMPLATES = [
    "alpha*mu(x)",
    "alpha*Var(x)",
    "mu(x)*mu(y)",
    "alpha*beta",
    "Var(x)",
    "mu(x)",
    "alpha",
    "alpha*(mu(x) - 1)",
    "mu(x)**2 - mu(x)",
    "dot(c(x), c(y))",
    "alpha*dot(c(x), y)",
    "mu(x) - mu(y)",
    "Var(x) - Var(y)",
    "alpha**2 - beta**2",
    "alpha*mu(x) - beta",
]
VECTOR_TEMPLATES = [
    ("alpha*c(x)", "0"),
    ("c(x)", "0"),
    ("x", "y"),
    ("x", "y + alpha*ones"),
    ("c(x)", "c(y)"),
    ("alpha*x", "alpha*y"),
    ("hadamard(c(x), c(y))", "0"),
    ("y", "2*x"),
    ("beta*c(y)", "0"),
    ("hadamard(x, x)", "x"),
]
SCALAR_CLAIMS = [
    ("mu(x)", "0"),
    ("alpha", "0"),
    ("Var(x)", "0"),
    ("mu(x)", "mu(y)"),
    ("Var(x)", "Var(y)"),
    ("alpha*mu(x)", "0"),
    ("mu(x)", "1"),
    ("beta", "0"),
    ("alpha*beta", "0"),
    ("norm(LN(x))**2", "n*Var(x)/(Var(x) + eps)"),
    ("dot(LN(x), LN(y))", "0"),
    ("alpha", "beta"),
    ("Var(x)", "1 - eps"),
]
VECTOR_CLAIMS = [
    ("c(x)", "0"),
    ("LN(x)", "LN(y)"),
    ("LN(x)", "0"),
    ("x", "y"),
    ("c(x)", "c(y)"),
    ("alpha*c(x)", "0"),
    ("LN(x)", "c(x)/sqrt(eps)"),
    ("hadamard(c(x), c(y))", "0"),
    ("RMS(x)", "LN(x)"),
]
LIMIT_CLAIMS = [
    ("norm(LN(x))", "sqrt(n)"),
    ("norm(LN(x))**2", "n"),
    ("LN(x)", "0"),
    ("LN(x)", "LN(y)"),
    ("dot(LN(x), LN(y))", "n*cos(c(x), c(y))"),
    ("mu(hadamard(LN(x), LN(x)))", "1"),
    ("Var(x)/(Var(x) + eps)", "1"),
    ("norm(u(x, eps))", "1"),
]


def _literal(value: Any) -> str | None:
    """An exact rational as language text; None if irrational or too long."""
    if not isinstance(value, Fraction):
        return None
    text = str(value)
    return f"({text})" if len(text) <= 12 else None


def scalar_assumptions(pt: T.Point, templates: list[str]) -> list[str]:
    out = []
    for template in templates:
        try:
            value = T.evaluate(template, pt)
        except T.Undefined:
            continue
        literal = _literal(value)
        if literal is not None:
            out.append(f"{template} = {literal}")
    return out


def vector_assumptions(pt: T.Point, templates: list[tuple[str, str]]) -> list[str]:
    return [f"{a} = {b}" for a, b in templates if T.holds(f"{a} = {b}", pt)]


def _prove(lhs: str, rhs: str, assume: list[str], pt: T.Point, fix_dim: bool, limit: str | None):
    kwargs: dict[str, Any] = {**NAMES, "assume": assume, "timeout": BUDGET}
    if fix_dim:
        kwargs["dim"] = pt.n
    if limit:
        kwargs["limit"] = limit
    try:
        with deadline(WALL):
            return lnsym.prove(lhs, rhs, **kwargs)
    except LnsymError as error:  # a clean refusal (e.g. an assumption it cannot use) is sound
        assert "\n" not in str(error).strip()
        return None


def _check(result: Any, lhs: str, rhs: str, assume: list[str], pt: T.Point, limit: str | None):
    if result is None:
        return
    report = result.report()
    if result.status.value == "proved":
        conditions = _conditions(result)
        if limit:
            fails = T.limit_verdict(lhs, rhs, pt, "eps", Fraction(0), assume) == "separate"
        else:
            fails = T.separates(lhs, rhs, pt)
        if fails:
            assert conditions and not all(_condition_holds(c, pt) for c in conditions), (
                f"PROVED, but the claim fails at {pt}, which meets every assumption"
                f" and the conditions {conditions}:\n{report}"
            )
    elif result.status.value == "refuted":
        w = result.witness
        assert w is not None
        wp = witness_point(w)
        if limit:
            verdict = T.limit_verdict(lhs, rhs, wp, "eps", Fraction(0), assume)
            assert verdict == "separate", f"witness {wp} does not separate the limits:\n{report}"
        else:
            for a in assume:
                assert T.holds(a, wp, approximate=True), f"witness breaks {a!r}: {wp}\n{report}"
            assert T.separates(lhs, rhs, wp), f"witness does not separate: {wp}\n{report}"
    else:
        assert result.status.value == "unknown"


@SETTINGS
@given(
    pt=points(),
    templates=st.lists(st.sampled_from(SCALAR_TEMPLATES), min_size=1, max_size=3, unique=True),
    claim=st.sampled_from(SCALAR_CLAIMS + VECTOR_CLAIMS),
    fix_dim=st.booleans(),
)
def test_zero_divisor_assumptions(
    pt: T.Point, templates: list[str], claim: tuple[str, str], fix_dim: bool
) -> None:
    """Products that vanish at the point (alpha*mu(x) = 0 with alpha = 0, ...)."""
    assume = scalar_assumptions(pt, templates)
    lhs, rhs = claim
    _check(_prove(lhs, rhs, assume, pt, fix_dim, None), lhs, rhs, assume, pt, None)


@SETTINGS
@given(
    pt=points(),
    templates=st.lists(st.sampled_from(VECTOR_TEMPLATES), min_size=1, max_size=2, unique=True),
    extra=st.lists(st.sampled_from(SCALAR_TEMPLATES), max_size=1),
    claim=st.sampled_from(SCALAR_CLAIMS + VECTOR_CLAIMS),
    fix_dim=st.booleans(),
)
def test_vector_equation_assumptions(
    pt: T.Point,
    templates: list[tuple[str, str]],
    extra: list[str],
    claim: tuple[str, str],
    fix_dim: bool,
) -> None:
    """Vector equations true at the point (alpha*c(x) = 0, x = y + alpha*ones, ...)."""
    assume = vector_assumptions(pt, templates) + scalar_assumptions(pt, extra)
    lhs, rhs = claim
    _check(_prove(lhs, rhs, assume, pt, fix_dim, None), lhs, rhs, assume, pt, None)


@SETTINGS
@given(
    pt=points(),
    templates=st.lists(st.sampled_from(VECTOR_TEMPLATES), max_size=1),
    claim=st.sampled_from(LIMIT_CLAIMS),
    fix_dim=st.booleans(),
)
def test_limits_at_the_point(
    pt: T.Point, templates: list[tuple[str, str]], claim: tuple[str, str], fix_dim: bool
) -> None:
    """eps -> 0 at degenerate points (c(x) = 0, n = 1, y = x + k*1): no PROVED is contradicted."""
    assume = vector_assumptions(pt, templates)
    lhs, rhs = claim
    result = _prove(lhs, rhs, assume, pt, fix_dim, "eps=0")
    _check(result, lhs, rhs, assume, pt, "eps=0")


@pytest.mark.parametrize("n", [1, 2, 3])
def test_point_strategy_is_degenerate_enough(n: int) -> None:
    """The strategy reaches the degenerate points the properties are about (sanity of the test)."""
    seen = {"constant": False, "alpha0": False}

    @settings(max_examples=60, deadline=None, derandomize=True)
    @given(points(dims=(n,)))
    def probe(pt: T.Point) -> None:
        if len(set(pt.values["x"])) == 1:
            seen["constant"] = True
        if pt.values["alpha"] == 0:
            seen["alpha0"] = True

    probe()
    assert all(seen.values()), seen


VECTOR_LEAVES = ["x", "y", "ones", "c(x)", "(x - y)", "(y - x)"]


@st.composite
def vector_exprs(draw: Any, depth: int = 2) -> str:
    """Small vector expressions over x, y, ones: sums, scalings, centering, products, LN."""
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(VECTOR_LEAVES))
    a = draw(vector_exprs(depth=depth - 1))
    b = draw(vector_exprs(depth=depth - 1))
    form = draw(
        st.sampled_from(
            ["{a} + {b}", "2*{a} - {b}", "c({a})", "hadamard({a}, {b})", "alpha*{a}", "LN({a})"]
        )
    )
    return "(" + form.format(a=a, b=b) + ")"


GENERIC_CLAIMS = [
    ("norm(LN({v}))", "sqrt(n)", "eps=0"),
    ("LN({v})", "c({v})/sqrt(Var({v}))", "eps=0"),
    ("dot(LN({v}), LN({v}))", "n", "eps=0"),
    ("mu(hadamard(LN({v}), LN({v})))", "1", "eps=0"),
    ("cos(c({v}), c({w}))**2", "1", None),
    ("Var({v})*Var({w})", "dot(c({v}), c({w}))**2/n**2", None),
    ("LN({v})", "LN({w})", None),
    ("norm(u({v}, eps))", "1", "eps=0"),
]


@SETTINGS
@given(
    pt=points(dims=(1, 2, 3)),
    v=vector_exprs(),
    w=vector_exprs(),
    claim=st.sampled_from(GENERIC_CLAIMS),
    fix_dim=st.booleans(),
)
def test_generic_identities_at_degenerate_points(
    pt: T.Point, v: str, w: str, claim: tuple[str, str, str | None], fix_dim: bool
) -> None:
    """Identities that hold only for generic vectors (c(v) != 0, n >= 3), asked of expressions that
    are degenerate at the point (x - y constant, hadamard of disjoint supports, n = 1 or 2)."""
    lhs, rhs = claim[0].format(v=v, w=w), claim[1].format(v=v, w=w)
    limit = claim[2]
    assume = vector_assumptions(pt, [("x", "y + alpha*ones")])  # often true by construction
    result = _prove(lhs, rhs, assume, pt, fix_dim, limit)
    if limit is None:
        try:
            T.evaluate(lhs, pt), T.evaluate(rhs, pt)
        except T.Undefined:
            if result is not None and result.status.value == "refuted":
                _check(result, lhs, rhs, assume, pt, limit)
            return
    _check(result, lhs, rhs, assume, pt, "eps=0" if limit else None)
