r"""Vector expressions → normal form: the one place that knows linear algebra.

Every declared vector splits into its centered part and its mean, :math:`x = \hat x + \mu_x \mathbf{1}`
with :math:`\hat x = c(x) \perp \mathbf{1}`. A vector expression normalizes to a linear combination of
*basis atoms*: :math:`\mathbf{1}`, the centered vectors :math:`\hat x`, and elementwise products of
centered vectors :math:`\hat a \odot \hat b \odot \dots` (a multiset of names). Coefficients are SymPy
scalars in

* ``n`` (a positive integer), ``eps`` (positive), declared scalars;
* :math:`\mu_x` — the mean of each declared vector (real);
* :math:`P_{a,b} = \langle \hat a, \hat b\rangle` — inner products of centered vectors (symmetric;
  :math:`P_{a,a} = \lVert c(a)\rVert^2 \ge 0` is a *nonnegative* atom, which is what lets square roots
  such as :math:`\sqrt{n}\sqrt{P/n + \varepsilon} = \sqrt{P + n\varepsilon}` merge);
* :math:`S_{a,b,c,\dots} = \sum_i \hat a_i \hat b_i \hat c_i \cdots` for three or more factors
  (nonnegative when every name occurs an even number of times).

The inner product of two atoms is the sum over the union of their multisets: :math:`\langle
\mathbf{1}, \mathbf{1}\rangle = n`, :math:`\langle \hat a, \mathbf{1}\rangle = 0`, and so on. Every
:math:`\langle v, v\rangle` computed along the way is recorded as a nonnegativity :class:`Facts` entry
for the radical canonicalizer.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import sympy
from sympy import Expr, Symbol

from lnsym.lang.definitions import Center, Dot, Hadamard, Mean, Norm, VectorSymbol, n
from lnsym.lang.walker import Evaluator

__all__ = [
    "ONES",
    "SCALAR",
    "Atom",
    "Component",
    "ComponentwiseBackend",
    "Facts",
    "MeanAtom",
    "NormalForm",
    "PowerSum",
    "VectorForm",
    "atoms_to_language",
    "normalize",
    "power_sum_names",
]

#: a basis vector: the sorted multiset of centered declared vectors whose Hadamard product it is;
#: ``()`` is the all-ones vector.
Atom = tuple[str, ...]
VectorForm = dict[Atom, Expr]


class Facts:
    """Scalar expressions known to be nonnegative (expanded polynomials in the atoms)."""

    def __init__(self) -> None:
        self.nonnegative: list[Expr] = []
        #: bumped whenever a fact is added, so caches built on fewer facts can be dropped.
        self.version = 0

    def add(self, expr: Expr) -> None:
        expanded = sympy.expand(expr)
        if expanded.is_number or expanded.is_nonnegative:
            return
        if expanded.is_polynomial() and expanded not in self.nonnegative:
            self.nonnegative.append(expanded)
            self.version += 1


#: the key of a scalar's single coefficient in :func:`~lnsym.prover.assumptions.coefficient_differences`.
SCALAR: Atom = ("",)
#: the basis atom of the all-ones vector.
ONES: Atom = ()


class MeanAtom(Symbol):
    r"""The atom :math:`\mu_v`: the mean of the declared vector ``v`` (real)."""

    vector: str

    def __new__(cls, vector: str) -> MeanAtom:
        made = super().__new__(cls, f"mu[{vector}]", real=True)
        made.vector = vector
        return made

    def __getnewargs_ex__(self) -> tuple[tuple[str], dict[str, bool]]:
        return (self.vector,), {}


class PowerSum(Symbol):
    r"""The atom :math:`\sum_i \prod_{a \in \text{names}} \hat a_i` over two or more centered
    declared vectors: ``P[a,b]`` = :math:`\langle c(a), c(b)\rangle`, ``S[a,b,c,…]`` beyond.
    Nonnegative when every name occurs an even number of times (e.g. ``P[x,x]``)."""

    names: tuple[str, ...]

    def __new__(cls, names: tuple[str, ...]) -> PowerSum:
        even = all(count % 2 == 0 for count in Counter(names).values())
        head = "P" if len(names) == 2 else "S"
        label = f"{head}[{','.join(names)}]"
        made = (
            super().__new__(cls, label, nonnegative=True)
            if even
            else super().__new__(cls, label, real=True)
        )
        made.names = names
        return made

    def __getnewargs_ex__(self) -> tuple[tuple[tuple[str, ...]], dict[str, bool]]:
        return (self.names,), {}


class Component(Symbol):
    """Entry ``index`` of the declared vector ``vector``, for componentwise work at an explicit n."""

    vector: str
    index: int

    def __new__(cls, vector: str, index: int) -> Component:
        made = super().__new__(cls, f"{vector}[{index}]", real=True)
        made.vector, made.index = vector, index
        return made

    def __getnewargs_ex__(self) -> tuple[tuple[str, int], dict[str, bool]]:
        return (self.vector, self.index), {}

    def _latex(self, printer: Any) -> str:
        """Counted from 1 in print, as in a paper: ``x[0]`` is :math:`x_{1}`."""
        return f"{printer._print(sympy.Symbol(self.vector))}_{{{self.index + 1}}}"


def mean_symbol(name: str) -> Symbol:
    r"""The atom :math:`\mu_x`."""
    return MeanAtom(name)


def power_sum(atom: Atom) -> Expr:
    r"""The scalar :math:`\sum_i \prod_{a \in \text{atom}} \hat a_i` (``n`` for the empty atom)."""
    if not atom:
        return n
    if len(atom) == 1:
        return sympy.S.Zero  # a centered vector sums to zero
    return PowerSum(atom)


def _merge(a: Atom, b: Atom) -> Atom:
    return tuple(sorted(a + b))


class _SymbolicScalars:
    r"""The scalar half of a symbolic backend: SymPy arithmetic, and the nonnegativity facts that
    every computed :math:`\langle v, v\rangle` contributes."""

    def __init__(self, facts: Facts | None = None) -> None:
        self.facts = facts if facts is not None else Facts()

    def scalar(self, symbol: Symbol) -> Expr:
        return symbol

    def number(self, value: sympy.Number) -> Expr:
        return value

    def add_scalars(self, a: Expr, b: Expr) -> Expr:
        return a + b

    def mul_scalars(self, a: Expr, b: Expr) -> Expr:
        return a * b

    def power(self, base: Expr, exponent: Expr) -> Expr:
        return sympy.Pow(base, exponent)

    def _square(self, total: Expr, same: bool) -> Expr:
        if same:
            self.facts.add(total)
        return total


class NormalFormBackend(_SymbolicScalars):
    """The :class:`~lnsym.lang.walker.Backend` whose vectors are :data:`VectorForm` dictionaries."""

    def vector(self, symbol: VectorSymbol) -> VectorForm:
        return {(symbol.name,): sympy.S.One, ONES: mean_symbol(symbol.name)}

    def ones(self) -> VectorForm:
        return {ONES: sympy.S.One}

    def add_vectors(self, a: VectorForm, b: VectorForm) -> VectorForm:
        out = dict(a)
        for atom, coefficient in b.items():
            out[atom] = out.get(atom, sympy.S.Zero) + coefficient
        return {atom: c for atom, c in out.items() if c != 0}

    def scale(self, s: Expr, v: VectorForm) -> VectorForm:
        return {atom: s * c for atom, c in v.items()}

    def dot(self, a: VectorForm, b: VectorForm) -> Expr:
        total = sympy.Add(
            *(
                ca * cb * power_sum(_merge(atom_a, atom_b))
                for atom_a, ca in a.items()
                for atom_b, cb in b.items()
            )
        )
        return self._square(total, a == b)

    def hadamard(self, a: VectorForm, b: VectorForm) -> VectorForm:
        out: VectorForm = {}
        for atom_a, ca in a.items():
            for atom_b, cb in b.items():
                atom = _merge(atom_a, atom_b)
                out[atom] = out.get(atom, sympy.S.Zero) + ca * cb
        return {atom: c for atom, c in out.items() if c != 0}


class ComponentwiseBackend(_SymbolicScalars):
    """Vectors as lists of ``dim`` real component symbols: the explicit-n fallback for small n."""

    def __init__(self, dim: int, facts: Facts | None = None) -> None:
        super().__init__(facts)
        self.dim = dim

    def vector(self, symbol: VectorSymbol) -> list[Expr]:
        return [Component(symbol.name, i) for i in range(self.dim)]

    def ones(self) -> list[Expr]:
        return [sympy.S.One] * self.dim

    def scalar(self, symbol: Symbol) -> Expr:
        return sympy.Integer(self.dim) if symbol == n else symbol

    def add_vectors(self, a: list[Expr], b: list[Expr]) -> list[Expr]:
        return [p + q for p, q in zip(a, b, strict=True)]

    def scale(self, s: Expr, v: list[Expr]) -> list[Expr]:
        return [s * p for p in v]

    def dot(self, a: list[Expr], b: list[Expr]) -> Expr:
        return self._square(sympy.Add(*(p * q for p, q in zip(a, b, strict=True))), a == b)

    def hadamard(self, a: list[Expr], b: list[Expr]) -> list[Expr]:
        return [p * q for p, q in zip(a, b, strict=True)]


class NormalForm:
    """Normalizes expressions that share one set of atoms and one :class:`Facts` registry."""

    def __init__(self) -> None:
        self.facts = Facts()
        self.evaluator: Evaluator[VectorForm, Expr] = Evaluator(NormalFormBackend(self.facts))

    def __call__(self, expr: Expr) -> VectorForm | Expr:
        return self.evaluator(expr)


def normalize(expr: Expr) -> VectorForm | Expr:
    """The normal form of one expression (a dict for a vector, a SymPy scalar otherwise)."""
    return NormalForm()(expr)


def power_sum_names(symbol: Expr) -> tuple[str, ...]:
    """The vector names of a :class:`PowerSum` atom; ``()`` for any other symbol."""
    return symbol.names if isinstance(symbol, PowerSum) else ()


def _hadamard(factors: list[Expr]) -> Expr:
    product = factors[0]
    for factor in factors[1:]:
        product = Hadamard(product, factor)
    return product


def atoms_to_language(expr: Expr) -> Expr:
    r"""Rewrite the atoms :math:`\mu_x` and :math:`P_{a,b}` as language expressions, for output."""
    replacements: dict[Expr, Expr] = {}
    for symbol in expr.free_symbols:
        if isinstance(symbol, MeanAtom):
            replacements[symbol] = Mean(VectorSymbol(symbol.vector))
        elif isinstance(symbol, PowerSum) and len(symbol.names) == 2:
            a, b = (Center(VectorSymbol(name)) for name in symbol.names)
            replacements[symbol] = Norm(a) ** 2 if a == b else Dot(a, b)
        elif isinstance(symbol, PowerSum):  # sum_i prod_k c(v_k)_i = <c(v_1) ⊙ ..., c(v_m) ⊙ ...>
            factors = [Center(VectorSymbol(name)) for name in symbol.names]
            half = len(factors) // 2
            replacements[symbol] = Dot(_hadamard(factors[:half]), _hadamard(factors[half:]))
    return expr.xreplace(replacements) if replacements else expr
