r"""Positivity certificates: ``num/den >= 0`` (or ``> 0``) checked by exact polynomial identities.

A certificate proves a list of *facts* ``p >= 0`` (or ``p > 0``), each by one rule, and ends with the
goal. Variables are the prover's atoms: ``n``, ``eps``, ``mu[x]``, ``P[a,b]`` (sorted names),
``S[a,b,c,...]``, declared scalars, and radicals ``r0, r1, ...`` each standing for
:math:`\sqrt{f}` of its radicand ``f`` (in earlier radicals only): :math:`r \ge 0`, :math:`r^2 = f`.
Identities are checked modulo :math:`r^2 = f`. A fact holds wherever every radical is real.

Rules of a fact (``poly``, ``strict``):

* ``sum``: ``poly == sum(coeff * prod(facts) * square**2)`` with every ``coeff >= 0``; strict when one
  term has ``coeff > 0``, only strict facts and a non-zero constant ``square``;
* ``sqrt``: ``poly == X - Y`` from facts ``X >= 0`` and ``X**2 - Y**2 >= 0`` (then
  :math:`X \ge |Y| \ge Y`; :math:`X > |Y|` when the second is strict); strict when the second is;
* ``root``: ``poly == r`` strictly positive, from a fact ``radicand > 0``.

A fact is referred to by ``"#k"`` (an earlier derived fact) or by a basic fact of :data:`BASIC`.
The goal: ``den >= 0`` and ``num >= 0`` (strict if asked) are facts; where the expression is defined
``den != 0``, so ``num/den`` has the sign claimed. Polynomials are JSON term lists
``[[coeff, [[var, exp], ...]], ...]`` with coefficients as text (``"3/2"``).
"""

from __future__ import annotations

from fractions import Fraction
from itertools import permutations
from typing import Any

from lnsym.check.poly import Poly, product

__all__ = ["BASIC", "CertificateError", "check_positivity", "poly_from_json", "poly_to_json"]

#: the basic facts a certificate may cite, with the reason each holds.
BASIC = {
    "eps": "eps > 0: the epsilon of LN is positive",
    "n": "n > 0: the dimension is a positive integer",
    "n-1": "n - 1 >= 0: the dimension is at least 1",
    "P[a,a]": "P[a,a] = |c(a)|^2 >= 0; S[...] with every name an even number of times: a sum of squares",
    "gram:a,b,...": "the Gram determinant of c(a), c(b), ... is >= 0 (Cauchy-Schwarz, Gram)",
    "pos:alpha": "alpha > 0: a scalar the statement assumes positive",
    "root:r": "r >= 0: a square root is nonnegative",
    "assume:k": "the k-th inequality the statement assumes",
}
_MAX_GRAM = 4
_MAX_FACTS = 10_000


class CertificateError(ValueError):
    """The certificate does not prove what it claims (the message says which step fails)."""


def poly_from_json(data: Any) -> Poly:
    """A polynomial from its term list ``[[coeff, [[var, exp], ...]], ...]``."""
    if not isinstance(data, list):
        raise CertificateError(f"a polynomial must be a list of terms, not {type(data).__name__}")
    total = Poly()
    for term in data:
        if not (isinstance(term, list) and len(term) == 2 and isinstance(term[1], list)):
            raise CertificateError(f"a term must be [coeff, [[var, exp], ...]], not {term!r}")
        try:
            coeff = Fraction(term[0])
        except (TypeError, ValueError, ZeroDivisionError):
            raise CertificateError(f"bad coefficient {term[0]!r}") from None
        factors = [Poly.const(coeff)]
        for pair in term[1]:
            ok = isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)
            if not (ok and type(pair[1]) is int and 0 <= pair[1] <= 64):
                raise CertificateError(f"bad power {pair!r}")
            factors.append(Poly.var(pair[0]) ** pair[1])
        total = total + product(factors)
    return total


def poly_to_json(p: Poly) -> list[Any]:
    """The term list of ``p`` (inverse of :func:`poly_from_json`)."""
    return [[str(c), [[v, e] for v, e in m]] for m, c in sorted(p.terms.items())]


def _identifiers(text: str) -> list[str]:
    names = text.split(",")
    if not all(name.isidentifier() for name in names):
        raise CertificateError(f"{text!r} is not a list of vector names")
    return names


def _gram(names: list[str]) -> Poly:
    """det of the Gram matrix [P[a,b]] (Leibniz)."""
    if not 2 <= len(names) <= _MAX_GRAM or len(set(names)) != len(names):
        raise CertificateError(f"a Gram fact needs 2 to {_MAX_GRAM} distinct names: {names}")
    entry = [[Poly.var(f"P[{','.join(sorted((a, b)))}]") for b in names] for a in names]
    total = Poly()
    for perm in permutations(range(len(names))):
        inversions = sum(
            perm[i] > perm[j] for i in range(len(perm)) for j in range(i + 1, len(perm))
        )
        total = total + (-1) ** inversions * product(entry[i][perm[i]] for i in range(len(perm)))
    return total


