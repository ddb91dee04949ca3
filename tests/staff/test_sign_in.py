"""Sign-in security: CSRF on every form, cookie flags, throttling, server-side sign-out,
timeouts, password change, invitations, and passwords never stored or logged in clear."""

from __future__ import annotations

import logging

import pytest

from gis.platform import passwords
from gis.platform.db import connect
from tests.staff.conftest import PASSWORD, csrf_of, new_person, page_token, sign_in

# Every form of the console: (page that shows it, where it posts, its fields without a token).
FORMS = [
    ("/staff/sign-in", "/staff/sign-in", {"name": "x", "password": "y"}),
    ("/staff/", "/staff/sign-out", {}),
    (
        "/staff/password",
        "/staff/password",
        {"current": PASSWORD, "new": "a" * 12, "repeat": "a" * 12},
    ),
    ("/staff/invitations", "/staff/invitations", {"org": "352039", "role": "editor"}),
    ("/staff/shelters", "/staff/shelters/bulk", {"lg_code": "352039", "target": "open"}),
]


def _from(app, address: str):  # type: ignore[no-untyped-def]
    """A test client whose requests come from ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _signed_in(app, database_url, key: str = "yamaguchi_admin"):  # type: ignore[no-untyped-def]
    client = app.test_client()
    name = new_person(database_url, key)
    assert sign_in(client, name).status_code == 303
    return client, name


@pytest.mark.usefixtures("demo_loaded")
@pytest.mark.parametrize(("page", "target", "fields"), FORMS)
def test_every_form_refuses_a_post_without_its_csrf_token(
    app, database_url, page, target, fields
) -> None:
    client, _ = _signed_in(app, database_url)
    shows = app.test_client() if page == "/staff/sign-in" else client
    assert 'name="csrf_token"' in shows.get(page).get_data(as_text=True)
    for data in (fields, {**fields, "csrf_token": "forged"}):
        refused = client.post(target, data=data, headers={"Accept": "text/html"})
        assert refused.status_code == 400, target
        assert "form" in refused.get_data(as_text=True).lower()
    assert client.get("/staff/").status_code == 200  # still signed in: nothing happened


@pytest.mark.usefixtures("demo_loaded")
def test_shelter_buttons_refuse_a_post_without_csrf(app, database_url, people) -> None:
    client, _ = _signed_in(app, database_url, "yamaguchi_editor")
    html = client.get("/staff/shelters").get_data(as_text=True)
    sid = html.split('data-shelter-id="')[1].split('"')[0]
    refused = client.post(f"/staff/shelters/{sid}/state", data={"to": "open"})
    assert refused.status_code == 400
    with connect(database_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM kasane.audit_log WHERE target = %s AND actor LIKE 'staff-%%'",
            (f"shelters/{sid}",),
        ).fetchone()
    assert row == (0,)


def test_session_cookie_flags(app, people) -> None:
    client = app.test_client()
    response = sign_in(client, people["yamaguchi_editor"])
    assert response.status_code == 303
    cookies = response.headers.getlist("Set-Cookie")
    staff = next(c for c in cookies if c.startswith("kasane_staff="))
    assert "Secure" in staff and "HttpOnly" in staff and "SameSite=Lax" in staff
    assert "Path=/" in staff and "Expires" not in staff  # the server decides when it ends
    page = client.get("/staff/")  # sign-in rotated the CSRF secret: the next form makes one
    csrf_cookie = next(c for c in page.headers.getlist("Set-Cookie") if "kasane_csrf=" in c)
    assert "Secure" in csrf_cookie and "HttpOnly" in csrf_cookie and "Path=/staff" in csrf_cookie


def test_sign_out_ends_the_session_on_the_server(app, people) -> None:
    client = app.test_client()
    sign_in(client, people["yamaguchi_editor"])
    stolen = client.get_cookie("kasane_staff").value
    assert client.get("/staff/").status_code == 200
    out = client.post("/staff/sign-out", data={"csrf_token": page_token(client, "/staff/")})
    assert out.status_code == 303
    replay = app.test_client()
    replay.set_cookie("kasane_staff", stolen)
    again = replay.get("/staff/shelters")
    assert again.status_code == 303 and "/staff/sign-in" in again.headers["Location"]


def test_a_new_session_value_at_every_sign_in(app, people) -> None:
    client = app.test_client()
    client.set_cookie("kasane_staff", "planted-by-an-attacker")
    sign_in(client, people["hofu_editor"])
    assert client.get_cookie("kasane_staff").value != "planted-by-an-attacker"


def test_idle_and_absolute_timeouts(app, database_url, people) -> None:
    client = app.test_client()
    sign_in(client, people["hofu_editor"])
    assert client.get("/staff/").status_code == 200
    with connect(database_url) as conn:
        conn.execute(
            "UPDATE kasane.staff_sessions SET last_seen_at = now() - interval '31 minutes'"
            " WHERE ended_at IS NULL AND user_id = (SELECT id FROM kasane.users WHERE name = %s"
            " AND revoked_at IS NULL)",
            (people["hofu_editor"],),
        )
        conn.commit()
    assert client.get("/staff/").status_code == 303  # idle for longer than 30 minutes
    sign_in(client, people["hofu_editor"])
    with connect(database_url) as conn:
        conn.execute(
            "UPDATE kasane.staff_sessions SET created_at = now() - interval '13 hours'"
            " WHERE ended_at IS NULL AND user_id = (SELECT id FROM kasane.users WHERE name = %s"
            " AND revoked_at IS NULL)",
            (people["hofu_editor"],),
        )
        conn.commit()
    assert client.get("/staff/").status_code == 303  # in use, but signed in 13 hours ago


def test_wrong_passwords_are_throttled_per_account_then_allowed_again(app, database_url) -> None:
    name = new_person(database_url, "hofu_editor")
    client = _from(app, "10.20.0.1")
    for _ in range(passwords.ACCOUNT_LIMIT):
        failed = sign_in(client, name, "not the password")
        assert failed.status_code == 401
        assert 'id="sign-in-error"' in failed.get_data(as_text=True)
    # Even the right password is not checked now, from another client too.
    other = _from(app, "10.20.0.2")
    throttled = sign_in(other, name)
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0
    with connect(database_url) as conn:  # the window passes
        conn.execute(
            "DELETE FROM kasane.sign_in_failures WHERE key = %s",
            (passwords.Throttle.of(name, "").account,),
        )
        conn.commit()
    assert sign_in(other, name).status_code == 303


def test_wrong_passwords_are_throttled_per_client(app, database_url) -> None:
    client = _from(app, "10.30.0.1")
    for n in range(passwords.CLIENT_LIMIT):
        assert sign_in(client, f"nobody-{n}", "guess").status_code == 401
    someone = new_person(database_url, "hofu_editor")
    assert sign_in(client, someone).status_code == 429  # this client must wait
    elsewhere = _from(app, "10.30.0.2")
    assert sign_in(elsewhere, someone).status_code == 303  # the user is not locked out


def test_passwords_are_never_stored_or_logged_in_clear(app, database_url, caplog) -> None:
    secret = "unmistakable-secret-42"
    caplog.set_level(logging.DEBUG)
    name = new_person(database_url, "yamaguchi_editor", secret)
    client = _from(app, "10.40.0.1")
    sign_in(client, name, secret + "-wrong")
    sign_in(client, name, secret)
    with connect(database_url) as conn:
        stored = conn.execute(
            "SELECT password_hash FROM kasane.users WHERE name = %s", (name,)
        ).fetchone()
        dump = conn.execute("SELECT string_agg(u::text, ' ') FROM kasane.users u").fetchone()
        audit = conn.execute("SELECT string_agg(a::text, ' ') FROM kasane.audit_log a").fetchone()
    assert stored is not None and stored[0].startswith("$argon2id$")
    assert secret not in (dump[0] or "") and secret not in (audit[0] or "")
    assert secret not in caplog.text


def test_password_change_ends_other_sessions(app, database_url) -> None:
    name = new_person(database_url, "hofu_editor")
    phone, desk = app.test_client(), app.test_client()
    sign_in(phone, name)
    sign_in(desk, name)
    new = "a brand new password"

    def change(current: str, new_password: str):  # type: ignore[no-untyped-def]
        token = page_token(desk, "/staff/password")
        fields = {"current": current, "new": new_password, "repeat": new_password}
        return desk.post("/staff/password", data={**fields, "csrf_token": token})

    bad = change("wrong one!", new)
    assert bad.status_code == 400 and "current password is wrong" in bad.get_data(as_text=True)
    short = change(PASSWORD, "short")
    assert short.status_code == 400 and "at least 10" in short.get_data(as_text=True)
    assert change(PASSWORD, new).status_code == 200
    assert desk.get("/staff/").status_code == 200
    assert phone.get("/staff/").status_code == 303
    fresh = app.test_client()
    assert sign_in(fresh, name, PASSWORD).status_code == 401
    assert sign_in(fresh, name, new).status_code == 303


def test_invitation_link_works_once_within_the_organisation(app, database_url) -> None:
    admin, _ = _signed_in(app, database_url, "yamaguchi_admin")
    token = page_token(admin, "/staff/invitations")
    other_org = admin.post("/staff/invitations", data={"org": "352063", "role": "editor",
                           "csrf_token": token})  # fmt: skip
    assert other_org.status_code == 403  # Yamaguchi's admin cannot invite into Hofu
    made = admin.post("/staff/invitations", data={"org": "352039", "role": "viewer",
                      "csrf_token": token})  # fmt: skip
    html = made.get_data(as_text=True)
    link = html.split('id="invite-link">')[1].split("<")[0]
    path = link.split("localhost", 1)[1]
    newcomer = app.test_client()
    form = newcomer.get(path).get_data(as_text=True)
    name = f"joined-{token[:6]}"
    joined = newcomer.post(path, data={"name": name, "password": "a fine password",
                           "csrf_token": csrf_of(form)})  # fmt: skip
    assert joined.status_code == 303
    assert name in newcomer.get("/staff/").get_data(as_text=True)
    again = app.test_client().get(path)
    assert again.status_code == 404


def test_editor_cannot_invite(app, database_url) -> None:
    editor, _ = _signed_in(app, database_url, "yamaguchi_editor")
    assert editor.get("/staff/invitations").status_code == 404
