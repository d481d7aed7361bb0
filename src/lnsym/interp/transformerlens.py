r"""TransformerLens adapter: a model and a cache in, folded weights and exact attributions out,
each checked against the model itself.

Written for TransformerLens 4.3 (``pip install -e '.[tl]' torch==2.13.0``), whose models are
:class:`transformer_lens.TransformerBridge` objects (TL 4 replaced ``HookedTransformer``); it reads
only what every bridge exposes: ``model.W_U`` (``d_model × d_vocab``), ``model.b_U``,
``model.ln_final.weight``/``.bias``, ``model.cfg`` (``eps``, ``normalization_type``), the model's own
``ln_final`` and ``unembed`` modules, and the cache's ``decompose_resid`` /
``get_full_resid_decomposition`` / ``accumulated_resid`` / ``apply_ln_to_stack``.

* :func:`logit_attribution` — direct logit attribution of every logit (or of chosen tokens, a
  logit difference with ``incorrect_tokens``, chosen positions with ``pos_slice``) to the residual
  components, with the exact shared scale (:func:`~lnsym.interp.attribute`), for LayerNorm (``LN``,
  ``LNPre``) and RMSNorm (``RMS``, ``RMSPre``; gains stored as ``1 + w`` with ``gain_offset``).
  :attr:`Attribution.ok` holds only if the components sum to the residual the final norm read
  (``ln_final.hook_in``) and shares + bias equal the model's own logits, each within a rounding
  bound for the dtypes in use; otherwise ``ok`` is False and the checks give the gaps.
* :func:`logit_lens` — every layer's residual (``accumulated_resid``) read through the final norm
  with its own exact scale and with the frozen final scale (TL's ``apply_ln_to_stack``), their
  difference, probabilities and KL per layer (TransformerLens issue #1076).
* :func:`fold_unembedding` / :func:`fold_blocks` — lnsym's proved folds beside TL's
  ``process_weights(fold_ln=True)``, with a verdict: equal within rounding, different only by a
  centring that leaves every softmax unchanged (harmless), or different by a size in logits.
* :func:`frozen_scale_error` — the per-component error of TL's frozen-scale reading at the final
  layer.
* :func:`scale_bounds` — per component, the certified bounds (proved for every n) on how far a
  frozen scale moves its share of one token's logit and on its effect through the final scale,
  next to the exact numbers (:func:`lnsym.scale_bounds` on the cache).

Post-LN models (BERT-style: LayerNorm after each sublayer, an MLM head before the final norm) are
refused with the reason: their residual components do not sum to what the final norm reads.
Gradients: everything here computes in NumPy and returns detached tensors.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import numpy as np

from lnsym.errors import DataError
from lnsym.interp.attribution import (
    Attribution,
    Check,
    attribute,
    norm_kind,
    shared_scale,
)
from lnsym.interp.attribution import attribute_in_memory as _in_memory  # the adapter's short names
from lnsym.interp.attribution import tensor_state as _tensor_state
from lnsym.interp.bounds import ScaleBounds
from lnsym.interp.bounds import scale_bounds as _scale_bounds
from lnsym.interp.folding import Fold, fold
from lnsym.kernels.interop import to_numpy

__all__ = [
    "POST_LN_ARCHITECTURES",
    "TL_VERSION",
    "BlockFolds",
    "FoldVerdict",
    "FrozenScaleError",
    "LogitLens",
    "Unembedding",
    "UnembeddingFold",
    "fold_blocks",
    "fold_unembedding",
    "fold_verdict",
    "frozen_scale_error",
    "logit_attribution",
    "logit_lens",
    "post_ln_reason",
    "residual_stack",
    "scale_bounds",
    "token_indices",
    "unembedding",
]

#: the TransformerLens release this adapter is written and tested for (the ``tl`` extra pins it).
TL_VERSION = "4.3.0"

#: architectures whose blocks normalize after the sublayer (post-LN), refused by the adapter.
POST_LN_ARCHITECTURES = ("Bert", "Roberta", "Electra", "Albert", "DistilBert", "XLMRoberta")


@dataclass(frozen=True)
class Unembedding:
    """What the final norm and the unembedding read: ``W_U`` (d_model × d_vocab), ``b_U``, the
    norm (``"LN"`` or ``"RMS"``), its gain ``g`` as the forward pass applies it (``1 + w`` when
    the weights are stored as offsets) and shift ``beta`` (ones and zeros when folded or absent),
    ε, the model's dtype."""

    W_U: Any
    b_U: Any
    g: Any
    beta: Any
    eps: float
    dtype: Any
    norm: str = "LN"
    gain_offset: bool = False


def post_ln_reason(model: Any) -> str | None:
    """Why ``model`` is a post-LN model the adapter cannot attribute exactly (None if it is not)."""
    cfg = getattr(model, "cfg", None)
    names = " ".join(
        str(getattr(cfg, key, "") or "") for key in ("original_architecture", "architecture")
    )
    post = any(arch.lower() in names.lower() for arch in POST_LN_ARCHITECTURES)
    post = post or hasattr(model, "mlm_head") or hasattr(model, "embed_ln")
    if not post:
        return None
    return (
        f"{names.strip() or type(model).__name__} is a post-LN model: each block normalizes the "
        "residual after adding its sublayer's output (ln1/ln2 after attention and MLP), and the "
        "logits read the last block's output through a nonlinear head (dense, activation) before "
        "ln_final, so the residual components do not sum to what ln_final reads and no logit "
        "splits exactly into their shares (TransformerLens refuses fold_ln there too). What can "
        "be attributed exactly: the output of one LayerNorm read by a linear reader, split over "
        "parts that sum to its input, e.g. lnsym.attribute([resid_mid, mlp_out], W, g=ln2.w, "
        "beta=ln2.b, w_axis=0) for a block's ln2"
    )


