r"""Code generation for Numba: one fused loop nest per row, float64 accumulators by default.

The expression is compiled into per-row *stages*. A stage is one loop over the row that computes
every inner product whose inputs are known (for :math:`w\cdot\operatorname{LN}(x)+b`: stage 1 sums
:math:`x`; stage 2 sums :math:`(x_j-\mu)^2` and :math:`w_j (x_j-\mu)` together), followed by the
scalar arithmetic those sums feed; a last loop writes the output row. Scalar factors are taken
out of inner products (:math:`\langle u, s v\rangle = s\langle u, v\rangle`) so that they do not
cost a loop. A row of n = 512 float32 values stays in L1 cache across the stages, so memory is
read once and written once per row. Arrays are indexed two-dimensionally (``x[_i_x, _j]``): a
row view per row would cost Numba two reference-count calls per array and row.

Numerics (``precision="float64"``, the default): centering first (the definitions say
:math:`\operatorname{Var}[x] = \lVert c(x)\rVert^2/n`, so :math:`\sum_j (x_j-\mu)^2`, never
:math:`E[x^2]-E[x]^2`); every element is widened to float64 before any arithmetic, and the result
is rounded once to the output dtype (≤ 0.5 float32 ulp for LN of float32 rows, offset or not).

``precision="float32"`` (float32 inputs and output only; float64 inputs always run in float64):
the first loop over a row — the one that streams it from memory — still runs in float64; every
later loop computes its elements in float32, which halves their vector work and removes the
float32↔float64 conversions. Each per-row scalar that is *added* to an element is split into a
float32 pair hi + lo (hi = fl32(s), lo = fl32(s − hi)) and added as ``(e + hi) + lo`` by a helper
compiled without fast-math (the kernel's ``reassoc`` would fold hi + lo back into one rounding):
for :math:`x_j - \mu` the first subtraction is exact when :math:`x_j` is near :math:`\mu`
(Sterbenz), so a row offset by 10⁴ or 10⁶ keeps its small spread. Scalars that multiply elements
are rounded to float32; sums of those loops accumulate in float32 lanes. The measured error of LN
stays within 4 float32 ulps (``tests/test_fused_precision.py``); torch's float32 path is ~10⁴ ulps
on rows offset by 10⁴. Float32's range is checked, not assumed: a row whose float32 sums are not
within [2⁻⁶⁴, ∞) or whose float32 output is not finite is recomputed in float64 (so a constant
row, a row of spread 10⁻²⁰ or of values 10³⁰, and a NaN or ∞ all take the float64 path). An
element of a later loop that underflows inside a finite sum is not detected.

The loops are compiled with the fast-math flags ``reassoc`` (lets LLVM vectorize the sums),
``contract`` (fused multiply-add), ``arcp`` and ``nsz`` — not ``nnan``/``ninf``/``afn``: NaN and ∞
propagate, and no approximate functions are used.
"""

from __future__ import annotations

import re

import sympy
from sympy import Symbol

from lnsym.errors import UnsupportedError
from lnsym.kernels.arrays import careful_function, host_prologue, indent, inputs, signature, unpack
from lnsym.kernels.common import Code, ScalarEmitter, paren
from lnsym.kernels.guards import NEAR_CONSTANT, GuardedEvaluator
from lnsym.kernels.spec import Spec
from lnsym.lang.definitions import Kind, VectorSymbol

__all__ = ["FASTMATH", "PRECISION", "fused_functions"]

#: the LLVM fast-math flags of the fused kernels (see the module docstring).
FASTMATH = ("arcp", "contract", "nsz", "reassoc")
#: the keyword of a numba kernel choosing its arithmetic: "float64" (default) or "float32".
PRECISION = "precision"
_SCALAR_REF = re.compile(r"\b_s\d+\b")
_ELEMENT_REF = re.compile(r"\b_e\d+\b")
_LOCAL_REF = re.compile(r"\b_p\d+[hl]?\b")
_READ = re.compile(r"\b([A-Za-z]\w*)\[_i_\1, _j\]")  # an element of an input vector
#: a float32 row sum below this (2⁻⁶⁴) may have lost its terms to underflow: the row is redone
#: in float64 (so is a sum that overflowed, and a row whose float32 output is not finite).
_TINY = 2.0**-64
#: the elements a float32 loop sums in float32 lanes before adding the block to a float64 total.
BLOCK = 64


