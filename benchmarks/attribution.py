r"""Whole-vocabulary direct logit attribution: lnsym against TransformerLens's own path.

Run ``python benchmarks/attribution.py`` (needs ``pip install -e '.[tl]' torch==2.13.0``; a few minutes on two
slow cores). Setting: d_model 768, vocabulary 50,257 (GPT-2's), the 14 residual components of
``decompose_resid`` (embed, pos_embed, 6 layers' attention and MLP), one position and 128
positions, and the 81-component head decomposition (``get_full_resid_decomposition``) at one
position; float32, a TransformerLens 4.3 ``TransformerBridge`` built from a config (random weights
with non-trivial final γ, β and b_U, no download).

Timed side by side in one run, interleaved, median of ``--repeats`` runs each:

* ``TL``    — TransformerLens's fastest path for every logit: ``cache.apply_ln_to_stack(stack)``
  (centering, the frozen cached scale) then ``scaled @ (g ⊙ W_U)`` under ``torch.no_grad()`` (TL's
  ``logit_attrs`` does the same product one token direction at a time). ``g ⊙ W_U`` is prepared
  once, outside the timing, in both layouts (d_model × d_vocab contiguous, and one row per token
  as TL stores ``W_U``), and the faster median of the two is TL's time;
* ``lnsym`` — ``lnsym.attribute(stack, W_U, g=…, beta=…, b=b_U, w_axis=0)``: the exact shared
  scale recomputed from the components in float64, the gained, scaled, centred rows in float64,
  the identity checked on those rows (their sum plus β against g ⊙ LN(x) + β from LN's
  definition, a bound on its effect on any logit: d_model-side work only), the shares (one
  product with exactly the rows TL's has, by NumPy's BLAS on a zero-copy view of ``W_U``; up to
  256 rows it runs as readers × rows, 512 readers per block) and the bias. The product is the
  whole difference: the rest is d_model-side work (~0.5% of TL's time at 128 positions), and on
  this machine (AMD EPYC, one thread) PyTorch's MKL ``sgemm`` producing rows × readers, as TL's
  ``@`` does in either layout, takes ~1.5x the CPU time of NumPy's OpenBLAS for the same
  product (MKL is as fast only producing readers × rows, not the shares' layout); where MKL is
  the faster BLAS (Intel CPUs) the ratios will be nearer 1. max |W_U| for the rounding bound
  and ⟨W_U, β⟩ are remembered while the tensor is unchanged (PyTorch's version counter and a
  16 × 16 sample of its entries), as TL's ``g ⊙ W_U`` is prepared once;
* ``new W_U`` — the same call on ``W_U.detach()`` (a new tensor object each call): the first
  call on a tensor, which reads ``W_U`` a second time for max |W_U|;
* ``TL@NumPy`` — not TL's path, shown to say where the difference comes from: TL's rows
  (``apply_ln_to_stack``) times ``g ⊙ W_U`` by NumPy's BLAS, as lnsym's product runs;
* ``adapter`` — ``lnsym.interp.transformerlens.logit_attribution(cache, model)``, what a TL user
  calls: the same shares, checked against the model's own logits (its ``ln_final`` and
  ``unembed`` on ``ln_final.hook_in``, computed once while the model and the cache are
  unchanged) token by token, and the identity checked on the float64 rows. Its product has the
  rows TL's has; the check against the model reads the shares once more (Σₖ as one
  matrix-vector product): at 128 positions that read of 14 × 128 × 50,257 floats (360 MB) alone
  is ~45 ms, ~3.5% of TL's time on two slow cores.

Both run single-threaded (``torch.set_num_threads(1)``, OpenBLAS/MKL/OMP at 1 thread), so the
ratio compares the work, not the thread pools; glibc's malloc is told to keep freed memory
(``mallopt``), so no path pays fresh page faults for its whole-vocabulary output at every call;
PyTorch's large allocations do not reuse freed memory even so (aligned requests), so TL's product
is written into an output tensor allocated once (``torch.matmul(..., out=)``: the same kernel).
Goal (issue 21): ≤ 1× TL's time at 1 and 128 positions and for the head decomposition.
"""

