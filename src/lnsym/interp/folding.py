r"""Folding an affine LayerNorm into the reader that follows it (TransformerLens's ``fold_ln``).

A logit read from an affine LN output,
:math:`\langle w, g \odot \operatorname{LN}(x) + \beta\rangle + b`, equals
:math:`\langle g \odot w, \operatorname{LN}(x)\rangle + (\langle w, \beta\rangle + b)`: the gain folds
into the reader and the shift into the bias (:data:`~lnsym.interp.identities.FOLD`, proved by
lnsym). Because :math:`\operatorname{LN}(x) \perp \mathbf{1}`, the folded reader may also be centered,
:math:`\langle c(g \odot w), \operatorname{LN}(x)\rangle` (:data:`~lnsym.interp.identities.CENTERED_FOLD`)
— a move that is wrong after RMSNorm (:data:`~lnsym.interp.identities.RMS_READER_CENTERING`).

Every number here is computed by kernels generated from the same definitions the prover used
(:func:`lnsym.kernels.kernel`), and :func:`fold` checks the folded logit against the unfolded one.

>>> import numpy as np
>>> result = fold([1.0, 2.0, 3.0], g=[2.0, 1.0, 0.5], beta=[0.1, 0.0, -0.1], b=0.5, center=True)
>>> result.reader.round(6).tolist(), round(float(result.bias), 6)
([0.166667, 0.166667, -0.333333], 0.3)
>>> result.proof.status.value, result.check.ok
('proved', True)
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lnsym.errors import DataError
from lnsym.interp.identities import CENTERED_FOLD, FOLD, RMS_FOLD, require
from lnsym.interp.values import Value, as_array, short, to_last, vector_length
from lnsym.kernels import Kernel, kernel
from lnsym.kernels.interop import array_kind, restore, to_numpy
from lnsym.numeric.data import save
from lnsym.prover.statement import Statement
from lnsym.prover.verdict import Proof

__all__ = [
    "DEFAULT_EPS",
    "NORMS",
    "Fold",
    "FoldCheck",
    "cached_kernel",
    "fold",
    "folded_logit",
    "norm_kind",
    "norm_parameter",
    "unfolded_logit",
]

#: the default ε of PyTorch's layer_norm and of the seed notebook.
DEFAULT_EPS = 1e-5


@functools.cache
def cached_kernel(expr: str, vectors: str, scalars: str = "") -> Kernel:
    """The NumPy kernel of ``expr`` over the comma-separated ``vectors`` and ``scalars``, built once
    per process (the interp modules read the same few formulas on every call)."""
    return kernel(expr, vectors=vectors, scalars=scalars or None)


#: the norms before the reader: LayerNorm (centres, then scales) and RMSNorm (scales only).
NORMS = ("LN", "RMS")


def norm_kind(norm: str) -> str:
    """``norm`` checked: ``"LN"`` or ``"RMS"`` (case-insensitive; TransformerLens's ``LNPre`` and
    ``RMSPre`` are the same norms without gain and shift)."""
    text = str(norm).strip().upper()
    text = text[:-3] if text.endswith("PRE") else text
    if text not in NORMS:
        raise DataError(f"norm={norm!r}: expected 'LN' (LayerNorm, the default) or 'RMS' (RMSNorm)")
    return text


@dataclass(frozen=True)
class FoldCheck:
    r"""The folded logit beside the unfolded one on some residual vectors ``x``.

    ``unfolded`` is :math:`\langle w, \operatorname{LNA}(x, g, \beta)\rangle + b` and ``folded`` is
    :math:`\langle w', \operatorname{LN}(x)\rangle + b'`, both of shape ``x``'s batch + ``w``'s batch.
    ``tolerance`` is a float64 rounding bound, :math:`(n + 8)\,2^{-52}` times the sum of the absolute
    terms of the unfolded logit.
    """

    unfolded: np.ndarray
    folded: np.ndarray
    max_abs_error: float
    tolerance: float
    random: bool

    @property
    def ok(self) -> bool:
        """The two logits agree to rounding."""
        return self.max_abs_error <= self.tolerance


@dataclass(frozen=True)
class Fold:
    r"""A folded reader :math:`w' = g \odot w` (centered: :math:`c(g \odot w)`) and bias
    :math:`b' = \langle w, \beta\rangle + b`, with the proof of the identity they rely on and the
    numeric check against the unfolded logit."""

    reader: Any
    bias: Any
    centered: bool
    proof: Proof
    check: FoldCheck | None
    eps: float = DEFAULT_EPS
    norm: str = "LN"

    @property
    def identity(self) -> Statement:
        if self.norm == "RMS":
            return RMS_FOLD
        return CENTERED_FOLD if self.centered else FOLD

    def report(self, written: Sequence[str] = ()) -> str:
        """What ``lnsym fold`` prints; ``written`` names the files of the reader and the bias."""
        what = "c(g*w)" if self.centered else "g*w"
        lines = [
            self.proof.summary(),
            f"folded reader {what}: {short(self.reader)}  (shape {self.reader.shape})",
            f"folded bias <w, beta> + b: {short(self.bias)}",
        ]
        if written and written[0]:
            lines.append(f"wrote the folded reader to {written[0]}")
        if written:
            lines.append(f"wrote the folded bias to {written[1]}")
        check = self.check
        if check is not None:
            where = "16 random rows" if check.random else f"x ({check.unfolded.size} logit(s))"
            verdict = "ok" if check.ok else "FAILED"
            lines += [
                f"check on {where}, eps = {self.eps:g}:",
                f"  unfolded <w, g*LN(x) + beta> + b: {short(check.unfolded, 4, 15)}",
                f"  folded   <w', LN(x)> + b':        {short(check.folded, 4, 15)}",
                f"  max |difference| = {check.max_abs_error:.3g} "
                f"(rounding bound {check.tolerance:.3g}): {verdict}",
            ]
        return "\n".join(lines)

    def save(self, out: str | None = None, bias_out: str | None = None) -> tuple[str, ...]:
        """Write the folded reader to ``out`` and the folded bias to ``bias_out`` (default: beside
        ``out``, ``W.npy`` → ``W_bias.npy``) as :func:`lnsym.numeric.data.save` does; returns the
        paths written, as :meth:`report` takes them (``("", bias_out)`` for the bias alone)."""
        if out:
            target = Path(out)
            bias_path = bias_out or str(target.with_name(f"{target.stem}_bias{target.suffix}"))
            save(out, to_numpy(self.reader))
            save(bias_path, to_numpy(self.bias), option="bias_out")
            return (out, bias_path)
        if bias_out:
            save(bias_out, to_numpy(self.bias), option="bias_out")
            return ("", bias_out)
        return ()

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary (the reader and bias as lists)."""
        reader, bias = to_numpy(self.reader), to_numpy(self.bias)
        check = self.check
        return {
            "identity": self.identity.text,
            "status": self.proof.status.value,
            "method": self.proof.method,
            "centered": self.centered,
            "eps": self.eps,
            "reader": np.asarray(reader).tolist(),
            "bias": np.asarray(bias).tolist(),
            "check": None
            if check is None
            else {
                "random_x": check.random,
                "rows": int(check.unfolded.size),
                "max_abs_error": check.max_abs_error,
                "tolerance": check.tolerance,
                "ok": check.ok,
            },
        }


