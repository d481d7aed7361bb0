r"""Verdicts: :class:`Proof` (what :func:`lnsym.prove` returns), :class:`Witness`, :class:`Status`.

The guarantee each status carries:

* ``proved`` — LHS − RHS was reduced to exactly zero by symbolic algebra, under the stated
  assumptions (n a positive integer, ε > 0, real values), wherever both sides are defined;
* ``refuted`` — a :class:`Witness` is attached: explicit n, ε and exact values, satisfying every
  assumption exactly, at which interval arithmetic encloses LHS − RHS away from 0 (the enclosures are
  part of the witness);
* ``unknown`` — neither; lnsym never guesses.
"""

from __future__ import annotations

import enum
from typing import Any, ClassVar

import sympy
from sympy import Expr

from lnsym.lang.latex import assumption_latex, latex
from lnsym.lang.parser import Assumption, Context
from lnsym.prover.assumptions import Step
from lnsym.records import FrozenRecord

__all__ = ["Proof", "Status", "Witness"]


class Status(enum.Enum):
    """The verdict of the prover."""

    PROVED = "proved"
    REFUTED = "refuted"
    UNKNOWN = "unknown"

    @property
    def exit_code(self) -> int:
        """The ``lnsym prove`` exit status: 0 proved, 1 refuted, 3 unknown."""
        return {"proved": 0, "refuted": 1, "unknown": 3}[self.value]


Number = str  # decimal strings keep every digit of a high-precision value


class Witness(FrozenRecord):
    """Concrete n, ε and values at which LHS and RHS differ (all numbers as decimal strings)."""

    __match_args__ = (
        "n",
        "eps",
        "values",
        "lhs",
        "rhs",
        "digits",
        "exact",
        "difference_enclosures",
    )
    __slots__ = __match_args__
    n: int
    eps: Number
    values: dict[str, Number | list[Number]]
    lhs: Number | list[Number]
    rhs: Number | list[Number]
    digits: int
    #: the exact values (rationals, or algebraic numbers in SymPy syntax) of the point.
    exact: dict[str, Any]
    #: interval enclosures of LHS − RHS (per entry for vectors); one excludes 0: the certificate.
    difference_enclosures: Any

    def __init__(
        self,
        n: int,
        eps: Number,
        values: dict[str, Number | list[Number]],
        lhs: Number | list[Number],
        rhs: Number | list[Number],
        digits: int = 50,
        exact: dict[str, Any] | None = None,
        difference_enclosures: Any = None,
    ) -> None:
        self._set(
            n=n,
            eps=eps,
            values=values,
            lhs=lhs,
            rhs=rhs,
            digits=digits,
            exact={} if exact is None else exact,
            difference_enclosures=difference_enclosures,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "eps": self.eps,
            "values": self.values,
            "lhs": self.lhs,
            "rhs": self.rhs,
            "digits": self.digits,
            "exact": self.exact,
            "difference_enclosures": self.difference_enclosures,
        }

    def describe(self, width: int = 12) -> str:
        """A few human-readable lines (values shortened to ``width`` significant digits)."""

        def short(v: Number | list[Number]) -> str:
            if isinstance(v, list):
                return "[" + ", ".join(_short(x, width) for x in v) + "]"
            return _short(v, width)

        lines = [f"  n = {self.n}, eps = {short(self.eps)}"]
        lines += [f"  {name} = {short(value)}" for name, value in self.values.items()]
        lines += [f"  lhs = {short(self.lhs)}", f"  rhs = {short(self.rhs)}"]
        return "\n".join(lines)


def _short(text: Number, width: int) -> str:
    try:
        value = sympy.Float(text, width)
    except (TypeError, ValueError):
        return text
    if value == int(value) and abs(value) < 10**width:
        return str(int(value))
    return f"{float(value):.{width}g}"


