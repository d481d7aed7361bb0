r"""The expression language's reference, generated from :data:`lnsym.lang.definitions.DEFINITIONS`.

One source of truth for ``lnsym language`` (plain text for the terminal, which
:mod:`lnsym.cli.language` writes) and the table of the docs site (``docs/language.md``, filled in by
the site's build hook): how each function is typed, its argument and result kinds, and its formula
(each definition's ``formula``, in LaTeX for the site and turned into plain text here).

>>> plain_formula(r"\operatorname{LN}(x) = c(x) / \sqrt{\operatorname{Var}[x] + \varepsilon}")
'LN(x) = c(x) / sqrt(Var[x] + eps)'
>>> from lnsym.lang.definitions import DEFINITIONS
>>> calls(DEFINITIONS["LN"])
['LN(x)', 'LN(x, e)']
"""

from __future__ import annotations

import re
from typing import Any

from lnsym.lang.definitions import Definition, Kind, scalar_symbol, vector_symbol

__all__ = ["BUILT_INS", "calls", "instance", "kinds", "plain_formula", "summary"]

#: the built-in names: (name, kind, meaning).
BUILT_INS = (
    (
        "n",
        "scalar",
        "the dimension, a positive integer (symbolic in proofs unless fixed)",
    ),
    ("eps", "scalar", "the regularizer ε > 0 (1e-5 in numeric kernels unless given)"),
    ("ones", "vector", "the all-ones vector 𝟏; shift every entry with x + a*ones"),
    ("sqrt(s)", "scalar → scalar", "the square root of a scalar (of a vector: use norm)"),
    ("abs(s)", "scalar → scalar", "the absolute value of a scalar (of a vector: use norm)"),
)

_TEX = [
    (r"\\left|\\right", ""),
    # the calculus definitions: ∂F/∂x, d/dt, ∇_x, "at t=0", words in \text
    (r"\\alpha", "α"),
    (r"\\frac\{\\partial\s*(\w+)\}\{\\partial\s*(\S+?)\}", r"∂\1/∂\2"),
    (r"\\frac\{d\}\{d(\w)\}", r"d/d\1"),
    (r"\\big\|_\{([^{}]*)\}", r" at \1"),
    (r"\\lim_\{h \\to 0\}\s*\\frac\{([^{}]*)\}\{h\}", r"lim_(h -> 0) (\1)/h"),
    (r"\\nabla_(\w)", r"∇_\1"),
    (r"\\text\{([^{}]*)\}", r"\1"),
    (r"\\langle\s*", "<"),
    (r"\s*\\rangle", ">"),
    (r"\\lVert\s*", "|"),
    (r"\s*\\rVert", "|"),
    (r"\\mathbf\{1\}", "1"),
    (r"\\varepsilon", "eps"),
    (r"\\odot", "⊙"),
    (r"\\mu", "mu"),
    (r"\\beta", "beta"),
    (r"\\cos\\theta_\{(\w+),\s*(\w+)\}", r"cos(\1, \2)"),
    (r"\\sum_i", "sum_i"),
    (r"\\,", " "),
    (r"\\operatorname\{(\w+)\}", r"\1"),
    (r"_\{([^{}]*)\}", r"_\1"),
]


def plain_formula(tex: str) -> str:
    """A definition's LaTeX ``formula`` as plain text for the terminal."""
    for pattern, replacement in _TEX:
        tex = re.sub(pattern, replacement, tex)
    while r"\sqrt{" in tex:
        tex = re.sub(r"\\sqrt\{([^{}]*)\}", r"sqrt(\1)", tex)
    return re.sub(r"  +", " ", tex).strip()


def instance(cls: type[Definition], *, with_eps: bool = False) -> Any:
    """An instance ``cls(a, b, …)`` with the argument names of its formula (``parameters``; by
    default vectors x, y, z and the scalar e)."""
    if hasattr(cls, "example"):  # jvp, grad, diff: their arguments are not plain names
        return cls.example()
    arg_kinds = cls.arg_kinds
    generic = iter(("x", "y", "z"))
    names = cls.parameters or tuple(
        next(generic) if k is Kind.VECTOR else "e" for k in arg_kinds
    )  # the formula's own names when it has them: LNA(x, g, beta) beside g ⊙ LN(x) + beta
    if getattr(cls, "defaults_eps", False) and not with_eps:
        arg_kinds, names = arg_kinds[:-1], names[:-1]
    args = [
        vector_symbol(name) if k is Kind.VECTOR else scalar_symbol(name)
        for k, name in zip(arg_kinds, names, strict=True)
    ]
    return cls(*args)


def calls(cls: type[Definition]) -> list[str]:
    """How users type ``cls``: ``LN(x)`` and ``LN(x, e)`` for a function with a default ε."""
    found = [str(instance(cls))]
    if getattr(cls, "defaults_eps", False):
        full = instance(cls, with_eps=True)
        found.append(f"{cls.language_name}({', '.join(str(a) for a in full.args)})")
    return found


def kinds(cls: type[Definition]) -> str:
    """``"vector, scalar → vector"``: the argument kinds and the result kind."""
    if hasattr(cls, "signature"):  # jvp, diff: the result's kind follows an argument's
        return str(cls.signature)
    return f"{', '.join(k.value for k in cls.arg_kinds)} → {cls.result_kind.value}"


def summary(cls: type[Definition]) -> str:
    """The first words of the docstring, before its formula: ``"Layer normalization"`` (or the
    class's own ``short_description``)."""
    if hasattr(cls, "short_description"):
        return str(cls.short_description)
    head = (cls.__doc__ or cls.__name__).split(":math:")[0]
    return " ".join(head.split()).rstrip(" :.")