def unembedding(model: Any, *, gain_offset: bool | None = None) -> Unembedding:
    """Read the final norm and the unembedding of a TransformerLens model.

    ``gain_offset``: the norm's weights are stored as offsets and applied as ``1 + w`` (Gemma's
    RMSNorm); ``None`` reads ``model.cfg.rmsnorm_uses_offset``. Post-LN models and models without
    a final norm are refused with the reason."""
    cfg = getattr(model, "cfg", None)
    if cfg is None or not hasattr(model, "W_U"):
        raise DataError(
            f"{type(model).__name__} is not a TransformerLens model (no cfg / W_U); pass a "
            "TransformerBridge"
        )
    reason = post_ln_reason(model)
    if reason is not None:
        raise DataError(reason)
    kind = getattr(cfg, "normalization_type", "LN")
    if kind not in ("LN", "LNPre", "RMS", "RMSPre"):
        raise DataError(
            f"the model's final norm is {kind!r}; lnsym's TransformerLens adapter handles "
            "LayerNorm (LN, LNPre) and RMSNorm (RMS, RMSPre)"
        )
    norm = norm_kind(kind)
    W_U, b_U = model.W_U, model.b_U
    ln = getattr(model, "ln_final", None)
    # the weights the forward pass uses: a processed bridge keeps ``.w``/``.b`` as they were
    # before process_weights, while ``.weight``/``.bias`` are the folded ones (ones and zeros)
    g = _first(ln, "weight", "w")
    beta = _first(ln, "bias", "b")
    offset = (
        bool(getattr(cfg, "rmsnorm_uses_offset", False)) if gain_offset is None else gain_offset
    )
    if g is None:
        g = torch_like(W_U, np.ones(W_U.shape[0]))
        offset = False
    elif offset:
        g = 1 + g.detach()
    if beta is None:
        beta = torch_like(W_U, np.zeros(W_U.shape[0]))
    return Unembedding(W_U, b_U, g, beta, float(cfg.eps), W_U.dtype, norm, offset)


def torch_like(tensor: Any, values: np.ndarray) -> Any:
    """``values`` as a tensor of ``tensor``'s dtype and device."""
    import torch

    return torch.as_tensor(values, dtype=tensor.dtype, device=tensor.device)


def _first(module: Any, *names: str) -> Any:
    """The first of ``module``'s attributes ``names`` that is set (None if none is)."""
    for name in names:
        value = getattr(module, name, None) if module is not None else None
        if value is not None:
            return value
    return None


# --------------------------------------------------------------------------------------------------
# folding, with a verdict
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FoldVerdict:
    r"""TL's folded reader against lnsym's proved fold, as a verdict.

    The difference :math:`\Delta = W_{TL} - W_{lnsym}` (d_model × readers) is split into what no
    softmax can see — per reader a multiple of :math:`\mathbf 1` over d_model (LayerNorm's output
    is orthogonal to it: centring, :data:`~lnsym.interp.identities.READER_CENTERING`), per
    d_model row one constant over the readers (the same shift of every logit at a position) —
    and the rest :math:`R`. ``size`` bounds the change of any output the rest can make,
    :math:`\sqrt{n}\max_j\lVert R_j\rVert_2` (:math:`\lVert\operatorname{LN}(x)\rVert \le
    \sqrt n`) plus the bias's part that is not one constant; ``tolerance`` the rounding bound of
    the dtype TL computed in. ``ok``: equal within rounding (``verdict`` ``"equal"``), or
    different only by the harmless part (``"harmless"``, with its size ``harmless_size``);
    otherwise ``"differs"`` with the size.
    """

    what: str
    verdict: str
    size: float
    harmless_size: float
    tolerance: float
    raw_difference: float

    @property
    def ok(self) -> bool:
        return self.verdict != "differs"

    def line(self) -> str:
        if self.verdict == "equal":
            return (
                f"{self.what}: TL's fold equals lnsym's within rounding (max |difference| "
                f"{self.raw_difference:.3g}, bound {self.tolerance:.3g}): ok"
            )
        if self.verdict == "harmless":
            return (
                f"{self.what}: TL's fold differs by a centring that leaves every softmax unchanged "
                f"(size {self.harmless_size:.3g}); the rest is {self.size:.3g} (bound "
                f"{self.tolerance:.3g}): harmless, ok"
            )
        return (
            f"{self.what}: TL's fold DIFFERS from the proved fold: outputs can move by up to "
            f"{self.size:.3g} (rounding bound {self.tolerance:.3g})"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "verdict": self.verdict,
            "ok": self.ok,
            "size": self.size,
            "harmless_size": self.harmless_size,
            "tolerance": self.tolerance,
            "raw_difference": self.raw_difference,
        }


def fold_verdict(
    what: str,
    tl_W: np.ndarray,
    exact_W: np.ndarray,
    tl_b: np.ndarray,
    exact_b: np.ndarray,
    *,
    norm: str,
    unit: float,
    vocab_shift: bool = True,
) -> FoldVerdict:
    """The verdict on a folded reader ``tl_W`` (d_model first, readers after) and bias against
    lnsym's float64 fold; ``unit`` is the rounding unit TL computed in. ``vocab_shift``: a constant
    over the readers is harmless (they are logits under one softmax)."""
    n = exact_W.shape[0]
    W = exact_W.reshape(n, -1)
    if unit < 2.0**-23 and _float32_numbers(tl_W) and not _float32_numbers(exact_W):
        unit = 2.0**-23  # TL rounded a float64 model's folded weights to float32
    delta = tl_W.reshape(n, -1) - W
    db = (tl_b - exact_b).reshape(-1)
    raw = float(max(np.max(np.abs(delta), initial=0.0), np.max(np.abs(db), initial=0.0)))
    rest = delta
    if norm == "LN":
        rest = rest - rest.mean(axis=0, keepdims=True)
    bias_rest = db
    if vocab_shift:
        rest = rest - rest.mean(axis=1, keepdims=True)
        bias_rest = db - db.mean()
    harmless = float(np.sqrt(n) * np.max(np.linalg.norm(delta - rest, axis=0), initial=0.0))
    size = float(
        np.sqrt(n) * np.max(np.linalg.norm(rest, axis=0), initial=0.0)
        + np.max(np.abs(bias_rest), initial=0.0)
    )
    # TL rounds each folded entry (and its centring) in its dtype: a few units of the entries
    column = np.max(np.linalg.norm(W, axis=0), initial=0.0)
    tolerance = 4 * unit * (np.sqrt(n) * column + float(np.max(np.abs(exact_b), initial=0.0)))
    entrywise = (
        4
        * unit
        * (float(np.max(np.abs(W), initial=0.0)) + float(np.max(np.abs(exact_b), initial=0.0)))
    )
    if raw <= entrywise:
        verdict = "equal"
    elif size <= tolerance:
        verdict = "harmless"
    else:
        verdict = "differs"
    return FoldVerdict(what, verdict, size, harmless, float(tolerance), raw)


