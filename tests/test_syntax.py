"""The one front end: text → syntax tree (lang/syntax.py) → one walk into the typed expression and
its written form (lang/parser.read); LaTeX, the names rule and the prover all start from there."""

from __future__ import annotations

import ast
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import lnsym
from lnsym.cli import main
from lnsym.errors import ParseError, TypeMismatchError
from lnsym.lang import syntax
from lnsym.lang.latex import assumption_latex, latex
from lnsym.lang.names import resolve
from lnsym.lang.parser import Context, Parsed, parse, parse_assumption, read, used_names
from lnsym.lang.syntax import (
    BinaryOp,
    Call,
    Name,
    Negate,
    Number,
    Unsupported,
    syntax_tree,
    walk,
)

ROOT = Path(__file__).resolve().parents[1]
CTX = Context(vectors=("x", "y"), scalars=("a", "b"))


def test_syntax_tree_nodes_carry_their_text() -> None:
    tree = syntax_tree(" -(a + 0.50)*LN(x) ^ 2 ")
    assert tree == BinaryOp(
        "-(a + 0.50)*LN(x) ** 2",
        "*",
        Negate("-(a + 0.50)", BinaryOp("a + 0.50", "+", Name("a"), Number("0.50", 0.5))),
        BinaryOp("LN(x) ** 2", "**", Call("LN(x)", "LN", (Name("x"),)), Number("2", 2)),
    )
    assert syntax_tree("+x") == Name("x")  # a unary plus is no node


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x % 2", "unsupported operator in 'x % 2'"),
        ("~x", "unsupported syntax '~x' in '~x'"),
        ("x.T(y)", "unsupported call 'x.T(y)'; call a function by its name"),
        ("LN(x=1)", "keyword arguments are not supported in 'LN(x=1)'"),
        ("True", "unsupported literal 'True'; only numbers are allowed"),
    ],
)
def test_what_is_outside_the_language_is_an_unsupported_node(text: str, message: str) -> None:
    node = syntax_tree(text)
    assert isinstance(node, Unsupported) and node.message.startswith(message)
    with pytest.raises(ParseError, match=re.escape(message)):
        parse(text, CTX)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        # errors come in the order the walk meets them: operands before their operator ...
        ("z % 2", "unknown name 'z'"),
        ("LN(x) % 2", "unsupported operator in 'LN(x) % 2'"),
        # ... arguments before an unknown function, left before right
        ("foo(z)", "unknown name 'z'"),
        ("~x + foo(z)", "unsupported syntax '~x'"),
        ("x + 1 + ~x", "cannot add a vector and a scalar in 'x + 1'"),
        ("LN(*x)", "unsupported syntax '*x'"),
    ],
)
def test_errors_keep_their_order(text: str, fragment: str) -> None:
    with pytest.raises((ParseError, TypeMismatchError)) as info:
        parse(text, CTX)
    assert fragment in str(info.value) and "\n" not in str(info.value)


def test_the_names_rule_reads_around_what_the_parser_rejects() -> None:
    # the call without its keyword makes w a vector; the parser then names the keyword
    assert resolve([("LN(x, e=1) + w", "x")]).vectors == ("x", "w")
    with pytest.raises(ParseError, match="keyword arguments"):
        lnsym.parse("LN(x, e=1) + w")
    # a literal that is no number still counts as a scalar beside its neighbours
    assert resolve(["k*'s' + 1"]).scalars == ("k",)


def test_used_names_include_names_in_unsupported_parts() -> None:
    assert used_names("dot(w, LN(x)) + b") == {"w", "x", "b"}
    assert used_names("x.T + y[k]") == {"x", "y", "k"}
    assert used_names("LN(x, e=w)") == {"x", "w"}


def test_walk_is_depth_first_left_to_right() -> None:
    texts = [node.text for node in walk(syntax_tree("a*b + dot(x, -y)"))]
    assert texts == ["a*b + dot(x, -y)", "a*b", "a", "b", "dot(x, -y)", "x", "-y", "y"]


def test_read_gives_both_forms_in_one_walk() -> None:
    parsed = read("x - mu(x)*ones", CTX)
    assert isinstance(parsed, Parsed) and parsed.kind is lnsym.Kind.VECTOR
    assert parsed.expr == parse("x - mu(x)*ones", CTX)
    assert parsed.text == "x - mu(x)*ones"
    # the written form keeps the order written; the typed one is SymPy's canonical form
    assert latex(parsed) == r"x - \mu(x) \mathbf{1}"
    assert latex(parsed.expr) == r"- \mu(x) \mathbf{1} + x"
    assert latex("x - mu(x)*ones", context=CTX) == latex(parsed)


def test_assumptions_print_as_written_in_proofs_and_documents() -> None:
    context = Context(vectors=("x", "y"), scalars=("alpha",))
    assumption = parse_assumption("x = y + alpha*ones", context)
    expected = r"x = y + \alpha \mathbf{1}"
    assert assumption_latex(assumption) == assumption_latex("x = y + alpha*ones", context)
    assert assumption_latex(assumption) == expected
    proof = lnsym.prove("c(x)", "c(y)", assume="x = y + alpha*ones", scalars="alpha")
    assert proof.proved
    assert proof.latex().endswith(r"\quad \text{given } " + expected)


