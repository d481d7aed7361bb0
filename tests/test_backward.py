"""Backward kernels of affine layer norm: every backend against an independent float64 (and
mpmath) reference, batched, out=, dtypes, and torch.autograd.gradcheck of the autograd Function."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

import lnsym
from _data import shared
from lnsym.errors import LnsymError
from lnsym.install import needs
from lnsym.kernels import available_backends
from lnsym.kernels.backward import layer_norm_backward, layer_norm_function
from lnsym.numeric.data import load

BACKENDS = available_backends()


def reference(x: np.ndarray, dy: np.ndarray, g: np.ndarray, eps: float = 1e-5) -> tuple:
    """The backward pass written out by hand in float64 (the textbook formula, independent of
    lnsym's generated code): xhat = (x - mean)/sqrt(var + eps),
    dx = (gdy - mean(gdy) - xhat*mean(gdy*xhat))/sqrt(var + eps)."""
    x, dy = np.asarray(x, np.float64), np.asarray(dy, np.float64)
    mean = x.mean(-1, keepdims=True)
    inv = 1.0 / np.sqrt(((x - mean) ** 2).mean(-1, keepdims=True) + eps)
    xhat = (x - mean) * inv
    gdy = dy * g
    dx = (gdy - gdy.mean(-1, keepdims=True) - xhat * (gdy * xhat).mean(-1, keepdims=True)) * inv
    batch = tuple(range(x.ndim - 1))
    return dx, (dy * xhat).sum(axis=batch), dy.sum(axis=batch)


def _inputs(shape: tuple[int, ...], seed: int = 0, offset: float = 0.0) -> tuple:
    rng = np.random.default_rng(seed)
    n = shape[-1]
    x = rng.standard_normal(shape) * 2 + offset
    return x, rng.standard_normal(shape), rng.standard_normal(n) + 1.0


def _rtol(result: object, exact: float) -> float:
    """JAX computes in float32 unless jax_enable_x64 is set: a float32 tolerance for it."""
    return 2e-5 if np.asarray(result).dtype == np.float32 else exact


def _numpy(a: object) -> np.ndarray:
    return np.asarray(a.detach().cpu().numpy() if hasattr(a, "detach") else a)


def _as_backend(backend: str, arrays: tuple) -> tuple:
    if backend == "torch":
        torch = pytest.importorskip("torch", reason=needs("the torch backend", "torch"))
        return tuple(torch.from_numpy(np.ascontiguousarray(a)) for a in arrays)
    if backend == "jax":
        jnp = pytest.importorskip("jax.numpy", reason=needs("the jax backend", "jax"))
        return tuple(jnp.asarray(a) for a in arrays)
    return arrays


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("shape", [(7,), (5, 16), (2, 3, 9), (4, 1), (3, 2)])
def test_layer_norm_backward_matches_reference(backend: str, shape: tuple[int, ...]) -> None:
    x, dy, g = _inputs(shape, seed=len(shape) + shape[-1])
    dx, dg, dbeta = layer_norm_backward(*_as_backend(backend, (x, dy, g)), backend=backend)
    rdx, rdg, rdbeta = reference(x, dy, g)
    tol = _rtol(dx, 1e-10)
    # dx cancels terms of size |g dy|/sqrt(Var + eps) (exactly, at n = 1): the error scale
    terms = np.abs(dy * g).max() / np.sqrt(x.var(axis=-1).min() + 1e-5)
    np.testing.assert_allclose(_numpy(dx), rdx, rtol=tol, atol=tol * terms)
    np.testing.assert_allclose(_numpy(dg), rdg, rtol=tol, atol=tol * np.abs(rdg).max())
    np.testing.assert_allclose(_numpy(dbeta), rdbeta, rtol=tol, atol=tol * np.abs(rdbeta).max())


@pytest.mark.parametrize("backend", BACKENDS)
def test_constant_rows_and_offset_rows(backend: str) -> None:
    x, dy, g = _inputs((6, 32), seed=5, offset=1e4)
    x[0] = 3.0  # c(x) = 0: the gradient is c(g*dy)/sqrt(eps)
    dx, _, _ = layer_norm_backward(*_as_backend(backend, (x, dy, g)), backend=backend)
    rdx, _, _ = reference(x, dy, g)
    if np.asarray(dx).dtype == np.float32:
        pytest.skip(
            "jax computes in float32 unless jax_enable_x64 is set; 1e4 offsets need float64"
        )
    np.testing.assert_allclose(_numpy(dx), rdx, rtol=1e-8, atol=1e-8)
    gdy = dy[0] * g
    np.testing.assert_allclose(_numpy(dx)[0], (gdy - gdy.mean()) / np.sqrt(1e-5), rtol=1e-10)


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b in ("numpy", "numba")])
def test_float32_out_and_dtype(backend: str) -> None:
    x, dy, g = (a.astype(np.float32) for a in _inputs((64, 48), seed=9))
    out = np.empty_like(x)
    dx, dg, dbeta = layer_norm_backward(x, dy, g, backend=backend, out=out)
    assert dbeta.dtype == np.float32
    assert dx is out and dx.dtype == np.float32 and dg.dtype == np.float32
    rdx, rdg, _ = reference(x, dy, g)
    # float64 arithmetic, one rounding to float32 at the end
    np.testing.assert_allclose(out, rdx, rtol=2e-6, atol=2e-6 * np.abs(rdx).max())
    np.testing.assert_allclose(dg, rdg, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("backend", BACKENDS)
def test_grad_kernel_is_an_ordinary_kernel(backend: str) -> None:
    k = lnsym.kernel("grad(dot(dy, LNA(x, g, beta)), x)", backend, vectors="x,dy,g,beta")
    assert k.spec.parameters == ("x", "dy", "g")  # beta does not reach dx
    x, dy, g = _inputs((3, 4, 10), seed=2)
    got = k(*_as_backend(backend, (x, dy, g)), eps=1e-3)
    expected = reference(x, dy, g, eps=1e-3)[0]
    tol = _rtol(got, 1e-10)
    np.testing.assert_allclose(_numpy(got), expected, rtol=tol, atol=tol * np.abs(expected).max())


def test_export_of_the_backward_kernel_is_proved_and_runs(tmp_path) -> None:
    source = lnsym.export(
        "grad(dot(dy, LNA(x, g, beta)), x)",
        tmp_path / "ln_backward.py",
        backend="numpy",
        vectors="x,dy,g,beta",
        name="ln_backward",
    )
    assert "Proved by lnsym" in source
    namespace: dict = {}
    exec(compile(source, "ln_backward.py", "exec"), namespace)
    x, dy, g = _inputs((4, 8), seed=4)
    np.testing.assert_allclose(namespace["ln_backward"](x, dy, g), reference(x, dy, g)[0])


def test_seed_data_against_mpmath() -> None:
    x = load(shared("pre_norm.jl")).array
    dy = load(shared("probe_token.jl")).array
    g = np.ones_like(x)
    dx, _, _ = layer_norm_backward(x, dy, g, backend="numpy")
    mpmath.mp.dps = 40
    xs = [mpmath.mpf(float(t)) for t in x]
    ds = [mpmath.mpf(float(t)) for t in dy]
    n = len(xs)
    mean = mpmath.fsum(xs) / n
    var = mpmath.fsum((t - mean) ** 2 for t in xs) / n
    s = mpmath.sqrt(var + mpmath.mpf("1e-5"))
    xhat = [(t - mean) / s for t in xs]
    dmean = mpmath.fsum(ds) / n
    proj = mpmath.fsum(a * b for a, b in zip(ds, xhat, strict=True)) / n
    expected = [float((d - dmean - h * proj) / s) for d, h in zip(ds, xhat, strict=True)]
    np.testing.assert_allclose(dx, expected, rtol=1e-12, atol=1e-14)


def test_autograd_function_passes_gradcheck() -> None:
    torch = pytest.importorskip("torch", reason=needs("this test", "torch"))
    function = layer_norm_function()
    rng = np.random.default_rng(11)
    x = torch.tensor(rng.standard_normal((3, 2, 5)), requires_grad=True)
    g = torch.tensor(rng.standard_normal(5), requires_grad=True)
    beta = torch.tensor(rng.standard_normal(5), requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, b, c: function.apply(a, b, c, 1e-3), (x, g, beta))
    # and it agrees with torch's own layer norm, values and gradients
    y = function.apply(x, g, beta, 1e-5)
    expected = torch.nn.functional.layer_norm(x, (5,), g, beta, eps=1e-5)
    torch.testing.assert_close(y, expected)
    upstream = torch.tensor(rng.standard_normal((3, 2, 5)))
    mine = torch.autograd.grad(y, (x, g, beta), upstream)
    theirs = torch.autograd.grad(expected, (x, g, beta), upstream)
    for a, b in zip(mine, theirs, strict=True):
        torch.testing.assert_close(a, b)


def test_autograd_function_float32() -> None:
    torch = pytest.importorskip("torch", reason=needs("this test", "torch"))
    x = torch.randn(4, 16, dtype=torch.float32, requires_grad=True)
    g, beta = torch.ones(16, requires_grad=True), torch.zeros(16, requires_grad=True)
    y = layer_norm_function().apply(x, g, beta)
    assert y.dtype == torch.float32
    y.sum().backward()
    assert x.grad is not None and x.grad.dtype == torch.float32
    assert float(x.grad.abs().max()) < 1e-3  # d/dx sum(LN(x)) = 0 (the mean is removed)


def test_unknown_backend_is_an_error() -> None:
    with pytest.raises(LnsymError, match="unknown backend"):
        layer_norm_backward(np.ones(3), np.ones(3), np.ones(3), backend="fortran")
