"""``lnsym prove --file F``: one statement a line, per-line flags, bad lines reported in place, the
worst status as the exit status, a budget per line."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from lnsym.cli import main
from lnsym.cli.batch import WORST_FIRST, worst

MAIN = "LN(x) = sqrt(n)*u(c(x), n*eps)"
WRONG = "LN(x) = sqrt(n)*u(c(x), eps)"  # eps not scaled by n


def write(tmp_path: Path, *lines: str) -> str:
    path = tmp_path / "identities.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def batch(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    code = main(["prove", *argv])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def test_the_two_statements_are_what_numbers_say() -> None:
    # the ground truth of MAIN and WRONG, independent of lnsym: numpy at n = 5 with eps = 0.1
    rng = np.random.default_rng(18)
    x, eps = rng.normal(size=5), 0.1
    n, c = x.size, x - x.mean()
    layer_norm = c / np.sqrt(x.var() + eps)
    assert np.allclose(layer_norm, np.sqrt(n) * c / np.sqrt(c @ c + n * eps), rtol=1e-13)
    assert not np.allclose(layer_norm, np.sqrt(n) * c / np.sqrt(c @ c + eps), rtol=1e-3)


def test_one_verdict_a_line_numbered_by_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path,
        "# identities of issue 18",
        MAIN,
        "",
        f"{WRONG}   # refuted",
        "norm(LN(x)) = sqrt(n) --limit eps=0",
        "u(a*x, a**2*eps) = u(x, eps) --assume 'a > 0'",
        "   # an indented comment",
        "-LN(x) = -sqrt(n)*u(c(x), n*eps)",
    )
    code, out, err = batch(capsys, "--file", path)
    assert out == [
        f"2: PROVED: {MAIN}",
        f"4: REFUTED: {WRONG}  [certified witness at n = 4 (exact values, interval arithmetic)]",
        "5: PROVED: norm(LN(x)) = sqrt(n) as eps -> 0  for c(x) != 0",
        "6: PROVED: u(a*x, a**2*eps) = u(x, eps)  (given a > 0)",
        "8: PROVED: -LN(x) = -sqrt(n)*u(c(x), n*eps)",
    ]
    assert code == 1  # the worst line: refuted
    assert err == f"lnsym prove: {path}: 5 statements: 1 refuted, 4 proved\n"


def test_json_lines_carry_the_line_its_exit_and_the_prove_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, MAIN, WRONG, "LN(x) = qq(x)")
    code, out, err = batch(capsys, "--file", path, "--json")
    assert code == 2 and err == ""
    rows = [json.loads(line) for line in out]
    assert [(r["line"], r["exit"], r["status"]) for r in rows] == [
        (1, 0, "proved"),
        (2, 1, "refuted"),
        (3, 2, "error"),
    ]
    single = main(["prove", WRONG, "--json"])  # the batch's fields are the single command's
    alone = json.loads(capsys.readouterr().out)
    assert single == 1
    assert {k: v for k, v in rows[1].items() if k not in ("line", "exit", "seconds")} == {
        k: v for k, v in alone.items() if k != "seconds"
    }
    assert "unknown function 'qq'" in rows[2]["error"]


def test_bad_lines_are_reported_in_place_and_the_run_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(
        b"LN(x) = x --dim abc\n"
        b"LN(x) = 'x\n"
        b"LN(x)\n"
        b"LN(x) = x --json\n"
        b"LN(x) = x --file other.txt\n"
        b"a = b = c\n"
        b"\xff\xfe = x\n"
        b'\'__import__("os").system("touch pwned")\' = x\n'
        b"LN(x) = x --vectors x,x\n"
        b"LN(x) = x --help\n" + MAIN.encode() + b"\n"
    )
    code, out, err = batch(capsys, "--file", str(path))
    assert code == 2
    assert len(out) == 11 and out[-1] == f"11: PROVED: {MAIN}"
    assert [line.split(": ", 2)[:2] for line in out[:-1]] == [
        [str(i), "ERROR"] for i in range(1, 11)
    ]
    messages = [line.split(": ", 2)[2] for line in out[:-1]]
    assert messages[0] == "argument --dim: invalid int value: 'abc'"
    assert "no closing quotation" in messages[1] and "quotes" in messages[1]
    assert "LHS = RHS" in messages[2]
    assert messages[3] == "unrecognized arguments: --json"
    assert messages[4] == "unrecognized arguments: --file other.txt"
    assert "more than one relation" in messages[5]
    assert messages[6] == "the line is not UTF-8 text"
    assert "__import__" in messages[7]  # read as text, refused, never run
    assert "listed twice among the vectors" in messages[8]
    assert messages[9] == "unrecognized arguments: --help"  # no help page mid-run
    assert not (Path.cwd() / "pwned").exists() and not (tmp_path / "pwned").exists()
    assert "10 bad input, 1 proved" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("lines", "status"),
    [
        ([MAIN, "c(c(x)) = c(x)"], 0),
        ([MAIN, "LN(x) = x --timeout 0.01 --scalars slow"], 3),
        ([WRONG, "LN(x) = x --timeout 0.01 --scalars slow", MAIN], 1),
        (["LN(x) = qq(x)", WRONG, "LN(x) = x --timeout 0.01 --scalars slow"], 2),
    ],
)
def test_the_exit_status_is_the_worst_line(
    lines: list[str],
    status: int,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _slow_when_declared(monkeypatch)
    assert batch(capsys, "--file", write(tmp_path, *lines))[0] == status


def _slow_when_declared(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading a statement that declares the scalar ``slow`` takes 30 s (the budget cuts it)."""
    from lnsym.prover import decide

    setup = decide.setup

    def slow_setup(*args: object, **kwargs: object) -> object:
        if "slow" in str(kwargs.get("scalars")):
            time.sleep(30)
        return setup(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(decide, "setup", slow_setup)


def test_each_line_has_its_own_budget(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _slow_when_declared(monkeypatch)
    slow = "LN(x) = x --scalars slow --timeout 0.2"  # a line's budget replaces the command's
    path = write(tmp_path, slow, MAIN, slow)
    start = time.perf_counter()
    code, out, _ = batch(capsys, "--file", path, "--timeout", "120")
    assert time.perf_counter() - start < 10  # two budgets of 0.2 s, not two sleeps of 30 s
    assert code == 3
    assert out[0].startswith("1: UNKNOWN: LN(x) = x  [time budget of 0.2 s exhausted")
    assert out[1] == f"2: PROVED: {MAIN}" and out[2].startswith("3: UNKNOWN: ")


def test_an_internal_error_is_exit_4_and_the_next_line_still_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from lnsym.prover import decide

    setup = decide.setup

    def broken(*args: object, **kwargs: object) -> object:
        if kwargs.get("dim") == 7:
            raise TypeError("a bug")
        return setup(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(decide, "setup", broken)
    code, out, _ = batch(
        capsys, "--file", write(tmp_path, f"{MAIN} --dim 7", "LN(x) = qq(x)", MAIN)
    )
    assert code == 4
    assert out[0] == "1: ERROR: internal error: TypeError: a bug (please report it)"
    assert out[1].startswith("2: ERROR: ") and out[2] == f"3: PROVED: {MAIN}"


def test_worst_is_ordered_as_documented() -> None:
    assert WORST_FIRST == (4, 2, 1, 3, 0)
    assert worst([0, 3, 1]) == 1 and worst([3, 0]) == 3 and worst([1, 2]) == 2
    assert worst([0, 4, 2]) == 4 and worst([0, 0]) == 0


def test_command_line_flags_are_every_lines_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path,
        "dot(w, LN(x)) = dot(c(w), LN(x))",
        f"{MAIN} --dim 4",
        "sqrt(n)*u(x, n*eps) = x/sqrt(Var(x) + eps)",
        "sqrt(n)*u(x, n*eps) = x/sqrt(Var(x) + eps) --assume 'mu(x) = 0'",
    )
    code, out, _ = batch(capsys, "--file", path, "--dim", "3", "--vectors", "w,x", "--json")
    rows = [json.loads(line) for line in out]
    assert [r["dim"] for r in rows] == [3, 4, 3, 3]  # a line's --dim replaces the default
    assert [r["status"] for r in rows] == ["proved", "proved", "refuted", "proved"]
    assert code == 1
    code, out, _ = batch(capsys, "--file", path, "--assume", "mu(x) = 0", "--json")
    rows = [json.loads(line) for line in out]
    assert rows[2]["status"] == "proved"  # the command line's assumption holds on every line
    assert rows[3]["assumptions"] == ["mu(x) = 0", "mu(x) = 0"]  # a line's --assume adds


def test_standard_input() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "lnsym", "prove", "--file", "-"],
        input=f"{MAIN}\n{WRONG}\n",
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == f"1: PROVED: {MAIN}"
    assert done.stdout.splitlines()[1].startswith(f"2: REFUTED: {WRONG}")
    assert done.stderr == "lnsym prove: <stdin>: 2 statements: 1 refuted, 1 proved\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--file", "EMPTY"], "holds no statement"),
        (["--file", "MISSING"], "No such file or directory"),
        ([MAIN, "--file", "EMPTY"], "in --file or on the command line, not both"),
        (["--file", "EMPTY", "--timeout", "0"], "--timeout must be a positive number"),
        (["--file", "EMPTY", "--dim", "0"], "--dim must be a positive integer"),
    ],
)
def test_a_file_that_cannot_run_is_bad_input(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = write(tmp_path, "# nothing but comments", "")
    argv = [{"EMPTY": empty, "MISSING": str(tmp_path / "missing.txt")}.get(a, a) for a in argv]
    code, out, err = batch(capsys, *argv)
    assert code == 2 and out == []
    assert message in err and len(err.strip().splitlines()) == 1


def test_the_help_documents_batch_mode(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["prove", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--file F" in text and "'-': standard input" in text
    assert "4 internal error, 2 bad input, 1 refuted, 3 unknown, 0 proved" in text
    assert "--timeout, per line" in text
