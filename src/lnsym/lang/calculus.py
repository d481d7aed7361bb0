r"""Calculus of the language: ``jvp``, ``grad`` and ``diff`` as definitions.

Derivatives are a transformation of typed expressions, so every consumer of the definitions (the
prover's normal form, the witnesses, LaTeX, the numeric kernels) handles them without knowing
about calculus: :meth:`~lnsym.lang.definitions.Definition.definition` of a derivative is the derivative
written in the language itself.

* ``jvp(F, x, v)`` — the directional derivative :math:`\frac{d}{dt} F(x + t v)\big|_{t=0}` of a
  scalar or vector expression ``F`` with respect to the declared vector ``x``, along the vector
  ``v`` (the Jacobian–vector product :math:`J_F(x)\,v`);
* ``grad(f, x)`` — the gradient of a scalar ``f``: the vector :math:`g` with
  :math:`\langle g, v\rangle = \operatorname{jvp}(f, x, v)` for every :math:`v`;
* ``diff(F, alpha)`` — the derivative with respect to a declared scalar (or ``eps``).

The derivative (:func:`derivative`) applies the sum, product and power rules to the primitives
(``dot`` and ``hadamard`` are bilinear; ``c`` and ``mu`` are linear) and expands every other
definition first. The gradient (:func:`gradient`) differentiates along a fresh probe vector
:math:`p` and then *transposes* the result, which is linear in :math:`p`, into the form
:math:`\langle g, p\rangle` with rules such as :math:`\langle a, b \odot p\rangle = \langle a \odot
b, p\rangle` and :math:`\langle a, c(p)\rangle = \langle c(a), p\rangle` — reverse mode, done on
expressions. Both stay inside the language (inner products, means, centering), so the prover's
normal form needs nothing new.

>>> from lnsym.lang.parser import Context, parse
>>> parse("jvp(mu(x)*x, x, v)", Context(("x", "v"))).definition()
v*mu(x) + x*mu(v)
>>> parse("grad(dot(w, x), x)", Context(("x", "w"))).definition()
w
"""

from __future__ import annotations

from typing import Any

import sympy
from sympy import Expr, Symbol

from lnsym.errors import TypeMismatchError, UnsupportedError
from lnsym.lang.definitions import (
    DEFINITIONS,
    Center,
    Definition,
    Dot,
    Expectation,
    Hadamard,
    Kind,
    LayerNorm,
    Mean,
    OnesVector,
    VectorSymbol,
    eps,
    kind_of,
    latex_of,
    n,
    ones,
)

__all__ = [
    "CALCULUS",
    "DirectionalDerivative",
    "Gradient",
    "PartialDerivative",
    "derivative",
    "gradient",
]

#: the probe direction of :func:`gradient`: a name no user can declare, so it cannot collide.
_PROBE = VectorSymbol("∂probe")


# --------------------------------------------------------------------------------------------------
# Differentiation of expressions
# --------------------------------------------------------------------------------------------------


def derivative(expr: Expr, wrt: Symbol, direction: Expr) -> Expr:
    r"""The derivative of ``expr`` at ``wrt`` along ``direction``: :math:`\frac{d}{dt}
    \mathrm{expr}(\mathrm{wrt} + t\,\mathrm{direction})\big|_{t=0}`.

    ``wrt`` is a vector symbol (``direction`` a vector expression) or a scalar symbol
    (``direction`` = 1). The result is an expression of the language; a vector that does not
    depend on ``wrt`` has derivative ``0`` (SymPy's zero stands for the zero vector too).
    """
    return _Differentiator(wrt, direction)(expr)


class _Differentiator:
    def __init__(self, wrt: Symbol, direction: Expr) -> None:
        self.wrt = wrt
        self.direction = direction
        self.memo: dict[Expr, Expr] = {}

    def __call__(self, expr: Expr) -> Expr:
        found = self.memo.get(expr)
        if found is None:
            found = self.memo[expr] = self._derive(expr)
        return found

    def _derive(self, expr: Expr) -> Expr:
        if expr == self.wrt:
            return self.direction
        if self.wrt not in expr.free_symbols:
            return sympy.S.Zero
        if isinstance(expr, Dot | Hadamard):
            a, b = expr.args
            return _add(_bilinear(type(expr), self(a), b), _bilinear(type(expr), a, self(b)))
        if isinstance(expr, Center | Mean | Expectation):  # linear: D f(a) = f(D a)
            inner = self(expr.args[0])
            return sympy.S.Zero if inner == 0 else type(expr)(inner)
        if isinstance(expr, Definition):
            return self(expr.definition())
        if isinstance(expr, sympy.Add):
            return _add(*(self(a) for a in expr.args))
        if isinstance(expr, sympy.Mul):
            terms = []
            for index, factor in enumerate(expr.args):
                d = self(factor)
                if d != 0:
                    others = expr.args[:index] + expr.args[index + 1 :]
                    terms.append(sympy.Mul(d, *others))
            return _add(*terms)
        if isinstance(expr, sympy.Pow):
            base, exponent = expr.args
            if self.wrt in exponent.free_symbols:
                raise UnsupportedError(
                    f"cannot differentiate {expr} with respect to {self.wrt}: the exponent "
                    "depends on it and the language has no logarithm"
                )
            return exponent * base ** (exponent - 1) * self(base)
        if isinstance(expr, sympy.Abs):
            inner = expr.args[0]
            return inner / expr * self(inner)
        raise UnsupportedError(f"cannot differentiate {expr} ({type(expr).__name__})")


