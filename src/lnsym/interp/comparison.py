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

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import mpmath
import numpy as np
import sympy
from sympy import Expr

from lnsym.errors import DataError, LnsymError
from lnsym.execute.dask import dask_array, is_dask, require_dask, uses_dask
from lnsym.execute.engine import Engine
from lnsym.execute.kernel_blocks import compiled
from lnsym.execute.rows import map_rows
from lnsym.execute.stores import CHUNK_BYTES, StoreReport, open_array, store
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

__all__ = ["Comparison", "LazyComparison", "Quantity", "compare", "comparison_rows", "side_kernel"]


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
    (lists for vector formulas); ``lhs_float``/``rhs_float``/``difference_float`` are float64
    kernel values (:func:`comparison_rows`).

    ``difference`` is the exact symbolic LHS − RHS (``0`` when proved); ``difference_value`` is
    the value of LHS − RHS on the data and ``residual_value`` that of ``difference`` (they agree);
    ``size`` is :math:`|\text{LHS} - \text{RHS}|` (the Euclidean norm for vectors).

    One type for both executors. Of Dask values (batches of rows), the verdict, the symbolic
    difference and its conditions are as in memory (they do not depend on the data), the exact
    values are ``None`` (``digits`` 0), and per row the float64 values — ``lhs_float``,
    ``rhs_float`` (``None`` for a side without vectors, e.g. ``sqrt(n)``), ``difference_float``
    and ``size`` (float64 :math:`|\text{lhs} - \text{rhs}|`) — are lazy arrays until
    :meth:`compute`; in memory :meth:`compute` returns the comparison itself. :meth:`store` writes
    :meth:`table` block by block, with resume, whichever the executor.
    """

    lhs: Expr
    rhs: Expr
    proof: Proof
    difference: Expr
    n: int
    eps: str
    digits: int
    lhs_value: str | list[str] | None
    rhs_value: str | list[str] | None
    difference_value: str | list[str] | None
    residual_value: str | list[str] | None
    #: decimal text in memory; of batches of rows, float64 per row
    size: Any
    lhs_float: Any
    rhs_float: Any
    quantities: tuple[Quantity, ...]
    knobs: tuple[Quantity, ...]
    conditions: tuple[tuple[str, ...], ...]
    #: the assumptions (``assume``) that the data does not satisfy: the verdict does not apply to it.
    violated: tuple[str, ...] = ()
    #: the float64 value of the difference's own kernel (lhs − rhs), as ``lhs_float``.
    difference_float: Any = None
    #: of Dask values, the lazy table the tasks compute (:meth:`table`); ``None`` in memory.
    blocks: Any = None
    #: what :meth:`store` wrote; ``None`` before.
    written: StoreReport | None = None

    @property
    def status(self) -> str:
        return self.proof.status.value

    @property
    def rows(self) -> tuple[str, ...]:
        """The rows of :meth:`table`: ``lhs`` and ``rhs`` where they have float64 values, then
        ``difference``."""
        present = [(n, v) for n, v in (("lhs", self.lhs_float), ("rhs", self.rhs_float))]
        return (*(name for name, value in present if value is not None), "difference")

    def table(self) -> Any:
        """The float64 values in one array, one row per entry of :attr:`rows` (each of shape
        batch × n for vector formulas, batch for numbers; no batch axes in memory): a lazy array
        of Dask values, else a NumPy array."""
        if self.blocks is not None:
            return self.blocks
        values = [self.lhs_float, self.rhs_float]
        parts = [v for v in values if v is not None] + [self.difference_float]
        if any(is_dask(v) for v in parts):
            return require_dask().stack(parts)
        return np.stack([np.asarray(v, dtype=np.float64) for v in parts])

    def compute(self, run: Callable[[list[Any]], list[Any]] | None = None) -> Comparison:
        """The comparison in memory: itself if it is; of Dask values, the float64 values per row
        computed (``run`` computes a list of Dask collections; default :func:`dask.compute`)."""
        parts = [self.lhs_float, self.rhs_float, self.difference_float, self.size]
        if not any(is_dask(v) for v in parts):
            return self
        computed = require_dask().compute(*parts) if run is None else run(parts)
        lhs, rhs, gap, size = (None if v is None else np.asarray(v) for v in computed)
        return replace(
            self,
            lhs_float=lhs,
            rhs_float=rhs,
            difference_float=gap,
            size=size,
            blocks=None,
            written=None,
        )

    def store(
        self,
        out: str,
        *,
        job: Mapping[str, Any] | None = None,
        resume: bool = False,
        engine: Engine | None = None,
        chunk_bytes: int = CHUNK_BYTES,
    ) -> Comparison:
        """Write :meth:`table` to ``out`` (``.zarr`` or ``.npy``) block by block
        (:func:`lnsym.execute.stores.store` with ``job`` — default: the two formulas — and
        ``resume``). Returns the comparison with :attr:`written` set; of Dask values, its float64
        values are then read from the file (lazy arrays), not computed again."""
        da = require_dask()
        table = self.table()
        if job is None:
            job = {"operation": "compare", "lhs": str(self.lhs), "rhs": str(self.rhs)}
        if not is_dask(table):  # one vector in memory: one block, and the values stay as they are
            block = da.from_array(table, chunks=table.shape)
            written = store(
                block, out, job=job, resume=resume, engine=engine, label=f"writing {out}"
            )
            return replace(self, written=written)
        written = store(table, out, job=job, resume=resume, engine=engine, label=f"writing {out}")
        stored = open_array(out, axis=-1 if self._vector else 0, chunk_bytes=chunk_bytes)
        rows = dict(zip(self.rows, stored, strict=True))
        return replace(
            self,
            lhs_float=rows.get("lhs"),
            rhs_float=rows.get("rhs"),
            difference_float=rows["difference"],
            size=_size(rows["difference"], self._vector),
            blocks=stored,
            written=written,
        )

    @property
    def _vector(self) -> bool:
        return _is_vector(self.lhs, self.rhs)

    @property
    def _per_row(self) -> bool:
        """Whether this compares batches of rows in float64 (Dask values) rather than one vector
        exactly."""
        return self.lhs_value is None

    def carried(self, knob: Quantity) -> str | None:
        """The part of the difference a knob removes: (lhs − rhs) − (lhs − rhs with it set to 0)."""
        if not isinstance(knob.value, str) or not isinstance(self.difference_value, str):
            return None
        with mpmath.workdps(2 * self.digits + 20):
            return decimal(mpmath.mpf(self.difference_value) - mpmath.mpf(knob.value), 12)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary (of batches of rows: the verdict and the largest float64
        difference over all rows, computed first)."""
        if self._per_row:
            return self._rows_json()
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
            "difference_float64": self.difference_float,
            "witness": None if self.proof.witness is None else self.proof.witness.to_json(),
        }

    def report(self) -> str:
        """The lines ``lnsym compare`` prints (of batches of rows: the verdict, the symbolic
        difference and the largest float64 difference on the data; what was written, if stored)."""
        if self._per_row:
            return self._rows_report()
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
        if self.written is not None:
            lines.append(f"  {self.written.summary()}; rows: {', '.join(self.rows)} (float64)")
        return "\n".join(lines)

    def _rows_json(self) -> dict[str, Any]:
        """:meth:`Comparison.to_json` of batches of rows."""
        summary: dict[str, Any] = {
            "lhs": str(self.lhs),
            "rhs": str(self.rhs),
            "status": self.status,
            "method": self.proof.method,
            "difference": str(self.difference),
            "vanishes_when": [list(c) for c in self.conditions],
        }
        if self.written is not None:
            summary["written"] = {
                "path": self.written.path,
                "shape": list(self.written.shape),
                "blocks": self.written.blocks,
                "written": self.written.written,
                "skipped": self.written.skipped,
            }
            summary["rows"] = list(self.rows)
            return summary
        size = np.asarray(self.compute().size)
        summary["rows"] = int(size.size)
        summary["max_abs_difference"] = float(size.max()) if size.size else 0.0
        return summary

    def _rows_report(self) -> str:
        """:meth:`Comparison.report` of batches of rows."""
        lines = [
            f"{self.status.upper()}: {self.lhs} = {self.rhs}",
            f"  lhs - rhs = {self.difference}",
        ]
        if self.written is not None:
            lines += [self.written.summary(), f"  rows: {', '.join(self.rows)} (float64)"]
        else:
            summary = self._rows_json()
            lines.append(
                f"  on {summary['rows']} row(s), float64: max |lhs - rhs| = "
                f"{summary['max_abs_difference']:.6g}"
            )
        if self.conditions:
            found = "; ".join(" and ".join(c) for c in self.conditions)
            lines.append(f"  proved equal when: {found}")
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
# the float64 values: comparison_rows, on one vector in memory or on each block of rows on Dask
# --------------------------------------------------------------------------------------------------

