"""No silently wrong number: every kernel backend against an exact / 650-digit reference.

The reference is :mod:`_truth` (exact rationals from the binary float inputs, mpmath for the square
roots; nothing from lnsym). The hard inputs are the ones naive code gets wrong on *finite* rows:
an exactly constant row whose mean rounds (c(x) = 0 exactly, so LN is 0 for eps > 0 and undefined,
NaN, for eps = 0), rows of size 1e±200 and 1e±300 whose squares overflow or underflow, sums that
overflow (1e308), n = 1 and n = 2. Every backend installed is checked (numpy, numba in both
precisions, torch, jax with float64 enabled) and ``lnsym eval``.
"""

from __future__ import annotations

import json
import math
import warnings
import zlib
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lnsym
import lnsym.kernels
from _truth import Undefined, evaluate, point
from lnsym.cli import main

BACKENDS = lnsym.kernels.available_backends()

#: formulas of one vector x (plus y for cos, g and beta for LNA: non-trivial random weights).
FORMULAS = (
    "LN(x)",
    "RMS(x)",
    "u(x, eps)",
    "norm(x)",
    "cos(x, y)",
    "Var(x)",
    "mu(x)",
    "c(x)",
    "LNA(x, g, beta)",
)


@pytest.fixture(scope="module", autouse=True)
def jax_float64() -> Iterator[None]:
    """JAX in float64 for this module (it computes in float32 otherwise); restored after."""
    try:
        import jax
    except ImportError:
        yield
        return
    before = jax.config.read("jax_enable_x64")
    jax.config.update("jax_enable_x64", True)
    yield
    jax.config.update("jax_enable_x64", before)


def _as_backend(array: np.ndarray, backend: str) -> Any:
    if backend == "torch":
        import torch

        return torch.from_numpy(np.ascontiguousarray(array))
    if backend == "jax":
        import jax.numpy as jnp

        return jnp.asarray(array)
    return array


def _run(formula: str, backend: str, values: dict[str, np.ndarray], eps: float, **kw: Any) -> Any:
    kernel = _kernel(formula, backend)
    used = {k: _as_backend(v, backend) for k, v in values.items() if k in kernel.spec.parameters}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        result = kernel(**used, eps=eps, **kw)
    return np.asarray(result, dtype=np.float64)


_KERNELS: dict[tuple[str, str], Any] = {}


def _kernel(formula: str, backend: str) -> Any:
    key = (formula, backend)
    if key not in _KERNELS:
        vectors = "x,y" if "cos" in formula else "x,g,beta"
        _KERNELS[key] = lnsym.kernel(formula, backend, vectors=vectors)
    return _KERNELS[key]


def _truth_row(formula: str, values: dict[str, list[float]], eps: float) -> list[Any] | None:
    """The exact value (a list, one entry for a scalar formula); None where it is undefined."""
    n = len(values["x"])
    try:
        value = evaluate(formula, point(n, eps=eps, **values))
    except Undefined:
        return None
    return value if isinstance(value, list) else [value]


def _float(value: Any) -> float:
    """The nearest float to an exact value (inf when it overflows, 0 when it underflows)."""
    with mpmath.workdps(60):
        if isinstance(value, Fraction):
            value = mpmath.mpf(value.numerator) / value.denominator
        return float(value)


def _check(formula: str, got: np.ndarray, truth: list[Any] | None, what: str, ulps: float) -> None:
    """``got`` is NaN/inf where the truth is undefined, else within ``ulps`` float64 units of
    the row's largest |truth| (each entry; infinities where the truth overflows)."""
    got = np.atleast_1d(got)
    if truth is None:
        assert not np.isfinite(got).all(), f"{what}: undefined, but the kernel gave {got}"
        return
    exact = [_float(t) for t in truth]
    # a cosine is a ratio of a sum with cancellation to the norms: its rounding is relative to 1
    scale = max(abs(t) for t in [*exact, *([1.0] if formula.startswith("cos") else [])])
    assert got.shape == (len(exact),), what
    for g, t in zip(got.tolist(), exact, strict=True):
        if math.isinf(t):
            assert g == t, f"{what}: truth overflows to {t}, got {g}"
            continue
        tolerance = ulps * math.ulp(scale) + 4 * 5e-324
        assert abs(g - t) <= tolerance, f"{what}: got {got.tolist()}, truth {exact}"


