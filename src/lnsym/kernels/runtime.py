r"""The NumPy-only helpers every generated kernel carries (copied verbatim into exported modules).

A kernel's vectors have shape ``(..., n)`` with the normalized axis ``axis`` (last by default); the
leading axes are a batch, broadcast across all inputs. Scalars are numbers or arrays of the batch
shape (one value per row). Everything here imports only NumPy, so an exported module is standalone.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "ShapeError",
    "call_on_host",
    "check_n",
    "finish",
    "foreign_inputs",
    "output",
    "prepare",
    "rows",
]


class ShapeError(ValueError):
    """Inputs whose shapes do not fit the formula (lengths differ, batches do not broadcast)."""


def check_n(names: tuple[str, ...], shapes: list[tuple[int, ...]], axis: int) -> int:
    """The common length ``n`` of the vectors along ``axis`` (shapes already have it last)."""
    for name, shape in zip(names, shapes, strict=True):
        if len(shape) == 0:
            raise ShapeError(f"{name} is a number; a vector input needs shape (..., n)")
    n = shapes[0][-1]
    for name, shape in zip(names[1:], shapes[1:], strict=True):
        if shape[-1] != n:
            raise ShapeError(
                f"{name} has {shape[-1]} entries on axis {axis} but {names[0]} has {n}; "
                "the vectors of one formula must have the same length"
            )
    if n == 0:
        raise ShapeError(f"{names[0]} is empty; vectors need at least one entry")
    return int(n)


def prepare(
    vector_names: tuple[str, ...],
    vectors: tuple[Any, ...],
    scalar_names: tuple[str, ...],
    scalars: tuple[Any, ...],
    axis: int,
) -> tuple[list[np.ndarray], list[np.ndarray], tuple[int, ...], int, Any]:
    """Arrays with the normalized axis last, the broadcast batch shape, ``n`` and the result dtype.

    Integer inputs become float64; the result dtype is that of the floating inputs (at least
    float32), so float32 in gives float32 out.
    """
    arrays = []
    for name, value in zip(vector_names, vectors, strict=True):
        array = np.asarray(value)
        if array.dtype.kind not in "biuf":
            raise ShapeError(f"{name} holds {array.dtype} values; kernels need real numbers")
        if array.dtype.kind != "f":
            array = array.astype(np.float64)
        if array.ndim == 0:
            raise ShapeError(f"{name} is a number; a vector input needs shape (..., n)")
        try:
            arrays.append(np.moveaxis(array, axis, -1))
        except (IndexError, ValueError):  # numpy's AxisError derives from both
            raise ShapeError(f"{name} has {array.ndim} axes; axis={axis} is out of range") from None
    n = check_n(vector_names, [a.shape for a in arrays], axis)
    numbers = [np.asarray(s, dtype=np.float64) for s in scalars]
    try:
        batch = np.broadcast_shapes(*(a.shape[:-1] for a in arrays), *(s.shape for s in numbers))
    except ValueError:
        shapes = ", ".join(
            f"{name}: {a.shape}"
            for name, a in zip((*vector_names, *scalar_names), (*arrays, *numbers), strict=True)
        )
        raise ShapeError(f"batch shapes do not broadcast ({shapes})") from None
    dtype = np.result_type(*arrays, np.float32)
    return arrays, numbers, batch, n, dtype


def rows(array: np.ndarray, batch: tuple[int, ...], tail: tuple[int, ...]) -> np.ndarray:
    """``array`` (batch shape + ``tail``) as C-contiguous rows: shape ``(rows, *tail)``, or
    ``(1, *tail)`` when it is the same for every row (no copy is made to broadcast it)."""
    lead = array.shape[: array.ndim - len(tail)]
    count = int(np.prod(batch, dtype=np.int64))
    if tuple(lead) == tuple(batch):
        return np.ascontiguousarray(array).reshape((count, *tail))
    if int(np.prod(lead, dtype=np.int64)) == 1:
        return np.ascontiguousarray(array).reshape((1, *tail))
    return np.ascontiguousarray(np.broadcast_to(array, (*batch, *tail))).reshape((count, *tail))


def output(
    out: np.ndarray | None, shape: tuple[int, ...], dtype: Any, axis: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """``(result, target)``: the array returned to the caller and a C-contiguous array of
    ``shape`` (normalized axis last) for the kernel to fill. When ``out`` is given and already
    has that layout, ``target`` is a view of it; otherwise :func:`finish` copies target into it.
    """
    if out is None:
        target = np.empty(shape, dtype=dtype)
        result = target if axis is None else np.moveaxis(target, -1, axis)
        return result, target
    if not isinstance(out, np.ndarray):
        raise ShapeError(f"out must be a NumPy array, not {type(out).__name__}")
    view = out if axis is None else np.moveaxis(out, axis, -1)
    if view.shape != tuple(shape):
        wanted = shape if axis is None else np.moveaxis(np.empty(shape, dtype=bool), -1, axis).shape
        raise ShapeError(f"out has shape {out.shape}; this result needs {tuple(wanted)}")
    if out.dtype.kind != "f":
        raise ShapeError(f"out holds {out.dtype} values; give a floating-point array")
    if view.flags.c_contiguous:
        return out, view
    return out, np.empty(shape, dtype=out.dtype)


def finish(result: np.ndarray, target: np.ndarray, axis: int | None) -> np.ndarray:
    """Copy ``target`` into ``result`` unless the kernel wrote there directly; return ``result``."""
    view = result if axis is None else np.moveaxis(result, axis, -1)
    if not np.shares_memory(view, target):
        np.copyto(view, target, casting="same_kind")
    return result


def foreign_inputs(values: tuple[Any, ...]) -> Any:
    """The first PyTorch tensor or JAX array among ``values`` (None when NumPy reads them all)."""
    for value in values:
        if type(value).__module__.partition(".")[0] in ("torch", "jax", "jaxlib"):
            return value
    return None


def call_on_host(
    function: Any, names: tuple[str, ...], values: tuple[Any, ...], keywords: dict[str, Any]
) -> Any:
    """``function`` (a NumPy or Numba kernel) on host copies of PyTorch tensors and JAX arrays;
    the result comes back as the first such input's type, floating dtype and device (or is
    written into ``out``). A tensor that requires a gradient is refused: NumPy would detach it."""
    lead: Any = None
    host = []
    for name, value in zip(names, values, strict=True):
        module = type(value).__module__.partition(".")[0]
        if module == "torch":
            import torch

            if value.requires_grad and torch.is_grad_enabled():
                raise TypeError(
                    f"{name} requires a gradient, which this NumPy-computed kernel cannot carry; "
                    f"export the formula with the torch backend, or pass {name}.detach()"
                )
            lead = value if lead is None else lead
            tensor = value.detach()
            if tensor.is_floating_point() and tensor.element_size() < 4:
                tensor = tensor.float()  # NumPy has no bfloat16; Numba no float16
            host.append(tensor.cpu().numpy())
        elif module in ("jax", "jaxlib"):
            lead = value if lead is None else lead
            array = value.astype("float32") if value.dtype.itemsize < 4 else value
            host.append(np.asarray(array))
        else:
            host.append(value)
    out = keywords.pop("out", None)
    if type(keywords.get("eps")).__module__.partition(".")[0] in ("torch", "jax", "jaxlib"):
        keywords["eps"] = float(keywords["eps"])
    result = np.asarray(function(*host, **keywords))
    if type(lead).__module__.partition(".")[0] == "torch":
        import torch

        dtype = lead.dtype if lead.is_floating_point() else torch.from_numpy(result[:0]).dtype
        value = torch.from_numpy(np.ascontiguousarray(result)).to(device=lead.device, dtype=dtype)
    else:
        import jax.numpy as jnp

        floating = jnp.issubdtype(lead.dtype, jnp.floating)
        value = jnp.asarray(result).astype(lead.dtype if floating else result.dtype)
    if out is None:
        return value
    if tuple(out.shape) != tuple(value.shape):
        raise ShapeError(
            f"out has shape {tuple(out.shape)}; this result needs {tuple(value.shape)}"
        )
    if type(out).__module__.partition(".")[0] == "torch":
        import torch

        return out.copy_(torch.as_tensor(np.asarray(result)))
    np.copyto(out, result, casting="same_kind")
    return out
