"""People: an admin changes roles, disables users (their sessions and tokens stop at once),
issues API tokens shown once and revokes them, within their organisation only; the
prefecture's admins for any municipality; editors see no such page."""

from __future__ import annotations

import re

import pytest

from gis.platform import auth
from gis.platform.db import connect
from tests.staff.conftest import new_person, page_token, sign_in

pytestmark = pytest.mark.usefixtures("demo_loaded")


def _signed(app, name: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    assert sign_in(client, name).status_code == 303
    return client


def _user_id(database_url: str, name: str) -> int:
    with connect(database_url) as conn:
        row = conn.execute(
            "SELECT id FROM kasane.users WHERE name = %s AND revoked_at IS NULL", (name,)
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_admin_manages_own_people_and_tokens(app, database_url) -> None:
    admin = _signed(app, new_person(database_url, "yamaguchi_admin"))
    colleague = new_person(database_url, "yamaguchi_editor")
    phone = _signed(app, colleague)
    uid = _user_id(database_url, colleague)
    token = page_token(admin, "/staff/people")
    assert colleague in admin.get("/staff/people").get_data(as_text=True)
    issued = admin.post(f"/staff/people/{uid}/token", data={"csrf_token": token})
    api_token = re.search(r'id="new-token">([^<]+)<', issued.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    with connect(database_url) as conn:
        assert auth.authenticate(conn, api_token).name == colleague
    role = admin.post(f"/staff/people/{uid}/role", data={"role": "viewer", "csrf_token": token})
    assert role.status_code == 303
    with connect(database_url) as conn:
        assert auth.authenticate(conn, api_token).role == auth.Role.VIEWER
    off = admin.post(f"/staff/people/{uid}/disable", data={"csrf_token": token})
    assert off.status_code == 303
    assert phone.get("/staff/").status_code == 303  # the session ended with the user
    with connect(database_url) as conn, pytest.raises(Exception, match="unknown or revoked"):
        auth.authenticate(conn, api_token)


def test_token_revoke(app, database_url) -> None:
    admin = _signed(app, new_person(database_url, "yamaguchi_admin"))
    colleague = new_person(database_url, "yamaguchi_editor")
    uid = _user_id(database_url, colleague)
    token = page_token(admin, "/staff/people")
    admin.post(f"/staff/people/{uid}/token", data={"csrf_token": token})
    with connect(database_url) as conn:
        row = conn.execute(
            "SELECT id FROM kasane.api_tokens WHERE user_id = %s AND revoked_at IS NULL"
            " ORDER BY id DESC LIMIT 1",
            (uid,),
        ).fetchone()
    assert row is not None
    done = admin.post(f"/staff/tokens/{row[0]}/revoke", data={"csrf_token": token})
    assert done.status_code == 303
    with connect(database_url) as conn:
        left = conn.execute(
            "SELECT revoked_at IS NOT NULL FROM kasane.api_tokens WHERE id = %s", (row[0],)
        ).fetchone()
    assert left == (True,)


def test_nobody_edits_another_organisations_people(app, database_url) -> None:
    admin = _signed(app, new_person(database_url, "yamaguchi_admin"))
    other = _user_id(database_url, new_person(database_url, "hofu_editor"))
    token = page_token(admin, "/staff/people")
    assert admin.get("/staff/people?org=352063").status_code == 404
    for action, data in (("role", {"role": "admin"}), ("disable", {}), ("token", {})):
        theirs = admin.post(f"/staff/people/{other}/{action}", data={**data, "csrf_token": token})
        unknown = admin.post(f"/staff/people/999999/{action}", data={**data, "csrf_token": token})
        assert theirs.status_code == unknown.status_code == 404
    pref = _signed(app, new_person(database_url, "pref_admin"))
    ptoken = page_token(pref, "/staff/people?org=352063")
    fields = {"role": "viewer", "csrf_token": ptoken, "org": "352063"}
    assert pref.post(f"/staff/people/{other}/role", data=fields).status_code == 303
    editor = _signed(app, new_person(database_url, "yamaguchi_editor"))
    assert editor.get("/staff/people").status_code == 404
