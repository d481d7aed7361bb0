"""The trusted positivity checker (lnsym.check.positivity): hand-written certificates, and doctored
ones — a changed coefficient, a dropped term, a flipped sign, a fake fact, a false strictness — all
rejected. The first half imports nothing from the prover."""

from __future__ import annotations

import copy
import json
from fractions import Fraction
from typing import Any

import pytest

from lnsym.check.poly import Poly
from lnsym.check.positivity import (
    BASIC,
    CertificateError,
    check_positivity,
    poly_from_json,
    poly_to_json,
)

ONE = [["1", []]]


def P(*terms: tuple[str, dict[str, int]]) -> list[Any]:
    return [[c, [[v, e] for v, e in sorted(m.items())]] for c, m in terms]


def certificate(facts: list[dict[str, Any]], num: list[Any], **extra: Any) -> dict[str, Any]:
    data = {
        "radicals": [],
        "positive": [],
        "assumptions": [],
        "facts": facts,
        "goal": {
            "num": num,
            "den": ONE,
            "strict": False,
            "num_fact": f"#{len(facts) - 1}",
            "den_fact": "1",
        },
    }
    data.update(extra)
    return data


def term(coeff: str, facts: list[str], square: list[Any] = ONE) -> dict[str, Any]:
    return {"coeff": coeff, "facts": facts, "square": square}


# n*eps + (mu - 1)^2 > 0
NUM = P(("1", {"n": 1, "eps": 1}), ("1", {"mu[x]": 2}), ("-2", {"mu[x]": 1}), ("1", {}))


def good() -> dict[str, Any]:
    fact = {
        "poly": NUM,
        "strict": True,
        "rule": "sum",
        "terms": [term("1", ["n", "eps"]), term("1", [], P(("1", {"mu[x]": 1}), ("-1", {})))],
    }
    data = copy.deepcopy(certificate([fact], NUM))
    data["goal"]["strict"] = True
    return data


def test_terms_round_trip() -> None:
    p = Poly.var("P[x,x]") * Fraction(3, 2) - Poly.var("n") ** 2 + 7
    assert poly_from_json(json.loads(json.dumps(poly_to_json(p)))) == p


def test_a_sum_of_squares_is_accepted_and_strict() -> None:
    num, den, strict = check_positivity(good())
    assert strict and den == 1
    assert num == poly_from_json(NUM)


@pytest.mark.parametrize(
    "doctor",
    [
        lambda d: d["facts"][0]["terms"][0].__setitem__("coeff", "2"),  # changed coefficient
        lambda d: d["facts"][0]["terms"].pop(1),  # dropped term
        lambda d: d["facts"][0]["terms"][0].__setitem__("coeff", "-1"),  # flipped sign
        lambda d: d["facts"][0]["terms"][0].__setitem__("facts", ["mu[x]"]),  # fake fact
        lambda d: d["facts"][0]["terms"][0].__setitem__("facts", ["pos:alpha", "eps"]),
        lambda d: d["facts"][0]["poly"].__setitem__(0, ["2", [["eps", 1], ["n", 1]]]),
        lambda d: d["goal"].__setitem__("num", P(("1", {"mu[x]": 2}))),  # another goal
        lambda d: d["goal"].__setitem__("num_fact", "n-1"),
        lambda d: d["facts"][0].__setitem__("rule", "trust me"),
        lambda d: d.__setitem__("facts", []),
        lambda d: d["facts"][0]["terms"][0].__setitem__("facts", ["#0"]),  # self-reference
    ],
)
def test_doctored_sum_certificates_are_rejected(doctor: Any) -> None:
    data = good()
    doctor(data)
    with pytest.raises(CertificateError):
        check_positivity(data)


