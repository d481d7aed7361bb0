"""The TransformerLens adapter against TransformerLens itself, on small random models built from a
config (``TransformerBridge.boot_native``: no downloads)."""

from __future__ import annotations

import numpy as np
import pytest

from lnsym.install import needs

torch = pytest.importorskip("torch", reason=needs("the TransformerLens tests", "tl"))
tl = pytest.importorskip("transformer_lens", reason=needs("the TransformerLens tests", "tl"))

from lnsym.interp import transformerlens as adapter  # noqa: E402

D_MODEL, VOCAB = 64, 97


def build(dtype, seed: int = 0):  # type: ignore[no-untyped-def]
    """A 2-layer LN model with non-trivial final LN weights and unembedding bias."""
    cfg = tl.TransformerBridgeConfig(
        d_model=D_MODEL,
        n_layers=2,
        n_heads=4,
        d_head=16,
        d_mlp=128,
        d_vocab=VOCAB,
        n_ctx=32,
        act_fn="gelu",
        normalization_type="LN",
        seed=seed,
    )
    model = tl.TransformerBridge.boot_native(cfg, dtype=dtype)
    generator = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        model.ln_final.w.copy_(1 + 0.3 * torch.randn(D_MODEL, generator=generator))
        model.ln_final.b.copy_(0.2 * torch.randn(D_MODEL, generator=generator))
        model.b_U.copy_(0.1 * torch.randn(VOCAB, generator=generator))
    return model


@pytest.fixture(scope="module", params=["float32", "float64"])
def setup(request):  # type: ignore[no-untyped-def]
    dtype = getattr(torch, request.param)
    model = build(dtype)
    tokens = torch.randint(0, VOCAB, (2, 7), generator=torch.Generator().manual_seed(3))
    logits, cache = model.run_with_cache(tokens)
    return model, cache, logits, dtype


def rounding(dtype) -> float:  # type: ignore[no-untyped-def]
    return float(torch.finfo(dtype).eps)


def test_fold_unembedding_matches_tl_fold_ln(setup) -> None:  # type: ignore[no-untyped-def]
    model, _, _, dtype = setup
    result = adapter.fold_unembedding(model)
    assert result.fold.proof.proved
    W, g = model.W_U.detach().double().numpy(), model.ln_final.w.detach().double().numpy()
    beta, b = model.ln_final.b.detach().double().numpy(), model.b_U.detach().double().numpy()
    expected = g[:, None] * W
    expected = expected - expected.mean(axis=0)  # TL centers the folded reader over d_model
    assert isinstance(result.W_U, torch.Tensor) and result.W_U.dtype == dtype
    np.testing.assert_allclose(result.W_U.double().numpy(), expected, atol=8 * rounding(dtype))
    np.testing.assert_allclose(result.b_U.double().numpy(), beta @ W + b, atol=64 * rounding(dtype))
    # TL's own folding is within float32 rounding of lnsym's, whatever the model's dtype ...
    assert result.reader_difference is not None and result.reader_difference < 1e-6
    assert result.bias_difference is not None and result.bias_difference < 1e-5
    # ... because TL rounds a float64 model's folded weights to float32: lnsym says so
    assert result.tl_rounded_to_float32 == (dtype == torch.float64)
    if dtype == torch.float64:
        assert result.reader_difference > 1e-12
        assert "rounded to float32" in result.report()


def test_attribution_of_every_logit_matches_tl_logits(setup) -> None:  # type: ignore[no-untyped-def]
    model, cache, logits, dtype = setup
    result = adapter.logit_attribution(cache, model)
    assert result.shares.shape == (6, 2, 7, VOCAB) and result.shares.dtype == dtype
    assert result.names == (
        "embed",
        "pos_embed",
        "0_attn_out",
        "0_mlp_out",
        "1_attn_out",
        "1_mlp_out",
    )
    assert result.ok
    scale = float(logits.detach().abs().max())
    tolerance = 64 * D_MODEL * rounding(dtype) * scale
    assert float((result.logit.double() - logits.detach().double()).abs().max()) < tolerance
    assert float((result.total.double() - logits.detach().double()).abs().max()) < tolerance
    full = adapter.logit_attribution(cache, full=True, tokens=[5, 11])
    assert full.shares.shape == (13, 2, 7, 2) and full.names[-1] == "bias"
    np.testing.assert_allclose(
        full.logit.double().numpy(), logits.detach().double()[..., [5, 11]].numpy(), atol=tolerance
    )


def test_shares_match_tl_logit_attrs_after_fold_ln(setup) -> None:  # type: ignore[no-untyped-def]
    """On a processed model (LN folded), TL's logit_attrs and lnsym's shares are the same numbers."""
    model, _, _, _ = setup
    import copy

    processed = copy.deepcopy(model)
    processed.process_weights(
        fold_ln=True, center_writing_weights=False, center_unembed=False, fold_value_biases=False
    )
    tokens = torch.randint(0, VOCAB, (2, 7), generator=torch.Generator().manual_seed(4))
    _, cache = processed.run_with_cache(tokens)
    stack, _ = cache.decompose_resid(return_labels=True)
    target = 17
    tl_attrs = cache.logit_attrs(stack, tokens=target)
    ours = adapter.logit_attribution(cache, processed, tokens=[target])
    np.testing.assert_allclose(
        ours.shares[..., 0].double().numpy(),
        tl_attrs.detach().double().numpy(),
        atol=64 * rounding(torch.float32) * float(tl_attrs.detach().abs().max()),
    )


def test_frozen_scale_error_is_exact_and_small(setup) -> None:  # type: ignore[no-untyped-def]
    model, cache, _, dtype = setup
    result = adapter.frozen_scale_error(cache, model)
    stack, labels = cache.decompose_resid(return_labels=True)
    # independent: TL's scaled stack read by g ⊙ W_U, minus componentwise float64 shares
    x = stack.detach().double().sum(0)
    n = x.shape[-1]
    cx = x - x.mean(-1, keepdim=True)
    exact_scale = np.sqrt(n) / torch.sqrt((cx**2).sum(-1) + n * model.cfg.eps)
    parts = stack.detach().double()
    centered = parts - parts.mean(-1, keepdim=True)
    folded = model.ln_final.w.detach().double()[:, None] * model.W_U.detach().double()
    exact = (centered @ folded) * exact_scale[None, ..., None]
    np.testing.assert_allclose(result.exact, exact.numpy(), atol=1e-12)
    tl_scaled = cache.apply_ln_to_stack(stack, layer=-1)
    tl_shares = (tl_scaled @ (model.ln_final.w[:, None] * model.W_U)).detach().double()
    np.testing.assert_allclose(result.error, tl_shares.numpy() - exact.numpy(), atol=1e-12)
    assert set(result.max_abs_error) == set(labels)
    bound = 64 * D_MODEL * rounding(dtype) * float(exact.abs().max())
    assert max(result.max_abs_error.values()) < bound
    assert float(np.max(np.abs(result.scale_error))) < 16 * rounding(dtype)
    assert "apply_ln_to_stack" in result.report()


def test_non_models_are_refused() -> None:
    from lnsym.errors import DataError

    with pytest.raises(DataError, match="not a TransformerLens model"):
        adapter.unembedding(object())
