"""Kernels against an independent mpmath reference: every backend, batching, out=, hard inputs."""

from __future__ import annotations

import ast
import importlib.util
import sys
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import mpmath
import numpy as np
import pytest

from _data import BIAS, LN_LOGIT, UNCENTERED_LOGIT, shared
from lnsym.errors import DataError, UnsupportedError
from lnsym.install import needs
from lnsym.kernels import (
    Kernel,
    KernelShapeError,
    available_backends,
    evaluate_exact,
    export,
    kernel,
    make_spec,
)
from lnsym.numeric.data import load
from lnsym.numeric.mpmath_eval import evaluate_mp

INSTALLED = available_backends()
BACKENDS = [
    pytest.param(
        b, marks=() if b in INSTALLED else pytest.mark.skip(reason=needs(f"the {b} backend", b))
    )
    for b in ("numpy", "numba", "torch", "jax")
]
VECTORS, SCALARS = "x,w,g,beta", "a,b"
VECTOR_NAMES = ("x", "w", "g", "beta")

#: formulas of the language, each compared against mpmath on every backend.
FORMULAS = [
    "LN(x)",
    "LN(x, 0.1)",
    "RMS(x)",
    "sqrt(n)*u(c(x), n*eps)",
    "c(x)",
    "mu(x)",
    "E(x) + Var(x)",
    "norm(x)",
    "cos(x, w)",
    "dot(w, LN(x)) + b",
    "LNA(x, g, beta)",
    "sandwich(w, x)",
    "hadamard(w, x) / norm(x) - a*ones",
    "mu(x)*ones",
    "(a^2 + 1) * dot(x, ones) / n + dot(ones, ones)",
]


@cache
def compiled(formula: str, backend: str) -> Kernel:
    return kernel(formula, backend, vectors=VECTORS, scalars=SCALARS)


def exact_decimal(value: float) -> str:
    return str(Decimal(float(value)))


def reference(formula: str, values: dict[str, Any], eps: str = "1e-5") -> np.ndarray:
    """The formula per row, by mpmath at 30 digits from the exact binary inputs."""
    spec = make_spec(formula, vectors=VECTORS, scalars=SCALARS)
    rows = np.broadcast_shapes(*(np.shape(values[v])[:-1] for v in ("x", "w", "g", "beta")))
    results = []
    for r in np.ndindex(rows):
        row = {}
        for name, value in values.items():
            if name in VECTOR_NAMES:
                array = np.broadcast_to(value, (*rows, np.shape(value)[-1]))[r]
                row[name] = [exact_decimal(v) for v in array]
            else:
                row[name] = exact_decimal(np.broadcast_to(value, rows)[r])
        n = len(row["x"])
        result = evaluate_mp(spec.expr, row, n=n, eps=eps, digits=30)
        results.append([float(v) for v in result] if isinstance(result, list) else float(result))
    return np.array(results).reshape(*rows, *np.shape(results[0]))


def inputs(rng: np.random.Generator, rows: int = 3, n: int = 7) -> dict[str, Any]:
    return {
        "x": rng.normal(3.0, 2.0, (rows, n)),
        "w": rng.normal(0.0, 1.0, n),
        "g": rng.normal(1.0, 0.1, (rows, n)),
        "beta": rng.normal(0.0, 0.1, n),
        "a": 0.75,
        "b": rng.normal(size=rows),
    }


#: numba compiles each formula (~0.7 s): these cover every path of its code generator.
FUSED = {FORMULAS[i] for i in (0, 2, 3, 8, 9, 10, 11, 12, 13, 14)}


@pytest.mark.parametrize(
    ("formula", "backend"),
    [
        pytest.param(f, b.values[0], marks=b.marks)
        for f in FORMULAS
        for b in BACKENDS
        if b.values[0] != "numba" or f in FUSED
    ],
)
def test_formula_matches_mpmath(formula: str, backend: str) -> None:
    values = inputs(np.random.default_rng(7))
    function = compiled(formula, backend)
    got = np.asarray(function(**{p: values[p] for p in function.spec.parameters}))
    tolerance = 2e-6 if backend == "jax" and got.dtype == np.float32 else 1e-12
    expected = reference(formula, values)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("backend", BACKENDS)