def test_a_strictness_the_proof_does_not_give_is_rejected() -> None:
    # (mu - 1)^2 >= 0 is not > 0
    square = P(("1", {"mu[x]": 1}), ("-1", {}))
    num = P(("1", {"mu[x]": 2}), ("-2", {"mu[x]": 1}), ("1", {}))
    fact = {"poly": num, "strict": True, "rule": "sum", "terms": [term("1", [], square)]}
    data = certificate([fact], num)
    data["goal"]["strict"] = True
    with pytest.raises(CertificateError, match="strict"):
        check_positivity(data)
    fact["strict"] = False
    with pytest.raises(CertificateError):
        check_positivity(data)  # the goal still asks for > 0
    data["goal"]["strict"] = False
    assert check_positivity(data)[2] is False


def test_basic_facts_have_reasons_and_fake_ones_fail() -> None:
    assert all(BASIC.values())
    for ref in (
        "P[w,x]",
        "P[x,w,x]",
        "S[a,b,c]",
        "P[x,w]",
        "gram:x",
        "gram:x,x",
        "root:sqrt#9",
        "assume:0",
        "#5",
        "pos:alpha",
        "P[x],y]",
    ):
        fact = {
            "poly": P(("1", {"q": 1})),
            "strict": False,
            "rule": "sum",
            "terms": [term("1", [ref])],
        }
        with pytest.raises(CertificateError):
            check_positivity(certificate([fact], P(("1", {"q": 1}))))


def test_cauchy_schwarz_from_the_gram_fact() -> None:
    # P[a,a] P[b,b] - P[a,b]^2 + 2 eps P[a,a] >= 0
    num = P(
        ("1", {"P[a,a]": 1, "P[b,b]": 1}), ("-1", {"P[a,b]": 2}), ("2", {"eps": 1, "P[a,a]": 1})
    )
    fact = {
        "poly": num,
        "strict": False,
        "rule": "sum",
        "terms": [term("1", ["gram:a,b"]), term("2", ["eps", "P[a,a]"])],
    }
    assert check_positivity(certificate([fact], num))[0] == poly_from_json(num)
    three = {"poly": [], "strict": False, "rule": "sum", "terms": []}
    gram3 = check_positivity(certificate([three], []))  # the empty sum proves 0 >= 0
    assert gram3[0] == 0
    fact["terms"][0]["facts"] = ["gram:b,a"]  # the same determinant: still accepted
    assert check_positivity(certificate([fact], num))
    fact["terms"][1]["coeff"] = "1"
    with pytest.raises(CertificateError):
        check_positivity(certificate([fact], num))


def radical_certificate() -> dict[str, Any]:
    # sqrt(P + n eps) - sqrt(P) > 0: X = r0 >= 0, Y = r1, X^2 - Y^2 = n eps > 0
    radicals = [
        ["sqrt#0", P(("1", {"P[x,x]": 1}), ("1", {"n": 1, "eps": 1}))],
        ["sqrt#1", P(("1", {"P[x,x]": 1}))],
    ]
    facts = [
        {
            "poly": P(("1", {"sqrt#0": 1})),
            "strict": False,
            "rule": "sum",
            "terms": [term("1", ["root:sqrt#0"])],
        },
        {
            "poly": P(("1", {"n": 1, "eps": 1})),
            "strict": True,
            "rule": "sum",
            "terms": [term("1", ["n", "eps"])],
        },
        {
            "poly": P(("1", {"sqrt#0": 1}), ("-1", {"sqrt#1": 1})),
            "strict": True,
            "rule": "sqrt",
            "x": "#0",
            "y": P(("1", {"sqrt#1": 1})),
            "squares": "#1",
        },
    ]
    data = certificate(facts, P(("1", {"sqrt#0": 1}), ("-1", {"sqrt#1": 1})), radicals=radicals)
    data["goal"]["strict"] = True
    return data


def test_square_root_monotonicity() -> None:
    assert check_positivity(radical_certificate())[2] is True


