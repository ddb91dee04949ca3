"""Server-side sign-in sessions of the staff console.

The browser holds a random 256-bit value in a ``Secure; HttpOnly; SameSite=Lax`` cookie; the
database holds only its sha256 (like API tokens), with the user, when it began and when it was
last used. A session ends on sign-out (at once, server-side), after ``idle`` without use, after
``absolute`` whatever happens, when its user is revoked, and when the user changes their
password (every other session of theirs ends). A new value is issued at every sign-in, so a
value planted before sign-in is worthless (no session fixation).

The principal of a session is the same :class:`~gis.platform.auth.Principal` that an API token
gives, so every rule about who may see or change what has one implementation.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import psycopg

from gis.platform.auth import Principal, Role, token_digest

Conn = psycopg.Connection[Any]


def start(conn: Conn, who: Principal) -> str:
    """A new session for ``who``; returns the cookie value (never stored)."""
    value = secrets.token_urlsafe(32)
    conn.execute(
        "INSERT INTO kasane.staff_sessions (id_sha256, user_id) VALUES (%s, %s)",
        (token_digest(value), who.user_id),
    )
    return value


def principal(
    conn: Conn, value: str | None, *, idle: timedelta, absolute: timedelta
) -> Principal | None:
    """The signed-in user of the session ``value`` (and mark it used), or None when the
    session is unknown, ended, idle too long, too old or its user revoked."""
    if not value or len(value) > 100:
        return None
    row = conn.execute(
        "UPDATE kasane.staff_sessions s SET last_seen_at = now() FROM kasane.users u"
        " WHERE s.id_sha256 = %s AND u.id = s.user_id AND s.ended_at IS NULL"
        " AND u.revoked_at IS NULL AND s.last_seen_at > now() - %s"
        " AND s.created_at > now() - %s"
        " RETURNING u.id, u.name, u.org_code, u.role",
        (token_digest(value), idle, absolute),
    ).fetchone()
    if row is None:
        return None
    return Principal(int(row[0]), str(row[1]), str(row[2]), Role(row[3]))


def end(conn: Conn, value: str | None) -> None:
    """Sign-out: the session stops working at once, whoever holds a copy of the cookie."""
    if value:
        conn.execute(
            "UPDATE kasane.staff_sessions SET ended_at = now()"
            " WHERE id_sha256 = %s AND ended_at IS NULL",
            (token_digest(value),),
        )


def end_others(conn: Conn, who: Principal, keep: str | None) -> int:
    """End every session of ``who`` except ``keep`` (after a password change); how many."""
    return conn.execute(
        "UPDATE kasane.staff_sessions SET ended_at = now()"
        " WHERE user_id = %s AND ended_at IS NULL AND id_sha256 <> %s",
        (who.user_id, token_digest(keep or "")),
    ).rowcount
