r"""Code generation for Numba: one fused loop nest per row, float64 accumulators.

The expression is compiled into per-row *stages*. A stage is one loop over the row that computes
every inner product whose inputs are known (for :math:`w\cdot\operatorname{LN}(x)+b`: stage 1 sums
:math:`x`; stage 2 sums :math:`(x_j-\mu)^2` and :math:`w_j (x_j-\mu)` together), followed by the
scalar arithmetic those sums feed; a last loop writes the output row. Scalar factors are taken
out of inner products (:math:`\langle u, s v\rangle = s\langle u, v\rangle`) so that they do not
cost a loop. A row of n = 512 float32
values stays in L1 cache across the stages, so memory is read once and written once per row.

Numerics: centering first (the definitions say :math:`\operatorname{Var}[x] = \lVert c(x)\rVert^2/n`,
so :math:`\sum_j (x_j-\mu)^2`, never :math:`E[x^2]-E[x]^2`); every element is widened to float64
before any arithmetic, and the result is rounded once to the output dtype. The loops are compiled
with the fast-math flags ``reassoc`` (lets LLVM vectorize the float64 sums), ``contract`` (fused
multiply-add), ``arcp`` and ``nsz`` — not ``nnan``/``ninf``/``afn``: NaN and ∞ propagate, and no
approximate functions are used.
"""

from __future__ import annotations

import re

import sympy
from sympy import Symbol

from lnsym.kernels.arrays import indent, inputs, signature, unpack
from lnsym.kernels.common import Code, ScalarEmitter, paren
from lnsym.kernels.spec import Spec
from lnsym.lang.definitions import Kind, VectorSymbol
from lnsym.lang.walker import Evaluator

__all__ = ["FASTMATH", "fused_functions"]

#: the LLVM fast-math flags of the fused kernels (see the module docstring).
FASTMATH = ("arcp", "contract", "nsz", "reassoc")
_SCALAR_REF = re.compile(r"\b_s\d+\b")
_ELEMENT_REF = re.compile(r"\b_e\d+\b")


class FusedGenerator(ScalarEmitter):
    """A :class:`~lnsym.lang.walker.Backend` recording per-row scalars, element temporaries and sums."""

    def __init__(self) -> None:
        super().__init__()
        self.scalars: list[tuple[str, str]] = []  # (name, text), in dependency order
        self.elements: dict[str, str] = {}  # name → text, in dependency order
        self.sums: list[tuple[str, str]] = []  # (name, element text summed over the row)
        self.scaled: dict[str, tuple[Code, Code]] = {}  # element s·v → (s, v), for inner products

    # -- emission ---------------------------------------------------------------------------------
    def emit_scalar(self, text: str, static: bool) -> Code:
        name = self.fresh("s")
        self.scalars.append((name, text))
        return Code(name, static=static)

    def sqrt_text(self, value: Code) -> str:
        return f"math.sqrt({value.text})"

    def element(self, text: str) -> Code:
        name = self.fresh("e")
        self.elements[name] = text
        return Code(name, vector=True, static=False)

    def row_sum(self, text: str) -> Code:
        name = self.fresh("s")
        self.sums.append((name, text))
        return Code(name, static=False)

    def multiplier(self, s: Code) -> str:
        """A scalar factor for use inside a loop: reciprocals become a precomputed local."""
        if s.recip is None:
            return paren(s.text)
        return self.emit_scalar(f"1.0 / {s.recip}", s.static).text

    # -- Backend ----------------------------------------------------------------------------------
    def vector(self, symbol: VectorSymbol) -> Code:
        return Code(f"_v_{symbol.name}[_j]", vector=True, static=False)

    def ones(self) -> Code:
        return Code("1.0", vector=True, ones=True, number=sympy.Integer(1))

    def scalar(self, symbol: Symbol) -> Code:
        if symbol.name in ("n", "eps"):
            return Code(symbol.name)
        return Code(f"_v_{symbol.name}", static=False)

    def add_vectors(self, a: Code, b: Code) -> Code:
        if a.ones and b.ones:
            return _ones(self.add_scalars(_scalar(a), _scalar(b)))
        return self.element(f"{self.term(a)} + {self.term(b)}")

    def term(self, v: Code) -> str:
        return self.multiplier(_scalar(v)) if v.ones else v.text

    def scale(self, s: Code, v: Code) -> Code:
        if v.ones:
            return _ones(self.mul_scalars(s, _scalar(v)))
        if s.number == 1:
            return v
        scaled = self.element(f"{self.multiplier(s)} * {v.text}")
        self.scaled[scaled.text] = (s, v)
        return scaled

    def dot(self, a: Code, b: Code) -> Code:
        if a.ones and b.ones:
            return self.mul_scalars(self.mul_scalars(_scalar(a), _scalar(b)), Code("n"))
        if b.ones:
            a, b = b, a
        if a.ones:
            return self.mul_scalars(_scalar(a), self.row_sum(b.text))
        for first, second in ((a, b), (b, a)):  # ⟨u, s·v⟩ = s⟨u, v⟩: one loop fewer
            if second.text in self.scaled and first.text != second.text:
                s, v = self.scaled[second.text]
                return self.mul_scalars(s, self.dot(first, v))
        return self.row_sum(f"{a.text} * {b.text}")

    def hadamard(self, a: Code, b: Code) -> Code:
        if b.ones:
            a, b = b, a
        if a.ones:
            return self.scale(_scalar(a), b)
        return self.element(f"{a.text} * {b.text}")


def _scalar(v: Code) -> Code:
    return Code(v.text, static=v.static, number=v.number, recip=v.recip)


def _ones(s: Code) -> Code:
    return Code(s.text, vector=True, ones=True, static=s.static, number=s.number, recip=s.recip)


