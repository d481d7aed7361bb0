"""The language: definitions (μ, c, Var, u, LN, RMS, …), the parser, the expression walker and the
LaTeX printer. Everything else in lnsym starts from the typed expressions made here.

* :mod:`lnsym.lang.definitions` — the definitions as SymPy functions: the one source of truth;
* :mod:`lnsym.lang.calculus` — ``jvp``, ``grad`` and ``diff``: derivatives written in the language;
* :mod:`lnsym.lang.syntax` — text → syntax tree: the only reader of Python's :mod:`ast` (never
  ``eval``), the whitelist and the size caps;
* :mod:`lnsym.lang.parser` — syntax tree → typed expression in one walk (:func:`~lnsym.lang.parser.read`:
  the typed expression, its written form and its kind);
* :mod:`lnsym.lang.names` — the one rule that gives every name its kind, over the same syntax tree;
* :mod:`lnsym.lang.walker` — the one walk of a typed expression onto a backend;
* :mod:`lnsym.lang.latex` — the one LaTeX printer (of the written form of what the parser read).
"""

# jvp, grad and diff (lnsym.lang.calculus) are defined over the definitions; importing them here,
# with the package, registers them in DEFINITIONS before any reader of the table (parser, LaTeX).
from lnsym.lang import calculus as _calculus  # noqa: F401
