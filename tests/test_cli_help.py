"""The newcomer's path on the command line: help pages, the language, and clear messages."""

from __future__ import annotations

import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from lnsym.cli import build_parser, main
from lnsym.cli.language import language_help
from lnsym.install import needs
from lnsym.lang.definitions import DEFINITIONS
from lnsym.lang.reference import instance, plain_formula


def run(*argv: str, columns: int = 80) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "lnsym", *argv],
        capture_output=True,
        text=True,
        env={"COLUMNS": str(columns), "PATH": "/usr/bin:/bin"},
        timeout=300,
    )
    return done.returncode, done.stdout, done.stderr


def _commands() -> list[str]:
    parser = build_parser()
    for action in parser._actions:
        if hasattr(action, "choices") and isinstance(action.choices, dict):
            return list(action.choices)
    raise AssertionError("no commands")


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_examples_wrapped_to_the_terminal(
    command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "72")
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = capsys.readouterr().out
    assert "examples:" in text
    examples = text.split("examples:", 1)[1]
    assert f"lnsym {command}" in examples or command == "help"
    for line in text.splitlines():
        # prose is wrapped to the width; only example command lines may run longer
        if len(line) > 72:
            assert line.startswith("  lnsym ") or line.strip().startswith("--"), line


def test_language_lists_every_function_builtin_and_the_names_rule() -> None:
    code, out, err = run("language")
    assert code == 0 and err == ""
    for name, cls in DEFINITIONS.items():
        assert f"{name}(" in out
        assert plain_formula(cls.formula) in out
    for builtin in ("n ", "eps ", "ones ", "sqrt(s)"):
        assert f"\n  {builtin}" in out
    assert "sandwich(a, v): Geometric-algebra sandwich" in out
    assert "a v a = 2<a, v> a - <a, a> v" in out
    assert "they add" in out and "the default x" in out
    assert max(len(line) for line in out.splitlines()) <= 100
    assert run("help", "language")[1] == out


def test_language_calls_use_the_formulas_names_and_no_tex() -> None:
    """Issue 18: LNA(x, y, z) was shown beside g ⊙ LN(x) + beta, and jvp/grad/diff printed raw
    TeX (\\big|_t=0)."""
    text = language_help(100)
    assert "\\" not in text and "{" not in text, "raw TeX in lnsym language"
    assert "LNA(x, g, beta), LNA(x, g, beta, e): Affine layer normalization" in text
    assert "      ∂F/∂x v = d/dt F(x + t v) at t=0" in text
    assert "      <∇_x f, v> = ∂f/∂x v for all v" in text and "      ∂F/∂α" in text
    for cls in DEFINITIONS.values():
        if hasattr(cls, "example"):  # jvp, grad, diff: an example call, not names
            continue
        formula = plain_formula(cls.formula)
        for argument in instance(cls, with_eps=True).args:
            if str(argument) != "e":  # LN(x, e): the formula writes the default, eps
                assert re.search(rf"\b{argument}\b", formula), (cls.language_name, argument)


def test_help_topics() -> None:
    code, out, _ = run("help", "prove")
    assert code == 0 and "LHS = RHS" in out and "examples:" in out
    code, out, err = run("help", "nope")
    assert code == 2 and out == ""
    assert "no help on 'nope'; topics: attribute, check, compare" in err and "language" in err


def test_plain_formulas_read_like_the_language() -> None:
    assert plain_formula(DEFINITIONS["u"].formula) == "u_e(y) = y / sqrt(|y|^2 + e)"
    assert plain_formula(DEFINITIONS["cos"].formula) == "cos(a, b) = <a, b> / (|a| |b|)"
    assert plain_formula(DEFINITIONS["Var"].formula) == "Var[x] = |c(x)|^2 / n"


def test_prove_takes_one_equation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prove", "LN(x) = sqrt(n)*u(c(x), n*eps)"]) == 0
    assert "PROVED: LN(x) = sqrt(n)*u(c(x), n*eps)" in capsys.readouterr().out
    assert main(["prove", "LN(x) == sqrt(n)*u(c(x), eps)"]) == 1
    assert main(["prove", "u(a*x, a**2*eps) = u(x, eps)", "--assume", "a > 0"]) == 0
    capsys.readouterr()
    assert main(["prove", "LN(x)"]) == 2
    assert "give LHS and RHS, or one 'LHS = RHS'" in capsys.readouterr().err


def test_eval_scalar_given_for_a_vector() -> None:
    code, out, err = run("eval", "LN(x)", "--set", "x=5")
    assert code == 2 and out == ""
    assert err == (
        "lnsym eval: error: x was given a scalar where a vector is needed (argument 1 of LN in "
        "'LN(x)'); give a list or a file, e.g. --set x=1,2,3\n"
    )


@pytest.mark.parametrize("backend", ["numpy", "numba", "torch"])
def test_eval_undefined_is_an_error_naming_the_cause(backend: str) -> None:
    if backend != "numpy":
        pytest.importorskip(backend, reason=needs(f"the {backend} backend", backend))
    code, out, err = run(
        "eval", "LN(x)", "--set", "x=1,1,1,1", "--set", "eps=0", "--backend", backend
    )
    assert code == 2 and out == ""
    assert "RuntimeWarning" not in err and "Traceback" not in err
    assert err.startswith("lnsym eval: error: c(x) = 0 and eps = 0: LN is undefined;")
    assert "--allow-nan" in err


