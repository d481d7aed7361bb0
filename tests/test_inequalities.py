"""Inequalities: the bounds interpretability uses, proved for symbolic n with checked certificates;
their false variants refuted with witnesses that are re-checked here with mpmath; the language
(relations, abs), the CLI and derivation chains that mix = and <=."""

from __future__ import annotations

import json
import random
from pathlib import Path

import mpmath
import pytest

import lnsym
from lnsym.check.positivity import check_positivity
from lnsym.cli import main
from lnsym.derive.check import check_derivation
from lnsym.derive.load import load_derivation
from lnsym.errors import DerivationError, LnsymError
from lnsym.lang.parser import Context, parse, split_relation
from lnsym.numeric.mpmath_eval import evaluate_mp
from lnsym.prover import Status, prove

ROOT = Path(__file__).resolve().parents[1]
VECTORS = "x,w,v,a,r,g,h,beta"
SIGMA = "sqrt(Var(x) + eps)"
SIGMA_AR = "sqrt(Var(a + r) + eps)"
FROZEN = f"abs(dot(w, c(x))/{SIGMA} - dot(w, c(x))/s)"
PART = f"norm(LN(a + r) - LN(r) - c(a)/{SIGMA_AR})"
ELLIPSE = "norm(hadamard(h, LNA(x, g, beta) - beta))**2"

#: (lhs, relation, rhs, assumptions): the bounds of issue 22, each true for every n
BOUNDS = [
    ("norm(LN(x))", "<", "sqrt(n)", ()),
    ("norm(LN(x))**2", "<", "n", ()),
    ("abs(dot(w, LN(x)))", "<=", "sqrt(n)*norm(c(w))", ()),
    ("abs(dot(w, LN(x)))", "<", "sqrt(n)*norm(c(w))", ("norm(c(w)) > 0",)),
    (FROZEN, "<=", f"sqrt(n)*norm(c(w))*abs({SIGMA} - s)/s", ("s > 0",)),
    (PART, "<=", f"norm(c(a))/{SIGMA_AR}", ()),
    (ELLIPSE, "<", "n", ("hadamard(h, g) = ones",)),
    ("norm(jvp(LN(x), x, v))", "<=", f"norm(c(v))/{SIGMA}", ()),
    (f"norm(c(v))/{SIGMA}", "<=", "norm(v)/sqrt(eps)", ()),
    ("norm(jvp(LN(x), x, v))", "<=", "norm(v)/sqrt(eps)", ()),
]

#: the false variants: each must be refuted with a witness
FALSE = [
    ("norm(LN(x))", "<=", "sqrt(n - 1)", ()),
    ("norm(LN(x))", "<=", "1", ()),
    (ELLIPSE, "<", "n - 1", ("hadamard(h, g) = ones",)),
    (FROZEN, "<=", f"norm(c(w))*abs({SIGMA} - s)/s", ("s > 0",)),
    ("norm(jvp(LN(x), x, v))", "<=", "norm(v)/eps", ()),
    ("abs(dot(w, LN(x)))", "<=", "norm(c(w))", ()),
    (PART, "<=", f"norm(c(a))/(2*{SIGMA_AR})", ()),
]


def _prove(lhs: str, relation: str, rhs: str, assume: tuple[str, ...]) -> lnsym.Proof:
    return prove(lhs, rhs, relation=relation, vectors=VECTORS, scalars="s", assume=assume)


