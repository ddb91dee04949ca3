"""Landing page, layer list and health endpoints, through the app against real PostGIS."""

from __future__ import annotations

import pytest

from gis.platform.settings import load_settings
from tests.conftest import free_port
from webmap import close, create_app


def test_landing_html_has_language_and_skip_link(client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="ja">' in html
    assert 'href="#main"' in html
    english = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english
    assert "Skip to main content" in english


def test_landing_json(client) -> None:
    body = client.get("/?f=json").get_json()
    assert body["title"] == "Kasane"
    assert any(link["rel"] == "data" for link in body["links"])


def test_language_is_remembered_in_a_cookie(client) -> None:
    client.get("/?lang=en")
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_layer_list_shows_served_versions(client, demo_loaded, registry) -> None:
    body = client.get("/layers?f=json").get_json()
    ids = [layer["id"] for layer in body["layers"]]
    assert ids == [spec.id for spec in registry.public()]
    loaded = {layer["id"]: layer for layer in body["layers"]}
    for layer_id, outcome in demo_loaded.items():
        if outcome.startswith("loaded") or outcome == "unchanged":
            assert loaded[layer_id]["version"] >= 1
            assert loaded[layer_id]["features"] > 0
    html = client.get("/layers?lang=en").get_data(as_text=True)
    assert ">Public layers and their served versions</caption>" in html


def test_health_and_readiness(client) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/readyz").get_json() == {"status": "ready"}


def test_unknown_page_is_a_problem_not_a_traceback(client) -> None:
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 404


@pytest.fixture()
def app_without_database():  # type: ignore[no-untyped-def]
    url = f"postgresql://kasane:x@127.0.0.1:{free_port()}/kasane"
    application = create_app(load_settings(database_url=url))
    application.testing = True
    yield application
    close(application)


def test_database_down_gives_503_with_retry_after(app_without_database) -> None:
    client = app_without_database.test_client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert response.get_json()["title"] == "database unavailable"
