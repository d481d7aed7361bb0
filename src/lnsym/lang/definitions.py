r"""The definitions of layer-normalization algebra, as SymPy citizens.

This module is the single source of truth: the parser builds these objects, the prover normalizes
them through :meth:`Definition.definition`, the LaTeX printer asks them for their own LaTeX, and the
numeric kernels evaluate the very same definitions.

Conventions (all vectors live in :math:`\mathbb{R}^n`; :math:`\mathbf{1}` is the all-ones vector):

* :math:`\mu(x) = \operatorname{E}[x] = \langle x, \mathbf{1}\rangle / n` (the mean of the entries);
* :math:`c(x) = x - \mu(x)\mathbf{1}` (centering: projection onto the plane orthogonal to
  :math:`\mathbf{1}`);
* :math:`\operatorname{Var}[x] = \lVert c(x)\rVert^2 / n` (biased, divides by :math:`n`);
* :math:`u_e(y) = y / \sqrt{\lVert y\rVert^2 + e}` (ε inside the root);
* :math:`\operatorname{LN}_e(x) = c(x) / \sqrt{\operatorname{Var}[x] + e}`, :math:`e = \varepsilon`
  by default;
* :math:`\operatorname{RMS}_e(x) = x / \sqrt{\lVert x\rVert^2 / n + e}`;
* :math:`\operatorname{LNA}_e(x, g, \beta) = g \odot \operatorname{LN}_e(x) + \beta` (affine LN);
* :math:`a\,v\,a = 2\langle a, v\rangle a - \langle a, a\rangle v` (geometric-algebra sandwich).

Only :class:`Dot`, :class:`Hadamard`, vector symbols and :data:`ones` are primitive; every other name
is defined in terms of them (and of each other) by its :meth:`~Definition.definition`.
"""

from __future__ import annotations

import enum
from typing import Any, ClassVar

import sympy
from sympy import Expr, Function, Symbol

from lnsym.lang.measure import delimiter_size

__all__ = [
    "DEFINITIONS",
    "AffineLayerNorm",
    "Center",
    "Cos",
    "Definition",
    "Dot",
    "Expectation",
    "Hadamard",
    "InnerProduct",
    "Kind",
    "LayerNorm",
    "Mean",
    "Norm",
    "OnesVector",
    "RMSNorm",
    "Sandwich",
    "UnitScale",
    "Variance",
    "VectorSymbol",
    "eps",
    "kind_of",
    "latex_of",
    "n",
    "ones",
    "scalar_symbol",
    "vector_symbol",
]


class Kind(enum.Enum):
    """The type of an expression of the language: a scalar or a vector in R^n."""

    SCALAR = "scalar"
    VECTOR = "vector"


# --------------------------------------------------------------------------------------------------
# Symbols
# --------------------------------------------------------------------------------------------------


class _EpsilonSymbol(Symbol):
    """The regularizer ε > 0 (spelled ``eps`` in the language, ``\\varepsilon`` in LaTeX)."""

    def _latex(self, printer: Any) -> str:
        return r"\varepsilon"


class VectorSymbol(Symbol):
    r"""A named vector of :math:`\mathbb{R}^n` (declared with ``--vectors``)."""

    def _latex(self, printer: Any) -> str:
        return printer._print_Symbol(Symbol(self.name))


class OnesVector(VectorSymbol):
    r"""The all-ones vector :math:`\mathbf{1}` (``ones`` in the language)."""

    def _latex(self, printer: Any) -> str:
        return r"\mathbf{1}"


#: The dimension: a positive integer.
n = Symbol("n", integer=True, positive=True)
#: The regularizer ε > 0.
eps = _EpsilonSymbol("eps", positive=True)
#: The all-ones vector 1.
ones = OnesVector("ones")


def vector_symbol(name: str) -> VectorSymbol:
    """The vector named ``name``."""
    return VectorSymbol(name)


def scalar_symbol(name: str, *, positive: bool = False) -> Symbol:
    """The real scalar named ``name`` (``positive=True`` when assumed > 0)."""
    if positive:
        return Symbol(name, positive=True)
    return Symbol(name, real=True)


# --------------------------------------------------------------------------------------------------
# Definitions
# --------------------------------------------------------------------------------------------------


def latex_of(printer: Any, expr: Expr) -> str:
    """The LaTeX of ``expr`` by ``printer`` (a definition's argument, or a derivative's)."""
    return str(printer._print(expr))


def _tex_arg(printer: Any, expr: Expr) -> str:
    """LaTeX of a function argument: ``(x)``; compound arguments keep plain parentheses."""
    return (
        rf"\left({latex_of(printer, expr)}\right)"
        if _is_tall(expr)
        else f"({latex_of(printer, expr)})"
    )


