"""Make the next item of an iterator in a worker thread while the caller uses this one.

A load reads and checks chunk N+1 while chunk N is encoded and sent by ``COPY``: shapely,
GEOS, numpy, GDAL and the socket release the GIL, so the two overlap on a second core (the
server takes its share too). At most one item waits ahead, so memory grows by one chunk.
An exception in the worker is raised in the caller at the item where it happened; a caller
that stops early, and closes this generator, stops the worker and closes the iterator (running
its ``finally`` blocks). Close it when you stop early: left to the garbage collector at
interpreter exit, the worker may already be frozen.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
_DONE = object()
_POLL_S = 0.05


def prefetch(items: Iterable[T]) -> Iterator[T]:
    """``items`` in order, each made in a worker thread while the caller holds the one before.

    Nothing starts before the caller asks for the first item (so a load's reading happens
    inside its ``COPY``, where its timings put it).
    """
    ready: queue.Queue[tuple[Any, BaseException | None]] = queue.Queue(maxsize=1)
    stop = threading.Event()
    source = iter(items)

    def put(entry: tuple[Any, BaseException | None]) -> bool:
        while not stop.is_set():
            try:
                ready.put(entry, timeout=_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in source:
                if not put((item, None)):
                    return
            put((_DONE, None))
        except BaseException as exc:  # handed to the caller, raised there
            put((_DONE, exc))

    worker = threading.Thread(target=work, name="kasane-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item, error = ready.get()
            if item is _DONE:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
        worker.join()
        close = getattr(source, "close", None)
        if close is not None and not worker.is_alive():
            close()
