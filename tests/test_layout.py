"""The package's shape: no import cycles, a deliberate public API, every public name documented.

The layer order itself (cli above interp/documents above derive/kernels above prover above numeric
above lang) is an import-linter contract in ``pyproject.toml``, checked by ``lint-imports`` in CI.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import textwrap
from pathlib import Path

import pytest

import lnsym

grimp = pytest.importorskip("grimp", reason="grimp (installed with import-linter) draws the graph")


def test_no_module_imports_itself_through_others() -> None:
    graph = grimp.build_graph("lnsym", cache_dir=None, exclude_type_checking_imports=True)
    cycles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if imported != module and graph.chain_exists(importer=imported, imported=module):
                cycles.append(f"{module} <-> {imported}")
    assert not cycles, "import cycles: " + ", ".join(cycles)


def test_no_import_hides_inside_a_function() -> None:
    """Imports at the top of each module only (the CLI's lazy load of matplotlib figures aside)."""
    graph = grimp.build_graph("lnsym", cache_dir=None, exclude_type_checking_imports=True)
    allowed = {("lnsym.cli.figures", "lnsym.documents.figures")}
    hidden = []
    for module in sorted(graph.modules):
        found = importlib.util.find_spec(module)
        assert found is not None and found.origin is not None
        source = Path(found.origin).read_text(encoding="utf-8")  # read, never run
        typing_only = False
        for line in source.splitlines():
            stripped = line.strip()
            if stripped.startswith("if TYPE_CHECKING"):
                typing_only = True
            elif not line.startswith((" ", "\t")):
                typing_only = False
            if typing_only:
                continue  # names for annotations only: no import at run time
            if line.startswith((" ", "\t")) and stripped.startswith(("from lnsym", "import lnsym")):
                target = stripped.split()[1]
                if (module, target) not in allowed:
                    hidden.append(f"{module}: {stripped}")
    assert not hidden, "\n".join(hidden)


@pytest.mark.parametrize("name", lnsym.__all__)
def test_every_public_name_imports_and_is_documented(name: str) -> None:
    value = getattr(lnsym, name)
    if name == "__version__":
        assert isinstance(value, str) and value
        return
    if inspect.isclass(value) or inspect.isfunction(value):
        # from the source, since a class may turn __doc__ into a property (Kernel shows its code's)
        (node,) = ast.parse(textwrap.dedent(inspect.getsource(value))).body
        assert isinstance(node, ast.ClassDef | ast.FunctionDef)
        assert ast.get_docstring(node), f"lnsym.{name} has no docstring"
    else:  # constants: the definitions table, the symbols n, eps, ones, the rules
        assert value is not None


def test_the_version_comes_from_the_package_metadata() -> None:
    from importlib.metadata import version

    assert lnsym.__version__ == version("lnsym")
