"""A second adversarial round against the trusted checker: limits, inequalities, series, work bounds.

Each case states a claim that is false (ground truth computed here by hand with exact rationals,
never through lnsym) and asserts the sound outcome: the checker does not accept it and ``prove``
does not call it proved. Each was a strict xfail when this round found it; all are fixed now,
and the comment above each test names the rule that was at fault. The few plain tests are
attacks of a new class that the checker resists.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import lnsym
from lnsym import prove
from lnsym.check.series import check_series
from lnsym.check.verify import check_inequality, check_proof, check_refutation

Data = dict[str, Any]


def _statement(
    lhs: str,
    rhs: str,
    vectors: tuple[str, ...] = (),
    scalars: tuple[str, ...] = (),
    assume: tuple[str, ...] = (),
    limits: dict[str, str] | None = None,
    conditions: tuple[str, ...] = (),
) -> Data:
    return {
        "lhs": lhs,
        "rhs": rhs,
        "vectors": list(vectors),
        "scalars": list(scalars),
        "assume": list(assume),
        "dim": None,
        "limits": limits or {},
        "conditions": list(conditions),
    }


def _certificate(
    values: dict[str, Any], steps: list[Data] | None = None, n: int = 1, eps: str = "1"
) -> Data:
    return {
        "mode": "symbolic",
        "steps": steps or [],
        "point": {"n": n, "eps": eps, "values": values},
    }


# -- limits: a radicand 0/0 at the limit value ---------------------------------------------------------
# fixed: _State.take re-roots each radicand p/q at the limit value through Field.sqrt(Frac(p(a),
#   q(a))), and Frac turns 0/0 into 0; a radicand's denominator is not among the
#   denominators _take_limit requires nonzero
@pytest.mark.parametrize(
    ("lhs", "limit", "sample"),
    [
        # the radicand is exactly 2 for alpha != 1: the limit is sqrt(2), not 0
        ("sqrt(2*(alpha - 1)/(alpha - 1))", "1", lambda a: 2 * (a - 1) / (a - 1)),
        # the radicand is 3/(alpha - 1) for alpha != 1: unbounded above 1, no limit at all
        ("sqrt((alpha - 1)*3/(alpha - 1)**2)", "1", lambda a: (a - 1) * 3 / (a - 1) ** 2),
        # eps -> 1: the radicand is eps + 1 for eps != 1, the limit is sqrt(2)
        ("sqrt((eps**2 - 1)/(eps - 1))", "1", lambda e: (e**2 - 1) / (e - 1)),
    ],
    ids=["sqrt(2)", "unbounded", "eps->1"],
)
def test_a_radicand_that_is_0_over_0_at_the_limit_is_not_its_limit(
    lhs: str, limit: str, sample: Any
) -> None:
    # ground truth by hand: near the limit value the radicand stays >= 1 (no limit 0 for its root)
    for k in range(1, 30):
        assert sample(1 + Fraction(1, 10**k)) >= 1
    name = "eps" if "eps" in lhs else "alpha"
    scalars = () if name == "eps" else ("alpha",)
    statement = _statement(lhs, "0", scalars=scalars, limits={name: limit})
    verdict = check_proof(statement, _certificate({"alpha": "3"} if scalars else {}, eps="3"))
    assert not verdict.accepted, verdict


# -- limits: a substitution whose scale vanishes at the limit value ---------------------------------
# fixed: subst v = -w/k (and the re-rooting of a radicand it changes, r = num/den) multiplies
#   goals and denominators by scale**degree (_State._replace), so goal/den is the
#   difference times scale**(deg_den - deg_goal); _take_limit then takes goal/den at the
#   limit value, where the scale (alpha, or alpha**2 below the re-rooted sqrt) is 0
@pytest.mark.parametrize(
    ("lhs", "rhs", "assume", "values", "truth"),
    [
        # under alpha > 0 and alpha*beta = 1, alpha*beta - 5 = -4 at every point: the limit is -4
        (
            "alpha*beta",
            "5",
            ("alpha > 0", "alpha*beta = 1"),
            {"alpha": "1", "beta": "1"},
            lambda a: a * (1 / a) - 5 == -4,
        ),
        # under gamma = alpha**2 (beta = 1), sqrt(beta/gamma) = 1/|alpha|: unbounded, not 7
        (
            "sqrt(beta/gamma)",
            "7",
            ("gamma = alpha**2",),
            {"alpha": "1", "beta": "1", "gamma": "1"},
            lambda a: 1 / a**2 > 49 and math.isqrt((1 / a**2).numerator) == 1 / a,
        ),
    ],
    ids=["alpha*beta=1", "gamma=alpha**2"],
)
def test_a_substitution_scaled_by_the_limit_variable_does_not_change_the_limit(
    lhs: str, rhs: str, assume: tuple[str, ...], values: dict[str, str], truth: Any
) -> None:
    for k in range(1, 30):
        assert truth(Fraction(1, 10**k))
    names = tuple(sorted(values))
    statement = _statement(lhs, rhs, scalars=names, assume=assume, limits={"alpha": "0"})
    var = "beta" if "alpha*beta = 1" in assume else "gamma"
    subst = {"kind": "subst", "fact": 0, "var": var}
    verdict = check_proof(statement, _certificate(values, steps=[subst]))
    assert not verdict.accepted, verdict


# -- limits: a condition that involves the limit's variable -----------------------------------------
# fixed: _take_limit adds each condition's square to known_positive but not to assumed_positive,
#   so _State.take keeps it strict after setting eps = 0: ||c(x) + eps*1||^2 = P[x,x] +
#   n*eps**2 > 0 (true for every eps > 0) becomes P[x,x] > 0
def test_a_condition_true_for_every_eps_does_not_exclude_constant_vectors() -> None:
    # x = (1, 1, 1): c(x) = 0 so LN(x) = 0 for every eps > 0, and the condition holds there:
    # ||c(x) + eps*1||^2 = 3*eps**2 > 0. The claimed limit sqrt(3) of norm(LN(x)) is false.
    x = [Fraction(1)] * 3
    mean = sum(x) / 3
    centred = [v - mean for v in x]
    for k in range(1, 20):
        eps = Fraction(1, 10**k)
        assert sum((c + eps) ** 2 for c in centred) == 3 * eps**2 > 0
        assert all(c == 0 for c in centred)  # LN(x) = c(x)/sqrt(Var(x) + eps) = 0
    statement = _statement(
        "norm(LN(x))",
        "sqrt(n)",
        vectors=("x",),
        limits={"eps": "0"},
        conditions=("c(x) + eps*ones != 0",),
    )
    certificate = _certificate({"x": ["2", "2", "-4"]}, n=3)
    verdict = check_proof(statement, certificate)
    assert not verdict.accepted, verdict


def test_the_genuine_condition_is_still_accepted() -> None:
    """The control for the case above: with c(x) != 0 the same certificate stands."""
    statement = _statement(
        "norm(LN(x))", "sqrt(n)", vectors=("x",), limits={"eps": "0"}, conditions=("c(x) != 0",)
    )
    verdict = check_proof(statement, _certificate({"x": ["2", "2", "-4"]}, n=3))
    assert verdict.accepted, verdict


# -- limits: a limit value outside the closure of the domain the assumptions allow --------------------
def _near(value: int, side: int) -> list[Fraction]:
    """Points of the assumed set approaching ``value`` from ``side`` (+1 above, -1 below)."""
    return [value + side * Fraction(1, 10**k) for k in range(1, 12)]


_OUTSIDE = [
    # (lhs, rhs, assumption, limit, points of the domain, the left side there by hand):
    # |alpha| >= 0 always, so no limit of it is negative
    ("sqrt(alpha**2)", "-1", "alpha < 0", "alpha=1", _near(0, -1), abs),
    ("abs(alpha)", "-2", "alpha < -1", "alpha=2", _near(-1, -1), abs),
    # 1/(alpha - 1) > 0 wherever alpha > 1, so no limit of it is -1
    ("1/(alpha - 1)", "-1", "alpha > 1", "alpha=0", _near(1, 1), lambda a: 1 / (a - 1)),
    # the same through a nonlinear assumption: 1/(alpha**2 - 1) > 0 wherever alpha**2 > 1
    ("1/(alpha**2 - 1)", "-1", "alpha**2 > 1", "alpha=0", _near(1, 1), lambda a: 1 / (a**2 - 1)),
]


# fixed (prove and the checker): a limit is taken at a value the inequality assumptions exclude from the
#   closure of the domain (docs/verdicts.md: the limit point must lie in it); _take_limit
#   turns the assumed -alpha > 0 into the known -1 >= 0 at alpha = 1 and goes on
@pytest.mark.parametrize(
    ("lhs", "rhs", "assume", "limit", "points", "left"),
    _OUTSIDE,
    ids=[f"{c[0]}->{c[1]} given {c[2]}" for c in _OUTSIDE],
)
def test_a_limit_outside_the_domain_is_not_proved(
    lhs: str, rhs: str, assume: str, limit: str, points: list[Fraction], left: Any
) -> None:
    # ground truth: everywhere on the assumed set the left side is > 0 > the claimed limit; the
    # limit point is not even near it (the points approach the set's edge, not the limit)
    name, value = limit.split("=")
    edge = points[-1]
    assert abs(edge - int(value)) >= 1
    for a in points:
        assert left(a) > 0 > Fraction(rhs)
    proof = prove(lhs, rhs, scalars=name, assume=assume, limit=limit)
    assert proof.status.value != "proved", (proof.method, proof.check_note)


# -- inequalities: a certificate's radical named like an atom a basic fact speaks of ------------------
_ONE = [["1", []]]


def _shadowing_certificate(name: str, radicand: list[Any], fact: str, strict: bool) -> Data:
    """A positivity certificate whose one radical is called ``name`` (an atom the basic fact
    ``fact`` is about: n, eps), so the checker's link reads that atom as sqrt(radicand)."""
    poly = [["1", [["n", 1]]], ["-1", []]] if fact == "n-1" else [["1", [[name, 1]]]]
    derived = {"coeff": "1", "facts": [fact], "square": _ONE}
    return {
        "kind": "positivity",
        "radicals": [[name, radicand]],
        "positive": [],
        "assumptions": [],
        "facts": [{"poly": poly, "strict": strict, "rule": "sum", "terms": [derived]}],
        "goal": {"num": poly, "den": _ONE, "strict": strict, "num_fact": "#0", "den_fact": "1"},
        "point": {"n": 1, "eps": "1", "values": {"alpha": "1"}},
    }