def _float32_numbers(array: np.ndarray) -> bool:
    """Every entry of the float64 ``array`` is a float32 number."""
    return bool(np.all(array.astype(np.float32).astype(np.float64) == array))


@dataclass(frozen=True)
class UnembeddingFold:
    r"""lnsym's fold of the final norm into the unembedding, beside TransformerLens's.

    ``fold`` holds lnsym's folded ``W_U`` (:math:`c(g \odot w)` per token for LN, centred over
    d_model; :math:`g \odot w` for RMSNorm, never centred) and ``b_U``
    (:math:`\langle w, \beta\rangle + b`), in the model's dtype, with the proof.
    ``tl_W_U``/``tl_b_U`` are TL's ``process_weights(fold_ln=True)`` results (None when not
    computed); ``reader_difference``/``bias_difference`` the max absolute differences, in float64,
    between TL's weights and lnsym's float64 fold; ``verdict`` (:class:`FoldVerdict`) what they
    mean, and :attr:`ok` whether TL's fold is right. ``tl_rounded_to_float32`` is True when the
    model is float64 but every folded weight TL returned is a float32 number (TL rounded them).
    """

    fold: Fold
    W_U: Any
    b_U: Any
    tl_W_U: Any
    tl_b_U: Any
    reader_difference: float | None
    bias_difference: float | None
    tl_rounded_to_float32: bool
    verdict: FoldVerdict | None = None

    @property
    def ok(self) -> bool | None:
        """TL's fold is the proved one within rounding, or differs only harmlessly (None: not
        compared)."""
        return None if self.verdict is None else self.verdict.ok

    def report(self) -> str:
        """A few lines: the proof, the verdict on TL's fold, the float32 note."""
        lines = [
            f"{self.fold.proof.status.value.upper()}: {self.fold.identity.text}",
            f"folded W_U {tuple(self.W_U.shape)}, b_U {tuple(self.b_U.shape)}",
        ]
        if self.reader_difference is not None:
            lines.append(
                f"TL's fold_ln differs by at most {self.reader_difference:.3g} (W_U) and "
                f"{self.bias_difference:.3g} (b_U)"
            )
        if self.verdict is not None:
            lines.append(self.verdict.line())
        if self.tl_rounded_to_float32:
            lines.append(
                "note: the model is float64 but TL's process_weights returned folded weights "
                "rounded to float32; lnsym's fold is float64"
            )
        return "\n".join(lines)


def _processed(model: Any) -> Any:
    """A deep copy of ``model`` after TL's ``process_weights(fold_ln=True)`` and nothing else."""
    processed = copy.deepcopy(model)
    # TransformerBridge (TL 4) spells it process_weights; HookedTransformer process_weights_
    process = getattr(processed, "process_weights", None) or processed.process_weights_
    process(
        fold_ln=True,
        center_writing_weights=False,
        center_unembed=False,
        fold_value_biases=False,
    )
    return processed


def _unit(dtype: Any, *others: Any) -> float:
    """The rounding unit of the coarsest of the torch/NumPy dtypes given."""
    units = []
    for d in (dtype, *others):
        name = str(d).replace("torch.", "")
        units.append(
            {"float16": 2.0**-10, "bfloat16": 2.0**-7, "float32": 2.0**-23}.get(name, 2.0**-52)
        )
    return max(units)


def fold_unembedding(
    model: Any,
    *,
    center: bool | None = None,
    compare: bool = True,
    tl_model: Any | None = None,
    gain_offset: bool | None = None,
) -> UnembeddingFold:
    """Fold the final norm of ``model`` into ``W_U``/``b_U`` with lnsym's proved formula.

    ``center`` (default: True for LayerNorm, TL's convention; refused for RMSNorm, where centring
    the reader is wrong) centres the folded reader over d_model, which changes no logit because
    LN(x) ⊥ 1. With ``compare``, TL's own ``process_weights(fold_ln=True)`` runs on a deep copy
    of the model (nothing else processed), or ``tl_model`` is taken as TL's folded model, and
    :attr:`UnembeddingFold.verdict` says whether its ``W_U``/``b_U`` are the proved fold.
    """
    parts = unembedding(model, gain_offset=gain_offset)
    if center is None:
        center = parts.norm == "LN"
    if center and parts.norm == "RMS":
        raise DataError(
            "center=True after RMSNorm is wrong: RMS(x) is not orthogonal to 1, so a centred "
            "reader changes the logits (refuted: 'reader centering after RMSNorm'); use center=False"
        )
    g64 = to_numpy(parts.g).astype(np.float64)
    W64 = to_numpy(parts.W_U).astype(np.float64)
    result = fold(
        parts.W_U,
        parts.g,
        parts.beta,
        parts.b_U,
        center=center,
        axis=0,
        eps=parts.eps,
        norm=parts.norm,
    )
    exact_W = g64[:, None] * W64
    if center:
        exact_W = exact_W - exact_W.mean(axis=0, keepdims=True)
    exact_b = to_numpy(parts.beta).astype(np.float64) @ W64 + to_numpy(parts.b_U).astype(np.float64)
    tl_W = tl_b = None
    reader_difference = bias_difference = None
    rounded = False
    verdict = None
    if compare:
        processed = tl_model if tl_model is not None else _processed(model)
        tl_W, tl_b = processed.W_U.detach(), processed.b_U.detach()
        tW, tb = to_numpy(tl_W).astype(np.float64), to_numpy(tl_b).astype(np.float64)
        reader_difference = float(np.max(np.abs(tW - exact_W)))
        bias_difference = float(np.max(np.abs(tb - exact_b)))
        if str(parts.dtype).endswith("float64"):
            as_float32 = np.all(tW.astype(np.float32).astype(np.float64) == tW)
            exact_is_float32 = np.all(exact_W.astype(np.float32).astype(np.float64) == exact_W)
            rounded = bool(as_float32 and not exact_is_float32)
        unit = _unit(parts.dtype, tl_W.dtype, *(["float32"] if rounded else []))
        # TL's folded model may still apply a gain and shift of its own: its logits read
        # (g' ⊙ N(x) + β') W' + b' = N(x) (g' ⊙ W') + (β' W' + b'), so compare those
        tW, tb = _effective(getattr(processed, "ln_final", None), tW, tb)
        verdict = fold_verdict("W_U, b_U", tW, exact_W, tb, exact_b, norm=parts.norm, unit=unit)
    return UnembeddingFold(
        result,
        result.reader,
        result.bias,
        tl_W,
        tl_b,
        reader_difference,
        bias_difference,
        rounded,
        verdict,
    )


