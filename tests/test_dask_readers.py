"""Whole-vocabulary attribution on Dask: a matrix of readers (TransformerLens's ``W_U``, either
layout) over lazy components, one task per block of rows, stored block by block.

Ground truth, twice over: the in-memory :func:`lnsym.interp.attribute` on the same data (equal to
float64 rounding, as in tests/test_dask.py), and a float64 NumPy computation written out here by
hand from the definitions (LN of the summed components, one shared scale), on adversarial inputs.
"""

from __future__ import annotations

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
from lnsym.errors import DataError  # noqa: E402
from lnsym.execute.dask import is_dask  # noqa: E402
from lnsym.execute.stores import progress_dir  # noqa: E402
from lnsym.interp import attribute  # noqa: E402

EPS = 1e-5


def _close(actual: Any, desired: Any) -> None:
    """Equal to float64 rounding: a few ulps of the largest magnitude involved (as test_dask)."""
    actual, desired = np.asarray(actual, dtype=np.float64), np.asarray(desired, dtype=np.float64)
    assert actual.shape == desired.shape
    scale = max(1.0, float(np.max(np.abs(desired)))) if desired.size else 1.0
    np.testing.assert_allclose(actual, desired, rtol=0, atol=64 * np.finfo(np.float64).eps * scale)


def by_hand(
    parts: list[np.ndarray], W: np.ndarray, g: np.ndarray, beta: np.ndarray, b: np.ndarray
) -> dict[str, np.ndarray]:
    """The attribution from the definitions, in float64, with W of shape (n, R) (TL's layout):
    x = Σ a_k; LN(x) = c(x)/sqrt(|c(x)|²/n + eps); logit = <w, g⊙LN(x) + beta> + b;
    share_k = sqrt(n) <g⊙w, c(a_k)> / sqrt(|c(x)|² + n eps); bias = <w, beta> + b."""
    n = W.shape[0]
    x = np.sum(parts, axis=0)
    cx = x - x.mean(axis=-1, keepdims=True)
    ln = cx / np.sqrt((cx * cx).mean(axis=-1, keepdims=True) + EPS)
    root = np.sqrt((cx * cx).sum(axis=-1) + n * EPS)
    gw = g[:, None] * W
    shares = np.stack(
        [np.sqrt(n) * ((a - a.mean(axis=-1, keepdims=True)) @ gw) / root[..., None] for a in parts]
    )
    return {
        "shares": shares,
        "bias": beta @ W + b,
        "logit": (g * ln + beta) @ W + b,
        "scale": np.sqrt(n) / root,
    }


def _case(name: str, rng: np.random.Generator) -> tuple[list[np.ndarray], int]:
    """Components (rows, n) for one adversarial case, and the block size along the rows."""
    rows, n = 23, 13
    if name == "one component":
        return [rng.normal(size=(rows, n))], 5
    if (
        name == "constant sum"
    ):  # every row of x constant: c(x) = 0, the scale is sqrt(n)/sqrt(n eps)
        first = rng.integers(-5, 5, size=(rows, n)).astype(np.float64)
        second = rng.integers(-40, 40, size=(rows, n)) / 8  # dyadic: every sum below is exact
        return [first, second, 2.5 - first - second], 4
    if name == "offset 1e4":  # the mean dwarfs the spread
        return [rng.normal(size=(rows, n)) + 1e4, rng.normal(size=(rows, n)) * 1e-3], 6
    if name == "K > block":
        return [rng.normal(size=(rows, n)) for _ in range(5)], 2
    raise AssertionError(name)


CASES = ["one component", "constant sum", "offset 1e4", "K > block"]


