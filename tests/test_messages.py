"""Error messages name the argument of the interface in use: a library call reads the Python
argument (``workers=``), the ``lnsym`` command reads its flag (``--workers``).

The command line turns the flags on at its boundary (``interface("cli")`` in :func:`lnsym.cli.main`);
every library message spells an argument through :func:`lnsym.errors.argument` (or
:func:`~lnsym.errors.value_of`, :func:`~lnsym.errors.declare_hint`), so no library module outside
``lnsym/cli/`` writes a flag itself. The last test reads the sources to keep it so.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import lnsym
from lnsym.cli import main
from lnsym.errors import DataError, LnsymError, interface
from lnsym.execute.engine import check_loopback, engine
from lnsym.execute.stores import batch_chunks, store
from lnsym.interp.expansions import series
from lnsym.kernels.evaluation import check_given
from lnsym.kernels.exact import evaluate_exact


def _engine(**options: Any) -> None:
    with engine(**options):
        pass  # pragma: no cover - the options are refused before the block runs


#: (a call that raises, the start of its message in Python, the same on the command line)
CASES: list[tuple[str, Callable[[], object], str, str]] = [
    (
        "digits",
        lambda: evaluate_exact("LN(x)", {"x": ["1", "2"]}, digits=0),
        "digits= 0",
        "--digits 0",
    ),
    ("axis", lambda: batch_chunks((3, 4), 8, axis=2), "axis= 2", "--axis 2"),
    ("order", lambda: series("LN(x)", "eps", -1), "order= -1", "--order -1"),
    (
        "scheduler",
        lambda: check_loopback("10.1.2.3:8786"),
        "scheduler= '10.1.2.3:8786'",
        "--scheduler '10.1.2.3:8786'",
    ),
    (
        "both",
        lambda: _engine(workers=1, scheduler="127.0.0.1:8786"),
        "give workers= (start a local cluster) or scheduler= (use one)",
        "give --workers (start a local cluster) or --scheduler (use one)",
    ),
    (
        "missing value",
        lambda: check_given("x + y", {"x"}),
        "no value given for 'y'; add 'y' to the values",
        "no value given for 'y'; add --set y=VALUE",
    ),
    (
        "expand in",
        lambda: series("LN(x)", "t", 1),
        "cannot expand in 't'; expand in eps or a declared scalar (scalars='t')",
        "cannot expand in 't'; expand in eps or a declared scalar (--scalars t)",
    ),
]


@pytest.mark.parametrize(
    ("call", "python", "cli"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_a_library_call_reads_the_argument_the_command_its_flag(
    call: Callable[[], object], python: str, cli: str
) -> None:
    with pytest.raises(LnsymError) as in_python:
        call()
    with interface("cli"), pytest.raises(LnsymError) as on_the_command_line:
        call()
    assert str(in_python.value).startswith(python), str(in_python.value)
    assert str(on_the_command_line.value).startswith(cli), str(on_the_command_line.value)
    assert "--" not in str(in_python.value)
    assert "\n" not in str(in_python.value) and "\n" not in str(on_the_command_line.value)


def test_the_store_names_out_and_resume(tmp_path: Path) -> None:
    dask = pytest.importorskip("dask.array")
    blocks = dask.ones((4, 3), chunks=(2, 3))
    store(blocks, tmp_path / "a.npy", job={"test": 1})
    with pytest.raises(DataError, match=r"^out= .*a\.npy exists; pass resume= to finish"):
        store(blocks, tmp_path / "a.npy", job={"test": 1})
    with pytest.raises(DataError, match=r"^out= .*a\.csv: write the result to a \.zarr"):
        store(blocks, tmp_path / "a.csv", job={"test": 1})
    with interface("cli"), pytest.raises(DataError, match=r"^--out .*exists; pass --resume to"):
        store(blocks, tmp_path / "a.npy", job={"test": 1})


def test_the_command_line_prints_its_flags(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["series", "LN(x)", "--order", "99"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("lnsym series: error: --order 99: choose an integer"), error
    assert main(["series", "LN(x)", "--in", "t"]) == 2
    error = capsys.readouterr().err
    assert "a declared scalar (--scalars t)" in error, error


#: a flag as a message writes it: ``--name``, not inside a word (``x--y``) or a rule (``---``)
_FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
#: where a flag is not a message's: the spelling table itself, the text of ``lnsym language``, the
#: figures script's own parser, the regeneration command a generated document names
_NOT_MESSAGES = {"errors.py", "lang/reference.py", "documents/figures.py", "documents/tex.py"}
#: library modules that still write a flag, to be spelled through ``argument()`` (issue 20); the
#: set may only shrink
_PENDING = {"interp/attribution.py"}


def _flags_in(path: Path) -> list[str]:
    """The flags in the string literals of ``path``, docstrings and ``dask scheduler`` aside."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        flag
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        if id(node) not in docstrings
        for flag in _FLAG.findall(node.value.replace("dask scheduler --host", ""))
    ]


def test_the_scan_finds_a_flag_in_an_f_string(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        '"""Docs may say --out."""\n'
        "def f(n):\n"
        '    raise ValueError(f"--workers {n}: choose " "dask scheduler --host 1; --chunk-mb")\n',
        encoding="utf-8",
    )
    assert _flags_in(module) == ["--workers", "--chunk-mb"]


def test_no_library_module_writes_a_flag() -> None:
    package = Path(lnsym.__file__).parent
    writers = {
        path.relative_to(package).as_posix(): flags
        for path in sorted(package.rglob("*.py"))
        if path.relative_to(package).parts[0] != "cli"
        if path.relative_to(package).as_posix() not in _NOT_MESSAGES
        if (flags := _flags_in(path))
    }
    unexpected = {module: flags for module, flags in writers.items() if module not in _PENDING}
    assert not unexpected, (
        f"flags written outside lnsym.cli (use lnsym.errors.argument): {unexpected}"
    )
