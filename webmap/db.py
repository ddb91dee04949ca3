"""The app's database pool: opened lazily so the server starts (and answers 503) while
PostgreSQL is down, and recovers by itself when it returns."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from flask import Flask, current_app
from psycopg_pool import ConnectionPool, PoolTimeout

from gis.platform.db import database_url, open_pool
from gis.platform.errors import DatabaseUnavailable
from gis.platform.settings import Settings


def init_app(app: Flask, settings: Settings) -> None:
    """Remember the URL; the pool is created on first use in each worker process."""
    app.extensions["kasane.db_url"] = database_url(settings)
    app.extensions["kasane.pool"] = None
    app.extensions["kasane.pool_max"] = settings.pool_max


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


def close(app: Flask) -> None:
    """Close this app's pool, if one was opened (tests, worker exit)."""
    existing: ConnectionPool | None = app.extensions.get("kasane.pool")
    if existing is not None:
        existing.close()
        app.extensions["kasane.pool"] = None
