"""Input and output helpers of the PyTorch kernels.

A generated module copies these functions' source (:func:`lnsym.kernels.backends.helper_source`),
so a standalone kernel needs nothing from lnsym. The generated module provides the names they use: ``torch``,
``np``, ``ShapeError`` and ``check_n`` (from :mod:`lnsym.kernels.runtime`).
"""

from __future__ import annotations

import numpy as np
import torch

from lnsym.kernels.runtime import ShapeError, check_n

__all__ = ["_inputs", "_result"]


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