@pytest.mark.parametrize(("lhs", "relation", "rhs", "assume"), BOUNDS)
def test_each_bound_is_proved_with_a_checked_certificate(
    lhs: str, relation: str, rhs: str, assume: tuple[str, ...]
) -> None:
    proof = _prove(lhs, relation, rhs, assume)
    assert proof.status is Status.PROVED, proof.report()
    data = proof.to_json()
    # the positivity certificate is always checked; its link to the statement (big - small = num/den,
    # re-derived by lnsym.check's own table) is checked where the checker can make it, and the
    # report says so where it cannot yet (issue 22, open)
    linked = data["checked"] is True
    assert data["relation"] == relation
    assert linked or "its link to the statement not checked" in proof.check_note
    certificate = json.loads(json.dumps(data["positivity_certificate"]))
    num, den, strict = check_positivity(certificate)
    assert strict is (relation in ("<", ">"))
    assert "checked exactly" in proof.report()
    # the certificate is about this statement: num/den is big - small, at points checked by mpmath
    rng = random.Random(7)
    for n in (3, 6):
        values = _point(rng, n)
        atoms = _atoms(certificate, values, n, "0.3")
        quotient = _value(num, atoms) / _value(den, atoms)
        context = Context(vectors=tuple(VECTORS.split(",")), scalars=("s",))
        sides = [
            evaluate_mp(parse(t, context), values, n=n, eps="0.3", digits=40) for t in (lhs, rhs)
        ]
        difference = sides[1] - sides[0] if relation in ("<", "<=") else sides[0] - sides[1]
        assert abs(quotient - difference) < mpmath.mpf("1e-20") * (1 + abs(difference))


def _value(p: object, atoms: dict[str, object]) -> object:
    total = mpmath.mpf(0)
    for monomial, coeff in p.terms.items():  # type: ignore[attr-defined]
        term = mpmath.mpf(coeff.numerator) / coeff.denominator
        for name, exponent in monomial:
            term *= atoms[name] ** exponent
        total += term
    return total


def _atoms(certificate: dict, values: dict[str, object], n: int, e: object) -> dict[str, object]:
    """The atoms at a point, computed from the vectors (means, centred inner products, radicals)."""
    from lnsym.check.positivity import poly_from_json

    mpmath.mp.dps = 40
    atoms: dict[str, object] = {
        "n": mpmath.mpf(n),
        "eps": mpmath.mpf(e),
        "s": mpmath.mpf(values["s"]),
    }
    centred = {}
    for name in VECTORS.split(","):
        entries = [mpmath.mpf(v) for v in values[name]]  # type: ignore[union-attr]
        mean = sum(entries) / n
        atoms[f"mu[{name}]"] = mean
        centred[name] = [v - mean for v in entries]
    for a in centred:
        for b in centred:
            atoms[f"P[{','.join(sorted((a, b)))}]"] = mpmath.fsum(
                p * q for p, q in zip(centred[a], centred[b], strict=True)
            )
    for name, radicand in certificate["radicals"]:
        atoms[name] = mpmath.sqrt(_value(poly_from_json(radicand), atoms))
    return atoms


def _point(rng: random.Random, n: int) -> dict[str, object]:
    values: dict[str, object] = {}
    for name in VECTORS.split(","):
        values[name] = [str(rng.uniform(-3, 3)) for _ in range(n)]
    with mpmath.workdps(60):  # h ⊙ g = 1 to 60 digits
        values["h"] = [mpmath.nstr(1 / mpmath.mpf(g), 60) for g in values["g"]]  # type: ignore[union-attr]
    values["s"] = str(rng.uniform(0.1, 3))
    return values


def _holds(lhs: str, relation: str, rhs: str, values: dict[str, object], n: int, e: str) -> bool:
    context = Context(vectors=tuple(VECTORS.split(",")), scalars=("s",))
    left = evaluate_mp(parse(lhs, context), values, n=n, eps=e, digits=40)
    right = evaluate_mp(parse(rhs, context), values, n=n, eps=e, digits=40)
    slack = mpmath.mpf("1e-25") * (1 + abs(left) + abs(right))
    return {
        "<": left < right + slack,
        "<=": left <= right + slack,
        ">": left + slack > right,
        ">=": left + slack >= right,
    }[relation]


@pytest.mark.parametrize(("lhs", "relation", "rhs", "assume"), BOUNDS)
def test_each_proved_bound_holds_at_random_points_evaluated_by_mpmath(
    lhs: str, relation: str, rhs: str, assume: tuple[str, ...]
) -> None:
    rng = random.Random(22)
    for trial in range(12):
        n = (2, 3, 5, 17)[trial % 4]
        values = _point(rng, n)
        if trial % 3 == 0:  # nearly parallel readers and inputs: near the bounds
            values["w"] = list(values["x"])  # type: ignore[arg-type]
            values["v"] = list(values["x"])  # type: ignore[arg-type]
        e = ("1e-6", "0.1", "7")[trial % 3]
        assert _holds(lhs, relation, rhs, values, n, e), (lhs, relation, rhs, n, e)


