"""``lnsym eval`` and ``lnsym export``: the seed's numbers, JSON, batches and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from _data import BIAS, LN_LOGIT, UNCENTERED_LOGIT, shared
from lnsym.cli import main
from lnsym.errors import DataError, LnsymError
from lnsym.install import needs
from lnsym.kernels.evaluation import evaluate
from lnsym.numeric.data import load, read_value


def seed_args() -> list[str]:
    x, w = shared("pre_norm.jl"), shared("probe_token.jl")
    return ["--set", f"x={x}", "--set", f"w={w}", "--set", f"b={BIAS}"]


def test_seed_logit_float64(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "dot(w, LN(x)) + b", *seed_args()]) == 0
    printed = capsys.readouterr().out.strip()
    assert abs(Decimal(printed) / Decimal(LN_LOGIT) - 1) < Decimal("1e-13")


def test_seed_logit_exact(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "dot(w, LN(x)) + b", *seed_args(), "--exact"]) == 0
    assert capsys.readouterr().out == LN_LOGIT + "\n"
    uncentered = "dot(w, sqrt(512)*u(x, eps)) + b"
    assert main(["eval", uncentered, *seed_args(), "--exact", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"value": UNCENTERED_LOGIT}
    folded = "dot(w, sqrt(n)*u(c(x), n*eps)) + b"
    assert main(["eval", folded, *seed_args(), "--digits", "30"]) == 0
    assert capsys.readouterr().out.strip() == LN_LOGIT


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_ln_json(backend: str, capsys: pytest.CaptureFixture[str]) -> None:
    if backend != "numpy":
        pytest.importorskip(backend, reason=needs(f"the {backend} backend", backend))
    assert main(["eval", "LN(x)", "--set", "x=1,2,3,5", "--json", "--backend", backend]) == 0
    value = json.loads(capsys.readouterr().out)["value"]
    x = np.array([1.0, 2.0, 3.0, 5.0])
    expected = (x - x.mean()) / np.sqrt(x.var() + 1e-5)
    np.testing.assert_allclose(value, expected, rtol=1e-14)


def test_exact_vector_and_eps(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "LN(x)", "--set", "x=1,2,3", "--set", "eps=0", "--digits", "12"]) == 0
    assert capsys.readouterr().out.strip() == "[-1.22474487139, 0.0, 1.22474487139]"
    assert main(["eval", "norm(x)", "--set", "x=[3, 4]"]) == 0
    assert capsys.readouterr().out.strip() == "5.0"


def test_batches_along_an_axis(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = tmp_path / "columns.csv"
    table.write_text("1, 10\n2, 20\n4, 40\n")  # two columns (llm-viz: tokens are columns)
    assert main(["eval", "mu(x)", "--set", f"x={table}", "--axis", "0", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"value": [7 / 3, 70 / 3]}
    assert main(["eval", "mu(x)", "--set", f"x={table}", "--axis", "0", "--exact"]) == 0
    lines = capsys.readouterr().out.split()
    assert lines == ["[2.33333333333333333333333333333,", "23.3333333333333333333333333333]"]


def test_declared_types(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "a*mu(x)", "--scalars", "a", "--set", "a=2", "--set", "x=1,3"]) == 0
    assert capsys.readouterr().out.strip() == "4.0"
    assert main(["eval", "a*mu(x)", "--vectors", "x,a", "--set", "a=2", "--set", "x=1,3"]) == 2
    assert "a is declared a vector but was given a scalar" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["LN(x)", "--set", "x=1,2", "--set", "z=3"], "'z' does not occur in 'LN(x)'"),
        (["dot(w, x)", "--set", "x=1,2,3", "--set", "w=1,2"], "x has 3, w has 2"),
        (["LN(x)", "--set", "x=1,nan,3"], "'nan' is not finite"),
        (["LN(x)", "--set", "x=1,inf"], "'inf' is not finite"),
        (["dot(w, x)", "--set", "x=1,2"], "no value given for 'w'; add --set w=VALUE"),
        (["LN(x)", "--set", "x"], "write NAME=VALUE"),
        (["LN(x)", "--set", "x=missing.jl"], "missing.jl: no such file"),
        (["LN(x)", "--set", "x=1,2", "--set", "x=3,4"], "given twice"),
        (["LN(x)", "--set", "x=1,2", "--set", "n=3"], "built in"),
        (["LN(x", "--set", "x=1,2"], "cannot parse"),
        (["LN(x)", "--set", "x=1,2", "--axis", "3"], "--axis 3"),
    ],
)
def test_errors_are_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("lnsym eval: error: ")
    assert message in captured.err
    assert captured.err.count("\n") == 1


def test_no_traceback_from_the_script(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jl"
    bad.write_text("x = [1, 2, oops]\n")
    process = subprocess.run(
        [sys.executable, "-m", "lnsym", "eval", "LN(x)", "--set", f"x={bad}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 2
    assert "Traceback" not in process.stderr
    expected = f"--set x: {bad}:1: x, entry 3: 'oops' is not a number (expected e.g. 3, -0.25"
    assert process.stderr.startswith(f"lnsym eval: error: {expected}")
    assert process.stderr.count("\n") == 1


def test_export_writes_an_importable_module(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("numba", reason=needs("the numba backend", "numba"))
    monkeypatch.chdir(tmp_path)
    code = main(
        ["export", "LN(x)", "--backend", "numba", "--name", "layer_norm", "--out", "ln_kernel.py"]
    )
    assert code == 0
    assert "wrote ln_kernel.py: layer_norm(x, *, eps=1e-05" in capsys.readouterr().out
    script = (
        "import numpy as np, ln_kernel; "
        "x = np.array([[1.0, 2.0, 3.0, 5.0]], dtype=np.float32); "
        "print(ln_kernel.layer_norm(x).dtype, ln_kernel.layer_norm(x)[0, 3]); "
        "print('Proved by lnsym' in ln_kernel.__doc__, r'\\operatorname{LN}(x)' in ln_kernel.__doc__)"
    )
    process = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    dtype, value, *_ = process.stdout.split()
    assert dtype == "float32"
    assert abs(float(value) - 1.521274181317175) < 1e-6
    assert process.stdout.split()[2:] == ["True", "True"]


def test_export_to_stdout_and_errors(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "export",
        "dot(w, LN(x)) + b",
        "--vectors",
        "x,w",
        "--scalars",
        "b",
        "--backend",
        "numpy",
    ]
    assert main([*args, "--name", "logit"]) == 0
    source = capsys.readouterr().out
    namespace: dict[str, object] = {}
    exec(compile(source, "logit.py", "exec"), namespace)  # the generated module, not user text
    logit = namespace["logit"]
    assert callable(logit)
    assert abs(float(logit([1.0, 2.0, 3.0, 5.0], [0, 0, 0, 1.0], 0.5)) - 2.021274181317175) < 1e-12
    assert main([*args, "--name", "logit", "--out", "logit.txt"]) == 2
    assert "must end in .py" in capsys.readouterr().err
    assert main(["export", "LN(out)", "--vectors", "out"]) == 2
    assert "used inside generated kernels" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------------
# lnsym.kernels.evaluation: what eval computes and prints, from Python
# --------------------------------------------------------------------------------------------------


def reference_ln(x: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """Row-wise LN written out with NumPy (biased variance, eps inside the root)."""
    centered = x - x.mean(axis=-1, keepdims=True)
    return centered / np.sqrt((centered**2).mean(axis=-1, keepdims=True) + eps)


@pytest.mark.parametrize("n", [1, 2, 7])
def test_evaluate_is_what_eval_prints(
    n: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(n)
    x = rng.normal(size=(3, n)) * 10.0 ** rng.integers(-3, 4, size=(3, 1))
    np.save(tmp_path / "x.npy", x)
    result = evaluate("LN(x)", {"x": load(tmp_path / "x.npy")})
    np.testing.assert_allclose(np.array(result.value), reference_ln(x), rtol=1e-9, atol=1e-12)
    assert main(["eval", "LN(x)", "--set", f"x={tmp_path / 'x.npy'}"]) == 0
    assert capsys.readouterr().out == result.report() + "\n"
    assert main(["eval", "LN(x)", "--set", f"x={tmp_path / 'x.npy'}", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == result.to_json()


def test_evaluate_exact_scalars_and_eps() -> None:
    values = {"x": read_value("0.1,0.2,0.4"), "b": read_value("0.8328"), "eps": read_value("0")}
    exact = evaluate("mu(x) + b", values, exact=True, digits=20)
    # (0.1 + 0.2 + 0.4)/3 + 0.8328 = 0.7/3 + 0.8328, from the decimals, not their binary roundings
    expected = Fraction(7, 30) + Fraction(8328, 10000)
    assert Decimal(exact.value) == round(Decimal(expected.numerator) / expected.denominator, 19)
    assert exact.report() == exact.value and exact.to_json() == {"value": exact.value}
    assert float(evaluate("dot(x, x)", {"x": values["x"]}).report()) == pytest.approx(0.21)
    with pytest.raises(DataError, match=r"LN is undefined; give other values, or pass allow_nan="):
        evaluate("LN(x, 0)", {"x": read_value("1,1,1")})
    assert evaluate("LN(x, 0)", {"x": read_value("2,2")}, allow_nan=True).report() == "[nan, nan]"
    with pytest.raises(DataError, match="exact evaluation has no NaN to print"):
        evaluate("LN(x, 0)", {"x": read_value("2,2")}, exact=True, allow_nan=True)


@pytest.mark.parametrize(
    ("expr", "values", "message"),
    [
        ("LN(x)", {"x": "1,2", "y": "3"}, r"values\['y'\]: 'y' does not occur in 'LN\(x\)'"),
        ("dot(w, x)", {"x": "1,2"}, "no value given for 'w'; add 'w' to the values"),
        ("dot(w, x)", {"x": "1,2", "w": "1,2,3"}, "same length n along axis -1: x has 2, w has 3"),
        ("a*b", {"a": "1", "b": "2"}, r"no vector input.*such as x=\[1, 2, 3\]"),
        ("LN(x)", {"x": "1,2", "eps": "1,2"}, r"values\['eps'\]: the regularizer must be one"),
    ],
)
def test_evaluate_errors_name_the_python_arguments(
    expr: str, values: dict[str, str], message: str
) -> None:
    with pytest.raises(LnsymError, match=message):
        evaluate(expr, {name: read_value(text) for name, text in values.items()})
    with pytest.raises(DataError, match=r"axis= 2: x has only 1 axis"):
        evaluate("LN(x)", {"x": read_value("1,2")}, axis=2)
