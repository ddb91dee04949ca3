"""People of an organisation, managed by its admins (and the prefecture's admins for every
municipality): list, change roles, disable, issue and revoke API tokens. Someone outside the
manager's reach is the same :class:`NotFound` as nobody at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from gis.platform.auth import Principal, Role, issue_token
from gis.platform.errors import BadRequest, NotFound
from gis.platform.invitations import may_manage

Conn = psycopg.Connection[Any]


@dataclass(frozen=True)
class Member:
    """An active user with their API tokens (ids and dates; never the tokens)."""

    id: int
    name: str
    org_code: str
    role: Role
    created_at: datetime
    has_password: bool
    tokens: list[tuple[int, datetime]]


def members(conn: Conn, who: Principal, org_code: str) -> list[Member]:
    """The active users of ``org_code`` (which ``who`` must manage), by name."""
    if not may_manage(who, org_code):
        raise NotFound(f"no organisation {org_code} among yours")
    rows = conn.execute(
        "SELECT id, name, org_code, role, created_at, password_hash IS NOT NULL"
        " FROM kasane.users WHERE org_code = %s AND revoked_at IS NULL ORDER BY name",
        (org_code,),
    ).fetchall()
    tokens: dict[int, list[tuple[int, datetime]]] = {}
    for user_id, token_id, created in conn.execute(
        "SELECT t.user_id, t.id, t.created_at FROM kasane.api_tokens t JOIN kasane.users u"
        " ON u.id = t.user_id WHERE u.org_code = %s AND t.revoked_at IS NULL ORDER BY t.id",
        (org_code,),
    ).fetchall():
        tokens.setdefault(int(user_id), []).append((int(token_id), created))
    return [Member(int(r[0]), str(r[1]), str(r[2]), Role(r[3]), r[4], bool(r[5]),
                   tokens.get(int(r[0]), [])) for r in rows]  # fmt: skip


def _managed(conn: Conn, who: Principal, user_id: int) -> tuple[str, str]:
    """(name, organisation) of an active user ``who`` manages; NotFound otherwise."""
    row = conn.execute(
        "SELECT name, org_code FROM kasane.users WHERE id = %s AND revoked_at IS NULL",
        (user_id,),
    ).fetchone()
    if row is None or not may_manage(who, str(row[1])):
        raise NotFound(f"no user {user_id} among yours")
    return str(row[0]), str(row[1])


def set_role(conn: Conn, who: Principal, user_id: int, role: Role) -> str:
    """Change a member's role; returns their name."""
    name, _ = _managed(conn, who, user_id)
    if user_id == who.user_id:
        raise BadRequest("you cannot change your own role; ask another admin")
    conn.execute("UPDATE kasane.users SET role = %s WHERE id = %s", (role.value, user_id))
    return name


def disable(conn: Conn, who: Principal, user_id: int) -> str:
    """Disable a member: their sessions and tokens stop working at once; returns their name."""
    name, _ = _managed(conn, who, user_id)
    if user_id == who.user_id:
        raise BadRequest("you cannot disable yourself; ask another admin")
    conn.execute("UPDATE kasane.users SET revoked_at = now() WHERE id = %s", (user_id,))
    conn.execute(
        "UPDATE kasane.api_tokens SET revoked_at = now() WHERE user_id = %s AND revoked_at IS NULL",
        (user_id,),
    )
    conn.execute(
        "UPDATE kasane.staff_sessions SET ended_at = now() WHERE user_id = %s AND ended_at IS NULL",
        (user_id,),
    )
    return name


def new_token(conn: Conn, who: Principal, user_id: int) -> tuple[str, str]:
    """(name, token) of a new API token for a member (the token is shown once)."""
    name, _ = _managed(conn, who, user_id)
    return name, issue_token(conn, user_id)


def revoke_token(conn: Conn, who: Principal, token_id: int) -> str:
    """Revoke one API token of a member; returns the member's name."""
    row = conn.execute(
        "SELECT user_id FROM kasane.api_tokens WHERE id = %s AND revoked_at IS NULL", (token_id,)
    ).fetchone()
    if row is None:
        raise NotFound(f"no token {token_id} among yours")
    name, _ = _managed(conn, who, int(row[0]))
    conn.execute("UPDATE kasane.api_tokens SET revoked_at = now() WHERE id = %s", (token_id,))
    return name