def test_eval_allow_nan_prints_nan_without_warnings() -> None:
    code, out, err = run("eval", "LN(x)", "--set", "x=1,1,1,1", "--set", "eps=0", "--allow-nan")
    assert code == 0 and err == ""
    assert out.strip() == "[nan, nan, nan, nan]"
    with warnings.catch_warnings():  # the ground truth, componentwise: 0/0
        warnings.simplefilter("ignore")
        assert np.all(np.isnan(np.zeros(4) / np.sqrt(np.zeros(4).var())))


@pytest.mark.parametrize(
    ("argv", "cause"),
    [
        (["x/mu(x)", "--set", "x=1,-1"], "mu(x) = 0: division by zero"),
        (["RMS(x)", "--set", "x=0,0,0", "--set", "eps=0"], "x = 0 and eps = 0: RMS is undefined"),
        (["cos(x, w)", "--set", "x=0,0", "--set", "w=1,2"], "x = 0: cos is undefined"),
        (["LN(x)", "--set", "x=1,2,3", "--set", "eps=-5"], "Var(x) + eps < 0: LN is undefined"),
        (["LN(x)", "--set", "x=1,1,1", "--set", "eps=0", "--exact"], "c(x) = 0 and eps = 0"),
    ],
)
def test_eval_undefined_causes(argv: list[str], cause: str) -> None:
    code, out, err = run("eval", *argv)
    assert code == 2 and out == "" and cause in err and "Traceback" not in err


def test_eval_batched_rows_name_the_failing_row(tmp_path) -> None:
    data = np.array([[1.0, 2.0, 3.0], [4.0, 4.0, 4.0], [0.0, 1.0, 0.0]])
    np.save(tmp_path / "rows.npy", data)
    code, _, err = run("eval", "LN(x)", "--set", f"x={tmp_path / 'rows.npy'}", "--set", "eps=0")
    # independently: only the constant row has c(x) = 0
    constant = [i for i, row in enumerate(data) if np.all(row == row.mean())]
    assert constant == [1]
    assert code == 2 and "(row 1, 1 row(s) in all)" in err


def test_vectors_listed_twice() -> None:
    code, _, err = run("eval", "LN(x)", "--set", "x=1,2", "--vectors", "x,x")
    assert code == 2
    assert "'x' is listed twice among the vectors; list each name once, e.g. --vectors x" in err


def test_defined_values_are_unchanged_by_the_nan_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "LN(x)", "--set", "x=1,2,3,5"]) == 0
    got = [float(v) for v in capsys.readouterr().out.strip("[]\n").split(",")]
    x = np.array([1.0, 2.0, 3.0, 5.0])
    expected = (x - x.mean()) / np.sqrt(x.var() + 1e-5)
    np.testing.assert_allclose(got, expected, rtol=1e-14)


@pytest.mark.parametrize("command", ["latex", "prove", "eval", "export"])
def test_deeply_nested_input_is_one_line(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    chain = "+".join(["x"] * 3000)  # deeper than Python's own parser recurses
    argv = {"prove": [chain, "x"], "eval": [chain, "--set", "x=1,2"]}.get(command, [chain])
    assert main([command, *argv]) == 2
    err = capsys.readouterr().err
    assert "nested too deeply" in err or "too large" in err
    assert len(err.strip().splitlines()) == 1


def test_a_function_used_as_a_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["latex", "LN + x"]) == 2
    assert "'LN' is a function; call it, e.g. LN(x)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["w + x", "--set", "w=5", "--set", "x=1,2"],
            "cannot add a vector and a scalar in 'w + x'",
        ),
        (["a*b", "--set", "a=1,2", "--set", "b=1,2"], "cannot multiply two vectors in 'a*b'"),
        (
            ["u(x, e)", "--set", "x=1,2", "--set", "e=1,2"],
            "e was given a vector where a scalar is needed (argument 2 of u in 'u(x, e)')",
        ),
        (
            ["LN(x)", "--set", "x=1,2,3", "--set", "eps=-5", "--exact"],
            "Var(x) + eps < 0: LN is undefined",
        ),
        (
            ["LN(x)", "--set", "x=1,1,1", "--set", "eps=0", "--exact", "--allow-nan"],
            "exact evaluation has no NaN to print",
        ),
    ],
)
def test_eval_mismatches_name_the_right_culprit(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_the_exit_status_table_lists_every_status() -> None:
    """Issue 18: docs/cli.md's table lacked exit 4 (an internal error)."""
    from lnsym.cli import EXIT_BAD_INPUT, EXIT_INTERNAL_ERROR

    text = (Path(__file__).resolve().parents[1] / "docs" / "cli.md").read_text()
    table = text.split("## Exit status", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| (\d) \| (.+) \|$", table, re.M))
    assert sorted(rows) == ["0", "1", "2", "3", "4"]
    assert "bad input" in rows[str(EXIT_BAD_INPUT)]
    assert "internal error" in rows[str(EXIT_INTERNAL_ERROR)]
