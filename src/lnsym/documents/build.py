"""``lnsym.derive``: check derivations and, when every one checked, write their documents."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from lnsym.derive.check import DerivationResult, check_all
from lnsym.derive.load import Derivation
from lnsym.documents.tex import write_documents

__all__ = ["derive"]


def derive(
    path: str | Path | Iterable[Derivation], *, out: str | Path | None = None
) -> list[DerivationResult]:
    """Check the derivations at ``path`` (a file or directory); with ``out``, also write the
    documents (one standalone ``.tex`` per derivation, a combined ``.tex`` and a ``.md``) there,
    provided every derivation checked."""
    results = check_all(path)
    if out is not None and all(r.ok for r in results):
        write_documents(results, out)
    return results