class FusedGenerator(ScalarEmitter):
    """A :class:`~lnsym.lang.walker.Backend` recording per-row scalars, element temporaries and sums."""

    def __init__(self) -> None:
        super().__init__()
        self.scalars: list[tuple[str, str]] = []  # (name, text), in dependency order
        self.elements: dict[str, str] = {}  # name → text, in dependency order
        self.elements32: dict[str, str] = {}  # name → its float32 text (``_eNf`` names)
        self.sums: list[tuple[str, str]] = []  # (name, element text summed over the row)
        self.scaled: dict[str, tuple[Code, Code]] = {}  # element s·v → (s, v), for inner products
        self.factors: dict[str, str] = {}  # scalar text → its float32 local in float32 loops
        self.offsets: dict[str, str] = {}  # scalar text → the hi/lo locals' stem
        self.flags: list[str] = []  # per-row booleans: the row goes to the careful path

    # -- guards (lnsym.kernels.guards) ------------------------------------------------------------
    def flag_outside(self, value: Code, low: float | None) -> None:
        if value.static:
            return
        if low is None:
            test = f"not (abs({value.text}) < math.inf)"
        else:
            test = f"not ({low!r} <= {value.text} < math.inf)"
        self.flags.append(self.emit_scalar(test, False).text)

    def flag_near_constant(self, squares: Code, mean: Code) -> None:
        if squares.static:
            return
        bound = f"{NEAR_CONSTANT!r} * (n * n * n) * ({mean.text} * {mean.text})"
        self.flags.append(self.emit_scalar(f"not ({squares.text} > {bound})", False).text)

    def careful(self, function: str, arguments: list[Code]) -> Code:  # pragma: no cover
        raise RuntimeError("the fused kernels hand flagged rows to the NumPy careful function")

    # -- emission ---------------------------------------------------------------------------------
    def emit_scalar(self, text: str, static: bool) -> Code:
        name = self.fresh("s")
        self.scalars.append((name, text))
        return Code(name, static=static)

    def sqrt_text(self, value: Code) -> str:
        return f"math.sqrt({value.text})"

    def element(self, text: str, text32: str) -> Code:
        """An element temporary: ``text`` in float64 loops, ``text32`` in float32 loops."""
        name = self.fresh("e")
        self.elements[name] = text
        self.elements32[name] = text32
        return Code(name, vector=True, static=False)

    def factor(self, text: str) -> str:
        """The float32 local that multiplies elements in float32 loops for the scalar ``text``."""
        return self.factors.setdefault(text, f"_p{len(self.factors) + len(self.offsets) + 1}")

    def offset(self, text: str) -> tuple[str, str]:
        """The float32 pair (hi, lo) with hi + lo = ``text`` to within float32² precision."""
        stem = self.offsets.setdefault(text, f"_p{len(self.factors) + len(self.offsets) + 1}")
        return f"{stem}h", f"{stem}l"

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
        return Code(f"{symbol.name}[_i_{symbol.name}, _j]", vector=True, static=False)

    def ones(self) -> Code:
        return Code("1.0", vector=True, ones=True, number=sympy.Integer(1))

    def scalar(self, symbol: Symbol) -> Code:
        if symbol.name in ("n", "eps"):
            return Code(symbol.name)
        return Code(f"_v_{symbol.name}", static=False)

    def add_vectors(self, a: Code, b: Code) -> Code:
        if a.ones and b.ones:
            return _ones(self.add_scalars(_scalar(a), _scalar(b)))
        left, right = self.term(a), self.term(b)
        if a.ones or b.ones:
            scalar, v = (left, b) if a.ones else (right, a)
            hi, lo = self.offset(scalar)
            return self.element(f"{left} + {right}", f"_offset({wide32(v.text)}, {hi}, {lo})")
        return self.element(f"{left} + {right}", f"{wide32(a.text)} + {wide32(b.text)}")

    def term(self, v: Code) -> str:
        return self.multiplier(_scalar(v)) if v.ones else v.text

    def scale(self, s: Code, v: Code) -> Code:
        if v.ones:
            return _ones(self.mul_scalars(s, _scalar(v)))
        if s.number == 1:
            return v
        factor = self.multiplier(s)
        scaled = self.element(f"{factor} * {v.text}", f"{self.factor(factor)} * {wide32(v.text)}")
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
        return self.element(f"{a.text} * {b.text}", f"{wide32(a.text)} * {wide32(b.text)}")


