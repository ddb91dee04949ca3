"""`kasane users add | list | revoke` as a person runs them."""

from __future__ import annotations

import secrets

from gis.platform import auth
from gis.platform.db import connect
from tests.kasane.test_cli import kasane, one_line_error


def test_add_list_revoke(database_url: str) -> None:
    name = f"cli-{secrets.token_hex(3)}"
    added = kasane(
        "users",
        "add",
        name,
        "--org",
        "352039",
        "--role",
        "editor",
        KASANE_DATABASE_URL=database_url,
    )
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip().splitlines()[-1]
    assert token.startswith("ksn_")
    with connect(database_url) as conn:
        assert auth.authenticate(conn, token).name == name
    listed = kasane("users", "list", KASANE_DATABASE_URL=database_url)
    line = next(x for x in listed.stdout.splitlines() if x.startswith(name))
    assert "352039" in line and "editor" in line and token not in listed.stdout
    assert kasane("users", "revoke", name, KASANE_DATABASE_URL=database_url).returncode == 0
    with connect(database_url) as conn:
        assert name not in {u.name for u in auth.list_users(conn)}
    again = kasane("users", "revoke", name, KASANE_DATABASE_URL=database_url)
    assert "no active user" in one_line_error(again)


def test_bad_org_code_is_one_line(database_url: str) -> None:
    result = kasane("users", "add", "x", "--org", "352038", KASANE_DATABASE_URL=database_url)
    assert "check digit" in one_line_error(result)
