r"""The checks: a proof's certificate, or a refutation's witness, re-verified from the statement.

A *statement* is plain data: the two sides and the assumptions as text, the declared names, the
dimension (``None`` for every n) and the limits. The checker reads it with its own reader and
evaluates it with its own table (:mod:`lnsym.check.table`), so nothing the prover computed is taken
on trust. What the prover supplies is only what is hard to find:

* for *proved*: the mode (``symbolic`` for every n or the given one, ``components`` for a small
  explicit n), the steps by which the assumptions are used, and a *point* — an explicit n, ε and
  exact values at which every assumption holds and both sides are defined (no vacuous proof). The
  checker then requires every entry of LHS − RHS to reduce to the zero polynomial;
* for an *inequality* proved: a positivity certificate of ``num/den`` (:mod:`lnsym.check.positivity`),
  a point as above and the steps by which the equations carry big − small times den to num;
* for *refuted*: the witness point; the checker evaluates both sides there in rational ball
  arithmetic and requires an entry whose enclosure excludes 0, with every assumption exactly true
  (for a limit, of the limit of LHS − RHS in the variable, the witness fixing all else).

Assumption steps (each is an implication true for real values; facts are polynomials equal to 0):

================  ==============================================================================
``subst``         the fact is ``k·v + w`` with ``w`` free of the variable ``v`` and ``k`` evidently
                  nonzero: ``v = −w/k`` is substituted everywhere
``zero_vector``   the fact is ``λ·P[v,v]`` (‖c(v)‖² = 0): every atom of c(v) becomes 0
``cancel``        the fact is ``m·q`` with ``m`` evidently nonzero (of one sign, a sum of
                  squares plus a positive constant, or a unit: another fact is m·k − c, c != 0):
                  ``q`` is a new fact
``root``          the fact is ``λ·b**k``: ``b`` is a new fact
``split``         the fact is ``Σ λ_j m_j s_j²`` with λ_j > 0, m_j evidently >= 0: each m_j·s_j² is
                  a fact (s_j itself when m_j is a positive constant)
``combination``   m·goal equals Σ f_i·fact_i for the given cofactors f_i, with the multiplier m
                  evidently nonzero (default 1): the goal is 0
``square_goal``   a vector goal D = 0 is replaced by ⟨D, D⟩ = 0 (equivalent for real vectors)
================  ==============================================================================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from lnsym.check.algebra import (
    Ball,
    Field,
    Frac,
    UndefinedError,
    ball_divide,
    ball_sqrt,
    divide_monomial,
    is_square,
)
from lnsym.check.poly import Poly, PolyTooLargeError, budget, poly_from_json
from lnsym.check.positivity import CertificateError, check_positivity
from lnsym.check.reader import CheckerInputError, rational, read
from lnsym.check.table import (
    Components,
    NotCheckedError,
    Symbolic,
    add_vectors,
    dot,
    evaluate,
    is_zero,
    power_sum_name,
    replaced,
    scale_vector,
)

__all__ = [
    "RejectedError",
    "Setting",
    "Verdict",
    "check_inequality",
    "check_point",
    "check_proof",
    "check_refutation",
    "depends",
    "entries",
    "numerators",
    "run_steps",
    "side_difference",
    "verdict_of",
]

#: explicit dimensions the componentwise mode accepts.
MAX_COMPONENTS = 8
_RELATIONS = ("<=", ">=", "!=", "==", "=", "<", ">")


class RejectedError(Exception):
    """The certificate does not stand; the message says which part fails."""


@dataclass(frozen=True)
class Verdict:
    """What the checker concluded: ``accepted``, or not with ``reason``; ``checked`` is False when the
    statement is outside the checker's rules (lnsym then reports the verdict as unknown)."""

    accepted: bool
    checked: bool
    reason: str = ""


def split_relation(text: str) -> tuple[str, str, str]:
    """``"mu(x) = 0"`` → ``("mu(x)", "=", "0")`` (the first relation outside parentheses)."""
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            for relation in _RELATIONS:
                if text.startswith(relation, i):
                    left, right = text[:i], text[i + len(relation) :]
                    return left.strip(), "=" if relation == "==" else relation, right.strip()
    raise CheckerInputError(f"no relation in the assumption {text!r}")


class Setting:
    """The statement read once: its trees, names and the positive scalars."""

    def __init__(self, statement: dict[str, Any]) -> None:
        limit = _limit_of(statement.get("limits") or {})
        self.conditions = [read(_condition_side(t)) for t in statement.get("conditions", ())]
        self.lhs, self.rhs = read(statement["lhs"]), read(statement["rhs"])
        self.vectors = _names(statement.get("vectors", ()))
        self.scalars = _names(statement.get("scalars", ()))
        self.dim, self.relation = statement.get("dim"), statement.get("relation", "=")
        texts = statement.get("assume", ())
        if not isinstance(texts, list | tuple) or not all(isinstance(t, str) for t in texts):
            raise CheckerInputError("the assumptions must be a list of strings")
        self.assumptions = [split_relation(t) for t in texts]
        self.trees = [(read(a), rel, read(b)) for a, rel, b in self.assumptions]
        self.positive = {n for n in self.scalars if _positive_by(n, self.assumptions)}
        self.nonneg = {n for n in self.scalars if _positive_by(n, self.assumptions, strict=False)}
        #: v -> oo is t -> 0 for t = 1/v > 0 (the name t cannot be written in a formula)
        self.inverse: tuple[str, str] | None = None
        self.limit = None if limit is None or limit[1] is None else (limit[0], limit[1])
        if limit is not None and limit[1] is None:
            v, t = limit[0], f"1/{limit[0]}"
            if v != "eps" and v not in self.scalars:
                raise RejectedError(f"the limit's variable {v!r} is not a scalar of the statement")
            by = ("op", "/", ("num", Fraction(1)), ("name", t))
            self.lhs, self.rhs = replaced(self.lhs, v, by), replaced(self.rhs, v, by)
            self.conditions = [replaced(c, v, by) for c in self.conditions]
            self.trees = [(replaced(a, v, by), r, replaced(b, v, by)) for a, r, b in self.trees]
            self.inverse, self.limit = (v, t), (t, Fraction(0))
            self.scalars = (*(s for s in self.scalars if s != v), t)
            self.positive.add(t)
            self.nonneg.add(t)

    def field(self) -> Field:
        """A fresh field in which n, ε and the scalars the assumptions make positive are so."""
        positive = {"n", "eps", *self.positive}
        return Field(nonneg=positive | self.nonneg, positive=positive)

    def env(self, alg: Any, field: Field) -> dict[str, Any]:
        """Each declared name (and ε) as a symbolic value of ``alg``."""
        env: dict[str, Any] = {v: alg.vector(v) for v in self.vectors}
        return env | {s: field.var(s) for s in (*self.scalars, "eps")}