@pytest.mark.parametrize(("lhs", "relation", "rhs", "assume"), FALSE)
def test_each_false_variant_is_refuted_and_the_witness_rechecked(
    lhs: str, relation: str, rhs: str, assume: tuple[str, ...]
) -> None:
    proof = _prove(lhs, relation, rhs, assume)
    assert proof.status is Status.REFUTED, proof.report()
    witness = proof.witness
    assert witness is not None
    values = dict(witness.values)
    assert not _holds(lhs, relation, rhs, values, witness.n, witness.eps)


def test_the_strict_bound_fails_where_the_reader_is_constant() -> None:
    # c(w) = 0: both sides are 0, so < is false and <= true
    proof = prove("abs(dot(w, LN(x))) < sqrt(n)*norm(c(w))", vectors="x,w")
    assert proof.status is not Status.PROVED


# -- degenerate inputs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "kwargs", "status"),
    [
        ("norm(LN(x)) < sqrt(n)", {"dim": 1}, Status.PROVED),
        ("norm(LN(x)) <= 0", {"dim": 1}, Status.PROVED),
        ("norm(LN(x)) <= 0", {}, Status.REFUTED),
        ("norm(LN(x)) <= 0", {"assume": "norm(c(x)) = 0"}, Status.PROVED),
        ("norm(LN(x)) < sqrt(n)", {"dim": 768}, Status.PROVED),
        ("norm(LN(x)) < sqrt(3)", {"dim": 4}, Status.REFUTED),
        ("n >= 2", {}, Status.REFUTED),
        ("n >= 1", {}, Status.PROVED),
        ("Var(x) > 0", {}, Status.REFUTED),
        ("Var(x) >= 0", {}, Status.PROVED),
        ("alpha**2 > 0", {"scalars": "alpha"}, Status.REFUTED),
        ("alpha + 1/alpha >= 2", {"assume": "alpha > 0"}, Status.PROVED),
        ("alpha*beta <= (alpha**2 + beta**2)/2", {"scalars": "alpha,beta"}, Status.PROVED),
        ("1/mu(x) >= 0", {}, Status.REFUTED),
        ("norm(c(x)) <= norm(x)", {}, Status.PROVED),
        ("abs(dot(a, b)) <= norm(a)*norm(b)", {"vectors": "a,b"}, Status.PROVED),
        ("abs(dot(a, b)) <= norm(a)*norm(b)/2", {"vectors": "a,b"}, Status.REFUTED),
        ("norm(a + b) <= norm(a) + norm(b)", {"vectors": "a,b"}, Status.PROVED),
        ("norm(x) > abs(mu(x))*sqrt(n)", {}, Status.REFUTED),
        ("1 < 0", {}, Status.REFUTED),
        ("mu(x) > 0", {"assume": "mu(x) = 1"}, Status.PROVED),
    ],
)
def test_degenerate_and_elementary_statements(
    statement: str, kwargs: dict[str, object], status: Status
) -> None:
    assert prove(statement, **kwargs).status is status  # type: ignore[arg-type]


# -- the language -------------------------------------------------------------------------------


def test_split_relation() -> None:
    assert split_relation("norm(LN(x)) <= sqrt(n)") == ("norm(LN(x))", "<=", "sqrt(n)")
    assert split_relation("a == b") == ("a", "=", "b")
    assert split_relation("LN(x) = c(x)") == ("LN(x)", "=", "c(x)")
    for bad in ("a < b < c", "a", "a != b", "<= b", "a >="):
        with pytest.raises(LnsymError):
            split_relation(bad)


