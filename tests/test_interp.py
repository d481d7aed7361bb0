"""lnsym.interp: folding, direct logit attribution, compare, per-column LN — proved and checked."""

from __future__ import annotations

import statistics
from pathlib import Path

import mpmath
import numpy as np
import pytest

from _data import LN_LOGIT, UNCENTERED_LOGIT, shared
from lnsym.errors import DataError, LnsymError
from lnsym.install import needs
from lnsym.interp import IDENTITIES, attribute, compare, fold, layer_norm_columns
from lnsym.interp.attribution import gather_components
from lnsym.interp.explain import prover_takes_limits
from lnsym.interp.identities import (
    CENTERED_FOLD,
    FOLD,
    PER_COMPONENT_LN,
    RMS_READER_CENTERING,
    SCALE_INVARIANCE_WITH_EPS,
    IdentityNotProvedError,
    attribution_identity,
    check,
    require,
)
from lnsym.interp.values import check_names, take_eps, take_reader
from lnsym.kernels import kernel
from lnsym.lang.parser import Context, parse
from lnsym.numeric.data import Data, load, read_value
from lnsym.numeric.mpmath_eval import evaluate_mp
from lnsym.prover.statement import Statement
from lnsym.prover.verdict import Status


def reference_ln(x: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """Row-wise LN written out with NumPy (biased variance, eps inside the root)."""
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps)


# --------------------------------------------------------------------------------------------------
# identities: proved, or refuted with a witness that really separates the two sides
# --------------------------------------------------------------------------------------------------


def _witness_separates(identity: Statement) -> None:
    proof = check(identity)
    witness = proof.witness
    assert proof.status is Status.REFUTED and witness is not None
    context = Context(vectors=identity.vectors, scalars=identity.scalars)
    sides = [
        evaluate_mp(parse(text, context), witness.values, n=witness.n, eps=witness.eps, digits=40)
        for text in (identity.lhs, identity.rhs)
    ]
    lhs, rhs = ([v] if not isinstance(v, list) else v for v in sides)
    gap = max(abs(p - q) for p, q in zip(lhs, rhs, strict=True))
    assert gap > mpmath.mpf("1e-10")


@pytest.mark.parametrize("name", sorted(IDENTITIES))
def test_every_identity_gets_its_expected_verdict(name: str) -> None:
    identity = IDENTITIES[name]
    proof = require(identity)
    assert proof.status is identity.expect
    if identity.expect is Status.REFUTED:
        _witness_separates(identity)


@pytest.mark.parametrize(
    "identity", [RMS_READER_CENTERING, PER_COMPONENT_LN, SCALE_INVARIANCE_WITH_EPS]
)
def test_false_variants_are_refuted_with_witnesses(identity: Statement) -> None:
    assert identity.expect is Status.REFUTED
    _witness_separates(identity)


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_attribution_identity_is_proved_for_k_components(count: int) -> None:
    identity = attribution_identity(count)
    assert identity.vectors[-count:] == tuple(f"a{k}" for k in range(1, count + 1))
    assert check(identity).status is Status.PROVED


def test_require_raises_when_the_verdict_is_not_the_expected_one() -> None:
    wrong = Statement("LN(x)", "sqrt(n)*u(c(x), eps)", name="wrong on purpose")
    with pytest.raises(IdentityNotProvedError, match="expected 'wrong on purpose'"):
        require(wrong)
    assert isinstance(IdentityNotProvedError("x"), LnsymError)