def _add(*terms: Expr) -> Expr:
    kept = [t for t in terms if t != 0]
    return sympy.Add(*kept) if kept else sympy.S.Zero


def _bilinear(op: type[Definition], a: Expr, b: Expr) -> Expr:
    """``op(a, b)`` for ``dot``/``hadamard``; zero when a factor is zero; arguments in a canonical
    order (both are symmetric), so equal terms merge."""
    if a == 0 or b == 0:
        return sympy.S.Zero
    (sa, a), (sb, b) = _scalar_part(a), _scalar_part(b)
    if sympy.default_sort_key(b) < sympy.default_sort_key(a):
        a, b = b, a
    return sa * sb * op(a, b)


def _scalar_part(vector: Expr) -> tuple[Expr, Expr]:
    """``s*v`` → ``(s, v)``: the scalar factors of a vector product, and the rest."""
    if not isinstance(vector, sympy.Mul):
        return sympy.S.One, vector
    scalars = [f for f in vector.args if kind_of(f) is Kind.SCALAR]
    if not scalars:
        return sympy.S.One, vector
    rest = [f for f in vector.args if kind_of(f) is Kind.VECTOR]
    return sympy.Mul(*scalars), sympy.Mul(*rest)


# --------------------------------------------------------------------------------------------------
# Gradients: differentiate along a probe, then transpose
# --------------------------------------------------------------------------------------------------


def gradient(expr: Expr, wrt: VectorSymbol) -> Expr:
    r"""The gradient of the scalar ``expr`` with respect to the vector ``wrt``: the vector
    :math:`g` with :math:`\langle g, p\rangle = \operatorname{jvp}(\mathrm{expr}, \mathrm{wrt}, p)`
    for every :math:`p`, written in the language (0 when ``expr`` does not depend on ``wrt``)."""
    if kind_of(expr) is not Kind.SCALAR:
        raise TypeMismatchError(f"grad needs a scalar expression, not the vector {expr}")
    linear = derivative(expr, wrt, _PROBE)
    return _Transposer()(linear)