def test_one_string_and_relation_keyword_agree() -> None:
    one = prove("norm(LN(x)) < sqrt(n)")
    two = prove("norm(LN(x))", "sqrt(n)", relation="<")
    flipped = prove("sqrt(n) > norm(LN(x))")
    assert one.proved and two.proved and flipped.proved
    assert one.statement() == "norm(LN(x)) < sqrt(n)"
    assert r"\le" in prove("norm(LN(x)) <= sqrt(n)").latex()
    assert r"\not\le" in prove("norm(LN(x)) <= 1").latex()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: prove("LN(x) <= x"), "only scalars can be ordered"),
        (lambda: prove("norm(LN(x))", "1", relation="!="), "relation"),
        (lambda: prove("norm(LN(x)) <= 1", relation="<"), "relation"),
        (lambda: prove("norm(LN(x)) <= 1", limit={"eps": 0}), "identities"),
        (lambda: prove("abs(x) <= 1"), "abs of a vector"),
        (lambda: prove("abs(1, 2) <= 1"), "abs takes 1"),
    ],
)
def test_bad_requests_are_one_line_errors(call: object, message: str) -> None:
    with pytest.raises(LnsymError, match=message):
        call()  # type: ignore[operator]


def test_abs_evaluates_and_prints() -> None:
    assert lnsym.latex("abs(mu(x))") == r"\left|{\mu(x)}\right|"
    assert prove("abs(mu(x))", "sqrt(mu(x)**2)").proved


def test_cli_exit_codes_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prove", "norm(LN(x)) < sqrt(n)"]) == 0
    assert capsys.readouterr().out.startswith("PROVED: norm(LN(x)) < sqrt(n)")
    assert main(["prove", "norm(LN(x)) <= 1", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "refuted" and data["relation"] == "<=" and data["witness"]
    assert main(["prove", "LN(x) <= x"]) == 2


# -- derivation chains --------------------------------------------------------------------------


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "d.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_chain_mixing_equalities_and_bounds(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """title = "t"
[[steps]]
expr = "norm(LN(x))**2"
[[steps]]
expr = "n*norm(c(x))**2/(norm(c(x))**2 + n*eps)"
by = "algebra"
[[steps]]
expr = "n"
relation = "<"
by = "epsilon is positive"
[[claims]]
lhs = "norm(LN(x))**2"
relation = "<="
rhs = "n - 1"
""",
    )
    derivation = load_derivation(path)
    assert derivation.chains[0].conclusion == "<"
    result = check_derivation(derivation)
    assert result.ok, result.report()
    assert "claim 1 refuted as expected: norm(LN(x))**2 <= n - 1" in result.report()


def test_a_false_bound_in_a_chain_fails(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """title = "t"
[[steps]]
expr = "norm(LN(x))"
[[steps]]
expr = "1"
relation = "<="
by = "algebra"
""",
    )
    result = check_derivation(load_derivation(path))
    assert not result.ok and "refuted" in result.report()


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        (
            'relation = "<="\nby = "algebra"\n[[steps]]\nexpr = "0"\nrelation = ">="\nby = "algebra"',
            "mixes",
        ),
        ('relation = "=<"\nby = "algebra"', "relation"),
    ],
)
def test_malformed_relations_in_derivations(tmp_path: Path, steps: str, message: str) -> None:
    text = f'title = "t"\n[[steps]]\nexpr = "norm(x)"\n[[steps]]\nexpr = "norm(x) + 1"\n{steps}\n'
    with pytest.raises(DerivationError, match=message):
        load_derivation(_write(tmp_path, text))


@pytest.mark.parametrize("number", [18, 19, 20, 21, 22, 23])
def test_the_bounds_derivations_check(number: int) -> None:
    (path,) = (ROOT / "derivations").glob(f"{number}-*.toml")
    result = check_derivation(load_derivation(path))
    assert result.ok, result.report()
    assert result.claims, "each bounds derivation refutes a tempting false variant"


def test_a_power_the_certificates_cannot_name_is_unknown_not_an_internal_error() -> None:
    """A cube root is not a polynomial in the certificates' atoms: unknown, with the reason."""
    result = prove("alpha**(1/3) >= 0", scalars="alpha", assume="alpha > 0")
    assert result.status is Status.UNKNOWN
    assert "not a polynomial" in result.report(), result.report()
