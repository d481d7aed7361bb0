"""``python -m lnsym`` runs the command line."""

from lnsym.cli import _entry

_entry()
