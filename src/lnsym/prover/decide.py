"""The prover: ``prove(lhs, rhs, ...)`` → :class:`~lnsym.prover.verdict.Proof`.

1. Parse both sides (and the assumptions) into typed expressions.
2. Normalize both with one shared :class:`~lnsym.prover.normal_form.NormalForm`: definitions are expanded into
   ``dot``/``hadamard``, vectors become coefficients over basis atoms (:mod:`lnsym.prover.normal_form`).
3. Substitute ``n = N`` for an explicit dimension (at n = 1 every centered vector is 0); use the
   equality assumptions only through equivalences (:mod:`lnsym.prover.assumptions`: no division by anything
   that may vanish), each step recorded in the certificate; inequalities become facts.
4. Take limits after the assumptions, by Taylor expansion, with the conditions they need.
5. Canonicalize square roots and test every coefficient of LHS − RHS for exact zero
   (:mod:`lnsym.prover.radicals`), or, for a vector, every ``<LHS − RHS, B>``: all zero → **proved** (with
   the conditions, once a point satisfying them and the assumptions is exhibited).
6. Otherwise, for a small explicit dimension, retry componentwise; then search a certified witness
   (:mod:`lnsym.prover.witness`): found → **refuted**; else **unknown**. All within a time budget.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

import sympy
from sympy import Expr, Symbol

import lnsym.prover as prover
from lnsym.budget import DEFAULT_TIMEOUT, BudgetExceeded, time_budget
from lnsym.check.verify import Verdict
from lnsym.errors import LnsymError, UnsupportedError, argument
from lnsym.lang.definitions import (
    Center,
    Hadamard,
    VectorSymbol,
    n,
    ones,
)
from lnsym.lang.parser import (
    STATEMENT_RELATIONS,
    free_names,
    split_relation,
    used_names,
)
from lnsym.lang.walker import Evaluator
from lnsym.prover.assumptions import (
    Knowledge,
    Step,
    Substitution,
    apply_assumptions,
    coefficient_differences,
)
from lnsym.prover.certify import certify_proof, certify_refutation, statement_data
from lnsym.prover.domain import domain_point, written_forms
from lnsym.prover.inverses import inverse_pair, inverses_step
from lnsym.prover.limits import Condition, describe_condition, limit_of
from lnsym.prover.normal_form import (
    SCALAR,
    Component,
    ComponentwiseBackend,
    NormalForm,
    atoms_to_language,
)
from lnsym.prover.problem import MAX_DIM, Problem, setup
from lnsym.prover.radicals import Radicals
from lnsym.prover.verdict import Proof, Status, Witness
from lnsym.prover.witness import Point, find_limit_witness, find_witness
from lnsym.records import FrozenRecord, Record, replace

__all__ = ["COMPONENTWISE_MAX_DIM", "MAX_DIM", "Problem", "prove", "setup"]  # setup: prover.problem

#: explicit dimensions up to this size are also tried componentwise (degenerate small n).
COMPONENTWISE_MAX_DIM = 6


def prove(
    lhs: str | Expr,
    rhs: str | Expr | None = None,
    *,
    relation: str = "=",
    vectors: str | Iterable[str] | None = None,
    scalars: str | Iterable[str] | None = None,
    assume: str | Iterable[str] | None = (),
    dim: int | None = None,
    limit: Mapping[str, str | float] | str | Iterable[str] | None = None,
    witness: bool = True,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> Proof:
    """Decide ``lhs = rhs``: proved (symbolically), refuted (with a certified witness), or unknown.

    ``vectors``/``scalars`` declare names (default: the vector ``x``); ``assume`` holds equations or
    inequalities such as ``"mu(x) = 0"`` or ``"alpha > 0"``; ``dim`` fixes n; ``limit`` (e.g.
    ``{"eps": 0}``) compares the limits of both sides (ε from above); a proof that needs side
    conditions (e.g. ``c(x) != 0`` for a limit) lists them in ``conditions``. ``timeout`` bounds the
    work in seconds (None: no bound); past it the verdict is unknown.

    >>> prove("LN(x)", "sqrt(n)*u(c(x), n*eps)").status.value
    'proved'
    >>> result = prove("LN(x)", "sqrt(n)*u(c(x), eps)")
    >>> result.status.value, result.witness.n
    ('refuted', 4)

    ``relation`` (``<=``, ``<``, ``>=``, ``>``; or one string ``"LHS <= RHS"`` without ``rhs``) makes
    it an inequality of scalars, decided by :mod:`lnsym.prover.inequalities` with a checked
    positivity certificate:

    >>> prove("norm(LN(x)) < sqrt(n)").status.value
    'proved'
    """
    if rhs is None or relation != "=":
        lhs, relation, rhs = _relation(lhs, rhs, relation)
    if relation != "=":
        if limit is not None:
            raise LnsymError(f"{argument('limit')} applies to identities, not to inequalities")
        return prover.inequalities.prove_inequality(  # imported now: identities never need it
            lhs,
            relation,
            rhs,
            vectors=vectors,
            scalars=scalars,
            assume=assume,
            dim=dim,
            witness=witness,
            timeout=timeout,
        )
    start = time.perf_counter()
    if not isinstance(witness, bool):
        raise LnsymError(f"witness= must be True or False, not {witness!r}")
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0
    ):
        raise LnsymError(f"timeout= must be a positive number of seconds, not {timeout!r}")
    problem: Problem | None = None
    try:
        with time_budget(timeout):
            problem = setup(
                lhs, rhs, vectors=vectors, scalars=scalars, assume=assume, dim=dim, limit=limit
            )
            decision = _decide(problem)
            if decision.status is not Status.PROVED and witness and not _not_real(problem):
                found = _refute(problem, decision)
                if found is not None:
                    decision.status = Status.REFUTED
                    decision.witness = found
                    decision.method = (
                        f"certified witness at n = {found.n} (exact values, interval arithmetic)"
                    )
            _check(problem, decision)
    except BudgetExceeded:
        decision = Decision(
            Status.UNKNOWN,
            f"time budget of {timeout:g} s exhausted (raise it with {argument('timeout')})",
            ["the work did not finish within the time budget"],
        )
        if problem is None:  # even reading the request took the whole budget: still unknown
            decision.steps = ["reading the identity did not finish within the time budget"]
            return Proof(
                lhs=_unread(lhs),
                rhs=_unread(rhs),
                status=decision.status,
                method=decision.method,
                steps=tuple(decision.steps),
                seconds=time.perf_counter() - start,
                texts=(lhs, rhs) if isinstance(lhs, str) and isinstance(rhs, str) else None,
            )
    return Proof(
        lhs=problem.lhs,
        rhs=problem.rhs,
        status=decision.status,
        method=decision.method,
        dim=problem.dim,
        assumptions=problem.assumptions,
        limits=tuple((str(s), v) for s, v in problem.limits),
        witness=decision.witness,
        residual=decision.residual,
        steps=tuple(decision.steps),
        seconds=time.perf_counter() - start,
        conditions=tuple(decision.conditions),
        certificate=tuple(decision.certificate),
        checked=decision.checked,
        check_note=decision.check_note,
        check_data=decision.check_data,
        check_seconds=decision.check_seconds,
        texts=(lhs, rhs) if isinstance(lhs, str) and isinstance(rhs, str) else None,
        context=problem.context,
    )


def _unread(side: object) -> Expr:
    """A side the budget left unread: a SymPy expression as given, text as a symbol that prints as
    written (never parsed, so nothing unbounded runs after the budget)."""
    return side if isinstance(side, Expr) else sympy.Symbol(str(side))


def _relation(
    lhs: str | Expr, rhs: str | Expr | None, relation: str
) -> tuple[str | Expr, str, str | Expr]:
    """The two sides and the relation, from ``(lhs, rhs, relation)`` or one ``"LHS REL RHS"``."""
    if not isinstance(relation, str) or relation not in STATEMENT_RELATIONS:
        raise LnsymError(
            f"{argument('relation')} must be one of {', '.join(STATEMENT_RELATIONS)}, "
            f"not {relation!r}"
        )
    if rhs is not None:
        return lhs, relation, rhs
    if not isinstance(lhs, str):
        raise LnsymError(
            "give both sides, or one string with its relation such as 'norm(LN(x)) <= sqrt(n)'"
        )
    left, found, right = split_relation(lhs)
    if relation != "=" and found != relation:
        raise LnsymError(f"{lhs!r} has the relation {found}, but relation={relation!r} was given")
    return left, found, right


# --------------------------------------------------------------------------------------------------
# symbolic decision
# --------------------------------------------------------------------------------------------------


class Decision(Record):
    """The symbolic verdict and what it rests on (mutable while the witness search runs)."""

    __match_args__ = (
        "status",
        "method",
        "steps",
        "residual",
        "conditions",
        "certificate",
        "witness",
        "limit_forms",
        "radicands",
        "condition_forms",
        "point",
        "checked",
        "check_note",
        "check_data",
        "check_seconds",
    )
    __slots__ = __match_args__
    status: Status
    method: str
    steps: list[str]
    residual: Expr | None
    conditions: list[Condition]
    certificate: list[Step]
    witness: Witness | None
    #: the sides' limits in normal form, for a witness of a false limit
    limit_forms: SideLimits | None
    radicands: dict[Symbol, Expr]
    #: the conditions (each ``f != 0``) in normal-form atoms, for the domain point.
    condition_forms: list[Expr]
    #: a point where the assumptions and conditions hold and both sides are defined (proved only).
    point: Point | None
    #: what the trusted checker (lnsym.check) said, and the data it checked.
    checked: bool
    check_note: str
    check_data: dict[str, Any] | None
    check_seconds: float

    def __init__(
        self,
        status: Status,
        method: str,
        steps: list[str],
        residual: Expr | None = None,
        conditions: list[Condition] | None = None,
        certificate: list[Step] | None = None,
        witness: Witness | None = None,
        limit_forms: SideLimits | None = None,
        radicands: dict[Symbol, Expr] | None = None,
        condition_forms: list[Expr] | None = None,
        point: Point | None = None,
        checked: bool = False,
        check_note: str = "",
        check_data: dict[str, Any] | None = None,
        check_seconds: float = 0.0,
    ) -> None:
        self.status, self.method, self.steps, self.residual = status, method, steps, residual
        self.conditions = [] if conditions is None else conditions
        self.certificate = [] if certificate is None else certificate
        self.witness, self.limit_forms, self.point = witness, limit_forms, point
        self.radicands = {} if radicands is None else radicands
        self.condition_forms = [] if condition_forms is None else condition_forms
        self.checked, self.check_note, self.check_data = checked, check_note, check_data
        self.check_seconds = check_seconds


def _check(problem: Problem, decision: Decision) -> None:
    """Hand the verdict to the trusted checker; a rejected certificate makes it unknown."""
    if decision.status is Status.UNKNOWN:
        return
    start = time.perf_counter()
    limits = tuple((str(s), v) for s, v in problem.limits)
    conditions = tuple(str(c) for c in decision.conditions)
    statement = statement_data(
        problem.texts, problem.context, problem.assumptions, problem.dim, limits, conditions
    )
    try:
        if decision.status is Status.PROVED:
            certificate, verdict = certify_proof(
                statement, problem.context, problem.assumptions, hint=decision.point
            )
        else:
            assert decision.witness is not None
            certificate, verdict = certify_refutation(statement, decision.witness)
    except (BudgetExceeded, KeyboardInterrupt):
        raise
    except Exception as error:  # fail closed: a crash while checking is no verdict
        certificate, verdict = {}, Verdict(False, True, f"the check failed ({error!r:.200})")
    decision.check_data = {"statement": statement, "certificate": certificate}
    decision.check_seconds = time.perf_counter() - start
    decision.checked = verdict.accepted
    if verdict.accepted:
        decision.check_note = "certificate checked by lnsym.check"
    else:  # rejected, or outside the checker's rules: the prover's word alone is no verdict
        why = "certificate rejected" if verdict.checked else "not checked"
        decision.check_note = f"{why}: {verdict.reason}"
        decision.steps.append(decision.check_note)
        decision.method = f"{decision.status.value} by the prover; {decision.check_note}"
        decision.status = Status.UNKNOWN
        decision.witness = None


def _decide(problem: Problem) -> Decision:
    """The symbolic decision; a proof only once a point shows it is not vacuous."""
    if _not_real(problem):
        why = "a side is not real where it is not 0 (SymPy reads it with the imaginary unit I)"
        return Decision(Status.UNKNOWN, "normal form", [why])
    decision = _symbolic(problem)
    if decision.status is not Status.PROVED:
        return decision
    where = "symbolic n" if problem.dim is None else f"n = {problem.dim}"
    point = domain_point(
        problem.context,
        problem.assumptions,
        _written(problem),
        problem.dim,
        conditions=decision.condition_forms,
        radicands=decision.radicands,
    )
    if point is None:
        if decision.condition_forms:
            why = (
                "the proof needs "
                + ", ".join(decision.conditions)
                + f", which no point satisfying the assumptions met at {where}"
            )
        else:
            why = (
                "no point was found at which the assumptions hold and both sides are defined "
                f"(at {where}); a proof there could be vacuous"
            )
        return Decision(Status.UNKNOWN, decision.method, [*decision.steps, why])
    decision.point = point
    return decision


def _not_real(problem: Problem) -> bool:
    """A side SymPy reads with the imaginary unit: sqrt(-alpha**2) is I*|alpha|."""
    return bool(problem.lhs.has(sympy.I) or problem.rhs.has(sympy.I))


def _written(problem: Problem) -> list[Expr]:
    return written_forms(
        problem.texts, (problem.lhs, problem.rhs), problem.context, problem.assumptions
    )


def _symbolic(problem: Problem) -> Decision:
    forms = NormalForm()
    radicals = Radicals(forms.facts)
    dim = problem.dim
    left, right = forms(problem.lhs), forms(problem.rhs)
    if dim is not None:
        left, right = _at_dim(left, dim), _at_dim(right, dim)
        forms.facts.nonnegative = [f.subs(n, dim) for f in forms.facts.nonnegative]
    where = "symbolic n" if dim is None else f"n = {dim}"
    steps = [
        "expand every definition into inner products and elementwise products",
        "write each vector as a combination of 1, c(v) for each declared v, and their products; "
        "scalars in mu(v) and <c(a), c(b)> (|c(a)|^2 >= 0)",
    ]
    if dim is not None:
        steps.append(f"substitute n = {dim}")
    steps += [inverses_step(pair) for a in problem.assumptions if (pair := inverse_pair(a))]
    frozen = {s for s, _ in problem.limits}
    knowledge = apply_assumptions(
        problem.assumptions,
        problem.context,
        forms,
        radicals,
        dim=dim,
        frozen=frozen,
        vectors=problem.context.vectors,
        zero_vectors=problem.context.vectors if dim == 1 else (),
    )
    substitute = knowledge.substitution
    if dim == 1:
        steps.append("at n = 1 every centered vector c(v) is 0")
    if problem.assumptions:
        steps.append(
            "use the assumptions soundly (see the certificate): "
            + ", ".join(str(a) for a in problem.assumptions)
        )
    if knowledge.unused:
        steps.append(
            "not used (a factor of unknown sign would have to be divided away): "
            + ", ".join(source for source, _ in knowledge.unused)
        )
    if (knowledge.steps or substitute.zero) and not all(
        substitute.defined(c) for form in (left, right) for c in _coefficients(form)
    ):
        return Decision(
            Status.UNKNOWN,
            f"normal form, {where}",
            [*steps, "a side is undefined wherever the assumptions hold"],
        )
    differences = coefficient_differences(left, right)
    if substitute.zero:
        differences = {a: d for a, d in differences.items() if not substitute.zero & set(a)}
    conditions: list[Expr] = []
    if problem.limits:
        if any(e.has(s) for _, e in knowledge.unused for s in frozen):
            return Decision(
                Status.UNKNOWN,
                f"normal form, {where}",
                [*steps, "an assumption that could not be solved involves the limit variable"],
            )
        try:
            differences, conditions = _limits(differences, problem.limits, substitute)
        except UnsupportedError as error:
            return Decision(Status.UNKNOWN, f"normal form, {where}", [*steps, str(error)])
        steps.append(
            "take the limit "
            + ", ".join(f"{s} -> {v}" for s, v in problem.limits)
            + " by a Taylor expansion at the limit point"
        )
    proved = all(knowledge.vanishes(d) for d in differences.values())
    if not proved and SCALAR not in differences:
        proved = _gram_zero(differences, forms, knowledge)
    described = _described(conditions, radicals)
    if proved:
        steps.append("canonicalize square roots; every coefficient of LHS - RHS reduces to 0")
        return Decision(
            Status.PROVED,
            f"normal form, {where}",
            steps,
            conditions=described,
            certificate=list(knowledge.steps),
            radicands=dict(radicals.radicands),
            condition_forms=list(conditions),
        )
    componentwise = (
        _componentwise_zero(problem)
        if dim is not None and dim <= COMPONENTWISE_MAX_DIM and not problem.limits
        else None
    )
    if componentwise is not None:
        used = (
            ["solve each assumption for one entry (see the certificate)"] if componentwise else []
        )
        return Decision(
            Status.PROVED,
            f"componentwise, n = {dim}",
            [
                f"write every vector by its {dim} components",
                *used,
                "LHS - RHS reduces to 0",
            ],
            certificate=componentwise,
        )
    residual = _residual(differences, radicals, substitute)
    steps.append("LHS - RHS does not reduce to 0")
    decision = Decision(Status.UNKNOWN, f"normal form, {where}", steps, residual)
    if problem.limits:
        decision.limit_forms = _side_limits(left, right, problem.limits, substitute)
        decision.radicands = dict(radicals.radicands)
    return decision


def _at_dim(form: Any, dim: int) -> Any:
    if isinstance(form, dict):
        return {a: c.subs(n, dim) for a, c in form.items()}
    return form.subs(n, dim)


def _coefficients(form: Any) -> list[Expr]:
    return list(form.values()) if isinstance(form, dict) else [form]


def _limits(
    differences: dict[tuple[str, ...], Expr],
    limits: tuple[tuple[Symbol, Expr], ...],
    substitute: Substitution,
) -> tuple[dict[tuple[str, ...], Expr], list[Expr]]:
    conditions: list[Expr] = []
    out = {}
    for atom, d in differences.items():
        value = substitute.canonical(d)
        for symbol, target in limits:
            value, found = limit_of(value, symbol, target, substitute.radicals)
            conditions.extend(c for c in found if c not in conditions)
        out[atom] = value
    return out, conditions


class SideLimits(FrozenRecord):
    """Each side's limit in normal form, and the conditions (each ``f != 0``) they hold under."""

    __match_args__ = ("left", "right", "conditions")
    __slots__ = __match_args__
    left: Any
    right: Any
    conditions: list[Expr]

    def __init__(self, left: Any, right: Any, conditions: list[Expr]) -> None:
        self._set(left=left, right=right, conditions=conditions)


