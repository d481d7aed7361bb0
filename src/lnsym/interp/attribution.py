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

import re
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from lnsym.errors import DataError, argument, current_interface
from lnsym.execute.dask import dask_array, is_dask, require_dask, uses_dask
from lnsym.execute.engine import Engine
from lnsym.execute.rows import block_rows, map_rows
from lnsym.execute.stores import CHUNK_BYTES, StoreReport, open_array, store
from lnsym.interp.components import component_labels, read_components
from lnsym.interp.folding import DEFAULT_EPS, NORMS, norm_kind, norm_parameter
from lnsym.interp.folding import cached_kernel as _kernel  # the short name the rows code reads
from lnsym.interp.identities import (
    ATTRIBUTION_SCALE,
    DIRECT_ATTRIBUTION_MAX,
    FOLD,
    LINEARITY_OF_C,
    LINEARITY_OF_DOT,
    PER_COMPONENT_LN,
    RMS_ATTRIBUTION_SCALE,
    RMS_CENTERED_ATTRIBUTION,
    RMS_FOLD,
    attribution_identity,
    require,
    rms_attribution_identity,
)
from lnsym.interp.values import Value, as_array, to_last, vector_length
from lnsym.kernels.interop import TORCH, array_kind, is_foreign, restore, to_numpy
from lnsym.lang.parser import RESERVED
from lnsym.numeric.data import Data, save
from lnsym.prover.verdict import Proof

__all__ = [
    "NORMS",
    "TABLE_ROWS",
    "Attribution",
    "Check",
    "LazyAttribution",
    "Rows",
    "attribute",
    "attribute_in_memory",
    "attribution_rows",
    "components_line",
    "gather_components",
    "norm_kind",
    "shared_scale",
    "tensor_state",
]


@dataclass(frozen=True)
class Check:
    """One numeric check against an independent reference: ``what`` was compared, the largest
    gap ``error`` and the rounding bound ``tolerance`` it must stay within."""

    what: str
    error: float
    tolerance: float

    @property
    def ok(self) -> bool:
        return bool(self.error <= self.tolerance)

    def line(self) -> str:
        verdict = "ok" if self.ok else "FAILED"
        return (
            f"{self.what}: off by {self.error:.3g} (rounding bound {self.tolerance:.3g}): {verdict}"
        )

    def to_json(self) -> dict[str, Any]:
        return {"what": self.what, "error": self.error, "tolerance": self.tolerance, "ok": self.ok}


#: the shared scale, in the expression language (its kernel is generated from it). A share,
#: sqrt(n)*dot(hadamard(g, w), c(a))/sqrt(norm(c(x))**2 + n*eps), is computed as the reading of
#: the row hadamard(g, c(a)) * SCALE by w: ⟨g⊙w, c(a)⟩ = ⟨w, g⊙c(a)⟩, one matrix product for
#: every reader at once.
SCALE = "sqrt(n)/sqrt(norm(c(x))**2 + n*eps)"


class Deferred:
    """A value computed once, when first asked for (:attr:`Attribution.logit` of a matrix of
    readers: the logits need one more product than the shares, so they are made only if read)."""

    __slots__ = ("_compute", "_value")

    def __init__(self, compute: Callable[[], Any]) -> None:
        self._compute: Callable[[], Any] | None = compute
        self._value: Any = None

    def value(self) -> Any:
        if self._compute is not None:
            self._value, self._compute = self._compute(), None
        return self._value


_SHOWN_ROWS = 20
_SHOWN_ROWS_WITH_READERS = 4
_SHOWN_READERS = 3


