"""The TransformerLens adapter on the models people study: LN, LNPre, RMS and RMSPre bridges and a
BERT-style (post-LN) model, all random and built from configs (no downloads), with non-trivial
gains and shifts in every norm. Each number is checked against the model's own forward pass."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="torch is an optional extra: pip install torch==2.13.0")
tl = pytest.importorskip(
    "transformer_lens", reason="TransformerLens is an optional extra: pip install 'lnsym[tl]'"
)

from lnsym.errors import DataError  # noqa: E402
from lnsym.interp import attribute  # noqa: E402
from lnsym.interp import attribution as attribution_module  # noqa: E402
from lnsym.interp import transformerlens as lt  # noqa: E402

D_MODEL, VOCAB = 64, 97
KINDS = ("LN", "LNPre", "RMS", "RMSPre")


def build(kind: str, dtype=None, seed: int = 0, d_vocab: int = VOCAB):  # type: ignore[no-untyped-def]
    """A 2-layer bridge whose every norm has random gains and shifts (where it has them)."""
    cfg = tl.TransformerBridgeConfig(
        d_model=D_MODEL,
        n_layers=2,
        n_heads=4,
        d_head=16,
        d_mlp=128,
        d_vocab=d_vocab,
        n_ctx=32,
        act_fn="gelu",
        normalization_type=kind,
        seed=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = tl.TransformerBridge.boot_native(cfg, dtype=dtype or torch.float32)
    generator = torch.Generator().manual_seed(seed + 1)
    norms = [model.ln_final] + [getattr(b, k) for b in model.blocks for k in ("ln1", "ln2")]
    with torch.no_grad():
        for ln in norms:
            if getattr(ln, "w", None) is not None:
                ln.w.copy_(1 + 0.3 * torch.randn(D_MODEL, generator=generator))
            if getattr(ln, "b", None) is not None:
                ln.b.copy_(0.2 * torch.randn(D_MODEL, generator=generator))
        model.b_U.copy_(0.1 * torch.randn(d_vocab, generator=generator))
    return model


def run(model, seed: int = 3):  # type: ignore[no-untyped-def]
    tokens = torch.randint(
        0, model.cfg.d_vocab, (2, 7), generator=torch.Generator().manual_seed(seed)
    )
    with torch.no_grad():
        return model.run_with_cache(tokens)


@pytest.fixture(scope="module", params=[(k, d) for k in KINDS for d in ("float32", "float64")])
def setup(request):  # type: ignore[no-untyped-def]
    kind, dtype = request.param
    model = build(kind, getattr(torch, dtype))
    logits, cache = run(model)
    return kind, model, cache, logits


def test_shares_plus_bias_are_the_models_logits(setup) -> None:  # type: ignore[no-untyped-def]
    kind, model, cache, logits = setup
    for full in (False, True):
        result = lt.logit_attribution(cache, model, full=full)
        assert result.norm == ("RMS" if kind.startswith("RMS") else "LN")
        assert result.ok, result.report()
        assert len(result.checks) == 2 and all(c.ok for c in result.checks)
        # independently: the forward pass's logits
        gap = float((result.total.double() - logits.double()).abs().max())
        assert gap <= result.checks[1].tolerance
        # the bounds are tight: at most a few hundred times the gap actually seen
        for check in result.checks:
            assert check.tolerance <= 300 * max(check.error, 1e-300) or check.error == 0


def test_rms_shares_are_uncentred(setup) -> None:  # type: ignore[no-untyped-def]
    """TL issue #523 (logit lens / stack not adding up for RMSNorm models): the RMS shares read the
    components as they are, g ⊙ a_k / rms(x), and add up to the model's logits."""
    kind, model, cache, logits = setup
    if not kind.startswith("RMS"):
        pytest.skip("RMSNorm models only")
    stack, _ = cache.decompose_resid(return_labels=True)
    a = stack.detach().double()
    x = a.sum(0)
    rms = torch.sqrt((x**2).mean(-1) + model.cfg.eps)
    ones = torch.ones(D_MODEL, dtype=torch.float64)
    g = model.ln_final.weight.detach().double() if kind == "RMS" else ones
    expected = (a * g) @ model.W_U.detach().double() / rms[None, ..., None]
    result = lt.logit_attribution(cache, model)
    np.testing.assert_allclose(result.shares.double().numpy(), expected.numpy(), atol=1e-5)
    # LayerNorm's (centred) shares on an RMS model are wrong, and the check says so
    wrong = attribute(
        a.numpy(),
        model.W_U.detach().double().numpy(),
        g=g.numpy(),
        b=model.b_U.detach().double().numpy(),
        w_axis=0,
    )
    assert float(np.max(np.abs(wrong.total - logits.double().numpy()))) > 1e-2


