"""Statements: an equation of the language to decide, with the verdict it is expected to get.

One type serves every place lnsym keeps equations as data: the lemmas behind the named
justifications of derivations (:data:`lnsym.derive.justifications.RULES`), the identities
interpretability relies on (:mod:`lnsym.interp.identities`), the steps and the claims of
derivation files (:mod:`lnsym.derive.load`). A statement is text over declared names; the prover
parses and decides it from scratch each time (:meth:`Statement.prove`).

>>> fold = Statement("LN(x)", "sqrt(n)*u(c(x), n*eps)", name="LN as a scaled unit vector")
>>> str(fold)
'LN(x) = sqrt(n)*u(c(x), n*eps)'
>>> fold.check(fold.prove())
True
>>> Statement("LN(a*x)", "LN(x)", scalars=("a",), assume=("a > 0",), expect=Status.REFUTED).text
'LN(a*x) = LN(x)  (given a > 0)'
"""

from __future__ import annotations

from dataclasses import dataclass

from lnsym.budget import DEFAULT_TIMEOUT
from lnsym.prover.decide import prove
from lnsym.prover.verdict import Proof, Status

__all__ = ["Statement"]


@dataclass(frozen=True)
class Statement:
    """``lhs = rhs`` over the declared ``vectors`` and ``scalars``, given ``assume`` and, if any, in
    the ``limit`` (e.g. ``("eps=0",)``), expected to be ``expect`` (proved, or refuted with a
    witness). ``name`` titles it where it is cited; ``note`` says why it matters (for a claim
    expected to be false, why it is tempting)."""

    lhs: str
    rhs: str
    vectors: tuple[str, ...] = ("x",)
    scalars: tuple[str, ...] = ()
    assume: tuple[str, ...] = ()
    limit: tuple[str, ...] = ()
    expect: Status = Status.PROVED
    name: str = ""
    note: str = ""
    #: ``=`` for an identity; ``<=``, ``<``, ``>=``, ``>`` for an inequality of scalars.
    relation: str = "="

    def __post_init__(self) -> None:
        if self.expect is Status.UNKNOWN:
            raise ValueError("a statement is expected to be proved or refuted, not unknown")

    @property
    def text(self) -> str:
        """``lhs = rhs`` in the expression language, with its assumptions and limit."""
        given = f"  (given {', '.join(self.assume)})" if self.assume else ""
        limit = f"  (in the limit {', '.join(self.limit)})" if self.limit else ""
        return f"{self.lhs} {self.relation} {self.rhs}{given}{limit}"

    def __str__(self) -> str:
        return self.text

    def prove(self, *, timeout: float | None = DEFAULT_TIMEOUT) -> Proof:
        """The prover's verdict, decided from scratch (the expectation is not consulted)."""
        return prove(
            self.lhs,
            self.rhs,
            vectors=self.vectors,
            scalars=self.scalars,
            assume=self.assume,
            limit=list(self.limit) or None,
            timeout=timeout,
            relation=self.relation,
        )

    def check(self, proof: Proof) -> bool:
        """Whether ``proof`` is the verdict expected: proved, or refuted *with* a witness."""
        if proof.status is not self.expect:
            return False
        return self.expect is Status.PROVED or proof.witness is not None
