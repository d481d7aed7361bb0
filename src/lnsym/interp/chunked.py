r"""Attribution and comparison on Dask arrays: components chunked along the tokens, results lazy.

:func:`attribute_lazy` is :func:`lnsym.interp.attribute` for components that are Dask arrays (or
out-of-core caches opened with :func:`lnsym.execute.stores.open_array`): the same proved identity, the same
generated kernels, applied block by block. A matrix of readers (``W_U``, every logit of a
vocabulary) is attributed in one task per block of rows that computes exactly what the in-memory
attribution computes for those rows; its table has the logits' shape per row (tokens × readers).
Nothing is computed until asked: :class:`LazyAttribution` holds lazy arrays;
:meth:`LazyAttribution.compute` gives the in-memory :class:`~lnsym.interp.attribution.Attribution`,
and :meth:`LazyAttribution.table` one array to store chunk by chunk (:func:`lnsym.execute.stores.store`):
one row per component's share, then the bias :math:`\langle w, \beta\rangle + b`, the logit, and
each token's rounding bound, so that anyone reading the file can check
:math:`\sum_k \text{share}_k + \text{bias} = \text{logit}` to that bound.
:meth:`LazyAttribution.store` writes that table and checks it from the file
(:class:`StoredAttribution`, with the report ``lnsym attribute --out`` prints).

>>> import dask.array as da, numpy as np
>>> parts = {"emb": da.from_array(np.array([[1.0, 0.0, 2.0, 1.0]] * 4), chunks=(2, 4)),
...          "attn": da.from_array(np.array([[0.0, 3.0, -1.0, 2.0]] * 4), chunks=(2, 4))}
>>> lazy = attribute_lazy(parts, w=[1.0, -1.0, 0.5, 0.0])
>>> lazy.shares.chunks
((1, 1), (2, 2))
>>> [round(float(s), 6) for s in lazy.compute().shares[:, 0]]
[1.499993, -3.99998]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from lnsym.errors import DataError
from lnsym.execute.engine import Engine
from lnsym.execute.stores import CHUNK_BYTES, StoreReport, open_array, store
from lnsym.interp import attribution, comparison
from lnsym.interp.attribution import (
    SCALE,
    Attribution,
    _compute_dtype,
    _largest,
    _proofs,
    _reader_array,
    _reader_side,
    _readouts,
    _row_blocks,
    _row_bounds,
    components_line,
)
from lnsym.interp.comparison import _parse
from lnsym.interp.explain import vanishing_conditions
from lnsym.interp.folding import DEFAULT_EPS, _kernel, _parameter
from lnsym.interp.identities import PER_COMPONENT_LN, require
from lnsym.interp.values import Value, as_array
from lnsym.kernels import kernel
from lnsym.kernels.chunked import call, dask_array, is_dask, require_dask
from lnsym.kernels.evaluation import declare, no_value
from lnsym.kernels.interop import array_kind
from lnsym.lang.definitions import Kind, kind_of
from lnsym.lang.parser import free_names
from lnsym.numeric.data import Data
from lnsym.prover import prove
from lnsym.prover.verdict import Proof

__all__ = [
    "TABLE_ROWS",
    "LazyAttribution",
    "LazyComparison",
    "StoredAttribution",
    "attribute_lazy",
    "compare_lazy",
    "lazy_sum",
]

#: the formulas the lazy kernels compute per block (one share, the logit, per-component LN).
SHARE = "sqrt(n)*dot(hadamard(g, w), c(a))/sqrt(norm(c(x))**2 + n*eps)"
LOGIT = "dot(w, LNA(x, g, beta)) + b"
SEPARATE = "dot(hadamard(g, w), LN(a))"

#: the rows of :meth:`LazyAttribution.table` after the components' shares.
TABLE_ROWS = ("bias", "logit", "rounding_bound")


@dataclass(frozen=True)
class LazyAttribution:
    r"""The lazy counterpart of :class:`~lnsym.interp.attribution.Attribution` (same fields, Dask
    arrays); ``bound`` is each token's rounding bound :math:`4(n + K + 8)\,2^{-52}` × the sum of
    the absolute terms of its logit (the in-memory ``tolerance`` is its maximum)."""

    names: tuple[str, ...]
    shares: Any
    bias: Any
    scale: Any
    logit: Any
    separate: Any
    bound: Any
    proofs: tuple[Proof, ...]
    refutation: Proof
    eps: float = DEFAULT_EPS
    #: for a matrix of readers: the table computed in one task per block of rows (shape
    #: (K + 3, batch..., readers...)), which :meth:`table` returns as it is
    blocks: Any = None
    #: the dtype :meth:`compute` returns (the in-memory attribution's), if not the blocks' own
    dtype: str | None = None

    def table(self) -> Any:
        """One lazy array: the shares (one row per component), then bias, logit, rounding bound
        (for a matrix of readers, each row has the logits' shape, batch × readers)."""
        if self.blocks is not None:
            return self.blocks
        da = require_dask()
        batch = self.logit.shape
        bias = da.broadcast_to(da.asarray(self.bias), batch).rechunk(self.logit.chunks)
        rows = [*self.shares, bias, self.logit, self.bound]
        return da.stack([r.astype(np.float64) for r in rows])

    def report(self, out: str | None = None) -> str:
        """:meth:`Attribution.report <lnsym.interp.attribution.Attribution.report>` of
        :meth:`compute` (computes everything, in memory)."""
        return self.compute().report(out)

    def to_json(self) -> dict[str, Any]:
        """:meth:`Attribution.to_json <lnsym.interp.attribution.Attribution.to_json>` of
        :meth:`compute` (computes everything, in memory)."""
        return self.compute().to_json()

    @property
    def rows(self) -> tuple[str, ...]:
        """The rows of :meth:`table`: the components' names, then :data:`TABLE_ROWS`."""
        return (*self.names, *TABLE_ROWS)

    def store(
        self,
        out: str,
        *,
        job: Mapping[str, Any],
        resume: bool = False,
        engine: Engine | None = None,
        chunk_bytes: int = CHUNK_BYTES,
    ) -> StoredAttribution:
        """Write :meth:`table` to ``out`` block by block (:func:`lnsym.execute.stores.store`, with
        its ``job`` and ``resume``), then check from the file that the shares and the bias sum to
        the logit within each token's rounding bound (reading it in blocks of ``chunk_bytes``)."""
        runner = engine if engine is not None else Engine(None, progress=False)
        written = store(
            self.table(), out, job=job, resume=resume, engine=runner, label=f"writing {out}"
        )
        table = open_array(out, axis=0, chunk_bytes=chunk_bytes)
        count = len(self.names)
        wide = table.astype(np.float64)  # the check in float64, whatever the table's dtype
        gap = abs(wide[:count].sum(axis=0) + wide[count] - wide[count + 1]).max()
        error, tolerance = runner.run([gap, table[count + 2].max()], "checking")
        return StoredAttribution(self, written, float(error), float(tolerance))

    def compute(self, run: Callable[[list[Any]], list[Any]] | None = None) -> Attribution:
        """Everything in memory, as :func:`~lnsym.interp.attribute` returns it. ``run`` computes
        a list of Dask collections (default :func:`dask.compute`; e.g. :meth:`lnsym.execute.engine.Engine.run`)."""
        import dask

        parts = [self.shares, self.bias, self.scale, self.logit, self.separate, self.bound]
        shares, bias, scale, logit, separate, bound = (
            dask.compute(*parts) if run is None else run(parts)
        )
        tolerance = float(np.max(bound)) if np.size(bound) else 0.0
        shares, bias, logit = np.asarray(shares), np.asarray(bias), np.asarray(logit)
        total = shares.sum(axis=0) + bias
        error = float(np.max(np.abs(total - logit))) if np.size(logit) else 0.0

        def typed(value: Any) -> Any:
            array = np.asarray(value)
            return array if self.dtype is None else array.astype(self.dtype, copy=False)

        return Attribution(
            self.names,
            typed(shares),
            typed(bias),
            typed(scale),
            typed(logit),
            None if separate is None else typed(separate),
            error,
            tolerance,
            self.proofs,
            self.refutation,
            self.eps,
        )


@dataclass(frozen=True)
class StoredAttribution:
    """A :class:`LazyAttribution` written by :meth:`LazyAttribution.store` and checked from the
    file: ``error`` is max |Σₖ shares + bias − logit| over the tokens, ``tolerance`` the largest
    rounding bound."""

    attribution: LazyAttribution
    written: StoreReport
    error: float
    tolerance: float

    @property
    def ok(self) -> bool:
        """The stored shares and bias sum to the stored logit within the rounding bound."""
        return self.error <= self.tolerance

    def report(self) -> str:
        """What ``lnsym attribute --out`` prints for a table written block by block."""
        result = self.attribution
        lines = [proof.summary() for proof in result.proofs]
        if len(result.proofs) == 1:
            lines.append(components_line(result.names))
        verdict = "ok" if self.ok else "FAILED"
        lines += [
            self.written.summary(),
            f"  rows: {', '.join(result.rows)} ({_columns(result)})",
            f"shares + bias = logit to {self.error:.3g} (rounding bound {self.tolerance:.3g}): "
            f"{verdict}",
            result.refutation.summary(),
        ]
        return "\n".join(lines)


def _columns(result: LazyAttribution) -> str:
    """What one entry of a table row is: a token, or a token and a reader."""
    if result.blocks is None:
        return "one column per token"
    readers = result.blocks.shape[result.blocks.ndim - np.ndim(result.bias) :]
    return f"each of shape tokens x readers, readers {tuple(int(r) for r in readers)}"


def _lazy_components(
    components: Mapping[str, Value] | Sequence[Value] | Any,
    names: Sequence[str] | None,
    axis: int,
) -> tuple[tuple[str, ...], list[Any]]:
    da = require_dask()
    if isinstance(components, Mapping):
        labels = [str(k) for k in components]
        values = list(components.values())
    elif is_dask(components) or isinstance(components, np.ndarray):
        matrix: Any = components
        if matrix.ndim < 2:
            raise DataError("components: give one row per component (shape (K, ..., n))")
        values = [matrix[k] for k in range(matrix.shape[0])]
        labels = [f"a{k}" for k in range(1, len(values) + 1)]
    else:
        values = list(components)
        labels = [f"a{k}" for k in range(1, len(values) + 1)]
    if not values:
        raise DataError("no components given; attribution needs at least one")
    if names is not None:
        if len(names) != len(values):
            raise DataError(f"{len(names)} names for {len(values)} components")
        labels = [str(name) for name in names]
    if len(set(labels)) != len(labels):
        raise DataError(f"component names repeat: {labels}")
    arrays = []
    for label, value in zip(labels, values, strict=True):
        array = value if is_dask(value) else as_array(value, label)
        array = dask_array(array, label)
        if array.ndim == 0:
            raise DataError(f"{label} is a number but a vector is needed here")
        if not -array.ndim <= axis < array.ndim:
            raise DataError(f"{label} has {array.ndim} axes; axis {axis} is out of range")
        moved = da.moveaxis(array, axis, -1)
        arrays.append(moved.rechunk({moved.ndim - 1: -1}))
    return tuple(labels), arrays


def _accumulate(*blocks: np.ndarray) -> np.ndarray:
    """a₁ + a₂ + … in this order (as ``np.sum`` over a stack does), in one new array."""
    total = np.array(blocks[0], dtype=np.result_type(*blocks), copy=True)
    for block in blocks[1:]:
        np.add(total, block, out=total)
    return total


def lazy_sum(arrays: Sequence[Any]) -> Any:
    """The sum of same-shaped Dask arrays, block by block into one new array (no temporaries)."""
    da = require_dask()
    dtype = np.result_type(*(a.dtype for a in arrays))
    return da.map_blocks(
        _accumulate, *arrays, dtype=dtype, meta=np.empty((0,) * arrays[0].ndim, dtype)
    )


def attribute_lazy(
    components: Mapping[str, Value] | Sequence[Value] | Any,
    w: Value,
    *,
    g: Value | None = None,
    beta: Value | None = None,
    b: Value = 0.0,
    eps: float = DEFAULT_EPS,
    axis: int = -1,
    w_axis: int = -1,
    names: Sequence[str] | None = None,
    separate: bool | None = None,
    chunk_bytes: int = CHUNK_BYTES,
) -> LazyAttribution:
    """:func:`~lnsym.interp.attribute` on Dask components (see the module docstring).

    Each component is a Dask array (or anything :func:`~lnsym.interp.attribute` takes) of shape
    ``(..., n)`` normalized along ``axis``, chunked along its batch axes. ``w``, ``g``, ``beta``
    and ``b`` stay in memory, as for :func:`~lnsym.interp.attribute`: ``w`` one reader vector
    (``b`` one number), or a matrix of readers normalized along ``w_axis`` (``W_U`` with
    ``w_axis=0``; ``b`` one number or one per reader). A matrix of readers is attributed in one
    task per block of rows, each task computing exactly what the in-memory attribution computes
    for its rows (the same float64 rows, one matrix product in the same dtype); the blocks are
    cut along the batch axes so that a block of the result holds about ``chunk_bytes``.
    ``separate`` (the per-component LN readings) defaults to on for one reader and off for a
    matrix of readers.
    """
    da = require_dask()
    labels, arrays = _lazy_components(components, names, axis)
    reader = _reader_array(w)
    if reader.ndim > 1:
        return _attribute_readers(
            labels,
            arrays,
            (w, g, beta, b),
            eps=eps,
            w_axis=w_axis,
            separate=bool(separate),
            chunk_bytes=chunk_bytes,
        )
    n = reader.shape[0]
    for label, array in zip(labels, arrays, strict=True):
        if array.shape[-1] != n:
            raise DataError(
                f"vectors of different lengths (w: {n}, {label}: {array.shape[-1]}); "
                "they must all have length n"
            )
    if n == 0:
        raise DataError("the vectors are empty; they need at least one entry")
    gain = _parameter(g, 1.0, n, "g")
    shift = _parameter(beta, 0.0, n, "beta")
    if gain.shape[0] != n or shift.shape[0] != n:
        raise DataError(
            f"g and beta must have length n = {n} (g: {gain.shape}, beta: {shift.shape})"
        )
    bias_in = as_array(b, "b")
    if bias_in.ndim != 0:
        raise DataError(f"b must be one number, not shape {bias_in.shape}")
    try:
        stacked = da.broadcast_arrays(*arrays)
    except ValueError:
        shapes = ", ".join(f"{k}: {a.shape}" for k, a in zip(labels, arrays, strict=True))
        raise DataError(f"the components' shapes do not broadcast ({shapes})") from None
    x = lazy_sum(stacked)
    proofs = _proofs(len(labels))
    refutation = require(PER_COMPONENT_LN)
    share = _kernel(SHARE, "a,w,g,x")
    separate_kernel = _kernel(SEPARATE, "a,w,g")
    shares = da.stack(
        [call(share, (), {"a": a, "w": reader, "g": gain, "x": x, "eps": eps}) for a in stacked]
    )
    separate_values = None
    if separate is None or separate:
        separate_values = da.stack(
            [
                call(separate_kernel, (), {"a": a, "w": reader, "g": gain, "eps": eps})
                for a in stacked
            ]
        )
    scale = call(_kernel(SCALE, "x"), (), {"x": x, "eps": eps})
    logit = call(
        _kernel(LOGIT, "w,x,g,beta", "b"),
        (),
        {"w": reader, "x": x, "g": gain, "beta": shift, "b": bias_in, "eps": eps},
    )
    bias = np.asarray(_kernel("dot(w, beta) + b", "w,beta", "b")(w=reader, beta=shift, b=bias_in))
    weights = np.abs(gain * reader)
    magnitude = None
    for a in stacked:
        part = da.abs(a - a.mean(axis=-1, keepdims=True)) @ weights
        magnitude = part if magnitude is None else magnitude + part
    magnitude = magnitude * scale + (np.abs(reader) @ np.abs(shift) + abs(float(bias_in)))
    bound = 4 * (n + len(labels) + 8) * 2.0**-52 * magnitude
    return LazyAttribution(
        labels, shares, bias, scale, logit, separate_values, bound, proofs, refutation, eps
    )


def _block_rows(batch: tuple[int, ...], entry_bytes: int, target: int) -> tuple[int, ...]:
    """The largest block of the batch axes (innermost whole first) whose result, ``entry_bytes``
    per batch entry, holds about ``target`` bytes (at least one entry)."""
    budget = max(1, target // max(entry_bytes, 1))
    sizes: list[int] = []
    for size in reversed(batch):
        size = max(1, min(size, budget))
        sizes.append(size)
        budget = max(1, budget // size)
    return tuple(reversed(sizes))


def _attribution_block(
    *parts: np.ndarray,
    readers: np.ndarray,
    gain: np.ndarray,
    shift: np.ndarray,
    bias_in: np.ndarray,
    bias: np.ndarray,
    largest: float,
    compute: Any,
    eps: float,
    separate: bool,
) -> np.ndarray:
    """One task: the in-memory attribution of one block of rows by every reader, as the table
    (shares, bias, logit, rounding bound, then with ``separate`` the per-component LN readings)."""
    stacked = np.stack(parts, dtype=np.float64)  # as in memory: the rows are float64
    count, batch, reader_batch = len(parts), stacked.shape[1:-1], readers.shape[:-1]
    _, scaled, affine, ln_read = _row_blocks(stacked, gain, shift, eps, separate)
    readings = _readouts(
        [scaled, affine] + ([ln_read] if ln_read is not None else []), readers, compute
    )
    table = np.empty((count * (2 if separate else 1) + 3, *batch, *reader_batch), dtype=compute)
    table[:count] = readings[0]
    table[count] = bias
    np.add(readings[1], bias_in.astype(compute), out=table[count + 1])
    products, inputs = _row_bounds(stacked, scaled, affine, shift, gain, largest, bias_in, eps)
    products *= float(np.finfo(compute).eps)
    table[count + 2] = (products + inputs).reshape(batch + (1,) * len(reader_batch))
    if separate:
        table[count + 3 :] = readings[2]
    return table


def _attribute_readers(
    labels: tuple[str, ...],
    arrays: list[Any],
    values: tuple[Value, Value | None, Value | None, Value],
    *,
    eps: float,
    w_axis: int,
    separate: bool,
    chunk_bytes: int,
) -> LazyAttribution:
    """:func:`attribute_lazy` for a matrix of readers: one task per block of rows."""
    da = require_dask()
    w, g, beta, b = values
    readers, gain, shift, bias_in = _reader_side(
        w, g=g, beta=beta, b=b, w_axis=w_axis, parts=dict(zip(labels, arrays, strict=True))
    )
    reader_batch = readers.shape[:-1]
    kind = array_kind(*(np.empty(0, a.dtype) for a in arrays), w, g, beta, b)
    compute = _compute_dtype(kind.dtype_name, reader_batch)
    try:
        stacked = da.broadcast_arrays(*arrays)
    except ValueError:
        shapes = ", ".join(f"{k}: {a.shape}" for k, a in zip(labels, arrays, strict=True))
        raise DataError(f"the components' shapes do not broadcast ({shapes})") from None
    largest = _largest(readers)
    if not np.isfinite(largest):
        raise DataError(
            "w holds NaN or infinity (the logits are not finite); lnsym needs finite numbers"
        )
    count = len(labels)
    depth = count * (2 if separate else 1) + 3
    batch = tuple(int(d) for d in stacked[0].shape[:-1])
    entry = depth * int(np.prod(reader_batch, dtype=np.int64)) * np.dtype(compute).itemsize
    wanted = _block_rows(batch, entry, chunk_bytes)
    current = stacked[0].chunks[:-1]
    cut = {k: wanted[k] for k in range(len(batch)) if max(current[k], default=0) > wanted[k]}
    if cut:
        stacked = [a.rechunk(cut) for a in stacked]
    # the bias, <w, beta> + b per reader, in memory (it depends on the readers only)
    bias = _readouts([shift], readers, compute)[0] + bias_in.astype(compute)
    rank, readers_rank = len(batch), len(reader_batch)
    batch_index = tuple(range(1, rank + 1))
    normalized = rank + readers_rank + 1
    reader_index = tuple(range(rank + 1, rank + readers_rank + 1))
    pieces: list[Any] = []
    for array in stacked:
        pieces += [array, (*batch_index, normalized)]
    out_index = (0, *batch_index, *reader_index)
    blocks = da.blockwise(
        _attribution_block,
        out_index,
        *pieces,
        new_axes={0: depth, **dict(zip(reader_index, reader_batch, strict=True))},
        dtype=compute,
        meta=np.empty((0,) * len(out_index), dtype=compute),
        concatenate=True,
        token="lnsym-attribution",
        readers=readers,
        gain=gain,
        shift=shift,
        bias_in=bias_in,
        bias=bias,
        largest=largest,
        compute=compute,
        eps=eps,
        separate=separate,
    )
    x = lazy_sum(stacked)
    scale = call(_kernel(SCALE, "x"), (), {"x": x, "eps": eps})
    table = blocks[: count + 3] if separate else blocks
    return LazyAttribution(
        labels,
        blocks[:count],
        bias,
        scale,
        blocks[count + 1],
        blocks[count + 3 :] if separate else None,
        blocks[count + 2],
        _proofs(count),
        require(PER_COMPONENT_LN),
        eps,
        table,
        _numpy_name(kind.dtype_name),
    )


def _numpy_name(name: str) -> str | None:
    """``name`` if NumPy has that dtype (``bfloat16`` it has not: the blocks' dtype is kept)."""
    try:
        return np.dtype(name).name
    except TypeError:
        return None


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


# the lazy paths are what attribute() and compare() use for Dask data (they cannot import this
# module, which builds on them)
attribution.LAZY = attribute_lazy
comparison.LAZY = compare_lazy
