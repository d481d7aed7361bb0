r"""The backward pass of affine layer norm, generated from its proved gradient formulas.

For :math:`y = g \odot \operatorname{LN}(x) + \beta` and an upstream gradient :math:`dy`, the
gradients are the kernels of the language's own derivatives (proved equal to the textbook formulas
in ``derivations/15-backward.toml``):

* ``dx`` = ``grad(dot(dy, LNA(x, g, beta)), x)``
  :math:`= (c(g \odot dy) - \operatorname{LN}(x)\langle g \odot dy, \operatorname{LN}(x)\rangle/n)
  / \sqrt{\operatorname{Var}[x] + \varepsilon}` per row;
* ``dg`` = ``grad(dot(dy, LNA(x, g, beta)), g)`` :math:`= dy \odot \operatorname{LN}(x)`, summed
  over the batch;
* ``dbeta`` = ``grad(dot(dy, LNA(x, g, beta)), beta)`` :math:`= dy`, summed over the batch.

:func:`layer_norm_backward` runs them on any backend; :func:`layer_norm_function` is a
``torch.autograd.Function`` whose forward is the generated ``LNA`` kernel and whose backward is the
generated gradient kernels.
"""

from __future__ import annotations

import functools
from typing import Any

from lnsym.errors import UnsupportedError
from lnsym.install import needs
from lnsym.kernels.backends import fastest_host
from lnsym.kernels.build import kernel
from lnsym.kernels.interop import sum_leading_axes

__all__ = ["GRADIENTS", "layer_norm_backward", "layer_norm_function"]

#: the gradient formulas of affine layer norm, by the name of the gradient.
GRADIENTS = {
    "dx": "grad(dot(dy, LNA(x, g, beta)), x)",
    "dg": "grad(dot(dy, LNA(x, g, beta)), g)",
    "dbeta": "grad(dot(dy, LNA(x, g, beta)), beta)",
}
_VECTORS = "x,dy,g,beta"


@functools.cache
def _kernel(formula: str, backend: str) -> Any:
    name = "layer_norm_forward" if formula.startswith("LNA") else "layer_norm_backward"
    return kernel(formula, backend, vectors=_VECTORS, name=name)


def layer_norm_backward(
    x: Any,
    dy: Any,
    g: Any,
    *,
    eps: float = 1e-05,
    backend: str | None = None,
    out: Any = None,
) -> tuple[Any, Any, Any]:
    """``(dx, dg, dbeta)`` of affine layer norm :math:`g \\odot \\operatorname{LN}(x) + \\beta`.

    ``x`` and ``dy`` have shape ``(..., n)`` (normalized along the last axis), ``g`` shape ``(n,)``;
    ``dx`` has the shape of ``x`` (written into ``out`` when given), ``dg`` and ``dbeta`` shape
    ``(n,)``: the per-row gradients summed over the leading (batch) axes. ``backend`` is
    ``numba`` (default when installed), ``numpy``, ``torch`` or ``jax``; the arithmetic is float64
    and the results have the inputs' floating dtype.
    """
    backend = backend or fastest_host().name
    dx = _kernel(GRADIENTS["dx"], backend)(x, dy, g, eps=eps, out=out)
    per_row = _kernel(GRADIENTS["dg"], backend)(x, dy, eps=eps)
    dbeta_rows = _kernel(GRADIENTS["dbeta"], backend)(dy)
    return dx, sum_leading_axes(per_row), sum_leading_axes(dbeta_rows)


@functools.cache
def layer_norm_function() -> Any:
    """A ``torch.autograd.Function`` computing :math:`g \\odot \\operatorname{LN}_\\varepsilon(x) +
    \\beta` with the generated torch kernels, forward and backward.

    ``layer_norm_function().apply(x, g, beta, eps)``; ``x`` of shape ``(..., n)``, ``g`` and
    ``beta`` of shape ``(n,)``. Raises :class:`~lnsym.errors.UnsupportedError` without torch.
    """
    try:
        import torch
    except ImportError:
        raise UnsupportedError(needs("layer_norm_function", "torch")) from None

    forward_kernel = _kernel("LNA(x, g, beta)", "torch")

    class LayerNormFunction(torch.autograd.Function):
        """Affine layer norm whose backward is lnsym's generated gradient kernels."""

        @staticmethod
        def forward(ctx: Any, x: Any, g: Any, beta: Any, eps: float = 1e-05) -> Any:
            ctx.save_for_backward(x, g)
            ctx.eps = float(eps)
            return forward_kernel(x, g, beta, eps=eps)

        @staticmethod
        def backward(ctx: Any, dy: Any) -> tuple[Any, Any, Any, None]:
            x, g = ctx.saved_tensors
            dx, dg, dbeta = layer_norm_backward(x, dy, g, eps=ctx.eps, backend="torch")
            return dx, dg.to(g.dtype), dbeta.to(g.dtype), None

    return LayerNormFunction
