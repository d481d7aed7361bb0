r"""Kernel benchmark: forward LN and affine LN, and the backward dx, against the memory floor and
torch's fastest CPU path, in one table. Float32, one thread, 8192×512 and 8192×768.

Run ``python benchmarks/kernel_speed.py`` (about a minute on two slow cores; ``--quick`` for 8192×512
only). Every variant of a shape is run in the same *round*, interleaved, for ``--repeats`` rounds;
a ratio is the median over rounds of (variant time / reference time) measured in the same round, so
drifting load on a shared machine cancels out as far as it can. Times are the calling thread's CPU
time (``time.thread_time``: waiting for a busy core is not counted, page faults are); ``--wall``
uses wall-clock time instead.

Variants (each writes into a preallocated output where the library allows it):

* floors — ``np.copyto(out, x)`` (forward: one read, one write) and ``np.add(a, b, out=c)``
  (backward dx: two reads, one write);
* lnsym — ``lnsym.kernel(..., "numba")`` for ``LN(x)``, ``LNA(x, g, beta)`` and
  ``grad(dot(dy, LNA(x, g, beta)), x)``, with ``out=``, in both precisions: the default
  (float64 arithmetic, rows ``LN``…) and ``precision="float32"`` (rows ``LN/32``…: float32
  arithmetic after the first pass over a row, see :mod:`lnsym.kernels.fused`);
* torch (2.x, CPU, ``torch.set_num_threads(1)``) — forward: ``F.layer_norm`` *with* weight and
  bias, and ``torch.ops.aten.native_layer_norm.out`` (preallocated output, mean and rstd); backward:
  ``torch.ops.aten.native_layer_norm_backward`` for dx alone, and its ``.out`` form for all three
  gradients into preallocated tensors. The table compares with the faster torch path per row.

Allocation: a torch call that cannot take ``out=`` allocates its result; with glibc's default
``M_MMAP_THRESHOLD`` every such 16–25 MB block is a fresh ``mmap`` whose pages fault on first
touch, which would dominate the timing. The script re-executes itself with
``MALLOC_MMAP_THRESHOLD_=33554432`` (32 MiB, glibc's maximum) and ``MALLOC_TRIM_THRESHOLD_`` large,
so the freed block is reused and only the arithmetic is timed.

Accuracy: the largest error in float32 ulps (of the reference value, over entries with
``|ref| > 0.5``) against an mpmath reference (30 digits, from the exact binary inputs), on rows
``1·randn + 1e4``; backward dx against a float64 evaluation of the textbook formula, in units of
float32 ulps of ``max |dx|`` per row.
"""

from __future__ import annotations

import os
import sys

_ENV = {
    "NUMBA_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MALLOC_MMAP_THRESHOLD_": str(32 * 1024 * 1024),
    "MALLOC_TRIM_THRESHOLD_": str(1 << 40),
}
if __name__ == "__main__" and any(os.environ.get(k) != v for k, v in _ENV.items()):
    # glibc reads these at start-up: run again with them (never when merely imported)
    os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, **_ENV})

import argparse  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from decimal import Decimal  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from lnsym.kernels import available_backends, kernel, make_spec  # noqa: E402
from lnsym.numeric.mpmath_eval import evaluate_mp  # noqa: E402

try:
    import torch

    torch.set_num_threads(1)
except ImportError:  # torch is optional
    torch = None

FORMULAS = {
    "LN": "LN(x)",
    "LNA": "LNA(x, g, beta)",
    "dx": "grad(dot(dy, LNA(x, g, beta)), x)",
}
TARGETS = {"LN": (1.2, 0.8), "LNA": (1.2, 0.8), "dx": (1.3, 1.0)}
#: the lnsym variants: (table label, formula key, call keywords)
PRECISIONS = (("", {}), ("/32", {"precision": "float32"}))


#: the clock: the calling thread's CPU time (user + system, so page faults count) by default —
#: on a machine shared with other jobs it does not count the time the thread waits for a core;
#: ``--wall`` switches to ``time.perf_counter``. Every variant runs on the calling thread (numba
#: without parallel=True, torch with one intra-op thread), so both clocks see all of its work.
CLOCK: Callable[[], float] = time.thread_time


