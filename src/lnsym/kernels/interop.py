r"""Users' arrays in, users' arrays out: NumPy arrays, PyTorch tensors and JAX arrays.

Every numeric entry point of lnsym (kernels, ``lnsym.eval``, :func:`~lnsym.interp.folding`,
:func:`~lnsym.interp.attribute`, :func:`~lnsym.interp.compare`) passes its inputs through this
module, so the rule is stated once:

* **Which arrays.** NumPy arrays (and anything :func:`numpy.asarray` takes: lists, numbers), PyTorch
  tensors of any device, with or without ``requires_grad``, and JAX arrays; float16, bfloat16,
  float32 and float64 (integers count as float64).
* **Precision.** Arithmetic runs in float64 (float32 on devices without float64, such as Apple's
  MPS), never below float32: float16 and bfloat16 inputs are widened before any arithmetic. One
  stated exception: :func:`~lnsym.interp.attribute`'s product over a *matrix* of readers (a whole
  unembedding) runs in the inputs' precision, at least float32, with a rounding bound to match.
* **What comes back.** The array type of the inputs (the first PyTorch or JAX input decides; NumPy
  otherwise), on that input's device, in the promoted floating dtype of the floating inputs
  (float16 in, float16 out; float16 with float32, float32 out; only integers or Python numbers,
  float64). ``out=`` may be an array of that same type (a PyTorch tensor, a NumPy array).
* **Gradients.** The ``torch`` backend computes in PyTorch, so gradients flow through its kernels.
  A ``numpy`` or ``numba`` kernel called with a tensor that requires a gradient (while autograd is
  on) runs the same formula's ``torch`` kernel instead (:func:`wants_gradient`), so gradients flow
  there too; an *exported* numpy or numba module, which has no torch kernel to hand over to,
  refuses such a tensor with a one-line error. The interpretability functions, whose checks run in
  float64 NumPy, *detach* their PyTorch inputs: gradients cannot flow through NumPy, and lnsym says
  so here rather than failing with PyTorch's ``Can't call numpy() on Tensor that requires grad``.

Frameworks are recognized by the array's type (its module), so neither PyTorch nor JAX is imported
unless the caller already uses it.

>>> import numpy as np
>>> kind = array_kind(np.zeros(3, dtype=np.float16))
>>> kind.family, kind.dtype_name
('numpy', 'float16')
>>> restore(np.array([0.5, 1.0]), kind).dtype
dtype('float16')
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from lnsym.errors import KernelShapeError

__all__ = [
    "ArrayKind",
    "array_kind",
    "copy_into",
    "family",
    "is_foreign",
    "restore",
    "sum_leading_axes",
    "to_numpy",
    "wants_gradient",
]

_LOW_PRECISION = ("float16", "bfloat16")
_DTYPE_ORDER = {"float16": 1, "bfloat16": 1, "float32": 2, "float64": 3, "float128": 4}


def family(value: Any) -> str:
    """``'torch'``, ``'jax'`` or ``'numpy'`` (anything else NumPy can read) for one value."""
    module = type(value).__module__.partition(".")[0]
    if module == "torch" and "torch" in sys.modules:
        import torch

        if isinstance(value, torch.Tensor):
            return "torch"
    if module in ("jax", "jaxlib") and hasattr(value, "__array__") and hasattr(value, "dtype"):
        return "jax"
    return "numpy"


def wants_gradient(args: Iterable[Any], kwargs: dict[str, Any]) -> bool:
    """Whether some argument is a PyTorch tensor that requires a gradient, with autograd on."""
    if "torch" not in sys.modules:
        return False
    import torch

    values = [*args, *(v for k, v in kwargs.items() if k != "out")]
    return torch.is_grad_enabled() and any(
        isinstance(v, torch.Tensor) and v.requires_grad for v in values
    )


def is_foreign(value: Any) -> bool:
    """True for a PyTorch tensor or a JAX array (values NumPy cannot take as they are)."""
    return family(value) != "numpy"


def _dtype_name(value: Any) -> str | None:
    """The floating dtype's name of an array value (``None`` for integers and non-arrays)."""
    dtype = getattr(value, "dtype", None)
    if dtype is None:
        return None
    name = str(dtype).removeprefix("torch.")
    if name in _DTYPE_ORDER:
        return name
    if name == "longdouble":  # pragma: no cover - platform spelling of float128
        return "float128"
    return None


