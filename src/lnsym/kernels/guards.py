r"""The kernels' evaluator: the definitions as written, with a check per row that they can be trusted.

A generated kernel computes each definition as written (:class:`~lnsym.lang.walker.Evaluator`), which
is fast and, for ordinary rows, accurate. For the definitions whose naive evaluation can be wrong on a
*finite* row — an exactly constant row whose mean rounds (so :math:`c(x)` comes out as rounding
noise, not 0), or a sum of squares that overflows or underflows — :class:`GuardedEvaluator` also
emits per-row flags, read from numbers the kernel has already computed (no extra pass over the row):

=====================  =======================================================================
definition             a row is flagged when
=====================  =======================================================================
``mu(v)``              :math:`\sum_j v_j` is not finite
``c(v)``               :math:`\lVert c\rVert^2 \le 2^{-54} n^3 \mu^2` (a spread this small next to
                       the mean may be rounding: a constant row lands here), or not finite
``Var(v)``             :math:`\lVert c\rVert^2 \notin [2^{-960}, \infty)`
``LN(v, e)``           :math:`\operatorname{Var}[v] + e \notin [2^{-960}, \infty)`
``RMS(v, e)``          :math:`\lVert v\rVert^2/n + e \notin [2^{-960}, \infty)`
``u(v, e)``            :math:`\lVert v\rVert^2 + e \notin [2^{-960}, \infty)`
``norm(v)``            :math:`\lVert v\rVert^2 \notin [2^{-960}, \infty)`
``cos(a, b)``          the result is not finite
=====================  =======================================================================

(NaN fails every test.) The kernel recomputes the flagged rows — and only when some row is flagged —
with a second evaluator in *careful* mode, in which these definitions are the functions of
:mod:`lnsym.kernels.careful` (rows scaled by a power of two, exact constant rows) and every other
operation is the ordinary one. An unflagged row's sums are in range and its spread is large next to
the rounding of its mean, so the fast result stands.
"""

from __future__ import annotations

from typing import Any, Protocol

from sympy import Expr

from lnsym.kernels.common import Code
from lnsym.lang.definitions import (
    Center,
    Cos,
    Dot,
    Kind,
    LayerNorm,
    Mean,
    Norm,
    RMSNorm,
    UnitScale,
    Variance,
    n,
    ones,
)
from lnsym.lang.walker import Backend, Evaluator

__all__ = ["CAREFUL", "NEAR_CONSTANT", "TINY", "GuardedEvaluator", "GuardingBackend"]

#: a sum of squares (or radicand) below this may have lost terms to underflow: the row is careful.
TINY = 2.0**-960
#: a row with ``|c|^2 <= NEAR_CONSTANT * n**3 * mu**2`` may be constant up to rounding: careful.
NEAR_CONSTANT = 2.0**-54

#: the careful function of each guarded definition (its vector arguments, then its scalar one).
CAREFUL: dict[type, str] = {
    Mean: "_careful_mean",
    Center: "_careful_center",
    Variance: "_careful_variance",
    LayerNorm: "_careful_ln",
    RMSNorm: "_careful_rms",
    UnitScale: "_careful_unit",
    Norm: "_careful_norm",
    Cos: "_careful_cos",
}
#: the careful functions that take the row length n as their last argument.
_TAKES_N = frozenset({Mean, Center, Variance, LayerNorm, RMSNorm})


class GuardingBackend(Backend[Code, Code], Protocol):
    """What a code generator adds to the walker's primitives for the guards."""

    def flag_outside(self, value: Code, low: float | None) -> None:
        """Flag the rows where ``value`` is not in ``[low, inf)`` (``low`` None: not finite)."""

    def flag_near_constant(self, squares: Code, mean: Code) -> None:
        """Flag the rows where ``squares <= NEAR_CONSTANT * n**3 * mean**2`` (or NaN)."""

    def careful(self, function: str, arguments: list[Code]) -> Code:
        """The value of the careful ``function`` applied to ``arguments`` (vectors, scalars)."""


def _guarded_type(expr: Expr) -> type | None:
    for kind in CAREFUL:
        if type(expr) is kind or (kind is Mean and isinstance(expr, Mean)):
            return kind
    return None


class GuardedEvaluator(Evaluator[Code, Code]):
    """The walker with per-row guards (``careful=False``) or with the careful functions
    (``careful=True``) for the definitions of :data:`CAREFUL`."""

    def __init__(self, backend: GuardingBackend, *, careful: bool = False) -> None:
        super().__init__(backend)
        self.guarding = backend
        self.careful = careful

    def _evaluate(self, expr: Expr) -> Any:
        kind = _guarded_type(expr)
        if kind is None:
            return super()._evaluate(expr)
        pairs = list(zip(type(expr).arg_kinds, expr.args, strict=True))
        codes = [self.vector(a) for k, a in pairs if k is Kind.VECTOR]
        if any(c.ones or c.static for c in codes):  # s·1 or a constant: nothing to guard
            return super()._evaluate(expr)
        if self.careful:
            scalars = [self(a) for k, a in pairs if k is Kind.SCALAR]
            extra = [self(n)] if kind in _TAKES_N else []
            return self.guarding.careful(CAREFUL[kind], [*codes, *scalars, *extra])
        value = self.memo[expr] = super()._evaluate(expr)  # the guard may read it back
        self._guard(kind, expr, value)
        return value

    def _guard(self, kind: type, expr: Expr, value: Code) -> None:
        b = self.guarding
        x = expr.args[0]
        if kind is Mean:
            b.flag_outside(self(Dot(x, ones)), None)
        elif kind is Center:
            squares = self(Dot(Center(x), Center(x)))
            b.flag_near_constant(squares, self(Mean(x)))
            b.flag_outside(squares, None)
        elif kind is Variance:
            b.flag_outside(self(Dot(Center(x), Center(x))), TINY)
        elif kind is LayerNorm:
            b.flag_outside(self(Variance(x) + expr.args[-1]), TINY)
        elif kind is RMSNorm:
            b.flag_outside(self(Dot(x, x) / n + expr.args[-1]), TINY)
        elif kind is UnitScale:
            b.flag_outside(self(Dot(x, x) + expr.args[-1]), TINY)
        elif kind is Norm:
            b.flag_outside(self(Dot(x, x)), TINY)
        else:  # Cos
            b.flag_outside(value, None)
