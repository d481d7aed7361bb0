"""``lnsym eval`` and ``lnsym export``: formulas as numbers and as standalone kernel modules.

``lnsym eval 'dot(w, LN(x)) + b' --set x=pre_norm.jl --set w=probe_token.jl --set b=0.8328``
evaluates in float64 (``--exact``: from the decimal literals, to ``--digits`` significant digits);
``lnsym export 'LN(x)' --backend numba --name layer_norm --out ln_kernel.py`` writes a module.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from lnsym.cli import chunked
from lnsym.cli.options import add_declarations, add_json, add_values, read_assignments
from lnsym.kernels import BACKENDS, export, make_spec
from lnsym.kernels.evaluation import evaluate

__all__ = ["register"]

_EVAL_EXAMPLES = """examples:
  lnsym eval 'LN(x)' --set x=1,2,3,5
  lnsym eval 'dot(w, LN(x)) + b' --set x=pre_norm.jl --set w=probe_token.jl --set b=0.8328
  lnsym eval 'dot(w, LN(x)) + b' --set x=pre_norm.jl --set w=probe_token.jl --set b=0.8328 --exact
  lnsym eval 'LN(x)' --set x=tokens.npy --axis 0 --json
  lnsym eval 'LN(x)' --set x=cache.zarr --out ln.zarr --workers 2 --memory-limit 1GB

A --set value is a number (a scalar), a list such as 1,2,3 or [1, 2, 3] (a vector), or a file:
.jl (the seed format; pick one of several arrays with FILE.jl:NAME), .npy, .txt or .csv.
A .zarr store or FILE.h5:DATASET (and, with --out, a .npy file) is read lazily, block by block.
--set eps=VALUE changes the regularizer (default 1e-5)."""

_EXPORT_EXAMPLES = """examples:
  lnsym export 'LN(x)' --backend numba --name layer_norm --out ln_kernel.py
  lnsym export 'dot(w, LN(x)) + b' --backend numpy --name logit   # w: a vector, b: a scalar"""


def register(subparsers: Any) -> None:
    """Add ``eval`` and ``export`` to the ``lnsym`` command line."""
    ev = subparsers.add_parser(
        "eval",
        help="evaluate a formula on numbers or data files",
        description="Evaluate a formula in float64, or exactly from the decimal data (--exact).",
        epilog=_EVAL_EXAMPLES,
    )
    ev.add_argument("expr", metavar="EXPR", help="a formula, e.g. 'dot(w, LN(x)) + b'")
    add_values(ev)
    add_declarations(ev)
    ev.add_argument("--exact", action="store_true", help="exact arithmetic from the decimal data")
    ev.add_argument(
        "--digits", type=int, default=None, metavar="N", help="significant digits (implies --exact)"
    )
    ev.add_argument(
        "--axis", type=int, default=-1, metavar="K", help="the normalized axis of array data"
    )
    ev.add_argument("--backend", choices=BACKENDS, default="numpy", help="float evaluation backend")
    ev.add_argument(
        "--allow-nan",
        action="store_true",
        help="print NaN or infinity where the formula is undefined (default: an error naming why)",
    )
    add_json(ev)
    chunked.add_engine_options(ev)
    ev.set_defaults(run=run_eval)

    ex = subparsers.add_parser(
        "export",
        help="write a standalone kernel module",
        description="Write a module computing a formula (imports only numpy and the backend).",
        epilog=_EXPORT_EXAMPLES,
    )
    ex.add_argument("expr", metavar="EXPR", help="a formula, e.g. 'LN(x)'")
    add_declarations(ex)
    ex.add_argument("--backend", choices=BACKENDS, default="numba", help="default: numba")
    ex.add_argument(
        "--name",
        default=None,
        help="the function's name (default: after the formula, e.g. LN(x) -> layer_norm, "
        "dot(w, LN(x)) + b -> dot_w_ln_x_plus_b)",
    )
    ex.add_argument("--out", default=None, metavar="FILE.py", help="default: print the module")
    ex.add_argument("--axis", type=int, default=-1, metavar="K", help="default normalized axis")
    ex.add_argument("--parallel", action="store_true", help="numba: spread rows over threads")
    ex.set_defaults(run=run_export)


# --------------------------------------------------------------------------------------------------
# eval
# --------------------------------------------------------------------------------------------------


def run_eval(args: argparse.Namespace) -> int:
    lazy = chunked.wanted(args, args.values)
    if lazy:
        values = chunked.read_lazy_assignments(args.values, args)
    else:
        values = read_assignments(args.values)
    result = evaluate(
        args.expr,
        values,
        vectors=args.vectors,
        scalars=args.scalars,
        axis=args.axis,
        backend=args.backend,
        exact=args.exact,
        digits=args.digits,
        allow_nan=args.allow_nan,
        lazy=lazy,
    )
    if args.out is not None:
        job = chunked.job(args, "eval", expr=args.expr, backend=args.backend)
        report = chunked.stored(result, args, job)
        if not args.quiet:
            print(report.summary())
        return 0
    result = chunked.computed(result, args)
    print(json.dumps(result.to_json()) if args.json else result.report())
    return 0


# --------------------------------------------------------------------------------------------------
# export
# --------------------------------------------------------------------------------------------------


def run_export(args: argparse.Namespace) -> int:
    source = export(
        args.expr,
        args.out,
        backend=args.backend,
        name=args.name,
        vectors=args.vectors,
        scalars=args.scalars,
        axis=args.axis,
        parallel=args.parallel,
    )
    if args.out is None:
        sys.stdout.write(source)
        return 0
    spec = make_spec(args.expr, vectors=args.vectors, scalars=args.scalars, name=args.name)
    print(f"wrote {args.out}: {spec.call(args.axis)}")
    print(f"  computes {spec.expr} with the {args.backend} backend")
    return 0