def _side_limits(
    left: Any, right: Any, limits: tuple[tuple[Symbol, Expr], ...], substitute: Substitution
) -> SideLimits | None:
    """Both sides' limits, each on its own (None when one of them cannot be taken)."""
    try:
        sides = []
        conditions: list[Expr] = []
        for form in (left, right):
            if isinstance(form, dict):
                limited, found = _limits(
                    {a: c for a, c in form.items() if not substitute.zero & set(a)},
                    limits,
                    substitute,
                )
            else:
                limited_scalar, found = _limits({SCALAR: form}, limits, substitute)
                limited = limited_scalar[SCALAR]
            conditions.extend(found)
            sides.append(limited)
    except UnsupportedError:
        return None
    return SideLimits(sides[0], sides[1], conditions)


def _gram_zero(
    differences: dict[tuple[str, ...], Expr], forms: NormalForm, knowledge: Knowledge
) -> bool:
    """W = 0 exactly when <W, B> = 0 for every basis vector B of W (|W|^2 = sum k_B <W, B>)."""
    substitute = knowledge.substitution
    vector = {a: substitute.canonical(d) for a, d in differences.items() if a != SCALAR}
    vector = {a: d for a, d in vector.items() if d != 0}
    if not vector:
        return False
    backend = forms.evaluator.backend
    return all(knowledge.vanishes(backend.dot(vector, {atom: sympy.S.One})) for atom in vector)