def _widened(read: re.Match[str]) -> str:
    return f"np.float64({read.group(0)})"


def wide32(text: str) -> str:
    """``text`` with its element temporaries renamed to their float32 twins (``_e4`` → ``_e4f``)."""
    return _ELEMENT_REF.sub(lambda m: f"{m.group(0)}f", text)


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
        """The scalars the result and the guards' flags need (through sums and elements); the
        rest is dead code."""
        texts = {**self.g.elements, **dict(self.g.scalars), **dict(self.g.sums)}
        live: set[str] = set()
        roots = " ".join([result.text, *self.g.flags])
        todo = _SCALAR_REF.findall(roots) + _ELEMENT_REF.findall(roots)
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

    def loop(
        self, indent: str, body: list[str], texts: list[str], wide: bool = False, span: str = ""
    ) -> list[str]:
        """A loop over the row (or ``span``: the arguments of its ``range``) computing the elements
        ``texts`` need, then ``body``; ``wide``: in float32, after the float32 locals it uses (or
        without them, for ``span``: :meth:`blocked_sums` defines them once)."""
        needed = self.needed_elements(texts)
        head = f"{indent}for _j in range({span or '_m'}):"
        if not wide:  # every read widened: a product of two float32 inputs is exact in float64
            lines = [f"{e} = {self.g.elements[e]}" for e in needed] + body
            return [head, *(f"{indent}    {_READ.sub(_widened, line)}" for line in lines)]
        elements = [f"{e}f = {self.g.elements32[e]}" for e in needed]
        used = set(_LOCAL_REF.findall(" ".join([*elements, *body])))
        lines = [] if span else [f"{indent}{line}" for line in self.locals32(used)]
        return [*lines, head, *(f"{indent}    {line}" for line in [*elements, *body])]

    def blocked_sums(self, indent: str, sums: list[tuple[str, str]]) -> list[str]:
        """Float32 loops for ``sums``: each block of :data:`BLOCK` elements is summed in float32
        lanes and added to a float64 total, then the remainder of the row."""
        texts = [t for _, t in sums]
        body = [f"{n}f += {wide32(t)}" for n, t in sums]
        inner = indent + "    "
        elements = " ".join(self.g.elements32[e] for e in self.needed_elements(texts))
        used = set(_LOCAL_REF.findall(f"{elements} {' '.join(body)}"))
        lines = [f"{indent}{line}" for line in self.locals32(used)]
        lines += [f"{indent}{n} = 0.0" for n, _ in sums]
        lines.append(f"{indent}for _b in range(0, _m - _m % {BLOCK}, {BLOCK}):")
        lines += [f"{inner}{n}f = np.float32(0.0)" for n, _ in sums]
        lines += self.loop(inner, body, texts, wide=True, span=f"_b, _b + {BLOCK}")
        lines += [f"{inner}{n} += {n}f" for n, _ in sums]
        lines += [f"{indent}{n}f = np.float32(0.0)" for n, _ in sums]
        lines += self.loop(indent, body, texts, wide=True, span=f"_m - _m % {BLOCK}, _m")
        return lines + [f"{indent}{n} += {n}f" for n, _ in sums]

    def locals32(self, used: set[str]) -> list[str]:
        """The definitions of the float32 locals ``used`` (a factor, or an offset's hi/lo pair)."""
        lines = []
        for text, name in self.g.factors.items():
            if name in used:
                lines.append(f"{name} = np.float32({text})")
        for text, stem in self.g.offsets.items():
            if f"{stem}h" in used or f"{stem}l" in used:
                lines.append(f"{stem}h = np.float32({text})")
                lines.append(f"{stem}l = np.float32({text} - np.float64({stem}h))")
        return lines

    def row(self, result: Code, kind: Kind, indent: str, wide: bool = False) -> list[str]:
        """The statements computing one row; ``wide``: the loops after the first in float32 (see
        the module docstring), falling back to float64 for the row when a check fails."""
        live = self.live_scalars(result)
        scalars = [(n, t) for n, t in self.g.scalars if n in live]
        all_sums = [(n, t) for n, t in self.g.sums if n in live]
        last = max((self.stage[name] for name, _ in all_sums), default=0)

        def level(k: int, at: str) -> list[str]:
            return [f"{at}{n} = {t}" for n, t in scalars if self.stage[n] == k]

        def stage(k: int, at: str, wide: bool = False) -> list[str]:
            """The loop of the sums of stage ``k`` (none for a stage without sums)."""
            sums = [(n, t) for n, t in all_sums if self.stage[n] == k]
            if not sums:
                return []
            texts = [t for _, t in sums]
            if not wide:
                lines = [f"{at}{n} = 0.0" for n, _ in sums]
                return lines + self.loop(at, [f"{n} += {t}" for n, t in sums], texts)
            checks = " and ".join(f"{_TINY!r} <= abs({n}) < math.inf" for n, _ in sums)
            return [*self.blocked_sums(at, sums), f"{at}_fast = {checks}"]

        def finish(at: str, wide: bool = False) -> list[str]:
            """The output: the loop writing the row, or the scalar."""
            if kind is not Kind.VECTOR:
                return [f"{at}out[_r] = {result.text}"]
            if not wide:
                return self.loop(at, [f"out[_r, _j] = {result.text}"], [result.text])
            body = [f"_y = {wide32(result.text)}", "out[_r, _j] = _y", "_check += _y"]
            lines = [
                f"{at}_check = np.float32(0.0)",
                *self.loop(at, body, [result.text], wide=True),
            ]
            return [*lines, f"{at}_fast = abs(_check) < math.inf"]

        if not wide or last == 0:  # the first loop over a row runs in float64
            lines = [
                line
                for k in range(1, last + 1)
                for line in [*level(k - 1, indent), *stage(k, indent)]
            ]
            return [*lines, *level(last, indent), *finish(indent), *self.flagged(indent)]
        inner = indent + "    "
        lines = [*level(0, indent), *stage(1, indent), *level(1, indent), f"{indent}_fast = True"]
        for k in range(2, last + 1):
            lines += [f"{indent}if _fast:", *stage(k, inner, wide=True)]
            lines += [f"{indent}if _fast:", *level(k, inner)] if level(k, inner) else []
        lines += [f"{indent}if _fast:", *finish(inner, wide=True)]
        fallback = [
            line for k in range(2, last + 1) for line in [*stage(k, inner), *level(k, inner)]
        ]
        return [
            *lines,
            f"{indent}if not _fast:",
            *fallback,
            *finish(inner),
            *self.flagged(indent),
        ]

    def flagged(self, indent: str) -> list[str]:
        """Record whether the guards flag the row (it is then recomputed by the careful path)."""
        if not self.g.flags:
            return []
        return [f"{indent}_bad[_r] = {' or '.join(self.g.flags)}"]


