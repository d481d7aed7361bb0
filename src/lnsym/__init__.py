r"""lnsym: a symbolic derivation engine for layer normalization.

Prove LN identities (for symbolic n or an explicit n), refute false ones with a witness, print LaTeX,
and evaluate the same definitions numerically.

Each public name is imported when it is first used (PEP 562 ``__getattr__``): ``import lnsym`` loads
no SymPy, so a command or a script pays only for what it uses.

>>> import lnsym
>>> lnsym.prove("LN(x)", "sqrt(n)*u(c(x), n*eps)").status.value
'proved'
>>> lnsym.latex("sqrt(n)*u(c(x), n*eps)")
'\\sqrt{n} u_{n \\varepsilon}(c(x))'
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names, for type checkers and readers; at run time see _PUBLIC
    from lnsym.derive.check import DerivationResult, check_derivation
    from lnsym.derive.justifications import RULES
    from lnsym.derive.load import Derivation, load_derivation, load_derivations
    from lnsym.documents.build import derive
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
    from lnsym.interp.bounds import ScaleBounds, scale_bounds
    from lnsym.interp.expansions import Series, series
    from lnsym.kernels import Kernel, kernel
    from lnsym.kernels.backward import layer_norm_backward
    from lnsym.kernels.export import export
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

    __version__: str

#: each public name and the module it is imported from on first use (tests/test_layout.py checks
#: that this table, ``__all__`` and the imports above name the same things).
_PUBLIC: dict[str, str] = {
    "DerivationResult": "lnsym.derive.check",
    "check_derivation": "lnsym.derive.check",
    "RULES": "lnsym.derive.justifications",
    "Derivation": "lnsym.derive.load",
    "load_derivation": "lnsym.derive.load",
    "load_derivations": "lnsym.derive.load",
    "derive": "lnsym.documents.build",
    "write_documents": "lnsym.documents.tex",
    "LnsymError": "lnsym.errors",
    "Attribution": "lnsym.interp",
    "Comparison": "lnsym.interp",
    "Fold": "lnsym.interp",
    "attribute": "lnsym.interp",
    "compare": "lnsym.interp",
    "fold": "lnsym.interp",
    "layer_norm_columns": "lnsym.interp",
    "ScaleBounds": "lnsym.interp.bounds",
    "scale_bounds": "lnsym.interp.bounds",
    "Series": "lnsym.interp.expansions",
    "series": "lnsym.interp.expansions",
    "Kernel": "lnsym.kernels",
    "export": "lnsym.kernels.export",
    "kernel": "lnsym.kernels",
    "layer_norm_backward": "lnsym.kernels.backward",
    "AffineLayerNorm": "lnsym.lang.definitions",
    "Center": "lnsym.lang.definitions",
    "Cos": "lnsym.lang.definitions",
    "DEFINITIONS": "lnsym.lang.definitions",
    "Definition": "lnsym.lang.definitions",
    "Dot": "lnsym.lang.definitions",
    "Expectation": "lnsym.lang.definitions",
    "Hadamard": "lnsym.lang.definitions",
    "Kind": "lnsym.lang.definitions",
    "LayerNorm": "lnsym.lang.definitions",
    "Mean": "lnsym.lang.definitions",
    "Norm": "lnsym.lang.definitions",
    "RMSNorm": "lnsym.lang.definitions",
    "Sandwich": "lnsym.lang.definitions",
    "UnitScale": "lnsym.lang.definitions",
    "Variance": "lnsym.lang.definitions",
    "eps": "lnsym.lang.definitions",
    "n": "lnsym.lang.definitions",
    "ones": "lnsym.lang.definitions",
    "latex": "lnsym.lang.latex",
    "parse": "lnsym.lang.names",
    "Context": "lnsym.lang.parser",
    "Data": "lnsym.numeric.data",
    "load": "lnsym.numeric.data",
    "Proof": "lnsym.prover",
    "Statement": "lnsym.prover",
    "Status": "lnsym.prover",
    "Witness": "lnsym.prover",
    "prove": "lnsym.prover",
}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value: Any = version("lnsym")
        except PackageNotFoundError:  # pragma: no cover - a source tree that is not installed
            value = "0+unknown"
    elif name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
    else:
        raise AttributeError(f"module 'lnsym' has no attribute {name!r}")
    globals()[name] = value  # imported once: later look-ups find it without this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """The package object: when the subpackage ``lnsym.derive`` is first imported, Python sets the
    attribute ``lnsym.derive`` to it, which would hide the public function :func:`derive`; the
    function wins (the subpackage stays in ``sys.modules``)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _PUBLIC and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

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
    "ScaleBounds",
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
    "scale_bounds",
    "series",
    "write_documents",
]
