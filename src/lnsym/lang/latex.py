r"""Typesetting: the LaTeX of expressions in the order they were written, and of prose.

* :func:`latex` — the LaTeX of one expression of the language, in the order it was written
  (``x - \mu(x) \mathbf{1}``, not SymPy's canonical ``- \mu(x) \mathbf{1} + x``); every function prints
  as itself (:mod:`lnsym.lang.definitions` owns each symbol's LaTeX). :func:`definition_latex` and
  :func:`assumption_latex` print a generic instance of a function and an assumption.
* :func:`text_to_tex`, :func:`escape_text`, :func:`math_in_text` — prose for LaTeX: special
  characters escaped, common Unicode (μ, ε, ‖ …) turned into LaTeX symbols, ``$…$`` kept as math.

>>> latex("sqrt(n)*u(c(x), n*eps)")
'\\sqrt{n} u_{n \\varepsilon}(c(x))'
>>> latex("x - mu(x)*ones")
'x - \\mu(x) \\mathbf{1}'
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

import sympy
from sympy import Expr
from sympy.printing.latex import LatexPrinter

from lnsym.errors import UnsupportedError
from lnsym.lang.definitions import DEFINITIONS, Dot, Kind, scalar_symbol, vector_symbol
from lnsym.lang.names import resolve
from lnsym.lang.parser import Context, parse_assumption, parse_typed, syntax_tree

__all__ = [
    "assumption_latex",
    "definition_latex",
    "escape_text",
    "latex",
    "math_in_text",
    "text_to_tex",
]


# --------------------------------------------------------------------------------------------------
# Expressions
# --------------------------------------------------------------------------------------------------


def latex(
    expr: str | Expr,
    *,
    vectors: str | Iterable[str] | None = None,
    scalars: str | Iterable[str] | None = (),
    context: Context | None = None,
) -> str:
    r"""The LaTeX of an expression: a string of the language (kept in the order written) or an
    already-parsed SymPy expression (printed by :func:`sympy.latex`)."""
    if not isinstance(expr, str):
        return _print(expr)
    if context is None:
        context = resolve([expr], vectors=vectors, scalars=scalars)
    parse_typed(expr, context)  # validates: names, kinds, arities (raises LnsymError)
    source = expr.replace("^", "**").strip()
    try:
        return _print(_Display(context, source).build(syntax_tree(expr)))
    except RecursionError:
        raise UnsupportedError(f"{expr[:57]!r}... is nested too deeply to print") from None


class _Printer(LatexPrinter):
    r"""SymPy's printer, except that ``\langle a, b\rangle`` is never bracketed in a product: SymPy
    ranks classes named ``Dot`` (its vector dot product) below ``Mul``."""

    def _needs_mul_brackets(self, expr: Expr, first: bool = False, last: bool = False) -> bool:
        if isinstance(expr, Dot):
            return False
        return bool(super()._needs_mul_brackets(expr, first=first, last=last))


def _print(expr: Expr) -> str:
    return str(_Printer({"order": "none"}).doprint(expr))


class _Display:
    """Rebuilds an already-validated expression *unevaluated*, so it prints in the written order."""

    def __init__(self, context: Context, source: str) -> None:
        self.context = context
        self.source = source

    def build(self, node: ast.expr) -> Expr:
        if isinstance(node, ast.Constant):
            literal = ast.get_source_segment(self.source, node) or repr(node.value)
            return (
                sympy.Integer(node.value) if isinstance(node.value, int) else sympy.Float(literal)
            )
        if isinstance(node, ast.Name):
            found = self.context.symbol(node.id)
            assert found is not None  # validated by parse_typed
            return found[0]
        if isinstance(node, ast.UnaryOp):
            value = self.build(node.operand)
            if isinstance(node.op, ast.UAdd):
                return value
            return -value if value.is_Number else sympy.Mul(-1, value, evaluate=False)
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        args = [self.build(a) for a in node.args]
        if node.func.id == "sqrt":
            return sympy.Pow(args[0], sympy.S.Half, evaluate=False)
        return DEFINITIONS[node.func.id](*args)

    def binop(self, node: ast.BinOp) -> Expr:
        left, right = self.build(node.left), self.build(node.right)
        if left.is_Number and right.is_Number:  # a numeric literal such as 1/2 or 2**10
            op = {ast.Add: sympy.Add, ast.Mult: sympy.Mul}.get(type(node.op))
            if op is not None:
                return op(left, right)
            if isinstance(node.op, ast.Sub):
                return left - right
            return left / right if isinstance(node.op, ast.Div) else sympy.Pow(left, right)
        if isinstance(node.op, ast.Add | ast.Sub):
            if isinstance(node.op, ast.Sub):
                right = sympy.Mul(-1, right, evaluate=False)
            return sympy.Add(*_flat(sympy.Add, left), right, evaluate=False)
        if isinstance(node.op, ast.Mult | ast.Div):
            if isinstance(node.op, ast.Div):
                right = sympy.Pow(right, -1, evaluate=False)
            elif left == 1 or right == 1:
                return right if left == 1 else left
            return sympy.Mul(left, right, evaluate=False)
        return sympy.Pow(left, right, evaluate=False)


def _flat(op: type[Expr], expr: Expr) -> tuple[Expr, ...]:
    """The terms of a sum written without parentheses: ``a + b + c`` is one sum, not
    ``(a + b) + c``."""
    return expr.args if isinstance(expr, op) else (expr,)


def definition_latex(name: str) -> str:
    r"""A generic instance of the function ``name`` in LaTeX, e.g. ``u_{e}(x)`` for ``"u"``."""
    cls = DEFINITIONS[name]
    generic = getattr(cls, "generic_latex", None)
    if generic is not None:  # jvp, grad, diff: F, x, v are not all plain vectors
        return str(generic)
    vectors = iter(("x", "y", "z"))
    args = []
    for kind in cls.arg_kinds[: len(cls.arg_kinds) - int(getattr(cls, "defaults_eps", False))]:
        args.append(vector_symbol(next(vectors)) if kind is Kind.VECTOR else scalar_symbol("e"))
    return str(sympy.latex(cls(*args)))


def assumption_latex(text: str, context: Context) -> str:
    r"""An assumption such as ``"s >= 0"`` in LaTeX, each side in the order written: ``s \geq 0``."""
    assumption = parse_assumption(text, context)
    left, right = re.split(r"==|>=|<=|=|>|<", text, maxsplit=1)
    relation = {">=": r"\geq", "<=": r"\leq"}.get(assumption.relation, assumption.relation)
    return f"{latex(left, context=context)} {relation} {latex(right, context=context)}"


# --------------------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------------------

_UNICODE_MATH = {
    "μ": r"\mu", "ε": r"\varepsilon", "ϵ": r"\epsilon", "θ": r"\theta", "α": r"\alpha",
    "β": r"\beta", "γ": r"\gamma", "σ": r"\sigma", "λ": r"\lambda", "⟨": r"\langle",
    "⟩": r"\rangle", "‖": r"\Vert", "≈": r"\approx", "≠": r"\neq", "≤": r"\leq", "≥": r"\geq",
    "·": r"\cdot", "∘": r"\circ", "⊙": r"\odot", "√": r"\surd", "²": "^{2}", "−": "-",
    "×": r"\times", "→": r"\to", "∞": r"\infty", "∈": r"\in", "ℝ": r"\mathbb{R}", "≪": r"\ll",
}  # fmt: skip
_UNICODE_TEXT = {"–": "--", "—": "---", "‘": "`", "’": "'", "“": "``", "”": "''", "…": r"\ldots{}"}
_TEXT_SPECIALS = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "#": r"\#", "_": r"\_", "{": r"\{",
    "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "<": r"\textless{}",
    ">": r"\textgreater{}", "|": r"\textbar{}",
}  # fmt: skip


def text_to_tex(text: str) -> str:
    r"""Prose for a LaTeX document: ``$…$`` stays math, everything else is escaped; common Unicode
    (μ, ε, ‖, ≈ …) becomes the LaTeX symbol, anything else is an error (pdflatex would stop)."""
    parts = text.split("$")
    if len(parts) % 2 == 0:
        raise UnsupportedError(f"unbalanced $ in {text!r}; inline math is written $...$")
    out = []
    for index, part in enumerate(parts):
        if index % 2:
            out.append("$" + "".join(_unicode(ch, math=True) for ch in part) + "$")
        else:
            out.append(escape_text(part))
    return re.sub(r"\s+", " ", "".join(out)).strip()


def escape_text(text: str) -> str:
    r"""Plain text (no math) for LaTeX: ``_``, ``&``, ``%`` … escaped, ``"quoted"`` given curly
    quotes, common Unicode turned into LaTeX (``μ`` → ``$\mu$``); anything else is an error."""
    text = re.sub(r'"([^"]*)"', "\u201c\\1\u201d", text)  # "quoted" → “quoted”
    return "".join(_TEXT_SPECIALS.get(ch) or _unicode(ch, math=False) for ch in text)


def _unicode(ch: str, *, math: bool) -> str:
    if ch.isascii():
        return ch
    if ch in _UNICODE_MATH:
        return f"{_UNICODE_MATH[ch]} " if math else f"${_UNICODE_MATH[ch]}$"
    if not math and ch in _UNICODE_TEXT:
        return _UNICODE_TEXT[ch]
    raise UnsupportedError(
        f"character {ch!r} (U+{ord(ch):04X}) cannot be typeset with amsmath/amssymb alone; "
        "write it in LaTeX, e.g. $\\mu$"
    )


def math_in_text(text: str) -> str:
    r"""``"(linearity of $c$)"`` → ``\text{(linearity of }c\text{)}``: no ``$`` nested in math, so
    the same LaTeX works in a ``.tex`` file, MathJax and GitHub Markdown."""
    out = []
    for index, part in enumerate(text.split("$")):
        if index % 2:
            out.append(part)
        elif part:
            out.append(rf"\text{{{escape_text(part)}}}")
    return "".join(out)
