"""One rule for names: kinds from declarations, values, the default x and use, everywhere."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lnsym
from lnsym.cli import main
from lnsym.cli.arguments import COMMAND_LINE
from lnsym.derive.load import load_derivation
from lnsym.errors import DataError, LnsymError, ParseError, interface
from lnsym.kernels import make_spec
from lnsym.lang.definitions import Kind
from lnsym.lang.names import resolve

RHS = "sqrt(n)*dot(w, c(x))/sqrt(norm(c(x))**2 + n*eps)"


@pytest.mark.parametrize(
    ("statements", "vectors", "scalars"),
    [
        (["LN(x)"], ("x",), ()),
        (["dot(w, LN(x)) + b"], ("x", "w"), ("b",)),
        (["y + x"], ("x", "y"), ()),  # a term of a sum beside a vector
        (["s*x - mu(x)*ones"], ("x",), ("s",)),  # a factor beside a vector
        (["x/k + y"], ("x", "y"), ("k",)),  # a divisor
        (["u(y, e)"], ("y",), ("e",)),  # argument kinds of u
        (["sqrt(t)*x"], ("x",), ("t",)),
        (["alpha > 0", ("alpha*z", "x")], ("x", "z"), ("alpha",)),  # an ordered relation
        ([("v", "LN(x)")], ("x", "v"), ()),  # the sides of an equation agree
        ([("q", "dot(x, x)")], ("x",), ("q",)),
        (["2**p*x"], ("x",), ("p",)),
        (["LNA(x, g, beta)"], ("x", "g", "beta"), ()),
        (["a*b*x"], ("x",), ("a", "b")),  # product with a vector: each factor beside it
    ],
)
def test_kinds_come_from_use(
    statements: list, vectors: tuple[str, ...], scalars: tuple[str, ...]
) -> None:
    context = resolve(statements)
    assert context.vectors == vectors
    assert context.scalars == scalars


def test_default_x_is_added_to_declarations_not_replaced() -> None:
    assert resolve(["dot(w, LN(x))"], vectors="w").vectors == ("w", "x")
    assert resolve(["x*a"], scalars="x,a").scalars == ("x", "a")  # x declared a scalar
    assert resolve(["LN(w)"]).vectors == ("w",)  # an x that does not occur is not a parameter


def test_declarations_settle_what_use_leaves_open() -> None:
    with pytest.raises(ParseError, match=r"cannot tell whether 'a' is a vector or a scalar"):
        resolve(["a*b"])
    context = resolve(["a*b"], vectors="a")
    assert context.vectors == ("a",) and context.scalars == ("b",)
    with pytest.raises(ParseError, match=r"cannot tell whether 'b'"):
        resolve(["a*b"], scalars="a")  # a scalar times b: b may still be either
    assert resolve(["a*b"], scalars="a,b").scalars == ("a", "b")


def test_given_values_tell_their_kind_and_conflicts_are_named() -> None:
    context = resolve(["w/2 + x"], given={"w": Kind.VECTOR})
    assert context.vectors == ("x", "w")
    with pytest.raises(DataError, match=r"x was given a scalar where a vector is needed"):
        resolve(["LN(x)"], given={"x": Kind.SCALAR})
    with pytest.raises(DataError, match=r"e was given a vector where a scalar is needed"):
        resolve(["u(x, e)"], given={"e": Kind.VECTOR})
    # a kind passed on through a sum does not say which term is wrong: the parser reports it
    context = resolve(["dot(w, x) + b"], given={"b": Kind.VECTOR})
    with pytest.raises(LnsymError, match="cannot add a vector and a scalar"):
        lnsym.parse("dot(w, x) + b", context)


def test_python_errors_name_the_arguments_cli_errors_the_flags() -> None:
    with pytest.raises(LnsymError) as python_error:
        lnsym.latex("a*b")
    assert "vectors='a' or scalars='a'" in str(python_error.value)
    assert "--vectors" not in str(python_error.value)
    with interface(COMMAND_LINE), pytest.raises(LnsymError) as cli_error:
        lnsym.latex("a*b")
    assert "--vectors a or --scalars a" in str(cli_error.value)
    with pytest.raises(LnsymError, match="listed twice among the vectors; list each name once"):
        lnsym.prove("x", "x", vectors="x,x")


@pytest.mark.parametrize("api", ["prove", "latex", "kernel", "export"])
def test_every_interface_infers_w_and_b(api: str) -> None:
    if api == "prove":
        assert lnsym.prove("dot(w, LN(x))", RHS).proved
        assert lnsym.prove("dot(w, LN(x)) + b", RHS + " + b").proved
    elif api == "latex":
        assert lnsym.latex("dot(w, LN(x)) + b") == r"\langle w, \operatorname{LN}(x) \rangle + b"
    elif api == "kernel":
        f = lnsym.kernel("dot(w, LN(x)) + b")
        assert f.spec.parameters == ("x", "w", "b")
        x = np.array([1.0, 2.0, 3.0, 5.0])
        w = np.array([0.5, -1.0, 2.0, 0.25])
        c = x - x.mean()
        expected = float(w @ (c / np.sqrt((c @ c) / 4 + 1e-5))) + 0.5  # componentwise numpy
        assert f(x, w, 0.5) == pytest.approx(expected, rel=1e-13)
    else:
        assert "def dot_w_ln_x_plus_b(x, w, b," in lnsym.export(
            "dot(w, LN(x)) + b", backend="numpy"
        )


def test_cli_commands_agree(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prove", "dot(w, LN(x))", RHS]) == 0
    assert main(["prove", "dot(w, LN(x))", RHS, "--vectors", "w"]) == 0  # adds w; x stays
    assert main(["latex", "dot(w, LN(x)) + b"]) == 0
    assert main(["export", "dot(w, LN(x)) + b", "--backend", "numpy"]) == 0
    capsys.readouterr()
    assert main(["eval", "dot(w, LN(x)) + b", "--set", "x=1,2,3", "--set", "w=1,1,1"]) == 2
    assert "no value given for 'b'" in capsys.readouterr().err


def test_derivation_files_infer_kinds(tmp_path) -> None:
    path = tmp_path / "d.toml"
    path.write_text(
        'title = "reading LN with w"\n'
        '[[steps]]\nexpr = "dot(w, LN(x)) + b"\n'
        f'[[steps]]\nexpr = "{RHS} + b"\nby = "definition of LN"\n'
    )
    derivation = load_derivation(path)
    assert derivation.vectors == ("x", "w") and derivation.scalars == ("b",)
    assert lnsym.check_derivation(derivation).ok


def test_derivation_files_name_the_toml_fix(tmp_path) -> None:
    path = tmp_path / "d.toml"
    path.write_text(
        'title = "t"\n[[steps]]\nexpr = "a*b"\n[[steps]]\nexpr = "b*a"\nby = "algebra"\n'
    )
    with pytest.raises(LnsymError, match=r'vectors = \["a"\] or scalars = \["a"\]'):
        load_derivation(path)


#: every entry point that reads a list of names: all take the language's one rule (parse_names)
_READERS = {
    "prove": lambda names: lnsym.prove("dot(x, w)", "dot(w, x)", **names),
    "kernel": lambda names: lnsym.kernel("dot(x, w)", **names),
    "export": lambda names: lnsym.export("dot(x, w)", backend="numpy", **names),
    "resolve": lambda names: resolve(["dot(x, w)"], **names),
    "make_spec": lambda names: make_spec("dot(x, w)", **names),
}


@pytest.mark.parametrize("reader", sorted(_READERS))
@pytest.mark.parametrize(
    ("names", "shown"),
    [
        ({"vectors": "x,,w"}, "vectors= has an empty name in 'x,,w'"),
        ({"vectors": "x, w,"}, "vectors= has an empty name in 'x, w,'"),
        ({"scalars": ",a"}, "scalars= has an empty name in ',a'"),
        ({"vectors": ["x", " "]}, "vectors= has an empty name in ['x', ' ']"),
        ({"vectors": ["x", 3]}, "vectors= takes names as strings"),
        ({"scalars": 5}, "scalars= takes a comma-separated string or a list of names, not int"),
    ],
)
def test_one_rule_for_name_lists(reader: str, names: dict[str, object], shown: str) -> None:
    """kernel(vectors="x,,w") fails as prove(vectors="x,,w") does, with the same one line."""
    with pytest.raises(LnsymError) as raised:
        _READERS[reader](names)
    message = str(raised.value)
    assert message.startswith(shown) and "\n" not in message, message


@pytest.mark.parametrize("reader", sorted(_READERS))
def test_name_lists_may_be_empty_or_spaced(reader: str) -> None:
    for names in ({"vectors": " x , w "}, {"vectors": ["x", "w"], "scalars": ""}, {"scalars": []}):
        assert _READERS[reader](names) is not None


@pytest.mark.parametrize(
    "command",
    [
        ["eval", "dot(x, w)", "--set", "x=1,2", "--set", "w=3,4"],
        ["export", "dot(x, w)", "--backend", "numpy"],
    ],
)
def test_the_command_line_names_the_flag_of_an_empty_name(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*command, "--vectors", "x,,w"]) == 2
    error = capsys.readouterr().err
    assert error.endswith(
        "error: --vectors has an empty name in 'x,,w'; separate names by one comma\n"
    )


def test_a_derivation_file_names_its_key_of_an_empty_name(tmp_path) -> None:
    path = tmp_path / "d.toml"
    path.write_text('title = "t"\nvectors = "x,,w"\n[[steps]]\nexpr = "dot(x, w)"\n')
    with pytest.raises(LnsymError, match=r"d\.toml: vectors = has an empty name in 'x,,w'"):
        load_derivation(path)


_LEAVES = st.sampled_from(["x", "w", "b", "k", "2", "n", "eps"])


def _formula() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.builds(lambda a, b: f"({a} + {b})", inner, inner),
            st.builds(lambda a, b: f"({a})*({b})", inner, inner),
            st.builds(lambda a: f"LN({a})", inner),
            st.builds(lambda a, b: f"dot({a}, {b})", inner, inner),
            st.builds(lambda a: f"({a})/k", inner),
        )

    return st.recursive(_LEAVES, extend, max_leaves=6)


@settings(max_examples=150, deadline=None)
@given(_formula())
def test_inferred_kinds_type_check_or_fail_with_one_clear_error(text: str) -> None:
    """Whatever resolve decides, the parser accepts it, or one of the two raises a one-line
    LnsymError; inference never assigns a kind that contradicts a function's signature."""
    try:
        context = resolve([text])
    except LnsymError as error:
        assert "\n" not in str(error)
        return
    try:
        lnsym.parse(text, context)
    except LnsymError as error:
        assert "\n" not in str(error)
        return
    # read independently of the inference: a bare name inside LN( ) or dot( ) is a vector,
    # a bare name divided into is a scalar
    import re

    for name in re.findall(r"(?:LN\(|dot\(|, )([a-z]+)\)", text) + re.findall(
        r"dot\(([a-z]+),", text
    ):
        if name not in ("n", "eps"):
            assert name in context.vectors, (text, context)
    if "/k" in text:
        assert "k" in context.scalars


def test_parse_follows_the_rule_too() -> None:
    assert str(lnsym.parse("dot(w, x) + b")) == "b + dot(w, x)"
    with pytest.raises(ParseError, match="vectors='a' or scalars='a'"):
        lnsym.parse("a*b")
    assert (
        lnsym.parse("a*b", vectors="a").free_symbols == lnsym.parse("b*a", vectors="a").free_symbols
    )