@dataclass(frozen=True)
class Attribution:
    r"""Each component's share of the logits read after LayerNorm.

    ``shares[k]`` is :math:`\sqrt{n}\langle g \odot w, c(a_k)\rangle / \sqrt{\lVert c(x)\rVert^2 +
    n\varepsilon}` (shape: components × batch × readers; the readers axes are absent for one reader
    vector); ``bias`` is :math:`\langle w, \beta\rangle + b` (one per reader); ``scale`` the shared
    :math:`\sqrt{n}/\sqrt{\lVert c(x)\rVert^2 + n\varepsilon}` (one per row of the batch);
    ``logit`` the logit computed directly from :math:`x = \sum_k a_k` (batch × readers; for a
    matrix of readers it is computed when first read, from the readers as they are then: one more
    product, which the shares do not need); ``separate[k]`` the per-component-LN reading :math:`\langle g \odot w,
    \operatorname{LN}(a_k) \rangle` (a different quantity; ``None`` unless asked for when there
    are many readers). ``error`` is what the identity check measured and ``tolerance`` its
    rounding bound: for one reader vector, max |Σₖ shares + bias − logit|; for a matrix of readers
    (or an independent reference, :mod:`lnsym.interp.transformerlens`), the identity on the
    float64 rows — Σₖ (gained, scaled c(aₖ)) + β against g ⊙ LN(x) + β from the definition's
    kernel — as a bound on its effect on any logit (max ‖gap‖₁ · max |w|); the products then add
    at most ``product_tolerance`` (their rounding bound in the compute dtype) to any
    |Σₖ shares + bias − logit|. ``proofs``
    hold the identities used (proved) and ``refutation`` the prover's witness that per-component LN
    does not add up. The arrays have the inputs' array type and dtype
    (:mod:`lnsym.kernels.interop`).

    One type for both executors. Of Dask components (:func:`attribute`), the arrays are lazy Dask
    arrays, computed block by block of rows by :func:`attribution_rows` (the function the
    in-memory attribution runs on all its rows), ``error`` and ``tolerance`` are NaN until
    :meth:`compute` (which gives what the in-memory :func:`attribute` gives for the same rows, bit
    for bit but for the BLAS caveat of :func:`attribution_rows`) or :meth:`store`; in memory,
    :meth:`compute` returns the attribution itself. :meth:`store` writes :meth:`table` block by
    block, with resume, whichever the executor, and checks the identity from the file.
    ``report``, ``to_json`` and ``ok`` of a lazy attribution compute it first.
    """

    names: tuple[str, ...]
    shares: Any
    bias: Any
    scale: Any
    #: the logits, or a :class:`Deferred` product that computes them when :attr:`logit` is read.
    logits: Any
    separate: Any
    error: float
    tolerance: float
    proofs: tuple[Proof, ...]
    refutation: Proof
    eps: float = DEFAULT_EPS
    norm: str = "LN"
    #: checks against the model (TransformerLens adapter): the residual the final norm read, and
    #: the model's own logits; :attr:`ok` needs every one of them.
    checks: tuple[Check, ...] = ()
    #: the rounding bound of the products in the compute dtype, per logit (0 when ``error``
    #: already compares the logits themselves).
    product_tolerance: float = 0.0
    #: per row of the batch, the rounding bound of |Σₖ shares + bias − logit| in the compute dtype
    #: (:meth:`Rows.bound`; ``None`` when not known: :meth:`table` then uses the tolerances).
    bounds: Any = None
    #: of Dask components, the lazy table the tasks compute (:meth:`table`); ``None`` in memory.
    blocks: Any = None
    #: the dtype :meth:`compute` returns (the in-memory attribution's), if not the blocks' own.
    dtype: str | None = None
    #: what :meth:`store` wrote (the arrays then read the stored table); ``None`` before.
    written: StoreReport | None = None

    @property
    def logit(self) -> Any:
        """⟨w, g ⊙ LN(x) + β⟩ + b computed from x = Σₖ aₖ directly (not from the shares)."""
        return self.logits.value() if isinstance(self.logits, Deferred) else self.logits

    @property
    def total(self) -> Any:
        """Σₖ shares + bias (equal to :attr:`logit` to rounding)."""
        return self.shares.sum(axis=0) + self.bias

    @property
    def ok(self) -> bool:
        """The shares sum to the logit within :attr:`tolerance` (a rounding bound), and every check
        against the model (:attr:`checks`) holds (a lazy attribution is computed first, unless
        stored: then the check from the file)."""
        if _pending(self):
            return self.compute().ok
        return bool(self.error <= self.tolerance) and all(c.ok for c in self.checks)

    def with_checks(self, *checks: Check) -> Attribution:
        """This attribution with more checks against an independent reference."""
        return replace(self, checks=self.checks + checks)

    @property
    def readers(self) -> tuple[int, ...]:
        """The readers' shape: ``()`` for one reader vector, ``(d_vocab,)`` for ``W_U``."""
        return tuple(int(d) for d in self.shares.shape[1 + len(self.scale.shape) :])

    @property
    def rows(self) -> tuple[str, ...]:
        """The rows of :meth:`table`: the components' names, then :data:`TABLE_ROWS`."""
        return (*self.names, *TABLE_ROWS)

    def table(self) -> Any:
        """One array holding the result, shape (rows, batch..., readers...): one row per
        component's share, then :data:`TABLE_ROWS` — the bias, the logit, each entry's rounding
        bound (:attr:`bounds`; where not known, :attr:`tolerance` + :attr:`product_tolerance`). Of
        Dask components a lazy array (the tasks' own output), else a NumPy array."""
        if self.blocks is not None:
            return self.blocks
        shares = np.asarray(to_numpy(self.shares))
        logit = np.asarray(to_numpy(self.logit))
        count, shape = len(self.names), logit.shape
        table = np.empty((count + 3, *shape), dtype=np.result_type(shares, logit))
        table[:count] = shares
        table[count] = np.broadcast_to(np.asarray(to_numpy(self.bias)), shape)
        table[count + 1] = logit
        if self.bounds is not None:
            bound = np.asarray(self.bounds).reshape(shape[: len(shape) - len(self.readers)])
            table[count + 2] = bound.reshape(bound.shape + (1,) * len(self.readers))
        else:
            table[count + 2] = self.tolerance + self.product_tolerance
        return table

    def compute(self, run: Callable[[list[Any]], list[Any]] | None = None) -> Attribution:
        """The attribution in memory: itself if it is; of Dask components, everything computed
        (``run`` computes a list of Dask collections; default :func:`dask.compute`, e.g.
        :meth:`lnsym.execute.engine.Engine.run`), as :func:`attribute` returns it in memory.
        ``error`` and ``tolerance`` are then max |Σₖ shares + bias − logit| and the largest
        rounding bound, as in memory for one reader vector."""
        if not _lazy(self):
            return self
        parts = [self.shares, self.bias, self.scale, self.logit, self.separate, self.bounds]
        computed = require_dask().compute(*parts) if run is None else run(parts)
        shares, bias, scale, logit, separate, bound = computed
        tolerance = float(np.max(bound)) if np.size(bound) else 0.0
        shares, bias, logit = np.asarray(shares), np.asarray(bias), np.asarray(logit)
        gap = np.asarray(shares.sum(axis=0))
        gap += bias
        gap -= logit
        error = float(np.max(np.abs(gap))) if np.size(logit) else 0.0

        def typed(value: Any) -> Any:
            array = np.asarray(value)
            return array if self.dtype is None else array.astype(self.dtype, copy=False)

        return replace(
            self,
            shares=typed(shares),
            bias=typed(bias),
            scale=typed(scale),
            logits=typed(logit),
            separate=None if separate is None else typed(separate),
            error=error,
            tolerance=tolerance,
            bounds=np.asarray(bound),
            blocks=None,
            dtype=None,
            written=None,
        )

    def store(
        self,
        out: str,
        *,
        job: Mapping[str, Any] | None = None,
        resume: bool = False,
        engine: Engine | None = None,
        chunk_bytes: int = CHUNK_BYTES,
    ) -> Attribution:
        """Write :meth:`table` to ``out`` (``.zarr`` or ``.npy``) block by block
        (:func:`lnsym.execute.stores.store`: ``job`` identifies the run, ``resume`` finishes an
        interrupted one), then check from the file that the shares and the bias sum to the logit
        within each entry's rounding bound (reading it in blocks of ``chunk_bytes``). Returns the
        attribution read from the stored table (lazy arrays; :attr:`written` says what was
        written, ``error`` and ``tolerance`` are the check's). An in-memory attribution is written
        the same way, in blocks of rows of about ``chunk_bytes``. ``job`` defaults to the rows,
        ε and the norm; a ``.npy`` output of an in-memory attribution needs no Dask."""
        if job is None:
            job = {"operation": "attribute", "rows": list(self.rows), "eps": self.eps}
            job["norm"] = self.norm
        table = self.table()
        label = f"writing {out}"
        stored: Any
        if is_dask(table):
            runner = engine if engine is not None else Engine(None, progress=False)
            written = store(table, out, job=job, resume=resume, engine=runner, label=label)
            stored = open_array(out, axis=0, chunk_bytes=chunk_bytes)
        else:
            leading, batch = table.shape[:1], table.shape[1 : table.ndim - len(self.readers)]
            entry = table.dtype.itemsize * int(np.prod((*leading, *self.readers), dtype=np.int64))
            block = (*leading, *block_rows(batch, entry, chunk_bytes), *self.readers)
            written = store(table, out, job=job, resume=resume, label=label, block=block)
            runner = None
            if out.endswith(".npy"):
                stored = np.load(out, mmap_mode="r")
            else:
                stored = open_array(out, axis=0, chunk_bytes=chunk_bytes).compute()
        count = len(self.names)
        wide = stored.astype(np.float64)  # the check in float64, whatever the table's dtype
        gap = abs(wide[:count].sum(axis=0) + wide[count] - wide[count + 1]).max()
        checks = [gap, stored[count + 2].max()]  # lazy on Dask: computed by the engine
        error, tolerance = checks if runner is None else runner.run(checks, "checking")
        first = (0,) * (stored.ndim - 1 - len(self.readers))
        rows = stored.shape[1 : stored.ndim - len(self.readers)]
        return replace(
            self,
            shares=stored[:count],
            bias=stored[(count, *first)] if 0 not in rows else self.bias,
            logits=stored[count + 1],
            bounds=stored[(count + 2, Ellipsis, *(0,) * len(self.readers))],
            blocks=stored,
            error=float(error),
            tolerance=float(tolerance),
            product_tolerance=0.0,
            written=written,
        )

    @property
    def separate_total(self) -> Any:
        """Σₖ ⟨g⊙w, LN(aₖ)⟩ + bias: what per-component LN would call the logit."""
        if self.separate is None:
            raise DataError("the per-component LN readings were not computed; pass separate=True")
        return self.separate.sum(axis=0) + self.bias

    @property
    def separate_gap(self) -> Any:
        """separate_total − logit: how far per-component LN is from the real logit."""
        return self.separate_total - self.logit

    def statement(self) -> str:
        """The proved identity, written with the components' own names where they are plain names
        (``a1 … aK`` renamed at once, so names such as ``a0, a1`` cannot be confused)."""
        text = self.proofs[0].statement()
        if len(self.proofs) != 1 or not _renamable(self.names):
            return text
        mapping = {f"a{k}": name for k, name in enumerate(self.names, 1)}
        return re.sub(r"\ba\d+\b", lambda m: mapping.get(m.group(0), m.group(0)), text)

    def save(self, out: str) -> None:
        """Write the shares (components × batch × readers) to ``out`` (``.npy``; ``.csv``/``.txt``
        for one or two axes), as :func:`lnsym.numeric.data.save` does (in memory: to write the
        whole table block by block, :meth:`store`)."""
        save(out, to_numpy(self.compute().shares))

    def report(self, out: str | None = None) -> str:
        """What ``lnsym attribute`` prints (``out``: the file the shares were written to); of a
        stored attribution, the proofs, what was written and the check from the file."""
        if self.written is not None:
            return self._stored_report()
        if _lazy(self):
            return self.compute().report(out)
        lines = [p.summary() for p in self.proofs]
        if len(self.proofs) == 1 and self.statement() != self.proofs[0].statement():
            lines.append(f"  in the components' names: {self.statement()}")
        elif len(self.proofs) == 1:
            lines.append(components_line(self.names))
        logit = np.asarray(self.logit, dtype=np.float64)
        bias = np.broadcast_to(np.asarray(self.bias, dtype=np.float64), logit.shape)
        scale = np.asarray(self.scale, dtype=np.float64)
        shares = np.asarray(self.shares, dtype=np.float64)
        separate = None if self.separate is None else np.asarray(self.separate, dtype=np.float64)
        batch = scale.shape
        readers = logit.shape[len(batch) :]
        reader_indices = list(np.ndindex(readers))
        if readers:
            lines.append(
                f"{len(reader_indices)} readers (shape {readers}); shares have shape {shares.shape} "
                f"(components x rows x readers); showing the {_SHOWN_READERS} largest logits per row"
            )
        width = max(12, *(len(name) for name in self.names))
        rows = list(np.ndindex(batch))
        shown = _SHOWN_ROWS_WITH_READERS if readers else _SHOWN_ROWS
        for row in rows[:shown]:
            if readers:
                flat = logit[row].reshape(-1)
                top = np.argsort(-flat, kind="stable")[:_SHOWN_READERS]
                chosen = [(*row, *np.unravel_index(int(i), readers)) for i in top]
            else:
                chosen = [row]
            for index in chosen:
                title = f"row {row}" if batch else "the logit"
                if readers:
                    title += f", reader {tuple(int(i) for i in index[len(batch) :])}"
                value = float(logit[index])
                read = value - float(bias[index])
                v = "c(x)" if self.norm == "LN" else "x"
                lines.append(
                    f"{title}: <w, g*{self.norm}(x) + beta> + b = {value:.15g}   (eps = "
                    f"{self.eps:g}, shared scale sqrt(n)/sqrt(|{v}|^2 + n eps) = "
                    f"{float(scale[row]):.10g})"
                )
                header = f"  {'component':<{width}}  {'share':>20}  {'fraction':>9}"
                alone = f"<g*w, {self.norm}(a_k)> alone"
                lines.append(header + (f"  {alone:>22}" if separate is not None else ""))
                for k, name in enumerate(self.names):
                    share = _unsigned_zero(float(shares[(k, *index)]))
                    fraction = f"{share / read:9.3f}" if read != 0 else f"{'-':>9}"
                    if read != 0 and float(fraction) == 0:  # no "-0.000" for a vanishing share
                        fraction = f"{0.0:9.3f}"
                    line = f"  {name:<{width}}  {share:20.15g}  {fraction}"
                    if separate is not None:
                        line += f"  {_unsigned_zero(float(separate[(k, *index)])):22.15g}"
                    lines.append(line)
                lines.append(f"  {'bias':<{width}}  {_unsigned_zero(float(bias[index])):20.15g}")
                total = float(shares[(slice(None), *index)].sum()) + float(bias[index])
                lines.append(
                    f"  {'sum':<{width}}  {total:20.15g}  (|sum - logit| = {abs(total - value):.2g})"
                )
                if separate is not None:
                    separate_total = float(separate[(slice(None), *index)].sum()) + float(
                        bias[index]
                    )
                    lines.append(
                        f"  per-component {self.norm} would give {separate_total:.15g}, off by "
                        f"{separate_total - value:.6g}: a different quantity"
                    )
        if len(rows) > shown:
            more = (
                f"{argument('json')} or {argument('out')} prints all"
                if current_interface() == "cli"
                else "the shares hold all"
            )
            lines.append(f"  (first {shown} rows shown; {more})")
        verdict = "ok" if self.error <= self.tolerance else "FAILED"
        if self.product_tolerance:
            lines.append(
                f"the identity on the float64 rows (sum of the scaled parts + beta = g*{self.norm}(x)"
                f" + beta) moves a logit by at most {self.error:.3g} (rounding bound "
                f"{self.tolerance:.3g}): {verdict}; the products' rounding adds at most "
                f"{self.product_tolerance:.3g}"
            )
        else:
            lines.append(
                f"shares + bias = logit to {self.error:.3g} (rounding bound {self.tolerance:.3g}): "
                f"{verdict}"
            )
        lines += [check.line() for check in self.checks]
        if out:
            lines.append(f"wrote the shares ({' x '.join(map(str, shares.shape))}) to {out}")
        lines.append(self.refutation.summary())
        if self.refutation.witness is not None:
            lines.append(self.refutation.witness.describe(width=8))
        return "\n".join(lines)

    def _stored_report(self) -> str:
        """The report of a table written block by block: the proofs, what was written, the check."""
        assert self.written is not None  # a stored attribution
        lines = [proof.summary() for proof in self.proofs]
        if len(self.proofs) == 1:
            lines.append(components_line(self.names))
        verdict = "ok" if self.ok else "FAILED"
        columns = (
            f"each of shape tokens x readers, readers {self.readers}"
            if self.readers
            else "one column per token"
        )
        lines += [
            self.written.summary(),
            f"  rows: {', '.join(self.rows)} ({columns})",
            f"shares + bias = logit to {self.error:.3g} (rounding bound {self.tolerance:.3g}): "
            f"{verdict}",
            self.refutation.summary(),
        ]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary (of a stored attribution: the proofs, what was written and the
        check from the file; a lazy one is computed first)."""
        if self.written is not None:
            return {
                "identity": self.proofs[0].statement(),
                "status": self.proofs[0].status.value,
                "eps": self.eps,
                "norm": self.norm,
                "written": {
                    "path": self.written.path,
                    "shape": list(self.written.shape),
                    "dtype": self.written.dtype,
                    "blocks": self.written.blocks,
                    "written": self.written.written,
                    "skipped": self.written.skipped,
                },
                "rows": list(self.rows),
                "max_abs_error": self.error,
                "tolerance": self.tolerance,
                "ok": self.ok,
            }
        if _lazy(self):
            return self.compute().to_json()

        def listed(value: Any) -> Any:
            return np.asarray(to_numpy(value)).tolist()

        separate = None if self.separate is None else to_numpy(self.separate)
        summary: dict[str, Any] = {
            "identity": self.proofs[0].statement(),
            "identity_with_names": self.statement(),
            "status": self.proofs[0].status.value,
            "eps": self.eps,
            "components": [
                {
                    "name": name,
                    "share": listed(share),
                    "separate_ln": None if separate is None else listed(separate[k]),
                }
                for k, (name, share) in enumerate(zip(self.names, self.shares, strict=True))
            ],
            "bias": listed(self.bias),
            "scale": listed(self.scale),
            "logit": listed(self.logit),
            "sum_of_shares_plus_bias": listed(self.total),
            "max_abs_error": self.error,
            "tolerance": self.tolerance,
            "product_tolerance": self.product_tolerance,
            "ok": self.ok,
            "norm": self.norm,
            "checks": [check.to_json() for check in self.checks],
            "per_component_ln": {
                "claim": self.refutation.statement(),
                "status": self.refutation.status.value,
                "witness": None
                if self.refutation.witness is None
                else self.refutation.witness.to_json(),
            },
        }
        if self.separate is not None:
            summary["separate_ln_total"] = listed(self.separate_total)
            summary["separate_ln_gap"] = listed(self.separate_gap)
        return summary


#: the rows of :meth:`Attribution.table` after the components' shares.
TABLE_ROWS = ("bias", "logit", "rounding_bound")

#: the name this type had when lazy results had their own (:class:`Attribution` is both).
LazyAttribution = Attribution


def _lazy(result: Attribution) -> bool:
    """Whether the attribution's arrays are Dask arrays (of Dask components, or stored)."""
    return is_dask(result.shares)