@dataclass(frozen=True)
class ArrayKind:
    """The type a result is returned as: the array family, its floating dtype and its device."""

    family: str
    dtype_name: str
    device: Any = None

    @property
    def low_precision(self) -> bool:
        """float16 or bfloat16 (widened to float32 at least before any arithmetic)."""
        return self.dtype_name in _LOW_PRECISION

    @property
    def plain(self) -> bool:
        """A NumPy result of float32 or wider: the kernels' own path needs no conversion."""
        return self.family == "numpy" and not self.low_precision


def _promote(names: Iterable[str]) -> str:
    """The promoted floating dtype: float16 with bfloat16 gives float32, otherwise the widest."""
    chosen: str | None = None
    for name in names:
        if chosen is None:
            chosen = name
        elif {chosen, name} == {"float16", "bfloat16"}:
            chosen = "float32"
        elif _DTYPE_ORDER[name] > _DTYPE_ORDER[chosen]:
            chosen = name
    return chosen or "float64"


def array_kind(*values: Any) -> ArrayKind:
    """How to return a result computed from ``values`` (see the module docstring for the rule)."""
    families = [(family(v), v) for v in values if v is not None]
    foreign = [(f, v) for f, v in families if f != "numpy"]
    chosen, lead = foreign[0] if foreign else ("numpy", None)
    names = [
        n
        for f, v in families
        if (f == chosen or f == "numpy") and (n := _dtype_name(v)) is not None
    ]
    device = getattr(lead, "device", None) if chosen == "torch" else None
    return ArrayKind(chosen, _promote(names), device)


def to_numpy(value: Any, *, widen: bool = True) -> Any:
    """``value`` as NumPy data: PyTorch tensors detached and copied to the CPU, JAX arrays copied
    to the host; float16 and bfloat16 widened to float32 (with ``widen``; bfloat16 always, since
    NumPy has no bfloat16). Other values are returned unchanged (NumPy reads them itself)."""
    kind = family(value)
    if kind == "torch":
        tensor = value.detach()
        if tensor.dtype.is_floating_point and (widen or str(tensor.dtype) == "torch.bfloat16"):
            if tensor.element_size() < 4:
                tensor = tensor.float()
        return tensor.cpu().numpy()
    if kind == "jax":
        name = _dtype_name(value)
        if name in _LOW_PRECISION and (widen or name == "bfloat16"):
            value = value.astype("float32")
        return np.asarray(value)
    if isinstance(value, np.ndarray) and _dtype_name(value) in _LOW_PRECISION:
        if widen or value.dtype != np.float16:  # NumPy's bfloat16 (ml_dtypes) is always widened
            return value.astype(np.float32)
    return value


def sum_leading_axes(rows: Any) -> Any:
    """Sum over every axis but the last, in the array's own family (NumPy accumulates in float64
    and keeps the dtype)."""
    axes = tuple(range(rows.ndim - 1))
    kind = family(rows)
    if kind == "torch":
        return rows.sum(dim=axes) if axes else rows
    if kind == "jax":
        return rows.sum(axis=axes)
    return np.sum(rows, axis=axes, dtype=np.float64).astype(rows.dtype)


