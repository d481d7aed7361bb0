"""The command line's parser pieces that need no SymPy or NumPy: the help formatter and the options
several commands share (declared names, ``--json``). ``lnsym --help`` and a command's parser are built
from these before any command's work is imported."""

from __future__ import annotations

import argparse
import re
import textwrap
from typing import ClassVar

from lnsym.errors import Spelling

__all__ = ["COMMAND_LINE", "CommandLine", "HelpFormatter", "add_declarations", "add_json"]


class CommandLine(Spelling):
    """The command line's words for what a library message names: the flag of a Python argument
    (``dim`` is ``--dim``, ``chunk_bytes`` is ``--chunk-mb``), ``--set x`` for a value,
    ``--vectors w`` for a declaration. :func:`lnsym.cli.main` puts it in use; library modules name
    the Python argument and never a flag."""

    name = "cli"

    #: Python arguments whose flag is not their name with ``-`` for ``_``.
    FLAGS: ClassVar[dict[str, str]] = {"chunk_bytes": "--chunk-mb"}

    def argument(self, name: str) -> str:
        """The flag of the Python argument ``name``."""
        return self.FLAGS.get(name, "--" + name.replace("_", "-"))

    def value(self, name: str) -> str:
        """``--set NAME``, the option that gives the formula's name ``name`` a value."""
        return f"--set {name}"

    def declaration(self, name: str, kind: str) -> str:
        """``--vectors NAME`` or ``--scalars NAME``."""
        return f"--{kind}s {name}"


#: the spelling :func:`lnsym.cli.main` runs every command with.
COMMAND_LINE = CommandLine()


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
