"""``lnsym language`` and ``lnsym help [TOPIC]``: the expression language, from the definitions."""

from __future__ import annotations

import argparse
import shutil
from typing import Any

from lnsym.cli import build_parser
from lnsym.errors import LnsymError
from lnsym.lang.reference import language_help

__all__ = ["register"]

_LANGUAGE_EXAMPLES = """examples:
  lnsym language
  lnsym help language
  lnsym help prove"""


def register(subparsers: Any) -> None:
    """Add ``language`` and ``help`` to the ``lnsym`` command line."""
    language = subparsers.add_parser(
        "language",
        help="the functions, built-ins and conventions of the formulas",
        description=(
            "Print the expression language every command reads: conventions, syntax, the built-ins "
            "n, eps, ones and sqrt, every function with its kinds and definition, and how names "
            "become vectors or scalars. Generated from lnsym.lang.definitions, like the docs' table."
        ),
        epilog=_LANGUAGE_EXAMPLES,
    )
    language.set_defaults(run=run_language)
    helper = subparsers.add_parser(
        "help",
        help="help on a topic: 'language' or a command",
        description="Print the help of a topic: 'language', or a command such as 'prove'.",
        epilog=_LANGUAGE_EXAMPLES,
    )
    helper.add_argument("topic", nargs="?", default=None, metavar="TOPIC")
    helper.set_defaults(run=run_help)


def _width() -> int:
    return max(60, min(shutil.get_terminal_size((100, 24)).columns, 120) - 2)


def run_language(args: argparse.Namespace) -> int:
    print(language_help(_width()))
    return 0


def run_help(args: argparse.Namespace) -> int:
    parser = build_parser()
    if args.topic is None:
        parser.print_help()
        return 0
    if args.topic == "language":
        return run_language(args)
    commands = next(a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    if args.topic not in commands:
        raise LnsymError(
            f"no help on {args.topic!r}; topics: {', '.join(sorted({'language', *commands}))}"
        )
    commands[args.topic].print_help()
    return 0