#: a side's kernel as a task carries it: its module text, its name and its parameters (the text,
#: not the function, so that tasks pickle to worker processes; compiled once per process).
Side = tuple[str, str, tuple[str, ...]]


def comparison_rows(
    *blocks: np.ndarray,
    sides: Sequence[Side],
    names: Sequence[str],
    constants: Mapping[str, Any],
    eps: float,
    vector: bool,
) -> np.ndarray:
    """The float64 values of a comparison on one block of rows: the one computation both
    executors run (in memory on the one vector, on Dask once per block of rows).

    ``blocks`` are the values of the vectors ``names`` (NumPy, shape ``block + (n,)``);
    ``constants`` the other values (vectors of length n, numbers). Each side (:func:`side_kernel`, as
    :data:`Side`) is evaluated on them with ``eps``: the result has one row per side, each of
    shape ``block + (n,)`` for vector formulas (``vector``), else ``block``. Each row is computed
    on its own, so a row's values do not depend on its block: the executors agree bit for bit."""
    arguments = {
        name: np.asarray(b, dtype=np.float64) for name, b in zip(names, blocks, strict=True)
    }
    arguments.update(constants)
    shape = blocks[0].shape if vector else blocks[0].shape[:-1]
    out = np.empty((len(sides), *shape), dtype=np.float64)
    for k, (source, name, parameters) in enumerate(sides):
        function = compiled(source, name)
        out[k] = function(**{p: arguments[p] for p in parameters}, eps=eps, axis=-1)
    return out


