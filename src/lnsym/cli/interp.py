"""``lnsym fold``, ``lnsym attribute`` and ``lnsym compare``: interpretability moves, proved.

Values are given as for ``lnsym eval``: ``--set NAME=VALUE`` with a number, a list ``1,2,3`` or a
file (``.jl``, ``.npy``, ``.txt``, ``.csv``; ``FILE.jl:NAME`` picks one array); ``--set eps=…``
changes ε (default 1e-5). Exit 0 on success, 1 when a numeric check fails, 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from lnsym.cli import chunked
from lnsym.cli.options import add_declarations, add_json, add_values, read_assignments
from lnsym.errors import LnsymError
from lnsym.interp import attribute, compare, fold
from lnsym.interp.attribution import gather_components
from lnsym.interp.bounds import ScaleBounds, scale_bounds
from lnsym.interp.folding import DEFAULT_EPS
from lnsym.interp.values import check_names, take_eps, take_reader
from lnsym.numeric.data import load

__all__ = ["register"]

_VALUES = """A value is a number, a list such as 1,2,3 or [1, 2, 3], or a file: .jl (the seed format;
FILE.jl:NAME picks one array), .npy, .txt or .csv. --set eps=VALUE sets the regularizer (1e-5)."""

_FOLD_EXAMPLES = f"""examples:
  lnsym fold --set w=probe_token.jl --set b=0.8328 --set x=pre_norm.jl --center
  lnsym fold --set W=W_U.npy --set b=b_U.npy --set g=ln_w.npy --set beta=ln_b.npy --center --out W.npy

W is a reader matrix in TransformerLens's layout (d_model x d_vocab, --axis 0); w is one reader or
readers as rows (--axis -1). --out W.npy writes the folded reader and W_bias.npy the folded bias.

{_VALUES}"""

_ATTRIBUTE_EXAMPLES = f"""examples:
  lnsym attribute --component emb=emb.npy --component attn=attn.npy --set w=probe_token.jl
  lnsym attribute --components parts.csv --set w=1,0,-1,0 --set b=0.5 --json
  lnsym attribute --components stack.npy --set W=W_U.npy --set b=b_U.npy --out shares.npy

  lnsym attribute --component emb=emb.zarr --component attn=attn.zarr --set w=probe.jl \\
      --out shares.zarr --workers 2
  lnsym attribute --component emb=emb.zarr --component attn=attn.zarr --set W=W_U.npy \\
      --set b=b_U.npy --out shares.zarr

--set W=FILE is a whole unembedding (d_model x d_vocab): every logit is attributed in one call.
--components FILE is a stack, one component per entry of its first axis (K x ... x n).

{_VALUES}"""

_COMPARE_EXAMPLES = f"""examples:
  lnsym compare 'dot(w, sqrt(n)*u(x, eps)) + b' 'dot(w, LN(x)) + b' \\
      --set x=pre_norm.jl --set w=probe_token.jl --set b=0.8328
  lnsym compare 'sqrt(n)*u(x, n*eps)' 'LN(x)' --set x=1,2,3,6 --json
  lnsym compare 'sqrt(n)*u(x, n*eps)' 'LN(x)' --set x=cache.zarr --out gap.zarr --workers 2

With a cache (.zarr, FILE.h5:DATASET, or with --out a .npy file), every row is compared in
float64; --out writes the rows lhs, rhs, difference block by block.