def test_batches_axes_and_broadcasting(backend: str) -> None:
    rng = np.random.default_rng(1)
    ln = kernel("dot(w, LN(x)) + b", backend, vectors="x,w", scalars="b")
    x = rng.normal(5.0, 3.0, (2, 3, 16))
    w = rng.normal(size=16)
    b = rng.normal(size=(2, 3))
    got = np.asarray(ln(x, w, b))
    assert got.shape == (2, 3)
    rows = np.array([[ln(x[i, j], w, b[i, j]) for j in range(3)] for i in range(2)], dtype=float)
    np.testing.assert_allclose(got, rows, rtol=1e-6 if backend == "jax" else 1e-14)
    columns = np.asarray(ln(np.moveaxis(x, -1, 0), w[:, None, None], b, axis=0))  # llm-viz columns
    np.testing.assert_allclose(columns, got, rtol=1e-6 if backend == "jax" else 1e-14)
    plain = kernel("LN(x)", backend, axis=0)
    np.testing.assert_allclose(
        np.asarray(plain(x.T)).T, np.asarray(kernel("LN(x)", backend)(x)), atol=1e-6
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_out_eps_and_dtype(backend: str) -> None:
    rng = np.random.default_rng(2)
    ln = kernel("LN(x)", backend)
    x = rng.normal(size=(4, 8)).astype(np.float32)
    out = np.empty((4, 8), dtype=np.float32)
    result = ln(x, out=out)
    assert result is out
    assert np.asarray(ln(x)).dtype == np.float32
    np.testing.assert_allclose(out, np.asarray(ln(x, eps=1e-5)), rtol=0, atol=0)
    assert not np.allclose(out, np.asarray(ln(x, eps=0.5)))
    transposed = np.empty((8, 4), dtype=np.float64)  # a non-contiguous target: copied into
    ln(x.T, out=transposed, axis=0)
    np.testing.assert_allclose(transposed.T, out, rtol=1e-6)


def test_out_shape_errors_are_one_line() -> None:
    ln = kernel("LN(x)")
    with pytest.raises(KernelShapeError, match=r"out has shape \(3,\); this result needs \(4,\)"):
        ln(np.ones(4), out=np.empty(3))
    logit = kernel("dot(w, x)", vectors="x,w")
    with pytest.raises(DataError, match="w has 3 entries on axis -1 but x has 4"):
        logit(np.ones(4), np.ones(3))
    with pytest.raises(ValueError, match="batch shapes do not broadcast"):
        logit(np.ones((2, 4)), np.ones((3, 4)))
    with pytest.raises(KernelShapeError, match="x is a number"):
        ln(3.0)


def test_bad_kernels_are_refused() -> None:
    with pytest.raises(UnsupportedError, match="unknown backend 'cuda'"):
        kernel("LN(x)", "cuda")
    with pytest.raises(UnsupportedError, match="'out' is used inside generated kernels"):
        kernel("LN(out)", vectors="out")
    with pytest.raises(UnsupportedError, match="at least one vector"):
        kernel("a + 1", vectors=(), scalars="a")


@pytest.mark.parametrize("backend", available_backends())
def test_no_parameter_shadows_a_global_of_the_generated_module(backend: str) -> None:
    """Every public name the generated module binds at its top level (read here from the module's
    own text) is refused as a parameter; a name it does not bind works."""
    source = kernel("dot(w, x)", backend, vectors="x,w").source
    tree = ast.parse(source)
    bound = set()
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            bound |= {(a.asname or a.name).partition(".")[0] for a in node.names}
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.Assign):
            bound |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    bound = {name for name in bound if not name.startswith("_")} - {"kernel", "__all__"}
    assert {"prepare", "output", "np"} <= bound
    for name in sorted(bound):
        with pytest.raises(UnsupportedError, match=f"'{name}' is used inside generated kernels"):
            kernel(f"dot({name}, x)", backend, vectors=("x", name))
    free = kernel("dot(helper, x)", backend, vectors="x,helper")
    assert float(np.asarray(free(np.ones(4), np.arange(4.0)))) == 6.0


def test_no_n_by_n_ones_matrix() -> None:
    """A mean is a sum over the axis: n = 200 000 would need 320 GB as an n×n ones matrix."""
    x = np.random.default_rng(3).normal(10.0, 1.0, 200_000)
    ln = kernel("LN(x)")
    assert "ones(" not in ln.source and "outer" not in ln.source
    value = ln(x)
    assert abs(value.mean()) < 1e-12 and abs(value.var() - 1.0) < 1e-4


@pytest.mark.parametrize("backend", BACKENDS)
def test_hard_inputs_center_first(backend: str) -> None:
    """Mean 1e8, spread 1e-2: E[x²] − E[x]² loses every digit; the centered kernels do not."""
    rng = np.random.default_rng(4)
    x = 1e8 + 1e-2 * rng.normal(size=(2, 32))
    if backend == "jax" and np.asarray(kernel("c(x)", "jax")(x)).dtype == np.float32:
        pytest.skip("jax computes in float32 unless jax_enable_x64 is set")
    got = np.asarray(kernel("LN(x, 0)", backend)(x))
    expected = reference("LN(x, 0)", {"x": x, "w": x, "g": x, "beta": x, "a": 0.0, "b": 0.0})
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)
    naive = x.var(axis=-1, keepdims=True)  # contrast: the one-pass formula is wrong here
    one_pass = (x * x).mean(-1, keepdims=True) - x.mean(-1, keepdims=True) ** 2
    assert np.max(np.abs(one_pass / naive - 1)) > 1e-3