def _effective(ln: Any, W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The reader (d_model first) and bias a processed model's norm ``ln`` and ``W``/``b``
    amount to: its remaining gain folded into ``W``, its remaining shift into ``b``."""
    gain, shift = _first(ln, "weight"), _first(ln, "bias")
    n = W.shape[0]
    if shift is not None:
        b = b + np.tensordot(to_numpy(shift).astype(np.float64), W, axes=(0, 0))
    if gain is not None:
        W = to_numpy(gain).astype(np.float64).reshape((n,) + (1,) * (W.ndim - 1)) * W
    return W, b


#: the block weights TL's fold_ln folds, with the norm that precedes them.
_BLOCK_READERS = (
    ("W_Q", "b_Q", "ln1"),
    ("W_K", "b_K", "ln1"),
    ("W_V", "b_V", "ln1"),
    ("W_in", "b_in", "ln2"),
    ("W_gate", None, "ln2"),
)


@dataclass(frozen=True)
class BlockFolds:
    """:func:`fold_blocks`: one :class:`FoldVerdict` per layer and folded weight matrix
    (``verdicts``; :attr:`ok` is theirs), and one per folded bias as TL's bridge exposes it
    (``bias_verdicts``: ``model.b_in`` etc.; TL 4.3's stacked ``b_in`` of a processed bridge can
    differ from the bias its forward pass uses, so these are reported, not part of :attr:`ok`)."""

    verdicts: tuple[FoldVerdict, ...]
    bias_verdicts: tuple[FoldVerdict, ...] = ()

    @property
    def ok(self) -> bool:
        return all(v.ok for v in self.verdicts)

    def report(self) -> str:
        lines = [v.line() for v in self.verdicts]
        lines += [f"{v.line()} (the bias as TL's bridge exposes it)" for v in self.bias_verdicts]
        return "\n".join(lines)


def fold_blocks(model: Any, *, tl_model: Any | None = None) -> BlockFolds:
    r"""TL's fold of each block's ln1 into ``W_Q``/``W_K``/``W_V`` and ln2 into ``W_in``
    (``W_gate``) against the proved fold :math:`W' = g \odot W` (centred over d_model after
    LayerNorm), :math:`b' = b + \beta W`, one verdict each. ``tl_model``: TL's folded model
    (default: ``process_weights(fold_ln=True)`` on a deep copy). A weight TL's bridge does not
    have (``W_gate`` without a gated MLP) is skipped."""
    reason = post_ln_reason(model)
    if reason is not None:
        raise DataError(reason)
    kind = getattr(model.cfg, "normalization_type", "LN")
    if kind not in ("LN", "LNPre", "RMS", "RMSPre"):
        raise DataError(f"the model's norm is {kind!r}; fold_blocks handles LN, LNPre, RMS, RMSPre")
    norm = norm_kind(kind)
    processed = tl_model if tl_model is not None else _processed(model)
    offset = bool(getattr(model.cfg, "rmsnorm_uses_offset", False))
    verdicts, bias_verdicts = [], []
    for name, bias_name, ln_name in _BLOCK_READERS:
        try:
            W_all, tW_all = getattr(model, name), getattr(processed, name)
        except (AttributeError, KeyError, RuntimeError, ValueError):
            continue
        if W_all is None or tW_all is None:
            continue
        b_all = getattr(model, bias_name, None) if bias_name else None
        tb_all = getattr(processed, bias_name, None) if bias_name else None
        for layer in range(W_all.shape[0]):
            ln = getattr(model.blocks[layer], ln_name, None)
            g = _first(ln, "weight", "w")
            beta = _first(ln, "bias", "b")
            n = W_all.shape[-2]
            g64 = (
                np.ones(n)
                if g is None
                else to_numpy(g).astype(np.float64) + (1.0 if offset and g is not None else 0.0)
            )
            beta64 = np.zeros(n) if beta is None else to_numpy(beta).astype(np.float64)
            W = to_numpy(W_all[layer]).astype(np.float64)  # (heads,) d_model, d_out
            W = np.moveaxis(W, -2, 0)  # d_model first
            exact = g64.reshape((n,) + (1,) * (W.ndim - 1)) * W
            if norm == "LN":
                exact = exact - exact.mean(axis=0, keepdims=True)
            b = (
                np.zeros(W.shape[1:])
                if b_all is None
                else to_numpy(b_all[layer]).astype(np.float64)
            )
            exact_b = b + np.tensordot(beta64, W, axes=(0, 0))
            tW = np.moveaxis(to_numpy(tW_all[layer]).astype(np.float64), -2, 0)
            tb = exact_b if tb_all is None else to_numpy(tb_all[layer]).astype(np.float64)
            tW, tb = _effective(getattr(processed.blocks[layer], ln_name, None), tW, tb)
            unit = _unit(W_all.dtype, tW_all.dtype)
            verdicts.append(
                fold_verdict(
                    f"blocks.{layer}.{ln_name} into {name}",
                    tW,
                    exact,
                    exact_b,
                    exact_b,
                    norm=norm,
                    unit=unit,
                    vocab_shift=False,
                )
            )
            if bias_name and tb_all is not None:
                bias_verdicts.append(
                    fold_verdict(
                        f"blocks.{layer}.{ln_name} into {bias_name}",
                        exact,
                        exact,
                        tb,
                        exact_b,
                        norm=norm,
                        unit=unit,
                        vocab_shift=False,
                    )
                )
    return BlockFolds(tuple(verdicts), tuple(bias_verdicts))


# --------------------------------------------------------------------------------------------------
# attribution, checked against the model
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


def token_indices(model: Any, tokens: Any) -> np.ndarray:
    """Token ids from ``tokens``: ids (an int, a list, an array or tensor) or strings, each of
    which must be one token of the model's tokenizer (TL's ``to_single_token``)."""
    items = [tokens] if isinstance(tokens, (str, int, np.integer)) else tokens
    if isinstance(items, (list, tuple)) and any(isinstance(t, str) for t in items):
        if getattr(model, "tokenizer", None) is None:
            raise DataError(
                f"tokens {tokens!r} are strings but the model has no tokenizer (a model built "
                "from a config); pass token ids (ints)"
            )
        ids = []
        for item in items:
            if not isinstance(item, str):
                ids.append(int(item))
                continue
            try:
                ids.append(int(model.to_single_token(item)))
            except Exception as error:  # TL raises a bare AssertionError/ValueError here
                raise DataError(
                    f"token {item!r} is not a single token of the model's tokenizer ({error}); "
                    "pass one token per string, or token ids"
                ) from None
        return np.asarray(ids, dtype=np.int64)
    try:
        index = np.asarray(to_numpy(items), dtype=np.int64).reshape(-1)
    except (TypeError, ValueError):
        raise DataError(f"tokens {tokens!r}: expected token ids (ints) or strings") from None
    vocab = int(model.W_U.shape[-1])
    bad = index[(index < 0) | (index >= vocab)]
    if bad.size:
        raise DataError(f"token id {int(bad[0])} is out of range for a vocabulary of {vocab}")
    return index


def _readers(
    model: Any, parts: Unembedding, tokens: Any | None, incorrect_tokens: Any | None
) -> tuple[Any, Any, np.ndarray | None, np.ndarray | None]:
    """The readers (d_model × readers) and their biases; logit differences with
    ``incorrect_tokens`` (one per token, or one for all), as TL's ``logit_attrs`` spells it."""
    if tokens is None:
        if incorrect_tokens is not None:
            raise DataError("incorrect_tokens needs tokens (the correct ones)")
        return parts.W_U, parts.b_U, None, None
    index = token_indices(model, tokens)
    W, b = parts.W_U[:, index], parts.b_U[index]
    if incorrect_tokens is None:
        return W, b, index, None
    wrong = token_indices(model, incorrect_tokens)
    if wrong.size not in (1, index.size):
        raise DataError(
            f"{wrong.size} incorrect_tokens for {index.size} tokens; give one, or one per token"
        )
    wrong = np.array(np.broadcast_to(wrong, index.shape))
    return W - parts.W_U[:, wrong], b - parts.b_U[wrong], index, wrong


