"""The expression language: text → typed SymPy expression, in one walk.

:func:`read` walks the syntax tree of :mod:`lnsym.lang.syntax` (numbers, names, ``+ - * / **``,
unary signs, parentheses and calls; ``^`` is a power) once, resolving the names of a
:class:`Context`, checking kinds and arities against :data:`lnsym.lang.definitions.DEFINITIONS`
(plus ``sqrt``), and returns a :class:`Parsed`: the typed expression the prover and the kernels use,
the written form the LaTeX printer prints, and the kind. Nothing a user types reaches ``eval``,
``exec`` or ``sympify``.

>>> from lnsym.lang.parser import parse
>>> parse("sqrt(n)*u(c(x), n*eps)")
sqrt(n)*u(c(x), n*eps)
>>> parse("x + 1")
Traceback (most recent call last):
...
lnsym.errors.TypeMismatchError: cannot add a vector and a scalar in 'x + 1'; to shift every entry write x + 1*ones
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TypeAlias

import sympy
from sympy import Expr, Float, Rational, S, Symbol

from lnsym.errors import LnsymError, ParseError, TypeMismatchError, argument, declare_hint
from lnsym.lang.definitions import (
    DEFINITIONS,
    Kind,
    eps,
    n,
    ones,
    scalar_symbol,
    vector_symbol,
)
from lnsym.lang.syntax import (
    BinaryOp,
    Call,
    Name,
    Negate,
    Node,
    Number,
    Unsupported,
    syntax_tree,
    too_deep,
    used_names,
)
from lnsym.records import FrozenRecord

__all__ = [
    "MAX_EXPONENT",
    "RESERVED",
    "STATEMENT_RELATIONS",
    "Assumption",
    "Context",
    "Parsed",
    "free_names",
    "parse",
    "parse_assumption",
    "parse_names",
    "parse_typed",
    "read",
    "relations",
    "split_relation",
    "used_names",  # owned by lnsym.lang.syntax; here for the commands that check --set names
]

#: names with a fixed meaning; they cannot be declared as vectors or scalars.
RESERVED = frozenset({"n", "eps", "ones", "sqrt", "abs", *DEFINITIONS})
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_RELATIONS = {"==": "=", "=": "=", ">": ">", ">=": ">=", "<": "<", "<=": "<="}


class Context(FrozenRecord):
    """The declared names an expression may use: vectors, real scalars, and positive scalars."""

    __match_args__ = ("vectors", "scalars", "positive")
    __slots__ = __match_args__
    vectors: tuple[str, ...]
    scalars: tuple[str, ...]
    positive: frozenset[str]

    def __init__(
        self,
        vectors: tuple[str, ...] = ("x",),
        scalars: tuple[str, ...] = (),
        positive: frozenset[str] = frozenset(),
    ) -> None:
        self._set(vectors=vectors, scalars=scalars, positive=positive)
        self._check()

    def _check(self) -> None:
        for group, kind in ((self.vectors, "vector"), (self.scalars, "scalar")):
            for position, name in enumerate(group):
                if not _NAME.match(name):
                    raise ParseError(f"{name!r} is not a valid name; use letters, digits and '_'")
                if name in RESERVED:
                    raise ParseError(f"{name!r} is a built-in name of lnsym; choose another name")
                if name in group[:position]:
                    raise ParseError(
                        f"{name!r} is listed twice among the {kind}s; list each name once, "
                        f"e.g. {declare_hint(name, kind)}"
                    )
        both = sorted(set(self.vectors) & set(self.scalars))
        if both:
            raise ParseError(
                f"{both[0]!r} is declared both a vector and a scalar; keep it in one, "
                f"{declare_hint(both[0])}"
            )

    def symbol(self, name: str) -> tuple[Expr, Kind] | None:
        """The symbol and kind of ``name``, or None if it is not declared."""
        if name == "n":
            return n, Kind.SCALAR
        if name == "eps":
            return eps, Kind.SCALAR
        if name == "ones":
            return ones, Kind.VECTOR
        if name in self.vectors:
            return vector_symbol(name), Kind.VECTOR
        if name in self.scalars:
            return scalar_symbol(name, positive=name in self.positive), Kind.SCALAR
        return None

    def variable(self, name: str) -> Symbol | None:
        """The symbol of ``eps`` or of a declared scalar — what a limit or a series may vary
        (``n`` and vectors may not); None for anything else."""
        found = self.symbol(name)
        if found is None or found[1] is not Kind.SCALAR or name == "n":
            return None
        symbol = found[0]
        return symbol if isinstance(symbol, Symbol) else None

    def with_positive(self, names: Iterable[str]) -> Context:
        """The same context with ``names`` (declared scalars) assumed > 0."""
        return Context(self.vectors, self.scalars, self.positive | frozenset(names))


class Assumption(FrozenRecord):
    """A parsed assumption ``lhs REL rhs``; ``relation`` is one of ``= > >= < <=``; ``sides`` are
    the two sides as :func:`read` them (their written forms print as written; left out of equality,
    hash and repr)."""

    __match_args__ = ("lhs", "relation", "rhs", "kind", "text", "sides")
    __slots__ = __match_args__
    _uncompared = frozenset({"sides"})
    lhs: Expr
    relation: str
    rhs: Expr
    kind: Kind
    text: str
    sides: tuple[Parsed, Parsed] | None

    def __init__(
        self,
        lhs: Expr,
        relation: str,
        rhs: Expr,
        kind: Kind,
        text: str,
        sides: tuple[Parsed, Parsed] | None = None,
    ) -> None:
        self._set(lhs=lhs, relation=relation, rhs=rhs, kind=kind, text=text, sides=sides)

    def __str__(self) -> str:
        return self.text


def parse_names(text: str | Iterable[str] | None, name: str) -> tuple[str, ...]:
    """``"x, w"`` or ``["x", "w"]`` → ``("x", "w")``: the one rule for a list of names (the prover,
    the kernels and derivation files read ``vectors`` and ``scalars`` with it).

    ``None``, ``""`` and ``[]`` declare nothing; an empty name between commas (``"x,,w"``, ``"x,"``)
    is an error, which names the argument ``name`` (``"vectors"``, ``"scalars"``) as the interface
    in use spells it.

    >>> parse_names(" x, w ", "vectors")
    ('x', 'w')
    >>> parse_names("x,,w", "scalars")
    Traceback (most recent call last):
    ...
    lnsym.errors.LnsymError: scalars= has an empty name in 'x,,w'; separate names by one comma
    """
    if text is None:
        return ()
    if isinstance(text, str):
        parts = [p.strip() for p in text.split(",")]
    elif isinstance(text, Iterable) and not isinstance(text, bytes | Mapping):
        parts = list(text)
        if not all(isinstance(p, str) for p in parts):
            raise LnsymError(
                f"{argument(name)} takes names as strings, e.g. {argument(name)}'a, b'"
            )
        parts = [p.strip() for p in parts]
    else:
        raise LnsymError(
            f"{argument(name)} takes a comma-separated string or a list of names, "
            f"not {type(text).__name__}"
        )
    if any(not p for p in parts) and parts != [""]:
        raise LnsymError(
            f"{argument(name)} has an empty name in {text!r}; separate names by one comma"
        )
    return tuple(p for p in parts if p)


def parse(text: str, context: Context | None = None) -> Expr:
    """Parse ``text`` into a typed SymPy expression (raises :class:`~lnsym.errors.LnsymError`).

    ``context`` declares the names (default: the vector ``x``); :func:`lnsym.parse` infers them
    instead, by the one rule of :mod:`lnsym.lang.names`.
    """
    return read(text, context).expr


def parse_typed(text: str, context: Context | None = None) -> tuple[Expr, Kind]:
    """Like :func:`parse`, also returning whether the expression is a vector or a scalar."""
    parsed = read(text, context)
    return parsed.expr, parsed.kind


class Parsed(FrozenRecord):
    """A formula read once (by :func:`read`); the prover, the kernels and LaTeX start from here.

    ``expr`` is the typed expression the prover, the kernels and the evaluators use (SymPy's
    evaluated form: ``x - mu(x)*ones`` is ``-mu(x)*ones + x``); ``written`` is the same expression
    unevaluated, in the order and grouping it was written, which the LaTeX printer prints;
    ``kind`` says whether it is a vector or a scalar; ``text`` is the formula as given.
    """

    __match_args__ = ("expr", "written", "kind", "text")
    __slots__ = __match_args__
    expr: Expr
    written: Expr
    kind: Kind
    text: str

    def __init__(self, expr: Expr, written: Expr, kind: Kind, text: str) -> None:
        self._set(expr=expr, written=written, kind=kind, text=text)


def read(text: str, context: Context | None = None) -> Parsed:
    """Read ``text`` in one walk into a :class:`Parsed`: its typed expression, its written form and
    its kind (raises :class:`~lnsym.errors.LnsymError` with a one-line message).

    ``context`` declares the names (default: the vector ``x``).
    """
    context = context if context is not None else Context()
    tree = syntax_tree(text)
    try:
        expr, written, kind = _Builder(context, text).build(tree)
    except RecursionError:
        raise ParseError(too_deep(text)) from None
    return Parsed(expr, written, kind, text)


#: the relations a statement may use (``=`` an identity; the others inequalities of scalars).
STATEMENT_RELATIONS = ("=", "<=", "<", ">=", ">")


_OPERATOR = re.compile(r"==|!=|<=|>=|=|<|>")


def _relations(text: str) -> list[tuple[int, str]]:
    """Where each relation outside brackets starts, and which it is (``!=`` too, to be refused)."""
    depth, found = 0, []
    for i, ch in enumerate(text):
        depth += 1 if ch in "([" else -1 if ch in ")]" else 0
        starts = ch in "<>=" or text.startswith("!=", i)
        if depth == 0 and starts and (i == 0 or text[i - 1] not in "<>=!"):
            match = _OPERATOR.match(text, i)
            assert match is not None
            found.append((i, match.group()))
    return found


def relations(text: str) -> tuple[str, ...]:
    """The relations of ``text`` outside brackets, as written: ``"a <= b == c"`` → ``("<=", "==")``;
    ``()`` for an expression (``!=`` is listed, for :func:`split_relation` to refuse).

    >>> relations("dot(w, LN(x)) = b"), relations("LN(x)")
    (('=',), ())
    """
    return tuple(operator for _, operator in _relations(text))


def split_relation(text: str) -> tuple[str, str, str]:
    """``"A <= B"`` → ``("A", "<=", "B")``: the one relation (``=``, ``==``, ``<``, ``<=``, ``>``,
    ``>=``) outside brackets; a one-line error when there is none or more than one.

    The one rule for splitting a statement outside the trusted checker (which has its own, on
    purpose): the prover, name inference, assumptions and the command line all use it.

    >>> split_relation("norm(LN(x)) <= sqrt(n)")
    ('norm(LN(x))', '<=', 'sqrt(n)')
    >>> split_relation("a = b = c")
    Traceback (most recent call last):
    ...
    lnsym.errors.ParseError: 'a = b = c' has more than one relation (=, =); write one between ...
    """
    text = text.strip()
    found = _relations(text)
    if len(found) > 1:
        raise ParseError(
            f"{text!r} has more than one relation ({', '.join(r for _, r in found)}); write one "
            "between two sides, e.g. 'norm(LN(x)) <= sqrt(n)'"
        )
    if not found or found[0][1] == "!=":
        raise ParseError(
            f"cannot read {text!r}: write one relation between two sides, e.g. "
            "'norm(LN(x)) <= sqrt(n)' (=, <, <=, >, >=)"
        )
    ((start, operator),) = found
    left, right = text[:start].strip(), text[start + len(operator) :].strip()
    if not left or not right:
        raise ParseError(f"cannot read {text!r}: both sides of {operator} must be given")
    return left, "=" if operator == "==" else operator, right


def parse_assumption(text: str, context: Context | None = None) -> Assumption:
    """Parse ``"mu(x) = 0"`` or ``"alpha > 0"`` into an :class:`Assumption`."""
    if not relations(text):
        raise ParseError(
            f"cannot read assumption {text!r}; write LHS = RHS (or >, >=, <, <=), e.g. 'mu(x) = 0'"
        )
    left, rel, right = split_relation(text)
    sides = read(left, context), read(right, context)
    (lhs, lkind), (rhs, rkind) = ((side.expr, side.kind) for side in sides)
    relation = _RELATIONS[rel]
    if lkind is not rkind and not (lhs == 0 or rhs == 0):
        raise TypeMismatchError(f"assumption {text!r} equates a vector and a scalar")
    kind = Kind.VECTOR if Kind.VECTOR in (lkind, rkind) else Kind.SCALAR
    if relation != "=" and kind is Kind.VECTOR:
        raise TypeMismatchError(
            f"assumption {text!r} compares vectors; only scalars can be ordered"
        )
    shown = f"{left} {relation} {right}"
    return Assumption(lhs, relation, rhs, kind, shown, sides)


#: what the builder makes of a node: the typed expression, the written form, the kind.
_Built: TypeAlias = tuple[Expr, Expr, Kind]


class _Builder:
    """Walks a syntax tree once, building each node's typed expression (evaluated by SymPy, what
    the prover uses) and its written form (unevaluated, what LaTeX prints), checking kinds."""

    def __init__(self, context: Context, original: str) -> None:
        self.context = context
        self.original = original

    def build(self, node: Node) -> _Built:
        if isinstance(node, Number):
            value = self.number(node)
            written = sympy.Integer(node.value) if isinstance(node.value, int) else Float(node.text)
            return value, written, Kind.SCALAR
        if isinstance(node, Name):
            symbol, kind = self.name(node)
            return symbol, symbol, kind
        if isinstance(node, Negate):
            value, written, kind = self.build(node.operand)
            shown = -written if written.is_Number else sympy.Mul(-1, written, evaluate=False)
            return -value, shown, kind
        if isinstance(node, BinaryOp):
            return self.binop(node)
        if isinstance(node, Unsupported):
            for part in node.first:  # their errors come first
                self.build(part)
            raise ParseError(node.message)
        return self.call(node)

    def number(self, node: Number) -> Expr:
        try:  # exact: the decimal the user typed, not its binary float
            value = Rational(node.text)
        except (TypeError, ValueError):
            value = Rational(repr(node.value))
        return self.check_size(value, node.text)

    def check_size(self, value: Expr, text: str) -> Expr:
        """Numbers beyond 10^±300 are almost surely typos and would be slow to carry exactly."""
        if value.is_Rational and value != 0:
            p, q = abs(value.p), value.q
            if (
                p.bit_length() - q.bit_length() > _MAX_BITS
                or q.bit_length() - p.bit_length() > _MAX_BITS
            ):
                raise ParseError(
                    f"the number {text!r} is out of range; use values within 1e-300..1e300"
                )
        return value

    def name(self, node: Name) -> tuple[Expr, Kind]:
        found = self.context.symbol(node.text)
        if found is not None:
            return found
        if node.text in DEFINITIONS or node.text in ("sqrt", "abs"):
            raise ParseError(f"{node.text!r} is a function; call it, e.g. {node.text}(x)")
        raise ParseError(
            f"unknown name {node.text!r} in {self.original!r}; declare it with "
            f"{declare_hint(node.text)}"
        )

    def binop(self, node: BinaryOp) -> _Built:
        left, shown_left, lkind = self.build(node.left)
        right, shown_right, rkind = self.build(node.right)
        value, kind = self.typed_binop(node, left, lkind, right, rkind)
        return value, _written_binop(node.op, shown_left, shown_right), kind

    def typed_binop(
        self, node: BinaryOp, left: Expr, lkind: Kind, right: Expr, rkind: Kind
    ) -> tuple[Expr, Kind]:
        text = node.text
        vec, sca = Kind.VECTOR, Kind.SCALAR
        if node.op in ("+", "-"):
            if lkind is not rkind:
                raise TypeMismatchError(
                    f"cannot add a vector and a scalar in {text!r}; "
                    "to shift every entry write x + 1*ones"
                )
            return (left + right if node.op == "+" else left - right), lkind
        if node.op == "*":
            if lkind is vec and rkind is vec:
                raise TypeMismatchError(
                    f"cannot multiply two vectors in {text!r}; "
                    "use dot(a, b) for the inner product or hadamard(a, b) for the elementwise one"
                )
            return left * right, vec if vec in (lkind, rkind) else sca
        if node.op == "/":
            if rkind is vec:
                raise TypeMismatchError(
                    f"cannot divide by a vector in {text!r}; divide by a scalar"
                )
            if right == 0:
                raise ParseError(f"division by zero in {text!r}")
            return left / right, lkind
        if lkind is vec or rkind is vec:  # the power, **
            raise TypeMismatchError(
                f"cannot raise a vector to a power in {text!r}; use norm(v)**2 or dot(v, v)"
            )
        if right.is_number and not left.is_number and right.is_Rational:
            if abs(right) > MAX_EXPONENT:
                raise ParseError(
                    f"the exponent in {text!r} is too large; lnsym accepts powers of "
                    f"expressions up to {MAX_EXPONENT}"
                )
        if left.is_number and right.is_number:
            if right.is_Rational and abs(right) > 1000 and abs(left) != 1:
                raise ParseError(f"the power {text!r} is out of range; use exponents up to 1000")
            return self.check_size(sympy.Pow(left, right), text), sca
        return sympy.Pow(left, right), sca

    def call(self, node: Call) -> _Built:
        name = node.name
        built = [self.build(a) for a in node.args]
        args = [(value, kind) for value, _, kind in built]
        shown = [written for _, written, _ in built]
        if name == "sqrt":
            self.check_arity(node, args, (1,))
            if args[0][1] is Kind.VECTOR:
                raise TypeMismatchError(f"sqrt of a vector in {node.text!r}; use norm(v)")
            if args[0][0].is_number and args[0][0].is_negative:
                raise ParseError(
                    f"sqrt of a negative number in {node.text!r}; lnsym works over the reals"
                )
            written = sympy.Pow(shown[0], S.Half, evaluate=False)
            return sympy.sqrt(args[0][0]), written, Kind.SCALAR
        if name == "abs":
            self.check_arity(node, args, (1,))
            if args[0][1] is Kind.VECTOR:
                raise TypeMismatchError(f"abs of a vector in {node.text!r}; use norm(v)")
            return sympy.Abs(args[0][0]), sympy.Abs(shown[0], evaluate=False), Kind.SCALAR
        cls = DEFINITIONS.get(name)
        if cls is None:
            known = ", ".join(sorted([*DEFINITIONS, "abs", "sqrt"]))
            raise ParseError(f"unknown function {name!r} in {self.original!r}; known: {known}")
        typed = getattr(cls, "typed", None)
        if typed is not None:  # jvp, grad, diff check their own arguments
            value, kind = typed(args, node.text)
            return value, cls(*shown), kind
        full = len(cls.arg_kinds)
        arities = (full - 1, full) if getattr(cls, "defaults_eps", False) else (full,)
        self.check_arity(node, args, arities)
        for position, ((_, kind), wanted) in enumerate(zip(args, cls.arg_kinds, strict=False)):
            if kind is not wanted:
                raise TypeMismatchError(
                    f"argument {position + 1} of {name} in {node.text!r} must be a "
                    f"{wanted.value}, not a {kind.value}"
                )
        return cls(*(a for a, _ in args)), cls(*shown), cls.result_kind

    def check_arity(
        self, node: Call, args: list[tuple[Expr, Kind]], arities: tuple[int, ...]
    ) -> None:
        if len(args) not in arities:
            wanted = " or ".join(str(a) for a in arities)
            raise TypeMismatchError(
                f"{node.name} takes {wanted} argument(s), got {len(args)} in {node.text!r}"
            )


def _written_binop(op: str, left: Expr, right: Expr) -> Expr:
    """``left op right`` unevaluated, so that it prints in the order written; a numeric literal
    such as ``1/2`` or ``2**10`` is folded to its value."""
    if left.is_Number and right.is_Number:
        if op == "+":
            return sympy.Add(left, right)
        if op == "*":
            return sympy.Mul(left, right)
        if op == "-":
            return left - right
        return left / right if op == "/" else sympy.Pow(left, right)
    if op in ("+", "-"):
        if op == "-":
            right = sympy.Mul(-1, right, evaluate=False)
        terms = left.args if isinstance(left, sympy.Add) else (left,)  # a + b + c: one sum
        return sympy.Add(*terms, right, evaluate=False)
    if op in ("*", "/"):
        if op == "/":
            right = sympy.Pow(right, -1, evaluate=False)
        elif left == 1 or right == 1:
            return right if left == 1 else left
        return sympy.Mul(left, right, evaluate=False)
    return sympy.Pow(left, right, evaluate=False)


_MAX_BITS = 997  # about 10^300
#: the largest exponent of a power of an expression (bounded work for the prover).
MAX_EXPONENT = 64


def free_names(expr: Expr) -> set[str]:
    """Names of the declared vectors and scalars that occur in ``expr`` (not n, eps, ones)."""
    return {
        s.name
        for s in expr.free_symbols
        if isinstance(s, Symbol) and s.name not in ("n", "eps", "ones")
    }
