"""The NumPy spelling of the few row operations the careful path needs (:mod:`lnsym.kernels.careful`).

The numpy and numba kernels copy these functions' source into their modules (as the PyTorch and
JAX kernels copy theirs from :mod:`lnsym.kernels.torch_runtime` and :mod:`lnsym.kernels.jax_runtime`);
each row function keeps the trailing axis (``keepdims``). Exponents ``k`` are floats holding integers.

>>> import numpy as np
>>> _exponent(np.array([[0.75, 4.0, 0.0]])).tolist()
[[0.0, 3.0, 0.0]]
>>> bool(_ldexp(np.array([1e-320]), np.array([2064.0]))[0] > 1e300)
True
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "_all_equal",
    "_any",
    "_exponent",
    "_ldexp",
    "_like",
    "_margin",
    "_maximum",
    "_rdot",
    "_rmax_abs",
    "_rsum",
    "_sqrt",
    "_where",
]


def _rsum(a):
    return np.sum(a, axis=-1, keepdims=True)


def _rdot(a, b):
    return np.einsum("...i,...i->...", a, b)[..., None]


def _rmax_abs(a):
    return np.max(np.abs(a), axis=-1, keepdims=True)


def _all_equal(a):
    return np.all(a == a[..., :1], axis=-1, keepdims=True)


def _exponent(a):
    """k with |a| < 2**k (k = 0 for 0, infinities and NaN), elementwise."""
    return np.frexp(np.asarray(a))[1].astype(np.float64)


def _ldexp(a, k):
    """a * 2**k, exact unless the result leaves the floating range."""
    return np.ldexp(a, np.asarray(k).astype(np.int64))


def _margin(like):
    """Half the exponent range of ``like``'s dtype, less a little (500 for float64)."""
    return 60.0 if np.asarray(like).dtype == np.float32 else 500.0


def _like(value, like):
    return np.asarray(value, dtype=np.result_type(like, np.float64))


def _maximum(a, b):
    return np.maximum(a, b)


def _where(condition, a, b):
    return np.where(condition, a, b)


def _sqrt(a):
    return np.sqrt(a)


def _any(a):
    return bool(np.any(a))
