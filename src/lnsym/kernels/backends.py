"""The kernel backends: one registry entry each — what a new backend adds, in one place.

A :class:`Backend` names the library it needs (and the pip extra that installs it), the import lines
of a generated module, the runtime helpers copied into it (real functions in a module of their own,
read as source so that their library is imported only by the generated code), and the function that
writes the kernel's body: for an array library, its :class:`~lnsym.kernels.arrays.Dialect` (how it
spells a row sum, an inner product and a square root). :func:`get` is the one check of a backend
name: a kernel resolves its name once and passes the :class:`Backend` on (to the module text, and
in the :class:`~lnsym.kernels.build.Kernel`, whose calls ask it whether to carry other arrays to
the host). :func:`available` lists the backends whose library is installed, :func:`fastest_host`
the one a host computation uses by default.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lnsym.errors import UnsupportedError
from lnsym.install import needs
from lnsym.kernels.arrays import NUMPY, Dialect, array_function
from lnsym.kernels.fused import FASTMATH, fused_functions
from lnsym.kernels.spec import Spec

__all__ = [
    "BACKENDS",
    "REGISTRY",
    "Backend",
    "available",
    "fastest_host",
    "get",
    "helper_source",
]

#: ``body(spec, axis, docstring, cache, parallel)`` → the source of the kernel function(s).
Body = Callable[[Spec, int, str, bool, bool], str]


@dataclass(frozen=True)
class Backend:
    """How to generate, and what to run, one backend's kernels."""

    name: str
    library: str  # the module that must be importable
    extra: str | None  # the pip extra that installs it (None: a core dependency)
    imports: tuple[str, ...]  # import lines of a generated module
    helpers: str | None  # the module whose functions are copied into a generated module
    body: Body
    #: its kernels compute on NumPy arrays: a call carries other arrays to the host and back
    #: (:func:`lnsym.kernels.interop.call_on_numpy`), and hands a tensor that needs a gradient to
    #: the formula's torch kernel
    host: bool = False
    #: module-level lines of a generated module, after the runtime helpers (numba's FASTMATH)
    constants: tuple[str, ...] = ()

    def installed(self) -> bool:
        """Whether its library can be imported."""
        return importlib.util.find_spec(self.library) is not None


def _arrays(dialect: Dialect) -> Body:
    def body(spec: Spec, axis: int, docstring: str, cache: bool, parallel: bool) -> str:
        return array_function(spec, dialect, axis, docstring)

    return body


def _array_backend(dialect: Dialect, extra: str | None, helpers: str | None) -> Backend:
    """A backend whose kernels are array code in ``dialect`` (its library is the dialect's name)."""
    return Backend(
        dialect.name,
        dialect.name,
        extra,
        dialect.imports,
        helpers,
        _arrays(dialect),
        host=dialect.host,
    )


def _fused(spec: Spec, axis: int, docstring: str, cache: bool, parallel: bool) -> str:
    return fused_functions(spec, axis, docstring, cache=cache, parallel=parallel)


REGISTRY: dict[str, Backend] = {
    b.name: b
    for b in (
        _array_backend(NUMPY, extra=None, helpers="lnsym.kernels.numpy_runtime"),
        Backend(
            "numba",
            "numba",
            "numba",
            ("import numba", "import numpy as np"),
            "lnsym.kernels.numpy_runtime",
            _fused,
            host=True,
            constants=(f"FASTMATH = set({FASTMATH!r})",),
        ),
        _array_backend(
            Dialect(
                "torch",
                ("import numpy as np", "import torch"),
                sum="{a}.sum(dim=-1, keepdim=True)",
                dot="({a} * {b}).sum(dim=-1, keepdim=True)",
                sqrt="torch.sqrt({a})",
            ),
            extra="torch",
            helpers="lnsym.kernels.torch_runtime",
        ),
        _array_backend(
            Dialect(
                "jax",
                ("import numpy as np", "import jax", "import jax.numpy as jnp"),
                sum="jnp.sum({a}, axis=-1, keepdims=True)",
                dot="jnp.einsum('...i,...i->...', {a}, {b})[..., None]",
                sqrt="jnp.sqrt({a})",
            ),
            extra="jax",
            helpers="lnsym.kernels.jax_runtime",
        ),
    )
}
#: every backend a kernel can be generated for (numba, torch and jax need their library).
BACKENDS = tuple(REGISTRY)


def get(name: str | Backend, *, installed: bool = False) -> Backend:
    """The backend ``name`` (one error naming the choices if there is none; with ``installed``,
    one naming the install command if its library is missing). A :class:`Backend` already
    resolved is returned as it is (with ``installed``, checked)."""
    backend = name if isinstance(name, Backend) else REGISTRY.get(name)
    if backend is None:
        raise UnsupportedError(f"unknown backend {name!r}; choose one of {', '.join(BACKENDS)}")
    if installed and not backend.installed():
        raise UnsupportedError(
            f"{needs(f'the {backend.name} backend', backend.extra or backend.name)}, "
            "or use backend='numpy'"
        )
    return backend


def available() -> tuple[str, ...]:
    """The backends whose library is installed (``numpy`` always)."""
    return tuple(name for name, b in REGISTRY.items() if b.installed())


#: the host backends, fastest first (what a host computation runs when none is named).
_HOST_SPEED = ("numba", "numpy")


@functools.cache
def fastest_host() -> Backend:
    """The fastest installed host backend: numba's fused loop when Numba is installed, else
    numpy (looked up once per process)."""
    return next(REGISTRY[name] for name in _HOST_SPEED if REGISTRY[name].installed())


@functools.cache
def helper_source(module: str) -> str:
    """The source of every function of ``module``, read without importing it."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:  # pragma: no cover - the modules ship with lnsym
        raise UnsupportedError(f"cannot find the helper module {module}")
    text = Path(spec.origin).read_text(encoding="utf-8")
    tree = ast.parse(text)
    pieces = [
        ast.get_source_segment(text, node)
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
    ]
    return "\n\n\n".join(p for p in pieces if p)
