r"""Large-cache benchmark: lnsym on Dask arrays against the in-memory fused kernel, and out of core.

Run ``python benchmarks/large_caches.py`` (about 15 minutes on two slow cores; needs the ``dask``
extra, numba and ~2 × ``--gb`` of free disk). Two parts, each measured side by side in one run:

1. **Throughput per worker** (tokens/s, T×512 float32, ``--tokens``) of

   * LN: ``lnsym.kernel("LN(x)", "numba")`` on the in-memory array with a preallocated ``out=``
     (the fastest in-memory path, one thread), against the same kernel called on a Dask array
     (chunks of 16 MiB), computed with Dask's threaded scheduler (1 and 2 threads; also with
     ``out=``: each block written straight into a preallocated array) and on a
     ``LocalCluster`` of 1 and 2 single-threaded workers (input persisted on the workers, result
     persisted there: what is timed is the kernel and Dask's scheduling, not the transfer);
   * attribution: x = Σ a_k of K = 4 components and the K shares
     :math:`\sqrt{n}\langle w, c(a_k)\rangle/\sqrt{\lVert c(x)\rVert^2 + n\varepsilon}` with the fused
     kernel (in memory: ``np.add`` and ``out=`` into preallocated arrays), against the same on Dask.

   Each figure is the median of ``--repeats`` interleaved runs; ``ratio`` is in-memory tokens/s
   (fastest path: ``out=``) over Dask tokens/s per worker (goal: ≤ 1.2); ``vs alloc`` the same
   against the in-memory kernel that allocates its result, as every Dask block must.

2. **Out of core**: a ``--gb`` GB cache (default 8) of float32 rows of 512 is written to a temporary
   directory (``--dir``), then ``lnsym eval 'LN(x)' --set x=cache.npy --out ln.npy --workers 2
   --memory-limit 1GB`` runs as a subprocess while the resident memory (RSS) of its whole process
   tree (client, scheduler, nannies, workers) is sampled every 50 ms; the peak (goal: < 2 GB) and
   the throughput against the in-memory figure are printed. The same with the local threaded
   scheduler (no ``--workers``); then ``lnsym attribute`` with two components read from that cache
   (2 × ``--gb`` read) to ``shares.zarr`` on the same cluster. Everything is deleted at the end.
   The page cache of the OS is not flushed: with enough RAM part of the cache may be read from
   memory rather than disk.

The machine is small and shared: ratios from one run are noisy; compare them across runs.
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
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import dask  # noqa: E402
import distributed  # noqa: E402
import numpy as np  # noqa: E402
import psutil  # noqa: E402

from lnsym.execute.dask import lazy_sum  # noqa: E402
from lnsym.execute.stores import open_array  # noqa: E402
from lnsym.kernels import kernel  # noqa: E402
from timing import interleaved_medians  # noqa: E402 - benchmarks/timing.py, beside this script

N = 512
SHARE = "sqrt(n)*dot(w, c(a))/sqrt(norm(c(x))**2 + n*eps)"


def throughput(tokens: int, repeats: int, directory: str | None) -> float:
    rng = np.random.default_rng(0)
    x = (5 * rng.standard_normal((tokens, N), dtype=np.float32) + 3).astype(np.float32)
    parts = [rng.standard_normal((tokens, N), dtype=np.float32) for _ in range(4)]
    w = rng.standard_normal(N)
    rows = 16 * 2**20 // (N * 4)
    ln = kernel("LN(x)", "numba")
    share = kernel(SHARE, "numba", vectors="a,w,x")
    out = np.empty_like(x)
    total = np.empty_like(x)
    shares = np.empty((4, tokens), dtype=np.float64)

    def ln_memory() -> None:
        ln(x, out=out)

    def attribution_memory() -> None:
        np.add(parts[0], parts[1], out=total)
        np.add(total, parts[2], out=total)
        np.add(total, parts[3], out=total)
        for k, a in enumerate(parts):
            share(a, w, total, out=shares[k])

    def ln_allocating() -> None:
        ln(x)

    def attribution_allocating() -> None:
        summed = parts[0] + parts[1] + parts[2] + parts[3]
        [share(a, w, summed) for a in parts]

    def lazy_attribution(pieces: list[Any]) -> list[Any]:
        summed = lazy_sum(pieces)  # as lnsym.interp.attribute does on Dask components
        return [share(a, w, summed) for a in pieces]

    folder = Path(tempfile.mkdtemp(prefix="lnsym-throughput-", dir=directory))
    try:  # the same data, read by the workers themselves from .npy files (then persisted)
        np.save(folder / "x.npy", x)
        for k, a in enumerate(parts):
            np.save(folder / f"a{k}.npy", a)
        chunk = 16 * 2**20
        lazy_x = open_array(folder / "x.npy", chunk_bytes=chunk)
        lazy_parts = [open_array(folder / f"a{k}.npy", chunk_bytes=chunk) for k in range(4)]
        print(
            f"part 1: {tokens} tokens × {N} float32, chunks of {rows} rows (16 MiB); "
            f"median of {repeats} interleaved runs; ratio = in-memory tokens/s ÷ Dask tokens/s "
            "per worker (goal ≤ 1.2)"
        )
        print(f"{'variant':<46} {'tokens/s':>10} {'per worker':>10} {'ratio':>6} {'vs alloc':>8}")
        rate = float("nan")
        for workers in (1, 2):
            in_memory_x = lazy_x.persist(scheduler="threads")
            in_memory_parts = dask.persist(*lazy_parts, scheduler="threads")

            def threaded(
                what: str, workers: int = workers, px: Any = in_memory_x, pp: Any = in_memory_parts
            ) -> Callable[[], object]:
                def run() -> None:
                    work = [ln(px)] if what == "LN" else lazy_attribution(list(pp))
                    dask.compute(*work, scheduler="threads", num_workers=workers)

                return run

            def threaded_into(workers: int = workers, px: Any = in_memory_x) -> None:
                with dask.config.set(num_workers=workers):
                    ln(px, out=out)  # each block straight into its slice of out

            with (
                distributed.LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address="127.0.0.1:0",
                    silence_logs=50,
                ) as cluster,
                distributed.Client(cluster) as client,
            ):
                remote_x = client.persist(lazy_x)
                remote_parts = client.persist(lazy_parts)
                distributed.wait([remote_x, *remote_parts])

                def on_cluster(
                    what: str,
                    client: Any = client,
                    remote_x: Any = remote_x,
                    remote_parts: Any = remote_parts,
                ) -> Callable[[], object]:
                    def run() -> None:
                        work = [ln(remote_x)] if what == "LN" else lazy_attribution(remote_parts)
                        distributed.wait(client.persist(work))

                    return run

                variants: dict[str, Callable[[], object]] = {
                    "LN in memory (fused, out=)": ln_memory,
                    "LN in memory (fused, allocating)": ln_allocating,
                    f"LN dask threads={workers}": threaded("LN"),
                    f"LN dask threads, into out=, threads={workers}": threaded_into,
                    f"LN dask cluster workers={workers}": on_cluster("LN"),
                    "attribution in memory (fused, out=)": attribution_memory,
                    "attribution in memory (fused, allocating)": attribution_allocating,
                    f"attribution dask threads={workers}": threaded("attribution"),
                    f"attribution dask cluster workers={workers}": on_cluster("attribution"),
                }
                times = interleaved_medians(variants, repeats)
            for name, seconds in times.items():
                what = "LN" if name.startswith("LN") else "attribution"
                count = workers if name.rsplit("=", 1)[-1].isdigit() else 1
                speed = tokens / seconds
                best = tokens / times[f"{what} in memory (fused, out=)"]
                allocating = tokens / times[f"{what} in memory (fused, allocating)"]
                print(
                    f"{name:<46} {speed:10.3e} {speed / count:10.3e} "
                    f"{best / (speed / count):6.2f} {allocating / (speed / count):8.2f}"
                )
            rate = tokens / times["LN in memory (fused, out=)"]
        return rate
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def write_cache(path: Path, gigabytes: float) -> int:
    """A .npy cache of float32 rows of 512, written slab by slab (never all in memory)."""
    tokens = int(gigabytes * 1e9) // (N * 4)
    mapped = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(tokens, N))
    rng = np.random.default_rng(1)
    step = 1 << 16
    for start in range(0, tokens, step):
        stop = min(tokens, start + step)
        mapped[start:stop] = rng.standard_normal((stop - start, N), dtype=np.float32) * 3 + 1
    mapped.flush()
    del mapped
    return tokens


def tree_rss(process: psutil.Process) -> int:
    """The resident memory of ``process`` and all its descendants (bytes)."""
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def run_measured(command: list[str]) -> tuple[float, int, str]:
    """Run ``command``; its wall time, the peak RSS of its process tree, and its output."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    watched = psutil.Process(child.pid)
    peak = 0
    while child.poll() is None:
        try:
            peak = max(peak, tree_rss(watched))
        except psutil.Error:
            pass
        time.sleep(0.05)
    output = child.stdout.read() if child.stdout else ""
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{output}")
    return time.perf_counter() - start, peak, output.strip()


