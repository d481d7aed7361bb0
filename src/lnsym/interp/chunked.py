r"""Comparison on Dask arrays: :func:`compare_lazy`, the values per row lazy."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from lnsym.errors import DataError
from lnsym.interp import comparison
from lnsym.interp.comparison import _parse
from lnsym.interp.explain import vanishing_conditions
from lnsym.interp.values import Value, as_array
from lnsym.kernels import kernel
from lnsym.kernels.chunked import call, dask_array, is_dask, require_dask
from lnsym.kernels.evaluation import declare, no_value
from lnsym.lang.definitions import Kind, kind_of
from lnsym.lang.parser import free_names
from lnsym.numeric.data import Data
from lnsym.prover import prove
from lnsym.prover.verdict import Proof

__all__ = ["LazyComparison", "compare_lazy"]


# --------------------------------------------------------------------------------------------------
# compare
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LazyComparison:
    r""":func:`~lnsym.interp.compare` on Dask data: the verdict and the exact symbolic difference
    (as in memory: they do not depend on the data), and per row the float64 values of both sides
    and of their difference as lazy arrays (``None`` for a side without vectors, e.g. ``sqrt(n)``);
    ``size`` is :math:`|\text{lhs} - \text{rhs}|` per row (the Euclidean norm for vectors)."""

    lhs: Any
    rhs: Any
    proof: Proof
    difference: Any
    conditions: tuple[tuple[str, ...], ...]
    lhs_value: Any
    rhs_value: Any
    gap: Any
    size: Any

    @property
    def status(self) -> str:
        return self.proof.status.value

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary; computes the largest difference over all rows."""
        return {
            "lhs": str(self.lhs),
            "rhs": str(self.rhs),
            "status": self.status,
            "method": self.proof.method,
            "difference": str(self.difference),
            "rows": int(np.prod(self.size.shape)),
            "max_abs_difference": float(self.size.max().compute()),
            "vanishes_when": [list(c) for c in self.conditions],
        }

    def report(self) -> str:
        """The verdict, the symbolic difference and the largest float64 difference on the data."""
        summary = self.to_json()
        lines = [
            f"{self.status.upper()}: {self.lhs} = {self.rhs}",
            f"  lhs - rhs = {self.difference}",
            f"  on {summary['rows']} row(s), float64: max |lhs - rhs| = "
            f"{summary['max_abs_difference']:.6g}",
        ]
        if self.conditions:
            found = "; ".join(" and ".join(c) for c in self.conditions)
            lines.append(f"  proved equal when: {found}")
        return "\n".join(lines)


def compare_lazy(
    lhs: str | Any,
    rhs: str | Any,
    values: Mapping[str, Value],
    *,
    vectors: Any = None,
    scalars: Any = None,
    assume: Sequence[str] = (),
    eps: float | str = "1e-5",
) -> LazyComparison:
    """:func:`~lnsym.interp.compare` for values among which are Dask arrays (batches of rows)."""
    da = require_dask()
    datas = {
        name: Data(dask_array(v, name), name) if is_dask(v) else Data(as_array(v, name), name)
        for name, v in values.items()
    }
    if "eps" in datas:
        eps = float(datas.pop("eps").array)
    epsilon = float(eps)
    if epsilon <= 0:
        raise DataError(f"eps = {eps}: the regularizer must be one positive number")
    context = declare([(lhs, rhs), *assume], datas, vectors, scalars)
    left, right = _parse(lhs, context), _parse(rhs, context)
    used = free_names(left) | free_names(right)
    missing = sorted(used - set(datas))
    if missing:
        raise no_value(missing[0])
    proof = prove(
        left, right, vectors=context.vectors, scalars=context.scalars, assume=list(assume)
    )
    difference = sympy.S.Zero if proof.proved else proof.residual
    if difference is None:  # pragma: no cover - the prover gives a residual unless proved
        difference = left - right
    conditions = (
        () if proof.proved else vanishing_conditions(left, right, context, list(assume), difference)
    )

    def lazy(expr: Any) -> Any:
        names = free_names(expr)
        vector_names = [v for v in context.vectors if v in names]
        if not vector_names:
            return None
        function = kernel(
            expr, vectors=vector_names, scalars=[s for s in context.scalars if s in names]
        )
        arguments = {p: datas[p].array for p in function.spec.parameters}
        first = function.spec.vectors[0]
        arguments[first] = dask_array(arguments[first], first)
        return call(function, (), {**arguments, "eps": epsilon}, rechunk=True)

    gap = lazy(left - right)
    if gap is None:
        raise DataError("compare on Dask data needs a vector in the formulas")
    size = da.sqrt((gap * gap).sum(axis=-1)) if _is_vector(left, right) else abs(gap)
    return LazyComparison(
        left, right, proof, difference, conditions, lazy(left), lazy(right), gap, size
    )


def _is_vector(left: Any, right: Any) -> bool:
    """Whether the compared formulas are vectors (one of them may be the number 0)."""
    return Kind.VECTOR in (kind_of(left), kind_of(right))


# the lazy path is what compare() uses for Dask data (it cannot import this module, which builds
# on it)
comparison.LAZY = compare_lazy