def _side(function: Kernel) -> Side:
    return function.source, function.spec.name, tuple(function.spec.parameters)


def _on_dask(
    lhs: str | Any,
    rhs: str | Any,
    values: Mapping[str, Value],
    *,
    vectors: Any = None,
    scalars: Any = None,
    assume: Sequence[str] = (),
    eps: float | str = "1e-5",
    chunk_bytes: int | None = None,
) -> Comparison:
    """:func:`compare` for values among which are Dask arrays (batches of rows): the verdict as in
    memory, the float64 values per row by :func:`comparison_rows` on each block of rows
    (:func:`lnsym.execute.rows.map_rows`)."""
    da = require_dask()
    datas = {}
    for name, value in values.items():
        raw = _raw(value)
        datas[name] = Data(dask_array(raw, name) if is_dask(raw) else as_array(value, name), name)
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
    kernels = {
        label: side_kernel(expr, context)
        for label, expr in (("lhs", left), ("rhs", right), ("difference", left - right))
        if any(v in free_names(expr) for v in context.vectors)
    }
    if "difference" not in kernels:
        raise DataError("compare on Dask data needs a vector in the formulas")
    arrays = {name: datas[name].array for name in used}
    # the vectors with rows (Dask, or batches in memory) are the blocks; the others go to every
    # task as they are (a reader w of length n, the numbers)
    rows = sorted(
        v for v in used if v in context.vectors and (is_dask(arrays[v]) or arrays[v].ndim > 1)
    )
    lengths = {arrays[v].shape[-1] for v in used if v in context.vectors}
    if len(lengths) > 1:
        raise DataError(f"the vectors have different lengths {sorted(lengths)}; they need one n")
    n = lengths.pop()
    try:
        batch = np.broadcast_shapes(*(arrays[v].shape[:-1] for v in rows))
    except ValueError:
        shapes = ", ".join(f"{v}: {arrays[v].shape}" for v in rows)
        raise DataError(f"the vectors' batches of rows do not broadcast ({shapes})") from None
    parts = [da.broadcast_to(da.asarray(arrays[v]), (*batch, n)) for v in rows]
    constants = {k: np.asarray(a, dtype=np.float64) for k, a in arrays.items() if k not in rows}
    vector = _is_vector(left, right)
    table = map_rows(
        comparison_rows,
        parts,
        leading=(len(kernels),),
        trailing=(n,) if vector else (),
        dtype=np.float64,
        chunk_bytes=chunk_bytes,
        token="lnsym-compare",
        sides=tuple(_side(k) for k in kernels.values()),
        names=tuple(rows),
        constants=constants,
        eps=epsilon,
        vector=vector,
    )
    found = dict(zip(kernels, table, strict=True))
    gap = found["difference"]
    size = _size(gap, vector)
    return Comparison(
        lhs=left,
        rhs=right,
        proof=proof,
        difference=difference,
        n=n,
        eps=repr(epsilon),
        digits=0,
        lhs_value=None,
        rhs_value=None,
        difference_value=None,
        residual_value=None,
        size=size,
        lhs_float=found.get("lhs"),
        rhs_float=found.get("rhs"),
        quantities=(),
        knobs=(),
        conditions=conditions,
        difference_float=gap,
        blocks=table,
    )