{_VALUES}"""


def register(subparsers: Any) -> None:
    """Add ``fold``, ``attribute`` and ``compare`` to the ``lnsym`` command line."""
    fo = subparsers.add_parser(
        "fold",
        help="fold an affine LN (g, beta) and bias b into the next reader w",
        description=(
            "Return the folded reader g*w (--center: c(g*w)) and bias <w, beta> + b, after proving "
            "<w, g*LN(x) + beta> + b = <w', LN(x)> + b' and checking it on x (or random rows)."
        ),
        epilog=_FOLD_EXAMPLES,
    )
    add_values(fo, "w or W, g, beta, b, x, eps")
    fo.add_argument("--center", action="store_true", help="center the folded reader: c(g*w)")
    fo.add_argument(
        "--norm",
        default="LN",
        type=str.upper,
        choices=("LN", "RMS"),
        help="the norm before the reader: LN (LayerNorm, default) or RMS (RMSNorm; no --center)",
    )
    fo.add_argument(
        "--axis", type=int, default=None, metavar="K", help="the normalized axis of w (W: 0)"
    )
    fo.add_argument(
        "--x-axis", type=int, default=-1, metavar="K", help="the normalized axis of x (-1)"
    )
    fo.add_argument(
        "--out",
        default=None,
        metavar="FILE",
        help="write the folded reader (.npy/.txt/.csv) and the folded bias beside it",
    )
    fo.add_argument(
        "--bias-out",
        default=None,
        metavar="FILE",
        help="where to write the folded bias (default: FILE_bias beside --out)",
    )
    add_json(fo)
    fo.set_defaults(run=run_fold)

    at = subparsers.add_parser(
        "attribute",
        help="direct logit attribution through LN: each component's share",
        description=(
            "Split <w, g*LN(x) + beta> + b for x = sum of the components into "
            "sqrt(n)<g*w, c(a_k)>/sqrt(|c(x)|^2 + n eps) per component plus <w, beta> + b, "
            "and show the (different) per-component LN readings <g*w, LN(a_k)>."
        ),
        epilog=_ATTRIBUTE_EXAMPLES,
    )
    at.add_argument(
        "--component",
        action="append",
        default=[],
        dest="components",
        metavar="NAME=VALUE",
        help="one component a_k of the residual (repeatable, in order)",
    )
    at.add_argument(
        "--components",
        dest="matrix",
        default=None,
        metavar="FILE",
        help="a matrix, one row per component",
    )
    add_values(at, "w or W, g, beta, b, eps")
    at.add_argument(
        "--norm",
        default="LN",
        type=str.upper,
        choices=("LN", "RMS"),
        help="the norm before the reader: LN (LayerNorm, default; shares read c(a_k)) or RMS "
        "(RMSNorm: g*a_k/rms(x), no centring)",
    )
    at.add_argument("--axis", type=int, default=-1, metavar="K", help="the normalized axis")
    at.add_argument(
        "--w-axis", type=int, default=None, metavar="K", help="the normalized axis of w (W: 0)"
    )
    at.add_argument(
        "--out",
        default=None,
        metavar="PATH",
        help="write the table block by block (.zarr or .npy): one row per component's share, "
        "then bias, logit and rounding_bound, each rows x readers; then check it from the file",
    )
    at.add_argument(
        "--scale-bounds",
        action="store_true",
        help="also, per component, its effect through the norm's scale and a proved bound on it "
        "(one reader vector w, components in memory)",
    )
    at.add_argument(
        "--frozen-scale",
        type=float,
        default=None,
        metavar="S",
        help="with --scale-bounds: how far freezing the scale at S > 0 moves each share, and its "
        "proved bound",
    )
    add_json(at)
    chunked.add_engine_options(at, out=False)
    at.set_defaults(run=run_attribute)

    co = subparsers.add_parser(
        "compare",
        help="the exact symbolic difference of two formulas and its size on data",
        description=(
            "Prove or refute LHS = RHS; print LHS - RHS in the language's quantities, its value on "
            "the data at high precision, the quantities it depends on, and the conditions "
            "(mu(v) = 0, eps -> 0) under which it vanishes."
        ),
        epilog=_COMPARE_EXAMPLES,
    )
    co.add_argument("lhs", help="a formula, e.g. 'dot(w, sqrt(n)*u(x, eps)) + b'")
    co.add_argument("rhs", help="a formula, e.g. 'dot(w, LN(x)) + b'")
    add_values(co, "every name of the formulas, and eps")
    add_declarations(co)
    co.add_argument(
        "--assume", action="append", default=[], metavar="EQ", help="an assumption (repeatable)"
    )
    co.add_argument("--digits", type=int, default=30, metavar="N", help="significant digits (30)")
    add_json(co)
    chunked.add_engine_options(co)
    co.set_defaults(run=run_compare, axis=-1)  # rows: the normalized axis last


def run_fold(args: argparse.Namespace) -> int:
    values = read_assignments(args.values)
    check_names(values, ("w", "W", "g", "beta", "b", "x", "eps"), "fold")
    reader, axis = take_reader(values, args.axis, "fold")
    result = fold(
        reader,
        values.get("g"),
        values.get("beta"),
        values["b"] if "b" in values else 0.0,
        center=args.center,
        x=values.get("x"),
        eps=take_eps(values, DEFAULT_EPS),
        axis=axis,
        x_axis=args.x_axis,
        norm=args.norm,
    )
    written = result.save(args.out, args.bias_out)
    print(json.dumps(result.to_json()) if args.json else result.report(written))
    return 0 if result.check is None or result.check.ok else 1


def run_attribute(args: argparse.Namespace) -> int:
    values = read_assignments(args.values)
    check_names(values, ("w", "W", "g", "beta", "b", "eps"), "attribute")
    lazy = chunked.wanted(
        args, [*args.components, f"m={args.matrix or ''}"], out_npy_in_memory=True
    )
    if lazy:
        named = chunked.read_lazy_assignments(args.components, args, "--component")
    else:
        named = read_assignments(args.components, "--component")
    stack = None
    if args.matrix is not None:
        stack = (chunked.read_matrix(args) if lazy else load(args.matrix)).array
    components = gather_components(named, stack, args.matrix)
    reader, w_axis = take_reader(values, args.w_axis, "attribute")
    result = attribute(
        components,
        reader,
        g=values.get("g"),
        beta=values.get("beta"),
        b=values["b"] if "b" in values else 0.0,
        eps=take_eps(values, DEFAULT_EPS),
        axis=args.axis,
        w_axis=w_axis,
        norm=args.norm,
    )
    bounds = _scale_bounds(args, components, reader, values, lazy)
    if args.out is not None:  # the table, block by block (in memory or on Dask alike)
        inputs = [*sorted(args.components), *([args.matrix] if args.matrix else [])]
        job = chunked.job(
            args, "attribute", rows=list(result.rows), components=inputs, w_axis=args.w_axis
        )
        result = chunked.stored(result, args, job, chunk_bytes=chunked.chunk_bytes(args))
        quiet = args.quiet
    else:
        result = chunked.computed(result, args)
        quiet = False
    if args.json:
        data = result.to_json()
        if bounds is not None:
            data["scale_bounds"] = bounds.to_json()
        print(json.dumps(data))
    elif not quiet:
        print(result.report())
        if bounds is not None:
            print(bounds.report())
    return 0 if result.ok and (bounds is None or bounds.holds) else 1


def _scale_bounds(
    args: argparse.Namespace, components: Any, reader: Any, values: dict[str, Any], lazy: bool
) -> ScaleBounds | None:
    """``--scale-bounds`` (and ``--frozen-scale``): the certified per-component bounds."""
    if not args.scale_bounds:
        if args.frozen_scale is not None:
            raise LnsymError("--frozen-scale needs --scale-bounds")
        return None
    if lazy or args.axis != -1:
        raise LnsymError(
            "--scale-bounds needs the components in memory with the normalized axis last "
            "(drop --axis and the Dask options)"
        )
    return scale_bounds(
        components,
        reader,
        g=values.get("g"),
        frozen_scale=args.frozen_scale,
        eps=take_eps(values, DEFAULT_EPS),
        norm=args.norm,
    )


def run_compare(args: argparse.Namespace) -> int:
    lazy = chunked.wanted(args, args.values)
    if lazy:
        values = chunked.read_lazy_assignments(args.values, args)
    else:
        values = read_assignments(args.values)
    result = compare(
        args.lhs,
        args.rhs,
        values,
        vectors=args.vectors,
        scalars=args.scalars,
        assume=args.assume,
        digits=args.digits,
    )
    if args.out is not None:  # the float64 rows, block by block (in memory or on Dask alike)
        job = chunked.job(args, "compare", lhs=args.lhs, rhs=args.rhs)
        result = chunked.stored(result, args, job)
        if args.quiet and not args.json:
            return 0
    else:
        result = chunked.computed(result, args)
    print(json.dumps(result.to_json()) if args.json else result.report())
    return 0