class _Checker:
    def __init__(self, data: dict[str, Any]) -> None:
        self.radicals: dict[str, Poly] = {}  # in order: a radicand uses earlier radicals only
        for name, radicand in data.get("radicals", []):
            p = poly_from_json(radicand)
            if name in set().union(
                self.radicals, p.variables(), *(q.variables() for q in self.radicals.values())
            ):
                raise CertificateError(f"radical {name!r} is repeated or used before it is defined")
            self.radicals[name] = p
        self.positive = set(data.get("positive", []))
        self.assumed = [
            (poly_from_json(a["poly"]), a["strict"] is True) for a in data["assumptions"]
        ]
        self.facts: list[tuple[Poly, bool]] = []

    def reduce(self, p: Poly) -> Poly:
        """``p`` modulo r**2 = radicand, the latest radical first (radicands use earlier ones)."""
        for name, radicand in reversed(self.radicals.items()):
            parts = p.coefficients_in(name).items() if p.degree(name) >= 2 else ()
            for k, c in parts:
                p = (
                    p
                    - c * Poly.var(name) ** k
                    + c * Poly.var(name) ** (k % 2) * radicand ** (k // 2)
                )
        return p

    def basic(self, ref: str) -> tuple[Poly, bool]:
        if ref in ("eps", "n"):
            return Poly.var(ref), True
        if ref == "n-1":
            return Poly.var("n") - 1, False
        head, _, rest = ref.partition(":")
        if ref[:2] in ("P[", "S[") and ref.endswith("]"):
            names = _identifiers(ref[2:-1])
            even = all(names.count(a) % 2 == 0 for a in names)
            if not even or names != sorted(names) or (ref[0] == "P") != (len(names) == 2):
                raise CertificateError(f"{ref} is not a sum of squares")
            return Poly.var(ref), False
        if head == "gram":
            return _gram(_identifiers(rest)), False
        if head == "pos" and rest in self.positive:
            return Poly.var(rest), True
        if head == "root" and rest in self.radicals:
            return Poly.var(rest), False
        if head == "assume" and rest.isdigit() and int(rest) < len(self.assumed):
            return self.assumed[int(rest)]
        if ref.startswith("#") and ref[1:].isdigit() and int(ref[1:]) < len(self.facts):
            return self.facts[int(ref[1:])]
        raise CertificateError(f"unknown fact {ref!r}")

    def derive(self, fact: dict[str, Any]) -> tuple[Poly, bool]:
        poly, rule = self.reduce(poly_from_json(fact["poly"])), fact.get("rule")
        if rule == "sum":
            total, strict = Poly(), False
            for term in fact["terms"]:
                coeff, square = Fraction(term["coeff"]), poly_from_json(term["square"])
                cited = [self.basic(ref) for ref in term["facts"]]
                if coeff < 0:
                    raise CertificateError(f"negative coefficient {coeff}")
                total = total + coeff * product(p for p, _ in cited) * square**2
                strong = all(s for _, s in cited) and square.is_constant() and bool(square)
                strict = strict or (coeff > 0 and strong)
            if self.reduce(poly - total):
                raise CertificateError("a sum-of-squares identity does not hold")
        elif rule == "sqrt":  # X >= 0 and X**2 - Y**2 >= 0 give X >= |Y| >= Y
            (x, _), (d, strict) = self.basic(fact["x"]), self.basic(fact["squares"])
            y = poly_from_json(fact["y"])
            if self.reduce(d - (x * x - y * y)) or self.reduce(poly - (x - y)):
                raise CertificateError("a square-root comparison does not match its facts")
        elif rule == "root":
            found = self.radicals.get(str(fact.get("radical")))
            radicand, strict = self.basic(fact["radicand"])
            if found is None or not strict or self.reduce(radicand - found):
                raise CertificateError("a positive root needs a strictly positive radicand")
            if poly != Poly.var(fact["radical"]):
                raise CertificateError("a positive root fact must be the radical itself")
        else:
            raise CertificateError(f"unknown rule {rule!r}")
        claimed = fact.get("strict") is True
        if claimed and not strict:
            raise CertificateError("a fact is claimed strict but its proof is not")
        return poly, claimed


def check_positivity(data: dict[str, Any]) -> tuple[Poly, Poly, bool]:
    """Verify ``data``; return ``(num, den, strict)``: ``num/den >= 0`` (``> 0`` when strict)
    wherever it is defined. Raises :class:`CertificateError` naming the failing step."""
    try:
        checker = _Checker(data)
        facts = data["facts"]
        if not isinstance(facts, list) or len(facts) > _MAX_FACTS:
            raise CertificateError("facts must be a list")
        for index, fact in enumerate(facts):
            try:
                checker.facts.append(checker.derive(fact))
            except CertificateError as error:
                raise CertificateError(f"fact #{index}: {error}") from None
        goal = data["goal"]
        num, den = (checker.reduce(poly_from_json(goal[k])) for k in ("num", "den"))
        strict = goal["strict"] is True
        held = checker.basic(goal["num_fact"])
        if checker.reduce(held[0] - num) or (strict and not held[1]):
            raise CertificateError("the goal's numerator is not the fact cited for it")
        if den != 1 and checker.reduce(checker.basic(goal["den_fact"])[0] - den):
            raise CertificateError("the goal's denominator is not the fact cited for it")
    except CertificateError:
        raise
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise CertificateError(f"malformed certificate: {error!r}") from None
    return num, den, strict