def _values(x: np.ndarray) -> dict[str, np.ndarray]:
    """x and the other arguments, drawn from a generator seeded by x (a case reruns the same)."""
    n = x.shape[-1]
    rng = np.random.default_rng(zlib.crc32(x.tobytes()))
    return {
        "x": x,
        "y": rng.standard_normal(n) * 3.0 + 1.0,
        "g": rng.uniform(0.5, 2.0, n),
        "beta": rng.standard_normal(n),
    }


def _cases() -> list[tuple[list[float], float]]:
    """Rows naive code gets wrong, with eps = 0 and eps > 0."""
    rows = [
        [0.1, 0.1, 0.1],  # constant: the mean rounds, c(x) = 0 exactly
        [1e300, 1e300, 1e300, 1e300],
        [3e-300] * 5,
        [1e200, -1e200, 0.0],  # |c(x)|^2 overflows
        [1e-170, 2e-170, 3e-170],  # |c(x)|^2 underflows
        [1e300, -2e300, 5e299, 7e299],
        [1e-300, 3e-300, -2e-300, 0.0],
        [1.7e308, 1.7e308, -1.7e308],  # the sum overflows
        [1e308, -1e308],
        [5e-324, 0.0, 1e-323],  # subnormal
        [2.5],  # n = 1
        [1e200, 3e200],  # n = 2
        [1.0, 2.0, 3.0, 5.0],
        [1e4 + 1e-8, 1e4, 1e4 - 1e-8, 1e4 + 2e-8],  # large mean, tiny spread
    ]
    return [(row, eps) for row in rows for eps in (0.0, 1e-5)]


CASES = _cases()


def _runs() -> list[tuple[str, dict[str, Any]]]:
    runs = [(b, {}) for b in BACKENDS]
    if "numba" in BACKENDS:
        runs.append(("numba", {"precision": "float32"}))  # float64 input: the float64 path
    return runs


@pytest.mark.parametrize("formula", FORMULAS)
@pytest.mark.parametrize(("backend", "options"), _runs(), ids=lambda v: str(v or ""))
def test_hard_rows_against_the_exact_value(
    formula: str, backend: str, options: dict[str, Any]
) -> None:
    for row, eps in CASES:
        if "cos" in formula and len(row) == 1:
            continue
        if backend == "jax" and 0 < min(abs(v) for v in row if v) < 2.3e-308:
            continue  # XLA on CPU flushes subnormal numbers to zero (known, not lnsym's)
        x = np.array([row])
        values = _values(x)
        got = _run(formula, backend, values, eps, **options)[0]
        exact_values = {k: np.atleast_2d(v)[0].tolist() for k, v in values.items()}
        used = {
            k: v for k, v in exact_values.items() if k in _kernel(formula, backend).spec.parameters
        }
        truth = _truth_row(formula, used, eps)
        _check(formula, got, truth, f"{formula} [{backend}] x={row} eps={eps}", ulps=64)


def test_the_issue_examples_on_every_backend() -> None:
    """issue 19 item 4, entry by entry."""
    for backend in BACKENDS:
        for x, eps, want in [
            ([0.1, 0.1, 0.1], 0.0, None),
            ([0.1, 0.1, 0.1], 1e-5, [0.0, 0.0, 0.0]),
            ([1e200, -1e200, 0.0], 1e-5, [math.sqrt(1.5), -math.sqrt(1.5), 0.0]),
            ([1e-170, 2e-170, 3e-170], 0.0, [-math.sqrt(1.5), 0.0, math.sqrt(1.5)]),
        ]:
            got = _run("LN(x)", backend, {"x": np.array(x)}, eps)
            if want is None:
                assert np.isnan(got).all(), (backend, got)
            else:
                assert np.allclose(got, want, rtol=1e-14, atol=1e-15), (backend, x, got)
                if want == [0.0, 0.0, 0.0]:
                    assert (got == 0).all(), (backend, got)  # exactly 0, not rounding noise


@pytest.mark.skipif("numba" not in BACKENDS, reason="numba is not installed")
def test_numba_returns_what_numpy_returns_at_zero_divisors() -> None:
    """error_model='numpy': NaN and inf, never a raw ZeroDivisionError."""
    zeros = np.zeros((2, 4))
    for formula, eps in [("LN(x)", 0.0), ("RMS(x)", 0.0), ("x / dot(x, x)", 0.0), ("u(x, 0)", 0.0)]:
        fast = _run(formula, "numba", {"x": zeros}, eps)
        reference = _run(formula, "numpy", {"x": zeros}, eps)
        np.testing.assert_array_equal(fast, reference)
        assert np.isnan(fast).all()