def rounds(variants: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    """Times (seconds) of every variant, ``repeats`` interleaved rounds after a warm-up."""
    for run in variants.values():  # compile, page in the outputs
        run()
        run()
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(repeats):
        for name, run in variants.items():
            start = CLOCK()
            run()
            times[name].append(CLOCK() - start)
    return times


def ratio(times: dict[str, list[float]], a: str, b: str) -> float:
    """The median over rounds of time(a)/time(b) in the same round."""
    return float(np.median(np.array(times[a]) / np.array(times[b])))


def speed_table(shapes: list[tuple[int, int]], repeats: int) -> None:
    backend = "numba" if "numba" in available_backends() else "numpy"
    kernels = {k: kernel(f, backend, vectors="x,dy,g,beta") for k, f in FORMULAS.items()}
    print(
        f"float32, one thread, lnsym backend {backend}; medians of per-round ratios over "
        f"{repeats} interleaved rounds; times are medians in ms of "
        f"{'wall time' if CLOCK is time.perf_counter else 'thread CPU time'}"
    )
    head = (
        f"{'shape':>9} {'op':>6} {'lnsym':>7} {'floor':>7} {'torch':>7}  {'torch path':<24}"
        f"{'/floor':>7} {'target':>7} {'/torch':>7} {'target':>7}"
    )
    print(head)
    print("-" * len(head))
    rng = np.random.default_rng(0)
    for rows, n in shapes:
        measure(rows, n, repeats, kernels, rng)


def measure(
    rows: int, n: int, repeats: int, kernels: dict[str, Any], rng: np.random.Generator
) -> None:
    """Time every variant at one shape and print its table rows."""
    x = (5 * rng.standard_normal((rows, n)) + 30).astype(np.float32)
    dy = rng.standard_normal((rows, n)).astype(np.float32)
    g = (1 + 0.1 * rng.standard_normal(n)).astype(np.float32)
    beta = (0.1 * rng.standard_normal(n)).astype(np.float32)
    out = np.empty_like(x)
    variants: dict[str, Callable[[], object]] = {
        "copy": lambda: np.copyto(out, x),
        "add": lambda: np.add(x, dy, out=out),
    }
    for suffix, options in PRECISIONS:
        variants |= {
            f"LN{suffix}": lambda o=options: kernels["LN"](x, out=out, **o),
            f"LNA{suffix}": lambda o=options: kernels["LNA"](x, g, beta, out=out, **o),
            f"dx{suffix}": lambda o=options: kernels["dx"](x, dy, g, out=out, **o),
        }
    torch_paths: dict[str, dict[str, str]] = {"LN": {}, "LNA": {}, "dx": {}}
    if torch is not None:
        xt, dyt, gt, bt = (torch.from_numpy(a) for a in (x, dy, g, beta))
        ot = torch.empty_like(xt)
        mean, rstd = torch.empty(rows, 1), torch.empty(rows, 1)
        dxt, dgt, dbt = torch.empty_like(xt), torch.empty(n), torch.empty(n)
        _, saved_mean, saved_rstd = torch.ops.aten.native_layer_norm(xt, [n], gt, bt, 1e-5)
        aten = torch.ops.aten
        variants |= {
            "t:F.layer_norm(x)": lambda: torch.nn.functional.layer_norm(xt, (n,), eps=1e-5),
            "t:F.layer_norm(x,w,b)": lambda: torch.nn.functional.layer_norm(
                xt, (n,), gt, bt, eps=1e-5
            ),
            "t:native_layer_norm.out": lambda: aten.native_layer_norm.out(
                xt, [n], gt, bt, 1e-5, out0=ot, out1=mean, out2=rstd
            ),
            "t:native_backward(dx)": lambda: aten.native_layer_norm_backward(
                dyt, xt, [n], saved_mean, saved_rstd, gt, bt, [True, False, False]
            ),
            "t:native_backward.out": lambda: aten.native_layer_norm_backward.out(
                dyt,
                xt,
                [n],
                saved_mean,
                saved_rstd,
                gt,
                bt,
                [True, True, True],
                out0=dxt,
                out1=dgt,
                out2=dbt,
            ),
        }
        # LN: torch's fastest path takes weight and bias (ones, zeros) or none
        torch_paths["LN"] = {
            "t:F.layer_norm(x)": "F.layer_norm(x)",
            "t:native_layer_norm.out": "native_layer_norm.out",
            "t:F.layer_norm(x,w,b)": "F.layer_norm(x, w, b)",
        }
        torch_paths["LNA"] = {
            "t:F.layer_norm(x,w,b)": "F.layer_norm(x, w, b)",
            "t:native_layer_norm.out": "native_layer_norm.out",
        }
        torch_paths["dx"] = {
            "t:native_backward(dx)": "native_backward(dx)",
            "t:native_backward.out": "native_backward.out (all 3)",
        }
    times = rounds(variants, repeats)

    def ms(name: str, times: dict[str, list[float]] = times) -> str:
        return f"{np.median(times[name]) * 1e3:7.2f}"

    for op, suffix in ((op, suffix) for op in ("LN", "LNA", "dx") for suffix, _ in PRECISIONS):
        floor = "add" if op == "dx" else "copy"
        floor_target, torch_target = TARGETS[op]
        paths = torch_paths[op]
        if paths:
            fastest = min(paths, key=lambda p, t=times: float(np.median(t[p])))
            tcell, tname = ms(fastest), paths[fastest]
            vs_torch = f"{ratio(times, op + suffix, fastest):7.2f}"
        else:
            tcell, tname, vs_torch = f"{'-':>7}", "(torch not installed)", f"{'-':>7}"
        print(
            f"{rows:>5}×{n:<3} {op + suffix:>6} {ms(op + suffix)} {ms(floor)} {tcell}  {tname:<24}"
            f"{ratio(times, op + suffix, floor):7.2f} {'≤' + str(floor_target):>7} {vs_torch} "
            f"{('≤' if op != 'dx' else '<') + str(torch_target):>7}"
        )
    if torch is not None:
        extra = ", ".join(f"{p[2:]} {ms(p).strip()}" for p in variants if p.startswith("t:"))
        print(f"{'':>15}all torch paths (ms): {extra}")


def mp_reference(formula: str, x: np.ndarray, g: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """The formula on each row, by mpmath (30 digits) from the exact binary inputs."""
    expr = make_spec(formula, vectors="x,g,beta").expr

    def exact(a: np.ndarray) -> list[str]:
        return [str(Decimal(float(v))) for v in a]

    rows = []
    for row in x:
        values = {"x": exact(row), "g": exact(g), "beta": exact(beta)}
        rows.append([float(v) for v in evaluate_mp(expr, values, n=len(row), digits=30)])
    return np.array(rows)


def max_ulps(got: np.ndarray, expected: np.ndarray) -> float:
    mask = np.abs(expected) > 0.5
    spacing = np.spacing(np.abs(expected[mask]).astype(np.float32)).astype(np.float64)
    return float(np.max(np.abs(np.asarray(got, dtype=np.float64)[mask] - expected[mask]) / spacing))


def backward_reference(x: np.ndarray, dy: np.ndarray, g: np.ndarray) -> np.ndarray:
    x64, gdy = x.astype(np.float64), dy.astype(np.float64) * g
    xc = x64 - x64.mean(-1, keepdims=True)
    inv = 1 / np.sqrt((xc**2).mean(-1, keepdims=True) + 1e-5)
    xhat = xc * inv
    return (gdy - gdy.mean(-1, keepdims=True) - xhat * (gdy * xhat).mean(-1, keepdims=True)) * inv


def accuracy_table(rows: int, n: int) -> None:
    print(
        f"\naccuracy on {rows} float32 rows of n = {n}, 1·randn + 1e4 (max error in float32 ulps)"
    )
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((rows, n)) + 1e4).astype(np.float32)
    dy = rng.standard_normal((rows, n)).astype(np.float32)
    g = (1 + 0.1 * rng.standard_normal(n)).astype(np.float32)
    beta = (0.1 * rng.standard_normal(n)).astype(np.float32)
    backend = "numba" if "numba" in available_backends() else "numpy"
    precise = "float32" if backend == "numba" else "float64"  # numpy has no float32 path
    print(
        f"{'op':>4} {'lnsym':>10} {'lnsym/32':>10} {'torch':>10}   (targets: lnsym ≤ 1 ulp, "
        "lnsym/32 ≤ 4 ulps forward)"
    )
    for op in ("LN", "LNA"):
        expected = mp_reference(FORMULAS[op], x, g, beta)
        mine = kernel(FORMULAS[op], backend, vectors="x,g,beta")
        args = (x,) if op == "LN" else (x, g, beta)
        cells = [f"{max_ulps(mine(*args), expected):10.2f}"]
        narrow = mine(*args, precision=precise) if backend == "numba" else mine(*args)
        cells.append(f"{max_ulps(narrow, expected):10.2f}")
        if torch is not None:
            w, b = (torch.from_numpy(g), torch.from_numpy(beta)) if op == "LNA" else (None, None)
            theirs = torch.nn.functional.layer_norm(torch.from_numpy(x), (n,), w, b, eps=1e-5)
            cells.append(f"{max_ulps(theirs.numpy(), expected):10.2f}")
        else:
            cells.append(f"{'-':>10}")
        print(f"{op:>4} {' '.join(cells)}")
    expected = backward_reference(x, dy, g)
    scale = np.spacing(np.abs(expected).max(-1, keepdims=True).astype(np.float32)).astype(float)
    dx = kernel(FORMULAS["dx"], backend, vectors="x,dy,g,beta")
    cells = [f"{float(np.max(np.abs(dx(x, dy, g) - expected) / scale)):10.2f}"]
    narrow = dx(x, dy, g, precision=precise) if backend == "numba" else dx(x, dy, g)
    cells.append(f"{float(np.max(np.abs(narrow - expected) / scale)):10.2f}")
    if torch is not None:
        xt, dyt, gt, bt = (torch.from_numpy(a) for a in (x, dy, g, beta))
        _, mean, rstd = torch.ops.aten.native_layer_norm(xt, [n], gt, bt, 1e-5)
        theirs = torch.ops.aten.native_layer_norm_backward(
            dyt, xt, [n], mean, rstd, gt, bt, [True, False, False]
        )[0].numpy()
        cells.append(f"{float(np.max(np.abs(theirs - expected) / scale)):10.2f}")
    print(f"{'dx':>4} {' '.join(cells)}   (ulps of max|dx| per row, vs float64)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=15, help="interleaved rounds per shape")
    parser.add_argument("--quick", action="store_true", help="only 8192×512, fewer accuracy rows")
    parser.add_argument("--wall", action="store_true", help="time wall clock, not thread CPU")
    args = parser.parse_args()
    global CLOCK
    if args.wall:
        CLOCK = time.perf_counter
    shapes = [(8192, 512)] if args.quick else [(8192, 512), (8192, 768)]
    speed_table(shapes, args.repeats)
    accuracy_table(8 if args.quick else 32, 512)


if __name__ == "__main__":
    main()