from __future__ import annotations

import os

for _variable in (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMBA_NUM_THREADS",
):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import ctypes  # noqa: E402
import ctypes.util  # noqa: E402

import numpy as np  # noqa: E402

import lnsym  # noqa: E402
from timing import interleaved_medians  # noqa: E402 - benchmarks/timing.py, beside this script

D_MODEL, VOCAB, COMPONENTS = 768, 50257, 14


def keep_freed_memory() -> bool:
    """Neutralize allocation effects: glibc's malloc keeps freed blocks for reuse (no mmap, no
    trim), so neither path pays fresh page faults for its whole-vocabulary outputs each call."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    libc = ctypes.CDLL(name)
    m_trim_threshold, m_mmap_max = -1, -4
    # the largest C int (ctypes masks a Python int to a C int: 2**62 would be a threshold of 0)
    return bool(libc.mallopt(m_mmap_max, 0)) and bool(libc.mallopt(m_trim_threshold, 2**31 - 1))


def build(positions: int, heads: bool = False):  # type: ignore[no-untyped-def]
    """A float32 bridge (6 layers, d_model 768, GPT-2 vocabulary), its cache, and a 14-part stack
    (``heads``: the head decomposition, ``get_full_resid_decomposition``: 81 parts)."""
    import torch
    from transformer_lens import TransformerBridge, TransformerBridgeConfig

    cfg = TransformerBridgeConfig(
        d_model=D_MODEL,
        n_layers=6,
        n_heads=12,
        d_head=64,
        d_mlp=256,
        d_vocab=VOCAB,
        n_ctx=max(positions, 8),
        act_fn="gelu",
        normalization_type="LN",
        seed=0,
    )
    model = TransformerBridge.boot_native(cfg)
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        model.ln_final.weight.copy_(1 + 0.3 * torch.randn(D_MODEL, generator=generator))
        model.ln_final.bias.copy_(0.2 * torch.randn(D_MODEL, generator=generator))
        model.b_U.copy_(0.1 * torch.randn(VOCAB, generator=generator))
    tokens = torch.randint(0, VOCAB, (1, positions), generator=generator)
    with torch.no_grad():
        _, cache = model.run_with_cache(tokens)
    if heads:
        stack, labels = cache.get_full_resid_decomposition(expand_neurons=False, return_labels=True)
        return model, cache, stack, [str(label) for label in labels]
    stack, labels = cache.decompose_resid(return_labels=True)
    assert stack.shape[0] == COMPONENTS
    return model, cache, stack, [str(label) for label in labels]


def measure(
    positions: int, repeats: int, heads: bool = False
) -> tuple[float, float, float, float, float, float]:
    """TL's (its faster W_U layout) and lnsym's median times at ``positions`` (lnsym: W_U seen
    before, a new tensor each call, and the adapter), TL's rows read by NumPy's BLAS, and
    max |lnsym share - TL share|."""
    import torch

    from lnsym.interp import transformerlens as lt

    model, cache, stack, names = build(positions, heads)
    W_U, b_U = model.W_U.detach(), model.b_U.detach()
    g, beta = model.ln_final.weight.detach(), model.ln_final.bias.detach()
    folded = (g[:, None] * W_U).contiguous()  # prepared once, outside TL's timing
    folded_rows = folded.T.contiguous()  # the same, one row per token (TL's W_U storage)
    # TL's output, allocated once: PyTorch's large CPU allocations (aligned) do not reuse freed
    # memory here even with mallopt, so a fresh product would pay every page of its output again
    # (~88,000 faults, ~0.3 s of CPU at 128 positions) while lnsym's NumPy output reuses its own
    product = torch.empty((*stack.shape[:-1], VOCAB), dtype=folded.dtype)

    def tl_path() -> torch.Tensor:
        with torch.no_grad():
            return torch.matmul(cache.apply_ln_to_stack(stack, layer=-1), folded, out=product)

    def tl_rows() -> torch.Tensor:
        with torch.no_grad():
            return torch.matmul(
                cache.apply_ln_to_stack(stack, layer=-1), folded_rows.T, out=product
            )

    product_np = np.empty(tuple(product.shape), dtype=np.float32)
    folded_np = folded.numpy()

    def tl_numpy() -> np.ndarray:
        # not TL's path: its rows by NumPy's BLAS, the BLAS lnsym's product runs in (informative)
        with torch.no_grad():
            scaled = cache.apply_ln_to_stack(stack, layer=-1).numpy()
        out = product_np.reshape(-1, VOCAB)  # one product, as PyTorch's (not one per batch)
        return np.matmul(scaled.reshape(-1, D_MODEL), folded_np, out=out)

    def adapter() -> lnsym.Attribution:
        return lt.logit_attribution(cache, model, full=heads)

    def lnsym_path() -> lnsym.Attribution:
        return lnsym.attribute(stack, W_U, g=g, beta=beta, b=b_U, w_axis=0, names=names)

    def lnsym_new_tensor() -> lnsym.Attribution:
        return lnsym.attribute(stack, W_U.detach(), g=g, beta=beta, b=b_U, w_axis=0, names=names)

    variants = {
        "tl": tl_path,
        "tl rows": tl_rows,
        "lnsym": lnsym_path,
        "new": lnsym_new_tensor,
        "adapter": adapter,
        "tl numpy": tl_numpy,
    }
    times = interleaved_medians(variants, repeats)
    result = lnsym_path()
    assert result.ok, "the shares do not sum to the logits"
    assert adapter().ok, "the shares do not sum to the model's logits"
    difference = float((result.shares - tl_path()).abs().max())
    tl_time = min(times["tl"], times["tl rows"])
    return tl_time, times["lnsym"], times["new"], times["adapter"], times["tl numpy"], difference


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeats", type=int, default=7, help="interleaved runs per variant (7)")
    parser.add_argument(
        "--positions", type=int, nargs="*", default=[1, 128], help="positions (1 128)"
    )
    parser.add_argument(
        "--heads",
        type=int,
        nargs="*",
        default=[1],
        help="positions for the head decomposition (81 components; default 1; none: skip)",
    )
    options = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    kept = keep_freed_memory()
    print(
        f"whole-vocabulary attribution: d_model {D_MODEL}, vocabulary {VOCAB}, "
        f"{COMPONENTS} components, float32, 1 thread; median of {options.repeats} interleaved runs"
        f"{'; freed memory reused (mallopt)' if kept else ''}",
        flush=True,
    )
    print(
        f"{'positions':>9}  {'TL (s)':>9}  {'lnsym (s)':>9}  {'lnsym/TL':>8}  "
        f"{'new W_U/TL':>10}  {'adapter/TL':>10}  {'TL@NumPy/TL':>11}  max |lnsym - TL|"
    )
    cases = [(p, False) for p in options.positions] + [(p, True) for p in options.heads]
    for positions, heads in cases:
        tl_time, lnsym_time, new_time, adapter_time, numpy_time, difference = measure(
            positions, options.repeats, heads
        )
        label = f"{positions}{' (heads)' if heads else ''}"
        print(
            f"{label:>9}  {tl_time:9.4f}  {lnsym_time:9.4f}  {lnsym_time / tl_time:8.2f}  "
            f"{new_time / tl_time:10.2f}  {adapter_time / tl_time:10.2f}  "
            f"{numpy_time / tl_time:11.2f}  {difference:.2g}",
            flush=True,
        )


if __name__ == "__main__":
    main()
