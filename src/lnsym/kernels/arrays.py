r"""Code generation for array libraries (NumPy always; PyTorch and JAX when installed).

Vectors are arrays of shape ``(..., n)`` (the normalized axis last); per-row scalars keep a trailing
axis of length 1 (``keepdims``), so every operation broadcasts without reshaping:

* :math:`\langle a, b\rangle` → ``einsum('...i,...i->...', a, b)[..., None]`` (no temporary);
* :math:`\langle a, \mathbf{1}\rangle` → ``a.sum(-1, keepdims=True)`` (never an n×n ones matrix);
* :math:`s\,\mathbf{1}` → ``s`` itself, broadcast.

The arithmetic runs in float64 (or wider, for float128 input) whatever the input precision, and
the result is cast to the input's floating dtype: float32 in, float32 out.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy import Symbol

from lnsym.kernels.common import Code, ScalarEmitter, paren
from lnsym.kernels.guards import NEAR_CONSTANT, GuardedEvaluator
from lnsym.kernels.spec import Spec
from lnsym.lang.definitions import Kind, VectorSymbol

__all__ = ["NUMPY", "Dialect", "array_function", "careful_function", "signature"]

#: the careful functions whose value is a scalar per row (the others return a vector).
_SCALAR_CAREFUL = frozenset({"_careful_mean", "_careful_variance", "_careful_norm", "_careful_cos"})


@dataclass(frozen=True)
class Dialect:
    """How one array library spells the few operations a kernel needs (each backend's entry in
    :data:`lnsym.kernels.backends.REGISTRY` holds its own). ``numpy`` is the native dialect; any
    other reads its inputs and writes its result with the ``_inputs``/``_result`` helpers of its
    runtime module."""

    name: str
    imports: tuple[str, ...]
    sum: str  # "{a}" → per-row sum, keeping the last axis
    dot: str  # "{a}", "{b}" → per-row inner product, keeping the last axis
    sqrt: str
    host: bool = False  # NumPy arrays: the runtime's prepare/output read and write them


#: NumPy's dialect (the numpy backend's, and the numba kernels' careful path).
NUMPY = Dialect(
    "numpy",
    ("import numpy as np",),
    sum="{a}.sum(axis=-1, keepdims=True)",
    dot="np.einsum('...i,...i->...', {a}, {b})[..., None]",
    sqrt="np.sqrt({a})",
    host=True,
)


class ArrayGenerator(ScalarEmitter):
    """A :class:`~lnsym.lang.walker.Backend` whose values are lines of array code."""

    def __init__(self, dialect: Dialect) -> None:
        super().__init__()
        self.dialect = dialect
        self.lines: list[str] = []
        self.flags: list[str] = []  # per-row booleans: the fast result may be wrong there

    # -- guards (lnsym.kernels.guards) ------------------------------------------------------------
    def flag_outside(self, value: Code, low: float | None) -> None:
        if value.static:
            return
        if low is None:
            test = f"~(abs({value.text}) < math.inf)"
        else:
            test = f"~(({value.text} >= {low!r}) & ({value.text} < math.inf))"
        self.flags.append(self.emit(test).text)

    def flag_near_constant(self, squares: Code, mean: Code) -> None:
        if squares.static:
            return
        bound = f"{NEAR_CONSTANT!r} * (n * n * n) * ({mean.text} * {mean.text})"
        self.flags.append(self.emit(f"~({squares.text} > {bound})").text)

    def careful(self, function: str, arguments: list[Code]) -> Code:
        vector = function not in _SCALAR_CAREFUL
        return self.emit(f"{function}({', '.join(a.text for a in arguments)})", vector=vector)

    def emit(self, text: str, *, vector: bool = False, static: bool = False) -> Code:
        name = self.fresh("t")
        self.lines.append(f"{name} = {text}")
        return Code(name, vector=vector, static=static)

    def emit_scalar(self, text: str, static: bool) -> Code:
        return self.emit(text, static=static)

    def sqrt_text(self, value: Code) -> str:
        if value.static:
            return f"math.sqrt({value.text})"
        return self.dialect.sqrt.format(a=value.text)

    # -- Backend ----------------------------------------------------------------------------------
    def vector(self, symbol: VectorSymbol) -> Code:
        return Code(symbol.name, vector=True, static=False)

    def ones(self) -> Code:
        return Code("1.0", vector=True, ones=True, number=sympy.Integer(1))

    def scalar(self, symbol: Symbol) -> Code:
        return Code(symbol.name, static=symbol.name in ("n", "eps"))

    def add_vectors(self, a: Code, b: Code) -> Code:
        if a.ones and b.ones:
            return self.as_ones(self.add_scalars(self.as_scalar(a), self.as_scalar(b)))
        return self.emit(f"{a.text} + {b.text}", vector=True)

    def scale(self, s: Code, v: Code) -> Code:
        if v.ones:
            return self.as_ones(self.mul_scalars(s, self.as_scalar(v)))
        if s.number == 1:
            return v
        if s.recip is not None:
            return self.emit(f"{v.text} / {s.recip}", vector=True)
        return self.emit(f"{paren(s.text)} * {v.text}", vector=True)

    def dot(self, a: Code, b: Code) -> Code:
        if a.ones and b.ones:
            both = self.mul_scalars(self.as_scalar(a), self.as_scalar(b))
            return self.mul_scalars(both, Code("n"))
        if b.ones:
            a, b = b, a
        if a.ones:
            total = self.emit(self.dialect.sum.format(a=b.text))
            return self.mul_scalars(self.as_scalar(a), total)
        return self.emit(self.dialect.dot.format(a=a.text, b=b.text))

    def hadamard(self, a: Code, b: Code) -> Code:
        if b.ones:
            a, b = b, a
        if a.ones:
            return self.scale(self.as_scalar(a), b)
        return self.emit(f"{a.text} * {b.text}", vector=True)

    # -- helpers ----------------------------------------------------------------------------------
    @staticmethod
    def as_scalar(v: Code) -> Code:
        return Code(v.text, static=v.static, number=v.number, recip=v.recip)

    @staticmethod
    def as_ones(s: Code) -> Code:
        return Code(s.text, vector=True, ones=True, static=s.static, number=s.number, recip=s.recip)


def signature(spec: Spec, axis: int) -> str:
    """``def name(x, w, b, *, eps=1e-05, out=None, axis=-1):``"""
    return f"def {spec.call(axis)}:"


def unpack(spec: Spec) -> str:
    """``(x, w), (b,), `` — the targets that receive the prepared vectors and scalars."""
    vectors = ", ".join(spec.vectors) + ","
    scalars = ", ".join(spec.scalars) + ("," if spec.scalars else "")
    return f"({vectors}), ({scalars}), "


def inputs(spec: Spec) -> str:
    """``('x', 'w'), (x, w,), ('b',), (b,), axis`` — the arguments of the input helpers."""
    vectors = ", ".join(spec.vectors) + ","
    scalars = ", ".join(spec.scalars) + ("," if spec.scalars else "")
    return f"{spec.vectors!r}, ({vectors}), {spec.scalars!r}, ({scalars}), axis"


def indent(docstring: str) -> str:
    """A docstring's lines indented for a function body."""
    lines = docstring.strip("\n").splitlines()
    return "\n".join(f"    {line}" if line else "" for line in lines)


