"""The prover: ``prove(lhs, rhs, ...)`` → :class:`~lnsym.proof.Proof`.

1. Parse both sides (and the assumptions) into typed expressions.
2. Normalize both with one shared :class:`~lnsym.algebra.NormalForm`: definitions are expanded into
   ``dot``/``hadamard``, vectors become coefficients over basis atoms (:mod:`lnsym.algebra`).
3. Substitute ``n = N`` for an explicit dimension; solve the equality assumptions for one atom each
   and substitute; record inequality assumptions as nonnegativity facts.
4. Canonicalize square roots and test every coefficient of LHS − RHS for exact zero
   (:mod:`lnsym.radicals`): all zero → **proved**.
5. Otherwise, for a small explicit dimension, retry componentwise; then search a witness at 50 digits
   (:mod:`lnsym.witness`): found → **refuted**; else **unknown**.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import sympy
from sympy import Expr, Symbol

from lnsym.algebra import ComponentwiseBackend, NormalForm, atoms_to_language
from lnsym.conditions import (
    Substitution,
    assumption_substitution,
    coefficient_differences,
    parse_limits,
    positivity,
    take_limits,
)
from lnsym.definitions import Center, Hadamard, Kind, VectorSymbol, kind_of, n, ones, scalar_symbol
from lnsym.errors import LnsymError, TypeMismatchError
from lnsym.evaluate import Evaluator
from lnsym.language import Assumption, Context, parse_assumption, parse_typed
from lnsym.names import resolve
from lnsym.proof import Proof, Status
from lnsym.radicals import Radicals
from lnsym.witness import find_witness

__all__ = ["COMPONENTWISE_MAX_DIM", "MAX_DIM", "Problem", "prove", "setup"]

#: explicit dimensions up to this size are also tried componentwise (degenerate small n).
COMPONENTWISE_MAX_DIM = 6
#: the largest explicit dimension accepted.
MAX_DIM = 1_000_000


@dataclass(frozen=True)
class Problem:
    """A parsed request: both sides, the context, the assumptions, the dimension and limits."""

    lhs: Expr
    rhs: Expr
    context: Context
    assumptions: tuple[Assumption, ...]
    dim: int | None
    #: limits ``(symbol, value)``, taken one after the other (``eps`` tends to its value from above).
    limits: tuple[tuple[Symbol, Expr], ...] = ()


def setup(
    lhs: str | Expr,
    rhs: str | Expr,
    *,
    vectors: str | Iterable[str] | None = None,
    scalars: str | Iterable[str] | None = None,
    assume: str | Iterable[str] = (),
    dim: int | None = None,
    limit: Mapping[str, str | float] | str | Iterable[str] | None = None,
) -> Problem:
    """Parse and type-check a request without proving it."""
    texts = [assume] if isinstance(assume, str) else list(assume)
    context = resolve([(lhs, rhs), *texts], vectors=vectors, scalars=scalars)
    parsed = [parse_assumption(t, context) for t in texts]
    left, left_kind = _typed(lhs, context)
    right, right_kind = _typed(rhs, context)
    if left_kind is not right_kind and left != 0 and right != 0:
        raise TypeMismatchError(
            f"cannot compare a {left_kind.value} ({left}) with a {right_kind.value} ({right})"
        )
    positive = {name for a in parsed if (name := positivity(a, context))}
    if positive:  # 'alpha > 0' makes the symbol alpha positive, in the sides and the assumptions
        context = context.with_positive(positive)
        swap = {scalar_symbol(name): scalar_symbol(name, positive=True) for name in positive}
        left, right = left.xreplace(swap), right.xreplace(swap)
        parsed = [replace(a, lhs=a.lhs.xreplace(swap), rhs=a.rhs.xreplace(swap)) for a in parsed]
    if dim is not None and (not isinstance(dim, int) or isinstance(dim, bool) or dim < 1):
        raise LnsymError(f"--dim must be a positive integer, not {dim!r}")
    if dim is not None and dim > MAX_DIM:
        raise LnsymError(f"--dim {dim} is too large; lnsym accepts dimensions up to {MAX_DIM}")
    limits = parse_limits(limit, context)
    return Problem(left, right, context, tuple(parsed), dim, limits)


def prove(
    lhs: str | Expr,
    rhs: str | Expr,
    *,
    vectors: str | Iterable[str] | None = None,
    scalars: str | Iterable[str] | None = None,
    assume: str | Iterable[str] = (),
    dim: int | None = None,
    limit: Mapping[str, str | float] | str | Iterable[str] | None = None,
    witness: bool = True,
) -> Proof:
    """Decide ``lhs = rhs``: proved (symbolically), refuted (with a witness), or unknown.

    ``vectors``/``scalars`` declare names (default: the vector ``x``); ``assume`` holds equations or
    inequalities such as ``"mu(x) = 0"`` or ``"alpha > 0"``; ``dim`` fixes n; ``limit`` (e.g.
    ``{"eps": 0}``) compares the limits of both sides (ε from above; generic values, e.g. c(x) ≠ 0).

    >>> prove("LN(x)", "sqrt(n)*u(c(x), n*eps)").status.value
    'proved'
    >>> result = prove("LN(x)", "sqrt(n)*u(c(x), eps)")
    >>> result.status.value, result.witness.n
    ('refuted', 4)
    """
    start = time.perf_counter()
    problem = setup(lhs, rhs, vectors=vectors, scalars=scalars, assume=assume, dim=dim, limit=limit)
    status, method, steps, residual = _decide(problem)
    found = None
    # a witness is evaluated at the limit point, so only finite limits can be refuted
    finite = all(value.is_finite for _, value in problem.limits)
    if status is not Status.PROVED and witness and finite:
        found = find_witness(
            problem.lhs,
            problem.rhs,
            problem.context,
            problem.assumptions,
            problem.dim,
            fixed={str(s): str(v) for s, v in problem.limits},
        )
        if found is not None:
            status = Status.REFUTED
            method = f"witness: both sides evaluated at 50 digits at n = {found.n}"
    return Proof(
        lhs=problem.lhs,
        rhs=problem.rhs,
        status=status,
        method=method,
        dim=problem.dim,
        assumptions=problem.assumptions,
        limits=tuple((str(s), v) for s, v in problem.limits),
        witness=found,
        residual=residual,
        steps=tuple(steps),
        seconds=time.perf_counter() - start,
    )


def _typed(side: str | Expr, context: Context) -> tuple[Expr, Kind]:
    if isinstance(side, str):
        return parse_typed(side, context)
    if isinstance(side, int | float):
        return sympy.sympify(side), Kind.SCALAR
    if isinstance(side, sympy.Basic):
        return side, kind_of(side)
    raise LnsymError(f"cannot prove a {type(side).__name__}; pass a string or a SymPy expression")


# --------------------------------------------------------------------------------------------------
# symbolic decision
# --------------------------------------------------------------------------------------------------


def _decide(problem: Problem) -> tuple[Status, str, list[str], Expr | None]:
    forms = NormalForm()
    radicals = Radicals(forms.facts)
    differences = coefficient_differences(forms(problem.lhs), forms(problem.rhs))
    where = "symbolic n" if problem.dim is None else f"n = {problem.dim}"
    steps = [
        "expand every definition into inner products and elementwise products",
        "write each vector as a combination of 1, c(v) for each declared v, and their products; "
        "scalars in mu(v) and <c(a), c(b)> (|c(a)|^2 >= 0)",
    ]
    if problem.dim is not None:
        differences = {a: d.subs(n, problem.dim) for a, d in differences.items()}
        forms.facts.nonnegative = [f.subs(n, problem.dim) for f in forms.facts.nonnegative]
        steps.append(f"substitute n = {problem.dim}")
    substitute = assumption_substitution(problem, forms, radicals)
    if problem.assumptions:
        steps.append("apply the assumptions: " + ", ".join(str(a) for a in problem.assumptions))
    if substitute.zero:  # c(x) = 0: the basis vectors built from c(x) are zero
        differences = {a: d for a, d in differences.items() if not substitute.zero & set(a)}
    if problem.limits:
        differences = {a: take_limits(d, problem.limits, radicals) for a, d in differences.items()}
        steps.append(
            "take the limit "
            + ", ".join(f"{s} -> {v}" for s, v in problem.limits)
            + " (generic values)"
        )
    reduced = {a: substitute(d) for a, d in differences.items()}
    if all(r == 0 for r in reduced.values()):
        steps.append("canonicalize square roots; every coefficient of LHS - RHS reduces to 0")
        return Status.PROVED, f"normal form, {where}", steps, None
    if problem.dim is not None and problem.dim <= COMPONENTWISE_MAX_DIM:
        if _componentwise_zero(problem):
            return (
                Status.PROVED,
                f"componentwise, n = {problem.dim}",
                [f"write every vector by its {problem.dim} components; LHS - RHS reduces to 0"],
                None,
            )
    residual = _residual(differences, radicals, substitute)
    steps.append("LHS - RHS does not reduce to 0")
    return Status.UNKNOWN, f"normal form, {where}", steps, residual


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
    if atom == ("",):
        return sympy.S.One
    if not atom:
        return ones
    vectors = [Center(VectorSymbol(name)) for name in atom]
    product = vectors[0]
    for v in vectors[1:]:
        product = Hadamard(product, v)
    return product


def _componentwise_zero(problem: Problem) -> bool:
    """Prove at a small explicit n by writing every vector by its components."""
    assert problem.dim is not None
    if any(a.relation == "=" for a in problem.assumptions):
        return False
    backend = ComponentwiseBackend(problem.dim)
    evaluator: Evaluator[list[Expr], Expr] = Evaluator(backend)
    radicals = Radicals(backend.facts)
    left, right = evaluator(problem.lhs), evaluator(problem.rhs)
    left_items = left if isinstance(left, list) else [left]
    right_items = right if isinstance(right, list) else [right]
    if len(left_items) != len(right_items):
        left_items = left_items * problem.dim if len(left_items) == 1 else left_items
        right_items = right_items * problem.dim if len(right_items) == 1 else right_items
    return all(radicals.is_zero(p - q) for p, q in zip(left_items, right_items, strict=True))
