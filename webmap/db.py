"""The app's database pools: opened lazily so the server starts (and answers 503) while
PostgreSQL is down, and recovers by itself when it returns.

:func:`connection` is the primary (writes, anything that must see its own writes);
:func:`read_connection` is a read replica when one may answer (see
:mod:`gis.platform.replicas`), else the primary, so public reads (tiles, items, pages, point
questions, search) spread over the replicas and never wait for one that is down or behind.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import psycopg
from flask import Flask, current_app
from prometheus_client import Counter
from psycopg_pool import ConnectionPool, PoolTimeout

from gis.platform.db import CONNECT_TIMEOUT_S, database_url, open_pool
from gis.platform.errors import DatabaseUnavailable
from gis.platform.replicas import Replicas, ReplicaState, parse_urls
from gis.platform.settings import Settings

REPLICA_WAIT_S = 0.5  # how long a read waits for a replica connection before asking the primary
READS = Counter("kasane_database_reads_total", "Public reads by where they were answered", ["on"])


def init_app(app: Flask, settings: Settings) -> None:
    """Remember the URL; the pool is created on first use in each worker process."""
    app.extensions["kasane.db_url"] = database_url(settings)
    app.extensions["kasane.pool"] = None
    app.extensions["kasane.pool_max"] = settings.pool_max
    app.extensions["kasane.replica_urls"] = parse_urls(settings.database_replica_urls)
    app.extensions["kasane.replica_max_lag_s"] = settings.replica_max_lag_s
    app.extensions["kasane.replicas"] = None  # (pid, Replicas, pools), made on first use


def pool() -> ConnectionPool:
    """This process's pool (created on first call, after any gunicorn fork)."""
    existing: ConnectionPool | None = current_app.extensions["kasane.pool"]
    if existing is None:
        existing = open_pool(
            current_app.extensions["kasane.db_url"],
            max_size=current_app.extensions["kasane.pool_max"],
        )
        current_app.extensions["kasane.pool"] = existing
    return existing


@contextmanager
def connection() -> Iterator[psycopg.Connection[Any]]:
    """A pooled connection; database trouble becomes :class:`DatabaseUnavailable` (503)."""
    try:
        with pool().connection() as conn:
            yield conn
    except (PoolTimeout, psycopg.OperationalError) as exc:
        raise DatabaseUnavailable("the database is not reachable right now") from exc


def replicas_of(app: Flask) -> tuple[Replicas, dict[str, ConnectionPool]] | None:
    """This process's replica watcher and pools (made on first call after any fork), or None
    when no replica is configured."""
    urls: list[str] = app.extensions.get("kasane.replica_urls") or []
    if not urls:
        return None
    held = app.extensions.get("kasane.replicas")
    if held is None or held[0] != os.getpid():
        watcher = Replicas(urls, app.extensions["kasane.replica_max_lag_s"]).start()
        pools = {
            url: ConnectionPool(
                url,
                min_size=0,
                max_size=app.extensions["kasane.pool_max"],
                name=f"kasane-replica{i + 1}",
                open=True,
                timeout=REPLICA_WAIT_S,
                check=ConnectionPool.check_connection,  # a stopped replica is seen at once
                kwargs={"connect_timeout": CONNECT_TIMEOUT_S},
            )
            for i, url in enumerate(urls)
        }
        held = (os.getpid(), watcher, pools)
        app.extensions["kasane.replicas"] = held
    return held[1], held[2]


@contextmanager
def read_connection() -> Iterator[psycopg.Connection[Any]]:
    """A connection for a public read: a replica that is up, within the lag limit and has
    replayed every layer version and shelter status this process serves; else the primary."""
    chosen = _replica_for_read()
    if chosen is not None:
        state, replica_pool = chosen
        stack = ExitStack()
        try:
            conn = stack.enter_context(replica_pool.connection())
        except (PoolTimeout, psycopg.OperationalError) as exc:
            stack.close()
            found = _replicas()
            if found is not None:
                found.failed(state, str(exc).strip().splitlines()[0] if str(exc) else "timeout")
        else:
            READS.labels(state.name).inc()
            try:
                with stack:
                    yield conn
            except (psycopg.OperationalError, psycopg.errors.SerializationFailure) as exc:
                # lost mid-read, or cancelled by replay (a conflict with recovery): one 503
                raise DatabaseUnavailable("the database is not reachable right now") from exc
            return
    READS.labels("primary").inc()
    with connection() as conn:
        yield conn


def _replicas() -> Replicas | None:
    found = replicas_of(current_app)
    return found[0] if found else None


def _replica_for_read() -> tuple[ReplicaState, ConnectionPool] | None:
    found = replicas_of(current_app)
    if found is None:
        return None
    from webmap import served_versions  # imports this module

    tracker = served_versions.tracker_for(current_app)
    state = found[0].choose(tracker.wal_needed if tracker.live else None)
    return (state, found[1][state.url]) if state is not None else None


def close(app: Flask) -> None:
    """Close this app's pools and replica watcher, if opened (tests, worker exit)."""
    existing: ConnectionPool | None = app.extensions.get("kasane.pool")
    if existing is not None:
        existing.close()
        app.extensions["kasane.pool"] = None
    held = app.extensions.get("kasane.replicas")
    if held is not None:
        held[1].stop()
        for replica_pool in held[2].values():
            replica_pool.close()
        app.extensions["kasane.replicas"] = None
