r"""Two formulas side by side: their exact symbolic difference and its size on data.

:func:`compare` asks the prover whether ``lhs = rhs``. When it is not proved, the prover's residual
— LHS − RHS rewritten in the language's own quantities (means :math:`\mu(v)`, lengths
:math:`\lVert c(v)\rVert`, inner products :math:`\langle c(a), c(b)\rangle`, :math:`\varepsilon`,
:math:`n`) — *is* the exact difference; on given data it is evaluated at high precision and must
equal the difference of the two values. The report then explains it:

* the **quantities** the difference depends on, with their values on the data;
* **knobs**: the difference with one of :math:`\mu(v)` or :math:`\varepsilon` set to 0 and every
  other quantity kept at its value (how much of the gap each one carries);
* the **conditions** under which the prover proves the two sides equal (``mu(x) = 0``, the limit
  ε → 0, or both).

E.g. the seed notebook's :math:`\sqrt{n}\,u_\varepsilon(x)` versus :math:`\operatorname{LN}(x)`
read by the Pythia probe differ by about 3.69e-6 because ε is not scaled by n (and, much less, by
:math:`\mu(x)`); they agree when :math:`\mu(x) = 0` and ε → 0.

>>> result = compare("sqrt(n)*u(x, n*eps)", "LN(x)", {"x": [1.0, 2.0, 3.0, 6.0]})
>>> result.status, result.conditions
('refuted', (('mu(x) = 0',),))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np
import sympy
from sympy import Expr

from lnsym.errors import DataError, LnsymError
from lnsym.interp.explain import (
    Evaluation,
    decimal,
    decimal_text,
    scalar_atoms,
    vanishing_conditions,
    violated_assumptions,
)
from lnsym.interp.values import Value, as_array, as_datas
from lnsym.kernels import kernel
from lnsym.kernels.build import Kernel
from lnsym.kernels.chunked import call, dask_array, is_dask, require_dask, uses_dask
from lnsym.kernels.evaluation import check_given, declare, no_value
from lnsym.lang.definitions import Kind, Mean, kind_of, n
from lnsym.lang.definitions import eps as EPSILON
from lnsym.lang.parser import (
    Context,
    free_names,
    parse_typed,
)
from lnsym.numeric.data import Data
from lnsym.prover import prove
from lnsym.prover.verdict import Proof

__all__ = ["Comparison", "LazyComparison", "Quantity", "compare", "side_kernel"]


@dataclass(frozen=True)
class Quantity:
    """A named quantity (in the expression language) and its value on the data (decimal text)."""

    name: str
    value: str | list[str] | None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value}


@dataclass(frozen=True)
class Comparison:
    r"""The result of :func:`compare`. Values are decimal strings with ``digits`` significant digits
    (lists for vector formulas); ``lhs_float``/``rhs_float`` are float64 kernel values.

    ``difference`` is the exact symbolic LHS − RHS (``0`` when proved); ``difference_value`` is
    the value of LHS − RHS on the data and ``residual_value`` that of ``difference`` (they agree);
    ``size`` is :math:`|\text{LHS} - \text{RHS}|` (the Euclidean norm for vectors).
    """

    lhs: Expr
    rhs: Expr
    proof: Proof
    difference: Expr
    n: int
    eps: str
    digits: int
    lhs_value: str | list[str]
    rhs_value: str | list[str]
    difference_value: str | list[str]
    residual_value: str | list[str] | None
    size: str
    lhs_float: Any
    rhs_float: Any
    quantities: tuple[Quantity, ...]
    knobs: tuple[Quantity, ...]
    conditions: tuple[tuple[str, ...], ...]
    #: the assumptions (``assume``) that the data does not satisfy: the verdict does not apply to it.
    violated: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        return self.proof.status.value

    def carried(self, knob: Quantity) -> str | None:
        """The part of the difference a knob removes: (lhs − rhs) − (lhs − rhs with it set to 0)."""
        if not isinstance(knob.value, str) or not isinstance(self.difference_value, str):
            return None
        with mpmath.workdps(2 * self.digits + 20):
            return decimal(mpmath.mpf(self.difference_value) - mpmath.mpf(knob.value), 12)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "lhs": str(self.lhs),
            "rhs": str(self.rhs),
            "status": self.status,
            "method": self.proof.method,
            "difference": str(self.difference),
            "n": self.n,
            "eps": self.eps,
            "digits": self.digits,
            "lhs_value": self.lhs_value,
            "rhs_value": self.rhs_value,
            "lhs_float64": self.lhs_float,
            "rhs_float64": self.rhs_float,
            "difference_value": self.difference_value,
            "residual_value": self.residual_value,
            "size": self.size,
            "quantities": [q.to_json() for q in self.quantities],
            "knobs": [q.to_json() for q in self.knobs],
            "vanishes_when": [list(c) for c in self.conditions],
            "assumptions_violated_by_data": list(self.violated),
            "witness": None if self.proof.witness is None else self.proof.witness.to_json(),
        }

    def report(self) -> str:
        """The lines ``lnsym compare`` prints."""
        lines = [
            f"{self.status.upper()}: {self.lhs} = {self.rhs}",
            f"  lhs - rhs = {self.difference}",
            f"  on the data (n = {self.n}, eps = {self.eps}, {self.digits} digits):",
            f"    lhs       = {_show(self.lhs_value)}   (float64 {_show_float(self.lhs_float)})",
            f"    rhs       = {_show(self.rhs_value)}   (float64 {_show_float(self.rhs_float)})",
            f"    lhs - rhs = {_show(self.difference_value)}",
            f"    |lhs - rhs| = {self.size}",
        ]
        if self.difference != 0:
            lines.append(f"    the symbolic difference evaluates to {_show(self.residual_value)}")
        if self.quantities:
            lines.append("  it depends on:")
            lines += [
                f"    {q.name} = {q.value if q.name == 'n' else _show(q.value, 12)}"
                for q in self.quantities
            ]
        if self.knobs:
            lines.append("  lhs - rhs with one quantity set to 0 (the others as on the data):")
            for q in self.knobs:
                carried = self.carried(q)
                part = (
                    "" if carried is None else f"   (so {q.name.split(' ')[0]} carries {carried})"
                )
                lines.append(f"    {q.name}: {_show(q.value, 12)}{part}")
        if self.conditions:
            found = "; ".join(" and ".join(c) for c in self.conditions)
            lines.append(f"  proved equal when: {found}")
        for text in self.violated:
            lines.append(f"  warning: the data does not satisfy the assumption {text}")
        return "\n".join(lines)


def _show(value: str | list[str] | None, width: int | None = None) -> str:
    if value is None:
        return "undefined"
    if isinstance(value, list):
        shown = [_show(v, width or 8) for v in value[:6]]
        return "[" + ", ".join(shown) + (", ...]" if len(value) > 6 else "]")
    if width is None:
        return value
    return decimal(mpmath.mpf(value), width)


def _show_float(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, list):
        return "[" + ", ".join(repr(v) for v in value[:4]) + (", ...]" if len(value) > 4 else "]")
    return repr(value)


# --------------------------------------------------------------------------------------------------
# on Dask: the same kernels, block by block of rows
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LazyComparison:
    r""":func:`compare` on Dask data: the verdict and the exact symbolic difference
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


