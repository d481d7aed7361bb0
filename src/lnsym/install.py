"""Install advice, spelled in one place: skip reasons, error messages and the docs all come from here.

:data:`EXTRAS` lists lnsym's optional extras: the modules each one provides and what it adds.
:func:`install_hint` is the pip command that adds an extra, fitted to how lnsym itself was installed:
a clone installed with ``pip install -e .`` gets ``pip install -e '/path/to/clone[dask]'``; a package
installed from an index gets ``pip install 'lnsym[dask]'``; a source tree used without installing
(``PYTHONPATH=src``) gets the command to run in the clone. PyTorch is the exception: PyPI's default
Linux wheel is a CUDA build of several GB, so the advice pins the CPU wheel that CI tests
(:data:`TORCH`), whatever the installation. :func:`install_command` is the same spelling for a given
target (the docs quote it for ``.``, a clone), :func:`missing` the modules of an extra that are not
importable, and :func:`needs` the one sentence an error or a skip reason prints.

>>> install_command("dask", ".")
"pip install -e '.[dask]'"
>>> install_command("torch", ".")
'pip install torch==2.13.0'
>>> install_command("tl", ".")
"pip install -e '.[tl]' torch==2.13.0"
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse

__all__ = [
    "EXTRAS",
    "TORCH",
    "Extra",
    "extra_of",
    "extras_table",
    "install_command",
    "install_hint",
    "missing",
    "needs",
]

#: the PyTorch requirement of all install advice: the CPU wheel CI installs (any torch >= 2.1 works).
TORCH = "torch==2.13.0"


@dataclass(frozen=True)
class Extra:
    """An optional extra: the top-level modules it provides, and what it adds to lnsym."""

    modules: tuple[str, ...]
    adds: str


#: lnsym's optional extras (``[project.optional-dependencies]`` in pyproject.toml).
EXTRAS: dict[str, Extra] = {
    "dev": Extra(
        ("pytest", "hypothesis", "numba", "matplotlib", "nbclient"),
        "everything the tests and the demo need (includes numba and figures)",
    ),
    "numba": Extra(("numba",), "the fused kernel backend"),
    "torch": Extra(("torch",), "the PyTorch backend and PyTorch tensors in every entry point"),
    "jax": Extra(("jax",), "the JAX backend and JAX arrays in every entry point"),
    "dask": Extra(
        ("dask", "distributed", "zarr", "tqdm", "h5py"),
        "Dask arrays, Zarr/HDF5 caches larger than memory",
    ),
    "tl": Extra(("transformer_lens", "torch"), "the TransformerLens 4.3 adapter"),
    "figures": Extra(("matplotlib",), "the figures (`lnsym figures`)"),
    "docs": Extra(("mkdocs", "material", "mkdocstrings"), "the tools that build this site"),
}


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


def install_command(extra: str, target: str | None, *, editable: bool = True) -> str:
    """The pip command that adds ``extra`` to lnsym installed from ``target`` (a clone's path, or
    ``None`` for an index); ``torch`` is always the pinned CPU wheel."""
    if extra not in EXTRAS:
        raise ValueError(f"unknown extra {extra!r}; lnsym's extras: {', '.join(EXTRAS)}")
    if extra == "torch":
        return f"pip install {TORCH}"
    pin = f" {TORCH}" if "torch" in EXTRAS[extra].modules else ""
    if target is None:
        return f"pip install 'lnsym[{extra}]'{pin}"
    return f"pip install {'-e ' if editable else ''}'{target}[{extra}]'{pin}"


def install_hint(extra: str) -> str:
    """The pip command that adds lnsym's optional ``extra`` (``torch``, ``figures``, …) here."""
    origin, path = _origin()
    if origin == "editable" or (origin == "source" and path is not None):
        return install_command(extra, path)
    if origin == "local":
        return install_command(extra, path, editable=False)
    if origin == "source":
        return f"{install_command(extra, '.')} (in the lnsym clone)"
    return install_command(extra, None)


def missing(extra: str) -> list[str]:
    """The modules of ``extra`` that cannot be imported here (empty when it is installed)."""
    return [name for name in EXTRAS[extra].modules if importlib.util.find_spec(name) is None]


def extra_of(module: str) -> str:
    """The extra that provides the top-level ``module`` (``zarr`` → ``dask``)."""
    for name, extra in EXTRAS.items():
        if name != "dev" and module.split(".")[0] in extra.modules:
            return name
    raise ValueError(f"no extra of lnsym provides {module!r}")


def needs(what: str, extra: str) -> str:
    """The one sentence for ``what`` lacking ``extra``: ``"<what>: <modules> not installed;
    install with <command>"`` (the modules of the extra that are missing)."""
    absent = missing(extra) or list(EXTRAS[extra].modules)
    verb = "is" if len(absent) == 1 else "are"
    return f"{what}: {', '.join(absent)} {verb} not installed; install with {install_hint(extra)}"


def extras_table() -> str:
    """The Markdown table of the extras and their commands, from a clone (quoted in the docs)."""
    rows = ["| extra | adds | install (from the clone) |", "|---|---|---|"]
    rows += [f"| `{n}` | {e.adds} | `{install_command(n, '.')}` |" for n, e in EXTRAS.items()]
    return "\n".join(rows)
