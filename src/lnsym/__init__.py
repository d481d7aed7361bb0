r"""lnsym: a symbolic derivation engine for layer normalization.

Prove LN identities (for symbolic n or an explicit n), refute false ones with a witness, print LaTeX,
and evaluate the same definitions numerically.

>>> import lnsym
>>> lnsym.prove("LN(x)", "sqrt(n)*u(c(x), n*eps)").status.value
'proved'
>>> lnsym.latex("sqrt(n)*u(c(x), n*eps)")
'\\sqrt{n} u_{n \\varepsilon}(c(x))'
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from lnsym.derive.check import DerivationResult, check_all, check_derivation
from lnsym.derive.justifications import RULES
from lnsym.derive.load import Derivation, load_derivation, load_derivations
from lnsym.documents.tex import write_documents
from lnsym.errors import LnsymError
from lnsym.interp import (
    Attribution,
    Comparison,
    Fold,
    attribute,
    compare,
    fold,
    layer_norm_columns,
)
from lnsym.interp.expansions import Series, series
from lnsym.kernels import Kernel, export, kernel
from lnsym.kernels.backward import layer_norm_backward
from lnsym.lang.definitions import (
    DEFINITIONS,
    AffineLayerNorm,
    Center,
    Cos,
    Definition,
    Dot,
    Expectation,
    Hadamard,
    Kind,
    LayerNorm,
    Mean,
    Norm,
    RMSNorm,
    Sandwich,
    UnitScale,
    Variance,
    eps,
    n,
    ones,
)
from lnsym.lang.latex import latex
from lnsym.lang.names import parse
from lnsym.lang.parser import Context
from lnsym.numeric.data import Data, load
from lnsym.prover import Proof, Statement, Status, Witness, prove

try:
    __version__ = version("lnsym")
except PackageNotFoundError:  # pragma: no cover - running from a source tree that is not installed
    __version__ = "0+unknown"


def derive(
    path: str | Path | Iterable[Derivation], *, out: str | Path | None = None
) -> list[DerivationResult]:
    """Check the derivations at ``path`` (a file or directory); with ``out``, also write the
    documents (one standalone ``.tex`` per derivation, a combined ``.tex`` and a ``.md``) there,
    provided every derivation checked."""
    results = check_all(path)
    if out is not None and all(r.ok for r in results):
        write_documents(results, out)
    return results


__all__ = [
    "DEFINITIONS",
    "RULES",
    "AffineLayerNorm",
    "Attribution",
    "Center",
    "Comparison",
    "Context",
    "Cos",
    "Data",
    "Definition",
    "Derivation",
    "DerivationResult",
    "Dot",
    "Expectation",
    "Fold",
    "Hadamard",
    "Kernel",
    "Kind",
    "LayerNorm",
    "LnsymError",
    "Mean",
    "Norm",
    "Proof",
    "RMSNorm",
    "Sandwich",
    "Series",
    "Statement",
    "Status",
    "UnitScale",
    "Variance",
    "Witness",
    "__version__",
    "attribute",
    "check_derivation",
    "compare",
    "derive",
    "eps",
    "export",
    "fold",
    "kernel",
    "latex",
    "layer_norm_backward",
    "layer_norm_columns",
    "load",
    "load_derivation",
    "load_derivations",
    "n",
    "ones",
    "parse",
    "prove",
    "series",
    "write_documents",
]
