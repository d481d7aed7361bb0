"""Options shared by several commands (declarations of names, assumptions, output format)."""

from __future__ import annotations

import argparse
import re
import textwrap
from collections.abc import Callable

from lnsym.errors import DataError
from lnsym.lang.parser import RESERVED
from lnsym.numeric.data import Data, read_value

__all__ = ["HelpFormatter", "add_declarations", "add_json", "add_values", "read_assignments"]


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions and epilogs wrapped to the terminal, paragraph by paragraph; indented lines
    (examples) are kept as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        out = []
        for block in re.split(r"\n\s*\n", text.strip("\n")):
            lines = block.split("\n")
            if any(line.startswith(" ") for line in lines) or block.rstrip().endswith(":"):
                out.append("\n".join(indent + line for line in lines))
            else:
                out.append(
                    textwrap.fill(
                        " ".join(block.split()),
                        width,
                        initial_indent=indent,
                        subsequent_indent=indent,
                    )
                )
        return "\n\n".join(out)


def add_declarations(parser: argparse.ArgumentParser) -> None:
    """``--vectors x,w`` and ``--scalars a,b``: the names an expression may use."""
    parser.add_argument(
        "--vectors",
        default=None,
        metavar="V,..",
        help="vector names where their use leaves it open (x is always a vector unless declared "
        "a scalar; names in dot(w, x) or given lists are vectors already)",
    )
    parser.add_argument(
        "--scalars",
        default="",
        metavar="S,..",
        help="real scalar names where their use leaves it open (e.g. a in a*b)",
    )


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object")


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