@pytest.mark.parametrize("layout", ["d_model x d_vocab", "d_vocab x d_model"])
@pytest.mark.parametrize("case", CASES)
def test_matrix_readers_equal_the_in_memory_and_the_hand_computation(
    case: str, layout: str
) -> None:
    rng = np.random.default_rng(CASES.index(case) + 40)
    parts, block = _case(case, rng)
    n, vocab = parts[0].shape[-1], 37  # a prime vocabulary: no block divides it
    W = rng.normal(size=(n, vocab))
    g, beta, b = rng.normal(1, 0.2, n), rng.normal(0, 0.3, n), rng.normal(size=vocab)
    reader, w_axis = (W, 0) if layout == "d_model x d_vocab" else (W.T.copy(), -1)
    names = [f"part{k}" for k in range(len(parts))]
    eager = attribute(
        dict(zip(names, parts, strict=True)), reader, g=g, beta=beta, b=b, w_axis=w_axis
    )
    lazy_parts = {k: da.from_array(p, chunks=(block, n)) for k, p in zip(names, parts, strict=True)}
    lazy = attribute(lazy_parts, reader, g=g, beta=beta, b=b, w_axis=w_axis)
    assert is_dask(lazy.shares)
    assert lazy.shares.shape == (len(parts), 23, vocab) and lazy.logit.shape == (23, vocab)
    computed = lazy.compute()
    for field in ("shares", "bias", "scale", "logit"):
        _close(getattr(computed, field), getattr(eager, field))
        assert getattr(computed, field).dtype == getattr(eager, field).dtype
    assert computed.separate is None and eager.separate is None
    assert computed.ok and 0 < computed.tolerance and computed.names == tuple(names)
    # the same rounding bound, row by row, as the in-memory one (at most its maximum)
    assert computed.tolerance <= eager.tolerance * (1 + 1e-12)
    truth = by_hand(parts, W, g, beta, b)
    for field, expected in truth.items():
        value = np.asarray(getattr(computed, field))
        np.testing.assert_allclose(
            value, expected, rtol=1e-9, atol=1e-12 * max(1, np.abs(expected).max())
        )
    if case == "constant sum":
        np.testing.assert_allclose(computed.scale, np.sqrt(n) / np.sqrt(n * EPS), rtol=1e-12)
    table = lazy.table().compute()
    count = len(parts)
    assert table.shape == (count + 3, 23, vocab)
    _close(table[:count], eager.shares)
    _close(table[count], np.broadcast_to(eager.bias, (23, vocab)))
    _close(table[count + 1], eager.logit)
    assert np.all(np.abs(table[:count].sum(axis=0) + table[count] - table[count + 1]) <= table[-1])
    # one task per block of rows, the readers and the components' axis whole
    assert lazy.table().chunks[0] == (count + 3,) and lazy.table().chunks[2] == (vocab,)
    assert lazy.table().numblocks == (1, len(lazy_parts[names[0]].chunks[0]), 1)
    assert lazy.report() == computed.report() and lazy.to_json() == computed.to_json()


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_separate_readings_and_low_precision(tmp_path: Path, dtype: Any) -> None:
    """float16/float32 inputs: the rows in float64, the product in float32 (as in memory), the
    results in the inputs' dtype, the table in float32."""
    rng = np.random.default_rng(50)
    parts = [rng.normal(size=(4, 9, 16)).astype(dtype) for _ in range(3)]
    W = rng.normal(size=(16, 29)).astype(dtype)
    eager = attribute(parts, W, w_axis=0, b=dtype(0.5), separate=True)
    lazy = attribute(
        [da.from_array(p, chunks=(1, 4, 16)) for p in parts],
        W,
        w_axis=0,
        b=dtype(0.5),
        separate=True,
    )
    computed = lazy.compute()
    assert computed.shares.dtype == eager.shares.dtype == dtype
    assert computed.shares.shape == eager.shares.shape == (3, 4, 9, 29)
    for field in ("shares", "bias", "logit", "separate"):
        got, want = getattr(computed, field), getattr(eager, field)
        ulp = float(np.finfo(dtype).eps) * float(np.abs(want).max())  # rounding to the dtype
        np.testing.assert_allclose(got, want, rtol=0, atol=eager.tolerance + ulp)
    assert computed.ok and lazy.table().shape == (6, 4, 9, 29)
    stored = lazy.store(str(tmp_path / "t.zarr"), job={"test": "low"})
    assert stored.ok and zarr.open_array(str(tmp_path / "t.zarr"), mode="r").dtype == np.float32


