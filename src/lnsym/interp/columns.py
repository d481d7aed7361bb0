r"""Per-column LayerNorm, as drawn in the llm-viz walkthrough.

llm-viz lays the residual stream out with one **column per token** (T columns) and the C channels
down each column, and "normalizes the values in each column of the matrix separately": for column
:math:`t`, :math:`\operatorname{LNA}(x_{:,t}) = g \odot (x_{:,t} - \operatorname{E}[x_{:,t}]) /
\sqrt{\operatorname{Var}[x_{:,t}] + \varepsilon} + \beta` (biased variance, ε = 1e-5 inside the
root), with the learned weight :math:`g` and bias :math:`\beta` shared by all columns.

This is the kernel generated from :class:`~lnsym.lang.definitions.AffineLayerNorm` with ``axis=0`` (the
kernels accept the normalized axis), so it computes the very definition the prover uses.

>>> import numpy as np
>>> columns = layer_norm_columns(np.array([[1.0, 0.0], [2.0, 0.0], [3.0, 4.0]]))
>>> columns.round(4)
array([[-1.2247, -0.7071],
       [ 0.    , -0.7071],
       [ 1.2247,  1.4142]])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lnsym.errors import DataError
from lnsym.interp.folding import DEFAULT_EPS, cached_kernel
from lnsym.interp.values import Value, as_array
from lnsym.kernels.interop import array_kind, restore

__all__ = ["layer_norm_columns"]


def layer_norm_columns(
    matrix: Value,
    g: Value | None = None,
    beta: Value | None = None,
    *,
    eps: float = DEFAULT_EPS,
    axis: int = 0,
) -> Any:
    r"""Normalize every column of ``matrix`` (C rows × T columns): :math:`g \odot
    \operatorname{LN}_\varepsilon(\text{column}) + \beta`, with ``g``/``beta`` of length C (default
    ones/zeros). ``axis`` is the normalized axis (0: columns, as in llm-viz; -1: rows, as in PyTorch).
    The result has the array type and dtype of ``matrix`` (:mod:`lnsym.kernels.interop`).
    """
    array = as_array(matrix, "matrix")
    if array.ndim < 1:
        raise DataError("matrix is a number; give a C×T matrix (one column per token)")
    try:
        length = array.shape[axis]
    except IndexError:
        raise DataError(f"matrix has {array.ndim} axes; axis {axis} is out of range") from None
    gain = np.ones(length) if g is None else as_array(g, "g")
    shift = np.zeros(length) if beta is None else as_array(beta, "beta")
    for name, vector in (("g", gain), ("beta", shift)):
        if vector.shape != (length,):
            raise DataError(
                f"{name} has shape {vector.shape}; it needs one entry per row of a column ({length})"
            )
    ln = cached_kernel("LNA(x, g, beta)", "x,g,beta")
    result = np.asarray(ln(x=array, g=gain, beta=shift, eps=eps, axis=axis))
    return restore(result, array_kind(matrix, g, beta))
