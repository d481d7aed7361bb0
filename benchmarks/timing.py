"""The one timing rule of the benchmarks: medians of interleaved runs, after a warm-up."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

__all__ = ["interleaved_medians"]


def interleaved_medians(
    variants: dict[str, Callable[[], object]], repeats: int
) -> dict[str, float]:
    """The median wall time (s) of each variant over ``repeats`` interleaved rounds: every round runs
    each variant once, so slow phases of a noisy machine hit them all alike. One warm-up run each
    first (page in, compile)."""
    for run in variants.values():
        run()
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(repeats):
        for name, run in variants.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}
