"""``lnsym series EXPR --in eps --order K [--set NAME=VALUE].. [--json]``: an ε-expansion with
every coefficient proved, and the exact error of stopping it, on data."""

from __future__ import annotations

import argparse
import json
from typing import Any

from lnsym.cli.options import add_declarations, add_json, add_values, read_assignments
from lnsym.errors import DataError
from lnsym.interp.expansions import MAX_ORDER, series, truncation_error

__all__ = ["register"]

_EXAMPLES = """examples:
  lnsym series 'LN(x)' --order 2
  lnsym series 'dot(w, LN(x)) + b' --vectors x,w --scalars b --order 1 \\
      --set x=pre_norm.jl --set w=probe_token.jl --set b=0.8328
  lnsym series 'LN(x, alpha*eps)' --scalars alpha --in alpha --order 1"""


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "series",
        help="expand a formula around eps = 0, every coefficient proved",
        description=(
            "The Taylor expansion of a formula in eps (or a declared scalar) around 0. Each "
            "coefficient a_k is proved: diff(..diff(F, eps).., eps)/k! -> a_k as eps -> 0, with "
            "the conditions that needs (e.g. c(x) != 0). With --set, the formula and the error "
            "F - (a_0 + .. + a_K eps^K) are evaluated exactly (mpmath, from the decimal data) at "
            "eps = 1e-5 or --set eps=VALUE. Exit 0: every coefficient proved; 3: some "
            "coefficient not proved; 2: bad input."
        ),
        epilog=_EXAMPLES,
    )
    parser.add_argument("expr", metavar="EXPR", help="a formula, e.g. 'LN(x)'")
    parser.add_argument(
        "--in", dest="variable", default="eps", metavar="NAME", help="expand in NAME (default eps)"
    )
    parser.add_argument(
        "--order",
        type=int,
        default=2,
        metavar="K",
        help=f"keep the powers up to K (0..{MAX_ORDER}; default 2); the rest is O(NAME^(K+1))",
    )
    add_declarations(parser)
    add_values(parser, "evaluate the truncation error on data")
    parser.add_argument(
        "--digits", type=int, default=12, metavar="N", help="significant digits of the error"
    )
    add_json(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    result = series(
        args.expr, args.variable, args.order, vectors=args.vectors, scalars=args.scalars
    )
    out: dict[str, Any] = result.to_json()
    lines = [result.report()]
    if args.values:
        values = read_assignments(args.values)
        eps = values.pop("eps", None)
        if eps is not None and not eps.is_scalar:
            raise DataError("--set eps: the regularizer must be one number")
        regularizer = "1e-5" if eps is None else str(eps.exact())
        at = regularizer
        if args.variable != "eps":
            if args.variable not in values:
                raise DataError(
                    f"give the value of {args.variable} with --set {args.variable}=VALUE"
                )
            at = str(values.pop(args.variable).exact())
        value, error = truncation_error(result, values, at=at, eps=regularizer, digits=args.digits)
        out.update({"at": at, "value": value, "error": error})
        lines.append(f"at {args.variable} = {at}:")
        lines.append(f"  value            {_show(value)}")
        lines.append(f"  value - series   {_show(error)}   (exact, {args.digits} digits)")
    print(json.dumps(out, indent=2) if args.json else "\n".join(lines))
    return 0 if result.proved else 3


def _show(value: Any) -> str:
    if isinstance(value, list):
        flat = _flatten(value)
        largest = max(flat, key=lambda t: abs(float(t)))
        return f"a vector; largest |entry| {largest.lstrip('-')} ({len(flat)} entries)"
    return str(value)


def _flatten(value: Any) -> list[str]:
    if isinstance(value, list):
        return [item for v in value for item in _flatten(v)]
    return [value]
