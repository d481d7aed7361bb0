"""Options shared by several commands (declarations of names, assumptions, output format)."""

from __future__ import annotations

import argparse

__all__ = ["add_declarations", "add_json"]


def add_declarations(parser: argparse.ArgumentParser) -> None:
    """``--vectors x,w`` and ``--scalars a,b``: the names an expression may use."""
    parser.add_argument(
        "--vectors",
        default=None,
        metavar="V,..",
        help="comma-separated vector names (default: x)",
    )
    parser.add_argument(
        "--scalars", default="", metavar="S,..", help="comma-separated real scalar names"
    )


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object")
