"""``lnsym prove LHS RHS`` or ``lnsym prove 'LHS = RHS'``, with ``--assume``, ``--dim``, ``--limit``;
``lnsym prove --file F``: many statements, one a line (:mod:`lnsym.cli.batch`)."""

from __future__ import annotations

import argparse
import sys

import lnsym.cli as cli
from lnsym.cli.arguments import add_json
from lnsym.cli.statement import add_statement, check_options, prove_statement
from lnsym.errors import LnsymError

__all__ = ["register"]

_EXAMPLES = """examples:
  lnsym prove 'LN(x) = sqrt(n)*u(c(x), n*eps)'
  lnsym prove 'LN(x)' 'sqrt(n)*u(c(x), eps)'                   # refuted, with a witness
  lnsym prove 'dot(w, LN(x))' 'sqrt(n)*dot(w, c(x))/sqrt(norm(c(x))**2 + n*eps)'
  lnsym prove 'sqrt(n)*u(x, n*eps) = x/sqrt(Var(x) + eps)' --assume 'mu(x) = 0'
  lnsym prove 'LN(x) = sqrt(n)*u(c(x), n*eps)' --dim 512
  lnsym prove 'norm(LN(x)) = sqrt(n)' --limit eps=0
  lnsym prove 'u(a*x, a**2*eps) = u(x, eps)' --assume 'a > 0' --json
  lnsym prove 'norm(LN(x)) < sqrt(n)'                          # an inequality (<, <=, >, >=)
  lnsym prove --file identities.txt                             # one statement a line
  lnsym prove --file - --json < identities.txt                  # JSON lines, from stdin

Names: x is a vector; other names take their kind from use (w in dot(w, x) is a vector);
--vectors/--scalars settle the rest (see 'lnsym language').

Batch mode (--file F, '-' for standard input): each line is 'LHS = RHS', optionally followed by
its own flags (--assume, --dim, --limit, --vectors, --scalars, --timeout), read with the shell's
quoting rules, e.g.

  norm(LN(x)) = sqrt(n) --limit eps=0
  u(a*x, a**2*eps) = u(x, eps) --assume 'a > 0'   # a comment

Flags given on the command line apply to every line; a line's --assume and --limit add to them,
its other flags replace them. Each line gets its own time budget (--timeout, per line). One
verdict a line is printed as 'LINE: STATUS: statement' (--json: one JSON object a line), a bad
line as 'LINE: ERROR: message', and the run goes on. The exit status is the worst line's, worst
first: 4 internal error, 2 bad input, 1 refuted, 3 unknown, 0 proved (0 only when every line was
proved; a file with no statement is bad input)."""


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "prove",
        help="prove LHS = RHS, or refute it with a witness",
        description=(
            "Decide LHS = RHS, given as two arguments or as one 'LHS = RHS', or every statement "
            "of a file with --file. Exit 0: proved (exact symbolic zero, with any side conditions "
            "listed), 1: refuted (a certified witness is printed), 3: unknown (including a "
            "time-out), 2: bad input, 4: internal error. 'lnsym language' lists the functions "
            "the formulas may use."
        ),
        epilog=_EXAMPLES,
    )
    add_statement(parser)
    parser.add_argument(
        "--file",
        default=None,
        metavar="F",
        help="prove every statement of F, one a line ('-': standard input); see batch mode below",
    )
    add_json(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.file is None:
        proof = prove_statement(args)
        print(cli.json.dumps(proof.to_json(), indent=2) if args.json else proof.report())
        return int(proof.status.exit_code)
    if args.lhs is not None:
        raise LnsymError("give the statements in --file or on the command line, not both")
    check_options(args)
    if args.file == "-":  # batch mode: lnsym.cli.batch, imported now
        return int(cli.batch.prove_lines(sys.stdin.buffer, "<stdin>", args))
    with open(args.file, "rb") as stream:
        return int(cli.batch.prove_lines(stream, args.file, args))
