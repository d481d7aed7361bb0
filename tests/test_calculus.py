"""Calculus: jvp, grad, diff — closed forms proved, false variants refuted, values checked
against derivatives computed independently (mpmath finite differences of a componentwise LN,
and torch autograd)."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lnsym
from lnsym.errors import LnsymError, TypeMismatchError, UnsupportedError
from lnsym.install import needs
from lnsym.lang.calculus import derivative, gradient
from lnsym.lang.definitions import Kind, VectorSymbol, kind_of
from lnsym.lang.parser import Context, parse, parse_typed
from lnsym.prover import prove
from lnsym.prover.verdict import Status
from lnsym.prover.witness import separates

V = "x,v,z,dy,g,beta,w"
S = "b,alpha"

#: the textbook backward pass of LN, and its affine form (gradients w.r.t. x, g and beta)
BACKWARD = "(c(dy) - LN(x)*dot(dy, LN(x))/n)/sqrt(Var(x) + eps)"
AFFINE_BACKWARD = "(c(hadamard(g, dy)) - LN(x)*dot(hadamard(g, dy), LN(x))/n)/sqrt(Var(x) + eps)"

# (lhs, rhs, options): every closed form of issue 11
CLOSED_FORMS = [
    (  # the Jacobian of LN, with s^2 = |c(x)|^2 + n eps
        "jvp(LN(x), x, v)",
        "sqrt(n)*(c(v) - c(x)*dot(c(x), v)/(norm(c(x))**2 + n*eps))/sqrt(norm(c(x))**2 + n*eps)",
        {},
    ),
    ("grad(dot(dy, LN(x)), x)", BACKWARD, {}),
    ("grad(dot(dy, LNA(x, g, beta)), x)", AFFINE_BACKWARD, {}),
    ("grad(dot(dy, LNA(x, g, beta)), g)", "hadamard(dy, LN(x))", {}),
    ("grad(dot(dy, LNA(x, g, beta)), beta)", "dy", {}),
    ("jvp(RMS(x), x, v)", "(v - x*dot(x, v)/(norm(x)**2 + n*eps))/sqrt(norm(x)**2/n + eps)", {}),
    ("grad(dot(dy, RMS(x)), x)", "(dy - RMS(x)*dot(dy, RMS(x))/n)/sqrt(norm(x)**2/n + eps)", {}),
    (  # the direct-logit-attribution logit
        "grad(dot(w, LN(x)) + b, x)",
        "(c(w) - LN(x)*dot(w, LN(x))/n)/sqrt(Var(x) + eps)",
        {},
    ),
    ("jvp(dot(w, LNA(x, g, beta)) + b, x, v)", "dot(hadamard(g, w), jvp(LN(x), x, v))", {}),
    ("jvp(LN(x), x, ones)", "0", {}),
    ("jvp(LN(x), x, x)", "0", {"limit": "eps=0"}),
    ("jvp(LN(x), x, x)", "n*eps*c(x)/sqrt(Var(x) + eps)**3/n", {}),
    ("diff(LN(x), eps)", "-LN(x)/(2*(Var(x) + eps))", {}),
    ("diff(LN(x, alpha*eps), alpha)", "-eps*c(x)/(2*(Var(x) + alpha*eps)**(3/2))", {}),
    # definition of the gradient, and the Hessian is symmetric
    ("dot(grad(dot(dy, LN(x)), x), v)", "jvp(dot(dy, LN(x)), x, v)", {}),
    (
        "dot(jvp(grad(dot(w, LN(x)), x), x, v), z)",
        "dot(jvp(grad(dot(w, LN(x)), x), x, z), v)",
        {},
    ),
    # explicit n, including the degenerate n = 1 (LN is 0 there) and n = 2
    ("grad(dot(dy, LNA(x, g, beta)), x)", AFFINE_BACKWARD, {"dim": 1}),
    ("grad(dot(dy, LNA(x, g, beta)), x)", AFFINE_BACKWARD, {"dim": 2}),
    ("grad(dot(dy, LNA(x, g, beta)), x)", AFFINE_BACKWARD, {"dim": 768}),
    ("jvp(LN(x), x, v)", "0", {"dim": 1}),
    # at a constant input the Jacobian is the centering scaled by 1/sqrt(eps)
    ("jvp(LN(x), x, v)", "c(v)/sqrt(eps)", {"assume": ["c(x) = 0"]}),
    # calculus rules
    ("jvp(c(x), x, v)", "c(v)", {}),
    ("jvp(Var(x), x, v)", "2*dot(c(x), v)/n", {}),
    ("jvp(alpha*dot(x, x), x, v)", "2*alpha*dot(x, v)", {}),
    ("diff(alpha**3*dot(w, x), alpha)", "3*alpha**2*dot(w, x)", {}),
    ("jvp(w, x, v)", "0", {}),
]

FALSE_VARIANTS = [
    # forgets the mean of dy
    ("grad(dot(dy, LN(x)), x)", "(dy - LN(x)*dot(dy, LN(x))/n)/sqrt(Var(x) + eps)", {}),
    # forgets eps in the scale
    ("grad(dot(dy, LN(x)), x)", "(c(dy) - LN(x)*dot(dy, LN(x))/n)/sqrt(Var(x))", {}),
    # the affine form with g outside instead of inside
    (
        "grad(dot(dy, LNA(x, g, beta)), x)",
        "hadamard(g, (c(dy) - LN(x)*dot(dy, LN(x))/n)/sqrt(Var(x) + eps))",
        {},
    ),
    # scale invariance only holds in the limit eps -> 0
    ("jvp(LN(x), x, x)", "0", {}),
    # the Jacobian without the projection term
    ("jvp(LN(x), x, v)", "c(v)/sqrt(Var(x) + eps)", {}),
    # RMSNorm's Jacobian with a centering it does not have
    ("jvp(RMS(x), x, v)", "(c(v) - x*dot(x, v)/(norm(x)**2 + n*eps))/sqrt(norm(x)**2/n + eps)", {}),
    ("grad(dot(dy, LNA(x, g, beta)), g)", "dy", {}),
    ("diff(LN(x), eps)", "LN(x)/(2*(Var(x) + eps))", {}),
]


@pytest.mark.parametrize(("lhs", "rhs", "options"), CLOSED_FORMS)
def test_closed_forms_are_proved(lhs: str, rhs: str, options: dict) -> None:
    proof = prove(lhs, rhs, vectors=V, scalars=S, **options)
    assert proof.status is Status.PROVED, (proof.method, proof.residual)


@pytest.mark.parametrize(("lhs", "rhs", "options"), FALSE_VARIANTS)
def test_false_variants_are_refuted_with_a_witness(lhs: str, rhs: str, options: dict) -> None:
    proof = prove(lhs, rhs, vectors=V, scalars=S, **options)
    assert proof.status is Status.REFUTED
    assert proof.witness is not None
    problem = lnsym.prover.setup(lhs, rhs, vectors=V, scalars=S, **options)
    assert separates(proof.witness, problem.lhs, problem.rhs)


# --------------------------------------------------------------------------------------------------
# values, against an independent ground truth
# --------------------------------------------------------------------------------------------------

mpmath.mp.dps = 40
EPS = mpmath.mpf("1e-5")


def mp_ln(x: list, eps: mpmath.mpf = EPS) -> list:
    """Layer norm of one row, componentwise in mpmath (independent of lnsym)."""
    m = mpmath.fsum(x) / len(x)
    var = mpmath.fsum((xi - m) ** 2 for xi in x) / len(x)
    return [(xi - m) / mpmath.sqrt(var + eps) for xi in x]


def mp_jvp(f, x: list, v: list) -> list:
    """d/dt f(x + t v) at t = 0, by mpmath's numerical differentiation (high precision)."""
    return [
        mpmath.diff(lambda t, i=i: f([xi + t * vi for xi, vi in zip(x, v, strict=True)])[i], 0)
        for i in range(len(x))
    ]