def test_gamma_applied_twice_is_not_ok(setup, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A wrongly folded W_U (γ applied twice) disagrees with the model's logits: ok is False."""
    kind, model, cache, _logits = setup
    if kind.endswith("Pre"):
        pytest.skip("no gain to apply twice")
    real = lt.unembedding

    def twice(m, **kw):  # type: ignore[no-untyped-def]
        parts = real(m, **kw)
        folded = parts.g.detach()[:, None] * parts.W_U.detach()
        return lt.Unembedding(
            folded, parts.b_U, parts.g, parts.beta, parts.eps, parts.dtype, parts.norm
        )

    monkeypatch.setattr(lt, "unembedding", twice)
    result = lt.logit_attribution(cache, model)
    assert not result.ok
    assert result.error <= result.tolerance  # the identity itself holds ...
    assert result.checks[1].error > 100 * result.checks[1].tolerance  # ... the model disagrees


def test_tokens_differences_and_positions(setup) -> None:  # type: ignore[no-untyped-def]
    _kind, model, cache, logits = setup
    result = lt.logit_attribution(
        cache, model, tokens=[5, 11], incorrect_tokens=[7, 7], pos_slice=-1
    )
    expected = logits[:, -1, [5, 11]] - logits[:, -1, [7, 7]]
    assert result.shares.shape[1:] == (2, 2) and result.ok
    np.testing.assert_allclose(result.total.double().numpy(), expected.double().numpy(), atol=1e-4)
    kept = lt.logit_attribution(cache, model, tokens=3, pos_slice=[0, 2])
    assert kept.shares.shape[1:] == (2, 2, 1) and kept.ok
    with pytest.raises(DataError, match="no tokenizer"):
        lt.logit_attribution(cache, model, tokens=" Paris")
    with pytest.raises(DataError, match="out of range"):
        lt.logit_attribution(cache, model, tokens=[VOCAB])


def test_logit_lens_exact_scale_against_the_model(setup) -> None:  # type: ignore[no-untyped-def]
    """TL issue #1076: the logit lens must normalize each layer with its own statistics. lnsym's
    exact lens equals the model's own ln_final and unembed applied to each layer's residual; the
    frozen-scale version (TL's apply_ln_to_stack) differs, and the KL says by how much."""
    kind, model, cache, logits = setup
    lens = lt.logit_lens(cache, model)
    resid = cache.accumulated_resid(layer=None, apply_ln=False)
    with torch.no_grad():
        own = model.unembed(model.ln_final(resid)).double().numpy()
    unit = 1e-4 if model.cfg.dtype == torch.float32 or kind.startswith("RMS") else 1e-10
    np.testing.assert_allclose(lens.exact, own, atol=unit * max(1.0, float(np.abs(own).max())))
    assert lens.ok
    np.testing.assert_allclose(lens.exact[-1], logits.double().numpy(), atol=unit * 10)
    rows = lens.per_layer()
    assert len(rows) == model.cfg.n_layers + 1
    assert rows[-1]["max_kl"] < 1e-6  # at the last layer the frozen scale is the right one
    assert rows[0]["max_kl"] > 1e-3 and rows[0]["max_abs_logit_difference"] > 1e-2
    # the KL is KL(p_exact || p_frozen), computed from the probabilities themselves
    p, q = lens.exact_probs[0], lens.frozen_probs[0]
    np.testing.assert_allclose(
        lens.kl[0], np.sum(p * np.log(p / q), axis=-1), rtol=1e-6, atol=1e-12
    )
    assert "max KL" in lens.report()


def test_fold_verdicts(setup) -> None:  # type: ignore[no-untyped-def]
    """TL issue #1580 (native LNPre/RMSPre fold_ln mis-folded with non-identity weights): TL 4.3's
    folds are checked against the proved fold; LNPre's uncentred W_U is named harmless."""
    kind, model, _cache, _logits = setup
    result = lt.fold_unembedding(model)
    assert result.ok, result.report()
    if kind == "LNPre":
        assert result.verdict.verdict == "harmless" and result.verdict.harmless_size > 1e-3
    blocks = lt.fold_blocks(model)
    assert blocks.verdicts and blocks.ok, blocks.report()
    if kind.endswith("Pre"):
        return
    # a mis-fold (γ applied twice in W_U) is caught, with its size in logits
    bad = lt._processed(model)
    with torch.no_grad():
        bad.unembed.W_U.mul_(model.ln_final.weight.detach()[:, None])
    wrong = lt.fold_unembedding(model, tl_model=bad)
    assert wrong.ok is False and wrong.verdict.verdict == "differs" and wrong.verdict.size > 1e-2
    assert "DIFFERS" in wrong.report()
    if kind == "RMS":
        with pytest.raises(DataError, match="RMSNorm"):
            lt.fold_unembedding(model, center=True)


def _doctor_one_share(monkeypatch, delta: float) -> None:  # type: ignore[no-untyped-def]
    """Every product of the shares comes back with one share moved by ``delta``, in place (the
    product's own layout is kept)."""
    real = attribution_module._readouts

    def doctored(blocks, readers, compute, native=None):  # type: ignore[no-untyped-def]
        readings = real(blocks, readers, compute, native)
        shares = readings[0]
        shares[(0,) * (shares.ndim - 1) + (shares.shape[-1] // 2,)] += delta
        return readings

    monkeypatch.setattr(attribution_module, "_readouts", doctored)


def test_a_doctored_share_is_not_ok(setup, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """One share off by 1e-3 (the products' layout for few rows: readers × rows, read through
    its transpose) disagrees with the model's logits: ok is False, the identity on the rows
    still holds, and the gap found is the doctored one."""
    _kind, model, cache, _logits = setup
    _doctor_one_share(monkeypatch, 1e-3)
    for full in (False, True):
        result = lt.logit_attribution(cache, model, full=full)
        assert not result.ok and result.error <= result.tolerance
        assert not result.checks[1].ok
        assert abs(result.checks[1].error - 1e-3) < 1e-4


def test_a_doctored_share_is_not_ok_for_many_rows(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """More than 256 rows (components × positions) make one product of rows × readers, laid out
    as the shares are, and one position reads its K rows through the transpose of readers × rows:
    the two layouts the check sums in one matrix-vector product. A doctored share is caught in
    both; undoctored, the check passes."""
    model = build("LN")
    tokens = torch.randint(0, VOCAB, (8, 32), generator=torch.Generator().manual_seed(4))
    with torch.no_grad():
        _, cache = model.run_with_cache(tokens)
    with torch.no_grad():
        _, one = model.run_with_cache(tokens[:1, :1])  # one row per component
    honest = lt.logit_attribution(cache, model)
    assert honest.shares.shape[0] * 8 * 32 > 256 and honest.shares.is_contiguous()
    assert honest.ok and lt.logit_attribution(one, model, full=True).ok
    _doctor_one_share(monkeypatch, 1e-3)
    for result in (lt.logit_attribution(cache, model), lt.logit_attribution(one, model, full=True)):
        assert not result.ok and not result.checks[1].ok
        assert abs(result.checks[1].error - 1e-3) < 1e-4


def test_half_precision_models() -> None:
    for kind in ("LN", "RMS"):
        for dtype in (torch.float16, torch.bfloat16):
            model = build(kind, dtype)
            _logits, cache = run(model)
            result = lt.logit_attribution(cache, model)
            assert result.ok and result.shares.dtype == dtype, result.report()
            frozen = lt.frozen_scale_error(cache, model)
            assert max(frozen.max_abs_error.values()) < 0.1
            assert lt.logit_lens(cache, model).ok


def test_square_unembedding_needs_w_axis() -> None:
    """d_vocab == d_model: the adapter passes w_axis=0; a bare square matrix is refused."""
    model = build("LN", d_vocab=D_MODEL)
    _logits, cache = run(model)
    assert lt.logit_attribution(cache, model).ok
    stack, _ = cache.decompose_resid(return_labels=True)
    with pytest.raises(DataError, match="w_axis=0"):
        attribute(stack, model.W_U)
    assert attribute(stack, model.W_U, w_axis=0).shares.shape[-1] == D_MODEL


def test_gain_offset() -> None:
    """Gains stored as offsets (Gemma's 1 + w): the adapter applies 1 + w when told, and the
    check against the model fails when told wrong."""
    model = build("RMS")
    _logits, cache = run(model)
    parts = lt.unembedding(model, gain_offset=True)
    np.testing.assert_allclose(
        parts.g.detach().numpy(), 1 + model.ln_final.weight.detach().numpy(), rtol=0, atol=0
    )
    assert not lt.logit_attribution(cache, model, gain_offset=True).ok  # this model uses w
    assert lt.logit_attribution(cache, model, gain_offset=False).ok


# -- a BERT-style (post-LN) model, from a local config ------------------------------------------


@pytest.fixture(scope="module")
def bert():  # type: ignore[no-untyped-def]
    transformers = pytest.importorskip("transformers", reason="transformers builds the BERT bridge")
    from transformer_lens.model_bridge.sources import build_bridge_from_module

    torch.manual_seed(0)
    config = transformers.BertConfig(
        vocab_size=61,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=32,
    )
    hf = transformers.BertForMaskedLM(config).eval()
    with torch.no_grad():
        for module in hf.modules():
            if isinstance(module, torch.nn.LayerNorm):
                module.weight.copy_(1 + 0.3 * torch.randn_like(module.weight))
                module.bias.copy_(0.2 * torch.randn_like(module.bias))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = build_bridge_from_module(hf, "BertForMaskedLM", hf_config=config)
    tokens = torch.randint(0, 61, (1, 6), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        logits, cache = model.run_with_cache(tokens)
    return model, cache, logits


def test_post_ln_is_refused_with_the_reason(bert) -> None:  # type: ignore[no-untyped-def]
    """TL issue #509 (LN folding is wrong for post-LN blocks): lnsym refuses to attribute or fold
    a BERT-style model, and says why; the residual components really do not sum to what ln_final
    reads (so any ok=True would be off)."""
    model, cache, _logits = bert
    for call in (
        lambda: lt.logit_attribution(cache, model),
        lambda: lt.fold_unembedding(model),
        lambda: lt.fold_blocks(model),
        lambda: lt.logit_lens(cache, model),
        lambda: lt.frozen_scale_error(cache, model),
    ):
        with pytest.raises(DataError, match="post-LN"):
            call()
    stack, _ = cache.decompose_resid(return_labels=True)
    gap = (stack.sum(0) - cache["ln_final.hook_in"]).abs().max()
    assert float(gap) > 1e-2


def test_post_ln_what_can_be_attributed(bert) -> None:  # type: ignore[no-untyped-def]
    """What the refusal points to: one LayerNorm's output read by a linear reader, split over parts
    that sum to its input — here the last block's ln2 (input resid_mid + mlp_out) read by the MLM
    head's dense layer, checked against the model's own ln2 output."""
    model, cache, _logits = bert
    last = model.cfg.n_layers - 1
    ln2_in = cache[f"blocks.{last}.ln2.hook_in"].double()
    mlp_out = cache[f"blocks.{last}.hook_mlp_out"].double()
    parts = {"resid_mid": ln2_in - mlp_out, "mlp_out": mlp_out}
    ln = model.blocks[last].ln2
    dense = model.mlm_head.dense if hasattr(model.mlm_head, "dense") else model.mlm_head
    W = next(p for n, p in dense.named_parameters() if n.endswith("weight")).detach().double()
    result = attribute(
        parts,
        W.T.numpy(),
        g=ln.weight.double().detach().numpy(),
        beta=ln.bias.double().detach().numpy(),
        eps=model.cfg.eps,
        w_axis=0,
    )
    reference = cache[f"blocks.{last}.ln2.hook_out"].double() @ W.T
    assert result.ok
    np.testing.assert_allclose(result.total, reference.numpy(), atol=1e-4)
