"""Install hints that fit how lnsym itself was installed.

A clone installed with ``pip install -e .`` gets ``pip install -e '/path/to/clone[torch]'``; a
package installed from an index gets ``pip install 'lnsym[torch]'``; a source tree used without
installing (``PYTHONPATH=src``) gets the command to run in the clone.

>>> install_hint("torch").startswith("pip install")
True
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse

__all__ = ["install_hint"]


def _checkout() -> str | None:
    """The clone lnsym is imported from (``src/lnsym`` beside a ``pyproject.toml``), if any."""
    root = Path(__file__).resolve().parents[2]
    return str(root) if (root / "pyproject.toml").is_file() and (root / "src").is_dir() else None


def _origin() -> tuple[str, str | None]:
    """``("editable" | "local" | "index" | "source", path)`` for the installed lnsym."""
    try:
        found = [metadata.distribution("lnsym")]
    except metadata.PackageNotFoundError:
        found = []
    # a clone can hold a stale src/lnsym.egg-info beside the installed record: prefer the record
    found += [d for d in metadata.distributions(name="lnsym") if d not in found]
    for distribution in found:
        text = distribution.read_text("direct_url.json")
        if not text:
            continue
        try:
            direct = json.loads(text)
        except ValueError:
            continue
        url = str(direct.get("url", ""))
        if not url.startswith("file:"):
            return "index", None
        editable = bool(direct.get("dir_info", {}).get("editable"))
        return ("editable" if editable else "local"), unquote(urlparse(url).path)
    checkout = _checkout()
    if checkout is not None:
        return "editable" if found else "source", checkout
    return ("index" if found else "source"), None


def install_hint(extra: str) -> str:
    """The pip command that adds lnsym's optional ``extra`` (``torch``, ``figures``, …)."""
    origin, path = _origin()
    if origin == "editable" or (origin == "source" and path is not None):
        return f"pip install -e '{path}[{extra}]'"
    if origin == "local":
        return f"pip install '{path}[{extra}]'"
    if origin == "source":
        return f"pip install -e '.[{extra}]' (in the lnsym clone)"
    return f"pip install 'lnsym[{extra}]'"