def ulps(got: np.ndarray, expected: np.ndarray) -> float:
    """The largest error in float32 ulps, over entries with |expected| > 0.5."""
    mask = np.abs(expected) > 0.5
    spacing = np.spacing(np.abs(expected[mask]).astype(np.float32)).astype(np.float64)
    return float(np.max(np.abs(got[mask].astype(np.float64) - expected[mask]) / spacing))


@pytest.mark.skipif("numba" not in INSTALLED, reason=needs("the numba backend", "numba"))
@pytest.mark.parametrize(("scale", "offset"), [(5.0, 30.0), (1.0, 1e4)])
def test_fused_float32_within_one_ulp(scale: float, offset: float) -> None:
    x = (scale * np.random.default_rng(5).normal(size=(6, 512)) + offset).astype(np.float32)
    got = kernel("LN(x)", "numba")(x)
    assert got.dtype == np.float32
    with mpmath.workdps(30):
        expected = np.array(
            [
                [
                    float(v)
                    for v in evaluate_mp(
                        make_spec("LN(x)").expr, {"x": [exact_decimal(t) for t in row]}, n=512
                    )
                ]
                for row in x
            ]
        )
    assert ulps(got, expected) <= 1.0


@pytest.mark.skipif("torch" not in INSTALLED, reason=needs("the torch backend", "torch"))
def test_agrees_with_torch_layer_norm() -> None:
    import torch

    x = np.random.default_rng(6).normal(2.0, 3.0, (5, 64))
    expected = torch.nn.functional.layer_norm(torch.as_tensor(x), (64,), eps=1e-5).numpy()
    for backend in INSTALLED:
        if backend != "jax":
            np.testing.assert_allclose(
                np.asarray(kernel("LN(x)", backend)(x)), expected, atol=1e-12
            )


def seed_values() -> dict[str, Any]:
    return {"x": load(shared("pre_norm.jl")), "w": load(shared("probe_token.jl"))}


@pytest.mark.parametrize("backend", BACKENDS)
def test_seed_logit_in_float64(backend: str) -> None:
    data = seed_values()
    if backend == "jax":
        pytest.skip("jax computes in float32 unless jax_enable_x64 is set")
    logit = compiled("dot(w, LN(x)) + b", backend)
    value = float(np.asarray(logit(x=data["x"].array, w=data["w"].array, b=float(BIAS))))
    assert abs(value / float(Decimal(LN_LOGIT)) - 1) < 1e-13


def test_seed_values_exactly() -> None:
    data = seed_values()
    values = {"x": data["x"].exact(), "w": data["w"].exact(), "b": BIAS}
    spec = make_spec("dot(w, LN(x)) + b", vectors="x,w", scalars="b")
    assert evaluate_exact(spec.expr, values) == LN_LOGIT
    uncentered = make_spec("dot(w, sqrt(512)*u(x, eps)) + b", vectors="x,w", scalars="b")
    assert evaluate_exact(uncentered.expr, values) == UNCENTERED_LOGIT
    folded = make_spec("dot(w, sqrt(n)*u(c(x), n*eps)) + b", vectors="x,w", scalars="b")
    assert evaluate_exact(folded.expr, values) == LN_LOGIT
    assert evaluate_exact(folded.expr, values, digits=60)[:31] == LN_LOGIT[:31]
    float_uncentered = kernel(uncentered.expr, vectors="x,w")(
        data["x"].array, data["w"].array, float(BIAS)
    )
    assert abs(float(float_uncentered) / float(Decimal(UNCENTERED_LOGIT)) - 1) < 1e-13


def imports_of(path: Path, *, lazy: bool = False) -> set[str]:
    """The modules ``path`` imports at its top level (``lazy``: inside its functions)."""
    tree = ast.parse(path.read_text())
    names = set()
    top = set(tree.body)
    for node in ast.walk(tree):
        if (node in top) == lazy:
            continue
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add((node.module or "").split(".")[0])
    return names


def import_file(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("backend", BACKENDS)
def test_exported_module_is_standalone(backend: str, tmp_path: Path) -> None:
    path = tmp_path / f"ln_kernel_{backend}.py"
    export("LN(x)", path, backend=backend, name="layer_norm")
    library = {"numba": "numba", "torch": "torch", "jax": "jax"}.get(backend)
    assert imports_of(path) <= {"__future__", "math", "typing", "numpy", library}
    # imported only for a caller's own tensors or arrays (to return them as their own type)
    assert imports_of(path, lazy=True) <= {"torch", "jax"}
    module = import_file(path)
    doc = module.__doc__
    assert r"\operatorname{LN}(x)" in doc
    assert "Proved by lnsym" in doc and "equals its definition" in doc
    x = np.random.default_rng(8).normal(30.0, 5.0, (3, 512))
    got = np.asarray(module.layer_norm(x))
    expected = reference("LN(x)", {"x": x, "w": x, "g": x, "beta": x, "a": 0.0, "b": 0.0})
    np.testing.assert_allclose(got, expected, rtol=2e-6 if backend == "jax" else 1e-12, atol=1e-6)
    with pytest.raises(ValueError, match="x is a number"):
        module.layer_norm(1.0)