def test_no_other_module_of_the_language_reads_python_syntax() -> None:
    readers = [
        path.name
        for path in sorted((ROOT / "src" / "lnsym" / "lang").glob("*.py"))
        if re.search(r"^(import ast|from ast import)", path.read_text(), re.MULTILINE)
    ]
    assert readers == ["syntax.py"]


# -- properties over random formulas ----------------------------------------------------------


def _scalars(vectors: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    leaf = st.sampled_from(["a", "b", "n", "eps", "2", "3", "0", "1"])
    divisor = st.sampled_from(["n", "eps", "a", "2", "(a + 1)"])

    def grow(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.builds(lambda p, q: f"{p} + {q}", inner, inner),
            st.builds(lambda p, q: f"{p} - ({q})", inner, inner),
            st.builds(lambda p, q: f"({p})*{q}", inner, inner),
            st.builds(lambda p, d: f"{p}/{d}", inner, divisor),
            st.builds(lambda p: f"({p})**2", inner),
            st.builds(lambda p: f"-{p}", inner),
            st.builds(lambda v: f"mu({v})", vectors),
            st.builds(lambda v, w: f"dot({v}, {w})", vectors, vectors),
            st.builds(lambda v: f"sqrt(Var({v}) + eps)", vectors),
        )

    return st.recursive(leaf, grow, max_leaves=6)


def _vectors() -> st.SearchStrategy[str]:
    leaf = st.sampled_from(["x", "y", "ones"])

    def grow(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        scalar = st.sampled_from(["a", "2", "n", "mu(x)", "dot(x, y)"])
        return st.one_of(
            st.builds(lambda v, w: f"{v} + {w}", inner, inner),
            st.builds(lambda v, w: f"{v} - ({w})", inner, inner),
            st.builds(lambda s, v: f"{s}*{v}", scalar, inner),
            st.builds(lambda v, s: f"({v})*{s}", inner, scalar),
            st.builds(lambda v: f"{v}/n", inner),
            st.builds(lambda v: f"-({v})", inner),
            st.builds(lambda v: f"c({v})", inner),
            st.builds(lambda v: f"LN({v})", inner),
            st.builds(lambda v, w: f"hadamard({v}, {w})", inner, inner),
        )

    return st.recursive(leaf, grow, max_leaves=5)


FORMULAS = st.one_of(_vectors(), _scalars(_vectors()))


def _evaluated(expr: Any) -> Any:
    """Rebuild ``expr`` with SymPy's evaluation (the written form is unevaluated)."""
    if isinstance(expr, sympy.Number) or not expr.args:
        return expr
    return expr.func(*(_evaluated(arg) for arg in expr.args))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(FORMULAS)
def test_the_written_form_is_the_typed_expression_unevaluated(text: str) -> None:
    parsed = read(text, CTX)
    assert _evaluated(parsed.written) == parsed.expr
    assert latex(text, context=CTX) == latex(parsed)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(FORMULAS)
def test_every_node_reads_back_from_its_own_text(text: str) -> None:
    for node in walk(syntax_tree(text)):
        assert node.text in text.replace("^", "**")
        assert syntax_tree(node.text) == node


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x % 2", "unsupported operator in 'x % 2'"),
        ("w % 2", "unsupported operator in 'w % 2'"),
        ("z % 2 + x", "unsupported operator in 'z % 2'"),
        ("dot(w, x) // 2", "unsupported operator in 'dot(w, x) // 2'"),
        ("~a", "unsupported syntax '~a'"),
        ("a.T", "unsupported syntax 'a.T'"),
    ],
)
def test_what_is_outside_the_language_is_the_error_everywhere(
    text: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The names rule used to drop the names under an unsupported operator, so latex and parse
    said "unknown name 'x'" (or "cannot tell whether 'w' ...") where prove named the operator."""
    for call in (lnsym.latex, lnsym.parse):
        with pytest.raises(ParseError) as caught:
            call(text)
        assert str(caught.value).startswith(message), str(caught.value)
    assert main(["latex", text]) == 2
    assert message in capsys.readouterr().err


class CountingAst:
    """Python's ast module as lnsym's syntax module sees it, recording what ``ast.parse`` reads."""

    def __init__(self) -> None:
        self.sources: list[str] = []

    def parse(self, source: str, *args: Any, **kwargs: Any) -> Any:
        self.sources.append(source)
        return ast.parse(source, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(ast, name)


def test_one_call_parses_each_text_once(monkeypatch: pytest.MonkeyPatch) -> None:
    counter = CountingAst()
    monkeypatch.setattr(syntax, "ast", counter)
    v = f"v{uuid.uuid4().hex[:8]}"  # a name no earlier test used: its texts were never parsed
    proved, refuted = (f"c(c({v}))", f"c({v})"), (f"LN(3*{v})", f"LN({v})")
    for lhs, rhs in (proved, refuted):  # a proof, and a refutation (its witness search too)
        lnsym.prove(f"{lhs} = {rhs}")
        assert (counter.sources.count(lhs), counter.sources.count(rhs)) == (1, 1)
    formula = f"dot({v}, LN(x)) + b"
    lnsym.kernel(formula, vectors=f"x,{v}", scalars="b")
    assert counter.sources.count(formula) == 1
    before = len(counter.sources)
    assert lnsym.prove(f"{proved[0]} = {proved[1]}").status.value == "proved"  # shared trees
    assert len(counter.sources) == before  # ... read from the cache, not parsed again
