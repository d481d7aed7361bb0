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

from lnsym.errors import KernelShapeError
from lnsym.kernels.backends import BACKENDS
from lnsym.kernels.build import Kernel, available_backends, kernel
from lnsym.kernels.exact import evaluate_exact, exact_rows
from lnsym.kernels.export import export, proof_statement
from lnsym.kernels.spec import make_spec, unfold

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
