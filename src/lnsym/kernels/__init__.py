r"""Numeric kernels generated from the definitions (the lambdify layer).

:func:`kernel` turns a formula of the language into a batched function. It walks the very
definitions the prover uses (:mod:`lnsym.lang.definitions`, through :class:`lnsym.lang.walker.Evaluator`)
with a code-generating backend, so any expression of the language evaluates, and the kernel computes
exactly the formula that was proved: centering first, :math:`\operatorname{Var}[x] =
\lVert c(x)\rVert^2/n`, :math:`\varepsilon` inside the root, inner products as reductions over the
normalized axis (never an n×n ones matrix).

>>> import numpy as np
>>> ln = kernel("LN(x)")
>>> ln(np.array([1.0, 2.0, 3.0, 5.0])).round(6)
array([-1.183213, -0.507091,  0.16903 ,  1.521274])
>>> logit = kernel("dot(w, LN(x)) + b", vectors="x,w", scalars="b")
>>> float(logit(x=[1.0, 2.0, 3.0, 5.0], w=[0.0, 0.0, 0.0, 1.0], b=0.5).round(6))
2.021274

Backends: ``numpy`` (always), ``numba`` (a fused loop per row, float64 accumulation), ``torch`` and
``jax`` when installed. :func:`export` writes the same code as a standalone module.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sympy import Expr

from lnsym.kernels import chunked
from lnsym.kernels.backends import BACKENDS, available, get
from lnsym.kernels.exact import evaluate_exact, exact_rows
from lnsym.kernels.export import (
    KernelShapeError,
    module_source,
    proof_statement,
    write_module,
)
from lnsym.kernels.interop import call_on_numpy, wants_gradient
from lnsym.kernels.spec import Spec, make_spec, unfold
from lnsym.lang.latex import latex

__all__ = [
    "BACKENDS",
    "Kernel",
    "KernelShapeError",
    "available_backends",
    "evaluate_exact",
    "exact_rows",
    "export",
    "kernel",
    "make_spec",
    "proof_statement",
    "unfold",
]


def available_backends() -> tuple[str, ...]:
    """The backends whose library is installed (``numpy`` always)."""
    return available()


@dataclass(frozen=True)
class Kernel:
    """A compiled formula: call it with the vectors and scalars (by position or by name).

    ``source`` is the generated module text (what :func:`export` writes). Called with Dask arrays,
    it returns a lazy Dask array (:mod:`lnsym.kernels.chunked`).
    """

    spec: Spec
    backend: str
    source: str = field(repr=False)
    function: Callable[..., Any] = field(repr=False)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Evaluate on NumPy arrays, PyTorch tensors, JAX arrays or Dask arrays (see
        :mod:`lnsym.kernels.interop` for the dtype, device and gradient rules; Dask arrays give a
        lazy Dask array, :mod:`lnsym.kernels.chunked`)."""
        if chunked.has_dask(args, kwargs):  # Dask arrays in, a lazy Dask array out
            return chunked.call(self, args, kwargs)
        if self.backend in ("numpy", "numba"):
            if wants_gradient(args, kwargs):  # NumPy would detach: the torch kernel keeps them
                kwargs = {k: v for k, v in kwargs.items() if k != "precision"}
                return _torch_twin(self.spec, self.axis)(*args, **kwargs)
            return call_on_numpy(self.function, self.spec.vectors, args, kwargs)
        return self.function(*args, **kwargs)

    @property
    def axis(self) -> int:
        """The normalized axis the kernel was built for (its ``axis=`` default)."""
        return int(inspect.signature(self.function).parameters["axis"].default)

    @property
    def __signature__(self) -> inspect.Signature:
        return inspect.signature(self.function)

    @property
    def __doc__(self) -> str | None:  # type: ignore[override]
        return self.function.__doc__

    def latex(self) -> str:
        r"""The kernel as an equation: ``\operatorname{kernel}(x, w, b) = \langle w, …\rangle + b``."""

        name = self.spec.name.replace("_", r"\_")
        params = ", ".join(
            latex(p, vectors=self.spec.vectors, scalars=self.spec.scalars)
            for p in self.spec.parameters
        )
        return rf"\operatorname{{{name}}}({params}) = {latex(self.spec.expr)}"

    def _repr_latex_(self) -> str:
        """Jupyter shows a kernel as the formula it computes, its inputs and its backend."""
        kinds = ", ".join(
            [
                *(f"{v} \\in \\mathbb{{R}}^n" for v in self.spec.vectors),
                *(f"{s} \\in \\mathbb{{R}}" for s in self.spec.scalars),
            ]
        )
        return (
            f"$\\displaystyle {self.latex()} \\quad "
            f"\\text{{({self.backend} kernel; }}{kinds}\\text{{; }}\\varepsilon = 10^{{-5}}"
            f"\\text{{ unless given)}}$"
        )


@functools.lru_cache(maxsize=64)
def _torch_twin(spec: Spec, axis: int) -> Kernel:
    """The torch kernel of ``spec``: what a numpy or numba kernel runs for tensors that need a
    gradient (see :mod:`lnsym.kernels.interop`)."""
    source = module_source(spec, "torch", axis=axis, cache=False)
    return Kernel(spec, "torch", source, chunked.compiled(source, spec.name))


def kernel(
    expr: str | Expr,
    backend: str = "numpy",
    *,
    vectors: str | Iterable[str] | None = None,
    scalars: str | Iterable[str] | None = None,
    axis: int = -1,
    name: str = "kernel",
    parallel: bool = False,
) -> Kernel:
    """A batched function computing ``expr``.

    ``vectors`` (default ``x``) and ``scalars`` declare the names of a text formula; they become the
    parameters, in that order. The function takes arrays of shape ``(..., n)`` (normalized along
    ``axis``), ``eps=1e-05`` and ``out=`` (a preallocated result array), and returns a vector per row
    or a scalar per row. ``parallel=True`` spreads the rows of the numba kernel over threads.
    """
    get(backend, installed=True)
    spec = make_spec(expr, vectors=vectors, scalars=scalars, name=name)
    source = module_source(spec, backend, axis=axis, cache=False, parallel=parallel)
    return Kernel(spec, backend, source, chunked.compiled(source, spec.name))


def export(
    expr: str | Expr,
    path: str | Path | None = None,
    *,
    backend: str = "numba",
    name: str | None = None,
    vectors: str | Iterable[str] | None = None,
    scalars: str | Iterable[str] | None = None,
    axis: int = -1,
    parallel: bool = False,
) -> str:
    """The source of a standalone module computing ``expr``; written to ``path`` when given.

    The module's docstring holds the formula's LaTeX and lnsym's proof that it equals its
    definition; it imports only NumPy and the backend's library. The function is called ``name``,
    or, without one, after the formula (:func:`lnsym.kernels.spec.formula_name`: ``LN(x)`` →
    ``layer_norm``, ``dot(w, LN(x)) + b`` → ``dot_w_ln_x_plus_b``).
    """
    get(backend)
    spec = make_spec(expr, vectors=vectors, scalars=scalars, name=name)
    statement, _ = proof_statement(spec)
    source = module_source(
        spec, backend, axis=axis, cache=True, parallel=parallel, statement=statement
    )
    if path is not None:
        write_module(source, path)
    return source
