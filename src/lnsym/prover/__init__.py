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

from lnsym.prover.decide import COMPONENTWISE_MAX_DIM, MAX_DIM, Problem, prove, setup
from lnsym.prover.statement import Statement
from lnsym.prover.verdict import Proof, Status, Witness

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