_RESERVED = {"n", "eps", "ones", "sqrt", "jvp", "grad", "diff"}


def _names(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise CheckerInputError("declared names must be a list of strings")
    if set(value) & _RESERVED or len(set(value)) != len(value):
        raise CheckerInputError("a declared name is a built-in or listed twice")
    return tuple(value)


def _limit_of(limits: Any) -> tuple[str, Fraction | None] | None:
    """The limit's variable and value (None for +∞)."""
    if not limits:
        return None
    if not isinstance(limits, dict) or len(limits) != 1:
        raise NotCheckedError("more than one limit is not in the checker's rules")
    ((name, value),) = limits.items()
    if str(value) == "oo":
        return str(name), None
    try:
        return str(name), rational(str(value))
    except (ValueError, ZeroDivisionError):
        raise NotCheckedError(
            f"the limit {name} -> {value} is not in the checker's rules"
        ) from None


def _condition_side(text: str) -> str:
    left, relation, right = split_relation(text)
    if relation != "!=" or right.strip() not in ("0", "0*ones"):
        raise NotCheckedError(f"the condition {text!r} is not of the form f != 0")
    return left


def _positive_by(name: str, assumptions: list[tuple[str, str, str]], strict: bool = True) -> bool:
    """``name > c`` (c >= 0) or ``name >= c`` (c > 0), written with a plain number; with
    ``strict=False`` also ``name >= 0``."""
    for left, relation, right in assumptions:
        if relation in ("<", "<="):
            left, right, relation = right, left, {"<": ">", "<=": ">="}[relation]
        if left == name and relation in (">", ">="):
            try:
                bound = rational(right)
            except CheckerInputError:
                continue
            if bound > 0 or (bound == 0 and (relation == ">" or not strict)):
                return True
    return False


def entries(value: Any) -> list[Any]:
    """The entries of a vector (basis coefficients or components), or ``[value]`` for a scalar."""
    if isinstance(value, dict):
        return list(value.values())
    return list(value) if isinstance(value, list) else [value]


def numerators(value: Any) -> list[Poly]:
    return [e.num for e in entries(value)]


def side_difference(alg: Any, left: Any, right: Any) -> Any:
    if isinstance(left, dict | list) != isinstance(right, dict | list):
        if not isinstance(right, dict | list) and is_zero(right):
            return left
        if not isinstance(left, dict | list) and is_zero(left):
            return scale_vector(alg.const(Fraction(-1)), right)
        raise CheckerInputError("one side is a vector and the other a scalar")
    if isinstance(left, dict | list):
        return add_vectors(left, scale_vector(alg.const(Fraction(-1)), right))
    return left - right


def verdict_of(what: str, check: Callable[..., None], *args: Any) -> Verdict:
    """The checker's word on ``check(*args)``: accepted when it returns; not checked when it is
    outside the rules or past the work bounds; rejected with the reason, the input that is not even
    well formed named as ``what``."""
    try:
        with budget():
            check(*args)
    except (NotCheckedError, PolyTooLargeError, RecursionError) as why:
        return Verdict(False, False, str(why) or type(why).__name__)
    except (RejectedError, UndefinedError, CheckerInputError, CertificateError) as why:
        return Verdict(False, True, str(why))
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, ZeroDivisionError) as why:
        return Verdict(False, True, f"{what} is malformed ({why!r:.120})")
    return Verdict(True, True)


def check_proof(statement: dict[str, Any], certificate: dict[str, Any]) -> Verdict:
    """Re-check a proof from ``statement`` and its ``certificate`` (see the module docstring)."""
    return verdict_of("the statement or certificate", _proof, statement, certificate)


def _proof(statement: dict[str, Any], certificate: dict[str, Any]) -> None:
    if not isinstance(statement, dict) or not isinstance(certificate, dict):
        raise RejectedError("the statement and the certificate must be JSON objects")
    setting = Setting(statement)
    _check_algebra(setting, certificate)
    check_point(setting, certificate.get("point"))


def _check_algebra(setting: Setting, certificate: dict[str, Any]) -> None:
    unsolved = [g for g in run_steps(setting, certificate).goals if g]
    if unsolved:
        raise RejectedError(f"LHS − RHS does not reduce to zero: {unsolved[0]!r}"[:300])


