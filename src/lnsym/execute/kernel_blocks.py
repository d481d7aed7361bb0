r"""Kernels on Dask arrays: Dask arrays in, lazy Dask arrays out.

A :class:`~lnsym.kernels.Kernel` called with a ``dask.array.Array`` among its inputs does not
compute anything: it returns a lazy Dask array built with :func:`dask.array.blockwise`, one task per
block, each task running the very same generated kernel on that block (so every row's value is the
in-memory value, bit for bit). The batch (leading) axes may be chunked freely; the normalized axis
must be a single chunk, since LN needs whole rows. A split normalized axis is refused with a message
that says how to fix it, unless ``rechunk=True`` (:func:`call`) merges it.

Inputs broadcast as in memory: a reader ``w`` of shape ``(n,)`` (NumPy or Dask) meets a cache ``x``
of shape ``(tokens, n)``. NumPy inputs without batch axes (a vector ``(n,)``, a number) are passed
to every task as constants; the others become Dask arrays aligned with the chunks of the rest.
Scheduling is Dask's own (threads by default; a ``distributed`` cluster if a client is active):
lnsym adds no scheduler or thread pool.

With ``out=`` a preallocated NumPy array, the call is not lazy: each block is computed at once, on
Dask's threaded scheduler, straight into its slice of ``out`` (no block is allocated).

Tasks carry the kernel's generated source text, not the function, so they pickle to worker processes
and compile there once (per process, cached).

>>> import dask.array as da, numpy as np
>>> from lnsym.kernels import kernel
>>> x = da.from_array(np.arange(12.0).reshape(4, 3) ** 2, chunks=(2, 3))
>>> lazy = kernel("LN(x)")(x)
>>> type(lazy).__name__, lazy.chunks
('Array', ((2, 2), (3,)))
>>> bool((lazy.compute() == kernel("LN(x)")(x.compute())).all())
True
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from lnsym.errors import KernelShapeError, UnsupportedError
from lnsym.execute.dask import dask_array, has_dask, is_dask, require_dask, uses_dask
from lnsym.lang.definitions import Kind

if TYPE_CHECKING:  # pragma: no cover
    from lnsym.kernels import Kernel

__all__ = [
    "call",
    "compiled",
    "dask_array",
    "has_dask",
    "is_dask",
    "kernel_rows",
    "require_dask",
    "uses_dask",
]


@functools.lru_cache(maxsize=64)
def compiled(source: str, name: str) -> Any:
    """The kernel function defined by a generated module ``source`` (compiled once per process)."""
    namespace: dict[str, Any] = {"__name__": f"lnsym_kernel_{name}"}
    exec(compile(source, f"<lnsym kernel {name}>", "exec"), namespace)  # generated code only
    namespace["ShapeError"] = KernelShapeError
    return namespace[name]


def kernel_rows(
    *blocks: np.ndarray,
    source: str,
    kernel_name: str,
    names: tuple[str, ...],
    constants: Mapping[str, Any],
    eps: float,
    result_dtype: Any,
) -> np.ndarray:
    """A generated kernel on one block of rows (normalized axis last): the one computation of a
    lazy kernel call and of a lazy :func:`lnsym.kernels.evaluation.evaluate` (through
    :func:`lnsym.execute.rows.map_rows`).

    ``blocks`` are the values of the vectors ``names`` (NumPy, shape ``block + (n,)``),
    ``constants`` the others (vectors of length n, numbers). The kernel (module ``source``,
    function ``kernel_name``) computes each row on its own, so a row's value does not depend on
    its block: bit for bit the in-memory kernel's, as a NumPy array of ``result_dtype`` (torch or
    JAX results converted)."""
    function = compiled(source, kernel_name)
    arguments = dict(zip(names, blocks, strict=True))
    value = function(**arguments, **constants, eps=eps, axis=-1)
    return np.asarray(value, dtype=result_dtype)


def _block(*blocks: Any, vector: bool, **options: Any) -> np.ndarray:
    """One task of :func:`call`: :func:`kernel_rows`, a scalar per row keeping a normalized axis
    of length 1."""
    value = kernel_rows(*blocks, **options)
    return value if vector else value[..., None]


def _normalized_last(array: Any, name: str, axis: int, rechunk: bool) -> Any:
    """``array`` with the normalized axis moved last, checked to be one chunk."""
    da = require_dask()
    if array.ndim == 0:
        raise KernelShapeError(f"{name} is a number; a vector input needs shape (..., n)")
    if not -array.ndim <= axis < array.ndim:
        raise KernelShapeError(f"{name} has {array.ndim} axes; axis={axis} is out of range")
    moved = array if axis % array.ndim == array.ndim - 1 else da.moveaxis(array, axis, -1)
    if len(moved.chunks[-1]) > 1:
        if not rechunk:
            raise KernelShapeError(
                f"{name} is split into {len(moved.chunks[-1])} chunks along its normalized axis "
                f"(axis {axis}); LN needs whole rows: pass {name}.rechunk({{{axis}: -1}}) "
                "(chunk the batch axes instead)"
            )
        moved = moved.rechunk({moved.ndim - 1: -1})
    return moved


def call(
    kernel: Kernel, args: Sequence[Any], kwargs: Mapping[str, Any], *, rechunk: bool = False
) -> Any:
    """``kernel(*args, **kwargs)`` for inputs among which are Dask arrays: a lazy Dask array.

    The result has the in-memory result's shape and dtype; its batch axes are chunked like the
    inputs'. ``rechunk=True`` merges a normalized axis split into chunks. With ``out=`` (a NumPy
    array of the result's shape), nothing is lazy: every block is computed now, on Dask's threaded
    scheduler, straight into its slice of ``out`` (no block is allocated), and ``out`` is returned.
    """
    da = require_dask()
    try:
        bound = inspect.signature(kernel.function).bind(*args, **kwargs)
    except TypeError as error:
        raise KernelShapeError(f"{kernel.spec.name}: {error}") from None
    bound.apply_defaults()
    values = bound.arguments
    out = values.get("out")
    if out is not None and not isinstance(out, np.ndarray):
        raise UnsupportedError(
            f"out must be a NumPy array, not {type(out).__name__}; to write a Dask result to "
            "disk use lnsym.execute.stores.store(result, 'out.zarr')"
        )
    axis, eps = int(values["axis"]), float(values["eps"])
    spec = kernel.spec
    vectors = {
        v: _normalized_last(dask_array(values[v], v), v, axis, rechunk) for v in spec.vectors
    }
    lengths = {v: a.shape[-1] for v, a in vectors.items()}
    n = lengths[spec.vectors[0]]
    if any(length != n for length in lengths.values()):
        shown = ", ".join(f"{v} has {length}" for v, length in lengths.items())
        raise KernelShapeError(f"the vectors of one formula must have the same length n ({shown})")
    if n == 0:
        raise KernelShapeError(f"{spec.vectors[0]} is empty; vectors need at least one entry")
    scalars = {s: values[s] for s in spec.scalars}
    batches = [a.shape[:-1] for a in vectors.values()] + [np.shape(s) for s in scalars.values()]
    try:
        batch = tuple(int(d) for d in np.broadcast_shapes(*batches))
    except ValueError:
        shown = ", ".join(f"{k}: {b}" for k, b in zip([*vectors, *scalars], batches, strict=True))
        raise KernelShapeError(f"batch shapes do not broadcast ({shown})") from None
    dtype = np.result_type(*(a.dtype for a in vectors.values()), np.float32)
    # blockwise indices: batch axes 0..B-1 (right-aligned per input), the normalized axis B
    rank = len(batch)
    chunked: list[tuple[str, Any, tuple[int, ...]]] = []
    constants: dict[str, Any] = {}
    for v, array in vectors.items():
        small = not is_dask(values[v]) and array.ndim == 1
        if small:  # never computed through Dask (that could be a round trip to a cluster)
            constants[v] = np.asarray(values[v]).astype(array.dtype, copy=False)
        else:
            chunked.append((v, array, (*range(rank - array.ndim + 1, rank), rank)))
    for s, value in scalars.items():
        if is_dask(value) or np.ndim(value) > 0:
            array = dask_array(value, s).astype(np.float64)
            chunked.append((s, array, tuple(range(rank - array.ndim, rank))))
        else:
            constants[s] = np.asarray(value, dtype=np.float64)
    vector = spec.kind is Kind.VECTOR
    # the normalized axis stays in every task's index, so that no task concatenates (copies) its
    # inputs along it; a scalar formula gives it length 1 there and drops it afterwards
    out_index = (*range(rank), rank)
    size = n if vector else 1
    new_axes = None if any(rank in i for *_, i in chunked) else {rank: size}
    if not chunked:  # pragma: no cover - has_dask guarantees a Dask input
        raise UnsupportedError("no Dask input: call the kernel directly")
    pieces: list[Any] = []
    for _, array, index in chunked:
        pieces += [array, index]
    options = {
        "source": kernel.source,
        "kernel_name": spec.name,
        "names": tuple(v for v, *_ in chunked),
        "constants": constants,
        "eps": eps,
    }
    result = da.blockwise(
        _block,
        out_index,
        *pieces,
        dtype=dtype,
        meta=np.empty((0,) * len(out_index), dtype=dtype),
        concatenate=True,
        align_arrays=True,
        token=f"lnsym-{spec.name}",
        new_axes=new_axes,
        adjust_chunks=None if vector else {rank: 1},
        result_dtype=dtype,
        vector=vector,
        **options,
    )
    if out is not None:
        return _compute_into(out, result, pieces, new_axes, options, axis if vector else None)
    if not vector:
        return result[..., 0]
    if axis != -1:
        result = da.moveaxis(result, -1, axis)
    return result


def _block_into(*blocks: Any, target: np.ndarray, rank: int, **options: Any) -> np.ndarray:
    """One task of ``out=``: the kernel on one block, written into its slice of ``target``.

    The last ``rank`` blocks are the global indices of this block along the batch axes."""
    inputs = blocks[: len(blocks) - rank]
    region = tuple(slice(int(b[0]), int(b[0]) + len(b)) for b in blocks[len(blocks) - rank :])
    function = compiled(options["source"], options["kernel_name"])
    arguments = dict(zip(options["names"], inputs, strict=True))
    view = target[region] if region else target  # a 0-d target is its own (only) block
    function(**arguments, **options["constants"], eps=options["eps"], axis=-1, out=view)
    return np.zeros((1,) * (rank + 1), dtype=np.int8)


def _compute_into(
    out: np.ndarray,
    result: Any,
    pieces: list[Any],
    new_axes: dict[int, int] | None,
    options: dict[str, Any],
    axis: int | None,
) -> np.ndarray:
    """Compute ``result``'s blocks straight into ``out`` (normalized axis ``axis`` for vectors)."""
    import uuid

    import dask

    da = require_dask()
    shape = tuple(result.shape) if axis is not None else tuple(result.shape[:-1])
    target = out if axis is None else np.moveaxis(out, axis, -1)
    if target.shape != shape:
        wanted = shape if axis is None else np.moveaxis(np.empty(shape, dtype=bool), -1, axis).shape
        raise KernelShapeError(f"out has shape {out.shape}; this result needs {tuple(wanted)}")
    if out.dtype.kind != "f":
        raise KernelShapeError(f"out holds {out.dtype} values; give a floating-point array")
    rank = len(shape) - (1 if axis is not None else 0)
    starts = []
    for d in range(rank):  # each block's global indices along batch axis d
        starts += [da.arange(shape[d], chunks=(result.chunks[d],)), (d,)]
    index = tuple(range(rank + 1))
    into = da.blockwise(
        _block_into,
        index,
        *pieces,
        *starts,
        dtype=np.int8,
        meta=np.empty((0,) * len(index), dtype=np.int8),
        concatenate=True,
        align_arrays=True,
        new_axes=None if new_axes is None else {rank: 1},
        adjust_chunks={i: 1 for i in index},
        name=f"lnsym-{options['kernel_name']}-into-{uuid.uuid4().hex}",  # never hash out
        target=target,
        rank=rank,
        **options,
    )
    dask.compute(into, scheduler="threads")
    return out
