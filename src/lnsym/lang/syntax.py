"""The syntax of the language: text → an lnsym syntax tree, checked once.

This is the only module of the language that reads Python's :mod:`ast` (the text is parsed by
:func:`ast.parse`, never run). :func:`syntax_tree` turns a formula into small frozen nodes —
:class:`Number`, :class:`Name`, :class:`Negate`, :class:`BinaryOp`, :class:`Call` — each carrying
the text it was written as. It checks, once, everything that does not depend on what the names
mean:

* the size and shape of the formula (:data:`MAX_LENGTH` characters, :data:`MAX_NODES` parts,
  :data:`MAX_DEPTH` levels, :data:`MAX_CALL_DEPTH` nested functions): a one-line
  :class:`~lnsym.errors.ParseError` at once;
* the whitelist: numbers, names, ``+ - * / **`` (``^`` read as ``**``), unary signs, parentheses
  and calls of a name with positional arguments. Anything else becomes an :class:`Unsupported`
  node holding its one-line message, which the parser raises when its walk reaches it: errors are
  reported in the order they are met (left to right, operands before their operator), and the names
  rule still reads the names around it.

The parser (:mod:`lnsym.lang.parser`: names, kinds, arities, numbers) and the names rule
(:mod:`lnsym.lang.names`) walk these nodes.

>>> syntax_tree("2*LN(x)")
BinaryOp(text='2*LN(x)', op='*', left=Number(text='2', value=2), right=Call(text='LN(x)', \
name='LN', args=(Name(text='x'),)))
>>> syntax_tree("x % 2").message
"unsupported operator in 'x % 2'; the language has numbers, names, + - * / ** ^, and calls such as LN(x) or dot(a, b)"
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from typing import TypeAlias

from lnsym.errors import ParseError
from lnsym.records import FrozenRecord

__all__ = [
    "MAX_CALL_DEPTH",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_NODES",
    "BinaryOp",
    "Call",
    "Name",
    "Negate",
    "Node",
    "Number",
    "Unsupported",
    "source_of",
    "syntax_tree",
    "too_deep",
    "used_names",
    "walk",
]

#: bounds on what one expression may be (bounded work for every command).
MAX_LENGTH = 20_000
MAX_NODES = 3_000
MAX_DEPTH = 60
MAX_CALL_DEPTH = 12
#: what the language has: the end of every "unsupported" message.
_HINT = "the language has numbers, names, + - * / ** ^, and calls such as LN(x) or dot(a, b)"


class Number(FrozenRecord):
    """A numeric literal: ``text`` as typed (``0.1``, ``1e-5``), ``value`` as Python read it."""

    __match_args__ = ("text", "value")
    __slots__ = __match_args__
    text: str
    value: int | float

    def __init__(self, text: str, value: int | float) -> None:
        self._set(text=text, value=value)


class Name(FrozenRecord):
    """A name (``x``, ``eps``, ``alpha``); ``text`` is the name."""

    __match_args__ = ("text",)
    __slots__ = __match_args__
    text: str

    def __init__(self, text: str) -> None:
        self._set(text=text)


class Negate(FrozenRecord):
    """``-operand`` (a unary ``+`` is no node: ``+a`` is read as ``a``)."""

    __match_args__ = ("text", "operand")
    __slots__ = __match_args__
    text: str
    operand: Node

    def __init__(self, text: str, operand: Node) -> None:
        self._set(text=text, operand=operand)


class BinaryOp(FrozenRecord):
    """``left op right``; ``op`` is one of ``+ - * / **``."""

    __match_args__ = ("text", "op", "left", "right")
    __slots__ = __match_args__
    text: str
    op: str
    left: Node
    right: Node

    def __init__(self, text: str, op: str, left: Node, right: Node) -> None:
        self._set(text=text, op=op, left=left, right=right)


class Call(FrozenRecord):
    """``name(args...)``: a call of a function by its name, with positional arguments."""

    __match_args__ = ("text", "name", "args")
    __slots__ = __match_args__
    text: str
    name: str
    args: tuple[Node, ...]

    def __init__(self, text: str, name: str, args: tuple[Node, ...]) -> None:
        self._set(text=text, name=name, args=args)


class Unsupported(FrozenRecord):
    """Text outside the language, kept where it was written.

    The parser raises :class:`~lnsym.errors.ParseError` with ``message`` when its walk reaches this
    node, after building ``first`` (the operands of an unsupported operator, whose own errors come
    first). The names rule reads ``instead`` in its place (the operand of ``~a``; a call without its
    keyword arguments), or a scalar for a ``literal`` that is not a number, or nothing; ``names``
    are the names it contains (for :func:`used_names`).
    """

    __match_args__ = ("text", "message", "names", "first", "instead", "literal")
    __slots__ = __match_args__
    text: str
    message: str
    names: frozenset[str]
    first: tuple[Node, ...]
    instead: Node | None
    literal: bool

    def __init__(
        self,
        text: str,
        message: str,
        names: frozenset[str] = frozenset(),
        first: tuple[Node, ...] = (),
        instead: Node | None = None,
        literal: bool = False,
    ) -> None:
        self._set(
            text=text, message=message, names=names, first=first, instead=instead, literal=literal
        )


#: a node of the syntax tree.
Node: TypeAlias = Number | Name | Negate | BinaryOp | Call | Unsupported

_OPERATORS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Pow: "**",
}


def source_of(text: str) -> str:
    """The text Python reads for a formula: ``^`` as ``**``, surrounding spaces removed."""
    return text.replace("^", "**").strip()


def _shorten(text: str) -> str:
    """``text``, cut to 60 characters for an error message."""
    return text if len(text) <= 60 else text[:57] + "..."


def too_deep(text: str) -> str:
    """The message for a formula nested beyond what can be walked."""
    return f"{_shorten(text)!r} is nested too deeply; split it into smaller formulas"


def syntax_tree(text: str) -> Node:
    """The syntax tree of a formula (``^`` read as ``**``), never run; a one-line
    :class:`~lnsym.errors.ParseError` for text that is not an expression of the language or is
    too large or nested too deeply. A text is parsed once per process (a cache of the frozen
    trees): one call of ``prove`` or ``kernel`` reads each side's text once, however many of its
    stages ask for the tree."""
    if not isinstance(text, str) or not text.strip():
        raise ParseError("empty expression; write e.g. 'LN(x)'")
    if len(text) > MAX_LENGTH:
        raise ParseError(
            f"the expression is {len(text)} characters long; lnsym accepts up to {MAX_LENGTH}"
        )
    return _read(text)


@functools.lru_cache(maxsize=256)
def _read(text: str) -> Node:
    """The tree of a formula already checked to be a string of a bounded length: parsed once per
    process (the nodes are frozen, so every caller may share them). An error is not cached; the
    same text raises the same error again."""
    source = source_of(text)
    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError as error:
        raise ParseError(f"cannot parse {text!r}: {error.msg} (at column {error.offset})") from None
    except (RecursionError, MemoryError):
        raise ParseError(too_deep(text)) from None
    _check_shape(tree, _shorten(text))
    try:
        return _Reader(source, text).read(tree)
    except RecursionError:
        raise ParseError(too_deep(text)) from None


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


class _Reader:
    """Python's syntax tree → the language's, whitelisting each node (left to right)."""

    def __init__(self, source: str, original: str) -> None:
        self.source = source
        self.original = original
        # one line (the usual case): slice its UTF-8 bytes, as ast.get_source_segment would
        self.line = None if "\n" in source or "\r" in source else source.encode()

    def snippet(self, node: ast.expr) -> str:
        if self.line is not None and node.end_col_offset is not None:
            return self.line[node.col_offset : node.end_col_offset].decode() or self.original
        return ast.get_source_segment(self.source, node) or self.original

    def read(self, node: ast.expr) -> Node:
        if isinstance(node, ast.Name):
            return Name(node.id)
        text = self.snippet(node)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                message = f"unsupported literal {text!r}; only numbers are allowed"
                return Unsupported(text, message, literal=True)
            return Number(text, node.value)
        if isinstance(node, ast.UnaryOp):
            operand = self.read(node.operand)
            if isinstance(node.op, ast.USub):
                return Negate(text, operand)
            if isinstance(node.op, ast.UAdd):
                return operand
            return self.unsupported(node, text, instead=operand)
        if isinstance(node, ast.BinOp):
            left, right = self.read(node.left), self.read(node.right)
            op = _OPERATORS.get(type(node.op))
            if op is None:
                message = f"unsupported operator in {text!r}; {_HINT}"
                return Unsupported(text, message, _names(node), first=(left, right))
            return BinaryOp(text, op, left, right)
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                message = f"unsupported call {text!r}; call a function by its name"
                return Unsupported(text, message, _names(node))
            call = Call(text, node.func.id, tuple(self.read(a) for a in node.args))
            if node.keywords:
                message = f"keyword arguments are not supported in {text!r}"
                return Unsupported(text, message, _names(node), instead=call)
            return call
        return self.unsupported(node, text)

    def unsupported(self, node: ast.expr, text: str, instead: Node | None = None) -> Unsupported:
        message = f"unsupported syntax {text!r} in {self.original!r}; {_HINT}"
        return Unsupported(text, message, _names(node), instead=instead)


def _names(node: ast.AST) -> frozenset[str]:
    """The names in a Python syntax tree, called functions excepted."""
    called = {id(n.func) for n in ast.walk(node) if isinstance(n, ast.Call)}
    return frozenset(
        n.id for n in ast.walk(node) if isinstance(n, ast.Name) and id(n) not in called
    )


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree under ``node`` (``node`` first), depth-first, left to right."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, Negate):
            stack.append(current.operand)
        elif isinstance(current, BinaryOp):
            stack += (current.right, current.left)
        elif isinstance(current, Call):
            stack += reversed(current.args)
        elif isinstance(current, Unsupported):
            stack += reversed(current.first)


def used_names(text: str) -> set[str]:
    """The names a formula uses, called functions excepted (``LN`` in ``LN(x)`` is not a name)."""
    names: set[str] = set()
    for node in walk(syntax_tree(text)):
        if isinstance(node, Name):
            names.add(node.text)
        elif isinstance(node, Unsupported):
            names |= node.names
    return names