def restore(array: Any, kind: ArrayKind) -> Any:
    """A NumPy result as ``kind``: the family's array type, dtype and device."""
    if kind.family == "torch":
        import torch

        dtype = getattr(torch, kind.dtype_name)
        host = np.asarray(array)
        if not (host.flags.writeable and all(stride >= 0 for stride in host.strides)):
            host = np.ascontiguousarray(host)  # PyTorch shares writeable memory, strides >= 0
        # (a transposed view stays one: copying a whole-vocabulary result costs more than it saves)
        return torch.from_numpy(host).to(device=kind.device, dtype=dtype)
    if kind.family == "jax":
        import jax.numpy as jnp

        return jnp.asarray(
            np.asarray(array, dtype=np.float32 if kind.low_precision else None)
        ).astype(kind.dtype_name)
    result = np.asarray(array)
    if kind.dtype_name == "float128" or result.dtype.name == kind.dtype_name:
        return result
    return result.astype(kind.dtype_name)


def copy_into(out: Any, value: Any) -> Any:
    """Write ``value`` (any family) into the preallocated ``out`` (a NumPy array or a PyTorch
    tensor); return ``out``. Shapes must match exactly."""
    shape = tuple(getattr(value, "shape", ()))
    if tuple(getattr(out, "shape", ())) != shape:
        raise KernelShapeError(f"out has shape {tuple(out.shape)}; this result needs {shape}")
    kind = family(out)
    if kind == "torch":
        import torch

        if not out.dtype.is_floating_point:
            raise KernelShapeError(f"out holds {out.dtype} values; give a floating-point tensor")
        if family(value) == "torch":
            out.copy_(value)
        else:
            out.copy_(torch.from_numpy(np.ascontiguousarray(to_numpy(value))))
        return out
    if kind == "jax":
        raise KernelShapeError("out cannot be a JAX array (JAX arrays are immutable); omit out=")
    if not isinstance(out, np.ndarray):
        raise KernelShapeError(
            f"out must be a NumPy array or a PyTorch tensor, not {type(out).__name__}"
        )
    if out.dtype.kind != "f":
        raise KernelShapeError(f"out holds {out.dtype} values; give a floating-point array")
    np.copyto(out, to_numpy(value, widen=False), casting="same_kind")
    return out


def _plain_value(value: Any) -> bool:
    """A Python number or a NumPy array of float32 or wider (or of integers): no conversion."""
    if type(value) is np.ndarray:
        kind, size = value.dtype.kind, value.dtype.itemsize
        return kind in "biu" or (kind == "f" and size >= 4)
    return type(value) in (float, int)


def call_on_numpy(
    function: Any, vector_names: tuple[str, ...], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """Call a NumPy/Numba kernel ``function`` on any arrays (see the module docstring).

    Plain NumPy calls (float32 or wider, ``out`` a NumPy array or absent) go straight through;
    otherwise the inputs are detached, moved to the host and widened (float16 → float32, which
    Numba needs), the kernel runs, and its result is returned as the inputs' kind (or written into
    ``out``)."""
    out = kwargs.get("out")
    if (out is None or type(out) is np.ndarray) and all(
        _plain_value(v) for k, v in (*enumerate(args), *kwargs.items()) if k != "out"
    ):
        return function(*args, **kwargs)  # the common case, decided cheaply
    count = len(vector_names)
    vectors = [*args[:count], *(kwargs[k] for k in vector_names if k in kwargs)]
    others = [
        *args[count:],
        *(v for k, v in kwargs.items() if k not in (*vector_names, "eps", "out", "axis")),
    ]
    kind = array_kind(*vectors)
    if kind.family == "numpy":
        foreign = [v for v in others if is_foreign(v)]
        if foreign:
            kind = ArrayKind(
                family(foreign[0]), kind.dtype_name, getattr(foreign[0], "device", None)
            )
    if kind.plain and (out is None or isinstance(out, np.ndarray)):
        return function(*args, **kwargs)
    eps = kwargs.get("eps")
    converted = {
        k: (float(to_numpy(v)) if k == "eps" else to_numpy(v))
        for k, v in kwargs.items()
        if k != "out" and not (k == "eps" and eps is None)
    }
    result = function(*(to_numpy(a) for a in args), **converted)
    if out is not None:
        return copy_into(out, result)
    return restore(result, kind)