def _pos_slice(tensor: Any, pos_slice: Any, axis: int) -> Any:
    """``tensor`` restricted to the positions ``pos_slice`` (TL's ``Slice``: an int keeps one
    position and drops the axis, a list/array or slice keeps the axis)."""
    if pos_slice is None:
        return tensor
    from transformer_lens.utilities import Slice

    return Slice(pos_slice).apply(tensor, dim=axis)


def _model_logits(model: Any, x: Any) -> Any:
    """The model's own logits of the residual ``x`` the final norm reads: its ``ln_final`` and
    ``unembed`` modules, in its dtype."""
    import torch

    with torch.no_grad():
        return model.unembed(model.ln_final(x))


#: the model's own logits of the last inputs (at most :data:`_REMEMBERED_LOGITS`), by what they
#: were computed from: a forward pass of the final norm and the unembedding is one more
#: whole-vocabulary product, the same for every attribution of an unchanged model and cache.
_MODEL_LOGITS: dict[tuple[Any, ...], Any] = {}
_REMEMBERED_LOGITS = 2


def _logits_key(model: Any, x: Any, pos_slice: Any) -> tuple[Any, ...] | None:
    """What the model's logits of ``x`` (a cache's ``ln_final.hook_in``) depend on: the model,
    the state (:func:`~lnsym.interp.attribution.tensor_state`) of every parameter and buffer of
    its ``ln_final`` and ``unembed`` and of ``x``, and the positions; None when a state is not
    known (inference-mode tensors) or ``pos_slice`` is not a plain int, slice or list."""
    if not isinstance(pos_slice, (type(None), int, slice, list, tuple)):
        return None
    states = []
    for module in (model.ln_final, model.unembed):
        for tensor in (*module.parameters(), *module.buffers()):
            states.append(_tensor_state(tensor))
    states.append(_tensor_state(x))
    if any(state is None for state in states):
        return None
    return (id(model), id(x), repr(pos_slice), bool(getattr(model, "training", False)), *states)


def _remembered_model_logits(model: Any, x: Any, pos_slice: Any) -> Any:
    """:func:`_model_logits` of ``x`` restricted to ``pos_slice``, computed once while the model's
    final norm and unembedding, and ``x``, are unchanged (:func:`_logits_key`)."""
    key = _logits_key(model, x, pos_slice)
    known = _MODEL_LOGITS.get(key) if key is not None else None
    if known is not None:
        return known
    logits = _model_logits(model, _pos_slice(x, pos_slice, -2))
    if key is not None:
        while len(_MODEL_LOGITS) >= _REMEMBERED_LOGITS:
            _MODEL_LOGITS.pop(next(iter(_MODEL_LOGITS)))
        _MODEL_LOGITS[key] = logits
    return logits


def _check(what: str, errors: np.ndarray, bounds: np.ndarray) -> Check:
    """One :class:`Check` from errors and their own bounds (same shape): the largest error and
    bound when every error is within its bound, else the worst offender's (a failing check)."""
    errors, bounds = np.broadcast_arrays(np.asarray(errors, float), np.asarray(bounds, float))
    if errors.size == 0:
        return Check(what, 0.0, 0.0)
    if not np.all(np.isfinite(errors)):
        return Check(what, float("inf"), float(np.max(bounds)))
    if np.all(errors <= bounds):
        return Check(what, float(np.max(errors)), float(np.max(bounds)))
    ratio = errors / np.maximum(bounds, np.finfo(float).tiny)
    worst = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
    return Check(what, float(errors[worst]), float(bounds[worst]))


def _norm_unit(parts: Unembedding, x: np.ndarray, out: np.ndarray, unit: float) -> float:
    """The rounding unit the model's final norm computed in: the model's dtype, or float32 when
    its output (``ln_final.hook_out``) carries float32 rounding in a float64 model (HF-style
    RMSNorm modules normalize in float32 whatever the dtype). Never looser than float32."""
    if unit >= 2.0**-23 or out.size == 0:
        return unit
    scale = shared_scale(x, parts.eps, parts.norm)
    v = x - x.mean(axis=-1, keepdims=True) if parts.norm == "LN" else x
    exact = v * scale[..., None] * to_numpy(parts.g).astype(np.float64) + to_numpy(
        parts.beta
    ).astype(np.float64)
    relative = float(np.max(np.abs(out - exact)) / max(float(np.max(np.abs(exact))), 1e-300))
    return 2.0**-23 if relative > 2.0**-40 else unit


