"""The trusted checker as users meet it: every verdict of prove() re-checked, and ``lnsym check``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import lnsym


def _run(args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lnsym", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_main_identity_is_checked() -> None:
    proof = lnsym.prove("LN(x)", "sqrt(n)*u(c(x), n*eps)")
    assert proof.proved and proof.checked
    data = proof.to_json()
    assert data["checked"] is True
    assert data["check"]["certificate"]["mode"] == "symbolic"
    assert "checked: certificate checked by lnsym.check" in proof.report()


def test_a_refutation_is_checked() -> None:
    proof = lnsym.prove("LN(x)", "sqrt(n)*u(c(x), eps)")
    assert proof.refuted and proof.checked


@pytest.mark.parametrize(
    ("lhs", "rhs", "options"),
    [
        ("mu(c(x))/mu(c(x))", "1", {}),
        ("Var(x)/Var(x)", "1", {"dim": 1}),
        ("alpha/alpha", "1", {"scalars": "alpha", "assume": "alpha = 0"}),
        ("cos(x, x)", "1", {"assume": "x = 0*x"}),
    ],
)
def test_vacuous_proofs_are_unknown(lhs: str, rhs: str, options: dict) -> None:
    """Each side is undefined wherever the assumptions hold: no point exists, so no proof."""
    proof = lnsym.prove(lhs, rhs, **options)
    assert proof.status is lnsym.Status.UNKNOWN, proof.report()


def test_a_limit_is_checked_by_continuity_under_its_conditions() -> None:
    proof = lnsym.prove("norm(LN(x))", "sqrt(n)", limit="eps=0")
    assert proof.proved and proof.checked and proof.conditions == ("c(x) != 0",)
    doctored = dict(proof.check_data["statement"], conditions=[])  # without c(x) != 0: 0/0
    certificate = proof.check_data["certificate"]
    from lnsym.check.verify import check_proof

    verdict = check_proof(doctored, certificate)
    assert not verdict.accepted and "denominator may vanish" in verdict.reason


def test_a_refuted_limit_is_checked_at_its_witness() -> None:
    """The witness fixes every value but the limit's variable; the checker takes the limit of
    LHS − RHS there by the proofs' rule and encloses it away from 0."""
    from lnsym.check.verify import check_refutation

    for proof in (
        lnsym.prove("norm(LN(x))", "1", limit="eps=0"),
        lnsym.prove("norm(LN(x))", "sqrt(n)", limit="eps=0", dim=1),  # 0/sqrt(eps) -> 0
        lnsym.prove("sqrt(alpha**2 + 1)", "2", scalars="alpha", limit="alpha=0"),
    ):
        assert proof.refuted and proof.checked, proof.report()
        statement, witness = proof.check_data["statement"], proof.check_data["certificate"]
        assert check_refutation(statement, witness).accepted
        wrong = dict(statement, rhs=statement["lhs"])  # the sides agree: nothing separates them
        assert not check_refutation(wrong, witness).accepted
    statement = {
        "lhs": "eps*mu(x)/sqrt(eps)",  # tends to 0 although it is mu(x)*sqrt(eps) != 0 for eps > 0
        "rhs": "0",
        "vectors": ["x"],
        "scalars": [],
        "assume": [],
        "dim": 2,
        "limits": {"eps": "0"},
    }
    witness = {"n": 2, "eps": "0", "values": {"x": ["1", "2"]}}
    verdict = check_refutation(statement, witness)
    assert not verdict.accepted and verdict.checked, verdict
    assumed = dict(statement, lhs="mu(x)", assume=["mu(x) = 2"])
    assert not check_refutation(assumed, witness).accepted  # mu(x) = 3/2 there
    assert check_refutation(dict(assumed, assume=["mu(x) = 3/2"]), witness).accepted
    moving = dict(assumed, assume=["mu(x) = 3/2", "eps < 1"])  # an assumption on the variable
    assert not check_refutation(moving, witness).checked
    for undefined in ("sqrt(0 - eps) - sqrt(0 - eps) + 1", "sqrt(eps - 1) - sqrt(eps - 1) + 1"):
        verdict = check_refutation(dict(statement, lhs=undefined), witness)  # no limit: undefined
        assert not verdict.accepted and verdict.checked, verdict
    assert check_refutation(
        dict(statement, lhs="sqrt(eps + 2) - sqrt(eps + 2) + 1"), witness
    ).accepted


