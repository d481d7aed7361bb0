r"""Derivations: chains of equalities written once in TOML and checked step by step by the prover.

A derivation file (``derivations/*.toml``, read with :mod:`tomllib`; nothing in it is executed) has a
``title``, an optional ``description``, the declared ``vectors`` and ``scalars``, ``assumptions``
that hold throughout, and one or more chains of steps::

    title = "LN is a scaled soft unit vector of the centred input"
    vectors = ["x"]

    [[steps]]
    expr = "LN(x)"

    [[steps]]
    expr = "c(x)/sqrt(Var(x) + eps)"
    by = "definition of LN"

Each step after the first names its justification in ``by`` (a string or a list of strings): a
named rule of :data:`RULES` such as ``"algebra"`` or ``"linearity of dot"``, or ``"definition of
NAME"`` for a function of the language. Several chains go under ``[[chains]]`` (each with ``name``,
optional extra ``assumptions`` and its own ``[[chains.steps]]``). Claims the derivation expects to
be *false* go under ``[[claims]]`` (``lhs``, ``rhs``, optional ``assumptions`` and ``note``); each must
be refuted, and its witness is recorded in the report and the documents.

Every step is proved equal to the previous one by :func:`lnsym.prover.prove`, from scratch: the
justification documents the step for the reader, it is not trusted. Malformed files (and steps
the prover rejects as input) raise :class:`~lnsym.errors.DerivationError` naming the file and step;
steps that do not check are *reported* (see :meth:`DerivationResult.failures`), never raised.
"""

from __future__ import annotations

import re
import time
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sympy import Expr

from lnsym.definitions import DEFINITIONS, Kind
from lnsym.errors import DerivationError, LnsymError
from lnsym.language import Context, parse_assumption, parse_names, parse_typed
from lnsym.proof import Proof, Status

__all__ = [
    "RULES",
    "Chain",
    "ChainResult",
    "Claim",
    "ClaimResult",
    "Derivation",
    "DerivationResult",
    "Rule",
    "Step",
    "StepResult",
    "check_derivation",
    "derive",
    "load_derivation",
    "load_derivations",
]


@dataclass(frozen=True)
class Rule:
    r"""A named justification. ``text`` is how it prints in a proof (``$…$`` marks math); a rule
    with a ``statement`` (``lhs``, ``rhs``, vectors) is a lemma, itself proved by the test suite."""

    text: str
    statement: tuple[str, str] | None = None
    vectors: tuple[str, ...] = ("x",)
    scalars: tuple[str, ...] = ()
    assume: tuple[str, ...] = ()


#: The named rules a step may cite in ``by`` (besides ``"definition of NAME"``).
RULES: dict[str, Rule] = {
    "algebra": Rule("algebra"),
    "assumption": Rule("by assumption"),
    "above": Rule("above"),
    "symmetry of dot": Rule(
        r"symmetry of $\langle\cdot,\cdot\rangle$", ("dot(a, b)", "dot(b, a)"), ("a", "b")
    ),
    "linearity of dot": Rule(
        r"linearity of $\langle\cdot,\cdot\rangle$",
        ("dot(w, s*a + b)", "s*dot(w, a) + dot(w, b)"),
        ("w", "a", "b"),
        ("s",),
    ),
    "linearity of mu": Rule(
        r"linearity of $\mu$", ("mu(s*a + b)", "s*mu(a) + mu(b)"), ("a", "b"), ("s",)
    ),
    "linearity of c": Rule("linearity of $c$", ("c(s*a + b)", "s*c(a) + c(b)"), ("a", "b"), ("s",)),
    "dot of ones": Rule(r"$\langle \mathbf{1}, \mathbf{1}\rangle = n$", ("dot(ones, ones)", "n")),
    "norm of ones": Rule(r"$\lVert \mathbf{1}\rVert = \sqrt{n}$", ("norm(ones)", "sqrt(n)")),
    "hadamard with ones": Rule(
        r"$\langle a \odot b, \mathbf{1}\rangle = \langle a, b\rangle$",
        ("dot(hadamard(a, b), ones)", "dot(a, b)"),
        ("a", "b"),
    ),
    "homogeneity of norm": Rule(
        r"$\lVert s v\rVert = s \lVert v\rVert$ for $s > 0$",
        ("norm(s*v)", "s*norm(v)"),
        ("v",),
        ("s",),
        ("s > 0",),
    ),
    "c is orthogonal to ones": Rule(
        r"$\langle c(v), \mathbf{1}\rangle = 0$", ("dot(c(v), ones)", "0"), ("v",)
    ),
    "c is self-adjoint": Rule(
        r"$\langle c(a), b\rangle = \langle a, c(b)\rangle$",
        ("dot(c(a), b)", "dot(a, c(b))"),
        ("a", "b"),
    ),
    "variance as length": Rule(
        r"$\operatorname{Var}[x] = \lVert c(x)\rVert^2/n$", ("Var(x)", "norm(c(x))**2/n")
    ),
    "second moment": Rule(
        r"$\lVert x\rVert^2/n = \operatorname{Var}[x] + \mu(x)^2$",
        ("norm(x)**2/n", "Var(x) + mu(x)**2"),
    ),
    "main identity": Rule(
        r"$\operatorname{LN}(x) = \sqrt{n}\, u_{n\varepsilon}(c(x))$",
        ("LN(x)", "sqrt(n)*u(c(x), n*eps)"),
    ),
}

