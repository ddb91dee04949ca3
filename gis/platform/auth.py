"""Organisations, users and API tokens, and who may change what.

An organisation is a prefecture or a municipality, named by its 6-digit local-government code
(:mod:`gis.geo.lg_codes`). A user belongs to one organisation with one role: ``admin``, ``editor``
or ``viewer``. Users call the API with ``Authorization: Bearer <token>``; tokens are 256-bit
random strings, so a plain sha256 digest is a safe way to store them (no salt or slow hash
is needed for high-entropy secrets). The token itself is shown once, when it is issued.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import psycopg

from gis.geo.lg_codes import is_prefecture, normalize_lg_code, prefecture_code
from gis.platform.errors import BadRequest, Forbidden, NotFound, Unauthorized

Conn = psycopg.Connection[Any]
TOKEN_PREFIX = "ksn_"


class Role(StrEnum):
    """What a user may do within (or, for prefecture admins, beyond) their organisation."""

    ADMIN = "admin"
    EDITOR = "editor"
    VIEWER = "viewer"


@dataclass(frozen=True)
class Principal:
    """An authenticated caller."""

    user_id: int
    name: str
    org_code: str
    role: Role

    def can_edit(self, lg_code: str) -> bool:
        """True when the caller may change data owned by the organisation ``lg_code``.

        Editors and admins edit their own organisation's data; a prefecture's admins may
        edit the data of every municipality in the prefecture.
        """
        if self.role == Role.VIEWER:
            return False
        if self.org_code == lg_code:
            return True
        return (
            self.role == Role.ADMIN
            and is_prefecture(self.org_code)
            and prefecture_code(lg_code) == self.org_code
        )

    def require_edit(self, lg_code: str) -> None:
        """Raise :class:`Forbidden` unless :meth:`can_edit` allows it."""
        if not self.can_edit(lg_code):
            raise Forbidden(
                f"user {self.name!r} ({self.role.value} of {self.org_code}) may not change"
                f" data of organisation {lg_code}"
            )


@dataclass(frozen=True)
class UserInfo:
    """A user as listed by ``kasane users list``."""

    name: str
    org_code: str
    org_name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None
    active_tokens: int


def token_digest(token: str) -> str:
    """The sha256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh random token (256 bits, URL-safe)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def parse_role(value: str) -> Role:
    """``'editor'`` -> :attr:`Role.EDITOR`; anything else is a :class:`BadRequest`."""
    try:
        return Role(value.strip().lower())
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise BadRequest(f"unknown role {value!r}; choose one of {choices}") from None


def parse_org_code(value: str) -> str:
    """A 6-digit code with a correct check digit (5 digits get theirs added)."""
    try:
        return normalize_lg_code(value)
    except ValueError as exc:
        raise BadRequest(f"invalid organisation code: {exc}") from None


def ensure_organisation(conn: Conn, code: str, name: str | None = None) -> str:
    """Create the organisation if it is new; returns its name."""
    row = conn.execute("SELECT name FROM kasane.organisations WHERE code = %s", (code,)).fetchone()
    if row is not None:
        return str(row[0])
    label = name or code
    conn.execute(
        "INSERT INTO kasane.organisations (code, name) VALUES (%s, %s) ON CONFLICT DO NOTHING",
        (code, label),
    )
    return label


def add_user(
    conn: Conn, name: str, org_code: str, role: Role, *, org_name: str | None = None
) -> str:
    """Create a user (and its organisation when new) and issue a token; returns the token."""
    name = name.strip()
    if not name:
        raise BadRequest("a user needs a name")
    code = parse_org_code(org_code)
    ensure_organisation(conn, code, org_name)
    taken = conn.execute(
        "SELECT 1 FROM kasane.users WHERE name = %s AND revoked_at IS NULL", (name,)
    ).fetchone()
    if taken:
        raise BadRequest(f"user {name!r} already exists (revoke it first to reissue)")
    row = conn.execute(
        "INSERT INTO kasane.users (name, org_code, role) VALUES (%s, %s, %s) RETURNING id",
        (name, code, role.value),
    ).fetchone()
    assert row is not None
    return issue_token(conn, int(row[0]))


def issue_token(conn: Conn, user_id: int) -> str:
    """Store a new token's digest for ``user_id``; returns the token (never stored)."""
    token = new_token()
    conn.execute(
        "INSERT INTO kasane.api_tokens (user_id, token_sha256) VALUES (%s, %s)",
        (user_id, token_digest(token)),
    )
    return token


def list_users(conn: Conn, *, include_revoked: bool = False) -> list[UserInfo]:
    """Users with their organisation and number of active tokens, by organisation and name."""
    rows = conn.execute(
        "SELECT u.name, u.org_code, o.name, u.role, u.created_at, u.revoked_at,"
        " (SELECT count(*) FROM kasane.api_tokens t"
        "  WHERE t.user_id = u.id AND t.revoked_at IS NULL)"
        " FROM kasane.users u JOIN kasane.organisations o ON o.code = u.org_code"
        " WHERE %s OR u.revoked_at IS NULL ORDER BY u.org_code, u.name, u.id",
        (include_revoked,),
    ).fetchall()
    return [
        UserInfo(str(r[0]), str(r[1]), str(r[2]), Role(r[3]), r[4], r[5], int(r[6])) for r in rows
    ]


def revoke_user(conn: Conn, name: str) -> None:
    """Revoke an active user and every token of theirs."""
    row = conn.execute(
        "UPDATE kasane.users SET revoked_at = now() WHERE name = %s AND revoked_at IS NULL"
        " RETURNING id",
        (name,),
    ).fetchone()
    if row is None:
        raise NotFound(f"no active user named {name!r}")
    conn.execute(
        "UPDATE kasane.api_tokens SET revoked_at = now() WHERE user_id = %s AND revoked_at IS NULL",
        (row[0],),
    )


def authenticate(conn: Conn, token: str | None) -> Principal:
    """The active user holding ``token``; :class:`Unauthorized` otherwise."""
    if not token:
        raise Unauthorized("this request needs an API token: Authorization: Bearer <token>")
    row = conn.execute(
        "SELECT u.id, u.name, u.org_code, u.role FROM kasane.api_tokens t"
        " JOIN kasane.users u ON u.id = t.user_id"
        " WHERE t.token_sha256 = %s AND t.revoked_at IS NULL AND u.revoked_at IS NULL",
        (token_digest(token),),
    ).fetchone()
    if row is None:
        raise Unauthorized("the API token is unknown or revoked")
    return Principal(int(row[0]), str(row[1]), str(row[2]), Role(row[3]))


def principal_named(conn: Conn, name: str) -> Principal:
    """The active user called ``name`` (``kasane … --as NAME``); :class:`Unauthorized`
    otherwise."""
    row = conn.execute(
        "SELECT id, name, org_code, role FROM kasane.users WHERE name = %s AND revoked_at IS NULL",
        (name,),
    ).fetchone()
    if row is None:
        raise Unauthorized(f"there is no active user {name!r} (see `kasane users list`)")
    return Principal(int(row[0]), str(row[1]), str(row[2]), Role(row[3]))
