"""Mutation suite for the trusted checker (lnsym.check): real certificates, doctored.

Each certificate here is taken from ``lnsym.prove(...).check_data`` (or, where the untrusted builder
does not find one yet, written by hand in the documented format) and must be accepted as it is;
every doctored copy — a changed coefficient, a dropped step, a flipped sign, a renamed or swapped
variable, a changed witness entry, a point violating an assumption or where a side is undefined, an
edited statement, a changed dimension, malformed JSON types — must be rejected: ``Verdict(accepted
=False, checked=True)`` or a clean :class:`~lnsym.check.verify.RejectedError`, never a traceback.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from lnsym import prove
from lnsym.check.verify import RejectedError, Verdict, check_proof, check_refutation

Data = dict[str, Any]


def _statement(lhs: str, rhs: str, vectors=("x",), scalars=(), assume=(), dim=None) -> Data:
    return {
        "lhs": lhs,
        "rhs": rhs,
        "vectors": list(vectors),
        "scalars": list(scalars),
        "assume": list(assume),
        "dim": dim,
        "limits": {},
    }


def _poly(*terms: tuple[str, dict[str, int]]) -> list[list[Any]]:
    return [[c, [[v, e] for v, e in sorted(m.items())]] for c, m in terms]


# -- the real certificates (one prove() each, cached for the module) ------------------------------
_PROOFS: dict[str, tuple[tuple[str, str], dict[str, Any]]] = {
    "main": (("LN(x)", "sqrt(n)*u(c(x), n*eps)"), {}),
    "main_dim2": (("LN(x)", "sqrt(2)*u(c(x), 2*eps)"), {"dim": 2}),
    "var_zero": (("LN(x)", "0*x"), {"assume": "Var(x)=0"}),
    "two_facts": (("mu(x)", "1"), {"assume": ["alpha*mu(x) = 0", "mu(x)=1"], "scalars": "alpha"}),
    "subst_scaled": (("mu(x)", "0"), {"assume": "(alpha**2+1)*mu(x) = 0", "scalars": "alpha"}),
    "jvp": (("jvp(mu(x), x, v)", "mu(v)"), {"vectors": ["x", "v"]}),
    "jvp_ln": (
        ("jvp(LN(x), x, v)", "(c(v) - dot(LN(x), c(v))*LN(x)/n)/sqrt(Var(x)+eps)"),
        {"vectors": ["x", "v"]},
    ),
    "diff": (("diff(alpha**2, alpha)", "2*alpha"), {"scalars": "alpha"}),
}
_REFUTATIONS: dict[str, tuple[tuple[str, str], dict[str, Any]]] = {
    "wrong_eps": (("LN(x)", "sqrt(n)*u(c(x), eps)"), {}),
    "centred": (("LN(x)", "x/sqrt(eps)"), {"assume": "mu(x)=0"}),
    "sqrt_square": (("sqrt(alpha**2)", "alpha"), {"scalars": "alpha"}),
}
_CACHE: dict[str, Data] = {}


def _data(name: str) -> Data:
    if name not in _CACHE:
        (lhs, rhs), kwargs = {**_PROOFS, **_REFUTATIONS}[name]
        proof = prove(lhs, rhs, **kwargs)
        expected = "proved" if name in _PROOFS else "refuted"
        assert proof.status.value == expected, (name, proof.method)
        assert proof.checked, (name, proof.check_note)
        assert proof.check_data is not None
        _CACHE[name] = json.loads(json.dumps(proof.check_data))  # what a saved --json holds
    return copy.deepcopy(_CACHE[name])


# -- hand-written certificates in the documented format (steps the builder does not find yet) -----
def _hand(name: str) -> Data:
    mu = _poly(("1", {"mu[x]": 1}))
    point3 = {"n": 3, "eps": "1/10", "values": {"x": ["1", "2", "-3"]}}
    if name == "root":
        statement = _statement("mu(x)", "0", assume=["mu(x)**2 = 0"])
        steps = [
            {"kind": "root", "fact": 0, "base": mu, "power": 2},
            {"kind": "subst", "fact": 1, "var": "mu[x]"},
        ]
        return {"statement": statement, "certificate": _c(steps, point3)}
    if name == "subst":  # the two_facts statement, closed by substitution (prove() combines)
        statement = _statement(
            "mu(x)", "1", scalars=["alpha"], assume=["alpha*mu(x) = 0", "mu(x) = 1"]
        )
        steps = [{"kind": "subst", "fact": 1, "var": "mu[x]"}]
        point = {"n": 3, "eps": "1/10", "values": {"x": ["5", "2", "-4"], "alpha": "0"}}
        return {"statement": statement, "certificate": _c(steps, point)}
    if name == "split":
        statement = _statement(
            "mu(x)", "1", vectors=["x", "y"], assume=["(mu(x)-1)**2 + (mu(y)-2)**2 = 0"]
        )
        terms = [
            ["1", _poly(("1", {})), _poly(("1", {"mu[x]": 1}), ("-1", {}))],
            ["1", _poly(("1", {})), _poly(("1", {"mu[y]": 1}), ("-2", {}))],
        ]
        steps = [
            {"kind": "split", "fact": 0, "terms": terms},
            {"kind": "subst", "fact": 1, "var": "mu[x]"},
        ]
        point = {"n": 1, "eps": "1/10", "values": {"x": ["1"], "y": ["2"]}}
        return {"statement": statement, "certificate": _c(steps, point)}
    if name == "cancel":
        statement = _statement(
            "beta",
            "0",
            vectors=(),
            scalars=["alpha", "beta"],
            assume=["alpha*beta = 0", "alpha > 1"],
        )
        steps = [
            {
                "kind": "cancel",
                "fact": 0,
                "factor": _poly(("1", {"alpha": 1})),
                "quotient": _poly(("1", {"beta": 1})),
            },
            {"kind": "subst", "fact": 1, "var": "beta"},
        ]
        point = {"n": 1, "eps": "1/10", "values": {"alpha": "2", "beta": "0"}}
        return {"statement": statement, "certificate": _c(steps, point)}
    if name == "combination":
        statement = _statement("mu(x)*mu(y)", "0", vectors=["x", "y"], assume=["mu(x) = 0"])
        steps = [{"kind": "combination", "goal": 0, "cofactors": [[0, _poly(("1", {"mu[y]": 1}))]]}]
        point = {"n": 1, "eps": "1/10", "values": {"x": ["0"], "y": ["2"]}}
        return {"statement": statement, "certificate": _c(steps, point)}
    if name == "components":
        statement = _statement("hadamard(c(x), c(x))", "Var(x)*ones", dim=2)
        point = {"n": 2, "eps": "1/10", "values": {"x": ["3", "2"]}}
        return {"statement": statement, "certificate": _c([], point, "components")}
    raise KeyError(name)


def _c(steps: list[Data], point: Data, mode: str = "symbolic") -> Data:
    return {"mode": mode, "steps": steps, "point": point}


_HAND = ("subst", "root", "split", "cancel", "combination", "components")


def _verdict(data: Data, refutation: bool = False) -> Verdict:
    check = check_refutation if refutation else check_proof
    try:
        return check(data["statement"], data["certificate"])
    except RejectedError as why:
        return Verdict(False, True, str(why))


def _rejected(data: Data, refutation: bool = False) -> None:
    verdict = _verdict(data, refutation)
    assert not verdict.accepted, "a doctored certificate was accepted"
    assert verdict.checked, f"not even checked: {verdict.reason}"
    assert verdict.reason


# -- the undoctored certificates are accepted ------------------------------------------------------
@pytest.mark.parametrize("name", sorted(_PROOFS))
def test_real_proof_certificate_accepted(name: str) -> None:
    assert _verdict(_data(name)) == Verdict(True, True)


@pytest.mark.parametrize("name", sorted(_REFUTATIONS))
def test_real_witness_accepted(name: str) -> None:
    assert _verdict(_data(name), refutation=True) == Verdict(True, True)


@pytest.mark.parametrize("name", _HAND)
def test_hand_certificate_accepted(name: str) -> None:
    assert _verdict(_hand(name)) == Verdict(True, True)


def test_the_real_certificates_use_the_step_kinds() -> None:
    """Guard: the real certificates really exercise subst, zero_vector and square_goal."""
    kinds = {s["kind"] for name in _PROOFS for s in _data(name)["certificate"]["steps"]}
    assert {"subst", "zero_vector", "square_goal"} <= kinds


# -- doctored statements ---------------------------------------------------------------------------
Mutation = Callable[[Data], None]


def _set(path: tuple[Any, ...], value: Any) -> Mutation:
    def mutate(data: Data) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


_STATEMENT_MUTATIONS: list[tuple[str, str, Mutation]] = [
    ("main", "rhs eps not scaled", _set(("statement", "rhs"), "sqrt(n)*u(c(x), eps)")),
    ("main", "lhs edited to RMS", _set(("statement", "lhs"), "RMS(x)")),
    ("main", "flipped sign", _set(("statement", "rhs"), "-sqrt(n)*u(c(x), n*eps)")),
    ("main", "changed constant", _set(("statement", "rhs"), "sqrt(n)*u(c(x), n*eps)*(1+1/10**30)")),
    ("main", "variable renamed", _set(("statement", "vectors"), ["y"])),
    ("main_dim2", "dim changed, point kept", _set(("statement", "dim"), 3)),
    ("main_dim2", "dim dropped (every n)", _set(("statement", "dim"), None)),
    ("var_zero", "assumption dropped", _set(("statement", "assume"), [])),
    ("var_zero", "assumption weakened", _set(("statement", "assume"), ["Var(x) >= 0"])),
    ("two_facts", "fact edited", _set(("statement", "assume"), ["alpha*mu(x) = 0", "mu(x)=2"])),
    (
        "subst_scaled",
        "coefficient may vanish",
        _set(("statement", "assume"), ["(alpha**2-1)*mu(x) = 0"]),
    ),
    ("jvp", "arguments swapped", _set(("statement", "lhs"), "jvp(mu(x), v, x)")),
    ("jvp", "direction renamed", _set(("statement", "rhs"), "mu(x)")),
    (
        "jvp_ln",
        "sign of the projection",
        _set(("statement", "rhs"), "(c(v) + dot(LN(x), c(v))*LN(x)/n)/sqrt(Var(x)+eps)"),
    ),
    ("diff", "coefficient changed", _set(("statement", "rhs"), "3*alpha")),
    ("diff", "differentiated by another name", _set(("statement", "lhs"), "diff(alpha**2, eps)")),
]


@pytest.mark.parametrize(
    ("name", "mutation"),
    [pytest.param(n, m, id=f"{n}:{label}") for n, label, m in _STATEMENT_MUTATIONS],
)
def test_doctored_statement_rejected(name: str, mutation: Mutation) -> None:
    data = _data(name)
    mutation(data)
    _rejected(data)


def test_changed_dim_with_a_matching_point_is_rejected() -> None:
    data = _data("main_dim2")
    data["statement"]["dim"] = 3
    data["certificate"]["point"] = {"n": 3, "eps": "1/10", "values": {"x": ["3", "2", "0"]}}
    _rejected(data)


# -- doctored certificates -------------------------------------------------------------------------
def _drop_step(index: int) -> Mutation:
    def mutate(data: Data) -> None:
        del data["certificate"]["steps"][index]

    return mutate


def _step(index: int, key: str, value: Any) -> Mutation:
    return _set(("certificate", "steps", index, key), value)


def _point(**changes: Any) -> Mutation:
    def mutate(data: Data) -> None:
        point = data["certificate"]["point"]
        for key, value in changes.items():
            if key in ("n", "eps"):
                point[key] = value
            else:
                point["values"][key] = value

    return mutate


_CERTIFICATE_MUTATIONS: list[tuple[str, str, Mutation]] = [
    # steps
    ("var_zero", "zero_vector dropped", _drop_step(0)),
    ("var_zero", "square_goal dropped", _drop_step(1)),
    ("var_zero", "zero_vector of another vector", _step(0, "vector", "y")),
    ("var_zero", "zero_vector names no fact", _step(0, "fact", 1)),
    ("var_zero", "unknown step kind", _step(0, "kind", "trust_me")),
    ("two_facts", "subst dropped", _drop_step(0)),
    (
        "two_facts",
        "cofactor of the wrong fact",
        _set(("certificate", "steps", 0, "cofactors", 0, 0), 0),
    ),
    ("two_facts", "a field the checker does not read", _step(0, "fact", 0)),
    ("subst", "subst dropped", _drop_step(0)),
    ("subst", "subst of the wrong fact", _step(0, "fact", 0)),
    ("subst", "subst of a renamed variable", _step(0, "var", "mu[y]")),
    ("subst", "subst of the other variable", _step(0, "var", "alpha")),
    ("subst_scaled", "subst dropped", _drop_step(0)),
    ("root", "root power changed", _step(0, "power", 3)),
    ("root", "root base changed", _step(0, "base", _poly(("1", {"mu[x]": 1}), ("1", {})))),
    ("root", "root power zero", _step(0, "power", 0)),
    ("root", "subst dropped", _drop_step(1)),
    ("split", "weight changed", _set(("certificate", "steps", 0, "terms", 0, 0), "2")),
    ("split", "weight negative", _set(("certificate", "steps", 0, "terms", 0, 0), "-1")),
    ("split", "a term dropped", _set(("certificate", "steps", 0, "terms"), [])),
    (
        "split",
        "a square's constant changed",
        _set(("certificate", "steps", 0, "terms", 0, 2), _poly(("1", {"mu[x]": 1}), ("-3", {}))),
    ),
    (
        "split",
        "a multiplier of unknown sign",
        _set(("certificate", "steps", 0, "terms", 0, 1), _poly(("1", {"mu[y]": 1}))),
    ),
    ("cancel", "factor sign flipped", _step(0, "factor", _poly(("-1", {"alpha": 1})))),
    ("cancel", "quotient coefficient changed", _step(0, "quotient", _poly(("2", {"beta": 1})))),
    ("cancel", "factor of unknown sign", _step(0, "factor", _poly(("1", {"beta": 1})))),
    ("cancel", "cancel dropped", _drop_step(0)),
    (
        "combination",
        "cofactor coefficient changed",
        _set(("certificate", "steps", 0, "cofactors", 0, 1), _poly(("2", {"mu[y]": 1}))),
    ),
    (
        "combination",
        "cofactor sign flipped",
        _set(("certificate", "steps", 0, "cofactors", 0, 1), _poly(("-1", {"mu[y]": 1}))),
    ),
    ("combination", "cofactor dropped", _set(("certificate", "steps", 0, "cofactors"), [])),
    ("combination", "names no goal", _step(0, "goal", 5)),
    # mode
    ("main", "unknown mode", _set(("certificate", "mode"), "trusted")),
    ("main", "components for every n", _set(("certificate", "mode"), "components")),
    ("components", "symbolic mode instead", _set(("certificate", "mode"), "symbolic")),
    # the point
    ("main", "no point", _set(("certificate", "point"), None)),
    ("main", "eps zero", _point(eps="0")),
    ("main", "eps negative", _point(eps="-1/10")),
    ("main", "n zero", _point(n=0, x=[])),
    ("main", "n disagrees with the vector", _point(n=4)),
    ("main", "vector entry missing", _point(x=["2", "2"])),
    ("main_dim2", "point at another n", _point(n=3, x=["1", "2", "3"])),
    ("var_zero", "point violates Var(x) = 0", _point(x=["2", "2", "3"])),
    ("two_facts", "point violates mu(x) = 1", _point(x=["0", "3"])),
    ("two_facts", "point violates alpha*mu(x) = 0", _point(alpha="1")),
    ("subst_scaled", "point violates the assumption", _point(x=["2", "2", "-3"])),
    ("root", "point violates mu(x)**2 = 0", _point(x=["1", "2", "3"])),
    ("cancel", "point violates alpha > 1", _point(alpha="1", beta="0")),
    ("cancel", "point violates alpha*beta = 0", _point(alpha="2", beta="1")),
    ("jvp", "direction of another length", _point(v=["1", "2"])),
    ("diff", "scalar given as a vector", _point(alpha=["1"])),
]


@pytest.mark.parametrize(
    ("name", "mutation"),
    [pytest.param(n, m, id=f"{n}:{label}") for n, label, m in _CERTIFICATE_MUTATIONS],
)
def test_doctored_certificate_rejected(name: str, mutation: Mutation) -> None:
    data = _hand(name) if name in _HAND else _data(name)
    mutation(data)
    _rejected(data)


def test_point_where_a_side_is_undefined_is_rejected() -> None:
    """cos(x, y) = cos(y, x) is true where defined; a point with x = 0 must not stand for it."""
    statement = _statement("cos(x, y)", "cos(y, x)", vectors=["x", "y"])
    good = {"n": 2, "eps": "1", "values": {"x": ["1", "2"], "y": ["3", "-1"]}}
    assert _verdict({"statement": statement, "certificate": _c([], good)}) == Verdict(True, True)
    bad = {"n": 2, "eps": "1", "values": {"x": ["0", "0"], "y": ["3", "-1"]}}
    _rejected({"statement": statement, "certificate": _c([], bad)})


# -- doctored witnesses ----------------------------------------------------------------------------
def _witness(**changes: Any) -> Mutation:
    def mutate(data: Data) -> None:
        witness = data["certificate"]
        for key, value in changes.items():
            if key in ("n", "eps"):
                witness[key] = value
            else:
                witness["values"][key] = value

    return mutate


_WITNESS_MUTATIONS: list[tuple[str, str, Mutation]] = [
    ("wrong_eps", "constant x: both sides 0", _witness(x=["1", "1", "1", "1"])),
    ("wrong_eps", "n = 1: both sides 0", _witness(n=1, x=["5"])),
    ("wrong_eps", "eps zero", _witness(eps="0")),
    ("wrong_eps", "entry missing", _witness(x=["2", "2", "-4"])),
    ("wrong_eps", "statement made true", _set(("statement", "rhs"), "sqrt(n)*u(c(x), n*eps)")),
    ("centred", "entry changed: mu(x) != 0", _witness(x=["2", "2", "-4", "1"])),
    ("centred", "assumption changed", _set(("statement", "assume"), ["mu(x) = 1"])),
    ("sqrt_square", "alpha >= 0: the sides agree", _witness(alpha="4")),
    ("sqrt_square", "assumption alpha > 0 added", _set(("statement", "assume"), ["alpha > 0"])),
    ("sqrt_square", "scalar renamed", _set(("statement", "scalars"), ["beta"])),
]


@pytest.mark.parametrize(
    ("name", "mutation"),
    [pytest.param(n, m, id=f"{n}:{label}") for n, label, m in _WITNESS_MUTATIONS],
)
def test_doctored_witness_rejected(name: str, mutation: Mutation) -> None:
    data = _data(name)
    mutation(data)
    _rejected(data, refutation=True)


# -- malformed JSON types: rejected cleanly, never a traceback --------------------------------------
def _bug(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(strict=True, reason=f"checker bug: {reason}")


_JUNK: list[Any] = [
    pytest.param(_set(("certificate", "steps"), {"a": 1}), id="steps a dict"),
    pytest.param(_set(("certificate", "steps"), "abc"), id="steps a string"),
    pytest.param(_set(("certificate", "steps"), [1, None]), id="steps not records"),
    pytest.param(
        _set(("certificate", "extra"), {"junk": [1, 2]}), id="extra key ignored, still ok"
    ),
    pytest.param(_set(("certificate", "point", "eps"), "nan"), id="eps nan"),
    pytest.param(_set(("certificate", "point", "eps"), "inf"), id="eps inf"),
    pytest.param(_set(("certificate", "point", "eps"), None), id="eps None"),
    pytest.param(_set(("certificate", "point", "n"), None), id="n None"),
    pytest.param(_set(("certificate", "point", "n"), 10**9), id="n huge"),
    pytest.param(_set(("certificate", "point", "n"), True), id="n a bool"),
    pytest.param(_set(("certificate", "point"), [3, "1/10"]), id="point a list"),
    pytest.param(_set(("statement", "lhs"), 5), id="lhs an int"),
    pytest.param(_set(("statement", "lhs"), "x" * 30_000), id="lhs huge text"),
    pytest.param(_set(("statement", "assume"), "mu(x)=0"), id="assume a string"),
    pytest.param(_set(("statement", "assume"), ["mu(x)"]), id="assumption without relation"),
    pytest.param(_set(("statement", "dim"), "3"), id="dim a string"),
    pytest.param(_set(("statement", "dim"), 0), id="dim zero"),
    pytest.param(_set(("statement", "dim"), -2), id="dim negative"),
    # the ones below crash with a raw exception today
    pytest.param(_set(("certificate", "steps"), 5), id="steps an int"),
    pytest.param(_set(("certificate", "point", "eps"), "1/0"), id="eps 1/0"),
    pytest.param(
        _set(("certificate", "point", "values", "x"), ["a", "2", "-4"]),
        id="vector entry not a number",
    ),
    pytest.param(
        _set(("certificate", "point", "values", "x"), ["1/0", "2", "-4"]),
        id="vector entry 1/0",
    ),
    pytest.param(
        _set(("certificate", "point", "values"), [1]),
        id="values a list",
    ),
    pytest.param(
        _set(("certificate", "point", "values"), None),
        id="values None",
    ),
    pytest.param(_set(("statement", "vectors"), 5), id="vectors an int"),
    pytest.param(_set(("statement", "assume"), [5]), id="assumption an int"),
    pytest.param(lambda d: d["statement"].pop("rhs"), id="statement without rhs"),
    pytest.param(
        lambda d: d.__setitem__("certificate", None),
        id="certificate None",
    ),
    pytest.param(
        lambda d: d.__setitem__("statement", []),
        id="statement a list",
    ),
    pytest.param(
        _set(("certificate", "point", "n"), 3.7),
        id="n a float (silently truncated)",
    ),
]


@pytest.mark.parametrize("mutation", _JUNK)
def test_malformed_proof_data_is_rejected_cleanly(mutation: Mutation) -> None:
    data = _data("main")
    mutation(data)
    verdict = _verdict(data)  # any exception but RejectedError fails the test
    if isinstance(data["certificate"], dict) and "extra" in data["certificate"]:
        assert verdict == Verdict(True, True)  # unknown keys do not matter
    else:
        assert not verdict.accepted and verdict.reason


_ASSUMED = _statement("mu(x)", "0", assume=["mu(x) = 0"])
_POINT = {"n": 2, "eps": "1", "values": {"x": ["1", "-1"]}}


@pytest.mark.parametrize(
    "step",
    [
        pytest.param({"kind": "subst", "fact": 0}, id="subst without var"),
        pytest.param({"kind": "subst", "fact": "0", "var": "mu[x]"}, id="fact a string"),
        pytest.param({"kind": "subst", "fact": -1, "var": "mu[x]"}, id="fact negative"),
        pytest.param(
            {"kind": "cancel", "fact": 0, "factor": "abc", "quotient": 5}, id="cancel junk"
        ),
        pytest.param(
            {"kind": "cancel", "fact": 0, "factor": {"a": 1}, "quotient": [[1, 2, 3]]},
            id="cancel dict",
        ),
        pytest.param(
            {"kind": "root", "fact": 0, "base": [["1", [["mu[x]", 0]]]], "power": 1},
            id="exponent 0",
        ),
        pytest.param(
            {"kind": "root", "fact": 0, "base": [["1", [["mu[x]", -1]]]], "power": 1},
            id="exponent -1",
        ),
        pytest.param(
            {"kind": "root", "fact": 0, "base": [["x", [["mu[x]", 1]]]], "power": 1},
            id="coefficient junk",
        ),
        pytest.param(
            {"kind": "root", "fact": 0, "base": [["1", [["mu[x]", 1]]]], "power": 1.5},
            id="power float",
        ),
        pytest.param(
            {"kind": "combination", "goal": 0, "cofactors": [[0]]},
            id="cofactor pair short",
        ),
        pytest.param(
            {"kind": "combination", "goal": 0, "cofactors": 3},
            id="cofactors an int",
        ),
        pytest.param({"kind": "square_goal", "junk": 1}, id="square_goal on a scalar goal"),
        pytest.param({"kind": None}, id="kind None"),
        pytest.param(
            {"kind": "root", "fact": 0, "base": [["1/0", []]], "power": 1},
            id="coefficient 1/0",
        ),
        pytest.param(
            {"kind": "split", "fact": 0, "terms": [[1, 2]]},
            id="split term of two",
        ),
        pytest.param(
            {"kind": "split", "fact": 0, "terms": 5},
            id="split terms an int",
        ),
        pytest.param(
            {"kind": "split", "fact": 0, "terms": [["1/0", [["1", []]], [["1", [["mu[x]", 1]]]]]]},
            id="split weight 1/0",
        ),
    ],
)
def test_malformed_step_is_rejected_cleanly(step: Data) -> None:
    verdict = _verdict({"statement": _ASSUMED, "certificate": _c([step], _POINT)})
    assert not verdict.accepted and verdict.checked and verdict.reason


def test_the_assumed_statement_is_accepted_with_its_proper_step() -> None:
    step = {"kind": "subst", "fact": 0, "var": "mu[x]"}
    assert _verdict({"statement": _ASSUMED, "certificate": _c([step], _POINT)}) == Verdict(
        True, True
    )