@pytest.mark.parametrize(
    "doctor",
    [
        lambda d: d["radicals"].__setitem__(
            0, ["sqrt#0", P(("1", {"P[x,x]": 1}))]
        ),  # swapped radicand
        lambda d: d["radicals"].reverse(),  # r1 then r0: still fine? no: names refer to each other
        lambda d: d["facts"][2].__setitem__("y", P(("-1", {"sqrt#1": 1}))),  # flipped sign of Y
        lambda d: d["facts"][2].__setitem__("x", "#1"),  # X is not the fact cited
        lambda d: d["facts"][1]["terms"][0].__setitem__("coeff", "0"),
        lambda d: d["radicals"].append(["sqrt#0", ONE]),  # a radical defined twice
        lambda d: d["radicals"].append(["sqrt#2", P(("1", {"sqrt#2": 1}))]),  # defined by itself
    ],
)
def test_doctored_radical_certificates_are_rejected(doctor: Any) -> None:
    data = radical_certificate()
    doctor(data)
    if data["radicals"][0][0] == "sqrt#1":  # reordering alone is harmless: both radicands are atoms
        assert check_positivity(data)
        return
    with pytest.raises(CertificateError):
        check_positivity(data)


def test_a_positive_root_needs_a_positive_radicand() -> None:
    data = radical_certificate()
    data["facts"].append(
        {
            "poly": P(("1", {"sqrt#1": 1})),
            "strict": True,
            "rule": "root",
            "radical": "sqrt#1",
            "radicand": "P[x,x]",
        }
    )
    with pytest.raises(CertificateError, match="positive radicand"):
        check_positivity(data)


def test_assumptions_and_positive_scalars_are_only_what_is_declared() -> None:
    fact = {
        "poly": P(("1", {"alpha": 1})),
        "strict": True,
        "rule": "sum",
        "terms": [term("1", ["pos:alpha"])],
    }
    data = certificate([fact], P(("1", {"alpha": 1})), positive=["alpha"])
    data["goal"]["strict"] = True
    assert check_positivity(data)[2]
    data["positive"] = []
    with pytest.raises(CertificateError):
        check_positivity(data)
    data["assumptions"] = [{"poly": P(("1", {"alpha": 1})), "strict": False, "text": "alpha >= 0"}]
    fact["terms"][0]["facts"] = ["assume:0"]
    with pytest.raises(CertificateError):  # a non-strict assumption gives no strict fact
        check_positivity(data)
    data["assumptions"][0]["strict"] = True
    assert check_positivity(data)[2]


def test_a_denominator_must_be_shown_nonnegative() -> None:
    data = good()
    data["goal"]["den"] = P(("1", {"mu[x]": 1}))
    data["goal"]["den_fact"] = "#0"
    with pytest.raises(CertificateError, match="denominator"):
        check_positivity(data)


@pytest.mark.parametrize("bad", [None, 3, "facts", {"facts": "no"}, {"goal": {}}, [1, 2]])
def test_malformed_certificates_are_rejected_not_raised(bad: Any) -> None:
    with pytest.raises(CertificateError):
        check_positivity(bad)  # type: ignore[arg-type]


# -- certificates the prover emits, then doctored ---------------------------------------------------

BOUNDS = [
    ("norm(LN(x)) < sqrt(n)", ()),
    ("abs(dot(w, LN(x))) <= sqrt(n)*norm(c(w))", ()),
    ("norm(jvp(LN(x), x, v)) <= norm(c(v))/sqrt(Var(x) + eps)", ()),
    (
        "abs(dot(w, c(x))/sqrt(Var(x)+eps) - dot(w, c(x))/s) <= "
        "sqrt(n)*norm(c(w))*abs(sqrt(Var(x)+eps) - s)/s",
        ("s > 0",),
    ),
]


def _emitted(statement: str, assume: tuple[str, ...]) -> dict[str, Any]:
    from lnsym.prover import prove

    proof = prove(statement, vectors="x,w,v", scalars="s", assume=assume)
    assert proof.proved
    data = proof.to_json()["positivity_certificate"]
    assert check_positivity(json.loads(json.dumps(data)))  # survives JSON
    return data


