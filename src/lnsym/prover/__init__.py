"""The prover: problem → normal form → assumptions and limits → verdict (proved, refuted, unknown).

* :mod:`lnsym.prover.decide` — ``prove`` and ``setup``: the decision procedure;
* :mod:`lnsym.prover.normal_form` — vectors over 1 and centered atoms, scalars in means and inner
  products;
* :mod:`lnsym.prover.radicals` — canonical square roots and the exact zero test;
* :mod:`lnsym.prover.assumptions` — equations and inequalities used only through equivalences, with
  a certificate;
* :mod:`lnsym.prover.limits` — limits by Taylor expansion, with their conditions;
* :mod:`lnsym.prover.witness` — certified witnesses (exact points, interval arithmetic);
* :mod:`lnsym.prover.verdict` — :class:`Proof`, :class:`Status`, :class:`Witness`;
* :mod:`lnsym.prover.statement` — :class:`Statement`: an equation to decide and the verdict expected
  of it (rules' lemmas, interpretability identities, derivation steps and claims).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from lnsym.prover.decide import COMPONENTWISE_MAX_DIM, MAX_DIM, Problem, prove, setup
from lnsym.prover.verdict import Proof, Status, Witness

if TYPE_CHECKING:  # imported on first use (PEP 562 __getattr__): lnsym prove needs no Statement
    from lnsym.prover.statement import Statement

#: names imported from their module when first used, not with the package.
_LAZY: dict[str, str] = {"Statement": "lnsym.prover.statement"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'lnsym.prover' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value  # imported once: later look-ups find it without this function
    return value


__all__ = [
    "COMPONENTWISE_MAX_DIM",
    "MAX_DIM",
    "Problem",
    "Proof",
    "Statement",
    "Status",
    "Witness",
    "prove",
    "setup",
]
