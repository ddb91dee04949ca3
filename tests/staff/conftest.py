"""People with passwords for the staff console tests, and a way to sign a test client in."""

from __future__ import annotations

import json
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gis.platform import auth, passwords
from gis.platform.db import connect
from gis.platform.settings import Settings
from tests.conftest import ROOT

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


SITES = "staff_console_sites"  # a layer of 山口市 (restricted) whose features have ids


@pytest.fixture(scope="session")
def sites_layers_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """layers/ plus :data:`SITES`: the Wi-Fi layer's fields, owned by 山口市, ``id_field`` name."""
    target = tmp_path_factory.mktemp("staff-layers")
    for path in (ROOT / "layers").glob("*.toml"):
        shutil.copy(path, target / path.name)
    text = (ROOT / "layers" / "wifi_spots.toml").read_text(encoding="utf-8")
    kept = [
        line
        for line in text.splitlines()
        if not line.startswith(("id =", "owner =", "public =", "id_field ="))
    ]
    head = [f'id = "{SITES}"', 'owner = "352039"', "public = false", 'id_field = "name"']
    (target / f"{SITES}.toml").write_text("\n".join(head + kept) + "\n", encoding="utf-8")
    return target


@pytest.fixture()
def publish_app(settings: Settings, sites_layers_dir: Path, tmp_path: Path) -> Iterator[Any]:
    """An app that loads uploads (as `kasane serve` does) and knows :data:`SITES`."""
    from etl.upload import load_upload
    from webmap import close, create_app

    changes = {"layers_dir": sites_layers_dir, "upload_dir": tmp_path / "uploads"}
    application = create_app(settings.model_copy(update=changes), loader=load_upload)
    application.testing = True
    yield application
    close(application)


def sites(names: list[str | None], lon: float = 131.47, lat: float = 34.18) -> bytes:
    """A GeoJSON of points named ``names`` (None: a row without its required name)."""
    features = [
        {
            "type": "Feature",
            "properties": {"name": name, "lg_code": "352039", "ssid": "net"},
            "geometry": {"type": "Point", "coordinates": [lon + i * 0.001, lat]},
        }
        for i, name in enumerate(names)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def served_version(database_url: str, layer: str = SITES) -> int | None:
    """The served version of ``layer``, read straight from the database."""
    with connect(database_url) as conn:
        row = conn.execute(
            "SELECT version FROM kasane.layer_current WHERE layer_id = %s", (layer,)
        ).fetchone()
    return int(row[0]) if row else None
