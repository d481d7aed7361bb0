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

Each framework is one :class:`ArrayFamily` (:class:`NumPyFamily`, :class:`TorchFamily`,
:class:`JaxFamily`): how to recognize its values, read them as NumPy data, sum them, give a NumPy
result back as its arrays and copy into one of them. :data:`FAMILIES` is the registry and
:func:`family_of` finds a value's family, so a new array type is one class and one
``FAMILIES.register`` line.
Frameworks are recognized by the array's type (its module), so neither PyTorch nor JAX is imported
unless the caller already uses it.

>>> import numpy as np
>>> kind = array_kind(np.zeros(3, dtype=np.float16))
>>> kind.family, kind.dtype_name
('numpy', 'float16')
>>> family_of(np.zeros(3)) is NUMPY, NUMPY.foreign
(True, False)
>>> restore(np.array([0.5, 1.0]), kind).dtype
dtype('float16')
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from lnsym.errors import KernelShapeError

__all__ = [
    "FAMILIES",
    "JAX",
    "NUMPY",
    "TORCH",
    "ArrayFamily",
    "ArrayKind",
    "FamilyRegistry",
    "JaxFamily",
    "NumPyFamily",
    "TorchFamily",
    "array_kind",
    "copy_into",
    "family",
    "family_of",
    "is_foreign",
    "restore",
    "sum_leading_axes",
    "to_numpy",
    "wants_gradient",
]

_LOW_PRECISION = ("float16", "bfloat16")
_DTYPE_ORDER = {"float16": 1, "bfloat16": 1, "float32": 2, "float64": 3, "float128": 4}


def _floating_name(name: str) -> str | None:
    """A dtype's spelling as a floating dtype name of :data:`_DTYPE_ORDER` (``None`` otherwise)."""
    if name in _DTYPE_ORDER:
        return name
    if name == "longdouble":  # pragma: no cover - platform spelling of float128
        return "float128"
    return None


class ArrayFamily:
    """One array library's part of the array protocol: how to recognize its values, read them as
    NumPy data, sum them, and give a NumPy result back as one of its arrays.

    A subclass per library; :data:`FAMILIES` is the registry (:func:`family_of` finds the family
    of a value). NumPy is the fallback: it owns every value no other family claims."""

    #: the family's name (``ArrayKind.family``).
    name: ClassVar[str]
    #: the top-level modules its array types live in (how a value is matched without importing).
    modules: ClassVar[tuple[str, ...]] = ()
    #: whether NumPy cannot take its values as they are (they are converted on the way in).
    foreign: ClassVar[bool] = True

    def __repr__(self) -> str:
        return f"<{self.name} array family>"

    def owns(self, value: Any) -> bool:
        """Whether ``value`` is one of this family's arrays (:func:`family_of` asks only the family
        whose :attr:`modules` hold the value's type)."""
        raise NotImplementedError

    def dtype_name(self, value: Any) -> str | None:
        """The floating dtype's name of ``value`` (``None`` for integers and non-arrays)."""
        dtype = getattr(value, "dtype", None)
        return None if dtype is None else _floating_name(str(dtype))

    def device(self, value: Any) -> Any:
        """The device a result computed from ``value`` is returned on (``None``: the host)."""
        return None

    def wants_gradient(self, values: Iterable[Any]) -> bool:
        """Whether some of ``values`` needs a gradient that NumPy would drop."""
        return False

    def to_numpy(self, value: Any, widen: bool) -> Any:
        """``value`` as NumPy data (see :func:`to_numpy`)."""
        raise NotImplementedError

    def sum_leading_axes(self, rows: Any, axes: tuple[int, ...]) -> Any:
        """``rows`` summed over ``axes``, as an array of this family."""
        raise NotImplementedError

    def restore(self, array: Any, kind: ArrayKind) -> Any:
        """A NumPy result as this family's array of ``kind``'s dtype and device."""
        raise NotImplementedError

    def copy_into(self, out: Any, value: Any) -> Any:
        """Write ``value`` (any family, same shape) into ``out``, one of this family's arrays."""
        raise NotImplementedError


class NumPyFamily(ArrayFamily):
    """NumPy arrays, and anything :func:`numpy.asarray` reads (lists, numbers)."""

    name = "numpy"
    foreign = False

    def owns(self, value: Any) -> bool:
        return True

    def to_numpy(self, value: Any, widen: bool) -> Any:
        if isinstance(value, np.ndarray) and self.dtype_name(value) in _LOW_PRECISION:
            if widen or value.dtype != np.float16:  # NumPy's bfloat16 (ml_dtypes) always widens
                return value.astype(np.float32)
        return value

    def sum_leading_axes(self, rows: Any, axes: tuple[int, ...]) -> Any:
        return np.sum(rows, axis=axes, dtype=np.float64).astype(rows.dtype)

    def restore(self, array: Any, kind: ArrayKind) -> Any:
        result = np.asarray(array)
        if kind.dtype_name == "float128" or result.dtype.name == kind.dtype_name:
            return result
        return result.astype(kind.dtype_name)

    def copy_into(self, out: Any, value: Any) -> Any:
        if not isinstance(out, np.ndarray):
            raise KernelShapeError(
                f"out must be a NumPy array or a PyTorch tensor, not {type(out).__name__}"
            )
        if out.dtype.kind != "f":
            raise KernelShapeError(f"out holds {out.dtype} values; give a floating-point array")
        np.copyto(out, to_numpy(value, widen=False), casting="same_kind")
        return out


