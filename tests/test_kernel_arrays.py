"""Issue 18 item 4: tensors that need gradients, exported modules' array types, export's names."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import lnsym
import lnsym.kernels
from lnsym.cli import main

BACKENDS = lnsym.kernels.available_backends()
torch = pytest.importorskip("torch", reason="torch is not installed (pip install torch==2.13.0)")
NUMPY_COMPUTED = [b for b in ("numpy", "numba") if b in BACKENDS]


def _module(source: str, path: Path) -> Any:
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("backend", NUMPY_COMPUTED)
def test_gradients_flow_through_numpy_computed_kernels(backend: str) -> None:
    """The gradient of LNA against torch's own layer_norm (random weights), not a silent detach."""
    generator = torch.Generator().manual_seed(18)
    x = torch.randn(5, 16, dtype=torch.float64, generator=generator, requires_grad=True)
    g = torch.rand(16, dtype=torch.float64, generator=generator) + 0.5
    beta = torch.randn(16, dtype=torch.float64, generator=generator)
    dy = torch.randn(5, 16, dtype=torch.float64, generator=generator)
    y = lnsym.kernel("LNA(x, g, beta)", backend)(x, g, beta)
    assert y.requires_grad and isinstance(y, torch.Tensor)
    (y * dy).sum().backward()
    ours = x.grad.clone()
    x.grad = None
    expected = torch.nn.functional.layer_norm(x, (16,), g, beta, eps=1e-5)
    (expected * dy).sum().backward()
    torch.testing.assert_close(y, expected, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(ours, x.grad, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("backend", NUMPY_COMPUTED)
def test_without_gradients_the_numpy_path_runs(backend: str) -> None:
    x = torch.randn(3, 8, dtype=torch.float32, requires_grad=True)
    with torch.no_grad():
        y = lnsym.kernel("LN(x)", backend)(x)
    assert isinstance(y, torch.Tensor) and y.dtype == torch.float32 and not y.requires_grad


@pytest.mark.parametrize("backend", NUMPY_COMPUTED)
def test_exported_module_returns_the_inputs_type(backend: str, tmp_path: Path) -> None:
    """The array rule in a standalone module: a tensor in, a tensor (its dtype) out; out= a
    tensor; a tensor needing a gradient is refused with one line."""
    module = _module(
        lnsym.export("dot(w, LN(x)) + b", backend=backend), tmp_path / f"m_{backend}.py"
    )
    function = module.dot_w_ln_x_plus_b
    x = torch.randn(4, 8, dtype=torch.float16)
    w = torch.randn(8)
    got = function(x, w, 0.5)
    assert isinstance(got, torch.Tensor) and got.dtype == torch.float16 and got.shape == (4,)
    expected = (torch.nn.functional.layer_norm(x.double(), (8,), eps=1e-5) * w.double()).sum(-1)
    torch.testing.assert_close(got.double(), expected + 0.5, rtol=2e-3, atol=2e-3)
    out = torch.empty(4, dtype=torch.float16)
    assert function(x, w, 0.5, out=out) is out
    torch.testing.assert_close(out, got)
    with pytest.raises(TypeError, match=r"x requires a gradient.*torch backend.*x.detach"):
        function(x.float().requires_grad_(), w, 0.5)
    numpy_in = function(x.numpy().astype(np.float32), w.numpy(), 0.5)
    assert isinstance(numpy_in, np.ndarray)


@pytest.mark.skipif("jax" not in BACKENDS, reason="jax is not installed")
def test_exported_numba_module_returns_jax_for_jax(tmp_path: Path) -> None:
    import jax.numpy as jnp

    backend = "numba" if "numba" in BACKENDS else "numpy"
    module = _module(lnsym.export("LN(x)", backend=backend), tmp_path / "m_jax.py")
    x = jnp.asarray(np.random.default_rng(2).standard_normal((2, 6)), dtype=jnp.float32)
    got = module.layer_norm(x)
    assert type(got).__module__.startswith(("jax", "jaxlib")) and got.dtype == jnp.float32


@pytest.mark.parametrize(
    ("formula", "name"),
    [
        ("LN(x)", "layer_norm"),
        ("LNA(x, g, beta)", "affine_layer_norm"),
        ("RMS(x)", "rms_norm"),
        ("cos(x, y)", "cos"),
        ("dot(w, LN(x)) + b", "dot_w_ln_x_plus_b"),
        ("x", "kernel"),  # the name of a parameter: not the function's
    ],
)
def test_export_names_the_function_after_the_formula(
    formula: str, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = lnsym.export(formula, backend="numpy")
    assert f"\ndef {name}(" in source
    assert source.startswith(f'r"""{name}: ')
    assert main(["export", formula, "--backend", "numpy"]) == 0
    assert f"\ndef {name}(" in capsys.readouterr().out
    assert main(["export", formula, "--backend", "numpy", "--name", "mine"]) == 0
    assert "\ndef mine(" in capsys.readouterr().out
