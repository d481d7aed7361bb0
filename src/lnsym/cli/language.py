"""``lnsym language`` and ``lnsym help [TOPIC]``: the expression language, from the definitions."""

from __future__ import annotations

import argparse
import shutil
import textwrap
from typing import Any

from lnsym.cli import build_parser
from lnsym.errors import LnsymError
from lnsym.lang.definitions import DEFINITIONS
from lnsym.lang.reference import BUILT_INS, calls, kinds, plain_formula, summary

__all__ = ["language_help", "register"]

_LANGUAGE_EXAMPLES = """examples:
  lnsym language
  lnsym help language
  lnsym help prove"""


_CONVENTIONS = """\
All vectors live in R^n and all values are real. The mean is over the n entries; the variance is
biased (divides by n, like PyTorch's layer_norm); eps sits inside the square root. Numeric kernels
normalize the last axis (--axis K to choose another)."""

_SYNTAX = """\
Numbers (exact decimals in proofs: 0.8328 is 8328/10000), + - * / ** (^ is power too),
parentheses, and calls of the functions below. Vectors add and scale; a vector times a vector is
an error (use dot(a, b) or hadamard(a, b)), and so is adding a vector and a scalar."""

_NAMES = """\
x is a vector unless you declare or give it otherwise. Every other name takes its kind from its
use: arguments of functions take the function's kinds (in dot(w, x), w is a vector), terms of a
sum share a kind, a divisor, a power and a factor beside a vector are scalars, and --set values
tell their kind (a list is a vector, a number a scalar). --vectors and --scalars (vectors= and
scalars= in Python, vectors = [...] in a derivation file) only settle what use leaves open, e.g.
a*b; they add to the default x, they do not replace it."""

_EXAMPLES = """\
  lnsym prove 'LN(x) = sqrt(n)*u(c(x), n*eps)'
  lnsym prove 'dot(w, LN(x))' 'sqrt(n)*dot(w, c(x))/sqrt(norm(c(x))**2 + n*eps)'
  lnsym latex 'LNA(x, g, beta)'
  lnsym eval 'dot(w, LN(x)) + b' --set x=1,2,3,5 --set w=1,0,0,-1 --set b=0.5"""


def language_help(width: int = 100) -> str:
    """The text of ``lnsym language``: conventions, syntax, built-ins, functions, names."""
    width = max(width, 60)

    def fill(text: str) -> str:
        return textwrap.fill(
            " ".join(text.split()), width, initial_indent="  ", subsequent_indent="  "
        )

    lines = [
        "The expression language of lnsym: every command and the Python API read it.",
        "",
        "conventions:",
        fill(_CONVENTIONS),
        "",
        "syntax:",
        fill(_SYNTAX),
        "",
        "built-ins:",
    ]
    for name, kind, meaning in BUILT_INS:
        lines.append(f"  {name:<8} {kind:<16} {meaning}")
    lines += ["", "functions (how you call it: what it is, the kinds, its definition):"]
    indent = " " * 6
    for cls in DEFINITIONS.values():
        lines.append(
            textwrap.fill(
                f"{', '.join(calls(cls))}: {summary(cls)}; {kinds(cls)}",
                width,
                initial_indent="  ",
                subsequent_indent="      ",
                break_on_hyphens=False,
            )
        )
        lines.append(
            textwrap.fill(
                plain_formula(cls.formula), width, initial_indent=indent, subsequent_indent=indent
            )
        )
    lines += [
        "",
        "names:",
        fill(_NAMES),
        "",
        "examples:",
        _EXAMPLES,
    ]
    return "\n".join(lines)


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
