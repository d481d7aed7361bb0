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
from urllib.parse import unquote, urlparse

__all__ = ["install_hint"]


def _origin() -> tuple[str, str | None]:
    """``("editable" | "local" | "index" | "source", path)`` for the installed lnsym."""
    try:
        distribution = metadata.distribution("lnsym")
    except metadata.PackageNotFoundError:
        return "source", None
    text = distribution.read_text("direct_url.json")
    if not text:
        return "index", None
    try:
        direct = json.loads(text)
    except ValueError:
        return "index", None
    url = str(direct.get("url", ""))
    path = unquote(urlparse(url).path) if url.startswith("file:") else None
    editable = bool(direct.get("dir_info", {}).get("editable"))
    if path is None:
        return "index", None
    return ("editable" if editable else "local"), path


def install_hint(extra: str) -> str:
    """The pip command that adds lnsym's optional ``extra`` (``torch``, ``figures``, …)."""
    origin, path = _origin()
    if origin == "editable":
        return f"pip install -e '{path}[{extra}]'"
    if origin == "local":
        return f"pip install '{path}[{extra}]'"
    if origin == "source":
        return f"pip install -e '.[{extra}]' (in the lnsym clone)"
    return f"pip install 'lnsym[{extra}]'"
