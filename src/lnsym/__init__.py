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

from lnsym.data import Data, load
from lnsym.definitions import (
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
from lnsym.derivations import (
    RULES,
    Derivation,
    DerivationResult,
    check_derivation,
    derive,
    load_derivation,
    load_derivations,
)
from lnsym.documents import latex, write_documents
from lnsym.errors import LnsymError
from lnsym.expansions import Series, series
from lnsym.interp import (
    Attribution,
    Comparison,
    Fold,
    attribute,
    compare,
    fold,
    layer_norm_columns,
)
from lnsym.kernels import Kernel, export, kernel
from lnsym.kernels.backward import layer_norm_backward
from lnsym.language import Context, parse
from lnsym.proof import Proof, Status, Witness
from lnsym.prover import prove

__version__ = "0.1.0"

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
