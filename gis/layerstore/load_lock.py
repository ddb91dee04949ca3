"""The per-layer load lock: one load of a layer at a time, across processes and machines.

It is a PostgreSQL session advisory lock, so the server lets go of it when the loading
session ends, however it ends (SIGKILL included). :func:`gis.layerstore.storage.drop_orphans` asks
:func:`loading_elsewhere` before it drops a version table that no version owns yet.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from gis.platform.errors import KasaneError

Conn = psycopg.Connection[Any]
LOCK_WAIT = "3s"  # a killed load's server process lets go of the lock when it sees EOF
# The lock's two keys: hashtext of this name, and hashtext of the layer's id.
_NAMESPACE = "kasane.load"


class LoadInProgress(KasaneError):
    """Another process is loading the same layer right now."""

    status = 409
    code = "load-in-progress"


def lock_layer(conn: Conn, layer_id: str) -> None:
    """Take the per-layer load lock for this session (released at disconnect, even on SIGKILL),
    waiting up to :data:`LOCK_WAIT` for a holder to finish or to notice that its client died."""
    try:
        with conn.transaction():  # a session lock: it outlives the transaction
            conn.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(LOCK_WAIT)))
            conn.execute(
                "SELECT pg_advisory_lock(hashtext(%s), hashtext(%s))", (_NAMESPACE, layer_id)
            )
    except psycopg.errors.LockNotAvailable:
        raise LoadInProgress(
            f"another load of layer {layer_id!r} is running; try again later"
        ) from None


def unlock_layer(conn: Conn, layer_id: str) -> None:
    """Release the lock taken by :func:`lock_layer`."""
    conn.execute("SELECT pg_advisory_unlock(hashtext(%s), hashtext(%s))", (_NAMESPACE, layer_id))


def loading_elsewhere(conn: Conn, layer_id: str) -> bool:
    """True while another session holds ``layer_id``'s load lock."""
    row = conn.execute(
        "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        " AND classid = hashtext(%s)::oid AND objid = hashtext(%s)::oid"
        " AND objsubid = 2 AND pid <> pg_backend_pid()",  # 2: a lock taken with two keys
        (_NAMESPACE, layer_id),
    ).fetchone()
    return row is not None


def lock_layer_in_transaction(conn: Conn, layer_id: str) -> None:
    """The same lock, held until the current transaction ends (for a write that must commit
    with other changes, :func:`etl.writer.write_in_transaction`); waits as :func:`lock_layer`."""
    previous = conn.execute("SELECT current_setting('lock_timeout')").fetchone()
    try:
        with conn.transaction():  # a savepoint: a timeout leaves the caller's transaction usable
            conn.execute("SELECT set_config('lock_timeout', %s, true)", (LOCK_WAIT,))
            conn.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s), hashtext(%s))", (_NAMESPACE, layer_id)
            )
    except psycopg.errors.LockNotAvailable:
        raise LoadInProgress(
            f"another load of layer {layer_id!r} is running; try again later"
        ) from None
    conn.execute("SELECT set_config('lock_timeout', %s, true)", (previous[0] if previous else "0",))
