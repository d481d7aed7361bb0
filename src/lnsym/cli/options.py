"""Options shared by several commands: values given on the command line (``--set NAME=VALUE``).

The parser pieces that need no NumPy (:class:`HelpFormatter`, :func:`add_declarations`,
:func:`add_json`) live in :mod:`lnsym.cli.arguments` and are re-exported here."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from lnsym.cli.arguments import HelpFormatter, add_declarations, add_json
from lnsym.errors import DataError
from lnsym.lang.parser import RESERVED
from lnsym.numeric.data import Data, read_value

__all__ = ["HelpFormatter", "add_declarations", "add_json", "add_values", "read_assignments"]


def add_values(parser: argparse.ArgumentParser, names: str = "") -> None:
    """``--set NAME=VALUE`` (repeatable): a number, a list ``1,2,3``, or a data file."""
    what = f" ({names})" if names else ""
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        dest="values",
        metavar="NAME=VALUE",
        help=f"a value{what}: a number, a list 1,2,3, or a file (.jl, .npy, .txt, .csv)",
    )


def read_assignments(
    items: list[str], option: str = "--set", read: Callable[[str], Data] = read_value
) -> dict[str, Data]:
    """``["x=1,2,3", "b=0.5"]`` → the values by name, each read by ``read`` (one-line errors naming
    the option)."""
    values: dict[str, Data] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise DataError(f"{option} {item!r}: write NAME=VALUE, e.g. {option} x=1,2,3")
        if not name.isidentifier():
            raise DataError(f"{option} {item!r}: {name!r} is not a valid name")
        if name in values:
            raise DataError(f"{option} {name} is given twice")
        if name in RESERVED and name != "eps":
            raise DataError(f"{option} {name}: {name!r} is built in and cannot be set")
        try:
            values[name] = read(text)
        except DataError as error:
            raise DataError(f"{option} {name}: {error}") from None
    return values