def _is_tall(expr: Expr) -> bool:
    return any(
        isinstance(a, sympy.Pow) and a.exp.is_negative for a in sympy.preorder_traversal(expr)
    )


class Definition(Function):
    """Base class of every named operation of the language.

    Subclasses set :attr:`language_name` (the name users type), :attr:`arg_kinds`,
    :attr:`result_kind` and implement :meth:`definition` (primitives excepted).
    """

    language_name: ClassVar[str]
    arg_kinds: ClassVar[tuple[Kind, ...]]
    result_kind: ClassVar[Kind]
    #: one line: the formula and its convention, shown in ``lnsym`` help and the docs.
    formula: ClassVar[str] = ""
    #: the arguments' names in :attr:`formula` (its help shows ``dot(a, b)`` beside ``<a, b>``);
    #: empty: x, y, z for vectors and e for a scalar.
    parameters: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def eval(cls, *args: Expr) -> Expr | None:
        return None  # stay unevaluated: print as themselves

    def definition(self) -> Expr:
        """This operation written with primitives (and other definitions)."""
        raise NotImplementedError(f"{type(self).__name__} is primitive")

    def _eval_rewrite_as_definition(self, *args: Expr, **hints: Any) -> Expr:
        return self.func(*args).definition()

    def _sympystr(self, printer: Any) -> str:
        args = ", ".join(printer._print(a) for a in self.args)
        return f"{self.language_name}({args})"

    def _eval_is_real(self) -> bool | None:
        return True if self.result_kind is Kind.SCALAR else None

    def _eval_is_commutative(self) -> bool:
        return True

    def _latex(self, printer: Any, exp: Any = None) -> str:
        body = self._tex(printer)
        return body if exp is None else f"{body}^{{{exp}}}"

    def _tex(self, printer: Any) -> str:
        raise NotImplementedError


class _WithEpsilon(Definition):
    """A definition whose last argument is a regularizer that defaults to ``eps``."""

    #: the last argument may be omitted; it then defaults to ``eps``.
    defaults_eps: ClassVar[bool] = True

    def __new__(cls, *args: Any, **options: Any) -> Any:
        if len(args) == len(cls.arg_kinds) - 1:
            args = (*args, eps)
        return super().__new__(cls, *args, **options)

    def _sympystr(self, printer: Any) -> str:
        shown = self.args[:-1] if self.args[-1] == eps else self.args
        return f"{self.language_name}({', '.join(printer._print(a) for a in shown)})"

    def _subscript(self, printer: Any) -> str:
        return "" if self.args[-1] == eps else f"_{{{latex_of(printer, self.args[-1])}}}"


class InnerProduct(Definition):
    r"""Inner product :math:`\langle a, b\rangle = \sum_i a_i b_i` (primitive; ``dot`` in the language).

    Not named ``Dot``: SymPy's LaTeX printer looks precedence up by class name, and ``Dot`` (of
    ``sympy.vector``) would put every inner product inside a product in parentheses.
    """

    nargs = 2
    language_name = "dot"
    parameters = ("a", "b")
    arg_kinds = (Kind.VECTOR, Kind.VECTOR)
    result_kind = Kind.SCALAR
    formula = r"\langle a, b\rangle = \sum_i a_i b_i"

    def _tex(self, printer: Any) -> str:
        a, b = self.args
        if _is_tall(a) or _is_tall(b):
            return rf"\left\langle {latex_of(printer, a)}, {latex_of(printer, b)} \right\rangle"
        return rf"\langle {latex_of(printer, a)}, {latex_of(printer, b)} \rangle"


#: the inner product under its short name.
Dot = InnerProduct


class Hadamard(Definition):
    r"""Elementwise product :math:`(a \odot b)_i = a_i b_i` (primitive)."""

    nargs = 2
    language_name = "hadamard"
    parameters = ("a", "b")
    arg_kinds = (Kind.VECTOR, Kind.VECTOR)
    result_kind = Kind.VECTOR
    formula = r"(a \odot b)_i = a_i b_i"

    def _tex(self, printer: Any) -> str:
        a, b = self.args
        return rf"{_tex_atom(printer, a)} \odot {_tex_atom(printer, b)}"


def _tex_atom(printer: Any, expr: Expr) -> str:
    text = latex_of(printer, expr)
    return f"\\left({text}\\right)" if isinstance(expr, sympy.Add | sympy.Mul) else text


