"""Why a formula has no value at given numbers: the first zero divisor or negative square root.

A NaN or an infinity in a numeric result means some quantity of the formula was divided by zero
(``LN(x)`` with ``c(x) = 0`` and ``eps = 0``) or had its square root taken while negative.
:func:`undefined_cause` walks the formula from the inside out, evaluates each such quantity on the
same values with the numpy kernel, and names the first one that fails, in the language's terms:

>>> import numpy as np
>>> from lnsym.lang.parser import parse
>>> undefined_cause(parse("LN(x)"), {"x": np.ones(4)}, eps=0.0)
'c(x) = 0 and eps = 0: LN is undefined'
>>> undefined_cause(parse("LN(x)"), {"x": np.arange(4.0)}, eps=0.0) is None
True
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import sympy
from sympy import Expr

from lnsym.errors import LnsymError
from lnsym.kernels.build import kernel
from lnsym.lang.definitions import (
    AffineLayerNorm,
    Center,
    Cos,
    Dot,
    LayerNorm,
    Norm,
    OnesVector,
    RMSNorm,
    UnitScale,
    Variance,
    VectorSymbol,
    eps,
    n,
)

__all__ = ["undefined_cause"]


def _quantities(expr: Expr) -> Iterator[tuple[Expr, str, str]]:
    """``(q, "zero" | "negative", message)``: quantities that must be nonzero / nonnegative,
    innermost first."""
    for arg in expr.args:
        yield from _quantities(arg)
    if isinstance(expr, LayerNorm | AffineLayerNorm):
        x, e = expr.args[0], expr.args[-1]
        name = "LN" if isinstance(expr, LayerNorm) else "LNA"
        if e == eps:
            yield Dot(Center(x), Center(x)), "zero-with-eps", f"c({x}) = 0 and eps = 0: {name}"
        yield Variance(x) + e, "zero", f"Var({x}) + {e} = 0: {name}"
        yield Variance(x) + e, "negative", f"Var({x}) + {e} < 0: {name}"
    elif isinstance(expr, RMSNorm):
        x, e = expr.args
        if e == eps:
            yield Dot(x, x), "zero-with-eps", f"{x} = 0 and eps = 0: RMS"
        yield Dot(x, x) / n + e, "zero", f"|{x}|^2/n + {e} = 0: RMS"
        yield Dot(x, x) / n + e, "negative", f"|{x}|^2/n + {e} < 0: RMS"
    elif isinstance(expr, UnitScale):
        y, e = expr.args
        yield Dot(y, y) + e, "zero", f"|{y}|^2 + {e} = 0: u"
        yield Dot(y, y) + e, "negative", f"|{y}|^2 + {e} < 0: u"
    elif isinstance(expr, Cos):
        for v in expr.args:
            yield Norm(v), "zero", f"{v} = 0: cos"
    elif isinstance(expr, sympy.Pow) and expr.exp.is_negative:
        yield expr.base, "zero", f"{expr.base} = 0: division by zero, the formula"
    if isinstance(expr, sympy.Pow) and expr.exp.is_Rational and not expr.exp.is_integer:
        yield expr.base, "negative", f"{expr.base} < 0: its square root, the formula"


def _values(
    quantity: Expr, arrays: Mapping[str, Any], eps_value: float, axis: int
) -> np.ndarray | None:
    """``quantity`` (a scalar) at the values, per row; None if it has no vector to fix n."""
    names = {s.name for s in quantity.free_symbols} - {"n", "eps"}
    vectors = [
        s.name
        for s in quantity.free_symbols
        if isinstance(s, VectorSymbol) and not isinstance(s, OnesVector)
    ]
    if not vectors:
        return None
    scalars = sorted(names - set(vectors))
    try:
        function = kernel(quantity, vectors=vectors, scalars=scalars, axis=axis, name="q")
        with np.errstate(all="ignore"):
            return np.asarray(
                function(eps=eps_value, **{k: arrays[k] for k in names}), dtype=np.float64
            )
    except (LnsymError, KeyError, ZeroDivisionError):
        return None


def undefined_cause(
    expr: Expr, arrays: Mapping[str, Any], *, eps: float, axis: int = -1
) -> str | None:
    """The first quantity of ``expr`` that is zero where it divides (or negative under a root)
    at ``arrays`` and ``eps``, as a sentence; None if there is none."""
    for quantity, test, message in _quantities(expr):
        if test == "zero-with-eps" and eps != 0:
            continue
        values = _values(quantity, arrays, eps, axis)
        if values is None:
            continue
        failed = values == 0 if test.startswith("zero") else values < 0
        if np.any(failed):
            rows = np.argwhere(np.atleast_1d(failed))
            where = ""
            if values.ndim > 0 and values.size > 1:
                first = tuple(int(i) for i in rows[0])
                where = (
                    f" (row {first[0] if len(first) == 1 else first}, {len(rows)} row(s) in all)"
                )
            return f"{message} is undefined{where}"
    return None