def as_mp(a: np.ndarray) -> list:
    return [mpmath.mpf(float(t)) for t in a]


ROWS = [
    np.array([1.0, 2.0, 3.0, 5.0]),
    np.array([3.0, 3.0, 3.0]),  # constant: c(x) = 0
    np.array([7.0]),  # n = 1
    np.array([1.0, -1.0]),  # n = 2
    np.array([1e4 + 0.5, 1e4 - 0.25, 1e4 + 0.125, 1e4]),  # huge offset
    np.array([1e-3, -2e-3, 5e-4]),  # tiny spread: eps dominates
]


@pytest.mark.parametrize("x", ROWS, ids=lambda r: f"n={len(r)}")
def test_jvp_of_layer_norm_matches_numerical_differentiation(x: np.ndarray) -> None:
    rng = np.random.default_rng(len(x))
    v = rng.standard_normal(len(x))
    got = lnsym.kernel("jvp(LN(x), x, v)", vectors="x,v")(x, v)
    expected = mp_jvp(mp_ln, as_mp(x), as_mp(v))
    np.testing.assert_allclose(got, [float(e) for e in expected], rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("x", ROWS, ids=lambda r: f"n={len(r)}")
def test_backward_matches_numerical_gradient(x: np.ndarray) -> None:
    rng = np.random.default_rng(7 + len(x))
    dy, g = rng.standard_normal(len(x)), rng.standard_normal(len(x))
    got = lnsym.kernel("grad(dot(dy, LNA(x, g, beta)), x)", vectors="x,dy,g,beta")(x, dy, g)
    n = len(x)

    def loss(z: list) -> mpmath.mpf:
        y = mp_ln(z)
        return mpmath.fsum(float(dy[i]) * float(g[i]) * y[i] for i in range(n))

    basis = [[mpmath.mpf(int(i == j)) for j in range(n)] for i in range(n)]
    expected = [
        mpmath.diff(lambda t, e=e: loss([a + t * b for a, b in zip(as_mp(x), e, strict=True)]), 0)
        for e in basis
    ]
    np.testing.assert_allclose(got, [float(e) for e in expected], rtol=1e-8, atol=1e-8)


def test_diff_in_eps_matches_numerical_differentiation() -> None:
    x = np.array([0.3, -1.2, 2.5, 0.1, 0.0])
    got = lnsym.kernel("diff(LN(x), eps)")(x, eps=1e-3)
    expected = [
        mpmath.diff(lambda e, i=i: mp_ln(as_mp(x), e)[i], mpmath.mpf("1e-3")) for i in range(5)
    ]
    np.testing.assert_allclose(got, [float(e) for e in expected], rtol=1e-10)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(1, 7).flatmap(
        lambda n: st.tuples(
            *(st.lists(st.floats(-50, 50), min_size=n, max_size=n) for _ in range(2))
        )
    )
)
def test_hessian_vector_product_matches_second_differences(rows: tuple) -> None:
    x, w = (np.array(r) for r in rows)
    v = np.linspace(-1.0, 1.0, len(x))
    got = lnsym.kernel("jvp(grad(dot(w, LN(x)), x), x, v)", vectors="x,w,v")(x, w, v)

    def grad_row(z: list) -> list:
        def f(z2: list) -> mpmath.mpf:
            return mpmath.fsum(float(wi) * yi for wi, yi in zip(w, mp_ln(z2), strict=True))

        n = len(z)
        return [
            mpmath.diff(lambda t, i=i: f([z[j] + (t if j == i else 0) for j in range(n)]), 0)
            for i in range(n)
        ]

    expected = mp_jvp(grad_row, as_mp(x), as_mp(v))
    scale = max(1.0, float(max(abs(e) for e in expected)))
    np.testing.assert_allclose(got, [float(e) for e in expected], rtol=1e-6, atol=1e-6 * scale)