_DEFINITION = re.compile(r"definition of (\w+)\Z")
_FILE_KEYS = {
    "title",
    "description",
    "vectors",
    "scalars",
    "assumptions",
    "steps",
    "chains",
    "claims",
}
_CHAIN_KEYS = {"name", "assumptions", "steps"}
_STEP_KEYS = {"expr", "by"}
_CLAIM_KEYS = {"lhs", "rhs", "assumptions", "note", "expect"}


@dataclass(frozen=True)
class Step:
    """One line of a chain: an expression (its source text kept for display) and why it follows."""

    text: str
    expr: Expr
    by: tuple[str, ...] = ()
    line: int | None = None


@dataclass(frozen=True)
class Chain:
    """A chain of equal expressions; ``assumptions`` include the derivation's own."""

    name: str
    steps: tuple[Step, ...]
    assumptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Claim:
    """A statement the derivation expects to be false (it must be refuted, with a witness)."""

    lhs_text: str
    rhs_text: str
    lhs: Expr
    rhs: Expr
    assumptions: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Derivation:
    """A parsed derivation file."""

    path: Path
    title: str
    description: str
    vectors: tuple[str, ...]
    scalars: tuple[str, ...]
    assumptions: tuple[str, ...]
    chains: tuple[Chain, ...]
    claims: tuple[Claim, ...] = ()

    @property
    def name(self) -> str:
        """The file stem, e.g. ``01-main-identity``."""
        return self.path.stem

    @property
    def context(self) -> Context:
        return Context(vectors=self.vectors, scalars=self.scalars)


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
    claim: Claim
    proof: Proof

    @property
    def ok(self) -> bool:
        return self.proof.status is Status.REFUTED and self.proof.witness is not None


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
            f"{self.derivation.path}: claim {result.index} ({proof.lhs} = {proof.rhs}) was expected "
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
                    f"  claim {c.index} {expected}: {c.claim.lhs_text} = {c.claim.rhs_text}"
                )
                if c.proof.witness is not None:
                    lines += ["    " + w for w in c.proof.witness.describe(width=8).splitlines()]
        return "\n".join(lines + self.failures())

    def _repr_latex_(self) -> str:
        from lnsym.documents import derivation_markdown_math

        return derivation_markdown_math(self)


# --------------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------------