_SHADOWED = [
    # (lhs, relation, rhs, radical name, its radicand, basic fact): each claim is false
    ("1", "<=", "0", "n", [], "n-1"),  # n - 1 >= 0 with "n" = sqrt(0): -1 >= 0
    ("0", "<", "0", "eps", [], "eps"),  # eps > 0 with "eps" = sqrt(0): 0 > 0
    ("0", "<", "alpha**2", "n", [["1", [["alpha", 4]]]], "n"),  # false at alpha = 0
]


# fixed: positivity._Checker lets a radical take the name of an atom a basic fact is about (n,
#   eps; likewise a scalar of pos:, the P[..] of a Gram fact), and _link maps that name to
#   the root, so the basic fact n - 1 >= 0 or eps > 0 is read of sqrt(0) = 0
@pytest.mark.parametrize(
    ("lhs", "relation", "rhs", "name", "radicand", "fact"),
    _SHADOWED,
    ids=[f"{c[0]} {c[1]} {c[2]}" for c in _SHADOWED],
)
def test_a_radical_cannot_rename_an_atom_of_a_basic_fact(
    lhs: str, relation: str, rhs: str, name: str, radicand: list[Any], fact: str
) -> None:
    assert not {"<=": Fraction(1) <= 0, "<": Fraction(0) < 0}[relation]  # 1 <= 0, 0 < 0: false
    assert not Fraction(0) ** 2 > 0  # 0 < alpha**2 fails at alpha = 0
    statement = {**_statement(lhs, rhs, scalars=("alpha",)), "relation": relation}
    verdict = check_inequality(
        statement, _shadowing_certificate(name, radicand, fact, "<" == relation)
    )
    assert not verdict.accepted, verdict


