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

if TYPE_CHECKING:  # the names, for type checkers and readers; at run time see _LAZY
    from lnsym.prover import inequalities as inequalities
    from lnsym.prover.decide import COMPONENTWISE_MAX_DIM, MAX_DIM, Problem, prove, setup
    from lnsym.prover.statement import Statement
    from lnsym.prover.verdict import Proof, Status, Witness

#: each name and the module it is imported from on first use (PEP 562 ``__getattr__``): the package
#: itself imports nothing, so a module of the prover may reach a sibling it needs only sometimes
#: as ``prover.NAME`` (:mod:`lnsym.prover.decide` hands inequalities to
#: :mod:`lnsym.prover.inequalities`, which an identity never loads), and ``lnsym prove`` needs no
#: :class:`Statement`.
_LAZY: dict[str, str] = {
    "COMPONENTWISE_MAX_DIM": "lnsym.prover.decide",
    "MAX_DIM": "lnsym.prover.decide",
    "Problem": "lnsym.prover.decide",
    "prove": "lnsym.prover.decide",
    "setup": "lnsym.prover.decide",
    "Proof": "lnsym.prover.verdict",
    "Status": "lnsym.prover.verdict",
    "Witness": "lnsym.prover.verdict",
    "Statement": "lnsym.prover.statement",
}
#: submodules imported on first use as attributes of the package.
_SUBMODULES = frozenset({"inequalities"})


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        value = importlib.import_module(f"{__name__}.{name}")
    elif name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    else:
        raise AttributeError(f"module 'lnsym.prover' has no attribute {name!r}")
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
