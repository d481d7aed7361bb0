r"""Interpretability algebra: what TransformerLens users do numerically and on trust, proved.

* :func:`fold` — fold an affine LN (gain g, shift β) and a bias b into the next reader w:
  :math:`w' = g \odot w` (or :math:`c(g \odot w)`), :math:`b' = \langle w, \beta\rangle + b`;
* :func:`attribute` — direct logit attribution through LN with one shared scale:
  :math:`\langle w, \operatorname{LN}(\sum_k a_k)\rangle = \sum_k \sqrt{n}\langle w, c(a_k)\rangle /
  \sqrt{\lVert c(x)\rVert^2 + n\varepsilon}`;
* :func:`compare` — two formulas side by side: the exact symbolic difference and its size on data;
* :func:`layer_norm_columns` — per-column LN of a C×T matrix (the llm-viz layout).

Each relies on identities in :mod:`lnsym.interp.identities`, proved (or, for the tempting false
variants, refuted with a witness) by :func:`lnsym.prove` before any number is computed.
"""

from __future__ import annotations

from lnsym.interp.attribution import Attribution, attribute
from lnsym.interp.columns import layer_norm_columns
from lnsym.interp.comparison import Comparison, Quantity, compare
from lnsym.interp.folding import Fold, FoldCheck, fold
from lnsym.interp.identities import IDENTITIES, IdentityNotProvedError

__all__ = [
    "IDENTITIES",
    "Attribution",
    "Comparison",
    "Fold",
    "FoldCheck",
    "IdentityNotProvedError",
    "Quantity",
    "attribute",
    "compare",
    "fold",
    "layer_norm_columns",
]
