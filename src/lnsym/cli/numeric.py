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

import numpy as np

from lnsym.cli import chunked
from lnsym.cli.options import add_declarations, add_json, add_values, read_assignments
from lnsym.errors import DataError, ParseError
from lnsym.kernels import BACKENDS, exact_rows, export, kernel, make_spec
from lnsym.kernels.chunked import call, dask_array
from lnsym.kernels.undefined import undefined_cause
from lnsym.lang.definitions import Kind
from lnsym.lang.names import resolve
from lnsym.lang.parser import RESERVED, used_names
from lnsym.numeric.data import Data

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
    ex.add_argument("--name", default="layer_norm", help="the function's name")
    ex.add_argument("--out", default=None, metavar="FILE.py", help="default: print the module")
    ex.add_argument("--axis", type=int, default=-1, metavar="K", help="default normalized axis")
    ex.add_argument("--parallel", action="store_true", help="numba: spread rows over threads")
    ex.set_defaults(run=run_export)


# --------------------------------------------------------------------------------------------------
# eval
# --------------------------------------------------------------------------------------------------


def _check(expr: str, values: dict[str, Data]) -> None:
    """Every --set name occurs in the formula, and every name of the formula has a value."""
    used = used_names(expr)
    for name in values:
        if name != "eps" and name not in used:
            raise DataError(f"--set {name}: {name!r} does not occur in {expr!r}")
    for name in sorted(used - RESERVED):
        if name not in values:
            raise DataError(
                f"no value given for {name!r}; add --set {name}=VALUE "
                "(a number, a list like 1,2,3, or a file)"
            )


def _kinds(args: argparse.Namespace, values: dict[str, Data]) -> tuple[list[str], list[str]]:
    """The vector and scalar inputs, by the one rule for names (:mod:`lnsym.lang.names`)."""
    given = {name: Kind.SCALAR if d.is_scalar else Kind.VECTOR for name, d in values.items()}
    context = resolve([args.expr], vectors=args.vectors, scalars=args.scalars, given=given)
    vectors = [name for name in context.vectors if name in values]
    scalars = [name for name in context.scalars if name in values]
    return vectors, scalars


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


def _real(value: Any) -> bool:
    """Whether an exact result (decimal strings, nested lists) holds only finite real numbers."""
    if isinstance(value, list):
        return all(_real(v) for v in value)
    text = str(value).lower()
    return "j" not in text and "nan" not in text and "inf" not in text


def _undefined(
    expr: Any,
    arguments: dict[str, Any],
    epsilon: float,
    axis: int,
    *,
    allow_nan_helps: bool = True,
) -> str:
    cause = undefined_cause(expr, arguments, eps=epsilon, axis=axis)
    fix = (
        "give other values, or pass --allow-nan to print NaN/inf"
        if allow_nan_helps
        else ("give other values (exact evaluation has no NaN to print)")
    )
    return f"{cause or 'the result is not a finite number (NaN or infinity)'}; {fix}"


def _float(
    args: argparse.Namespace,
    expr: Any,
    vectors: list[str],
    scalars: list[str],
    arguments: dict[str, Any],
    epsilon: float,
) -> Any:
    """The float64 result; NaN or infinity is an error naming its cause unless --allow-nan."""
    backend = args.backend
    for attempt in (backend, "numpy"):  # numba raises ZeroDivisionError where numpy gives NaN
        function = kernel(expr, attempt, vectors=vectors, scalars=scalars, axis=args.axis, name="f")
        used = function.spec.parameters  # a derivative may not depend on every name it mentions
        inputs = {name: value for name, value in arguments.items() if name in used}
        try:
            with np.errstate(all="ignore"):
                result = np.asarray(function(eps=epsilon, **inputs), dtype=np.float64)
            break
        except ZeroDivisionError:
            if not args.allow_nan:
                raise DataError(_undefined(expr, arguments, epsilon, args.axis)) from None
    if not args.allow_nan and not np.all(np.isfinite(result)):
        raise DataError(_undefined(expr, arguments, epsilon, args.axis))
    return result.tolist()


def run_eval(args: argparse.Namespace) -> int:
    lazy = chunked.wanted(args, args.values)
    if lazy:
        values = chunked.read_lazy_assignments(args.values, args.axis, args.chunk_mb)
    else:
        values = read_assignments(args.values)
    eps = values.pop("eps", None)
    if eps is not None and not eps.is_scalar:
        raise DataError("--set eps: the regularizer must be one number")
    _check(args.expr, values)
    vectors, scalars = _kinds(args, values)
    if not vectors:
        raise ParseError(
            f"{args.expr!r} has no vector input, and a kernel needs one to fix n; "
            "give a vector such as --set x=1,2,3"
        )
    _check_lengths(values, vectors, args.axis)
    value: Any
    if lazy:
        if args.exact or args.digits is not None:
            raise DataError("--exact evaluates in memory; drop --out, --workers and --scheduler")
        outcome = _run_lazy(args, values, vectors, scalars, eps)
        if outcome is None:
            return 0
        value = np.asarray(outcome, dtype=np.float64).tolist()
        _print_value(args, value)
        return 0
    spec = make_spec(args.expr, vectors=vectors, scalars=scalars)
    epsilon = 1e-5 if eps is None else float(eps.array)
    arguments = {name: data.array for name, data in values.items()}
    if args.exact or args.digits is not None:
        digits = 30 if args.digits is None else args.digits
        exact_eps = "1e-5" if eps is None else str(eps.exact())
        try:
            value = exact_rows(
                spec.expr, values, vectors, axis=args.axis, digits=digits, eps=exact_eps
            )
        except ZeroDivisionError:  # exact arithmetic has no NaN to print, even with --allow-nan
            cause = _undefined(spec.expr, arguments, epsilon, args.axis, allow_nan_helps=False)
            raise DataError(cause) from None
        if not args.allow_nan and not _real(value):  # a square root of a negative number
            raise DataError(_undefined(spec.expr, arguments, epsilon, args.axis))
    else:
        value = _float(args, spec.expr, vectors, scalars, arguments, epsilon)
    _print_value(args, value)
    return 0


def _print_value(args: argparse.Namespace, value: Any) -> None:
    if args.json:
        print(json.dumps({"value": value}))
    elif isinstance(value, list) and value and isinstance(value[0], list):
        print("\n".join(_plain(row) for row in value))  # one row of the batch per line
    elif isinstance(value, list):
        print(_plain(value))
    else:
        print(value if isinstance(value, str) else repr(float(value)))


def _run_lazy(
    args: argparse.Namespace,
    values: dict[str, Data],
    vectors: list[str],
    scalars: list[str],
    eps: Data | None,
) -> Any:
    """The out-of-core eval: write to ``--out`` (return None) or compute and return the value."""
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
