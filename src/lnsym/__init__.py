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

import sympy

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
from lnsym.errors import LnsymError
from lnsym.language import Context, parse
from lnsym.proof import Proof, Status, Witness
from lnsym.prover import prove

__version__ = "0.1.0"

__all__ = [
    "DEFINITIONS",
    "AffineLayerNorm",
    "Center",
    "Context",
    "Cos",
    "Definition",
    "Dot",
    "Expectation",
    "Hadamard",
    "Kind",
    "LayerNorm",
    "LnsymError",
    "Mean",
    "Norm",
    "Proof",
    "RMSNorm",
    "Sandwich",
    "Status",
    "UnitScale",
    "Variance",
    "Witness",
    "__version__",
    "eps",
    "latex",
    "n",
    "ones",
    "parse",
    "prove",
]


def latex(
    expr: str | sympy.Basic,
    *,
    vectors: str | Iterable[str] | None = None,
    scalars: str | Iterable[str] | None = None,
) -> str:
    """The LaTeX of an expression of the language (a string is parsed first)."""
    from lnsym.language import parse_names

    if isinstance(expr, str):
        names = parse_names(vectors) if vectors is not None else ("x",)
        expr = parse(expr, Context(vectors=names, scalars=parse_names(scalars)))
    return str(sympy.latex(expr))
