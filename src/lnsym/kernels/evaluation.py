r"""A formula evaluated on named values: the checks, float64 or exact arithmetic, and the printout.

:func:`evaluate` is what ``lnsym eval`` computes. It checks the values against the formula (every
value is used, every name has a value, the vectors share one length n along ``axis``), gives each
name its kind by the one rule for names (:mod:`lnsym.lang.names`), and evaluates with a generated
kernel in float64 or, with ``exact``, from the decimal literals (:func:`lnsym.kernels.exact_rows`).
A NaN or an infinity is an error naming the quantity that is undefined
(:func:`lnsym.kernels.undefined.undefined_cause`) unless ``allow_nan``. Values that are Dask arrays
give a lazy value; either way :meth:`Evaluation.compute` gives it in memory and
:meth:`Evaluation.store` writes it block by block.

>>> from lnsym.numeric.data import read_value
>>> result = evaluate("dot(x, x)", {"x": read_value("1,2,3")})
>>> result.value, result.report()
(14.0, '14.0')
>>> evaluate("mu(x)", {"x": read_value("0.1,0.2")}, exact=True, digits=5).to_json()
{'value': '0.15'}
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from lnsym.errors import DataError, ParseError, argument, current_interface, value_of
from lnsym.execute.engine import Engine
from lnsym.execute.kernel_blocks import (
    dask_array,
    is_dask,
    kernel_rows,
    require_dask,
)
from lnsym.execute.rows import map_rows
from lnsym.execute.stores import CHUNK_BYTES, StoreReport, batch_chunks, store
from lnsym.kernels.build import Kernel, kernel
from lnsym.kernels.exact import exact_rows
from lnsym.kernels.spec import make_spec
from lnsym.kernels.undefined import undefined_cause
from lnsym.lang.definitions import Kind
from lnsym.lang.names import resolve
from lnsym.lang.parser import RESERVED, Context, used_names
from lnsym.numeric.data import Data

__all__ = [
    "Evaluation",
    "check_given",
    "check_lengths",
    "check_values",
    "declare",
    "evaluate",
    "no_value",
]

#: the regularizer when the values do not set ``eps`` (as written, for exact evaluation).
_EPS = "1e-5"


@dataclass(frozen=True)
class Evaluation:
    """The value of a formula: a float, a decimal string (exact), a list of them (a vector
    formula), nested lists (a batch of rows), or, of Dask values, a Dask array not computed yet
    (one type for both: :meth:`compute` gives the value in memory, :meth:`store` writes it)."""

    expr: str
    value: Any

    def compute(self, run: Callable[[list[Any]], list[Any]] | None = None) -> Evaluation:
        """The value in memory: this evaluation if it is, else the Dask value computed (``run``
        computes a list of Dask collections, e.g. :meth:`lnsym.execute.engine.Engine.run`;
        default :func:`dask.compute`)."""
        if not is_dask(self.value):
            return self
        if run is None:
            computed = self.value.compute()
        else:
            computed = run([self.value])[0]
        return Evaluation(self.expr, np.asarray(computed, dtype=np.float64).tolist())

    def store(
        self,
        out: str,
        *,
        job: Mapping[str, Any] | None = None,
        resume: bool = False,
        engine: Engine | None = None,
        chunk_bytes: int = CHUNK_BYTES,
    ) -> StoreReport:
        """Write the value to ``out`` (``.zarr`` or ``.npy``) block by block, as
        :func:`lnsym.execute.stores.store` does with ``job`` (default: the formula) and
        ``resume``; a value in memory is cut along its first axis into blocks of about
        ``chunk_bytes``. An exact value (decimal text) is not an array of floats: it is refused."""
        value = self.value
        if not is_dask(value):
            array = np.asarray(value)
            if array.dtype.kind not in "biuf":
                raise DataError(
                    "an exact value is decimal text, not stored as an array of floats; "
                    "evaluate in float64 to store it"
                )
            array = array.astype(np.float64, copy=False)
            chunks = (
                batch_chunks(array.shape, array.itemsize, -1, chunk_bytes) if array.ndim else ()
            )
            value = require_dask().from_array(array, chunks=chunks)
        if job is None:
            job = {"operation": "eval", "expr": self.expr}
        return store(value, out, job=job, resume=resume, engine=engine, label=f"writing {out}")

    def to_json(self) -> dict[str, Any]:
        """``{"value": …}``, what ``lnsym eval --json`` prints (a lazy value is computed)."""
        return {"value": self.compute().value}

    def report(self) -> str:
        """What ``lnsym eval`` prints: a number, a list ``[…]``, or one row of a batch per line (a
        lazy value is computed)."""
        value = self.compute().value
        if isinstance(value, list) and value and isinstance(value[0], list):
            return "\n".join(_plain(row) for row in value)
        if isinstance(value, list):
            return _plain(value)
        return value if isinstance(value, str) else repr(float(value))


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_plain(v) for v in value) + "]"
    return str(value)


def _real(value: Any) -> bool:
    """Whether an exact result (decimal strings, nested lists) holds only finite real numbers."""
    if isinstance(value, list):
        return all(_real(v) for v in value)
    text = str(value).lower()
    return "j" not in text and "nan" not in text and "inf" not in text


def declare(
    statements: list[Any],
    values: Mapping[str, Data],
    vectors: Iterable[str] | str | None = None,
    scalars: Iterable[str] | str | None = None,
) -> Context:
    """The kinds of the names of ``statements`` by :func:`lnsym.lang.names.resolve`: declared
    (``vectors`` / ``scalars``), then by their values (a number is a scalar), then by use."""
    given = {name: Kind.SCALAR if d.is_scalar else Kind.VECTOR for name, d in values.items()}
    return resolve(statements, vectors=vectors, scalars=scalars, given=given)


def check_values(expr: str, values: Mapping[str, Any]) -> None:
    """Every named value occurs in ``expr`` (``eps`` aside), and every name of ``expr`` has one."""
    used = used_names(expr)
    for name in values:
        if name != "eps" and name not in used:
            raise DataError(f"{value_of(name)}: {name!r} does not occur in {expr!r}")
    check_given(expr, set(values))


def check_given(expr: str, given: Collection[str], *, name_formula: bool = False) -> None:
    """Every name of ``expr`` has a value in ``given`` (``name_formula``: the message quotes
    ``expr``, for commands that read more than one formula)."""
    for name in sorted(used_names(expr) - RESERVED):
        if name not in given:
            raise no_value(name, expr if name_formula else None)


def no_value(name: str, expr: str | None = None) -> DataError:
    """The error for a name of a formula (``expr``, quoted if given) that was given no value."""
    fix = (
        f"add {value_of(name)}=VALUE (a number, a list like 1,2,3, or a file)"
        if current_interface() == "cli"
        else f"add {name!r} to the values (a number, a list or an array)"
    )
    where = f" in {expr!r}" if expr is not None else ""
    return DataError(f"no value given for {name!r}{where}; {fix}")


def check_lengths(values: Mapping[str, Data], vectors: list[str], axis: int) -> None:
    """The vectors have one length n along ``axis``."""
    lengths: dict[str, int] = {}
    for name in vectors:
        shape = values[name].shape
        if not -len(shape) <= axis < len(shape):
            raise DataError(f"{argument('axis')} {axis}: {name} has only {len(shape)} axis(es)")
        lengths[name] = shape[axis]
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise DataError(f"the vectors must have the same length n along axis {axis}: {listed}")


def _undefined(
    expr: Any, arguments: dict[str, Any], epsilon: float, axis: int, *, nan_helps: bool = True
) -> str:
    cause = undefined_cause(expr, arguments, eps=epsilon, axis=axis)
    if nan_helps:
        fix = f"give other values, or pass {argument('allow_nan')} to print NaN/inf"
    else:
        fix = "give other values (exact evaluation has no NaN to print)"
    return f"{cause or 'the result is not a finite number (NaN or infinity)'}; {fix}"


def _float(
    expr: Any,
    arguments: dict[str, Any],
    vectors: list[str],
    scalars: list[str],
    *,
    epsilon: float,
    axis: int,
    backend: str,
    allow_nan: bool,
) -> Any:
    """The float64 result; NaN or infinity is an error naming its cause unless ``allow_nan``."""
    function = kernel(expr, backend, vectors=vectors, scalars=scalars, axis=axis, name="f")
    used = function.spec.parameters  # a derivative may not depend on every name it mentions
    inputs = {name: value for name, value in arguments.items() if name in used}
    with np.errstate(all="ignore"):  # a zero divisor gives NaN or inf on every backend
        result = np.asarray(function(eps=epsilon, **inputs), dtype=np.float64)
    if not allow_nan and not np.all(np.isfinite(result)):
        raise DataError(_undefined(expr, arguments, epsilon, axis))
    return result.tolist()


def _normalized_last(array: Any, axis: int) -> Any:
    """A Dask array with its normalized axis ``axis`` moved last (itself when it is)."""
    if axis % array.ndim == array.ndim - 1:
        return array
    return require_dask().moveaxis(array, axis, -1)


def _on_dask(function: Kernel, arguments: dict[str, Any], eps: float, axis: int) -> Any:
    """``function`` on values among which are Dask arrays: a lazy Dask array of the in-memory
    result's shape and dtype, by :func:`lnsym.execute.kernel_blocks.kernel_rows` on each block of rows (the scalars are
    numbers: the names rule gives a value of more than one entry to a vector)."""
    da = require_dask()
    spec = function.spec
    vectors = {v: arguments[v] for v in spec.vectors}
    # vectors with rows (Dask, or batches in memory) are cut into blocks; a vector of length n
    # and a number go to every task as they are (never a round trip through Dask)
    rows = {
        v: _normalized_last(dask_array(a, v), axis)
        for v, a in vectors.items()
        if is_dask(a) or np.ndim(a) > 1
    }
    constants: dict[str, Any] = {v: np.asarray(a) for v, a in vectors.items() if v not in rows}
    constants.update({s: np.asarray(arguments[s], dtype=np.float64) for s in spec.scalars})
    n = int(next(iter(rows.values())).shape[-1])
    shapes = [a.shape[:-1] for a in rows.values()]
    try:
        batch = tuple(int(d) for d in np.broadcast_shapes(*shapes))
    except ValueError:
        shown = ", ".join(f"{k}: {a.shape}" for k, a in rows.items())
        raise DataError(f"the vectors' batches of rows do not broadcast ({shown})") from None
    dtype = np.result_type(
        *(a.dtype for a in rows.values()),
        *(constants[v].dtype for v in vectors if v not in rows),
        np.float32,
    )
    vector = spec.kind is Kind.VECTOR
    result = map_rows(
        kernel_rows,
        [a if a.shape == (*batch, n) else da.broadcast_to(a, (*batch, n)) for a in rows.values()],
        trailing=(n,) if vector else (),
        dtype=dtype,
        token=f"lnsym-eval-{spec.name}",
        source=function.source,
        kernel_name=spec.name,
        names=tuple(rows),
        constants=constants,
        eps=eps,
        result_dtype=dtype,
    )
    return da.moveaxis(result, -1, axis) if vector and axis != -1 else result


def evaluate(
    expr: str,
    values: Mapping[str, Data],
    *,
    vectors: Any = None,
    scalars: Any = "",
    axis: int = -1,
    backend: str = "numpy",
    exact: bool = False,
    digits: int | None = None,
    allow_nan: bool = False,
    lazy: bool = False,
) -> Evaluation:
    """``expr`` at ``values`` (:class:`~lnsym.numeric.data.Data` by name; an ``eps`` entry sets
    the regularizer, default 1e-5), normalized along ``axis``.

    In float64 with the ``backend``'s kernel, or with ``exact`` (or ``digits``) from the decimal
    literals to ``digits`` significant digits (30). Names are vectors or scalars as declared in
    ``vectors`` / ``scalars``, else as their values and use say. Values holding Dask arrays (or
    ``lazy``: run on Dask, block by block) give an :class:`Evaluation` of a Dask value (float64
    only).
    """
    values = dict(values)
    eps = values.pop("eps", None)
    if eps is not None and not eps.is_scalar:
        raise DataError(f"{value_of('eps')}: the regularizer must be one number")
    check_values(expr, values)
    context = declare([expr], values, vectors, scalars)
    vector_names = [name for name in context.vectors if name in values]
    scalar_names = [name for name in context.scalars if name in values]
    if not vector_names:
        example = f"{value_of('x')}=1,2,3" if current_interface() == "cli" else "x=[1, 2, 3]"
        raise ParseError(
            f"{expr!r} has no vector input, and a kernel needs one to fix n; "
            f"give a vector such as {example}"
        )
    check_lengths(values, vector_names, axis)
    epsilon = float(_EPS) if eps is None else float(eps.array)
    arguments = {name: data.array for name, data in values.items()}
    exact = exact or digits is not None
    if lazy or any(is_dask(a) for a in arguments.values()):
        if exact:
            fix = (
                f"drop {argument('out')}, {argument('workers')} and {argument('scheduler')}"
                if current_interface() == "cli"
                else "compute the Dask arrays first"
            )
            raise DataError(f"{argument('exact')} evaluates in memory; {fix}")
        function = kernel(
            expr, backend, vectors=vector_names, scalars=scalar_names, axis=axis, name="f"
        )
        first = vector_names[0]
        arguments[first] = dask_array(arguments[first], first)  # at least one lazy input
        return Evaluation(expr, _on_dask(function, arguments, epsilon, axis))
    spec = make_spec(expr, vectors=vector_names, scalars=scalar_names)
    if not exact:
        value = _float(
            spec.expr,
            arguments,
            vector_names,
            scalar_names,
            epsilon=epsilon,
            axis=axis,
            backend=backend,
            allow_nan=allow_nan,
        )
        return Evaluation(expr, value)
    exact_eps = _EPS if eps is None else str(eps.exact())
    try:
        value = exact_rows(
            spec.expr,
            values,
            vector_names,
            axis=axis,
            digits=30 if digits is None else digits,
            eps=exact_eps,
        )
    except ZeroDivisionError:  # exact arithmetic has no NaN to print, even with allow_nan
        raise DataError(_undefined(spec.expr, arguments, epsilon, axis, nan_helps=False)) from None
    if not allow_nan and not _real(value):  # a square root of a negative number
        raise DataError(_undefined(spec.expr, arguments, epsilon, axis))
    return Evaluation(expr, value)