def test_lnsym_check_accepts_saved_verdicts_and_rejects_doctored_ones(tmp_path) -> None:
    saved = _run(["prove", "LN(x) = sqrt(n)*u(c(x), n*eps)", "--json"])
    assert saved.returncode == 0
    good = _run(["check", "-"], saved.stdout)
    assert (good.returncode, good.stdout.strip()) == (0, "1: proved: accepted")
    doctored = json.loads(saved.stdout)
    doctored["check"]["statement"]["rhs"] = "sqrt(n)*u(c(x), eps)"
    bad = _run(["check", "-"], json.dumps(doctored))
    assert bad.returncode == 1 and "rejected: LHS − RHS does not reduce to zero" in bad.stdout
    refuted = _run(["prove", "LN(x)", "sqrt(n)*u(c(x), eps)", "--json"])
    witness = json.loads(refuted.stdout)
    assert _run(["check", "-"], refuted.stdout).returncode == 0
    witness["check"]["statement"]["rhs"] = "LN(x)"  # a witness cannot separate equal sides
    assert _run(["check", "-"], json.dumps(witness)).returncode == 1
    path = tmp_path / "proof.json"
    path.write_text(saved.stdout)
    assert _run(["check", str(path)]).returncode == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rhs", "sqrt(n)*u(c(x), eps)"),  # the claim a reader reads, edited
        ("lhs", "RMS(x)"),
        ("assumptions", ["mu(x) = 0"]),
        ("dim", 2),
        ("limits", {"eps": "0"}),
        ("conditions", ["c(x) != 0"]),
        ("relation", "<"),
    ],
)
def test_lnsym_check_rejects_an_edited_claim_beside_its_certificate(
    field: str, value: object
) -> None:
    """The certificate is untouched (and proves the main identity); the verdict's own field says
    something else: a reader of the file would be misled, so the check rejects it."""
    saved = json.loads(_run(["prove", "LN(x) = sqrt(n)*u(c(x), n*eps)", "--json"]).stdout)
    saved[field] = value
    result = _run(["check", "-"], json.dumps(saved))
    assert result.returncode == 1, result.stdout
    assert f"rejected: the verdict's {field} is not what its certificate proves" in result.stdout


def test_lnsym_check_reads_a_claim_as_the_checker_reads_it() -> None:
    """Spacing and the prover's printing of the same formula are the same claim."""
    saved = json.loads(_run(["prove", "LN(x)", "LN(x,0)", "--limit", "eps=0", "--json"]).stdout)
    saved["rhs"] = "LN( x , 0 )"
    assert _run(["check", "-"], json.dumps(saved)).stdout == "1: proved: accepted\n"


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda s: s.__setitem__("expr", "LN(x)"), "formula"),
        (lambda s: s["terms"][1].__setitem__("coefficient", "2"), "coefficients"),
        (lambda s: s["remainder"].__setitem__("order", 3), "order"),
        (lambda s: s.__setitem__("variable", "alpha"), "variable"),
    ],
)
def test_lnsym_check_rejects_an_edited_expansion(edit, field: str) -> None:  # type: ignore[no-untyped-def]
    saved = lnsym.series("sqrt(eps + eps**2)", order=1).to_json()
    assert _run(["check", "-"], json.dumps(saved)).returncode == 0
    edit(saved)
    result = _run(["check", "-"], json.dumps(saved))
    assert result.returncode == 1
    assert f"rejected: the expansion's {field} is not what its certificate proves" in result.stdout


