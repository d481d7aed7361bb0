"""docs/walkthrough.ipynb runs from top to bottom and renders proofs and kernels as LaTeX."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import lnsym

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "docs" / "walkthrough.ipynb"


def _latex_outputs(notebook: object) -> list[str]:
    found = []
    for cell in notebook.cells:  # type: ignore[attr-defined]
        for output in cell.get("outputs", []):
            if "text/latex" in output.get("data", {}):
                found.append(output["data"]["text/latex"])
    return found


def test_the_notebook_executes_and_renders_latex() -> None:
    nbformat = pytest.importorskip("nbformat", reason="the notebook test needs nbformat (dev)")
    nbclient = pytest.importorskip("nbclient", reason="the notebook test needs nbclient (dev)")
    pytest.importorskip("ipykernel", reason="the notebook test needs ipykernel (dev)")
    committed = nbformat.read(NOTEBOOK, as_version=4)
    fresh = nbformat.read(NOTEBOOK, as_version=4)
    for cell in fresh.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    nbclient.NotebookClient(
        fresh,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    ).execute()
    errors = [
        o for c in fresh.cells for o in c.get("outputs", []) if o.get("output_type") == "error"
    ]
    assert not errors, errors
    latex = _latex_outputs(fresh)
    proved = r"\operatorname{LN}(x) = \sqrt{n} u_{n \varepsilon}(c(x)) \quad \text{(proved)}"
    assert any(proved in t for t in latex)
    assert any(r"\neq 1 \quad \text{(refuted)}" in t for t in latex)
    assert any(r"\begin{aligned}" in t for t in latex)  # the derivation, step by step
    assert any(r"\operatorname{logit}(x, w, b) = " in t for t in latex)  # the kernel
    printed = "".join(
        o.get("text", "")
        for c in fresh.cells
        for o in c.get("outputs", [])
        if o.get("name") == "stdout"
    )
    kernel, by_hand = (float(v) for v in re.findall(r"(?:kernel|numpy)\s+(\S+)", printed))
    assert kernel == pytest.approx(by_hand, rel=1e-12)
    # the committed outputs are what the notebook produces today
    assert _latex_outputs(committed) == latex


def test_kernel_repr_latex_names_its_inputs_and_backend() -> None:
    kernel = lnsym.kernel("dot(w, LN(x)) + b", name="logit")
    shown = kernel._repr_latex_()
    assert shown.startswith("$") and shown.endswith("$")
    assert r"\operatorname{logit}(x, w, b) = b + \langle w, \operatorname{LN}(x) \rangle" in shown
    assert r"x \in \mathbb{R}^n, w \in \mathbb{R}^n, b \in \mathbb{R}" in shown
    assert "numpy kernel" in shown
    layer_norm = lnsym.kernel("LN(x)", name="layer_norm")
    assert layer_norm.latex() == r"\operatorname{layer\_norm}(x) = \operatorname{LN}(x)"
    x = np.array([1.0, 2.0, 3.0, 5.0])  # and it still computes what it shows
    np.testing.assert_allclose(layer_norm(x), (x - x.mean()) / np.sqrt(x.var() + 1e-5), rtol=1e-14)
