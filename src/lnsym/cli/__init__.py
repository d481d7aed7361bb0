"""The ``lnsym`` command line: thin wrappers that parse arguments, call the API, print, and exit.

Exit codes: 0 success (``prove``: proved), 1 ``prove``: refuted / ``derive``: a step failed,
2 bad input (one line on stderr, no traceback), 3 ``prove``: unknown, 4 an internal error of lnsym
(one line; never 1, which scripts read as "refuted").
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from lnsym.budget import BudgetExceeded
from lnsym.cli.options import HelpFormatter
from lnsym.errors import LnsymError, interface

__all__ = ["EXIT_BAD_INPUT", "EXIT_INTERNAL_ERROR", "ArgumentParser", "main"]

EXIT_BAD_INPUT = 2
EXIT_INTERNAL_ERROR = 4
#: one module per command family; each has ``register(subparsers)``.
COMMAND_MODULES = (
    "lnsym.cli.prove",
    "lnsym.cli.derive",
    "lnsym.cli.numeric",
    "lnsym.cli.interp",
    "lnsym.cli.figures",
    "lnsym.cli.series",
    "lnsym.cli.language",
    "lnsym.cli.check",
)


_EXAMPLES = """examples:
  lnsym language                                   # the functions and conventions
  lnsym prove 'LN(x) = sqrt(n)*u(c(x), n*eps)'      # a proof
  lnsym eval 'LN(x)' --set x=1,2,3,5               # a number
  lnsym export 'LN(x)' --backend numpy             # a kernel module"""


class ArgumentParser(argparse.ArgumentParser):
    """An argparse parser whose errors are one line and exit 2, and whose help is wrapped to the
    terminal (examples kept as written)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def _parse_optional(self, arg_string: str) -> Any:
        # an expression may start with a minus ('-LN(x)'): only known options are options
        if arg_string[:1] == "-" and arg_string[:2] != "--":
            if arg_string not in self._option_string_actions:
                return None
        return super()._parse_optional(arg_string)

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see {self.prog} --help)\n")
        raise SystemExit(EXIT_BAD_INPUT)


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="lnsym",
        description=(
            "Prove, print and compute layer-normalization algebra. 'lnsym language' lists the "
            "functions, built-ins and conventions of the formulas every command reads; "
            "'lnsym COMMAND --help' shows a command's options and examples."
        ),
        epilog=_EXAMPLES,
    )
    parser.add_argument(
        "--version", action="version", version=f"lnsym {importlib.metadata.version('lnsym')}"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ArgumentParser)
    commands.required = True
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            continue  # a command family not built yet
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``lnsym`` script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with interface("cli"):  # error messages name the flags, not the Python arguments
            return int(args.run(args))
    except LnsymError as error:
        sys.stderr.write(f"lnsym {args.command}: error: {error}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        sys.stderr.write("lnsym: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0
    except OSError as error:  # a path the user gave cannot be read or written
        where = f"{error.filename}: " if error.filename else ""
        sys.stderr.write(f"lnsym {args.command}: error: {where}{error.strerror or error}\n")
        return EXIT_BAD_INPUT
    except BudgetExceeded:
        sys.stderr.write(f"lnsym {args.command}: error: the time budget ran out; raise --timeout\n")
        return EXIT_BAD_INPUT
    except RecursionError:
        sys.stderr.write(f"lnsym {args.command}: error: the expression is nested too deeply\n")
        return EXIT_BAD_INPUT
    except Exception as error:  # a bug in lnsym: one line, its own exit status
        detail = str(error).splitlines()[0][:200] if str(error) else ""
        sys.stderr.write(
            f"lnsym {args.command}: internal error: {type(error).__name__}: {detail} "
            "(please report it)\n"
        )
        return EXIT_INTERNAL_ERROR


def _entry() -> NoReturn:  # pragma: no cover - exercised through the console script
    raise SystemExit(main())