def attribute_out_of_core(folder: Path, cache: Path, tokens: int, cluster: list[str]) -> None:
    """``lnsym attribute`` with two components read from the cache (16 GB read) to shares.zarr."""
    from lnsym.interp import attribute

    w = np.random.default_rng(2).standard_normal(N)
    np.save(folder / "w.npy", w)
    out = folder / "shares.zarr"
    command = [
        sys.executable,
        "-m",
        "lnsym",
        "attribute",
        "--quiet",
        "--set",
        f"w={folder / 'w.npy'}",
    ]
    command += ["--component", f"emb={cache}", "--component", f"attn={cache}", "--set", "b=0.5"]
    seconds, peak, _ = run_measured([*command, *cluster, "--out", str(out)])
    import zarr

    table = zarr.open_array(str(out), mode="r")
    rows = np.asarray(np.load(cache, mmap_mode="r")[:1000])
    eager = attribute({"emb": rows, "attn": rows}, w, b=0.5)
    assert np.array_equal(table[:2, :1000], eager.shares) and np.array_equal(
        table[3, :1000], eager.logit
    )
    rate = tokens / seconds
    print(
        f"{'attribute, 2 components':<24} {seconds:8.1f} {rate:12.3e} {'-':>15} {peak / 1e9:14.2f}"
        "   (2 workers, 1 GB each; the cache read twice; numpy-backend kernels)"
    )


