"""Install hints fit how lnsym was installed (a clone, a local path, an index, or a source tree)."""

from __future__ import annotations

import json
from importlib import metadata

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
            "pip install -e '/home/me/lnsym[torch]'",
        ),
        ({"url": "file:///tmp/my%20lnsym", "dir_info": {}}, "pip install '/tmp/my lnsym[torch]'"),
        (None, "pip install 'lnsym[torch]'"),
        (
            {"url": "https://example.org/lnsym-0.1.0.tar.gz", "archive_info": {}},
            "pip install 'lnsym[torch]'",
        ),
    ],
)
def test_hint_follows_the_installation(
    direct: dict | None, hint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(install.metadata, "distribution", lambda name: _Distribution(direct))
    monkeypatch.setattr(install.metadata, "distributions", lambda name: [])
    monkeypatch.setattr(install, "_checkout", lambda: None)  # as if installed outside a clone
    assert install_hint("torch") == hint


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
    from pathlib import Path

    assert Path(path).resolve() == Path(__file__).resolve().parents[1]
    assert install_hint("torch") == f"pip install -e '{path}[torch]'"


def test_the_torch_extra_is_a_range() -> None:
    requirements = metadata.requires("lnsym") or []
    torch = [r for r in requirements if r.startswith("torch") and 'extra == "torch"' in r]
    assert torch and ">=" in torch[0] and "==" not in torch[0].split(";")[0], torch
