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
import inspect
import re
import textwrap
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import latexify
import mpmath
import numpy as np
import sympy
from sympy import Expr
from sympy.printing.latex import LatexPrinter

from lnsym.definitions import (
    DEFINITIONS,
    Dot,
    Kind,
    scalar_symbol,
    vector_symbol,
)
from lnsym.errors import LnsymError, UnsupportedError
from lnsym.language import Context, parse_assumption, parse_names, parse_typed
from lnsym.proof import Witness

if TYPE_CHECKING:
    from lnsym.derivations import ChainResult, ClaimResult, DerivationResult

__all__ = [
    "chain_latex",
    "combined_tex",
    "definition_latex",
    "justification_latex",
    "kernel_expression",
    "kernel_latex",
    "latex",
    "markdown",
    "numpy_layer_norm",
    "standalone_tex",
    "text_to_tex",
    "witness_latex",
    "write_documents",
]

PREAMBLE = (
    "\\documentclass[11pt]{article}\n\\usepackage{amsmath}\n\\usepackage{amssymb}\n"
    "\\allowdisplaybreaks\n"
)
#: the combined LaTeX document and the Markdown page written by :func:`write_documents`.
COMBINED_TEX = "all.tex"
MARKDOWN = "index.md"


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
        names = parse_names(vectors) if vectors is not None else ("x",)
        context = Context(names, parse_names(scalars))
    parse_typed(expr, context)  # validates: names, kinds, arities (raises LnsymError)
    source = expr.replace("^", "**").strip()
    tree = ast.parse(source, mode="eval")
    return _print(_Display(context, source).build(tree.body))


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


def _value(value: str | list[str], *, tex: bool = True) -> str:
    if isinstance(value, list):  # \allowbreak: long vectors may wrap in a paragraph
        return "(" + (",\\allowbreak\\ " if tex else ",\\ ").join(_number(v) for v in value) + ")"
    return _number(value)


