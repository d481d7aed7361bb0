"""The width estimate of a formula, checked against TeX itself: the glyph table against the
installed ``.tfm`` files, and the estimate against the widths pdflatex reports for every piece of
math the derivations print."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from lnsym import derive
from lnsym.documents.tex import combined_tex
from lnsym.lang.fonts import ITALIC, WIDTHS
from lnsym.lang.measure import DISPLAY, TEXT, delimiter_size, formula_width, text_width, tokens

ROOT = Path(__file__).resolve().parents[1]
needs_tex = pytest.mark.skipif(
    shutil.which("pdflatex") is None or shutil.which("kpsewhich") is None,
    reason="pdflatex is not installed (Debian: apt-get install texlive-latex-base)",
)


def _tfm(name: str) -> tuple[list[float], list[float]]:
    """Widths and italic corrections of codes 0-127 read from the font's .tfm file (TeX's font
    metric format: twelve 16-bit lengths, the header, one char_info word a character, then the
    width, height, depth and italic tables as 12.20 fixed-point numbers)."""
    path = subprocess.run(["kpsewhich", f"{name}.tfm"], capture_output=True, text=True).stdout
    data = Path(path.strip()).read_bytes()
    _lf, lh, bc, ec, nw, nh, nd, _ni = struct.unpack(">8H", data[:16])
    info = 24 + 4 * lh
    width_table = info + 4 * (ec - bc + 1)
    italic_table = width_table + 4 * (nw + nh + nd)

    def fix(offset: int) -> float:
        return float(struct.unpack(">i", data[offset : offset + 4])[0]) / 2**20

    widths, italics = [0.0] * 128, [0.0] * 128
    for code in range(bc, min(ec, 127) + 1):
        word = data[info + 4 * (code - bc) : info + 4 * (code - bc) + 4]
        if word[0]:
            widths[code] = fix(width_table + 4 * word[0])
            italics[code] = fix(italic_table + 4 * (word[2] >> 2))
    return widths, italics


@needs_tex
@pytest.mark.parametrize("font", sorted(WIDTHS))
def test_glyph_widths_are_those_of_the_installed_fonts(font: str) -> None:
    widths, italics = _tfm(font)
    assert WIDTHS[font] == pytest.approx(widths, abs=6e-4)
    if font in ITALIC:
        assert ITALIC[font] == pytest.approx(italics, abs=6e-4)


# widths pdflatex reports (\setbox0\hbox{$\displaystyle ...$}\the\wd0, 11pt article)
PINNED = [
    (r"x + y", 25.40294),
    (r"\left(\frac{a}{b}\right)", 21.26724),
    (r"\biggl(\frac{a}{b}\biggr)", 24.30893),
    (r"\text{(linearity of }", 59.95132),
    (r"\text{of}", 8.82085),
]


@pytest.mark.parametrize(("tex", "points"), PINNED)
def test_pinned_widths_from_pdflatex(tex: str, points: float) -> None:
    assert formula_width(tex) == pytest.approx(points, rel=0.02)


def test_delimiters_grow_with_their_content() -> None:
    assert delimiter_size("a + b") == ""
    assert delimiter_size(r"\frac{a}{b}") == "Big"  # what pdflatex picks for \left( (see PINNED)
    assert delimiter_size(r"\frac{\frac{a}{b}}{\frac{c}{d}}") in ("bigg", "Bigg")


def test_styles_and_text() -> None:
    assert formula_width(r"\frac{a + b}{c}", style=TEXT) < formula_width(r"\frac{a + b}{c}")
    assert formula_width(r"x^{2}") < formula_width("x2")  # the script is smaller
    assert text_width("a b") > text_width("ab")  # the space counts
    assert formula_width(r"\unknowncommand") > 0  # counted as a wide glyph, never an error
    assert "".join(tokens(r"\frac{a}{b} + \left\lVert x \right\rVert")) == (
        r"\frac{a}{b} + \left\lVert x \right\rVert"
    )


@pytest.mark.parametrize(
    "tex", ["", "}", r"\right)", r"\frac", "x^", r"\left(", "{{{", r"\sqrt[3", "$", "&&"]
)
def test_malformed_latex_is_measured_without_error(tex: str) -> None:
    assert formula_width(tex) >= 0
    assert formula_width(tex, style=DISPLAY) == formula_width(tex)


def _cells(document: str) -> list[str]:
    """Every piece of math of the document set on its own: the cells of the align* rows (the
    right-hand cells start with {} as amsmath sets them) and the \\[ \\] displays."""
    cells = []
    for block in re.findall(r"\\begin\{align\*\}(.*?)\\end\{align\*\}", document, re.S):
        for row in block.split("\\\\\n"):
            parts = [p.strip() for p in row.split("&")]
            cells += [parts[0]] + (["{}" + parts[1]] if len(parts) > 1 else []) + parts[3:4]
    cells += [m.strip() for m in re.findall(r"\\\[\n(.*?)\n\\\]", document, re.S)]
    return [c for c in dict.fromkeys(cells) if c and r"\begin{array}" not in c]


@needs_tex
def test_the_estimate_is_within_six_percent_of_pdflatex(tmp_path: Path) -> None:
    cells = _cells(combined_tex(derive(ROOT / "derivations")))
    assert len(cells) > 150
    lines = [r"\documentclass[11pt]{article}\usepackage{amsmath}\usepackage{amssymb}"]
    lines.append(r"\begin{document}")
    lines += [
        rf"\setbox0\hbox{{$\displaystyle {c}$}}\typeout{{W{i}:\the\wd0}}"
        for i, c in enumerate(cells)
    ]
    lines.append(r"\end{document}")
    (tmp_path / "w.tex").write_text("\n".join(lines))
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "w.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    log = (tmp_path / "w.log").read_text()
    real = {int(i): float(w) for i, w in re.findall(r"W(\d+):([\d.]+)pt", log)}
    assert len(real) == len(cells)
    off = {
        c: (formula_width(c), real[i])
        for i, c in enumerate(cells)
        if abs(formula_width(c) - real[i]) > 0.06 * real[i] + 0.5
    }
    assert not off, off
