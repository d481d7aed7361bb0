"""One rule for the kinds of names, shared by every command and the Python API.

A name of a formula is a vector or a scalar. Its kind comes from, in this order:

1. an explicit declaration (``--vectors``/``--scalars``, ``vectors=``/``scalars=``, or ``vectors``/
   ``scalars`` in a derivation file) — only needed to settle an ambiguity;
2. a value given for it (``--set x=1,2,3`` is a vector, ``--set b=0.5`` a scalar);
3. the default: ``x`` is a vector unless declared or given otherwise;
4. its use: arguments of functions take the kinds of the function's signature (``dot(w, x)``:
   ``w`` is a vector), terms of a sum share one kind, a divisor, a power and ``sqrt``'s argument
   are scalars, a factor beside a vector is a scalar, and the two sides of an equation agree.

A name none of these settles (``a*b`` alone) is an error that says how to declare it, phrased for
the interface in use (:func:`lnsym.errors.declare_hint`). A value whose kind contradicts the use
(``LN(x)`` with ``--set x=5``) is an error naming both.

>>> resolve(["dot(w, LN(x)) + b"]).vectors, resolve(["dot(w, LN(x)) + b"]).scalars
(('x', 'w'), ('b',))
>>> resolve(["a*b"])
Traceback (most recent call last):
...
lnsym.errors.ParseError: cannot tell whether 'a' is a vector or a scalar in 'a*b'; declare it with ...
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TypeAlias

from sympy import Expr, Symbol

from lnsym.errors import DataError, ParseError, current_interface, declare_hint, value_of
from lnsym.lang.definitions import DEFINITIONS, Kind, OnesVector, VectorSymbol, kind_of
from lnsym.lang.parser import (
    RESERVED,
    Context,
    parse_names,
    parse_typed,
    relations,
    split_relation,
)
from lnsym.lang.syntax import (
    BinaryOp,
    Call,
    Name,
    Negate,
    Node,
    Number,
    Unsupported,
    source_of,
    syntax_tree,
)
from lnsym.records import Record

__all__ = ["Formula", "parse", "resolve"]

#: an expression (text or typed SymPy), or the two sides of an equation.
Formula: TypeAlias = str | Expr | tuple[str | Expr, str | Expr]

_BUILT_IN = {"n": Kind.SCALAR, "eps": Kind.SCALAR, "ones": Kind.VECTOR}
_MAX_PASSES = 20


class _Relayed(str):
    """The reason for a kind passed on from a neighbour (a sum, a factor, an equation)."""

    __slots__ = ()


class _Demand(Record):
    """What a use of a name asks for: its kind and where (for error messages)."""

    __match_args__ = ("kind", "why", "strict")
    __slots__ = __match_args__
    kind: Kind
    why: str
    #: True when the construct itself fixes the kind (a function's signature, sqrt, a divisor, a
    #: power, an inequality); False when it is only passed on from a neighbour (a sum, a factor, an
    #: equation), where a conflict is the parser's to report ("cannot add a vector and a scalar")
    strict: bool

    def __init__(self, kind: Kind, why: str, strict: bool = True) -> None:
        self.kind, self.why, self.strict = kind, why, strict


class _Inference(Record):
    """Infers the kinds of names by walking the syntax trees of :mod:`lnsym.lang.syntax` (the same
    trees the parser walks), passing expectations top-down, repeated until no kind changes.

    It stays a walk of its own, not a mode of the parser's builder, because it works before the
    names are known and in the opposite direction: the builder needs every name's kind to build
    anything and checks bottom-up (``x + 1`` is an error); this walk starts from unknown kinds,
    pushes what a construct demands down to its names (an argument of ``dot`` is a vector, a term
    of a sum takes its neighbour's kind), tolerates what it cannot settle yet (None), runs over all
    statements together until a fixpoint, and leaves every error of the language to the parser.
    """

    __match_args__ = ("kinds", "given", "demands", "order", "changed", "source", "unsupported")
    __slots__ = __match_args__
    kinds: dict[str, Kind]
    given: dict[str, Kind]
    demands: dict[str, list[_Demand]]
    order: list[str]
    changed: bool
    source: str
    #: the constructs outside the language met so far (the parser reports them; see resolve)
    unsupported: list[Unsupported]

    def __init__(
        self,
        kinds: dict[str, Kind],
        given: dict[str, Kind],
        demands: dict[str, list[_Demand]] | None = None,
        order: list[str] | None = None,
        changed: bool = False,
        source: str = "",
        unsupported: list[Unsupported] | None = None,
    ) -> None:
        self.kinds, self.given, self.changed, self.source = kinds, given, changed, source
        self.demands = {} if demands is None else demands
        self.order = [] if order is None else order
        self.unsupported = [] if unsupported is None else unsupported

    def name(self, name: str, expected: Kind | None, why: str) -> Kind | None:
        if name not in self.order:
            self.order.append(name)
        if name in _BUILT_IN:
            return _BUILT_IN[name]
        if name in RESERVED:  # a function used as a name: the parser says how to call it
            return None
        if expected is not None:
            strict = not isinstance(why, _Relayed)
            self.demands.setdefault(name, []).append(_Demand(expected, why, strict))
        if name in self.kinds:
            return self.kinds[name]
        if expected is not None:
            self.kinds[name] = expected
            self.changed = True
        return expected

    def visit(self, node: Node, expected: Kind | None, why: str) -> Kind | None:
        """The kind of ``node`` (None while unknown), assigning kinds to the names it settles."""
        if isinstance(node, Number):
            return Kind.SCALAR
        if isinstance(node, Name):
            return self.name(node.text, expected, why)
        if isinstance(node, Negate):
            return self.visit(node.operand, expected, why)
        if isinstance(node, BinaryOp):
            return self.binop(node, expected, why)
        if isinstance(node, Unsupported):  # the parser reports it; read what it holds
            if node not in self.unsupported:
                self.unsupported.append(node)
            if node.literal:
                return Kind.SCALAR
            for operand in node.first:  # x % 2: x is still the vector x
                self.visit(operand, None, why)
            return None if node.instead is None else self.visit(node.instead, expected, why)
        return self.call(node)

    def binop(self, node: BinaryOp, expected: Kind | None, why: str) -> Kind | None:
        text = f"in {node.text!r}"
        scalar = Kind.SCALAR
        if node.op in ("+", "-"):
            left = self.visit(node.left, expected, why)
            term = _Relayed(f"a term of a sum {text}")
            right = self.visit(node.right, expected or left, why if expected else term)
            if left is None and right is not None:
                left = self.visit(node.left, right, term)
            return left or right
        if node.op == "/":
            self.visit(node.right, scalar, f"a divisor {text}")
            return self.visit(node.left, expected, why)
        if node.op == "**":
            self.visit(node.left, scalar, f"a power {text}")
            self.visit(node.right, scalar, f"an exponent {text}")
            return scalar
        if expected is scalar:  # node.op == "*" from here on
            self.visit(node.left, scalar, why)
            self.visit(node.right, scalar, why)
            return scalar
        left = self.visit(node.left, None, why)
        right = self.visit(node.right, None, why)
        factor = _Relayed(f"a factor beside a vector {text}")
        if left is Kind.VECTOR:
            right = self.visit(node.right, scalar, factor)
        if right is Kind.VECTOR:
            left = self.visit(node.left, scalar, factor)
        if expected is Kind.VECTOR and left is scalar and right is None:
            right = self.visit(node.right, Kind.VECTOR, why)
        if expected is Kind.VECTOR and right is scalar and left is None:
            left = self.visit(node.left, Kind.VECTOR, why)
        if Kind.VECTOR in (left, right):
            return Kind.VECTOR
        return scalar if left is scalar and right is scalar else None

    def call(self, node: Call) -> Kind | None:
        name = node.name
        text = f"{node.text!r}"
        if name in ("sqrt", "abs"):
            for arg in node.args:
                self.visit(arg, Kind.SCALAR, f"the argument of {name} in {text}")
            return Kind.SCALAR
        cls = DEFINITIONS.get(name)
        if cls is None:
            for arg in node.args:
                self.visit(arg, None, text)
            return None
        follows_first = isinstance(cls.__dict__.get("result_kind"), property)  # jvp, diff
        first: Kind | None = None
        for position, (arg, kind) in enumerate(zip(node.args, cls.arg_kinds, strict=False), 1):
            if follows_first and position == 1:  # F may be a scalar or a vector; it sets the result
                first = self.visit(arg, None, f"argument 1 of {name} in {text}")
                continue
            self.visit(arg, kind, f"argument {position} of {name} in {text}")
        return first if follows_first else cls.result_kind

    # -- statements ---------------------------------------------------------------------------

    def side(self, side: str | Expr, expected: Kind | None, why: str) -> Kind | None:
        if not isinstance(side, str):
            return kind_of(side)
        tree = _tree(side)
        if tree is None:
            return None  # the parser reports the syntax error
        self.source = source_of(side)
        return self.visit(tree, expected, why)

    def statement(self, statement: Formula) -> None:
        if isinstance(statement, tuple):
            self.equation(*statement, ordered=False)
            return
        if isinstance(statement, str) and relations(statement):
            left, relation, right = split_relation(statement)
            self.equation(left, right, ordered=relation != "=")
            return
        self.side(statement, None, "")

    def equation(self, left: str | Expr, right: str | Expr, *, ordered: bool) -> None:
        if ordered:
            why = "a side of an inequality"
            self.side(left, Kind.SCALAR, why)
            self.side(right, Kind.SCALAR, why)
            return
        why = "the other side of the equation is a {}"
        lkind = self.side(left, None, "")
        expected = None if _is_zero(left) else lkind
        rkind = self.side(right, expected, _Relayed(why.format(_value(lkind))))
        if lkind is None and rkind is not None and not _is_zero(right):
            self.side(left, rkind, _Relayed(why.format(rkind.value)))


def _value(kind: Kind | None) -> str:
    return kind.value if kind is not None else "value"


def _is_zero(side: str | Expr) -> bool:
    return (side.strip() == "0") if isinstance(side, str) else bool(side == 0)


def _tree(text: str) -> Node | None:
    try:
        return syntax_tree(text)
    except ParseError:
        return None  # the parser reports it


def _typed_names(expr: Expr) -> dict[str, Kind]:
    found: dict[str, Kind] = {}
    for s in expr.free_symbols:
        if isinstance(s, OnesVector) or not isinstance(s, Symbol) or s.name in _BUILT_IN:
            continue
        found[s.name] = Kind.VECTOR if isinstance(s, VectorSymbol) else Kind.SCALAR
    return found


def _statement_texts(statement: Formula) -> list[str | Expr]:
    return list(statement) if isinstance(statement, tuple) else [statement]


def resolve(
    statements: Iterable[Formula],
    *,
    vectors: str | Iterable[str] | None = None,
    scalars: str | Iterable[str] | None = None,
    given: Mapping[str, Kind] | None = None,
) -> Context:
    """The :class:`~lnsym.lang.parser.Context` for ``statements`` by the rule of this module.

    ``statements`` are expressions (text or typed SymPy), relations such as ``"mu(x) = 0"`` or
    ``"alpha > 0"``, or ``(lhs, rhs)`` pairs; ``vectors``/``scalars`` are the explicit
    declarations; ``given`` the kinds of the values supplied for names. The vectors come in the
    order declared, then ``x``, then as they first occur; so do the scalars.
    """
    statements = list(statements)
    declared_vectors = parse_names(vectors, "vectors")
    declared_scalars = parse_names(scalars, "scalars")
    Context(declared_vectors, declared_scalars)  # duplicates, reserved and invalid names
    given = dict(given or {})
    kinds: dict[str, Kind] = {name: Kind.VECTOR for name in declared_vectors}
    kinds.update({name: Kind.SCALAR for name in declared_scalars})
    for name, kind in given.items():
        kinds.setdefault(name, kind)
    kinds.setdefault("x", Kind.VECTOR)
    typed: set[str] = set()  # names in sides given as SymPy expressions (their kinds are known)
    for statement in statements:
        for side in _statement_texts(statement):
            if not isinstance(side, str):
                for name, kind in _typed_names(side).items():
                    kinds.setdefault(name, kind)
                    typed.add(name)
    inference = _Inference(kinds, given)
    for _ in range(_MAX_PASSES):
        inference.changed = False
        for statement in statements:
            try:
                inference.statement(statement)
            except RecursionError:
                raise ParseError(f"{inference.source[:57]!r}... is nested too deeply") from None
        if not inference.changed:
            break
    _check_given(inference, given, kinds, declared_vectors, declared_scalars)
    used = [name for name in inference.order if name not in RESERVED]
    for name in used:
        if name not in kinds:
            if inference.unsupported:  # what is outside the language is the error to fix first
                raise ParseError(inference.unsupported[0].message)
            where = next(
                (s for st in statements for s in _statement_texts(st) if _mentions(s, name)), ""
            )
            raise ParseError(
                f"cannot tell whether {name!r} is a vector or a scalar in {where!r}; "
                f"declare it with {declare_hint(name)}"
            )
    if "x" not in (*used, *declared_vectors, *given, *typed):
        del kinds["x"]  # the default applies to an x that occurs

    def ordered(kind: Kind, declared: tuple[str, ...]) -> tuple[str, ...]:
        rest = [name for name in ("x", *used, *kinds) if kinds.get(name) is kind]
        return tuple(dict.fromkeys((*declared, *rest)))

    return Context(ordered(Kind.VECTOR, declared_vectors), ordered(Kind.SCALAR, declared_scalars))


def _mentions(side: str | Expr, name: str) -> bool:
    return isinstance(side, str) and re.search(rf"\b{re.escape(name)}\b", side) is not None


def _check_given(
    inference: _Inference,
    given: Mapping[str, Kind],
    kinds: Mapping[str, Kind],
    vectors: tuple[str, ...],
    scalars: tuple[str, ...],
) -> None:
    """A value whose kind contradicts its use (and no declaration overrides it) is an error."""
    for name, kind in given.items():
        if name in vectors or name in scalars:
            if kinds[name] is not kind:
                declared = "vector" if name in vectors else "scalar"
                raise DataError(
                    f"{name} is declared a {declared} but was given a {kind.value}; "
                    f"{_value_hint(name, kinds[name])}"
                )
            continue
        for demand in inference.demands.get(name, []):
            if demand.strict and demand.kind is not kind:
                why = f" ({demand.why})" if demand.why else ""
                raise DataError(
                    f"{name} was given a {kind.value} where a {demand.kind.value} is needed{why}; "
                    f"{_value_hint(name, demand.kind)}"
                )


def _value_hint(name: str, kind: Kind) -> str:
    """How to give ``name`` a value of ``kind`` in the interface in use."""
    if current_interface() == "cli":
        example = f"{value_of(name)}=1,2,3" if kind is Kind.VECTOR else f"{value_of(name)}=0.5"
        what = "a list or a file" if kind is Kind.VECTOR else "one number"
        return f"give {what}, e.g. {example}"
    what = "a list or an array" if kind is Kind.VECTOR else "one number"
    return f"pass {what} for {name!r}"


def parse(
    text: str,
    context: Context | None = None,
    *,
    vectors: str | Iterable[str] | None = None,
    scalars: str | Iterable[str] | None = None,
) -> Expr:
    """Parse ``text`` into a typed SymPy expression; without a ``context`` the names' kinds are
    taken by the rule of this module (``x`` a vector, the others from their use;
    ``vectors``/``scalars`` settle the rest): ``parse("dot(w, x) + b")`` needs no declarations."""
    if context is None:
        context = resolve([text], vectors=vectors, scalars=scalars)
    return parse_typed(text, context)[0]
