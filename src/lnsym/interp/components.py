"""The components of a decomposition :math:`x = a_1 + \\dots + a_K`, read one way.

Attribution (:func:`lnsym.interp.attribute`) and the scale bounds
(:func:`lnsym.interp.bounds.scale_bounds`) take the same components: a mapping name → array, a
sequence of arrays (named ``a1`` … ``aK``) or one stacked array (K, ..., n), each component a vector
of length n or a batch of them along ``axis``. :func:`read_components` checks them and names them,
:func:`stack_components` broadcasts them into one array; each refusal has one message.

>>> labels, arrays = read_components({"attn": [1.0, 2.0], "mlp": [3.0, 4.0]})
>>> labels, stack_components(labels, arrays).tolist()
(('attn', 'mlp'), [[1.0, 2.0], [3.0, 4.0]])
>>> read_components([[1.0, 2.0]], names=["a", "b"])
Traceback (most recent call last):
...
lnsym.errors.DataError: 2 names for 1 components
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from lnsym.errors import DataError
from lnsym.interp.values import Value, as_array, to_last
from lnsym.kernels.interop import is_foreign

__all__ = ["component_labels", "read_components", "stack_components"]


def read_components(
    components: Mapping[str, Value] | Sequence[Value] | np.ndarray,
    names: Sequence[str] | None = None,
    axis: int = -1,
) -> tuple[tuple[str, ...], list[np.ndarray]]:
    """The components' names and float64 arrays, each with the normalized ``axis`` moved last.

    ``names`` (one per component) replaces the mapping's keys or the default ``a1`` … ``aK``; the
    names must not repeat. A stacked array (NumPy, PyTorch, JAX) gives one component per entry of
    its first axis, ``axis`` counting a component's axes."""
    stacked = isinstance(components, np.ndarray) or is_foreign(components)
    if isinstance(components, Mapping):
        labels = [str(k) for k in components]
        arrays = [as_array(v, str(k)) for k, v in components.items()]
    elif stacked:
        stack = as_array(components, "components")
        if stack.ndim < 2:
            raise DataError("components: give one row per component (shape (K, ..., n))")
        # one move of the stack's axis (``axis`` counts a component's axes), then views
        if not -(stack.ndim - 1) <= axis < stack.ndim - 1:
            raise DataError(
                f"each component has {stack.ndim - 1} axes; axis {axis} is out of range"
            )
        stack = np.moveaxis(stack, axis if axis < 0 else axis + 1, -1)
        arrays = list(stack)
        labels = [f"a{k}" for k in range(1, len(arrays) + 1)]
    else:
        arrays = [as_array(v, f"component {k}") for k, v in enumerate(components, 1)]
        labels = [f"a{k}" for k in range(1, len(arrays) + 1)]
    labels = component_labels(labels, len(arrays), names)
    if stacked:  # the normalized axis is last already
        return tuple(labels), arrays
    moved = [to_last(a, axis, label) for a, label in zip(arrays, labels, strict=True)]
    return tuple(labels), moved


def component_labels(labels: Sequence[str], count: int, names: Sequence[str] | None) -> list[str]:
    """The components' names: ``names`` if given (one per component), else ``labels``; at least
    one component, no name twice (every executor reads components by these rules)."""
    if not count:
        raise DataError("no components given; attribution needs at least one")
    if names is not None:
        if len(names) != count:
            raise DataError(f"{len(names)} names for {count} components")
        labels = [str(name) for name in names]
    if len(set(labels)) != len(labels):
        raise DataError(f"component names repeat: {list(labels)}")
    return list(labels)


def stack_components(labels: Sequence[str], arrays: Sequence[np.ndarray]) -> np.ndarray:
    """The components broadcast to one shape and stacked: shape (K, ..., n)."""
    try:
        return np.stack(np.broadcast_arrays(*arrays))
    except ValueError:
        shapes = ", ".join(f"{k}: {a.shape}" for k, a in zip(labels, arrays, strict=True))
        raise DataError(f"the components' shapes do not broadcast ({shapes})") from None