def _largest_gaps(shares: Any, bias: Any, logits: Any) -> np.ndarray:
    """max over the readers of |Σₖ shares + bias − logits|, per row, in the shares' dtype, with
    one read of the shares: Σₖ is one matrix-vector product (shares as K × rows·readers, read
    along the axis their memory is laid out in), then − logits and + bias in place,
    and the largest |·| per row without an array of |·|. Its own rounding (a unit of |logit| or
    less) is within the model's bound. Layouts a K × rows·readers view cannot hold (and dtypes
    other than float32 and float64) sum along the first axis instead."""
    import torch

    count = shares.shape[0]
    reference = logits.to(shares.dtype)
    flat = None
    if shares.dtype in (torch.float32, torch.float64) and reference.is_contiguous():
        try:
            flat = shares.view(count, -1)  # never a copy: a view, or an error
        except RuntimeError:
            flat = None
    if flat is not None and flat.device.type == "cpu":
        # NumPy's BLAS (OpenBLAS's matrix-vector product: measured ~20% less time than
        # PyTorch's addmv for 14 x 6.4M float32 shares, one thread)
        flat_n = flat.detach().numpy()
        gap = torch.from_numpy(np.ones(count, dtype=flat_n.dtype) @ flat_n)
        gap -= reference.reshape(-1)
        gap = gap.reshape(reference.shape)
    elif flat is not None:
        ones = torch.ones(count, dtype=shares.dtype, device=shares.device)
        gap = torch.addmv(reference.reshape(-1), flat.T, ones, beta=-1).reshape(reference.shape)
    else:
        gap = shares.sum(dim=0)
        gap -= reference
    gap += bias
    if gap.shape[-1] == 0:
        return to_numpy(gap.sum(dim=-1))
    # max |gap| as max(max, -min): two vectorized reductions, no array of |gap| (measured ~1/3
    # of vector_norm(ord=inf)'s time); NaN propagates through both, as through the norm
    return to_numpy(torch.maximum(gap.amax(dim=-1), -gap.amin(dim=-1)))


def _row_norms(array: np.ndarray) -> np.ndarray:
    return np.sqrt(np.einsum("...j,...j->...", array, array))


def logit_attribution(
    cache: Any,
    model: Any | None = None,
    *,
    tokens: Any | None = None,
    incorrect_tokens: Any | None = None,
    pos_slice: Any | None = None,
    full: bool = False,
    separate: bool | None = None,
    gain_offset: bool | None = None,
) -> Attribution:
    """Exact direct logit attribution of a TransformerLens cache, checked against the model.

    The residual components (:func:`residual_stack`) are read by every column of ``W_U`` (or by the
    ``tokens`` given: ids or strings through the model's tokenizer; with ``incorrect_tokens``, the
    logit differences token − incorrect token) through the final norm with its gain and shift,
    with the one shared scale of :math:`x = \\sum_k a_k` (LayerNorm: :math:`\\sqrt{n}/\\sqrt{\\lVert
    c(x)\\rVert^2 + n\\varepsilon}` on the centred components; RMSNorm: :math:`\\sqrt{n}/\\sqrt{
    \\lVert x\\rVert^2 + n\\varepsilon}`, no centring); ``pos_slice`` keeps some positions (TL's
    spelling). ``shares`` has shape components × batch × position × tokens, in the model's dtype.

    :attr:`Attribution.ok` is True only if (1) the proved identity holds on the rows in float64
    (Σₖ gained, scaled c(aₖ) + β = g ⊙ LN(x) + β from its definition; ``error`` bounds its effect
    on any logit), (2) the components sum to ``ln_final.hook_in``, and (3) shares + bias equal the
    model's own logits (its ``ln_final`` and ``unembed`` run on ``ln_final.hook_in``; they are
    ``logit``, computed once while the model and the cache are unchanged), each within a rounding
    bound for the dtypes in use; :attr:`Attribution.checks` give the gaps.
    """
    model = model if model is not None else cache.model
    parts = unembedding(model, gain_offset=gain_offset)
    stack, labels = residual_stack(cache, full=full)
    stack = _pos_slice(stack, pos_slice, -2)
    W, b, index, wrong = _readers(model, parts, tokens, incorrect_tokens)
    # -- the model's own logits: the reference the shares are checked against
    x_model = _pos_slice(cache["ln_final.hook_in"], pos_slice, -2)
    model_logits = _remembered_model_logits(model, cache["ln_final.hook_in"], pos_slice)
    if index is not None:
        model_logits = model_logits[..., index] - (
            model_logits[..., wrong] if wrong is not None else 0.0
        )
    computed = _in_memory(
        stack,
        W,
        g=parts.g,
        beta=parts.beta,
        b=b,
        eps=parts.eps,
        axis=-1,
        w_axis=0,
        names=labels,
        separate=separate,
        norm=parts.norm,
        reference=model_logits,
    )
    result = computed.attribution
    # -- checks against the model (the float64 components and their sum as attribution read them)
    stack64 = computed.stacked if computed.stacked is not None else to_numpy(stack).astype(float)
    x_sum = computed.x if computed.x is not None else stack64.sum(axis=0)
    x64 = to_numpy(x_model).astype(np.float64)
    dx = x_sum - x64
    n, count = x64.shape[-1], stack64.shape[0]
    unit = _unit(parts.dtype, stack.dtype)
    out = to_numpy(_pos_slice(cache["ln_final.hook_out"], pos_slice, -2)).astype(np.float64)
    norm_unit = _norm_unit(parts, x64, out, unit)
    residual_bound = 2 * unit * np.sqrt(count + 1) * (np.abs(stack64).sum(axis=0) + np.abs(x64))
    residual = _check(
        "the components sum to the residual the final norm read (ln_final.hook_in)",
        np.abs(dx),
        residual_bound,
    )
    per_row = _largest_gaps(result.shares, result.bias, model_logits)
    largest = computed.largest
    g64 = to_numpy(parts.g).astype(np.float64)
    scale = (
        computed.scale if computed.scale is not None else shared_scale(x_sum, parts.eps, parts.norm)
    )
    bias_size = float(np.max(np.abs(to_numpy(b).astype(np.float64)), initial=0.0))
    # the model's rounding (its norm and unembedding in its dtype: each normed entry, each
    # product), the propagation of the measured residual gap, and lnsym's own bound
    model_bound = 2 * norm_unit * (np.sqrt(n) * _row_norms(out) * largest + bias_size)
    propagated = (
        _row_norms(dx)
        * scale
        * largest
        * (np.sqrt(np.dot(g64, g64)) + _row_norms(out) / np.sqrt(n))
    )
    row_bound = model_bound + propagated + computed.product_bounds
    per_row = per_row.astype(np.float64).reshape(row_bound.shape)
    logits_check = _check(
        "shares + bias = the model's own logits (ln_final and unembed on ln_final.hook_in)",
        per_row,
        row_bound,
    )
    return result.with_checks(residual, logits_check)


