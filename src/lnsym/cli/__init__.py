"""The ``lnsym`` command line: thin wrappers that parse arguments, call the API, print, and exit.

Exit codes: 0 success (``prove``: proved), 1 ``prove``: refuted / ``derive``: a step failed,
2 bad input (one line on stderr, no traceback), 3 ``prove``: unknown, 4 an internal error of lnsym
(one line; never 1, which scripts read as "refuted").
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Iterable, Sequence
from typing import Any, NoReturn

from lnsym.budget import BudgetExceeded
from lnsym.cli.arguments import COMMAND_LINE, HelpFormatter
from lnsym.errors import LnsymError, interface
from lnsym.records import FrozenRecord

__all__ = ["COMMANDS", "EXIT_BAD_INPUT", "EXIT_INTERNAL_ERROR", "ArgumentParser", "Command", "main"]

EXIT_BAD_INPUT = 2
EXIT_INTERNAL_ERROR = 4


class Command(FrozenRecord):
    """One ``lnsym`` command: the module whose ``register(subparsers)`` adds it (with its options
    and ``run``), and the one-line help ``lnsym --help`` lists without importing that module."""

    __match_args__ = ("module", "help")
    __slots__ = __match_args__
    module: str
    help: str

    def __init__(self, module: str, help: str) -> None:
        self._set(module=module, help=help)


#: every command, in the order ``lnsym --help`` lists them. A command's module is imported only when
#: that command runs (or its help is asked for), so ``lnsym --help`` needs no SymPy and ``lnsym
#: prove`` loads no data, documents or Dask layers. To add a command: one entry here, and a module
#: with ``register(subparsers)`` (tests/test_layout.py checks the two agree).
COMMANDS: dict[str, Command] = {
    "prove": Command("lnsym.cli.prove", "prove LHS = RHS, or refute it with a witness"),
    "derive": Command(
        "lnsym.cli.derive", "check derivations step by step; write LaTeX/Markdown proofs"
    ),
    "latex": Command("lnsym.cli.derive", "print the LaTeX of one expression"),
    "eval": Command("lnsym.cli.numeric", "evaluate a formula on numbers or data files"),
    "export": Command("lnsym.cli.numeric", "write a standalone kernel module"),
    "fold": Command(
        "lnsym.cli.interp", "fold an affine LN (g, beta) and bias b into the next reader w"
    ),
    "attribute": Command(
        "lnsym.cli.interp", "direct logit attribution through LN: each component's share"
    ),
    "compare": Command(
        "lnsym.cli.interp", "the exact symbolic difference of two formulas and its size on data"
    ),
    "figures": Command(
        "lnsym.cli.figures", "regenerate the documentation's figures (PNG, matplotlib)"
    ),
    "series": Command(
        "lnsym.cli.series", "expand a formula around eps = 0, every coefficient proved"
    ),
    "language": Command(
        "lnsym.cli.language", "the functions, built-ins and conventions of the formulas"
    ),
    "help": Command("lnsym.cli.language", "help on a topic: 'language' or a command"),
    "check": Command(
        "lnsym.cli.check", "re-check saved verdicts (lnsym prove --json) with the trusted checker"
    ),
}


#: modules that only some runs of a command need, imported on first use (PEP 562 ``__getattr__``):
#: ``lnsym.cli.batch`` for ``prove --file`` and :mod:`json` for ``--json``, so that ``lnsym prove``
#: of one statement loads neither (a command's module reads them as ``cli.batch``, ``cli.json``).
_ON_DEMAND: dict[str, str] = {"batch": "lnsym.cli.batch", "json": "json"}


def __getattr__(name: str) -> Any:
    if name not in _ON_DEMAND:
        raise AttributeError(f"module 'lnsym.cli' has no attribute {name!r}")
    value = importlib.import_module(_ON_DEMAND[name])
    globals()[name] = value  # imported once: later look-ups find it without this function
    return value


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


class _Version(argparse.Action):
    """``--version``: reads the package metadata only when asked (importlib.metadata is slow)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS) -> None:
        super().__init__(
            option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="show lnsym's version"
        )

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        from importlib.metadata import version

        parser.exit(message=f"lnsym {version('lnsym')}\n")


def build_parser(commands: Iterable[str] | None = None, *, listed: bool = True) -> ArgumentParser:
    """The ``lnsym`` parser with the full parsers of ``commands`` (default: every command); the
    others are listed by name and help only, their modules not imported (``listed=False``: left
    out, for parsing a command line whose command is known -- only ``lnsym --help`` and a wrong
    command word show the list, and each listed command costs a parser)."""
    wanted = set(COMMANDS) if commands is None else set(commands)
    parser = ArgumentParser(
        prog="lnsym",
        description=(
            "Prove, print and compute layer-normalization algebra. 'lnsym language' lists the "
            "functions, built-ins and conventions of the formulas every command reads; "
            "'lnsym COMMAND --help' shows a command's options and examples."
        ),
        epilog=_EXAMPLES,
    )
    parser.add_argument("--version", action=_Version)
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=ArgumentParser
    )
    subparsers.required = True
    modules = dict.fromkeys(COMMANDS[name].module for name in COMMANDS if name in wanted)
    for module in modules:  # a module may add several commands (derive and latex)
        importlib.import_module(module).register(subparsers)
    for name, command in COMMANDS.items() if listed else ():
        if name not in subparsers.choices:  # listed by ``lnsym --help``, never parsed
            subparsers.add_parser(name, help=command.help, add_help=False)
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names: its first word that is not an option (``lnsym`` itself takes
    only ``--help`` and ``--version``, neither with a value)."""
    for arg in argv:
        if arg == "--":
            return None
        if not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``lnsym`` script; returns the exit status."""
    words = list(sys.argv[1:] if argv is None else argv)
    command = _command_in(words)
    if command is None:
        args = build_parser([]).parse_args(words)
    else:
        args = build_parser([command], listed=False).parse_args(words)
    if getattr(args, "run", None) is None:  # the command was not where _command_in looked
        args = build_parser().parse_args(words)
    try:
        with interface(COMMAND_LINE):  # messages name the flags, not the Python arguments
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
