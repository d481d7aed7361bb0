r"""Kernel benchmark: LN(x) on B×n = 8192×512 and 65536×512, float32 and float64, one thread.

Run ``python benchmarks/kernels.py`` (about a minute on two slow cores). Every variant is timed in
the same run, round-robin, with its output preallocated where the backend allows it:

* ``fused``  — ``lnsym.kernel("LN(x)", "numba")``: one loop nest per row, float64 accumulation;
* ``numpy``  — ``lnsym.kernel("LN(x)", "numpy")``: reductions over the last axis, float64;
* ``torch``  — ``torch.nn.functional.layer_norm`` (when torch is installed; it has no ``out=``);
* ``copy``   — ``np.copyto(out, x)``: the memory floor (read x once, write out once).

Ratios are to the copy floor and to torch. The accuracy table gives the largest error, in float32
ulps over entries with :math:`|\mathrm{ref}| > 0.5`, against an mpmath reference (30 digits) for rows
``5·randn + 30`` and ``1·randn + 1e4``. Targets (issue 4): fused ≤ 0.5× torch and ≤ 1.5× copy at
8192×512 float32; ≤ 1 ulp on both row kinds.
"""

from __future__ import annotations

import os

for _variable in (
    "NUMBA_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from decimal import Decimal  # noqa: E402

import numpy as np  # noqa: E402

from lnsym.kernels import available_backends, kernel, make_spec  # noqa: E402
from lnsym.numeric.mpmath_eval import evaluate_mp  # noqa: E402

try:
    import torch

    torch.set_num_threads(1)
except ImportError:  # torch is optional
    torch = None


def timings(variants: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """The best of ``repeats`` wall times (seconds) of each variant, run round-robin."""
    for run in variants.values():  # warm up: compile, page in the output
        run()
    best = {name: float("inf") for name in variants}
    for _ in range(repeats):
        for name, run in variants.items():
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def speed_table(shapes: list[tuple[int, int]], repeats: int) -> None:
    fused = kernel("LN(x)", "numba") if "numba" in available_backends() else None
    plain = kernel("LN(x)", "numpy")
    print(f"time per call in ms (best of {repeats}, one thread); ratios in the same run")
    header = f"{'B×n':>10} {'dtype':>8} {'fused':>8} {'numpy':>8} {'torch':>8} {'copy':>8}"
    print(header + f" {'fused/copy':>11} {'fused/torch':>12} {'numpy/copy':>11}")
    rng = np.random.default_rng(0)
    for rows, n in shapes:
        for dtype in (np.float32, np.float64):
            x = (5 * rng.standard_normal((rows, n)) + 30).astype(dtype)
            out = np.empty_like(x)
            variants: dict[str, Callable[[], object]] = {
                "copy": lambda x=x, out=out: np.copyto(out, x),
                "numpy": lambda x=x, out=out: plain(x, out=out),
            }
            if fused is not None:
                variants["fused"] = lambda x=x, out=out: fused(x, out=out)
            if torch is not None:
                xt = torch.from_numpy(x)
                variants["torch"] = lambda xt=xt, n=n: torch.nn.functional.layer_norm(
                    xt, (n,), eps=1e-5
                )
            best = timings(variants, repeats if rows <= 8192 else max(3, repeats // 3))

            def ms(name: str, best: dict[str, float] = best) -> str:
                return f"{best[name] * 1e3:8.2f}" if name in best else f"{'-':>8}"

            def ratio(a: str, b: str, width: int, best: dict[str, float] = best) -> str:
                return (
                    f"{best[a] / best[b]:{width}.2f}"
                    if a in best and b in best
                    else "-".rjust(width)
                )

            print(
                f"{rows:>6}×{n:<3} {np.dtype(dtype).name:>8} {ms('fused')} {ms('numpy')} "
                f"{ms('torch')} {ms('copy')} {ratio('fused', 'copy', 11)} "
                f"{ratio('fused', 'torch', 12)} {ratio('numpy', 'copy', 11)}"
            )


def reference(x: np.ndarray) -> np.ndarray:
    """LN of each row by mpmath (30 digits) from the exact binary values of the inputs."""
    expr = make_spec("LN(x)").expr
    rows = []
    for row in x:
        values = [str(Decimal(float(v))) for v in row]
        rows.append([float(v) for v in evaluate_mp(expr, {"x": values}, n=len(row), digits=30)])
    return np.array(rows)


def max_ulps(got: np.ndarray, expected: np.ndarray) -> float:
    mask = np.abs(expected) > 0.5
    spacing = np.spacing(np.abs(expected[mask]).astype(np.float32)).astype(np.float64)
    return float(np.max(np.abs(np.asarray(got, dtype=np.float64)[mask] - expected[mask]) / spacing))


def accuracy_table(rows: int, n: int) -> None:
    print(f"\naccuracy: max error in float32 ulps over |ref| > 0.5 ({rows} float32 rows of {n})")
    print(f"{'rows':>16} {'fused':>10} {'numpy':>10} {'torch':>10}")
    rng = np.random.default_rng(1)
    for label, scale, offset in (("5·randn + 30", 5.0, 30.0), ("1·randn + 1e4", 1.0, 1e4)):
        x = (scale * rng.standard_normal((rows, n)) + offset).astype(np.float32)
        expected = reference(x)
        cells = {}
        if "numba" in available_backends():
            cells["fused"] = max_ulps(kernel("LN(x)", "numba")(x), expected)
        cells["numpy"] = max_ulps(kernel("LN(x)", "numpy")(x), expected)
        if torch is not None:
            got = torch.nn.functional.layer_norm(torch.from_numpy(x), (n,), eps=1e-5).numpy()
            cells["torch"] = max_ulps(got, expected)
        line = " ".join(
            f"{cells[k]:10.2f}" if k in cells else f"{'-':>10}" for k in ("fused", "numpy", "torch")
        )
        print(f"{label:>16} {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=9, help="timed runs per variant")
    parser.add_argument("--quick", action="store_true", help="only 8192×512, fewer accuracy rows")
    args = parser.parse_args()
    shapes = [(8192, 512)] if args.quick else [(8192, 512), (65536, 512)]
    speed_table(shapes, args.repeats)
    accuracy_table(8 if args.quick else 32, 512)


if __name__ == "__main__":
    main()
