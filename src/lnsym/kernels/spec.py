r"""What a kernel computes: the expression, its inputs in order, and the kind of its result.

A :class:`Spec` is built from text (parsed by :func:`lnsym.lang.parser.parse_typed`) or from a typed
SymPy expression; every code generator reads the same spec, so all backends agree on the signature
``f(vectors..., scalars..., *, eps=1e-05, out=None, axis=-1)``.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sympy import Expr, Symbol

from lnsym.errors import UnsupportedError
from lnsym.lang.definitions import (
    Definition,
    Dot,
    Hadamard,
    Kind,
    OnesVector,
    VectorSymbol,
    kind_of,
)
from lnsym.lang.names import resolve
from lnsym.lang.parser import parse_names, parse_typed

__all__ = [
    "INTERNAL_NAMES",
    "Spec",
    "formula_name",
    "make_spec",
    "symbols_of",
    "tree_size",
    "unfold",
]

#: the keyword parameters of every kernel; they cannot name a vector or a scalar of a kernel (nor
#: can the names its module binds, which :func:`lnsym.kernels.source.module_source` checks).
INTERNAL_NAMES = frozenset({"out", "axis"})


@dataclass(frozen=True)
class Spec:
    """A kernel's formula and signature: vectors first, then scalars, in declaration order."""

    expr: Expr
    vectors: tuple[str, ...]
    scalars: tuple[str, ...]
    kind: Kind
    name: str = "kernel"

    @property
    def parameters(self) -> tuple[str, ...]:
        return (*self.vectors, *self.scalars)

    def call(self, axis: int = -1) -> str:
        """How the kernel is called: ``name(x, w, b, *, eps=1e-05, out=None, axis=-1)``."""
        return f"{self.name}({', '.join(self.parameters)}, *, eps=1e-05, out=None, axis={axis})"


def _check_name(name: str, what: str) -> None:
    if not name.isidentifier() or keyword.iskeyword(name):
        raise UnsupportedError(f"{name!r} is not a Python identifier; choose another {what} name")
    if name.startswith("_") or name in INTERNAL_NAMES:
        raise UnsupportedError(
            f"{name!r} is used inside generated kernels; rename the {what} (names may not start "
            f"with '_' or be one of {', '.join(sorted(INTERNAL_NAMES))})"
        )


#: the function name of a formula whose outermost operation is a definition of the language.
_DEFINITION_NAMES = {
    "LN": "layer_norm",
    "LNA": "affine_layer_norm",
    "RMS": "rms_norm",
    "u": "unit_scale",
    "c": "center",
    "mu": "mean",
    "E": "expectation",
    "Var": "variance",
}
_OPERATORS = {"+": "plus", "-": "minus", "*": "times", "/": "over", "**": "pow", "^": "pow"}
_TOKEN = re.compile(r"\*\*|[A-Za-z_]\w*|[0-9]+(?:\.[0-9]+)?|[-+*/^]")
#: a derived name longer than this gives way to the outermost operation's word.
MAX_NAME = 40


def formula_name(text: str, parsed: Expr) -> str:
    """The function name ``lnsym export`` gives a formula without ``--name``.

    The outermost operation's name when it is a definition (``LN(x)`` → ``layer_norm``,
    ``RMS(x)`` → ``rms_norm``, ``cos(a, b)`` → ``cos``); otherwise the formula's words and operators
    (``dot(w, LN(x)) + b`` → ``dot_w_ln_x_plus_b``), or, past :data:`MAX_NAME` characters,
    ``kernel``.

    >>> from lnsym.lang.parser import parse
    >>> formula_name("LN(x)", parse("LN(x)"))
    'layer_norm'
    """
    if isinstance(parsed, Definition):
        word = parsed.language_name
        return _DEFINITION_NAMES.get(word, word.lower())
    words = [_OPERATORS.get(t, t.lower().replace(".", "_")) for t in _TOKEN.findall(text)]
    name = "_".join(words)
    if name and name[0].isdigit():
        name = f"f_{name}"
    if not words or len(name) > MAX_NAME or not name.isidentifier() or keyword.iskeyword(name):
        return "kernel"
    if name.startswith("_") or name in INTERNAL_NAMES:
        return "kernel"
    return name