def _on_dask(
    lhs: str | Any,
    rhs: str | Any,
    values: Mapping[str, Value],
    *,
    vectors: Any = None,
    scalars: Any = None,
    assume: Sequence[str] = (),
    eps: float | str = "1e-5",
) -> LazyComparison:
    """:func:`compare` for values among which are Dask arrays (batches of rows): the verdict as in
    memory, the values per row from :func:`side_kernel` on each block of rows."""
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
        if not any(v in free_names(expr) for v in context.vectors):
            return None
        function = side_kernel(expr, context)
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


# --------------------------------------------------------------------------------------------------


def _parse(text: str | Expr, context: Context) -> Expr:
    return text if not isinstance(text, str) else parse_typed(text, context)[0]


def side_kernel(expr: Expr, context: Context) -> Kernel:
    """The generated kernel of one side (or of the difference): the rows function of a
    comparison's float64 values, run on one row in memory and on each block of rows on Dask
    (:func:`lnsym.kernels.chunked.call`), so that a row's values are the same bit for bit. Its
    parameters are the formula's own names: a name may appear on the other side alone (LN(x)
    vs LN(y))."""
    names = free_names(expr)
    return kernel(
        expr,
        vectors=[v for v in context.vectors if v in names],
        scalars=[s for s in context.scalars if s in names],
        name="f",
    )


def _float(expr: Expr, context: Context, arrays: dict[str, np.ndarray], eps_value: float) -> Any:
    """The float64 value of ``expr`` from its :func:`side_kernel` (None if it cannot be
    generated)."""
    if expr.is_number:
        return float(expr)
    try:
        function = side_kernel(expr, context)
        own = {name: arrays[name] for name in function.spec.parameters}
        result = np.asarray(function(eps=eps_value, **own), dtype=np.float64)
    except LnsymError:
        return None
    return result.tolist()