def witness_latex(witness: Witness, context: Context, *, tex: bool = True) -> str:
    r"""The witness as a sentence with inline math: ``at $n = 4$, $\varepsilon = 0.1$, …``."""
    names = [f"$n = {witness.n}$", rf"$\varepsilon = {_number(witness.eps)}$"]
    for name, value in witness.values.items():
        names.append(f"${latex(name, context=context)} = {_value(value, tex=tex)}$")
    lhs, rhs = _value(witness.lhs, tex=tex), _value(witness.rhs, tex=tex)
    return (
        f"at {', '.join(names)}: the left side is ${lhs}$ and the right side is ${rhs}$ "
        f"(both evaluated with {witness.digits} significant digits)."
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


def _claim(result: ClaimResult, context: Context, *, tex: bool) -> str:
    claim = result.claim
    statement = (
        f"{latex(claim.lhs_text, context=context)} \\neq {latex(claim.rhs_text, context=context)}"
    )
    given = f" (given {_given(claim.assumptions, context)})" if claim.assumptions else ""
    head = f"Claim {result.index} (refuted){given}."
    note = (text_to_tex(claim.note) if tex else " ".join(claim.note.split())) if claim.note else ""
    if result.proof.witness is None:
        tail = f"No witness was found: the prover says {result.proof.status.value}."
    else:
        tail = "It fails " + witness_latex(result.proof.witness, context, tex=tex)
    display = f"\\[\n  {statement}\n\\]" if tex else f"$$\n{statement}\n$$"
    head = f"\\paragraph{{{head}}}" if tex else f"**{head}**"
    return f"{head} {note}\n{display}\n{tail}"


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
    parts += [_claim(c, context, tex=True) for c in result.claims]
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
    parts += [_claim(c, context, tex=False) for c in result.claims]
    parts.append(f"*Checked by lnsym from `{d.path.name}`.*")
    return "\n\n".join(parts) + "\n"


def derivation_markdown_math(result: DerivationResult) -> str:
    """Every chain of ``result`` as display math (what Jupyter shows for a derivation result)."""
    context = result.derivation.context
    return "\n".join(
        "$$" + chain_latex(c, context, environment="aligned") + "$$" for c in result.chains
    )


def markdown(results: Sequence[DerivationResult], *, kernel: bool = True) -> str:
    """The Markdown page of every derivation (and, ``kernel=True``, of the numpy kernel)."""
    head = (
        "# Derivations\n\nEvery step below was proved equal to the previous one by `lnsym derive`; "
        "every refuted claim carries a witness. Generated from `derivations/*.toml` by "
        "`lnsym derive derivations/ --out docs/proofs`; do not edit by hand.\n"
    )
    body = "\n".join(derivation_markdown(r) for r in results)
    return f"{head}\n{body}\n{kernel_section(tex=False) if kernel else ''}"


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


# --------------------------------------------------------------------------------------------------
# Kernels: Python source rendered by latexify-py, read back into the language and proved
# --------------------------------------------------------------------------------------------------


def numpy_layer_norm(x: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """Textbook layer norm over the last axis."""
    mu = np.mean(x, axis=-1, keepdims=True)
    var = np.mean((x - mu) ** 2, axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps)


#: numpy's reductions (over the last axis) that the kernel reader understands, in the language.
_REDUCTIONS = {"mean": "mu({})", "sum": "dot({}, ones)"}
_PREFIXES = {"np", "numpy"}


def kernel_latex(
    fn: Callable[..., Any], *, name: str = "LN", reduce_assignments: bool = False
) -> str:
    r"""``fn``'s source rendered by latexify-py: ``np.`` trimmed (``prefixes``), ``eps`` printed as
    ``\varepsilon`` and ``np.mean`` as ``E`` (``identifiers``). latexify drops keyword arguments
    (``axis=``, ``keepdims=``) and defaults; :func:`kernel_axis_note` states what they were."""
    identifiers = {"eps": "varepsilon", "mean": "E", fn.__name__: name}
    try:
        return str(
            latexify.get_latex(
                fn,
                prefixes=_PREFIXES,
                identifiers=identifiers,
                use_math_symbols=True,
                reduce_assignments=reduce_assignments,
            )
        )
    except Exception as error:  # latexify raises its own LatexifyError family and ValueError
        raise UnsupportedError(f"latexify-py cannot render {fn.__name__}: {error}") from None


def _function_def(fn: Callable[..., Any]) -> ast.FunctionDef:
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    node = tree.body[0]
    if not isinstance(node, ast.FunctionDef):
        raise UnsupportedError(f"{fn!r} is not a plain function")
    return node


def kernel_axis_note(fn: Callable[..., Any]) -> str:
    """The keyword arguments of ``fn``'s numpy reductions, which latexify-py does not print."""
    shown = set()
    for node in ast.walk(_function_def(fn)):
        if isinstance(node, ast.Call) and node.keywords:
            keywords = ", ".join(f"{k.arg}={ast.unparse(k.value)}" for k in node.keywords)
            shown.add(f"{ast.unparse(node.func)}(..., {keywords})")
    return "; ".join(sorted(shown))


def kernel_expression(fn: Callable[..., Any]) -> str:
    """Read a plain numpy kernel back into the expression language, as text (its source is walked
    as an :mod:`ast`, never executed): the first parameter is the vector, ``eps`` is ε, reductions
    over the last axis are ``np.mean``/``np.sum``, ``v ** 2`` of a vector is elementwise.

    >>> kernel_expression(numpy_layer_norm)
    '(x - mu(x)*ones) / sqrt((mu(hadamard((x - mu(x)*ones), (x - mu(x)*ones))) + eps))'
    """
    node = _function_def(fn)
    params = [a.arg for a in node.args.args]
    if not params or any(p != "eps" for p in params[1:]):
        raise UnsupportedError(f"{fn.__name__} must take (x) or (x, eps); it takes {params}")
    reader = _KernelReader({params[0]: (params[0], Kind.VECTOR)})
    for statement in node.body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # the docstring
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            if isinstance(target, ast.Name):
                reader.names[target.id] = reader.read(statement.value)
                continue
        if isinstance(statement, ast.Return) and statement.value is not None:
            text = reader.read(statement.value)[0]
            return text[1:-1] if isinstance(statement.value, ast.BinOp) else text
        raise UnsupportedError(f"unsupported statement {ast.unparse(statement)!r} in {fn.__name__}")
    raise UnsupportedError(f"{fn.__name__} has no return statement")


class _KernelReader:
    """numpy kernel expressions → language text; a keepdims reduction is a scalar that broadcasts
    (``x - mu`` means ``x - mu*ones``)."""

    def __init__(self, names: dict[str, tuple[str, Kind]]) -> None:
        self.names = {**names, "eps": ("eps", Kind.SCALAR)}

    def read(self, node: ast.expr) -> tuple[str, Kind]:
        vec, sca = Kind.VECTOR, Kind.SCALAR
        if isinstance(node, ast.Name) and node.id in self.names:
            return self.names[node.id]
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return repr(node.value), sca
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            value, kind = self.read(node.operand)
            return f"(-{value})", kind
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.BinOp):
            (left, lk), (right, rk) = self.read(node.left), self.read(node.right)
            op = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}.get(
                type(node.op)
            )
            if op in ("+", "-") and lk is not rk:  # broadcasting a keepdims reduction
                left, right = (left, f"{right}*ones") if lk is vec else (f"{left}*ones", right)
                lk = rk = vec
            if op in ("+", "-") or (op == "*" and sca in (lk, rk)) or (op == "/" and rk is sca):
                return f"({left} {op} {right})", vec if vec in (lk, rk) else sca
            if op == "*":
                return f"hadamard({left}, {right})", vec
            if op == "**" and lk is sca and rk is sca:
                return f"({left})**({right})", sca
            if op == "**" and lk is vec and right == "2":
                return f"hadamard({left}, {left})", vec
        if isinstance(node, ast.Subscript) and ast.unparse(node).endswith(".shape[-1]"):
            return "n", sca
        raise UnsupportedError(f"the kernel reader does not understand {ast.unparse(node)!r}")

    def call(self, node: ast.Call) -> tuple[str, Kind]:
        func = ast.unparse(node.func)
        short = func.split(".", 1)[1] if func.split(".")[0] in _PREFIXES else func
        args = [self.read(a) for a in node.args]
        keywords = {k.arg: ast.unparse(k.value) for k in node.keywords}
        if short in _REDUCTIONS and len(args) == 1 and args[0][1] is Kind.VECTOR:
            if keywords.get("axis", "-1") != "-1" or set(keywords) - {"axis", "keepdims"}:
                raise UnsupportedError(f"{ast.unparse(node)!r}: only reductions over axis=-1")
            return _REDUCTIONS[short].format(args[0][0]), Kind.SCALAR
        if short == "sqrt" and len(args) == 1 and args[0][1] is Kind.SCALAR and not keywords:
            return f"sqrt({args[0][0]})", Kind.SCALAR
        raise UnsupportedError(f"the kernel reader does not understand {ast.unparse(node)!r}")


