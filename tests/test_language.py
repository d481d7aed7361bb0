"""The expression language: a whitelisting parser with type checks and helpful errors."""

from __future__ import annotations

import pytest
import sympy

from lnsym.errors import ParseError, TypeMismatchError
from lnsym.lang.definitions import Kind, LayerNorm, UnitScale, eps, n
from lnsym.lang.parser import Context, parse, parse_assumption, parse_typed

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


def test_assumptions() -> None:
    equation = parse_assumption("mu(x) = 0", CTX)
    assert equation.relation == "=" and equation.kind is Kind.SCALAR
    assert parse_assumption("alpha > 0", CTX).relation == ">"
    assert parse_assumption("c(x) == x", CTX).kind is Kind.VECTOR
    with pytest.raises(ParseError, match="LHS = RHS"):
        parse_assumption("mu(x)", CTX)
    with pytest.raises(TypeMismatchError, match="only scalars can be ordered"):
        parse_assumption("x > w", CTX)
