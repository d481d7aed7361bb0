"""``lnsym eval`` and ``lnsym export``: formulas as numbers and as standalone kernel modules.

``lnsym eval 'dot(w, LN(x)) + b' --set x=pre_norm.jl --set w=probe_token.jl --set b=0.8328``
evaluates in float64 (``--exact``: from the decimal literals, to ``--digits`` significant digits);
``lnsym export 'LN(x)' --backend numba --name layer_norm --out ln_kernel.py`` writes a module.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from typing import Any

import numpy as np

from lnsym.cli import chunked
from lnsym.cli.options import add_declarations, add_json, add_values, read_assignments
from lnsym.data import Data
from lnsym.errors import DataError, ParseError
from lnsym.kernels import BACKENDS, exact_rows, export, kernel, make_spec
from lnsym.language import RESERVED, parse_names, parse_typed

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
  lnsym export 'dot(w, LN(x)) + b' --vectors x,w --scalars b --backend numpy --name logit"""


def register(subparsers: Any) -> None:
    """Add ``eval`` and ``export`` to the ``lnsym`` command line."""
    ev = subparsers.add_parser(
        "eval",
        help="evaluate a formula on numbers or data files",
        description="Evaluate a formula in float64, or exactly from the decimal data (--exact).",
        epilog=_EVAL_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
    add_json(ev)
    chunked.add_engine_options(ev)
    ev.set_defaults(run=run_eval)

    ex = subparsers.add_parser(
        "export",
        help="write a standalone kernel module",
        description="Write a module computing a formula (imports only numpy and the backend).",
        epilog=_EXPORT_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ex.add_argument("expr", metavar="EXPR", help="a formula, e.g. 'LN(x)'")
    add_declarations(ex)
    ex.add_argument("--backend", choices=BACKENDS, default="numba", help="default: numba")
    ex.add_argument("--name", default="layer_norm", help="the function's name")
    ex.add_argument("--out", default=None, metavar="FILE.py", help="default: print the module")
    ex.add_argument("--axis", type=int, default=-1, metavar="K", help="default normalized axis")
    ex.add_argument("--parallel", action="store_true", help="numba: spread rows over threads")
    ex.set_defaults(run=run_export)


# --------------------------------------------------------------------------------------------------
# eval
# --------------------------------------------------------------------------------------------------


def _names_in(text: str) -> set[str]:
    """The names a formula uses (not called functions); syntax errors are the parser's to report."""
    try:
        tree = ast.parse(text.replace("^", "**").strip(), mode="eval")
    except SyntaxError:
        parse_typed(text)  # raises the parser's one-line ParseError
        raise ParseError(f"cannot parse {text!r}") from None
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in called}


def _types(args: argparse.Namespace, values: dict[str, Data]) -> tuple[list[str], list[str]]:
    """The vector and scalar names: declared ones, then the others by their value."""
    vectors = list(parse_names(args.vectors))
    scalars = list(parse_names(args.scalars))
    for name, data in values.items():
        if name == "eps":
            if not data.is_scalar:
                raise DataError("--set eps: the regularizer must be one number")
            continue
        if name in vectors and data.is_scalar:
            raise DataError(f"--set {name}: {name} is declared a vector but the value is a number")
        if name in scalars and not data.is_scalar:
            raise DataError(
                f"--set {name}: {name} is declared a scalar but the value has shape {data.shape}"
            )
        if name not in vectors and name not in scalars:
            (scalars if data.is_scalar else vectors).append(name)
    return vectors, scalars


def _check(expr: str, values: dict[str, Data], vectors: list[str], scalars: list[str]) -> None:
    used = _names_in(expr)
    for name in values:
        if name != "eps" and name not in used:
            raise DataError(f"--set {name}: {name!r} does not occur in {expr!r}")
    for name in sorted(used - RESERVED):
        if name not in values:
            kind = "vector" if name in vectors else "scalar" if name in scalars else "value"
            raise DataError(
                f"no {kind} given for {name!r}; add --set {name}=VALUE "
                "(a number, a list like 1,2,3, or a file)"
            )


def _check_lengths(values: dict[str, Data], vectors: list[str], axis: int) -> None:
    lengths: dict[str, int] = {}
    for name in vectors:
        shape = values[name].shape
        if not -len(shape) <= axis < len(shape):
            raise DataError(f"--axis {axis}: {name} has only {len(shape)} axis(es)")
        lengths[name] = shape[axis]
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise DataError(f"the vectors must have the same length n along axis {axis}: {listed}")


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_plain(v) for v in value) + "]"
    return str(value)


