r"""LaTeX and Markdown documents: checked derivations as proofs you can paste into a paper.

* :func:`latex` — the LaTeX of one expression of the language, in the order it was written
  (``x - \mu(x) \mathbf{1}``, not SymPy's canonical ``- \mu(x) \mathbf{1} + x``); every function prints
  as itself (:mod:`lnsym.definitions` owns each symbol's LaTeX).
* :func:`chain_latex` — one chain as ``align*``: one step per line, the justification on the right as
  ``\text{(…)}``.
* :func:`standalone_tex`, :func:`combined_tex`, :func:`markdown`, :func:`write_documents` — whole
  documents. They use only ``amsmath`` and ``amssymb`` and compile with ``pdflatex -halt-on-error``.

>>> latex("sqrt(n)*u(c(x), n*eps)")
'\\sqrt{n} u_{n \\varepsilon}(c(x))'
>>> latex("x - mu(x)*ones")
'x - \\mu(x) \\mathbf{1}'
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import mpmath
import sympy
from sympy import Expr

from lnsym.definitions import DEFINITIONS, Kind, scalar_symbol, vector_symbol
from lnsym.errors import LnsymError, UnsupportedError
from lnsym.language import Context, parse_assumption, parse_typed
from lnsym.proof import Witness

if TYPE_CHECKING:
    from lnsym.derivations import ChainResult, ClaimResult, DerivationResult

__all__ = [
    "chain_latex",
    "combined_tex",
    "definition_latex",
    "justification_latex",
    "latex",
    "markdown",
    "standalone_tex",
    "text_to_tex",
    "witness_latex",
    "write_documents",
]

PREAMBLE = "\\documentclass[11pt]{article}\n\\usepackage{amsmath}\n\\usepackage{amssymb}\n"
#: the combined LaTeX document and the Markdown page written by :func:`write_documents`.
COMBINED_TEX = "all.tex"
MARKDOWN = "index.md"


# --------------------------------------------------------------------------------------------------
# Expressions
# --------------------------------------------------------------------------------------------------


def latex(
    expr: str | Expr,
    *,
    vectors: Iterable[str] | None = None,
    scalars: Iterable[str] = (),
    context: Context | None = None,
) -> str:
    r"""The LaTeX of an expression: a string of the language (kept in the order written) or an
    already-parsed SymPy expression (printed by :func:`sympy.latex`)."""
    if not isinstance(expr, str):
        return str(sympy.latex(expr, order="none"))
    if context is None:
        context = Context(tuple(vectors) if vectors is not None else ("x",), tuple(scalars))
    parse_typed(expr, context)  # validates: names, kinds, arities (raises LnsymError)
    source = expr.replace("^", "**").strip()
    tree = ast.parse(source, mode="eval")
    return str(sympy.latex(_Display(context, source).build(tree.body), order="none"))


class _Display:
    """Rebuilds an already-validated expression *unevaluated*, so it prints in the written order."""

    def __init__(self, context: Context, source: str) -> None:
        self.context = context
        self.source = source

    def build(self, node: ast.expr) -> Expr:
        if isinstance(node, ast.Constant):
            literal = ast.get_source_segment(self.source, node) or repr(node.value)
            return sympy.Integer(node.value) if isinstance(node.value, int) else sympy.Float(literal)
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
        if isinstance(node.op, ast.Add):
            return sympy.Add(left, right, evaluate=False)
        if isinstance(node.op, ast.Sub):
            return sympy.Add(left, sympy.Mul(-1, right, evaluate=False), evaluate=False)
        if isinstance(node.op, ast.Mult):
            if left == 1 or right == 1:
                return right if left == 1 else left
            return sympy.Mul(left, right, evaluate=False)
        if isinstance(node.op, ast.Div):
            return sympy.Mul(left, sympy.Pow(right, -1, evaluate=False), evaluate=False)
        return sympy.Pow(left, right, evaluate=False)


def definition_latex(name: str) -> str:
    r"""A generic instance of the function ``name`` in LaTeX, e.g. ``u_{e}(x)`` for ``"u"``."""
    cls = DEFINITIONS[name]
    vectors = iter(("x", "y", "z"))
    args = []
    for kind in cls.arg_kinds[: len(cls.arg_kinds) - int(getattr(cls, "defaults_eps", False))]:
        args.append(vector_symbol(next(vectors)) if kind is Kind.VECTOR else scalar_symbol("e"))
    return str(sympy.latex(cls(*args)))


def _assumption_latex(text: str, context: Context) -> str:
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
            out.append(_escape(part))
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _escape(text: str) -> str:
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


def _math_in_text(text: str) -> str:
    r"""``"(linearity of $c$)"`` → ``\text{(linearity of }c\text{)}``: no ``$`` nested in math, so
    the same LaTeX works in a ``.tex`` file, MathJax and GitHub Markdown."""
    out = []
    for index, part in enumerate(text.split("$")):
        if index % 2:
            out.append(part)
        elif part:
            out.append(rf"\text{{{_escape(part)}}}")
    return "".join(out)


def justification_latex(by: Sequence[str]) -> str:
    r"""``("definition of u", "algebra")`` → ``\text{(definition of }u_{e}(x)\text{; algebra)}``."""
    from lnsym.derivations import RULES

    pieces = []
    for item in by:
        if item in RULES:
            pieces.append(RULES[item].text)
        else:
            name = item.removeprefix("definition of ").strip()
            pieces.append(f"definition of ${definition_latex(name)}$")
    return _math_in_text("(" + "; ".join(pieces) + ")")


def _number(text: str, digits: int = 10) -> str:
    value = mpmath.mpf(text)
    if value == int(value) and abs(value) < 10**digits:
        return str(int(value))
    shown = mpmath.nstr(value, digits, min_fixed=-4, max_fixed=8)
    if "e" in shown:
        mantissa, exponent = shown.split("e")
        power = rf"10^{{{int(exponent)}}}"
        return power if mantissa == "1.0" else rf"{mantissa.removesuffix('.0')} \cdot {power}"
    return shown


def _value(value: str | list[str]) -> str:
    if isinstance(value, list):
        return "(" + ",\\ ".join(_number(v) for v in value) + ")"
    return _number(value)


def witness_latex(witness: Witness, context: Context) -> str:
    r"""The witness as a sentence with inline math: ``$n = 4$, $\varepsilon = 0.1$, $x = (…)$ …``."""
    names = [f"$n = {witness.n}$", rf"$\varepsilon = {_number(witness.eps)}$"]
    for name, value in witness.values.items():
        names.append(f"${latex(name, context=context)} = {_value(value)}$")
    return (
        "at " + ", ".join(names) + f": the left side is ${_value(witness.lhs)}$ and the right side "
        f"is ${_value(witness.rhs)}$ (both evaluated with {witness.digits} significant digits)."
    )


# --------------------------------------------------------------------------------------------------
# Proofs
# --------------------------------------------------------------------------------------------------


def chain_latex(chain: ChainResult, context: Context, *, environment: str = "align*") -> str:
    r"""One checked chain: ``\begin{align*} first &= second && \text{(why)} \\ &= … \end{align*}``.

    Steps that did not check print their relation as :math:`\overset{?}{=}`."""
    steps = chain.steps
    lines = []
    for index, result in enumerate(steps[1:], 1):
        head = latex(steps[0].step.text, context=context) if index == 1 else ""
        proved = result.proof is not None and result.proof.proved
        relation = "=" if proved else r"\overset{?}{=}"
        body = latex(result.step.text, context=context)
        lines.append(f"  {head} &{relation} {body} && {justification_latex(result.step.by)}")
    return f"\\begin{{{environment}}}\n" + " \\\\\n".join(lines) + f"\n\\end{{{environment}}}"


def _given(assumptions: Sequence[str], context: Context) -> str:
    return ", ".join(f"${_assumption_latex(a, context)}$" for a in assumptions)


def _claim_sentence(result: ClaimResult, context: Context, tex: bool) -> str:
    claim = result.claim
    statement = f"{latex(claim.lhs_text, context=context)} = {latex(claim.rhs_text, context=context)}"
    note = (text_to_tex(claim.note) if tex else claim.note) if claim.note else ""
    given = f" (given {_given(claim.assumptions, context)})" if claim.assumptions else ""
    head = f"Claim {result.index}, refuted: ${statement}${given} is false in general."
    if result.proof.witness is None:
        return f"{head} {note} No witness was found ({result.proof.status.value})."
    return f"{head} {note} It fails {witness_latex(result.proof.witness, context)}"


def derivation_body(result: DerivationResult, *, section: str = "section") -> str:
    """The LaTeX of one derivation (a section: title, description, chains, refuted claims)."""
    d = result.derivation
    context = d.context
    parts = [f"\\{section}{{{text_to_tex(d.title)}}}"]
    if d.description:
        parts.append(text_to_tex(d.description))
    if d.assumptions:
        parts.append(f"Throughout, {_given(d.assumptions, context)}.")
    for chain in result.chains:
        extra = chain.chain.assumptions[len(d.assumptions) :]
        if len(result.chains) > 1:
            given = f" (given {_given(extra, context)})" if extra else ""
            parts.append(f"\\paragraph{{{text_to_tex(chain.chain.name)}{given}.}}")
        elif extra:
            parts.append(f"Given {_given(extra, context)}:")
        parts.append(chain_latex(chain, context))
    parts += [_claim_sentence(c, context, tex=True) for c in result.claims]
    source = text_to_tex(f"Checked by lnsym from {d.path.name}.")
    parts.append(f"{{\\small {source}}}")
    return "\n\n".join(parts) + "\n"


def standalone_tex(result: DerivationResult) -> str:
    """A complete ``.tex`` document for one derivation."""
    return f"{PREAMBLE}\\begin{{document}}\n\n{derivation_body(result, section='section*')}\n\\end{{document}}\n"


def _notation() -> str:
    items = "\n".join(f"  \\item ${cls.formula}$" for cls in DEFINITIONS.values() if cls.formula)
    return (
        "\\section*{Notation}\nVectors live in $\\mathbb{R}^n$, $\\mathbf{1}$ is the all-ones "
        "vector, $n$ is a positive integer and $\\varepsilon > 0$.\n\\begin{itemize}\n"
        f"{items}\n\\end{{itemize}}\n"
    )


def combined_tex(results: Sequence[DerivationResult], *, kernel: bool = True) -> str:
    """One document with the notation, every derivation, and (``kernel=True``) the numpy kernel."""
    from lnsym.kernel_tex import kernel_section

    body = "\n".join(derivation_body(r) for r in results)
    appendix = kernel_section() if kernel else ""
    return (
        f"{PREAMBLE}\\title{{Layer normalization: derivations checked by lnsym}}\n\\date{{}}\n"
        f"\\begin{{document}}\n\\maketitle\n\n{_notation()}\n{body}\n{appendix}\\end{{document}}\n"
    )


def derivation_markdown(result: DerivationResult) -> str:
    """One derivation as Markdown with ``$$`` display math (MathJax, mkdocs arithmatex, GitHub)."""
    d = result.derivation
    context = d.context
    parts = [f"## {d.title}"]
    if d.description:
        parts.append(" ".join(d.description.split()))
    if d.assumptions:
        parts.append(f"Throughout, {_given(d.assumptions, context)}.")
    for chain in result.chains:
        extra = chain.chain.assumptions[len(d.assumptions) :]
        given = f" (given {_given(extra, context)})" if extra else ""
        if len(result.chains) > 1:
            parts.append(f"**{chain.chain.name}**{given}.")
        elif given:
            parts.append(f"Given {_given(extra, context)}:")
        parts.append("$$\n" + chain_latex(chain, context, environment="aligned") + "\n$$")
    parts += [_claim_sentence(c, context, tex=False) for c in result.claims]
    parts.append(f"*Checked by lnsym from `{d.path.name}`.*")
    return "\n\n".join(parts) + "\n"


def derivation_markdown_math(result: DerivationResult) -> str:
    """Every chain of ``result`` as display math (what Jupyter shows for a derivation result)."""
    context = result.derivation.context
    return "\n".join(
        "$$" + chain_latex(c, context, environment="aligned") + "$$" for c in result.chains
    )


def markdown(results: Sequence[DerivationResult]) -> str:
    """The Markdown page of every derivation."""
    head = (
        "# Derivations\n\nEvery step below was proved equal to the previous one by `lnsym derive`; "
        "every refuted claim carries a witness. Generated from `derivations/*.toml` by "
        "`lnsym derive derivations/ --out docs/proofs`; do not edit by hand.\n"
    )
    return head + "\n" + "\n".join(derivation_markdown(r) for r in results)


def write_documents(results: Sequence[DerivationResult], out: str | Path) -> list[Path]:
    """Write one standalone ``.tex`` per derivation, :data:`COMBINED_TEX` and :data:`MARKDOWN`."""
    failed = [str(r.derivation.path) for r in results if not r.ok]
    if failed:
        raise LnsymError(f"not writing documents: {', '.join(failed)} did not check")
    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    documents = {f"{r.derivation.name}.tex": standalone_tex(r) for r in results}
    documents[COMBINED_TEX] = combined_tex(results)
    documents[MARKDOWN] = markdown(results)
    written = []
    for name, text in documents.items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
