r"""Checking a derivation: every step proved equal to the previous one, every claim refuted.

:func:`check_derivation` runs :func:`lnsym.prover.prove` on each step of each chain of a parsed
:class:`~lnsym.derive.load.Derivation`, from scratch (the justification in ``by`` documents the
step for the reader, it is not trusted), and tries to refute each claim with a witness. The
results (:class:`StepResult`, :class:`ChainResult`, :class:`ClaimResult`,
:class:`DerivationResult`) say which steps did not check, with the residual or the witness, and
print the report of ``lnsym derive``; steps that do not check are reported, never raised.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lnsym.derive.justifications import justification_pieces
from lnsym.derive.load import Chain, Derivation, Step, load_derivations
from lnsym.errors import DerivationError, LnsymError
from lnsym.lang.display import ARTICLE, Page, Row, display
from lnsym.lang.latex import latex
from lnsym.lang.parser import Context
from lnsym.prover.statement import Statement
from lnsym.prover.verdict import Proof, Status

__all__ = [
    "STEP_TIMEOUT",
    "ChainResult",
    "ClaimResult",
    "DerivationResult",
    "StepResult",
    "chain_latex",
    "check_all",
    "check_derivation",
]


@dataclass(frozen=True)
class StepResult:
    """Step ``index`` (1-based) of a chain, with the proof that it equals the previous step."""

    index: int
    step: Step
    proof: Proof | None  # None for the first step

    @property
    def ok(self) -> bool:
        return self.proof is None or self.proof.status is Status.PROVED


@dataclass(frozen=True)
class ChainResult:
    chain: Chain
    steps: tuple[StepResult, ...]

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.steps)


@dataclass(frozen=True)
class ClaimResult:
    index: int
    claim: Statement
    proof: Proof

    @property
    def ok(self) -> bool:
        return self.claim.check(self.proof)


@dataclass(frozen=True)
class DerivationResult:
    """The checked derivation: one result per step and per claim."""

    derivation: Derivation
    chains: tuple[ChainResult, ...]
    claims: tuple[ClaimResult, ...] = ()
    seconds: float = field(default=0.0, compare=False)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.chains) and all(c.ok for c in self.claims)

    def failures(self) -> list[str]:
        """One precise message per step or claim that did not check (empty when :attr:`ok`)."""
        messages = []
        many = len(self.chains) > 1
        for number, chain in enumerate(self.chains, 1):
            for before, result in zip(chain.steps, chain.steps[1:], strict=False):
                if not result.ok:
                    messages.append(self._step_failure(before, result, number if many else None))
        messages += [self._claim_failure(c) for c in self.claims if not c.ok]
        return messages

    def _step_failure(self, before: StepResult, result: StepResult, chain: int | None) -> str:
        assert result.proof is not None
        proof, step, i = result.proof, result.step, result.index
        where = f"{self.derivation.path}:{step.line}" if step.line else str(self.derivation.path)
        which = f"chain {chain}, step {i}" if chain else f"step {i}"
        lines = [
            f"{where}: {which} does not follow from step {i - 1} "
            f"({'; '.join(step.by)}): {proof.status.value}",
            f"  step {i - 1}: {before.step.text}",
            f"  step {i}: {step.text}",
        ]
        if proof.residual is not None:
            lines.append(f"  difference (step {i - 1} - step {i}): {proof.residual}")
        if proof.witness is not None:
            lines.append("  witness:")
            lines += ["  " + line for line in proof.witness.describe().splitlines()]
        return "\n".join(lines)

    def _claim_failure(self, result: ClaimResult) -> str:
        proof = result.proof
        return (
            f"{self.derivation.path}: claim {result.index} "
            f"({proof.lhs} {result.claim.relation} {proof.rhs}) was expected "
            f"to be refuted with a witness, but it is {proof.status.value}"
        )

    def report(self, *, verbose: bool = True) -> str:
        """The per-step report ``lnsym derive`` prints (``verbose=False``: header and failures)."""
        d = self.derivation
        status = "ok" if self.ok else "FAILED"
        lines = [f"{d.path}: {d.title} [{status}, {self.seconds:.2f} s]"]
        if verbose:
            for number, chain in enumerate(self.chains, 1):
                if len(self.chains) > 1:
                    lines.append(f"  chain {number}: {chain.chain.name}")
                for r in chain.steps:
                    verdict = f"{'start' if r.proof is None else r.proof.status.value:<7}"
                    by = f"   ({'; '.join(r.step.by)})" if r.step.by else ""
                    lines.append(f"    step {r.index} {verdict} {r.step.text}{by}")
            for c in self.claims:
                expected = (
                    "refuted as expected" if c.ok else f"{c.proof.status.value} (expected refuted)"
                )
                lines.append(
                    f"  claim {c.index} {expected}: {c.claim.lhs} {c.claim.relation} {c.claim.rhs}"
                )
                if c.proof.witness is not None:
                    lines += ["    " + w for w in c.proof.witness.describe(width=8).splitlines()]
        return "\n".join(lines + self.failures())

    def _repr_latex_(self) -> str:
        """Every chain as display math (what Jupyter shows for a derivation result)."""
        context = self.derivation.context
        return "\n".join(
            "$$" + chain_latex(c, context, environment="aligned") + "$$" for c in self.chains
        )


#: the time budget of one step or claim, in seconds (past it the step is unknown: it did not check).
STEP_TIMEOUT = 20.0


def check_derivation(derivation: Derivation, *, timeout: float = STEP_TIMEOUT) -> DerivationResult:
    """Prove every step equal to the previous one and try to refute every claim (each within
    ``timeout`` seconds)."""
    start = time.perf_counter()
    chains = []
    many = len(derivation.chains) > 1
    for number, chain in enumerate(derivation.chains, 1):
        results = [StepResult(1, chain.steps[0], None)]
        for index in range(1, len(chain.steps)):
            before, step = chain.steps[index - 1], chain.steps[index]
            where = f"chain {number}, step {index + 1}" if many else f"step {index + 1}"
            statement = Statement(
                before.text,
                step.text,
                derivation.vectors,
                derivation.scalars,
                chain.assumptions,
                chain.limit,
                relation=step.relation,
            )
            results.append(
                StepResult(index + 1, step, _prove(derivation, where, statement, timeout))
            )
        chains.append(ChainResult(chain, tuple(results)))
    claims = tuple(
        ClaimResult(number, claim, _prove(derivation, f"claim {number}", claim, timeout))
        for number, claim in enumerate(derivation.claims, 1)
    )
    return DerivationResult(derivation, tuple(chains), claims, time.perf_counter() - start)


def _prove(derivation: Derivation, where: str, statement: Statement, timeout: float) -> Proof:
    # the prover parses the text itself, so that assumptions such as "s > 0" reach the symbols
    try:
        return statement.prove(timeout=timeout)
    except LnsymError as error:  # e.g. an unsupported construct: name the file and the step
        raise DerivationError(f"{derivation.path}: {where}: {error}") from None


_RELATION_LATEX = {"=": "=", "<=": r"\le", "<": "<", ">=": r"\ge", ">": ">"}


def chain_latex(
    chain: ChainResult, context: Context, *, environment: str = "align*", page: Page = ARTICLE
) -> str:
    r"""One checked chain: ``\begin{align*} first &= second && \text{(why)} \\ &= … \end{align*}``,
    laid out to fit ``page`` (:func:`lnsym.lang.display.display`: long steps break across lines,
    a justification too wide for the right-hand column takes a line of its own).

    Steps that did not check print their relation as :math:`\overset{?}{=}`."""
    steps = chain.steps
    rows = []
    for result in steps[1:]:
        proved = result.proof is not None and result.proof.proved
        symbol = _RELATION_LATEX[result.step.relation]
        relation = symbol if proved else rf"\overset{{?}}{{{symbol}}}"
        body = latex(result.step.text, context=context)
        rows.append(Row(relation, body, justification_pieces(result.step.by)))
    head = latex(steps[0].step.text, context=context)
    return display(head, rows, environment=environment, page=page)


def check_all(
    path: str | Path | Iterable[Derivation], *, timeout: float = STEP_TIMEOUT
) -> list[DerivationResult]:
    """Check the derivations at ``path`` (a file or a directory of ``.toml`` files), or given."""
    derivations: Sequence[Derivation]
    if isinstance(path, str | Path):
        derivations = load_derivations(path)
    else:
        derivations = list(path)
    return [check_derivation(d, timeout=timeout) for d in derivations]
