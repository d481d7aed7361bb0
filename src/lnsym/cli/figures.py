"""``lnsym figures [OUT] [--only NAME ..]``: regenerate the documentation's figures (PNG).

Draws with :func:`lnsym.documents.figures.write_all`; needs matplotlib (the ``figures`` extra).
"""

from __future__ import annotations

import argparse
import importlib.util

from lnsym.errors import UnsupportedError
from lnsym.install import needs

__all__ = ["register"]

#: the figures' file names (kept here so ``--help`` works without importing matplotlib).
NAMES = ("ln_geometry.png", "ln_length.png", "ln_uncentered_error.png")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "figures",
        help="regenerate the documentation's figures (PNG, matplotlib)",
        description=(
            "Draw the figures of the docs and the README into OUT (default docs/figures): the "
            "geometry of LN for n = 3, |LN(x)| against |c(x)| for several eps, and the error of "
            "the uncentered sqrt(n)*u(x, eps) against LN(x) as mu(x) grows. Every number comes "
            "from an lnsym kernel; every identity printed on a figure is proved while drawing."
        ),
        epilog="""examples:
  lnsym figures
  lnsym figures /tmp/figures --only ln_geometry.png ln_length.png""",
    )
    parser.add_argument(
        "out", nargs="?", default="docs/figures", metavar="OUT", help="output directory"
    )
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        choices=NAMES,
        help=f"draw only these figures, of: {', '.join(NAMES)}",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("matplotlib") is None:
        raise UnsupportedError(needs("lnsym figures", "figures"))
    from lnsym.documents.figures import write_all

    for path in write_all(args.out, args.only):
        print(f"wrote {path}")
    return 0