class Mean(Definition):
    r"""Mean of the entries: :math:`\mu(x) = \langle x, \mathbf{1}\rangle / n`."""

    nargs = 1
    language_name = "mu"
    arg_kinds = (Kind.VECTOR,)
    result_kind = Kind.SCALAR
    formula = r"\mu(x) = \langle x, \mathbf{1}\rangle / n"

    def definition(self) -> Expr:
        return Dot(self.args[0], ones) / n

    def _tex(self, printer: Any) -> str:
        return rf"\mu{_tex_arg(printer, self.args[0])}"


class Expectation(Mean):
    r"""The mean written :math:`\operatorname{E}[x]` (same definition as :class:`Mean`)."""

    language_name = "E"
    formula = r"\operatorname{E}[x] = \langle x, \mathbf{1}\rangle / n"

    def _tex(self, printer: Any) -> str:
        return rf"\operatorname{{E}}[{latex_of(printer, self.args[0])}]"


class Center(Definition):
    r"""Centering :math:`c(x) = x - \mu(x)\mathbf{1}`: projection onto the plane orthogonal to 1."""

    nargs = 1
    language_name = "c"
    arg_kinds = (Kind.VECTOR,)
    result_kind = Kind.VECTOR
    formula = r"c(x) = x - \mu(x)\,\mathbf{1}"

    def definition(self) -> Expr:
        x = self.args[0]
        return x - Mean(x) * ones

    def _tex(self, printer: Any) -> str:
        return f"c{_tex_arg(printer, self.args[0])}"


class Variance(Definition):
    r"""Biased variance :math:`\operatorname{Var}[x] = \lVert c(x)\rVert^2 / n` (divides by n)."""

    nargs = 1
    language_name = "Var"
    arg_kinds = (Kind.VECTOR,)
    result_kind = Kind.SCALAR
    formula = r"\operatorname{Var}[x] = \lVert c(x)\rVert^2 / n"

    def definition(self) -> Expr:
        centered = Center(self.args[0])
        return Dot(centered, centered) / n

    def _eval_is_nonnegative(self) -> bool:
        return True

    def _tex(self, printer: Any) -> str:
        return rf"\operatorname{{Var}}[{latex_of(printer, self.args[0])}]"


class Norm(Definition):
    r"""Euclidean norm :math:`\lVert x\rVert = \sqrt{\langle x, x\rangle}`."""

    nargs = 1
    language_name = "norm"
    arg_kinds = (Kind.VECTOR,)
    result_kind = Kind.SCALAR
    formula = r"\lVert x\rVert = \sqrt{\langle x, x\rangle}"

    def definition(self) -> Expr:
        x = self.args[0]
        return sympy.sqrt(Dot(x, x))

    def _eval_is_nonnegative(self) -> bool:
        return True

    def _latex(self, printer: Any, exp: Any = None) -> str:
        inner = latex_of(printer, self.args[0])
        # \left…\right only where the content is taller than a line (a fraction): elsewhere
        # it adds space and, in MathJax, draws the bars thin
        tall = delimiter_size(inner) != ""
        body = rf"\left\lVert {inner} \right\rVert" if tall else rf"\lVert {inner} \rVert"
        return body if exp is None else f"{body}^{{{exp}}}"


class Cos(Definition):
    r"""Cosine of the angle between two vectors: :math:`\langle a, b\rangle/(\lVert a\rVert\lVert b\rVert)`."""

    nargs = 2
    language_name = "cos"
    parameters = ("a", "b")
    arg_kinds = (Kind.VECTOR, Kind.VECTOR)
    result_kind = Kind.SCALAR
    formula = r"\cos\theta_{a,b} = \langle a, b\rangle / (\lVert a\rVert \lVert b\rVert)"

    def definition(self) -> Expr:
        a, b = self.args
        return Dot(a, b) / (Norm(a) * Norm(b))

    def _latex(self, printer: Any, exp: Any = None) -> str:
        a, b = self.args
        head = r"\cos" if exp is None else rf"\cos^{{{exp}}}"
        return rf"{head}\theta_{{{latex_of(printer, a)}, {latex_of(printer, b)}}}"


class UnitScale(Definition):
    r"""Soft unit scaling :math:`u_e(y) = y / \sqrt{\lVert y\rVert^2 + e}` (ε inside the root)."""

    nargs = 2
    language_name = "u"
    parameters = ("y", "e")
    arg_kinds = (Kind.VECTOR, Kind.SCALAR)
    result_kind = Kind.VECTOR
    formula = r"u_e(y) = y / \sqrt{\lVert y\rVert^2 + e}"

    def definition(self) -> Expr:
        y, e = self.args
        return y / sympy.sqrt(Dot(y, y) + e)

    def _tex(self, printer: Any) -> str:
        y, e = self.args
        return f"u_{{{latex_of(printer, e)}}}{_tex_arg(printer, y)}"


