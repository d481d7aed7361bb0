"""Property tests: the prover is sound on random expressions of the language.

* Whenever it says **proved**, both sides agree at random points.
* Whenever it says **refuted**, the witness really separates the sides.
* A tree written two equivalent ways (e.g. ``LN(v)`` vs ``sqrt(n)*u(c(v), n*eps)``) is never refuted.

The numeric checks here do not use the mpmath backend the prover uses: they expand both sides
componentwise in SymPy (:class:`lnsym.prover.normal_form.ComponentwiseBackend`), substitute exact rationals and
evaluate with 60 digits.
"""

from __future__ import annotations

import random
from typing import Any

import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from lnsym.lang.definitions import eps as EPS
from lnsym.lang.parser import Context, parse
from lnsym.lang.walker import Evaluator
from lnsym.prover import prove
from lnsym.prover.normal_form import Component, ComponentwiseBackend
from lnsym.prover.verdict import Status

VECTORS = ("a", "b")
SCALARS = ("s",)
CONTEXT = Context(vectors=VECTORS, scalars=SCALARS)

Tree = tuple[Any, ...]

vector_leaf = st.sampled_from([("a",), ("b",), ("ones",)])
scalar_leaf = st.sampled_from([("s",), ("2",), ("n",), ("eps",), ("1/3",)])


def _extend_vector(children: st.SearchStrategy[Tree]) -> st.SearchStrategy[Tree]:
    return st.one_of(
        st.tuples(st.just("add"), children, children),
        st.tuples(st.just("scale"), scalar_leaf, children),
        st.tuples(st.just("c"), children),
        st.tuples(st.just("LN"), children),
        st.tuples(st.just("RMS"), children),
        st.tuples(st.just("hadamard"), children, children),
    )


vectors = st.recursive(vector_leaf, _extend_vector, max_leaves=6)
scalars = st.one_of(
    scalar_leaf,
    st.tuples(st.just("mu"), vectors),
    st.tuples(st.just("Var"), vectors),
    st.tuples(st.just("dot"), vectors, vectors),
    st.tuples(st.just("norm"), vectors),
)

# equivalent spellings of each node: the proved definitions and identities of lnsym
SPELLINGS: dict[str, list[str]] = {
    "add": ["({0} + {1})", "({1} + {0})"],
    "scale": ["{0}*{1}", "{1}*{0}"],
    "c": ["c({0})", "({0} - mu({0})*ones)", "c(c({0}))"],
    "LN": ["LN({0})", "sqrt(n)*u(c({0}), n*eps)", "RMS(c({0}))", "c({0})/sqrt(Var({0}) + eps)"],
    "RMS": ["RMS({0})", "sqrt(n)*u({0}, n*eps)"],
    "hadamard": ["hadamard({0}, {1})", "hadamard({1}, {0})"],
    "mu": ["mu({0})", "E({0})", "dot({0}, ones)/n"],
    "Var": ["Var({0})", "norm(c({0}))**2/n", "(E(hadamard({0}, {0})) - E({0})**2)"],
    "dot": ["dot({0}, {1})", "dot({1}, {0})"],
    "norm": ["norm({0})", "sqrt(dot({0}, {0}))"],
}


def render(tree: Tree, rng: random.Random | None = None) -> str:
    head, *children = tree
    if not children:
        return head
    texts = [render(child, rng) for child in children]
    options = SPELLINGS[head]
    template = rng.choice(options) if rng else options[0]
    return template.format(*texts)


def exact_values(seed: int, n: int) -> dict[str, Any]:
    rng = random.Random(seed)
    values: dict[str, Any] = {
        name: [sympy.Rational(rng.randint(-9, 9), rng.randint(1, 4)) for _ in range(n)]
        for name in VECTORS
    }
    values["s"] = sympy.Rational(rng.randint(1, 9), rng.randint(1, 5)) * rng.choice([1, -1])
    return values


def componentwise(text: str, values: dict[str, Any], n: int, eps: Any) -> list[sympy.Expr] | None:
    """Both sides' value, independently of the prover: SymPy components, then 60 digits."""
    expr = parse(text, CONTEXT)
    result = Evaluator(ComponentwiseBackend(n))(expr)
    items = result if isinstance(result, list) else [result]
    replacements = {EPS: eps, sympy.Symbol("s", real=True): values["s"]}
    for name in VECTORS:
        for i, v in enumerate(values[name]):
            replacements[Component(name, i)] = v
    out = []
    for item in items:
        item = item.subs(replacements)
        if item.has(sympy.zoo, sympy.nan, sympy.oo, sympy.I):
            return None
        out.append(sympy.N(item, 60))
    return out


def agree(lhs: str, rhs: str, seed: int) -> bool | None:
    n = 3 + seed % 3
    values = exact_values(seed, n)
    left = componentwise(lhs, values, n, sympy.Rational(1, 10))
    right = componentwise(rhs, values, n, sympy.Rational(1, 10))
    if left is None or right is None:
        return None
    if len(left) != len(right):
        left, right = left * (len(right) // len(left) or 1), right * (len(left) // len(right) or 1)
    return all(
        abs(p - q) <= sympy.Float("1e-40") * max(1, abs(p), abs(q))
        for p, q in zip(left, right, strict=True)
    )


def witness_separates(result: Any, lhs: str, rhs: str) -> bool:
    w = result.witness
    exact = {
        k: ([sympy.Rational(x) for x in v] if isinstance(v, list) else sympy.Rational(v))
        for k, v in w.values.items()
    }
    # a declared name the claim never uses is left out of the witness (any value will do)
    exact.setdefault("s", sympy.S.Zero)
    for name in VECTORS:
        exact.setdefault(name, [sympy.S.Zero] * w.n)
    left = componentwise(lhs, exact, w.n, sympy.Rational(w.eps))
    right = componentwise(rhs, exact, w.n, sympy.Rational(w.eps))
    assert left is not None and right is not None, (
        "the witness must be a point where both sides exist"
    )
    if len(left) != len(right):
        left, right = left * (len(right) // len(left) or 1), right * (len(left) // len(right) or 1)
    return any(
        abs(p - q) > sympy.Float("1e-25") * max(1, abs(p), abs(q))
        for p, q in zip(left, right, strict=True)
    )


SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


@SETTINGS
@given(tree=st.one_of(vectors, scalars), seed=st.integers(0, 10_000))
def test_equivalent_spellings_are_never_refuted(tree: Tree, seed: int) -> None:
    lhs, rhs = render(tree), render(tree, random.Random(seed))
    result = prove(lhs, rhs, vectors=VECTORS, scalars=SCALARS)
    assert result.status is not Status.REFUTED, result.report()
    if result.status is Status.PROVED:
        verdict = agree(lhs, rhs, seed)
        assume(verdict is not None)
        assert verdict, result.report()


@SETTINGS
@given(
    pair=st.one_of(st.tuples(vectors, vectors), st.tuples(scalars, scalars)),
    seed=st.integers(0, 10_000),
)
def test_verdicts_on_random_pairs_are_sound(pair: tuple[Tree, Tree], seed: int) -> None:
    lhs, rhs = render(pair[0], random.Random(seed)), render(pair[1], random.Random(seed + 1))
    result = prove(lhs, rhs, vectors=VECTORS, scalars=SCALARS)
    if result.status is Status.PROVED:
        verdict = agree(lhs, rhs, seed)
        assume(verdict is not None)
        assert verdict, result.report()
    elif result.status is Status.REFUTED:
        assert witness_separates(result, lhs, rhs), result.report()
