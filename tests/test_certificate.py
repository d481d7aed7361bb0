"""Certificates of proofs under assumptions, re-verified by polynomial expansion alone.

The checker here does not call the prover's own :meth:`Step.check`: for every step it expands
``equation - factor * (atom - value)`` itself and checks that each factor it divided away is a
non-zero number or a symbol SymPy knows to be positive (n, ε, a scalar assumed > 0).
"""

from __future__ import annotations

import json

import pytest
import sympy

from lnsym.cli import main
from lnsym.prover import prove

CASES = [
    ("LN(x)", "0*x", {"assume": ["Var(x) = 0"]}),
    ("c(x)", "0*x", {"scalars": "alpha", "assume": ["alpha > 0", "alpha*c(x) = 0"]}),
    ("LN(x)", "LN(y)", {"vectors": "x, y", "assume": ["x = y"]}),
    ("LN(x)", "LN(y)", {"vectors": "x, y", "scalars": "alpha", "assume": ["x = y + alpha*ones"]}),
    ("alpha", "0", {"scalars": "alpha", "assume": ["alpha*mu(x) = 0", "mu(x) = 1"]}),
    ("sqrt(n)*u(x, n*eps)", "x/sqrt(Var(x) + eps)", {"assume": ["mu(x) = 0"]}),
    ("eps", "1/2", {"scalars": "alpha", "assume": ["2*alpha = 1", "eps = alpha"]}),
    ("Var(x)", "4", {"assume": ["norm(c(x))**2 = 4*n"]}),
    ("mu(x)**2*mu(y)", "0", {"vectors": "x, y", "assume": ["mu(x)*mu(y) = 0"]}),
    ("alpha*LN(x)", "0*x", {"scalars": "alpha", "assume": ["alpha*c(x) = 0"]}),
]


def _nonzero_factor(expr: sympy.Expr) -> bool:
    for factor in sympy.Mul.make_args(sympy.factor(expr)):
        base, _ = factor.as_base_exp()
        if not (factor.is_number and factor != 0) and not base.is_positive:
            return False
    return True


def _verify(step: object) -> None:
    kind = step.kind  # type: ignore[attr-defined]
    if kind == "split":  # a sum of nonnegative terms: each recorded term is a nonnegative term
        equation, term = step.equation, step.atom  # type: ignore[attr-defined]
        terms = sympy.Add.make_args(sympy.expand(equation))
        assert term in terms
        assert all(t.is_nonnegative for t in terms) or all(t.is_nonpositive for t in terms)
        return
    if kind == "ideal":  # membership in the ideal of the unused equations, by a fresh Gröbner basis
        generators = list(step.generators)  # type: ignore[attr-defined]
        symbols = sorted(
            set(step.equation.free_symbols).union(*(g.free_symbols for g in generators)),
            key=str,  # type: ignore[attr-defined]
        )
        _, remainder = sympy.groebner(generators, *symbols, order="lex").reduce(step.equation)  # type: ignore[attr-defined]
        assert remainder == 0
        return
    factor = step.nonzero * step.slope  # type: ignore[attr-defined]
    difference = step.equation - factor * (step.atom - step.value)  # type: ignore[attr-defined]
    numerator, _ = sympy.fraction(sympy.together(difference))
    assert sympy.expand(numerator) == 0, (kind, step.equation, step.atom, step.value)  # type: ignore[attr-defined]
    assert _nonzero_factor(factor), f"divided by {factor}, not known to be non-zero"


@pytest.mark.parametrize(("lhs", "rhs", "options"), CASES, ids=[f"{c[0]}={c[1]}" for c in CASES])
def test_every_proof_under_assumptions_carries_a_verifiable_certificate(
    lhs: str, rhs: str, options: dict
) -> None:
    result = prove(lhs, rhs, **options)
    assert result.proved, result.report()
    assert result.certificate, "a proof that uses assumptions must say how"
    for step in result.certificate:
        _verify(step)


def test_a_forged_step_fails_the_checker() -> None:
    result = prove("LN(x)", "0*x", assume=["Var(x) = 0"])
    step = result.certificate[0]
    forged = type(step)(step.kind, step.source, step.equation, step.atom, step.value + 1)
    with pytest.raises(AssertionError):
        _verify(forged)
    assert not forged.check()