@pytest.mark.parametrize("text", ["", "not json", "{}", "[1, 2]", '{"status": "proved"}'])
def test_lnsym_check_bad_input_is_one_line_exit_2(text: str) -> None:
    result = _run(["check", "-"], text)
    assert result.returncode == 2, result
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_saved_inequalities_are_rechecked() -> None:
    """A proved bound (its positivity certificate and link) and a refuted one (its witness)."""
    for text in ("norm(LN(x)) < sqrt(n)", "norm(LN(x)) <= sqrt(n - 1)"):
        saved = json.dumps(lnsym.prove(text).to_json())
        result = _run(["check", "-"], saved)
        assert result.returncode == 0 and result.stdout.endswith(": accepted\n"), result.stdout
    saved = lnsym.prove("norm(LN(x)) < sqrt(n)").to_json()
    doctored = json.loads(json.dumps(saved))
    doctored["check"]["statement"]["rhs"] = "sqrt(n - 1)"  # a false bound, same certificate
    result = _run(["check", "-"], json.dumps(doctored))  # never accepted (roots: not comparable)
    assert result.returncode in (1, 3) and "accepted" not in result.stdout, result.stdout
    doctored = json.loads(json.dumps(saved))
    term = doctored["check"]["certificate"]["facts"][-1]["terms"][0]
    term["coeff"] = str(2 * float(term["coeff"]) + 1)  # a sum-of-squares coefficient changed
    result = _run(["check", "-"], json.dumps(doctored))
    assert result.returncode == 1 and "rejected" in result.stdout, result.stdout


def test_saved_series_are_rechecked() -> None:
    saved = lnsym.series("sqrt(eps)*LN(x)", order=1).to_json()
    assert saved["checked"] is True
    result = _run(["check", "-"], json.dumps(saved))
    assert result.returncode == 0 and result.stdout == "1: series: accepted\n", result.stdout
    saved["certificate"]["series"]["coefficients"][1] = "0"  # the eps**(1/2) term doctored
    result = _run(["check", "-"], json.dumps(saved))
    assert result.returncode == 1 and "another coefficient" in result.stdout, result.stdout


def test_lnsym_check_rechecks_a_saved_derivation(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``lnsym derive --json`` carries each step's and claim's proof; ``lnsym check`` re-checks
    every one, and holds it to the step it stands for."""
    shipped = Path(__file__).resolve().parent.parent / "derivations"
    for name in ("01-main-identity.toml", "22-riechers-ellipsoid.toml"):  # an assumption, too
        shutil.copy(shipped / name, tmp_path / name)
    saved = _run(["derive", str(tmp_path), "--json"])
    assert saved.returncode == 0, saved.stderr
    result = _run(["check", "-"], saved.stdout)
    lines = result.stdout.splitlines()
    assert result.returncode == 0 and len(lines) >= 8, result.stdout
    assert all(line.endswith((": proved: accepted", ": refuted: accepted")) for line in lines)
    document = json.loads(saved.stdout)
    steps = document["derivations"][0]["chains"][0]["steps"]
    steps[2]["expr"] = "c(x)/sqrt(norm(c(x))**2/n + n*eps)"  # the file's claim edited, proof kept
    edited = _run(["check", "-"], json.dumps(document))
    assert edited.returncode == 1
    assert "1.1.1 step 3: rejected: its proof is of another statement" in edited.stdout
    steps[2]["expr"] = steps[2]["proof"]["check"]["statement"]["rhs"]
    steps[2]["status"] = "unknown"  # the file says unknown, its proof says proved
    mismatched = _run(["check", "-"], json.dumps(document))
    assert mismatched.returncode == 1 and "proof's verdict is not the step's" in mismatched.stdout
    for malformed in ({"derivations": 5}, {"derivations": []}, {"derivations": [{"chains": 1}]}):
        result = _run(["check", "-"], json.dumps(malformed))
        assert result.returncode == 2 and result.stderr.startswith("lnsym check: error: ")
        assert len(result.stderr.splitlines()) == 1
    del steps[2]["proof"]
    dropped = _run(["check", "-"], json.dumps(document))
    assert dropped.returncode == 2 and "step 3 carries no proof" in dropped.stderr
