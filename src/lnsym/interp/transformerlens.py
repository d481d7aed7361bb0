r"""TransformerLens adapter: a model and a cache in, folded weights and exact attributions out.

Written for TransformerLens 4.3 (``pip install -e '.[tl]' torch==2.13.0``), whose models are
:class:`transformer_lens.TransformerBridge` objects (TL 4 replaced ``HookedTransformer``); it reads
only what every bridge exposes: ``model.W_U`` (``d_model × d_vocab``), ``model.b_U``,
``model.ln_final.weight``/``.bias``, ``model.cfg.eps`` and ``model.cfg.normalization_type``, and the
cache's ``decompose_resid`` / ``get_full_resid_decomposition`` / ``apply_ln_to_stack``.

* :func:`fold_unembedding` — fold the final LN into the unembedding with lnsym's proved formula
  (:func:`~lnsym.interp.folding`, ``center=True`` is TL's ``fold_ln``), and the difference to TL's
  own ``process_weights(fold_ln=True)`` on a copy of the model. TL's folding rounds a float64
  model's folded weights to float32; the result says so when it happens.
* :func:`logit_attribution` — direct logit attribution of every logit (or of chosen tokens) to
  the residual components, with the exact shared LN scale (:func:`~lnsym.interp.attribute`).
* :func:`frozen_scale_error` — TL's ``apply_ln_to_stack`` divides each component by the scale
  cached in the forward pass (a frozen, model-precision scale); the per-component error of that
  reading against the exact float64 shares.

Gradients: everything here computes in NumPy and returns detached tensors (see
:mod:`lnsym.kernels.interop`). Only the final LayerNorm is handled (``normalization_type`` ``LN``
or ``LNPre``); an RMSNorm model is refused with a clear message, since its reader may not be
centered (:data:`~lnsym.interp.identities.RMS_READER_CENTERING`).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lnsym.errors import DataError
from lnsym.interp.attribution import Attribution, attribute
from lnsym.interp.folding import Fold, fold
from lnsym.kernels.interop import to_numpy

__all__ = [
    "TL_VERSION",
    "FrozenScaleError",
    "UnembeddingFold",
    "fold_unembedding",
    "frozen_scale_error",
    "logit_attribution",
    "residual_stack",
    "unembedding",
]

#: the TransformerLens release this adapter is written and tested for (the ``tl`` extra pins it).
TL_VERSION = "4.3.0"


@dataclass(frozen=True)
class Unembedding:
    """What the final LN and the unembedding read: ``W_U`` (d_model × d_vocab), ``b_U``, the LN
    gain ``g`` and shift ``beta`` (ones and zeros when folded or absent), ε, the model's dtype."""

    W_U: Any
    b_U: Any
    g: Any
    beta: Any
    eps: float
    dtype: Any


def unembedding(model: Any) -> Unembedding:
    """Read the final LN and the unembedding of a TransformerLens model."""
    cfg = getattr(model, "cfg", None)
    if cfg is None or not hasattr(model, "W_U"):
        raise DataError(
            f"{type(model).__name__} is not a TransformerLens model (no cfg / W_U); pass a "
            "TransformerBridge"
        )
    kind = getattr(cfg, "normalization_type", "LN")
    if kind not in ("LN", "LNPre"):
        raise DataError(
            f"the model's final norm is {kind!r}; lnsym's TransformerLens adapter handles "
            "LayerNorm (LN, LNPre) only"
        )
    W_U, b_U = model.W_U, model.b_U
    ln = getattr(model, "ln_final", None)
    # the weights the forward pass uses: a processed bridge keeps ``.w``/``.b`` as they were
    # before process_weights, while ``.weight``/``.bias`` are the folded ones (ones and zeros)
    g = _first(ln, "weight", "w")
    beta = _first(ln, "bias", "b")
    if g is None:
        g = np.ones(W_U.shape[0])
    if beta is None:
        beta = np.zeros(W_U.shape[0])
    return Unembedding(W_U, b_U, g, beta, float(cfg.eps), W_U.dtype)


def _first(module: Any, *names: str) -> Any:
    """The first of ``module``'s attributes ``names`` that is set (None if none is)."""
    for name in names:
        value = getattr(module, name, None) if module is not None else None
        if value is not None:
            return value
    return None


