r"""Out-of-core arrays: activation caches on disk read as Dask arrays, results written chunk by chunk.

Reading (:func:`open_array`): a ``.npy`` file (each task maps the file, copies its block and unmaps
it, so nothing stays resident), a Zarr store (``cache.zarr``, a directory), or an HDF5 dataset
(``cache.h5:NAME``, when ``h5py`` is installed). The result is a Dask array chunked along the batch
axes only — the normalized axis ``axis`` is one chunk — with about :data:`CHUNK_BYTES` per block.

Writing (:func:`store`): a lazy result goes to ``out.zarr`` (a Zarr array whose chunks are the Dask
blocks) or ``out.npy`` (a preallocated file, each block written in place), one task per block.
Nothing is lost when a run stops (Ctrl-C, a killed process): beside the output, ``out.zarr.lnsym/``
records the job and one marker file per block, created only after the block's data is written; a
run with ``resume=True`` checks that the job is the same and computes only the blocks without a
marker. When every block is written, the markers are replaced by one ``complete`` file. Writes are
not synced to disk one by one (that would make the disk's latency the pace): the data survives the
death of any process — Ctrl-C, ``kill -9``, a lost worker — but after an operating-system crash or
a power loss a marker may outlive its block; then rerun without ``--resume``.

>>> import tempfile, os, numpy as np, dask.array as da
>>> with tempfile.TemporaryDirectory() as d:
...     out = os.path.join(d, "twice.npy")
...     report = store(da.arange(10.0, chunks=4) * 2, out, job={"what": "twice"})
...     np.load(out).tolist()[:4], report.written, report.skipped
([0.0, 2.0, 4.0, 6.0], 3, 0)
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import math
import os
import shutil
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from lnsym.errors import DataError, UnsupportedError, argument
from lnsym.execute.dask import require_dask
from lnsym.execute.engine import Engine
from lnsym.install import needs
from lnsym.numeric.data import Data, load, read_value

__all__ = [
    "CHUNK_BYTES",
    "StoreReport",
    "batch_chunks",
    "grid",
    "is_store",
    "open_array",
    "open_value",
    "progress_dir",
    "store",
]

#: the target size of one input block (the normalized axis is whole; the batch axes are cut).
CHUNK_BYTES = 16 * 2**20
_OUTPUTS = (".zarr", ".npy")


def is_store(text: str) -> bool:
    """Whether a ``--set`` value names an out-of-core array (``.zarr``, ``.npy``, ``.h5:NAME``)."""
    path, _, _ = text.partition(":") if ".h5:" in text or ".hdf5:" in text else (text, "", "")
    suffix = Path(path.rstrip("/")).suffix.lower()
    return suffix in (".zarr", ".npy", ".h5", ".hdf5")


def batch_chunks(
    shape: tuple[int, ...], itemsize: int, axis: int, target: int = CHUNK_BYTES, base: int = 1
) -> tuple[int | str, ...]:
    """Chunks for ``shape``: the normalized ``axis`` whole (``-1``), the first batch axis cut into
    blocks of about ``target`` bytes (a multiple of ``base`` rows), the other axes whole."""
    ndim = len(shape)
    if not -ndim <= axis < ndim:
        raise DataError(f"{argument('axis')} {axis}: the array has only {ndim} axis(es)")
    normalized = axis % ndim
    batch = [k for k in range(ndim) if k != normalized]
    chunks: list[int | str] = [-1] * ndim
    if batch:
        first = batch[0]
        row = itemsize * math.prod(shape[k] for k in range(ndim) if k != first)
        rows = max(1, target // max(row, 1))
        rows = max(base, rows // base * base)
        chunks[first] = min(rows, max(shape[first], 1))
    return tuple(chunks)


# --------------------------------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------------------------------


class NpyBlocks:
    """A ``.npy`` file as an array-like for :func:`dask.array.from_array`: each read maps the
    file, copies the requested block and unmaps it (picklable: it holds only the path)."""

    def __init__(self, path: str) -> None:
        self.path = path
        mapped = _map(path)
        self.shape: tuple[int, ...] = tuple(mapped.shape)
        self.dtype = mapped.dtype
        self.ndim = mapped.ndim
        del mapped

    def __getitem__(self, key: Any) -> np.ndarray:
        mapped = _map(self.path)
        try:
            return np.array(mapped[key])
        finally:
            del mapped


def _map(path: str, mode: Literal["r", "r+"] = "r") -> np.memmap:
    try:
        mapped = np.load(path, mmap_mode=mode, allow_pickle=False)
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except (ValueError, OSError, EOFError) as error:
        raise DataError(f"{path}: not a readable .npy array ({error})") from None
    if not isinstance(mapped, np.memmap):  # pragma: no cover - np.load maps every plain .npy
        raise DataError(f"{path}: cannot be memory-mapped")
    return mapped


def _open_zarr(path: str, mode: str = "r") -> Any:
    try:
        import zarr
    except ImportError:  # pragma: no cover - the extra is installed in CI
        raise UnsupportedError(needs("Zarr stores", "dask")) from None
    if mode == "r" and not Path(path).exists():
        raise DataError(f"{path}: no such Zarr store")
    try:
        array = zarr.open_array(store=path, mode=mode)
    except Exception as error:  # zarr raises many types for a bad store
        raise DataError(f"{path}: not a readable Zarr array ({type(error).__name__})") from None
    return array


class Hdf5Blocks:
    """An HDF5 dataset as an array-like for :func:`dask.array.from_array`: each read opens the
    file, reads the requested block and closes it (picklable: it holds only the path and name)."""

    def __init__(self, path: str, name: str) -> None:
        self.path, self.name = path, name
        with self._open() as dataset:
            self.shape = tuple(int(d) for d in dataset.shape)
            self.dtype = dataset.dtype
            self.ndim = dataset.ndim

    @contextlib.contextmanager
    def _open(self) -> Iterator[Any]:
        try:
            import h5py
        except ImportError:
            raise UnsupportedError(needs(f"{self.path}: HDF5 files", "dask")) from None
        try:
            with h5py.File(self.path, "r") as handle:
                dataset = handle[self.name]
                if not isinstance(dataset, h5py.Dataset):
                    raise KeyError(f"{self.name} is a group, not a dataset")
                yield dataset
        except (OSError, KeyError) as error:
            raise DataError(
                f"{self.path}:{self.name}: not a readable HDF5 dataset ({error})"
            ) from None

    def __getitem__(self, key: Any) -> np.ndarray:
        with self._open() as dataset:
            return np.asarray(dataset[key])


def open_array(path: str | Path, *, axis: int = -1, chunk_bytes: int = CHUNK_BYTES) -> Any:
    """The array stored at ``path`` as a lazy Dask array, normalized ``axis`` in one chunk.

    ``path``: ``cache.npy``, ``cache.zarr`` or ``cache.h5:DATASET``. Values are not checked for
    NaN/∞ (that would read the whole cache); they propagate to the results.
    """
    da = require_dask()
    text = str(path)
    suffix = Path(text.split(":")[0] if ".h5:" in text or ".hdf5:" in text else text).suffix
    source: Any
    base = 1
    if suffix.lower() == ".npy":
        source = NpyBlocks(text)
    elif suffix.lower() == ".zarr":
        source = _open_zarr(text)
        if source.ndim > 1 and -source.ndim <= axis < source.ndim:
            base = int(source.chunks[1 if axis % source.ndim == 0 else 0])  # the cut axis
    elif suffix.lower() in (".h5", ".hdf5"):
        file, _, name = text.rpartition(":")
        if not name or not file:
            raise DataError(f"{text}: name the dataset, e.g. {text}:activations")
        source = Hdf5Blocks(file, name)
    else:
        raise DataError(f"{text}: unknown cache format; use .npy, .zarr or .h5:DATASET")
    if source.dtype.kind not in "biuf":
        raise DataError(f"{text}: holds {source.dtype} values; lnsym needs real numbers")
    shape = tuple(int(d) for d in source.shape)
    if not shape:
        raise DataError(f"{text}: holds one number; a cache needs shape (..., n)")
    chunks = batch_chunks(shape, source.dtype.itemsize, axis, chunk_bytes, base)
    return da.from_array(source, chunks=chunks, name=f"lnsym-read-{Path(text).name}-{_stamp(text)}")


def open_value(
    text: str, *, axis: int = -1, chunk_bytes: int = CHUNK_BYTES, inline: bool = True
) -> Data:
    """A named value: an out-of-core store (:func:`is_store`) opened lazily with
    :func:`open_array`; anything else read into memory by :func:`lnsym.numeric.data.read_value`
    (with ``inline=False``, only a file, by :func:`lnsym.numeric.data.load`)."""
    path = text.strip()
    if is_store(path):
        return Data(open_array(path, axis=axis, chunk_bytes=chunk_bytes), path)
    return read_value(text) if inline else load(path)


def _stamp(path: str) -> str:
    """Changes when the file does (size and modification time), so Dask never reuses stale keys."""
    try:
        status = os.stat(path.split(":")[0] if not Path(path).exists() else path)
    except OSError:
        return "0"
    return f"{status.st_size:x}{status.st_mtime_ns:x}"


# --------------------------------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoreReport:
    """What :func:`store` did: blocks written now, blocks found already written, the output."""

    path: str
    shape: tuple[int, ...]
    dtype: str
    blocks: int
    written: int
    skipped: int
    #: how long :func:`store` took and where the blocks were computed (the engine's description).
    seconds: float = 0.0
    where: str = "local threads"

    def summary(self) -> str:
        """``wrote ln.zarr: shape (…), float32, 26 block(s) (26 now, 0 already written), 3.2 s on …``"""
        return (
            f"wrote {self.path}: shape {self.shape}, {self.dtype}, {self.blocks} block(s) "
            f"({self.written} now, {self.skipped} already written), {self.seconds:.1f} s on "
            f"{self.where}"
        )


def progress_dir(path: str | Path) -> Path:
    """The directory beside an output that records its job and its written blocks."""
    target = Path(path)
    return target.with_name(target.name + ".lnsym")


def _block_name(index: tuple[int, ...]) -> str:
    return ".".join(str(i) for i in index) or "0"


def _regular(array: Any) -> Any:
    """``array`` rechunked so that every block but the last on each axis has the same size."""
    regular = all(len(set(c[:-1])) <= 1 and c[-1] <= c[0] for c in array.chunks if c)
    if regular:
        return array
    return array.rechunk(tuple(max(c) if c else 1 for c in array.chunks))


def _create(path: str, shape: tuple[int, ...], dtype: np.dtype, chunks: tuple[int, ...]) -> None:
    chunks = tuple(max(1, c) for c in chunks)  # an empty cache still has a chunk grid
    if path.endswith(".zarr"):
        import zarr

        grid: tuple[int, ...] | Literal["auto"] = chunks or "auto"  # a 0-d result: zarr's choice
        zarr.create_array(store=path, shape=shape, dtype=dtype, chunks=grid, fill_value=0)
    else:
        np.lib.format.open_memmap(path, mode="w+", dtype=dtype, shape=shape)


@functools.lru_cache(maxsize=8)
def _zarr_target(path: str) -> Any:
    return _open_zarr(path, "r+")


def _write_block(block: np.ndarray, path: str, start: tuple[int, ...], marker: str) -> int:
    """One task: write ``block`` at ``start`` of the output, then create its marker file."""
    region = tuple(slice(s, s + d) for s, d in zip(start, block.shape, strict=True))
    if path.endswith(".zarr"):
        _zarr_target(path)[region] = block
    else:
        mapped = _map(path, "r+")
        try:
            mapped[region] = block  # a shared mapping: the data outlives this process
        finally:
            del mapped
    Path(marker).touch()
    return 1


def _job_record(
    job: Mapping[str, Any], result: Any, chunks: tuple[tuple[int, ...], ...]
) -> dict[str, Any]:
    return {
        "job": dict(job),
        "shape": list(result.shape),
        "dtype": str(result.dtype),
        "chunks": [list(c) for c in chunks],
    }


def grid(shape: tuple[int, ...], block: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    """The chunks, in Dask's spelling, that cut ``shape`` into blocks of ``block`` (the last
    block on each axis holds the rest)."""
    chunks = []
    for size, step in zip(shape, block, strict=True):
        step = max(1, step)
        chunks.append(tuple(min(step, size - start) for start in range(0, size, step)) or (0,))
    return tuple(chunks)


def store(
    result: Any,
    path: str | Path,
    *,
    job: Mapping[str, Any],
    resume: bool = False,
    engine: Engine | None = None,
    label: str | None = None,
    block: tuple[int, ...] | None = None,
) -> StoreReport:
    """Write the Dask array ``result`` to ``path`` (``.zarr`` or ``.npy``), block by block.

    ``job`` (JSON-ready) identifies the computation: ``resume=True`` continues an interrupted
    run of the same job and refuses another. Without ``resume``, an existing output is an error
    (never overwritten silently). ``engine`` runs the tasks (default: local threads, no bar).
    A NumPy ``result`` is written the same way, in blocks of shape ``block`` (default: whole),
    one after another in this process (``engine`` is not used): a ``.npy`` output then needs no
    Dask.
    """
    started = time.perf_counter()
    target = str(path)
    if not target.endswith(_OUTPUTS):
        raise DataError(
            f"{argument('out')} {target}: write the result to a .zarr store or a .npy file"
        )
    in_memory = isinstance(result, np.ndarray)
    if in_memory:
        chunks = grid(result.shape, result.shape if block is None else block)
        if target.endswith(".zarr"):
            require_dask()  # zarr comes with the dask extra
    else:
        result = _regular(result)
        chunks = tuple(tuple(int(c) for c in axis) for axis in result.chunks)
    runner = None if in_memory else engine if engine is not None else Engine(None, progress=False)
    where = "this process" if runner is None else runner.description
    record = _job_record(job, result, chunks)
    sidecar = progress_dir(target)
    done = sidecar / "done"
    if os.path.exists(target):
        if not resume:
            raise DataError(
                f"{argument('out')} {target} exists; pass {argument('resume')} to finish an "
                "interrupted run, or remove it"
            )
        try:
            previous = json.loads((sidecar / "job.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise DataError(
                f"{argument('out')} {target} exists but is not an lnsym output ({sidecar} is "
                f"missing); remove it or choose another {argument('out')}"
            ) from None
        current = json.loads(json.dumps(record))
        if previous.get("job") == current["job"] and previous != current:
            raise DataError(
                f"cannot resume {target}: it was written with other blocks or another shape "
                f"(chunks {previous.get('chunks')}); resume with the same options "
                f"({argument('chunk_bytes')})"
            )
        if previous != current:
            raise DataError(
                f"cannot resume {target}: it was started by a different job "
                f"({previous['job']}); remove it or choose another {argument('out')}"
            )
    else:
        if sidecar.exists():  # left by an output that was deleted since: its markers are stale
            shutil.rmtree(sidecar)
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        _create(target, tuple(result.shape), result.dtype, tuple(c[0] for c in chunks))
        done.mkdir(parents=True, exist_ok=True)
        (sidecar / "job.json").write_text(json.dumps(record), encoding="utf-8")
    total = math.prod(len(c) for c in chunks)
    if (sidecar / "complete").exists():
        return StoreReport(
            target,
            tuple(result.shape),
            str(result.dtype),
            total,
            0,
            total,
            time.perf_counter() - started,
            where,
        )
    offsets = [np.cumsum((0, *c[:-1])).tolist() for c in chunks]
    missing = []
    for index in itertools.product(*(range(len(c)) for c in chunks)):
        if not (done / _block_name(index)).exists():
            start = tuple(int(offsets[k][i]) for k, i in enumerate(index))
            missing.append((index, start, str(done / _block_name(index))))
    if runner is None:  # NumPy blocks, written here one after another
        for index, start, marker in missing:
            region = tuple(
                slice(s, s + chunks[k][i])
                for k, (s, i) in enumerate(zip(start, index, strict=True))
            )
            _write_block(result[region], target, start, marker)
    else:
        from dask import delayed

        blocks = result.to_delayed(optimize_graph=True)
        write = delayed(_write_block, pure=False)
        tasks = [write(blocks[index], target, start, marker) for index, start, marker in missing]
        runner.run(tasks, label or f"writing {Path(target).name}")
    (sidecar / "complete").touch()
    shutil.rmtree(done, ignore_errors=True)
    return StoreReport(
        target,
        tuple(result.shape),
        str(result.dtype),
        total,
        len(missing),
        total - len(missing),
        time.perf_counter() - started,
        where,
    )
