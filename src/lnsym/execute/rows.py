r"""A rows function on Dask: the function an operation runs in memory, mapped block by block.

An operation that touches data (:func:`lnsym.interp.attribute`, :func:`lnsym.interp.compare`) is
one pure function over a block of NumPy rows: in memory it is called once, on all the rows; here
it is called once per block of a Dask array (:func:`map_rows`, one :func:`dask.array.blockwise`
task per block). The function is the same, so each row's result is the same, bit for bit, as long
as the function computes each row on its own (a reduction along the rows, or a matrix product
whose BLAS kernel depends on how many rows it is given, can make a row's last bits depend on its
block; the operation's docstring says where).

>>> import dask.array as da, numpy as np
>>> def norms(*parts: np.ndarray) -> np.ndarray:
...     total = sum(parts)
...     return np.stack([np.sqrt((total * total).sum(axis=-1)), total[..., 0]])
>>> x = da.from_array(np.arange(12.0).reshape(4, 3), chunks=(2, 3))
>>> result = map_rows(norms, [x, x], leading=(2,), dtype=np.float64)
>>> result.shape, result.chunks
((2, 4), ((2,), (2, 2)))
>>> bool((result.compute() == norms(x.compute(), x.compute())).all())
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from lnsym.execute.dask import require_dask

__all__ = ["block_rows", "map_rows", "rows_task"]


def block_rows(batch: tuple[int, ...], entry_bytes: int, target: int) -> tuple[int, ...]:
    """The largest block of the batch axes (innermost whole first) whose result, ``entry_bytes``
    per batch entry, holds about ``target`` bytes (at least one entry)."""
    budget = max(1, target // max(entry_bytes, 1))
    sizes: list[int] = []
    for size in reversed(batch):
        size = max(1, min(size, budget))
        sizes.append(size)
        budget = max(1, budget // size)
    return tuple(reversed(sizes))


def map_rows(
    function: Callable[..., np.ndarray],
    parts: Sequence[Any],
    *,
    leading: tuple[int, ...] = (),
    trailing: tuple[int, ...] = (),
    dtype: Any,
    chunk_bytes: int | None = None,
    token: str = "lnsym-rows",
    **constants: Any,
) -> Any:
    """``function(*blocks, **constants)`` on every block of rows of the Dask arrays ``parts``.

    ``parts`` have one shape ``batch + (n,)``: the rows along the batch axes, the normalized
    axis last (one chunk: it is made whole here). ``function`` gets the blocks of one block of
    rows (NumPy arrays, ``block + (n,)``) and returns an array of shape
    ``leading + block + trailing`` (e.g. one table row per ``leading`` entry, one column per
    reader along ``trailing``). The result is a Dask array of shape ``leading + batch + trailing``.
    With ``chunk_bytes``, the batch axes are cut so that a block of the result holds about that
    many bytes. ``constants`` (NumPy arrays, numbers) go to every task as they are.
    """
    da = require_dask()
    arrays = [a.rechunk({a.ndim - 1: -1}) for a in parts]
    batch = tuple(int(d) for d in arrays[0].shape[:-1])
    if chunk_bytes is not None:
        per_entry = int(np.prod((*leading, *trailing), dtype=np.int64)) * np.dtype(dtype).itemsize
        wanted = block_rows(batch, per_entry, chunk_bytes)
        current = arrays[0].chunks[:-1]
        cut = {k: wanted[k] for k in range(len(batch)) if max(current[k], default=0) > wanted[k]}
        if cut:
            arrays = [a.rechunk(cut) for a in arrays]
    first = len(leading)
    batch_index = tuple(range(first, first + len(batch)))
    normalized = first + len(batch) + len(trailing)
    after = tuple(range(first + len(batch), normalized))
    pieces: list[Any] = []
    for array in arrays:
        pieces += [array, (*batch_index, normalized)]
    # the normalized axis stays in the output's index (length 1, dropped at the end), so that no
    # task concatenates (copies) its blocks along it: each task reads its blocks as they are
    out_index = (*range(first), *batch_index, *after, normalized)
    sizes = (*leading, *trailing)
    result = da.blockwise(
        rows_task,
        out_index,
        *pieces,
        new_axes=dict(zip((*range(first), *after), sizes, strict=True)),
        adjust_chunks={normalized: 1},
        dtype=dtype,
        meta=np.empty((0,) * len(out_index), dtype=dtype),
        concatenate=True,
        token=token,
        rows_function=function,
        **constants,
    )
    return result[..., 0]


def rows_task(
    *blocks: np.ndarray, rows_function: Callable[..., np.ndarray], **constants: Any
) -> Any:
    """One task of :func:`map_rows`: ``rows_function`` on one block of rows, with the normalized
    axis kept as a last axis of length 1."""
    return rows_function(*blocks, **constants)[..., None]