class Proof(FrozenRecord):
    """The result of :func:`lnsym.prove`: a verdict about ``lhs = rhs`` and how it was reached.

    ``bool(proof)`` is True exactly when the identity was proved.
    """

    __match_args__: ClassVar[tuple[str, ...]] = (
        "lhs",
        "rhs",
        "status",
        "method",
        "dim",
        "assumptions",
        "limits",
        "witness",
        "residual",
        "steps",
        "seconds",
        "conditions",
        "certificate",
        "checked",
        "check_note",
        "check_data",
        "check_seconds",
        "texts",
        "context",
    )
    __slots__ = __match_args__
    _uncompared = frozenset({"check_data"})
    lhs: Expr
    rhs: Expr
    status: Status
    method: str
    dim: int | None
    assumptions: tuple[Assumption, ...]
    limits: tuple[tuple[str, Expr], ...]
    witness: Witness | None
    residual: Expr | None
    steps: tuple[str, ...]
    seconds: float
    #: side conditions the proof needs (each "f != 0"), e.g. ``("c(x) != 0",)`` for a limit.
    conditions: tuple[str, ...]
    #: how the assumptions were used: steps each checkable by expansion (see Step.check).
    certificate: tuple[Step, ...]
    #: True when the trusted checker (:mod:`lnsym.check`) re-verified the certificate or witness.
    checked: bool
    #: what the checker said ("certificate checked …", "not checked: …", "certificate rejected: …").
    check_note: str
    #: the statement and certificate the checker read (``lnsym check`` re-reads them); left out of
    #: equality and repr.
    check_data: dict[str, Any] | None
    #: seconds spent finding the certificate and checking it (part of ``seconds``).
    check_seconds: float
    #: the sides as written (when given as text) and their names: LaTeX prints them as written.
    texts: tuple[str, str] | None
    context: Context | None

    def __init__(
        self,
        lhs: Expr,
        rhs: Expr,
        status: Status,
        method: str,
        dim: int | None = None,
        assumptions: tuple[Assumption, ...] = (),
        limits: tuple[tuple[str, Expr], ...] = (),
        witness: Witness | None = None,
        residual: Expr | None = None,
        steps: tuple[str, ...] = (),
        seconds: float = 0.0,
        conditions: tuple[str, ...] = (),
        certificate: tuple[Step, ...] = (),
        checked: bool = False,
        check_note: str = "",
        check_data: dict[str, Any] | None = None,
        check_seconds: float = 0.0,
        texts: tuple[str, str] | None = None,
        context: Context | None = None,
    ) -> None:
        self._set(
            lhs=lhs,
            rhs=rhs,
            status=status,
            method=method,
            dim=dim,
            assumptions=assumptions,
            limits=limits,
            witness=witness,
            residual=residual,
            steps=steps,
            seconds=seconds,
            conditions=conditions,
            certificate=certificate,
            checked=checked,
            check_note=check_note,
            check_data=check_data,
            check_seconds=check_seconds,
            texts=texts,
            context=context,
        )

    def _side_latex(self, index: int) -> str:
        if self.texts is not None:
            return latex(self.texts[index], context=self.context)
        return latex(self.lhs if index == 0 else self.rhs)

    def __bool__(self) -> bool:
        return self.status is Status.PROVED

    @property
    def proved(self) -> bool:
        return self.status is Status.PROVED

    @property
    def refuted(self) -> bool:
        return self.status is Status.REFUTED

    def statement(self) -> str:
        """``LHS = RHS`` in the expression language, with its conditions."""
        text = f"{self.lhs} = {self.rhs}"
        if self.limits:
            text += " as " + ", ".join(f"{s} -> {v}" for s, v in self.limits)
        conditions = [str(a) for a in self.assumptions]
        if self.dim is not None:
            conditions.insert(0, f"n = {self.dim}")
        text += f"  (given {', '.join(conditions)})" if conditions else ""
        if self.conditions and self.status is Status.PROVED:
            text += f"  for {', '.join(self.conditions)}"
        return text

    def latex(self) -> str:
        r"""The identity in LaTeX, e.g. ``\operatorname{LN}(x) = \sqrt{n} u_{n \varepsilon}(c(x))``."""
        relation = {Status.PROVED: "=", Status.REFUTED: r"\neq", Status.UNKNOWN: r"\overset{?}{=}"}
        left, right = self._side_latex(0), self._side_latex(1)
        text = f"{left} {relation[self.status]} {right}"
        if self.limits:
            arrows = r",\ ".join(rf"{_latex_name(s)} \to {latex(v)}" for s, v in self.limits)
            text = rf"\lim_{{{arrows}}} \left[{left} - {right}\right]"
            text += {Status.PROVED: " = 0", Status.REFUTED: r" \neq 0"}.get(
                self.status, r" \overset{?}{=} 0"
            )
        conditions = [assumption_latex(a) for a in self.assumptions]
        if self.dim is not None:
            conditions.insert(0, f"n = {self.dim}")
        if conditions:
            text += r" \quad \text{given } " + r",\ ".join(conditions)
        if self.conditions and self.status is Status.PROVED:
            text += r" \quad \text{for } " + r",\ ".join(
                getattr(c, "latex", str(c)) for c in self.conditions
            )
        return text

    def certificate_latex(self) -> str:
        """The certificate as an ``align*`` body: each use of an assumption, one per line."""
        lines = [
            rf"&{step.latex()} && \text{{({step.kind}: {step.source})}}"
            for step in self.certificate
        ]
        return " \\\\\n".join(lines)

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.latex()} \\quad \\text{{({self.status.value})}}$"

    def to_json(self) -> dict[str, Any]:
        """The verdict as JSON. A checked verdict's ``lhs`` and ``rhs`` are the sides as stated
        (the certificate's statement: what was proved or refuted, what ``lnsym check`` holds
        them to); ``read_as`` has them as the prover read them (SymPy's form, after the
        assumptions' substitutions)."""
        stated = (self.check_data or {}).get("statement") or {}
        read_as = {"lhs": str(self.lhs), "rhs": str(self.rhs)}
        return {
            "status": self.status.value,
            "lhs": stated.get("lhs", read_as["lhs"]),
            "rhs": stated.get("rhs", read_as["rhs"]),
            "read_as": read_as,
            "dim": self.dim,
            "assumptions": [str(a) for a in self.assumptions],
            "limits": {s: str(v) for s, v in self.limits},
            "method": self.method,
            "steps": list(self.steps),
            "witness": self.witness.to_json() if self.witness else None,
            "residual": None if self.residual is None else str(self.residual),
            "conditions": list(self.conditions),
            "certificate": [step.to_json() for step in self.certificate],
            "checked": self.checked,
            "check": {"note": self.check_note, **(self.check_data or {})},
            "seconds": round(self.seconds, 4),
        }

    def summary(self) -> str:
        """Two lines: the verdict with the statement, and the method."""
        return f"{self.status.value.upper()}: {self.statement()}\n  method: {self.method}"

    def report(self) -> str:
        """The human-readable report ``lnsym prove`` prints."""
        lines = [f"{self.status.value.upper()}: {self.statement()}", f"  method: {self.method}"]
        if self.conditions and self.status is Status.PROVED:
            lines.append("  conditions: " + ", ".join(self.conditions))
        if self.certificate:
            used = ", ".join(step.describe() for step in self.certificate)
            lines.append(f"  certificate: {used}")
        if self.check_note:
            lines.append(
                f"  checked: {self.check_note}" if self.checked else f"  {self.check_note}"
            )
        if self.witness is not None:
            lines.append(
                "  witness (exact values; interval arithmetic separates the sides; "
                "shown to 12 digits):"
            )
            lines.append(self.witness.describe())
        if self.status is Status.UNKNOWN and self.steps:
            lines.append(f"  why: {self.steps[-1]}")
        if self.residual is not None and self.status is not Status.PROVED:
            lines.append(f"  lhs - rhs reduces to: {self.residual}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()


def _latex_name(name: str) -> str:
    return r"\varepsilon" if name == "eps" else str(latex(sympy.Symbol(name)))
