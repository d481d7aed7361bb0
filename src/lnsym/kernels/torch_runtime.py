"""Input and output helpers of the PyTorch kernels.

A generated module copies these functions' source (:func:`lnsym.kernels.backends.helper_source`),
so a standalone kernel needs nothing from lnsym. The generated module provides the names they use: ``torch``,
``np``, ``ShapeError`` and ``check_n`` (from :mod:`lnsym.kernels.runtime`).
"""

from __future__ import annotations

import numpy as np
import torch

from lnsym.kernels.runtime import ShapeError, check_n

__all__ = ["_inputs", "_result"]  # and the careful path's row primitives below


def _inputs(vector_names, vectors, scalar_names, scalars, axis):
    vectors = [torch.as_tensor(v) for v in vectors]
    vectors = [v if v.is_floating_point() else v.to(torch.float64) for v in vectors]
    for name, v in zip(vector_names, vectors, strict=True):
        if v.ndim == 0:
            raise ShapeError(f"{name} is a number; a vector input needs shape (..., n)")
    vectors = [torch.movedim(v, axis, -1) for v in vectors]
    n = check_n(vector_names, [tuple(v.shape) for v in vectors], axis)
    dtype = vectors[0].dtype
    for v in vectors[1:]:
        dtype = torch.promote_types(dtype, v.dtype)
    # float16/bfloat16 results keep their dtype; the arithmetic runs in float64 (float32 on
    # devices without float64, such as MPS)
    widest = torch.float32 if vectors[0].device.type == "mps" else torch.float64
    ct = torch.promote_types(dtype, widest)
    vectors = [v.to(ct) for v in vectors]
    scalars = [torch.as_tensor(s, dtype=ct, device=vectors[0].device)[..., None] for s in scalars]
    return vectors, scalars, n, dtype, ct


def _result(value, inputs, dtype, ct, axis, vector, out):
    shape = torch.broadcast_shapes(*(tuple(a.shape) for a in inputs))
    value = torch.as_tensor(value, dtype=ct, device=inputs[0].device).broadcast_to(shape)
    value = torch.movedim(value, -1, axis) if vector else value[..., 0]
    value = value.to(dtype)
    if out is None:
        return value
    if tuple(out.shape) != tuple(value.shape):
        raise ShapeError(
            f"out has shape {tuple(out.shape)}; this result needs {tuple(value.shape)}"
        )
    if isinstance(out, torch.Tensor):
        return out.copy_(value)
    np.copyto(out, value.cpu().numpy(), casting="same_kind")
    return out


# -- the careful path's row primitives (lnsym.kernels.careful) ----------------------------------


def _rsum(a):
    return a.sum(dim=-1, keepdim=True)


def _rdot(a, b):
    return (a * b).sum(dim=-1, keepdim=True)


def _rmax_abs(a):
    return a.abs().amax(dim=-1, keepdim=True)


def _all_equal(a):
    return (a == a[..., :1]).all(dim=-1, keepdim=True)


def _exponent(a):
    """k with |a| < 2**k (k = 0 for 0, infinities and NaN), elementwise."""
    a = torch.as_tensor(a).detach()
    return torch.frexp(a)[1].to(a.dtype)


def _ldexp(a, k):
    """a * 2**k in four exact steps (each power of two in range: |k| < 4000 in float64, 500 in
    float32)."""
    k = torch.as_tensor(k, dtype=torch.as_tensor(a).dtype)
    for parts in (4, 3, 2):
        step = torch.trunc(k / parts)
        a = a * torch.exp2(step)
        k = k - step
    return a * torch.exp2(k)


def _margin(like):
    """Half the exponent range of ``like``'s dtype, less a little (500 for float64)."""
    return 60.0 if like.dtype == torch.float32 else 500.0


def _like(value, like):
    return torch.as_tensor(value, dtype=like.dtype, device=like.device)


def _maximum(a, b):
    return torch.maximum(a, b)


def _where(condition, a, b):
    return torch.where(condition, a, b)


def _sqrt(a):
    return torch.sqrt(a)


def _any(a):
    return bool(torch.as_tensor(a).any())
