"""``lnsym prove LHS RHS`` or ``lnsym prove 'LHS = RHS'``, with ``--assume``, ``--dim``, ``--limit``."""

from __future__ import annotations

import argparse
import json
import re

from lnsym.budget import DEFAULT_TIMEOUT
from lnsym.cli.options import add_declarations, add_json
from lnsym.errors import LnsymError, ParseError
from lnsym.prover import prove

__all__ = ["register", "sides"]

_EXAMPLES = """examples:
  lnsym prove 'LN(x) = sqrt(n)*u(c(x), n*eps)'
  lnsym prove 'LN(x)' 'sqrt(n)*u(c(x), eps)'                   # refuted, with a witness
  lnsym prove 'dot(w, LN(x))' 'sqrt(n)*dot(w, c(x))/sqrt(norm(c(x))**2 + n*eps)'
  lnsym prove 'sqrt(n)*u(x, n*eps) = x/sqrt(Var(x) + eps)' --assume 'mu(x) = 0'
  lnsym prove 'LN(x) = sqrt(n)*u(c(x), n*eps)' --dim 512
  lnsym prove 'norm(LN(x)) = sqrt(n)' --limit eps=0
  lnsym prove 'u(a*x, a**2*eps) = u(x, eps)' --assume 'a > 0' --json
  lnsym prove 'norm(LN(x)) < sqrt(n)'                          # an inequality (<, <=, >, >=)

Names: x is a vector; other names take their kind from use (w in dot(w, x) is a vector);
--vectors/--scalars settle the rest (see 'lnsym language')."""


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "prove",
        help="prove LHS = RHS, or refute it with a witness",
        description=(
            "Decide LHS = RHS, given as two arguments or as one 'LHS = RHS'. Exit 0: proved "
            "(exact symbolic zero, with any side conditions listed), 1: refuted (a certified "
            "witness is printed), 3: unknown (including a time-out), 2: bad input, 4: internal "
            "error. 'lnsym language' lists the functions the formulas may use."
        ),
        epilog=_EXAMPLES,
    )
    parser.add_argument("lhs", metavar="LHS", help="left-hand side, e.g. 'LN(x)', or 'LHS = RHS'")
    parser.add_argument(
        "rhs",
        metavar="RHS",
        nargs="?",
        default=None,
        help="right-hand side, e.g. 'sqrt(n)*u(c(x), n*eps)'",
    )
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


def sides(lhs: str, rhs: str | None) -> tuple[str, str]:
    """``("A", "B")`` from two arguments, or from one ``"A = B"`` (``==`` also accepted)."""
    if rhs is not None:
        return lhs, rhs
    parts = [p for p in re.split(r"==|(?<![<>!=])=(?!=)", lhs)]
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        example = "lnsym prove 'LN(x) = sqrt(n)*u(c(x), n*eps)'"
        if len(parts) > 2:
            raise ParseError(f"{lhs!r} has more than one '='; write one equation, e.g. {example}")
        raise ParseError(
            f"prove needs an equation: give LHS and RHS, or one 'LHS = RHS', e.g. {example}"
        )
    return parts[0].strip(), parts[1].strip()


def run(args: argparse.Namespace) -> int:
    if args.dim is not None and args.dim < 1:
        raise LnsymError(f"--dim must be a positive integer, not {args.dim}")
    # 'LHS <= RHS' (also <, >=, >): an inequality, read by the prover itself
    lhs, rhs = (
        (args.lhs, None)
        if args.rhs is None and re.search("[<>]", args.lhs)
        else sides(args.lhs, args.rhs)
    )
    proof = prove(
        lhs,
        rhs,
        vectors=args.vectors,
        scalars=args.scalars,
        assume=args.assume,
        dim=args.dim,
        limit=args.limit,
        timeout=args.timeout,
    )
    print(json.dumps(proof.to_json(), indent=2) if args.json else proof.report())
    return proof.status.exit_code