def out_of_core(
    gigabytes: float, directory: str | None, in_memory_rate: float, attribution: bool = True
) -> None:
    folder = Path(tempfile.mkdtemp(prefix="lnsym-large-", dir=directory))
    try:
        cache = folder / "cache.npy"
        started = time.perf_counter()
        tokens = write_cache(cache, gigabytes)
        size = cache.stat().st_size / 1e9
        print(
            f"\npart 2: a {size:.2f} GB cache ({tokens} tokens × {N} float32) written in "
            f"{time.perf_counter() - started:.0f} s to {folder}"
        )
        lnsym = [sys.executable, "-m", "lnsym", "eval", "LN(x)", "--set", f"x={cache}", "--quiet"]
        cluster = ["--workers", "2", "--memory-limit", "1GB"]
        runs = {  # threads before and after the cluster: the page cache favours later runs
            "local threads": ["--backend", "numba"],
            "2 workers, 1 GB each": [*cluster, "--backend", "numba"],
            "local threads, again": ["--backend", "numba"],
        }
        print(
            f"{'engine':<24} {'seconds':>8} {'tokens/s':>12} {'in-memory/this':>15} {'peak RSS (GB)':>14}"
        )
        for name, extra in runs.items():
            out = folder / "ln.npy"
            seconds, peak, _ = run_measured([*lnsym, *extra, "--out", str(out)])
            mapped = np.load(out, mmap_mode="r")
            ln = kernel("LN(x)", "numba")
            source = np.load(cache, mmap_mode="r")
            for start in (0, tokens // 2, tokens - 1000):  # spot checks, bit for bit
                assert np.array_equal(
                    mapped[start : start + 1000], ln(source[start : start + 1000])
                )
            del mapped, source
            out.unlink()
            shutil.rmtree(folder / "ln.npy.lnsym", ignore_errors=True)
            rate = tokens / seconds
            print(
                f"{name:<24} {seconds:8.1f} {rate:12.3e} {in_memory_rate / rate:15.2f} {peak / 1e9:14.2f}"
            )
        if attribution:
            attribute_out_of_core(folder, cache, tokens, cluster)
        print(
            "goal: peak RSS < 2 GB with workers limited to 1 GB; throughput vs in memory reported"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tokens", type=int, default=1 << 17, help="tokens in part 1 (131072)")
    parser.add_argument("--repeats", type=int, default=5, help="interleaved runs per variant")
    parser.add_argument("--gb", type=float, default=8.0, help="size of the on-disk cache (GB)")
    parser.add_argument("--dir", default=None, help="where to write the cache (default: $TMPDIR)")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-out-of-core", action="store_true")
    parser.add_argument("--skip-attribution", action="store_true", help="part 2: LN only")
    args = parser.parse_args()
    print(f"dask {dask.__version__}, distributed {distributed.__version__}, {os.cpu_count()} CPUs")
    rate = (
        throughput(args.tokens, args.repeats, args.dir)
        if not args.skip_throughput
        else float("nan")
    )
    if not args.skip_out_of_core:
        if rate != rate:  # no in-memory figure yet: measure it alone
            rate = throughput_alone(args.tokens, args.repeats)
        out_of_core(args.gb, args.dir, rate, not args.skip_attribution)


def throughput_alone(tokens: int, repeats: int) -> float:
    x = np.random.default_rng(0).standard_normal((tokens, N), dtype=np.float32)
    out = np.empty_like(x)
    ln = kernel("LN(x)", "numba")
    return tokens / interleaved_medians({"LN": lambda: ln(x, out=out)}, repeats)["LN"]


if __name__ == "__main__":
    main()
