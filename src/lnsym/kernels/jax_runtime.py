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

__all__ = ["_inputs", "_result"]


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