class TorchFamily(ArrayFamily):
    """PyTorch tensors of any device, with or without ``requires_grad``."""

    name = "torch"
    modules = ("torch",)

    def owns(self, value: Any) -> bool:
        torch = sys.modules.get("torch")  # never imported here: a tensor means it already is
        return torch is not None and isinstance(value, torch.Tensor)

    def dtype_name(self, value: Any) -> str | None:
        return _floating_name(str(value.dtype).removeprefix("torch."))

    def device(self, value: Any) -> Any:
        return value.device

    def wants_gradient(self, values: Iterable[Any]) -> bool:
        torch = sys.modules.get("torch")
        if torch is None:
            return False
        return torch.is_grad_enabled() and any(
            isinstance(v, torch.Tensor) and v.requires_grad for v in values
        )

    def to_numpy(self, value: Any, widen: bool) -> Any:
        tensor = value.detach()
        if tensor.dtype.is_floating_point and (widen or str(tensor.dtype) == "torch.bfloat16"):
            if tensor.element_size() < 4:
                tensor = tensor.float()
        return tensor.cpu().numpy()

    def sum_leading_axes(self, rows: Any, axes: tuple[int, ...]) -> Any:
        return rows.sum(dim=axes) if axes else rows

    def restore(self, array: Any, kind: ArrayKind) -> Any:
        import torch

        dtype = getattr(torch, kind.dtype_name)
        host = np.asarray(array)
        if not (host.flags.writeable and all(stride >= 0 for stride in host.strides)):
            host = np.ascontiguousarray(host)  # PyTorch shares writeable memory, strides >= 0
        # (a transposed view stays one: copying a whole-vocabulary result costs more than it saves)
        return torch.from_numpy(host).to(device=kind.device, dtype=dtype)

    def copy_into(self, out: Any, value: Any) -> Any:
        import torch

        if not out.dtype.is_floating_point:
            raise KernelShapeError(f"out holds {out.dtype} values; give a floating-point tensor")
        if self.owns(value):
            out.copy_(value)
        else:
            out.copy_(torch.from_numpy(np.ascontiguousarray(to_numpy(value))))
        return out


class JaxFamily(ArrayFamily):
    """JAX arrays (immutable: never an ``out=``)."""

    name = "jax"
    modules = ("jax", "jaxlib")

    def owns(self, value: Any) -> bool:
        module = type(value).__module__.partition(".")[0]
        return module in self.modules and hasattr(value, "__array__") and hasattr(value, "dtype")

    def to_numpy(self, value: Any, widen: bool) -> Any:
        name = self.dtype_name(value)
        if name in _LOW_PRECISION and (widen or name == "bfloat16"):
            value = value.astype("float32")
        return np.asarray(value)

    def sum_leading_axes(self, rows: Any, axes: tuple[int, ...]) -> Any:
        return rows.sum(axis=axes)

    def restore(self, array: Any, kind: ArrayKind) -> Any:
        import jax.numpy as jnp

        return jnp.asarray(
            np.asarray(array, dtype=np.float32 if kind.low_precision else None)
        ).astype(kind.dtype_name)

    def copy_into(self, out: Any, value: Any) -> Any:
        raise KernelShapeError("out cannot be a JAX array (JAX arrays are immutable); omit out=")


class FamilyRegistry:
    """The array families by name, and by the modules their array types live in."""

    def __init__(self) -> None:
        self._by_name: dict[str, ArrayFamily] = {}
        self._by_module: dict[str, ArrayFamily] = {}
        self.with_gradients: tuple[ArrayFamily, ...] = ()  # families that track gradients

    def register(self, array_family: ArrayFamily) -> ArrayFamily:
        """Add ``array_family`` (replacing one of its name); return it."""
        self.remove(array_family.name)
        self._by_name[array_family.name] = array_family
        self._by_module.update(dict.fromkeys(array_family.modules, array_family))
        if type(array_family).wants_gradient is not ArrayFamily.wants_gradient:
            self.with_gradients = (*self.with_gradients, array_family)
        return array_family

    def remove(self, name: str) -> None:
        """Take the family ``name`` out of the registry (nothing if there is none)."""
        gone = self._by_name.pop(name, None)
        if gone is not None:
            self._by_module = {m: f for m, f in self._by_module.items() if f is not gone}
            self.with_gradients = tuple(f for f in self.with_gradients if f is not gone)

    def __getitem__(self, name: str) -> ArrayFamily:
        return self._by_name[name]

    def __iter__(self) -> Iterator[ArrayFamily]:
        return iter(tuple(self._by_name.values()))

    def names(self) -> tuple[str, ...]:
        """The registered families' names, NumPy first."""
        return tuple(self._by_name)

    def of(self, value: Any) -> ArrayFamily:
        """The family of ``value``: the one its type's module names, if it owns the value; NumPy
        (the fallback) otherwise."""
        candidate = self._by_module.get(type(value).__module__.partition(".")[0])
        if candidate is not None and candidate.owns(value):
            return candidate
        return NUMPY


