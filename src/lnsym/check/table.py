r"""The checker's own table of definitions, evaluated over any of its algebras.

Each definition is written once and means the same in every algebra: symbolic for every n
(vectors over the basis :math:`\mathbf{1}`, :math:`c(v)` and their elementwise products),
componentwise at an explicit n, or on rational balls at a point. A vector is a ``dict`` (basis
atom → coefficient: the sorted tuple of centred names whose elementwise product it is, ``()`` for
:math:`\mathbf{1}`) or a ``list`` of entries.

The definitions are text in the checker's own language (``_TABLE``: ``LN(x, e)`` is
``c(x)/sqrt(Var(x) + e)``, e = ε by default) over three primitives ⟨a, b⟩, a ⊙ b and √s;
``jvp(F, x, v)`` is d/dt F(x + t v) at t = 0 and ``diff(F, s)`` is ∂F/∂s (dual numbers), and
``grad(f, x)`` is the vector g with ⟨g, v⟩ = jvp(f, x, v) for every v.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

from lnsym.check.algebra import (
    Ball,
    Dual,
    Field,
    Frac,
    Node,
    ball_divide,
    ball_sqrt,
)
from lnsym.check.poly import Poly
from lnsym.check.reader import CheckerInputError, Tree, read

__all__ = [
    "Components",
    "NotCheckedError",
    "Symbolic",
    "add_vectors",
    "dot",
    "evaluate",
    "is_zero",
    "power_sum_name",
    "replaced",
    "scale_vector",
]


class NotCheckedError(Exception):
    """The statement uses something the checker has no rule for (its verdict is not re-checked)."""


def power_sum_name(atom: tuple[str, ...]) -> str:
    """The variable of ⟨c(a), c(b)⟩ (``P[a,b]``) or Σ_i c(a)_i c(b)_i c(c)_i ⋯ (``S[a,b,c]``)."""
    return f"{'P' if len(atom) == 2 else 'S'}[{','.join(atom)}]"


class Components:
    """An explicit n: vectors as lists, over a :class:`Field` (symbolic entries) or :class:`Ball`
    (``field`` None)."""

    def __init__(self, dim: int, field: Field | None = None) -> None:
        self.dim, self.field = dim, field
        self.n = self.const(Fraction(dim))

    def const(self, value: Fraction) -> Any:
        return self.field.const(value) if self.field is not None else Ball(value)

    def sqrt(self, a: Any) -> Any:
        return self.field.sqrt(a) if self.field is not None else ball_sqrt(a)

    def div(self, a: Any, b: Any) -> Any:
        return self.field.div(a, b) if self.field is not None else ball_divide(a, b)

    def vector(self, name: str) -> Any:
        assert self.field is not None
        return [self.field.var(f"{name}[{i}]") for i in range(self.dim)]

    def ones(self) -> Any:
        return [self.const(Fraction(1)) for _ in range(self.dim)]

    def note_square(self, value: Any) -> None:
        if self.field is not None:
            self.field.note_nonnegative(value.num * value.den)


class Symbolic(Components):
    """Every n (or ``dim``): vectors over the basis 1, c(v) and their elementwise products."""

    field: Field

    def __init__(self, field: Field, dim: int | None) -> None:
        self.field, self.fixed = field, dim
        self.n = field.var("n") if dim is None else field.const(dim)

    def vector(self, name: str) -> dict[tuple[str, ...], Frac]:
        return {(name,): self.const(Fraction(1)), (): self.field.var(f"mu[{name}]")}

    def ones(self) -> dict[tuple[str, ...], Frac]:
        return {(): self.const(Fraction(1))}

    def power_sum(self, atom: tuple[str, ...]) -> Frac:
        if not atom:
            return self.n
        if len(atom) == 1 or self.fixed == 1:  # a centred vector sums to 0; at n = 1 it is 0
            return self.const(Fraction(0))
        name = power_sum_name(atom)
        if all(k % 2 == 0 for k in Counter(atom).values()):
            self.field.nonneg.add(name)
        return self.field.var(name)


class _Tangent:
    """Dual numbers over another algebra (one direction of differentiation)."""

    def __init__(self, base: Any) -> None:
        self.base = base
        self.n = Dual(base.n, base.const(Fraction(0)))

    def const(self, value: Fraction) -> Dual:
        return Dual(self.base.const(value), self.base.const(Fraction(0)))

    def sqrt(self, a: Dual) -> Dual:
        root = self.base.sqrt(a.a)
        if is_zero(a.b) and not isinstance(root, Ball):  # at a point, the slope needs root != 0
            return Dual(root, a.b)
        return Dual(root, self.base.div(a.b, root * 2))

    def div(self, x: Any, y: Dual) -> Any:
        x = x if isinstance(x, Dual) else Dual(x, self.base.const(Fraction(0)))
        value = self.base.div(x.a, y.a)
        if is_zero(y.b):
            return Dual(value, self.base.div(x.b, y.a))
        return Dual(value, self.base.div(x.b * y.a - x.a * y.b, y.a * y.a))

    def ones(self) -> Any:
        return _map(self.base.ones(), lambda c: Dual(c, c * 0))

    def power_sum(self, atom: tuple[str, ...]) -> Dual:
        value = self.base.power_sum(atom)
        return Dual(value, value * 0)

    def note_square(self, value: Dual) -> None:
        self.base.note_square(value.a)


class _Adjoint:
    """Reverse-mode values over another algebra: a gradient at an explicit n in one sweep (the
    forward jvp along each basis vector costs n evaluations)."""

    def __init__(self, base: Any) -> None:
        self.base = base
        self.tape: list[Node] = []
        self.n = self.constant(base.n)

    def constant(self, value: Any) -> Node:
        return Node(self.tape, value)

    def const(self, value: Fraction) -> Node:
        return self.constant(self.base.const(value))

    def sqrt(self, a: Node) -> Node:
        root = self.base.sqrt(a.value)  # its slope 1/(2 root) must exist: root != 0
        return Node(self.tape, root, ((a, self.base.div(self.base.const(Fraction(1)), root * 2)),))

    def div(self, x: Any, y: Node) -> Node:
        x = x if isinstance(x, Node) else self.constant(x)
        inverse = self.base.div(self.base.const(Fraction(1)), y.value)
        value = x.value * inverse
        return Node(self.tape, value, ((x, inverse), (y, -(value * inverse))))

    def ones(self) -> Any:
        return _map(self.base.ones(), self.constant)

    def power_sum(self, atom: tuple[str, ...]) -> Node:
        return self.constant(self.base.power_sum(atom))

    def note_square(self, value: Node) -> None:
        self.base.note_square(value.value)


def is_zero(x: Any) -> bool:
    if isinstance(x, Frac):
        return x.is_zero()
    if isinstance(x, Ball):
        return x.exact and x.lo == 0
    if isinstance(x, Dual):
        return is_zero(x.a) and is_zero(x.b)
    return x == 0


def _map(v: Any, f: Callable[[Any], Any]) -> Any:
    return {k: f(c) for k, c in v.items()} if isinstance(v, dict) else [f(c) for c in v]


def _is_vector(v: Any) -> bool:
    return isinstance(v, dict | list)


def add_vectors(a: Any, b: Any) -> Any:
    """a + b, entry by entry (a basis coefficient 0 is left out)."""
    if isinstance(a, list):
        return [p + q for p, q in zip(a, b, strict=True)]
    out = dict(a)
    for atom, c in b.items():
        out[atom] = out[atom] + c if atom in out else c
    return {atom: c for atom, c in out.items() if not is_zero(c)}


def scale_vector(s: Any, v: Any) -> Any:
    """s·v."""
    return _map(v, lambda c: s * c)


def dot(alg: Any, a: Any, b: Any) -> Any:
    """⟨a, b⟩ (over the basis: Σ of coefficient products times the power sums)."""
    if isinstance(a, list):
        total = alg.const(Fraction(0))
        for p, q in zip(a, b, strict=True):
            total = total + p * q
    else:
        total = alg.const(Fraction(0))
        for atom_a, ca in a.items():
            for atom_b, cb in b.items():
                total = total + ca * cb * alg.power_sum(tuple(sorted(atom_a + atom_b)))
    if a is b:
        alg.note_square(total)
    return total


def _hadamard(a: Any, b: Any) -> Any:
    if isinstance(a, list):
        return [p * q for p, q in zip(a, b, strict=True)]
    out: dict[tuple[str, ...], Any] = {}
    for atom_a, ca in a.items():
        for atom_b, cb in b.items():
            atom = tuple(sorted(atom_a + atom_b))
            out[atom] = out[atom] + ca * cb if atom in out else ca * cb
    return {atom: c for atom, c in out.items() if not is_zero(c)}


#: name → (argument kinds: "v" vector, "s" scalar, "e" a trailing scalar that defaults to ε; the
#: rule: a function of the values, or a definition in the checker's own language over the
#: primitives dot, hadamard, sqrt, n and ones, its parameters named in order).
_TABLE: dict[str, tuple[str, Any]] = {
    "dot": ("vv", dot),
    "hadamard": ("vv", lambda alg, a, b: _hadamard(a, b)),
    "sqrt": ("s", lambda alg, s: alg.sqrt(s)),
    **{
        name: (kinds, (tuple(params.split()), read(body)))
        for name, kinds, params, body in (
            ("mu", "v", "x", "dot(x, ones)/n"),
            ("E", "v", "x", "dot(x, ones)/n"),
            ("c", "v", "x", "x - mu(x)*ones"),
            ("Var", "v", "x", "dot(c(x), c(x))/n"),
            ("norm", "v", "x", "sqrt(dot(x, x))"),
            ("cos", "vv", "a b", "dot(a, b)/(norm(a)*norm(b))"),
            ("u", "vs", "y e", "y/sqrt(dot(y, y) + e)"),
            ("LN", "ve", "x e", "c(x)/sqrt(Var(x) + e)"),
            ("RMS", "ve", "x e", "x/sqrt(dot(x, x)/n + e)"),
            ("LNA", "vvve", "x g b e", "hadamard(g, LN(x, e)) + b"),
            ("sandwich", "vv", "a v", "2*dot(a, v)*a - dot(a, a)*v"),
            ("abs", "s", "s", "sqrt(s*s)"),
        )
    },
}


def replaced(tree: Tree, name: str, by: Tree) -> Tree:
    """``tree`` with the name ``name`` replaced by ``by``; for ``eps`` also every ε a definition
    leaves out (``LN(x)`` is ``LN(x, by)``)."""
    head = tree[0]
    if head == "name":
        return by if tree[1] == name else tree
    if head == "neg":
        return ("neg", replaced(tree[1], name, by))
    if head == "op":
        return ("op", tree[1], replaced(tree[2], name, by), replaced(tree[3], name, by))
    if head == "call":
        args = tuple(replaced(a, name, by) for a in tree[2])
        kinds = _TABLE[tree[1]][0] if tree[1] in _TABLE else ""
        if name == "eps" and kinds.endswith("e") and len(args) == len(kinds) - 1:
            args = (*args, by)
        return ("call", tree[1], args)
    return tree


def evaluate(tree: Tree, alg: Any, env: Mapping[str, Any]) -> Any:
    """The value of ``tree`` in ``alg``; ``env`` maps names (with ``eps``) to values."""
    head = tree[0]
    if head == "num":
        return alg.const(tree[1])
    if head == "name":
        name = tree[1]
        if name == "n":
            return alg.n
        if name == "ones":
            return alg.ones()
        if name not in env:
            raise CheckerInputError(f"unknown name {name!r}")
        return env[name]
    if head == "neg":
        value = evaluate(tree[1], alg, env)
        return scale_vector(alg.const(Fraction(-1)), value) if _is_vector(value) else -value
    if head == "op":
        return _operation(tree, alg, env)
    name, args = tree[1], tree[2]
    if name in ("jvp", "diff"):
        return _derivative(name, args, alg, env)
    if name == "grad":
        return _gradient(args, alg, env)
    if name not in _TABLE:
        raise NotCheckedError(f"the checker has no rule for {name}()")
    kinds, rule = _TABLE[name]
    values: list[Any] = []
    for a in args:  # equal arguments share one value (so dot(v, v) is seen to be a square)
        first = args.index(a)
        values.append(values[first] if first < len(values) else evaluate(a, alg, env))
    if kinds.endswith("e") and len(values) == len(kinds) - 1:
        values.append(env["eps"])
    if len(values) != len(kinds):
        raise CheckerInputError(f"{name} takes {len(kinds)} arguments")
    for kind, value in zip(kinds, values, strict=True):
        if (kind == "v") != _is_vector(value):
            raise CheckerInputError(f"{name}: a {'vector' if kind == 'v' else 'scalar'} expected")
    if callable(rule):
        return rule(alg, *values)
    return evaluate(rule[1], alg, dict(zip(rule[0], values, strict=True)))


def _operation(tree: Tree, alg: Any, env: Mapping[str, Any]) -> Any:
    op, left_tree, right_tree = tree[1], tree[2], tree[3]
    if op == "**":
        return _power(alg, evaluate(left_tree, alg, env), right_tree)
    left, right = evaluate(left_tree, alg, env), evaluate(right_tree, alg, env)
    lv, rv = _is_vector(left), _is_vector(right)
    if op in "+-":
        if lv != rv:
            raise CheckerInputError("cannot add a vector and a scalar")
        if op == "-":
            right = scale_vector(alg.const(Fraction(-1)), right) if rv else -right
        return add_vectors(left, right) if lv else left + right
    if op == "*":
        if lv and rv:
            raise CheckerInputError("cannot multiply two vectors")
        return (
            scale_vector(left, right) if rv else scale_vector(right, left) if lv else left * right
        )
    if rv:
        raise CheckerInputError("cannot divide by a vector")
    if lv:
        return scale_vector(alg.div(alg.const(Fraction(1)), right), left)
    return alg.div(left, right)


def _number(tree: Tree) -> Fraction | None:
    """The value of a constant exponent such as ``3/2`` or ``-(1/2)``; None if it is not one."""
    if tree[0] == "num":
        return tree[1]
    if tree[0] == "neg":
        inner = _number(tree[1])
        return None if inner is None else -inner
    if tree[0] == "op" and tree[1] in "+-*/":
        left, right = _number(tree[2]), _number(tree[3])
        if left is None or right is None or (tree[1] == "/" and right == 0):
            return None
        if (
            max(abs(left.numerator), abs(right.numerator), left.denominator, right.denominator)
            > 10**6
        ):
            return None
        if tree[1] == "/":
            return left / right
        return left * right if tree[1] == "*" else left + right if tree[1] == "+" else left - right
    return None


def _power(alg: Any, base: Any, exponent_tree: Tree) -> Any:
    if _is_vector(base):
        raise CheckerInputError("cannot raise a vector to a power")
    exponent = _number(exponent_tree)
    if exponent is None:
        raise NotCheckedError("a power whose exponent is not a number")
    if exponent.denominator not in (1, 2) or abs(exponent) > 1000:
        raise NotCheckedError(f"the power {exponent}")
    twice = int(exponent * 2)
    root = alg.sqrt(base) if twice % 2 else None
    whole = abs(twice) // 2
    result = alg.const(Fraction(1))
    for _ in range(whole):
        result = result * base
    if root is not None:
        result = result * root
    return alg.div(alg.const(Fraction(1)), result) if twice < 0 else result


def _derivative(name: str, args: tuple[Tree, ...], alg: Any, env: Mapping[str, Any]) -> Any:
    expected = 3 if name == "jvp" else 2
    if len(args) != expected or args[1][0] != "name" or args[1][1] not in env:
        raise CheckerInputError(f"{name} needs {expected} arguments, the second a declared name")
    point = env[args[1][1]]
    if name == "diff":
        if _is_vector(point):
            raise CheckerInputError("diff(F, s) needs a scalar name s")
        return _along(args[0], args[1][1], alg.const(Fraction(1)), alg, env)
    direction = evaluate(args[2], alg, env)
    if not (_is_vector(point) and _is_vector(direction)):
        raise CheckerInputError("jvp(F, x, v) needs a vector x and a vector v")
    return _along(args[0], args[1][1], direction, alg, env)


_PROBE = "∂"  # the direction of a gradient: not a name a formula can write


def _gradient(args: tuple[Tree, ...], alg: Any, env: Mapping[str, Any]) -> Any:
    """grad(f, x): the vector g with ⟨g, v⟩ = jvp(f, x, v) for every v, read off jvp along a fresh
    direction (componentwise: one reverse sweep). Inside a derivative (jvp(grad(f, x), x, v)) the
    values are dual numbers a + b·t over a fixed basis: g's coefficients are read off the value
    part and the slope part alike, each linear in the direction."""
    if len(args) != 2 or args[1][0] != "name" or not _is_vector(env.get(args[1][1])):
        raise CheckerInputError("grad(f, x) needs a scalar f and a declared vector x")
    base = alg.base if isinstance(alg, _Tangent) else alg
    if type(base) is Components:  # ∂f/∂x_i for every i in one reverse sweep
        adjoint = _Adjoint(alg)
        inner_env: dict[str, Any] = {
            k: _map(v, adjoint.constant) if _is_vector(v) else adjoint.constant(v)
            for k, v in env.items()
        }
        leaves = inner_env[args[1][1]]
        value = evaluate(args[0], adjoint, inner_env)
        if _is_vector(value):
            raise CheckerInputError("grad(f, x) needs a scalar f")
        slopes = value.adjoints()
        return [slopes.get(leaf.index, alg.const(Fraction(0))) for leaf in leaves]
    if type(base) is not Symbolic or (base is not alg and type(alg) is not _Tangent):
        raise NotCheckedError("grad inside two derivatives")
    probe = base.vector(_PROBE)
    direction = probe if base is alg else _map(probe, lambda c: Dual(c, c * 0))
    slope = _along(args[0], args[1][1], direction, alg, env)
    if _is_vector(slope):
        raise CheckerInputError("grad(f, x) needs a scalar f")
    if base is alg:
        return _read_gradient(base, slope)
    value, tangent = _read_gradient(base, slope.a), _read_gradient(base, slope.b)
    zero = base.const(Fraction(0))
    return {a: Dual(value.get(a, zero), tangent.get(a, zero)) for a in {*value, *tangent}}


def _read_gradient(alg: Symbolic, slope: Frac) -> dict[tuple[str, ...], Frac]:
    """The vector g with ``slope`` = ⟨g, ∂⟩ for the probe direction ∂ (a symbolic vector)."""
    gradient: dict[tuple[str, ...], Any] = {}
    mean_part = None
    for var, part in ((v, slope.num.coefficients_in(v)) for v in sorted(slope.num.variables())):
        if _PROBE not in var:
            continue
        if set(part) - {0, 1}:
            raise NotCheckedError("a gradient that is not linear in the direction")
        coefficient = alg.div(Frac(alg.field, part[1]), Frac(alg.field, slope.den))
        if var == f"mu[{_PROBE}]":
            mean_part = coefficient
            continue
        names = var[2:-1].split(",")
        names.remove(_PROBE)
        gradient[tuple(sorted(names))] = coefficient
    rest = slope.num
    for var in [v for v in slope.num.variables() if _PROBE in v]:
        rest = rest.coefficients_in(var).get(0, Poly())
    if rest:
        raise NotCheckedError("a gradient with a part free of the direction")
    total = mean_part if mean_part is not None else alg.const(Fraction(0))
    for atom, coefficient in gradient.items():  # ⟨g, 1⟩ = n g_1 + Σ g_A S[A]
        total = total - coefficient * alg.power_sum(atom)
    gradient[()] = alg.div(total, alg.n)
    return {atom: c for atom, c in gradient.items() if not is_zero(c)}


def _along(f: Tree, x: str, direction: Any, alg: Any, env: Mapping[str, Any]) -> Any:
    """d/dt f at x + t·direction, t = 0 (x a vector or a scalar), by dual numbers."""

    def lift(v: Any) -> Any:
        return _map(v, lambda c: Dual(c, c * 0)) if _is_vector(v) else Dual(v, v * 0)

    inner_env = {k: lift(v) for k, v in env.items()}
    if _is_vector(direction):
        inner_env[x] = add_vectors(inner_env[x], _map(direction, lambda c: Dual(c * 0, c)))
    else:
        inner_env[x] = Dual(env[x], direction)
    value = evaluate(f, _Tangent(alg), inner_env)
    if isinstance(value, dict):
        return {atom: c.b for atom, c in value.items() if not is_zero(c.b)}
    return [c.b for c in value] if isinstance(value, list) else value.b
