"""Out-of-core runs of ``lnsym eval`` and ``lnsym attribute``: caches on disk, results to ``--out``.

A ``--set`` (or ``--component``) value that names a ``.zarr`` store, an ``.h5:DATASET`` or, with
``--out``, a ``.npy`` file is opened lazily (:func:`lnsym.execute.stores.open_array`); the result is written
block by block to ``--out ln.zarr`` (or ``.npy``) with bounded memory, a progress bar on a terminal
(none with ``--quiet`` or when stderr is not a terminal), on local threads, ``--workers N`` local
worker processes, or ``--scheduler HOST:PORT`` (loopback only). ``--resume`` finishes an
interrupted run.
"""

from __future__ import annotations

import argparse
import functools
from typing import Any

from lnsym.cli.options import read_assignments
from lnsym.errors import DataError
from lnsym.execute.engine import MAX_WORKERS, engine
from lnsym.execute.stores import CHUNK_BYTES, is_store, open_value
from lnsym.numeric.data import Data

__all__ = [
    "add_engine_options",
    "chunk_bytes",
    "computed",
    "engine_for",
    "job",
    "read_lazy_assignments",
    "read_matrix",
    "stored",
    "wanted",
]


def add_engine_options(parser: argparse.ArgumentParser, *, out: bool = True) -> None:
    """``--out``, ``--resume``, ``--workers``, ``--scheduler``, ``--memory-limit``, ``--chunk-mb``,
    ``--quiet``."""
    group = parser.add_argument_group("large caches (Dask)")
    if out:
        group.add_argument(
            "--out",
            default=None,
            metavar="PATH",
            help="write the result block by block to a .zarr store or a .npy file",
        )
    group.add_argument(
        "--resume", action="store_true", help="finish an interrupted run into the same --out"
    )
    group.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help=f"start a local Dask cluster of N worker processes (1..{MAX_WORKERS})",
    )
    group.add_argument(
        "--scheduler",
        default=None,
        metavar="HOST:PORT",
        help="use a running Dask scheduler on this machine, e.g. 127.0.0.1:8786",
    )
    group.add_argument(
        "--memory-limit",
        default=None,
        metavar="SIZE",
        help="with --workers: memory per worker, e.g. 1GB (default: a share of the RAM)",
    )
    group.add_argument(
        "--chunk-mb",
        type=float,
        default=CHUNK_BYTES / 2**20,
        metavar="MB",
        help=f"size of one input block in MB (default {CHUNK_BYTES // 2**20})",
    )
    group.add_argument("--quiet", action="store_true", help="no progress bar, no summary line")


def wanted(args: argparse.Namespace, items: list[str], *, out_npy_in_memory: bool = False) -> bool:
    """Whether this run is out of core: ``--out`` to a store, a cache input, or a Dask engine.

    With ``out_npy_in_memory`` (``attribute``), an ``--out`` ``.npy``/``.csv`` file alone is written
    from memory; only a ``.zarr`` output makes the run out of core.
    """
    out = getattr(args, "out", None)
    if out is not None and not (out_npy_in_memory and not out.lower().endswith(".zarr")):
        return True
    if args.workers is not None or args.scheduler is not None:  # not --resume: read as before
        return True
    return any(is_store(item.partition("=")[2]) and not _small_npy(item) for item in items)


def _small_npy(item: str) -> bool:
    """A ``.npy`` value without ``--out`` is read into memory as before (printing its result)."""
    return item.partition("=")[2].strip().lower().endswith(".npy")


def chunk_bytes(args: argparse.Namespace) -> int:
    """``--chunk-mb`` in bytes."""
    if args.chunk_mb <= 0:
        raise DataError(f"--chunk-mb {args.chunk_mb:g}: give a positive size in MB")
    return int(args.chunk_mb * 2**20)


def read_lazy_assignments(
    items: list[str], args: argparse.Namespace, option: str = "--set"
) -> dict[str, Data]:
    """Like :func:`~lnsym.cli.options.read_assignments`, but caches become lazy Dask arrays."""
    read = functools.partial(open_value, axis=args.axis, chunk_bytes=chunk_bytes(args))
    return read_assignments(items, option, read)


def read_matrix(args: argparse.Namespace) -> Data:
    """``--components FILE`` (one row per component): lazy if it is a cache, else in memory."""
    axis = args.axis + 1 if args.axis >= 0 else args.axis  # the components' axis comes first
    return open_value(args.matrix, axis=axis, chunk_bytes=chunk_bytes(args), inline=False)


def engine_for(args: argparse.Namespace) -> Any:
    """The :func:`~lnsym.execute.engine.engine` context the options ask for."""
    if args.memory_limit is not None and args.workers is None:
        raise DataError("--memory-limit applies to --workers (a local cluster); add --workers N")
    return engine(
        workers=args.workers,
        scheduler=args.scheduler,
        memory_limit=args.memory_limit,
        progress=not args.quiet,
    )


def computed(result: Any, args: argparse.Namespace) -> Any:
    """``result.compute(run)``: a result in memory returns itself; a lazy one computes on the
    engine the options ask for (started only then, when ``run`` is called)."""
    if args.resume:
        raise DataError("--resume continues writing an --out; give the same --out")

    def run(parts: list[Any]) -> list[Any]:
        with engine_for(args) as runner:
            return runner.run(parts, "computing")

    return result.compute(run)


def job(args: argparse.Namespace, command: str, **fields: Any) -> dict[str, Any]:
    """What identifies a run for ``--resume``: the command, its values, its axis and ``fields``."""
    return {"command": command, "values": sorted(args.values), "axis": args.axis, **fields}


def stored(result: Any, args: argparse.Namespace, job: dict[str, Any], **options: Any) -> Any:
    """``result.store(--out, job=, resume=, engine=)``: the result (lazy or in memory) written
    to ``--out`` block by block on the engine the options ask for; what its ``store`` returns."""
    with engine_for(args) as runner:
        return result.store(args.out, job=job, resume=args.resume, engine=runner, **options)