def _size(gap: Any, vector: bool) -> Any:
    """Per row, float64 |lhs − rhs| of the lazy differences ``gap`` (Euclidean for vectors)."""
    return require_dask().sqrt((gap * gap).sum(axis=-1)) if vector else abs(gap)


def _raw(value: Value) -> Any:
    """The array a value holds (a :class:`~lnsym.numeric.data.Data` holds its own)."""
    return value.array if isinstance(value, Data) else value


def _is_vector(left: Any, right: Any) -> bool:
    """Whether the compared formulas are vectors (one of them may be the number 0)."""
    return Kind.VECTOR in (kind_of(left), kind_of(right))


#: the name this type had when lazy results had their own (:class:`Comparison` is both).
LazyComparison = Comparison


def _parse(text: str | Expr, context: Context) -> Expr:
    return text if not isinstance(text, str) else parse_typed(text, context)[0]


def side_kernel(expr: Expr, context: Context) -> Kernel:
    """The generated kernel of one side (or of the difference), which :func:`comparison_rows`
    runs on one vector in memory and on each block of rows on Dask, so that a row's values are
    the same bit for bit. Its parameters are the formula's own names: a name may appear on the
    other side alone (LN(x) vs LN(y))."""
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
        spec = function.spec
        if not spec.vectors:
            return None
        result = comparison_rows(
            *(arrays[v] for v in spec.vectors),
            sides=(_side(function),),
            names=spec.vectors,
            constants={s: np.asarray(arrays[s], dtype=np.float64) for s in spec.scalars},
            eps=eps_value,
            vector=spec.kind is Kind.VECTOR,
        )[0]
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
    chunk_bytes: int | None = None,
) -> Comparison:
    r"""Compare two formulas exactly: the symbolic LHS − RHS and its value on ``values``.

    ``values`` maps each name of the formulas to a vector or a number (arrays, lists, files or
    :class:`~lnsym.numeric.data.Data`; a name's kind follows its value unless declared with ``vectors`` /
    ``scalars``); an ``eps`` entry overrides the ``eps`` argument. Text data is used exactly as
    written (its decimal literals), so the values are correct to ``digits`` significant digits.
    With Dask arrays among the values (batches of rows), the result has the same verdict and
    symbolic difference, and the float64 values per row as lazy arrays, from
    :func:`comparison_rows` — the function the in-memory ``lhs_float``, ``rhs_float`` and
    ``difference_float`` come from — on each block of rows (cut to about ``chunk_bytes`` of
    result if given), so that each row's values equal the in-memory ones for that row.
    """
    if uses_dask([_raw(v) for v in values.values()]):  # batches of rows, block by block
        return _on_dask(
            lhs,
            rhs,
            values,
            vectors=vectors,
            scalars=scalars,
            assume=assume,
            eps=eps,
            chunk_bytes=chunk_bytes,
        )
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
        difference_float=_float(left - right, context, arrays, float(eps_text)),
        quantities=tuple(quantities),
        knobs=tuple(knobs),
        conditions=()
        if proof.proved
        else vanishing_conditions(left, right, context, list(assume), difference),
        violated=violated_assumptions(assume, context, evaluate, digits),
    )
