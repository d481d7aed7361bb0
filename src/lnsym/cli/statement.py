"""One statement of ``lnsym prove``: its arguments (the same for the command and for each line of
``--file``), its two sides, and its verdict."""

from __future__ import annotations

import argparse
import re

from lnsym.budget import DEFAULT_TIMEOUT
from lnsym.cli.arguments import add_declarations
from lnsym.errors import LnsymError, ParseError
from lnsym.prover import Proof, prove

__all__ = ["add_statement", "check_options", "prove_statement", "sides"]


def add_statement(parser: argparse.ArgumentParser) -> None:
    """The statement and the flags that qualify it: the options of one ``prove`` and of one line
    of ``prove --file`` (both parsers are built by this function)."""
    parser.add_argument(
        "lhs", metavar="LHS", nargs="?", help="left-hand side, e.g. 'LN(x)', or 'LHS = RHS'"
    )
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
        help=f"time budget (per line with --file); past it the verdict is unknown "
        f"(default: {DEFAULT_TIMEOUT:g})",
    )


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


def check_options(args: argparse.Namespace) -> None:
    """One-line errors for flags out of range (before any statement is read)."""
    if args.dim is not None and args.dim < 1:
        raise LnsymError(f"--dim must be a positive integer, not {args.dim}")
    if not args.timeout > 0:  # also NaN
        raise LnsymError(f"--timeout must be a positive number of seconds, not {args.timeout:g}")


def prove_statement(args: argparse.Namespace) -> Proof:
    """The verdict on the statement in ``args`` (bad input raises :class:`LnsymError`)."""
    check_options(args)
    if args.lhs is None:
        sides("", None)  # the one-line message asking for an equation
    # 'LHS <= RHS' (also <, >=, >): an inequality, read by the prover itself
    lhs, rhs = (
        (args.lhs, None)
        if args.rhs is None and re.search("[<>]", args.lhs)
        else sides(args.lhs, args.rhs)
    )
    return prove(
        lhs,
        rhs,
        vectors=args.vectors,
        scalars=args.scalars,
        assume=args.assume,
        dim=args.dim,
        limit=args.limit,
        timeout=args.timeout,
    )
