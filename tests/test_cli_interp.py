"""``lnsym fold``, ``lnsym attribute`` and ``lnsym compare``: output, JSON and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from _data import LN_LOGIT, UNCENTERED_LOGIT, shared
from lnsym.cli import main


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code = main([*args, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "fold" in out and "attribute" in out and "compare" in out


# -- fold --------------------------------------------------------------------------------------


def test_fold_text(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["fold", "--set", "w=1,2,3", "--set", "g=2,1,0.5", "--set", "beta=0.1,0,-0.1"]
    assert main([*args, "--set", "b=0.5"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("PROVED: b + dot(w, LNA(x, g, beta)) = ")
    assert "folded reader g*w: [2, 2, 1.5]" in out
    assert "folded bias <w, beta> + b: 0.3" in out
    assert "check on 16 random rows" in out and ": ok" in out


def test_fold_json_centered_and_out_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_file = tmp_path / "reader.npy"
    code, data = run_json(
        capsys,
        "fold",
        "--set",
        "w=1,2,3,4",
        "--set",
        "g=1,1,2,2",
        "--center",
        "--out",
        str(out_file),
    )
    assert code == 0 and data["status"] == "proved" and data["centered"]
    assert "c(hadamard(g, w))" in data["identity"]
    reader = np.load(out_file)
    np.testing.assert_allclose(reader, data["reader"])
    np.testing.assert_allclose(reader, np.array([1, 2, 6, 8]) - 4.25)
    assert data["check"]["ok"] and data["check"]["random_x"]


def test_fold_on_the_pythia_vectors(capsys: pytest.CaptureFixture[str]) -> None:
    w, x = shared("probe_token.jl"), shared("pre_norm.jl")
    code, data = run_json(
        capsys, "fold", "--set", f"w={w}", "--set", f"x={x}", "--set", "b=0.8328", "--center"
    )
    assert code == 0 and data["check"]["ok"] and not data["check"]["random_x"]
    assert data["bias"] == pytest.approx(0.8328)
    assert abs(sum(data["reader"])) < 1e-12
    assert main(["fold", "--set", f"w={w}", "--set", f"x={x}", "--set", "b=0.8328"]) == 0
    assert "11.4078519121788" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["fold", "--set", "x=1,2"], "no reader given"),
        (["fold", "--set", "w=1,2", "--set", "g=1,2,3"], "different lengths"),
        (["fold", "--set", "w=1,2", "--set", "q=3"], "'q' is not one"),
        (["fold", "--set", "w=1,2", "--set", "eps=-1"], "positive"),
        (["fold", "--set", "w1,2"], "write NAME=VALUE"),
        (["fold", "--set", "w=1,2", "--out", "reader.bin"], "unknown format"),
        (["attribute", "--set", "w=1,2"], "no components"),
        (["attribute", "--component", "a=1,2,3", "--set", "w=1,2"], "different lengths"),
        (["attribute", "--component", "a=1,2"], "no reader given"),
        (["compare", "LN(y)", "LN(x)", "--set", "x=1,2,3"], "no value given for 'y'"),
        (["compare", "LN(x)", "LN(x)", "--set", "x=1,nan"], "not finite"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_bad_input_prints_no_traceback() -> None:
    process = subprocess.run(
        [sys.executable, "-m", "lnsym", "attribute", "--set", "w=1,2"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 2 and "Traceback" not in process.stderr
    assert process.stderr.startswith("lnsym attribute: error: no components")


# -- attribute ---------------------------------------------------------------------------------


def test_attribute_text(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["attribute", "--component", "emb=1,0,2,1", "--component", "attn=0,3,-1,2"]
    assert main([*args, "--set", "w=1,-1,0.5,0"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("PROVED: b + dot(w, LNA(a1 + a2, g, beta))")
    assert "in the components' names: b + dot(w, LNA(emb + attn, g, beta))" in out
    assert "emb" in out and "attn" in out and "a different quantity" in out
    assert "REFUTED: dot(w, LN(a + b)) = dot(w, LN(a)) + dot(w, LN(b))" in out
    assert ": ok" in out


def test_store_writes_a_numpy_array_in_blocks_in_this_process(tmp_path: Path) -> None:
    """A NumPy result is written block by block here, without Dask, whatever ``engine`` says;
    resume finds every block written."""
    from lnsym.execute.stores import store

    value = np.arange(30.0).reshape(10, 3)
    out = str(tmp_path / "value.npy")
    report = store(value, out, job={"what": "rows"}, engine=object(), block=(4, 3))  # type: ignore[arg-type]
    assert (report.blocks, report.written, report.where) == (3, 3, "this process")
    np.testing.assert_array_equal(np.load(out), value)
    again = store(value, out, job={"what": "rows"}, resume=True, block=(4, 3))
    assert (again.written, again.skipped) == (0, 3)


def test_attribute_out_in_memory_writes_the_table_block_by_block(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``--out`` stores the table (shares, bias, logit, rounding bound) whether the components
    are in memory or on Dask: the same rows, the same check from the file, the same resume."""
    from lnsym.interp import attribute

    rng = np.random.default_rng(5)
    parts = rng.normal(size=(3, 40, 6))
    np.save(tmp_path / "parts.npy", parts)
    w = rng.normal(size=6)
    out = tmp_path / "shares.npy"
    command = ["attribute", "--components", str(tmp_path / "parts.npy")]
    command += ["--set", "w=" + ",".join(f"{v:.17g}" for v in w), "--out", str(out)]
    assert main([*command, "--chunk-mb", "0.001"]) == 0
    printed = capsys.readouterr().out
    assert "rows: parts[0], parts[1], parts[2], bias, logit, rounding_bound" in printed
    assert "block(s)" in printed and ": ok" in printed
    eager = attribute(list(parts), w)
    table = np.load(out)
    assert table.shape == (6, 40)
    np.testing.assert_array_equal(table, eager.table())
    assert np.all(np.abs(table[:3].sum(axis=0) + table[3] - table[4]) <= table[5])
    assert main([*command, "--chunk-mb", "0.001"]) == 2  # never overwritten silently
    assert "exists; pass --resume" in capsys.readouterr().err
    assert main([*command, "--chunk-mb", "0.001", "--resume", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["ok"] and summary["written"]["written"] == 0
    assert summary["rows"][-3:] == ["bias", "logit", "rounding_bound"]


def test_attribute_json_shares_sum_to_the_logit(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rng = np.random.default_rng(0)
    parts = rng.normal(size=(4, 10)) + 1
    matrix = tmp_path / "parts.csv"
    np.savetxt(matrix, parts, delimiter=",", fmt="%.17g")
    wv = rng.normal(size=10)
    w = ",".join(f"{v:.17g}" for v in wv)
    x = parts.sum(axis=0)
    norm = float(np.sqrt(((x - x.mean()) ** 2).sum() + 10 * 1e-5))  # the shared scale's root
    code, data = run_json(
        capsys, "attribute", "--components", str(matrix), "--set", f"w={w}", "--set", "b=0.5"
    )
    assert code == 0 and data["ok"] and data["status"] == "proved"
    names = [c["name"] for c in data["components"]]
    assert names == ["parts[0]", "parts[1]", "parts[2]", "parts[3]"]
    for k, component in enumerate(data["components"]):  # parts[k] is row k of the file
        c = parts[k] - parts[k].mean()
        assert component["share"] == pytest.approx(float(np.sqrt(10) * (c @ wv)) / norm, abs=1e-12)
    shares = sum(c["share"] for c in data["components"])
    assert shares + data["bias"] == pytest.approx(data["logit"], abs=1e-12)
    separate = sum(c["separate_ln"] for c in data["components"]) + data["bias"]
    assert separate == pytest.approx(data["separate_ln_total"])
    assert abs(data["separate_ln_gap"]) > 1e-3
    claim = data["per_component_ln"]
    assert claim["status"] == "refuted" and claim["witness"]["lhs"] != claim["witness"]["rhs"]


def test_attribute_on_the_pythia_vectors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from lnsym.numeric.data import load

    x = load(shared("pre_norm.jl")).array
    part = np.random.default_rng(1).normal(size=x.size)
    np.save(tmp_path / "part.npy", part)
    np.save(tmp_path / "rest.npy", x - part)
    code, data = run_json(
        capsys,
        "attribute",
        "--component",
        f"part={tmp_path / 'part.npy'}",
        "--component",
        f"rest={tmp_path / 'rest.npy'}",
        "--set",
        f"w={shared('probe_token.jl')}",
        "--set",
        "b=0.8328",
    )
    assert code == 0 and data["ok"]
    assert data["logit"] == pytest.approx(float(LN_LOGIT), rel=1e-12)
    assert data["sum_of_shares_plus_bias"] == pytest.approx(float(LN_LOGIT), rel=1e-12)


# -- compare -----------------------------------------------------------------------------------


def test_compare_the_seed_formula(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["compare", "dot(w, sqrt(n)*u(x, eps)) + b", "dot(w, LN(x)) + b"]
    values = [f"x={shared('pre_norm.jl')}", f"w={shared('probe_token.jl')}", "b=0.8328"]
    sets = [item for v in values for item in ("--set", v)]
    code, data = run_json(capsys, *args, *sets)
    assert code == 0 and data["status"] == "refuted"
    assert data["lhs_value"] == UNCENTERED_LOGIT and data["rhs_value"] == LN_LOGIT
    assert data["difference_value"].startswith("3.687565455596027")
    assert data["residual_value"].startswith("3.687565455596027")
    quantities = {q["name"]: q["value"] for q in data["quantities"]}
    assert float(quantities["mu(x)"]) == 9.765625e-7 and quantities["n"] == "512"
    assert "mu(x)" in data["difference"] and "eps" in data["difference"]
    assert main([*args, *sets]) == 0
    out = capsys.readouterr().out
    assert f"lhs       = {UNCENTERED_LOGIT}" in out and f"rhs       = {LN_LOGIT}" in out
    assert "mu(x) = 9.765625e-7" in out and "eps -> 0" in out


def test_compare_a_name_on_each_side(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 18: was an internal error (exit 4, f() got an unexpected keyword argument 'y')."""
    args = ["compare", "LN(x)", "LN(y)", "--set", "x=1,2,3,6", "--set", "y=0,1,5,2"]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out.startswith("REFUTED: LN(x) = LN(y)")
    code, data = run_json(capsys, *args)
    assert code == 0 and data["status"] == "refuted"
    x, y = np.array([1.0, 2.0, 3.0, 6.0]), np.array([0.0, 1.0, 5.0, 2.0])
    for name, v in (("lhs_float64", x), ("rhs_float64", y)):
        c = v - v.mean()
        np.testing.assert_allclose(data[name], c / np.sqrt((c * c).mean() + 1e-5), rtol=1e-14)


def test_compare_proved_and_digits(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(
        capsys, "compare", "LN(x)", "sqrt(n)*u(c(x), n*eps)", "--set", "x=1,2,3,6", "--digits", "12"
    )
    assert code == 0 and data["status"] == "proved" and data["difference"] == "0"
    assert data["digits"] == 12 and len(data["lhs_value"][0].lstrip("-").replace(".", "")) <= 13


def test_compare_with_an_assumption(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(
        capsys,
        "compare",
        "sqrt(n)*u(x, n*eps)",
        "x/sqrt(Var(x) + eps)",
        "--set",
        "x=-1,0,1,0",
        "--assume",
        "mu(x) = 0",
    )
    assert code == 0 and data["status"] == "proved"


def test_attribute_numbers_from_zero_and_prints_no_negative_zero(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Issue 18: components were numbered from 1 (parts[1] was row 0) while rows and readers
    counted from 0, and a zero share of a negative logit printed a fraction of -0.000."""
    matrix = tmp_path / "parts.csv"
    parts = np.array([[1.0, 0.0, 2.0, 1.0], [0.0, 3.0, -1.0, 2.0], [0.0, 0.0, 0.0, 0.0]])
    np.savetxt(matrix, parts, delimiter=",")
    w = np.array([1.0, -1.0, 0.5, 0.0])
    args = ["attribute", "--components", str(matrix), "--set", "w=1,-1,0.5,0"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "-0.000" not in out and " -0 " not in out
    assert "a1 = parts[0], a2 = parts[1], a3 = parts[2]" in out and "counts from 0" in out
    x = parts.sum(axis=0)
    scale = 2.0 / np.sqrt(((x - x.mean()) ** 2).sum() + 4e-5)
    logit = 0.0
    for k, part in enumerate(parts):  # row k of the file is parts[k], with its own share
        share = scale * float(w @ (part - part.mean()))
        logit += share
        line = next(line for line in out.splitlines() if line.startswith(f"  parts[{k}] "))
        assert float(line.split()[1]) == pytest.approx(share, abs=1e-12)
    assert logit < 0  # a zero share of a negative logit: the fraction is 0, unsigned
    zero = next(line for line in out.splitlines() if line.startswith("  parts[2] "))
    assert zero.split()[1:3] == ["0", "0.000"]


def test_attribute_norm_rms_cli(capsys: pytest.CaptureFixture[str]) -> None:
    """--norm RMS: shares g*a_k/rms(x), no centring (checked against NumPy)."""
    code, out = run_json(
        capsys,
        "attribute",
        "--component",
        "a=1,2,3,4",
        "--component",
        "b=0,1,-1,2",
        "--set",
        "w=1,0,0.5,-1",
        "--norm",
        "RMS",
    )
    a, b, w = np.array([1, 2, 3, 4.0]), np.array([0, 1, -1, 2.0]), np.array([1, 0, 0.5, -1])
    rms = np.sqrt(((a + b) ** 2).mean() + 1e-5)
    assert code == 0 and out["ok"] and out["norm"] == "RMS"
    shares = [c["share"] for c in out["components"]]
    np.testing.assert_allclose(shares, [w @ a / rms, w @ b / rms], rtol=1e-12)
    assert main(["fold", "--set", "w=1,2,3", "--set", "g=2,1,1", "--norm", "RMS", "--center"]) == 2
    assert "RMSNorm" in capsys.readouterr().err
