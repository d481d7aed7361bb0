"""Modules that need an optional extra are skipped, with the reason, when it is missing.

``--doctest-modules`` imports every module of ``src/lnsym`` to collect its examples; a module that
imports an optional library at its top (the torch and jax runtimes) cannot even be imported without
it, and one whose examples use an extra (the Dask layer) cannot run them. Each is listed in
:data:`NEEDS` with its extra, and is reported as skipped — with :func:`lnsym.install.needs`, the same
advice an error message gives — instead of failing the collection.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lnsym.install import missing, needs

SOURCE = Path(__file__).resolve().parent / "src"

#: module (whose docstring examples run) → the extra its import or its examples need.
NEEDS = {
    "lnsym.kernels.torch_runtime": "torch",
    "lnsym.kernels.jax_runtime": "jax",
    "lnsym.execute.kernel_blocks": "dask",
    "lnsym.execute.stores": "dask",
    "lnsym.execute.rows": "dask",
}


def _module(path: Path) -> str | None:
    try:
        relative = path.resolve().relative_to(SOURCE)
    except ValueError:
        return None
    return ".".join(relative.with_suffix("").parts)


@pytest.hookimpl(tryfirst=True)
def pytest_make_collect_report(collector: pytest.Collector) -> pytest.CollectReport | None:
    if not isinstance(collector, pytest.Module | pytest.File) or collector.path.suffix != ".py":
        return None
    module = _module(collector.path)
    extra = NEEDS.get(module or "")
    if extra is None or not missing(extra):
        return None
    reason = needs(f"the examples of {module}", extra)
    return pytest.CollectReport(
        collector.nodeid, "skipped", (str(collector.path), None, f"Skipped: {reason}"), []
    )