def kernel_section(fn: Callable[..., Any] = numpy_layer_norm, *, tex: bool = True) -> str:
    r"""The kernel's source, its latexify-py rendering, and the proof that it computes
    :math:`\operatorname{LN}(x) = \sqrt{n}\, u_{n\varepsilon}(c(x))` (LaTeX, or Markdown)."""
    from lnsym.prover import prove

    text = kernel_expression(fn)
    vector = _function_def(fn).args.args[0].arg
    context = Context(vectors=(vector,))
    targets = [f"LN({vector})", f"sqrt(n)*u(c({vector}), n*eps)"]
    relations = [
        "=" if prove(text, t, vectors=(vector,)).proved else r"\overset{?}{=}" for t in targets
    ]
    chain = " \\\\\n  ".join(
        f"{latex(text, context=context) if i == 0 else ''} &{rel} {latex(t, context=context)}"
        for i, (rel, t) in enumerate(zip(relations, targets, strict=True))
    )
    source = textwrap.dedent(inspect.getsource(fn)).strip()
    if not source.isascii():
        raise UnsupportedError(f"the source of {fn.__name__} must be ASCII to be typeset")
    plain, reduced = kernel_latex(fn), kernel_latex(fn, reduce_assignments=True)
    note = kernel_axis_note(fn)
    if not tex:
        return (
            f"## The kernel\n\nThe plain numpy kernel `{fn.__name__}`:\n\n```python\n{source}\n```\n\n"
            f"rendered by latexify-py, and with its assignments substituted:\n\n"
            f"$$\n{plain}\n$$\n\n$$\n{reduced}\n$$\n\n"
            f"latexify-py does not print keyword arguments; the reductions are `{note}`: $E$ is the "
            "mean over the last axis, $\\mu(x)$ in lnsym's notation. Read back into the expression "
            "language, the kernel is the left side below, and lnsym proves\n\n"
            f"$$\n\\begin{{aligned}}\n  {chain}\n\\end{{aligned}}\n$$\n"
        )
    return (
        "\\section*{The kernel}\n"
        f"The plain numpy kernel \\texttt{{{_escape(fn.__name__)}}}:\n"
        f"\\begin{{verbatim}}\n{source}\n\\end{{verbatim}}\n"
        "rendered by latexify-py, and with its assignments substituted:\n"
        f"\\[\n{plain}\n\\]\n\\[\n{reduced}\n\\]\n"
        f"latexify-py does not print keyword arguments; the reductions are "
        f"\\texttt{{{_escape(note)}}}: $E$ is the mean over the last axis, "
        "$\\mu(x)$ in lnsym's notation. Read back into the expression language, the kernel is the "
        "left side below, and lnsym proves\n"
        f"\\begin{{align*}}\n  {chain}\n\\end{{align*}}\n"
    )