def _described(conditions: list[Expr], radicals: Radicals) -> list[Condition]:
    out: list[Condition] = []
    for c in conditions:
        text = describe_condition(c, radicals)
        if text not in out:
            out.append(text)
    return out


def _refute(problem: Problem, decision: Decision) -> Witness | None:
    found = _search_witness(problem, decision)
    if found is None:
        return None
    used = _used_names(problem)  # a declared name the claim never uses takes any value: not shown
    return replace(
        found,
        values={k: v for k, v in found.values.items() if k in used},
        exact={k: v for k, v in found.exact.items() if k in used or k == "eps"},
    )


def _used_names(problem: Problem) -> set[str]:
    """The declared names the claim and its assumptions use, as written or as simplified."""
    names = free_names(problem.lhs) | free_names(problem.rhs)
    names |= {name for side in problem.texts if isinstance(side, str) for name in used_names(side)}
    for assumption in problem.assumptions:
        names |= free_names(assumption.lhs) | free_names(assumption.rhs)
        names |= {name for side in assumption.sides or () for name in used_names(side.text)}
    return names


def _search_witness(problem: Problem, decision: Decision) -> Witness | None:
    if not problem.limits:
        return find_witness(
            problem.lhs,
            problem.rhs,
            problem.context,
            problem.assumptions,
            problem.dim,
            domain=_written(problem),
        )
    if decision.limit_forms is None or not all(v.is_finite for _, v in problem.limits):
        return None  # an infinite limit is never refuted by a finite witness
    found = decision.limit_forms
    return find_limit_witness(
        found.left,
        found.right,
        found.conditions,
        decision.radicands,
        problem.context,
        problem.assumptions,
        problem.dim,
        problem.limits,
    )


