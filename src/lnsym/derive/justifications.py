r"""The named justifications a derivation step may cite in ``by``: :data:`RULES`.

A rule is data: its name is the key, its ``text`` is how it prints beside the step in the LaTeX
proof, and a rule with a ``lemma`` (a :class:`~lnsym.prover.statement.Statement`) is itself
proved by the test suite. Besides the
rules, a step may cite ``"definition of NAME"`` for any function of the language;
:func:`justification_error` says why a justification is neither.

>>> RULES["linearity of mu"].text
'linearity of $\\mu$'
>>> justification_error("definition of LN") is None
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lnsym.lang.definitions import DEFINITIONS
from lnsym.lang.latex import definition_latex, math_in_text
from lnsym.prover.statement import Statement

__all__ = ["RULES", "Rule", "justification_error", "justification_latex", "justification_pieces"]


@dataclass(frozen=True)
class Rule:
    r"""A named justification. ``text`` is how it prints in a proof (``$…$`` marks math); a rule
    with a ``lemma`` (a :class:`~lnsym.prover.statement.Statement`) is itself proved by the test
    suite and shown, with its verdict, on the documentation site."""

    text: str
    lemma: Statement | None = None


def _lemma(
    text: str,
    sides: tuple[str, str],
    vectors: tuple[str, ...] = ("x",),
    scalars: tuple[str, ...] = (),
    assume: tuple[str, ...] = (),
    relation: str = "=",
) -> Rule:
    return Rule(text, Statement(*sides, vectors, scalars, assume, relation=relation))


#: The named rules a step may cite in ``by`` (besides ``"definition of NAME"``).
RULES: dict[str, Rule] = {
    "algebra": Rule("algebra"),
    "assumption": Rule("by assumption"),
    "above": Rule("above"),
    "symmetry of dot": _lemma(
        r"symmetry of $\langle\cdot,\cdot\rangle$", ("dot(a, b)", "dot(b, a)"), ("a", "b")
    ),
    "linearity of dot": _lemma(
        r"linearity of $\langle\cdot,\cdot\rangle$",
        ("dot(w, s*a + b)", "s*dot(w, a) + dot(w, b)"),
        ("w", "a", "b"),
        ("s",),
    ),
    "linearity of mu": _lemma(
        r"linearity of $\mu$", ("mu(s*a + b)", "s*mu(a) + mu(b)"), ("a", "b"), ("s",)
    ),
    "linearity of c": _lemma(
        "linearity of $c$", ("c(s*a + b)", "s*c(a) + c(b)"), ("a", "b"), ("s",)
    ),
    "dot of ones": _lemma(r"$\langle \mathbf{1}, \mathbf{1}\rangle = n$", ("dot(ones, ones)", "n")),
    "norm of ones": _lemma(r"$\lVert \mathbf{1}\rVert = \sqrt{n}$", ("norm(ones)", "sqrt(n)")),
    "hadamard with ones": _lemma(
        r"$\langle a \odot b, \mathbf{1}\rangle = \langle a, b\rangle$",
        ("dot(hadamard(a, b), ones)", "dot(a, b)"),
        ("a", "b"),
    ),
    "homogeneity of norm": _lemma(
        r"$\lVert s v\rVert = s \lVert v\rVert$ for $s > 0$",
        ("norm(s*v)", "s*norm(v)"),
        ("v",),
        ("s",),
        ("s > 0",),
    ),
    "c is orthogonal to ones": _lemma(
        r"$\langle c(v), \mathbf{1}\rangle = 0$", ("dot(c(v), ones)", "0"), ("v",)
    ),
    "c is self-adjoint": _lemma(
        r"$\langle c(a), b\rangle = \langle a, c(b)\rangle$",
        ("dot(c(a), b)", "dot(a, c(b))"),
        ("a", "b"),
    ),
    "variance as length": _lemma(
        r"$\operatorname{Var}[x] = \lVert c(x)\rVert^2/n$", ("Var(x)", "norm(c(x))**2/n")
    ),
    "second moment": _lemma(
        r"$\lVert x\rVert^2/n = \operatorname{Var}[x] + \mu(x)^2$",
        ("norm(x)**2/n", "Var(x) + mu(x)**2"),
    ),
    "main identity": _lemma(
        r"$\operatorname{LN}(x) = \sqrt{n}\, u_{n\varepsilon}(c(x))$",
        ("LN(x)", "sqrt(n)*u(c(x), n*eps)"),
    ),
    # calculus (jvp, grad, diff)
    "linearity of jvp": _lemma(
        r"linearity of $\frac{\partial}{\partial x}$",
        ("jvp(s*dot(w, x) + dot(x, x), x, v)", "s*jvp(dot(w, x), x, v) + jvp(dot(x, x), x, v)"),
        ("x", "w", "v"),
        ("s",),
    ),
    "product rule": _lemma(
        "product rule",
        ("jvp(dot(w, x)*x, x, v)", "dot(w, v)*x + dot(w, x)*v"),
        ("x", "w", "v"),
    ),
    "chain rule": _lemma(
        r"chain rule: $\frac{\partial}{\partial x} s^{p} = p\, s^{p-1} \frac{\partial s}{\partial x}$",
        ("jvp((Var(x) + eps)**(-1/2), x, v)", "-jvp(Var(x), x, v)/(2*(Var(x) + eps)**(3/2))"),
        ("x", "v"),
    ),
    "derivative of c": _lemma(
        r"$\frac{\partial c(x)}{\partial x} v = c(v)$", ("jvp(c(x), x, v)", "c(v)"), ("x", "v")
    ),
    "derivative of Var": _lemma(
        r"$\frac{\partial \operatorname{Var}[x]}{\partial x} v = 2\langle c(x), v\rangle/n$",
        ("jvp(Var(x), x, v)", "2*dot(c(x), v)/n"),
        ("x", "v"),
    ),
    "Cauchy-Schwarz": _lemma(
        "Cauchy--Schwarz",
        ("abs(dot(c(a), c(b)))", "norm(c(a))*norm(c(b))"),
        ("a", "b"),
        relation="<=",
    ),
    "triangle inequality": _lemma(
        "triangle inequality",
        ("norm(c(a) + c(b))", "norm(c(a)) + norm(c(b))"),
        ("a", "b"),
        relation="<=",
    ),
    "epsilon is positive": _lemma(
        r"$\varepsilon > 0$",
        ("norm(c(x))", "sqrt(norm(c(x))**2 + n*eps)"),
        relation="<",
    ),
    "positivity certificate": Rule("positivity certificate"),
    "gradient from jvp": _lemma(
        r"$\langle \nabla_x f, v\rangle = \frac{\partial f}{\partial x} v$ for every $v$",
        ("dot(grad(dot(w, LN(x)), x), v)", "jvp(dot(w, LN(x)), x, v)"),
        ("x", "w", "v"),
    ),
}

_DEFINITION = re.compile(r"definition of (\w+)\Z")


def justification_error(text: str) -> str | None:
    """Why ``text`` is not a valid justification, or None if it is."""
    text = text.strip()
    if text in RULES:
        return None
    match = _DEFINITION.match(text)
    if match:
        if match.group(1) in DEFINITIONS:
            return None
        return f"unknown definition {match.group(1)!r} in {text!r}; known: {', '.join(DEFINITIONS)}"
    return (
        f'unknown justification {text!r}; use "definition of NAME" or one of the rules: '
        f"{', '.join(repr(r) for r in RULES)}"
    )


def justification_pieces(by: Sequence[str]) -> tuple[str, ...]:
    r"""``("definition of u", "algebra")`` → ``("definition of $u_{e}(x)$", "algebra")``: how each
    cited rule prints, as prose with ``$…$`` math."""
    pieces = []
    for item in by:
        if item in RULES:
            pieces.append(RULES[item].text)
        else:
            name = item.removeprefix("definition of ").strip()
            pieces.append(f"definition of ${definition_latex(name)}$")
    return tuple(pieces)


def justification_latex(by: Sequence[str]) -> str:
    r"""``("definition of u", "algebra")`` → ``\text{(definition of }u_{e}(x)\text{; algebra)}``."""
    return math_in_text("(" + "; ".join(justification_pieces(by)) + ")")