#: the registry of array families: a new array library is one class and one ``register`` line.
FAMILIES = FamilyRegistry()
NUMPY = FAMILIES.register(NumPyFamily())
TORCH = FAMILIES.register(TorchFamily())
JAX = FAMILIES.register(JaxFamily())


def family_of(value: Any) -> ArrayFamily:
    """The :class:`ArrayFamily` of one value (NumPy for anything no other family claims)."""
    return FAMILIES.of(value)


def family(value: Any) -> str:
    """``'torch'``, ``'jax'`` or ``'numpy'`` (anything else NumPy can read) for one value: the
    name of its :func:`family_of`."""
    return family_of(value).name


def wants_gradient(args: Iterable[Any], kwargs: dict[str, Any]) -> bool:
    """Whether some argument is a PyTorch tensor that requires a gradient, with autograd on."""
    tracking = FAMILIES.with_gradients
    if not tracking:  # pragma: no cover - PyTorch is registered
        return False
    values = [*args, *(v for k, v in kwargs.items() if k != "out")]
    return any(f.wants_gradient(values) for f in tracking)


def is_foreign(value: Any) -> bool:
    """True for a PyTorch tensor or a JAX array (values NumPy cannot take as they are)."""
    return family_of(value).foreign


@dataclass(frozen=True)
class ArrayKind:
    """The type a result is returned as: the array family, its floating dtype and its device."""

    array_family: ArrayFamily
    dtype_name: str
    device: Any = None

    @property
    def family(self) -> str:
        """The family's name: ``'numpy'``, ``'torch'`` or ``'jax'``."""
        return self.array_family.name

    @property
    def low_precision(self) -> bool:
        """float16 or bfloat16 (widened to float32 at least before any arithmetic)."""
        return self.dtype_name in _LOW_PRECISION

    @property
    def plain(self) -> bool:
        """A NumPy result of float32 or wider: the kernels' own path needs no conversion."""
        return not self.array_family.foreign and not self.low_precision


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
    families = [(family_of(v), v) for v in values if v is not None]
    foreign = [(f, v) for f, v in families if f.foreign]
    chosen, lead = foreign[0] if foreign else (NUMPY, None)
    names = [
        n
        for f, v in families
        if (f is chosen or not f.foreign) and (n := f.dtype_name(v)) is not None
    ]
    device = None if lead is None else chosen.device(lead)
    return ArrayKind(chosen, _promote(names), device)


def to_numpy(value: Any, *, widen: bool = True) -> Any:
    """``value`` as NumPy data: PyTorch tensors detached and copied to the CPU, JAX arrays copied
    to the host; float16 and bfloat16 widened to float32 (with ``widen``; bfloat16 always, since
    NumPy has no bfloat16). Other values are returned unchanged (NumPy reads them itself)."""
    return family_of(value).to_numpy(value, widen)


def sum_leading_axes(rows: Any) -> Any:
    """Sum over every axis but the last, in the array's own family (NumPy accumulates in float64
    and keeps the dtype)."""
    return family_of(rows).sum_leading_axes(rows, tuple(range(rows.ndim - 1)))


def restore(array: Any, kind: ArrayKind) -> Any:
    """A NumPy result as ``kind``: the family's array type, dtype and device."""
    return kind.array_family.restore(array, kind)


def copy_into(out: Any, value: Any) -> Any:
    """Write ``value`` (any family) into the preallocated ``out`` (a NumPy array or a PyTorch
    tensor); return ``out``. Shapes must match exactly."""
    shape = tuple(getattr(value, "shape", ()))
    if tuple(getattr(out, "shape", ())) != shape:
        raise KernelShapeError(f"out has shape {tuple(out.shape)}; this result needs {shape}")
    return family_of(out).copy_into(out, value)


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
    if not kind.array_family.foreign:
        foreign = [(f, v) for v in others if (f := family_of(v)).foreign]
        if foreign:
            owner, lead = foreign[0]
            kind = ArrayKind(owner, kind.dtype_name, owner.device(lead))
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
