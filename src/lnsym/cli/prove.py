"""``lnsym prove LHS RHS [--vectors ..] [--scalars ..] [--assume EQ].. [--dim N] [--limit eps=0] [--json]``."""

from __future__ import annotations

import argparse
import json

from lnsym.budget import DEFAULT_TIMEOUT
from lnsym.cli.options import add_declarations, add_json
from lnsym.errors import LnsymError
from lnsym.prover import prove

__all__ = ["register"]


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "prove",
        help="prove LHS = RHS, or refute it with a witness",
        description=(
            "Decide LHS = RHS. Exit 0: proved (exact symbolic zero, with any side conditions "
            "listed), 1: refuted (a certified witness is printed), 3: unknown (including a "
            "time-out), 2: bad input, 4: internal error."
        ),
    )
    parser.add_argument("lhs", help="left-hand side, e.g. 'LN(x)'")
    parser.add_argument("rhs", help="right-hand side, e.g. 'sqrt(n)*u(c(x), n*eps)'")
    add_declarations(parser)
    parser.add_argument(
        "--assume",
        action="append",
        default=[],
        metavar="EQ",
        help="an assumption such as 'mu(x) = 0' or 'alpha > 0' (repeatable)",
    )
    parser.add_argument(
        "--dim", type=int, default=None, metavar="N", help="fix the dimension n = N"
    )
    parser.add_argument(
        "--limit",
        action="append",
        default=None,
        metavar="NAME=VALUE",
        help="compare the limits of both sides, e.g. eps=0 (eps from above; repeatable)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"time budget; past it the verdict is unknown (default: {DEFAULT_TIMEOUT:g})",
    )
    add_json(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.dim is not None and args.dim < 1:
        raise LnsymError(f"--dim must be a positive integer, not {args.dim}")
    proof = prove(
        args.lhs,
        args.rhs,
        vectors=args.vectors,
        scalars=args.scalars,
        assume=args.assume,
        dim=args.dim,
        limit=args.limit,
        timeout=args.timeout,
    )
    print(json.dumps(proof.to_json(), indent=2) if args.json else proof.report())
    return proof.status.exit_code
