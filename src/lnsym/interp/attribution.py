r"""Direct logit attribution through LayerNorm, exactly.

For a residual stream written as a sum of components :math:`x = \sum_k a_k` and a reader :math:`w`
after an affine LN (gain :math:`g`, shift :math:`\beta`, bias :math:`b`),

.. math::

    \langle w, g \odot \operatorname{LN}(x) + \beta\rangle + b
    = \sum_k \frac{\sqrt{n}\,\langle g \odot w, c(a_k)\rangle}{\sqrt{\lVert c(x)\rVert^2 + n\varepsilon}}
      + (\langle w, \beta\rangle + b),

with **one shared scale** :math:`\sqrt{n}/\sqrt{\lVert c(x)\rVert^2 + n\varepsilon}` computed from
the whole stream (proved by lnsym for any number of components, see
:func:`~lnsym.interp.identities.attribution_identity`). Each term is that component's *share*; the
shares and the bias sum to the logit. Normalizing each component on its own,
:math:`\langle g \odot w, \operatorname{LN}(a_k)\rangle`, is a different quantity: LN is not additive
(:data:`~lnsym.interp.identities.PER_COMPONENT_LN`, refuted with a witness), and
:attr:`Attribution.separate` shows by how much on the data.

>>> result = attribute({"emb": [1.0, 0.0, 2.0, 1.0], "attn": [0.0, 3.0, -1.0, 2.0]}, w=[1.0, -1.0, 0.5, 0.0])
>>> [round(float(s), 6) for s in result.shares], round(float(result.logit), 6)
([1.499993, -3.99998], -2.499988)
>>> bool(result.ok), result.refutation.status.value
(True, 'refuted')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from lnsym.errors import DataError
from lnsym.interp.fold import DEFAULT_EPS, _kernel, _parameter, _to_last
from lnsym.interp.identities import (
    ATTRIBUTION_SCALE,
    DIRECT_ATTRIBUTION_MAX,
    FOLD,
    LINEARITY_OF_C,
    PER_COMPONENT_LN,
    attribution_identity,
    require,
)
from lnsym.interp.values import Value, as_array, vector_length
from lnsym.proof import Proof

if TYPE_CHECKING:  # pragma: no cover
    from lnsym.interp.chunked import LazyAttribution

__all__ = ["Attribution", "attribute"]

#: the formulas, in the expression language; the kernels are generated from them.
SHARE = "sqrt(n)*dot(hadamard(g, w), c(a))/sqrt(norm(c(x))**2 + n*eps)"
SCALE = "sqrt(n)/sqrt(norm(c(x))**2 + n*eps)"
LOGIT = "dot(w, LNA(x, g, beta)) + b"
SEPARATE = "dot(hadamard(g, w), LN(a))"


@dataclass(frozen=True)
class Attribution:
    r"""Each component's share of a logit read after LayerNorm.

    ``shares[k]`` is :math:`\sqrt{n}\langle g \odot w, c(a_k)\rangle / \sqrt{\lVert c(x)\rVert^2 +
    n\varepsilon}` (shape: components × batch); ``bias`` is :math:`\langle w, \beta\rangle + b`;
    ``scale`` the shared :math:`\sqrt{n}/\sqrt{\lVert c(x)\rVert^2 + n\varepsilon}`; ``logit`` the
    logit computed directly from :math:`x = \sum_k a_k`; ``separate[k]`` the per-component-LN reading
    :math:`\langle g \odot w, \operatorname{LN}(a_k)\rangle` (a different quantity). ``proofs`` hold
    the identities used (proved) and ``refutation`` the prover's witness that per-component LN does
    not add up.
    """

    names: tuple[str, ...]
    shares: np.ndarray
    bias: np.ndarray
    scale: np.ndarray
    logit: np.ndarray
    separate: np.ndarray
    tolerance: float
    proofs: tuple[Proof, ...]
    refutation: Proof
    eps: float = DEFAULT_EPS

    @property
    def total(self) -> np.ndarray:
        """Σₖ shares + bias (equal to :attr:`logit` to rounding)."""
        return np.asarray(self.shares.sum(axis=0) + self.bias)

    @property
    def error(self) -> float:
        """max |Σₖ shares + bias − logit|."""
        return float(np.max(np.abs(self.total - self.logit)))

    @property
    def ok(self) -> bool:
        """The shares sum to the logit within :attr:`tolerance` (a float64 rounding bound)."""
        return self.error <= self.tolerance

    @property
    def separate_total(self) -> np.ndarray:
        """Σₖ ⟨g⊙w, LN(aₖ)⟩ + bias: what per-component LN would call the logit."""
        return np.asarray(self.separate.sum(axis=0) + self.bias)

    @property
    def separate_gap(self) -> np.ndarray:
        """separate_total − logit: how far per-component LN is from the real logit."""
        return np.asarray(self.separate_total - self.logit)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "identity": self.proofs[0].statement(),
            "status": self.proofs[0].status.value,
            "eps": self.eps,
            "components": [
                {"name": name, "share": share.tolist(), "separate_ln": sep.tolist()}
                for name, share, sep in zip(self.names, self.shares, self.separate, strict=True)
            ],
            "bias": self.bias.tolist(),
            "scale": self.scale.tolist(),
            "logit": self.logit.tolist(),
            "sum_of_shares_plus_bias": self.total.tolist(),
            "max_abs_error": self.error,
            "tolerance": self.tolerance,
            "ok": self.ok,
            "separate_ln_total": self.separate_total.tolist(),
            "separate_ln_gap": self.separate_gap.tolist(),
            "per_component_ln": {
                "claim": self.refutation.statement(),
                "status": self.refutation.status.value,
                "witness": None
                if self.refutation.witness is None
                else self.refutation.witness.to_json(),
            },
        }


def _components(
    components: Mapping[str, Value] | Sequence[Value] | np.ndarray,
    names: Sequence[str] | None,
    axis: int,
) -> tuple[tuple[str, ...], list[np.ndarray]]:
    if isinstance(components, Mapping):
        labels = [str(k) for k in components]
        arrays = [as_array(v, str(k)) for k, v in components.items()]
    elif isinstance(components, np.ndarray):
        if components.ndim < 2:
            raise DataError("components: give one row per component (shape (K, ..., n))")
        arrays = [np.asarray(c, dtype=np.float64) for c in components]
        labels = [f"a{k}" for k in range(1, len(arrays) + 1)]
    else:
        arrays = [as_array(v, f"component {k}") for k, v in enumerate(components, 1)]
        labels = [f"a{k}" for k in range(1, len(arrays) + 1)]
    if not arrays:
        raise DataError("no components given; attribution needs at least one")
    if names is not None:
        if len(names) != len(arrays):
            raise DataError(f"{len(names)} names for {len(arrays)} components")
        labels = [str(name) for name in names]
    if len(set(labels)) != len(labels):
        raise DataError(f"component names repeat: {labels}")
    moved = [_to_last(a, axis, label) for a, label in zip(arrays, labels, strict=True)]
    return tuple(labels), moved


def _proofs(count: int) -> tuple[Proof, ...]:
    if count <= DIRECT_ATTRIBUTION_MAX:
        return (require(attribution_identity(count)),)
    # any number of parts: the logit is linear in c(x) over the shared scale, and c is linear
    return (require(ATTRIBUTION_SCALE), require(LINEARITY_OF_C), require(FOLD))


def attribute(
    components: Mapping[str, Value] | Sequence[Value] | np.ndarray,
    w: Value,
    *,
    g: Value | None = None,
    beta: Value | None = None,
    b: Value = 0.0,
    eps: float = DEFAULT_EPS,
    axis: int = -1,
    names: Sequence[str] | None = None,
) -> Attribution | LazyAttribution:
    r"""Split the logit :math:`\langle w, g \odot \operatorname{LN}(x) + \beta\rangle + b` of
    :math:`x = \sum_k a_k` into one share per component (see the module docstring for the formula).

    ``components``: a mapping name → value, a sequence of values, or an array of shape
    ``(K, ..., n)``; each value is a vector of length n or a batch of them (rows, e.g. tokens), with
    the normalized axis ``axis`` (``axis=0`` for llm-viz's T×C layout stored as C×T columns).
    ``w`` is one reader of length n, ``g``/``beta`` the LN gain and shift (default ones/zeros),
    ``b`` the bias. Values may be arrays, numbers, :class:`~lnsym.data.Data` or files.
    Dask components give a lazy :class:`~lnsym.interp.chunked.LazyAttribution`.
    """
    from lnsym.interp.chunked import attribute_lazy, uses_dask

    if uses_dask(components):
        return attribute_lazy(components, w, g=g, beta=beta, b=b, eps=eps, axis=axis, names=names)
    labels, arrays = _components(components, names, axis)
    reader = as_array(w, "w")
    if reader.ndim != 1:
        raise DataError(f"w must be one reader vector of length n, not shape {reader.shape}")
    n = vector_length({"w": reader, **dict(zip(labels, arrays, strict=True))})
    gain = _parameter(g, 1.0, n, "g")
    shift = _parameter(beta, 0.0, n, "beta")
    vector_length({"w": reader, "g": gain, "beta": shift})
    bias_in = as_array(b, "b")
    if bias_in.ndim != 0:
        raise DataError(f"b must be one number, not shape {bias_in.shape}")
    try:
        stacked = np.stack(np.broadcast_arrays(*arrays))
    except ValueError:
        shapes = ", ".join(f"{k}: {a.shape}" for k, a in zip(labels, arrays, strict=True))
        raise DataError(f"the components' shapes do not broadcast ({shapes})") from None
    x = stacked.sum(axis=0)
    proofs = _proofs(len(labels))
    refutation = require(PER_COMPONENT_LN)
    share = _kernel(SHARE, "a,w,g,x")
    shares = np.stack([np.asarray(share(a=a, w=reader, g=gain, x=x, eps=eps)) for a in stacked])
    separate_kernel = _kernel(SEPARATE, "a,w,g")
    separate = np.stack(
        [np.asarray(separate_kernel(a=a, w=reader, g=gain, eps=eps)) for a in stacked]
    )
    scale = np.asarray(_kernel(SCALE, "x")(x=x, eps=eps))
    logit = np.asarray(
        _kernel(LOGIT, "w,x,g,beta", "b")(w=reader, x=x, g=gain, beta=shift, b=bias_in, eps=eps)
    )
    bias = np.asarray(_kernel("dot(w, beta) + b", "w,beta", "b")(w=reader, beta=shift, b=bias_in))
    centered = stacked - stacked.mean(axis=-1, keepdims=True)
    magnitude = (np.abs(centered) @ np.abs(gain * reader)).sum(axis=0) * scale
    magnitude = magnitude + np.abs(reader) @ np.abs(shift) + abs(float(bias_in))
    tolerance = float(4 * (n + len(labels) + 8) * 2.0**-52 * np.max(magnitude))
    return Attribution(
        labels, shares, bias, scale, logit, separate, tolerance, proofs, refutation, eps
    )
