"""Bounded work: a time budget for one call (the prover, a derivation, a kernel build).

:func:`time_budget` arms a real-time timer on the main thread (``signal.setitimer``); when it fires,
:class:`BudgetExceeded` is raised inside whatever SymPy was doing, and the caller turns it into an
*unknown* verdict or a one-line error. It derives from :class:`BaseException` so that no
``except Exception`` inside a library swallows it. Off the main thread (where signals cannot be
delivered) the budget is not enforced; the caps on expression size and depth still hold.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["DEFAULT_TIMEOUT", "BudgetExceeded", "time_budget"]

#: seconds one ``prove`` may take by default (``--timeout``).
DEFAULT_TIMEOUT = 60.0


class BudgetExceeded(BaseException):
    """The time budget ran out."""


def _expire(signum: int, frame: Any) -> None:
    raise BudgetExceeded


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise :class:`BudgetExceeded` in the body after ``seconds`` (None or off the main thread: no
    limit). Nested budgets keep the outer one's (earlier) deadline."""
    main = threading.current_thread() is threading.main_thread()
    if seconds is None or not main:
        yield
        return
    remaining, _ = signal.getitimer(signal.ITIMER_REAL)
    if remaining and remaining < seconds:  # an outer budget ends first: keep it
        yield
        return
    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
