"""One-time invitation links: an organisation's admin (or the prefecture's) invites a person
with a role; the link works once, until it expires, and its token is stored only as sha256."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import psycopg

from gis.platform import passwords
from gis.platform.auth import Principal, Role, ensure_organisation, token_digest
from gis.platform.errors import BadRequest, Forbidden, NotFound

Conn = psycopg.Connection[Any]
LIFETIME = timedelta(days=7)


def may_manage(who: Principal, org_code: str) -> bool:
    """Admins manage their own organisation's people; the prefecture's admins every
    municipality's in the prefecture (the same rule as editing its data)."""
    return who.role == Role.ADMIN and who.can_edit(org_code)


def invite(conn: Conn, who: Principal, org_code: str, role: Role) -> str:
    """Issue a one-time link token for a new member of ``org_code``; returns it (shown once)."""
    if not may_manage(who, org_code):
        raise Forbidden(f"{who.name!r} may not invite people to organisation {org_code}")
    ensure_organisation(conn, org_code)
    token = secrets.token_urlsafe(32)
    conn.execute(
        "INSERT INTO kasane.invitations (token_sha256, org_code, role, created_by, expires_at)"
        " VALUES (%s, %s, %s, %s, now() + %s)",
        (token_digest(token), org_code, role.value, who.user_id, LIFETIME),
    )
    return token


def pending(conn: Conn, token: str) -> tuple[str, Role]:
    """(organisation, role) of an unused, unexpired invitation; :class:`NotFound` otherwise."""
    row = conn.execute(
        "SELECT org_code, role FROM kasane.invitations WHERE token_sha256 = %s"
        " AND used_at IS NULL AND expires_at > now()",
        (token_digest(token),),
    ).fetchone()
    if row is None:
        raise NotFound("this invitation link is unknown, already used or expired")
    return str(row[0]), Role(row[1])


def accept(conn: Conn, token: str, name: str, password: str) -> Principal:
    """Create the invited user with ``password`` and use up the invitation (one transaction)."""
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise BadRequest("choose a user name of 1 to 100 characters")
    passwords.check_password_rules(password, name)
    with conn.transaction():
        org_code, role = pending(conn, token)
        taken = conn.execute(
            "SELECT 1 FROM kasane.users WHERE name = %s AND revoked_at IS NULL", (name,)
        ).fetchone()
        if taken:
            raise BadRequest(f"the user name {name!r} is taken; choose another")
        row = conn.execute(
            "INSERT INTO kasane.users (name, org_code, role, password_hash, password_changed_at)"
            " VALUES (%s, %s, %s, %s, now()) RETURNING id",
            (name, org_code, role.value, passwords.hash_password(password)),
        ).fetchone()
        assert row is not None
        used = conn.execute(
            "UPDATE kasane.invitations SET used_at = now(), used_by = %s"
            " WHERE token_sha256 = %s AND used_at IS NULL",
            (row[0], token_digest(token)),
        ).rowcount
        if used != 1:
            raise NotFound("this invitation link is unknown, already used or expired")
    return Principal(int(row[0]), name, org_code, role)
