"""Shared fixtures: a real, disposable PostGIS database per test session, the app, a live
server and a headless Chromium. Nothing is mocked."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from gis.layerstore.registry import LayerRegistry
from gis.platform import provision
from gis.platform.databases import create_sibling, drop_sibling
from gis.platform.db import check_postgis, connect
from gis.platform.migrate import migrate
from gis.platform.settings import Settings, load_settings
from tests.server import free_port as free_port  # re-exported: other tests import it from here
from tests.server import running_server

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A fresh, migrated database: KASANE_TEST_DATABASE_URL (disposable!) or one created in
    the private cluster and dropped at the end."""
    explicit = os.environ.get("KASANE_TEST_DATABASE_URL")
    if explicit:
        with connect(explicit) as conn:
            check_postgis(conn)
            migrate(conn)
            conn.commit()
        yield explicit
        return
    cluster = provision.up(load_settings().home)
    name = f"kasane_test_{os.getpid()}_{secrets.token_hex(3)}"
    yield create_sibling(cluster.url, name)
    drop_sibling(cluster.url, name)


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    """Settings pointing at the test database."""
    from etl.demo import DEMO_TARGETS

    return load_settings(database_url=database_url, deadzone_targets=DEMO_TARGETS)


@pytest.fixture(scope="session")
def registry(settings: Settings) -> LayerRegistry:
    """The real layer catalogue from layers/."""
    return LayerRegistry.from_dir(settings.layers_dir)


@pytest.fixture(scope="session")
def demo_loaded(database_url: str, registry: LayerRegistry) -> dict[str, str]:
    """The demo data loaded once into the test database."""
    from etl.demo import load_demo

    # reset: tests that ran earlier in the session may have loaded their own data here, which
    # `kasane demo` (rightly) would keep
    return load_demo(database_url, registry, reset=True).outcome


@pytest.fixture()
def app(settings: Settings):  # type: ignore[no-untyped-def]
    from webmap import close, create_app

    application = create_app(settings)
    application.testing = True
    yield application
    close(application)


@pytest.fixture()
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture(scope="session")
def live_server(database_url: str, demo_loaded: dict[str, str]) -> Iterator[str]:
    """`kasane serve` (gunicorn) on a free port against the test database."""
    with running_server(database_url) as base:
        yield base


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium, headless, driven by Playwright (no downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test` as root or apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def staff_tokens(database_url: str) -> dict[str, str]:
    """API tokens of users of the demo municipalities and the prefecture, by role key:
    yamaguchi_editor, hofu_editor, yamaguchi_viewer, pref_admin, pref_editor."""
    from gis.platform import auth

    people = {
        "yamaguchi_editor": ("352039", auth.Role.EDITOR, "山口市"),
        "hofu_editor": ("352063", auth.Role.EDITOR, "防府市"),
        "yamaguchi_viewer": ("352039", auth.Role.VIEWER, "山口市"),
        "pref_admin": ("350001", auth.Role.ADMIN, "山口県"),
        "pref_editor": ("350001", auth.Role.EDITOR, "山口県"),
    }
    suffix = secrets.token_hex(3)
    tokens = {}
    with connect(database_url) as conn:
        for key, (org, role, org_name) in people.items():
            tokens[key] = auth.add_user(conn, f"{key}-{suffix}", org, role, org_name=org_name)
        conn.commit()
    return tokens


@pytest.fixture(scope="session")
def demo_frames() -> dict[str, object]:
    """The raw demo frames (what `demo_loaded` loads), for computing expectations independently."""
    from tests.demo import demo_frames as frames

    return frames()  # type: ignore[return-value]


@pytest.fixture(scope="session")
def standby() -> tuple[object, object]:
    """A real hot standby of the private cluster: the one recorded by `kasane db replica add`
    when it runs (kept between sessions, as the primary is), else a new one. Returns
    (cluster, standby) of gis.platform.provision and gis.platform.standby."""
    from gis.platform import standby as standbys

    if os.environ.get("KASANE_TEST_DATABASE_URL"):
        pytest.skip("a standby is made of the private cluster; KASANE_TEST_DATABASE_URL is set")
    home = load_settings().home
    cluster = provision.up(home)
    for found in standbys.standbys(home):
        try:
            standbys.start(cluster, found)
            return cluster, found
        except Exception:  # a copy that cannot start (left from an old run): make a new one
            standbys.remove(home, found.name)
    made, _ = standbys.add(home)
    return cluster, made
