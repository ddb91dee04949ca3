"""Fresh, migrated databases beside an existing one, for tests and benchmarks.

A database is created on the same server as ``url`` (its user needs CREATEDB, as the private
cluster's role has), gets PostGIS (from template1, or created) and Kasane's schema, and is
dropped again with :func:`drop_sibling`.
"""

from __future__ import annotations

import time

import psycopg
from psycopg import sql

from gis.platform.db import check_postgis, connect
from gis.platform.migrate import migrate

DROP_ATTEMPTS = 20


def sibling_url(url: str, name: str) -> str:
    """``url`` with its database name replaced by ``name``."""
    return url.rsplit("/", 1)[0] + "/" + name


def create_sibling(url: str, name: str) -> str:
    """(Re)create database ``name`` next to ``url``, with PostGIS and the schema; its URL."""
    with connect(url, autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    fresh = sibling_url(url, name)
    with connect(fresh) as conn:
        check_postgis(conn)
        migrate(conn)
        conn.commit()
    return fresh


def drop_sibling(url: str, name: str) -> None:
    """Drop database ``name`` next to ``url``. Retried: FORCE cannot end an autovacuum worker
    busy in it (InsufficientPrivilege), and such a worker is gone a moment later."""
    statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    for attempt in range(DROP_ATTEMPTS):
        try:
            with connect(url, autocommit=True) as admin:
                admin.execute(statement)
            return
        except psycopg.errors.InsufficientPrivilege:
            if attempt == DROP_ATTEMPTS - 1:
                raise
            time.sleep(0.5)
