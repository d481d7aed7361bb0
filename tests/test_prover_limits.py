"""Limits (``--limit eps=0``) and inequality assumptions."""

from __future__ import annotations

import pytest

from lnsym.cli import main
from lnsym.errors import LnsymError
from lnsym.prover import prove
from lnsym.prover.verdict import Status


@pytest.mark.parametrize(
    ("lhs", "rhs", "options"),
    [
        ("norm(LN(x))", "sqrt(n)", {"limit": {"eps": 0}}),
        ("LN(alpha*x)", "LN(x)", {"scalars": "alpha", "assume": ["alpha > 0"], "limit": "eps=0"}),
        ("LN(alpha*x)", "-LN(x)", {"scalars": "alpha", "assume": ["alpha < 0"], "limit": "eps=0"}),
        ("LN(x)", "c(x)/sqrt(Var(x))", {"limit": ["eps=0"]}),
        ("u(x, eps)", "x/norm(x)", {"limit": ["eps=0"]}),
        (
            "alpha*LN(x/alpha)",
            "c(x)/sqrt(eps)",
            {"scalars": "alpha", "assume": ["alpha > 0"], "limit": "alpha=oo"},
        ),
        ("sqrt(mu(x)**2)", "mu(x)", {"assume": ["mu(x) > 0"]}),
        ("sqrt(mu(x)**2)", "-mu(x)", {"assume": ["mu(x) < 0"]}),
    ],
)
def test_limits_and_inequalities_prove(lhs: str, rhs: str, options: dict) -> None:
    result = prove(lhs, rhs, **options)
    assert result.status is Status.PROVED, result.report()


def test_a_false_limit_is_refuted_at_the_limit_point() -> None:
    result = prove("norm(LN(x))", "1", limit={"eps": 0})
    assert result.refuted and result.witness is not None
    assert result.witness.eps == "0"
    result = prove("LN(alpha*x)", "LN(x)", scalars="alpha", limit="eps=0")  # alpha < 0 flips
    assert result.refuted and result.witness is not None
    assert float(result.witness.values["alpha"]) < 0


def test_an_infinite_limit_is_never_refuted_by_a_finite_witness() -> None:
    result = prove(
        "alpha*LN(x/alpha)",
        "alpha*c(x)/sqrt(Var(x))",
        scalars="alpha",
        assume=["alpha > 0"],
        limit="alpha=oo",
    )
    assert result.status is Status.UNKNOWN and result.witness is None


def test_without_the_sign_the_absolute_value_stays() -> None:
    assert prove("sqrt(mu(x)**2)", "mu(x)").refuted


def test_limit_latex_uses_varepsilon() -> None:
    text = prove("norm(LN(x))", "sqrt(n)", limit={"eps": 0}).latex()
    assert text.startswith(r"\lim_{\varepsilon \to 0}")
    assert text.endswith(r"= 0 \quad \text{for } c(x) \neq 0")


@pytest.mark.parametrize(
    ("limit", "fragment"),
    [("n=0", "cannot take a limit in 'n'"), ("eps", "NAME=VALUE"), ("eps=x", "must be a number")],
)
def test_bad_limits(limit: str, fragment: str) -> None:
    with pytest.raises(LnsymError, match=fragment):
        prove("LN(x)", "x", limit=limit)


def test_cli_limit_and_leading_minus(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prove", "norm(LN(x))", "sqrt(n)", "--limit", "eps=0"]) == 0
    assert "as eps -> 0" in capsys.readouterr().out
    assert main(["prove", "-x", "-1*x"]) == 0
    assert main(["prove", "sqrt(mu(x)**2)", "-mu(x)", "--assume", "mu(x) < 0"]) == 0


def test_positivity_reaches_already_parsed_sides_and_assumptions() -> None:
    from lnsym.lang.parser import Context, parse

    context = Context(vectors=("x",), scalars=("s",))
    lhs = parse("s*c(x)/sqrt(s**2*norm(c(x))**2/n + s**2*eps)", context)
    rhs = parse("c(x)/sqrt(norm(c(x))**2/n + eps)", context)
    result = prove(lhs, rhs, scalars=["s"], assume=["s > 0"])
    assert result.status is Status.PROVED, result.report()
    assert result.assumptions[0].lhs.is_positive  # the assumption's own symbol is the positive one


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [
        ("LN(x)", "0*x"),
        ("Var(x)", "0"),
        ("RMS(x)", "x/sqrt(mu(x)**2 + eps)"),
        ("dot(w, LN(x + w))", "dot(w, LN(w))"),
    ],
)
def test_a_constant_vector_assumption_c_of_x_zero(lhs: str, rhs: str) -> None:
    result = prove(lhs, rhs, vectors="x,w", assume=["c(x) = 0"])
    assert result.status is Status.PROVED, result.report()


def test_a_vector_assumption_is_met_by_the_witness() -> None:
    result = prove("LN(x)", "x", assume=["c(x) = 0"])
    assert result.refuted and result.witness is not None
    entries = [float(v) for v in result.witness.values["x"]]
    assert max(entries) - min(entries) < 1e-30  # the witness really is a constant vector
