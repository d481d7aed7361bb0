"""One statement of ``lnsym prove``: its arguments (the same for the command and for each line of
``--file``), its two sides, and its verdict."""

from __future__ import annotations

import argparse

from lnsym.budget import DEFAULT_TIMEOUT
from lnsym.cli.arguments import add_declarations
from lnsym.errors import LnsymError, ParseError
from lnsym.lang.parser import relations
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


def sides(lhs: str | None, rhs: str | None) -> tuple[str, str | None]:
    """The statement as :func:`lnsym.prove` takes it: two sides, or one ``"LHS REL RHS"`` (which
    the prover splits with :func:`lnsym.lang.parser.split_relation`, the one rule for that); an
    error asking for an equation when there is neither."""
    if lhs is None or (rhs is None and not relations(lhs)):
        example = "lnsym prove 'LN(x) = sqrt(n)*u(c(x), n*eps)'"
        raise ParseError(
            f"prove needs an equation: give LHS and RHS, or one 'LHS = RHS', e.g. {example}"
        )
    return lhs, rhs


def check_options(args: argparse.Namespace) -> None:
    """One-line errors for flags out of range (before any statement is read)."""
    if args.dim is not None and args.dim < 1:
        raise LnsymError(f"--dim must be a positive integer, not {args.dim}")
    if not args.timeout > 0:  # also NaN
        raise LnsymError(f"--timeout must be a positive number of seconds, not {args.timeout:g}")


def prove_statement(args: argparse.Namespace) -> Proof:
    """The verdict on the statement in ``args`` (bad input raises :class:`LnsymError`)."""
    check_options(args)
    lhs, rhs = sides(args.lhs, args.rhs)  # 'LHS = RHS' or 'LHS <= RHS': the prover splits it
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