def test_affine_gradients_match_torch_autograd() -> None:
    torch = pytest.importorskip("torch", reason=needs("this test", "torch"))
    rng = np.random.default_rng(3)
    x, dy = rng.standard_normal((5, 9)) * 3 + 2, rng.standard_normal((5, 9))
    g, beta = rng.standard_normal(9), rng.standard_normal(9)
    xt, gt, bt = (torch.tensor(a, requires_grad=True) for a in (x, g, beta))
    torch.nn.functional.layer_norm(xt, (9,), gt, bt, eps=1e-5).backward(torch.tensor(dy))
    dx = lnsym.kernel("grad(dot(dy, LNA(x, g, beta)), x)", vectors="x,dy,g,beta")(x, dy, g)
    dg = lnsym.kernel("grad(dot(dy, LNA(x, g, beta)), g)", vectors="x,dy,g,beta")(x, dy)
    db = lnsym.kernel("grad(dot(dy, LNA(x, g, beta)), beta)", vectors="x,dy,g,beta")(dy)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dg.sum(axis=0), gt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(db.sum(axis=0), bt.grad.numpy(), rtol=1e-12)


# --------------------------------------------------------------------------------------------------
# the language
# --------------------------------------------------------------------------------------------------


def test_kinds_follow_the_differentiated_expression() -> None:
    context = Context(("x", "v", "w"), ("alpha",))
    assert parse_typed("jvp(LN(x), x, v)", context)[1] is Kind.VECTOR
    assert parse_typed("jvp(dot(w, LN(x)), x, v)", context)[1] is Kind.SCALAR
    assert parse_typed("grad(dot(w, x), x)", context)[1] is Kind.VECTOR
    assert parse_typed("diff(alpha*x, alpha)", context)[1] is Kind.VECTOR
    assert kind_of(parse("diff(Var(x), eps)", context)) is Kind.SCALAR
    # jvp of a vector is a vector inside a sum
    assert parse_typed("jvp(LN(x), x, v) + x", context)[1] is Kind.VECTOR