@pytest.mark.skipif("numba" not in BACKENDS, reason="numba is not installed")
def test_numba_float32_precision_hard_rows() -> None:
    """precision='float32' (float32 in and out): constant rows, 1e±30 rows, against the truth
    rounded to float32 (within 4 float32 ulps of the row's largest value)."""
    rows = [
        [0.1, 0.1, 0.1, 0.1],
        [1e30, -1e30, 0.0, 2e30],
        [1e-30, 2e-30, 3e-30, 5e-30],
        [3e38, -3e38, 1e38, 0.0],
        [7.0] * 70,
        [1e4, 1e4 + 1.0 / 512, 1e4, 1e4],
    ]
    kernel = _kernel("LN(x)", "numba")
    for row in rows:
        x = np.array([row], dtype=np.float32)
        for eps in (0.0, 1e-5):
            with np.errstate(all="ignore"):
                got = kernel(x, eps=eps, precision="float32")[0].astype(np.float64)
            binary = [float(v) for v in x[0]]
            truth = _truth_row("LN(x)", {"x": binary}, float(np.float32(eps)) if eps else 0.0)
            if truth is None:
                assert np.isnan(got).all(), (row, eps, got)
                continue
            exact = np.array([_float(t) for t in truth])
            bound = 4 * float(np.spacing(np.float32(max(np.abs(exact).max(), 1e-30))))
            assert np.abs(got - exact).max() <= bound, (row, eps, got, exact)


mantissas = st.lists(
    st.floats(min_value=-1.0, max_value=1.0, allow_nan=False, allow_subnormal=False),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    mantissas,
    st.integers(min_value=-305, max_value=305),
    st.sampled_from([None, 0.0, 1.0, -3.0]),
    st.sampled_from([0.0, 1e-5, 1.0]),
    st.sampled_from(FORMULAS[:8]),
)
def test_random_scaled_rows(
    row: list[float], exponent: int, offset: float | None, eps: float, formula: str
) -> None:
    """Random rows times 10^k (|k| ≤ 305), sometimes shifted to a constant-ish row, on every
    backend against the exact value."""
    scale = 10.0**exponent
    x = np.array([row]) * scale
    if offset is not None:
        x = np.full_like(x, offset * scale) + (x if offset == 0.0 else 0.0)
    if not np.isfinite(x).all():
        return
    tiny = np.abs(x[x != 0])
    flushed = tiny.size and tiny.min() < 2.3e-308  # XLA on CPU flushes subnormals to zero
    values = _values(x)
    exact_values = {k: np.atleast_2d(v)[0].tolist() for k, v in values.items()}
    for backend, options in _runs():
        if backend == "jax" and flushed:
            continue
        kernel = _kernel(formula, backend)
        if "cos" in formula and x.shape[-1] == 1:
            continue
        got = _run(formula, backend, values, eps, **options)[0]
        used = {k: v for k, v in exact_values.items() if k in kernel.spec.parameters}
        truth = _truth_row(formula, used, eps)
        _check(formula, got, truth, f"{formula} [{backend}] x={x.tolist()} eps={eps}", ulps=64)


@pytest.mark.parametrize(
    ("values", "truth"),
    [
        (["x=1e200,-1e200,0"], [math.sqrt(1.5), -math.sqrt(1.5), 0.0]),
        (["x=1e-170,2e-170,3e-170", "eps=0"], [-math.sqrt(1.5), 0.0, math.sqrt(1.5)]),
        (["x=0.1,0.1,0.1"], [0.0, 0.0, 0.0]),
        (["x=1e308,-1e308,1e308"], [math.sqrt(0.5), -math.sqrt(2.0), math.sqrt(0.5)]),
    ],
)
def test_eval_prints_the_right_numbers(
    values: list[str], truth: list[float], capsys: pytest.CaptureFixture[str]
) -> None:
    args = [a for v in values for a in ("--set", v)]
    assert main(["eval", "LN(x)", *args, "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)["value"]
    assert np.allclose(printed, truth, rtol=1e-14, atol=1e-15), printed
    if truth == [0.0, 0.0, 0.0]:
        assert printed == truth


def test_eval_calls_a_constant_row_undefined(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "LN(x)", "--set", "x=0.1,0.1,0.1", "--set", "eps=0"]) == 2
    assert "c(x) = 0 and eps = 0: LN is undefined" in capsys.readouterr().err
    assert main(["eval", "LN(x)", "--set", "x=0.1,0.1,0.1", "--set", "eps=0", "--allow-nan"]) == 0
    assert capsys.readouterr().out.strip() == "[nan, nan, nan]"
