"""Prover speed, side by side in one run: lnsym's normal form vs naive SymPy ``simplify``; the
inequalities of issue 22 (prove and check times); lnsym vs Z3 on the same bounds at n = 3, 4, 6, 8.

The main identity LN(x) = sqrt(n)·u_{nε}(c(x)) is decided by lnsym for symbolic n and for n = 512;
the naive route writes both sides componentwise (n real symbols) and calls ``sympy.simplify`` on the
difference of one component, at n = 32 and 64. Targets: symbolic n < 0.1 s, n = 512 < 1 s.

Each bound of :data:`BOUNDS` is proved for symbolic n (target < 1 s each, first call), and its
positivity certificate re-checked by :mod:`lnsym.check.positivity` (timed on its own). Where
z3-solver is installed, Z3 gets Samuelson's inequality |c(x)_1| <= sqrt((n-1)/n)·|c(x)| and
|LN(x)|^2 < n at n = 3, 4, 6, 8 (entries as reals, square roots as variables with their square and
sign; ``--z3-timeout`` seconds per run); lnsym gets the reader bound |<w, LN(x)>| <= sqrt(n)·|c(w)|
(Samuelson is its instance w = e_i, since |c(e_i)| = sqrt((n-1)/n)) and |LN(x)|^2 < n at the same n
and for symbolic n. Every shipped derivation is proved and checked once (target < 30 s).

    python benchmarks/prove.py [--quick] [--z3-timeout SECONDS]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import sympy

from lnsym import derive
from lnsym.check.positivity import check_positivity
from lnsym.check.verify import check_refutation
from lnsym.lang.parser import parse
from lnsym.lang.walker import Evaluator
from lnsym.prover import prove
from lnsym.prover.normal_form import ComponentwiseBackend

LHS, RHS = "LN(x)", "sqrt(n)*u(c(x), n*eps)"


def timed(work: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(first call, median of the following calls) in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return times[0], statistics.median(times[1:] or times)


def lnsym_case(dim: int | None) -> Callable[[], object]:
    def work() -> object:
        result = prove(LHS, RHS, dim=dim)
        assert result.proved, result.report()
        return result

    return work


def naive_case(dim: int) -> Callable[[], object]:
    def work() -> object:
        backend = ComponentwiseBackend(dim)
        left = Evaluator(backend)(parse(LHS))
        right = Evaluator(backend)(parse(RHS))
        difference = sympy.simplify(left[0] - right[0])
        assert difference == 0, difference
        return difference

    return work


SIGMA, SIGMA_AR = "sqrt(Var(x) + eps)", "sqrt(Var(a + r) + eps)"
#: (name, statement, assumptions): the bounds of issue 22, each proved for symbolic n
BOUNDS = [
    ("length", "norm(LN(x)) < sqrt(n)", ()),
    ("largest logit", "abs(dot(w, LN(x))) < sqrt(n)*norm(c(w))", ("norm(c(w)) > 0",)),
    (
        "frozen scale",
        f"abs(dot(w, c(x))/{SIGMA} - dot(w, c(x))/s) <= sqrt(n)*norm(c(w))*abs({SIGMA} - s)/s",
        ("s > 0",),
    ),
    (
        "scale-mediated part",
        f"norm(LN(a + r) - LN(r) - c(a)/{SIGMA_AR}) <= norm(c(a))/{SIGMA_AR}",
        (),
    ),
    (
        "Riechers ellipsoid",
        "norm(hadamard(h, LNA(x, g, beta) - beta))**2 < n",
        ("hadamard(h, g) = ones",),
    ),
    ("Jacobian", f"norm(jvp(LN(x), x, v)) <= norm(c(v))/{SIGMA}", ()),
    ("Jacobian, Lipschitz", "norm(jvp(LN(x), x, v)) <= norm(v)/sqrt(eps)", ()),
]
#: the false variants, each refuted with a witness
FALSE = [
    ("length sqrt(n - 1)", "norm(LN(x)) <= sqrt(n - 1)", ()),
    ("length 1", "norm(LN(x)) <= 1", ()),
    (
        "ellipsoid n - 1",
        "norm(hadamard(h, LNA(x, g, beta) - beta))**2 < n - 1",
        ("hadamard(h, g) = ones",),
    ),
    (
        "frozen scale without sqrt(n)",
        f"abs(dot(w, c(x))/{SIGMA} - dot(w, c(x))/s) <= norm(c(w))*abs({SIGMA} - s)/s",
        ("s > 0",),
    ),
    ("Jacobian over eps", "norm(jvp(LN(x), x, v)) <= norm(v)/eps", ()),
]
DECLARED = {"vectors": "x,w,v,a,r,g,h,beta", "scalars": "s"}


def inequality_table() -> None:
    print("\ninequalities (issue 22), symbolic n: the first call, and the median of 3 more;")
    print("the certificate's check by lnsym.check.positivity (a refutation's: its witness by")
    print("lnsym.check.verify.check_refutation) timed on its own\n")
    print(
        f"{'bound':30} {'verdict':>8} {'first':>8} {'median':>8} {'check':>8} {'facts':>6}  < 1 s"
    )
    for name, statement, assume in BOUNDS + FALSE:
        times = []
        for _ in range(4):
            start = time.perf_counter()
            proof = prove(statement, assume=assume, **DECLARED)
            times.append(time.perf_counter() - start)
        saved = proof.to_json()
        data, facts = saved.get("positivity_certificate"), 0
        start = time.perf_counter()
        if data is not None:
            check_positivity(data)
            facts = len(data["facts"])
        else:  # a refutation: its witness re-evaluated by the checker's ball arithmetic
            check_refutation(saved["check"]["statement"], saved["check"]["certificate"])
        check = time.perf_counter() - start
        first, median = times[0], statistics.median(times[1:])
        met = "met" if first < 1 else "MISSED"
        print(
            f"{name:30} {proof.status.value:>8} {first:7.3f}s {median:7.3f}s {check:7.4f}s "
            f"{facts:6}  {met}"
        )


def _z3_statement(which: str, n: int) -> tuple[object, list[object]]:
    import z3

    x = [z3.Real(f"x{i}") for i in range(n)]
    mean = sum(x) / n
    c = [xi - mean for xi in x]
    if which == "samuelson":  # |c_1| <= k*s with s = |c(x)|, k = sqrt((n-1)/n); negated
        s, k = z3.Real("s"), z3.Real("k")
        facts = [s >= 0, s * s == sum(ci * ci for ci in c), k > 0, k * k == z3.RealVal(n - 1) / n]
        return z3, [*facts, z3.Or(c[0] > k * s, -c[0] > k * s)]
    e, sigma = z3.Real("eps"), z3.Real("sigma")  # |LN(x)|^2 < n; negated
    lengths = [z3.Real(f"l{i}") for i in range(n)]
    facts = [e > 0, sigma > 0, sigma * sigma == sum(ci * ci for ci in c) / n + e]
    facts += [lengths[i] * sigma == c[i] for i in range(n)]
    return z3, [*facts, sum(li * li for li in lengths) >= n]


def z3_run(which: str, n: int, timeout: float) -> tuple[str, float]:
    z3, constraints = _z3_statement(which, n)
    solver = z3.Solver()  # type: ignore[attr-defined]
    solver.set("timeout", int(timeout * 1000))
    solver.add(*constraints)
    start = time.perf_counter()
    answer = str(solver.check())
    verdict = {"unsat": "proved", "sat": "refuted"}.get(answer, "unknown")
    return verdict, time.perf_counter() - start


LNSYM_SIDE = {
    "samuelson": ("abs(dot(w, LN(x))) <= sqrt(n)*norm(c(w))", "|<w, LN(x)>| <= sqrt(n)|c(w)|"),
    "length": ("norm(LN(x))**2 < n", "|LN(x)|^2 < n"),
}


def z3_table(timeout: float) -> None:
    try:
        import z3  # noqa: F401
    except ImportError:
        print("\nz3-solver is not installed: no Z3 comparison")
        return
    print(
        f"\nlnsym vs Z3 (Z3 timeout {timeout:g} s per run; lnsym: median of 3 after one warm-up)\n"
    )
    print(f"{'statement':38} {'n':>8} {'lnsym':>18} {'Z3':>18}")
    for which, (statement, label) in LNSYM_SIDE.items():
        z3_label = "Samuelson |c_1| <= sqrt((n-1)/n)|c|" if which == "samuelson" else label
        for n in (3, 4, 6, 8, None):
            run = lambda n=n, statement=statement: prove(statement, vectors="x,w", dim=n)  # noqa: E731
            proof = run()
            times = []
            for _ in range(3):
                start = time.perf_counter()
                run()
                times.append(time.perf_counter() - start)
            ours = f"{proof.status.value} {statistics.median(times):7.3f}s"
            theirs = (
                "(no symbolic n)" if n is None else "{} {:7.3f}s".format(*z3_run(which, n, timeout))
            )
            shown = "every n" if n is None else str(n)
            name = f"{label} / {z3_label}" if which == "samuelson" else label
            print(f"{name[:38]:38} {shown:>8} {ours:>18} {theirs:>18}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="naive route at n = 32 only")
    parser.add_argument(
        "--z3-timeout", type=float, default=20.0, metavar="SECONDS", help="per Z3 run (default 20)"
    )
    args = parser.parse_args()
    rows = [
        ("lnsym, symbolic n", *timed(lnsym_case(None), 7)),
        ("lnsym, --dim 512", *timed(lnsym_case(512), 7)),
    ]
    for dim in (32,) if args.quick else (32, 64):
        first, _ = timed(naive_case(dim), 1)
        rows.append((f"naive simplify, n = {dim}", first, first))
    print(f"main identity: {LHS} = {RHS}\n")
    print(f"{'method':28} {'first call':>12} {'median':>12}")
    for name, first, median in rows:
        print(f"{name:28} {first:11.4f}s {median:11.4f}s")
    symbolic, dim512 = rows[0][1], rows[1][1]  # first (cold) calls: the honest number
    print()
    for name, first, _ in rows[2:]:
        print(f"{name} / lnsym symbolic n (first call): {first / symbolic:8.0f}x")
        print(f"{name} / lnsym n = 512 (first call):    {first / dim512:8.0f}x")
    print(f"\ntargets (first call): symbolic n < 0.1 s: {'met' if symbolic < 0.1 else 'MISSED'}")
    print(f"                      n = 512 < 1 s:      {'met' if dim512 < 1 else 'MISSED'}")
    check_table()
    derivations_row()
    inequality_table()
    z3_table(args.z3_timeout)


def derivations_row() -> None:
    """Every shipped derivation (``derivations/``) proved and checked, as ``lnsym derive`` does."""
    folder = Path(__file__).resolve().parent.parent / "derivations"
    start = time.perf_counter()
    results = derive(folder)
    seconds = time.perf_counter() - start
    assert all(r.ok for r in results)
    print(f"\nall {len(results)} shipped derivations proved and checked: {seconds:.1f} s")
    print(f"target < 30 s: {'met' if seconds < 30 else 'MISSED'}")


def check_table() -> None:
    """Prove and check times apart: the prover's search, the certificate's search and the
    trusted checker's re-check (``lnsym.check``) of the main identity."""
    from lnsym.check.verify import check_proof

    print("\nthe main identity, prove and check apart (median of 7, after one warm-up call)")
    print(f"{'':22} {'whole prove()':>14} {'certify+check':>14} {'check alone':>12}")
    for dim in (None, 512):
        proofs = [prove(LHS, RHS, dim=dim) for _ in range(8)][1:]
        assert all(p.checked for p in proofs), proofs[0].report()
        data = proofs[0].check_data
        assert data is not None
        checks = []
        for _ in range(7):
            start = time.perf_counter()
            verdict = check_proof(data["statement"], data["certificate"])
            checks.append(time.perf_counter() - start)
            assert verdict.accepted
        whole = statistics.median(p.seconds for p in proofs)
        certify = statistics.median(p.check_seconds for p in proofs)
        label = "symbolic n" if dim is None else f"n = {dim}"
        print(f"{label:22} {whole:13.4f}s {certify:13.4f}s {statistics.median(checks):11.4f}s")


if __name__ == "__main__":
    main()
