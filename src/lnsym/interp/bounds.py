r"""Certified bounds next to a direct logit attribution: how far a frozen scale moves each
component's share, and how much of each component's effect goes through the norm's scale.

For a reader :math:`w` (after an affine norm, :math:`w' = g \odot w`), a residual
:math:`x = \sum_k a_k`, its scale :math:`\sigma(x) = \sqrt{\operatorname{Var}[x] + \varepsilon}` and
:math:`r_k = x - a_k` (the rest):

* **frozen scale** :math:`s > 0` (TransformerLens's ``apply_ln_to_stack`` with a cached scale, or
  the logit lens reading an earlier layer through the final norm): the share moves by
  :math:`\langle w', c(a_k)\rangle/\sigma(x) - \langle w', c(a_k)\rangle/s`, and
  :math:`|\cdot| \le \lVert c(w')\rVert\,\lVert c(a_k)\rVert\,|\sigma(x) - s|/(\sigma(x)\,s)`;
* **through the scale**: adding :math:`a_k` to the rest changes the logit by
  :math:`\langle w', \operatorname{LN}(x) - \operatorname{LN}(r_k)\rangle`, of which
  :math:`\langle w', c(a_k)\rangle/\sigma(x)` is direct; the rest goes through the scale, and
  :math:`|\cdot| \le \lVert c(w')\rVert\,\lVert c(a_k)\rVert/\sigma(x)` (derivation 21, then
  Cauchy–Schwarz).

RMSNorm (``norm="RMS"``) reads the components uncentred, with
:math:`\sigma(x) = \sqrt{\lVert x\rVert^2/n + \varepsilon}`.

Each bound is an inequality proved for every n by :func:`lnsym.prove` the first time it is needed
(one proof per process); the numbers are computed by kernels generated from *the same texts* that
were proved (the left side and the right side of each inequality), so the report cannot bound
something other than what it proved. :attr:`ScaleBounds.certified` says whether the trusted checker
re-checked every proof (for layer norm and RMSNorm alike), and :attr:`ScaleBounds.holds` compares
every exact number with its bound.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lnsym.errors import DataError, argument
from lnsym.interp.components import read_components, stack_components
from lnsym.interp.folding import DEFAULT_EPS, norm_kind
from lnsym.interp.values import Value, as_array
from lnsym.kernels import Kernel, kernel
from lnsym.prover import Proof, Status, prove

__all__ = ["BOUNDS", "Bound", "ScaleBounds", "scale_bounds"]


@dataclass(frozen=True)
class Bound:
    """One certified bound: ``|exact| <= bound`` as texts over the component ``a``, the rest ``r``,
    the reader ``w`` (and a frozen scale ``s``), and the chain of inequalities that proves it."""

    exact: str
    bound: str
    #: each link of the chain ``|exact| <= … <= bound`` as (left, relation, right)
    chain: tuple[tuple[str, str, str], ...]
    assume: tuple[str, ...] = ()


def _bounds(norm: str) -> dict[str, Bound]:
    if norm == "LN":
        sigma, read, size, reader = "sqrt(Var(a + r) + eps)", "dot(w, c(a))", "norm(c(a))", "c(w)"
        effect = f"LN(a + r) - LN(r) - c(a)/{sigma}"
        change = "dot(w, LN(a + r)) - dot(w, LN(r))"
    else:
        sigma, read, size, reader = "sqrt(norm(a + r)**2/n + eps)", "dot(w, a)", "norm(a)", "w"
        effect = f"RMS(a + r) - RMS(r) - a/{sigma}"
        change = "dot(w, RMS(a + r)) - dot(w, RMS(r))"
    frozen = f"{read}/{sigma} - {read}/s"
    frozen_bound = f"norm({reader})*{size}*abs({sigma} - s)/({sigma}*s)"
    mediated = f"{change} - {read}/{sigma}"
    mediated_bound = f"norm({reader})*{size}/{sigma}"
    through = f"norm({reader})*norm({effect})"
    return {
        "frozen": Bound(
            frozen, frozen_bound, ((f"abs({frozen})", "<=", frozen_bound),), assume=("s > 0",)
        ),
        "mediated": Bound(
            mediated,
            mediated_bound,
            ((f"abs({mediated})", "<=", through), (through, "<=", mediated_bound)),
        ),
    }


#: the bounds, per norm: ``BOUNDS["LN"]["frozen"]`` and ``["mediated"]``, and the same for "RMS".
BOUNDS: dict[str, dict[str, Bound]] = {norm: _bounds(norm) for norm in ("LN", "RMS")}

_VECTORS = "a,r,w,x"


@functools.cache
def _proof(left: str, relation: str, right: str, assume: tuple[str, ...]) -> Proof:
    return prove(f"{left} {relation} {right}", assume=list(assume), vectors=_VECTORS, scalars="s")


@functools.cache
def _kernel(text: str) -> Kernel:
    return kernel(text, vectors=_VECTORS, scalars="s")


def _proofs(bound: Bound) -> tuple[Proof, ...]:
    proofs = tuple(_proof(*link, bound.assume) for link in bound.chain)
    for proof in proofs:
        if proof.status is not Status.PROVED:
            raise DataError(f"the bound's step {proof.lhs} <= {proof.rhs} was not proved")
    return proofs


#: units of float64 rounding allowed per term an exact number is computed from (:attr:`ScaleBounds.holds`).
_UNITS = 64


@dataclass(frozen=True)
class ScaleBounds:
    """Per component (axis 0) and row of the batch: the exact numbers and their certified bounds.

    ``share`` is the component's direct share ⟨w', c(a_k)⟩/σ(x) (``attribute``'s share);
    ``mediated`` the part of its effect through the scale, ``mediated_bound`` its bound;
    ``frozen`` the change of the share when σ(x) is replaced by the frozen scale, ``frozen_bound``
    its bound (both ``None`` without a frozen scale). ``proofs`` hold the inequalities used."""

    names: tuple[str, ...]
    norm: str
    share: np.ndarray
    scale: np.ndarray
    mediated: np.ndarray
    mediated_bound: np.ndarray
    frozen: np.ndarray | None
    frozen_bound: np.ndarray | None
    proofs: tuple[Proof, ...]
    #: the float64 rounding allowance of ``mediated`` and ``frozen`` (:data:`_UNITS` units of the
    #: terms each is computed from: a difference of numbers far larger than itself, e.g. a frozen
    #: scale equal to σ(x) gives a move of 0 computed as share − share·σ/s)
    mediated_rounding: np.ndarray | float = 0.0
    frozen_rounding: np.ndarray | float = 0.0

    @property
    def certified(self) -> bool:
        """Every inequality used was proved and its certificate re-checked by lnsym.check."""
        return all(proof.checked for proof in self.proofs)

    @property
    def holds(self) -> bool:
        """Every exact number is within its bound, up to the float64 rounding of both (relative
        1e-12 of the bound, and the number's own rounding allowance): a check that fails if the
        bound or the numbers are wrong."""
        pairs = [(self.mediated, self.mediated_bound, self.mediated_rounding)]
        if self.frozen is not None and self.frozen_bound is not None:
            pairs.append((self.frozen, self.frozen_bound, self.frozen_rounding))
        return all(
            bool(np.all(np.abs(exact) <= bound * (1 + 1e-12) + rounding + 1e-300))
            for exact, bound, rounding in pairs
        )

    def to_json(self) -> dict[str, Any]:
        """The numbers (nested lists, components first), ``certified``, ``holds`` and the proved
        inequalities' texts."""

        def listed(values: np.ndarray | None) -> Any:
            return None if values is None else (np.asarray(values) + 0.0).tolist()

        return {
            "norm": self.norm,
            "names": list(self.names),
            "share": listed(self.share),
            "mediated": listed(self.mediated),
            "mediated_bound": listed(self.mediated_bound),
            "frozen": listed(self.frozen),
            "frozen_bound": listed(self.frozen_bound),
            "certified": self.certified,
            "holds": self.holds,
            "proofs": [
                {
                    "statement": f"{p.lhs} <= {p.rhs}" if p.texts is None else " <= ".join(p.texts),
                    "checked": p.checked,
                }
                for p in self.proofs
            ],
        }

    def report(self) -> str:
        """One line per component: share, scale-mediated effect and bound, frozen-scale move and
        bound (the largest over the rows), and whether the bounds' proofs were checked."""
        lines = []
        for k, name in enumerate(self.names):
            line = (
                f"  {name}: share {_largest(self.share[k]):.4g}, through the scale "
                f"{_largest(self.mediated[k]):.4g} (bound {_largest(self.mediated_bound[k]):.4g})"
            )
            if self.frozen is not None and self.frozen_bound is not None:
                line += (
                    f", frozen scale moves it {_largest(self.frozen[k]):.4g} "
                    f"(bound {_largest(self.frozen_bound[k]):.4g})"
                )
            lines.append(line)
        unchecked = [p for p in self.proofs if not p.checked]
        status = (
            "every bound proved for all n, certificates checked by lnsym.check"
            if not unchecked
            else f"bounds proved for all n; {len(unchecked)} of {len(self.proofs)} proofs not "
            f"re-checked by lnsym.check ({unchecked[0].check_note})"
        )
        return "\n".join([f"scale bounds ({self.norm}): {status}", *lines])


def _largest(values: np.ndarray) -> float:
    """The entry of largest magnitude, with its sign (0 printed as 0, never -0)."""
    flat = np.ravel(values)
    return float(flat[int(np.argmax(np.abs(flat)))]) + 0.0 if flat.size else 0.0


def scale_bounds(
    components: Mapping[str, Value] | Sequence[Value],
    w: Value,
    *,
    g: Value | None = None,
    frozen_scale: Value | None = None,
    eps: float = DEFAULT_EPS,
    norm: str = "LN",
) -> ScaleBounds:
    r"""The certified bounds of the module docstring for each component of
    :math:`x = \sum_k a_k`, read by one reader vector ``w`` (of length n) after a norm with gain
    ``g`` (default ones): how far a frozen scale moves its share, and its effect through the scale.

    ``components``: a mapping name → vector (length n) or batch of rows (…, n), or a sequence of
    them (named ``a1 … aK``); ``frozen_scale``: a positive number, or one per row (e.g. the cached
    ``ln_final.hook_scale`` of another input), or ``None`` for no frozen-scale bound.
    """
    norm = norm_kind(norm)
    names, parts = read_components(components)
    reader = as_array(w, "w")
    if reader.ndim != 1:
        raise DataError(f"w: expected one reader vector, got shape {reader.shape}")
    if g is not None:
        reader = reader * as_array(g, "g")
    stack = stack_components(names, parts).astype(np.float64)
    if stack.shape[-1] != reader.shape[0]:
        raise DataError(
            f"w has length {reader.shape[0]} but the components have length {stack.shape[-1]}"
        )
    total = stack.sum(axis=0)
    rest = total[None] - stack
    found = BOUNDS[norm]
    values = {"a": stack, "r": rest, "w": reader, "eps": eps, "x": total}
    scale = _evaluate("sqrt(Var(x) + eps)" if norm == "LN" else "sqrt(norm(x)**2/n + eps)", values)
    share = _evaluate("dot(w, c(a))" if norm == "LN" else "dot(w, a)", values) / scale
    proofs = _proofs(found["mediated"])
    mediated = _evaluate(found["mediated"].exact, values)
    mediated_bound = _evaluate(found["mediated"].bound, values)
    # |<w', N(x)>| and |<w', N(r)>| are below ||w'|| sqrt(n): the size of mediated's terms
    reach = float(np.sqrt(np.dot(reader, reader) * reader.shape[0]))
    mediated_rounding = _UNITS * 2.0**-52 * (2 * reach + np.abs(share))
    frozen = frozen_bound = None
    frozen_rounding: np.ndarray | float = 0.0
    if frozen_scale is not None:
        s = np.asarray(as_array(frozen_scale, "frozen_scale"), dtype=np.float64)
        if not np.all(s > 0):
            raise DataError(f"{argument('frozen_scale')} must be positive (a norm's scale)")
        proofs = (*_proofs(found["frozen"]), *proofs)
        frozen = _evaluate(found["frozen"].exact, {**values, "s": s})
        frozen_bound = _evaluate(found["frozen"].bound, {**values, "s": s})
        frozen_rounding = _UNITS * 2.0**-52 * np.abs(share) * (1 + scale / s)
    return ScaleBounds(
        names,
        norm,
        share,
        scale,
        mediated,
        mediated_bound,
        frozen,
        frozen_bound,
        proofs,
        mediated_rounding,
        frozen_rounding,
    )


def _evaluate(text: str, values: dict[str, Any]) -> np.ndarray:
    """``text``'s kernel on the named values (every kernel takes ``eps``, used or not)."""
    compiled = _kernel(text)
    wanted = {name: values[name] for name in compiled.spec.parameters}
    return np.asarray(compiled(**wanted, eps=values["eps"]), dtype=np.float64)
