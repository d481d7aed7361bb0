r"""Typesetting: the LaTeX of expressions in the order they were written, and of prose.

* :func:`latex` — the LaTeX of one expression of the language, in the order it was written
  (``x - \mu(x) \mathbf{1}``, not SymPy's canonical ``- \mu(x) \mathbf{1} + x``): it prints the
  written form that :func:`lnsym.lang.parser.read` builds in the same walk as the typed expression,
  so text is read once, by the parser; every function prints as itself
  (:mod:`lnsym.lang.definitions` owns each symbol's LaTeX). :func:`definition_latex` and
  :func:`assumption_latex` print a generic instance of a function and an assumption.
* :func:`text_to_tex`, :func:`escape_text`, :func:`math_in_text` — prose for LaTeX: special
  characters escaped, common Unicode (μ, ε, ‖ …) turned into LaTeX symbols, ``$…$`` kept as math.

>>> latex("sqrt(n)*u(c(x), n*eps)")
'\\sqrt{n} u_{n \\varepsilon}(c(x))'
>>> latex("x - mu(x)*ones")
'x - \\mu(x) \\mathbf{1}'
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import sympy
from sympy import Expr
from sympy.printing.latex import LatexPrinter

from lnsym.errors import UnsupportedError
from lnsym.lang.definitions import DEFINITIONS, Dot, Kind, scalar_symbol, vector_symbol
from lnsym.lang.names import resolve
from lnsym.lang.parser import Assumption, Context, Parsed, parse_assumption, read

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
    expr: str | Parsed | Expr,
    *,
    vectors: str | Iterable[str] | None = None,
    scalars: str | Iterable[str] | None = (),
    context: Context | None = None,
) -> str:
    r"""The LaTeX of an expression: a string of the language or a :class:`~lnsym.lang.parser.Parsed`
    formula (printed from its written form, in the order written), or an already-built SymPy
    expression (printed as SymPy holds it)."""
    if isinstance(expr, str):
        if context is None:
            context = resolve([expr], vectors=vectors, scalars=scalars)
        expr = read(expr, context)
    if not isinstance(expr, Parsed):
        return _print(expr)
    try:
        return _print(expr.written)
    except RecursionError:
        raise UnsupportedError(f"{expr.text[:57]!r}... is nested too deeply to print") from None


class _Printer(LatexPrinter):
    r"""SymPy's printer, except that ``\langle a, b\rangle`` is never bracketed in a product: SymPy
    ranks classes named ``Dot`` (its vector dot product) below ``Mul``."""

    def _needs_mul_brackets(self, expr: Expr, first: bool = False, last: bool = False) -> bool:
        if isinstance(expr, Dot):
            return False
        return bool(super()._needs_mul_brackets(expr, first=first, last=last))


def _print(expr: Expr) -> str:
    return str(_Printer({"order": "none"}).doprint(expr))


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


def assumption_latex(assumption: str | Assumption, context: Context | None = None) -> str:
    r"""An assumption such as ``"s >= 0"`` (text, read in ``context``, or already parsed) in LaTeX,
    each side in the order written: ``s \geq 0``."""
    if isinstance(assumption, str):
        assumption = parse_assumption(assumption, context)
    sides = assumption.sides or (assumption.lhs, assumption.rhs)
    relation = {">=": r"\geq", "<=": r"\leq"}.get(assumption.relation, assumption.relation)
    return f"{latex(sides[0])} {relation} {latex(sides[1])}"


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
