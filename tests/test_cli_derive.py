"""``lnsym derive`` and ``lnsym latex`` as a user runs them: output, files written, exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lnsym.cli import main

ROOT = Path(__file__).resolve().parents[1]
DERIVATIONS = ROOT / "derivations"
COUNT = len(list(DERIVATIONS.glob("*.toml")))

GOOD = 'title = "Good"\n[[steps]]\nexpr = "c(c(x))"\n[[steps]]\nexpr = "c(x)"\nby = "algebra"\n'
BROKEN = (
    'title = "Broken"\n[[steps]]\nexpr = "LN(x)"\n'
    '[[steps]]\nexpr = "sqrt(n)*u(c(x), eps)"\nby = "definition of u"\n'
)


def test_derive_checks_every_shipped_derivation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["derive", str(DERIVATIONS)]) == 0
    out = capsys.readouterr().out
    assert "01-main-identity.toml" in out and "08-inner-product.toml" in out
    assert "step 6 proved  sqrt(n)*u(c(x), n*eps)   (definition of u)" in out
    assert "claim 1 refuted as expected: norm(LN(x)) = 1" in out
    last = out.strip().splitlines()[-1]
    assert last.startswith(f"OK {COUNT} derivations (") and "refuted claims) checked in" in last


def test_derive_quiet_prints_one_line_per_derivation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["derive", str(DERIVATIONS), "--quiet"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == COUNT + 1
    assert all("[ok, " in line for line in lines[:-1])


def test_derive_a_failing_step_exits_1_naming_file_step_and_difference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a-good.toml").write_text(GOOD)
    broken = tmp_path / "b-broken.toml"
    broken.write_text(BROKEN)
    assert main(["derive", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"{broken}:5: step 2 does not follow from step 1 (definition of u): refuted" in out
    assert "  difference (step 1 - step 2): " in out
    assert out.strip().splitlines()[-1].startswith("FAILED 1 of 2 derivations")


def test_derive_out_writes_documents(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "good.toml"
    source.write_text(GOOD)
    out = tmp_path / "proofs"
    assert main(["derive", str(source), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["all.tex", "good.tex", "index.md"]
    assert "wrote 3 files" in capsys.readouterr().out
    assert r"\begin{align*}" in (out / "good.tex").read_text()


def test_derive_out_writes_nothing_when_a_step_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "broken.toml"
    source.write_text(BROKEN)
    out = tmp_path / "proofs"
    assert main(["derive", str(source), "--out", str(out)]) == 1
    assert not out.exists()
    assert "not writing documents" in capsys.readouterr().err


def test_derive_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "broken.toml"
    source.write_text(BROKEN)
    assert main(["derive", str(source), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False
    (derivation,) = data["derivations"]
    steps = derivation["chains"][0]["steps"]
    assert [s["status"] for s in steps] == ["start", "refuted"]
    assert derivation["failures"][0].startswith(f"{source}:5: step 2")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("title = [", "invalid TOML"),
        (
            'title = "t"\n[[steps]]\nexpr = "LN(x"\n[[steps]]\nexpr = "x"\nby = "algebra"\n',
            "step 1:",
        ),
        (
            'title = "t"\n[[steps]]\nexpr = "x"\n[[steps]]\nexpr = "x"\nby = "trust me"\n',
            "trust me",
        ),
    ],
)
def test_derive_malformed_file_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, fragment: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    assert main(["derive", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err.strip()
    assert err.startswith(f"lnsym derive: error: {path}: ")
    assert fragment in err and "\n" not in err


def test_derive_missing_path_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["derive", str(tmp_path / "nowhere.toml")]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["sqrt(n)*u(c(x), n*eps)"], r"\sqrt{n} u_{n \varepsilon}(c(x))"),
        (["LN(x)"], r"\operatorname{LN}(x)"),
        (
            ["dot(w, LN(a + b))", "--vectors", "w,a,b"],
            r"\langle w, \operatorname{LN}(a + b) \rangle",
        ),
        (["s*x - mu(x)*ones", "--scalars", "s"], r"s x - \mu(x) \mathbf{1}"),
        (["s*x - mu(x)*ones"], r"s x - \mu(x) \mathbf{1}"),  # s: a factor beside a vector
        (["dot(w, LN(a + b))"], r"\langle w, \operatorname{LN}(a + b) \rangle"),  # from use
        (["w/2", "--vectors", "w"], r"\frac{w}{2}"),
        (["w/2", "--scalars", "w"], r"\frac{w}{2}"),
    ],
)
def test_latex_command(argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["latex", *argv]) == 0
    assert capsys.readouterr().out == expected + "\n"


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["x + 1"], "cannot add a vector and a scalar"),
        (
            ["w/2"],
            "cannot tell whether 'w' is a vector or a scalar in 'w/2'; declare it with "
            "--vectors w or --scalars w",
        ),
    ],
)
def test_latex_command_bad_input_exits_2(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["latex", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lnsym latex: error: ") and fragment in err


@pytest.mark.skipif(
    shutil.which("lnsym") is None, reason="the lnsym console script is not installed"
)
def test_console_script_checks_derivations() -> None:
    """The installed script checks every derivation (its speed is benchmarks/cli.py's business;
    the timeout only bounds the work)."""
    run = subprocess.run(
        ["lnsym", "derive", "derivations/"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip().splitlines()[-1].startswith(f"OK {COUNT} derivations")


def test_module_entry_point_prints_latex() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "lnsym", "latex", "Var(x)"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == "\\operatorname{Var}[x]\n"
