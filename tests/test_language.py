"""The expression language: a whitelisting parser with type checks and helpful errors."""

from __future__ import annotations

import pytest
import sympy

from lnsym.cli import main
from lnsym.cli.statement import sides
from lnsym.errors import ParseError, TypeMismatchError
from lnsym.lang.definitions import Kind, LayerNorm, UnitScale, eps, n
from lnsym.lang.names import resolve
from lnsym.lang.parser import (
    Context,
    parse,
    parse_assumption,
    parse_typed,
    relations,
    split_relation,
)
from lnsym.prover import prove

CTX = Context(vectors=("x", "w", "a", "b"), scalars=("alpha", "k"))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("2", Kind.SCALAR),
        ("0.8328", Kind.SCALAR),
        ("1e-5", Kind.SCALAR),
        ("-x", Kind.VECTOR),
        ("(x + w)/2", Kind.VECTOR),
        ("n^2", Kind.SCALAR),
        ("mu(x) + E(x) + Var(x) + norm(x) + dot(a, b) + cos(a, b)", Kind.SCALAR),
        ("c(x) + u(x, eps) + LN(x) + LN(x, 2*eps) + RMS(x) + RMS(x, 1)", Kind.VECTOR),
        ("hadamard(a, b) + sandwich(a, b) + LNA(x, a, b) + LNA(x, a, b, 0)", Kind.VECTOR),
        ("sqrt(n)*u(c(x), n*eps)", Kind.VECTOR),
        ("alpha*ones", Kind.VECTOR),
    ],
)
def test_kinds(text: str, kind: Kind) -> None:
    assert parse_typed(text, CTX)[1] is kind


def test_numbers_are_exact_decimals() -> None:
    assert parse("0.8328", CTX) == sympy.Rational(8328, 10000)
    assert parse("1e-5", CTX) == sympy.Rational(1, 100000)


def test_caret_is_power_with_power_precedence() -> None:
    assert parse("1 + n^2", CTX) == 1 + n**2
    assert parse("2^3^2", CTX) == 512


def test_ln_defaults_to_eps() -> None:
    x = sympy.Symbol("x")
    value = parse("LN(x)", CTX)
    assert isinstance(value, LayerNorm) and value.args[1] == eps
    assert str(value) == "LN(x)"
    assert str(parse("LN(x, 2*eps)", CTX)) == "LN(x, 2*eps)"
    assert isinstance(parse("u(x, n*eps)", CTX), UnitScale)
    assert x not in value.free_symbols  # vectors are their own symbol class


def test_printing_round_trips() -> None:
    for text in [
        "sqrt(n)*u(c(x), n*eps)",
        "dot(w, LN(a + b))",
        "LNA(x, a, b)",
        "sandwich(ones, x)",
    ]:
        assert parse(str(parse(text, CTX)), CTX) == parse(text, CTX)


@pytest.mark.parametrize(
    ("text", "error", "fragment"),
    [
        ("x + 1", TypeMismatchError, "cannot add a vector and a scalar"),
        ("x*w", TypeMismatchError, "dot(a, b)"),
        ("1/x", TypeMismatchError, "divide by a vector"),
        ("x**2", TypeMismatchError, "norm(v)**2"),
        ("dot(alpha, k)", TypeMismatchError, "must be a vector"),
        ("LN(x, eps, 1)", TypeMismatchError, "takes 1 or 2 argument"),
        ("u(x)", TypeMismatchError, "takes 2 argument"),
        ("y + x", ParseError, "vectors='y' or scalars='y'"),
        ("foo(x)", ParseError, "unknown function 'foo'"),
        ("LN", ParseError, "is a function"),
        ("__import__('os').system('true')", ParseError, "unsupported"),
        ("x.T", ParseError, "unsupported syntax"),
        ("x[0]", ParseError, "unsupported syntax"),
        ("lambda: 1", ParseError, "unsupported syntax"),
        ("'text'", ParseError, "only numbers"),
        ("(x", ParseError, "cannot parse"),
        ("", ParseError, "empty expression"),
        ("x/0", ParseError, "division by zero"),
        ("LN(x=1)", ParseError, "keyword"),
    ],
)
def test_errors_name_the_problem_and_the_fix(text: str, error: type, fragment: str) -> None:
    with pytest.raises(error, match=None) as info:
        parse(text, CTX)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_declarations_are_checked() -> None:
    with pytest.raises(ParseError, match="built-in"):
        Context(vectors=("n",))
    with pytest.raises(ParseError, match="declared both a vector and a scalar"):
        Context(vectors=("x",), scalars=("x",))
    with pytest.raises(ParseError, match="not a valid name"):
        Context(vectors=("x y",))


