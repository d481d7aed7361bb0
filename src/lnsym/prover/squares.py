r"""Sums of squares and real roots: exact reasons why a polynomial is nonnegative or never zero.

* :func:`sum_of_squares` writes a polynomial of degree at most 2 in real atoms as
  :math:`\sum_i d_i\,\ell_i^2` with rationals :math:`d_i \ge 0` and linear (affine) :math:`\ell_i`, by
  an exact :math:`LDL^\top` decomposition of its Gram matrix over the monomials ``(atoms…, 1)``. It
  exists exactly when the quadratic form is positive semidefinite. Then the polynomial is zero
  exactly when every :math:`\ell_i` with :math:`d_i > 0` is: ``(mu(x)-1)**2 + (mu(y)-2)**2 = 0``,
  expanded or not, splits into ``mu(x) = 1`` and ``mu(y) = 2``.
* :func:`never_zero` is True when a polynomial cannot vanish at any real point of its atoms'
  domain: a sum of squares with a positive constant square (``alpha**2 + 2*alpha + 4 =
  (alpha + 1)**2 + 3``), or a polynomial in one atom with no real root in the atom's domain
  (exact real-root counting, Sturm sequences).

Both are exact (rational arithmetic, no floating point) and re-checkable: the squares expand back
to the polynomial.
"""

from __future__ import annotations

import sympy
from sympy import Expr, Symbol

__all__ = ["never_zero", "sum_of_squares"]

#: at most this many atoms in a Gram matrix (bounded work).
_MAX_ATOMS = 8


def _real_atoms(expr: Expr) -> list[Symbol] | None:
    symbols = sorted(expr.free_symbols, key=str)
    if len(symbols) > _MAX_ATOMS or not all(s.is_real for s in symbols):
        return None
    return symbols


def sum_of_squares(expr: Expr) -> list[Expr] | None:
    r"""``expr`` as a list of terms :math:`d_i \ell_i^2` (each visibly :math:`\ge 0`, at least one
    term) summing to it exactly; None when ``expr`` is not a positive semidefinite quadratic in real
    atoms (or a single square already)."""
    expanded = sympy.expand(expr)
    if expanded.is_number:
        return None
    atoms = _real_atoms(expanded)
    if atoms is None:
        return None
    try:
        poly = sympy.Poly(expanded, *atoms)
    except sympy.PolynomialError:
        return None
    if poly.total_degree() != 2 or not all(c.is_Rational for c in poly.coeffs()):
        return None
    size = len(atoms) + 1  # monomials: the atoms, then 1
    gram = [[sympy.S.Zero] * size for _ in range(size)]
    for monomial, coefficient in poly.terms():
        where = [i for i, k in enumerate(monomial) for _ in range(k)]
        if len(where) == 2:
            i, j = where
        elif len(where) == 1:
            i, j = where[0], size - 1
        else:
            i = j = size - 1
        if i == j:
            gram[i][i] += coefficient
        else:
            gram[i][j] += coefficient / 2
            gram[j][i] += coefficient / 2
    basis = [*atoms, sympy.S.One]
    terms: list[Expr] = []
    matrix = [row[:] for row in gram]
    for k in range(size):
        pivot = matrix[k][k]
        if pivot < 0:
            return None
        if pivot == 0:
            if any(matrix[k][j] != 0 for j in range(k, size)):
                return None  # a zero pivot with a non-zero row: not semidefinite
            continue
        linear = sympy.Add(*(matrix[k][j] / pivot * basis[j] for j in range(k, size)))
        terms.append(pivot * linear**2)
        for i in range(k + 1, size):
            for j in range(k + 1, size):
                matrix[i][j] -= matrix[i][k] * matrix[k][j] / pivot
    if sympy.expand(sympy.Add(*terms) - expanded) != 0:  # the decomposition is exact, or nothing
        return None
    return terms


def never_zero(expr: Expr) -> bool:
    """True when ``expr`` (a polynomial) is non-zero at every real point of its atoms' domain."""
    expanded = sympy.expand(expr)
    if expanded.is_number:
        return bool(expanded != 0)
    for sign in (1, -1):
        terms = sum_of_squares(sign * expanded)
        if terms is not None and any(t.is_number and t > 0 for t in terms):
            return True
    symbols = list(expanded.free_symbols)
    if len(symbols) != 1 or not symbols[0].is_real:
        return False
    (atom,) = symbols
    try:
        poly = sympy.Poly(expanded, atom)
    except sympy.PolynomialError:
        return False
    if not all(c.is_Rational for c in poly.coeffs()) or poly.degree() > 32:
        return False
    if atom.is_positive:
        at_zero = poly.eval(0)
        return bool(poly.count_roots(0, None) - (1 if at_zero == 0 else 0) == 0)
    if atom.is_nonnegative:
        return bool(poly.count_roots(0, None) == 0)
    return bool(poly.count_roots() == 0)
