r"""Exact mode: evaluate a formula from decimal data with mpmath, correct to N significant digits.

The inputs are the decimal literals (:meth:`lnsym.numeric.data.Data.decimals`), so a value such as
``0.8328`` enters as 8328/10000, not as its binary rounding. The definitions are evaluated by
:func:`lnsym.numeric.mpmath_eval.evaluate_mp` at increasing working precision until two evaluations agree on
all N printed digits (guarding against cancellation), then the value is printed with N digits.

>>> from lnsym.lang.parser import Context, parse
>>> evaluate_exact(parse("dot(x, x)"), {"x": ["0.1", "0.2"]}, digits=20)
'0.05'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import mpmath
import numpy as np
from sympy import Expr

from lnsym.errors import DataError, argument
from lnsym.numeric.data import Data
from lnsym.numeric.mpmath_eval import evaluate_mp

__all__ = ["evaluate_exact", "exact_rows"]

Value = str | list[Any]


def _text(value: Any, digits: int) -> str:
    return str(mpmath.nstr(value, digits, strip_zeros=True))


def _format(result: Any, digits: int) -> Value:
    if isinstance(result, list):
        return [_text(v, digits) for v in result]
    return _text(result, digits)


def evaluate_exact(
    expr: Expr,
    values: Mapping[str, str | Sequence[str]],
    *,
    digits: int = 30,
    eps: str = "1e-5",
) -> Value:
    """``expr`` at ``values`` (decimal strings; lists for vectors) to ``digits`` significant digits.

    Returns a decimal string, or a list of them for a vector formula.
    """
    if not 1 <= digits <= 10_000:
        raise DataError(
            f"{argument('digits')} {digits}: choose between 1 and 10000 significant digits"
        )
    lengths = {len(v) for v in values.values() if not isinstance(v, str)}
    if len(lengths) > 1:
        raise DataError(f"vectors of different lengths {sorted(lengths)}; they must all have n")
    n = lengths.pop() if lengths else 1
    precision = digits + 15
    previous: Value | None = None
    current: Value = ""
    for _ in range(6):
        current = _format(evaluate_mp(expr, values, n=n, eps=eps, digits=precision), digits)
        if current == previous:
            return current
        previous, precision = current, 2 * precision
    return current  # pragma: no cover - agreement fails only on values that are ties


def exact_rows(
    expr: Expr,
    data: Mapping[str, Data],
    vectors: Sequence[str],
    *,
    axis: int = -1,
    digits: int = 30,
    eps: str = "1e-5",
) -> Value:
    """:func:`evaluate_exact` for each row of batched data (vectors normalized along ``axis``).

    Returns a nested list shaped like the batch, or one value when every input is a single row.
    """
    literals: dict[str, np.ndarray] = {}
    for name, item in data.items():
        strings = np.array(item.decimals(), dtype=object).reshape(item.shape)
        if name in vectors:
            if strings.ndim == 0:
                raise DataError(f"{name} is a number but the formula uses it as a vector")
            try:
                strings = np.moveaxis(strings, axis, -1)
            except (IndexError, ValueError):
                raise DataError(
                    f"{name} has {strings.ndim} axes; {argument('axis')} {axis} is out of range"
                ) from None
        literals[name] = strings
    leads = [a.shape[:-1] if n in vectors else a.shape for n, a in literals.items()]
    try:
        batch = np.broadcast_shapes(*leads)
    except ValueError:
        raise DataError(f"the inputs' batch shapes {leads} do not broadcast") from None
    results: dict[tuple[int, ...], Value] = {}
    for index in np.ndindex(batch):
        row: dict[str, str | list[str]] = {}
        for name, array in literals.items():
            lead = array.shape[:-1] if name in vectors else array.shape
            picked = np.broadcast_to(array, (*batch, *array.shape[len(lead) :]))[index]
            row[name] = [str(v) for v in picked] if name in vectors else str(picked)
        results[index] = evaluate_exact(expr, row, digits=digits, eps=eps)
    return _nest(results, tuple(batch), ())


def _nest(
    results: dict[tuple[int, ...], Value], shape: tuple[int, ...], prefix: tuple[int, ...]
) -> Any:
    if len(prefix) == len(shape):
        return results[prefix]
    return [_nest(results, shape, (*prefix, i)) for i in range(shape[len(prefix)])]
