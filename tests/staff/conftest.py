"""People with passwords for the staff console tests, and a way to sign a test client in."""

from __future__ import annotations

import re
import secrets

import pytest

from gis.platform import auth, passwords
from gis.platform.db import connect

PASSWORD = "correct horse battery"
PEOPLE = {
    "yamaguchi_editor": ("352039", auth.Role.EDITOR, "山口市"),
    "hofu_editor": ("352063", auth.Role.EDITOR, "防府市"),
    "yamaguchi_admin": ("352039", auth.Role.ADMIN, "山口市"),
    "yamaguchi_viewer": ("352039", auth.Role.VIEWER, "山口市"),
    "pref_admin": ("350001", auth.Role.ADMIN, "山口県"),
}


def new_person(database_url: str, key: str, password: str = PASSWORD) -> str:
    """A fresh user of ``PEOPLE[key]``'s organisation and role with ``password``; its name."""
    org, role, org_name = PEOPLE[key]
    name = f"staff-{key}-{secrets.token_hex(3)}"
    with connect(database_url) as conn:
        auth.add_user(conn, name, org, role, org_name=org_name)
        passwords.set_password_by_name(conn, name, password)
        conn.commit()
    return name


@pytest.fixture(scope="session")
def people(database_url: str) -> dict[str, str]:
    """User names (password :data:`PASSWORD`) by key of :data:`PEOPLE`."""
    return {key: new_person(database_url, key) for key in PEOPLE}


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def sign_in(client, name: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    """Sign ``client`` in through the form (with its CSRF token); the POST's response."""
    token = csrf_of(client.get("/staff/sign-in").get_data(as_text=True))
    return client.post(
        "/staff/sign-in", data={"name": name, "password": password, "csrf_token": token}
    )


def page_token(client, path: str) -> str:  # type: ignore[no-untyped-def]
    """The CSRF token on the page at ``path`` (the client must be allowed to see it)."""
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return csrf_of(response.get_data(as_text=True))
