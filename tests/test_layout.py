"""The package's shape: no import cycles, a deliberate public API, every public name documented.

The layer order itself (cli above interp/documents above derive/kernels above prover above numeric
above lang) is an import-linter contract in ``pyproject.toml``, checked by ``lint-imports`` in CI.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import re
import subprocess
import sys
import textwrap
import tomllib
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


# --------------------------------------------------------------------------------------------------
# Imported on use: the package's public names (PEP 562) and the command line's commands
# --------------------------------------------------------------------------------------------------


def _typing_imports() -> dict[str, str]:
    """The names ``lnsym/__init__.py`` imports under ``if TYPE_CHECKING:``, and their modules."""
    tree = ast.parse(Path(lnsym.__file__).read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom):
                    assert statement.module is not None
                    found |= {alias.name: statement.module for alias in statement.names}
    return found


def test_the_lazy_table_the_typing_imports_and_all_agree() -> None:
    public = lnsym._PUBLIC  # type: ignore[attr-defined]
    assert _typing_imports() == public  # what mypy sees is what a user gets
    assert sorted(lnsym.__all__) == sorted([*public, "__version__"])
    assert len(set(lnsym.__all__)) == len(lnsym.__all__)
    assert set(lnsym.__all__) <= set(dir(lnsym))


def _loads(code: str) -> set[str]:
    """The top-level packages and lnsym modules loaded by ``code``, in a fresh interpreter."""
    script = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True
    )
    return set(done.stdout.split())


def test_import_lnsym_loads_no_sympy_and_names_load_on_use() -> None:
    loaded = _loads("import lnsym")
    assert not {"sympy", "numpy", "lnsym.prover", "lnsym.derive"} & loaded
    loaded = _loads("import lnsym\nassert lnsym.prove('LN(x)', 'sqrt(n)*u(c(x), n*eps)')")
    assert "lnsym.prover" in loaded
    assert not {m for m in loaded if m.split(".")[0] in {"numpy", "dask", "matplotlib"}}
    assert not {m for m in loaded if m.startswith(("lnsym.derive", "lnsym.interp", "lnsym.kern"))}


def test_lnsym_derive_stays_the_function_after_the_subpackage_loads() -> None:
    # Python sets lnsym.derive to the subpackage when it is first imported; the function wins
    code = (
        "import lnsym, inspect\nimport lnsym.derive.check\nfrom lnsym import derive\n"
        "assert inspect.isfunction(lnsym.derive) and derive is lnsym.derive, lnsym.derive"
    )
    _loads(code)


@pytest.mark.parametrize(
    ("argv", "absent"),
    [
        (["--help"], ("sympy", "numpy", "mpmath", "lnsym.prover", "lnsym.cli.prove")),
        (["--version"], ("sympy", "numpy")),
        (
            ["prove", "LN(x) = sqrt(n)*u(c(x), n*eps)"],
            ("numpy", "dask", "lnsym.derive", "lnsym.documents", "lnsym.interp", "lnsym.kernels"),
        ),
    ],
)
def test_a_command_imports_only_what_it_uses(argv: list[str], absent: tuple[str, ...]) -> None:
    code = (
        "import contextlib, io\nfrom lnsym.cli import main\n"
        f"with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        f"    main({argv!r})"
    )
    loaded = _loads(code)
    assert "lnsym.cli" in loaded
    assert not {m for m in loaded for a in absent if m == a or m.startswith(a + ".")}


def test_the_command_registry_matches_what_the_modules_register() -> None:
    """One entry per command in lnsym.cli.COMMANDS: its module registers it, with the same one-line
    help that ``lnsym --help`` lists without importing the module."""
    import argparse

    from lnsym.cli import COMMANDS, build_parser

    for module in {c.module for c in COMMANDS.values()}:
        parser = argparse.ArgumentParser()
        subparsers = parser.add_subparsers()
        importlib.import_module(module).register(subparsers)
        registered = {a.dest: a.help for a in subparsers._choices_actions}
        assert registered == {n: c.help for n, c in COMMANDS.items() if c.module == module}
    full = build_parser()
    (commands,) = (a for a in full._actions if isinstance(a, argparse._SubParsersAction))
    assert list(commands.choices) == list(COMMANDS)
    only = build_parser([])  # every command a stub: listed with the same help
    (stubs,) = (a for a in only._actions if isinstance(a, argparse._SubParsersAction))
    assert [(a.dest, a.help) for a in stubs._choices_actions] == [
        (n, c.help) for n, c in COMMANDS.items()
    ]


def _kernel_modules() -> set[str]:
    package = Path(lnsym.__file__).parent / "kernels"
    return {
        f"lnsym.kernels.{path.stem}" for path in package.glob("*.py") if path.stem != "__init__"
    }


def test_only_export_reaches_the_prover_from_kernels() -> None:
    """Building a kernel proves nothing: no kernels module but ``export`` (which cites the proof)
    imports the prover, directly or through others; the import-linter contract lists them all."""
    graph = grimp.build_graph("lnsym", cache_dir=None, exclude_type_checking_imports=True)
    prover = {m for m in graph.modules if m == "lnsym.prover" or m.startswith("lnsym.prover.")}
    reaching = {
        module
        for module in _kernel_modules()
        if any(graph.chain_exists(importer=module, imported=p) for p in prover)
    }
    assert reaching == {"lnsym.kernels.export"}
    config = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text("utf-8"))
    (contract,) = (
        c
        for c in config["tool"]["importlinter"]["contracts"]
        if c.get("forbidden_modules") == ["lnsym.prover"]
    )
    assert set(contract["source_modules"]) == _kernel_modules() - {"lnsym.kernels.export"}


def test_a_kernel_shape_error_is_one_of_lnsyms_errors() -> None:
    from lnsym.errors import DataError, KernelShapeError
    from lnsym.kernels import KernelShapeError as public
    from lnsym.kernels import kernel

    assert public is KernelShapeError
    assert issubclass(KernelShapeError, DataError) and issubclass(KernelShapeError, ValueError)
    with pytest.raises(KernelShapeError, match="w has 3 entries on axis -1 but x has 2"):
        kernel("dot(w, x)", vectors="x,w")(x=[1.0, 2.0], w=[1.0, 2.0, 3.0])


# --------------------------------------------------------------------------------------------------
# Flags belong to the command line: library messages name the Python argument
# --------------------------------------------------------------------------------------------------


def _cli_flags() -> set[str]:
    """Every long option of the ``lnsym`` parser and of each command's parser."""
    import argparse

    from lnsym.cli import build_parser

    flags: set[str] = set()
    parsers = [build_parser()]
    while parsers:
        parser = parsers.pop()
        for action in parser._actions:
            flags |= {s for s in action.option_strings if s.startswith("--")}
            if isinstance(action, argparse._SubParsersAction):
                parsers += action.choices.values()
    return flags