def run_steps(setting: Setting, certificate: dict[str, Any]) -> _State:
    """The facts and goals after the certificate's steps (and the limit, if any); an inequality's
    one goal is its link (:func:`check_inequality`)."""
    mode = certificate.get("mode") if setting.relation == "=" else "symbolic"
    field = setting.field()
    if mode == "symbolic":
        alg: Any = Symbolic(field, setting.dim)
    elif mode == "components":
        if not isinstance(setting.dim, int) or not 1 <= setting.dim <= MAX_COMPONENTS:
            raise RejectedError(f"the componentwise mode needs an explicit n <= {MAX_COMPONENTS}")
        alg = Components(setting.dim, field)
    else:
        raise RejectedError(f"unknown mode {mode!r}")
    env = setting.env(alg, field)
    _note_signs(setting, alg, env, field)
    if setting.relation != "=":
        difference = _link(setting, certificate, alg, env)
    else:
        difference = side_difference(
            alg, evaluate(setting.lhs, alg, env), evaluate(setting.rhs, alg, env)
        )
    goals = numerators(difference)
    facts: list[Poly] = []
    for left_tree, relation, right_tree in setting.trees:
        if relation != "=":
            continue
        value = side_difference(alg, evaluate(left_tree, alg, env), evaluate(right_tree, alg, env))
        if isinstance(value, dict):  # V = 0 gives <V, B> = 0 for every basis vector B
            basis = {(), *((v,) for v in setting.vectors), *value, *_atoms(difference)}
            basis |= _complements(value, goals)
            made = [dot(alg, value, {b: alg.const(Fraction(1))}).num for b in sorted(basis)]
            basis |= _complements(value, made)  # one more round: the sums those facts name
            facts += [dot(alg, value, {b: alg.const(Fraction(1))}).num for b in sorted(basis)]
        else:
            facts += numerators(value)
    state = _State(field, facts, goals, difference)
    for step in certificate.get("steps", ()):
        if not isinstance(step, dict):
            raise RejectedError("a step of the certificate is not a record")
        state.apply(step, alg, difference)
    if setting.limit is not None:
        _take_limit(setting, state, alg, env)
    return state


def _note_signs(setting: Setting, alg: Any, env: dict[str, Any], field: Field) -> None:
    """What the inequality assumptions say, before the sides are read: each ``L rel R`` of
    scalars gives a polynomial known to be >= 0 (> 0 if strict), ``num·den`` of big − small; one
    linear in a single atom, ``a·v + b``, also gives the sign of v where its bound −b/a allows."""
    for left_tree, relation, right_tree in setting.trees:
        if relation not in ("<", "<=", ">", ">="):
            continue
        left, right = evaluate(left_tree, alg, env), evaluate(right_tree, alg, env)
        if isinstance(left, dict | list) or isinstance(right, dict | list):
            continue
        gap = right - left if relation in ("<", "<=") else left - right
        p, strict = gap.num * gap.den, relation in ("<", ">")
        if not p or p.is_constant():
            continue
        if strict:
            field.known_positive.append(p)
            field.assumed_positive.append(p)
        else:
            field.note_nonnegative(p)
        (atom, *others) = p.variables()
        parts = p.coefficients_in(atom)
        if others or set(parts) - {0, 1}:
            continue
        a, b = parts[1].constant(), parts[0].constant() if 0 in parts else Fraction(0)
        bound = -b / a  # v > bound (a > 0) or v < bound (a < 0); >=, <= if not strict
        if a > 0 and bound >= 0:
            field.nonneg.add(atom)
            if strict or bound > 0:
                field.positive.add(atom)
        elif a < 0 and bound <= 0:
            field.nonpos.add(atom)
            if strict or bound < 0:
                field.negative.add(atom)


def _take_limit(setting: Setting, state: _State, alg: Any, env: dict[str, Any]) -> None:
    """The limit by continuity: at the limit value every denominator stays nonzero (under the
    stated conditions, each f != 0 read as f² > 0 or ‖f‖² > 0), so LHS − RHS tends to its value
    there, which must reduce to zero. Assumptions were used before the limit."""
    assert setting.limit is not None
    name, value = setting.limit
    if name != "eps" and name not in setting.scalars:
        raise RejectedError(f"the limit's variable {name!r} is not a scalar of the statement")
    field = state.field
    if any(name in mapping for mapping, _ in state.history):
        raise RejectedError(f"a step substitutes the limit's variable {name}")
    if any(f and name in depends(field, f) for f in state.facts):  # a curve through the limit
        raise NotCheckedError(f"an equation on {name} that the steps do not solve for another name")
    if not any(state.goals):  # LHS − RHS is 0 wherever defined for ε > 0: so is its limit
        return
    # cancel the powers they share of the variable and of its roots √(c·v^j), c > 0 (positive
    # where v != 0): near the limit value the difference is their ratio
    roots = [
        r
        for r, (p, q) in field.radicals.items()
        if value == 0
        and q == 1
        and len(p.terms) == 1
        and p.variables() == {name}
        and p.terms[next(iter(p.terms))] > 0
    ]
    if len(state.goals) == len(state.denominators):
        for i, (goal, den) in enumerate(zip(state.goals, state.denominators, strict=True)):
            for r in roots:  # r**k in the denominator: times r**k above and below, r² = c·v^j
                k = _low_power(den, r)
                if k:
                    goal = field.reduce(goal * Poly.var(r) ** k)[0]
                    den = field.reduce(den * Poly.var(r) ** k)[0]
            for v in (name, *roots):
                k = min(_low_power(goal, v), _low_power(den, v))
                if k:
                    goal, den = divide_monomial(goal, ((v, k),)), divide_monomial(den, ((v, k),))
            state.goals[i], state.denominators[i] = goal, den
    for tree in setting.conditions:
        f = evaluate(tree, alg, env)
        square = dot(alg, f, f) if isinstance(f, dict | list) else f * f
        positive = square.num * square.den
        if not isinstance(f, dict | list) and field.nonnegative(f.num * f.den):
            positive = f.num * f.den  # f >= 0 and f != 0: f > 0
        field.known_positive.append(positive)
        field.assumed_positive.append(positive)  # with the variable in it: only >= 0 at its limit
        if len(positive.terms) == 1:  # a single atom (‖c(x)‖² = P[x,x]) is a positive variable
            ((monomial, coefficient),) = positive.terms.items()
            if coefficient > 0 and len(monomial) == 1 and monomial[0][1] % 2 == 1:
                field.positive.add(monomial[0][0])
                field.nonneg.add(monomial[0][0])
    # a root's radicand p/q is continuous at the limit value only where q stays nonzero there
    inner = [q for p, q in field.radicals.values() if name in depends(field, q)]
    state.take(name, value)
    for den in [*state.denominators, *(q.substitute({name: Poly.const(value)}) for q in inner)]:
        if not state._nonzero(den):
            raise RejectedError(
                f"a denominator may vanish in the limit {name} -> {value}: {den!r}"[:300]
            )


