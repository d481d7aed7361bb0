r"""Where lazy (Dask) work runs: the local threaded scheduler, a local cluster, or an existing one.

:func:`engine` is a context manager that yields an :class:`Engine`; :meth:`Engine.run` computes a
list of Dask tasks there, with a progress bar on a terminal:

* default — Dask's threaded scheduler in this process (the numba kernels release the GIL, so the
  threads run rows in parallel);
* ``workers=N`` — a ``dask.distributed.LocalCluster`` of N single-threaded worker processes, each
  limited to ``memory_limit`` (e.g. ``"1GB"``), closed on exit;
* ``scheduler="tcp://127.0.0.1:8786"`` — an existing cluster's scheduler. Only loopback addresses
  are accepted (a command line must not reach into other machines); connecting gives up after
  ``timeout`` seconds. For a multi-node cluster, create the ``Client`` yourself in Python (see the
  "Large caches" documentation page): every lazy result of lnsym computes on the active client.

lnsym has no scheduler or thread pool of its own: the work is Dask's.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from lnsym.errors import DataError, UnsupportedError, argument
from lnsym.install import needs

__all__ = ["MAX_WORKERS", "Engine", "check_loopback", "engine"]

#: the largest --workers a LocalCluster is started with (one process each).
MAX_WORKERS = 64
_LOOPBACK_NAMES = ("localhost",)


def check_loopback(address: str) -> str:
    """``address`` as a ``tcp://host:port`` URL, refused unless the host is a loopback address."""
    text = address.strip()
    url = text if "://" in text else f"tcp://{text}"
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if parts.scheme not in ("tcp", "tls", "inproc") or not host or port is None:
        raise DataError(
            f"{argument('scheduler')} {address!r}: write the scheduler's address as HOST:PORT, "
            "e.g. 127.0.0.1:8786"
        )
    loopback = host in _LOOPBACK_NAMES
    if not loopback:
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
    if not loopback:
        raise DataError(
            f"{argument('scheduler')} {address!r}: only a scheduler on this machine (127.0.0.1, "
            "localhost, "
            "::1) is accepted; for a remote cluster create a dask.distributed.Client in Python"
        )
    return url


def _require_distributed() -> Any:
    try:
        import distributed
    except ImportError:  # pragma: no cover - the extra is installed in CI
        raise UnsupportedError(
            needs(f"{argument('workers')} and {argument('scheduler')}", "dask")
        ) from None
    return distributed


@dataclass
class Engine:
    """Runs Dask tasks on a client (``client``) or the local threaded scheduler (``client=None``).

    ``progress``: draw a progress bar (on stderr, only if it is a terminal).
    """

    client: Any = None
    progress: bool = True
    threads: int | None = None
    _bars: list[Any] = field(default_factory=list, repr=False)

    @property
    def description(self) -> str:
        if self.client is None:
            return "local threads"
        workers = len(self.client.scheduler_info(n_workers=-1).get("workers", {}))
        return f"{workers} worker(s) at {self.client.scheduler.address}"

    def _bar(self, total: int, label: str) -> Any:
        if not (self.progress and sys.stderr.isatty()):
            return None
        try:
            from tqdm import tqdm
        except ImportError:  # pragma: no cover - tqdm comes with the dask extra
            return None

        return tqdm(total=total, desc=label, unit="chunk", file=sys.stderr)

    def run(self, tasks: Sequence[Any], label: str = "chunks") -> list[Any]:
        """Compute ``tasks`` (Dask collections; anything else is returned as it is), in order."""
        from dask import is_dask_collection

        lazy = [k for k, task in enumerate(tasks) if is_dask_collection(task)]
        results = list(tasks)
        if not lazy:
            return results
        bar = self._bar(len(lazy), label)
        try:
            if self.client is not None:
                computed = self._run_distributed([tasks[k] for k in lazy], bar)
            else:
                computed = self._run_local([tasks[k] for k in lazy], bar)
        finally:
            if bar is not None:
                bar.close()
        for k, value in zip(lazy, computed, strict=True):
            results[k] = value
        return results

    def _run_local(self, tasks: Sequence[Any], bar: Any) -> list[Any]:
        import dask
        from dask.callbacks import Callback

        wanted = {key for task in tasks for key in _keys(task)}

        def finished(key: Any, *_: Any) -> None:
            if bar is not None and key in wanted:
                bar.update(1)

        with Callback(posttask=finished):
            return list(dask.compute(*tasks, scheduler="threads", num_workers=self.threads))

    def _run_distributed(self, tasks: Sequence[Any], bar: Any) -> list[Any]:
        from distributed import as_completed

        futures = self.client.compute(list(tasks))
        for future in as_completed(futures, loop=self.client.loop):
            future.result()  # raises the task's error here
            if bar is not None:
                bar.update(1)
        return [f.result() for f in futures]


def _keys(task: Any) -> list[Any]:
    """The output keys of a Dask collection, flat (an array's keys nest one list per axis)."""
    keys: list[Any] = []
    pending = [task.__dask_keys__()]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            pending.extend(item)
        else:
            keys.append(item)
    return keys


@contextlib.contextmanager
def engine(
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    memory_limit: str | None = None,
    threads: int | None = None,
    progress: bool = True,
    timeout: float = 10.0,
) -> Iterator[Engine]:
    """An :class:`Engine` for the duration of the ``with`` block (see the module docstring)."""
    if workers is not None and scheduler is not None:
        raise DataError(
            f"give {argument('workers')} (start a local cluster) or {argument('scheduler')} "
            "(use one), not both"
        )
    if workers is None and scheduler is None:
        yield Engine(None, progress, threads)
        return
    distributed = _require_distributed()
    logging.getLogger("distributed").setLevel(logging.ERROR)
    if scheduler is not None:
        address = check_loopback(scheduler)
        try:
            client = distributed.Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as error:
            raise DataError(
                f"{argument('scheduler')} {scheduler}: no Dask scheduler answered within {timeout:g} s "
                f"({type(error).__name__}); start one with: dask scheduler --host 127.0.0.1"
            ) from None
        with client:
            yield Engine(client, progress)
        return
    if workers is None or not 1 <= workers <= MAX_WORKERS:
        raise DataError(
            f"{argument('workers')} {workers}: choose between 1 and {MAX_WORKERS} workers"
        )
    if memory_limit is not None:
        from dask.utils import parse_bytes

        try:
            limit = parse_bytes(memory_limit)
        except (ValueError, TypeError):
            raise DataError(
                f"{argument('memory_limit')} {memory_limit}: write a size such as 1GB or 500MB"
            ) from None
        if limit < 2**26:
            raise DataError(
                f"{argument('memory_limit')} {memory_limit}: give each worker at least 64MB"
            )
    cluster = distributed.LocalCluster(
        n_workers=workers,
        threads_per_worker=threads or 1,
        processes=True,
        memory_limit=memory_limit or "auto",
        dashboard_address="127.0.0.1:0",
        host="127.0.0.1",
        silence_logs=logging.ERROR,
    )
    with cluster, distributed.Client(cluster, set_as_default=False) as client:
        yield Engine(client, progress)