class _Transposer:
    r"""Writes a scalar linear in the probe :math:`p` as :math:`\langle g, p\rangle`; returns
    :math:`g`."""

    def __call__(self, scalar: Expr) -> Expr:
        if _PROBE not in scalar.free_symbols:
            if scalar != 0:
                raise UnsupportedError(
                    f"{scalar} is not linear in the direction"
                )  # pragma: no cover
            return sympy.S.Zero
        if isinstance(scalar, sympy.Add):
            return _add(*(self(a) for a in scalar.args))
        if isinstance(scalar, sympy.Mul):
            linear, others = self.split(scalar.args)
            return sympy.Mul(*others) * self(linear)
        if isinstance(scalar, Dot):
            a, b = scalar.args
            if _PROBE in a.free_symbols:
                a, b = b, a
            if _PROBE in a.free_symbols:
                raise UnsupportedError(
                    f"{scalar} is not linear in the direction"
                )  # pragma: no cover
            return self.vector(b, a)
        if isinstance(scalar, Mean | Expectation):  # mu(b) = <b, 1/n>
            return self.vector(scalar.args[0], ones / n)
        if isinstance(scalar, Definition):  # pragma: no cover - derivative() emits primitives
            return self(scalar.definition())
        raise UnsupportedError(f"{scalar} is not linear in the direction")  # pragma: no cover

    def vector(self, b: Expr, a: Expr) -> Expr:
        r"""The vector :math:`g` with :math:`\langle a, b\rangle = \langle g, p\rangle`."""
        if b == _PROBE:
            return a
        if _PROBE not in b.free_symbols:  # pragma: no cover - callers only pass linear terms
            return sympy.S.Zero
        if isinstance(b, sympy.Add):
            return _add(*(self.vector(term, a) for term in b.args))
        if isinstance(b, sympy.Mul):
            linear, others = self.split(b.args)
            if kind_of(linear) is Kind.VECTOR:  # <a, s w(p)> = s <a, w(p)>
                return sympy.Mul(*others) * self.vector(linear, a)
            # <a, s(p) t w> = s(p) t <a, w>: a scalar linear in p times a fixed number
            vectors = [f for f in others if kind_of(f) is Kind.VECTOR]
            scalars = [f for f in others if kind_of(f) is Kind.SCALAR]
            return sympy.Mul(*scalars) * _bilinear(Dot, a, sympy.Mul(*vectors)) * self(linear)
        if isinstance(b, Hadamard):  # <a, q ⊙ w(p)> = <a ⊙ q, w(p)>
            q, w = b.args
            if _PROBE in q.free_symbols:
                q, w = w, q
            return self.vector(w, _bilinear(Hadamard, a, q))
        if isinstance(b, Center):  # c is self-adjoint: <a, c(w)> = <c(a), w>
            return self.vector(b.args[0], a if isinstance(a, Center) else Center(a))
        if isinstance(b, Definition):  # pragma: no cover - derivative() emits primitives
            return self.vector(b.definition(), a)
        raise UnsupportedError(f"{b} is not linear in the direction")  # pragma: no cover

    @staticmethod
    def split(factors: tuple[Expr, ...]) -> tuple[Expr, list[Expr]]:
        """The one factor that holds the probe, and the others."""
        holding = [f for f in factors if _PROBE in f.free_symbols]
        if len(holding) != 1:
            raise UnsupportedError(
                "the derivative is not linear in the direction"
            )  # pragma: no cover
        return holding[0], [f for f in factors if f is not holding[0]]


# --------------------------------------------------------------------------------------------------
# The definitions
# --------------------------------------------------------------------------------------------------


def _wrapped(printer: Any, expr: Expr) -> str:
    text = latex_of(printer, expr)
    if isinstance(expr, sympy.Add | sympy.Mul | sympy.Pow):
        return rf"\left({text}\right)"
    return text


def _require_vector_symbol(arg: tuple[Expr, Kind], what: str, text: str) -> None:
    value, _ = arg
    if not isinstance(value, VectorSymbol) or isinstance(value, OnesVector):
        raise TypeMismatchError(
            f"argument 2 of {what} in {text!r} must be a declared vector name such as x, not {value}"
        )


def _arity(name: str, args: list[tuple[Expr, Kind]], wanted: int, text: str) -> None:
    if len(args) != wanted:
        raise TypeMismatchError(f"{name} takes {wanted} argument(s), got {len(args)} in {text!r}")


class DirectionalDerivative(Definition):
    r"""``jvp(F, x, v)``: :math:`\frac{d}{dt} F(x + t v)\big|_{t=0}`, the Jacobian of ``F`` at ``x``
    applied to ``v`` (a scalar for a scalar ``F``, a vector for a vector ``F``)."""

    nargs = 3
    language_name = "jvp"
    short_description = "Directional derivative: the Jacobian of F at x applied to v"
    arg_kinds = (Kind.VECTOR, Kind.VECTOR, Kind.VECTOR)
    formula = r"\frac{\partial F}{\partial x} v = \frac{d}{dt} F(x + t v)\big|_{t=0}"
    generic_latex = r"\frac{\partial F}{\partial x} v"
    signature = "scalar or vector F, declared vector x, vector v → the kind of F"

    @classmethod
    def example(cls) -> Expr:
        """``jvp(LN(x), x, v)``, for the documentation."""
        x = VectorSymbol("x")
        return cls(LayerNorm(x), x, VectorSymbol("v"))

    @property  # the kind of F: a scalar or a vector
    def result_kind(self) -> Kind:  # type: ignore[override]
        return kind_of(self.args[0])

    @classmethod
    def typed(cls, args: list[tuple[Expr, Kind]], text: str) -> tuple[Expr, Kind]:
        """Check the arguments of ``jvp(F, x, v)`` and build it (used by the parser)."""
        _arity("jvp", args, 3, text)
        _require_vector_symbol(args[1], "jvp", text)
        if args[2][1] is not Kind.VECTOR:
            raise TypeMismatchError(
                f"argument 3 of jvp in {text!r} must be a vector (the direction), not a scalar"
            )
        return cls(args[0][0], args[1][0], args[2][0]), args[0][1]

    def definition(self) -> Expr:
        f, x, v = self.args
        return derivative(f, x, v)

    def _tex(self, printer: Any) -> str:
        f, x, v = self.args
        return rf"\frac{{\partial {_wrapped(printer, f)}}}{{\partial {latex_of(printer, x)}}} {_wrapped(printer, v)}"