# --------------------------------------------------------------------------------------------------
# folding
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnembeddingFold:
    r"""lnsym's fold of the final LN into the unembedding, beside TransformerLens's.

    ``fold`` holds lnsym's folded ``W_U`` (:math:`c(g \odot w)` per token, centered over d_model)
    and ``b_U`` (:math:`\langle w, \beta\rangle + b`), in the model's dtype, with the proof.
    ``tl_W_U``/``tl_b_U`` are TL's ``process_weights(fold_ln=True)`` results (None when not
    computed); ``reader_difference``/``bias_difference`` the max absolute differences, in float64,
    between TL's weights and lnsym's float64 fold. ``tl_rounded_to_float32`` is True when the model
    is float64 but every folded weight TL returned is a float32 number (TL rounded them).
    """

    fold: Fold
    W_U: Any
    b_U: Any
    tl_W_U: Any
    tl_b_U: Any
    reader_difference: float | None
    bias_difference: float | None
    tl_rounded_to_float32: bool

    def report(self) -> str:
        """A few lines: the proof, the differences to TL, the float32 note."""
        lines = [
            f"{self.fold.proof.status.value.upper()}: {self.fold.identity.text}",
            f"folded W_U {tuple(self.W_U.shape)}, b_U {tuple(self.b_U.shape)}",
        ]
        if self.reader_difference is not None:
            lines.append(
                f"TL's fold_ln differs by at most {self.reader_difference:.3g} (W_U) and "
                f"{self.bias_difference:.3g} (b_U)"
            )
        if self.tl_rounded_to_float32:
            lines.append(
                "note: the model is float64 but TL's process_weights returned folded weights "
                "rounded to float32; lnsym's fold is float64"
            )
        return "\n".join(lines)


def fold_unembedding(model: Any, *, center: bool = True, compare: bool = True) -> UnembeddingFold:
    """Fold the final LN of ``model`` into ``W_U``/``b_U`` with lnsym's proved formula.

    With ``compare``, TL's own ``process_weights(fold_ln=True)`` runs on a deep copy of the model
    (nothing else processed: no writing-weight or unembedding centering, no value-bias folding) and
    its ``W_U``/``b_U`` are compared with lnsym's. ``center=True`` is TL's convention (the folded
    reader is centered over d_model, which changes no logit because LN(x) ⊥ 1).
    """
    parts = unembedding(model)
    result = fold(parts.W_U, parts.g, parts.beta, parts.b_U, center=center, axis=0, eps=parts.eps)
    # lnsym's fold in float64, for the comparison (the returned arrays have the model's dtype)
    exact_W = to_numpy(parts.g)[:, None] * to_numpy(parts.W_U).astype(np.float64)
    if center:
        exact_W = exact_W - exact_W.mean(axis=0, keepdims=True)
    exact_b = to_numpy(parts.beta).astype(np.float64) @ to_numpy(parts.W_U).astype(
        np.float64
    ) + to_numpy(parts.b_U).astype(np.float64)
    tl_W = tl_b = None
    reader_difference = bias_difference = None
    rounded = False
    if compare:
        processed = copy.deepcopy(model)
        # TransformerBridge (TL 4) spells it process_weights; HookedTransformer process_weights_
        process = getattr(processed, "process_weights", None) or processed.process_weights_
        process(
            fold_ln=True,
            center_writing_weights=False,
            center_unembed=False,
            fold_value_biases=False,
        )
        tl_W, tl_b = processed.W_U.detach(), processed.b_U.detach()
        W64, b64 = to_numpy(tl_W).astype(np.float64), to_numpy(tl_b).astype(np.float64)
        reader_difference = float(np.max(np.abs(W64 - exact_W)))
        bias_difference = float(np.max(np.abs(b64 - exact_b)))
        if str(parts.dtype).endswith("float64"):
            as_float32 = np.all(W64.astype(np.float32).astype(np.float64) == W64)
            exact_is_float32 = np.all(exact_W.astype(np.float32).astype(np.float64) == exact_W)
            rounded = bool(as_float32 and not exact_is_float32)
    return UnembeddingFold(
        result, result.reader, result.bias, tl_W, tl_b, reader_difference, bias_difference, rounded
    )


# --------------------------------------------------------------------------------------------------
# attribution
# --------------------------------------------------------------------------------------------------


def residual_stack(cache: Any, *, full: bool = False) -> tuple[Any, list[str]]:
    """The final residual stream as a stack of components and their labels.

    ``full=False``: ``cache.decompose_resid()`` (embeddings, each layer's attention and MLP
    output); ``full=True``: ``cache.get_full_resid_decomposition(expand_neurons=False)`` (each
    head, each MLP, the embeddings and the summed biases).
    """
    if full:
        stack, labels = cache.get_full_resid_decomposition(expand_neurons=False, return_labels=True)
    else:
        stack, labels = cache.decompose_resid(return_labels=True)
    return stack, [str(label) for label in labels]


def _readers(parts: Unembedding, tokens: Sequence[int] | Any | None) -> tuple[Any, Any]:
    if tokens is None:
        return parts.W_U, parts.b_U
    index = np.asarray(to_numpy(tokens), dtype=np.int64).reshape(-1)
    return parts.W_U[:, index], parts.b_U[index]