def _pending(result: Attribution) -> bool:
    """Whether the check of a lazy attribution is still to be computed (not stored)."""
    return result.written is None and _lazy(result)


#: names that occur in the attribution identity besides the components.
_IDENTITY_NAMES = frozenset({"w", "g", "beta", "b", "n", "eps"})


def _renamable(names: Sequence[str]) -> bool:
    """The names can replace a1 … aK in the identity's text (plain, distinct, not taken)."""
    return all(
        name.isidentifier() and name not in _IDENTITY_NAMES and name not in RESERVED
        for name in names
    ) and len(set(names)) == len(names)


def _unsigned_zero(value: float) -> float:
    """``value`` with -0.0 printed as 0."""
    return value + 0.0


def components_line(names: Sequence[str]) -> str:
    """The report's line naming the identity's a1 … aK (a name, not an index: every index in the
    output — ``STEM[k]``, rows, readers, the axes of ``--out`` — counts from 0, as NumPy's does)."""
    named = ", ".join(f"a{k} = {name}" for k, name in enumerate(names, 1))
    return (
        f"  the identity's a1, a2, ... are the components in order: {named}"
        "; every index (a row, a reader, STEM[k]) counts from 0, as in NumPy"
    )


def gather_components(
    named: Mapping[str, Data], stack: Any | None = None, source: str | None = None
) -> dict[str, Any]:
    """The components as ``lnsym attribute`` takes them: the ``named`` ones (``--component``), in
    order, then one per entry of the first axis of ``stack`` (``--components FILE``, K x ... x n),
    named ``STEM[0]`` … ``STEM[K-1]`` after the file ``source`` (NumPy's indices: ``STEM[k]`` is
    ``stack[k]``, like the rows and readers of the report)."""
    components: dict[str, Any] = {name: data.array for name, data in named.items()}
    if stack is not None:
        if stack.ndim < 2:
            raise DataError(
                f"{argument('components')} {source}: expected a stack, one component per entry of "
                "the first axis (K x ... x n)"
            )
        stem = Path(str(source)).stem
        for k, part in enumerate(stack):
            name = f"{stem}[{k}]"
            if name in components:
                raise DataError(f"component {name} is given twice")
            components[name] = part
    if not components:
        fix = (
            f"add {argument('component')} NAME=VALUE (repeatable) or {argument('components')} FILE"
            if current_interface() == "cli"
            else "give at least one"
        )
        raise DataError(f"no components; {fix}")
    return components