class Gradient(Definition):
    r"""``grad(f, x)``: the gradient :math:`\nabla_x f` of a scalar ``f``, the vector with
    :math:`\langle \nabla_x f, v\rangle = \operatorname{jvp}(f, x, v)` for every ``v``."""

    nargs = 2
    language_name = "grad"
    short_description = "Gradient of a scalar f with respect to the vector x"
    arg_kinds = (Kind.SCALAR, Kind.VECTOR)
    result_kind = Kind.VECTOR
    formula = r"\langle \nabla_x f, v\rangle = \frac{\partial f}{\partial x} v \text{ for all } v"
    generic_latex = r"\nabla_{x} f"
    signature = "scalar f, declared vector x → vector"

    @classmethod
    def example(cls) -> Expr:
        """``grad(dot(w, LN(x)), x)``, for the documentation."""
        x = VectorSymbol("x")
        return cls(Dot(VectorSymbol("w"), LayerNorm(x)), x)

    @classmethod
    def typed(cls, args: list[tuple[Expr, Kind]], text: str) -> tuple[Expr, Kind]:
        """Check the arguments of ``grad(f, x)`` and build it (used by the parser)."""
        _arity("grad", args, 2, text)
        if args[0][1] is not Kind.SCALAR:
            raise TypeMismatchError(
                f"grad needs a scalar in {text!r}; for a vector F use jvp(F, x, v) or "
                "grad(dot(dy, F), x)"
            )
        _require_vector_symbol(args[1], "grad", text)
        return cls(args[0][0], args[1][0]), Kind.VECTOR

    def definition(self) -> Expr:
        f, x = self.args
        return gradient(f, x)

    def _tex(self, printer: Any) -> str:
        f, x = self.args
        return rf"\nabla_{{{latex_of(printer, x)}}} {_wrapped(printer, f)}"


class PartialDerivative(Definition):
    r"""``diff(F, alpha)``: the derivative of ``F`` with respect to the scalar ``alpha`` (a
    declared scalar or ``eps``)."""

    nargs = 2
    language_name = "diff"
    short_description = "Derivative with respect to a declared scalar or eps"
    arg_kinds = (Kind.SCALAR, Kind.SCALAR)
    formula = (
        r"\frac{\partial F}{\partial \alpha} = \lim_{h \to 0} \frac{F(\alpha + h) - F(\alpha)}{h}"
    )
    generic_latex = r"\frac{\partial F}{\partial \alpha}"
    signature = "scalar or vector F, declared scalar or eps → the kind of F"

    @classmethod
    def example(cls) -> Expr:
        """``diff(LN(x), eps)``, for the documentation."""
        return cls(LayerNorm(VectorSymbol("x")), eps)

    @property  # the kind of F: a scalar or a vector
    def result_kind(self) -> Kind:  # type: ignore[override]
        return kind_of(self.args[0])

    @classmethod
    def typed(cls, args: list[tuple[Expr, Kind]], text: str) -> tuple[Expr, Kind]:
        """Check the arguments of ``diff(F, alpha)`` and build it (used by the parser)."""
        _arity("diff", args, 2, text)
        alpha = args[1][0]
        if not isinstance(alpha, Symbol) or isinstance(alpha, VectorSymbol) or alpha == n:
            raise TypeMismatchError(
                f"argument 2 of diff in {text!r} must be a declared scalar name or eps, not "
                f"{alpha}; for a vector use jvp(F, x, v) or grad(f, x)"
            )
        return cls(args[0][0], alpha), args[0][1]

    def definition(self) -> Expr:
        f, alpha = self.args
        return derivative(f, alpha, sympy.S.One)

    def _tex(self, printer: Any) -> str:
        f, alpha = self.args
        return rf"\frac{{\partial {_wrapped(printer, f)}}}{{\partial {latex_of(printer, alpha)}}}"


#: the calculus operations, by the name users type; registered in
#: :data:`lnsym.lang.definitions.DEFINITIONS`, the language's table, when this module is imported.
CALCULUS: dict[str, type[Definition]] = {
    cls.language_name: cls for cls in (DirectionalDerivative, Gradient, PartialDerivative)
}
DEFINITIONS.update(CALCULUS)
