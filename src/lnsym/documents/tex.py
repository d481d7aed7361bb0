r"""LaTeX and Markdown documents: checked derivations as proofs you can paste into a paper.

* :func:`chain_latex` — one chain as ``align*``: one step per line, the justification on the right as
  ``\text{(…)}`` (:func:`justification_latex`); a refuted claim's witness as a sentence
  (:func:`witness_latex`).
* :func:`standalone_tex`, :func:`combined_tex`, :func:`markdown`, :func:`write_documents` — whole
  documents. They use only ``amsmath`` and ``amssymb`` and compile with ``pdflatex -halt-on-error``.

The pieces are typeset elsewhere and re-exported here: expressions and prose (:func:`latex`,
:func:`definition_latex`, :func:`text_to_tex`) by :mod:`lnsym.lang.latex`, the numpy kernel of the
appendix (:func:`kernel_latex`, :func:`kernel_expression`, :func:`numpy_layer_norm`) by
:mod:`lnsym.documents.kernel_appendix`.

>>> latex("sqrt(n)*u(c(x), n*eps)")
'\\sqrt{n} u_{n \\varepsilon}(c(x))'
>>> justification_latex(["definition of c", "algebra"])
'\\text{(definition of }c(x)\\text{; algebra)}'
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import mpmath

from lnsym.derive.check import ClaimResult, DerivationResult, chain_latex
from lnsym.derive.justifications import justification_latex
from lnsym.documents.kernel_appendix import (
    kernel_axis_note,
    kernel_expression,
    kernel_latex,
    kernel_section,
    numpy_layer_norm,
)
from lnsym.errors import LnsymError
from lnsym.lang.definitions import DEFINITIONS
from lnsym.lang.display import Row, display, fits
from lnsym.lang.latex import assumption_latex, definition_latex, latex, text_to_tex
from lnsym.lang.parser import Context
from lnsym.prover.verdict import Witness

__all__ = [
    "chain_latex",
    "combined_tex",
    "definition_latex",
    "justification_latex",
    "kernel_axis_note",
    "kernel_expression",
    "kernel_latex",
    "kernel_section",
    "latex",
    "markdown",
    "numpy_layer_norm",
    "standalone_tex",
    "text_to_tex",
    "witness_latex",
    "write_documents",
]

#: ``\emergencystretch``: a paragraph whose inline math leaves no good line breaks stretches its
#: spaces a little more instead of running into the margin.
PREAMBLE = (
    "\\documentclass[11pt]{article}\n\\usepackage{amsmath}\n\\usepackage{amssymb}\n"
    "\\allowdisplaybreaks\n\\setlength{\\emergencystretch}{3em}\n"
)
#: the combined LaTeX document and the Markdown page written by :func:`write_documents`.
COMBINED_TEX = "all.tex"
MARKDOWN = "index.md"


# --------------------------------------------------------------------------------------------------
# Justifications and witnesses
# --------------------------------------------------------------------------------------------------


def _number(text: str, digits: int = 10) -> str:
    value = mpmath.mpf(text)
    if value == int(value) and abs(value) < 10**digits:
        return str(int(value))
    shown = mpmath.nstr(value, digits, min_fixed=-4, max_fixed=8)
    if "e" in shown:
        mantissa, exponent = shown.split("e")
        power = rf"10^{{{int(exponent)}}}"
        return power if mantissa == "1.0" else rf"{mantissa.removesuffix('.0')} \cdot {power}"
    return shown


def _value(value: str | list[str], *, tex: bool = True) -> str:
    if isinstance(value, list):  # \allowbreak: long vectors may wrap in a paragraph
        return "(" + (",\\allowbreak\\ " if tex else ",\\ ").join(_number(v) for v in value) + ")"
    return _number(value)


def witness_latex(witness: Witness, context: Context, *, tex: bool = True) -> str:
    r"""The witness as a sentence with inline math: ``at $n = 4$, $\varepsilon = 0.1$, …``."""
    names = [f"$n = {witness.n}$", rf"$\varepsilon = {_number(witness.eps)}$"]
    for name, value in witness.values.items():
        names.append(f"${latex(name, context=context)} = {_value(value, tex=tex)}$")
    lhs, rhs = _value(witness.lhs, tex=tex), _value(witness.rhs, tex=tex)
    return (
        f"at {', '.join(names)}: the left side is ${lhs}$ and the right side is ${rhs}$ "
        "(exact values; interval arithmetic separates the two sides; shown rounded)."
    )


# --------------------------------------------------------------------------------------------------
# Proofs
# --------------------------------------------------------------------------------------------------


def _given(assumptions: Sequence[str], context: Context) -> str:
    return ", ".join(f"${assumption_latex(a, context)}$" for a in assumptions)


def _claim(result: ClaimResult, context: Context, *, tex: bool) -> str:
    claim = result.claim
    negated = {"=": r"\neq", "<=": r"\not\le", "<": r"\not<", ">=": r"\not\ge", ">": r"\not>"}
    given = f" (given {_given(claim.assume, context)})" if claim.assume else ""
    head = f"Claim {result.index} (refuted){given}."
    note = (text_to_tex(claim.note) if tex else " ".join(claim.note.split())) if claim.note else ""
    if result.proof.witness is None:
        tail = f"No witness was found: the prover says {result.proof.status.value}."
    else:
        tail = "It fails " + witness_latex(result.proof.witness, context, tex=tex)
    lhs, rhs = latex(claim.lhs, context=context), latex(claim.rhs, context=context)
    relation = negated[claim.relation]
    statement = f"{lhs} {relation} {rhs}"
    if fits(statement):
        shown = f"\\[\n  {statement}\n\\]" if tex else statement
    else:  # too wide for a line: broken like a step of a chain
        shown = display(lhs, [Row(relation, rhs)], environment="align*" if tex else "aligned")
    # Markdown display math stands as a block of its own (arithmatex finds it only then)
    shown = shown if tex else f"\n$$\n{shown}\n$$\n"
    head = f"\\paragraph{{{head}}}" if tex else f"**{head}**"
    return f"{head} {note}\n{shown}\n{tail}"


def derivation_body(result: DerivationResult, *, section: str = "section") -> str:
    """The LaTeX of one derivation (a section: title, description, chains, refuted claims)."""
    d = result.derivation
    context = d.context
    parts = [f"\\{section}{{{text_to_tex(d.title)}}}"]
    if d.description:
        parts.append(text_to_tex(d.description))
    if d.assumptions:
        parts.append(f"Throughout, {_given(d.assumptions, context)}.")
    for chain in result.chains:
        extra = chain.chain.assumptions[len(d.assumptions) :]
        if len(result.chains) > 1:
            given = f" (given {_given(extra, context)})" if extra else ""
            parts.append(f"\\paragraph{{{text_to_tex(chain.chain.name)}{given}.}}")
        elif extra:
            parts.append(f"Given {_given(extra, context)}:")
        if chain.chain.limit:
            parts.append(_limit_note(chain.chain.limit))
        parts.append(chain_latex(chain, context))
    parts += [_claim(c, context, tex=True) for c in result.claims]
    source = text_to_tex(f"Checked by lnsym from {d.path.name}.")
    parts.append(f"{{\\small {source}}}")
    return "\n\n".join(parts) + "\n"


def _limit_note(limits: Sequence[str]) -> str:
    """``("eps=0",)`` → a sentence saying each line equals the next in that limit."""
    arrows = []
    for text in limits:
        name, _, value = text.partition("=")
        symbol = r"\varepsilon" if name.strip() == "eps" else name.strip()
        value = value.strip()
        target = r"\infty" if value in ("oo", "inf", "infinity") else value
        arrows.append(f"${symbol} \\to {target}$")
    return f"In the limit {', '.join(arrows)} (each line has the same limit as the next):"


def standalone_tex(result: DerivationResult) -> str:
    """A complete ``.tex`` document for one derivation."""
    return f"{PREAMBLE}\\begin{{document}}\n\n{derivation_body(result, section='section*')}\n\\end{{document}}\n"


def _notation() -> str:
    items = "\n".join(f"  \\item ${cls.formula}$" for cls in DEFINITIONS.values() if cls.formula)
    return (
        "\\section*{Notation}\nVectors live in $\\mathbb{R}^n$, $\\mathbf{1}$ is the all-ones "
        "vector, $n$ is a positive integer and $\\varepsilon > 0$.\n\\begin{itemize}\n"
        f"{items}\n\\end{{itemize}}\n"
    )


def combined_tex(results: Sequence[DerivationResult], *, kernel: bool = True) -> str:
    """One document with the notation, every derivation, and (``kernel=True``) the numpy kernel."""
    body = "\n".join(derivation_body(r) for r in results)
    appendix = kernel_section() if kernel else ""
    return (
        f"{PREAMBLE}\\title{{Layer normalization: derivations checked by lnsym}}\n\\date{{}}\n"
        f"\\begin{{document}}\n\\maketitle\n\n{_notation()}\n{body}\n{appendix}\\end{{document}}\n"
    )


def derivation_markdown(result: DerivationResult) -> str:
    """One derivation as Markdown with ``$$`` display math (MathJax, mkdocs arithmatex, GitHub)."""
    d = result.derivation
    context = d.context
    parts = [f"## {d.title}"]
    if d.description:
        parts.append(" ".join(d.description.split()))
    if d.assumptions:
        parts.append(f"Throughout, {_given(d.assumptions, context)}.")
    for chain in result.chains:
        extra = chain.chain.assumptions[len(d.assumptions) :]
        given = f" (given {_given(extra, context)})" if extra else ""
        if len(result.chains) > 1:
            parts.append(f"**{chain.chain.name}**{given}.")
        elif given:
            parts.append(f"Given {_given(extra, context)}:")
        if chain.chain.limit:
            parts.append(_limit_note(chain.chain.limit))
        parts.append("$$\n" + chain_latex(chain, context, environment="aligned") + "\n$$")
    parts += [_claim(c, context, tex=False) for c in result.claims]
    parts.append(f"*Checked by lnsym from `{d.path.name}`.*")
    return "\n\n".join(parts) + "\n"


def markdown(results: Sequence[DerivationResult], *, kernel: bool = True) -> str:
    """The Markdown page of every derivation (and, ``kernel=True``, of the numpy kernel)."""
    head = (
        "# Derivations\n\nEvery step below was proved equal to the previous one by `lnsym derive`; "
        "every refuted claim carries a witness. Generated from `derivations/*.toml` by "
        "`lnsym derive`; do not edit by hand.\n"
    )
    body = "\n".join(derivation_markdown(r) for r in results)
    return f"{head}\n{body}\n{kernel_section(tex=False) if kernel else ''}"


def write_documents(results: Sequence[DerivationResult], out: str | Path) -> list[Path]:
    """Write one standalone ``.tex`` per derivation, :data:`COMBINED_TEX` and :data:`MARKDOWN`."""
    failed = [str(r.derivation.path) for r in results if not r.ok]
    if failed:
        raise LnsymError(f"not writing documents: {', '.join(failed)} did not check")
    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    documents = {f"{r.derivation.name}.tex": standalone_tex(r) for r in results}
    documents[COMBINED_TEX] = combined_tex(results)
    documents[MARKDOWN] = markdown(results)
    written = []
    for name, text in documents.items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