def host_prologue(spec: Spec, *keywords: str) -> list[str]:
    """The first lines of a NumPy-computed kernel: PyTorch or JAX inputs are run on host copies
    and come back as their own type (:func:`lnsym.kernels.runtime.call_on_host`)."""
    values = ", ".join(spec.parameters) + ","
    passed = ", ".join(f"{k}={k}" for k in ("eps", "out", "axis", *keywords))
    return [
        f"    if foreign_inputs(({values} out)) is not None:",
        f"        return call_on_host({spec.name}, {spec.parameters!r}, ({values}), dict({passed}))",
    ]


def array_function(spec: Spec, dialect: Dialect, axis: int, docstring: str) -> str:
    """The source of the kernel function in ``dialect`` (uses the runtime helpers)."""
    generator = ArrayGenerator(dialect)
    value = GuardedEvaluator(generator)(spec.expr)
    value = _with_careful_rows(generator, spec, value)
    vector = spec.kind is Kind.VECTOR
    lines = [signature(spec, axis), indent(docstring), "    eps = float(eps)"]
    if dialect.host:
        lines += [
            *host_prologue(spec),
            f"    {unpack(spec)}_batch, n, _dtype = prepare({inputs(spec)})",
            "    _ct = np.result_type(_dtype, np.float64)",
            *(f"    {v} = {v}.astype(_ct, copy=False)" for v in spec.vectors),
            *(f"    {s} = {s}.astype(_ct, copy=False)[..., None]" for s in spec.scalars),
            *(f"    {line}" for line in generator.lines),
        ]
        shape, where = ("(*_batch, n)", "axis") if vector else ("_batch", "None")
        result = value.text if vector or value.static else f"{paren(value.text)}[..., 0]"
        lines += [
            f"    _result, _target = output(out, {shape}, _dtype, {where})",
            f"    np.copyto(_target, {result}, casting='same_kind')",
            f"    return finish(_result, _target, {where})",
        ]
    else:
        everything = ", ".join(spec.parameters)
        lines += [
            f"    {unpack(spec)}n, _dtype, _ct = _inputs({inputs(spec)})",
            *(f"    {line}" for line in generator.lines),
            f"    return _result({value.text}, [{everything}], _dtype, _ct, axis, {vector}, out)",
        ]
    return "\n".join(lines) + "\n"


