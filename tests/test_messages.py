"""Error messages name the argument of the interface in use: a library call reads the Python
argument (``workers=``), the ``lnsym`` command reads its flag (``--workers``).

Every library message names the Python argument through :func:`lnsym.errors.argument` (or
:func:`~lnsym.errors.value_of`, :func:`~lnsym.errors.declare_hint`); the command line brings its
flags at its boundary (:data:`lnsym.cli.arguments.COMMAND_LINE`, put in use by
:func:`lnsym.cli.main`), so no library module outside ``lnsym/cli/`` writes a flag itself
(tests/test_layout.py reads the sources to keep it so).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lnsym.cli import main
from lnsym.cli.arguments import COMMAND_LINE
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
    with interface(COMMAND_LINE), pytest.raises(LnsymError) as on_the_command_line:
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
    with (
        interface(COMMAND_LINE),
        pytest.raises(DataError, match=r"^--out .*exists; pass --resume to"),
    ):
        store(blocks, tmp_path / "a.npy", job={"test": 1})


def test_the_command_line_prints_its_flags(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["series", "LN(x)", "--order", "99"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("lnsym series: error: --order 99: choose an integer"), error
    assert main(["series", "LN(x)", "--in", "t"]) == 2
    error = capsys.readouterr().err
    assert "a declared scalar (--scalars t)" in error, error