def norm_parameter(value: Value | None, default: float, n: int, name: str) -> np.ndarray:
    """An LN parameter vector (g or beta) of length n; ``default`` fills it when not given."""
    if value is None:
        return np.full(n, default)
    array = as_array(value, name)
    if array.ndim != 1:
        raise DataError(f"{name} must be one vector of length n = {n}, not shape {array.shape}")
    return array


def _readout(rows: np.ndarray, readers: np.ndarray) -> np.ndarray:
    """``rows`` (batch B, n) read by every reader of ``readers`` (batch R, n): shape B + R.

    One matrix product over the normalized axis (the inner products of the definitions, for all
    readers at once; no Python loop, no B × R × n temporary)."""
    flat = readers.reshape(-1, readers.shape[-1])
    return np.matmul(rows, flat.T).reshape((*rows.shape[:-1], *readers.shape[:-1]))


_AFFINE = {"LN": "LNA(x, g, beta)", "RMS": "hadamard(g, RMS(x)) + beta"}


def unfolded_logit(
    x: np.ndarray,
    w: np.ndarray,
    g: np.ndarray,
    beta: np.ndarray,
    b: Any,
    eps: float,
    norm: str = "LN",
) -> np.ndarray:
    r""":math:`\langle w, g \odot \operatorname{LN}_\varepsilon(x) + \beta\rangle + b` (``norm="RMS"``:
    RMS in place of LN) for every row of ``x`` against every reader of ``w`` (normalized axis
    last; result shape ``x`` batch + ``w`` batch)."""
    affine = np.asarray(cached_kernel(_AFFINE[norm], "x,g,beta")(x=x, g=g, beta=beta, eps=eps))
    return _readout(affine, w) + np.asarray(b)


def folded_logit(
    x: np.ndarray, reader: np.ndarray, bias: Any, eps: float, norm: str = "LN"
) -> np.ndarray:
    r""":math:`\langle w', \operatorname{LN}_\varepsilon(x)\rangle + b'` (or RMS), shaped like
    :func:`unfolded_logit`."""
    ln = np.asarray(cached_kernel(f"{norm}(x)", "x")(x=x, eps=eps))
    return _readout(ln, reader) + np.asarray(bias)


def _tolerance(
    x: np.ndarray,
    w: np.ndarray,
    g: np.ndarray,
    beta: np.ndarray,
    b: np.ndarray,
    eps: float,
    norm: str = "LN",
) -> float:
    ln = np.asarray(cached_kernel(f"{norm}(x)", "x")(x, eps=eps))
    terms = _readout(np.abs(g * ln), np.abs(w)) + _readout(np.abs(beta), np.abs(w)) + np.abs(b)
    n = x.shape[-1]
    return float((n + 8) * 2.0**-52 * np.max(terms))


