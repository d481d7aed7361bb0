r"""LaTeX of expressions, justifications, witnesses, kernels and whole documents (pinned as raw strings)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import sympy

from lnsym import derive
from lnsym.derive.check import chain_latex
from lnsym.derive.justifications import justification_latex
from lnsym.derive.load import load_derivation
from lnsym.documents.tex import (
    COMBINED_TEX,
    MARKDOWN,
    definition_latex,
    kernel_axis_note,
    kernel_expression,
    kernel_latex,
    latex,
    numpy_layer_norm,
    standalone_tex,
    text_to_tex,
    witness_latex,
    write_documents,
)
from lnsym.errors import LnsymError, ParseError, TypeMismatchError, UnsupportedError
from lnsym.lang.definitions import DEFINITIONS
from lnsym.lang.parser import Context, parse
from lnsym.prover import prove
from lnsym.prover.verdict import Witness

ROOT = Path(__file__).resolve().parents[1]
VECTORS = ("x", "a", "b", "w", "g", "beta")
SCALARS = ("e", "s")

# every name of the language, printed as itself
DEFINITION_TABLE = [
    ("mu(x)", r"\mu(x)"),
    ("E(x)", r"\operatorname{E}[x]"),
    ("Var(x)", r"\operatorname{Var}[x]"),
    ("c(x)", r"c(x)"),
    ("norm(x)", r"\lVert x \rVert"),
    ("dot(a, b)", r"\langle a, b \rangle"),
    ("cos(a, b)", r"\cos\theta_{a, b}"),
    ("u(x, e)", r"u_{e}(x)"),
    ("LN(x)", r"\operatorname{LN}(x)"),
    ("LN(x, e)", r"\operatorname{LN}_{e}(x)"),
    ("LN(x, eps)", r"\operatorname{LN}(x)"),
    ("RMS(x)", r"\operatorname{RMS}(x)"),
    ("RMS(x, e)", r"\operatorname{RMS}_{e}(x)"),
    ("hadamard(a, b)", r"a \odot b"),
    ("LNA(x, g, beta)", r"\operatorname{LNA}_{g, \beta}(x)"),
    ("LNA(x, g, beta, 2*eps)", r"\operatorname{LNA}_{g, \beta; 2 \varepsilon}(x)"),
    ("sandwich(a, x)", r"\left(a\, x\, a\right)"),
    ("jvp(LN(x), x, a)", r"\frac{\partial \operatorname{LN}(x)}{\partial x} a"),
    ("grad(dot(w, x), x)", r"\nabla_{x} \langle w, x \rangle"),
    ("diff(s*x, s)", r"\frac{\partial \left(s x\right)}{\partial s}"),
    ("sqrt(n)", r"\sqrt{n}"),
    ("ones", r"\mathbf{1}"),
    ("eps", r"\varepsilon"),
    ("n", r"n"),
]

COMPOSITE_TABLE = [
    ("sqrt(n)*u(c(x), n*eps)", r"\sqrt{n} u_{n \varepsilon}(c(x))"),
    ("c(x)/sqrt(Var(x) + eps)", r"\frac{c(x)}{\sqrt{\operatorname{Var}[x] + \varepsilon}}"),
    ("x - mu(x)*ones", r"x - \mu(x) \mathbf{1}"),
    ("E(hadamard(x, x)) - E(x)**2", r"\operatorname{E}[x \odot x] - \operatorname{E}[x]^{2}"),
    ("norm(c(x))**2/n", r"\frac{\lVert c(x) \rVert^{2}}{n}"),
    (
        "x/sqrt(Var(x) + mu(x)**2 + eps)",
        r"\frac{x}{\sqrt{\operatorname{Var}[x] + \mu(x)^{2} + \varepsilon}}",
    ),
    (
        "sqrt(n)*dot(a, c(b))/norm(c(b))",
        r"\frac{\sqrt{n} \langle a, c(b) \rangle}{\lVert c(b) \rVert}",
    ),
    (
        "sqrt(n)*(dot(w, c(a)) + dot(w, c(b)))/sqrt(norm(c(a + b))**2 + n*eps)",
        r"\frac{\sqrt{n} \left(\langle w, c(a) \rangle + \langle w, c(b) \rangle\right)}"
        r"{\sqrt{\lVert c(a + b) \rVert^{2} + n \varepsilon}}",
    ),
    ("dot(w, LN(a + b))", r"\langle w, \operatorname{LN}(a + b) \rangle"),
    ("norm(LN(x))**2", r"\lVert \operatorname{LN}(x) \rVert^{2}"),
    # \left…\right only around content taller than a line
    ("norm(x/n)", r"\left\lVert \frac{x}{n} \right\rVert"),
    ("cos(a, b)**2", r"\cos^{2}\theta_{a, b}"),
    (
        "norm(x)*cos(x, ones)/sqrt(n)",
        r"\frac{\lVert x \rVert \cos\theta_{x, \mathbf{1}}}{\sqrt{n}}",
    ),
    ("x - (a - b)", r"x - \left(a - b\right)"),
    ("hadamard(a + b, x)", r"\left(a + b\right) \odot x"),
    ("dot(x, ones)/n*ones", r"\frac{\langle x, \mathbf{1} \rangle}{n} \mathbf{1}"),
    ("1*x + 0.5*s*x", r"x + 0.5 s x"),
    ("-x", r"- x"),
    ("n^2", r"n^{2}"),
    ("LN(b, 0)", r"\operatorname{LN}_{0}(b)"),
]


@pytest.mark.parametrize(("text", "expected"), DEFINITION_TABLE + COMPOSITE_TABLE)
def test_latex_of_expressions(text: str, expected: str) -> None:
    assert latex(text, vectors=VECTORS, scalars=SCALARS) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LN(x)", r"\operatorname{LN}(x)"),
        ("sqrt(n)*u(c(x), n*eps)", r"\sqrt{n} u_{n \varepsilon}(c(x))"),
        ("sqrt(n)*dot(a, c(b))", r"\sqrt{n} \langle a, c(b) \rangle"),
        ("x - mu(x)*ones", r"- \mu(x) \mathbf{1} + x"),  # SymPy's order, not the written one
    ],
)
def test_latex_of_parsed_expressions(text: str, expected: str) -> None:
    # an already-parsed expression is printed from SymPy's (canonical) form
    assert latex(parse(text, Context(VECTORS))) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("mu", r"\mu(x)"),
        ("E", r"\operatorname{E}[x]"),
        ("Var", r"\operatorname{Var}[x]"),
        ("c", r"c(x)"),
        ("norm", r"\lVert x \rVert"),
        ("dot", r"\langle x, y \rangle"),
        ("cos", r"\cos\theta_{x, y}"),
        ("u", r"u_{e}(x)"),
        ("LN", r"\operatorname{LN}(x)"),
        ("RMS", r"\operatorname{RMS}(x)"),
        ("hadamard", r"x \odot y"),
        ("LNA", r"\operatorname{LNA}_{y, z}(x)"),
        ("sandwich", r"\left(x\, y\, x\right)"),
        ("jvp", r"\frac{\partial F}{\partial x} v"),
        ("grad", r"\nabla_{x} f"),
        ("diff", r"\frac{\partial F}{\partial \alpha}"),
    ],
)
def test_definition_latex(name: str, expected: str) -> None:
    assert definition_latex(name) == expected


def test_latex_accepts_comma_separated_names() -> None:
    assert latex("dot(w, s*a)", vectors="w, a", scalars="s") == r"\langle w, s a \rangle"


def test_definition_table_covers_every_name() -> None:
    tested = {text.split("(")[0] for text, _ in DEFINITION_TABLE}
    assert set(DEFINITIONS) <= tested


@pytest.mark.parametrize(
    ("text", "error"),
    [("x + 1", TypeMismatchError), ("y", ParseError), ("import os", ParseError), ("", ParseError)],
)
def test_latex_rejects_what_the_language_rejects(text: str, error: type[LnsymError]) -> None:
    with pytest.raises(error):
        latex(text)


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        (("algebra",), r"\text{(algebra)}"),
        (("definition of u",), r"\text{(definition of }u_{e}(x)\text{)}"),
        (
            ("definition of Var", "linearity of dot"),
            r"\text{(definition of }\operatorname{Var}[x]\text{; linearity of }"
            r"\langle\cdot,\cdot\rangle\text{)}",
        ),
        (
            ("variance as length",),
            r"\text{(}\operatorname{Var}[x] = \lVert c(x)\rVert^2/n\text{)}",
        ),
        (("assumption",), r"\text{(by assumption)}"),
    ],
)
def test_justification_latex(by: tuple[str, ...], expected: str) -> None:
    assert justification_latex(by) == expected
    assert "$" not in justification_latex(by)  # no $ nested in math: works in Markdown too


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("50% of a_b & c", r"50\% of a\_b \& c"),
        (
            r"math stays: $\sqrt{n}\, u_{n\varepsilon}$",
            r"math stays: $\sqrt{n}\, u_{n\varepsilon}$",
        ),
        ("μ and ε ≈ 0", r"$\mu$ and $\varepsilon$ $\approx$ 0"),
        ('the seed: "approx unit length"', "the seed: ``approx unit length''"),
        ("two\n  lines", "two lines"),
    ],
)
def test_text_to_tex(text: str, expected: str) -> None:
    assert text_to_tex(text) == expected


@pytest.mark.parametrize("text", ["a ☃ snowman", "unbalanced $x"])
def test_text_to_tex_refuses_what_pdflatex_cannot_typeset(text: str) -> None:
    with pytest.raises(UnsupportedError):
        text_to_tex(text)


def test_witness_latex() -> None:
    witness = Witness(
        n=3,
        eps="0.1",
        values={"x": ["4", "3", "2"]},
        lhs=["1.27993170", "0.9599487", "0.6399658"],
        rhs=["4.5683219", "3.4262414", "2.2841610"],
    )
    assert witness_latex(witness, Context(("x",)), tex=False) == (
        r"at $n = 3$, $\varepsilon = 0.1$, $x = (4,\ 3,\ 2)$: the left side is "
        r"$(1.2799317,\ 0.9599487,\ 0.6399658)$ and the right side is "
        r"$(4.5683219,\ 3.4262414,\ 2.284161)$ (exact values; interval arithmetic separates the "
        r"two sides; shown rounded)."
    )
    assert r"4,\allowbreak\ 3" in witness_latex(witness, Context(("x",)))


def test_chain_latex_is_align_with_justifications_on_the_right(tmp_path: Path) -> None:
    path = tmp_path / "main.toml"
    path.write_text(
        'title = "t"\n[[steps]]\nexpr = "LN(x)"\n'
        '[[steps]]\nexpr = "c(x)/sqrt(Var(x) + eps)"\nby = "definition of LN"\n'
    )
    (result,) = derive(path)
    assert chain_latex(result.chains[0], Context()) == (
        "\\begin{align*}\n"
        r"  \operatorname{LN}(x) &= \frac{c(x)}{\sqrt{\operatorname{Var}[x] + \varepsilon}} "
        r"&& \textstyle \text{(definition of }\operatorname{LN}(x)\text{)}"
        "\n\\end{align*}"
    )
    assert r"\begin{aligned}" in result._repr_latex_()


# -- kernels ---------------------------------------------------------------------------------------


def test_kernel_latex_trims_prefixes_and_uses_symbols() -> None:
    assert kernel_latex(numpy_layer_norm, reduce_assignments=True) == (
        r"\mathrm{LN}(x, \varepsilon) = \frac{x - E \mathopen{}\left( x \mathclose{}\right)}"
        r"{\sqrt{ E \mathopen{}\left( \mathopen{}\left( x - E \mathopen{}\left( x \mathclose{}"
        r"\right) \mathclose{}\right)^{2} \mathclose{}\right) + \varepsilon }}"
    )
    assert "np" not in kernel_latex(numpy_layer_norm)


def test_kernel_axis_note_states_what_latexify_drops() -> None:
    assert kernel_axis_note(numpy_layer_norm) == "np.mean(..., axis=-1, keepdims=True)"


def test_kernel_is_proved_to_be_layer_norm() -> None:
    text = kernel_expression(numpy_layer_norm)
    assert prove(text, "LN(x)").proved
    assert prove(text, "sqrt(n)*u(c(x), n*eps)").proved
    assert prove(text, "sqrt(n)*u(c(x), eps)").refuted


def test_kernel_agrees_with_its_reading_numerically() -> None:
    x = np.array([[1.0, -2.0, 0.5, 4.0]])
    expected = (x - x.mean()) / np.sqrt(x.var() + 1e-5)
    np.testing.assert_allclose(numpy_layer_norm(x), expected, rtol=1e-12)


def rms_kernel(x, eps=1e-6):  # type: ignore[no-untyped-def]
    return x / np.sqrt(np.sum(x * x, axis=-1, keepdims=True) / x.shape[-1] + eps)


def wrong_axis_kernel(x):  # type: ignore[no-untyped-def]
    return x - np.mean(x, axis=0)


def loop_kernel(x):  # type: ignore[no-untyped-def]
    for _ in range(2):
        x = x + 1
    return x


def test_kernel_reader_handles_sum_products_and_shape() -> None:
    assert prove(kernel_expression(rms_kernel), "RMS(x)").proved


@pytest.mark.parametrize(
    ("kernel", "fragment"), [(wrong_axis_kernel, "axis=-1"), (loop_kernel, "for")]
)
def test_kernel_reader_refuses_what_it_cannot_read(kernel: object, fragment: str) -> None:
    with pytest.raises(UnsupportedError, match=fragment):
        kernel_expression(kernel)  # type: ignore[arg-type]


# -- documents -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("proofs")
    results = derive(ROOT / "derivations")
    write_documents(results, out)
    return out


def test_documents_use_only_amsmath_and_amssymb(generated: Path) -> None:
    for tex in generated.glob("*.tex"):
        packages = [line for line in tex.read_text().splitlines() if "\\usepackage" in line]
        assert packages == [r"\usepackage{amsmath}", r"\usepackage{amssymb}"], tex.name
        assert tex.read_text().isascii(), tex.name


def test_documents_are_written(generated: Path) -> None:
    names = {p.name for p in generated.iterdir()}
    assert {COMBINED_TEX, MARKDOWN, "01-main-identity.tex", "08-inner-product.tex"} <= names
    combined = (generated / COMBINED_TEX).read_text()
    assert combined.count(r"\begin{align*}") >= 16
    assert r"\text{(definition of }u_{e}(x)\text{)}" in combined
    assert r"\begin{verbatim}" in combined  # the kernel's source next to its rendering
    markdown = (generated / MARKDOWN).read_text()
    assert r"\begin{aligned}" in markdown and r"\begin{align*}" not in markdown


def test_committed_proofs_are_up_to_date(generated: Path) -> None:
    committed = ROOT / "docs" / "proofs"
    fresh = sorted(p.name for p in generated.iterdir())
    assert sorted(p.name for p in committed.iterdir()) == fresh, (
        "docs/proofs is stale: run `lnsym derive derivations/ --out docs/proofs`"
    )
    for name in fresh:
        assert (committed / name).read_text() == (generated / name).read_text(), (
            f"docs/proofs/{name} is stale: run `lnsym derive derivations/ --out docs/proofs`"
        )


def _pdflatex(tex: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["pdflatex", "-halt-on-error", "-interaction=nonstopmode", tex.name],
        cwd=tex.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_every_generated_document_compiles(generated: Path) -> None:
    texs = sorted(generated.glob("*.tex"))
    assert len(texs) == len(list((ROOT / "derivations").glob("*.toml"))) + 1
    for tex in texs:
        run = _pdflatex(tex)
        assert run.returncode == 0, f"{tex.name} does not compile:\n{run.stdout[-2000:]}"
        assert tex.with_suffix(".pdf").stat().st_size > 1000


_OVERFULL = re.compile(r"Overfull \\hbox \(([\d.]+)pt too wide\)[^\n]*")


def overfull_boxes(log: str, *, tolerance: float = 1.0) -> list[str]:
    """The overfull-box warnings of a pdflatex log wider than ``tolerance`` points."""
    return [m.group(0) for m in _OVERFULL.finditer(log) if float(m.group(1)) > tolerance]


@pytest.mark.skipif(
    shutil.which("pdflatex") is None,
    reason="pdflatex is not installed (Debian: apt-get install texlive-latex-base)",
)
def test_no_generated_document_runs_off_the_page(generated: Path) -> None:
    texs = sorted(generated.glob("*.tex"))
    assert COMBINED_TEX in {t.name for t in texs} and len(texs) > 10
    too_wide = {}
    for tex in texs:
        if not tex.with_suffix(".log").exists():
            assert _pdflatex(tex).returncode == 0, tex.name
        boxes = overfull_boxes(tex.with_suffix(".log").read_text(errors="replace"))
        if boxes:
            too_wide[tex.name] = boxes
    assert not too_wide, f"lines wider than the page (> 1 pt): {too_wide}"


def test_overfull_boxes_are_read_from_the_log() -> None:
    log = (
        "Overfull \\hbox (575.27075pt too wide) detected at line 336\n[]\n"
        "Overfull \\hbox (0.62456pt too wide) in paragraph at lines 7--7\n"
    )
    assert overfull_boxes(log) == ["Overfull \\hbox (575.27075pt too wide) detected at line 336"]
    assert len(overfull_boxes(log, tolerance=0.0)) == 2


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_a_derivation_with_every_construct_compiles(tmp_path: Path) -> None:
    path = tmp_path / "everything.toml"
    path.write_text(
        r"""