# --------------------------------------------------------------------------------------------------
# fold
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("center", [False, True])
def test_fold_matches_the_unfolded_logit_on_random_data(seed: int, center: bool) -> None:
    rng = np.random.default_rng(seed)
    n, readers, rows = 48, 5, 7
    w = rng.normal(size=(readers, n))
    g = rng.normal(size=n) + 1
    beta = rng.normal(size=n)
    b = rng.normal(size=readers)
    x = 4 * rng.normal(size=(rows, n)) + 10 * rng.normal(size=(rows, 1))  # large means
    result = fold(w, g, beta, b, center=center, x=x)
    assert result.proof.status is Status.PROVED
    assert result.identity is (CENTERED_FOLD if center else FOLD)
    assert ("c(hadamard(g, w))" in str(result.proof.rhs)) is center
    # independent reference: the unfolded logit written out with numpy
    unfolded = (g * reference_ln(x)) @ w.T + beta @ w.T + b
    folded = reference_ln(x) @ result.reader.T + result.bias
    np.testing.assert_allclose(result.check.unfolded, unfolded, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(folded, unfolded, rtol=1e-12, atol=1e-12)
    assert result.check.ok and not result.check.random
    expected = g * w
    if center:
        expected = expected - expected.mean(axis=-1, keepdims=True)
        np.testing.assert_allclose(result.reader.sum(axis=-1), 0, atol=1e-12)
    np.testing.assert_allclose(result.reader, expected, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(result.bias, w @ beta + b, rtol=1e-13)


def test_fold_defaults_and_random_check() -> None:
    result = fold([1.0, -2.0, 0.5, 4.0])
    assert result.reader.tolist() == [1.0, -2.0, 0.5, 4.0]
    assert float(result.bias) == 0.0
    assert result.check is not None and result.check.random and result.check.ok
    assert result.check.unfolded.shape == (16,)


def test_fold_with_readers_as_columns_axis_0() -> None:
    rng = np.random.default_rng(3)
    n, vocab = 16, 6
    w_u = rng.normal(size=(n, vocab))  # TransformerLens W_U: (d_model, d_vocab)
    g, beta = rng.normal(size=n), rng.normal(size=n)
    result = fold(w_u, g, beta, center=True, axis=0)
    assert result.reader.shape == (n, vocab)
    np.testing.assert_allclose(result.reader.sum(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(result.bias, beta @ w_u, rtol=1e-13)
    assert result.check.ok


def test_centering_the_reader_is_wrong_after_rmsnorm_numerically() -> None:
    rng = np.random.default_rng(4)
    w, x = rng.normal(size=8), rng.normal(size=8) + 3
    rms = kernel("RMS(x)")(x)
    assert abs(w @ rms - (w - w.mean()) @ rms) > 1e-3
    ln = kernel("LN(x)")(x)
    assert w @ ln == pytest.approx((w - w.mean()) @ ln, abs=1e-12)


def test_fold_rejects_bad_shapes() -> None:
    with pytest.raises(DataError, match="different lengths"):
        fold([1.0, 2.0], g=[1.0, 2.0, 3.0])
    with pytest.raises(DataError, match="one vector"):
        fold([1.0, 2.0], g=[[1.0, 2.0]])
    with pytest.raises(DataError, match="number"):
        fold(3.0)
    with pytest.raises(DataError, match="NaN"):
        fold([1.0, float("nan")])


def test_fold_on_the_pythia_vectors() -> None:
    w = load(shared("probe_token.jl"))
    x = load(shared("pre_norm.jl"))
    for center in (False, True):
        result = fold(w, b=0.8328, x=x, center=center)
        assert result.check.ok
        assert float(result.check.folded) == pytest.approx(float(LN_LOGIT), rel=1e-13)
        assert float(result.check.unfolded) == pytest.approx(float(LN_LOGIT), rel=1e-13)


# --------------------------------------------------------------------------------------------------
# direct logit attribution
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 3, 9])  # 9 > DIRECT_ATTRIBUTION_MAX: proved by induction
def test_shares_sum_to_the_logit(count: int) -> None:
    rng = np.random.default_rng(count)
    n = 32
    parts = rng.normal(size=(count, n)) * rng.uniform(0.5, 5, size=(count, 1)) + rng.normal(
        size=(count, 1)
    )
    w, g, beta = rng.normal(size=n), rng.normal(size=n) + 1, rng.normal(size=n)
    result = attribute(parts, w, g=g, beta=beta, b=0.25)
    assert all(p.status is Status.PROVED for p in result.proofs)
    assert len(result.proofs) == (1 if count <= 6 else 3)
    assert result.ok and result.error < 1e-12
    x = parts.sum(axis=0)
    logit = w @ (g * reference_ln(x) + beta) + 0.25
    assert float(result.logit) == pytest.approx(logit, rel=1e-13)
    assert float(result.total) == pytest.approx(logit, rel=1e-12)
    # independent reference: TransformerLens's apply_ln_to_stack (center each part, shared scale)
    scale = np.sqrt(((x - x.mean()) ** 2).mean() + 1e-5)
    reference = ((parts - parts.mean(axis=1, keepdims=True)) / scale) @ (g * w)
    np.testing.assert_allclose(result.shares, reference, rtol=1e-12, atol=1e-13)
    assert float(result.bias) == pytest.approx(w @ beta + 0.25)
    assert float(result.scale) == pytest.approx(np.sqrt(n) / np.sqrt(n * scale**2), rel=1e-13)


def test_per_component_ln_is_a_different_quantity() -> None:
    rng = np.random.default_rng(7)
    parts = {
        "emb": rng.normal(size=16) + 2,
        "attn": 3 * rng.normal(size=16),
        "mlp": rng.normal(size=16),
    }
    w = rng.normal(size=16)
    result = attribute(parts, w)
    assert result.names == ("emb", "attn", "mlp")
    separate = np.array([w @ reference_ln(p) for p in parts.values()])
    np.testing.assert_allclose(result.separate, separate, rtol=1e-12)
    assert abs(float(result.separate_gap)) > 1e-3  # per-component LN does not add up to the logit
    assert result.ok
    assert result.refutation.status is Status.REFUTED and result.refutation.witness is not None
    _witness_separates(PER_COMPONENT_LN)


def test_attribution_over_a_batch_of_tokens_and_columns() -> None:
    rng = np.random.default_rng(8)
    tokens, n = 5, 12
    parts = [rng.normal(size=(tokens, n)) + 1 for _ in range(3)]
    w = rng.normal(size=n)
    rows = attribute(parts, w)
    assert rows.shares.shape == (3, tokens) and rows.logit.shape == (tokens,)
    np.testing.assert_allclose(rows.total, rows.logit, atol=1e-12)
    np.testing.assert_allclose(rows.logit, reference_ln(sum(parts)) @ w, rtol=1e-12)
    columns = attribute([p.T for p in parts], w, axis=0)  # llm-viz layout: one column per token
    np.testing.assert_allclose(columns.shares, rows.shares, rtol=1e-13, atol=1e-14)


def test_attribution_on_the_pythia_vectors() -> None:
    x = load(shared("pre_norm.jl")).array
    w = load(shared("probe_token.jl")).array
    rng = np.random.default_rng(9)
    a1, a2 = rng.normal(size=x.size), rng.normal(size=x.size) + 0.3
    result = attribute({"a1": a1, "a2": a2, "rest": x - a1 - a2}, w, b=0.8328)
    assert float(result.logit) == pytest.approx(float(LN_LOGIT), rel=1e-12)
    assert float(result.total) == pytest.approx(float(LN_LOGIT), rel=1e-12)
    assert result.ok


def test_attribution_errors() -> None:
    with pytest.raises(DataError, match="no components"):
        attribute([], [1.0, 2.0])
    with pytest.raises(DataError, match="different lengths"):
        attribute([[1.0, 2.0, 3.0]], [1.0, 2.0])
    with pytest.raises(DataError, match="names"):
        attribute([[1.0, 2.0]], [1.0, 2.0], names=["a", "b"])
    with pytest.raises(DataError, match="one per reader"):
        attribute([[1.0, 2.0]], [[1.0, 2.0], [0.0, 1.0]], b=[1.0, 2.0, 3.0], w_axis=-1)
    # a square reader matrix is ambiguous (W_U with d_vocab == d_model): the error names w_axis
    with pytest.raises(DataError, match="w_axis=0"):
        attribute([[1.0, 2.0]], [[1.0, 2.0], [0.0, 1.0]])
    # neither axis has length n: the error names w_axis too
    with pytest.raises(DataError, match="w_axis"):
        attribute([[1.0, 2.0, 3.0]], np.ones((2, 4)))
    # the LN shift given as b (TransformerLens's ln.b) is pointed to beta=
    with pytest.raises(DataError, match="beta="):
        attribute([[1.0, 2.0, 3.0]], np.ones((3, 5)), b=[0.1, 0.2, 0.3])
    with pytest.raises(DataError, match="w is a number"):
        attribute([[1.0, 2.0]], 3.0)


# --------------------------------------------------------------------------------------------------
# compare
# --------------------------------------------------------------------------------------------------


def test_compare_proved_has_zero_difference() -> None:
    result = compare("LN(x)", "sqrt(n)*u(c(x), n*eps)", {"x": [1.0, 2.0, 3.0, 6.0]})
    assert result.status == "proved" and result.difference == 0
    assert result.lhs_value == result.rhs_value
    assert float(result.size) == 0.0 and result.conditions == ()


def test_compare_residual_equals_the_difference_of_values() -> None:
    result = compare("sqrt(n)*u(x, n*eps)", "LN(x)", {"x": [1.0, 2.0, 3.0, 6.0]}, digits=25)
    assert result.status == "refuted" and result.difference != 0
    for d, r in zip(result.difference_value, result.residual_value, strict=True):
        assert abs(mpmath.mpf(d) - mpmath.mpf(r)) < mpmath.mpf("1e-22")
    assert ("mu(x) = 0",) in result.conditions
    assert dict((q.name, q.value) for q in result.quantities)["mu(x)"] == "3.0"


def test_compare_names_on_one_side_only() -> None:
    """Issue 18: each side's float64 kernel takes its own names (x on the left, y on the right),
    never both: an internal TypeError before. Values against NumPy and mpmath, not lnsym."""
    x, y = [1.0, 2.0, 3.0, 6.0], [0.0, 1.0, 5.0, 2.0]
    result = compare("LN(x)", "LN(y)", {"x": x, "y": y})
    assert result.status == "refuted"
    np.testing.assert_allclose(result.lhs_float, reference_ln(np.array(x)), rtol=1e-14)
    np.testing.assert_allclose(result.rhs_float, reference_ln(np.array(y)), rtol=1e-14)
    with mpmath.workdps(40):

        def ln(v: list[float]) -> list[mpmath.mpf]:
            mean = mpmath.fsum(v) / len(v)
            var = mpmath.fsum((a - mean) ** 2 for a in v) / len(v)
            return [(a - mean) / mpmath.sqrt(var + mpmath.mpf("1e-5")) for a in v]

        truth = [p - q for p, q in zip(ln(x), ln(y), strict=True)]
        for got, want in zip(result.difference_value, truth, strict=True):
            assert abs(mpmath.mpf(got) - want) < mpmath.mpf("1e-25")
    # a scalar on one side only, a vector on the other
    one_side = compare("dot(w, x) + b", "b", {"x": x, "w": [1.0, 0.0, 0.0, 1.0], "b": 2.0})
    assert one_side.lhs_float == pytest.approx(9.0) and one_side.lhs_value == "9.0"
    assert one_side.rhs_value == "2.0" and one_side.difference_value == "7.0"


def test_compare_scale_invariance_only_in_the_limit() -> None:
    result = compare("LN(2*x)", "LN(x)", {"x": [1.0, 2.0, 3.0, 6.0]})
    assert result.status == "refuted" and float(result.size) > 1e-7
    knobs = {q.name: q.value for q in result.knobs}
    assert knobs["eps -> 0"] in ("0.0", "0")
    if prover_takes_limits():
        assert result.conditions == (("eps -> 0",),)


def test_compare_the_seed_formula_on_the_pythia_vectors() -> None:
    values = {"x": shared("pre_norm.jl"), "w": shared("probe_token.jl"), "b": "0.8328"}
    result = compare("dot(w, sqrt(n)*u(x, eps)) + b", "dot(w, LN(x)) + b", values)
    assert result.n == 512 and result.eps == "1e-5"
    assert result.lhs_value == UNCENTERED_LOGIT
    assert result.rhs_value == LN_LOGIT
    assert result.lhs_float == pytest.approx(11.40785559974425, rel=1e-14)
    with mpmath.workdps(50):
        gap = mpmath.mpf(UNCENTERED_LOGIT) - mpmath.mpf(LN_LOGIT)
        assert abs(mpmath.mpf(result.difference_value) - gap) < mpmath.mpf(
            "1e-28"
        )  # the references have 30 digits
        assert abs(mpmath.mpf(result.residual_value) - gap) < mpmath.mpf(
            "1e-28"
        )  # the references have 30 digits
    quantities = {q.name: q.value for q in result.quantities}
    assert mpmath.mpf(quantities["mu(x)"]) == mpmath.mpf("9.765625e-7")
    assert quantities["eps"] == "1.0e-5" and quantities["n"] == "512"
    knobs = {q.name: mpmath.mpf(q.value) for q in result.knobs}
    assert knobs["eps -> 0"] < 1e-10 < knobs["mu(x) -> 0"]  # ε carries almost all of the gap
    if prover_takes_limits():
        assert result.conditions == (("mu(x) = 0", "eps -> 0"),)
    assert "mu(x) = 9.765625e-7" in result.report()


def test_compare_errors() -> None:
    with pytest.raises(DataError, match="no value given for 'w'"):
        compare("dot(w, LN(x))", "0", {"x": [1.0, 2.0]})
    with pytest.raises(DataError, match="different lengths"):
        compare("dot(w, LN(x))", "0", {"x": [1.0, 2.0], "w": [1.0, 2.0, 3.0]})
    with pytest.raises(DataError, match="undefined on these data"):
        compare("LN(x, 0)", "x", {"x": [2.0, 2.0, 2.0]})  # c(x) = 0: 0/0
    with pytest.raises(DataError, match="no value given for 'y'"):
        compare("LN(y)", "LN(x)", {"x": [1.0, 2.0]})
    with pytest.raises(LnsymError, match="cannot add a vector and a scalar"):
        compare("x + 1", "x", {"x": [1.0, 2.0]})


# --------------------------------------------------------------------------------------------------
# per-column LN (llm-viz)
# --------------------------------------------------------------------------------------------------


def test_per_column_layer_norm_against_an_independent_reference() -> None:
    rng = np.random.default_rng(10)
    channels, tokens = 12, 5  # llm-viz: C rows, one column per token
    matrix = 3 * rng.normal(size=(channels, tokens)) + rng.normal(size=(1, tokens)) * 50
    g, beta = rng.normal(size=channels), rng.normal(size=channels)
    result = layer_norm_columns(matrix, g, beta)
    assert result.shape == (channels, tokens)
    for t in range(tokens):  # pure Python, column by column: statistics' mean and biased variance
        column = [float(v) for v in matrix[:, t]]
        mean, var = statistics.fmean(column), statistics.pvariance(column)
        expected = [
            gi * (v - mean) / (var + 1e-5) ** 0.5 + bi
            for v, gi, bi in zip(column, g, beta, strict=True)
        ]
        np.testing.assert_allclose(result[:, t], expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(result, layer_norm_columns(matrix.T, g, beta, axis=-1).T, atol=1e-14)


def test_per_column_layer_norm_matches_torch_when_installed() -> None:
    torch = pytest.importorskip("torch", reason=needs("this test", "torch"))
    rng = np.random.default_rng(11)
    matrix = rng.normal(size=(16, 4)) + 7
    g, beta = rng.normal(size=16), rng.normal(size=16)
    expected = (
        torch.nn.functional.layer_norm(
            torch.tensor(matrix.T), (16,), torch.tensor(g), torch.tensor(beta), eps=1e-5
        )
        .numpy()
        .T
    )
    np.testing.assert_allclose(
        layer_norm_columns(matrix, g, beta), expected, rtol=1e-10, atol=1e-12
    )


def test_per_column_layer_norm_rejects_wrong_gain() -> None:
    with pytest.raises(DataError, match="one entry per row"):
        layer_norm_columns(np.ones((3, 2)), g=[1.0, 2.0])


def test_compare_flags_assumptions_the_data_violates() -> None:
    lhs, rhs = "sqrt(n)*u(x, n*eps)", "x/sqrt(Var(x) + eps)"
    centred = compare(lhs, rhs, {"x": [-1.0, 0.0, 1.0]}, assume=["mu(x) = 0"])
    assert centred.status == "proved" and centred.violated == ()
    assert float(centred.size) == 0.0
    shifted = compare(lhs, rhs, {"x": [1.0, 2.0, 3.0]}, assume=["mu(x) = 0"])
    assert shifted.status == "proved" and shifted.violated == ("mu(x) = 0",)
    assert float(shifted.size) > 0.5  # the proof does not apply to these data
    assert "does not satisfy the assumption mu(x) = 0" in shifted.report()


# --------------------------------------------------------------------------------------------------
# the derivations of this issue: every step proved, every claim refuted with a witness
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "10-fold-affine-ln.toml",
        "11-direct-logit-attribution.toml",
        "12-eps-limit.toml",
        "13-sandwich.toml",
    ],
)
def test_interpretability_derivations_check(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    from lnsym.cli import main

    path = Path(__file__).resolve().parents[1] / "derivations" / name
    code = main(["derive", str(path)])  # exit 0: every step proved, every claim refuted
    out = capsys.readouterr().out
    assert code == 0, out
    assert "refuted as expected" in out and "FAILED" not in out


def test_compare_a_vector_with_zero() -> None:
    result = compare("c(x)", "0", {"x": [1.0, 2.0, 3.0]})
    assert result.status == "refuted" and str(result.difference) == "c(x)"
    assert result.difference_value == ["-1.0", "0.0", "1.0"] and result.rhs_float == 0.0
    assert result.size.startswith("1.41421356237309504880168872")


# --------------------------------------------------------------------------------------------------
# what the command line calls: writers on the results, named values
# --------------------------------------------------------------------------------------------------


def test_fold_and_attribution_save_their_arrays(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    W, g, beta, b = rng.normal(size=(5, 3)), rng.normal(size=5), rng.normal(size=5), rng.normal(3)
    result = fold(W, g, beta, b, axis=0)
    written = result.save(str(tmp_path / "W.npy"))
    assert written == (str(tmp_path / "W.npy"), str(tmp_path / "W_bias.npy"))
    np.testing.assert_array_equal(np.load(tmp_path / "W.npy"), g[:, None] * W)  # exact: one product
    np.testing.assert_allclose(np.load(tmp_path / "W_bias.npy"), W.T @ beta + b, rtol=1e-13)
    assert result.save(None, str(tmp_path / "b.csv")) == ("", str(tmp_path / "b.csv"))
    np.testing.assert_array_equal(load(tmp_path / "b.csv").array, np.load(tmp_path / "W_bias.npy"))
    assert result.save() == ()
    assert "wrote the folded bias to" in result.report(written)
    parts = rng.normal(size=(2, 4, 5))
    shares = attribute(parts, W, w_axis=0)
    shares.save(str(tmp_path / "shares.npy"))
    np.testing.assert_array_equal(np.load(tmp_path / "shares.npy"), shares.shares)
    with pytest.raises(DataError, match="a 3-axis array does not fit a text table"):
        shares.save(str(tmp_path / "shares.csv"))


def test_named_values_as_the_command_line_gives_them() -> None:
    values = {"W": read_value("[1, 2]"), "eps": read_value("0.5")}
    with pytest.raises(DataError, match=r"values\['W'\]: expected a matrix d_model x d_vocab"):
        take_reader(dict(values), None, "fold")
    with pytest.raises(DataError, match=r"^fold\(\): give w \(a reader\) or W"):
        take_reader({"w": values["W"], "W": values["W"]}, None, "fold")
    with pytest.raises(DataError, match=r"no reader given; add 'w' .* or 'W'"):
        take_reader({}, None, "fold")
    matrix = Data(np.ones((3, 2)), "W")
    assert take_reader({"W": matrix}, None, "fold") == (matrix, 0)
    assert take_reader({"w": matrix}, None, "fold") == (matrix, -1)
    assert take_reader({"W": matrix}, 1, "fold")[1] == 1
    assert take_eps(values, 1e-5) == 0.5 and "eps" not in values and take_eps(values, 3.0) == 3.0
    for bad in ("0", "-1", "1,2"):
        with pytest.raises(DataError, match="the regularizer must be one positive number"):
            take_eps({"eps": read_value(bad)}, 1e-5)
    check_names({"w": 1, "eps": 2}, ("w", "eps"), "attribute")
    with pytest.raises(DataError, match=r"values\['x'\]: attribute\(\) takes w, eps; 'x' is not"):
        check_names({"w": 1, "x": 2}, ("w", "eps"), "attribute")


def test_gather_components() -> None:
    stack = np.arange(24.0).reshape(3, 2, 4)
    named = {"emb": Data(np.ones(4), "emb")}
    gathered = gather_components(named, stack, "dir/parts.npy")
    # NumPy's indices, like the report's rows and readers (issue 18: they counted from 1)
    assert list(gathered) == ["emb", "parts[0]", "parts[1]", "parts[2]"]
    for k in range(3):
        np.testing.assert_array_equal(gathered[f"parts[{k}]"], stack[k])
    with pytest.raises(DataError, match=r"^components= v\.npy: expected a stack"):
        gather_components({}, np.ones(4), "v.npy")
    with pytest.raises(DataError, match=r"component p\[1\] is given twice"):
        gather_components({"p[1]": Data(np.ones(4), "p")}, stack, "p.npy")
    with pytest.raises(DataError, match="no components; give at least one"):
        gather_components({})


# --------------------------------------------------------------------------------------------------
# RMSNorm attribution, huge components, a tight identity bound (issue 21, issue 19)
# --------------------------------------------------------------------------------------------------


def test_rms_attribution_against_numpy() -> None:
    rng = np.random.default_rng(5)
    n = 16
    parts = rng.standard_normal((3, 4, n)) + 2.0  # large means: centring would matter
    w, g, beta = rng.standard_normal(n), 1 + 0.3 * rng.standard_normal(n), rng.standard_normal(n)
    result = attribute(parts, w, g=g, beta=beta, b=0.25, norm="RMS")
    x = parts.sum(0)
    rms = np.sqrt((x**2).mean(-1) + 1e-5)
    np.testing.assert_allclose(result.shares, (parts * g) @ w / rms, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(result.logit, (g * x / rms[:, None] + beta) @ w + 0.25, rtol=1e-12)
    assert result.ok and result.norm == "RMS"
    assert result.proofs[0].proved and "RMS" in result.proofs[0].statement()
    assert result.refutation.status.value == "refuted"
    # LayerNorm's shares on the same data are another quantity: their sum misses the RMS logit
    ln = attribute(parts, w, g=g, beta=beta, b=0.25)
    assert float(np.max(np.abs(ln.total - result.logit))) > 1e-2
    with pytest.raises(DataError, match="norm="):
        attribute(parts, w, norm="batch")


def test_huge_components_give_the_right_shares() -> None:
    """Issue 19: a = (1e200, -1e200, 0), b = (0, 0, 1), w = (1, 0, 0). The scale is computed
    without overflow: a's share is sqrt(3/2) (exactly: c(a)_1 = 1e200, |c(x)| = sqrt(2)·1e200),
    never 0 with ok=True."""
    result = attribute({"a": [1e200, -1e200, 0.0], "b": [0.0, 0.0, 1.0]}, [1.0, 0.0, 0.0])
    assert float(result.shares[0]) == pytest.approx(np.sqrt(1.5), rel=1e-12)
    assert abs(float(result.shares[1])) < 1e-150
    if not np.isclose(float(result.logit), np.sqrt(1.5), rtol=1e-12):
        assert not result.ok  # the logit itself went wrong: the check must say so


def test_identity_bound_is_tight() -> None:
    """The identity's rounding bound is at most a few hundred times the error really seen (it was
    ~1e5 times at GPT-2 scale), and a float32 share that is off by 1e-3 fails it."""
    rng = np.random.default_rng(7)
    n, vocab = 256, 300
    parts = rng.standard_normal((8, 3, n)).astype(np.float32)
    W = (0.05 * rng.standard_normal((n, vocab))).astype(np.float32)
    g = (1 + 0.3 * rng.standard_normal(n)).astype(np.float32)
    result = attribute(parts, W, g=g, w_axis=0)
    assert result.ok and result.error > 0
    assert result.tolerance < 300 * result.error
    assert result.tolerance < 1e-3


def test_a_zero_component_changes_nothing_else() -> None:
    """A component that is exactly zero (the bias row of TL's head decomposition) is left out of
    the centring kernel: its share is 0 and the others are the shares without it, bit for bit."""
    rng = np.random.default_rng(11)
    parts = rng.standard_normal((3, 4, 16)) + 0.5
    w, g, beta = rng.standard_normal(16), 1 + 0.3 * rng.standard_normal(16), rng.standard_normal(16)
    without = attribute(parts, w, g=g, beta=beta)
    padded = np.concatenate([parts[:1], np.zeros((1, 4, 16)), parts[1:]])
    with_zero = attribute(padded, w, g=g, beta=beta)
    assert with_zero.ok and np.all(with_zero.shares[1] == 0)
    np.testing.assert_array_equal(with_zero.shares[[0, 2, 3]], without.shares)
    np.testing.assert_array_equal(with_zero.logit, without.logit)
    # a matrix of readers (float32 products): the same shares to rounding, and still ok
    W = rng.standard_normal((16, 40)).astype(np.float32)
    many = attribute(padded.astype(np.float32), W, g=g, beta=beta, w_axis=0)
    few = attribute(parts.astype(np.float32), W, g=g, beta=beta, w_axis=0)
    assert many.ok and np.all(many.shares[1] == 0)
    np.testing.assert_allclose(many.shares[[0, 2, 3]], few.shares, rtol=1e-5, atol=1e-5)
