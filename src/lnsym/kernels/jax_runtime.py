"""Input and output helpers of the JAX kernels.

A generated module copies these functions' source (:func:`lnsym.kernels.backends.helper_source`),
so a standalone kernel needs nothing from lnsym. The generated module provides the names they use: ``jax``,
``jnp``, ``np``, ``ShapeError`` and ``check_n`` (from :mod:`lnsym.kernels.runtime`).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from lnsym.kernels.runtime import ShapeError, check_n

__all__ = ["_inputs", "_result"]  # and the careful path's row primitives below


def _inputs(vector_names, vectors, scalar_names, scalars, axis):
    vectors = [jnp.asarray(v) for v in vectors]
    for name, v in zip(vector_names, vectors, strict=True):
        if v.ndim == 0:
            raise ShapeError(f"{name} is a number; a vector input needs shape (..., n)")
    vectors = [jnp.moveaxis(v, axis, -1) for v in vectors]
    n = check_n(vector_names, [tuple(v.shape) for v in vectors], axis)
    widest = jax.dtypes.canonicalize_dtype(jnp.float64)
    dtype = jnp.result_type(*(v.dtype for v in vectors))  # float16 in, float16 out
    dtype = dtype if jnp.issubdtype(dtype, jnp.floating) else widest
    ct = jnp.promote_types(dtype, widest)
    vectors = [v.astype(ct) for v in vectors]
    scalars = [jnp.asarray(s, dtype=ct)[..., None] for s in scalars]
    return vectors, scalars, n, dtype, ct


def _result(value, inputs, dtype, ct, axis, vector, out):
    shape = np.broadcast_shapes(*(tuple(a.shape) for a in inputs))
    value = jnp.broadcast_to(jnp.asarray(value, dtype=ct), shape)
    value = jnp.moveaxis(value, -1, axis) if vector else value[..., 0]
    value = value.astype(dtype)
    if out is None:
        return value
    np.copyto(out, np.asarray(value), casting="same_kind")
    return out


# -- the careful path's row primitives (lnsym.kernels.careful) ----------------------------------


def _rsum(a):
    return jnp.sum(a, axis=-1, keepdims=True)


def _rdot(a, b):
    return jnp.einsum("...i,...i->...", a, b)[..., None]


def _rmax_abs(a):
    return jnp.max(jnp.abs(a), axis=-1, keepdims=True)


def _all_equal(a):
    return jnp.all(a == a[..., :1], axis=-1, keepdims=True)


def _exponent(a):
    """k with |a| < 2**k (k = 0 for 0, infinities and NaN), elementwise."""
    a = jnp.asarray(a)
    return jnp.frexp(a)[1].astype(a.dtype)


def _pow2(k, dtype):
    """2**k for integer-valued k in the normal range of ``dtype`` (float64 or float32), built
    from its bits (jnp.exp2 is not exact)."""
    if dtype == jnp.float64:
        return jax.lax.bitcast_convert_type((k.astype(jnp.int64) + 1023) << 52, jnp.float64)
    return jax.lax.bitcast_convert_type((k.astype(jnp.int32) + 127) << 23, jnp.float32)


def _ldexp(a, k):
    """a * 2**k in four exact steps (each power of two in range: |k| < 4000 in float64, 500 in
    float32)."""
    dtype = jnp.result_type(a)
    k = jnp.asarray(k, dtype=dtype)
    for parts in (4, 3, 2):
        step = jnp.trunc(k / parts)
        a = a * _pow2(step, dtype)
        k = k - step
    return a * _pow2(k, dtype)


def _margin(like):
    """Half the exponent range of ``like``'s dtype, less a little (500 for float64)."""
    return 60.0 if jnp.result_type(like) == jnp.float32 else 500.0


def _like(value, like):
    return jnp.asarray(value, dtype=like.dtype)


def _maximum(a, b):
    return jnp.maximum(a, b)


def _where(condition, a, b):
    return jnp.where(condition, a, b)


def _sqrt(a):
    return jnp.sqrt(a)


def _any(a):
    """Whether any row is flagged; True while tracing (jax.jit): then every row takes both paths."""
    try:
        return bool(jnp.any(a))
    except jax.errors.ConcretizationTypeError:
        return True