class LayerNorm(_WithEpsilon):
    r"""Layer normalization :math:`\operatorname{LN}_e(x) = c(x) / \sqrt{\operatorname{Var}[x] + e}`.

    Normalizes the last axis; the variance is biased (1/n) and ε (``eps`` by default) sits inside
    the square root, as in PyTorch's ``layer_norm``.
    """

    nargs = (1, 2)
    language_name = "LN"
    arg_kinds = (Kind.VECTOR, Kind.SCALAR)
    result_kind = Kind.VECTOR
    formula = r"\operatorname{LN}(x) = c(x) / \sqrt{\operatorname{Var}[x] + \varepsilon}"

    def definition(self) -> Expr:
        x, e = self.args
        return Center(x) / sympy.sqrt(Variance(x) + e)

    def _tex(self, printer: Any) -> str:
        return rf"\operatorname{{LN}}{self._subscript(printer)}{_tex_arg(printer, self.args[0])}"


class RMSNorm(_WithEpsilon):
    r"""RMS normalization :math:`\operatorname{RMS}_e(x) = x / \sqrt{\lVert x\rVert^2 / n + e}`."""

    nargs = (1, 2)
    language_name = "RMS"
    arg_kinds = (Kind.VECTOR, Kind.SCALAR)
    result_kind = Kind.VECTOR
    formula = r"\operatorname{RMS}(x) = x / \sqrt{\lVert x\rVert^2 / n + \varepsilon}"

    def definition(self) -> Expr:
        x, e = self.args
        return x / sympy.sqrt(Dot(x, x) / n + e)

    def _tex(self, printer: Any) -> str:
        return rf"\operatorname{{RMS}}{self._subscript(printer)}{_tex_arg(printer, self.args[0])}"


class AffineLayerNorm(_WithEpsilon):
    r"""Affine layer normalization :math:`g \odot \operatorname{LN}_e(x) + \beta`."""

    nargs = (3, 4)
    language_name = "LNA"
    parameters = ("x", "g", "beta", "e")
    arg_kinds = (Kind.VECTOR, Kind.VECTOR, Kind.VECTOR, Kind.SCALAR)
    result_kind = Kind.VECTOR
    formula = r"\operatorname{LNA}(x, g, \beta) = g \odot \operatorname{LN}(x) + \beta"

    def definition(self) -> Expr:
        x, g, beta, e = self.args
        return Hadamard(g, LayerNorm(x, e)) + beta

    def _tex(self, printer: Any) -> str:
        x, g, beta, _ = self.args
        sub = rf"{latex_of(printer, g)}, {latex_of(printer, beta)}"
        if self.args[-1] != eps:
            sub += rf"; {latex_of(printer, self.args[-1])}"
        return rf"\operatorname{{LNA}}_{{{sub}}}{_tex_arg(printer, x)}"


class Sandwich(Definition):
    r"""Geometric-algebra sandwich :math:`a\,v\,a = 2\langle a, v\rangle a - \langle a, a\rangle v`."""

    nargs = 2
    language_name = "sandwich"
    parameters = ("a", "v")
    arg_kinds = (Kind.VECTOR, Kind.VECTOR)
    result_kind = Kind.VECTOR
    formula = r"a\,v\,a = 2\langle a, v\rangle a - \langle a, a\rangle v"

    def definition(self) -> Expr:
        a, v = self.args
        return 2 * Dot(a, v) * a - Dot(a, a) * v

    def _tex(self, printer: Any) -> str:
        a, v = self.args
        return rf"\left({_tex_atom(printer, a)}\, {_tex_atom(printer, v)}\, {_tex_atom(printer, a)}\right)"


#: Every definition, by the name users type (the table of the expression language).
DEFINITIONS: dict[str, type[Definition]] = {
    cls.language_name: cls
    for cls in (
        Mean,
        Expectation,
        Variance,
        Center,
        Norm,
        Dot,
        Cos,
        UnitScale,
        LayerNorm,
        RMSNorm,
        Hadamard,
        AffineLayerNorm,
        Sandwich,
    )
}


def kind_of(expr: Expr) -> Kind:
    """Whether ``expr`` (built by the parser, so well typed) is a vector or a scalar."""
    if isinstance(expr, VectorSymbol):
        return Kind.VECTOR
    if isinstance(expr, Definition):
        return expr.result_kind
    if isinstance(expr, sympy.Add | sympy.Mul):
        return Kind.VECTOR if any(kind_of(a) is Kind.VECTOR for a in expr.args) else Kind.SCALAR
    return Kind.SCALAR
