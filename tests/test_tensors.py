"""Users' tensors in: the array protocol, matrix readers, whole-vocabulary attribution, and the
regression tests of issue 12's defects.

Ground truth is computed independently of lnsym: componentwise NumPy float64 formulas (and
``torch.nn.functional.layer_norm`` where torch is installed).
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import lnsym
from lnsym.cli import main
from lnsym.errors import DataError
from lnsym.install import needs
from lnsym.interp import attribute, fold
from lnsym.kernels import KernelShapeError, kernel
from lnsym.kernels.backward import layer_norm_backward
from lnsym.kernels.interop import (
    FAMILIES,
    NUMPY,
    ArrayFamily,
    ArrayKind,
    array_kind,
    family,
    family_of,
    restore,
    to_numpy,
)


def reference_ln(x: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """LayerNorm along the last axis, componentwise in float64."""
    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps)


def reference_shares(parts: np.ndarray, W: np.ndarray, g: np.ndarray, eps: float = 1e-5):
    """Shares (K, rows, V) of parts (K, rows, n) read by the columns of W (n, V), componentwise."""
    x = parts.sum(axis=0)
    n = x.shape[-1]
    cx = x - x.mean(axis=-1, keepdims=True)
    scale = np.sqrt(n) / np.sqrt((cx**2).sum(axis=-1) + n * eps)
    centered = parts - parts.mean(axis=-1, keepdims=True)
    return np.einsum("krn,nv->krv", centered, g[:, None] * W) * scale[None, :, None]


# -- the array protocol: NumPy ---------------------------------------------------------------------


def test_numpy_float16_keeps_its_dtype_and_computes_wide() -> None:
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(4, 16)) * 3 + 1).astype(np.float16)
    for backend in ("numpy", "numba"):
        result = kernel("LN(x)", backend=backend)(x)
        assert result.dtype == np.float16
        expected = reference_ln(x.astype(np.float64)).astype(np.float16)
        np.testing.assert_array_equal(result, expected)  # one rounding, from float64


def test_numpy_out_of_float16() -> None:
    x = np.arange(8, dtype=np.float16).reshape(2, 4)
    out = np.empty((2, 4), dtype=np.float16)
    assert kernel("LN(x)", backend="numba")(x, out=out) is out
    np.testing.assert_array_equal(out, reference_ln(x).astype(np.float16))


def test_restore_rule() -> None:
    assert array_kind(np.zeros(2, np.float32), np.zeros(2)).dtype_name == "float64"
    assert array_kind([1, 2]).dtype_name == "float64"
    assert restore(np.ones(2), array_kind(np.zeros(2, np.float32))).dtype == np.float32


class Boxed:
    """A stand-in for a new array library: an immutable box around a NumPy array."""

    def __init__(self, array: Any) -> None:
        self.array = np.asarray(array)

    @property
    def dtype(self) -> Any:
        return self.array.dtype

    @property
    def shape(self) -> tuple[int, ...]:
        return self.array.shape

    @property
    def ndim(self) -> int:
        return self.array.ndim


class BoxedFamily(ArrayFamily):
    """Its array family: all a new library adds to the array protocol."""

    name = "boxed"
    modules = (Boxed.__module__.partition(".")[0],)

    def owns(self, value: Any) -> bool:
        return isinstance(value, Boxed)

    def to_numpy(self, value: Any, widen: bool) -> Any:
        return value.array

    def sum_leading_axes(self, rows: Any, axes: tuple[int, ...]) -> Any:
        return Boxed(rows.array.sum(axis=axes))

    def restore(self, array: Any, kind: ArrayKind) -> Any:
        return Boxed(np.asarray(array).astype(kind.dtype_name))

    def copy_into(self, out: Any, value: Any) -> Any:
        np.copyto(out.array, to_numpy(value), casting="same_kind")
        return out


def test_a_new_array_family_is_one_class_and_one_registration() -> None:
    rng = np.random.default_rng(3)
    x = (rng.normal(size=(3, 8)) * 2 + 1).astype(np.float32)
    dy, g = rng.normal(size=(3, 8)), rng.normal(size=8)
    assert family(Boxed(x)) == "numpy"  # unknown to lnsym before it is registered
    FAMILIES.register(BoxedFamily())
    try:
        assert family_of(Boxed(x)) is FAMILIES["boxed"] and family(x) == "numpy"
        assert FAMILIES.names()[0] == "numpy" and "boxed" in FAMILIES.names()
        result = kernel("LN(x)")(Boxed(x))
        assert isinstance(result, Boxed) and result.dtype == np.float32
        np.testing.assert_allclose(result.array, reference_ln(x), rtol=1e-6, atol=1e-6)
        out = Boxed(np.zeros((3, 8), np.float32))
        assert kernel("LN(x)", backend="numba")(Boxed(x), out=out) is out
        np.testing.assert_array_equal(out.array, result.array)
        dx, dg, dbeta = layer_norm_backward(Boxed(x), Boxed(dy), Boxed(g), backend="numpy")
        assert all(isinstance(v, Boxed) for v in (dx, dg, dbeta)) and dg.shape == (8,)
        np.testing.assert_allclose(dbeta.array, dy.sum(axis=0), rtol=1e-12)
    finally:
        FAMILIES.remove("boxed")
    assert family_of(Boxed(x)) is NUMPY and "boxed" not in FAMILIES.names()


# -- the array protocol: PyTorch -------------------------------------------------------------------

torch_reason = needs("this test", "torch")


@pytest.fixture(scope="module")
def torch():  # type: ignore[no-untyped-def]
    return pytest.importorskip("torch", reason=torch_reason)


@pytest.mark.parametrize("backend", ["numpy", "numba", "torch"])
@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_torch_tensors_in_every_backend(torch, backend: str, dtype: str) -> None:  # type: ignore[no-untyped-def]
    generator = torch.Generator().manual_seed(1)
    x = (torch.randn(3, 5, 32, generator=generator) * 4 + 2).to(getattr(torch, dtype))
    x.requires_grad_(True)
    result = kernel("LN(x)", backend=backend)(x)
    assert isinstance(result, torch.Tensor)
    assert result.dtype == x.dtype  # the torch backend used to return float32 for half input
    assert result.device == x.device
    expected = torch.nn.functional.layer_norm(x.detach().double(), (32,), eps=1e-5)
    # one rounding from a float64 result: at most half an ulp of the output dtype
    ulp = torch.finfo(x.dtype).eps
    assert float((result.detach().double() - expected).abs().max()) <= ulp * 4 * 1.0001
    # gradients flow on every backend: numpy/numba kernels hand such tensors to the torch kernel
    assert result.requires_grad


def test_torch_backend_gradient_matches_layer_norm(torch) -> None:  # type: ignore[no-untyped-def]
    x = torch.randn(4, 16, dtype=torch.float64, requires_grad=True)
    w = torch.randn(16, dtype=torch.float64)
    logit = kernel("dot(w, LN(x))", backend="torch", vectors="x,w")(x, w)
    (grad,) = torch.autograd.grad(logit.sum(), x)
    y = torch.nn.functional.layer_norm(x, (16,), eps=1e-5) @ w
    (expected,) = torch.autograd.grad(y.sum(), x)
    assert float((grad - expected).abs().max()) < 1e-12


@pytest.mark.parametrize("backend", ["numpy", "numba", "torch"])
def test_torch_out(torch, backend: str) -> None:  # type: ignore[no-untyped-def]
    x = torch.randn(3, 8)
    out = torch.empty(3, 8)
    assert kernel("LN(x)", backend=backend)(x, out=out) is out
    expected = torch.nn.functional.layer_norm(x.double(), (8,), eps=1e-5)
    assert float((out.double() - expected).abs().max()) < 1e-6
    with pytest.raises(KernelShapeError, match="shape"):
        kernel("LN(x)", backend=backend)(x, out=torch.empty(2, 8))


def test_scalars_may_be_tensors(torch) -> None:  # type: ignore[no-untyped-def]
    x = torch.randn(5, 8, dtype=torch.float64)
    w = torch.randn(8, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(0.25, dtype=torch.float64)
    value = kernel("dot(w, LN(x)) + b", vectors="x,w", scalars="b")(x=x, w=w, b=b)
    expected = reference_ln(x.numpy()) @ w.detach().numpy() + 0.25
    assert value.requires_grad  # w requires a gradient: the torch kernel ran
    np.testing.assert_allclose(value.detach().numpy(), expected, rtol=1e-13)


def test_interp_takes_tensors_that_require_grad(torch) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(2)
    n, vocab = 16, 11
    W = torch.tensor(rng.normal(size=(n, vocab)), dtype=torch.float32, requires_grad=True)
    g = torch.tensor(1 + 0.2 * rng.normal(size=n), dtype=torch.float32, requires_grad=True)
    beta = torch.tensor(0.1 * rng.normal(size=n), dtype=torch.float32, requires_grad=True)
    b = torch.tensor(rng.normal(size=vocab), dtype=torch.float32, requires_grad=True)
    result = fold(W, g, beta, b, center=True, axis=0)
    assert isinstance(result.reader, torch.Tensor) and result.reader.dtype == torch.float32
    assert result.reader.shape == (n, vocab) and result.bias.shape == (vocab,)
    Wd, gd, bd = W.detach().double().numpy(), g.detach().double().numpy(), beta.detach().double()
    expected = gd[:, None] * Wd
    expected = expected - expected.mean(axis=0)
    np.testing.assert_allclose(result.reader.numpy(), expected, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(
        result.bias.numpy(), bd.numpy() @ Wd + b.detach().double().numpy(), rtol=1e-6
    )
    parts = torch.tensor(rng.normal(size=(3, 5, n)), dtype=torch.float32, requires_grad=True)
    shares = attribute(parts, W, g=g, beta=beta, b=b, w_axis=0)
    assert isinstance(shares.shares, torch.Tensor) and shares.shares.shape == (3, 5, vocab)
    assert shares.ok
    # a list of tensors with a NumPy reader: the components decide
    listed = attribute(list(parts), W.detach().numpy()[:, 0])
    assert isinstance(listed.shares, torch.Tensor) and listed.shares.shape == (3, 5)


# -- matrix readers and whole-vocabulary attribution -----------------------------------------------


@pytest.mark.parametrize("layout", ["tl", "rows"])
def test_whole_vocabulary_attribution(layout: str) -> None:
    rng = np.random.default_rng(3)
    k, rows, n, vocab = 4, 6, 24, 37
    parts = rng.normal(size=(k, rows, n)) * rng.uniform(0.5, 3, size=(k, 1, 1)) + 0.5
    W = rng.normal(size=(n, vocab))
    g, beta, b = 1 + 0.3 * rng.normal(size=n), rng.normal(size=n), rng.normal(size=vocab)
    reader, axis = (W, 0) if layout == "tl" else (W.T.copy(), -1)
    result = attribute(parts, reader, g=g, beta=beta, b=b, w_axis=axis)
    assert result.shares.shape == (k, rows, vocab) and result.logit.shape == (rows, vocab)
    assert result.separate is None  # off by default for a matrix of readers
    np.testing.assert_allclose(result.shares, reference_shares(parts, W, g), rtol=1e-10, atol=1e-12)
    logit = (g * reference_ln(parts.sum(axis=0)) + beta) @ W + b
    np.testing.assert_allclose(result.logit, logit, rtol=1e-12, atol=1e-12)
    assert result.ok and result.error < 1e-12
    # the same readers one by one (the old API) agree
    for v in (0, 17, vocab - 1):
        single = attribute(parts, W[:, v], g=g, beta=beta, b=b[v])
        np.testing.assert_allclose(single.shares, result.shares[..., v], rtol=1e-12, atol=1e-13)


def test_whole_vocabulary_in_float32_is_checked_in_float32() -> None:
    rng = np.random.default_rng(4)
    parts = rng.normal(size=(13, 2, 64)).astype(np.float32)
    W = rng.normal(size=(64, 501)).astype(np.float32)
    result = attribute(parts, W, w_axis=0)
    assert result.shares.dtype == np.float32
    assert result.ok
    # the identity is checked on the float64 rows; the products carry a float32 rounding bound
    assert result.error <= result.tolerance < 1e-10
    assert 1e-7 < result.product_tolerance < 0.1
    gap = float(np.max(np.abs(np.asarray(result.total, np.float64) - result.logit)))
    assert 1e-9 < gap <= result.product_tolerance + result.tolerance
    np.testing.assert_allclose(
        result.shares,
        reference_shares(parts.astype(np.float64), W.astype(np.float64), np.ones(64)),
        rtol=1e-4,
        atol=1e-4,
    )


def test_fold_x_axis_is_independent_of_the_reader_axis() -> None:
    """TL keeps d_model first in W_U and last in the residual (it used to fail: 'w: 64, x: 48')."""
    rng = np.random.default_rng(5)
    n, vocab = 64, 48
    W, x = rng.normal(size=(n, vocab)), rng.normal(size=(7, n))
    result = fold(W, g=1 + rng.normal(size=n) * 0.1, axis=0, x=x)
    assert result.check is not None and result.check.ok
    assert result.check.folded.shape == (7, vocab)


def test_interp_fold_is_the_function_and_folding_the_module() -> None:
    import lnsym.interp

    assert callable(lnsym.interp.fold) and lnsym.interp.fold is fold
    assert importlib.import_module("lnsym.interp.folding").fold is fold
    assert importlib.import_module("lnsym.interp.comparison").compare is lnsym.interp.compare


def test_component_names_like_a0_a1_do_not_clash() -> None:
    result = attribute({"a0": [1.0, 0.0, 2.0, 1.0], "a1": [0.0, 3.0, -1.0, 2.0]}, w=[1, -1, 0.5, 0])
    statement = result.statement()
    assert "c(a0)" in statement and "c(a1)" in statement and "a2" not in statement
    assert "LNA(a0 + a1, g, beta)" in statement


# -- CLI regressions -------------------------------------------------------------------------------


def test_cli_attribute_with_several_rows(tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    Path("a.csv").write_text("1,0,2,1\n0,3,-1,2\n")
    Path("b.csv").write_text("0,3,-1,2\n1,1,1,0\n")
    args = ["attribute", "--component", "a=a.csv", "--component", "b=b.csv"]
    assert main([*args, "--set", "w=1,-1,0.5,0"]) == 0  # used to raise IndexError
    out = capsys.readouterr().out
    assert "row (0,)" in out and "row (1,)" in out and ": ok" in out
    parts = np.array([[[1, 0, 2, 1], [0, 3, -1, 2]], [[0, 3, -1, 2], [1, 1, 1, 0]]], float)
    w = np.array([1, -1, 0.5, 0])
    logit = reference_ln(parts.sum(axis=0)) @ w
    assert f"{logit[1]:.15g}" in out


def test_cli_attribute_with_a_4d_stack(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(6)
    stack = rng.normal(size=(3, 2, 4, 8))
    np.save(tmp_path / "stack.npy", stack)
    args = ["attribute", "--components", str(tmp_path / "stack.npy"), "--set", "w=1,2,3,4,5,6,7,8"]
    code = main([*args, "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    logit = reference_ln(stack.sum(axis=0)) @ np.arange(1, 9)
    np.testing.assert_allclose(data["logit"], logit, rtol=1e-12)
    assert [c["name"] for c in data["components"]] == ["stack[0]", "stack[1]", "stack[2]"]


def test_cli_whole_vocabulary(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(7)
    parts, W, b = rng.normal(size=(3, 2, 8)), rng.normal(size=(8, 10)), rng.normal(size=10)
    for name, value in (("stack", parts), ("W_U", W), ("b_U", b)):
        np.save(tmp_path / f"{name}.npy", value)
    out = tmp_path / "shares.npy"
    args = ["attribute", "--components", str(tmp_path / "stack.npy")]
    args += ["--set", f"W={tmp_path / 'W_U.npy'}", "--set", f"b={tmp_path / 'b_U.npy'}"]
    assert main([*args, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "readers (10,)" in text and ": ok" in text
    table = np.load(out)  # the table: the shares, then bias, logit and rounding bound
    assert table.shape == (6, 2, 10)
    np.testing.assert_allclose(table[:3], reference_shares(parts, W, np.ones(8)), rtol=1e-10)
    np.testing.assert_allclose(table[3], np.broadcast_to(b, (2, 10)), rtol=1e-12)


@pytest.mark.parametrize("suffix", [".npy", ".csv"])
def test_cli_fold_out_writes_reader_and_bias(tmp_path: Path, capsys, suffix: str) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(8)
    W, b, beta = rng.normal(size=(6, 5)), rng.normal(size=5), rng.normal(size=6)
    np.save(tmp_path / "W_U.npy", W)
    np.save(tmp_path / "b_U.npy", b)
    np.save(tmp_path / "beta.npy", beta)
    out = tmp_path / f"folded{suffix}"
    args = ["fold", "--set", f"W={tmp_path / 'W_U.npy'}", "--set", f"b={tmp_path / 'b_U.npy'}"]
    args += ["--set", f"beta={tmp_path / 'beta.npy'}", "--center", "--out", str(out)]
    assert main(args) == 0
    text = capsys.readouterr().out
    bias_path = tmp_path / f"folded_bias{suffix}"
    assert f"wrote the folded bias to {bias_path}" in text
    read = np.load if suffix == ".npy" else lambda p: np.loadtxt(p, delimiter=",")
    np.testing.assert_allclose(read(out), W - W.mean(axis=0), atol=1e-12)
    np.testing.assert_allclose(read(bias_path), beta @ W + b, atol=1e-12)


def test_cli_w_and_W_together_is_an_error(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["fold", "--set", "w=1,2", "--set", "W=1,2"]) == 2
    assert "not both" in capsys.readouterr().err


def test_cli_W_must_be_a_matrix(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["fold", "--set", "W=1,2,3"]) == 2
    assert "d_model x d_vocab" in capsys.readouterr().err


def test_errors_name_the_fix() -> None:
    with pytest.raises(DataError, match="one per reader"):
        fold(np.ones((4, 3)), b=[1.0, 2.0], axis=0)
    assert lnsym.fold is fold


# -- degenerate inputs -----------------------------------------------------------------------------


def test_degenerate_attributions() -> None:
    # n = 1: c(a) = 0, every share is 0 and the logit is the bias
    one = attribute([[2.0], [3.0]], [[1.5, -2.0]], w_axis=0, b=[0.1, 0.2])
    np.testing.assert_array_equal(one.shares, 0.0)
    np.testing.assert_allclose(one.logit, [0.1, 0.2])
    assert one.ok
    # constant components (c(x) = 0): shares 0, the logit is <w, beta> + b
    rng = np.random.default_rng(9)
    W, beta = rng.normal(size=(8, 5)), rng.normal(size=8)
    flat = attribute(np.ones((3, 4, 8)), W, beta=beta, w_axis=0)
    np.testing.assert_array_equal(flat.shares, 0.0)
    np.testing.assert_allclose(flat.logit, np.broadcast_to(beta @ W, (4, 5)), rtol=1e-12)
    # an empty vocabulary
    empty = attribute(rng.normal(size=(2, 8)), np.zeros((8, 0)), w_axis=0)
    assert empty.shares.shape == (2, 0) and empty.ok
    # huge and tiny components: the shared scale normalizes them
    for size in (1e150, 1e-150):
        parts = rng.normal(size=(2, 3, 8)) * size
        result = attribute(parts, W, w_axis=0)
        assert result.ok
        np.testing.assert_allclose(result.shares, reference_shares(parts, W, np.ones(8)), rtol=1e-9)


def test_non_finite_readers_are_refused() -> None:
    with pytest.raises(DataError, match="NaN or infinity"):
        attribute(np.ones((2, 8)) + np.arange(8), np.full((8, 3), np.nan), w_axis=0)


def test_compare_and_columns_take_tensors(torch) -> None:  # type: ignore[no-untyped-def]
    from lnsym.interp import compare, layer_norm_columns

    x = torch.tensor([1.0, 2.0, 3.0, 6.0], requires_grad=True)
    assert compare("sqrt(n)*u(x, n*eps)", "LN(x)", {"x": x}).status == "refuted"
    matrix = torch.randn(4, 3, dtype=torch.float64)
    columns = layer_norm_columns(matrix)
    assert isinstance(columns, torch.Tensor) and columns.dtype == torch.float64
    np.testing.assert_allclose(columns.numpy(), reference_ln(matrix.numpy().T).T, rtol=1e-12)


# -- the array protocol: JAX -----------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["numpy", "numba", "jax"])
@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
def test_jax_arrays_in_every_backend(backend: str, dtype: str) -> None:
    jnp = pytest.importorskip("jax.numpy", reason=needs("this test", "jax"))
    rng = np.random.default_rng(10)
    values = rng.normal(size=(3, 16)) * 3 + 1
    x = jnp.asarray(values, dtype=dtype)
    result = kernel("LN(x)", backend=backend)(x)
    assert type(result).__module__.startswith("jax") and str(result.dtype) == dtype
    expected = reference_ln(np.asarray(x.astype("float32"), dtype=np.float64))
    ulp = float(jnp.finfo(dtype).eps)
    assert (
        float(np.max(np.abs(np.asarray(result.astype("float32"), np.float64) - expected)))
        <= 4 * ulp
    )


def test_jax_into_attribute_and_fold() -> None:
    jnp = pytest.importorskip("jax.numpy", reason=needs("this test", "jax"))
    rng = np.random.default_rng(11)
    parts, W = rng.normal(size=(3, 2, 8)), rng.normal(size=(8, 5))
    result = attribute(jnp.asarray(parts), jnp.asarray(W), w_axis=0)
    assert type(result.shares).__module__.startswith("jax") and result.ok
    expected = reference_shares(
        np.asarray(jnp.asarray(parts), np.float64),
        np.asarray(jnp.asarray(W), np.float64),
        np.ones(8),
    )
    np.testing.assert_allclose(np.asarray(result.shares), expected, rtol=1e-4, atol=1e-5)
    folded = fold(jnp.asarray(W, dtype="bfloat16"), axis=0)
    assert str(folded.reader.dtype) == "bfloat16" and folded.reader.shape == (8, 5)
    with pytest.raises(KernelShapeError, match="immutable"):
        kernel("LN(x)")(np.ones((2, 4)), out=jnp.zeros((2, 4)))


def test_cli_fold_checks_tl_residual_rows(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """W (d_model × d_vocab) with residual rows x (positions × d_model): no axis juggling."""
    rng = np.random.default_rng(12)
    np.save(tmp_path / "W_U.npy", rng.normal(size=(16, 9)))
    np.save(tmp_path / "resid.npy", rng.normal(size=(5, 16)))
    args = ["fold", "--set", f"W={tmp_path / 'W_U.npy'}", "--set", f"x={tmp_path / 'resid.npy'}"]
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["check"]["rows"] == 5 * 9 and data["check"]["ok"]
    np.save(tmp_path / "resid_columns.npy", rng.normal(size=(16, 5)))
    args[-1] = f"x={tmp_path / 'resid_columns.npy'}"
    assert main([*args, "--x-axis", "0", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["check"]["rows"] == 5 * 9


# -- property: whole-vocabulary attribution equals the componentwise definition --------------------

from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(1, 4),
    rows=st.integers(1, 3),
    n=st.integers(1, 6),
    vocab=st.integers(1, 5),
    seed=st.integers(0, 2**32 - 1),
    magnitude=st.sampled_from([1e-6, 1.0, 1e6]),
    offset=st.sampled_from([0.0, 1.0, 1e4]),
)
# a large mean and a tiny spread: the centring's error, common to every entry, is read coherently
@example(count=3, rows=3, n=5, vocab=1, seed=9789111, magnitude=1e-6, offset=1.0)
def test_whole_vocabulary_matches_the_definition(
    count: int, rows: int, n: int, vocab: int, seed: int, magnitude: float, offset: float
) -> None:
    rng = np.random.default_rng(seed)
    parts = rng.normal(size=(count, rows, n)) * magnitude + offset
    W, g = rng.normal(size=(n, vocab)), 1 + 0.5 * rng.normal(size=n)
    beta, b = rng.normal(size=n), rng.normal(size=vocab)
    result = attribute(parts, W, g=g, beta=beta, b=b, w_axis=0)
    assert result.ok
    expected = reference_shares(parts, W, g)
    scale = np.abs(expected).max() + np.abs(W).max() * np.abs(g).max() * n
    np.testing.assert_allclose(result.shares, expected, atol=1e-9 * scale)
    logit = (g * reference_ln(parts.sum(axis=0)) + beta) @ W + b
    np.testing.assert_allclose(result.logit, logit, atol=1e-9 * (np.abs(logit).max() + scale))


def test_numpy_bfloat16_from_ml_dtypes() -> None:
    ml_dtypes = pytest.importorskip(
        "ml_dtypes", reason=needs("NumPy bfloat16 (ml_dtypes, installed with jax)", "jax")
    )
    x = np.array([[1.0, 2.0, 3.0, 5.0]], dtype=ml_dtypes.bfloat16)
    for backend in ("numpy", "numba"):
        result = kernel("LN(x)", backend=backend)(x)
        assert result.dtype == x.dtype
        expected = reference_ln(x.astype(np.float64)).astype(ml_dtypes.bfloat16)
        np.testing.assert_array_equal(result.astype(np.float64), expected.astype(np.float64))