def logit_attribution(
    cache: Any,
    model: Any | None = None,
    *,
    tokens: Sequence[int] | Any | None = None,
    full: bool = False,
    separate: bool | None = None,
) -> Attribution:
    """Exact direct logit attribution of a TransformerLens cache.

    The residual components (:func:`residual_stack`) are read by every column of ``W_U`` (or by the
    ``tokens`` given) through the final LN with its gain and shift, with the one shared scale
    :math:`\\sqrt{n}/\\sqrt{\\lVert c(x)\\rVert^2 + n\\varepsilon}` of :math:`x = \\sum_k a_k`:
    ``shares`` has shape components × batch × position × tokens, in the model's dtype, and
    ``shares.sum(0) + bias`` equals the logits (checked: :attr:`Attribution.ok`).
    """
    model = model if model is not None else cache.model
    parts = unembedding(model)
    stack, labels = residual_stack(cache, full=full)
    W, b = _readers(parts, tokens)
    return attribute(
        stack,
        W,
        g=parts.g,
        beta=parts.beta,
        b=b,
        eps=parts.eps,
        w_axis=0,
        names=labels,
        separate=separate,
    )


@dataclass(frozen=True)
class FrozenScaleError:
    r"""TL's frozen-scale reading beside the exact shares, per component.

    ``tl_shares[k]`` is ``cache.apply_ln_to_stack(stack)[k] @ (g ⊙ W_U)`` computed by PyTorch in
    the model's dtype (TL's centering and its cached ``ln_final.hook_scale``); ``exact`` the float64
    shares of :func:`logit_attribution`; ``error = tl_shares - exact`` (float64, components ×
    batch × position × tokens); ``max_abs_error[k]`` its maximum per component; ``scale_error``
    the relative error of the cached scale per row, :math:`\sigma_{TL}/\sigma - 1` with
    :math:`\sigma = \sqrt{\operatorname{Var}[x] + \varepsilon}` computed exactly from the stack.
    """

    names: tuple[str, ...]
    tl_shares: Any
    exact: np.ndarray
    error: np.ndarray
    max_abs_error: dict[str, float]
    scale_error: np.ndarray

    def report(self) -> str:
        width = max(len(name) for name in self.names)
        lines = [
            "TL's frozen-scale reading (apply_ln_to_stack) minus the exact share, per component:"
        ]
        lines += [f"  {name:<{width}}  {self.max_abs_error[name]:.3g}" for name in self.names]
        lines.append(
            f"cached LN scale: relative error up to {float(np.max(np.abs(self.scale_error))):.3g}"
        )
        return "\n".join(lines)


def frozen_scale_error(
    cache: Any,
    model: Any | None = None,
    *,
    tokens: Sequence[int] | Any | None = None,
    full: bool = False,
) -> FrozenScaleError:
    """The exact per-component error of TL's frozen-scale approximation (``apply_ln_to_stack``).

    Both readings use the final LN's gain (TL's ``logit_attrs`` multiplies by ``W_U`` alone, which
    is right only after ``fold_ln``); they differ only by the scale (TL's, cached in the forward
    pass in the model's dtype, versus the exact one from the components) and by TL's rounding.
    """
    import torch

    model = model if model is not None else cache.model
    parts = unembedding(model)
    stack, labels = residual_stack(cache, full=full)
    W, _ = _readers(parts, tokens)
    with torch.no_grad():
        scaled = cache.apply_ln_to_stack(stack, layer=-1)
        folded = parts.g.detach()[:, None] * W.detach()
        tl_shares = scaled @ folded
    # the exact shares, in float64 whatever the model's dtype
    exact64 = attribute(
        to_numpy(stack).astype(np.float64),
        to_numpy(W).astype(np.float64),
        g=to_numpy(parts.g).astype(np.float64),
        b=0.0,
        eps=parts.eps,
        w_axis=0,
        names=labels,
        separate=False,
    )
    exact_shares = np.asarray(exact64.shares)
    error = to_numpy(tl_shares).astype(np.float64) - exact_shares
    axes = tuple(range(1, error.ndim))
    worst = np.max(np.abs(error), axis=axes) if error.size else np.zeros(len(labels))
    x = to_numpy(stack).astype(np.float64).sum(axis=0)
    sigma = np.sqrt(((x - x.mean(axis=-1, keepdims=True)) ** 2).mean(axis=-1) + parts.eps)
    cached = to_numpy(cache["ln_final.hook_scale"]).astype(np.float64)[..., 0]
    return FrozenScaleError(
        tuple(labels),
        tl_shares,
        exact_shares,
        error,
        {name: float(value) for name, value in zip(labels, worst, strict=True)},
        cached / sigma - 1,
    )