def _one_token(model: Any, token: Any, name: str) -> int:
    index = token_indices(model, token)
    if index.size != 1:
        raise DataError(f"{name}: give one token (an id or a string), got {index.size}")
    return int(index[0])


def scale_bounds(
    cache: Any,
    model: Any | None = None,
    *,
    token: Any,
    incorrect_token: Any | None = None,
    pos_slice: Any | None = None,
    frozen_scale: Any | None = None,
    full: bool = False,
    gain_offset: bool | None = None,
) -> ScaleBounds:
    """:func:`lnsym.scale_bounds` on a TransformerLens cache: for each residual component
    (:func:`residual_stack`; ``full=True`` for heads and MLPs), the exact share of ``token``'s
    logit (with ``incorrect_token``: of the logit difference), its effect through the final norm's
    scale and how far a frozen scale moves the share, each next to its certified bound.

    The reader is ``W_U[:, token]`` (minus ``W_U[:, incorrect_token]``); the norm, its gain as the
    forward pass applies it, and ε are the model's (:func:`unembedding`: post-LN models are
    refused with the reason). Rows are the cache's batch × positions (``pos_slice`` keeps some, as
    TL spells it). ``frozen_scale``: ``None`` (no frozen-scale bound), a positive number or one per
    row, or ``"cache"`` for the cache's own ``ln_final.hook_scale`` (what ``apply_ln_to_stack``
    uses at the final layer, where it moves nothing; the same scale frozen on another input, or on
    an earlier layer in the logit lens, does).
    """
    model = model if model is not None else cache.model
    parts = unembedding(model, gain_offset=gain_offset)
    w = parts.W_U[:, _one_token(model, token, "token")]
    if incorrect_token is not None:
        w = w - parts.W_U[:, _one_token(model, incorrect_token, "incorrect_token")]
    stack, labels = residual_stack(cache, full=full)
    stack = to_numpy(_pos_slice(stack, pos_slice, -2))
    if isinstance(frozen_scale, str):
        if frozen_scale != "cache":
            raise DataError(
                f"frozen_scale={frozen_scale!r}: expected None, a positive number, one per row, "
                "or 'cache' (the cache's ln_final.hook_scale)"
            )
        frozen_scale = to_numpy(_pos_slice(cache["ln_final.hook_scale"], pos_slice, -2))[..., 0]
    return _scale_bounds(
        {label: stack[k] for k, label in enumerate(labels)},
        to_numpy(w),
        g=to_numpy(parts.g),
        frozen_scale=frozen_scale,
        eps=parts.eps,
        norm=parts.norm,
    )