def compare(
    lhs: str | Expr,
    rhs: str | Expr,
    values: Mapping[str, Value],
    *,
    vectors: Iterable[str] | str | None = None,
    scalars: Iterable[str] | str | None = None,
    assume: Sequence[str] = (),
    eps: float | str = "1e-5",
    digits: int = 30,
) -> Comparison | Any:
    r"""Compare two formulas exactly: the symbolic LHS − RHS and its value on ``values``.

    ``values`` maps each name of the formulas to a vector or a number (arrays, lists, files or
    :class:`~lnsym.numeric.data.Data`; a name's kind follows its value unless declared with ``vectors`` /
    ``scalars``); an ``eps`` entry overrides the ``eps`` argument. Text data is used exactly as
    written (its decimal literals), so the values are correct to ``digits`` significant digits.
    With Dask arrays among the values (batches of rows), the result is a
    :class:`LazyComparison`: the same verdict and symbolic difference, and the float64 values per
    row as lazy arrays, from the kernels (:func:`side_kernel`) the in-memory ``lhs_float`` and
    ``rhs_float`` come from, so that each row's values equal the in-memory ones for that row.
    """
    if uses_dask(values):  # batches of rows: the float64 values per row, block by block
        return _on_dask(lhs, rhs, values, vectors=vectors, scalars=scalars, assume=assume, eps=eps)
    if not 5 <= digits <= 1000:
        raise DataError(f"digits = {digits}: choose between 5 and 1000 significant digits")
    datas = as_datas(values)
    if "eps" in datas:
        eps = datas.pop("eps").exact()  # type: ignore[assignment]
    eps_text = eps if isinstance(eps, str) else repr(float(eps))
    if isinstance(eps_text, list) or float(eps_text) <= 0:
        raise DataError(f"eps = {eps_text}: the regularizer must be one positive number")
    for side in (lhs, rhs):  # before kinds, which the values may settle
        if isinstance(side, str):
            check_given(side, set(datas), name_formula=True)
    context = declare([(lhs, rhs), *assume], datas, vectors, scalars)
    left, right = _parse(lhs, context), _parse(rhs, context)
    used = free_names(left) | free_names(right)
    missing = sorted(used - set(datas))
    if missing:
        raise no_value(missing[0])
    for name in used:
        if name in context.vectors and datas[name].array.ndim != 1:
            raise DataError(f"{name} has shape {datas[name].shape}; compare takes one vector")
    lengths = {len(datas[v].array) for v in used if v in context.vectors}
    if len(lengths) > 1:
        raise DataError(f"the vectors have different lengths {sorted(lengths)}; they need one n")
    dim = lengths.pop() if lengths else 1
    proof = prove(
        left, right, vectors=context.vectors, scalars=context.scalars, assume=list(assume)
    )
    difference = sympy.S.Zero if proof.proved else proof.residual
    if difference is None:  # pragma: no cover - the prover gives a residual unless proved
        difference = left - right
    exact = {name: datas[name].exact() for name in used}
    evaluate = Evaluation(exact, dim, eps_text, digits)
    try:
        lhs_raw, rhs_raw = evaluate.raw(left), evaluate.raw(right)
    except (ZeroDivisionError, ValueError) as error:
        raise DataError(
            f"the formulas are undefined on these data ({str(error) or 'division by zero'}); "
            "e.g. LN(x, 0) needs a vector x that is not constant"
        ) from None
    if isinstance(lhs_raw, list) != isinstance(rhs_raw, list):  # a vector compared with 0
        length = len(lhs_raw if isinstance(lhs_raw, list) else rhs_raw)
        lhs_raw, rhs_raw = (v if isinstance(v, list) else [v] * length for v in (lhs_raw, rhs_raw))
    with mpmath.workdps(evaluate.precision):
        if isinstance(lhs_raw, list):
            gap: Any = [p - q for p, q in zip(lhs_raw, rhs_raw, strict=True)]
            size = mpmath.sqrt(mpmath.fsum(d * d for d in gap))
        else:
            gap = lhs_raw - rhs_raw
            size = abs(gap)
        gap_text, size_text = decimal_text(gap, digits), decimal(size, digits)
    knobs = []
    for atom in scalar_atoms(difference):
        if atom == EPSILON or isinstance(atom, Mean):
            name = "eps -> 0" if atom == EPSILON else f"{atom} -> 0"
            knobs.append(Quantity(name, evaluate(difference.xreplace({atom: sympy.S.Zero}))))
    quantities = [Quantity(str(a), evaluate(a)) for a in scalar_atoms(difference)]
    if difference.has(n):
        quantities.append(Quantity("n", str(dim)))
    arrays = {name: datas[name].array for name in used}
    return Comparison(
        lhs=left,
        rhs=right,
        proof=proof,
        difference=difference,
        n=dim,
        eps=eps_text,
        digits=digits,
        lhs_value=decimal_text(lhs_raw, digits),
        rhs_value=decimal_text(rhs_raw, digits),
        difference_value=gap_text,
        residual_value=evaluate(difference) if difference != 0 else "0",
        size=size_text,
        lhs_float=_float(left, context, arrays, float(eps_text)),
        rhs_float=_float(right, context, arrays, float(eps_text)),
        quantities=tuple(quantities),
        knobs=tuple(knobs),
        conditions=()
        if proof.proved
        else vanishing_conditions(left, right, context, list(assume), difference),
        violated=violated_assumptions(assume, context, evaluate, digits),
    )
