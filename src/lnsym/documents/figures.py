r"""The documentation's figures, computed with lnsym and drawn with matplotlib (Agg backend).

Regenerate all of them with one command (the PNGs used by the docs and the README)::

    lnsym figures docs/figures

Every number plotted comes from a kernel that :func:`lnsym.kernel` generates from the very
definitions the prover uses, and every identity a figure states is proved by :func:`lnsym.prove`
while the figure is drawn (a figure whose identity does not prove is not drawn).

* :func:`geometry` — n = 3: a vector :math:`x`, its centering :math:`c(x)` onto the plane
  :math:`\perp \mathbf{1}`, and :math:`\operatorname{LN}(x)` on the circle of radius
  :math:`\sqrt 3` in that plane;
* :func:`length` — :math:`\lVert\operatorname{LN}(x)\rVert` against :math:`\lVert c(x)\rVert` for
  several ε: the sphere of radius :math:`\sqrt n` bends to 0 below :math:`\lVert c(x)\rVert \approx
  \sqrt{n\varepsilon}`;
* :func:`uncentered` — the relative error of the seed's uncentered formula
  :math:`\sqrt n\, u_\varepsilon(x)` against :math:`\operatorname{LN}(x)` as :math:`\mu(x)` grows.

The data behind each figure is returned by a pure function (:func:`geometry_data`,
:func:`length_data`, :func:`uncentered_data`) so the tests can check the numbers, not only the
pixels.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lnsym.kernels import kernel
from lnsym.lang.latex import latex
from lnsym.prover import prove

__all__ = [
    "FIGURES",
    "GeometryData",
    "LengthData",
    "UncenteredData",
    "geometry",
    "geometry_data",
    "length",
    "length_data",
    "uncentered",
    "uncentered_data",
    "write_all",
]

#: pixels per inch of the saved PNGs; at the default sizes a figure is 1050-1200 px wide, which
#: stays readable when a README or the docs scale it to ~800 px.
DPI = 150
#: the regularizers drawn (PyTorch's default first).
EPSILONS = (1e-5, 1e-3, 1e-1)
#: the dimension of the length and error figures (Pythia-70m's residual stream, as in the seed).
N_MODEL = 512
_SEED = 20240601


def _require_proved(lhs: str, rhs: str, **options: Any) -> str:
    """Prove ``lhs = rhs`` with lnsym and return its LaTeX (for a matplotlib label)."""
    proof = prove(lhs, rhs, **options)
    if not proof.proved:  # pragma: no cover - the identities below are theorems
        raise AssertionError(f"lnsym did not prove {lhs} = {rhs}: {proof.status.value}")
    return _mathtext(proof.latex())


def _mathtext(tex: str) -> str:
    r"""LaTeX from :func:`lnsym.latex` in the subset matplotlib's mathtext parses
    (no ``\lVert``/``\rVert``, no ``\left``/``\right`` before them)."""
    for old, new in (
        (r"\left\lVert", r"\Vert"),
        (r"\right\rVert", r"\Vert"),
        (r"\lVert", r"\Vert"),
        (r"\rVert", r"\Vert"),
    ):
        tex = tex.replace(old, new)
    return f"${tex}$"


def _label(expr: str, **options: Any) -> str:
    return _mathtext(latex(expr, **options))


# --------------------------------------------------------------------------------------------------
# Figure 1: the geometry for n = 3
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GeometryData:
    """A vector x in R³ and what LN does to it (all computed by lnsym kernels)."""

    x: np.ndarray
    mean: float  # μ(x)
    centered: np.ndarray  # c(x)
    normalized: np.ndarray  # LN(x)
    others: np.ndarray  # more inputs, one per row
    others_normalized: np.ndarray  # their LN, on the same circle
    eps: float


def geometry_data(x: Sequence[float] = (1.75, 1.45, 0.4), eps: float = 1e-5) -> GeometryData:
    r""":math:`x`, :math:`\mu(x)`, :math:`c(x)` and :math:`\operatorname{LN}(x)` for n = 3,
    plus a few other inputs whose LN lands on the same circle of radius :math:`\sqrt 3`."""
    rng = np.random.default_rng(_SEED)
    point = np.asarray(x, dtype=float)
    others = rng.normal(0.0, 0.6, size=(7, 3)) + rng.normal(0.0, 1.0, size=(7, 1))
    mean, center, ln = kernel("mu(x)"), kernel("c(x)"), kernel("LN(x)")
    return GeometryData(
        x=point,
        mean=float(mean(point)),
        centered=center(point),
        normalized=ln(point, eps=eps),
        others=others,
        others_normalized=ln(others, eps=eps),
        eps=eps,
    )


def geometry(data: GeometryData | None = None, elev: float = 22, azim: float = -28) -> Any:
    """Figure: a vector, its centering onto the plane ⊥ 1, and LN(x) on the circle of radius √3.

    c(x) and LN(x) point the same way; LN(x) is drawn a little beside c(x) (a fixed offset in the
    plane, stated on the figure) so that neither arrow hides the other.
    """
    import matplotlib.pyplot as plt

    data = data or geometry_data()
    identity = _require_proved("norm(LN(x))**2", "n*Var(x)/(Var(x) + eps)")
    _require_proved("dot(c(x), ones)", "0")
    one = np.ones(3) / np.sqrt(3.0)
    # an orthonormal basis (e1, e2) of the plane ⊥ 1
    e1 = np.array([1.0, -1.0, 0.0]) / np.sqrt(2.0)
    e2 = np.cross(one, e1)
    angles = np.linspace(0.0, 2.0 * np.pi, 241)
    circle = np.sqrt(3.0) * (np.outer(np.cos(angles), e1) + np.outer(np.sin(angles), e2))
    radius = 2.3
    s, t = np.meshgrid(np.linspace(-radius, radius, 2), np.linspace(-radius, radius, 2))
    plane = s[..., None] * e1 + t[..., None] * e2
    # the offset of the LN(x) arrow: in the plane, perpendicular to c(x)
    side = np.cross(one, data.centered)
    side = 0.16 * side / np.linalg.norm(side)

    fig = plt.figure(figsize=(9.2, 6.8))
    ax: Any = fig.add_axes((-0.07, 0.07, 0.76, 0.82), projection="3d", computed_zorder=False)
    ax.plot_surface(
        plane[..., 0], plane[..., 1], plane[..., 2], color="#9ecae1", alpha=0.18, linewidth=0
    )
    ax.plot(*circle.T, color="#3182bd", lw=1.6, label=r"circle of radius $\sqrt{3}$ (in the plane)")
    axis = np.outer(np.linspace(-1.6, 2.4, 2), np.ones(3))
    ax.plot(*axis.T, color="0.45", lw=1.0, ls=(0, (6, 3)), label=r"the line through $\mathbf{1}$")

    def arrow(vector: np.ndarray, start: np.ndarray | None = None, **style: Any) -> None:
        origin = np.zeros(3) if start is None else start
        ax.quiver(*origin, *(vector - origin), arrow_length_ratio=0.1, **style)

    for image in data.others_normalized:
        ax.scatter(*image, color="#fd8d3c", s=18, alpha=0.95, zorder=3)
    arrow(data.centered, color="#31a354", lw=3.0, zorder=5)
    arrow(data.normalized + side, side, color="#e6550d", lw=2.2, zorder=4)
    ax.plot(*np.stack([data.x, data.centered]).T, color="#756bb1", lw=2.0, ls=(0, (4, 2)), zorder=5)
    ax.scatter(*data.centered, color="#756bb1", s=22, zorder=6)
    arrow(data.x, color="black", lw=2.0, zorder=6)
    ax.text(*(data.x + np.array([0.05, 0.0, 0.12])), r"$x$", fontsize=15, zorder=7)
    midway = 0.5 * (data.x + data.centered) + np.array([0.0, 0.75, -0.75])
    ax.text(
        *midway,
        rf"$\mu(x) = {data.mean:.2f}$",
        color="#756bb1",
        fontsize=12,
        zorder=7,
    )
    ax.text(
        *(0.45 * data.centered - 2.2 * side + np.array([0.0, 0.0, 0.05])),
        r"$c(x)$",
        color="#31a354",
        fontsize=14,
        ha="right",
        zorder=7,
    )
    ax.text(
        *(data.normalized * 1.12 + side), _label("LN(x)"), color="#e6550d", fontsize=14, zorder=7
    )
    ax.scatter([], [], color="#fd8d3c", s=18, label=r"$\operatorname{LN}$ of other inputs")
    ax.plot(
        [], [], color="#9ecae1", lw=8, alpha=0.5, label=r"the plane $\perp \mathbf{1}$ (mean 0)"
    )
    for name, axis_obj in (("x_1", ax.xaxis), ("x_2", ax.yaxis), ("x_3", ax.zaxis)):
        axis_obj.set_rotate_label(False)
        axis_obj.set_label_text(f"${name}$", fontsize=13)
    limit = (-2.2, 2.4)
    ax.set(
        xlim=limit, ylim=limit, zlim=limit, xticks=[-2, 0, 2], yticks=[-2, 0, 2], zticks=[-2, 0, 2]
    )
    ax.set_box_aspect((1, 1, 1))
    ax.view_init(elev=elev, azim=azim)
    ax.plot([], [], color="#31a354", lw=3.0, label=r"$c(x) = x - \mu(x)\,\mathbf{1}$")
    ax.plot([], [], color="#e6550d", lw=2.2, label=r"$\operatorname{LN}(x)$, length $\sqrt{3}$")
    ax.plot([], [], color="#756bb1", lw=2.0, ls=(0, (4, 2)), label=r"$-\mu(x)\,\mathbf{1}$")
    fig.legend(loc="center left", fontsize=10.5, frameon=False, bbox_to_anchor=(0.655, 0.5))
    fig.suptitle(
        r"For $n = 3$, centering moves $x$ along $\mathbf{1}$ into the plane of mean-zero vectors,"
        "\n"
        r"and LN rescales $c(x)$ onto the circle of radius $\sqrt{3}$ in that plane "
        r"($\varepsilon = 10^{-5}$).",
        fontsize=12.5,
        y=0.985,
    )
    fig.text(0.5, 0.872, "proved by lnsym:  " + identity, ha="center", fontsize=12)
    fig.text(
        0.5,
        0.02,
        "LN(x) points the same way as c(x); its arrow is drawn slightly beside c(x) so both show.",
        ha="center",
        fontsize=10,
        color="0.3",
    )
    return fig


# --------------------------------------------------------------------------------------------------
# Figure 2: |LN(x)| against |c(x)|
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LengthData:
    r""":math:`\lVert\operatorname{LN}(x)\rVert` at inputs with prescribed :math:`\lVert c(x)\rVert`."""

    n: int
    centered_norms: np.ndarray  # |c(x)|, one per input
    lengths: dict[float, np.ndarray]  # eps -> |LN(x)| for each input


def length_data(
    n: int = N_MODEL, epsilons: Sequence[float] = EPSILONS, points: int = 161
) -> LengthData:
    r"""Inputs :math:`x = r\,d + m\mathbf{1}` (a fixed centered unit direction d, random means m)
    for :math:`r` from 1e-5 to 1e2, and :math:`\lVert\operatorname{LN}_\varepsilon(x)\rVert`."""
    rng = np.random.default_rng(_SEED)
    direction = rng.normal(size=n)
    direction -= direction.mean()
    direction /= np.linalg.norm(direction)
    radii = np.logspace(-5, 2, points)
    inputs = radii[:, None] * direction + rng.normal(0.0, 3.0, size=(points, 1))
    centered_norm = kernel("norm(c(x))")
    length_of = kernel("norm(LN(x, e))", scalars="e")
    return LengthData(
        n=n,
        centered_norms=centered_norm(inputs),
        lengths={e: length_of(inputs, e=e) for e in epsilons},
    )


def length(data: LengthData | None = None) -> Any:
    """Figure: |LN(x)| against |c(x)| for several ε (how ε bends the sphere near 0)."""
    import matplotlib.pyplot as plt

    data = data or length_data()
    identity = _require_proved("norm(LN(x))", "sqrt(n)*norm(c(x))/sqrt(norm(c(x))**2 + n*eps)")
    fig, ax = plt.subplots(figsize=(7.6, 4.8))
    colors = ("#e6550d", "#31a354", "#3182bd", "#756bb1")
    root_n = np.sqrt(data.n)
    for color, (e, lengths) in zip(colors, data.lengths.items(), strict=False):
        ax.plot(
            data.centered_norms, lengths, color=color, lw=2.2, label=rf"$\varepsilon = {_power(e)}$"
        )
        knee = np.sqrt(data.n * e)
        ax.vlines(knee, 0, root_n, color=color, lw=0.9, ls=":")
        ax.text(
            knee,
            1.025 * root_n,
            rf"$\sqrt{{n\varepsilon}} = {knee:.2g}$",
            color=color,
            ha="center",
            va="bottom",
            fontsize=10,
        )
    ax.axhline(root_n, color="0.3", lw=1.0, ls="--")
    ax.text(
        data.centered_norms[0] * 1.5,
        root_n * 0.96,
        rf"$\sqrt{{n}} = {root_n:.1f}$: the sphere LN maps onto as $\varepsilon \to 0$",
        fontsize=11,
        va="top",
    )
    ax.set_xscale("log")
    ax.set_ylim(0, root_n * 1.13)
    ax.set_xlim(data.centered_norms[0], data.centered_norms[-1])
    ax.set_xlabel(r"$\Vert c(x)\Vert$  (length of the centered input, log scale)", fontsize=12)
    ax.set_ylabel(r"$\Vert \operatorname{LN}(x)\Vert$", fontsize=12)
    ax.set_title(
        f"At n = {data.n}, ‖LN(x)‖ is √n for ‖c(x)‖ well above √(nε), and falls to 0 below it.",
        fontsize=12,
    )
    ax.legend(loc="center left", fontsize=11, frameon=False)
    ax.grid(alpha=0.3, which="major")
    ax.tick_params(labelsize=11)
    fig.text(0.5, 0.03, "proved by lnsym:  " + identity, ha="center", fontsize=12)
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.23, top=0.92)
    return fig


def _power(value: float) -> str:
    exponent = int(np.round(np.log10(value)))
    if np.isclose(value, 10.0**exponent):
        return f"10^{{{exponent}}}"
    return f"{value:g}"


# --------------------------------------------------------------------------------------------------
# Figure 3: error of the uncentered approximation
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UncenteredData:
    r"""Relative error :math:`\lVert\sqrt n\,u_\varepsilon(x) - \operatorname{LN}(x)\rVert /
    \lVert\operatorname{LN}(x)\rVert` for inputs :math:`x = c + m\mathbf{1}` with growing mean."""

    n: int
    std: float  # σ = √Var(x), the same for every input
    means: np.ndarray  # μ(x)
    errors: dict[float, np.ndarray]  # eps -> relative error of √n u_ε(x) at each mean
    #: the relative error of √n u_{nε}(x) (ε scaled by n, still uncentered) at ``scaled_eps``
    scaled_errors: np.ndarray
    scaled_eps: float


def uncentered_data(
    n: int = N_MODEL, epsilons: Sequence[float] = EPSILONS[:2], points: int = 181
) -> UncenteredData:
    r"""The error of the seed's :math:`\sqrt n\, u_\varepsilon(x)` (no centering, ε not scaled
    by n) against :math:`\operatorname{LN}(x)`, for :math:`\mu(x)` from 1e-7 to 1e2 times
    :math:`\sqrt{\operatorname{Var}[x]} = 1`."""
    rng = np.random.default_rng(_SEED + 1)
    centered = rng.normal(size=n)
    centered -= centered.mean()
    centered /= centered.std()
    means = np.logspace(-7, 2, points)
    inputs = centered + means[:, None]
    relative = kernel("norm(sqrt(n)*u(x, e) - LN(x, e))/norm(LN(x, e))", scalars="e")
    scaled = kernel("norm(sqrt(n)*u(x, n*e) - LN(x, e))/norm(LN(x, e))", scalars="e")
    std = kernel("sqrt(Var(x))")
    return UncenteredData(
        n=n,
        std=float(std(centered)),
        means=means,
        errors={e: relative(inputs, e=e) for e in epsilons},
        scaled_errors=scaled(inputs, e=epsilons[0]),
        scaled_eps=epsilons[0],
    )


def uncentered(data: UncenteredData | None = None) -> Any:
    """Figure: the error of the uncentered √n·u_ε(x) (the seed's) and √n·u_{nε}(x) against LN(x)
    as μ(x) grows; the footer states the identity behind the u_{nε} curve and the refutation of
    the u_ε one."""
    import matplotlib.pyplot as plt

    data = data or uncentered_data()
    exact = _require_proved("sqrt(n)*u(x, n*eps)", "x/sqrt(Var(x) + eps)", assume=["mu(x) = 0"])
    refuted = prove("sqrt(n)*u(x, eps)", "LN(x)", assume=["mu(x) = 0"])
    if not refuted.refuted:  # pragma: no cover - a witness always exists
        raise AssertionError("lnsym did not refute sqrt(n)*u(x, eps) = LN(x) given mu(x) = 0")
    fig, ax = plt.subplots(figsize=(8.4, 5.6))
    colors = ("#e6550d", "#3182bd", "#31a354")
    for color, (e, errors) in zip(colors, data.errors.items(), strict=False):
        ax.plot(
            data.means,
            errors,
            color=color,
            lw=2.4,
            label=rf"$\sqrt{{n}}\,u_{{\varepsilon}}(x)$ (the seed's), $\varepsilon = {_power(e)}$;"
            r" floor $\approx \varepsilon / 2\sigma^2$",
        )
        floor = (data.n - 1) * e / (2 * data.n * data.std**2)
        ax.text(
            data.means[0] * 1.6,
            floor * 1.5,
            rf"floor ${_power_text(floor)}$",
            color=color,
            fontsize=10.5,
            va="bottom",
        )
    ax.plot(
        data.means,
        data.scaled_errors,
        color="#31a354",
        lw=1.8,
        ls=(0, (5, 2)),
        label=rf"$\sqrt{{n}}\,u_{{n\varepsilon}}(x)$, $\varepsilon = {_power(data.scaled_eps)}$:"
        r" no floor, exact at $\mu(x) = 0$",
    )
    ax.plot(
        data.means, data.means / data.std, color="0.35", lw=1.1, ls=":", label=r"$\mu(x)/\sigma$"
    )
    ax.axhline(np.sqrt(2.0), color="0.35", lw=0.9, ls="--")
    ax.text(
        data.means[0] * 1.6,
        np.sqrt(2.0) * 1.3,
        r"$\sqrt{2}$: for $\mu \gg \sigma$ the result points along $\mathbf{1}$, "
        r"orthogonal to $\operatorname{LN}(x)$",
        fontsize=10.5,
        color="0.3",
        va="bottom",
    )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(data.means[0], data.means[-1])
    ax.set_ylim(1e-8, 40)
    ax.set_xlabel(
        r"$\mu(x)\,/\,\sigma$, the mean of the input in units of $\sigma = \sqrt{\operatorname{Var}[x]}$"
        " (log scale)",
        fontsize=11.5,
    )
    ax.set_ylabel(
        r"relative error $\Vert f(x) - \operatorname{LN}(x)\Vert / \Vert\operatorname{LN}(x)\Vert$",
        fontsize=11.5,
    )
    ax.set_title(
        f"Without centering, √n·u(x) drifts away from LN(x) as the mean μ(x) grows\n"
        f"(n = {data.n}, σ = √Var[x] = {data.std:.3g} for every input; f(x) is the curve's formula).",
        fontsize=11.5,
    )
    ax.legend(loc="lower right", fontsize=10, frameon=True, framealpha=0.95, edgecolor="0.8")
    ax.grid(alpha=0.3, which="major")
    ax.tick_params(labelsize=11)
    fig.text(
        0.5,
        0.075,
        "proved by lnsym:  " + exact + "   (only μ(x) moves the dashed curve)",
        ha="center",
        fontsize=11,
    )
    fig.text(
        0.5,
        0.025,
        "refuted by lnsym (with a witness):  "
        + _mathtext(latex("sqrt(n)*u(x, eps)"))
        + " = "
        + _mathtext(latex("LN(x)"))
        + "  given  μ(x) = 0   (ε not scaled by n: the floors)",
        ha="center",
        fontsize=11,
    )
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.24, top=0.89)
    return fig


def _power_text(value: float) -> str:
    mantissa, exponent = f"{value:.1e}".split("e")
    return rf"{mantissa} \cdot 10^{{{int(exponent)}}}"


# --------------------------------------------------------------------------------------------------
# Writing them all
# --------------------------------------------------------------------------------------------------

#: file name → function drawing the figure.
FIGURES: dict[str, Callable[[], Any]] = {
    "ln_geometry.png": geometry,
    "ln_length.png": length,
    "ln_uncentered_error.png": uncentered,
}


def write_all(out: str | Path, names: Sequence[str] | None = None) -> list[Path]:
    """Draw the figures (all of :data:`FIGURES`, or ``names``) into the directory ``out``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    unknown = sorted(set(names or ()) - set(FIGURES))
    if unknown:
        raise ValueError(f"unknown figure {', '.join(unknown)}; choose from {', '.join(FIGURES)}")
    written = []
    with matplotlib.rc_context({"font.size": 11, "svg.hashsalt": "lnsym"}):
        for name in names or FIGURES:
            figure = FIGURES[name]()
            path = directory / name
            figure.savefig(path, dpi=DPI, metadata={"Software": None})
            plt.close(figure)
            written.append(path)
    return written