def _proofs(count: int, norm: str = "LN") -> tuple[Proof, ...]:
    if norm == "RMS":
        if count <= DIRECT_ATTRIBUTION_MAX:
            return (require(rms_attribution_identity(count)),)
        # any number of parts: the logit is linear in x over the shared scale, and so is dot
        return (require(RMS_ATTRIBUTION_SCALE), require(LINEARITY_OF_DOT), require(RMS_FOLD))
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
    w_axis: int | None = None,
    names: Sequence[str] | None = None,
    separate: bool | None = None,
    norm: str = "LN",
    chunk_bytes: int = CHUNK_BYTES,
) -> Attribution:
    r"""Split the logits :math:`\langle w, g \odot \operatorname{LN}(x) + \beta\rangle + b` of
    :math:`x = \sum_k a_k` into one share per component (see the module docstring for the formula).

    ``components``: a mapping name → value, a sequence of values, or an array of shape
    ``(K, ..., n)`` (NumPy, PyTorch or JAX, e.g. TransformerLens's ``decompose_resid()``); each value
    is a vector of length n or a batch of them (rows, e.g. positions), with the normalized axis
    ``axis`` (``axis=0`` for llm-viz's T×C layout stored as C×T columns).

    ``w`` is one reader of length n or a matrix of readers normalized along ``w_axis``. A matrix is
    read by default in TransformerLens's ``W_U`` layout ``(d_model, d_vocab)`` (``w_axis=0``); a
    non-square one whose *last* axis alone has length n is read as one reader per row
    (``w_axis=-1``); a square one (d_vocab == d_model) needs ``w_axis``, which the error says.
    Three or more axes: readers along the last axis unless ``w_axis`` says otherwise. ``b`` is a
    number or one per reader (``b_U``); ``g``/``beta`` the LN gain and shift (default ones/zeros).
    Every logit of every reader is attributed in one vectorized call (matrix products over the
    normalized axis, no Python loop): ``shares`` has shape components × batch × readers.

    Precision: centering, the shared scale and ``LNA(x)`` run in float64, and so does everything
    for one reader vector; the readings by a matrix of readers (one matrix product) run in the
    inputs' floating dtype, at least float32 (float64 for float64 inputs), and the check's
    ``tolerance`` is a rounding bound for that precision. Results have the inputs' array type and
    dtype (:mod:`lnsym.kernels.interop`).
    ``separate`` (the per-component LN readings, one more product) defaults to on for one reader
    vector and off for a matrix of readers.
    ``norm="RMS"``: the norm is RMSNorm, :math:`g \odot x/\sqrt{\lVert x\rVert^2/n + \varepsilon}
    + \beta`; the shares are :math:`\sqrt{n}\langle g \odot w, a_k\rangle/\sqrt{\lVert x\rVert^2
    + n\varepsilon}`, with no centring (proved: :func:`~lnsym.interp.identities.rms_attribution_identity`;
    the centred shares are refuted, :data:`~lnsym.interp.identities.RMS_CENTERED_ATTRIBUTION`).
    Dask components give a lazy :class:`Attribution`: one task per block of rows runs
    :func:`attribution_rows`, the function this one runs on all the rows in memory (the blocks are
    cut along the batch axes so that a block of the result holds about ``chunk_bytes``), for LN
    and RMS alike; :meth:`Attribution.compute` computes it, :meth:`Attribution.store` writes it.
    For a PyTorch reader, max |w| (the rounding bound's one statistic of the readers) is
    remembered while the tensor lives unchanged (PyTorch's version counter), so attributing again
    with the same ``W_U`` reads it once.
    """
    norm = norm_kind(norm)
    if uses_dask(components):  # Dask data: attribution_rows on each block of rows
        return _on_dask(
            components,
            w,
            g=g,
            beta=beta,
            b=b,
            eps=eps,
            axis=axis,
            w_axis=w_axis,
            names=names,
            separate=separate,
            norm=norm,
            chunk_bytes=chunk_bytes,
        )
    computed = attribute_in_memory(
        components,
        w,
        g=g,
        beta=beta,
        b=b,
        eps=eps,
        axis=axis,
        w_axis=w_axis,
        names=names,
        separate=separate,
        norm=norm,
    )
    return replace(computed.attribution, bounds=computed.product_bounds)


@dataclass(frozen=True)
class _Computed:
    """:func:`attribute_in_memory`'s result: the attribution, max |w| over the readers, and per row the
    rounding bound of the shares' product (for a caller's check against a reference)."""

    attribution: Attribution
    largest: float
    product_bounds: np.ndarray
    #: the float64 rows the attribution was computed from: the components (K, ..., n), their sum
    #: x and its shared scale (a caller checking against a reference reuses them)
    stacked: np.ndarray | None = None
    x: np.ndarray | None = None
    scale: np.ndarray | None = None


def attribute_in_memory(
    components: Mapping[str, Value] | Sequence[Value] | np.ndarray,
    w: Value,
    *,
    g: Value | None,
    beta: Value | None,
    b: Value,
    eps: float,
    axis: int,
    w_axis: int | None,
    names: Sequence[str] | None,
    separate: bool | None,
    norm: str,
    reference: Any = None,
) -> _Computed:
    """The in-memory attribution. ``reference`` (batch × readers, the caller's array type): the
    logits from an independent source (the model's own forward pass,
    :mod:`lnsym.interp.transformerlens`), returned as the attribution's ``logit``; the caller
    compares the shares with it. With a reference or a matrix of readers, no product of lnsym's
    own logit rows is made for the check: the identity is checked on the rows, in float64 —
    Σₖ (the gained, scaled c(aₖ)) + β against the kernel's g ⊙ LN(x) + β — and ``error`` is
    max ‖difference‖₁ · max |w|, which bounds its effect on every logit."""
    labels, arrays = read_components(components, names, axis)
    if isinstance(components, Mapping):
        component_values = list(components.values())
    elif isinstance(components, np.ndarray) or is_foreign(components):
        component_values = [components]
    else:
        component_values = list(components)
    kind = array_kind(*component_values, w, g, beta, b)
    readers, gain, shift, bias_in = _reader_side(
        w, g=g, beta=beta, b=b, w_axis=w_axis, parts=dict(zip(labels, arrays, strict=True))
    )
    reader_batch = readers.shape[:-1]
    w_axis = _resolved_axis(w, readers, w_axis)
    try:
        stacked = np.stack(np.broadcast_arrays(*arrays))
    except ValueError:
        shapes = ", ".join(f"{k}: {a.shape}" for k, a in zip(labels, arrays, strict=True))
        raise DataError(f"the components' shapes do not broadcast ({shapes})") from None
    proofs = _proofs(len(labels), norm)
    refutation = require(PER_COMPONENT_LN if norm == "LN" else RMS_CENTERED_ATTRIBUTION)
    compute = _compute_dtype(kind.dtype_name, reader_batch)
    wanted = separate if separate is not None else not reader_batch
    # a matrix of readers (or a reference): the identity is checked on the float64 rows, and no
    # product of lnsym's own logit rows is made for the check (they would be one more row per
    # row of the batch; the logits are made only if read); one reader vector: on the logits
    on_rows = reference is not None or bool(reader_batch)
    native: Any = None
    tensor: Any = w
    if TORCH.owns(tensor) and tensor.ndim <= 2:
        native = tensor.detach()
        native = native.movedim(w_axis, -1) if native.ndim == 2 else native
    source = _owner(tensor) if native is not None else None
    state = None if source is None else tensor_state(source)  # once per call
    shift_key = _shift_key(source, state, shift, compute)
    known_shift = _SHIFT_READ.get(shift_key) if shift_key is not None else None
    largest = _largest(readers, native, source, state)
    if not np.isfinite(largest):
        raise _not_finite_reader()
    # every reading by every reader: one matrix product, in the compute dtype
    rows = attribution_rows(
        stacked,
        readers,
        gain,
        shift,
        bias_in,
        eps=eps,
        separate=wanted,
        norm=norm,
        compute=compute,
        largest=largest,
        logits=not on_rows,
        native=native,
        shift_read=known_shift,
    )
    if known_shift is None and shift_key is not None:
        while len(_SHIFT_READ) >= _REMEMBERED:
            _SHIFT_READ.pop(next(iter(_SHIFT_READ)))
        _SHIFT_READ[shift_key] = rows.shift_read.copy()
    scale, scaled, affine, shares, bias = (
        rows.scale,
        rows.scaled,
        rows.affine,
        rows.shares,
        rows.bias,
    )
    separate_values = rows.separate
    offset = bias_in.astype(compute)
    unit = float(np.finfo(compute).eps)
    product_size, inputs = rows.product_size, rows.inputs
    products = unit * product_size
    logit: Any
    if on_rows:
        # the identity on the rows, in float64: sum_k g*c(a_k)*scale + beta = g*LN(x) + beta
        rows_gap = scaled.sum(axis=0)
        rows_gap += shift
        rows_gap -= affine
        error = float(np.max(np.abs(rows_gap).sum(axis=-1), initial=0.0)) * largest
        if not np.isfinite(error):
            raise _not_finite(norm)
        tolerance = float(np.max(2.0**-52 * product_size + inputs, initial=0.0))
        product_tolerance = float(np.max(products + inputs, initial=0.0))
        if reference is not None:
            logit = reference
        else:
            logit = Deferred(
                lambda: restore(_readouts([affine], readers, compute, native)[0] + offset, kind)
            )
    else:
        logit = rows.logit
        # |Σₖ shares + bias − logit|, in place (one new array of the logits' shape); it is not
        # finite exactly when a logit or a share is not (inf − inf and 0·inf are NaN)
        gap = np.asarray(shares.sum(axis=0))
        gap += bias
        gap -= logit
        error = float(np.max(np.abs(gap, out=gap))) if gap.size else 0.0
        if not np.isfinite(error):
            raise _not_finite(norm)
        tolerance = float(np.max(products + inputs)) if scaled.size else 0.0
        product_tolerance = 0.0
        if error > tolerance and _LARGEST.pop(id(source), None) is not None:
            # a remembered max |w| may be stale (a change PyTorch did not count): read it afresh
            largest = _largest(readers, native, source, state)
            product_size, inputs = _row_bounds(
                stacked, scaled, affine, shift, gain, largest, bias_in, eps, norm
            )
            products = unit * product_size
            tolerance = float(np.max(products + inputs))
    return _Computed(
        _attribution(
            labels,
            shares,
            bias,
            scale,
            logit,
            separate_values,
            error,
            tolerance,
            kind,
            proofs,
            refutation,
            eps,
            norm,
            product_tolerance,
        ),
        largest,
        products + inputs,
        stacked,
        rows.x,
        scale,
    )


