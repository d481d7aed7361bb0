r"""Inequalities ``LHS <= RHS`` (``<``, ``>=``, ``>``): an untrusted search for a positivity
certificate that :mod:`lnsym.check.positivity` then verifies exactly.

1. Both sides are normalized with the identities' machinery (:mod:`lnsym.prover.normal_form`), the
   equality assumptions applied (their steps go into the certificate), square roots canonicalized
   into radicals :math:`t = \sqrt f` (:mod:`lnsym.prover.radicals`); :math:`|u|` becomes the radical
   :math:`\sqrt{u^2}`.
2. ``big - small`` is brought over one denominator ``num/den``; ``den`` (nonzero wherever the sides
   are defined) is shown ``>= 0`` (or ``<= 0``, flipping ``num``), and ``num >= 0`` (``> 0``).
3. A polynomial in radicals, ``A + B t``, is nonnegative when ``A, B >= 0``; or when ``X - Y`` with
   ``X >= 0`` (``B t`` or ``A``) and ``X^2 - Y^2 >= 0`` — monotonicity of square roots, the square
   reduced with ``t^2 = f``. A polynomial without radicals: a sum of nonnegative monomials (``n``,
   ``eps``, ``|c(a)|^2``, positive scalars, radicals, even powers), after subtracting multiples of
   Gram determinants (Cauchy–Schwarz) and of ``n - 1`` (greedily, against its negative terms).
4. Not proved: a point meeting the assumptions exactly where ``big - small`` has the wrong sign,
   certified by interval arithmetic, refutes it; otherwise unknown.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from itertools import permutations
from typing import Any

import mpmath
import sympy
from sympy import Expr, Symbol

from lnsym.budget import DEFAULT_TIMEOUT, BudgetExceeded, time_budget
from lnsym.check.poly import Poly
from lnsym.check.positivity import CertificateError, check_positivity, poly_from_json
from lnsym.check.verify import check_inequality, check_refutation
from lnsym.errors import LnsymError, TypeMismatchError
from lnsym.lang.definitions import Kind, eps, kind_of, n
from lnsym.lang.parser import Assumption, Context
from lnsym.numeric.mpmath_eval import evaluate_mp
from lnsym.prover.assumptions import Step, apply_assumptions, coefficient_differences, positivity
from lnsym.prover.certify import domain_point_data, link_steps, statement_data
from lnsym.prover.inverses import inverse_pair, inverses_step
from lnsym.prover.normal_form import MeanAtom, NormalForm, PowerSum
from lnsym.prover.problem import Problem, setup
from lnsym.prover.radicals import Radical, Radicals
from lnsym.prover.verdict import Proof, Status, Witness
from lnsym.prover.witness import DIGITS, certified_sign, exact_value, find_point

__all__ = ["RELATIONS", "InequalityProof", "prove_inequality"]

#: the relations an inequality may use, and the one each reads as (``big - small`` ≥ or > 0).
RELATIONS = ("<=", "<", ">=", ">")
_EPSILONS = (sympy.Rational(1, 10), sympy.Rational(1), sympy.Rational(4), sympy.Rational(1, 1000))
_MAX_DEPTH = 6


class InequalityProof(Proof):
    """A verdict about ``lhs REL rhs``; ``certificate_data`` is the checked positivity certificate."""

    #: Proof's fields, then this class's two
    __match_args__ = (
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
        "relation",
        "certificate_data",
    )
    __slots__ = ("certificate_data", "relation")
    relation: str
    certificate_data: dict[str, Any] | None

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
        relation: str = "<=",
        certificate_data: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            lhs,
            rhs,
            status,
            method,
            dim,
            assumptions,
            limits,
            witness,
            residual,
            steps,
            seconds,
            conditions,
            certificate,
            checked,
            check_note,
            check_data,
            check_seconds,
            texts,
            context,
        )
        self._set(relation=relation, certificate_data=certificate_data)

    def statement(self) -> str:
        text = super().statement()
        left, right = self.texts if self.texts is not None else (self.lhs, self.rhs)
        return text.replace(f"{self.lhs} = {self.rhs}", f"{left} {self.relation} {right}", 1)

    def latex(self) -> str:
        symbol = {"<=": r"\le", "<": "<", ">=": r"\ge", ">": ">"}[self.relation]
        if self.status is Status.REFUTED:
            symbol = {"<=": r"\not\le", "<": r"\not<", ">=": r"\not\ge", ">": r"\not>"}[
                self.relation
            ]
        elif self.status is Status.UNKNOWN:
            symbol = rf"\overset{{?}}{{{symbol}}}"
        text = super().latex()
        marker = {Status.PROVED: "=", Status.REFUTED: r"\neq", Status.UNKNOWN: r"\overset{?}{=}"}
        return text.replace(f" {marker[self.status]} ", f" {symbol} ", 1)

    def report(self) -> str:
        text = super().report()
        if self.certificate_data is not None:
            facts = len(self.certificate_data["facts"])
            text += f"\n  positivity certificate: {facts} facts, checked exactly"
        return text

    def to_json(self) -> dict[str, Any]:
        out = super().to_json()
        out.update(relation=self.relation, checked=self.checked)
        out["positivity_certificate"] = self.certificate_data
        return out


def prove_inequality(
    lhs: str | Expr,
    relation: str,
    rhs: str | Expr,
    *,
    vectors: str | Iterable[str] | None = None,
    scalars: str | Iterable[str] | None = None,
    assume: str | Iterable[str] | None = (),
    dim: int | None = None,
    witness: bool = True,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> InequalityProof:
    """Decide ``lhs relation rhs`` (``<=``, ``<``, ``>=``, ``>``) wherever both sides are defined."""
    if relation not in RELATIONS:
        raise LnsymError(f"relation must be one of {', '.join(RELATIONS)}, not {relation!r}")
    start = time.perf_counter()
    problem: Problem | None = None
    found: Witness | None = None
    data: dict[str, Any] | None = None
    steps: list[Step] = []
    try:
        with time_budget(timeout):
            problem = setup(lhs, rhs, vectors=vectors, scalars=scalars, assume=assume, dim=dim)
            if problem.lhs.is_number and problem.rhs.is_number:
                pass
            elif _kind(problem) is Kind.VECTOR:
                raise TypeMismatchError(
                    f"{lhs} {relation} {rhs} compares vectors; only scalars can be ordered "
                    "(compare norms, e.g. norm(LN(x)) <= sqrt(n))"
                )
            data, why, steps = None, "it fails in floating point at a sample point", []
            if not (witness and _looks_false(problem, relation)):
                data, why, steps = _search(problem, relation)
            status = Status.PROVED if data is not None else Status.UNKNOWN
            if data is None and witness:
                found = _refute(problem, relation)
                if found is not None:
                    status = Status.REFUTED
                    why = "at the witness the relation fails (exact values, interval arithmetic)"
    except BudgetExceeded:
        if problem is None:
            raise LnsymError(f"reading the inequality took longer than {timeout} s") from None
        status, why, data = Status.UNKNOWN, f"time budget of {timeout:g} s exhausted", None
    method = {
        Status.PROVED: "positivity certificate (sums of squares times nonnegative facts), "
        "checked exactly",
        Status.REFUTED: f"certified witness at n = {found.n if found else '?'}",
        Status.UNKNOWN: "no positivity certificate found",
    }[status]
    checked, note, record = False, "", None
    if status is not Status.UNKNOWN:
        found_by = status
        status, checked, note, record = _recheck(problem, relation, (lhs, rhs), status, data, found)
        if status is Status.UNKNOWN:
            method = f"{found_by.value} by the prover; {note}"
            why, found, data, record = note, None, None, None
    return InequalityProof(
        lhs=problem.lhs,
        rhs=problem.rhs,
        status=status,
        method=method,
        dim=problem.dim,
        assumptions=problem.assumptions,
        witness=found,
        steps=(why,),
        seconds=time.perf_counter() - start,
        texts=(lhs, rhs) if isinstance(lhs, str) and isinstance(rhs, str) else None,
        context=problem.context,
        relation=relation,
        certificate=tuple(steps) if data is not None else (),
        certificate_data=data,
        checked=checked,
        check_note=note,
        check_data=record,
    )


def _recheck(
    problem: Problem,
    relation: str,
    texts: tuple[Any, Any],
    status: Status,
    data: dict[str, Any] | None,
    found: Witness | None,
) -> tuple[Status, bool, str, dict[str, Any]]:
    """The trusted checker's word: the positivity certificate linked to the statement (its own
    table computes big − small), or the witness re-evaluated in its rational balls; and the record
    it checked (``{"statement", "certificate"}``, what ``lnsym check`` reads back)."""
    statement = statement_data(texts, problem.context, problem.assumptions, problem.dim, ())
    statement["relation"] = relation
    if status is Status.PROVED:
        assert data is not None
        # where the assumptions hold and both sides are defined: no vacuous bound
        data = {**data, "point": domain_point_data(statement, problem.context, problem.assumptions)}
        steps = link_steps(statement, data)  # by which the link uses the equations, if any
        data = {**data, "steps": steps} if steps else data
        record = {"statement": statement, "certificate": data}
        verdict = check_inequality(statement, data)
        if verdict.accepted:
            note = "certificate and its link to the statement checked by lnsym.check"
            return status, True, note, record
        why = "certificate rejected" if verdict.checked else "not checked"
        return Status.UNKNOWN, False, f"{why}: {verdict.reason}", record
    assert found is not None
    exact = dict(found.exact)
    point = {"n": found.n, "eps": str(exact.pop("eps", found.eps)), "values": exact}
    record = {"statement": statement, "certificate": point}
    verdict = check_refutation(statement, point)
    if verdict.accepted:
        return status, True, "certificate checked by lnsym.check", record
    why = "certificate rejected" if verdict.checked else "not checked"
    return Status.UNKNOWN, False, f"{why}: {verdict.reason}", record


def _kind(problem: Problem) -> Kind:
    return kind_of(problem.lhs) if problem.lhs != 0 else kind_of(problem.rhs)


def _oriented(problem: Problem, relation: str) -> tuple[Expr, Expr, bool]:
    """``(big, small, strict)``."""
    if relation in ("<=", "<"):
        return problem.rhs, problem.lhs, relation == "<"
    return problem.lhs, problem.rhs, relation == ">"


# --------------------------------------------------------------------------------------------------
# the search
# --------------------------------------------------------------------------------------------------


def _search(problem: Problem, relation: str) -> tuple[dict[str, Any] | None, str, list[Step]]:
    forms = NormalForm()
    radicals = Radicals(forms.facts)
    big, small, strict = _oriented(problem, relation)
    knowledge = apply_assumptions(
        tuple(a for a in problem.assumptions if inverse_pair(a) is None),
        problem.context,
        forms,
        radicals,
        dim=problem.dim,
        vectors=problem.context.vectors,
        zero_vectors=problem.context.vectors if problem.dim == 1 else (),
    )
    if knowledge.unused:
        return None, "an equality assumption could not be used soundly", []
    (difference,) = coefficient_differences(forms(big), forms(small)).values()
    if problem.dim is not None:
        difference = difference.subs(n, problem.dim)
    canonical = knowledge.substitution.canonical(difference)
    builder = _Builder(problem, radicals)
    for assumption in problem.assumptions:
        if assumption.relation == "=" or positivity(assumption, problem.context):
            continue
        (d,) = coefficient_differences(forms(assumption.lhs), forms(assumption.rhs)).values()
        d = d if assumption.relation in (">", ">=") else -d
        d = knowledge.substitution.canonical(d.subs(n, problem.dim) if problem.dim else d)
        builder.assume(d, assumption.relation in (">", "<"), str(assumption))
    try:
        expr = builder.radical_form(canonical)
        num, den = sympy.fraction(sympy.together(expr))
        num, den = builder.reduce(num), builder.reduce(den)
        den_ref: str | None = "1"
        if den != 1:
            den_ref = builder.nonneg(den, False)
            if den_ref is None and (den_ref := builder.nonneg(-den, False)) is not None:
                num, den = -num, -den
        if den_ref is None:
            return None, "the sign of the denominator of big - small was not shown", []
        num_ref = builder.nonneg(num, strict)
    except _UnsupportedError as error:
        return None, str(error), []
    if num_ref is None:
        return None, f"no certificate that big - small {'>' if strict else '>='} 0 was found", []
    data = builder.certificate(num, den, strict, num_ref, den_ref)
    try:
        _checked_num, _checked_den, checked_strict = check_positivity(data)
    except CertificateError as error:
        return None, f"certificate rejected: {error}", []
    assert checked_strict == strict
    pairs = [inverses_step(pair) for a in problem.assumptions if (pair := inverse_pair(a))]
    return (
        data,
        "; ".join(
            [*pairs, "big - small = num/den with den >= 0 and num >= 0, certificate checked"]
        ),
        list(knowledge.steps),
    )


class _UnsupportedError(Exception):
    pass


class _Builder:
    """Collects radicals, assumptions and derived facts in the checker's JSON format."""

    def __init__(self, problem: Problem, radicals: Radicals) -> None:
        self.problem = problem
        self.radicals = radicals
        self.names: dict[Symbol, str] = {}  # radical symbol -> r0, r1, ...
        self.radicands: dict[Symbol, Expr] = {}
        self.order: list[Symbol] = []
        self.strict_roots: dict[Symbol, str] = {}
        self.assumed: list[tuple[Expr, bool, str]] = []
        self.facts: list[dict[str, Any]] = []
        self.memo: dict[tuple[Expr, bool], str | None] = {}
        self.positive = sorted(problem.context.positive)
        self.depth = 0

    # -- atoms ---------------------------------------------------------------------------------

    def radical_form(self, expr: Expr) -> Expr:
        """Replace radical symbols and ``Abs(u)`` by checker radicals ``r_k`` (registered in order)."""
        replaced: dict[Expr, Expr] = {}
        for part in sympy.postorder_traversal(expr):
            if isinstance(part, Radical):
                replaced[part] = self._radical(part, self.radicals.radicands[part])
            elif isinstance(part, sympy.Abs):
                replaced[part] = self._absolute(part.args[0])
            elif isinstance(part, sympy.Pow) and part.base.is_Rational and part.exp.is_Rational:
                if part.exp.q != 2 or part.base <= 0:
                    raise _UnsupportedError(f"{part} is not a square root of a positive number")
                replaced[part] = self._radical(part.base, part.base) ** part.exp.p
        out = expr.xreplace(replaced)
        for s in out.free_symbols:
            if s not in self.order and self._name(s) is None:
                raise _UnsupportedError(f"{s} is not an atom the checker knows")
        return out

    def _absolute(self, inner: Expr) -> Expr:
        """``|inner|``: factor by factor; a factor of unknown sign becomes ``sqrt(factor**2)``."""
        num, den = sympy.fraction(sympy.together(self.radical_form(inner)))
        out = sympy.S.One
        for part, sign in ((num, 1), (den, -1)):
            content, factors = sympy.factor_list(part)
            out *= abs(content) ** sign
            for f, k in factors:
                known = f.is_Symbol and self._variable_fact(f, False) is not None
                if k % 2 == 0 or known:
                    out *= f ** (k * sign)
                else:
                    out *= (self._radical(f, sympy.expand(f**2)) * f ** (k - 1)) ** sign
        return out

    def _radical(self, key: Expr, radicand: Expr) -> Symbol:
        radicand = sympy.expand(self.radical_form(radicand))
        for symbol, f in self.radicands.items():
            if f == radicand:
                return symbol
        if not radicand.is_polynomial(*radicand.free_symbols):
            raise _UnsupportedError(f"the radicand {radicand} is not a polynomial")
        symbol = sympy.Symbol(f"sqrt#{len(self.order)}", nonnegative=True)  # no user name
        self.names[symbol] = str(symbol)
        self.radicands[symbol] = radicand
        self.order.append(symbol)
        return symbol

    def _name(self, s: Expr) -> str | None:
        if s in self.names:
            return self.names[s]
        if s == n or s == eps or isinstance(s, MeanAtom | PowerSum):
            return str(s)
        if isinstance(s, Symbol) and s.name in self.problem.context.scalars:
            return s.name
        return None

    def assume(self, expr: Expr, strict: bool, text: str) -> None:
        try:
            form = self.reduce(self.radical_form(expr))
        except _UnsupportedError:
            return
        if form.is_polynomial(*form.free_symbols):
            self.assumed.append((form, strict, text))

    def reduce(self, expr: Expr) -> Expr:
        """Expanded, with every ``r**2`` replaced by its radicand (latest radical first)."""
        expr = sympy.expand(expr)
        squared = {p.base for p in expr.atoms(sympy.Pow) if p.exp.is_Integer and p.exp >= 2}
        for symbol in reversed(self.order):
            if symbol in squared:
                poly = sympy.Poly(expr, symbol)
                if poly.degree() >= 2:
                    f = self.radicands[symbol]
                    expr = sympy.expand(
                        sum(
                            (c * symbol ** (k % 2) * f ** (k // 2) for (k,), c in poly.terms()),
                            sympy.S.Zero,
                        )
                    )
        return expr

    # -- JSON ----------------------------------------------------------------------------------

    def to_json(self, expr: Expr) -> list[Any]:
        expr = sympy.expand(expr)
        if expr == 0:
            return []
        gens = sorted(expr.free_symbols, key=str)
        if not gens:
            return [[str(sympy.Rational(expr)), []]]
        poly = sympy.Poly(expr, *gens)
        names = []
        for g in gens:
            name = self._name(g)
            if name is None:
                raise _UnsupportedError(f"{g} is not an atom the checker knows")
            names.append(name)
        out = []
        for monomial, coeff in poly.terms():
            if not coeff.is_Rational:
                raise _UnsupportedError(f"coefficient {coeff} is not rational")
            powers = [[name, int(e)] for name, e in zip(names, monomial, strict=True) if e]
            out.append([str(coeff), sorted(powers)])
        return out

    def fact(self, expr: Expr, strict: bool, **rule: Any) -> str:
        self.facts.append({"poly": self.to_json(expr), "strict": strict, **rule})
        return f"#{len(self.facts) - 1}"

    def certificate(
        self, num: Expr, den: Expr, strict: bool, num_ref: str, den_ref: str | None
    ) -> dict[str, Any]:
        return {
            "kind": "positivity",
            "radicals": [[self.names[s], self.to_json(self.radicands[s])] for s in self.order],
            "positive": self.positive,
            "assumptions": [
                {"poly": self.to_json(e), "strict": s, "text": t} for e, s, t in self.assumed
            ],
            "facts": self.facts,
            "goal": {
                "num": self.to_json(num),
                "den": self.to_json(den),
                "strict": strict,
                "num_fact": num_ref,
                "den_fact": den_ref,
            },
        }

    # -- nonnegativity ---------------------------------------------------------------------------

    def nonneg(self, expr: Expr, strict: bool) -> str | None:
        """A reference to a fact ``expr >= 0`` (``> 0``), or None."""
        expr = self.reduce(expr)
        key = (expr, strict)
        if key in self.memo:
            return self.memo[key]
        if not strict and (expr, True) in self.memo and self.memo[(expr, True)]:
            return self.memo[(expr, True)]
        self.memo[key] = None
        if self.depth > _MAX_DEPTH:
            return None
        self.depth += 1
        try:
            found = self._nonneg(expr, strict)
        finally:
            self.depth -= 1
        self.memo[key] = found
        return found

    def _product(self, expr: Expr, strict: bool, *, full: bool) -> str | bool | None:
        """A product of factors, each of known sign: the product of their facts (False: not a
        product). ``full``: factor into irreducibles (slow); else pull out common monomials."""
        if full:
            content, factors = sympy.factor_list(expr)
        else:
            content, rest = sympy.factor_terms(expr).as_coeff_Mul()
            factors = [part.as_base_exp() for part in sympy.Mul.make_args(rest)]
            if not all(k.is_Integer and k > 0 for _, k in factors):
                return False
            factors = [(f, int(k)) for f, k in factors]
        if len(factors) < 2 and not (factors and factors[0][1] > 1):
            return False
        refs: list[str] = []
        sign = 1 if content > 0 else -1
        square = sympy.S.One
        for f, k in factors:
            if strict:  # a strictly positive factor (or its negation) cited k times
                ref = self.nonneg(f, True)
                if ref is None and (ref := self.nonneg(-f, True)) is not None:
                    sign = sign * (-1) ** k
                if ref is None:
                    return None
                refs += [ref] * k
                continue
            square *= f ** (k // 2)
            if k % 2 == 0:
                continue
            ref = self.nonneg(f, False)
            if ref is None and (ref := self.nonneg(-f, False)) is not None:
                sign = -sign
            if ref is None:
                return None
            refs.append(ref)
        if sign < 0 or (strict and square != 1):
            return None
        term = {"coeff": str(abs(content)), "facts": refs, "square": self.to_json(square)}
        return self.fact(expr, strict, rule="sum", terms=[term])

    def _nonneg(self, expr: Expr, strict: bool) -> str | None:
        if expr.is_number:
            return self._polynomial(expr, strict)
        product = self._product(expr, strict, full=False)
        if isinstance(product, str):
            return product
        present = [s for s in reversed(self.order) if expr.has(s)]
        if not present:
            found = self._polynomial(expr, strict)
        else:  # products compared factor by factor first: cheap, and it avoids large squares
            found = None if strict else self._termwise(expr)
            if found is None:
                found = self._split_radical(expr, present[0], strict)
        if found is None and product is False:
            full = self._product(expr, strict, full=True)
            found = full if isinstance(full, str) else None
        return found

    def _split_radical(self, expr: Expr, t: Symbol, strict: bool) -> str | None:
        poly = sympy.Poly(expr, t)
        b = poly.coeff_monomial(t)
        a = sympy.expand(expr - b * t)
        # A >= 0 and B >= 0
        fa = self.nonneg(a, strict) if a != 0 else "zero"
        fb = self.nonneg(b, False)
        if fa is not None and fb is not None:
            terms = [{"coeff": "1", "facts": [fb, f"root:{self.names[t]}"], "square": [["1", []]]}]
            if fa != "zero":
                terms.append({"coeff": "1", "facts": [fa], "square": [["1", []]]})
                return self.fact(expr, strict, rule="sum", terms=terms)
            if not strict:
                return self.fact(expr, False, rule="sum", terms=terms)
            fb = self.nonneg(b, True)
            root = self._strict_root(t)
            if fb is not None and root is not None:
                terms = [{"coeff": "1", "facts": [fb, root], "square": [["1", []]]}]
                return self.fact(expr, True, rule="sum", terms=terms)
        # X - Y with X >= 0: X = B t (B >= 0), Y = -A; or X = A (A >= 0), Y = -B t
        for x, y in ((b * t, -a), (a, -b * t)):
            if x == 0:
                continue
            fx = self.nonneg(x, False)
            if fx is None:
                continue
            squares = self.reduce(x * x - y * y)
            fd = self.nonneg(squares, strict)
            if fd is not None:
                return self.fact(expr, strict, rule="sqrt", x=fx, y=self.to_json(y), squares=fd)
        return None

    def _termwise(self, expr: Expr) -> str | None:
        """``x1*x2 - y1*y2 = x1*(x2 - y2) + y2*(x1 - y1)``: products compared factor by factor
        (``x1, y2 >= 0``, ``x1 >= y1``, ``x2 >= y2``)."""
        terms = sympy.Add.make_args(expr)
        if len(terms) != 2:
            return None
        plus = [u for u in terms if u.as_coeff_Mul()[0] > 0]
        minus = [-u for u in terms if u.as_coeff_Mul()[0] < 0]
        if len(plus) != 1 or len(minus) != 1:
            return None

        def factors(u: Expr) -> list[Expr]:
            coeff, rest = u.as_coeff_Mul()
            flat: list[Expr] = []
            for part in sympy.Mul.make_args(rest):
                base, exponent = part.as_base_exp()
                flat += [base] * int(exponent) if exponent.is_Integer and exponent > 0 else [part]
            return [coeff * flat[0], *flat[1:]]

        xs, ys = factors(plus[0]), factors(minus[0])
        if len(xs) > 3 or len(ys) > 3 or max(len(xs), len(ys)) < 2:
            return None
        while len(xs) < len(ys):
            xs.append(sympy.S.One)
        while len(ys) < len(xs):
            ys.append(sympy.S.One)
        for order in permutations(range(len(ys))):
            y = [ys[i] for i in order]
            if len(xs) == 2:
                (x1, x2), (y1, y2) = xs, y
                refs = [self.nonneg(x1, False), self.nonneg(y2, False)]
                if None in refs:
                    continue
                d1, d2 = self.nonneg(x1 - y1, False), self.nonneg(x2 - y2, False)
                if d1 is None or d2 is None:
                    continue
                one = [["1", []]]
                terms_ = [
                    {"coeff": "1", "facts": [refs[0], d2], "square": one},
                    {"coeff": "1", "facts": [refs[1], d1], "square": one},
                ]
                return self.fact(expr, False, rule="sum", terms=terms_)
        return None

    def _strict_root(self, t: Symbol) -> str | None:
        if t not in self.strict_roots:
            found = self.nonneg(self.radicands[t], True)
            self.strict_roots[t] = (
                self.fact(t, True, rule="root", radical=self.names[t], radicand=found)
                if found is not None
                else ""
            )
        return self.strict_roots[t] or None

    # -- polynomials -----------------------------------------------------------------------------

    def _variable_fact(self, s: Symbol, strict: bool) -> str | None:
        """A basic fact citing ``s >= 0`` (``> 0`` when strict), or None."""
        for index, (poly, assumed_strict, _) in enumerate(self.assumed):
            if poly == s and (assumed_strict or not strict):
                return f"assume:{index}"
        if s == n or s == eps:
            return str(s)
        if isinstance(s, Symbol) and s.name in self.problem.context.positive:
            return f"pos:{s.name}"
        if strict:
            for index, (poly, assumed_strict, _) in enumerate(self.assumed):
                if assumed_strict and self.radicands.get(poly) == s:  # r > 0 gives r**2 = s > 0
                    twice = {"coeff": "1", "facts": [f"assume:{index}"] * 2, "square": [["1", []]]}
                    return self.fact(s, True, rule="sum", terms=[twice])
            return self._strict_root(s) if s in self.names else None
        if isinstance(s, PowerSum) and s.is_nonnegative:
            return str(s)
        return f"root:{self.names[s]}" if s in self.names else None

    def _monomial(
        self, coeff: Expr, powers: dict[Symbol, int], strict: bool
    ) -> tuple[dict[str, Any], bool] | None:
        """``coeff * prod(s**k)`` as one term of a sum fact, and whether the term is strict."""
        if not (coeff.is_Rational and coeff > 0):
            return None
        facts: list[str] = []
        square = sympy.S.One
        positive = True
        for s, k in powers.items():
            if k == 0:
                continue
            cheap = s in (n, eps) or s.name in self.problem.context.positive
            strong = self._variable_fact(s, True) if strict or cheap else None
            if strong is not None:
                facts += [strong] * k
                continue
            positive = False
            if k % 2:
                weak = self._variable_fact(s, False)
                if weak is None:
                    return None
                facts.append(weak)
            square *= s ** (k // 2)
        term = {"coeff": str(coeff), "facts": facts, "square": self.to_json(square)}
        return term, positive

    def _polynomial(self, expr: Expr, strict: bool) -> str | None:
        found = self._polynomial_once(expr, strict, assumptions_first=False)
        if found is None and strict and self.assumed:
            found = self._polynomial_once(expr, strict, assumptions_first=True)
        return found

    def _polynomial_once(self, expr: Expr, strict: bool, *, assumptions_first: bool) -> str | None:
        if expr == 0:
            return None if strict else self.fact(expr, False, rule="sum", terms=[])
        gens = sorted(expr.free_symbols, key=str)
        if not gens and not expr.is_Rational:  # e.g. I: a root of a negative number
            raise _UnsupportedError(
                f"{expr} is not real: a root of a negative number where the assumptions hold"
            )
        try:
            rest: dict[tuple[int, ...], Expr] = (
                dict(sympy.Poly(expr, *gens).terms()) if gens else {(): sympy.Rational(expr)}
            )
        except sympy.PolynomialError:  # alpha**(1/3): a power the certificates cannot name
            raise _UnsupportedError(f"{expr} is not a polynomial in its atoms") from None
        terms: list[dict[str, Any]] = []
        while True:
            negative = sorted(m for m, c in rest.items() if c < 0)
            if not negative:
                break
            moved = self._pair(gens, negative[0], rest, assumptions_first)
            if moved is None:
                return None
            terms.append(moved)
        positive = False
        for m, c in rest.items():
            made = self._monomial(c, dict(zip(gens, m, strict=True)), strict)
            if made is None:
                return None
            terms.append(made[0])
            positive = positive or made[1]
        if strict and not positive:
            return None
        return self.fact(expr, strict, rule="sum", terms=terms)

    def _pair(
        self,
        gens: list[Symbol],
        m: tuple[int, ...],
        rest: dict[tuple[int, ...], Expr],
        assumptions_first: bool,
    ) -> dict[str, Any] | None:
        """Cancel the negative term at monomial ``m`` with a nonnegative multiple of ``n - 1``, of
        a Gram determinant or of an assumption; updates ``rest`` and returns the sum fact's term.
        Accepted only when no new negative term appears (so the loop ends)."""
        powers = dict(zip(gens, m, strict=True))
        monomial = sympy.Mul(*(s**k for s, k in powers.items()))
        candidates: list[tuple[str, Expr]] = [("n-1", n - 1)]
        for s, k in powers.items():
            if isinstance(s, PowerSum) and len(set(s.names)) == 2 and k >= 2:
                a, b = s.names
                candidates.append((f"gram:{a},{b}", PowerSum((a, a)) * PowerSum((b, b)) - s**2))
        assumed = [(f"assume:{i}", poly) for i, (poly, _, _) in enumerate(self.assumed)]
        candidates = assumed + candidates if assumptions_first else candidates + assumed
        old_negative = {k for k, v in rest.items() if v < 0} - {m}
        for ref, poly in candidates:
            if not poly.free_symbols <= set(gens):
                continue
            for lead, lead_coeff in sympy.Poly(poly, *gens).terms():
                if lead_coeff >= 0:
                    continue
                shift = [a - b for a, b in zip(m, lead, strict=True)]
                if min(shift) < 0:
                    continue
                scale = rest[m] / lead_coeff  # > 0
                made = self._monomial(scale, dict(zip(gens, shift, strict=True)), False)
                if made is None:
                    continue
                quotient = sympy.Mul(*(s**k for s, k in zip(gens, shift, strict=True)))
                trial = dict(rest)
                for mono, coeff in sympy.Poly(scale * quotient * poly, *gens).terms():
                    trial[mono] = trial.get(mono, sympy.S.Zero) - coeff
                trial = {k: v for k, v in trial.items() if v != 0}
                if not {k for k, v in trial.items() if v < 0} <= old_negative:
                    continue
                rest.clear()
                rest.update(trial)
                term = made[0]
                term["facts"] = [ref, *term["facts"]]
                return term
        del monomial
        return self._pair_norm(gens, m, rest, old_negative)

    def _pair_norm(
        self,
        gens: list[Symbol],
        m: tuple[int, ...],
        rest: dict[tuple[int, ...], Expr],
        old_negative: set[tuple[int, ...]],
    ) -> dict[str, Any] | None:
        """Cancel ``c * M * P[a,b]`` (c < 0) with ``A * P[a,a]`` and ``B * P[b,b]`` by a multiple
        of the squared norm of a combination, :math:`G\\lVert \alpha c(a) - \beta c(b)\rVert^2`
        (the case :math:`M^2 = AB` of monomials, :math:`c^2 \\le 4AB` of coefficients)."""
        index = {g: i for i, g in enumerate(gens)}
        for s, k in zip(gens, m, strict=True):
            if not (isinstance(s, PowerSum) and len(s.names) == 2 and k == 1):
                continue
            a, b = s.names
            if a == b or PowerSum((a, a)) not in index or PowerSum((b, b)) not in index:
                continue
            e_m = list(m)
            e_m[index[s]] -= 1
            ia, ib = index[PowerSum((a, a))], index[PowerSum((b, b))]
            for mono_a, coeff_a in list(rest.items()):
                for mono_b, coeff_b in list(rest.items()):
                    if coeff_a <= 0 or coeff_b <= 0 or mono_a[ia] < 1 or mono_b[ib] < 1:
                        continue
                    e_a, e_b = list(mono_a), list(mono_b)
                    e_a[ia] -= 1
                    e_b[ib] -= 1
                    if any(x + y != 2 * z for x, y, z in zip(e_a, e_b, e_m, strict=True)):
                        continue
                    half = -rest[m] / 2
                    if half**2 > coeff_a * coeff_b:
                        continue
                    g = [min(x, y, z) for x, y, z in zip(e_a, e_b, e_m, strict=True)]
                    if any((x - y) % 2 for x, y in zip(e_a, g, strict=True)):
                        continue
                    made = self._monomial(coeff_a, dict(zip(gens, g, strict=True)), False)
                    if made is None:
                        continue
                    alpha = sympy.Mul(
                        *(v ** ((x - y) // 2) for v, x, y in zip(gens, e_a, g, strict=True))
                    )
                    beta = sympy.Mul(
                        *(v ** ((x - y) // 2) for v, x, y in zip(gens, e_b, g, strict=True))
                    )
                    beta = -(half / coeff_a) * beta
                    norm = sympy.expand(
                        alpha**2 * PowerSum((a, a))
                        + 2 * alpha * beta * s
                        + beta**2 * PowerSum((b, b))
                    )
                    quotient = sympy.Mul(*(v**y for v, y in zip(gens, g, strict=True)))
                    trial = dict(rest)
                    for mono, coeff in sympy.Poly(coeff_a * quotient * norm, *gens).terms():
                        trial[mono] = trial.get(mono, sympy.S.Zero) - coeff
                    trial = {key: v for key, v in trial.items() if v != 0}
                    if not {key for key, v in trial.items() if v < 0} <= old_negative:
                        continue
                    ref = self.fact(
                        norm,
                        False,
                        rule="norm",
                        names=[a, b],
                        coeffs=[self.to_json(alpha), self.to_json(beta)],
                    )
                    rest.clear()
                    rest.update(trial)
                    term = made[0]
                    term["facts"] = [ref, *term["facts"]]
                    return term
        return None


# --------------------------------------------------------------------------------------------------
# refutation
# --------------------------------------------------------------------------------------------------


def _refute(problem: Problem, relation: str) -> Witness | None:
    big, small, strict = _oriented(problem, relation)
    wrong = {-1, 0} if strict else {-1}
    dims = (problem.dim,) if problem.dim is not None else (4, 3, 5, 2, 6, 8, 1)
    found: list[Witness] = []

    def accept(point: Any) -> bool:
        if _clearly_holds(big, small, point):
            return False  # a quick look in floating point: no exact evaluation needed
        left, right = exact_value(problem.lhs, point), exact_value(problem.rhs, point)
        b, s = exact_value(big, point), exact_value(small, point)
        if left is None or right is None or b is None or s is None:
            return False
        if isinstance(b, list) or isinstance(s, list):
            return False  # only scalars are ordered
        sign, box = certified_sign(sympy.nsimplify(b - s) if b.is_Float or s.is_Float else b - s)
        if sign not in wrong:
            return False
        found.append(_witness(point, left, right, box))
        return True

    fixed_scalars: Mapping[str, Expr] = {}
    for epsilon in _EPSILONS:
        if find_point(
            problem.context,
            problem.assumptions,
            dims,
            accept=accept,
            fixed={**fixed_scalars, "eps": epsilon},
            attempts=24,
        ):
            return found[-1]
    return None


def _looks_false(problem: Problem, relation: str) -> bool:
    """A quick look before the search: does the relation fail by a wide margin at one of a few
    sample points, in floating point? (Then only a certified witness can settle it.)"""
    if any(a.relation == "=" for a in problem.assumptions):
        return False  # meeting equations exactly costs more than the look saves
    big, small, _ = _oriented(problem, relation)
    dims = (problem.dim,) if problem.dim is not None else (4, 3)
    for epsilon in (sympy.Rational(1, 10), sympy.Rational(4)):
        found = find_point(
            problem.context,
            problem.assumptions,
            dims,
            accept=lambda point: _clearly_holds(small, big, point),
            fixed={"eps": epsilon},
            attempts=3,
        )
        if found is not None:
            return True
    return False


def _clearly_holds(big: Expr, small: Expr, point: Any) -> bool:
    """Does ``big - small`` (not) fail at ``point`` by a wide margin, in 30-digit arithmetic?
    Only ever used to skip a point; a witness is always certified exactly."""

    def decimal(v: Expr) -> str:
        return str(sympy.N(v, 40))

    values = {
        k: [decimal(v) for v in x] if isinstance(x, list) else decimal(x)
        for k, x in point.values.items()
    }
    try:
        b = evaluate_mp(big, values, n=point.n, eps=decimal(point.eps), digits=30)
        s = evaluate_mp(small, values, n=point.n, eps=decimal(point.eps), digits=30)
        gap = b - s
        scale = 1 + abs(b) + abs(s)
    except (ArithmeticError, ValueError, TypeError, ZeroDivisionError):
        return False
    if isinstance(gap, list) or not mpmath.isfinite(gap) or isinstance(gap, mpmath.mpc):
        return False
    return bool(gap > mpmath.mpf("1e-12") * scale)


def _witness(point: Any, left: Expr, right: Expr, box: str) -> Witness:
    def decimal(v: Any) -> Any:
        if isinstance(v, list):
            return [decimal(x) for x in v]
        return str(v) if v.is_Integer else sympy.N(v, DIGITS).__str__()

    return Witness(
        n=point.n,
        eps=decimal(point.eps),
        values={k: decimal(v) for k, v in point.values.items()},
        lhs=decimal(left),
        rhs=decimal(right),
        digits=DIGITS,
        exact={
            k: [str(x) for x in v] if isinstance(v, list) else str(v)
            for k, v in point.values.items()
        }
        | {"eps": str(point.eps)},
        difference_enclosures=box,
    )


def poly_of(data: list[Any]) -> Poly:
    """The checker's polynomial of a JSON term list (for tests and reports)."""
    return poly_from_json(data)
