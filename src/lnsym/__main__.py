"""``python -m lnsym`` runs the command line."""

from lnsym.cli import main

raise SystemExit(main())