class _Schedule:
    """Assigns every scalar and sum to a stage and writes the per-row loop nest."""

    def __init__(self, generator: FusedGenerator) -> None:
        self.g = generator
        self.stage: dict[str, int] = {}
        order = [*generator.elements, *(n for n, _ in generator.scalars)]
        texts = {**generator.elements, **dict(generator.scalars)}
        # scalars and elements are emitted in dependency order, but sums interleave with them
        sums = dict(generator.sums)
        pending = [*order, *sums]
        while pending:
            progressed = []
            for name in pending:
                text = sums.get(name, texts.get(name, ""))
                deps = _SCALAR_REF.findall(text) + _ELEMENT_REF.findall(text)
                if all(d in self.stage for d in deps):
                    level = max((self.stage[d] for d in deps), default=0)
                    self.stage[name] = level + 1 if name in sums else level
                    progressed.append(name)
            if not progressed:  # pragma: no cover - the evaluator emits a DAG
                raise RuntimeError(f"cyclic kernel code: {pending}")
            pending = [p for p in pending if p not in progressed]

    def live_scalars(self, result: Code) -> set[str]:
        """The scalars the result needs (through sums and elements); the rest is dead code."""
        texts = {**self.g.elements, **dict(self.g.scalars), **dict(self.g.sums)}
        live: set[str] = set()
        todo = _SCALAR_REF.findall(result.text) + _ELEMENT_REF.findall(result.text)
        while todo:
            name = todo.pop()
            if name not in live:
                live.add(name)
                text = texts[name]
                todo += _SCALAR_REF.findall(text) + _ELEMENT_REF.findall(text)
        return live

    def needed_elements(self, texts: list[str]) -> list[str]:
        """The element temporaries ``texts`` use, transitively, in emission order."""
        seen: set[str] = set()
        todo = [e for t in texts for e in _ELEMENT_REF.findall(t)]
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo.extend(_ELEMENT_REF.findall(self.g.elements[name]))
        return [e for e in self.g.elements if e in seen]

    def loop(self, indent: str, body: list[str], texts: list[str]) -> list[str]:
        lines = [f"{indent}for _j in range(_m):"]
        lines += [f"{indent}    {e} = {self.g.elements[e]}" for e in self.needed_elements(texts)]
        return lines + [f"{indent}    {line}" for line in body]

    def row(self, result: Code, kind: Kind, indent: str) -> list[str]:
        lines: list[str] = []
        live = self.live_scalars(result)
        scalars = [(n, t) for n, t in self.g.scalars if n in live]
        all_sums = [(n, t) for n, t in self.g.sums if n in live]
        last = max((self.stage[name] for name, _ in all_sums), default=0)
        for stage in range(1, last + 2):
            lines += [f"{indent}{n} = {t}" for n, t in scalars if self.stage[n] == stage - 1]
            sums = [(n, t) for n, t in all_sums if self.stage[n] == stage]
            if sums:
                lines += [f"{indent}{n} = 0.0" for n, _ in sums]
                lines += self.loop(indent, [f"{n} += {t}" for n, t in sums], [t for _, t in sums])
        if kind is Kind.VECTOR:
            value = result.text
            lines += self.loop(indent, [f"_o[_j] = {value}"], [value])
        else:
            lines.append(f"{indent}out[_r] = {result.text}")
        return lines


def fused_functions(
    spec: Spec, axis: int, docstring: str, *, cache: bool, parallel: bool = False
) -> str:
    """The source of the jitted row kernel ``_<name>_rows`` and its NumPy wrapper ``<name>``."""
    generator = FusedGenerator()
    result = Evaluator(generator)(spec.expr)
    if result.vector and result.ones:
        result = Code(generator.term(result), vector=True)
    if not result.vector and spec.kind is Kind.VECTOR:  # pragma: no cover - typed by the parser
        raise RuntimeError("a vector formula evaluated to a scalar")
    schedule = _Schedule(generator)
    rows = f"_{spec.name}_rows"
    params = ", ".join(spec.parameters)
    loop = "numba.prange" if parallel else "range"
    options = f"cache={cache}, nogil=True, fastmath=FASTMATH" + (
        ", parallel=True" if parallel else ""
    )
    kernel = [
        f"@numba.njit({options})",
        f"def {rows}({params}, eps, out):",
        f"    _m = {spec.vectors[0]}.shape[1]",
        "    n = float(_m)",
        *(f"    _step_{p} = 1 if {p}.shape[0] > 1 else 0" for p in spec.parameters),
        f"    for _r in {loop}(out.shape[0]):",
        *(f"        _v_{v} = {v}[_r * _step_{v}]" for v in spec.parameters),
    ]
    if spec.kind is Kind.VECTOR:
        kernel.append("        _o = out[_r]")
    kernel += schedule.row(result, spec.kind, "        ")
    vector = spec.kind is Kind.VECTOR
    shape, where = ("(*_batch, n)", "axis") if vector else ("_batch", "None")
    tail = "_count, n" if vector else "_count"
    wrapper = [
        signature(spec, axis),
        indent(docstring),
        "    eps = float(eps)",
        f"    {unpack(spec)}_batch, n, _dtype = prepare({inputs(spec)})",
        "    _count = int(np.prod(_batch, dtype=np.int64))",
        *(f"    {v} = rows({v}, _batch, (n,))" for v in spec.vectors),
        *(f"    {s} = rows({s}, _batch, ())" for s in spec.scalars),
        f"    _result, _target = output(out, {shape}, _dtype, {where})",
        f"    {rows}({params}, eps, _target.reshape({tail}))",
        f"    return finish(_result, _target, {where})",
    ]
    return "\n".join(kernel) + "\n\n\n" + "\n".join(wrapper) + "\n"
