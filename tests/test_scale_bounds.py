"""The certified per-component bounds next to an attribution (``lnsym.scale_bounds``): the exact
numbers against mpmath written from the definitions (not lnsym's kernels), the bounds holding, the
proofs checked, and the bad inputs."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import mpmath
import numpy as np
import pytest

import lnsym
from lnsym.cli import main
from lnsym.errors import DataError
from lnsym.interp.components import read_components

mpmath.mp.dps = 40


def _center(v: list) -> list:
    mean = sum(v) / len(v)
    return [e - mean for e in v]


def _sigma(v: list, eps: mpmath.mpf, rms: bool) -> mpmath.mpf:
    n = len(v)
    if rms:
        return mpmath.sqrt(sum(e * e for e in v) / n + eps)
    c = _center(v)
    return mpmath.sqrt(sum(e * e for e in c) / n + eps)


def _norm_out(v: list, eps: mpmath.mpf, rms: bool) -> list:
    s = _sigma(v, eps, rms)
    return [e / s for e in (v if rms else _center(v))]


def _dot(a: list, b: list) -> mpmath.mpf:
    return sum(x * y for x, y in zip(a, b, strict=True))


def _truth(parts: list[np.ndarray], w: np.ndarray, s: float, eps: float, rms: bool) -> dict:
    """Per component: (share, through the scale, frozen move), from the definitions in mpmath."""
    mp = [[mpmath.mpf(float(e)) for e in p] for p in parts]
    reader = [mpmath.mpf(float(e)) for e in w]
    e = mpmath.mpf(eps)
    x = [sum(col) for col in zip(*mp, strict=True)]
    sigma = _sigma(x, e, rms)
    out = {"share": [], "mediated": [], "frozen": []}
    for a in mp:
        r = [xi - ai for xi, ai in zip(x, a, strict=True)]
        read = _dot(reader, a if rms else _center(a))
        change = _dot(reader, _norm_out(x, e, rms)) - _dot(reader, _norm_out(r, e, rms))
        out["share"].append(read / sigma)
        out["mediated"].append(change - read / sigma)
        out["frozen"].append(read / sigma - read / mpmath.mpf(s))
    return {k: np.array([float(v) for v in vs]) for k, vs in out.items()}


@pytest.mark.parametrize("norm", ["LN", "RMS"])
@pytest.mark.parametrize("eps", [1e-5, 0.3])
def test_numbers_equal_the_definitions_and_stay_within_their_bounds(norm: str, eps: float) -> None:
    rng = np.random.default_rng(7)
    n = 12
    parts = [rng.normal(size=n) * scale for scale in (0.5, 2.0, 7.0)]
    w, g = rng.normal(size=n), 1 + 0.4 * rng.normal(size=n)  # a non-trivial gain
    found = lnsym.scale_bounds(parts, w, g=g, frozen_scale=1.7, eps=eps, norm=norm)
    truth = _truth(parts, w * g, 1.7, eps, rms=norm == "RMS")
    assert found.frozen is not None and found.frozen_bound is not None
    np.testing.assert_allclose(found.share, truth["share"], rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(found.mediated, truth["mediated"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(found.frozen, truth["frozen"], rtol=1e-12, atol=1e-13)
    assert found.holds
    assert np.all(np.abs(found.mediated) <= found.mediated_bound)
    assert np.all(np.abs(found.frozen) <= found.frozen_bound)
    # the direct shares are the attribution's shares
    shares = lnsym.attribute(parts, w, g=g, eps=eps, norm=norm).shares
    np.testing.assert_allclose(found.share, np.asarray(shares), rtol=1e-12, atol=1e-13)
    assert all(p.status is lnsym.Status.PROVED for p in found.proofs)


@pytest.mark.parametrize("norm", ["LN", "RMS"])
def test_the_bounds_are_checked_by_the_trusted_checker(norm: str) -> None:
    found = lnsym.scale_bounds(
        {"attn": [1.0, 2.0, 4.0], "mlp": [0.5, -1.0, 3.0]},
        [1.0, 0, -1.0],
        frozen_scale=2.0,
        norm=norm,
    )
    assert len(found.proofs) == 3  # the frozen-scale bound and the two links of the mediated one
    assert found.certified and all(p.checked for p in found.proofs), found.report()
    assert f"scale bounds ({norm}): every bound proved for all n, certificates checked by" in (
        found.report()
    )
    without = lnsym.scale_bounds({"attn": [1.0, 2.0, 4.0]}, [1.0, 0, -1.0], norm=norm)
    assert without.frozen is None and without.certified  # no frozen scale given: no frozen bound


def test_batches_of_rows_and_a_frozen_scale_per_row() -> None:
    rng = np.random.default_rng(3)
    parts = {f"h{k}": rng.normal(size=(4, 8)) for k in range(3)}
    s = np.array([0.5, 1.0, 2.0, 4.0])
    found = lnsym.scale_bounds(parts, rng.normal(size=8), frozen_scale=s)
    assert found.share.shape == found.mediated.shape == (3, 4)
    assert found.frozen is not None and found.frozen.shape == (3, 4)
    assert found.holds
    one_row = lnsym.scale_bounds({k: v[2] for k, v in parts.items()}, np.ones(8), frozen_scale=2.0)
    assert one_row.share.shape == (3,)


def test_the_bound_is_reached_closely_where_the_geometry_allows() -> None:
    # one component along the reader, the rest tiny: the frozen-scale move equals its bound
    w = np.array([1.0, -1.0, 0.0, 0.0])
    found = lnsym.scale_bounds([w * 3.0, np.array([0.0, 0.0, 1e-9, -1e-9])], w, frozen_scale=0.25)
    assert found.frozen is not None and found.frozen_bound is not None
    assert abs(found.frozen[0]) == pytest.approx(found.frozen_bound[0], rel=1e-9)


def test_holds_fails_on_a_doctored_bound() -> None:
    found = lnsym.scale_bounds(
        [[1.0, 2.0, 4.0], [3.0, -1.0, 0.5]], [1.0, 0, -1.0], frozen_scale=0.1
    )
    assert found.holds
    assert not dataclasses.replace(found, mediated_bound=found.mediated_bound / 1e3).holds
    assert found.frozen_bound is not None
    assert not dataclasses.replace(found, frozen_bound=found.frozen_bound * 0).holds


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"frozen_scale": 0.0}, "frozen_scale= must be positive"),
        ({"frozen_scale": -1.0}, "frozen_scale= must be positive"),
        ({"w": [[1.0, 2.0, 3.0]]}, "w: expected one reader vector"),
        ({"w": [1.0, 2.0]}, "w has length 2 but the components have length 3"),
        ({"components": []}, "no components given"),
        ({"components": {"a": [1.0, 2.0, 4.0], "b": [1.0, 2.0]}}, "shapes do not broadcast"),
        ({"norm": "BN"}, "norm='BN'"),
    ],
)
def test_bad_input_is_one_clear_error(kwargs: dict, message: str) -> None:
    call = {"components": [[1.0, 2.0, 4.0]], "w": [1.0, 0.0, -1.0], **kwargs}
    with pytest.raises(DataError, match=message.replace("(", r"\(")):
        lnsym.scale_bounds(call.pop("components"), call.pop("w"), **call)


def test_the_command_line_prints_the_bounds_and_names_its_flags(
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = ["attribute", "--component", "a=1,2,4,-1", "--component", "b=0.5,-1,3,2"]
    base += ["--set", "w=1,0,-1,0.5", "--set", "g=1.2,0.9,1.1,1"]
    assert main([*base, "--scale-bounds", "--frozen-scale", "1.5"]) == 0
    out = capsys.readouterr().out
    assert "scale bounds (LN): every bound proved for all n, certificates checked" in out
    assert "a: share -1.815, through the scale 0.6299 (bound 2.385)" in out
    assert main([*base, "--scale-bounds", "--json", "--norm", "RMS"]) == 0
    data = json.loads(capsys.readouterr().out)["scale_bounds"]
    assert data["certified"] is True and data["holds"] is True and data["frozen"] is None
    assert all(p["checked"] for p in data["proofs"])
    assert main([*base, "--scale-bounds", "--frozen-scale", "-1"]) == 2
    assert "--frozen-scale must be positive" in capsys.readouterr().err
    assert main([*base, "--frozen-scale", "1.5"]) == 2
    assert "--frozen-scale needs --scale-bounds" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("components", "names", "message"),
    [
        ([], None, "no components given; attribution needs at least one"),
        ([[1.0, 2.0]], ["a", "b"], "2 names for 1 components"),
        ({"a": [1.0, 2.0], "c": [0.0, 1.0]}, ["b", "b"], "component names repeat: ['b', 'b']"),
        (np.ones(2), None, r"components: give one row per component \(shape \(K, ..., n\)\)"),
        ([np.ones((2, 2)), np.ones((3, 2))], None, "the components' shapes do not broadcast"),
    ],
)
def test_attribution_and_scale_bounds_refuse_components_alike(
    components: Any, names: list[str] | None, message: str
) -> None:
    """One reading of the components (lnsym.interp.components), one message for each refusal
    (the broadcast is refused by stack_components, after the reading)."""
    with pytest.raises(DataError, match=message.replace("[", r"\[")) as attributed:
        lnsym.attribute(components, [1.0, 0.0], names=names)
    if "broadcast" not in message:
        with pytest.raises(DataError) as read:
            read_components(components, names)
        assert str(read.value) == str(attributed.value)
    if names is None:  # scale_bounds takes no names
        with pytest.raises(DataError) as bounded:
            lnsym.scale_bounds(components, [1.0, 0.0])
        assert str(bounded.value) == str(attributed.value)