def fold(
    w: Value,
    g: Value | None = None,
    beta: Value | None = None,
    b: Value = 0.0,
    *,
    center: bool = False,
    x: Value | None = None,
    eps: float = DEFAULT_EPS,
    axis: int = -1,
    x_axis: int = -1,
    check: bool = True,
    seed: int = 0,
    norm: str = "LN",
) -> Fold:
    r"""Fold the affine LN parameters :math:`g, \beta` (and the bias :math:`b`) into the reader ``w``.

    Returns :math:`w' = g \odot w` (with ``center=True``: :math:`c(g \odot w) = g \odot w -
    \mu(g \odot w)\mathbf{1}`) and :math:`b' = \langle w, \beta\rangle + b`, so that
    :math:`\langle w, g \odot \operatorname{LN}(x) + \beta\rangle + b = \langle w',
    \operatorname{LN}(x)\rangle + b'` for every x (proved, not sampled: the proof is in
    :attr:`Fold.proof`).

    ``w`` is one reader of length n or a batch of readers (the normalized axis is ``axis``, e.g. 0
    for TransformerLens's ``W_U`` of shape ``(d_model, d_vocab)``); ``g`` and ``beta`` are vectors
    of length n (default: ones and zeros); ``b`` a number or one per reader (``b_U``). With
    ``check``, the folded logit is compared with the unfolded one on ``x`` (residual rows, normalized
    along ``x_axis``: the last axis by default, as TransformerLens keeps ``d_model``) or, if ``x`` is
    not given, on 16 random rows with nonzero means.

    Any array type may come in (NumPy, PyTorch, JAX; see :mod:`lnsym.kernels.interop`): the folded
    reader and bias come back as the type and dtype of ``w`` (detached: the fold and its float64
    check run in NumPy). The check's arrays are float64 NumPy arrays.

    ``norm="RMS"``: the norm is RMSNorm, :math:`g \odot \operatorname{RMS}(x) + \beta`; the fold is
    the same (:data:`~lnsym.interp.identities.RMS_FOLD`), but ``center=True`` is refused: RMS(x)
    is not orthogonal to 1, so a centred reader changes the logits
    (:data:`~lnsym.interp.identities.RMS_READER_CENTERING`, refuted).
    """
    norm = norm_kind(norm)
    if norm == "RMS" and center:
        raise DataError(
            "center=True after RMSNorm is wrong: RMS(x) is not orthogonal to 1, so the centred "
            "reader c(g*w) changes the logits (refuted: reader centering after RMSNorm); drop it"
        )
    proof = require(RMS_FOLD if norm == "RMS" else CENTERED_FOLD if center else FOLD)
    kind = array_kind(w, g, beta, b)
    readers = as_array(w, "w")
    if readers.ndim == 0:
        raise DataError("w is a number; the reader must be a vector (or a batch of them)")
    readers = to_last(readers, axis, "w")
    n = vector_length({"w": readers})
    gain = norm_parameter(g, 1.0, n, "g")
    shift = norm_parameter(beta, 0.0, n, "beta")
    vector_length({"w": readers, "g": gain, "beta": shift})
    bias_in = as_array(b, "b")
    try:
        bias_in = np.broadcast_to(bias_in, readers.shape[:-1])
    except ValueError:
        raise DataError(
            f"b has shape {bias_in.shape}; give one number or one per reader {readers.shape[:-1]}"
        ) from None
    folded_expr = "c(hadamard(g, w))" if center else "hadamard(g, w)"
    reader = np.asarray(cached_kernel(folded_expr, "g,w")(g=gain, w=readers))
    bias = np.asarray(
        cached_kernel("dot(w, beta) + b", "w,beta", "b")(w=readers, beta=shift, b=bias_in)
    )
    result_check = None
    if check:
        random = x is None
        if x is None:
            rng = np.random.default_rng(seed)
            rows = 3.0 * rng.standard_normal((16, n)) + rng.standard_normal((16, 1))
        else:
            rows = as_array(x, "x")
            if rows.ndim == 0:
                raise DataError("x is a number; the residual must be a vector (or rows of them)")
            rows = to_last(rows, x_axis, "x")
            vector_length({"w": readers, "x": rows})
        unfolded = unfolded_logit(rows, readers, gain, shift, bias_in, eps, norm)
        folded = folded_logit(rows, reader, bias, eps, norm)
        error = float(np.max(np.abs(unfolded - folded)))
        tolerance = _tolerance(rows, readers, gain, shift, bias_in, eps, norm)
        result_check = FoldCheck(unfolded, folded, error, tolerance, random)
    reader_out = restore(np.moveaxis(reader, -1, axis), kind)
    return Fold(reader_out, restore(bias, kind), center, proof, result_check, eps, norm)
