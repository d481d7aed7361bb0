r"""ε-series: the expansion of an expression around ε = 0 (or a declared scalar = 0), every
coefficient proved.

The coefficient of :math:`\varepsilon^k` is :math:`a_k = \lim_{\varepsilon \to 0}
\frac{1}{k!}\frac{\partial^k F}{\partial \varepsilon^k}`. :func:`series` computes a candidate for
each :math:`a_k` by differentiating in the language (:mod:`lnsym.lang.calculus`) and setting
:math:`\varepsilon = 0`, then asks the prover to *prove* ``diff(…diff(F, eps)…, eps)/k! = a_k`` in
the limit :math:`\varepsilon \to 0` (generic values, :math:`c(x) \ne 0`). A coefficient that is not
proved is reported as such, never printed as if it were.

**The remainder is proved too.** Limits of the derivatives do not make a Taylor series by
themselves: :math:`\sqrt\varepsilon \to 0`, yet :math:`\sqrt\varepsilon \ne 0 + O(\varepsilon)`. So the
expansion to order :math:`K` is called proved only when, besides each :math:`a_k`, the next derivative
has a *finite* proved limit, :math:`F^{(K+1)}/(K+1)! \to a_{K+1}`. Then :math:`F^{(K+1)}` is bounded
on some :math:`(0, h)` and, by Taylor's theorem with the Lagrange remainder,
:math:`|F - \sum_{k \le K} a_k\varepsilon^k| \le \sup_{(0, \varepsilon)} |F^{(K+1)}|\,
\varepsilon^{K+1}/(K+1)!`, i.e. :math:`O(\varepsilon^{K+1})` (the expressions of the language are
algebraic in ε, so smooth on a small enough :math:`(0, h)` where they are defined). When that limit
is infinite or not proved (``sqrt(eps)``, ``eps*sqrt(eps)`` at order 1), the remainder is reported
as not proved and :attr:`Series.proved` is False.

>>> s = series("LN(x)", order=1)
>>> print(s)
LN(x) = LN(x, 0) - eps*c(x)/(2*Var(x)**(3/2)) + O(eps**2)
>>> s.proved
True

:func:`truncation_error` evaluates :math:`F - \sum_{k \le K} a_k \varepsilon^k` exactly (from the
decimal data, with mpmath) at given values: the error of stopping the series there.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import sympy
from sympy import Expr, Symbol

from lnsym.check.series import check_series
from lnsym.errors import LnsymError, UnsupportedError, argument, declare_hint
from lnsym.kernels.exact import Value, exact_rows
from lnsym.lang.calculus import PartialDerivative, derivative
from lnsym.lang.definitions import eps, kind_of
from lnsym.lang.latex import latex
from lnsym.lang.names import resolve
from lnsym.lang.parser import Context, parse_typed
from lnsym.numeric.data import Data, read_value
from lnsym.prover import prove
from lnsym.prover.verdict import Proof

__all__ = ["MAX_ORDER", "Series", "Term", "series", "truncation_error"]

#: the highest order accepted (each order differentiates the whole expression once more).
MAX_ORDER = 8


@dataclass(frozen=True)
class Term:
    """One term :math:`a_k\\,\\varepsilon^k` and the proof that :math:`a_k` is its coefficient."""

    power: int
    coefficient: Expr
    proof: Proof

    @property
    def proved(self) -> bool:
        return self.proof.proved


@dataclass(frozen=True)
class Series:
    """The expansion of ``expr`` in ``variable`` around 0, up to ``variable**order``."""

    expr: Expr
    variable: Symbol
    order: int
    terms: tuple[Term, ...]
    vectors: tuple[str, ...]
    scalars: tuple[str, ...]
    #: the proof that the next derivative has a finite limit (the remainder is O(v^(K+1))); None
    #: when its candidate is not finite at 0.
    remainder: Term | None = None
    #: why the remainder is not proved, when it is not.
    remainder_reason: str = ""
    #: an expansion in powers of sqrt(eps): ``(G, t)`` with ``G(t) = F(t**2)``; the term of
    #: power ``j`` is ``a_j * eps**(j/2)`` and its proof is about ``G`` as ``t -> 0``.
    half: tuple[Expr, Symbol] | None = None
    #: what the trusted checker (:func:`lnsym.check.series.check_series`) said of the expansion:
    #: accepted, or why not ("not checked: …" outside its rules, "rejected: …").
    checked: bool = False
    check_note: str = ""

    def _power(self, term: Term) -> Expr:
        return sympy.Rational(term.power, 2) if self.half is not None else sympy.Integer(term.power)

    @property
    def remainder_proved(self) -> bool:
        """Whether the remainder is proved to be O(variable^(order+1))."""
        return self.remainder is not None and self.remainder.proved

    @property
    def proved(self) -> bool:
        """Whether every coefficient and the order of the remainder are proved, and the trusted
        checker accepted the expansion (outside its rules, or rejected, it is not proved)."""
        return all(t.proved for t in self.terms) and self.remainder_proved and self.checked

    def truncated(self) -> Expr:
        """:math:`\\sum_k a_k\\,\\varepsilon^k` (the zero terms left out; half-integer powers for
        an expansion in :math:`\\sqrt\\varepsilon`)."""
        return sympy.Add(*(t.coefficient * self.variable ** self._power(t) for t in self.terms))

    def __str__(self) -> str:
        kept = [t for t in self.terms if t.coefficient != 0]
        body = " + ".join(_term_text(t.coefficient, self.variable, self._power(t)) for t in kept)
        body = body or "0"
        body = body.replace("+ -", "- ")
        unproved = "" if self.remainder_proved else "  (remainder not proved)"
        return f"{self.expr} = {body} + O({self.variable}**{self.order + 1}){unproved}"

    def latex(self) -> str:
        """The expansion in LaTeX."""
        kept = [t for t in self.terms if t.coefficient != 0]
        parts = [latex(t.coefficient * self.variable ** self._power(t)) for t in kept] or ["0"]
        body = " + ".join(parts).replace("+ -", "- ")
        big_o = latex(self.variable ** (self.order + 1))
        return f"{latex(self.expr)} = {body} + O\\left({big_o}\\right)"

    def report(self) -> str:
        """The expansion, then one line per coefficient with its proof status."""
        lines = [str(self)]
        expr, inner = self.half if self.half is not None else (self.expr, self.variable)
        if self.half is not None:
            lines.append(
                f"  in powers of sqrt({self.variable}): {self.variable} = {inner}**2, {inner} > 0, "
                f"G({inner}) = {expr}"
            )
        for t in self.terms:
            lhs = _coefficient_statement(expr, inner, t.power)
            conditions = f" for {', '.join(t.proof.conditions)}" if t.proof.conditions else ""
            lines.append(
                f"  {self.variable}**{_shown(self._power(t))}: {t.coefficient}   "
                f"[{t.proof.status.value}{conditions}: {lhs} -> {t.coefficient} as "
                f"{inner} -> 0; {t.proof.method}]"
            )
        lines.append(self._remainder_line())
        lines.append(f"  checked: {self.check_note}" if self.checked else f"  {self.check_note}")
        return "\n".join(lines)

    def _remainder_line(self) -> str:
        big_o = f"O({self.variable}**{self.order + 1})"
        expr, inner = self.half if self.half is not None else (self.expr, self.variable)
        statement = _coefficient_statement(
            expr, inner, self.remainder.power if self.remainder else self.order + 1
        )
        if self.remainder is None:
            return f"  remainder {big_o}: [not proved: {self.remainder_reason}]"
        proof = self.remainder.proof
        conditions = f" for {', '.join(proof.conditions)}" if proof.conditions else ""
        if not proof.proved:
            return (
                f"  remainder {big_o}: [{proof.status.value}: {statement} -> "
                f"{self.remainder.coefficient} as {inner} -> 0 is not proved; "
                f"{self.remainder_reason or proof.method}]"
            )
        return (
            f"  remainder {big_o}: [proved{conditions}: {statement} -> "
            f"{self.remainder.coefficient} (finite) as {inner} -> 0, so the Taylor "
            f"remainder is {big_o}]"
        )

    def certificate(self) -> dict[str, Any] | None:
        """What :func:`lnsym.check.series.check_series` re-checks: ``{"series": …, "terms": […]}``
        (the proof records of the coefficients, then the remainder's); None unless every one of
        them is proved and checked."""
        proofs = [t.proof for t in self.terms]
        proofs += [self.remainder.proof] if self.remainder is not None else []
        records = [p.check_data for p in proofs if p.checked and p.check_data is not None]
        if not self.remainder_proved or len(records) != len(proofs):
            return None
        half = str(self.half[1]) if self.half is not None else None
        first = records[0]["statement"]
        series = {
            "expr": str(self.expr),
            "variable": str(self.variable),
            "half": half,
            "vectors": list(first["vectors"]),
            "scalars": [name for name in first["scalars"] if name != half],
            "assume": [],
            "conditions": sorted({c for r in records for c in r["statement"]["conditions"]}),
            "coefficients": [str(t.coefficient) for t in self.terms],
        }
        return {"series": series, "terms": records}

    def to_json(self) -> dict[str, object]:
        return {
            "expr": str(self.expr),
            "variable": str(self.variable),
            "order": self.order,
            "proved": self.proved,
            "expansion": str(self),
            "latex": self.latex(),
            "terms": [
                {
                    "power": str(self._power(t)),
                    "coefficient": str(t.coefficient),
                    "status": t.proof.status.value,
                    "method": t.proof.method,
                }
                for t in self.terms
            ],
            "checked": self.checked,
            "check": self.check_note,
            "certificate": self.certificate(),
            "remainder": {
                "order": self.order + 1,
                "proved": self.remainder_proved,
                "status": self.remainder.proof.status.value if self.remainder else "unknown",
                "limit": str(self.remainder.coefficient) if self.remainder else None,
                "reason": self.remainder_reason,
            },
        }


def _shown(power: Expr) -> str:
    return str(power) if power.is_Integer else f"({power})"


def _term_text(coefficient: Expr, variable: Symbol, power: Expr) -> str:
    if power == 0:
        return str(coefficient)
    return str(coefficient * variable**power)


def _coefficient_statement(expr: Expr, variable: Symbol, power: int) -> Expr:
    """``diff(…diff(F, eps)…, eps)/k!``: the language's statement of the k-th coefficient."""
    lhs = expr
    for _ in range(power):
        lhs = PartialDerivative(lhs, variable)
    return lhs / math.factorial(power)


def series(
    expr: str | Expr,
    in_: str = "eps",
    order: int = 2,
    *,
    vectors: str | Iterable[str] | None = None,
    scalars: str | Iterable[str] | None = None,
) -> Series:
    """The expansion of ``expr`` around ``in_ = 0`` up to ``in_**order``, every coefficient proved.

    ``in_`` is ``eps`` or a declared scalar; ``vectors`` (default ``x``) and ``scalars`` declare
    the names of a text formula.
    """
    if isinstance(order, bool) or not isinstance(order, int) or not 0 <= order <= MAX_ORDER:
        raise LnsymError(f"{argument('order')} {order!r}: choose an integer from 0 to {MAX_ORDER}")
    context = resolve([expr], vectors=vectors, scalars=scalars)  # the one rule for names
    variable = context.variable(in_)
    if variable is None:
        raise LnsymError(
            f"cannot expand in {in_!r}; expand in eps or a declared scalar "
            f"({declare_hint(in_, 'scalar')})"
        )
    parsed = parse_typed(expr, context)[0] if isinstance(expr, str) else expr
    return _checked(_series(parsed, context, in_, order))


def _series(parsed: Expr, context: Context, in_: str, order: int) -> Series:
    variable = context.variable(in_)
    assert variable is not None
    try:
        terms, remainder, reason = _expand(parsed, context, in_, order)
    except UnsupportedError:
        half = _half_powers(parsed, context, order) if in_ == "eps" else None
        if half is not None and _found(half):
            return half
        raise
    result = Series(
        parsed,
        variable,
        order,
        terms,
        context.vectors,
        context.scalars,
        remainder=remainder,
        remainder_reason=reason,
    )
    if not result.remainder_proved and in_ == "eps":
        half = _half_powers(parsed, context, order)
        if half is not None and _found(half):
            return half
    return result


def _found(result: Series) -> bool:
    """Whether the prover proved every coefficient and the remainder (before the check)."""
    return all(t.proved for t in result.terms) and result.remainder_proved


def _checked(result: Series) -> Series:
    """The expansion with the trusted checker's verdict on it (:mod:`lnsym.check.series`)."""
    record = result.certificate()
    if record is None:
        reason = "a term is not checked" if _found(result) else "the expansion is not proved"
        return replace(result, check_note=f"not checked: {reason}")
    verdict = check_series(record["series"], record["terms"])
    if verdict.accepted:
        return replace(result, checked=True, check_note="series certificate checked by lnsym.check")
    prefix = "rejected" if verdict.checked else "not checked"
    return replace(result, check_note=f"{prefix}: {verdict.reason}")


def _expand(
    parsed: Expr, context: Context, in_: str, order: int, assume: tuple[str, ...] = ()
) -> tuple[tuple[Term, ...], Term | None, str]:
    """The terms up to ``in_**order``, each proved, and the remainder's proof (or why not)."""
    variable = context.variable(in_)
    assert variable is not None
    terms = []
    current = parsed
    for power in range(order + 1):
        if power:
            current = derivative(current, variable, sympy.S.One)
        candidate = _at_zero(current / math.factorial(power), variable)
        proof = _coefficient_proof(parsed, candidate, power, context, in_, assume)
        terms.append(Term(power, candidate, proof))
    remainder, reason = None, ""
    try:
        current = derivative(current, variable, sympy.S.One)
        candidate = _at_zero(current / math.factorial(order + 1), variable)
    except UnsupportedError:
        reason = (
            f"the derivative of order {order + 1} has no finite value at {variable} = 0 (the "
            "expansion may have fractional powers, or none)"
        )
    else:
        proof = _coefficient_proof(parsed, candidate, order + 1, context, in_, assume)
        remainder = Term(order + 1, candidate, proof)
        if not remainder.proved:
            reason = (
                f"the derivative of order {order + 1} is not proved to have a finite limit at "
                f"{variable} = 0"
            )
    return tuple(terms), remainder, reason


def _half_powers(parsed: Expr, context: Context, order: int) -> Series | None:
    r"""The expansion in powers of :math:`\sqrt\varepsilon`: with :math:`\varepsilon = t^2`
    (:math:`t > 0`), the Taylor series of :math:`G(t) = F(t^2)` to :math:`t^{2K+1}`, every
    coefficient and the remainder :math:`O(t^{2K+2}) = O(\varepsilon^{K+1})` proved as above;
    None when it cannot be formed."""
    taken = {*context.vectors, *context.scalars}
    name = next(f"t{suffix}" for suffix in ("", "_", "__", "___") if f"t{suffix}" not in taken)
    try:
        inner = Context(context.vectors, (*context.scalars, name), context.positive | {name})
        t = inner.variable(name)
        assert t is not None
        expanded = parsed.xreplace({eps: t**2})
        terms, remainder, reason = _expand(expanded, inner, name, 2 * order + 1, (f"{name} > 0",))
    except (LnsymError, UnsupportedError):
        return None
    return Series(
        parsed,
        eps,
        order,
        terms,
        context.vectors,
        context.scalars,
        remainder=remainder,
        remainder_reason=reason,
        half=(expanded, t),
    )


def _coefficient_proof(
    parsed: Expr,
    candidate: Expr,
    power: int,
    context: Context,
    in_: str,
    assume: tuple[str, ...] = (),
) -> Proof:
    """The proof of ``diff(…diff(F, v)…, v)/power! -> candidate`` as ``v -> 0``."""
    return prove(
        _coefficient_statement(parsed, context.variable(in_) or sympy.Symbol(in_), power),
        candidate,
        vectors=context.vectors,
        scalars=context.scalars,
        assume=assume,
        limit={in_: "0"},
    )


def _at_zero(expr: Expr, variable: Symbol) -> Expr:
    """``expr`` at ``variable = 0``, tidied; an error if it is not finite there."""
    value = expr.xreplace({variable: sympy.S.Zero})
    if value.has(sympy.nan):  # 0/0: factor the radicands (sqrt(eps**2*(1 + eps)) = eps*sqrt(...))
        factored = expr.replace(
            lambda e: isinstance(e, sympy.Pow) and e.exp.is_Rational and e.exp.q == 2,
            lambda e: sympy.Pow(sympy.factor(e.base), e.exp),
        )
        value = sympy.cancel(factored).xreplace({variable: sympy.S.Zero})
    if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise UnsupportedError(
            f"{expr} is not finite at {variable} = 0; the expression has no Taylor series there"
        )
    tidy = sympy.factor_terms(value)
    return tidy if kind_of(tidy) is kind_of(value) else value


def truncation_error(
    result: Series,
    values: Mapping[str, Data],
    *,
    at: str = "1e-5",
    eps: str = "1e-5",
    digits: int = 30,
) -> tuple[Value, Value]:
    """``(F, F − series)`` evaluated exactly at ``values`` with the expansion variable ``= at``
    (a decimal; ``eps`` is the regularizer when the expansion is in another scalar)."""
    remainder = result.expr - result.truncated()
    data = dict(values)
    if str(result.variable) == "eps":
        eps = at
    else:
        data[str(result.variable)] = read_value(at)
    value = exact_rows(result.expr, data, result.vectors, digits=digits, eps=eps)
    error = exact_rows(remainder, data, result.vectors, digits=digits, eps=eps)
    return value, error