def _with_careful_rows(generator: ArrayGenerator, spec: Spec, value: Code) -> Code:
    """Append the careful recomputation of the flagged rows (when a row is flagged) to the
    generator's lines; the value is then the merged result (see :mod:`lnsym.kernels.guards`)."""
    if not generator.flags or value.static:
        return value
    fast = generator.lines
    bad = generator.emit(" | ".join(generator.flags)).text
    generator.lines = []
    careful = GuardedEvaluator(generator, careful=True)(spec.expr)
    branch = generator.lines
    generator.lines = fast
    merged = generator.fresh("t")
    fast.append(f"{merged} = {value.text}")
    fast.append(f"if _any({bad}):")
    fast.extend(f"    {line}" for line in branch)
    fast.append(f"    {merged} = _where({bad}, {careful.text}, {merged})")
    return Code(merged, vector=value.vector, static=False)


def careful_function(spec: Spec, name: str) -> str:
    """A NumPy function computing ``spec`` on prepared rows by the careful path alone:
    ``name(vectors..., scalars..., eps, n)`` with vectors of shape ``(rows, n)`` and scalars of
    shape ``(rows,)`` (or 1 row for all); it returns ``(rows, n)`` or ``(rows,)`` in float64.
    The numba kernels call it for the rows their guards flag."""
    generator = ArrayGenerator(NUMPY)
    value = GuardedEvaluator(generator, careful=True)(spec.expr)
    params = ", ".join(spec.parameters)
    lines = [
        f"def {name}({params}, eps, n):",
        *(f"    {v} = np.asarray({v}, dtype=np.float64)" for v in spec.vectors),
        *(f"    {s} = np.asarray({s}, dtype=np.float64)[..., None]" for s in spec.scalars),
        *(f"    {line}" for line in generator.lines),
    ]
    rows = spec.vectors[0]
    if spec.kind is Kind.VECTOR:
        lines.append(f"    return np.broadcast_to({value.text}, (len({rows}), n))")
    else:
        lines.append(f"    return np.broadcast_to({value.text}, (len({rows}), 1))[:, 0]")
    return "\n".join(lines) + "\n"
