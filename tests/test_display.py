"""Displayed chains laid out from their printed width: breaks, heads and justifications, and a
stress document (long sums, long notes, inequalities, a narrow page) that pdflatex must set with
no line running into the margin."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from lnsym.lang.display import ARTICLE, Page, Row, display, fits
from lnsym.lang.latex import latex
from lnsym.lang.measure import formula_width

VECTORS = ("x", "w", "a", "b", "g", "v")
SHORT = latex("c(x)/sqrt(Var(x) + eps)", vectors=VECTORS)
TERM = "sqrt(n)*dot(hadamard(g, w), c(a))/sqrt(norm(c(a + b + x))**2 + n*eps)"
LONG_SUM = latex(" + ".join([TERM] * 4) + " + dot(w, b)", vectors=VECTORS)
LONG_NOTE = (
    "definition of $\\operatorname{LNA}_{y, z}(x)$",
    r"linearity of $\langle\cdot,\cdot\rangle$",
    r"chain rule: $\frac{\partial}{\partial x} s^{p} = p\, s^{p-1} \frac{\partial s}{\partial x}$",
    r"$\frac{\partial \operatorname{Var}[x]}{\partial x} v = 2\langle c(x), v\rangle/n$",
)
VTERM = "sqrt(n)*dot(g, w)*c(a)/sqrt(norm(c(a + b + x))**2 + n*eps)"
INNER = latex(
    f"dot(w, {VTERM} - {VTERM.replace('c(a)', 'c(b)')} + {VTERM.replace('c(a)', 'c(x)')})",
    vectors=VECTORS,
)


def _lines(tex: str) -> list[str]:
    body = tex.split("\n", 1)[1].rsplit("\n", 1)[0]
    return body.split(" \\\\\n")


def _cells(tex: str) -> list[str]:
    return [cell for line in _lines(tex) for cell in line.split("&") if cell.strip()]


def _content(tex: str) -> str:
    """The formula without layout: no line breaks, alignment, indents or sized delimiters."""
    tex = re.sub(r"\\(begin|end)\{[^}]*\}|\\\\|&|\\quad|\{\}|\\(Big|big|bigg|Bigg)[lr]", "", tex)
    tex = tex.replace(r"\left", "").replace(r"\right", "")
    return re.sub(r"\s+", "", tex)


def test_a_short_chain_keeps_its_justifications_on_the_right() -> None:
    tex = display(
        r"\operatorname{LN}(x)", [Row("=", SHORT, ("definition of $\\operatorname{LN}(x)$",))]
    )
    assert tex == (
        "\\begin{align*}\n"
        rf"  \operatorname{{LN}}(x) &= {SHORT} && \textstyle \text{{(definition of }}"
        r"\operatorname{LN}(x)\text{)}"
        "\n\\end{align*}"
    )


def test_a_long_sum_breaks_before_a_plus_and_every_line_fits() -> None:
    assert not fits(LONG_SUM)
    tex = display("y", [Row("=", LONG_SUM, ("algebra",))])
    lines = _lines(tex)
    assert len(lines) >= 3
    continued = [line.split("&", 1)[1] for line in lines[1:] if r"\text{" not in line]
    assert continued and all(line.startswith(r"\quad {}+") for line in continued)
    for cell in _cells(tex):
        assert formula_width("{}" + cell) <= ARTICLE.usable, cell
    assert _content(tex) == _content(f"y = {LONG_SUM}" + r"\textstyle \text{(algebra)}")


def test_a_wide_group_is_cut_inside_and_its_delimiters_get_a_fixed_size() -> None:
    assert not fits(INNER)
    tex = display("y", [Row("=", INNER)])
    assert r"\left" not in tex and r"\right" not in tex
    assert tex.count(r"l\langle") == 1 and tex.count(r"r\rangle") == 1  # \Bigl ... \Bigr
    assert _content(tex).replace(r"\langle", "") == _content(f"y = {INNER}").replace(r"\langle", "")


def test_a_wide_head_takes_a_line_of_its_own() -> None:
    head = latex(" + ".join([TERM] * 2), vectors=VECTORS)
    tex = display(head, [Row("=", head, ("algebra",)), Row(r"\leq", head)])
    lines = _lines(tex)
    assert lines[0].strip().startswith("&")  # nothing left of the alignment point
    assert any(r"\quad \leq" in line for line in lines)


def test_a_long_justification_wraps_under_its_step() -> None:
    tex = display("y", [Row("=", SHORT, LONG_NOTE), Row("=", SHORT, ("algebra",))])
    notes = [line for line in _lines(tex) if r"\text{" in line and "&=" not in line]
    assert len(notes) >= 2  # the long one, on lines of its own
    assert notes[0].split("&", 1)[1].startswith(r"\quad \textstyle \text{(definition")
    for cell in _cells(tex):
        assert formula_width(cell) <= ARTICLE.usable, cell


def test_a_justification_fits_beside_the_formula_when_it_can() -> None:
    tex = display("y", [Row("=", "x", ("algebra",)), Row(r"\leq", "z", ("by assumption",))])
    assert tex.count("&&") == 2


def test_a_chain_needs_a_step() -> None:
    with pytest.raises(ValueError, match="at least one step"):
        display("y", [])


# -- pdflatex -------------------------------------------------------------------------------------

CHAINS = [
    ("y", [Row("=", LONG_SUM, LONG_NOTE), Row(r"\leq", LONG_SUM, ("algebra",))]),
    (LONG_SUM, [Row("=", SHORT, ("algebra",)), Row(r"\overset{?}{=}", INNER, LONG_NOTE)]),
    (latex(TERM, vectors=VECTORS), [Row(r"\geq", INNER), Row("=", SHORT, LONG_NOTE[:1])]),
    (SHORT, [Row(r"\leq", SHORT, LONG_NOTE * 2), Row("=", "0")]),
]


@pytest.mark.skipif(
    shutil.which("pdflatex") is None,
    reason="pdflatex is not installed (Debian: apt-get install texlive-latex-base)",
)
@pytest.mark.parametrize("width", [360.0, 280.0])
def test_stress_chains_compile_with_no_overfull_line(tmp_path: Path, width: float) -> None:
    page = Page(width=width)
    body = "\n\n".join(display(head, rows, page=page) for head, rows in CHAINS)
    (tmp_path / "stress.tex").write_text(
        "\\documentclass[11pt]{article}\n\\usepackage{amsmath}\n\\usepackage{amssymb}\n"
        f"\\setlength{{\\textwidth}}{{{width}pt}}\n\\begin{{document}}\n{body}\n\\end{{document}}\n"
    )
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "stress.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    log = (tmp_path / "stress.log").read_text(errors="replace")
    wide = [float(w) for w in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide", log)]
    assert not [w for w in wide if w > 1.0], wide