def test_blocks_are_bounded_by_the_result_size() -> None:
    """A block of the result holds about chunk_bytes, however large the input blocks are."""
    rng = np.random.default_rng(51)
    parts = [da.from_array(rng.normal(size=(200, 8)), chunks=(200, 8)) for _ in range(2)]
    W = rng.normal(size=(8, 101))
    target = 5 * (2 + 3) * 101 * 8  # five rows of the table
    lazy = attribute(parts, W, w_axis=0, chunk_bytes=target)
    table = lazy.table()
    assert table.chunks[1] == (5,) * 40
    assert max(np.prod(shape) * 8 for shape in _block_shapes(table)) <= target
    tiny = attribute(parts, W, w_axis=0, chunk_bytes=1)  # at least one row per block
    assert tiny.table().chunks[1] == (1,) * 200
    _close(tiny.compute().shares, lazy.compute().shares)


def _block_shapes(array: Any) -> list[tuple[int, ...]]:
    import itertools

    return list(itertools.product(*array.chunks))


@settings(max_examples=15, deadline=None)
@given(
    rows=st.integers(1, 9),
    block=st.integers(1, 4),
    count=st.integers(1, 4),
    n=st.integers(1, 6),
    vocab=st.integers(1, 7),
    seed=st.integers(0, 2**16),
)
def test_any_shape_and_chunking(
    rows: int, block: int, count: int, n: int, vocab: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    parts = [rng.normal(size=(rows, n)) * 10.0 ** rng.integers(-3, 4) for _ in range(count)]
    W, b = rng.normal(size=(vocab, n)), rng.normal(size=vocab)
    # one reader per row (w_axis=-1): a square W (vocab == n) needs it said
    eager = attribute(parts, W, b=b, w_axis=-1)
    lazy = attribute([da.from_array(p, chunks=(block, n)) for p in parts], W, b=b, w_axis=-1)
    computed = lazy.compute()
    for field in ("shares", "bias", "scale", "logit"):
        _close(getattr(computed, field), getattr(eager, field))
    assert computed.ok


def test_bad_readers_are_one_line_errors() -> None:
    parts = [da.ones((4, 3), chunks=(2, 3))]
    with pytest.raises(DataError, match=r"b has shape \(4,\); give one number or one per reader"):
        attribute(parts, np.ones((3, 5)), w_axis=0, b=np.ones(4))
    with pytest.raises(DataError, match="vectors of different lengths"):
        attribute(parts, np.ones((4, 5)), w_axis=0)
    with pytest.raises(DataError, match="w holds NaN or infinity"):
        attribute(parts, np.full((3, 5), np.inf), w_axis=0)
    with pytest.raises(DataError, match="g must be one vector of length n"):
        attribute(parts, np.ones((3, 5)), w_axis=0, g=np.ones((3, 3)))


def test_store_resumes_and_checks_from_the_file(tmp_path: Path) -> None:
    from dataclasses import replace

    rng = np.random.default_rng(52)
    raw = [rng.normal(size=(40, 6)) for _ in range(2)]
    W, b = rng.normal(size=(6, 11)), rng.normal(size=11)
    failing = {"on": True}

    def maybe_fail(block: np.ndarray, block_info: Any = None) -> np.ndarray:
        if failing["on"] and block_info[0]["chunk-location"][0] in (1, 3):
            raise KeyboardInterrupt  # as if Ctrl-C arrived while these blocks ran
        return block

    parts = [da.from_array(p, chunks=(8, 6)).map_blocks(maybe_fail, dtype=float) for p in raw]
    out = tmp_path / "shares.zarr"
    with pytest.raises(KeyboardInterrupt):
        attribute(parts, W, w_axis=0, b=b).store(str(out), job={"test": "W"})
    assert not (progress_dir(out) / "complete").exists()
    failing["on"] = False
    stored = attribute(parts, W, w_axis=0, b=b).store(str(out), job={"test": "W"}, resume=True)
    assert stored.ok and stored.written.written >= 2
    assert stored.written.written + stored.written.skipped == stored.written.blocks == 5
    eager = attribute(raw, W, w_axis=0, b=b)
    table = zarr.open_array(str(out), mode="r")[:]
    _close(table[:2], eager.shares)
    _close(table[3], eager.logit)
    report = stored.report()
    assert "rows: a1, a2, bias, logit, rounding_bound" in report and ": ok" in report
    # a wrong logit in the table is caught by the check from the file
    lazy = attribute(parts, W, w_axis=0, b=b)
    broken = replace(lazy, blocks=lazy.blocks + da.from_array(np.eye(5)[3][:, None, None] * 1e-6))
    failed = broken.store(str(tmp_path / "broken.zarr"), job={"test": "broken"})
    assert not failed.ok and "FAILED" in failed.report()
    assert failed.error == pytest.approx(1e-6, rel=1e-3)


def test_cli_whole_vocabulary_on_zarr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(53)
    emb, attn = rng.normal(size=(90, 10)), rng.normal(size=(90, 10)) + 1e4
    zarr.create_array(store=str(tmp_path / "emb.zarr"), data=emb, chunks=(16, 10))
    np.save(tmp_path / "attn.npy", attn)
    W, b, g = rng.normal(size=(10, 23)), rng.normal(size=23), rng.normal(1, 0.1, 10)
    np.save(tmp_path / "W_U.npy", W)
    np.save(tmp_path / "b_U.npy", b)
    np.save(tmp_path / "g.npy", g)
    np.save(tmp_path / "WT.npy", W.T.copy())
    eager = attribute({"emb": emb, "attn": attn}, W, g=g, b=b, w_axis=0)
    common = ["attribute", "--component", f"emb={tmp_path / 'emb.zarr'}"]
    common += ["--component", f"attn={tmp_path / 'attn.npy'}", "--set", f"g={tmp_path / 'g.npy'}"]
    common += ["--chunk-mb", "0.05"]
    bias = ["--set", f"b={tmp_path / 'b_U.npy'}"]
    out = tmp_path / "shares.zarr"
    assert main([*common, *bias, "--set", f"W={tmp_path / 'W_U.npy'}", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "rows: emb, attn, bias, logit, rounding_bound" in printed and ": ok" in printed
    table = zarr.open_array(str(out), mode="r")[:]
    assert table.shape == (5, 90, 23)
    _close(table[:2], eager.shares)
    _close(table[3], eager.logit)
    # resuming a finished run writes nothing; another layout of the same readers gives the same
    again = [*common, *bias, "--set", f"W={tmp_path / 'W_U.npy'}", "--out", str(out)]
    assert main([*again, "--resume"]) == 0
    assert "(0 now, " in capsys.readouterr().out
    other = tmp_path / "rows.npy"
    command = [*common, *bias, "--set", f"w={tmp_path / 'WT.npy'}", "--out", str(other)]
    assert main([*command, "--workers", "1", "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    _close(np.load(other), table)
    # a bias of the wrong length: one line, exit 2
    np.save(tmp_path / "b_bad.npy", np.ones(5))
    bad = [*common, "--set", f"W={tmp_path / 'W_U.npy'}", "--set", f"b={tmp_path / 'b_bad.npy'}"]
    assert main([*bad, "--out", str(tmp_path / "bad.zarr")]) == 2
    error = capsys.readouterr().err.strip()
    assert "b has shape (5,)" in error and len(error.splitlines()) == 1
