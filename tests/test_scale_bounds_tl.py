"""``lnsym.scale_bounds`` on a TransformerLens cache (a random bridge with non-trivial final-LN
weights): the exact numbers against the model's own ``ln_final``, not against lnsym."""

from __future__ import annotations

import numpy as np
import pytest

import lnsym
from lnsym.errors import DataError
from lnsym.install import needs

torch = pytest.importorskip("torch", reason=needs("the TransformerLens tests", "tl"))
tl = pytest.importorskip("transformer_lens", reason=needs("the TransformerLens tests", "tl"))

from lnsym.interp import transformerlens as adapter  # noqa: E402
from test_transformerlens import build  # noqa: E402  (the same random bridge)


def test_the_bounds_of_a_cache_agree_with_the_models_own_final_norm() -> None:
    model = build(torch.float64)
    tokens = torch.randint(0, 97, (1, 6), generator=torch.Generator().manual_seed(5))
    _, cache = model.run_with_cache(tokens)
    stack, labels = adapter.residual_stack(cache)  # components x batch x pos x d_model
    pos, token = 4, 11
    parts = {label: stack[k, 0, pos].detach().numpy() for k, label in enumerate(labels)}
    w = model.W_U[:, token].detach().numpy()
    g = model.ln_final.w.detach().numpy()
    own_scale = cache["ln_final.hook_scale"][0, pos].detach().numpy()
    eps = model.cfg.eps
    found = lnsym.scale_bounds(parts, w, g=g, frozen_scale=own_scale, eps=eps)
    assert found.certified and found.holds

    # direct share + through the scale = the change of the model's logit when a_k is added to the
    # rest, computed by the model's own final norm
    x = torch.tensor(sum(parts.values()))
    with torch.no_grad():
        for k, a in enumerate(parts.values()):
            change = torch.dot(
                model.W_U[:, token], model.ln_final(x) - model.ln_final(x - torch.tensor(a))
            )
            assert found.share[k] + found.mediated[k] == pytest.approx(float(change), abs=1e-10)
    # the cache's own scale is sigma(x): freezing it moves nothing
    assert found.frozen is not None
    assert np.max(np.abs(found.frozen)) < 1e-9 * np.max(np.abs(found.share))
    # the shares are the adapter's shares for that token and position
    shares = adapter.logit_attribution(cache, tokens=[token]).shares
    np.testing.assert_allclose(found.share, np.asarray(shares)[:, 0, pos, 0], rtol=1e-9, atol=1e-12)


def test_the_adapter_reads_the_cache_in_one_call() -> None:
    """``lt.scale_bounds(cache, token=…)``: the same numbers as the recipe above for every row,
    a logit difference with ``incorrect_token``, the cache's own scale frozen moving nothing, and
    another input's scale frozen moving the shares within their bounds."""
    model = build(torch.float64)
    generator = torch.Generator().manual_seed(6)
    tokens = torch.randint(0, 97, (2, 5), generator=generator)
    _, cache = model.run_with_cache(tokens)
    found = adapter.scale_bounds(cache, model, token=11, frozen_scale="cache")
    assert found.certified and found.holds
    stack, labels = adapter.residual_stack(cache)
    assert found.names == tuple(labels) and np.shape(found.share) == (len(labels), 2, 5)
    recipe = lnsym.scale_bounds(
        {label: stack[k].detach().numpy() for k, label in enumerate(labels)},
        model.W_U[:, 11].detach().numpy(),
        g=model.ln_final.w.detach().numpy(),
        eps=model.cfg.eps,
    )
    np.testing.assert_allclose(found.share, recipe.share, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(found.mediated_bound, recipe.mediated_bound, rtol=1e-12)
    assert found.frozen is not None
    assert np.max(np.abs(found.frozen)) < 1e-9 * np.max(np.abs(found.share))
    # the difference token - incorrect token is read by the difference of the two columns
    difference = adapter.scale_bounds(cache, token=11, incorrect_token=3, pos_slice=-1)
    single = adapter.scale_bounds(cache, token=11, pos_slice=-1).share
    other = adapter.scale_bounds(cache, token=3, pos_slice=-1).share
    np.testing.assert_allclose(difference.share, single - other, rtol=1e-9, atol=1e-12)
    # another input's cached scale, frozen: the shares move, each within its proved bound
    _, elsewhere = model.run_with_cache(torch.randint(0, 97, (2, 5), generator=generator))
    frozen = elsewhere["ln_final.hook_scale"][..., 0].detach().numpy()
    moved = adapter.scale_bounds(cache, token=11, frozen_scale=frozen)
    assert moved.frozen is not None and moved.frozen_bound is not None and moved.holds
    assert np.max(np.abs(moved.frozen)) > 1e-6 and np.all(
        np.abs(moved.frozen) <= moved.frozen_bound
    )


def test_the_adapter_refuses_what_it_cannot_read() -> None:
    model = build(torch.float64)
    _, cache = model.run_with_cache(torch.tensor([[1, 2, 3]]))
    with pytest.raises(DataError, match="token: give one token"):
        adapter.scale_bounds(cache, model, token=[1, 2])
    with pytest.raises(DataError, match="frozen_scale='final'"):
        adapter.scale_bounds(cache, model, token=1, frozen_scale="final")
    with pytest.raises(DataError, match="out of range"):
        adapter.scale_bounds(cache, model, token=10_000)
