r"""Exported kernel modules: the one part of :mod:`lnsym.kernels` that runs the prover.

:func:`export` writes the module :func:`lnsym.kernel` would compile (:mod:`lnsym.kernels.source`),
with lnsym's proof that the code equals the formula cited in its docstring. Building a kernel in
process proves nothing and never imports the prover (an import-linter contract keeps it so).
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable
from pathlib import Path

from sympy import Expr

from lnsym.errors import DataError, LnsymError, UnsupportedError
from lnsym.kernels.backends import get
from lnsym.kernels.source import BY_CONSTRUCTION, module_source
from lnsym.kernels.spec import Spec, make_spec, unfold
from lnsym.prover import prove

__all__ = ["export", "proof_statement", "write_module"]


def proof_statement(spec: Spec) -> tuple[str, bool]:
    """One sentence saying that the formula equals its unfolded definition, and whether lnsym
    proved it (symbolically, for every n). Runs the prover: ``export`` uses it, ``kernel`` never."""
    version = importlib.metadata.version("lnsym")
    try:
        proof = prove(
            spec.expr, unfold(spec.expr), vectors=spec.vectors, scalars=spec.scalars, timeout=10
        )
    except LnsymError:  # too large to even read within the budget
        return f"{BY_CONSTRUCTION} lnsym {version}'s prover did not decide it in time.", False
    if proof.proved:
        text = (
            f"Proved by lnsym {version} ({proof.method}): the formula equals its definition "
            "unfolded to inner products, for every dimension n and every eps > 0."
        )
        return text, True
    return f"{BY_CONSTRUCTION} lnsym {version}'s prover returned {proof.status.value}.", False


def write_module(source: str, path: str | Path) -> Path:
    """Write ``source`` to ``path`` (a ``.py`` file); return the path."""
    path = Path(path)
    if path.suffix != ".py":
        raise UnsupportedError(f"{path}: a kernel module must end in .py to be importable")
    if not path.stem.isidentifier():
        raise UnsupportedError(f"{path}: {path.stem!r} is not a valid Python module name")
    try:
        path.write_text(source, encoding="utf-8")
    except OSError as error:
        raise DataError(f"{path}: cannot write it ({error.strerror})") from None
    return path


def export(
    expr: str | Expr,
    path: str | Path | None = None,
    *,
    backend: str = "numba",
    name: str | None = None,
    vectors: str | Iterable[str] | None = None,
    scalars: str | Iterable[str] | None = None,
    axis: int = -1,
    parallel: bool = False,
) -> str:
    """The source of a standalone module computing ``expr``; written to ``path`` when given.

    The module's docstring holds the formula's LaTeX and lnsym's proof that it equals its
    definition; it imports only NumPy and the backend's library. The function is called ``name``,
    or, without one, after the formula (:func:`lnsym.kernels.spec.formula_name`: ``LN(x)`` →
    ``layer_norm``, ``dot(w, LN(x)) + b`` → ``dot_w_ln_x_plus_b``).
    """
    chosen = get(backend)  # the one lookup of the name (before any proof is run)
    spec = make_spec(expr, vectors=vectors, scalars=scalars, name=name)
    statement, _ = proof_statement(spec)
    source = module_source(
        spec, chosen, axis=axis, cache=True, parallel=parallel, statement=statement
    )
    if path is not None:
        write_module(source, path)
    return source