def _low_power(p: Poly, name: str) -> int:
    """The largest k with name**k dividing p (0 for p = 0)."""
    return min((dict(m).get(name, 0) for m in p.terms), default=0)


def _complements(vector: dict[Any, Any], polys: list[Poly]) -> set[tuple[str, ...]]:
    """Basis vectors B with ⟨A, B⟩ one of the power sums the polynomials use, for an atom A of
    the vector: B = M − A for each sum Σ over the multiset M ⊇ A."""
    out: set[tuple[str, ...]] = set()
    names = {v for p in polys for v in p.variables() if v[:2] in ("P[", "S[")}
    for name in names:
        multiset = name[2:-1].split(",")
        for atom in vector:
            rest = list(multiset)
            if all(a in rest and not rest.remove(a) for a in atom):  # type: ignore[func-returns-value]
                out.add(tuple(sorted(rest)))
    return out


def _atoms(value: Any) -> set[tuple[str, ...]]:
    return set(value) if isinstance(value, dict) else set()


_STEP_KEYS: dict[str, set[str]] = {
    "square_goal": set(),
    "combination": {"goal", "cofactors", "multiplier", "positive"},
    "subst": {"fact", "var"},
    "zero_vector": {"fact", "vector"},
    "cancel": {"fact", "factor", "quotient", "positive", "unit"},
    "root": {"fact", "base", "power"},
    "split": {"fact", "terms"},
}


