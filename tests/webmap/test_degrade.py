"""Degrade, don't fail (issue 22): with the database unreachable, tiles already in the cache
answer 200 marked stale (Age, Cache-Status), the hazard map renders and says live data is
unavailable, the rest answers 503; back up, everything is live again without a restart.

The app reaches the real test database through the TCP relay of test_db_outage, which the test
cuts (the shared cluster itself is never stopped)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.browser import axe_violations, open_page
from tests.server import running_server
from tests.webmap.test_db_outage import Relay
from webmap import close, create_app
from webmap.served_versions import tracker_for

TILE = "/tiles/flood_depth,shelters/{z}/{x}/{y}.mvt"
OGC = "/collections/flood_depth/tiles/WebMercatorQuad/{z}/{y}/{x}"


def _through(settings: Any) -> tuple[Relay, str]:
    parts = urlsplit(settings.database_url)
    relay = Relay(parts.hostname or "127.0.0.1", parts.port or 5432)
    netloc = parts.netloc.rsplit(":", 1)[0] + f":{relay.port}"
    return relay, urlunsplit(parts._replace(netloc=netloc))


def _until(check: Any, what: str, timeout_s: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while not (result := check()):
        assert time.monotonic() < deadline, f"timed out: {what}"
        time.sleep(0.2)
    return result


def _tiles_with_data(client: Any) -> list[tuple[int, int, int]]:
    """A few tile addresses the server answers with content (found through the TileJSON)."""
    bounds = client.get("/tiles/flood_depth,shelters.json").get_json()["bounds"]
    from gis.ogc.pmtiles_export import addresses

    found = []
    for z, x, y in addresses(tuple(bounds), 9, 9):
        if client.get(TILE.format(z=z, x=x, y=y)).status_code == 200:
            found.append((z, x, y))
    assert len(found) >= 2
    return found


@pytest.fixture()
def outage(settings, demo_loaded) -> Iterator[tuple[Relay, Any]]:
    relay, url = _through(settings)
    app = create_app(settings.model_copy(update={"database_url": url}))
    app.testing = True
    try:
        yield relay, app
    finally:
        close(app)


def test_cached_tiles_and_hazard_page_answer_stale_while_the_database_is_down(outage) -> None:
    relay, app = outage
    client = app.test_client()
    warm, cold = _tiles_with_data(client)[:2]
    live = client.get(TILE.format(z=warm[0], x=warm[1], y=warm[2]))
    ogc_live = client.get(OGC.format(z=warm[0], x=warm[1], y=warm[2]))
    assert "Cache-Status" not in live.headers and "Age" not in live.headers
    assert client.get("/map/hazard").status_code == 200
    # the same layers in the other order: a tile with content that was never served (cached)
    cold_path = f"/tiles/shelters,flood_depth/{cold[0]}/{cold[1]}/{cold[2]}.mvt"

    relay.cut()
    _until(lambda: client.get("/collections/shelters/items?limit=1").status_code == 503, "503")
    # until this process's LISTEN connection notices, its cache hits are rightly still fresh
    _until(lambda: not tracker_for(app).live, "the listener notices the outage")

    stale = client.get(TILE.format(z=warm[0], x=warm[1], y=warm[2]))
    assert stale.status_code == 200
    assert stale.data == live.data
    assert stale.headers["ETag"] == live.headers["ETag"]
    assert "stale" in stale.headers["Cache-Status"]
    assert int(stale.headers["Age"]) >= 0
    assert stale.headers["Cache-Control"] == "no-cache"
    ogc_stale = client.get(OGC.format(z=warm[0], x=warm[1], y=warm[2]))
    assert ogc_stale.status_code == ogc_live.status_code  # 200, or 204 (no flood there)
    assert ogc_stale.data == ogc_live.data
    assert "stale" in ogc_stale.headers["Cache-Status"]
    again = client.get(
        TILE.format(z=warm[0], x=warm[1], y=warm[2]),
        headers={"If-None-Match": live.headers["ETag"]},
    )
    assert again.status_code == 304 and "stale" in again.headers["Cache-Status"]

    # a tile that was never served is not in the cache: 503, as before
    missing = client.get(cold_path)
    assert missing.status_code == 503
    assert int(missing.headers["Retry-After"]) > 0

    for lang, words in (("ja", "最新の情報を取得できません"), ("en", "Live data unavailable")):
        started = time.monotonic()
        page = client.get(f"/map/hazard?lang={lang}")
        assert time.monotonic() - started < 30  # (a hang guard, not a timing claim)
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert words in html
        assert 'id="stale-notice"' in html and "<time datetime=" in html
        assert "stale" in page.headers["Cache-Status"]
        assert "Age" in page.headers

    relay.restore()
    warm_path = TILE.format(z=warm[0], x=warm[1], y=warm[2])
    _until(lambda: "Cache-Status" not in client.get(warm_path).headers, "live tiles again")
    page = client.get("/map/hazard?lang=en").get_data(as_text=True)
    assert "Live data unavailable" not in page
    # the pool drops its dead connections one request at a time, as in test_db_outage
    _until(lambda: client.get(cold_path).status_code == 200, "uncached tiles again")


def test_the_live_hazard_page_has_no_notice(client, demo_loaded) -> None:
    page = client.get("/map/hazard?lang=en")
    assert page.status_code == 200
    assert "stale-notice" not in page.get_data(as_text=True)
    assert "Cache-Status" not in page.headers


def test_hazard_page_in_chromium_with_the_database_down(settings, demo_loaded, browser) -> None:
    relay, url = _through(settings)
    with running_server(url, workers=1) as base:
        _until(lambda: open_page(browser, f"{base}/map/hazard")[0].context.close() or True, "up")
        relay.cut()
        time.sleep(2)  # the server's listener notices the cut connection
        for lang, words in (("ja", "最新の情報を取得できません"), ("en", "Live data unavailable")):
            page, watch = open_page(browser, f"{base}/map/hazard?lang={lang}", width=390)
            try:
                assert page.get_attribute("html", "lang") == lang
                notice = page.locator("#stale-notice")
                assert notice.is_visible()
                assert words in notice.inner_text()
                assert watch.offsite_requests == []
                # only the answers that need the database fail (503), no script error
                assert all("503" in e for e in watch.console_errors), watch.console_errors
                assert axe_violations(page) == []
            finally:
                page.context.close()
