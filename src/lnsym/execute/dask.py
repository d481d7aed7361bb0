r"""Dask, found without importing it: whether a value is a Dask array, and Dask itself when needed.

Every module that handles lazy data asks here (:func:`is_dask` never imports Dask, so plain NumPy
calls stay as fast as without it).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from lnsym.errors import KernelShapeError, UnsupportedError
from lnsym.install import needs

__all__ = [
    "accumulate",
    "dask_array",
    "has_dask",
    "is_dask",
    "lazy_sum",
    "require_dask",
    "uses_dask",
]


def require_dask() -> Any:
    """``dask.array``, or a one-line error saying how to install it."""
    try:
        import dask.array as da
    except ImportError:  # pragma: no cover - the extra is installed in CI
        raise UnsupportedError(needs("Dask arrays", "dask")) from None
    return da


def is_dask(value: Any) -> bool:
    """Whether ``value`` is a ``dask.array.Array`` (never imports Dask)."""
    module = sys.modules.get("dask.array")
    return module is not None and isinstance(value, module.Array)


def uses_dask(*values: Any) -> bool:
    """Whether any value (or any value of a mapping / sequence) is a Dask array."""
    for value in values:
        if is_dask(value):
            return True
        if isinstance(value, Mapping) and any(is_dask(v) for v in value.values()):
            return True
        if isinstance(value, list | tuple) and any(is_dask(v) for v in value):
            return True
    return False


def has_dask(args: Sequence[Any], kwargs: Mapping[str, Any]) -> bool:
    """Whether any argument of a kernel call is a Dask array."""
    if "dask.array" not in sys.modules:
        return False
    return any(is_dask(v) for v in args) or any(is_dask(v) for v in kwargs.values())


def dask_array(value: Any, name: str) -> Any:
    """``value`` as a Dask array of real numbers (integers become float64)."""
    da = require_dask()
    array = value if is_dask(value) else da.asarray(np.asarray(value))
    if array.dtype.kind not in "biuf":
        raise KernelShapeError(f"{name} holds {array.dtype} values; kernels need real numbers")
    if array.dtype.kind != "f":
        array = array.astype(np.float64)
    return array


def accumulate(*blocks: np.ndarray) -> np.ndarray:
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
        accumulate, *arrays, dtype=dtype, meta=np.empty((0,) * arrays[0].ndim, dtype)
    )