class _State:
    """Facts (polynomials equal to 0 under the assumptions) and goals (to be shown 0)."""

    def __init__(self, field: Field, facts: list[Poly], goals: list[Poly], difference: Any) -> None:
        self.field, self.facts, self.goals = field, facts, goals
        self.vector_goal = isinstance(difference, dict | list)
        #: the denominators of LHS − RHS (a limit needs them nonzero at the limit value)
        self.denominators = [e.den for e in entries(difference)]
        #: the substitutions made so far, replayed on a goal formed later (square_goal)
        self.history: list[tuple[dict[str, Poly], Poly | None]] = []

    def fact(self, step: dict[str, Any]) -> Poly:
        index = step.get("fact")
        if not isinstance(index, int) or not 0 <= index < len(self.facts):
            raise RejectedError(f"step {step.get('kind')!r} names no fact")
        return self.facts[index]

    def apply(self, step: dict[str, Any], alg: Any, difference: Any) -> None:
        kind = step.get("kind") if isinstance(step, dict) else None
        if kind not in _STEP_KEYS:
            raise RejectedError(f"unknown step {kind!r}")
        extra = set(step) - _STEP_KEYS[kind] - {"kind"}
        if extra:  # a field the checker would ignore means builder and checker disagree
            raise RejectedError(
                f"step {kind!r} has fields the checker does not read: {sorted(extra)}"
            )
        if kind == "square_goal":
            if not isinstance(difference, dict | list):
                raise RejectedError("square_goal needs a vector goal")
            goal = dot(alg, difference, difference).num
            for mapping, scale in self.history:
                goal = self._reduced(_substituted(goal, mapping, scale))
            self.goals = [goal]
        elif kind == "combination":
            index = step.get("goal")
            if not isinstance(index, int) or not 0 <= index < len(self.goals):
                raise RejectedError("combination names no goal")
            total = Poly()
            for fact_index, cofactor in step.get("cofactors", ()):
                total = total + self.fact({"kind": kind, "fact": fact_index}) * poly_from_json(
                    cofactor
                )
            multiplier = poly_from_json(step.get("multiplier", [["1", []]]))
            if not self._nonzero(multiplier, step.get("positive")):
                raise RejectedError("combination: the multiplier is not evidently nonzero")
            if self._reduced(total - multiplier * self.goals[index]):
                raise RejectedError("combination: the cofactors times the facts are not the goal")
            self.goals[index] = Poly()
        elif kind == "subst":
            self._substitute(self.fact(step), str(step.get("var")))
        elif kind == "zero_vector":
            fact, v = self.fact(step), str(step.get("vector"))
            atom = Poly.var(power_sum_name((v, v)))
            if not _proportional(fact, atom):
                raise RejectedError(f"zero_vector: the fact is not a multiple of ‖c({v})‖²")
            names = {x for p in [*self.facts, *self.goals] for x in p.variables()}
            gone = {x for x in names if x[:2] in ("P[", "S[") and v in x[2:-1].split(",")}
            self._replace({x: Poly() for x in gone})
        elif kind == "cancel":
            fact, factor = self.fact(step), poly_from_json(step.get("factor"))
            quotient = poly_from_json(step.get("quotient"))
            if not self._nonzero(factor, step.get("positive")) and not self._unit(factor, step):
                raise RejectedError("cancel: the factor is not evidently nonzero")
            if fact != factor * quotient:
                raise RejectedError("cancel: factor × quotient is not the fact")
            self.facts.append(quotient)
        elif kind == "root":
            fact, base = self.fact(step), poly_from_json(step.get("base"))
            power = step.get("power")
            if not isinstance(power, int) or not 1 <= power <= 64 or not base:
                raise RejectedError("root: bad power or base")
            if not _proportional(fact, base**power):
                raise RejectedError("root: the fact is not a power of the base")
            self.facts.append(base)
        elif kind == "split":
            fact, total = self.fact(step), Poly()
            parts: list[Poly] = []
            for weight, multiplier, square in step.get("terms", ()):
                lam, m, s = rational(weight), poly_from_json(multiplier), poly_from_json(square)
                if lam <= 0 or not self.field.nonnegative(m):
                    raise RejectedError("split: a term is not evidently nonnegative times a square")
                # each term of a zero sum of nonnegative terms is 0: s = 0 where m > 0, else m·s²
                part = (
                    s if self.field.nonnegative(m, strict=True) and m.is_constant() else m * s * s
                )
                total, parts = total + m * s * s * lam, [*parts, part]
            if total != fact or not parts:
                raise RejectedError("split: the terms do not add up to the fact")
            self.facts += parts
        else:
            raise RejectedError(f"unknown step {kind!r}")

    def take(self, name: str, value: Fraction) -> None:
        """Set ``name`` to its limit value everywhere; signs of changed roots are found anew."""
        field = self.field
        mapping = {name: Poly.const(value)}
        # an assumed p > 0 that moves with the limit's variable only stays >= 0 at its limit
        moving = [k for k in field.assumed_positive if name in k.variables()]
        field.known_positive = [k for k in field.known_positive if k not in moving]
        field.known += moving
        field.known = [k.substitute(mapping) for k in field.known]
        field.known_positive = [k.substitute(mapping) for k in field.known_positive]
        stale = {name} | {r for r in field.radicals if name in _uses(field, r)}
        for signs in (field.positive, field.nonneg, field.negative, field.nonpos):
            signs -= stale
        self._replace(mapping)
        for r in sorted(field.radicals, key=lambda r: int(r[1:])):  # the conditions count now
            field.sign_root(r)

    def _unit(self, p: Poly, step: dict[str, Any]) -> bool:
        """``p != 0`` because a fact reads ``p·k − c`` for the cofactor k and a constant c != 0
        (``step["unit"] = [fact index, k]``): p·k = c."""
        unit = step.get("unit")
        if not isinstance(unit, list) or len(unit) != 2:
            return False
        fact = self.fact({"kind": step.get("kind"), "fact": unit[0]})
        rest = p * poly_from_json(unit[1]) - fact
        return rest.is_constant() and rest.constant() != 0

    def _nonzero(self, p: Poly, squares: Any = None) -> bool:
        """Evidently ``p != 0``: of one strict sign, or ``p = Σ λ m s² + c`` with λ >= 0, m
        evidently >= 0 and a constant c > 0 (``squares`` lists the [λ, m, s] terms)."""
        if self.field.nonnegative(p, True) or self.field.nonnegative(-p, True):
            return True
        if not isinstance(squares, list) or not squares:
            return False
        total = Poly()
        for weight, multiplier, square in squares:
            lam, m, sq = rational(weight), poly_from_json(multiplier), poly_from_json(square)
            if lam < 0 or not self.field.nonnegative(m):
                return False
            total = total + m * sq * sq * lam
        rest = p - total
        return rest.is_constant() and rest.constant() > 0

    def _substitute(self, fact: Poly, var: str) -> None:
        parts = fact.coefficients_in(var)
        k, w = parts.get(1), parts.get(0, Poly())
        if set(parts) - {0, 1} or k is None or var in k.variables():
            raise RejectedError(f"subst: the fact is not linear in {var}")
        if not (self.field.nonnegative(k, True) or self.field.nonnegative(-k, True)):
            raise RejectedError(f"subst: the coefficient of {var} is not evidently nonzero")
        root = self.field.radicals.get(var) if var.startswith("√") else None
        if var.startswith("√") and root is None:
            raise RejectedError(f"subst: {var} is not a root of the statement")
        self._replace({var: -w}, k)
        if root is not None:  # r = −w/k and r² = p/q: what the root stood for, p·k² = w²·q
            p, q = root
            self.facts.append(self._reduced(p * k * k - w * w * q))

    def _replace(self, mapping: dict[str, Poly], scale: Poly | None = None) -> None:
        """Substitute ``var = mapping[var] / scale`` (scale evidently nonzero) everywhere."""

        self.history.append((mapping, scale))

        def sub(p: Poly) -> Poly:
            return _substituted(p, mapping, scale)

        changed = [r for r in self.field.radicals if _uses(self.field, r) & set(mapping)]
        for r, (p, q) in list(self.field.radicals.items()):
            new_p, new_q = sub(p), sub(q)
            if scale is not None:  # p/q = (new_p/scale**a) / (new_q/scale**b)
                (var,) = mapping
                a, b = p.degree(var), q.degree(var)
                new_p, new_q = new_p * scale ** max(b - a, 0), new_q * scale ** max(a - b, 0)
            self.field.radicals[r] = (new_p, new_q)
        # each side gains scale**degree: the goal/denominator ratio (a limit's) stays exact
        gains = [0] * len(self.goals)
        if scale is not None and len(self.goals) == len(self.denominators):
            ((var, _),) = mapping.items()
            pairs = zip(self.goals, self.denominators, strict=True)
            gains = [d.degree(var) - g.degree(var) for g, d in pairs]
        self.facts = [self._reduced(sub(f)) for f in self.facts]
        self.goals = [self._reduced(sub(g)) for g in self.goals]
        self.denominators = [sub(d) for d in self.denominators]
        for i, gain in enumerate(gains):
            if gain and scale is not None:
                goal, den = self.goals[i], self.denominators[i]
                goal, den = (goal * scale**gain, den) if gain > 0 else (goal, den * scale**-gain)
                self.goals[i], self.denominators[i] = self._reduced(goal), den
        for r in changed:  # a changed radicand may now merge with another root, or split
            if r not in self.field.radicals:
                continue
            p, q = self.field.radicals.pop(r)
            value = self.field.sqrt(Frac(self.field, p, q))
            if value.num == Poly.var(r) and value.den == 1:
                self.field.radicals[r] = (p, q)
                continue
            self._replace({r: value.num}, value.den)

    def _reduced(self, p: Poly) -> Poly:
        if any(p.degree(r) > 1 for r in self.field.radicals):
            return self.field.reduce(p)[0]
        return p


def _substituted(p: Poly, mapping: dict[str, Poly], scale: Poly | None) -> Poly:
    """``p`` at ``var = mapping[var] / scale``, times ``scale**degree`` (no division)."""
    if scale is None:
        return p.substitute(mapping)
    ((var, value),) = mapping.items()
    degree, total = p.degree(var), Poly()
    for k, c in p.coefficients_in(var).items():
        total = total + c * value**k * scale ** (degree - k)
    return total


