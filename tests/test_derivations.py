"""Derivation files: loading, checking every step with the prover, claims and their witnesses."""

from __future__ import annotations

import re
from pathlib import Path

import mpmath
import pytest

from lnsym import derive
from lnsym.derive.check import DerivationResult, check_derivation
from lnsym.derive.justifications import RULES
from lnsym.derive.load import load_derivation, load_derivations
from lnsym.errors import DerivationError
from lnsym.lang.parser import parse
from lnsym.numeric.mpmath_eval import evaluate_mp
from lnsym.prover import prove
from lnsym.prover.verdict import Status

ROOT = Path(__file__).resolve().parents[1]
DERIVATIONS = ROOT / "derivations"


@pytest.fixture(scope="module")
def results() -> dict[str, DerivationResult]:
    return {r.derivation.name: r for r in derive(DERIVATIONS)}


def _write(tmp_path: Path, text: str, name: str = "d.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- the shipped derivations -----------------------------------------------------------------------


def test_every_shipped_derivation_checks(results: dict[str, DerivationResult]) -> None:
    assert len(results) >= 8
    for name, result in results.items():
        assert result.ok, f"{name}:\n" + "\n".join(result.failures())
        assert result.failures() == []
        for chain in result.chains:
            assert all(s.proof.status is Status.PROVED for s in chain.steps[1:] if s.proof)


# (file, chain index, first step, last step, assumptions): the statements issue 3 asks for
STATEMENTS = [
    ("01-main-identity", 0, "LN(x)", "sqrt(n)*u(c(x), n*eps)", ()),
    ("02-variance", 0, "Var(x)", "E(hadamard(x, x)) - E(x)**2", ()),
    ("03-mean-and-cosine", 0, "mu(v)", "norm(v)*cos(v, ones)/sqrt(n)", ()),
    ("04-centering-projection", 1, "dot(c(v), ones)", "0", ()),
    ("04-centering-projection", 2, "c(c(v))", "c(v)", ()),
    ("04-centering-projection", 3, "dot(c(a), b)", "dot(a, c(b))", ()),
    ("04-centering-projection", 4, "c(s*a + b)", "s*c(a) + c(b)", ()),
    (
        "05-attribution",
        0,
        "dot(w, LN(a + b))",
        "sqrt(n)*(dot(w, c(a)) + dot(w, c(b)))/sqrt(norm(c(a + b))**2 + n*eps)",
        (),
    ),
    ("06-length", 0, "norm(LN(x))**2", "n*Var(x)/(Var(x) + eps)", ()),
    ("06-length", 1, "n - norm(LN(x))**2", "n*eps/(Var(x) + eps)", ()),
    ("07-seed-formula", 1, "sqrt(n)*u(x, n*eps)", "x/sqrt(Var(x) + eps)", ("mu(x) = 0",)),
    (
        "08-inner-product",
        0,
        "dot(a, LN(b))",
        "sqrt(n)*norm(a)*cos(a, c(b))/sqrt(1 + n*eps/norm(c(b))**2)",
        (),
    ),
    ("08-inner-product", 1, "dot(a, LN(b, 0))", "sqrt(n)*norm(a)*cos(a, c(b))", ()),
    ("09-rms-shift-scale", 0, "LN(x)", "RMS(c(x))", ()),
    ("09-rms-shift-scale", 1, "LN(x + s*ones)", "LN(x)", ()),
    ("09-rms-shift-scale", 2, "LN(s*x, s**2*eps)", "LN(x)", ("s > 0",)),
]


@pytest.mark.parametrize(("name", "chain", "first", "last", "assumptions"), STATEMENTS)
def test_shipped_chains_prove_the_stated_identities(
    results: dict[str, DerivationResult],
    name: str,
    chain: int,
    first: str,
    last: str,
    assumptions: tuple[str, ...],
) -> None:
    result = results[name].chains[chain]
    assert result.chain.steps[0].text == first
    assert result.chain.steps[-1].text == last
    assert result.chain.assumptions == assumptions
    d = results[name].derivation
    # the end-to-end statement holds too, not only each step (transitivity, checked directly)
    assert prove(first, last, vectors=d.vectors, scalars=d.scalars, assume=assumptions).proved


# (file, lhs, rhs): the seed's mistakes, each recorded with a witness
EXPECTED_CLAIMS = [
    ("06-length", "norm(LN(x))", "1"),
    ("07-seed-formula", "sqrt(n)*u(x, n*eps)", "x/sqrt(Var(x) + eps)"),
    ("08-inner-product", "dot(a, LN(b, 0))", "norm(a)*cos(a, c(b))"),
]


@pytest.mark.parametrize(("name", "lhs", "rhs"), EXPECTED_CLAIMS)
def test_seed_mistakes_are_refuted(
    results: dict[str, DerivationResult], name: str, lhs: str, rhs: str
) -> None:
    claims = {(c.claim.lhs, c.claim.rhs): c for c in results[name].claims}
    assert claims[(lhs, rhs)].proof.status is Status.REFUTED


def test_every_recorded_witness_separates_the_sides(results: dict[str, DerivationResult]) -> None:
    checked = 0
    for result in results.values():
        for claim in result.claims:
            w = claim.proof.witness
            assert w is not None
            values = {k: v for k, v in w.values.items()}
            context = result.derivation.context
            left, right = (
                evaluate_mp(parse(side, context), values, n=w.n, eps=w.eps, digits=40)
                for side in (claim.claim.lhs, claim.claim.rhs)
            )
            left, right = (v if isinstance(v, list) else [v] for v in (left, right))
            if len(left) != len(right):  # a vector compared with the literal 0
                left, right = (v * w.n if len(v) == 1 else v for v in (left, right))
            gap = max(abs(p - q) for p, q in zip(left, right, strict=True))
            assert gap > mpmath.mpf("1e-10"), claim.claim
            checked += 1
    assert checked >= 7


def test_seed_formula_holds_only_for_centred_inputs() -> None:
    lhs, rhs = "sqrt(n)*u(x, n*eps)", "x/sqrt(Var(x) + eps)"
    assert prove(lhs, rhs, assume=["mu(x) = 0"]).proved
    assert prove(lhs, rhs).refuted


@pytest.mark.parametrize("name", [k for k, r in RULES.items() if r.lemma])
def test_every_named_lemma_is_proved(name: str) -> None:
    lemma = RULES[name].lemma
    assert lemma is not None
    proof = prove(
        lemma.lhs,
        lemma.rhs,
        vectors=lemma.vectors,
        scalars=lemma.scalars,
        assume=lemma.assume,
        relation=lemma.relation,
    )
    assert proof.proved, proof.report()
    assert proof.checked, proof.check_note
    assert lemma.check(proof)


# -- failures are reported precisely ---------------------------------------------------------------

BROKEN = """title = "A broken derivation"

[[steps]]
expr = "LN(x)"

[[steps]]
expr = "c(x)/sqrt(Var(x) + eps)"
by = "definition of LN"

[[steps]]
expr = "sqrt(n)*u(c(x), eps)"
by = "algebra"
"""


def test_a_broken_step_fails_with_a_precise_message(tmp_path: Path) -> None:
    path = _write(tmp_path, BROKEN, "broken.toml")
    (result,) = derive(path)
    assert not result.ok
    (message,) = result.failures()
    lines = message.splitlines()
    assert lines[0] == f"{path}:11: step 3 does not follow from step 2 (algebra): refuted"
    assert lines[1] == "  step 2: c(x)/sqrt(Var(x) + eps)"
    assert lines[2] == "  step 3: sqrt(n)*u(c(x), eps)"
    assert lines[3].startswith("  difference (step 2 - step 3): ")
    assert "sqrt(n)" in lines[3] and "norm(c(x))" in lines[3]
    assert "witness:" in message and "n = " in message
    assert result.chains[0].steps[1].ok and not result.chains[0].steps[2].ok


def test_failures_in_later_chains_name_the_chain(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """title = "t"
[[chains]]
name = "good"
[[chains.steps]]
expr = "c(c(x))"
[[chains.steps]]
expr = "c(x)"
by = "algebra"
[[chains]]
name = "bad"
[[chains.steps]]
expr = "Var(x)"
[[chains.steps]]
expr = "norm(x)**2/n"
by = "variance as length"
""",
    )
    (result,) = derive(path)
    (message,) = result.failures()
    assert message.startswith(f"{path}:14: chain 2, step 2 does not follow from step 1")
    assert "difference (step 1 - step 2): " in message


def test_a_true_claim_is_a_failure(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        'title = "t"\n[[steps]]\nexpr = "c(c(x))"\n[[steps]]\nexpr = "c(x)"\nby = "algebra"\n'
        '[[claims]]\nlhs = "LN(x)"\nrhs = "sqrt(n)*u(c(x), n*eps)"\n',
    )
    (result,) = derive(path)
    assert result.failures() == [
        f"{path}: claim 1 (LN(x) = sqrt(n)*u(c(x), n*eps)) was expected to be refuted with a "
        "witness, but it is proved"
    ]


def test_assumptions_apply_to_their_chain_only(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """title = "t"
[[chains]]
name = "centred"
assumptions = ["mu(x) = 0"]
[[chains.steps]]
expr = "c(x)"
[[chains.steps]]
expr = "x"
by = "assumption"
[[chains]]
name = "general"
[[chains.steps]]
expr = "c(x)"
[[chains.steps]]
expr = "x"
by = "assumption"
""",
    )
    (result,) = derive(path)
    assert result.chains[0].ok
    assert not result.chains[1].ok
    assert result.chains[1].steps[1].proof is not None
    assert result.chains[1].steps[1].proof.status is Status.REFUTED


def test_check_derivation_and_report(tmp_path: Path) -> None:
    result = check_derivation(load_derivation(_write(tmp_path, BROKEN)))
    report = result.report()
    assert "[FAILED" in report and "step 2 proved " in report and "step 3 refuted" in report
    assert result.report(verbose=False).count("\n") < report.count("\n")


# -- malformed files -------------------------------------------------------------------------------

STEPS = '[[steps]]\nexpr = "LN(x)"\n[[steps]]\nexpr = "LN(x)"\nby = "algebra"\n'

MALFORMED = [
    ("title = ", "invalid TOML"),
    (STEPS, "the file needs title"),
    ('title = "t"\nsetps = 1\n' + STEPS, "unknown key 'setps' in the file"),
    ('title = "t"\n', "write either [[steps]] (one chain) or [[chains]]"),
    ('title = "t"\n[[steps]]\nexpr = "LN(x)"\n', "needs at least two steps; it has 1"),
    (
        'title = "t"\n[[steps]]\nexpr = "LN(x)"\n[[steps]]\nexpr = "LN(x)"\n',
        "step 2 needs a justification",
    ),
    (
        'title = "t"\n[[steps]]\nexpr = "LN(x)"\n[[steps]]\nexpr = "LN(x)"\nby = "magic"\n',
        "step 2: unknown justification 'magic'",
    ),
    (
        'title = "t"\n[[steps]]\nexpr = "LN(x)"\n[[steps]]\nexpr = "LN(x)"\nby = "definition of f"\n',
        "step 2: unknown definition 'f'",
    ),
    (
        'title = "t"\n[[steps]]\nexpr = "a*b"\n[[steps]]\nexpr = "b*a"\nby = "algebra"\n',
        "cannot tell whether 'a' is a vector or a scalar in 'a*b'; declare it with "
        'vectors = ["a"] or scalars = ["a"]',
    ),
    (
        'title = "t"\n[[steps]]\nexpr = "norm(x)"\n[[steps]]\nexpr = "x"\nby = "algebra"\n',
        "step 2 is a vector but step 1 is a scalar",
    ),
    ('title = "t"\nvectors = ["n"]\n' + STEPS, "'n' is a built-in name"),
    ('title = "t"\nassumptions = ["mu(x) ~ 0"]\n' + STEPS, "assumption 'mu(x) ~ 0'"),
    ('title = "t"\n' + STEPS + '[[claims]]\nlhs = "x"\nrhs = "1"\n', "claim 1 equates a vector"),
    (
        'title = "t"\n' + STEPS + '[[claims]]\nlhs = "x"\nrhs = "x"\nexpect = "proved"\n',
        "claims are statements expected to be refuted",
    ),
    ('title = "t"\nsteps = [1, 2]\n', "step 1 must be a table"),
]


@pytest.mark.parametrize(("text", "fragment"), MALFORMED)
def test_malformed_files_raise_one_line_errors(tmp_path: Path, text: str, fragment: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(DerivationError) as info:
        load_derivation(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert fragment in message
    assert "\n" not in message


def test_missing_and_empty_paths(tmp_path: Path) -> None:
    with pytest.raises(DerivationError, match="no such file"):
        load_derivation(tmp_path / "absent.toml")
    with pytest.raises(DerivationError, match=r"no \*\.toml derivation files"):
        load_derivations(tmp_path)


def test_inline_tables_are_accepted(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        'title = "t"\n[[chains]]\nname = "inline"\nsteps = [\n'
        '  { expr = "c(c(x))" },\n  { expr = "c(x)", by = ["definition of c", "algebra"] },\n]\n',
    )
    derivation = load_derivation(path)
    assert [s.line for s in derivation.chains[0].steps] == [5, 6]
    assert derivation.chains[0].steps[1].by == ("definition of c", "algebra")
    assert check_derivation(derivation).ok


def test_a_step_the_language_or_prover_rejects_names_the_step(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        'title = "t"\n[[steps]]\nexpr = "x"\n[[steps]]\nexpr = "sqrt(-1)*x"\nby = "algebra"\n',
    )
    with pytest.raises(DerivationError, match=rf"^{re.escape(str(path))}: step 2: "):
        check_derivation(load_derivation(path))


LIMIT_CHAIN = """
title = "limits"
vectors = ["x"]

[[chains]]
name = "length"
{limit}

[[chains.steps]]
expr = "norm(LN(x))"

[[chains.steps]]
expr = "sqrt(n)"
by = "algebra"
"""


def test_a_limit_chain_checks_in_the_limit_only(tmp_path: Path) -> None:
    with_limit = check_derivation(
        load_derivation(_write(tmp_path, LIMIT_CHAIN.format(limit='limit = "eps=0"')))
    )
    assert with_limit.ok and with_limit.failures() == []
    without = check_derivation(
        load_derivation(_write(tmp_path, LIMIT_CHAIN.format(limit=""), "e.toml"))
    )
    assert not without.ok and without.chains[0].steps[1].proof.status is Status.REFUTED


def test_a_malformed_limit_is_a_derivation_error(tmp_path: Path) -> None:
    with pytest.raises(DerivationError, match="eps=0"):
        load_derivation(_write(tmp_path, LIMIT_CHAIN.format(limit="limit = 0")))