#: a flag as text writes it: ``--name``, not inside a word (``x--y``) or a rule (``---``)
_FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def _flags_in(source: str, flags: set[str]) -> list[str]:
    """The ``flags`` named by the string constants of ``source`` (docstrings aside: they document
    the command line), and each ``--`` an f-string puts before a value (``f"--{name}"``)."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docstrings:
                found += [flag for flag in _FLAG.findall(node.value) if flag in flags]
        elif isinstance(node, ast.JoinedStr):
            for part, after in zip(node.values, node.values[1:], strict=False):
                if (
                    isinstance(part, ast.Constant)
                    and str(part.value).endswith("--")
                    and isinstance(after, ast.FormattedValue)
                ):
                    found.append(f"--{{{ast.unparse(after.value)}}}")
    return found


def test_the_scan_finds_flags_in_strings_and_f_strings() -> None:
    source = (
        '"""Docs may say --out."""\n'
        "def f(n, name):\n"
        '    """Or --workers."""\n'
        '    raise ValueError(f"--workers {n}: choose " "dask scheduler --host 1; --chunk-mb")\n'
        'SPELL = f"--{name}"\n'
    )
    flags = {"--out", "--workers", "--chunk-mb"}
    assert sorted(_flags_in(source, flags)) == ["--chunk-mb", "--workers", "--{name}"]


def test_no_library_module_names_a_flag() -> None:
    """Library errors name the API argument (``out=``, ``resume=``, ``w_axis=``); only
    ``lnsym/cli/`` spells flags, at its boundary (:class:`lnsym.cli.arguments.CommandLine`)."""
    flags = _cli_flags()
    assert {"--out", "--resume", "--w-axis", "--set", "--vectors"} <= flags
    package = Path(lnsym.__file__).parent
    named = {
        path.relative_to(package).as_posix(): found
        for path in sorted(package.rglob("*.py"))
        if path.relative_to(package).parts[0] != "cli"
        if (found := _flags_in(path.read_text(encoding="utf-8"), flags))
    }
    assert not named, f"flags named outside lnsym.cli (use lnsym.errors.argument): {named}"


#: arguments only the Python API takes (the command line reads a statement's relation from its text)
_PYTHON_ONLY = {"relation"}


def test_every_argument_a_message_names_is_a_flag_on_the_command_line() -> None:
    """``argument("x")`` in a library message reads ``x=`` in Python and the flag the command line
    spells (:data:`lnsym.cli.arguments.COMMAND_LINE`): that flag must exist."""
    from lnsym.cli.arguments import COMMAND_LINE

    flags = _cli_flags()
    package = Path(lnsym.__file__).parent
    spelled, wrong = set(), []
    for path in sorted(package.rglob("*.py")):
        if path.relative_to(package).parts[0] == "cli":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "argument"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                name = node.args[0].value
                spelled.add(name)
                if name not in _PYTHON_ONLY and COMMAND_LINE.argument(name) not in flags:
                    wrong.append(
                        f"{path.name}:{node.lineno}: {name} -> {COMMAND_LINE.argument(name)}"
                    )
    assert {"out", "resume", "chunk_bytes", "memory_limit"} <= spelled
    assert not wrong, wrong


# --------------------------------------------------------------------------------------------------
# Private names stay in their module
# --------------------------------------------------------------------------------------------------


def _private_imports() -> list[str]:
    """Every ``from lnsym.X import _y`` (or ``from .X import _y``) of one lnsym module from another,
    where ``_y`` is not in ``X.__all__`` (the kernels' runtimes export their ``_rsum``, ``_where``, …
    on purpose: generated modules copy them under those names)."""
    package = Path(lnsym.__file__).parent
    found = []
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        module = ".".join(parts)
        here = parts if path.name == "__init__.py" else parts[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            base = here[: len(here) - node.level + 1] if node.level else []
            target = ".".join([*base, *([node.module] if node.module else [])])
            if target.split(".")[0] != "lnsym" or target == module:
                continue
            exported = set(getattr(importlib.import_module(target), "__all__", ()))
            found += [
                f"{module} <- {target}.{alias.name}"
                for alias in node.names
                if alias.name.startswith("_") and not alias.name.startswith("__")
                if alias.name not in exported
            ]
    return found


#: the ceiling on private names imported across modules; it may only come down. None is left:
#: what modules share is public (check/'s divide_monomial, is_square, add_vectors, dot,
#: scale_vector; folding's norm_parameter, attribution's attribute_in_memory and tensor_state,
#: definitions' latex_of; interp.chunked's 11 went with the module, issue 20).
PRIVATE_IMPORTS = 0


def test_private_names_stay_in_their_module() -> None:
    found = _private_imports()
    assert len(found) <= PRIVATE_IMPORTS, "\n".join(found)


def test_the_trusted_checkers_size_in_the_docs_is_the_files() -> None:
    """docs/verdicts.md tells a reviewer how many lines to audit: each file's count and the total
    must be what ``wc -l`` says (so the number cannot go stale as the checker changes)."""
    root = Path(__file__).resolve().parent.parent
    text = (root / "docs" / "verdicts.md").read_text(encoding="utf-8")
    paragraph = " ".join(
        text[text.index("What you must trust is the checker") :].split("\n\n")[0].split()
    )
    counts = {
        f.name: len(f.read_text(encoding="utf-8").splitlines())
        for f in (root / "src" / "lnsym" / "check").glob("*.py")
    }
    for name, lines in counts.items():
        if name == "__init__.py":
            continue
        found = re.search(rf"`{re.escape(name)}` \(.*?(\d[\d,]*)( lines)?\)", paragraph)
        assert found, f"docs/verdicts.md does not give the length of check/{name}"
        assert int(found.group(1).replace(",", "")) == lines, f"check/{name} has {lines} lines"
    total = re.search(r"— ([\d,]+) lines with their docstrings", paragraph)
    assert total and int(total.group(1).replace(",", "")) == sum(counts.values())
