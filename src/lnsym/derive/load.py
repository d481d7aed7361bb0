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
named rule of :data:`~lnsym.derive.justifications.RULES` such as ``"algebra"`` or ``"linearity of
dot"``, or ``"definition of NAME"`` for a function of the language. A step may say how it
relates to the previous one with ``relation = "<="`` (or ``<``, ``>=``, ``>``; default ``=``): a
chain of scalars may mix ``=`` with steps of one direction, and its conclusion
(:attr:`Chain.conclusion`) is ``<=`` (``<`` when one step is strict). Several chains go under
``[[chains]]`` (each with ``name``, optional extra ``assumptions`` and its own
``[[chains.steps]]``). Claims the derivation expects to
be *false* go under ``[[claims]]`` (``lhs``, ``rhs``, optional ``relation``, ``assumptions`` and
``note``); each must
be refuted, and its witness is recorded in the report and the documents. A claim, like each pair
of consecutive steps, is a :class:`~lnsym.prover.statement.Statement`.

Every step is proved equal to the previous one by :func:`lnsym.prover.prove`, from scratch: the
justification documents the step for the reader, it is not trusted. Malformed files (and steps
the prover rejects as input) raise :class:`~lnsym.errors.DerivationError` naming the file and step;
steps that do not check are *reported*, never raised.

This module holds the format and the loading; the checking and its results are in
:mod:`lnsym.derive.check`, the named rules (:data:`~lnsym.derive.justifications.RULES`) in
:mod:`lnsym.derive.justifications`, and the documents in :mod:`lnsym.documents`.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sympy import Expr

from lnsym.derive.justifications import RULES, justification_error
from lnsym.errors import DerivationError, LnsymError, interface
from lnsym.lang.definitions import Kind
from lnsym.lang.names import Formula, resolve
from lnsym.lang.parser import Context, parse_assumption, parse_names, parse_typed
from lnsym.prover.statement import Statement
from lnsym.prover.verdict import Status

__all__ = ["Chain", "Derivation", "Step", "load_derivation", "load_derivations"]


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
_CHAIN_KEYS = {"name", "assumptions", "steps", "limit"}
_STEP_KEYS = {"expr", "by", "relation"}
_CLAIM_KEYS = {"lhs", "rhs", "assumptions", "note", "expect", "limit", "relation"}
_RELATIONS = ("=", "<=", "<", ">=", ">")


@dataclass(frozen=True)
class Step:
    """One line of a chain: an expression (its source text kept for display) and why it follows."""

    text: str
    expr: Expr
    by: tuple[str, ...] = ()
    line: int | None = None
    #: how this step relates to the previous one: ``=``, or ``<=``/``<``/``>=``/``>`` (scalars).
    relation: str = "="


