"""The identity table: every true LN identity is proved, every false one refuted with a witness."""

from __future__ import annotations

import pytest

from lnsym import prover
from lnsym.prover.verdict import Status
from lnsym.prover.witness import separates

# (lhs, rhs, options)
TRUE = [
    ("LN(x)", "sqrt(n)*u(c(x), n*eps)", {}),
    ("LN(x)", "sqrt(n)*u(c(x), n*eps)", {"dim": 512}),
    ("LN(x)", "sqrt(n)*u(c(x), n*eps)", {"dim": 3}),
    ("Var(x)", "norm(c(x))**2/n", {}),
    ("Var(x)", "E(hadamard(x, x)) - E(x)**2", {}),
    ("norm(c(x))**2", "norm(x)**2 - n*mu(x)**2", {}),
    ("dot(c(x), ones)", "0", {}),
    ("c(c(x))", "c(x)", {}),
    ("c(a + b)", "c(a) + c(b)", {"vectors": "a,b"}),
    ("c(alpha*x)", "alpha*c(x)", {"scalars": "alpha"}),
    ("c(x + k*ones)", "c(x)", {"scalars": "k"}),
    ("Var(x + k*ones)", "Var(x)", {"scalars": "k"}),
    ("LN(x + k*ones)", "LN(x)", {"scalars": "k"}),
    ("mu(x)", "norm(x)*cos(x, ones)/sqrt(n)", {}),
    ("mu(x)", "dot(x, ones)/n", {}),
    ("E(x)", "mu(x)", {}),
    ("LN(x)", "RMS(c(x))", {}),
    ("norm(LN(x))**2", "n*Var(x)/(Var(x) + eps)", {}),
    (
        "dot(w, LN(a + b))",
        "sqrt(n)*(dot(w, c(a)) + dot(w, c(b)))/sqrt(norm(c(a + b))**2 + n*eps)",
        {"vectors": "w,a,b"},
    ),
    ("sqrt(n)*u(x, n*eps)", "x/sqrt(Var(x) + eps)", {"assume": ["mu(x) = 0"]}),
    ("dot(c(a), b)", "dot(a, c(b))", {"vectors": "a,b"}),
    (
        "LN(alpha*x)",
        "sqrt(n)*u(c(x), n*eps/alpha**2)",
        {"scalars": "alpha", "assume": ["alpha > 0"]},
    ),
    ("dot(w, LN(x))", "dot(c(w), LN(x))", {"vectors": "w,x"}),
    ("c(x)", "x/2 - sandwich(ones, x)/(2*n)", {}),
    ("LN(2*x, 4*eps)", "LN(x)", {}),
    ("RMS(x)", "sqrt(n)*u(x, n*eps)", {}),
    ("Var(x)", "mu(hadamard(c(x), c(x)))", {}),
    ("norm(u(x, 0))**2", "1", {}),
    ("LN(x)", "0", {"dim": 1}),
    ("dot(c(a), c(b))**2", "norm(c(a))**2*norm(c(b))**2", {"vectors": "a,b", "dim": 2}),
    (
        "dot(w, LNA(x, g, beta)) + b",
        "dot(hadamard(g, w), LN(x)) + (dot(w, beta) + b)",
        {"vectors": "w,x,g,beta", "scalars": "b"},
    ),
    ("u(x, 0)", "x", {"assume": ["norm(x) = 1"]}),
    ("LN(x)", "c(x)/sqrt(eps)", {"assume": ["Var(x) = 0"]}),
]

FALSE = [
    ("LN(x)", "sqrt(n)*u(c(x), eps)", {}),  # ε not scaled by n
    ("LN(x)", "u(c(x), n*eps)", {}),  # missing √n
    ("LN(x)", "sqrt(n)*u(x, n*eps)", {}),  # no centering
    ("norm(LN(x))", "1", {}),  # the seed's "approx unit length"
    ("LN(2*x)", "LN(x)", {}),  # ε > 0 breaks scale invariance
    ("LN(a + b)", "LN(a) + LN(b)", {"vectors": "a,b"}),
    ("Var(x)", "norm(x)**2/n", {}),
    ("Var(x)", "norm(c(x))**2/(n - 1)", {}),  # unbiased variance is not LN's
    ("mu(x)", "norm(x)*cos(x, ones)", {}),  # missing 1/√n
    ("dot(w, RMS(x))", "dot(c(w), RMS(x))", {"vectors": "w,x"}),  # RMSNorm readers don't center
    ("RMS(x)", "LN(x)", {}),
    ("c(hadamard(a, b))", "hadamard(c(a), c(b))", {"vectors": "a,b"}),
    ("norm(LN(x))**2", "n", {}),
    ("sqrt(n)*u(x, n*eps)", "x/sqrt(Var(x) + eps)", {}),  # the seed's formula without mu(x) = 0
    ("dot(a, LN(b))", "norm(a)*cos(a, c(b))", {"vectors": "a,b"}),  # the seed's ≈, off by √n
    ("LN(x)", "c(x)/sqrt(Var(x))", {}),
    ("dot(w, LN(a + b))", "dot(w, LN(a)) + dot(w, LN(b))", {"vectors": "w,a,b"}),
    ("LN(x)", "sqrt(n)*u(c(x), eps)", {"dim": 512}),
    ("LN(alpha*x)", "LN(x)", {"scalars": "alpha", "assume": ["alpha > 0"]}),
]


def _id(case: tuple[str, str, dict[str, object]]) -> str:
    lhs, rhs, options = case
    return f"{lhs} = {rhs} {options or ''}".strip()


@pytest.mark.parametrize("case", TRUE, ids=_id)
def test_true_identities_are_proved(case: tuple[str, str, dict]) -> None:
    lhs, rhs, options = case
    result = prover.prove(lhs, rhs, **options)
    assert result.status is Status.PROVED, result.report()
    assert result.witness is None


@pytest.mark.parametrize("case", FALSE, ids=_id)
def test_false_identities_are_refuted_with_a_witness(case: tuple[str, str, dict]) -> None:
    lhs, rhs, options = case
    result = prover.prove(lhs, rhs, **options)
    assert result.status is Status.REFUTED, result.report()
    assert result.witness is not None
    if "dim" in options:
        assert result.witness.n == options["dim"]
    assert separates(result.witness, result.lhs, result.rhs)


def test_tables_are_large_enough() -> None:
    assert len(TRUE) >= 20 and len(FALSE) >= 15


def test_without_witness_search_a_false_identity_is_unknown_not_refuted() -> None:
    result = prover.prove("LN(x)", "sqrt(n)*u(c(x), eps)", witness=False)
    assert result.status is Status.UNKNOWN
    assert result.residual is not None and result.residual != 0


def test_assumption_witness_satisfies_the_assumption() -> None:
    # refuted under an assumption: the witness must meet mu(x) = 0
    result = prover.prove("u(x, eps)", "x", assume=["mu(x) = 0"])
    assert result.refuted and result.witness is not None
    total = sum(float(v) for v in result.witness.values["x"])
    assert abs(total) < 1e-30


def test_main_identity_steps_and_method_are_reported() -> None:
    result = prover.prove("LN(x)", "sqrt(n)*u(c(x), n*eps)")
    assert result.method == "normal form, symbolic n"
    assert any("square roots" in step for step in result.steps)
    assert bool(result) is True
