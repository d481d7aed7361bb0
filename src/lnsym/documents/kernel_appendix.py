r"""Kernels in LaTeX: numpy source rendered by latexify-py, read back into the language and proved.

* :func:`kernel_latex` — a plain numpy kernel's source rendered by latexify-py (``np.`` trimmed,
  ``eps`` as :math:`\varepsilon`, ``np.mean`` as :math:`E`); :func:`kernel_axis_note` states the
  keyword arguments (``axis=-1, keepdims=True``) that latexify-py does not print.
* :func:`kernel_expression` — the kernel read back into the expression language, as text (its
  source is walked as an :mod:`ast`, never executed). This is a translator from *numpy* source (a
  different language: ``np.mean``, ``keepdims``, broadcasting) into lnsym text, not a second front
  end of the language: the text it writes is read, like any other, by :func:`lnsym.lang.parser.read`.
* :func:`kernel_section` — the appendix of the documents: source, rendering, and the proof that
  the kernel computes :math:`\operatorname{LN}(x)`. :func:`numpy_layer_norm` is the kernel shown.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from typing import Any

import latexify
import numpy as np

from lnsym.errors import UnsupportedError
from lnsym.lang.definitions import Kind
from lnsym.lang.display import ARTICLE, Page, Row, display
from lnsym.lang.latex import escape_text, latex
from lnsym.lang.parser import Context
from lnsym.prover import prove

__all__ = [
    "kernel_axis_note",
    "kernel_expression",
    "kernel_latex",
    "kernel_section",
    "numpy_layer_norm",
]


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


#: the sizes a listing may be set in: (command, size in pt) of an 11 pt document.
_LISTING_SIZES = (("\\normalsize", 10.95), ("\\small", 10.0), ("\\footnotesize", 9.0),
                  ("\\scriptsize", 8.0), ("\\tiny", 6.0))  # fmt: skip


def _verbatim_size(source: str, page: Page = ARTICLE) -> str:
    """The largest font size in which the longest line of ``source`` fits ``page`` (typewriter
    glyphs are 0.525 em wide)."""
    longest = max(len(line.expandtabs()) for line in source.splitlines())
    for command, size in _LISTING_SIZES:
        if longest * 0.525 * size <= page.usable:
            return command
    return _LISTING_SIZES[-1][0]


def _listing(source: str) -> str:
    r"""``source`` as ``verbatim`` in the size that fits (no group around it: the text after a
    ``verbatim`` continues its paragraph unindented)."""
    size = _verbatim_size(source)
    listing = f"\\begin{{verbatim}}\n{source}\n\\end{{verbatim}}"
    return listing if size == "\\normalsize" else f"\\par{size}{listing}\\normalsize"


def kernel_section(fn: Callable[..., Any] = numpy_layer_norm, *, tex: bool = True) -> str:
    r"""The kernel's source, its latexify-py rendering, and the proof that it computes
    :math:`\operatorname{LN}(x) = \sqrt{n}\, u_{n\varepsilon}(c(x))` (LaTeX, or Markdown)."""
    text = kernel_expression(fn)
    vector = _function_def(fn).args.args[0].arg
    context = Context(vectors=(vector,))
    targets = [f"LN({vector})", f"sqrt(n)*u(c({vector}), n*eps)"]
    relations = [
        "=" if prove(text, t, vectors=(vector,)).proved else r"\overset{?}{=}" for t in targets
    ]
    rows = [Row(rel, latex(t, context=context)) for rel, t in zip(relations, targets, strict=True)]
    head = latex(text, context=context)
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
            f"$$\n{display(head, rows, environment='aligned')}\n$$\n"
        )
    return (
        "\\section*{The kernel}\n"
        f"The plain numpy kernel \\texttt{{{escape_text(fn.__name__)}}}:\n"
        f"{_listing(source)}\n"
        "rendered by latexify-py, and with its assignments substituted:\n"
        f"\\[\n{plain}\n\\]\n\\[\n{reduced}\n\\]\n"
        f"latexify-py does not print keyword arguments; the reductions are "
        f"\\texttt{{{escape_text(note)}}}: $E$ is the mean over the last axis, "
        "$\\mu(x)$ in lnsym's notation. Read back into the expression language, the kernel is the "
        "left side below, and lnsym proves\n"
        f"{display(head, rows)}\n"
    )
