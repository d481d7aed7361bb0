"""Doctests of modules that need an optional extra skip, with the reason, when it is missing."""

from __future__ import annotations

import importlib.util

import pytest

#: module (whose docstring examples run) → the libraries its examples need, and the extra.
NEEDS = {
    "lnsym.kernels.chunked": (("dask",), "dask"),
    "lnsym.kernels.stores": (("dask", "zarr"), "dask"),
    "lnsym.interp.chunked": (("dask",), "dask"),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if not isinstance(item, pytest.DoctestItem):
            continue
        for module, (libraries, extra) in NEEDS.items():
            if item.name == module or item.name.startswith(module + "."):
                missing = [name for name in libraries if importlib.util.find_spec(name) is None]
                if missing:
                    reason = f"{', '.join(missing)} not installed: pip install 'lnsym[{extra}]'"
                    item.add_marker(pytest.mark.skip(reason=reason))