def run_eval(args: argparse.Namespace) -> int:
    lazy = chunked.wanted(args, args.values)
    if lazy:
        values = chunked.read_lazy_assignments(args.values, args.axis, args.chunk_mb)
    else:
        values = read_assignments(args.values)
    vectors, scalars = _types(args, values)
    _check(args.expr, values, vectors, scalars)
    if not vectors:
        raise ParseError(f"{args.expr!r} uses no vector; give one with --set x=1,2,3")
    _check_lengths(values, vectors, args.axis)
    eps = values.pop("eps", None)
    value: Any
    if lazy:
        if args.exact or args.digits is not None:
            raise DataError("--exact evaluates in memory; drop --out, --workers and --scheduler")
        outcome = _run_lazy(args, values, vectors, scalars, eps)
        if outcome is None:
            return 0
        value = np.asarray(outcome, dtype=np.float64).tolist()
    elif args.exact or args.digits is not None:
        digits = 30 if args.digits is None else args.digits
        spec = make_spec(args.expr, vectors=vectors, scalars=scalars)
        exact_eps = "1e-5" if eps is None else str(eps.exact())
        value = exact_rows(spec.expr, values, vectors, axis=args.axis, digits=digits, eps=exact_eps)
    else:
        function = kernel(
            args.expr, args.backend, vectors=vectors, scalars=scalars, axis=args.axis, name="f"
        )
        arguments = {name: data.array for name, data in values.items()}
        epsilon = 1e-5 if eps is None else float(eps.array)
        result = np.asarray(function(eps=epsilon, **arguments), dtype=np.float64)
        value = result.tolist()
    if args.json:
        print(json.dumps({"value": value}))
    elif isinstance(value, list) and value and isinstance(value[0], list):
        print("\n".join(_plain(row) for row in value))  # one row of the batch per line
    elif isinstance(value, list):
        print(_plain(value))
    else:
        print(value if isinstance(value, str) else repr(float(value)))
    return 0


def _run_lazy(
    args: argparse.Namespace,
    values: dict[str, Data],
    vectors: list[str],
    scalars: list[str],
    eps: Data | None,
) -> Any:
    """The out-of-core eval: write to ``--out`` (return None) or compute and return the value."""
    from lnsym.kernels.chunked import call, dask_array

    function = kernel(
        args.expr, args.backend, vectors=vectors, scalars=scalars, axis=args.axis, name="f"
    )
    arguments = {name: data.array for name, data in values.items()}
    first = vectors[0]
    arguments[first] = dask_array(arguments[first], first)  # at least one lazy input
    epsilon = 1e-5 if eps is None else float(eps.array)
    result = call(function, (), {**arguments, "eps": epsilon}, rechunk=True)
    if args.out is None:
        if args.resume:
            raise DataError("--resume continues writing an --out; give the same --out")
        return chunked.compute(result, args)
    job = {
        "command": "eval",
        "expr": args.expr,
        "values": sorted(args.values),
        "axis": args.axis,
        "backend": args.backend,
    }
    with chunked.engine_for(args) as runner:
        _, line = chunked.write(result, args, job, f"writing {args.out}", runner)
    if not args.quiet:
        print(line)
    return None


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
    params = ", ".join(spec.parameters)
    print(f"wrote {args.out}: {args.name}({params}, *, eps=1e-05, out=None, axis={args.axis})")
    print(f"  computes {spec.expr} with the {args.backend} backend")
    return 0
