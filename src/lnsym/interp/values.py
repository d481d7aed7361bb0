"""Inputs of the interpretability tools: arrays, numbers, :class:`~lnsym.numeric.data.Data`, or files.

Every public function of :mod:`lnsym.interp` accepts, for each named value, a NumPy array (or
anything :func:`numpy.asarray` takes), a PyTorch tensor or a JAX array (detached and read in
float64: see :mod:`lnsym.kernels.interop`), a :class:`~lnsym.numeric.data.Data`, or a string/path read with
:func:`lnsym.numeric.data.read_value` (``"0.8328"``, ``"1,2,3"``, ``"pre_norm.jl"``, ``"f.jl:name"``).
Data read from text keeps its decimal literals, so exact (mpmath) evaluation starts from the numbers
as written. Named values as the command line gives them (``--set w=…``) are sorted out by
:func:`check_names`, :func:`take_eps` and :func:`take_reader`.

>>> as_data([1, 2, 3], "x").array.tolist()
[1.0, 2.0, 3.0]
>>> as_data("0.8328", "b").exact()
'0.8328'
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from lnsym.errors import DataError, current_interface, value_of
from lnsym.kernels.interop import to_numpy
from lnsym.numeric.data import Data, read_value

__all__ = [
    "Value",
    "as_array",
    "as_data",
    "as_datas",
    "check_names",
    "take_eps",
    "take_reader",
    "to_last",
    "vector_length",
]

#: what a caller may pass for one named value.
Value = Data | np.ndarray | float | int | str | Path | Any


def as_data(value: Value, name: str) -> Data:
    """``value`` as :class:`Data` (files and command-line lists are read; arrays are checked finite)."""
    if isinstance(value, Data):
        return value
    if isinstance(value, str | Path):
        return read_value(str(value))
    value = to_numpy(value)  # PyTorch/JAX: detached, on the host, float16/bfloat16 widened
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(
            f"{name}: cannot read {type(value).__name__} as numbers; pass an array, a number, "
            "a list like 1,2,3 or a data file"
        ) from None
    if not np.all(np.isfinite(array)):
        raise DataError(f"{name}: holds NaN or infinity; lnsym needs finite numbers")
    return Data(array, name)


def as_array(value: Value, name: str) -> np.ndarray:
    """``value`` as a float array (see :func:`as_data`)."""
    return as_data(value, name).array


def as_datas(values: Mapping[str, Value]) -> dict[str, Data]:
    """Every value of a mapping as :class:`Data`, keyed by name."""
    return {name: as_data(value, name) for name, value in values.items()}


def _who(command: str) -> str:
    return f"lnsym {command}" if current_interface() == "cli" else f"{command}()"


def check_names(values: Mapping[str, Any], allowed: tuple[str, ...], command: str) -> None:
    """Every name of ``values`` is one that ``command`` (``fold``, ``attribute``) takes."""
    for name in values:
        if name not in allowed:
            raise DataError(
                f"{value_of(name)}: {_who(command)} takes {', '.join(allowed)}; {name!r} is not one"
            )


def take_eps(values: dict[str, Data], default: float) -> float:
    """Remove ``eps`` from ``values`` and return it (``default`` if absent): one positive number."""
    data = values.pop("eps", None)
    if data is None:
        return default
    if not data.is_scalar or float(data.array) <= 0:
        raise DataError(f"{value_of('eps')}: the regularizer must be one positive number")
    return float(data.array)


def take_reader(values: dict[str, Data], axis: int | None, command: str) -> tuple[Data, int]:
    """Remove the reader from ``values`` and return it with its normalized axis: ``w`` (one reader,
    or readers as rows; axis -1 unless given) or ``W``, a reader matrix in TransformerLens's layout
    ``d_model x d_vocab`` (axis 0 unless given)."""
    if "w" in values and "W" in values:
        raise DataError(f"{_who(command)}: give w (a reader) or W (a reader matrix), not both")
    if "W" in values:
        matrix = values.pop("W")
        if matrix.array.ndim != 2:
            raise DataError(
                f"{value_of('W')}: expected a matrix d_model x d_vocab, not shape "
                f"{matrix.array.shape}"
            )
        return matrix, 0 if axis is None else axis
    if "w" not in values:
        fix = (
            f"add {value_of('w')}=VALUE (a vector) or {value_of('W')}=FILE (d_model x d_vocab)"
            if current_interface() == "cli"
            else "add 'w' (a vector) or 'W' (d_model x d_vocab) to the values"
        )
        raise DataError(f"no reader given; {fix}")
    return values.pop("w"), -1 if axis is None else axis


def to_last(array: np.ndarray, axis: int, name: str) -> np.ndarray:
    """``array`` with its ``axis`` moved last (a view); an axis it does not have is an error."""
    try:
        return np.moveaxis(array, axis, -1)
    except (IndexError, ValueError):
        raise DataError(f"{name} has {array.ndim} axes; axis {axis} is out of range") from None


def vector_length(arrays: Mapping[str, np.ndarray], axis: int = -1) -> int:
    """The common length n of the vectors along ``axis`` (raises :class:`DataError` if they differ)."""
    lengths: dict[str, int] = {}
    for name, array in arrays.items():
        if array.ndim == 0:
            raise DataError(f"{name} is a number but a vector is needed here")
        try:
            lengths[name] = int(array.shape[axis])
        except IndexError:
            raise DataError(f"{name} has {array.ndim} axes; axis {axis} is out of range") from None
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{k}: {v}" for k, v in lengths.items())
        raise DataError(f"vectors of different lengths ({shown}); they must all have length n")
    n = next(iter(lengths.values()))
    if n == 0:
        raise DataError("the vectors are empty; they need at least one entry")
    return n


def short(array: np.ndarray, count: int = 6, digits: int = 10) -> str:
    """A few entries of ``array`` for a report: ``[1.5, -2, ...]`` (a number as itself)."""
    if np.ndim(array) == 0:
        return f"{float(array):.15g}"
    flat = np.asarray(array).reshape(-1)
    shown = ", ".join(f"{v:.{digits}g}" for v in flat[:count])
    return f"[{shown}{', ...' if flat.size > count else ''}]"
