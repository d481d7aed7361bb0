"""The checker's own reader: formula text → a small tree of tuples (independent of lnsym.lang).

Only numbers, names, ``+ - * / **`` (``^`` as ``**``), unary signs and calls of a name with positional
arguments are read; Python's :mod:`ast` parses the text, nothing runs it.

>>> read("2*LN(x)")
('op', '*', ('num', Fraction(2, 1)), ('call', 'LN', (('name', 'x'),)))
"""

from __future__ import annotations

import ast
from fractions import Fraction
from typing import Any

__all__ = ["CheckerInputError", "Tree", "rational", "read"]

Tree = tuple[Any, ...]
_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.BitXor: "**"}
MAX_LENGTH = 20_000
MAX_DEPTH = 80


class CheckerInputError(ValueError):
    """The text is not a formula of the language (the checker cannot read it)."""


def rational(text: object) -> Fraction:
    """An exact rational from an int or a decimal/fraction string, with a bounded exponent."""
    if isinstance(text, int) and not isinstance(text, bool):
        return Fraction(text)
    if not isinstance(text, str) or len(text) > 400:
        raise CheckerInputError(f"not a number: {text!r:.60}")
    _, _, exponent = text.replace("_", "").lower().partition("e")
    if exponent and (not exponent.lstrip("+-").isdigit() or abs(int(exponent)) > 1000):
        raise CheckerInputError(f"the number {text!r:.60} is out of range")
    try:
        return Fraction(text.replace("_", ""))
    except (ValueError, ZeroDivisionError):
        raise CheckerInputError(f"not a number: {text!r:.60}") from None


def read(text: str) -> Tree:
    if not isinstance(text, str) or len(text) > MAX_LENGTH:
        raise CheckerInputError("a formula must be a string of at most 20000 characters")
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        raise CheckerInputError(f"cannot read {text!r}: {error}") from None
    return _tree(node, text, 0)


def _tree(node: ast.AST, text: str, depth: int) -> Tree:
    if depth > MAX_DEPTH:
        raise CheckerInputError("the formula is nested too deeply")
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        segment = ast.get_source_segment(text, node) or repr(node.value)
        return ("num", rational(segment))
    if isinstance(node, ast.Name):
        return ("name", node.id)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _tree(node.operand, text, depth + 1)
        return ("neg", inner) if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        left, right = _tree(node.left, text, depth + 1), _tree(node.right, text, depth + 1)
        return ("op", _OPS[type(node.op)], left, right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        return ("call", node.func.id, tuple(_tree(a, text, depth + 1) for a in node.args))
    raise CheckerInputError(f"unsupported construct in {text!r}")