def test_a_zero_divisor_is_never_a_certificate_step() -> None:
    # alpha*mu(x) = 0 alone: dividing by alpha would be unsound, so it stays unused
    result = prove("mu(x)", "0", scalars="alpha", assume=["alpha*mu(x) = 0"])
    assert not result.proved
    assert not any(str(step.atom).startswith("mu") for step in result.certificate)


def test_certificate_and_conditions_are_in_the_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prove", "LN(x)", "0*x", "--assume", "Var(x) = 0", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["kind"] for s in data["certificate"]] == ["solve", "zero-vector"]
    assert data["conditions"] == []
    assert main(["prove", "norm(LN(x))", "sqrt(n)", "--limit", "eps=0", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["conditions"] == ["c(x) != 0"]


def test_certificate_latex_lists_each_step() -> None:
    result = prove("LN(x)", "LN(y)", vectors="x, y", assume=["x = y"])
    text = result.certificate_latex()
    assert text.count(r"\text{(") == len(result.certificate)


COMPONENTWISE = [
    # true only at n = 2 (normal form cannot see it): x = (a, -a) when mu(x) = 0
    ("hadamard(x, x)", "Var(x)*ones", {"dim": 2, "assume": ["mu(x) = 0"]}),
    (
        "hadamard(x, y)",
        "-Var(x)*ones",
        {"dim": 2, "vectors": "x, y", "assume": ["x + y = 0*x", "mu(x) = 0"]},
    ),
]


@pytest.mark.parametrize(
    ("lhs", "rhs", "options"), COMPONENTWISE, ids=[c[0] for c in COMPONENTWISE]
)
def test_componentwise_proofs_under_assumptions_carry_a_certificate(
    lhs: str, rhs: str, options: dict
) -> None:
    result = prove(lhs, rhs, **options)
    assert result.proved and result.method.startswith("componentwise"), result.report()
    assert result.certificate, "a componentwise proof that uses assumptions must say how"
    for step in result.certificate:
        _verify(step)
    # independently: the recorded solution, applied to symbolic entries of x (and y), satisfies
    # every assumption and makes the two sides agree — written out by hand at n = 2
    x0, x1, y0, y1 = sympy.symbols("x0 x1 y0 y1", real=True)
    entries = {"x[0]": x0, "x[1]": x1, "y[0]": y0, "y[1]": y1}
    values: dict[sympy.Expr, sympy.Expr] = {}
    for step in result.certificate:
        atom = entries[str(step.atom)]
        value = step.value.xreplace({s: entries[str(s)] for s in step.value.free_symbols})
        values = {k: v.xreplace({atom: value}) for k, v in values.items()}
        values[atom] = value
    x = [x0.xreplace(values), x1.xreplace(values)]
    y = [y0.xreplace(values), y1.xreplace(values)]
    mean = (x[0] + x[1]) / 2
    variance = ((x[0] - mean) ** 2 + (x[1] - mean) ** 2) / 2
    assert sympy.expand(mean) == 0
    if lhs == "hadamard(x, x)":
        assert all(sympy.expand(v * v - variance) == 0 for v in x)
    else:
        assert all(sympy.expand(a + b) == 0 for a, b in zip(x, y, strict=True))
        assert all(sympy.expand(a * b + variance) == 0 for a, b in zip(x, y, strict=True))


def test_componentwise_proof_without_assumptions_needs_no_certificate() -> None:
    result = prove("hadamard(c(x), c(x))", "Var(x)*ones", dim=2)
    assert result.proved and result.method.startswith("componentwise")
    assert result.certificate == ()


def test_componentwise_certificate_prints_entries_from_one() -> None:
    result = prove("hadamard(x, x)", "Var(x)*ones", dim=2, assume=["mu(x) = 0"])
    assert result.certificate_latex() == r"&x_{1} = - x_{2} && \text{(solve: mu(x) = 0)}"
    assert "certificate: x[0] = -x[1]" in result.report()
