"""The expression language: text → typed SymPy expression.

A whitelisting parser over Python's :mod:`ast`: only numbers, names, ``+ - * / **`` (and ``^`` as
power), unary signs, parentheses and calls of the names in :data:`lnsym.lang.definitions.DEFINITIONS` (plus
``sqrt``) are accepted. Nothing a user types reaches ``eval``, ``exec`` or ``sympify``.

>>> from lnsym.lang.parser import parse
>>> parse("sqrt(n)*u(c(x), n*eps)")
sqrt(n)*u(c(x), n*eps)
>>> parse("x + 1")
Traceback (most recent call last):
...
lnsym.errors.TypeMismatchError: cannot add a vector and a scalar in 'x + 1'; to shift every entry write x + 1*ones
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import sympy
from sympy import Expr, Rational, Symbol

from lnsym.errors import ParseError, TypeMismatchError, declare_hint
from lnsym.lang.definitions import (
    DEFINITIONS,
    Kind,
    eps,
    n,
    ones,
    scalar_symbol,
    vector_symbol,
)

__all__ = [
    "MAX_CALL_DEPTH",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_NODES",
    "RESERVED",
    "Assumption",
    "Context",
    "free_names",
    "parse",
    "parse_assumption",
    "parse_names",
    "parse_typed",
    "syntax_tree",
    "used_names",
]

#: names with a fixed meaning; they cannot be declared as vectors or scalars.
RESERVED = frozenset({"n", "eps", "ones", "sqrt", *DEFINITIONS})
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_RELATIONS = {"==": "=", "=": "=", ">": ">", ">=": ">=", "<": "<", "<=": "<="}


@dataclass(frozen=True)
class Context:
    """The declared names an expression may use: vectors, real scalars, and positive scalars."""

    vectors: tuple[str, ...] = ("x",)
    scalars: tuple[str, ...] = ()
    positive: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
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


@dataclass(frozen=True)
class Assumption:
    """A parsed assumption ``lhs REL rhs``; ``relation`` is one of ``= > >= < <=``."""

    lhs: Expr
    relation: str
    rhs: Expr
    kind: Kind
    text: str

    def __str__(self) -> str:
        return self.text


def parse_names(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """``"x, w"`` or ``["x", "w"]`` → ``("x", "w")``."""
    if text is None:
        return ()
    parts = text.split(",") if isinstance(text, str) else list(text)
    return tuple(p.strip() for p in parts if p.strip())


def parse(text: str, context: Context | None = None) -> Expr:
    """Parse ``text`` into a typed SymPy expression (raises :class:`~lnsym.errors.LnsymError`).

    ``context`` declares the names (default: the vector ``x``); :func:`lnsym.parse` infers them
    instead, by the one rule of :mod:`lnsym.lang.names`.
    """
    expr, _ = parse_typed(text, context)
    return expr


def parse_typed(text: str, context: Context | None = None) -> tuple[Expr, Kind]:
    """Like :func:`parse`, also returning whether the expression is a vector or a scalar."""
    context = context if context is not None else Context()
    tree = syntax_tree(text)
    try:
        return _Builder(context, text.replace("^", "**").strip(), text).build(tree)
    except RecursionError:
        raise ParseError(_too_deep(text)) from None


def _too_deep(text: str) -> str:
    shown = text if len(text) <= 60 else text[:57] + "..."
    return f"{shown!r} is nested too deeply; split it into smaller formulas"


def syntax_tree(text: str) -> ast.expr:
    """The Python syntax tree of a formula (``^`` read as ``**``), never run; a one-line
    :class:`~lnsym.errors.ParseError` for text that is not an expression or is nested too deeply."""
    if not isinstance(text, str) or not text.strip():
        raise ParseError("empty expression; write e.g. 'LN(x)'")
    if len(text) > MAX_LENGTH:
        raise ParseError(
            f"the expression is {len(text)} characters long; lnsym accepts up to {MAX_LENGTH}"
        )
    try:
        tree = ast.parse(text.replace("^", "**").strip(), mode="eval").body
    except SyntaxError as error:
        raise ParseError(f"cannot parse {text!r}: {error.msg} (at column {error.offset})") from None
    except (RecursionError, MemoryError):
        raise ParseError(_too_deep(text)) from None
    _check_shape(tree, text if len(text) <= 60 else text[:57] + "...")
    return tree


def _check_shape(root: ast.expr, text: str) -> None:
    """Reject expressions too large, too deep, or with definitions nested too deeply (bounded work)."""
    nodes = 0
    stack: list[tuple[ast.AST, int, int]] = [(root, 1, 0)]
    while stack:
        node, depth, calls = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise ParseError(
                f"{text!r} is too large (over {MAX_NODES} parts); split it into smaller identities"
            )
        if depth > MAX_DEPTH:
            raise ParseError(f"{text!r} is nested more than {MAX_DEPTH} deep; simplify it")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id != "sqrt"
        ):
            calls += 1
            if calls > MAX_CALL_DEPTH:
                raise ParseError(
                    f"{text!r} nests functions more than {MAX_CALL_DEPTH} deep; simplify it"
                )
        for child in ast.iter_child_nodes(node):
            chained = _is_sum(node) and _is_sum(child)  # a + b + c counts as one level
            stack.append((child, depth if chained else depth + 1, calls))


def _is_sum(node: ast.AST) -> bool:
    return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub)


def used_names(text: str) -> set[str]:
    """The names a formula uses, called functions excepted (``LN`` in ``LN(x)`` is not a name)."""
    tree = syntax_tree(text)
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    return {
        node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and id(node) not in called
    }


def parse_assumption(text: str, context: Context | None = None) -> Assumption:
    """Parse ``"mu(x) = 0"`` or ``"alpha > 0"`` into an :class:`Assumption`."""
    match = re.fullmatch(r"(.*?)(==|>=|<=|=|>|<)(.*)", text.strip())
    if not match or not match.group(1).strip() or not match.group(3).strip():
        raise ParseError(
            f"cannot read assumption {text!r}; write LHS = RHS (or >, >=, <, <=), e.g. 'mu(x) = 0'"
        )
    left, rel, right = match.groups()
    lhs, lkind = parse_typed(left, context)
    rhs, rkind = parse_typed(right, context)
    relation = _RELATIONS[rel]
    if lkind is not rkind and not (lhs == 0 or rhs == 0):
        raise TypeMismatchError(f"assumption {text!r} equates a vector and a scalar")
    kind = Kind.VECTOR if Kind.VECTOR in (lkind, rkind) else Kind.SCALAR
    if relation != "=" and kind is Kind.VECTOR:
        raise TypeMismatchError(
            f"assumption {text!r} compares vectors; only scalars can be ordered"
        )
    return Assumption(lhs, relation, rhs, kind, f"{left.strip()} {relation} {right.strip()}")


class _Builder:
    """Walks a whitelisted :mod:`ast` tree, building SymPy objects and checking kinds."""

    def __init__(self, context: Context, source: str, original: str) -> None:
        self.context = context
        self.source = source
        self.original = original

    def snippet(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.source, node) or self.original

    def build(self, node: ast.expr) -> tuple[Expr, Kind]:
        if isinstance(node, ast.Constant):
            return self.number(node), Kind.SCALAR
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            value, kind = self.build(node.operand)
            return (-value if isinstance(node.op, ast.USub) else value), kind
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        raise ParseError(f"unsupported syntax {self.snippet(node)!r} in {self.original!r}; {_HINT}")

    def number(self, node: ast.Constant) -> Expr:
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise ParseError(
                f"unsupported literal {self.snippet(node)!r}; only numbers are allowed"
            )
        literal = self.snippet(node)
        try:  # exact: the decimal the user typed, not its binary float
            value = Rational(literal)
        except (TypeError, ValueError):
            value = Rational(repr(node.value))
        return self.check_size(value, literal)

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

    def name(self, node: ast.Name) -> tuple[Expr, Kind]:
        found = self.context.symbol(node.id)
        if found is not None:
            return found
        if node.id in DEFINITIONS or node.id == "sqrt":
            raise ParseError(f"{node.id!r} is a function; call it, e.g. {node.id}(x)")
        raise ParseError(
            f"unknown name {node.id!r} in {self.original!r}; declare it with "
            f"{declare_hint(node.id)}"
        )

    def binop(self, node: ast.BinOp) -> tuple[Expr, Kind]:
        left, lkind = self.build(node.left)
        right, rkind = self.build(node.right)
        text = self.snippet(node)
        vec, sca = Kind.VECTOR, Kind.SCALAR
        if isinstance(node.op, ast.Add | ast.Sub):
            if lkind is not rkind:
                raise TypeMismatchError(
                    f"cannot add a vector and a scalar in {text!r}; "
                    "to shift every entry write x + 1*ones"
                )
            return (left + right if isinstance(node.op, ast.Add) else left - right), lkind
        if isinstance(node.op, ast.Mult):
            if lkind is vec and rkind is vec:
                raise TypeMismatchError(
                    f"cannot multiply two vectors in {text!r}; "
                    "use dot(a, b) for the inner product or hadamard(a, b) for the elementwise one"
                )
            return left * right, vec if vec in (lkind, rkind) else sca
        if isinstance(node.op, ast.Div):
            if rkind is vec:
                raise TypeMismatchError(
                    f"cannot divide by a vector in {text!r}; divide by a scalar"
                )
            if right == 0:
                raise ParseError(f"division by zero in {text!r}")
            return left / right, lkind
        if isinstance(node.op, ast.Pow):
            if lkind is vec or rkind is vec:
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
                    raise ParseError(
                        f"the power {text!r} is out of range; use exponents up to 1000"
                    )
                return self.check_size(sympy.Pow(left, right), text), sca
            return sympy.Pow(left, right), sca
        raise ParseError(f"unsupported operator in {text!r}; {_HINT}")

    def call(self, node: ast.Call) -> tuple[Expr, Kind]:
        if not isinstance(node.func, ast.Name):
            raise ParseError(
                f"unsupported call {self.snippet(node)!r}; call a function by its name"
            )
        if node.keywords:
            raise ParseError(f"keyword arguments are not supported in {self.snippet(node)!r}")
        name = node.func.id
        args = [self.build(a) for a in node.args]
        if name == "sqrt":
            self.check_arity(node, name, args, (1,))
            if args[0][1] is Kind.VECTOR:
                raise TypeMismatchError(f"sqrt of a vector in {self.snippet(node)!r}; use norm(v)")
            if args[0][0].is_number and args[0][0].is_negative:
                raise ParseError(
                    f"sqrt of a negative number in {self.snippet(node)!r}; lnsym works over the reals"
                )
            return sympy.sqrt(args[0][0]), Kind.SCALAR
        cls = DEFINITIONS.get(name)
        if cls is None:
            known = ", ".join(sorted([*DEFINITIONS, "sqrt"]))
            raise ParseError(f"unknown function {name!r} in {self.original!r}; known: {known}")
        typed = getattr(cls, "typed", None)
        if typed is not None:  # jvp, grad, diff check their own arguments
            built: tuple[Expr, Kind] = typed(args, self.snippet(node))
            return built
        full = len(cls.arg_kinds)
        arities = (full - 1, full) if getattr(cls, "defaults_eps", False) else (full,)
        self.check_arity(node, name, args, arities)
        for position, ((_, kind), wanted) in enumerate(zip(args, cls.arg_kinds, strict=False)):
            if kind is not wanted:
                raise TypeMismatchError(
                    f"argument {position + 1} of {name} in {self.snippet(node)!r} must be a "
                    f"{wanted.value}, not a {kind.value}"
                )
        return cls(*(a for a, _ in args)), cls.result_kind

    def check_arity(
        self, node: ast.Call, name: str, args: list[tuple[Expr, Kind]], arities: tuple[int, ...]
    ) -> None:
        if len(args) not in arities:
            wanted = " or ".join(str(a) for a in arities)
            raise TypeMismatchError(
                f"{name} takes {wanted} argument(s), got {len(args)} in {self.snippet(node)!r}"
            )


_MAX_BITS = 997  # about 10^300
#: bounds on what one expression may be (bounded work for every command).
MAX_LENGTH = 20_000
MAX_NODES = 3_000
MAX_DEPTH = 60
MAX_CALL_DEPTH = 12
MAX_EXPONENT = 64
_HINT = "the language has numbers, names, + - * / ** ^, and calls such as LN(x) or dot(a, b)"


def free_names(expr: Expr) -> set[str]:
    """Names of the declared vectors and scalars that occur in ``expr`` (not n, eps, ones)."""
    return {
        s.name
        for s in expr.free_symbols
        if isinstance(s, Symbol) and s.name not in ("n", "eps", "ones")
    }
