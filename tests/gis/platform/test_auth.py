"""Organisations, users and tokens against the real database: tokens are stored only as
digests, revocation works, and the edit rules follow organisation and role."""

from __future__ import annotations

import hashlib
import secrets

import pytest

from gis.platform import auth
from gis.platform.db import connect
from gis.platform.errors import BadRequest, Forbidden, NotFound, Unauthorized


def _name() -> str:
    return f"user-{secrets.token_hex(4)}"


def test_token_is_returned_once_and_stored_only_as_its_sha256(database_url: str) -> None:
    name = _name()
    with connect(database_url) as conn:
        token = auth.add_user(conn, name, "352039", auth.Role.EDITOR, org_name="山口市")
        stored = conn.execute(
            "SELECT t.token_sha256 FROM kasane.api_tokens t JOIN kasane.users u"
            " ON u.id = t.user_id WHERE u.name = %s",
            (name,),
        ).fetchall()
        dump = conn.execute(
            "SELECT count(*) FROM kasane.api_tokens WHERE token_sha256 LIKE %s"
            " OR token_sha256 = %s",
            (f"%{token[4:20]}%", token),
        ).fetchone()
        principal = auth.authenticate(conn, token)
    assert len(token) >= 40
    assert stored == [(hashlib.sha256(token.encode()).hexdigest(),)]
    assert dump == (0,)
    assert (principal.name, principal.org_code, principal.role) == (name, "352039", "editor")


def test_unknown_missing_and_revoked_tokens_are_refused(database_url: str) -> None:
    name = _name()
    with connect(database_url) as conn:
        token = auth.add_user(conn, name, "35206", auth.Role.VIEWER)  # 5 digits: check digit added
        assert auth.authenticate(conn, token).org_code == "352063"
        with pytest.raises(Unauthorized):
            auth.authenticate(conn, None)
        with pytest.raises(Unauthorized):
            auth.authenticate(conn, token + "x")
        auth.revoke_user(conn, name)
        with pytest.raises(Unauthorized):
            auth.authenticate(conn, token)
        with pytest.raises(NotFound):
            auth.revoke_user(conn, name)
        listed = {u.name: u for u in auth.list_users(conn, include_revoked=True)}
        assert listed[name].revoked_at is not None and listed[name].active_tokens == 0
        assert name not in {u.name for u in auth.list_users(conn)}
        # the name can be given out again after revocation
        auth.add_user(conn, name, "352063", auth.Role.EDITOR)


@pytest.mark.parametrize(
    ("org", "role", "problem"),
    [
        ("352038", "editor", "check digit"),
        ("35203x", "editor", "5- or 6-digit"),
        ("352039", "boss", "role"),
    ],
)
def test_bad_codes_and_roles_are_explained(
    database_url: str, org: str, role: str, problem: str
) -> None:
    with connect(database_url) as conn, pytest.raises(BadRequest, match=problem):
        auth.add_user(conn, _name(), org, auth.parse_role(role))


def test_duplicate_active_name_is_refused(database_url: str) -> None:
    name = _name()
    with connect(database_url) as conn:
        auth.add_user(conn, name, "352039", auth.Role.EDITOR)
        with pytest.raises(BadRequest, match="already exists"):
            auth.add_user(conn, name, "352039", auth.Role.EDITOR)


@pytest.mark.parametrize(
    ("org", "role", "target", "allowed"),
    [
        ("352039", "editor", "352039", True),
        ("352039", "admin", "352039", True),
        ("352039", "editor", "352063", False),
        ("352039", "admin", "352063", False),  # a municipal admin stays in its municipality
        ("352039", "viewer", "352039", False),
        ("350001", "admin", "352063", True),  # the prefecture's admins edit every municipality
        ("350001", "editor", "352063", False),
        ("350001", "admin", "331007", False),  # ...but not another prefecture's
    ],
)
def test_who_may_edit(org: str, role: str, target: str, allowed: bool) -> None:
    principal = auth.Principal(1, "someone", org, auth.Role(role))
    assert principal.can_edit(target) is allowed
    if not allowed:
        with pytest.raises(Forbidden):
            principal.require_edit(target)