def fused_functions(
    spec: Spec, axis: int, docstring: str, *, cache: bool, parallel: bool = False
) -> str:
    """The source of the jitted row kernel ``_<name>_rows`` and its NumPy wrapper ``<name>``."""
    if PRECISION in spec.parameters:
        what = "vector" if PRECISION in spec.vectors else "scalar"
        raise UnsupportedError(
            f"{PRECISION!r} is a keyword of numba kernels (precision='float32'); rename the {what}"
        )
    generator = FusedGenerator()
    result = GuardedEvaluator(generator)(spec.expr)
    if result.vector and result.ones:
        result = Code(generator.term(result), vector=True)
    if not result.vector and spec.kind is Kind.VECTOR:  # pragma: no cover - typed by the parser
        raise RuntimeError("a vector formula evaluated to a scalar")
    schedule = _Schedule(generator)
    rows = f"_{spec.name}_rows"
    careful = f"_{spec.name}_careful"
    params = ", ".join(spec.parameters)
    loop = "numba.prange" if parallel else "range"
    # error_model="numpy": a division by zero gives inf or NaN, as in NumPy (not ZeroDivisionError)
    options = f"cache={cache}, nogil=True, fastmath=FASTMATH, error_model='numpy'" + (
        ", parallel=True" if parallel else ""
    )
    kernels = [
        f"@numba.njit(cache={cache}, nogil=True, fastmath=False)",
        "def _offset(e, hi, lo):",
        '    """e + (hi + lo), rounded twice: no fast-math here, which would fold hi + lo."""',
        "    return (e + hi) + lo",
    ]
    for suffix, wide in (("", False), ("32", True)):
        kernels += [
            "",
            "",
            f"@numba.njit({options})",
            f"def {rows}{suffix}({params}, eps, out, _bad):",
            f"    _m = {spec.vectors[0]}.shape[1]",
            "    n = float(_m)",
            *(f"    _step_{p} = 1 if {p}.shape[0] > 1 else 0" for p in spec.parameters),
            f"    for _r in {loop}(out.shape[0]):",
            *(f"        _i_{v} = _r * _step_{v}" for v in spec.vectors),
            *(f"        _v_{s} = {s}[_r * _step_{s}]" for s in spec.scalars),
        ]
        kernels += schedule.row(result, spec.kind, "        ", wide=wide)
    vector = spec.kind is Kind.VECTOR
    shape, where = ("(*_batch, n)", "axis") if vector else ("_batch", "None")
    tail = "_count, n" if vector else "_count"
    head = signature(spec, axis)
    wrapper = [
        f'{head[:-2]}, precision="float64"):',
        indent(docstring),
        *host_prologue(spec, "precision"),
        "    eps = float(eps)",
        '    if precision not in ("float64", "float32"):',
        "        raise ValueError(",
        "            f\"precision={precision!r}: choose 'float64' (the default: float64 arithmetic) \"",
        "            \"or 'float32' (float32 arithmetic after the first pass, for float32 inputs)\"",
        "        )",
        f"    {unpack(spec)}_batch, n, _dtype = prepare({inputs(spec)})",
        "    _count = int(np.prod(_batch, dtype=np.int64))",
        *(f"    {v} = rows({v}, _batch, (n,))" for v in spec.vectors),
        *(f"    {s} = rows({s}, _batch, ())" for s in spec.scalars),
        f"    _result, _target = output(out, {shape}, _dtype, {where})",
        "    _narrow = precision == 'float32' and _dtype == np.float32 == _target.dtype",
        f"    _run = {rows}32 if _narrow else {rows}",
        f"    _rows = _target.reshape({tail})",
        "    _bad = np.zeros(_count, dtype=np.bool_)",
        f"    _run({params}, eps, _rows, _bad)",
        "    if _bad.any():  # the rows the guards flag: recomputed by the careful path",
        "        _k = np.flatnonzero(_bad)",
        *(f"        {p} = {p}[_k] if len({p}) > 1 else {p}" for p in spec.parameters),
        f"        _rows[_k] = {careful}({params}, eps, n)",
        f"    return finish(_result, _target, {where})",
    ]
    careful_source = careful_function(spec, careful)
    return "\n".join(kernels) + "\n\n\n" + careful_source + "\n\n" + "\n".join(wrapper) + "\n"