def _not_finite_reader() -> DataError:
    return DataError(
        "w holds NaN or infinity (the logits are not finite); lnsym needs finite numbers"
    )


def _not_finite(norm: str) -> DataError:
    return DataError(
        f"the normed residual {norm}(x) is not finite for these components (entries too "
        "large or too small for float64, or NaN); rescale them or give eps > 0"
    )


def _attribution(
    labels: tuple[str, ...],
    shares: np.ndarray,
    bias: np.ndarray,
    scale: np.ndarray,
    logit: Any,
    separate_values: np.ndarray | None,
    error: float,
    tolerance: float,
    kind: Any,
    proofs: tuple[Proof, ...],
    refutation: Proof,
    eps: float,
    norm: str,
    product_tolerance: float,
) -> Attribution:
    """The :class:`Attribution` of NumPy results, returned as the inputs' array type."""
    return Attribution(
        labels,
        restore(shares, kind),
        restore(bias, kind),
        restore(scale, kind),
        restore(logit, kind) if isinstance(logit, np.ndarray) else logit,
        None if separate_values is None else restore(separate_values, kind),
        error,
        tolerance,
        proofs,
        refutation,
        eps,
        norm,
        product_tolerance=product_tolerance,
    )


def _resolved_axis(w: Value, readers: np.ndarray, w_axis: int | None) -> int:
    """The axis of the caller's ``w`` that ended last in ``readers`` (for the PyTorch product)."""
    if w_axis is not None:
        return w_axis
    original = getattr(w, "shape", None)
    if original is not None and len(original) == 2 and tuple(original) != readers.shape:
        return 0
    return -1


def _reader_axis(shape: tuple[int, ...], n: int, w_axis: int | None) -> int:
    """The normalized axis of readers of ``shape`` for components of length ``n``: ``w_axis`` if
    given; for a matrix TransformerLens's ``W_U`` layout (d_model × d_vocab) unless only its last
    axis has length n; a square matrix needs ``w_axis``."""
    if w_axis is not None or len(shape) != 2:
        return -1 if w_axis is None else w_axis
    rows, columns = shape
    if rows == n and columns != n:
        return 0
    if columns == n and rows != n:
        return -1
    if rows == n and columns == n:
        raise DataError(
            f"w is a square matrix ({rows} x {columns}) and the components have length n = {n}: "
            "say which axis is d_model, w_axis=0 for TransformerLens's W_U layout (d_model x "
            "d_vocab) or w_axis=-1 for one reader per row"
        )
    raise DataError(
        f"w has shape {shape} but the components have length n = {n}: neither axis is n; a "
        "reader matrix is d_model x d_vocab (TransformerLens's W_U, w_axis=0) or d_vocab x "
        "d_model (w_axis=-1)"
    )


def _reader_array(w: Value) -> np.ndarray:
    """The reader(s) as a floating NumPy array, without a copy where possible (a float32
    ``W_U`` stays float32: it is read once, by the matrix product). Files and lists are read
    as usual; NaN and infinity are caught in the logits."""
    if isinstance(w, np.ndarray) or is_foreign(w):
        array = np.asarray(to_numpy(w))
        if array.dtype.kind == "f":
            if array.ndim == 0:
                raise DataError(
                    "w is a number; the reader must be a vector (or a matrix of readers)"
                )
            return array
    array = as_array(w, "w")
    if array.ndim == 0:
        raise DataError("w is a number; the reader must be a vector (or a matrix of readers)")
    return array


