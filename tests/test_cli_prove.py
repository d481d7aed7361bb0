"""The ``lnsym prove`` contract: output, JSON fields and exit codes (0/1/3/2)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from lnsym.cli import main


def run(*args: str) -> tuple[int, str, str]:
    process = subprocess.run(
        [sys.executable, "-m", "lnsym", *args], capture_output=True, text=True, check=False
    )
    return process.returncode, process.stdout, process.stderr


def test_proved_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prove", "LN(x)", "sqrt(n)*u(c(x), n*eps)"]) == 0
    assert capsys.readouterr().out.startswith("PROVED: LN(x) = sqrt(n)*u(c(x), n*eps)")


def test_refuted_json_has_the_witness(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prove", "LN(x)", "sqrt(n)*u(c(x), eps)", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "refuted"
    for key in ("lhs", "rhs", "dim", "assumptions", "method"):
        assert key in data
    witness = data["witness"]
    assert set(witness) >= {"n", "eps", "values", "lhs", "rhs"}
    assert len(witness["values"]["x"]) == witness["n"]
    assert witness["lhs"] != witness["rhs"]


def test_assume_and_dim(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["prove", "sqrt(n)*u(x, n*eps)", "x/sqrt(Var(x) + eps)", "--assume", "mu(x) = 0", "--json"]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["assumptions"] == ["mu(x) = 0"]
    assert main(["prove", "LN(x)", "sqrt(n)*u(c(x), n*eps)", "--dim", "512", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["dim"] == 512


def test_attribution_identity_with_declared_vectors() -> None:
    rhs = "sqrt(n)*(dot(w, c(a)) + dot(w, c(b)))/sqrt(norm(c(a + b))**2 + n*eps)"
    assert main(["prove", "dot(w, LN(a + b))", rhs, "--vectors", "w,a,b"]) == 0


def test_unknown_exits_3(monkeypatch: pytest.MonkeyPatch) -> None:
    from lnsym.prover import decide

    monkeypatch.setattr(decide, "find_witness", lambda *args, **kwargs: None)
    assert main(["prove", "LN(x)", "sqrt(n)*u(c(x), eps)"]) == 3


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["prove", "a*b", "b*a"], "declare it with --vectors a or --scalars a"),
        (["prove", "LN(x)", "x", "--vectors", "x,x"], "'x' is listed twice among the vectors"),
        (["prove", "x", "x", "--vectors", "x", "--scalars", "x"], "both a vector and a scalar"),
        (["prove", "LN(x)", "1"], "cannot compare a vector"),
        (["prove", "LN(x)", "x", "--dim", "0"], "positive integer"),
        (["prove", "LN(x)", "x", "--dim", "abc"], "invalid int value"),
        (["prove", "LN(x)"], "give LHS and RHS, or one 'LHS = RHS'"),
        (["prove", "a = b = c"], "has more than one relation (=, =)"),
        (["prove", "x", "x", "--assume", "mu(x)"], "LHS = RHS"),
        (["prove", "x", "x", "--vectors", "eps"], "built-in"),
        (["prove", "__import__('os')", "x"], "unsupported"),
        (["prove", "2**1000000", "1"], "out of range"),
        (["prove", "10**(10**10)", "1"], "out of range"),
        (["prove", "1e999", "1"], "out of range"),
        (["prove", "sqrt(-1)", "1"], "over the reals"),
        (["prove", "x/(n-n)", "x"], "division by zero"),
    ],
)
def test_bad_input_is_one_line_exit_2(args: list[str], fragment: str) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert out == ""
    assert fragment in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("lhs", "rhs", "code"),
    [
        ("LN(0*x)", "0*x", 0),
        ("dot(x, 0*x)", "0", 0),
        ("norm(0*x)", "0", 0),
        ("cos(x, 0*x)", "1", 3),
    ],
)
def test_zero_vectors_folded_by_sympy_still_evaluate(lhs: str, rhs: str, code: int) -> None:
    assert main(["prove", lhs, rhs]) == code


def test_an_unwritable_path_is_one_line_exit_2() -> None:
    code, out, err = run("figures", "/proc/no-such-dir/figures")
    assert code == 2 and out == ""
    assert (
        "/proc/no-such-dir: No such file or directory" in err and len(err.strip().splitlines()) == 1
    )
    assert "Traceback" not in err


def test_a_budget_spent_while_reading_is_unknown(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 18: the budget running out before the identity was even read was exit 2 ("reading the
    identity took longer than the time budget"); the docs promise a spent budget is UNKNOWN, 3."""
    import time

    from lnsym.prover import Status, decide, prove

    monkeypatch.setattr(decide, "setup", lambda *args, **kwargs: time.sleep(30))
    start = time.perf_counter()
    assert main(["prove", "LN(x)", "x", "--timeout", "0.01"]) == 3
    assert time.perf_counter() - start < 5  # the budget cut the reading short
    out = capsys.readouterr().out
    assert out.startswith("UNKNOWN: LN(x) = x\n") and "time budget of 0.01 s exhausted" in out
    assert "reading the identity did not finish" in out
    assert main(["prove", "LN(x) = x", "--timeout", "0.01", "--json"]) == 3
    answer = json.loads(capsys.readouterr().out)
    assert answer["status"] == "unknown" and answer["lhs"] == "LN(x)" and answer["rhs"] == "x"
    proof = prove("LN(x)", "x", timeout=0.01)  # the API: a verdict, not an error
    assert proof.status is Status.UNKNOWN and not proof
    assert proof.latex() == r"\operatorname{LN}(x) \overset{?}{=} x"


def test_a_budget_spent_while_reading_is_unknown_end_to_end() -> None:
    # a long sum takes far more than 10 ms to read on any machine: no patching
    code, out, err = run("prove", "+".join(["LN(x)"] * 300), "x", "--timeout", "0.01")
    assert code == 3 and err == ""
    assert out.startswith("UNKNOWN: ") and "time budget of 0.01 s exhausted" in out