#: statements and how they split: one rule (split_relation) for the prover, name inference,
#: assumptions and the command line
SPLITS = [
    ("mu(x) = 0", ("mu(x)", "=", "0")),
    ("mu(x)==0", ("mu(x)", "=", "0")),
    ("  alpha >= 0 ", ("alpha", ">=", "0")),
    ("dot(w, x) < a*b", ("dot(w, x)", "<", "a*b")),
    ("norm(c(x))**2 > n*eps", ("norm(c(x))**2", ">", "n*eps")),
]
#: (a malformed statement, the start of the one message every reader gives)
MALFORMED = [
    ("a = b = c", "'a = b = c' has more than one relation (=, =); write one between two sides"),
    ("a <= b < c", "'a <= b < c' has more than one relation (<=, <)"),
    ("a = ", "cannot read 'a =': both sides of = must be given"),
    ("a != b", "cannot read 'a != b': write one relation between two sides"),
]


@pytest.mark.parametrize(("text", "parts"), SPLITS, ids=[t for t, _ in SPLITS])
def test_one_rule_splits_a_relation(text: str, parts: tuple[str, str, str]) -> None:
    left, relation, right = split_relation(text)
    assert (left, relation, right) == parts and relations(text) in ((relation,), ("==",))
    context = Context(vectors=("x", "w"), scalars=("alpha", "a", "b"))
    assumption = parse_assumption(text, context)
    assert assumption.relation == relation and str(assumption.lhs) == str(parse(left, context))
    inferred = resolve([text], vectors="x,w")  # sides of an inequality are scalars
    assert "alpha" not in inferred.vectors and "a" not in inferred.vectors


@pytest.mark.parametrize(("text", "message"), MALFORMED, ids=[t for t, _ in MALFORMED])
def test_a_malformed_relation_reads_the_same_everywhere(
    text: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    readers = [
        lambda: split_relation(text),
        lambda: parse_assumption(text, CTX),
        lambda: resolve([text]),
        lambda: prove(text),
    ]
    for read in readers:
        with pytest.raises(ParseError) as raised:
            read()
        assert str(raised.value).startswith(message), str(raised.value)
    assert main(["prove", text]) == 2
    assert capsys.readouterr().err.startswith(f"lnsym prove: error: {message}")


def test_an_expression_has_no_relation() -> None:
    assert relations("LN(x)") == () and relations("dot(w, x) + (a)") == ()
    with pytest.raises(ParseError, match="give LHS and RHS, or one 'LHS = RHS'"):
        sides("LN(x)", None)


def test_assumptions() -> None:
    equation = parse_assumption("mu(x) = 0", CTX)
    assert equation.relation == "=" and equation.kind is Kind.SCALAR
    assert parse_assumption("alpha > 0", CTX).relation == ">"
    assert parse_assumption("c(x) == x", CTX).kind is Kind.VECTOR
    with pytest.raises(ParseError, match="LHS = RHS"):
        parse_assumption("mu(x)", CTX)
    with pytest.raises(TypeMismatchError, match="only scalars can be ordered"):
        parse_assumption("x > w", CTX)