def _uses(field: Field, r: str) -> set[str]:
    p, q = field.radicals[r]
    return p.variables() | q.variables()


def depends(field: Field, p: Poly) -> set[str]:
    """The atoms ``p`` depends on, through the radicands of its roots too."""
    names = p.variables()
    for r in names & set(field.radicals):
        names = names | depends(field, field.radicals[r][0]) | depends(field, field.radicals[r][1])
    return names


def _proportional(p: Poly, q: Poly) -> bool:
    if not p or not q:
        return False
    (m, c), *_ = sorted(q.terms.items())
    ratio = p.terms.get(m)
    return ratio is not None and p == q * (ratio / c)


# -- points: where the statement is defined, and witnesses --------------------------------------
def _point_env(
    setting: Setting, point: Any, field: Field | None = None
) -> tuple[Components, dict[str, Any]]:
    """The point's values as balls, with every assumption checked there; over ``field`` (a limit's
    witness) as exact constants, the assumptions left to the caller.

    A value is a rational, or a real algebraic number written with rationals, + − × / and
    ``sqrt`` (``"sqrt(3)/2"``: an equation such as α² = 3 has no rational solution). Such a
    point is enclosed in balls for every test but an equation, which must hold exactly: its
    difference is evaluated once more over a :class:`Field`, √ of each prime a root variable."""
    if not isinstance(point, dict):
        raise RejectedError("no point at which the assumptions hold and both sides are defined")
    try:
        n = point["n"]
        if isinstance(n, bool) or not isinstance(n, int):
            raise RejectedError("the point's n must be an integer")
        eps = rational(point["eps"])
        values = point["values"]
    except (KeyError, TypeError, ValueError) as error:
        raise RejectedError(f"the point is malformed: {error}") from None
    free_eps = field is not None and setting.limit is not None and setting.limit[0] == "eps"
    if (
        n < 1
        or (setting.dim is not None and n != setting.dim)
        or (eps <= 0 and not free_eps)
        or n > 4096
    ):
        raise RejectedError("the point's n or ε is not allowed by the statement")
    if not isinstance(values, dict):
        raise RejectedError("the point's values must be a JSON object")
    alg = Components(n, field)
    env = _point_values(setting, alg, eps, values)
    if field is not None:
        return alg, env
    exact: tuple[Components, dict[str, Any]] | None = None
    for (left_tree, relation, right_tree), text in zip(
        setting.trees, setting.assumptions, strict=True
    ):
        left, right = evaluate(left_tree, alg, env), evaluate(right_tree, alg, env)
        balls = entries(side_difference(alg, left, right))
        holds = all(_HOLDS[relation](d) for d in balls)
        if not holds and relation == "=" and not any(d.excludes_zero() for d in balls):
            if exact is None:  # enclosed around 0: an algebraic point's equation, decided exactly
                exact_alg = Components(n, Field())
                exact = exact_alg, _point_values(setting, exact_alg, eps, values)
            e_alg, e_env = exact
            left, right = evaluate(left_tree, e_alg, e_env), evaluate(right_tree, e_alg, e_env)
            holds = all(d.is_zero() for d in entries(side_difference(e_alg, left, right)))
        if not holds:
            raise RejectedError(f"the point does not satisfy {' '.join(text)}")
    return alg, env


def _point_values(
    setting: Setting, alg: Components, eps: Fraction, values: dict[str, Any]
) -> dict[str, Any]:
    """The declared names' values at the point in ``alg`` (balls, or a field's constants)."""
    env: dict[str, Any] = {"eps": alg.const(eps)}
    if setting.inverse is not None:  # t = 1/v, from v's value (0 where v is 0: undefined there)
        v, t = setting.inverse
        source = env["eps"] if v == "eps" else _number(values.get(v, "0"), alg)
        one = alg.const(Fraction(1))
        env[t] = source * 0 if is_zero(source) else alg.div(one, source)
    for name in (*setting.vectors, *setting.scalars):
        if setting.inverse is not None and name == setting.inverse[1]:
            continue
        value = values.get(name)
        if value is None:  # a declared name the witness leaves out: any value is a point
            value = ["0"] * alg.dim if name in setting.vectors else "0"
        if name in setting.vectors:
            if not isinstance(value, list) or len(value) != alg.dim:
                raise RejectedError(f"the point gives no vector of length {alg.dim} for {name!r}")
            env[name] = [_number(x, alg) for x in value]
        else:
            if value is None or isinstance(value, list):
                raise RejectedError(f"the point gives no scalar value for {name!r}")
            env[name] = _number(value, alg)
    return env


def _number(text: Any, alg: Components) -> Any:
    """A point's entry in ``alg``: a rational, or an algebraic number (see :func:`_point_env`)."""
    try:
        return alg.const(rational(text))
    except CheckerInputError:
        if not isinstance(text, str):
            raise
    tree = read(text)
    if not _algebraic(tree):
        raise CheckerInputError(f"not a number: {text!r:.60}")
    return evaluate(tree, alg, {})


def _algebraic(tree: Any) -> bool:
    """Only numbers, − , + − × /, integer powers and ``sqrt``: no name, no definition."""
    head = tree[0]
    if head == "num":
        return True
    if head == "neg":
        return _algebraic(tree[1])
    if head == "op":
        return _algebraic(tree[2]) and _algebraic(tree[3])
    return head == "call" and tree[1] == "sqrt" and len(tree[2]) == 1 and _algebraic(tree[2][0])


#: whether ``d`` (an enclosure of L − R) shows ``L relation R``, and the relation each negates
_HOLDS: dict[str, Callable[[Ball], bool]] = {
    "=": lambda d: d.exact and d.lo == 0,
    "!=": Ball.excludes_zero,
    ">": lambda d: d.lo > 0,
    ">=": lambda d: d.lo >= 0,
    "<": lambda d: d.hi < 0,
    "<=": lambda d: d.hi <= 0,
}
_NEGATION = {"=": "!=", "<=": ">", "<": ">=", ">=": "<", ">": "<="}