@pytest.mark.parametrize(
    ("text", "error", "words"),
    [
        ("grad(LN(x), x)", TypeMismatchError, "scalar"),
        ("grad(dot(w, x), c(x))", TypeMismatchError, "declared vector"),
        ("grad(dot(w, x), ones)", TypeMismatchError, "declared vector"),
        ("jvp(LN(x), x, 1)", TypeMismatchError, "direction"),
        ("jvp(LN(x), x)", TypeMismatchError, "takes 3"),
        ("diff(LN(x), x)", TypeMismatchError, "scalar"),
        ("diff(LN(x), n)", TypeMismatchError, "scalar"),
        ("diff(LN(x), 2*alpha)", TypeMismatchError, "scalar"),
        ("jvp(LN(x), y, v)", LnsymError, "unknown name"),
    ],
)
def test_bad_calls_are_one_line_errors(text: str, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        parse(text, Context(("x", "v", "w"), ("alpha",)))


def test_variable_exponent_is_unsupported() -> None:
    expr = parse("diff(alpha**alpha, alpha)", Context(("x",), ("alpha",)))
    with pytest.raises(UnsupportedError, match="logarithm"):
        expr.definition()


def test_gradient_needs_a_scalar() -> None:
    with pytest.raises(TypeMismatchError):
        gradient(parse("LN(x)"), VectorSymbol("x"))


def test_derivative_of_constants_is_zero() -> None:
    x = VectorSymbol("x")
    assert derivative(parse("LN(w)", Context(("x", "w"))), x, VectorSymbol("v")) == 0
    assert prove("grad(dot(w, w), x)", "0", vectors="x,w").proved


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jvp(LN(x), x, v)", r"\frac{\partial \operatorname{LN}(x)}{\partial x} v"),
        ("grad(dot(w, LN(x)), x)", r"\nabla_{x} \langle w, \operatorname{LN}(x) \rangle"),
        ("diff(LN(x), eps)", r"\frac{\partial \operatorname{LN}(x)}{\partial \varepsilon}"),
        (
            "jvp(dot(w, x) + alpha, x, v + w)",
            r"\frac{\partial \left(\langle w, x \rangle + \alpha\right)}{\partial x} \left(v + w\right)",
        ),
    ],
)
def test_latex(text: str, expected: str) -> None:
    assert lnsym.latex(text, vectors="x,v,w", scalars="alpha") == expected


def test_prove_cli_with_calculus(capsys: pytest.CaptureFixture[str]) -> None:
    from lnsym.cli import main

    code = main(["prove", "grad(dot(dy, LN(x)), x)", BACKWARD, "--vectors", "x,dy"])
    assert code == 0
    assert main(["prove", "jvp(LN(x), x, x)", "0"]) == 1
    assert main(["prove", "grad(LN(x), x)", "0"]) == 2
    assert "grad needs a scalar" in capsys.readouterr().err