def _mutations(data: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for index, fact in enumerate(data["facts"]):
        if fact["rule"] == "sum" and fact["terms"] and fact["poly"]:
            changed = copy.deepcopy(data)
            t = changed["facts"][index]["terms"][0]
            t["coeff"] = str(Fraction(t["coeff"]) + 1)
            out.append(changed)
            dropped = copy.deepcopy(data)
            dropped["facts"][index]["terms"].pop(0)
            out.append(dropped)
            flipped = copy.deepcopy(data)
            flipped["facts"][index]["terms"][0]["coeff"] = str(-Fraction(t["coeff"]))
            out.append(flipped)
        if fact["rule"] == "sqrt":
            flipped = copy.deepcopy(data)
            y = flipped["facts"][index]["y"]
            flipped["facts"][index]["y"] = [[str(-Fraction(c)), m] for c, m in y]
            out.append(flipped)
    goal = copy.deepcopy(data)
    goal["goal"]["num"] = goal["goal"]["num"] + [["1", []]]
    out.append(goal)
    return out


@pytest.mark.parametrize(("statement", "assume"), BOUNDS)
def test_every_doctored_prover_certificate_is_rejected(
    statement: str, assume: tuple[str, ...]
) -> None:
    data = _emitted(statement, assume)
    mutations = _mutations(data)
    assert len(mutations) >= 4
    for doctored in mutations:
        try:
            num, _, _ = check_positivity(doctored)
        except CertificateError:
            continue
        # a mutation that still checks must prove something else than the original goal
        assert num != poly_from_json(data["goal"]["num"]), json.dumps(doctored)[:400]


def test_the_squared_norm_of_a_combination() -> None:
    # |mu_b c(a) - mu_a c(b)|^2 = mu_b^2 P[a,a] - 2 mu_a mu_b P[a,b] + mu_a^2 P[b,b] >= 0
    num = P(
        ("1", {"mu[b]": 2, "P[a,a]": 1}),
        ("-2", {"mu[a]": 1, "mu[b]": 1, "P[a,b]": 1}),
        ("1", {"mu[a]": 2, "P[b,b]": 1}),
    )
    fact = {
        "poly": num,
        "strict": False,
        "rule": "norm",
        "names": ["a", "b"],
        "coeffs": [P(("1", {"mu[b]": 1})), P(("-1", {"mu[a]": 1}))],
    }
    assert check_positivity(certificate([fact], num))[0] == poly_from_json(num)
    for doctored in (
        {**fact, "coeffs": [P(("1", {"mu[b]": 1})), P(("1", {"mu[a]": 1}))]},  # flipped sign
        {**fact, "names": ["a", "a"]},  # one vector twice
        {**fact, "coeffs": [P(("1", {"mu[b]": 1}))]},  # a coefficient dropped
        {**fact, "strict": True},
    ):
        with pytest.raises(CertificateError):
            check_positivity(certificate([doctored], num))


# -- a link through the statement's equations (Riechers' ellipsoid, issue 22) ------------------------

RIECHERS = ("norm(hadamard(h, LNA(x, g, beta) - beta))**2", "<", "n")
RIECHERS_ASSUME = ("hadamard(h, g) = ones",)
_RECORDS: list[str] = []


def _riechers() -> dict[str, Any]:
    from lnsym.prover import prove

    if not _RECORDS:
        lhs, relation, rhs = RIECHERS
        proof = prove(lhs, rhs, relation=relation, vectors="x,g,h,beta", assume=RIECHERS_ASSUME)
        assert proof.proved
        assert proof.checked, proof.check_note
        assert proof.check_data is not None
        _RECORDS.append(json.dumps(proof.check_data))  # what a saved --json holds
    return json.loads(_RECORDS[0])


def _link_verdict(record: dict[str, Any]) -> Any:
    from lnsym.check.verify import check_inequality

    return check_inequality(record["statement"], record["certificate"])


def test_a_link_through_an_equation_is_checked() -> None:
    record = _riechers()
    steps = record["certificate"]["steps"]
    assert steps and all(s["kind"] == "combination" for s in steps)
    verdict = _link_verdict(record)
    assert verdict.accepted and verdict.checked


def _doctored_links(record: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    cofactors = record["certificate"]["steps"][0]["cofactors"]
    for label, change in (
        ("a multiplier's coefficient", lambda c: c[0][1][0].__setitem__(0, "-3")),
        ("a multiplier dropped", lambda c: c.pop()),
        ("a multiplier on another fact", lambda c: c[0].__setitem__(0, c[0][0] + 1)),
        ("a multiplier doubled", lambda c: c.append(copy.deepcopy(c[0]))),
    ):
        doctored = copy.deepcopy(record)
        change(doctored["certificate"]["steps"][0]["cofactors"])
        out.append((label, doctored))
    scaled = copy.deepcopy(record)
    scaled["certificate"]["steps"][0]["multiplier"] = [["0", []]]
    out.append(("a zero multiplier of the goal", scaled))
    # another equation, still true at the certificate's point (h ⊙ h ⊙ g = h follows from
    # h ⊙ g = 1): the checker evaluates it from the statement, so the multipliers no longer fit
    other = copy.deepcopy(record)
    other["statement"]["assume"] = ["hadamard(h, hadamard(h, g)) = h"]
    out.append(("the statement's equation", other))
    shifted = copy.deepcopy(record)
    shifted["statement"]["rhs"] = "n - 1"
    out.append(("the bound", shifted))
    assert len(cofactors) >= 2
    return out


def test_a_doctored_link_through_an_equation_is_rejected() -> None:
    for label, doctored in _doctored_links(_riechers()):
        verdict = _link_verdict(doctored)
        assert not verdict.accepted, label
        assert verdict.checked, (label, verdict.reason)


def test_a_link_through_an_equation_without_its_steps_is_not_accepted() -> None:
    record = _riechers()
    del record["certificate"]["steps"]
    verdict = _link_verdict(record)
    assert not verdict.accepted and not verdict.checked
    assert "equations" in verdict.reason


def test_a_radical_that_is_never_real_proves_nothing() -> None:
    # r = sqrt(-1 - |c(x)|^2): r**2 gives "-1 - |c(x)|^2 >= 0", hence "-1 >= 0", where r is real
    # (nowhere); linked to "0 <= -1" it must not be accepted
    from lnsym.check.verify import check_inequality

    negative = P(("-1", {}), ("-1", {"P[x,x]": 1}))
    facts = [
        {
            "poly": negative,
            "strict": False,
            "rule": "sum",
            "terms": [term("1", [], P(("1", {"sqrt#9": 1})))],
        },
        {
            "poly": P(("-1", {})),
            "strict": False,
            "rule": "sum",
            "terms": [term("1", ["#0"]), term("1", ["P[x,x]"])],
        },
    ]
    data = certificate(facts, P(("-1", {})), radicals=[["sqrt#9", negative]])
    assert check_positivity(data)[0] == Poly.const(-1)  # vacuous: true wherever r is real
    statement = {"lhs": "0", "relation": "<=", "rhs": "-1", "vectors": ["x"], "assume": []}
    point = {"n": 2, "eps": "1/10", "values": {"x": ["1", "2"]}}
    verdict = check_inequality(statement, {**data, "point": point})
    assert not verdict.accepted and "radicand" in verdict.reason


@pytest.mark.parametrize("name", ["n", "eps", "alpha", "P[x,x]", "r0", "sqrt#", "sqrt#1a", 7])
def test_a_radical_is_named_sqrt_hash_k_never_an_atom(name) -> None:
    """A radical named ``n`` (radicand 0) would turn the basic fact n − 1 >= 0 into −1 >= 0."""
    data = certificate([], ONE, radicals=[[name, P(("1", {"P[x,x]": 1}))]])
    with pytest.raises(CertificateError, match="must be sqrt#k"):
        check_positivity(data)