def make_spec(
    expr: str | Expr,
    *,
    vectors: str | Iterable[str] | None = None,
    scalars: str | Iterable[str] | None = None,
    name: str | None = "kernel",
) -> Spec:
    """Parse (or inspect) ``expr`` and fix the kernel's parameters.

    Text is parsed with the kinds of its names found by :func:`lnsym.lang.names.resolve` (``vectors`` and
    ``scalars`` settle ambiguous ones). The parameters are the names the formula uses, vectors
    first: declared ones in their order, then ``x``, then the others as they occur (alphabetically
    for a SymPy expression); declared names that do not occur are dropped.
    """
    if name is not None:
        _check_name(name, "kernel")
    declared_vectors = parse_names(vectors, "vectors")
    declared_scalars = parse_names(scalars, "scalars")
    if isinstance(expr, str):
        context = resolve([expr], vectors=declared_vectors, scalars=declared_scalars)
        parsed, kind = parse_typed(expr, context)
        vector_names, scalar_names = context.vectors, context.scalars
    else:
        parsed, kind = expr, kind_of(expr)
        free = sorted(expr.free_symbols, key=lambda s: s.name)
        found_vectors = [
            s.name for s in free if isinstance(s, VectorSymbol) and not isinstance(s, OnesVector)
        ]
        found_scalars = [
            s.name
            for s in free
            if isinstance(s, Symbol)
            and not isinstance(s, VectorSymbol)
            and s.name not in ("n", "eps")
        ]
        vector_names = (*declared_vectors, *(v for v in found_vectors if v not in declared_vectors))
        scalar_names = (*declared_scalars, *(s for s in found_scalars if s not in declared_scalars))
    used = {s.name for s in symbols_of(unfold(parsed))}  # e.g. grad(f, x) may not need all of f
    vector_names = tuple(v for v in vector_names if v in used)
    scalar_names = tuple(s for s in scalar_names if s in used)
    for v in vector_names:
        _check_name(v, "vector")
    for s in scalar_names:
        _check_name(s, "scalar")
    if not vector_names:
        raise UnsupportedError("a kernel needs at least one vector input (it fixes n)")
    if name is None:
        name = formula_name(expr if isinstance(expr, str) else str(expr), parsed)
        if name in (*vector_names, *scalar_names):
            name = "kernel"
    return Spec(parsed, tuple(vector_names), tuple(scalar_names), kind, name)


def unfold(expr: Expr) -> Expr:
    r"""``expr`` with every definition replaced by its definition, down to ``dot`` and ``hadamard``.

    This is the formula the kernels evaluate, e.g. for :math:`\operatorname{LN}(x)`:
    :math:`(x - \langle x, \mathbf{1}\rangle/n\,\mathbf{1}) / \sqrt{\lVert\cdot\rVert^2/n + \varepsilon}`.
    """
    return _unfold(expr, {})


def _unfold(expr: Expr, memo: dict[Expr, Expr]) -> Expr:
    found = memo.get(expr)
    if found is None:  # memoized: nested definitions repeat their arguments (LN(LN(x)) …)
        if isinstance(expr, Definition) and not isinstance(expr, Dot | Hadamard):
            found = _unfold(expr.definition(), memo)
        elif not expr.args:
            found = expr
        else:
            found = expr.func(*(_unfold(a, memo) for a in expr.args))
        memo[expr] = found
    return found


def symbols_of(expr: Expr) -> set[Symbol]:
    """The free symbols of ``expr``, visiting each shared subexpression once (SymPy's own
    ``free_symbols`` walks the tree, exponential in nested definitions such as LN(LN(x)))."""
    seen: set[Expr] = set()
    found: set[Symbol] = set()
    stack = [expr]
    while stack:
        e = stack.pop()
        if e in seen:
            continue
        seen.add(e)
        if isinstance(e, Symbol):
            found.add(e)
        stack.extend(e.args)
    return found


def tree_size(expr: Expr, limit: int) -> int:
    """The number of nodes of ``expr`` written out as a tree, counted up to ``limit`` (shared
    subexpressions count each time they occur, as they would in printed text)."""
    sizes: dict[Expr, int] = {}

    def size(e: Expr) -> int:
        found = sizes.get(e)
        if found is None:
            found = sizes[e] = min(limit, 1 + sum(size(a) for a in e.args))
        return found

    return size(expr)
