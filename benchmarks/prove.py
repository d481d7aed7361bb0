"""Prover speed, side by side in one run: lnsym's normal form vs naive SymPy ``simplify``.

The main identity LN(x) = sqrt(n)·u_{nε}(c(x)) is decided by lnsym for symbolic n and for n = 512;
the naive route writes both sides componentwise (n real symbols) and calls ``sympy.simplify`` on the
difference of one component, at n = 32 and 64. Targets: symbolic n < 0.1 s, n = 512 < 1 s.

    python benchmarks/prove.py [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import sympy

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="naive route at n = 32 only")
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


if __name__ == "__main__":
    main()
