"""Whole-vocabulary attribution with PyTorch readers remembers max |W| (the rounding bound's only
statistic of the readers) while the tensor is unchanged, and never after a change: the tolerance of
every call equals the tolerance of a fresh computation on a copy (a new tensor, never seen)."""

from __future__ import annotations

import numpy as np
import pytest

from lnsym.install import needs

torch = pytest.importorskip("torch", reason=needs("the PyTorch tests", "torch"))

from lnsym.interp import attribute  # noqa: E402
from lnsym.interp import attribution as module  # noqa: E402


def _fresh(stack: object, W: object, **options: object) -> float:
    """The tolerance computed from a copy of W (a tensor lnsym has not seen)."""
    return attribute(stack, W.clone(), **options).tolerance  # type: ignore[attr-defined]


def test_max_of_the_readers_is_remembered_only_while_unchanged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    generator = torch.Generator().manual_seed(3)
    W = torch.randn(16, 41, generator=generator, dtype=torch.float64)
    stack = torch.randn(3, 5, 16, generator=generator, dtype=torch.float64)
    options = {"w_axis": 0, "b": torch.zeros(41, dtype=torch.float64)}
    calls = {"aminmax": 0}
    real = torch.aminmax

    def counted(*args: object, **kwargs: object) -> object:
        calls["aminmax"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(torch, "aminmax", counted)
    first = attribute(stack, W, **options)
    again = attribute(stack, W, **options)
    assert calls["aminmax"] == 1  # the second call did not read W for its maximum
    assert again.tolerance == first.tolerance == _fresh(stack, W, **options)
    # in place, through the tensor or through a view: PyTorch's version counter moves
    for change in (lambda: W.mul_(3.0), lambda: W[0, 0].fill_(1e3), lambda: W.T[1].add_(-5e3)):
        with torch.no_grad():
            change()
        changed = attribute(stack, W, **options)
        assert changed.tolerance == _fresh(stack, W, **options)
        assert changed.ok
    # a parameter that requires grad, changed by an optimizer step (in place, under no_grad)
    parameter = torch.nn.Parameter(W.clone())
    before = attribute(stack, parameter, **options).tolerance
    with torch.no_grad():
        parameter.mul_(10.0)
    after = attribute(stack, parameter, **options).tolerance
    assert after == _fresh(stack, parameter.detach(), **options) and after > 5 * before
    # a tensor that dies and another that takes its place (perhaps its id) is not confused with it
    for scale in (1.0, 100.0, 1e4):
        temporary = W * scale
        assert attribute(stack, temporary, **options).tolerance == _fresh(
            stack, temporary, **options
        )
        del temporary
    assert len(module._LARGEST) <= module._REMEMBERED


def test_inference_mode_tensors_are_not_remembered() -> None:
    with torch.inference_mode():
        W = torch.randn(8, 13, dtype=torch.float64)
        stack = torch.randn(2, 3, 8, dtype=torch.float64)
    result = attribute(stack, W, w_axis=0)
    assert result.ok and module.tensor_state(W) is None
    expected = np.abs(W.numpy()).max()
    assert module._largest(W.numpy().T, W.T, W) == expected


def test_non_finite_readers_are_still_refused_after_a_remembered_call() -> None:
    W = torch.ones(4, 7, dtype=torch.float64)
    stack = torch.tensor([[[1.0, 2.0, 3.0, 5.0]], [[0.0, 1.0, 0.0, -1.0]]], dtype=torch.float64)
    assert attribute(stack, W, w_axis=0).ok
    with torch.no_grad():
        W[2, 3] = float("inf")
    with pytest.raises(Exception, match="w holds NaN or infinity"):
        attribute(stack, W, w_axis=0)


def test_changes_through_data_are_caught_by_the_sample() -> None:
    """``W.data.mul_(2)`` does not move PyTorch's version counter; the sampled entries do."""
    generator = torch.Generator().manual_seed(4)
    W = torch.nn.Parameter(torch.randn(12, 300, generator=generator, dtype=torch.float64))
    stack = torch.randn(2, 4, 12, generator=generator, dtype=torch.float64)
    before = attribute(stack, W, w_axis=0).tolerance
    version = W._version
    W.data.mul_(4.0)
    assert W._version == version  # unseen by the counter
    after = attribute(stack, W, w_axis=0)
    assert after.tolerance == _fresh(stack, W.detach(), w_axis=0) and after.tolerance > 3 * before


def test_a_stale_maximum_never_fails_the_check() -> None:
    """A maximum remembered too small (a change neither the counter nor the sample saw) would
    make the bound too tight. A matrix of readers is checked on the float64 rows, where the gap's
    effect and its bound both scale with max |w|, so the check still holds; one reader vector is
    checked on its logits, and a failing check there is recomputed with a fresh maximum."""
    generator = torch.Generator().manual_seed(5)
    W = torch.randn(12, 50, generator=generator, dtype=torch.float64) * 1e3
    stack = torch.randn(3, 6, 12, generator=generator, dtype=torch.float64) + 1e4
    attribute(stack, W, w_axis=0)
    reference, state, _ = module._LARGEST[id(W)]
    module._LARGEST[id(W)] = (reference, state, 1e-300)  # as if W had grown unseen
    assert attribute(stack, W, w_axis=0).ok
    w = W[:, 7].clone()
    fresh = _fresh(stack, w)
    attribute(stack, w)
    reference, state, _ = module._LARGEST[id(w)]
    module._LARGEST[id(w)] = (reference, state, 1e-300)
    result = attribute(stack, w)
    assert result.ok and result.tolerance == fresh
    assert module._LARGEST[id(w)][2] == float(w.abs().max())


def test_the_remembered_shift_reading_follows_beta_and_the_readers() -> None:
    """⟨W, β⟩ is remembered for an unchanged W and β (not one more row of each product); a new β
    or an in-place change of W reads it again: the bias equals a fresh computation each time."""
    generator = torch.Generator().manual_seed(8)
    W = torch.randn(10, 33, generator=generator, dtype=torch.float64)
    stack = torch.randn(2, 3, 10, generator=generator, dtype=torch.float64)
    for beta in (torch.zeros(10, dtype=torch.float64), torch.linspace(-1, 2, 10).double()):
        for _ in range(2):
            result = attribute(stack, W, beta=beta, w_axis=0)
            fresh = attribute(stack, W.clone(), beta=beta, w_axis=0)
            np.testing.assert_allclose(result.bias, fresh.bias, rtol=0, atol=1e-12)
            np.testing.assert_allclose(result.bias, beta @ W, rtol=1e-12, atol=1e-12)
    with torch.no_grad():
        W.mul_(-2.0)
    changed = attribute(stack, W, beta=beta, w_axis=0)
    np.testing.assert_allclose(changed.bias, beta @ W, rtol=1e-12, atol=1e-12)
    assert changed.ok


@pytest.mark.parametrize("readers", [7, 512, 1100])
def test_blocked_product_of_few_rows_reads_every_reader(readers: int) -> None:
    """Few rows are read a block of 512 readers at a time (the full blocks in one batched
    product, then the rest): every reader's column equals a float64 reference, for fewer
    readers than a block, exactly one block, and blocks plus a remainder."""
    generator = torch.Generator().manual_seed(readers)
    W = torch.randn(readers, 32, generator=generator).T  # TL's W_U: a view of rows per token
    stack = torch.randn(5, 2, 32, generator=generator)
    g = 1 + 0.3 * torch.randn(32, generator=generator)
    result = attribute(stack, W, g=g, w_axis=0)
    a = stack.double()
    x = a.sum(0)
    centred = a - a.mean(-1, keepdim=True)
    scale = 1 / torch.sqrt(x.var(-1, unbiased=False) + 1e-5)
    expected = (centred * g.double()) @ W.double() * scale[None, :, None]
    assert result.shares.shape == (5, 2, readers) and result.ok
    np.testing.assert_allclose(result.shares.double().numpy(), expected.numpy(), atol=2e-5)