def check_point(setting: Setting, point: Any) -> None:
    """``point`` satisfies the assumptions and the conditions, and both sides are defined there;
    under a limit, the point with the variable at its limit value lies in the closure of the
    domain (:func:`_check_closure`)."""
    alg, env = _point_env(setting, point)
    if setting.limit is not None:
        _check_closure(setting, alg, env)
    try:
        evaluate(setting.lhs, alg, env)
        evaluate(setting.rhs, alg, env)
        for tree in setting.conditions:
            value = evaluate(tree, alg, env)
            if not any(v.excludes_zero() for v in entries(value)):
                raise RejectedError("a stated condition f != 0 fails at the certificate's point")
    except UndefinedError as why:
        raise RejectedError(f"a side is not defined at the certificate's point ({why})") from None


def _check_closure(setting: Setting, alg: Components, env: dict[str, Any]) -> None:
    """The limit is taken within the domain: with the variable v at its limit value a, the point
    satisfies each inequality assumption on v strictly (so points near it do too), or a bound
    ``v > c`` (``>=``, ``<``, ``<=``) whose side a lies on or at (v approaches a from there). An
    equation on v must be solved by the steps for another name (then the domain is a graph over
    v, defined wherever the solved-for coefficient is nonzero); :func:`_take_limit` requires that."""
    assert setting.limit is not None
    name, value = setting.limit
    v = setting.inverse[0] if setting.inverse is not None else name
    at = dict(env, **{name: alg.const(value)})
    for (left_tree, relation, right_tree), (left, _, right) in zip(
        setting.trees, setting.assumptions, strict=True
    ):
        marker = ("name", "\0")
        if (left_tree, right_tree) == (
            replaced(left_tree, name, marker),
            replaced(right_tree, name, marker),
        ):
            continue  # free of the variable
        if relation == "=":
            continue  # the steps solve it for another name (run_steps checks that)
        if relation == "!=":
            raise NotCheckedError("an assumption != that involves the limit's variable")
        side = _bound_side(v, left, relation, right)
        if setting.inverse is not None:
            if side is None or side[0] != 1:
                raise NotCheckedError("a limit at infinity under an assumption other than v > c")
            continue
        if side is not None and side[0] * (value - side[1]) >= 0:
            continue
        gap = side_difference(alg, evaluate(left_tree, alg, at), evaluate(right_tree, alg, at))
        if not all(_HOLDS[relation.rstrip("=")](d) for d in entries(gap)):
            where = f"{left} {relation} {right}"
            raise RejectedError(f"the limit {v} -> {value} is outside the closure of {where}")


def _bound_side(v: str, left: str, relation: str, right: str) -> tuple[int, Fraction] | None:
    """``v > c`` (or >=) → (1, c), ``v < c`` → (−1, c), c a plain number; else None."""
    if right == v:
        left, right, relation = right, left, {"<": ">", "<=": ">=", ">": "<", ">=": "<="}[relation]
    if left != v:
        return None
    try:
        return (1 if relation[0] == ">" else -1), rational(right)
    except CheckerInputError:
        return None


def check_refutation(statement: dict[str, Any], witness: dict[str, Any]) -> Verdict:
    """Re-check a witness: assumptions exactly true, some entry of LHS − RHS enclosed away from 0."""
    return verdict_of("the statement or witness", _refutation, statement, witness)


def _refutation(statement: dict[str, Any], witness: dict[str, Any]) -> None:
    if not isinstance(statement, dict) or not isinstance(witness, dict):
        raise RejectedError("the statement and the witness must be JSON objects")
    setting = Setting(statement)
    relation = setting.relation
    if setting.limit is not None:
        if relation != "=" or setting.conditions:
            raise NotCheckedError("a refuted limit of an inequality, or under conditions")
        values = _limit_at(setting, witness)
    else:
        alg, env = _point_env(setting, witness)
        values = entries(
            side_difference(alg, evaluate(setting.lhs, alg, env), evaluate(setting.rhs, alg, env))
        )
    if not any(_HOLDS[_NEGATION[relation]](d) for d in values):
        raise RejectedError("the witness does not separate the sides")


def _limit_at(setting: Setting, witness: dict[str, Any]) -> list[Ball]:
    """Enclosures of the limit of LHS − RHS at the witness (its other values fixed, exact), by the
    proofs' rule: the difference's entries are ``goal/den`` with ``den`` nonzero at the limit value,
    where ``goal`` is then enclosed. Every assumption must hold exactly, free of the variable."""
    assert setting.limit is not None
    name = setting.limit[0]
    field = Field(nonneg={"n", "eps"}, positive={"n", "eps"})
    alg, env = _point_env(setting, witness, field)
    env[name] = field.var(name)
    for (left_tree, relation, right_tree), text in zip(
        setting.trees, setting.assumptions, strict=True
    ):
        left, right = evaluate(left_tree, alg, env), evaluate(right_tree, alg, env)
        for d in entries(side_difference(alg, left, right)):
            ok = d.is_zero() if relation == "=" else _HOLDS[relation](_ball_of(field, d))
            if not ok:
                raise RejectedError(f"the witness does not satisfy {' '.join(text)}")
    difference = side_difference(
        alg, evaluate(setting.lhs, alg, env), evaluate(setting.rhs, alg, env)
    )
    # a root whose radicand is not evidently >= 0 near the limit must have it > 0 at the limit
    near = [pq for pq in field.radicals.values() if not field.nonnegative(pq[0] * pq[1])]
    state = _State(field, [], numerators(difference), difference)
    _take_limit(setting, state, alg, env)
    at = {name: Poly.const(setting.limit[1])}
    for p, q in near:
        if not _ball_of(field, Frac(field, p.substitute(at), q.substitute(at))).lo > 0:
            raise RejectedError("a side is not defined near the limit at the witness")
    return [
        _ball_of(field, Frac(field, g, d))
        for g, d in zip(state.goals, state.denominators, strict=True)
    ]