# --------------------------------------------------------------------------------------------------
# the frozen scale: at the final layer, and through the logit lens
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FrozenScaleError:
    r"""TL's frozen-scale reading beside the exact shares, per component.

    ``tl_shares[k]`` is ``cache.apply_ln_to_stack(stack)[k] @ (g ⊙ W_U)`` computed by PyTorch in
    the model's dtype (TL's centring, or none for RMSNorm, and its cached ``ln_final.hook_scale``);
    ``exact`` the float64 shares of :func:`logit_attribution`; ``error = tl_shares - exact``
    (float64, components × batch × position × tokens); ``max_abs_error[k]`` its maximum per
    component; ``scale_error`` the relative error of the cached scale per row,
    :math:`\sigma_{TL}/\sigma - 1` with :math:`\sigma` computed exactly from the stack.
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
            f"cached scale: relative error up to {float(np.max(np.abs(self.scale_error))):.3g}"
        )
        return "\n".join(lines)


def frozen_scale_error(
    cache: Any,
    model: Any | None = None,
    *,
    tokens: Any | None = None,
    full: bool = False,
    gain_offset: bool | None = None,
) -> FrozenScaleError:
    """The exact per-component error of TL's frozen-scale approximation (``apply_ln_to_stack``)
    at the final layer (where the frozen scale is the right one; see :func:`logit_lens` for the
    layers before it).

    Both readings use the final norm's gain (TL's ``logit_attrs`` multiplies by ``W_U`` alone,
    which is right only after ``fold_ln``); they differ only by the scale (TL's, cached in the
    forward pass in the model's dtype, versus the exact one from the components) and by TL's
    rounding. Works for float16/bfloat16 models (TL's product runs in the stack's dtype).
    """
    import torch

    model = model if model is not None else cache.model
    parts = unembedding(model, gain_offset=gain_offset)
    stack, labels = residual_stack(cache, full=full)
    W, _, _, _ = _readers(model, parts, tokens, None)
    with torch.no_grad():
        scaled = cache.apply_ln_to_stack(stack, layer=-1)
        folded = parts.g.detach().to(scaled.dtype)[:, None] * W.detach().to(scaled.dtype)
        tl_shares = scaled @ folded
    exact64 = attribute(
        to_numpy(stack).astype(np.float64),
        to_numpy(W).astype(np.float64),
        g=to_numpy(parts.g).astype(np.float64),
        b=0.0,
        eps=parts.eps,
        w_axis=0,
        names=labels,
        separate=False,
        norm=parts.norm,
    )
    exact_shares = np.asarray(exact64.shares)
    error = to_numpy(tl_shares).astype(np.float64) - exact_shares
    axes = tuple(range(1, error.ndim))
    worst = np.max(np.abs(error), axis=axes) if error.size else np.zeros(len(labels))
    x = to_numpy(stack).astype(np.float64).sum(axis=0)
    sigma = 1.0 / shared_scale(x, parts.eps, parts.norm)  # sqrt(Var[x] + eps), RMS: rms(x)
    cached = to_numpy(cache["ln_final.hook_scale"]).astype(np.float64)[..., 0]
    return FrozenScaleError(
        tuple(labels),
        tl_shares,
        exact_shares,
        error,
        {name: float(value) for name, value in zip(labels, worst, strict=True)},
        cached / sigma - 1,
    )


@dataclass(frozen=True)
class LogitLens:
    r"""The logit lens, per layer: each accumulated residual :math:`x_\ell` (``accumulated_resid``,
    labels in ``labels``) read through the final norm and the unembedding

    * with its **own exact scale** (``exact``: :math:`\langle w, g \odot N(x_\ell) + \beta\rangle +
      b`, float64), the logit lens as defined;
    * with the **frozen final scale** (``frozen``: TL's ``apply_ln_to_stack(..., layer=-1)``, the
      scale cached for the last layer's residual, then the same gain, shift and unembedding);

    their ``difference`` (frozen − exact), the softmax probabilities of each, and ``kl``:
    :math:`\mathrm{KL}(p_\text{exact} \Vert p_\text{frozen})` per layer and position (nats). Arrays
    are float64, layers × batch × position (× vocabulary). ``check``: the last layer's exact lens
    equals the model's own logits within rounding (the frozen scale is the right one there).
    """

    labels: tuple[str, ...]
    exact: np.ndarray
    frozen: np.ndarray
    difference: np.ndarray
    exact_probs: np.ndarray
    frozen_probs: np.ndarray
    kl: np.ndarray
    check: Check

    @property
    def ok(self) -> bool:
        return self.check.ok

    def per_layer(self) -> list[dict[str, Any]]:
        """Per layer: max |frozen − exact| (logits), max and mean KL, max |Δp|."""
        rows = []
        for k, label in enumerate(self.labels):
            rows.append(
                {
                    "layer": label,
                    "max_abs_logit_difference": float(np.max(np.abs(self.difference[k]))),
                    "max_kl": float(np.max(self.kl[k])),
                    "mean_kl": float(np.mean(self.kl[k])),
                    "max_abs_prob_difference": float(
                        np.max(np.abs(self.frozen_probs[k] - self.exact_probs[k]))
                    ),
                }
            )
        return rows

    def report(self) -> str:
        width = max(12, *(len(label) for label in self.labels))
        lines = [
            "logit lens: each layer's residual read with its own exact scale versus TL's frozen "
            "final scale (apply_ln_to_stack, layer=-1)",
            f"  {'layer':<{width}}  {'max|dlogit|':>12}  {'max KL':>10}  {'mean KL':>10}  {'max|dp|':>10}",
        ]
        for row in self.per_layer():
            lines.append(
                f"  {row['layer']:<{width}}  {row['max_abs_logit_difference']:12.4g}  "
                f"{row['max_kl']:10.4g}  {row['mean_kl']:10.4g}  {row['max_abs_prob_difference']:10.4g}"
            )
        lines.append(self.check.line())
        return "\n".join(lines)


def _softmax(logits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities and log-probabilities over the last axis, in float64."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return np.exp(log_p), log_p


def logit_lens(
    cache: Any,
    model: Any | None = None,
    *,
    pos_slice: Any | None = None,
    incl_mid: bool = False,
    gain_offset: bool | None = None,
) -> LogitLens:
    """The logit lens of a TransformerLens cache with the exact per-layer scale, beside TL's
    frozen-scale version (TransformerLens issue #1076 / PR #1180: ``accumulated_resid(...,
    apply_ln=True)`` divides every layer by the *final* layer's cached scale). See
    :class:`LogitLens`."""
    import torch

    model = model if model is not None else cache.model
    parts = unembedding(model, gain_offset=gain_offset)
    with torch.no_grad():
        resid, labels = cache.accumulated_resid(
            layer=None, incl_mid=incl_mid, apply_ln=False, return_labels=True
        )
        frozen_scaled = cache.apply_ln_to_stack(resid, layer=-1)
    resid = _pos_slice(resid, pos_slice, -2)
    frozen_scaled = _pos_slice(frozen_scaled, pos_slice, -2)
    x = to_numpy(resid).astype(np.float64)
    g = to_numpy(parts.g).astype(np.float64)
    beta = to_numpy(parts.beta).astype(np.float64)
    W = to_numpy(parts.W_U).astype(np.float64)
    b = to_numpy(parts.b_U).astype(np.float64)
    scale = shared_scale(x, parts.eps, parts.norm)
    v = x - x.mean(axis=-1, keepdims=True) if parts.norm == "LN" else x
    normed = v * scale[..., None]
    exact = (normed * g + beta) @ W + b
    frozen = (to_numpy(frozen_scaled).astype(np.float64) * g + beta) @ W + b
    exact_p, exact_log = _softmax(exact)
    frozen_p, frozen_log = _softmax(frozen)
    kl = np.sum(exact_p * (exact_log - frozen_log), axis=-1)
    # the last layer's exact lens against the model's own logits
    x_final = _pos_slice(cache["ln_final.hook_in"], pos_slice, -2)
    model_logits = to_numpy(_model_logits(model, x_final)).astype(np.float64)
    out = to_numpy(_pos_slice(cache["ln_final.hook_out"], pos_slice, -2)).astype(np.float64)
    unit = _norm_unit(parts, to_numpy(x_final).astype(np.float64), out, _unit(parts.dtype))
    largest = float(np.max(np.abs(W), initial=0.0))
    bound = (
        2
        * unit
        * (np.sqrt(x.shape[-1]) * _row_norms(out) * largest + float(np.max(np.abs(b), initial=0.0)))
    )
    bound = bound + 2**-40 * (_row_norms(out) * largest + 1.0)
    last = np.abs(exact[-1] - model_logits).max(axis=-1, initial=0.0)
    check = _check("the last layer's lens = the model's own logits", last, bound)
    return LogitLens(
        tuple(str(label) for label in labels),
        exact,
        frozen,
        frozen - exact,
        exact_p,
        frozen_p,
        kl,
        check,
    )