title = 'Every construct: 50% & $\mu$ "quoted" under_score'
description = 'Unicode μ ε ‖ ≈ — and math $\lVert x\rVert$.'
vectors = ["x", "g", "beta"]
scalars = ["s"]
assumptions = ["s > 0"]

[[chains]]
name = "All functions"
assumptions = ["mu(x) = 0"]
[[chains.steps]]
expr = "LNA(x, g, beta, s*eps) + sandwich(g, x) + hadamard(g, x) + RMS(x, 2*eps)"
[[chains.steps]]
expr = "hadamard(g, LN(x, s*eps)) + beta + 2*dot(g, x)*g - dot(g, g)*x + hadamard(g, x) + RMS(x, 2*eps)"
by = ["definition of LNA", "definition of sandwich"]

[[claims]]
lhs = "E(x) + Var(x) + cos(x, g) + norm(x)"
rhs = "0"
note = 'Silly, with $\varepsilon$.'
"""
    )
    (result,) = derive(path)
    assert result.ok, result.failures()
    tex = tmp_path / "everything.tex"
    tex.write_text(standalone_tex(result))
    run = _pdflatex(tex)
    assert run.returncode == 0, run.stdout[-2000:]


def test_load_reads_descriptions_verbatim() -> None:
    derivation = load_derivation(ROOT / "derivations" / "01-main-identity.toml")
    assert r"\sqrt{n}\, u_{n\varepsilon}(c(x))" in derivation.description
    assert sympy.latex(derivation.chains[0].steps[-1].expr) == r"\sqrt{n} u_{n \varepsilon}(c(x))"