def _ball_of(field: Field, value: Frac) -> Ball:
    """An enclosure of a constant: every variable left must be a root of a constant radicand."""
    roots: dict[str, Ball] = {}

    def ball(p: Poly) -> Ball:
        total = Ball(Fraction(0))
        for monomial, coefficient in p.terms.items():
            term = Ball(coefficient)
            for v, e in monomial:
                if v not in roots:
                    if v not in field.radicals:
                        raise NotCheckedError(f"{v} is not fixed at the witness")
                    num, den = field.radicals[v]
                    roots[v] = ball_sqrt(ball_divide(ball(num), ball(den)))
                for _ in range(e):
                    term = term * roots[v]
            total = total + term
        return total

    return ball_divide(ball(value.num), ball(value.den))


def check_inequality(statement: dict[str, Any], certificate: dict[str, Any]) -> Verdict:
    """Re-check an inequality: :mod:`lnsym.check.positivity` verifies ``num/den >= 0`` (``> 0``),
    and this links it to the statement — big − small, evaluated by the checker's own table, times
    ``den`` is ``num`` exactly (or after the certificate's steps by the statement's equations, as
    in a proof), and ``den`` is evidently positive."""
    return verdict_of("the statement or certificate", _inequality, statement, certificate)


def _inequality(statement: dict[str, Any], certificate: dict[str, Any]) -> None:
    relation = statement.get("relation") if isinstance(statement, dict) else None
    if relation not in ("<=", "<", ">=", ">") or not isinstance(certificate, dict):
        raise RejectedError("an inequality needs its relation and a positivity certificate")
    setting = Setting(statement)
    if setting.limit is not None:
        raise NotCheckedError("the limit of an inequality is not in the checker's rules")
    if check_positivity(certificate)[2] != (relation in ("<", ">")):
        raise RejectedError("the certificate's strictness is not the relation's")
    check_point(setting, certificate.get("point"))  # not vacuous: a point of the domain
    (residual,) = run_steps(setting, certificate).goals
    if residual:
        if any(r == "=" for _, r, _ in setting.trees) and not certificate.get("steps"):
            raise NotCheckedError("the link of an inequality that uses the statement's equations")
        if any(v.startswith("√") for v in residual.variables()):  # √(a²b) vs a√b
            raise NotCheckedError(
                "the certified num/den and big − small differ by roots the checker cannot "
                "compare (a root of a square times a polynomial)"
            )
        raise RejectedError("the certified num/den is not big − small of the statement")


def _link(setting: Setting, certificate: dict[str, Any], alg: Any, env: dict[str, Any]) -> Frac:
    """big − small times the certified ``den`` minus ``num``, read by the checker's own table
    (``den`` evidently positive, every radicand evidently >= 0): 0 when the link holds."""
    num, den, _ = check_positivity(certificate)
    field, roots = alg.field, dict[str, Any]()  # named first: the sides' roots split into them
    radicands = [poly_from_json(radicand) for _, radicand in certificate.get("radicals", ())]
    for (name, _), p in zip(certificate.get("radicals", ()), radicands, strict=True):
        roots[str(name)] = field.sqrt(_at(p, roots, field))
    left, right = evaluate(setting.lhs, alg, env), evaluate(setting.rhs, alg, env)
    if isinstance(left, dict | list) or isinstance(right, dict | list):
        raise CheckerInputError("an inequality compares scalars")
    for p in radicands:  # the positivity facts hold where the radicals are real: everywhere
        v = _at(p, roots, field)
        v = v.num * v.den  # >= 0 evidently, or times an evident m > 0 a known square k = v·m
        quotients = (k.divided_by(v) for k in field.known if len(k.terms) >= len(v.terms))
        if not (
            is_square(p)
            or field.nonnegative(v)
            or any(m is not None and field.nonnegative(m, strict=True) for m in quotients)
        ):
            raise NotCheckedError("a radicand of the certificate is not evidently >= 0")
    if not set(certificate.get("positive", ())) <= setting.positive:
        raise RejectedError("the certificate takes a scalar positive the statement does not")
    for assumed in certificate.get("assumptions", ()):
        cited = _at(poly_from_json(assumed["poly"]), roots, field)
        _linked_assumption(setting, alg, env, cited, assumed["strict"] is True)
    num_at, den_at = _at(num, roots, field), _at(den, roots, field)
    if not field.nonnegative(den_at.num * den_at.den, strict=True):
        raise RejectedError("the certificate's denominator is not evidently positive")
    big_minus_small = right - left if setting.relation in ("<=", "<") else left - right
    return big_minus_small * den_at - num_at


def _linked_assumption(
    setting: Setting, alg: Any, env: dict[str, Any], cited: Frac, strict: bool
) -> None:
    """An assumption the certificate cites, ``cited >= 0`` (``> 0`` if strict), is big − small of
    one of the statement's inequalities, read by the checker's own table."""
    for left_tree, relation, right_tree in setting.trees:
        if relation not in ("<", "<=", ">", ">=") or (strict and relation in ("<=", ">=")):
            continue
        left, right = evaluate(left_tree, alg, env), evaluate(right_tree, alg, env)
        if isinstance(left, dict | list) or isinstance(right, dict | list):
            continue
        if ((right - left if relation in ("<", "<=") else left - right) - cited).is_zero():
            return
    raise RejectedError("an assumption the certificate cites is not one of the statement's")


def _at(p: Poly, values: dict[str, Any], field: Field) -> Any:
    """``p`` with its variables replaced by the checker's values (roots) or atoms."""
    total = field.const(0)
    for monomial, coefficient in p.terms.items():
        term = field.const(coefficient)
        for name, exponent in monomial:
            term = term * (values[name] if name in values else field.var(name)) ** exponent
        total = total + term
    return total
