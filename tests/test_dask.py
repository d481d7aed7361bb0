"""Kernels on Dask arrays, out-of-core stores and ``lnsym eval --out``: lazy in, lazy out, and
every value equal, bit for bit, to the in-memory kernel on the same rows (itself checked against
mpmath in test_kernels.py); LN also against an independent NumPy float64 formula."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lnsym.install import needs

da = pytest.importorskip("dask.array", reason=needs("the Dask tests", "dask"))
zarr = pytest.importorskip("zarr", reason=needs("the Dask tests", "dask"))

from lnsym.cli import main  # noqa: E402
from lnsym.errors import DataError, UnsupportedError  # noqa: E402
from lnsym.execute.engine import check_loopback  # noqa: E402
from lnsym.execute.kernel_blocks import call, is_dask  # noqa: E402
from lnsym.execute.stores import batch_chunks, open_array, progress_dir, store  # noqa: E402
from lnsym.kernels import KernelShapeError, available_backends, kernel  # noqa: E402

FAST = [b for b in ("numpy", "numba") if b in available_backends()]
LN = kernel("LN(x)", FAST[-1])
LOGIT = kernel("dot(w, LN(x)) + b", FAST[-1], vectors="x,w", scalars="b")
FORMULAS = [
    ("LN(x)", "x", ""),
    ("dot(w, LN(x)) + b", "x,w", "b"),
    ("LNA(x, g, beta)", "x,g,beta", ""),
    ("RMS(x)", "x", ""),
    ("sqrt(n)*dot(hadamard(g, w), c(a))/sqrt(norm(c(x))**2 + n*eps)", "a,w,g,x", ""),
    ("norm(c(x))", "x", ""),
]


def ln_reference(x: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """LN by the textbook float64 formula, componentwise (independent of lnsym's code)."""
    x = np.asarray(x, dtype=np.float64)
    centered = x - x.mean(axis=-1, keepdims=True)
    return centered / np.sqrt((centered**2).mean(axis=-1, keepdims=True) + eps)


def values(rng: np.random.Generator, rows: int = 300, n: int = 24) -> dict[str, Any]:
    x = rng.normal(3.0, 2.0, (rows, n))
    x[5] = 7.25  # a constant row: c(x) = 0
    x[6] *= 1e-12  # a tiny spread
    x[7] += 1e6  # a huge mean
    return {
        "x": x,
        "a": rng.normal(size=(rows, n)),
        "w": rng.normal(size=n),
        "g": rng.normal(1.0, 0.1, n),
        "beta": rng.normal(0.0, 0.1, n),
        "b": rng.normal(size=rows),
    }


@pytest.mark.parametrize("backend", FAST)
@pytest.mark.parametrize(("formula", "vectors", "scalars"), FORMULAS)
def test_dask_in_dask_out_bit_for_bit(
    backend: str, formula: str, vectors: str, scalars: str
) -> None:
    data = values(np.random.default_rng(3))
    function = kernel(formula, backend, vectors=vectors, scalars=scalars or None)
    names = function.spec.parameters
    eager = np.asarray(function(**{p: data[p] for p in names}, eps=1e-3))
    lazy_inputs = {
        p: da.from_array(data[p], chunks=(64, -1)) if p in ("x", "a") else data[p] for p in names
    }
    lazy = function(**lazy_inputs, eps=1e-3)
    assert is_dask(lazy)
    assert lazy.shape == eager.shape and lazy.dtype == eager.dtype
    assert lazy.chunks[0] == (64, 64, 64, 64, 44)
    np.testing.assert_array_equal(lazy.compute(), eager)


@pytest.mark.parametrize("backend", FAST)
def test_out_writes_every_block_in_place(backend: str) -> None:
    rng = np.random.default_rng(19)
    x, w, b = rng.normal(size=(3, 50, 8)), rng.normal(size=8), rng.normal(size=(3, 50))
    ln = kernel("LN(x)", backend)
    out = np.full_like(x, np.nan)
    assert ln(da.from_array(x, chunks=(1, 16, 8)), out=out) is out
    np.testing.assert_array_equal(out, ln(x))
    columns = np.full((3, 8, 50), np.nan)  # the normalized axis in the middle, a strided target
    ln(da.from_array(np.moveaxis(x, -1, 1), chunks=(2, 8, 7)), axis=1, out=columns)
    # NumPy's summation order follows the memory layout (strided rows here): last-bit differences
    tolerance = 0.0 if backend == "numba" else 1e-14
    np.testing.assert_allclose(np.moveaxis(columns, 1, -1), ln(x), rtol=tolerance, atol=tolerance)
    logit = kernel("dot(w, LN(x)) + b", backend, vectors="x,w", scalars="b")
    into = np.full((3, 50), np.nan, dtype=np.float32)
    logit(da.from_array(x, chunks=(2, 9, 8)), w, da.from_array(b, chunks=(3, 20)), out=into)
    np.testing.assert_array_equal(into, logit(x, w, b).astype(np.float32))
    single = np.empty(())
    kernel("norm(x)", backend)(da.from_array(x[0, 0], chunks=8), out=single)
    assert float(single) == float(kernel("norm(x)", backend)(x[0, 0]))


@pytest.mark.parametrize("backend", FAST)
def test_ln_against_an_independent_formula_float32_and_axes(backend: str) -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(-2.0, 5.0, (4, 50, 16)).astype(np.float32)
    ln = kernel("LN(x)", backend)
    lazy = ln(da.from_array(x, chunks=(1, 20, 16)))
    assert lazy.dtype == np.float32 and lazy.chunks[:2] == ((1, 1, 1, 1), (20, 20, 10))
    got = lazy.compute()
    np.testing.assert_array_equal(got, ln(x))
    np.testing.assert_allclose(got, ln_reference(x), rtol=2e-6, atol=2e-6)
    columns = kernel("LN(x)", backend, axis=0)(da.from_array(x[0].T, chunks=(16, 7)))
    assert columns.chunks == ((16,), (7, 7, 7, 7, 7, 7, 7, 1))
    np.testing.assert_array_equal(columns.compute(), ln(x[0]).T)


def test_broadcasting_scalars_and_single_rows() -> None:
    rng = np.random.default_rng(5)
    x, w, b = rng.normal(size=(2, 30, 8)), rng.normal(size=8), rng.normal(size=(2, 30))
    logit = kernel("dot(w, LN(x)) + b", vectors="x,w", scalars="b")
    eager = logit(x, w, b)
    for lazy_b, expected in ((b, eager), (da.from_array(b, chunks=(1, 7)), eager), (0.5, None)):
        lazy = logit(da.from_array(x, chunks=(1, 10, 8)), da.from_array(w, chunks=8), lazy_b)
        wanted = logit(x, w, 0.5) if expected is None else expected
        np.testing.assert_array_equal(lazy.compute(), wanted)
    one = kernel("norm(x)")(da.from_array(x[0, 0], chunks=8))  # no batch: a 0-d Dask array
    assert one.shape == () and float(one.compute()) == float(kernel("norm(x)")(x[0, 0]))
    n1 = kernel("LN(x)")(da.ones((5, 1), chunks=(2, 1)))  # n = 1: c(x) = 0, LN = 0
    np.testing.assert_array_equal(n1.compute(), np.zeros((5, 1)))


def test_nothing_is_computed_until_asked() -> None:
    def explode(block: np.ndarray) -> np.ndarray:
        raise RuntimeError("computed too early")

    x = da.ones((10, 4), chunks=(5, 4)).map_blocks(explode, dtype=float)
    lazy = kernel("LN(x)")(x)
    with pytest.raises(RuntimeError, match="too early"):
        lazy.compute()


def test_split_normalized_axis_and_bad_inputs_are_one_line_errors() -> None:
    x = da.ones((10, 8), chunks=(5, 4))
    ln = kernel("LN(x)")
    with pytest.raises(KernelShapeError, match=r"split into 2 chunks.*x\.rechunk\(\{-1: -1\}\)"):
        ln(x)
    np.testing.assert_array_equal(call(ln, (x,), {}, rechunk=True).compute(), np.zeros((10, 8)))
    with pytest.raises(UnsupportedError, match="out must be a NumPy array, not Array"):
        ln(da.ones((2, 3), chunks=(1, 3)), out=da.ones((2, 3)))
    with pytest.raises(
        KernelShapeError, match=r"out has shape \(3, 2\); this result needs \(2, 3\)"
    ):
        ln(da.ones((2, 3), chunks=(1, 3)), out=np.empty((3, 2)))
    with pytest.raises(KernelShapeError, match="floating-point"):
        ln(da.ones((2, 3), chunks=(1, 3)), out=np.empty((2, 3), dtype=int))
    logit = kernel("dot(w, x)", vectors="x,w")
    with pytest.raises(KernelShapeError, match="same length n"):
        logit(da.ones((4, 3)), np.ones(5))
    with pytest.raises(KernelShapeError, match="do not broadcast"):
        kernel("dot(w, x) + b", vectors="x,w", scalars="b")(da.ones((4, 3)), np.ones(3), np.ones(5))
    with pytest.raises(KernelShapeError, match="axis=2 is out of range"):
        kernel("LN(x)", axis=2)(da.ones((4, 3)))
    with pytest.raises(KernelShapeError, match="real numbers"):
        ln(da.from_array(np.array([["a", "b"]])))


# --------------------------------------------------------------------------------------------------
# stores
# --------------------------------------------------------------------------------------------------


def test_batch_chunks() -> None:
    assert batch_chunks((1000, 512), 4, -1, target=512 * 4 * 100) == (100, -1)
    assert batch_chunks((512, 1000), 4, 0, target=512 * 4 * 100) == (-1, 100)
    assert batch_chunks((10, 20, 8), 8, -1, target=8 * 8 * 20 * 3) == (3, -1, -1)
    assert batch_chunks((7, 8), 8, -1, target=8 * 8 * 100, base=3) == (7, -1)
    assert batch_chunks((8,), 8, -1) == (-1,)
    with pytest.raises(DataError, match="only 2 axis"):
        batch_chunks((3, 4), 8, 2)


@pytest.mark.parametrize("suffix", [".npy", ".zarr"])
def test_read_and_write_caches(tmp_path: Path, suffix: str) -> None:
    rng = np.random.default_rng(6)
    x = rng.normal(size=(1000, 32)).astype(np.float32)
    source = tmp_path / f"x{suffix}"
    if suffix == ".npy":
        np.save(source, x)
    else:
        zarr.create_array(store=str(source), data=x, chunks=(100, 32))
    lazy = open_array(source, chunk_bytes=32 * 4 * 250)
    assert lazy.chunks[1] == (32,) and lazy.chunks[0][0] in (200, 250)  # multiples of zarr's 100
    ln = kernel("LN(x)")
    for out in ("ln.npy", "ln.zarr"):
        report = store(ln(lazy), tmp_path / out, job={"test": out})
        assert (report.written, report.skipped, report.blocks) == (
            len(lazy.chunks[0]),
            0,
            report.written,
        )
        written = open_array(tmp_path / out).compute()
        np.testing.assert_array_equal(written, ln(x))
        assert (progress_dir(tmp_path / out) / "complete").exists()
        again = store(ln(lazy), tmp_path / out, job={"test": out}, resume=True)
        assert again.written == 0 and again.skipped == report.blocks
        with pytest.raises(DataError, match=r"^out= .*exists; pass resume= "):
            store(ln(lazy), tmp_path / out, job={"test": out})
        with pytest.raises(DataError, match="different job"):
            store(ln(lazy), tmp_path / out, job={"test": "other"}, resume=True)
        with pytest.raises(DataError, match="other blocks or another shape"):
            store(ln(lazy.rechunk((300, 32))), tmp_path / out, job={"test": out}, resume=True)


def test_an_interrupted_store_resumes_only_the_missing_blocks(tmp_path: Path) -> None:
    rng = np.random.default_rng(8)
    x = rng.normal(size=(600, 16))
    ln = kernel("LN(x)", FAST[-1])
    failing = {"on": True}

    def maybe_fail(block: np.ndarray, block_info: Any = None) -> np.ndarray:
        if failing["on"] and block_info[0]["chunk-location"][0] in (2, 4):
            raise KeyboardInterrupt  # as if Ctrl-C arrived while these blocks ran
        return block

    lazy = da.from_array(x, chunks=(100, 16)).map_blocks(maybe_fail, dtype=float)
    out = tmp_path / "ln.zarr"
    with pytest.raises(KeyboardInterrupt):
        store(ln(lazy), out, job={"f": "LN"})
    done = sorted(p.name for p in (progress_dir(out) / "done").iterdir())
    assert "2.0" not in done and "4.0" not in done and not (progress_dir(out) / "complete").exists()
    failing["on"] = False
    report = store(ln(lazy), out, job={"f": "LN"}, resume=True)
    # threads still running when the interrupt arrived may have finished their blocks since
    assert report.skipped >= len(done) and report.written >= 2
    assert report.skipped + report.written == report.blocks == 6
    np.testing.assert_array_equal(zarr.open_array(str(out), mode="r")[:], ln(x))


def test_a_deleted_output_starts_afresh(tmp_path: Path) -> None:
    x = np.arange(40.0).reshape(10, 4) ** 1.5
    lazy = kernel("LN(x)")(da.from_array(x, chunks=(3, 4)))
    out = tmp_path / "ln.npy"
    store(lazy, out, job={"f": "LN"})
    out.unlink()  # the progress record stays behind
    report = store(lazy, out, job={"f": "LN"})
    assert report.written == report.blocks == 4 and report.skipped == 0
    np.testing.assert_array_equal(np.load(out), kernel("LN(x)")(x))


def test_unreadable_caches(tmp_path: Path) -> None:
    (tmp_path / "bad.npy").write_text("not numpy")
    with pytest.raises(DataError, match=r"not a readable \.npy"):
        open_array(tmp_path / "bad.npy")
    with pytest.raises(DataError, match="no such Zarr store"):
        open_array(tmp_path / "none.zarr")
    with pytest.raises(DataError, match="unknown cache format"):
        open_array(tmp_path / "x.parquet")
    with pytest.raises(DataError, match=r"\.zarr store or a \.npy file"):
        store(da.ones(3), tmp_path / "x.csv", job={})


def test_scheduler_addresses_must_be_loopback() -> None:
    assert check_loopback("127.0.0.1:8786") == "tcp://127.0.0.1:8786"
    assert check_loopback("tcp://localhost:1") == "tcp://localhost:1"
    assert check_loopback("[::1]:8786") == "tcp://[::1]:8786"
    for address in ("10.0.0.5:8786", "example.org:8786", "tcp://0.0.0.0:1"):
        with pytest.raises(DataError, match="only a scheduler on this machine"):
            check_loopback(address)
    for address in ("127.0.0.1", "http://127.0.0.1:8786", "::::"):
        with pytest.raises(DataError, match="HOST:PORT"):
            check_loopback(address)


# --------------------------------------------------------------------------------------------------
# the command line
# --------------------------------------------------------------------------------------------------


def test_eval_out_of_core(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(9)
    x = rng.normal(size=(2000, 16)).astype(np.float32)
    zarr.create_array(store=str(tmp_path / "cache.zarr"), data=x, chunks=(250, 16))
    out = tmp_path / "ln.zarr"
    command = ["eval", "LN(x)", "--set", f"x={tmp_path / 'cache.zarr'}", "--out", str(out)]
    assert main([*command, "--chunk-mb", "0.02"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(f"wrote {out}: shape (2000, 16), float32, 8 block(s) (8 now")
    assert captured.err == ""  # not a terminal: no progress bar
    np.testing.assert_array_equal(zarr.open_array(str(out), mode="r")[:], kernel("LN(x)")(x))
    assert main([*command, "--chunk-mb", "0.02"]) == 2
    assert "exists; pass --resume" in capsys.readouterr().err
    assert main([*command, "--chunk-mb", "0.02", "--resume", "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    # a scalar formula, a .npy input, a number and a reader list; the result as .npy
    np.save(tmp_path / "x.npy", x)
    w = ",".join(["1", "-1"] * 8)
    logit = ["eval", "dot(w, LN(x)) + b", "--set", f"x={tmp_path / 'x.npy'}", "--set", f"w={w}"]
    assert main([*logit, "--set", "b=0.5", "--out", str(tmp_path / "logit.npy"), "--quiet"]) == 0
    expected = kernel("dot(w, LN(x)) + b", vectors="x,w", scalars="b")(x, [1, -1] * 8, 0.5)
    np.testing.assert_array_equal(np.load(tmp_path / "logit.npy"), expected)
    # without --out, a Zarr cache is computed lazily and printed as before
    assert main(["eval", "mu(x)", "--set", f"x={tmp_path / 'cache.zarr'}", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)["value"]
    np.testing.assert_array_equal(np.array(printed), kernel("mu(x)")(x).astype(np.float64))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--out", "o.csv"], r"\.zarr store or a \.npy file"),
        (["--exact", "--out", "o.zarr"], "--exact evaluates in memory"),
        (["--resume"], "--resume continues writing an --out"),
        (["--workers", "0"], "choose between 1 and 64 workers"),
        (["--scheduler", "192.168.1.9:8786"], "only a scheduler on this machine"),
        (["--workers", "1", "--scheduler", "127.0.0.1:1"], "not both"),
        (["--memory-limit", "1GB", "--out", "o.zarr"], "--memory-limit applies to --workers"),
        (["--chunk-mb", "0", "--out", "o.zarr"], "positive size"),
        (["--workers", "1", "--memory-limit", "lots", "--out", "o.zarr"], "a size such as 1GB"),
        (["--workers", "1", "--memory-limit", "1kB", "--out", "o.zarr"], "at least 64MB"),
    ],
)
def test_eval_out_of_core_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    np.save(tmp_path / "x.npy", np.ones((4, 3)))
    extra = [str(tmp_path / e) if e.startswith("o.") else e for e in extra]
    assert main(["eval", "LN(x)", "--set", f"x={tmp_path / 'x.npy'}", *extra]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and re.search(message, err), err


def test_scheduler_that_does_not_answer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("distributed", reason=needs("the Dask tests", "dask"))
    np.save(tmp_path / "x.npy", np.ones((4, 3)))
    command = ["eval", "LN(x)", "--set", f"x={tmp_path / 'x.npy'}", "--scheduler", "127.0.0.1:9"]
    assert main([*command, "--out", str(tmp_path / "o.zarr")]) == 2
    assert "no Dask scheduler answered" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------------
# attribution
# --------------------------------------------------------------------------------------------------


def test_lazy_attribution_equals_the_in_memory_one() -> None:
    from lnsym.interp import attribute
    from lnsym.interp.attribution import Attribution, LazyAttribution

    rng = np.random.default_rng(14)
    parts = {k: rng.normal(size=(500, 12)) for k in ("emb", "attn", "mlp")}
    parts["attn"][3] = -parts["emb"][3] - parts["mlp"][3] + 2.5  # x constant: c(x) = 0
    w, g, beta = rng.normal(size=12), rng.normal(1, 0.1, 12), rng.normal(0, 0.1, 12)
    eager = attribute(parts, w, g=g, beta=beta, b=0.3)
    lazy_parts = {k: da.from_array(v, chunks=(128, 12)) for k, v in parts.items()}
    lazy = attribute(lazy_parts, w, g=g, beta=beta, b=0.3)
    assert LazyAttribution is Attribution  # the old name of the one type
    assert is_dask(lazy.shares) and lazy.shares.chunks == ((3,), (128,) * 3 + (116,))
    assert eager.compute() is eager  # in memory: compute() is the result itself
    computed = lazy.compute()
    # one computation (attribution_rows) in memory and per block of rows: bit for bit
    for field in ("shares", "bias", "scale", "logit", "separate"):
        np.testing.assert_array_equal(getattr(computed, field), getattr(eager, field))
    assert computed.error == eager.error and computed.tolerance == eager.tolerance
    assert 0 < computed.tolerance and computed.error <= computed.tolerance
    assert computed.ok and computed.names == ("emb", "attn", "mlp")
    table = lazy.table().compute()
    assert table.shape == (6, 500)
    np.testing.assert_array_equal(eager.table(), table)  # the same table from both executors
    np.testing.assert_array_equal(table[:3], eager.shares)
    np.testing.assert_array_equal(table[4], eager.logit)
    assert np.all(np.abs(table[:3].sum(axis=0) + table[3] - table[4]) <= table[5])
    # an independent check of one share: sqrt(n)<g*w, c(a)>/sqrt(|c(x)|^2 + n eps), in float64
    x = sum(parts.values())
    cx, ca = x - x.mean(-1, keepdims=True), parts["emb"] - parts["emb"].mean(-1, keepdims=True)
    share = np.sqrt(12) * (ca @ (g * w)) / np.sqrt((cx**2).sum(-1) + 12 * 1e-5)
    np.testing.assert_allclose(table[0], share, rtol=1e-9, atol=1e-12)
    columns = attribute({k: v.T for k, v in lazy_parts.items()}, w, g=g, beta=beta, b=0.3, axis=0)
    _close(columns.compute().shares, eager.shares)


@pytest.mark.parametrize("readers", [(), (7,)])
def test_lazy_rms_attribution_equals_the_in_memory_one(readers: tuple[int, ...]) -> None:
    """norm="RMS" on Dask runs the same rows function as in memory: the same numbers, the same
    RMS proofs and refutation (one reader vector bit for bit; a matrix of readers to rounding)."""
    from lnsym.interp import attribute

    rng = np.random.default_rng(31)
    parts = {k: rng.normal(0.5, 1.0, size=(90, 6)) for k in ("emb", "attn")}
    w = rng.normal(size=(*readers, 6))
    g = rng.normal(1, 0.1, 6)
    options: dict[str, Any] = {"g": g, "b": 0.2, "norm": "RMS"}
    if readers:
        options["w_axis"] = -1
    eager = attribute(parts, w, **options)
    lazy = attribute({k: da.from_array(v, chunks=(32, 6)) for k, v in parts.items()}, w, **options)
    assert is_dask(lazy.shares) and lazy.norm == "RMS"
    computed = lazy.compute()
    assert [p.statement() for p in computed.proofs] == [p.statement() for p in eager.proofs]
    assert computed.refutation.statement() == eager.refutation.statement()
    compare = np.testing.assert_array_equal if not readers else _close
    for field in ("shares", "bias", "scale", "logit"):
        compare(getattr(computed, field), getattr(eager, field))
    assert computed.ok and eager.ok
    # RMS reads a_k itself (no centring): an independent share in float64
    x = parts["emb"] + parts["attn"]
    scale = np.sqrt(6) / np.sqrt((x * x).sum(-1) + 6 * 1e-5)
    share = (parts["emb"] @ (g * w).T) * (scale if not readers else scale[:, None])
    np.testing.assert_allclose(computed.shares[0], share, rtol=1e-5, atol=1e-6)


def test_attribute_out_of_core(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from lnsym.interp import attribute

    rng = np.random.default_rng(15)
    emb, attn = rng.normal(size=(3000, 8)).astype(np.float32), rng.normal(size=(3000, 8))
    np.save(tmp_path / "emb.npy", emb)
    zarr.create_array(store=str(tmp_path / "attn.zarr"), data=attn, chunks=(700, 8))
    w = [1.0, -2.0, 0.5, 0.0, 3.0, 1.0, -1.0, 0.25]
    out = tmp_path / "shares.zarr"
    command = ["attribute", "--component", f"emb={tmp_path / 'emb.npy'}"]
    command += [
        "--component",
        f"attn={tmp_path / 'attn.zarr'}",
        "--set",
        f"w={','.join(map(str, w))}",
    ]
    command += ["--set", "b=0.5", "--out", str(out), "--chunk-mb", "0.02"]
    assert main(command) == 0
    printed = capsys.readouterr().out
    assert "PROVED" in printed and "rows: emb, attn, bias, logit, rounding_bound" in printed
    assert ": ok" in printed and "REFUTED" in printed
    eager = attribute({"emb": emb, "attn": attn}, w, b=0.5)
    table = zarr.open_array(str(out), mode="r")[:]
    _close(table[:2], eager.shares)
    _close(table[3], eager.logit)
    # a matrix of components (K, tokens, n) as one .npy, computed and printed without --out
    np.save(tmp_path / "parts.npy", np.stack([emb.astype(np.float64), attn])[:, :4])
    assert (
        main(
            [
                "attribute",
                "--components",
                str(tmp_path / "parts.npy"),
                "--set",
                f"w={','.join(map(str, w))}",
                "--workers",
                "1",
                "--json",
            ]
        )
        == 0
    )
    summary = json.loads(capsys.readouterr().out)
    assert summary["ok"] and [c["name"] for c in summary["components"]] == ["parts[0]", "parts[1]"]
    _close(np.array(summary["logit"]), attribute([emb[:4], attn[:4]], w).logit)


def test_lazy_comparison(tmp_path: Path) -> None:
    from lnsym.interp import compare
    from lnsym.interp.comparison import Comparison, LazyComparison

    rng = np.random.default_rng(16)
    rows = rng.normal(2.0, 1.0, (400, 8))
    x = da.from_array(rows, chunks=(100, 8))
    result = compare("sqrt(n)*u(x, n*eps)", "LN(x)", {"x": x})
    assert LazyComparison is Comparison and result.status == "refuted"
    assert result.conditions == (("mu(x) = 0",),)
    assert is_dask(result.difference_float) and result.difference_float.chunks[0] == (100,) * 4
    computed = result.compute()
    assert computed.compute() is computed and not is_dask(computed.lhs_float)
    # per row, the same verdict's numbers as the in-memory comparison of that row: the float64
    # values from the same rows function (comparison_rows), bit for bit
    for k in (0, 17, 399):
        eager = compare("sqrt(n)*u(x, n*eps)", "LN(x)", {"x": rows[k]})
        assert eager.compute() is eager
        assert float(computed.size[k]) == pytest.approx(float(eager.size), rel=1e-9)
        np.testing.assert_array_equal(computed.lhs_float[k], eager.lhs_float)
        np.testing.assert_array_equal(computed.rhs_float[k], eager.rhs_float)
        np.testing.assert_array_equal(computed.difference_float[k], eager.difference_float)
        np.testing.assert_array_equal(computed.table()[:, k], eager.table())
    report = result.report()
    assert "on 400 row(s), float64: max |lhs - rhs| = " in report and "mu(x) = 0" in report
    proved = compare("LN(x)", "sqrt(n)*u(c(x), n*eps)", {"x": x})
    assert proved.status == "proved" and float(proved.size.max().compute()) < 1e-14
    constant = compare("norm(LN(x))", "sqrt(n)", {"x": x})
    assert constant.rhs_float is None and constant.to_json()["max_abs_difference"] > 0
    assert constant.rows == ("lhs", "difference")
    # a reader and a number in memory beside the rows on Dask: constants of every task
    w = rng.normal(size=8)
    logit, rescaled = "dot(w, LN(x)) + b", "dot(w, sqrt(n)*u(x, n*eps)) + b"
    logits = compare(logit, rescaled, {"x": x, "w": w, "b": 0.5}).compute()
    for k in (3, 250):
        one = compare(logit, rescaled, {"x": rows[k], "w": w, "b": 0.5})
        assert float(logits.lhs_float[k]) == one.lhs_float
        assert float(logits.difference_float[k]) == one.difference_float
    # stored block by block, with resume, from Dask or from memory
    stored = result.store(str(tmp_path / "gap.zarr"))
    assert stored.written is not None and stored.written.blocks == 4
    assert "rows: lhs, rhs, difference" in stored.report()
    from_file = stored.compute()  # read from the file, not computed again
    np.testing.assert_array_equal(from_file.difference_float, computed.difference_float)
    np.testing.assert_array_equal(from_file.size, computed.size)
    again = result.store(str(tmp_path / "gap.zarr"), resume=True)
    assert again.written is not None and again.written.written == 0
    table = zarr.open_array(str(tmp_path / "gap.zarr"), mode="r")[:]
    np.testing.assert_array_equal(table, computed.table())
    one = compare("sqrt(n)*u(x, n*eps)", "LN(x)", {"x": rows[5]})
    one.store(str(tmp_path / "one.npy"))
    np.testing.assert_array_equal(np.load(tmp_path / "one.npy"), table[:, 5])


def test_compare_cli_on_a_cache(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from lnsym.interp import compare

    rng = np.random.default_rng(18)
    rows = rng.normal(1.0, 1.0, (60, 6))
    zarr.create_array(store=str(tmp_path / "x.zarr"), data=rows, chunks=(16, 6))
    command = ["compare", "sqrt(n)*u(x, n*eps)", "LN(x)", "--set", f"x={tmp_path / 'x.zarr'}"]
    command += ["--chunk-mb", "0.0008"]  # blocks of 16 rows, as the store
    assert main(command) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("REFUTED") and "on 60 row(s), float64" in printed
    out = tmp_path / "gap.zarr"
    assert main([*command, "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["rows"] == ["lhs", "rhs", "difference"] and summary["written"]["blocks"] == 4
    table = zarr.open_array(str(out), mode="r")[:]
    for k in (0, 59):
        eager = compare("sqrt(n)*u(x, n*eps)", "LN(x)", {"x": rows[k]})
        np.testing.assert_array_equal(table[:, k], eager.table())
    assert main([*command, "--out", str(out), "--resume", "--quiet"]) == 0
    assert capsys.readouterr().out == ""


def test_hdf5_caches(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    h5py = pytest.importorskip("h5py", reason=needs("the Dask tests", "dask"))
    rng = np.random.default_rng(17)
    x = rng.normal(size=(700, 8))
    with h5py.File(tmp_path / "cache.h5", "w") as handle:
        handle.create_dataset("resid", data=x, chunks=(100, 8))
        handle.create_group("blocks")
    lazy = open_array(f"{tmp_path / 'cache.h5'}:resid", chunk_bytes=8 * 8 * 200)
    assert lazy.chunks == ((200, 200, 200, 100), (8,))
    np.testing.assert_array_equal(kernel("LN(x)")(lazy).compute(), kernel("LN(x)")(x))
    for name, message in (("nothing", "not a readable HDF5 dataset"), ("blocks", "is a group")):
        with pytest.raises(DataError, match=message):
            open_array(f"{tmp_path / 'cache.h5'}:{name}")
    with pytest.raises(DataError, match="name the dataset"):
        open_array(tmp_path / "cache.h5")
    out = tmp_path / "ln.npy"
    command = ["eval", "LN(x)", "--set", f"x={tmp_path / 'cache.h5'}:resid", "--out", str(out)]
    assert main([*command, "--quiet"]) == 0
    np.testing.assert_array_equal(np.load(out), kernel("LN(x)")(x))


@pytest.mark.skipif("numba" not in FAST, reason=needs("the numba backend", "numba"))
def test_numba_kernels_release_the_gil() -> None:
    from lnsym.kernels import export

    assert "nogil=True" in kernel("dot(w, LN(x))", "numba", vectors="x,w").source
    assert "nogil=True" in export("LN(x)", backend="numba")
    ln = kernel("LN(x)", "numba")
    rows = np.random.default_rng(18).normal(size=(64, 16))
    ln(rows)
    dispatcher = next(v for k, v in ln.function.__globals__.items() if k.endswith("_rows"))
    assert dispatcher.targetoptions.get("nogil") is True


@settings(max_examples=25, deadline=None)
@given(
    rows=st.integers(1, 40),
    n=st.integers(1, 9),
    chunk=st.integers(1, 40),
    scale=st.sampled_from([1e-150, 1e-8, 1.0, 1e8, 1e150]),
    offset=st.sampled_from([0.0, 1.0, -1e6]),
    single=st.booleans(),
)
def test_any_chunking_gives_the_in_memory_values(
    rows: int, n: int, chunk: int, scale: float, offset: float, single: bool
) -> None:
    rng = np.random.default_rng(rows * 100 + n)
    if single:  # float32 spans 1e±38
        scale = min(max(scale, 1e-30), 1e30)
    x = rng.normal(size=(rows, n)) * scale + offset
    w = rng.normal(size=n)
    if single:
        x = x.astype(np.float32)
    for formula, function in (("LN", LN), ("logit", LOGIT)):
        arguments = (x,) if formula == "LN" else (x, w, 0.25)
        eager = function(*arguments)
        lazy = function(da.from_array(x, chunks=(chunk, n)), *arguments[1:])
        np.testing.assert_array_equal(lazy.compute(), eager)
        assert lazy.dtype == eager.dtype


def _close(actual: Any, desired: Any) -> None:
    """Equal to float64 rounding: a few ulps of the largest magnitude involved."""
    actual, desired = np.asarray(actual, dtype=np.float64), np.asarray(desired, dtype=np.float64)
    scale = max(1.0, float(np.max(np.abs(desired)))) if desired.size else 1.0
    np.testing.assert_allclose(actual, desired, rtol=0, atol=64 * np.finfo(np.float64).eps * scale)


def test_lazy_multi_axis_results_compute_on_local_threads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A lazy table of several axes (shares: components x tokens) computes on the threaded engine
    (its keys nest one list per axis) and prints what the in-memory run prints."""
    rng = np.random.default_rng(21)
    x = rng.normal(size=(40, 6))
    zarr.create_array(store=str(tmp_path / "x.zarr"), data=x, chunks=(10, 6))
    np.save(tmp_path / "x.npy", x)
    w = "1,-2,0.5,0,3,1"
    lazy = ["attribute", "--component", f"a={tmp_path / 'x.zarr'}", "--set", f"w={w}", "--json"]
    assert main(lazy) == 0
    eager = ["attribute", "--component", f"a={tmp_path / 'x.npy'}", "--set", f"w={w}", "--json"]
    printed = json.loads(capsys.readouterr().out)
    assert main(eager) == 0
    expected = json.loads(capsys.readouterr().out)
    _close(np.array(printed["logit"]), np.array(expected["logit"]))
    assert main(["eval", "LN(x)", "--set", f"x={tmp_path / 'x.zarr'}", "--json"]) == 0
    np.testing.assert_allclose(
        np.array(json.loads(capsys.readouterr().out)["value"]), ln_reference(x), rtol=1e-10
    )
    assert main([*lazy, "--resume"]) == 2
    assert "--resume continues writing an --out" in capsys.readouterr().err


def test_stored_attribution_is_checked_from_the_file(tmp_path: Path) -> None:
    from dataclasses import replace

    from lnsym.interp import attribute

    rng = np.random.default_rng(22)
    parts = {k: da.from_array(rng.normal(size=(30, 5)), chunks=(8, 5)) for k in ("emb", "attn")}
    lazy = attribute(parts, w=rng.normal(size=5), b=0.25)
    stored = lazy.store(str(tmp_path / "t.zarr"), job={"test": 1})
    assert stored.ok and stored.error <= stored.tolerance
    blocks = stored.written.blocks
    assert stored.written.written == blocks == 4 and stored.written.skipped == 0
    report = stored.report()
    assert report.startswith("PROVED") and "rows: emb, attn, bias, logit, rounding_bound" in report
    assert f"wrote {tmp_path / 't.zarr'}: shape (5, 30), float64, 4 block(s) (4 now" in report
    assert ": ok" in report and "REFUTED" in report
    table = zarr.open_array(str(tmp_path / "t.zarr"), mode="r")[:]
    np.testing.assert_array_equal(table[:2], lazy.compute().shares)
    # a wrong logit in the table is caught by the check from the file
    wrong = da.concatenate([lazy.blocks[:3], lazy.blocks[3:4] + 1e-6, lazy.blocks[4:]])
    broken = replace(lazy, blocks=wrong)
    failed = broken.store(str(tmp_path / "u.zarr"), job={"test": 2})
    assert not failed.ok and "FAILED" in failed.report()
    assert failed.error == pytest.approx(1e-6, rel=1e-3)


def test_evaluate_lazy_equals_in_memory(tmp_path: Path) -> None:
    from lnsym.execute.stores import open_value
    from lnsym.kernels.evaluation import evaluate
    from lnsym.numeric.data import Data

    rng = np.random.default_rng(23)
    x = rng.normal(size=(50, 7))
    zarr.create_array(store=str(tmp_path / "x.zarr"), data=x, chunks=(12, 7))
    lazy = evaluate("LN(x)", {"x": open_value(str(tmp_path / "x.zarr"), chunk_bytes=800)})
    assert is_dask(lazy.value)
    eager = evaluate("LN(x)", {"x": Data(x, "x")})
    assert eager.compute() is eager  # in memory: compute() is the result itself
    assert lazy.compute().value == eager.value  # the same kernel, block by block: bit for bit
    assert evaluate("LN(x)", {"x": Data(x, "x")}, lazy=True).compute().value == eager.value
    report = lazy.store(str(tmp_path / "ln.npy"), job={"test": 3})
    assert report.written == report.blocks > 1 and report.summary().startswith("wrote ")
    np.testing.assert_array_equal(np.load(tmp_path / "ln.npy"), np.array(eager.value))
    # the in-memory value is stored the same way, block by block, with resume
    written = eager.store(str(tmp_path / "eager.zarr"), chunk_bytes=800)
    assert written.written == written.blocks > 1
    again = eager.store(str(tmp_path / "eager.zarr"), chunk_bytes=800, resume=True)
    assert again.written == 0 and again.skipped == written.blocks
    stored = zarr.open_array(str(tmp_path / "eager.zarr"), mode="r")[:]
    np.testing.assert_array_equal(stored, np.array(eager.value))
    exact = evaluate("mu(x)", {"x": Data(x[0], "x")}, exact=True)
    with pytest.raises(DataError, match="an exact value is decimal text"):
        exact.store(str(tmp_path / "exact.npy"))
    assert open_value("1,2,3").array.tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(DataError, match="exact= evaluates in memory; compute the Dask arrays"):
        evaluate("LN(x)", {"x": open_value(str(tmp_path / "x.zarr"))}, exact=True)
    with pytest.raises(DataError, match="no such file"):
        open_value("1,2,3", inline=False)


def test_evaluate_on_dask_is_the_in_memory_kernel_per_block() -> None:
    from lnsym.kernels.evaluation import evaluate
    from lnsym.numeric.data import Data

    rng = np.random.default_rng(31)
    x = rng.normal(size=(9, 4, 6)).astype(np.float32)
    w = rng.normal(size=(4, 6)).astype(np.float32)  # a batch of readers, in memory
    values = {"x": Data(x, "x"), "w": Data(w, "w"), "b": Data(np.array(0.25), "b")}
    chunked = da.from_array(x, chunks=(2, 4, 3))  # the normalized axis split: made whole
    formula, names = "dot(w, LN(x)) + b", {"vectors": "x,w", "scalars": "b"}
    eager = evaluate(formula, values, **names)
    lazy = evaluate(formula, {**values, "x": Data(chunked, "x")}, **names)
    assert is_dask(lazy.value) and lazy.value.dtype == np.float32
    assert lazy.value.chunks == ((2, 2, 2, 2, 1), (4,))
    assert lazy.compute().value == eager.value  # bit for bit, in the inputs' dtype
    x64 = x.astype(np.float64)
    centered = x64 - x64.mean(axis=-1, keepdims=True)
    ln = centered / np.sqrt((centered**2).mean(axis=-1, keepdims=True) + 1e-5)
    reference = (ln * w.astype(np.float64)).sum(axis=-1) + 0.25
    np.testing.assert_allclose(lazy.compute().value, reference, rtol=1e-5, atol=1e-5)


def test_lazy_results_report_like_the_in_memory_ones() -> None:
    from lnsym.interp import attribute
    from lnsym.kernels.evaluation import evaluate
    from lnsym.numeric.data import Data

    rng = np.random.default_rng(24)
    parts = {k: rng.normal(size=(6, 4)) for k in ("emb", "attn")}
    lazy = attribute(
        {k: da.from_array(v, chunks=(2, 4)) for k, v in parts.items()}, w=[1, 2, 0, -1]
    )
    eager = lazy.compute()
    assert lazy.report("t.npy") == eager.report("t.npy") and lazy.to_json() == eager.to_json()
    x = Data(da.from_array(rng.normal(size=(5, 3)), chunks=(2, 3)), "x")
    result = evaluate("LN(x)", {"x": x})
    assert is_dask(result.value)
    assert (
        result.report() == result.compute().report()
        and result.to_json()["value"][0][0] == (result.compute().value[0][0])
    )
