"""prefetch: the same items in the same order, made in another thread; errors reach the
caller; a caller that stops early stops the worker and closes the source."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from etl.prefetch import prefetch


def test_same_items_in_order_made_in_another_thread() -> None:
    makers: list[str] = []

    def numbers() -> Iterator[int]:
        for n in range(50):
            makers.append(threading.current_thread().name)
            yield n

    assert list(prefetch(numbers())) == list(range(50))
    assert set(makers) == {"kasane-prefetch"}
    assert list(prefetch([])) == []


def test_an_error_is_raised_in_the_caller_after_the_items_before_it() -> None:
    def failing() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("row 3 is bad")

    got: list[int] = []
    with pytest.raises(ValueError, match="row 3 is bad"):
        for item in prefetch(failing()):
            got.append(item)
    assert got == [1, 2]


def test_stopping_early_stops_the_worker_and_closes_the_source() -> None:
    made: list[int] = []
    closed = threading.Event()

    def endless() -> Iterator[int]:
        try:
            n = 0
            while True:
                made.append(n)
                yield n
                n += 1
        finally:
            closed.set()

    before = {t.name for t in threading.enumerate()}
    items = prefetch(endless())
    assert [next(items), next(items)] == [0, 1]
    items.close()  # what a failing COPY does to its rows
    assert closed.is_set()
    assert len(made) <= 4  # at most one item waits ahead, one more in the making
    assert "kasane-prefetch" not in {t.name for t in threading.enumerate()} - before


def test_nothing_is_made_before_the_first_item_is_asked_for() -> None:
    made: list[int] = []

    def numbers() -> Iterator[int]:
        made.append(0)
        yield 0

    items = prefetch(numbers())
    assert made == []
    assert list(items) == [0]
    assert made == [0]