# fixed: checker bug (as above) through the command line: lnsym check accepts 1 <= 0
def test_lnsym_check_does_not_accept_one_below_zero(tmp_path: Path) -> None:
    statement = {**_statement("1", "0"), "relation": "<="}
    certificate = _shadowing_certificate("n", [], "n-1", False)
    saved = tmp_path / "verdict.json"
    saved.write_text(
        json.dumps(
            {"status": "proved", "check": {"statement": statement, "certificate": certificate}}
        )
    )
    run = subprocess.run(
        [sys.executable, "-m", "lnsym", "check", str(saved)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(Path(lnsym.__file__).parents[1])},
    )
    assert run.returncode != 0, run.stdout


# -- series: the remainder's limit must be finite, and coefficients free of the variable ----------
def _term(lhs: str, rhs: str) -> Data:
    statement = _statement(lhs, rhs, limits={"eps": "0"})
    return {"statement": statement, "certificate": _certificate({})}


def _series(expr: str, coefficients: list[str]) -> Data:
    return {
        "expr": expr,
        "variable": "eps",
        "half": None,
        "vectors": [],
        "scalars": [],
        "assume": [],
        "conditions": [],
        "coefficients": coefficients,
    }


# fixed: the remainder's term may prove lim D^M G/M! = D^M G/M! (its own left side as the right
#   side); _take_limit returns at once when LHS - RHS is identically 0, so nothing shows
#   the limit finite, and Taylor's bound does not follow
def test_a_series_with_an_unbounded_remainder_is_not_accepted() -> None:
    # claimed: sqrt(eps) = 0 + O(eps). But sqrt(eps)/eps = 10**k at eps = 10**(-2k): unbounded.
    for k in range(1, 30):
        eps = Fraction(1, 10 ** (2 * k))
        assert math.isqrt(eps.denominator) ** 2 == eps.denominator
        assert Fraction(1, math.isqrt(eps.denominator)) / eps == 10**k
    series = _series("sqrt(eps)", ["0"])
    terms = [_term("sqrt(eps)", "0"), _term("diff(sqrt(eps), eps)", "diff(sqrt(eps), eps)")]
    verdict = check_series(series, terms)
    assert not verdict.accepted, verdict


