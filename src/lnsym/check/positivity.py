r"""Positivity certificates: ``num/den >= 0`` (or ``> 0``) checked by exact polynomial identities.

A certificate proves a list of *facts* ``p >= 0`` (or ``> 0``), each by one rule. Variables are the
prover's atoms (``n``, ``eps``, ``mu[x]``, ``P[a,b]`` with sorted names, ``S[...]``, scalars) and
radicals ``r`` standing for :math:`\sqrt{f}` (``f`` in earlier radicals only): :math:`r \ge 0`,
:math:`r^2 = f`; identities hold modulo :math:`r^2 = f`, facts wherever every radical is real.

Rules of a fact (``poly``, ``strict``): ``sum``, ``poly == sum(coeff * prod(facts) * square**2)``,
``coeff >= 0`` (strict if a term is a positive constant times strict facts); ``sqrt``,
``poly == X - Y`` from ``X >= 0`` and ``X**2 - Y**2 >= 0`` (so :math:`X \ge |Y|`; strict with the
second); ``root``, ``r > 0`` from ``radicand > 0``; ``norm``, ``poly == |sum_i coeff_i c(name_i)|^2``.

A fact is cited as ``"#k"`` (derived earlier) or by a basic fact of :data:`BASIC`. The goal:
``den >= 0`` and ``num >= 0`` (``> 0`` if strict) are facts; where ``num/den`` is defined ``den != 0``,
so it has the sign claimed. Polynomials are term lists ``[[coeff, [[var, exp], ...]], ...]``.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import permutations
from typing import Any

from lnsym.check.poly import Poly, poly_from_json, poly_to_json, product

__all__ = ["BASIC", "CertificateError", "check_positivity", "poly_from_json", "poly_to_json"]

#: the basic facts a certificate may cite, with the reason each holds.
BASIC = {
    "eps": "eps > 0: the epsilon of LN is positive",
    "n": "n > 0: the dimension is a positive integer",
    "n-1": "n - 1 >= 0: the dimension is at least 1",
    "P[a,a]": "|c(a)|^2 >= 0; S[a,a,b,b,...] (each name an even number of times): sum of squares",
    "gram:a,b,...": "the Gram determinant of c(a), c(b), ... is >= 0 (Cauchy-Schwarz, Gram)",
    "pos:alpha": "alpha > 0: a scalar the statement assumes positive",
    "root:r": "r >= 0: a square root is nonnegative",
    "assume:k": "the k-th inequality the statement assumes",
}
_MAX_GRAM = 4
_MAX_FACTS = 10_000


class CertificateError(ValueError):
    """The certificate does not prove what it claims (the message says which step fails)."""


def _identifiers(text: str) -> list[str]:
    if not all(name.isidentifier() for name in text.split(",")):
        raise CertificateError(f"{text!r} is not a list of vector names")
    return text.split(",")


def _p(a: str, b: str) -> Poly:
    return Poly.var(f"P[{','.join(sorted((a, b)))}]")


def _gram(names: list[str]) -> Poly:
    """det of the Gram matrix [P[a,b]] (Leibniz)."""
    if not 2 <= len(names) <= _MAX_GRAM or len(set(names)) != len(names):
        raise CertificateError(f"a Gram fact needs 2 to {_MAX_GRAM} distinct names: {names}")
    total, k = Poly(), len(names)
    for perm in permutations(range(k)):
        sign = (-1) ** sum(perm[i] > perm[j] for i in range(k) for j in range(i + 1, k))
        total = total + sign * product(_p(names[i], names[perm[i]]) for i in range(k))
    return total


class _Checker:
    def __init__(self, data: dict[str, Any]) -> None:
        self.radicals: dict[str, Poly] = {}  # in order: a radicand uses earlier radicals only
        for name, radicand in data.get("radicals", []):
            p = poly_from_json(radicand)
            if not (isinstance(name, str) and name[:5] == "sqrt#" and name[5:].isdigit()):
                raise CertificateError(f"a radical's name must be sqrt#k, not {name!r:.40}")
            if name in set().union(
                self.radicals, p.variables(), *(q.variables() for q in self.radicals.values())
            ):
                raise CertificateError(f"radical {name!r} is repeated or used before it is defined")
            self.radicals[name] = p
        self.positive = set(data.get("positive", []))
        assumed = data["assumptions"]
        self.assumed = [(poly_from_json(a["poly"]), a["strict"] is True) for a in assumed]
        self.facts: list[tuple[Poly, bool]] = []

    def reduce(self, p: Poly) -> Poly:
        """``p`` modulo r**2 = radicand, the latest radical first (radicands use earlier ones)."""
        for name, radicand in reversed(self.radicals.items()):
            parts = p.coefficients_in(name).items() if p.degree(name) >= 2 else ()
            r = Poly.var(name)
            for k, c in parts:
                p = p + c * (r ** (k % 2) * radicand ** (k // 2) - r**k)
        return p

    def basic(self, ref: str) -> tuple[Poly, bool]:
        if ref in ("eps", "n", "n-1"):
            return (Poly.var("n") - 1, False) if ref == "n-1" else (Poly.var(ref), True)
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
        elif rule == "norm":  # |sum_i coeff_i c(name_i)|^2 >= 0
            names, strict = _identifiers(",".join(fact["names"])), False
            lam = dict(zip(names, (poly_from_json(c) for c in fact["coeffs"]), strict=True))
            total = sum((lam[a] * lam[b] * _p(a, b) for a in lam for b in lam), Poly())
            if len(lam) != len(names) or self.reduce(poly - total):
                raise CertificateError("a squared norm does not match its combination")
        elif rule == "root":
            name, (radicand, strict) = str(fact.get("radical")), self.basic(fact["radicand"])
            ok = name in self.radicals and strict and poly == Poly.var(name)
            if not ok or self.reduce(radicand - self.radicals[name]):
                raise CertificateError("a positive root is its radical, with a positive radicand")
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
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        if isinstance(error, CertificateError):
            raise
        raise CertificateError(f"malformed certificate: {error!r}") from None
    return num, den, strict
