"""Install hints fit how lnsym was installed (a clone, a local path, an index, or a source tree)."""

from __future__ import annotations

import json
import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from lnsym import install
from lnsym.install import install_hint


class _Distribution:
    def __init__(self, direct: dict | None) -> None:
        self.direct = direct

    def read_text(self, name: str) -> str | None:
        assert name == "direct_url.json"
        return None if self.direct is None else json.dumps(self.direct)


@pytest.mark.parametrize(
    ("direct", "hint"),
    [
        (
            {"url": "file:///home/me/lnsym", "dir_info": {"editable": True}},
            "pip install -e '/home/me/lnsym[dask]'",
        ),
        ({"url": "file:///tmp/my%20lnsym", "dir_info": {}}, "pip install '/tmp/my lnsym[dask]'"),
        (None, "pip install 'lnsym[dask]'"),
        (
            {"url": "https://example.org/lnsym-0.1.0.tar.gz", "archive_info": {}},
            "pip install 'lnsym[dask]'",
        ),
    ],
)
def test_hint_follows_the_installation(
    direct: dict | None, hint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(install.metadata, "distribution", lambda name: _Distribution(direct))
    monkeypatch.setattr(install.metadata, "distributions", lambda name: [])
    monkeypatch.setattr(install, "_checkout", lambda: None)  # as if installed outside a clone
    assert install_hint("dask") == hint


def test_hint_from_a_source_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> None:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(install.metadata, "distribution", missing)
    monkeypatch.setattr(install.metadata, "distributions", lambda name: [])
    monkeypatch.setattr(install, "_checkout", lambda: None)
    assert install_hint("figures") == "pip install -e '.[figures]' (in the lnsym clone)"
    monkeypatch.setattr(install, "_checkout", lambda: "/src/lnsym-clone")  # PYTHONPATH=src
    assert install_hint("figures") == "pip install -e '/src/lnsym-clone[figures]'"


def test_this_checkout_gets_its_own_path() -> None:
    """The test suite runs from an editable install of this very clone (README: pip install -e)."""
    origin, path = install._origin()
    assert origin == "editable" and path is not None
    assert Path(path).resolve() == Path(__file__).resolve().parents[1]
    assert install_hint("dask") == f"pip install -e '{path}[dask]'"


def test_the_torch_extra_is_a_range() -> None:
    requirements = metadata.requires("lnsym") or []
    torch = [r for r in requirements if r.startswith("torch") and 'extra == "torch"' in r]
    assert torch and ">=" in torch[0] and "==" not in torch[0].split(";")[0], torch


# --------------------------------------------------------------------------------------------------
# one spelling of install advice: the docs, the README, CI and the messages all use install.py's
# --------------------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
_PIP = re.compile(r"pip install [^`\n#&;|]*")


def _texts() -> list[Path]:
    paths = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return paths + sorted((ROOT / "src").rglob("*.py")) + sorted((ROOT / "benchmarks").glob("*.py"))


def test_every_install_command_in_the_docs_is_the_generated_one() -> None:
    generated = {install.install_command(extra, ".") for extra in install.EXTRAS}
    seen: set[str] = set()
    for path in _texts():
        if path.name == "install.py":
            continue  # the one place that spells them
        for match in _PIP.finditer(path.read_text()):
            command = match.group(0).strip()
            assert command in generated, (
                f"{path.relative_to(ROOT)}: {command!r} is not one of lnsym.install's commands"
            )
            seen.add(command)
    assert {"pip install -e '.[dev]'", "pip install torch==2.13.0"} <= seen


def test_the_extras_table_in_getting_started_is_generated() -> None:
    text = (ROOT / "docs" / "getting-started.md").read_text()
    block = re.search(r"<!-- extras-table:[^\n]*-->\n(.*?)<!-- /extras-table -->", text, re.S)
    assert block is not None, "docs/getting-started.md lost its extras-table markers"
    assert block.group(1).strip() == install.extras_table()


def test_the_extras_are_pyprojects() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert set(install.EXTRAS) == set(declared["optional-dependencies"])


def test_torch_advice_is_the_cpu_wheel_ci_installs() -> None:
    assert install.install_command("torch", ".") == f"pip install {install.TORCH}"
    assert install_hint("torch") == f"pip install {install.TORCH}"  # whatever the installation
    assert install_hint("tl").endswith(f"[tl]' {install.TORCH}")
    ci = (ROOT / ".ci" / "run").read_text()
    pins = set(re.findall(r"torch==[\w.+]+", ci))
    assert pins == {install.TORCH}, pins
    assert "'.[torch]'" not in ci and "[tl]" not in ci


def test_needs_names_the_missing_modules_and_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(install, "missing", lambda extra: ["dask", "zarr"])
    message = install.needs("Dask arrays", "dask")
    assert (
        message == f"Dask arrays: dask, zarr are not installed; install with {install_hint('dask')}"
    )
    monkeypatch.setattr(install, "missing", lambda extra: ["torch"])
    assert (
        install.needs("x", "torch")
        == "x: torch is not installed; install with pip install torch==2.13.0"
    )
    assert install.extra_of("zarr") == "dask" and install.extra_of("transformer_lens") == "tl"
    with pytest.raises(ValueError, match="unknown extra"):
        install.install_command("cuda", ".")


def test_no_message_in_the_source_spells_its_own_install_command() -> None:
    for path in sorted((ROOT / "src" / "lnsym").rglob("*.py")):
        if path.name == "install.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#")[0]
            if "pip install" in code and '"' in code and "``" not in code:
                raise AssertionError(
                    f"{path.name}:{number} spells an install command: {line.strip()}"
                )