# fixed: check_series lets a coefficient (and each term's right side) depend on the expansion
#   variable; a term whose sides are identical is a 'checked limit' at once
def test_a_series_whose_coefficients_depend_on_the_variable_is_not_accepted() -> None:
    # claimed: 1/eps = (1/eps) + (-1/eps**2)*eps + O(eps**2), i.e. 1/eps = 0 + O(eps**2), false
    for k in range(1, 30):
        eps = Fraction(1, 10**k)
        partial = 1 / eps + (-1 / eps**2) * eps
        assert partial == 0
        assert (1 / eps - partial) / eps**2 == 10 ** (3 * k)
    series = _series("1/eps", ["1/eps", "-1/eps**2"])
    terms = [
        _term("1/eps", "1/eps"),
        _term("diff(1/eps, eps)", "-1/eps**2"),
        _term("diff(diff(1/eps, eps), eps)/2", "diff(diff(1/eps, eps), eps)/2"),
    ]
    verdict = check_series(series, terms)
    assert not verdict.accepted, verdict


# -- work bounds: a certificate's polynomial is read in time linear in its size ---------------------
class _OvertimeError(Exception):
    """Raised by the alarm: the check ran past its allowance."""


@contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    def ring(signum: int, frame: object) -> None:
        raise _OvertimeError(f"still checking after {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# fixed: poly_from_json adds term by term (total = total + term copies the whole table each
#   time), quadratic in the certificate's size and outside the work budget: 5,000 terms
#   take ~8 s, 20,000 terms ~2 min, for a certificate of about 600 kB
def test_a_large_cofactor_is_rejected_within_the_work_bound() -> None:
    statement = _statement("mu(x)", "0", vectors=("x",), assume=("mu(x) = 0",))
    cofactor = [["1", [[f"v{i}", 1]]] for i in range(20_000)]
    step = {"kind": "combination", "goal": 0, "cofactors": [[0, cofactor]]}
    certificate = _certificate({"x": ["1", "-1", "0"]}, steps=[step], n=3)
    start = time.perf_counter()
    with _deadline(10):
        verdict = check_proof(statement, certificate)
    assert not verdict.accepted  # the cofactor is not 1: whatever the outcome, promptly
    assert time.perf_counter() - start < 10


# -- attacks of new classes that the checker resists --------------------------------------------------
def test_a_refuted_limit_needs_the_side_defined_near_the_limit() -> None:
    """The 0/0 radicand cannot be turned into a refutation of the true limit sqrt(2) either."""
    statement = _statement(
        "sqrt(2*(alpha - 1)/(alpha - 1))", "sqrt(2)", scalars=("alpha",), limits={"alpha": "1"}
    )
    verdict = check_refutation(statement, {"n": 1, "eps": "1", "values": {"alpha": "2"}})
    assert not verdict.accepted and verdict.checked, verdict


def test_a_radicand_whose_denominator_vanishes_at_the_limit_is_rejected() -> None:
    """sqrt(1/alpha)*sqrt(alpha) is 1 for alpha > 0; its 'limit' 0 at alpha -> 0 is not accepted
    (the radicand 1/alpha has no value at alpha = 0)."""
    statement = _statement(
        "sqrt(1/alpha)*sqrt(alpha)", "0", scalars=("alpha",), limits={"alpha": "0"}
    )
    verdict = check_proof(statement, _certificate({"alpha": "1"}))
    assert not verdict.accepted and verdict.checked, verdict
