"""The one statement type: rules' lemmas, interpretability identities and derivation claims.

The ground truth of every verdict here is independent of the prover: a componentwise evaluation at
explicit n with exact rationals (for the witnesses) or the definitions written out by hand.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from pathlib import Path

import pytest

from lnsym.derive.check import check_derivation
from lnsym.derive.justifications import RULES
from lnsym.derive.load import load_derivation
from lnsym.interp.identities import IDENTITIES
from lnsym.prover.statement import Statement
from lnsym.prover.verdict import Status
from lnsym.records import replace


def _ln(x: list[Fraction], eps: Fraction) -> list[float]:
    """LN(x) componentwise, squared scale kept exact until the last root."""
    n = len(x)
    mean = sum(x) / n
    centred = [v - mean for v in x]
    var = sum(c * c for c in centred) / n
    return [float(c) / float(var + eps) ** 0.5 for c in centred]


def test_text_names_the_assumptions_and_the_limit() -> None:
    statement = Statement(
        "LN(alpha*x)", "LN(x)", scalars=("alpha",), assume=("alpha > 0",), limit=("eps=0",)
    )
    assert statement.text == "LN(alpha*x) = LN(x)  (given alpha > 0)  (in the limit eps=0)"
    assert str(statement) == statement.text


def test_a_statement_is_never_expected_unknown() -> None:
    with pytest.raises(ValueError, match="proved or refuted"):
        Statement("LN(x)", "LN(x)", expect=Status.UNKNOWN)


def test_prove_uses_the_limit_and_the_assumptions() -> None:
    # LN(alpha x) = LN(x) fails for eps > 0 and holds in the limit eps -> 0 (for alpha > 0)
    at_eps = Statement(
        "LN(alpha*x)", "LN(x)", scalars=("alpha",), assume=("alpha > 0",), expect=Status.REFUTED
    )
    proof = at_eps.prove()
    assert at_eps.check(proof)
    witness = proof.witness
    assert witness is not None
    x = [Fraction(v) for v in witness.values["x"]]
    alpha = Fraction(witness.values["alpha"])
    eps = Fraction(witness.eps)
    assert alpha > 0
    gap = max(
        abs(p - q) for p, q in zip(_ln([alpha * v for v in x], eps), _ln(x, eps), strict=True)
    )
    assert gap > 1e-12
    in_limit = dataclasses.replace(at_eps, limit=("eps=0",), expect=Status.PROVED)
    limit_proof = in_limit.prove()
    assert limit_proof.proved and in_limit.check(limit_proof)
    assert not at_eps.check(limit_proof)  # the expectation is compared, not trusted


def test_check_wants_a_witness_for_a_refutation() -> None:
    statement = Statement("LN(x)", "sqrt(n)*u(c(x), eps)", expect=Status.REFUTED)
    proof = statement.prove()
    assert statement.check(proof)
    assert not statement.check(replace(proof, witness=None))
    assert not statement.check(replace(proof, status=Status.UNKNOWN, witness=None))


def test_every_place_that_keeps_equations_uses_the_one_type(tmp_path: Path) -> None:
    assert all(r.lemma is None or isinstance(r.lemma, Statement) for r in RULES.values())
    assert sum(r.lemma is not None for r in RULES.values()) >= 15
    assert all(isinstance(s, Statement) for s in IDENTITIES.values())
    path = tmp_path / "d.toml"
    path.write_text(
        'title = "t"\n[[steps]]\nexpr = "LN(x)"\n[[steps]]\nexpr = "sqrt(n)*u(c(x), n*eps)"\n'
        'by = "main identity"\n[[claims]]\nlhs = "LN(x)"\nrhs = "c(x)"\nnote = "no scale"\n',
        encoding="utf-8",
    )
    derivation = load_derivation(path)
    (claim,) = derivation.claims
    assert claim == Statement(
        "LN(x)", "c(x)", ("x",), (), (), expect=Status.REFUTED, note="no scale"
    )
    result = check_derivation(derivation)
    assert result.ok and result.claims[0].claim is claim
