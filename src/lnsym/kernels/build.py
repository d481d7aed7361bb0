r"""Kernels built in process: :func:`kernel` compiles the module text of :mod:`lnsym.kernels.source`
and wraps it in a :class:`Kernel` that takes NumPy, PyTorch, JAX or Dask arrays. Nothing here proves:
the docstring of a built kernel says "by construction" (:func:`lnsym.kernels.export.export` cites a
proof instead).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sympy import Expr

from lnsym.execute import kernel_blocks
from lnsym.kernels.backends import Backend, available, get
from lnsym.kernels.interop import call_on_numpy, wants_gradient
from lnsym.kernels.source import module_source
from lnsym.kernels.spec import Spec, make_spec
from lnsym.lang.latex import latex

__all__ = ["Kernel", "available_backends", "kernel"]


def available_backends() -> tuple[str, ...]:
    """The backends whose library is installed (``numpy`` always)."""
    return available()


@dataclass(frozen=True)
class Kernel:
    """A compiled formula: call it with the vectors and scalars (by position or by name).

    ``entry`` is its backend, resolved once when the kernel is built (:attr:`backend` is its
    name); ``source`` is the generated module text (what :func:`export` writes). Called with Dask
    arrays, it returns a lazy Dask array (:mod:`lnsym.execute.kernel_blocks`).
    """

    spec: Spec
    entry: Backend
    source: str = field(repr=False)
    function: Callable[..., Any] = field(repr=False)

    def __repr__(self) -> str:
        return f"Kernel(spec={self.spec!r}, backend={self.backend!r})"

    @property
    def backend(self) -> str:
        """The backend's name: ``numpy``, ``numba``, ``torch`` or ``jax``."""
        return self.entry.name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Evaluate on NumPy arrays, PyTorch tensors, JAX arrays or Dask arrays (see
        :mod:`lnsym.kernels.interop` for the dtype, device and gradient rules; Dask arrays give a
        lazy Dask array, :mod:`lnsym.execute.kernel_blocks`)."""
        if kernel_blocks.has_dask(args, kwargs):  # Dask arrays in, a lazy Dask array out
            return kernel_blocks.call(self, args, kwargs)
        if self.entry.host:
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
    torch = get("torch")
    source = module_source(spec, torch, axis=axis, cache=False)
    return Kernel(spec, torch, source, kernel_blocks.compiled(source, spec.name))


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
    chosen = get(backend, installed=True)  # the one lookup of the name
    spec = make_spec(expr, vectors=vectors, scalars=scalars, name=name)
    source = module_source(spec, chosen, axis=axis, cache=False, parallel=parallel)
    return Kernel(spec, chosen, source, kernel_blocks.compiled(source, spec.name))
