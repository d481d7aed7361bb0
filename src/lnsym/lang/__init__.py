"""The language: definitions (μ, c, Var, u, LN, RMS, …), the parser, the expression walker and the
LaTeX printer. Everything else in lnsym starts from the typed expressions made here.

* :mod:`lnsym.lang.definitions` — the definitions as SymPy functions: the one source of truth;
* :mod:`lnsym.lang.calculus` — ``jvp``, ``grad`` and ``diff``: derivatives written in the language;
* :mod:`lnsym.lang.parser` — text → typed expression (a whitelisting parser, never ``eval``);
* :mod:`lnsym.lang.walker` — the one walk of a typed expression onto a backend;
* :mod:`lnsym.lang.latex` — the one LaTeX printer.
"""

# jvp, grad and diff (lnsym.lang.calculus) are defined over the definitions; importing them here,
# with the package, registers them in DEFINITIONS before any reader of the table (parser, LaTeX).
from lnsym.lang import calculus as _calculus  # noqa: F401