def load_derivations(path: str | Path) -> list[Derivation]:
    """A derivation file, or every ``*.toml`` of a directory (sorted by name)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.toml"))
        if not files:
            raise DerivationError(f"{path}: no *.toml derivation files in this directory")
        return [load_derivation(f) for f in files]
    return [load_derivation(path)]


def load_derivation(path: str | Path) -> Derivation:
    """Read and parse one derivation file (raises :class:`DerivationError` if malformed)."""
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DerivationError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise DerivationError(f"{path}: cannot read: {error}") from None
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        raise DerivationError(f"{path}: invalid TOML: {error}") from None
    return _Reader(path, source).derivation(data)


class _Reader:
    """Turns the TOML tables of one file into a :class:`Derivation`, naming the file in errors."""

    def __init__(self, path: Path, source: str) -> None:
        self.path = path
        # line numbers of the `expr = ...` keys, in file order (= step order)
        self.expr_lines = [
            number
            for number, line in enumerate(source.splitlines(), 1)
            if re.match(r"\s*(\{\s*)?expr\s*=", line) or re.search(r"\{\s*expr\s*=", line)
        ]
        self.step_count = 0

    def fail(self, message: str) -> DerivationError:
        return DerivationError(f"{self.path}: {message}")

    def derivation(self, data: dict[str, Any]) -> Derivation:
        self.check_keys(data, _FILE_KEYS, "the file")
        title = self.string(data, "title", "the file", required=True)
        vectors = self.names(data, "vectors", default=("x",))
        scalars = self.names(data, "scalars", default=())
        try:
            context = Context(vectors=vectors, scalars=scalars)
        except LnsymError as error:
            raise self.fail(str(error)) from None
        assumptions = self.assumptions(data, "the file", context)
        if ("steps" in data) == ("chains" in data):
            raise self.fail("write either [[steps]] (one chain) or [[chains]] (several), not both")
        if "steps" in data:
            raw_chains = [{"name": title, "steps": data["steps"]}]
        else:
            raw_chains = self.table_list(data, "chains", "the file")
        single = "steps" in data
        chains = tuple(
            self.chain(raw, number, context, assumptions, single=single)
            for number, raw in enumerate(raw_chains, 1)
        )
        if self.step_count != len(
            self.expr_lines
        ):  # inline tables on shared lines: no line numbers
            chains = tuple(
                Chain(c.name, tuple(Step(s.text, s.expr, s.by) for s in c.steps), c.assumptions)
                for c in chains
            )
        claims = tuple(
            self.claim(raw, number, context, assumptions)
            for number, raw in enumerate(self.table_list(data, "claims", "the file"), 1)
        )
        description = self.string(data, "description", "the file").strip()
        return Derivation(
            self.path, title, description, vectors, scalars, assumptions, chains, claims
        )

    def chain(
        self, raw: Any, number: int, context: Context, base: tuple[str, ...], *, single: bool
    ) -> Chain:
        where = f"chain {number}"
        if not isinstance(raw, dict):
            raise self.fail(f"{where} must be a table with name and steps")
        self.check_keys(raw, _CHAIN_KEYS, where)
        name = self.string(raw, "name", where, required=True)
        assumptions = base + self.assumptions(raw, where, context)
        raw_steps = self.table_list(raw, "steps", where)
        if len(raw_steps) < 2:
            raise self.fail(f"{where} ({name!r}) needs at least two steps; it has {len(raw_steps)}")
        steps = []
        kind: Kind | None = None
        for index, raw_step in enumerate(raw_steps, 1):
            label = f"step {index}" if single else f"{where}, step {index}"
            step, step_kind = self.step(raw_step, index, label, context)
            if kind is not None and step_kind is not kind:
                raise self.fail(
                    f"{label} is a {step_kind.value} but step {index - 1} is a {kind.value}; "
                    "every step of a chain has the same kind"
                )
            kind = step_kind
            steps.append(step)
        return Chain(name, tuple(steps), assumptions)

    def step(self, raw: Any, index: int, label: str, context: Context) -> tuple[Step, Kind]:
        if not isinstance(raw, dict):
            raise self.fail(f'{label} must be a table with expr and by, e.g. {{ expr = "LN(x)" }}')
        self.check_keys(raw, _STEP_KEYS, label)
        text = self.string(raw, "expr", label, required=True)
        expr, kind = self.parse(text, label, context)
        by = self.justification(raw.get("by"), label)
        if index > 1 and not by:
            raise self.fail(
                f'{label} needs a justification: by = "algebra", "definition of LN" or a rule '
                f"({', '.join(repr(r) for r in RULES)})"
            )
        line = self.expr_lines[self.step_count] if self.step_count < len(self.expr_lines) else None
        self.step_count += 1
        return Step(text, expr, by, line), kind

    def claim(self, raw: Any, number: int, context: Context, base: tuple[str, ...]) -> Claim:
        where = f"claim {number}"
        if not isinstance(raw, dict):
            raise self.fail(f"{where} must be a table with lhs and rhs")
        self.check_keys(raw, _CLAIM_KEYS, where)
        expect = raw.get("expect", "refuted")
        if expect != "refuted":
            raise self.fail(
                f"{where}: expect = {expect!r}; claims are statements expected to be refuted "
                "(write true statements as steps)"
            )
        lhs_text = self.string(raw, "lhs", where, required=True)
        rhs_text = self.string(raw, "rhs", where, required=True)
        lhs, lkind = self.parse(lhs_text, f"{where} lhs", context)
        rhs, rkind = self.parse(rhs_text, f"{where} rhs", context)
        if lkind is not rkind:
            raise self.fail(f"{where} equates a {lkind.value} and a {rkind.value}")
        assumptions = base + self.assumptions(raw, where, context)
        note = self.string(raw, "note", where).strip()
        return Claim(lhs_text, rhs_text, lhs, rhs, assumptions, note)

    # -- small readers ------------------------------------------------------------------------

    def check_keys(self, table: dict[str, Any], allowed: set[str], where: str) -> None:
        unknown = sorted(set(table) - allowed)
        if unknown:
            raise self.fail(
                f"unknown key {unknown[0]!r} in {where}; allowed: {', '.join(sorted(allowed))}"
            )

    def string(self, table: dict[str, Any], key: str, where: str, *, required: bool = False) -> str:
        value = table.get(key)
        if value is None:
            if required:
                raise self.fail(f'{where} needs {key} = "..."')
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(f"{key} in {where} must be a non-empty string")
        return value

    def names(self, data: dict[str, Any], key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return default
        if isinstance(value, str):
            return parse_names(value)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f'{key} must be a list of names, e.g. {key} = ["x", "w"]')
        return parse_names(value)

    def table_list(self, data: dict[str, Any], key: str, where: str) -> list[Any]:
        value = data.get(key, [])
        if not isinstance(value, list):
            raise self.fail(f"{key} in {where} must be an array of tables ([[{key}]])")
        return value

    def assumptions(self, table: dict[str, Any], where: str, context: Context) -> tuple[str, ...]:
        value = table.get("assumptions", [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f'assumptions in {where} must be a list of strings like "mu(x) = 0"')
        for text in value:
            try:
                parse_assumption(text, context)
            except LnsymError as error:
                raise self.fail(f"{where}: assumption {text!r}: {error}") from None
        return tuple(v.strip() for v in value)

    def parse(self, text: str, label: str, context: Context) -> tuple[Expr, Kind]:
        try:
            return parse_typed(text, context)
        except LnsymError as error:
            raise self.fail(f"{label}: {error}") from None

    def justification(self, value: Any, label: str) -> tuple[str, ...]:
        if value is None:
            return ()
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
            raise self.fail(f"by in {label} must be a string or a list of strings")
        for item in items:
            if justification_error(item) is not None:
                raise self.fail(f"{label}: {justification_error(item)}")
        return tuple(i.strip() for i in items)


def justification_error(text: str) -> str | None:
    """Why ``text`` is not a valid justification, or None if it is."""
    text = text.strip()
    if text in RULES:
        return None
    match = _DEFINITION.match(text)
    if match:
        if match.group(1) in DEFINITIONS:
            return None
        return f"unknown definition {match.group(1)!r} in {text!r}; known: {', '.join(DEFINITIONS)}"
    return (
        f'unknown justification {text!r}; use "definition of NAME" or one of the rules: '
        f"{', '.join(repr(r) for r in RULES)}"
    )


# --------------------------------------------------------------------------------------------------
# Checking
# --------------------------------------------------------------------------------------------------


def check_derivation(derivation: Derivation) -> DerivationResult:
    """Prove every step equal to the previous one and try to refute every claim."""
    start = time.perf_counter()
    chains = []
    many = len(derivation.chains) > 1
    for number, chain in enumerate(derivation.chains, 1):
        results = [StepResult(1, chain.steps[0], None)]
        for index in range(1, len(chain.steps)):
            before, step = chain.steps[index - 1], chain.steps[index]
            where = f"chain {number}, step {index + 1}" if many else f"step {index + 1}"
            proof = _prove(derivation, where, before.text, step.text, chain.assumptions)
            results.append(StepResult(index + 1, step, proof))
        chains.append(ChainResult(chain, tuple(results)))
    claims = tuple(
        ClaimResult(
            number,
            claim,
            _prove(
                derivation, f"claim {number}", claim.lhs_text, claim.rhs_text, claim.assumptions
            ),
        )
        for number, claim in enumerate(derivation.claims, 1)
    )
    return DerivationResult(derivation, tuple(chains), claims, time.perf_counter() - start)


def _prove(
    derivation: Derivation, where: str, lhs: str, rhs: str, assume: tuple[str, ...]
) -> Proof:
    # the prover parses the text itself, so that assumptions such as "s > 0" reach the symbols
    from lnsym.prover import prove

    try:
        return prove(
            lhs, rhs, vectors=derivation.vectors, scalars=derivation.scalars, assume=assume
        )
    except LnsymError as error:  # e.g. an unsupported construct: name the file and the step
        raise DerivationError(f"{derivation.path}: {where}: {error}") from None


def derive(
    path: str | Path | Iterable[Derivation], *, out: str | Path | None = None
) -> list[DerivationResult]:
    """Check the derivations at ``path`` (a file or directory); with ``out``, also write the
    documents (one standalone ``.tex`` per derivation, a combined ``.tex`` and a ``.md``) there,
    provided every derivation checked."""
    derivations: Sequence[Derivation]
    if isinstance(path, str | Path):
        derivations = load_derivations(path)
    else:
        derivations = list(path)
    results = [check_derivation(d) for d in derivations]
    if out is not None and all(r.ok for r in results):
        from lnsym.documents import write_documents

        write_documents(results, out)
    return results