def _reader_side(
    w: Value,
    *,
    g: Value | None,
    beta: Value | None,
    b: Value,
    w_axis: int | None,
    parts: Mapping[str, Any],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The readers (normalized axis last), g, beta and b broadcast to one per reader, checked
    against the components ``parts`` (anything with ``shape``, normalized axis last); the
    readers' axis as :func:`_reader_axis` resolves ``w_axis``."""
    array = _reader_array(w)
    n_parts = vector_length(dict(parts)) if parts else array.shape[-1]
    readers = to_last(array, _reader_axis(array.shape, n_parts, w_axis), "w")
    if readers.shape[-1] != n_parts and array.ndim >= 2:
        raise DataError(
            f"vectors of different lengths: w has length {readers.shape[-1]} along "
            f"w_axis={w_axis if w_axis is not None else -1} "
            f"(shape {array.shape}) but the components have length n = {n_parts}; pass the "
            "w_axis that holds d_model (0 for TransformerLens's W_U)"
        )
    n = vector_length({"w": readers, **parts})
    gain = norm_parameter(g, 1.0, n, "g")
    shift = norm_parameter(beta, 0.0, n, "beta")
    vector_length({"w": readers, "g": gain, "beta": shift})
    reader_batch = readers.shape[:-1]
    bias_in = as_array(b, "b")
    try:
        bias_in = np.broadcast_to(bias_in, reader_batch)
    except ValueError:
        hint = (
            "; if it is the norm's shift (TransformerLens's ln.b / ln_final.b), pass it as "
            "beta=: b is the bias after the reader (b_U)"
            if bias_in.shape == (n,)
            else ""
        )
        raise DataError(
            f"b has shape {bias_in.shape}; give one number or one per reader {reader_batch}{hint}"
        ) from None
    return readers, gain, shift, bias_in


def _compute_dtype(dtype_name: str, reader_batch: tuple[int, ...]) -> Any:
    """One reader: float64 throughout; many readers: the products in the inputs' precision (at
    least float32)."""
    if not reader_batch:
        return np.dtype(np.float64)
    return np.result_type(np.float32, _numpy_dtype(dtype_name))


def shared_scale(x: np.ndarray, eps: float, norm: str = "LN") -> np.ndarray:
    r"""The shared scale of the rows ``x`` (normalized axis last), in float64:
    :math:`\sqrt{n}/\sqrt{\lVert v\rVert^2 + n\varepsilon}` with :math:`v = c(x)` (LN) or
    :math:`v = x` (RMS) — :data:`SCALE` — computed as
    :math:`\sqrt{n}/(m\sqrt{\lVert v/m\rVert^2 + n\varepsilon/m^2})` with :math:`m = \max|v_j|`,
    so that no square overflows or underflows (``1e200`` entries give the right scale, not 0)."""
    v = np.asarray(x, dtype=np.float64)
    n = v.shape[-1]
    if norm == "LN":
        v = np.asarray(_kernel("c(a)", "a")(a=v))
    m = _largest_entry(v)[..., None]
    floor = np.sqrt(n * eps) if eps > 0 else 0.0
    m = np.maximum(m, floor)
    m = np.where(m > 0, m, 1.0)
    reduced = v / m
    squares = np.einsum("...j,...j->...", reduced, reduced)
    # (sqrt(n eps)/m)^2 <= 1 (m >= sqrt(n eps)): no underflow of m*m for tiny entries
    floor_term = (floor / m[..., 0]) ** 2 if eps > 0 else 0.0
    with np.errstate(divide="ignore", over="ignore"):
        root = m[..., 0] * np.sqrt(squares + floor_term)
        return np.sqrt(n) / root


def _row_blocks(
    stacked: np.ndarray,
    gain: np.ndarray,
    shift: np.ndarray,
    eps: float,
    separate: bool,
    norm: str = "LN",
    entries: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """In float64, per row of the components ``stacked`` (K, ..., n): x = Σₖ aₖ, the shared scale, each
    c(a_k) (RMS: a_k) gained and scaled, the normed x with gain and shift, and (with
    ``separate``) each gained LN(a_k) (RMS(a_k)). The gain goes on the rows (⟨g⊙w, v⟩ =
    ⟨w, g⊙v⟩), so the readers are read as they are, once. The normed x comes from the kernel of
    the definition (LNA, or hadamard(g, RMS(x)) + beta), independently of the shares' scale.
    ``entries``: each component's max |a_j| per row (found here if not given)."""
    x = stacked.sum(axis=0)
    scale = shared_scale(x, eps, norm)
    if entries is None:
        entries = _largest_entry(stacked)
    scaled = _gained(stacked, gain, norm, entries)
    scaled *= scale[..., None]
    if norm == "LN":
        affine = np.asarray(
            _kernel("LNA(x, g, beta)", "x,g,beta")(x=x, g=gain, beta=shift, eps=eps)
        )
    else:
        affine = np.asarray(
            _kernel("hadamard(g, RMS(x)) + beta", "x,g,beta")(x=x, g=gain, beta=shift, eps=eps)
        )
    ln_read = None
    if separate:
        one = "LN(a)" if norm == "LN" else "RMS(a)"
        ln_parts = np.asarray(_kernel(one, "a")(a=stacked, eps=eps))
        ln_read = np.asarray(_kernel("hadamard(g, a)", "a,g")(a=ln_parts, g=gain))
    return x, scale, scaled, affine, ln_read


def _gained(stacked: np.ndarray, gain: np.ndarray, norm: str, entries: np.ndarray) -> np.ndarray:
    """Each row of ``stacked`` centred (LN; RMS: as it is) and gained, in float64, by the kernel
    of ``hadamard(g, c(a))`` (``hadamard(g, a)``); ``entries`` is each row's max |a_j|. Rows
    that are exactly zero (a bias component
    of a head decomposition, a padded position) are 0 and are left out of the kernel: a zero row
    sends the kernel's centring down its careful path (no cancellation-free scale for a constant
    row) for every row of the call, measured 6x the time of the rows work."""
    gained = _kernel("hadamard(g, c(a))" if norm == "LN" else "hadamard(g, a)", "a,g")
    if norm != "LN" or stacked.size == 0:
        return np.asarray(gained(a=stacked, g=gain))
    flat = stacked.reshape(-1, stacked.shape[-1])
    live = ~(entries.reshape(-1) == 0)  # NaN rows stay in: the kernel keeps them NaN
    if bool(np.all(live)):
        return np.asarray(gained(a=stacked, g=gain))  # one pass: centre and gain
    out = np.zeros(flat.shape, dtype=np.result_type(stacked, gain, np.float32))
    if bool(np.any(live)):
        out[live] = gained(a=flat[live], g=gain)
    return out.reshape(stacked.shape)


#: up to this many rows, the product runs as readers × rows (measured: benchmarks/).
_FEW_ROWS = 256
#: readers per block of the few-rows product (512 × 768 float32 entries: 1.5 MB, in L2/L3).
_READER_BLOCK = 512


def _blas_ready(matrix: np.ndarray) -> np.ndarray:
    """``matrix`` (2-D) as it is if a BLAS can read it (rows or columns contiguous, with a leading
    dimension), else a C-ordered copy: NumPy's matmul runs its own loop, not the BLAS, for other
    strides."""
    size, (rows, columns), (down, across) = matrix.itemsize, matrix.shape, matrix.strides
    if (across == size and down % size == 0 and down >= columns * size) or (
        down == size and across % size == 0 and across >= rows * size
    ):
        return matrix
    return np.ascontiguousarray(matrix)


def _cpu_product(rows: np.ndarray, readers: np.ndarray) -> np.ndarray:
    """``rows @ readers.T`` (rows × readers) by NumPy's BLAS, for readers on the CPU given as a
    zero-copy view of the caller's tensor (either layout of ``W_U``).

    Why NumPy's BLAS and not PyTorch's, for a PyTorch ``W_U``: measured on this project's
    machine (AMD EPYC, one thread, float32, GPT-2's ``W_U``), PyTorch's MKL ``sgemm`` producing
    rows × readers (TransformerLens's ``stack @ (g ⊙ W_U)``, in either layout of the readers)
    takes ~1.5x the CPU time of NumPy's OpenBLAS for the same product at 1,792 rows (14
    components × 128 positions), and 1.6x at 81 rows; MKL is as fast only producing readers ×
    rows, whose transpose is not contiguous (a transposing copy costs what it saves). The
    entries are the same inner products; their last bits may differ from MKL's (the rounding
    bounds do not depend on the BLAS). Many rows: one product, laid out rows × readers (the
    shares' layout, contiguous). Few rows (one position): readers × rows, a block of
    :data:`_READER_BLOCK` readers at a time (each block stays in cache while every row reads
    it: measured ~25% less time than one product for 14 rows), read through its transpose, not
    copied."""
    count, width = rows.shape[0], readers.shape[0]
    readers = _blas_ready(readers)
    if count > _FEW_ROWS or count == 0 or width == 0:
        return np.matmul(rows, readers.T)
    computed = np.empty((width, count), dtype=rows.dtype)
    right = rows.T
    for start in range(0, width, _READER_BLOCK):
        stop = min(start + _READER_BLOCK, width)
        np.matmul(readers[start:stop], right, out=computed[start:stop])
    return computed.T


def _readouts(
    blocks: list[np.ndarray], readers: np.ndarray, compute: Any, native: Any = None
) -> list[np.ndarray]:
    """Each block (shape B_i + (n,)) read by every reader (R + (n,)): shapes B_i + R, from ONE
    matrix product (the readers are read from memory once).

    ``native`` is the readers as the caller's PyTorch tensor (normalized axis last), when they
    came as one: on the CPU the product reads it through a zero-copy NumPy view
    (:func:`_cpu_product`), elsewhere it runs in PyTorch on the tensor's device."""
    n = readers.shape[-1]
    if readers.ndim == 1:
        # one reader: each row's inner product on its own, in one order (a BLAS matrix-vector
        # product may round a row differently with other rows around it: in memory and on Dask,
        # where the rows come in blocks, the readings are then equal bit for bit)
        vector = readers.astype(compute, copy=False)
        return [
            np.einsum("...j,j->...", block.astype(compute, copy=False), vector) for block in blocks
        ]
    # the rows in the compute dtype, cast as they are copied in (one pass over each block)
    counts = [int(np.prod(block.shape[:-1], dtype=np.int64)) for block in blocks]
    rows = np.empty((sum(counts), n), dtype=compute)
    start = 0
    for block, count in zip(blocks, counts, strict=True):
        rows[start : start + count] = block.reshape(count, n)
        start += count
    if native is not None:
        import torch

        flat_t = native if native.ndim == 2 else native.reshape(-1, n)
        flat_t = flat_t.to(getattr(torch, np.dtype(compute).name))
        if flat_t.device.type == "cpu":
            product = _cpu_product(rows, flat_t.resolve_conj().resolve_neg().numpy())
        else:
            left = torch.from_numpy(rows).to(device=flat_t.device)
            product = torch.mm(left, flat_t.T).cpu().numpy()
    else:
        flat = readers if readers.ndim == 2 else readers.reshape(-1, n)
        product = np.matmul(rows, flat.T.astype(compute, copy=False))
    results, start = [], 0
    for block in blocks:
        count = int(np.prod(block.shape[:-1], dtype=np.int64))
        shape = (*block.shape[:-1], *readers.shape[:-1])
        results.append(product[start : start + count].reshape(shape))
        start += count
    return results


#: max |w| of the PyTorch readers used last (at most :data:`_REMEMBERED`), by the identity of the
#: caller's tensor, with the state it had: a whole-vocabulary ``W_U`` attributed again, unchanged,
#: is not read a second time per call just for the rounding bound.
_LARGEST: dict[int, tuple[Any, tuple[Any, ...], float]] = {}
_REMEMBERED = 8


#: ⟨w, β⟩ for every reader of the PyTorch readers used last, by :func:`_shift_key`: a shift read
#: by an unchanged ``W_U`` is not one more row of every product (one row more than the shares'
#: costs up to 7% of a head decomposition's product, measured, from the matrix kernel's tiling).
_SHIFT_READ: dict[tuple[Any, ...], np.ndarray] = {}


def _shift_key(source: Any, state: Any, shift: np.ndarray, compute: Any) -> tuple[Any, ...] | None:
    """What ⟨w, β⟩ depends on: the readers' tensor (its identity and its :func:`tensor_state`
    ``state``), β's bytes and the compute dtype; None for NumPy readers or an unknown state."""
    if source is None or state is None:
        return None
    return (id(source), weakref.ref(source), state, shift.tobytes(), np.dtype(compute).str)


#: entries per axis of the sample that :func:`tensor_state` compares (16 × 16 for a matrix).
_SAMPLED = 16


def tensor_state(tensor: Any) -> tuple[Any, ...] | None:
    """What identifies a PyTorch tensor's values while it lives: its version counter (PyTorch
    bumps it on every in-place change, through any view or ``detach()``), storage, shape, strides,
    dtype and device, and a sample of its entries (evenly spaced along each axis, exactly), which
    catches most changes PyTorch does not count (through ``tensor.data`` or a NumPy view); ``None``
    when PyTorch keeps no version counter (inference-mode tensors). A change the version counter
    misses and the sample does not hit may leave a stale maximum: then a failing check is
    recomputed with a fresh one (:func:`attribute`), and a passing one had a looser bound."""
    import torch

    try:
        version = tensor._version
    except RuntimeError:
        return None
    values = tensor.detach()
    where = []
    for dim, size in enumerate(values.shape):  # one index per axis, broadcast: a small grid
        spaced = torch.linspace(0, max(size - 1, 0), min(size, _SAMPLED), device=values.device)
        where.append(spaced.long().reshape([-1 if k == dim else 1 for k in range(values.ndim)]))
    sample = values[tuple(where)]  # gathers the grid's entries only, whatever the strides
    return (
        version,
        tensor.data_ptr(),
        tuple(tensor.shape),
        tuple(tensor.stride()),
        str(tensor.dtype),
        str(tensor.device),
        sample.to(torch.float64).cpu().numpy().tobytes(),
    )


def _owner(tensor: Any) -> Any:
    """The tensor whose identity and state stand for ``tensor``'s values: the base of a view over
    all of it (TransformerLens's ``model.W_U`` is a new transposed view of one parameter at every
    access, so its max |W_U| is remembered by the parameter), else the tensor itself."""
    base = getattr(tensor, "_base", None)
    if base is not None and base.numel() == tensor.numel():
        return base
    return tensor


def _largest(
    readers: np.ndarray, native: Any = None, source: Any = None, state: Any = None
) -> float:
    """max |w| over every reader, reading memory in its own order: one pass (PyTorch's
    ``aminmax`` for a tensor) or two (NumPy's max and min). For a PyTorch tensor ``source`` (the
    caller's, of which ``native`` is a view) whose :func:`tensor_state` is ``state`` (None: not
    known), the value is remembered while the tensor lives unchanged."""
    if readers.size == 0:
        return 0.0
    if native is not None:
        import torch

        if source is not None and state is not None:
            known = _LARGEST.get(id(source))
            if known is not None and known[0]() is source and known[1] == state:
                return known[2]
        flat_t = native if native.is_contiguous() or native.ndim != 2 else native.T
        low, high = torch.aminmax(flat_t)
        largest = max(float(high), -float(low))
        if source is not None and state is not None:
            while len(_LARGEST) >= _REMEMBERED:
                _LARGEST.pop(next(iter(_LARGEST)))
            _LARGEST[id(source)] = (weakref.ref(source), state, largest)
        return largest
    flat = readers.T if not readers.flags.c_contiguous and readers.T.flags.c_contiguous else readers
    return max(float(flat.max()), -float(flat.min()))


def _numpy_dtype(name: str) -> Any:
    """The NumPy dtype that holds a family's floating dtype (bfloat16 and float16: float32)."""
    return np.float32 if name in ("float16", "bfloat16") else np.dtype(name)


#: the constant of the rounding bounds (:func:`_row_bounds`), measured: the largest gap seen
#: over random GPT-2-sized stacks (float32 and float64, means and spreads from 1e-3 to 1e3) was
#: between a fiftieth and a three-hundredth of the bound at 1.0 (float32 products: ~1/50; float64:
#: 1/20 to 1/300); a bound that can fail, not a worst case.
_ROUNDING = 1.0


def _largest_entry(rows: np.ndarray) -> np.ndarray:
    """max |v_j| along the last axis (0 for empty rows), without an array of |v|."""
    return np.maximum(rows.max(axis=-1, initial=0.0), -rows.min(axis=-1, initial=0.0))


def _row_bounds(
    stacked: np.ndarray,
    scaled: np.ndarray,
    affine: np.ndarray,
    shift: np.ndarray,
    gain: np.ndarray,
    largest: float,
    bias: np.ndarray,
    eps: float,
    norm: str = "LN",
    scale: np.ndarray | None = None,
    x: np.ndarray | None = None,
    entries: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Per row of the batch, two rounding bounds whose sum bounds |Σₖ shares + bias − logit| for
    every reader of that row, without a second pass of products: the products' (in units of
    rounding of the dtype they run in: multiply by its machine epsilon) and the inputs'.

    These are *realistic* bounds, not worst cases (which are n times looser and would pass a
    wrong fold): rounding errors of an inner product of length n add up like a random walk, about
    :math:`\sqrt{n}` units of rounding of :math:`\lVert v\rVert_2 \max_j|w_j|` (with
    :math:`\max_j|w_j|` over all readers). The products' bound sums that over the rows read (each
    scaled, gained :math:`c(a_k)`, the normed x, β twice) with :math:`\sqrt{n + K}` units, plus
    the bias rounded twice. The float64 rows carry their own error: centring :math:`a_k` or
    :math:`x` errs by about a unit of :math:`\max|a_k|` per entry (cancellation when the mean is
    large and the spread small; the mean's error is common to all entries, so a reader sums it
    coherently, :math:`\sqrt{n}` times), and the shared scale inherits that error relative to
    :math:`\sqrt{\lVert c(x)\rVert^2 + n\varepsilon}`. The in-memory ``tolerance`` is the maximum
    of their sum; the lazy table stores their sum per row. ``scale`` is the rows' shared scale
    (:func:`shared_scale`), ``x`` their sum Σₖ aₖ and ``entries`` each component's max |a_j| per
    row, if the caller has them."""
    count, n = scaled.shape[0], scaled.shape[-1]
    unit64 = 2.0**-52
    with np.errstate(over="ignore", invalid="ignore"):
        shares_rows = np.sqrt(np.einsum("k...j,k...j->k...", scaled, scaled)).sum(axis=0)
        logit_rows = np.sqrt(np.einsum("...j,...j->...", affine, affine))
    shift_size = float(np.sqrt(np.dot(shift, shift)))
    bias_size = float(np.max(np.abs(bias))) if bias.size else 0.0
    products = _ROUNDING * (
        np.sqrt(n + count) * (shares_rows + logit_rows + 2 * shift_size) * largest + 2 * bias_size
    )
    if x is None:
        x = stacked.sum(axis=0)
    x_max = _largest_entry(x)
    parts_max = (_largest_entry(stacked) if entries is None else entries).sum(axis=0)
    if scale is None:
        scale = shared_scale(x, eps, norm)
    gain_size = float(np.sqrt(np.dot(gain, gain)))
    # the error of each centred entry (about a unit of the largest entry), read by g ⊙ w; the
    # mean's part of it is the same in every entry, so it is read coherently: up to ‖g‖ √n max|w|
    centering = unit64 * scale * (parts_max + x_max) * gain_size * largest * np.sqrt(n)
    # the scale's relative error (the sum of squares, about sqrt(n) units of x_max/|c(x)|)
    relative = unit64 * x_max * scale * (shares_rows + logit_rows)
    inputs = _ROUNDING * (centering + relative * largest)
    return products, inputs


@dataclass(frozen=True)
class Rows:
    """What :func:`attribution_rows` computes for one block of rows (NumPy arrays): the float64
    rows (the shared ``scale``, the gained and scaled ``scaled`` c(aₖ), the normed x ``affine``),
    the readings in the compute dtype (``shares``, ``bias``, ``logit`` — ``None`` unless asked
    for — and ``separate``), ⟨w, β⟩ (``shift_read``), and per row the two rounding bounds of
    :func:`_row_bounds` (``product_size`` in units of the compute dtype's rounding)."""

    scale: np.ndarray
    scaled: np.ndarray
    affine: np.ndarray
    shares: np.ndarray
    bias: np.ndarray
    logit: np.ndarray | None
    separate: np.ndarray | None
    shift_read: np.ndarray
    product_size: np.ndarray
    inputs: np.ndarray
    #: x = Σₖ aₖ per row, in float64
    x: np.ndarray | None = None

    def bound(self, compute: Any) -> np.ndarray:
        """Each row's rounding bound of |Σₖ shares + bias − logit| (the in-memory ``tolerance``
        of one reader is its maximum)."""
        return self.product_size * float(np.finfo(compute).eps) + self.inputs


def attribution_rows(
    stacked: np.ndarray,
    readers: np.ndarray,
    gain: np.ndarray,
    shift: np.ndarray,
    bias_in: np.ndarray,
    *,
    eps: float,
    separate: bool,
    norm: str,
    compute: Any,
    largest: float,
    logits: bool,
    native: Any = None,
    shift_read: np.ndarray | None = None,
) -> Rows:
    """The attribution of one block of rows: the one computation both executors run (in memory
    on every row at once, on Dask once per block of rows, :func:`_table_block`).

    ``stacked`` holds the components' rows in float64, (K, ..., n); ``readers`` one reader (n,)
    or a matrix of readers (R..., n); ``gain``, ``shift`` (n,) and ``bias_in`` (one per reader)
    the norm's gain and shift and the bias after the reader; ``largest`` max |w| over the
    readers. Every reading is one product (:func:`_readouts`): the shares, then with ``logits``
    the logits from the normed x, then β (unless its reading ``shift_read`` is known), then with
    ``separate`` the per-component readings. ``native`` is the readers as the caller's PyTorch
    tensor (on the CPU the product reads it through a NumPy view, elsewhere it runs in PyTorch:
    :func:`_readouts`).

    Bit for bit: the rows are computed row by row, and one reader's readings too, so a row's
    results do not depend on the other rows of its block. A matrix of readers is read by one
    BLAS (or PyTorch) matrix product, whose last bits for a row may depend on how many rows it
    is given (a product of one row runs a matrix-vector kernel; threads split large ones; a
    PyTorch reader on the CPU is read in blocks of readers for few rows, :func:`_cpu_product`):
    there the two executors agree to the products' rounding, not always bit for bit.
    """
    entries = _largest_entry(stacked)  # per component and row: for the kernel and the bound
    x, scale, scaled, affine, ln_read = _row_blocks(
        stacked, gain, shift, eps, separate, norm, entries
    )
    if not np.all(np.isfinite(scale)):
        what = "c(x) = 0 (a constant residual)" if norm == "LN" else "x = 0"
        raise DataError(f"{what} with eps = 0 in some row: the norm is 0/0 there; give eps > 0")
    logit_rows = [affine] if logits else []
    shift_rows = [shift] if shift_read is None else []
    blocks = [scaled, *logit_rows, *shift_rows] + ([ln_read] if ln_read is not None else [])
    readings = _readouts(blocks, readers, compute, native)
    offset = bias_in.astype(compute)
    logit = None
    if logits:
        logit = readings[1]
        logit += offset  # in place: the product is this call's own array
    if shift_read is None:
        shift_read = readings[len(logit_rows) + 1]
    product_size, inputs = _row_bounds(
        stacked, scaled, affine, shift, gain, largest, bias_in, eps, norm, scale, x, entries
    )
    return Rows(
        scale,
        scaled,
        affine,
        readings[0],
        shift_read + offset,
        logit,
        readings[-1] if separate else None,
        shift_read,
        product_size,
        inputs,
        x,
    )


# --------------------------------------------------------------------------------------------------
# on Dask: attribution_rows mapped over the blocks of rows (lnsym.execute.rows)
# --------------------------------------------------------------------------------------------------


def _lazy_components(
    components: Mapping[str, Value] | Sequence[Value] | Any,
    names: Sequence[str] | None,
    axis: int,
) -> tuple[tuple[str, ...], list[Any]]:
    """The components as Dask arrays, the normalized axis last, with their names."""
    da = require_dask()
    if isinstance(components, Mapping):
        labels = [str(k) for k in components]
        values = list(components.values())
    elif is_dask(components) or isinstance(components, np.ndarray):
        matrix: Any = components
        if matrix.ndim < 2:
            raise DataError("components: give one row per component (shape (K, ..., n))")
        values = [matrix[k] for k in range(matrix.shape[0])]
        labels = [f"a{k}" for k in range(1, len(values) + 1)]
    else:
        values = list(components)
        labels = [f"a{k}" for k in range(1, len(values) + 1)]
    labels = component_labels(labels, len(values), names)
    arrays = []
    for label, value in zip(labels, values, strict=True):
        array = dask_array(value if is_dask(value) else as_array(value, label), label)
        if array.ndim == 0:
            raise DataError(f"{label} is a number but a vector is needed here")
        if not -array.ndim <= axis < array.ndim:
            raise DataError(f"{label} has {array.ndim} axes; axis {axis} is out of range")
        arrays.append(da.moveaxis(array, axis, -1))
    return tuple(labels), arrays


def _table_block(
    *parts: np.ndarray,
    readers: np.ndarray,
    gain: np.ndarray,
    shift: np.ndarray,
    bias_in: np.ndarray,
    largest: float,
    compute: Any,
    eps: float,
    norm: str,
) -> np.ndarray:
    """One task on Dask: :func:`attribution_rows` of one block of rows, as the rows of
    :meth:`Attribution.table` (shares, bias, logit, rounding bound)."""
    stacked = np.stack(parts, dtype=np.float64)  # as in memory: the rows are float64
    count, batch, reader_batch = len(parts), stacked.shape[1:-1], readers.shape[:-1]
    rows = attribution_rows(
        stacked,
        readers,
        gain,
        shift,
        bias_in,
        eps=eps,
        separate=False,
        norm=norm,
        compute=compute,
        largest=largest,
        logits=True,
    )
    table = np.empty((count + 3, *batch, *reader_batch), dtype=compute)
    table[:count] = rows.shares
    table[count] = rows.bias
    table[count + 1] = rows.logit
    table[count + 2] = rows.bound(compute).reshape(batch + (1,) * len(reader_batch))
    return table


def _separate_block(
    *parts: np.ndarray,
    readers: np.ndarray,
    gain: np.ndarray,
    shift: np.ndarray,
    bias_in: np.ndarray,
    largest: float,
    compute: Any,
    eps: float,
    norm: str,
) -> np.ndarray:
    """One task on Dask: the per-component LN readings of :func:`attribution_rows` for one block
    of rows (asked for apart from the table, which a stored attribution computes alone)."""
    rows = attribution_rows(
        np.stack(parts, dtype=np.float64),
        readers,
        gain,
        shift,
        bias_in,
        eps=eps,
        separate=True,
        norm=norm,
        compute=compute,
        largest=largest,
        logits=False,
    )
    assert rows.separate is not None  # asked for
    return rows.separate


def _scale_block(*parts: np.ndarray, eps: float, norm: str) -> np.ndarray:
    """One task on Dask: the shared scale of one block of rows, as :func:`attribution_rows`
    computes it (the same float64 stack and sum)."""
    return shared_scale(np.stack(parts, dtype=np.float64).sum(axis=0), eps, norm)


def _on_dask(
    components: Mapping[str, Value] | Sequence[Value] | Any,
    w: Value,
    *,
    g: Value | None,
    beta: Value | None,
    b: Value,
    eps: float,
    axis: int,
    w_axis: int | None,
    names: Sequence[str] | None,
    separate: bool | None,
    norm: str,
    chunk_bytes: int,
) -> Attribution:
    """:func:`attribute` for Dask components: :func:`attribution_rows` on each block of rows
    (:func:`lnsym.execute.rows.map_rows`), the readers, g, β and b in memory as in
    :func:`attribute_in_memory`."""
    da = require_dask()
    labels, arrays = _lazy_components(components, names, axis)
    readers, gain, shift, bias_in = _reader_side(
        w, g=g, beta=beta, b=b, w_axis=w_axis, parts=dict(zip(labels, arrays, strict=True))
    )
    reader_batch = tuple(int(r) for r in readers.shape[:-1])
    kind = array_kind(*(np.empty(0, a.dtype) for a in arrays), w, g, beta, b)
    compute = _compute_dtype(kind.dtype_name, reader_batch)
    try:
        stacked = da.broadcast_arrays(*arrays)
    except ValueError:
        shapes = ", ".join(f"{k}: {a.shape}" for k, a in zip(labels, arrays, strict=True))
        raise DataError(f"the components' shapes do not broadcast ({shapes})") from None
    largest = _largest(readers)
    if not np.isfinite(largest):
        raise _not_finite_reader()
    count = len(labels)
    wanted = separate if separate is not None else not reader_batch
    constants = {
        "readers": readers,
        "gain": gain,
        "shift": shift,
        "bias_in": bias_in,
        "largest": largest,
        "compute": compute,
        "eps": eps,
        "norm": norm,
    }
    blocks = map_rows(
        _table_block,
        stacked,
        leading=(count + 3,),
        trailing=reader_batch,
        dtype=compute,
        chunk_bytes=chunk_bytes,
        token="lnsym-attribution",
        **constants,
    )
    separate_values = None
    if wanted:  # a graph of its own: storing the table never computes them
        separate_values = map_rows(
            _separate_block,
            [a.rechunk((*blocks.chunks[1 : a.ndim], -1)) for a in stacked],
            leading=(count,),
            trailing=reader_batch,
            dtype=compute,
            token="lnsym-separate",
            **constants,
        )
    rank = len(stacked[0].shape) - 1
    scale = map_rows(
        _scale_block, stacked, dtype=np.float64, token="lnsym-scale", eps=eps, norm=norm
    )
    if 0 in stacked[0].shape[:-1]:  # no rows: the bias from the readers alone
        bias: Any = _readouts([shift], readers, compute)[0] + bias_in.astype(compute)
    else:  # the bias row of the first block (the same product as the shares')
        bias = blocks[(count, *(0,) * rank)]
    refutation = require(PER_COMPONENT_LN if norm == "LN" else RMS_CENTERED_ATTRIBUTION)
    return Attribution(
        labels,
        blocks[:count],
        bias,
        scale,
        blocks[count + 1],
        separate_values,
        float("nan"),  # computed by compute() or store()
        float("nan"),
        _proofs(count, norm),
        refutation,
        eps,
        norm,
        bounds=blocks[(count + 2, Ellipsis, *(0,) * len(reader_batch))],
        blocks=blocks,
        dtype=_numpy_name(kind.dtype_name),
    )


def _numpy_name(name: str) -> str | None:
    """``name`` if NumPy has that dtype (``bfloat16`` it has not: the blocks' dtype is kept)."""
    try:
        return np.dtype(name).name
    except TypeError:
        return None
