"""Where a command's wall time goes: named phases, printed to stderr with ``KASANE_TIMINGS=1``.

Code that does a phase's work wraps it in ``with phase("name"):``; the seconds add up per name
(a phase entered once per chunk sums its chunks). Recording costs two clock reads, so it is
always on; only the printing depends on the environment. Phases that feed a streaming step run
inside it (a load's read, checks and encoding happen while its ``COPY`` runs, and the ``COPY``
figure includes them), so the figures do not add up to the total; the phase names say so.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

ENV = "KASANE_TIMINGS"
_spent: dict[str, float] = {}
_order: list[str] = []


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Add the wall time of the ``with`` block to phase ``name``."""
    add(name, 0.0)  # its place in the printout: where it began
    start = time.perf_counter()
    try:
        yield
    finally:
        add(name, time.perf_counter() - start)


def add(name: str, seconds: float) -> None:
    """Add ``seconds`` to phase ``name`` (first use fixes the phase's place in the printout)."""
    if name not in _spent:
        _order.append(name)
        _spent[name] = 0.0
    _spent[name] += seconds


def spent() -> dict[str, float]:
    """Seconds per phase so far, in the order the phases first ran."""
    return {name: _spent[name] for name in _order}


def reset() -> None:
    """Forget every phase (for a second run in the same process)."""
    _spent.clear()
    _order.clear()


def since_process_start() -> float | None:
    """Wall seconds since this process started (Linux ``/proc``; 10 ms steps), else None."""
    try:
        with open("/proc/self/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        ticks = int(fields[19])  # field 22 of stat(5): start time in clock ticks after boot
        started = ticks / os.sysconf("SC_CLK_TCK")
        return time.clock_gettime(time.CLOCK_BOOTTIME) - started
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def wanted() -> bool:
    """True when ``KASANE_TIMINGS`` asks for the printout (set and not ``0``)."""
    return os.environ.get(ENV, "0") not in ("", "0")


def print_report(total: float | None, out: TextIO | None = None) -> None:
    """Write every phase's seconds, and the ``total`` wall time, one per line."""
    stream = out or sys.stderr
    stream.write("kasane timings (wall seconds):\n")
    for name, seconds in spent().items():
        stream.write(f"  {name:<56} {seconds:7.3f}\n")
    if total is not None:
        stream.write(f"  {'total (process start to end)':<56} {total:7.3f}\n")
    stream.flush()
