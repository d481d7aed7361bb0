"""Nothing lost: a worker killed midway on a LocalCluster, a whole run killed and resumed, and
``--workers`` / ``--scheduler`` on 127.0.0.1 — each final output equal, bit for bit, to the
in-memory kernel on the same data."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lnsym.install import needs

da = pytest.importorskip("dask.array", reason=needs("the Dask tests", "dask"))
distributed = pytest.importorskip("distributed", reason=needs("the Dask tests", "dask"))
zarr = pytest.importorskip("zarr", reason=needs("the Dask tests", "dask"))

from lnsym.cli import main  # noqa: E402
from lnsym.execute.engine import Engine  # noqa: E402
from lnsym.execute.stores import open_array, progress_dir, store  # noqa: E402
from lnsym.kernels import kernel  # noqa: E402

pytestmark = pytest.mark.slow


def _slow(block: np.ndarray) -> np.ndarray:
    time.sleep(0.15)  # long enough blocks for a kill to land in the middle of the run
    return block


@pytest.fixture(scope="module")
def cluster() -> Any:
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import tests/
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
        memory_limit="1GB",
        silence_logs=50,
    ) as local:
        yield local


def _markers(out: Path) -> int:
    done = progress_dir(out) / "done"
    return len(list(done.iterdir())) if done.exists() else 0


def test_a_killed_worker_loses_nothing(cluster: Any, tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    x = rng.normal(4.0, 3.0, (4000, 32)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    lazy = open_array(tmp_path / "x.npy", chunk_bytes=32 * 4 * 100).map_blocks(_slow, dtype=x.dtype)
    ln = kernel("LN(x)", "numba")
    out = tmp_path / "ln.zarr"
    with distributed.Client(cluster, set_as_default=False) as client:
        pids = list(client.run(os.getpid).values())
        errors: list[BaseException] = []

        def run() -> None:
            try:
                store(ln(lazy), out, job={"test": "kill"}, engine=Engine(client, progress=False))
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)

        thread = threading.Thread(target=run)
        thread.start()
        deadline = time.monotonic() + 60
        while _markers(out) < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
        written_before_kill = _markers(out)
        os.kill(pids[0], signal.SIGKILL)  # a worker dies midway; its nanny starts another
        thread.join(timeout=120)
        assert not thread.is_alive() and not errors, errors
    assert 4 <= written_before_kill < 40, "the kill did not land in the middle of the run"
    assert (progress_dir(out) / "complete").exists()
    np.testing.assert_array_equal(zarr.open_array(str(out), mode="r")[:], ln(x))


def test_a_killed_run_resumes_the_missing_chunks(tmp_path: Path) -> None:
    rng = np.random.default_rng(12)
    x = rng.normal(-1.0, 2.0, (400_000, 32)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    out = tmp_path / "ln.npy"
    command = [
        sys.executable,
        "-m",
        "lnsym",
        "eval",
        "LN(x)",
        "--set",
        f"x={tmp_path / 'x.npy'}",
        "--out",
        str(out),
        "--chunk-mb",
        "0.05",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while _markers(out) < 10 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)  # no cleanup of any kind
    process.wait()
    killed_after = _markers(out)
    assert not (progress_dir(out) / "complete").exists(), "the run ended before it was killed"
    assert killed_after >= 10
    resumed = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    found = re.search(r"(\d+) block\(s\) \((\d+) now, (\d+) already written\)", resumed.stdout)
    assert found is not None, resumed.stdout
    blocks, now, before = (int(g) for g in found.groups())
    assert before >= killed_after and now + before == blocks and now > 0
    np.testing.assert_array_equal(np.load(out), kernel("LN(x)")(x))


def test_workers_and_scheduler_options(
    cluster: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(13)
    x = rng.normal(size=(3000, 16))
    zarr.create_array(store=str(tmp_path / "x.zarr"), data=x, chunks=(500, 16))
    w = ",".join(str(v) for v in rng.normal(size=16))
    expected = kernel("dot(w, LN(x)) + b", vectors="x,w", scalars="b")(
        x, [float(v) for v in w.split(",")], 0.25
    )
    base = ["eval", "dot(w, LN(x)) + b", "--set", f"x={tmp_path / 'x.zarr'}", "--set", f"w={w}"]
    base += ["--set", "b=0.25", "--chunk-mb", "0.05"]
    address = cluster.scheduler_address
    assert address.startswith("tcp://127.0.0.1:")
    assert main([*base, "--scheduler", address, "--out", str(tmp_path / "a.zarr")]) == 0
    assert "on 2 worker(s) at tcp://127.0.0.1:" in capsys.readouterr().out
    assert (
        main([*base, "--workers", "1", "--memory-limit", "500MB", "--out", str(tmp_path / "b.npy")])
        == 0
    )
    assert "on 1 worker(s)" in capsys.readouterr().out
    np.testing.assert_array_equal(zarr.open_array(str(tmp_path / "a.zarr"), mode="r")[:], expected)
    np.testing.assert_array_equal(np.load(tmp_path / "b.npy"), expected)