def _residual(
    differences: dict[tuple[str, ...], Expr],
    radicals: Radicals,
    substitute: Substitution,
) -> Expr:
    """LHS − RHS in language terms, for messages."""
    total = sympy.S.Zero
    for atom, d in differences.items():
        value = radicals.restore(substitute.canonical(d))
        value = atoms_to_language(sympy.factor_terms(sympy.together(value)))
        total += value * _atom_vector(atom)
    return total


def _atom_vector(atom: tuple[str, ...]) -> Expr:
    if atom == SCALAR:
        return sympy.S.One
    if not atom:
        return ones
    vectors = [Center(VectorSymbol(name)) for name in atom]
    product = vectors[0]
    for v in vectors[1:]:
        product = Hadamard(product, v)
    return product


def _componentwise_zero(problem: Problem) -> list[Step] | None:
    """Prove at a small explicit n by writing every vector by its components: the certificate
    (one step per entry an assumption was solved for), or None when not proved.

    Equality assumptions are used only when each residual, component by component, can be solved
    for one entry with a non-zero numeric coefficient (an equivalence); anything else: not proved.
    """
    assert problem.dim is not None
    backend = ComponentwiseBackend(problem.dim)
    evaluator: Evaluator[list[Expr], Expr] = Evaluator(backend)
    radicals = Radicals(backend.facts)
    values: dict[Expr, Expr] = {}
    certificate: list[Step] = []
    for assumption in problem.assumptions:
        if assumption.relation != "=":
            continue  # dropping an inequality only widens what must be shown
        residuals = _items(evaluator(assumption.lhs), evaluator(assumption.rhs), problem.dim)
        for p, q in residuals:
            residual = sympy.expand((p - q).xreplace(values))
            if residual == 0:
                continue
            solved = _solve_component(residual)
            if solved is None:
                return None
            entry, value, slope = solved
            certificate.append(Step("solve", str(assumption), residual, entry, value, slope=slope))
            values = {k: sympy.expand(v.xreplace({entry: value})) for k, v in values.items()}
            values[entry] = value
    left, right = evaluator(problem.lhs), evaluator(problem.rhs)
    if all(radicals.is_zero((p - q).xreplace(values)) for p, q in _items(left, right, problem.dim)):
        return certificate
    return None


def _items(left: Any, right: Any, dim: int) -> list[tuple[Expr, Expr]]:
    left_items = left if isinstance(left, list) else [left]
    right_items = right if isinstance(right, list) else [right]
    if len(left_items) != len(right_items):
        left_items = left_items * dim if len(left_items) == 1 else left_items
        right_items = right_items * dim if len(right_items) == 1 else right_items
    return list(zip(left_items, right_items, strict=True))


def _solve_component(residual: Expr) -> tuple[Expr, Expr, Expr] | None:
    """``residual = 0`` as ``entry = value`` for an entry it is linear in, with its numeric slope
    (``residual == slope * (entry - value)``)."""
    for entry in sorted(residual.free_symbols, key=str):
        if not isinstance(entry, Component):
            continue
        try:
            poly = sympy.Poly(residual, entry)
        except sympy.PolynomialError:
            continue
        slope = poly.coeff_monomial(entry)
        if poly.degree() == 1 and slope.is_number and slope != 0:
            return entry, sympy.expand(-(residual - slope * entry) / slope), slope
    return None
