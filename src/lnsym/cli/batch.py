"""``lnsym prove --file F``: many statements, one a line, in one process.

Each line is ``LHS = RHS`` followed by that line's own flags, split with the shell's rules
(:func:`shlex.split`, ``#`` starting a comment; never evaluated): the words before the first one that
starts with ``--`` are the statement, the rest are flags, read by a parser built with the same
:func:`~lnsym.cli.statement.add_statement` as the command's own. The flags given on the command line
are every line's defaults (a line's ``--assume`` and ``--limit`` add to them). A bad line is
reported with its number and the run goes on; each line has its own time budget (``--timeout``).

The exit status is the worst line's, in the order of :data:`WORST_FIRST`.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections import Counter
from collections.abc import Iterable
from typing import Any, NoReturn

from lnsym.budget import BudgetExceeded
from lnsym.cli.arguments import HelpFormatter
from lnsym.cli.statement import add_statement, prove_statement
from lnsym.errors import LnsymError

__all__ = ["WORST_FIRST", "prove_lines", "worst"]

#: exit statuses from the worst down: an internal error of lnsym (4), a bad line (2), a refuted
#: statement (1), an unknown one (3), proved (0). Lines that could not be checked come first (the
#: batch's answer is incomplete), then a definite "false" before a "don't know"; 0 only when every
#: statement was proved.
WORST_FIRST = (4, 2, 1, 3, 0)

_NAMES = {0: "proved", 1: "refuted", 2: "bad input", 3: "unknown", 4: "internal error"}
_SHARED = ("vectors", "scalars", "assume", "dim", "limit", "timeout")


def worst(statuses: Iterable[int]) -> int:
    """The worst of some exit statuses (see :data:`WORST_FIRST`); 0 for none."""
    return min(statuses, key=WORST_FIRST.index, default=0)


class _LineError(Exception):
    """A line's flags do not parse (the message is argparse's)."""


class _LineParser(argparse.ArgumentParser):
    """The parser of one line: errors are raised for the line's report, never an exit."""

    def _parse_optional(self, arg_string: str) -> Any:
        # a statement may start with a minus ('-LN(x) = ...'): only known options are options
        if arg_string[:1] == "-" and arg_string[:2] != "--":
            if arg_string not in self._option_string_actions:
                return None
        return super()._parse_optional(arg_string)

    def error(self, message: str) -> NoReturn:
        raise _LineError(message)


def line_parser(args: argparse.Namespace) -> argparse.ArgumentParser:
    """A parser for one line, its defaults the command line's flags."""
    parser = _LineParser(prog="line", add_help=False, formatter_class=HelpFormatter)
    add_statement(parser)
    parser.set_defaults(**{name: getattr(args, name) for name in _SHARED})
    return parser


def _words(line: str) -> list[str]:
    """``[statement, *flags]`` of one line (``[]``: blank or a comment)."""
    words = shlex.split(line, comments=True)
    cut = next((i for i, word in enumerate(words) if word.startswith("--")), len(words))
    statement = " ".join(words[:cut])
    return ([statement] if statement else []) + words[cut:]


def _verdict(parser: argparse.ArgumentParser, raw: bytes) -> tuple[int, dict[str, Any]] | None:
    """The exit status and report of one line (None: nothing to prove on it)."""
    try:
        words = _words(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return 2, {"error": "the line is not UTF-8 text"}
    except ValueError as error:  # shlex: an unclosed quote or a trailing backslash
        return 2, {
            "error": f"cannot split the line into words ({str(error).lower()}); check its quotes"
        }
    if not words:
        return None
    try:
        proof = prove_statement(parser.parse_args(words))
    except (_LineError, LnsymError) as error:
        return 2, {"error": str(error)}
    except BudgetExceeded:  # pragma: no cover - prove turns a spent budget into unknown
        return 3, {"error": "the time budget ran out; raise --timeout"}
    except RecursionError:
        return 2, {"error": "the expression is nested too deeply"}
    except Exception as error:  # a bug in lnsym: reported, and the next line is read
        detail = str(error).splitlines()[0][:200] if str(error) else ""
        return 4, {"error": f"internal error: {type(error).__name__}: {detail} (please report it)"}
    return int(proof.status.exit_code), {"proof": proof}


def prove_lines(stream: Iterable[bytes], name: str, args: argparse.Namespace) -> int:
    """Prove every statement of ``stream`` (the lines of the file ``name``), printing one verdict a
    line as it is reached; return the worst exit status."""
    parser = line_parser(args)
    counts: Counter[int] = Counter()
    for number, raw in enumerate(stream, 1):
        found = _verdict(parser, raw)
        if found is None:
            continue
        status, report = found
        counts[status] += 1
        proof = report.get("proof")
        if args.json:
            fields: dict[str, Any] = {"line": number, "exit": status}
            if proof is None:
                fields |= {"status": "error", "error": report["error"]}
            else:
                fields |= proof.to_json()
            print(json.dumps(fields), flush=True)
        elif proof is None:
            print(f"{number}: ERROR: {report['error']}", flush=True)
        else:
            method = "" if status == 0 else f"  [{proof.method}]"
            print(
                f"{number}: {proof.status.value.upper()}: {proof.statement()}{method}", flush=True
            )
    if not counts:
        raise LnsymError(f"{name} holds no statement; write one 'LHS = RHS' a line")
    if not args.json:
        tally = ", ".join(f"{counts[s]} {_NAMES[s]}" for s in sorted(counts, key=WORST_FIRST.index))
        total = sum(counts.values())
        statements = "statement" if total == 1 else "statements"
        sys.stderr.write(f"lnsym prove: {name}: {total} {statements}: {tally}\n")
    return worst(counts)