@dataclass(frozen=True)
class Chain:
    """A chain of equal expressions; ``assumptions`` include the derivation's own."""

    name: str
    steps: tuple[Step, ...]
    assumptions: tuple[str, ...] = ()
    #: limits such as ``"eps=0"``: every step equals the previous one in that limit.
    limit: tuple[str, ...] = ()

    @property
    def conclusion(self) -> str:
        """The relation of the first step to the last: ``=`` when every step is ``=``; else the
        chain's direction, strict when one step is (``a = b <= c < d`` gives ``a < d``)."""
        relations = {s.relation for s in self.steps[1:]} - {"="}
        if not relations:
            return "="
        strict = relations & {"<", ">"}
        if relations & {"<", "<="}:
            return "<" if strict else "<="
        return ">" if strict else ">="


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
    #: statements expected to be refuted (``expect`` is :attr:`~lnsym.prover.verdict.Status.REFUTED`).
    claims: tuple[Statement, ...] = ()

    @property
    def name(self) -> str:
        """The file stem, e.g. ``01-main-identity``."""
        return self.path.stem

    @property
    def context(self) -> Context:
        return Context(vectors=self.vectors, scalars=self.scalars)


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
        try:
            with interface("toml"):
                context = resolve(
                    _statements(data),
                    vectors=self.names(data, "vectors", default=()),
                    scalars=self.names(data, "scalars", default=()),
                )
        except LnsymError as error:
            raise self.fail(str(error)) from None
        vectors, scalars = context.vectors, context.scalars
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
                Chain(
                    c.name,
                    tuple(Step(s.text, s.expr, s.by, relation=s.relation) for s in c.steps),
                    c.assumptions,
                )
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
            zero = step.expr == 0  # the literal 0 is the zero of either kind
            if kind is not None and step_kind is not kind and not zero:
                raise self.fail(
                    f"{label} is a {step_kind.value} but step {index - 1} is a {kind.value}; "
                    "every step of a chain has the same kind"
                )
            kind = kind if zero and kind is not None else step_kind
            steps.append(step)
        directions = {"<" if "<" in s.relation else ">" for s in steps if s.relation != "="}
        if len(directions) > 1:
            raise self.fail(
                f"{where} ({name!r}) mixes <= and >= steps; a chain goes in one direction"
            )
        if directions and kind is Kind.VECTOR:
            raise self.fail(f"{where} ({name!r}) orders vectors; only scalars can be ordered")
        return Chain(name, tuple(steps), assumptions, self.limits(raw, where))

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
        return Step(text, expr, by, line, self.relation(raw, label)), kind

    def relation(self, raw: dict[str, Any], where: str) -> str:
        value = raw.get("relation", "=")
        if value not in _RELATIONS:
            raise self.fail(
                f"relation in {where} must be one of {', '.join(_RELATIONS)}, not {value!r}"
            )
        return str(value)

    def claim(self, raw: Any, number: int, context: Context, base: tuple[str, ...]) -> Statement:
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
        if lkind is not rkind and lhs != 0 and rhs != 0:
            raise self.fail(f"{where} equates a {lkind.value} and a {rkind.value}")
        assumptions = base + self.assumptions(raw, where, context)
        note = self.string(raw, "note", where).strip()
        return Statement(
            lhs_text,
            rhs_text,
            context.vectors,
            context.scalars,
            assumptions,
            self.limits(raw, where),
            expect=Status.REFUTED,
            note=note,
            relation=self.relation(raw, where),
        )

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
            return parse_names(value, key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f'{key} must be a list of names, e.g. {key} = ["x", "w"]')
        return parse_names(value, key)

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

    def limits(self, table: dict[str, Any], where: str) -> tuple[str, ...]:
        value = table.get("limit", [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and "=" in v for v in value):
            raise self.fail(f'limit in {where} must be a string like "eps=0" or a list of them')
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


def _statements(data: dict[str, Any]) -> list[Formula]:
    """Every formula of a derivation file, for :func:`lnsym.lang.names.resolve`: consecutive steps and
    the sides of a claim as equations, assumptions as relations (malformed entries are skipped;
    the loader reports them)."""
    out: list[Formula] = []

    def texts(table: Any, key: str) -> list[str]:
        value = table.get(key, []) if isinstance(table, dict) else []
        value = [value] if isinstance(value, str) else value
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []

    chains = [data] + [c for c in data.get("chains", []) if isinstance(c, dict)]
    for table in chains:
        out += texts(table, "assumptions")
        steps = table.get("steps", [])
        exprs = [s["expr"] for s in steps if isinstance(s, dict) and isinstance(s.get("expr"), str)]
        out += list(itertools.pairwise(exprs)) or exprs
    claims = data.get("claims", [])
    for claim in claims if isinstance(claims, list) else []:
        if isinstance(claim, dict):
            out += texts(claim, "assumptions")
            sides = (claim.get("lhs"), claim.get("rhs"))
            if all(isinstance(side, str) for side in sides):
                out.append(sides)
    return out
